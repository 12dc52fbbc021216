#!/usr/bin/env bash
# The same evidence out of a WIM with wimlib's own tool, in one call
# (bench/bench-tools.sh times it): ntoskrnl.exe, kernel32.dll, SOFTWARE, SYSTEM
# and every servicing/Packages/*.mum of image 1.
#
#   bench/wim-extract.sh [--rm] WIM OUTDIR
#       OUTDIR must not exist; with --rm it is removed at the end (patchlevel
#       also extracts to a temporary directory and removes it)
set -euo pipefail
clean=
[[ $1 == --rm ]] && { clean=1; shift; }
wim=$1 out=$2
wimlib-imagex extract "$wim" 1 /Windows/System32/ntoskrnl.exe /Windows/System32/kernel32.dll \
    /Windows/System32/config/SOFTWARE /Windows/System32/config/SYSTEM \
    '/Windows/servicing/Packages/*.mum' --dest-dir="$out" --no-acls --quiet >/dev/null
[[ -z $clean ]] || rm -rf "$out"
