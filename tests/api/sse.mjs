// A small Server-Sent Events client for the API tests (docs/live.md): opens
// GET …/live with node:http, parses the stream itself and hands events out in order.
import http from 'node:http';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Stream {
  constructor(req, res) {
    this.req = req;
    this.res = res;
    this.status = res.statusCode;
    this.headers = res.headers;
    this.events = [];   // {id, event, data, json}, in arrival order
    this.cursor = 0;    // events before it were handed out by next()
    this.heartbeats = 0;
    this.retry = undefined;
    this.buffer = '';
    this.ended = false;
    this.waiters = [];
    res.setEncoding('utf8');
    res.on('data', (chunk) => this.feed(chunk));
    const done = () => { this.ended = true; this.wake(); };
    res.on('end', done);
    res.on('close', done);
    res.on('error', done);
  }

  feed(chunk) {
    this.buffer += chunk;
    let at;
    while ((at = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, at);
      this.buffer = this.buffer.slice(at + 2);
      const ev = { id: undefined, event: 'message', data: [] };
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) { this.heartbeats++; continue; }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'id') ev.id = value;
        else if (field === 'event') ev.event = value;
        else if (field === 'data') ev.data.push(value);
        else if (field === 'retry') this.retry = Number(value);
      }
      if (ev.data.length === 0) continue; // nothing to dispatch (retry:, heartbeats)
      ev.data = ev.data.join('\n');
      try { ev.json = JSON.parse(ev.data); } catch { ev.json = undefined; }
      this.events.push(ev);
    }
    this.wake();
  }

  wake() { for (const w of this.waiters.splice(0)) w(); }

  async waitFor(cond, timeout, what) {
    const deadline = Date.now() + timeout;
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what} within ${timeout} ms`);
      await new Promise((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }

  // The next event not handed out yet; throws when none comes in time or the stream ended.
  async next(timeout = 5000) {
    await this.waitFor(() => this.cursor < this.events.length || this.ended, timeout,
      `no event (have ${this.events.map((e) => e.event + '#' + e.id).join(', ')})`);
    if (this.cursor >= this.events.length) throw new Error('the stream ended');
    return this.events[this.cursor++];
  }

  // The next event with this name, skipping (and returning in .skipped) others.
  async nextNamed(name, timeout = 5000) {
    const skipped = [];
    const deadline = Date.now() + timeout;
    for (;;) {
      const ev = await this.next(Math.max(1, deadline - Date.now()));
      if (ev.event === name) return Object.assign(ev, { skipped });
      skipped.push(ev);
    }
  }

  // Events that arrive within ms and were not handed out yet (consumes them).
  async rest(ms) {
    await sleep(ms);
    const out = this.events.slice(this.cursor);
    this.cursor = this.events.length;
    return out;
  }

  async end(timeout = 5000) {
    await this.waitFor(() => this.ended, timeout, 'the stream did not end');
  }

  close() { this.req.destroy(); }
}

// Opens a stream. A non-200 answer is read whole: .status, .text and .json.
export function openStream(server, path, { token, lastEventId, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const h = { Accept: 'text/event-stream', ...headers };
    if (token) h.Authorization = 'Bearer ' + token;
    if (lastEventId !== undefined) h['Last-Event-ID'] = String(lastEventId);
    const req = http.get(server.base + path, { headers: h, agent: false }, (res) => {
      if (res.statusCode === 200) { resolve(new Stream(req, res)); return; }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, text, json, close() {} });
      });
    });
    req.on('error', reject);
  });
}
