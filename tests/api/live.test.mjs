// Black-box tests of the live stream (docs/live.md) against a real server: who may watch,
// the SSE framing, the first snapshot, standings deltas that agree with the standings in
// every scope and merge into the board, resuming by Last-Event-ID (also across a server
// restart), and hiding the standings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stop, stopAndClean, launch, call, login, ADMIN_PASSWORD, DEMO_PASSWORD } from './server.mjs';
import { openStream } from './sse.mjs';

const ID = 'irom-final-2026';
const C = `/api/v1/competitions/${ID}`;
const LIVE = `${C}/live`;
const BOARD = `/api/v1/public/competitions/${ID}/board`;
let server, admin, judge, chief;
const streams = [];
let keys = 0;

before(async () => {
  server = await startServer();
  admin = await login(server, 'admin', ADMIN_PASSWORD);
  judge = await login(server, 'j-wz-A-1', DEMO_PASSWORD);
  chief = await login(server, 'chief-hz', DEMO_PASSWORD);
});
after(async () => {
  for (const s of streams) s.close();
  await stopAndClean(server);
});

async function watch(opts = {}) {
  const s = await openStream(server, LIVE, opts);
  streams.push(s);
  return s;
}

async function board() {
  const r = await call(server, 'GET', BOARD, { token: admin });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

// Posts one request of marks as the admin; each mark gets a fresh key and a reason.
async function mark(...marks) {
  const body = { marks: marks.map((m) => ({ key: `live-${++keys}`, reason: 'live test', ...m })) };
  const r = await call(server, 'POST', `${C}/marks`, { token: admin, body });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.accepted, marks.length, r.text);
}

const scopeCache = new Map();
async function standings(scope) {
  if (!scopeCache.has(scope)) {
    const r = await call(server, 'GET', `${C}/standings?scope=${encodeURIComponent(scope)}`, { token: admin });
    assert.equal(r.status, 200, `${scope}: ${r.text}`);
    scopeCache.set(scope, new Map(r.json.entries.map((e) => [e.contestant, e])));
  }
  return scopeCache.get(scope);
}

// Every rank an item of changed[] carries equals the contestant's rank in that scope's
// standings, and a marked contestant's total equals the overall standings' total.
async function checkAgainstStandings(delta) {
  scopeCache.clear();
  const scopes = new Set();
  for (const item of delta.changed) {
    if ('total' in item) {
      assert.equal(item.total, (await standings('overall')).get(item.id).total, `${item.id} total`);
    }
    for (const [scope, rank] of Object.entries(item.ranks || {})) {
      scopes.add(scope);
      const entry = (await standings(scope)).get(item.id);
      assert.ok(entry, `${item.id} is listed in ${scope}`);
      assert.equal(rank, entry.rank, `${item.id}'s rank in ${scope}`);
    }
  }
  return scopes;
}

// The board's judging part, by contestant: what deltas are merged into.
function judging(b) {
  return new Map(b.contestants.map((c) => [c.id, {
    total: c.total, complete: c.complete, award: c.award, modules: c.modules,
    progress: c.progress, ranks: c.ranks, stages: c.stages,
  }]));
}

// docs/live.md: copy top-level fields, merge ranks key by key, "award": null removes it.
function merge(state, delta) {
  for (const item of delta.changed) {
    const c = state.get(item.id);
    assert.ok(c, `delta names a known contestant ${item.id}`);
    for (const [k, v] of Object.entries(item)) {
      if (k === 'id') continue;
      if (k === 'ranks') c.ranks = { ...c.ranks, ...v };
      else if (k === 'award' && v === null) c.award = undefined;
      else c[k] = structuredClone(v);
    }
  }
}

function assertSameBoard(merged, fresh, what) {
  for (const [id, want] of fresh) {
    assert.deepEqual(merged.get(id), want, `${what}: ${id}`);
  }
}

