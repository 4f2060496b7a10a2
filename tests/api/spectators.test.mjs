// Black-box tests of the spectator and organiser side of live display (docs/live.md):
// likes and cheers with per-device caps and rate limits, comments and their moderation,
// auto-publish with a word filter, display settings and their validation, who may use the
// organiser's endpoints, photos (resizing, bad and oversized images), pledges, the QR code,
// rank history, and that all of it survives a restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { rmSync } from 'node:fs';
import http from 'node:http';
import { startServer, stop, stopAndClean, launch, call, login, ADMIN_PASSWORD, DEMO_PASSWORD } from './server.mjs';
import { openStream } from './sse.mjs';

const ID = 'irom-final-2026';
const C = `/api/v1/competitions/${ID}`;
const P = `/api/v1/public/competitions/${ID}`;
let server, admin, organiser, judge, chief;
const streams = [];
let keys = 0;

before(async () => {
  server = await startServer();
  admin = await login(server, 'admin', ADMIN_PASSWORD);
  organiser = await login(server, 'organiser', DEMO_PASSWORD);
  judge = await login(server, 'j-wz-A-1', DEMO_PASSWORD);
  chief = await login(server, 'chief-wz', DEMO_PASSWORD);
});
after(async () => {
  for (const s of streams) s.close();
  if (server.proc.exitCode === null && server.proc.signalCode === null) await stopAndClean(server);
  else rmSync(server.dir, { recursive: true, force: true }); // it died already (a failed test says how)
});

// A spectator's phone: keeps the jx_device cookie the server sets.
class Device {
  constructor() { this.cookie = null; this.setCookies = []; }
  async post(path, body = {}, { type = 'application/json', raw } = {}) {
    const headers = {};
    if (type) headers['Content-Type'] = type;
    if (this.cookie) headers.Cookie = this.cookie;
    const r = await call(server, 'POST', P + path, { body, headers, raw });
    const set = r.headers.get('set-cookie');
    if (set) {
      this.setCookies.push(set);
      this.cookie = set.split(';')[0];
    }
    return r;
  }
  like(who) { return this.post(`/contestants/${who}/like`); }
  cheer(who) { return this.post(`/contestants/${who}/cheer`); }
  comment(text, contestant) { return this.post('/comments', contestant ? { text, contestant } : { text }); }
}

const org = (method, path, body) => call(server, method, C + path, { token: organiser, body });
const feed = async () => {
  const r = await call(server, 'GET', `${P}/feed`);
  assert.equal(r.status, 200, r.text);
  return r.json;
};
const display = async () => {
  const r = await org('GET', '/display');
  assert.equal(r.status, 200, r.text);
  return r.json;
};
const listComments = async (status) => {
  const r = await org('GET', `/comments?status=${status}`);
  assert.equal(r.status, 200, r.text);
  return r.json.comments;
};
const moderate = (id, action) => org('POST', `/comments/${id}/moderate`, { action });
const setDisplay = (body) => org('POST', '/display', body);

async function watch(opts = {}) {
  const s = await openStream(server, `${C}/live`, opts);
  streams.push(s);
  return s;
}

async function mark(...marks) {
  const body = { marks: marks.map((m) => ({ key: `spect-${++keys}`, reason: 'spectator test', ...m })) };
  const r = await call(server, 'POST', `${C}/marks`, { token: admin, body });
  assert.equal(r.status, 200, r.text);
}

// ---- images ---------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
// An RGB PNG; header dimensions may claim more than the pixel data holds.
function png(width, height, { claimWidth = width, claimHeight = height } = {}) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(claimWidth, 0);
  ihdr.writeUInt32BE(claimHeight, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  const row = 1 + width * 3;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      raw[y * row + 1 + x * 3] = (x * 37) & 255;
      raw[y * row + 2 + x * 3] = (y * 91) & 255;
      raw[y * row + 3 + x * 3] = 200;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}
