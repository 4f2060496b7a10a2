// Sign-in page: posts the credentials, then goes to ?next= (a local path only)
// or to the page for the user's role.
import * as api from '/static/common/api.js';
import { applyI18n, bindLangToggle, define, localMessage, t } from '/static/common/i18n.js';

define({
  zh: {
    'login.pageTitle': '登录 · 匠星',
    'login.title': '匠星 · 登录',
    'login.username': '用户名',
    'login.password': '密码',
    'login.submit': '登录',
    'login.busy': '正在登录…',
    'login.help': '账号由赛事组织方发放',
    'login.missing': '请输入用户名和密码',
    'login.failed': '用户名或密码错误',
    'login.limited': '尝试次数过多，请稍后再试',
  },
  en: {
    'login.pageTitle': 'Sign in · Jiangxing',
    'login.title': 'Jiangxing · Sign in',
    'login.username': 'Username',
    'login.password': 'Password',
    'login.submit': 'Sign in',
    'login.busy': 'Signing in…',
    'login.help': 'Accounts are issued by the organisers',
    'login.missing': 'Enter your username and password',
    'login.failed': 'Wrong username or password',
    'login.limited': 'Too many attempts: try again later',
  },
});

const HOME = { judge: '/judge', chief: '/chief', organiser: '/admin', admin: '/admin' };

/** ?next= when it is a path on this site (never another origin), else null. */
function nextPath() {
  const next = new URLSearchParams(location.search).get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  return next;
}

function go(user) {
  location.assign(nextPath() || HOME[user && user.role] || '/judge');
}

const form = document.getElementById('login-form');
const errorBox = document.getElementById('login-error');
const submit = document.getElementById('login-submit');

function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = !text;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    showError(t('login.missing'));
    return;
  }
  showError('');
  submit.disabled = true;
  submit.textContent = t('login.busy');
  try {
    const answer = await api.login(username, password);
    go(answer.user);
  } catch (err) {
    form.password.value = '';
    form.password.focus();
    if (err instanceof api.NetworkError) showError(t('error.network'));
    else if (err.status === 401) showError(t('login.failed'));
    else if (err.status === 429) showError(t('login.limited'));
    else showError(localMessage(err.message) || t('error.unknown'));
  } finally {
    submit.disabled = false;
    submit.textContent = t('login.submit');
  }
});

bindLangToggle(document.getElementById('lang-toggle'));
applyI18n();
form.username.focus();

// Already signed in (a second tab, or back from a page): go straight on.
api.me().then(go, () => {});
