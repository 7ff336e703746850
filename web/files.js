// Files in chat (docs/api.md, /api/v1/files): uploading one that was chosen, dropped or pasted,
// and fetching one a message refers to. Both requests carry the session's token in a header,
// which an <img src> or <a href> cannot send, so the page fetches the bytes itself and hands
// them to the browser as blob: URLs (the CSP's img-src allows blob: for exactly this).
import { t } from './i18n.js';

export class Files {
  /** token() gives the session's token. */
  constructor(token) {
    this.token = token;
    this.urls = new Map(); // file id -> {url}: null while its fetch is under way
  }

  /** Uploads a File or Blob; resolves with the server's {id, name, size, type}. */
  async upload(blob, name) {
    const r = await fetch(`/api/v1/files?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.token()}`, 'Content-Type': blob.type || 'application/octet-stream' },
      body: blob,
    });
    const d = await r.json().catch(() => ({}));
    if (r.status === 201) return d;
    if (r.status === 413) throw new Error(t('fileTooLarge'));
    throw new Error(d.message || d.error || `HTTP ${r.status}`);
  }

  /** The blob: URL of a file once fetched (null until then); the first call starts the fetch,
   *  and `ready` is called when it arrives. */
  url(id, ready) {
    const known = this.urls.get(id);
    if (known) return known.url;
    const entry = { url: null };
    this.urls.set(id, entry);
    fetch(`/api/v1/files/${id}`, { headers: { Authorization: `Bearer ${this.token()}` } })
      .then(async (r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        entry.url = URL.createObjectURL(await r.blob());
        ready();
      })
      .catch(() => this.urls.delete(id)); // tried again on the next showing
    return null;
  }

  /** Saves a file under its name (fetched first when not yet held). */
  async download(id, name) {
    let url = this.urls.get(id)?.url;
    if (!url) {
      const r = await fetch(`/api/v1/files/${id}`, { headers: { Authorization: `Bearer ${this.token()}` } });
      if (!r.ok) throw new Error(t('downloadFailed', { status: r.status }));
      url = URL.createObjectURL(await r.blob());
      this.urls.set(id, { url });
    }
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
  }

  /** Signed out: nothing of the account stays in memory. */
  reset() {
    for (const { url } of this.urls.values()) if (url) URL.revokeObjectURL(url);
    this.urls.clear();
  }
}

/** "2.4 MB" and the like. */
export function humanSize(n) {
  if (n < 1024) return t('bytes', { n });
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
