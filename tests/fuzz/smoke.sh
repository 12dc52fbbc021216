#!/usr/bin/env bash
# Build the fuzz targets, make the seed corpora, replay every kept crash
# (tests/fuzz/regressions/<target>/), then fuzz each target for SECONDS.
#
#   tests/fuzz/smoke.sh [SECONDS]          (default 20 per target)
#   FUZZ_JOBS=1 tests/fuzz/smoke.sh 60     one target at a time (default 2)
#   FUZZ_TARGETS="mum hive" tests/fuzz/smoke.sh   only these targets
#   FUZZ_OUT=/some/dir                     build/work directory (default _build-fuzz)
#   FUZZ_SEED=N                            libFuzzer -seed (default: random; with
#       CI=true: 1, so that a CI run explores the same inputs each time and a
#       crash deep in a system library cannot make it flaky)
#   FUZZ_KEEP_GOING=1 tests/fuzz/smoke.sh 900   long runs: libFuzzer's fork mode
#       (-fork=1 -ignore_crashes/timeouts/ooms), so that a crash is saved and the
#       run goes on; the target still counts as FAILED, with the crash count
#
# Exit 0 when every regression input and every fuzzing run finished clean;
# 1 on any crash, leak, timeout, sanitizer report or build failure. The
# growing corpus of each target is kept in FUZZ_OUT/corpus/<target> (seeds
# are re-read every run), crashing inputs in FUZZ_OUT/artifacts/<target>/,
# and the full libFuzzer log in FUZZ_OUT/logs/<target>.log.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${FUZZ_OUT:-$REPO/_build-fuzz}
export FUZZ_OUT=$OUT
SECONDS_EACH=${1:-20}
JOBS=${FUZZ_JOBS:-2}
TARGETS=(${FUZZ_TARGETS:-pe_version mum catalog hive hive_log disk tree compat6002 ntfs_index vhd_dynamic io_counter wim_image})

[[ $SECONDS_EACH =~ ^[0-9]+$ ]] || { echo "usage: smoke.sh [SECONDS]" >&2; exit 2; }

"$HERE/build.sh" > "$OUT.build.log" 2>&1 || {
    cat "$OUT.build.log" >&2
    echo "smoke.sh: build failed" >&2
    exit 1
}
rm -f "$OUT.build.log"
"$HERE/make-seeds.sh" "$OUT/seeds" > /dev/null || { echo "smoke.sh: make-seeds.sh failed" >&2; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0:handle_abort=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$HERE/lsan.supp:print_suppressions=0}
mkdir -p "$OUT/logs"
# The targets' private directories: removed by each target at exit, but a
# crashing target cannot, so keep them in OUT rather than in /tmp.
rm -rf "$OUT/tmp"
mkdir -p "$OUT/tmp"
export TMPDIR=$OUT/tmp
status=0

# ---- regressions: every kept input must now pass -------------------------------
for t in "${TARGETS[@]}"; do
    dir=$HERE/regressions/$t
    shopt -s nullglob
    inputs=("$dir"/*)
    shopt -u nullglob
    (( ${#inputs[@]} )) || continue
    if "$OUT/bin/fuzz_$t" -timeout=60 -rss_limit_mb=4096 "${inputs[@]}" \
           < /dev/null > "$OUT/logs/$t.regressions.log" 2>&1; then
        printf '%-11s regressions: %d inputs ok\n' "$t" "${#inputs[@]}"
    else
        printf '%-11s regressions: FAILED (see %s)\n' "$t" "$OUT/logs/$t.regressions.log"
        status=1
    fi
done

# ---- fuzzing -----------------------------------------------------------------
run_one() { # target
    local t=$1 dict=() corpus=$OUT/corpus/$1 art=$OUT/artifacts/$1/
    mkdir -p "$corpus" "$art"
    rm -f "$OUT/logs/$t.rc" "$OUT/logs/$t.time"
    local start=$SECONDS
    [[ -f $HERE/$t.dict ]] && dict=(-dict="$HERE/$t.dict")
    # Disk seeds reach 2 MiB; libFuzzer would cut them at 1 MiB by default.
    [[ $t == disk ]] && dict+=(-max_len=2097152)
    if [[ -n ${FUZZ_SEED:-} ]]; then dict+=(-seed="$FUZZ_SEED")
    elif [[ ${CI:-} == true ]]; then dict+=(-seed=1); fi
    [[ -n ${FUZZ_KEEP_GOING:-} ]] &&
        dict+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    "$OUT/bin/fuzz_$t" "${dict[@]}" -max_total_time="$SECONDS_EACH" -timeout=30 \
        -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$art" \
        "$corpus" "$OUT/seeds/$t" < /dev/null > "$OUT/logs/$t.log" 2>&1
    echo $? > "$OUT/logs/$t.rc"
    echo $((SECONDS - start)) > "$OUT/logs/$t.time"
}

if (( SECONDS_EACH > 0 )); then
    running=0
    for t in "${TARGETS[@]}"; do
        run_one "$t" &
        running=$((running + 1))
        if (( running >= JOBS )); then wait -n; running=$((running - 1)); fi
    done
    wait
    for t in "${TARGETS[@]}"; do
        log=$OUT/logs/$t.log
        rc=$(cat "$OUT/logs/$t.rc" 2>/dev/null || echo 99)
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        cov=$(grep -ao 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
        bad=
        if [[ -n ${FUZZ_KEEP_GOING:-} ]]; then  # fork mode: "#N: cov: ... oom/timeout/crash: a/b/c"
            execs=$(sed -n 's/^#\([0-9]*\): cov:.*/\1/p' "$log" | tail -n 1)
            bad=$(grep -ao 'oom/timeout/crash: [0-9/]*' "$log" | tail -n 1 | cut -d' ' -f2)
            [[ -z $bad || $bad == 0/0/0 ]] || rc=1
        fi
        corp=$(find "$OUT/corpus/$t" -type f | wc -l)
        if [[ $rc == 0 ]]; then
            result=ok
        else
            status=1
            kind=$(grep -a -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer): [a-zA-Z -]+|runtime error: .*|property violated: .*' "$log")
            art=$(grep -a -m1 -o "Test unit written to .*" "$log" | sed 's/Test unit written to //')
            result="FAILED (rc $rc) ${kind:-see $log}${art:+ -> $art}"
            [[ -n $bad ]] && result="FAILED: oom/timeout/crash $bad, inputs in $OUT/artifacts/$t/"
        fi
        took=$(cat "$OUT/logs/$t.time" 2>/dev/null || echo '?')
        printf '%-11s %6ss  %10s execs  cov %5s  corpus %5s  %s\n' "$t" "$took" \
            "${execs:-?}" "${cov:-?}" "$corp" "$result"
    done
fi
exit $status
