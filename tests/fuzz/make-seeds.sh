#!/usr/bin/env bash
# Build the seed corpora of the fuzz targets from the fixtures, into a
# scratch directory (never committed):
#
#   tests/fuzz/make-seeds.sh [OUTDIR]     (default: _build-fuzz/seeds)
#
# OUTDIR/<target>/ for each target of build.sh (target name without the
# "fuzz_" prefix: pe_version, mum, catalog, hive, hive_log, disk, tree,
# compat6002, ntfs_index, vhd_dynamic, io_counter, wim_image).
# OUTDIR is wiped first. Needs qemu-img (qemu-utils) for the raw conversions
# of the qcow2 disks; without it those seeds are skipped with a note.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
FIX=$REPO/fixtures
OUT=${1:-$REPO/_build-fuzz/seeds}
MAX_DISK=$((2 * 1024 * 1024))   # disk seeds stay below 2 MiB

rm -rf "$OUT"
mkdir -p "$OUT"/{pe_version,mum,catalog,hive,hive_log,disk,tree,compat6002,ntfs_index,vhd_dynamic,io_counter,wim_image}

# A seed named after its source, de-duplicated by content.
put() { # target src-file name
    local dst=$OUT/$1/$3
    cmp -s "$2" "$dst" 2>/dev/null && return 0
    cp "$2" "$dst"
}
slug() { echo "$1" | sed 's#^'"$FIX"'/##; s#[/~ ]#_#g'; }

# ---- PE files -----------------------------------------------------------------
for f in "$FIX"/pe/*; do put pe_version "$f" "$(basename "$f")"; done

# ---- .mum manifests (and pending.xml, XML all the same) -------------------------
declare -A seen=()
while IFS= read -r -d '' f; do
    h=$(md5sum < "$f" | cut -c1-12)
    if [[ -n ${seen[$h]:-} ]]; then continue; fi
    seen[$h]=1
    put mum "$f" "$h-$(basename "$f" | cut -c1-60)"
done < <(find "$FIX/trees" "$FIX/trees-dirty" -type f \( -iname '*.mum' -o -iname 'pending.xml' \) -print0 | sort -z)

# ---- scripts and settings (--find-6002-checks): the fixture tree's, as encoded there ----
while IFS= read -r -d '' f; do
    case $f in */config/*|*/[Ss]ervicing/*|*.exe|*.dll) continue ;; esac
    put compat6002 "$f" "$(slug "$f")"
done < <(find "$FIX/trees/ws2008-compat6002" -type f -print0 | sort -z)

# ---- the catalog: the shipped one, and its first 30 lines (fast to mutate) ----------
put catalog "$REPO/data/ws2008-sp2-catalog.csv" ws2008-sp2-catalog.csv
head -n 30 "$REPO/data/ws2008-sp2-catalog.csv" > "$OUT/catalog/catalog-head30.csv"
awk '!/^#/ && n++ < 12' "$REPO/data/ws2008-sp2-catalog.csv" > "$OUT/catalog/catalog-12rows.csv"

# ---- hives --------------------------------------------------------------------
seen=()
while IFS= read -r -d '' f; do
    h=$(md5sum < "$f" | cut -c1-12)
    if [[ -n ${seen[$h]:-} ]]; then continue; fi
    seen[$h]=1
    put hive "$f" "$h-$(slug "$f")"
# fixtures/faults/hives: damaged hives, so that the salvage paths
# (src/evidence/hive_salvage.c) are reached from the first input
done < <(find "$FIX/trees" "$FIX/trees-dirty" "$FIX/hives-dirty" "$FIX/faults/hives" -type f \
            \( -iname software -o -iname system -o -name 'SOFTWARE-*' \) -print0 | sort -z)

# ---- hive + log(s) for fuzz_hive_log: u32 LE header, hive, log data ---------------
le32() { # value -> 4 bytes little-endian
    printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) \
        $((($1 >> 16) & 255)) $((($1 >> 24) & 255)))"
}
hive_log_seed() { # name flag hive [log...]
    local name=$1 flag=$2 hive=$3
    shift 3
    local n
    n=$(stat -c %s "$hive")
    { le32 $((n | flag)); cat "$hive"; for l in "$@"; do cat "$l"; done; } > "$OUT/hive_log/$name"
}
HD=$FIX/hives-dirty
hive_log_seed dirty-old 0 "$HD/dirty-old/SOFTWARE" "$HD/dirty-old/SOFTWARE.LOG"
hive_log_seed dirty-old-log1 0 "$HD/dirty-old-log1/SOFTWARE" "$HD/dirty-old-log1/SOFTWARE.LOG1"
hive_log_seed dirty-new-log1 0 "$HD/dirty-new/SOFTWARE" "$HD/dirty-new/SOFTWARE.LOG1"
hive_log_seed dirty-new-both $((1 << 31)) "$HD/dirty-new/SOFTWARE" "$HD/dirty-new/SOFTWARE.LOG1" \
    "$HD/dirty-new/SOFTWARE.LOG2"
hive_log_seed dirty-nolog 0 "$HD/dirty-nolog/SOFTWARE"
hive_log_seed clean 0 "$HD/clean/SOFTWARE"
TD=$FIX/trees-dirty/ws2008-dirty/Windows/System32/config
hive_log_seed tree-dirty 0 "$TD/SOFTWARE" "$TD/SOFTWARE.LOG"

# ---- disks below 2 MiB; qcow2 also converted to raw (the head when bigger) -------
while IFS= read -r -d '' f; do
    s=$(stat -c %s "$f")
    if (( s < MAX_DISK )); then put disk "$f" "$(slug "$f")"; fi
done < <(find "$FIX/disks" -type f -print0 | sort -z)
if command -v qemu-img >/dev/null; then
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/pl-seeds.XXXXXX")
    trap 'rm -rf "$TMP"' EXIT
    while IFS= read -r -d '' f; do
        raw=$TMP/conv.raw
        qemu-img convert -q -f qcow2 -O raw "$f" "$raw" 2>/dev/null || continue
        name=$(slug "$f")
        if (( $(stat -c %s "$raw") < MAX_DISK )); then
            cp "$raw" "$OUT/disk/${name%.qcow2}.raw"
        else
            head -c $((MAX_DISK - 4096)) "$raw" > "$OUT/disk/${name%.qcow2}-head.raw"
        fi
        rm -f "$raw"
    done < <(find "$FIX/disks" -name '*.qcow2' -print0 | sort -z)
else
    echo "make-seeds.sh: qemu-img not found (apt-get install qemu-utils): no raw conversions" >&2
fi

# ---- tree: one selector byte + the replacement file (see fuzz_tree.c) ---------------
T=$FIX/trees/ws2008-pending-6003/Windows
tree_files=(
    "System32/config/SOFTWARE"
    "System32/config/SYSTEM"
    "System32/ntoskrnl.exe"
    "System32/kernel32.dll"
    "servicing/Packages/Package_for_KB4493471~31bf3856ad364e35~amd64~~6.0.1.2.mum"
    "servicing/Packages/Package_for_KB4489880~31bf3856ad364e35~amd64~~6.0.1.3.mum"
    "WinSxS/pending.xml"
)
for i in "${!tree_files[@]}"; do
    { printf "\\x$(printf %02x "$i")"; cat "$T/${tree_files[$i]}"; } \
        > "$OUT/tree/$i-$(basename "${tree_files[$i]}" | cut -c1-40)"
done
# Other trees' files in the same slots give more variety.
i=0
for src in "$FIX"/trees/ws2008-6003-rollups/Windows/System32/config/SOFTWARE \
           "$FIX"/trees/ws2008r2-7601/Windows/System32/config/SOFTWARE \
           "$FIX"/trees/vista-x86-6003/Windows/System32/config/SYSTEM \
           "$FIX"/pe/ntoskrnl-6.0.6003.21481-amd64.exe \
           "$FIX"/pe/kernel32-6.1.7601.24545-amd64.dll; do
    case $src in
        */SOFTWARE) sel=0 ;; */SYSTEM) sel=1 ;; *ntoskrnl*) sel=2 ;; *) sel=3 ;;
    esac
    { printf "\\x$(printf %02x "$sel")"; cat "$src"; } > "$OUT/tree/x$i-$(slug "$src" | cut -c1-50)"
    i=$((i + 1))
