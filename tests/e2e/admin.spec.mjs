// The organiser's, chief judge's and score-sheet pages against a real server, in
// Debian's Chromium.
//
// A worker fixture builds a demo database in a temp dir, starts `jiangxing serve`
// on a free loopback port and stops it by PID afterwards (the same pattern as
// judge.spec.mjs). The organiser signs in through the ?next= redirect, opens the
// standings, switches the scope to a group and to a module (each checked against
// the API), opens a contestant's score sheet from the table and checks its total
// against the API and its one-A4-page print. The chief judge sees a sign-off
// refused for a module with disputed judgements (the server's 409 message is
// shown), signs off a module without disputes and sees it locked, unlocks it with a
// reason, asks for a disputed judgement to be re-judged and, once a judge has marked
// again, finds the correction highlighted in the contestant's audit trail. The
// organiser builds a small competition with the create-by-form view: the weights
// check refuses 0.6/0.5 without sending anything, the server's 409 for an id that
// exists shows next to the id, and once created the competition read back through
// the API (as admin) has exactly the groups, venues, components, modules, criteria
// and ranking of the form, which are also what was previewed, downloaded and posted.
//
// JX_SCREENSHOTS=1 also writes the screenshots to docs/screenshots/.
import { ADMIN_PASSWORD, apiClient, DEMO_PASSWORD, expect, ROOT, test } from './fixture.mjs';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const COMPETITION = 'irom-final-2026'; // the demo competition
const SHOTS = !!process.env.JX_SCREENSHOTS;
let corrected = 'W001'; // the contestant whose judgement the chief test has re-judged

// ------------------------------------------------------------------ server


// ------------------------------------------------------------------ helpers


