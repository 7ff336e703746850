<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ActionButtons</name>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Opens the link in the browser</source>
        <translation>在浏览器中打开链接</translation>
    </message>
</context>
<context>
    <name>AlertLevelButton</name>
    <message>
        <source>Notifications for this conversation: muted</source>
        <translation>此会话的通知：已静音</translation>
    </message>
    <message>
        <source>Notifications for this conversation</source>
        <translation>此会话的通知</translation>
    </message>
    <message>
        <source>Notifications not changed: %1</source>
        <translation>通知设置未更改：%1</translation>
    </message>
</context>
<context>
    <name>AlertLevelMenu</name>
    <message>
        <source>Default (all messages)</source>
        <translation>默认（所有消息）</translation>
    </message>
    <message>
        <source>Default (mentions only)</source>
        <translation>默认（仅提及）</translation>
    </message>
    <message>
        <source>All messages</source>
        <translation>所有消息</translation>
    </message>
    <message>
        <source>Mentions only</source>
        <translation>仅提及</translation>
    </message>
    <message>
        <source>Nothing</source>
        <translation>不通知</translation>
    </message>
    <message>
        <source>Nothing until %1</source>
        <translation>不通知，直到 %1</translation>
    </message>
    <message>
        <source>Mute for 1 hour</source>
        <translation>静音 1 小时</translation>
    </message>
    <message>
        <source>Until tomorrow</source>
        <translation>静音到明天</translation>
    </message>
    <message>
        <source>Mute until tomorrow morning</source>
        <translation>静音到明天早上</translation>
    </message>
</context>
<context>
    <name>AttachmentCache</name>
    <message>
        <source>No application opens %1.</source>
        <translation>没有可以打开 %1 的应用程序。</translation>
    </message>
    <message>
        <source>Choose a folder on this computer.</source>
        <translation>请选择这台电脑上的文件夹。</translation>
    </message>
    <message>
        <source>Cannot save to %1.</source>
        <translation>无法保存到 %1。</translation>
    </message>
    <message>
        <source>No such file.</source>
        <translation>没有这个文件。</translation>
    </message>
    <message>
        <source>Not connected. Try again when the connection is back.</source>
        <translation>未连接。连接恢复后再试。</translation>
    </message>
    <message>
        <source>Cannot write to %1.</source>
        <translation>无法写入 %1。</translation>
    </message>
    <message>
        <source>This file is not available.</source>
        <translation>此文件不可用。</translation>
    </message>
    <message>
        <source>The download failed: %1</source>
        <translation>下载失败：%1</translation>
    </message>
    <message>
        <source>The download failed (HTTP %1).</source>
        <translation>下载失败（HTTP %1）。</translation>
    </message>
    <message>
        <source>The download was damaged. Try again.</source>
        <translation>下载的文件已损坏，请重试。</translation>
    </message>
</context>
<context>
    <name>ChatRoom</name>
    <message>
        <source>Seen the latest</source>
        <translation>已看到最新消息</translation>
    </message>
    <message>
        <source>Read up to %1</source>
        <translation>已读到 %1</translation>
    </message>
    <message>
        <source>Read earlier messages</source>
        <translation>已读到更早的消息</translation>
    </message>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 正在输入…</translation>
    </message>
    <message>
        <source>%1 and %2 are typing…</source>
        <translation>%1 和 %2 正在输入…</translation>
    </message>
    <message>
        <source>Several people are typing…</source>
        <translation>多人正在输入…</translation>
    </message>
    <message>
        <source>Not connected. Try again when the connection is back.</source>
        <translation>未连接。连接恢复后再试。</translation>
    </message>
    <message>
        <source>You can only change your own messages.</source>
        <translation>你只能修改自己的消息。</translation>
    </message>
    <message>
        <source>That message was deleted.</source>
        <translation>该消息已被删除。</translation>
    </message>
    <message>
        <source>That message is no longer there.</source>
        <translation>该消息已不存在。</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message numerus="yes">
        <source>%n online</source>
        <translation>
            <numerusform>%n 人在线</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation>
            <numerusform>%n 位成员</numerusform>
        </translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>This is the start of the conversation.</source>
        <translation>这是对话的开头。</translation>
    </message>
    <message>
        <source>Message %1</source>
        <translation>发消息给 %1</translation>
    </message>
    <message>
        <source>Send a file to %1</source>
        <translation>发送文件给 %1</translation>
    </message>
    <message>
        <source>Save file</source>
        <translation>保存文件</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>Sending %1…</source>
        <translation>正在发送 %1…</translation>
    </message>
    <message>
        <source>Sending %1: %2%</source>
        <translation>正在发送 %1：%2%</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancel sending %1</source>
        <translation>取消发送 %1</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Attach a file</source>
        <translation>添加附件</translation>
    </message>
    <message>
        <source>Enter sends, Shift+Enter starts a new line, Ctrl+V of an image sends it</source>
        <translation>Enter 发送，Shift+Enter 换行，Ctrl+V 粘贴图片即发送</translation>
    </message>