// A JPEG's segments up to SOS: [{marker, bytes}], then the rest from SOS.
function jpegSegments(jpeg) {
  assert.equal(jpeg.readUInt16BE(0), 0xffd8);
  const segments = [];
  let i = 2;
  while (i < jpeg.length) {
    assert.equal(jpeg[i], 0xff, `marker at ${i}`);
    const marker = jpeg[i + 1];
    if (marker === 0xda) return { segments, scan: jpeg.subarray(i) };
    const len = jpeg.readUInt16BE(i + 2);
    segments.push({ marker, bytes: jpeg.subarray(i, i + 2 + len) });
    i += 2 + len;
  }
  throw new Error('no SOS');
}
function jpegSize(jpeg) {
  const sof = jpegSegments(jpeg).segments.find((s) => s.marker >= 0xc0 && s.marker <= 0xc2);
  assert.ok(sof, 'a SOF marker');
  return { height: sof.bytes.readUInt16BE(5), width: sof.bytes.readUInt16BE(7) };
}
function withSize(sof, width, height) {
  const b = Buffer.from(sof);
  b.writeUInt16BE(height, 5);
  b.writeUInt16BE(width, 7);
  return b;
}

async function getPhoto(who) {
  const res = await fetch(`${server.base}${P}/contestants/${who}/photo`);
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}
const putPhoto = (who, body, type = 'image/png') =>
  call(server, 'POST', `${C}/contestants/${who}/photo`, { token: organiser, raw: body, headers: { 'Content-Type': type } });

// ---- tests ----------------------------------------------------------------------------

test('while the standings are hidden, spectators can neither read nor react', async () => {
  const d = new Device();
  const r = await d.like('W001');
  assert.equal(r.status, 403);
  assert.equal(r.json.error.code, 'not_published');
  assert.equal((await call(server, 'GET', `${P}/feed`)).status, 403);
  const qr = await call(server, 'GET', `${P}/qr.svg`); // only the page's URL: the screen may show it
  assert.equal(qr.status, 200);
  assert.ok(qr.text.startsWith('<svg'));
  const pub = await call(server, 'POST', `${C}/publish`, { token: admin, body: { published: true } });
  assert.equal(pub.status, 200, pub.text);
  assert.equal((await d.like('W001')).status, 200);
  const again = await d.like('W001');
  assert.deepEqual(again.json, { likes: 2, cheers: 0, mine: { likes: 2, cheers: 0 } }, 'the refused like was not counted');
});

test('likes and cheers are counted per device, with the device\'s own counts in mine', async () => {
  const a = new Device(), b = new Device();
  const first = await a.like('W002');
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.json, { likes: 1, cheers: 0, mine: { likes: 1, cheers: 0 } });
  assert.match(a.setCookies[0], /^jx_device=[0-9a-f]{32}\.[0-9a-f]{32};/);
  assert.match(a.setCookies[0], /HttpOnly/);
  assert.match(a.setCookies[0], /SameSite=Strict/);
  assert.deepEqual((await a.like('W002')).json, { likes: 2, cheers: 0, mine: { likes: 2, cheers: 0 } });
  assert.equal(a.setCookies.length, 1, 'a known device gets no new cookie');
  assert.deepEqual((await b.like('W002')).json, { likes: 3, cheers: 0, mine: { likes: 1, cheers: 0 } });
  assert.deepEqual((await b.cheer('W002')).json, { likes: 3, cheers: 1, mine: { likes: 1, cheers: 1 } });
  assert.deepEqual((await a.cheer('W003')).json, { likes: 0, cheers: 1, mine: { likes: 0, cheers: 1 } });

  // A forged cookie is a new device, not device a.
  const forged = new Device();
  forged.cookie = a.cookie.replace(/\.[0-9a-f]{32}$/, '.' + '0'.repeat(32));
  const f = await forged.like('W002');
  assert.deepEqual(f.json.mine, { likes: 1, cheers: 0 });
  assert.notEqual(forged.cookie.split('.')[0], a.cookie.split('.')[0], 'a fresh device id');

  const fd = await feed();
  assert.equal(fd.likes.W002, 4);
  assert.equal(fd.cheers.W002, 1);
  assert.equal(fd.cheers.W003, 1);
  const w002 = (await call(server, 'GET', `${P}/board`)).json.contestants.find((c) => c.id === 'W002');
  assert.equal(w002.likes, 4);
  assert.equal(w002.cheers, 1);
  const unknown = await a.like('NOBODY');
  assert.equal(unknown.status, 404);
});

