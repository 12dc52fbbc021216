#include "cli/stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void pl_stream_begin(pl_stream *w, FILE *out, enum patchlevel_format fmt, int json_array,
                     int render_flags)
{
    memset(w, 0, sizeof *w);
    w->out = out;
    w->fmt = fmt;
    w->json_array = json_array;
    w->render_flags = render_flags;
    /* UTF-8's byte-order mark: how Excel knows a CSV file is UTF-8
     * (without it, it reads the legacy code page and garbles names). */
    if (fmt == PATCHLEVEL_FORMAT_CSV && (render_flags & PATCHLEVEL_RENDER_SPREADSHEET))
        fputs("\xEF\xBB\xBF", out);
    if (fmt == PATCHLEVEL_FORMAT_CSV)
        fputs(patchlevel_csv_header(), out);
    if (fmt == PATCHLEVEL_FORMAT_JSON && json_array)
        fputs("[\n", out);
}

int pl_stream_emit(pl_stream *w, const char *text, size_t len)
{
    /* A JSON array for several inputs: separators between the objects. */
    if (w->fmt == PATCHLEVEL_FORMAT_JSON && w->json_array && w->written > 0)
        fputs(",\n", w->out);
    fwrite(text, 1, len, w->out);
    if (w->fmt == PATCHLEVEL_FORMAT_JSON && !w->json_array)
        fputc('\n', w->out);
    w->written++;
    /* Flushed at once: a killed run keeps every finished result. */
    if (fflush(w->out) != 0 || ferror(w->out))
        return -1;
    return 0;
}

int pl_stream_result(pl_stream *w, const patchlevel_result *r)
{
    char *text = NULL;
    size_t len = 0;
    if (patchlevel_result_render(r, w->fmt, w->render_flags, &text, &len) != PATCHLEVEL_OK) {
        errno = ENOMEM;
        return -1;
    }
    int rc = pl_stream_emit(w, text, len);
    patchlevel_free(text);
    return rc;
}

int pl_stream_end(pl_stream *w)
{
    if (w->fmt == PATCHLEVEL_FORMAT_JSON && w->json_array)
        fputs(w->written ? "\n]\n" : "]\n", w->out);
    if (fflush(w->out) != 0 || ferror(w->out))
        return -1;
    return 0;
}
