#!/usr/bin/env bash
# Benchmark 5: server size (spec §6). patchlevel on a server-size image
# (bench/make-inputs.sh server: ~240k MFT entries, 40k WinSxS component
# directories, 20k manifests, 8k packages with .mum + .cat, SOFTWARE ~90 MB)
# and on the same at half size, side by side in one run with:
#
#   floor      bench/gen/floor.c: one process of The Sleuth Kit opening the
#              evidence files by MFT record number and reading them (no
#              directory listing, no MFT sweep). The record numbers are
#              found with ifind/fls before timing. Target: raw <= 2x floor.
#   raw / VHD  the same disk as a dynamic VHD. Target: VHD <= 1.5x raw.
#   WIM        wimlib-imagex extract of the same files + rm, temporary files on
#              the same filesystem (TMPDIR). Target: patchlevel <= extract.
#   bytes      bytes_read of the JSON (bytes read from the input's files,
#              for every container: man page) versus the bytes of the
#              evidence (ntoskrnl, kernel32, SOFTWARE, SYSTEM, every .mum
#              read). Target: <= 2x, on every container. A WIM reads less
#              than the evidence: it is compressed.
#   memory     peak RSS (GNU time) versus the SOFTWARE hive (the largest).
#   linearity  server / half of each time, beside server / half of entries.
#
# Times are medians of BENCH_RUNS (default 5) after a warm-up, warm cache.
# The load average before and after is printed: this is a shared machine.
#
# bench-server.sh --linearity (bench/bench-linearity.sh): only the floor and
# patchlevel on the raw disk and on the tree, at both sizes, the runs of
# all six commands interleaved (so that a change of load hits every one
# alike), wall and CPU (user + system) medians, and the growth from half
# to server size of each beside the growth of entries, packages and hive.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_patchlevel
need ifind sleuthkit
need fls sleuthkit
need wimlib-imagex wimtools
[[ -x /usr/bin/time ]] || die "/usr/bin/time missing: install the Debian package time"
SIZES=${BENCH_SERVER_SIZES:-half server}
LINEAR=
[[ ${1:-} == --linearity ]] && LINEAR=1
CONTAINERS="raw vhd wim"
[[ -n $LINEAR ]] && CONTAINERS=raw
D=$BENCH_DIR
for s in $SIZES; do
    for c in $CONTAINERS; do need_inputs "$s.$c"; done
    need_inputs "tree-$s"
done
OUT=$(mktemp -d "${TMPDIR:-/tmp}/pl-bench-server.XXXXXX")
trap 'rm -rf "$OUT" "$RESULTS"' EXIT
mkdir -p "$D/bin"
gcc -std=c11 -O2 -Wall -Wextra -o "$D/bin/floor" "$BENCH_SRC/gen/floor.c" \
    $(pkg-config --cflags --libs tsk)
OFF=1048576   # make-inputs.sh puts the NTFS volume at 1 MiB
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

