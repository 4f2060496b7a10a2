// The big screen (/screen/{id}): the live rankings of one competition on a venue's wall.
//
// It reads the public board once, then follows the live stream (docs/live.md): a
// `snapshot` replaces the whole board, `standings` deltas are merged into it (ignored
// when their seq is not newer than the board's), `module` marks a module signed off,
// `hidden` switches to a calm "not published" state that polls the board every 10 s,
// and `screen` changes the rotation of views. Spectator data (likes, cheers, comments,
// expert commentary) feeds the ticker; the feed is fetched again on every stream `open`
// because those events are not replayed.
//
// Views: overall, group:ID, venue:ID, module:ID (单项能力动态排名) and progress (both
// venues side by side). They rotate as the organiser chose (board.screen), or one is
// pinned with ?view=…. Ranking rows are keyed by contestant and positioned with
// translateY, so a rank change slides the row to its new place; arrows and score
// deltas flash for a while.
//
// Modules in stages (闯关): each row shows the stage reached, the passed stages' times,
// the current stage's clock (running on the server's time, from the board's `at`), 未通过
// for a stage marked in full below its pass score, and the total once every stage passed.
//
// Everything from the server is set with textContent: names and comments are
// untrusted. For tests, window.jxScreen = {seq, board, view, state} is kept current and
// every ranking row carries data-contestant and data-rank.
//
// Sections: messages · state · helpers · stage · connection · board · ranking ·
// progress · side panel · ticker · rotation · start-up.

import { ApiError, get, seg } from '/static/common/api.js';
import { circled, fmtDuration, noteServerTime, serverNow, tickClocks } from '/static/common/clock.js';
import { $, fmt, h } from '/static/common/dom.js';
import { applyI18n, define, getLang, setLang, t } from '/static/common/i18n.js';

// ---------------------------------------------------------------- messages

define({
  zh: {
    'screen.pageTitle': '实时排名大屏 · 匠星',
    'screen.kicker': '实时动态排名',
    'screen.locked': '已签核',
    'screen.noRows': '暂无成绩',
    'screen.venuesTitle': '异地同赛 · 赛场进度',
    'screen.alarmTitle': '设备报警 · 工位无信号',
    'screen.alarmSince': '{time} 起无信号',
    'screen.commentary': '专家点评',
    'screen.commentaryEmpty': '专家点评即将呈现',
    'screen.qrCaption': '扫码观赛·点赞·留言',
    'screen.qrHint': '手机扫码，为选手加油打榜',
    'screen.fans': '人气榜',
    'screen.ticker': '现场互动',
    'screen.hiddenTitle': '成绩暂未公布',
    'screen.hiddenText': '比赛正在进行，成绩经裁判长审核后将在此实时公布',
    'conn.connecting': '连接中',
    'conn.live': '实时',
    'conn.reconnecting': '重新连接中',
    'conn.offline': '连接中断',
    'conn.hidden': '未公布',
    'view.overall': '总成绩动态排名',
    'view.overallKicker': '总排名 · OVERALL',
    'view.overallShort': '总排名',
    'view.groupKicker': '组别排名 · GROUP',
    'view.group': '{name} · 动态排名',
    'view.venueKicker': '赛场排名 · VENUE',
    'view.venue': '{name} · 动态排名',
    'view.moduleKicker': '单项能力动态排名 · MODULE',
    'view.module': '{id} · {name}',
    'view.progressKicker': '异地同赛 · PROGRESS',
    'view.progress': '赛程进度 · 各赛场实况',
    'view.progressShort': '赛程进度',
    'view.sub': '前 {top} 名 · 共 {n} 名选手',
    'view.subModule': '满分 {max} · 已完成 {done} 人 · 评分中 {active} 人',
    'view.subProgress': '{venues} 个赛场 · {n} 名选手 · {modules} 个模块',
    'view.next': '下一屏 · {name}',
    'col.rank': '名次',
    'col.move': '变化',
    'col.who': '选手 · 单位',
    'col.mods': '模块进度',
    'col.module': '单项得分',
    'col.award': '奖项',
    'col.total': '总分',
    'row.tie': '并列',
    'row.new': '新进',
    'row.incomplete': '未完赛',
    'row.station': '{venue} {station}号工位',
    'row.total': '总分',
    'state.done': '已完成',
    'state.active': '评分中',
    'state.todo': '未开始',
    'legend.incomplete': '尚有评分项未评',
    'stage.nth': '第{k}关/共{n}关',
    'stage.short': '第{k}/{n}关',
    'stage.cleared': '全部通关',
    'stage.clearedShort': '通关',
    'stage.title': '{module} 闯关：{text}',
    'stage.failed': '未通过',
    'stage.total': '总用时 {time}',
    'view.subStages': '已通关 {n} 人',
    'view.subFailed': '未通过 {n} 人',
    'progress.count': '{n} 名选手',
    'progress.mods': '{done}/{n}',
    'venue.meta': '{n} 人 · 评分中 {active}',
    'tk.comment': '留言',
    'tk.commentary': '专家点评',
    'tk.like': '点赞',
    'tk.cheer': '打榜',
    'tk.to': '致 {name}',
    'tk.likeText': '{name} 获赞',
    'tk.cheerText': '{name} 获打榜',
    'tk.invite': '扫码',
    'tk.inviteText': '扫描右侧二维码，为你支持的选手点赞、打榜、留言',
    'tk.waitText': '成绩经裁判长审核后实时公布，敬请关注',
  },
  en: {
    'screen.pageTitle': 'Live rankings · Jiangxing',
    'screen.kicker': 'LIVE RANKINGS',
    'screen.locked': 'Signed off',
    'screen.noRows': 'No scores yet',
    'screen.venuesTitle': 'Venues · progress',
    'screen.alarmTitle': 'Device alarm · station silent',
    'screen.alarmSince': 'silent since {time}',
    'screen.commentary': 'Expert commentary',
    'screen.commentaryEmpty': 'Commentary will appear here',
    'screen.qrCaption': 'Scan to watch, like and comment',
    'screen.qrHint': 'Cheer for a contestant from your phone',
    'screen.fans': 'Most liked',
    'screen.ticker': 'Live',
    'screen.hiddenTitle': 'Results not yet published',
    'screen.hiddenText': 'The competition is under way; results appear here once the chief judges have checked them',
    'conn.connecting': 'Connecting',
    'conn.live': 'Live',
    'conn.reconnecting': 'Reconnecting',
    'conn.offline': 'Disconnected',
    'conn.hidden': 'Not published',
    'view.overall': 'Overall standings',
    'view.overallKicker': 'OVERALL',
    'view.overallShort': 'Overall',
    'view.groupKicker': 'GROUP',
    'view.group': '{name} · standings',
    'view.venueKicker': 'VENUE',
    'view.venue': '{name} · standings',
    'view.moduleKicker': 'MODULE · LIVE RANKING',
    'view.module': '{id} · {name}',
    'view.progressKicker': 'ALL VENUES · PROGRESS',
    'view.progress': 'Progress at every venue',
    'view.progressShort': 'Progress',
    'view.sub': 'Top {top} of {n}',
    'view.subModule': 'Max {max} · {done} done · {active} being marked',
    'view.subProgress': '{venues} venues · {n} contestants · {modules} modules',
    'view.next': 'Next · {name}',
    'col.rank': 'RANK',
    'col.move': '±',
    'col.who': 'CONTESTANT',
    'col.mods': 'MODULES',
    'col.module': 'MODULE SCORE',
    'col.award': 'AWARD',
    'col.total': 'TOTAL',
    'row.tie': 'TIE',
    'row.new': 'NEW',
    'row.incomplete': 'INCOMPLETE',
    'row.station': '{venue} · station {station}',
    'row.total': 'Total',
    'state.done': 'Done',
    'state.active': 'Marking',
    'state.todo': 'Not started',
    'legend.incomplete': 'not every criterion marked yet',
    'stage.nth': 'Stage {k} of {n}',
    'stage.short': 'S{k}/{n}',
    'stage.cleared': 'All stages passed',
    'stage.clearedShort': 'Cleared',
    'stage.title': '{module} stages: {text}',
    'stage.failed': 'Not passed',
    'stage.total': 'Total {time}',
    'view.subStages': '{n} passed every stage',
    'view.subFailed': '{n} not passed',
    'progress.count': '{n} contestants',
    'progress.mods': '{done}/{n}',
    'venue.meta': '{n} · {active} being marked',
    'tk.comment': 'Comment',
    'tk.commentary': 'Expert',
    'tk.like': 'Like',
    'tk.cheer': 'Cheer',
    'tk.to': 'to {name}',
    'tk.likeText': '{name} liked',
    'tk.cheerText': '{name} cheered',
    'tk.invite': 'Scan',
    'tk.inviteText': 'Scan the QR code to like, cheer and comment',
    'tk.waitText': 'Results appear here once the chief judges have checked them',
  },
});

