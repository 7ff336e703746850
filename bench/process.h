// herald-bench controller: child processes (the server, workers, Redis) on pipes.
#pragma once

#include <QJsonObject>

#include <deque>
#include <string>
#include <sys/types.h>
#include <vector>

namespace bench {

/** @brief A child with its stdin and stdout on pipes. */
struct Child
{
    pid_t pid = -1;
    int in = -1;  // we write
    int out = -1; // we read
    std::string buf;
    std::deque<QJsonObject> events;
};

/** Starts argv (a bare name is looked up in PATH); stderr goes to stderrFile when given. */
Child spawn(const std::vector<std::string> &argv, const std::string &stderrFile);

/** Reads what a child printed; returns false on EOF. Complete lines go to events (JSON) or lines.
 */
bool drain(Child &c, std::vector<std::string> *lines = nullptr);

} // namespace bench
