#!/bin/sh
# The local MQTT broker for device signals (docs/devices.md): mosquitto on loopback with
# the dynamic-security plugin, its state and secrets in a run directory (git-ignored).
#
#   scripts/broker.sh start [DIR] [PORT]   (defaults run/broker and 18830)
#   scripts/broker.sh stop [DIR]
#
# start installs nothing (make run-deps installs the Debian package mosquitto). The
# first start creates DIR/dynamic-security.json with the administrator jx-admin and a
# random password, written to DIR/admin.secret (user:password, mode 600) for the server.
# Every start writes DIR/mosquitto.conf from deploy/mosquitto/mosquitto.conf, starts the
# broker in the background (pid in DIR/mosquitto.pid, log in DIR/mosquitto.log), waits
# until it answers, and makes sure jx-admin holds the role jx-gateway (subscribe to
# jiangxing/#, publish under jiangxing/ for the simulator). Starting a running broker only says so.
set -eu

usage() {
  echo "usage: scripts/broker.sh start [DIR] [PORT] | stop [DIR]   (defaults run/broker, 18830)"
}

root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}
[ $# -ge 1 ] && shift
dir=${1:-run/broker}
port=${2:-18830}
case "$cmd" in
  start | stop) ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac
case "$port" in '' | *[!0-9]*) echo "broker: port must be a number, not \"$port\"" >&2; exit 2 ;; esac

# The pid of the broker of DIR when it is running, else nothing.
running_pid() {
  [ -f "$dir/mosquitto.pid" ] || return 0
  pid=$(cat "$dir/mosquitto.pid" 2>/dev/null || true)
  case "$pid" in '' | *[!0-9]*) return 0 ;; esac
  kill -0 "$pid" 2>/dev/null || return 0
  [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = mosquitto ] || return 0
  echo "$pid"
}

if [ "$cmd" = stop ]; then
  [ -d "$dir" ] || { echo "broker: not running (no $dir)"; exit 0; }
  dir=$(cd "$dir" && pwd)
  pid=$(running_pid)
  if [ -z "$pid" ]; then
    echo "broker: not running ($dir)"
    rm -f "$dir/mosquitto.pid"
    exit 0
  fi
  kill "$pid"
  i=0
  while kill -0 "$pid" 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt 50 ] && { echo "broker: pid $pid did not stop within 5 s" >&2; exit 1; }
    sleep 0.1
  done
  rm -f "$dir/mosquitto.pid"
  echo "broker: stopped (pid $pid)"
  exit 0
fi

for tool in mosquitto mosquitto_ctrl; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || {
    echo "broker: $tool is not installed (make run-deps installs the Debian package mosquitto)" >&2
    exit 1
  }
done
mosquitto=$(command -v mosquitto 2>/dev/null || echo /usr/sbin/mosquitto)

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
case "$dir" in *[!A-Za-z0-9_./-]*)
  echo "broker: the directory $dir has characters mosquitto.conf cannot hold" >&2; exit 1 ;;
esac
secret="$dir/admin.secret"

pid=$(running_pid)
if [ -n "$pid" ]; then
  echo "broker: already running (pid $pid, $dir)"
  exit 0
fi

