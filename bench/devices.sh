#!/bin/sh
# Device signals end to end (docs/devices.md): from an MQTT publish (QoS 1) to the
# `standings` event on the live stream (docs/live.md). Prints signals/s and p50/p99
# latency at 77 stations x 10 Hz and at 1,000 stations at rising rates, and whether any
# signal was lost: published and acknowledged by the broker against the server's own
# counts (received = applied + refused + duplicate, from GET …/devices). Baseline in the
# same run: the same readings posted as marks over HTTP (POST …/marks, one mark per
# request, the same auto criterion), timed to the same stream, to show what MQTT adds.
#
#   bench/devices.sh                                    # the full run, about 4 minutes
#   JX_DEV_RATES_1000="1000 10000" JX_DEV_SECONDS=5 bench/devices.sh   # a quick look
#   JX_DEV_BASELINE=0 bench/devices.sh                  # MQTT only
#   JX_DEV_CONNS=8 bench/devices.sh                     # publisher connections (default 4)
#   JX_DEV_HTTP_CONNS=16 bench/devices.sh               # baseline's HTTP connections (default 64)
#   JX_DEV_BIN=/path/to/jiangxing bench/devices.sh      # that binary, no `make`
#
# Each series (77 or 1,000 stations; MQTT or HTTP) runs on a fresh database: the demo's
# accounts (for admin) plus a competition of our own, bench-dev-N, posted with
# POST /api/v1/competitions: N contestants c0000… at unique stations st-0000…, 3 groups,
# 2 venues, a manual module M and a module Q whose one criterion Q1 is `auto` with a
# thresholds rule on cell.cycle_s (≤ 30 → 4, ≤ 36 → 2). Nobody marks Q1 by hand, so every
# signal is applied (no `overridden`). The rates of a series run one after the other on
# the same server; the first sends one untimed signal per station first (bench/mqtt_load.c
# explains the timing). A private mosquitto (scripts/broker.sh, dynamic security) runs in
# a temporary directory; the load publishes as the broker's administrator, over
# JX_DEV_CONNS connections, not one account per station. Everything started here is
# stopped by PID (the broker through its pid file). The load generator shares the
# machine's cores with the broker and the server. Results: bench/README.md.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)

rate77=${JX_DEV_RATE_77:-770}
rates1000=${JX_DEV_RATES_1000:-"1000 2000 5000 10000"}
seconds=${JX_DEV_SECONDS:-10}
seconds77=${JX_DEV_SECONDS_77:-20}
conns=${JX_DEV_CONNS:-4}
http_conns=${JX_DEV_HTTP_CONNS:-64}
baseline=${JX_DEV_BASELINE:-1}
port=${JX_DEV_PORT:-18491}
bport=${JX_DEV_BROKER_PORT:-18492}
admin_password=bench-admin-pw-1
flags="-std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
       -D_GNU_SOURCE"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jx-devices.XXXXXX")
