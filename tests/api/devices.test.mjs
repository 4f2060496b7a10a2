// Devices end to end with a real mosquitto started from the repository's config
// (scripts/broker.sh): automatic scores from device messages, duplicates, another
// station's topic, a silent station's alarm, a chief judge's override, refusals counted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PASSWORD, DEMO_PASSWORD, call, cli, launch, login, stopAndClean } from './server.mjs';

const COMP = 'irom-final-2026';
const BROKER_PORT = 40000 + (process.pid % 20000);
let server, broker, admin, token;

function brokerCmd(...args) {
  const r = spawnSync('sh', ['scripts/broker.sh', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`broker.sh ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

// Publishes one message over real MQTT (QoS 1); resolves with mosquitto_pub's exit status.
function publish(station, signal, payload, user = admin) {
  const r = spawnSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(BROKER_PORT), '-u', user.user,
    '-P', user.password, '-q', '1', '-t', `jiangxing/${COMP}/${station}/${signal}`,
    '-m', typeof payload === 'string' ? payload : JSON.stringify(payload)], { encoding: 'utf8' });
  return r.status;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function status() {
  const r = await call(server, 'GET', `/api/v1/competitions/${COMP}/devices`, { token });
  assert.equal(r.status, 200);
  return r.json;
}

// Waits until the gateway has handled n messages in all (applied, duplicate or refused).
async function handled(n) {
  for (let i = 0; i < 100; i++) {
    const c = (await status()).counts;
    if ((c.applied || 0) + (c.duplicate || 0) + (c.refused || 0) + (c.heartbeat || 0) >= n) return c;
    await sleep(50);
  }
  assert.fail('the gateway did not handle the messages');
}

async function cell(contestant, criterion) {
  const r = await call(server, 'GET', `/api/v1/competitions/${COMP}/sheets/${contestant}`, { token });
  assert.equal(r.status, 200);
  for (const m of r.json.modules) for (const c of m.criteria) if (c.id === criterion) return c;
  assert.fail('no criterion ' + criterion);
}

// A contestant of the venue whose module has no mark yet (the device decides it), and its station.
async function untouched(venue, module) {
  const r = await call(server, 'GET', `/api/v1/public/competitions/${COMP}/board`, { token });
  assert.equal(r.status, 200);
  const c = r.json.contestants.find((x) => x.venue === venue && x.progress[module] === 'todo' && !used.has(x.id));
  assert.ok(c, `a contestant in ${venue} with module ${module} untouched`);
  used.add(c.id);
  return c;
}
const used = new Set();

before(async () => {
  broker = mkdtempSync(join(tmpdir(), 'jx-broker-'));
  brokerCmd('start', broker, String(BROKER_PORT));
  const [user, password] = readFileSync(join(broker, 'admin.secret'), 'utf8').trim().split(':');
  admin = { user, password };
  const dir = mkdtempSync(join(tmpdir(), 'jx-dev-'));
  const db = join(dir, 'test.db');
  const demo = cli(['demo', '--db', db], { JIANGXING_ADMIN_PASSWORD: ADMIN_PASSWORD, JIANGXING_DEMO_PASSWORD: DEMO_PASSWORD });
  assert.equal(demo.status, 0, demo.stderr);
  server = { dir, db, port: 20000 + ((process.pid + 7) % 20000),
    args: ['--mqtt', `127.0.0.1:${BROKER_PORT}`, '--mqtt-secret', join(broker, 'admin.secret'), '--device-silence', '2'] };
  await launch(server);
  token = await login(server, 'admin', ADMIN_PASSWORD);
  for (let i = 0; i < 100 && !(await status()).connected; i++) await sleep(50);
  assert.equal((await status()).connected, true);
});

after(async () => {
  await stopAndClean(server);
  brokerCmd('stop', broker);
  rmSync(broker, { recursive: true, force: true });
});

test('an auto criterion scores from a device message; a duplicate does not score twice', async () => {
  const who = await untouched('hz', 'D');
  first = who;
  assert.equal((await cell(who.id, 'D3')).marks.length, 0);
  const before = (await call(server, 'GET', `/api/v1/competitions/${COMP}/standings`, { token })).json;
  const total = before.entries.find((e) => e.contestant === who.id).total;
  assert.equal(publish(who.station, 'cell.cycle_s', { key: 'cyc-1', value: 29.5 }), 0);
  assert.equal(publish(who.station, 'cell.cycle_s', { key: 'cyc-1', value: 29.5 }), 0); // QoS 1 redelivery
  const counts = await handled(2);
  assert.equal(counts.applied, 1);
  assert.equal(counts.duplicate, 1);
  const after = await cell(who.id, 'D3');
  assert.equal(after.score, 4); // 29.5 s ≤ 30 s: the first step
  assert.equal(after.marks.length, 1);
  assert.equal(after.marks[0].judge, 'device');
  assert.equal(after.marks[0].actor, `device:${who.station}`);
  const now = (await call(server, 'GET', `/api/v1/competitions/${COMP}/standings`, { token })).json;
  assert.ok(now.entries.find((e) => e.contestant === who.id).total > total);
});
let first;

test('refusals are counted by reason and change nothing', async () => {
  const start = await status();
  const sheet = await cell(first.id, 'D3');
  const station = first.station, fresh = await untouched('hz', 'B');
  assert.equal(publish(station, 'cell.cycle_s', { key: 'cyc-1', value: 50 }), 0); // same key, other body
  assert.equal(publish(station, 'cell.cycle_s', 'not json'), 0);
  assert.equal(publish('zz-99', 'cell.cycle_s', { key: 'z1', value: 1 }), 0);
  assert.equal(publish(station, 'no.such.signal', { key: 'n1', value: 1 }), 0);
  assert.equal(publish(fresh.station, 'task.done', { key: 'td1', value: true }), 0); // no task.start yet
  const total = (c) => (c.applied || 0) + (c.duplicate || 0) + (c.refused || 0) + (c.heartbeat || 0);
  const counts = await handled(total(start.counts) + 5);
  for (const reason of ['key_conflict', 'malformed', 'unknown_station', 'no_rule', 'not_started'])
    assert.equal((counts[reason] || 0) - (start.counts[reason] || 0), 1, reason);
  assert.deepEqual((await cell(first.id, 'D3')).marks, sheet.marks);
  const reasons = (await status()).recent_refusals.map((r) => r.reason);
  assert.ok(reasons.includes('not_started'));
});

test("a device account cannot publish on another station's topic", async () => {
  const own = await untouched('wz', 'C'), other = await untouched('hz', 'C');
  const issued = await call(server, 'POST', `/api/v1/competitions/${COMP}/devices`, { token, body: { station: own.station } });
  assert.equal(issued.status, 201, issued.text);
  assert.equal(issued.json.topic, `jiangxing/${COMP}/${own.station}/#`);
  assert.ok(issued.json.qr_svg.startsWith('<svg'));
  const device = { user: issued.json.username, password: issued.json.password };
  const start = (await status()).counts.received || 0;
  assert.equal(publish(other.station, 'plc.selftest', { key: 'x1', value: true }, device), 0); // dropped by the broker
  assert.equal(publish(own.station, 'plc.selftest', { key: 'x2', value: true }, device), 0);
  for (let i = 0; i < 100 && ((await status()).counts.received || 0) < start + 1; i++) await sleep(50);
  await sleep(300);
  assert.equal((await status()).counts.received, start + 1); // only its own message arrived
  assert.equal((await cell(other.id, 'C1')).marks.length, 0);
  assert.equal((await cell(own.id, 'C1')).score, 5);
  const unknown = await call(server, 'POST', `/api/v1/competitions/${COMP}/devices`, { token, body: { station: 'zz-99' } });
  assert.equal(unknown.status, 404);
  const revoked = await call(server, 'POST', `/api/v1/competitions/${COMP}/devices/${own.station}/revoke`, { token });
  assert.equal(revoked.status, 200);
  assert.notEqual(publish(own.station, 'plc.selftest', { key: 'x3', value: true }, device), 0); // refused login
});

test('a silent station raises the alarm on the live stream', async () => {
  const quiet = await untouched('wz', 'E');
  const res = await fetch(`${server.base}/api/v1/competitions/${COMP}/live`, { headers: { Authorization: 'Bearer ' + token } });
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  assert.equal(publish(quiet.station, 'heartbeat', { key: 'hb-1' }), 0);
  const alarm = new RegExp(`event: alarm\ndata: \\{[^\n]*"station":"${quiet.station}"[^\n]*"silent":true`);
  let text = '', pending = null;
  const deadline = Date.now() + 8000;
  while (Date.now() < deadline && !alarm.test(text)) {
    pending ??= reader.read(); // one read at a time: an abandoned read would swallow a chunk
    const got = await Promise.race([pending, sleep(500).then(() => null)]);
    if (!got) continue;
    pending = null;
    if (got.done) break;
    text += new TextDecoder().decode(got.value);
  }
  await reader.cancel();
  assert.match(text, alarm);
  const station = (await status()).stations.find((s) => s.station === quiet.station);
  assert.equal(station.silent, true);
});

test("a chief judge's override wins over later signals and is audited", async () => {
  const target = await untouched('hz', 'C');
  const contestant = target.id;
  assert.equal(publish(target.station, 'plc.selftest', { key: 'ov-1', value: true }), 0);
  for (let i = 0; i < 100 && (await cell(contestant, 'C1')).marks.every((m) => m.judge !== 'device'); i++) await sleep(50);
  const chief = await login(server, 'chief-hz', DEMO_PASSWORD);
  const r = await call(server, 'POST', `/api/v1/competitions/${COMP}/marks`, { token: chief,
    body: { marks: [{ key: 'chief-ov-1', contestant, criterion: 'C1', value: 1, reason: '设备误报，人工复核' }] } });
  assert.equal(r.status, 200, r.text);
  const start = await status();
  assert.equal(publish(target.station, 'plc.selftest', { key: 'ov-2', value: true }), 0);
  const total = (c) => (c.applied || 0) + (c.duplicate || 0) + (c.refused || 0) + (c.heartbeat || 0);
  const counts = await handled(total(start.counts) + 1);
  assert.equal((counts.overridden || 0) - (start.counts.overridden || 0), 1);
  const c1 = await cell(contestant, 'C1');
  assert.equal(c1.score, 1);
  const last = c1.marks[c1.marks.length - 1];
  assert.equal(last.actor, 'chief-hz');
  assert.equal(last.reason, '设备误报，人工复核');
  assert.ok(c1.marks.some((m) => m.judge === 'device'));
});

test('after a simulator run the served standings equal jiangxing score on the export', async () => {
  const before = await status();
  const sim = spawnSync(process.env.JIANGXING_BIN || 'build/jiangxing', ['simulate', '--db', server.db,
    '--competition', COMP, '--stations', '20', '--rate', '5', '--seconds', '6', '--seed', '7',
    '--mqtt', `127.0.0.1:${BROKER_PORT}`, '--mqtt-secret', join(broker, 'admin.secret')], { encoding: 'utf8' });
  assert.equal(sim.status, 0, sim.stderr);
  const published = Number(/published (\d+)/.exec(sim.stdout + sim.stderr)?.[1]);
  assert.ok(published > 200, `published ${published}`);
  // every message is accounted for: applied, duplicate, refused or a heartbeat
  const total = (c) => (c.applied || 0) + (c.duplicate || 0) + (c.refused || 0) + (c.heartbeat || 0);
  const counts = await handled(total(before.counts) + published);
  assert.equal(total(counts) - total(before.counts), published);
  assert.equal(counts.received - (before.counts.received || 0), published);
  assert.ok(counts.applied - (before.counts.applied || 0) > 20);
  await sleep(300); // the last commits
  const dir = mkdtempSync(join(tmpdir(), 'jx-sim-'));
  for (const [path, file] of [['competition.json', 'c.json'], ['marks.jsonl', 'm.jsonl']]) {
    const r = await fetch(`${server.base}/api/v1/competitions/${COMP}/export/${path}`, { headers: { Authorization: 'Bearer ' + token } });
    assert.equal(r.status, 200);
    writeFileSync(join(dir, file), await r.text());
  }
  assert.ok(readFileSync(join(dir, 'm.jsonl'), 'utf8').includes('"judge":"device"'));
  for (const scope of ['overall', 'venue:hz', 'module:C', 'module:D']) {
    const offline = cli(['score', join(dir, 'c.json'), join(dir, 'm.jsonl'), '--scope', scope]);
    assert.equal(offline.status, 0, offline.stderr);
    const served = await call(server, 'GET', `/api/v1/competitions/${COMP}/standings?scope=${scope}`, { token });
    assert.deepEqual(JSON.parse(offline.stdout).entries, served.json.entries, scope);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('the gateway survives the broker restarting and reconnects by itself', async () => {
  brokerCmd('stop', broker);
  for (let i = 0; i < 100 && (await status()).connected; i++) await sleep(50);
  assert.equal((await status()).connected, false);
  brokerCmd('start', broker, String(BROKER_PORT));
  for (let i = 0; i < 200 && !(await status()).connected; i++) await sleep(100); // backoff: 1 s, 2 s, …
  assert.equal((await status()).connected, true);
  const who = await untouched('wz', 'D');
  const before = await status();
  assert.equal(publish(who.station, 'cell.cycle_s', { key: 'after-restart', value: 35 }), 0);
  const total = (c) => (c.applied || 0) + (c.duplicate || 0) + (c.refused || 0) + (c.heartbeat || 0);
  await handled(total(before.counts) + 1);
  assert.equal((await cell(who.id, 'D3')).score, 2);
});

test('keys are per device: two stations numbering their messages alike are both scored', async () => {
  const a = await untouched('wz', 'D'), b = await untouched('hz', 'D');
  const before = await status();
  assert.equal(publish(a.station, 'cell.cycle_s', { key: 'msg-000001', value: 20 }), 0);
  assert.equal(publish(b.station, 'cell.cycle_s', { key: 'msg-000001', value: 38 }), 0);
  const total = (c) => (c.applied || 0) + (c.duplicate || 0) + (c.refused || 0) + (c.heartbeat || 0);
  const counts = await handled(total(before.counts) + 2);
  assert.equal(counts.applied - before.counts.applied, 2);
  assert.equal((await cell(a.id, 'D3')).score, 4);
  assert.equal((await cell(b.id, 'D3')).score, 0); // 38 s: past both steps
});
