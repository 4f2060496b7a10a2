// The chief judge's page (/chief): one card per module with its sign-off state,
// the disputed judgements (with the judges' marks, from the score sheet) that
// must be re-judged, the incomplete criteria, sign-off (lock) and unlock with a
// reason; and the audit trail of one contestant: every mark in time order with
// corrections, replaced marks and voids highlighted, automatic (device) marks
// flagged with their station and signal, and a person's override of an `auto` or
// `time` criterion (a mark with a reason; devices no longer change it afterwards).
//
// Station devices (docs/devices.md): a red banner lists the silent stations, kept
// current by the live stream (`alarm` events; the board's `alarms` in the snapshot,
// and the device status read again on every (re)connection), and a strip sums up
// the stations seen, silent and the refused signals.
//
// Modules in stages (闯关), from the live stream's board: per module card, how many are at
// each stage and how many failed one (未通过), and a list of each started contestant's
// stage, passed stages' times and the current stage's running clock (on the server's
// time); the audit view shows the same for its contestant.
//
// Everything from the server is set with textContent.
//
// Sections: messages · helpers · session · review (module cards) · devices ·
// lock and unlock · audit trail · override · start-up.

import * as api from '/static/common/api.js';
import { circled, fmtDuration, noteServerTime, serverNow, tickClocks } from '/static/common/clock.js';
import { $, fmt, h, toast } from '/static/common/dom.js';
import { applyI18n, bindLangToggle, define, localMessage, onLangChange, t } from '/static/common/i18n.js';

// ---------------------------------------------------------------- messages

define({
  zh: {
    'chief.pageTitle': '裁判长 · 匠星',
    'chief.title': '裁判长',
    'nav.admin': '赛事管理',
    'nav.chief': '裁判长',
    'common.logout': '退出',
    'common.refresh': '刷新',
    'chief.competition': '竞赛',
    'chief.meta': '{id} · {n} 名选手 · {modules} 个模块',
    'chief.statLocked': '模块已签核',
    'chief.statDisputed': '争议评分',
    'chief.statIncomplete': '未完成评分项',
    'chief.tabModules': '模块签核',
    'chief.tabAudit': '评分追溯',
    'chief.noComp': '还没有竞赛',
    'chief.locked': '已签核锁定',
    'chief.open': '未签核',
    'chief.disputed': '争议',
    'chief.incomplete': '未完成',
    'chief.criteria': '评分项',
    'chief.max': '满分 {max}',
    'chief.allClear': '没有争议，全部评分项已完成，可以签核。',
    'chief.noDispute': '没有争议评分。',
    'chief.blockedByDispute': '有 {n} 项争议评分，重评前不能签核。',
    'chief.disputesTitle': '争议评分（最高与最低相差超过 1 档）',
    'chief.rejudge': '要求重评',
    'chief.rejudgeNote': '相差超过 1 档，须由以上裁判重评后才能签核。',
    'chief.rejudgeDefault': '{crit}：裁判 {judges} 的评分相差超过 1 档，请复核后重新评分。',
    'chief.rejudgeSent': '已通知裁判重评 {who} 的 {crit}',
    'chief.requested': '已要求重评',
    'chief.otherVenue': '相差超过 1 档，由{venue}裁判长安排重评。',
    'chief.requestedBy': '{by} 已发出重评通知，等待裁判重新评分：{note}',
    'chief.loadingMarks': '正在读取裁判评分…',
    'chief.noMarks': '（暂无评分）',
    'chief.showAll': '显示全部 {n} 条',
    'chief.showLess': '收起',
    'chief.incompleteList': '查看未完成的 {n} 项',
    'chief.trace': '追溯',
    'chief.signOff': '签核',
    'chief.unlock': '解锁',
    'chief.signOffTitle': '签核模块 {id} {name}？',
    'chief.signOffText': '签核后本模块锁定，裁判不能再修改或补充评分；如需修改须由裁判长填写原因解锁。',
    'chief.signOffIncomplete': '注意：本模块仍有 {n} 个评分项未完成，未评分的记 0 分。',
    'chief.signedOff': '模块 {id} 已签核锁定',
    'chief.unlocked': '模块 {id} 已解锁',
    'unlock.title': '解锁模块 {id} {name}',
    'unlock.text': '解锁后裁判可以修改本模块的评分。解锁是审计事件，原因将永久记录。',
    'unlock.reason': '解锁原因（必填）',
    'unlock.placeholder': '例如：选手申诉，复核 B2 扣分',
    'unlock.needReason': '请填写解锁原因',
    'audit.search': '查询选手（编号或姓名）',
    'audit.placeholder': '如 W001 或 姓名',
    'audit.go': '查看追溯',
    'audit.notFound': '没有找到“{q}”',
    'audit.pick': '有多名选手匹配，请选择：',
    'audit.total': '总分',
    'audit.sheet': '成绩单',
    'audit.only': '只看更正与作废',
    'audit.module': '模块',
    'audit.allModules': '全部模块',
    'audit.legendCorrection': '更正',
    'audit.legendSuperseded': '已被替换',
    'audit.legendVoid': '作废',
    'audit.summary': '共 {n} 条记录 · 更正 {c} · 作废 {v}',
    'audit.seq': '序号',
    'audit.time': '时间',
    'audit.criterion': '评分项',
    'audit.judge': '裁判',
    'audit.actor': '录入人',
    'audit.value': '评分',
    'audit.reason': '原因',
    'audit.status': '说明',
    'audit.none': '该选手还没有评分记录。',
    'audit.noneFiltered': '没有符合条件的记录。',
    'audit.meta': '{id} · {group} · {venue} · 工位 {station} · {org}',
    'stage.label': '闯关',
    'stage.nth': '第{k}关/共{n}关',
    'stage.cleared': '✓ 全部通关',
    'stage.count': '第{k}关 {n} 人',
    'stage.countCleared': '通关 {n} 人',
    'stage.title': '闯关进度（实时）',
    'stage.countFailed': '未通过 {n} 人',
    'stage.failed': '✕ 未通过',
    'stage.failedTitle': '当前关卡已全部评分，但未达到通过分数',
    'stage.total': '总用时 {time}',
    'stage.clockTitle': '当前关卡已用时（按服务器时间）',
    'stage.timesTitle': '已通过各关的用时',
    'stage.list': '各选手闯关用时（{n} 人已开始）',
    'stage.listNone': '还没有选手开始闯关。',
    'audit.complete': '评分完整',
    'audit.incomplete': '评分未完成',
    'st.first': '首次评分',
    'st.correction': '更正：替换 #{seq}',
    'st.superseded': '已被 #{seq} 替换',
    'st.voided': '已被 #{seq} 作废',
    'st.void': '作废 #{seq} 的扣分',
    'st.entry': '扣分记录',
    'st.proxy': '代录',
    'kind.judgement': '评价',
    'kind.measurement': '测量',
    'kind.deduction': '扣分',
    'kind.time': '用时',
    'kind.auto': '自动',
    'val.void': '作废',
    'blocked.loginTitle': '请先登录',
    'blocked.forbiddenTitle': '没有权限',
    'blocked.forbiddenText': '裁判长页面仅供裁判长、组织者和管理员使用（当前账号：{user}）。',
    'blocked.errorTitle': '无法打开页面',
    'blocked.toHome': '前往我的页面',
    'error.field': '字段：{field}',
  },
  en: {
    'chief.pageTitle': 'Chief judge · Jiangxing',
    'chief.title': 'Chief judge',
    'nav.admin': 'Organiser',
    'nav.chief': 'Chief judge',
    'common.logout': 'Sign out',
    'common.refresh': 'Refresh',
    'chief.competition': 'Competition',
    'chief.meta': '{id} · {n} contestants · {modules} modules',
    'chief.statLocked': 'modules signed off',
    'chief.statDisputed': 'disputed judgements',
    'chief.statIncomplete': 'criteria not yet marked',
    'chief.tabModules': 'Sign-off',
    'chief.tabAudit': 'Audit trail',
    'chief.noComp': 'No competition yet',
    'chief.locked': 'Signed off',
    'chief.open': 'Open',
    'chief.disputed': 'Disputed',
    'chief.incomplete': 'Incomplete',
    'chief.criteria': 'criteria',
    'chief.max': 'max {max}',
    'chief.allClear': 'No disputes and every criterion is marked: ready to sign off.',
    'chief.noDispute': 'No disputed judgement.',
    'chief.blockedByDispute': '{n} disputed judgements: sign-off is refused until they are re-judged.',
    'chief.disputesTitle': 'Disputed judgements (highest and lowest differ by more than 1)',
    'chief.rejudge': 'Ask for re-judging',
    'chief.rejudgeNote': 'The marks differ by more than 1: these judges must mark again before sign-off.',
    'chief.rejudgeDefault': '{crit}: the marks of {judges} differ by more than 1; please review and mark again.',
    'chief.rejudgeSent': 'Judges asked to re-judge {crit} of {who}',
    'chief.requested': 'Re-judging asked',
    'chief.otherVenue': 'The marks differ by more than 1: the chief judge of {venue} arranges re-judging.',
    'chief.requestedBy': '{by} asked the judges to mark again; waiting: {note}',
    'chief.loadingMarks': 'Reading the judges’ marks…',
    'chief.noMarks': '(no marks yet)',
    'chief.showAll': 'Show all {n}',
    'chief.showLess': 'Show fewer',
    'chief.incompleteList': 'Show the {n} incomplete',
    'chief.trace': 'Trail',
    'chief.signOff': 'Sign off',
    'chief.unlock': 'Unlock',
    'chief.signOffTitle': 'Sign off module {id} {name}?',
    'chief.signOffText': 'Signing off locks the module: judges can no longer change or add marks. Changing it later needs an unlock with a reason.',
    'chief.signOffIncomplete': 'Note: {n} criteria of this module are not marked yet and count as 0.',
    'chief.signedOff': 'Module {id} signed off and locked',
    'chief.unlocked': 'Module {id} unlocked',
    'unlock.title': 'Unlock module {id} {name}',
    'unlock.text': 'Unlocking lets judges change this module’s marks. The unlock is an audited event and its reason is kept for good.',
    'unlock.reason': 'Reason (required)',
    'unlock.placeholder': 'e.g. appeal by the contestant: review the B2 deduction',
    'unlock.needReason': 'Enter the reason for unlocking',
    'audit.search': 'Contestant (ID or name)',
    'audit.placeholder': 'e.g. W001 or a name',
    'audit.go': 'Show trail',
    'audit.notFound': 'Nothing matches “{q}”',
    'audit.pick': 'Several contestants match: choose one:',
    'audit.total': 'Total',
    'audit.sheet': 'Score sheet',
    'audit.only': 'Corrections and voids only',
    'audit.module': 'Module',
    'audit.allModules': 'All modules',
    'audit.legendCorrection': 'Correction',
    'audit.legendSuperseded': 'Replaced',
    'audit.legendVoid': 'Void',
    'audit.summary': '{n} records · {c} corrections · {v} voids',
    'audit.seq': 'Seq',
    'audit.time': 'Time',
    'audit.criterion': 'Criterion',
    'audit.judge': 'Judge',
    'audit.actor': 'Entered by',
    'audit.value': 'Mark',
    'audit.reason': 'Reason',
    'audit.status': 'Note',
    'audit.none': 'No marks for this contestant yet.',
    'audit.noneFiltered': 'No record matches.',
    'audit.meta': '{id} · {group} · {venue} · station {station} · {org}',
    'stage.label': 'Stages',
    'stage.nth': 'Stage {k} of {n}',
    'stage.cleared': '✓ All stages passed',
    'stage.count': 'stage {k}: {n}',
    'stage.countCleared': 'passed all: {n}',
    'stage.title': 'Stages reached (live)',
    'stage.countFailed': 'not passed: {n}',
    'stage.failed': '✕ Not passed',
    'stage.failedTitle': 'The current stage is fully marked but below its pass score',
    'stage.total': 'total {time}',
    'stage.clockTitle': 'Time in the current stage (server clock)',
    'stage.timesTitle': 'Time each passed stage took',
    'stage.list': 'Stage times per contestant ({n} started)',
    'stage.listNone': 'No contestant has started yet.',
    'audit.complete': 'Fully marked',
    'audit.incomplete': 'Incomplete',
    'st.first': 'First mark',
    'st.correction': 'Correction: replaces #{seq}',
    'st.superseded': 'Replaced by #{seq}',
    'st.voided': 'Voided by #{seq}',
    'st.void': 'Voids the deduction #{seq}',
    'st.entry': 'Deduction entry',
    'st.proxy': 'keyed in',
    'kind.judgement': 'Judgement',
    'kind.measurement': 'Measurement',
    'kind.deduction': 'Deduction',
    'kind.time': 'Time',
    'kind.auto': 'Auto',
    'val.void': 'void',
    'blocked.loginTitle': 'Please sign in',
    'blocked.forbiddenTitle': 'Not allowed',
    'blocked.forbiddenText': 'This page is for chief judges, organisers and administrators (signed in as {user}).',
    'blocked.errorTitle': 'Cannot open the page',
    'blocked.toHome': 'Go to my page',
    'error.field': 'Field: {field}',
  },
});

