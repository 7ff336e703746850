#include "filehandler.h"

#include "core/hub.h"
#include "frontserver.h"
#include "httpapi.h"
#include "requesthead.h"

#include <herald/protocol.h>

#include <QFile>
#include <QHttpServerRequest>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcFileHttp, "herald.files.http")

namespace herald {

namespace {

const char DefaultType[] = "application/octet-stream";

QByteArray errorBody(const char *code, const QString &message, const QString &field = {})
{
    QJsonObject e{{QStringLiteral("code"), QString::fromLatin1(code)},
                  {QStringLiteral("message"), message}};
    if (!field.isEmpty())
        e.insert(QStringLiteral("field"), field);
    return QJsonDocument(QJsonObject{{QStringLiteral("error"), e}}).toJson(QJsonDocument::Compact);
}

/** @brief Answers an upload and closes. With the body not read (a refusal before it), what
 *  still comes is read and dropped for a moment first: closing with unread input makes the
 *  kernel send a reset, which can destroy the answer before the client reads it. */
void answerUpload(QTcpSocket *socket, int status, const QByteArray &body, bool bodyUnread)
{
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return;
    QObject::disconnect(socket, &QIODevice::readyRead, nullptr, nullptr);
    socket->write(
        "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
        "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" + body);
    if (!bodyUnread)
        return socket->disconnectFromHost();
    socket->readAll();
    QObject::connect(socket, &QIODevice::readyRead, socket, [socket] { socket->readAll(); });
    QTimer::singleShot(FrontServer::RefusalLingerMs, socket,
                       [socket] { socket->disconnectFromHost(); });
}

QString bearerOf(const QByteArray &authorization)
{
    if (authorization.size() <= 7 || authorization.left(7).toLower() != "bearer ")
        return {};
    return QString::fromLatin1(authorization.mid(7).trimmed());
}

/**
 * One upload on its connection (a child of the socket, so it goes with it): waits for the
 * token's check, then takes the body as it arrives into a FileStore::Upload. A connection that
 * ends before the body is complete takes the unfinished upload with it (its temporary file
 * goes). The front's request deadline counts from the last bytes that came.
 */
class Receiver : public QObject
{
public:
    Receiver(QTcpSocket *socket, Hub *hub, qint64 length, QString name, QString type)
        : QObject(socket)
        , m_socket(socket)
        , m_hub(hub)
        , m_remaining(length)
        , m_name(std::move(name))
        , m_type(std::move(type))
        , m_deadline(socket->findChild<RequestDeadline *>(
              QLatin1String(FrontServer::DeadlineTimerName), Qt::FindDirectChildrenOnly))
    {
    }

    void start(const QString &bearer)
    {
        QPointer<Receiver> self(this);
        m_hub->personForToken(bearer, m_socket->peerAddress().toString(), [self](qint64 userId) {
            if (self)
                self->authorized(userId);
        });
    }

private:
    void authorized(qint64 userId)
    {
        if (!userId)
            return answerUpload(m_socket, 401,
                                errorBody(proto::Err::Unauthorized,
                                          QStringLiteral("a person's session token is required")),
                                true);
        if (!m_hub->storageWritable())
            return answerUpload(m_socket, 503,
                                errorBody(proto::Err::Unavailable,
                                          QStringLiteral("storage cannot take writes right now; "
                                                         "try again later")),
                                true);
        QString why;
        m_upload = m_hub->files()->begin(&why);
        if (!m_upload) {
            qCWarning(lcFileHttp).noquote() << "cannot start an upload:" << why;
            return answerUpload(m_socket, 507,
                                errorBody(proto::Err::Unavailable,
                                          QStringLiteral("the file store cannot take files now")),
                                true);
        }
        m_userId = userId;
        connect(m_socket, &QIODevice::readyRead, this, &Receiver::pump);
        pump();
    }

