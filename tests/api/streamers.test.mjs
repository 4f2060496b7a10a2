// Black-box tests of the stream workers (docs/design.md §7, "Stream workers"): streams are
// spread over the workers, each holds what its open-file limit allows and a viewer past that
// gets 503 too_many_viewers; a worker that dies takes only its own streams, whose viewers
// resume from the others, and is replaced; a stream that stops reading is dropped; HTTP/1.0
// viewers get the stream unchunked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { startServer, stopAndClean, call, login, ADMIN_PASSWORD } from './server.mjs';
import { openStream, sleep } from './sse.mjs';

const ID = 'irom-final-2026';
const C = `/api/v1/competitions/${ID}`;
const LIVE = `${C}/live`;
const OPEN_FILES = 100; // each worker keeps 64 for itself: 36 streams per worker
const PER_WORKER = OPEN_FILES - 64;
let server, admin;
let keys = 0;

async function withServer(options, fn) {
  server = await startServer(options);
  admin = await login(server, 'admin', ADMIN_PASSWORD);
  const streams = [];
  try {
    await fn(streams);
  } finally {
    for (const s of streams) s.close();
    await stopAndClean(server);
  }
}

async function mark(contestant, value) {
  const body = { marks: [{ key: `streamers-${++keys}`, contestant, criterion: 'D1', value, reason: 'streamers test' }] };
  const r = await call(server, 'POST', `${C}/marks`, { token: admin, body });
  assert.equal(r.status, 200, r.text);
}

// The server's stream workers: its child processes, by /proc.
function workers() {
  const pid = server.proc.pid;
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
    } catch { return false; }
  }).map(Number);
}

// The streams a worker holds: its sockets other than the two to the server (3 and 4).
function streamsOf(pid) {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => Number(fd) > 4).filter((fd) => {
    try { return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:'); } catch { return false; }
  }).length;
}

test('streams are spread over the workers; past what their file limits allow a viewer gets 503 with Retry-After, and a slot frees when a stream ends', async () => {
  await withServer({ args: ['--stream-workers', '2'], openFiles: OPEN_FILES }, async (streams) => {
    const ws = workers();
    assert.equal(ws.length, 2, `two stream workers: ${ws}`);
    for (let i = 0; i < 2 * PER_WORKER; i++) {
      const s = await openStream(server, LIVE, { token: admin });
      assert.equal(s.status, 200, `stream ${i}: ${s.text}`);
      streams.push(s);
    }
    for (const s of streams) assert.equal((await s.next()).event, 'snapshot');
    // Each worker holds half of them (the one with fewer streams gets the next).
    assert.deepEqual(ws.map(streamsOf), [PER_WORKER, PER_WORKER], 'streams per worker');
    const refused = await openStream(server, LIVE, { token: admin });
    assert.equal(refused.status, 503, refused.text);
    assert.equal(refused.json.error.code, 'too_many_viewers');
    assert.equal(refused.headers['retry-after'], '5');
    // Marks still reach every stream, and one that ends makes room.
    await mark('W003', 4);
    for (const s of streams) assert.equal((await s.nextNamed('standings')).event, 'standings');
    streams.pop().close();
    let again;
    for (let tries = 0; tries < 50; tries++) {
      again = await openStream(server, LIVE, { token: admin });
      if (again.status === 200) break;
      await sleep(20);
    }
    assert.equal(again.status, 200, 'a slot frees when a stream ends');
    streams.push(again);
    assert.equal((await again.next()).event, 'snapshot');
  });
});

test('a worker that dies takes only its streams: the others carry on, its viewers resume with no gap, and a new worker takes its place', async () => {
  await withServer({ args: ['--stream-workers', '2'] }, async (streams) => {
    const ws = workers();
    assert.equal(ws.length, 2);
    for (let i = 0; i < 4; i++) {
      const s = await openStream(server, LIVE, { token: admin });
      assert.equal(s.status, 200, s.text);
      streams.push(s);
      await s.next();
    }
    await mark('W004', 3);
    const seen = [];
    for (const s of streams) seen.push(Number((await s.nextNamed('standings')).id));
    process.kill(ws[0], 'SIGKILL');
    await sleep(300);
    const ended = streams.filter((s) => s.ended);
    assert.equal(ended.length, 2, 'the dead worker\'s two streams ended, the others did not');
    await mark('W005', 3.5);
    for (const s of streams.filter((x) => !x.ended)) {
      const ev = await s.nextNamed('standings');
      assert.ok(Number(ev.id) > seen[0], 'the survivors get the next frame');
    }
    // The dead worker's viewers reconnect with their Last-Event-ID: the frames they missed,
    // no snapshot.
    for (let i = 0; i < ended.length; i++) {
      const s = await openStream(server, LIVE, { token: admin, lastEventId: seen[0] });
      assert.equal(s.status, 200, s.text);
      streams.push(s);
      const ev = await s.next();
      assert.equal(ev.event, 'standings', 'resumed, not a snapshot');
      assert.ok(Number(ev.id) > seen[0]);
    }
    let now = workers();
    for (let i = 0; i < 100 && now.length < 2; i++) { await sleep(50); now = workers(); }
    assert.equal(now.length, 2, `a new worker was started: ${now}`);
    assert.ok(now.includes(ws[1]) && !now.includes(ws[0]), `${now} replaces ${ws[0]}`);
    // The newcomer has no streams, so it takes the next ones, and they get the next frame.
    const fresh = now.find((pid) => pid !== ws[1]);
    assert.equal(streamsOf(fresh), 0);
    const next = await openStream(server, LIVE, { token: admin });
    streams.push(next);
    assert.equal((await next.next()).event, 'snapshot');
    assert.equal(streamsOf(fresh), 1, 'the new worker holds the new stream');
    await mark('W007', 1.5);
    assert.equal((await next.nextNamed('standings')).event, 'standings');
  });
});