ROWS=$OUT/rows
: >"$ROWS"
# prepare SIZE: JSON of each container, evidence list and bytes, inode list
prepare() {
    local s=$1 tree=$D/tree-$1 c
    for c in $CONTAINERS; do
        /usr/bin/time -f '%M' -o "$OUT/$s.$c.rss" "$PATCHLEVEL" -f json -o "$OUT/$s.$c.json" "$D/$s.$c"
    done
    sed -n 's/^ *"mum": "\(.*\)",\{0,1\}$/\1/p' "$OUT/$s.raw.json" | sort -u >"$OUT/$s.mums"
    local core=(Windows/System32/ntoskrnl.exe Windows/System32/kernel32.dll
        Windows/System32/config/SOFTWARE Windows/System32/config/SYSTEM) f pk
    for f in "${core[@]}"; do
        ifind -o $((OFF / 512)) -n "/$f" "$D/$s.raw"
    done >"$OUT/$s.inodes"
    pk=$(ifind -o $((OFF / 512)) -n /Windows/servicing/Packages "$D/$s.raw")
    # fls: "r/r 1234-128-1:<TAB>name"; keep the .mum patchlevel read
    fls -o $((OFF / 512)) "$D/$s.raw" "$pk" |
        awk -F'\t' -v list="$OUT/$s.mums" 'BEGIN { while ((getline l < list) > 0) { sub(/.*\//, "", l); want[l] = 1 } }
            { split($1, a, " "); split(a[2], b, "-"); sub(/:$/, "", b[1]); if ($2 in want) print b[1] }' \
            >>"$OUT/$s.inodes"
    local nmum ev entries
    nmum=$(wc -l <"$OUT/$s.mums")
    (($(wc -l <"$OUT/$s.inodes") == nmum + 4)) ||
        die "$s: found $(($(wc -l <"$OUT/$s.inodes") - 4)) of the $nmum .mum patchlevel read"
    ev=$( (cd "$tree" && { printf '%s\n' "${core[@]}"; cat "$OUT/$s.mums"; } | tr '\n' '\0' |
        xargs -0 stat -c %s) | awk '{ s += $1 } END { print s }')
    entries=$(find "$tree" | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\n' "$s" "$ev" "$nmum" "$entries" \
        "$(stat -c %s "$tree/Windows/System32/config/SOFTWARE")" >>"$ROWS"
    "$D/bin/floor" "$D/$s.raw" "$OFF" "$OUT/$s.inodes" >"$OUT/$s.floor"
    log "$s: $entries entries, $nmum .mum, evidence $ev B; floor: $(cat "$OUT/$s.floor")"
}
# --linearity: BENCH_RUNS rounds (after one warm-up round), each running
# the floor, raw and tree of every size once, in turn; per command the
# median wall time and the median CPU time (user + system, GNU time).
linearity() {
    local runs=$BENCH_RUNS r s k cmd
    local -a labels=() cmds=()
    for s in $SIZES; do
        labels+=("floor $s" "raw $s" "tree $s")
        cmds+=("$D/bin/floor $D/$s.raw $OFF $OUT/$s.inodes" "$PATCHLEVEL -f json -o /dev/null $D/$s.raw"
            "$PATCHLEVEL -f json -o /dev/null $D/tree-$s")
    done
    log "linearity: $runs rounds of ${#cmds[@]} commands, interleaved"
    for ((r = 0; r <= runs; r++)); do
        for k in "${!cmds[@]}"; do
            read -ra cmd <<<"${cmds[$k]}"
            /usr/bin/time -f '%e %U %S' -o "$OUT/t" "${cmd[@]}" >/dev/null 2>&1 ||
                die "failed: ${cmds[$k]}"
            ((r == 0)) || awk -v l="${labels[$k]}" '{ printf "%s\t%s\t%.2f\n", l, $1, $2 + $3 }' "$OUT/t" >>"$OUT/lin"
        done
    done
    LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
    # median of column c (2 wall, 3 CPU) of label l
    lmed() { awk -F'\t' -v l="$1" -v c="$2" '$1 == l { print $c }' "$OUT/lin" | sort -g |
        awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
    lratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
    echo
    echo "### Linearity: half and server size side by side (medians of $runs interleaved rounds, warm cache)"
    echo
    echo "$(pl_version); $(ifind -V 2>&1 | head -1)"
    echo "$(nproc) cores; load average $LOAD0 before, $LOAD1 after; $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "| size | entries | .mum | SOFTWARE | floor wall / CPU | raw wall / CPU | tree wall / CPU | raw / floor (wall, CPU) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    while IFS=$'\t' read -r s ev nmum entries soft; do
        printf '| %s | %s | %s | %.1f MB | %s / %s s | %s / %s s | %s / %s s | %s, %s |\n' "$s" "$entries" "$nmum" \
            "$(awk -v b="$soft" 'BEGIN { print b / 1e6 }')" \
            "$(lmed "floor $s" 2)" "$(lmed "floor $s" 3)" "$(lmed "raw $s" 2)" "$(lmed "raw $s" 3)" \
            "$(lmed "tree $s" 2)" "$(lmed "tree $s" 3)" \
            "$(lratio "$(lmed "raw $s" 2)" "$(lmed "floor $s" 2)")" "$(lratio "$(lmed "raw $s" 3)" "$(lmed "floor $s" 3)")"
    done <"$ROWS"
    set -- $SIZES
    (($# >= 2)) || return 0
    local a=$1 b=${!#} col
    col() { awk -F'\t' -v s="$1" -v c="$2" '$1 == s { print $c }' "$ROWS"; }
    echo
    echo "growth $a -> $b: entries $(lratio "$(col "$b" 4)" "$(col "$a" 4)"), .mum $(lratio "$(col "$b" 3)" "$(col "$a" 3)"), SOFTWARE $(lratio "$(col "$b" 5)" "$(col "$a" 5)"), evidence $(lratio "$(col "$b" 2)" "$(col "$a" 2)")"
    for k in floor raw tree; do
        echo "growth $a -> $b: $k wall $(lratio "$(lmed "$k $b" 2)" "$(lmed "$k $a" 2)"), CPU $(lratio "$(lmed "$k $b" 3)" "$(lmed "$k $a" 3)")"
    done
}
for s in $SIZES; do prepare "$s"; done
[[ -n $LINEAR ]] && { linearity; exit 0; }

log "timing (BENCH_RUNS=$BENCH_RUNS) with $(timer_name)"
PL="$PATCHLEVEL -f json -o /dev/null"
for s in $SIZES; do
    bench_cmd "floor $s.raw" "$D/bin/floor $D/$s.raw $OFF $OUT/$s.inodes"
    bench_cmd "patchlevel $s.raw" "$PL $D/$s.raw"
    bench_cmd "patchlevel $s.vhd" "$PL $D/$s.vhd"
    bench_cmd "patchlevel $s.wim" "$PL $D/$s.wim"
    bench_cmd "wimextract $s.wim + rm" "bash $BENCH_SRC/wim-extract.sh --rm $D/$s.wim $OUT/x"
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

med() { result "$1" 6; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
ok() { awk -v r="${1%x}" -v t="$2" 'BEGIN { print (r <= t ? "OK" : "FAIL") }'; }
bytes_read() { sed -n 's/^ *"bytes_read": \([0-9]*\).*/\1/p' "$1" | tail -1; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

echo
echo "### Benchmark 5: server size (medians of $BENCH_RUNS runs, warm cache)"
echo
echo "$(pl_version); $(ifind -V 2>&1 | head -1); $(wimlib-imagex --version | head -1); $(timer_name)"
echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); load average $LOAD0 before, $LOAD1 after; $(date -u '+%Y-%m-%d %H:%M UTC'); TMPDIR ${TMPDIR:-/tmp} ($(df --output=fstype "${TMPDIR:-/tmp}" | tail -1))"
echo
echo "| input | entries | .mum | SOFTWARE | floor | raw | raw / floor | VHD | VHD / raw | WIM | wimextract + rm | WIM / extract |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
while IFS=$'\t' read -r s ev nmum entries soft; do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$s" "$entries" "$nmum" "$(mib "$soft")" \
        "$(fmt_time "$(med "floor $s.raw")")" "$(fmt_time "$(med "patchlevel $s.raw")")" \
        "$(ratio "$(med "patchlevel $s.raw")" "$(med "floor $s.raw")")" \
        "$(fmt_time "$(med "patchlevel $s.vhd")")" \
        "$(ratio "$(med "patchlevel $s.vhd")" "$(med "patchlevel $s.raw")")" \
        "$(fmt_time "$(med "patchlevel $s.wim")")" "$(fmt_time "$(med "wimextract $s.wim + rm")")" \
        "$(ratio "$(med "patchlevel $s.wim")" "$(med "wimextract $s.wim + rm")")"
done <"$ROWS"
echo
echo "| input | evidence | read raw | raw / ev. | read VHD | VHD / ev. | read WIM | WIM / ev. | peak RSS raw / VHD / WIM | RSS - SOFTWARE (max) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
while IFS=$'\t' read -r s ev nmum entries soft; do
    r=$(bytes_read "$OUT/$s.raw.json") v=$(bytes_read "$OUT/$s.vhd.json") w=$(bytes_read "$OUT/$s.wim.json")
    rss=() maxrss=0
    for c in raw vhd wim; do
        k=$(grep -E '^[0-9]+$' "$OUT/$s.$c.rss")
        rss+=("$((k / 1024))")
        ((k > maxrss)) && maxrss=$k
    done
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s MiB | %s |\n' "$s" "$(mib "$ev")" \
        "$(mib "$r")" "$(ratio "$r" "$ev")" "$(mib "$v")" "$(ratio "$v" "$ev")" "$(mib "$w")" \
        "$(ratio "$w" "$ev")" "${rss[0]} / ${rss[1]} / ${rss[2]}" "$(mib $((maxrss * 1024 - soft)))"
done <"$ROWS"
echo
# targets, on the largest size
last=${SIZES##* }
IFS=$'\t' read -r _ ev _ _ _ < <(awk -F'\t' -v s="$last" '$1 == s' "$ROWS")
t=$(ratio "$(med "patchlevel $last.raw")" "$(med "floor $last.raw")"); echo "$last raw / floor = $t (target <= 2x): $(ok "$t" 2)"
t=$(ratio "$(med "patchlevel $last.vhd")" "$(med "patchlevel $last.raw")"); echo "$last VHD / raw = $t (target <= 1.5x): $(ok "$t" 1.5)"
t=$(ratio "$(med "patchlevel $last.wim")" "$(med "wimextract $last.wim + rm")"); echo "$last WIM / wimextract + rm = $t (target <= 1x): $(ok "$t" 1)"
for c in raw vhd wim; do
    t=$(ratio "$(bytes_read "$OUT/$last.$c.json")" "$ev"); echo "$last $c bytes read / evidence = $t (target <= 2x): $(ok "$t" 2)"
done
set -- $SIZES
if (($# >= 2)); then
    a=$1 b=${!#}
    ea=$(awk -F'\t' -v s="$a" '$1 == s { print $4 }' "$ROWS") eb=$(awk -F'\t' -v s="$b" '$1 == s { print $4 }' "$ROWS")
    echo "linearity $b / $a: entries $(ratio "$eb" "$ea"); time raw $(ratio "$(med "patchlevel $b.raw")" "$(med "patchlevel $a.raw")"), VHD $(ratio "$(med "patchlevel $b.vhd")" "$(med "patchlevel $a.vhd")"), WIM $(ratio "$(med "patchlevel $b.wim")" "$(med "patchlevel $a.wim")"), floor $(ratio "$(med "floor $b.raw")" "$(med "floor $a.raw")")"
fi
