// herald-bench controller: command-line options, messages, and the paths every part needs.
#pragma once

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace bench {

/** @brief The controller's command line: --key value pairs, flags, and repeated --server-set. */
struct Options
{
    std::map<std::string, std::string> kv;
    std::vector<std::string> serverSets;
    bool has(const std::string &k) const { return kv.count(k) != 0; }
    std::string str(const std::string &k, const std::string &def) const
    {
        auto it = kv.find(k);
        return it == kv.end() ? def : it->second;
    }
    long long num(const std::string &k, long long def) const
    {
        auto it = kv.find(k);
        return it == kv.end() ? def : atoll(it->second.c_str());
    }
    double real(const std::string &k, double def) const
    {
        auto it = kv.find(k);
        return it == kv.end() ? def : atof(it->second.c_str());
    }
};

/** Reads argv[first..] into opt; false when the command line is not understood. */
bool parseOptions(int argc, char **argv, int first, Options *opt);

/** Prints "herald-bench: msg" and exits with status 2 (usage or setup problem). */
[[noreturn]] void die(const std::string &msg);

/** A progress line on stderr. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** This executable (workers are started from it). */
std::string selfExe();

void sleepMs(int ms);

} // namespace bench
