#!/bin/sh
# Builds and runs bench/standings_bench.c (order-statistic trees vs a full re-sort), and
# against Redis sorted sets when redis-server and hiredis are installed (JX_NO_REDIS=1 skips).
# JX_BENCH_CFLAGS adds compiler flags, e.g. "-DCONTESTANTS=1000 -DUPDATES=300000" or
# "-DOSTREE_LEAF_BYTES=2048".
set -eu
cd "$(dirname "$0")/.."

bin=${TMPDIR:-/tmp}/jx_standings_bench
tree=src/core/ostree.c
port=${JX_REDIS_PORT:-16379}
flags="-std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
       -D_GNU_SOURCE -Isrc ${JX_BENCH_CFLAGS:-}"

use_redis=no
if [ "${JX_NO_REDIS:-0}" != 1 ] && command -v redis-server >/dev/null &&
   command -v redis-cli >/dev/null && [ -f /usr/include/hiredis/hiredis.h ]; then
    use_redis=yes
fi

if [ $use_redis = yes ]; then
    # shellcheck disable=SC2086
    cc $flags -DHAVE_HIREDIS bench/standings_bench.c "$tree" -lhiredis -o "$bin"
else
    echo "(Redis comparison skipped: needs redis-server, redis-cli and libhiredis-dev)"
    # shellcheck disable=SC2086
    cc $flags bench/standings_bench.c "$tree" -o "$bin"
    exec "$bin"
fi

if redis-cli -p "$port" ping >/dev/null 2>&1; then
    echo "port $port is already in use; set JX_REDIS_PORT" >&2
    exit 1
fi
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no --loglevel warning >/dev/null &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
tries=0
until redis-cli -p "$port" ping >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ $tries -lt 50 ] || { echo "redis-server did not start" >&2; exit 1; }
    sleep 0.1
done
echo "redis: $(redis-server --version | cut -d' ' -f1-3), loopback port $port, no persistence"
"$bin" "$port"
