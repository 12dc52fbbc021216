"""Python bindings of libpatchlevel: inspect Windows images offline.

patchlevel reads disk images (raw/dd, E01, VHD, VHDX, VMDK, qcow2, with
differencing disks and overlays), WIM/ESD/split WIM files, extracted
Windows trees and bare registry hives, never writing to them, and decides
whether Windows Server 2008 SP2 / Vista SP2 is at build 6003, which
updates and rollups are installed and whether servicing waits for a
reboot, with the evidence for each fact.

    >>> import patchlevel
    >>> [report] = patchlevel.analyze("server.vhdx")
    >>> for inst in report["installations"]:
    ...     print(inst["build6003"]["verdict"], inst["os"]["computer_name"])

The report is the program's: analyze() returns exactly what
``patchlevel -f json PATH`` prints, parsed with the json module. The
library renders that JSON (patchlevel_result_json) and this module only
parses it, so the two cannot drift apart. Its fields are documented in
patchlevel(1) ("JSON report"); the "schema" member names the version of
that contract ("patchlevel/1"), whose fields are only ever added, never
renamed.
"""

import json as _json
import os as _os
import pkgutil as _pkgutil

# The C extension may be installed under a different root than this file
# (pyexecdir and pythondir differ on some systems): look for the package's
# other half on sys.path.
__path__ = _pkgutil.extend_path(__path__, __name__)

from . import _patchlevel  # noqa: E402  (needs __path__ above)

__all__ = [
    "analyze", "version", "ERROR_CODES", "error_class",
    "Error", "ReadError", "NotFoundError", "UnrecognizedError", "CorruptError",
    "UnsupportedError", "ResourceError", "UsageError", "LibraryError",
]


class Error(Exception):
    """An input that could not be analyzed at all, or a call that failed.

    Attributes:
        code: the error code's name, as in the report's error_details
            ("io", "not-found", "unrecognized", "truncated", "corrupt", ...;
            see ERROR_CODES).
        message: what failed and why, as the program says it.
        path: the file the error is about (the input, the catalog or a
            parent), as given; None when none is.
        result: for an input that could not be analyzed, the report
            analyze() would have returned (a list holding one dict whose
            "errors" say what went wrong); None for a failed call (a bad
            catalog or parent, out of memory).
    """

    def __init__(self, code, message, path=None, result=None):
        self.code = code
        self.message = message
        self.path = path
        self.result = result
        super().__init__(code, message)

    def __str__(self):
        where = "" if self.path is None else f"{_os.fsdecode(self.path)}: "
        return f"{where}{self.message} [{self.code}]"


class ReadError(Error):
    """The operating system refused to open or read a file ("io")."""


class NotFoundError(Error):
    """A file or key that must exist does not ("not-found"), or a
    differencing disk's parent cannot be found ("parent-missing")."""


class UnrecognizedError(Error):
    """Not a format patchlevel reads ("unrecognized")."""


class CorruptError(Error):
    """A structure is invalid or cut short: "corrupt", "truncated",
    "parent-mismatch" (the parent found is not the right one), "dirty"
    (a hive not cleanly closed), "disagreement" (two witnesses differ)."""


class UnsupportedError(Error):
    """Valid, but not handled: "unsupported", "limit" (larger than a
    built-in limit), "unsafe" (refused to protect the evidence)."""


class ResourceError(Error):
    """Out of memory, file descriptors or temporary space ("resources")."""


class UsageError(Error):
    """A bad argument ("usage", "output-is-input")."""


class LibraryError(Error):
    """Not the input's fault: "library" (a library refused without saying
    why), "internal" (a bug in patchlevel), and the codes of a failed run
    ("crashed", "timeout", "interrupted") the library may report."""


_CLASSES = {
    "io": ReadError,
    "not-found": NotFoundError, "parent-missing": NotFoundError,
    "unrecognized": UnrecognizedError,
    "truncated": CorruptError, "corrupt": CorruptError,
    "parent-mismatch": CorruptError, "dirty": CorruptError,
    "disagreement": CorruptError,
    "unsupported": UnsupportedError, "limit": UnsupportedError,
    "unsafe": UnsupportedError,
    "resources": ResourceError,
    "usage": UsageError, "output-is-input": UsageError,
    "library": LibraryError, "internal": LibraryError, "crashed": LibraryError,
    "timeout": LibraryError, "interrupted": LibraryError,
}

#: The library's error codes, name -> one-sentence description, in the
#: order of their numbers (enum patchlevel_error). The names are the
#: "code" values of the report's error_details and warning_details.
ERROR_CODES = dict(_patchlevel.error_codes())


def error_class(code):
    """The Error subclass raised for an error code's name (Error itself for
    a code this version does not know)."""
    return _CLASSES.get(code, Error)


def version():
    """The library's version, "0.x.y" (the program's --version)."""
    return _patchlevel.version()


__version__ = version()


def _is_path(value):
    return isinstance(value, (str, bytes, _os.PathLike))


def analyze(path, catalog=None, parents=(), *, find_6002_checks=False):
    """Analyze one input; return its report as the program makes it.

    Arguments:
        path: the input: a disk image, a WIM/ESD (or a split WIM's first
            part), a directory holding a Windows tree, or a SOFTWARE hive
            (str, bytes or os.PathLike). Its kind is found from its
            content. It is only ever read.
        catalog: the update catalog the rollup answers rest on. None (the
            default): the catalog shipped with patchlevel, as the program
            finds it without --catalog (when it is not installed, a
            RuntimeWarning says so and the rollup answers are null, as the
            program's are). A path: that CSV file (--catalog). False: no
            catalog, the rollup answers are null.
        parents: parent (backing) disks for a differencing disk or
            overlay, tried after the locators stored in it (--parent,
            in order).
        find_6002_checks: also scan each installation's scripts for tests
            of build 6002 that break at 6003 (--find-6002-checks; the
            "compat_6002" member).

    Returns:
        A list with one dict per input (here always one): the object that
        ``patchlevel -f json PATH`` prints, parsed with json.loads; the
        program prints a bare object for one input and a list of them for
        several, and this list holds that object. Everything the report
        holds is there: report["installations"][i]["build6003"]["verdict"]
        ("yes", "no", "inconsistent", "unknown", "not-applicable"), "os",
        "files", "updates", "pending", the warnings and errors, etc. (see
        patchlevel(1)). An input that was partly read returns normally with
        its errors in report["errors"] / report["error_details"].

    Raises:
        Error (a subclass chosen by error_class(code)): when the input
        could not be analyzed at all, i.e. its report has errors and no
        installation (the program exits 3 for it); .code is the first
        error's code, .result the report. Also when the catalog or a parent
        cannot be used (.path names it), and ResourceError when memory runs
        out. TypeError for arguments of the wrong type.
    """
    if _is_path(parents):
        raise TypeError("parents must be a sequence of paths, not one path")
    if catalog is True:
        raise TypeError("catalog must be None, False or a path")
    try:
        text, errors, installations = _patchlevel.analyze(
            path, catalog, tuple(parents), bool(find_6002_checks))
    except _patchlevel.CallError as e:
        code, message, where = e.args
        raise error_class(code)(code, message, path=where) from None
    report = [_json.loads(text)]
    if errors and installations == 0:
        code, message = errors[0]
        raise error_class(code)(code, message, path=path, result=report)
    return report
