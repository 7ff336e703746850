// What the browser knows: rooms with their messages, notifications, cursors and the outbox.
// Every message is kept by (room, seq) and every notification by id, so a frame that arrives
// twice (live and again from a resume or a history page) is shown once. The cursors are what
// `resume` sends after a reconnect (docs/protocol.md, "Sequences and resume").

export class Store extends EventTarget {
  constructor() {
    super();
    this.reset();
  }

  reset() {
    this.me = null;
    this.rooms = new Map(); // name -> {info, messages: Map(seq -> message), cursor, loaded}
    this.notifications = new Map(); // id -> notification object
    this.notifCursor = 0;
    this.changeCursor = null; // the highest changeSeq seen (null: the server numbers none)
    this.unread = 0;
    this.online = 0;
    this.synced = false; // a first hello has been seen: cursors are meaningful
    this.outbox = new Map(); // clientId -> {room, text}
    this.members = new Map(); // room -> Map(user -> status), for rooms whose members were listed
    this.typing = new Map(); // room -> {user, until}
  }

  changed(what) {
    this.dispatchEvent(new CustomEvent('changed', { detail: what }));
  }

  /** The `resume` frame for a reconnect, or null before the first hello. */
  resumeFrame() {
    if (!this.synced) return null;
    const rooms = {};
    for (const [name, r] of this.rooms) if (r.info.member !== false) rooms[name] = r.cursor;
    const frame = { type: 'resume', rooms, notifications: this.notifCursor };
    // The final state of notifications changed while away (notif.updated / notif.retracted).
    if (this.changeCursor !== null) frame.notifChanges = this.changeCursor;
    return frame;
  }

  room(name) {
    let r = this.rooms.get(name);
    if (!r) {
      r = {
        info: { name, title: '', kind: 'public', lastSeq: 0 },
        messages: new Map(),
        cursor: 0,
        loaded: false, // the newest page of history was asked for
        hasOlder: false, // there is history before the oldest message held
      };
      this.rooms.set(name, r);
    }
    return r;
  }

  upsertRoom(info) {
    const known = this.rooms.has(info.name);
    const r = this.room(info.name);
    r.info = { ...r.info, ...info };
    if (!known) r.cursor = info.lastSeq || 0; // older messages come from room.history
    this.changed('rooms');
    return r;
  }

  removeRoom(name) {
    this.rooms.delete(name);
    this.members.delete(name);
    this.changed('rooms');
  }

  applyHello(h) {
    this.me = h.user;
    this.online = h.online;
    this.unread = h.unread;
    for (const info of h.rooms || []) this.upsertRoom(info);
    for (const n of h.notifications || []) this.addNotification(n, false);
    if (!this.synced) this.notifCursor = Math.max(this.notifCursor, h.notifSeq || 0);
    // After a reconnect the resume asks from the cursor held, not from the hello's newer one.
    if (!this.synced && typeof h.notifChanges === 'number') this.noteChange(h.notifChanges);
    this.synced = true;
    this.changed('all');
  }

  /**
   * Adds a message unless it is already there. Returns the cursor to fill a gap from (live
   * messages only), or -1.
   */
  addMessage(m, live) {
    const r = this.room(m.room);
    if (m.clientId && m.from === this.me?.name) this.outbox.delete(m.clientId);
    let gapFrom = -1;
    if (!r.messages.has(m.seq)) {
      r.messages.set(m.seq, m);
      if (live && m.seq > r.cursor + 1 && r.cursor > 0) gapFrom = r.cursor;
    } else if (!live) {
      // A history page holds the message as it is now (edited, deleted, its reactions).
      r.messages.set(m.seq, m);
    }
    if (m.seq > r.cursor) r.cursor = m.seq;
    if (r.info.lastSeq < m.seq) r.info.lastSeq = m.seq;
    const t = this.typing.get(m.room);
    if (t && t.user === m.from) this.typing.delete(m.room);
    this.changed({ room: m.room });
    return gapFrom;
  }

