#!/bin/sh
# The layering of spec section 7, checked on the sources: a file includes
# headers of its own layer or of layers below it, never above.
#
#   util < sources < evidence < decisions < report < lib < cli
#
# and, on top of the order:
#   - src/cli is built on the public API: besides its own headers it may
#     include only util headers (generic helpers) and <patchlevel.h> once the
#     library layer (src/lib) exists; before that, only public headers of
#     lower layers, never a private one (*_internal.h).
#   - a private header (*_internal.h) is included only inside its own layer.
#   - the public header include/patchlevel.h includes no project header and
#     defines no struct body (handles stay opaque).
#
# Usage: check-layers.sh [SOURCE_DIR]. Exit 0 clean, 1 with one line per
# violation. Run by `make check`.
top=${1:-${PL_SOURCE_DIR:-$(dirname "$0")/../..}}
cd "$top" || exit 99
[ -d src ] || { echo "check-layers: no src/ in $top" >&2; exit 99; }

rank() {
    case $1 in
    util) echo 0 ;; sources) echo 1 ;; evidence) echo 2 ;; decisions) echo 3 ;;
    report) echo 4 ;; lib) echo 5 ;; cli) echo 6 ;; *) echo -1 ;;
    esac
}

out=$(mktemp) || exit 99
have_lib=0
[ -d src/lib ] && [ -f include/patchlevel.h ] && have_lib=1
bad=0
complain() { echo "layering: $*"; bad=1; }

for f in src/*/*.c src/*/*.h; do
    [ -f "$f" ] || continue
    layer=${f#src/}; layer=${layer%%/*}
    own=$(rank "$layer")
    [ "$own" -ge 0 ] || { complain "$f: unknown layer '$layer' (add it to tests/layers/check-layers.sh)"; continue; }
    # Project includes are written "layer/name.h".
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
        inc=$(printf '%s\n' "$line" | sed 's/.*include[[:space:]]*"\([^"]*\)".*/\1/')
        n=${line%%:*}
        case $inc in
        */*) dep=${inc%%/*} ;;
        config.h|patchlevel.h) continue ;;
        *) echo "layering: $f:$n: \"$inc\" is not written as layer/name.h"; continue ;;
        esac
        r=$(rank "$dep")
        [ "$r" -ge 0 ] || continue
        if [ "$r" -gt "$own" ]; then
            echo "layering: $f:$n: $layer includes $inc from the $dep layer above it"
        fi
        case $inc in
        *_internal.h)
            [ "$dep" = "$layer" ] || echo "layering: $f:$n: private header $inc included outside $dep" ;;
        esac
        if [ "$layer" = cli ] && [ "$have_lib" = 1 ]; then
            case $dep in
            cli|util) ;;
            *) echo "layering: $f:$n: src/cli must use <patchlevel.h>, not $inc" ;;
            esac
        fi
    done
done > "$out" 2>&1
if [ -s "$out" ]; then cat "$out"; bad=1; fi
rm -f "$out"

if [ -f include/patchlevel.h ]; then
    if grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' include/patchlevel.h; then
        complain "include/patchlevel.h includes a project header"
    fi
    # "struct x {" (a body) is forbidden; "typedef struct x x;" is fine.
    if grep -nE '^[[:space:]]*(typedef[[:space:]]+)?struct[[:space:]]+[A-Za-z_0-9]*[[:space:]]*\{' include/patchlevel.h; then
        complain "include/patchlevel.h exposes a struct layout"
    fi
fi
exit $bad