test('a contestant added during the event can be liked and commented on at once', async () => {
  const csv = 'id,name,group,venue\nX201,后补选手,student,hz\n';
  const r = await call(server, 'POST', `${C}/contestants/import`, { token: organiser, raw: csv, headers: { 'Content-Type': 'text/csv' } });
  assert.equal(r.status, 200, r.text);
  const d = new Device();
  assert.deepEqual((await d.like('X201')).json, { likes: 1, cheers: 0, mine: { likes: 1, cheers: 0 } });
  assert.equal((await d.comment('欢迎', 'X201')).status, 202);
  const x = (await call(server, 'GET', `${P}/board`)).json.contestants.find((c) => c.id === 'X201');
  assert.equal(x.likes, 1);
  assert.equal((await feed()).likes.X201, 1);
  const profile = await call(server, 'GET', `${P}/contestants/X201`);
  assert.equal(profile.json.id, 'X201');
  assert.equal(profile.json.photo, false);
  assert.deepEqual(profile.json.history, []);
  assert.ok(profile.json.pledge == null, 'no pledge yet');
});

test('reactions reach the stream as a reactions event with the new totals', async () => {
  const s = await watch();
  assert.equal((await s.next()).event, 'snapshot');
  const d = new Device();
  await d.like('W021');
  await d.cheer('W021');
  // Counts are announced at most once a second: earlier likes may come first.
  let ev;
  do ev = await s.nextNamed('reactions', 3000); while (!('W021' in ev.json.likes));
  assert.equal(ev.id, undefined, 'spectator events have no id');
  assert.equal(ev.json.likes.W021, 1);
  assert.equal(ev.json.cheers.W021, 1);
  await d.like('W021');
  const next = await s.nextNamed('reactions', 3000);
  assert.deepEqual(next.json, { likes: { W021: 2 }, cheers: { W021: 1 } }, 'only what changed since');
  s.close();
});

test('past the organiser\'s like cap a device gets 429 cap_reached; raising the cap lets it like again', async () => {
  const set = await setDisplay({ like_cap: 2 });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.json.like_cap, 2);
  const d = new Device();
  assert.equal((await d.like('W004')).status, 200);
  assert.equal((await d.like('W004')).status, 200);
  const third = await d.like('W004');
  assert.equal(third.status, 429);
  assert.equal(third.json.error.code, 'cap_reached');
  assert.equal((await feed()).likes.W004, 2, 'the refused like is not counted');
  assert.equal((await d.like('W005')).status, 200, 'the cap is per contestant');
  assert.equal((await d.cheer('W004')).status, 200, 'cheers have their own cap');
  assert.equal((await setDisplay({ like_cap: 100 })).status, 200);
  const after = await d.like('W004');
  assert.equal(after.status, 200);
  assert.deepEqual(after.json.mine, { likes: 3, cheers: 1 });
});

test('public POSTs need Content-Type application/json (415 otherwise, nothing counted)', async () => {
  const d = new Device();
  assert.equal((await d.like('W007')).status, 200);
  const cases = [
    { type: 'text/plain' },
    { type: 'application/x-www-form-urlencoded', raw: 'a=1' },
    { type: 'multipart/form-data; boundary=x', raw: '--x--' },
    { type: null, raw: new TextEncoder().encode('{}') }, // no Content-Type at all
  ];
  for (const { type, raw } of cases) {
    const r = await d.post('/contestants/W007/like', {}, { type, raw });
    assert.equal(r.status, 415, `Content-Type ${type}`);
    assert.equal(r.json.error.code, 'unsupported_media_type');
  }
  const comment = await d.post('/comments', { text: 'form post' }, { type: 'text/plain' });
  assert.equal(comment.status, 415);
  assert.equal((await feed()).likes.W007, 1);
  const withCharset = await d.post('/contestants/W007/like', {}, { type: 'application/json; charset=utf-8' });
  assert.equal(withCharset.status, 200);
  assert.ok(!(await listComments('pending')).some((x) => x.text === 'form post'));
});

