#!/usr/bin/env bash
# Run every benchmark of bench/ (spec §6) and print their tables.
#
#   bench/run-all.sh                 make the inputs if missing, then run 1-4
#   bench/run-all.sh tools bytes     only those (tools, virt-inspector, bytes, throughput,
#                                    server: not run by default, its inputs take ~3 min
#                                    and ~5 GB; made with make-inputs.sh server;
#                                    linearity: half and server size interleaved)
#
# Output: Markdown tables on standard output (also saved to
# $BENCH_DIR/results-DATE.md), progress on standard error. About 3-4 minutes
# on 2 cores with a fixed patchlevel, plus ~1 minute for virt-inspector under TCG
# (see bench/README.md). Run it on an otherwise idle machine: the ratios
# are side by side, but absolute times move with the load.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_patchlevel
rm -f "$RESULTS"

which=("$@")
[[ ${#which[@]} -gt 0 ]] || which=(tools virt-inspector bytes throughput)

targets=(default)
[[ " ${which[*]} " == *" server "* || " ${which[*]} " == *" linearity "* ]] && targets+=(server)
bash "$BENCH_SRC/make-inputs.sh" "${targets[@]}"

mkdir -p "$BENCH_DIR"
report=$BENCH_DIR/results-$(date -u +%Y%m%dT%H%M%SZ).md
{
    echo "## patchlevel benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
        "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1); load average at start:" \
        "$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "patchlevel: $("$PATCHLEVEL" --version 2>&1 | tr '\n' ' ')"
} | tee "$report"

status=0
for b in "${which[@]}"; do
    script=$BENCH_SRC/bench-$b.sh
    [[ -f $script ]] || die "no benchmark '$b' (tools, virt-inspector, bytes, throughput, server, linearity)"
    RESULTS='' bash "$script" | tee -a "$report" || status=1
done
echo >&2
log "tables saved in $report"
exit $status
