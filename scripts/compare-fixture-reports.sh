#!/usr/bin/env bash
# Compare the reports of two builds of patchlevel on every fixture input:
# a refactoring must not change a byte of them.
#
#   scripts/compare-fixture-reports.sh OLD_PROGRAM NEW_PROGRAM [OUTDIR]
#
# Every file under fixtures/ (but fixtures/gen and the READMEs) and every
# tree of fixtures/trees* (the tree and its Windows directory) is run with
# -f json, -f json --find-6002-checks, -v (text), -v --find-6002-checks and
# -f csv --find-6002-checks; the outputs of the two programs go to
# OUTDIR/old and OUTDIR/new (default: a new temporary directory) and are
# compared. Exit status 0 when all are identical, 1 otherwise (diff -r on
# standard output). --find-6002-checks runs differ legitimately in
# "bytes_read" when one build reads less; look at the diff.
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: $0 OLD_PROGRAM NEW_PROGRAM [OUTDIR]" >&2; exit 2; }
old=$(realpath "$1")
new=$(realpath "$2")
out=${3:-$(mktemp -d)}
cd "$(dirname "${BASH_SOURCE[0]}")/.."

inputs() {
    find fixtures -type f -not -path 'fixtures/gen/*' -not -name '*.md' -not -name '*.sh' \
        -not -name '.gitattributes' -not -path 'fixtures/trees/*' -not -path 'fixtures/trees-dirty/*'
    for d in fixtures/trees/* fixtures/trees-dirty/*; do
        echo "$d"
        for w in "$d"/*/; do
            [[ -d $w/System32 || -d $w/system32 ]] && echo "${w%/}"
        done
    done
}

run_all() { # PROGRAM DIR
    local prog=$1 dir=$2 in key
    mkdir -p "$dir"
    while IFS= read -r in; do
        key=$(printf '%s' "$in" | tr '/ ' '__')
        "$prog" -q -f json "$in" >"$dir/$key.json" 2>/dev/null || true
        "$prog" -q -f json --find-6002-checks "$in" >"$dir/$key.c6.json" 2>/dev/null || true
        "$prog" -q -v "$in" >"$dir/$key.txt" 2>/dev/null || true
        "$prog" -q -v --find-6002-checks "$in" >"$dir/$key.c6.txt" 2>/dev/null || true
        "$prog" -q -f csv --find-6002-checks "$in" >"$dir/$key.c6.csv" 2>/dev/null || true
    done < <(inputs | sort -u)
}

run_all "$old" "$out/old"
run_all "$new" "$out/new"
echo "$(ls "$out/old" | wc -l) reports each in $out/old and $out/new" >&2
diff -r "$out/old" "$out/new"
