#!/bin/sh
# Runs a libFuzzer harness for a while and prints exec/s and coverage.
# Usage: fuzz/run.sh HARNESS|all SECONDS [extra libFuzzer flags...]
#   HARNESS: competition, marks, score, request, http, csv, photo, display, live, signals,
#   mark_fast
#   (fuzz/fuzz_<harness>.c); all runs each in turn for SECONDS. Builds first if needed (fuzz/build.sh).
# The committed seeds (fuzz/corpus/<harness>/) are copied into a scratch corpus,
# fuzz/out/corpus/<harness>/, which keeps growing across runs and is never committed.
# Crashes land in fuzz/out/artifacts/<harness>/, the full log in fuzz/out/logs/<harness>.log.
# Exit status: 0 when no run found anything, 1 otherwise.
set -eu
# UBSan reports with a stack trace (ASan does so by default).
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
    echo "usage: fuzz/run.sh HARNESS|all SECONDS [libFuzzer flags...]" >&2
    exit 2
fi
harness=$1
seconds=$2
shift 2
OUT=fuzz/out

if [ "$harness" = all ]; then
    set -- $(ls fuzz/fuzz_*.c | sed 's|fuzz/fuzz_||; s|\.c$||') -- "$@"
else
    set -- "$harness" -- "$@"
fi
harnesses=
while [ "$1" != -- ]; do
    harnesses="$harnesses $1"
    shift
done
shift

fuzz/build.sh $harnesses

max_len() {
    case $1 in
    request) echo 256 ;;
    http) echo 600 ;;
    csv) echo 4096 ;;
    photo) echo 4096 ;;
    display) echo 2048 ;;
    live) echo 600 ;;
    signals) echo 4096 ;;
    mark_fast) echo 4096 ;;
    *) echo 8192 ;;
    esac
}

status=0
summary=
for h in $harnesses; do
    corpus=$OUT/corpus/$h
    artifacts=$OUT/artifacts/$h
    log=$OUT/logs/$h.log
    mkdir -p "$corpus" "$artifacts" "$OUT/logs"
    if [ -d "fuzz/corpus/$h" ]; then
        cp -n fuzz/corpus/"$h"/* "$corpus"/ 2>/dev/null || true
    fi
    dict=
    [ -f "fuzz/$h.dict" ] && dict=-dict=fuzz/$h.dict
    before=$(ls "$artifacts" | wc -l)
    echo "== fuzz $h for ${seconds}s (log: $log)"
    rc=0
    "$OUT/fuzz_$h" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
        -rss_limit_mb=2048 -max_len="$(max_len "$h")" -artifact_prefix="$artifacts/" \
        $dict "$@" "$corpus" >"$log" 2>&1 || rc=$?
    after=$(ls "$artifacts" | wc -l)
    crashes=$((after - before))
    last=$(grep -E '^#[0-9]+' "$log" | grep 'cov:' | tail -n 1 || true)
    cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    line=$(printf '%-12s %7ss %10s runs %8s exec/s  cov %6s  ft %7s  corpus %6s  crashes %s' \
        "$h" "$seconds" "${runs:-?}" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crashes")
    echo "$line"
    summary="$summary$line
"
    if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
        status=1
        echo "   libFuzzer exited $rc; new artifacts:" >&2
        ls -t "$artifacts" | head -n "$((crashes > 0 ? crashes : 1))" | sed "s|^|   $artifacts/|" >&2
        grep -E 'ERROR|runtime error|invariant broken|SUMMARY' "$log" | head -n 5 | sed 's/^/   /' >&2
    fi
done
if [ "$(echo "$harnesses" | wc -w)" -gt 1 ]; then
    echo "== summary"
    printf '%s' "$summary"
fi
exit $status
