#!/bin/sh
# Durable ingest over HTTP: marks/s and ack latency of POST /competitions/{id}/marks
# (answered only after the group commit), against a naive baseline measured in the
# same run (bench/baseline_txn.c: one SQLite transaction per mark from as many threads
# as the server has connections, WAL + synchronous=FULL).
#
#   bench/ingest.sh                      # 64 and 256 connections, 10 s each, twice
#   JX_INGEST_CONNS="64" JX_INGEST_SECONDS=5 JX_INGEST_RUNS=1 bench/ingest.sh
#   JX_INGEST_BATCH=10 bench/ingest.sh   # 10 marks per request instead of 1
#   JX_INGEST_PROFILE=1 bench/ingest.sh  # plus one run under `perf record` (server side)
#   JX_INGEST_FLOOR=0 bench/ingest.sh    # skip the HTTP floor (404 answers, no writer)
#
# Each measurement starts from a fresh copy of the demo database. The server is stopped
# by its PID. Targets (from the issue): >= 50,000 marks/s, p99 <= 5 ms, >= 5x baseline.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)

conns_list=${JX_INGEST_CONNS:-"64 256"}
seconds=${JX_INGEST_SECONDS:-10}
warmup=${JX_INGEST_WARMUP:-1}
runs=${JX_INGEST_RUNS:-2}
batch=${JX_INGEST_BATCH:-1}
port=${JX_INGEST_PORT:-18471}
profile=${JX_INGEST_PROFILE:-0}
floor=${JX_INGEST_FLOOR:-1}
admin_password=bench-admin-pw-1
flags="-std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
       -D_GNU_SOURCE -Isrc"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jx-ingest.XXXXXX")