    void pump()
    {
        if (!m_upload)
            return;
        bool progress = false;
        while (m_remaining > 0 && m_socket->bytesAvailable() > 0) {
            const QByteArray chunk =
                m_socket->read(std::min<qint64>(m_remaining, FileHandler::ChunkBytes));
            if (chunk.isEmpty())
                break;
            progress = true;
            m_remaining -= chunk.size();
            if (!m_upload->write(chunk.constData(), chunk.size())) {
                qCWarning(lcFileHttp).noquote() << "cannot write an upload:" << m_upload->error();
                m_upload.reset();
                return answerUpload(
                    m_socket, 507,
                    errorBody(proto::Err::Unavailable,
                              QStringLiteral("the file store has no room for this file")),
                    m_remaining > 0);
            }
        }
        if (progress && m_deadline && m_remaining > 0)
            m_deadline->start(); // the deadline counts from the last bytes that came
        if (m_remaining > 0)
            return;
        if (m_deadline)
            m_deadline->stop();
        disconnect(m_socket, &QIODevice::readyRead, this, nullptr);
        QPointer<QTcpSocket> s = m_socket;
        const QString name = m_name;
        m_hub->files()->finish(
            std::move(m_upload), m_userId, m_type, this, [s, name](StoreResult<FileRow> r) {
                if (const StoreError *e = std::get_if<StoreError>(&r)) {
                    const bool busy = e->code == QLatin1String(proto::Err::Unavailable);
                    return answerUpload(
                        s, busy ? 503 : 500,
                        errorBody(busy ? proto::Err::Unavailable : proto::Err::Internal,
                                  e->message),
                        false);
                }
                const FileRow &f = std::get<FileRow>(r);
                answerUpload(s, 201,
                             QJsonDocument(QJsonObject{{QStringLiteral("id"), f.id},
                                                       {QStringLiteral("name"), name},
                                                       {QStringLiteral("size"), f.size},
                                                       {QStringLiteral("type"), f.type}})
                                 .toJson(QJsonDocument::Compact),
                             false);
            });
    }

    QTcpSocket *m_socket;
    Hub *m_hub;
    qint64 m_remaining;
    QString m_name;
    QString m_type;
    QPointer<RequestDeadline> m_deadline;
    qint64 m_userId = 0;
    std::unique_ptr<FileStore::Upload> m_upload;
};

/** @brief Writes a file to a download's connection as it drains, then closes it; a reader that
 *  takes nothing for the request deadline is cut off. A child of the socket. */
class Sender : public QObject
{
public:
    Sender(QTcpSocket *socket, const QString &path, int stallMs)
        : QObject(socket)
        , m_socket(socket)
        , m_file(path)
    {
        m_stall.setSingleShot(true);
        m_stall.setInterval(stallMs);
        connect(&m_stall, &QTimer::timeout, this, [this] { m_socket->abort(); });
    }
    bool open() { return m_file.open(QIODevice::ReadOnly); }
    void start()
    {
        connect(m_socket, &QIODevice::bytesWritten, this, &Sender::fill);
        fill();
    }

private:
    void fill()
    {
        m_stall.start();
        while (m_socket->bytesToWrite() < FileHandler::SendAhead && !m_file.atEnd()) {
            const QByteArray chunk = m_file.read(FileHandler::ChunkBytes);
            if (chunk.isEmpty())
                break;
            m_socket->write(chunk);
        }
        if (m_file.atEnd() || m_file.error() != QFileDevice::NoError) {
            disconnect(m_socket, &QIODevice::bytesWritten, this, nullptr);
            m_socket->disconnectFromHost(); // after what is queued is written
        }
    }

