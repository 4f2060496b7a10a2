// Station devices in the organiser's and the chief judge's pages (docs/devices.md), in
// Debian's Chromium against a real server.
//
// Without a broker (the fixture's server runs without --mqtt): the organiser's devices
// section says "未连接设备服务器", still lists every contestant's station, and offers no
// credentials; the chief judge sees the same in the device strip, and overrides the value
// of an `auto` criterion (C1, marked by hand in the demo) with a required reason: the
// dialog refuses a value out of range and an empty reason without sending anything, and
// the sheet then holds the chief judge's value and reason, shown as a correction.
//
// With a broker (mosquitto on a free loopback port, started and stopped by this spec;
// mosquitto is required: make test installs it): the organiser issues a station's credentials
// (card with username, password, topic, broker and QR code; printed alone), a device
// publishes with them, the section (refreshing every 5 s) shows the station seen, the
// applied and refused counts and the refusal; the chief judge sees the silent station's
// alarm come and go live, finds the automatic mark flagged with its device and signal,
// overrides it, and a later signal no longer changes it (refused as `overridden`); the
// organiser revokes the credentials and the broker refuses them.
//
// These tests change marks: they get a worker (and a server) of their own through a
// worker-scoped option. JX_SCREENSHOTS=1 runs the screenshot test, which writes
// docs/screenshots/admin-devices.png and chief-devices.png from a live-looking server.
import { ADMIN_PASSWORD, apiClient, BIN, DEMO_PASSWORD, expect, ROOT, test as base } from './fixture.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const COMPETITION = 'irom-final-2026'; // the demo competition
const SHOTS = !!process.env.JX_SCREENSHOTS;
const HAVE_MOSQUITTO =
  spawnSync('sh', ['-c', 'command -v mosquitto_pub && (command -v mosquitto || test -x /usr/sbin/mosquitto)'], { encoding: 'utf8' }).status === 0;

// A server of this spec's own (the marks it changes stay out of the other specs' way).
const test = base.extend({ devicesServer: [true, { scope: 'worker', option: true }] });
test.describe.configure({ mode: 'serial' });

