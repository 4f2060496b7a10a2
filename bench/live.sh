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
#                                                   # like Jiangxing's one HTTP loop)
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
# Client counts above what one process may open (ulimit -n, raised to the hard limit) are
# capped, for both servers, with a note. Installs nginx and libnginx-mod-nchan with
# apt-get when missing (root). Everything started here is stopped by PID. The load client
# shares the machine's cores with the server it measures. Results: bench/README.md.
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
workers=${JX_LIVE_NGINX_WORKERS:-1}
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
# hold at most about the hard limit: every client count is capped to that, for Jiangxing
# (one process) and nchan (one worker) alike, and the cap is printed.
max_clients=0
for n in $clients_list; do [ "$n" -gt "$max_clients" ] && max_clients=$n; done
want=$((max_clients + 1000))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want" ]; then
    ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi
nofile=$(ulimit -n)
[ "$nofile" = unlimited ] && nofile=1048576
cap=$((nofile - 250)) # the server's own files, the poster's and flooder's connections
if [ "$max_clients" -gt "$cap" ]; then
    echo "== NOTE: open files are limited to $nofile per process here (ulimit -Hn $(ulimit -Hn); raising"
    echo "   it needs CAP_SYS_RESOURCE). One server process can hold about $cap clients, so larger"
    echo "   client counts are capped to $cap for both servers. See the overload probe at the end."
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jx-live.XXXXXX")
server_pid=
listener_pid=
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
    exec 3>&- 2>/dev/null || true
    stop_pid "$listener_pid"
    listener_pid=
    stop_pid "$relay_pid"
    relay_pid=
    stop_pid "$nginx_pid"
    nginx_pid=
    stop_pid "$server_pid"
    server_pid=
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