// ---------------------------------------------------------------- state

const STAGE_W = 1920;
const STAGE_H = 1080;
const MOVE_MS = 12_000; // how long ▲/▼ stays next to a row
const DELTA_MS = 6_000; // how long the score delta chip stays
const HIDDEN_POLL_MS = 10_000;
const ROWS_MIN = 8; // rows are never taller than a tenth of the board… or an eighth

const params = new URLSearchParams(location.search);
const compId = decodeURIComponent(location.pathname.replace(/\/+$/, '').split('/').pop() || '');
const pinned = params.get('view');
const paths = {
  board: `/api/v1/public/competitions/${seg(compId)}/board`,
  feed: `/api/v1/public/competitions/${seg(compId)}/feed`,
  qr: `/api/v1/public/competitions/${seg(compId)}/qr.svg`,
  live: `/api/v1/competitions/${seg(compId)}/live`,
};

const state = {
  board: null,
  byId: new Map(),
  likes: new Map(),
  cheers: new Map(),
  moves: new Map(), // contestant → {scope: {d, at}} (d > 0: moved up d places)
  deltas: new Map(), // contestant → {d, at}
  entered: new Map(), // contestant → {scope: at}: came into the shown top from below
  views: ['overall'],
  viewIndex: 0,
  view: null,
  rotateTimer: 0,
  rotationKey: '',
  es: null,
  mode: 'connecting', // connecting | live | hidden | offline
  retry: 0,
  retryTimer: 0,
  pollTimer: 0,
  lastUpdate: 0,
};
const rowEls = new Map(); // contestant → row element of the current view

const screenInfo = { seq: 0, board: null, view: null, state: 'connecting', snapshots: 0 };
window.jxScreen = screenInfo;

function publish() {
  screenInfo.seq = state.board ? state.board.seq : 0;
  screenInfo.board = state.board;
  screenInfo.view = state.view;
  screenInfo.state = state.mode;
}

// ---------------------------------------------------------------- helpers

const SVG = 'http://www.w3.org/2000/svg';
function icon(pathData, cls) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  if (cls) svg.setAttribute('class', cls);
  const p = document.createElementNS(SVG, 'path');
  p.setAttribute('d', pathData);
  p.setAttribute('fill', 'currentColor');
  svg.append(p);
  return svg;
}
const STOPWATCH = 'M9 1h6v2H9zm3 3a9 9 0 1 1 0 18 9 9 0 0 1 0-18zm0 2a7 7 0 1 0 0 14 7 7 0 0 0 0-14zm-1 2h2v5.6l3.4 2-1 1.7L11 14.7zm7.3-3.7 1.4-1.4 2 2-1.4 1.4z';
const HEART = 'M12 21s-7.5-4.6-9.6-9.2C.9 8.4 3 4.5 6.8 4.5c2.1 0 3.5 1.1 5.2 3 1.7-1.9 3.1-3 5.2-3 3.8 0 5.9 3.9 4.4 7.3C19.5 16.4 12 21 12 21z';

const total3 = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 3, maximumFractionDigits: 3, useGrouping: false });
const fmtTotal = (n) => (typeof n === 'number' && Number.isFinite(n) ? total3.format(n) : '—');
const fmtSigned = (n) => (n > 0 ? '+' : '−') + fmt(Math.abs(Math.round(n * 1000) / 1000));
const fmtPct = (x) => String(Math.round(x * 100));
const clamp01 = (x) => (x > 0 ? (x < 1 ? x : 1) : 0);

/** A station as shown next to its venue's name: "wz-19" at venue wz is "19". */
function stationLabel(c) {
  const st = String(c.station || '');
  const prefix = `${c.venue}`;
  if (prefix && st.length > prefix.length + 1 && st.startsWith(prefix) && '-_ '.includes(st[prefix.length])) return st.slice(prefix.length + 1);
  return st;
}

const groupName = (id) => (state.board.groups.find((g) => g.id === id) || { name: id }).name;
const venueName = (id) => (state.board.venues.find((v) => v.id === id) || { name: id }).name;
const moduleOf = (id) => state.board.modules.find((m) => m.id === id);
const isStaged = (m) => !!m && Array.isArray(m.stages) && m.stages.length > 0;

/** A contestant's stage (闯关) in a module with stages, null otherwise:
 * {k: the stage reached (1-based), n, passed, cleared: every stage passed, name,
 *  times: ms each passed stage took (null: unknown), since: server ms the current stage
 *  began (null: unknown or cleared), failed: the current stage marked in full below its
 *  pass score, total: ms of every stage when cleared and every time is known, else null}. */
function stageOf(c, m) {
  if (!isStaged(m)) return null;
  const s = c.stages && typeof c.stages === 'object' ? c.stages[m.id] : null;
  const n = Math.max(1, Number(s && s.of) || m.stages.length);
  const passed = Math.max(0, Math.min(n, Math.floor(Number(s && s.passed) || 0)));
  const cleared = !!s && s.current == null && passed >= n;
  const current = cleared ? null : m.stages.find((x) => x.id === (s && s.current)) || m.stages[Math.min(passed, m.stages.length - 1)];
  const times = (s && Array.isArray(s.times) ? s.times.slice(0, passed) : []).map((x) => (typeof x === 'number' && x >= 0 ? x : null));
  const since = !cleared && s && typeof s.since === 'number' && s.since > 0 ? s.since : null;
  const total = cleared && times.length === n && times.every((x) => x !== null) ? times.reduce((a, x) => a + x, 0) : null;
  return {
    k: cleared ? n : passed + 1, n, passed, cleared, id: current ? current.id : null, name: current ? String(current.name || current.id || '') : '',
    times, since, failed: !cleared && !!s && s.failed === true, total,
  };
}

/** A running stage clock: its text is set again every second by tickClocks(). */
function clockSpan(since, cls) {
  return h('span', { class: `clock-t num${cls ? ` ${cls}` : ''}`, dataset: { since: String(since) }, text: fmtDuration(serverNow() - since) });
}

/** The completed stages' times: "① 5:08 ② 20:35" as spans. */
function stageTimes(sg) {
  return sg.times.map((ms, i) => h('span', { class: 'stage-time', dataset: { k: String(i + 1) } }, h('i', { text: circled(i + 1) }), fmtDuration(ms)));
}

/** "第2关/共3关" (long) or "第2/3关" (short); "全部通关" / "通关" when every stage passed. */
function stageText(st, short) {
  if (st.cleared) return t(short ? 'stage.clearedShort' : 'stage.cleared');
  return t(short ? 'stage.short' : 'stage.nth', { k: st.k, n: st.n });
}

/** The module view's clock cell: the current stage's running clock, 未通过 when it was
 * marked in full below its pass score, the total time once every stage is passed. */