server_pid=
broker_up=
stop_pid() { # stop_pid PID: TERM, wait, KILL if it hangs
    [ -n "$1" ] || return 0
    kill "$1" 2>/dev/null || return 0
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
cleanup() {
    stop_pid "$server_pid"
    [ -z "$broker_up" ] || scripts/broker.sh stop "$tmp/broker" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

jx=${JX_DEV_BIN:-}
if [ -z "$jx" ]; then
    echo "== building (make in $root)"
    make -s build/jiangxing >/dev/null
    jx=$root/build/jiangxing
fi
echo "== server binary: $jx"
# shellcheck disable=SC2086
cc $flags bench/mqtt_load.c -o "$tmp/mqtt_load" -lmosquitto -ljansson -lpthread
# shellcheck disable=SC2086
cc $flags -Isrc bench/baseline_txn.c -o "$tmp/baseline_txn" $(pkg-config --cflags --libs sqlite3 libsodium) -lpthread
probe_before=$("$tmp/baseline_txn" --fsync-probe "$tmp/probe.bin")

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
     "load average $(cut -d' ' -f1-3 /proc/loadavg); mosquitto $(dpkg-query -W -f '${Version}' mosquitto 2>/dev/null || echo '?')"
# run as root, mosquitto drops to the user mosquitto, which must reach its directory
chmod 711 "$tmp"
broker_up=1
scripts/broker.sh start "$tmp/broker" "$bport" >"$tmp/broker.out" 2>&1 ||
    { sed 's/^/   /' "$tmp/broker.out"; exit 1; }
sed 's/^/   /' "$tmp/broker.out"
broker_pid=$(cat "$tmp/broker/mosquitto.pid")
JIANGXING_ADMIN_PASSWORD=$admin_password JIANGXING_DEMO_PASSWORD=bench-demo-pw-1 \
    "$jx" demo --db "$tmp/template.db" >/dev/null

# competition N: the competition file bench-dev-N (see the top of this file)
competition() {
    awk -v n="$1" 'BEGIN {
        printf "{\"format\":\"jiangxing.competition/1\",\"id\":\"bench-dev-%d\",", n
        printf "\"title\":\"devices bench, %d stations\",", n
        printf "\"groups\":[{\"id\":\"g1\",\"name\":\"G1\"},{\"id\":\"g2\",\"name\":\"G2\"},{\"id\":\"g3\",\"name\":\"G3\"}],"
        printf "\"venues\":[{\"id\":\"v1\",\"name\":\"V1\"},{\"id\":\"v2\",\"name\":\"V2\"}],"
        printf "\"components\":[{\"id\":\"p\",\"name\":\"P\",\"weight\":1}],"
        printf "\"modules\":[{\"id\":\"M\",\"name\":\"manual\",\"component\":\"p\",\"criteria\":["
        printf "{\"id\":\"M1\",\"kind\":\"measurement\",\"max\":10}]},"
        printf "{\"id\":\"Q\",\"name\":\"cycle\",\"component\":\"p\",\"criteria\":["
        printf "{\"id\":\"Q1\",\"name\":\"cycle time\",\"kind\":\"auto\",\"max\":4,\"rule\":{\"type\":\"thresholds\","
        printf "\"signal\":\"cell.cycle_s\",\"better\":\"lower\",\"steps\":[{\"limit\":30,\"score\":4},"
        printf "{\"limit\":36,\"score\":2}]}}]}],"
        printf "\"ranking\":{\"tiebreak\":[\"module:Q\"],\"award_scope\":\"group\",\"awards\":"
        printf "[{\"name\":\"first\",\"ratio\":0.1},{\"name\":\"second\",\"ratio\":0.2}]},"
        printf "\"contestants\":["
        for (i = 0; i < n; i++)
            printf "%s{\"id\":\"c%04d\",\"name\":\"C%d\",\"group\":\"g%d\",\"venue\":\"v%d\",\"station\":\"st-%04d\"}",
                (i ? "," : ""), i, i, i % 3 + 1, i % 2 + 1, i
        printf "]}\n"
    }'
}

cpu_ticks() { # user + system clock ticks of PID
    cut -d')' -f2 "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}
hz=$(getconf CLK_TCK)
now_s() { awk '{ print $1 }' /proc/uptime; }
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }
# count NAME JSON: a device count (0 when absent)
count() { printf '%s' "$2" | sed -n "s/.*\"counts\": *{[^}]*\"$1\": *\([0-9]*\).*/\1/p" | grep . || echo 0; }

start_server() { # a fresh copy of the demo database, serve with the gateway, login, our competition
    rm -f "$tmp"/run.db* "$tmp/serve.log"
    cp "$tmp/template.db" "$tmp/run.db"
    "$jx" serve --db "$tmp/run.db" --listen "127.0.0.1:$port" --mqtt "127.0.0.1:$bport" \
        --mqtt-secret "$tmp/broker/admin.secret" >"$tmp/serve.log" 2>&1 &
    server_pid=$!
    tries=0
    until grep -q "listening to devices" "$tmp/serve.log" 2>/dev/null; do
        tries=$((tries + 1))
        if [ $tries -gt 100 ] || ! kill -0 "$server_pid" 2>/dev/null; then
            echo "the server did not start (or did not reach the broker):" >&2
            cat "$tmp/serve.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    answer=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/login" -H 'Content-Type: application/json' \
        -d "{\"username\":\"admin\",\"password\":\"$admin_password\"}")
    token=$(printf '%s' "$answer" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
    [ -n "$token" ] || { echo "login failed: $answer" >&2; exit 1; }
    comp=bench-dev-$1
    competition "$1" >"$tmp/comp.json"
    curl -sf -X POST "http://127.0.0.1:$port/api/v1/competitions" -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' --data-binary @"$tmp/comp.json" >/dev/null ||
        { echo "posting the competition failed" >&2; exit 1; }
    curl -sf -X POST "http://127.0.0.1:$port/api/v1/competitions/$comp/publish" \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d '{"published":true}' >/dev/null
}
devices_json() {
    curl -s "http://127.0.0.1:$port/api/v1/competitions/$comp/devices" -H "Authorization: Bearer $token"
}

results=$tmp/results.txt
: >"$results"
# series MODE STATIONS SECONDS RATES...: one server, the rates in turn
series() {
    mode=$1 n=$2 secs=$3
    shift 3
    start_server "$n"
    warm=--warmup
    for rate in "$@"; do
        echo "== $mode: $n stations, $rate signals/s for $secs s"
        before=$(devices_json)
        c0=$(cpu_ticks "$server_pid")
        b0=$(cpu_ticks "$broker_pid")
        blog0=$(wc -l <"$tmp/broker/mosquitto.log")
        t0=$(now_s)
        if [ "$mode" = mqtt ]; then
            "$tmp/mqtt_load" mqtt --port "$bport" --secret "$tmp/broker/admin.secret" --http-port "$port" \
                --competition "$comp" --stations "$n" --rate "$rate" --seconds "$secs" --conns "$conns" \
                $warm >"$tmp/load.txt" 2>"$tmp/load.err" || { cat "$tmp/load.err" >&2; exit 1; }
        else
            "$tmp/mqtt_load" http --token "$token" --http-port "$port" --competition "$comp" \
                --stations "$n" --rate "$rate" --seconds "$secs" --conns "$http_conns" \
                $warm >"$tmp/load.txt" 2>"$tmp/load.err" || { cat "$tmp/load.err" >&2; exit 1; }
        fi
        c1=$(cpu_ticks "$server_pid")
        b1=$(cpu_ticks "$broker_pid")
        t1=$(now_s)
        # the gateway may still be working through its queue: wait until its counts settle
        after=$(devices_json)
        i=0
        while [ $i -lt 20 ]; do
            sleep 0.5
            again=$(devices_json)
            [ "$(count received "$again")" = "$(count received "$after")" ] && break
            after=$again
            i=$((i + 1))
        done
        line=$(grep '^RESULT' "$tmp/load.txt")
        head -3 "$tmp/load.err" | sed 's/^/   load: /'
        srv=$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" 'BEGIN { printf "%.0f", 100 * (b - a) / hz / (t1 - t0) }')
        brk=$(awk -v a="$b0" -v b="$b1" -v t0="$t0" -v t1="$t1" -v hz="$hz" 'BEGIN { printf "%.0f", 100 * (b - a) / hz / (t1 - t0) }')
        d=""
        for k in received applied refused duplicate heartbeat; do
            d="$d $k=$(($(count "$k" "$after") - $(count "$k" "$before")))"
        done
        [ "$warm" = --warmup ] && [ "$mode" = mqtt ] && d="$d warmup=$n"
        echo "   $(echo "$line" | cut -d' ' -f2-)"
        echo "   server counts (this run):$d; server CPU $srv%, broker CPU $brk% of a core (over $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)"
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "   THE SERVER DIED; its log:"
            tail -20 "$tmp/serve.log" | sed 's/^/     /'
            exit 1
        fi
        # the broker drops QoS 1 messages for a subscriber whose queue is full (mosquitto's
        # max_queued_messages, 1000 by default) and says so once in its log
        tail -n +"$((blog0 + 1))" "$tmp/broker/mosquitto.log" | grep -i -e drop -e 'exceeded' | head -3 |
            sed 's/^/   broker log: /'
        echo "$line$d srv_cpu=$srv broker_cpu=$brk" >>"$results"
        warm=
    done
    if grep -v -e '^jiangxing: serving' -e '^jiangxing: listening to devices' -e 'competitions, log at event' "$tmp/serve.log" | grep -q .; then
        echo "   server log:"
        grep -v -e '^jiangxing: serving' -e '^jiangxing: listening to devices' -e 'competitions, log at event' "$tmp/serve.log" | tail -5 | sed 's/^/     /'
    fi
    stop_pid "$server_pid"
    server_pid=
}

series mqtt 77 "$seconds77" "$rate77"
[ "$baseline" = 1 ] && series http 77 "$seconds77" "$rate77"
# shellcheck disable=SC2086
series mqtt 1000 "$seconds" $rates1000
# shellcheck disable=SC2086
[ "$baseline" = 1 ] && series http 1000 "$seconds" $rates1000

echo
echo "Devices (MQTT) end to end, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores shared by broker, server"
echo "and load generator (load average now $(cut -d' ' -f1-3 /proc/loadavg)); $conns MQTT publisher connections,"
echo "$http_conns HTTP connections for the baseline (pipelined, one mark per request)."
echo "latency = send (just before mosquitto_publish / the POST's write) -> the standings frame read on"
echo "the live stream; ->at = send -> the frame's \"at\" (server built it), at-> = \"at\" -> read (1 ms steps)."
echo "sent/acked = published / PUBACKs (HTTP: requests / 200 answers); recv appl ref dup = the server's"
echo "device counts over the run, less the warm-up (HTTP: none); miss = acked - (appl + ref + dup);"
echo "frames = sends answered by a standings frame on the stream. srv/brk/cli = CPU % of one core of the"
echo "server, the broker and the load generator (publisher + stream reader) during the run."
printf '%-4s %5s %6s | %6s %6s %6s | %7s %7s %8s %8s | %7s %7s | %6s %6s %6s %4s %4s %4s %6s | %4s %4s %4s\n' \
    mode stns rate sent/s ans/s lag_ms p50_ms p99_ms p999_ms max_ms "->at99" "at->99" \
    sent acked appl ref dup miss frames srv brk cli
while read -r line; do
    mode=$(field mode "$line")
    sent=$(field sent "$line")
    if [ "$mode" = mqtt ]; then
        w=$(field warmup "$line" | grep . || echo 0)
        ack=$(field acked "$line")
        appl=$(($(field applied "$line") - w))
        ref=$(field refused "$line") dup=$(field duplicate "$line")
        miss=$((ack - appl - ref - dup))
    else
        ack=$(field http_ok "$line") appl=- ref=- dup=- miss=-
    fi
    printf '%-4s %5s %6s | %6s %6s %6s | %7s %7s %8s %8s | %7s %7s | %6s %6s %6s %4s %4s %4s %6s | %4s %4s %4s\n' \
        "$mode" "$(field stations "$line")" "$(field rate "$line")" "$(field send_rate "$line")" \
        "$(field answered_per_s "$line")" "$(field lag_ms "$line")" "$(field p50_ms "$line")" \
        "$(field p99_ms "$line")" "$(field p999_ms "$line")" "$(field max_ms "$line")" \
        "$(field at_p99_ms "$line")" "$(field recv_p99_ms "$line")" "$sent" "$ack" "$appl" "$ref" "$dup" \
        "$miss" "$(field matched "$line")" "$(field srv_cpu "$line")" \
        "$(field broker_cpu "$line")" "$(field client_cpu "$line")"
done <"$results"
echo "(unmatched frames, resets, seq gaps, never-answered sends and stream drops are in the lines above.)"
echo "disk before: $probe_before"
echo "disk after:  $("$tmp/baseline_txn" --fsync-probe "$tmp/probe.bin")"
echo "target: p99 <= 50 ms at 10,000 signals/s, no signal lost"
