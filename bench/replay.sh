#!/bin/sh
# Replay speed: `jiangxing replay --db FILE` (rebuild every projection from the log and
# compare it with the stored results) on a log of 1,000,000 events, against the target
# of <= 2 s. The log is made by bench/replay_gen.c through the project's own code
# (build/libjx.a) and kept between runs; alongside, for scale, the same log scanned by
# the sqlite3 shell and checked by `jiangxing verify` (read + SHA-256 chain only).
#
#   bench/replay.sh
#   JX_REPLAY_EVENTS=100000 bench/replay.sh       # a smaller log
#   JX_REPLAY_REGEN=1 bench/replay.sh             # make the log again
#   JX_REPLAY_PROFILE=1 bench/replay.sh           # plus a perf profile split by stage
set -eu
cd "$(dirname "$0")/.."

events=${JX_REPLAY_EVENTS:-1000000}
contestants=${JX_REPLAY_CONTESTANTS:-2000}
runs=${JX_REPLAY_RUNS:-2}
dir=${JX_REPLAY_DIR:-${TMPDIR:-/tmp}/jx-replay-bench}
db="$dir/replay-$events-$contestants.db"
flags="-std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
       -D_GNU_SOURCE -Isrc"
pkgs="libevent libevent_pthreads jansson sqlite3 libsodium libcrypto"

echo "== building (make in $(pwd))"
make -s build/jiangxing >/dev/null
mkdir -p "$dir"
# shellcheck disable=SC2086
cc $flags $(pkg-config --cflags $pkgs) bench/replay_gen.c build/libjx.a \
    $(pkg-config --libs $pkgs) -lpthread -lm -o "$dir/replay_gen"

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
     "load average $(cut -d' ' -f1-3 /proc/loadavg) (shared with other builds and fuzzers)"
if [ "${JX_REPLAY_REGEN:-0}" = 1 ] || [ ! -f "$db" ] || [ -f "$db.partial" ]; then
    echo "== generating $db: $events events, $contestants contestants (takes a while)"
    rm -f "$db" "$db"-wal "$db"-shm "$db".lock
    touch "$db.partial"
    "$dir/replay_gen" --db "$db" --events "$events" --contestants "$contestants"
    rm -f "$db.partial"
else
    echo "== reusing $db (JX_REPLAY_REGEN=1 makes it again)"
fi
echo "   $(du -h "$db" | cut -f1) on disk"

# timed LABEL CMD...: runs CMD, prints its output and "LABEL: S s wall, U s user, M MB",
# and leaves the wall seconds in $wall
timed() {
    label=$1
    shift
    /usr/bin/time -f "%e %U %M" -o "$dir/time.txt" "$@" >"$dir/out.txt" 2>&1 || {
        cat "$dir/out.txt"
        echo "$label failed" >&2
        exit 1
    }
    sed 's/^/   /' "$dir/out.txt"
    read -r wall user rss <"$dir/time.txt"
    echo "   $label: $wall s wall, $user s user, $((rss / 1024)) MB max RSS"
}

summary=""
run=1
while [ "$run" -le "$runs" ]; do
    echo "== run $run (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    timed "sqlite3 scan of the events table" \
        sqlite3 "$db" "SELECT count(*), sum(length(body)) + sum(length(hash)) FROM events"
    scan=$wall
    timed "jiangxing verify (read + SHA-256 chain)" build/jiangxing verify --db "$db"
    verify=$wall
    timed "jiangxing replay" build/jiangxing replay --db "$db"
    rate=$(awk -v n="$events" -v s="$wall" 'BEGIN { printf "%.0f", n / s }')
    summary="$summary
run $run: replay $wall s ($rate events/s); verify $verify s; sqlite3 scan $scan s; load $(cut -d' ' -f1 /proc/loadavg)"
    run=$((run + 1))
done
echo
echo "Replay of $events events ($contestants contestants), $(date -u '+%Y-%m-%d %H:%M UTC'),"
echo "$(nproc) cores shared with other work:$summary"
echo "target: replay <= 2 s"

if [ "${JX_REPLAY_PROFILE:-0}" = 1 ]; then
    if ! perf stat -e cpu-clock true >/dev/null 2>&1; then
        echo "(profile skipped: perf does not work here)"
        exit 0
    fi
    echo
    echo "== profile of jiangxing replay (perf, cpu-clock, DWARF call graphs), by stage"
    perf record -q -e cpu-clock -F 499 --call-graph dwarf,16384 -o "$dir/perf.data" \
        build/jiangxing replay --db "$db" >/dev/null 2>&1
    # perf pads a thread id under 10000 with a space, which perf_split.py would read as a
    # frame: strip it.
    perf script -i "$dir/perf.data" -F tid,ip,sym,dso 2>/dev/null |
        sed 's/^ *\([0-9][0-9]*\) *$/\1 /' | python3 bench/perf_split.py
    echo "(perf data kept in $dir/perf.data)"
fi
