// The organiser's devices section (/admin, tab 设备; docs/devices.md): every contestant's
// station with when its device was last heard from, how many messages it sent and whether
// it has gone silent; issuing a station's broker credentials (shown once, with a QR code,
// printable as cards) and revoking them; what the gateway applied and refused, by reason,
// and the latest refusals. Without a broker (serve without --mqtt) the section says so.
//
// The status is read again every 5 s while the section is on screen. Everything from the
// server is set with textContent; the QR code is the server's SVG shown as a data: image.
//
// admin.js calls initDevices() once, showDevices() when the tab opens (or the competition
// changes), hideDevices() when another tab opens and renderDevices() on a language change.

import * as api from '/static/common/api.js';
import { $, fmt, h, toast } from '/static/common/dom.js';
import { define, getLang, localMessage, t } from '/static/common/i18n.js';

define({
  zh: {
    'tab.devices': '设备',
    'dev.title': '设备与工位',
    'dev.on': '设备服务器已连接',
    'dev.onText': '工位设备通过 MQTT 上报信号，自动评分项按规则计分。超过 {s} 秒没有信号的工位会在裁判长页面报警。',
    'dev.off': '未连接设备服务器',
    'dev.offText': '服务器启动时没有使用 --mqtt 参数：设备信号不会被接收，也不能发放设备凭据。自动评分项仍可由裁判长人工录入。',
    'dev.offHow': '连接设备服务器：',
    'dev.updated': '每 5 秒自动刷新 · 更新于 {time}',
    'dev.stations': '工位',
    'dev.seen': '已上线',
    'dev.silentN': '无信号',
    'dev.never': '未上线',
    'dev.filter': '按工位、编号或姓名筛选',
    'dev.onlySilent': '只看无信号',
    'dev.col.station': '工位',
    'dev.col.contestant': '选手',
    'dev.col.venue': '赛场',
    'dev.col.lastSeen': '最后信号',
    'dev.col.messages': '消息数',
    'dev.col.state': '状态',
    'dev.col.actions': '设备凭据',
    'dev.state.ok': '在线',
    'dev.state.silent': '无信号',
    'dev.state.never': '未上线',
    'dev.noStation': '（未设工位）',
    'dev.none': '没有符合条件的工位。',
    'dev.issue': '发放凭据',
    'dev.reissue': '重新发放',
    'dev.revoke': '撤销',
    'dev.issuing': '正在发放 {station} 的凭据…',
    'dev.issued': '已发放 {station} 的设备凭据',
    'dev.reissueTitle': '重新发放 {station} 的凭据？',
    'dev.reissueText': '重新发放后，{station} 原来的密码立即失效，设备须改用新密码。',
    'dev.revokeTitle': '撤销 {station} 的设备凭据？',
    'dev.revokeText': '撤销后 {station} 的设备不能再连接设备服务器，信号不再计分。可以随时重新发放。',
    'dev.revoked': '已撤销 {username}',
    'dev.justNow': '刚刚',
    'dev.secAgo': '{n} 秒前',
    'dev.minAgo': '{n} 分钟前',
    'dev.hourAgo': '{n} 小时前',
    'dev.dayAgo': '{n} 天前',
    'dev.creds': '已发放的凭据',
    'dev.credsOnce': '密码只显示这一次：请立即打印凭据卡，或配置到工位设备上。',
    'dev.print': '打印凭据卡',
    'dev.printOne': '打印此卡',
    'dev.dismiss': '移除',
    'dev.card.title': '匠星 · 工位设备接入凭据',
    'dev.card.username': '用户名',
    'dev.card.password': '密码',
    'dev.card.server': '服务器',
    'dev.card.topic': '发布主题',
    'dev.card.note': '设备以 QoS 1 发布到 {topic}，消息体为 JSON：{"key", "value", "at"}。凭据仅限本工位使用；重新发放后旧密码失效。',
    'dev.card.qr': '{station} 的凭据二维码',
    'dev.counts': '网关统计',
    'dev.countsHint': '自本次服务器启动以来收到的设备消息。',
    'dev.refusedBy': '拒收原因',
    'dev.noRefusals': '没有拒收的消息。',
    'dev.recent': '最近拒收的消息',
    'dev.col.time': '时间',
    'dev.col.signal': '信号',
    'dev.col.reason': '原因',
    'dev.col.message': '说明',
    'count.received': '收到',
    'count.applied': '已计分',
    'count.duplicate': '重复（已忽略）',
    'count.refused': '拒收',
    'count.heartbeat': '心跳',
    'count.clock_skew': '设备时钟偏差',
    'reason.unknown_station': '未知工位',
    'reason.ambiguous_station': '工位不唯一',
    'reason.unknown_competition': '未知竞赛',
    'reason.unknown_contestant': '未知选手',
    'reason.no_rule': '没有规则使用该信号',
    'reason.bad_value': '数值不合法',
    'reason.malformed': '消息格式错误',
    'reason.invalid_key': 'key 不合法',
    'reason.bad_key': 'key 缺失或过长',
    'reason.bad_time': '设备时间格式错误',
    'reason.bad_topic': '主题格式错误',
    'reason.invalid_signal': '信号不完整',
    'reason.key_conflict': 'key 重复但内容不同',
    'reason.not_started': '尚未收到开始信号',
    'reason.overridden': '已由裁判人工给分',
    'reason.module_locked': '模块已签核锁定',
    'reason.too_many_rules': '规则过多',
    'reason.out_of_memory': '服务器内存不足',
  },
  en: {
    'tab.devices': 'Devices',
    'dev.title': 'Devices and stations',
    'dev.on': 'Device broker connected',
    'dev.onText': 'Station devices report signals over MQTT; automatic criteria score themselves by their rules. A station silent for more than {s} s raises an alarm on the chief judge’s page.',
    'dev.off': 'No device broker',
    'dev.offText': 'The server was started without --mqtt: device signals are not received and no device credentials can be issued. Chief judges can still enter automatic criteria by hand.',
    'dev.offHow': 'To connect a broker:',
    'dev.updated': 'Refreshed every 5 s · updated {time}',
    'dev.stations': 'stations',
    'dev.seen': 'seen',
    'dev.silentN': 'silent',
    'dev.never': 'never seen',
    'dev.filter': 'Filter by station, ID or name',
    'dev.onlySilent': 'Silent only',
    'dev.col.station': 'Station',
    'dev.col.contestant': 'Contestant',
    'dev.col.venue': 'Venue',
    'dev.col.lastSeen': 'Last signal',
    'dev.col.messages': 'Messages',
    'dev.col.state': 'State',
    'dev.col.actions': 'Credentials',
    'dev.state.ok': 'Online',
    'dev.state.silent': 'Silent',
    'dev.state.never': 'Never seen',
    'dev.noStation': '(no station)',
    'dev.none': 'No station matches.',
    'dev.issue': 'Issue',
    'dev.reissue': 'Issue again',
    'dev.revoke': 'Revoke',
    'dev.issuing': 'Issuing the credentials of {station}…',
    'dev.issued': 'Credentials of {station} issued',
    'dev.reissueTitle': 'Issue new credentials for {station}?',
    'dev.reissueText': 'The old password of {station} stops working at once: the device must use the new one.',
    'dev.revokeTitle': 'Revoke the credentials of {station}?',
    'dev.revokeText': 'The device of {station} can no longer connect to the broker and its signals no longer score. You can issue new credentials at any time.',
    'dev.revoked': '{username} revoked',
    'dev.justNow': 'just now',
    'dev.secAgo': '{n} s ago',
    'dev.minAgo': '{n} min ago',
    'dev.hourAgo': '{n} h ago',
    'dev.dayAgo': '{n} d ago',
    'dev.creds': 'Issued credentials',
    'dev.credsOnce': 'The passwords are shown this once: print the cards or set up the devices now.',
    'dev.print': 'Print credential cards',
    'dev.printOne': 'Print this card',
    'dev.dismiss': 'Remove',
    'dev.card.title': 'Jiangxing · station device credentials',
    'dev.card.username': 'Username',
    'dev.card.password': 'Password',
    'dev.card.server': 'Broker',
    'dev.card.topic': 'Publish to',
    'dev.card.note': 'The device publishes with QoS 1 to {topic}, a JSON body {"key", "value", "at"}. For this station only; issuing again makes the old password stop working.',
    'dev.card.qr': 'QR code of the credentials of {station}',
    'dev.counts': 'Gateway counts',
    'dev.countsHint': 'Device messages since the server started.',
    'dev.refusedBy': 'Refused, by reason',
    'dev.noRefusals': 'No message was refused.',
    'dev.recent': 'Latest refused messages',
    'dev.col.time': 'Time',
    'dev.col.signal': 'Signal',
    'dev.col.reason': 'Reason',
    'dev.col.message': 'Details',
    'count.received': 'Received',
    'count.applied': 'Scored',
    'count.duplicate': 'Duplicates (ignored)',
    'count.refused': 'Refused',
    'count.heartbeat': 'Heartbeats',
    'count.clock_skew': 'Device clock off',
    'reason.unknown_station': 'Unknown station',
    'reason.ambiguous_station': 'Station not unique',
    'reason.unknown_competition': 'Unknown competition',
    'reason.unknown_contestant': 'Unknown contestant',
    'reason.no_rule': 'No rule uses the signal',
    'reason.bad_value': 'Bad value',
    'reason.malformed': 'Malformed message',
    'reason.invalid_key': 'Bad key',
    'reason.bad_key': 'Key missing or too long',
    'reason.bad_time': 'Bad device time',
    'reason.bad_topic': 'Bad topic',
    'reason.invalid_signal': 'Incomplete signal',
    'reason.key_conflict': 'Key reused with another body',
    'reason.not_started': 'No start signal yet',
    'reason.overridden': 'Marked by a person',
    'reason.module_locked': 'Module signed off',
    'reason.too_many_rules': 'Too many rules',
    'reason.out_of_memory': 'Server out of memory',
  },
});

