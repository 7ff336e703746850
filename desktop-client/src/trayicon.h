// The system tray entry: an icon that shows the connection state and a badge with the unread
// count, and a menu for the windows, do not disturb, sign out and quit.
#pragma once

#include <QImage>
#include <QObject>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

#include <memory>

class ChatRoom;
class QAction;
class QMenu;
class QSystemTrayIcon;
class Session;

/** @brief QSystemTrayIcon driven by a Session; QML reacts to its requests. */
class TrayIcon : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    /** @brief The session whose state and unread count the icon shows. */
    Q_PROPERTY(Session *session READ session WRITE setSession NOTIFY sessionChanged)
    /** @brief A tray host is running (under Xvfb only once `trayer` or similar is up). */
    Q_PROPERTY(bool available READ available NOTIFY availableChanged)
    /** @brief The tooltip text, also what screen readers get. */
    Q_PROPERTY(QString toolTip READ toolTip NOTIFY toolTipChanged)

public:
    /** @brief What the icon looks like. */
    enum class Look { Offline, Connecting, Online };

    explicit TrayIcon(QObject *parent = nullptr);
    ~TrayIcon() override;

    /** @brief Draws the icon: a bell on a disc coloured by state, a red badge with the count. */
    [[nodiscard]] static QImage render(int size, Look look, int unread, bool doNotDisturb);
    /** @brief "9+" style text for the badge. */
    [[nodiscard]] static QString badgeText(int unread);

    [[nodiscard]] Session *session() const { return m_session; }
    void setSession(Session *session);
    [[nodiscard]] bool available() const;
    [[nodiscard]] QString toolTip() const { return m_toolTip; }
    /** @brief The image the tray shows now (tests). */
    [[nodiscard]] QImage currentImage() const { return m_image; }
    /** @brief The menu (tests read its entries). */
    [[nodiscard]] QMenu *menu() const { return m_menu.get(); }
    /** @brief What a left click does: opens what is unread (tests call it directly). */
    void trigger();

Q_SIGNALS:
    void sessionChanged();
    void availableChanged();
    void toolTipChanged();
    /** @brief Clicked with nothing unread: show the main window. */
    void activated();
    /** @brief Open this conversation (a click with unread messages, or its menu entry). */
    void roomRequested(ChatRoom *room);
    void notificationsRequested();
    void chatRequested();
    void quitRequested();

private:
    void refresh();
    [[nodiscard]] Look look() const;

    QPointer<Session> m_session;
    std::unique_ptr<QMenu> m_menu;
    std::unique_ptr<QSystemTrayIcon> m_tray;
    QAction *m_status = nullptr;
    QAction *m_notifications = nullptr;
    QAction *m_chat = nullptr;
    QAction *m_chatsEnd = nullptr; // unread conversations are listed before it
    QList<QAction *> m_unreadChats;
    QAction *m_quit = nullptr;
    QAction *m_dnd = nullptr;
    QAction *m_signOut = nullptr;
    QImage m_image;
    QString m_toolTip;
    bool m_available = false;
};
