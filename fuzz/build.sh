#!/bin/sh
# Builds the libFuzzer harnesses into fuzz/out/ (git-ignored):
#   1. jansson 2.14 from Debian's source package, instrumented (fuzzer-no-link, ASan, UBSan)
#      and linked statically: Debian's libjansson is not instrumented, so a harness over it
#      would explore nothing (docs: /work/shared/TOOLCHAIN.md "Fuzzing").
#   2. src/core/*.c and src/format/*.c compiled with the same instrumentation into
#      fuzz/out/libjx-fuzz.a (not build/libjx.a, which gcc builds without it).
#   3. one binary per harness, fuzz/out/fuzz_<harness>.
# Usage: fuzz/build.sh [HARNESS...]   (default: every fuzz/fuzz_*.c)
# Environment: CC (default clang), JANSSON_SRC (an unpacked jansson 2.14 source tree to use
# instead of `apt-get source jansson`), FUZZ_REBUILD=1 to rebuild everything.
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/fuzz/out
CC=${CC:-clang}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
COMMON="-std=gnu11 -D_GNU_SOURCE -g -O1 $SAN"
mkdir -p "$OUT/obj" "$OUT/jansson/include" "$OUT/jansson/obj"
# One build at a time (fuzz/run.sh may be started twice side by side).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$OUT/.build.lock"
    flock 9
fi

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz/build.sh: $CC not found (apt-get install clang libclang-rt-14-dev)" >&2
    exit 1
fi

# ---- 1. instrumented jansson -------------------------------------------------------
JLIB=$OUT/jansson/libjansson.a
if [ ! -f "$JLIB" ] || [ "${FUZZ_REBUILD:-0}" = 1 ]; then
    src=${JANSSON_SRC:-}
    if [ -z "$src" ]; then
        src=$(ls -d "$OUT"/src/jansson-2.14* 2>/dev/null | head -n 1 || true)
    fi
    if [ -z "$src" ]; then
        mkdir -p "$OUT/src"
        echo "fuzz/build.sh: fetching jansson's Debian source package into fuzz/out/src" >&2
        if ! (cd "$OUT/src" && apt-get source jansson >"$OUT/src/apt-get-source.log" 2>&1); then
            cat "$OUT/src/apt-get-source.log" >&2
            cat >&2 <<'EOF'
fuzz/build.sh: `apt-get source jansson` failed. Enable Debian source packages, e.g. as root:
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
      > /etc/apt/sources.list.d/debian-src.sources && apt-get update