const REFRESH_MS = 5000;
/** Counts that are not refusal reasons, in the order shown. */
const TOTALS = ['received', 'applied', 'duplicate', 'refused', 'heartbeat', 'clock_skew'];

let host = null; // from admin.js: {comp, errorLines, confirm, toLogin}
const dev = {
  compId: '',
  status: null, // GET …/devices
  error: null, // lines of the last failed read
  actionError: null, // lines of the last failed issue or revoke
  loadedAt: 0,
  timer: 0,
  loading: '', // the competition whose status is being read
  open: false,
  built: '', // compId|lang the panel's skeleton was built for
  builtFor: null, // and the competition object (admin.js reads it again after changes)
  rows: new Map(), // station → {tr, cells}
  issued: new Map(), // station → credentials shown this visit (per competition)
  busy: new Set(), // stations with a request on the way
};

const compPath = (id, rest = '') => `/api/v1/competitions/${api.seg(id)}${rest}`;
const el = (id) => document.getElementById(id);
const reasonLabel = (code) => (t(`reason.${code}`) === `reason.${code}` ? code : t(`reason.${code}`));
const clock = (ms) => new Date(ms).toLocaleTimeString(getLang() === 'en' ? 'en-GB' : 'zh-CN', { hour12: false });

/** "35 秒前" from a server time in ms ('' when never). */
function ago(ms, now = Date.now()) {
  if (!ms) return '';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 5) return t('dev.justNow');
  if (s < 60) return t('dev.secAgo', { n: s });
  if (s < 3600) return t('dev.minAgo', { n: Math.floor(s / 60) });
  if (s < 86400) return t('dev.hourAgo', { n: Math.floor(s / 3600) });
  return t('dev.dayAgo', { n: Math.floor(s / 86400) });
}

