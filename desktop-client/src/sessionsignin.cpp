// Session, the part that signs in and out: password and token sign-in, restoring the stored
// credential, starting a connection, signing out, and a refused sign-in (the rest of the class
// is in session.cpp).
#include "chatroom.h"
#include "session.h"

#include <QJSEngine>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QPointer>

using namespace Qt::StringLiterals;
namespace proto = herald::proto;

void Session::signIn(const QString &server, const QString &username, const QString &password)
{
    const QUrl base = Connection::httpUrl(server);
    if (!base.isValid() || base.isEmpty()) {
        setError(tr("Enter the server address, like https://herald.example.com"));
        return;
    }
    if (username.trimmed().isEmpty() || password.isEmpty()) {
        setError(tr("Enter your user name and password."));
        return;
    }
    m_connection.close();
    resetData();
    setError({});
    m_token.clear();
    setStatus(SigningIn);
    QUrl url = base;
    url.setPath(u"/api/v1/login"_s);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    request.setTransferTimeout(15000);
    request.setSslConfiguration(Connection::tlsConfiguration(m_settings.caFile()));
    const QJsonObject body{{u"username"_s, username.trimmed()}, {u"password"_s, password}};
    QNetworkReply *reply =
        m_network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    connect(reply, &QNetworkReply::finished, this, [this, reply, server] {
        reply->deleteLater();
        if (m_status != SigningIn || !m_token.isEmpty())
            return;
        const int httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
        if (httpStatus == 200 && !answer.value("token"_L1).toString().isEmpty()) {
            m_credentialSaved = false;
            start(server, answer.value("token"_L1).toString(),
                  answer.value("user"_L1).toObject().value("name"_L1).toString(), true);
            return;
        }
        if (httpStatus == 401)
            setError(tr("Wrong user name or password."));
        else if (httpStatus == 0)
            setError(tr("Cannot reach the server: %1").arg(reply->errorString()));
        else
            setError(
                answer.value("error"_L1)
                    .toObject()
                    .value("message"_L1)
                    .toString(tr("The server refused the sign-in (HTTP %1).").arg(httpStatus)));
        setStatus(SignedOut);
    });
}

void Session::signInWithToken(const QString &server, const QString &token)
{
    const QUrl base = Connection::httpUrl(server);
    if (!base.isValid() || base.isEmpty()) {
        setError(tr("Enter the server address, like https://herald.example.com"));
        return;
    }
    if (token.trimmed().isEmpty()) {
        setError(tr("Paste a token."));
        return;
    }
    m_connection.close();
    resetData();
    setError({});
    m_credentialSaved = false;
    start(server, token.trimmed(), {}, true);
}

void Session::connectWithToken(const QString &server, const QString &token)
{
    m_connection.close();
    resetData();
    setError({});
    m_credentialSaved = false;
    start(server, token.trimmed(), {}, false);
}

void Session::restore()
{
    if (m_settings.server().isEmpty()) {
        setStatus(SignedOut);
        return;
    }
    m_token.clear();
    setStatus(SigningIn);
    m_credentials.load(m_settings.server());
}

void Session::start(const QString &server, const QString &token, const QString &user,
                    bool interactive)
{
    m_interactive = interactive;
    m_server = Connection::httpUrl(server).toString();
    m_token = token;
    if (!user.isEmpty() && user != m_userName) {
        m_userName = user;
        Q_EMIT userChanged();
    }
    m_hadHello = false;
    m_settings.setServer(m_server);
    m_connection.setServer(m_server);
    m_connection.setToken(m_token);
    m_connection.setCaFile(m_settings.caFile());
    setStatus(SigningIn);
    m_connection.open();
}

void Session::signOut()
{
    m_connection.close();
    if (!m_server.isEmpty() && !m_token.isEmpty())
        revokeOnServer(m_server, m_token);
    if (!m_server.isEmpty())
        m_credentials.remove(m_server);
    m_token.clear();
    m_attachments.clear(); // the next person to sign in here sees none of these files
    resetData();
    setError({});
    setStatus(SignedOut);
}

void Session::revokeOnServer(const QString &server, const QString &token)
{
    // Best effort: signing out never waits for the server. An unreachable server keeps the token
    // until it expires (session_idle_days) or an administrator revokes it; this device forgets
    // it either way.
    QUrl url = Connection::httpUrl(server);
    url.setPath(u"/api/v1/logout"_s);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    request.setTransferTimeout(10000);
    request.setSslConfiguration(Connection::tlsConfiguration(m_settings.caFile()));
    QNetworkReply *reply = m_network.post(request, QByteArray());
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        Q_EMIT signedOutOnServer(status == 200);
    });
}

void Session::onAuthRejected(int code, const QString &)
{
    QString message;
    switch (code) {
    case proto::Close::TokenRevoked:
        message = tr("Your session was revoked. Please sign in again.");
        break;
    case proto::Close::SessionExpired:
        message = tr("Your session expired because it was not used for a long time. Please sign "
                     "in again.");
        break;
    case proto::Close::UserDisabled:
        message = tr("Your account is disabled. Contact your administrator.");
        break;
    default:
        message = m_hadHello
                      ? tr("The server no longer accepts your sign-in. Please sign in again.")
                      : tr("The server did not accept the sign-in. Please sign in again.");
        break;
    }
    // A refused token is useless: forget it so the next start asks instead of failing again.
    if (!m_server.isEmpty())
        m_credentials.remove(m_server);
    m_token.clear();
    m_attachments.clear();
    resetData();
    setError(message);
    setStatus(SignedOut);
}