/** Opens path, is sent to the sign-in page (?next=) and signs in; ends on path. */
async function signInVia(page, pathname, username) {
  await page.goto(pathname);
  await page.waitForURL(/\/login\?next=/);
  await page.fill('#username', username);
  await page.fill('#password', DEMO_PASSWORD);
  await page.click('#login-submit');
  await page.waitForURL((url) => url.pathname === pathname.split(/[?#]/)[0]);
  await page.waitForSelector('body[data-ready="true"]');
}

const zh = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 3 });

async function shot(page, name, options = {}) {
  if (!SHOTS) return;
  mkdirSync(path.join(ROOT, 'docs/screenshots'), { recursive: true });
  await page.screenshot({ path: path.join(ROOT, 'docs/screenshots', `${name}.png`), ...options });
}

/** The standings table's rows as {rank, contestant, group, total}. */
async function tableRows(page) {
  return page.$$eval('#standings-table tbody tr', (rows) =>
    rows.map((tr) => ({
      rank: Number(tr.cells[0].textContent.trim()),
      contestant: tr.dataset.contestant,
      group: tr.cells[3].textContent.trim(),
      total: tr.querySelector('td.col-total').textContent.trim(),
    })),
  );
}

/** Chooses a scope and waits for its answer and for the table to show it. */
async function chooseScope(page, scope) {
  const answer = page.waitForResponse((r) => r.url().includes('/standings?scope=') && r.url().includes(encodeURIComponent(scope)));
  await page.selectOption('#scope', scope);
  const json = await (await answer).json();
  expect(json.scope).toBe(scope);
  await expect(page.locator('#standings-table tbody tr')).toHaveCount(json.entries.length);
  await expect(page.locator('#standings-table tbody tr').first()).toHaveAttribute('data-contestant', json.entries[0].contestant);
  return json;
}

test.describe.configure({ mode: 'serial' });

// ------------------------------------------------------------------ organiser

test('the organiser reads the standings in each scope and opens a score sheet', async ({ browser, server }) => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const organiser = await apiClient(server, 'organiser');
  const comp = (await organiser('GET', `/api/v1/competitions/${COMPETITION}`)).json;

  await signInVia(page, '/admin', 'organiser');
  await expect(page.locator('#comp-title')).toHaveText(comp.title);
  await expect(page.locator('#tab-standings')).toHaveAttribute('aria-selected', 'true');

  // Overall: the table follows the API, rank by rank, with zh-CN numbers.
  const overall = (await organiser('GET', `/api/v1/competitions/${COMPETITION}/standings?scope=overall`)).json;
  await expect(page.locator('#standings-table tbody tr')).toHaveCount(overall.entries.length);
  const rows = await tableRows(page);
  expect(rows.map((r) => r.contestant)).toEqual(overall.entries.map((e) => e.contestant));
  expect(rows.map((r) => r.rank)).toEqual(overall.entries.map((e) => e.rank));
  expect(rows.map((r) => r.total)).toEqual(overall.entries.map((e) => zh.format(e.total)));
  await shot(page, 'admin-standings');

  // A group: only that group, ranked from 1 within it.
  const group = comp.groups[0];
  const byGroup = await chooseScope(page, `group:${group.id}`);
  const groupRows = await tableRows(page);
  expect(groupRows.length).toBe(comp.contestants.filter((c) => c.group === group.id).length);
  expect(new Set(groupRows.map((r) => r.group))).toEqual(new Set([group.name]));
  expect(groupRows[0].rank).toBe(1);
  expect(groupRows.map((r) => r.rank)).toEqual(byGroup.entries.map((e) => e.rank));
  await expect(page).toHaveURL(new RegExp(`scope=group%3A${group.id}`));
  await shot(page, 'admin-standings-group');

  // A module: ranked by the module score, its column highlighted.
  const module = comp.modules.find((m) => m.id === 'C') || comp.modules[0];
  const byModule = await chooseScope(page, `module:${module.id}`);
  const focus = page.locator('#standings-table thead th.is-focus');
  await expect(focus).toHaveCount(1);
  await expect(focus.locator('.th-id')).toHaveText(module.id);
  const firstModuleScore = await page.locator('#standings-table tbody tr').first().locator('td.is-focus').textContent();
  expect(firstModuleScore.trim()).toBe(zh.format(byModule.entries[0].modules[module.id]));

  // The sheet of the module's leader, opened from the table.
  const leader = byModule.entries[0].contestant;
  const person = comp.contestants.find((c) => c.id === leader);
  await page.locator(`#standings-table tbody tr[data-contestant="${leader}"] a`).click();
  await page.waitForURL((url) => url.pathname === '/sheet' && url.searchParams.get('contestant') === leader);
  await page.waitForSelector('body[data-ready="true"]');
  const sheet = (await organiser('GET', `/api/v1/competitions/${COMPETITION}/sheets/${leader}`)).json;
  expect(sheet.total).toBe(byModule.entries[0].total); // the sheet and the standings agree
  await expect(page.locator('#r-total')).toHaveText(zh.format(sheet.total));
  await expect(page.locator('#c-name')).toHaveText(person.name);
  await expect(page.locator('#r-rank')).toHaveText(String(sheet.rank));
  await expect(page.locator('#r-group-rank')).toHaveText(String(sheet.group_rank));
  await expect(page.locator('table.mod')).toHaveCount(sheet.modules.length);
  const sheetModule = sheet.modules.find((m) => m.id === module.id);
  await expect(page.locator(`table.mod[data-module="${module.id}"] .mod-score b`)).toHaveText(zh.format(sheetModule.score));
  await expect(page.locator(`table.mod[data-module="${module.id}"] .mod-rank b`)).toHaveText(String(sheetModule.rank));
  if (sheet.award) await expect(page.locator('#r-award')).toHaveText(sheet.award);

  // Printed, the sheet is one A4 page.
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  await page.emulateMedia({ media: 'screen' });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  expect(pages).toBe(1);
  expect(errors).toEqual([]);
  await context.close();
});

// ------------------------------------------------------------------ chief judge

