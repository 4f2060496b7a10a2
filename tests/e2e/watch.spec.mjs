// The spectator's phone page (/watch/{id}) and the organiser's display panel (/admin,
// tab 现场展示) against a real server, in Debian's Chromium.
//
// A phone (375×812) likes and cheers a contestant and a second phone sees both counts
// change live (the `reactions` event); the first phone comments, the organiser approves
// the comment in /admin and it appears on both phones (and on the big screen's ticker
// when web/screen/ exists) — a comment made of markup shows as its literal text, runs no
// script and creates no element. Over the organiser's like cap the phone says so and
// stops offering the button; a burst of comments gets 429 with Retry-After, shown as a
// countdown. A mark posted through the API reaches the page as a standings delta
// (window.jxWatch.seq and the contestant's total follow the board), and a module the chief
// judge signs off shows as 已签核 (the `module` event). Hiding the standings
// turns the page into the calm "成绩暂未公布" card, and publishing them again brings the
// live page back by itself. The organiser edits a pledge (markup kept as text) and uploads
// a photo, both shown on the contestant's page; saves the big screen's rotation, the caps
// and the word filter; and posts expert commentary that reaches the phones live.
//
// JX_SCREENSHOTS=1 also writes docs/screenshots/watch-*.png and admin-display.png.
import { ADMIN_PASSWORD, apiClient, DEMO_PASSWORD, expect, ROOT, test } from './fixture.mjs';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

const COMPETITION = 'irom-final-2026'; // the demo competition
const WATCH = `/watch/${COMPETITION}`;
const P = `/api/v1/public/competitions/${COMPETITION}`;
const C = `/api/v1/competitions/${COMPETITION}`;
const SHOTS = !!process.env.JX_SCREENSHOTS;
const XSS = '<script>window.__pwned=1</script><b>x</b>';
const zh = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 3 });

test.describe.configure({ mode: 'serial' });

// ------------------------------------------------------------------ helpers

async function shot(page, name, options = {}) {
  if (!SHOTS) return;
  mkdirSync(path.join(ROOT, 'docs/screenshots'), { recursive: true });
  await page.screenshot({ path: path.join(ROOT, 'docs/screenshots', `${name}.png`), ...options });
}

/** Collects script errors and Content-Security-Policy refusals (no inline script or style). */
function watchErrors(page) {
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) page.errors.push(m.text());
  });
}

