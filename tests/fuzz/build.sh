#!/usr/bin/env bash
# Build every libFuzzer target of tests/fuzz/ with clang against the project
# sources (compiled directly, not through autotools).
#
#   tests/fuzz/build.sh            -> _build-fuzz/bin/fuzz_*   (from any directory)
#   FUZZ_OUT=/some/dir tests/fuzz/build.sh
#   CC=clang-14 tests/fuzz/build.sh
#
# Everything is built with -fsanitize=fuzzer,address,undefined (UBSan does not
# recover: any report aborts the run). The project's src/*.c (all but
# src/cli/main.c) are compiled once into objects instrumented for coverage,
# then each target is linked against them and the system libraries found with
# pkg-config. Nothing is written outside FUZZ_OUT.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${FUZZ_OUT:-$REPO/_build-fuzz}
CC=${CC:-clang}
TARGETS=(fuzz_pe_version fuzz_mum fuzz_catalog fuzz_hive fuzz_hive_log fuzz_disk fuzz_tree fuzz_compat6002 fuzz_ntfs_index
         fuzz_vhd_dynamic fuzz_io_counter fuzz_wim_image)

command -v "$CC" >/dev/null || { echo "build.sh: $CC not found (apt-get install clang)" >&2; exit 1; }
PKGS="hivex libxml-2.0 wimlib tsk libvhdi libvmdk libqcow libewf libcrypto json-c"
for p in $PKGS; do
    pkg-config --exists "$p" || { echo "build.sh: pkg-config cannot find $p" >&2; exit 1; }
done
# shellcheck disable=SC2086
PKG_CFLAGS=$(pkg-config --cflags $PKGS)
# shellcheck disable=SC2086
PKG_LIBS=$(pkg-config --libs $PKGS)

mkdir -p "$OUT/obj" "$OUT/bin" "$OUT/include"
# src/ needs no configure results; a config.h for anything that includes it.
cat > "$OUT/include/config.h" <<'H'
/* Minimal config.h for the fuzz build (tests/fuzz/build.sh). */
#define PACKAGE "patchlevel"
#define PACKAGE_NAME "patchlevel"
#define PACKAGE_VERSION "fuzz"
#define VERSION "fuzz"
H

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
# FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION (the usual libFuzzer convention):
# src/sources/wim_image.c then reports a SHA-1 mismatch but reads on, so
# that mutated metadata reaches the dentry parser instead of stopping at the
# metadata's hash.
COMMON="-std=c11 -D_GNU_SOURCE -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -g -O1 -fno-omit-frame-pointer $SAN -I$REPO/src -I$REPO/include -I$OUT/include \
 -DPL_PKGDATADIR=\"$REPO/data\" -DPL_SRCDIR=\"$REPO\" $PKG_CFLAGS"
FIX_DEF="-DPL_FUZZ_FIXTURES=\"$REPO/fixtures\""

# Project sources: everything but main(), into a static archive so that each
# target links only the objects it needs. A file that does not compile (work
# in progress elsewhere) is skipped with a warning: if a target needs it, its
# link fails and says which symbol is missing.
mapfile -t SRCS < <(cd "$REPO" && ls src/*/*.c | grep -v '^src/cli/main\.c$' | sort)
compile() { # src obj
    # shellcheck disable=SC2086
    if ! $CC $COMMON -fsanitize=fuzzer-no-link -c "$REPO/$1" -o "$2.tmp" 2>"$2.err"; then
        echo "build.sh: warning: $1 does not compile, left out:" >&2
        sed 's/^/    /' "$2.err" | head -n 5 >&2
        rm -f "$2.tmp" "$2"
        return 0
    fi
    mv "$2.tmp" "$2"
}
OBJS=()
pids=()
for s in "${SRCS[@]}"; do
    o="$OUT/obj/$(echo "${s%.c}" | tr / _).o"
    OBJS+=("$o")
    if [[ ! -f $o || $REPO/$s -nt $o || $0 -nt $o ]] || \
       find "$REPO/src" -name '*.h' -newer "$o" | grep -q .; then
        compile "$s" "$o" &
        pids+=($!)
        if (( ${#pids[@]} >= 2 )); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
    fi
done
for p in "${pids[@]}"; do wait "$p"; done
LIB=$OUT/obj/libpatchlevel-fuzz.a
rm -f "$LIB"
EXISTING=()
for o in "${OBJS[@]}"; do [[ -f $o ]] && EXISTING+=("$o"); done
ar rcs "$LIB" "${EXISTING[@]}"

for t in "${TARGETS[@]}"; do
    # shellcheck disable=SC2086
    $CC $COMMON $FIX_DEF -fsanitize=fuzzer -Wall -Wextra \
        -o "$OUT/bin/$t" "$HERE/$t.c" "$LIB" $PKG_LIBS
    echo "built $OUT/bin/$t"
done
