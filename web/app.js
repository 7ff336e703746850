// The Herald browser client: sign-in, rooms and direct messages, notifications with their
// actions, presence and the online count. Everything goes over the WebSocket protocol of
// docs/protocol.md; sign-in is POST /api/v1/login (docs/api.md). No inline scripts or styles,
// and no innerHTML: the page runs under a strict Content-Security-Policy with Trusted Types.
import { Connection } from './connection.js';
import { Store } from './store.js';
import { locale, t, translate } from './i18n.js';
import { Receipts } from './receipts.js';

const SESSION_KEY = 'herald.session'; // sessionStorage: see docs/security.md
const $ = (id) => document.getElementById(id);
const store = new Store();
let conn = null;
let current = null; // the room on screen
let lastTyping = 0;
// Delivered and seen acknowledgements of notifications (per-person receipts for publishers).
const receipts = new Receipts((frame) => (conn ? conn.request(frame) : Promise.reject(new Error('offline'))));

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k.startsWith('data-') || k.startsWith('aria-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

function setState(state) {
  document.body.dataset.state = state;
}

function showError(id, text) {
  const p = $(id);
  p.textContent = text || '';
  p.hidden = !text;
}

// ---- sign-in -----------------------------------------------------------------------------

function showSignIn(message) {
  if (conn) conn.stop();
  conn = null;
  sessionStorage.removeItem(SESSION_KEY);
  store.reset();
  current = null;
  $('app').hidden = true;
  $('signin').hidden = false;
  $('password').value = '';
  showError('signin-error', message);
  setState('signin');
  $($('username').value ? 'password' : 'username').focus();
}

// Signing out ends the session on the server too (POST /api/v1/logout revokes the token and
// closes its connections); the tab forgets the token whether or not the server answers.
function signOut() {
  const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
  if (saved && saved.token) {
    fetch('/api/v1/logout', { method: 'POST', headers: { Authorization: `Bearer ${saved.token}` } })
      .catch(() => {});
  }
  receipts.reset();
  showSignIn('');
}

async function signIn(event) {
  event.preventDefault();
  const username = $('username').value.trim();
  const password = $('password').value;
  if (!username || !password) return showError('signin-error', t('fillBoth'));
  const button = $('signin-button');
  button.disabled = true;
  button.textContent = t('signingIn');
  try {
    const r = await fetch('/api/v1/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
      cache: 'no-store',
    });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) {
      const code = body.error?.code;
      showError('signin-error', code === 'forbidden' ? t('accountDisabled')
        : code === 'rate_limited' ? t('tooManyAttempts')
        : code === 'unauthorized' || code === 'bad_value' ? t('wrongPassword')
        : t('serverUnreachable'));
      return;
    }
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ token: body.token, user: body.user }));
    $('password').value = '';
    connect(body.token);
  } catch {
    showError('signin-error', t('serverUnreachable'));
  } finally {
    button.disabled = false;
    button.textContent = t('signIn');
  }
}

// ---- the connection ----------------------------------------------------------------------

function connect(token) {
  $('signin').hidden = true;
  $('app').hidden = false;
  showError('signin-error', '');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  conn = new Connection(url, token, (c) => {
    const resume = store.resumeFrame();
    if (resume) c.request(resume).then(afterResume, () => {});
  });
  conn.addEventListener('state', (e) => {
    const { state, delay } = e.detail;
    setState(state === 'open' ? 'connected' : state);
    $('status').textContent = state === 'open' ? t('connected')
      : state === 'waiting' ? t('reconnecting', { s: Math.ceil(delay / 1000) }) : t('connecting');
    $('status').className = `status ${state}`;
  });
  conn.addEventListener('hello', (e) => onHello(e.detail));
  conn.addEventListener('frame', (e) => onFrame(e.detail));
  conn.addEventListener('authfailed', (e) =>
    showSignIn(e.detail.code === 4004 ? t('sessionDisabled')
      : e.detail.code === 4010 ? t('sessionExpired') : t('sessionEnded')));
  conn.start();
}