// ---------------------------------------------------------------- life cycle

export function initDevices(options) {
  host = options;
  const print = h('section', { class: 'device-print', id: 'device-print', 'aria-hidden': 'true' });
  document.body.append(print);
  window.addEventListener('afterprint', () => {
    document.body.classList.remove('printing-devices');
    print.replaceChildren();
  });
}

/** The tab is shown (or its competition changed): build, read now and every 5 s. */
export function showDevices() {
  const comp = host.comp();
  if (!comp) return;
  if (dev.compId !== comp.id) {
    dev.compId = comp.id;
    dev.status = null;
    dev.error = null;
    dev.issued.clear();
    dev.actionError = null;
    dev.built = '';
  }
  dev.open = true;
  renderDevices();
  load();
  clearInterval(dev.timer);
  dev.timer = setInterval(() => {
    const panel = el('panel-devices');
    if (document.hidden || !panel || panel.hidden || panel.offsetParent === null) return;
    load();
  }, REFRESH_MS);
}

export function hideDevices() {
  dev.open = false;
  clearInterval(dev.timer);
  dev.timer = 0;
}

async function load() {
  const id = dev.compId;
  if (dev.loading === id) return; // one read at a time per competition
  dev.loading = id;
  try {
    const answer = await api.get(compPath(id, '/devices'));
    if (id !== dev.compId) return;
    dev.status = answer;
    dev.error = null;
    dev.loadedAt = Date.now();
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return host.toLogin();
    if (id !== dev.compId) return;
    dev.error = host.errorLines(err, compPath(id, '/devices'));
  } finally {
    if (dev.loading === id) dev.loading = '';
  }
  if (dev.open && id === dev.compId) update();
}

