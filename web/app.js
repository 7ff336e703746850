// The Herald browser client: sign-in, rooms and direct messages (mentions, edits, deletions,
// reactions and search: messages.js, search.js), notifications with their actions (inbox.js),
// presence and the online count. Everything goes over the WebSocket protocol of
// docs/protocol.md; sign-in is POST /api/v1/login (docs/api.md). No inline scripts or styles,
// and no innerHTML: the page runs under a strict Content-Security-Policy with Trusted Types.
// Over 500 lines: this is the one module that holds the connection, so the frame routing,
// resume and the room views that need them stay together; features live in their modules.
import { Connection } from './connection.js';
import { Store } from './store.js';
import { t, translate } from './i18n.js';
import { Receipts } from './receipts.js';
import { el, replaceList } from './dom.js';
import { applyReaction, messageItem } from './messages.js';
import { Search } from './search.js';
import { Inbox } from './inbox.js';
import { Files } from './files.js';
import { ChatActions } from './chatactions.js';

const SESSION_KEY = 'herald.session'; // sessionStorage: see docs/security.md
const $ = (id) => document.getElementById(id);
const store = new Store();
let conn = null;
let current = null; // the room on screen
let lastTyping = 0;
// Delivered and seen acknowledgements of notifications (per-person receipts for publishers).
const receipts = new Receipts((frame) => (conn ? conn.request(frame) : Promise.reject(new Error('offline'))));
const files = new Files(() => conn?.token || '');
const inbox = new Inbox(store, receipts, {
  request: (frame) => (conn ? conn.request(frame) : Promise.reject(new Error(t('offline')))),
  showError: (text) => showError('side-error', text),
});

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
  files.reset();
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
  for (const [clientId, m] of store.outbox) sendMessage(m.room, m.text, clientId, m.file);
}