test('comments: over 200 characters is 400 and stored nowhere; markup is kept verbatim as text, pending', async () => {
  const long = '赞'.repeat(201);
  const tooLong = await new Device().comment(long);
  assert.equal(tooLong.status, 400);
  assert.equal(tooLong.json.error.field, 'text');
  const exact = await new Device().comment('好'.repeat(200));
  assert.equal(exact.status, 202, '200 characters (600 bytes) is fine');
  for (const bad of ['', 'bell\u0007', 42]) {
    const r = await new Device().post('/comments', { text: bad });
    assert.equal(r.status, 400, JSON.stringify(bad));
  }
  const script = '<script>alert("x")</script> 加油 & <b>';
  const r = await new Device().comment(script, 'W001');
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.status, 'pending');
  assert.ok(Number.isInteger(r.json.id));
  const nobody = await new Device().comment('hi', 'NOBODY');
  assert.equal(nobody.status, 404);

  const pending = await listComments('pending');
  const stored = pending.find((x) => x.id === r.json.id);
  assert.ok(stored);
  assert.equal(stored.text, script, 'stored as typed');
  assert.equal(stored.contestant, 'W001');
  assert.equal(stored.status, 'pending');
  assert.match(stored.device, /^[0-9a-f]{32}$/);
  for (const status of ['pending', 'published', 'rejected']) {
    assert.ok(!(await listComments(status)).some((x) => x.text === long || x.text === 'hi'), status);
  }
  const f = await feed();
  assert.ok(!f.comments.some((x) => x.id === r.json.id), 'pending is not in the feed');
  assert.equal((await org('GET', '/comments?status=spam')).status, 400);
});

test('approving a comment puts it in the feed and on the stream; rejecting does not', async () => {
  const s = await watch();
  assert.equal((await s.next()).event, 'snapshot');
  const text = '<img src=x onerror=alert(1)> 选手加油';
  const a = await new Device().comment(text, 'W003');
  const b = await new Device().comment('要被拒绝的留言');
  assert.equal(a.status, 202);
  assert.equal(b.status, 202);
  const rej = await moderate(b.json.id, 'reject');
  assert.equal(rej.status, 200, rej.text);
  const ok = await moderate(a.json.id, 'approve');
  assert.equal(ok.status, 200, ok.text);
  const ev = await s.nextNamed('comment', 3000);
  assert.equal(ev.id, undefined);
  assert.equal(ev.json.id, a.json.id);
  assert.equal(ev.json.text, text);
  assert.equal(ev.json.contestant, 'W003');
  assert.equal(typeof ev.json.at, 'number');
  assert.deepEqual((await s.rest(300)).filter((e) => e.event === 'comment'), [], 'no event for the rejected one');
  const f = await feed();
  assert.deepEqual(f.comments[0], ev.json, 'newest first, as announced');
  assert.ok(!f.comments.some((x) => x.id === b.json.id));
  assert.ok((await listComments('rejected')).some((x) => x.id === b.json.id));
  assert.equal((await moderate(a.json.id, 'frobnicate')).status, 400);
  assert.equal((await moderate(999999, 'approve')).status, 404);
  assert.equal((await moderate('abc', 'approve')).status, 404);
  s.close();
});

test('block rejects the comment and refuses that device\'s next one with 403', async () => {
  const d = new Device(), other = new Device();
  const first = await d.comment('垃圾广告 spam');
  assert.equal(first.status, 202);
  const blocked = await moderate(first.json.id, 'block');
  assert.equal(blocked.status, 200, blocked.text);
  const next = await d.comment('我又来了');
  assert.equal(next.status, 403);
  assert.equal(next.json.error.code, 'device_blocked');
  assert.ok((await listComments('rejected')).some((x) => x.id === first.json.id));
  assert.ok(!(await listComments('pending')).some((x) => x.text === '我又来了'));
  assert.equal((await other.comment('正常留言')).status, 202, 'other devices may still comment');
  assert.equal((await d.like('W001')).status, 200, 'a blocked device may still like');
});

test('auto-publish publishes clean comments at once and holds those with a filtered word', async () => {
  const set = await setDisplay({ auto_publish: true, word_filter: ['作弊', 'cheat'] });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.json.auto_publish, true);
  assert.deepEqual(set.json.word_filter, ['作弊', 'cheat']);
  const s = await watch();
  assert.equal((await s.next()).event, 'snapshot');
  const clean = await new Device().comment('精彩！', 'W002');
  assert.equal(clean.status, 202);
  assert.equal(clean.json.status, 'published');
  const ev = await s.nextNamed('comment', 3000);
  assert.equal(ev.json.id, clean.json.id, 'announced with its id');
  assert.equal(ev.json.text, '精彩！');
  for (const text of ['有人作弊', 'they CHEAT!', 'Cheating?']) {
    const r = await new Device().comment(text);
    assert.equal(r.status, 202);
    assert.equal(r.json.status, 'pending', text);
  }
  assert.deepEqual((await s.rest(300)).filter((e) => e.event === 'comment'), [], 'held ones are not announced');
  const f = await feed();
  assert.equal(f.comments[0].id, clean.json.id);
  assert.ok(!f.comments.some((x) => /作弊|cheat/i.test(x.text)));
  assert.equal((await setDisplay({ auto_publish: false })).status, 200);
  const held = await new Device().comment('精彩！');
  assert.equal(held.json.status, 'pending');
  s.close();
});

