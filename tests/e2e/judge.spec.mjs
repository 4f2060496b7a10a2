// The judge's tablet page against a real server, in Debian's Chromium.
//
// A worker fixture builds a demo database in a temp dir, starts `jiangxing serve`
// on a free loopback port and stops it by PID afterwards. The test signs in as a
// judge, marks one contestant online (judgement, measurement, deduction), goes
// offline and marks more (changes with reasons, a void), comes back while the
// first answer is lost on the way (so the resend is a duplicate), reloads with a
// mark still queued, and then checks as admin, through the API, that every mark
// arrived exactly once and that the sheet and the standings reflect them.
//
// JX_SCREENSHOTS=1 also writes the screenshots to docs/screenshots/.
import { ADMIN_PASSWORD, apiClient, DEMO_PASSWORD, expect, ROOT, test } from './fixture.mjs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const JUDGE = 'j-wz-A-1'; // demo judge of module A at the Wenzhou venue
const MARKS_URL = '**/api/v1/competitions/*/marks';

// ------------------------------------------------------------------ server


// ------------------------------------------------------------------ helpers

/** An API client signed in as the admin (bearer token: no cookie, no CSRF). */
const adminClient = (server) => apiClient(server, 'admin', ADMIN_PASSWORD);

/** Every mark of a score sheet's module (with the voids that hit its deductions). */
function sheetMarks(sheet, moduleId) {
  const mod = sheet.modules.find((m) => m.id === moduleId);
  const marks = [];
  const voids = [];
  for (const cr of mod.criteria) {
    for (const m of cr.marks) {
      marks.push({ ...m, criterion: cr.id });
      if (m.voided_by) voids.push(m.voided_by);
    }
  }
  return { mod, marks, voids };
}

const card = (page, id) => page.locator(`.crit[data-criterion="${id}"]`);

async function signIn(page, username, password) {
  await page.goto('/judge');
  await page.waitForURL(/\/login/);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-submit');
  await page.waitForURL(/\/judge$/);
  await expect(page.locator('.roster-item').first()).toBeVisible();
}

async function giveReason(page, reason) {
  const dialog = page.locator('#reason-dialog');
  await expect(dialog).toBeVisible();
  await page.fill('#reason-input', reason);
  await page.click('#reason-ok');
  await expect(dialog).toBeHidden();
}

async function expectState(page, id, state) {
  await expect(card(page, id)).toHaveAttribute('data-state', state);
}

async function shoot(page, testInfo, name) {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file });
  if (process.env.JX_SCREENSHOTS) {
    mkdirSync(path.join(ROOT, 'docs/screenshots'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'docs/screenshots', `${name}.png`) });
  }
}

// ------------------------------------------------------------------ tests

test.describe.configure({ mode: 'serial' });

/** Shared between the serial tests: the competition and the contestant marked. */
const shared = {};

