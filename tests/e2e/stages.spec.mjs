// Stages (闯关): a competition of its own with one module in stages (the demo's module C
// has more contestants than a test needs). The big screen's module view shows each
// contestant's stage reached and moves on live, without a reload, when marks make a
// contestant pass stage 1; the passed stages' times, the current stage's running clock,
// 未通过 for a stage marked in full below its pass score, and the total once every stage
// is passed. The judge's roster and sheet and the chief judge's page show the same; a
// judge may mark a criterion of a stage not reached yet: it is kept, and counts once the
// stage before is passed.
import { ADMIN_PASSWORD, apiClient, DEMO_PASSWORD, expect, test } from './fixture.mjs';
import { randomBytes } from 'node:crypto';

// The tests build on each other (one worker, in file order): after a failure the rest skip.
test.describe.configure({ mode: 'serial' });

const COMP = 'e2e-stages';
const key = () => `e2e-stages-${randomBytes(6).toString('hex')}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** "0:01", "20:35", "1:02:03": a stage's time as the pages write it. */
function duration(ms) {
  const s = Math.floor(ms / 1000);
  const two = (x) => String(x).padStart(2, '0');
  const hours = Math.floor(s / 3600);
  return hours ? `${hours}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : `${Math.floor(s / 60)}:${two(s % 60)}`;
}

/** A contestant's entry on the public board. */
async function boardEntry(server, who) {
  const r = await fetch(`${server.base}/api/v1/public/competitions/${COMP}/board`);
  expect(r.status).toBe(200);
  return (await r.json()).contestants.find((c) => c.id === who);
}

const competition = {
  format: 'jiangxing.competition/1',
  id: COMP,
  title: '闯关端到端测试',
  groups: [{ id: 'worker', name: '职工组' }],
  venues: [{ id: 'wz', name: '温州赛场' }],
  components: [{ id: 'practical', name: '实操', weight: 1 }],
  modules: [
    {
      id: 'C',
      name: '故障诊断与排除',
      component: 'practical',
      criteria: [
        { id: 'C1', name: '自检', kind: 'measurement', max: 10 },
        { id: 'C2', name: '定位', kind: 'measurement', max: 10 },
        { id: 'C3', name: '排除', kind: 'measurement', max: 10 },
      ],
      stages: [
        { id: 'C-1', name: '第一关 自检', criteria: ['C1'], pass: 5 },
        { id: 'C-2', name: '第二关 排障', criteria: ['C2', 'C3'] },
      ],
    },
    { id: 'M', name: '精度测量', component: 'practical', criteria: [{ id: 'M1', name: '平面度', kind: 'measurement', max: 10 }] },
  ],
  ranking: { tiebreak: [], award_scope: 'group', awards: [{ name: '一等奖', ratio: 0.5 }] },
  contestants: [
    { id: 'S01', name: '闯关选手甲', group: 'worker', venue: 'wz', station: '1', org: '测试单位' },
    { id: 'S02', name: '闯关选手乙', group: 'worker', venue: 'wz', station: '2', org: '测试单位' },
  ],
};