// ------------------------------------------------------------------ helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Opens path, is sent to the sign-in page (?next=) and signs in; ends on path. */
async function signInVia(page, pathname, username, password = DEMO_PASSWORD) {
  await page.goto(pathname);
  await page.waitForURL(/\/login\?next=/);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-submit');
  await page.waitForURL((url) => url.pathname === pathname.split(/[?#]/)[0]);
  await page.waitForSelector('body[data-ready="true"]');
}

async function shot(page, name, options = {}) {
  mkdirSync(path.join(ROOT, 'docs/screenshots'), { recursive: true });
  await page.screenshot({ path: path.join(ROOT, 'docs/screenshots', `${name}.png`), ...options });
}

/** The criterion of a sheet, and its latest mark. */
function criterionOf(sheet, id) {
  const crit = sheet.modules.flatMap((m) => m.criteria).find((c) => c.id === id);
  const latest = [...crit.marks].sort((a, b) => b.seq - a.seq)[0];
  return { crit, latest };
}

/** Opens the audit trail of a contestant on the chief judge's page. */
async function openTrail(page, contestant) {
  await page.locator('#tab-audit').click();
  await page.fill('#audit-query', contestant);
  await page.locator('#audit-form button[type="submit"]').click();
  await expect(page.locator('#audit-meta')).toContainText(contestant);
}

// ------------------------------------------------------------------ a broker of our own

/**
 * mosquitto (scripts/broker.sh) and `jiangxing serve --mqtt` on free loopback ports, a
 * demo database in a temp dir. stop() ends both by their PIDs and removes the dir.
 */
async function startWithBroker(silence = 2) {
  const dir = mkdtempSync(path.join(tmpdir(), 'jx-dev-'));
  chmodSync(dir, 0o755); // run as root, mosquitto drops to its own user, which must reach the broker's dir
  const brokerDir = path.join(dir, 'broker');
  const brokerPort = await freePort();
  const started = spawnSync(path.join(ROOT, 'scripts/broker.sh'), ['start', brokerDir, String(brokerPort)], { cwd: ROOT, encoding: 'utf8' });
  if (started.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`broker.sh start failed: ${started.stderr}`);
  }
  const [adminUser, ...rest] = readFileSync(path.join(brokerDir, 'admin.secret'), 'utf8').trim().split(':');
  const broker = { port: brokerPort, user: adminUser, password: rest.join(':') };
  const db = path.join(dir, 't.db');
  const env = { ...process.env, JIANGXING_ADMIN_PASSWORD: ADMIN_PASSWORD, JIANGXING_DEMO_PASSWORD: DEMO_PASSWORD };
  const stopBroker = () => spawnSync(path.join(ROOT, 'scripts/broker.sh'), ['stop', brokerDir], { cwd: ROOT, encoding: 'utf8' });
  const demo = spawnSync(BIN, ['demo', '--db', db], { cwd: ROOT, env, encoding: 'utf8' });
  if (demo.status !== 0) {
    stopBroker();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`jiangxing demo failed: ${demo.stderr}`);
  }
  const port = await freePort();
  const proc = spawn(
    BIN,
    ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--web', path.join(ROOT, 'web'), '--mqtt', `127.0.0.1:${brokerPort}`,
      '--mqtt-secret', path.join(brokerDir, 'admin.secret'), '--device-silence', String(silence)],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  const server = {
    base: `http://127.0.0.1:${port}`,
    broker,
    log: () => log,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        process.kill(proc.pid, 'SIGTERM');
        const force = setTimeout(() => {
          try {
            process.kill(proc.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, 5000);
        await exited;
        clearTimeout(force);
      }
      stopBroker();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) {
      await server.stop();
      throw new Error(`jiangxing serve exited ${proc.exitCode}: ${log}`);
    }
    if (/listening to devices/.test(log)) {
      try {
        const r = await fetch(`${server.base}/api/v1/competitions`);
        if (r.status === 401 || r.status === 200) return server;
      } catch {
        /* not listening yet */
      }
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`jiangxing serve --mqtt did not answer within 20 s: ${log}`);
    }
    await sleep(100);
  }
}

/** Publishes one device message (QoS 1); resolves to mosquitto_pub's exit status. */
function publish(server, who, station, signal, body) {
  const r = spawnSync(
    'mosquitto_pub',
    ['-h', '127.0.0.1', '-p', String(server.broker.port), '-u', who.user, '-P', who.password, '-q', '1',
      '-t', `jiangxing/${COMPETITION}/${station}/${signal}`, '-m', typeof body === 'string' ? body : JSON.stringify(body)],
    { encoding: 'utf8', timeout: 10_000 },
  );
  return r.status;
}

/** Waits until the device status answers something that passes check; returns it. */
async function devicesUntil(client, check, what) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = (await client('GET', `/api/v1/competitions/${COMPETITION}/devices`)).json;
    if (check(status)) return status;
    if (Date.now() > deadline) throw new Error(`device status never showed ${what}: ${JSON.stringify(status)}`);
    await sleep(200);
  }
}

// ------------------------------------------------------------------ without a broker

