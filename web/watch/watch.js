// The spectator's phone page (/watch/{id}), the target of the QR code on the big
// screen: no login. Three views — 整体赛况 (the whole competition), 参赛队伍 (by
// organisation) and 参赛选手 (each contestant, with a page of their own) — kept live by
// the competition's event stream exactly as docs/live.md describes: a snapshot, then
// standings deltas merged into the board (a delta whose seq the board already has is
// skipped), module locks, reactions, comments and expert commentary; `hidden` turns the
// page into a calm "not published yet" card that checks the board every 10 s.
//
// Spectators like (点赞), cheer (打榜) and comment (留言). Everything that comes from the
// server or from other people (names, pledges, comments) is set as text, never parsed as
// HTML. The view lives in the hash (#overview, #teams, #contestants, #c=ID) so the back
// button works and a link can point at a contestant.
//
// Sections: messages · state · helpers · network · live stream · rendering (header,
// overview, teams, contestants, contestant page, comments) · actions · routing · start-up.

import { ApiError, NetworkError, get, seg } from '/static/common/api.js';
import { $, fmt, h, toast } from '/static/common/dom.js';
import { applyI18n, bindLangToggle, define, getLang, localMessage, onLangChange, t } from '/static/common/i18n.js';

// ---------------------------------------------------------------- messages

define({
  zh: {
    'watch.pageTitle': '赛事直播 · 匠星',
    'watch.kicker': '赛事直播',
    'watch.views': '视角',
    'live.connecting': '连接中',
    'live.live': '实时直播',
    'live.reconnecting': '重新连接中',
    'live.offline': '连接中断',
    'live.hidden': '暂未公布',
    'live.updated': '更新于 {time}',
    'tab.overview': '整体赛况',
    'tab.teams': '参赛队伍',
    'tab.contestants': '参赛选手',
    'hidden.title': '成绩暂未公布',
    'hidden.text': '组织方公布成绩后，本页会自动显示实时排名，无需刷新。',
    'hidden.check': '每 10 秒自动检查 · 上次 {time}',
    'error.title': '无法打开赛事',
    'error.notFound': '没有找到这个赛事，请确认二维码或链接是否正确。',
    'stats.contestants': '参赛选手',
    'stats.teams': '参赛队伍',
    'stats.venues': '赛场',
    'stats.progress': '评分进度',
    'stats.modules': '{n} 个模块 · {locked} 个已签核',
    'ov.commentary': '专家解说',
    'ov.commentaryNone': '解说嘉宾即将开讲，敬请关注。',
    'ov.commentaryMore': '查看更早的 {n} 条解说',
    'ov.commentaryLess': '收起',
    'ov.leaders': '各组领先',
    'ov.leaderNone': '暂无成绩',
    'ov.ranking': '实时排名',
    'ov.scope': '排名范围',
    'ov.rankNone': '本范围暂无选手。',
    'ov.rankMore': '展开全部 {n} 名',
    'ov.rankLess': '只看前 {n} 名',
    'ov.progress': '赛程进度',
    'ov.comments': '观众留言',
    'ov.commentsCount': '{n} 条',
    'scope.overall': '总排名',
    'scope.overallShort': '总榜',
    'scope.module': '单项·{name}',
    'scope.note': '{n} 名选手 · 按{what}排名',
    'scope.byTotal': '总分',
    'scope.byModule': '模块得分',
    'progress.done': '已完成',
    'progress.active': '评分中',
    'progress.todo': '未开始',
    'progress.row': '完成 {done}/{n}',
    'progress.locked': '已签核',
    'row.incomplete': '评分中',
    'row.up': '上升 {n} 名',
    'row.down': '下降 {n} 名',
    'row.open': '查看 {name}',
    'teams.summary': '{n} 支队伍 · {people} 名选手',
    'teams.sort': '排序',
    'teams.sortBest': '最好名次',
    'teams.sortAvg': '平均分',
    'teams.sortFans': '人气',
    'teams.members': '选手',
    'teams.best': '最好名次',
    'teams.avg': '平均分',
    'teams.sum': '团队总分',
    'teams.fans': '人气',
    'teams.expand': '查看全部 {n} 名选手',
    'teams.collapse': '收起',
    'teams.noOrg': '未填写单位',
    'teams.awards': '{award} ×{n}',
    'people.search': '搜索选手',
    'people.searchPlaceholder': '姓名、编号、单位或工位',
    'people.groups': '组别',
    'people.all': '全部',
    'people.summary': '{n} 名选手 · 按总排名',
    'people.filtered': '找到 {n} 名选手',
    'people.none': '没有找到匹配的选手。',
    'person.back': '返回选手列表',
    'person.rank': '总排名',
    'person.total': '总分',
    'person.groupRank': '{group}排名',
    'person.of': '/ {n}',
    'person.station': '工位 {station}',
    'person.like': '点赞',
    'person.cheer': '打榜',
    'person.mine': '我已点赞 {likes} 次 · 打榜 {cheers} 次',
    'person.pledge': '赛前宣言',
    'person.pledgeNone': '这位选手还没有发表赛前宣言。',
    'person.trend': '排名走势',
    'person.trendNone': '比赛开始评分后，这里会显示排名的变化。',
    'person.trendNow': '第 {n} 名',
    'person.trendOne': '目前第 {n} 名。名次变化后，这里会画出走势。',
    'person.trendAxis': '名次',
    'person.trendAria': '{name}的总排名变化：{points}',
    'person.modules': '各模块成绩与排名',
    'person.moduleRank': '第 {n} 名',
    'person.comments': '为 TA 留言',
    'person.notFound': '没有这位选手。',
    'comments.none': '还没有留言，来说第一句加油吧！',
    'comments.placeholder': '说点什么为选手加油…（最多 200 字）',
    'comments.placeholderFor': '给 {name} 留言加油…（最多 200 字）',
    'comments.label': '留言',
    'comments.send': '发送',
    'comments.sending': '发送中…',
    'comments.pending': '已提交，审核后显示',
    'comments.published': '留言已发布',
    'comments.pendingTag': '审核中 · 仅你可见',
    'comments.tooLong': '最多 200 字',
    'comments.to': '给 {name}',
    'comments.empty': '请先写点内容',
    'reaction.liked': '点赞成功！',
    'reaction.cheered': '打榜成功！',
    'reaction.cap': '你已达到本设备的上限，感谢你的热情支持！',
    'reaction.capShort': '已达上限',
    'reaction.wait': '操作太频繁，请 {n} 秒后再试',
    'reaction.waitShort': '{n} 秒后再试',
    'reaction.waitNoTime': '操作太频繁，请稍后再试',
    'time.now': '刚刚',
    'time.min': '{n} 分钟前',
    'time.hour': '{n} 小时前',
  },
  en: {
    'watch.pageTitle': 'Live · Jiangxing',
    'watch.kicker': 'Live',
    'watch.views': 'Views',
    'live.connecting': 'Connecting',
    'live.live': 'Live',
    'live.reconnecting': 'Reconnecting',
    'live.offline': 'Disconnected',
    'live.hidden': 'Not published',
    'live.updated': 'Updated {time}',
    'tab.overview': 'Overview',
    'tab.teams': 'Teams',
    'tab.contestants': 'Contestants',
    'hidden.title': 'Standings not published yet',
    'hidden.text': 'Once the organisers publish the standings, this page shows them live by itself: no need to reload.',
    'hidden.check': 'Checked every 10 s · last at {time}',
    'error.title': 'Cannot open the competition',
    'error.notFound': 'No such competition: check the QR code or the link.',
    'stats.contestants': 'Contestants',
    'stats.teams': 'Teams',
    'stats.venues': 'Venues',
    'stats.progress': 'Marked',
    'stats.modules': '{n} modules · {locked} signed off',
    'ov.commentary': 'Expert commentary',
    'ov.commentaryNone': 'The commentators will be with you shortly.',
    'ov.commentaryMore': 'Show {n} earlier',
    'ov.commentaryLess': 'Show less',
    'ov.leaders': 'Group leaders',
    'ov.leaderNone': 'No score yet',
    'ov.ranking': 'Live ranking',
    'ov.scope': 'Scope',
    'ov.rankNone': 'No contestant in this scope.',
    'ov.rankMore': 'Show all {n}',
    'ov.rankLess': 'Top {n} only',
    'ov.progress': 'Progress',
    'ov.comments': 'Comments',
    'ov.commentsCount': '{n}',
    'scope.overall': 'Overall',
    'scope.overallShort': 'Overall',
    'scope.module': '{name}',
    'scope.note': '{n} contestants · by {what}',
    'scope.byTotal': 'total',
    'scope.byModule': 'module score',
    'progress.done': 'Done',
    'progress.active': 'Marking',
    'progress.todo': 'To do',
    'progress.row': '{done}/{n} done',
    'progress.locked': 'Signed off',
    'row.incomplete': 'Marking',
    'row.up': 'up {n}',
    'row.down': 'down {n}',
    'row.open': 'Open {name}',
    'teams.summary': '{n} teams · {people} contestants',
    'teams.sort': 'Sort',
    'teams.sortBest': 'Best rank',
    'teams.sortAvg': 'Average',
    'teams.sortFans': 'Fans',
    'teams.members': 'Members',
    'teams.best': 'Best rank',
    'teams.avg': 'Average',
    'teams.sum': 'Team total',
    'teams.fans': 'Fans',
    'teams.expand': 'All {n} members',
    'teams.collapse': 'Show less',
    'teams.noOrg': 'No organisation given',
    'teams.awards': '{award} ×{n}',
    'people.search': 'Search contestants',
    'people.searchPlaceholder': 'Name, ID, organisation or station',
    'people.groups': 'Groups',
    'people.all': 'All',
    'people.summary': '{n} contestants · by overall rank',
    'people.filtered': '{n} found',
    'people.none': 'No contestant matches.',
    'person.back': 'All contestants',
    'person.rank': 'Overall rank',
    'person.total': 'Total',
    'person.groupRank': 'In {group}',
    'person.of': '/ {n}',
    'person.station': 'Station {station}',
    'person.like': 'Like',
    'person.cheer': 'Cheer',
    'person.mine': 'You liked {likes}× · cheered {cheers}×',
    'person.pledge': 'Pledge',
    'person.pledgeNone': 'No pledge yet.',
    'person.trend': 'Rank over time',
    'person.trendNone': 'The rank history appears once marking starts.',
    'person.trendNow': 'No. {n}',
    'person.trendOne': 'No. {n} for now: the chart appears once the rank moves.',
    'person.trendAxis': 'Rank',
    'person.trendAria': 'Overall rank of {name} over time: {points}',
    'person.modules': 'Modules: scores and ranks',
    'person.moduleRank': 'No. {n}',
    'person.comments': 'Leave a message',
    'person.notFound': 'No such contestant.',
    'comments.none': 'No comments yet: be the first to cheer!',
    'comments.placeholder': 'Cheer the contestants on… (200 characters at most)',
    'comments.placeholderFor': 'A message for {name}… (200 characters at most)',
    'comments.label': 'Comment',
    'comments.send': 'Send',
    'comments.sending': 'Sending…',
    'comments.pending': 'Sent: shown once approved',
    'comments.published': 'Comment published',
    'comments.pendingTag': 'Awaiting approval · only you see it',
    'comments.tooLong': '200 characters at most',
    'comments.to': 'to {name}',
    'comments.empty': 'Write something first',
    'reaction.liked': 'Liked!',
    'reaction.cheered': 'Cheered!',
    'reaction.cap': 'You have reached this device’s limit: thank you for the support!',
    'reaction.capShort': 'Limit reached',
    'reaction.wait': 'Too fast: try again in {n} s',
    'reaction.waitShort': 'Wait {n} s',
    'reaction.waitNoTime': 'Too fast: try again in a moment',
    'time.now': 'just now',
    'time.min': '{n} min ago',
    'time.hour': '{n} h ago',
  },
});

