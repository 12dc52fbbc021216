/* The public interface, part one: errors, the library, the context
 * (include/patchlevel.h). */
#include "lib/api_internal.h"

#include <libxml/parser.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wimlib.h>

#include "config.h"
#include "report/provenance.h"
#include "util/io_counter.h"

/* The public codes are the internal ones, value for value. */
_Static_assert((int)PATCHLEVEL_OK == (int)PL_ERR_NONE, "codes");
_Static_assert((int)PATCHLEVEL_ERR_IO == (int)PL_ERR_IO, "codes");
_Static_assert((int)PATCHLEVEL_ERR_DISAGREEMENT == (int)PL_ERR_DISAGREEMENT, "codes");
_Static_assert((int)PATCHLEVEL_ERR_CRASHED == (int)PL_ERR_CRASHED, "codes");
_Static_assert((int)PATCHLEVEL_ERR_RESOURCES == (int)PL_ERR_RESOURCES, "codes");
_Static_assert((int)PATCHLEVEL_ERR_USAGE == (int)PL_ERR_USAGE, "codes");
_Static_assert((int)PATCHLEVEL_ERR_INTERNAL == (int)PL_ERR_INTERNAL, "codes");
_Static_assert((int)PATCHLEVEL_ERR_INTERNAL + 1 == (int)PL_ERR__COUNT, "codes");

/* ---- errors --------------------------------------------------------------- */

enum patchlevel_error pl_api_code(pl_error_code code)
{
    return code > PL_ERR_NONE && code < PL_ERR__COUNT ? (enum patchlevel_error)code
                                                      : PATCHLEVEL_ERR_INTERNAL;
}

const char *patchlevel_error_name(enum patchlevel_error e)
{
    return pl_error_code_name((pl_error_code)e);
}

const char *patchlevel_error_string(enum patchlevel_error e)
{
    static const char *const sentences[PL_ERR__COUNT] = {
        [PL_ERR_NONE] = "Success.",
        [PL_ERR_IO] = "The operating system refused a read or an open.",
        [PL_ERR_NOT_FOUND] = "A file or registry key that must exist does not.",
        [PL_ERR_UNRECOGNIZED] = "The input is not a format patchlevel reads.",
        [PL_ERR_TRUNCATED] = "A structure runs past the end of its file.",
        [PL_ERR_CORRUPT] = "A structure is invalid (checksum, loop, bad field).",
        [PL_ERR_UNSUPPORTED] = "The input is valid, but a variant patchlevel does not handle.",
        [PL_ERR_LIMIT] = "The input is larger than a limit of patchlevel.",
        [PL_ERR_LIBRARY] = "A library refused without saying why.",
        [PL_ERR_PARENT_MISSING] = "The parent of a differencing disk cannot be found.",
        [PL_ERR_PARENT_MISMATCH] = "The parent found is not the parent of the differencing disk.",
        [PL_ERR_UNSAFE] = "Refused to protect the evidence (a link out of the input, a special file).",
        [PL_ERR_DIRTY] = "A registry hive was not cleanly closed.",
        [PL_ERR_DISAGREEMENT] = "Two witnesses of one fact say different things.",
        [PL_ERR_CRASHED] = "The analysis died.",
        [PL_ERR_TIMEOUT] = "The time limit expired.",
        [PL_ERR_RESOURCES] = "Out of memory, file descriptors or temporary space.",
        [PL_ERR_INTERRUPTED] = "The run was stopped.",
        [PL_ERR_USAGE] = "Bad arguments or options.",
        [PL_ERR_OUTPUT_IS_INPUT] = "An output file names an input.",
        [PL_ERR_INTERNAL] = "A bug in patchlevel.",
    };
    return (int)e >= 0 && (int)e < PL_ERR__COUNT ? sentences[e] : "Unknown error code.";
}

enum patchlevel_error patchlevel_error_from_name(const char *name)
{
    return name ? (enum patchlevel_error)pl_error_code_from_name(name) : PATCHLEVEL_OK;
}

int patchlevel_error_is_transient(enum patchlevel_error e)
{
    return pl_error_code_is_transient((pl_error_code)e);
}

/* ---- the library ---------------------------------------------------------- */

const char *patchlevel_version(void)
{
    return PACKAGE_VERSION;
}

static char library_versions[512];

static void make_library_versions(void)
{
    const pl_library_version *libs;
    size_t n = pl_library_versions(&libs), used = 0;
    library_versions[0] = '\0';
    for (size_t i = 0; i < n && used < sizeof library_versions; i++) {
        int w = snprintf(library_versions + used, sizeof library_versions - used, "%s%s %s",
                         i ? ", " : "", libs[i].name, libs[i].version);
        used += w > 0 ? (size_t)w : 0;
    }
}

const char *patchlevel_library_versions(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_library_versions);
    return library_versions;
}

const char *patchlevel_library_version(size_t i, const char **name)
{
    const pl_library_version *libs;
    size_t n = pl_library_versions(&libs);
    if (i >= n)
        return NULL;
    if (name)
        *name = libs[i].name;
    return libs[i].version;
}

enum patchlevel_error patchlevel_global_init(void)
{
    xmlInitParser();
    pl_io_prepare();
    return PATCHLEVEL_OK;
}