/** A phone: its own cookie jar, so its own spectator device. */
async function phone(browser, baseURL) {
  const context = await browser.newContext({
    baseURL, viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
    locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  watchErrors(page);
  return page;
}

async function openWatch(page, hash = '') {
  await page.goto(`${WATCH}${hash ? `#${hash}` : ''}`);
  await page.waitForSelector('body[data-ready="true"]');
  await expect(page.locator('#live-pill')).toHaveAttribute('data-state', 'live');
}

/** Opens /admin (sent to the sign-in page first) as the organiser, on the display tab. */
async function organiserPage(browser, baseURL) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  watchErrors(page);
  await page.goto(`/admin#competition=${COMPETITION}&tab=display`);
  await page.waitForURL(/\/login\?next=/);
  await page.fill('#username', 'organiser');
  await page.fill('#password', DEMO_PASSWORD);
  await page.click('#login-submit');
  await page.waitForURL((url) => url.pathname === '/admin');
  await page.waitForSelector('body[data-ready="true"]');
  await expect(page.locator('#tab-display')).toHaveAttribute('aria-selected', 'true');
  return page;
}

// An RGB PNG with a soft diagonal gradient (a stand-in portrait).
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const row = 1 + width * 3;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * row + 1 + x * 3;
      raw[i] = 40 + Math.round((150 * x) / width);
      raw[i + 1] = 90 + Math.round((80 * y) / height);
      raw[i + 2] = 170;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

let organiser; // bearer-token API client
let wasPublished = false;
let initialDisplay = null;

test.beforeAll(async ({ server }) => {
  organiser = await apiClient(server, 'organiser');
  const comp = (await organiser('GET', C)).json;
  wasPublished = !!comp.published;
  if (!wasPublished) expect((await organiser('POST', `${C}/publish`, { published: true })).status).toBe(200);
  initialDisplay = (await organiser('GET', `${C}/display`)).json;
  expect(initialDisplay.auto_publish, 'comments wait for moderation in these tests').toBe(false);
});

test.afterAll(async () => {
  if (!organiser) return;
  if (initialDisplay) {
    const { auto_publish, word_filter, like_cap, cheer_cap, screen } = initialDisplay;
    await organiser('POST', `${C}/display`, { auto_publish, word_filter, like_cap, cheer_cap, screen });
  }
  await organiser('POST', `${C}/publish`, { published: wasPublished });
});

// ------------------------------------------------------------------ spectators

test('a spectator likes, cheers and comments; a second phone sees it live; the organiser approves the comment', async ({ browser, baseURL }) => {
  const board = (await organiser('GET', `${P}/board`)).json;
  const who = board.contestants.find((c) => c.id === 'W003') || board.contestants[0];
  const a = await phone(browser, baseURL);
  const b = await phone(browser, baseURL);
  await openWatch(a, `c=${who.id}`);
  await openWatch(b, `c=${who.id}`);
  for (const page of [a, b]) {
    await expect(page.locator('#person-name')).toHaveText(who.name);
    await expect(page.locator('#person-rank .hnum-value > span').first()).toHaveText(String(who.ranks.overall));
  }
  const likes0 = who.likes || 0;
  const cheers0 = who.cheers || 0;
  await expect(a.locator('#like-count')).toHaveText(zh.format(likes0));

  // Like and cheer on phone A: its counts move at once, phone B's through the stream.
  await a.locator('#like-btn').click();
  await expect(a.locator('#like-count')).toHaveText(zh.format(likes0 + 1));
  await expect(b.locator('#like-count')).toHaveText(zh.format(likes0 + 1));
  await a.locator('#cheer-btn').click();
  await expect(a.locator('#cheer-count')).toHaveText(zh.format(cheers0 + 1));
  await expect(b.locator('#cheer-count')).toHaveText(zh.format(cheers0 + 1));
  await expect(a.locator('#react-note')).toHaveText('我已点赞 1 次 · 打榜 1 次');
  await expect(b.locator('#react-note')).toHaveText(''); // B's device gave nothing
  const feed = (await organiser('GET', `${P}/feed`)).json;
  expect(feed.likes[who.id]).toBe(likes0 + 1);
  expect(feed.cheers[who.id]).toBe(cheers0 + 1);
  // The people list on phone B shows the new count too.
  await b.locator('#tab-contestants').click();
  await expect(b.locator(`#people-list [data-contestant="${who.id}"] [data-count="likes"]`)).toHaveText(zh.format(likes0 + 1));
  await b.goBack();
  await expect(b.locator('#person-name')).toHaveText(who.name);

  // The comment box counts characters and refuses 201.
  const box = a.locator('#person-comment-form textarea');
  await box.fill('赞'.repeat(201));
  await expect(a.locator('#person-comment-form .comment-counter')).toHaveText('201/200');
  await expect(a.locator('#person-comment-form button[type="submit"]')).toBeDisabled();
  await box.fill(XSS);
  await expect(a.locator('#person-comment-form .comment-counter')).toHaveText(`${[...XSS].length}/200`);
  const posted = a.waitForResponse((r) => r.url().endsWith(`${P}/comments`) && r.request().method() === 'POST');
  await a.locator('#person-comment-form button[type="submit"]').click();
  const answer = await (await posted).json();
  expect(answer.status).toBe('pending');
  await expect(a.locator('#person-comment-form .comment-note')).toHaveText('已提交，审核后显示');
  await expect(box).toHaveValue('');
  const mine = a.locator(`#person-comments .comment.is-pending[data-id="${answer.id}"]`);
  await expect(mine.locator('.comment-text')).toHaveText(XSS); // only this device sees it, as text
  await expect(b.locator(`#person-comments [data-id="${answer.id}"]`)).toHaveCount(0);

  // The big screen, when it exists, is open before the approval: its ticker gets it live.
  let screen = null;
  if (existsSync(path.join(ROOT, 'web/screen/index.html'))) {
    const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 720 }, locale: 'zh-CN' });
    screen = await context.newPage();
    await screen.goto(`/screen/${COMPETITION}`);
    await expect(screen.locator('#ticker-track')).toBeAttached();
  }

  // The organiser approves it in /admin.
  const org = await organiserPage(browser, baseURL);
  const row = org.locator(`#dsp-comments [data-comment-id="${answer.id}"]`);
  await expect(row.locator('.dsp-comment-text')).toHaveText(XSS);
  await expect(org.locator('#dsp-comments b')).toHaveCount(0);
  await row.locator('[data-action="approve"]').click();
  await expect(row).toHaveCount(0);
  await org.locator('.dsp-status-btn[data-status="published"]').click();
  await expect(org.locator(`#dsp-comments [data-comment-id="${answer.id}"]`)).toBeVisible();

  // Both phones show it as published text: no script ran, no <b> was made.
  for (const page of [a, b]) {
    const item = page.locator(`#person-comments .comment:not(.is-pending)[data-id="${answer.id}"]`);
    await expect(item.locator('.comment-text')).toHaveText(XSS);
    await expect(page.getByText(XSS, { exact: true })).toBeVisible();
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    await expect(page.locator('#person-comments b, #person-comments script')).toHaveCount(0);
  }
  await expect(a.locator(`#person-comments .comment.is-pending[data-id="${answer.id}"]`)).toHaveCount(0);
  // …and in the overview's comment list, addressed to the contestant.
  await b.locator('#tab-overview').click();
  const overview = b.locator(`#ov-comments [data-id="${answer.id}"]`);
  await expect(overview.locator('.comment-text')).toHaveText(XSS);
  await expect(overview.locator('.comment-to')).toHaveText(`给 ${who.name}`);
  expect(await b.evaluate(() => window.__pwned)).toBeUndefined();

  if (screen) {
    const tk = screen.locator(`#ticker-track [data-key="comment:${answer.id}"] .tk-text`).first();
    await expect(tk).toHaveText(XSS, { timeout: 40_000 });
    expect(await screen.evaluate(() => window.__pwned)).toBeUndefined();
    await expect(screen.locator('#ticker-track b')).toHaveCount(0);
    await screen.context().close();
  }
  expect([...a.errors, ...b.errors, ...org.errors]).toEqual([]);
  for (const page of [a, b, org]) await page.context().close();
});