test('without a broker the devices section says so and lists every station, issuing nothing', async ({ browser, server }) => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const organiser = await apiClient(server, 'organiser');
  const comp = (await organiser('GET', `/api/v1/competitions/${COMPETITION}`)).json;
  const status = (await organiser('GET', `/api/v1/competitions/${COMPETITION}/devices`)).json;
  expect(status.enabled).toBe(false);
  const refused = await organiser('POST', `/api/v1/competitions/${COMPETITION}/devices`, { station: comp.contestants[0].station });
  expect(refused.status).toBe(503);

  await signInVia(page, '/admin', 'organiser');
  await page.locator('#tab-devices').click();
  await expect(page).toHaveURL(/tab=devices/);
  const state = page.locator('#dev-state');
  await expect(state).toHaveAttribute('data-enabled', 'false');
  await expect(state.locator('h2')).toHaveText('未连接设备服务器');
  await expect(state).toContainText('--mqtt');

  // Every contestant's station, with its contestant; nothing can be issued or revoked.
  const rows = page.locator('#dev-table tbody tr');
  await expect(rows).toHaveCount(comp.contestants.length);
  const shown = await rows.evaluateAll((trs) => trs.map((tr) => `${tr.dataset.station}/${tr.dataset.contestant}`));
  expect(shown.sort()).toEqual(comp.contestants.map((c) => `${c.station}/${c.id}`).sort());
  const first = comp.contestants[0];
  await expect(page.locator(`#dev-table tr[data-station="${first.station}"] td`).nth(1)).toHaveText(`${first.id} ${first.name}`);
  await expect(page.locator('#dev-table button[data-action="issue"]:enabled')).toHaveCount(0);
  await expect(page.locator('#dev-table button[data-action="revoke"]:enabled')).toHaveCount(0);
  await expect(page.locator('#dev-totals [data-count="applied"] dd')).toHaveText('0');
  await expect(page.locator('#dev-refusals-empty')).toBeVisible();

  // The filter narrows the list to one station.
  await page.fill('#dev-filter', first.station);
  await expect(page.locator('#dev-table tbody tr:visible')).toHaveCount(1);
  await page.fill('#dev-filter', '');

  // English on request.
  await page.locator('#lang-toggle').click();
  await expect(state.locator('h2')).toHaveText('No device broker');
  await expect(page.locator('#tab-devices')).toHaveText('Devices');
  await expect(page.locator('#dev-table tbody tr')).toHaveCount(comp.contestants.length);
  await page.locator('#lang-toggle').click();
  await expect(state.locator('h2')).toHaveText('未连接设备服务器');
  expect(errors).toEqual([]);
  await context.close();
});

test('the chief judge overrides an automatic criterion with a required reason', async ({ browser, server }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const posts = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/marks')) posts.push(r.postDataJSON());
  });
  const chief = await apiClient(server, 'chief-wz');
  const comp = (await chief('GET', `/api/v1/competitions/${COMPETITION}`)).json;
  // A Wenzhou contestant (chief-wz's venue) whose C1 (kind auto) was marked by hand.
  let who = null;
  let before = null;
  for (const c of comp.contestants.filter((p) => p.venue === 'wz')) {
    const sheet = (await chief('GET', `/api/v1/competitions/${COMPETITION}/sheets/${c.id}`)).json;
    const { crit, latest } = criterionOf(sheet, 'C1');
    if (latest && latest.value > 0) {
      who = c;
      before = { crit, latest };
      break;
    }
  }
  expect(who, 'the demo has a marked C1 at Wenzhou').toBeTruthy();
  expect(before.crit.kind).toBe('auto');

  await signInVia(page, '/chief', 'chief-wz');
  // No broker: the strip says so, and there is no alarm.
  await expect(page.locator('#device-strip')).toHaveAttribute('data-state', 'off');
  await expect(page.locator('#device-strip')).toContainText('未连接设备服务器');
  await expect(page.locator('#device-alarm')).toBeHidden();

  await openTrail(page, who.id);
  // Every mark here was entered by a person: none is flagged as a device's.
  await expect(page.locator('#audit-table tbody tr')).not.toHaveCount(0);
  await expect(page.locator('#audit-table tbody tr[data-device], #audit-table .device-badge')).toHaveCount(0);
  const currentRow = page.locator(`#audit-table tbody tr[data-seq="${before.latest.seq}"]`);
  await expect(currentRow.locator('button[data-action="override"]')).toHaveText('人工更正');
  // Only auto and time criteria offer it: every button is on one of those.
  const offered = await page.$$eval('#audit-table button[data-action="override"]', (bs) => bs.map((b) => b.dataset.criterion));
  const kinds = new Map(comp.modules.flatMap((m) => m.criteria).map((c) => [c.id, c.kind]));
  expect(offered.length).toBeGreaterThan(0);
  for (const id of offered) expect(['auto', 'time']).toContain(kinds.get(id));

  await currentRow.locator('button[data-action="override"]').click();
  const dialog = page.locator('#override-dialog');
  await expect(dialog).toBeVisible();
  await expect(page.locator('#override-title')).toContainText('C1');
  await expect(page.locator('#override-current')).toContainText(who.id);
  await expect(page.locator('#override-note')).toContainText('设备信号不再改变该评分项');
  await expect(page.locator('#override-value-label')).toHaveText('分值（0–5）');

  // Refused on the page, nothing sent: no value, a value above the maximum, no reason.
  await page.locator('#override-ok').click();
  await expect(page.locator('#override-error')).toHaveText('请填写 0 到 5 之间的分值');
  await page.fill('#override-value', '9');
  await page.locator('#override-ok').click();
  await expect(page.locator('#override-error')).toHaveText('请填写 0 到 5 之间的分值');
  await expect(page.locator('#override-value')).toHaveAttribute('aria-invalid', 'true');
  await page.fill('#override-value', '3');
  await page.locator('#override-ok').click();
  await expect(page.locator('#override-error')).toHaveText('请填写更正原因');
  expect(posts).toEqual([]);

  const reason = '现场复核：自检第二次才通过，传感器接线松动';
  await page.fill('#override-reason', reason);
  await page.locator('#override-ok').click();
  await expect(dialog).toBeHidden();
  expect(posts).toHaveLength(1);
  expect(posts[0].marks).toEqual([
    expect.objectContaining({ contestant: who.id, criterion: 'C1', value: 3, reason }),
  ]);

  // The sheet holds the chief judge's value and reason.
  const after = criterionOf((await chief('GET', `/api/v1/competitions/${COMPETITION}/sheets/${who.id}`)).json, 'C1');
  expect(after.latest.seq).toBeGreaterThan(before.latest.seq);
  expect(after.latest).toMatchObject({ value: 3, reason, judge: 'chief-wz' });
  expect(after.crit.score).toBe(3);

  // The trail shows it as a correction of the hand-entered value, which is struck out.
  const corrected = page.locator(`#audit-table tbody tr[data-seq="${after.latest.seq}"]`);
  await expect(corrected).toHaveClass(/row-correction/);
  await expect(corrected.locator('td.reason')).toHaveText(reason);
  await expect(corrected.locator('td.value')).toHaveText('3');
  await expect(corrected.locator('td.status')).toContainText(`更正：替换 #${before.latest.seq}`);
  await expect(page.locator(`#audit-table tbody tr[data-seq="${before.latest.seq}"]`)).toHaveClass(/row-superseded/);
  await expect(page.locator(`#audit-table tbody tr[data-seq="${before.latest.seq}"] button[data-action="override"]`)).toHaveCount(0);
  await expect(corrected.locator('button[data-action="override"]')).toHaveCount(1);
  expect(errors).toEqual([]);
  await context.close();
});