</context>
<context>
    <name>ChatWindow</name>
    <message>
        <source>Herald — %1</source>
        <translation>Herald — %1</translation>
    </message>
</context>
<context>
    <name>Connection</name>
    <message>
        <source>The server did not accept the sign-in.</source>
        <translation>服务器未接受登录。</translation>
    </message>
    <message>
        <source>This session was revoked.</source>
        <translation>此会话已被撤销。</translation>
    </message>
    <message>
        <source>This account is disabled.</source>
        <translation>此账户已被停用。</translation>
    </message>
    <message>
        <source>Too many connections for this account.</source>
        <translation>此账户的连接过多。</translation>
    </message>
    <message>
        <source>The connection fell behind.</source>
        <translation>连接处理不及，已落后。</translation>
    </message>
    <message>
        <source>The connection was idle too long.</source>
        <translation>连接空闲时间过长。</translation>
    </message>
    <message>
        <source>The server is restarting.</source>
        <translation>服务器正在重启。</translation>
    </message>
    <message>
        <source>Connection lost.</source>
        <translation>连接已断开。</translation>
    </message>
    <message>
        <source>The server did not answer the sign-in.</source>
        <translation>服务器未响应登录。</translation>
    </message>
    <message>
        <source>Signed out.</source>
        <translation>已退出登录。</translation>
    </message>
    <message>
        <source>The server address is not valid.</source>
        <translation>服务器地址无效。</translation>
    </message>
    <message>
        <source>The connection was lost.</source>
        <translation>连接已断开。</translation>
    </message>
    <message>
        <source>Not connected.</source>
        <translation>未连接。</translation>
    </message>
    <message>
        <source>The server stopped answering.</source>
        <translation>服务器已停止响应。</translation>
    </message>
    <message>
        <source>This session expired.</source>
        <translation>此会话已过期。</translation>
    </message>
</context>
<context>
    <name>ConnectionBanner</name>
    <message>
        <source>Connecting</source>
        <translation>正在连接</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>正在连接 %1…</translation>
    </message>
    <message numerus="yes">
        <source>Retrying in %n s.</source>
        <translation>
            <numerusform>%n 秒后重试。</numerusform>
        </translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>正在重新连接…</translation>
    </message>
    <message>
        <source>Offline.</source>
        <translation>离线。</translation>
    </message>
    <message>
        <source>Retry now</source>
        <translation>立即重试</translation>
    </message>
</context>
<context>
    <name>CountBadge</name>
    <message numerus="yes">
        <source>%n unread</source>
        <translation>
            <numerusform>%n 条未读</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DesktopNotifier</name>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>回复</translation>
    </message>
    <message>
        <source>Write a reply…</source>
        <translation>写下回复…</translation>
    </message>