function fillStageClock(el, sg) {
  const mode = sg.cleared ? (sg.total !== null ? 'total' : 'none') : sg.failed ? 'failed' : sg.since ? 'running' : 'none';
  const key = `${mode}|${sg.since || ''}|${sg.total}|${getLang()}`;
  el.dataset.state = mode;
  el.className = `r-stage-clock is-${mode}`;
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  if (mode === 'running') el.replaceChildren(icon(STOPWATCH, 'clock-icon'), clockSpan(sg.since));
  else if (mode === 'failed') el.replaceChildren(h('b', { text: `✕ ${t('stage.failed')}` }));
  else if (mode === 'total') el.replaceChildren(t('stage.total', { time: fmtDuration(sg.total) }));
  else el.replaceChildren();
}

/** The board as the page uses it: every list and map present, whatever the server left out. */
function normalise(b) {
  const board = b && typeof b === 'object' ? b : {};
  for (const key of ['groups', 'venues', 'modules', 'awards', 'contestants']) if (!Array.isArray(board[key])) board[key] = [];
  board.seq = Number(board.seq) || 0;
  board.screen = normaliseScreen(board.screen);
  for (const c of board.contestants) {
    for (const key of ['ranks', 'modules', 'progress', 'stages']) if (!c[key] || typeof c[key] !== 'object') c[key] = {};
    if (c.award == null) delete c.award;
  }
  return board;
}

function normaliseScreen(s) {
  const screen = s && typeof s === 'object' ? s : {};
  return {
    rotation: Array.isArray(screen.rotation) && screen.rotation.length ? screen.rotation.map(String) : ['overall'],
    seconds: Math.min(600, Math.max(5, Number(screen.seconds) || 20)),
    top: Math.min(50, Math.max(3, Math.round(Number(screen.top) || 10))),
  };
}

/** Whether a view name can be shown with this board. */
function validView(v) {
  if (v === 'overall' || v === 'progress') return true;
  const [kind, id] = [v.slice(0, v.indexOf(':')), v.slice(v.indexOf(':') + 1)];
  if (kind === 'group') return state.board.groups.some((g) => g.id === id);
  if (kind === 'venue') return state.board.venues.some((x) => x.id === id);
  if (kind === 'module') return state.board.modules.some((m) => m.id === id);
  return false;
}

function viewShortName(v) {
  if (v === 'overall') return t('view.overallShort');
  if (v === 'progress') return t('view.progressShort');
  const id = v.slice(v.indexOf(':') + 1);
  if (v.startsWith('group:')) return groupName(id);
  if (v.startsWith('venue:')) return venueName(id);
  const m = moduleOf(id);
  return m ? `${m.id} ${m.name}` : v;
}

// ---------------------------------------------------------------- stage

const stage = $('stage');
function fit() {
  const scale = Math.min(window.innerWidth / STAGE_W, window.innerHeight / STAGE_H);
  stage.style.transform = `translate(-50%, -50%) scale(${scale})`;
}

const clockFormat = new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
function tick() {
  const now = clockFormat.format(new Date());
  $('clock').textContent = now;
  $('hidden-clock').textContent = now;
  expireMarks();
  tickClocks(stage);
}

// ---------------------------------------------------------------- connection

function setMode(mode) {
  state.mode = mode;
  document.body.dataset.state = mode;
  const conn = $('conn');
  const key = mode === 'hidden' ? 'conn.hidden' : `conn.${mode}`;
  conn.dataset.conn = mode;
  $('conn-text').dataset.i18n = key;
  $('conn-text').textContent = t(key);
  $('hidden-state').hidden = mode !== 'hidden';
  publish();
}

function showSeq() {
  $('conn-seq').textContent = state.board ? `#${state.board.seq}` : '';
}

function closeStream() {
  if (state.es) {
    state.es.close();
    state.es = null;
  }
}

function openStream() {
  closeStream();
  clearTimeout(state.retryTimer);
  const es = new EventSource(paths.live);
  state.es = es;
  if (state.mode !== 'live') setMode(state.board ? 'reconnecting' : 'connecting');
  const on = (name, fn) =>
    es.addEventListener(name, (e) => {
      if (state.es !== es) return; // an old stream's last words
      let data;
      try {
        data = e.data ? JSON.parse(e.data) : {};
      } catch {
        return;
      }
      fn(data, e);
    });
  es.addEventListener('open', () => {
    if (state.es !== es) return;
    state.retry = 0;
    setMode('live');
    loadFeed();
  });
  es.addEventListener('error', () => {
    if (state.es !== es) return;
    if (es.readyState === EventSource.CLOSED) {
      // Refused (403 after hiding, 404, 5xx): ask the board why, then try again.
      state.es = null;
      setMode('offline');
      scheduleRecover();
    } else {
      setMode('reconnecting'); // EventSource retries by itself, with Last-Event-ID
    }
  });
  on('snapshot', (data) => {
    screenInfo.snapshots++; // a resumed stream sends none: tests check it
    replaceBoard(data);
  });
  on('standings', (data) => applyStandings(data));
  on('module', (data) => applyModule(data));
  on('hidden', () => enterHidden());
  on('reactions', (data) => applyReactions(data, true));
  on('comment', (data) => addComment(data, true));
  on('commentary', (data) => addCommentary(data, true));
  on('screen', (data) => applyScreen(data));
  on('alarm', (data) => applyAlarm(data));
}

// ---------------------------------------------------------------- device alarms

// Stations whose devices fell silent (docs/devices.md): from the board, then live.
const alarms = new Map();

function applyAlarm(a) {
  if (!a || typeof a.station !== 'string') return;
  if (a.silent) alarms.set(a.station, a);
  else alarms.delete(a.station);
  renderAlarms();
}

function renderAlarms() {
  const card = $('alarm-card');
  card.hidden = alarms.size === 0;
  const time = (ms) => new Date(ms).toLocaleTimeString(getLang() === 'en' ? 'en-GB' : 'zh-CN', { hour12: false });
  $('alarm-list').replaceChildren(
    ...[...alarms.values()].map((a) => {
      const who = state.byId && state.byId.get(a.contestant);
      return h('li', null, h('b', { class: 'num', text: a.station }), h('span', { text: who ? who.name : a.contestant }),
        h('small', { text: t('screen.alarmSince', { time: time(a.since) }) }));
    }),
  );
}

function scheduleRecover() {
  clearTimeout(state.retryTimer);
  const wait = Math.min(30_000, 1000 * 2 ** Math.min(state.retry, 5));
  state.retry++;
  state.retryTimer = setTimeout(recover, wait);
}

/** Reads the board; then follows the stream, or waits while the standings are hidden. */
async function recover() {
  clearTimeout(state.retryTimer);
  let board;
  try {
    board = await get(paths.board, { timeout: 10_000 });
  } catch (e) {
    if (e instanceof ApiError && e.status === 403) enterHidden();
    else {
      setMode('offline');
      scheduleRecover();
    }
    return;
  }
  // A board older than ours changes nothing; the stream brings whatever is newer.
  const older = state.board && board && board.published !== false && Number(board.seq) < state.board.seq && state.mode !== 'hidden';
  if (!older) replaceBoard(board);
  if (state.mode !== 'hidden') openStream();
}

/** Reads the whole board while the stream stays open; only a newer board replaces ours. */
async function resync() {
  try {
    const board = await get(paths.board, { timeout: 10_000 });
    if (state.mode !== 'hidden' && (!state.board || Number(board.seq) >= state.board.seq)) replaceBoard(board);
  } catch {
    /* the stream goes on; a later snapshot or delta will do */
  }
}

function enterHidden() {
  ticker.ready = true;
  closeStream();
  clearTimeout(state.retryTimer);
  clearTimeout(state.rotateTimer);
  setMode('hidden');
  clearTimeout(state.pollTimer);
  state.pollTimer = setTimeout(pollHidden, HIDDEN_POLL_MS);
}

async function pollHidden() {
  if (state.mode !== 'hidden') return;
  try {
    const board = await get(paths.board, { timeout: 10_000 });
    if (board && board.published !== false) {
      state.mode = 'connecting';
      replaceBoard(board);
      openStream();
      return;
    }
  } catch {
    /* still hidden (403) or unreachable: ask again later */
  }
  if (state.mode === 'hidden') state.pollTimer = setTimeout(pollHidden, HIDDEN_POLL_MS);
}

