// The score sheet (/sheet?competition=ID&contestant=ID): the contestant, total,
// ranks and award, then one table per module with each criterion's score and
// the marks behind it (judge, value, time), corrections and voids included.
// Prints on one A4 page (see sheet.css).
//
// Everything from the server is set with textContent.

import * as api from '/static/common/api.js';
import { $, fmt, h } from '/static/common/dom.js';
import { applyI18n, bindLangToggle, define, localMessage, onLangChange, t } from '/static/common/i18n.js';

define({
  zh: {
    'sheet.pageTitle': '成绩单 · {name} · 匠星',
    'sheet.docTitle': '成绩单',
    'sheet.back': '← 返回',
    'sheet.print': '打印 / 保存 PDF',
    'sheet.compId': '竞赛编号',
    'sheet.generated': '生成时间',
    'sheet.name': '姓名',
    'sheet.id': '选手编号',
    'sheet.group': '组别',
    'sheet.venue': '赛场',
    'sheet.station': '工位',
    'sheet.org': '单位',
    'sheet.total': '总分',
    'sheet.rank': '总排名',
    'sheet.field': ' / {n}',
    'sheet.groupRank': '组内排名',
    'sheet.award': '奖项',
    'sheet.noAward': '—',
    'sheet.status': '评分状态',
    'sheet.complete': '评分完整',
    'sheet.incomplete': '评分未完成',
    'sheet.module': '模块',
    'sheet.score': '得分',
    'sheet.moduleRank': '模块排名',
    'sheet.locked': '已签核',
    'sheet.open': '未签核',
    'sheet.criterion': '评分项',
    'sheet.kind': '类型',
    'sheet.max': '满分',
    'sheet.marks': '评分记录（裁判 · 评分 · 时间）',
    'sheet.noMarks': '未评分',
    'sheet.disputed': '争议',
    'sheet.partial': '{n}/{of} 位裁判',
    'sheet.corrected': '更正',
    'sheet.replaced': '已替换',
    'sheet.voided': '已作废',
    'sheet.voidBy': '作废：{reason}（{who} · {time}）',
    'sheet.note': '本成绩单依据匠星平台的评分事件日志生成：每条评分记有裁判、录入人和时间，更正与作废均保留原记录。分数保留至多三位小数。',
    'sheet.signChief': '裁判长签字',
    'sheet.signDate': '日期',
    'sheet.missing': '缺少参数',
    'sheet.missingText': '请从成绩页面打开成绩单（地址须带 competition 和 contestant 参数）。',
    'sheet.errorTitle': '无法打开成绩单',
    'sheet.toLogin': '登录',
    'sheet.retry': '重试',
    'kind.judgement': '评价',
    'kind.measurement': '测量',
    'kind.deduction': '扣分',
    'kind.time': '用时',
    'kind.auto': '自动',
  },
  en: {
    'sheet.pageTitle': 'Score sheet · {name} · Jiangxing',
    'sheet.docTitle': 'Score sheet',
    'sheet.back': '← Back',
    'sheet.print': 'Print / save as PDF',
    'sheet.compId': 'Competition',
    'sheet.generated': 'Generated',
    'sheet.name': 'Name',
    'sheet.id': 'Contestant ID',
    'sheet.group': 'Group',
    'sheet.venue': 'Venue',
    'sheet.station': 'Station',
    'sheet.org': 'Organisation',
    'sheet.total': 'Total',
    'sheet.rank': 'Overall rank',
    'sheet.field': ' / {n}',
    'sheet.groupRank': 'Rank in group',
    'sheet.award': 'Award',
    'sheet.noAward': '—',
    'sheet.status': 'Marking',
    'sheet.complete': 'Complete',
    'sheet.incomplete': 'Incomplete',
    'sheet.module': 'Module',
    'sheet.score': 'Score',
    'sheet.moduleRank': 'Module rank',
    'sheet.locked': 'Signed off',
    'sheet.open': 'Not signed off',
    'sheet.criterion': 'Criterion',
    'sheet.kind': 'Kind',
    'sheet.max': 'Max',
    'sheet.marks': 'Marks (judge · mark · time)',
    'sheet.noMarks': 'Not marked',
    'sheet.disputed': 'Disputed',
    'sheet.partial': '{n}/{of} judges',
    'sheet.corrected': 'Correction',
    'sheet.replaced': 'Replaced',
    'sheet.voided': 'Voided',
    'sheet.voidBy': 'Voided: {reason} ({who} · {time})',
    'sheet.note': 'Generated from the Jiangxing event log: every mark records its judge, who entered it and when; corrections and voids keep the original. Scores have at most three decimals.',
    'sheet.signChief': 'Chief judge',
    'sheet.signDate': 'Date',
    'sheet.missing': 'Missing parameters',
    'sheet.missingText': 'Open the score sheet from the standings (the address needs competition and contestant).',
    'sheet.errorTitle': 'Cannot open the score sheet',
    'sheet.toLogin': 'Sign in',
    'sheet.retry': 'Retry',
    'kind.judgement': 'Judgement',
    'kind.measurement': 'Measurement',
    'kind.deduction': 'Deduction',
    'kind.time': 'Time',
    'kind.auto': 'Auto',
  },
});