</context>
<context>
    <name>FileUploader</name>
    <message>
        <source>%1 is too large to send (%2; the limit is %3).</source>
        <translation>%1 太大，无法发送（%2；上限为 %3）。</translation>
    </message>
    <message>
        <source>%1 is too large for the server.</source>
        <translation>%1 超出服务器允许的大小。</translation>
    </message>
    <message>
        <source>Wait until the file being sent is done, or cancel it.</source>
        <translation>请等待正在发送的文件完成，或取消它。</translation>
    </message>
    <message>
        <source>%1 is not a file that can be sent.</source>
        <translation>%1 不是可以发送的文件。</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>The image could not be encoded.</source>
        <translation>无法编码该图片。</translation>
    </message>
    <message>
        <source>%1 is empty.</source>
        <translation>%1 是空文件。</translation>
    </message>
    <message>
        <source>Not connected. Try again when the connection is back.</source>
        <translation>未连接。连接恢复后再试。</translation>
    </message>
    <message>
        <source>The server did not accept your sign-in for %1.</source>
        <translation>服务器不接受你发送 %1 的登录凭据。</translation>
    </message>
    <message>
        <source>%1 was not sent: %2</source>
        <translation>%1 未发送：%2</translation>
    </message>
    <message>
        <source>%1 was not sent (HTTP %2).</source>
        <translation>%1 未发送（HTTP %2）。</translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <source>System language</source>
        <translation>跟随系统语言</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Herald — Sign in</source>
        <translation>Herald — 登录</translation>
    </message>
    <message>
        <source>Herald — %1</source>
        <translation>Herald — %1</translation>
    </message>
    <message>
        <source>Herald</source>
        <translation>Herald</translation>
    </message>
    <message numerus="yes">
        <source>%n online</source>
        <translation>
            <numerusform>%n 人在线</numerusform>
        </translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>Do not disturb</source>
        <translation>勿扰</translation>
    </message>
    <message>
        <source>Search messages (Ctrl+K)</source>
        <translation>搜索消息（Ctrl+K）</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
</context>
<context>
    <name>MemberList</name>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation>
            <numerusform>%n 位成员</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n online</source>
        <translation>
            <numerusform>%n 人在线</numerusform>
        </translation>
    </message>
    <message>
        <source>Members</source>
        <translation>成员</translation>
    </message>
    <message>
        <source> (you)</source>
        <translation>（你）</translation>
    </message>
</context>
<context>
    <name>MentionCompleter</name>
    <message>
        <source>Everyone in the room</source>
        <translation>房间里的所有人</translation>
    </message>
</context>
<context>
    <name>MentionPopup</name>
    <message>
        <source>People to mention</source>
        <translation>可提及的人</translation>
    </message>
    <message>
        <source>Mention everyone in the room</source>
        <translation>提及房间里的所有人</translation>
    </message>
    <message>
        <source>Mention %1</source>
        <translation>提及 %1</translation>
    </message>
    <message>
        <source>%1 · @%2</source>
        <translation>%1 · @%2</translation>
    </message>
</context>
<context>
    <name>MessageAlerts</name>
    <message>
        <source>Direct message</source>
        <translation>私信</translation>
    </message>
    <message>
        <source>Sent %1</source>
        <translation>发送了 %1</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <source>%1, %2: %3</source>
        <translation>%1，%2：%3</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>正在发送</translation>
    </message>
    <message>
        <source>Not sent</source>
        <translation>未发送</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <source>Not sent. Retry</source>
        <translation>未发送。重试</translation>
    </message>
    <message>
        <source>%1, %2: message deleted</source>
        <translation>%1，%2：消息已删除</translation>
    </message>
    <message>
        <source>%1, %2: %3 (edited)</source>
        <translation>%1，%2：%3（已编辑）</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Edit message</source>
        <translation>编辑消息</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete message</source>
        <translation>删除消息</translation>
    </message>
    <message>
        <source>React</source>
        <translation>回应</translation>
    </message>
    <message>
        <source>React with %1</source>
        <translation>用 %1 回应</translation>
    </message>
    <message>
        <source>Message deleted</source>
        <translation>消息已删除</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel editing</source>
        <translation>取消编辑</translation>
    </message>
    <message>
        <source>(edited)</source>
        <translation>（已编辑）</translation>
    </message>
    <message numerus="yes">
        <source>%1, %n reaction(s) including yours: take yours back</source>
        <translation>
            <numerusform>%1，%n 个回应（含你的）：撤回你的回应</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1, %n reaction(s): react too</source>
        <translation>
            <numerusform>%1，%n 个回应：也回应</numerusform>
        </translation>
    </message>
    <message>
        <source>Mentions you</source>
        <translation>提到了你</translation>
    </message>
    <message>
        <source>%1, attached: %2</source>
        <translation>%1，附件：%2</translation>
    </message>
    <message>
        <source>Attached: %1</source>
        <translation>附件：%1</translation>
    </message>
    <message>
        <source>Open file</source>
        <translation>打开文件</translation>
    </message>
    <message>
        <source>Open %1</source>
        <translation>打开 %1</translation>
    </message>
    <message>
        <source>Save file as…</source>
        <translation>文件另存为…</translation>
    </message>
    <message>
        <source>Save %1 as</source>
        <translation>将 %1 另存为</translation>
    </message>
    <message>
        <source>Image %1: open</source>
        <translation>图片 %1：打开</translation>
    </message>
    <message>
        <source>File %1, %2</source>
        <translation>文件 %1，%2</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Download %1</source>
        <translation>下载 %1</translation>
    </message>