// ---------------------------------------------------------------- board

function indexBoard() {
  state.byId = new Map(state.board.contestants.map((c) => [c.id, c]));
  for (const c of state.board.contestants) {
    if (Number.isFinite(c.likes)) state.likes.set(c.id, Math.max(state.likes.get(c.id) || 0, c.likes));
    if (Number.isFinite(c.cheers)) state.cheers.set(c.id, Math.max(state.cheers.get(c.id) || 0, c.cheers));
  }
}

function noteRankMove(id, scope, before, after, now) {
  if (!Number.isFinite(before) || !Number.isFinite(after) || before === after) return;
  const moves = state.moves.get(id) || {};
  moves[scope] = { d: before - after, at: now };
  state.moves.set(id, moves);
}

function noteTotal(id, before, after, now) {
  if (!Number.isFinite(before) || !Number.isFinite(after) || Math.abs(after - before) < 0.0005) return;
  state.deltas.set(id, { d: after - before, at: now });
}

/** A snapshot: the whole board, replacing ours (what changed since ours flashes too). */
function replaceBoard(next) {
  const old = state.board;
  const board = normalise(next);
  noteServerTime(board.at, true);
  if (board.published === false) {
    // An organiser's session may read hidden standings; a wall never shows them.
    state.board = board;
    indexBoard();
    $('hidden-comp').textContent = board.title || '';
    enterHidden();
    return;
  }
  if (old && board.seq > old.seq) {
    const now = Date.now();
    for (const c of board.contestants) {
      const before = state.byId.get(c.id);
      if (!before) continue;
      for (const [scope, rank] of Object.entries(c.ranks)) noteRankMove(c.id, scope, before.ranks[scope], rank, now);
      noteTotal(c.id, before.total, c.total, now);
    }
  }
  state.board = board;
  indexBoard();
  alarms.clear();
  for (const a of Array.isArray(next.alarms) ? next.alarms : []) alarms.set(a.station, a);
  renderAlarms();
  state.lastUpdate = Date.now();
  if (qrState === 'failed') loadQr();
  renderStatic();
  setRotation(board.screen, !old);
  renderAll(!old);
  publish();
  document.body.dataset.ready = 'true';
}

/** A standings delta: merged as docs/live.md says; not newer than the board → already in it. */
function applyStandings(delta) {
  const board = state.board;
  if (!board || !delta || !(Number(delta.seq) > board.seq)) return;
  noteServerTime(delta.at, false);
  const now = Date.now();
  let unknown = false;
  for (const item of Array.isArray(delta.changed) ? delta.changed : []) {
    const c = item && state.byId.get(item.id);
    if (!c) {
      unknown = true;
      continue;
    }
    const beforeTotal = c.total;
    for (const [key, value] of Object.entries(item)) {
      if (key === 'id' || key === 'ranks') continue;
      if (key === 'award' && value == null) delete c.award;
      else c[key] = value;
    }
    if (item.ranks && typeof item.ranks === 'object') {
      for (const [scope, rank] of Object.entries(item.ranks)) {
        if (rank == null) {
          delete c.ranks[scope];
          continue;
        }
        noteRankMove(c.id, scope, c.ranks[scope], rank, now);
        c.ranks[scope] = rank;
      }
    }
    for (const key of ['modules', 'progress', 'stages']) if (!c[key] || typeof c[key] !== 'object') c[key] = {};
    if ('total' in item) noteTotal(c.id, beforeTotal, c.total, now);
  }
  board.seq = Number(delta.seq);
  state.lastUpdate = now;
  publish();
  renderAll(false);
  if (unknown) resync(); // someone the board does not know yet: read it whole
}

function applyModule(data) {
  const board = state.board;
  if (!board || !data) return;
  const seq = Number(data.seq);
  if (Number.isFinite(seq) && seq > 0) {
    if (seq <= board.seq) return;
    board.seq = seq;
  }
  const m = moduleOf(data.module);
  if (m) m.locked = !!data.locked;
  publish();
  renderAll(false);
}

function applyScreen(data) {
  if (!state.board) return;
  state.board.screen = normaliseScreen(data);
  setRotation(state.board.screen, false);
  renderAll(false);
  publish();
}

function renderAll(intro) {
  showSeq();
  renderView(intro);
  renderVenues();
  renderFans();
}

/** What does not change with every delta: title, QR, legend. */
function renderStatic() {
  const b = state.board;
  $('title').textContent = b.title || b.competition || compId;
  $('hidden-comp').textContent = b.title || '';
  const foot = $('board-foot');
  foot.replaceChildren(
    h('div', { class: 'legend-mods' }, b.modules.map((m) => h('span', null, h('b', { text: m.id }), m.name))),
    h(
      'div',
      { class: 'legend-state' },
      h('span', null, h('i', { class: 'lg-done' }), t('state.done')),
      h('span', null, h('i', { class: 'lg-active' }), t('state.active')),
      h('span', null, h('i', { class: 'lg-todo' }), t('state.todo')),
      h('span', null, h('i', { class: 'lg-flag', text: t('row.incomplete') }), t('legend.incomplete')),
    ),
  );
}

// ---------------------------------------------------------------- ranking

/** The contestants of a view in rank order (ties keep a stable order). */
function ranked(view) {
  const b = state.board;
  let list = b.contestants;
  const scope = view;
  if (view.startsWith('group:')) list = list.filter((c) => c.group === view.slice(6));
  else if (view.startsWith('venue:')) list = list.filter((c) => c.venue === view.slice(6));
  const mod = view.startsWith('module:') ? view.slice(7) : null;
  const key = (c) => (Number.isFinite(c.ranks[scope]) ? c.ranks[scope] : Infinity);
  const score = (c) => (mod ? Number(c.modules[mod]) || 0 : Number(c.total) || 0);
  return list
    .filter((c) => Number.isFinite(c.ranks[scope]))
    .sort((a, b2) => key(a) - key(b2) || score(b2) - score(a) || String(a.id).localeCompare(String(b2.id)));
}

function renderView(intro) {
  if (!state.board || !state.view) return;
  const view = state.view;
  const b = state.board;
  const isProgress = view === 'progress';
  const kind = view.startsWith('module:') ? 'module' : 'rank';
  const staged = kind === 'module' && isStaged(moduleOf(view.slice(7)));
  $('board').className = `board kind-${isProgress ? 'progress' : kind}${staged ? ' is-staged' : ''}`;
  $('board-body').hidden = isProgress;
  $('progress-view').hidden = !isProgress;
  renderHeading(view);
  if (isProgress) {
    if (intro) renderProgress();
    else updateProgress();
    return;
  }
  renderRows(view, kind, intro);
}

function renderHeading(view) {
  const b = state.board;
  const top = b.screen.top;
  let kicker;
  let title;
  let sub;
  let locked = false;
  if (view === 'overall') {
    kicker = t('view.overallKicker');
    title = t('view.overall');
    sub = t('view.sub', { top, n: b.contestants.length });
  } else if (view === 'progress') {
    kicker = t('view.progressKicker');
    title = t('view.progress');
    sub = t('view.subProgress', { venues: b.venues.length, n: b.contestants.length, modules: b.modules.length });
  } else if (view.startsWith('group:') || view.startsWith('venue:')) {
    const isGroup = view.startsWith('group:');
    const id = view.slice(6);
    const n = b.contestants.filter((c) => (isGroup ? c.group : c.venue) === id).length;
    kicker = t(isGroup ? 'view.groupKicker' : 'view.venueKicker');
    title = t(isGroup ? 'view.group' : 'view.venue', { name: isGroup ? groupName(id) : venueName(id) });
    sub = t('view.sub', { top: Math.min(top, n), n });
  } else {
    const m = moduleOf(view.slice(7));
    let done = 0;
    let active = 0;
    for (const c of b.contestants) {
      if (c.progress[m.id] === 'done') done++;
      else if (c.progress[m.id] === 'active') active++;
    }
    kicker = t('view.moduleKicker');
    title = t('view.module', { id: m.id, name: m.name });
    sub = t('view.subModule', { max: fmt(m.max), done, active });
    if (isStaged(m)) {
      const stages = b.contestants.map((c) => stageOf(c, m));
      sub += ` · ${t('view.subStages', { n: stages.filter((sg) => sg.cleared).length })}`;
      const failed = stages.filter((sg) => sg.failed).length;
      if (failed) sub += ` · ${t('view.subFailed', { n: failed })}`;
    }
    locked = !!m.locked;
  }
  $('view-kicker').textContent = kicker;
  $('view-title').textContent = title;
  $('view-sub').textContent = sub;
  $('view-lock').hidden = !locked;
}

