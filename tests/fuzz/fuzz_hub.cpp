// Fuzz target for Herald's own decode -> validate -> dispatch layer.
//
// One input is one WebSocket connection's worth of text frames, separated by '\n'; an input
// that starts with '!' connects without a token (so its frames meet the auth path first).
// The whole input also goes through proto::decode in both directions. The Hub runs for real,
// on a real Database in a temporary directory, driven through a Peer that records what it is
// sent, as tests/server/tst_hub.cpp does. Qt itself is not instrumented: it is a black box here.
//
// Besides crashes and sanitizer reports, the target aborts when an invariant breaks:
//   - a frame that decodes re-encodes to a frame that decodes to the same thing;
//   - every decode failure's error code is one of proto::errorCodes();
//   - every frame the hub sends is a JSON object whose type is a server frame type;
//   - an invalid frame with a readable id, on an authenticated open connection, is answered
//     with an error frame carrying that id;
//   - nothing is sent to a peer after the hub closed it, and every connection is gone after
//     the peer reports it closed.
//
// Built twice: by tests/fuzz/libfuzzer (clang, -fsanitize=fuzzer,address,undefined) for
// fuzzing, and into tst_fuzz_replay, which replays the seed corpus and every regression input.
#include "core/database.h"
#include "core/hub.h"
#include "core/store.h"

#include <herald/protocol.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSet>
#include <QTemporaryDir>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace herald;

namespace {

[[noreturn]] void violated(const char *what, const QByteArray &detail)
{
    std::fprintf(stderr, "fuzz_hub: invariant violated: %s\n  %s\n", what,
                 detail.left(2000).constData());
    std::abort();
}

struct RecordingPeer : Peer
{
    void send(const QByteArray &frame) override
    {
        if (closedWith)
            violated("the hub sent a frame after closing the connection", frame);
        frames << frame;
    }
    void close(int code, const QString &) override
    {
        if (!closedWith)
            closedWith = code;
    }
    void ping() override {}
    [[nodiscard]] QString address() const override { return QStringLiteral("fuzz"); }
    [[nodiscard]] bool hasHello() const
    {
        for (const QByteArray &f : frames)
            if (f.contains("\"type\":\"hello\""))
                return true;
        return false;
    }
    QList<QByteArray> frames;
    int closedWith = 0;
};

struct World
{
    std::unique_ptr<QCoreApplication> app;
    std::unique_ptr<QTemporaryDir> dir;
    std::unique_ptr<Database> db;
    std::unique_ptr<Hub> hub;
    QString alice;
    QSet<QString> serverTypes;
};

World *g_world = nullptr;

void tearDown()
{
    if (!g_world)
        return;
    g_world->hub.reset();
    if (g_world->db)
        g_world->db->close();
    g_world->db.reset();
    g_world->dir.reset();
}

World &world()
{
    if (g_world)
        return *g_world;
    g_world = new World; // lives until exit: Qt's own statics outlive any orderly teardown here
    World &w = *g_world;
    if (!QCoreApplication::instance()) {
        static int argc = 1;
        static char name[] = "fuzz_hub";
        static char *argv[] = {name, nullptr};
        w.app = std::make_unique<QCoreApplication>(argc, argv);
    }
    QLoggingCategory::setFilterRules(
        QStringLiteral("*.debug=false\n*.info=false\nherald.*.warning=false"));
    // On tmpfs when there is one: every storage batch ends with an fsync.
    const QString base = QDir(QStringLiteral("/dev/shm")).exists() &&
                                 QFileInfo(QStringLiteral("/dev/shm")).isWritable()
                             ? QStringLiteral("/dev/shm")
                             : QDir::tempPath();
    w.dir = std::make_unique<QTemporaryDir>(base + QStringLiteral("/herald-fuzz-XXXXXX"));
    if (!w.dir->isValid())
        violated("setup", "cannot create a temporary directory");
    {
        Store st;
        if (auto e = st.open(w.dir->path()))
            violated("setup", e->message.toUtf8());
        const qint64 a = std::get<qint64>(st.createUser(QStringLiteral("alice"), {}, {}));
        const qint64 b = std::get<qint64>(st.createUser(QStringLiteral("bob"), {}, {}));
        std::get<qint64>(st.createUser(QStringLiteral("carol"), {}, {}));
        w.alice =
            std::get<QString>(st.issueToken(a, 0, QStringLiteral("user"), QStringLiteral("fuzz")));
        std::get<QString>(st.issueToken(b, 0, QStringLiteral("user"), QStringLiteral("fuzz")));
        const qint64 general = std::get<qint64>(st.createRoom(
            QStringLiteral("general"), QStringLiteral("General"), QStringLiteral("public")));
        st.addMember(general, a);
        st.addMember(general, b);
        const qint64 secret = std::get<qint64>(
            st.createRoom(QStringLiteral("secret"), QString(), QStringLiteral("private")));
        st.addMember(secret, b);
        const qint64 service =
            std::get<qint64>(st.createService(QStringLiteral("erp"), QString(), QString()));
        std::get<QString>(
            st.issueToken(0, service, QStringLiteral("service"), QStringLiteral("fuzz")));
        PublishRequest req;
        req.to.users = {QStringLiteral("alice"), QStringLiteral("bob")};
        req.title = QStringLiteral("Approve?");
        req.priority = QStringLiteral("high");
        req.actions = QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("approve")},
                                             {QStringLiteral("label"), QStringLiteral("Approve")}},
                                 QJsonObject{{QStringLiteral("id"), QStringLiteral("reject")},
                                             {QStringLiteral("label"), QStringLiteral("Reject")}}};
        for (int i = 0; i < 3; ++i)
            st.publish(service, req, QDateTime::currentMSecsSinceEpoch());
    }
    w.db = std::make_unique<Database>();
    if (const QString e = w.db->open(w.dir->path()); !e.isEmpty())
        violated("setup", e.toUtf8());
    Config cfg;
    cfg.dataDir = w.dir->path();
    cfg.messagesPerSecond = 1000000; // the rate limit would only hide the dispatch paths
    cfg.messagesBurst = 1000000;
    cfg.presenceCoalesceMs = 10;
    cfg.maxConnectionsPerUser = 1000;
    w.hub = std::make_unique<Hub>(cfg, w.db.get());
    if (const QString e = w.hub->load(); !e.isEmpty())
        violated("setup", e.toUtf8());
    for (const proto::MessageSpec &spec : proto::schema())
        if (spec.direction == proto::Direction::ServerToClient)
            w.serverTypes.insert(spec.type);
    std::atexit(tearDown);
    return w;
}

