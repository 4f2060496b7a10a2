// Black-box tests of the HTTP API against a real server on loopback: login and CSRF,
// marks (idempotency, conflicts, assignments, atomic batches, bad input), durability
// across a crash, module sign-off, and served standings equal to `jiangxing score`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, stop, stopAndClean, launch, call, login, cli, ADMIN_PASSWORD, DEMO_PASSWORD } from './server.mjs';

const C = '/api/v1/competitions/irom-final-2026';
let server, admin, judge;

before(async () => {
  server = await startServer();
  admin = await login(server, 'admin', ADMIN_PASSWORD);
  judge = await login(server, 'j-wz-A-1', DEMO_PASSWORD);
});
after(async () => { await stopAndClean(server); });

const sheet = async (who) => (await call(server, 'GET', `${C}/sheets/${who}`, { token: admin })).json;
const criterion = (s, id) => s.modules.flatMap((m) => m.criteria).find((k) => k.id === id);

test('login: wrong password is 401, no session is 401, unknown route is 404', async () => {
  const bad = await call(server, 'POST', '/api/v1/login', { body: { username: 'admin', password: 'nope-nope' } });
  assert.equal(bad.status, 401);
  assert.equal(bad.json.error.code, 'bad_credentials');
  assert.equal((await call(server, 'GET', `${C}/standings`)).status, 401);
  assert.equal((await call(server, 'GET', '/api/v1/nothing', { token: admin })).status, 404);
});

test('login: only failures are rate limited, per address and username', async () => {
  for (let i = 0; i < 15; i++) await login(server, 'j-hz-B-2', DEMO_PASSWORD); // a venue signing in
  let last;
  for (let i = 0; i < 11; i++) {
    last = await call(server, 'POST', '/api/v1/login', { body: { username: 'j-hz-E-3', password: 'guess-' + i } });
    if (i < 10) assert.equal(last.status, 401, `attempt ${i}`);
  }
  assert.equal(last.status, 429);
  assert.equal(last.json.error.code, 'too_many_attempts');
  assert.ok(Number(last.headers.get('retry-after')) > 0);
  const right = await call(server, 'POST', '/api/v1/login', { body: { username: 'j-hz-E-3', password: DEMO_PASSWORD } });
  assert.equal(right.status, 429, 'even the right password waits while the bucket is empty');
  await login(server, 'j-hz-E-2', DEMO_PASSWORD); // other users are not affected
});

test('the OpenAPI description is served, and pages carry a strict CSP', async () => {
  const spec = await call(server, 'GET', '/api/v1/openapi.yaml');
  assert.equal(spec.status, 200);
  assert.match(spec.text, /^openapi: 3\.1/);
  assert.match(spec.text, /\/competitions\/\{id\}\/marks:/);
  const traversal = await call(server, 'GET', '/static/../jiangxing.db');
  assert.equal(traversal.status, 404);
});

test('cookie sessions need the CSRF token for writes', async () => {
  const r = await call(server, 'POST', '/api/v1/login', { body: { username: 'j-wz-A-2', password: DEMO_PASSWORD } });
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const jar = cookie.split(';')[0];
  const mark = { marks: [{ key: 'csrf-1', contestant: 'W001', criterion: 'A2', value: 2, reason: 'csrf test' }] };
  const without = await call(server, 'POST', `${C}/marks`, { body: mark, headers: { Cookie: jar } });
  assert.equal(without.status, 403);
  assert.equal(without.json.error.code, 'csrf');
  const withToken = await call(server, 'POST', `${C}/marks`, { body: mark, headers: { Cookie: jar, 'X-CSRF-Token': r.json.csrf } });
  assert.equal(withToken.status, 200, withToken.text);
});

