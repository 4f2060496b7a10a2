// The organiser's page (/admin): the competitions, creating one (from a JSON
// file, or step by step with the form of create.js at #create), and for the
// chosen one the contestants (table, CSV import), judges (bulk accounts with
// printable login cards, assignments), standings in every scope, publication
// and exports.
//
// Everything shown from the server is set with textContent (names may contain
// markup). The page state lives in the URL hash (#competition=…&tab=…&scope=…)
// so a reload or a shared link opens the same view.
//
// Sections: messages · helpers · session · competitions · contestants ·
// judges · standings · publish · export · start-up.

import * as api from '/static/common/api.js';
import { $, fmt, h, toast } from '/static/common/dom.js';
import { applyI18n, bindLangToggle, define, localMessage, onLangChange, t } from '/static/common/i18n.js';
import { initCreateForm, rerenderCreateForm, showCreateForm } from '/static/admin/create.js';
import { hideDevices, initDevices, renderDevices, showDevices } from '/static/admin/devices.js';
import { initDisplay, leaveDisplay, rerenderDisplay, showDisplay } from '/static/admin/display.js';

// ---------------------------------------------------------------- messages

define({
  zh: {
    'admin.pageTitle': '赛事管理 · 匠星',
    'admin.title': '赛事管理',
    'nav.admin': '赛事管理',
    'nav.chief': '裁判长',
    'common.logout': '退出',
    'common.refresh': '刷新',
    'admin.competitions': '竞赛',
    'admin.create': '新建竞赛',
    'admin.createHint': '按步骤填写表单，或上传按 jiangxing.competition/1 格式编写的 JSON 竞赛文件。',
    'admin.createForm': '填写表单创建…',
    'admin.chooseJson': '从 JSON 文件创建…',
    'admin.creating': '正在创建“{name}”…',
    'admin.created': '已创建竞赛 {id}',
    'admin.badJson': '{name} 不是有效的 JSON：{detail}',
    'admin.noComp': '还没有竞赛',
    'admin.noCompHint': '在左侧选择一个竞赛，或新建一个竞赛。',
    'admin.meta': '{id} · {n} 名选手 · {groups} 个组别 · {venues} 个赛场 · {modules} 个模块',
    'admin.listMeta': '{n} 名选手',
    'state.published': '已公布',
    'state.hidden': '未公布',
    'tab.contestants': '选手',
    'tab.judges': '裁判',
    'tab.standings': '成绩',
    'tab.publish': '发布',
    'tab.export': '导出',
    'col.id': '编号',
    'col.name': '姓名',
    'col.group': '组别',
    'col.venue': '赛场',
    'col.station': '工位',
    'col.org': '单位',
    'col.sheet': '成绩单',
    'col.username': '用户名',
    'col.code': '一次性登录码',
    'col.role': '角色',
    'col.modules': '模块',
    'col.rank': '名次',
    'col.total': '总分',
    'col.award': '奖项',
    'col.status': '状态',
    'contestants.title': '选手名单',
    'contestants.filter': '按编号、姓名或单位筛选',
    'contestants.none': '暂无选手，请导入 CSV 名单。',
    'contestants.summary': '共 {n} 名选手：{parts}',
    'contestants.shown': '（显示 {n} 名）',
    'contestants.sheet': '成绩单',
    'import.title': '导入选手（CSV）',
    'import.hint1': '首行为表头：编号,姓名,组别,赛场,工位,单位（或 id,name,group,venue,station,org）。',
    'import.hint2': '支持 UTF-8（含或不含 BOM）及 Excel 另存的 GB18030 编码。整份文件要么全部导入，要么一条也不导入。',
    'import.groups': '组别编号',
    'import.venues': '赛场编号',
    'import.choose': '选择 CSV 文件并导入…',
    'import.busy': '正在导入 {name}…',
    'import.done': '已从 {name} 导入 {n} 名选手。',
    'import.failed': '{name} 未导入，名单没有任何改动。',
    'import.line': '第 {n} 行内容：',
    'error.field': '字段：{field}',
    'error.code': '错误代码：{code}',
    'error.missing': '服务器尚未提供此功能（{path}）。',
    'bulk.title': '批量生成账号',
    'bulk.role': '角色',
    'bulk.prefix': '用户名前缀',
    'bulk.count': '数量',
    'bulk.preview': '将生成 {first} … {last}',
    'bulk.submit': '生成账号与登录码',
    'bulk.busy': '正在生成…',
    'bulk.done': '已生成 {n} 个账号。',
    'bulk.skipped': '以下用户名已存在，未改动（也没有新登录码）：{names}',
    'bulk.badCount': '数量须为 1–200 的整数',
    'bulk.badPrefix': '前缀只能含字母、数字、_ . -（≤56）',
    'codes.once': '登录码只显示这一次，请立即打印或妥善保存。',
    'codes.print': '打印登录卡',
    'card.title': '匠星 · 裁判登录卡',
    'card.username': '用户名',
    'card.code': '登录码',
    'card.url': '登录地址',
    'card.note': '在登录页输入用户名和登录码。登录码仅限本人使用，请勿转交。',
    'role.judge': '裁判',
    'role.chief': '裁判长',
    'role.organiser': '组织者',
    'role.admin': '管理员',
    'assign.title': '分配裁判',
    'assign.judge': '裁判',
    'assign.judgePlaceholder': '裁判用户名',
    'assign.pickJudge': '请选择裁判',
    'assign.venue': '赛场',
    'assign.allVenues': '全部赛场（*）',
    'assign.modules': '评分模块',
    'assign.all': '全选',
    'assign.submit': '保存分配',
    'assign.busy': '正在保存…',
    'assign.done': '已将 {judge} 分配到 {venue}：{modules}',
    'assign.noJudge': '请选择或输入裁判',
    'assign.noModules': '请至少选择一个模块',
    'assignments.title': '分配情况',
    'assignments.hint': '点击一行可修改该裁判的分配；新的分配替换旧的。',
    'assignments.none': '还没有分配裁判。',
    'standings.scope': '排名范围',
    'standings.overall': '总成绩',
    'standings.byGroup': '按组别',
    'standings.byVenue': '按赛场',
    'standings.byModule': '按模块（单项）',
    'standings.summary': '{n} 名选手 · {done} 名评分完整 · 更新于 {time}',
    'standings.csv': '导出本范围 CSV',
    'standings.none': '本范围内没有选手。',
    'standings.incomplete': '未完成',
    'standings.complete': '完整',
    'standings.openSheet': '查看 {name} 的成绩单',
    'publish.onTitle': '成绩已公布',
    'publish.offTitle': '成绩未公布',
    'publish.onText': '公开页面（大屏、观众手机页）和公开接口正在显示本竞赛的成绩。',
    'publish.offText': '只有登录的工作人员能看到成绩。公布后，大屏和观众手机页即可显示。',
    'publish.publish': '公布成绩',
    'publish.hide': '撤回公布',
    'publish.confirmOnTitle': '公布成绩？',
    'publish.confirmOn': '公布后，观众和大屏可以看到“{title}”的排名和奖项。',
    'publish.confirmOffTitle': '撤回公布？',
    'publish.confirmOff': '撤回后，公开页面将不再显示“{title}”的成绩。',
    'publish.doneOn': '成绩已公布',
    'publish.doneOff': '已撤回公布',
    'publish.api': '公开接口',
    'publish.screen': '大屏',
    'publish.watch': '观众页',
    'export.standings': '排名表（CSV）',
    'export.standingsText': '所选范围的名次、总分、各模块得分和奖项；UTF-8 带 BOM，可直接用 Excel 打开。',
    'export.sheets': '成绩明细（CSV）',
    'export.sheetsText': '每位选手每个评分项的得分，用于归档和复核。',
    'export.marks': '评分记录（MARKS.jsonl）',
    'export.marksText': '全部评分事件，按提交顺序。可用 jiangxing score 离线复算排名，供审计和申诉使用。',
    'export.competition': '竞赛文件（JSON）',
    'export.competitionText': '当前的竞赛文件（含已导入的选手），格式 jiangxing.competition/1。',
    'export.download': '下载',
    'blocked.loginTitle': '请先登录',
    'blocked.forbiddenTitle': '没有权限',
    'blocked.forbiddenText': '赛事管理页面仅供组织者和管理员使用（当前账号：{user}，角色：{role}）。',
    'blocked.errorTitle': '无法打开页面',
    'blocked.toLogin': '重新登录',
    'blocked.toHome': '前往我的页面',
  },
  en: {
    'admin.pageTitle': 'Organiser · Jiangxing',
    'admin.title': 'Organiser',
    'nav.admin': 'Organiser',
    'nav.chief': 'Chief judge',
    'common.logout': 'Sign out',
    'common.refresh': 'Refresh',
    'admin.competitions': 'Competitions',
    'admin.create': 'New competition',
    'admin.createHint': 'Fill in the form step by step, or upload a competition file in the jiangxing.competition/1 JSON format.',
    'admin.createForm': 'Create with the form…',
    'admin.chooseJson': 'Create from a JSON file…',
    'admin.creating': 'Creating “{name}”…',
    'admin.created': 'Competition {id} created',
    'admin.badJson': '{name} is not valid JSON: {detail}',
    'admin.noComp': 'No competition yet',
    'admin.noCompHint': 'Pick a competition on the left, or create a new one.',
    'admin.meta': '{id} · {n} contestants · {groups} groups · {venues} venues · {modules} modules',
    'admin.listMeta': '{n} contestants',
    'state.published': 'Published',
    'state.hidden': 'Not published',
    'tab.contestants': 'Contestants',
    'tab.judges': 'Judges',
    'tab.standings': 'Standings',
    'tab.publish': 'Publish',
    'tab.export': 'Export',
    'col.id': 'ID',
    'col.name': 'Name',
    'col.group': 'Group',
    'col.venue': 'Venue',
    'col.station': 'Station',
    'col.org': 'Organisation',
    'col.sheet': 'Score sheet',
    'col.username': 'Username',
    'col.code': 'One-time code',
    'col.role': 'Role',
    'col.modules': 'Modules',
    'col.rank': 'Rank',
    'col.total': 'Total',
    'col.award': 'Award',
    'col.status': 'Status',
    'contestants.title': 'Contestants',
    'contestants.filter': 'Filter by ID, name or organisation',
    'contestants.none': 'No contestants yet: import a CSV list.',
    'contestants.summary': '{n} contestants: {parts}',
    'contestants.shown': ' ({n} shown)',
    'contestants.sheet': 'Sheet',
    'import.title': 'Import contestants (CSV)',
    'import.hint1': 'Header row: id,name,group,venue,station,org (or 编号,姓名,组别,赛场,工位,单位).',
    'import.hint2': 'UTF-8 (with or without BOM) and GB18030 saved by Excel both work. A file is imported whole or not at all.',
    'import.groups': 'Group IDs',
    'import.venues': 'Venue IDs',
    'import.choose': 'Choose a CSV file and import…',
    'import.busy': 'Importing {name}…',
    'import.done': '{n} contestants imported from {name}.',
    'import.failed': '{name} was not imported; the list is unchanged.',
    'import.line': 'Line {n} reads:',
    'error.field': 'Field: {field}',
    'error.code': 'Error code: {code}',
    'error.missing': 'The server does not offer this yet ({path}).',
    'bulk.title': 'Create accounts in bulk',
    'bulk.role': 'Role',
    'bulk.prefix': 'Username prefix',
    'bulk.count': 'Count',
    'bulk.preview': 'Creates {first} … {last}',
    'bulk.submit': 'Create accounts and codes',
    'bulk.busy': 'Creating…',
    'bulk.done': '{n} accounts created.',
    'bulk.skipped': 'These usernames exist already and were left alone (no new code): {names}',
    'bulk.badCount': 'The count is a whole number from 1 to 200',
    'bulk.badPrefix': 'A prefix uses A-Z a-z 0-9 _ . - only (≤56)',
    'codes.once': 'The codes are shown this once: print or store them now.',
    'codes.print': 'Print login cards',
    'card.title': 'Jiangxing · judge login card',
    'card.username': 'Username',
    'card.code': 'Login code',
    'card.url': 'Sign in at',
    'card.note': 'Enter the username and the code on the sign-in page. The code is personal: do not pass it on.',
    'role.judge': 'Judge',
    'role.chief': 'Chief judge',
    'role.organiser': 'Organiser',
    'role.admin': 'Administrator',
    'assign.title': 'Assign a judge',
    'assign.judge': 'Judge',
    'assign.judgePlaceholder': 'Judge username',
    'assign.pickJudge': 'Choose a judge',
    'assign.venue': 'Venue',
    'assign.allVenues': 'All venues (*)',
    'assign.modules': 'Modules to mark',
    'assign.all': 'All',
    'assign.submit': 'Save assignment',
    'assign.busy': 'Saving…',
    'assign.done': '{judge} assigned to {venue}: {modules}',
    'assign.noJudge': 'Choose or enter a judge',
    'assign.noModules': 'Choose at least one module',
    'assignments.title': 'Assignments',
    'assignments.hint': 'Click a row to change that judge’s assignment; a new one replaces the old.',
    'assignments.none': 'No judge is assigned yet.',
    'standings.scope': 'Scope',
    'standings.overall': 'Overall',
    'standings.byGroup': 'By group',
    'standings.byVenue': 'By venue',
    'standings.byModule': 'By module',
    'standings.summary': '{n} contestants · {done} fully marked · updated {time}',
    'standings.csv': 'Export this scope (CSV)',
    'standings.none': 'No contestant in this scope.',
    'standings.incomplete': 'Incomplete',
    'standings.complete': 'Complete',
    'standings.openSheet': 'Open the score sheet of {name}',
    'publish.onTitle': 'Standings published',
    'publish.offTitle': 'Standings not published',
    'publish.onText': 'The public pages (big screen, spectators’ phones) and the public API show this competition’s standings.',
    'publish.offText': 'Only signed-in staff see the standings. Once published, the big screen and spectators’ phones show them.',
    'publish.publish': 'Publish standings',
    'publish.hide': 'Hide standings',
    'publish.confirmOnTitle': 'Publish the standings?',
    'publish.confirmOn': 'Spectators and the big screen will see the ranks and awards of “{title}”.',
    'publish.confirmOffTitle': 'Hide the standings?',
    'publish.confirmOff': 'The public pages will no longer show the standings of “{title}”.',
    'publish.doneOn': 'Standings published',
    'publish.doneOff': 'Standings hidden',
    'publish.api': 'Public API',
    'publish.screen': 'Big screen',
    'publish.watch': 'Spectators',
    'export.standings': 'Standings (CSV)',
    'export.standingsText': 'Rank, total, module scores and award in the chosen scope; UTF-8 with BOM, opens in Excel.',
    'export.sheets': 'Score details (CSV)',
    'export.sheetsText': 'Every contestant’s score on every criterion, for filing and review.',
    'export.marks': 'Marks (MARKS.jsonl)',
    'export.marksText': 'Every mark in the order received. `jiangxing score` recomputes the standings from it offline, for audits and appeals.',
    'export.competition': 'Competition file (JSON)',
    'export.competitionText': 'The competition file as it stands (with imported contestants), format jiangxing.competition/1.',
    'export.download': 'Download',
    'blocked.loginTitle': 'Please sign in',
    'blocked.forbiddenTitle': 'Not allowed',
    'blocked.forbiddenText': 'This page is for organisers and administrators (signed in as {user}, role {role}).',
    'blocked.errorTitle': 'Cannot open the page',
    'blocked.toLogin': 'Sign in again',
    'blocked.toHome': 'Go to my page',
  },
});