define({
  zh: {
    'alarm.title': '设备报警：{n} 个工位没有信号',
    'alarm.hint': '这些工位的设备超过 {s} 秒没有发来任何消息（包括心跳）。请到现场检查设备与网络；恢复发送后报警自动解除。',
    'alarm.since': '最后信号 {ago}',
    'alarm.never': '没有收到过信号',
    'alarm.trail': '查看评分',
    'devsum.title': '工位设备',
    'devsum.seen': '已上线 {n} / {total} 个工位',
    'devsum.silent': '无信号 {n}',
    'devsum.applied': '已计分信号 {n}',
    'devsum.refused': '拒收信号 {n}',
    'devsum.off': '未连接设备服务器：自动评分项由裁判长人工录入。',
    'devsum.error': '无法读取设备状态：{message}',
    'ago.now': '刚刚',
    'ago.s': '{n} 秒前',
    'ago.m': '{n} 分钟前',
    'ago.h': '{n} 小时前',
    'ago.d': '{n} 天前',
    'audit.action': '操作',
    'audit.legendDevice': '设备自动评分',
    'audit.device': '设备',
    'audit.deviceTitle': '设备 {station} 的信号自动给分',
    'audit.signal': '设备信号',
    'st.overridesDevice': '人工更正设备值',
    'override.action': '人工更正',
    'override.actionTitle': '以人工评分替换 {crit} 的当前值',
    'override.title': '人工更正 {crit}',
    'override.current': '{who} · 当前值 {value}（{source}）',
    'override.sourceDevice': '设备 {station} · 信号 {signal}',
    'override.sourcePerson': '{judge} 录入',
    'override.value': '分值（0–{max}）',
    'override.seconds': '用时（秒）',
    'override.reason': '更正原因（必填）',
    'override.placeholder': '例如：传感器误报，现场复核后确认合格',
    'override.note': '提交后以您的评分为准：此后设备信号不再改变该评分项（之后的信号会被拒收，计为“已由裁判人工给分”）。更正记入审计日志。',
    'override.submit': '提交更正',
    'override.needValue': '请填写 0 到 {max} 之间的分值',
    'override.needSeconds': '请填写用时（秒，不小于 0）',
    'override.needReason': '请填写更正原因',
    'override.done': '已更正 {who} 的 {crit}：以人工评分为准',
  },
  en: {
    'alarm.title': 'Device alarm: {n} stations silent',
    'alarm.hint': 'These stations’ devices sent nothing (not even a heartbeat) for more than {s} s. Check the device and the network on site; the alarm clears once it sends again.',
    'alarm.since': 'last signal {ago}',
    'alarm.never': 'never heard from',
    'alarm.trail': 'Show marks',
    'devsum.title': 'Station devices',
    'devsum.seen': '{n} of {total} stations seen',
    'devsum.silent': '{n} silent',
    'devsum.applied': '{n} signals scored',
    'devsum.refused': '{n} signals refused',
    'devsum.off': 'No device broker: automatic criteria are entered by hand by the chief judge.',
    'devsum.error': 'Cannot read the device status: {message}',
    'ago.now': 'just now',
    'ago.s': '{n} s ago',
    'ago.m': '{n} min ago',
    'ago.h': '{n} h ago',
    'ago.d': '{n} d ago',
    'audit.action': 'Action',
    'audit.legendDevice': 'Scored by a device',
    'audit.device': 'Device',
    'audit.deviceTitle': 'Scored automatically from the signal of device {station}',
    'audit.signal': 'Device signal',
    'st.overridesDevice': 'overrides the device value',
    'override.action': 'Override',
    'override.actionTitle': 'Replace the current value of {crit} with a mark of yours',
    'override.title': 'Override {crit}',
    'override.current': '{who} · now {value} ({source})',
    'override.sourceDevice': 'device {station} · signal {signal}',
    'override.sourcePerson': 'entered by {judge}',
    'override.value': 'Score (0–{max})',
    'override.seconds': 'Time (seconds)',
    'override.reason': 'Reason (required)',
    'override.placeholder': 'e.g. false sensor reading: checked on site, passed',
    'override.note': 'From then on your mark counts: device signals no longer change this criterion (later signals are refused and counted as “marked by a person”). The override is kept in the audit log.',
    'override.submit': 'Override',
    'override.needValue': 'Enter a score from 0 to {max}',
    'override.needSeconds': 'Enter the time in seconds (0 or more)',
    'override.needReason': 'Enter the reason for the override',
    'override.done': '{crit} of {who} overridden: your mark counts',
  },
});

