#!/bin/sh
# The layering check passes on the project and fails on each kind of
# violation (so that it is a check that can fail).
here=$(cd "$(dirname "$0")" && pwd)
src=${PL_SOURCE_DIR:-$here/../..}
check="$here/check-layers.sh"
fail=0

if ! out=$(sh "$check" "$src"); then
    echo "FAIL: the project breaks its layering:"; echo "$out"; fail=1
fi

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
tree() {    # a minimal tree: tree NAME FILE CONTENT
    rm -rf "$tmp/t"; mkdir -p "$tmp/t/src/util" "$tmp/t/src/sources" "$tmp/t/src/evidence" \
        "$tmp/t/src/report" "$tmp/t/src/cli" "$tmp/t/include"
    echo '#include "util/util.h"' > "$tmp/t/src/evidence/ok.c"
    mkdir -p "$(dirname "$tmp/t/$2")"; printf '%b\n' "$3" > "$tmp/t/$2"
}
expect_fail() {   # expect_fail WHAT FILE CONTENT
    tree x "$2" "$3"
    if sh "$check" "$tmp/t" >/dev/null; then echo "FAIL: not caught: $1"; fail=1
    else echo "ok: caught $1"; fi
}
expect_pass() {
    tree x "$2" "$3"
    if ! sh "$check" "$tmp/t"; then echo "FAIL: wrongly refused: $1"; fail=1
    else echo "ok: accepted $1"; fi
}
expect_fail "a lower layer including a higher one" src/sources/a.c '#include "evidence/hive.h"'
expect_fail "report including cli" src/report/a.c '#include "cli/options.h"'
expect_fail "a private header outside its layer" src/evidence/a.c '#include "sources/disk_internal.h"'
expect_fail "an unknown layer" src/gui/a.c '#include "util/util.h"'
expect_fail "a public header exposing a struct" include/patchlevel.h 'struct patchlevel_context {\n int x;\n};'
expect_fail "a public header including a project header" include/patchlevel.h '#include "util/util.h"'
expect_pass "a higher layer including a lower one" src/report/a.c '#include "evidence/hive.h"\n#include "util/util.h"'
expect_pass "an opaque handle" include/patchlevel.h 'typedef struct patchlevel_context patchlevel_context;'
# Once src/lib and the public header exist, cli may use only them and util.
tree x src/cli/a.c '#include "report/report.h"'
mkdir -p "$tmp/t/src/lib"; echo 'typedef struct p p;' > "$tmp/t/include/patchlevel.h"
if sh "$check" "$tmp/t" >/dev/null; then echo "FAIL: not caught: cli beside the API"; fail=1
else echo "ok: caught cli including a layer header beside the API"; fi
exit $fail