function renderCols(kind) {
  const b = state.board;
  const cols = $('cols');
  const mods =
    kind === 'module'
      ? h('span', { text: t('col.module') })
      : h('span', { class: 'c-mods' }, b.modules.map((m) => h('span', { text: m.id })));
  cols.replaceChildren(
    h('span', { text: t('col.rank') }),
    h('span', { text: '' }),
    h('span', { text: t('col.who') }),
    mods,
    h('span', { class: 'c-center', text: t('col.award') }),
    h('span', { class: 'c-right', text: t('col.total') }),
  );
  cols.dataset.kind = kind;
}

/** Builds the skeleton of one row; fillRow() fills it and is called on every change. */
function makeRow(kind) {
  const el = h('div', { class: 'row', role: 'listitem' });
  const r = {};
  r.num = h('span', { class: 'r-num num' });
  r.tie = h('span', { class: 'r-tie', text: t('row.tie') });
  r.arrow = h('span', { class: 'r-move-arrow' });
  r.moveN = h('span', { class: 'num' });
  r.move = h('div', { class: 'r-move' }, r.arrow, r.moveN);
  r.delta = h('span', { class: 'r-delta num' });
  r.name = h('span', { class: 'r-name' });
  r.group = h('span', { class: 'r-group' });
  r.likesN = h('span', { class: 'num' });
  r.likes = h('span', { class: 'r-likes' }, icon(HEART), r.likesN);
  r.org = h('span', { class: 'r-org-text' });
  r.station = h('span', { class: 'r-station' });
  const who = h('div', { class: 'r-who' }, h('div', { class: 'r-line1' }, r.name, r.group, r.likes), h('div', { class: 'r-org' }, r.station, r.org));
  let middle;
  if (kind === 'module') {
    r.modVal = h('span', { class: 'r-modval num' });
    r.modMax = h('span', { class: 'r-modmax num' });
    r.modState = h('span', { class: 'r-modstate' });
    r.modBar = h('div', { class: 'r-modbar' });
    r.stageN = h('span', { class: 'r-stage-n num' });
    r.stageName = h('span', { class: 'r-stage-name' });
    r.stage = h('span', { class: 'r-stage' }, r.stageN, r.stageName);
    r.clock = h('span', { class: 'r-stage-clock', hidden: true }); // the current stage's clock, 未通过, or the total
    r.times = h('span', { class: 'r-stage-times num', hidden: true }); // ① 5:08 ② 20:35
    middle = h('div', { class: 'r-modscore' }, h('span', { class: 'r-modnum' }, r.modVal, r.modMax), r.stage, r.clock, r.modState, r.modBar, r.times);
  } else {
    r.chipStages = [];
    r.chips = state.board.modules.map((m, i) => {
      r.chipStages[i] = isStaged(m) ? h('span', { class: 'chip-stage num' }) : null;
      const chip = h('span', { class: 'mod-chip', dataset: { module: m.id } }, h('span', { text: m.id }), r.chipStages[i]);
      return chip;
    });
    middle = h('div', { class: 'r-mods' }, r.chips);
  }
  r.award = h('div', { class: 'r-award' });
  r.score = h('span', { class: 'r-score num' });
  r.flag = h('span', { class: 'r-flag', text: t('row.incomplete') });
  const total = h('div', { class: 'r-total' }, r.flag, r.score);
  const moveCell = h('div', { class: 'r-movecell' }, r.move, r.delta);
  el.append(h('div', { class: 'row-card' }, h('div', { class: 'r-rank' }, r.num, r.tie), moveCell, who, middle, r.award, total));
  el.refs = r;
  el.kind = kind;
  return el;
}

function fillRow(el, c, view, rank, tied, now) {
  const r = el.refs;
  const b = state.board;
  el.dataset.contestant = c.id;
  el.dataset.rank = String(rank);
  el.dataset.tier = rank <= 3 ? String(rank) : '';
  r.num.textContent = String(rank);
  r.tie.hidden = !tied;
  r.name.textContent = c.name || c.id;
  r.group.textContent = groupName(c.group);
  r.group.hidden = view.startsWith('group:') || !c.group;
  const likes = state.likes.get(c.id) || 0;
  r.likesN.textContent = fmt(likes);
  r.likes.hidden = likes <= 0;
  const station = c.station ? t('row.station', { venue: view.startsWith('venue:') ? '' : venueName(c.venue), station: stationLabel(c) }) : venueName(c.venue);
  r.station.textContent = station.trim();
  r.org.textContent = c.org ? ` · ${c.org}` : '';

  // ▲ / ▼ / NEW
  const move = (state.moves.get(c.id) || {})[view];
  const entered = (state.entered.get(c.id) || {})[view];
  r.move.classList.remove('is-up', 'is-down', 'is-new');
  if (move && now - move.at < MOVE_MS && move.d !== 0) {
    r.move.classList.add(move.d > 0 ? 'is-up' : 'is-down');
    r.arrow.textContent = move.d > 0 ? '▲' : '▼';
    r.moveN.textContent = String(Math.abs(move.d));
  } else if (entered && now - entered < MOVE_MS) {
    r.move.classList.add('is-new');
    r.arrow.textContent = '';
    r.moveN.textContent = t('row.new');
  }

  if (el.kind === 'module') {
    const id = view.slice(7);
    const m = moduleOf(id);
    const score = Number(c.modules[id]) || 0;
    const st = c.progress[id] || 'todo';
    r.modVal.textContent = fmt(score);
    r.modMax.textContent = ` / ${fmt(m.max)}`;
    r.modState.textContent = t(`state.${st}`);
    r.modState.className = `r-modstate is-${st}`;
    r.modBar.parentElement.classList.toggle('is-active', st === 'active');
    r.modBar.style.setProperty('--p', String(clamp01(m.max ? score / m.max : 0)));
    const sg = stageOf(c, m);
    r.modBar.parentElement.classList.toggle('has-stage', !!sg);
    r.stage.hidden = !sg;
    r.clock.hidden = !sg;
    r.times.hidden = !sg;
    if (sg) {
      r.stage.className = `r-stage${sg.cleared ? ' is-cleared' : sg.failed ? ' is-failed' : sg.passed ? ' is-advanced' : ''}`;
      r.stage.dataset.stage = sg.id || '';
      r.stage.dataset.passed = String(sg.passed);
      r.stageN.textContent = sg.cleared ? `✓ ${stageText(sg)}` : stageText(sg);
      r.stageName.textContent = sg.cleared || !sg.name ? '' : sg.name;
      r.stageName.hidden = sg.cleared || !sg.name;
      fillStageClock(r.clock, sg);
      const times = sg.times.map((ms) => fmtDuration(ms)).join(' ');
      if (r.times.dataset.key !== times) {
        r.times.dataset.key = times;
        r.times.replaceChildren(...stageTimes(sg));
      }
    }
  } else {
    b.modules.forEach((m, i) => {
      const chip = r.chips[i];
      if (!chip) return;
      const st = c.progress[m.id] || 'todo';
      chip.className = `mod-chip is-${st}`;
      chip.style.setProperty('--p', String(clamp01(m.max ? (Number(c.modules[m.id]) || 0) / m.max : 0)));
      const badge = r.chipStages && r.chipStages[i];
      const sg = badge && stageOf(c, m);
      if (sg) {
        badge.textContent = sg.cleared ? '✓' : `${sg.k}/${sg.n}`;
        badge.className = `chip-stage num${sg.cleared ? ' is-cleared' : sg.failed ? ' is-failed' : ''}`;
        chip.dataset.stage = sg.cleared ? 'cleared' : String(sg.k);
        if (sg.failed) chip.dataset.failed = 'true';
        else delete chip.dataset.failed;
      }
    });
  }

  // Award
  const award = c.award;
  if (award) {
    const at = b.awards.indexOf(award);
    const cls = at >= 0 && at < 3 ? ` a${at + 1}` : '';
    if (!r.award.firstChild || r.award.firstChild.textContent !== award || r.award.firstChild.className !== `award${cls}`)
      r.award.replaceChildren(h('span', { class: `award${cls}`, text: award }));
  } else r.award.replaceChildren();

  r.score.textContent = fmtTotal(c.total);
  r.flag.hidden = c.complete !== false;
  const delta = state.deltas.get(c.id);
  const showDelta = delta && now - delta.at < DELTA_MS;
  const deltaClass = showDelta ? (delta.d > 0 ? 'is-plus' : 'is-minus') : '';
  const deltaText = showDelta ? fmtSigned(delta.d) : '';
  if (r.delta.textContent !== deltaText) {
    r.delta.className = `r-delta num ${deltaClass}`;
    r.delta.textContent = deltaText;
  }
}

