// herald-bench controller: command-line options, messages, and the paths every part needs.
#include "util.h"

#include <cstdarg>
#include <cstdio>
#include <unistd.h>

namespace bench {

bool parseOptions(int argc, char **argv, int first, Options *opt)
{
    for (int i = first; i < argc; ++i) {
        std::string a = argv[i];
        if (a.rfind("--", 0) != 0)
            return false;
        a = a.substr(2);
        if (a == "smoke" || a == "strict" || a == "keep" || a == "all-steps") {
            opt->kv[a] = "1";
            continue;
        }
        if (i + 1 >= argc)
            return false;
        if (a == "server-set")
            opt->serverSets.push_back(argv[++i]);
        else
            opt->kv[a] = argv[++i];
    }
    return true;
}

void die(const std::string &msg)
{
    fprintf(stderr, "herald-bench: %s\n", msg.c_str());
    exit(2);
}

void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[herald-bench] ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

std::string selfExe()
{
    char buf[4096];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        die("cannot read /proc/self/exe");
    buf[n] = 0;
    return buf;
}

void sleepMs(int ms)
{
    usleep(useconds_t(ms) * 1000);
}

} // namespace bench