done

# ---- ntfs_index: the INDX blocks of the raw NTFS fixtures (4 KiB each, at
# 512-byte aligned offsets), and the directory records' $INDEX_ROOT as found
# in them (the record from the $INDEX_ROOT value on is a node at 0x10)
for f in "$FIX"/disks/*.raw; do
    [[ -f $f ]] || continue
    n=0
    while IFS=: read -r off _; do
        (( off % 512 == 0 )) || continue
        dd if="$f" of="$OUT/ntfs_index/$(basename "$f" .raw)-indx-$off" bs=512 skip=$((off / 512)) \
            count=8 status=none
        n=$((n + 1)); (( n < 12 )) || break
    done < <(grep -obaF INDX "$f" 2>/dev/null || true)
done

# ---- vhd_dynamic: the dynamic VHD fixtures whole (base.vhd is ~3 MiB)
for f in "$FIX"/disks/chain-vhd/base.vhd "$FIX"/faults/containers/*.vhd; do
    [[ -f $f ]] && put vhd_dynamic "$f" "$(slug "$f")"
done

# ---- wim_image: the WIM fixtures whole (our reader declines the ESD and the
# split parts, which still exercises the header and blob table checks), and
# small WIMs of a fixture tree in each compression when wimlib-imagex is there
for f in "$FIX"/wim/*; do
    [[ -f $f ]] && put wim_image "$f" "$(slug "$f")"
done
if command -v wimlib-imagex >/dev/null; then
    for c in none xpress lzx lzms; do
        wimlib-imagex capture "$FIX/trees/ws2008-pending-6003" "$OUT/wim_image/tree-$c.wim" one \
            --compress=$c >/dev/null 2>&1 || echo "make-seeds.sh: wimlib-imagex capture --compress=$c failed" >&2
    done
else
    echo "make-seeds.sh: wimlib-imagex not found: WIM seeds of each compression skipped" >&2
fi

# ---- io_counter: /proc/thread-self/io as the kernel writes it
[[ -r /proc/thread-self/io ]] && cat /proc/thread-self/io >"$OUT/io_counter/thread-self-io"
printf 'rchar: 18446744073709551615\nwchar: 0\n' >"$OUT/io_counter/max"

for d in "$OUT"/*/; do
    printf '%-12s %4d seeds %8d KiB\n' "$(basename "$d")" "$(find "$d" -type f | wc -l)" \
        "$(du -sk "$d" | cut -f1)"
done
