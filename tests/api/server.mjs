// Starts a real jiangxing server on loopback for the API tests (demo database in a temp
// dir), and stops it by its PID. Also runs the CLI.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = process.env.JIANGXING_BIN || 'build/jiangxing';
export const ADMIN_PASSWORD = 'admin-pass-' + process.pid;
export const DEMO_PASSWORD = 'demo-pass-' + process.pid;

export function cli(args, env = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// options: see launch().
export async function startServer(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'jx-api-'));
  const db = join(dir, 'test.db');
  const demo = cli(['demo', '--db', db], {
    JIANGXING_ADMIN_PASSWORD: ADMIN_PASSWORD, JIANGXING_DEMO_PASSWORD: DEMO_PASSWORD });
  if (demo.status !== 0) throw new Error('demo failed: ' + demo.stderr);
  const server = { dir, db, port: 20000 + (process.pid % 20000), ...options };
  await launch(server);
  return server;
}

// server.args: more serve flags; server.openFiles: the server's open-file limit (ulimit -n).
export async function launch(server) {
  const argv = ['serve', '--db', server.db, '--listen', `127.0.0.1:${server.port}`,
    ...(server.args || [])];
  const stdio = { stdio: ['ignore', 'ignore', 'inherit'] };
  server.proc = server.openFiles
    ? spawn('sh', ['-c', `ulimit -n ${server.openFiles} && exec "$0" "$@"`, BIN, ...argv], stdio)
    : spawn(BIN, argv, stdio);
  server.base = `http://127.0.0.1:${server.port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(server.base + '/api/v1/me');
      return;
    } catch { await new Promise((r) => setTimeout(r, 50)); }
  }
  throw new Error('server did not start');
}

// Resolves with the exit code (null when killed by the signal).
export async function stop(server, signal = 'SIGTERM') {
  const exited = new Promise((r) => server.proc.once('exit', (code) => r(code)));
  process.kill(server.proc.pid, signal);
  return exited;
}

// A clean stop must exit 0: under ASan a leak or error makes it non-zero.
export async function stopAndClean(server) {
  const code = await stop(server);
  rmSync(server.dir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`server exited with ${code} after SIGTERM`);
}

export async function call(server, method, path, { token, body, headers = {}, raw } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = 'Bearer ' + token;
  const res = await fetch(server.base + path, {
    method, headers: h, body: raw !== undefined ? raw : body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text, headers: res.headers };
}

export async function login(server, username, password) {
  const r = await call(server, 'POST', '/api/v1/login', { body: { username, password } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
  return r.json.token;
}
