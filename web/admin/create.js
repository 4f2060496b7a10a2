// The organiser's "create a competition by form" view (/admin#create).
//
// The organiser builds the competition step by step (basics, groups and venues,
// components and weights, modules with their criteria, ranking and awards); the
// page keeps a draft model, checks it as it is typed, shows the competition file
// it stands for (jiangxing.competition/1) in a read-only preview, offers it as a
// download and POSTs exactly that document to /api/v1/competitions. Contestants
// are not entered here: they are imported from CSV once the competition exists.
//
// The checks here follow docs/competition-file.md for a good experience; the
// server is the judge. A refusal (4xx) is shown in the side panel and next to the
// input its `field` names (e.g. "components[1].weight", "modules[0]" for an
// unknown component, or a criterion's id for its max, judges or time limits).
//
// All text goes in with textContent or as form values; numbers are compared as
// integers (millionths for weights and ratios, thousandths for max and seconds).
//
// Sections: messages · numbers · the draft · the document · checks · rendering ·
// errors and progress · actions · entry points.

import * as api from '/static/common/api.js';
import { $, h } from '/static/common/dom.js';
import { define, getLang, localMessage, t } from '/static/common/i18n.js';

// ---------------------------------------------------------------- messages

define({
  zh: {
    'cf.kicker': '新建竞赛',
    'cf.heading': '按表单创建竞赛',
    'cf.lead': '按步骤填写，右侧实时生成竞赛文件。页面上的检查只为方便填写，最终以服务器的校验为准。',
    'cf.saved': '草稿自动保存在本标签页',
    'cf.reset': '清空表单',
    'cf.cancel': '返回',
    'cf.resetTitle': '清空表单？',
    'cf.resetText': '已填写的内容将全部清除。',
    'cf.step.basics': '基本信息',
    'cf.step.places': '组别与赛场',
    'cf.step.components': '组成部分与权重',
    'cf.step.modules': '模块与评分项',
    'cf.step.ranking': '排名与奖项',
    'cf.step.contestants': '选手名单（创建后导入）',
    'cf.basicsHint': '竞赛编号用于网址和导出文件名，创建后不能修改。',
    'cf.placesHint': '导入选手名单时，“组别”“赛场”两列填写这里的编号。',
    'cf.componentsHint': '例如实操与理论。每部分按百分制折算后乘以权重计入总分，权重之和须恰好为 1。',
    'cf.modulesHint': '每个模块属于一个组成部分，至少有一个评分项。评分项编号在整个竞赛中不能重复。',
    'cf.rankingHint': '按总分从高到低排名；总分相同时依次比较下列并列规则，仍相同则名次并列。',
    'cf.contestantsHint': '选手不在此表单中录入。创建竞赛后，在“选手”页导入 CSV 名单（编号,姓名,组别,赛场,工位,单位），组别和赛场填写第 2 步中的编号。',
    'cf.contestantsNote': '选手名单在创建后通过 CSV 导入，不在此录入。',
    'cf.id': '竞赛编号',
    'cf.idHint': '字母、数字和 _ . -，最多 64 个字符，例如 irom-final-2026',
    'cf.title': '竞赛名称',
    'cf.titleHint': '显示在大屏、成绩单和导出文件上',
    'cf.titlePlaceholder': '例如：全国工业机器人系统运维员职业技能竞赛决赛',
    'cf.groups': '组别',
    'cf.venues': '赛场',
    'cf.group': '组别',
    'cf.venue': '赛场',
    'cf.groupsPreset': '一键填入：职工组 · 教师组 · 学生组',
    'cf.preset.worker': '职工组',
    'cf.preset.teacher': '教师组',
    'cf.preset.student': '学生组',
    'cf.addGroup': '＋ 添加组别',
    'cf.addVenue': '＋ 添加赛场',
    'cf.col.id': '编号',
    'cf.col.name': '名称',
    'cf.col.nameOptional': '名称（可选）',
    'cf.col.weight': '权重',
    'cf.col.kind': '类型',
    'cf.col.max': '满分',
    'cf.col.ratio': '比例',
    'cf.col.award': '奖项名称',
    'cf.component': '组成部分',
    'cf.addComponent': '＋ 添加组成部分',
    'cf.weightSum': '权重合计',
    'cf.weightOk': '恰好为 1',
    'cf.weightBad': '须恰好为 1',
    'cf.weightEmpty': '填写各部分权重，例如 0.7 与 0.3',
    'cf.module': '模块',
    'cf.moduleN': '模块 {n}',
    'cf.moduleMax': '满分合计 {max}',
    'cf.moduleComponent': '所属组成部分',
    'cf.pickComponent': '请选择…',
    'cf.criteria': '评分项',
    'cf.criterionN': '评分项 {n}',
    'cf.addModule': '＋ 添加模块',
    'cf.addCriterion': '＋ 添加评分项',
    'cf.kind.measurement': '客观评分',
    'cf.kind.judgement': '主观评分',
    'cf.kind.deduction': '扣分',
    'cf.kind.time': '用时',
    'cf.kind.auto': '自动判分',
    'cf.kindHelp.measurement': '裁判录入实测得分，0 到满分。',
    'cf.kindHelp.judgement': '每位裁判给 0–3 档，得分 = 平均档 × 满分 ÷ 3。',
    'cf.kindHelp.deduction': '从满分中逐条扣分，每条须注明原因，扣完为止。',
    'cf.kindHelp.time': '不超过满分用时得满分，达到零分用时得 0 分，之间线性计分。',
    'cf.kindHelp.auto': '由设备信号自动给分，0 到满分。',
    'cf.judges': '裁判人数',
    'cf.fullWithin': '满分用时（秒）',
    'cf.zeroAfter': '零分用时（秒）',
    'cf.signal': '设备信号（可选）',
    'cf.signalPlaceholder': '例如 plc.ok',
    'cf.tiebreak': '并列规则（按顺序）',
    'cf.tiebreakN': '第 {n} 条并列规则',
    'cf.tiebreakNone': '未设置：总分相同即名次并列。',
    'cf.tiebreakPick': '请选择…',
    'cf.tiebreakComponents': '组成部分得分（高者优先）',
    'cf.tiebreakModules': '模块得分（高者优先）',
    'cf.tiebreakTime': '用时（各用时评分项合计，少者优先）',
    'cf.addTiebreak': '＋ 添加并列规则',
    'cf.moveUp': '上移',
    'cf.moveDown': '下移',
    'cf.scope': '评奖范围',
    'cf.scope.overall': '全体选手',
    'cf.scope.group': '按组别',
    'cf.scope.venue': '按赛场',
    'cf.awards': '奖项',
    'cf.awardsPreset': '一键填入：一、二、三等奖 10% / 20% / 30%',
    'cf.award.first': '一等奖',
    'cf.award.second': '二等奖',
    'cf.award.third': '三等奖',
    'cf.awardsNone': '未设置奖项。',
    'cf.addAward': '＋ 添加奖项',
    'cf.ratioSum': '比例合计',
    'cf.ratioOk': '不超过 1',
    'cf.ratioBad': '不能超过 1',
    'cf.ratioHint': '比例为该范围内选手人数的份额，例如 0.1 即前 10%。',
    'cf.remove': '删除',
    'cf.removeRow': '删除{what}',
    'cf.check': '填写进度',
    'cf.state.done': '已完成',
    'cf.state.todo': '{n} 项待完成',
    'cf.state.bad': '{n} 处需修改',
    'cf.submit': '创建竞赛',
    'cf.busy': '正在创建…',
    'cf.created': '已创建竞赛 {id}。下一步：在“选手”页导入选手名单（CSV）。',
    'cf.refused': '还有 {n} 处需要修改，尚未提交：',
    'cf.more': '……另有 {n} 处',
    'cf.serverRefused': '服务器拒绝了这份竞赛文件：',
    'cf.preview': '竞赛文件预览',
    'cf.download': '下载为文件',
    'cf.err.required': '必填',
    'cf.err.id': '只能含字母、数字和 _ . -，最多 64 个字符',
    'cf.err.dup': '编号“{id}”重复',
    'cf.err.long': '过长：最多 200 个字符',
    'cf.err.number': '请输入数字，例如 {example}',
    'cf.err.decimals': '最多 {n} 位小数',
    'cf.err.unit': '须在 0 到 1 之间',
    'cf.err.max': '须大于 0 且不超过 1000',
    'cf.err.judges': '须为 1–15 的整数',
    'cf.err.seconds': '须在 0 到 10000000 秒之间',
    'cf.err.timeOrder': '须大于满分用时',
    'cf.err.pickComponent': '请选择组成部分',
    'cf.err.pick': '请选择',
    'cf.err.dupTiebreak': '与前面的并列规则重复',
    'cf.err.weights': '权重之和须恰好为 1，当前为 {sum}',
    'cf.err.ratios': '奖项比例之和不能超过 1，当前为 {sum}',
    'cf.err.unused': '组成部分“{id}”还没有模块：每个组成部分至少需要一个模块',
    'cf.where.group': '组别',
    'cf.where.venue': '赛场',
    'cf.where.component': '组成部分',
    'cf.where.award': '奖项',
    'cf.componentN': '组成部分 {n}',
    'cf.where.id': '竞赛编号',
    'cf.where.title': '竞赛名称',
    'cf.where.tiebreak': '并列规则',
    'cf.where.awards': '奖项',
    'cf.where.scope': '评奖范围',
  },
  en: {
    'cf.kicker': 'New competition',
    'cf.heading': 'Create a competition with a form',
    'cf.lead': 'Fill in the steps; the competition file is built live on the right. These checks only help you along: the server decides what is valid.',
    'cf.saved': 'Draft kept in this tab',
    'cf.reset': 'Clear the form',
    'cf.cancel': 'Back',
    'cf.resetTitle': 'Clear the form?',
    'cf.resetText': 'Everything entered so far will be removed.',
    'cf.step.basics': 'Basics',
    'cf.step.places': 'Groups and venues',
    'cf.step.components': 'Components and weights',
    'cf.step.modules': 'Modules and criteria',
    'cf.step.ranking': 'Ranking and awards',
    'cf.step.contestants': 'Contestants (imported afterwards)',
    'cf.basicsHint': 'The competition ID is used in URLs and export file names and cannot change later.',
    'cf.placesHint': 'The contestant list’s group and venue columns use these IDs.',
    'cf.componentsHint': 'Practical and theory, for example. Each is scaled to 100 and weighted into the total; the weights sum to exactly 1.',
    'cf.modulesHint': 'Each module belongs to one component and has at least one criterion. Criterion IDs are unique across the competition.',
    'cf.rankingHint': 'Higher totals rank first; equal totals are compared by these tiebreaks in order, and still equal share a rank.',
    'cf.contestantsHint': 'Contestants are not entered in this form. Once the competition exists, import a CSV list on the Contestants tab (id,name,group,venue,station,org) using the group and venue IDs of step 2.',
    'cf.contestantsNote': 'Contestants are imported from CSV after creation, not entered here.',
    'cf.id': 'Competition ID',
    'cf.idHint': 'A–Z a–z 0–9 _ . -, at most 64 characters, e.g. irom-final-2026',
    'cf.title': 'Title',
    'cf.titleHint': 'Shown on the big screen, score sheets and exports',
    'cf.titlePlaceholder': 'e.g. National Industrial Robot Maintenance Skills Final',
    'cf.groups': 'Groups',
    'cf.venues': 'Venues',
    'cf.group': 'group',
    'cf.venue': 'venue',
    'cf.groupsPreset': 'Preset: workers · teachers · students',
    'cf.preset.worker': 'Workers',
    'cf.preset.teacher': 'Teachers',
    'cf.preset.student': 'Students',
    'cf.addGroup': '+ Add a group',
    'cf.addVenue': '+ Add a venue',
    'cf.col.id': 'ID',
    'cf.col.name': 'Name',
    'cf.col.nameOptional': 'Name (optional)',
    'cf.col.weight': 'Weight',
    'cf.col.kind': 'Kind',
    'cf.col.max': 'Max',
    'cf.col.ratio': 'Ratio',
    'cf.col.award': 'Award',
    'cf.component': 'component',
    'cf.addComponent': '+ Add a component',
    'cf.weightSum': 'Sum of weights',
    'cf.weightOk': 'exactly 1',
    'cf.weightBad': 'must be exactly 1',
    'cf.weightEmpty': 'Enter each component’s weight, e.g. 0.7 and 0.3',
    'cf.module': 'module',
    'cf.moduleN': 'Module {n}',
    'cf.moduleMax': 'Max {max}',
    'cf.moduleComponent': 'Component',
    'cf.pickComponent': 'Choose…',
    'cf.criteria': 'Criteria',
    'cf.criterionN': 'criterion {n}',
    'cf.addModule': '+ Add a module',
    'cf.addCriterion': '+ Add a criterion',
    'cf.kind.measurement': 'Measurement',
    'cf.kind.judgement': 'Judgement',
    'cf.kind.deduction': 'Deduction',
    'cf.kind.time': 'Time',
    'cf.kind.auto': 'Automatic',
    'cf.kindHelp.measurement': 'The judge enters the measured score, 0 to max.',
    'cf.kindHelp.judgement': 'Each judge grades 0–3; score = mean grade × max ÷ 3.',
    'cf.kindHelp.deduction': 'Deductions from max, each with a reason, down to 0.',
    'cf.kindHelp.time': 'Full marks up to the first time, 0 from the second, linear between.',
    'cf.kindHelp.auto': 'Scored by a device signal, 0 to max.',
    'cf.judges': 'Judges',
    'cf.fullWithin': 'Full marks within (s)',
    'cf.zeroAfter': 'Zero after (s)',
    'cf.signal': 'Device signal (optional)',
    'cf.signalPlaceholder': 'e.g. plc.ok',
    'cf.tiebreak': 'Tiebreaks (in order)',
    'cf.tiebreakN': 'Tiebreak {n}',
    'cf.tiebreakNone': 'None: equal totals share a rank.',
    'cf.tiebreakPick': 'Choose…',
    'cf.tiebreakComponents': 'Component score (higher first)',
    'cf.tiebreakModules': 'Module score (higher first)',
    'cf.tiebreakTime': 'Time (sum of time criteria, less first)',
    'cf.addTiebreak': '+ Add a tiebreak',
    'cf.moveUp': 'Move up',
    'cf.moveDown': 'Move down',
    'cf.scope': 'Awards decided within',
    'cf.scope.overall': 'All contestants',
    'cf.scope.group': 'Each group',
    'cf.scope.venue': 'Each venue',
    'cf.awards': 'Awards',
    'cf.awardsPreset': 'Preset: first, second, third 10% / 20% / 30%',
    'cf.award.first': 'First prize',
    'cf.award.second': 'Second prize',
    'cf.award.third': 'Third prize',
    'cf.awardsNone': 'No award yet.',
    'cf.addAward': '+ Add an award',
    'cf.ratioSum': 'Sum of ratios',
    'cf.ratioOk': 'at most 1',
    'cf.ratioBad': 'must not exceed 1',
    'cf.ratioHint': 'A ratio is a share of the contestants in scope: 0.1 is the top 10%.',
    'cf.remove': 'Remove',
    'cf.removeRow': 'Remove {what}',
    'cf.check': 'Progress',
    'cf.state.done': 'Done',
    'cf.state.todo': '{n} to do',
    'cf.state.bad': '{n} to fix',
    'cf.submit': 'Create competition',
    'cf.busy': 'Creating…',
    'cf.created': 'Competition {id} created. Next: import the contestants (CSV) on the Contestants tab.',
    'cf.refused': '{n} things to fix; nothing was sent:',
    'cf.more': '… and {n} more',
    'cf.serverRefused': 'The server refused this competition file:',
    'cf.preview': 'Competition file preview',
    'cf.download': 'Download file',
    'cf.err.required': 'Required',
    'cf.err.id': 'Use A–Z a–z 0–9 _ . - only, at most 64 characters',
    'cf.err.dup': 'The ID “{id}” is used twice',
    'cf.err.long': 'Too long: at most 200 characters',
    'cf.err.number': 'Enter a number such as {example}',
    'cf.err.decimals': 'At most {n} decimals',
    'cf.err.unit': 'Between 0 and 1',
    'cf.err.max': 'Above 0 and at most 1000',
    'cf.err.judges': 'A whole number from 1 to 15',
    'cf.err.seconds': 'From 0 to 10000000 seconds',
    'cf.err.timeOrder': 'Must be more than the full-marks time',
    'cf.err.pickComponent': 'Choose a component',
    'cf.err.pick': 'Choose one',
    'cf.err.dupTiebreak': 'Repeats an earlier tiebreak',
    'cf.err.weights': 'The weights must sum to exactly 1; they sum to {sum}',
    'cf.err.ratios': 'The award ratios must not sum to more than 1; they sum to {sum}',
    'cf.err.unused': 'Component “{id}” has no module: every component needs at least one',
    'cf.where.group': 'Group',
    'cf.where.venue': 'Venue',
    'cf.where.component': 'Component',
    'cf.where.award': 'Award',
    'cf.componentN': 'Component {n}',
    'cf.where.id': 'Competition ID',
    'cf.where.title': 'Title',
    'cf.where.tiebreak': 'Tiebreaks',
    'cf.where.awards': 'Awards',
    'cf.where.scope': 'Award scope',
  },
});

