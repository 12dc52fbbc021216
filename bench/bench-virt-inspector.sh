#!/usr/bin/env bash
# Benchmark 2: patchlevel versus virt-inspector (libguestfs: boots a small
# appliance VM and inspects the guest from inside it) on the same VHD
# (full.vhd = qemu-img convert -O vpc of full.raw), side by side, and what each
# reported.
#
# virt-inspector recognises Windows by Windows/System32/cmd.exe next to the
# hives (tree-full has one) and reads SOFTWARE CurrentVersion and SYSTEM.
# When /dev/kvm is missing or hangs (nested virtualisation: the appliance
# kernel prints nothing), it runs under TCG:
# LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg.
# If libguestfs cannot run at all, this says so and skips (exit 0), naming
# the error (see libguestfs-test-tool for details).
#
# virt-inspector runs BENCH_VI_RUNS times (default 1: it takes tens of seconds);
# its first run here also builds the supermin appliance (cached in
# /var/tmp/.guestfs-$UID), which a warm-up run (BENCH_VI_WARMUP=1, the default)
# keeps out of the timing.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_patchlevel
need_inputs full.vhd
VI_RUNS=${BENCH_VI_RUNS:-1}
VI_TIMEOUT=${BENCH_VI_TIMEOUT:-900}
D=$BENCH_DIR
OUT=$(mktemp -d "${TMPDIR:-/tmp}/pl-bench-vi.XXXXXX")
trap 'rm -rf "$OUT" "$RESULTS"' EXIT

echo
echo "### Benchmark 2: patchlevel vs virt-inspector (same VHD)"
echo
skip() {
    echo "SKIPPED: $*"
    echo "(the patchlevel side alone: $(bench_cmd "patchlevel full.vhd" \
        "$PATCHLEVEL -f json -o /dev/null $D/full.vhd" && fmt_time "$(result "patchlevel full.vhd")"))"
    exit 0
}
command -v virt-inspector >/dev/null 2>&1 ||
    skip "virt-inspector is not installed (Debian: apt-get install libguestfs-tools)"

# ---- KVM or TCG -----------------------------------------------------------------
# Probe: boot the appliance kernel (or the host's) for a few seconds under KVM
# and look for its first console line. Nested KVM here accepts the VM and
# then runs nothing, so "/dev/kvm exists" is not enough.
accel=tcg why=""
kernel=$(ls /var/tmp/.guestfs-"$(id -u)"/appliance.d/kernel /boot/vmlinuz-* 2>/dev/null | head -1 || true)
if [[ -z ${LIBGUESTFS_BACKEND_SETTINGS:-} ]]; then
    if [[ ! -w /dev/kvm ]]; then
        why="/dev/kvm missing or not writable"
    elif [[ -z $kernel ]] || ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
        accel=kvm why="KVM not probed (no kernel or qemu to probe with)"
    elif timeout 20 qemu-system-x86_64 -machine accel=kvm -cpu max,la57=off -m 256 -display none \
        -no-reboot -nodefaults -serial stdio -kernel "$kernel" \
        -append "console=ttyS0 panic=-1 earlyprintk=ttyS0" 2>/dev/null |
        tr -d '\033' | grep -a -q -m1 "Linux version"; then
        accel=kvm why="KVM works"
    else
        why="KVM accepts the VM but the kernel printed nothing in 20 s (nested KVM unusable)"
    fi
    if [[ $accel == tcg ]]; then
        export LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg
    fi
else
    accel="as set: LIBGUESTFS_BACKEND=${LIBGUESTFS_BACKEND:-} LIBGUESTFS_BACKEND_SETTINGS=$LIBGUESTFS_BACKEND_SETTINGS"
fi
log "libguestfs accelerator: $accel ($why)"