test('marks made while nobody watches build no delta: resuming across them gives one snapshot that holds them', async () => {
  const b0 = await board();
  await mark({ contestant: 'W010', criterion: 'D1', value: 2.5 });
  const s = await watch({ token: admin, lastEventId: b0.seq });
  const first = await s.next();
  assert.equal(first.event, 'snapshot');
  assert.equal(Number(first.id), b0.seq + 1);
  assert.equal(first.json.contestants.find((c) => c.id === 'W010').modules.D, 2.5);
  await mark({ contestant: 'W010', criterion: 'D1', value: 3, reason: 'remeasured' });
  const ev = await s.next();
  assert.equal(ev.event, 'standings', 'watched now: a delta');
  assert.equal(ev.json.changed.find((c) => c.id === 'W010').modules.D, 3);
  s.close();
});

test('unpublished: anonymous viewers and judges get 403 JSON; staff get the stream with a snapshot at the board seq', async () => {
  const anon = await watch();
  assert.equal(anon.status, 403);
  assert.match(anon.headers['content-type'], /^application\/json/);
  assert.equal(anon.json.error.code, 'not_published');
  const asJudge = await watch({ token: judge });
  assert.equal(asJudge.status, 403, 'a judge is not staff of the display');
  assert.equal((await call(server, 'GET', BOARD)).status, 403);

  const s = await watch({ token: admin });
  assert.equal(s.status, 200);
  assert.match(s.headers['content-type'], /^text\/event-stream/);
  assert.equal(s.headers['x-accel-buffering'], 'no');
  assert.match(s.headers['cache-control'], /no-store/);
  const first = await s.next();
  assert.equal(first.event, 'snapshot');
  const b = await board();
  assert.equal(first.id, String(b.seq), 'the snapshot\'s id is the board\'s seq');
  assert.equal(first.json.seq, b.seq);
  assert.equal(first.json.published, false);
  assert.equal(first.json.contestants.length, 77);
  assert.deepEqual(first.json.contestants.map((c) => c.id), b.contestants.map((c) => c.id));
  assert.ok(s.retry > 0, 'the stream tells EventSource when to reconnect');
  s.close();

  const hz = await watch({ token: chief });
  assert.equal(hz.status, 200, 'a chief judge is staff');
  assert.equal((await hz.next()).event, 'snapshot');
  hz.close();
});

test('a mark gives a standings event after the snapshot that agrees with the standings in every scope', async () => {
  const s = await watch({ token: admin });
  const snap = await s.next();
  assert.equal(snap.event, 'snapshot');
  const before = snap.json.contestants.find((c) => c.id === 'W001');
  await mark({ contestant: 'W001', criterion: 'D1', value: 5 });
  const ev = await s.next();
  assert.equal(ev.event, 'standings');
  assert.ok(Number(ev.id) > Number(snap.id), `id ${ev.id} > snapshot ${snap.id}`);
  assert.equal(ev.json.seq, Number(ev.id));
  assert.equal(typeof ev.json.at, 'number');
  const w001 = ev.json.changed.find((c) => c.id === 'W001');
  assert.ok(w001, 'the marked contestant is in changed[]');
  assert.notEqual(w001.total, before.total, 'its total moved');
  assert.equal(w001.modules.D, 5);
  assert.equal(w001.progress.D, 'active');
  assert.equal(typeof w001.complete, 'boolean');
  // A marked contestant carries all of its ranks: overall, group, venue and every module.
  assert.deepEqual(Object.keys(w001.ranks).sort(),
    ['group:worker', 'module:A', 'module:B', 'module:C', 'module:D', 'module:E', 'module:T', 'overall', 'venue:wz']);
  const scopes = await checkAgainstStandings(ev.json);
  assert.ok(scopes.has('overall') && scopes.has('module:D'), [...scopes].join());
  // Others pushed down in module D carry only the ranks that changed.
  const pushed = ev.json.changed.filter((c) => c.id !== 'W001');
  assert.ok(pushed.length > 0, 'someone was pushed down');
  for (const c of pushed) assert.ok(!('total' in c) && !('modules' in c), `${c.id} carries only what changed`);
  assert.equal((await board()).seq, ev.json.seq, 'the board is at the delta\'s seq');
  s.close();
});

