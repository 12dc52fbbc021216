/* The public interface, part two: analyzing an input, reading its result
 * and rendering it as the program does (include/patchlevel.h). */
#include "lib/api_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

_Static_assert((int)PATCHLEVEL_FORMAT_TEXT == (int)PL_FMT_TEXT, "formats");
_Static_assert((int)PATCHLEVEL_FORMAT_JSON == (int)PL_FMT_JSON, "formats");
_Static_assert((int)PATCHLEVEL_FORMAT_JSONL == (int)PL_FMT_JSONL, "formats");
_Static_assert((int)PATCHLEVEL_FORMAT_CSV == (int)PL_FMT_CSV, "formats");

/* ---- analysis ------------------------------------------------------------- */

static patchlevel_result *analyze(patchlevel_context *ctx, const char *input)
{
    pl_wim_set_extract_to_directory(ctx->wim_to_directory);
    patchlevel_result *res = pl_xcalloc(1, sizeof *res);
    pl_analysis_options aopt = {
        .source = {.verbose = ctx->verbose, .parents = &ctx->parents},
        .catalog = ctx->have_catalog ? &ctx->catalog : NULL,
        .find_6002 = ctx->find_6002,
        .hash = ctx->hash,
        .result = pl_api_result_options(ctx),
    };
    pl_analyze_input(input, &aopt, &res->r);
    pl_api_wrap_installations(res);
    return res;
}

enum patchlevel_error patchlevel_analyze(patchlevel_context *ctx, const char *input,
                                         patchlevel_result **out)
{
    if (!ctx || !out)
        return PATCHLEVEL_ERR_USAGE;
    *out = NULL;
    if (!input) {
        pl_api_message(ctx, "no input given");
        return PATCHLEVEL_ERR_USAGE;
    }
    API_BEGIN_CTX(rec, ctx);
    patchlevel_result *res = analyze(ctx, input);
    API_END(rec);
    pl_api_message(ctx, "%s", "");
    *out = res;
    return PATCHLEVEL_OK;
}

static patchlevel_result *new_failed(const patchlevel_context *ctx, const char *input,
                                     enum patchlevel_error code, const char *message)
{
    patchlevel_result *res = pl_xcalloc(1, sizeof *res);
    pl_input_result *r = &res->r;
    r->input = pl_xstrdup(input);
    r->analyzed_at = (int64_t)time(NULL);
    if (ctx) {
        r->options = pl_api_result_options(ctx);
        r->catalog = ctx->have_catalog ? &ctx->catalog : NULL;
    }
    struct stat sb;
    int have = stat(input, &sb) == 0;
    r->input_size = have ? (int64_t)sb.st_size : -1;
    r->input_mtime = have ? (int64_t)sb.st_mtime : -1;
    pl_result_error(r, (pl_error_code)pl_api_code((pl_error_code)code), message);
    return res;
}

enum patchlevel_error patchlevel_result_new_failed(const patchlevel_context *ctx,
                                                   const char *input, enum patchlevel_error code,
                                                   const char *message,
                                                   patchlevel_result **out)
{
    if (!out)
        return PATCHLEVEL_ERR_USAGE;
    *out = NULL;
    if (!input || !message || !*message)
        return PATCHLEVEL_ERR_USAGE;
    API_BEGIN(rec);
    patchlevel_result *res = new_failed(ctx, input, code, message);
    API_END(rec);
    *out = res;
    return PATCHLEVEL_OK;
}

void patchlevel_result_free(patchlevel_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->r.ninsts && res->insts; i++)
        free(res->insts[i].install_times);
    free(res->insts);
    pl_input_result_free(&res->r);
    free(res);
}

/* ---- the result ----------------------------------------------------------- */

const char *patchlevel_result_input(const patchlevel_result *res)
{
    return res ? res->r.input : NULL;
}

int64_t patchlevel_result_input_size(const patchlevel_result *res)
{
    return res ? res->r.input_size : -1;
}

int64_t patchlevel_result_input_mtime(const patchlevel_result *res)
{
    return res ? res->r.input_mtime : -1;
}

const char *patchlevel_result_container(const patchlevel_result *res)
{
    return res ? res->r.container : NULL;
}

size_t patchlevel_result_chain_count(const patchlevel_result *res)
{
    return res ? res->r.chain.len : 0;
}

const char *patchlevel_result_chain_file(const patchlevel_result *res, size_t i)
{
    return res && i < res->r.chain.len ? res->r.chain.items[i] : NULL;
}

uint64_t patchlevel_result_bytes_read(const patchlevel_result *res)
{
    return res ? res->r.bytes_read : 0;
}

size_t patchlevel_result_error_count(const patchlevel_result *res)
{
    return res ? res->r.errors.len : 0;
}

/* The code as the report prints it (a missing one is internal). */
enum patchlevel_error patchlevel_result_error_code(const patchlevel_result *res, size_t i)
{
    if (!res || i >= res->r.errors.len)
        return PATCHLEVEL_ERR_USAGE;
    if (i >= res->r.error_codes.len)
        return PATCHLEVEL_ERR_INTERNAL;
    return pl_api_code(pl_error_code_from_name(res->r.error_codes.items[i]));
}

