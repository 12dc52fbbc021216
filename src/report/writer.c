/* Streaming results in the chosen format. json prints one object for one
 * input and an array for several; jsonl one compact line per input,
 * flushed as it is written so a killed run keeps every finished line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "util/recovery.h"

int pl_format_parse(const char *s, pl_format *out)
{
    static const struct {
        const char *name;
        pl_format fmt;
    } names[] = {{"text", PL_FMT_TEXT}, {"json", PL_FMT_JSON}, {"jsonl", PL_FMT_JSONL},
                 {"csv", PL_FMT_CSV}};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].fmt;
            return 0;
        }
    return -1;
}

void pl_report_begin(pl_report_writer *w, FILE *out, pl_format fmt, const pl_report_style *style)
{
    memset(w, 0, sizeof *w);
    w->out = out;
    w->fmt = fmt;
    w->style = *style;
    if (fmt == PL_FMT_CSV)
        pl_report_csv_header(out, style->csv_bom);
    if (fmt == PL_FMT_JSON && w->style.json_array)
        fputs("[\n", out);
}

char *pl_report_render(pl_format fmt, const pl_report_style *style, const pl_input_result *r,
                       size_t *len)
{
    if (fmt == PL_FMT_JSON || fmt == PL_FMT_JSONL) {
        pl_json j;
        pl_json_init(&j, fmt == PL_FMT_JSON);
        pl_report_json_object(&j, r);
        /* The writer's buffer is the text (escaped: no NUL inside); a
         * server's report is megabytes, not copied again. */
        char *text = j.buf;
        size_t n = j.len;
        if (fmt == PL_FMT_JSONL) {
            text = pl_xrealloc(text, n + 2);
            text[n++] = '\n';
            text[n] = '\0';
        }
        *len = n;
        return text;
    }
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        pl_out_of_memory(0);   /* it fails only for memory */
    if (fmt == PL_FMT_TEXT)
        pl_report_text(f, r, style->verbose);
    else
        pl_report_csv_rows(f, r, style->csv_bom);
    fclose(f);
    *len = n;
    return buf;
}

int pl_report_emit(pl_report_writer *w, const char *text, size_t len)
{
    /* A JSON array for several inputs: separators between the objects. */
    if (w->fmt == PL_FMT_JSON && w->style.json_array && w->written > 0)
        fputs(",\n", w->out);
    fwrite(text, 1, len, w->out);
    if (w->fmt == PL_FMT_JSON && !w->style.json_array)
        fputc('\n', w->out);
    w->written++;
    /* Flushed at once: a killed run keeps every finished result. */
    if (fflush(w->out) != 0 || ferror(w->out))
        return -1;
    return 0;
}

int pl_report_item(pl_report_writer *w, const pl_input_result *r)
{
    size_t len = 0;
    char *text = pl_report_render(w->fmt, &w->style, r, &len);
    int rc = pl_report_emit(w, text, len);
    free(text);
    return rc;
}

int pl_report_end(pl_report_writer *w)
{
    if (w->fmt == PL_FMT_JSON && w->style.json_array)
        fputs(w->written ? "\n]\n" : "]\n", w->out);
    if (fflush(w->out) != 0 || ferror(w->out))
        return -1;
    return 0;
}

void pl_input_result_free(pl_input_result *r)
{
    free(r->input);
    pl_strlist_free(&r->chain);
    for (size_t i = 0; i < r->ninsts; i++) {
        pl_installation_free(&r->insts[i].inst);
        pl_assessment_free(&r->insts[i].assess);
    }
    free(r->insts);
    pl_strlist_free(&r->errors);
    pl_strlist_free(&r->error_codes);
    pl_notes_free(&r->warnings);
    for (size_t i = 0; i < r->nhashes; i++) {
        free(r->hashes[i].file);
        free(r->hashes[i].error);
    }
    free(r->hashes);
    if (r->acquisition) {
        pl_ewf_metadata_free(r->acquisition);
        free(r->acquisition);
    }
    memset(r, 0, sizeof *r);
}

/* Codes are pushed for the errors before this one that had none, so the
 * two lists stay parallel even if a caller pushed to errors directly. */
void pl_result_error(pl_input_result *r, pl_error_code code, const char *msg)
{
    while (r->error_codes.len < r->errors.len)
        pl_strlist_push(&r->error_codes, pl_error_code_name(PL_ERR_INTERNAL));
    pl_strlist_push(&r->errors, msg);
    /* An error nobody classified is a bug of ours, not a "none". */
    pl_strlist_push(&r->error_codes,
                    pl_error_code_name(code == PL_ERR_NONE ? PL_ERR_INTERNAL : code));
}

void pl_result_errorf(pl_input_result *r, pl_error_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        pl_out_of_memory(0);
    pl_result_error(r, code, msg);
    free(msg);
}
