#!/usr/bin/env python3
"""Drive the `patchlevel summarize -f html` page in headless Chromium, as a
person would: click column headings, type in the filter box, and watch the
console. Standard library only: Chromium's DevTools protocol over a pipe
(--remote-debugging-pipe: JSON messages ending in NUL on descriptors 3
and 4), so no driver, no network port and no package is needed.

Usage: summary_page.py BROWSER PAGE.html SUMMARY.json
  SUMMARY.json is `patchlevel summarize -f json` of the same results: the
  installations the table must hold, counted independently of the page.
or:    summary_page.py --shoot BROWSER PAGE.html SELECTOR=OUT.png...
  a PNG of each element (its whole height, also below the window), to
  look at a long page section by section.

Checks, each printed as "ok: ..." (exit 0) or "FAIL: ..." (exit 1):
  - the table holds one row per installation, with and without JavaScript
    (the filter box appears only with it);
  - a click on a column heading sorts the rows by it (text and numbers),
    a second click reverses them;
  - typed words hide the rows that do not contain them all;
  - nothing from a result became markup or ran (no <img>, one <script>,
    title untouched, a hostile computer name shown as text);
  - no Content-Security-Policy violation, console error or exception: the
    policy blocks nothing the page needs.
"""
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import time

TIMEOUT = 30  # seconds for any one answer from the browser


class Browser:
    """Chromium with the DevTools protocol on a pipe, one page attached."""

    def __init__(self, binary, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def child_fds():
            # Chromium reads commands on fd 3 and writes answers on fd 4;
            # os.dup2 makes them inheritable (os.pipe's are not).
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.log = open(os.path.join(profile, "chromium.log"), "w")
        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--remote-debugging-pipe", "--user-data-dir=" + profile, "--window-size=1400,1000",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            preexec_fn=child_fds, close_fds=False)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None
        page = next(t for t in self.call("Target.getTargets")["targetInfos"] if t["type"] == "page")
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": page["targetId"], "flatten": True})["sessionId"]

    def close(self):
        try:
            self.call("Browser.close", session=False)
        except Exception:  # it may be gone already
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def _message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_chrome], [], [], left)[0]:
                raise RuntimeError("the browser did not answer in time")
            data = os.read(self.from_chrome, 1 << 16)
            if not data:
                raise RuntimeError("the browser closed the pipe")
            self.buf += data
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            m = self._message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_event(self, method):
        deadline = time.monotonic() + TIMEOUT
        for i, e in enumerate(self.events):
            if e["method"] == method:
                return self.events.pop(i)
        while True:
            m = self._message(deadline)
            if m.get("method") == method:
                return m
            if "method" in m:
                self.events.append(m)

    def js(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expression, r["exceptionDetails"]))
        return r["result"].get("value")

    def load(self, url):
        self.events = [e for e in self.events if e["method"] != "Page.loadEventFired"]
        self.call("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def click(self, selector):
        """A real mouse click at the middle of the element."""
        box = self.js("(function(){var r=document.querySelector(%s).getBoundingClientRect();"
                      "return [r.left+r.width/2, r.top+r.height/2];})()" % json.dumps(selector))
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1],
                                                   "button": "left", "clickCount": 1})


failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


# Watches for policy violations from the first line of the page on (a
# DevTools script is not subject to the page's policy).
CSP_WATCH = ("window.__cspViolations=[];document.addEventListener('securitypolicyviolation',"
             "function(e){window.__cspViolations.push(e.violatedDirective+' '+e.blockedURI);});")

ROWS = "document.querySelectorAll('#servers-table tbody tr')"
VISIBLE = "Array.prototype.filter.call(%s,function(r){return !r.hidden;})" % ROWS


def column_values(b, index):
    return b.js("Array.prototype.map.call(%s,function(r){var c=r.cells[%d];"
                "var k=c.getAttribute('data-sort');return k!==null?k:c.textContent;})"
                % (VISIBLE, index))


def headings(b):
    return b.js("Array.prototype.map.call(document.querySelectorAll('#servers-table thead th'),"
                "function(h){return h.textContent;})")


def check_sorting(b):
    heads = headings(b)
    computer = heads.index("Computer")
    behind = heads.index("Behind")
    before = column_values(b, computer)
    b.click("#servers-table thead th:nth-child(%d)" % (computer + 1))
    after = column_values(b, computer)
    want = b.js("%s.slice().sort(function(x,y){return x.localeCompare(y,undefined,"
                "{numeric:true,sensitivity:'base'});})" % json.dumps(before))
    check(after == want and after != before,
          "a click on Computer sorts the rows by computer name (%s ... %s)"
          % (after[0][:40], after[-1][:40]))
    b.click("#servers-table thead th:nth-child(%d)" % (computer + 1))
    check(column_values(b, computer) == list(reversed(want)),
          "a second click on Computer reverses the order")
    b.click("#servers-table thead th:nth-child(%d)" % (behind + 1))
    nums = [float(v) if v not in ("", None) and v.strip("0123456789") == "" else float("inf")
            for v in column_values(b, behind)]
    check(nums == sorted(nums) and len(set(nums)) > 1,
          "a click on Behind sorts by number, unknown last (%s)" % nums[:6])
    check(b.js("document.querySelector('#servers-table thead th:nth-child(%d)')"
               ".getAttribute('aria-sort')" % (behind + 1)) == "ascending",
          "the sorted heading says so (aria-sort)")


