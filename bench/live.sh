#!/bin/sh
# The live stream (docs/live.md) under load: N Server-Sent Events clients on
# GET /api/v1/competitions/{id}/live while marks are committed at a steady rate.
# Prints, for Jiangxing and for an nginx + nchan baseline fed the same frames:
# delivered messages/s, delivery latency from commit ("at" in the standings data) to
# receipt (p50/p99/max), and server memory per idle connection. Then, on Jiangxing
# only, the viewers' latency while one client floods likes at 1,000/s.
#
#   bench/live.sh                                   # 10,000 and 50,000 clients
#   JX_LIVE_CLIENTS=2000 JX_LIVE_SECONDS=5 bench/live.sh   # a quick look
#   JX_LIVE_RATE=5 bench/live.sh                    # 5 marks/s instead of 20
#   JX_LIVE_BASELINE=0 bench/live.sh                # Jiangxing only (no nginx)
#   JX_LIVE_NGINX_WORKERS=2 bench/live.sh           # nginx with 2 workers (default 1,
#                                                   # like Jiangxing's one HTTP loop;
#                                                   # raised when the clients need more)
#   JX_LIVE_STREAM_WORKERS=3 bench/live.sh          # serve --stream-workers 3 (default:
#                                                   # enough for the clients, >= the cores)
#   JX_LIVE_PER_LISTENER=1000 bench/live.sh         # at most 1,000 connections per
#                                                   # listener process (default: the file
#                                                   # limit - 1,000)
#   JX_LIVE_FLOOD=0 bench/live.sh                   # skip the like flood (it runs at the
#   JX_LIVE_FLOOD=all bench/live.sh                 # first client count; or at every one)
#   JX_LIVE_OVERLOAD=0 bench/live.sh                # skip the probe past the file limit
#   JX_LIVE_BIN=/path/to/jiangxing bench/live.sh    # that binary, no `make`
#
# The baseline: bench/live-nchan.conf (nginx started in the foreground by this script,
# on loopback). bench/sse_client relay holds one Jiangxing stream and POSTs the data of
# every standings frame to nchan's publisher, "at" re-stamped with the moment of the POST
# (same width, same bytes), so nchan's latency runs from publish to receipt as Jiangxing's
# runs from commit to receipt. The marks are the same for both: bench/sse_client post.
#
# Open files are limited per process (ulimit -n, raised to the hard limit here), so the
# clients are held by several listener processes, each with its own loopback source
# addresses, and their reports are merged (counts summed, latency histograms joined).
# Jiangxing gets serve --stream-workers W when its --help offers it (W from
# JX_LIVE_STREAM_WORKERS, default enough workers for the clients); without that option a
# server is one process and client counts are capped to what one process may open, with a
# note. nginx gets as many workers as the clients need. Memory and CPU are summed over the
# server process and its children (the stream workers; nginx's master and workers).
# Installs nginx and libnginx-mod-nchan with apt-get when missing (root). Everything
# started here is stopped by PID. The load client shares the machine's cores with the
# server it measures. Results: bench/README.md.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)

clients_list=${JX_LIVE_CLIENTS:-"10000 50000"}
rate=${JX_LIVE_RATE:-20}
seconds=${JX_LIVE_SECONDS:-20}
flood=${JX_LIVE_FLOOD:-1}
flood_rate=${JX_LIVE_FLOOD_RATE:-1000}
flood_seconds=${JX_LIVE_FLOOD_SECONDS:-10}
baseline=${JX_LIVE_BASELINE:-1}
overload=${JX_LIVE_OVERLOAD:-1}
workers=${JX_LIVE_NGINX_WORKERS:-1}    # nginx workers (at least; raised when needed)
port=${JX_LIVE_PORT:-18481}
nchan_port=${JX_LIVE_NCHAN_PORT:-18482}
per_source=${JX_LIVE_PER_SOURCE:-20000} # connections per loopback source address
drain_max=${JX_LIVE_DRAIN_MAX:-10}      # seconds to wait for late deliveries
competition=irom-final-2026
admin_password=bench-admin-pw-1
flags="-std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
       -D_GNU_SOURCE"

# Each process needs a descriptor per connection. Raise the limit; where the hard limit
# cannot be raised (no CAP_SYS_RESOURCE, as in this project's sandbox), one process can
# hold at most about the hard limit. The clients are then split over several listener
# processes; a server that is one process is capped (see below).
max_clients=0
for n in $clients_list; do [ "$n" -gt "$max_clients" ] && max_clients=$n; done
want=$((max_clients + 1000))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want" ]; then
    ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi
nofile=$(ulimit -n)
[ "$nofile" = unlimited ] && nofile=1048576
cap=$((nofile - 250))        # streams of one server process: its own files, the poster's
                             # and flooder's connections aside
per_process=$((nofile - 1000)) # streams per stream worker / nginx worker when sizing them
[ "$per_process" -ge 1000 ] || per_process=$cap
per_listener=${JX_LIVE_PER_LISTENER:-$per_process} # connections per listener process
[ "$per_listener" -ge 1 ] || { echo "JX_LIVE_PER_LISTENER must be >= 1" >&2; exit 2; }
if [ "$per_listener" -gt "$((nofile - 50))" ]; then
    echo "== NOTE: JX_LIVE_PER_LISTENER=$per_listener is above the file limit; using $((nofile - 50))"
    per_listener=$((nofile - 50))
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jx-live.XXXXXX")
server_pid=
server_kids=
listener_pids=
relay_pid=
nginx_pid=
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
stop_all() {
    for p in $listener_pids; do stop_pid "$p"; done
    listener_pids=
    stop_pid "$relay_pid"
    relay_pid=
    stop_pid "$nginx_pid"
    nginx_pid=
    stop_server
}
cleanup() { stop_all; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

jx=${JX_LIVE_BIN:-}
if [ -z "$jx" ]; then
    echo "== building (make in $root)"
    make -s build/jiangxing >/dev/null
    jx=$root/build/jiangxing
fi
echo "== server binary: $jx"
# Stream worker processes (serve --stream-workers N), when this server has them
if timeout 10 "$jx" serve --help 2>&1 </dev/null | grep -q -e '--stream-workers'; then
    has_workers=1
    echo "== the server has --stream-workers: each worker holds streams under its own file limit"
else
    has_workers=0
    if [ "$max_clients" -gt "$cap" ]; then
        echo "== NOTE: this server has no --stream-workers, so it is one process, and open files are"
        echo "   limited to $nofile per process here (ulimit -Hn $(ulimit -Hn); raising it needs"
        echo "   CAP_SYS_RESOURCE). It can hold about $cap clients, so larger client counts are capped"
        echo "   to $cap for Jiangxing. See the overload probe at the end."
    fi
fi
# shellcheck disable=SC2086
cc $flags bench/sse_client.c -o "$tmp/sse_client"

if [ "$baseline" = 1 ] && { ! command -v nginx >/dev/null 2>&1 ||
    [ ! -f /usr/lib/nginx/modules/ngx_nchan_module.so ]; }; then
    echo "== installing nginx and libnginx-mod-nchan (apt-get)"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx libnginx-mod-nchan \
        >"$tmp/apt.log" 2>&1; then
        apt-get update -q >>"$tmp/apt.log" 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx libnginx-mod-nchan \
            >>"$tmp/apt.log" 2>&1 || { tail -5 "$tmp/apt.log"; echo "(no nginx: baseline skipped)"; baseline=0; }
    fi
fi

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
     "load average $(cut -d' ' -f1-3 /proc/loadavg), file limit $(ulimit -n)"
echo "== at most $per_listener connections per listener process"\
     "(JX_LIVE_PER_LISTENER), $per_source per loopback source address"
JIANGXING_ADMIN_PASSWORD=$admin_password JIANGXING_DEMO_PASSWORD=bench-demo-pw-1 \
    "$jx" demo --db "$tmp/template.db" >/dev/null

# mem_kb PID...: "PSS RSS" in kB, summed over the processes
mem_kb() {
    for p in "$@"; do cat "/proc/$p/smaps_rollup"; done 2>/dev/null |
        awk '/^Pss:/ { pss += $2 } /^Rss:/ { rss += $2 } END { printf "%d %d\n", pss, rss }'
}
# kernel_kb: slab + TCP socket buffers, machine-wide (both ends of every connection)
kernel_kb() {
    slab=$(awk '/^Slab:/ { print $2 }' /proc/meminfo)
    tcp=$(awk '/^TCP:/ { for (i = 1; i < NF; i++) if ($i == "mem") print $(i + 1) * 4 }' /proc/net/sockstat)
    echo $((slab + tcp))
}
# pid_tree PID: PID and its descendants (the stream workers are children of serve)
pid_tree() {
    tree=$1
    todo=$1
    while [ -n "$todo" ]; do
        next=
        for p in $todo; do
            kids=$(cat /proc/"$p"/task/*/children 2>/dev/null) || kids=$(ps -o pid= --ppid "$p") || true
            for k in $kids; do next="$next $k"; done
        done
        tree="$tree$next"
        todo=$next
    done
    printf '%s\n' "$tree"
}
server_pids() { pid_tree "$server_pid"; }
# cpu_ticks PID...: user + system clock ticks, summed
cpu_ticks() {
    for p in "$@"; do cut -d')' -f2 "/proc/$p/stat" 2>/dev/null; done | awk '{ t += $12 + $13 } END { print t + 0 }'
}
ticks_per_s=$(getconf CLK_TCK)
now_s() { awk '{ print $1 }' /proc/uptime; }

# wait_line REGEX FILE SECONDS: waits until FILE has a line matching REGEX; prints it
wait_line() {
    i=0
    while ! grep -q "$1" "$2" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt $(($3 * 10)) ]; then
            echo "(timed out waiting for '$1' in $2)" >&2
            cat "$2" >&2
            return 1
        fi
        sleep 0.1
    done
    grep "$1" "$2" | tail -1
}

# field NAME LINE: the value of NAME=... in a key=value line
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }

# start_server [FILE_LIMIT]: a fresh copy of the demo, serve, log in, publish; with
# --stream-workers $stream_workers when that is set
start_server() {
    rm -f "$tmp"/run.db* "$tmp/serve.log"
    cp "$tmp/template.db" "$tmp/run.db"
    (
        [ -z "${1:-}" ] || ulimit -n "$1"
        exec "$jx" serve --db "$tmp/run.db" --listen "127.0.0.1:$port" --web "$root/web" \
            ${stream_workers:+--stream-workers "$stream_workers"}
    ) >"$tmp/serve.log" 2>&1 &
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
    answer=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/login" -H 'Content-Type: application/json' \
        -d "{\"username\":\"admin\",\"password\":\"$admin_password\"}")
    token=$(printf '%s' "$answer" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
    [ -n "$token" ] || { echo "login failed: $answer" >&2; exit 1; }
    curl -sf -X POST "http://127.0.0.1:$port/api/v1/competitions/$competition/publish" \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d '{"published":true}' >/dev/null
    # the board once, so its first build is not counted as per-connection memory
    curl -sf "http://127.0.0.1:$port/api/v1/public/competitions/$competition/board" >/dev/null
}
# stop_server: serve, then any of its processes still running (stream workers)
stop_server() {
    [ -n "$server_pid" ] || return 0
    server_kids=$(pid_tree "$server_pid" | cut -s -d' ' -f2-)
    stop_pid "$server_pid"
    server_pid=
    for p in $server_kids; do stop_pid "$p"; done
    server_kids=
}

# start_nginx: with $nginx_workers workers
start_nginx() {
    sed -e "s|@WORKERS@|$nginx_workers|; s|@NOFILE@|$nofile|; s|@TMP@|$tmp|g" \
        -e "s|@CONNECTIONS@|$((nofile * 2))|; s|@PORT@|$nchan_port|" \
        bench/live-nchan.conf >"$tmp/nginx.conf"
    rm -f "$tmp/nginx-error.log"
    nginx -c "$tmp/nginx.conf" -p "$tmp" -e "$tmp/nginx-error.log" >"$tmp/nginx.out" 2>&1 &
    nginx_pid=$!
    tries=0
    until curl -s -o /dev/null "http://127.0.0.1:$nchan_port/pub"; do
        tries=$((tries + 1))
        if [ $tries -gt 100 ] || ! kill -0 "$nginx_pid" 2>/dev/null; then
            echo "nginx did not start:" >&2
            cat "$tmp/nginx.out" "$tmp/nginx-error.log" >&2 || true
            exit 1
        fi
        sleep 0.1
    done
}
nginx_pids() { echo "$nginx_pid $(ps -o pid= --ppid "$nginx_pid" | tr '\n' ' ')"; }

# start_listener N PORT PATH [TIMEOUT [PARALLEL]]: N SSE clients, split over as many
# listener processes as $per_listener allows, each with its own loopback source addresses
# (127.0.0.2 on, $per_source connections per address) and its own command FIFO
# ($tmp/ctl.I). PARALLEL connection attempts at a time, shared among them.
start_listener() {
    rm -f "$tmp"/ctl.* "$tmp"/listener.*.out "$tmp"/hist.*
    nlisteners=$((($1 + per_listener - 1) / per_listener))
    parallel=$(((${5:-200} + nlisteners - 1) / nlisteners))
    listener_pids=
    first=2 # 127.0.0.2: the first source address (from 127.0.0.1, the servers' address)
    left=$1
    i=0
    while [ $i -lt "$nlisteners" ]; do
        conns=$((left / (nlisteners - i)))
        left=$((left - conns))
        sources=$(((conns + per_source - 1) / per_source))
        mkfifo "$tmp/ctl.$i"
        "$tmp/sse_client" listen --port "$2" --path "$3" --conns "$conns" --sources "$sources" \
            --first-address "127.$((first >> 16 & 255)).$((first >> 8 & 255)).$((first & 255))" \
            --control "$tmp/ctl.$i" --hist "$tmp/hist.$i" --timeout "${4:-30}" --parallel "$parallel" \
            </dev/null >"$tmp/listener.$i.out" 2>&1 &
        listener_pids="$listener_pids $!"
        first=$((first + sources))
        i=$((i + 1))
    done
    lines=
    i=0
    while [ $i -lt "$nlisteners" ]; do
        lines="$lines$(wait_line '^READY' "$tmp/listener.$i.out" 240)
"
        i=$((i + 1))
    done
    ready=$(combine READY "$lines")
    echo "   $(echo "$ready" | cut -d' ' -f2-) ($nlisteners listener process(es)," \
         "$((first - 2)) source addresses)"
}
# tell I COMMAND: one command line to listener I (its FIFO is opened read-write, so this
# never blocks, even if the listener is gone)
tell() {
    printf '%s\n' "$2" 1<>"$tmp/ctl.$1"
}
# tell_all COMMAND: to every listener
tell_all() {
    i=0
    for p in $listener_pids; do
        tell $i "$1"
        i=$((i + 1))
    done
}
# combine PREFIX LINES: the listeners' PREFIX lines as one line of the same form. Counts
# are summed; secs, last_s and frames are the largest (each listener sees the frames in
# order); first_error the first one; client_cpu the sum (% of one core). The latencies
# (p50/p90/p99/max/mean/samples) come from the listeners' histograms merged bucket by
# bucket when the lines are RESULT lines.
combine() {
    merged=
    if [ "$1" = RESULT ]; then
        i=0
        hists=
        for p in $listener_pids; do
            hists="$hists $tmp/hist.$i"
            i=$((i + 1))
        done
        # shellcheck disable=SC2086
        merged=$("$tmp/sse_client" merge $hists)
    fi
    printf '%s\n' "$2" | awk -v prefix="$1" -v merged="$merged" '
        function num(x, as) { return as ~ /^-?[0-9]+$/ ? sprintf("%.0f", x) : sprintf("%.1f", x) }
        $1 != prefix { next }
        {
            for (i = 2; i <= NF; i++) {
                if ($i !~ /=/) { tag = $i; continue }
                k = $i
                sub(/=.*/, "", k)
                v = substr($i, length(k) + 2)
                if (!(k in val)) { order[++nk] = k; val[k] = v; continue }
                if (k == "first_error") { if (val[k] == "none") val[k] = v }
                else if (k == "secs" || k == "last_s" || k == "frames" || k == "max_ms") {
                    if (v + 0 > val[k] + 0) val[k] = v
                }
                else if (k == "client_cpu") val[k] = sprintf("%.0f%%", val[k] + v)
                else val[k] = num(val[k] + v, v)
            }
        }
        END {
            n = split(merged, m, " ")
            for (j = 1; j <= n; j++) {
                k = m[j]
                sub(/=.*/, "", k)
                val[k] = substr(m[j], length(k) + 2)
            }
            if ("msgs_per_s" in val) val["msgs_per_s"] = val["secs"] > 0 ? sprintf("%.0f", val["msgs"] / val["secs"]) : 0
            if ("expected" in val) val["expected"] = sprintf("%.0f", val["frames"] * val["open"])
            line = prefix (tag != "" ? " " tag : "")
            for (j = 1; j <= nk; j++) line = line " " order[j] "=" val[order[j]]
            print line
        }'
}
echo 0 >"$tmp/ask_seq"
# ask COMMAND PREFIX: sends "COMMAND TAG" to every listener and prints their answers as
# one line (see combine). TAG is new each time: ask runs in $(...), so the count is kept in
# a file (a variable would not outlive the subshell, and an old answer would match).
ask() {
    ask_seq=$(($(cat "$tmp/ask_seq") + 1))
    echo "$ask_seq" >"$tmp/ask_seq"
    tell_all "$1 q$ask_seq"
    lines=
    i=0
    for p in $listener_pids; do
        lines="$lines$(wait_line "^$2 q$ask_seq " "$tmp/listener.$i.out" 60)
"
        i=$((i + 1))
    done
    combine "$2" "$lines"
}
# stop_listeners: quit, and wait for every listener to end (TERM, then KILL, after 10 s)
stop_listeners() {
    tell_all quit
    for p in $listener_pids; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        stop_pid "$p"
    done
    listener_pids=
}
# settle WANT_SNAPSHOTS: waits until every client has its snapshot (when asked) and no
# byte has arrived for a second
settle() {
    last=-1
    i=0
    while [ $i -lt 120 ]; do
        st=$(ask status STATUS)
        bytes=$(field bytes "$st")
        if [ "$bytes" = "$last" ] && { [ "$1" = 0 ] || [ "$(field snapshots "$st")" -ge "$(field open "$st")" ]; }; then
            break
        fi
        last=$bytes
        sleep 1
        i=$((i + 1))
    done
}
# measure LABEL PIDS: one window of marks at $rate/s; the listener's report after the
# deliveries stop (up to 60 s after the last mark). Extra load may run meanwhile.
measure() {
    label=$1
    shift
    tell_all begin
    c0=$(cpu_ticks "$@")
    t0=$(now_s)
    "$tmp/sse_client" post --port "$port" --token "$token" --rate "$rate" --seconds "$window" \
        --conns 16 --pipeline 64 --prefix "$label" >"$tmp/post-$label.txt"
    c1=$(cpu_ticks "$@")
    t1=$(now_s)
    during=$(ask report RESULT)
    # deliveries go on after the last mark when the server is behind: wait until nothing
    # has arrived for 3 s (at most $drain_max s)
    last=-1
    still=0
    i=0
    while [ $i -lt "$drain_max" ] && [ $still -lt 3 ]; do
        sleep 1
        rep=$(ask report RESULT)
        msgs=$(field msgs "$rep")
        if [ "$msgs" = "$last" ]; then still=$((still + 1)); else still=0; fi
        last=$msgs
        i=$((i + 1))
    done
    server_cpu=$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" -v hz="$ticks_per_s" \
        'BEGIN { printf "%.0f", 100 * (b - a) / hz / (t1 - t0) }')
    echo "   marks: $(cut -d' ' -f2- "$tmp/post-$label.txt")"
    echo "   while posting: $(echo "$during" | cut -d' ' -f3-)"
    echo "   after draining: $(echo "$rep" | cut -d' ' -f3-)"
    echo "   server CPU while posting: $server_cpu% of a core"
}