const fmtShort = (ms) =>
  new Date(ms).toLocaleString('zh-CN', { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
const fmtFull = (ms) => new Date(ms).toLocaleString('zh-CN', { hour12: false });

function fmtSeconds(s) {
  const total = Math.round(s);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}（${s} s）`;
}

function markValue(mark, kind) {
  if (kind === 'deduction') return mark.deduction > 0 ? `−${fmt(mark.deduction)}` : '0';
  if (kind === 'time') return fmtSeconds(mark.seconds);
  return fmt(mark.value);
}

const params = new URLSearchParams(location.search);
const competition = params.get('competition') || '';
const contestant = params.get('contestant') || '';
let sheet = null;
let me = null;
let generatedAt = Date.now();

function showMessage(title, text, href, label) {
  $('paper').hidden = true;
  $('message').hidden = false;
  $('message-title').textContent = title;
  $('message-text').textContent = text;
  $('message-link').href = href;
  $('message-link').textContent = label;
}

/** The marks of one criterion with their story: which replace, which are replaced or voided. */
function markStories(crit) {
  const marks = [...crit.marks].sort((a, b) => a.seq - b.seq);
  const last = new Map();
  const stories = marks.map((mark) => ({ mark, corrects: null, replaced: false }));
  if (crit.kind !== 'deduction') {
    for (const s of stories) {
      const slot = crit.kind === 'judgement' ? s.mark.judge || s.mark.actor : '';
      const before = last.get(slot);
      if (before) {
        before.replaced = true;
        s.corrects = before.mark;
      }
      last.set(slot, s);
    }
  }
  return stories;
}

function markEntry(story, crit) {
  const mark = story.mark;
  const who = mark.judge || mark.actor || '—';
  const voided = !!mark.voided_by;
  const cls = ['mk'];
  if (story.replaced) cls.push('mk-replaced');
  if (voided) cls.push('mk-voided');
  if (story.corrects) cls.push('mk-correction');
  const parts = [
    h('span', { class: 'mk-who', text: who }),
    h('b', { class: 'mk-val num', text: markValue(mark, crit.kind) }),
    h('span', { class: 'mk-time num', text: fmtShort(mark.at_ms) }),
  ];
  if (story.corrects) parts.unshift(h('span', { class: 'tag tag-correction', text: t('sheet.corrected') }));
  if (story.replaced) parts.push(h('span', { class: 'tag tag-muted', text: t('sheet.replaced') }));
  if (mark.reason) parts.push(h('span', { class: 'mk-reason', text: `「${mark.reason}」` }));
  if (voided) {
    parts.push(h('span', { class: 'tag tag-void', text: t('sheet.voided') }));
    parts.push(
      h('span', {
        class: 'mk-reason mk-void-reason',
        text: t('sheet.voidBy', { reason: mark.voided_by.reason || '', who: mark.voided_by.judge || mark.voided_by.actor || '', time: fmtShort(mark.voided_by.at_ms) }),
      }),
    );
  }
  return h('span', { class: cls.join(' ') }, ...parts);
}

function criterionRow(crit) {
  const stories = markStories(crit);
  const flags = [];
  if (crit.disputed) flags.push(h('span', { class: 'tag tag-void', text: t('sheet.disputed') }));
  if (crit.kind === 'judgement' && crit.judges) {
    const judges = new Set(crit.marks.map((m) => m.judge || m.actor));
    if (judges.size > 0 && judges.size < crit.judges) flags.push(h('span', { class: 'tag tag-warn', text: t('sheet.partial', { n: judges.size, of: crit.judges }) }));
  } else if (!crit.complete && crit.marks.length) {
    flags.push(h('span', { class: 'tag tag-warn', text: t('sheet.incomplete') }));
  }
  return h(
    'tr',
    { class: crit.complete ? '' : 'is-incomplete', dataset: { criterion: crit.id } },
    h('td', { class: 'c-crit' }, h('b', { text: crit.id }), ' ', crit.name),
    h('td', { class: 'c-kind', text: t(`kind.${crit.kind}`) }),
    h('td', { class: 'c-num num', text: fmt(crit.max) }),
    h('td', { class: 'c-num c-score num', text: fmt(crit.score) }),
    h(
      'td',
      { class: 'c-marks' },
      ...(stories.length ? stories.map((s) => markEntry(s, crit)) : [h('span', { class: 'tag tag-warn', text: t('sheet.noMarks') })]),
      ...flags,
    ),
  );
}

function moduleTable(mod) {
  return h(
    'table',
    { class: 'mod', dataset: { module: mod.id } },
    h('colgroup', null, h('col', { class: 'w-crit' }), h('col', { class: 'w-kind' }), h('col', { class: 'w-num' }), h('col', { class: 'w-num' }), h('col')),
    h(
      'thead',
      null,
      h(
        'tr',
        { class: 'mod-head' },
        h(
          'th',
          { colspan: '5' },
          h('span', { class: 'mod-id', text: mod.id }),
          h('span', { class: 'mod-name', text: mod.name }),
          h('span', { class: 'mod-score' }, h('span', { class: 'k', text: t('sheet.score') }), h('b', { class: 'num', text: fmt(mod.score) }), h('span', { class: 'num', text: ` / ${fmt(mod.max)}` })),
          h('span', { class: 'mod-rank' }, h('span', { class: 'k', text: t('sheet.moduleRank') }), h('b', { class: 'num', text: String(mod.rank) })),
          h('span', { class: `mod-lock ${mod.locked ? 'is-locked' : ''}`, text: mod.locked ? t('sheet.locked') : t('sheet.open') }),
        ),
      ),
      h(
        'tr',
        { class: 'col-head' },
        h('th', { text: t('sheet.criterion') }),
        h('th', { text: t('sheet.kind') }),
        h('th', { class: 'c-num', text: t('sheet.max') }),
        h('th', { class: 'c-num', text: t('sheet.score') }),
        h('th', { text: t('sheet.marks') }),
      ),
    ),
    h('tbody', null, ...mod.criteria.map(criterionRow)),
  );
}

function render() {
  if (!sheet) return;
  const who = sheet.contestant;
  document.title = t('sheet.pageTitle', { name: `${who.name} ${who.id}` });
  $('title').textContent = sheet.title;
  $('comp-id').textContent = sheet.competition;
  $('generated').textContent = fmtFull(generatedAt);
  $('c-name').textContent = who.name;
  $('c-id').textContent = who.id;
  $('c-group').textContent = who.group;
  $('c-venue').textContent = who.venue;
  $('c-station').textContent = who.station;
  $('c-org').textContent = who.org;
  $('r-total').textContent = fmt(sheet.total);
  $('r-rank').textContent = String(sheet.rank);
  $('r-field').textContent = t('sheet.field', { n: sheet.field });
  $('r-group-rank').textContent = String(sheet.group_rank);
  const award = $('r-award');
  award.replaceChildren(sheet.award ? h('span', { class: 'award-badge', text: sheet.award }) : t('sheet.noAward'));
  const status = $('r-status');
  status.replaceChildren(
    h('span', { class: `tag ${sheet.complete ? 'tag-ok' : 'tag-warn'} tag-big`, text: sheet.complete ? t('sheet.complete') : t('sheet.incomplete') }),
  );
  $('modules').replaceChildren(...sheet.modules.map(moduleTable));
  // A long history (many corrections or deductions) prints smaller to stay on one A4 page.
  const lines = sheet.modules.reduce((n, m) => n + 2 + m.criteria.reduce((k, c) => k + Math.max(1, Math.ceil(c.marks.length / 3)), 0), 0);
  $('paper').classList.toggle('dense', lines > 44);
  $('paper').hidden = false;
}

function backHref() {
  const role = me && me.role;
  if (role === 'organiser' || role === 'admin') return `/admin#competition=${encodeURIComponent(competition)}&tab=standings`;
  if (role === 'chief') return `/chief?competition=${encodeURIComponent(competition)}`;
  return '/judge';
}

async function start() {
  bindLangToggle($('lang-toggle'));
  applyI18n();
  onLangChange(render);
  $('print').addEventListener('click', () => window.print());
  if (!competition || !contestant) {
    showMessage(t('sheet.missing'), t('sheet.missingText'), '/admin', t('sheet.retry'));
    return;
  }
  try {
    me = await api.me();
    $('back').href = backHref();
    sheet = await api.get(`/api/v1/competitions/${api.seg(competition)}/sheets/${api.seg(contestant)}`);
    generatedAt = Date.now();
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) {
      location.replace(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      return;
    }
    const text = err instanceof api.NetworkError ? t('error.network') : localMessage(err.message) || t('error.unknown');
    showMessage(t('sheet.errorTitle'), text, location.pathname + location.search, t('sheet.retry'));
    return;
  }
  render();
  document.body.dataset.ready = 'true';
}

start();
