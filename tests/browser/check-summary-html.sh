#!/bin/sh
# The HTML fleet summary in a real browser. Writes JSONL results for the
# fixtures, plus a synthetic fleet with identity, roles and provenance as
# results carry them since issue 14 (tests/browser/make-fleet.py, with one
# result full of markup, quotes and control characters, as a hostile image
# would hold) and one older hand-written hostile result, renders
# `patchlevel summarize -f html` with headless Chromium, and checks:
#   on the DOM the browser built (--dump-dom):
#   - the page parsed whole: its title, the charts (<svg>), the tables;
#   - no markup from the results became an element (the page's own script
#     is its only <script>; no <img>, <b>) and the title is untouched;
#   - every count the page shows (data-metric="SECTION.KEY") equals the CSV
#     row (SECTION,KEY) of the same results, and the verdict, input,
#     installation, next-step and channel counts equal the text summary's;
#   driving the page as a person would (tests/browser/summary_page.py, the
#   DevTools protocol over a pipe; Python's standard library only):
#   - one table row per installation, with and without JavaScript;
#   - a click on a column heading reorders the rows, typing in the filter
#     hides the rows without the words;
#   - a hostile computer name shows as text, nothing from a result runs;
#   - no Content-Security-Policy violation or console error.
# Then writes a screenshot (PNG) to look at: $PL_SCREENSHOT, by default
# ${TMPDIR:-/tmp}/patchlevel-summary-html.png. Exit 0 passed, 1 failed, 77
# skipped (no Chromium or no python3).
#
# Environment: PL_PROGRAM (the built patchlevel), PL_FIXTURES (the
# fixtures folder); both default to the tree this script is in, built in
# _build/plain. CHROMIUM names the browser binary.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
program=${PL_PROGRAM:-$top/_build/plain/patchlevel}
fixtures=${PL_FIXTURES:-$top/fixtures}
screenshot=${PL_SCREENSHOT:-${TMPDIR:-/tmp}/patchlevel-summary-html.png}

skip() { echo "SKIP: check-summary-html: $*"; exit 77; }
fail() { echo "FAIL: check-summary-html: $*"; exit 1; }

# ---- a browser ---------------------------------------------------------
find_chromium() {
    for c in ${CHROMIUM:-} chromium chromium-browser google-chrome; do
        if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return 0; fi
    done
    return 1
}
browser=$(find_chromium) || {
    # Debian's package, when we may install it (root, apt-get present).
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "check-summary-html: installing chromium with apt-get..."
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 ||
            skip "chromium is not installed and apt-get could not install it"
    fi
    browser=$(find_chromium) || skip "chromium is not installed (Debian: apt-get install chromium)"
}
[ -x "$program" ] || fail "no program at $program (build it, or set PL_PROGRAM)"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed (it drives the page)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# Headless, offline, no profile left behind; --no-sandbox because CI runs
# as root, where Chromium's sandbox refuses to start.
chrome() {
    timeout 40 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/profile" "$@" 2>>"$work/chromium.log"
}