test('the snapshot merged with each delta equals the board after it: rises, falls, ties, batches', async () => {
  const s = await watch({ token: admin });
  const snap = await s.next();
  assert.equal(snap.event, 'snapshot');
  const state = judging(snap.json);
  assertSameBoard(state, judging(await board()), 'snapshot');
  const steps = [
    [{ contestant: 'W004', criterion: 'D1', value: 5 }],           // ties W001 again (same demo marks)
    [{ contestant: 'W001', criterion: 'D1', value: 6 }],           // W001 rises out of the tie
    [{ contestant: 'W001', criterion: 'D1', value: 0.5 }],         // and falls below W004
    [{ contestant: 'W004', criterion: 'E2', deduction: 1.5 }],     // a deduction
    [{ contestant: 'S003', criterion: 'T1', value: 100 }],         // a big rise in a group
    [{ contestant: 'W010', criterion: 'B1', value: 8 },            // two contestants, one commit
      { contestant: 'T010', criterion: 'B1', value: 0 }],
    [{ contestant: 'W019', criterion: 'B3', seconds: 1200 }],      // a time criterion
  ];
  let last = Number(snap.id);
  for (const marks of steps) {
    await mark(...marks);
    const ev = await s.next();
    assert.equal(ev.event, 'standings', JSON.stringify(marks));
    assert.ok(Number(ev.id) > last, 'ids increase');
    last = Number(ev.id);
    for (const m of marks) assert.ok(ev.json.changed.some((c) => c.id === m.contestant && 'total' in c), m.contestant);
    merge(state, ev.json);
    assertSameBoard(state, judging(await board()), `after ${JSON.stringify(marks)}`);
    await checkAgainstStandings(ev.json);
  }
  s.close();
});

test('watchers joining during a burst of concurrent marks each end at the final board', async () => {
  const who = ['W012', 'W013', 'W014', 'W015', 'W016', 'W017', 'T001', 'T002', 'T003', 'S001', 'S002', 'S004'];
  const posts = [];
  const joins = [];
  for (let i = 0; i < who.length; i++) {
    posts.push(mark({ contestant: who[i], criterion: 'D1', value: 1 + (i % 5) }));
    if (i % 3 === 0) joins.push(watch({ token: admin }));
  }
  await Promise.all(posts);
  const watchers = await Promise.all(joins);
  const final = await board();
  for (const [n, s] of watchers.entries()) {
    const snap = await s.next();
    assert.equal(snap.event, 'snapshot', `watcher ${n}`);
    const state = judging(snap.json);
    let last = Number(snap.id);
    while (last < final.seq) {
      const ev = await s.next();
      assert.equal(ev.event, 'standings', `watcher ${n}`);
      assert.ok(Number(ev.id) > last, `watcher ${n}: ${ev.id} after ${last}, no repeat`);
      last = Number(ev.id);
      merge(state, ev.json);
    }
    assert.equal(last, final.seq, `watcher ${n} reaches the final seq`);
    assertSameBoard(state, judging(final), `watcher ${n}`);
    s.close();
  }
});