// ---------------------------------------------------------------- state

const COMMENT_MAX = 200;
const TOP = 10; // rows of a ranking shown before "show all"
const HIDDEN_POLL_MS = 10_000;
const MOVE_MS = 90_000; // how long a rank move (▲ ▼) stays shown

const compId = decodeURIComponent(location.pathname.replace(/\/+$/, '').split('/').pop() || '');
const apiBase = `/api/v1/public/competitions/${seg(compId)}`;

const state = {
  board: null, // the board of docs/live.md, kept current by the stream
  byId: new Map(), // contestant id → the board's contestant object
  feed: { comments: [], commentary: [] },
  es: null,
  live: 'connecting', // connecting | live | reconnecting | offline | hidden
  updatedAt: 0,
  view: 'overview', // overview | teams | contestants | contestant
  person: '', // the contestant shown on the contestant page
  scope: 'overall',
  rankAll: false,
  commentaryAll: false,
  teamSort: 'best',
  teamOpen: new Set(),
  search: '',
  group: '',
  moves: new Map(), // scope → Map(id → {d, at}) rank moves seen live
  flash: new Map(), // id → time of its last live change
  livePoints: new Map(), // id → [{at, rank, total}] seen live since the page opened
  profiles: new Map(), // id → {pledge, photo, history} (the contestant endpoint)
  mine: loadMine(), // id → {likes, cheers} this device gave
  myPending: [], // comments this device sent that await approval
  cooldown: new Map(), // 'like' | 'cheer' | 'comment' → until (ms)
  capped: new Set(), // `${kind}:${id}` capped for this device
  pollTimer: 0,
  retryTimer: 0,
  retryDelay: 2000,
  scrolls: new Map(),
  navInside: false,
};

// For tests and for the curious: the board and its sequence as the page has them.
window.jxWatch = {
  get seq() {
    return state.board ? state.board.seq : 0;
  },
  get board() {
    return state.board;
  },
};

function loadMine() {
  try {
    const raw = JSON.parse(localStorage.getItem(`jx.watch.mine.${compId}`) || '{}');
    return new Map(Object.entries(raw && typeof raw === 'object' ? raw : {}));
  } catch {
    return new Map();
  }
}

function saveMine() {
  try {
    localStorage.setItem(`jx.watch.mine.${compId}`, JSON.stringify(Object.fromEntries(state.mine)));
  } catch {
    /* not kept: fine */
  }
}

// ---------------------------------------------------------------- helpers

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element (attributes only: no style, no markup). */
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const ICONS = {
  heart: 'M12 21s-7.5-4.6-9.6-9.3C.9 8.3 3 4.5 6.6 4.5c2.1 0 3.6 1.2 4.4 2.6h2c.8-1.4 2.3-2.6 4.4-2.6 3.6 0 5.7 3.8 4.2 7.2C19.5 16.4 12 21 12 21z',
  flame: 'M12.6 1.8c1 3.6-1.3 5.6-3 7.5C8 11 6.2 13 6.2 15.9 6.2 19.3 8.8 22 12 22s5.8-2.7 5.8-6.1c0-2.4-1-4.3-2.4-5.9-.1 1.7-.9 3-2.2 3.5.6-4.3-.3-8.6-.6-11.7zM12 21c-1.7 0-3-1.3-3-3 0-1.8 1.4-2.9 2.3-4.3.4 1.5 1.3 2.2 2.3 2.5.9.3 1.4 1.1 1.4 1.8 0 1.7-1.3 3-3 3z',
  chat: 'M4 5h16v11H9l-5 4z',
  up: 'M12 6l6 8H6z',
  down: 'M12 18l-6-8h12z',
  search: 'M10.5 4a6.5 6.5 0 1 1 0 13 6.5 6.5 0 0 1 0-13zm0 2a4.5 4.5 0 1 0 0 9 4.5 4.5 0 0 0 0-9zM15.8 15.2l4.5 4.5-1.4 1.4-4.5-4.5z',
};

function icon(name, cls = 'icon') {
  return s('svg', { class: cls, viewBox: '0 0 24 24', 'aria-hidden': 'true' }, s('path', { d: ICONS[name], fill: 'currentColor' }));
}

const contestant = (id) => state.byId.get(id);
const groupName = (id) => (state.board?.groups.find((g) => g.id === id) || {}).name || id || '';
const venueName = (id) => (state.board?.venues.find((v) => v.id === id) || {}).name || id || '';
const moduleOf = (id) => state.board?.modules.find((m) => m.id === id);

function scopeLabel(scope, short) {
  if (scope === 'overall') return t(short ? 'scope.overallShort' : 'scope.overall');
  const [kind, id] = [scope.slice(0, scope.indexOf(':')), scope.slice(scope.indexOf(':') + 1)];
  if (kind === 'group') return groupName(id);
  if (kind === 'venue') return venueName(id);
  if (kind === 'module') return short ? (moduleOf(id) || {}).name || id : t('scope.module', { name: (moduleOf(id) || {}).name || id });
  return scope;
}

function allScopes() {
  const b = state.board;
  if (!b) return ['overall'];
  return [
    'overall',
    ...b.groups.map((g) => `group:${g.id}`),
    ...b.venues.map((v) => `venue:${v.id}`),
    ...b.modules.map((m) => `module:${m.id}`),
  ];
}

/** Contestants ranked in scope, best first (ties by id). */
function ranked(scope) {
  const list = (state.board?.contestants || []).filter((c) => c.ranks && typeof c.ranks[scope] === 'number');
  return list.sort((a, b) => a.ranks[scope] - b.ranks[scope] || String(a.id).localeCompare(String(b.id)));
}

function timeText(ms) {
  return new Date(ms).toLocaleTimeString(getLang() === 'en' ? 'en-GB' : 'zh-CN', { hour12: false, hour: '2-digit', minute: '2-digit' });
}

function clockText(ms) {
  return new Date(ms).toLocaleTimeString(getLang() === 'en' ? 'en-GB' : 'zh-CN', { hour12: false });
}

function ago(ms) {
  const d = Date.now() - ms;
  if (d < 60_000) return t('time.now');
  if (d < 3_600_000) return t('time.min', { n: Math.floor(d / 60_000) });
  if (d < 6 * 3_600_000) return t('time.hour', { n: Math.floor(d / 3_600_000) });
  return timeText(ms);
}

const chars = (text) => [...String(text || '')].length;