# ---- results and summaries ---------------------------------------------
results=$work/results.jsonl
status=0
# --find-6002-checks: the trees with scripts give the 6002 cards a count.
"$program" -f jsonl --find-6002-checks -o "$results" "$fixtures"/wim/multi.wim "$fixtures"/disks/*.qcow2 \
    "$fixtures"/trees/* /nonexistent/input 2>/dev/null || status=$?
[ "$status" = 3 ] || fail "the analysis exited $status (3 expected: one input is missing)"
# A hostile result: markup and quotes wherever an image supplies a string.
cat >>"$results" <<'EOF'
{"schema":"patchlevel/1","input":"<script>document.title='owned'</script>.vhd","installations":[{"location":{"partition_scheme":"mbr","partition_number":1,"windows_dir":"<b>Windows</b>"},"os":{"product_name":"\"><img src=x onerror=\"document.title='owned'\">","edition_id":"Server<i>Enterprise</i>","arch":"amd64"},"build6003":{"verdict":"no","pending_build":null},"updates":{"latest_rollup":null,"rollups_behind":67},"pending":{"reboot_required":false}}],"errors":["</td></tr></table><script>document.title='owned'</script>"]}
EOF

# A fleet: 40 servers (identity, roles, provenance; some older results
# without them, failures, no Windows) and one hostile result.
python3 "$here/make-fleet.py" 40 --hostile >>"$results" || fail "make-fleet.py failed"

"$program" summarize -f text "$results" >"$work/summary.txt" || fail "summarize -f text failed"
"$program" summarize -f json "$results" >"$work/summary.json" || fail "summarize -f json failed"
"$program" summarize -f csv "$results" >"$work/summary.csv" || fail "summarize -f csv failed"
"$program" summarize -f html -o "$work/summary.html" "$results" || fail "summarize -f html failed"

# ---- the DOM -----------------------------------------------------------
chrome --dump-dom "file://$work/summary.html" >"$work/dom.html" ||
    skip "chromium ($browser) could not run: $(tail -n 3 "$work/chromium.log" | tr '\n' ' ')"
[ -s "$work/dom.html" ] || skip "chromium printed no DOM: $(tail -n 3 "$work/chromium.log" | tr '\n' ' ')"

grep -q '<title>patchlevel fleet summary</title>' "$work/dom.html" ||
    fail "the title changed or is missing (did a script run?)"
grep -q '</html>' "$work/dom.html" || fail "the DOM is not a whole page"
[ "$(grep -o '<svg' "$work/dom.html" | wc -l)" -ge 3 ] || fail "the charts are missing"
grep -q 'id="not6003"' "$work/dom.html" || fail "the not-at-6003 table is missing"
for tag in '<img' '<b>' '<i>' '<link' '<iframe'; do
    if grep -qi -- "$tag" "$work/dom.html"; then fail "a result's markup became an element: $tag"; fi
done
[ "$(grep -oi '<script' "$work/dom.html" | wc -l)" = 1 ] ||
    fail "a <script> element other than the page's own is in the DOM"
grep -q '&lt;script&gt;document.title=' "$work/dom.html" || fail "the hostile input name is not shown as text"
grep -q 'onerror=' "$work/dom.html" || fail "the hostile product name is not shown as text"
grep -q '<table class="servers sortable" id="servers-table">' "$work/dom.html" ||
    fail "the table of installations is missing, or the page's script did not run"

# "SECTION.KEY<tab>COUNT" (keys hold spaces) for every count the page
# shows (Chromium serializes the ">" of the key ">24" as &gt;).
grep -o 'data-metric="[^"]*">[0-9]*<' "$work/dom.html" |
    sed -e 's/^data-metric="\([^"]*\)">\([0-9]*\)<$/\1\t\2/' \
        -e 's/&gt;/>/g; s/&lt;/</g; s/&amp;/\&/g' >"$work/dom-metrics"
[ "$(wc -l <"$work/dom-metrics")" -ge 20 ] || fail "too few counts in the DOM"

# The CSV row section,key,count for "section.key" (keys without quotes).
csv_count() {
    awk -F, -v sec="${1%%.*}" -v key="${1#*.}" '
        { sub(/\r$/, "") } $1 == sec && $2 == key { print $3; exit }' "$work/summary.csv"
}
# The count on the line "  LABEL   N" in the text section titled $1.
text_count() {
    awk -v title="$1" -v label="$2" '
        $0 == title { inside = 1; next }
        inside && $0 == "" { exit }
        inside { line = $0; n = $NF; sub(/^  /, "", line); sub(/ +[0-9]+$/, "", line)
                 if (line == label) { print n; exit } }' "$work/summary.txt"
}
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }
dom_count() { awk -F'\t' -v m="$1" '$1 == m { print $2; exit }' "$work/dom-metrics"; }

checked=0
tab=$(printf '\t')
while IFS=$tab read -r metric count; do
    want=$(csv_count "$metric")
    [ "$want" = "$count" ] || fail "$metric: the page shows $count, the CSV says ${want:-nothing}"
    checked=$((checked + 1))
done <"$work/dom-metrics"

for v in yes no inconsistent not-applicable unknown; do
    t=$(text_count "Build 6003 verdict" "$v")
    d=$(dom_count "verdict.$v")
    same "$t" "$d" || fail "verdict $v: the page shows ${d:-nothing}, the text ${t:-nothing}"
done
for pair in "inputs.total:Inputs:total" "inputs.failed:Inputs:failed" \
    "installations.total:Installations:total" \
    "installations.reboot_pending:Installations:pending reboot" \
    "installations.scanned_for_6002_checks:Installations:scanned for 6002 checks" \
    "installations.with_6002_checks:Installations:will break at 6003"; do
    metric=${pair%%:*}; rest=${pair#*:}
    t=$(text_count "${rest%%:*}" "${rest#*:}")
    d=$(dom_count "$metric")
    same "$t" "$d" || fail "$metric: the page shows ${d:-nothing}, the text ${t:-nothing}"
done

# The servicing cards and charts (issue 9): each next-step card and each
# channel bar is on the page, and equals the text summary's count.
for k in "needs SSU" "needs SHA-2" "needs ESU licensing" "needs reboot" \
    "current for its channel" "not determined"; do
    t=$(text_count "Next steps" "$k")
    d=$(dom_count "next_step.$k")
    same "$t" "$d" || fail "next_step.$k: the page shows ${d:-nothing}, the text ${t:-nothing}"
done
for c in public esu azure premium-assurance "not determined"; do
    t=$(text_count "Channel the installed updates prove" "$c")
    d=$(dom_count "channel.$c")
    same "$t" "$d" || fail "channel.$c: the page shows ${d:-nothing}, the text ${t:-nothing}"
done
grep -q 'data-metric="security_month.none"' "$work/dom.html" ||
    fail "the security level chart is missing"

# ---- a person using the page -------------------------------------------
python3 "$here/summary_page.py" "$browser" "$work/summary.html" "$work/summary.json" \
    >"$work/page.out" 2>&1 || {
    cat "$work/page.out"
    fail "driving the page in Chromium failed"
}
page_checks=$(grep -c '^ok: ' "$work/page.out")

# ---- a picture ---------------------------------------------------------
chrome --hide-scrollbars --window-size=1280,2200 --screenshot="$work/summary.png" \
    "file://$work/summary.html" >/dev/null || fail "chromium could not take a screenshot"
[ "$(wc -c <"$work/summary.png")" -gt 10000 ] || fail "the screenshot is (nearly) empty"
cp "$work/summary.png" "$screenshot"

echo "PASS: check-summary-html: $checked counts in the rendered page match the CSV, the" \
    "verdicts and totals match the text; no markup from the results rendered;" \
    "$page_checks checks driving the page (rows, sorting, filtering, CSP) passed;" \
    "screenshot: $screenshot"
