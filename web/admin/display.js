// The organiser's display panel (/admin, tab 现场展示): what the big screen and the
// spectators' phones show, and what spectators may do there (docs/live.md, Organiser):
// the spectator page's address and QR code; the big screen's rotation, seconds per view
// and top N; comment moderation (pending / published / rejected, block a device);
// auto-publish and the word filter; like and cheer caps per device; expert commentary;
// each contestant's pledge and photo.
//
// Comments, pledges and names are untrusted: always set as text. admin.js calls
// initDisplay() once, showDisplay(comp) when the tab opens, leaveDisplay() when another
// tab opens and rerenderDisplay() when the language changes.

import * as api from '/static/common/api.js';
import { $, h, toast } from '/static/common/dom.js';
import { define, getLang, t } from '/static/common/i18n.js';

define({
  zh: {
    'tab.display': '现场展示',
    'dsp.entry': '观众入口',
    'dsp.entryHint': '大屏上的二维码指向这个地址，观众扫码即可观看实时排名、为选手点赞打榜和留言。',
    'dsp.qrAlt': '观众页二维码',
    'dsp.qrHidden': '成绩公布后才能生成二维码',
    'dsp.copy': '复制地址',
    'dsp.copied': '地址已复制',
    'dsp.openWatch': '打开观众页',
    'dsp.openScreen': '打开大屏',
    'dsp.screen': '大屏轮播',
    'dsp.screenHint': '勾选大屏依次显示的画面，用箭头调整顺序。',
    'dsp.seconds': '每屏秒数',
    'dsp.top': '每屏显示前 N 名',
    'dsp.save': '保存',
    'dsp.saving': '正在保存…',
    'dsp.saved': '已保存',
    'dsp.up': '上移',
    'dsp.down': '下移',
    'dsp.pickOne': '请至少勾选一个画面',
    'dsp.badSeconds': '每屏秒数须为 5–300 的整数',
    'dsp.badTop': '前 N 名须为 3–50 的整数',
    'dsp.scope.overall': '总排名',
    'dsp.scope.progress': '赛程进度',
    'dsp.scope.group': '组别',
    'dsp.scope.venue': '赛场',
    'dsp.scope.module': '单项',
    'dsp.interact': '互动设置',
    'dsp.autoPublish': '留言自动发布',
    'dsp.autoPublishHint': '开启后，不含过滤词的留言立即公开；含过滤词的仍需审核。关闭时每条留言都需审核。',
    'dsp.likeCap': '每台设备对每位选手最多点赞',
    'dsp.cheerCap': '每台设备对每位选手最多打榜',
    'dsp.times': '次',
    'dsp.words': '过滤词（每行一个）',
    'dsp.wordsHint': '含有这些词的留言不会自动发布，留待人工审核。不区分大小写。',
    'dsp.badCap': '上限须为不小于 0 的整数',
    'dsp.badWord': '每个过滤词不超过 50 个字',
    'dsp.moderation': '留言审核',
    'dsp.st.pending': '待审核',
    'dsp.st.published': '已发布',
    'dsp.st.rejected': '已拒绝',
    'dsp.refresh': '刷新',
    'dsp.autoRefresh': '每 10 秒自动刷新',
    'dsp.none.pending': '没有待审核的留言。',
    'dsp.none.published': '还没有已发布的留言。',
    'dsp.none.rejected': '没有被拒绝的留言。',
    'dsp.all': '全场',
    'dsp.to': '给 {name}',
    'dsp.device': '设备 {id}',
    'dsp.approve': '通过',
    'dsp.reject': '拒绝',
    'dsp.block': '屏蔽该设备',
    'dsp.unpublish': '撤下',
    'dsp.restore': '恢复发布',
    'dsp.approved': '已通过，观众页和大屏即刻显示',
    'dsp.rejected': '已拒绝',
    'dsp.blocked': '已拒绝并屏蔽该设备的后续留言',
    'dsp.blockTitle': '屏蔽这台设备？',
    'dsp.blockText': '这条留言将被拒绝，这台设备之后的留言也都会被拒绝（点赞、打榜不受影响）。',
    'dsp.commentary': '专家解说',
    'dsp.commentaryHint': '发布后立即出现在观众页和大屏上。',
    'dsp.commentaryPlaceholder': '例如：第三模块开始，温州赛场 A 区进度领先…',
    'dsp.post': '发布解说',
    'dsp.posted': '解说已发布',
    'dsp.recent': '最近发布',
    'dsp.tooLong': '最多 {n} 字',
    'dsp.empty': '请先填写内容',
    'dsp.profiles': '选手资料：赛前宣言与照片',
    'dsp.profilesHint': '照片支持 JPEG 或 PNG（≤ 8 MB），服务器会缩放到不超过 480×480。宣言最多 200 字。',
    'dsp.filter': '按编号、姓名或单位筛选',
    'dsp.col.photo': '照片',
    'dsp.col.pledge': '赛前宣言',
    'dsp.noPledge': '未填写',
    'dsp.loadingPledge': '…',
    'dsp.edit': '编辑',
    'dsp.editTitle': '编辑 {name} 的资料',
    'dsp.photo': '照片',
    'dsp.choosePhoto': '选择照片…',
    'dsp.photoNone': '还没有照片',
    'dsp.photoBad': '请选择 JPEG 或 PNG 图片',
    'dsp.photoBig': '图片不能超过 8 MB',
    'dsp.pledge': '赛前宣言',
    'dsp.uploading': '正在上传照片…',
    'dsp.profileSaved': '已保存 {name} 的资料',
    'dsp.nothing': '没有改动',
    'dsp.summary': '{n} 名选手 · {photos} 人有照片 · {pledges} 人有宣言',
  },
  en: {
    'tab.display': 'Live display',
    'dsp.entry': 'Spectator page',
    'dsp.entryHint': 'The QR code on the big screen points here: spectators follow the live ranking, like and cheer contestants and leave comments.',
    'dsp.qrAlt': 'QR code of the spectator page',
    'dsp.qrHidden': 'The QR code is available once the standings are published',
    'dsp.copy': 'Copy',
    'dsp.copied': 'Address copied',
    'dsp.openWatch': 'Open the spectator page',
    'dsp.openScreen': 'Open the big screen',
    'dsp.screen': 'Big screen rotation',
    'dsp.screenHint': 'Tick the views the big screen shows in turn; the arrows change the order.',
    'dsp.seconds': 'Seconds per view',
    'dsp.top': 'Top N per view',
    'dsp.save': 'Save',
    'dsp.saving': 'Saving…',
    'dsp.saved': 'Saved',
    'dsp.up': 'Move up',
    'dsp.down': 'Move down',
    'dsp.pickOne': 'Tick at least one view',
    'dsp.badSeconds': 'Seconds per view: a whole number from 5 to 300',
    'dsp.badTop': 'Top N: a whole number from 3 to 50',
    'dsp.scope.overall': 'Overall ranking',
    'dsp.scope.progress': 'Progress',
    'dsp.scope.group': 'Group',
    'dsp.scope.venue': 'Venue',
    'dsp.scope.module': 'Module',
    'dsp.interact': 'Interaction',
    'dsp.autoPublish': 'Publish comments automatically',
    'dsp.autoPublishHint': 'On: comments without a filtered word appear at once; the others wait for review. Off: every comment waits for review.',
    'dsp.likeCap': 'Likes per device per contestant',
    'dsp.cheerCap': 'Cheers per device per contestant',
    'dsp.times': '×',
    'dsp.words': 'Word filter (one per line)',
    'dsp.wordsHint': 'Comments with these words are never published automatically. Case does not matter.',
    'dsp.badCap': 'A cap is a whole number, 0 or more',
    'dsp.badWord': 'A filtered word has 50 characters at most',
    'dsp.moderation': 'Comment moderation',
    'dsp.st.pending': 'Pending',
    'dsp.st.published': 'Published',
    'dsp.st.rejected': 'Rejected',
    'dsp.refresh': 'Refresh',
    'dsp.autoRefresh': 'Refreshes every 10 s',
    'dsp.none.pending': 'Nothing to review.',
    'dsp.none.published': 'No published comment yet.',
    'dsp.none.rejected': 'No rejected comment.',
    'dsp.all': 'Everyone',
    'dsp.to': 'to {name}',
    'dsp.device': 'device {id}',
    'dsp.approve': 'Approve',
    'dsp.reject': 'Reject',
    'dsp.block': 'Block device',
    'dsp.unpublish': 'Take down',
    'dsp.restore': 'Publish',
    'dsp.approved': 'Approved: on the phones and the big screen now',
    'dsp.rejected': 'Rejected',
    'dsp.blocked': 'Rejected, and the device’s later comments are refused',
    'dsp.blockTitle': 'Block this device?',
    'dsp.blockText': 'This comment is rejected, and so is every later comment from this device (likes and cheers are not affected).',
    'dsp.commentary': 'Expert commentary',
    'dsp.commentaryHint': 'Appears on the phones and the big screen at once.',
    'dsp.commentaryPlaceholder': 'e.g. Module C has started; venue A leads…',
    'dsp.post': 'Post',
    'dsp.posted': 'Commentary posted',
    'dsp.recent': 'Recent',
    'dsp.tooLong': '{n} characters at most',
    'dsp.empty': 'Write something first',
    'dsp.profiles': 'Contestants: pledges and photos',
    'dsp.profilesHint': 'Photos: JPEG or PNG (≤ 8 MB), resized by the server to fit 480×480. Pledges: 200 characters at most.',
    'dsp.filter': 'Filter by ID, name or organisation',
    'dsp.col.photo': 'Photo',
    'dsp.col.pledge': 'Pledge',
    'dsp.noPledge': 'none',
    'dsp.loadingPledge': '…',
    'dsp.edit': 'Edit',
    'dsp.editTitle': 'Edit the profile of {name}',
    'dsp.photo': 'Photo',
    'dsp.choosePhoto': 'Choose a photo…',
    'dsp.photoNone': 'No photo yet',
    'dsp.photoBad': 'Choose a JPEG or PNG image',
    'dsp.photoBig': 'The image must be 8 MB or less',
    'dsp.pledge': 'Pledge',
    'dsp.uploading': 'Uploading the photo…',
    'dsp.profileSaved': 'Profile of {name} saved',
    'dsp.nothing': 'Nothing changed',
    'dsp.summary': '{n} contestants · {photos} with a photo · {pledges} with a pledge',
  },
});

