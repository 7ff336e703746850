#include "trayicon.h"
#include "chatroom.h"
#include "session.h"

#include <QAction>
#include <QGuiApplication>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QSystemTrayIcon>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {
QColor discColor(TrayIcon::Look look)
{
    switch (look) {
    case TrayIcon::Look::Online:
        return QColor(0x2b, 0x6c, 0xb0); // Herald blue
    case TrayIcon::Look::Connecting:
        return QColor(0xc0, 0x8a, 0x1e); // amber: trying
    case TrayIcon::Look::Offline:
        break;
    }
    return QColor(0x80, 0x80, 0x80);
}
} // namespace

TrayIcon::TrayIcon(QObject *parent)
    : QObject(parent)
    , m_menu(std::make_unique<QMenu>())
{
    m_status = m_menu->addAction(QString());
    m_status->setEnabled(false);
    m_menu->addSeparator();
    m_notifications = m_menu->addAction(QString(), this, &TrayIcon::notificationsRequested);
    m_chat = m_menu->addAction(QString(), this, &TrayIcon::chatRequested);
    m_chatsEnd = m_menu->addSeparator();
    m_dnd = m_menu->addAction(QString());
    m_dnd->setCheckable(true);
    connect(m_dnd, &QAction::toggled, this, [this](bool on) {
        if (m_session)
            m_session->toasts()->setDoNotDisturb(on);
    });
    m_menu->addSeparator();
    m_signOut = m_menu->addAction(QString(), this, [this] {
        if (m_session)
            m_session->signOut();
    });
    m_quit = m_menu->addAction(QString(), this, &TrayIcon::quitRequested);

    m_tray = std::make_unique<QSystemTrayIcon>();
    m_tray->setContextMenu(m_menu.get());
    connect(m_tray.get(), &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                    trigger();
            });
    m_available = QSystemTrayIcon::isSystemTrayAvailable();
    // A tray host may start after us (session start-up races): look again for a while.
    auto *poll = new QTimer(this);
    poll->setInterval(2000);
    connect(poll, &QTimer::timeout, this, [this, poll] {
        if (available() != m_available) {
            m_available = !m_available;
            Q_EMIT availableChanged();
            refresh();
        }
        if (m_available)
            poll->stop();
    });
    poll->start();
    refresh();
}

TrayIcon::~TrayIcon()
{
    m_tray->hide();
}

void TrayIcon::trigger()
{
    const QString target = m_session ? m_session->unreadTarget() : QString();
    if (target == u"room"_s) {
        if (ChatRoom *room = m_session->newestUnreadRoom()) {
            Q_EMIT roomRequested(room);
            return;
        }
    }
    if (target == u"notifications"_s)
        Q_EMIT notificationsRequested();
    else
        Q_EMIT activated();
}

bool TrayIcon::available() const
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

void TrayIcon::setSession(Session *session)
{
    if (m_session == session)
        return;
    if (m_session)
        m_session->disconnect(this);
    m_session = session;
    if (m_session) {
        connect(m_session, &Session::statusChanged, this, &TrayIcon::refresh);
        connect(m_session, &Session::unreadCountChanged, this, &TrayIcon::refresh);
        connect(m_session, &Session::badgeCountChanged, this, &TrayIcon::refresh);
        connect(m_session, &Session::onlineCountChanged, this, &TrayIcon::refresh);
        connect(m_session, &Session::userChanged, this, &TrayIcon::refresh);
        connect(m_session->toasts(), &ToastModel::doNotDisturbChanged, this, &TrayIcon::refresh);
        connect(m_session->rooms(), &RoomListModel::totalUnreadChanged, this, &TrayIcon::refresh);
        connect(m_session->rooms(), &QAbstractItemModel::dataChanged, this, &TrayIcon::refresh);
        connect(m_session->language(), &Language::changed, this, &TrayIcon::refresh);
    }
    refresh();
    Q_EMIT sessionChanged();
}

TrayIcon::Look TrayIcon::look() const
{
    if (!m_session)
        return Look::Offline;
    switch (m_session->status()) {
    case Session::Online:
        return Look::Online;
    case Session::SigningIn:
    case Session::Reconnecting:
        return Look::Connecting;
    case Session::SignedOut:
        break;
    }
    return Look::Offline;
}

QString TrayIcon::badgeText(int unread)
{
    if (unread <= 0)
        return {};
    return unread > 99 ? u"99+"_s : QString::number(unread);
}