(or add a deb-src line to /etc/apt/sources.list), or point JANSSON_SRC at an unpacked
jansson 2.14 source tree (github.com/akheron/jansson, tag v2.14).
EOF
            exit 1
        fi
        src=$(ls -d "$OUT"/src/jansson-2.14* | head -n 1)
    fi
    echo "fuzz/build.sh: building instrumented jansson from $src" >&2
    rm -f "$OUT"/jansson/obj/*.o "$JLIB"
    sed -e 's/@json_inline@/inline/' -e 's/@json_have_long_long@/1/' \
        -e 's/@json_have_localeconv@/1/' -e 's/@json_have_atomic_builtins@/1/' \
        -e 's/@json_have_sync_builtins@/1/' \
        "$src/src/jansson_config.h.in" >"$OUT/jansson/include/jansson_config.h"
    cat >"$OUT/jansson/include/jansson_private_config.h" <<'EOF'
/* Written by fuzz/build.sh for Debian 12 / glibc (what jansson's configure would find). */
#define HAVE_ENDIAN_H 1
#define HAVE_FCNTL_H 1
#define HAVE_SCHED_H 1
#define HAVE_UNISTD_H 1
#define HAVE_SYS_PARAM_H 1
#define HAVE_SYS_STAT_H 1
#define HAVE_SYS_TIME_H 1
#define HAVE_SYS_TYPES_H 1
#define HAVE_STDINT_H 1
#define HAVE_CLOSE 1
#define HAVE_GETPID 1
#define HAVE_GETTIMEOFDAY 1
#define HAVE_OPEN 1
#define HAVE_READ 1
#define HAVE_SCHED_YIELD 1
#define HAVE_SYNC_BUILTINS 1
#define HAVE_ATOMIC_BUILTINS 1
#define HAVE_LOCALE_H 1
#define HAVE_SETLOCALE 1
#define USE_URANDOM 1
#define INITIAL_HASHTABLE_ORDER 3
EOF
    cp "$src/src/jansson.h" "$OUT/jansson/include/"
    for f in "$src"/src/*.c; do
        $CC $COMMON -fsanitize=fuzzer-no-link -w -DHAVE_CONFIG_H -I"$OUT/jansson/include" \
            -I"$src/src" -c "$f" -o "$OUT/jansson/obj/$(basename "$f" .c).o"
    done
    ar rcs "$JLIB" "$OUT"/jansson/obj/*.o
fi

# ---- 2. the project's pure code, instrumented ------------------------------------------
# An object is rebuilt when its source or any header under src/core, src/format is newer.
# A file that does not compile (another engineer may be mid-edit) is skipped with a
# warning; the link then fails only if a harness needs it.
newest_header=$(ls -t src/core/*.h src/format/*.h | head -n 1)
LIB=$OUT/libjx-fuzz.a
changed=0
for f in src/core/*.c src/format/*.c src/http/request.c src/cli/score.c; do
    o=$OUT/obj/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')
    if [ "${FUZZ_REBUILD:-0}" = 1 ] || [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ "$newest_header" -nt "$o" ]; then
        if $CC $COMMON -fsanitize=fuzzer-no-link -Isrc -I"$OUT/jansson/include" -c "$f" -o "$o"; then
            changed=1
        else
            echo "fuzz/build.sh: warning: $f does not compile; skipped" >&2
            rm -f "$o"
        fi
    fi
done
# score.c (the `jiangxing score` command) is linked only into fuzz_score.
if [ "$changed" = 1 ] || [ ! -f "$LIB" ]; then
    rm -f "$LIB"
    ar rcs "$LIB" $(ls "$OUT"/obj/src_core_*.o "$OUT"/obj/src_format_*.o "$OUT"/obj/src_http_request.o)
fi

# ---- 2b. the server's code, instrumented, for the live-display harnesses ----------------
# display and live need the spectator, hub and request code: every src/ folder but core and
# format (those are in libjx-fuzz.a), with libevent, SQLite, libgd, libqrencode, libmosquitto
# and libcrypto from the system. photo needs only libgd (its decoders, libjpeg and libpng,
# are Debian's and not instrumented). wire takes only src/live/wire.c and frame.c from it.
# Built only when display, live or wire is asked for.
SERVER_LIB=$OUT/libjx-fuzz-server.a
SYS_PKGS=
for p in libevent libevent_pthreads sqlite3 gdlib libqrencode libmosquitto libpng libjpeg libcrypto; do
    pkg-config --exists "$p" 2>/dev/null && SYS_PKGS="$SYS_PKGS $p"
done
SYS_CFLAGS=$(pkg-config --cflags $SYS_PKGS 2>/dev/null || true)
SERVER_LIBS="$(pkg-config --libs $SYS_PKGS 2>/dev/null || true) -lpthread"
needs_server() {
    case " $* " in *" display "* | *" live "* | *" wire "*) return 0 ;; esac
    [ $# -eq 0 ]
}
if needs_server "$@"; then
    newest_any=$(ls -t src/*/*.h | head -n 1)
    changed=0
    for f in src/*/*.c; do
        case $f in src/core/* | src/format/* | src/main.c | src/http/request.c) continue ;; esac
        o=$OUT/obj/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')
        if [ "${FUZZ_REBUILD:-0}" = 1 ] || [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ "$newest_any" -nt "$o" ]; then
            if $CC $COMMON -fsanitize=fuzzer-no-link -Isrc -I"$OUT/jansson/include" $SYS_CFLAGS -c "$f" -o "$o"; then
                changed=1
            else
                echo "fuzz/build.sh: warning: $f does not compile; skipped" >&2
                rm -f "$o"
            fi
        fi
    done
    if [ "$changed" = 1 ] || [ ! -f "$SERVER_LIB" ]; then
        rm -f "$SERVER_LIB"
        ar rcs "$SERVER_LIB" $(ls "$OUT"/obj/src_*.o | grep -v -e '/src_core_' -e '/src_format_' \
            -e '/src_http_request\.o$')
    fi
fi

# ---- 3. harnesses --------------------------------------------------------------------
(cd fuzz && xxd -i demo_competition.json) >"$OUT/demo_competition.inc.tmp"
if ! cmp -s "$OUT/demo_competition.inc.tmp" "$OUT/demo_competition.inc" 2>/dev/null; then
    mv "$OUT/demo_competition.inc.tmp" "$OUT/demo_competition.inc"
else
    rm -f "$OUT/demo_competition.inc.tmp"
fi

if [ $# -eq 0 ]; then
    set -- $(ls fuzz/fuzz_*.c | sed 's|fuzz/fuzz_||; s|\.c$||')
fi
for h in "$@"; do
    src=fuzz/fuzz_$h.c
    bin=$OUT/fuzz_$h
    if [ ! -f "$src" ]; then
        echo "fuzz/build.sh: no harness $src" >&2
        exit 1
    fi
    extra= libs=
    [ "$h" = score ] && extra=$OUT/obj/src_cli_score.o
    [ "$h" = photo ] && libs="-lgd -lpng16 -ljpeg"
    if [ "$h" = display ] || [ "$h" = live ] || [ "$h" = wire ]; then
        extra=$SERVER_LIB
        libs=$SERVER_LIBS
    fi
    if [ "${FUZZ_REBUILD:-0}" = 1 ] || [ ! -f "$bin" ] || [ "$src" -nt "$bin" ] ||
        [ fuzz/fuzz.h -nt "$bin" ] || [ "$LIB" -nt "$bin" ] || [ "$OUT/demo_competition.inc" -nt "$bin" ] ||
        { [ -n "$extra" ] && [ "$extra" -nt "$bin" ]; }; then
        echo "fuzz/build.sh: building $bin" >&2
        $CC $COMMON -fsanitize=fuzzer -Wall -Wextra -Werror -Wno-unused-parameter -Wno-unused-function -Isrc -Ifuzz \
            -I"$OUT" -I"$OUT/jansson/include" $SYS_CFLAGS -o "$bin" "$src" $extra "$LIB" "$JLIB" -lsodium $libs -lm
    fi
done