test('Last-Event-ID resumes with exactly the later events: no snapshot, no repeats', async () => {
  const s = await watch({ token: admin });
  const snap = await s.next();
  s.close();
  const last = Number(snap.id);
  const marked = ['W005', 'W006', 'W007'];
  for (const who of marked) await mark({ contestant: who, criterion: 'D1', value: 3 });

  const r = await watch({ token: admin, lastEventId: last });
  assert.equal(r.status, 200);
  const got = [await r.next(), await r.next(), await r.next()];
  assert.deepEqual(got.map((e) => e.event), ['standings', 'standings', 'standings']);
  const ids = got.map((e) => Number(e.id));
  assert.ok(ids[0] > last && ids[0] < ids[1] && ids[1] < ids[2], ids.join());
  assert.deepEqual(got.map((e) => e.json.changed.find((c) => 'total' in c).id), marked, 'in commit order');
  assert.equal(ids[2], (await board()).seq);
  assert.deepEqual((await r.rest(1000)).map((e) => e.event), [], 'nothing more, nothing twice');
  r.close();

  // From the middle: only what followed.
  const mid = await watch({ token: admin, lastEventId: ids[0] });
  const tail = [await mid.next(), await mid.next()];
  assert.deepEqual(tail.map((e) => Number(e.id)), ids.slice(1));
  assert.deepEqual((await mid.rest(500)).map((e) => e.event), []);
  mid.close();

  // Up to date: nothing until the next commit.
  const now = await watch({ token: admin, lastEventId: ids[2] });
  assert.deepEqual((await now.rest(500)).map((e) => e.event), []);
  await mark({ contestant: 'W008', criterion: 'D1', value: 3 });
  const next = await now.next();
  assert.equal(next.event, 'standings');
  assert.ok(Number(next.id) > ids[2]);
  now.close();
});

test('a display far behind is brought up to date, never dropped: the frames it missed, or one snapshot', async () => {
  const s = await watch({ token: admin });
  const last = Number((await s.next()).id);
  s.close();
  const people = (await board()).contestants.map((c) => c.id);
  const commits = 300;
  for (let i = 0; i < commits; i++)
    await mark({ contestant: people[i % people.length], criterion: 'A1', value: (i % 7) * 0.75 });
  const now = await board();
  const r = await watch({ token: admin, lastEventId: last });
  assert.equal(r.status, 200);
  const got = await r.rest(3000);
  assert.ok(got.length > 0, 'the stream carries something');
  if (got[0].event === 'snapshot') {
    assert.equal(got.length, 1);
    assert.equal(Number(got[0].id), now.seq);
    assert.deepEqual(got[0].json.contestants.map((c) => [c.id, c.total]), now.contestants.map((c) => [c.id, c.total]));
  } else {
    assert.equal(got.length, commits, 'every missed frame, once');
    assert.ok(got.every((e) => e.event === 'standings'));
    assert.equal(Number(got[got.length - 1].id), now.seq);
  }
  r.close();
});

test('a display whose missed frames exceed half its buffer gets a snapshot instead', async () => {
  const s = await watch({ token: admin });
  const last = Number((await s.next()).id);
  s.close();
  // Big frames: ties broken and remade across the whole field, many times.
  const people = (await board()).contestants.map((c) => c.id);
  for (let round = 0; round < 40; round++)
    await mark(...people.map((who, i) => ({ contestant: who, criterion: 'A1', value: ((i + round) % 9) * 0.5 })));
  const now = await board();
  const r = await watch({ token: admin, lastEventId: last });
  const first = await r.next();
  assert.equal(first.event, 'snapshot');
  assert.equal(Number(first.id), now.seq);
  r.close();
});

test('a Last-Event-ID that is garbage, in the future or too old to resume gets a snapshot', async () => {
  const seq = (await board()).seq;
  for (const id of ['abc', '-1', '12abc', ' 5', '1e3', '0x10', String(seq + 1), '99999999999',
    '99999999999999999999999', '1']) {
    const s = await watch({ token: admin, lastEventId: id });
    const first = await s.next();
    assert.equal(first.event, 'snapshot', `Last-Event-ID ${JSON.stringify(id)}`);
    assert.equal(first.id, String(seq), `Last-Event-ID ${JSON.stringify(id)}`);
    assert.deepEqual((await s.rest(200)).map((e) => e.event), [], 'only the snapshot');
    s.close();
  }
});

