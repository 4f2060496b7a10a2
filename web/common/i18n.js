// i18n: Chinese (zh-CN) first, English on request. The choice is kept in
// localStorage. Pages register their own messages with define(); elements carry
// data-i18n="key" (textContent), data-i18n-placeholder, data-i18n-title and
// data-i18n-aria-label, and applyI18n() fills them. Text is always set with
// textContent, never innerHTML.

const STORAGE_KEY = 'jx.lang';
const LANGS = ['zh', 'en'];
const messages = { zh: {}, en: {} };
const listeners = new Set();

define({
  zh: {
    'app.name': '匠星',
    'app.tagline': '职业技能竞赛数字化评分平台',
    'lang.toggle': 'English',
    'lang.toggle.title': '切换到英文界面',
    'common.loading': '加载中…',
    'common.cancel': '取消',
    'common.confirm': '确定',
    'common.close': '关闭',
    'common.retry': '重试',
    'error.network': '无法连接服务器，请检查网络',
    'error.unknown': '出现未知错误',
  },
  en: {
    'app.name': 'Jiangxing',
    'app.tagline': 'Digital judging for skills competitions',
    'lang.toggle': '中文',
    'lang.toggle.title': 'Switch to Chinese',
    'common.loading': 'Loading…',
    'common.cancel': 'Cancel',
    'common.confirm': 'OK',
    'common.close': 'Close',
    'common.retry': 'Retry',
    'error.network': 'Cannot reach the server: check the network',
    'error.unknown': 'Something went wrong',
  },
});

/** Merges messages ({zh: {key: text}, en: {key: text}}) into the dictionary. */
export function define(more) {
  for (const lang of LANGS) Object.assign(messages[lang], (more && more[lang]) || {});
}

/** The current language: 'zh' (default) or 'en'. */
export function getLang() {
  let stored = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    /* storage may be disabled: stay with Chinese */
  }
  return LANGS.includes(stored) ? stored : 'zh';
}

export function setLang(lang) {
  if (!LANGS.includes(lang)) return;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    /* not remembered, still switched */
  }
  applyI18n();
  for (const fn of listeners) fn(lang);
}

/** Calls fn(lang) after every language change. */
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * The text for key in the current language, with {name} placeholders replaced
 * from params. Falls back to Chinese, then to the key itself.
 */
export function t(key, params) {
  const lang = getLang();
  let text = messages[lang][key] ?? messages.zh[key] ?? key;
  if (params) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
  return text;
}

/**
 * The server writes messages as "中文 / English". This picks the half for the
 * current language (the whole text when it has no such separator).
 */
export function localMessage(message) {
  if (typeof message !== 'string' || !message) return '';
  const at = message.indexOf(' / ');
  if (at < 0) return message;
  const zh = message.slice(0, at).trim();
  const en = message.slice(at + 3).trim();
  return getLang() === 'en' ? en || zh : zh || en;
}

/** Fills every data-i18n* element under root with the current language. */
export function applyI18n(root = document) {
  const lang = getLang();
  if (root === document) document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const [attr, data] of [
    ['placeholder', 'i18nPlaceholder'],
    ['title', 'i18nTitle'],
    ['aria-label', 'i18nAriaLabel'],
  ]) {
    for (const el of root.querySelectorAll(`[data-${attr === 'aria-label' ? 'i18n-aria-label' : 'i18n-' + attr}]`)) {
      el.setAttribute(attr, t(el.dataset[data]));
    }
  }
  const title = document.querySelector('meta[name="jx-title"]');
  if (root === document && title) document.title = t(title.content);
}

/** Makes button switch between Chinese and English. */
export function bindLangToggle(button) {
  if (!button) return;
  button.dataset.i18n = 'lang.toggle';
  button.dataset.i18nTitle = 'lang.toggle.title';
  button.addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
}