test('over the like cap the phone says so and stops offering the button; a comment burst gets a Retry-After countdown', async ({ browser, baseURL }) => {
  expect((await organiser('POST', `${C}/display`, { like_cap: 1 })).status).toBe(200);
  const page = await phone(browser, baseURL);
  await openWatch(page, 'c=W010');
  const before = Number((await page.locator('#like-count').textContent()).replace(/\D/g, ''));
  await page.locator('#like-btn').click();
  await expect(page.locator('#like-count')).toHaveText(zh.format(before + 1));
  await page.locator('#like-btn').click();
  await expect(page.locator('#react-note')).toHaveText('你已达到本设备的上限，感谢你的热情支持！');
  await expect(page.locator('#like-btn')).toBeDisabled();
  await expect(page.locator('#cheer-btn')).toBeEnabled(); // cheers have their own cap
  expect((await organiser('GET', `${P}/feed`)).json.likes.W010).toBe(before + 1);
  expect((await organiser('POST', `${C}/display`, { like_cap: initialDisplay.like_cap })).status).toBe(200);

  // Comments: the server lets a device post a few in a row, then asks it to wait.
  const form = page.locator('#person-comment-form');
  const cheers = ['加油！', '稳住节奏，你是最棒的！', '期待你的精彩表现！', '冲啊，拿下实操！', '为你骄傲！', '工匠精神，好样的！'];
  let limited = false;
  for (let i = 0; i < cheers.length && !limited; i++) {
    await form.locator('textarea').fill(cheers[i]);
    const answer = page.waitForResponse((r) => r.url().endsWith(`${P}/comments`));
    await form.locator('button[type="submit"]').click();
    const r = await answer;
    if (r.status() === 429) {
      limited = true;
      const wait = Number(r.headers()['retry-after']);
      expect(wait).toBeGreaterThanOrEqual(1);
      await expect(form.locator('.comment-note')).toHaveText(new RegExp(`^操作太频繁，请 \\d+ 秒后再试$`));
      await expect(form.locator('button[type="submit"]')).toBeDisabled();
      await expect(form.locator('textarea')).toHaveValue(cheers[i]); // kept for later
      await expect(form.locator('button[type="submit"]')).toBeEnabled({ timeout: (wait + 3) * 1000 });
    } else {
      expect(r.status()).toBe(202);
      await expect(form.locator('.comment-note')).toHaveText('已提交，审核后显示');
    }
  }
  expect(limited, 'a burst of comments is rate limited').toBe(true);
  expect(page.errors).toEqual([]);
  await page.context().close();
});