test('a judge marks online and offline; every mark arrives exactly once', async ({ page, context, server }, testInfo) => {
  const admin = await adminClient(server);
  const comps = await admin('GET', '/api/v1/competitions');
  const compId = comps.json.competitions[0].id;
  const scheme = (await admin('GET', `/api/v1/competitions/${compId}`)).json;
  // A contestant of the judge's venue with nothing marked in module A yet.
  let who = null;
  for (const c of scheme.contestants.filter((x) => x.venue === 'wz')) {
    const sheet = (await admin('GET', `/api/v1/competitions/${compId}/sheets/${c.id}`)).json;
    if (sheetMarks(sheet, 'A').marks.length === 0) {
      who = c.id;
      break;
    }
  }
  expect(who, 'the demo has a Wenzhou contestant with no module A marks').toBeTruthy();
  Object.assign(shared, { compId, who });
  const before = (await admin('GET', `/api/v1/competitions/${compId}/standings?scope=overall`)).json.entries.find((e) => e.contestant === who);

  // Watch what the page sends and what the server answers.
  const sentKeys = new Set();
  const answers = [];
  page.on('request', (req) => {
    if (req.method() === 'POST' && /\/marks$/.test(req.url())) for (const m of req.postDataJSON().marks) sentKeys.add(m.key);
  });
  page.on('response', async (res) => {
    if (res.request().method() === 'POST' && /\/marks$/.test(res.url())) answers.push({ status: res.status(), body: await res.json().catch(() => null) });
  });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  await signIn(page, JUDGE, DEMO_PASSWORD);
  await expect(page.locator('#net-pill')).toHaveAttribute('data-online', 'true');
  await page.locator(`.roster-item[data-contestant="${who}"]`).click();
  await expect(card(page, 'A1')).toBeVisible();
  for (const id of ['A1', 'A2', 'A3']) await expectState(page, id, 'empty');

  // Online: a judgement, a measurement, a deduction — each saved.
  await card(page, 'A2').locator('.grade[data-grade="2"]').click();
  await expectState(page, 'A2', 'saved');
  await expect(card(page, 'A2').locator('.grade[data-grade="2"]')).toHaveAttribute('aria-pressed', 'true');

  await card(page, 'A1').locator('input').fill('7'); // over the max of 6: refused on the page
  await card(page, 'A1').locator('button.btn-primary').click();
  await expect(card(page, 'A1').locator('.field-error')).toBeVisible();
  await expectState(page, 'A1', 'empty');
  await card(page, 'A1').locator('input').fill('4.25');
  await card(page, 'A1').locator('button.btn-primary').click();
  await expectState(page, 'A1', 'saved');
  await expect(card(page, 'A1').locator('.crit-status')).toContainText('已保存');

  const a3 = card(page, 'A3');
  await a3.locator('.deduct-amount').fill('0.5');
  await a3.locator('.reason-chip', { hasText: '工具摆放不规范' }).click();
  await a3.locator('button', { hasText: '添加扣分' }).click();
  await expect(a3.locator('.deduction')).toHaveCount(1);
  await expect(a3.locator('.deduction').first()).toHaveAttribute('data-state', 'saved');
  await expectState(page, 'A3', 'saved');
  await expect(page.locator('#queue-count')).toHaveAttribute('data-count', '0');

  // Offline: more marks, all queued on the tablet.
  await context.setOffline(true);
  await expect(page.locator('#net-pill')).toHaveAttribute('data-online', 'false');
  await expect(page.locator('#net-banner')).toContainText('离线');

  await a3.locator('.deduct-amount').fill('1');
  await a3.locator('.deduct-reason').fill('现场未清理干净');
  await a3.locator('button', { hasText: '添加扣分' }).click();
  await expect(a3.locator('.deduction')).toHaveCount(2);
  await expect(a3.locator('.deduction').nth(1)).toHaveAttribute('data-state', 'queued');

  await card(page, 'A1').locator('input').fill('5.125');
  await card(page, 'A1').locator('button.btn-primary').click();
  await giveReason(page, '复核后更正'); // changing a saved mark asks why
  await expectState(page, 'A1', 'queued');

  await a3.locator('.deduction').first().locator('[data-action="void"]').click();
  await giveReason(page, '误扣');
  await expect(a3.locator('.deduction').first()).toContainText('作废待发送');

  await card(page, 'A2').locator('.grade[data-grade="3"]').click();
  await giveReason(page, '复核后更正');
  await expectState(page, 'A2', 'queued');

  await expect(page.locator('#queue-count')).toHaveText('4');
  await expect(page.locator('#net-banner')).toContainText('4 条评分已保存在本机');
  await page.evaluate(() => window.scrollTo(0, 0));
  await shoot(page, testInfo, 'judge-tablet-offline');

  // Back online, but the server's first answer is lost on the way: the marks are
  // committed, the tablet does not know, resends, and the server calls them duplicates.
  let lose = true;
  await page.route(MARKS_URL, async (route) => {
    if (!lose) return route.continue();
    lose = false;
    await route.fetch();
    await route.abort('connectionreset');
  });
  await context.setOffline(false);
  await expect(page.locator('#queue-count')).toHaveAttribute('data-count', '0', { timeout: 30_000 });
  for (const id of ['A1', 'A2', 'A3']) await expectState(page, id, 'saved');
  await expect(a3.locator('.deduction').first()).toHaveAttribute('data-voided', 'true');
  expect(lose).toBe(false);
  expect(answers.some((a) => a.status === 200 && a.body && a.body.duplicates === 4)).toBe(true);
  await page.unroute(MARKS_URL);

  // The queue survives a reload: a mark that cannot be sent is still there afterwards.
  await page.route(MARKS_URL, (route) => route.abort('internetdisconnected'));
  await a3.locator('button', { hasText: '无扣分' }).click();
  await expect(a3.locator('.deduction')).toHaveCount(3);
  await expect(page.locator('#queue-count')).toHaveText('1');
  await page.reload();
  await expect(card(page, 'A3')).toBeVisible();
  await expect(page.locator('#queue-count')).toHaveText('1');
  await expect(card(page, 'A3').locator('.deduction').nth(2)).toHaveAttribute('data-state', 'queued');
  await expect(page.locator('#net-banner-retry')).toBeVisible();
  await page.unroute(MARKS_URL);
  await page.click('#net-banner-retry');
  await expect(page.locator('#queue-count')).toHaveAttribute('data-count', '0');
  await expect(card(page, 'A3').locator('.deduction').nth(2)).toHaveAttribute('data-state', 'saved');
  await expect(page.locator('#net-banner')).toBeHidden();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shoot(page, testInfo, 'judge-tablet');

  // Exactly once, as the server sees it.
  const sheet = (await admin('GET', `/api/v1/competitions/${compId}/sheets/${who}`)).json;
  const { mod, marks, voids } = sheetMarks(sheet, 'A');
  const keys = [...marks, ...voids].map((m) => m.key);
  expect(new Set(keys).size).toBe(keys.length);
  expect(new Set(keys)).toEqual(sentKeys);
  expect(keys).toHaveLength(8); // A1 ×2, A2 ×2, A3: 3 deductions + 1 void
  for (const m of [...marks, ...voids]) expect(m.actor).toBe(JUDGE);
  const byCriterion = Object.fromEntries(mod.criteria.map((c) => [c.id, c]));
  expect(byCriterion.A1.marks).toHaveLength(2);
  expect(byCriterion.A2.marks).toHaveLength(2);
  expect(byCriterion.A3.marks).toHaveLength(3);
  expect(voids).toHaveLength(1);
  expect(byCriterion.A1.score).toBe(5.125); // latest measurement
  expect(byCriterion.A2.score).toBe(6); // one judge's 3 of 3 × max 6
  expect(byCriterion.A3.score).toBe(2); // 3 − (1 + 0), the 0.5 voided
  expect(mod.score).toBe(13.125);

  const standings = (await admin('GET', `/api/v1/competitions/${compId}/standings?scope=overall`)).json;
  const entry = standings.entries.find((e) => e.contestant === who);
  expect(entry.modules.A).toBe(13.125);
  expect(entry.total).toBeGreaterThan(before.total);
  expect(entry.total).toBe(sheet.total);
  expect(pageErrors).toEqual([]);
});

