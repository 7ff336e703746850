// Search over the messages of the person's rooms and direct messages (room.search): the hits of
// one query, newest first, one page at a time.
#pragma once

#include "session.h"

#include <QAbstractListModel>
#include <QDateTime>
#include <QJsonObject>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

/** @brief The hits of a message search, newest first, with "more" paged in on demand. */
class SearchResultsModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    /** @brief Whose rooms are searched: its connection asks, its names and rooms are shown. */
    Q_PROPERTY(Session *session READ session WRITE setSession NOTIFY sessionChanged)
    /** @brief The query of the hits shown (empty: none asked). */
    Q_PROPERTY(QString query READ query NOTIFY queryChanged)
    /** @brief A page is being asked for. */
    Q_PROPERTY(bool busy READ busy NOTIFY stateChanged)
    /** @brief The server has older hits (loadMore() asks for them). */
    Q_PROPERTY(bool hasMore READ hasMore NOTIFY stateChanged)
    /** @brief The first page of the query has arrived (so "no results" means no results). */
    Q_PROPERTY(bool searched READ searched NOTIFY stateChanged)
    /** @brief Why the last search failed, in words (empty: it did not). */
    Q_PROPERTY(QString errorText READ errorText NOTIFY stateChanged)
    /** @brief The longest query the server takes (MaxQueryLength). */
    Q_PROPERTY(int maxQueryLength READ maxQueryLength CONSTANT)

public:
    /** @brief The longest query the server takes (UTF-16 code units). */
    static constexpr int MaxQueryLength = 256;
    /** @brief Hits per page. */
    static constexpr int PageSize = 20;

    enum Roles {
        RoomRole = Qt::UserRole + 1, ///< the room's server name
        RoomDisplayRole,             ///< what to call the room (the other person of a DM)
        SeqRole,                     ///< the message's sequence number in its room
        AuthorRole,                  ///< login name of the sender
        AuthorDisplayRole,           ///< human name of the sender
        TextRole,                    ///< the whole text
        SnippetRole,                 ///< the server's excerpt of a long text, or the text
        TimeRole,                    ///< QDateTime
        HighlightedRole,             ///< the excerpt as styled text, the query's words in bold
    };
    Q_ENUM(Roles)

    struct Hit
    {
        QString room;
        qint64 seq = 0;
        QString from;
        QString text;
        QString snippet;
        QDateTime ts;
    };

    explicit SearchResultsModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    /** @brief Asks for the first page of hits of @p query (a blank one clears the results). */
    Q_INVOKABLE void search(const QString &query);
    /** @brief Asks for the next page of the current query. */
    Q_INVOKABLE void loadMore();
    /** @brief Forgets the query and its hits. */
    Q_INVOKABLE void clear();
    /** @brief The hit of a row (0 <= row < rowCount()). */
    [[nodiscard]] const Hit &at(int row) const { return m_hits.at(row); }

    /** @brief Shows the data of a room.search answer for @p query: the first page replaces the
     *  hits, a later one (@p append) adds to them. (Invokable for QML tests that play the
     *  server.) */
    Q_INVOKABLE void applyPage(const QString &query, const QJsonObject &data, bool append);
    /** @brief The search failed: code and message of the server's error (or "disconnected"). */
    void applyError(const QString &code, const QString &field, const QString &message);

    /** @brief The words of a query as the server cuts it: runs of letters, marks and digits. */
    [[nodiscard]] static QStringList words(const QString &query);
    /** @brief Text as Qt Quick styled text (HTML-escaped), each place where a word of @p words
     *  starts a word of the text in bold, line breaks kept. */
    [[nodiscard]] static QString highlight(const QString &text, const QStringList &words);

    [[nodiscard]] Session *session() const { return m_session; }
    void setSession(Session *session);
    [[nodiscard]] QString query() const { return m_query; }
    [[nodiscard]] bool busy() const { return m_busy; }
    [[nodiscard]] bool hasMore() const { return !m_next.isEmpty(); }
    [[nodiscard]] bool searched() const { return m_searched; }
    [[nodiscard]] QString errorText() const { return m_error; }
    [[nodiscard]] static int maxQueryLength() { return MaxQueryLength; }

Q_SIGNALS:
    void sessionChanged();
    void queryChanged();
    void stateChanged();

private:
    void request(const QString &before);

    QPointer<Session> m_session;
    QList<Hit> m_hits;
    QString m_query;
    QStringList m_words;
    QString m_next; // the cursor of the next page (empty: none)
    QString m_error;
    bool m_busy = false;
    bool m_searched = false;
    quint64 m_generation = 0; // answers to an older query (or before clear()) are dropped
};