const PLEDGE_MAX = 200;
const COMMENTARY_MAX = 500;
const PHOTO_MAX = 8 * 1024 * 1024;
const POLL_MS = 10_000;

let ctx = null; // {errorLines, confirm, toLogin} from admin.js
const st = {
  comp: null,
  settings: null,
  rotation: [], // the rotation being edited, in order
  status: 'pending',
  comments: { pending: null, published: null, rejected: null },
  commentary: [],
  photos: new Map(), // id → true/false (from the board)
  pledges: new Map(), // id → text (from the contestant endpoint)
  photoVersion: new Map(), // id → cache-buster after an upload
  filter: '',
  pollTimer: 0,
  shown: false,
  built: '',
  loadingPledges: false,
};

const compPath = (rest = '') => `/api/v1/competitions/${api.seg(st.comp.id)}${rest}`;
const publicPath = (rest = '') => `/api/v1/public/competitions/${api.seg(st.comp.id)}${rest}`;
const chars = (text) => [...String(text || '')].length;
const nameOf = (id) => (st.comp.contestants.find((c) => c.id === id) || {}).name || id;


function result(box, kind, ...lines) {
  box.replaceChildren(...lines.flat().filter(Boolean).map((l) => (l instanceof Node ? l : h('p', { text: l }))));
  box.className = `result result-${kind}`;
  box.hidden = false;
}