// ------------------------------------------------------------------ with a broker

test('with a broker: credentials, a device’s signals, the live alarm, an override that devices no longer change, revoking', async ({ browser }) => {
  expect(HAVE_MOSQUITTO, 'mosquitto is installed (make test installs it)').toBe(true);
  const server = await startWithBroker(2);
  const contexts = [];
  try {
    const organiser = await apiClient(server, 'organiser');
    const chief = await apiClient(server, 'chief-wz');
    const comp = (await organiser('GET', `/api/v1/competitions/${COMPETITION}`)).json;
    // A Wenzhou contestant whose D3 (auto, thresholds on cell.cycle_s) has no mark yet.
    let who = null;
    for (const c of comp.contestants.filter((p) => p.venue === 'wz')) {
      const sheet = (await organiser('GET', `/api/v1/competitions/${COMPETITION}/sheets/${c.id}`)).json;
      if (!criterionOf(sheet, 'D3').latest) {
        who = c;
        break;
      }
    }
    expect(who, 'the demo leaves D3 unmarked for someone at Wenzhou').toBeTruthy();
    const station = who.station;

    // The organiser issues the station's credentials.
    const adminContext = await browser.newContext({ baseURL: server.base, viewport: { width: 1440, height: 900 } });
    contexts.push(adminContext);
    const admin = await adminContext.newPage();
    const errors = [];
    admin.on('pageerror', (e) => errors.push(e.message));
    await signInVia(admin, '/admin', 'organiser');
    await admin.locator('#tab-devices').click();
    await expect(admin.locator('#dev-state')).toHaveAttribute('data-enabled', 'true');
    await expect(admin.locator('#dev-state h2')).toHaveText('设备服务器已连接');
    const row = admin.locator(`#dev-table tr[data-station="${station}"]`);
    await expect(row.locator('.flag')).toHaveText('未上线');
    const answer = admin.waitForResponse((r) => r.url().endsWith('/devices') && r.request().method() === 'POST');
    await row.locator('button[data-action="issue"]').click();
    const creds = await (await answer).json();
    expect((await answer).status()).toBe(201);
    const card = admin.locator(`#dev-cards .dev-card[data-station="${station}"]`);
    await expect(card.locator('.dev-username')).toHaveText(creds.username);
    await expect(card.locator('.dev-password')).toHaveText(creds.password);
    await expect(card.locator('.dev-topic')).toHaveText(`jiangxing/${COMPETITION}/${station}/#`);
    await expect(card.locator('.dev-server')).toHaveText(`127.0.0.1:${server.broker.port}`);
    await expect(card.locator('img.dev-qr')).toHaveAttribute('src', /^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
    expect(await card.locator('img.dev-qr').evaluate((img) => img.complete && img.naturalWidth > 0)).toBe(true);
    await expect(row.locator('button[data-action="issue"]')).toHaveText('重新发放');

    // Printing shows the card and nothing else.
    await admin.evaluate(() => {
      window.printed = 0;
      window.print = () => window.printed++;
    });
    await admin.locator('#dev-print').click();
    expect(await admin.evaluate(() => window.printed)).toBe(1);
    await expect(admin.locator('body')).toHaveClass(/printing-devices/);
    await admin.emulateMedia({ media: 'print' });
    await expect(admin.locator('#device-print .dev-card')).toHaveCount(1);
    await expect(admin.locator('#device-print .dev-password')).toHaveText(creds.password);
    expect(await admin.evaluate(() => getComputedStyle(document.getElementById('shell')).display)).toBe('none');
    expect(await admin.evaluate(() => getComputedStyle(document.querySelector('.topbar')).display)).toBe('none');
    await admin.emulateMedia({ media: 'screen' });
    await admin.evaluate(() => window.dispatchEvent(new Event('afterprint')));
    await expect(admin.locator('body')).not.toHaveClass(/printing-devices/);

    // The device publishes with those credentials: scored; an unknown signal: refused.
    const device = { user: creds.username, password: creds.password };
    expect(publish(server, device, station, 'cell.cycle_s', { key: 'e2e-cycle-1', value: 28.5 })).toBe(0);
    expect(publish(server, device, station, 'no.such.signal', { key: 'e2e-odd-1', value: true })).toBe(0);
    await devicesUntil(organiser, (s) => (s.counts.applied || 0) >= 1 && (s.counts.no_rule || 0) >= 1, 'the applied and refused messages');
    // The section refreshes by itself (every 5 s).
    await expect(admin.locator('#dev-totals [data-count="applied"] dd')).toHaveText('1', { timeout: 8000 });
    await expect(admin.locator('#dev-reasons li[data-reason="no_rule"]')).toContainText('没有规则使用该信号');
    await expect(admin.locator('#dev-refusals tbody tr[data-reason="no_rule"]')).toContainText('no.such.signal');
    await expect(row.locator('.dev-messages')).toHaveText('2');
    // Silent after 2 s: flagged in the table.
    await expect(row.locator('.flag')).toHaveText('无信号', { timeout: 10_000 });
    await expect(row).toHaveClass(/is-silent/);

    // The chief judge sees the alarm; it clears and comes back live.
    const chiefContext = await browser.newContext({ baseURL: server.base, viewport: { width: 1280, height: 900 } });
    contexts.push(chiefContext);
    const page = await chiefContext.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await signInVia(page, '/chief', 'chief-wz');
    const alarm = page.locator('#device-alarm');
    await expect(alarm).toBeVisible();
    await expect(alarm.locator(`.device-alarm-item[data-station="${station}"]`)).toContainText(`${who.id} ${who.name}`);
    await expect(page.locator('#device-alarm-title')).toHaveText('设备报警：1 个工位没有信号');
    await expect(page.locator('#device-strip [data-item="silent"]')).toHaveText('无信号 1');
    await expect(page.locator('#device-strip [data-item="refused"]')).toHaveText('拒收信号 1');
    // Live: with the device status out of reach, only the stream's alarm events can
    // clear the alarm and raise it again.
    let blocked = 0;
    await page.route('**/devices', (route) => {
      blocked++;
      return route.abort();
    });
    expect(publish(server, device, station, 'heartbeat', { key: 'e2e-hb-1' })).toBe(0);
    await expect(alarm).toBeHidden({ timeout: 4000 });
    await expect(alarm).toBeVisible({ timeout: 6000 }); // silent again 2 s later
    await page.unroute('**/devices');
    expect(blocked).toBeLessThanOrEqual(1); // at most the 15 s refresh came by

    // The automatic mark in the trail: the device badge, the station and the signal.
    const before = criterionOf((await chief('GET', `/api/v1/competitions/${COMPETITION}/sheets/${who.id}`)).json, 'D3');
    expect(before.latest).toMatchObject({ judge: 'device', actor: `device:${station}`, value: 4 });
    await openTrail(page, who.id);
    const auto = page.locator(`#audit-table tbody tr[data-seq="${before.latest.seq}"]`);
    await expect(auto).toHaveClass(/row-device/);
    await expect(auto.locator('.device-badge')).toHaveText('设备');
    await expect(auto.locator('.device-station')).toHaveText(station);
    await expect(auto.locator('code.signal')).toHaveText('cell.cycle_s');
    await expect(auto.locator('td.value')).toHaveText('4');

    // Overridden with a reason; the dialog names the device and its signal.
    await auto.locator('button[data-action="override"]').click();
    await expect(page.locator('#override-current')).toContainText(`设备 ${station} · 信号 cell.cycle_s`);
    await page.fill('#override-value', '2');
    const reason = '节拍仪读数偏快，现场秒表复测 33 秒';
    await page.fill('#override-reason', reason);
    await page.locator('#override-ok').click();
    await expect(page.locator('#override-dialog')).toBeHidden();
    const after = criterionOf((await chief('GET', `/api/v1/competitions/${COMPETITION}/sheets/${who.id}`)).json, 'D3');
    expect(after.latest).toMatchObject({ value: 2, reason, judge: 'chief-wz' });
    const override = page.locator(`#audit-table tbody tr[data-seq="${after.latest.seq}"]`);
    await expect(override.locator('td.status')).toContainText('人工更正设备值');
    await expect(override).not.toHaveClass(/row-device/);

    // A later signal no longer changes it: refused as overridden.
    expect(publish(server, device, station, 'cell.cycle_s', { key: 'e2e-cycle-2', value: 20 })).toBe(0);
    const status = await devicesUntil(organiser, (s) => (s.counts.overridden || 0) >= 1, 'an overridden signal');
    expect(status.recent_refusals[0]).toMatchObject({ station, signal: 'cell.cycle_s', reason: 'overridden' });
    const still = criterionOf((await chief('GET', `/api/v1/competitions/${COMPETITION}/sheets/${who.id}`)).json, 'D3');
    expect(still.latest.seq).toBe(after.latest.seq);
    expect(still.crit.score).toBe(2);
    await expect(admin.locator('#dev-reasons li[data-reason="overridden"]')).toContainText('已由裁判人工给分', { timeout: 8000 });

    // Revoked: the broker refuses the credentials from then on.
    await row.locator('button[data-action="revoke"]').click();
    await expect(admin.locator('#confirm-dialog')).toBeVisible();
    await expect(admin.locator('#confirm-title')).toContainText(station);
    await admin.locator('#confirm-ok').click();
    await expect(admin.locator('#toast')).toHaveText(`已撤销 ${creds.username}`);
    await expect(card).toHaveCount(0);
    expect(publish(server, device, station, 'heartbeat', { key: 'e2e-hb-2' })).not.toBe(0);
    expect(errors).toEqual([]);
  } finally {
    for (const c of contexts) await c.close();
    await server.stop();
  }
});

// ------------------------------------------------------------------ screenshots

test('screenshots of the devices section and the chief judge’s alarm (JX_SCREENSHOTS=1)', async ({ browser }) => {
  test.skip(!SHOTS, 'screenshots only with JX_SCREENSHOTS=1');
  expect(HAVE_MOSQUITTO, 'mosquitto is installed (make test installs it)').toBe(true);
  const server = await startWithBroker(5);
  const contexts = [];
  let beat = 0;
  try {
    const organiser = await apiClient(server, 'organiser');
    const comp = (await organiser('GET', `/api/v1/competitions/${COMPETITION}`)).json;
    const gateway = { user: server.broker.user, password: server.broker.password };
    const wz = comp.contestants.filter((c) => c.venue === 'wz').slice(0, 9);
    const hz = comp.contestants.filter((c) => c.venue === 'hz').slice(0, 4);
    const lost = wz[7]; // its device falls silent
    publish(server, gateway, lost.station, 'heartbeat', { key: 'shot-hb-lost' });
    publish(server, gateway, lost.station, 'stage.start', { key: 'shot-x', value: true });
    const active = [...wz.slice(0, 7), wz[8], ...hz];
    for (const [i, c] of active.entries()) {
      publish(server, gateway, c.station, 'cell.cycle_s', { key: `shot-c-${i}`, value: 26 + (i % 5) * 3.5 });
      if (i % 3 === 0) publish(server, gateway, c.station, 'plc.selftest', { key: `shot-p-${i}`, value: true });
    }
    publish(server, gateway, wz[1].station, 'cell.cycle_s', { key: 'shot-c-1', value: 99 }); // a key reused
    publish(server, gateway, 'wz-99', 'plc.selftest', { key: 'shot-unknown', value: true });
    publish(server, gateway, wz[2].station, 'cell.cycle_s', '{"value": 31}');
    // The others keep talking (heartbeats) while the pages are shot.
    let k = 0;
    const beatOnce = () => {
      for (const c of active)
        spawn('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(server.broker.port), '-u', gateway.user, '-P', gateway.password, '-q', '1',
          '-t', `jiangxing/${COMPETITION}/${c.station}/heartbeat`, '-m', JSON.stringify({ key: `shot-beat-${k++}` })], { stdio: 'ignore' });
    };
    beatOnce();
    beat = setInterval(beatOnce, 1500);
    await devicesUntil(organiser, (s) => s.stations.length >= active.length + 1, 'the stations');

    const adminContext = await browser.newContext({ baseURL: server.base, viewport: { width: 1440, height: 1000 } });
    contexts.push(adminContext);
    const admin = await adminContext.newPage();
    await signInVia(admin, '/admin', 'organiser');
    await admin.locator('#tab-devices').click();
    await expect(admin.locator('#dev-state')).toHaveAttribute('data-enabled', 'true');
    await admin.locator(`#dev-table tr[data-station="${wz[0].station}"] button[data-action="issue"]`).click();
    await expect(admin.locator('#dev-cards .dev-card')).toHaveCount(1);
    await expect(admin.locator(`#dev-table tr[data-station="${lost.station}"] .flag`)).toHaveText('无信号', { timeout: 15_000 });
    await expect(admin.locator(`#dev-table tr[data-station="${wz[0].station}"] .flag`)).toHaveText('在线');
    await admin.evaluate(() => {
      document.getElementById('toast').hidden = true;
      document.querySelector('#dev-table').closest('.table-wrap').scrollTop = 0;
      window.scrollTo(0, 0);
    });
    await shot(admin, 'admin-devices', { fullPage: true });

    const chiefContext = await browser.newContext({ baseURL: server.base, viewport: { width: 1280, height: 900 } });
    contexts.push(chiefContext);
    const page = await chiefContext.newPage();
    await signInVia(page, '/chief', 'chief-wz');
    await expect(page.locator(`#device-alarm .device-alarm-item[data-station="${lost.station}"]`)).toBeVisible();
    // The trail of a contestant whose automatic D3 the chief judge overrode.
    await openTrail(page, wz[0].id);
    const auto = page.locator('#audit-table tr.row-device').last();
    await auto.locator('button[data-action="override"]').click();
    await page.fill('#override-value', '2');
    await page.fill('#override-reason', '节拍仪读数偏快，现场秒表复测 33 秒');
    await page.locator('#override-ok').click();
    await expect(page.locator('#audit-table td.status', { hasText: '人工更正设备值' })).toHaveCount(1);
    await page.evaluate(() => {
      document.getElementById('toast').hidden = true;
      window.scrollTo(0, 0);
    });
    await shot(page, 'chief-devices', { fullPage: true });
    expect(existsSync(path.join(ROOT, 'docs/screenshots/chief-devices.png'))).toBe(true);
  } finally {
    clearInterval(beat);
    for (const c of contexts) await c.close();
    await server.stop();
  }
});