test('standings deltas from a new mark reach the page; hiding shows the calm card and publishing brings it back', async ({ browser, baseURL, server }) => {
  const page = await phone(browser, baseURL);
  await openWatch(page, 'contestants');
  const seq0 = await page.evaluate(() => window.jxWatch.seq);
  const board0 = (await organiser('GET', `${P}/board`)).json;
  expect(seq0).toBe(board0.seq);
  await expect(page.locator('#people-list [data-contestant]')).toHaveCount(board0.contestants.length);

  // A mark for the contestant at the bottom of the standings.
  const last = board0.contestants.slice().sort((x, y) => y.ranks.overall - x.ranks.overall)[0];
  const admin = await apiClient(server, 'admin', ADMIN_PASSWORD);
  const sheet = (await admin('GET', `${C}/sheets/${last.id}`)).json;
  const criterion = sheet.modules.filter((m) => !m.locked).flatMap((m) => m.criteria)
    .find((c) => c.kind === 'measurement' && c.score < c.max); // a full mark changes the total
  expect(criterion, 'a measurement short of full marks').toBeTruthy();
  const r = await admin('POST', `${C}/marks`, {
    marks: [{ key: `watch-e2e-${Date.now()}`, contestant: last.id, criterion: criterion.id, value: criterion.max, reason: 'watch e2e' }],
  });
  expect(r.status, r.text).toBe(200);
  const board1 = (await organiser('GET', `${P}/board`)).json;
  expect(board1.seq).toBeGreaterThan(seq0);
  const after = board1.contestants.find((c) => c.id === last.id);
  await expect.poll(() => page.evaluate(() => window.jxWatch.seq)).toBe(board1.seq);
  const mine = await page.evaluate((id) => window.jxWatch.board.contestants.find((c) => c.id === id), last.id);
  expect(mine.total).toBe(after.total);
  expect(mine.ranks).toEqual(after.ranks);
  expect(mine.modules).toEqual(after.modules);
  await expect(page.locator(`#people-list [data-contestant="${last.id}"] .person-total`)).toHaveText(zh.format(after.total));
  await expect(page.locator(`#people-list [data-contestant="${last.id}"] .rank-badge`)).toHaveText(String(after.ranks.overall));
  // Every contestant the page holds agrees with the board on rank and total.
  const held = await page.evaluate(() => window.jxWatch.board.contestants.map((c) => [c.id, c.total, c.ranks.overall, c.award || null]));
  expect(held.sort()).toEqual(board1.contestants.map((c) => [c.id, c.total, c.ranks.overall, c.award || null]).sort());

  // A module signed off by the chief judge: the `module` event marks it on the overview.
  await page.locator('#tab-overview').click();
  const chief = await apiClient(server, 'chief-wz');
  const review = (await chief('GET', `${C}/review`)).json;
  const clean = review.modules.find((m) => !m.locked && m.disputed.length === 0);
  expect(clean, 'the demo has a module without disputes').toBeTruthy();
  await expect(page.locator(`#module-progress [data-module="${clean.id}"] .lock-tag`)).toHaveCount(0);
  expect((await chief('POST', `${C}/modules/${clean.id}/lock`, {})).status).toBe(200);
  await expect(page.locator(`#module-progress [data-module="${clean.id}"] .lock-tag`)).toHaveText('已签核');
  await expect.poll(() => page.evaluate((id) => window.jxWatch.board.modules.find((m) => m.id === id).locked, clean.id)).toBe(true);
  expect(await page.evaluate(() => window.jxWatch.seq)).toBe((await organiser('GET', `${P}/board`)).json.seq);
  expect((await chief('POST', `${C}/modules/${clean.id}/unlock`, { reason: 'watch e2e' })).status).toBe(200);
  await expect(page.locator(`#module-progress [data-module="${clean.id}"] .lock-tag`)).toHaveCount(0);
  await page.locator('#tab-contestants').click();

  // Hidden: the calm card, no tabs, no numbers.
  expect((await organiser('POST', `${C}/publish`, { published: false })).status).toBe(200);
  await expect(page.locator('#view-hidden')).toBeVisible();
  await expect(page.locator('#hidden-title')).toHaveText('成绩暂未公布');
  await expect(page.locator('#wtabs')).toBeHidden();
  await expect(page.locator('#view-contestants')).toBeHidden();
  await expect(page.locator('#live-pill')).toHaveAttribute('data-state', 'hidden');
  await shot(page, 'watch-hidden');
  // A phone that scans the QR code now gets the same card from the start.
  const late = await phone(browser, baseURL);
  await late.goto(`${WATCH}#overview`);
  await expect(late.locator('#view-hidden')).toBeVisible();
  await expect(late.locator('#hidden-check')).toHaveText(/^每 10 秒自动检查/);
  // Published again: both find out by themselves (they check the board every 10 s).
  expect((await organiser('POST', `${C}/publish`, { published: true })).status).toBe(200);
  await expect(page.locator('#view-contestants')).toBeVisible({ timeout: 25_000 });
  await expect(page.locator('#live-pill')).toHaveAttribute('data-state', 'live');
  await expect(page.locator('#people-list [data-contestant]')).toHaveCount(board0.contestants.length);
  await expect(late.locator('#view-overview')).toBeVisible({ timeout: 25_000 });
  await expect(late.locator('#live-pill')).toHaveAttribute('data-state', 'live');
  await expect(late.locator('#rank-list [data-contestant]')).toHaveCount(10);
  expect([...page.errors, ...late.errors]).toEqual([]);
  await page.context().close();
  await late.context().close();
});