// ---------------------------------------------------------------- helpers




const sheetHref = (competition, contestant) =>
  `/sheet?competition=${encodeURIComponent(competition)}&contestant=${encodeURIComponent(contestant)}`;

const compPath = (id, rest = '') => `/api/v1/competitions/${api.seg(id)}${rest}`;

function loginHref() {
  return `/login?next=${encodeURIComponent(location.pathname + location.search + location.hash)}`;
}

function toLogin() {
  location.replace(loginHref());
}


/**
 * Fills a result box: kind 'ok' | 'error' | 'busy'; lines are strings or nodes.
 * An error from the server shows its message, field and code.
 */
function showResult(box, kind, ...lines) {
  box.replaceChildren(...lines.flat().filter(Boolean).map((line) => (line instanceof Node ? line : h('p', { text: line }))));
  box.className = `result result-${kind}`;
  box.hidden = false;
}

function hideResult(box) {
  box.hidden = true;
  box.replaceChildren();
}

/** The lines explaining an error (message, field, code); redirects on 401. */
function errorLines(err, path) {
  if (err instanceof api.ApiError && err.status === 401) {
    toLogin();
    return [t('blocked.loginTitle')];
  }
  if (err instanceof api.NetworkError) return [t('error.network')];
  if (err instanceof api.ApiError) {
    if (err.status === 404 && err.code === 'not_found' && path) return [t('error.missing', { path })];
    const lines = [localMessage(err.message) || t('error.unknown')];
    const meta = [];
    if (err.field) meta.push(t('error.field', { field: err.field }));
    if (err.code) meta.push(t('error.code', { code: `${err.status} ${err.code}` }));
    if (meta.length) lines.push(h('p', { class: 'result-meta', text: meta.join(' · ') }));
    return lines;
  }
  return [err && err.message ? err.message : t('error.unknown')];
}