/** The avatar text: the given name for Chinese names, else initials. */
function initials(name) {
  const n = String(name || '').trim();
  if (!n) return '?';
  if (/[\u3400-\u9fff]/.test(n)) {
    const cjk = [...n];
    return cjk.length >= 3 ? cjk.slice(-2).join('') : cjk.join('');
  }
  const words = n.split(/\s+/).filter(Boolean);
  return (words.length > 1 ? words[0][0] + words[words.length - 1][0] : n.slice(0, 2)).toUpperCase();
}

function hue(id) {
  let x = 7;
  for (const ch of String(id)) x = (x * 31 + ch.codePointAt(0)) % 997;
  return x % 8;
}

const photoUrl = (id) => `${apiBase}/contestants/${seg(id)}/photo`;

/** A round avatar: the photo when the board says there is one, else initials on a gradient. */
function avatar(c, size = 'md') {
  const box = h('span', { class: `avatar avatar-${size} avatar-h${hue(c.id)}`, 'aria-hidden': 'true' });
  const text = h('span', { class: 'avatar-text', text: size === 'xs' ? [...initials(c.name)][0] : initials(c.name) });
  box.append(text);
  if (c.photo) {
    const img = h('img', { class: 'avatar-img', alt: '', loading: 'lazy', decoding: 'async', src: photoUrl(c.id) });
    img.addEventListener('load', () => box.classList.add('has-photo'));
    img.addEventListener('error', () => img.remove());
    box.append(img);
  }
  return box;
}

function awardClass(name) {
  if (/一等|特等|金|first|gold/i.test(name)) return 'award award-1';
  if (/二等|银|second|silver/i.test(name)) return 'award award-2';
  if (/三等|铜|third|bronze/i.test(name)) return 'award award-3';
  return 'award';
}

function rankBadge(rank, cls = '') {
  const r = typeof rank === 'number' ? rank : null;
  return h('span', { class: `rank-badge ${cls}${r && r <= 3 ? ` rank-${r}` : ''}`, text: r ? String(r) : '—' });
}

function moveOf(scope, id) {
  const m = state.moves.get(scope)?.get(id);
  if (!m || Date.now() - m.at > MOVE_MS || !m.d) return null;
  return m.d;
}

function moveBadge(d) {
  if (!d) return null;
  const up = d > 0;
  return h('span', { class: `move ${up ? 'move-up' : 'move-down'}`, title: t(up ? 'row.up' : 'row.down', { n: Math.abs(d) }) },
    icon(up ? 'up' : 'down', 'move-icon'), h('span', { class: 'num', text: String(Math.abs(d)) }));
}

// ---------------------------------------------------------------- network

/**
 * A public POST (JSON, no CSRF needed for /api/v1/public/): resolves to the JSON answer;
 * throws ApiError with .retryAfter (seconds, or 0) from a 429's Retry-After, or NetworkError.
 */
async function publicPost(path, body) {
  let response;
  let text;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body ?? {}),
      credentials: 'same-origin',
      cache: 'no-store',
    });
    text = await response.text();
  } catch (cause) {
    throw new NetworkError(cause);
  }
  let json = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = {};
  }
  if (!response.ok) {
    const err = new ApiError(response.status, json && json.error);
    err.retryAfter = Math.max(0, Math.ceil(Number(response.headers.get('Retry-After')) || 0));
    throw err;
  }
  return json;
}

function setBoard(board) {
  state.board = board;
  state.byId = new Map((board.contestants || []).map((c) => [c.id, c]));
  for (const c of board.contestants || []) {
    c.ranks = c.ranks || {};
    c.modules = c.modules || {};
    c.progress = c.progress || {};
  }
  touched();
}

function touched() {
  state.updatedAt = Date.now();
}

/** Loads the board; shows the hidden card on 403 not_published. Resolves true when shown. */
async function loadBoard() {
  try {
    const board = await get(`${apiBase}/board`);
    setBoard(board);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) {
      showHidden();
      return false;
    }
    if (err instanceof ApiError && err.status === 404) {
      showError(t('error.notFound'));
      return false;
    }
    throw err;
  }
}

async function loadFeed() {
  try {
    const feed = await get(`${apiBase}/feed`);
    state.feed.comments = Array.isArray(feed.comments) ? feed.comments.slice(0, 50) : [];
    state.feed.commentary = Array.isArray(feed.commentary) ? feed.commentary.slice(0, 20) : [];
    // A comment of mine that is now published is no longer pending.
    const published = new Set(state.feed.comments.map((c) => c.id));
    state.myPending = state.myPending.filter((c) => !published.has(c.id));
    applyCounts(feed.likes, feed.cheers);
    schedule();
  } catch {
    /* the feed is a nicety: the next open tries again */
  }
}

async function loadProfile(id) {
  try {
    const p = await get(`${apiBase}/contestants/${seg(id)}`);
    state.profiles.set(id, { pledge: typeof p.pledge === 'string' ? p.pledge : '', photo: !!p.photo, history: Array.isArray(p.history) ? p.history : [] });
  } catch (err) {
    if (!state.profiles.has(id)) state.profiles.set(id, { pledge: '', photo: false, history: [], error: err });
  }
  if (state.view === 'contestant' && state.person === id) renderPerson();
}

function applyCounts(likes, cheers) {
  for (const [id, n] of Object.entries(likes || {})) {
    const c = contestant(id);
    if (c && typeof n === 'number') c.likes = n;
  }
  for (const [id, n] of Object.entries(cheers || {})) {
    const c = contestant(id);
    if (c && typeof n === 'number') c.cheers = n;
  }
}

// ---------------------------------------------------------------- live stream

function setLive(mode) {
  state.live = mode;
  const pill = $('live-pill');
  pill.dataset.state = mode;
  $('live-text').textContent = t(`live.${mode}`);
}

function closeStream() {
  if (state.es) {
    state.es.close();
    state.es = null;
  }
}

function connect() {
  closeStream();
  clearTimeout(state.retryTimer);
  const es = new EventSource(`/api/v1/competitions/${seg(compId)}/live`);
  state.es = es;
  if (state.live !== 'live') setLive(state.board ? 'reconnecting' : 'connecting');
  es.addEventListener('open', () => {
    if (state.es !== es) return;
    state.retryDelay = 2000;
    setLive('live');
    loadFeed(); // spectator events are not replayed: catch up on every (re)connection
  });
  es.addEventListener('error', () => {
    if (state.es !== es) return;
    if (es.readyState === EventSource.CLOSED) {
      // Refused (403 once hidden, or the server is down): the board says which.
      state.es = null;
      setLive('offline');
      retryLater();
    } else {
      setLive('reconnecting');
    }
  });
  const on = (name, fn) =>
    es.addEventListener(name, (event) => {
      if (state.es !== es) return;
      let data = null;
      try {
        data = event.data ? JSON.parse(event.data) : {};
      } catch {
        return;
      }
      fn(data, event);
    });
  on('snapshot', (board) => {
    setBoard(board);
    showLive();
    schedule();
  });
  on('standings', onStandings);
  on('module', (d) => {
    const b = state.board;
    if (!b || !(d.seq > b.seq)) return;
    b.seq = d.seq;
    const m = moduleOf(d.module);
    if (m) m.locked = !!d.locked;
    touched();
    schedule();
  });
  on('hidden', () => {
    closeStream();
    showHidden();
  });
  on('reactions', (d) => {
    applyCounts(d.likes, d.cheers);
    for (const id of new Set([...Object.keys(d.likes || {}), ...Object.keys(d.cheers || {})])) bumpCounts(id);
    schedule();
  });
  on('comment', (c) => {
    if (!c || typeof c.id === 'undefined') return;
    if (!state.feed.comments.some((x) => x.id === c.id)) {
      state.feed.comments.unshift(c);
      state.feed.comments.length = Math.min(state.feed.comments.length, 50);
    }
    state.myPending = state.myPending.filter((x) => x.id !== c.id);
    schedule();
  });
  on('commentary', (c) => {
    if (!c || typeof c.id === 'undefined') return;
    if (!state.feed.commentary.some((x) => x.id === c.id)) state.feed.commentary.unshift(c);
    state.feed.commentary.length = Math.min(state.feed.commentary.length, 20);
    schedule();
  });
  on('screen', (d) => {
    if (state.board) state.board.screen = d;
  });
}

/** Merges a standings delta into the board (docs/live.md): skipped when already in it. */
function onStandings(d) {
  const b = state.board;
  if (!b || !d || !(d.seq > b.seq)) return;
  const at = typeof d.at === 'number' ? d.at : Date.now();
  let unknown = false;
  for (const item of d.changed || []) {
    const c = contestant(item.id);
    if (!c) {
      unknown = true;
      continue;
    }
    const before = { ...c.ranks };
    const beforeTotal = c.total;
    for (const [key, value] of Object.entries(item)) {
      if (key === 'id') continue;
      if (key === 'ranks') {
        for (const [scope, rank] of Object.entries(value || {})) {
          if (rank === null) delete c.ranks[scope];
          else c.ranks[scope] = rank;
        }
      } else if (key === 'award' && value === null) {
        delete c.award;
      } else {
        c[key] = value;
      }
    }
    for (const [scope, rank] of Object.entries(item.ranks || {})) {
      if (typeof before[scope] === 'number' && typeof rank === 'number' && rank !== before[scope]) {
        if (!state.moves.has(scope)) state.moves.set(scope, new Map());
        state.moves.get(scope).set(c.id, { d: before[scope] - rank, at: Date.now() });
      }
    }
    if ((item.ranks && 'overall' in item.ranks) || ('total' in item && item.total !== beforeTotal)) {
      if (!state.livePoints.has(c.id)) state.livePoints.set(c.id, []);
      state.livePoints.get(c.id).push({ at, rank: c.ranks.overall, total: c.total });
    }
    state.flash.set(c.id, Date.now());
  }
  b.seq = d.seq;
  touched();
  if (unknown) loadBoard().then((ok) => ok && schedule()).catch(() => {});
  schedule();
}