results="$tmp/results.txt"
: >"$results"
capped=
for asked in $clients_list; do
    # Jiangxing: stream workers when it has them (each under its own file limit), else one
    # process, capped
    if [ "$has_workers" = 1 ]; then
        stream_workers=${JX_LIVE_STREAM_WORKERS:-$(((asked + per_process - 1) / per_process))}
        [ -n "${JX_LIVE_STREAM_WORKERS:-}" ] || [ "$stream_workers" -ge "$(nproc)" ] || stream_workers=$(nproc)
        jx_cap=$((stream_workers * cap))
        jx_label="Jiangxing/${stream_workers}w"
    else
        stream_workers=
        jx_cap=$cap
        jx_label=Jiangxing
    fi
    n=$asked
    if [ "$n" -gt "$jx_cap" ]; then
        n=$jx_cap
        capped="$capped $asked->$n(Jiangxing)"
    fi
    window=$seconds
    echo "== Jiangxing${stream_workers:+ with $stream_workers stream workers}: $n clients$([ "$n" != "$asked" ] && echo " ($asked asked, capped)"), $rate marks/s for $window s"
    start_server
    # shellcheck disable=SC2046
    read -r pss0 rss0 <<EOF
$(mem_kb $(server_pids))
EOF
    k0=$(kernel_kb)
    start_listener "$n" "$port" "/api/v1/competitions/$competition/live"
    ready_line=$ready
    settle 1
    sleep 1
    jx_pids=$(server_pids)
    # shellcheck disable=SC2086
    read -r pss1 rss1 <<EOF