  /**
   * An edit, deletion or reaction (msg.edited, msg.deleted, msg.reaction): it moves the room's
   * cursor like a message (it has a seq of its own) and changes the message it targets, if held
   * here; applying one twice changes nothing. Returns the cursor to fill a gap from, or -1.
   */
  applyChange(f, applyReaction) {
    const r = this.room(f.room);
    const gapFrom = f.seq > r.cursor + 1 && r.cursor > 0 ? r.cursor : -1;
    if (f.seq > r.cursor) r.cursor = f.seq;
    if (r.info.lastSeq < f.seq) r.info.lastSeq = f.seq;
    const m = r.messages.get(f.target);
    if (m && f.type === 'msg.edited' && !m.deleted) {
      m.text = f.text;
      m.edited = f.editedAt;
    } else if (m && f.type === 'msg.deleted') {
      m.deleted = true;
      m.text = '';
      delete m.reactions;
      delete m.mentions;
      delete m.mentionsRoom;
    } else if (m && f.type === 'msg.reaction' && !m.deleted) {
      applyReaction(m, f);
    }
    this.changed({ room: f.room });
    return gapFrom;
  }

  sortedMessages(name) {
    const r = this.rooms.get(name);
    if (!r) return [];
    return [...r.messages.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Adds or updates a notification; true when it is new to this browser. */
  addNotification(n, live) {
    const known = this.notifications.get(n.id);
    this.notifications.set(n.id, known ? { ...known, ...n } : n);
    if (n.id > this.notifCursor) this.notifCursor = n.id;
    if (live && !known && !n.read) this.unread += 1;
    this.changed('notifications');
    return !known;
  }

  /** Keeps the highest change number seen: what `resume.notifChanges` sends. */
  noteChange(changeSeq) {
    if (typeof changeSeq !== 'number') return;
    if (this.changeCursor === null || changeSeq > this.changeCursor) this.changeCursor = changeSeq;
  }

  resolve(f) {
    this.noteChange(f.changeSeq);
    const n = this.notifications.get(f.notification);
    if (n) n.resolved = { action: f.action, by: f.by, at: f.at };
    this.changed('notifications');
  }

  /** notif.updated: the whole new state replaces the old; read state stays this person's. */
  updateNotification(f) {
    this.noteChange(f.changeSeq);
    const known = this.notifications.get(f.notification.id);
    if (!known) return; // not held here: a later list brings its current state
    this.notifications.set(known.id, { ...f.notification, read: known.read || !!f.notification.read });
    this.changed('notifications');
  }

  /** notif.retracted: gone. The unread count follows in the server's notif.unread. */
  retractNotification(f) {
    this.noteChange(f.changeSeq);
    this.notifications.delete(f.notification);
    this.changed('notifications');
  }

  markRead(ids, all, unread) {
    for (const n of this.notifications.values()) if (all || ids.includes(n.id)) n.read = true;
    if (typeof unread === 'number') this.unread = unread;
    this.changed('notifications');
  }

  sortedNotifications() {
    return [...this.notifications.values()].sort((a, b) => b.id - a.id);
  }

  /**
   * The notifications as the list shows them, newest first: one entry per thread (a service's
   * threadKey) with its notifications, newest first; one without a threadKey stands alone.
   */
  threads() {
    const byKey = new Map();
    for (const n of this.sortedNotifications()) {
      const key = n.threadKey ? `${n.source?.service || ''}\n${n.threadKey}` : `#${n.id}`;
      if (!byKey.has(key)) byKey.set(key, { key, items: [] });
      byKey.get(key).items.push(n);
    }
    return [...byKey.values()];
  }

  setPresence(f) {
    const r = this.rooms.get(f.room);
    if (r) r.info.online = f.online;
    const m = this.members.get(f.room);
    if (m) for (const u of f.users) m.set(u.user, u.status);
    this.changed({ room: f.room, presence: true });
  }
}
