// The browser's side of the Herald WebSocket (docs/protocol.md): the `auth` frame first, the
// `herald.v1` subprotocol, requests matched to answers by id, and reconnecting like the seed's
// ReconnectingWebSocket (delay 1 s × 1.5^attempt, at most 30 s) with full jitter: each wait is a
// random time between 0 and that delay, so that a restarted server is not hit by every browser at
// once. The attempt count starts again after a good `hello`.

/** Close codes after which the same token must not be tried again (docs/protocol.md). */
export const AUTH_CLOSE_CODES = new Set([4001, 4003, 4004, 4010]);

export const BACKOFF = { base: 1000, factor: 1.5, max: 30000 };

/** A `ping` frame goes out this long after the last frame received; no answer in PONG_WAIT_MS:
 *  the connection is taken as dead (a network that drops without a FIN is noticed in seconds,
 *  not when TCP gives up). */
export const PING_AFTER_MS = 25000;
export const PONG_WAIT_MS = 10000;

/** The wait before reconnect attempt `attempt` (0, 1, 2, ...), in milliseconds. */
export function backoffDelay(attempt, random = Math.random) {
  return random() * Math.min(BACKOFF.max, BACKOFF.base * Math.pow(BACKOFF.factor, attempt));
}

export class RequestError extends Error {
  constructor(frame) {
    super(frame.message || frame.code || 'error');
    this.code = frame.code;
    this.field = frame.field;
  }
}

/**
 * One logical connection that survives drops. Events: `state` ({state, delay}), `hello`
 * (the hello frame), `frame` (every other unsolicited frame), `authfailed` ({code}).
 * `onOpen` is called right after the `auth` frame goes out on each new socket; whatever it sends
 * (a `resume`) is handled by the server in order, after `hello`.
 */
export class Connection extends EventTarget {
  constructor(url, token, onOpen) {
    super();
    this.url = url;
    this.token = token;
    this.onOpen = onOpen;
    this.attempt = 0;
    this.nextId = 1;
    this.pending = new Map();
    this.ws = null;
    this.timer = null;
    this.stopped = false;
    this.ready = false;
    this.idleTimer = null;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.idleTimer);
    if (this.ws) this.ws.close(1000);
    this.ws = null;
    this.failPending();
  }

  /** Sends a request; resolves with the result's data, rejects with a RequestError. */
  request(frame) {
    return new Promise((resolve, reject) => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
        reject(new RequestError({ code: 'offline', message: 'not connected' }));
        return;
      }
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ ...frame, id }));
    });
  }

  /** Sends a frame that gets no answer (typing.send). */
  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN && this.ready)
      this.ws.send(JSON.stringify(frame));
  }

  open() {
    this.emit('state', { state: 'connecting' });
    const ws = new WebSocket(this.url, ['herald.v1']);
    this.ws = ws;
    this.ready = false;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'auth', token: this.token }));
      if (this.onOpen) this.onOpen(this);
    };
    ws.onmessage = (e) => {
      this.watch(ws);
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch {
        return;
      }
      this.dispatch(frame);
    };
    ws.onclose = (e) => this.closed(ws, e.code);
  }

  /** Re-arms the idle check: ping after PING_AFTER_MS of silence, give up PONG_WAIT_MS later. */
  watch(ws) {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.ws !== ws || !this.ready) return;
      ws.send(JSON.stringify({ type: 'ping', id: `ping-${this.nextId++}` }));
      this.idleTimer = setTimeout(() => {
        ws.onclose = null;
        ws.close();
        this.closed(ws, 1006);
      }, PONG_WAIT_MS);
    }, PING_AFTER_MS);
  }

  closed(ws, code) {
    clearTimeout(this.idleTimer);
    if (this.ws !== ws) return;
    this.ws = null;
    this.ready = false;
    this.failPending();
    if (this.stopped) return;
    if (AUTH_CLOSE_CODES.has(code)) {
      this.stopped = true;
      this.emit('authfailed', { code });
      return;
    }
    const delay = backoffDelay(this.attempt++);
    this.emit('state', { state: 'waiting', delay });
    this.timer = setTimeout(() => this.open(), delay);
  }

  dispatch(frame) {
    if ((frame.type === 'result' || frame.type === 'error') && this.pending.has(frame.id)) {
      const p = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      if (frame.type === 'result') p.resolve(frame.data || {});
      else p.reject(new RequestError(frame));
      return;
    }
    if (frame.type === 'hello') {
      this.attempt = 0;
      this.ready = true;
      this.emit('state', { state: 'open' });
      this.emit('hello', frame);
      return;
    }
    this.emit('frame', frame);
  }

  failPending() {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new RequestError({ code: 'offline', message: 'disconnected' }));
  }

  emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }
}
