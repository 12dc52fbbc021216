#!/usr/bin/env bash
# The valgrind pass: every unit, end-to-end and fault test program runs
# under memcheck, and the patchlevel program those tests start runs under
# memcheck too (PL_PROGRAM_WRAPPER, see tests/e2e/e2e.c), so an invalid
# read or a leak anywhere fails the pass.
#
#   tests/valgrind.sh [-b BUILD_DIR] [-j N] [--subset] [--corpus] [TEST...]
#
#   -b BUILD_DIR  a configured and built tree (default: _build/plain next to
#                 this script's repository); its test programs are built here
#                 with `make check TESTS=` (nothing run by make)
#   -j N          test programs at once (default: the number of CPUs)
#   --subset      the representative subset (see SUBSET below) instead of all
#   --corpus      also the corpus tier (tests/corpus; slow: real images)
#   TEST...       only these programs (e.g. tests/faults/test_faults_ntfs)
#
# Test programs: valgrind --leak-check=full --errors-for-leak-kinds=
# definite,indirect --error-exitcode=1, with CK_FORK=no so that Check runs
# the tests in the process valgrind watches. The program under test:
# the same options with --error-exitcode=99, which e2e_exec turns into a
# test failure showing valgrind's report. Suppressions: tests/valgrind.supp
# (third-party leaks only, each entry documented there).
#
# A program passes when it exits 0 and valgrind's own summary for it says
# 0 errors. An XFAIL test of Makefile.am may fail its assertions (and so
# leak the test's own buffers: its leaks are not counted), never valgrind's
# checks of patchlevel. Logs: BUILD_DIR/valgrind-logs/<test>.log(.vg).
# Prints the time taken; exit 0 when every program passed.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=$HERE/../_build/plain
JOBS=$(nproc 2>/dev/null || echo 2)
SUBSET=0
CORPUS=0
ONLY=()
while (($#)); do
    case $1 in
    -b) BUILD=$2; shift 2 ;;
    -j) JOBS=$2; shift 2 ;;
    --subset) SUBSET=1; shift ;;
    --corpus) CORPUS=1; shift ;;
    -h | --help) sed -n '2,28p' "$0"; exit 0 ;;
    -*) echo "valgrind.sh: unknown option $1" >&2; exit 2 ;;
    *) ONLY+=("$1"); shift ;;
    esac
done

command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not found (apt-get install valgrind)" >&2; exit 2; }
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || { echo "valgrind.sh: no build directory" >&2; exit 2; }
[[ -f $BUILD/Makefile ]] || { echo "valgrind.sh: $BUILD is not configured" >&2; exit 2; }
SRC=$(sed -n 's/^abs_top_srcdir = //p' "$BUILD/Makefile")
CC_USED=$(sed -n 's/^CC = //p' "$BUILD/Makefile")
mkvar() { make -s -C "$BUILD" -f Makefile -f - print-var VAR="$1" <<'EOF'
print-var:
	@echo $($(VAR))
EOF
}
XFAIL=" $(mkvar XFAIL_TESTS) "

# The subset when the whole pass is too slow: one program per layer and
# every fault family (the fault programs run every damaged input once).
SUBSET_TESTS="tests/unit/test_pe_version tests/unit/test_mum tests/unit/test_hive_log
tests/unit/test_sources tests/unit/test_catalog tests/e2e/test_e2e_trees tests/e2e/test_e2e_wim
tests/e2e/test_e2e_hive tests/e2e/test_e2e_disks $(mkvar fault_tests)"

if ((${#ONLY[@]})); then
    TESTS="${ONLY[*]}"
elif ((SUBSET)); then
    TESTS=$SUBSET_TESTS
else
    TESTS="$(mkvar unit_tests) $(mkvar e2e_tests) $(mkvar fault_tests)"
    ((CORPUS)) && TESTS="$TESTS $(mkvar corpus_tests)"
fi
read -r -a TESTS <<<"$(echo "$TESTS" | tr '\n' ' ')"

echo "valgrind.sh: building in $BUILD"
make -s -C "$BUILD" -j"$JOBS" all >/dev/null || exit 2
make -s -C "$BUILD" -j"$JOBS" "${TESTS[@]}" >/dev/null || exit 2

SUPP=$HERE/valgrind.supp
VG_COMMON="--leak-check=full --errors-for-leak-kinds=definite,indirect --suppressions=$SUPP"
LOGS=$BUILD/valgrind-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"

export PL_FIXTURES=$SRC/fixtures PL_PROGRAM=$BUILD/patchlevel PL_SOURCE_DIR=$SRC CC=$CC_USED
export PL_CORPUS=${PL_CORPUS:-$SRC/../shared/corpus}
export PL_PROGRAM_WRAPPER="valgrind -q --error-exitcode=99 $VG_COMMON"
export CK_FORK=no

run_one() { # test -> prints "PASS|FAIL|XFAIL test seconds why"
    local t=$1 name log start rc errs why=""
    name=$(echo "$t" | tr / _)
    log=$LOGS/$name.log
    start=$(date +%s)
    # An XFAIL test fails an assertion, which under CK_FORK=no leaves its
    # own buffers behind: for those, leaks of the test program are not
    # counted (invalid accesses still are, and patchlevel's leaks too).
    local leaks=
    [[ $XFAIL == *" $t "* ]] && leaks=--errors-for-leak-kinds=none
    # shellcheck disable=SC2086
    (cd "$BUILD" && valgrind --error-exitcode=1 $VG_COMMON $leaks --log-file="$log.vg" "./$t") \
        >"$log" 2>&1
    rc=$?
    errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log.vg" | tail -1)
    local verdict=PASS
    if [[ ${errs:-x} != 0 ]]; then
        verdict=FAIL why="valgrind: ${errs:-no} errors in the test program"
    elif grep -q "PL_PROGRAM_WRAPPER reported errors" "$log"; then
        verdict=FAIL why="valgrind: errors in patchlevel (see the log)"
    elif ((rc == 77)); then
        verdict=SKIP
    elif ((rc != 0)); then
        if [[ $XFAIL == *" $t "* ]]; then verdict=XFAIL; else verdict=FAIL why="exit $rc"; fi
    fi
    echo "$verdict $t $(($(date +%s) - start))s $why"
}
export -f run_one
export LOGS BUILD VG_COMMON XFAIL

START=$(date +%s)
echo "valgrind.sh: ${#TESTS[@]} test programs, $JOBS at a time; logs in $LOGS"
RESULTS=$(printf '%s\n' "${TESTS[@]}" | xargs -P "$JOBS" -I{} bash -c 'run_one "$@"' _ {} |
    tee /dev/stderr)
ELAPSED=$(($(date +%s) - START))
FAILED=$(grep -c '^FAIL' <<<"$RESULTS")
printf 'valgrind.sh: %d failed of %d, %dm%02ds\n' "$FAILED" "${#TESTS[@]}" \
    $((ELAPSED / 60)) $((ELAPSED % 60))
((FAILED == 0))