test('teams group contestants by organisation; the list searches and filters by group', async ({ browser, baseURL }) => {
  const board = (await organiser('GET', `${P}/board`)).json;
  const page = await phone(browser, baseURL);
  await openWatch(page, 'teams');
  const orgs = new Map();
  for (const c of board.contestants) orgs.set(c.org || '', [...(orgs.get(c.org || '') || []), c]);
  await expect(page.locator('#team-list > .team')).toHaveCount(orgs.size);
  // Sorted by best rank: the first team holds the overall leader.
  const leader = board.contestants.find((c) => c.ranks.overall === 1);
  const first = page.locator('#team-list > .team').first();
  await expect(first).toHaveAttribute('data-org', leader.org);
  await expect(first.locator('.tstat-best .tstat-value')).toHaveText('#1');
  await expect(first.locator('.tstat').first().locator('.tstat-value')).toHaveText(String(orgs.get(leader.org).length));
  const sum = orgs.get(leader.org).reduce((n, c) => n + c.total, 0);
  await expect(first.locator('.team-sum b')).toHaveText(zh.format(Math.round(sum * 1000) / 1000));
  await first.locator('.more-btn').click();
  await expect(first.locator('.member-list [data-contestant]')).toHaveCount(orgs.get(leader.org).length);

  // The contestants: search by name, then by group.
  await page.locator('#tab-contestants').click();
  const someone = board.contestants.find((c) => c.group === board.groups[1].id);
  await page.locator('#search').fill(someone.name);
  const hits = board.contestants.filter((c) => [c.name, c.id, c.org, c.station].some((v) => String(v || '').toLowerCase().includes(someone.name.toLowerCase())));
  await expect(page.locator('#people-list [data-contestant]')).toHaveCount(hits.length);
  await expect(page.locator(`#people-list [data-contestant="${someone.id}"]`)).toBeVisible();
  await page.locator('#search').fill('');
  await page.locator('#group-chips .chip-btn', { hasText: board.groups[1].name }).click();
  await expect(page.locator('#people-list [data-contestant]')).toHaveCount(board.contestants.filter((c) => c.group === board.groups[1].id).length);
  // A row opens the contestant's page, and the back button returns to the list.
  await page.locator(`#people-list [data-contestant="${someone.id}"] button`).click();
  await expect(page.locator('#person-name')).toHaveText(someone.name);
  await expect(page).toHaveURL(new RegExp(`#c=${someone.id}$`));
  await page.locator('#back').click();
  await expect(page.locator('#view-contestants')).toBeVisible();
  // English on request.
  await page.locator('#lang-toggle').click();
  await expect(page.locator('#tab-teams')).toHaveText('Teams');
  await page.locator('#lang-toggle').click();
  await expect(page.locator('#tab-teams')).toHaveText('参赛队伍');
  expect(page.errors).toEqual([]);
  await page.context().close();
});

