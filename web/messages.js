// A chat message as the page shows it: the text with its mentions marked, "(edited)", the
// "message deleted" line, reactions as toggle buttons with who reacted, and the buttons of
// what one can do with it (react; edit and delete one's own). The rules are the server's:
// docs/protocol.md, msg.send (mentions), msg.edit, msg.delete and msg.react.
import { el, marked } from './dom.js';
import { locale, t } from './i18n.js';
import { humanSize } from './files.js';

/** The reactions the server takes (msg.react), in the order the picker shows them. */
export const REACTIONS = ['👍', '👎', '😄', '🎉', '😕', '❤️', '🚀', '👀'];

// `@name` where the `@` does not follow a name character; a name ends in a letter or digit
// (the server drops a trailing `.`, `-` or `_`).
const MENTION = /()(?<![a-z0-9._-])(@[a-z0-9._-]*[a-z0-9])/g;

/** Whether the message mentions `me`, by name or with `@room`. */
export function mentionsMe(m, me) {
  return !m.deleted && (!!m.mentionsRoom || (m.mentions || []).includes(me));
}

/** The text as nodes: the mentions the server recorded in <mark class="mention">. */
export function messageText(m) {
  const names = new Set(m.mentions || []);
  return marked(m.text, MENTION, 'mark', 'mention',
    (part) => names.has(part.slice(1)) || (part === '@room' && !!m.mentionsRoom));
}

/**
 * The <li> of message m. `ui` holds what the person has open: `editing` and `picking` (the
 * key `room:seq` of the message being edited, or whose reaction picker is open), and the
 * handlers, each called with the message's room and seq (the page re-renders; a kept element
 * must not act on an old copy of its message).
 */
export function messageItem(m, me, ui) {
  const key = `${m.room}:${m.seq}`;
  const mine = m.from === me;
  const cls = ['message'];
  if (mine) cls.push('mine');
  if (m.deleted) cls.push('deleted');
  if (mentionsMe(m, me)) cls.push('mentions-me');
  if (ui.found === key) cls.push('found');
  const head = [
    el('span', { class: 'from', text: m.from }),
    el('time', { class: 'ts', text: new Date(m.ts).toLocaleTimeString(locale), dateTime: new Date(m.ts).toISOString() }),
  ];
  if (m.edited && !m.deleted)
    head.push(el('span', { class: 'edited', text: t('edited'),
      title: new Date(m.edited).toLocaleString(locale) }));
  const li = el('li', { class: cls.join(' '), 'data-seq': m.seq, 'data-room': m.room, 'data-key': key,
    tabIndex: -1 }, ...head);
  if (m.deleted) {
    li.append(el('p', { class: 'text deleted-text', text: t('messageDeleted') }));
    return li;
  }
  if (ui.editing === key) {
    const input = el('input', { class: 'edit-text', 'data-key': `${key}:edit`, maxLength: 4000,
      'aria-label': t('editMessage'), value: m.text });
    input.defaultValue = m.text;
    li.append(el('form', {
      class: 'edit-form', 'data-key': `${key}:form`,
      onsubmit: (e) => { e.preventDefault(); ui.saveEdit(m.room, m.seq, input.value); },
      onkeydown: (e) => { if (e.key === 'Escape') ui.cancelEdit(); },
    }, input,
    el('button', { type: 'submit', text: t('save'), 'data-key': `${key}:save` }),
    el('button', { type: 'button', class: 'secondary', text: t('cancel'), 'data-key': `${key}:cancel`,
      onclick: () => ui.cancelEdit() })));
  } else if (m.text || !m.file) {
    li.append(el('p', { class: 'text' }, ...messageText(m)));
  }
  if (m.file) li.append(attachment(m.file, key, ui));
  const reactions = el('div', { class: 'reactions' });
  for (const r of m.reactions || []) {
    const people = r.people || [];
    const on = people.includes(me);
    reactions.append(el('button', {
      type: 'button', class: on ? 'reaction on' : 'reaction', 'data-emoji': r.emoji,
      'data-key': `${key}:r:${r.emoji}`, 'aria-pressed': String(on), title: people.join(', '),
      'aria-label': t('reactionWho', { emoji: r.emoji, n: r.count, people: people.join(', ') }),
      text: `${r.emoji} ${r.count}`, onclick: () => ui.react(m.room, m.seq, r.emoji, !on),
    }));
  }
  const actions = el('div', { class: 'message-actions' },
    el('button', { type: 'button', class: 'secondary small react-button', text: '☺+',
      'data-key': `${key}:pick`, 'aria-label': t('addReaction'), 'aria-expanded': String(ui.picking === key),
      onclick: () => ui.pick(ui.picking === key ? null : key) }));
  if (mine) {
    actions.append(
      el('button', { type: 'button', class: 'secondary small edit-button', text: t('edit'),
        'data-key': `${key}:editb`, onclick: () => ui.edit(key) }),
      el('button', { type: 'button', class: 'secondary small delete-button', text: t('delete'),
        'data-key': `${key}:delete`, onclick: () => ui.remove(m.room, m.seq) }));
  }
  if (ui.picking === key) {
    const held = new Set((m.reactions || []).filter((r) => (r.people || []).includes(me)).map((r) => r.emoji));
    actions.append(el('span', { class: 'picker', role: 'group', 'aria-label': t('addReaction') },
      ...REACTIONS.map((e) => el('button', {
        type: 'button', class: 'secondary small pick', text: e, 'data-emoji': e, 'data-key': `${key}:p:${e}`,
        'aria-label': t('reactWith', { emoji: e }), 'aria-pressed': String(held.has(e)),
        onclick: () => { ui.pick(null); ui.react(m.room, m.seq, e, !held.has(e)); },
      }))));
  }
  if (reactions.childElementCount) li.append(reactions);
  li.append(actions);
  return li;
}

const PREVIEWED = /^image\/(png|jpeg|gif|webp)$/;

/** A message's file: an image as a preview (a link to the picture), anything else as a chip. */
function attachment(f, key, ui) {
  if (PREVIEWED.test(f.type || '')) {
    const url = ui.fileUrl(f.id);
    if (url)
      return el('a', { class: 'attachment image', href: url, target: '_blank', rel: 'noopener',
        'data-file': f.id, 'data-key': `${key}:file`, 'aria-label': t('openImage', { name: f.name }) },
      el('img', { class: 'preview', src: url, alt: f.name }));
    return el('span', { class: 'attachment image loading', 'data-file': f.id, text: t('loadingImage', { name: f.name }) });
  }
  return el('span', { class: 'attachment file', 'data-file': f.id },
    el('span', { class: 'file-name', text: `📄 ${f.name}` }),
    el('span', { class: 'file-size muted', text: humanSize(f.size || 0) }),
    el('button', { type: 'button', class: 'secondary small download', text: t('download'),
      'data-key': `${key}:download`, 'aria-label': t('downloadFile', { name: f.name }),
      onclick: () => ui.download(f.id, f.name) }));
}

/** Applies msg.reaction f to the reactions of message m (twice changes nothing). */
export function applyReaction(m, f) {
  const list = (m.reactions || []).map((r) => ({ ...r, people: [...(r.people || [])] }));
  let r = list.find((x) => x.emoji === f.emoji);
  if (!r && f.on) list.push(r = { emoji: f.emoji, count: 0, people: [] });
  if (r) {
    const has = r.people.includes(f.by);
    if (f.on && !has) r.people.push(f.by);
    if (!f.on && has) r.people = r.people.filter((p) => p !== f.by);
    r.count = r.people.length;
  }
  m.reactions = list.filter((x) => x.count > 0);
}