function errLines(err) {
  return ctx ? ctx.errorLines(err) : [err && err.message ? err.message : t('error.unknown')];
}

/** Called once by admin.js. */
export function initDisplay(options) {
  ctx = options;
  document.addEventListener('visibilitychange', () => {
    if (st.shown && !document.hidden) loadComments();
  });
}

/** The tab opened (or the competition changed). */
export async function showDisplay(comp) {
  const changed = !st.comp || st.comp.id !== comp.id;
  st.comp = comp;
  st.shown = true;
  if (changed) {
    st.settings = null;
    st.comments = { pending: null, published: null, rejected: null };
    st.commentary = [];
    st.photos = new Map();
    st.pledges = new Map();
    st.built = '';
  }
  build();
  await Promise.all([loadSettings(), loadComments(), loadFeed(), loadPhotos()]);
  loadPledges();
  schedulePoll();
}

/** Another tab opened: stop polling. */
export function leaveDisplay() {
  st.shown = false;
  clearTimeout(st.pollTimer);
}

/** The language changed. */
export function rerenderDisplay() {
  if (!st.comp) return;
  st.built = '';
  build();
  renderSettings();
  renderComments();
  renderCommentary();
  renderProfiles();
}

function schedulePoll() {
  clearTimeout(st.pollTimer);
  st.pollTimer = setTimeout(async () => {
    if (!st.shown) return;
    if (!document.hidden) await loadComments();
    schedulePoll();
  }, POLL_MS);
}

// ---------------------------------------------------------------- layout

