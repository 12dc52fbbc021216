#!/bin/sh
# `make install DESTDIR=...` installs the library, its header, patchlevel.pc
# and the man pages, and a program compiled with
# `pkg-config --cflags --libs patchlevel` against them analyzes a fixture
# image and prints its verdict. Run by `make check` from the build tree
# (PL_BUILD_DIR, PL_FIXTURES, PL_SOURCE_DIR and CC come from
# AM_TESTS_ENVIRONMENT).
set -eu

: "${PL_BUILD_DIR:?}" "${PL_FIXTURES:?}" "${PL_SOURCE_DIR:?}"
CC=${CC:-cc}
MAKE=${MAKE:-make}
command -v pkg-config >/dev/null || { echo "pkg-config is missing: skipped"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pl-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() { echo "test-install: $*" >&2; exit 1; }

# Into a staging root; the prefix stays the configured one.
MAKEFLAGS= MFLAGS= $MAKE -s -C "$PL_BUILD_DIR" install DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; fail "make install failed"; }
prefix=$(sed -n 's/^prefix=//p' "$PL_BUILD_DIR/patchlevel.pc")
root=$tmp/root$prefix
libdir=$(find "$tmp/root" -name patchlevel.pc -path '*/pkgconfig/*' -exec dirname {} \; | head -n 1)
[ -n "$libdir" ] || fail "patchlevel.pc was not installed"
libdir=$(dirname "$libdir")

# What must be there.
for f in "$root/include/patchlevel.h" "$root/share/man/man1/patchlevel.1" \
         "$root/share/man/man3/libpatchlevel.3" "$root/bin/patchlevel" \
         "$root/share/patchlevel/ws2008-sp2-catalog.csv"; do
    [ -f "$f" ] || fail "$f was not installed"
done
ls "$libdir"/libpatchlevel.so.* >/dev/null 2>&1 || fail "no libpatchlevel.so.* in $libdir"
[ -e "$libdir/libpatchlevel.so" ] || fail "no libpatchlevel.so link in $libdir"
# Only the public functions are exported.
if command -v nm >/dev/null; then
    others=$(nm -D --defined-only "$libdir/libpatchlevel.so" | awk '$2 == "T" && $3 !~ /^patchlevel_/' )
    [ -z "$others" ] || fail "exported besides patchlevel_*: $others"
    # ... and every function the header declares is there.
    grep -o 'patchlevel_[a-z0-9_]*(' "$root/include/patchlevel.h" | tr -d '(' | sort -u \
        >"$tmp/declared"
    nm -D --defined-only "$libdir/libpatchlevel.so" | awk '{print $3}' | sort -u >"$tmp/exported"
    missing=$(comm -23 "$tmp/declared" "$tmp/exported")
    [ -z "$missing" ] || fail "declared in patchlevel.h but not exported: $missing"
fi
# The header stands alone: no private header, no struct layout.
grep -q '#include "' "$root/include/patchlevel.h" && fail "patchlevel.h includes a private header"
grep -Eq '^struct patchlevel_[a-z_]+ *\{' "$root/include/patchlevel.h" &&
    fail "patchlevel.h exposes a struct layout"

# Compile the example against the staged install, as a user would.
export PKG_CONFIG_PATH="$libdir/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$tmp/root"
cflags=$(pkg-config --cflags patchlevel)
libs=$(pkg-config --libs patchlevel)
case "$libs" in *"$tmp/root"*) ;; *) fail "pkg-config did not point into the staging root: $libs" ;; esac
# A sanitizer build's library needs the sanitizer runtime in the program.
san=$(sed -n 's/^CFLAGS = .*\(-fsanitize=[^ ]*\).*/\1/p' "$PL_BUILD_DIR/Makefile")
# shellcheck disable=SC2086
$CC -std=c11 -Wall -Wextra -Werror $san $cflags -o "$tmp/example" \
    "$PL_SOURCE_DIR/tests/install/example.c" $libs || fail "the example does not compile"

# It runs on the installed library (not the build tree's) and prints the verdict.
out=$(LD_LIBRARY_PATH="$libdir" "$tmp/example" "$PL_FIXTURES/disks/mbr-sysres.qcow2") ||
    fail "the example failed on mbr-sysres.qcow2"
echo "$out"
echo "$out" | grep -q 'build 6003: yes$' || fail "unexpected output: $out"
LD_LIBRARY_PATH="$libdir" ldd "$tmp/example" | grep -q "$libdir/libpatchlevel.so" ||
    fail "the example did not load the installed library"
# A missing input is an error of the result, not a crash.
if LD_LIBRARY_PATH="$libdir" "$tmp/example" "$tmp/missing.vhd" 2>"$tmp/err"; then
    fail "a missing input did not fail"
fi
grep -q 'io: cannot open' "$tmp/err" || fail "unexpected error: $(cat "$tmp/err")"
echo "test-install: ok"
