#!/usr/bin/env bash
# The shortest pipeline of The Sleuth Kit's own tools that reads the evidence
# patchlevel reads from a disk image (bench/bench-tools.sh times it):
#   mmls                      find the NTFS partition
#   ifind -n + icat           ntoskrnl.exe, kernel32.dll, SOFTWARE, SYSTEM
#   ifind -n + fls            list Windows/servicing/Packages
#   icat                      every .mum file listed
#
#   bench/tsk-pipeline.sh [--rm] IMAGE OUTDIR
#       OUTDIR is created and filled; with --rm it is removed at the end (as
#       patchlevel leaves nothing behind: the cleanup is part of the work)
#
# The files are only extracted: nothing is parsed or hashed, so this is a lower
# bound for a script that would then answer what patchlevel answers.
set -euo pipefail
clean=
[[ $1 == --rm ]] && { clean=1; shift; }
img=$1 out=$2
mkdir -p "$out"
# the first NTFS partition: "002:  000:000   0000002048   ...   NTFS / exFAT (0x07)"
off=$(mmls "$img" | awk '/NTFS/ { print $3 + 0; exit }')
[[ -n $off ]] || { echo "tsk-pipeline: no NTFS partition in $img" >&2; exit 1; }
for p in Windows/System32/ntoskrnl.exe Windows/System32/kernel32.dll \
    Windows/System32/config/SOFTWARE Windows/System32/config/SYSTEM; do
    ino=$(ifind -o "$off" -n "$p" "$img")
    icat -o "$off" "$img" "$ino" >"$out/${p##*/}"
done
pk=$(ifind -o "$off" -n Windows/servicing/Packages "$img")
# "r/r 1234-128-1:<TAB>Name.mum": icat takes the inode-type-id address
fls -o "$off" "$img" "$pk" | awk -F'\t' '$2 ~ /\.mum$/ && $1 ~ /^r\/r/ {
        sub(/^r\/r \**/, "", $1); sub(/:$/, "", $1); print $1 "\t" $2 }' |
    while IFS=$'\t' read -r addr name; do
        icat -o "$off" "$img" "$addr" >"$out/$name"
    done
[[ -z $clean ]] || rm -rf "$out"
