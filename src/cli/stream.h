/* Streaming the results of a run to the report in the chosen format: json
 * prints one object for one named input and an array with -r or several; jsonl one
 * compact line per input; csv a header, then each input's rows. Each
 * result is flushed as it is written, so a killed run keeps every
 * finished one. The text of a result comes from patchlevel_result_render,
 * in a worker process. */
#ifndef PL_STREAM_H
#define PL_STREAM_H

#include <patchlevel.h>
#include <stdio.h>

typedef struct {
    FILE *out;
    enum patchlevel_format fmt;
    int render_flags;            /* PATCHLEVEL_RENDER_*: verbose text, CSV for spreadsheets */
    int json_array;              /* json: an array (-r, several inputs), else one object */
    size_t written;
} pl_stream;

/* json_array: the shape of -f json, decided by the command line (never by
 * what was found). render_flags: PATCHLEVEL_RENDER_VERBOSE and
 * PATCHLEVEL_RENDER_SPREADSHEET (then a CSV starts with UTF-8's mark). */
void pl_stream_begin(pl_stream *w, FILE *out, enum patchlevel_format fmt, int json_array,
                     int render_flags);
/* Write one rendered result with the separators the format needs. 0, or
 * -1 (errno set) on an output error. */
int pl_stream_emit(pl_stream *w, const char *text, size_t len);
/* Render r and write it. 0, -1 on an output error or out of memory. */
int pl_stream_result(pl_stream *w, const patchlevel_result *r);
int pl_stream_end(pl_stream *w);

#endif