$(mem_kb $jx_pids)
EOF
    k1=$(kernel_kb)
    idle=$(ask status STATUS)
    open=$(field open "$idle")
    echo "   idle: $(echo "$idle" | cut -d' ' -f3-)"
    echo "   server memory ($(echo "$jx_pids" | wc -w) process(es): serve and its children): PSS $pss0 -> $pss1 kB," \
         "RSS $rss0 -> $rss1 kB; kernel slab + TCP buffers $k0 -> $k1 kB (machine-wide)"
    # shellcheck disable=SC2086
    measure "jx$n" $jx_pids
    # shellcheck disable=SC2046
    read -r pss_t rss_t <<EOF
$(mem_kb $(server_pids))
EOF
    echo "   server memory after the marks, clients still connected: PSS $pss_t kB, RSS $rss_t kB" \
         "($(awk -v a="$pss0" -v b="$pss_t" -v n="$open" 'BEGIN { printf "%.1f", (b - a) / n }') KB per client)"
    steady_post=$(grep '^RESULT' "$tmp/post-jx$n.txt")
    steady=$rep
    steady_during=$during
    steady_cpu=$server_cpu
    flood_line="-"
    flood_rep="-"
    if [ "$flood" = all ] || { [ "$flood" = 1 ] && [ "$asked" = "$(echo $clients_list | cut -d' ' -f1)" ]; }; then
        window=$flood_seconds
        echo "== Jiangxing: $n clients, the same marks, and one client posting $flood_rate likes/s for $window s"
        "$tmp/sse_client" flood --port "$port" --rate "$flood_rate" --seconds "$window" --conns 16 --pipeline 1024 \
            >"$tmp/flood.txt" 2>&1 &
        flood_pid=$!
        # shellcheck disable=SC2046
        measure "fl$n" $(server_pids)
        wait "$flood_pid" || true
        flood_line=$(grep '^RESULT' "$tmp/flood.txt" || echo "-")
        flood_rep=$rep
        echo "   likes: $(echo "$flood_line" | cut -d' ' -f2-)"
    fi
    final=$(ask status STATUS)
    stop_listeners
    sleep 1
    alive=yes
    kill -0 "$server_pid" 2>/dev/null || alive="NO (it died)"
    # shellcheck disable=SC2046
    read -r pss2 rss2 <<EOF