function build() {
  const key = `${st.comp.id}|${getLang()}`;
  if (st.built === key) return;
  st.built = key;
  const root = $('display-root');
  const card = (id, title, hint, ...body) =>
    h('section', { class: 'card dsp-card', id },
      h('div', { class: 'card-head' }, h('h2', { text: title }), ...(Array.isArray(hint) ? hint : [])),
      typeof hint === 'string' ? h('p', { class: 'hint dsp-hint', text: hint }) : null,
      ...body);

  // Spectator entry.
  const url = `${location.origin}/watch/${encodeURIComponent(st.comp.id)}`;
  const qr = h('img', { class: 'dsp-qr-img', id: 'dsp-qr', alt: t('dsp.qrAlt'), width: '168', height: '168', src: publicPath('/qr.svg') });
  const qrBox = h('div', { class: 'dsp-qr' }, qr, h('p', { class: 'dsp-qr-none', id: 'dsp-qr-none', text: t('dsp.qrHidden'), hidden: true }));
  qr.addEventListener('error', () => {
    qr.hidden = true;
    $('dsp-qr-none').hidden = false;
  });
  qr.addEventListener('load', () => {
    qr.hidden = false;
    $('dsp-qr-none').hidden = true;
  });
  const entry = card('dsp-entry', t('dsp.entry'), t('dsp.entryHint'),
    h('div', { class: 'dsp-entry' },
      qrBox,
      h('div', { class: 'dsp-entry-text' },
        h('a', { class: 'link mono dsp-url', id: 'dsp-url', href: url, target: '_blank', rel: 'noopener', text: url }),
        h('div', { class: 'dsp-entry-actions' },
          h('button', { class: 'btn btn-small', type: 'button', id: 'dsp-copy', text: t('dsp.copy'), onclick: () => copyUrl() }),
          h('a', { class: 'btn btn-small', href: `/watch/${encodeURIComponent(st.comp.id)}`, target: '_blank', rel: 'noopener', text: t('dsp.openWatch') }),
          h('a', { class: 'btn btn-small', href: `/screen/${encodeURIComponent(st.comp.id)}`, target: '_blank', rel: 'noopener', text: t('dsp.openScreen') })))));

  // Big screen.
  const screenForm = h('form', { class: 'form dsp-screen', id: 'dsp-screen-form', novalidate: true },
    h('ol', { class: 'dsp-rotation', id: 'dsp-rotation' }),
    h('div', { class: 'form-row dsp-numbers' },
      h('div', null, h('label', { class: 'label', for: 'dsp-seconds', text: t('dsp.seconds') }),
        h('input', { class: 'field num', id: 'dsp-seconds', type: 'number', min: '5', max: '300', step: '1', inputmode: 'numeric' })),
      h('div', null, h('label', { class: 'label', for: 'dsp-top', text: t('dsp.top') }),
        h('input', { class: 'field num', id: 'dsp-top', type: 'number', min: '3', max: '50', step: '1', inputmode: 'numeric' }))),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn btn-primary', type: 'submit', id: 'dsp-screen-save', text: t('dsp.save') })),
    h('div', { class: 'result', id: 'dsp-screen-result', role: 'status', 'aria-live': 'polite', hidden: true }));
  screenForm.addEventListener('submit', saveScreen);
  const screen = card('dsp-screen', t('dsp.screen'), t('dsp.screenHint'), screenForm);

  // Interaction.
  const interactForm = h('form', { class: 'form dsp-interact', id: 'dsp-interact-form', novalidate: true },
    h('label', { class: 'dsp-switch', for: 'dsp-auto' },
      h('input', { type: 'checkbox', id: 'dsp-auto', role: 'switch' }),
      h('span', { class: 'dsp-switch-track', 'aria-hidden': 'true' }),
      h('span', { class: 'dsp-switch-text' }, h('b', { text: t('dsp.autoPublish') }), h('span', { class: 'hint', text: t('dsp.autoPublishHint') }))),
    h('div', { class: 'form-row dsp-caps' },
      h('div', null, h('label', { class: 'label', for: 'dsp-like-cap', text: t('dsp.likeCap') }),
        h('input', { class: 'field num', id: 'dsp-like-cap', type: 'number', min: '0', step: '1', inputmode: 'numeric' })),
      h('div', null, h('label', { class: 'label', for: 'dsp-cheer-cap', text: t('dsp.cheerCap') }),
        h('input', { class: 'field num', id: 'dsp-cheer-cap', type: 'number', min: '0', step: '1', inputmode: 'numeric' }))),
    h('div', { class: 'dsp-words' },
      h('label', { class: 'label', for: 'dsp-words', text: t('dsp.words') }),
      h('textarea', { class: 'field dsp-textarea', id: 'dsp-words', rows: '4', spellcheck: 'false' }),
      h('p', { class: 'hint', text: t('dsp.wordsHint') })),
    h('div', { class: 'form-actions' }, h('button', { class: 'btn btn-primary', type: 'submit', id: 'dsp-interact-save', text: t('dsp.save') })),
    h('div', { class: 'result', id: 'dsp-interact-result', role: 'status', 'aria-live': 'polite', hidden: true }));
  interactForm.addEventListener('submit', saveInteract);
  const interact = card('dsp-interact', t('dsp.interact'), null, interactForm);

  // Moderation.
  const statusTabs = h('div', { class: 'segmented dsp-status', id: 'dsp-status', role: 'tablist' },
    ...['pending', 'published', 'rejected'].map((s) =>
      h('button', {
        type: 'button', role: 'tab', class: 'dsp-status-btn', dataset: { status: s },
        onclick: () => {
          st.status = s;
          renderComments();
          loadComments();
        },
      }, h('span', { text: t(`dsp.st.${s}`) }), h('span', { class: 'dsp-count num', dataset: { countFor: s } }))));
  const moderation = card('dsp-moderation', t('dsp.moderation'),
    [h('div', { class: 'card-tools' },
      h('span', { class: 'hint', text: t('dsp.autoRefresh') }),
      h('button', { class: 'btn btn-small', type: 'button', id: 'dsp-refresh', text: t('dsp.refresh'), onclick: () => loadComments() }))],
    statusTabs,
    h('ol', { class: 'dsp-comments', id: 'dsp-comments' }),
    h('p', { class: 'table-empty dsp-empty', id: 'dsp-comments-empty', hidden: true }),
    h('div', { class: 'result', id: 'dsp-mod-result', role: 'status', 'aria-live': 'polite', hidden: true }));

  // Commentary.
  const area = h('textarea', { class: 'field dsp-textarea', id: 'dsp-commentary-text', rows: '3', placeholder: t('dsp.commentaryPlaceholder') });
  const counter = h('span', { class: 'dsp-counter num', id: 'dsp-commentary-count' });
  const commentaryForm = h('form', { class: 'form', id: 'dsp-commentary-form', novalidate: true },
    area,
    h('div', { class: 'dsp-form-foot' }, counter, h('button', { class: 'btn btn-primary', type: 'submit', id: 'dsp-commentary-post', text: t('dsp.post') })),
    h('div', { class: 'result', id: 'dsp-commentary-result', role: 'status', 'aria-live': 'polite', hidden: true }));
  const countCommentary = () => {
    const n = chars(area.value);
    counter.textContent = `${n}/${COMMENTARY_MAX}`;
    counter.classList.toggle('is-over', n > COMMENTARY_MAX);
    $('dsp-commentary-post').disabled = n === 0 || n > COMMENTARY_MAX;
  };
  area.addEventListener('input', countCommentary);
  commentaryForm.addEventListener('submit', postCommentary);
  const commentary = card('dsp-commentary', t('dsp.commentary'), t('dsp.commentaryHint'), commentaryForm,
    h('h3', { class: 'dsp-sub', text: t('dsp.recent') }),
    h('ol', { class: 'dsp-commentary-list', id: 'dsp-commentary-list' }));

  // Profiles.
  const filter = h('input', { class: 'field field-small', id: 'dsp-filter', type: 'search', placeholder: t('dsp.filter'), value: st.filter });
  filter.addEventListener('input', () => {
    st.filter = filter.value;
    renderProfiles();
  });
  const profiles = card('dsp-profiles', t('dsp.profiles'), [h('div', { class: 'card-tools' }, filter)],
    h('p', { class: 'hint dsp-hint', text: t('dsp.profilesHint') }),
    h('p', { class: 'summary', id: 'dsp-profiles-summary' }),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'table dsp-table', id: 'dsp-profiles-table' },
        h('thead', null, h('tr', null,
          h('th', { class: 'dsp-col-photo', text: t('dsp.col.photo') }),
          h('th', { text: t('col.id') }),
          h('th', { text: t('col.name') }),
          h('th', { text: t('col.org') }),
          h('th', { text: t('dsp.col.pledge') }),
          h('th', { class: 'col-action' }, h('span', { class: 'sr-only', text: t('dsp.edit') })))),
        h('tbody'))));

  root.replaceChildren(
    h('div', { class: 'dsp-grid' },
      h('div', { class: 'dsp-col' }, moderation, interact),
      h('div', { class: 'dsp-col' }, entry, screen, commentary)),
    profiles,
  );
  countCommentary();
}

