// Fuzz target for the server's RFC 6455 frame reader (server/net/wsframes.cpp), which reads
// every byte a plain WebSocket client sends. The first input byte chooses how the rest is cut
// into reads; the rest is what the client sent.
//
// Besides crashes and sanitizer reports, the target aborts when an invariant breaks:
//   - the events do not depend on how the bytes were cut into reads (all at once, byte by byte,
//     and in pieces of the chosen size give the same events);
//   - nothing comes after a Close or Fail event, and a Fail carries 1002, 1007 or 1009;
//   - a message is never over the cap, a Text message is valid UTF-8 by Qt's own check, and a
//     Close code is one a peer may send;
//   - the reader never holds more than one frame and one message under the cap;
//   - ws::Utf8Check agrees with QByteArray::isValidUtf8() on the whole input.
//
// Built twice, like fuzz_hub: by tests/fuzz/libfuzzer for fuzzing, and into
// tst_fuzz_wsframes_replay, which replays tests/fuzz/wsframes/{corpus,regressions}.
#include "net/wsframes.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace herald;

namespace {
constexpr qint64 Max = 1024;

[[noreturn]] void violated(const char *what)
{
    std::fprintf(stderr, "fuzz_wsframes: invariant violated: %s\n", what);
    std::abort();
}

std::vector<ws::Event> run(const char *data, qsizetype size, qsizetype piece)
{
    ws::FrameReader reader(Max);
    std::vector<ws::Event> events;
    for (qsizetype at = 0; at < size; at += piece) {
        const size_t before = events.size();
        reader.feed(data + at, std::min(piece, size - at), events);
        if (reader.held() > 2 * Max + 14)
            violated("the reader holds more than a frame and a message");
        if (before > 0 &&
            (events[before - 1].kind == ws::Event::Close ||
             events[before - 1].kind == ws::Event::Fail) &&
            events.size() != before)
            violated("an event after Close or Fail");
    }
    return events;
}

bool same(const std::vector<ws::Event> &a, const std::vector<ws::Event> &b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].kind != b[i].kind || a[i].payload != b[i].payload || a[i].code != b[i].code ||
            a[i].reason != b[i].reason)
            return false;
    return true;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const qsizetype piece = 1 + data[0] % 64;
    const auto *bytes = reinterpret_cast<const char *>(data + 1);
    const auto n = static_cast<qsizetype>(size - 1);

    const std::vector<ws::Event> whole = run(bytes, n, n > 0 ? n : 1);
    if (!same(whole, run(bytes, n, 1)) || !same(whole, run(bytes, n, piece)))
        violated("the events depend on how the bytes were cut into reads");
    for (size_t i = 0; i < whole.size(); ++i) {
        const ws::Event &e = whole[i];
        if ((e.kind == ws::Event::Close || e.kind == ws::Event::Fail) && i + 1 != whole.size())
            violated("an event after Close or Fail");
        switch (e.kind) {
        case ws::Event::Text:
            if (!e.payload.isValidUtf8())
                violated("a text message that is not UTF-8");
            [[fallthrough]];
        case ws::Event::Binary:
            if (e.payload.size() > Max)
                violated("a message over the cap");
            break;
        case ws::Event::Ping:
        case ws::Event::Pong:
            if (e.payload.size() > 125)
                violated("a control frame over 125 bytes");
            break;
        case ws::Event::Close:
            if (e.code != 0 && !ws::validCloseCode(e.code))
                violated("a close code a peer may not send");
            break;
        case ws::Event::Fail:
            if (e.code != 1002 && e.code != 1007 && e.code != 1009)
                violated("a failure with an unexpected close code");
            break;
        }
    }

    ws::Utf8Check check;
    const bool ok = check.feed(bytes, n) && check.complete();
    if (ok != QByteArray::fromRawData(bytes, n).isValidUtf8())
        violated("ws::Utf8Check and QByteArray::isValidUtf8 disagree");
    return 0;
}