$(mem_kb $(server_pids))
EOF
    echo "   after the clients left: server PSS $pss2 kB, RSS $rss2 kB, running: $alive"
    if grep -v -e '^jiangxing: serving' "$tmp/serve.log" | grep -q .; then
        echo "   server log:"
        grep -v -e '^jiangxing: serving' "$tmp/serve.log" | tail -5 | sed 's/^/     /'
    fi
    stop_server
    echo "jx $n $open $(field secs "$ready_line") $pss0 $pss1 $rss0 $rss1 $k0 $k1 $steady_cpu $jx_label" \
         "| $steady | $steady_during | $final | $flood_rep | $flood_line | $steady_post" >>"$results"

    [ "$baseline" = 1 ] || continue
    # nginx: each worker has its own file limit; as many workers as the clients need
    nginx_workers=$(((asked + per_process - 1) / per_process))
    if [ "$nginx_workers" -gt "$workers" ]; then
        echo "== NOTE: $asked clients need $nginx_workers nginx workers under $nofile open files per" \
             "process: using $nginx_workers (JX_LIVE_NGINX_WORKERS=$workers)"
    else
        nginx_workers=$workers
    fi
    n=$asked
    if [ "$n" -gt "$((nginx_workers * cap))" ]; then
        n=$((nginx_workers * cap))
        capped="$capped $asked->$n(nchan)"
    fi
    window=$seconds
    echo "== nginx + nchan ($nginx_workers worker(s)): $n clients, the same marks relayed, $rate/s for $window s"
    start_nginx
    stream_workers= # the relay's server: one stream, the server's default
    start_server
    "$tmp/sse_client" relay --port "$port" --to-port "$nchan_port" --to-path /pub \
        >"$tmp/relay.txt" 2>&1 &
    relay_pid=$!
    sleep 0.5
    # shellcheck disable=SC2046
    read -r pss0 rss0 <<EOF
