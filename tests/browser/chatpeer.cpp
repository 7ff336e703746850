// herald-chatpeer: the Qt client the browser tests chat with. A QWebSocket that authenticates at
// the handshake (Authorization: Bearer, as herald-desktop does), prints every frame it receives
// as one JSON line on stdout, and sends each line read from stdin to ROOM as a chat message
// (msg.send with a fresh clientId, a UUID); the line "/history" asks for the room's newest 200
// messages instead (room.history, id "history"), and "/raw {...}" sends the JSON frame after it
// as it is (an edit, a reaction, a deletion: the test writes its id). Prints
// {"type":"closed","code":N} and exits when the server closes the connection.
//
//   herald-chatpeer ws://127.0.0.1:PORT/ws TOKEN ROOM
#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QSocketNotifier>
#include <QUuid>
#include <QWebSocket>

#include <cstdio>
#include <unistd.h>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() != 4) {
        std::fprintf(stderr, "usage: herald-chatpeer WS_URL TOKEN ROOM\n");
        return 2;
    }
    const QString room = args.at(3);
    QWebSocket ws;
    QNetworkRequest request{QUrl(args.at(1))};
    request.setRawHeader("Authorization", "Bearer " + args.at(2).toUtf8());
    request.setRawHeader("Sec-WebSocket-Protocol", "herald.v1");

    auto print = [](const QByteArray &line) {
        std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
        std::fputc('\n', stdout);
        std::fflush(stdout);
    };
    QObject::connect(&ws, &QWebSocket::textMessageReceived, &app,
                     [&](const QString &text) { print(text.toUtf8()); });
    QObject::connect(&ws, &QWebSocket::disconnected, &app, [&] {
        print(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("closed")},
                                        {QStringLiteral("code"), int(ws.closeCode())}})
                  .toJson(QJsonDocument::Compact));
        QCoreApplication::exit(0);
    });

    int next = 0;
    QByteArray input;
    QSocketNotifier stdinReady(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&stdinReady, &QSocketNotifier::activated, &app, [&] {
        char buf[4096];
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n <= 0) { // the test closed our stdin: done
            stdinReady.setEnabled(false);
            ws.close();
            return;
        }
        input.append(buf, n);
        for (qsizetype end = input.indexOf('\n'); end >= 0; end = input.indexOf('\n')) {
            const QString text = QString::fromUtf8(input.left(end));
            input.remove(0, end + 1);
            if (text == QLatin1String("/history")) {
                const QJsonObject frame{{QStringLiteral("type"), QStringLiteral("room.history")},
                                        {QStringLiteral("id"), QStringLiteral("history")},
                                        {QStringLiteral("room"), room},
                                        {QStringLiteral("limit"), 200}};
                ws.sendTextMessage(
                    QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
                continue;
            }
            if (text.startsWith(QLatin1String("/raw "))) {
                ws.sendTextMessage(text.mid(5));
                continue;
            }
            ++next;
            const QJsonObject frame{
                {QStringLiteral("type"), QStringLiteral("msg.send")},
                {QStringLiteral("id"), next},
                {QStringLiteral("room"), room},
                {QStringLiteral("clientId"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
                {QStringLiteral("text"), text}};
            ws.sendTextMessage(
                QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
        }
    });
    ws.open(request);
    return QCoreApplication::exec();
}