test('the page switches to English and back', async ({ page }) => {
  await signIn(page, JUDGE, DEMO_PASSWORD);
  await page.click('#lang-toggle');
  await expect(page.locator('#net-pill-text')).toHaveText('Online');
  await expect(page.locator('#lang-toggle')).toHaveText('中文');
  await expect(page.locator('.roster-item .roster-station small').first()).toHaveText('Station');
  await page.reload();
  await expect(page.locator('#net-pill-text')).toHaveText('Online');
  await page.click('#lang-toggle');
  await expect(page.locator('#net-pill-text')).toHaveText('在线');
});

test('on a phone the roster and the sheet take turns', async ({ browser, baseURL }, testInfo) => {
  const context = await browser.newContext({ baseURL, viewport: { width: 375, height: 812 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2, locale: 'zh-CN' });
  const page = await context.newPage();
  await signIn(page, JUDGE, DEMO_PASSWORD);
  await expect(page.locator('#sheet')).toBeHidden();
  await shoot(page, testInfo, 'judge-phone-roster');
  await page.locator(`.roster-item[data-contestant="${shared.who}"]`).click();
  await expect(page.locator('#roster')).toBeHidden();
  await expect(card(page, 'A2')).toHaveAttribute('data-state', 'saved');
  // Touch targets are at least 48 px.
  for (const sel of ['.grade', '.sheet-back', '.reason-chip', '.crit button.btn-primary']) {
    const box = await page.locator(sel).first().boundingBox();
    expect(box.height, sel).toBeGreaterThanOrEqual(48);
  }
  await shoot(page, testInfo, 'judge-phone');
  await page.locator('.sheet-back').click();
  await expect(page.locator('#roster')).toBeVisible();
  await context.close();
});

test('a mark the server refuses is shown as rejected, and the rest of its batch still goes', async ({ page, context, server }) => {
  // The chief judge of the venue may mark every module; module E gets signed off
  // while the tablet still shows it open, so only the server can refuse that mark.
  const admin = await adminClient(server);
  const { compId, who } = shared;
  await signIn(page, 'chief-wz', DEMO_PASSWORD);
  await page.locator(`.roster-item[data-contestant="${who}"]`).click();
  await expectState(page, 'E1', 'empty');
  const locked = await admin('POST', `/api/v1/competitions/${compId}/modules/E/lock`, {});
  expect(locked.status, locked.text).toBe(200);

  await context.setOffline(true); // so that the three marks go in one batch
  await card(page, 'B1').locator('input').fill('6.5');
  await card(page, 'B1').locator('button.btn-primary').click();
  await card(page, 'E1').locator('.grade[data-grade="2"]').click();
  await card(page, 'C1').locator('input').fill('5');
  await card(page, 'C1').locator('button.btn-primary').click();
  await expect(page.locator('#queue-count')).toHaveText('3');
  await context.setOffline(false);

  await expect(page.locator('#queue-count')).toHaveAttribute('data-count', '0');
  await expectState(page, 'E1', 'rejected');
  await expect(card(page, 'E1').locator('.crit-rejected')).toContainText('锁定');
  await expectState(page, 'B1', 'saved');
  await expectState(page, 'C1', 'saved');
  await expect(page.locator('#net-banner')).toContainText('被拒绝');
  // Once the queue is empty the page re-reads its view and shows module E locked.
  await expect(page.locator('.module[data-module="E"]')).toHaveAttribute('data-locked', 'true', { timeout: 20_000 });
  await expect(card(page, 'E1').locator('.grade').first()).toBeDisabled();

  const sheet = (await admin('GET', `/api/v1/competitions/${compId}/sheets/${who}`)).json;
  const marksOf = (moduleId, crit) => sheet.modules.find((m) => m.id === moduleId).criteria.find((c) => c.id === crit).marks;
  expect(marksOf('B', 'B1')).toHaveLength(1);
  expect(marksOf('C', 'C1')).toHaveLength(1);
  expect(marksOf('E', 'E1')).toHaveLength(0);

  // Dismissing the refusal clears it from the tablet for good.
  await card(page, 'E1').locator('.crit-rejected button').click();
  await expectState(page, 'E1', 'empty');
  await page.reload();
  await expectState(page, 'E1', 'empty');
});

test('a re-judge request from the chief shows on the card and clears with the new grade', async ({ page, server }) => {
  const admin = await adminClient(server);
  const { compId, who } = shared;
  const ask = await admin('POST', `/api/v1/competitions/${compId}/rejudge`, { contestant: who, criterion: 'A2', note: '请复评装配工艺' });
  expect(ask.status, ask.text).toBe(200);
  await signIn(page, JUDGE, DEMO_PASSWORD);
  await page.locator(`.roster-item[data-contestant="${who}"]`).click();
  await expect(card(page, 'A2').locator('.crit-rejudge')).toContainText('要求复评');
  await expect(card(page, 'A2').locator('.crit-rejudge')).toContainText('请复评装配工艺');
  await expect(card(page, 'A1').locator('.crit-rejudge')).toHaveCount(0);
  const current = await card(page, 'A2').locator('.grade[aria-pressed="true"]').getAttribute('data-grade');
  const other = current === '2' ? '1' : '2';
  await card(page, 'A2').locator(`.grade[data-grade="${other}"]`).click();
  await giveReason(page, '复评后改分');
  await expectState(page, 'A2', 'saved');
  await expect(card(page, 'A2').locator('.crit-rejudge')).toHaveCount(0, { timeout: 20_000 });
  const review = await admin('GET', `/api/v1/competitions/${compId}/review`);
  expect(review.json.rejudge).toEqual([]);
});

test('with several competitions the judge picks one, and can switch', async ({ page, server }) => {
  const admin = await adminClient(server);
  const created = await admin('POST', '/api/v1/competitions', {
    format: 'jiangxing.competition/1',
    id: 'e2e-second',
    title: '端到端测试第二赛事',
    groups: [{ id: 'worker', name: '职工组' }],
    venues: [{ id: 'wz', name: '温州赛场' }],
    components: [{ id: 'practical', name: '实操', weight: 1 }],
    modules: [{ id: 'M', name: '精度测量', component: 'practical', criteria: [{ id: 'M1', name: '平面度', kind: 'judgement', max: 3, judges: 1 }] }],
    ranking: { tiebreak: [], award_scope: 'group', awards: [{ name: '一等奖', ratio: 0.5 }] },
    contestants: [{ id: 'X01', name: '测试选手', group: 'worker', venue: 'wz', station: '7', org: '测试单位' }],
  });
  expect(created.status, created.text).toBe(201);
  const assigned = await admin('POST', '/api/v1/competitions/e2e-second/assignments', { judge: JUDGE, venue: 'wz', modules: ['M'] });
  expect(assigned.status, assigned.text).toBe(200);

  await page.goto('/judge');
  await page.waitForURL(/\/login/);
  await page.fill('#username', JUDGE);
  await page.fill('#password', DEMO_PASSWORD);
  await page.click('#login-submit');
  await expect(page.locator('#view-comps')).toBeVisible();
  await expect(page.locator('.comp-card')).toHaveCount(2);
  await page.locator('.comp-card[data-comp="e2e-second"]').click();
  await expect(page.locator('#comp-title')).toHaveText('端到端测试第二赛事');
  await page.locator('.roster-item[data-contestant="X01"]').click();
  await card(page, 'M1').locator('.grade[data-grade="3"]').click();
  await expectState(page, 'M1', 'saved');
  const standings = (await admin('GET', '/api/v1/competitions/e2e-second/standings?scope=overall')).json;
  expect(standings.entries[0]).toMatchObject({ contestant: 'X01', total: 100, rank: 1 });

  // The choice is remembered; the switch button goes back to the list.
  await page.reload();
  await expect(page.locator('#comp-title')).toHaveText('端到端测试第二赛事');
  await page.click('#switch-comp');
  await expect(page.locator('.comp-card')).toHaveCount(2);
});
