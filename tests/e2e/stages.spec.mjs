// Stages (闯关) on the big screen: a competition of its own with one module in stages
// (the demo has none); the module view shows each contestant's stage reached, and it
// moves on live, without a reload, when marks make a contestant pass stage 1.
import { ADMIN_PASSWORD, apiClient, DEMO_PASSWORD, expect, test } from './fixture.mjs';
import { randomBytes } from 'node:crypto';

const COMP = 'e2e-stages';
const key = () => `e2e-stages-${randomBytes(6).toString('hex')}`;

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
  const before = await page.evaluate(() => window.jxScreen.snapshots);

  // C1 at 6 ≥ pass 5: S01 passes stage 1. S02 scores 4 on C1 and stays in stage 1.
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

  // Every stage passed: the passed marker.
  const done = await admin('POST', `/api/v1/competitions/${COMP}/marks`, {
    marks: [
      { key: key(), contestant: 'S01', criterion: 'C2', value: 7 },
      { key: key(), contestant: 'S01', criterion: 'C3', value: 8 },
    ],
  });
  expect(done.status, done.text).toBe(200);
  await expect(stage('S01')).toContainText('✓ 全部通关');
  await expect(stage('S01')).toHaveClass(/is-cleared/);

  // The overall view's module chip carries the stage badge; the unstaged module none.
  await page.goto(`/screen/${COMP}?view=overall`);
  const chips = page.locator('#rows .row[data-contestant="S02"] .mod-chip');
  await expect(chips.filter({ hasText: 'C' }).locator('.chip-stage')).toHaveText('1/2');
  await expect(page.locator('#rows .row[data-contestant="S01"] .mod-chip .chip-stage')).toHaveText('✓');
  await expect(chips.filter({ hasText: 'M' }).locator('.chip-stage')).toHaveCount(0);

  // The progress view: the stage reached per contestant.
  await page.goto(`/screen/${COMP}?view=progress`);
  await expect(page.locator('.st[data-contestant="S02"] .st-stage[data-module="C"]')).toHaveText('C第1/2关');
  await expect(page.locator('.st[data-contestant="S01"] .st-stage[data-module="C"]')).toContainText('通关');
});

async function signIn(page, next, username) {
  await page.goto(next);
  await page.waitForURL(/\/login/);
  await page.fill('#username', username);
  await page.fill('#password', DEMO_PASSWORD);
  await page.click('#login-submit');
}

// Runs after the test above (one worker, in file order): S01 has passed every stage, S02 is in stage 1.
test('the judge roster and the chief judge page show the stage reached', async ({ page, server }) => {
  const admin = await apiClient(server, 'admin', ADMIN_PASSWORD);
  for (const who of ['j-wz-A-1', 'chief-wz']) {
    const assigned = await admin('POST', `/api/v1/competitions/${COMP}/assignments`, { judge: who, venue: 'wz', modules: ['C'] });
    expect(assigned.status, assigned.text).toBe(200);
  }

  await signIn(page, '/judge', 'j-wz-A-1');
  await page.locator(`.comp-card[data-comp="${COMP}"]`).click();
  await expect(page.locator('.roster-item[data-contestant="S02"] .roster-stage[data-module="C"]')).toHaveText('C 第1关/共2关');
  await expect(page.locator('.roster-item[data-contestant="S01"] .roster-stage[data-module="C"]')).toContainText('全部通关');
  await page.locator('.roster-item[data-contestant="S02"]').click();
  await expect(page.locator('.module[data-module="C"] .module-stage')).toContainText('第1关/共2关 · 第一关 自检');

  await page.context().clearCookies();
  await signIn(page, `/chief?competition=${COMP}`, 'chief-wz');
  const card = page.locator('.module-card[data-module="C"] .module-stages');
  await expect(card.locator('[data-stage="C-1"]')).toHaveText('第1关 1 人');
  await expect(card.locator('[data-stage="cleared"]')).toHaveText('通关 1 人');
  await expect(page.locator('.module-card[data-module="M"] .module-stages')).toHaveCount(0);
  await page.goto(`/chief?competition=${COMP}&contestant=S02`);
  await expect(page.locator('#audit-stages [data-module="C"]')).toContainText('第1关/共2关 · 第一关 自检');
});