function onHello(h) {
  const first = !store.synced;
  store.applyHello(h);
  $('me').textContent = h.user.display || h.user.name;
  if (first) {
    conn.request({ type: 'notif.list', limit: 50 }).then((d) => {
      for (const n of d.notifications) store.addNotification(n, false);
    }, () => {});
    const rooms = [...store.rooms.keys()].sort();
    if (!current && rooms.length) selectRoom(rooms.includes('general') ? 'general' : rooms[0]);
    flushOutbox();
  } else if (current) {
    loadMembers(current);
  }
  receipts.flush();
}

function afterResume(d) {
  for (const [name, seq] of Object.entries(d.rooms || {})) {
    const r = store.rooms.get(name);
    if (r && seq > r.cursor) r.cursor = seq;
  }
  for (const name of d.truncated || []) pageForward(name);
  if (d.notificationsTruncated)
    conn.request({ type: 'notif.list', limit: 50 }).then((l) => {
      for (const n of l.notifications) store.addNotification(n, false);
    }, () => {});
  if (typeof d.unread === 'number') store.unread = d.unread;
  if (typeof d.notifChanges === 'number') store.noteChange(d.notifChanges);
  store.changed('notifications');
  flushOutbox();
  receipts.flush();
}

/** Pages a room forward from its cursor until nothing is missing (truncated resume, gaps). */
async function pageForward(name, from) {
  let after = from ?? store.room(name).cursor;
  for (;;) {
    const d = await conn.request({ type: 'room.history', room: name, after, limit: 200 });
    for (const m of d.messages) store.addMessage(m, false);
    if (!d.hasMore || !d.messages.length) break;
    after = d.messages[d.messages.length - 1].seq;
  }
}

function flushOutbox() {
  for (const [clientId, m] of store.outbox) sendMessage(m.room, m.text, clientId);
}

function onFrame(f) {
  switch (f.type) {
  case 'message': {
    const gapFrom = store.addMessage(f, true);
    if (gapFrom >= 0) pageForward(f.room, gapFrom).catch(() => {});
    break;
  }
  case 'notification':
    if (store.addNotification(f.notification, true)) alertDesktop(f.notification);
    break;
  case 'notif.resolved':
    store.resolve(f);
    break;
  case 'notif.updated':
    store.updateNotification(f);
    break;
  case 'notif.reminder': // a step of its escalation: pop up again, read or not
    if (!store.notifications.get(f.notification.id)?.resolved) alertDesktop(f.notification, true);
    break;
  case 'notif.retracted':
    store.retractNotification(f);
    break;
  case 'notif.unread': // the server's count, e.g. after a retraction
    store.unread = f.count;
    store.changed('notifications');
    break;
  case 'notif.readSync':
    store.markRead(f.ids || [], !!f.all, f.unread);
    break;
  case 'online':
    store.online = f.count;
    store.changed('online');
    break;
  case 'presence':
    store.setPresence(f);
    break;
  case 'member':
    if (f.user === store.me?.name && f.event === 'left') {
      store.removeRoom(f.room);
      if (current === f.room) selectRoom(null);
    } else {
      if (f.info && f.user === store.me?.name) store.upsertRoom(f.info);
      if (current === f.room) loadMembers(f.room);
    }
    break;
  case 'typing':
    store.typing.set(f.room, { user: f.user, until: Date.now() + 4000 });
    store.changed({ room: f.room });
    setTimeout(() => store.changed({ room: f.room }), 4100);
    break;
  default:
    break; // unknown frames are ignored (protocol.md, "Version")
  }
}

// ---- actions -----------------------------------------------------------------------------

