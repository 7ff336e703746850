// What can be done to a message from its buttons (web/messages.js): react, edit and delete
// (msg.react, msg.edit, msg.delete in docs/protocol.md), open or save its file; and what the
// person has open in the list: the message being edited, the open reaction picker, the search
// hit last shown. Each handler takes the message's room and seq and looks the message up when
// it runs, so that an element the page kept across renders never acts on an old copy.
import { t } from './i18n.js';

export class ChatActions {
  /** request(frame) resolves with a request's data; current() is the room on screen. */
  constructor(store, files, { request, current, showError }) {
    Object.assign(this, { store, files, request, current, showError });
    this.editing = null; // `room:seq` of the message being edited
    this.picking = null; // `room:seq` whose reaction picker is open
    this.found = null; // `room:seq` of the search hit last opened
  }

  changed() {
    this.store.changed({ room: this.current() });
  }

  failed(e) {
    this.showError(t('actionFailed', { message: e.message }));
  }

  focus(key) {
    requestAnimationFrame(() => document.querySelector(`[data-key="${CSS.escape(key)}"]`)?.focus());
  }

  pick(key) {
    this.picking = key;
    this.changed();
  }

  edit(key) {
    this.editing = key;
    this.changed();
    this.focus(`${key}:edit`);
  }

  cancelEdit() {
    const key = this.editing;
    this.editing = null;
    this.changed();
    this.focus(`${key}:editb`);
  }

  saveEdit(room, seq, text) {
    const m = this.store.rooms.get(room)?.messages.get(seq);
    if (!text.trim() || (m && text === m.text)) return this.cancelEdit();
    this.request({ type: 'msg.edit', room, seq, text }).then(() => this.cancelEdit(), (e) => this.failed(e));
  }

  remove(room, seq) {
    if (!window.confirm(t('confirmDelete'))) return;
    this.request({ type: 'msg.delete', room, seq }).catch((e) => this.failed(e));
  }

  react(room, seq, emoji, on) {
    this.request({ type: 'msg.react', room, seq, emoji, on }).catch((e) => this.failed(e));
  }

  /** A file's blob: URL once fetched (null until then; the list re-renders when it comes). */
  fileUrl(id) {
    return this.files.url(id, () => this.changed());
  }

  download(id, name) {
    this.files.download(id, name).catch((e) => this.failed(e));
  }
}