$(mem_kb $(nginx_pids))
EOF
    k0=$(kernel_kb)
    start_listener "$n" "$nchan_port" /sub
    ready_line=$ready
    settle 0
    sleep 1
    # shellcheck disable=SC2046
    read -r pss1 rss1 <<EOF
$(mem_kb $(nginx_pids))
EOF
    k1=$(kernel_kb)
    idle=$(ask status STATUS)
    open=$(field open "$idle")
    echo "   idle: $(echo "$idle" | cut -d' ' -f3-)"
    echo "   nginx memory (master + workers): PSS $pss0 -> $pss1 kB, RSS $rss0 -> $rss1 kB;" \
         "kernel slab + TCP buffers $k0 -> $k1 kB (machine-wide)"
    # shellcheck disable=SC2046
    measure "nc$n" $(nginx_pids)
    final=$(ask status STATUS)
    stop_listeners
    stop_pid "$relay_pid"
    relay_pid=
    echo "   relay: $(grep '^RESULT' "$tmp/relay.txt" | cut -d' ' -f2-)"
    grep -v '^RESULT' "$tmp/relay.txt" | head -3 | sed 's/^/   relay: /' || true
    alive=yes
    kill -0 "$nginx_pid" 2>/dev/null || alive="NO (it died)"
    echo "   nginx running: $alive"
    grep -v 'signal process started' "$tmp/nginx-error.log" 2>/dev/null | tail -3 | sed 's/^/   nginx log: /' || true
    stop_pid "$nginx_pid"
    nginx_pid=
    stop_server
    echo "nc $n $open $(field secs "$ready_line") $pss0 $pss1 $rss0 $rss1 $k0 $k1 $server_cpu nchan/${nginx_workers}w" \
         "| $rep | $during | $final | - | - | $(grep '^RESULT' "$tmp/post-nc$n.txt")" >>"$results"
