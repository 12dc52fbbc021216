#!/bin/bash
# End to end: evidence is never touched, and a batch run never stalls,
# crashes or leaves files behind (issue 13). Each part failed before the
# fix: -o, --resume and summarize -o over an input, a chain member or an
# image -r found; --resume on an image (a crash) and on a results file
# with NULs, garbage, a line over the limit, another schema, failures of
# the run and names that are not UTF-8; -r on a VMDK whose extent or an
# E01 whose next segment is a FIFO (blocked for ever); a crash while -r
# works out chain members (killed the run); temporary directories left by
# --timeout and by stop signals; workers left running by SIGTERM or by
# the parent's death; -j past the open-file limit. File names carry
# control characters and bytes that are not UTF-8 where it fits.
set -euo pipefail
: "${PL_PROGRAM:?run through make check}" "${PL_FIXTURES:?run through make check}"
command -v jq >/dev/null || { echo "jq not installed: skipping"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pl-evidence-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
pass=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
shim="$tmp/fault_shim.so"
${CC:-cc} -shared -fPIC -o "$shim" "$(dirname "$0")/fault_shim.c" -ldl
# A sanitizer build must let injected faults act as in any build.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0:handle_segv=0"
D=$PL_FIXTURES/disks
hostile=$'ev\x01\xff\tname'      # a control character, a byte that is not UTF-8, a tab
run() { # run ARGS...: status in $rc, stderr in $tmp/err, never stops the script
    set +e
    "$@" 2>"$tmp/err"
    rc=$?
    set -e
}

# ---- 1. no output lands on an input -------------------------------------------
mkdir "$tmp/o"
cp "$D/mbr-sysres.qcow2" "$tmp/o/$hostile.raw"
ev="$tmp/o/$hostile.raw"
run "$PL_PROGRAM" -f json -o "$ev" "$ev" --no-progress
[ $rc -eq 2 ] || fail "-o over the input: exit $rc"
cmp -s "$ev" "$D/mbr-sysres.qcow2" || fail "-o over the input changed the evidence"
grep -q "refusing to write the output over the input" "$tmp/err" || fail "no message: $(cat "$tmp/err")"
ok "-o naming the input (hostile name) is refused, exit 2, evidence intact"

mkdir "$tmp/o/lib"
cp "$D/mbr-sysres.qcow2" "$tmp/o/lib/a.qcow2"
cp "$D/mbr-sysres-fixed.vhd" "$tmp/o/lib/x.vhd"
run "$PL_PROGRAM" -r "$tmp/o/lib" -f jsonl -o "$tmp/o/lib/x.vhd" --no-progress
[ $rc -eq 2 ] && cmp -s "$tmp/o/lib/x.vhd" "$D/mbr-sysres-fixed.vhd" || fail "-r lib -o lib/x.vhd: exit $rc"
ok "-o naming an image -r found is refused"

cp -r "$D/chain-vhd" "$tmp/o/chain"
run "$PL_PROGRAM" -f jsonl -o "$tmp/o/chain/base.vhd" "$tmp/o/chain/child.avhd" --no-progress
[ $rc -eq 2 ] && cmp -s "$tmp/o/chain/base.vhd" "$D/chain-vhd/base.vhd" || fail "-o over a parent disk: exit $rc"
cp "$D/segments-6003.E01" "$D/segments-6003.E02" "$tmp/o/"
run "$PL_PROGRAM" -f jsonl -o "$tmp/o/segments-6003.E02" "$tmp/o/segments-6003.E01" --no-progress
[ $rc -eq 2 ] && cmp -s "$tmp/o/segments-6003.E02" "$D/segments-6003.E02" || fail "-o over an EWF segment: exit $rc"
cp "$PL_FIXTURES/wim/split.swm" "$PL_FIXTURES/wim/split2.swm" "$tmp/o/"
run "$PL_PROGRAM" -f jsonl --resume "$tmp/o/split2.swm" "$tmp/o/split.swm" --no-progress
[ $rc -eq 2 ] && cmp -s "$tmp/o/split2.swm" "$PL_FIXTURES/wim/split2.swm" || fail "--resume over a split part: exit $rc"
cp "$D/mbr-sysres-split.vmdk" "$D/mbr-sysres-split-s001.vmdk" "$tmp/o/"
run "$PL_PROGRAM" -o "$tmp/o/mbr-sysres-split-s001.vmdk" "$tmp/o/mbr-sysres-split.vmdk" --no-progress
[ $rc -eq 2 ] && cmp -s "$tmp/o/mbr-sysres-split-s001.vmdk" "$D/mbr-sysres-split-s001.vmdk" || fail "-o over a VMDK extent: exit $rc"
ok "-o / --resume naming a parent disk, EWF segment, split-WIM part or VMDK extent is refused"

run "$PL_PROGRAM" --resume "$ev" "$ev" --no-progress
[ $rc -eq 2 ] || fail "--resume on the evidence: exit $rc (a crash is >= 128)"
cmp -s "$ev" "$D/mbr-sysres.qcow2" || fail "--resume changed the evidence"
cp "$D/mbr-sysres.qcow2" "$tmp/o/other.img"
run "$PL_PROGRAM" --resume "$tmp/o/other.img" "$ev" --no-progress
[ $rc -eq 2 ] && cmp -s "$tmp/o/other.img" "$D/mbr-sysres.qcow2" || fail "--resume on an image that is no input: exit $rc"
grep -q "not a patchlevel results file" "$tmp/err" || fail "no message: $(cat "$tmp/err")"
ok "--resume on an image (an input or not) is refused, no crash, nothing written"

"$PL_PROGRAM" -f jsonl -o "$tmp/o/results.jsonl" "$tmp/o/lib/a.qcow2" --no-progress
cp "$tmp/o/results.jsonl" "$tmp/o/results.orig"
run "$PL_PROGRAM" summarize -f html -o "$tmp/o/results.jsonl" "$tmp/o/results.jsonl"
[ $rc -eq 2 ] && cmp -s "$tmp/o/results.jsonl" "$tmp/o/results.orig" || fail "summarize -o over its results: exit $rc"
ok "summarize -o naming a results file is refused"

# ---- 2. --resume is robust ------------------------------------------------------
mkdir "$tmp/r"
for i in 1 2 3 4; do cp "$D/mbr-sysres.qcow2" "$tmp/r/img$i.qcow2"; done
"$PL_PROGRAM" -f jsonl -o "$tmp/r/base.jsonl" "$tmp/r"/img[123].qcow2 --no-progress
line() { grep -a "img$1.qcow2" "$tmp/r/base.jsonl"; }
{
    line 1
    line 2
    # a power loss left NULs, and the next run appended after them
    head -c 64 /dev/zero
    line 3
    echo 'garbage {not json'
    echo '{"schema":"other/9","input":"x","input_size":1,"input_mtime":1}'
    # over PL_MAX_RESULT_LINE_BYTES (64 MiB)
    head -c $((65 * 1024 * 1024)) /dev/zero | tr '\0' 'x'
    echo
    printf '\0\0{"schema":"patchlevel/1","inp'   # a cut last line
} >"$tmp/r/res.jsonl"
run "$PL_PROGRAM" -f jsonl --resume "$tmp/r/res.jsonl" "$tmp/r"/img[1234].qcow2 --no-progress
[ $rc -eq 0 ] || fail "resume over NULs and garbage: exit $rc: $(cat "$tmp/err")"
for i in 1 2 3 4; do
    n=$(grep -a -c "img$i.qcow2" "$tmp/r/res.jsonl" || true)
    [ "$n" -eq 1 ] || fail "img$i is in the results $n times"
done
[ "$(grep -c 'lines skipped' "$tmp/err")" -eq 1 ] || fail "expected one warning: $(cat "$tmp/err")"
[ "$(tail -c 1 "$tmp/r/res.jsonl" | od -An -c | tr -d ' ')" = '\n' ] || fail "the cut tail was not removed"
ok "--resume skips NULs, garbage, a long line and another schema with one warning"

# failures of the run are retried, failures of the input only with --retry-failed
for i in 1 2 3; do cp "$D/mbr-sysres.qcow2" "$tmp/r/f$i.qcow2"; done
"$PL_PROGRAM" -f jsonl -o "$tmp/r/f.jsonl" "$tmp/r"/f[123].qcow2 --no-progress
set_error() { # FILE INPUT CODE: make INPUT's result a failure with CODE
    jq -c --arg in "$2" --arg c "$3" 'if (.input | endswith($in)) then
        .errors = ["x: failed"] | .error_details = [{"code": $c, "message": "x: failed"}] else . end' \
        "$1" >"$1.new" && mv "$1.new" "$1"
}
set_error "$tmp/r/f.jsonl" f1.qcow2 timeout
set_error "$tmp/r/f.jsonl" f2.qcow2 truncated
"$PL_PROGRAM" --resume "$tmp/r/f.jsonl" "$tmp/r"/f[123].qcow2 --no-progress
[ "$(grep -c 'f1.qcow2' "$tmp/r/f.jsonl")" -eq 2 ] || fail "a timed-out input was not retried"
[ "$(grep -c 'f2.qcow2' "$tmp/r/f.jsonl")" -eq 1 ] || fail "a truncated input was retried without --retry-failed"
[ "$(grep -c 'f3.qcow2' "$tmp/r/f.jsonl")" -eq 1 ] || fail "a done input was redone"
"$PL_PROGRAM" --resume "$tmp/r/f.jsonl" --retry-failed "$tmp/r"/f[123].qcow2 --no-progress
[ "$(grep -c 'f2.qcow2' "$tmp/r/f.jsonl")" -eq 2 ] || fail "--retry-failed did not retry"
[ "$(grep -c 'f1.qcow2' "$tmp/r/f.jsonl")" -eq 2 ] || fail "a retried success was redone"
jq -e -s 'map(select(.input | endswith("f3.qcow2")))[0].error_details == []' "$tmp/r/f.jsonl" >/dev/null ||
    fail "error_details missing"
ok "--resume retries timeouts, not truncated inputs unless --retry-failed"

# a name that is not UTF-8 survives the round trip through the JSON
cp "$D/mbr-sysres.qcow2" "$tmp/r/$hostile.qcow2"
"$PL_PROGRAM" --resume "$tmp/r/h.jsonl" "$tmp/r/$hostile.qcow2" --no-progress
"$PL_PROGRAM" --resume "$tmp/r/h.jsonl" "$tmp/r/$hostile.qcow2" --no-progress
[ "$(wc -l <"$tmp/r/h.jsonl")" -eq 1 ] || fail "an input named with bytes that are not UTF-8 was analyzed again"
ok "--resume matches names that are not UTF-8"

# ---- 3. -r never blocks and never dies -----------------------------------------------
mkdir "$tmp/f" "$tmp/f/vmdk" "$tmp/f/ewf"
cp "$D/mbr-sysres-split.vmdk" "$tmp/f/vmdk/"
mkfifo "$tmp/f/vmdk/mbr-sysres-split-s001.vmdk"
cp "$D/mbr-sysres.qcow2" "$tmp/f/vmdk/ok.qcow2"
cp "$D/segments-6003.E01" "$tmp/f/ewf/"
mkfifo "$tmp/f/ewf/segments-6003.E02"
for d in vmdk ewf; do
    start=$(date +%s)
    run timeout 60 "$PL_PROGRAM" -r "$tmp/f/$d" -f jsonl --timeout 3 --no-progress -o "$tmp/f/$d.jsonl"
    [ $rc -eq 3 ] || fail "-r with a FIFO member ($d): exit $rc (124: it blocked)"
    [ $(($(date +%s) - start)) -lt 30 ] || fail "-r with a FIFO member ($d) took too long"
    grep -q "skipped: not a regular file" "$tmp/err" || fail "the FIFO was not reported"
done
jq -e -s 'map(select(.input | endswith("ok.qcow2")))[0].errors == []' "$tmp/f/vmdk.jsonl" >/dev/null ||
    fail "the good image next to the FIFO was not analyzed"
ok "-r with a VMDK extent or EWF segment that is a FIFO finishes (warning, timeout)"

mkdir "$tmp/c"
cp "$D/mbr-sysres.qcow2" "$tmp/c/CRASH_LATE.qcow2"
cp "$D/mbr-sysres.qcow2" "$tmp/c/ok.qcow2"
run env LD_PRELOAD="$shim" "$PL_PROGRAM" -r "$tmp/c" -f jsonl --no-progress -o "$tmp/c.jsonl"
[ $rc -eq 3 ] || fail "a library crash while finding members: exit $rc"
grep -q "CRASH_LATE.qcow2: finding the files it reads crashed" "$tmp/err" || fail "$(cat "$tmp/err")"
jq -e -s 'map(select(.input | endswith("ok.qcow2")))[0].errors == []' "$tmp/c.jsonl" >/dev/null ||
    fail "the run did not go on after the crash"
ok "a library crash while -r works out chain members is contained"

# ---- 4. clean shutdown ---------------------------------------------------------------
mkdir "$tmp/t" "$tmp/s"
cp "$D/mbr-sysres.qcow2" "$tmp/s/HANG_ME.qcow2"
cp "$PL_FIXTURES/wim/install.esd" "$tmp/s/"
alive() { [ -e "/proc/$1" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
# A script's background jobs ignore SIGINT, and patchlevel keeps an
# ignored signal ignored (nohup): start them with the default actions.
bg_env=(env --default-signal=INT,HUP)
finish() { # PID: wait at most 10 s for it to end (then kill it); its status in $rc
    for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$1" 2>/dev/null || true
    set +e
    wait "$1"
    rc=$?
    set -e
}
wait_for_wim_tmp() {
    for _ in $(seq 100); do
        [ -n "$(find "$tmp/t" -name 'patchlevel-wim-*' 2>/dev/null)" ] && return 0
        sleep 0.1
    done
    fail "the WIM worker never extracted"
}
# --timeout kills a worker in the middle of extracting hives
run env TMPDIR="$tmp/t" LD_PRELOAD="$shim" PL_TEST_HANG=SOFTWARE \
    "$PL_PROGRAM" -f jsonl --timeout 2 --no-progress "$tmp/s/install.esd" >/dev/null
[ $rc -eq 3 ] || fail "timeout run: exit $rc"
[ -z "$(ls -A "$tmp/t")" ] || fail "--timeout left temporary files: $(find "$tmp/t")"
ok "--timeout leaves no temporary directory"

for sig in TERM INT HUP; do
    "${bg_env[@]}" TMPDIR="$tmp/t" LD_PRELOAD="$shim" PL_TEST_HANG=SOFTWARE \
        "$PL_PROGRAM" -f json -j2 --no-progress "$tmp/s/HANG_ME.qcow2" \
        "$tmp/s/install.esd" >"$tmp/sig.json" 2>"$tmp/err" &
    pid=$!
    wait_for_wim_tmp
    workers=$(pgrep -P $pid || true)
    [ -n "$workers" ] || fail "no workers found"
    kill -$sig $pid
    finish $pid
    [ $rc -ge 129 ] && [ $rc -ne 137 ] || fail "SIG$sig: exit $rc"
    grep -q "stopped by signal" "$tmp/err" || fail "SIG$sig: no message: $(cat "$tmp/err")"
    sleep 0.3
    for w in $workers; do ! alive "$w" || { kill -9 "$w"; fail "SIG$sig: worker $w still runs"; }; done
    [ -z "$(ls -A "$tmp/t")" ] || fail "SIG$sig left temporary files: $(find "$tmp/t")"
    jq -e 'length == 2 and all(.[]; .error_details[0].code == "interrupted")' "$tmp/sig.json" >/dev/null ||
        fail "SIG$sig: the report is not closed with the interrupted inputs: $(cat "$tmp/sig.json")"
done
ok "SIGTERM, SIGINT, SIGHUP stop the workers, remove every temporary file, close the report"

# a single input, no -j
"${bg_env[@]}" TMPDIR="$tmp/t" LD_PRELOAD="$shim" PL_TEST_HANG=SOFTWARE "$PL_PROGRAM" --no-progress \
    "$tmp/s/install.esd" >/dev/null 2>&1 &
pid=$!
wait_for_wim_tmp
kill -INT $pid
finish $pid
[ $rc -eq 130 ] || fail "a single run: SIGINT gave exit $rc"
[ -z "$(ls -A "$tmp/t")" ] || fail "a single run left temporary files on SIGINT"
ok "a single run removes its temporary directory on SIGINT"

# the parent killed outright: its workers die with it
LD_PRELOAD="$shim" "$PL_PROGRAM" -j2 --no-progress "$tmp/s/HANG_ME.qcow2" "$tmp/s/HANG_ME.qcow2" \
    >/dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do [ "$(pgrep -c -P $pid || true)" -ge 2 ] && break; sleep 0.1; done
workers=$(pgrep -P $pid || true)
[ -n "$workers" ] || fail "no workers found"
kill -9 $pid
wait $pid 2>/dev/null || true
sleep 0.5
for w in $workers; do ! alive "$w" || { kill -9 "$w"; fail "worker $w outlived its parent"; }; done
rm -rf "$tmp/t"/*
ok "workers die with their parent (SIGKILL)"

# ---- 5. -j past the open-file limit ---------------------------------------------------
mkdir "$tmp/j"
for i in $(seq -w 1 24); do cp "$D/mbr-sysres.qcow2" "$tmp/j/img$i.qcow2"; done
run bash -c 'ulimit -n 16 && exec "$@"' sh "$PL_PROGRAM" -f jsonl -j 64 --no-progress \
    -o "$tmp/j.jsonl" "$tmp/j"/*.qcow2
[ $rc -eq 0 ] || fail "-j 64 with ulimit -n 16: exit $rc: $(head -3 "$tmp/err")"
[ "$(jq -s 'map(select(.errors == [])) | length' "$tmp/j.jsonl")" -eq 24 ] || fail "not every input analyzed"
ok "-j 64 under ulimit -n 16 waits for free slots: 24 of 24 analyzed"

echo "$pass passed, 0 failed"
