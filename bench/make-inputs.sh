#!/usr/bin/env bash
# Generate the benchmark inputs into $BENCH_DIR (default /tmp/patchlevel-bench).
# Nothing here is committed; two runs give the same trees, hives and WIM
# contents (fixed seeds, SOURCE_DATE_EPOCH, faketime for the NTFS volumes).
#
#   bench/make-inputs.sh            build whatever is missing
#   bench/make-inputs.sh --force    rebuild everything
#
# What it builds (sizes with the defaults):
#   tree-full/        a full-size Windows Server 2008 SP2 (build 6003) tree:
#                     ntoskrnl.exe / kernel32.dll = the fixture PEs padded with a
#                     pseudo-random overlay to 4.9 MB / 1.1 MB, System32/cmd.exe (a
#                     fixture PE: virt-inspector looks for it), a SOFTWARE hive of
#                     ~6 MB (BENCH_PKGS=800 generated CBS packages on top of the
#                     17 of fixtures/gen/packages/ws2008-6003-rollups.pkgs, with
#                     Owners/Updates subkeys, plus BENCH_CLSID=8000 Classes\CLSID
#                     keys), a SYSTEM hive of ~2 MB (fixture spec + 3000 services),
#                     servicing/Packages with a .mum and a .cat per package,
#                     2500 filler files in System32 and 3000 WinSxS directories
#   full.wim          wimlib-imagex capture of tree-full (LZX)
#   full.raw          MBR disk, one NTFS partition (4 KiB clusters) at 1 MiB with
#                     tree-full applied by wimlib-imagex (libntfs-3g), as
#                     fixtures/gen/disks.sh does
#   full.vhd          qemu-img convert -O vpc (dynamic VHD) of full.raw
#   tree-large/, large.raw   the same with BENCH_LARGE_PKGS=5000 packages and
#                     BENCH_LARGE_CLSID=60000 CLSID keys: a SOFTWARE hive of
#                     ~50 MB (for bench-bytes.sh)
#   library/          BENCH_LIBRARY=300 small images: copies of the fixture disks
#                     in every container format and qcow2 overlays on the fixture
#                     qcow2 chain (for bench-throughput.sh)
# Needs: gcc, pkg-config, wimtools, ntfs-3g (mkntfs), fdisk (sfdisk), qemu-utils,
# faketime (optional, for identical NTFS bytes), and fixtures/trees, fixtures/pe,
# fixtures/disks (fixtures/generate.sh, then fixtures/gen/disks.sh).
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

trap 'rm -f "$RESULTS"' EXIT
FORCE=
TARGETS=()
for a in "$@"; do
    case $a in
    --force) FORCE=1 ;;
    default | server) TARGETS+=("$a") ;;
    *) die "unknown argument '$a' (--force, default, server)" ;;
    esac
