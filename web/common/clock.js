// Stage clocks on the server's time: the offset from the board's `at`, durations as "5:08",
// stage numbers as ①…⑳, and the once-a-second refresh of every running `.clock-t[data-since]`.

// serverNow() ≈ Date.now() + offset. A delta frame only moves the offset forward (a frame
// replayed on a reconnection carries an older `at`, which would only pull the clock back).
// A board sets it, unless it would pull it back by less than a snapshot's cache age (the
// server shares a snapshot for up to 2 s, so its `at` may be that old): a bigger step back
// is this device's own clock having jumped.
const serverClock = { offset: 0, known: false };
const SNAPSHOT_AGE_MS = 2500;

/** Note the server's time `at` (ms) from a board (fromBoard: true) or a delta frame. */
export function noteServerTime(at, fromBoard) {
  const ms = Number(at);
  if (!Number.isFinite(ms) || ms <= 0) return;
  const offset = ms - Date.now();
  const stale = serverClock.known && offset < serverClock.offset &&
    serverClock.offset - offset < SNAPSHOT_AGE_MS;
  if (!serverClock.known || offset > serverClock.offset || (fromBoard && !stale)) {
    serverClock.offset = offset;
    serverClock.known = true;
  }
}

/** The server's time now, in ms. */
export const serverNow = () => Date.now() + serverClock.offset;

/** "5:08", "20:35", "1:02:03" from milliseconds (whole seconds, never negative); "—" when unknown. */
export function fmtDuration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  const sec = Math.floor(Math.max(0, ms) / 1000);
  const two = (x) => String(x).padStart(2, '0');
  const hours = Math.floor(sec / 3600);
  return hours ? `${hours}:${two(Math.floor(sec / 60) % 60)}:${two(sec % 60)}` : `${Math.floor(sec / 60)}:${two(sec % 60)}`;
}

/** ①…⑳ for stage k (then "21."). */
export const circled = (k) => (k >= 1 && k <= 20 ? String.fromCharCode(0x245f + k) : `${k}.`);

/** Every running stage clock under root, to the second. */
export function tickClocks(root = document) {
  const now = serverNow();
  for (const el of root.querySelectorAll('.clock-t[data-since]')) {
    const text = fmtDuration(now - Number(el.dataset.since));
    if (el.textContent !== text) el.textContent = text;
  }
}
