// Organiser endpoints against a real server: CSV import in every encoding Excel writes
// (with errors naming line and column), bulk judge accounts with one-time codes,
// assignments, publication, exports that `jiangxing score` turns back into the standings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, stopAndClean, call, login, cli, ADMIN_PASSWORD, DEMO_PASSWORD } from './server.mjs';

const C = '/api/v1/competitions/irom-final-2026';
let server, organiser;

before(async () => {
  server = await startServer();
  organiser = await login(server, 'organiser', DEMO_PASSWORD);
});
after(async () => { await stopAndClean(server); });

const gb18030 = (text) => spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text }).stdout;
const importCsv = (body, token = organiser) => call(server, 'POST', `${C}/contestants/import`,
  { token, raw: body, headers: { 'Content-Type': 'text/csv' } });
const contestantIds = async () => (await call(server, 'GET', C, { token: organiser })).json.contestants.map((c) => c.id);

test('contestants import from UTF-8 with BOM, plain UTF-8 and GB18030', async () => {
  const bom = '\uFEFF编号,姓名,组别,赛场,工位,单位\r\nX001,"张, 三",worker,wz,31,"某""公司"""\r\n';
  let r = await importCsv(bom);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { added: 1 });
  r = await importCsv('id,name,group,venue\nX002,<script>alert(1)</script>,teacher,hz\n');
  const long = '匠'.repeat(200); // 200 characters (600 bytes) is within the limit
  assert.equal((await importCsv(`id,name,group,venue\nX004,${long},worker,wz\n`)).status, 200);
  assert.equal((await importCsv(`id,name,group,venue\nX005,${long}匠,worker,wz\n`)).status, 400);
  assert.deepEqual(r.json, { added: 1 });
  r = await importCsv(gb18030('编号,姓名,组别,赛场,工位,单位\r\nX003,欧阳淼,student,wz,32,温州技师学院\r\n'));
  assert.deepEqual(r.json, { added: 1 }, r.text);
  const info = (await call(server, 'GET', C, { token: organiser })).json;
  const byId = Object.fromEntries(info.contestants.map((c) => [c.id, c]));
  assert.equal(byId.X001.name, '张, 三');
  assert.equal(byId.X001.org, '某"公司"');
  assert.equal(byId.X002.name, '<script>alert(1)</script>');
  assert.equal(byId.X003.name, '欧阳淼');
  assert.equal(byId.X003.org, '温州技师学院');
  const standings = (await call(server, 'GET', `${C}/standings`, { token: organiser })).json;
  assert.equal(standings.entries.length, 81);
});

test('bad CSV is refused with line and column, and nothing is added', async () => {
  const before = await contestantIds();
  const cases = [
    ['id,name,group,venue\nY001,a,worker,wz\nY002,b,nobody,wz\n', /line 3/, 'unknown_reference'],
    ['id,name,group,venue\nY001,a,worker,wz\nY001,b,worker,wz\n', /Y001/, 'duplicate_id'],
    ['id,name,group,venue\nW001,a,worker,wz\n', /W001/, 'duplicate_id'],
    ['id,name,colour\nY001,a,red\n', /column 3/, 'csv_unknown_column'],
    ['id,name,group\nY001,a,worker\n', /venue/, 'csv_missing_column'],
    ['id,name,group,venue\nY001,"unterminated,worker,wz\n', /line 2/, 'csv_unterminated_quote'],
    [Buffer.from([0x69, 0x64, 0x0a, 0xff, 0xfe, 0xfd, 0x80]), /UTF-8/, 'csv_encoding'],
    ['', /empty/, 'csv_empty'],
    ['id,name,group,venue\nY001,"ab"cd,worker,wz\n', /line 2/, 'csv_bad_quote'],
  ];
  for (const [body, message, code] of cases) {
    const r = await importCsv(body);
    assert.equal(r.status >= 400 && r.status < 500, true, r.text);
    assert.equal(r.json.error.code, code, r.text);
    assert.match(r.json.error.message, message);
  }
  const judge = await login(server, 'j-wz-A-1', DEMO_PASSWORD);
  assert.equal((await importCsv('id,name,group,venue\nY009,a,worker,wz\n', judge)).status, 403);
  assert.deepEqual(await contestantIds(), before);
});