async function copyUrl() {
  const url = $('dsp-url').textContent;
  try {
    await navigator.clipboard.writeText(url);
    toast(t('dsp.copied'));
  } catch {
    const range = document.createRange();
    range.selectNodeContents($('dsp-url'));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
  }
}

// ---------------------------------------------------------------- settings

async function loadSettings() {
  try {
    st.settings = await api.get(compPath('/display'));
    st.rotation = Array.isArray(st.settings.screen?.rotation) ? [...st.settings.screen.rotation] : ['overall'];
    if (st.settings.public_url) {
      $('dsp-url').textContent = st.settings.public_url;
      $('dsp-url').href = st.settings.public_url;
    }
    renderSettings();
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return ctx.toLogin();
    result($('dsp-screen-result'), 'error', errLines(err));
  }
}

function allScopes() {
  const c = st.comp;
  return [
    'overall',
    'progress',
    ...c.groups.map((g) => `group:${g.id}`),
    ...c.venues.map((v) => `venue:${v.id}`),
    ...c.modules.map((m) => `module:${m.id}`),
  ];
}

function scopeParts(scope) {
  const c = st.comp;
  if (scope === 'overall' || scope === 'progress') return [t(`dsp.scope.${scope}`), ''];
  const at = scope.indexOf(':');
  const kind = scope.slice(0, at);
  const id = scope.slice(at + 1);
  const list = kind === 'group' ? c.groups : kind === 'venue' ? c.venues : kind === 'module' ? c.modules : [];
  const name = (list.find((x) => x.id === id) || {}).name || id;
  return [name, t(`dsp.scope.${kind}`)];
}

function renderSettings() {
  const s = st.settings;
  if (!s || !$('dsp-rotation')) return;
  renderRotation();
  $('dsp-seconds').value = String(s.screen?.seconds ?? 20);
  $('dsp-top').value = String(s.screen?.top ?? 10);
  $('dsp-auto').checked = !!s.auto_publish;
  $('dsp-like-cap').value = String(s.like_cap ?? '');
  $('dsp-cheer-cap').value = String(s.cheer_cap ?? '');
  $('dsp-words').value = (s.word_filter || []).join('\n');
}

function renderRotation() {
  const on = st.rotation;
  const off = allScopes().filter((x) => !on.includes(x));
  const row = (scope, i, checked) => {
    const [name, kind] = scopeParts(scope);
    const box = h('input', {
      type: 'checkbox', checked, dataset: { scope },
      onchange: () => {
        if (box.checked) st.rotation.push(scope);
        else st.rotation = st.rotation.filter((x) => x !== scope);
        renderRotation();
      },
    });
    const move = (d) => {
      const j = i + d;
      if (j < 0 || j >= st.rotation.length) return;
      [st.rotation[i], st.rotation[j]] = [st.rotation[j], st.rotation[i]];
      renderRotation();
      const again = $('dsp-rotation').querySelector(`[data-scope-row="${CSS.escape(scope)}"] [data-move="${d < 0 ? 'up' : 'down'}"]`);
      if (again && !again.disabled) again.focus();
    };
    return h('li', { class: `dsp-rot${checked ? ' is-on' : ''}`, dataset: { scopeRow: scope } },
      h('span', { class: 'dsp-rot-no num', text: checked ? String(i + 1) : '' }),
      h('label', { class: 'dsp-rot-label' }, box, h('span', { class: 'dsp-rot-name', text: name }), kind ? h('span', { class: 'dsp-rot-kind', text: kind }) : null),
      checked
        ? h('span', { class: 'dsp-rot-move' },
            h('button', { type: 'button', class: 'btn btn-ghost dsp-icon-btn', dataset: { move: 'up' }, title: t('dsp.up'), 'aria-label': `${t('dsp.up')} ${name}`, disabled: i === 0, onclick: () => move(-1), text: '↑' }),
            h('button', { type: 'button', class: 'btn btn-ghost dsp-icon-btn', dataset: { move: 'down' }, title: t('dsp.down'), 'aria-label': `${t('dsp.down')} ${name}`, disabled: i === st.rotation.length - 1, onclick: () => move(1), text: '↓' }))
        : null);
  };
  $('dsp-rotation').replaceChildren(...on.map((s, i) => row(s, i, true)), ...off.map((s) => row(s, -1, false)));
}

function intIn(value, lo, hi) {
  const n = Number(value);
  return String(value).trim() !== '' && Number.isInteger(n) && n >= lo && n <= hi ? n : null;
}

async function postSettings(body, box, button) {
  button.disabled = true;
  result(box, 'busy', t('dsp.saving'));
  try {
    st.settings = await api.post(compPath('/display'), body);
    st.rotation = [...(st.settings.screen?.rotation || st.rotation)];
    renderSettings();
    result(box, 'ok', t('dsp.saved'));
    toast(t('dsp.saved'));
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return ctx.toLogin();
    result(box, 'error', errLines(err));
  } finally {
    button.disabled = false;
  }
}