function retryLater() {
  clearTimeout(state.retryTimer);
  state.retryTimer = setTimeout(async () => {
    try {
      if (await loadBoard()) {
        showLive();
        schedule();
        connect();
      }
    } catch {
      state.retryDelay = Math.min(state.retryDelay * 2, 30_000);
      retryLater();
    }
  }, state.retryDelay);
}

function showHidden() {
  closeStream();
  clearTimeout(state.retryTimer);
  setLive('hidden');
  document.body.dataset.view = 'hidden';
  $('wtabs').hidden = true;
  for (const id of ['view-loading', 'view-error', 'view-overview', 'view-teams', 'view-contestants', 'view-contestant']) $(id).hidden = true;
  $('view-hidden').hidden = false;
  const title = $('comp-title');
  delete title.dataset.i18n; // not "加载中…" forever when the board never came
  title.textContent = state.board ? state.board.title || compId : '';
  $('updated').textContent = '';
  state.lastCheck = Date.now();
  $('hidden-check').textContent = t('hidden.check', { time: clockText(state.lastCheck) });
  clearTimeout(state.pollTimer);
  state.pollTimer = setTimeout(pollHidden, HIDDEN_POLL_MS);
}

async function pollHidden() {
  try {
    if (await loadBoard()) {
      showLive();
      schedule();
      connect();
      return;
    }
  } catch {
    /* still nothing: the card stays */
    state.lastCheck = Date.now();
    $('hidden-check').textContent = t('hidden.check', { time: clockText(state.lastCheck) });
    clearTimeout(state.pollTimer);
    state.pollTimer = setTimeout(pollHidden, HIDDEN_POLL_MS);
  }
}

function showError(text) {
  closeStream();
  document.body.dataset.view = 'error';
  $('wtabs').hidden = true;
  for (const id of ['view-loading', 'view-hidden', 'view-overview', 'view-teams', 'view-contestants', 'view-contestant']) $(id).hidden = true;
  $('view-error').hidden = false;
  $('error-text').textContent = text;
  setLive('offline');
}

function showLive() {
  clearTimeout(state.pollTimer);
  $('view-hidden').hidden = true;
  $('view-error').hidden = true;
  $('view-loading').hidden = true;
  $('wtabs').hidden = false;
  route();
}

// ---------------------------------------------------------------- rendering

let frame = 0;
/** Coalesces renders to one per frame. */
function schedule() {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    render();
  });
}

function render() {
  const b = state.board;
  if (!b) return;
  delete $('comp-title').dataset.i18n;
  $('comp-title').textContent = b.title || compId;
  if (document.body.dataset.view === 'hidden' || document.body.dataset.view === 'error') return;
  $('updated').textContent = state.updatedAt ? t('live.updated', { time: clockText(state.updatedAt) }) : '';
  if (state.view === 'overview') renderOverview();
  else if (state.view === 'teams') renderTeams();
  else if (state.view === 'contestants') renderPeople();
  else if (state.view === 'contestant') renderPerson();
}

// ---- overview

function renderOverview() {
  renderStats();
  renderCommentary();
  renderLeaders();
  renderRanking();
  renderModuleProgress();
  renderComments($('ov-comments'), null);
  ensureCommentForm($('ov-comment-form'), null);
}

function progressCounts(moduleId) {
  const counts = { done: 0, active: 0, todo: 0 };
  for (const c of state.board.contestants) {
    const p = c.progress[moduleId];
    counts[p === 'done' || p === 'active' ? p : 'todo'] += 1;
  }
  return counts;
}

