#!/bin/bash
# End to end: what patchlevel says when it finds nothing (issue 14,
# "Messages"). A directory given without -r that holds images or trees
# says "did you mean -r?" (a not-found warning, in JSON and text); a bare
# volume that is not NTFS (FAT and ext, made here with mkfs when it is
# installed) and a partitioned disk without Windows get the same exit
# status and the same words.
set -euo pipefail
: "${PL_PROGRAM:?run through make check}" "${PL_FIXTURES:?run through make check}"
command -v jq >/dev/null || { echo "jq not installed: skipping"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pl-messages-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
pass=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
# what a result says when nothing is found: exit status, installations,
# errors, warning_details, and the text report's lines without the input
said() { # said INPUT
    set +e
    json=$("$PL_PROGRAM" -f json "$1" 2>/dev/null)
    rc=$?
    text=$("$PL_PROGRAM" "$1" 2>/dev/null | sed "s|^$1: ||")
    set -e
    echo "$rc $(echo "$json" | jq -c '[(.installations | length), (.errors | length), .warning_details]') $text"
}

# ---- a directory of images without -r -----------------------------------
hint='no Windows installation found here; did you mean -r?'
for dir in "$PL_FIXTURES/disks" "$PL_FIXTURES/wim" "$PL_FIXTURES/trees" "$PL_FIXTURES/hives-dirty/clean"; do
    want="0 [0,0,[{\"code\":\"not-found\",\"message\":\"$hint\"}]] warning: $hint"
    [ "$(said "$dir")" = "$want" ] || fail "$dir without -r said: $(said "$dir")"
done
ok "a directory of images, trees or hives without -r says: did you mean -r?"
mkdir "$tmp/empty" "$tmp/papers"
echo notes >"$tmp/papers/notes.txt"
for dir in "$tmp/empty" "$tmp/papers"; do
    said "$dir" | grep -q 'did you mean' && fail "$dir holds no images but says did you mean -r"
done
ok "a directory without images does not suggest -r"

# ---- nothing found: one status and one wording ----------------------------
reference=$(said "$PL_FIXTURES/disks/no-windows.qcow2")
want='0 [0,0,[{"code":"not-found","message":"no Windows installation found"}]] warning: no Windows installation found'
[ "$reference" = "$want" ] || fail "a partitioned disk without Windows said: $reference"
volumes=0
if command -v mkfs.vfat >/dev/null; then
    truncate -s 8M "$tmp/fat.img" && mkfs.vfat "$tmp/fat.img" >/dev/null
    volumes=$((volumes + 1))
fi
if command -v mkfs.ext2 >/dev/null; then
    truncate -s 8M "$tmp/ext.img" && mkfs.ext2 -q -F "$tmp/ext.img" >/dev/null
    volumes=$((volumes + 1))
fi
[ $volumes -gt 0 ] || { echo "neither mkfs.vfat nor mkfs.ext2: skipping the rest"; exit 77; }
for img in "$tmp"/*.img; do
    [ "$(said "$img")" = "$reference" ] || fail "$img said: $(said "$img"), not: $reference"
done
ok "$volumes bare non-NTFS volume(s) and a partitioned disk without Windows say the same"
echo "$pass passed, 0 failed"
