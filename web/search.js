// Message search (room.search, docs/protocol.md): the results of a query over the rooms one is a
// member of, newest first, a page at a time, each hit with the query's words in bold. Opening a
// hit is the app's business (it loads the message with what surrounds it).
import { el, marked, replaceList, words } from './dom.js';
import { locale, t } from './i18n.js';

export class Search {
  /**
   * request(frame) sends a request and resolves with its data; label(room) names a room;
   * open(room, seq) shows a hit in its room.
   */
  constructor(panel, list, title, more, { request, label, open }) {
    Object.assign(this, { panel, list, title, more, request, label, open });
    this.query = '';
    this.hits = [];
    this.next = null;
    this.error = '';
    this.busy = false;
  }

  async run(query) {
    this.query = query.trim();
    this.hits = [];
    this.next = null;
    if (!this.query) return this.close();
    await this.page();
  }

  async page() {
    if (this.busy) return;
    this.busy = true;
    this.error = '';
    const frame = { type: 'room.search', query: this.query, limit: 20 };
    if (this.next) frame.before = this.next;
    try {
      const d = await this.request(frame);
      this.hits.push(...d.results);
      this.next = d.next;
    } catch (e) {
      this.error = t('searchFailed', { message: e.message });
    }
    this.busy = false;
    this.render();
  }

  close() {
    this.query = '';
    this.panel.hidden = true;
    this.hits = [];
    this.next = null;
  }

  render() {
    this.panel.hidden = false;
    this.title.textContent = this.error || (this.hits.length
      ? t('searchResults', { query: this.query, n: this.hits.length })
      : t('searchNothing', { query: this.query }));
    this.more.hidden = !this.next;
    const pattern = words(this.query).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    const bold = pattern ? new RegExp(`()(?<![\\p{L}\\p{M}\\p{N}])(${pattern})`, 'giu') : null;
    replaceList(this.list, this.hits.map((h) => {
      const text = h.snippet || h.text;
      return el('li', { 'data-key': `${h.room}:${h.seq}` }, el('button', {
        type: 'button', class: 'hit', 'data-room': h.room, 'data-seq': h.seq,
        'data-key': `hit:${h.room}:${h.seq}`, onclick: () => this.open(h.room, h.seq),
      },
      el('span', { class: 'hit-where', text: `${this.label(h.room)} · ${h.from} · ${new Date(h.ts).toLocaleString(locale)}` }),
      el('span', { class: 'hit-text' }, ...(bold ? marked(text, bold, 'strong', 'word') : [text]))));
    }));
  }
}