async function saveScreen(event) {
  event.preventDefault();
  const box = $('dsp-screen-result');
  const seconds = intIn($('dsp-seconds').value, 5, 300);
  const top = intIn($('dsp-top').value, 3, 50);
  if (!st.rotation.length) return result(box, 'error', t('dsp.pickOne'));
  if (seconds === null) return result(box, 'error', t('dsp.badSeconds'));
  if (top === null) return result(box, 'error', t('dsp.badTop'));
  await postSettings({ screen: { rotation: [...st.rotation], seconds, top } }, box, $('dsp-screen-save'));
}

async function saveInteract(event) {
  event.preventDefault();
  const box = $('dsp-interact-result');
  const likeCap = intIn($('dsp-like-cap').value, 0, 1_000_000);
  const cheerCap = intIn($('dsp-cheer-cap').value, 0, 1_000_000);
  if (likeCap === null || cheerCap === null) return result(box, 'error', t('dsp.badCap'));
  const words = [...new Set($('dsp-words').value.split(/\r?\n/).map((w) => w.trim()).filter(Boolean))];
  if (words.some((w) => chars(w) > 50)) return result(box, 'error', t('dsp.badWord'));
  await postSettings({ auto_publish: $('dsp-auto').checked, like_cap: likeCap, cheer_cap: cheerCap, word_filter: words }, box, $('dsp-interact-save'));
}

// ---------------------------------------------------------------- moderation

async function loadComments() {
  if (!st.comp) return;
  const id = st.comp.id;
  const wanted = st.status === 'pending' ? ['pending'] : ['pending', st.status];
  try {
    const answers = await Promise.all(wanted.map((s) => api.get(compPath(`/comments?status=${s}`))));
    if (!st.comp || st.comp.id !== id) return;
    wanted.forEach((s, i) => {
      st.comments[s] = (answers[i].comments || []).slice().sort((a, b) => (b.at || 0) - (a.at || 0));
    });
    $('dsp-mod-result').hidden = true;
    renderComments();
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return ctx.toLogin();
    result($('dsp-mod-result'), 'error', errLines(err));
  }
}

function timeOf(ms) {
  if (!ms) return '';
  const d = new Date(ms);
  const today = new Date();
  const opts = { hour12: false, hour: '2-digit', minute: '2-digit', second: '2-digit' };
  const lang = getLang() === 'en' ? 'en-GB' : 'zh-CN';
  return d.toDateString() === today.toDateString() ? d.toLocaleTimeString(lang, opts) : d.toLocaleString(lang, { hour12: false });
}

function renderComments() {
  if (!$('dsp-comments')) return;
  for (const btn of $('dsp-status').querySelectorAll('[data-status]')) {
    const on = btn.dataset.status === st.status;
    btn.classList.toggle('is-on', on);
    btn.setAttribute('aria-selected', String(on));
  }
  const pending = st.comments.pending;
  const badge = $('dsp-status').querySelector('[data-count-for="pending"]');
  badge.textContent = pending && pending.length ? String(pending.length) : '';
  const list = st.comments[st.status];
  const actions = {
    pending: [['approve', 'dsp.approve', 'btn-primary'], ['reject', 'dsp.reject', ''], ['block', 'dsp.block', 'btn-danger']],
    published: [['reject', 'dsp.unpublish', ''], ['block', 'dsp.block', 'btn-danger']],
    rejected: [['approve', 'dsp.restore', '']],
  }[st.status];
  $('dsp-comments').replaceChildren(
    ...(list || []).map((c) =>
      h('li', { class: `dsp-comment dsp-comment-${c.status || st.status}`, dataset: { commentId: String(c.id) } },
        h('div', { class: 'dsp-comment-meta' },
          h('span', { class: `dsp-to${c.contestant ? '' : ' is-all'}`, text: c.contestant ? t('dsp.to', { name: `${nameOf(c.contestant)}（${c.contestant}）` }) : t('dsp.all') }),
          h('span', { class: 'num', text: timeOf(c.at) }),
          c.device ? h('span', { class: 'mono dsp-device', title: c.device, text: t('dsp.device', { id: String(c.device).slice(0, 8) }) }) : null,
          h('span', { class: 'mono dsp-id', text: `#${c.id}` })),
        h('p', { class: 'dsp-comment-text', text: c.text }),
        h('div', { class: 'dsp-comment-actions' },
          ...actions.map(([action, label, cls]) =>
            h('button', { type: 'button', class: `btn btn-small ${cls}`, dataset: { action }, text: t(label), onclick: (e) => moderate(c, action, e.currentTarget) }))))),
  );
  const empty = $('dsp-comments-empty');
  empty.textContent = list === null ? t('common.loading') : t(`dsp.none.${st.status}`);
  empty.hidden = !!(list && list.length);
}

