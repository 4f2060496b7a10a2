// The judge's tablet page.
//
// Every mark a judge enters gets a crypto.randomUUID() key and is written to an
// IndexedDB outbox before anything else happens; only then is it shown as
// 待发送 (queued). A single sender posts the outbox in order, in batches of up
// to 50 marks for one competition, whenever the browser is online; it retries
// with backoff after network errors and removes marks from the outbox only
// after the server answered 200 (a duplicate is a mark the server already has,
// so it counts as saved). The server refuses a batch whole when one mark is
// bad: the sender then finds that mark (error.field "marks[i]…", or by halving
// the batch), shows it as 被拒绝 (rejected) with the server's message, drops it
// from the queue and sends the rest.
//
// Sections: messages · DOM helpers · numbers · outbox storage · marks model ·
// sender · status banner · roster · score sheet · criterion cards · dialogs ·
// start-up.

import * as api from '/static/common/api.js';
import { circled, fmtDuration as fmtClock, noteServerTime, serverNow, tickClocks } from '/static/common/clock.js';
import { $, h, toast } from '/static/common/dom.js';
import { applyI18n, bindLangToggle, define, getLang, localMessage, onLangChange, t } from '/static/common/i18n.js';

// ---------------------------------------------------------------- messages

define({
  zh: {
    'judge.pageTitle': '裁判评分 · 匠星',
    'judge.title': '裁判评分',
    'judge.switchComp': '切换竞赛',
    'judge.logout': '退出',
    'judge.logoutPending': '还有 {n} 条评分尚未发送。它们保存在本机，您下次在本机登录后会自动发送。确定退出吗？',
    'judge.pickComp': '选择竞赛',
    'judge.pickCompHint': '请选择要评分的竞赛',
    'judge.errorTitle': '无法打开评分页',
    'judge.contestants': '选手',
    'judge.search': '搜索工位号或姓名',
    'judge.pickContestant': '请选择选手开始评分',
    'judge.pickContestantHint': '评分先保存在本机，联网时自动发送到服务器，断网也可以继续评分。',
    'judge.station': '工位',
    'judge.back': '选手列表',
    'judge.progress': '已评 {done}/{total}',
    'judge.noContestants': '没有分配给您的选手',
    'judge.noMatch': '没有匹配的选手',
    'judge.judgeId': '裁判编号 {id}',
    'judge.timing': '计时中',
    'judge.refresh': '刷新',
    'module.title': '模块 {id}',
    'module.locked': '已锁定',
    'module.lockedHint': '本模块已由裁判长签核锁定，不能再修改评分。',
    'module.progress': '{done}/{total} 项已评',
    'stage.nth': '第{k}关/共{n}关',
    'stage.cleared': '✓ 全部通关',
    'stage.current': '闯关 · {text}',
    'stage.hint': '后续关卡的评分项在前一关通过之前暂不计入成绩（仍可录入）。',
    'stage.failed': '未通过',
    'stage.failedTitle': '本关已全部评分，但未达到通过分数',
    'stage.clockLabel': '本关用时',
    'stage.clockTitle': '当前关卡已用时（按服务器时间）',
    'stage.times': '已通过各关用时：',
    'stage.locked': '未解锁 locked stage',
    'stage.lockedTitle': '本项属于尚未到达的关卡：评分仍会被服务器接受并保存，但在前一关通过之前不计入成绩。',
    'kind.judgement': '评价',
    'kind.measurement': '测量',
    'kind.deduction': '扣分',
    'kind.time': '用时',
    'kind.auto': '自动',
    'crit.max': '满分 {max}',
    'state.empty': '未评分',
    'state.queued': '待发送',
    'state.saved': '已保存',
    'state.rejected': '被拒绝',
    'state.voided': '已作废',
    'state.voidQueued': '作废待发送',
    'state.voidRejected': '作废被拒绝',
    'reject.value': '录入 {value}：',
    'rejudge.ask': '裁判长 {by} 要求复评',
    'judgement.g0': '未达标',
    'judgement.g1': '达标',
    'judgement.g2': '良好',
    'judgement.g3': '优秀',
    'judgement.hint': '{n} 位裁判各评 0–3 分，得分 = 平均分 × {max} ÷ 3',
    'judgement.mine': '我的评分 {grade}',
    'measure.save': '保存',
    'measure.hint': '0 – {max}，最多三位小数',
    'measure.current': '当前 {value}',
    'measure.label': '分数',
    'err.number': '请输入数字',
    'err.decimals': '最多三位小数',
    'err.range': '须在 0 到 {max} 之间',
    'err.reason': '请填写原因',
    'err.time': '请输入秒数，或 分:秒（如 29:30）',
    'err.reasonRequired': '修改已保存的分数须填写原因，请重新录入',
    'deduct.amount': '扣分',
    'deduct.reason': '原因',
    'deduct.reasonPlaceholder': '选择或输入扣分原因',
    'deduct.add': '添加扣分',
    'deduct.none': '无扣分',
    'deduct.noneReason': '检查无扣分',
    'deduct.total': '已扣 {sum} · 得分 {score}/{max}',
    'deduct.empty': '暂无扣分记录',
    'deduct.void': '作废',
    'deduct.withdraw': '撤回',
    'deduct.dismiss': '移除',
    'deduct.entry': '−{amount}',
    'time.start': '开始',
    'time.resume': '继续',
    'time.stop': '停止',
    'time.reset': '清零',
    'time.label': '用时（秒，或 分:秒）',
    'time.save': '保存用时',
    'time.rule': '{full} 内满分，{zero} 及以上 0 分',
    'time.current': '用时 {time} · 得分 {score}/{max}',
    'time.preview': '= {time} · 得分 {score}',
    'reason.changeTitle': '修改已评分数',
    'reason.changeText': '{crit}：{old} → {new}。修改将记录在案，请填写原因。',
    'reason.voidTitle': '作废扣分',
    'reason.voidText': '作废“{reason}”（扣 {amount} 分）。作废将记录在案，请填写原因。',
    'reason.label': '原因',
    'reason.s1': '录入错误',
    'reason.s2': '复核后更正',
    'reason.s3': '裁判长要求复评',
    'reason.v1': '误扣',
    'reason.v2': '录入错误',
    'reason.v3': '复核后撤销',
    'net.online': '在线',
    'net.offline': '离线',
    'net.bannerOffline': '离线：{n} 条评分已保存在本机，联网后自动发送',
    'net.bannerOfflineEmpty': '离线：可以继续评分，评分先保存在本机',
    'net.sending': '正在发送 {n} 条评分…',
    'net.retrying': '{n} 条评分待发送，{s} 秒后重试',
    'net.waiting': '{n} 条评分待发送',
    'net.authLost': '登录已过期：{n} 条评分仍保存在本机，重新登录后自动发送',
    'net.relogin': '重新登录',
    'net.sendNow': '立即发送',
    'net.rejected': '{n} 条评分被拒绝，请查看标红的评分项',
    'net.stale': '正在显示上次下载的数据',
    'net.storage': '本机存储不可用：评分只保存在内存中，请勿刷新页面',
    'toast.unchanged': '与当前分数相同，无需修改',
    'toast.queued': '已记录',
    'error.forbidden': '您没有这个竞赛的评分权限',
    'error.noComps': '暂时没有分配给您的竞赛',
    'error.offlineFirst': '无法连接服务器，本机也没有这个竞赛的缓存数据。请联网后重试。',
    'group.worker': '职工组',
    'group.teacher': '教师组',
    'group.student': '学生组',
  },
  en: {
    'judge.pageTitle': 'Judging · Jiangxing',
    'judge.title': 'Judging',
    'judge.switchComp': 'Competitions',
    'judge.logout': 'Sign out',
    'judge.logoutPending': '{n} marks have not been sent yet. They stay on this device and are sent the next time you sign in here. Sign out?',
    'judge.pickComp': 'Choose a competition',
    'judge.pickCompHint': 'Pick the competition you are judging',
    'judge.errorTitle': 'Cannot open the judging page',
    'judge.contestants': 'Contestants',
    'judge.search': 'Search station or name',
    'judge.pickContestant': 'Pick a contestant to start marking',
    'judge.pickContestantHint': 'Marks are kept on this device first and sent to the server when online; you can keep marking offline.',
    'judge.station': 'Station',
    'judge.back': 'Contestants',
    'judge.progress': 'Marked {done}/{total}',
    'judge.noContestants': 'No contestants are assigned to you',
    'judge.noMatch': 'No contestant matches',
    'judge.judgeId': 'Judge {id}',
    'judge.timing': 'Timing',
    'judge.refresh': 'Refresh',
    'module.title': 'Module {id}',
    'module.locked': 'Locked',
    'module.lockedHint': 'The chief judge signed this module off: marks can no longer change.',
    'module.progress': '{done}/{total} marked',
    'stage.nth': 'Stage {k} of {n}',
    'stage.cleared': '✓ All stages passed',
    'stage.current': 'Stages · {text}',
    'stage.hint': "Criteria of later stages do not count until the stage before is passed (marks are still accepted).",
    'stage.failed': 'Not passed',
    'stage.failedTitle': 'This stage is fully marked but below its pass score',
    'stage.clockLabel': 'In this stage',
    'stage.clockTitle': 'Time in the current stage (server clock)',
    'stage.times': 'Passed stages took:',
    'stage.locked': '未解锁 locked stage',
    'stage.lockedTitle': 'This criterion belongs to a stage not reached yet: the server accepts and keeps the mark, but it does not count until the earlier stages are passed.',
    'kind.judgement': 'Judgement',
    'kind.measurement': 'Measurement',
    'kind.deduction': 'Deduction',
    'kind.time': 'Time',
    'kind.auto': 'Auto',
    'crit.max': 'Max {max}',
    'state.empty': 'Not marked',
    'state.queued': 'Queued',
    'state.saved': 'Saved',
    'state.rejected': 'Rejected',
    'state.voided': 'Voided',
    'state.voidQueued': 'Void queued',
    'state.voidRejected': 'Void rejected',
    'reject.value': 'Entered {value}:',
    'rejudge.ask': 'Chief judge {by} asks for re-judging',
    'judgement.g0': 'Below',
    'judgement.g1': 'Meets',
    'judgement.g2': 'Good',
    'judgement.g3': 'Excellent',
    'judgement.hint': '{n} judges each give 0–3; score = mean × {max} ÷ 3',
    'judgement.mine': 'My grade {grade}',
    'measure.save': 'Save',
    'measure.hint': '0 – {max}, at most three decimals',
    'measure.current': 'Current {value}',
    'measure.label': 'Score',
    'err.number': 'Enter a number',
    'err.decimals': 'At most three decimals',
    'err.range': 'Must be between 0 and {max}',
    'err.reason': 'Enter a reason',
    'err.time': 'Enter seconds, or m:ss (such as 29:30)',
    'err.reasonRequired': 'Changing a saved mark needs a reason: enter it again',
    'deduct.amount': 'Points',
    'deduct.reason': 'Reason',
    'deduct.reasonPlaceholder': 'Pick or type a reason',
    'deduct.add': 'Add deduction',
    'deduct.none': 'Nothing to deduct',
    'deduct.noneReason': 'Checked, nothing to deduct',
    'deduct.total': 'Deducted {sum} · score {score}/{max}',
    'deduct.empty': 'No deductions yet',
    'deduct.void': 'Void',
    'deduct.withdraw': 'Withdraw',
    'deduct.dismiss': 'Dismiss',
    'deduct.entry': '−{amount}',
    'time.start': 'Start',
    'time.resume': 'Resume',
    'time.stop': 'Stop',
    'time.reset': 'Reset',
    'time.label': 'Time (seconds, or m:ss)',
    'time.save': 'Save time',
    'time.rule': 'Full marks within {full}, zero from {zero}',
    'time.current': 'Time {time} · score {score}/{max}',
    'time.preview': '= {time} · score {score}',
    'reason.changeTitle': 'Change a saved mark',
    'reason.changeText': '{crit}: {old} → {new}. The change is recorded; give a reason.',
    'reason.voidTitle': 'Void a deduction',
    'reason.voidText': 'Void “{reason}” (−{amount}). Voiding is recorded; give a reason.',
    'reason.label': 'Reason',
    'reason.s1': 'Keyed in wrongly',
    'reason.s2': 'Corrected on review',
    'reason.s3': 'Re-judged at the chief judge’s request',
    'reason.v1': 'Deducted by mistake',
    'reason.v2': 'Keyed in wrongly',
    'reason.v3': 'Withdrawn on review',
    'net.online': 'Online',
    'net.offline': 'Offline',
    'net.bannerOffline': 'Offline: {n} marks kept on this device, sent when back online',
    'net.bannerOfflineEmpty': 'Offline: keep marking, marks are kept on this device',
    'net.sending': 'Sending {n} marks…',
    'net.retrying': '{n} marks waiting; retrying in {s} s',
    'net.waiting': '{n} marks waiting to be sent',
    'net.authLost': 'Signed out: {n} marks are kept on this device and sent after you sign in again',
    'net.relogin': 'Sign in again',
    'net.sendNow': 'Send now',
    'net.rejected': '{n} marks were refused: see the items in red',
    'net.stale': 'Showing the last downloaded data',
    'net.storage': 'Local storage is unavailable: marks are kept in memory only, do not reload the page',
    'toast.unchanged': 'Same as the current mark: nothing to change',
    'toast.queued': 'Recorded',
    'error.forbidden': 'You are not assigned to judge this competition',
    'error.noComps': 'No competition is assigned to you yet',
    'error.offlineFirst': 'Cannot reach the server and this device has no copy of this competition. Connect and retry.',
    'group.worker': 'Workers',
    'group.teacher': 'Teachers',
    'group.student': 'Students',
  },
});

