# shellcheck shell=bash disable=SC2034
# Shared helpers of the bench/ scripts (sourced, not run).
#
#   BENCH_DIR    scratch directory for inputs and results (default /tmp/patchlevel-bench)
#   PATCHLEVEL   the binary to measure (default: _build/plain/patchlevel, else ./patchlevel)
#   BENCH_RUNS   timed runs per command (default 5; hyperfine adds one warm-up run)
#   BENCH_NO_HYPERFINE=1   use the built-in best-of-N loop even when hyperfine exists

BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_SRC/.." && pwd)
FIX=$ROOT/fixtures
BENCH_DIR=${BENCH_DIR:-/tmp/patchlevel-bench}
BENCH_RUNS=${BENCH_RUNS:-5}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1655424000}   # 2022-06-17T00:00:00Z
export TZ=UTC LC_ALL=C
export PATH=$PATH:/usr/sbin:/sbin

if [[ -z ${PATCHLEVEL:-} ]]; then
    for p in "$ROOT/_build/plain/patchlevel" "$ROOT/patchlevel"; do
        [[ -x $p ]] && { PATCHLEVEL=$p; break; }
    done
fi
PATCHLEVEL=${PATCHLEVEL:-patchlevel}

die() { echo "${0##*/}: $*" >&2; exit 1; }
log() { echo "${0##*/}: $*" >&2; }

need() { # command debian-package
    command -v "$1" >/dev/null 2>&1 ||
        die "'$1' not found: install the Debian package $2 (apt-get install $2)"
}

need_patchlevel() {
    [[ -x $PATCHLEVEL ]] || command -v "$PATCHLEVEL" >/dev/null 2>&1 ||
        die "patchlevel not built: cd _build/plain && make (or set PATCHLEVEL=...)"
}

need_inputs() { # FILE...: made by make-inputs.sh
    local f
    for f in "$@"; do
        [[ -e $BENCH_DIR/$f ]] || die "$BENCH_DIR/$f missing: run bench/make-inputs.sh first"
    done
}

# ---- timing --------------------------------------------------------------------
# bench_cmd LABEL COMMAND [RUNS] [PREPARE]: time COMMAND (a plain argument
# list, split on blanks, no shell syntax) RUNS (BENCH_RUNS) times after one
# warm-up run, running PREPARE untimed before each, and append
# "LABEL<TAB>mean<TAB>min<TAB>stddev<TAB>runs<TAB>median" (seconds) to $RESULTS.
# hyperfine (Debian package hyperfine) when present, else a loop (mean and
# min of the runs; best-of-N is the min column).
mkdir -p "$BENCH_DIR"
RESULTS=${RESULTS:-$BENCH_DIR/.results-$$}   # the scripts remove it on exit
: >"$RESULTS"

have_hyperfine() { [[ -z ${BENCH_NO_HYPERFINE:-} ]] && command -v hyperfine >/dev/null 2>&1; }

timer_name() {
    if have_hyperfine; then hyperfine --version | head -1; else echo "bash loop, best of $BENCH_RUNS"; fi
}