async function moderate(comment, action, button) {
  if (action === 'block') {
    const ok = await ctx.confirm(t('dsp.blockTitle'), t('dsp.blockText'), t('dsp.block'), true);
    if (!ok) return;
  }
  const row = button.closest('.dsp-comment');
  for (const b of row.querySelectorAll('button')) b.disabled = true;
  try {
    await api.post(compPath(`/comments/${api.seg(comment.id)}/moderate`), { action });
    const from = st.status;
    st.comments[from] = (st.comments[from] || []).filter((c) => c.id !== comment.id);
    if (from !== 'pending') st.comments.pending = (st.comments.pending || []).filter((c) => c.id !== comment.id);
    const to = action === 'approve' ? 'published' : 'rejected';
    if (st.comments[to]) st.comments[to] = [{ ...comment, status: to }, ...st.comments[to].filter((c) => c.id !== comment.id)];
    renderComments();
    toast(t(action === 'approve' ? 'dsp.approved' : action === 'block' ? 'dsp.blocked' : 'dsp.rejected'));
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return ctx.toLogin();
    for (const b of row.querySelectorAll('button')) b.disabled = false;
    result($('dsp-mod-result'), 'error', errLines(err));
  }
}

// ---------------------------------------------------------------- commentary

async function loadFeed() {
  try {
    const feed = await api.get(publicPath('/feed'));
    st.commentary = Array.isArray(feed.commentary) ? feed.commentary : [];
  } catch {
    /* not published yet: nothing to list */
  }
  renderCommentary();
}

function renderCommentary() {
  const list = $('dsp-commentary-list');
  if (!list) return;
  list.replaceChildren(
    ...st.commentary.slice(0, 5).map((c) =>
      h('li', { class: 'dsp-commentary', dataset: { id: String(c.id) } },
        h('p', { class: 'dsp-comment-text', text: c.text }),
        h('p', { class: 'hint' }, h('span', { text: c.by || '' }), ' · ', h('span', { class: 'num', text: timeOf(c.at) })))),
  );
  list.previousElementSibling.hidden = st.commentary.length === 0;
}

async function postCommentary(event) {
  event.preventDefault();
  const area = $('dsp-commentary-text');
  const box = $('dsp-commentary-result');
  const text = area.value.trim();
  if (!text) return result(box, 'error', t('dsp.empty'));
  if (chars(text) > COMMENTARY_MAX) return result(box, 'error', t('dsp.tooLong', { n: COMMENTARY_MAX }));
  const button = $('dsp-commentary-post');
  button.disabled = true;
  try {
    const answer = await api.post(compPath('/commentary'), { text });
    area.value = '';
    area.dispatchEvent(new Event('input'));
    result(box, 'ok', t('dsp.posted'));
    st.commentary.unshift({ id: answer.id ?? Date.now(), text: answer.text || text, by: answer.by || '', at: answer.at || Date.now() });
    renderCommentary();
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return ctx.toLogin();
    result(box, 'error', errLines(err));
  } finally {
    button.disabled = chars(area.value) === 0;
  }
}

// ---------------------------------------------------------------- profiles

async function loadPhotos() {
  try {
    const board = await api.get(publicPath('/board'));
    st.photos = new Map((board.contestants || []).map((c) => [c.id, !!c.photo]));
  } catch {
    st.photos = new Map();
  }
  renderProfiles();
}