test('the chief judge signs off a module without disputes; one with disputes is refused', async ({ browser, server }) => {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const chief = await apiClient(server, 'chief-wz');
  const review = (await chief('GET', `/api/v1/competitions/${COMPETITION}/review`)).json;
  const comp = (await chief('GET', `/api/v1/competitions/${COMPETITION}`)).json;
  const atWenzhou = new Set(comp.contestants.filter((c) => c.venue === 'wz').map((c) => c.id)); // chief-wz's venue
  const clean = review.modules.find((m) => !m.locked && m.disputed.length === 0);
  const disputed = review.modules.find((m) => !m.locked && m.disputed.some((d) => atWenzhou.has(d.contestant)));
  expect(clean, 'the demo has a module without disputes').toBeTruthy();
  expect(disputed, 'the demo has a module with disputes').toBeTruthy();

  await signInVia(page, '/chief', 'chief-wz');
  await expect(page.locator('.module-card')).toHaveCount(review.modules.length);
  const total = review.modules.reduce((n, m) => n + m.disputed.length, 0);
  await expect(page.locator('#stat-disputed')).toHaveText(zh.format(total));
  await shot(page, 'chief-modules');

  // Refused: the server's 409 message shows on the card, and the module stays open.
  const bad = page.locator(`.module-card[data-module="${disputed.id}"]`);
  await expect(bad.locator('.dispute')).toHaveCount(Math.min(3, disputed.disputed.length));
  if (!(await bad.locator(`.dispute[data-contestant="${disputed.disputed.find((d) => atWenzhou.has(d.contestant)).contestant}"]`).count()))
    await bad.locator('button.more').click(); // the dispute used below is further down the list
  await bad.locator('[data-action="lock"]').click();
  await page.locator('#lock-ok').click();
  await expect(page.locator(`.module-card[data-module="${disputed.id}"] .result-error`)).toContainText('争议');
  await expect(page.locator(`.module-card[data-module="${disputed.id}"] .badge`)).toHaveText('未签核');

  // Accepted: locked on the page and in the API.
  const good = () => page.locator(`.module-card[data-module="${clean.id}"]`);
  await good().locator('[data-action="lock"]').click();
  await expect(page.locator('#lock-dialog')).toBeVisible();
  await page.locator('#lock-ok').click();
  await expect(good().locator('.badge')).toHaveText('已签核锁定');
  await expect(good().locator('[data-action="unlock"]')).toBeVisible();
  await expect(good()).toHaveClass(/is-locked/);
  const after = (await chief('GET', `/api/v1/competitions/${COMPETITION}/review`)).json;
  expect(after.modules.find((m) => m.id === clean.id).locked).toBe(true);
  await expect(page.locator('#stat-locked')).toHaveText(`1 / ${review.modules.length}`);

  // Unlocking needs a reason.
  await good().locator('[data-action="unlock"]').click();
  await page.locator('#unlock-ok').click();
  await expect(page.locator('#unlock-error')).toBeVisible();
  await page.fill('#unlock-reason', '选手申诉，复核理论成绩');
  await page.locator('#unlock-ok').click();
  await expect(page.locator('#unlock-dialog')).toBeHidden();
  await expect(good().locator('.badge')).toHaveText('未签核');
  expect((await chief('GET', `/api/v1/competitions/${COMPETITION}/review`)).json.modules.find((m) => m.id === clean.id).locked).toBe(false);

  // Asking for re-judging: the request shows on the dispute and reaches the API.
  const first = disputed.disputed.find((d) => atWenzhou.has(d.contestant));
  const who = first.contestant;
  corrected = who;
  const before = (await chief('GET', `/api/v1/competitions/${COMPETITION}/sheets/${who}`)).json;
  const crit = before.modules.flatMap((m) => m.criteria).find((c) => c.id === first.criterion);
  const item = page.locator(`.module-card[data-module="${disputed.id}"] .dispute[data-contestant="${who}"][data-criterion="${first.criterion}"]`);
  await expect(item.locator('.judge-mark')).toHaveCount(new Set(crit.marks.map((m) => m.judge)).size);
  await item.locator('[data-action="rejudge"]').click();
  await expect(page.locator(`.module-card[data-module="${disputed.id}"] .dispute[data-contestant="${who}"][data-criterion="${first.criterion}"]`)).toHaveClass(/is-requested/);
  const requested = (await chief('GET', `/api/v1/competitions/${COMPETITION}/review`)).json.rejudge;
  expect(requested).toEqual([expect.objectContaining({ contestant: who, criterion: first.criterion, by: 'chief-wz' })]);

  // The lowest judge marks again, with a reason: a correction in the trail.
  const low = crit.marks.reduce((a, b) => (b.value < a.value ? b : a));
  const high = Math.max(...crit.marks.map((m) => m.value));
  const judge = await apiClient(server, low.judge);
  const posted = await judge('POST', `/api/v1/competitions/${COMPETITION}/marks`, {
    marks: [{ key: `e2e-rejudge-${randomBytes(4).toString('hex')}`, contestant: who, criterion: first.criterion, value: high, reason: '按裁判长要求复核后重评' }],
  });
  expect(posted.status).toBe(200);

  // The audit trail of that contestant lists every mark and void of the sheet in order.
  await page.locator('#refresh').click();
  await page.locator('#tab-audit').click();
  await page.fill('#audit-query', who);
  await page.locator('#audit-form button[type="submit"]').click();
  const sheet = (await chief('GET', `/api/v1/competitions/${COMPETITION}/sheets/${who}`)).json;
  const seqs = sheet.modules
    .flatMap((m) => m.criteria.flatMap((c) => c.marks.flatMap((k) => (k.voided_by ? [k.seq, k.voided_by.seq] : [k.seq]))))
    .sort((a, b) => a - b);
  await expect(page.locator('#audit-table tbody tr')).toHaveCount(seqs.length);
  const shown = await page.$$eval('#audit-table tbody tr', (trs) => trs.map((tr) => Number(tr.dataset.seq)));
  expect(shown).toEqual(seqs);
  const correction = page.locator('#audit-table tbody tr.row-correction');
  await expect(correction).toHaveCount(1);
  await expect(correction.locator('td.reason')).toHaveText('按裁判长要求复核后重评');
  await expect(page.locator(`#audit-table tbody tr.row-superseded[data-seq="${low.seq}"]`)).toHaveCount(1);
  await page.locator('#audit-only').check();
  const kept = await page.$$eval('#audit-table tbody tr', (trs) => trs.map((tr) => tr.className));
  expect(kept.length).toBeGreaterThanOrEqual(2);
  for (const c of kept) expect(c).toMatch(/row-(correction|superseded|voided|void)\b/);
  await page.locator('#audit-only').uncheck();
  await page.evaluate(() => {
    document.getElementById('toast').hidden = true; // not over the table in the screenshot
  });
  await shot(page, 'chief-audit', { fullPage: true });
  expect(errors).toEqual([]);
  await context.close();
});

