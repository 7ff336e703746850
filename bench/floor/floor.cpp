// herald-floor: what this machine's kernel charges for a notification fan-out, with nothing of
// Herald in the way. A child process opens N loopback TCP connections to the parent and reads
// everything that arrives; the parent writes one small WebSocket text frame (the size of a
// Herald notification frame) to each of its N accepted sockets from T threads, R rounds, and
// prints the wall time per round and the CPU per write as JSON.
//
//   herald-floor [--connections N] [--threads T] [--rounds R] [--bytes B] [--mode MODE]
//                [--batch K]
//
// send:     one send() per socket per round (what Herald does for one frame per peer)
// writev2:  two frames per socket per round in one writev() (frames queued for one peer)
// nodelay:  as send, with TCP_NODELAY set on every socket
// uring:    the same sends through io_uring, K per io_uring_enter() (a ring per thread; built
//           only with liburing, HERALD_FLOOR_URING)
#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef HERALD_FLOOR_URING
#include <liburing.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options
{
    int connections = 10000;
    int threads = 2;
    int rounds = 50;
    int bytes = 180;
    std::string mode = "send";
    int batch = 256; // uring: sends per submission
};

double now()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double threadCpu()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

double processCpu(int who)
{
    rusage ru{};
    getrusage(who, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

[[noreturn]] void die(const char *what)
{
    std::perror(what);
    std::exit(1);
}

// The child: connects N sockets and drains them until the parent closes them all.
[[noreturn]] void reader(int port, int n)
{
    const int ep = epoll_create1(0);
    std::vector<int> fds;
    fds.reserve(size_t(n));
    for (int i = 0; i < n; ++i) {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(uint16_t(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0)
            die("connect");
        fcntl(fd, F_SETFL, O_NONBLOCK);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        fds.push_back(fd);
    }
    std::vector<char> buf(1 << 16);
    std::vector<epoll_event> events(1024);
    int open = n;
    while (open > 0) {
        const int k = epoll_wait(ep, events.data(), int(events.size()), 1000);
        for (int i = 0; i < k; ++i) {
            const int fd = events[size_t(i)].data.fd;
            for (;;) {
                const ssize_t r = recv(fd, buf.data(), buf.size(), 0);
                if (r > 0)
                    continue;
                if (r == 0) {
                    close(fd);
                    --open;
                }
                break;
            }
        }
    }
    std::_Exit(0);
}

#ifdef HERALD_FLOOR_URING
// One round of one thread's share through its ring: `batch` sends per io_uring_enter(), each
// batch's completions reaped before the next. Returns the sends that failed or fell short.
long uringRound(io_uring &ring, const std::vector<int> &peers, size_t first, size_t step,
                const std::string &frame, int batch)
{
    long failed = 0;
    size_t i = first;
    while (i < peers.size()) {
        int queued = 0;
        for (; queued < batch && i < peers.size(); ++queued, i += step) {
            io_uring_sqe *sqe = io_uring_get_sqe(&ring);
            io_uring_prep_send(sqe, peers[i], frame.data(), frame.size(), MSG_NOSIGNAL);
        }
        if (io_uring_submit_and_wait(&ring, unsigned(queued)) < 0)
            die("io_uring_submit_and_wait");
        io_uring_cqe *cqe = nullptr;
        unsigned head = 0, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe)
        {
            if (cqe->res != int(frame.size()))
                ++failed;
            ++seen;
        }
        io_uring_cq_advance(&ring, seen);
        failed += queued - int(seen); // not completed: cannot happen after waiting for all
    }
    return failed;
}
#endif

} // namespace

int main(int argc, char **argv)
{
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const char *v = argv[i + 1];
        if (k == "--connections")
            o.connections = std::atoi(v);
        else if (k == "--threads")
            o.threads = std::atoi(v);
        else if (k == "--rounds")
            o.rounds = std::atoi(v);
        else if (k == "--bytes")
            o.bytes = std::atoi(v);
        else if (k == "--mode")
            o.mode = v;
        else if (k == "--batch")
            o.batch = std::atoi(v);
        else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            return 2;
        }
    }
    if (o.connections < 1 || o.threads < 1 || o.rounds < 1 || o.bytes < 2 || o.bytes > 125 * 64 ||
        o.batch < 1 || o.batch > 4096 ||
        (o.mode != "send" && o.mode != "writev2" && o.mode != "nodelay" && o.mode != "uring")) {
        std::fprintf(stderr, "bad options\n");
        return 2;
    }
#ifndef HERALD_FLOOR_URING
    if (o.mode == "uring") {
        std::fprintf(stderr, "this herald-floor was built without liburing\n");
        return 2;
    }
