// herald-bench controller: setup. The run's data directory and options, the people, rooms and
// tokens written through the server's Store before it starts, the plans the workers read, and
// starting and stopping herald-server.
#include "setup.h"

#include "common.h"
#include "process.h"
#include "report.h"
#include "sampling.h"
#include "util.h"

#include <QDir>
#include <QFile>

#include <algorithm>
#include <csignal>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bench {

// ------------------------------------------------------------------ the server

void Server::start(int fixedPort)
{
    std::vector<std::string> argv{
        bin, "--data-dir", dataDir, "--listen", "127.0.0.1", "--port", std::to_string(fixedPort)};
    for (const std::string &s : sets) {
        argv.push_back("--set");
        argv.push_back(s);
    }
    const int64_t t0 = nowNs();
    Child c = spawn(argv, dataDir + "/server.log");
    close(c.in);
    pid = c.pid;
    std::vector<std::string> lines;
    const int64_t deadline = nowNs() + 60'000'000'000LL;
    while (nowNs() < deadline) {
        pollfd p{c.out, POLLIN, 0};
        if (poll(&p, 1, 200) > 0 && !drain(c, &lines))
            break;
        for (const std::string &l : lines) {
            const size_t at = l.find("listening on ");
            if (at != std::string::npos) {
                port = atoi(l.substr(l.rfind(':') + 1).c_str());
                close(c.out);
                startSeconds = double(nowNs() - t0) / 1e9;
                idleRssKiB = rssKiB(pid);
                for (int i = 0; i < 50; ++i) {
                    sleepMs(20);
                    if (const long long kib = rssKiB(pid); kib > 0)
                        idleRssKiB = std::min(idleRssKiB, kib);
                }
                return;
            }
        }
        lines.clear();
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid)
            break;
    }
    die("herald-server did not start; see " + dataDir + "/server.log");
}

double Server::stop()
{
    if (pid <= 0)
        return 0;
    const int64_t t0 = nowNs();
    pastCpu += cpuOf(pid).total;
    kill(pid, SIGTERM);
    for (int i = 0; i < int(stopTimeout * 20); ++i) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            pid = -1;
            return double(nowNs() - t0) / 1e9;
        }
        sleepMs(50);
    }
    say("server did not exit within %.0f s of SIGTERM: killing it", stopTimeout);
    ++hungStops;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    pid = -1;
    return double(nowNs() - t0) / 1e9;
}

// ------------------------------------------------------------------ the run

namespace {

std::vector<std::string> benchServerSets(const Options &opt)
{
    // The sender and the publisher are load generators: lift the per-connection rate limit.
    std::vector<std::string> s{"messages_per_second=100000", "messages_burst=1000000"};
    for (const std::string &x : opt.serverSets)
        s.push_back(x);
    return s;
}

} // namespace

bool prepareRun(Run &run)
{
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max; // server and workers inherit it
    setrlimit(RLIMIT_NOFILE, &rl);

    const std::string exe = selfExe();
    run.server.bin = run.opt.str("server", exe.substr(0, exe.rfind('/')) + "/herald-server");
    if (access(run.server.bin.c_str(), X_OK))
        die("no herald-server at " + run.server.bin + " (use --server)");
    bool tempDir = false;
    if (run.opt.has("data-dir")) {
        run.dataDir = QString::fromStdString(run.opt.str("data-dir", ""));
        if (QDir(run.dataDir).exists() && !QDir(run.dataDir).isEmpty())
            die("--data-dir must be new or empty");
    } else {
        char tmpl[] = "/tmp/herald-bench-XXXXXX";
        if (!mkdtemp(tmpl))
            die("mkdtemp failed");
        run.dataDir = QString::fromLatin1(tmpl);
        tempDir = true;
    }
    QDir().mkpath(run.dataDir);
    run.server.dataDir = run.dataDir.toStdString();
    run.server.sets = benchServerSets(run.opt);
    run.server.stopTimeout = run.opt.real("stop-timeout", run.smoke ? 2 : 15);
    return tempDir;
}

// ------------------------------------------------------------------ people, rooms, tokens

std::string sourceFor(long i)
{
    return "127.0.0." + std::to_string(1 + i / 10000);
}

Setup::Setup(const QString &dataDir)
    : dir(dataDir)
{
    if (auto e = st.open(dataDir))
        die("cannot open store: " + e->message.toStdString());
    st.begin();
}

Setup::Setup(const herald::StorageSettings &settings)
{
    if (auto e = st.open(settings))
        die("cannot open store: " + e->message.toStdString());
    st.begin();
}