// ---------------------------------------------------------------- rendering

/** Builds the panel (once per competition and language), then fills it. */
export function renderDevices() {
  const panel = el('panel-devices');
  const comp = host && host.comp();
  if (!panel || !comp) return;
  const key = `${comp.id}|${getLang()}`;
  if (dev.built !== key || dev.builtFor !== comp) {
    dev.built = key;
    dev.builtFor = comp; // a new object after an import: rows again
    const filter = el('dev-filter');
    const keep = { q: filter ? filter.value : '', silent: el('dev-only-silent')?.checked || false };
    panel.replaceChildren(
      h('div', { class: 'card dev-state', id: 'dev-state' }),
      h('div', { class: 'result', id: 'dev-error', role: 'status', 'aria-live': 'polite', hidden: true }),
      h('section', { class: 'card dev-creds', id: 'dev-creds', 'aria-labelledby': 'dev-creds-title', hidden: true },
        h('div', { class: 'card-head' },
          h('h2', { id: 'dev-creds-title', text: t('dev.creds') }),
          h('p', { class: 'warn-note', text: t('dev.credsOnce') }),
          h('div', { class: 'card-tools' },
            h('button', { class: 'btn btn-small btn-primary', type: 'button', id: 'dev-print', text: t('dev.print'), onclick: () => printCards() }))),
        h('div', { class: 'dev-cards', id: 'dev-cards' })),
      h('div', { class: 'dev-grid' },
        h('section', { class: 'card card-flush dev-stations', 'aria-labelledby': 'dev-stations-title' },
          h('div', { class: 'card-head card-head-pad' },
            h('h2', { id: 'dev-stations-title', text: t('dev.title') }),
            h('p', { class: 'summary', id: 'dev-summary' }),
            h('div', { class: 'card-tools' },
              h('label', { class: 'toggle dev-toggle' },
                h('input', { type: 'checkbox', id: 'dev-only-silent', checked: keep.silent, onchange: () => filterRows() }),
                h('span', { text: t('dev.onlySilent') })),
              h('input', { class: 'field field-small dev-filter', id: 'dev-filter', type: 'search', value: keep.q,
                placeholder: t('dev.filter'), 'aria-label': t('dev.filter'), oninput: () => filterRows() }))),
          h('div', { class: 'table-wrap table-wrap-tall' },
            h('table', { class: 'table dev-table', id: 'dev-table' },
              h('thead', null, h('tr', null,
                h('th', { text: t('dev.col.station') }),
                h('th', { text: t('dev.col.contestant') }),
                h('th', { text: t('dev.col.venue') }),
                h('th', { text: t('dev.col.lastSeen') }),
                h('th', { class: 'col-num', text: t('dev.col.messages') }),
                h('th', { text: t('dev.col.state') }),
                h('th', { class: 'col-action', text: t('dev.col.actions') }))),
              h('tbody'))),
          h('p', { class: 'table-empty', id: 'dev-empty', text: t('dev.none'), hidden: true })),
        h('div', { class: 'dev-side' },
          h('section', { class: 'card dev-counts', 'aria-labelledby': 'dev-counts-title' },
            h('div', { class: 'card-head' }, h('h2', { id: 'dev-counts-title', text: t('dev.counts') })),
            h('p', { class: 'hint', text: t('dev.countsHint') }),
            h('dl', { class: 'dev-totals', id: 'dev-totals' }),
            h('h3', { class: 'dev-subtitle', text: t('dev.refusedBy') }),
            h('ul', { class: 'dev-reasons', id: 'dev-reasons' })),
          h('section', { class: 'card card-flush dev-recent', 'aria-labelledby': 'dev-recent-title' },
            h('div', { class: 'card-head card-head-pad' }, h('h2', { id: 'dev-recent-title', text: t('dev.recent') })),
            h('div', { class: 'table-wrap' },
              h('table', { class: 'table table-compact dev-refusals', id: 'dev-refusals' },
                h('thead', null, h('tr', null,
                  h('th', { text: t('dev.col.time') }),
                  h('th', { text: t('dev.col.station') }),
                  h('th', { text: t('dev.col.signal') }),
                  h('th', { text: t('dev.col.reason') }))),
                h('tbody'))),
            h('p', { class: 'table-empty', id: 'dev-refusals-empty', text: t('dev.noRefusals'), hidden: true }))),
      ),
    );
    buildRows(comp);
  }
  renderCards();
  update();
}