function renderStats() {
  const b = state.board;
  const people = b.contestants.length;
  const teams = new Set(b.contestants.map((c) => c.org || '')).size;
  let done = 0;
  let all = 0;
  for (const m of b.modules) {
    const k = progressCounts(m.id);
    done += k.done + k.active * 0.5;
    all += people;
  }
  const pct = all ? Math.round((done / all) * 100) : 0;
  const locked = b.modules.filter((m) => m.locked).length;
  const stat = (value, label, cls = '') => h('div', { class: `stat ${cls}` }, h('span', { class: 'stat-value num', text: value }), h('span', { class: 'stat-label', text: label }));
  const bar = h('span', { class: 'stats-bar-fill' });
  bar.style.width = `${pct}%`;
  $('ov-stats').replaceChildren(
    h('div', { class: 'stats-row' },
      stat(String(people), t('stats.contestants')),
      stat(String(teams), t('stats.teams')),
      stat(String(b.venues.length), t('stats.venues')),
      stat(`${pct}%`, t('stats.progress'), 'stat-accent')),
    h('div', { class: 'stats-bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(pct), 'aria-label': t('stats.progress') }, bar),
    h('p', { class: 'stats-foot', text: t('stats.modules', { n: b.modules.length, locked }) }),
  );
}

function renderCommentary() {
  const list = state.feed.commentary;
  const shown = state.commentaryAll ? list : list.slice(0, 2);
  $('commentary-list').replaceChildren(
    ...shown.map((c, i) =>
      h('li', { class: `commentary${i === 0 ? ' is-latest' : ''}`, dataset: { id: String(c.id) } },
        h('p', { class: 'commentary-text', text: c.text }),
        h('p', { class: 'commentary-meta' },
          h('span', { class: 'commentary-by', text: c.by || '' }),
          h('time', { class: 'num', datetime: new Date(c.at || 0).toISOString(), text: c.at ? ago(c.at) : '' }))),
    ),
  );
  $('commentary-empty').hidden = list.length > 0;
  const more = $('commentary-more');
  more.hidden = list.length <= 2;
  more.textContent = state.commentaryAll ? t('ov.commentaryLess') : t('ov.commentaryMore', { n: list.length - 2 });
}

function renderLeaders() {
  const b = state.board;
  const cards = b.groups.map((g) => {
    const top = ranked(`group:${g.id}`)[0];
    const hasScore = top && typeof top.total === 'number' && top.total > 0;
    return h('button', { class: 'leader', type: 'button', disabled: !top, dataset: top ? { contestant: top.id } : {}, onclick: () => top && openPerson(top.id) },
      h('span', { class: 'leader-group', text: g.name }),
      top ? avatar(top, 'sm') : null,
      h('span', { class: 'leader-name', text: top ? top.name : t('ov.leaderNone') }),
      h('span', { class: 'leader-total num', text: hasScore ? fmt(top.total) : '—' }));
  });
  $('leaders').replaceChildren(...cards);
}

function renderScopeChips() {
  const box = $('scope-chips');
  const scopes = allScopes();
  if (!scopes.includes(state.scope)) state.scope = 'overall';
  const key = `${getLang()}|${scopes.join(',')}|${state.scope}`;
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren(
    ...scopes.map((scope, i) => {
      const kind = scope.split(':')[0];
      const prev = i ? scopes[i - 1].split(':')[0] : kind;
      return h('button', {
        type: 'button',
        class: `chip-btn chip-${kind}${scope === state.scope ? ' is-on' : ''}${prev !== kind ? ' chip-gap' : ''}`,
        'aria-pressed': String(scope === state.scope),
        dataset: { scope },
        text: scopeLabel(scope, true),
        onclick: () => {
          state.scope = scope;
          state.rankAll = false;
          renderRanking();
        },
      });
    }),
  );
  const on = box.querySelector('.is-on');
  if (on && on.scrollIntoView && box.scrollWidth > box.clientWidth) {
    const left = on.offsetLeft - (box.clientWidth - on.offsetWidth) / 2;
    box.scrollTo({ left: Math.max(0, left), behavior: 'smooth' });
  }
}

/** Re-renders a list keyed by data-contestant, animating moved rows (FLIP). */
function replaceAnimated(list, rows) {
  const before = new Map();
  for (const el of list.children) if (el.dataset.contestant) before.set(el.dataset.contestant, el.getBoundingClientRect().top);
  list.replaceChildren(...rows);
  if (!before.size || matchMedia('(prefers-reduced-motion: reduce)').matches) return;
  for (const el of list.children) {
    const was = before.get(el.dataset.contestant);
    if (was === undefined) continue;
    const dy = was - el.getBoundingClientRect().top;
    if (Math.abs(dy) > 2 && el.animate) el.animate([{ transform: `translateY(${dy}px)` }, { transform: 'translateY(0)' }], { duration: 600, easing: 'cubic-bezier(.2,.8,.2,1)' });
  }
}

function isFresh(id) {
  const at = state.flash.get(id);
  return at && Date.now() - at < 2500;
}

function rankRow(c, scope, extraClass = '', subtitle = c.org || '') {
  const moduleId = scope.startsWith('module:') ? scope.slice(7) : '';
  const m = moduleId ? moduleOf(moduleId) : null;
  const score = moduleId ? c.modules[moduleId] : c.total;
  const rank = c.ranks[scope];
  const busy = moduleId ? c.progress[moduleId] === 'active' : !c.complete && Object.values(c.progress).some((p) => p === 'active');
  return h('li', { class: `rank-row${isFresh(c.id) ? ' is-fresh' : ''}${rank <= 3 ? ' is-podium' : ''} ${extraClass}`, dataset: { contestant: c.id } },
    h('button', { class: 'rank-row-btn', type: 'button', 'aria-label': t('row.open', { name: c.name }), onclick: () => openPerson(c.id) },
      rankBadge(rank),
      avatar(c, 'sm'),
      h('span', { class: 'rank-who' },
        h('span', { class: 'rank-name' }, h('span', { class: 'rank-name-text', text: c.name }), c.award && !moduleId ? h('span', { class: awardClass(c.award), text: c.award }) : null),
        h('span', { class: 'rank-org', text: subtitle })),
      h('span', { class: 'rank-score' },
        h('span', { class: 'rank-total num', text: fmt(score) }),
        h('span', { class: 'rank-sub' },
          moveBadge(moveOf(scope, c.id)),
          busy ? h('span', { class: 'busy-dot', text: t('row.incomplete') }) : m ? h('span', { class: 'rank-max num', text: `/ ${fmt(m.max)}` }) : null))));
}

function renderRanking() {
  renderScopeChips();
  const scope = state.scope;
  const list = ranked(scope);
  const shown = state.rankAll ? list : list.slice(0, TOP);
  replaceAnimated($('rank-list'), shown.map((c) => rankRow(c, scope)));
  $('rank-list').dataset.scope = scope;
  $('rank-empty').hidden = list.length > 0;
  $('ranking-note').textContent = list.length ? t('scope.note', { n: list.length, what: t(scope.startsWith('module:') ? 'scope.byModule' : 'scope.byTotal') }) : '';
  const more = $('rank-more');
  more.hidden = list.length <= TOP;
  more.textContent = state.rankAll ? t('ov.rankLess', { n: TOP }) : t('ov.rankMore', { n: list.length });
}

function renderModuleProgress() {
  const b = state.board;
  const n = b.contestants.length;
  $('module-progress').replaceChildren(
    ...b.modules.map((m) => {
      const k = progressCounts(m.id);
      const part = (cls, v) => {
        const el = h('span', { class: `pbar-part ${cls}` });
        el.style.width = n ? `${(v / n) * 100}%` : '0';
        return el;
      };
      return h('li', { class: `mprog${m.locked ? ' is-locked' : ''}`, dataset: { module: m.id } },
        h('div', { class: 'mprog-head' },
          h('span', { class: 'mprog-id mono', text: m.id }),
          h('span', { class: 'mprog-name', text: m.name }),
          m.locked ? h('span', { class: 'lock-tag', text: t('progress.locked') }) : null,
          h('span', { class: 'mprog-count num', text: t('progress.row', { done: k.done, n }) })),
        h('div', { class: 'pbar' }, part('pbar-done', k.done), part('pbar-active', k.active)));
    }),
  );
}

// ---- teams

function teams() {
  const map = new Map();
  for (const c of state.board.contestants) {
    const key = c.org || '';
    if (!map.has(key)) map.set(key, []);
    map.get(key).push(c);
  }
  return [...map].map(([org, members]) => {
    members.sort((a, b) => (a.ranks.overall ?? 1e9) - (b.ranks.overall ?? 1e9) || String(a.id).localeCompare(String(b.id)));
    const totals = members.map((c) => (typeof c.total === 'number' ? c.total : 0));
    const sum = totals.reduce((x, y) => x + y, 0);
    const awards = new Map();
    for (const c of members) if (c.award) awards.set(c.award, (awards.get(c.award) || 0) + 1);
    return {
      org,
      members,
      sum: Math.round(sum * 1000) / 1000,
      avg: members.length ? Math.round((sum / members.length) * 1000) / 1000 : 0,
      best: Math.min(...members.map((c) => c.ranks.overall ?? Infinity)),
      fans: members.reduce((n, c) => n + (c.likes || 0) + (c.cheers || 0), 0),
      groups: [...new Set(members.map((c) => c.group))],
      awards,
    };
  });
}

function renderTeams() {
  const list = teams();
  const by = {
    best: (a, b) => a.best - b.best || b.avg - a.avg,
    avg: (a, b) => b.avg - a.avg || a.best - b.best,
    fans: (a, b) => b.fans - a.fans || a.best - b.best,
  }[state.teamSort];
  list.sort((a, b) => by(a, b) || a.org.localeCompare(b.org));
  $('teams-summary').textContent = t('teams.summary', { n: list.length, people: state.board.contestants.length });
  for (const btn of $('teams-sort').querySelectorAll('[data-sort]')) {
    btn.classList.toggle('is-on', btn.dataset.sort === state.teamSort);
    btn.setAttribute('aria-pressed', String(btn.dataset.sort === state.teamSort));
  }
  const awardOrder = state.board.awards || [];
  $('team-list').replaceChildren(
    ...list.map((team, i) => {
      const open = state.teamOpen.has(team.org);
      const members = open ? team.members : team.members.slice(0, 3);
      const stat = (label, value, cls = '') => h('div', { class: `tstat ${cls}` }, h('span', { class: 'tstat-value num', text: value }), h('span', { class: 'tstat-label', text: label }));
      const awards = [...team.awards].sort((a, b) => awardOrder.indexOf(a[0]) - awardOrder.indexOf(b[0]));
      return h('li', { class: `team${i < 3 ? ` team-top team-top-${i + 1}` : ''}`, dataset: { org: team.org } },
        h('header', { class: 'team-head' },
          h('span', { class: 'team-place num', text: String(i + 1) }),
          h('div', { class: 'team-title' },
            h('h3', { class: 'team-name', text: team.org || t('teams.noOrg') }),
            h('p', { class: 'team-groups', text: team.groups.map(groupName).join(' · ') })),
          h('span', { class: 'team-faces', 'aria-hidden': 'true' }, ...team.members.slice(0, 4).map((c) => avatar(c, 'xs')))),
        h('div', { class: 'tstats' },
          stat(t('teams.members'), String(team.members.length)),
          stat(t('teams.best'), Number.isFinite(team.best) ? `#${team.best}` : '—', 'tstat-best'),
          stat(t('teams.avg'), fmt(team.avg)),
          stat(t('teams.fans'), fmt(team.fans), team.fans ? 'tstat-fans' : '')),
        awards.length ? h('p', { class: 'team-awards' }, ...awards.map(([name, n]) => h('span', { class: awardClass(name), text: t('teams.awards', { award: name, n }) }))) : null,
        h('p', { class: 'team-sum' }, h('span', { text: t('teams.sum') }), h('b', { class: 'num', text: fmt(team.sum) })),
        h('ol', { class: 'member-list' }, ...members.map((c) => rankRow(c, 'overall', 'member-row', [groupName(c.group), c.station ? t('person.station', { station: c.station }) : ''].filter(Boolean).join(' · ')))),
        team.members.length > 3
          ? h('button', {
              class: 'more-btn',
              type: 'button',
              'aria-expanded': String(open),
              text: open ? t('teams.collapse') : t('teams.expand', { n: team.members.length }),
              onclick: () => {
                if (open) state.teamOpen.delete(team.org);
                else state.teamOpen.add(team.org);
                renderTeams();
              },
            })
          : null);
    }),
  );
}

// ---- contestants

function renderGroupChips() {
  const box = $('group-chips');
  const options = [['', t('people.all')], ...state.board.groups.map((g) => [g.id, g.name])];
  const key = `${getLang()}|${options.map((o) => o.join('=')).join(',')}|${state.group}`;
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren(
    ...options.map(([id, name]) =>
      h('button', {
        type: 'button',
        class: `chip-btn${id === state.group ? ' is-on' : ''}`,
        'aria-pressed': String(id === state.group),
        text: name,
        onclick: () => {
          state.group = id;
          renderPeople();
        },
      }),
    ),
  );
}

function renderPeople() {
  renderGroupChips();
  const q = state.search.trim().toLowerCase();
  const all = [...state.board.contestants].sort((a, b) => (a.ranks.overall ?? 1e9) - (b.ranks.overall ?? 1e9) || String(a.id).localeCompare(String(b.id)));
  const list = all.filter(
    (c) => (!state.group || c.group === state.group) && (!q || [c.name, c.id, c.org, c.station].some((v) => String(v || '').toLowerCase().includes(q))),
  );
  $('people-summary').textContent = q || state.group ? t('people.filtered', { n: list.length }) : t('people.summary', { n: all.length });
  replaceAnimated(
    $('people-list'),
    list.map((c) =>
      h('li', { class: `person-row${isFresh(c.id) ? ' is-fresh' : ''}`, dataset: { contestant: c.id } },
        h('button', { class: 'person-row-btn', type: 'button', 'aria-label': t('row.open', { name: c.name }), onclick: () => openPerson(c.id) },
          avatar(c, 'md'),
          h('span', { class: 'person-who' },
            h('span', { class: 'person-name' }, h('span', { class: 'person-name-text', text: c.name }), h('span', { class: 'person-id mono', text: c.id })),
            h('span', { class: 'person-org', text: c.org || '' }),
            h('span', { class: 'person-meta' },
              h('span', { class: 'tag', text: groupName(c.group) }),
              c.station ? h('span', { class: 'tag tag-soft', text: t('person.station', { station: c.station }) }) : null,
              h('span', { class: 'mini-count', title: t('person.like') }, icon('heart', 'mini-icon mini-heart'), h('span', { class: 'num', dataset: { count: 'likes' }, text: fmt(c.likes || 0) })),
              h('span', { class: 'mini-count', title: t('person.cheer') }, icon('flame', 'mini-icon mini-flame'), h('span', { class: 'num', dataset: { count: 'cheers' }, text: fmt(c.cheers || 0) })))),
          h('span', { class: 'person-rank' },
            rankBadge(c.ranks.overall, 'rank-badge-lg'),
            h('span', { class: 'person-total num', text: fmt(c.total) }),
            moveBadge(moveOf('overall', c.id))))),
    ),
  );
  $('people-empty').hidden = list.length > 0;
}

// ---- contestant page

const personParts = {}; // the built page of state.person: containers filled by renderPerson

function openPerson(id) {
  state.navInside = true;
  location.hash = `c=${encodeURIComponent(id)}`;
}

/** Builds the contestant page once per contestant, then only refills its live parts. */
function renderPerson() {
  const id = state.person;
  const c = contestant(id);
  const root = $('person');
  if (!c) {
    root.replaceChildren(h('p', { class: 'empty-note', text: t('person.notFound') }));
    personParts.id = '';
    return;
  }
  const key = `${id}|${getLang()}`;
  if (personParts.key !== key) buildPerson(c);
  personParts.key = key;
  fillPerson(c);
}

function buildPerson(c) {
  const root = $('person');
  const hero = h('section', { class: `hero hero-h${hue(c.id)}` });
  const numbers = h('div', { class: 'hero-numbers' });
  const likeBtn = h('button', { class: 'react react-like', type: 'button', id: 'like-btn', dataset: { contestant: c.id }, onclick: () => react('like', c.id) },
    icon('heart', 'react-icon'), h('span', { class: 'react-label', text: t('person.like') }), h('span', { class: 'react-count num', id: 'like-count' }));
  const cheerBtn = h('button', { class: 'react react-cheer', type: 'button', id: 'cheer-btn', dataset: { contestant: c.id }, onclick: () => react('cheer', c.id) },
    icon('flame', 'react-icon'), h('span', { class: 'react-label', text: t('person.cheer') }), h('span', { class: 'react-count num', id: 'cheer-count' }));
  const reactNote = h('p', { class: 'react-note', id: 'react-note', role: 'status', 'aria-live': 'polite' });
  const pledge = h('blockquote', { class: 'pledge-text', id: 'pledge' });
  const chart = h('div', { class: 'trend', id: 'trend' });
  const modules = h('ul', { class: 'mod-ranks', id: 'mod-ranks' });
  const formBox = h('div', { id: 'person-comment-form' });
  const comments = h('ol', { class: 'comment-list', id: 'person-comments' });
  root.replaceChildren(
    hero,
    numbers,
    h('section', { class: 'react-bar' }, likeBtn, cheerBtn, reactNote),
    h('section', { class: 'card pledge-card' }, h('header', { class: 'card-head' }, h('h2', null, h('span', { class: 'head-icon head-icon-quote', 'aria-hidden': 'true' }), h('span', { text: t('person.pledge') }))), pledge),
    h('section', { class: 'card' }, h('header', { class: 'card-head' }, h('h2', null, h('span', { class: 'head-icon head-icon-chart', 'aria-hidden': 'true' }), h('span', { text: t('person.trend') })), h('span', { class: 'card-note', id: 'trend-note' })), chart),
    h('section', { class: 'card' }, h('header', { class: 'card-head' }, h('h2', null, h('span', { class: 'head-icon head-icon-flag', 'aria-hidden': 'true' }), h('span', { text: t('person.modules') }))), modules),
    h('section', { class: 'card comments-card' }, h('header', { class: 'card-head' }, h('h2', null, h('span', { class: 'head-icon head-icon-chat', 'aria-hidden': 'true' }), h('span', { text: t('person.comments') }))), formBox, comments,
      h('p', { class: 'empty-note', id: 'person-comments-empty', text: t('comments.none') })),
  );
  Object.assign(personParts, { hero, numbers, pledge, chart, modules, comments });
  ensureCommentForm(formBox, c.id);
}

function fillPerson(c) {
  const b = state.board;
  const profile = state.profiles.get(c.id);
  const hasPhoto = c.photo || (profile && profile.photo);
  // Hero: photo or initials, name, organisation, group, venue, station, award.
  const heroKey = `${c.name}|${c.org}|${c.group}|${c.venue}|${c.station}|${c.award || ''}|${hasPhoto}`;
  if (personParts.hero.dataset.key !== heroKey) {
    personParts.hero.dataset.key = heroKey;
    const photoBox = h('div', { class: `hero-photo avatar-h${hue(c.id)}` }, h('span', { class: 'hero-initials', text: initials(c.name) }));
    if (hasPhoto) {
      const img = h('img', { class: 'hero-img', alt: c.name, src: photoUrl(c.id), decoding: 'async' });
      img.addEventListener('load', () => photoBox.classList.add('has-photo'));
      img.addEventListener('error', () => img.remove());
      photoBox.append(img);
    }
    photoBox.dataset.photo = hasPhoto ? 'true' : 'false';
    personParts.hero.replaceChildren(
      photoBox,
      h('div', { class: 'hero-text' },
        h('p', { class: 'hero-id mono', text: c.id }),
        h('h2', { class: 'hero-name', id: 'person-name', text: c.name }),
        h('p', { class: 'hero-org', text: c.org || '' }),
        h('p', { class: 'hero-tags' },
          h('span', { class: 'tag tag-dark', text: groupName(c.group) }),
          c.venue ? h('span', { class: 'tag tag-dark', text: venueName(c.venue) }) : null,
          c.station ? h('span', { class: 'tag tag-dark', text: t('person.station', { station: c.station }) }) : null),
        c.award ? h('p', { class: 'hero-award' }, h('span', { class: awardClass(c.award), text: c.award })) : null),
    );
  }
  // Numbers: overall rank, total, rank in the group.
  const n = ranked('overall').length;
  const gScope = `group:${c.group}`;
  const gn = ranked(gScope).length;
  const num = (label, value, sub, cls, move) =>
    h('div', { class: `hnum ${cls}` }, h('span', { class: 'hnum-label', text: label }),
      h('span', { class: 'hnum-value num' }, h('span', { text: value }), sub ? h('small', { text: sub }) : null), move);
  personParts.numbers.replaceChildren(
    num(t('person.rank'), c.ranks.overall ? String(c.ranks.overall) : '—', n ? t('person.of', { n }) : '', 'hnum-rank', moveBadge(moveOf('overall', c.id))),
    num(t('person.total'), fmt(c.total), '', 'hnum-total'),
    num(t('person.groupRank', { group: groupName(c.group) }), c.ranks[gScope] ? String(c.ranks[gScope]) : '—', gn ? t('person.of', { n: gn }) : '', 'hnum-group', moveBadge(moveOf(gScope, c.id))),
  );
  personParts.numbers.querySelector('.hnum-rank').id = 'person-rank';
  // Reactions.
  updateReactButtons(c.id);
  // Pledge.
  if (profile) {
    const text = profile.pledge || '';
    personParts.pledge.textContent = text || t('person.pledgeNone');
    personParts.pledge.classList.toggle('is-empty', !text);
  } else {
    personParts.pledge.textContent = t('common.loading');
    personParts.pledge.classList.add('is-empty');
  }
  // Trend.
  renderTrend(c, profile);
  // Modules.
  personParts.modules.replaceChildren(
    ...b.modules.map((m) => {
      const score = c.modules[m.id];
      const rank = c.ranks[`module:${m.id}`];
      const mn = ranked(`module:${m.id}`).length;
      const fill = h('span', { class: 'mod-bar-fill' });
      fill.style.width = `${m.max ? Math.max(0, Math.min(100, ((score || 0) / m.max) * 100)) : 0}%`;
      const p = c.progress[m.id] || 'todo';
      return h('li', { class: `mod-rank mod-${p}`, dataset: { module: m.id } },
        h('div', { class: 'mod-rank-head' },
          h('span', { class: 'mprog-id mono', text: m.id }),
          h('span', { class: 'mod-name', text: m.name }),
          h('span', { class: `pstate pstate-${p}`, text: t(`progress.${p}`) })),
        h('div', { class: 'mod-rank-body' },
          h('div', { class: 'mod-bar' }, fill),
          h('span', { class: 'mod-score num' }, h('b', { text: fmt(score) }), h('small', { text: ` / ${fmt(m.max)}` })),
          h('span', { class: `mod-place num${rank && rank <= 3 ? ` is-top is-top-${rank}` : ''}`, title: mn ? `${rank || '—'} / ${mn}` : '', text: rank ? t('person.moduleRank', { n: rank }) : '—' })));
    }),
  );
  // Comments to this contestant.
  renderComments(personParts.comments, c.id);
}

function updateReactButtons(id) {
  const c = contestant(id);
  if (!c || !$('like-count')) return;
  $('like-count').textContent = fmt(c.likes || 0);
  $('cheer-count').textContent = fmt(c.cheers || 0);
  const now = Date.now();
  for (const kind of ['like', 'cheer']) {
    const btn = $(`${kind}-btn`);
    const until = state.cooldown.get(kind) || 0;
    const capped = state.capped.has(`${kind}:${id}`);
    btn.disabled = capped || until > now;
    btn.classList.toggle('is-capped', capped);
    const mine = state.mine.get(id);
    btn.classList.toggle('is-mine', !!(mine && mine[kind === 'like' ? 'likes' : 'cheers']));
  }
  const mine = state.mine.get(id);
  const note = $('react-note');
  if (!note.dataset.sticky) note.textContent = mine && (mine.likes || mine.cheers) ? t('person.mine', { likes: mine.likes || 0, cheers: mine.cheers || 0 }) : '';
}

function bumpCounts(id) {
  if (state.view !== 'contestant' || state.person !== id) return;
  for (const el of [$('like-count'), $('cheer-count')]) {
    if (el && el.animate) el.animate([{ transform: 'scale(1.35)' }, { transform: 'scale(1)' }], { duration: 380, easing: 'ease-out' });
  }
}

const last0 = (list) => list[list.length - 1];

/** The rank over time as an inline SVG line chart (rank 1 at the top). */
function renderTrend(c, profile) {
  const box = personParts.chart;
  const points = [...((profile && profile.history) || []), ...(state.livePoints.get(c.id) || [])]
    .filter((p) => p && typeof p.rank === 'number')
    .sort((a, b) => (a.at || 0) - (b.at || 0));
  if (typeof c.ranks.overall === 'number') {
    const last = points[points.length - 1];
    if (!last || last.rank !== c.ranks.overall) points.push({ at: Date.now(), rank: c.ranks.overall, total: c.total, now: true });
  }
  const key = `${getLang()}|${points.map((p) => `${p.at}:${p.rank}`).join(',')}`;
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  $('trend-note').textContent = points.length ? t('person.trendNow', { n: points[points.length - 1].rank }) : '';
  if (points.length < 2) {
    const now = points.length ? points[points.length - 1].rank : null;
    box.replaceChildren(h('p', { class: 'empty-note', text: !profile ? t('common.loading') : now ? t('person.trendOne', { n: now }) : t('person.trendNone') }));
    return;
  }
  const W = 330;
  const H = 170;
  const pad = { l: 34, r: 16, t: 16, b: 26 };
  const ranks = points.map((p) => p.rank);
  let lo = Math.min(...ranks);
  let hi = Math.max(...ranks);
  if (hi - lo < 4) {
    hi = lo + 4;
  }
  lo = Math.max(1, lo - 1);
  hi += 1;
  const x = (i) => pad.l + (i * (W - pad.l - pad.r)) / (points.length - 1);
  const y = (r) => pad.t + ((r - lo) * (H - pad.t - pad.b)) / (hi - lo);
  const ticks = [lo, Math.round((lo + hi) / 2), hi];
  const line = points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.rank).toFixed(1)}`).join(' ');
  const area = `${line} L${x(points.length - 1).toFixed(1)},${H - pad.b} L${x(0).toFixed(1)},${H - pad.b} Z`;
  const gid = `trend-grad-${hue(c.id)}`;
  // Times on the axis: to the minute, or to the second when both ends share a minute.
  const sameMinute = points[0].at && last0(points).at && timeText(points[0].at) === timeText(last0(points).at);
  const when = (ms) => (sameMinute ? clockText(ms) : timeText(ms));
  const last = points[points.length - 1];
  const lx = x(points.length - 1);
  const ly = y(last.rank);
  const label = t('person.trendNow', { n: last.rank });
  const labelW = 14 + label.length * (getLang() === 'en' ? 7 : 12);
  const svg = s('svg', {
    class: 'trend-svg', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': t('person.trendAria', { name: c.name, points: points.map((p) => p.rank).join(' → ') }),
  },
  s('defs', null, s('linearGradient', { id: gid, x1: 0, y1: 0, x2: 0, y2: 1 },
    s('stop', { offset: '0', 'stop-color': '#1759c7', 'stop-opacity': '0.28' }),
    s('stop', { offset: '1', 'stop-color': '#1759c7', 'stop-opacity': '0' }))),
  ...ticks.map((r) => s('g', { class: 'trend-tick' },
    s('line', { x1: pad.l, x2: W - pad.r, y1: y(r), y2: y(r), class: 'trend-grid' }),
    s('text', { x: pad.l - 8, y: y(r) + 4, 'text-anchor': 'end', class: 'trend-label' }, `#${r}`))),
  s('path', { d: area, fill: `url(#${gid})` }),
  s('path', { d: line, class: 'trend-line', fill: 'none' }),
  ...points.map((p, i) => s('circle', { cx: x(i), cy: y(p.rank), r: i === points.length - 1 ? 5.5 : 3, class: i === points.length - 1 ? 'trend-dot trend-dot-last' : 'trend-dot' })),
  s('g', { class: 'trend-callout' },
    s('rect', { x: Math.min(W - labelW - 2, Math.max(2, lx - labelW / 2)), y: Math.max(1, ly - 30), width: labelW, height: 20, rx: 10 }),
    s('text', { x: Math.min(W - labelW / 2 - 2, Math.max(2 + labelW / 2, lx)), y: Math.max(1, ly - 30) + 14, 'text-anchor': 'middle' }, label)),
  s('text', { x: pad.l, y: H - 6, class: 'trend-label', 'text-anchor': 'start' }, points[0].at && when(points[0].at) !== when(last.at) ? when(points[0].at) : ''),
  s('text', { x: W - pad.r, y: H - 6, class: 'trend-label', 'text-anchor': 'end' }, last.at ? when(last.at) : ''),
  );
  box.replaceChildren(svg);
}