// ----------------------------------------------------------- DOM helpers




function show(viewId) {
  for (const id of ['view-loading', 'view-comps', 'view-error', 'view-judge']) $(id).hidden = id !== viewId;
}

function showError(text) {
  $('error-text').textContent = text;
  $('error-switch').hidden = S.comps.length < 2;
  show('view-error');
}

// ---------------------------------------------------------------- numbers

/** Rounds to thousandths, half away from zero (display only; the server scores). */
function round3(x) {
  return (Math.sign(x) * Math.round(Math.abs(x) * 1000 + 1e-7)) / 1000;
}

function fmt(x) {
  if (x == null || Number.isNaN(Number(x))) return '–';
  return String(round3(Number(x)));
}

function normaliseDigits(text) {
  return String(text ?? '')
    .trim()
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\uFF0E\u3002\uFF0C,]/g, '.')
    .replace(/\uFF1A/g, ':');
}

/** Parses a non-negative decimal with at most three decimals: {value} or {error}. */
function parseDecimal(text) {
  const s = normaliseDigits(text);
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(s)) return { error: t('err.number') };
  const fraction = (s.split('.')[1] || '').replace(/0+$/, '');
  if (fraction.length > 3) return { error: t('err.decimals') };
  return { value: Number(s) };
}

/** Seconds from "1900", "1900.5", "31:40" or "1:02:03": {value} or {error}. */
function parseDuration(text) {
  const s = normaliseDigits(text);
  if (s.includes(':')) {
    const parts = s.split(':');
    if (parts.length > 3 || !parts.every((p, i) => (i === parts.length - 1 ? /^\d+(\.\d{1,3})?$/ : /^\d+$/).test(p)))
      return { error: t('err.time') };
    const nums = parts.map(Number);
    if (nums.slice(1).some((n) => n >= 60)) return { error: t('err.time') };
    return { value: round3(nums.reduce((acc, n) => acc * 60 + n, 0)) };
  }
  const d = parseDecimal(s);
  return d.error ? { error: t('err.time') } : d;
}

function fmtDuration(seconds) {
  if (seconds == null) return '–';
  const whole = Math.floor(seconds);
  const rest = round3(seconds - whole);
  const hh = Math.floor(whole / 3600);
  const mm = Math.floor((whole % 3600) / 60);
  const ss = whole % 60;
  const pad = (n) => String(n).padStart(2, '0');
  const tail = rest ? String(rest).slice(1) : '';
  return (hh ? `${hh}:${pad(mm)}` : `${mm}`) + `:${pad(ss)}${tail}`;
}

function timeScore(cr, seconds) {
  const full = Number(cr.full_within_s);
  const zero = Number(cr.zero_after_s);
  if (seconds <= full) return cr.max;
  if (seconds >= zero) return 0;
  return round3((cr.max * (zero - seconds)) / (zero - full));
}

function naturalCompare(a, b) {
  return String(a ?? '').localeCompare(String(b ?? ''), 'zh-CN', { numeric: true });
}

