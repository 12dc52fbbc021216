#!/usr/bin/env bash
# Benchmark 3: bytes patchlevel reads from a disk image versus the bytes of the
# evidence itself. Spec target (§6): within 2x.
#
#   evidence = the sizes of ntoskrnl.exe, kernel32.dll (files.*.size in the
#   JSON), the SOFTWARE and SYSTEM hives and every .mum file patchlevel read
#   (updates.packages[].mum), taken from the tree the image was built from
#   read     = bytes_read of the JSON (the bytes read from the image file:
#   the kernel's rchar count of the analysing thread, man page; the
#   filesystem and partition code ask in 64 KiB cache blocks)
#
# Images: large.raw (SOFTWARE ~56 MB, 5,017 CBS packages: the target case),
# full.raw (SOFTWARE ~8 MB, 817 packages) and the small fixture
# fixtures/disks/mbr-sysres.raw (for scale: there the fixed costs dominate).
# Each is run once (timed); BENCH_BYTES_TIMEOUT (default 900 s) stops a run
# that takes too long, which is then reported as such.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_patchlevel
need_inputs large.raw full.raw tree-large tree-full
[[ -x /usr/bin/time ]] || die "/usr/bin/time missing: install the Debian package time"
TIMEOUT=${BENCH_BYTES_TIMEOUT:-900}
D=$BENCH_DIR
OUT=$(mktemp -d "${TMPDIR:-/tmp}/pl-bench-bytes.XXXXXX")
trap 'rm -rf "$OUT" "$RESULTS"' EXIT

ROWS=$OUT/rows
: >"$ROWS"
# measure LABEL IMAGE TREE
measure() {
    local label=$1 img=$2 tree=$3 json=$OUT/$1.json t0 t1 rc=0
    log "$label: patchlevel $(basename "$img")"
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$OUT/$label.rss" timeout "$TIMEOUT" "$PATCHLEVEL" -f json -o "$json" "$img" ||
        rc=$?
    t1=$(date +%s%N)
    local rss
    rss=$(awk '/^[0-9]+$/ { printf "%.1f MiB", $1 / 1024 }' "$OUT/$label.rss")
    if ((rc == 124)); then
        printf '%s\t%s\t-\t-\t-\t-\ttimeout after %s s\t-\n' "$label" "$(basename "$img")" "$TIMEOUT" >>"$ROWS"
        return
    fi
    local read ev k32 ntos soft syst mums nmum
    read=$(sed -n 's/^ *"bytes_read": \([0-9]*\).*/\1/p' "$json" | tail -1)
    ntos=$(stat -c %s "$tree"/Windows/System32/ntoskrnl.exe)
    k32=$(stat -c %s "$tree"/Windows/System32/kernel32.dll)
    soft=$(stat -c %s "$tree"/Windows/System32/config/SOFTWARE)
    syst=$(stat -c %s "$tree"/Windows/System32/config/SYSTEM)
    # the .mum paths patchlevel read, relative to the volume root = the tree
    sed -n 's/^ *"mum": "\(.*\)",\{0,1\}$/\1/p' "$json" | sort -u >"$OUT/$label.mums"
    nmum=$(wc -l <"$OUT/$label.mums")
    mums=$( (cd "$tree" && tr '\n' '\0' <"$OUT/$label.mums" | xargs -0 -r stat -c %s) |
        awk '{ s += $1 } END { print s + 0 }')
    ev=$((ntos + k32 + soft + syst + mums))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$(basename "$img")" "$ev" "$read" \
        "$(awk -v r="$read" -v e="$ev" 'BEGIN { printf "%.2fx", r / e }')" \
        "$(awk -v d="$((t1 - t0))" 'BEGIN { printf "%.2f s", d / 1e9 }')" \
        "SOFTWARE $soft B, $nmum .mum ($mums B)" "$rss" >>"$ROWS"
}

measure large "$D/large.raw" "$D/tree-large"
measure full "$D/full.raw" "$D/tree-full"
if [[ -f $FIX/disks/mbr-sysres.raw ]]; then
    measure fixture "$FIX/disks/mbr-sysres.raw" "$FIX/trees/ws2008-6003-rollups"
fi

echo
echo "### Benchmark 3: bytes read versus bytes of evidence (target: within 2x)"
echo
pl_version
echo
echo "| image | evidence bytes | bytes read | read / evidence | time (1 run) | peak RSS | evidence |"
echo "|---|---:|---:|---:|---:|---:|---|"
awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6, $8, $7 }' "$ROWS"
echo
awk -F'\t' '$1 == "large" {
    if ($5 == "-") print "large.raw: FAIL (" $7 ")";
    else { r = $5; sub(/x$/, "", r); print "large.raw: " (r <= 2 ? "OK" : "FAIL") ", read/evidence = " $5 " (target <= 2x)" } }' "$ROWS"