</context>
<context>
    <name>MessageModel</name>
    <message>
        <source>Seen by %1</source>
        <translation>%1 已读</translation>
    </message>
    <message>
        <source>Seen by %1 and %2</source>
        <translation>%1 和 %2 已读</translation>
    </message>
    <message numerus="yes">
        <source>Seen by %1, %2 and %n other(s)</source>
        <translation>
            <numerusform>%1、%2 和另外 %n 人已读</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Notification</name>
    <message>
        <source>Approved by you</source>
        <translation>你已批准</translation>
    </message>
    <message>
        <source>Approved by %1</source>
        <translation>%1 已批准</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <source>Rejected by you</source>
        <translation>你已拒绝</translation>
    </message>
    <message>
        <source>Rejected by %1</source>
        <translation>%1 已拒绝</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>Acknowledged by you</source>
        <translation>你已确认</translation>
    </message>
    <message>
        <source>Acknowledged by %1</source>
        <translation>%1 已确认</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>Accepted by you</source>
        <translation>你已接受</translation>
    </message>
    <message>
        <source>Accepted by %1</source>
        <translation>%1 已接受</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>Declined by you</source>
        <translation>你已婉拒</translation>
    </message>
    <message>
        <source>Declined by %1</source>
        <translation>%1 已婉拒</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>已婉拒</translation>
    </message>
    <message>
        <source>Dismissed by you</source>
        <translation>你已忽略</translation>
    </message>
    <message>
        <source>Dismissed by %1</source>
        <translation>%1 已忽略</translation>
    </message>
    <message>
        <source>Dismissed</source>
        <translation>已忽略</translation>
    </message>
    <message>
        <source>“%1” was chosen</source>
        <translation>已选择“%1”</translation>
    </message>
    <message>
        <source>You chose “%1”</source>
        <translation>你选择了“%1”</translation>
    </message>
    <message>
        <source>%1 chose “%2”</source>
        <translation>%1 选择了“%2”</translation>
    </message>
    <message>
        <source>%1 (service)</source>
        <translation>%1（服务）</translation>
    </message>
    <message>
        <source>Resolved by %1</source>
        <translation>已由 %1 处理</translation>
    </message>
    <message>
        <source>Resolved by %1: %2</source>
        <translation>已由 %1 处理：%2</translation>
    </message>
</context>
<context>
    <name>NotificationCard</name>
    <message>
        <source>Unread: </source>
        <translation>未读：</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>正在发送</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Mark read</source>
        <translation>标为已读</translation>
    </message>
    <message numerus="yes">
        <source>%n in thread</source>
        <translation>
            <numerusform>此会话共 %n 条</numerusform>
        </translation>
    </message>
    <message>
        <source>Mark thread read</source>
        <translation>整个会话标为已读</translation>
    </message>
</context>
<context>
    <name>NotificationCentre</name>
    <message>
        <source>Notification centre</source>
        <translation>通知中心</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>通知</translation>
    </message>
    <message>
        <source>Unread (%1)</source>
        <translation>未读（%1）</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Mark all read</source>
        <translation>全部标为已读</translation>
    </message>
    <message>
        <source>Unread notifications</source>
        <translation>未读通知</translation>
    </message>
    <message>
        <source>All notifications</source>
        <translation>全部通知</translation>
    </message>
    <message>
        <source>Loading</source>
        <translation>正在加载</translation>
    </message>
    <message>
        <source>That is everything.</source>
        <translation>没有更多了。</translation>
    </message>
    <message>
        <source>You are all caught up.</source>
        <translation>全部处理完毕。</translation>
    </message>
    <message>
        <source>No notifications yet.</source>
        <translation>暂无通知。</translation>
    </message>