function clockTime(at) {
  if (!at) return '';
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString(getLang() === 'en' ? 'en-GB' : 'zh-CN', { hour: '2-digit', minute: '2-digit' });
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// --------------------------------------------------------- outbox storage
//
// IndexedDB "jiangxing-judge": store "outbox" (keyPath seq, auto-increment, so
// the order marks were entered is the order they are sent) holding
// {seq, key, user, comp, mark, state: 'queued'|'rejected', error, created};
// store "cache" holding the last judge-view and competition list per user, so
// the page still opens when the server cannot be reached.

const DB_NAME = 'jiangxing-judge';

const storage = {
  db: null,
  memory: null, // fallback when IndexedDB is unavailable: {outbox: Map, cache: Map, seq}

  async open() {
    try {
      this.db = await new Promise((resolve, reject) => {
        const req = indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = () => {
          const db = req.result;
          const outbox = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
          outbox.createIndex('key', 'key', { unique: true });
          outbox.createIndex('user', 'user');
          db.createObjectStore('cache', { keyPath: 'id' });
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
        req.onblocked = () => reject(new Error('indexedDB blocked'));
      });
    } catch (err) {
      console.warn('IndexedDB unavailable, marks kept in memory only', err);
      this.memory = { outbox: new Map(), cache: new Map(), seq: 0 };
    }
    return !this.memory;
  },

  tx(stores, mode, work) {
    return new Promise((resolve, reject) => {
      const tx = this.db.transaction(stores, mode);
      let result;
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
      result = work(tx);
      if (result && typeof result.then !== 'function' && 'onsuccess' in result) {
        const req = result;
        req.onsuccess = () => (result = req.result);
      }
    });
  },

  /** Every outbox record of user, in seq order. */
  async outboxOf(user) {
    if (this.memory) return [...this.memory.outbox.values()].filter((r) => r.user === user).sort((a, b) => a.seq - b.seq);
    const all = await this.tx(['outbox'], 'readonly', (tx) => tx.objectStore('outbox').index('user').getAll(user));
    return (all || []).sort((a, b) => a.seq - b.seq);
  },

  /** Adds a record durably; resolves to its seq. */
  async add(record) {
    if (this.memory) {
      record.seq = ++this.memory.seq;
      this.memory.outbox.set(record.seq, { ...record });
      return record.seq;
    }
    const seq = await this.tx(['outbox'], 'readwrite', (tx) => tx.objectStore('outbox').add(record));
    record.seq = seq;
    return seq;
  },

  async put(record) {
    if (this.memory) return void this.memory.outbox.set(record.seq, { ...record });
    await this.tx(['outbox'], 'readwrite', (tx) => tx.objectStore('outbox').put(record));
  },

  async remove(seqs) {
    if (!seqs.length) return;
    if (this.memory) return void seqs.forEach((s) => this.memory.outbox.delete(s));
    await this.tx(['outbox'], 'readwrite', (tx) => {
      const store = tx.objectStore('outbox');
      for (const seq of seqs) store.delete(seq);
    });
  },

  async cacheGet(id) {
    if (this.memory) return this.memory.cache.get(id)?.value ?? null;
    try {
      const row = await this.tx(['cache'], 'readonly', (tx) => tx.objectStore('cache').get(id));
      return row ? row.value : null;
    } catch {
      return null;
    }
  },

  async cachePut(id, value) {
    if (this.memory) return void this.memory.cache.set(id, { id, value });
    try {
      await this.tx(['cache'], 'readwrite', (tx) => tx.objectStore('cache').put({ id, value, at: Date.now() }));
    } catch (err) {
      console.warn('cache write failed', err);
    }
  },
};

// ------------------------------------------------------------ marks model

const S = {
  user: null, // {username, role, name}
  comps: [], // [{id, title}]
  compId: null,
  view: null, // the judge-view answer
  stale: false, // view came from the cache
  persistent: true, // IndexedDB works
  criteria: new Map(), // criterion id → {cr, mod}
  contestants: [],
  selected: null, // contestant id
  entries: new Map(), // mark key → entry (see entryFromMark)
  queue: [], // outbox records of this user (queued and rejected), seq order
  inflight: new Set(), // keys in the batch being sent
  needsReason: new Set(), // cells the server said need a reason to change
  order: 0, // entry order counter (larger = later)
  authLost: false,
  sending: false,
  retryAt: 0,
  backoff: 0,
  batchLimit: 50,
  cards: [], // criterion cards on screen: {update(), destroy()}
  board: null, // stages (闯关) from the public board: {modules: Map id → [{id, name, criteria?}], of: Map contestant → stages}; null when not readable
};

const cellKey = (contestant, criterion) => `${contestant}\u0000${criterion}`;

/**
 * An entry: one mark as the page knows it.
 * {key, type: 'value'|'seconds'|'deduction'|'void', contestant, criterion,
 *  amount, reason, target (void), voided (deduction, from the server), at,
 *  state: 'saved'|'queued'|'rejected', error, order, attempts}
 */
function entryFromMark(mark, state) {
  const e = {
    key: mark.key,
    contestant: mark.contestant,
    criterion: mark.criterion,
    reason: mark.reason || '',
    at: mark.at || (Number.isFinite(mark.at_ms) ? new Date(mark.at_ms).toISOString() : ''),
    state,
    error: null,
    voided: !!mark.voided,
    order: ++S.order,
    attempts: 0,
  };
  if (mark.void != null) Object.assign(e, { type: 'void', target: mark.void });
  else if (mark.deduction != null) Object.assign(e, { type: 'deduction', amount: Number(mark.deduction) });
  else if (mark.seconds != null) Object.assign(e, { type: 'seconds', amount: Number(mark.seconds) });
  else Object.assign(e, { type: 'value', amount: Number(mark.value) });
  return e;
}

/**
 * Rebuilds S.entries from the view's saved marks, then what the page already
 * knew as saved (a 200 may have come after the view was read), then the
 * outbox. A queued mark the server already has is saved: drop it from the
 * outbox at once (its key makes resending harmless, but pointless).
 */
async function rebuildEntries() {
  const previous = S.entries;
  const entries = new Map();
  // The view lists marks in log order, which is the order they took effect.
  for (const m of (S.view && S.view.marks) || []) if (m && m.key) entries.set(m.key, entryFromMark(m, 'saved'));
  for (const e of previous.values()) {
    if (e.state === 'saved' && !entries.has(e.key) && e.comp === S.compId) entries.set(e.key, { ...e, order: ++S.order });
  }
  const known = [];
  for (const rec of S.queue) {
    if (rec.comp !== S.compId) continue;
    if (entries.has(rec.key)) {
      if (rec.state === 'queued') known.push(rec);
      continue;
    }
    const e = entryFromMark(rec.mark, rec.state);
    e.error = rec.error || null;
    e.attempts = rec.attempts || 0;
    entries.set(rec.key, e);
  }
  for (const e of entries.values()) e.comp = S.compId;
  S.entries = entries;
  entriesChanged();
  if (known.length) await dropFromQueue(known);
}

// S.entries indexed by cell and by void target; rebuilt after entries are added
// or removed (a state change edits an entry in place and keeps the index).
let index = null;

function entriesChanged() {
  index = null;
}

function entryIndex() {
  if (index) return index;
  const cells = new Map();
  const voids = new Map();
  const sorted = [...S.entries.values()].sort((a, b) => a.order - b.order);
  for (const e of sorted) {
    const [map, k] = e.type === 'void' ? [voids, e.target] : [cells, cellKey(e.contestant, e.criterion)];
    if (!map.has(k)) map.set(k, []);
    map.get(k).push(e);
  }
  index = { cells, voids };
  return index;
}

/** Entries for one contestant and criterion, oldest first. */
function cellEntries(contestant, criterion) {
  return entryIndex().cells.get(cellKey(contestant, criterion)) || [];
}

function voidsOf(targetKey) {
  return entryIndex().voids.get(targetKey) || [];
}

/** For value/time criteria: the mark in force (latest not rejected) and a newer rejected one, if any. */
function valueState(contestant, criterion) {
  const list = cellEntries(contestant, criterion);
  let current = null;
  let rejected = null;
  for (const e of list) {
    if (e.state === 'rejected') rejected = e;
    else {
      current = e;
      if (rejected && rejected.order < e.order) rejected = null;
    }
  }
  return { current, rejected };
}

/** For deduction criteria: every entry with its void state. */
function deductionState(contestant, criterion) {
  const rows = cellEntries(contestant, criterion)
    .filter((e) => e.type === 'deduction')
    .map((e) => {
      const voids = voidsOf(e.key);
      const savedVoid = voids.find((v) => v.state === 'saved');
      const queuedVoid = voids.find((v) => v.state === 'queued');
      const rejectedVoid = [...voids].reverse().find((v) => v.state === 'rejected');
      return {
        entry: e,
        voided: e.voided || !!savedVoid,
        voidQueued: !!queuedVoid && !e.voided && !savedVoid,
        voidRejected: !queuedVoid && !savedVoid && !e.voided ? rejectedVoid : null,
      };
    });
  return rows;
}

/** 'empty' | 'queued' | 'saved' | 'rejected' for a criterion of a contestant. */
function cellStatus(contestant, cr) {
  if (cr.kind === 'deduction') {
    const rows = deductionState(contestant, cr.id);
    if (rows.some((r) => r.entry.state === 'queued' || r.voidQueued)) return 'queued';
    if (rows.some((r) => (r.entry.state === 'rejected') || r.voidRejected)) return 'rejected';
    if (rows.some((r) => r.entry.state === 'saved')) return 'saved';
    return 'empty';
  }
  const { current, rejected } = valueState(contestant, cr.id);
  if (rejected) return 'rejected';
  if (current) return current.state;
  return 'empty';
}

function cellMarked(contestant, cr) {
  if (cr.kind === 'deduction') return deductionState(contestant, cr.id).some((r) => r.entry.state !== 'rejected');
  return !!valueState(contestant, cr.id).current;
}

function queuedCount() {
  return S.queue.filter((r) => r.state === 'queued').length;
}

function rejectedCount() {
  return S.queue.filter((r) => r.state === 'rejected' && r.comp === S.compId).length;
}

/** Writes a new mark to the outbox first, then shows it as queued and wakes the sender. */
async function enqueue(mark) {
  const rec = {
    key: mark.key,
    user: S.user.username,
    comp: S.compId,
    mark,
    state: 'queued',
    attempts: 0,
    error: null,
    created: new Date().toISOString(),
  };
  await storage.add(rec);
  S.queue.push(rec);
  const e = entryFromMark(mark, 'queued');
  e.comp = S.compId;
  S.entries.set(mark.key, e);
  entriesChanged();
  refresh();
  kickSender(0);
  return e;
}

async function dropFromQueue(records) {
  const keys = new Set(records.map((r) => r.key));
  await storage.remove(records.map((r) => r.seq));
  S.queue = S.queue.filter((r) => !keys.has(r.key));
}

/** A queued mark never handed to the network may simply be taken back. */
function withdrawable(e) {
  return e && e.state === 'queued' && !e.attempts && !S.inflight.has(e.key);
}

async function withdraw(e) {
  const rec = S.queue.find((r) => r.key === e.key);
  if (!rec || !withdrawable(e)) return false;
  await dropFromQueue([rec]);
  S.entries.delete(e.key);
  entriesChanged();
  return true;
}

async function dismissRejected(e) {
  const rec = S.queue.find((r) => r.key === e.key);
  if (rec) await dropFromQueue([rec]);
  S.entries.delete(e.key);
  entriesChanged();
  refresh();
}

function baseMark(contestant, cr) {
  return { key: newKey(), contestant, criterion: cr.id, judge: S.view.judge || S.user.username };
}

function describe(cr, e) {
  if (!e) return '–';
  if (e.type === 'seconds') return fmtDuration(e.amount);
  return fmt(e.amount);
}

/**
 * Records a value (judgement, measurement, auto) or a time for contestant.
 * Changing a mark the server has (or may have) asks for a reason first; a
 * queued mark never sent is replaced quietly (carrying over its reason).
 */
const busyCells = new Set(); // a second tap while the first mark is still being written is ignored

async function submitValue(contestant, cr, amount, field) {
  const cell = cellKey(contestant, cr.id);
  if (busyCells.has(cell)) return false;
  busyCells.add(cell);
  try {
    return await recordValue(contestant, cr, amount, field, cell);
  } finally {
    busyCells.delete(cell);
  }
}

async function recordValue(contestant, cr, amount, field, cell) {
  const { current } = valueState(contestant, cr.id);
  if (current && current.amount === amount && current.type === field) {
    toast(t('toast.unchanged'), 2200);
    return false;
  }
  let reason = '';
  if (current && withdrawable(current)) {
    reason = current.reason;
    await withdraw(current);
  } else if (current || S.needsReason.has(cell)) {
    const label = `${cr.id} ${cr.name || ''}`.trim();
    const newText = field === 'seconds' ? fmtDuration(amount) : fmt(amount);
    reason = await askReason({
      title: t('reason.changeTitle'),
      text: t('reason.changeText', { crit: label, old: describe(cr, current), new: newText }),
      suggestions: [t('reason.s1'), t('reason.s2'), t('reason.s3')],
    });
    if (reason == null) return false;
  }
  const mark = baseMark(contestant, cr);
  mark[field] = amount;
  if (reason) mark.reason = reason;
  await enqueue(mark);
  S.needsReason.delete(cell);
  return true;
}

async function submitDeduction(contestant, cr, amount, reason) {
  const mark = baseMark(contestant, cr);
  mark.deduction = amount;
  mark.reason = reason;
  await enqueue(mark);
}

async function voidDeduction(cr, e) {
  if (withdrawable(e)) {
    await withdraw(e);
    refresh();
    return;
  }
  const reason = await askReason({
    title: t('reason.voidTitle'),
    text: t('reason.voidText', { reason: e.reason || '', amount: fmt(e.amount) }),
    suggestions: [t('reason.v1'), t('reason.v2'), t('reason.v3')],
  });
  if (reason == null) return;
  await enqueue({ key: newKey(), void: e.key, reason });
}

// ----------------------------------------------------------------- sender

const BACKOFF_S = [1, 2, 4, 8, 15, 30];
let sendTimer = 0;
let retryTicker = 0;

function kickSender(delayMs) {
  clearTimeout(sendTimer);
  sendTimer = setTimeout(pump, Math.max(0, delayMs));
}

/** The next batch: up to S.batchLimit queued marks of one competition, in order. */
function nextBatch() {
  const batch = [];
  for (const rec of S.queue) {
    if (rec.state !== 'queued') continue;
    if (batch.length && rec.comp !== batch[0].comp) break;
    batch.push(rec);
    if (batch.length >= S.batchLimit) break;
  }
  return batch;
}

async function pump() {
  if (S.sending || S.authLost || !S.user) return;
  S.sending = true;
  S.retryAt = 0;
  renderStatus();
  let again = false;
  let sent = false;
  try {
    for (;;) {
      if (!navigator.onLine) break;
      const batch = nextBatch();
      if (!batch.length) break;
      sent = true;
      const outcome = await sendBatch(batch);
      if (outcome === 'retry') {
        const delay = BACKOFF_S[Math.min(S.backoff, BACKOFF_S.length - 1)] * 1000;
        S.backoff++;
        S.retryAt = Date.now() + delay;
        kickSender(delay * (0.85 + Math.random() * 0.3));
        break;
      }
      if (outcome === 'stop') break;
    }
  } catch (err) {
    console.error('sender', err);
    again = true;
  } finally {
    S.sending = false;
    refresh();
  }
  if (again) kickSender(5000);
  // The queue has drained: re-read the view (a module may have been signed off meanwhile).
  else if (sent && !queuedCount() && !S.authLost) refreshView();
}

function markIndex(field) {
  const m = /^marks\[(\d+)\]/.exec(field || '');
  return m ? Number(m[1]) : null;
}

/** Posts one batch; 'ok' (go on), 'retry' (back off), or 'stop'. */
async function sendBatch(batch) {
  const comp = batch[0].comp;
  for (const rec of batch) {
    S.inflight.add(rec.key);
    rec.attempts = (rec.attempts || 0) + 1;
    const e = S.entries.get(rec.key);
    if (e) e.attempts = rec.attempts;
  }
  try {
    await api.post(`/api/v1/competitions/${api.seg(comp)}/marks`, { marks: batch.map((r) => r.mark) }, { timeout: 30000 });
  } catch (err) {
    return await sendFailed(batch, err);
  } finally {
    for (const rec of batch) S.inflight.delete(rec.key);
  }
  // Committed (accepted or duplicates): only now leave the outbox.
  await dropFromQueue(batch);
  const now = new Date().toISOString();
  for (const rec of batch) {
    const e = S.entries.get(rec.key);
    if (e) Object.assign(e, { state: 'saved', at: e.at || now, error: null });
  }
  S.backoff = 0;
  S.batchLimit = 50;
  csrfRetries = 0;
  refresh();
  return 'ok';
}

let csrfRetries = 0;

async function sendFailed(batch, err) {
  if (err instanceof api.NetworkError) return 'retry';
  if (err.status === 401) {
    S.authLost = true;
    return 'stop';
  }
  if (err.status === 403 && err.code === 'csrf' && csrfRetries < 2) {
    csrfRetries++;
    try {
      await api.me();
      return 'ok';
    } catch (e2) {
      if (e2 instanceof api.ApiError && e2.status === 401) S.authLost = true;
      return e2 instanceof api.ApiError && e2.status === 401 ? 'stop' : 'retry';
    }
  }
  if (err.status >= 500 || err.status === 408 || err.status === 429) return 'retry';
  // A 4xx refuses the whole batch: find the bad mark, reject it, send the rest.
  const index = markIndex(err.field);
  if (index != null && index < batch.length) await reject(batch[index], err);
  else if (batch.length === 1) await reject(batch[0], err);
  else S.batchLimit = Math.max(1, Math.ceil(batch.length / 2));
  return 'ok';
}

async function reject(rec, err) {
  rec.state = 'rejected';
  rec.error = { status: err.status, code: err.code, message: err.message, field: err.field };
  await storage.put(rec);
  const e = S.entries.get(rec.key);
  if (e) Object.assign(e, { state: 'rejected', error: rec.error });
  if (err.code === 'reason_required' && rec.mark.contestant) S.needsReason.add(cellKey(rec.mark.contestant, rec.mark.criterion));
  refresh();
}

function errorText(error) {
  if (!error) return '';
  const text = localMessage(error.message);
  if (error.code === 'reason_required' && !text) return t('err.reasonRequired');
  return text || error.code || t('error.unknown');
}

// ---------------------------------------------------------- status banner

function renderStatus() {
  const online = navigator.onLine;
  const n = queuedCount();
  const pill = $('net-pill');
  pill.dataset.online = String(online);
  pill.dataset.queued = String(n);
  $('net-pill-text').textContent = online ? t('net.online') : t('net.offline');
  const count = $('queue-count');
  count.textContent = String(n);
  count.dataset.count = String(n);
  count.hidden = n === 0;

  let text = '';
  let tone = '';
  let login = false;
  let retry = false;
  if (!S.persistent) {
    text = t('net.storage');
    tone = 'bad';
  }
  if (S.authLost) {
    text = t('net.authLost', { n });
    tone = 'bad';
    login = true;
  } else if (!online) {
    text = n ? t('net.bannerOffline', { n }) : t('net.bannerOfflineEmpty');
    tone = 'offline';
  } else if (n && S.retryAt) {
    text = t('net.retrying', { n, s: Math.max(1, Math.ceil((S.retryAt - Date.now()) / 1000)) });
    tone = 'warn';
    retry = true;
  } else if (n && S.sending) {
    text = t('net.sending', { n });
    tone = 'info';
  } else if (n) {
    text = t('net.waiting', { n });
    tone = 'info';
  } else if (rejectedCount()) {
    text = t('net.rejected', { n: rejectedCount() });
    tone = 'bad';
  } else if (S.stale) {
    text = t('net.stale');
    tone = 'warn';
  }
  const banner = $('net-banner');
  banner.hidden = !text;
  document.body.classList.toggle('has-banner', !!text);
  banner.dataset.tone = tone;
  banner.dataset.online = String(online);
  $('net-banner-text').textContent = text;
  $('net-banner-login').hidden = !login;
  $('net-banner-retry').hidden = !retry;

  clearInterval(retryTicker);
  if (S.retryAt && n) retryTicker = setInterval(renderStatus, 1000);
}

// ----------------------------------------------------------------- roster

function groupName(id) {
  const groups = (S.view && S.view.groups) || [];
  const g = groups.find((x) => x.id === id);
  if (g && g.name) return g.name;
  const key = `group.${id}`;
  const text = t(key);
  return text === key ? id || '' : text;
}

function allCriteria() {
  const list = [];
  for (const mod of S.view.modules || []) for (const cr of mod.criteria || []) list.push(cr);
  return list;
}

function progressOf(contestant) {
  const crs = allCriteria();
  let done = 0;
  let queued = false;
  let rejected = false;
  for (const cr of crs) {
    if (cellMarked(contestant, cr)) done++;
    const st = cellStatus(contestant, cr);
    if (st === 'queued') queued = true;
    if (st === 'rejected') rejected = true;
  }
  return { done, total: crs.length, queued, rejected };
}

/** The filled part of a progress bar; width through the CSSOM (the CSP forbids style attributes). */
function barFill(percent) {
  const el = h('span');
  el.style.width = `${Math.round(percent)}%`;
  return el;
}

function renderRoster() {
  const list = $('roster-list');
  const filter = normaliseDigits($('roster-search').value).toLowerCase();
  const rows = S.contestants.filter(
    (c) => !filter || String(c.station ?? '').toLowerCase().includes(filter) || String(c.name ?? '').toLowerCase().includes(filter) || String(c.id).toLowerCase().includes(filter),
  );
  $('roster-count').textContent = String(S.contestants.length);
  const items = rows.map((c) => {
    const p = progressOf(c.id);
    const status = p.rejected ? 'rejected' : p.queued ? 'queued' : p.done === p.total && p.total ? 'complete' : p.done ? 'partial' : 'empty';
    const timing = anyStopwatchRunning(c.id);
    return h(
      'li',
      null,
      h(
        'button',
        {
          type: 'button',
          class: 'roster-item',
          'aria-current': c.id === S.selected ? 'true' : null,
          dataset: { contestant: c.id, status },
          onclick: () => selectContestant(c.id),
        },
        h('span', { class: 'roster-station num' }, h('small', { text: t('judge.station') }), h('b', { text: c.station ?? '–' })),
        h(
          'span',
          { class: 'roster-main' },
          h('span', { class: 'roster-name', text: c.name || c.id }),
          h('span', { class: 'roster-meta', text: [groupName(c.group), c.id].filter(Boolean).join(' · ') }),
          rosterStages(c.id),
        ),
        h(
          'span',
          { class: 'roster-progress' },
          timing ? h('span', { class: 'roster-timing', text: t('judge.timing') }) : null,
          h('span', { class: 'roster-fraction num', text: `${p.done}/${p.total}` }),
          h('span', { class: 'roster-bar', 'aria-hidden': 'true' }, barFill(p.total ? (100 * p.done) / p.total : 0)),
        ),
      ),
    );
  });
  if (!items.length) items.push(h('li', { class: 'roster-none', text: S.contestants.length ? t('judge.noMatch') : t('judge.noContestants') }));
  list.replaceChildren(...items);
}

// ------------------------------------------------------------- stages (闯关)

// The judge-view does not carry stages: they come from the public board, which a judge
// may read only while the standings are published (403 otherwise: nothing is shown).

const BOARD_EVERY_MS = 20_000;

async function loadBoard() {
  const id = S.compId;
  if (!id || !navigator.onLine) return;
  let board = null;
  try {
    board = await api.get(`/api/v1/public/competitions/${api.seg(id)}/board`);
  } catch {
    board = null; // hidden standings (403) or unreachable: no stages shown
  }
  if (id !== S.compId) return;
  noteServerTime(board && board.at, true);
  const next = boardStages(board);
  const key = (b) => (b ? JSON.stringify([[...b.modules], [...b.of]]) : '');
  if (key(next) === key(S.board)) return;
  S.board = next;
  if (S.view && !$('view-judge').hidden) {
    renderRoster();
    paintStages();
  }
}

function boardStages(board) {
  if (!board || !Array.isArray(board.modules) || !Array.isArray(board.contestants)) return null;
  const modules = new Map();
  for (const m of board.modules) if (m && Array.isArray(m.stages) && m.stages.length) modules.set(m.id, m.stages);
  if (!modules.size) return null;
  const of = new Map();
  for (const c of board.contestants) if (c && c.id) of.set(c.id, c.stages && typeof c.stages === 'object' ? c.stages : {});
  return { modules, of };
}

/** Stages of a module in the judge-view, with each stage's criteria when known. */
function stagesOf(mod) {
  const fromBoard = S.board && S.board.modules.get(mod.id);
  if (!fromBoard) return null;
  const own = Array.isArray(mod.stages) ? mod.stages : [];
  return fromBoard.map((st) => ({ ...st, criteria: st.criteria || (own.find((x) => x.id === st.id) || {}).criteria }));
}

/** A contestant's stage in a module, or null: {k, n, passed, cleared, name, times: ms each
 * passed stage took (null: unknown), since: server ms the current stage began (null:
 * unknown), failed: the current stage marked in full below its pass score}. */
function stageOf(contestant, mod) {
  const stages = stagesOf(mod);
  if (!stages) return null;
  const s = (S.board.of.get(contestant) || {})[mod.id] || null;
  const n = Math.max(1, Number(s && s.of) || stages.length);
  const passed = Math.max(0, Math.min(n, Math.floor(Number(s && s.passed) || 0)));
  const cleared = !!s && s.current == null && passed >= n;
  const current = cleared ? null : stages.find((x) => x.id === (s && s.current)) || stages[Math.min(passed, stages.length - 1)];
  const times = (s && Array.isArray(s.times) ? s.times.slice(0, passed) : []).map((x) => (typeof x === 'number' && x >= 0 ? x : null));
  const since = !cleared && s && typeof s.since === 'number' && s.since > 0 ? s.since : null;
  return {
    k: cleared ? n : passed + 1, n, passed, cleared, id: current ? current.id : '', name: current ? String(current.name || current.id) : '', stages,
    times, since, failed: !cleared && !!s && s.failed === true,
  };
}

/** A stage time or clock as "5:08" (clock.js), with this page's "–" when unknown. */
const fmtMs = (ms) => (typeof ms === 'number' && Number.isFinite(ms) ? fmtClock(ms) : '–');

/** The current stage's state, compact: its running clock, or 未通过; null otherwise. */
function stageClock(sg, long) {
  if (!sg || sg.cleared) return null;
  if (sg.failed) return h('span', { class: 'stage-failed', dataset: { state: 'failed' }, title: t('stage.failedTitle'), text: t('stage.failed') });
  if (!sg.since) return null;
  const clock = h('span', { class: 'clock-t num', dataset: { since: String(sg.since) }, text: fmtMs(serverNow() - sg.since) });
  return h('span', { class: 'stage-clock', dataset: { state: 'running' }, title: t('stage.clockTitle') }, long ? [`${t('stage.clockLabel')} `, clock] : clock);
}

function stageText(sg, withName) {
  if (sg.cleared) return t('stage.cleared');
  const text = t('stage.nth', { k: sg.k, n: sg.n });
  return withName && sg.name ? `${text} · ${sg.name}` : text;
}

/** Whether a criterion belongs to a stage the contestant has not reached (only when the
 * stages' criteria are known). */
function criterionLocked(sg, crId) {
  if (!sg || sg.cleared) return false;
  const at = sg.stages.findIndex((st) => Array.isArray(st.criteria) && st.criteria.includes(crId));
  return at > sg.passed;
}

function rosterStages(contestant) {
  if (!S.board) return null;
  const items = (S.view.modules || [])
    .map((mod) => [mod, stageOf(contestant, mod)])
    .filter(([, sg]) => sg)
    .map(([mod, sg]) =>
      h('span', { class: `roster-stage${sg.cleared ? ' is-cleared' : sg.failed ? ' is-failed' : ''}`, dataset: { module: mod.id, stage: sg.cleared ? 'cleared' : sg.id }, title: sg.name || null },
        `${mod.id} ${stageText(sg, false)}`, stageClock(sg, false)),
    );
  return items.length ? h('span', { class: 'roster-stages' }, items) : null;
}

/** The sheet's stage line per module and the 未解锁 marks on criteria, updated in place. */
function paintStages() {
  const body = $('sheet-body');
  if (!body || !S.selected) return;
  for (const mod of S.view.modules || []) {
    const section = body.querySelector(`.module[data-module="${CSS.escape(mod.id)}"]`);
    if (!section) continue;
    const sg = stageOf(S.selected, mod);
    const line = section.querySelector('.module-stage');
    if (line) {
      line.hidden = !sg;
      if (sg) {
        line.dataset.stage = sg.cleared ? 'cleared' : sg.id;
        line.classList.toggle('is-cleared', sg.cleared);
        line.classList.toggle('is-failed', sg.failed);
        const times = sg.times.length
          ? h('span', { class: 'stage-times' }, t('stage.times'), ...sg.times.map((ms, i) => h('span', { class: 'stage-time num', dataset: { k: String(i + 1) } }, ` ${circled(i + 1)} ${fmtMs(ms)}`)))
          : null;
        const parts = [
          h('b', { text: t('stage.current', { text: stageText(sg, true) }) }),
          stageClock(sg, true),
          times,
          sg.cleared ? null : h('span', { class: 'stage-hint', text: t('stage.hint') }),
        ];
        line.replaceChildren(...parts.filter(Boolean)); // replaceChildren writes a null as "null"
      }
    }
    for (const cr of mod.criteria || []) {
      const card = section.querySelector(`.crit[data-criterion="${CSS.escape(cr.id)}"]`);
      if (!card) continue;
      const locked = criterionLocked(sg, cr.id);
      card.classList.toggle('is-stage-locked', locked);
      const note = card.querySelector('.crit-stage-lock');
      if (note) note.hidden = !locked;
    }
  }
}

// ------------------------------------------------------------- score sheet

function selectContestant(id) {
  S.selected = id;
  try {
    sessionStorage.setItem(`jx.judge.sel.${S.compId}`, id);
  } catch {
    /* fine */
  }
  renderSheet();
  renderRoster();
  document.body.classList.toggle('show-sheet', !!id);
  $('sheet').scrollTop = 0;
  window.scrollTo(0, 0);
}

function renderSheet() {
  for (const card of S.cards) card.destroy();
  S.cards = [];
  const c = S.contestants.find((x) => x.id === S.selected);
  $('sheet-empty').hidden = !!c;
  const body = $('sheet-body');
  body.hidden = !c;
  if (!c) {
    body.replaceChildren();
    document.body.classList.remove('show-sheet');
    return;
  }
  const head = h(
    'div',
    { class: 'sheet-head' },
    h('button', { type: 'button', class: 'btn btn-ghost sheet-back', onclick: () => selectContestant(null) }, '‹ ', t('judge.back')),
    h(
      'div',
      { class: 'sheet-who' },
      h('span', { class: 'sheet-station num' }, h('small', { text: t('judge.station') }), h('b', { text: c.station ?? '–' })),
      h('div', null, h('h1', { class: 'sheet-name', text: c.name || c.id }), h('p', { class: 'sheet-meta', text: [groupName(c.group), c.id].filter(Boolean).join(' · ') })),
    ),
    h('span', { class: 'sheet-progress num', id: 'sheet-progress' }),
  );
  const modules = (S.view.modules || []).map((mod) => renderModule(c, mod));
  body.replaceChildren(head, ...modules);
  for (const card of S.cards) card.update();
  updateSheetProgress();
  paintStages();
}

function updateSheetProgress() {
  const el = $('sheet-progress');
  if (!el || !S.selected) return;
  const p = progressOf(S.selected);
  el.textContent = t('judge.progress', { done: p.done, total: p.total });
  el.dataset.complete = String(p.done === p.total && p.total > 0);
}

function renderModule(c, mod) {
  const locked = !!mod.locked;
  const progress = h('span', { class: 'module-progress num' });
  const section = h(
    'section',
    { class: 'module', dataset: { module: mod.id, locked: String(locked) } },
    h(
      'header',
      { class: 'module-head' },
      h('h2', null, h('span', { class: 'module-id', text: t('module.title', { id: mod.id }) }), h('span', { class: 'module-name', text: mod.name || '' })),
      locked ? h('span', { class: 'chip chip-locked', text: t('module.locked') }) : null,
      progress,
    ),
    locked ? h('p', { class: 'module-locked-hint', text: t('module.lockedHint') }) : null,
    h('p', { class: 'module-stage', role: 'status', hidden: true }),
  );
  const grid = h('div', { class: 'criteria' });
  for (const cr of mod.criteria || []) {
    const card = renderCriterion(c, mod, cr);
    S.cards.push(card);
    grid.append(card.el);
  }
  S.cards.push({
    update() {
      const crs = mod.criteria || [];
      const done = crs.filter((cr) => cellMarked(c.id, cr)).length;
      progress.textContent = t('module.progress', { done, total: crs.length });
    },
    destroy() {},
  });
  section.append(grid);
  return section;
}

// --------------------------------------------------------- criterion cards

function kindLabel(kind) {
  const key = `kind.${kind}`;
  const text = t(key);
  return text === key ? kind : text;
}

function stateChip(state, extra) {
  const names = { empty: 'state.empty', queued: 'state.queued', saved: 'state.saved', rejected: 'state.rejected' };
  return h('span', { class: `chip chip-${state}`, dataset: { state } }, t(names[state] || 'state.empty'), extra ? h('span', { class: 'chip-extra', text: extra }) : null);
}

function renderCriterion(c, mod, cr) {
  const locked = !!mod.locked;
  const status = h('div', { class: 'crit-status' });
  const el = h(
    'article',
    { class: `crit crit-${cr.kind}`, dataset: { criterion: cr.id, kind: cr.kind, state: 'empty' } },
    h(
      'header',
      { class: 'crit-head' },
      h('span', { class: 'crit-id', text: cr.id }),
      h('h3', { class: 'crit-name', text: cr.name || cr.id }),
      h('span', { class: `crit-kind kind-${cr.kind}`, text: kindLabel(cr.kind) }),
      h('span', { class: 'crit-max num', text: t('crit.max', { max: fmt(cr.max) }) }),
    ),
    h('p', { class: 'crit-stage-lock', title: t('stage.lockedTitle'), hidden: true }, h('b', { text: t('stage.locked') }), h('span', { text: t('stage.lockedTitle') })),
  );
  const builders = { judgement: judgementBody, measurement: numberBody, auto: numberBody, deduction: deductionBody, time: timeBody };
  const body = (builders[cr.kind] || numberBody)(c, cr, locked);
  el.append(body.el, status);
  return {
    el,
    update() {
      const state = cellStatus(c.id, cr);
      el.dataset.state = state;
      body.update(state);
      renderCritStatus(status, c, cr);
    },
    destroy() {
      if (body.destroy) body.destroy();
    },
  };
}

/** The state line under a card: chip, when it was saved, and a refusal with its reason. */
/** An open request of the chief judge to re-judge this criterion, or undefined. */
function rejudgeOf(contestant, criterion) {
  return ((S.view && S.view.rejudge) || []).find((r) => r.contestant === contestant && r.criterion === criterion);
}

function renderCritStatus(box, c, cr) {
  const parts = [];
  const ask = rejudgeOf(c.id, cr.id);
  if (ask) {
    parts.push(
      h(
        'div',
        { class: 'crit-rejudge', role: 'status' },
        h('b', { text: t('rejudge.ask', { by: ask.by }) }),
        ask.note ? h('span', { text: ask.note }) : null,
      ),
    );
  }
  if (cr.kind === 'deduction') {
    const rows = deductionState(c.id, cr.id);
    const live = rows.some((r) => r.entry.state === 'queued' || r.voidQueued) ? 'queued' : rows.some((r) => r.entry.state === 'saved') ? 'saved' : 'empty';
    parts.push(stateChip(live));
  } else {
    const { current, rejected } = valueState(c.id, cr.id);
    parts.push(stateChip(current ? current.state : 'empty', current && current.state === 'saved' ? clockTime(current.at) : ''));
    if (rejected) {
      parts.push(
        h(
          'div',
          { class: 'crit-rejected', role: 'alert', dataset: { key: rejected.key } },
          stateChip('rejected'),
          h('span', { class: 'crit-rejected-value', text: t('reject.value', { value: describe(cr, rejected) }) }),
          h('span', { class: 'crit-rejected-text', text: errorText(rejected.error) }),
          h('button', { type: 'button', class: 'btn btn-small btn-ghost', onclick: () => dismissRejected(rejected) }, t('deduct.dismiss')),
        ),
      );
    }
  }
  box.replaceChildren(...parts);
}

function judgementBody(c, cr, locked) {
  const buttons = [0, 1, 2, 3].map((g) =>
    h(
      'button',
      {
        type: 'button',
        class: 'grade',
        disabled: locked,
        'aria-pressed': 'false',
        dataset: { grade: String(g) },
        onclick: () => submitValue(c.id, cr, g, 'value'),
      },
      h('b', { class: 'num', text: String(g) }),
      h('small', { text: t(`judgement.g${g}`) }),
    ),
  );
  const hint = h('p', { class: 'hint', text: t('judgement.hint', { n: cr.judges || 1, max: fmt(cr.max) }) });
  const el = h('div', { class: 'crit-body' }, h('div', { class: 'grades', role: 'group' }, buttons), hint);
  return {
    el,
    update() {
      const { current } = valueState(c.id, cr.id);
      for (const b of buttons) {
        const on = !!current && current.amount === Number(b.dataset.grade);
        b.setAttribute('aria-pressed', String(on));
        b.dataset.state = on ? current.state : '';
      }
    },
  };
}

function numberInput(id, placeholder, labelText) {
  const input = h('input', {
    class: 'field num',
    id,
    type: 'text',
    inputmode: 'decimal',
    autocomplete: 'off',
    enterkeyhint: 'done',
    placeholder,
    'aria-label': labelText,
  });
  return input;
}

function setFieldError(input, box, text) {
  input.setAttribute('aria-invalid', text ? 'true' : 'false');
  box.textContent = text || '';
  box.hidden = !text;
}

function numberBody(c, cr, locked) {
  const id = `in-${c.id}-${cr.id}`;
  const input = numberInput(id, `0 – ${fmt(cr.max)}`, `${cr.id} ${t('measure.label')}`);
  input.disabled = locked;
  const error = h('p', { class: 'field-error', hidden: true });
  const current = h('span', { class: 'crit-current num' });
  const save = h('button', { type: 'button', class: 'btn btn-primary', disabled: locked, text: t('measure.save') });
  async function submit() {
    const parsed = parseDecimal(input.value);
    let err = parsed.error;
    if (!err && parsed.value > Number(cr.max)) err = t('err.range', { max: fmt(cr.max) });
    setFieldError(input, error, err);
    if (err) return;
    if (await submitValue(c.id, cr, parsed.value, 'value')) input.value = '';
  }
  save.addEventListener('click', submit);
  input.addEventListener('keydown', (ev) => ev.key === 'Enter' && submit());
  input.addEventListener('input', () => setFieldError(input, error, ''));
  const el = h(
    'div',
    { class: 'crit-body' },
    h('div', { class: 'entry-row' }, input, save, current),
    error,
    h('p', { class: 'hint', text: t('measure.hint', { max: fmt(cr.max) }) }),
  );
  return {
    el,
    update() {
      const { current: cur } = valueState(c.id, cr.id);
      current.textContent = cur ? t('measure.current', { value: fmt(cur.amount) }) : '';
      current.dataset.state = cur ? cur.state : '';
    },
  };
}

function reasonsFor(cr) {
  const list = cr.deduction_reasons || (S.view && S.view.deduction_reasons) || [];
  return list.filter((r) => typeof r === 'string' && r.trim()).slice(0, 12);
}

function deductionBody(c, cr, locked) {
  const amount = numberInput(`in-${c.id}-${cr.id}`, t('deduct.amount'), `${cr.id} ${t('deduct.amount')}`);
  amount.classList.add('deduct-amount');
  const listId = `reasons-${cr.id}`;
  const reason = h('input', {
    class: 'field deduct-reason',
    type: 'text',
    list: listId,
    maxlength: '200',
    autocomplete: 'off',
    placeholder: t('deduct.reasonPlaceholder'),
    'aria-label': `${cr.id} ${t('deduct.reason')}`,
  });
  const reasons = reasonsFor(cr);
  const datalist = h('datalist', { id: listId }, reasons.map((r) => h('option', { value: r })));
  const chips = reasons.map((r) =>
    h('button', { type: 'button', class: 'reason-chip', disabled: locked, text: r, onclick: () => { reason.value = r; setFieldError(reason, error, ''); } }),
  );
  const add = h('button', { type: 'button', class: 'btn btn-primary', disabled: locked, text: t('deduct.add') });
  const none = h('button', { type: 'button', class: 'btn', disabled: locked, text: t('deduct.none') });
  const error = h('p', { class: 'field-error', hidden: true });
  const list = h('ul', { class: 'deductions' });
  const total = h('p', { class: 'deduct-total num' });
  amount.disabled = locked;
  reason.disabled = locked;

  async function submit() {
    const parsed = parseDecimal(amount.value);
    let err = parsed.error;
    if (!err && parsed.value > Number(cr.max)) err = t('err.range', { max: fmt(cr.max) });
    setFieldError(amount, error, err);
    if (err) return;
    const why = reason.value.trim();
    if (!why) {
      setFieldError(reason, error, t('err.reason'));
      reason.focus();
      return;
    }
    await submitDeduction(c.id, cr, parsed.value, why);
    amount.value = '';
    reason.value = '';
  }
  add.addEventListener('click', submit);
  amount.addEventListener('keydown', (ev) => ev.key === 'Enter' && reason.focus());
  reason.addEventListener('keydown', (ev) => ev.key === 'Enter' && submit());
  amount.addEventListener('input', () => setFieldError(amount, error, ''));
  reason.addEventListener('input', () => setFieldError(reason, error, ''));
  none.addEventListener('click', () => submitDeduction(c.id, cr, 0, t('deduct.noneReason')));

  const el = h(
    'div',
    { class: 'crit-body' },
    h('div', { class: 'deduct-form' }, amount, reason, datalist, add),
    chips.length ? h('div', { class: 'reason-chips' }, chips) : null,
    error,
    h('div', { class: 'deduct-foot' }, total, none),
    list,
  );
  return {
    el,
    update() {
      const rows = deductionState(c.id, cr.id);
      let sum = 0;
      for (const r of rows) if (!r.voided && r.entry.state !== 'rejected') sum += r.entry.amount;
      // Unmarked, the criterion scores 0 (DESIGN §4): show a total only once there is an entry.
      const counted = rows.some((r) => r.entry.state !== 'rejected');
      total.textContent = counted ? t('deduct.total', { sum: fmt(sum), score: fmt(Math.max(0, Number(cr.max) - sum)), max: fmt(cr.max) }) : '';
      const items = rows.map((r) => deductionRow(cr, r, locked));
      if (!items.length) items.push(h('li', { class: 'deductions-none', text: t('deduct.empty') }));
      list.replaceChildren(...items);
    },
  };
}

function deductionRow(cr, row, locked) {
  const e = row.entry;
  let state = e.state;
  let chip;
  if (row.voided) chip = h('span', { class: 'chip chip-locked', dataset: { state: 'voided' }, text: t('state.voided') });
  else if (row.voidQueued) chip = h('span', { class: 'chip chip-queued', dataset: { state: 'queued' }, text: t('state.voidQueued') });
  else chip = stateChip(state);
  if (row.voidQueued) state = 'queued';
  let action = null;
  if (e.state === 'rejected') {
    action = h('button', { type: 'button', class: 'btn btn-small btn-ghost', text: t('deduct.dismiss'), onclick: () => dismissRejected(e) });
  } else if (!row.voided && !row.voidQueued && !locked) {
    const label = withdrawable(e) ? t('deduct.withdraw') : t('deduct.void');
    action = h('button', { type: 'button', class: 'btn btn-small btn-danger', text: label, dataset: { action: 'void' }, onclick: () => voidDeduction(cr, e) });
  }
  const problems = [];
  if (e.state === 'rejected') problems.push(h('span', { class: 'deduction-error', text: errorText(e.error) }));
  if (row.voidRejected) {
    problems.push(h('span', { class: 'deduction-error' }, `${t('state.voidRejected')}：${errorText(row.voidRejected.error)}`));
  }
  return h(
    'li',
    { class: 'deduction', dataset: { key: e.key, state, voided: String(row.voided) } },
    h('span', { class: 'deduction-amount num', text: t('deduct.entry', { amount: fmt(e.amount) }) }),
    h('span', { class: 'deduction-reason', text: e.reason || '' }, ...problems),
    chip,
    action,
  );
}

// Stopwatches live in localStorage so a reload does not lose a running clock.
function swKey(contestant, criterion) {
  return `jx.sw.${S.user.username}.${S.compId}.${contestant}.${criterion}`;
}

function swRead(contestant, criterion) {
  try {
    const v = JSON.parse(localStorage.getItem(swKey(contestant, criterion)) || 'null');
    return v && typeof v === 'object' ? { start: v.start ?? null, acc: Number(v.acc) || 0 } : { start: null, acc: 0 };
  } catch {
    return { start: null, acc: 0 };
  }
}

function swWrite(contestant, criterion, sw) {
  try {
    if (!sw.start && !sw.acc) localStorage.removeItem(swKey(contestant, criterion));
    else localStorage.setItem(swKey(contestant, criterion), JSON.stringify(sw));
  } catch {
    /* the clock still runs in memory */
  }
}

const swElapsed = (sw) => sw.acc + (sw.start ? Date.now() - sw.start : 0);

function anyStopwatchRunning(contestant) {
  for (const cr of allCriteria()) if (cr.kind === 'time' && swRead(contestant, cr.id).start) return true;
  return false;
}

function timeBody(c, cr, locked) {
  let sw = swRead(c.id, cr.id);
  const display = h('output', { class: 'stopwatch-display num', 'aria-live': 'off' });
  const toggle = h('button', { type: 'button', class: 'btn btn-primary stopwatch-toggle', disabled: locked });
  const reset = h('button', { type: 'button', class: 'btn', disabled: locked, text: t('time.reset') });
  const input = numberInput(`in-${c.id}-${cr.id}`, '0:00', `${cr.id} ${t('time.label')}`);
  input.disabled = locked;
  const save = h('button', { type: 'button', class: 'btn btn-primary', disabled: locked, text: t('time.save') });
  const preview = h('span', { class: 'crit-preview num' });
  const error = h('p', { class: 'field-error', hidden: true });
  const current = h('p', { class: 'crit-current num' });
  let ticker = 0;

  function paint() {
    const ms = swElapsed(sw);
    const tenths = Math.floor(ms / 100) % 10;
    display.textContent = `${fmtDuration(Math.floor(ms / 1000))}.${tenths}`;
    display.dataset.running = String(!!sw.start);
    toggle.textContent = sw.start ? t('time.stop') : sw.acc ? t('time.resume') : t('time.start');
    toggle.classList.toggle('is-running', !!sw.start);
    reset.disabled = locked || (!sw.start && !sw.acc);
  }
  function tick() {
    clearInterval(ticker);
    if (sw.start) ticker = setInterval(paint, 100);
    paint();
  }
  function showPreview() {
    const parsed = parseDuration(input.value);
    preview.textContent = input.value.trim() && !parsed.error ? t('time.preview', { time: fmtDuration(parsed.value), score: fmt(timeScore(cr, parsed.value)) }) : '';
  }
  toggle.addEventListener('click', () => {
    if (sw.start) {
      sw = { start: null, acc: swElapsed(sw) };
      input.value = String(Math.round(sw.acc / 1000));
      setFieldError(input, error, '');
      showPreview();
    } else {
      sw = { start: Date.now(), acc: sw.acc };
    }
    swWrite(c.id, cr.id, sw);
    tick();
    renderRoster();
  });
  reset.addEventListener('click', () => {
    sw = { start: null, acc: 0 };
    swWrite(c.id, cr.id, sw);
    tick();
    renderRoster();
  });
  async function submit() {
    const parsed = parseDuration(input.value);
    setFieldError(input, error, parsed.error);
    if (parsed.error) return;
    if (await submitValue(c.id, cr, parsed.value, 'seconds')) {
      input.value = '';
      showPreview();
    }
  }
  save.addEventListener('click', submit);
  input.addEventListener('keydown', (ev) => ev.key === 'Enter' && submit());
  input.addEventListener('input', () => {
    setFieldError(input, error, '');
    showPreview();
  });
  tick();
  const el = h(
    'div',
    { class: 'crit-body' },
    h('div', { class: 'stopwatch' }, display, h('div', { class: 'stopwatch-buttons' }, toggle, reset)),
    h('div', { class: 'entry-row' }, input, save, preview),
    error,
    h('p', { class: 'hint', text: t('time.rule', { full: fmtDuration(Number(cr.full_within_s)), zero: fmtDuration(Number(cr.zero_after_s)) }) }),
    current,
  );
  return {
    el,
    update() {
      const { current: cur } = valueState(c.id, cr.id);
      current.textContent = cur ? t('time.current', { time: fmtDuration(cur.amount), score: fmt(timeScore(cr, cur.amount)), max: fmt(cr.max) }) : '';
      current.dataset.state = cur ? cur.state : '';
    },
    destroy() {
      clearInterval(ticker);
    },
  };
}

// ----------------------------------------------------------------- dialogs

/** Asks for a reason; resolves to the trimmed text, or null when cancelled. */
function askReason({ title, text, suggestions }) {
  const dialog = $('reason-dialog');
  const input = $('reason-input');
  const error = $('reason-error');
  $('reason-title').textContent = title;
  $('reason-text').textContent = text;
  $('reason-options').replaceChildren(...suggestions.map((s) => h('option', { value: s })));
  $('reason-chips').replaceChildren(
    ...suggestions.map((s) =>
      h('button', { type: 'button', class: 'reason-chip', text: s, onclick: () => { input.value = s; setFieldError(input, error, ''); } }),
    ),
  );
  input.value = '';
  setFieldError(input, error, '');
  return new Promise((resolve) => {
    const form = $('reason-form');
    function onSubmit(ev) {
      if (ev.submitter && ev.submitter.value === 'ok') {
        const value = input.value.trim();
        if (!value) {
          ev.preventDefault();
          setFieldError(input, error, t('err.reason'));
          input.focus();
          return;
        }
        finish(value);
      } else {
        finish(null);
      }
    }
    function onClose() {
      finish(null);
    }
    let done = false;
    function finish(value) {
      if (done) return;
      done = true;
      form.removeEventListener('submit', onSubmit);
      dialog.removeEventListener('close', onClose);
      if (dialog.open) dialog.close();
      resolve(value);
    }
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('close', onClose);
    dialog.showModal();
    input.focus();
  });
}

// ------------------------------------------------------------------ refresh

function refresh() {
  renderStatus();
  if (!S.view || $('view-judge').hidden) return;
  for (const card of S.cards) card.update();
  updateSheetProgress();
  renderRoster();
}

// ----------------------------------------------------------------- start-up

function cacheId(kind) {
  return `${S.user.username}|${kind}`;
}

function toLogin() {
  location.replace(`/login?next=${encodeURIComponent('/judge')}`);
}

async function loadUser() {
  try {
    const user = await api.me();
    S.user = { username: user.username, role: user.role, name: user.name };
    try {
      localStorage.setItem('jx.judge.user', JSON.stringify(S.user));
    } catch {
      /* fine */
    }
    return true;
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) {
      toLogin();
      return false;
    }
    // Offline: carry on as the judge who used this tablet last.
    try {
      S.user = JSON.parse(localStorage.getItem('jx.judge.user') || 'null');
    } catch {
      S.user = null;
    }
    if (!S.user) {
      showError(t('error.network'));
      return false;
    }
    S.stale = true;
    return true;
  }
}

async function loadCompetitions() {
  try {
    const answer = await api.get('/api/v1/competitions');
    S.comps = Array.isArray(answer.competitions) ? answer.competitions : [];
    await storage.cachePut(cacheId('competitions'), S.comps);
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return toLogin();
    if (err instanceof api.ApiError) return showError(localMessage(err.message));
    S.comps = (await storage.cacheGet(cacheId('competitions'))) || [];
    S.stale = true;
  }
  $('switch-comp').hidden = S.comps.length < 2;
  if (!S.comps.length) return showError(S.stale ? t('error.offlineFirst') : t('error.noComps'));
  let chosen = null;
  try {
    chosen = localStorage.getItem(`jx.judge.comp.${S.user.username}`);
  } catch {
    /* fine */
  }
  if (S.comps.length === 1) chosen = S.comps[0].id;
  if (chosen && S.comps.some((c) => c.id === chosen)) return openCompetition(chosen);
  showCompetitionPicker();
}

function showCompetitionPicker() {
  const list = $('comp-list');
  list.replaceChildren(
    ...S.comps.map((c) =>
      h('button', { type: 'button', class: 'comp-card', dataset: { comp: c.id }, onclick: () => openCompetition(c.id) }, h('b', { text: c.title || c.id }), h('small', { text: c.id })),
    ),
  );
  show('view-comps');
}

async function openCompetition(id) {
  S.compId = id;
  try {
    localStorage.setItem(`jx.judge.comp.${S.user.username}`, id);
  } catch {
    /* fine */
  }
  show('view-loading');
  let view = null;
  try {
    view = await api.get(`/api/v1/competitions/${api.seg(id)}/judge-view`);
    S.stale = false;
    await storage.cachePut(cacheId(`view|${id}`), view);
  } catch (err) {
    if (err instanceof api.ApiError) {
      if (err.status === 401) return toLogin();
      try {
        localStorage.removeItem(`jx.judge.comp.${S.user.username}`); // do not reopen it on reload
      } catch {
        /* fine */
      }
      return showError(err.status === 403 ? t('error.forbidden') : localMessage(err.message) || t('error.unknown'));
    }
    view = await storage.cacheGet(cacheId(`view|${id}`));
    if (!view) return showError(t('error.offlineFirst'));
    S.stale = true;
  }
  await useView(view);
  let sel = null;
  try {
    sel = sessionStorage.getItem(`jx.judge.sel.${id}`);
  } catch {
    /* fine */
  }
  S.selected = S.contestants.some((c) => c.id === sel) ? sel : null;
  S.board = null;
  show('view-judge');
  renderAll();
  loadBoard();
}

async function useView(view) {
  S.view = view;
  S.contestants = [...(view.contestants || [])].sort((a, b) => naturalCompare(a.station, b.station) || naturalCompare(a.id, b.id));
  S.criteria = new Map();
  for (const mod of view.modules || []) for (const cr of mod.criteria || []) S.criteria.set(cr.id, { cr, mod });
  await rebuildEntries();
  $('comp-title').textContent = (view.competition && view.competition.title) || S.compId;
  $('venue-name').textContent = (view.venue && view.venue.name) || '';
}

/** Re-reads the judge-view (locks, other changes) without disturbing what is on screen. */
async function refreshView() {
  if (!S.compId || S.sending || !navigator.onLine) return;
  try {
    const view = await api.get(`/api/v1/competitions/${api.seg(S.compId)}/judge-view`);
    await storage.cachePut(cacheId(`view|${S.compId}`), view);
    const lockChanged = JSON.stringify((view.modules || []).map((m) => [m.id, !!m.locked, (m.criteria || []).length])) !==
      JSON.stringify((S.view.modules || []).map((m) => [m.id, !!m.locked, (m.criteria || []).length]));
    const rosterChanged = (view.contestants || []).length !== S.contestants.length;
    S.stale = false;
    await useView(view);
    if (lockChanged || rosterChanged) renderAll();
    else refresh();
    loadBoard();
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) {
      S.authLost = true;
      renderStatus();
    }
  }
}