    QTcpSocket *m_socket;
    QFile m_file;
    QTimer m_stall;
};

/** @brief RFC 8187 encoding of a header parameter value (filename*=UTF-8''...). */
QByteArray extValue(const QString &text)
{
    return text.toUtf8().toPercentEncoding("!#$&+^`|");
}

} // namespace

FileHandler::FileHandler(Hub *hub, QObject *parent)
    : QObject(parent)
    , m_hub(hub)
{
}

bool FileHandler::takes(const RequestHead &head)
{
    return head.method == "POST" && head.path == "/api/v1/files";
}

void FileHandler::upload(QTcpSocket *socket, const RequestHead &head)
{
    // Nothing waits unread in memory beyond this: the kernel holds the rest (TCP flow control).
    socket->setReadBufferSize(SendAhead);
    const qint64 max = m_hub->config().fileMaxBytes;
    if (head.transferEncodings > 0 || head.contentLength < 0)
        return answerUpload(socket, 411,
                            errorBody(proto::Err::MissingField,
                                      QStringLiteral("an upload needs Content-Length (the file's "
                                                     "size); chunked bodies are not taken"),
                                      QStringLiteral("Content-Length")),
                            head.hasBody());
    if (head.contentLength > max)
        return answerUpload(socket, 413,
                            errorBody(proto::Err::TooLarge,
                                      QStringLiteral("the file is larger than %1 bytes").arg(max),
                                      QStringLiteral("Content-Length")),
                            true);
    const QUrlQuery query(QUrl::fromEncoded(head.target, QUrl::TolerantMode));
    const QString name = query.queryItemValue(QStringLiteral("name"), QUrl::FullyDecoded);
    if (!FileStore::isValidName(name))
        return answerUpload(socket, 400,
                            errorBody(proto::Err::BadValue,
                                      QStringLiteral("name must be 1-255 characters without '/' "
                                                     "or control characters (percent-encoded)"),
                                      QStringLiteral("name")),
                            head.hasBody());
    const QByteArray contentType = head.headers.value("content-type").trimmed();
    const QString type =
        QString::fromLatin1(contentType.isEmpty() ? QByteArray(DefaultType) : contentType);
    if (!FileStore::isValidType(type))
        return answerUpload(socket, 400,
                            errorBody(proto::Err::BadValue,
                                      QStringLiteral("Content-Type must be a media type "
                                                     "(type/subtype)"),
                                      QStringLiteral("Content-Type")),
                            head.hasBody());
    auto *receiver = new Receiver(socket, m_hub, head.contentLength, name, type);
    receiver->start(bearerOf(head.headers.value("authorization")));
}

void FileHandler::download(const QHttpServerRequest &request, QTcpSocket *socket, const QString &id,
                           bool headOnly)
{
    const auto notFound = [](QTcpSocket *s) {
        // The same answer for a file that does not exist and one that is not the asker's.
        writeError(s, 404, QString::fromLatin1(proto::Err::NotFound),
                   QStringLiteral("no such file"));
    };
    const QString bearer = bearerOf(request.value(QByteArrayLiteral("authorization")));
    QPointer<QTcpSocket> s = socket;
    QPointer<FileHandler> self(this);
    m_hub->personForToken(bearer, socket->peerAddress().toString(), [=, this](qint64 userId) {
        if (!s || !self)
            return;
        if (!userId)
            return writeError(s, 401, QString::fromLatin1(proto::Err::Unauthorized),
                              QStringLiteral("a person's session token is required"));
        if (!FileStore::isFileId(id))
            return notFound(s);
        FileStore *files = m_hub->files();
        const QString path = files->pathOf(id);
        files->readable(id, userId, this, [=, this](std::optional<ReadableFile> found) {
            if (!s)
                return;
            if (!found)
                return notFound(s);
            auto *sender = new Sender(s, path, m_hub->config().requestTimeout * 1000);
            if (!sender->open()) {
                delete sender;
                return notFound(s);
            }
            const QString name = found->name.isEmpty() ? found->file.id : found->name;
            // A download is never shown by a browser in place (attachment, nosniff, sandbox):
            // the bytes are whatever a person uploaded.
            const QByteArray head =
                "HTTP/1.1 200 OK\r\nContent-Type: " + found->file.type.toLatin1() +
                "\r\nContent-Length: " + QByteArray::number(found->file.size) +
                "\r\nContent-Disposition: attachment; filename*=UTF-8''" + extValue(name) +
                "\r\nCache-Control: private\r\nX-Content-Type-Options: nosniff\r\n"
                "Content-Security-Policy: sandbox\r\n";
            if (beginAnswer(s, true) == AnswerEnd::Drop) {
                delete sender;
                return;
            }
            s->write(head + "Connection: close\r\n\r\n");
            if (headOnly) {
                delete sender;
                return s->disconnectFromHost();
            }
            sender->start();
        });
    });
}

} // namespace herald
