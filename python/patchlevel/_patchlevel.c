/* patchlevel._patchlevel: the thin C layer of the Python bindings.
 *
 * It only moves data across libpatchlevel's public interface
 * (include/patchlevel.h): one call analyzes one input and hands back the
 * JSON text the program prints for it (patchlevel_result_json), the
 * result's errors and its number of installations. Everything a Python
 * user sees (the parsed report, the exception classes) is made in
 * patchlevel/__init__.py, so the report the bindings return is, by
 * construction, the program's report.
 *
 * Failures of the library itself (a catalog or parent that cannot be
 * used, out of memory) raise _patchlevel.CallError(code_name, message,
 * path); __init__.py turns it into the patchlevel.Error subclass of the
 * code. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Python has a header of the same name (its version numbers, included by
 * Python.h): libpatchlevel's include directory must come first on the
 * command line, as Makefile.am puts it. */
#include <patchlevel.h>
#ifndef PATCHLEVEL_H
#error "<patchlevel.h> is Python's: put libpatchlevel's include directory before Python's"
#endif

/* The error codes are a short enumeration; this bounds the walk over it
 * in error_codes() should patchlevel_error_name ever stop answering
 * "unknown" past the end. */
#define MAX_ERROR_CODES 256

static PyObject *call_error;   /* _patchlevel.CallError */

/* A library message as str. Messages quote names from images and file
 * names: invalid UTF-8 is kept as surrogates (as os.fsdecode does) rather
 * than failing the call. */
static PyObject *message_text(const char *msg)
{
    if (!msg)
        msg = "";
    return PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "surrogateescape");
}

/* Raise CallError(code name, message, path or None). */
static void raise_call_error(enum patchlevel_error code, const char *message, PyObject *path)
{
    PyObject *text = message_text(message && *message ? message : patchlevel_error_string(code));
    PyObject *args = text ? Py_BuildValue("(sNO)", patchlevel_error_name(code), text,
                                          path ? path : Py_None)
                          : NULL;
    if (args) {
        PyErr_SetObject(call_error, args);
        Py_DECREF(args);
    }
}

/* A context with the catalog, the parents and the options of one call.
 * NULL with an exception set on failure. */
static patchlevel_context *make_context(PyObject *catalog, PyObject *parents, int find_6002)
{
    patchlevel_context *ctx = NULL;
    enum patchlevel_error e = patchlevel_context_new(&ctx);
    if (e != PATCHLEVEL_OK) {
        raise_call_error(e, NULL, NULL);
        return NULL;
    }
    /* wimlib extracts a WIM's files to standard output only; the library
     * then points descriptor 1 at a private file for a moment, which
     * would swallow what another Python thread prints meanwhile (the GIL
     * is released during the analysis). A private directory is slower
     * but leaves descriptor 1 alone. */
    e = patchlevel_context_set_wim_extract_to_directory(ctx, 1);
    if (e == PATCHLEVEL_OK)
        e = patchlevel_context_set_find_6002_checks(ctx, find_6002);
    if (e != PATCHLEVEL_OK) {
        raise_call_error(e, patchlevel_context_error_message(ctx), NULL);
        goto fail;
    }

    if (catalog == Py_None) {   /* the shipped catalog */
        e = patchlevel_context_load_catalog(ctx, NULL);
        if (e == PATCHLEVEL_ERR_NOT_FOUND) {
            /* Not installed: like the program, go on without rollup
             * answers and say so (a warning, not an error). */
            if (PyErr_WarnFormat(PyExc_RuntimeWarning, 1,
                                 "patchlevel: no update catalog found (%s): the newest and "
                                 "missing rollups are not determined; pass catalog=PATH",
                                 patchlevel_context_error_message(ctx)) != 0)
                goto fail;
        } else if (e != PATCHLEVEL_OK) {
            raise_call_error(e, patchlevel_context_error_message(ctx), NULL);
            goto fail;
        }
    } else if (catalog != Py_False) {
        PyObject *path = NULL;
        if (!PyUnicode_FSConverter(catalog, &path))
            goto fail;
        e = patchlevel_context_load_catalog(ctx, PyBytes_AS_STRING(path));
        if (e != PATCHLEVEL_OK)
            raise_call_error(e, patchlevel_context_error_message(ctx), catalog);
        Py_DECREF(path);
        if (e != PATCHLEVEL_OK)
            goto fail;
    }

    PyObject *seq = PySequence_Fast(parents, "parents must be a sequence of paths");
    if (!seq)
        goto fail;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i), *path = NULL;
        if (!PyUnicode_FSConverter(item, &path)) {
            Py_DECREF(seq);
            goto fail;
        }
        e = patchlevel_context_add_parent(ctx, PyBytes_AS_STRING(path));
        Py_DECREF(path);
        if (e != PATCHLEVEL_OK) {
            raise_call_error(e, patchlevel_context_error_message(ctx), item);
            Py_DECREF(seq);
            goto fail;
        }
    }
    Py_DECREF(seq);
    return ctx;

fail:
    patchlevel_context_free(ctx);
    return NULL;
}