/** Asks a yes/no question in the page's dialog; resolves true on OK. */
function confirmDialog(title, text, okLabel, danger) {
  const dialog = $('confirm-dialog');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  const ok = $('confirm-ok');
  ok.textContent = okLabel || t('common.confirm');
  ok.className = danger ? 'btn btn-danger-solid' : 'btn btn-primary';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

function readFile(file, as) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error || new Error('cannot read the file'));
    if (as === 'buffer') reader.readAsArrayBuffer(file);
    else reader.readAsText(file, 'utf-8');
  });
}

/** Decodes CSV bytes for display as the server would: UTF-8 if valid, else GB18030. */
function decodeCsv(buffer) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer).replace(/^\uFEFF/, '');
  } catch {
    try {
      return new TextDecoder('gb18030').decode(buffer);
    } catch {
      return '';
    }
  }
}

// ---------------------------------------------------------------- state

const state = {
  me: null,
  comps: [],
  compId: '',
  comp: null,
  tab: 'standings',
  scope: 'overall',
  standings: null,
  standingsAt: 0,
  users: null, // null: not loaded; false: the server has no GET /users
  assignments: null,
  codes: null,
  creating: false, // the create-by-form view (#create) is open
};

const TABS = ['contestants', 'judges', 'standings', 'publish', 'display', 'devices', 'export'];

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  return {
    competition: params.get('competition') || '',
    tab: TABS.includes(params.get('tab')) ? params.get('tab') : 'standings',
    scope: params.get('scope') || 'overall',
    create: params.has('create'),
  };
}

