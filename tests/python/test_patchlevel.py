"""The Python bindings: the same report as the program for every fixture
input, the error classes, the catalog choices, parents, the options."""
import concurrent.futures
import os
import pathlib
import re
import shutil
import subprocess

import pytest

import patchlevel
from conftest import FIXTURES, PROGRAM, SOURCE_DIR, fixture, program_env, run_program

CATALOG = os.path.join(SOURCE_DIR, "data", "ws2008-sp2-catalog.csv")


def fixture_inputs():
    """Every input the fixtures hold: each Windows tree (a directory) and
    every file (disk images, chain members, WIMs, hives, the fault files,
    loose PE and manifest files, which are unrecognized inputs), but not
    the generators and the documentation."""
    inputs = []
    trees = os.path.join(FIXTURES, "trees")
    for name in sorted(os.listdir(trees)):
        if os.path.isdir(os.path.join(trees, name)):
            inputs.append(os.path.join(trees, name))
    for top, dirs, files in os.walk(FIXTURES):
        dirs[:] = sorted(d for d in dirs if os.path.join(top, d) != os.path.join(FIXTURES, "gen"))
        for name in sorted(files):
            if not name.endswith((".md", ".sh")):
                inputs.append(os.path.join(top, name))
    return inputs


INPUTS = fixture_inputs() if FIXTURES else []


def analyze_or_result(path, **kwargs):
    """The report the bindings make, whether or not analyze() raised; and
    the exception (None when it returned)."""
    try:
        return patchlevel.analyze(path, **kwargs), None
    except patchlevel.Error as e:
        assert e.result is not None, f"{path}: an input's error carries its report"
        return e.result, e


@pytest.fixture(scope="module")
def program_reports():
    """The program's report of every fixture input, from one run."""
    status, reports = run_program("--catalog", CATALOG, *INPUTS)
    assert isinstance(reports, list) and len(reports) == len(INPUTS)
    by_input = {r["input"]: r for r in reports}
    assert len(by_input) == len(INPUTS)
    return by_input


def test_the_fixtures_are_many_and_varied():
    """Guard against an enumeration that silently finds nothing."""
    kinds = {os.path.relpath(p, FIXTURES).split(os.sep)[0] for p in INPUTS}
    assert {"trees", "wim", "disks", "hives-dirty", "faults", "pe"} <= kinds
    assert len(INPUTS) > 300


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: os.path.relpath(p, FIXTURES))
def test_same_report_as_the_program(path, program_reports):
    expected = program_reports[path]
    got, error = analyze_or_result(path, catalog=CATALOG)
    assert isinstance(got, list) and len(got) == 1
    if expected["container"] in ("wim", "esd", "swm") and expected["errors"]:
        # The bindings extract WIM evidence into a directory (the program:
        # into memory); on a damaged WIM wimlib gives up after reading a
        # different amount in each mode. Everything else is the same.
        assert got[0]["bytes_read"] > 0 and expected["bytes_read"] > 0
        got[0] = dict(got[0], bytes_read=expected["bytes_read"])
    assert got[0] == expected
    # It raises exactly for an input the program could not analyze at all.
    failed = bool(expected["errors"]) and not expected["installations"]
    assert (error is not None) == failed
    if error is not None:
        first = expected["error_details"][0]
        assert (error.code, error.message) == (first["code"], first["message"])
        assert type(error) is patchlevel.error_class(first["code"])
        assert error.path == path


@pytest.mark.parametrize("rel", ["trees/ws2008-6003-rollups", "wim/multi.wim",
                                 "disks/mbr-sysres.qcow2"])
def test_shipped_catalog_by_default(rel):
    """catalog=None is the catalog the program finds without --catalog."""
    _, expected = run_program(fixture(rel))
    assert patchlevel.analyze(fixture(rel)) == [expected]
    assert expected["catalog"] is not None


ROLLUP_ANSWERS = ["latest_rollup", "missing_rollups", "rollups_behind", "security_level",
                  "channel", "behind", "next_steps"]