done


if [ "$overload" = 1 ]; then
    echo
    # with stream workers, one: 1,500 clients are then past its limit as they were past
    # the one process's
    stream_workers=
    [ "$has_workers" = 1 ] && stream_workers=1
    echo "== Overload probe: Jiangxing${stream_workers:+ with 1 stream worker} with 'ulimit -n 1000'" \
         "and 1,500 clients (past its file limit)"
    start_server 1000
    # marks on connections opened before the clients arrive (new ones could not get in)
    "$tmp/sse_client" post --port "$port" --token "$token" --rate 5 --seconds 16 --conns 4 \
        --prefix probe >"$tmp/post-probe.txt" &
    probe_post=$!
    sleep 0.5
    start_listener 1500 "$port" "/api/v1/competitions/$competition/live" 6 1500
    tell_all begin
    sleep 1
    probe_pids=$(server_pids)
    # shellcheck disable=SC2086
    c0=$(cpu_ticks $probe_pids)
    t0=$(now_s)
    l0=$(wc -l <"$tmp/serve.log")
    b0=$(wc -c <"$tmp/serve.log")
    sleep 3
    # shellcheck disable=SC2086
    c1=$(cpu_ticks $probe_pids)
    t1=$(now_s)
    l1=$(wc -l <"$tmp/serve.log")
    b1=$(wc -c <"$tmp/serve.log")
    new_conn=$(curl -s -m 3 -o /dev/null -w '%{http_code} in %{time_total} s' \
        "http://127.0.0.1:$port/api/v1/public/competitions/$competition/board" || true)
    wait "$probe_post" || true
    sleep 1
    probe_rep=$(ask report RESULT)
    probe_st=$(ask status STATUS)
    stop_listeners
    sleep 1
    # shellcheck disable=SC2086
    c2=$(cpu_ticks $probe_pids)
    sleep 2
    # shellcheck disable=SC2086
    c3=$(cpu_ticks $probe_pids)
    echo "   clients holding a stream: $(field open "$probe_st") of 1500; the rest got no answer in 6 s" \
         "(failed=$(field failed "$probe_st"))"
    echo "   once full, with the extra clients gone: server CPU" \
         "$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" -v hz="$ticks_per_s" \
             'BEGIN { printf "%.0f", 100 * (b - a) / hz / (t1 - t0) }')% of a core;" \
         "its log grew $(awk -v a="$b0" -v b="$b1" -v t0="$t0" -v t1="$t1" \
             'BEGIN { printf "%.1f", (b - a) / 1e6 / (t1 - t0) }') MB/s," \
         "$(awk -v a="$l0" -v b="$l1" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.0f", (b - a) / (t1 - t0) }')" \
         "lines/s of: $(grep -v '^jiangxing' "$tmp/serve.log" | head -1)"
    echo "   a new request meanwhile (GET board, 3 s limit): ${new_conn:-none}"
    echo "   marks on connections opened earlier: $(cut -d' ' -f2- "$tmp/post-probe.txt")"
    echo "   the streams that were in: $(echo "$probe_rep" | cut -d' ' -f3-)"
    echo "   after the clients left: server CPU $(awk -v a="$c2" -v b="$c3" -v hz="$ticks_per_s" \
        'BEGIN { printf "%.0f", 100 * (b - a) / hz / 2 }')% of a core"
    stop_server
fi

echo
echo "Live stream (SSE), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores shared by server, load"
echo "client and marks poster (load average now $(cut -d' ' -f1-3 /proc/loadavg))."
echo "$rate marks/s for $seconds s, one standings frame per mark; nchan = nginx + nchan, fed the same"
echo "frames; /Nw = N stream worker processes (Jiangxing) or nginx workers (nchan)."
echo "The clients: listener processes of at most $per_listener connections each, figures merged"
echo "(latency histograms joined bucket by bucket)."
echo "delivered/s = messages received / time from the first mark to the last delivery;"
echo "offered/s = frames x clients / $seconds s; latency = receipt - \"at\" (after all deliveries);"
echo "KB/conn = (memory with the clients idle - before) / clients, PSS of the server's processes"
echo "(serve and its children; nginx's master and workers);"
echo "kern KB = the same for the kernel's slab + TCP buffers, machine-wide (both ends of each connection);"
echo "srv%/cli% = server/listeners CPU while posting (% of one core, all their processes); us/msg ="
echo "server CPU time per message delivered while posting; rep = repeated sequence numbers;"
echo "ack p99 = a mark's POST -> answer (what a judge's tablet waits);"
echo "frames = frames the clients saw / marks posted (fewer: the server was still behind when the wait ended)."
printf '%-6s %-12s %6s %7s | %8s %8s | %9s %9s %6s | %7s %7s %8s | %7s %5s %5s | %4s %6s %4s | %8s %9s\n' \
    clients server open "conn s" "KB/conn" "kern KB" "deliv/s" "offered/s" "deliv%" "p50 ms" \
    "p99 ms" "max ms" dropped gaps rep srv% "us/msg" cli% "ack p99" "frames"
while IFS='|' read -r head steady during final fl fline post; do
    set -- $head
    n=$2 open=$3 csecs=$4 pss0=$5 pss1=$6 k0=$9 k1=${10} scpu=${11} name=${12}
    msgs=$(field msgs "$steady")
    last=$(field last_s "$steady")
    frames=$(field frames "$steady")
    printf '%-6s %-12s %6s %7s | %8s %8s | %9s %9s %6s | %7s %7s %8s | %7s %5s %5s | %4s %6s %4s | %8s %9s\n' \
        "$n" "$name" "$open" "$csecs" \
        "$(awk -v a="$pss0" -v b="$pss1" -v n="$open" 'BEGIN { if (n > 0) printf "%.2f", (b - a) / n; else print "-" }')" \
        "$(awk -v a="$k0" -v b="$k1" -v n="$open" 'BEGIN { if (n > 0) printf "%.1f", (b - a) / n; else print "-" }')" \
        "$(awk -v m="$msgs" -v s="$last" 'BEGIN { if (s > 0) printf "%.0f", m / s; else print "-" }')" \
        "$(awk -v f="$frames" -v n="$open" -v s="$seconds" 'BEGIN { printf "%.0f", f * n / s }')" \
        "$(awk -v m="$msgs" -v f="$frames" -v n="$open" 'BEGIN { if (f * n > 0) printf "%.1f", 100 * m / (f * n); else print "-" }')" \
        "$(field p50_ms "$steady")" "$(field p99_ms "$steady")" "$(field max_ms "$steady")" \
        "$(field dropped "$steady")" "$(field gaps "$steady")" "$(field dups "$steady")" "$scpu" \
        "$(awk -v c="$scpu" -v s="$(field secs "$during")" -v m="$(field msgs "$during")" \
            'BEGIN { if (m > 0) printf "%.1f", c / 100 * s * 1e6 / m; else print "-" }')" \
        "$(field client_cpu "$during" | tr -d '%')" "$(field ack_p99_ms "$post")" \
        "$frames/$(field sent "$post")"
done <"$results"
if [ "$flood" != 0 ]; then
    echo
    echo "Like flood (Jiangxing): one client, $flood_rate likes/s for $flood_seconds s," \
         "no cookie (every request a new device), while the same marks go on."
    printf '%-7s | %12s %12s | %12s %12s | %8s %8s %8s %7s\n' clients "p50 before" "p99 before" \
        "p50 during" "p99 during" "likes" "200" "429" "other"
    while IFS='|' read -r head steady during final fl fline post; do
        set -- $head
        [ "$1" = jx ] && [ "$fl" != " - " ] || continue
        printf '%-7s | %9s ms %9s ms | %9s ms %9s ms | %8s %8s %8s %7s\n' "$2" \
            "$(field p50_ms "$steady")" "$(field p99_ms "$steady")" \
            "$(field p50_ms "$fl")" "$(field p99_ms "$fl")" "$(field sent "$fline")" \
            "$(field ok "$fline")" "$(field limited "$fline")" "$(field other "$fline")"
    done <"$results"
fi
[ -z "$capped" ] || echo "(capped, asked->held:$capped; $nofile open files per process here)"
echo "targets: 50,000 clients on one node, <= 4 KB server memory per idle client, p99 <= 150 ms,"
echo "delivered messages/s >= the nchan baseline"