test('settings validation: 400 with the field, and nothing changes', async () => {
  const before = await display();
  const boardBefore = (await call(server, 'GET', `${P}/board`)).json.screen;
  const cases = [
    [{ screen: { top: 2 } }, 'screen.top'],
    [{ screen: { top: 51 } }, 'screen.top'],
    [{ screen: { seconds: 4 } }, 'screen.seconds'],
    [{ screen: { rotation: ['overall', 'group:nobody'] } }, 'screen.rotation'],
    [{ screen: { rotation: ['module:Z'] } }, 'screen.rotation'],
    [{ screen: { rotation: [] } }, 'screen.rotation'],
    [{ screen: { rotation: 'overall' } }, 'screen.rotation'],
    [{ screen: { fps: 30 } }, 'screen'],
    [{ screen: 'big' }, 'screen'],
    [{ colour: 'red' }, 'colour'],
    [{ like_cap: -1 }, 'like_cap'],
    [{ like_cap: 2.5 }, 'like_cap'],
    [{ cheer_cap: '5' }, 'cheer_cap'],
    [{ auto_publish: 'yes' }, 'auto_publish'],
    [{ word_filter: [''] }, 'word_filter'],
    [{ word_filter: 'bad' }, 'word_filter'],
    [{ word_filter: ['x'.repeat(51)] }, 'word_filter'],
    // Valid fields next to an invalid one are not applied either.
    [{ like_cap: 7, auto_publish: true, screen: { seconds: 30, top: 2 } }, 'screen.top'],
    [{ screen: { seconds: 30 }, word_filter: [1] }, 'word_filter'],
  ];
  for (const [body, field] of cases) {
    const r = await setDisplay(body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.error.field, field, JSON.stringify(body));
  }
  assert.equal((await setDisplay({ colour: 'red' })).json.error.code, 'unknown_field');
  const malformed = await call(server, 'POST', `${C}/display`, { token: organiser, raw: '{"like_cap": ' });
  assert.equal(malformed.status, 400);
  assert.deepEqual(await display(), before, 'GET display is unchanged');
  assert.deepEqual((await call(server, 'GET', `${P}/board`)).json.screen, boardBefore);
});

