#!/bin/sh
# The Python bindings' tests (tests/python/test_patchlevel.py) with pytest,
# on the module of this build tree. From `make check`, which exports
# PL_PYTHON (the Python configure built the bindings for; empty when they
# are not built), PL_BUILD_DIR, PL_SOURCE_DIR, PL_PROGRAM, PL_FIXTURES.
# Skips (77) when the bindings are not built or pytest is missing (Debian:
# python3-pytest), unless PL_REQUIRE_PYTHON=1 (CI: tests/run-suite.sh),
# which makes that a failure; an extension that is built but does not
# import always fails.
set -u
skip() {
  if [ "${PL_REQUIRE_PYTHON:-}" = 1 ]; then echo "FAIL (PL_REQUIRE_PYTHON=1): $*"; exit 1; fi
  echo "SKIP: $*"
  exit 77
}
[ -n "${PL_PYTHON:-}" ] ||
  skip "the Python bindings are not built (configure found no Python 3 headers: python3-dev)"
"$PL_PYTHON" -c 'import pytest' 2>/dev/null || skip "$PL_PYTHON has no pytest (Debian: python3-pytest)"

# The package from the source tree, its extension from the build tree
# (the package extends its path to it), the uninstalled library beside it.
PYTHONPATH="$PL_BUILD_DIR/python:$PL_SOURCE_DIR/python${PYTHONPATH:+:$PYTHONPATH}"
LD_LIBRARY_PATH="$PL_BUILD_DIR/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# Nothing is written into the source tree (read-only under distcheck).
PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH LD_LIBRARY_PATH PYTHONDONTWRITEBYTECODE

# A build with AddressSanitizer: the runtime must be loaded before the
# interpreter's own libraries, and Python's allocations at exit are not
# leaks of ours.
so="$PL_BUILD_DIR/python/patchlevel/_patchlevel.so"
if [ -f "$so" ] && ldd "$so" 2>/dev/null | grep -q libasan; then
  LD_PRELOAD=$(${CC:-cc} -print-file-name=libasan.so)
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
  export LD_PRELOAD ASAN_OPTIONS
fi

"$PL_PYTHON" -c 'import patchlevel, sys; print("patchlevel", patchlevel.version(), "from", patchlevel.__file__, "with", sys.executable)' || {
  echo "FAIL: the built bindings do not import"
  exit 1
}
exec "$PL_PYTHON" -m pytest -q -p no:cacheprovider -o console_output_style=classic "$PL_SOURCE_DIR/tests/python" "$@"