test('stage clocks (闯关): times come from the marks\' server times, fall back with the stage, and replay alike', async () => {
  const fresh = (await board()).contestants.find((c) => c.stages.C.passed === 0 && !('since' in c.stages.C));
  assert.ok(fresh, 'a contestant who has not started the 闯关 module C');
  const stagesOf = async () => (await board()).contestants.find((c) => c.id === fresh.id).stages.C;
  const t0 = Date.now();
  await mark({ contestant: fresh.id, criterion: 'C1', value: 5 });
  let st = await stagesOf();
  assert.equal(st.passed, 1);
  assert.equal(st.current, 'C-S2');
  assert.deepEqual(st.times, [0], 'the first mark both starts the module and passes stage 1');
  assert.ok(st.since >= t0 - 1000 && st.since <= Date.now() + 1000, `stage 2 began at the mark: ${st.since}`);
  await new Promise((r) => setTimeout(r, 400));
  await mark({ contestant: fresh.id, criterion: 'C2', seconds: 500 });
  st = await stagesOf();
  assert.equal(st.passed, 2);
  assert.ok(st.times[1] >= 400 && st.times[1] < 10000, `stage 2 took the time between the marks: ${st.times[1]}`);
  const started = st.since - st.times[1] - st.times[0];
  await mark({ contestant: fresh.id, criterion: 'C1', value: 1 }); // below pass: back to stage 1
  st = await stagesOf();
  assert.equal(st.passed, 0);
  assert.equal(st.failed, true, 'stage 1 marked in full below its pass score');
  assert.deepEqual(st.times, []);
  assert.equal(st.since, started, 'stage 1 still runs from the module\'s start');

  await mark({ contestant: fresh.id, criterion: 'C1', value: 5 });
  const before = await stagesOf();
  assert.equal(before.passed, 2);
  assert.equal(await stop(server), 0);
  await launch(server);
  admin = await login(server, 'admin', ADMIN_PASSWORD);
  assert.deepEqual(await stagesOf(), before, 'replaying the log gives the same clocks');
});

test('after a restart on the same database, Last-Event-ID = the last id resumes without a snapshot', async () => {
  const s = await watch({ token: admin });
  const snap = await s.next();
  s.close();
  const last = Number(snap.id);
  const code = await stop(server);
  await launch(server);
  admin = await login(server, 'admin', ADMIN_PASSWORD);
  assert.equal(code, 0, 'a clean stop');
  assert.equal((await board()).seq, last, 'the log is where it was');

  const r = await watch({ token: admin, lastEventId: last });
  assert.equal(r.status, 200);
  assert.deepEqual((await r.rest(500)).map((e) => e.event), [], 'no snapshot: nothing was missed');
  await mark({ contestant: 'W009', criterion: 'D1', value: 2 });
  const ev = await r.next();
  assert.equal(ev.event, 'standings');
  assert.ok(Number(ev.id) > last);
  assert.ok(ev.json.changed.some((c) => c.id === 'W009' && 'total' in c));
  r.close();

  // An earlier id from before the restart cannot be resumed (the ring is gone): the
  // snapshot says everything.
  const old = await watch({ token: admin, lastEventId: last - 1 });
  const first = await old.next();
  assert.equal(first.event, 'snapshot');
  assert.equal(Number(first.id), Number(ev.id));
  old.close();
});

