#!/usr/bin/env bash
# Benchmark 4: batch throughput over a library of small images with -j 1 and
# -j = number of cores, and peak memory per job.
#
# The library (bench/make-inputs.sh): BENCH_LIBRARY=300 copies of the fixture
# disks in every container format (raw, fixed VHD, sparse/stream VMDK, qcow2,
# E01) and qcow2 overlays 2-4 layers deep on the fixture qcow2 chain.
#
# Modes: `patchlevel -r LIB -j N -f jsonl` when patchlevel has -r/--jobs;
# otherwise (older builds) the inputs are given on the command line, split
# over N processes with xargs -P N. One process per image (xargs -n 1) is
# shown too, for the cost of a process per input. The mode used is printed.
# Memory: GNU time's maximum resident set size of a single-image run (small
# fixture, full.raw; large.raw is in bench-bytes.sh) and of whole runs (for -j N this is the
# largest single process: workers are separate processes).
# Spec target (§6): throughput scales with -j up to the cores; memory bounded.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_patchlevel
need_inputs library
[[ -x /usr/bin/time ]] || die "/usr/bin/time missing: install the Debian package time"
D=$BENCH_DIR
LIB=$D/library
CORES=$(nproc)
NIMG=$(find "$LIB" -type f -name 'img-*' | wc -l)
OUT=$(mktemp -d "${TMPDIR:-/tmp}/pl-bench-tp.XXXXXX")
trap 'rm -rf "$OUT" "$RESULTS"' EXIT
export PATCHLEVEL
RUN="$BENCH_SRC/run-library.sh"

if "$PATCHLEVEL" --help 2>&1 | grep -q -- '--jobs' && "$PATCHLEVEL" --help 2>&1 | grep -q -- '--recursive'; then
    MODE=native
    MODE_TEXT="patchlevel -r LIB -j N -f jsonl (built-in discovery and worker processes)"
else
    MODE=args
    MODE_TEXT="FALLBACK: this patchlevel has no -r/-j; inputs listed by find, split over N processes (xargs -P N)"
fi
log "mode: $MODE_TEXT"

# check: every image gives one JSONL line
check() { # MODE N
    bash "$RUN" "$1" "$2" "$LIB" "$OUT/check.jsonl"
    local lines errs
    lines=$(grep -c '"schema"' "$OUT/check.jsonl" || true)
    errs=$(grep -c '"errors": \[{' "$OUT/check.jsonl" || true)
    log "$1 -j$2: $lines reports for $NIMG images ($errs with errors)"
    ((lines == NIMG)) || die "$1 -j$2: $lines reports for $NIMG images"
}
check "$MODE" 1

log "timing (BENCH_RUNS=$BENCH_RUNS) with $(timer_name)"
bench_cmd "$MODE -j1" "bash $RUN $MODE 1 $LIB $OUT/r.jsonl"
bench_cmd "$MODE -j$CORES" "bash $RUN $MODE $CORES $LIB $OUT/r.jsonl"
bench_cmd "each -j1" "bash $RUN each 1 $LIB $OUT/r.jsonl" 3
bench_cmd "each -j$CORES" "bash $RUN each $CORES $LIB $OUT/r.jsonl" 3

# peak memory
rss() { # LABEL COMMAND...: max RSS in KiB
    local f=$OUT/time.$RANDOM
    /usr/bin/time -f '%M' -o "$f" "$@" >/dev/null 2>&1 || true
    tail -1 "$f"
}
declare -A MEM
MEM[small]=$(rss "$PATCHLEVEL" -f json -o /dev/null "$FIX/disks/mbr-sysres.qcow2")
[[ -f $D/full.raw ]] && MEM[full]=$(rss "$PATCHLEVEL" -f json -o /dev/null "$D/full.raw")
MEM[j1]=$(rss bash "$RUN" "$MODE" 1 "$LIB" "$OUT/m.jsonl")
MEM[jn]=$(rss bash "$RUN" "$MODE" "$CORES" "$LIB" "$OUT/m.jsonl")

echo
echo "### Benchmark 4: batch throughput over $NIMG images, and memory"
echo
echo "$(pl_version); $CORES cores; mode: $MODE_TEXT; $(timer_name)"
echo
echo "| run | wall time (mean ± sd) | images/s | speed-up vs -j1 |"
echo "|---|---:|---:|---:|"
row() { # LABEL BASE
    local m s b
    m=$(result "$1") s=$(result "$1" 4) b=$(result "$2")
    printf '| %s | %s ± %s | %s | %s |\n' "$1" "$(fmt_time "$m")" "$(fmt_time "$s")" \
        "$(awk -v n="$NIMG" -v m="$m" 'BEGIN { printf "%.0f", n / m }')" \
        "$(awk -v a="$b" -v m="$m" 'BEGIN { printf "%.2fx", a / m }')"
}
row "$MODE -j1" "$MODE -j1"
row "$MODE -j$CORES" "$MODE -j1"
row "each -j1" "$MODE -j1"
row "each -j$CORES" "$MODE -j1"
echo
echo "| run | peak RSS (max resident set of one process) |"
echo "|---|---:|"
kb() { awk -v k="$1" 'BEGIN { if (k == "") print "-"; else printf "%.1f MiB", k / 1024 }'; }
echo "| one small image (fixtures/disks/mbr-sysres.qcow2) | $(kb "${MEM[small]}") |"
[[ -n ${MEM[full]:-} ]] && echo "| full.raw (SOFTWARE 8 MB, 817 packages) | $(kb "${MEM[full]}") |"
echo "| whole library, $MODE -j1 | $(kb "${MEM[j1]}") |"
echo "| whole library, $MODE -j$CORES | $(kb "${MEM[jn]}") |"
echo
awk -v a="$(result "$MODE -j1")" -v b="$(result "$MODE -j$CORES")" -v c="$CORES" 'BEGIN {
    s = a / b; printf "scaling: -j%d is %.2fx -j1 (%s; ideal %dx)\n", c, s, (s >= 0.8 * c ? "OK" : "below 80% of ideal"), c }'
