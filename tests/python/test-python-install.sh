#!/bin/sh
# `make install DESTDIR=...` installs the Python package where the Python
# that configure chose imports it from: pythondir (the package) and
# pyexecdir (its extension) under DESTDIR, the library in libdir; and a
# script using it prints a fixture image's verdict, the program's. From
# `make check`, which exports PL_PYTHON (empty when the bindings are not
# built: skip), PL_BUILD_DIR, MAKE, PL_PYTHONDIR, PL_PYEXECDIR,
# PL_LIBDIR, PL_PROGRAM, PL_FIXTURES. tests/install/test-install.sh checks
# the rest of the installation (library, header, pkg-config, man pages).
# PL_REQUIRE_PYTHON=1 (CI) makes bindings that are not built a failure.
set -u
if [ -z "${PL_PYTHON:-}" ]; then
  [ "${PL_REQUIRE_PYTHON:-}" = 1 ] && { echo "FAIL (PL_REQUIRE_PYTHON=1): the Python bindings are not built"; exit 1; }
  echo "SKIP: the Python bindings are not built"
  exit 77
fi
# An AddressSanitizer build: its runtime first, for Python (see test-python.sh).
preload=
if ldd "$PL_BUILD_DIR/python/patchlevel/_patchlevel.so" 2>/dev/null | grep -q libasan; then
  preload=$(${CC:-cc} -print-file-name=libasan.so)
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
  export ASAN_OPTIONS
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pl-pyinstall.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Not a sub-make of `make check` (its jobserver): a make of its own.
MAKEFLAGS= MFLAGS= ${MAKE:-make} -s -C "$PL_BUILD_DIR" install DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; fail "make install DESTDIR=$tmp/root"; }
pkg=$tmp/root$PL_PYTHONDIR/patchlevel
ext=$tmp/root$PL_PYEXECDIR/patchlevel
[ -f "$pkg/__init__.py" ] || fail "no $PL_PYTHONDIR/patchlevel/__init__.py installed"
ls "$ext"/_patchlevel*.so >/dev/null 2>&1 || fail "no $PL_PYEXECDIR/patchlevel/_patchlevel.so installed"

# Only the installed copy may be found: run outside the trees, with a
# PYTHONPATH of the install alone.
image=$PL_FIXTURES/disks/mbr-sysres.qcow2
expected=$("$PL_PROGRAM" -q -f json "$image" |
  "$PL_PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["installations"][0]["build6003"]["verdict"])') ||
  fail "the program's verdict"
got=$(cd "$tmp" && env -u PYTHONHOME PYTHONDONTWRITEBYTECODE=1 ${preload:+LD_PRELOAD="$preload"} \
  PYTHONPATH="$tmp/root$PL_PYTHONDIR:$tmp/root$PL_PYEXECDIR" \
  LD_LIBRARY_PATH="$tmp/root$PL_LIBDIR" "$PL_PYTHON" - "$image" "$tmp/root" <<'PY'
import sys
import patchlevel
assert patchlevel.__file__.startswith(sys.argv[2]), patchlevel.__file__
assert patchlevel._patchlevel.__file__.startswith(sys.argv[2]), patchlevel._patchlevel.__file__
[report] = patchlevel.analyze(sys.argv[1], catalog=False)
print(report["installations"][0]["build6003"]["verdict"])
PY
) || fail "importing and using the installed package"
echo "installed package: verdict $got, program: $expected"
[ "$got" = "$expected" ] || fail "the installed package says $got, the program $expected"