// ---- comments

function renderComments(list, contestantId) {
  if (!list) return;
  const feed = state.feed.comments.filter((c) => contestantId === null || c.contestant === contestantId);
  const mine = state.myPending.filter((c) => contestantId === null || c.contestant === contestantId);
  const item = (c, pending) =>
    h('li', { class: `comment${pending ? ' is-pending' : ''}`, dataset: { id: String(c.id) } },
      h('span', { class: `comment-avatar avatar-h${hue(c.id)}`, 'aria-hidden': 'true' }, icon('chat', 'comment-icon')),
      h('div', { class: 'comment-body' },
        h('p', { class: 'comment-meta' },
          contestantId === null && c.contestant && contestant(c.contestant)
            ? h('button', { type: 'button', class: 'comment-to', text: t('comments.to', { name: contestant(c.contestant).name }), onclick: () => openPerson(c.contestant) })
            : null,
          pending ? h('span', { class: 'pending-tag', text: t('comments.pendingTag') }) : null,
          h('time', { class: 'comment-time num', text: c.at ? ago(c.at) : '' })),
        h('p', { class: 'comment-text', text: c.text })));
  list.replaceChildren(...mine.map((c) => item(c, true)), ...feed.map((c) => item(c, false)));
  if (contestantId === null) {
    $('ov-comments-empty').hidden = feed.length + mine.length > 0;
    $('ov-comments-count').textContent = feed.length ? t('ov.commentsCount', { n: feed.length }) : '';
  } else {
    const empty = $('person-comments-empty');
    if (empty) empty.hidden = feed.length + mine.length > 0;
  }
}