/** Reads every contestant's pledge, four at a time, filling the table as they come. */
async function loadPledges() {
  if (st.loadingPledges) return;
  st.loadingPledges = true;
  const id = st.comp.id;
  const queue = st.comp.contestants.map((c) => c.id).filter((cid) => !st.pledges.has(cid));
  const worker = async () => {
    while (queue.length && st.comp && st.comp.id === id) {
      const cid = queue.shift();
      try {
        const p = await api.get(publicPath(`/contestants/${api.seg(cid)}`));
        st.pledges.set(cid, typeof p.pledge === 'string' ? p.pledge : '');
        if (typeof p.photo === 'boolean') st.photos.set(cid, p.photo);
      } catch {
        st.pledges.set(cid, null); // unknown
      }
      renderProfileRow(cid);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  st.loadingPledges = false;
  renderSummary();
}

function thumb(c, cls = 'dsp-thumb') {
  const box = h('span', { class: `${cls} dsp-thumb-h${hueOf(c.id)}` }, h('span', { text: [...(c.name || '?')].slice(-2).join('') }));
  if (st.photos.get(c.id)) {
    const v = st.photoVersion.get(c.id);
    const img = h('img', { alt: '', loading: 'lazy', src: publicPath(`/contestants/${api.seg(c.id)}/photo${v ? `?v=${v}` : ''}`) });
    img.addEventListener('load', () => box.classList.add('has-photo'));
    img.addEventListener('error', () => img.remove());
    box.append(img);
  }
  return box;
}

function hueOf(id) {
  let x = 7;
  for (const ch of String(id)) x = (x * 31 + ch.codePointAt(0)) % 997;
  return x % 6;
}

function profileRow(c) {
  const pledge = st.pledges.get(c.id);
  return h('tr', { dataset: { contestant: c.id } },
    h('td', { class: 'dsp-col-photo' }, thumb(c)),
    h('td', { class: 'mono', text: c.id }),
    h('td', { class: 'strong', text: c.name }),
    h('td', { class: 'muted', text: c.org || '' }),
    h('td', { class: `dsp-pledge${pledge ? '' : ' muted'}`, text: pledge === undefined ? t('dsp.loadingPledge') : pledge || t('dsp.noPledge') }),
    h('td', { class: 'col-action' }, h('button', { class: 'btn btn-small', type: 'button', dataset: { edit: c.id }, text: t('dsp.edit'), onclick: () => openEditor(c) })));
}

function visible() {
  const q = st.filter.trim().toLowerCase();
  return st.comp.contestants.filter((c) => !q || [c.id, c.name, c.org].some((v) => String(v || '').toLowerCase().includes(q)));
}

function renderProfiles() {
  const table = $('dsp-profiles-table');
  if (!table) return;
  table.tBodies[0].replaceChildren(...visible().map(profileRow));
  renderSummary();
}

function renderProfileRow(cid) {
  const table = $('dsp-profiles-table');
  const row = table && table.tBodies[0].querySelector(`tr[data-contestant="${CSS.escape(cid)}"]`);
  const c = st.comp.contestants.find((x) => x.id === cid);
  if (row && c) row.replaceWith(profileRow(c));
}

function renderSummary() {
  const box = $('dsp-profiles-summary');
  if (!box) return;
  const n = st.comp.contestants.length;
  const photos = st.comp.contestants.filter((c) => st.photos.get(c.id)).length;
  const pledges = st.comp.contestants.filter((c) => st.pledges.get(c.id)).length;
  box.textContent = t('dsp.summary', { n, photos, pledges });
}

let editorDialog = null;

function openEditor(c) {
  if (editorDialog) editorDialog.remove();
  let file = null;
  const original = st.pledges.get(c.id) || '';
  const preview = thumb(c, 'dsp-preview');
  const fileInput = h('input', { class: 'sr-only', type: 'file', id: 'dsp-photo-file', accept: 'image/jpeg,image/png' });
  const fileName = h('span', { class: 'hint', id: 'dsp-photo-name', text: st.photos.get(c.id) ? '' : t('dsp.photoNone') });
  const area = h('textarea', { class: 'field dsp-textarea', id: 'dsp-pledge', rows: '4' });
  area.value = original;
  const counter = h('span', { class: 'dsp-counter num' });
  const box = h('div', { class: 'result', id: 'dsp-edit-result', role: 'status', 'aria-live': 'polite', hidden: true });
  const save = h('button', { class: 'btn btn-primary', type: 'submit', id: 'dsp-edit-save', text: t('dsp.save') });
  const count = () => {
    const n = chars(area.value);
    counter.textContent = `${n}/${PLEDGE_MAX}`;
    counter.classList.toggle('is-over', n > PLEDGE_MAX);
    save.disabled = n > PLEDGE_MAX;
  };
  area.addEventListener('input', count);
  fileInput.addEventListener('change', () => {
    const f = fileInput.files[0];
    box.hidden = true;
    if (!f) return;
    if (f.type !== 'image/jpeg' && f.type !== 'image/png') {
      file = null;
      return result(box, 'error', t('dsp.photoBad'));
    }
    if (f.size > PHOTO_MAX) {
      file = null;
      return result(box, 'error', t('dsp.photoBig'));
    }
    file = f;
    fileName.textContent = f.name;
    // A data: URL, as the CSP allows images from 'self' and data: only (not blob:).
    const reader = new FileReader();
    reader.onload = () => {
      if (file !== f) return;
      preview.querySelector('img')?.remove();
      const img = h('img', { alt: '', src: String(reader.result) });
      img.addEventListener('load', () => preview.classList.add('has-photo'));
      preview.append(img);
    };
    reader.readAsDataURL(f);
  });
  const form = h('form', { class: 'dsp-editor', novalidate: true },
    h('div', { class: 'dialog-body' },
      h('h2', { text: t('dsp.editTitle', { name: c.name }) }),
      h('p', { class: 'hint', text: [c.id, c.org].filter(Boolean).join(' · ') }),
      h('div', { class: 'dsp-editor-grid' },
        h('div', { class: 'dsp-editor-photo' },
          preview,
          h('label', { class: 'btn btn-small btn-file', for: 'dsp-photo-file', text: t('dsp.choosePhoto') }),
          fileInput,
          fileName),
        h('div', { class: 'dsp-editor-pledge' },
          h('label', { class: 'label', for: 'dsp-pledge', text: t('dsp.pledge') }),
          area,
          h('div', { class: 'dsp-form-foot' }, counter))),
      box),
    h('div', { class: 'dialog-actions' },
      h('button', { class: 'btn', type: 'button', text: t('common.close'), onclick: () => editorDialog.close() }),
      save));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const pledge = area.value.trim();
    if (chars(pledge) > PLEDGE_MAX) return;
    const changedPledge = pledge !== original.trim();
    if (!changedPledge && !file) return result(box, 'busy', t('dsp.nothing'));
    save.disabled = true;
    try {
      if (file) {
        result(box, 'busy', t('dsp.uploading'));
        await uploadPhoto(c.id, file);
        st.photos.set(c.id, true);
        st.photoVersion.set(c.id, Date.now());
      }
      if (changedPledge) {
        await api.post(compPath(`/contestants/${api.seg(c.id)}/profile`), { pledge });
        st.pledges.set(c.id, pledge);
      }
      renderProfileRow(c.id);
      renderSummary();
      toast(t('dsp.profileSaved', { name: c.name }));
      editorDialog.close();
    } catch (err) {
      if (err instanceof api.ApiError && err.status === 401) return ctx.toLogin();
      result(box, 'error', errLines(err));
    } finally {
      save.disabled = false;
    }
  });
  editorDialog = h('dialog', { class: 'dialog dsp-dialog', id: 'dsp-editor' }, form);
  editorDialog.addEventListener('close', () => {
    editorDialog.remove();
    editorDialog = null;
  });
  document.body.append(editorDialog);
  count();
  editorDialog.showModal();
  area.focus();
}

/** Posts the image's bytes with its own Content-Type. */
function uploadPhoto(cid, file) {
  return api.postBytes(compPath(`/contestants/${api.seg(cid)}/photo`), file, file.type);
}

