// Every string the browser client shows, in one catalogue. The language follows the browser
// (navigator.language): Chinese variants get zh_CN, everything else English.
export const catalogue = {
  en: {
    signInIntro: 'Sign in with your Herald account.',
    username: 'Username',
    password: 'Password',
    signIn: 'Sign in',
    signingIn: 'Signing in…',
    signOut: 'Sign out',
    wrongPassword: 'Wrong username or password.',
    accountDisabled: 'This account is disabled.',
    tooManyAttempts: 'Too many sign-in attempts. Wait a minute and try again.',
    serverUnreachable: 'The server cannot be reached. Try again in a moment.',
    fillBoth: 'Enter your username and password.',
    sessionEnded: 'Your session has ended (the token was revoked or expired). Please sign in again.',
    sessionDisabled: 'Your account has been disabled. Contact your administrator.',
    sessionExpired: 'Your session expired after a long time without use. Please sign in again.',
    connecting: 'Connecting…',
    connected: 'Connected',
    reconnecting: 'Connection lost. Reconnecting in {s} s…',
    online: '{n} online',
    rooms: 'Rooms',
    directMessages: 'Direct messages',
    roomsAndPeople: 'Rooms and people',
    roomToJoin: 'Room to join',
    join: 'Join',
    personToMessage: 'Person to message',
    message: 'Message',
    conversation: 'Conversation',
    messages: 'Messages',
    messageText: 'Message text',
    writeMessage: 'Write a message…',
    send: 'Send',
    members: 'Members',
    loadOlder: 'Load older messages',
    noRoom: 'Pick a room',
    roomOnline: '{online} of {members} online',
    typing: '{user} is typing…',
    notifications: 'Notifications',
    markAllRead: 'Mark all read',
    noNotifications: 'No notifications',
    resolvedBy: '{action} by {by}',
    resolvedBySource: 'Resolved by {by}: {text}',
    resolvedBySourceBare: 'Resolved by {by}',
    open: 'Open',
    markRead: 'Mark read',
    markThreadRead: 'Mark thread read',
    inThread: '{n} in thread',
    enableAlerts: 'Enable desktop alerts',
    unreadCount: '{n} unread',
    status_online: 'online',
    status_away: 'away',
    status_offline: 'offline',
    priority_low: 'low',
    priority_normal: 'normal',
    priority_high: 'high',
    priority_urgent: 'urgent',
    pending: 'sending…',
    actionFailed: 'Could not do that: {message}',
    reminderTitle: 'Reminder: {title}',
    notAllowed: 'Not allowed: {message}',
  },
  zh_CN: {
    signInIntro: '使用您的 Herald 账户登录。',
    username: '用户名',
    password: '密码',
    signIn: '登录',
    signingIn: '正在登录…',
    signOut: '退出登录',
    wrongPassword: '用户名或密码错误。',
    accountDisabled: '此账户已被停用。',
    tooManyAttempts: '登录尝试次数过多，请稍候一分钟再试。',
    serverUnreachable: '无法连接服务器，请稍后再试。',
    fillBoth: '请输入用户名和密码。',
    sessionEnded: '您的会话已结束（令牌已被撤销或已过期），请重新登录。',
    sessionDisabled: '您的账户已被停用，请联系管理员。',
    sessionExpired: '您的会话因长时间未使用已过期，请重新登录。',
    connecting: '正在连接…',
    connected: '已连接',
    reconnecting: '连接已断开，{s} 秒后重新连接…',
    online: '{n} 人在线',
    rooms: '聊天室',
    directMessages: '私信',
    roomsAndPeople: '聊天室和联系人',
    roomToJoin: '要加入的聊天室',
    join: '加入',
    personToMessage: '私信对象',
    message: '发私信',
    conversation: '对话',
    messages: '消息',
    messageText: '消息内容',
    writeMessage: '输入消息…',
    send: '发送',
    members: '成员',
    loadOlder: '加载更早的消息',
    noRoom: '请选择聊天室',
    roomOnline: '{members} 人中 {online} 人在线',
    typing: '{user} 正在输入…',
    notifications: '通知',
    markAllRead: '全部标为已读',
    noNotifications: '没有通知',
    resolvedBy: '{by}：{action}',
    resolvedBySource: '已由 {by} 处理：{text}',
    resolvedBySourceBare: '已由 {by} 处理',
    open: '打开',
    markRead: '标为已读',
    markThreadRead: '整个会话标为已读',
    inThread: '此会话共 {n} 条',
    enableAlerts: '启用桌面提醒',
    unreadCount: '{n} 条未读',
    status_online: '在线',
    status_away: '离开',
    status_offline: '离线',
    priority_low: '低',
    priority_normal: '普通',
    priority_high: '高',
    priority_urgent: '紧急',
    pending: '发送中…',
    actionFailed: '操作失败：{message}',
    reminderTitle: '提醒：{title}',
    notAllowed: '不允许：{message}',
  },
};

export function pickLanguage(languages) {
  for (const l of languages || []) {
    if (/^zh\b/i.test(l)) return 'zh_CN';
    if (/^en\b/i.test(l)) return 'en';
  }
  return 'en';
}

export const language = pickLanguage(
  typeof navigator === 'undefined' ? [] : (navigator.languages || [navigator.language]));

/** The locale for dates and times: the catalogue's for Chinese, the browser's own otherwise. */
export const locale = language === 'zh_CN' ? 'zh-CN' : undefined;

/** The string for key in the browser's language, with {name} placeholders filled in. */
export function t(key, params = {}) {
  const s = catalogue[language][key] ?? catalogue.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** Fills data-i18n (text), data-i18n-aria (aria-label) and data-i18n-placeholder under root. */
export function translate(root) {
  document.documentElement.lang = language === 'zh_CN' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria]'))
    el.setAttribute('aria-label', t(el.dataset.i18nAria));
  for (const el of root.querySelectorAll('[data-i18n-placeholder]'))
    el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder));
}