test('judges in bulk get one-time codes that log in; assignments list back', async () => {
  const r = await call(server, 'POST', '/api/v1/users/bulk', { token: organiser, body: { role: 'judge', prefix: 'j-new', count: 3 } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.users.length, 3);
  assert.deepEqual(r.json.users.map((u) => u.username), ['j-new-1', 'j-new-2', 'j-new-3']);
  const again = await call(server, 'POST', '/api/v1/users/bulk', { token: organiser, body: { role: 'judge', prefix: 'j-new', count: 4 } });
  assert.deepEqual(again.json.skipped_existing, ['j-new-1', 'j-new-2', 'j-new-3']);
  assert.equal(again.json.users[0].username, 'j-new-4');
  const token = await login(server, 'j-new-2', r.json.users[1].code);
  assert.equal((await call(server, 'GET', `${C}/judge-view`, { token })).status, 403, 'not assigned yet');
  const assign = await call(server, 'POST', `${C}/assignments`, { token: organiser, body: { judge: 'j-new-2', venue: 'hz', modules: ['B', 'C'] } });
  assert.equal(assign.status, 200, assign.text);
  const view = (await call(server, 'GET', `${C}/judge-view`, { token })).json;
  assert.deepEqual(view.modules.map((m) => m.id), ['B', 'C']);
  assert.ok(view.contestants.every((c) => c.id !== 'W001'), 'W001 competes in wz');
  const list = (await call(server, 'GET', `${C}/assignments`, { token: organiser })).json.assignments;
  assert.deepEqual(list.find((a) => a.judge === 'j-new-2'), { judge: 'j-new-2', venue: 'hz', modules: ['B', 'C'] });
  for (const body of [{ role: 'admin', prefix: 'x', count: 1 }, { role: 'judge', prefix: 'a b', count: 1 }, { role: 'judge', prefix: 'x', count: 0 }]) {
    assert.equal((await call(server, 'POST', '/api/v1/users/bulk', { token: organiser, body })).status, 400);
  }
  const users = (await call(server, 'GET', '/api/v1/users', { token: organiser })).json.users;
  assert.ok(users.some((u) => u.username === 'j-new-4' && u.role === 'judge'));
  assert.ok(users.every((u) => !('pw_hash' in u)));
});

test('standings are private until published', async () => {
  const path = '/api/v1/public/competitions/irom-final-2026/standings';
  assert.equal((await call(server, 'GET', path)).status, 403);
  assert.equal((await call(server, 'POST', `${C}/publish`, { token: organiser, body: { published: true } })).status, 200);
  const open = await call(server, 'GET', path + '?scope=module:A');
  assert.equal(open.status, 200);
  assert.equal(open.json.scope, 'module:A');
  assert.equal((await call(server, 'POST', `${C}/publish`, { token: organiser, body: { published: 'yes' } })).status, 400);
  assert.equal((await call(server, 'POST', `${C}/publish`, { token: organiser, body: { published: false } })).status, 200);
  assert.equal((await call(server, 'GET', path)).status, 403);
});

test('exports: the file and MARKS.jsonl give back the served standings; CSV opens in Excel', async () => {
  const file = await call(server, 'GET', `${C}/export/competition.json`, { token: organiser });
  assert.equal(file.status, 200);
  assert.match(file.headers.get('content-disposition'), /irom-final-2026-competition\.json/);
  const marks = await call(server, 'GET', `${C}/export/marks.jsonl`, { token: organiser });
  const dir = join(server.dir, 'export');
  mkdirSync(dir);
  writeFileSync(join(dir, 'c.json'), file.text);
  writeFileSync(join(dir, 'm.jsonl'), marks.text);
  assert.ok(marks.text.split('\n').length > 600);
  for (const scope of ['overall', 'group:worker', 'venue:hz', 'module:C']) {
    const offline = cli(['score', join(dir, 'c.json'), join(dir, 'm.jsonl'), '--scope', scope]);
    assert.equal(offline.stderr, '');
    const served = (await call(server, 'GET', `${C}/standings?scope=${scope}`, { token: organiser })).json;
    assert.deepEqual(JSON.parse(offline.stdout), served, scope);
  }
  const csv = await call(server, 'GET', `${C}/export/standings.csv?scope=group:teacher`, { token: organiser });
  assert.match(csv.headers.get('content-type'), /text\/csv/);
  const raw = Buffer.from(await (await fetch(`${server.base}${C}/export/standings.csv`, { headers: { Authorization: 'Bearer ' + organiser } })).arrayBuffer());
  assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM, so Excel reads UTF-8');
  assert.ok(csv.text.startsWith('排名,编号,姓名'));
  const rows = csv.text.trim().split('\r\n');
  assert.equal(rows.length, 1 + 23, 'header + 22 teachers + X002');
  const sheets = await call(server, 'GET', `${C}/export/sheets.csv`, { token: organiser });
  assert.equal(sheets.text.trim().split('\r\n').length, 1 + 81 * 15);
  assert.equal((await call(server, 'GET', `${C}/export/standings.csv?scope=nope`, { token: organiser })).status, 400);
});

test('logout ends the session for good', async () => {
  const token = await login(server, 'chief-hz', DEMO_PASSWORD);
  assert.equal((await call(server, 'GET', '/api/v1/me', { token })).status, 200);
  assert.equal((await call(server, 'POST', '/api/v1/logout', { token })).status, 200);
  assert.equal((await call(server, 'GET', '/api/v1/me', { token })).status, 401);
});

test('the CLI: export, import-contestants (refused while the server runs), verify finds tampering', async () => {
  const dir = join(server.dir, 'cli-export');
  const out = cli(['export', '--db', server.db, '--competition', 'irom-final-2026', '--out', dir]);
  assert.equal(out.status, 0, out.stderr);
  const served = (await call(server, 'GET', `${C}/standings`, { token: organiser })).json;
  const offline = cli(['score', join(dir, 'competition.json'), join(dir, 'marks.jsonl')]);
  assert.deepEqual(JSON.parse(offline.stdout), served);
  writeFileSync(join(dir, 'more.csv'), 'id,name,group,venue\nZ001,赵六,worker,wz\n');
  const busy = cli(['import-contestants', '--db', server.db, '--competition', 'irom-final-2026', join(dir, 'more.csv')]);
  assert.equal(busy.status, 1);
  assert.match(busy.stderr, /in use by another process/);
  assert.equal(cli(['export', '--help']).status, 0);
  assert.notEqual(cli(['export', '--db', server.db]).status, 0);
  assert.match(cli(['--help']).stdout, /import-contestants/);
  const copy = join(server.dir, 'copy.db');
  assert.equal(spawnSync('sqlite3', [server.db, `.backup ${copy}`]).status, 0);
  assert.match(cli(['verify', '--db', copy]).stdout, /^ok: /);
  spawnSync('sqlite3', [copy, "UPDATE events SET body = replace(body, '\"value\":2', '\"value\":3') WHERE seq = (SELECT min(seq) FROM events WHERE kind = 'mark' AND body LIKE '%\"value\":2%')"]);
  const tampered = cli(['verify', '--db', copy]);
  assert.equal(tampered.status, 1);
  assert.match(tampered.stdout, /BROKEN: event \d+/);
  const replayed = cli(['replay', '--db', copy]);
  assert.equal(replayed.status, 1, 'a tampered log is not replayed into a server');
  assert.match(replayed.stderr, /breaks the hash chain/);
});
