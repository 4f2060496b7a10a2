#!/bin/sh
# Where an ingest request's time goes, by timestamps: builds a private copy of the server
# (in a temp dir; src/ is never touched) whose writer (src/store/writer.c) records, for
# every job, when it was submitted, taken into a group, committed and handed back to the
# HTTP loop, then runs bench/ingest_client.c against it and prints:
#
#   per group: size, idle wait, BEGIN, the inserts (run), COMMIT (WAL write + fsync)
#   per job:   queue wait (submit -> taken), in the transaction (taken -> committed),
#              hand-back wait (committed -> the loop runs its answer)
#   I/O:       every fdatasync/fsync/pwrite of the process, timed by an LD_PRELOAD shim
#              (bench/io_timer.c): WAL frame writes, WAL syncs, checkpoints
#
# The client's mean latency minus those three is the time spent in the HTTP loop and on
# the wire (reading, parsing, applying, replying) — see bench/README.md.
#
#   bench/ingest_stages.sh                        # 64 and 256 connections, 5 s each
#   JX_STAGES_CONNS="64" JX_STAGES_BATCH=10 bench/ingest_stages.sh
#   JX_STAGES_CONNS="64" JX_STAGES_VARIANT=no-key-index,no-contestant-index bench/ingest_stages.sh
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
conns_list=${JX_STAGES_CONNS:-"64 256"}
seconds=${JX_STAGES_SECONDS:-5}
batch=${JX_STAGES_BATCH:-1}
port=${JX_STAGES_PORT:-18472}
flags="-std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
       -D_GNU_SOURCE -Isrc"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jx-stages.XXXXXX")
server_pid=
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
}
trap 'stop_server; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

echo "== instrumented copy of the server in $tmp/copy"
mkdir -p "$tmp/copy"
cp -r Makefile src "$tmp/copy/"
python3 - "$tmp/copy/src/store/writer.c" <<'EOF'
import sys
path = sys.argv[1]
s = open(path).read()
def patch(anchor, new, count=1):
    global s
    if s.count(anchor) != count:
        sys.exit(f"bench/ingest_stages.sh: src/store/writer.c changed ({anchor.strip()[:60]!r} "
                 "not found as expected); update the patch in this script")
    s = s.replace(anchor, new)
patch('#include "store/store.h"\n', '''#include "store/store.h"
#include <time.h>
/* bench/ingest_stages.sh: FIFO timestamps of jobs (they are written in submission order). */
#define JXB_RING (1u << 20)
static double jxb_submitted[JXB_RING], jxb_committed[JXB_RING];
static unsigned long jxb_sub_in, jxb_sub_out, jxb_com_in, jxb_com_out;
static struct { double idle, begin, run, commit, queue_wait, in_txn, done_wait; long groups, jobs, max_group, hist[8]; } jxb;
static double jxb_now(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9; }
''')
patch('''        while (!w->queue && !w->stopping) pthread_cond_wait(&w->wake, &w->lock);''',
      '''        double jxb_t0 = jxb_now();
        while (!w->queue && !w->stopping) pthread_cond_wait(&w->wake, &w->lock);''')
patch('''        pthread_mutex_unlock(&w->lock);
        if (store_exec(w->db, "BEGIN IMMEDIATE") != 0) fatal(w, "BEGIN");''',
      '''        pthread_mutex_unlock(&w->lock);
        double jxb_t1 = jxb_now();
        long jxb_g = 0;
        for (struct writer_job *j = group; j; j = j->next, jxb_g++)
            jxb.queue_wait += jxb_t1 - jxb_submitted[jxb_sub_out++ & (JXB_RING - 1)];
        if (store_exec(w->db, "BEGIN IMMEDIATE") != 0) fatal(w, "BEGIN");
        double jxb_t2 = jxb_now();''')
patch('''        if (store_exec(w->db, "COMMIT") != 0) fatal(w, "COMMIT");''',
      '''        double jxb_t3 = jxb_now();
        if (store_exec(w->db, "COMMIT") != 0) fatal(w, "COMMIT");
        double jxb_t4 = jxb_now();
        for (long i = 0; i < jxb_g; i++) jxb_committed[jxb_com_in++ & (JXB_RING - 1)] = jxb_t4;
        jxb.idle += jxb_t1 - jxb_t0;
        jxb.begin += jxb_t2 - jxb_t1;
        jxb.run += jxb_t3 - jxb_t2;
        jxb.commit += jxb_t4 - jxb_t3;
        jxb.in_txn += (double)jxb_g * (jxb_t4 - jxb_t1);
        jxb.groups++;
        jxb.jobs += jxb_g;
        if (jxb_g > jxb.max_group) jxb.max_group = jxb_g;
        { int b = 0; for (long x = jxb_g; x > 1 && b < 7; x >>= 1) b++; jxb.hist[b]++; }''')
patch('''    struct writer_job *jobs = take_all(&w->done, &w->done_tail);
    pthread_mutex_unlock(&w->lock);''',
      '''    struct writer_job *jobs = take_all(&w->done, &w->done_tail);
    pthread_mutex_unlock(&w->lock);
    double jxb_t = jxb_now();
    for (struct writer_job *j = jobs; j; j = j->next)
        jxb.done_wait += jxb_t - jxb_committed[jxb_com_out++ & (JXB_RING - 1)];''')
patch('''    job->next = NULL;
    pthread_mutex_lock(&w->lock);''',
      '''    job->next = NULL;
    pthread_mutex_lock(&w->lock);
    jxb_submitted[jxb_sub_in++ & (JXB_RING - 1)] = jxb_now();''')