test('valid screen settings merge into the screen, reach the stream and every later snapshot', async () => {
  const s = await watch();
  assert.equal((await s.next()).event, 'snapshot');
  const before = await display();
  const r = await setDisplay({ screen: { rotation: ['overall', 'progress', 'venue:wz', 'module:A'], seconds: 30 }, public_url: 'http://evil.example/' });
  assert.equal(r.status, 200, r.text);
  const want = { rotation: ['overall', 'progress', 'venue:wz', 'module:A'], seconds: 30, top: before.screen.top };
  assert.deepEqual(r.json.screen, want, 'fields not given keep their values');
  assert.match(r.json.public_url, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/watch/${ID}$`), 'public_url is not settable');
  const ev = await s.nextNamed('screen', 3000);
  assert.deepEqual(ev.json, want);
  assert.deepEqual((await display()).screen, want);
  assert.deepEqual((await call(server, 'GET', `${P}/board`)).json.screen, want);
  // A screen (re)connecting right after the change must not start from the old rotation:
  // the screen event is not replayed, so its snapshot has to carry the new settings.
  const late = await watch();
  const snap = await late.next();
  assert.equal(snap.event, 'snapshot');
  assert.deepEqual(snap.json.screen, want, 'the snapshot after a settings change has the new screen');
  s.close();
  late.close();
});

test('organiser endpoints refuse anonymous callers (401), judges and chief judges (403)', async () => {
  const endpoints = [
    ['GET', '/display'], ['POST', '/display', { like_cap: 1 }], ['GET', '/comments?status=pending'],
    ['POST', '/comments/1/moderate', { action: 'approve' }], ['POST', '/commentary', { text: 'x' }],
    ['POST', '/contestants/W001/profile', { pledge: 'x' }], ['POST', '/contestants/W001/photo', {}],
  ];
  for (const [method, path, body] of endpoints) {
    assert.equal((await call(server, method, C + path, { body })).status, 401, `${method} ${path} anonymous`);
    assert.equal((await call(server, method, C + path, { body, token: judge })).status, 403, `${method} ${path} judge`);
    assert.equal((await call(server, method, C + path, { body, token: chief })).status, 403, `${method} ${path} chief`);
  }
  assert.equal((await display()).like_cap, 100, 'nothing was changed by the refused calls');
  assert.equal((await org('GET', '/display')).status, 200);
  assert.equal((await call(server, 'GET', C + '/display', { token: admin })).status, 200, 'admin too');
});

test('commentary: the organiser\'s text goes to the feed and the stream; over 500 characters is 400', async () => {
  const s = await watch();
  assert.equal((await s.next()).event, 'snapshot');
  const r = await org('POST', '/commentary', { text: '第三模块开始，注意 W001 的节奏。' });
  assert.equal(r.status, 201, r.text);
  const ev = await s.nextNamed('commentary', 3000);
  assert.equal(ev.json.text, '第三模块开始，注意 W001 的节奏。');
  assert.equal(ev.json.by, '赛事组织者');
  const f = await feed();
  assert.equal(f.commentary[0].text, ev.json.text);
  assert.equal((await org('POST', '/commentary', { text: '评'.repeat(501) })).status, 400);
  assert.equal((await org('POST', '/commentary', { text: '' })).status, 400);
  assert.equal((await feed()).commentary.length, 1);
  s.close();
});

test('pledges: up to 200 characters; longer is 400 and keeps the old one', async () => {
  const pledge = '赛'.repeat(200);
  const r = await org('POST', '/contestants/W001/profile', { pledge });
  assert.equal(r.status, 200, r.text);
  const profile = async () => (await call(server, 'GET', `${P}/contestants/W001`)).json;
  assert.equal((await profile()).pledge, pledge);
  const long = await org('POST', '/contestants/W001/profile', { pledge: '赛'.repeat(201) });
  assert.equal(long.status, 400);
  assert.equal(long.json.error.field, 'pledge');
  assert.equal((await org('POST', '/contestants/W001/profile', { pledge: 5 })).status, 400);
  assert.equal((await org('POST', '/contestants/NOBODY/profile', { pledge: 'x' })).status, 404);
  assert.equal((await profile()).pledge, pledge);
  assert.equal((await call(server, 'GET', `${P}/contestants/NOBODY`)).status, 404);
});

test('photos: a PNG is stored as a JPEG at most 480 px; bad images are refused', async () => {
  assert.equal((await getPhoto('W001')).status, 404, 'no photo yet');
  const small = await putPhoto('W001', png(4, 2));
  assert.equal(small.status, 200, small.text);
  assert.equal(small.json.photo, true);
  const got = await getPhoto('W001');
  assert.equal(got.status, 200);
  assert.equal(got.type, 'image/jpeg');
  assert.equal(got.body.readUInt16BE(0), 0xffd8, 'JPEG start');
  assert.equal(got.body.readUInt16BE(got.body.length - 2), 0xffd9, 'JPEG end');
  assert.equal(got.body.length, small.json.bytes);
  assert.deepEqual(jpegSize(got.body), { width: 4, height: 2 }, 'small images keep their size');

  const big = await putPhoto('W002', png(960, 400));
  assert.equal(big.status, 200, big.text);
  assert.deepEqual(jpegSize((await getPhoto('W002')).body), { width: 480, height: 200 }, 'scaled to fit 480');
  const asJpeg = await putPhoto('W003', got.body, 'image/jpeg');
  assert.equal(asJpeg.status, 200, 'a JPEG is accepted too');

  const garbage = await putPhoto('W004', Buffer.from('this is not an image at all, just bytes'));
  assert.equal(garbage.status, 400);
  assert.equal(garbage.json.error.code, 'invalid_image');
  const truncated = await putPhoto('W004', png(40, 40).subarray(0, 60));
  assert.equal(truncated.status, 400);
  assert.equal(truncated.json.error.code, 'invalid_image');
  const huge = await putPhoto('W004', png(2, 2, { claimWidth: 100000, claimHeight: 100000 }));
  assert.equal(huge.status, 400);
  assert.equal(huge.json.error.code, 'image_too_large');
  assert.equal((await getPhoto('W004')).status, 404, 'nothing stored for refused images');
  assert.equal((await putPhoto('NOBODY', png(2, 2))).status, 404);

  const b = (await call(server, 'GET', `${P}/board`)).json.contestants;
  assert.deepEqual(b.filter((c) => c.photo).map((c) => c.id).sort(), ['W001', 'W002', 'W003']);
  assert.equal((await call(server, 'GET', `${P}/contestants/W001`)).json.photo, true);
});

test('photos: a JPEG whose real size is over 40 megapixels is image_too_large, whatever comes before its SOF', async () => {
  // A baseline JPEG from the server itself, re-headed to 6400×6400 (40.96 MP). Between SOI
  // and the real SOF stands an RST0 marker, which has no length in JPEG: libjpeg skips it,
  // but a header scan that reads a length after it jumps over the real SOF and lands on a
  // 1×1 SOF hidden in an APP0 segment that libjpeg never reads as a marker.
  await putPhoto('W005', png(8, 8));
  const base = (await getPhoto('W005')).body;
  const { segments, scan } = jpegSegments(base);
  const sof = segments.find((s) => s.marker === 0xc0).bytes;
  const tables = Buffer.concat(segments.filter((s) => s.marker === 0xdb || s.marker === 0xc4).map((s) => s.bytes));
  const realSof = withSize(sof, 6400, 6400);
  const fakeAt = 2 + 2 + 2 + realSof.length + 4 + 4; // inside the APP0 payload
  const payload = Buffer.concat([Buffer.from('JFIF'), withSize(sof, 1, 1), Buffer.alloc(4)]);
  const app0 = Buffer.concat([Buffer.from([0xff, 0xe0, 0, 0]), payload]);
  app0.writeUInt16BE(2 + payload.length, 2);
  const rstLength = Buffer.alloc(2);
  rstLength.writeUInt16BE(fakeAt - 4);
  const bomb = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xd0]), rstLength, realSof, app0, tables, scan]);
  assert.equal(bomb.readUInt16BE(fakeAt), 0xffc0, 'the decoy SOF is where the scan lands');
  const r = await putPhoto('W006', bomb, 'image/jpeg');
  assert.equal(r.status, 400, `a 6400×6400 JPEG must be refused before decoding, got ${r.status} ${r.text}`);
  assert.ok(['image_too_large', 'invalid_image'].includes(r.json.error.code), r.text);
  assert.equal((await getPhoto('W006')).status, 404);
});

test('the QR code is an SVG of the spectator page', async () => {
  const res = await fetch(`${server.base}${P}/qr.svg`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^image\/svg\+xml/);
  const svg = await res.text();
  assert.match(svg, /^<svg[\s>]/);
  assert.match(svg, /<\/svg>\s*$/);
  assert.ok(!/<script/i.test(svg));
  assert.equal((await call(server, 'GET', '/api/v1/public/competitions/nope/qr.svg')).status, 404);
  // The URL is built from the Host header only when it is a plain host[:port].
  const odd = await new Promise((resolve, reject) => {
    const req = http.get(`${server.base}${C}/display`, {
      headers: { Authorization: 'Bearer ' + organiser, Host: 'evil.example/"><script>' }, agent: false,
    }, (r) => { let t = ''; r.on('data', (c) => { t += c; }); r.on('end', () => resolve({ status: r.statusCode, text: t })); });
    req.on('error', reject);
  });
  assert.equal(odd.status, 200);
  assert.equal(JSON.parse(odd.text).public_url, `http://127.0.0.1:8080/watch/${ID}`);
});

test('a contestant\'s history folds changes within 5 s into one point with the latest rank and total', async () => {
  const s = await watch();
  assert.equal((await s.next()).event, 'snapshot');
  // The snapshot itself records a point when W020 moved while no delta was built.
  const start = (await call(server, 'GET', `${P}/contestants/W020`)).json.history;
  const startLast = start[start.length - 1];
  // Several marks for one contestant at once: the server may apply some before the first
  // is committed and published.
  const marks = [
    { contestant: 'W020', criterion: 'D1', value: 1 },
    { contestant: 'W020', criterion: 'B1', value: 2, reason: 'remeasured' },
    { contestant: 'W020', criterion: 'A1', value: 1.5, reason: 'remeasured' },
    { contestant: 'W020', criterion: 'E2', deduction: 0.5 },
    { contestant: 'W020', criterion: 'T1', value: 60, reason: 'rescored' },
    { contestant: 'W020', criterion: 'D1', value: 6, reason: 'remeasured' },
  ];
  await Promise.all(marks.map((m) => mark(m)));
  const points = [];
  for (let i = 0; i < marks.length; i++) {
    const ev = await s.nextNamed('standings', 3000);
    const w = ev.json.changed.find((c) => c.id === 'W020');
    points.push({ rank: w.ranks.overall, total: w.total, at: ev.json.at });
  }
  const profile = (await call(server, 'GET', `${P}/contestants/W020`)).json;
  // All six changes came within a second: one point, stamped at the first change (or at the
  // last point when that is under 5 s older), holding the rank and total of the last one (each
  // rank paired with its own commit's total).
  const folds = startLast && points[0].at - startLast.at < 5000;
  assert.equal(profile.history.length, start.length + (folds ? 0 : 1));
  const last = points[points.length - 1];
  assert.deepEqual(profile.history[profile.history.length - 1],
    { at: folds ? startLast.at : points[0].at, rank: last.rank, total: last.total });
  s.close();
});

test('spectator data survives a restart: counts, settings, blocks, pledges, photos, history', async () => {
  const d = new Device();
  await d.like('W030');
  const c = await d.comment('restart me');
  assert.equal((await moderate(c.json.id, 'block')).status, 200);
  assert.equal((await setDisplay({ cheer_cap: 3, word_filter: ['重启'] })).status, 200);
  const before = { display: await display(), w020: (await call(server, 'GET', `${P}/contestants/W020`)).json,
    photo: (await getPhoto('W001')).body };
  // Counts are written once a second: these are still in memory when the server stops.
  await d.cheer('W030');
  await new Device().like('W029');
  before.feed = await feed();
  assert.equal(before.feed.likes.W029, 1);
  const code = await stop(server);
  await launch(server); // before asserting, so that later tests have a server
  organiser = await login(server, 'organiser', DEMO_PASSWORD);
  assert.equal(code, 0, 'SIGTERM with counts not yet written: a clean exit');
  assert.deepEqual(await feed(), before.feed, 'likes, cheers, comments and commentary');
  assert.deepEqual(await display(), before.display, 'display settings');
  assert.deepEqual((await call(server, 'GET', `${P}/contestants/W020`)).json, before.w020, 'pledge and history');
  assert.deepEqual((await getPhoto('W001')).body, before.photo);
  assert.equal((await d.comment('still blocked?')).status, 403, 'the block and the device cookie survive');
  assert.deepEqual((await d.like('W030')).json.mine, { likes: 2, cheers: 1 }, 'the device\'s own counts survive');
});

// Last: the buckets it drains could be shared with devices made later (the bucket table
// is direct-mapped, so a new device may inherit a drained slot's level).
test('a burst from one device is rate limited with 429 and Retry-After', async () => {
  const d = new Device();
  assert.equal((await d.like('W006')).status, 200); // the device's cookie first
  const answers = await Promise.all(Array.from({ length: 20 }, () => d.like('W006')));
  const limited = answers.filter((r) => r.status === 429);
  const ok = answers.filter((r) => r.status === 200);
  assert.ok(limited.length > 0, 'some are refused');
  assert.equal(ok.length + limited.length, 20);
  for (const r of limited) {
    assert.equal(r.json.error.code, 'rate_limited');
    assert.ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After in seconds');
  }
  assert.equal((await feed()).likes.W006, 1 + ok.length, 'only accepted likes count');
  assert.equal((await new Device().like('W006')).status, 200, 'another device is not affected');

  // Comments: three in a row, then wait.
  const c = new Device();
  for (let i = 0; i < 3; i++) assert.equal((await c.comment(`评论 ${i}`)).status, 202);
  const fourth = await c.comment('one too many');
  assert.equal(fourth.status, 429);
  const wait = Number(fourth.headers.get('retry-after'));
  assert.ok(wait >= 1 && wait <= 10, `Retry-After ${wait}`);
});