/** The comment box (built once per place and language, so typing is never lost). */
function ensureCommentForm(box, contestantId) {
  const key = `${contestantId || ''}|${getLang()}`;
  if (box.dataset.key === key) return;
  const keep = box.querySelector('textarea')?.value || '';
  box.dataset.key = key;
  const c = contestantId ? contestant(contestantId) : null;
  const area = h('textarea', {
    class: 'comment-field',
    rows: '2',
    name: 'comment',
    'aria-label': t('comments.label'),
    placeholder: c ? t('comments.placeholderFor', { name: c.name }) : t('comments.placeholder'),
  });
  area.value = keep;
  const counter = h('span', { class: 'comment-counter num', 'aria-live': 'polite' });
  const send = h('button', { class: 'btn btn-primary comment-send', type: 'submit', text: t('comments.send') });
  const note = h('p', { class: 'comment-note', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { class: 'comment-form', novalidate: true, dataset: { contestant: contestantId || '' } },
    area, h('div', { class: 'comment-actions' }, counter, send), note);
  const update = () => {
    const n = chars(area.value);
    counter.textContent = `${n}/${COMMENT_MAX}`;
    counter.classList.toggle('is-over', n > COMMENT_MAX);
    const until = state.cooldown.get('comment') || 0;
    send.disabled = n === 0 || n > COMMENT_MAX || until > Date.now() || form.dataset.busy === 'true';
  };
  area.addEventListener('input', () => {
    note.textContent = '';
    note.className = 'comment-note';
    update();
  });
  area.addEventListener('focus', () => form.classList.add('is-open'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = area.value.trim();
    if (!text) {
      note.textContent = t('comments.empty');
      return;
    }
    if (chars(text) > COMMENT_MAX) {
      note.textContent = t('comments.tooLong');
      note.className = 'comment-note is-error';
      return;
    }
    form.dataset.busy = 'true';
    send.textContent = t('comments.sending');
    update();
    try {
      const body = contestantId ? { contestant: contestantId, text } : { text };
      const answer = await publicPost(`${apiBase}/comments`, body);
      area.value = '';
      const at = Date.now();
      if (answer.status === 'published') {
        note.textContent = t('comments.published');
        note.className = 'comment-note is-ok';
        if (!state.feed.comments.some((x) => x.id === answer.id)) state.feed.comments.unshift({ id: answer.id, contestant: contestantId || null, text, at });
      } else {
        note.textContent = t('comments.pending');
        note.className = 'comment-note is-ok';
        state.myPending.unshift({ id: answer.id, contestant: contestantId || null, text, at });
      }
      toast(note.textContent);
      schedule();
    } catch (err) {
      note.className = 'comment-note is-error';
      note.textContent = errorText(err, 'comment');
    } finally {
      form.dataset.busy = 'false';
      send.textContent = t('comments.send');
      update();
    }
  });
  form.update = update;
  box.replaceChildren(form);
  update();
}

function errorText(err, kind) {
  if (err instanceof NetworkError) return t('error.network');
  if (err instanceof ApiError && err.status === 429) {
    if (err.code === 'cap_reached') return t('reaction.cap');
    if (err.retryAfter) {
      startCooldown(kind, err.retryAfter);
      return t('reaction.wait', { n: err.retryAfter });
    }
    return t('reaction.waitNoTime');
  }
  if (err instanceof ApiError) return localMessage(err.message) || t('error.unknown');
  return t('error.unknown');
}

// ---------------------------------------------------------------- actions

let cooldownTimer = 0;
function startCooldown(kind, seconds) {
  state.cooldown.set(kind, Date.now() + seconds * 1000);
  tickCooldown();
}

/** Counts a 429's Retry-After down on the buttons it disabled. */
function tickCooldown() {
  clearTimeout(cooldownTimer);
  const now = Date.now();
  let any = false;
  for (const [kind, until] of state.cooldown) {
    const left = Math.ceil((until - now) / 1000);
    if (left <= 0) {
      state.cooldown.delete(kind);
      continue;
    }
    any = true;
    if ((kind === 'like' || kind === 'cheer') && $('react-note')) {
      $('react-note').dataset.sticky = 'true';
      $('react-note').textContent = t('reaction.wait', { n: left });
    }
  }
  if (!any && $('react-note')) delete $('react-note').dataset.sticky;
  if (state.view === 'contestant') updateReactButtons(state.person);
  for (const form of document.querySelectorAll('.comment-form')) form.update && form.update();
  if (any) cooldownTimer = setTimeout(tickCooldown, 500);
}

async function react(kind, id) {
  const btn = $(`${kind}-btn`);
  if (!btn || btn.disabled) return;
  btn.disabled = true;
  try {
    const answer = await publicPost(`${apiBase}/contestants/${seg(id)}/${kind}`, {});
    const c = contestant(id);
    if (c) {
      if (typeof answer.likes === 'number') c.likes = answer.likes;
      if (typeof answer.cheers === 'number') c.cheers = answer.cheers;
    }
    if (answer.mine && typeof answer.mine === 'object') {
      state.mine.set(id, { likes: answer.mine.likes || 0, cheers: answer.mine.cheers || 0 });
      saveMine();
    }
    floatUp(btn, kind);
    delete $('react-note').dataset.sticky;
  } catch (err) {
    const note = $('react-note');
    if (err instanceof ApiError && err.status === 429 && err.code === 'cap_reached') {
      state.capped.add(`${kind}:${id}`);
      note.dataset.sticky = 'true';
      note.textContent = t('reaction.cap');
    } else if (err instanceof ApiError && err.status === 429) {
      note.dataset.sticky = 'true';
      note.textContent = errorText(err, kind);
      if (err.retryAfter) startCooldown(kind, err.retryAfter);
      else startCooldown(kind, 5);
    } else {
      note.dataset.sticky = 'true';
      note.textContent = errorText(err, kind);
      setTimeout(() => delete note.dataset.sticky, 4000);
    }
  } finally {
    updateReactButtons(id);
    schedule();
  }
}

/** A small "+1" that floats up from the button pressed. */
function floatUp(btn, kind) {
  const bubble = h('span', { class: `float-up float-${kind}`, 'aria-hidden': 'true' }, icon(kind === 'like' ? 'heart' : 'flame', 'float-icon'), '+1');
  btn.append(bubble);
  const done = () => bubble.remove();
  if (bubble.animate) {
    bubble.animate([{ transform: 'translate(-50%, 0)', opacity: 1 }, { transform: 'translate(-50%, -46px)', opacity: 0 }], { duration: 900, easing: 'ease-out' }).onfinish = done;
  } else {
    setTimeout(done, 900);
  }
}

// ---------------------------------------------------------------- routing

function readRoute() {
  const hash = location.hash.slice(1);
  const params = new URLSearchParams(hash);
  if (params.has('c')) return { view: 'contestant', person: params.get('c') || '' };
  if (['overview', 'teams', 'contestants'].includes(hash)) return { view: hash, person: '' };
  return { view: 'overview', person: '' };
}

function route() {
  if (!state.board) return;
  const was = state.view === 'contestant' ? `c=${state.person}` : state.view;
  state.scrolls.set(was, window.scrollY);
  const next = readRoute();
  const changed = next.view !== state.view || next.person !== state.person;
  state.view = next.view;
  state.person = next.person;
  document.body.dataset.view = state.view;
  const tab = state.view === 'contestant' ? 'contestants' : state.view;
  for (const btn of $('wtabs').querySelectorAll('[data-tab]')) {
    const on = btn.dataset.tab === tab;
    btn.setAttribute('aria-selected', String(on));
    btn.classList.toggle('is-on', on);
    btn.tabIndex = on ? 0 : -1;
  }
  for (const v of ['overview', 'teams', 'contestants', 'contestant']) $(`view-${v}`).hidden = v !== state.view;
  if (state.view === 'contestant') {
    personParts.key = '';
    if (!state.profiles.has(state.person) || changed) loadProfile(state.person);
  }
  render();
  if (changed) {
    const now = state.view === 'contestant' ? `c=${state.person}` : state.view;
    window.scrollTo(0, state.view === 'contestant' ? 0 : state.scrolls.get(now) || 0);
  }
}

// ---------------------------------------------------------------- start-up

function bindEvents() {
  bindLangToggle($('lang-toggle'));
  onLangChange(() => {
    setLive(state.live);
    if (state.lastCheck) $('hidden-check').textContent = t('hidden.check', { time: clockText(state.lastCheck) });
    personParts.key = '';
    render();
  });
  window.addEventListener('hashchange', route);
  $('wtabs').addEventListener('click', (event) => {
    const btn = event.target.closest('[data-tab]');
    if (!btn) return;
    state.navInside = true;
    location.hash = btn.dataset.tab;
  });
  $('wtabs').addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const tabs = ['overview', 'teams', 'contestants'];
    const cur = tabs.indexOf(state.view === 'contestant' ? 'contestants' : state.view);
    const next = tabs[(cur + (event.key === 'ArrowRight' ? 1 : -1) + tabs.length) % tabs.length];
    location.hash = next;
    $(`tab-${next}`).focus();
  });
  $('back').addEventListener('click', () => {
    if (state.navInside && history.length > 1) history.back();
    else location.hash = 'contestants';
  });
  $('rank-more').addEventListener('click', () => {
    state.rankAll = !state.rankAll;
    renderRanking();
  });
  $('commentary-more').addEventListener('click', () => {
    state.commentaryAll = !state.commentaryAll;
    renderCommentary();
  });
  $('teams-sort').addEventListener('click', (event) => {
    const btn = event.target.closest('[data-sort]');
    if (!btn) return;
    state.teamSort = btn.dataset.sort;
    renderTeams();
  });
  $('search').addEventListener('input', () => {
    state.search = $('search').value;
    renderPeople();
  });
  $('error-retry').addEventListener('click', () => location.reload());
  // Relative times ("3 分钟前") and fading rank moves stay fresh.
  setInterval(() => {
    if (state.board && !document.hidden) schedule();
  }, 30_000);
}

async function start() {
  bindEvents();
  applyI18n();
  if (!compId) {
    showError(t('error.notFound'));
    return;
  }
  try {
    if (!(await loadBoard())) {
      document.body.dataset.ready = 'true';
      return;
    }
  } catch (err) {
    document.body.dataset.ready = 'true';
    showError(err instanceof NetworkError ? t('error.network') : localMessage(err.message) || t('error.unknown'));
    return;
  }
  showLive();
  connect();
  document.body.dataset.ready = 'true';
}

start();