test('a new contestant gives watchers a snapshot, and resuming across it gives one too', async () => {
  const s = await watch({ token: admin });
  const snap = await s.next();
  assert.equal(snap.json.contestants.length, 77);
  const csv = 'id,name,group,venue\nX101,新选手,worker,wz\n';
  const r = await call(server, 'POST', `${C}/contestants/import`, { token: admin, raw: csv, headers: { 'Content-Type': 'text/csv' } });
  assert.equal(r.status, 200, r.text);
  const fresh = await s.next();
  assert.equal(fresh.event, 'snapshot', 'deltas cannot describe a new contestant');
  assert.ok(Number(fresh.id) > Number(snap.id));
  assert.equal(fresh.json.contestants.length, 78);
  assert.ok(fresh.json.contestants.some((c) => c.id === 'X101'));
  s.close();

  const across = await watch({ token: admin, lastEventId: snap.id });
  const first = await across.next();
  assert.equal(first.event, 'snapshot', 'the ring cannot bring a client across a reset');
  assert.equal(first.json.contestants.length, 78);
  assert.deepEqual((await across.rest(300)).map((e) => e.event), []);
  across.close();
  const after = await watch({ token: admin, lastEventId: fresh.id });
  assert.deepEqual((await after.rest(300)).map((e) => e.event), [], 'from the new snapshot on: nothing missed');
  await mark({ contestant: 'X101', criterion: 'T1', value: 88 });
  const ev = await after.next();
  assert.equal(ev.event, 'standings');
  const x = ev.json.changed.find((c) => c.id === 'X101');
  assert.ok(x && 'total' in x);
  await checkAgainstStandings(ev.json);
  after.close();
});

test('module sign-off and unlock are module events, resumable like deltas', async () => {
  const s = await watch({ token: admin });
  const snap = await s.next();
  const lock = await call(server, 'POST', `${C}/modules/T/lock`, { token: admin });
  assert.equal(lock.status, 200, lock.text);
  const ev = await s.next();
  assert.equal(ev.event, 'module');
  assert.ok(Number(ev.id) > Number(snap.id));
  assert.deepEqual(ev.json, { seq: Number(ev.id), module: 'T', locked: true });
  assert.equal((await board()).modules.find((m) => m.id === 'T').locked, true);
  const unlock = await call(server, 'POST', `${C}/modules/T/unlock`, { token: admin, body: { reason: 'live test' } });
  assert.equal(unlock.status, 200, unlock.text);
  const ev2 = await s.next();
  assert.deepEqual(ev2.json, { seq: Number(ev2.id), module: 'T', locked: false });
  s.close();
  const again = await watch({ token: admin, lastEventId: snap.id });
  assert.deepEqual([await again.next(), await again.next()].map((e) => [e.event, e.id]),
    [['module', ev.id], ['module', ev2.id]]);
  again.close();
});

test('publishing sends watchers a snapshot; hiding sends hidden and ends only public streams', async () => {
  const staff = await watch({ token: admin });
  assert.equal((await staff.next()).event, 'snapshot');
  const pub = await call(server, 'POST', `${C}/publish`, { token: admin, body: { published: true } });
  assert.equal(pub.status, 200, pub.text);
  const shown = await staff.next();
  assert.equal(shown.event, 'snapshot', 'publishing is a reset: a fresh snapshot');
  assert.equal(shown.json.published, true);

  const anon = await watch();
  assert.equal(anon.status, 200, 'published: anyone may watch');
  const first = await anon.next();
  assert.equal(first.event, 'snapshot');
  assert.equal(first.json.published, true);
  const judgeView = await watch({ token: judge });
  assert.equal(judgeView.status, 200);
  assert.equal((await judgeView.next()).event, 'snapshot');

  const hide = await call(server, 'POST', `${C}/publish`, { token: admin, body: { published: false } });
  assert.equal(hide.status, 200, hide.text);
  for (const s of [anon, judgeView]) {
    const h = await s.next();
    assert.equal(h.event, 'hidden');
    assert.ok(Number(h.id) > Number(first.id), 'hidden has an id');
    await s.end(3000);
    assert.equal(s.events.length, 2, 'nothing after hidden');
  }
  const h = await staff.next();
  assert.equal(h.event, 'hidden');
  await mark({ contestant: 'W011', criterion: 'D1', value: 2 });
  const ev = await staff.next();
  assert.equal(ev.event, 'standings', 'staff keep watching');
  assert.ok(!staff.ended);
  staff.close();

  const again = await watch();
  assert.equal(again.status, 403);
  assert.equal(again.json.error.code, 'not_published');
  const resumed = await watch({ lastEventId: h.id });
  assert.equal(resumed.status, 403, 'resuming does not get round it');
});