function buildRows(comp) {
  const venues = new Map(comp.venues.map((v) => [v.id, v.name]));
  const order = new Map(comp.venues.map((v, i) => [v.id, i]));
  // By venue (the competition's order), then station, then id; no station last.
  const people = comp.contestants
    .slice()
    .sort((a, b) =>
      !a.station - !b.station ||
      (order.get(a.venue) ?? 1e9) - (order.get(b.venue) ?? 1e9) ||
      String(a.station).localeCompare(String(b.station), 'zh-CN', { numeric: true }) ||
      a.id.localeCompare(b.id));
  dev.rows.clear();
  const body = el('dev-table').tBodies[0];
  body.replaceChildren(
    ...people.map((p) => {
      const station = p.station || '';
      const cells = {
        seen: h('td', { class: 'nowrap dev-seen' }),
        messages: h('td', { class: 'col-num num dev-messages' }),
        state: h('td', { class: 'dev-state-cell' }),
        issue: h('button', { class: 'btn btn-small', type: 'button', dataset: { action: 'issue', station }, text: t('dev.issue'), onclick: () => issue(station) }),
        revoke: h('button', { class: 'btn btn-small btn-ghost dev-revoke', type: 'button', dataset: { action: 'revoke', station }, text: t('dev.revoke'), onclick: () => revoke(station) }),
      };
      const tr = h('tr', { dataset: { station, contestant: p.id } },
        h('td', { class: 'mono strong', text: station || t('dev.noStation') }),
        h('td', null, h('span', { class: 'mono', text: p.id }), ' ', h('span', { text: p.name })),
        h('td', { text: venues.get(p.venue) || p.venue || '' }),
        cells.seen,
        cells.messages,
        cells.state,
        h('td', { class: 'col-action' }, station ? h('span', { class: 'dev-actions' }, cells.issue, cells.revoke) : null),
      );
      dev.rows.set(station || `#${p.id}`, { tr, cells, search: `${station} ${p.id} ${p.name}`.toLowerCase(), station });
      return tr;
    }),
  );
}

/** Fills the panel from the last status read (cheap: runs every 5 s). */
function update() {
  if (!el('dev-state')) return;
  const s = dev.status;
  const error = el('dev-error');
  const lines = dev.error || dev.actionError;
  if (lines) {
    error.className = 'result result-error';
    error.replaceChildren(...lines.map((l) => (l instanceof Node ? l : h('p', { text: l }))));
    error.hidden = false;
  } else {
    error.hidden = true;
  }
  renderState(s);
  const enabled = !!(s && s.enabled);
  const byStation = new Map(((s && s.stations) || []).map((x) => [x.station, x]));
  const now = Date.now();
  let seen = 0;
  let silent = 0;
  for (const row of dev.rows.values()) {
    const info = byStation.get(row.station);
    if (info) seen++;
    if (info && info.silent) silent++;
    row.cells.seen.textContent = info && info.last_seen ? ago(info.last_seen, now) : '—';
    row.cells.seen.title = info && info.last_seen ? new Date(info.last_seen).toLocaleString('zh-CN', { hour12: false }) : '';
    row.cells.messages.textContent = info ? fmt(info.messages) : '—';
    const state = !enabled ? '' : info ? (info.silent ? 'silent' : 'ok') : 'never';
    row.tr.classList.toggle('is-silent', state === 'silent');
    row.tr.dataset.state = state;
    row.cells.state.replaceChildren(
      state ? h('span', { class: `flag ${state === 'ok' ? 'flag-ok' : state === 'silent' ? 'flag-bad' : 'flag-muted'}`, text: t(`dev.state.${state}`) }) : '—',
    );
    const busy = dev.busy.has(row.station);
    row.cells.issue.textContent = dev.issued.has(row.station) ? t('dev.reissue') : t('dev.issue');
    row.cells.issue.disabled = !enabled || busy;
    row.cells.revoke.disabled = !enabled || busy;
  }
  const total = [...dev.rows.values()].filter((r) => r.station).length;
  el('dev-summary').textContent = s
    ? `${fmt(total)} ${t('dev.stations')} · ${fmt(seen)} ${t('dev.seen')} · ${fmt(silent)} ${t('dev.silentN')}`
    : t('common.loading');
  filterRows();
  renderCounts(s);
}