void patchlevel_global_cleanup(void)
{
    xmlCleanupParser();
    pl_io_release();
}

void patchlevel_free(void *p)
{
    free(p);
}

/* ---- the context ---------------------------------------------------------- */

void pl_api_message(patchlevel_context *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->message, sizeof ctx->message, fmt, ap);
    va_end(ap);
}

enum patchlevel_error pl_api_no_memory(patchlevel_context *ctx)
{
    pl_api_message(ctx, "out of memory");
    return PATCHLEVEL_ERR_NO_MEMORY;
}

enum patchlevel_error patchlevel_context_new(patchlevel_context **out)
{
    if (!out)
        return PATCHLEVEL_ERR_USAGE;
    *out = NULL;
    patchlevel_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return PATCHLEVEL_ERR_NO_MEMORY;
    patchlevel_global_init();
    *out = ctx;
    return PATCHLEVEL_OK;
}

void patchlevel_context_free(patchlevel_context *ctx)
{
    if (!ctx)
        return;
    if (ctx->have_catalog)
        pl_catalog_free(&ctx->catalog);
    pl_strlist_free(&ctx->parents);
    free(ctx->catalog_option);
    free(ctx);
}

pl_result_options pl_api_result_options(const patchlevel_context *ctx)
{
    return (pl_result_options){.catalog_option = ctx->catalog_option,
                               .parents = &ctx->parents,
                               .find_6002 = ctx->find_6002,
                               .hash = ctx->hash};
}

/* The shipped catalog: installed in pkgdatadir, or, for a program run
 * from its build tree before `make install`, in the source tree. */
static const char *const default_catalogs[] = {
    PL_PKGDATADIR "/ws2008-sp2-catalog.csv",
    PL_SRCDIR "/data/ws2008-sp2-catalog.csv",
};

const char *patchlevel_default_catalog_path(void)
{
    return default_catalogs[0];
}

/* The first shipped catalog that can be read, or NULL. */
static const char *find_default_catalog(void)
{
    for (size_t i = 0; i < sizeof default_catalogs / sizeof *default_catalogs; i++)
        if (access(default_catalogs[i], R_OK) == 0)
            return default_catalogs[i];
    return NULL;
}

static enum patchlevel_error load_catalog(patchlevel_context *ctx, const char *path)
{
    const char *named = path;   /* the provenance tells a named catalog from the shipped one */
    if (!path && !(path = find_default_catalog())) {
        pl_api_message(ctx, "no update catalog found (looked for %s)", default_catalogs[0]);
        return PATCHLEVEL_ERR_NOT_FOUND;
    }
    pl_catalog cat = {0};
    pl_err err = {0};
    if (pl_catalog_load(path, &cat, &err) != 0) {
        pl_api_message(ctx, "%s", err.msg);
        return pl_api_code(err.code);
    }
    if (ctx->have_catalog)
        pl_catalog_free(&ctx->catalog);
    ctx->catalog = cat;
    ctx->have_catalog = 1;
    free(ctx->catalog_option);
    ctx->catalog_option = named ? pl_xstrdup(named) : NULL;
    pl_api_message(ctx, "%s", "");
    return PATCHLEVEL_OK;
}

enum patchlevel_error patchlevel_context_load_catalog(patchlevel_context *ctx, const char *path)
{
    if (!ctx)
        return PATCHLEVEL_ERR_USAGE;
    API_BEGIN_CTX(rec, ctx);
    enum patchlevel_error rc = load_catalog(ctx, path);
    API_END(rec);
    return rc;
}

enum patchlevel_error patchlevel_context_add_parent(patchlevel_context *ctx, const char *path)
{
    if (!ctx || !path)
        return PATCHLEVEL_ERR_USAGE;
    API_BEGIN_CTX(rec, ctx);
    pl_strlist_push(&ctx->parents, path);
    API_END(rec);
    return PATCHLEVEL_OK;
}

enum patchlevel_error patchlevel_context_set_hash(patchlevel_context *ctx, int on)
{
    if (!ctx)
        return PATCHLEVEL_ERR_USAGE;
    ctx->hash = on != 0;
    return PATCHLEVEL_OK;
}

enum patchlevel_error patchlevel_context_set_find_6002_checks(patchlevel_context *ctx, int on)
{
    if (!ctx)
        return PATCHLEVEL_ERR_USAGE;
    ctx->find_6002 = on != 0;
    return PATCHLEVEL_OK;
}

enum patchlevel_error patchlevel_context_set_verbose(patchlevel_context *ctx, int on)
{
    if (!ctx)
        return PATCHLEVEL_ERR_USAGE;
    ctx->verbose = on != 0;
    return PATCHLEVEL_OK;
}

enum patchlevel_error patchlevel_context_set_wim_extract_to_directory(patchlevel_context *ctx,
                                                                      int on)
{
    if (!ctx)
        return PATCHLEVEL_ERR_USAGE;
    ctx->wim_to_directory = on != 0;
    return PATCHLEVEL_OK;
}

const char *patchlevel_context_error_message(const patchlevel_context *ctx)
{
    return ctx ? ctx->message : "";
}