QImage TrayIcon::render(int size, Look look, int unread, bool doNotDisturb)
{
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    const qreal s = size;

    // The disc, coloured by connection state.
    p.setPen(Qt::NoPen);
    p.setBrush(discColor(look));
    p.drawEllipse(QRectF(s * 0.04, s * 0.04, s * 0.92, s * 0.92));

    // A bell: dome, rim and clapper, in white.
    p.setBrush(Qt::white);
    QPainterPath bell;
    bell.moveTo(s * 0.30, s * 0.66);
    bell.cubicTo(s * 0.30, s * 0.30, s * 0.36, s * 0.24, s * 0.50, s * 0.24);
    bell.cubicTo(s * 0.64, s * 0.24, s * 0.70, s * 0.30, s * 0.70, s * 0.66);
    bell.lineTo(s * 0.76, s * 0.72);
    bell.lineTo(s * 0.24, s * 0.72);
    bell.closeSubpath();
    p.drawPath(bell);
    p.drawEllipse(QRectF(s * 0.44, s * 0.72, s * 0.12, s * 0.10));
    if (doNotDisturb) {
        // Struck through while do not disturb is on.
        QPen strike(Qt::white, s * 0.08, Qt::SolidLine, Qt::RoundCap);
        p.setPen(strike);
        p.drawLine(QPointF(s * 0.22, s * 0.22), QPointF(s * 0.78, s * 0.78));
        p.setPen(Qt::NoPen);
    }

    // The badge: a red pill in the top-right corner with the count.
    const QString text = badgeText(unread);
    if (!text.isEmpty()) {
        QFont font = QGuiApplication::font();
        font.setBold(true);
        font.setPixelSize(std::max(6, int(s * (text.size() > 2 ? 0.30 : 0.40))));
        p.setFont(font);
        const qreal h = s * 0.52;
        const qreal w = std::max(h, QFontMetricsF(font).horizontalAdvance(text) + s * 0.16);
        const QRectF badge(s - w, 0, w, h);
        p.setBrush(QColor(0xd9, 0x30, 0x25));
        p.setPen(QPen(Qt::white, std::max(1.0, s * 0.04)));
        p.drawRoundedRect(badge, h / 2, h / 2);
        p.setPen(Qt::white);
        p.drawText(badge, Qt::AlignCenter, text);
    }
    return image;
}

void TrayIcon::refresh()
{
    const Look l = look();
    const int unread = m_session ? m_session->unreadCount() : 0;
    const bool dnd = m_session && m_session->toasts()->doNotDisturb();
    // The badge: notifications, direct messages and mentions (Session::badgeCount).
    m_image = render(64, l, m_session ? m_session->badgeCount() : 0, dnd);
    m_tray->setIcon(QIcon(QPixmap::fromImage(m_image)));

    QString state;
    if (!m_session || m_session->status() == Session::SignedOut)
        state = tr("Signed out");
    else if (m_session->status() == Session::Online)
        state = tr("Online as %1 · %n person(s) online", nullptr, m_session->onlineCount())
                    .arg(m_session->userDisplayName());
    else if (m_session->status() == Session::Reconnecting)
        state = tr("Offline, reconnecting…");
    else
        state = tr("Connecting…");
    m_status->setText(state);
    m_notifications->setText(unread > 0 ? tr("Notifications (%n unread)", nullptr, unread)
                                        : tr("Notifications"));
    m_chat->setText(tr("Chat"));
    m_dnd->setText(tr("Do not disturb"));
    m_signOut->setText(tr("Sign out"));
    m_quit->setText(tr("Quit"));

    // The conversations with unread messages, each with its count, newest first.
    for (QAction *action : std::as_const(m_unreadChats)) {
        m_menu->removeAction(action);
        action->deleteLater();
    }
    m_unreadChats.clear();
    if (m_session) {
        QList<ChatRoom *> rooms;
        const QList<ChatRoom *> all = m_session->rooms()->rooms();
        for (ChatRoom *room : all)
            if (room->isMember() && room->unreadCount() > 0)
                rooms.append(room);
        std::sort(rooms.begin(), rooms.end(), [](const ChatRoom *a, const ChatRoom *b) {
            return a->lastMessageTime() > b->lastMessageTime();
        });
        for (ChatRoom *room : std::as_const(rooms)) {
            auto *action = new QAction(
                tr("%1 (%n unread)", nullptr, room->unreadCount()).arg(room->displayName()),
                m_menu.get());
            action->setObjectName(u"unreadChat"_s);
            action->setData(room->name());
            connect(action, &QAction::triggered, this, [this, name = room->name()] {
                if (m_session)
                    if (ChatRoom *r = m_session->room(name))
                        Q_EMIT roomRequested(r);
            });
            m_menu->insertAction(m_chatsEnd, action);
            m_unreadChats.append(action);
        }
    }
    {
        const QSignalBlocker block(m_dnd);
        m_dnd->setChecked(dnd);
    }
    m_signOut->setEnabled(m_session && m_session->status() != Session::SignedOut);

    QString tip = tr("Herald: %1").arg(state);
    if (unread > 0)
        tip += u"\n"_s + tr("%n unread notification(s)", nullptr, unread);
    if (dnd)
        tip += u"\n"_s + tr("Do not disturb");
    m_tray->setToolTip(tip);
    if (tip != m_toolTip) {
        m_toolTip = tip;
        Q_EMIT toolTipChanged();
    }
    if (m_available)
        m_tray->show();
}