function restartClass(el, cls) {
  el.classList.remove('flash-up', 'flash-down', 'flash-score');
  void el.offsetWidth; // restart the animation
  el.classList.add(cls);
  clearTimeout(el.flashTimer);
  el.flashTimer = setTimeout(() => el.classList.remove(cls), 2600);
}

function renderRows(view, kind, intro) {
  const rows = $('rows');
  const b = state.board;
  const all = ranked(view);
  const top = b.screen.top;
  const list = all.slice(0, top);
  const height = rows.clientHeight || 700;
  const pitch = Math.floor(height / Math.max(top, ROWS_MIN));
  const rowH = Math.max(24, pitch - Math.max(4, Math.round(pitch * 0.11)));
  rows.style.setProperty('--row-h', `${rowH}px`);
  rows.style.setProperty('--fs', String(Math.min(1.15, rowH / 62).toFixed(3)));
  if (intro || rows.dataset.view !== view) {
    for (const el of rowEls.values()) el.remove();
    rowEls.clear();
    rows.dataset.view = view;
    renderCols(kind);
    intro = true;
  }
  $('rows-empty').hidden = list.length > 0;
  const counts = new Map();
  for (const c of all) counts.set(c.ranks[view], (counts.get(c.ranks[view]) || 0) + 1);
  const now = Date.now();
  const seen = new Set();
  list.forEach((c, i) => {
    let el = rowEls.get(c.id);
    const rank = c.ranks[view];
    const y = i * pitch;
    if (!el) {
      el = makeRow(kind);
      rowEls.set(c.id, el);
      el.classList.add('no-anim');
      if (intro) {
        el.classList.add('is-intro');
        el.style.setProperty('--i', String(i));
        el.style.transform = `translateY(${y}px)`;
      } else {
        // Came into the top from below: slide up from under the last row.
        const entered = state.entered.get(c.id) || {};
        entered[view] = now;
        state.entered.set(c.id, entered);
        el.classList.add('is-entering', 'is-rising');
        el.style.transform = `translateY(${top * pitch}px)`;
      }
      rows.append(el);
      void el.offsetWidth;
      el.classList.remove('no-anim');
    }
    const prevY = el.y;
    el.y = y;
    el.style.transform = `translateY(${y}px)`;
    el.classList.remove('is-entering');
    if (prevY !== undefined && prevY !== y) {
      el.classList.toggle('is-rising', y < prevY);
      el.classList.toggle('is-falling', y > prevY);
      clearTimeout(el.moveTimer);
      el.moveTimer = setTimeout(() => el.classList.remove('is-rising', 'is-falling'), 1000);
    }
    const prevRank = el.dataset.rank ? Number(el.dataset.rank) : null;
    const prevTotal = el.total;
    fillRow(el, c, view, rank, (counts.get(rank) || 0) > 1, now);
    el.total = c.total;
    if (!intro) {
      if (prevRank !== null && rank < prevRank) restartClass(el, 'flash-up');
      else if (prevRank !== null && rank > prevRank) restartClass(el, 'flash-down');
      else if (prevTotal !== undefined && prevTotal !== c.total) restartClass(el, 'flash-score');
      else if (prevRank === null) restartClass(el, 'flash-up');
    }
    seen.add(c.id);
  });
  for (const [id, el] of rowEls) {
    if (seen.has(id)) continue;
    rowEls.delete(id);
    // Dropped out of the shown top: slide down and fade.
    el.classList.add('is-leaving', 'is-falling');
    el.style.transform = `translateY(${top * pitch}px)`;
    el.removeAttribute('data-rank');
    el.dataset.leaving = 'true';
    setTimeout(() => el.remove(), 1000);
  }
}

/** Once a second: arrows and deltas past their time fade out. */
function expireMarks() {
  if (!state.board || !state.view || state.view === 'progress' || state.mode === 'hidden') return;
  const now = Date.now();
  for (const el of rowEls.values()) {
    const r = el.refs;
    const id = el.dataset.contestant;
    const move = (state.moves.get(id) || {})[state.view];
    const entered = (state.entered.get(id) || {})[state.view];
    const moveOn = (move && now - move.at < MOVE_MS) || (entered && now - entered < MOVE_MS);
    if (!moveOn) r.move.classList.remove('is-up', 'is-down', 'is-new');
    const delta = state.deltas.get(id);
    if (!(delta && now - delta.at < DELTA_MS) && r.delta.textContent) {
      r.delta.className = 'r-delta num';
      r.delta.textContent = '';
    }
  }
}

// ---------------------------------------------------------------- progress

/** Per venue: contestants, and per module how many are done and active. */
function venueStats(venueId) {
  const b = state.board;
  const people = b.contestants.filter((c) => c.venue === venueId);
  const perModule = b.modules.map((m) => {
    let done = 0;
    let active = 0;
    for (const c of people) {
      if (c.progress[m.id] === 'done') done++;
      else if (c.progress[m.id] === 'active') active++;
    }
    return { m, done, active };
  });
  const slots = people.length * b.modules.length || 1;
  const done = perModule.reduce((n, x) => n + x.done, 0);
  const active = perModule.reduce((n, x) => n + x.active, 0);
  const activePeople = people.filter((c) => Object.values(c.progress).includes('active')).length;
  return { people, perModule, done: done / slots, active: active / slots, activePeople };
}

const byStation = (a, b) => stationLabel(a).localeCompare(stationLabel(b), 'zh-CN', { numeric: true }) || String(a.id).localeCompare(String(b.id));

function stack(done, active) {
  const el = h('div', { class: 'stack' }, h('span', { class: 'stack-done' }), h('span', { class: 'stack-active' }));
  el.style.setProperty('--done', String(clamp01(done)));
  el.style.setProperty('--active', String(clamp01(active)));
  return el;
}

function contestantLevel(c) {
  const mods = state.board.modules;
  const done = mods.filter((m) => c.progress[m.id] === 'done').length;
  const active = mods.some((m) => c.progress[m.id] === 'active');
  return { frac: mods.length ? done / mods.length : 0, active, doneAll: mods.length > 0 && done === mods.length };
}

/** A progress tile's stage: "第1/3关", or "2/3" when a clock or 未通过 follows (a tile is
 * narrow); "✓通关". */