server_pid=
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
}
cleanup() { stop_server; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== building (make in $root)"
make -s build/jiangxing >/dev/null
# shellcheck disable=SC2086
cc $flags bench/ingest_client.c -o "$tmp/ingest_client" -lpthread
# shellcheck disable=SC2086
cc $flags bench/baseline_txn.c -o "$tmp/baseline_txn" \
    $(pkg-config --cflags --libs sqlite3 libsodium) -lpthread

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
     "load average $(cut -d' ' -f1-3 /proc/loadavg) (shared with other builds and fuzzers)"
probe_before=$("$tmp/baseline_txn" --fsync-probe "$tmp/probe.bin")
echo "== disk: $probe_before"
echo "== demo database (template, copied fresh for every measurement)"
JIANGXING_ADMIN_PASSWORD=$admin_password JIANGXING_DEMO_PASSWORD=bench-demo-pw-1 \
    build/jiangxing demo --db "$tmp/template.db" >/dev/null

# start_server DB: starts `serve`, waits until it listens, logs in, sets $token.
start_server() {
    rm -f "$tmp/serve.log" # a log left by the previous server would say "serving" too early
    build/jiangxing serve --db "$1" --listen "127.0.0.1:$port" --web "$root/web" \
        >"$tmp/serve.log" 2>&1 &
    server_pid=$!
    tries=0
    until grep -q "serving" "$tmp/serve.log" 2>/dev/null; do
        tries=$((tries + 1))
        if [ $tries -gt 300 ] || ! kill -0 "$server_pid" 2>/dev/null; then
            echo "the server did not start:" >&2
            cat "$tmp/serve.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    token=
    for attempt in 1 2 3; do
        answer=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/login" \
            -H 'Content-Type: application/json' \
            -d "{\"username\":\"admin\",\"password\":\"$admin_password\"}" || true)
        token=$(printf '%s' "$answer" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
        [ -n "$token" ] && break
        echo "(login attempt $attempt failed: '$answer')" >&2
        sleep 1
    done
    if [ -z "$token" ]; then
        echo "login failed" >&2
        exit 1
    fi
}

# thread_cpu PID: "tid ticks" per thread (user + system, in clock ticks)
thread_cpu() {
    for t in /proc/"$1"/task/*; do
        echo "$(basename "$t") $(cut -d')' -f2 "$t/stat" | awk '{print $12 + $13}')"
    done
}

fresh_db() {
    rm -f "$tmp"/run.db*
    cp "$tmp/template.db" "$tmp/run.db"
}

# field NAME LINE: the value of NAME=... in a RESULT line
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

results="$tmp/results.txt"
: >"$results"
for conns in $conns_list; do
    run=1
    while [ $run -le "$runs" ]; do
        echo "== server: $conns connections, $batch mark(s) per request, ${seconds} s (+${warmup} s warm-up), run $run"
        fresh_db
        start_server "$tmp/run.db"
        thread_cpu "$server_pid" >"$tmp/cpu0"
        "$tmp/ingest_client" --port "$port" --token "$token" --conns "$conns" \
            --batch "$batch" --seconds "$seconds" --warmup "$warmup" --prefix "r$run" \
            >"$tmp/client.txt"
        grep -v '^RESULT' "$tmp/client.txt" || true
        server_line=$(grep '^RESULT' "$tmp/client.txt")
        thread_cpu "$server_pid" >"$tmp/cpu1"
        ticks=$(getconf CLK_TCK)
        join "$tmp/cpu0" "$tmp/cpu1" | awk -v pid="$server_pid" -v s="$seconds" -v w="$warmup" -v hz="$ticks" '
            $3 > $2 { printf "   server thread %s (%s): %.0f%% of a core\n", $1,
                     $1 == pid ? "HTTP loop" : "writer or helper", 100 * ($3 - $2) / hz / (s + w) }'
        stop_server
        events=$(sqlite3 "$tmp/run.db" "SELECT count(*) FROM events WHERE kind='mark'")
        echo "   (log now holds $events mark events)"

        echo "== baseline: $conns threads, one transaction per mark, run $run"
        rm -f "$tmp"/base.db*
        "$tmp/baseline_txn" --db "$tmp/base.db" --threads "$conns" --seconds "$seconds" \
            --warmup "$warmup" >"$tmp/baseline.txt"
        grep -v '^RESULT' "$tmp/baseline.txt" || true
        base_line=$(grep '^RESULT' "$tmp/baseline.txt")
        echo "$conns $run $server_line | $base_line" >>"$results"
        run=$((run + 1))
    done
    if [ "$floor" = 1 ]; then
        echo "== HTTP floor: $conns connections posting to an unknown API path (404, no auth, no writer)"
        fresh_db
        start_server "$tmp/run.db"
        "$tmp/ingest_client" --port "$port" --token "$token" --conns "$conns" --seconds "$seconds" \
            --warmup "$warmup" --path /api/v1/no-such-endpoint --body '{}' --expect 404 \
            >"$tmp/client.txt"
        stop_server
        grep -v '^RESULT' "$tmp/client.txt" || true
        echo "$conns $(grep '^RESULT' "$tmp/client.txt")" >>"$tmp/floor.txt"
    fi
done

probe_after=$("$tmp/baseline_txn" --fsync-probe "$tmp/probe.bin")
echo
echo "Durable ingest, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores shared with other work"
echo "(load average now $(cut -d' ' -f1-3 /proc/loadavg))."
echo "disk before: $probe_before"
echo "disk after:  $probe_after"
echo "batch = $batch mark(s) per request; latency = one request's send -> answer (server) or"
echo "BEGIN -> COMMIT (baseline; its busy waits are unfair, so its mean says more than its p50/p99)."
printf '%-5s %-3s | %11s %7s %7s %8s %6s | %9s %7s %7s %7s %8s %6s | %5s\n' \
    conns run "srv marks/s" "p50 ms" "p99 ms" "max ms" errors "base mk/s" "p50 ms" "mean ms" \
    "p99 ms" "max ms" errors ratio
while read -r conns run rest; do
    s=${rest%%|*}
    b=${rest#*|}
    sm=$(field marks_per_s "$s")
    bm=$(field marks_per_s "$b")
    ratio=$(awk -v a="$sm" -v b="$bm" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }')
    printf '%-5s %-3s | %11s %7s %7s %8s %6s | %9s %7s %7s %7s %8s %6s | %5s\n' "$conns" "$run" \
        "$sm" "$(field p50_ms "$s")" "$(field p99_ms "$s")" "$(field max_ms "$s")" \
        "$(field errors "$s")" "$bm" "$(field p50_ms "$b")" "$(field mean_ms "$b")" \
        "$(field p99_ms "$b")" "$(field max_ms "$b")" "$(field errors "$b")" "$ratio"
done <"$results"
echo "targets: >= 50000 marks/s, p99 <= 5 ms, >= 5x baseline"
if [ -s "$tmp/floor.txt" ]; then
    echo "HTTP floor of the same server (404 for an unknown path: evhttp + routing + a JSON error):"
    while read -r conns rest; do
        printf '  %4s connections: %7s requests/s, p50 %s ms, p99 %s ms\n' "$conns" \
            "$(awk -v a="$(field acks "$rest")" -v s="$(field seconds "$rest")" 'BEGIN { printf "%.0f", a / s }')" \
            "$(field p50_ms "$rest")" "$(field p99_ms "$rest")"
    done <"$tmp/floor.txt"
fi

if [ "$profile" = 1 ]; then
    if ! perf stat -e cpu-clock true >/dev/null 2>&1; then
        echo "(profile skipped: perf does not work here)"
        exit 0
    fi
    conns=$(echo "$conns_list" | cut -d' ' -f1)
    echo
    echo "== profile: server under perf record (cpu-clock, DWARF call graphs), $conns connections"
    echo "   (perf slows the server down; the split, not the rate, is the point)"
    fresh_db
    start_server "$tmp/run.db"
    perf record -q -e cpu-clock -F 499 --call-graph dwarf,16384 -p "$server_pid" \
        -o "$tmp/perf.data" -- sleep "$((seconds + warmup))" 2>/dev/null &
    perf_pid=$!
    "$tmp/ingest_client" --port "$port" --token "$token" --conns "$conns" --batch "$batch" \
        --seconds "$seconds" --warmup "$warmup" --prefix prof >"$tmp/client.txt"
    grep -v '^RESULT' "$tmp/client.txt" || true
    wait "$perf_pid" || true
    main_tid=$server_pid
    stop_server
    perf script -i "$tmp/perf.data" -F tid,ip,sym,dso 2>/dev/null |
        python3 bench/perf_split.py "$main_tid"
fi
