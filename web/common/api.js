// A tiny fetch wrapper for the Jiangxing API: JSON in and out, the session
// cookie (credentials: 'same-origin'), and the CSRF token from the login or
// /me answer sent as X-CSRF-Token on every request that is not a GET.
//
// Errors: an answer with a 4xx/5xx status throws ApiError (status, code,
// message, field from {"error": {...}}); a request that never got an answer
// (offline, refused, timed out) throws NetworkError. Callers tell the two apart
// because only the second is worth retrying as is.

const CSRF_KEY = 'jx.csrf';
let csrf = readCsrf();

function readCsrf() {
  try {
    return sessionStorage.getItem(CSRF_KEY) || '';
  } catch {
    return '';
  }
}

export function setCsrf(token) {
  csrf = typeof token === 'string' ? token : '';
  try {
    if (csrf) sessionStorage.setItem(CSRF_KEY, csrf);
    else sessionStorage.removeItem(CSRF_KEY);
  } catch {
    /* kept in memory only */
  }
}

export class ApiError extends Error {
  constructor(status, error) {
    const e = error && typeof error === 'object' ? error : {};
    super(e.message || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = e.code || `http_${status}`;
    this.field = e.field || '';
  }
}

export class NetworkError extends Error {
  constructor(cause) {
    super(cause && cause.message ? cause.message : 'network error');
    this.name = 'NetworkError';
    this.cause = cause;
  }
}

/**
 * Sends one request. body (if any) is sent as JSON, or options.raw = {bytes, type} as is
 * (a file). options.timeout (ms, default 20000) aborts a request that hangs; that counts as
 * a NetworkError. Resolves to the parsed JSON answer ({} for an empty one).
 */
export async function request(method, path, body, options = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.raw) headers['Content-Type'] = options.raw.type;
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeout ?? 20000);
  let response;
  let text;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.raw ? options.raw.bytes : body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: controller.signal,
    });
    text = await response.text();
  } catch (cause) {
    throw new NetworkError(cause);
  } finally {
    clearTimeout(timer);
  }
  let json = {};
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      if (response.ok) throw new ApiError(response.status, { code: 'bad_response', message: 'the server answered with something other than JSON' });
      json = {};
    }
  }
  if (!response.ok) throw new ApiError(response.status, json && json.error);
  return json;
}

export const get = (path, options) => request('GET', path, undefined, options);
export const post = (path, body, options) => request('POST', path, body ?? {}, options);
/** Posts bytes (a file) with their Content-Type, the CSRF token and the usual error handling. */
export const postBytes = (path, bytes, type, options) =>
  request('POST', path, undefined, { timeout: 120000, ...options, raw: { bytes, type } });

/** Logs in; remembers the CSRF token. Resolves to {token, csrf, user}. */
export async function login(username, password) {
  const answer = await post('/api/v1/login', { username, password });
  setCsrf(answer.csrf);
  return answer;
}

/** The logged-in user ({username, role, name, csrf}); throws ApiError 401 when none. */
export async function me() {
  const answer = await get('/api/v1/me');
  if (answer && answer.csrf) setCsrf(answer.csrf);
  return answer;
}

export async function logout() {
  try {
    await post('/api/v1/logout', {});
  } finally {
    setCsrf('');
  }
}

/** Encodes one path segment (ids come from the server, still never trusted). */
export const seg = (id) => encodeURIComponent(String(id));
