#!/usr/bin/env python3
"""Splits a `perf record -g` profile of `jiangxing serve` (or `jiangxing replay`) into
the stages of the ingest path, per thread.

    perf script -i perf.data -F tid,ip,sym,dso | bench/perf_split.py [MAIN_TID]

Each sample is charged to the innermost frame of its call stack that matches a rule
below (so malloc inside json_dumps counts as JSON, a pwrite inside a checkpoint counts
as the checkpoint). Samples with no matching frame are "other". Percentages are of
each thread's own samples, and the thread's share of all samples is shown too. With
MAIN_TID (the server's PID), that thread is labelled the HTTP loop, the others the writer
or helpers.
"""
import collections
import re
import sys

# (category, regex on the function name) — checked for each frame from the leaf outward.
# Some categories are refined by the first enclosing frame in CONTEXT (see below).
RULES = [
    ("fsync (kernel CPU; the wait itself is not sampled)", r"^(__GI_)?_*fdatasync$|^fsync$"),
    ("SQLite: WAL checkpoint inside COMMIT", r"^sqlite3WalCheckpoint$|^sqlite3_wal_checkpoint"),
    ("SQLite: prepare/finalize per row", r"^sqlite3_prepare|^sqlite3LockAndPrepare$|^sqlite3Prepare|^sqlite3_finalize$|^sqlite3VdbeFinalize$"),
    ("SQLite: COMMIT writes WAL frames", r"^sqlite3WalFrames$|^sqlite3PagerCommitPhaseOne$"),
    ("SQLite: INSERT events (table + 2 indexes)", r"^store_append$"),
    ("SQLite: INSERT OR REPLACE results", r"^store_put_result$"),
    ("SQLite: read events (replay scan)", r"^store_each_event$"),
    ("SQLite: BEGIN/COMMIT other", r"^store_exec$"),
    ("SHA-256 (event hash chain)", r"^event_hash$"),
    ("auth: token SHA-256 + session lookup", r"^auth_check$|^session_of$|^token_key$"),
    ("JSON: parse", r"^json_loadb$|^json_loads$|^parse_body$"),
    ("JSON: dump", r"^json_dumps$|^json_dump_callback$|^json_dumpb$"),
    ("JSON: build/free objects", r"^json_pack|^json_object_set|^json_decref$|^json_delete$|^json_string$|^json_real$|^json_integer$|^json_object$|^json_array"),
    ("core: mark JSON -> struct", r"^mark_from_json$"),
    ("core: standings trees (ostree remove + insert, 3 scopes + 1 per module)", r"^standings_move$|^standings_insert$"),
    ("core: rescore contestant (score_result)", r"^score_result$|^rescore$"),
    ("core: remember key (fingerprint, strdup, map)", r"^remember_key$"),
    ("core: undo journal (copy cell + result)", r"^save_undo$|^copy_cell$|^result_init$|^result_copy$"),
    ("core: check mark (key lookup, ranges, replacement)", r"^check$|^check_value$|^check_replacement$|^check_void$"),
    ("core: apply batch (rest)", r"^contest_apply_batch$|^apply_planned$|^change_cell$|^close_rejudges$"),
    ("commit: stamp events (strdup, seq)", r"^commit_event$"),
    ("commit: result rows", r"^commit_result$"),
    ("commit: free", r"^commit_free$|^commit_done$|^commit_abandon$"),
    ("replay: compare stored results", r"^compare_results$"),
    ("replay: event dispatch (kind strcmp, competition lookup, calloc)", r"^app_apply_event$|^app_apply_marks$|^apply_mark$|^replay_one$"),
    ("writer hand-off (mutex, condvar, wake-up)", r"^writer_submit$|^writer_main$|^event_active$|^run_done$"),
    ("syscall: socket write (writev)", r"^(__GI_)?_*writev$"),
    ("syscall: socket read (readv/read/ioctl)", r"^(__GI_)?_*readv$|^(__GI_)?_*ioctl$|^(__GI_)?_*recv$|^__libc_read$|^read$"),
    ("syscall: epoll_ctl (libevent re-arming events)", r"epoll_ctl$"),
    ("syscall: epoll_wait", r"epoll_wait$"),
    ("syscall: accept/close", r"accept4?$|^(__GI_)?_*close$|^shutdown$"),
    ("HTTP: route match + handler glue", r"^dispatch_api$|^dispatch$|^handle_post_marks$|^authorize$|^commit_marks$|^read_body$|^match$"),
    ("HTTP: reply (headers, evbuffer)", r"^reply_json$|^evhttp_send_reply|^security_headers$|^answer$"),
]
DSO_RULES = [
    ("HTTP: libevent (request parsing, headers, buffers)", r"libevent"),
    ("JSON: other jansson", r"libjansson"),
    ("SQLite: other", r"libsqlite3"),
]
# For these categories, name the first enclosing frame that says what it was for.
CONTEXT = {
    "JSON: dump": [("result_modules_json", "projection modules"), ("commit_marks", "event body"),
                    ("reply_json", "HTTP reply"), ("add_event", "event body")],
    "JSON: build/free objects": [("result_modules_json", "projection modules"),
                                 ("reply_json", "HTTP reply"), ("reply_fail", "HTTP reply"),
                                 ("commit_marks", "reply"), ("handle_post_marks", "request doc"),
                                 ("apply_mark", "event doc"), ("add_event", "event doc")],
    "JSON: parse": [("body_json", "request"), ("parse_body", "event body")],
}
compiled = [(c, re.compile(r)) for c, r in RULES]
dso_compiled = [(c, re.compile(r)) for c, r in DSO_RULES]


def classify(frames):
    """frames: list of (sym, dso), leaf first."""
    for i, (sym, dso) in enumerate(frames):
        for cat, rx in compiled:
            if rx.search(sym):
                for name, label in CONTEXT.get(cat, []):
                    if any(s == name for s, _ in frames[i + 1:]):
                        return f"{cat} ({label})"
                return cat
    for sym, dso in frames:
        for cat, rx in dso_compiled:
            if rx.search(dso):
                return cat
    if frames and "kernel" in frames[-1][1]:
        return "kernel (interrupts, scheduler, softirq)"
    return "other (malloc/free outside the above, libc, unresolved)"


def main():
    per_thread = collections.defaultdict(collections.Counter)
    tid, frames = None, []

    def flush():
        if tid is not None:
            per_thread[tid][classify(frames)] += 1

    frame_rx = re.compile(r"^\s+[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$")
    for line in sys.stdin:
        if not line.strip():
            continue
        if not line[0].isspace():
            flush()
            tid, frames = line.split()[0], []
            continue
        m = frame_rx.match(line)
        if m:
            sym = re.sub(r"\+0x[0-9a-f]+$", "", m.group(1))
            frames.append((sym, m.group(2)))
    flush()
    total = sum(sum(c.values()) for c in per_thread.values())
    for t, counts in sorted(per_thread.items(), key=lambda kv: -sum(kv[1].values())):
        n = sum(counts.values())
        if n < total * 0.01:
            continue
        role = ""
        if len(sys.argv) > 1:
            role = " (main: HTTP loop)" if t == sys.argv[1] else " (writer or helper)"
        print(f"thread {t}{role}: {n} samples, {100.0 * n / total:.1f}% of all")
        for cat, k in counts.most_common():
            if 100.0 * k / n >= 0.5:
                print(f"  {100.0 * k / n:5.1f}%  {cat}")
        print()


if __name__ == "__main__":
    main()
