// herald-bench controller: child processes (the server, workers, Redis) on pipes.
#include "process.h"

#include "util.h"

#include <QJsonDocument>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace bench {

Child spawn(const std::vector<std::string> &argv, const std::string &stderrFile)
{
    int toChild[2], fromChild[2];
    if (pipe2(toChild, O_CLOEXEC) || pipe2(fromChild, O_CLOEXEC))
        die("pipe failed");
    const pid_t pid = fork();
    if (pid < 0)
        die("fork failed");
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(toChild[0], 0);
        dup2(fromChild[1], 1);
        if (!stderrFile.empty()) {
            const int fd =
                open(stderrFile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
            if (fd >= 0)
                dup2(fd, 2);
        }
        std::vector<char *> args;
        for (const std::string &a : argv)
            args.push_back(const_cast<char *>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data()); // a bare name (redis-server) is looked up in PATH
        _exit(127);
    }
    close(toChild[0]);
    close(fromChild[1]);
    Child c;
    c.pid = pid;
    c.in = toChild[1];
    c.out = fromChild[0];
    return c;
}

bool drain(Child &c, std::vector<std::string> *lines)
{
    char b[65536];
    const ssize_t n = read(c.out, b, sizeof b);
    if (n <= 0)
        return n < 0 && errno == EINTR;
    c.buf.append(b, size_t(n));
    size_t nl;
    while ((nl = c.buf.find('\n')) != std::string::npos) {
        const std::string line = c.buf.substr(0, nl);
        c.buf.erase(0, nl + 1);
        if (lines)
            lines->push_back(line);
        else
            c.events.push_back(QJsonDocument::fromJson(QByteArray::fromStdString(line)).object());
    }
    return true;
}

} // namespace bench