// ---------------------------------------------------------------- helpers



const fmtTime = (ms) => new Date(ms).toLocaleString('zh-CN', { hour12: false });

function fmtSeconds(s) {
  const total = Math.round(s);
  const m = Math.floor(total / 60);
  const sec = total % 60;
  return `${s} s（${m}:${String(sec).padStart(2, '0')}）`;
}

const compPath = (id, rest = '') => `/api/v1/competitions/${api.seg(id)}${rest}`;
const sheetHref = (competition, contestant) =>
  `/sheet?competition=${encodeURIComponent(competition)}&contestant=${encodeURIComponent(contestant)}`;

function toLogin() {
  location.replace(`/login?next=${encodeURIComponent(location.pathname + location.search + location.hash)}`);
}


function errorText(err) {
  if (err instanceof api.ApiError && err.status === 401) {
    toLogin();
    return t('blocked.loginTitle');
  }
  if (err instanceof api.NetworkError) return t('error.network');
  if (err instanceof api.ApiError) return localMessage(err.message) || t('error.unknown');
  return (err && err.message) || t('error.unknown');
}

// ---------------------------------------------------------------- state

const state = {
  me: null,
  comps: [],
  compId: '',
  comp: null, // GET /competitions/{id}
  review: null, // GET /competitions/{id}/review
  sheets: new Map(), // contestant id → sheet promise (judges' marks for disputes)
  expanded: new Set(), // module ids whose full dispute list is shown
  errors: new Map(), // module id → last refusal message
  tab: 'modules',
  audit: null, // the sheet shown in the audit trail
  myVenue: '*', // a chief judge's venue (from judge-view); '*' = every venue
  devices: null, // GET /competitions/{id}/devices (null until read)
  devicesError: '', // why the last read failed
  alarms: new Map(), // station → {station, contestant, since, silent}: the silent stations
  live: null, // the live stream's EventSource
  board: null, // the live board (snapshot + standings deltas): stages (闯关) per contestant
  stageLists: new Set(), // module ids whose list of contestants' stage times is open
};

const people = () => new Map((state.comp ? state.comp.contestants : []).map((p) => [p.id, p]));
const personLabel = (id) => {
  const p = people().get(id);
  return p ? `${id} ${p.name}` : id;
};
const criterionOf = (moduleId, critId) => {
  const m = state.comp && state.comp.modules.find((x) => x.id === moduleId);
  return (m && m.criteria.find((c) => c.id === critId)) || { id: critId, name: critId };
};
const venueName = (id) => (state.comp?.venues.find((v) => v.id === id) || {}).name || id;

function sheetOf(contestant) {
  if (!state.sheets.has(contestant)) {
    const p = api.get(compPath(state.compId, `/sheets/${api.seg(contestant)}`));
    p.catch(() => state.sheets.delete(contestant));
    state.sheets.set(contestant, p);
  }
  return state.sheets.get(contestant);
}

// ---------------------------------------------------------------- review

async function loadReview() {
  const [comp, review, view] = await Promise.all([
    api.get(compPath(state.compId)),
    api.get(compPath(state.compId, '/review')),
    state.me.role === 'chief' ? api.get(compPath(state.compId, '/judge-view')).catch(() => null) : null,
  ]);
  state.comp = comp;
  state.review = review;
  state.myVenue = view && view.venue ? view.venue.id : '*';
  state.sheets.clear();
  renderHead();
  renderModules();
  renderAuditNames();
  document.body.dataset.ready = 'true';
}

function renderHead() {
  const c = state.comp;
  $('comp-title').textContent = c.title;
  $('comp-meta').textContent = t('chief.meta', { id: c.id, n: c.contestants.length, modules: c.modules.length });
  const mods = state.review.modules;
  $('stat-locked').textContent = `${mods.filter((m) => m.locked).length} / ${mods.length}`;
  $('stat-disputed').textContent = fmt(mods.reduce((n, m) => n + m.disputed.length, 0));
  $('stat-incomplete').textContent = fmt(mods.reduce((n, m) => n + m.incomplete_count, 0));
}

const DISPUTES_SHOWN = 3;

function renderModules() {
  const grid = $('module-grid');
  grid.replaceChildren(...state.review.modules.map(moduleCard));
}