function renderAll() {
  applyI18n();
  $('user-name').textContent = S.user ? S.user.name || S.user.username : '';
  if (S.view && !$('view-judge').hidden) {
    renderSheet();
    document.body.classList.toggle('show-sheet', !!S.selected);
  }
  refresh();
}

async function logout() {
  const n = queuedCount();
  if (n && !window.confirm(t('judge.logoutPending', { n }))) return;
  try {
    await api.logout();
  } catch {
    /* signed out locally all the same */
  }
  location.assign('/login');
}

async function start() {
  applyI18n();
  bindLangToggle($('lang-toggle'));
  onLangChange(renderAll);
  $('logout').addEventListener('click', logout);
  $('switch-comp').addEventListener('click', showCompetitionPicker);
  $('error-retry').addEventListener('click', () => location.reload());
  $('error-switch').addEventListener('click', showCompetitionPicker);
  $('roster-search').addEventListener('input', renderRoster);
  $('net-banner-retry').addEventListener('click', () => {
    S.backoff = 0;
    kickSender(0);
  });
  window.addEventListener('online', () => {
    S.backoff = 0;
    renderStatus();
    if (queuedCount()) kickSender(0);
    else refreshView();
  });
  window.addEventListener('offline', renderStatus);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && kickSender(0));
  // Stages (闯关) move as anyone marks: read the board now and then; their clocks tick.
  setInterval(() => {
    if (document.visibilityState === 'visible' && S.view && !$('view-judge').hidden) loadBoard();
  }, BOARD_EVERY_MS);
  setInterval(tickClocks, 1000);
  // A slow safety net: wake the sender now and then.
  setInterval(() => {
    if (queuedCount() && !S.sending && !S.retryAt) kickSender(0);
  }, 5000);

  S.persistent = await storage.open();
  if (!(await loadUser())) return;
  $('user-name').textContent = S.user.name || S.user.username;
  S.queue = (await storage.outboxOf(S.user.username)).map((r) => ({ ...r, attempts: Math.max(1, r.attempts || 0) }));
  renderStatus();
  await loadCompetitions();
  kickSender(0);
}

start().catch((err) => {
  console.error(err);
  showError(t('error.unknown'));
});