// ------------------------------------------------------------------ organiser

test('the organiser edits a pledge, uploads a photo, sets the screen and caps, and posts commentary', async ({ browser, baseURL }) => {
  const org = await organiserPage(browser, baseURL);
  const fan = await phone(browser, baseURL);
  await openWatch(fan, 'overview');

  // Pledge and photo of W002 through the editor.
  const pledge = '精益求精 <i>追求卓越</i>，为杭州赛场争光！';
  await org.locator('[data-edit="W002"]').click();
  await expect(org.locator('#dsp-editor')).toBeVisible();
  await org.locator('#dsp-photo-file').setInputFiles({ name: 'w002.png', mimeType: 'image/png', buffer: png(240, 300) });
  await expect(org.locator('#dsp-editor .dsp-preview')).toHaveClass(/has-photo/); // previewed before upload
  await org.locator('#dsp-pledge').fill(pledge);
  const upload = org.waitForResponse((r) => r.url().endsWith(`${C}/contestants/W002/photo`));
  await org.locator('#dsp-edit-save').click();
  expect((await upload).status()).toBe(200);
  await expect(org.locator('#dsp-editor')).toHaveCount(0);
  await expect(org.locator('#dsp-profiles-table tr[data-contestant="W002"] .dsp-pledge')).toHaveText(pledge);
  const profile = (await organiser('GET', `${P}/contestants/W002`)).json;
  expect(profile.pledge).toBe(pledge);
  expect(profile.photo).toBe(true);
  const photo = await fetch(`${baseURL}${P}/contestants/W002/photo`);
  expect(photo.headers.get('content-type')).toBe('image/jpeg');

  // The phone shows both: the pledge as text, the photo loaded.
  await fan.goto(`${WATCH}#c=W002`);
  await fan.waitForSelector('body[data-ready="true"]');
  await expect(fan.locator('#pledge')).toHaveText(pledge);
  await expect(fan.locator('#pledge i')).toHaveCount(0);
  await expect(fan.locator('.hero-photo')).toHaveAttribute('data-photo', 'true');
  await expect(fan.locator('.hero-photo')).toHaveClass(/has-photo/);
  expect(await fan.locator('.hero-img').evaluate((img) => img.naturalWidth)).toBeGreaterThan(0);

  // The big screen: rotation (order and choice), seconds, top N.
  const rot = org.locator('#dsp-rotation');
  // (Each click re-renders the list: ticked views first, in rotation order.)
  while (await rot.locator('li.is-on').count()) await rot.locator('li.is-on input[type="checkbox"]').first().click();
  for (const scope of ['module:A', 'overall', 'progress']) await rot.locator(`input[data-scope="${scope}"]`).click();
  await rot.locator('li[data-scope-row="overall"] [data-move="up"]').click();
  await expect(rot.locator('li.is-on')).toHaveCount(3);
  await expect(rot.locator('li.is-on .dsp-rot-name')).toHaveText(['总排名', '机器人系统装调', '赛程进度']);
  await org.locator('#dsp-seconds').fill('4');
  await org.locator('#dsp-screen-save').click();
  await expect(org.locator('#dsp-screen-result')).toHaveText('每屏秒数须为 5–300 的整数');
  await org.locator('#dsp-seconds').fill('15');
  await org.locator('#dsp-top').fill('8');
  await org.locator('#dsp-screen-save').click();
  await expect(org.locator('#dsp-screen-result')).toHaveText('已保存');
  const settings = (await organiser('GET', `${C}/display`)).json;
  expect(settings.screen).toEqual({ rotation: ['overall', 'module:A', 'progress'], seconds: 15, top: 8 });

  // Caps, auto-publish and the word filter.
  await org.locator('#dsp-cheer-cap').fill('7');
  await org.locator('#dsp-words').fill('作弊\n\n  广告  \n作弊');
  await org.locator('#dsp-interact-save').click();
  await expect(org.locator('#dsp-interact-result')).toHaveText('已保存');
  const saved = (await organiser('GET', `${C}/display`)).json;
  expect(saved.cheer_cap).toBe(7);
  expect(saved.word_filter).toEqual(['作弊', '广告']);
  expect(saved.auto_publish).toBe(false);
  await expect(org.locator('#dsp-words')).toHaveValue('作弊\n广告');

  // Expert commentary reaches the phone live.
  const text = '故障诊断与排除模块开始，请关注各位选手的排障思路。';
  await org.locator('#dsp-commentary-text').fill(text);
  await expect(org.locator('#dsp-commentary-count')).toHaveText(`${[...text].length}/500`);
  await org.locator('#dsp-commentary-post').click();
  await expect(org.locator('#dsp-commentary-result')).toHaveText('解说已发布');
  await fan.locator('#tab-overview').click();
  await expect(fan.locator('#commentary-list .commentary.is-latest .commentary-text')).toHaveText(text);

  // The spectator URL and its QR code.
  await expect(org.locator('#dsp-url')).toHaveText(`${baseURL}/watch/${COMPETITION}`);
  await expect(org.locator('#dsp-qr')).toHaveAttribute('src', `${P}/qr.svg`);
  expect(await org.locator('#dsp-qr').evaluate((img) => img.complete && img.naturalWidth > 0)).toBe(true);
  expect([...org.errors, ...fan.errors]).toEqual([]);
  await org.context().close();
  await fan.context().close();
});