function moduleCard(m) {
  const scheme = state.comp.modules.find((x) => x.id === m.id) || { criteria: [], max: 0 };
  const disputes = m.disputed;
  const expanded = state.expanded.has(m.id);
  const shown = expanded ? disputes : disputes.slice(0, DISPUTES_SHOWN);
  const error = state.errors.get(m.id);
  const status = m.locked
    ? h('span', { class: 'badge badge-locked', text: t('chief.locked') })
    : h('span', { class: 'badge badge-open', text: t('chief.open') });

  const body = [];
  if (disputes.length) {
    body.push(
      h('h3', { class: 'mini-title', text: t('chief.disputesTitle') }),
      h('ul', { class: 'disputes' }, ...shown.map((d) => disputeItem(m, d))),
    );
    if (disputes.length > DISPUTES_SHOWN) {
      body.push(
        h('button', {
          class: 'btn btn-ghost btn-small more',
          type: 'button',
          text: expanded ? t('chief.showLess') : t('chief.showAll', { n: disputes.length }),
          onclick: () => {
            if (expanded) state.expanded.delete(m.id);
            else state.expanded.add(m.id);
            renderModules();
          },
        }),
      );
    }
  } else if (!m.incomplete_count) {
    body.push(h('p', { class: 'clear-note', text: t('chief.allClear') }));
  } else {
    body.push(h('p', { class: 'muted-note', text: t('chief.noDispute') }));
  }
  if (m.incomplete_count) {
    const byCrit = new Map();
    for (const item of m.incomplete) byCrit.set(item.criterion, (byCrit.get(item.criterion) || 0) + 1);
    body.push(
      h(
        'details',
        { class: 'incomplete' },
        h('summary', { text: t('chief.incompleteList', { n: fmt(m.incomplete_count) }) }),
        h(
          'p',
          { class: 'incomplete-crit' },
          ...[...byCrit].map(([crit, n]) => h('span', { class: 'crit-count' }, h('b', { text: crit }), ` ${criterionOf(m.id, crit).name} × ${n}`)),
        ),
        h('p', { class: 'incomplete-list' }, ...m.incomplete.slice(0, 120).map((i) => h('span', { class: 'pill', text: `${i.contestant}·${i.criterion}` })),
          m.incomplete.length > 120 ? h('span', { class: 'pill', text: `… +${m.incomplete.length - 120}` }) : null),
      ),
    );
  }

  const actions = m.locked
    ? h('button', { class: 'btn btn-danger', type: 'button', dataset: { action: 'unlock', module: m.id }, text: t('chief.unlock'), onclick: () => openUnlock(m) })
    : h('button', { class: 'btn btn-primary', type: 'button', dataset: { action: 'lock', module: m.id }, text: t('chief.signOff'), onclick: () => signOff(m) });

  return h(
    'article',
    { class: `card module-card${m.locked ? ' is-locked' : ''}${disputes.length ? ' has-disputes' : ''}`, dataset: { module: m.id } },
    h(
      'header',
      { class: 'module-head' },
      h('span', { class: 'module-id', text: m.id }),
      h('div', { class: 'module-title' }, h('h2', { text: m.name }),
        h('p', { class: 'module-sub', text: `${scheme.criteria.length} ${t('chief.criteria')} · ${t('chief.max', { max: fmt(scheme.max) })}` })),
      status,
    ),
    h(
      'div',
      { class: 'module-stats' },
      h('span', { class: `mstat${disputes.length ? ' mstat-bad' : ''}` }, h('b', { class: 'num', text: fmt(disputes.length) }), ` ${t('chief.disputed')}`),
      h('span', { class: `mstat${m.incomplete_count ? ' mstat-warn' : ''}` }, h('b', { class: 'num', text: fmt(m.incomplete_count) }), ` ${t('chief.incomplete')}`),
    ),
    moduleStages(m.id),
    h('div', { class: 'module-body' }, ...body),
    error ? h('div', { class: 'result result-error', role: 'alert', text: error }) : null,
    h('footer', { class: 'module-foot' },
      !m.locked && disputes.length ? h('span', { class: 'foot-note', text: t('chief.blockedByDispute', { n: disputes.length }) }) : h('span'),
      actions),
  );
}

function judgeMarks(sheet, critId) {
  for (const mod of sheet.modules) {
    const crit = mod.criteria.find((c) => c.id === critId);
    if (!crit) continue;
    const latest = new Map(); // judge → latest mark
    for (const mark of [...crit.marks].sort((a, b) => a.seq - b.seq)) latest.set(mark.judge || mark.actor, mark);
    return [...latest.values()];
  }
  return [];
}

function openRejudge(d) {
  return (state.review.rejudge || []).find((r) => r.contestant === d.contestant && r.criterion === d.criterion);
}

async function askRejudge(m, d, crit, judges, button) {
  button.disabled = true;
  const note = t('chief.rejudgeDefault', { crit: `${crit.id} ${crit.name}`, judges: judges || '' });
  try {
    await api.post(compPath(state.compId, '/rejudge'), { contestant: d.contestant, criterion: d.criterion, note });
    state.errors.delete(m.id);
    toast(t('chief.rejudgeSent', { who: personLabel(d.contestant), crit: crit.id }));
  } catch (err) {
    state.errors.set(m.id, errorText(err));
  }
  await refresh();
}

function disputeItem(m, d) {
  const crit = criterionOf(m.id, d.criterion);
  const judgesLine = h('span', { class: 'judges', text: t('chief.loadingMarks') });
  const request = openRejudge(d);
  const venue = (people().get(d.contestant) || {}).venue;
  const mine = state.myVenue === '*' || state.myVenue === venue;
  let judges = '';
  const ask = h('button', {
    class: 'btn btn-small btn-rejudge',
    type: 'button',
    dataset: { action: 'rejudge' },
    text: t('chief.rejudge'),
    disabled: m.locked || undefined,
    onclick: (event) => askRejudge(m, d, crit, judges, event.currentTarget),
  });
  sheetOf(d.contestant).then(
    (sheet) => {
      const marks = judgeMarks(sheet, d.criterion);
      judges = marks.map((mk) => mk.judge || mk.actor).join('、');
      judgesLine.replaceChildren(
        ...(marks.length
          ? marks.map((mk) => h('span', { class: 'judge-mark' }, h('span', { class: 'mono', text: mk.judge || mk.actor }), h('b', { class: 'num', text: fmt(mk.value) })))
          : [t('chief.noMarks')]),
      );
    },
    (err) => {
      judgesLine.textContent = errorText(err);
    },
  );
  return h(
    'li',
    { class: `dispute${request ? ' is-requested' : ''}`, dataset: { contestant: d.contestant, criterion: d.criterion } },
    h('div', { class: 'dispute-main' },
      h('span', { class: 'dispute-who' }, h('b', { class: 'mono', text: d.contestant }), ` ${(people().get(d.contestant) || {}).name || ''}`),
      h('span', { class: 'dispute-crit', text: `${crit.id} ${crit.name}` }),
      h('span', { class: 'venue-tag', text: venueName(venue) }),
      h('button', { class: 'btn btn-ghost btn-small trace', type: 'button', text: t('chief.trace'), onclick: () => showAudit(d.contestant, m.id) })),
    h('div', { class: 'dispute-judges' }, judgesLine),
    request
      ? h('div', { class: 'dispute-note' },
        h('span', { class: 'flag flag-warn', text: t('chief.requested') }),
        h('span', { class: 'note-text', text: t('chief.requestedBy', { by: request.by, note: request.note || '' }) }))
      : h('div', { class: 'dispute-note' },
        h('span', { class: 'note-text', text: mine ? t('chief.rejudgeNote') : t('chief.otherVenue', { venue: venueName(venue) }) }),
        mine ? ask : null),
  );
}

// ---------------------------------------------------------------- devices

const DEVICES_EVERY_MS = 15000;

/** "35 秒前" from a server time in ms. */
function ago(ms, now = Date.now()) {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 5) return t('ago.now');
  if (s < 60) return t('ago.s', { n: s });
  if (s < 3600) return t('ago.m', { n: Math.floor(s / 60) });
  if (s < 86400) return t('ago.h', { n: Math.floor(s / 3600) });
  return t('ago.d', { n: Math.floor(s / 86400) });
}

/** An automatic mark: given by a station's device from a signal (docs/devices.md). */
const isDeviceMark = (mark) => !!mark && (mark.judge === 'device' || String(mark.actor || '').startsWith('device:'));
const deviceStation = (mark) => (String(mark.actor || '').startsWith('device:') ? String(mark.actor).slice(7) : '');
function deviceSignal(mark) {
  const m = /^设备信号\s+(\S.*)$/.exec(mark.reason || '');
  return m ? m[1] : mark.reason || '';
}

function parseData(event) {
  try {
    return JSON.parse(event.data);
  } catch {
    return null;
  }
}

function setAlarms(list) {
  state.alarms = new Map(
    (Array.isArray(list) ? list : []).filter((a) => a && a.station && a.silent !== false).map((a) => [a.station, a]),
  );
}

/** Reads the device status: the summary, and the silent stations as the server has them now. */
async function loadDevices() {
  const id = state.compId;
  if (!id) return;
  try {
    const status = await api.get(compPath(id, '/devices'));
    if (id !== state.compId) return;
    state.devices = status;
    state.devicesError = '';
    setAlarms((status.stations || []).filter((st) => st.silent).map((st) => ({ station: st.station, contestant: st.contestant, since: st.last_seen, silent: true })));
  } catch (err) {
    if (id !== state.compId) return;
    state.devicesError = errorText(err);
  }
  renderDevices();
}