function tileStageText(sg) {
  if (sg.cleared) return `✓${stageText(sg, true)}`;
  return sg.failed || sg.since ? `${sg.k}/${sg.n}` : stageText(sg, true);
}

/** After a progress tile's stage: the running clock, 未通过, or the total time. */
function stageTail(sg) {
  if (sg.cleared) return sg.total !== null ? h('span', { class: 'st-time num', text: fmtDuration(sg.total) }) : null;
  if (sg.failed) return h('span', { class: 'st-failed', text: t('stage.failed') });
  return sg.since ? clockSpan(sg.since, 'st-clock') : null;
}

/** The progress tile's line of stages reached, one per module with stages (or nothing). */
function stageLine(c) {
  const items = state.board.modules
    .map((m) => [m, stageOf(c, m)])
    .filter(([, sg]) => sg)
    .map(([m, sg]) =>
      h('span', { class: `st-stage${sg.cleared ? ' is-cleared' : sg.failed ? ' is-failed' : ''}`, dataset: { module: m.id, stage: sg.cleared ? 'cleared' : String(sg.k) } },
        h('b', { text: m.id }), tileStageText(sg), stageTail(sg)),
    );
  return items.length ? h('div', { class: 'st-stages' }, items) : null;
}

function renderProgress() {
  const b = state.board;
  const view = $('progress-view');
  view.replaceChildren(
    ...b.venues.map((v) => {
      const s = venueStats(v.id);
      const people = s.people.slice().sort(byStation);
      const grid = h(
        'div',
        { class: `pv-grid${people.length > 50 ? ' is-dense' : ''}` },
        people.map((c) => {
          const lv = contestantLevel(c);
          const stages = stageLine(c);
          return h(
            'div',
            { class: `st${lv.doneAll ? ' is-done' : lv.active ? ' is-active' : ''}${stages ? ' has-stages' : ''}`, dataset: { contestant: c.id } },
            h('div', { class: 'st-top' }, h('span', { class: 'st-station num', text: stationLabel(c) }), h('span', { class: 'st-name', text: c.name || c.id })),
            h('div', { class: 'st-dots' }, b.modules.map((m) => h('i', { class: `is-${c.progress[m.id] || 'todo'}` }))),
            stages,
          );
        }),
      );
      return h(
        'section',
        { class: 'pv-venue', dataset: { venue: v.id } },
        h(
          'div',
          { class: 'pv-head' },
          h('h3', { class: 'pv-name' }, v.name, h('span', { class: 'pv-count', text: t('progress.count', { n: s.people.length }) })),
          h('span', { class: 'pv-pct num' }, fmtPct(s.done), h('small', { text: '%' })),
        ),
        stack(s.done, s.active),
        h(
          'div',
          { class: 'pv-mods' },
          s.perModule.map((x) =>
            h(
              'div',
              { class: 'pv-mod' },
              h('span', { class: 'pv-mod-name' }, h('b', { text: x.m.id }), x.m.name),
              stack(s.people.length ? x.done / s.people.length : 0, s.people.length ? x.active / s.people.length : 0),
              h('span', { class: 'pv-mod-count num', text: t('progress.mods', { done: x.done, n: s.people.length }) }),
            ),
          ),
        ),
        grid,
      );
    }),
  );
}

function updateProgress() {
  renderProgress(); // cheap enough to rebuild; entrance animation only plays on mount
  for (const el of $('progress-view').children) el.style.animation = 'none';
}

// ---------------------------------------------------------------- side panel

function renderVenues() {
  const b = state.board;
  const list = $('venue-list');
  list.replaceChildren(
    ...b.venues.map((v) => {
      const s = venueStats(v.id);
      const tiles = s.people
        .slice()
        .sort(byStation)
        .map((c) => {
          const lv = contestantLevel(c);
          return h('i', { class: lv.active ? 'is-active' : null, dataset: { level: String(Math.ceil(lv.frac * 4)) } });
        });
      return h(
        'div',
        { class: 'vn', dataset: { venue: v.id } },
        h(
          'div',
          { class: 'vn-head' },
          h('span', null, h('span', { class: 'vn-name', text: v.name }), h('span', { class: 'vn-meta', text: t('venue.meta', { n: s.people.length, active: s.activePeople }) })),
          h('span', { class: 'vn-pct num' }, fmtPct(s.done), h('small', { text: '%' })),
        ),
        stack(s.done, s.active),
        h('div', { class: 'vn-grid' }, tiles),
      );
    }),
    h('div', { class: 'vn-legend' }, h('span', { class: 'lg-done', text: t('state.done') }), h('span', { class: 'lg-active', text: t('state.active') })),
  );
}

function renderFans() {
  if (!state.board) return;
  const top = [...state.likes.entries()]
    .filter(([id, n]) => n > 0 && state.byId.has(id))
    .sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])))
    .slice(0, 3);
  $('fans').hidden = top.length === 0;
  $('fans-list').replaceChildren(
    ...top.map(([id, n], i) => {
      const c = state.byId.get(id);
      return h(
        'li',
        { dataset: { contestant: id } },
        h('span', { class: 'fan-n num', text: String(i + 1) }),
        h('span', { class: 'fan-name', text: c.name || id }),
        h('span', { class: 'fan-likes num' }, icon(HEART), fmt(n)),
      );
    }),
  );
}

// ---------------------------------------------------------------- feed and ticker

const ticker = {
  pool: [], // recurring items (comments, commentary), newest first
  queue: [], // shown next, once (new items, reactions)
  cursor: 0,
  x: 0,
  last: 0,
  speed: 120, // stage px per second
  keys: new Set(),
  ready: false, // filled once the first feed has been read (or could not be), so it opens with news
};

const nameOf = (id) => {
  const c = id && state.byId.get(id);
  return c ? c.name || c.id : '';
};

function tickerItem(kind, key, build) {
  return { kind, key, build };
}

function addComment(cm, live) {
  if (!cm || cm.id == null) return;
  const key = `comment:${cm.id}`;
  if (ticker.keys.has(key)) return;
  ticker.keys.add(key);
  const item = tickerItem('comment', key, () => {
    const to = nameOf(cm.contestant);
    return [h('span', { class: 'tk-tag', text: t('tk.comment') }), h('span', { class: 'tk-text', text: String(cm.text ?? '') }), to ? h('span', { class: 'tk-to', text: t('tk.to', { name: to }) }) : null];
  });
  item.at = Number(cm.at) || 0;
  pushPool(item, live);
}

let latestCommentary = null;
function addCommentary(cm, live) {
  if (!cm || cm.id == null) return;
  const key = `commentary:${cm.id}`;
  if (!latestCommentary || (Number(cm.at) || 0) >= (Number(latestCommentary.at) || 0)) {
    const isNew = !latestCommentary || latestCommentary.id !== cm.id;
    latestCommentary = cm;
    showCommentary(isNew && live);
  }
  if (ticker.keys.has(key)) return;
  ticker.keys.add(key);
  const item = tickerItem('commentary', key, () => [
    h('span', { class: 'tk-tag', text: t('tk.commentary') }),
    h('span', { class: 'tk-text', text: String(cm.text ?? '') }),
    cm.by ? h('span', { class: 'tk-by', text: `— ${cm.by}` }) : null,
  ]);
  item.at = Number(cm.at) || 0;
  pushPool(item, live);
}

function showCommentary(flash) {
  const cm = latestCommentary;
  const text = $('commentary-text');
  text.dataset.empty = t('screen.commentaryEmpty');
  text.textContent = cm ? String(cm.text ?? '') : '';
  $('commentary-by').textContent = cm && cm.by ? `— ${cm.by}` : '';
  if (flash) {
    const card = $('commentary-card');
    card.classList.remove('is-new');
    void card.offsetWidth;
    card.classList.add('is-new');
  }
}

function pushPool(item, live) {
  ticker.pool.push(item);
  ticker.pool.sort((a, b) => b.at - a.at);
  if (ticker.pool.length > 40) {
    for (const gone of ticker.pool.splice(40)) ticker.keys.delete(gone.key);
  }
  if (live) ticker.queue.push(item);
}