VI="virt-inspector --format=vpc -a $D/full.vhd"
if [[ ${BENCH_VI_WARMUP:-1} == 1 ]]; then
    log "virt-inspector warm-up run (builds the appliance on a first use)"
    if ! timeout "$VI_TIMEOUT" $VI >"$OUT/vi.xml" 2>"$OUT/vi.err"; then
        tail -n 5 "$OUT/vi.err" | sed 's/^/    /'
        skip "libguestfs cannot run here (virt-inspector failed, accelerator $accel; run libguestfs-test-tool to see why)"
    fi
fi

log "timing: patchlevel (BENCH_RUNS=$BENCH_RUNS), virt-inspector ($VI_RUNS run(s)), $(timer_name)"
bench_cmd "patchlevel full.vhd" "$PATCHLEVEL -f json -o /dev/null $D/full.vhd"
for ((i = 0; i < VI_RUNS; i++)); do
    rm -f "$OUT/vi.xml"
    bench_once "virt-inspector run $((i + 1))" "timeout $VI_TIMEOUT $VI >$OUT/vi.xml 2>$OUT/vi.err" ||
        { tail -n 5 "$OUT/vi.err" | sed 's/^/    /'; skip "virt-inspector failed (accelerator $accel)"; }
done
# best of the virt-inspector runs
awk -F'\t' '$1 ~ /^virt-inspector run/ { if (b == "" || $2 < b) b = $2; n++ }
    END { printf "virt-inspector full.vhd\t%s\t%s\t0\t%d\n", b, b, n }' "$RESULTS" >>"$RESULTS"
grep -q '<operatingsystem>' "$OUT/vi.xml" ||
    { tail -n 5 "$OUT/vi.err" | sed 's/^/    /'; skip "virt-inspector found no operating system in full.vhd"; }
"$PATCHLEVEL" -f json -o "$OUT/pl.json" "$D/full.vhd"

echo "$(pl_version); $(virt-inspector --version 2>&1 | head -1) (accelerator: $accel; $why); $(timer_name)"
echo
table_header "command" "time / patchlevel"
table_row "patchlevel full.vhd" "patchlevel full.vhd"
table_row "patchlevel full.vhd" "virt-inspector full.vhd"
echo

# ---- what each reported ------------------------------------------------------------
xml() { # TAG: first <TAG>value</TAG> of the XML
    sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$OUT/vi.xml" | head -1
}
json() { # KEY: first "KEY": value of the JSON (quotes and comma removed)
    sed -n "s/^ *\"$1\": //p" "$OUT/pl.json" | head -1 | sed 's/,$//; s/^"//; s/"$//'
}
napps=$(grep -c '<application>' "$OUT/vi.xml" || true)
npkgs=$(grep -c '"identity": "' "$OUT/pl.json" || true)
echo "| fact | virt-inspector | patchlevel |"
echo "|---|---|---|"
echo "| product name | $(xml product_name) | $(json product_name) |"
echo "| version | $(xml major_version).$(xml minor_version) | $(json version), build $(json build), $(json csd_version) |"
echo "| edition / variant | $(xml product_variant) | $(json edition_id) ($(json installation_type)) |"
echo "| architecture | $(xml arch) | $(json arch) |"
echo "| hostname | $(xml hostname) | $(json computer_name) |"
echo "| system root | $(xml windows_systemroot) | $(json windows_dir) |"
echo "| control set | $(xml windows_current_control_set) | (Select\\Current) |"
echo "| kernel / kernel32 version | - | $(json file_version) / $(sed -n 's/^ *"file_version": "\(.*\)",$/\1/p' "$OUT/pl.json" | sed -n 2p) |"
echo "| build 6003 | - | $(sed -n '/"build6003"/,/"verdict"/s/^ *"verdict": "\(.*\)",$/\1/p' "$OUT/pl.json" | head -1) |"
echo "| updates | $napps applications (virt-inspector lists Uninstall keys, not CBS packages) | $npkgs CBS packages with their .mum |"
echo "| reboot pending | - | $(sed -n 's/^ *"reboot_required": \(.*\),$/\1/p' "$OUT/pl.json" | head -1) |"