// ------------------------------------------------------------------ create by form

/** The competition the form test builds, as the competition file it must post. */
const FORM_COMPETITION = {
  format: 'jiangxing.competition/1',
  id: 'e2e-form-2026',
  title: '工业机器人系统运维员技能竞赛（表单创建）',
  groups: [
    { id: 'worker', name: '职工组' },
    { id: 'student', name: '学生组' },
  ],
  venues: [{ id: 'wz', name: '温州赛场' }],
  components: [
    { id: 'practical', name: '实操', weight: 0.6 },
    { id: 'theory', name: '理论', weight: 0.4 },
  ],
  modules: [
    {
      id: 'A',
      name: '机器人系统装调',
      component: 'practical',
      criteria: [
        { id: 'A1', name: '装配工艺', kind: 'judgement', max: 3, judges: 3 },
        { id: 'A2', name: '完成用时', kind: 'time', max: 4, full_within_s: 1800, zero_after_s: 3600 },
      ],
    },
    {
      id: 'T',
      name: '理论知识',
      component: 'theory',
      criteria: [{ id: 'T1', name: '理论考试', kind: 'measurement', max: 100 }],
    },
  ],
  ranking: {
    tiebreak: ['component:practical', 'time'],
    award_scope: 'group',
    awards: [
      { name: '一等奖', ratio: 0.1 },
      { name: '二等奖', ratio: 0.2 },
      { name: '三等奖', ratio: 0.3 },
    ],
  },
};