function onFrame(f) {
  switch (f.type) {
  case 'message': {
    const gapFrom = store.addMessage(f, true);
    if (gapFrom >= 0) pageForward(f.room, gapFrom).catch(() => {});
    break;
  }
  case 'msg.edited':
  case 'msg.deleted':
  case 'msg.reaction': {
    const gapFrom = store.applyChange(f, applyReaction);
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

function sendMessage(room, text, clientId = newClientId(), file = null) {
  store.outbox.set(clientId, { room, text, file });
  store.changed({ room });
  if (!conn || !conn.ready) return; // sent after the next hello or resume
  const frame = { type: 'msg.send', room, clientId, text };
  if (file) frame.file = file;
  conn.request(frame).then(() => {}, (e) => {
    if (e.code === 'offline') return; // stays in the outbox and goes again after reconnecting
    store.outbox.delete(clientId);
    store.changed({ room });
    showError('side-error', t('actionFailed', { message: e.message }));
  });
}

async function selectRoom(name) {
  if (name !== current) {
    chatUi.editing = null;
    chatUi.picking = null;
  }
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

// What the person has open in the message list, and what its buttons do (web/chatactions.js).
const chatUi = new ChatActions(store, files, {
  request: (frame) => (conn ? conn.request(frame) : Promise.reject(new Error(t('offline')))),
  current: () => current,
  showError: (text) => showError('side-error', text),
});

/** Uploads a chosen, dropped or pasted file and sends it to the room on screen, with what
 *  the composer holds as its caption. */
async function sendFile(blob, name) {
  const room = current;
  if (!room || !conn) return;
  const status = $('upload-status');
  status.textContent = t('uploading', { name });
  status.classList.remove('error');
  try {
    const meta = await files.upload(blob, name);
    const caption = $('send-text').value;
    $('send-text').value = '';
    sendMessage(room, caption.trim() ? caption : '', newClientId(), { id: meta.id, name: meta.name });
    status.textContent = '';
  } catch (e) {
    status.textContent = t('uploadFailed', { name, message: e.message });
    status.classList.add('error');
  }
}

/** Shows a search hit in its room: the messages around it, the hit scrolled to and focused. */
async function openHit(room, seq) {
  search.close();
  chatUi.found = `${room}:${seq}`;
  await selectRoom(room);
  // Page backward from the oldest message held down to the hit and ten before it, so that
  // the history on screen has no hole (paging on from there works as always).
  const r = store.room(room);
  try {
    while (r.hasOlder && r.messages.size && Math.min(...r.messages.keys()) > seq - 10) {
      const d = await conn.request({ type: 'room.history', room, before: Math.min(...r.messages.keys()), limit: 200 });
      for (const m of d.messages) store.addMessage(m, false);
      r.hasOlder = d.hasMore;
    }
  } catch (e) {
    showError('side-error', t('actionFailed', { message: e.message }));
  }
  store.changed({ room });
  requestAnimationFrame(() => {
    const li = document.querySelector(`#messages li[data-key="${CSS.escape(chatUi.found)}"]`);
    li?.scrollIntoView({ block: 'center' });
    li?.focus();
  });
}

const search = new Search($('search-panel'), $('search-results'), $('search-title'), $('search-more'), {
  request: (frame) => (conn ? conn.request(frame) : Promise.reject(new Error(t('offline')))),
  label: (name) => {
    const r = store.rooms.get(name);
    return r ? (r.info.kind === 'dm' ? '@ ' : '# ') + roomLabel(r) : name;
  },
  open: openHit,
});

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
  inbox.render();
}

function renderChat() {
  const r = current && store.rooms.get(current);
  $('room-title').textContent = r ? (r.info.kind === 'dm' ? '@ ' : '# ') + roomLabel(r) : t('noRoom');
  $('room-online').textContent = r && r.info.members
    ? t('roomOnline', { online: r.info.online ?? 0, members: r.info.members }) : '';
  $('send-text').disabled = !r;
  $('send-button').disabled = !r;
  $('attach-button').disabled = !r;
  const list = $('messages');
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
  const items = store.sortedMessages(current).map((m) => messageItem(m, store.me?.name, chatUi));
  if (r && r.hasOlder && r.messages.size)
    items.unshift(el('li', { class: 'older', 'data-key': 'older' }, el('button', {
      type: 'button', class: 'secondary', id: 'older-button', 'data-key': 'older-button',
      text: t('loadOlder'), onclick: () => loadOlder(current),
    })));
  for (const [clientId, m] of store.outbox) {
    if (m.room !== current) continue;
    items.push(el('li', { class: 'message mine pending', 'data-client-id': clientId, 'data-key': clientId },
      el('span', { class: 'from', text: store.me?.name || '' }),
      el('span', { class: 'ts', text: t('pending') }),
      el('p', { class: 'text', text: m.file ? `📎 ${m.file.name}${m.text ? ` — ${m.text}` : ''}` : m.text })));
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
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    search.run($('search-text').value);
  });
  $('search-more').addEventListener('click', () => search.page());
  $('attach-button').addEventListener('click', () => $('attach-input').click());
  $('attach-input').addEventListener('change', () => {
    for (const f of $('attach-input').files) sendFile(f, f.name);
    $('attach-input').value = '';
  });
  // A pasted image (a screenshot) goes as a file; pasted text stays text.
  $('send-text').addEventListener('paste', (e) => {
    const image = [...(e.clipboardData?.files || [])].find((f) => f.type.startsWith('image/'));
    if (!image) return;
    e.preventDefault();
    const ext = image.type.split('/')[1] || 'png';
    sendFile(image, image.name && image.name !== 'image.png' ? image.name
      : `${t('pastedImage')} ${new Date().toISOString().slice(0, 19).replace('T', ' ').replace(/:/g, '.')}.${ext}`);
  });
  const chat = document.querySelector('section.chat');
  chat.addEventListener('dragover', (e) => {
    if (current && [...(e.dataTransfer?.types || [])].includes('Files')) e.preventDefault();
  });
  chat.addEventListener('drop', (e) => {
    if (!current || !e.dataTransfer?.files.length) return;
    e.preventDefault();
    for (const f of e.dataTransfer.files) sendFile(f, f.name);
  });
  $('search-close').addEventListener('click', () => {
    search.close();
    $('search-text').focus();
  });
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
      e.preventDefault();
      $('search-text').focus();
    } else if (e.key === 'Escape' && chatUi.picking) {
      chatUi.pick(null);
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
