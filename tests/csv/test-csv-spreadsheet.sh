#!/bin/sh
# --csv-bom makes a CSV report that spreadsheets read right: UTF-8's
# byte-order mark first (Excel takes it as "this is UTF-8"), and version
# cells kept as text ("6.0" stays 6.0, not the number 6).
#
# Checked with LibreOffice itself: the report is converted to .xlsx by
# `soffice --headless --convert-to xlsx` and cells are read back from the
# workbook's XML. LibreOffice's import takes the character set from its
# filter options (here UTF-8, what its Text Import dialog offers), not from
# the mark; Excel takes it from the mark. Skips (77) without soffice or
# python3; scripts/install-deps-debian.sh installs both.
set -u
prog=${PL_PROGRAM:?}
fx=${PL_FIXTURES:?}
command -v soffice >/dev/null 2>&1 || { echo "skip: no soffice (libreoffice-calc-nogui)"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "skip: no python3"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# ws2008-pending-6003's product name is "Windows Server® 2008 Datacenter".
tree=$fx/trees/ws2008-pending-6003
"$prog" -f csv --csv-bom "$tree" >"$tmp/report.csv" || bad "patchlevel failed"
"$prog" -f csv "$tree" >"$tmp/plain.csv" || bad "patchlevel failed"
[ "$(head -c 3 "$tmp/report.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] || bad "--csv-bom: no byte-order mark"
[ "$(head -c 5 "$tmp/plain.csv")" = input ] || bad "without --csv-bom the report must start with the header"

HOME=$tmp timeout 300 soffice --headless --infilter="CSV:44,34,76,1" --convert-to xlsx \
    --outdir "$tmp" "$tmp/report.csv" >"$tmp/soffice.log" 2>&1
[ -f "$tmp/report.xlsx" ] || { cat "$tmp/soffice.log"; bad "LibreOffice did not convert the report"; exit 1; }

# Read cells back: A1 the first header, G2 product_name, J2 version,
# M2 ntoskrnl_version. Each must be text with exactly the expected value.
python3 - "$tmp/report.xlsx" <<'PY' || fail=1
import re, sys, zipfile
from xml.etree import ElementTree as ET
ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
z = zipfile.ZipFile(sys.argv[1])
shared = ["".join(t.text or "" for t in si.iter("{%s}t" % ns["m"]))
          for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
def cell(ref):
    c = sheet.find(".//m:c[@r='%s']" % ref, ns)
    if c is None:
        return None, None
    kind, v = c.get("t", "n"), c.find("m:v", ns)
    v = v.text if v is not None else None
    return kind, shared[int(v)] if kind == "s" else v
want = {"A1": "input", "G2": "Windows Server\u00ae 2008 Datacenter", "J2": "6.0",
        "M2": "6.0.6002.24565"}
bad = 0
for ref, value in want.items():
    kind, got = cell(ref)
    if kind == "n" or got != value:
        print("FAIL: cell %s is %r (%s), expected the text %r" % (ref, got, kind, value))
        bad = 1
    else:
        print("ok: cell %s is the text %r" % (ref, got))
sys.exit(bad)
PY
exit $fail
