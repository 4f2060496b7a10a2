// The chief judge's page (/chief): one card per module with its sign-off state,
// the disputed judgements (with the judges' marks, from the score sheet) that
// must be re-judged, the incomplete criteria, sign-off (lock) and unlock with a
// reason; and the audit trail of one contestant: every mark in time order with
// corrections, replaced marks and voids highlighted.
//
// Everything from the server is set with textContent.
//
// Sections: messages · helpers · session · review (module cards) · lock and
// unlock · audit trail · start-up.

import * as api from '/static/common/api.js';
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
  else if (row.kind === 'correction' || row.kind === 'correction-superseded') parts.push(t('st.correction', { seq: row.replaces.seq }));
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
      const proxy = mark.actor && mark.judge && mark.actor !== mark.judge;
      return h(
        'tr',
        { class: rowClass(r), dataset: { seq: mark.seq, kind: r.kind } },
        h('td', { class: 'col-num num mono', text: `#${mark.seq}` }),
        h('td', { class: 'num nowrap', text: fmtTime(mark.at_ms) }),
        h('td', { class: 'crit' }, h('b', { text: r.crit.id }), ` ${r.crit.name}`, h('span', { class: 'kind', text: t(`kind.${r.crit.kind}`) })),
        h('td', { class: 'mono', text: mark.judge || '—' }),
        h('td', { class: 'mono' }, mark.actor || '—', proxy ? h('span', { class: 'proxy', text: t('st.proxy') }) : null),
        h('td', { class: 'col-num num value', text: markValue(mark, r.kind === 'void' ? 'void' : r.crit.kind) }),
        h('td', { class: 'reason', text: mark.reason || '' }),
        h('td', { class: 'status', text: statusText(r) }),
      );
    }),
  );
  const empty = $('audit-empty');
  empty.textContent = all.length ? t('audit.noneFiltered') : t('audit.none');
  empty.hidden = rows.length > 0;
  $('audit-table').hidden = rows.length === 0;
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
}

async function selectCompetition(id) {
  state.compId = id;
  state.audit = null;
  state.errors.clear();
  state.expanded.clear();
  $('audit').hidden = true;
  const url = new URL(location.href);
  url.searchParams.set('competition', id);
  history.replaceState(null, '', url);
  await loadReview();
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
