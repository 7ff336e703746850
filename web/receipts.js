// Receipts from the browser, as herald-desktop sends them (notif.ack, docs/protocol.md):
// delivered once a notification has arrived in this tab, seen once it was on screen (the page
// visible with the list showing it) or shown as a browser notification. Each id is acknowledged
// once per state and sign-in; acks wait while offline and go out in batches (at most 500 ids a
// frame) a quarter of a second after the first one.

const BATCH_MS = 250;
const MAX_IDS = 500;
const STATES = ['delivered', 'seen'];

export class Receipts {
  /** request(frame) returns a promise that rejects while the connection is down. */
  constructor(request) {
    this.request = request;
    this.reset();
  }

  reset() {
    clearTimeout(this.timer);
    this.timer = null;
    this.done = { delivered: new Set(), seen: new Set() };
    this.pending = { delivered: [], seen: [] };
  }

  delivered(id) { this.queue('delivered', id); }

  seen(id) {
    this.queue('delivered', id); // seen implies it arrived
    this.queue('seen', id);
  }

  queue(state, id) {
    if (this.done[state].has(id)) return;
    this.done[state].add(id);
    this.pending[state].push(id);
    this.schedule();
  }

  schedule() {
    if (!this.timer) this.timer = setTimeout(() => this.flush(), BATCH_MS);
  }

  /** Sends what waits; what the connection refused waits for the next flush (after a resume). */
  flush() {
    this.timer = null;
    for (const state of STATES) {
      while (this.pending[state].length) {
        const ids = this.pending[state].splice(0, MAX_IDS);
        let frame;
        try {
          frame = this.request({ type: 'notif.ack', state, ids });
        } catch {
          frame = Promise.reject(new Error('offline'));
        }
        frame.catch((e) => {
          // Offline: keep them for the next connection. Refused by the server: drop them.
          if (e?.code === 'offline' || e?.message === 'offline') this.pending[state].unshift(...ids);
        });
      }
    }
  }
}
