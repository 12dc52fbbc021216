#!/usr/bin/env bash
# The read-only guarantee, checked around a whole run: every file under
# fixtures/ (and any other directory given with -d) is hashed (SHA-256,
# with its size, mode and modification time) before and after, and any
# difference - a byte, a file added or removed, a mode or a time changed -
# fails the check and is listed.
#
#   tests/check-fixtures-unchanged.sh [-d DIR]... -- COMMAND [ARG...]
#       snapshot, run COMMAND, compare; exit 1 on a change, else COMMAND's
#       exit status (e.g. ... -- make -C _build/plain check)
#   tests/check-fixtures-unchanged.sh [-d DIR]... snapshot FILE
#   tests/check-fixtures-unchanged.sh [-d DIR]... verify FILE
#       the same in two steps, for CI scripts that run the suite themselves
#
# DIR defaults to the repository's fixtures/ directory. The corpus tier
# reads ../shared/corpus too: add it with -d to cover it.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIRS=()
while (($#)); do
    case $1 in
    -d) DIRS+=("$(cd "$2" && pwd)"); shift 2 ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) break ;;
    esac
done
((${#DIRS[@]})) || DIRS=("$(cd "$HERE/../fixtures" && pwd)")

# One line per file: sha256, size, mode, mtime (ns), path. Sorted, so two
# snapshots compare line by line.
snapshot() {
    local d
    for d in "${DIRS[@]}"; do
        find "$d" -type f -print0 | sort -z | while IFS= read -r -d '' f; do
            printf '%s %s\n' "$(sha256sum <"$f" | cut -d' ' -f1)" \
                "$(stat -c '%s %a %.9Y' "$f") $f"
        done
        # directories and links too: something created or removed shows
        find "$d" ! -type f -printf '%y %m %p -> %l\n' | sort
    done
}

compare() { # before after
    if ! cmp -s "$1" "$2"; then
        echo "check-fixtures-unchanged: FIXTURES CHANGED:" >&2
        diff "$1" "$2" | sed -n 's/^</  before:/p; s/^>/  after: /p' | head -50 >&2
        return 1
    fi
    echo "check-fixtures-unchanged: $(grep -c '' "$1") entries under ${DIRS[*]} unchanged"
}

case ${1:-} in
snapshot) snapshot >"$2" ;;
verify)
    now=$(mktemp)
    trap 'rm -f "$now"' EXIT
    snapshot >"$now"
    compare "$2" "$now"
    ;;
--)
    shift
    (($#)) || { echo "check-fixtures-unchanged: no command after --" >&2; exit 2; }
    before=$(mktemp) after=$(mktemp)
    trap 'rm -f "$before" "$after"' EXIT
    snapshot >"$before"
    set +e
    "$@"
    status=$?
    set -e
    snapshot >"$after"
    compare "$before" "$after" || exit 1
    exit "$status"
    ;;
*)
    echo "usage: check-fixtures-unchanged.sh [-d DIR]... -- COMMAND... | snapshot FILE | verify FILE" >&2
    exit 2
    ;;
esac