def type_filter(b, words):
    b.js("(function(f){f.value='';f.dispatchEvent(new Event('input'));})"
         "(document.getElementById('filter'))")
    b.click("#filter")
    b.call("Input.insertText", {"text": words})


def row_texts(b):
    """Each row's cells as the browser shows them, joined by spaces, lower
    case: read before filtering, so the filter is checked against what
    the page shows, not against its own code."""
    return b.js("Array.prototype.map.call(%s,function(r){return Array.prototype.map.call("
                "r.cells,function(c){return c.textContent;}).join(' ').toLowerCase();})" % ROWS)


def check_filter(b, summary):
    total = len(summary["per_installation"])
    texts = row_texts(b)
    named = [r for r in summary["per_installation"] if r.get("computer_name")
             and re.fullmatch(r"[\w.-]+", r["computer_name"])]
    target = named[len(named) // 2]["computer_name"]
    type_filter(b, target)
    visible = b.js("%s.length" % VISIBLE)
    want = sum(1 for t in texts if target.lower() in t)
    check(visible == want and 0 < visible < total,
          "typing %r in the filter leaves the %d matching row(s) of %d" % (target, want, total))
    check(b.js("document.getElementById('shown').textContent") ==
          "%d of %d installations shown" % (visible, total), "the page says how many are shown")
    domain = next(r["domain"] for r in summary["per_installation"] if r.get("domain"))
    type_filter(b, domain.upper() + "  " + "server")
    visible = b.js("%s.length" % VISIBLE)
    want = sum(1 for t in texts if domain.lower() in t and "server" in t)
    check(visible == want and 0 < visible < total,
          "two words (any case) keep only rows with both: %d of %d" % (visible, total))
    type_filter(b, "")
    check(b.js("%s.length" % VISIBLE) == total, "an empty filter shows every row again")


def check_markup(b, hostile_computer):
    check(b.js("document.title") == "patchlevel fleet summary", "the title is untouched")
    check(b.js("document.querySelectorAll('img,iframe,object,embed,link,b,i,u').length") == 0,
          "no markup from the results became an element")
    check(b.js("document.scripts.length") == 1, "the page's own script is its only one")
    check(b.js("window.__owned===undefined"), "no code from the results ran")
    if hostile_computer:
        shown = b.js("Array.prototype.some.call(%s,function(r){return r.cells[1].textContent===%s;})"
                     % (ROWS, json.dumps(hostile_computer)))
        check(shown, "the hostile computer name %r is shown as text" % hostile_computer)


def check_console(b):
    bad = []
    for e in b.events:
        p = e.get("params", {})
        if e["method"] == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            bad.append(p["entry"]["text"])
        elif e["method"] == "Runtime.consoleAPICalled" and p["type"] in ("error", "warning"):
            bad.append(" ".join(str(a.get("value")) for a in p["args"]))
        elif e["method"] == "Runtime.exceptionThrown":
            bad.append(p["exceptionDetails"].get("text", "exception"))
    violations = b.js("window.__cspViolations")
    check(not bad and violations == [],
          "no CSP violation, console error or exception (%s)" % (bad + violations or "none"))


def shoot(binary, page, pairs):
    import base64
    with tempfile.TemporaryDirectory() as profile:
        b = Browser(binary, profile)
        try:
            b.call("Page.enable")
            b.load("file://" + os.path.abspath(page))
            for pair in pairs:
                selector, out = pair.rsplit("=", 1)
                box = b.js("(function(){var r=document.querySelector(%s).getBoundingClientRect();"
                           "return [r.left+scrollX, r.top+scrollY, r.width, r.height];})()"
                           % json.dumps(selector))
                shot = b.call("Page.captureScreenshot", {
                    "format": "png", "captureBeyondViewport": True,
                    "clip": {"x": box[0], "y": box[1], "width": box[2],
                             "height": min(box[3], 8000), "scale": 1}})
                with open(out, "wb") as f:
                    f.write(base64.b64decode(shot["data"]))
                print("%s: %dx%d -> %s" % (selector, box[2], box[3], out))
        finally:
            b.close()


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "--shoot":
        shoot(sys.argv[2], sys.argv[3], sys.argv[4:])
        return
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    binary, page, summary_path = sys.argv[1:]
    with open(summary_path, encoding="utf-8") as f:
        summary = json.load(f)
    installations = summary["installations"]["total"]
    hostile = next((r["computer_name"] for r in summary["per_installation"]
                    if r.get("computer_name") and "<" in r["computer_name"]), None)
    url = "file://" + os.path.abspath(page)
    with tempfile.TemporaryDirectory() as profile:
        b = Browser(binary, profile)
        try:
            for domain in ("Page", "Runtime", "Log"):
                b.call(domain + ".enable")
            b.call("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_WATCH})
            b.load(url)
            check(b.js("%s.length" % ROWS) == installations,
                  "the table has one row per installation (%d)" % installations)
            check(b.js("!document.getElementById('tools').hidden"), "the filter box is shown")
            check_markup(b, hostile)
            check_sorting(b)
            check_filter(b, summary)
            check_console(b)
            # Without JavaScript: the same rows, no filter box.
            b.call("Emulation.setScriptExecutionDisabled", {"value": True})
            b.load(url)
            check(b.js("%s.length" % ROWS) == installations and
                  b.js("document.getElementById('tools').hidden"),
                  "without JavaScript the table is whole and the filter box hidden")
        finally:
            b.close()
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
