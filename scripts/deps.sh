#!/bin/sh
# Installs the Debian packages the build and tests need, only when one is missing.
# Usage: scripts/deps.sh PACKAGE...  (node and npm are skipped when already on PATH,
# whoever installed them, so a NodeSource node is not replaced by Debian's.)
missing=""
for p in "$@"; do
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