/** New like and cheer totals; the biggest rises go to the ticker (live events only). */
function applyReactions(data, live) {
  if (!data) return;
  for (const [kind, map] of [
    ['like', state.likes],
    ['cheer', state.cheers],
  ]) {
    const given = data[kind === 'like' ? 'likes' : 'cheers'];
    if (!given || typeof given !== 'object') continue;
    const rises = [];
    for (const [id, n] of Object.entries(given)) {
      const value = Number(n);
      if (!Number.isFinite(value)) continue;
      const before = map.get(id) || 0;
      if (value > before) {
        if (state.byId.has(id)) rises.push([id, value - before]);
        map.set(id, value);
      }
    }
    if (!live) continue;
    rises.sort((a, b) => b[1] - a[1]);
    for (const [id, d] of rises.slice(0, 3)) {
      // A rise not yet on screen is updated rather than queued twice.
      const queued = ticker.queue.find((q) => q.kind === kind && q.contestant === id);
      if (queued) {
        queued.d += d;
        continue;
      }
      const item = { kind, contestant: id, d, key: `${kind}:${id}:${Date.now()}` };
      item.build = () => [
        h('span', { class: 'tk-tag', text: t(`tk.${kind}`) }),
        h('span', { class: 'tk-text', text: t(kind === 'like' ? 'tk.likeText' : 'tk.cheerText', { name: nameOf(id) }) }),
        h('span', { class: 'tk-num num', text: `+${fmt(item.d)}` }),
      ];
      ticker.queue.push(item);
    }
  }
  if (ticker.queue.length > 30) ticker.queue.splice(0, ticker.queue.length - 30);
  if (state.board) {
    renderFans();
    for (const el of rowEls.values()) {
      const c = state.byId.get(el.dataset.contestant);
      if (c) {
        const likes = state.likes.get(c.id) || 0;
        el.refs.likesN.textContent = fmt(likes);
        el.refs.likes.hidden = likes <= 0;
      }
    }
  }
}

async function loadFeed() {
  let feed;
  try {
    feed = await get(paths.feed, { timeout: 10_000 });
  } catch {
    ticker.ready = true;
    return; // the ticker keeps what it has
  }
  ticker.ready = true;
  applyReactions({ likes: feed.likes, cheers: feed.cheers }, false);
  for (const cm of Array.isArray(feed.comments) ? feed.comments : []) addComment(cm, false);
  for (const cm of Array.isArray(feed.commentary) ? feed.commentary : []) addCommentary(cm, false);
}

const inviteItem = tickerItem('invite', 'invite', () =>
  qrState !== 'failed'
    ? [h('span', { class: 'tk-tag', text: t('tk.invite') }), h('span', { class: 'tk-text', text: t('tk.inviteText') })]
    : [h('span', { class: 'tk-tag', text: t('app.name') }), h('span', { class: 'tk-text', text: t('tk.waitText') })],
);

function nextTickerItem() {
  if (ticker.queue.length) return ticker.queue.shift();
  const cycle = [...ticker.pool.slice(0, 20), inviteItem];
  const item = cycle[ticker.cursor % cycle.length];
  ticker.cursor = (ticker.cursor + 1) % cycle.length;
  return item;
}

function tickerFrame(ts) {
  const track = $('ticker-track');
  const win = $('ticker-window');
  const dt = ticker.last ? Math.min(0.1, (ts - ticker.last) / 1000) : 0;
  ticker.last = ts;
  ticker.x -= ticker.speed * dt;
  // Drop what has left on the left…
  const gap = 56;
  let first = track.firstElementChild;
  while (first && first.offsetWidth + gap + ticker.x < 0) {
    ticker.x += first.offsetWidth + gap;
    first.remove();
    first = track.firstElementChild;
  }
  if (!ticker.ready) {
    requestAnimationFrame(tickerFrame);
    return;
  }
  // New items cut in right after the one now entering…
  if (ticker.queue.length) {
    let after = track.firstElementChild;
    while (after && after.offsetLeft + ticker.x <= win.clientWidth) after = after.nextElementSibling;
    if (after) {
      const item = ticker.queue.shift();
      track.insertBefore(h('span', { class: `tk tk-${item.kind}`, dataset: { key: item.key } }, item.build()), after);
    }
  }
  // …and the right side stays full.
  let guard = 0;
  while (track.scrollWidth + ticker.x < win.clientWidth + 400 && guard++ < 8) {
    const item = nextTickerItem();
    track.append(h('span', { class: `tk tk-${item.kind}`, dataset: { key: item.key } }, item.build()));
  }
  track.style.transform = `translateX(${ticker.x.toFixed(1)}px)`;
  requestAnimationFrame(tickerFrame);
}

// ---------------------------------------------------------------- rotation

function setRotation(screen, first) {
  let views = pinned ? [pinned] : screen.rotation.filter(validView);
  if (!views.length) views = ['overall'];
  const key = `${views.join('|')}@${screen.seconds}`;
  if (key === state.rotationKey && !first && state.view) return;
  state.rotationKey = key;
  state.views = views;
  const keep = views.indexOf(state.view);
  state.viewIndex = keep >= 0 ? keep : 0;
  showView(views[state.viewIndex], keep < 0 || first);
}

function showView(view, intro) {
  const changed = view !== state.view;
  state.view = view;
  publish();
  renderRotation();
  if (changed || intro) renderView(true);
  clearTimeout(state.rotateTimer);
  if (state.views.length > 1 && state.mode !== 'hidden') {
    state.rotateTimer = setTimeout(() => {
      state.viewIndex = (state.viewIndex + 1) % state.views.length;
      showView(state.views[state.viewIndex], true);
    }, state.board.screen.seconds * 1000);
  }
}

function renderRotation() {
  const views = state.views;
  const dots = $('rotation-dots');
  dots.style.setProperty('--rot-ms', `${state.board.screen.seconds * 1000}ms`);
  dots.replaceChildren(
    ...views.map((v, i) => h('li', { class: i === state.viewIndex ? `is-current${views.length < 2 ? ' is-pinned' : ''}` : null, dataset: { view: v } })),
  );
  $('rotation').hidden = views.length < 2;
  $('rotation-next').textContent = views.length > 1 ? t('view.next', { name: viewShortName(views[(state.viewIndex + 1) % views.length]) }) : '';
}

// ---------------------------------------------------------------- QR code

let qrState = 'none'; // none | loading | ok | failed

/** (Re)loads the QR code; its card is left out while the server does not give one. */
function loadQr() {
  if (qrState === 'ok' || qrState === 'loading') return;
  qrState = 'loading';
  const qr = $('qr');
  qr.removeAttribute('src');
  qr.src = paths.qr;
}

function showQr(ok) {
  qrState = ok ? 'ok' : 'failed';
  $('qr-card').hidden = !ok;
  $('qr').closest('.side').classList.toggle('no-qr', !ok);
  $('hidden-qr').hidden = !ok;
  if (ok && !$('hidden-qr-img').src) $('hidden-qr-img').src = paths.qr;
}

// ---------------------------------------------------------------- start-up

function start() {
  const lang = params.get('lang') === 'en' ? 'en' : 'zh';
  if (getLang() !== lang) setLang(lang);
  applyI18n();
  fit();
  window.addEventListener('resize', fit);
  tick();
  setInterval(tick, 1000);
  showCommentary(false);
  const qr = $('qr');
  qr.addEventListener('error', () => showQr(false));
  qr.addEventListener('load', () => showQr(true));
  qr.alt = t('screen.qrCaption');
  $('hidden-qr-img').alt = t('screen.qrCaption');
  loadQr();
  requestAnimationFrame(tickerFrame);
  setTimeout(() => (ticker.ready = true), 4000); // no feed by then: start anyway
  setMode('connecting');
  if (!compId) {
    setMode('offline');
    return;
  }
  recover();
}

start();