def test_no_catalog_gives_null_rollup_answers():
    [with_catalog] = patchlevel.analyze(fixture("trees/ws2008-6003-rollups"))
    [without] = patchlevel.analyze(fixture("trees/ws2008-6003-rollups"), catalog=False)
    assert without["catalog"] is None
    updates = without["installations"][0]["updates"]
    known = with_catalog["installations"][0]["updates"]
    for field in ROLLUP_ANSWERS:
        assert known[field] is not None, field
        assert updates[field] is None, field
    assert updates["rollups_unknown"] is None
    # The facts read from the image do not depend on the catalog.
    assert updates["kbs_installed"] == known["kbs_installed"]
    assert (without["installations"][0]["build6003"]
            == with_catalog["installations"][0]["build6003"])


def test_paths_as_str_bytes_and_pathlib():
    path = fixture("wim/multi.wim")
    reports = [patchlevel.analyze(p, catalog=CATALOG)
               for p in (path, os.fsencode(path), pathlib.Path(path))]
    assert reports[0] == reports[1] == reports[2]
    assert len(reports[0][0]["installations"]) == 3


def test_missing_file():
    path = fixture("no/such/image.vhd")
    _, expected = run_program(path)
    with pytest.raises(patchlevel.Error) as info:
        patchlevel.analyze(path)
    e = info.value
    assert isinstance(e, (patchlevel.ReadError, patchlevel.NotFoundError))
    assert e.code == expected["error_details"][0]["code"]
    assert e.message == expected["error_details"][0]["message"]
    assert e.path == path and e.result == [expected]
    assert path in str(e) and e.code in str(e)


@pytest.mark.parametrize("rel", ["faults/containers/garbage.wim", "faults/containers/garbage.vhd",
                                 "pe/kernel32-6.0.6002.18005-x86.dll"])
def test_garbage_file(rel):
    with pytest.raises(patchlevel.UnrecognizedError) as info:
        patchlevel.analyze(fixture(rel), catalog=False)
    assert info.value.code == "unrecognized"
    assert info.value.result[0]["installations"] == []


def test_truncated_image_is_a_corrupt_error():
    with pytest.raises(patchlevel.CorruptError) as info:
        patchlevel.analyze(fixture("faults/containers/vhd-cut-header.vhd"), catalog=False)
    assert info.value.code == "truncated"


def test_partly_read_input_returns_its_errors():
    """An input with installations and errors is a report, not an exception."""
    [report] = patchlevel.analyze(fixture("faults/containers/wim-corrupt-data.wim"))
    assert len(report["installations"]) == 3
    assert report["error_details"][0]["code"] == "corrupt"


def test_missing_catalog(tmp_path):
    missing = str(tmp_path / "none.csv")
    with pytest.raises(patchlevel.Error) as info:
        patchlevel.analyze(fixture("wim/multi.wim"), catalog=missing)
    e = info.value
    assert e.code in patchlevel.ERROR_CODES and e.code != "internal"
    assert type(e) is patchlevel.error_class(e.code)
    assert e.path == missing and e.result is None and e.message


def test_bad_catalog(tmp_path):
    """A catalog the program refuses is refused with its message."""
    bad = tmp_path / "bad.csv"
    bad.write_text("kb,release_date,kind\nKB123,2020-01-14,monthly-rollup,extra\n")
    proc = subprocess.run([PROGRAM, "-q", "--catalog", str(bad), fixture("wim/multi.wim")],
                          env=program_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          timeout=600, check=False)
    assert proc.returncode == 2
    with pytest.raises(patchlevel.Error) as info:
        patchlevel.analyze(fixture("wim/multi.wim"), catalog=bad)
    e = info.value
    assert e.code in ("corrupt", "usage")
    assert type(e) is patchlevel.error_class(e.code)
    assert e.message in proc.stderr.decode()
    assert e.path == bad


