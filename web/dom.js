// Building the page without innerHTML (the CSP requires Trusted Types, and none are allowed):
// elements made from plain properties, and lists updated in place.

/** An element: `class`, `text`, `on<event>`, `data-*` and `aria-*` props, other props as is. */
export function el(tag, props = {}, ...children) {
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

/**
 * Brings a list's children in line with items (each with a data-key), keeping every element
 * whose markup did not change: a button does not vanish under the pointer or lose keyboard
 * focus because something else in the list changed.
 */
export function replaceList(list, items) {
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

/** Runs of letters, marks and digits: the words of a search (docs/protocol.md, room.search). */
export function words(text) {
  return (text.match(/[\p{L}\p{M}\p{N}]+/gu) || []);
}

/**
 * text as nodes, with every part that `marks` picks wrapped in a <tag class=cls>. `marks` is
 * a global regular expression whose group 2 is the part to wrap (group 1 what comes before).
 */
export function marked(text, marks, tag, cls, keep = () => true) {
  const out = [];
  let at = 0;
  for (const m of text.matchAll(marks)) {
    const start = m.index + m[1].length;
    if (!keep(m[2])) continue;
    if (start > at) out.push(document.createTextNode(text.slice(at, start)));
    out.push(el(tag, { class: cls, text: text.slice(start, start + m[2].length) }));
    at = start + m[2].length;
  }
  if (at < text.length) out.push(document.createTextNode(text.slice(at)));
  return out;
}
