"""Shared helpers of the Python binding tests: where the program and the
fixtures are (set by tests/python/test-python.sh from `make check`), and
running the program to compare with."""
import json
import os
import re
import subprocess

import pytest

import patchlevel

PROGRAM = os.environ.get("PL_PROGRAM", "")
FIXTURES = os.environ.get("PL_FIXTURES", "")
SOURCE_DIR = os.environ.get("PL_SOURCE_DIR", "")


def program_env():
    """The environment for the program: without the sanitizer runtime that
    test-python.sh preloads into Python for an ASan build (the program is
    linked with it already, or built without it)."""
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    return env


def timeless(report):
    """A report (or a list of them) without provenance.analyzed_at: the one
    field two analyses of the same input may differ in (the time each
    began). Checked for its format here, then compared no further."""
    if isinstance(report, list):
        return [timeless(r) for r in report]
    if isinstance(report, dict) and isinstance(report.get("provenance"), dict):
        report = dict(report, provenance=dict(report["provenance"]))
        at = report["provenance"].pop("analyzed_at", None)
        assert at is None or re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", at), at
    return report


def run_program(*args):
    """(exit status, parsed JSON report) of `patchlevel -q -f json ARGS`,
    without its analysis time (see timeless)."""
    proc = subprocess.run([PROGRAM, "-q", "-f", "json", *args], env=program_env(),
                          stdout=subprocess.PIPE, timeout=600, check=False)
    assert proc.returncode in (0, 3), f"patchlevel {args}: exit {proc.returncode}"
    return proc.returncode, timeless(json.loads(proc.stdout))


@pytest.fixture(autouse=True)
def _timeless_analyze(monkeypatch):
    """patchlevel.analyze as the tests compare it: without analysis times,
    in its result and in the result an Error carries."""
    real = patchlevel.analyze

    def analyze(*args, **kwargs):
        try:
            return timeless(real(*args, **kwargs))
        except patchlevel.Error as e:
            if getattr(e, "result", None) is not None:
                e.result = timeless(e.result)
            raise
    monkeypatch.setattr(patchlevel, "analyze", analyze)


def fixture(rel):
    return os.path.join(FIXTURES, rel)


@pytest.fixture(scope="session", autouse=True)
def _environment():
    if not (PROGRAM and os.access(PROGRAM, os.X_OK) and os.path.isdir(FIXTURES)):
        pytest.fail("PL_PROGRAM and PL_FIXTURES must name the built program and fixtures/ "
                    "(run through tests/python/test-python.sh)")
