// The pages' stage-clock offset (web/common/clock.js), without a browser: boards set it, but a
// board up to a cached snapshot's age older does not pull the clock back; delta frames only
// move it forward.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noteServerTime, serverNow } from '../../web/common/clock.js';

const near = (a, b, what) => assert.ok(Math.abs(a - b) < 200, `${what}: ${a} vs ${b}`);

test('stale boards and replayed frames never pull the clock back; a real jump does', () => {
  const ahead = 60000; // the server's clock runs a minute ahead of this one
  noteServerTime(Date.now() + ahead, true);
  near(serverNow(), Date.now() + ahead, 'first board');
  noteServerTime(Date.now() + ahead - 1800, true); // a snapshot shared for 1.8 s
  near(serverNow(), Date.now() + ahead, 'a cached snapshot is not news');
  noteServerTime(Date.now() + ahead - 5000, false); // a frame replayed on reconnecting
  near(serverNow(), Date.now() + ahead, 'an old frame is not news');
  noteServerTime(Date.now() + ahead + 700, false);
  near(serverNow(), Date.now() + ahead + 700, 'a fresh frame moves it forward');
  noteServerTime(Date.now() + 1000, true); // this device's clock jumped ahead by a minute
  near(serverNow(), Date.now() + 1000, 'a board far behind resets it');
  noteServerTime('garbage', true);
  near(serverNow(), Date.now() + 1000, 'nonsense is ignored');
});