bench_cmd() {
    local label=$1 cmd=$2 runs=${3:-$BENCH_RUNS} prep=${4:-}
    if have_hyperfine; then
        local csv
        csv=$(mktemp "${TMPDIR:-/tmp}/hf.XXXXXX")
        # -N: no intermediate shell (commands are plain argument lists)
        hyperfine -N --style none --warmup 1 --runs "$runs" --export-csv "$csv" \
            ${prep:+--prepare "$prep"} --command-name "$label" "$cmd" >/dev/null 2>"$csv.err" ||
            { cat "$csv.err" >&2; rm -f "$csv" "$csv.err"; die "benchmark '$label' failed: $cmd"; }
        # command,mean,stddev,median,user,system,min,max
        tail -n 1 "$csv" | awk -F, -v l="$label" -v r="$runs" \
            '{ n = NF; printf "%s\t%s\t%s\t%s\t%s\t%s\n", l, $(n-6), $(n-1), $(n-5), r, $(n-4) }' >>"$RESULTS"
        rm -f "$csv" "$csv.err"
    else
        local i t0 t1 best="" sum=0 sumsq=0 d all=()
        [[ -n $prep ]] && $prep
        $cmd >/dev/null 2>&1 || die "benchmark '$label' failed: $cmd"   # warm-up
        for ((i = 0; i < runs; i++)); do
            [[ -n $prep ]] && $prep
            t0=$(date +%s%N)
            $cmd >/dev/null 2>&1
            t1=$(date +%s%N)
            d=$((t1 - t0))
            all+=("$d")
            [[ -z $best || $d -lt $best ]] && best=$d
            sum=$((sum + d))
            sumsq=$(awk -v s="$sumsq" -v d="$d" 'BEGIN { printf "%.0f", s + (d / 1e6) ^ 2 }')
        done
        local med
        med=$(printf '%s\n' "${all[@]}" | sort -n | awk '{ a[NR] = $1 } END {
            printf "%.0f", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
        awk -v l="$label" -v b="$best" -v s="$sum" -v q="$sumsq" -v n="$runs" -v md="$med" 'BEGIN {
            m = s / n / 1e9; v = q / n - (s / n / 1e6) ^ 2; if (v < 0) v = 0
            printf "%s\t%.6f\t%.6f\t%.6f\t%d\t%.6f\n", l, m, b / 1e9, sqrt(v) / 1e3, n, md / 1e9 }' >>"$RESULTS"
    fi
}

# bench_once LABEL COMMAND: one timed run (for slow commands such as virt-inspector)
bench_once() {
    local label=$1 cmd=$2 t0 t1 rc=0
    t0=$(date +%s%N)
    bash -c "$cmd" || rc=$?
    t1=$(date +%s%N)
    awk -v l="$label" -v d="$((t1 - t0))" 'BEGIN { printf "%s\t%.6f\t%.6f\t0\t1\t%.6f\n", l, d / 1e9, d / 1e9, d / 1e9 }' >>"$RESULTS"
    return $rc
}

# result LABEL FIELD (2 mean, 3 min, 4 stddev, 6 median)
result() { awk -F'\t' -v l="$1" -v f="${2:-2}" '$1 == l { print $f }' "$RESULTS"; }

# fmt_time SECONDS: 1.234 s / 12.3 ms
fmt_time() {
    awk -v t="$1" 'BEGIN { if (t == "") print "-"; else if (t >= 1) printf "%.2f s", t;
        else printf "%.1f ms", t * 1000 }'
}

# table_row BASELINE_LABEL LABEL [NOTE]: "| label | mean ± sd | min | ratio |"
# ratio = LABEL mean / BASELINE mean (how many times slower than patchlevel)
table_header() {
    printf '| %s | %s | %s | %s |\n|---|---:|---:|---:|\n' \
        "${1:-command}" "mean ± sd" "min" "${2:-time / patchlevel}"
}
table_row() {
    local base=$1 label=$2 m s mn bm ratio
    m=$(result "$label" 2) s=$(result "$label" 4) mn=$(result "$label" 3) bm=$(result "$base" 2)
    ratio=$(awk -v a="$m" -v b="$bm" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')
    printf '| %s | %s ± %s | %s | %s |\n' "$label" "$(fmt_time "$m")" "$(fmt_time "$s")" \
        "$(fmt_time "$mn")" "$ratio"
}

# the patchlevel version line, for the report headers
pl_version() { "$PATCHLEVEL" --version 2>/dev/null | head -1; }

# frozen CMD...: run under faketime at SOURCE_DATE_EPOCH when available
frozen() {
    if command -v faketime >/dev/null 2>&1; then
        faketime -f "$(date -u -d "@$SOURCE_DATE_EPOCH" '+%Y-%m-%d %H:%M:%S')" "$@"
    else
        "$@"
    fi
}
