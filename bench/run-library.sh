#!/usr/bin/env bash
# Run patchlevel over the image library one way (bench/bench-throughput.sh times it).
#
#   bench/run-library.sh native N LIBDIR OUT.jsonl   patchlevel -r LIBDIR -j N -f jsonl
#   bench/run-library.sh args N LIBDIR OUT.jsonl     one patchlevel process per N-th of the
#                                                    images, N at once (xargs -P N)
#   bench/run-library.sh each N LIBDIR OUT.jsonl     one process per image, N at once
#                                                    (xargs -n 1 -P N)
# Exit 0 also when patchlevel exits 3 (an input could not be analyzed: that
# is counted from the JSONL, not a failure of the run).
set -uo pipefail
mode=$1 n=$2 lib=$3 out=$4
PATCHLEVEL=${PATCHLEVEL:?}
rc=0
case $mode in
native)
    "$PATCHLEVEL" -r "$lib" -j "$n" -f jsonl -o "$out" -q --no-progress || rc=$?
    ;;
args | each)
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/pl-lib.XXXXXX")
    total=$(find "$lib" -type f -name 'img-*' | wc -l)
    per=1
    [[ $mode == args ]] && per=$(((total + n - 1) / n))
    # shellcheck disable=SC2016
    find "$lib" -type f -name 'img-*' | sort |
        xargs -d '\n' -P "$n" -n "$per" sh -c '"$0" -f jsonl -q "$@" >"$(mktemp -p '"$tmp"')"' "$PATCHLEVEL" ||
        rc=$?
    cat "$tmp"/* >"$out"
    rm -rf "$tmp"
    # xargs: 123 = a command exited 1-125 (patchlevel's 3 included)
    [[ $rc == 123 ]] && rc=3
    ;;
*)
    echo "run-library.sh: unknown mode $mode" >&2
    exit 2
    ;;
esac
[[ $rc == 0 || $rc == 3 ]] || exit "$rc"
exit 0