test('a judge marks assigned work once; duplicates and conflicts are told apart', async () => {
  const mark = { key: 'judge-1', contestant: 'W003', criterion: 'A1', value: 1.25, reason: 'remeasured' };
  const first = await call(server, 'POST', `${C}/marks`, { token: judge, body: { marks: [mark] } });
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.json, { accepted: 1, duplicates: 0 });
  const again = await call(server, 'POST', `${C}/marks`, { token: judge, body: { marks: [mark] } });
  assert.deepEqual(again.json, { accepted: 0, duplicates: 1 });
  const conflict = await call(server, 'POST', `${C}/marks`, { token: judge, body: { marks: [{ ...mark, value: 1.5 }] } });
  assert.equal(conflict.status, 409);
  const s = await sheet('W003');
  assert.equal(criterion(s, 'A1').score, 1.25);
  const history = criterion(s, 'A1').marks.filter((m) => m.key === 'judge-1');
  assert.equal(history.length, 1);
  assert.equal(history[0].judge, 'j-wz-A-1');
  const view = (await call(server, 'GET', `${C}/judge-view`, { token: judge })).json;
  assert.ok(view.marks.some((m) => m.key.startsWith('demo-') && m.judge === 'j-wz-A-1'),
    'marks keyed in for the judge (by the demo) are the judge\'s too');
  assert.deepEqual(view.cells.find((c) => c.contestant === 'W003' && c.criterion === 'A1'),
    { contestant: 'W003', criterion: 'A1', score: 1.25, complete: true, value: 1.25 });
  assert.ok(view.cells.every((c) => ['A1', 'A2', 'A3'].includes(c.criterion)), 'only assigned criteria');
});

test('a judge cannot mark outside the assignment or as someone else (403)', async () => {
  const otherModule = await call(server, 'POST', `${C}/marks`, { token: judge, body: { marks: [{ key: 'x-1', contestant: 'W003', criterion: 'B1', value: 1 }] } });
  assert.equal(otherModule.status, 403);
  const otherVenue = await call(server, 'POST', `${C}/marks`, { token: judge, body: { marks: [{ key: 'x-2', contestant: 'W002', criterion: 'A1', value: 1 }] } });
  assert.equal(otherVenue.status, 403, 'W002 competes in the other venue');
  const asOther = await call(server, 'POST', `${C}/marks`, { token: judge, body: { marks: [{ key: 'x-3', contestant: 'W003', criterion: 'A2', judge: 'j-wz-A-2', value: 1 }] } });
  assert.equal(asOther.status, 403);
});

test('reading is limited too: judges see only their judge view, chiefs only their venue', async () => {
  for (const path of [`${C}/standings`, `${C}/sheets/W003`, C, `${C}/review`]) {
    assert.equal((await call(server, 'GET', path, { token: judge })).status, 403, path);
  }
  const hz = await login(server, 'chief-hz', DEMO_PASSWORD);
  assert.equal((await call(server, 'GET', `${C}/sheets/W001`, { token: hz })).status, 403, 'W001 competes in wz');
  assert.equal((await call(server, 'GET', `${C}/sheets/W002`, { token: hz })).status, 200);
  assert.equal((await call(server, 'GET', `${C}/standings`, { token: hz })).status, 200);
  const noVenue = await call(server, 'POST', `${C}/assignments`, { token: admin, body: { judge: 'j-x', venu: 'wz', modules: ['A'] } });
  assert.equal(noVenue.status, 400, 'a missing venue is an error, never "every venue"');
  assert.equal(noVenue.json.error.field, 'venue');
  const r = await call(server, 'POST', '/api/v1/login', { body: { username: 'j-wz-B-1', password: DEMO_PASSWORD } });
  const jar = r.headers.get('set-cookie').split(';')[0];
  const short = await call(server, 'POST', `${C}/marks`, { body: { marks: [] }, headers: { Cookie: jar, 'X-CSRF-Token': 'x' } });
  assert.equal(short.status, 403);
  assert.equal(short.json.error.code, 'csrf');
});