</context>
<context>
    <name>NotificationModel</name>
    <message>
        <source>Already handled</source>
        <translation>已被处理</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>PeopleList</name>
    <message>
        <source>People</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source> (you)</source>
        <translation>（你）</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>发消息</translation>
    </message>
</context>
<context>
    <name>RoomList</name>
    <message>
        <source>Conversations</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Direct message, %1</source>
        <translation>私信，%1</translation>
    </message>
    <message numerus="yes">
        <source>%n online</source>
        <translation>
            <numerusform>%n 人在线</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unread message(s)</source>
        <translation>
            <numerusform>%n 条未读消息</numerusform>
        </translation>
    </message>
    <message>
        <source>not joined</source>
        <translation>未加入</translation>
    </message>
    <message>
        <source>Join</source>
        <translation>加入</translation>
    </message>
</context>
<context>
    <name>RoomListModel</name>
    <message>
        <source>Rooms</source>
        <translation>聊天室</translation>
    </message>
    <message>
        <source>Direct messages</source>
        <translation>私信</translation>
    </message>
    <message>
        <source>Other rooms</source>
        <translation>其他聊天室</translation>
    </message>
</context>
<context>
    <name>SearchPage</name>
    <message>
        <source>Search messages</source>
        <translation>搜索消息</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Words in your rooms and direct messages</source>
        <translation>在你的聊天室和私信中查找词语</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message>
        <source>No messages found for “%1”.</source>
        <translation>没有找到包含“%1”的消息。</translation>
    </message>
    <message>
        <source>Messages with “%1”, newest first</source>
        <translation>包含“%1”的消息，最新的在前</translation>
    </message>
    <message>
        <source>Find messages by words they contain, or the start of those words.</source>
        <translation>按消息中的词语（或词语的开头）查找消息。</translation>
    </message>
    <message>
        <source>Search results</source>
        <translation>搜索结果</translation>
    </message>
    <message>
        <source>%1 in %2, %3: %4</source>
        <translation>%1 在 %2，%3：%4</translation>
    </message>
    <message>
        <source>Enter opens the conversation at this message</source>
        <translation>按 Enter 键在这条消息处打开会话</translation>
    </message>
    <message>
        <source>Show older results</source>
        <translation>显示更早的结果</translation>
    </message>
</context>
<context>
    <name>SearchResultsModel</name>
    <message numerus="yes">
        <source>Search for at most %n character(s).</source>
        <translation>
            <numerusform>最多可搜索 %n 个字符。</numerusform>
        </translation>
    </message>
    <message>
        <source>Herald is offline: search again when it is connected.</source>
        <translation>Herald 已离线：连接后请再次搜索。</translation>
    </message>
    <message>
        <source>The search failed: %1</source>
        <translation>搜索失败：%1</translation>
    </message>