patch('''    run_done(-1, 0, w);
''', '''    run_done(-1, 0, w);
    if (jxb.groups && jxb.jobs) {
        fprintf(stderr, "STAGES groups=%ld jobs=%ld mean_group=%.1f max_group=%ld"
                " group_ms: idle=%.3f begin=%.3f run=%.3f commit=%.3f"
                " job_ms: queue_wait=%.3f in_txn=%.3f done_wait=%.3f\\n",
                jxb.groups, jxb.jobs, (double)jxb.jobs / (double)jxb.groups, jxb.max_group,
                1e3 * jxb.idle / (double)jxb.groups, 1e3 * jxb.begin / (double)jxb.groups,
                1e3 * jxb.run / (double)jxb.groups, 1e3 * jxb.commit / (double)jxb.groups,
                1e3 * jxb.queue_wait / (double)jxb.jobs, 1e3 * jxb.in_txn / (double)jxb.jobs,
                1e3 * jxb.done_wait / (double)jxb.jobs);
        fprintf(stderr, "STAGES group sizes 1,2-3,4-7,8-15,16-31,32-63,64-127,128+:");
        for (int i = 0; i < 8; i++) fprintf(stderr, " %ld", jxb.hist[i]);
        fprintf(stderr, "\\n");
    }
''')
open(path, "w").write(s)
EOF
# JX_STAGES_VARIANT: what-if builds, comma-separated: no-results (no results row per mark),
# no-contestant-index, no-key-index (the two secondary indexes of events).
variant=${JX_STAGES_VARIANT:-}
if [ -n "$variant" ]; then
    echo "== variant: $variant"
    python3 - "$tmp/copy/src" "$variant" <<'PY'
import sys
src, variants = sys.argv[1], sys.argv[2].split(",")
def patch(path, anchor, new):
    s = open(path).read()
    if anchor not in s:
        sys.exit(f"bench/ingest_stages.sh: {path} changed; update the variant patch")
    open(path, "w").write(s.replace(anchor, new))
store, commit = src + "/store/store.c", src + "/app/commit.c"
for v in variants:
    if v == "no-key-index":
        patch(store, '    "CREATE UNIQUE INDEX IF NOT EXISTS events_key ON events(competition, key)"\n'
                     '    " WHERE key IS NOT NULL;"\n', "")
    elif v == "no-contestant-index":
        patch(store, '    "CREATE INDEX IF NOT EXISTS events_contestant ON events(competition, contestant)"\n'
                     '    " WHERE contestant IS NOT NULL;"\n', "")
    elif v == "no-results":
        patch(commit, "    for (int i = 0; i < c->n_rows; i++) {\n        const struct result_row *r",
              "    c->n_rows = 0; /* variant no-results */\n"
              "    for (int i = 0; i < c->n_rows; i++) {\n        const struct result_row *r")
    else:
        sys.exit(f"bench/ingest_stages.sh: unknown variant {v}")
PY
fi
make -s -C "$tmp/copy" build/jiangxing >/dev/null
bin="$tmp/copy/build/jiangxing"
# shellcheck disable=SC2086
cc $flags bench/ingest_client.c -o "$tmp/ingest_client" -lpthread
# shellcheck disable=SC2086
cc $flags -shared -fPIC bench/io_timer.c -o "$tmp/io_timer.so" -ldl

echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (shared)"
JIANGXING_ADMIN_PASSWORD=bench-admin-pw-1 JIANGXING_DEMO_PASSWORD=bench-demo-pw-1 \
    "$bin" demo --db "$tmp/template.db" >/dev/null

for conns in $conns_list; do
    rm -f "$tmp"/run.db*
    cp "$tmp/template.db" "$tmp/run.db"
    rm -f "$tmp/serve.log" # the previous server's log would say "serving" too early
    LD_PRELOAD="$tmp/io_timer.so" "$bin" serve --db "$tmp/run.db" --listen "127.0.0.1:$port" \
        --web "$root/web" >"$tmp/serve.log" 2>&1 &
    server_pid=$!
    tries=0
    until grep -q serving "$tmp/serve.log" 2>/dev/null; do
        tries=$((tries + 1))
        [ $tries -lt 300 ] && kill -0 "$server_pid" 2>/dev/null ||
            { cat "$tmp/serve.log" >&2; exit 1; }
        sleep 0.1
    done
    token=
    for attempt in 1 2 3; do
        token=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/login" \
            -d '{"username":"admin","password":"bench-admin-pw-1"}' |
            sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
        [ -n "$token" ] && break
        sleep 1
    done
    [ -n "$token" ] || { echo "login failed" >&2; exit 1; }
    echo "== $conns connections, $batch mark(s) per request, $seconds s"
    "$tmp/ingest_client" --port "$port" --token "$token" --conns "$conns" --batch "$batch" \
        --seconds "$seconds" --warmup 1 --prefix stages >"$tmp/client.txt"
    grep -v '^RESULT' "$tmp/client.txt" || true
    line=$(grep '^RESULT' "$tmp/client.txt")
    stop_server
    grep -E '^(STAGES|IO)' "$tmp/serve.log"
    stages=$(grep '^STAGES groups' "$tmp/serve.log")
    mean=$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n 's/^mean_ms=//p')
    printf '%s\n' "$stages" | tr ' ' '\n' | awk -F= -v mean="$mean" '
        { v[$1] = $2 }
        END {
            writer = v["queue_wait"] + v["in_txn"] + v["done_wait"]
            printf "   client mean %.3f ms = queue wait %.3f + in transaction %.3f + hand-back %.3f + HTTP loop and wire %.3f\n",
                mean, v["queue_wait"], v["in_txn"], v["done_wait"], mean - writer
        }'
done
