#pragma once
// A tiny HTTP receiver for webhook tests (tst_notifications, tst_webhook_deadletter).
#include <QHash>
#include <QList>
#include <QTcpServer>
#include <QTcpSocket>

namespace testkit {

/** Answers the first `failFirst` requests with 500, then 200. */
class Receiver : public QTcpServer
{
public:
    explicit Receiver(int failFirst)
        : m_fail(failFirst)
    {
        listen(QHostAddress::LocalHost);
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, s, [this, s] {
                    m_buffers[s] += s->readAll();
                    const QByteArray &b = m_buffers[s];
                    const qsizetype end = b.indexOf("\r\n\r\n");
                    if (end < 0)
                        return;
                    const qsizetype cl = b.toLower().indexOf("content-length:");
                    const int len =
                        cl >= 0 ? b.mid(cl + 15, b.indexOf("\r\n", cl) - cl - 15).trimmed().toInt()
                                : 0;
                    if (b.size() < end + 4 + len)
                        return;
                    requests << b;
                    const bool fail = requests.size() <= m_fail;
                    s->write(
                        fail ? "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                             : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    s->disconnectFromHost();
                });
            }
        });
    }
    static QByteArray header(const QByteArray &request, const QByteArray &name)
    {
        for (const QByteArray &line : request.left(request.indexOf("\r\n\r\n")).split('\n'))
            if (line.toLower().startsWith(QByteArray(name.toLower()).append(':')))
                return line.mid(name.size() + 1).trimmed();
        return {};
    }
    static QByteArray body(const QByteArray &request)
    {
        return request.mid(request.indexOf("\r\n\r\n") + 4);
    }
    QList<QByteArray> requests;
    int m_fail; ///< requests answered 500 before the first 200 (tests may change it)

private:
    QHash<QTcpSocket *, QByteArray> m_buffers;
};
} // namespace testkit