function renderState(s) {
  const box = el('dev-state');
  if (!s) {
    box.className = 'card dev-state';
    box.replaceChildren(h('p', { class: 'hint', text: t('common.loading') }));
    return;
  }
  if (!s.enabled) {
    box.className = 'card dev-state is-off';
    box.dataset.enabled = 'false';
    box.replaceChildren(
      h('span', { class: 'dev-dot', 'aria-hidden': 'true' }),
      h('div', { class: 'dev-state-text' },
        h('h2', { text: t('dev.off') }),
        h('p', { class: 'hint', text: t('dev.offText') }),
        h('p', { class: 'hint dev-how' }, h('span', { text: t('dev.offHow') }), ' ',
          h('code', { text: 'jiangxing serve … --mqtt 127.0.0.1:1883 --mqtt-secret run/broker/admin.secret' }))),
    );
    return;
  }
  box.className = 'card dev-state is-on';
  box.dataset.enabled = 'true';
  box.replaceChildren(
    h('span', { class: 'dev-dot', 'aria-hidden': 'true' }),
    h('div', { class: 'dev-state-text' },
      h('h2', { text: t('dev.on') }),
      h('p', { class: 'hint', text: t('dev.onText', { s: fmt(s.silence_s) }) })),
    h('p', { class: 'hint dev-updated', text: t('dev.updated', { time: clock(dev.loadedAt) }) }),
  );
}

function filterRows() {
  const q = (el('dev-filter')?.value || '').trim().toLowerCase();
  const onlySilent = !!el('dev-only-silent')?.checked;
  let shown = 0;
  for (const row of dev.rows.values()) {
    const show = (!q || row.search.includes(q)) && (!onlySilent || row.tr.dataset.state === 'silent');
    row.tr.hidden = !show;
    if (show) shown++;
  }
  el('dev-empty').hidden = shown > 0;
}

function renderCounts(s) {
  const counts = (s && s.counts) || {};
  el('dev-totals').replaceChildren(
    ...TOTALS.flatMap((name) => [
      h('div', { class: `dev-total dev-total-${name}`, dataset: { count: name } },
        h('dt', { text: t(`count.${name}`) }),
        h('dd', { class: 'num', text: fmt(counts[name] || 0) })),
    ]),
  );
  const reasons = Object.entries(counts)
    .filter(([name, n]) => !TOTALS.includes(name) && n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  el('dev-reasons').replaceChildren(
    ...(reasons.length
      ? reasons.map(([name, n]) =>
        h('li', { dataset: { reason: name } },
          h('span', { class: 'dev-reason-label', text: reasonLabel(name) }),
          h('code', { class: 'dev-reason-code', text: name }),
          h('b', { class: 'num', text: fmt(n) })))
      : [h('li', { class: 'muted', text: t('dev.noRefusals') })]),
  );
  const recent = (s && s.recent_refusals) || [];
  el('dev-refusals').tBodies[0].replaceChildren(
    ...recent.map((r) =>
      h('tr', { dataset: { reason: r.reason } },
        h('td', { class: 'num nowrap', title: new Date(r.at).toLocaleString('zh-CN', { hour12: false }), text: clock(r.at) }),
        h('td', { class: 'mono nowrap', text: r.station }),
        h('td', { class: 'mono', text: r.signal }),
        h('td', null,
          h('span', { class: 'flag flag-bad', text: reasonLabel(r.reason) }),
          h('span', { class: 'dev-refusal-message', text: localMessage(r.message) })))),
  );
  el('dev-refusals').hidden = recent.length === 0;
  el('dev-refusals-empty').hidden = recent.length > 0;
}

// ---------------------------------------------------------------- credentials

function personAt(station) {
  const comp = host.comp();
  return (comp && comp.contestants.find((p) => p.station === station)) || null;
}

async function issue(station) {
  if (dev.busy.has(station)) return;
  if (dev.issued.has(station)) {
    const ok = await host.confirm(t('dev.reissueTitle', { station }), t('dev.reissueText', { station }), t('dev.reissue'), true);
    if (!ok) return;
  }
  const id = dev.compId;
  dev.busy.add(station);
  update();
  try {
    const answer = await api.post(compPath(id, '/devices'), { station });
    if (id !== dev.compId) return;
    dev.actionError = null;
    dev.issued.delete(station);
    dev.issued.set(station, answer); // newest last
    renderCards();
    toast(t('dev.issued', { station }));
    el('dev-creds').scrollIntoView({ behavior: 'smooth', block: 'start' });
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return host.toLogin();
    dev.actionError = host.errorLines(err);
  } finally {
    dev.busy.delete(station);
    update();
  }
}

async function revoke(station) {
  if (dev.busy.has(station)) return;
  const ok = await host.confirm(t('dev.revokeTitle', { station }), t('dev.revokeText', { station }), t('dev.revoke'), true);
  if (!ok) return;
  const id = dev.compId;
  dev.busy.add(station);
  update();
  try {
    const answer = await api.post(compPath(id, `/devices/${api.seg(station)}/revoke`), {});
    if (id !== dev.compId) return;
    dev.actionError = null;
    dev.issued.delete(station);
    renderCards();
    toast(t('dev.revoked', { username: answer.username || station }));
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 401) return host.toLogin();
    dev.actionError = host.errorLines(err);
  } finally {
    dev.busy.delete(station);
    update();
  }
}