test('bad input gets a clear 4xx and changes nothing', async () => {
  const before = await sheet('W005');
  const cases = [
    [{ raw: '{"marks": [' }, 400, 'invalid_json'],
    [{ body: { marks: [{ key: 'b1', contestant: 'W005', criterion: 'A1', value: 1.0001 }] } }, 400, 'too_many_decimals'],
    [{ body: { marks: [{ key: 'b2', contestant: 'W005', criterion: 'A1', value: 99 }] } }, 400, 'out_of_range'],
    [{ body: { marks: [{ key: 'b3', contestant: 'W005', criterion: 'A2', judge: 'z', value: 2.5 }] } }, 400, 'invalid_judgement'],
    [{ body: { marks: [{ key: 'b4', contestant: 'NOPE', criterion: 'A1', value: 1 }] } }, 404, 'unknown_contestant'],
    [{ body: { marks: [{ key: 'b5', contestant: 'W005', criterion: 'ZZ', value: 1 }] } }, 404, 'unknown_criterion'],
    [{ body: { marks: 'all of them' } }, 400, 'invalid_marks'],
    [{ raw: JSON.stringify({ marks: [{ key: 'big', contestant: 'W005', criterion: 'A3', deduction: 1, reason: 'x'.repeat(2 * 1024 * 1024) }] }) }, 413, 'body_too_large'],
  ];
  for (const [req, status, code] of cases) {
    const r = await call(server, 'POST', `${C}/marks`, { token: admin, ...req });
    assert.equal(r.status, status, `${code}: ${r.text.slice(0, 200)}`);
    assert.equal(r.json.error.code, code);
    assert.ok(r.json.error.message.length > 0);
  }
  const unknown = await call(server, 'POST', '/api/v1/competitions/nope/marks', { token: admin, body: { marks: [] } });
  assert.equal(unknown.status, 404);
  assert.deepEqual(await sheet('W005'), before);
});

test('a batch is all or nothing', async () => {
  const before = await sheet('W008');
  const r = await call(server, 'POST', `${C}/marks`, { token: admin, body: { marks: [
    { key: 'batch-1', contestant: 'W008', criterion: 'E2', deduction: 1, reason: '工位杂乱' },
    { key: 'batch-2', contestant: 'W008', criterion: 'E1', judge: 'paper', value: 7 },
  ] } });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'marks[1].value');
  assert.deepEqual(await sheet('W008'), before);
  const retry = await call(server, 'POST', `${C}/marks`, { token: admin, body: { marks: [
    { key: 'batch-1', contestant: 'W008', criterion: 'E2', deduction: 1, reason: '工位杂乱' }] } });
  assert.deepEqual(retry.json, { accepted: 1, duplicates: 0 });
});

test('chief judge: disputes block sign-off, a locked module refuses marks, unlock needs a reason', async () => {
  const chief = await login(server, 'chief-wz', DEMO_PASSWORD);
  const review = await call(server, 'GET', `${C}/review`, { token: chief });
  const D = review.json.modules.find((m) => m.id === 'D');
  assert.ok(D.disputed.length >= 1, 'the demo has a disputed judgement');
  assert.equal((await call(server, 'POST', `${C}/modules/D/lock`, { token: chief })).status, 409);
  assert.equal((await call(server, 'POST', `${C}/modules/E/lock`, { token: judge })).status, 403);
  assert.equal((await call(server, 'POST', `${C}/modules/E/lock`, { token: chief })).status, 200);
  const refused = await call(server, 'POST', `${C}/marks`, { token: admin, body: { marks: [{ key: 'lock-1', contestant: 'W001', criterion: 'E2', deduction: 0, reason: 'ok' }] } });
  assert.equal(refused.status, 409);
  assert.equal(refused.json.error.code, 'module_locked');
  assert.equal((await call(server, 'POST', `${C}/modules/E/unlock`, { token: chief, body: {} })).status, 400);
  assert.equal((await call(server, 'POST', `${C}/modules/E/unlock`, { token: chief, body: { reason: '复核后补录' } })).status, 200);
  const accepted = await call(server, 'POST', `${C}/marks`, { token: admin, body: { marks: [{ key: 'lock-1', contestant: 'W001', criterion: 'E2', deduction: 0, reason: 'ok' }] } });
  assert.equal(accepted.status, 200);
});

