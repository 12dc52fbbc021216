#!/bin/bash
# End to end: batch runs. -r discovery by content (chain members and later
# parts left out), -j results equal to -j1, one crashing or hanging input
# isolated (--timeout), streaming JSONL with kill-and-resume ending with
# each input exactly once, --shard partitions, a run spread with GNU
# parallel, and the progress bar.
set -euo pipefail
: "${PL_PROGRAM:?run through make check}" "${PL_FIXTURES:?run through make check}"
command -v jq >/dev/null || { echo "jq not installed: skipping"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pl-batch-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
pass=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }

# ---- discovery -----------------------------------------------------------
set +e
"$PL_PROGRAM" -r "$PL_FIXTURES/disks" "$PL_FIXTURES/wim" -f jsonl -o "$tmp/all.jsonl" --no-progress -q
rc=$?
set -e
[ $rc -eq 3 ] || fail "discovery run exit $rc (the chain-error fixtures must make it 3)"
inputs=$(jq -r .input "$tmp/all.jsonl" | sed "s|^$PL_FIXTURES/||" | sort)
n=$(echo "$inputs" | wc -l)
[ "$n" -eq 27 ] || fail "found $n inputs, expected 27: $inputs"
for member in disks/chain-vhd/base.vhd disks/chain-vhdx/base.vhdx disks/chain-qcow2/base-6002.qcow2 \
    disks/chain-qcow2/overlay-pending.qcow2 disks/chain-vmdk/base.vmdk disks/segments-6003.E02 \
    disks/mbr-sysres-split-s001.vmdk wim/split2.swm; do
    echo "$inputs" | grep -qx "$member" && fail "$member is a member of another input but was analyzed alone"
done
for image in disks/chain-vhd/child.avhd disks/looks-like.vhd disks/mbr-sysres-split.vmdk \
    disks/chain-vmdk/child.vmdk wim/split.swm wim/install.esd wim/compat6002.wim; do
    echo "$inputs" | grep -qx "$image" || fail "$image was not found"
done
ok "-r finds the 27 images by content and leaves chain members out"

# ---- -r takes Windows trees whole and finds bare SOFTWARE hives ------------
"$PL_PROGRAM" -r "$PL_FIXTURES/trees" "$PL_FIXTURES/trees-dirty" "$PL_FIXTURES/hives-dirty" \
    -f jsonl -o "$tmp/trees.jsonl" --no-progress -q || true