const char *patchlevel_result_error_message(const patchlevel_result *res, size_t i)
{
    return res && i < res->r.errors.len ? res->r.errors.items[i] : NULL;
}

size_t patchlevel_result_warning_count(const patchlevel_result *res)
{
    return res ? res->r.warnings.len : 0;
}

enum patchlevel_error patchlevel_result_warning_code(const patchlevel_result *res, size_t i)
{
    if (!res || i >= res->r.warnings.len)
        return PATCHLEVEL_ERR_USAGE;
    return (enum patchlevel_error)res->r.warnings.items[i].code;
}

const char *patchlevel_result_warning_message(const patchlevel_result *res, size_t i)
{
    return res && i < res->r.warnings.len ? res->r.warnings.items[i].msg : NULL;
}

int patchlevel_result_at_6003(const patchlevel_result *res)
{
    if (!res || res->r.ninsts == 0)
        return 0;
    for (size_t i = 0; i < res->r.ninsts; i++)
        if (res->r.insts[i].assess.b6003.verdict != PL_VERDICT_YES)
            return 0;
    return 1;
}

size_t patchlevel_result_installation_count(const patchlevel_result *res)
{
    return res ? res->r.ninsts : 0;
}

const patchlevel_installation *patchlevel_result_installation(const patchlevel_result *res,
                                                              size_t i)
{
    return res && i < res->r.ninsts ? &res->insts[i] : NULL;
}

/* ---- rendering ------------------------------------------------------------ */

enum patchlevel_error patchlevel_format_parse(const char *name, enum patchlevel_format *fmt)
{
    pl_format f;
    if (!name || !fmt || pl_format_parse(name, &f) != 0)
        return PATCHLEVEL_ERR_USAGE;
    *fmt = (enum patchlevel_format)f;
    return PATCHLEVEL_OK;
}

static char csv_header[1024];

/* Made once; "" when memory ran out then (the column names are escaped
 * like any cell, which allocates). */
static void make_csv_header(void)
{
    pl_recovery rec;
    PL_RECOVERY_ON_FAILURE(&rec)
    {
        csv_header[0] = '\0';
        return;
    }
    FILE *f = fmemopen(csv_header, sizeof csv_header, "w");
    if (f) {
        pl_report_csv_header(f, 0);
        fclose(f);
    }
    PL_RECOVERY_END(&rec);
}

const char *patchlevel_csv_header(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_csv_header);
    return csv_header;
}

static int format_ok(enum patchlevel_format fmt)
{
    return fmt == PATCHLEVEL_FORMAT_TEXT || fmt == PATCHLEVEL_FORMAT_JSON ||
           fmt == PATCHLEVEL_FORMAT_JSONL || fmt == PATCHLEVEL_FORMAT_CSV;
}

enum patchlevel_error patchlevel_result_render(const patchlevel_result *res,
                                               enum patchlevel_format fmt, int flags,
                                               char **text, size_t *len)
{
    if (!text)
        return PATCHLEVEL_ERR_USAGE;
    *text = NULL;
    if (!res || !format_ok(fmt))
        return PATCHLEVEL_ERR_USAGE;
    API_BEGIN(rec);
    size_t n = 0;
    pl_report_style style = {.verbose = (flags & PATCHLEVEL_RENDER_VERBOSE) != 0,
                             .csv_bom = (flags & PATCHLEVEL_RENDER_SPREADSHEET) != 0};
    char *t = pl_report_render((pl_format)fmt, &style, &res->r, &n);
    API_END(rec);
    *text = t;
    if (len)
        *len = n;
    return PATCHLEVEL_OK;
}

/* The object, and the newline the program ends a single result with. */
static char *json_with_newline(const pl_input_result *r, size_t *len)
{
    size_t n = 0;
    pl_report_style plain = {0};
    char *t = pl_report_render(PL_FMT_JSON, &plain, r, &n);
    t = pl_xrealloc(t, n + 2);
    t[n++] = '\n';
    t[n] = '\0';
    *len = n;
    return t;
}

enum patchlevel_error patchlevel_result_json(const patchlevel_result *res, char **json,
                                             size_t *len)
{
    if (!json)
        return PATCHLEVEL_ERR_USAGE;
    *json = NULL;
    if (!res)
        return PATCHLEVEL_ERR_USAGE;
    API_BEGIN(rec);
    size_t n = 0;
    char *t = json_with_newline(&res->r, &n);
    API_END(rec);
    *json = t;
    if (len)
        *len = n;
    return PATCHLEVEL_OK;
}

static char *installation_json(const pl_inst_result *ir, size_t *len)
{
    pl_json j;
    pl_json_init(&j, 1);
    pl_report_json_installation(&j, ir);
    char *t = pl_xstrdup(j.buf);
    *len = j.len;
    pl_json_free(&j);
    return t;
}

enum patchlevel_error patchlevel_installation_json(const patchlevel_installation *inst,
                                                   char **json, size_t *len)
{
    if (!json)
        return PATCHLEVEL_ERR_USAGE;
    *json = NULL;
    if (!inst)
        return PATCHLEVEL_ERR_USAGE;
    API_BEGIN(rec);
    size_t n = 0;
    char *t = installation_json(inst->ir, &n);
    API_END(rec);
    *json = t;
    if (len)
        *len = n;
    return PATCHLEVEL_OK;
}
