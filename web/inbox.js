// The notification list: one entry per thread with its actions, "Mark read", "Mark thread
// read" and the unread badge; what the list shows is acknowledged as delivered or seen
// (receipts.js). The frames are those of docs/protocol.md (notif.action, notif.read,
// notif.readThread).
import { el, replaceList } from './dom.js';
import { locale, t } from './i18n.js';

export class Inbox {
  /** request(frame) resolves with a request's data; showError(text) shows a failure. */
  constructor(store, receipts, { request, showError }) {
    Object.assign(this, { store, receipts, request, showError });
    this.$ = (id) => document.getElementById(id);
  }

  act(n, action) {
    this.request({ type: 'notif.action', notification: n.id, action }).then((d) => {
      this.store.resolve({ notification: n.id, ...d.resolved });
      this.store.markRead([n.id], false, d.unread);
    }, (e) => this.showError(t('actionFailed', { message: e.message })));
  }

  markRead(ids) {
    this.request({ type: 'notif.read', ids }).then((d) => this.store.markRead(ids, false, d.unread), () => {});
  }

  /** Reads every notification of a thread, also those older than the ones held here. */
  markThreadRead(n) {
    this.request({ type: 'notif.readThread', service: n.source?.service || '', threadKey: n.threadKey })
      .then((d) => this.store.markRead(d.ids, false, d.unread), () => {});
  }

  render() {
    this.$('unread').textContent = this.store.unread ? String(this.store.unread) : '';
    this.$('unread').setAttribute('aria-label', t('unreadCount', { n: this.store.unread }));
    const threads = this.store.threads();
    // Everything listed arrived here; with the page on screen, the person sees each thread's
    // newest entry (the older ones of a thread are folded into it).
    const visible = document.visibilityState === 'visible';
    for (const { items } of threads) {
      for (const [i, x] of items.entries()) {
        if (visible && i === 0) this.receipts.seen(x.id);
        else this.receipts.delivered(x.id);
      }
    }
    if (!threads.length) return replaceList(this.$('notifications'), [el('li', { class: 'muted empty', 'data-key': 'empty', text: t('noNotifications') })]);
    // One entry per thread: its newest notification, with how many there are.
    replaceList(this.$('notifications'), threads.map(({ items }) => {
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
            'data-action': a.id, onclick: () => this.act(n, a.id) }));
      }
      if (!n.read && !n.resolved)
        actions.append(el('button', { type: 'button', class: 'secondary', text: t('markRead'),
          'data-key': `n${n.id}:read`, onclick: () => this.markRead([n.id]) }));
      if (items.length > 1 && unreadInThread > 0)
        actions.append(el('button', { type: 'button', class: 'secondary mark-thread-read', text: t('markThreadRead'),
          'aria-label': t('markThreadRead'), 'data-key': `n${n.id}:readThread`, onclick: () => this.markThreadRead(n) }));
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
}