const byPath = (page, p) => page.locator(`#create-view [data-path="${p}"]`);
const errorOf = (page, p) => page.locator(`#create-view [data-path="${p}"] ~ .field-error`);
const previewJson = async (page) => JSON.parse(await page.locator('#cf-json').textContent());

// This test adds a competition, and the worker's server is shared with the specs that run
// after it (judge.spec expects the demo competition alone). A worker-scoped option of its
// own puts it in a separate worker, which starts (and stops) a server of its own.
const ownServer = test.extend({ ownServer: [true, { scope: 'worker', option: true }] });

ownServer('the organiser creates a competition with the form; the server’s refusal shows next to the field', async ({ browser, server }) => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/409|Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  const posts = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/competitions') posts.push(r.postDataJSON());
  });
  const admin = await apiClient(server, 'admin', ADMIN_PASSWORD);
  const demo = (await admin('GET', `/api/v1/competitions/${COMPETITION}`)).json;
  const c = FORM_COMPETITION;

  await signInVia(page, '/admin', 'organiser');
  await page.locator('#create-open').click();
  await expect(page).toHaveURL(/#create$/);
  await expect(page.locator('#create-view')).toBeVisible();
  await expect(page.locator('#comp')).toBeHidden();
  await expect(page.locator('#cf-heading')).toHaveText('按表单创建竞赛');
  await expect(page.locator('#create-view')).toContainText('选手不在此表单中录入'); // contestants come later, by CSV
  await expect(page.locator('#cf-progress .is-done')).toHaveCount(1); // only the ranking, which may stay empty
  await expect(page.locator('#cf-progress [data-step="ranking"]')).toHaveClass(/is-done/);
  await page.locator('#cf-id').focus(); // nothing invalid is shown before the organiser gets there
  await shot(page, 'admin-create-form');

  // 1 Basics: first the id of the demo competition, which the server will refuse.
  await page.fill('#cf-id', 'bad id!');
  await page.locator('#cf-title').focus();
  await expect(errorOf(page, 'id')).toContainText('只能含字母、数字');
  await page.fill('#cf-id', demo.id);
  await expect(errorOf(page, 'id')).toBeHidden();
  await page.fill('#cf-title', c.title);

  // 2 Groups from the preset, less the teachers; one venue.
  await page.locator('#cf-groups-preset').click();
  await expect(page.locator('#cf-groups .cf-row:not(.cf-row-head)')).toHaveCount(3);
  await expect(byPath(page, 'groups[1].id')).toHaveValue('teacher');
  await page.locator('#cf-groups .cf-row:not(.cf-row-head)').nth(1).locator('.cf-remove').click();
  await expect(page.locator('#cf-groups .cf-row:not(.cf-row-head)')).toHaveCount(2);
  await expect(byPath(page, 'groups[1].name')).toHaveValue('学生组');
  await byPath(page, 'venues[0].id').fill('wz');
  await byPath(page, 'venues[0].name').fill('温州赛场');

  // 3 Components, with weights that do not sum to 1 yet.
  await byPath(page, 'components[0].id').fill('practical');
  await byPath(page, 'components[0].name').fill('实操');
  await byPath(page, 'components[0].weight').fill('0.6');
  await page.locator('#cf-components-add').click();
  await expect(byPath(page, 'components[1].id')).toBeFocused();
  await byPath(page, 'components[1].id').fill('theory');
  await byPath(page, 'components[1].name').fill('理论');
  await byPath(page, 'components[1].weight').fill('0.5');
  await expect(page.locator('#cf-weight-total')).toHaveText('1.1');
  await expect(page.locator('#cf-weight-sum')).toHaveClass(/is-bad/);

  // 4 Modules: A (practical) with a judgement and a time criterion, T (theory).
  await byPath(page, 'modules[0].id').fill('A');
  await byPath(page, 'modules[0].name').fill('机器人系统装调');
  await byPath(page, 'modules[0].component').selectOption({ label: '实操（practical）' });
  await byPath(page, 'modules[0].criteria[0].id').fill('A1');
  await byPath(page, 'modules[0].criteria[0].name').fill('装配工艺');
  await expect(byPath(page, 'modules[0].criteria[0].judges')).toHaveCount(0); // measurement: no extra field
  await byPath(page, 'modules[0].criteria[0].kind').selectOption('judgement');
  await expect(byPath(page, 'modules[0].criteria[0].judges')).toHaveValue('3');
  await expect(byPath(page, 'modules[0].criteria[0].full_within_s')).toHaveCount(0);
  await byPath(page, 'modules[0].criteria[0].max').fill('3');
  await page.locator('[data-add-criterion="0"]').click();
  await byPath(page, 'modules[0].criteria[1].id').fill('A2');
  await byPath(page, 'modules[0].criteria[1].name').fill('完成用时');
  await byPath(page, 'modules[0].criteria[1].kind').selectOption('time');
  await expect(byPath(page, 'modules[0].criteria[1].judges')).toHaveCount(0);
  await byPath(page, 'modules[0].criteria[1].max').fill('4');
  await byPath(page, 'modules[0].criteria[1].full_within_s').fill('1800');
  await byPath(page, 'modules[0].criteria[1].zero_after_s').fill('900');
  await byPath(page, 'modules[0].criteria[1].max').focus();
  await expect(errorOf(page, 'modules[0].criteria[1].zero_after_s')).toContainText('须大于满分用时');
  await byPath(page, 'modules[0].criteria[1].zero_after_s').fill('3600');
  await expect(errorOf(page, 'modules[0].criteria[1].zero_after_s')).toBeHidden();
  await page.locator('#cf-modules-add').click();
  await byPath(page, 'modules[1].id').fill('T');
  await byPath(page, 'modules[1].name').fill('理论知识');
  await byPath(page, 'modules[1].component').selectOption({ label: '理论（theory）' });
  await byPath(page, 'modules[1].criteria[0].id').fill('T1');
  await byPath(page, 'modules[1].criteria[0].name').fill('理论考试');
  await byPath(page, 'modules[1].criteria[0].max').fill('100');
  await expect(page.locator('#cf-modules .cf-module').first().locator('.cf-module-max')).toHaveText('满分合计 7');

  // 5 Ranking: time first, then the practical component, moved up above it.
  await page.locator('#cf-tiebreak-add').click();
  await byPath(page, 'ranking.tiebreak[0]').selectOption('time');
  await page.locator('#cf-tiebreak-add').click();
  await byPath(page, 'ranking.tiebreak[1]').selectOption({ label: '实操（practical）' });
  await page.locator('#cf-tiebreak li').nth(1).getByRole('button', { name: '上移' }).click();
  expect((await previewJson(page)).ranking.tiebreak).toEqual(['component:practical', 'time']);
  await page.locator('label.segment', { hasText: '按组别' }).click();
  await page.locator('#cf-awards-preset').click();
  await expect(page.locator('#cf-ratio-total')).toHaveText('0.6');

  // Refused on the page: the weights sum to 1.1, and nothing is sent.
  await page.locator('#cf-submit').click();
  await expect(page.locator('#cf-result')).toHaveClass(/result-error/);
  await expect(page.locator('#cf-result')).toContainText('权重之和须恰好为 1，当前为 1.1');
  await expect(page.locator('#cf-step-components .cf-section-error')).toContainText('当前为 1.1');
  await expect(page.locator('#cf-progress [data-step="components"]')).toHaveClass(/is-bad/);
  expect(posts).toHaveLength(0);

  await byPath(page, 'components[1].weight').fill('0.4');
  await expect(page.locator('#cf-weight-total')).toHaveText('1');
  await expect(page.locator('#cf-weight-sum')).toHaveClass(/is-ok/);
  await expect(page.locator('#cf-progress .is-done')).toHaveCount(5);
  await expect(page.locator('#cf-result')).toBeHidden(); // nothing left to fix

  // The preview is the competition file, and so is the download.
  expect(await previewJson(page)).toEqual({ ...c, id: demo.id });
  const [file] = await Promise.all([page.waitForEvent('download'), page.locator('#cf-download').click()]);
  expect(file.suggestedFilename()).toBe(`${demo.id}.json`);
  expect(readFileSync(await file.path(), 'utf8')).toBe(await page.locator('#cf-json').textContent());
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'admin-create-form-filled', { fullPage: true });

  // A refusal that names a criterion by its id (as the server does for max, judges and
  // time limits) lands on that criterion's input; answered here by a stand-in.
  await page.route('**/api/v1/competitions', (route) =>
    route.fulfill({
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'invalid_time_limits', field: 'A2', message: '评分项 A2 须满足 0 ≤ full_within_s < zero_after_s ≤ 10000000 / time limits' } }),
    }),
  );
  await page.locator('#cf-submit').click();
  await expect(errorOf(page, 'modules[0].criteria[1].zero_after_s')).toContainText('评分项 A2 须满足');
  await expect(byPath(page, 'modules[0].criteria[1].zero_after_s')).toBeFocused();
  await expect(page.locator('#cf-progress [data-step="modules"]')).toHaveClass(/is-bad/);
  await page.unroute('**/api/v1/competitions');
  expect(posts).toHaveLength(1);

  // Refused by the server: that id exists (409), shown next to the id and in the side panel.
  const refused = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/competitions');
  await page.locator('#cf-submit').click();
  expect((await refused).status()).toBe(409);
  expect(posts).toHaveLength(2);
  await expect(errorOf(page, 'modules[0].criteria[1].zero_after_s')).toBeHidden(); // the last answer only
  await expect(byPath(page, 'id')).toHaveAttribute('aria-invalid', 'true');
  await expect(errorOf(page, 'id')).toHaveText(`竞赛 ${demo.id} 已存在`);
  await expect(byPath(page, 'id')).toBeFocused();
  await expect(page.locator('#cf-result')).toContainText('409 competition_exists');
  await expect(page.locator('#cf-progress [data-step="basics"]')).toHaveClass(/is-bad/);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'admin-create-form-error');

  // The language switch keeps every value; the server's message follows it.
  await page.locator('#lang-toggle').click();
  await expect(page.locator('#cf-heading')).toHaveText('Create a competition with a form');
  await expect(byPath(page, 'modules[0].criteria[1].zero_after_s')).toHaveValue('3600');
  await expect(errorOf(page, 'id')).toHaveText(`competition ${demo.id} exists`);
  await expect(page.locator('#cf-result')).toContainText(`competition ${demo.id} exists`);
  await page.locator('#lang-toggle').click();
  await expect(page.locator('#cf-heading')).toHaveText('按表单创建竞赛');
  await expect(errorOf(page, 'id')).toHaveText(`竞赛 ${demo.id} 已存在`);

  // A new id: accepted, and the organiser lands on the new competition's contestants.
  await byPath(page, 'id').fill(c.id);
  await expect(errorOf(page, 'id')).toBeHidden();
  const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/competitions');
  await page.locator('#cf-submit').click();
  expect((await created).status()).toBe(201);
  expect(posts[2]).toEqual(c); // exactly the competition file
  await expect(page).toHaveURL(new RegExp(`#competition=${c.id}&tab=contestants`));
  await expect(page.locator('#comp-title')).toHaveText(c.title);
  await expect(page.locator('#create-view')).toBeHidden();
  await expect(page.locator('#toast')).toContainText(`已创建竞赛 ${c.id}`);
  await expect(page.locator(`#comp-list a[data-id="${c.id}"]`)).toHaveClass(/is-current/);

  // Read back through the API as admin: exactly those modules and criteria.
  const got = (await admin('GET', `/api/v1/competitions/${c.id}`)).json;
  expect(got.title).toBe(c.title);
  expect(got.groups).toEqual(c.groups);
  expect(got.venues).toEqual(c.venues);
  expect(got.components).toEqual(c.components);
  expect(got.contestants).toEqual([]);
  expect(got.modules.map(({ id, name, component, criteria }) => ({ id, name, component, criteria }))).toEqual(c.modules);
  expect(got.modules.map((m) => m.max)).toEqual([7, 100]);
  const file2 = (await admin('GET', `/api/v1/competitions/${c.id}/export/competition.json`)).json;
  expect(file2.ranking).toEqual(c.ranking);

  // The form is blank again for the next one.
  await page.locator('#create-open').click();
  await expect(byPath(page, 'id')).toHaveValue('');
  await expect(page.locator('#cf-groups .cf-row:not(.cf-row-head)')).toHaveCount(1);
  expect(errors).toEqual([]);
  await context.close();
});