// ---------------------------------------------------------------- numbers

const FORMAT = 'jiangxing.competition/1';
const ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const KINDS = ['measurement', 'judgement', 'deduction', 'time', 'auto'];
const SCOPES = ['overall', 'group', 'venue'];
const MAX_NAME_CHARS = 200;
const MICRO = 1_000_000;
const MILLI = 1_000;

/**
 * Reads a plain decimal ("0.6", "12", ".5") as an integer number of 10^-places
 * units, without floating point. Returns {units} or {error: 'number' | 'decimals'};
 * {empty: true} for blank text.
 */
function decimal(text, places) {
  const s = String(text ?? '').trim();
  if (!s) return { empty: true };
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || !(m[1] || m[2]) || m[1].length > 12) return { error: 'number' };
  const frac = (m[2] || '').replace(/0+$/, '');
  if (frac.length > places) return { error: 'decimals' };
  return { units: Number(m[1] || '0') * 10 ** places + Number(frac.padEnd(places, '0') || '0') };
}

/** Integer units back to the shortest decimal text: 1100000, 6 → "1.1". */
function unitsText(units, places) {
  const scale = 10 ** places;
  const whole = Math.floor(units / scale);
  const frac = String(units % scale).padStart(places, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

/** The JSON number for text when it is a plain decimal, else null (the checks say why). */
function jsonNumber(text) {
  const s = String(text ?? '').trim();
  return /^(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : null;
}

/** Length in characters (code points), as the server counts it. */
const chars = (s) => [...s].length;

// ---------------------------------------------------------------- the draft

const STORE_KEY = 'jx.admin.createDraft';
let seq = 0;
const newKey = () => `k${++seq}`;

const named = (id = '', name = '') => ({ key: newKey(), id, name, t: {} });
const component = () => ({ key: newKey(), id: '', name: '', weight: '', t: {} });
const criterion = () => ({
  key: newKey(), id: '', name: '', kind: 'measurement', max: '', judges: '3', full: '', zero: '', signal: '', t: {},
});
const moduleRow = (componentKey = '') => ({ key: newKey(), id: '', name: '', component: componentKey, criteria: [criterion()], t: {} });
const award = (name = '', ratio = '') => ({ key: newKey(), name, ratio, t: {} });
const tiebreak = (ref = '') => ({ key: newKey(), ref, t: {} });

function blankDraft() {
  const first = component();
  return {
    id: '',
    title: '',
    t: {},
    groups: [named()],
    venues: [named()],
    components: [first],
    modules: [moduleRow(first.key)],
    tiebreak: [],
    scope: 'overall',
    awards: [],
  };
}

let draft = blankDraft();

function saveDraft() {
  try {
    sessionStorage.setItem(STORE_KEY, JSON.stringify({ seq, draft }));
  } catch {
    /* not kept: the form still works */
  }
}

/** The draft kept in this tab, when it looks like one (anything odd: a blank form). */
function loadDraft() {
  try {
    const kept = JSON.parse(sessionStorage.getItem(STORE_KEY) || 'null');
    const d = kept && kept.draft;
    const arrays = ['groups', 'venues', 'components', 'modules', 'tiebreak', 'awards'];
    if (!d || typeof d.id !== 'string' || !arrays.every((a) => Array.isArray(d[a]))) return null;
    if (!d.modules.every((m) => Array.isArray(m.criteria))) return null;
    for (const item of [d, ...arrays.flatMap((a) => d[a]), ...d.modules.flatMap((m) => m.criteria)]) {
      if (!item || typeof item !== 'object') return null;
      if (!item.t || typeof item.t !== 'object') item.t = {};
    }
    if (!SCOPES.includes(d.scope)) d.scope = 'overall';
    seq = Math.max(seq, Number(kept.seq) || 0);
    return d;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- the document

/** The competition file the draft stands for: exactly what is previewed, downloaded and posted. */
function buildDoc(d) {
  const componentIds = new Map(d.components.map((c) => [c.key, c.id.trim()]));
  const moduleIds = new Map(d.modules.map((m) => [m.key, m.id.trim()]));
  const ref = (r) => {
    if (r === 'time') return 'time';
    const [kind, key] = r.split(':');
    if (kind === 'component' && componentIds.has(key)) return `component:${componentIds.get(key)}`;
    if (kind === 'module' && moduleIds.has(key)) return `module:${moduleIds.get(key)}`;
    return '';
  };
  const criterionDoc = (k) => {
    const out = { id: k.id.trim() };
    if (k.name.trim()) out.name = k.name.trim();
    out.kind = k.kind;
    out.max = jsonNumber(k.max);
    if (k.kind === 'judgement') out.judges = /^\d+$/.test(k.judges.trim()) ? Number(k.judges.trim()) : null;
    if (k.kind === 'time') {
      out.full_within_s = jsonNumber(k.full);
      out.zero_after_s = jsonNumber(k.zero);
    }
    if (k.kind === 'auto' && k.signal.trim()) out.signal = k.signal.trim();
    return out;
  };
  const pair = (x) => ({ id: x.id.trim(), name: x.name.trim() });
  return {
    format: FORMAT,
    id: d.id.trim(),
    title: d.title.trim(),
    groups: d.groups.map(pair),
    venues: d.venues.map(pair),
    components: d.components.map((c) => ({ ...pair(c), weight: jsonNumber(c.weight) })),
    modules: d.modules.map((m) => ({
      ...pair(m),
      component: componentIds.get(m.component) ?? '',
      criteria: m.criteria.map(criterionDoc),
    })),
    ranking: {
      tiebreak: d.tiebreak.map((x) => ref(x.ref)),
      award_scope: d.scope,
      awards: d.awards.map((a) => ({ name: a.name.trim(), ratio: jsonNumber(a.ratio) })),
    },
  };
}

const docText = (doc) => `${JSON.stringify(doc, null, 2)}\n`;

// ---------------------------------------------------------------- checks

/**
 * Checks the draft against docs/competition-file.md. Returns
 * {fields: Map(path → message), sections: Map(section → [messages]), sums}.
 * Paths are the server's field names (groups[0].id, modules[1].criteria[0].max…).
 */
function check(d) {
  const fields = new Map();
  const sections = new Map();
  const fail = (path, message) => {
    if (!fields.has(path)) fields.set(path, message);
  };
  const sectionFail = (name, message) => sections.set(name, [...(sections.get(name) || []), message]);
  const idCheck = (path, value, seen) => {
    const id = value.trim();
    if (!id) return fail(path, t('cf.err.required'));
    if (!ID_RE.test(id)) return fail(path, t('cf.err.id'));
    if (seen) {
      if (seen.has(id)) fail(path, t('cf.err.dup', { id }));
      seen.add(id);
    }
  };
  const nameCheck = (path, value, required = true) => {
    const s = value.trim();
    if (!s && required) fail(path, t('cf.err.required'));
    else if (chars(s) > MAX_NAME_CHARS) fail(path, t('cf.err.long'));
  };
  const numberCheck = (path, value, places, example) => {
    const r = decimal(value, places);
    if (r.empty) fail(path, t('cf.err.required'));
    else if (r.error === 'number') fail(path, t('cf.err.number', { example }));
    else if (r.error === 'decimals') fail(path, t('cf.err.decimals', { n: places }));
    return r.units;
  };

  idCheck('id', d.id);
  nameCheck('title', d.title);
  for (const list of ['groups', 'venues']) {
    const seen = new Set();
    d[list].forEach((x, i) => {
      idCheck(`${list}[${i}].id`, x.id, seen);
      nameCheck(`${list}[${i}].name`, x.name);
    });
  }

  // Components: each weight in [0, 1] with six decimals, the sum exactly 1 (in millionths).
  let weights = 0;
  let weightsKnown = true;
  const componentSeen = new Set();
  d.components.forEach((c, i) => {
    idCheck(`components[${i}].id`, c.id, componentSeen);
    nameCheck(`components[${i}].name`, c.name);
    const w = numberCheck(`components[${i}].weight`, c.weight, 6, '0.6');
    if (w === undefined) weightsKnown = false;
    else if (w > MICRO) fail(`components[${i}].weight`, t('cf.err.unit'));
    weights += w || 0;
  });
  if (weightsKnown && weights !== MICRO) sectionFail('components', t('cf.err.weights', { sum: unitsText(weights, 6) }));
  for (const c of d.components) {
    if (c.id.trim() && !d.modules.some((m) => m.component === c.key)) sectionFail('components', t('cf.err.unused', { id: c.id.trim() }));
  }

  // Modules and criteria (criterion ids unique across the competition).
  const moduleSeen = new Set();
  const criterionSeen = new Set();
  const componentKeys = new Set(d.components.map((c) => c.key));
  d.modules.forEach((m, i) => {
    const base = `modules[${i}]`;
    idCheck(`${base}.id`, m.id, moduleSeen);
    nameCheck(`${base}.name`, m.name);
    if (!componentKeys.has(m.component)) fail(`${base}.component`, t('cf.err.pickComponent'));
    m.criteria.forEach((k, j) => {
      const p = `${base}.criteria[${j}]`;
      idCheck(`${p}.id`, k.id, criterionSeen);
      nameCheck(`${p}.name`, k.name, false);
      const max = numberCheck(`${p}.max`, k.max, 3, '10');
      if (max !== undefined && (max <= 0 || max > 1000 * MILLI)) fail(`${p}.max`, t('cf.err.max'));
      if (k.kind === 'judgement') {
        const n = k.judges.trim();
        if (!n) fail(`${p}.judges`, t('cf.err.required'));
        else if (!/^\d+$/.test(n) || Number(n) < 1 || Number(n) > 15) fail(`${p}.judges`, t('cf.err.judges'));
      }
      if (k.kind === 'time') {
        const full = numberCheck(`${p}.full_within_s`, k.full, 3, '1800');
        const zero = numberCheck(`${p}.zero_after_s`, k.zero, 3, '3600');
        const limit = 10_000_000 * MILLI;
        if (full !== undefined && full > limit) fail(`${p}.full_within_s`, t('cf.err.seconds'));
        if (zero !== undefined && zero > limit) fail(`${p}.zero_after_s`, t('cf.err.seconds'));
        else if (full !== undefined && zero !== undefined && zero <= full) fail(`${p}.zero_after_s`, t('cf.err.timeOrder'));
      }
      if (k.kind === 'auto' && chars(k.signal.trim()) > 128) fail(`${p}.signal`, t('cf.err.long'));
    });
  });

  // Ranking: tiebreaks chosen and not repeated; award ratios in [0, 1], summing to at most 1.
  const tiebreaksSeen = new Set();
  d.tiebreak.forEach((x, i) => {
    const path = `ranking.tiebreak[${i}]`;
    if (!x.ref || !tiebreakValid(d, x.ref)) fail(path, t('cf.err.pick'));
    else if (tiebreaksSeen.has(x.ref)) fail(path, t('cf.err.dupTiebreak'));
    tiebreaksSeen.add(x.ref);
  });
  let ratios = 0;
  let ratiosKnown = true;
  d.awards.forEach((a, i) => {
    nameCheck(`ranking.awards[${i}].name`, a.name);
    const r = numberCheck(`ranking.awards[${i}].ratio`, a.ratio, 6, '0.1');
    if (r === undefined) ratiosKnown = false;
    else if (r > MICRO) fail(`ranking.awards[${i}].ratio`, t('cf.err.unit'));
    ratios += r || 0;
  });
  if (ratiosKnown && ratios > MICRO) sectionFail('ranking.awards', t('cf.err.ratios', { sum: unitsText(ratios, 6) }));

  return { fields, sections, weights, weightsKnown, ratios };
}

function tiebreakValid(d, ref) {
  if (ref === 'time') return true;
  const [kind, key] = ref.split(':');
  if (kind === 'component') return d.components.some((c) => c.key === key);
  if (kind === 'module') return d.modules.some((m) => m.key === key);
  return false;
}

// ---------------------------------------------------------------- rendering

let hooks = null; // from admin.js: onCreated(id), onCancel(), errorLines(err), confirm(title, text, ok, danger), toLogin()
let checked = { fields: new Map(), sections: new Map(), weights: 0, weightsKnown: false, ratios: 0 };
let showAll = false; // after a refused submit every problem shows, touched or not
let serverError = null; // {path | section, raw} from the last refusal, until that input changes
let fieldEls = new Map(); // path → {input, error, item, prop}
let refSignature = '';
let bound = false;
let resultMode = ''; // 'client': the list of things to fix; 'server': a located refusal; '': other
let lastRefusal = null; // the error of the server refusal shown in the side panel (redrawn on a language change)

const domId = (path) => `cf-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}`;

/**
 * One labelled input bound to item[prop]. label: visible text, or {aria} for rows
 * whose columns carry the visible labels. Returns the cell (input + error line).
 */
function field(item, prop, path, label, opts = {}) {
  const id = domId(path);
  const attrs = {
    class: `field ${opts.big ? '' : 'field-small'} ${opts.mono ? 'mono-field' : ''} ${opts.num ? 'num' : ''}`.trim(),
    id,
    type: 'text',
    value: item[prop],
    autocomplete: 'off',
    spellcheck: 'false',
    inputmode: opts.inputmode,
    placeholder: opts.placeholder,
    maxlength: opts.maxlength,
    'aria-describedby': `${id}-err${opts.hint ? ` ${id}-hint` : ''}`,
    'aria-label': typeof label === 'object' ? label.aria : null,
    dataset: { path },
  };
  const input = h('input', attrs);
  input.addEventListener('input', () => {
    item[prop] = input.value;
    if (serverError && serverError.path === path) serverError = null;
    changed();
  });
  input.addEventListener('blur', () => {
    if (!item.t[prop]) {
      item.t[prop] = true;
      showErrors();
      saveDraft();
    }
  });
  const error = h('p', { class: 'field-error', id: `${id}-err`, hidden: true });
  fieldEls.set(path, { input, error, item, prop });
  return h(
    'div',
    { class: `cf-cell ${opts.cell || ''}`.trim() },
    typeof label === 'string' ? h('label', { class: 'label', for: id, text: label }) : null,
    input,
    opts.hint ? h('p', { class: 'hint cf-field-hint', id: `${id}-hint`, text: opts.hint }) : null,
    error,
  );
}

/** A select bound to item[prop]; options are filled by fill(select). */
function selectField(item, prop, path, label, fill, opts = {}) {
  const id = domId(path);
  const select = h('select', {
    class: `field field-small ${opts.className || ''}`.trim(),
    id,
    'aria-describedby': `${id}-err`,
    'aria-label': typeof label === 'object' ? label.aria : null,
    dataset: { path },
  });
  fill(select);
  select.value = item[prop];
  select.addEventListener('change', () => {
    item[prop] = select.value;
    item.t[prop] = true;
    if (serverError && serverError.path === path) serverError = null;
    if (opts.onChange) opts.onChange(select.value);
    changed();
  });
  const error = h('p', { class: 'field-error', id: `${id}-err`, hidden: true });
  fieldEls.set(path, { input: select, error, item, prop, fill });
  return h(
    'div',
    { class: `cf-cell ${opts.cell || ''}`.trim() },
    typeof label === 'string' ? h('label', { class: 'label', for: id, text: label }) : null,
    select,
    error,
  );
}

function removeButton(what, disabled, onclick) {
  return h('button', {
    class: 'btn btn-ghost cf-icon-btn cf-remove',
    type: 'button',
    title: t('cf.removeRow', { what }),
    'aria-label': t('cf.removeRow', { what }),
    disabled: disabled || null,
    text: '×',
    onclick,
  });
}

function iconButton(label, text, disabled, onclick) {
  return h('button', { class: 'btn btn-ghost cf-icon-btn', type: 'button', title: label, 'aria-label': label, disabled: disabled || null, text, onclick });
}

/** Focuses the input of path after a re-render (new rows start at their first input). */
function focusPath(path) {
  const el = fieldEls.get(path);
  if (el) el.input.focus();
}

function renderBasics() {
  $('cf-basics').replaceChildren(
    field(draft, 'id', 'id', t('cf.id'), { big: true, mono: true, maxlength: 64, placeholder: 'skills-final-2026', hint: t('cf.idHint'), cell: 'cf-cell-id' }),
    field(draft, 'title', 'title', t('cf.title'), { big: true, maxlength: 200, placeholder: t('cf.titlePlaceholder'), hint: t('cf.titleHint'), cell: 'cf-cell-title' }),
  );
}

const colHead = (cls, ...labels) =>
  h('div', { class: `cf-row cf-row-head ${cls}`, 'aria-hidden': 'true' }, ...labels.map((l) => h('span', { text: l })));

function renderNamed(list) {
  const rows = draft[list];
  const what = t(list === 'groups' ? 'cf.group' : 'cf.venue');
  $(`cf-${list}`).replaceChildren(
    colHead('cf-row-named', '', t('cf.col.id'), t('cf.col.name'), ''),
    ...rows.map((x, i) =>
      h(
        'div',
        { class: 'cf-row cf-row-named', dataset: { key: x.key } },
        h('span', { class: 'cf-row-no num', text: String(i + 1) }),
        field(x, 'id', `${list}[${i}].id`, { aria: `${what} ${i + 1} · ${t('cf.col.id')}` }, { mono: true, maxlength: 64, placeholder: list === 'groups' ? 'worker' : 'wz' }),
        field(x, 'name', `${list}[${i}].name`, { aria: `${what} ${i + 1} · ${t('cf.col.name')}` }, { maxlength: 200, placeholder: list === 'groups' ? t('cf.preset.worker') : '温州赛场' }),
        removeButton(`${what} ${i + 1}`, rows.length === 1, () => {
          rows.splice(i, 1);
          structural();
          focusPath(`${list}[${Math.max(0, i - 1)}].id`);
        }),
      ),
    ),
  );
}

function renderComponents() {
  const rows = draft.components;
  $('cf-components').replaceChildren(
    colHead('cf-row-component', '', t('cf.col.id'), t('cf.col.name'), t('cf.col.weight'), ''),
    ...rows.map((c, i) =>
      h(
        'div',
        { class: 'cf-row cf-row-component', dataset: { key: c.key } },
        h('span', { class: 'cf-row-no num', text: String(i + 1) }),
        field(c, 'id', `components[${i}].id`, { aria: `${t('cf.component')} ${i + 1} · ${t('cf.col.id')}` }, { mono: true, maxlength: 64, placeholder: i === 0 ? 'practical' : 'theory' }),
        field(c, 'name', `components[${i}].name`, { aria: `${t('cf.component')} ${i + 1} · ${t('cf.col.name')}` }, { maxlength: 200, placeholder: i === 0 ? '实操' : '理论' }),
        field(c, 'weight', `components[${i}].weight`, { aria: `${t('cf.component')} ${i + 1} · ${t('cf.col.weight')}` }, { num: true, inputmode: 'decimal', placeholder: i === 0 ? '0.7' : '0.3', maxlength: 20 }),
        removeButton(`${t('cf.component')} ${i + 1}`, rows.length === 1, () => {
          rows.splice(i, 1);
          draft.tiebreak = draft.tiebreak.filter((x) => x.ref !== `component:${c.key}`);
          structural();
          focusPath(`components[${Math.max(0, i - 1)}].id`);
        }),
      ),
    ),
  );
}

function fillComponentOptions(select) {
  const value = select.value;
  select.replaceChildren(
    h('option', { value: '', text: t('cf.pickComponent') }),
    ...draft.components.map((c, i) => h('option', { value: c.key, text: optionLabel(c, t('cf.componentN', { n: i + 1 })) })),
  );
  select.value = value;
}

const optionLabel = (x, blank = '—') => {
  const id = x.id.trim();
  const name = x.name.trim();
  if (id && name) return `${name}（${id}）`;
  return name || id || blank;
};

function kindExtras(m, i, k, j) {
  const p = `modules[${i}].criteria[${j}]`;
  const extras = [];
  if (k.kind === 'judgement') extras.push(field(k, 'judges', `${p}.judges`, t('cf.judges'), { num: true, inputmode: 'numeric', maxlength: 2, cell: 'cf-cell-xs' }));
  if (k.kind === 'time') {
    extras.push(field(k, 'full', `${p}.full_within_s`, t('cf.fullWithin'), { num: true, inputmode: 'decimal', placeholder: '1800', maxlength: 12, cell: 'cf-cell-s' }));
    extras.push(field(k, 'zero', `${p}.zero_after_s`, t('cf.zeroAfter'), { num: true, inputmode: 'decimal', placeholder: '3600', maxlength: 12, cell: 'cf-cell-s' }));
  }
  if (k.kind === 'auto') extras.push(field(k, 'signal', `${p}.signal`, t('cf.signal'), { mono: true, maxlength: 128, placeholder: t('cf.signalPlaceholder'), cell: 'cf-cell-m' }));
  return h(
    'div',
    { class: `cf-kind-extra cf-kind-${k.kind}`, dataset: { kind: k.kind } },
    h('p', { class: 'cf-kind-help' },
      h('span', { class: `cf-kind-tag cf-kind-tag-${k.kind}` }, h('span', { text: t(`cf.kind.${k.kind}`) }), h('code', { class: 'cf-kind-id', text: k.kind })),
      h('span', { text: t(`cf.kindHelp.${k.kind}`) })),
    extras.length ? h('div', { class: 'cf-kind-fields' }, ...extras) : null,
  );
}

function renderCriterion(m, i, k, j) {
  const p = `modules[${i}].criteria[${j}]`;
  const who = `${m.id.trim() || t('cf.moduleN', { n: i + 1 })} · ${t('cf.criterionN', { n: j + 1 })}`;
  const li = h('li', { class: 'cf-crit', dataset: { key: k.key } });
  const row = h(
    'div',
    { class: 'cf-row cf-row-crit' },
    field(k, 'id', `${p}.id`, { aria: `${who} · ${t('cf.col.id')}` }, { mono: true, maxlength: 64, placeholder: `${m.id.trim() || 'A'}${j + 1}` }),
    field(k, 'name', `${p}.name`, { aria: `${who} · ${t('cf.col.nameOptional')}` }, { maxlength: 200 }),
    selectField(k, 'kind', `${p}.kind`, { aria: `${who} · ${t('cf.col.kind')}` }, (select) =>
      select.replaceChildren(...KINDS.map((kind) => h('option', { value: kind, text: t(`cf.kind.${kind}`) }))), {
      onChange: () => {
        for (const suffix of ['judges', 'full_within_s', 'zero_after_s', 'signal']) fieldEls.delete(`${p}.${suffix}`);
        li.querySelector('.cf-kind-extra').replaceWith(kindExtras(m, i, k, j));
      },
    }),
    field(k, 'max', `${p}.max`, { aria: `${who} · ${t('cf.col.max')}` }, { num: true, inputmode: 'decimal', placeholder: '10', maxlength: 12 }),
    removeButton(who, m.criteria.length === 1, () => {
      m.criteria.splice(j, 1);
      structural();
      focusPath(`modules[${i}].criteria[${Math.max(0, j - 1)}].id`);
    }),
  );
  li.append(row, kindExtras(m, i, k, j));
  return li;
}

function moduleMaxText(m) {
  let total = 0;
  for (const k of m.criteria) {
    const r = decimal(k.max, 3);
    if (r.units === undefined) return '';
    total += r.units;
  }
  return unitsText(total, 3);
}

function renderModules() {
  $('cf-modules').replaceChildren(
    ...draft.modules.map((m, i) => {
      const base = `modules[${i}]`;
      const title = t('cf.moduleN', { n: i + 1 });
      return h(
        'article',
        { class: 'cf-module', dataset: { key: m.key } },
        h(
          'header',
          { class: 'cf-module-head' },
          h('span', { class: 'cf-module-badge', text: title }),
          h('span', { class: 'cf-module-max num', dataset: { moduleMax: m.key } }),
          removeButton(title, draft.modules.length === 1, () => {
            draft.modules.splice(i, 1);
            draft.tiebreak = draft.tiebreak.filter((x) => x.ref !== `module:${m.key}`);
            structural();
            $('cf-modules-add').focus();
          }),
        ),
        h(
          'div',
          { class: 'cf-module-fields' },
          field(m, 'id', `${base}.id`, t('cf.col.id'), { mono: true, maxlength: 64, placeholder: 'A', cell: 'cf-cell-s' }),
          field(m, 'name', `${base}.name`, t('cf.col.name'), { maxlength: 200, placeholder: '机器人系统装调' }),
          selectField(m, 'component', `${base}.component`, t('cf.moduleComponent'), fillComponentOptions, { cell: 'cf-cell-m' }),
        ),
        h('div', { class: 'cf-crit-title' }, h('h4', { text: t('cf.criteria') })),
        colHead('cf-row-crit', t('cf.col.id'), t('cf.col.nameOptional'), t('cf.col.kind'), t('cf.col.max'), ''),
        h('ol', { class: 'cf-crit-list' }, ...m.criteria.map((k, j) => renderCriterion(m, i, k, j))),
        h('button', {
          class: 'btn btn-small btn-ghost cf-add-inline',
          type: 'button',
          dataset: { addCriterion: String(i) },
          text: t('cf.addCriterion'),
          onclick: () => {
            m.criteria.push(criterion());
            structural();
            focusPath(`${base}.criteria[${m.criteria.length - 1}].id`);
          },
        }),
      );
    }),
  );
}

function fillTiebreakOptions(select) {
  const value = select.value;
  select.replaceChildren(
    h('option', { value: '', text: t('cf.tiebreakPick') }),
    h('optgroup', { label: t('cf.tiebreakComponents') }, ...draft.components.map((c, i) => h('option', { value: `component:${c.key}`, text: optionLabel(c, t('cf.componentN', { n: i + 1 })) }))),
    h('optgroup', { label: t('cf.tiebreakModules') }, ...draft.modules.map((m, i) => h('option', { value: `module:${m.key}`, text: m.id.trim() && m.name.trim() ? `${m.id.trim()} ${m.name.trim()}` : optionLabel(m, t('cf.moduleN', { n: i + 1 })) }))),
    h('option', { value: 'time', text: t('cf.tiebreakTime') }),
  );
  select.value = value;
}

function renderTiebreak() {
  const rows = draft.tiebreak;
  $('cf-tiebreak').replaceChildren(
    ...rows.map((x, i) =>
      h(
        'li',
        { class: 'cf-row cf-row-tiebreak', dataset: { key: x.key } },
        h('span', { class: 'cf-row-no num', text: String(i + 1) }),
        selectField(x, 'ref', `ranking.tiebreak[${i}]`, { aria: t('cf.tiebreakN', { n: i + 1 }) }, fillTiebreakOptions),
        iconButton(t('cf.moveUp'), '↑', i === 0, () => {
          [rows[i - 1], rows[i]] = [rows[i], rows[i - 1]];
          structural();
          focusMove(i - 1, 'up');
        }),
        iconButton(t('cf.moveDown'), '↓', i === rows.length - 1, () => {
          [rows[i + 1], rows[i]] = [rows[i], rows[i + 1]];
          structural();
          focusMove(i + 1, 'down');
        }),
        removeButton(t('cf.tiebreakN', { n: i + 1 }), false, () => {
          rows.splice(i, 1);
          structural();
          $('cf-tiebreak-add').focus();
        }),
      ),
    ),
  );
  $('cf-tiebreak-empty').hidden = rows.length > 0;
}

function focusMove(index, direction) {
  const row = $('cf-tiebreak').children[index];
  const buttons = row ? row.querySelectorAll('.cf-icon-btn') : [];
  const want = direction === 'up' ? buttons[0] : buttons[1];
  (want && !want.disabled ? want : row && row.querySelector('select'))?.focus();
}

function renderScope() {
  $('cf-scope').replaceChildren(
    ...SCOPES.map((scope) =>
      h(
        'label',
        { class: 'segment' },
        h('input', {
          type: 'radio',
          name: 'cf-scope',
          value: scope,
          id: `cf-scope-${scope}`,
          checked: draft.scope === scope,
          onchange: () => {
            draft.scope = scope;
            if (serverError && serverError.section === 'ranking.award_scope') serverError = null;
            changed();
          },
        }),
        h('span', { text: t(`cf.scope.${scope}`) }),
      ),
    ),
  );
}

function renderAwards() {
  const rows = draft.awards;
  $('cf-awards').replaceChildren(
    rows.length ? colHead('cf-row-award', '', t('cf.col.award'), t('cf.col.ratio'), '') : null,
    ...rows.map((a, i) =>
      h(
        'div',
        { class: 'cf-row cf-row-award', dataset: { key: a.key } },
        h('span', { class: 'cf-row-no num', text: String(i + 1) }),
        field(a, 'name', `ranking.awards[${i}].name`, { aria: `${t('cf.awards')} ${i + 1} · ${t('cf.col.award')}` }, { maxlength: 200, placeholder: t('cf.award.first') }),
        field(a, 'ratio', `ranking.awards[${i}].ratio`, { aria: `${t('cf.awards')} ${i + 1} · ${t('cf.col.ratio')}` }, { num: true, inputmode: 'decimal', placeholder: '0.1', maxlength: 20 }),
        removeButton(`${t('cf.awards')} ${i + 1}`, false, () => {
          rows.splice(i, 1);
          structural();
          if (rows.length) focusPath(`ranking.awards[${Math.max(0, i - 1)}].name`);
          else $('cf-awards-add').focus();
        }),
      ),
    ),
  );
  $('cf-awards-empty').hidden = rows.length > 0;
}

function renderAll() {
  fieldEls = new Map();
  refSignature = '';
  renderBasics();
  renderNamed('groups');
  renderNamed('venues');
  renderComponents();
  renderModules();
  renderTiebreak();
  renderScope();
  renderAwards();
  update();
}

/** After rows were added, removed or moved: render again from the draft. */
function structural() {
  if (serverError && serverError.path) serverError = null; // the indices it named may have moved
  renderAll();
  saveDraft();
}

/** After a value changed: checks, sums, dependent selects, preview. */
function changed() {
  update();
  saveDraft();
}

// ---------------------------------------------------------------- errors and progress

const STEPS = [
  { id: 'basics', test: (p) => p === 'id' || p === 'title' },
  { id: 'places', test: (p) => /^(groups|venues)\b/.test(p) },
  { id: 'components', test: (p) => p.startsWith('components') },
  { id: 'modules', test: (p) => p.startsWith('modules') },
  { id: 'ranking', test: (p) => p.startsWith('ranking') },
];

function update() {
  checked = check(draft);
  refreshRefs();
  renderSums();
  for (const m of draft.modules) {
    const box = document.querySelector(`[data-module-max="${m.key}"]`);
    if (box) {
      const max = moduleMaxText(m);
      box.textContent = max ? t('cf.moduleMax', { max }) : '';
    }
  }
  $('cf-json').textContent = docText(buildDoc(draft));
  showErrors();
  if (resultMode === 'client') {
    const list = issues();
    if (list.length) showRefusal(list);
    else hideResult();
  } else if (resultMode === 'server' && !serverError) {
    hideResult();
  }
}

/** Rebuilds the options of the selects that name components and modules when those changed. */
function refreshRefs() {
  const signature = JSON.stringify([draft.components.map((c) => [c.key, c.id, c.name]), draft.modules.map((m) => [m.key, m.id, m.name]), getLang()]);
  if (signature === refSignature) return;
  refSignature = signature;
  for (const el of fieldEls.values()) if (el.fill && el.input.dataset.path !== undefined && !/\.kind$/.test(el.input.dataset.path)) el.fill(el.input);
}

function renderSums() {
  const box = $('cf-weight-sum');
  const anyWeight = draft.components.some((c) => c.weight.trim());
  const ok = checked.weightsKnown && checked.weights === MICRO;
  box.className = `cf-sum ${!anyWeight ? '' : ok ? 'is-ok' : 'is-bad'}`.trim();
  const progress = h('progress', { class: 'cf-sum-bar', max: String(MICRO), value: String(Math.min(checked.weights, MICRO)), 'aria-hidden': 'true' });
  box.replaceChildren(
    h('span', { class: 'cf-sum-label', text: t('cf.weightSum') }),
    h('strong', { class: 'cf-sum-value num', id: 'cf-weight-total', text: anyWeight ? unitsText(checked.weights, 6) : '—' }),
    progress,
    h('span', { class: 'cf-sum-state', text: !anyWeight ? t('cf.weightEmpty') : ok ? `✓ ${t('cf.weightOk')}` : t('cf.weightBad') }),
  );
  const ratios = $('cf-ratio-sum');
  const over = checked.ratios > MICRO;
  ratios.hidden = draft.awards.length === 0;
  ratios.className = `cf-sum ${over ? 'is-bad' : draft.awards.some((a) => a.ratio.trim()) ? 'is-ok' : ''}`.trim();
  ratios.replaceChildren(
    h('span', { class: 'cf-sum-label', text: t('cf.ratioSum') }),
    h('strong', { class: 'cf-sum-value num', id: 'cf-ratio-total', text: unitsText(checked.ratios, 6) }),
    h('progress', { class: 'cf-sum-bar', max: String(MICRO), value: String(Math.min(checked.ratios, MICRO)), 'aria-hidden': 'true' }),
    h('span', { class: 'cf-sum-state', text: over ? t('cf.ratioBad') : `✓ ${t('cf.ratioOk')}` }),
    h('span', { class: 'cf-sum-hint', text: t('cf.ratioHint') }),
  );
}

/** Marks inputs and fills their error lines; fills section errors and the progress list. */
function showErrors() {
  for (const [path, el] of fieldEls) {
    const server = serverError && serverError.path === path ? serverText() : '';
    const own = checked.fields.get(path);
    const visible = showAll || el.item.t[el.prop];
    const message = server || (visible ? own : '');
    el.input.setAttribute('aria-invalid', message ? 'true' : 'false');
    el.input.classList.toggle('is-server-error', !!server);
    el.error.textContent = message || '';
    el.error.hidden = !message;
  }
  for (const box of document.querySelectorAll('#cf-form [data-section]')) {
    const name = box.dataset.section;
    const lines = [...(checked.sections.get(name) || [])];
    if (serverError && serverError.section === name) lines.unshift(serverText());
    box.replaceChildren(...lines.map((line) => h('span', { class: 'cf-section-line', text: line })));
    box.hidden = lines.length === 0;
  }
  renderProgress();
}

/** The server's message ("中文 / English") in the current language. */
const serverText = () => localMessage(serverError.raw) || t('error.unknown');

function issues() {
  const list = [...checked.fields.entries()].map(([path, message]) => ({ path, message }));
  for (const [section, messages] of checked.sections) for (const message of messages) list.push({ path: section, section, message });
  return list;
}

function renderProgress() {
  const all = issues();
  $('cf-progress').replaceChildren(
    ...STEPS.map((step, i) => {
      const mine = all.filter((x) => step.test(x.path));
      const serverHere = serverError && step.test(serverError.path || serverError.section || '');
      const n = mine.length + (serverHere && !mine.some((x) => x.path === serverError.path) ? 1 : 0);
      const touched = showAll || serverHere || mine.some((x) => isTouched(x.path));
      const state = n === 0 ? 'done' : touched ? 'bad' : 'todo';
      return h(
        'li',
        { class: `cf-progress-item is-${state}`, dataset: { step: step.id } },
        h(
          'button',
          { class: 'cf-progress-btn', type: 'button', onclick: () => goToStep(step.id) },
          h('span', { class: 'cf-progress-dot', 'aria-hidden': 'true', text: state === 'done' ? '✓' : String(i + 1) }),
          h('span', { class: 'cf-progress-name', text: t(`cf.step.${step.id}`) }),
          h('span', { class: 'cf-progress-state', text: state === 'done' ? t('cf.state.done') : t(state === 'bad' ? 'cf.state.bad' : 'cf.state.todo', { n }) }),
        ),
      );
    }),
  );
}

function isTouched(path) {
  const el = fieldEls.get(path);
  return !!(el && el.item.t[el.prop]);
}

function goToStep(id) {
  const section = $(`cf-step-${id}`);
  section.scrollIntoView({ behavior: 'smooth', block: 'start' });
  const first = [...section.querySelectorAll('input, select')].find((i) => i.getAttribute('aria-invalid') === 'true') || section.querySelector('input, select');
  if (first) first.focus({ preventScroll: true });
}

/** Where the server's field points: {path} of an input, {section} of a list, or null. */
function locate(err, doc) {
  const suffix = {
    invalid_id: 'id',
    unknown_component: 'component',
    invalid_kind: 'kind',
    invalid_judges: 'judges',
    invalid_time_limits: 'zero_after_s',
    invalid_max: 'max',
  }[err.code];
  let field = err.field || (err.code === 'invalid_id' ? 'id' : '');
  if (!field) return null;
  // invalid_max, invalid_judges and invalid_time_limits name the criterion by its id.
  if (['invalid_max', 'invalid_judges', 'invalid_time_limits'].includes(err.code) && !fieldEls.has(field)) {
    doc.modules.forEach((m, i) => m.criteria.forEach((k, j) => {
      if (k.id === field) field = `modules[${i}].criteria[${j}]`;
    }));
  }
  if (fieldEls.has(field)) return { path: field };
  if (suffix && fieldEls.has(`${field}.${suffix}`)) return { path: `${field}.${suffix}` };
  if (/^ranking\.tiebreak/.test(field)) {
    const bad = /"([^"]*)"/.exec(err.message || '');
    const at = bad ? doc.ranking.tiebreak.indexOf(bad[1]) : -1;
    return at >= 0 ? { path: `ranking.tiebreak[${at}]` } : { section: 'ranking.tiebreak' };
  }
  if (document.querySelector(`#cf-form [data-section="${CSS.escape(field)}"]`)) return { section: field };
  if (field === 'criteria') return { section: 'modules' };
  const inside = [...fieldEls.keys()].find((p) => p.startsWith(`${field}.`));
  if (inside) return { path: inside };
  const list = /^([a-z_.]+)/.exec(field);
  if (list && document.querySelector(`#cf-form [data-section="${CSS.escape(list[1])}"]`)) return { section: list[1] };
  return null;
}

/** A readable place for a path: "组成部分 2 · 权重". */
function describe(path) {
  if (path === 'id') return t('cf.where.id');
  if (path === 'title') return t('cf.where.title');
  const m = /^(groups|venues|components)(?:\[(\d+)\]\.(\w+))?$/.exec(path);
  if (m) {
    if (!m[2]) return { groups: t('cf.groups'), venues: t('cf.venues'), components: t('cf.step.components') }[m[1]];
    const what = { groups: t('cf.where.group'), venues: t('cf.where.venue'), components: t('cf.where.component') }[m[1]];
    const col = { id: 'cf.col.id', name: 'cf.col.name', weight: 'cf.col.weight' }[m[3]];
    return `${what} ${Number(m[2]) + 1} · ${t(col)}`;
  }
  const mod = /^modules(?:\[(\d+)\](?:\.criteria\[(\d+)\])?\.?(\w+)?)?$/.exec(path);
  if (mod) {
    if (mod[1] === undefined) return t('cf.step.modules');
    const m2 = draft.modules[Number(mod[1])];
    const name = (m2 && m2.id.trim()) || t('cf.moduleN', { n: Number(mod[1]) + 1 });
    const cols = { id: 'cf.col.id', name: 'cf.col.name', component: 'cf.moduleComponent', kind: 'cf.col.kind', max: 'cf.col.max', judges: 'cf.judges', full_within_s: 'cf.fullWithin', zero_after_s: 'cf.zeroAfter', signal: 'cf.signal' };
    const col = mod[3] ? t(cols[mod[3]] || mod[3]) : '';
    if (mod[2] !== undefined) return [name, t('cf.criterionN', { n: Number(mod[2]) + 1 }), col].filter(Boolean).join(' · ');
    return [name, col].filter(Boolean).join(' · ');
  }
  if (path.startsWith('ranking.tiebreak')) return t('cf.where.tiebreak');
  if (path.startsWith('ranking.awards')) {
    const a = /\[(\d+)\]\.(\w+)/.exec(path);
    return a ? `${t('cf.where.award')} ${Number(a[1]) + 1} · ${t(a[2] === 'ratio' ? 'cf.col.ratio' : 'cf.col.award')}` : t('cf.where.awards');
  }
  if (path.startsWith('ranking.award_scope')) return t('cf.where.scope');
  return path;
}

function showResult(kind, ...lines) {
  const box = $('cf-result');
  box.replaceChildren(...lines.flat().filter(Boolean).map((line) => (line instanceof Node ? line : h('p', { text: line }))));
  box.className = `result result-${kind}`;
  box.hidden = false;
}

function hideResult() {
  const box = $('cf-result');
  box.hidden = true;
  box.replaceChildren();
  resultMode = '';
  lastRefusal = null;
}

function showServerRefusal(err) {
  showResult('error', err instanceof api.ApiError ? h('p', { class: 'result-title', text: t('cf.serverRefused') }) : null, hooks.errorLines(err));
  lastRefusal = err;
}

/** The side panel's list of what still needs fixing (each item jumps to its input). */
function showRefusal(list) {
  const shown = list.slice(0, 6);
  showResult(
    'error',
    h('p', { class: 'result-title', text: t('cf.refused', { n: list.length }) }),
    h('ul', { class: 'cf-issues' }, ...shown.map((x) =>
      h('li', null, h('button', { class: 'cf-issue', type: 'button', onclick: () => focusIssue(x) },
        h('span', { class: 'cf-issue-where', text: describe(x.path) }), h('span', { text: x.message }))))),
    list.length > shown.length ? h('p', { class: 'result-meta', text: t('cf.more', { n: list.length - shown.length }) }) : null,
  );
  resultMode = 'client';
}

function focusIssue(issue) {
  if (issue.section) {
    const box = document.querySelector(`#cf-form [data-section="${CSS.escape(issue.section)}"]`);
    if (box) box.scrollIntoView({ behavior: 'smooth', block: 'center' });
    return;
  }
  const el = fieldEls.get(issue.path);
  if (el) {
    el.input.scrollIntoView({ behavior: 'smooth', block: 'center' });
    el.input.focus({ preventScroll: true });
  }
}

// ---------------------------------------------------------------- actions

let busy = false;

async function submit(event) {
  event.preventDefault();
  if (busy) return;
  update();
  const list = issues();
  if (list.length) {
    showAll = true;
    showErrors();
    showRefusal(list);
    focusIssue(list[0]);
    return;
  }
  const doc = buildDoc(draft);
  const button = $('cf-submit');
  busy = true;
  button.disabled = true;
  serverError = null;
  showResult('busy', t('cf.busy'));
  resultMode = '';
  lastRefusal = null;
  try {
    const answer = await api.post('/api/v1/competitions', doc);
    hideResult();
    draft = blankDraft();
    showAll = false;
    try {
      sessionStorage.removeItem(STORE_KEY);
    } catch {
      /* nothing kept */
    }
    renderAll();
    await hooks.onCreated(answer.id || doc.id);
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return hooks.toLogin();
    const place = err instanceof api.ApiError ? locate(err, doc) : null;
    if (place) {
      serverError = { ...place, raw: err.message };
      showErrors();
    }
    showServerRefusal(err);
    resultMode = place && place.path ? 'server' : '';
    if (place) focusIssue(place);
  } finally {
    busy = false;
    button.disabled = false;
  }
}

function download() {
  const doc = buildDoc(draft);
  const blob = new Blob([docText(doc)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: `${doc.id && ID_RE.test(doc.id) ? doc.id : 'competition'}.json`, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function presetGroups() {
  const preset = [
    ['worker', t('cf.preset.worker')],
    ['teacher', t('cf.preset.teacher')],
    ['student', t('cf.preset.student')],
  ];
  const kept = draft.groups.filter((g) => g.id.trim() || g.name.trim());
  const have = new Set(kept.map((g) => g.id.trim()));
  draft.groups = [...kept, ...preset.filter(([id]) => !have.has(id)).map(([id, name]) => named(id, name))];
  structural();
}

function presetAwards() {
  const preset = [
    [t('cf.award.first'), '0.1'],
    [t('cf.award.second'), '0.2'],
    [t('cf.award.third'), '0.3'],
  ];
  const kept = draft.awards.filter((a) => a.name.trim() || a.ratio.trim());
  const have = new Set(kept.map((a) => a.name.trim()));
  draft.awards = [...kept, ...preset.filter(([name]) => !have.has(name)).map(([name, ratio]) => award(name, ratio))];
  structural();
}

async function reset() {
  const ok = await hooks.confirm(t('cf.resetTitle'), t('cf.resetText'), t('cf.reset'), true);
  if (!ok) return;
  draft = blankDraft();
  showAll = false;
  serverError = null;
  hideResult();
  structural();
  focusPath('id');
}

function bind() {
  if (bound) return;
  bound = true;
  $('cf-form').addEventListener('submit', submit);
  $('cf-download').addEventListener('click', download);
  $('cf-reset').addEventListener('click', reset);
  $('cf-cancel').addEventListener('click', () => hooks.onCancel());
  $('cf-groups-preset').addEventListener('click', presetGroups);
  $('cf-awards-preset').addEventListener('click', presetAwards);
  const adder = (id, list, make, focus) =>
    $(id).addEventListener('click', () => {
      draft[list].push(make());
      structural();
      focusPath(focus(draft[list].length - 1));
    });
  adder('cf-groups-add', 'groups', () => named(), (i) => `groups[${i}].id`);
  adder('cf-venues-add', 'venues', () => named(), (i) => `venues[${i}].id`);
  adder('cf-components-add', 'components', component, (i) => `components[${i}].id`);
  adder('cf-modules-add', 'modules', () => moduleRow(draft.components.length === 1 ? draft.components[0].key : ''), (i) => `modules[${i}].id`);
  adder('cf-awards-add', 'awards', () => award(), (i) => `ranking.awards[${i}].name`);
  $('cf-tiebreak-add').addEventListener('click', () => {
    draft.tiebreak.push(tiebreak());
    structural();
    const rows = $('cf-tiebreak').children;
    rows[rows.length - 1]?.querySelector('select')?.focus();
  });
}

// ---------------------------------------------------------------- entry points

/** Wires the form to the page; hooks: onCreated(id), onCancel(), errorLines(err), confirm(...), toLogin(). */
export function initCreateForm(pageHooks) {
  hooks = pageHooks;
  draft = loadDraft() || blankDraft();
  bind();
}

/** Shows the form (rendered from the draft). */
export function showCreateForm() {
  renderAll();
}

/** Renders again in the current language, keeping every value. */
export function rerenderCreateForm() {
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.path : '';
  renderAll();
  if (lastRefusal && !$('cf-result').hidden) showServerRefusal(lastRefusal);
  if (focused) focusPath(focused);
}
