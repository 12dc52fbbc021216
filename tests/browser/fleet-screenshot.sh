#!/bin/sh
# A page to look at: `patchlevel summarize -f html` of a synthetic fleet of
# N servers (default 500; tests/browser/make-fleet.py), rendered by headless
# Chromium into screenshots of its top (the table of installations) and of
# each section after the table. Prints the files written and how long
# summarize took; the PNGs are for a person to look at, not committed.
#
# Usage: fleet-screenshot.sh [N] [OUTDIR]
# Environment: PL_PROGRAM (the built patchlevel; default ./patchlevel of
# the tree this script is in), CHROMIUM (the browser binary).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
n=${1:-500}
outdir=${2:-${TMPDIR:-/tmp}}
program=${PL_PROGRAM:-$top/patchlevel}
browser=${CHROMIUM:-chromium}
[ -x "$program" ] || { echo "no program at $program (build it, or set PL_PROGRAM)" >&2; exit 1; }
command -v "$browser" >/dev/null 2>&1 || { echo "no $browser (apt-get install chromium)" >&2; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
python3 "$here/make-fleet.py" "$n" --hostile >"$work/fleet.jsonl"
start=$(date +%s.%N)
"$program" summarize -f html -o "$outdir/fleet-$n.html" "$work/fleet.jsonl"
end=$(date +%s.%N)

chrome() {
    timeout 60 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --user-data-dir="$work/profile" "$@" 2>>"$work/chromium.log" >/dev/null
}
chrome --window-size=1440,1400 --screenshot="$outdir/fleet-$n-top.png" "file://$outdir/fleet-$n.html"
# The sections after the table, each whole (the DevTools protocol: a
# window-sized screenshot cannot reach below the table).
python3 "$here/summary_page.py" --shoot "$browser" "$outdir/fleet-$n.html" \
    "#by-verdict=$outdir/fleet-$n-by-verdict.png" "#by-role=$outdir/fleet-$n-by-role.png" \
    "#by-next-step=$outdir/fleet-$n-by-next-step.png" "#overview=$outdir/fleet-$n-overview.png" \
    "#failed=$outdir/fleet-$n-failed.png" "#provenance=$outdir/fleet-$n-provenance.png" >/dev/null

echo "summarize -f html of $n servers: $(echo "$end - $start" | bc) s," \
    "$(wc -c <"$outdir/fleet-$n.html") bytes"
echo "page:        $outdir/fleet-$n.html"
echo "screenshots: $outdir/fleet-$n-top.png, and of each section after the table:" \
    "$outdir/fleet-$n-{by-verdict,by-role,by-next-step,overview,failed,provenance}.png"