/** Follows the live stream: alarms as they are raised and cleared. */
function connectLive() {
  if (state.live) state.live.close();
  state.live = null;
  if (!state.compId || typeof EventSource === 'undefined') return;
  const id = state.compId;
  const source = new EventSource(compPath(id, '/live'));
  state.live = source;
  // On every (re)connection: events without id (alarms) are not replayed, so read again.
  source.addEventListener('open', () => loadDevices());
  source.addEventListener('snapshot', (event) => {
    const board = parseData(event);
    if (!board || id !== state.compId) return;
    setBoard(board);
    if (!Array.isArray(board.alarms)) return;
    setAlarms(board.alarms);
    renderDevices();
  });
  source.addEventListener('standings', (event) => {
    const delta = parseData(event);
    if (!delta || id !== state.compId) return;
    mergeStandings(delta);
  });
  source.addEventListener('alarm', (event) => {
    const alarm = parseData(event);
    if (!alarm || !alarm.station || id !== state.compId) return;
    if (alarm.silent) state.alarms.set(alarm.station, alarm);
    else state.alarms.delete(alarm.station);
    renderDevices();
  });
}

// ---------------------------------------------------------------- stages (闯关)

/** Keeps the stream's board for the stages; only modules with stages are shown. */
function setBoard(board) {
  if (!board || !Array.isArray(board.contestants)) return;
  noteServerTime(board.at, true);
  state.board = { seq: Number(board.seq) || 0, modules: Array.isArray(board.modules) ? board.modules : [], byId: new Map() };
  for (const c of board.contestants) if (c && c.id) state.board.byId.set(c.id, { id: c.id, venue: c.venue, stages: c.stages || {} });
  renderStages();
}

/** A standings delta (docs/live.md): marked contestants carry their full entry, stages too. */
function mergeStandings(delta) {
  const b = state.board;
  if (!b || !(Number(delta.seq) > b.seq)) return;
  noteServerTime(delta.at, false);
  b.seq = Number(delta.seq);
  let changed = false;
  for (const item of Array.isArray(delta.changed) ? delta.changed : []) {
    const c = item && b.byId.get(item.id);
    if (c && item.stages && typeof item.stages === 'object') {
      c.stages = item.stages;
      changed = true;
    }
  }
  if (changed) renderStages();
}

const stagedModules = () => (state.board ? state.board.modules.filter((m) => Array.isArray(m.stages) && m.stages.length) : []);

/** A contestant's stage in a staged module: {k, n, passed, cleared, id, name, times: ms
 * each passed stage took (null: unknown), since: server ms the current stage began (null:
 * unknown), failed: the current stage marked in full below its pass score, total: ms of
 * every stage once all passed and every time is known}. */
function stageOf(c, m) {
  const s = (c && c.stages && c.stages[m.id]) || null;
  const n = Math.max(1, Number(s && s.of) || m.stages.length);
  const passed = Math.max(0, Math.min(n, Math.floor(Number(s && s.passed) || 0)));
  const cleared = !!s && s.current == null && passed >= n;
  const current = cleared ? null : m.stages.find((x) => x.id === (s && s.current)) || m.stages[Math.min(passed, m.stages.length - 1)];
  const times = (s && Array.isArray(s.times) ? s.times.slice(0, passed) : []).map((x) => (typeof x === 'number' && x >= 0 ? x : null));
  const since = !cleared && s && typeof s.since === 'number' && s.since > 0 ? s.since : null;
  const total = cleared && times.length === n && times.every((x) => x !== null) ? times.reduce((a, x) => a + x, 0) : null;
  return {
    k: cleared ? n : passed + 1, n, passed, cleared, id: current ? current.id : '', name: current ? String(current.name || current.id) : '',
    times, since, failed: !cleared && !!s && s.failed === true, total,
  };
}

function stageText(sg) {
  if (sg.cleared) return t('stage.cleared');
  return sg.name ? `${t('stage.nth', { k: sg.k, n: sg.n })} · ${sg.name}` : t('stage.nth', { k: sg.k, n: sg.n });
}

/** The passed stages' times, "① 5:08 ② 20:35" (nothing when none passed). */
function stageTimes(sg) {
  if (!sg.times.length) return null;
  return h(
    'span',
    { class: 'stage-times num', title: t('stage.timesTitle') },
    ...sg.times.map((ms, i) => h('span', { class: 'stage-time', dataset: { k: String(i + 1) } }, h('i', { text: circled(i + 1) }), fmtDuration(ms))),
  );
}

/** The current stage's running clock, 未通过, or the total once every stage is passed. */
function stageClock(sg) {
  if (sg.cleared) return sg.total !== null ? h('span', { class: 'stage-clock is-total num', dataset: { state: 'total' }, text: t('stage.total', { time: fmtDuration(sg.total) }) }) : null;
  if (sg.failed) return h('span', { class: 'stage-clock is-failed', dataset: { state: 'failed' }, title: t('stage.failedTitle'), text: t('stage.failed') });
  if (!sg.since) return null;
  return h(
    'span',
    { class: 'stage-clock is-running', dataset: { state: 'running' }, title: t('stage.clockTitle') },
    h('span', { class: 'clock-t num', dataset: { since: String(sg.since) }, text: fmtDuration(serverNow() - sg.since) }),
  );
}

/** The module card's part for a staged module: how many contestants are at each stage (and
 * how many failed), then each started contestant's stage, times and clock. */
function moduleStages(moduleId) {
  const m = stagedModules().find((x) => x.id === moduleId);
  if (!m) return null;
  const counts = new Array(m.stages.length + 1).fill(0);
  let failed = 0;
  const started = [];
  for (const c of state.board.byId.values()) {
    if (state.myVenue !== '*' && c.venue !== state.myVenue) continue;
    const sg = stageOf(c, m);
    counts[sg.cleared ? m.stages.length : sg.k - 1]++;
    if (sg.failed) failed++;
    if (sg.cleared || sg.failed || sg.since || sg.passed) started.push([c, sg]);
  }
  // Failed first, then the longest in their stage, then the cleared by their total time.
  const order = ([, sg]) => (sg.failed ? 0 : sg.cleared ? 2 : 1);
  const key = ([, sg]) => (sg.cleared ? (sg.total ?? Infinity) : (sg.since ?? Infinity));
  started.sort((a, b) => order(a) - order(b) || key(a) - key(b) || String(a[0].id).localeCompare(String(b[0].id)));
  const names = people();
  const list = h(
    'details',
    { class: 'stage-list', dataset: { module: m.id }, open: state.stageLists.has(m.id) || null },
    h('summary', { text: t('stage.list', { n: started.length }) }),
    started.length
      ? h(
        'ul',
        { class: 'stage-rows' },
        ...started.map(([c, sg]) =>
          h(
            'li',
            { class: `stage-row${sg.failed ? ' is-failed' : sg.cleared ? ' is-cleared' : ''}`, dataset: { contestant: c.id, reached: sg.cleared ? 'cleared' : sg.id } },
            h('span', { class: 'stage-who' }, h('b', { class: 'mono', text: c.id }), ` ${(names.get(c.id) || {}).name || ''}`),
            h('span', { class: 'stage-at', text: sg.cleared ? t('stage.cleared') : t('stage.nth', { k: sg.k, n: sg.n }), title: sg.name || null }),
            stageTimes(sg) || h('span', { class: 'stage-times' }),
            stageClock(sg) || h('span'),
          ),
        ),
      )
      : h('p', { class: 'muted-note', text: t('stage.listNone') }),
  );
  list.addEventListener('toggle', () => {
    if (list.open) state.stageLists.add(m.id);
    else state.stageLists.delete(m.id);
  });
  return h(
    'div',
    { class: 'module-stages', dataset: { module: m.id } },
    h('h3', { class: 'mini-title', text: t('stage.title') }),
    h(
      'p',
      { class: 'stage-counts' },
      ...m.stages.map((st, i) => h('span', { class: 'stage-count', title: st.name || st.id, dataset: { stage: st.id }, text: t('stage.count', { k: i + 1, n: counts[i] }) })),
      h('span', { class: 'stage-count is-cleared', dataset: { stage: 'cleared' }, text: t('stage.countCleared', { n: counts[m.stages.length] }) }),
      failed ? h('span', { class: 'stage-count is-failed', dataset: { stage: 'failed' }, text: t('stage.countFailed', { n: failed }) }) : null,
    ),
    list,
  );
}