#endif
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 || listen(listener, 4096))
        die("listen");
    socklen_t len = sizeof a;
    getsockname(listener, reinterpret_cast<sockaddr *>(&a), &len);
    const int port = ntohs(a.sin_port);
    const pid_t child = fork();
    if (child == 0) {
        close(listener);
        reader(port, o.connections);
    }
    std::vector<int> peers;
    peers.reserve(size_t(o.connections));
    while (int(peers.size()) < o.connections) {
        const int fd = accept(listener, nullptr, nullptr);
        if (fd < 0)
            die("accept");
        if (o.mode == "nodelay") {
            const int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        peers.push_back(fd);
    }
    // A WebSocket text frame from server to client: 2-byte header (payload < 126) or 4-byte.
    std::string frame;
    const int payload = o.bytes - (o.bytes - 2 < 126 ? 2 : 4);
    frame.push_back(char(0x81));
    if (payload < 126) {
        frame.push_back(char(payload));
    } else {
        frame.push_back(char(126));
        frame.push_back(char(payload >> 8));
        frame.push_back(char(payload & 0xff));
    }
    frame.append(size_t(payload), 'x');

#ifdef HERALD_FLOOR_URING
    // One ring per writer thread, set up before the rounds (not measured).
    std::vector<io_uring> rings(o.mode == "uring" ? size_t(o.threads) : 0);
    for (io_uring &ring : rings)
        if (const int e = io_uring_queue_init(unsigned(o.batch), &ring, 0); e != 0) {
            // A kernel without io_uring, or one that refuses it (a sandbox, a sysctl): nothing
            // to measure here (77: "skipped" to CTest).
            std::fprintf(stderr, "io_uring is not available here: %s\n", std::strerror(-e));
            kill(child, SIGKILL);
            waitpid(child, nullptr, 0);
            return 77;
        }
#endif
    std::vector<double> roundWall;
    std::vector<double> cpuPerThread(size_t(o.threads), 0);
    std::atomic<long> failures{0};
    const double cpuBefore = processCpu(RUSAGE_SELF);
    for (int r = 0; r < o.rounds; ++r) {
        const double t0 = now();
        std::vector<std::thread> pool;
        for (int t = 0; t < o.threads; ++t) {
            pool.emplace_back([&, t] {
                const double c0 = threadCpu();
#ifdef HERALD_FLOOR_URING
                if (o.mode == "uring") {
                    failures.fetch_add(uringRound(rings[size_t(t)], peers, size_t(t),
                                                  size_t(o.threads), frame, o.batch));
                    cpuPerThread[size_t(t)] += threadCpu() - c0;
                    return;
                }
#endif
                for (size_t i = size_t(t); i < peers.size(); i += size_t(o.threads)) {
                    ssize_t w;
                    if (o.mode == "writev2") {
                        iovec iov[2] = {{frame.data(), frame.size()}, {frame.data(), frame.size()}};
                        w = writev(peers[i], iov, 2);
                    } else {
                        w = send(peers[i], frame.data(), frame.size(), MSG_NOSIGNAL);
                    }
                    if (w <= 0)
                        failures.fetch_add(1);
                }
                cpuPerThread[size_t(t)] += threadCpu() - c0;
            });
        }
        for (auto &th : pool)
            th.join();
        roundWall.push_back(now() - t0);
        usleep(20000); // let the reader drain between rounds
    }
    const double cpu = processCpu(RUSAGE_SELF) - cpuBefore;
#ifdef HERALD_FLOOR_URING
    for (io_uring &ring : rings)
        io_uring_queue_exit(&ring);
#endif
    for (int fd : peers)
        close(fd);
    waitpid(child, nullptr, 0);
    const double childCpu = processCpu(RUSAGE_CHILDREN);
    std::sort(roundWall.begin(), roundWall.end());
    double writerCpu = 0;
    for (double c : cpuPerThread)
        writerCpu += c;
    const double writes = double(o.connections) * o.rounds * (o.mode == "writev2" ? 2 : 1);
    std::printf("{\"mode\":\"%s\",\"batch\":%d,\"connections\":%d,\"threads\":%d,\"rounds\":%d,"
                "\"frameBytes\":%zu,"
                "\"roundWallMs\":{\"min\":%.3f,\"p50\":%.3f,\"max\":%.3f},"
                "\"writerCpuUsPerFrame\":%.3f,\"processCpuUsPerFrame\":%.3f,"
                "\"readerCpuUsPerFrame\":%.3f,\"failures\":%ld}\n",
                o.mode.c_str(), o.mode == "uring" ? o.batch : 0, o.connections, o.threads, o.rounds,
                frame.size(), roundWall.front() * 1e3, roundWall[roundWall.size() / 2] * 1e3,
                roundWall.back() * 1e3, writerCpu / writes * 1e6, cpu / writes * 1e6,
                childCpu / writes * 1e6, failures.load());
    return failures.load() == 0 ? 0 : 1;
}
