#!/bin/bash
# Fault: /proc not mounted. bytes_read is then the count the sources keep
# (the evidence bytes handed over; for disks, the virtual disk read)
# instead of the kernel's rchar (src/util/io_counter.c). With /proc, rchar
# counts every byte read from the input's files: at least those bytes,
# and for a tree a few KiB more at most (the libraries' own files loaded
# on first use). (Without /proc the hives cannot be opened either: hivex
# opens by name, and hive.c names its in-memory file /proc/self/fd/N; the
# report says so, as warnings.) Needs a private mount namespace (root,
# util-linux unshare): skipped otherwise.
set -euo pipefail
: "${PL_PROGRAM:?run through make check}" "${PL_FIXTURES:?run through make check}"
command -v jq >/dev/null || { echo "jq not installed: skipping"; exit 77; }
unshare -m true 2>/dev/null || { echo "no mount namespace here: skipping"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pl-no-proc-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# An AddressSanitizer build cannot run without /proc: the sanitizer reads
# its options from /proc/self/environ and LeakSanitizer needs
# /proc/PID/task, so it fails at exit whatever ASAN_OPTIONS says. The
# plain build runs this test.
if [ -n "${PL_BUILD_DIR:-}" ] && grep -q '^CFLAGS = .*-fsanitize=address' "$PL_BUILD_DIR/Makefile"; then
    echo "an AddressSanitizer build needs /proc: skipping"; exit 77
fi
no_proc() { # no_proc OUT INPUT: the program with an empty /proc
    unshare -m sh -c 'mount -t tmpfs none /proc && exec "$0" -f json -o "$1" "$2"' \
        "$PL_PROGRAM" "$1" "$2"
}
for input in trees/ws2008-pending-6003 disks/mbr-sysres.raw wim/multi.wim; do
    no_proc "$tmp/without.json" "$PL_FIXTURES/$input" || fail "$input: run without /proc"
    "$PL_PROGRAM" -f json -o "$tmp/with.json" "$PL_FIXTURES/$input" || fail "$input: run"
    without=$(jq '.bytes_read' "$tmp/without.json")
    with=$(jq '.bytes_read' "$tmp/with.json")
    echo "$input: bytes_read $with with /proc, $without without"
    ((without > 0)) || fail "$input: nothing counted without /proc"
    case $input in
    trees/*)
        ((with >= without && with - without < 65536)) ||
            fail "$input: $with bytes read for $without bytes of files" ;;
    disks/*)
        ((with >= without)) || fail "$input: $with bytes read from the file, $without asked" ;;
    wim/*)
        # compressed in the file: fewer bytes read than extracted
        size=$(stat -c %s "$PL_FIXTURES/$input")
        ((with <= 2 * size)) || fail "$input: $with bytes read from a file of $size" ;;
    esac
    jq -e '[.installations[].warnings[] | select(test("hive"))] | length > 0' "$tmp/without.json" \
        >/dev/null || [[ $input == wim/* ]] || fail "$input: no word of the hives without /proc"
done
echo "ok"