/** The audit view's line: the contestant's stage in every staged module, with the passed
 * stages' times and the current stage's clock (or 未通过, or the total). */
function auditStages() {
  const box = $('audit-stages');
  if (!box) return;
  const who = state.audit && state.audit.contestant && state.board && state.board.byId.get(state.audit.contestant.id);
  const mods = who ? stagedModules() : [];
  box.hidden = mods.length === 0;
  box.replaceChildren(
    ...mods.map((m) => {
      const sg = stageOf(who, m);
      return h(
        'span',
        { class: `audit-stage${sg.cleared ? ' is-cleared' : sg.failed ? ' is-failed' : ''}`, dataset: { module: m.id, stage: sg.cleared ? 'cleared' : sg.id } },
        h('b', { text: `${m.id} ${m.name || ''}`.trim() }),
        h('span', { class: 'stage-at', text: stageText(sg) }),
        stageTimes(sg),
        stageClock(sg),
      );
    }),
  );
}

function renderStages() {
  if (state.review) {
    for (const m of state.review.modules) {
      const card = document.querySelector(`#module-grid .module-card[data-module="${CSS.escape(m.id)}"]`);
      const old = card && card.querySelector('.module-stages');
      const next = moduleStages(m.id);
      if (old && next) old.replaceWith(next);
      else if (old) old.remove();
      else if (card && next) card.querySelector('.module-body').before(next);
    }
  }
  auditStages();
}

function renderDevices() {
  renderAlarms();
  renderDeviceStrip();
}

function alarmSince(alarm) {
  return alarm.since ? t('alarm.since', { ago: ago(alarm.since) }) : t('alarm.never');
}

function renderAlarms() {
  const box = $('device-alarm');
  const list = [...state.alarms.values()].sort((a, b) => a.station.localeCompare(b.station, 'zh-CN', { numeric: true }));
  document.body.classList.toggle('has-device-alarm', list.length > 0);
  box.hidden = list.length === 0;
  if (!list.length) {
    $('device-alarm-list').replaceChildren();
    return;
  }
  const who = people();
  $('device-alarm-title').textContent = t('alarm.title', { n: fmt(list.length) });
  $('device-alarm-hint').textContent = t('alarm.hint', { s: fmt(state.devices ? state.devices.silence_s : 30) });
  $('device-alarm-list').replaceChildren(
    ...list.map((a) => {
      const p = who.get(a.contestant);
      return h(
        'li',
        { class: 'device-alarm-item', dataset: { station: a.station, contestant: a.contestant || '' } },
        h('b', { class: 'mono device-alarm-station', text: a.station }),
        h('span', { class: 'device-alarm-who', text: p ? `${a.contestant} ${p.name}` : a.contestant || '' }),
        p ? h('span', { class: 'venue-tag', text: venueName(p.venue) }) : null,
        h('span', { class: 'device-alarm-since', text: alarmSince(a) }),
        p && (state.myVenue === '*' || state.myVenue === p.venue)
          ? h('button', { class: 'btn btn-small device-alarm-trail', type: 'button', text: t('alarm.trail'), onclick: () => showAudit(a.contestant) })
          : null,
      );
    }),
  );
}

/** Keeps "最后信号 35 秒前" current. */
function tickAlarms() {
  for (const item of $('device-alarm-list').children) {
    const alarm = state.alarms.get(item.dataset.station);
    const since = item.querySelector('.device-alarm-since');
    if (alarm && since) since.textContent = alarmSince(alarm);
  }
}

function renderDeviceStrip() {
  const strip = $('device-strip');
  const body = $('device-strip-body');
  const s = state.devices;
  if (!s && !state.devicesError) {
    strip.hidden = true;
    return;
  }
  strip.hidden = false;
  if (!s) {
    strip.className = 'device-strip is-error';
    strip.dataset.state = 'error';
    body.replaceChildren(h('span', { class: 'device-strip-note', text: t('devsum.error', { message: state.devicesError }) }));
    return;
  }
  if (!s.enabled) {
    strip.className = 'device-strip is-off';
    strip.dataset.state = 'off';
    body.replaceChildren(h('span', { class: 'device-strip-note', text: t('devsum.off') }));
    return;
  }
  const stations = new Set((state.comp ? state.comp.contestants : []).map((p) => p.station).filter(Boolean));
  const counts = s.counts || {};
  const silent = state.alarms.size;
  const item = (name, text, tone) => h('span', { class: `device-strip-item${tone ? ` is-${tone}` : ''}`, dataset: { item: name } }, text);
  strip.className = `device-strip${silent ? ' has-silent' : ''}`;
  strip.dataset.state = 'on';
  body.replaceChildren(
    item('seen', t('devsum.seen', { n: fmt((s.stations || []).length), total: fmt(stations.size) })),
    item('silent', t('devsum.silent', { n: fmt(silent) }), silent ? 'bad' : ''),
    item('applied', t('devsum.applied', { n: fmt(counts.applied || 0) })),
    item('refused', t('devsum.refused', { n: fmt(counts.refused || 0) }), counts.refused ? 'warn' : ''),
  );
}

// ---------------------------------------------------------------- lock and unlock

function signOff(m) {
  const scheme = state.comp.modules.find((x) => x.id === m.id) || { name: m.name };
  const dialog = $('lock-dialog');
  $('lock-title').textContent = t('chief.signOffTitle', { id: m.id, name: scheme.name });
  $('lock-text').textContent = t('chief.signOffText');
  const warn = $('lock-warn');
  warn.hidden = !m.incomplete_count;
  warn.textContent = t('chief.signOffIncomplete', { n: fmt(m.incomplete_count) });
  dialog.returnValue = '';
  dialog.addEventListener(
    'close',
    async () => {
      if (dialog.returnValue !== 'ok') return;
      try {
        await api.post(compPath(state.compId, `/modules/${api.seg(m.id)}/lock`));
        state.errors.delete(m.id);
        toast(t('chief.signedOff', { id: m.id }));
      } catch (err) {
        state.errors.set(m.id, errorText(err));
      }
      await refresh();
    },
    { once: true },
  );
  dialog.showModal();
}

let unlocking = null;

function openUnlock(m) {
  unlocking = m;
  $('unlock-title').textContent = t('unlock.title', { id: m.id, name: m.name });
  $('unlock-reason').value = '';
  $('unlock-error').hidden = true;
  $('unlock-dialog').showModal();
  $('unlock-reason').focus();
}