/** One credentials card (on screen and printed). */
function credentialCard(station, c, onScreen) {
  const comp = host.comp();
  const p = personAt(station);
  const venue = p && comp ? (comp.venues.find((v) => v.id === p.venue) || {}).name || p.venue : '';
  const signalTopic = String(c.topic || '').replace(/#$/, '{signal}');
  const qr = typeof c.qr_svg === 'string' && c.qr_svg
    ? h('img', { class: 'dev-qr', alt: t('dev.card.qr', { station }), src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(c.qr_svg)}` })
    : null;
  return h('article', { class: 'dev-card', dataset: { station } },
    h('header', { class: 'dev-card-head' },
      h('span', { class: 'brand-mark', 'aria-hidden': 'true', text: '匠' }),
      h('span', { class: 'dev-card-title', text: t('dev.card.title') }),
      onScreen
        ? h('span', { class: 'dev-card-tools' },
          h('button', { class: 'btn btn-small btn-ghost', type: 'button', dataset: { action: 'print-one' }, text: t('dev.printOne'), onclick: () => printCards(station) }),
          h('button', { class: 'btn btn-small btn-ghost', type: 'button', dataset: { action: 'dismiss' }, text: t('dev.dismiss'), onclick: () => { dev.issued.delete(station); renderCards(); update(); } }))
        : null),
    h('p', { class: 'dev-card-comp', text: comp ? comp.title : '' }),
    h('div', { class: 'dev-card-body' },
      h('div', { class: 'dev-card-main' },
        h('p', { class: 'dev-card-station' }, h('span', { class: 'mono', text: station }),
          p ? h('span', { class: 'dev-card-who', text: `${p.id} ${p.name}${venue ? ` · ${venue}` : ''}` }) : null),
        h('dl', { class: 'dev-card-fields' },
          h('dt', { text: t('dev.card.username') }), h('dd', { class: 'mono dev-username', text: c.username || '' }),
          h('dt', { text: t('dev.card.password') }), h('dd', { class: 'mono big dev-password', text: c.password || '' }),
          h('dt', { text: t('dev.card.server') }), h('dd', { class: 'mono dev-server', text: `${c.host || ''}:${c.port ?? ''}` }),
          h('dt', { text: t('dev.card.topic') }), h('dd', { class: 'mono dev-topic', text: c.topic || '' }))),
      qr),
    h('p', { class: 'dev-card-note', text: t('dev.card.note', { topic: signalTopic }) }));
}

function renderCards() {
  const box = el('dev-cards');
  if (!box) return;
  box.replaceChildren(...[...dev.issued].reverse().map(([station, c]) => credentialCard(station, c, true)));
  el('dev-creds').hidden = dev.issued.size === 0;
}

/** Prints the cards (all issued, or one station's) and nothing else. */
function printCards(station) {
  const list = [...dev.issued].filter(([s]) => !station || s === station);
  if (!list.length) return;
  $('device-print').replaceChildren(...list.map(([s, c]) => credentialCard(s, c, false)));
  document.body.classList.add('printing-devices');
  window.print();
}