# start_server [FILE_LIMIT]: a fresh copy of the demo, serve, log in, publish
start_server() {
    rm -f "$tmp"/run.db* "$tmp/serve.log"
    cp "$tmp/template.db" "$tmp/run.db"
    (
        [ -z "${1:-}" ] || ulimit -n "$1"
        exec "$jx" serve --db "$tmp/run.db" --listen "127.0.0.1:$port" --web "$root/web"
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

start_nginx() {
    sed -e "s|@WORKERS@|$workers|; s|@NOFILE@|$nofile|; s|@TMP@|$tmp|g" \
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

# start_listener N PORT PATH [TIMEOUT [PARALLEL]]: N SSE clients; commands go to fd 3
start_listener() {
    rm -f "$tmp/ctl" "$tmp/listener.out"
    mkfifo "$tmp/ctl"
    sources=$((($1 + per_source - 1) / per_source))
    "$tmp/sse_client" listen --port "$2" --path "$3" --conns "$1" --sources "$sources" \
        --timeout "${4:-30}" --parallel "${5:-200}" <"$tmp/ctl" >"$tmp/listener.out" 2>&1 &
    listener_pid=$!
    exec 3>"$tmp/ctl"
    ready=$(wait_line '^READY' "$tmp/listener.out" 240)
    echo "   $(echo "$ready" | cut -d' ' -f2-) (over $sources source addresses)"
}
ask_seq=0
# ask COMMAND PREFIX: sends "COMMAND TAG" to the listener and prints its answer line
ask() {
    ask_seq=$((ask_seq + 1))
    echo "$1 q$ask_seq" >&3
    wait_line "^$2 q$ask_seq " "$tmp/listener.out" 60
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
    echo "begin" >&3
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
for asked in $clients_list; do
    n=$asked
    [ "$n" -gt "$cap" ] && n=$cap
    window=$seconds
    echo "== Jiangxing: $n clients$([ "$n" != "$asked" ] && echo " ($asked asked, capped)"), $rate marks/s for $window s"
    start_server
    read -r pss0 rss0 <<EOF
$(mem_kb "$server_pid")
EOF
    k0=$(kernel_kb)
    start_listener "$n" "$port" "/api/v1/competitions/$competition/live"
    ready_line=$ready
    settle 1
    sleep 1
    read -r pss1 rss1 <<EOF
$(mem_kb "$server_pid")
EOF
    k1=$(kernel_kb)
    idle=$(ask status STATUS)
    open=$(field open "$idle")
    echo "   idle: $(echo "$idle" | cut -d' ' -f3-)"
    echo "   server memory: PSS $pss0 -> $pss1 kB, RSS $rss0 -> $rss1 kB;" \
         "kernel slab + TCP buffers $k0 -> $k1 kB (machine-wide)"
    measure "jx$n" "$server_pid"
    read -r pss_t rss_t <<EOF
$(mem_kb "$server_pid")
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
        measure "fl$n" "$server_pid"
        wait "$flood_pid" || true
        flood_line=$(grep '^RESULT' "$tmp/flood.txt" || echo "-")
        flood_rep=$rep
        echo "   likes: $(echo "$flood_line" | cut -d' ' -f2-)"
    fi
    final=$(ask status STATUS)
    echo "quit" >&3
    exec 3>&-
    wait "$listener_pid" 2>/dev/null || true
    listener_pid=
    sleep 1
    alive=yes
    kill -0 "$server_pid" 2>/dev/null || alive="NO (it died)"
    read -r pss2 rss2 <<EOF
$(mem_kb "$server_pid")
EOF
    echo "   after the clients left: server PSS $pss2 kB, RSS $rss2 kB, running: $alive"
    if grep -v -e '^jiangxing: serving' "$tmp/serve.log" | grep -q .; then
        echo "   server log:"
        grep -v -e '^jiangxing: serving' "$tmp/serve.log" | tail -5 | sed 's/^/     /'
    fi
    stop_pid "$server_pid"
    server_pid=
    echo "jx $n $open $(field secs "$ready_line") $pss0 $pss1 $rss0 $rss1 $k0 $k1 $steady_cpu" \
         "| $steady | $steady_during | $final | $flood_rep | $flood_line | $steady_post" >>"$results"

    [ "$baseline" = 1 ] || continue
    window=$seconds
    echo "== nginx + nchan ($workers worker(s)): $n clients, the same marks relayed, $rate/s for $window s"
    start_nginx
    start_server
    "$tmp/sse_client" relay --port "$port" --to-port "$nchan_port" --to-path /pub \
        >"$tmp/relay.txt" 2>&1 &
    relay_pid=$!
    sleep 0.5
    read -r pss0 rss0 <<EOF
$(mem_kb $(nginx_pids))
EOF
    k0=$(kernel_kb)
    start_listener "$n" "$nchan_port" /sub
    ready_line=$ready
    settle 0
    sleep 1
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
    echo "quit" >&3
    exec 3>&-
    wait "$listener_pid" 2>/dev/null || true
    listener_pid=
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
    stop_pid "$server_pid"
    server_pid=
    echo "nc $n $open $(field secs "$ready_line") $pss0 $pss1 $rss0 $rss1 $k0 $k1 $server_cpu" \
         "| $rep | $during | $final | - | - | $(grep '^RESULT' "$tmp/post-nc$n.txt")" >>"$results"
done


if [ "$overload" = 1 ]; then
    echo
    echo "== Overload probe: Jiangxing with 'ulimit -n 1000' and 1,500 clients (past its file limit)"
    start_server 1000
    # marks on connections opened before the clients arrive (new ones could not get in)
    "$tmp/sse_client" post --port "$port" --token "$token" --rate 5 --seconds 16 --conns 4 \
        --prefix probe >"$tmp/post-probe.txt" &
    probe_post=$!
    sleep 0.5
    start_listener 1500 "$port" "/api/v1/competitions/$competition/live" 6 1500
    echo "begin" >&3
    sleep 1
    c0=$(cpu_ticks "$server_pid")
    t0=$(now_s)
    l0=$(wc -l <"$tmp/serve.log")
    b0=$(wc -c <"$tmp/serve.log")
    sleep 3
    c1=$(cpu_ticks "$server_pid")
    t1=$(now_s)
    l1=$(wc -l <"$tmp/serve.log")
    b1=$(wc -c <"$tmp/serve.log")
    new_conn=$(curl -s -m 3 -o /dev/null -w '%{http_code} in %{time_total} s' \
        "http://127.0.0.1:$port/api/v1/public/competitions/$competition/board" || true)
    wait "$probe_post" || true
    sleep 1
    probe_rep=$(ask report RESULT)
    probe_st=$(ask status STATUS)
    echo "quit" >&3
    exec 3>&-
    wait "$listener_pid" 2>/dev/null || true
    listener_pid=
    sleep 1
    c2=$(cpu_ticks "$server_pid")
    sleep 2
    c3=$(cpu_ticks "$server_pid")
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
    stop_pid "$server_pid"
    server_pid=
fi

echo
echo "Live stream (SSE), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores shared by server, load"
echo "client and marks poster (load average now $(cut -d' ' -f1-3 /proc/loadavg))."
echo "$rate marks/s for $seconds s, one standings frame per mark; nchan = nginx + nchan," \
     "$workers worker(s), fed the same frames."
echo "delivered/s = messages received / time from the first mark to the last delivery;"
echo "offered/s = frames x clients / $seconds s; latency = receipt - \"at\" (after all deliveries);"
echo "KB/conn = (memory with the clients idle - before) / clients, PSS of the server's processes;"
echo "kern KB = the same for the kernel's slab + TCP buffers, machine-wide (both ends of each connection);"
echo "srv%/cli% = server/listener CPU while posting (% of one core); us/msg = server CPU time per message"
echo "delivered while posting; ack p99 = a mark's POST -> answer (what a judge's tablet waits);"
echo "frames = frames the clients saw / marks posted (fewer: the server was still behind when the wait ended)."
printf '%-6s %-9s %6s %7s | %8s %8s | %9s %9s %6s | %7s %7s %8s | %7s %7s | %4s %6s %4s | %8s %9s\n' \
    clients server open "conn s" "KB/conn" "kern KB" "deliv/s" "offered/s" "deliv%" "p50 ms" \
    "p99 ms" "max ms" dropped gaps srv% "us/msg" cli% "ack p99" "frames"
while IFS='|' read -r head steady during final fl fline post; do
    set -- $head
    kind=$1 n=$2 open=$3 csecs=$4 pss0=$5 pss1=$6 k0=$9 k1=${10} scpu=${11}
    [ "$kind" = jx ] && name=Jiangxing || name=nchan
    msgs=$(field msgs "$steady")
    last=$(field last_s "$steady")
    frames=$(field frames "$steady")
    printf '%-6s %-9s %6s %7s | %8s %8s | %9s %9s %6s | %7s %7s %8s | %7s %7s | %4s %6s %4s | %8s %9s\n' \
        "$n" "$name" "$open" "$csecs" \
        "$(awk -v a="$pss0" -v b="$pss1" -v n="$open" 'BEGIN { if (n > 0) printf "%.2f", (b - a) / n; else print "-" }')" \
        "$(awk -v a="$k0" -v b="$k1" -v n="$open" 'BEGIN { if (n > 0) printf "%.1f", (b - a) / n; else print "-" }')" \
        "$(awk -v m="$msgs" -v s="$last" 'BEGIN { if (s > 0) printf "%.0f", m / s; else print "-" }')" \
        "$(awk -v f="$frames" -v n="$open" -v s="$seconds" 'BEGIN { printf "%.0f", f * n / s }')" \
        "$(awk -v m="$msgs" -v f="$frames" -v n="$open" 'BEGIN { if (f * n > 0) printf "%.1f", 100 * m / (f * n); else print "-" }')" \
        "$(field p50_ms "$steady")" "$(field p99_ms "$steady")" "$(field max_ms "$steady")" \
        "$(field dropped "$steady")" "$(field gaps "$steady")" "$scpu" \
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
[ "$max_clients" -gt "$cap" ] && echo "(client counts above $cap were capped: $nofile open files per process here)"
echo "targets: 50,000 clients on one node, <= 4 KB server memory per idle client, p99 <= 150 ms,"
echo "delivered messages/s >= the nchan baseline"