test('re-judging: the chief asks, the judge sees it, a new grade closes it and sign-off passes', async () => {
  const chief = await login(server, 'chief-wz', DEMO_PASSWORD);
  const disputed = (await call(server, 'GET', `${C}/review`, { token: chief })).json.modules.find((m) => m.id === 'D').disputed[0];
  assert.deepEqual(disputed, { contestant: 'W007', criterion: 'D2' });
  const other = await login(server, 'chief-hz', DEMO_PASSWORD);
  assert.equal((await call(server, 'POST', `${C}/rejudge`, { token: other, body: { ...disputed, note: 'x' } })).status, 403);
  assert.equal((await call(server, 'POST', `${C}/rejudge`, { token: chief, body: { contestant: 'W007', criterion: 'NOPE' } })).status, 404);
  const ask = await call(server, 'POST', `${C}/rejudge`, { token: chief, body: { ...disputed, note: '1 分与 3 分相差过大，请复评' } });
  assert.equal(ask.status, 200, ask.text);
  const d1 = await login(server, 'j-wz-D-1', DEMO_PASSWORD);
  const view = (await call(server, 'GET', `${C}/judge-view`, { token: d1 })).json;
  assert.deepEqual(view.rejudge, [{ contestant: 'W007', criterion: 'D2', note: '1 分与 3 分相差过大，请复评', by: 'chief-wz' }]);
  assert.deepEqual((await call(server, 'GET', `${C}/judge-view`, { token: judge })).json.rejudge, [], 'not for module A judges');
  const regrade = await call(server, 'POST', `${C}/marks`, { token: d1, body: { marks: [{ key: 'rejudge-1', contestant: 'W007', criterion: 'D2', value: 2, reason: '复评' }] } });
  assert.equal(regrade.status, 200, regrade.text);
  const review = (await call(server, 'GET', `${C}/review`, { token: chief })).json;
  assert.deepEqual(review.rejudge, []);
  assert.deepEqual(review.modules.find((m) => m.id === 'D').disputed, []);
  assert.equal((await call(server, 'POST', `${C}/modules/D/lock`, { token: chief })).status, 200);
  assert.equal((await call(server, 'POST', `${C}/modules/D/unlock`, { token: chief, body: { reason: '继续评分' } })).status, 200);
});

test('an acknowledged mark survives a crash (SIGKILL) and the log verifies and replays', async () => {
  const r = await call(server, 'POST', `${C}/marks`, { token: admin, body: { marks: [{ key: 'crash-1', contestant: 'W010', criterion: 'E2', deduction: 0.5, reason: '未清理' }] } });
  assert.equal(r.status, 200);
  await stop(server, 'SIGKILL');
  await launch(server);
  const s = await sheet('W010');
  assert.equal(criterion(s, 'E2').marks.filter((m) => m.key === 'crash-1').length, 1);
  assert.equal(criterion(s, 'E2').score, 2.5);
  assert.match(cli(['verify', '--db', server.db]).stdout, /^ok: \d+ events/);
  const replay = cli(['replay', '--db', server.db]);
  assert.equal(replay.status, 0, replay.stdout + replay.stderr);
  assert.match(replay.stdout, /77 stored results compared, 0 different/);
});