/** A fresh clientId; crypto.randomUUID needs a secure context, getRandomValues does not. */
function newClientId() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return 'w-' + [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

function sendMessage(room, text, clientId = newClientId()) {
  store.outbox.set(clientId, { room, text });
  store.changed({ room });
  if (!conn || !conn.ready) return; // sent after the next hello or resume
  conn.request({ type: 'msg.send', room, clientId, text }).then(() => {}, (e) => {
    if (e.code === 'offline') return; // stays in the outbox and goes again after reconnecting
    store.outbox.delete(clientId);
    store.changed({ room });
    showError('side-error', t('actionFailed', { message: e.message }));
  });
}

async function selectRoom(name) {
  current = name;
  store.changed('all');
  if (!name) return;
  const r = store.room(name);
  if (!r.loaded) {
    r.loaded = true;
    try {
      const d = await conn.request({ type: 'room.history', room: name, limit: 50 });
      for (const m of d.messages) store.addMessage(m, false);
      r.hasOlder = d.hasMore;
    } catch {
      r.loaded = false;
    }
  }
  loadMembers(name);
}

/** Pages backward from the oldest message shown. */
async function loadOlder(name) {
  const r = store.room(name);
  const oldest = Math.min(...r.messages.keys());
  try {
    const d = await conn.request({ type: 'room.history', room: name, before: oldest, limit: 50 });
    for (const m of d.messages) store.addMessage(m, false);
    r.hasOlder = d.hasMore;
    store.changed({ room: name });
  } catch {
    // offline: the button stays, and works after reconnecting
  }
}

function loadMembers(name) {
  conn.request({ type: 'room.members', room: name }).then((d) => {
    store.members.set(name, new Map(d.members.map((m) => [m.name, m.status])));
    store.changed({ room: name });
  }, () => {});
}

function act(n, action) {
  conn.request({ type: 'notif.action', notification: n.id, action }).then((d) => {
    store.resolve({ notification: n.id, ...d.resolved });
    store.markRead([n.id], false, d.unread);
  }, (e) => showError('side-error', t('actionFailed', { message: e.message })));
}

function markRead(ids) {
  conn.request({ type: 'notif.read', ids }).then((d) => store.markRead(ids, false, d.unread), () => {});
}

/** Reads every notification of a thread, also those older than the ones held here. */
function markThreadRead(n) {
  conn.request({ type: 'notif.readThread', service: n.source?.service || '', threadKey: n.threadKey })
    .then((d) => store.markRead(d.ids, false, d.unread), () => {});
}

function alertDesktop(n, reminder = false) {
  if (!('Notification' in window) || Notification.permission !== 'granted' || (n.read && !reminder)) return;
  const title = reminder ? t('reminderTitle', { title: n.title }) : n.title;
  const note = new Notification(title, { body: n.body, tag: `herald-${n.id}`, renotify: reminder });
  note.onclick = () => window.focus();
  receipts.seen(n.id);
}

async function requestRoom(event, type, field, input) {
  event.preventDefault();
  const name = $(input).value.trim();
  if (!name) return;
  try {
    const d = await conn.request({ type, [field]: name });
    $(input).value = '';
    showError('side-error', '');
    store.upsertRoom(d.room);
    selectRoom(d.room.name);
  } catch (e) {
    showError('side-error', t('notAllowed', { message: e.message }));
  }
}

// ---- rendering ---------------------------------------------------------------------------

let scheduled = false;
function scheduleRender() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    render();
  });
}

/**
 * Brings a list's children in line with items (each with a data-key), keeping every element
 * whose markup did not change: a button does not vanish under the pointer or lose keyboard
 * focus because something else in the list changed.
 */
function replaceList(list, items) {
  const focused = list.contains(document.activeElement) ? document.activeElement.dataset.key : null;
  const old = new Map([...list.children].map((c) => [c.dataset.key, c]));
  const next = items.map((n) => {
    const o = old.get(n.dataset.key);
    return o && o.outerHTML === n.outerHTML ? o : n;
  });
  const keep = new Set(next);
  for (const c of [...list.children]) if (!keep.has(c)) c.remove();
  next.forEach((n, i) => {
    if (list.children[i] !== n) list.insertBefore(n, list.children[i] || null);
  });
  if (focused && !list.contains(document.activeElement))
    list.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
}

function roomLabel(r) {
  return r.info.kind === 'dm' ? (r.info.peer || r.info.title) : (r.info.title || r.info.name);
}