</context>
<context>
    <name>Session</name>
    <message>
        <source>Reminder: %1</source>
        <translation>提醒：%1</translation>
    </message>
    <message>
        <source>Enter the server address, like https://herald.example.com</source>
        <translation>请输入服务器地址，例如 https://herald.example.com</translation>
    </message>
    <message>
        <source>Enter your user name and password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <source>Wrong user name or password.</source>
        <translation>用户名或密码错误。</translation>
    </message>
    <message>
        <source>Cannot reach the server: %1</source>
        <translation>无法访问服务器：%1</translation>
    </message>
    <message>
        <source>The server refused the sign-in (HTTP %1).</source>
        <translation>服务器拒绝了登录（HTTP %1）。</translation>
    </message>
    <message>
        <source>Paste a token.</source>
        <translation>请粘贴令牌。</translation>
    </message>
    <message>
        <source>Your session was revoked. Please sign in again.</source>
        <translation>你的会话已被撤销，请重新登录。</translation>
    </message>
    <message>
        <source>Your account is disabled. Contact your administrator.</source>
        <translation>你的账户已被停用，请联系管理员。</translation>
    </message>
    <message>
        <source>The server no longer accepts your sign-in. Please sign in again.</source>
        <translation>服务器不再接受你的登录，请重新登录。</translation>
    </message>
    <message>
        <source>The server did not accept the sign-in. Please sign in again.</source>
        <translation>服务器未接受登录，请重新登录。</translation>
    </message>
    <message>
        <source>Cannot connect to the server: %1</source>
        <translation>无法连接服务器：%1</translation>
    </message>
    <message>
        <source>Your session expired because it was not used for a long time. Please sign in again.</source>
        <translation>你的会话因长时间未使用已过期，请重新登录。</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>Send read receipts</source>
        <translation>发送已读回执</translation>
    </message>
    <message>
        <source>Others see how far you have read their messages. Kept for all your devices.</source>
        <translation>其他人可以看到你读到了哪里。此设置适用于你的所有设备。</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Signed in as</source>
        <translation>当前登录</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>No system keychain is available, so your sign-in token is kept in %1, readable only by your user account. Install a keychain service (GNOME Keyring or KWallet) to keep it safer.</source>
        <translation>系统没有可用的密钥环，因此你的登录令牌保存在 %1 中，仅你的用户账户可以读取。安装密钥环服务（GNOME Keyring 或 KWallet）可以更安全地保存它。</translation>
    </message>
    <message>
        <source>Behaviour</source>
        <translation>行为</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Show notifications through the desktop</source>
        <translation>通过桌面显示通知</translation>
    </message>
    <message>
        <source>Notification server: %1</source>
        <translation>通知服务：%1</translation>
    </message>
    <message>
        <source>This desktop has no notification server: Herald shows its own.</source>
        <translation>此桌面没有通知服务，Herald 将使用自己的弹窗。</translation>
    </message>
    <message>
        <source>Start Herald when I log in</source>
        <translation>登录系统时启动 Herald</translation>
    </message>
    <message>
        <source>Play a sound with notifications</source>
        <translation>收到通知时播放提示音</translation>
    </message>
    <message>
        <source>Do not disturb (only urgent notifications pop up)</source>
        <translation>勿扰（只弹出紧急通知）</translation>
    </message>
    <message>
        <source>Security</source>
        <translation>安全</translation>
    </message>
    <message>
        <source>Server certificates are always checked. If your company signs its own, give the PEM file of its CA certificate (takes effect at the next connection).</source>
        <translation>服务器证书始终会被验证。如果你的公司自行签发证书，请提供其 CA 证书的 PEM 文件（下次连接时生效）。</translation>
    </message>
    <message>
        <source>Company CA certificate file</source>
        <translation>公司 CA 证书文件</translation>
    </message>
    <message>
        <source>/etc/ssl/certs/company-ca.pem</source>
        <translation>/etc/ssl/certs/company-ca.pem</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Keyboard: Ctrl+Shift+N shows the notifications, Ctrl+Shift+T focuses the newest pop-up (Enter acts, Escape dismisses), Tab moves between controls.</source>
        <translation>键盘：Ctrl+Shift+N 打开通知，Ctrl+Shift+T 聚焦最新的弹窗（Enter 执行，Esc 关闭），Tab 在控件之间移动。</translation>
    </message>
    <message>
        <source>Show me as away when idle for</source>
        <translation>空闲多久后显示为离开</translation>
    </message>
    <message>
        <source>5 minutes</source>
        <translation>5 分钟</translation>
    </message>
    <message>
        <source>10 minutes</source>
        <translation>10 分钟</translation>
    </message>
    <message>
        <source>15 minutes</source>
        <translation>15 分钟</translation>
    </message>
    <message>
        <source>30 minutes</source>
        <translation>30 分钟</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation>1 小时</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>从不</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <source>Chats (%1)</source>
        <translation>聊天（%1）</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>People</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>通知</translation>
    </message>