std::vector<Person> Setup::people(long n, const QString &prefix)
{
    std::vector<Person> out;
    out.reserve(size_t(n));
    for (long i = 0; i < n; ++i) {
        Person p;
        p.name = prefix + QString::number(i);
        auto r = st.createUser(p.name, QString(), QString());
        if (auto *e = std::get_if<herald::StoreError>(&r))
            die("createUser: " + e->message.toStdString());
        p.id = std::get<qint64>(r);
        auto t = st.issueToken(p.id, 0, QStringLiteral("user"), QStringLiteral("bench"));
        if (auto *e = std::get_if<herald::StoreError>(&t))
            die("issueToken: " + e->message.toStdString());
        p.token = std::get<QString>(t);
        out.push_back(p);
    }
    return out;
}

qint64 Setup::room(const QString &name)
{
    auto r = st.createRoom(name, name, QStringLiteral("public"));
    if (auto *e = std::get_if<herald::StoreError>(&r))
        die("createRoom: " + e->message.toStdString());
    return std::get<qint64>(r);
}

void Setup::member(qint64 room, qint64 user)
{
    if (auto e = st.addMember(room, user))
        die("addMember: " + e->message.toStdString());
}

void Setup::finish()
{
    if (!st.commit())
        die("setup commit failed: " + st.lastError().toStdString());
    st.close();
}

std::string writePlan(const QString &dir, const QString &name, const std::vector<Person> &people,
                      long firstIndex)
{
    const QString path = QDir(dir).filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        die("cannot write " + path.toStdString());
    for (size_t i = 0; i < people.size(); ++i)
        f.write(people[i].token.toUtf8() + ' ' +
                QByteArray::fromStdString(sourceFor(firstIndex + long(i))) + '\n');
    return path.toStdString();
}

std::vector<Person> teamSetup(Run &run, long n, long roomSize, int roomsPerPerson,
                              std::vector<QString> *roomNames, std::vector<qint64> *roomIds,
                              std::vector<std::vector<qint64>> *membersOut)
{
    Setup setup(run.dataDir);
    std::vector<Person> people = setup.people(n, QStringLiteral("u"));
    const long rooms = std::max<long>(1, (n + roomSize - 1) / roomSize);
    for (int k = 0; k < roomsPerPerson; ++k)
        for (long r = 0; r < rooms; ++r) {
            const QString name =
                QStringLiteral("%1%2").arg(k == 0 ? QLatin1Char('a') : QLatin1Char('b')).arg(r);
            roomNames->push_back(name);
            roomIds->push_back(setup.room(name));
        }
    if (membersOut)
        membersOut->assign(roomIds->size(), {});
    for (long i = 0; i < n; ++i) {
        // first room: consecutive blocks; second room: interleaved, so the two differ
        const size_t ra = size_t(i / roomSize);
        setup.member((*roomIds)[ra], people[size_t(i)].id);
        if (membersOut)
            (*membersOut)[ra].push_back(people[size_t(i)].id);
        if (roomsPerPerson > 1) {
            const size_t rb = size_t(rooms + i % rooms);
            setup.member((*roomIds)[rb], people[size_t(i)].id);
            if (membersOut)
                (*membersOut)[rb].push_back(people[size_t(i)].id);
        }
    }
    setup.finish();
    return people;
}

FanoutPlans fanoutSetup(Setup &setup, const QString &dataDir, long members)
{
    const std::vector<Person> people = setup.people(members, QStringLiteral("m"));
    const std::vector<Person> sender = setup.people(1, QStringLiteral("sender"));
    const qint64 room = setup.room(QStringLiteral("fanout"));
    for (const Person &p : people)
        setup.member(room, p.id);
    setup.member(room, sender[0].id);
    setup.finish();
    FanoutPlans plans;
    plans.members = writePlan(dataDir, QStringLiteral("plan.txt"), people);
    plans.sender = writePlan(dataDir, QStringLiteral("sender.txt"), sender, members);
    return plans;
}

Publisher groupAndPublisher(Setup &setup, const std::vector<Person> &people, const QString &group)
{
    auto g = setup.st.createGroup(group);
    if (auto *e = std::get_if<herald::StoreError>(&g))
        die("createGroup: " + e->message.toStdString());
    for (const Person &p : people)
        if (auto e = setup.st.setGroupMember(group, p.name, true))
            die("setGroupMember: " + e->message.toStdString());
    auto svc = setup.st.createService(QStringLiteral("bench"), QString(), QString());
    if (auto *e = std::get_if<herald::StoreError>(&svc))
        die("createService: " + e->message.toStdString());
    Publisher p;
    p.serviceId = std::get<qint64>(svc);
    p.token = std::get<QString>(setup.st.issueToken(0, p.serviceId, QStringLiteral("service"),
                                                    QStringLiteral("bench")))
                  .toStdString();
    return p;
}

} // namespace bench
