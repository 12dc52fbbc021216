#!/usr/bin/env bash
# Benchmark 1: patchlevel versus the shortest pipeline of the libraries' own
# tools reading the same evidence, on the same inputs, side by side.
#
#   disk (raw and dynamic VHD): bench/tsk-pipeline.sh = mmls, ifind/icat of
#       ntoskrnl.exe, kernel32.dll, SOFTWARE, SYSTEM, fls of
#       Windows/servicing/Packages and icat of every .mum (one process per file)
#   WIM: bench/wim-extract.sh = one `wimlib-imagex extract` of the same files
#       (wildcard for the .mum); "+ rm" removes them afterwards, as patchlevel
#       removes its temporary directory (on a filesystem mounted with
#       `discard`, unlinking the extracted files costs more than extracting);
#       the same again with the temporary files on tmpfs (/dev/shm)
#   tree: patchlevel on the extracted tree, for reference (no alternative)
#
# Inputs: bench/make-inputs.sh (full.raw, full.vhd, full.wim, tree-full).
# Spec target (§6): patchlevel no slower than the pipeline (ratio >= 1.00x).
# Env: BENCH_RUNS (5), BENCH_PIPE_RUNS (3: the icat pipeline spawns ~1,650
# processes per run), PATCHLEVEL, BENCH_DIR.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_patchlevel
need mmls sleuthkit
need icat sleuthkit
need wimlib-imagex wimtools
need_inputs full.raw full.vhd full.wim tree-full
PIPE_RUNS=${BENCH_PIPE_RUNS:-3}

D=$BENCH_DIR
OUT=$(mktemp -d "${TMPDIR:-/tmp}/pl-bench-tools.XXXXXX")
trap 'rm -rf "$OUT" "$RESULTS"' EXIT

# Check first that every command works and that both sides read the same files.
"$PATCHLEVEL" -f json -o "$OUT/full.json" "$D/full.raw"
nmum=$(grep -c '"mum": "' "$OUT/full.json" || true)
bash "$BENCH_SRC/tsk-pipeline.sh" "$D/full.raw" "$OUT/tsk-check"
ntsk=$(find "$OUT/tsk-check" -name '*.mum' | wc -l)
cmp -s "$OUT/tsk-check/SOFTWARE" "$D/tree-full/Windows/System32/config/SOFTWARE" ||
    die "the TSK pipeline did not extract SOFTWARE intact"
bash "$BENCH_SRC/wim-extract.sh" "$D/full.wim" "$OUT/wim-check"
nwim=$(find "$OUT/wim-check" -name '*.mum' | wc -l)
log "evidence: patchlevel reads $nmum .mum, the TSK pipeline extracts $ntsk, wimextract $nwim"
SHM=
[[ -d /dev/shm && -w /dev/shm ]] && SHM=/dev/shm

log "timing (BENCH_RUNS=$BENCH_RUNS, pipeline runs $PIPE_RUNS) with $(timer_name)"
PL="$PATCHLEVEL -f json -o /dev/null"
bench_cmd "patchlevel full.raw" "$PL $D/full.raw"
bench_cmd "TSK pipeline full.raw" "bash $BENCH_SRC/tsk-pipeline.sh --rm $D/full.raw $OUT/x" "$PIPE_RUNS"
bench_cmd "patchlevel full.vhd" "$PL $D/full.vhd"
bench_cmd "TSK pipeline full.vhd" "bash $BENCH_SRC/tsk-pipeline.sh --rm $D/full.vhd $OUT/x" "$PIPE_RUNS"
bench_cmd "patchlevel full.wim" "$PL $D/full.wim"
bench_cmd "wimextract full.wim + rm" "bash $BENCH_SRC/wim-extract.sh --rm $D/full.wim $OUT/x"
bench_cmd "wimextract full.wim (rm untimed)" "bash $BENCH_SRC/wim-extract.sh $D/full.wim $OUT/x" \
    "$BENCH_RUNS" "rm -rf $OUT/x"
if [[ -n $SHM ]]; then
    bench_cmd "patchlevel full.wim, TMPDIR=$SHM" "env TMPDIR=$SHM $PL $D/full.wim"
    bench_cmd "wimextract full.wim + rm, to $SHM" \
        "bash $BENCH_SRC/wim-extract.sh --rm $D/full.wim $SHM/pl-bench-wimx.$$"
fi
bench_cmd "patchlevel tree-full" "$PL $D/tree-full"

echo
echo "### Benchmark 1: patchlevel vs the libraries' own tools (same inputs, one run)"
echo
echo "$(pl_version); $(mmls -V 2>&1 | head -1); $(wimlib-imagex --version | head -1); $(timer_name)"
echo "input: $(stat -c %s "$D/full.raw") B raw disk / $(stat -c %s "$D/full.vhd") B VHD / $(stat -c %s "$D/full.wim") B WIM; $nmum .mum, SOFTWARE $(stat -c %s "$D/tree-full/Windows/System32/config/SOFTWARE") B; temporary files in ${TMPDIR:-/tmp} ($(df --output=fstype "${TMPDIR:-/tmp}" | tail -1))"
echo
table_header "command" "time / patchlevel"
table_row "patchlevel full.raw" "patchlevel full.raw"
table_row "patchlevel full.raw" "TSK pipeline full.raw"
table_row "patchlevel full.vhd" "patchlevel full.vhd"
table_row "patchlevel full.vhd" "TSK pipeline full.vhd"
table_row "patchlevel full.wim" "patchlevel full.wim"
table_row "patchlevel full.wim" "wimextract full.wim + rm"
table_row "patchlevel full.wim" "wimextract full.wim (rm untimed)"
if [[ -n $SHM ]]; then
    table_row "patchlevel full.wim, TMPDIR=$SHM" "patchlevel full.wim, TMPDIR=$SHM"
    table_row "patchlevel full.wim, TMPDIR=$SHM" "wimextract full.wim + rm, to $SHM"
fi
table_row "patchlevel tree-full" "patchlevel tree-full"
echo
verdict() { # PL ALT
    awk -v p="$(result "$1")" -v a="$(result "$2")" -v n="$2" 'BEGIN {
        printf "%s: %s (patchlevel takes %.2fx its time)\n", n, (p <= a ? "OK, patchlevel not slower" : "FAIL, patchlevel slower"), p / a }'
}
verdict "patchlevel full.raw" "TSK pipeline full.raw"
verdict "patchlevel full.vhd" "TSK pipeline full.vhd"
verdict "patchlevel full.wim" "wimextract full.wim + rm"
[[ -z $SHM ]] || verdict "patchlevel full.wim, TMPDIR=$SHM" "wimextract full.wim + rm, to $SHM"