test('the module view shows the stage reached and moves on live when stage 1 is passed', async ({ page, server }) => {
  const admin = await apiClient(server, 'admin', ADMIN_PASSWORD);
  const created = await admin('POST', '/api/v1/competitions', competition);
  expect(created.status, created.text).toBe(201);
  const published = await admin('POST', `/api/v1/competitions/${COMP}/publish`, { published: true });
  expect(published.status, published.text).toBe(200);

  await page.goto(`/screen/${COMP}?view=module:C`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect.poll(() => page.evaluate(() => window.jxScreen.state)).toBe('live');
  const stage = (who) => page.locator(`#rows .row[data-contestant="${who}"] .r-stage`);
  await expect(stage('S01')).toBeVisible();
  await expect(stage('S01')).toContainText('第1关/共2关');
  await expect(stage('S01')).toContainText('第一关 自检');
  await expect(stage('S01')).toHaveAttribute('data-stage', 'C-1');
  await expect(stage('S02')).toContainText('第1关/共2关');
  const clock = (who) => page.locator(`#rows .row[data-contestant="${who}"] .r-stage-clock`);
  const times = (who) => page.locator(`#rows .row[data-contestant="${who}"] .r-stage-times`);
  await expect(clock('S01')).toHaveAttribute('data-state', 'none'); // not started: no clock
  await expect(times('S01')).toHaveText('');

  // A first mark in module C (a criterion of stage 2) starts S01's clock: stage 1 runs.
  const first = await admin('POST', `/api/v1/competitions/${COMP}/marks`, { marks: [{ key: key(), contestant: 'S01', criterion: 'C2', value: 7 }] });
  expect(first.status, first.text).toBe(200);
  await expect(clock('S01')).toHaveAttribute('data-state', 'running');
  await expect(stage('S01')).toHaveAttribute('data-stage', 'C-1');
  await sleep(1200); // stage 1 takes a second or more
  const before = await page.evaluate(() => window.jxScreen.snapshots);

  // C1 at 6 ≥ pass 5: S01 passes stage 1. S02 scores 4 on C1: stage 1 marked in full, below its pass.
  const r = await admin('POST', `/api/v1/competitions/${COMP}/marks`, {
    marks: [
      { key: key(), contestant: 'S01', criterion: 'C1', value: 6 },
      { key: key(), contestant: 'S02', criterion: 'C1', value: 4 },
    ],
  });
  expect(r.status, r.text).toBe(200);
  expect(r.json.accepted).toBe(2);

  await expect(stage('S01')).toContainText('第2关/共2关');
  await expect(stage('S01')).toContainText('第二关 排障');
  await expect(stage('S01')).toHaveAttribute('data-stage', 'C-2');
  await expect(stage('S02')).toContainText('第1关/共2关');
  expect(await page.evaluate(() => window.jxScreen.snapshots)).toBe(before); // a delta, not a reload

  // Stage 1's time, as the board has it, and a running clock for stage 2 that moves on.
  const s01 = (await boardEntry(server, 'S01')).stages.C;
  expect(s01.times).toHaveLength(1);
  expect(s01.times[0]).toBeGreaterThanOrEqual(1000);
  expect(typeof s01.since).toBe('number');
  await expect(times('S01').locator('.stage-time[data-k="1"]')).toHaveText(`①${duration(s01.times[0])}`);
  await expect(clock('S01')).toHaveAttribute('data-state', 'running');
  const running = clock('S01').locator('.clock-t');
  await expect(running).toHaveText(/^\d+:\d\d$/);
  const shown = await running.textContent();
  await expect.poll(() => running.textContent(), { timeout: 5000 }).not.toBe(shown);

  // S02: stage 1 marked in full below its pass score — 未通过, no clock.
  await expect(clock('S02')).toHaveAttribute('data-state', 'failed');
  await expect(clock('S02')).toContainText('未通过');
  await expect(clock('S02').locator('.clock-t')).toHaveCount(0);
  await expect(stage('S02')).toHaveClass(/is-failed/);
  await expect(page.locator('#view-sub')).toContainText('未通过 1 人');

  // Every stage passed: the passed marker, each stage's time and the total.
  const done = await admin('POST', `/api/v1/competitions/${COMP}/marks`, { marks: [{ key: key(), contestant: 'S01', criterion: 'C3', value: 8 }] });
  expect(done.status, done.text).toBe(200);
  await expect(stage('S01')).toContainText('✓ 全部通关');
  await expect(stage('S01')).toHaveClass(/is-cleared/);
  const cleared = (await boardEntry(server, 'S01')).stages.C;
  expect(cleared.current).toBeNull();
  expect(cleared.times).toHaveLength(2);
  expect(cleared.since).toBeUndefined();
  await expect(clock('S01')).toHaveAttribute('data-state', 'total');
  await expect(clock('S01')).toHaveText(`总用时 ${duration(cleared.times[0] + cleared.times[1])}`);
  await expect(times('S01').locator('.stage-time')).toHaveText([`①${duration(cleared.times[0])}`, `②${duration(cleared.times[1])}`]);

  // The overall view's module chip carries the stage badge (red when 未通过); the unstaged module none.
  await page.goto(`/screen/${COMP}?view=overall`);
  const chips = page.locator('#rows .row[data-contestant="S02"] .mod-chip');
  await expect(chips.filter({ hasText: 'C' }).locator('.chip-stage')).toHaveText('1/2');
  await expect(chips.filter({ hasText: 'C' }).locator('.chip-stage')).toHaveClass(/is-failed/);
  await expect(page.locator('#rows .row[data-contestant="S01"] .mod-chip .chip-stage')).toHaveText('✓');
  await expect(chips.filter({ hasText: 'M' }).locator('.chip-stage')).toHaveCount(0);

  // The progress view: the stage reached per contestant, 未通过, the total time.
  await page.goto(`/screen/${COMP}?view=progress`);
  await expect(page.locator('.st[data-contestant="S02"] .st-stage[data-module="C"]')).toHaveText('C1/2未通过');
  await expect(page.locator('.st[data-contestant="S01"] .st-stage[data-module="C"]')).toContainText('通关');
  await expect(page.locator('.st[data-contestant="S01"] .st-stage[data-module="C"] .st-time')).toHaveText(duration(cleared.times[0] + cleared.times[1]));
});

async function signIn(page, next, username) {
  await page.goto(next);
  await page.waitForURL(/\/login/);
  await page.fill('#username', username);
  await page.fill('#password', DEMO_PASSWORD);
  await page.click('#login-submit');
}

// Runs after the test above (one worker, in file order): S01 has passed every stage, S02
// failed stage 1 (marked in full below its pass score).
test('the judge roster and the chief judge page show the stage reached, its times and 未通过', async ({ page, server }) => {
  const admin = await apiClient(server, 'admin', ADMIN_PASSWORD);
  for (const who of ['j-wz-A-1', 'chief-wz']) {
    const assigned = await admin('POST', `/api/v1/competitions/${COMP}/assignments`, { judge: who, venue: 'wz', modules: ['C'] });
    expect(assigned.status, assigned.text).toBe(200);
  }

  const times = (await boardEntry(server, 'S01')).stages.C.times;
  const total = duration(times[0] + times[1]);

  await signIn(page, '/judge', 'j-wz-A-1');
  await page.locator(`.comp-card[data-comp="${COMP}"]`).click();
  const s02 = page.locator('.roster-item[data-contestant="S02"] .roster-stage[data-module="C"]');
  await expect(s02).toHaveText('C 第1关/共2关未通过');
  await expect(s02.locator('.stage-failed')).toHaveText('未通过');
  await expect(page.locator('.roster-item[data-contestant="S01"] .roster-stage[data-module="C"]')).toContainText('全部通关');
  await page.locator('.roster-item[data-contestant="S02"]').click();
  const line = page.locator('.module[data-module="C"] .module-stage');
  await expect(line).toContainText('第1关/共2关 · 第一关 自检');
  await expect(line.locator('.stage-failed')).toHaveText('未通过');
  await expect(line).not.toContainText('null');
  await page.locator('.roster-item[data-contestant="S01"]').click();
  await expect(line.locator('.stage-time')).toHaveText([` ① ${duration(times[0])}`, ` ② ${duration(times[1])}`]);

  await page.context().clearCookies();
  await signIn(page, `/chief?competition=${COMP}`, 'chief-wz');
  const card = page.locator('.module-card[data-module="C"] .module-stages');
  await expect(card.locator('[data-stage="C-1"]')).toHaveText('第1关 1 人');
  await expect(card.locator('[data-stage="cleared"]')).toHaveText('通关 1 人');
  await expect(card.locator('.stage-count[data-stage="failed"]')).toHaveText('未通过 1 人');
  await expect(page.locator('.module-card[data-module="M"] .module-stages')).toHaveCount(0);
  // Each started contestant's stage, times and clock (the failed first).
  await card.locator('.stage-list summary').click();
  const rows = card.locator('.stage-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toHaveAttribute('data-contestant', 'S02');
  await expect(rows.nth(0).locator('.stage-clock')).toHaveText('✕ 未通过');
  await expect(rows.nth(1)).toHaveAttribute('data-contestant', 'S01');
  await expect(rows.nth(1).locator('.stage-time')).toHaveText([`①${duration(times[0])}`, `②${duration(times[1])}`]);
  await expect(rows.nth(1).locator('.stage-clock')).toHaveText(`总用时 ${total}`);
  await page.goto(`/chief?competition=${COMP}&contestant=S02`);
  const audit = page.locator('#audit-stages [data-module="C"]');
  await expect(audit).toContainText('第1关/共2关 · 第一关 自检');
  await expect(audit.locator('.stage-clock')).toHaveAttribute('data-state', 'failed');
  await expect(audit).toHaveClass(/is-failed/);
  await page.goto(`/chief?competition=${COMP}&contestant=S01`);
  await expect(page.locator('#audit-stages [data-module="C"]')).toContainText('✓ 全部通关');
  await expect(page.locator('#audit-stages [data-module="C"] .stage-clock')).toHaveText(`总用时 ${total}`);
});

// Runs after the tests above: S02 is stuck in stage 1 (C1 = 4 below its pass of 5).
test('a judge marks a criterion of a stage not reached yet: saved, counted once the stage before passes', async ({ page, server }) => {
  const admin = await apiClient(server, 'admin', ADMIN_PASSWORD);
  const moduleScore = async () => {
    const r = await admin('GET', `/api/v1/competitions/${COMP}/standings?scope=module:C`);
    expect(r.status, r.text).toBe(200);
    return r.json.entries.find((e) => e.contestant === 'S02').modules.C;
  };
  expect(await moduleScore()).toBe(4);

  await signIn(page, '/judge', 'j-wz-A-1');
  await page.locator(`.comp-card[data-comp="${COMP}"]`).click();
  await page.locator('.roster-item[data-contestant="S02"]').click();
  const c2 = page.locator('.crit[data-criterion="C2"]');
  await expect(c2).toHaveClass(/is-stage-locked/);
  await expect(c2.locator('.crit-stage-lock')).toBeVisible();
  await expect(c2.locator('.crit-stage-lock b')).toHaveText('未解锁 locked stage');
  await expect(page.locator('.crit[data-criterion="C1"]')).not.toHaveClass(/is-stage-locked/);

  // Still open to marking: entered, saved, and kept by the server.
  await c2.locator('input').fill('9');
  await c2.locator('button.btn-primary').click();
  await expect(c2).toHaveAttribute('data-state', 'saved');
  await expect(c2.locator('.crit-status')).toContainText('已保存');
  const sheet = await admin('GET', `/api/v1/competitions/${COMP}/sheets/S02`);
  expect(sheet.status, sheet.text).toBe(200);
  const marks = sheet.json.modules.find((m) => m.id === 'C').criteria.find((c) => c.id === 'C2').marks;
  expect(marks.map((m) => [m.value, m.judge])).toEqual([[9, 'j-wz-A-1']]);

  // …but not counted while stage 1 is not passed: the module score is stage 1's alone.
  expect(await moduleScore()).toBe(4);
  expect((await boardEntry(server, 'S02')).modules.C).toBe(4);

  // Stage 1 passed (C1 corrected to 6): the mark counts, and stage 2's clock runs.
  const fix = await admin('POST', `/api/v1/competitions/${COMP}/marks`, {
    marks: [{ key: key(), contestant: 'S02', criterion: 'C1', value: 6, reason: '复核更正' }],
  });
  expect(fix.status, fix.text).toBe(200);
  expect(fix.json.accepted).toBe(1);
  expect(await moduleScore()).toBe(15);
  const entry = await boardEntry(server, 'S02');
  expect(entry.modules.C).toBe(15);
  expect(entry.stages.C).toMatchObject({ current: 'C-2', passed: 1 });
  expect(entry.stages.C.failed).toBeUndefined();

  // The judge's page, read again: stage 2 with its running clock, C2 no longer locked.
  await page.reload();
  await page.locator('.roster-item[data-contestant="S02"]').click();
  const roster = page.locator('.roster-item[data-contestant="S02"] .roster-stage[data-module="C"]');
  await expect(roster).toContainText('C 第2关/共2关');
  const clock = roster.locator('.stage-clock .clock-t');
  await expect(clock).toHaveText(/^\d+:\d\d$/);
  const shown = await clock.textContent();
  await expect.poll(() => clock.textContent(), { timeout: 5000 }).not.toBe(shown);
  await expect(page.locator('.module[data-module="C"] .module-stage .stage-clock')).toContainText('本关用时');
  await expect(c2).not.toHaveClass(/is-stage-locked/);
  await expect(c2.locator('.crit-stage-lock')).toBeHidden();
});