plugin=$(dpkg -L mosquitto 2>/dev/null | grep '/mosquitto_dynamic_security\.so$' | head -n 1 || true)
if [ -z "$plugin" ]; then
  for p in /usr/lib/*/mosquitto_dynamic_security.so /usr/lib/mosquitto_dynamic_security.so \
           /usr/local/lib/mosquitto_dynamic_security.so; do
    [ -f "$p" ] && { plugin=$p; break; }
  done
fi
if [ -z "$plugin" ] || [ ! -f "$plugin" ]; then
  echo "broker: mosquitto's dynamic-security plugin is missing (mosquitto >= 2.0 has it)" >&2
  exit 1
fi

# First start: the plugin's state with the administrator, and the administrator's secret.
first=false
if [ ! -f "$dir/dynamic-security.json" ]; then
  first=true
  password=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | cut -c 1-32)
  mosquitto_ctrl dynsec init "$dir/dynamic-security.json" jx-admin "$password" >/dev/null
  (umask 077 && printf 'jx-admin:%s\n' "$password" >"$secret")
  echo "broker: created the administrator jx-admin (password in $secret)"
fi
[ -f "$secret" ] || {
  echo "broker: $dir/dynamic-security.json exists but $secret does not; delete $dir to start again" >&2
  exit 1
}
chmod 600 "$secret"
user=$(cut -d : -f 1 "$secret" | head -n 1)
password=$(cut -d : -f 2- "$secret" | head -n 1)

# mosquitto_ctrl against the running broker as the administrator. Its exit status says
# nothing (0 after "Error: …"), so its answer is read: an error fails the call.
ctl() {
  out=$(mosquitto_ctrl -h 127.0.0.1 -p "$port" -u "$user" -P "$password" dynsec "$@" 2>&1 |
    grep -v -e '^Warning: You are running mosquitto_ctrl without encryption' \
      -e '^This means all of the configuration changes' -e '^$' || true)
  case "$out" in
    *Error* | *error*) printf 'broker: mosquitto_ctrl dynsec %s: %s\n' "$1" "$out" >&2; return 1 ;;
  esac
  [ -z "$out" ] || printf '%s\n' "$out"
}

sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" -e "s|@PLUGIN@|$plugin|g" \
  "$root/deploy/mosquitto/mosquitto.conf" >"$dir/mosquitto.conf"

# Run as root, mosquitto drops to the user mosquitto, which must write its state and log.
if [ "$(id -u)" -eq 0 ] && id mosquitto >/dev/null 2>&1; then
  touch "$dir/mosquitto.log"
  chown mosquitto "$dir" "$dir/dynamic-security.json" "$dir/mosquitto.log"
  chmod 700 "$dir"
fi
chmod 600 "$dir/dynamic-security.json"

rm -f "$dir/mosquitto.pid"
"$mosquitto" -c "$dir/mosquitto.conf" -d

# Wait until the broker answers the administrator (at most 10 s); it may have stopped at
# once (another broker on the port: Debian's own mosquitto service, for one).
i=0
until ctl getDefaultACLAccess >/dev/null 2>&1; do
  i=$((i + 1))
  pid=$(running_pid)
  if [ $i -gt 50 ] || { [ $i -gt 5 ] && [ -z "$pid" ]; }; then
    if [ -z "$pid" ]; then echo "broker: mosquitto stopped at once; its log says:" >&2
    else echo "broker: mosquitto did not answer on 127.0.0.1:$port within 10 s; its log says:" >&2
    fi
    tail -n 3 "$dir/mosquitto.log" >&2 || true
    if tail -n 3 "$dir/mosquitto.log" 2>/dev/null | grep -q 'Address already in use'; then
      echo "broker: port $port is taken; if by Debian's mosquitto service:" \
        "systemctl disable --now mosquitto (or choose another port)" >&2
    fi
    [ -n "$pid" ] && kill "$pid"
    exit 1
  fi
  sleep 0.2
done

# The gateway's role: read every device topic, publish under jiangxing/ (the simulator).
if ! ctl getRole jx-gateway >/dev/null 2>&1; then
  ctl createRole jx-gateway
  ctl addRoleACL jx-gateway subscribePattern 'jiangxing/#' allow
  ctl addRoleACL jx-gateway publishClientSend 'jiangxing/#' allow
  echo "broker: created the role jx-gateway (subscribe and publish jiangxing/#)"
fi
roles=$(ctl getClient "$user")
case "$roles" in
  *jx-gateway*) ;;
  *) ctl addClientRole "$user" jx-gateway && echo "broker: gave $user the role jx-gateway" ;;
esac

$first && note=" (first start)" || note=""
echo "broker: running on 127.0.0.1:$port (pid $(cat "$dir/mosquitto.pid"), $dir)$note"