// ------------------------------------------------------------------ screenshots

test('screenshots: a score sheet with a correction, on screen and on A4', async ({ browser, server }) => {
  test.skip(!SHOTS, 'screenshots only');
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const page = await context.newPage();
  await signInVia(page, `/sheet?competition=${COMPETITION}&contestant=${corrected}`, 'organiser');
  await shot(page, 'sheet');
  await page.emulateMedia({ media: 'print' });
  const dir = mkdtempSync(path.join(tmpdir(), 'jx-sheet-'));
  const file = path.join(dir, 'sheet.pdf');
  await page.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
  const png = spawnSync('pdftoppm', ['-png', '-r', '60', '-singlefile', file, path.join(ROOT, 'docs/screenshots/sheet-a4')]);
  rmSync(dir, { recursive: true, force: true });
  expect(png.status, 'pdftoppm (Debian package poppler-utils)').toBe(0);
  await context.close();
});

test('screenshots: the organiser’s tabs', async ({ browser }) => {
  test.skip(!SHOTS, 'screenshots only');
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await signInVia(page, '/admin', 'organiser');

  await page.locator('#tab-contestants').click();
  const csv = 'id,name,group,venue,station,org\nW901,林海,worker,wz,41,瓯江智能装备有限公司\nW902,陈晨,workers,wz,42,鹿城技师学院\n';
  await page.setInputFiles('#import-file', { name: '补报选手.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.locator('#import-result.result-error')).toContainText('3');
  await shot(page, 'admin-contestants');

  await page.locator('#tab-judges').click();
  await page.fill('#bulk-prefix', 'j-wz-F');
  await page.fill('#bulk-count', '4');
  await page.locator('#bulk-submit').click();
  await expect(page.locator('#codes-table tbody tr')).toHaveCount(4);
  await page.locator('#assignments-table tbody tr', { hasText: 'j-wz-C-2' }).click();
  await expect(page.locator('#assign-judge')).toHaveValue('j-wz-C-2');
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'admin-judges');
  await page.evaluate(() => document.body.classList.add('printing-cards'));
  await page.emulateMedia({ media: 'print' });
  const dir = mkdtempSync(path.join(tmpdir(), 'jx-cards-'));
  await page.pdf({ path: path.join(dir, 'cards.pdf'), preferCSSPageSize: true, printBackground: true });
  spawnSync('pdftoppm', ['-png', '-r', '60', '-singlefile', path.join(dir, 'cards.pdf'), path.join(ROOT, 'docs/screenshots/admin-login-cards')]);
  rmSync(dir, { recursive: true, force: true });
  await page.emulateMedia({ media: 'screen' });
  await page.evaluate(() => document.body.classList.remove('printing-cards'));

  await page.locator('#tab-publish').click();
  await page.locator('#publish-toggle').click();
  await expect(page.locator('#confirm-dialog')).toBeVisible();
  await shot(page, 'admin-publish');
  await page.locator('#confirm-ok').click();
  await expect(page.locator('#comp-published')).toHaveText('已公布');

  await page.locator('#tab-export').click();
  await shot(page, 'admin-export');
  await context.close();
});