done
((${#TARGETS[@]})) || TARGETS=(default)

BENCH_PKGS=${BENCH_PKGS:-800}
BENCH_CLSID=${BENCH_CLSID:-8000}
BENCH_SERVICES=${BENCH_SERVICES:-3000}
BENCH_LARGE_PKGS=${BENCH_LARGE_PKGS:-5000}
BENCH_LARGE_CLSID=${BENCH_LARGE_CLSID:-60000}
BENCH_LIBRARY=${BENCH_LIBRARY:-300}
# server-size inputs (target "server"): a Windows Server 2008 SP2 patched
# through 2023, and the same at half size (to show time linear in entries)
BENCH_SERVER_PKGS=${BENCH_SERVER_PKGS:-8000}
BENCH_SERVER_CLSID=${BENCH_SERVER_CLSID:-95000}
BENCH_SERVER_WINSXS=${BENCH_SERVER_WINSXS:-40000}

need gcc gcc
need pkg-config pkg-config
need wimlib-imagex wimtools
need mkntfs ntfs-3g
need sfdisk fdisk
need qemu-img qemu-utils
[[ -d $FIX/trees/ws2008-6003-rollups && -f $FIX/pe/ntoskrnl-6.0.6003.21481-amd64.exe ]] ||
    die "fixtures/trees and fixtures/pe missing: run fixtures/generate.sh"
[[ -f $FIX/disks/mbr-sysres.raw ]] || die "fixtures/disks missing: run fixtures/gen/disks.sh"

mkdir -p "$BENCH_DIR/bin"
B=$BENCH_DIR/bin
gcc -std=c11 -O2 -Wall -Wextra -o "$B/mkbighive" "$BENCH_SRC/gen/mkbighive.c"
gcc -std=c11 -O2 -Wall -Wextra -o "$B/mkbenchtree" "$BENCH_SRC/gen/mkbenchtree.c"
gcc -std=c11 -O2 -Wall -Wextra -o "$B/wimfix" "$FIX/gen/wimfix.c"
gcc -std=c11 -O2 -Wall -Wextra -o "$B/imgfix" "$FIX/gen/imgfix.c"

hex_of() { printf '%s' "patchlevel-bench/$1" | md5sum | cut -c1-"$2"; }
poke_hex() { # FILE HEX OFFSET
    local file=$1 hex=$2 off=$3 esc="" i
    for ((i = 0; i < ${#hex}; i += 2)); do esc+="\\x${hex:i:2}"; done
    # shellcheck disable=SC2059
    printf "$esc" | dd of="$file" bs=1 seek="$off" conv=notrunc status=none
}

# ---- trees ----------------------------------------------------------------------
# extra_specs DIR: installed programs (Uninstall keys) and the TCP/IP host name,
# which a real installation has and virt-inspector reports
extra_specs() {
    local i
    for ((i = 1; i <= 40; i++)); do
        printf '[Microsoft\\Windows\\CurrentVersion\\Uninstall\\{%08X-0000-4000-8000-%012X}]\n' "$i" "$((i * 7919))"
        printf 'DisplayName = sz:Contoso Line-of-Business Tool %d\nDisplayVersion = sz:%d.%d.%d\n' "$i" $((i % 5 + 1)) $((i % 3)) $((1000 + i))
        printf 'Publisher = sz:Contoso Ltd.\nInstallDate = sz:2015%02d%02d\n' $((i % 12 + 1)) $((i % 28 + 1))
        printf 'InstallLocation = sz:C:\\Program Files\\Contoso\\Tool%d\\\nEstimatedSize = dword:%d\n' "$i" $((i * 1234))
    done >"$1/uninstall.spec"
    printf '[ControlSet001\\Services\\Tcpip\\Parameters]\nHostname = sz:SRV08-ROLLUPS\nDomain = sz:contoso.local\nNV Hostname = sz:SRV08-ROLLUPS\n' >"$1/tcpip.spec"
}

# build_tree NAME PACKAGES CLSIDS FILLER(0/1) [WINSXS]: WINSXS > 0 gives a
# server-size component store (mkbenchtree winsxs) instead of the 3000 dirs
build_tree() {
    local name=$1 npkgs=$2 nclsid=$3 filler=$4 winsxs=${5:-0}
    local t=$BENCH_DIR/tree-$name w work
    if [[ -z $FORCE && -f $BENCH_DIR/.tree-$name.done ]]; then
        log "tree-$name: present"
        return
    fi
    log "tree-$name: $npkgs generated packages, $nclsid CLSID keys"
    rm -rf "$t" "$BENCH_DIR/.tree-$name.done"
    work=$BENCH_DIR/work-$name
    rm -rf "$work"
    mkdir -p "$work"
    w=$t/Windows
    mkdir -p "$w/System32/config" "$w/servicing/Packages" "$w/WinSxS" "$w/Temp"
    cp "$FIX/pe/ntoskrnl-6.0.6003.21481-amd64.exe" "$w/System32/ntoskrnl.exe"
    cp "$FIX/pe/kernel32-6.0.6003.20489-amd64.dll" "$w/System32/kernel32.dll"
    cp "$FIX/pe/kernel32-6.0.6002.18005-amd64.dll" "$w/System32/cmd.exe"
    "$B/mkbenchtree" pad "$w/System32/ntoskrnl.exe" 4919168
    "$B/mkbenchtree" pad "$w/System32/kernel32.dll" 1162240
    "$B/mkbenchtree" packages "$FIX/gen/packages/ws2008-6003-rollups.pkgs" "$npkgs" \
        "$w/servicing/Packages" "$work/packages.spec"
    "$B/mkbenchtree" clsid "$nclsid" "$work/clsid.spec"
    "$B/mkbenchtree" services "$BENCH_SERVICES" "$work/services.spec"
    extra_specs "$work"
    "$B/mkbighive" -n '\SystemRoot\System32\Config\SOFTWARE' "$w/System32/config/SOFTWARE" \
        "$FIX/gen/hives/ws2008-6003-rollups-software.spec" "$work/packages.spec" \
        "$work/clsid.spec" "$work/uninstall.spec"
    "$B/mkbighive" -n '\SystemRoot\System32\Config\SYSTEM' "$w/System32/config/SYSTEM" \
        "$FIX/gen/hives/ws2008-6003-rollups-system.spec" "$work/services.spec" "$work/tcpip.spec"
    if [[ $filler == 1 ]]; then
        "$B/mkbenchtree" files "$w/System32" 2500 dll
        if ((winsxs > 0)); then
            "$B/mkbenchtree" files "$w/System32" 3000 sys
            "$B/mkbenchtree" winsxs "$w/WinSxS" "$winsxs"
        else
            "$B/mkbenchtree" dirs "$w/WinSxS" 3000
        fi
    fi
    rm -rf "$work"
    touch "$BENCH_DIR/.tree-$name.done"
}

# reset every file time of tree-NAME (reading a file or listing a directory
# moves its access time, which a capture records): right before each capture
touch_tree() { find "$BENCH_DIR/tree-$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +; }

# fresh OUT SOURCE: OUT exists, is newer than SOURCE, and --force was not given
fresh() { [[ -z $FORCE && -f $1 && $1 -nt $2 ]]; }

# ---- WIM --------------------------------------------------------------------------
make_wim() { # NAME
    local name=$1 out=$BENCH_DIR/$1.wim
    fresh "$out" "$BENCH_DIR/.tree-$name.done" && { log "$name.wim: present"; return; }
    log "$name.wim: wimlib-imagex capture (LZX)"
    rm -f "$out"
    touch_tree "$name"
    frozen wimlib-imagex capture "$BENCH_DIR/tree-$name" "$out" \
        "Windows Server 2008 SERVERSTANDARD" --no-acls >/dev/null
    "$B/wimfix" "$(hex_of "wim:$name" 32)" "$(((SOURCE_DATE_EPOCH + 11644473600) * 10000000))" "$out"
    wimlib-imagex verify "$out" >/dev/null 2>&1 || die "wimlib-imagex verify $out failed"
}

# ---- disks --------------------------------------------------------------------------
# make_disk NAME: MBR disk, partition 1 (type 7, active) at sector 2048 holding an
# NTFS volume (512-byte sectors, 4 KiB clusters) with tree-NAME applied.
make_disk() {
    local name=$1 out=$BENCH_DIR/$1.raw vol bytes sectors wim nfiles
    fresh "$out" "$BENCH_DIR/.tree-$name.done" && { log "$name.raw: present"; return; }
    bytes=$(du -sb --apparent-size "$BENCH_DIR/tree-$name" | cut -f1)
    nfiles=$(find "$BENCH_DIR/tree-$name" | wc -l)
    # room for the files (a cluster each at least), the MFT (1 KiB per file),
    # the directory indexes and some free space; whole MiB
    sectors=$(((bytes * 5 / 4 + nfiles * 6144 + 48 * 1048576) / 1048576 * 2048))
    log "$name.raw: NTFS volume of $((sectors / 2048)) MiB"
    vol=$BENCH_DIR/$name.vol
    rm -f "$vol" "$out"
    truncate -s $((sectors * 512)) "$vol"
    frozen mkntfs -F -f -q -s 512 -c 4096 -p 2048 -H 255 -S 63 "$vol" >/dev/null 2>&1 ||
        die "mkntfs failed"
    local serial
    serial=$(hex_of "ntfs-serial:$name" 16)
    poke_hex "$vol" "$serial" $((0x48))
    poke_hex "$vol" "$serial" $(((sectors - 1) * 512 + 0x48))
    wim=$BENCH_DIR/$name.wim
    if [[ ! -f $wim ]]; then
        wim=$BENCH_DIR/$name.tmp.wim
        touch_tree "$name"
        frozen wimlib-imagex capture "$BENCH_DIR/tree-$name" "$wim" "$name" --compress=none \
            --no-acls >/dev/null
    fi
    frozen wimlib-imagex apply "$wim" 1 "$vol" >"$BENCH_DIR/apply-$name.log" 2>&1 ||
        { cat "$BENCH_DIR/apply-$name.log" >&2; die "wimlib-imagex apply failed"; }
    rm -f "$BENCH_DIR/$name.tmp.wim" "$BENCH_DIR/apply-$name.log"
    truncate -s $(((2048 + sectors + 2048) * 512)) "$out"
    printf 'label: dos\nlabel-id: 0x%s\nunit: sectors\nsector-size: 512\n\nstart=2048, size=%d, type=7, bootable\n' \
        "$(hex_of "mbr:$name" 8)" "$sectors" | sfdisk -q --no-reread --no-tell-kernel "$out" >/dev/null
    dd if="$vol" of="$out" bs=1M seek=1 conv=notrunc,sparse status=none
    rm -f "$vol"
}

make_vhd() { # NAME
    local out=$BENCH_DIR/$1.vhd
    fresh "$out" "$BENCH_DIR/$1.raw" && { log "$1.vhd: present"; return; }
    log "$1.vhd: qemu-img convert -O vpc"
    frozen qemu-img convert -f raw -O vpc "$BENCH_DIR/$1.raw" "$out"
    "$B/imgfix" vhd "$out" "bench-$1.vhd"
}

# ---- library of small images --------------------------------------------------------
make_library() {
    local lib=$BENCH_DIR/library i kind src ext
    if [[ -z $FORCE && -f $BENCH_DIR/.library.done ]] && (($(find "$lib" -name 'img-*' | wc -l) == BENCH_LIBRARY)); then
        log "library: present"
        return
    fi
    log "library: $BENCH_LIBRARY images"
    rm -rf "$lib"
    mkdir -p "$lib"
    local D=$FIX/disks
    # single-file disks in every container format, and overlays (absolute
    # backing file names) on the fixture qcow2 chain: 3 or 4 layers deep
    local kinds=(mbr-sysres.raw mbr-sysres-fixed.vhd mbr-sysres.vmdk mbr-sysres-stream.vmdk
        mbr-sysres.qcow2 mbr-sysres.E01 gpt-6002.qcow2 mbr-dualboot.E01 mbr-logical.qcow2
        no-windows.qcow2 bare-ntfs-inconsistent.raw
        overlay:chain-qcow2/base-6002.qcow2 overlay:chain-qcow2/overlay-6003.qcow2
        overlay:chain-qcow2/overlay-pending.qcow2 overlay:chain-qcow2/overlay-pending-6003.qcow2)
    for ((i = 0; i < BENCH_LIBRARY; i++)); do
        kind=${kinds[i % ${#kinds[@]}]}
        if [[ $kind == overlay:* ]]; then
            src=$D/${kind#overlay:}
            qemu-img create -q -f qcow2 -b "$src" -F qcow2 "$lib/$(printf 'img-%03d.qcow2' "$i")"
        else
            src=$D/$kind
            ext=${kind##*.}
            cp --sparse=always "$src" "$lib/$(printf 'img-%03d.%s' "$i" "$ext")"
        fi
    done
    touch "$BENCH_DIR/.library.done"
}

if [[ " ${TARGETS[*]} " == *" server "* ]]; then
    # server: BENCH_SERVER_* as given; half: every count halved
    build_tree server "$BENCH_SERVER_PKGS" "$BENCH_SERVER_CLSID" 1 "$BENCH_SERVER_WINSXS"
    make_wim server
    make_disk server
    make_vhd server
    build_tree half $((BENCH_SERVER_PKGS / 2)) $((BENCH_SERVER_CLSID / 2)) 1 $((BENCH_SERVER_WINSXS / 2))
    make_wim half
    make_disk half
    make_vhd half
    for n in server half; do
        printf '  %-6s %7s entries, SOFTWARE %s bytes, %s .mum; raw %s, vhd %s, wim %s bytes\n' "$n" \
            "$(find "$BENCH_DIR/tree-$n" | wc -l)" \
            "$(stat -c %s "$BENCH_DIR/tree-$n/Windows/System32/config/SOFTWARE")" \
            "$(find "$BENCH_DIR/tree-$n/Windows/servicing/Packages" -name '*.mum' | wc -l)" \
            "$(stat -c %s "$BENCH_DIR/$n.raw")" "$(stat -c %s "$BENCH_DIR/$n.vhd")" \
            "$(stat -c %s "$BENCH_DIR/$n.wim")" >&2
    done
fi
[[ " ${TARGETS[*]} " == *" default "* ]] || exit 0

build_tree full "$BENCH_PKGS" "$BENCH_CLSID" 1
make_wim full
make_disk full
make_vhd full
build_tree large "$BENCH_LARGE_PKGS" "$BENCH_LARGE_CLSID" 1
make_disk large
make_library

log "inputs in $BENCH_DIR:"
for f in full.raw full.vhd full.wim large.raw; do
    printf '  %-10s %12s bytes (apparent)\n' "$f" "$(stat -c %s "$BENCH_DIR/$f")" >&2
done
for n in full large; do
    printf '  tree-%-5s SOFTWARE %s, SYSTEM %s bytes, %s .mum\n' "$n" \
        "$(stat -c %s "$BENCH_DIR/tree-$n/Windows/System32/config/SOFTWARE")" \
        "$(stat -c %s "$BENCH_DIR/tree-$n/Windows/System32/config/SYSTEM")" \
        "$(find "$BENCH_DIR/tree-$n/Windows/servicing/Packages" -name '*.mum' | wc -l)" >&2
done
printf '  library    %s images\n' "$(find "$BENCH_DIR/library" -name 'img-*' | wc -l)" >&2