def test_parents(tmp_path):
    """A child moved away from its parent: found again with parents=, and a
    wrong parent is refused by its identifier, as with --parent."""
    child = tmp_path / "child.avhd"
    shutil.copyfile(fixture("disks/chain-vhd/child.avhd"), child)
    base, wrong = fixture("disks/chain-vhd/base.vhd"), fixture("disks/chain-vhdx/base.vhdx")

    _, expected = run_program(str(child))
    with pytest.raises(patchlevel.NotFoundError) as info:
        patchlevel.analyze(child)
    assert info.value.code == "parent-missing" and info.value.result == [expected]

    _, expected = run_program("--parent", base, str(child))
    [report] = patchlevel.analyze(child, parents=[base])
    assert report == expected
    assert report["installations"][0]["build6003"]["verdict"] == "yes"

    _, expected = run_program("--parent", wrong, str(child))
    with pytest.raises(patchlevel.CorruptError) as info:
        patchlevel.analyze(child, parents=(wrong,))
    assert info.value.code == "parent-mismatch" and info.value.result == [expected]


@pytest.mark.parametrize("rel", ["trees/ws2008-compat6002", "wim/compat6002.wim"])
def test_find_6002_checks(rel):
    _, expected = run_program("--find-6002-checks", fixture(rel))
    [report] = patchlevel.analyze(fixture(rel), find_6002_checks=True)
    assert report == expected
    assert report["installations"][0]["compat_6002"] is not None
    [plain] = patchlevel.analyze(fixture(rel))
    assert plain["installations"][0]["compat_6002"] is None


def test_threads_give_the_same_reports():
    """Contexts are per call and the GIL is released while analyzing."""
    paths = [fixture(p) for p in ("wim/multi.wim", "trees/ws2008-6003-rollups",
                                  "disks/mbr-sysres.qcow2", "wim/install.esd")] * 2
    alone = [patchlevel.analyze(p) for p in paths]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(patchlevel.analyze, paths))
    assert together == alone


def test_version_is_the_programs():
    out = subprocess.run([PROGRAM, "--version"], env=program_env(), stdout=subprocess.PIPE,
                         timeout=600, check=True, text=True).stdout
    assert out.splitlines()[0] == f"patchlevel {patchlevel.version()}"
    assert patchlevel.__version__ == patchlevel.version()


def test_error_codes():
    codes = list(patchlevel.ERROR_CODES)
    assert codes[:5] == ["io", "not-found", "unrecognized", "truncated", "corrupt"]
    assert {"parent-missing", "parent-mismatch", "resources", "usage", "internal"} <= set(codes)
    assert all(patchlevel.ERROR_CODES[c] for c in codes)   # each has its sentence
    for code in codes:   # every code the library has raises a specific class
        cls = patchlevel.error_class(code)
        assert issubclass(cls, patchlevel.Error) and cls is not patchlevel.Error, code
    assert patchlevel.error_class("a-future-code") is patchlevel.Error


def test_bad_arguments():
    with pytest.raises(TypeError):
        patchlevel.analyze(fixture("wim/multi.wim"), parents=fixture("disks/chain-vhd/base.vhd"))
    with pytest.raises(TypeError):
        patchlevel.analyze(fixture("wim/multi.wim"), catalog=True)
    with pytest.raises(TypeError):
        patchlevel.analyze(None)
    with pytest.raises(ValueError):
        patchlevel.analyze(fixture("wim/multi.wim") + "\0x")


def readme_example():
    """The README's notebook cell (the first python block of its Python
    section) and the sample of its output shown below it."""
    text = pathlib.Path(SOURCE_DIR, "README.md").read_text(encoding="utf-8")
    section = text.split("\n### Python\n", 1)[1].split("\n#", 1)[0]
    blocks = re.findall(r"^```(\w*)\n(.*?)^```$", section, re.S | re.M)
    assert [lang for lang, _ in blocks[:2]] == ["python", ""]
    return blocks[0][1], blocks[1][1].splitlines()


def test_readme_example(capsys):
    code, sample = readme_example()
    folder = 'folder = "/cases/images"'
    assert folder in code
    exec(code.replace(folder, f"folder = {fixture('disks')!r}"), {})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == sample[0]
    for line in sample[1:]:   # the rows shown are rows it prints
        assert line in lines
    # one row at least for every entry of the folder
    assert {line.split(",")[0] for line in lines[1:]} == set(os.listdir(fixture("disks")))