found=$(jq -r .input "$tmp/trees.jsonl" | sed "s|^$PL_FIXTURES/||" | sort)
want=$( (cd "$PL_FIXTURES" && ls -d trees/*/ trees-dirty/*/ | sed 's|/$||'
         ls hives-dirty/*/SOFTWARE) | sort)
[ "$found" = "$want" ] || fail "-r over trees and hives found:
$found
expected:
$want"
[ -z "$(jq -r .input "$tmp/trees.jsonl" | sort | uniq -d)" ] || fail "an input was found twice"
echo "$found" | grep -i '^trees.*/config/' && fail "a tree's own hive was listed as an input"
[ "$(jq -r 'select(.container == "dir") | .installations | length' "$tmp/trees.jsonl" | sort -u)" = 1 ] ||
    fail "a tree found by -r is not one installation"
[ "$(jq -r 'select(.container == "hive") | .input' "$tmp/trees.jsonl" | wc -l)" -eq 6 ] ||
    fail "the bare hives are not read as hives"
"$PL_PROGRAM" -r "$PL_FIXTURES/trees/ws2008-idle/Windows" -f jsonl --no-progress -q \
    | jq -e '.container == "dir" and (.installations | length) == 1' >/dev/null ||
    fail "-r on a Windows directory itself does not take it as one input"
ok "-r takes each of the $(echo "$found" | wc -l) trees and bare SOFTWARE hives once, not a tree's hives"

# ---- -j2 gives the same results as -j1 ----------------------------------------
"$PL_PROGRAM" -r "$PL_FIXTURES/disks" "$PL_FIXTURES/wim" -f jsonl -o "$tmp/j2.jsonl" -j2 --no-progress -q || true
summary() { jq -c '[.input, [.installations[] | .build6003.verdict], (.errors | length)]' "$1" | sort; }
diff <(summary "$tmp/all.jsonl") <(summary "$tmp/j2.jsonl") || fail "-j2 results differ from -j1"
ok "-j2 gives the same results as -j1"

# ---- isolation: a crashing and a hanging input -----------------------------------
shim="$tmp/fault_shim.so"
${CC:-cc} -shared -fPIC -o "$shim" "$(dirname "$0")/fault_shim.c" -ldl
cp "$PL_FIXTURES/disks/mbr-sysres.qcow2" "$tmp/CRASH_ME.qcow2"
cp "$PL_FIXTURES/disks/mbr-sysres.qcow2" "$tmp/HANG_ME.qcow2"
start=$(date +%s)
set +e
# handle_segv=0: in a sanitizer build the injected SIGSEGV must kill the
# worker as it would any build, not be turned into an exit by ASan.
LD_PRELOAD="$shim" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0:handle_segv=0" \
    "$PL_PROGRAM" -f jsonl -j2 --timeout 3 --no-progress "$tmp/CRASH_ME.qcow2" "$tmp/HANG_ME.qcow2" \
    "$PL_FIXTURES/wim/install.esd" >"$tmp/iso.jsonl" 2>"$tmp/iso.err"
rc=$?
set -e
took=$(($(date +%s) - start))
[ $rc -eq 3 ] || fail "isolation run exit $rc"
[ "$took" -lt 20 ] || fail "the hanging input was not stopped by --timeout ($took s)"
[ "$(wc -l <"$tmp/iso.jsonl")" -eq 3 ] || fail "expected 3 result lines"
# one result object per input: -s reads them all, then pick by input
jq -e -s 'map(select(.input | endswith("CRASH_ME.qcow2")))[0].errors[0] == "analysis crashed: killed by signal 11 (Segmentation fault)"' \
    "$tmp/iso.jsonl" >/dev/null || fail "crash not reported: $(cat "$tmp/iso.jsonl" "$tmp/iso.err")"
jq -e -s 'map(select(.input | endswith("HANG_ME.qcow2")))[0].errors[0] == "analysis timed out after 3 seconds"' \
    "$tmp/iso.jsonl" >/dev/null || fail "timeout not reported"
jq -e -s 'map(select(.input | endswith("install.esd")))[0].installations[0].build6003.verdict == "yes"' \
    "$tmp/iso.jsonl" >/dev/null || fail "the good input was not analyzed"
grep -q "CRASH_ME.qcow2: analysis crashed" "$tmp/iso.err" || fail "crash not on stderr"
ok "a crashing and a hanging input are isolated; the good one is analyzed"

# ---- kill and resume -------------------------------------------------------
mkdir "$tmp/lib"
for i in $(seq -w 1 12); do cp "$PL_FIXTURES/disks/mbr-sysres.qcow2" "$tmp/lib/img$i.qcow2"; done
LD_PRELOAD="$shim" PL_TEST_SLOW=/lib/img ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
    "$PL_PROGRAM" -r "$tmp/lib" --resume "$tmp/lib.jsonl" -j2 --no-progress &
pid=$!
# Kill once the first results are in (working out the chain members of
# the 12 images in their own workers comes first).
for _ in $(seq 100); do
    [ -f "$tmp/lib.jsonl" ] && [ "$(grep -c . "$tmp/lib.jsonl" || true)" -ge 2 ] && break
    sleep 0.1
done
kill -9 $pid
wait $pid 2>/dev/null || true
done1=$(grep -c . "$tmp/lib.jsonl" || true)
[ "$done1" -ge 1 ] && [ "$done1" -lt 12 ] || fail "kill came too early or too late ($done1 lines)"
printf '{"schema": "patchlevel/1", "input": "%s", "inp' "$tmp/lib/img12.qcow2" >>"$tmp/lib.jsonl"
"$PL_PROGRAM" -r "$tmp/lib" --resume "$tmp/lib.jsonl" -j2 --no-progress
[ "$(wc -l <"$tmp/lib.jsonl")" -eq 12 ] || fail "after resume: $(wc -l <"$tmp/lib.jsonl") lines, expected 12"
jq -e . "$tmp/lib.jsonl" >/dev/null || fail "the resumed file is not valid JSONL"
dups=$(jq -r .input "$tmp/lib.jsonl" | sort | uniq -d)
[ -z "$dups" ] || fail "inputs analyzed twice: $dups"
"$PL_PROGRAM" -r "$tmp/lib" --resume "$tmp/lib.jsonl" --no-progress
[ "$(wc -l <"$tmp/lib.jsonl")" -eq 12 ] || fail "a complete run was resumed again"
ok "killed after $done1 of 12, resumed: each input exactly once"

# Results written before input_mtime became an ISO time held the epoch in
# input_mtime itself: a resume still recognises them.
jq -c '.input_mtime = .input_mtime_epoch | del(.input_mtime_epoch)' "$tmp/lib.jsonl" >"$tmp/old.jsonl"
jq -e 'select(.input_mtime | type != "number")' "$tmp/old.jsonl" >/dev/null && fail "old-format lines not made"
"$PL_PROGRAM" -r "$tmp/lib" --resume "$tmp/old.jsonl" --no-progress
[ "$(wc -l <"$tmp/old.jsonl")" -eq 12 ] || fail "results with an epoch input_mtime were analyzed again"
ok "results of the old format (epoch input_mtime) are resumed"

# ---- shards ------------------------------------------------------------------
for k in 1 2 3; do
    "$PL_PROGRAM" -r "$PL_FIXTURES/disks" "$PL_FIXTURES/wim" -f jsonl --shard "$k/3" -q --no-progress \
        | jq -r .input >"$tmp/shard$k" || true
done
diff <(cat "$tmp"/shard? | sort) <(jq -r .input "$tmp/all.jsonl" | sort) >/dev/null ||
    fail "the shards do not add up to the whole"
[ -z "$(cat "$tmp"/shard? | sort | uniq -d)" ] || fail "shards overlap"
ok "--shard 1/3, 2/3, 3/3 partition the inputs"

# ---- GNU parallel, local job slots (the same works with --sshlogin) -------------
if command -v parallel >/dev/null; then
    parallel --will-cite -j3 "$PL_PROGRAM" -r "$PL_FIXTURES/disks" "$PL_FIXTURES/wim" -f jsonl \
        --shard {}/3 -o "$tmp/par{}.jsonl" -q --no-progress ::: 1 2 3 || true
    diff <(cat "$tmp"/par?.jsonl | jq -r .input | sort) <(jq -r .input "$tmp/all.jsonl" | sort) ||
        fail "the GNU parallel run does not cover every input exactly once"
    ok "a run spread by GNU parallel covers every input once"
else
    echo "GNU parallel not installed: that part skipped"
fi

# ---- progress -------------------------------------------------------------------
"$PL_PROGRAM" -r "$PL_FIXTURES/wim" -f jsonl --progress -o /dev/null 2>"$tmp/progress.err"
grep -q '4/4' "$tmp/progress.err" || fail "no progress bar: $(cat "$tmp/progress.err")"
"$PL_PROGRAM" -r "$PL_FIXTURES/wim" -f jsonl -o /dev/null 2>"$tmp/noprogress.err"
[ ! -s "$tmp/noprogress.err" ] || fail "a progress bar on a non-terminal"
ok "--progress draws the bar; not on a non-terminal by default"

echo "$pass passed, 0 failed"