function render() {
  $('online').textContent = t('online', { n: store.online });
  const rooms = [...store.rooms.values()].sort((a, b) => a.info.name.localeCompare(b.info.name));
  const item = (r) => el('li', { 'data-key': r.info.name }, el('button', {
    type: 'button', class: r.info.name === current ? 'room active' : 'room',
    'data-key': `room:${r.info.name}`, 'data-room': r.info.name,
    'aria-current': r.info.name === current ? 'true' : 'false',
    text: (r.info.kind === 'dm' ? '@ ' : '# ') + roomLabel(r), onclick: () => selectRoom(r.info.name),
  }));
  replaceList($('rooms'), rooms.filter((r) => r.info.kind !== 'dm').map(item));
  replaceList($('dms'), rooms.filter((r) => r.info.kind === 'dm').map(item));
  renderChat();
  renderNotifications();
}

function renderChat() {
  const r = current && store.rooms.get(current);
  $('room-title').textContent = r ? (r.info.kind === 'dm' ? '@ ' : '# ') + roomLabel(r) : t('noRoom');
  $('room-online').textContent = r && r.info.members
    ? t('roomOnline', { online: r.info.online ?? 0, members: r.info.members }) : '';
  $('send-text').disabled = !r;
  $('send-button').disabled = !r;
  const list = $('messages');
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
  const items = store.sortedMessages(current).map((m) => el('li', {
    class: m.from === store.me?.name ? 'message mine' : 'message', 'data-seq': m.seq, 'data-room': m.room,
    'data-key': `${m.room}:${m.seq}`,
  }, el('span', { class: 'from', text: m.from }),
  el('time', { class: 'ts', text: new Date(m.ts).toLocaleTimeString(locale), dateTime: new Date(m.ts).toISOString() }),
  el('p', { class: 'text', text: m.text })));
  if (r && r.hasOlder && r.messages.size)
    items.unshift(el('li', { class: 'older', 'data-key': 'older' }, el('button', {
      type: 'button', class: 'secondary', id: 'older-button', 'data-key': 'older-button',
      text: t('loadOlder'), onclick: () => loadOlder(current),
    })));
  for (const [clientId, m] of store.outbox) {
    if (m.room !== current) continue;
    items.push(el('li', { class: 'message mine pending', 'data-client-id': clientId, 'data-key': clientId },
      el('span', { class: 'from', text: store.me?.name || '' }),
      el('span', { class: 'ts', text: t('pending') }), el('p', { class: 'text', text: m.text })));
  }
  replaceList(list, items);
  if (atBottom) list.scrollTop = list.scrollHeight;
  const typing = current && store.typing.get(current);
  $('typing').textContent = typing && typing.until > Date.now() ? t('typing', { user: typing.user }) : '';
  const members = store.members.get(current) || new Map();
  replaceList($('members'), [...members.entries()].sort().map(([name, status]) =>
    el('li', { class: `member ${status}`, 'data-user': name, 'data-key': name },
      el('span', { class: 'dot', 'aria-hidden': 'true' }),
      el('span', { text: `${name} (${t(`status_${status}`)})` }))));
}