test('served standings equal `jiangxing score` on the same file and marks, in every scope', async () => {
  const file = {
    format: 'jiangxing.competition/1', id: 'offline-check', title: '<b>核对</b>',
    groups: [{ id: 'g1', name: '一组' }, { id: 'g2', name: '二组' }],
    venues: [{ id: 'v1', name: '甲' }, { id: 'v2', name: '乙' }],
    components: [{ id: 'p', name: '实操', weight: 0.65 }, { id: 't', name: '理论', weight: 0.35 }],
    modules: [
      { id: 'M', name: 'M', component: 'p', criteria: [
        { id: 'M1', kind: 'judgement', max: 5, judges: 3 }, { id: 'M2', kind: 'time', max: 2, full_within_s: 60, zero_after_s: 600 },
        { id: 'M3', kind: 'deduction', max: 4 }] },
      { id: 'N', name: 'N', component: 'p', criteria: [{ id: 'N1', kind: 'measurement', max: 7 }, { id: 'N2', kind: 'auto', max: 1 }] },
      { id: 'Q', name: 'Q', component: 't', criteria: [{ id: 'Q1', kind: 'measurement', max: 100 }] }],
    ranking: { tiebreak: ['module:M', 'time'], award_scope: 'venue', awards: [{ name: '一等奖', ratio: 0.15 }, { name: '二等奖', ratio: 0.25 }] },
    contestants: Array.from({ length: 23 }, (_, i) => ({ id: `P${i}`, name: `<i>选手${i}</i>`, group: `g${1 + (i % 2)}`, venue: `v${1 + (i % 3 === 0 ? 1 : 0)}` })),
  };
  const created = await call(server, 'POST', '/api/v1/competitions', { token: admin, body: file });
  assert.equal(created.status, 201, created.text);
  assert.equal((await call(server, 'POST', '/api/v1/competitions', { token: admin, body: file })).status, 409);
  let seed = 7;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const marks = [];
  for (let i = 0; i < 200; i++) {
    const who = `P${rnd(23)}`, kind = rnd(6), key = `o-${i}`;
    if (kind === 0) marks.push({ key, contestant: who, criterion: 'M1', judge: `j${rnd(3)}`, value: rnd(4), reason: 'r' });
    if (kind === 1) marks.push({ key, contestant: who, criterion: 'M2', seconds: rnd(700), reason: 'r' });
    if (kind === 2) marks.push({ key, contestant: who, criterion: 'M3', deduction: rnd(3) / 2, reason: '扣分' });
    if (kind === 3) marks.push({ key, contestant: who, criterion: 'N1', value: rnd(7001) / 1000, reason: 'r' });
    if (kind === 4) marks.push({ key, contestant: who, criterion: 'N2', value: rnd(2), reason: 'r' });
    if (kind === 5) marks.push({ key, contestant: who, criterion: 'Q1', value: rnd(100001) / 1000, reason: 'r' });
  }
  for (let i = 0; i < marks.length; i += 25) {
    const r = await call(server, 'POST', '/api/v1/competitions/offline-check/marks', { token: admin, body: { marks: marks.slice(i, i + 25) } });
    assert.equal(r.status, 200, r.text);
  }
  writeFileSync(join(server.dir, 'c.json'), JSON.stringify(file));
  writeFileSync(join(server.dir, 'm.jsonl'), marks.map((m) => JSON.stringify(m)).join('\n') + '\n');
  for (const scope of ['overall', 'group:g1', 'group:g2', 'venue:v1', 'venue:v2', 'module:M', 'module:N', 'module:Q']) {
    const served = await call(server, 'GET', `/api/v1/competitions/offline-check/standings?scope=${scope}`, { token: admin });
    const offline = cli(['score', join(server.dir, 'c.json'), join(server.dir, 'm.jsonl'), '--scope', scope]);
    assert.equal(offline.status, 0, offline.stderr);
    assert.deepEqual(served.json, JSON.parse(offline.stdout), scope);
    assert.ok(served.json.entries.length > 0);
  }
  const bad = await call(server, 'GET', '/api/v1/competitions/offline-check/standings?scope=region:x', { token: admin });
  assert.equal(bad.status, 400);
  const info = await call(server, 'GET', '/api/v1/competitions/offline-check', { token: admin });
  assert.equal(info.json.title, '<b>核对</b>', 'markup is kept as text');
});