test('an HTTP/1.0 viewer gets the stream without chunks, and it ends when the connection does', async () => {
  await withServer({ args: ['--stream-workers', '1'] }, async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => { text += d; });
    const closed = new Promise((r) => socket.on('close', r));
    socket.write(`GET ${LIVE} HTTP/1.0\r\nAuthorization: Bearer ${admin}\r\n\r\n`);
    for (let i = 0; i < 100 && !text.includes('event: snapshot'); i++) await sleep(20);
    await mark('W006', 2);
    for (let i = 0; i < 100 && !text.includes('event: standings'); i++) await sleep(20);
    assert.match(text, /^HTTP\/1\.0 200 OK\r\n/);
    assert.match(text, /\r\nContent-Type: text\/event-stream; charset=utf-8\r\n/);
    assert.match(text, /\r\nConnection: close\r\n/);
    assert.doesNotMatch(text, /Transfer-Encoding/i);
    const body = text.slice(text.indexOf('\r\n\r\n') + 4);
    assert.match(body, /^retry: 2000\n\nid: \d+\nevent: snapshot\ndata: \{/);
    assert.match(body, /\n\nid: \d+\nevent: standings\ndata: \{"seq":/);
    socket.end();
    await closed;
  });
});

test('a stream that stops reading is dropped once it is 512 KiB behind; the others get every frame meanwhile', async () => {
  await withServer({ args: ['--stream-workers', '1'] }, async (streams) => {
    const [worker] = workers();
    const reader = await openStream(server, LIVE, { token: admin });
    streams.push(reader);
    assert.equal((await reader.next()).event, 'snapshot');
    const stalled = net.connect(server.port, '127.0.0.1');
    stalled.on('error', () => {});
    stalled.write(`GET ${LIVE} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin}\r\n\r\n`);
    stalled.pause(); // reads nothing from now on: its socket buffers fill
    for (let i = 0; i < 50 && streamsOf(worker) < 2; i++) await sleep(20);
    assert.equal(streamsOf(worker), 2, 'both streams are held by the worker');
    // Each new contestant sends everyone a snapshot (tens of KB) until the stalled one goes.
    let added = 0;
    while (streamsOf(worker) > 1 && added < 600) {
      const csv = `id,name,group,venue\nZ${String(++added).padStart(3, '0')},慢读者${added},worker,wz\n`;
      const r = await call(server, 'POST', `${C}/contestants/import`, { token: admin, raw: csv, headers: { 'Content-Type': 'text/csv' } });
      assert.equal(r.status, 200, r.text);
      if (added % 20 === 0) await sleep(100);
    }
    for (let i = 0; i < 100 && streamsOf(worker) > 1; i++) await sleep(20);
    assert.equal(streamsOf(worker), 1, `the stalled stream was dropped (after ${added} snapshots)`);
    const got = [];
    for (let i = 0; i < added; i++) got.push(await reader.nextNamed('snapshot'));
    assert.deepEqual(got.map((e) => e.json.contestants.length), got.map((_, i) => 78 + i),
      'the reading stream got every snapshot, in order');
    // Dropped for its backlog, not later for falling out of the worker's ring (64 MiB): what
    // went before the drop fits in the two sockets' kernel buffers at most, plus 512 KiB.
    const kernelMax = (name) => Number(readFileSync(`/proc/sys/net/ipv4/${name}`, 'utf8').trim().split(/\s+/)[2]);
    const sent = got.reduce((n, e) => n + Buffer.byteLength(e.data), 0);
    const bound = kernelMax('tcp_wmem') + kernelMax('tcp_rmem') + 512 * 1024 + Buffer.byteLength(got.at(-1).data);
    assert.ok(sent <= bound, `dropped after ${sent} bytes, more than ${bound}`);
    stalled.destroy();
  });
});
