// herald-bench worker: Herald's protocol as the people see it. Hot-path frames (message,
// notification) are read with substring scans, not a JSON parser; only hello and result frames
// are parsed with QJsonDocument. Every person checks each room's sequence and the notification
// ids it receives.
#include "worker.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <string_view>

namespace bench::worker {

namespace {

// A tiny scanner for flat JSON fields written by QJsonDocument (compact, keys sorted).
const char *findKey(const char *p, size_t n, std::string_view key)
{
    const char *end = p + n;
    const void *hit = memmem(p, n, key.data(), key.size());
    if (!hit)
        return nullptr;
    const char *v = static_cast<const char *>(hit) + key.size();
    return v <= end ? v : nullptr;
}
int64_t readInt(const char *v, const char *end)
{
    int64_t x = 0;
    bool neg = false;
    if (v < end && *v == '-') {
        neg = true;
        ++v;
    }
    while (v < end && *v >= '0' && *v <= '9')
        x = x * 10 + (*v++ - '0');
    return neg ? -x : x;
}
std::string_view readStr(const char *v, const char *end)
{
    const char *q = v;
    while (q < end && *q != '"')
        ++q;
    return {v, size_t(q - v)};
}

} // namespace

void Worker::onText(Conn &c, uint32_t i, const char *p, size_t n)
{
    const char *end = p + n;
    const char *t = findKey(p, n, "\"type\":\"");
    if (!t) {
        ++m_c.otherFrames;
        return;
    }
    const std::string_view type = readStr(t, end);
    if (type == "message")
        return onMessage(c, i, p, n);
    if (type == "notification")
        return onNotification(c, i, p, n);
    if (type == "hello")
        return onHello(c, i, p, n);
    if (type == "result")
        return onResult(c, p, n);
    if (type == "error") {
        ++m_c.errors;
        const char *m = findKey(p, n, "\"message\":\"");
        const std::string why =
            "error frame: " + std::string(m ? readStr(m, end) : std::string_view("?"));
        if (m_reasons.size() < 20 || m_reasons.count(why))
            ++m_reasons[why];
        if (m_sending)
            ++m_c.sendErrors;
        return;
    }
    ++m_c.otherFrames; // presence, online, member, typing, ...
}

void Worker::onMessage(Conn &c, uint32_t i, const char *p, size_t n)
{
    // Self-test of the checks (HERALD_BENCH_FAULT=drop|dup): lose or repeat one frame.
    if (m_fault && ++m_faultCount == 10) {
        if (m_fault == 'd')
            return;
        onMessage(c, i, p, n);
    }
    const char *end = p + n;
    const int64_t now = nowNs();
    const char *r = findKey(p, n, "\"room\":\"");
    const char *s = findKey(p, n, "\"seq\":");
    if (!r || !s) {
        ++m_c.otherFrames;
        return;
    }
    const std::string_view room = readStr(r, end);
    const int64_t seq = readInt(s, end);
    RoomPos *pos = nullptr;
    for (RoomPos &rp : c.rooms)
        if (rp.name == room)
            pos = &rp;
    if (!pos) {
        ++m_c.unknownRoom;
        return;
    }
    m_lastMsgNs = now;
    if (seq == pos->last + 1) {
        pos->last = seq;
        ++m_c.messages;
        if (c.resuming)
            ++c.resumeMsgs;
    } else if (seq <= pos->last) {
        ++m_c.duplicates;
        return;
    } else {
        ++m_c.gaps;
        m_c.lost += seq - pos->last - 1;
        pos->last = seq;
        ++m_c.messages;
    }
    if (m_chat)
        chatChecks(c, i, room, seq, p, n);
    // Live messages carry their send time: "text":"t<ns>"
    const char *tx = findKey(p, n, "\"text\":\"t");
    if (tx && !c.resuming)
        m_latency.add((now - readInt(tx, end)) / 1000);
}

void Worker::sendRead(Conn &c, uint32_t i, std::string_view room, int64_t seq)
{
    ++m_c.readsSent;
    c.readSentNs = nowNs();
    c.readPending = 0;
    sendText(c, i,
             "{\"type\":\"room.read\",\"id\":\"k\",\"room\":\"" + std::string(room) +
                 "\",\"seq\":" + std::to_string(seq) + "}");
}

void Worker::sendWaitingReads()
{
    const int64_t now = nowNs();
    if (m_readIntervalNs == 0 || now - m_readSweepNs < 10'000'000)
        return;
    m_readSweepNs = now;
    for (uint32_t i = 0; i < m_conns.size(); ++i) {
        Conn &c = m_conns[i];
        if (c.readPending > 0 && c.fd >= 0 && now - c.readSentNs >= m_readIntervalNs)
            sendRead(c, i, c.readRoom, c.readPending);
    }
}

void Worker::chatChecks(Conn &c, uint32_t i, std::string_view room, int64_t seq, const char *p,
                        size_t n)
{
    // As a chat client with the room open: the message is read as soon as it is shown, and
    // the position goes to the server at once, or (with a read interval, as herald-desktop
    // does) at most once per interval, the newest one.
    const int64_t now = nowNs();
    if (m_readIntervalNs == 0 || now - c.readSentNs >= m_readIntervalNs) {
        sendRead(c, i, room, seq);
    } else {
        c.readPending = seq;
        c.readRoom = std::string(room);
    }
    // The sender writes each @name followed by a space; the server must list exactly those.
    const char *end = p + n;
    const char *tx = findKey(p, n, "\"text\":\"");
    const std::string_view text = tx ? readStr(tx, end) : std::string_view();
    const bool named = text.find("@" + c.name + " ") != std::string_view::npos;
    bool listed = false;
    if (const char *ms = findKey(p, n, "\"mentions\":[")) {
        const char *close = static_cast<const char *>(memchr(ms, ']', size_t(end - ms)));
        const std::string_view list(ms, size_t((close ? close : end) - ms));
        listed = list.find("\"" + c.name + "\"") != std::string_view::npos;
    }
    m_c.mentionsExpected += named;
    m_c.mentionsMissing += named && !listed;
    m_c.mentionsExtra += listed && !named;
}

void Worker::onNotification(Conn &c, uint32_t i, const char *p, size_t n)
{
    // Self-test of the checks, as for messages: lose or repeat the tenth notification.
    if (m_fault && ++m_faultCount == 10) {
        if (m_fault == 'd')
            return;
        onNotification(c, i, p, n);
    }
    const char *end = p + n;
    const int64_t now = nowNs();
    const char *v = findKey(p, n, "\"id\":");
    if (!v) {
        ++m_c.otherFrames;
        return;
    }
    const int64_t id = readInt(v, end);
    if (id <= c.lastNotif) {
        ++m_c.notifDuplicates;
        return;
    }
    if (!m_notifSparse && c.notifCount > 0 && id != c.lastNotif + 1)
        ++m_c.notifGaps;
    c.lastNotif = id;
    ++c.notifCount;
    c.notifSum += id;
    ++m_c.notifications;
    auto &seen = m_notifSeen[id];
    ++seen.first;
    seen.second = std::max(seen.second, now);
    if (m_receipts) {
        // As herald-desktop: delivered on arrival, seen once its toast is on screen.
        const std::string ids = std::to_string(id);
        sendText(c, i,
                 "{\"type\":\"notif.ack\",\"id\":\"r\",\"ids\":[" + ids +
                     "],\"state\":\"delivered\"}");
        sendText(c, i,
                 "{\"type\":\"notif.ack\",\"id\":\"r\",\"ids\":[" + ids + "],\"state\":\"seen\"}");
    }
}

void Worker::onHello(Conn &c, uint32_t i, const char *p, size_t n)
{
    const QJsonObject hello =
        QJsonDocument::fromJson(QByteArray::fromRawData(p, qsizetype(n))).object();
    c.helloSeen = true;
    c.tHello = nowNs();
    c.name = hello.value(QLatin1String("user"))
                 .toObject()
                 .value(QLatin1String("name"))
                 .toString()
                 .toStdString();
    if (c.resuming)
        m_resumeHello.add((c.tHello - m_resumeT0) / 1000);
    else if (m_connectPending && c.inBatch)
        m_helloLatency.add((c.tHello - m_connectT0) / 1000);
    const bool resume = c.resuming;
    std::vector<RoomPos> rooms;
    for (const QJsonValue &v : hello.value(QLatin1String("rooms")).toArray()) {
        const QJsonObject o = v.toObject();
        RoomPos rp;
        rp.name = o.value(QLatin1String("name")).toString().toStdString();
        rp.target = o.value(QLatin1String("lastSeq")).toInteger();
        rp.last = rp.target;
        for (const RoomPos &old : c.rooms)
            if (old.name == rp.name && resume)
                rp.last = old.last; // keep what we saw: the resume asks from there
        rooms.push_back(rp);
    }
    c.rooms = std::move(rooms);
    if (!resume) {
        c.lastNotif = hello.value(QLatin1String("notifSeq")).toInteger();
        c.notifCount = 0;
        c.notifSum = 0;
    }
    m_dirty = true;
    if (resume) {
        std::string f = "{\"type\":\"resume\",\"id\":\"res\",\"rooms\":{";
        bool first = true;
        for (const RoomPos &rp : c.rooms) {
            if (!first)
                f += ',';
            first = false;
            f += "\"" + rp.name + "\":" + std::to_string(rp.last);
        }
        f += "}}";
        sendText(c, i, f);
    }
}

void Worker::onResult(Conn &c, const char *p, size_t n)
{
    const char *end = p + n;
    const char *v = findKey(p, n, "\"id\":\"");
    if (!v) {
        ++m_c.otherFrames;
        return;
    }
    const std::string_view id = readStr(v, end);
    if (id == "r") {
        ++m_c.receiptAnswers;
        m_dirty = true;
        return;
    }
    if (id == "k") {
        ++m_c.readAnswers;
        return;
    }
    if (id == "res") {
        const QJsonObject o =
            QJsonDocument::fromJson(QByteArray::fromRawData(p, qsizetype(n))).object();
        const QJsonObject cursors =
            o.value(QLatin1String("data")).toObject().value(QLatin1String("rooms")).toObject();
        bool ok = true;
        for (const RoomPos &rp : c.rooms) {
            if (rp.last != rp.target)
                ok = false;
            const QJsonValue cur = cursors.value(QString::fromStdString(rp.name));
            if (!cur.isUndefined() && cur.toInteger() != rp.last)
                ok = false;
        }
        if (!ok) {
            if (m_reasons.size() < 20 || m_reasons.count("resume result before catching up"))
                ++m_reasons["resume result before catching up"];
        }
        c.caughtUp = true;
        c.resuming = false;
        c.tCaught = nowNs();
        m_catchUp.add((c.tCaught - m_resumeT0) / 1000);
        m_dirty = true;
        return;
    }
    if (!id.empty() && id[0] == 's') {
        const int64_t k = readInt(id.data() + 1, id.data() + id.size());
        auto it = m_sentAt.find(k);
        if (it != m_sentAt.end()) {
            m_ackLatency.add((nowNs() - it->second) / 1000);
            m_sentAt.erase(it);
        }
        ++m_c.acks;
        m_dirty = true;
    }
}

} // namespace bench::worker
