"""Shared helpers of the Python binding tests: where the program and the
fixtures are (set by tests/python/test-python.sh from `make check`), and
running the program to compare with."""
import json
import os
import subprocess

import pytest

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


def run_program(*args):
    """(exit status, parsed JSON report) of `patchlevel -q -f json ARGS`."""
    proc = subprocess.run([PROGRAM, "-q", "-f", "json", *args], env=program_env(),
                          stdout=subprocess.PIPE, timeout=600, check=False)
    assert proc.returncode in (0, 3), f"patchlevel {args}: exit {proc.returncode}"
    return proc.returncode, json.loads(proc.stdout)


def fixture(rel):
    return os.path.join(FIXTURES, rel)


@pytest.fixture(scope="session", autouse=True)
def _environment():
    if not (PROGRAM and os.access(PROGRAM, os.X_OK) and os.path.isdir(FIXTURES)):
        pytest.fail("PL_PROGRAM and PL_FIXTURES must name the built program and fixtures/ "
                    "(run through tests/python/test-python.sh)")