/** Lets storage results come back and the hub act on them (a few hops: auth, hello, requests). */
void settle(World &w)
{
    for (int round = 0; round < 6; ++round) {
        QCoreApplication::processEvents(QEventLoop::AllEvents);
        w.db->runSync<Ok>([](Store &) { return Ok{}; });
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents(QEventLoop::AllEvents);
    }
}

void checkCodec(const QByteArray &bytes)
{
    const proto::Limits limits;
    for (const proto::Direction d :
         {proto::Direction::ClientToServer, proto::Direction::ServerToClient}) {
        const proto::DecodeResult r = proto::decode(bytes, d, limits);
        if (!r.ok()) {
            if (!proto::errorCodes().contains(r.error.code))
                violated("decode failed with a code that is not in errorCodes()",
                         r.error.code.toUtf8());
            continue;
        }
        const QByteArray again = proto::encode(*r.frame);
        const proto::DecodeResult r2 = proto::decode(again, d, limits);
        if (!r2.ok())
            violated("a decoded frame does not decode again after encode()", again);
        if (r2.frame->type != r.frame->type || r2.frame->body != r.frame->body)
            violated("decode(encode(decode(x))) differs from decode(x)", again);
    }
}

void checkServerFrame(const World &w, const QByteArray &frame)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(frame, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        violated("the hub sent a frame that is not a JSON object", frame);
    const QString type = doc.object().value(QLatin1String("type")).toString();
    if (!w.serverTypes.contains(type))
        violated("the hub sent a frame whose type is not a server frame type", frame);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    World &w = world();
    QByteArray input(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    checkCodec(input);

    const bool anonymous = input.startsWith('!');
    if (anonymous)
        input.remove(0, 1);
    QList<QByteArray> frames = input.split('\n');
    if (frames.size() > 32)
        frames.resize(32);

    RecordingPeer peer;
    const quint64 id = w.hub->open(&peer, anonymous ? QString() : w.alice);
    settle(w);
    for (const QByteArray &f : std::as_const(frames)) {
        if (f.isEmpty() && frames.size() > 1)
            continue;
        checkCodec(f);
        const bool answerable = !peer.closedWith && peer.hasHello();
        const qsizetype before = peer.frames.size();
        w.hub->text(id, f);
        if (answerable && !peer.closedWith) {
            const proto::DecodeResult r =
                proto::decode(f, proto::Direction::ClientToServer, proto::Limits{});
            if (!r.ok() && !r.error.id.isUndefined()) {
                bool answered = false;
                for (qsizetype i = before; i < peer.frames.size(); ++i) {
                    const QJsonObject o = QJsonDocument::fromJson(peer.frames[i]).object();
                    answered = answered || (o.value(QLatin1String("type")).toString() ==
                                                QLatin1String("error") &&
                                            o.value(QLatin1String("id")) == r.error.id);
                }
                if (!answered)
                    violated("an invalid frame with a readable id got no error carrying that id",
                             f);
            }
        }
        settle(w);
    }
    settle(w);
    for (const QByteArray &f : std::as_const(peer.frames))
        checkServerFrame(w, f);
    w.hub->closed(id);
    settle(w);
    if (w.hub->connectionCount() != 0)
        violated("a closed connection is still counted",
                 QByteArray::number(w.hub->connectionCount()));
    return 0;
}