function renderNotifications() {
  $('unread').textContent = store.unread ? String(store.unread) : '';
  $('unread').setAttribute('aria-label', t('unreadCount', { n: store.unread }));
  const threads = store.threads();
  // Everything listed arrived here; with the page on screen, the person sees each thread's
  // newest entry (the older ones of a thread are folded into it).
  const visible = document.visibilityState === 'visible';
  for (const { items } of threads) {
    for (const [i, x] of items.entries()) {
      if (visible && i === 0) receipts.seen(x.id);
      else receipts.delivered(x.id);
    }
  }
  if (!threads.length) return replaceList($('notifications'), [el('li', { class: 'muted empty', 'data-key': 'empty', text: t('noNotifications') })]);
  // One entry per thread: its newest notification, with how many there are.
  replaceList($('notifications'), threads.map(({ items }) => {
    const n = items[0];
    const unreadInThread = items.filter((x) => !x.read).length;
    const actions = el('div', { class: 'actions' });
    if (n.resolved?.source) {
      // Settled by its service in its own system: the service's words.
      const text = n.resolved.text
        ? t('resolvedBySource', { by: n.resolved.by, text: n.resolved.text })
        : t('resolvedBySourceBare', { by: n.resolved.by });
      actions.append(el('span', { class: 'resolved', text }));
    } else if (n.resolved) {
      const label = n.actions?.find((a) => a.id === n.resolved.action)?.label || n.resolved.action;
      actions.append(el('span', { class: 'resolved', text: t('resolvedBy', { action: label, by: n.resolved.by }) }));
    } else {
      for (const [i, a] of (n.actions || []).entries())
        actions.append(el('button', { type: 'button', text: a.label, 'data-key': `n${n.id}:${a.id}`,
          class: i ? 'secondary' : '',
          'data-action': a.id, onclick: () => act(n, a.id) }));
    }
    if (!n.read && !n.resolved)
      actions.append(el('button', { type: 'button', class: 'secondary', text: t('markRead'),
        'data-key': `n${n.id}:read`, onclick: () => markRead([n.id]) }));
    if (items.length > 1 && unreadInThread > 0)
      actions.append(el('button', { type: 'button', class: 'secondary mark-thread-read', text: t('markThreadRead'),
        'aria-label': t('markThreadRead'), 'data-key': `n${n.id}:readThread`, onclick: () => markThreadRead(n) }));
    if (/^https?:\/\//.test(n.link || ''))
      actions.append(el('a', { href: n.link, target: '_blank', rel: 'noopener noreferrer', text: t('open') }));
    return el('li', { class: `notification ${n.priority} ${n.read ? 'read' : 'unread'}`,
      'data-notification-id': n.id, 'data-key': `n${n.id}`,
      'data-thread-count': items.length },
      el('div', { class: 'meta' },
        el('span', { class: `priority ${n.priority}`, text: t(`priority_${n.priority}`) }),
        el('span', { class: 'source', text: n.source?.service || '' }),
        items.length > 1 ? el('span', { class: 'thread-count', text: t('inThread', { n: items.length }) }) : null,
        el('time', { text: new Date(n.createdAt).toLocaleString(locale), dateTime: new Date(n.createdAt).toISOString() })),
      el('h3', { class: 'title', text: n.title }),
      n.body ? el('p', { class: 'body', text: n.body }) : null,
      actions);
  }));
}

// ---- start -------------------------------------------------------------------------------

function init() {
  translate(document);
  store.addEventListener('changed', scheduleRender);
  // Back on screen: what the list shows now counts as seen.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') store.changed('notifications');
  });
  $('signin-form').addEventListener('submit', signIn);
  $('signout-button').addEventListener('click', signOut);
  $('send-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('send-text').value;
    if (!current || !text.trim()) return;
    $('send-text').value = '';
    sendMessage(current, text);
  });
  $('send-text').addEventListener('input', () => {
    if (current && Date.now() - lastTyping > 2000 && conn) {
      lastTyping = Date.now();
      conn.send({ type: 'typing.send', room: current });
    }
  });
  $('join-form').addEventListener('submit', (e) => requestRoom(e, 'room.join', 'room', 'join-name'));
  $('dm-form').addEventListener('submit', (e) => requestRoom(e, 'dm.open', 'user', 'dm-name'));
  $('readall-button').addEventListener('click', () =>
    conn?.request({ type: 'notif.readAll' }).then((d) => store.markRead([], true, d.unread), () => {}));
  if ('Notification' in window && Notification.permission === 'default') {
    $('alerts-button').hidden = false;
    $('alerts-button').addEventListener('click', async () => {
      await Notification.requestPermission();
      $('alerts-button').hidden = Notification.permission !== 'default';
    });
    navigator.permissions?.query({ name: 'notifications' }).then((status) => {
      status.onchange = () => { $('alerts-button').hidden = Notification.permission !== 'default'; };
    }, () => {});
  }
  const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
  if (saved?.token) connect(saved.token);
  else showSignIn('');
}

init();