function writeHash() {
  if (state.creating) {
    if (location.hash !== '#create') history.replaceState(null, '', '#create');
    return;
  }
  const params = new URLSearchParams();
  if (state.compId) params.set('competition', state.compId);
  params.set('tab', state.tab);
  if (state.tab === 'standings' && state.scope !== 'overall') params.set('scope', state.scope);
  const hash = `#${params.toString()}`;
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

const groupName = (id) => (state.comp?.groups.find((g) => g.id === id) || {}).name || id;
const venueName = (id) => (id === '*' ? t('assign.allVenues') : (state.comp?.venues.find((v) => v.id === id) || {}).name || id);
const moduleName = (id) => (state.comp?.modules.find((m) => m.id === id) || {}).name || id;

// ---------------------------------------------------------------- competitions

async function loadCompetitions() {
  const answer = await api.get('/api/v1/competitions');
  state.comps = answer.competitions || [];
  renderCompList();
}

function renderCompList() {
  const list = $('comp-list');
  $('comps-count').textContent = state.comps.length ? String(state.comps.length) : '';
  list.replaceChildren(
    ...state.comps.map((c) =>
      h(
        'li',
        null,
        h(
          'a',
          {
            class: `comp-item${c.id === state.compId && !state.creating ? ' is-current' : ''}`,
            href: `#competition=${encodeURIComponent(c.id)}&tab=${state.tab}`,
            'aria-current': c.id === state.compId && !state.creating ? 'page' : null,
            dataset: { id: c.id },
          },
          h('span', { class: 'comp-item-title', text: c.title }),
          h(
            'span',
            { class: 'comp-item-meta' },
            h('span', { class: 'mono', text: c.id }),
            h('span', { text: t('admin.listMeta', { n: c.contestants }) }),
            h('span', { class: `dot-label ${c.published ? 'is-on' : ''}`, text: c.published ? t('state.published') : t('state.hidden') }),
          ),
        ),
      ),
    ),
  );
}

/** Opens the create-by-form view in the main area (the hash is #create). */
function openCreate() {
  state.creating = true;
  $('comp').hidden = true;
  $('no-comp').hidden = true;
  $('create-view').hidden = false;
  $('create-open').classList.add('is-current');
  $('create-open').setAttribute('aria-current', 'page');
  writeHash();
  renderCompList();
  showCreateForm();
  window.scrollTo(0, 0);
}

function closeCreate() {
  state.creating = false;
  $('create-view').hidden = true;
  $('create-open').classList.remove('is-current');
  $('create-open').removeAttribute('aria-current');
}

/** Leaves the form for a competition: the one asked for, else the last one shown, else the first. */
async function leaveCreate(want) {
  closeCreate();
  state.tab = want.tab;
  state.scope = want.scope;
  const known = (id) => state.comps.some((c) => c.id === id);
  const id = known(want.competition) ? want.competition : known(state.compId) ? state.compId : state.comps.length ? state.comps[0].id : '';
  await selectCompetition(id);
}

async function createdByForm(id) {
  await loadCompetitions();
  closeCreate();
  state.tab = 'contestants';
  await selectCompetition(id);
  toast(t('cf.created', { id }));
}

async function selectCompetition(id) {
  state.compId = id;
  state.comp = null;
  state.standings = null;
  state.assignments = null;
  renderCompList();
  if (!id) {
    $('comp').hidden = true;
    $('no-comp').hidden = false;
    return;
  }
  $('no-comp').hidden = true;
  await loadComp();
}

async function loadComp() {
  try {
    state.comp = await api.get(compPath(state.compId));
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return toLogin();
    $('comp').hidden = true;
    $('no-comp').hidden = false;
    $('no-comp').querySelector('p').textContent = errorLines(err).map((l) => (l instanceof Node ? l.textContent : l)).join(' ');
    return;
  }
  if (state.creating) return; // the form was opened while this competition loaded
  renderCompHead();
  $('comp').hidden = false;
  renderScopeOptions();
  renderImportIds();
  renderAssignForm();
  await showTab(state.tab);
}

function renderCompHead() {
  const c = state.comp;
  $('comp-title').textContent = c.title;
  $('comp-meta').textContent = t('admin.meta', {
    id: c.id,
    n: c.contestants.length,
    groups: c.groups.length,
    venues: c.venues.length,
    modules: c.modules.length,
  });
  const badge = $('comp-published');
  badge.textContent = c.published ? t('state.published') : t('state.hidden');
  badge.className = `badge ${c.published ? 'badge-ok' : 'badge-muted'}`;
}

async function showTab(tab) {
  state.tab = tab;
  writeHash();
  renderCompList();
  for (const name of TABS) {
    const button = $(`tab-${name}`);
    button.setAttribute('aria-selected', String(name === tab));
    button.classList.toggle('is-current', name === tab);
    $(`panel-${name}`).hidden = name !== tab;
  }
  if (tab !== 'display') leaveDisplay();
  if (tab !== 'devices') hideDevices();
  if (!state.comp) return;
  if (tab === 'contestants') renderContestants();
  else if (tab === 'judges') await loadJudges();
  else if (tab === 'standings') await loadStandings();
  else if (tab === 'publish') renderPublish();
  else if (tab === 'display') await showDisplay(state.comp);
  else if (tab === 'devices') showDevices();
  else if (tab === 'export') renderExport();
}

async function createFromFile(file) {
  const box = $('create-result');
  showResult(box, 'busy', t('admin.creating', { name: file.name }));
  let doc;
  try {
    doc = JSON.parse(await readFile(file, 'text'));
  } catch (err) {
    showResult(box, 'error', t('admin.badJson', { name: file.name, detail: err.message }));
    return;
  }
  try {
    const answer = await api.post('/api/v1/competitions', doc);
    showResult(box, 'ok', t('admin.created', { id: answer.id }));
    await loadCompetitions();
    state.tab = 'contestants';
    await selectCompetition(answer.id);
  } catch (err) {
    showResult(box, 'error', errorLines(err));
  }
}

// ---------------------------------------------------------------- contestants

function renderContestants() {
  const c = state.comp;
  const filter = $('contestant-filter').value.trim().toLowerCase();
  const rows = c.contestants.filter(
    (p) => !filter || [p.id, p.name, p.org, p.station].some((v) => String(v || '').toLowerCase().includes(filter)),
  );
  const byGroup = c.groups
    .map((g) => `${g.name} ${c.contestants.filter((p) => p.group === g.id).length}`)
    .join(' · ');
  $('contestant-summary').textContent =
    t('contestants.summary', { n: c.contestants.length, parts: byGroup }) +
    (filter ? t('contestants.shown', { n: rows.length }) : '');
  const tbody = $('contestant-table').tBodies[0];
  tbody.replaceChildren(
    ...rows.map((p) =>
      h(
        'tr',
        null,
        h('td', { class: 'mono', text: p.id }),
        h('td', { class: 'strong', text: p.name }),
        h('td', { text: groupName(p.group) }),
        h('td', { text: venueName(p.venue) }),
        h('td', { class: 'num', text: p.station }),
        h('td', { class: 'muted', text: p.org }),
        h('td', { class: 'col-action' }, h('a', { class: 'link', href: sheetHref(c.id, p.id), text: t('contestants.sheet') })),
      ),
    ),
  );
  $('contestant-empty').hidden = c.contestants.length > 0;
  $('contestant-table').hidden = c.contestants.length === 0;
}

function renderImportIds() {
  const c = state.comp;
  $('import-ids').replaceChildren(
    h('dt', { text: t('import.groups') }),
    h('dd', null, ...c.groups.map((g) => h('span', { class: 'id-pill' }, h('code', { text: g.id }), ` ${g.name}`))),
    h('dt', { text: t('import.venues') }),
    h('dd', null, ...c.venues.map((v) => h('span', { class: 'id-pill' }, h('code', { text: v.id }), ` ${v.name}`))),
  );
}

async function importCsv(file) {
  const box = $('import-result');
  showResult(box, 'busy', t('import.busy', { name: file.name }));
  let bytes;
  try {
    bytes = await readFile(file, 'buffer');
  } catch (err) {
    showResult(box, 'error', err.message);
    return;
  }
  const path = compPath(state.compId, '/contestants/import');
  try {
    const answer = await api.postBytes(path, bytes, 'text/csv');
    showResult(box, 'ok', t('import.done', { name: file.name, n: answer.added }));
    state.comp = await api.get(compPath(state.compId));
    renderCompHead();
    renderContestants();
    state.standings = null;
    await loadCompetitions();
  } catch (err) {
    const lines = [h('p', { class: 'result-title', text: t('import.failed', { name: file.name }) }), ...errorLines(err, path)];
    // Show the line the server names, as the file has it, to make the fix obvious.
    const match = err instanceof api.ApiError && /line (\d+)/i.exec(err.message || '');
    if (match) {
      const n = Number(match[1]);
      const text = decodeCsv(bytes).split(/\r\n|\n|\r/)[n - 1];
      if (text !== undefined) {
        lines.push(h('p', { class: 'result-meta', text: t('import.line', { n }) }));
        lines.push(h('pre', { class: 'csv-line', text: text || ' ' }));
      }
    }
    showResult(box, 'error', lines);
  }
}

// ---------------------------------------------------------------- judges

async function loadJudges() {
  const tasks = [loadAssignments()];
  if (state.users === null) tasks.push(loadUsers());
  await Promise.all(tasks);
  renderAssignForm();
  renderAssignments();
}

async function loadUsers() {
  try {
    const answer = await api.get('/api/v1/users');
    state.users = answer.users || [];
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return toLogin();
    state.users = false;
  }
}

async function loadAssignments() {
  const path = compPath(state.compId, '/assignments');
  try {
    const answer = await api.get(path);
    state.assignments = answer.assignments || [];
    state.assignmentsError = null;
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return toLogin();
    state.assignments = [];
    state.assignmentsError = errorLines(err, path);
  }
}

function renderBulkPreview() {
  const prefix = $('bulk-prefix').value.trim();
  const count = Number($('bulk-count').value);
  $('bulk-preview').textContent =
    prefix && Number.isInteger(count) && count >= 1 && count <= 200
      ? t('bulk.preview', { first: `${prefix}-1`, last: `${prefix}-${count}` })
      : '';
}

async function bulkCreate(event) {
  event.preventDefault();
  const box = $('bulk-result');
  const role = $('bulk-role').value;
  const prefix = $('bulk-prefix').value.trim();
  const count = Number($('bulk-count').value);
  if (!/^[A-Za-z0-9_.-]{1,56}$/.test(prefix)) return showResult(box, 'error', t('bulk.badPrefix'));
  if (!Number.isInteger(count) || count < 1 || count > 200) return showResult(box, 'error', t('bulk.badCount'));
  const submit = $('bulk-submit');
  submit.disabled = true;
  showResult(box, 'busy', t('bulk.busy'));
  try {
    const answer = await api.post('/api/v1/users/bulk', { role, prefix, count });
    state.codes = { role, users: answer.users || [] };
    const skipped = answer.skipped_existing || [];
    showResult(
      box,
      state.codes.users.length ? 'ok' : 'error',
      t('bulk.done', { n: state.codes.users.length }),
      skipped.length ? h('p', { class: 'result-meta', text: t('bulk.skipped', { names: skipped.join('、') }) }) : null,
    );
    renderCodes();
    state.users = null;
    await loadUsers();
    renderAssignForm();
    renderAssignments();
  } catch (err) {
    showResult(box, 'error', errorLines(err, '/api/v1/users/bulk'));
  } finally {
    submit.disabled = false;
  }
}

function renderCodes() {
  const codes = state.codes;
  $('codes').hidden = !codes || !codes.users.length;
  if (!codes) return;
  $('codes-table').tBodies[0].replaceChildren(
    ...codes.users.map((u) => h('tr', null, h('td', { class: 'mono strong', text: u.username }), h('td', { class: 'mono code', text: u.code }))),
  );
  const url = `${location.origin}/login`;
  $('print-cards').replaceChildren(
    ...codes.users.map((u) =>
      h(
        'article',
        { class: 'login-card' },
        h('header', { class: 'login-card-head' }, h('span', { class: 'brand-mark', text: '匠' }), h('span', { text: t('card.title') })),
        h('p', { class: 'login-card-comp', text: state.comp ? state.comp.title : '' }),
        h('p', { class: 'login-card-role', text: t(`role.${codes.role}`) }),
        h('dl', null,
          h('dt', { text: t('card.username') }), h('dd', { class: 'mono big', text: u.username }),
          h('dt', { text: t('card.code') }), h('dd', { class: 'mono big code', text: u.code }),
          h('dt', { text: t('card.url') }), h('dd', { class: 'mono', text: url }),
        ),
        h('p', { class: 'login-card-note', text: t('card.note') }),
      ),
    ),
  );
}

function printCodes() {
  document.body.classList.add('printing-cards');
  window.print();
}

function judgeCandidates() {
  if (!Array.isArray(state.users)) return [];
  return state.users.filter((u) => u.role === 'judge' || u.role === 'chief').sort((a, b) => a.username.localeCompare(b.username));
}

function renderAssignForm() {
  if (!state.comp) return;
  const select = $('assign-judge');
  const text = $('assign-judge-text');
  const users = judgeCandidates();
  const useSelect = Array.isArray(state.users) && users.length > 0;
  const current = useSelect ? select.value : text.value;
  select.hidden = !useSelect;
  text.hidden = useSelect;
  if (useSelect) {
    select.replaceChildren(
      h('option', { value: '', text: t('assign.pickJudge') }),
      ...users.map((u) => h('option', { value: u.username, text: u.name && u.name !== u.username ? `${u.username} · ${u.name}` : u.username })),
    );
    select.value = users.some((u) => u.username === current) ? current : '';
  } else {
    const names = new Set((state.assignments || []).map((a) => a.judge));
    $('judge-names').replaceChildren(...[...names].sort().map((n) => h('option', { value: n })));
  }
  const venue = $('assign-venue');
  const venueValue = venue.value;
  venue.replaceChildren(
    h('option', { value: '*', text: t('assign.allVenues') }),
    ...state.comp.venues.map((v) => h('option', { value: v.id, text: `${v.name}（${v.id}）` })),
  );
  venue.value = venueValue && [...venue.options].some((o) => o.value === venueValue) ? venueValue : state.comp.venues.length ? state.comp.venues[0].id : '*';
  const boxes = $('assign-modules');
  const checked = new Set([...boxes.querySelectorAll('input:checked')].map((i) => i.value));
  boxes.replaceChildren(
    ...state.comp.modules.map((m) =>
      h(
        'label',
        { class: 'check' },
        h('input', { type: 'checkbox', name: 'modules', value: m.id, checked: checked.has(m.id) }),
        h('span', { class: 'check-id', text: m.id }),
        h('span', { text: m.name }),
      ),
    ),
    h('button', { class: 'btn btn-small btn-ghost check-all', type: 'button', text: t('assign.all'), onclick: () => {
      const inputs = [...boxes.querySelectorAll('input')];
      const all = inputs.every((i) => i.checked);
      for (const i of inputs) i.checked = !all;
    } }),
  );
}

function fillAssignForm(a) {
  const select = $('assign-judge');
  if (!select.hidden && ![...select.options].some((o) => o.value === a.judge)) select.append(h('option', { value: a.judge, text: a.judge }));
  if (!select.hidden) select.value = a.judge;
  else $('assign-judge-text').value = a.judge;
  $('assign-venue').value = a.venue;
  const mods = new Set(a.modules);
  for (const input of $('assign-modules').querySelectorAll('input')) input.checked = mods.has(input.value);
  hideResult($('assign-result'));
  $('assign-form').scrollIntoView({ behavior: 'smooth', block: 'center' });
}

async function saveAssignment(event) {
  event.preventDefault();
  const box = $('assign-result');
  const select = $('assign-judge');
  const judge = (select.hidden ? $('assign-judge-text').value : select.value).trim();
  const venue = $('assign-venue').value;
  const modules = [...$('assign-modules').querySelectorAll('input:checked')].map((i) => i.value);
  if (!judge) return showResult(box, 'error', t('assign.noJudge'));
  if (!modules.length) return showResult(box, 'error', t('assign.noModules'));
  const submit = $('assign-submit');
  submit.disabled = true;
  showResult(box, 'busy', t('assign.busy'));
  try {
    await api.post(compPath(state.compId, '/assignments'), { judge, venue, modules });
    showResult(box, 'ok', t('assign.done', { judge, venue: venueName(venue), modules: modules.join(' ') }));
    await loadAssignments();
    renderAssignments();
  } catch (err) {
    showResult(box, 'error', errorLines(err));
  } finally {
    submit.disabled = false;
  }
}

function renderAssignments() {
  const list = (state.assignments || []).slice().sort((a, b) => a.judge.localeCompare(b.judge));
  const users = new Map((Array.isArray(state.users) ? state.users : []).map((u) => [u.username, u]));
  $('assignments-table').tBodies[0].replaceChildren(
    ...list.map((a) => {
      const user = users.get(a.judge);
      return h(
        'tr',
        { tabindex: '0', onclick: () => fillAssignForm(a), onkeydown: (e) => { if (e.key === 'Enter') fillAssignForm(a); } },
        h('td', { class: 'mono strong', text: a.judge }),
        h('td', { text: user && user.name !== user.username ? user.name : '' }),
        h('td', { text: user ? t(`role.${user.role}`) : '' }),
        h('td', { text: venueName(a.venue) }),
        h('td', null, ...(a.modules || []).map((m) => h('span', { class: 'mod-chip', title: moduleName(m), text: m }))),
      );
    }),
  );
  const empty = $('assignments-empty');
  if (state.assignmentsError) {
    empty.replaceChildren(...state.assignmentsError.map((l) => (l instanceof Node ? l : h('span', { text: l }))));
    empty.hidden = false;
  } else {
    empty.textContent = t('assignments.none');
    empty.hidden = list.length > 0;
  }
  $('assignments-table').hidden = list.length === 0;
}

// ---------------------------------------------------------------- standings

function renderScopeOptions() {
  const c = state.comp;
  const select = $('scope');
  const group = (label, items) => h('optgroup', { label }, ...items);
  select.replaceChildren(
    h('option', { value: 'overall', text: t('standings.overall') }),
    group(t('standings.byGroup'), c.groups.map((g) => h('option', { value: `group:${g.id}`, text: g.name }))),
    group(t('standings.byVenue'), c.venues.map((v) => h('option', { value: `venue:${v.id}`, text: v.name }))),
    group(t('standings.byModule'), c.modules.map((m) => h('option', { value: `module:${m.id}`, text: `${m.id} ${m.name}` }))),
  );
  if (![...select.options].some((o) => o.value === state.scope)) state.scope = 'overall';
  select.value = state.scope;
}

async function loadStandings() {
  const scope = state.scope;
  $('standings-csv').href = compPath(state.compId, `/export/standings.csv?scope=${encodeURIComponent(scope)}`);
  try {
    const answer = await api.get(compPath(state.compId, `/standings?scope=${encodeURIComponent(scope)}`));
    if (scope !== state.scope) return; // a newer choice is on its way
    state.standings = answer;
    state.standingsAt = Date.now();
    renderStandings();
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return toLogin();
    $('standings-summary').textContent = errorLines(err).map((l) => (l instanceof Node ? l.textContent : l)).join(' ');
  }
}

function awardClass(name) {
  if (/一等|特等|金|first|gold/i.test(name)) return 'award award-1';
  if (/二等|银|second|silver/i.test(name)) return 'award award-2';
  if (/三等|铜|third|bronze/i.test(name)) return 'award award-3';
  return 'award';
}

function renderStandings() {
  const c = state.comp;
  const s = state.standings;
  if (!s) return;
  const people = new Map(c.contestants.map((p) => [p.id, p]));
  const focus = s.scope.startsWith('module:') ? s.scope.slice(7) : '';
  const head = $('standings-table').tHead.rows[0];
  head.replaceChildren(
    h('th', { class: 'col-rank', text: t('col.rank') }),
    h('th', { text: t('col.id') }),
    h('th', { text: t('col.name') }),
    h('th', { text: t('col.group') }),
    h('th', { text: t('col.venue') }),
    h('th', { class: `col-num col-total${focus ? '' : ' is-focus'}`, text: t('col.total') }),
    ...c.modules.map((m) =>
      h('th', { class: `col-num col-mod${m.id === focus ? ' is-focus' : ''}`, title: `${m.name}（${fmt(m.max)}）` },
        h('span', { class: 'th-id', text: m.id }), h('span', { class: 'th-sub', text: m.name })),
    ),
    h('th', { text: t('col.award') }),
    h('th', { text: t('col.status') }),
  );
  const done = s.entries.filter((e) => e.complete).length;
  $('standings-summary').textContent = t('standings.summary', {
    n: s.entries.length,
    done,
    time: new Date(state.standingsAt).toLocaleTimeString('zh-CN', { hour12: false }),
  });
  $('standings-table').tBodies[0].replaceChildren(
    ...s.entries.map((e) => {
      const p = people.get(e.contestant) || { id: e.contestant, name: e.contestant, group: '', venue: '' };
      const href = sheetHref(c.id, e.contestant);
      return h(
        'tr',
        { dataset: { contestant: e.contestant } },
        h('td', { class: 'col-rank' }, h('span', { class: `rank${e.rank <= 3 ? ` rank-${e.rank}` : ''}`, text: String(e.rank) })),
        h('td', { class: 'mono', text: e.contestant }),
        h('td', null, h('a', { class: 'link strong', href, title: t('standings.openSheet', { name: p.name }), text: p.name })),
        h('td', { text: groupName(p.group) }),
        h('td', { text: venueName(p.venue) }),
        h('td', { class: `col-num col-total num${focus ? '' : ' is-focus'}`, text: fmt(e.total) }),
        ...c.modules.map((m) => h('td', { class: `col-num num${m.id === focus ? ' is-focus' : ''}`, text: fmt(e.modules ? e.modules[m.id] : undefined) })),
        h('td', null, e.award ? h('span', { class: awardClass(e.award), text: e.award }) : ''),
        h('td', null, e.complete ? h('span', { class: 'flag flag-ok', text: t('standings.complete') }) : h('span', { class: 'flag flag-warn', text: t('standings.incomplete') })),
      );
    }),
  );
  $('standings-empty').hidden = s.entries.length > 0;
}

// ---------------------------------------------------------------- publish

function renderPublish() {
  const c = state.comp;
  const on = !!c.published;
  $('publish-dot').className = `publish-dot ${on ? 'is-on' : ''}`;
  $('publish-title').textContent = on ? t('publish.onTitle') : t('publish.offTitle');
  $('publish-text').textContent = on ? t('publish.onText') : t('publish.offText');
  const button = $('publish-toggle');
  button.textContent = on ? t('publish.hide') : t('publish.publish');
  button.className = on ? 'btn btn-danger' : 'btn btn-primary';
  const id = encodeURIComponent(c.id);
  const link = (href) => h('a', { class: 'link mono', href, text: href });
  $('publish-links').replaceChildren(
    h('dt', { text: t('publish.api') }), h('dd', null, link(`/api/v1/public/competitions/${id}/standings`)),
    h('dt', { text: t('publish.screen') }), h('dd', null, link(`/screen/${id}`)),
    h('dt', { text: t('publish.watch') }), h('dd', null, link(`/watch/${id}`)),
  );
}

async function togglePublish() {
  const c = state.comp;
  const next = !c.published;
  const ok = await confirmDialog(
    next ? t('publish.confirmOnTitle') : t('publish.confirmOffTitle'),
    next ? t('publish.confirmOn', { title: c.title }) : t('publish.confirmOff', { title: c.title }),
    next ? t('publish.publish') : t('publish.hide'),
    !next,
  );
  if (!ok) return;
  const box = $('publish-result');
  const button = $('publish-toggle');
  button.disabled = true;
  try {
    await api.post(compPath(c.id, '/publish'), { published: next });
    hideResult(box);
    state.comp = await api.get(compPath(c.id));
    renderCompHead();
    renderPublish();
    await loadCompetitions();
    toast(next ? t('publish.doneOn') : t('publish.doneOff'));
  } catch (err) {
    showResult(box, 'error', errorLines(err));
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- export

function renderExport() {
  const c = state.comp;
  const scopeSelect = h('select', { class: 'field field-small', id: 'export-scope', 'aria-label': t('standings.scope') },
    ...[...$('scope').children].map((node) => node.cloneNode(true)));
  scopeSelect.value = state.scope;
  const standingsLink = h('a', { class: 'btn btn-primary btn-small', download: '', text: t('export.download') });
  const updateLink = () => {
    standingsLink.href = compPath(c.id, `/export/standings.csv?scope=${encodeURIComponent(scopeSelect.value)}`);
  };
  scopeSelect.addEventListener('change', updateLink);
  updateLink();
  const card = (icon, title, text, ...actions) =>
    h('article', { class: 'card export-card' },
      h('div', { class: 'export-icon', text: icon }),
      h('div', { class: 'export-body' }, h('h2', { text: title }), h('p', { class: 'hint', text })),
      h('div', { class: 'export-actions' }, ...actions));
  $('export-grid').replaceChildren(
    card('CSV', t('export.standings'), t('export.standingsText'), scopeSelect, standingsLink),
    card('CSV', t('export.sheets'), t('export.sheetsText'),
      h('a', { class: 'btn btn-primary btn-small', download: '', href: compPath(c.id, '/export/sheets.csv'), text: t('export.download') })),
    card('JSONL', t('export.marks'), t('export.marksText'),
      h('a', { class: 'btn btn-primary btn-small', download: '', href: compPath(c.id, '/export/marks.jsonl'), text: t('export.download') })),
    card('JSON', t('export.competition'), t('export.competitionText'),
      h('a', { class: 'btn btn-small', download: '', href: compPath(c.id, '/export/competition.json'), text: t('export.download') })),
  );
}

// ---------------------------------------------------------------- start-up

function showBlocked(title, text, href, label) {
  $('shell').hidden = true;
  $('blocked').hidden = false;
  $('blocked-title').textContent = title;
  $('blocked-text').textContent = text;
  const link = $('blocked-link');
  link.href = href;
  link.textContent = label;
}

function rerender() {
  if (state.me) $('user-name').textContent = state.me.name || state.me.username;
  renderCompList();
  if (state.creating) rerenderCreateForm();
  if (!state.comp) return;
  renderCompHead();
  renderScopeOptions();
  renderImportIds();
  renderAssignForm();
  renderBulkPreview();
  if (state.codes) renderCodes();
  if (state.tab === 'contestants') renderContestants();
  if (state.tab === 'judges') renderAssignments();
  if (state.tab === 'standings') renderStandings();
  if (state.tab === 'publish') renderPublish();
  if (state.tab === 'display') rerenderDisplay();
  if (state.tab === 'devices') renderDevices();
  if (state.tab === 'export') renderExport();
}

function bindEvents() {
  bindLangToggle($('lang-toggle'));
  onLangChange(rerender);
  $('logout').addEventListener('click', async () => {
    await api.logout().catch(() => {});
    location.assign('/login');
  });
  $('tabs').addEventListener('click', (event) => {
    const tab = event.target.closest('[data-tab]');
    if (tab) showTab(tab.dataset.tab);
  });
  $('tabs').addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const i = TABS.indexOf(state.tab) + (event.key === 'ArrowRight' ? 1 : -1);
    const next = TABS[(i + TABS.length) % TABS.length];
    showTab(next).then(() => $(`tab-${next}`).focus());
  });
  window.addEventListener('hashchange', () => {
    if (document.body.dataset.ready !== 'true') return; // start() reads the hash when it gets there
    const want = readHash();
    if (want.create) {
      if (!state.creating) openCreate();
      return;
    }
    if (state.creating) {
      leaveCreate(want);
      return;
    }
    if (want.competition && want.competition !== state.compId) {
      state.tab = want.tab;
      state.scope = want.scope;
      selectCompetition(want.competition);
    } else if (want.tab !== state.tab) {
      showTab(want.tab);
    }
  });
  $('create-file').addEventListener('change', (event) => {
    const file = event.target.files[0];
    event.target.value = '';
    if (file) createFromFile(file);
  });
  $('import-file').addEventListener('change', (event) => {
    const file = event.target.files[0];
    event.target.value = '';
    if (file) importCsv(file);
  });
  $('contestant-filter').addEventListener('input', () => renderContestants());
  $('bulk-form').addEventListener('submit', bulkCreate);
  $('bulk-prefix').addEventListener('input', renderBulkPreview);
  $('bulk-count').addEventListener('input', renderBulkPreview);
  $('bulk-role').addEventListener('change', () => {
    const prefix = $('bulk-prefix');
    if (prefix.value === 'j-wz' || prefix.value === 'chief') prefix.value = $('bulk-role').value === 'chief' ? 'chief' : 'j-wz';
    renderBulkPreview();
  });
  $('print-codes').addEventListener('click', printCodes);
  window.addEventListener('afterprint', () => document.body.classList.remove('printing-cards'));
  $('assign-form').addEventListener('submit', saveAssignment);
  $('scope').addEventListener('change', () => {
    state.scope = $('scope').value;
    writeHash();
    loadStandings();
  });
  $('standings-refresh').addEventListener('click', () => loadStandings());
  $('publish-toggle').addEventListener('click', togglePublish);
}

async function start() {
  bindEvents();
  applyI18n();
  renderBulkPreview();
  try {
    state.me = await api.me();
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return toLogin();
    return showBlocked(t('blocked.errorTitle'), errorLines(err).map((l) => (l instanceof Node ? l.textContent : l)).join(' '), location.pathname, t('common.retry'));
  }
  $('user-name').textContent = state.me.name || state.me.username;
  if (state.me.role !== 'organiser' && state.me.role !== 'admin') {
    const home = state.me.role === 'chief' ? '/chief' : '/judge';
    return showBlocked(t('blocked.forbiddenTitle'), t('blocked.forbiddenText', { user: state.me.username, role: t(`role.${state.me.role}`) }), home, t('blocked.toHome'));
  }
  $('shell').hidden = false;
  initCreateForm({
    onCreated: createdByForm,
    onCancel: () => {
      location.hash = state.compId ? `competition=${encodeURIComponent(state.compId)}&tab=${state.tab}` : '';
    },
    errorLines: (err) => errorLines(err),
    confirm: confirmDialog,
    toLogin,
  });
  initDisplay({ errorLines: (err) => errorLines(err), confirm: confirmDialog, toLogin });
  initDevices({ comp: () => state.comp, errorLines: (err, path) => errorLines(err, path), confirm: confirmDialog, toLogin });
  try {
    await loadCompetitions();
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return toLogin();
    showResult($('create-result'), 'error', errorLines(err));
  }
  const now = readHash(); // the hash may have changed while the list loaded
  state.tab = now.tab;
  state.scope = now.scope;
  const id = state.comps.some((c) => c.id === now.competition) ? now.competition : state.comps.length ? state.comps[0].id : '';
  if (now.create) {
    state.compId = id; // shown when the form is left
    openCreate();
  } else {
    await selectCompetition(id);
  }
  document.body.dataset.ready = 'true';
  const later = readHash(); // changed while the first competition loaded: follow it
  if (later.create !== state.creating || (later.competition && later.competition !== state.compId)) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

start();