async function submitUnlock(event) {
  const submitter = event.submitter;
  if (submitter && submitter.value === 'cancel') return;
  event.preventDefault();
  const reason = $('unlock-reason').value.trim();
  const error = $('unlock-error');
  if (!reason) {
    error.textContent = t('unlock.needReason');
    error.hidden = false;
    $('unlock-reason').setAttribute('aria-invalid', 'true');
    return;
  }
  $('unlock-reason').removeAttribute('aria-invalid');
  const button = $('unlock-ok');
  button.disabled = true;
  try {
    await api.post(compPath(state.compId, `/modules/${api.seg(unlocking.id)}/unlock`), { reason });
    state.errors.delete(unlocking.id);
    $('unlock-dialog').close();
    toast(t('chief.unlocked', { id: unlocking.id }));
    await refresh();
  } catch (err) {
    error.textContent = errorText(err);
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- audit trail

function renderAuditNames() {
  $('audit-names').replaceChildren(...state.comp.contestants.map((p) => h('option', { value: p.id, label: `${p.id} ${p.name}` })));
  const select = $('audit-module');
  const value = select.value;
  select.replaceChildren(
    h('option', { value: '', text: t('audit.allModules') }),
    ...state.comp.modules.map((m) => h('option', { value: m.id, text: `${m.id} ${m.name}` })),
  );
  select.value = value;
}

function findContestants(query) {
  const q = query.trim();
  if (!q) return [];
  const list = state.comp.contestants;
  const exact = list.filter((p) => p.id.toLowerCase() === q.toLowerCase() || p.name === q);
  if (exact.length) return exact;
  const head = q.split(/\s+/)[0].toLowerCase(); // "W001 张三" from the suggestions
  const byHead = list.filter((p) => p.id.toLowerCase() === head);
  if (byHead.length) return byHead;
  return list.filter((p) => p.id.toLowerCase().includes(q.toLowerCase()) || p.name.includes(q));
}

async function searchAudit(event) {
  event.preventDefault();
  const query = $('audit-query').value;
  const choices = $('audit-choices');
  const error = $('audit-error');
  choices.hidden = true;
  error.hidden = true;
  const found = findContestants(query);
  if (found.length === 1) return showAudit(found[0].id);
  if (!found.length) {
    error.className = 'result result-error';
    error.textContent = t('audit.notFound', { q: query.trim() });
    error.hidden = false;
    return;
  }
  choices.replaceChildren(
    h('p', { class: 'hint', text: t('audit.pick') }),
    ...found.slice(0, 30).map((p) => h('button', { class: 'btn btn-small', type: 'button', text: `${p.id} ${p.name}`, onclick: () => showAudit(p.id) })),
  );
  choices.hidden = false;
}

async function showAudit(contestant, moduleId) {
  setTab('audit');
  $('audit-choices').hidden = true;
  $('audit-error').hidden = true;
  $('audit-query').value = contestant;
  if (moduleId !== undefined) $('audit-module').value = moduleId;
  try {
    state.sheets.delete(contestant); // always the latest for the trail
    state.audit = await sheetOf(contestant);
  } catch (err) {
    const box = $('audit-error');
    box.className = 'result result-error';
    box.textContent = errorText(err);
    box.hidden = false;
    return;
  }
  const url = new URL(location.href);
  url.searchParams.set('contestant', contestant);
  history.replaceState(null, '', url);
  renderAudit();
}

function markValue(mark, kind) {
  if ('void' in mark) return t('val.void');
  if (kind === 'deduction' || 'deduction' in mark) return mark.deduction > 0 ? `−${fmt(mark.deduction)}` : '0';
  if (kind === 'time' || 'seconds' in mark) return fmtSeconds(mark.seconds);
  if (kind === 'judgement') return `${fmt(mark.value)} / 3`;
  return fmt(mark.value);
}

/** Every mark and void of a sheet as rows in time (sequence) order, with its story. */
function auditRows(sheet) {
  const rows = [];
  for (const mod of sheet.modules) {
    for (const crit of mod.criteria) {
      const marks = [...crit.marks].sort((a, b) => a.seq - b.seq);
      const last = new Map(); // who a later mark replaces: judge (judgement) or the criterion
      for (const mark of marks) {
        const row = { mark, mod, crit, kind: 'mark', status: '', replaces: null, replacedBy: null };
        if (crit.kind === 'deduction') {
          row.kind = 'entry';
          if (mark.voided_by) {
            row.kind = 'voided';
            rows.push({ mark: mark.voided_by, mod, crit, kind: 'void', target: mark });
          }
        } else {
          const slot = crit.kind === 'judgement' ? `j:${mark.judge || mark.actor}` : 'latest';
          const before = last.get(slot);
          if (before) {
            row.kind = 'correction';
            row.replaces = before.mark;
            before.replacedBy = mark;
            if (before.kind === 'mark') before.kind = 'superseded';
            else if (before.kind === 'correction') before.kind = 'correction-superseded';
          }
          last.set(slot, row);
        }
        rows.push(row);
      }
    }
  }
  return rows.sort((a, b) => a.mark.seq - b.mark.seq);
}

function statusText(row) {
  const parts = [];
  if (row.kind === 'void') parts.push(t('st.void', { seq: row.target.seq }));
  else if (row.kind === 'entry') parts.push(t('st.entry'));
  else if (row.kind === 'voided') parts.push(t('st.voided', { seq: row.mark.voided_by.seq }));
  else if (row.kind === 'correction' || row.kind === 'correction-superseded') {
    parts.push(t('st.correction', { seq: row.replaces.seq }));
    if (isDeviceMark(row.replaces) && !isDeviceMark(row.mark)) parts.push(t('st.overridesDevice'));
  }
  else if (row.kind === 'mark' || row.kind === 'superseded') parts.push(t('st.first'));
  if (row.replacedBy) parts.push(t('st.superseded', { seq: row.replacedBy.seq }));
  return parts.join(' · ');
}

function rowClass(row) {
  return {
    correction: 'row-correction',
    'correction-superseded': 'row-correction row-superseded',
    superseded: 'row-superseded',
    voided: 'row-voided',
    void: 'row-void',
  }[row.kind] || '';
}

function renderAudit() {
  const sheet = state.audit;
  if (!sheet) return;
  const who = sheet.contestant;
  $('audit').hidden = false;
  $('audit-name').textContent = `${who.name}`;
  $('audit-meta').textContent = t('audit.meta', { id: who.id, group: who.group, venue: who.venue, station: who.station, org: who.org });
  $('audit-total').textContent = fmt(sheet.total);
  auditStages();
  $('audit-sheet').href = sheetHref(state.compId, who.id);
  const all = auditRows(sheet);
  const only = $('audit-only').checked;
  const moduleId = $('audit-module').value;
  const rows = all.filter(
    (r) => (!moduleId || r.mod.id === moduleId) && (!only || ['correction', 'correction-superseded', 'superseded', 'voided', 'void'].includes(r.kind)),
  );
  const corrections = all.filter((r) => r.kind.startsWith('correction')).length;
  const voids = all.filter((r) => r.kind === 'void').length;
  $('audit-summary').textContent = t('audit.summary', { n: all.length, c: corrections, v: voids });
  $('audit-table').tBodies[0].replaceChildren(
    ...rows.map((r) => {
      const mark = r.mark;
      const device = r.kind !== 'void' && isDeviceMark(mark);
      const proxy = !device && mark.actor && mark.judge && mark.actor !== mark.judge;
      const station = device ? deviceStation(mark) : '';
      return h(
        'tr',
        { class: `${rowClass(r)}${device ? ' row-device' : ''}`.trim(), dataset: device ? { seq: mark.seq, kind: r.kind, device: station || 'device' } : { seq: mark.seq, kind: r.kind } },
        h('td', { class: 'col-num num mono', text: `#${mark.seq}` }),
        h('td', { class: 'num nowrap', text: fmtTime(mark.at_ms) }),
        h('td', { class: 'crit' }, h('b', { text: r.crit.id }), ` ${r.crit.name}`, h('span', { class: 'kind', text: t(`kind.${r.crit.kind}`) })),
        device
          ? h('td', { class: 'mono judge' },
            h('span', { class: 'device-badge', title: t('audit.deviceTitle', { station }), text: t('audit.device') }),
            h('span', { class: 'device-station', text: station }))
          : h('td', { class: 'mono judge', text: mark.judge || '—' }),
        h('td', { class: 'mono' }, mark.actor || '—', proxy ? h('span', { class: 'proxy', text: t('st.proxy') }) : null),
        h('td', { class: 'col-num num value', text: markValue(mark, r.kind === 'void' ? 'void' : r.crit.kind) }),
        device
          ? h('td', { class: 'reason' }, h('span', { class: 'signal-label', text: t('audit.signal') }), h('code', { class: 'signal', text: deviceSignal(mark) }))
          : h('td', { class: 'reason', text: mark.reason || '' }),
        h('td', { class: 'status', text: statusText(r) }),
        h('td', { class: 'col-action' }, overrideButton(r)),
      );
    }),
  );
  const empty = $('audit-empty');
  empty.textContent = all.length ? t('audit.noneFiltered') : t('audit.none');
  empty.hidden = rows.length > 0;
  $('audit-table').hidden = rows.length === 0;
}

// ---------------------------------------------------------------- override

/** The "人工更正" button on the current value of an auto or time criterion. */
function overrideButton(row) {
  const kind = row.crit.kind;
  if ((kind !== 'auto' && kind !== 'time') || row.replacedBy || row.kind === 'void' || 'void' in row.mark) return null;
  const review = state.review && state.review.modules.find((m) => m.id === row.mod.id);
  const crit = `${row.crit.id} ${row.crit.name}`;
  return h('button', {
    class: 'btn btn-small btn-override',
    type: 'button',
    dataset: { action: 'override', criterion: row.crit.id },
    title: t('override.actionTitle', { crit }),
    disabled: review && review.locked ? true : undefined,
    text: t('override.action'),
    onclick: () => openOverride(row),
  });
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

let overriding = null; // {contestant, crit, mark}

function openOverride(row) {
  const contestant = state.audit.contestant.id;
  const crit = row.crit;
  const time = crit.kind === 'time';
  overriding = { contestant, crit, mark: row.mark };
  const source = isDeviceMark(row.mark)
    ? t('override.sourceDevice', { station: deviceStation(row.mark), signal: deviceSignal(row.mark) })
    : t('override.sourcePerson', { judge: row.mark.judge || row.mark.actor || '—' });
  $('override-title').textContent = t('override.title', { crit: `${crit.id} ${crit.name}` });
  $('override-current').textContent = t('override.current', { who: personLabel(contestant), value: markValue(row.mark, crit.kind), source });
  $('override-value-label').textContent = time ? t('override.seconds') : t('override.value', { max: fmt(crit.max) });
  const input = $('override-value');
  input.value = '';
  input.step = time ? '1' : 'any';
  if (time) input.removeAttribute('max');
  else input.max = String(crit.max);
  for (const field of [input, $('override-reason')]) field.removeAttribute('aria-invalid');
  $('override-reason').value = '';
  $('override-error').hidden = true;
  $('override-dialog').showModal();
  input.focus();
}

function overrideError(text, field) {
  const error = $('override-error');
  error.textContent = text;
  error.hidden = false;
  if (field) {
    field.setAttribute('aria-invalid', 'true');
    field.focus();
  }
}

async function submitOverride(event) {
  const submitter = event.submitter;
  if (submitter && submitter.value === 'cancel') return;
  event.preventDefault();
  if (!overriding) return;
  const { contestant, crit } = overriding;
  const time = crit.kind === 'time';
  const input = $('override-value');
  const reasonField = $('override-reason');
  for (const field of [input, reasonField]) field.removeAttribute('aria-invalid');
  const text = input.value.trim();
  const n = Number(text);
  if (!text || !Number.isFinite(n) || n < 0 || (!time && n > crit.max))
    return overrideError(time ? t('override.needSeconds') : t('override.needValue', { max: fmt(crit.max) }), input);
  const reason = reasonField.value.trim();
  if (!reason) return overrideError(t('override.needReason'), reasonField);
  $('override-error').hidden = true;
  const mark = { key: newKey(), contestant, criterion: crit.id, reason };
  if (time) mark.seconds = n;
  else mark.value = n;
  const button = $('override-ok');
  button.disabled = true;
  try {
    await api.post(compPath(state.compId, '/marks'), { marks: [mark] });
    $('override-dialog').close();
    overriding = null;
    toast(t('override.done', { who: personLabel(contestant), crit: crit.id }));
    await refresh();
  } catch (err) {
    overrideError(errorText(err));
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- start-up

function setTab(tab) {
  state.tab = tab;
  for (const name of ['modules', 'audit']) {
    $(`tab-${name}`).classList.toggle('is-current', name === tab);
    $(`tab-${name}`).setAttribute('aria-selected', String(name === tab));
    $(`panel-${name}`).hidden = name !== tab;
  }
}

async function refresh() {
  try {
    await loadReview();
    if (state.audit && state.tab === 'audit') await showAudit(state.audit.contestant.id);
  } catch (err) {
    toast(errorText(err));
  }
}

function showBlocked(title, text, href, label) {
  $('main').hidden = true;
  $('blocked').hidden = false;
  $('blocked-title').textContent = title;
  $('blocked-text').textContent = text;
  $('blocked-link').href = href;
  $('blocked-link').textContent = label;
}

function rerender() {
  if (!state.review) return;
  renderHead();
  renderModules();
  renderAuditNames();
  renderAudit();
  renderDevices();
}

async function selectCompetition(id) {
  state.compId = id;
  state.audit = null;
  state.errors.clear();
  state.expanded.clear();
  $('audit').hidden = true;
  state.devices = null;
  state.devicesError = '';
  state.alarms.clear();
  state.board = null;
  const url = new URL(location.href);
  url.searchParams.set('competition', id);
  history.replaceState(null, '', url);
  await loadReview();
  renderDevices();
  connectLive();
  loadDevices();
}

async function start() {
  bindLangToggle($('lang-toggle'));
  applyI18n();
  onLangChange(rerender);
  $('logout').addEventListener('click', async () => {
    await api.logout().catch(() => {});
    location.assign('/login');
  });
  $('tabs').addEventListener('click', (event) => {
    const tab = event.target.closest('[data-tab]');
    if (tab) setTab(tab.dataset.tab);
  });
  $('refresh').addEventListener('click', refresh);
  $('unlock-form').addEventListener('submit', submitUnlock);
  $('override-form').addEventListener('submit', submitOverride);
  setInterval(() => {
    if (!document.hidden && state.compId) loadDevices();
  }, DEVICES_EVERY_MS);
  setInterval(tickAlarms, 5000);
  setInterval(tickClocks, 1000);
  $('audit-form').addEventListener('submit', searchAudit);
  $('audit-only').addEventListener('change', renderAudit);
  $('audit-module').addEventListener('change', renderAudit);
  $('comp-select').addEventListener('change', (e) => selectCompetition(e.target.value).catch((err) => toast(errorText(err))));

  try {
    state.me = await api.me();
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return toLogin();
    return showBlocked(t('blocked.errorTitle'), errorText(err), location.pathname, t('common.retry'));
  }
  $('user-name').textContent = state.me.name || state.me.username;
  if (!['chief', 'organiser', 'admin'].includes(state.me.role)) {
    return showBlocked(t('blocked.forbiddenTitle'), t('blocked.forbiddenText', { user: state.me.username }), '/judge', t('blocked.toHome'));
  }
  $('topnav').hidden = state.me.role === 'chief';
  $('main').hidden = false;
  try {
    state.comps = (await api.get('/api/v1/competitions')).competitions || [];
    const params = new URLSearchParams(location.search);
    const want = params.get('competition');
    const id = state.comps.some((c) => c.id === want) ? want : state.comps.length ? state.comps[0].id : '';
    const select = $('comp-select');
    select.replaceChildren(...state.comps.map((c) => h('option', { value: c.id, text: c.title })));
    select.value = id;
    select.hidden = state.comps.length < 2;
    if (!id) {
      $('comp-title').textContent = t('chief.noComp');
      return;
    }
    await selectCompetition(id);
    if (params.get('contestant')) await showAudit(params.get('contestant'));
  } catch (err) {
    showBlocked(t('blocked.errorTitle'), errorText(err), location.pathname, t('common.retry'));
  }
}

start();