/* [(code name, message), ...] of a result's errors. */
static PyObject *result_errors(const patchlevel_result *r)
{
    size_t n = patchlevel_result_error_count(r);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *text = message_text(patchlevel_result_error_message(r, i));
        PyObject *item =
            text ? Py_BuildValue("(sN)", patchlevel_error_name(patchlevel_result_error_code(r, i)),
                                 text)
                 : NULL;
        if (!item) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

/* (json text, errors, installation count) of an analyzed result. */
static PyObject *result_tuple(const patchlevel_result *r)
{
    char *json = NULL;
    size_t len = 0;
    enum patchlevel_error e = patchlevel_result_json(r, &json, &len);
    if (e != PATCHLEVEL_OK) {
        raise_call_error(e, NULL, NULL);
        return NULL;
    }
    /* The report writer replaces invalid UTF-8 with U+FFFD: the text is
     * valid UTF-8, and strict decoding would catch a writer bug. */
    PyObject *text = PyUnicode_DecodeUTF8(json, (Py_ssize_t)len, "strict");
    patchlevel_free(json);
    if (!text)
        return NULL;
    PyObject *errors = result_errors(r);
    if (!errors) {
        Py_DECREF(text);
        return NULL;
    }
    return Py_BuildValue("(NNn)", text, errors,
                         (Py_ssize_t)patchlevel_result_installation_count(r));
}

PyDoc_STRVAR(analyze_doc,
             "analyze(input, catalog, parents, find_6002_checks) -> (json, errors, installations)\n\n"
             "Analyze one input. catalog: None for the shipped catalog, False for none, else\n"
             "a path. json is the program's -f json text for the input; errors a list of\n"
             "(code, message); installations the number found. Raises CallError when the\n"
             "catalog or a parent cannot be used, or memory runs out.");

static PyObject *py_analyze(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"input", "catalog", "parents", "find_6002_checks", NULL};
    PyObject *input = NULL, *catalog = Py_None, *parents = NULL, *result = NULL;
    int find_6002 = 0;
    (void)self;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|OOp", keywords, PyUnicode_FSConverter,
                                     &input, &catalog, &parents, &find_6002))
        return NULL;
    PyObject *no_parents = parents ? NULL : PyTuple_New(0);
    patchlevel_context *ctx = make_context(catalog, parents ? parents : no_parents, find_6002);
    Py_XDECREF(no_parents);
    if (!ctx)
        goto out;

    patchlevel_result *r = NULL;
    enum patchlevel_error e;
    /* An analysis reads whole disk images: let other threads run. ctx and
     * the path's bytes belong to this call alone. */
    Py_BEGIN_ALLOW_THREADS
    e = patchlevel_analyze(ctx, PyBytes_AS_STRING(input), &r);
    Py_END_ALLOW_THREADS
    if (e != PATCHLEVEL_OK)
        raise_call_error(e, patchlevel_context_error_message(ctx), NULL);
    else
        result = result_tuple(r);
    /* The result points into the context's catalog: free it first. */
    patchlevel_result_free(r);
    patchlevel_context_free(ctx);
out:
    Py_DECREF(input);
    return result;
}

PyDoc_STRVAR(version_doc, "version() -> str\n\nThe library's version, \"0.x.y\".");

static PyObject *py_version(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyUnicode_FromString(patchlevel_version());
}

PyDoc_STRVAR(error_codes_doc,
             "error_codes() -> [(name, description), ...]\n\n"
             "The library's error codes in their numeric order, from 1.");

static PyObject *py_error_codes(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    PyObject *list = PyList_New(0);
    for (int i = 1; list && i < MAX_ERROR_CODES; i++) {
        const char *name = patchlevel_error_name((enum patchlevel_error)i);
        if (!name || strcmp(name, "unknown") == 0)
            break;
        PyObject *item =
            Py_BuildValue("(ss)", name, patchlevel_error_string((enum patchlevel_error)i));
        if (!item || PyList_Append(list, item) != 0) {
            Py_XDECREF(item);
            Py_CLEAR(list);
            break;
        }
        Py_DECREF(item);
    }
    return list;
}

static PyMethodDef methods[] = {
    {"analyze", (PyCFunction)(void (*)(void))py_analyze, METH_VARARGS | METH_KEYWORDS,
     analyze_doc},
    {"version", py_version, METH_NOARGS, version_doc},
    {"error_codes", py_error_codes, METH_NOARGS, error_codes_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "patchlevel._patchlevel",
    .m_doc = "The C layer of the patchlevel bindings; use the patchlevel package.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__patchlevel(void)
{
    /* libxml2 initializes itself lazily, which races when two threads
     * start analyses at once: do it now, under the GIL. */
    enum patchlevel_error e = patchlevel_global_init();
    if (e != PATCHLEVEL_OK) {
        PyErr_Format(PyExc_ImportError, "patchlevel: cannot initialize the library: %s",
                     patchlevel_error_string(e));
        return NULL;
    }
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    call_error = PyErr_NewExceptionWithDoc(
        "patchlevel._patchlevel.CallError",
        "A library call failed: args are (code name, message, path or None).", NULL, NULL);
    if (!call_error || PyModule_AddObject(m, "CallError", call_error) != 0) {
        Py_XDECREF(call_error);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(call_error);   /* PyModule_AddObject stole one reference; keep ours */
    return m;
}