// ------------------------------------------------------------------ screenshots

test('screenshots of the spectator page and the display panel', async ({ browser, baseURL, server }) => {
  test.skip(!SHOTS, 'JX_SCREENSHOTS=1 writes the screenshots');
  // Something to look at: a pledge, commentary, approved comments, likes.
  await organiser('POST', `${C}/contestants/W001/profile`, { pledge: '精益求精，追求卓越。我要把每一颗螺丝拧到位，为温州工匠争光！' });
  await organiser('POST', `${C}/commentary`, { text: '理论考试结束，教师组整体领先；实操模块 A 的装调精度将决定最终名次。' });
  const texts = [
    ['温州赛场的气氛太燃了，选手们都是好样的！'],
    ['若溪师傅，雁荡机电的同事们都在为你加油！', 'W001'],
    ['为所有参赛选手点赞，工匠精神代代相传。'],
    ['吴若溪加油！稳住节奏，拿下实操！', 'W001'],
  ];
  for (const [text, contestant] of texts) {
    const r = await fetch(`${server.base}${P}/comments`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(contestant ? { text, contestant } : { text }) });
    const { id } = await r.json();
    await organiser('POST', `${C}/comments/${id}/moderate`, { action: 'approve' });
  }
  // A rank history for W001: a few marks, each a standings change.
  const admin = await apiClient(server, 'admin', ADMIN_PASSWORD);
  const sheet = (await admin('GET', `${C}/sheets/W001`)).json;
  const open = sheet.modules.filter((m) => !m.locked && m.id !== 'T').flatMap((m) => m.criteria).filter((c) => c.kind === 'measurement');
  for (const [i, c] of open.slice(0, 4).entries()) {
    const value = Math.round(c.max * (i % 2 ? 0.95 : 0.4) * 1000) / 1000;
    await admin('POST', `${C}/marks`, { marks: [{ key: `watch-shot-${i}-${Date.now()}`, contestant: 'W001', criterion: c.id, value, reason: 'screenshot' }] });
  }
  const page = await phone(browser, baseURL);
  await openWatch(page, 'overview');
  await page.waitForTimeout(500);
  await shot(page, 'watch-overview');
  await page.locator('#tab-teams').click();
  await page.waitForTimeout(300);
  await shot(page, 'watch-teams');
  await page.goto(`${WATCH}#c=W001`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.locator('#like-btn').click();
  await expect(page.locator('#pledge')).not.toHaveText('加载中…');
  await expect(page.locator('#trend svg')).toBeVisible();
  await page.waitForTimeout(1200);
  await shot(page, 'watch-contestant', { fullPage: true });
  await page.context().close();

  // A pending comment to moderate, then the panel.
  await fetch(`${server.base}${P}/comments`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: '期待杭州赛场的精彩表现！', contestant: 'W002' }) });
  const org = await organiserPage(browser, baseURL);
  await expect(org.locator('#dsp-comments [data-comment-id]').first()).toBeVisible();
  await org.waitForTimeout(600);
  await shot(org, 'admin-display');
  await org.context().close();
});
