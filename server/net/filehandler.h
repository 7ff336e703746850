#pragma once

#include "core/features/filestore.h"

#include <QObject>
#include <QPointer>

class QHttpServerRequest;
class QTcpSocket;

namespace herald {

class Hub;
struct RequestHead;

/**
 * @brief The HTTP side of file attachments (docs/api.md, "Files"): `POST /api/v1/files` takes
 * the raw bytes of one file and `GET|HEAD /api/v1/files/{id}` gives them back, both with a
 * person's session token. Neither holds a file in memory: an upload is taken from the socket
 * as it arrives (the front hands the connection over right after the request head, ahead of
 * QtHttpServer, which would buffer the body) and streamed into the store; a download is read
 * from disk in chunks as the socket drains. Both answers close the connection.
 */
class FileHandler : public QObject
{
    Q_OBJECT
public:
    explicit FileHandler(Hub *hub, QObject *parent = nullptr);

    /** @brief True for the request heads this handler takes from the front (uploads). */
    [[nodiscard]] static bool takes(const RequestHead &head);
    /** @brief An upload: the head was read and checked by the front, and the socket's buffer
     *  starts at the body. The handler owns the connection from here. */
    void upload(QTcpSocket *socket, const RequestHead &head);
    /** @brief GET (or HEAD: headOnly) /api/v1/files/{id}, routed by HttpApi. */
    void download(const QHttpServerRequest &request, QTcpSocket *socket, const QString &id,
                  bool headOnly);

    /** @brief Download chunk size, and how much may wait in the socket's buffer. */
    static constexpr qint64 ChunkBytes = 64 * 1024;
    static constexpr qint64 SendAhead = 256 * 1024;

private:
    Hub *m_hub;
};

} // namespace herald