</context>
<context>
    <name>SignInPage</name>
    <message>
        <source>Sign in to Herald</source>
        <translation>登录 Herald</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>https://herald.example.com</source>
        <translation>https://herald.example.com</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Sign in with a password</source>
        <translation>使用密码登录</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>令牌</translation>
    </message>
    <message>
        <source>Sign in with a token</source>
        <translation>使用令牌登录</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Paste a token (hrd_…)</source>
        <translation>粘贴令牌（hrd_…）</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
</context>
<context>
    <name>Theme</name>
    <message>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>away</source>
        <translation>离开</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <source>high priority</source>
        <translation>高优先级</translation>
    </message>
    <message>
        <source>low priority</source>
        <translation>低优先级</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>刚刚</translation>
    </message>
    <message numerus="yes">
        <source>%n min ago</source>
        <translation>
            <numerusform>%n 分钟前</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s) ago</source>
        <translation>
            <numerusform>%n 小时前</numerusform>
        </translation>
    </message>
    <message>
        <source>away since %1</source>
        <translation>%1 起离开</translation>
    </message>
</context>
<context>
    <name>ToastCard</name>
    <message>
        <source>Reminder</source>
        <translation>提醒</translation>
    </message>
    <message>
        <source>Reminder: %1</source>
        <translation>提醒：%1</translation>
    </message>
    <message>
        <source>Herald</source>
        <translation>Herald</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>正在发送</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>正在发送…</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>回复</translation>
    </message>
    <message>
        <source>Reply to %1</source>
        <translation>回复 %1</translation>
    </message>
</context>
<context>
    <name>ToastHost</name>
    <message>
        <source>Herald — more notifications</source>
        <translation>Herald — 更多通知</translation>
    </message>
    <message numerus="yes">
        <source>+%n more</source>
        <translation>
            <numerusform>还有 %n 条</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ToastModel</name>
    <message numerus="yes">
        <source>%n more from %1</source>
        <comment>a toast standing for a thread</comment>
        <translation>
            <numerusform>另有 %n 条来自 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Reply sent</source>
        <translation>回复已发送</translation>
    </message>
    <message numerus="yes">
        <source>%n more message(s)</source>
        <comment>a chat toast standing for earlier messages</comment>
        <translation>
            <numerusform>还有 %n 条消息</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ToastWindow</name>
    <message>
        <source>Herald notification: %1</source>
        <translation>Herald 通知：%1</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>Signed out</source>
        <translation>已退出登录</translation>
    </message>
    <message numerus="yes">
        <source>Online as %1 · %n person(s) online</source>
        <translation>
            <numerusform>以 %1 身份在线 · %n 人在线</numerusform>
        </translation>
    </message>
    <message>
        <source>Offline, reconnecting…</source>
        <translation>离线，正在重新连接…</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message numerus="yes">
        <source>Notifications (%n unread)</source>
        <translation>
            <numerusform>通知（%n 条未读）</numerusform>
        </translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>通知</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>Do not disturb</source>
        <translation>勿扰</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n unread)</source>
        <translation>
            <numerusform>%1（%n 条未读）</numerusform>
        </translation>
    </message>
    <message>
        <source>Herald: %1</source>
        <translation>Herald：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n unread notification(s)</source>
        <translation>
            <numerusform>%n 条未读通知</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Herald: company notifications and chat</source>
        <translation>Herald：企业通知与聊天</translation>
    </message>
    <message>
        <source>Server URL (or $HERALD_SERVER).</source>
        <translation>服务器地址（或 $HERALD_SERVER）。</translation>
    </message>
    <message>
        <source>Sign in with this token (or $HERALD_TOKEN).</source>
        <translation>使用此令牌登录（或 $HERALD_TOKEN）。</translation>
    </message>
    <message>
        <source>Start in the tray, without a window.</source>
        <translation>启动到托盘，不打开窗口。</translation>
    </message>
    <message>
        <source>Interface language: en or zh_CN (remembered; default: the system&apos;s).</source>
        <translation>界面语言：en 或 zh_CN（会被记住；默认跟随系统）。</translation>
    </message>
    <message>
        <source>Trust this PEM file of company CA certificates too (remembered).</source>
        <translation>同时信任此 PEM 文件中的公司 CA 证书（会被记住）。</translation>
    </message>
</context>
</TS>
