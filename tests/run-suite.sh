#!/bin/bash
# The whole test suite, as CI runs it (.ci/run) and as the README tells you
# to: install what is missing, then in separate build directories
#   1. a normal build and `make check`,
#   2. the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer
#      (leaks included, any report fails the run),
#   3. valgrind memcheck over the unit, end-to-end and fault tests, and a
#      short libFuzzer smoke run of every fuzz target (tests/fuzz),
#   4. the summarize HTML page rendered in headless Chromium,
#   5. `make distcheck` (the tarball builds and passes its tests),
# and checks that no fixture or corpus file changed during all of it.
# The corpus tier runs when ../shared/corpus exists and skips otherwise.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)

sh scripts/install-deps-debian.sh
# Out-of-tree builds need a source tree that is not configured in place
# (the README's first command builds in place): clean that build first.
if [ -f config.status ]; then
  echo "== removing the in-tree build (make distclean) so the builds below can run"
  make distclean >/dev/null 2>&1 || rm -f config.status
fi
autoreconf -fi >/dev/null
export PL_CORPUS="${PL_CORPUS:-$top/../shared/corpus}"
# install-deps put python3-dev and python3-pytest here: the Python bindings'
# tests must run, not skip (also inside make distcheck).
export PL_REQUIRE_PYTHON=1

passed=0 failed=0 skipped=0

# The read-only guarantee: every fixture and corpus file is hashed before
# the suite and checked after it.
mkdir -p _build
hash_dirs=(-d "$top/fixtures")
[ -d "$PL_CORPUS" ] && hash_dirs+=(-d "$PL_CORPUS")
bash tests/check-fixtures-unchanged.sh "${hash_dirs[@]}" snapshot _build/fixtures.sha256
field() { # the number after "# NAME:" in a test-suite.log, 0 if none
  local n; n=$(sed -n "s/^# $2: *//p" "$1" 2>/dev/null | head -n 1)
  echo "${n:-0}"
}
count() { # add up the automake summary of one build directory
  local log=$1/test-suite.log
  if [ ! -f "$log" ]; then failed=$((failed + 1)); return; fi
  passed=$((passed + $(field "$log" PASS)))
  failed=$((failed + $(field "$log" FAIL) + $(field "$log" ERROR)))
  skipped=$((skipped + $(field "$log" SKIP)))
}
run_check() { # name, configure args...
  local dir=_build/$1; shift
  rm -rf "$dir" && mkdir -p "$dir"
  echo "== $dir: configure $*"
  (cd "$dir" && "$top/configure" -q "$@") || { failed=$((failed + 1)); return 1; }
  echo "== $dir: make check"
  local rc=0
  make -C "$dir" -j"$jobs" check >"$dir/make-check.out" 2>&1 || rc=$?
  grep -E '^(PASS|FAIL|SKIP|ERROR|XPASS):' "$dir/make-check.out" || true
  if [ $rc -ne 0 ]; then
    tail -n 40 "$dir/make-check.out"
    for log in $(grep -lE '^(FAIL|ERROR)' "$dir"/tests/*/*.trs 2>/dev/null); do
      echo "---- ${log%.trs}.log"; tail -n 60 "${log%.trs}.log"
    done
  fi
  count "$dir"
  return $rc
}

status=0
run_check plain || status=1
# Sanitizers: Check's fork mode would hide leaks in forked children, so the
# suite runs unforked here and LeakSanitizer sees every test.
CK_FORK=no ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
LSAN_OPTIONS="suppressions=$top/tests/lsan.supp" \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  run_check asan CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
  || status=1

echo "== valgrind memcheck over the unit, end-to-end and fault tests (and the program they run)"
if bash tests/valgrind.sh -b "$top/_build/plain" >_build/valgrind.out 2>&1; then
    tail -n 2 _build/valgrind.out
    passed=$((passed + 1))
else
    tail -n 40 _build/valgrind.out
    failed=$((failed + 1)); status=1
fi

echo "== fuzz smoke run: every libFuzzer target ${PL_FUZZ_SECONDS:-20} s, plus its regression inputs"
if bash tests/fuzz/smoke.sh "${PL_FUZZ_SECONDS:-20}" >_build/fuzz.out 2>&1; then
    grep -E ' ok$' _build/fuzz.out || true
    passed=$((passed + 1))
else
    tail -n 40 _build/fuzz.out
    failed=$((failed + 1)); status=1
fi

echo "== the summarize HTML page in headless Chromium"
set +e
PL_PROGRAM="$top/_build/plain/patchlevel" PL_FIXTURES="$top/fixtures" \
    bash tests/browser/check-summary-html.sh >_build/browser.out 2>&1
rc=$?
set -e
tail -n 3 _build/browser.out
case $rc in
0) passed=$((passed + 1)) ;;
77) skipped=$((skipped + 1)) ;;
*) failed=$((failed + 1)); status=1 ;;
esac

echo "== make distcheck"
if make -C _build/plain -j"$jobs" distcheck >_build/distcheck.out 2>&1; then
  grep -E 'archives ready for distribution|^patchlevel-.*tar.gz' _build/distcheck.out || true
  passed=$((passed + 1))
else
  tail -n 60 _build/distcheck.out
  failed=$((failed + 1)); status=1
fi

echo "== no fixture or corpus file changed"
if bash tests/check-fixtures-unchanged.sh "${hash_dirs[@]}" verify _build/fixtures.sha256; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); status=1
fi

echo "suite: $passed passed, $failed failed, $skipped skipped"
exit $status
