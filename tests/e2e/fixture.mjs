// The browser tests' shared fixture: a demo database in a temp dir, `jiangxing serve` on a
// free loopback port for each worker, stopped by its PID afterwards.
import { test as base, expect } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.JIANGXING_BIN || path.join(ROOT, 'build/jiangxing');
export const ADMIN_PASSWORD = `admin-${randomBytes(6).toString('hex')}`;
export const DEMO_PASSWORD = 'demo-pass-123';
export { expect };

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startServer() {
  const dir = mkdtempSync(path.join(tmpdir(), 'jx-e2e-'));
  const db = path.join(dir, 't.db');
  const env = { ...process.env, JIANGXING_ADMIN_PASSWORD: ADMIN_PASSWORD, JIANGXING_DEMO_PASSWORD: DEMO_PASSWORD };
  const demo = spawnSync(BIN, ['demo', '--db', db], { cwd: ROOT, env, encoding: 'utf8' });
  if (demo.status !== 0) throw new Error(`jiangxing demo failed (${demo.status}): ${demo.stderr || demo.error}`);
  const port = await freePort();
  const server = { base: `http://127.0.0.1:${port}`, dir, db, port, env };
  return launch(server);
}

/** Starts `jiangxing serve` for server (its db and port) and waits until it answers. */
async function launch(server) {
  const proc = spawn(BIN, ['serve', '--db', server.db, '--listen', `127.0.0.1:${server.port}`, '--web', path.join(ROOT, 'web')], {
    cwd: ROOT,
    env: server.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  Object.assign(server, { pid: proc.pid, proc, log: () => log });
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`jiangxing serve exited ${proc.exitCode}: ${log}`);
    try {
      const r = await fetch(`${server.base}/api/v1/competitions`);
      if (r.status === 401 || r.status === 200) return server;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stopServer(server);
      throw new Error(`jiangxing serve did not answer within 20 s: ${log}`);
    }
    await sleep(100);
  }
}

/** Stops the worker's server by its PID (SIGTERM) and starts it again on the same database
 * and port, as an operator restarting it would. */
export async function restartServer(server) {
  await terminate(server);
  return launch(server);
}

async function terminate(server) {
  if (server.proc.exitCode === null && server.proc.signalCode === null) {
    const exited = new Promise((r) => server.proc.once('exit', r));
    process.kill(server.pid, 'SIGTERM');
    const force = setTimeout(() => {
      try {
        process.kill(server.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 5000);
    await exited;
    clearTimeout(force);
  }
}

async function stopServer(server) {
  await terminate(server);
  rmSync(server.dir, { recursive: true, force: true });
}

export const test = base.extend({
  server: [
    async ({}, use) => {
      const server = await startServer();
      try {
        await use(server);
      } finally {
        await stopServer(server);
      }
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ server }, use) => use(server.base),
});

/** An API client with a bearer token (no cookie, no CSRF). */
export async function apiClient(server, username, password = DEMO_PASSWORD) {
  const r = await fetch(`${server.base}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  expect(r.status).toBe(200);
  const { token } = await r.json();
  return async (method, p, body) => {
    const res = await fetch(server.base + p, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, json, text };
  };
}
