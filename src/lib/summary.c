/* The public interface, part five: fleet summaries of JSONL results
 * (include/patchlevel.h; report/summary.h counts and writes). */
#include "lib/api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/summary.h"

_Static_assert((int)PATCHLEVEL_SUMMARY_TEXT == (int)PL_SUMMARY_TEXT, "formats");
_Static_assert((int)PATCHLEVEL_SUMMARY_CSV == (int)PL_SUMMARY_CSV, "formats");
_Static_assert((int)PATCHLEVEL_SUMMARY_HTML == (int)PL_SUMMARY_HTML, "formats");
_Static_assert((int)PATCHLEVEL_SUMMARY_JSON == (int)PL_SUMMARY_JSON, "formats");

struct patchlevel_summary {
    pl_summary s;
    int finished;
    char message[sizeof ((pl_err *)0)->msg];
};

enum patchlevel_error patchlevel_summary_format_parse(const char *name,
                                                      enum patchlevel_summary_format *fmt)
{
    pl_summary_format f;
    if (!name || !fmt || pl_summary_format_parse(name, &f) != 0)
        return PATCHLEVEL_ERR_USAGE;
    *fmt = (enum patchlevel_summary_format)f;
    return PATCHLEVEL_OK;
}

enum patchlevel_error patchlevel_summary_new(patchlevel_summary **out)
{
    if (!out)
        return PATCHLEVEL_ERR_USAGE;
    *out = NULL;
    API_BEGIN(rec);
    patchlevel_summary *s = pl_xcalloc(1, sizeof *s);
    pl_summary_init(&s->s);
    API_END(rec);
    *out = s;
    return PATCHLEVEL_OK;
}

void patchlevel_summary_free(patchlevel_summary *s)
{
    if (!s)
        return;
    pl_summary_free(&s->s);
    free(s);
}

enum patchlevel_error patchlevel_summary_add_line(patchlevel_summary *s, const char *line,
                                                  size_t len, int complete,
                                                  enum patchlevel_line_status *status)
{
    if (!s || (!line && len) || s->finished)
        return PATCHLEVEL_ERR_USAGE;
    API_BEGIN(rec);
    pl_err why = {0};
    int rc = pl_summary_add_line(&s->s, line ? line : "", len, complete, &why);
    API_END(rec);
    snprintf(s->message, sizeof s->message, "%s", rc < 0 ? why.msg : "");
    if (status)
        *status = rc == 0 ? PATCHLEVEL_LINE_USED
                          : rc > 0 ? PATCHLEVEL_LINE_BLANK : PATCHLEVEL_LINE_SKIPPED;
    return PATCHLEVEL_OK;
}

enum patchlevel_error patchlevel_summary_skip_line(patchlevel_summary *s)
{
    if (!s || s->finished)
        return PATCHLEVEL_ERR_USAGE;
    pl_summary_skip_line(&s->s);
    return PATCHLEVEL_OK;
}

enum patchlevel_error patchlevel_summary_add_file(patchlevel_summary *s, int unreadable)
{
    if (!s || s->finished)
        return PATCHLEVEL_ERR_USAGE;
    s->s.files++;
    s->s.files_failed += unreadable != 0;
    return PATCHLEVEL_OK;
}

size_t patchlevel_summary_line_count(const patchlevel_summary *s)
{
    return s ? s->s.lines : 0;
}

const char *patchlevel_summary_message(const patchlevel_summary *s)
{
    return s ? s->message : "";
}

enum patchlevel_error patchlevel_summary_finish(patchlevel_summary *s)
{
    if (!s || s->finished)
        return PATCHLEVEL_ERR_USAGE;
    API_BEGIN(rec);
    pl_summary_finish(&s->s);
    API_END(rec);
    s->finished = 1;
    return PATCHLEVEL_OK;
}

static char *render(const pl_summary *s, pl_summary_format fmt, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        pl_out_of_memory(0);   /* it fails only for memory */
    int rc = pl_summary_write(f, s, fmt);
    if (fclose(f) != 0 || rc != 0 || !buf) {
        free(buf);
        pl_out_of_memory(n);   /* a memory stream fails only for memory */
    }
    *len = n;
    return buf;
}

enum patchlevel_error patchlevel_summary_render(const patchlevel_summary *s,
                                                enum patchlevel_summary_format fmt,
                                                char **text, size_t *len)
{
    if (!text)
        return PATCHLEVEL_ERR_USAGE;
    *text = NULL;
    if (!s || !s->finished || (int)fmt < 0 || fmt > PATCHLEVEL_SUMMARY_JSON)
        return PATCHLEVEL_ERR_USAGE;
    API_BEGIN(rec);
    size_t n = 0;
    char *t = render(&s->s, (pl_summary_format)fmt, &n);
    API_END(rec);
    *text = t;
    if (len)
        *len = n;
    return PATCHLEVEL_OK;
}
