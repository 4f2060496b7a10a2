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
// again, finds the correction highlighted in the contestant's audit trail.
//
// JX_SCREENSHOTS=1 also writes the screenshots to docs/screenshots/.
import { DEMO_PASSWORD, ROOT, expect, test } from './fixture.mjs';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const COMPETITION = 'irom-final-2026'; // the demo competition
const SHOTS = !!process.env.JX_SCREENSHOTS;
let corrected = 'W001'; // the contestant whose judgement the chief test has re-judged

// ------------------------------------------------------------------ server


// ------------------------------------------------------------------ helpers

/** An API client with a bearer token (no cookie, no CSRF). */
async function apiClient(server, username, password = DEMO_PASSWORD) {
  const r = await fetch(`${server.base}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  expect(r.status).toBe(200);
  const { token } = await r.json();
  return async (method, p, body) => {
    const res = await fetch(server.base + p, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, json, text };
  };
}

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
