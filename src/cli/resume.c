#include "cli/resume.h"

#include <errno.h>
#include <json-c/json.h>
#include <patchlevel.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/json_writer.h"
#include "util/limits.h"

char *pl_resume_key(const char *path, int64_t size, int64_t mtime)
{
    char *p = pl_json_lossy_utf8(path);
    char *key = pl_xasprintf("%s\t%lld\t%lld", p, (long long)size, (long long)mtime);
    free(p);
    return key;
}

/* ---- reading lines through the descriptor, within the limits ------------ */

typedef struct {
    int fd;
    char chunk[65536];
    size_t have, pos;
    uint64_t offset;         /* file offset of the next byte to deliver */
    char *line;
    size_t len, cap;
    int complete, too_long;
    int give_up_long;        /* return as soon as the line is too long */
} line_reader;

static int next_byte(line_reader *r)
{
    if (r->pos == r->have) {
        ssize_t n;
        while ((n = read(r->fd, r->chunk, sizeof r->chunk)) < 0 && errno == EINTR)
            ;
        if (n <= 0)
            return n == 0 ? EOF : -2;
        r->have = (size_t)n;
        r->pos = 0;
    }
    r->offset++;
    return (unsigned char)r->chunk[r->pos++];
}

static void keep_byte(line_reader *r, char c)
{
    if (r->len == PL_MAX_RESULT_LINE_BYTES) {
        r->too_long = 1;
        return;
    }
    if (r->len == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 65536;
        if (r->cap > PL_MAX_RESULT_LINE_BYTES)
            r->cap = PL_MAX_RESULT_LINE_BYTES;
        r->line = pl_xrealloc(r->line, r->cap + 1);
    }
    r->line[r->len++] = c;
}

/* 1 a line (complete or the cut tail), 0 the end, -1 a read error. A
 * line over the limit is read to its end and only its start kept. */
static int read_line(line_reader *r)
{
    r->len = 0;
    r->complete = r->too_long = 0;
    int c;
    while ((c = next_byte(r)) >= 0) {
        if (c == '\n') {
            r->complete = 1;
            break;
        }
        keep_byte(r, (char)c);
        if (r->too_long && r->give_up_long)
            break;
    }
    if (c == -2)
        return -1;
    if (r->line)
        r->line[r->len] = '\0';
    return r->complete || r->len > 0;
}

/* ---- judging one line ---------------------------------------------------- */

static json_object *member(json_object *o, const char *key, json_type type)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, type) ? v : NULL;
}

/* Any failure of the run among the line's error codes. */
static int has_transient_error(json_object *o)
{
    json_object *details = member(o, "error_details", json_type_array);
    size_t n = details ? json_object_array_length(details) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *code = member(json_object_array_get_idx(details, i), "code",
                                   json_type_string);
        if (code && pl_error_code_is_transient(pl_error_code_from_name(json_object_get_string(code))))
            return 1;
    }
    return 0;
}

/* Does this result make its input done? Results from before error_details
 * existed count their errors as errors of the input. */
static int result_done(json_object *o, int retry_failed)
{
    json_object *errors = member(o, "errors", json_type_array);
    if (!errors || json_object_array_length(errors) == 0)
        return 1;
    return !retry_failed && !has_transient_error(o);
}

/* Where the line starts once the NUL bytes before it are left out: a
 * crash or power loss leaves NULs where the last line was being written,
 * and the next run appends after them. */
static size_t nul_prefix(const line_reader *r)
{
    size_t i = 0;
    while (i < r->len && r->line[i] == '\0')
        i++;
    return i;
}

/* 1 a result (its key added when done), 0 not a result. */
static int add_line(const line_reader *r, int retry_failed, pl_resume_state *st)
{
    size_t skip = nul_prefix(r), len = r->len - skip;
    const char *text = r->line ? r->line + skip : "";
    if (!r->complete || r->too_long || len == 0 || memchr(text, '\0', len))
        return 0;
    json_tokener *tok = json_tokener_new();
    json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    int whole = o && json_tokener_get_error(tok) == json_tokener_success &&
                json_tokener_get_parse_end(tok) == len;
    json_tokener_free(tok);
    json_object *schema = o ? member(o, "schema", json_type_string) : NULL;
    json_object *in = o ? member(o, "input", json_type_string) : NULL;
    json_object *sz = o ? member(o, "input_size", json_type_int) : NULL;
    /* input_mtime_epoch; results written before it existed hold the epoch
     * in input_mtime itself (now an ISO 8601 time). */
    json_object *mt = o ? member(o, "input_mtime_epoch", json_type_int) : NULL;
    if (!mt && o)
        mt = member(o, "input_mtime", json_type_int);
    int ok = whole && schema && strcmp(json_object_get_string(schema), PATCHLEVEL_SCHEMA) == 0 && in;
    if (ok && sz && mt && result_done(o, retry_failed))
        pl_strlist_push_owned(&st->done_keys,
                              pl_resume_key(json_object_get_string(in), json_object_get_int64(sz),
                                            json_object_get_int64(mt)));
    else if (ok)
        st->retried++;
    json_object_put(o);
    return ok;
}

/* A cut first line of a run killed during its first write still starts
 * like a result; nothing else makes a file without results ours. */
static int starts_like_result(const line_reader *r)
{
    static const char head[] = "{\"schema\":\"" PATCHLEVEL_SCHEMA "\"";
    return r->len >= sizeof head - 1 && memcmp(r->line, head, sizeof head - 1) == 0;
}

/* ---- the file ------------------------------------------------------------ */

static int not_results(const char *name, pl_err *err)
{
    pl_err_setc(err, PL_ERR_UNRECOGNIZED,
                "%s: not a patchlevel results file (--resume takes the JSONL results of an "
                "earlier run, or a new or empty file); it was left as it is",
                name);
    return -1;
}

/* Remove the cut last line: from the end of the last complete line on. */
static int cut_tail(int fd, const char *name, uint64_t keep, pl_err *err)
{
    if (ftruncate(fd, (off_t)keep) == 0)
        return 0;
    pl_err_setc(err, PL_ERR_IO, "%s: cannot remove the incomplete last line: %s", name,
                strerror(errno));
    return -1;
}

static void warn_skipped(const char *name, const pl_resume_state *st)
{
    if (st->skipped)
        fprintf(stderr, "patchlevel: %s: %zu line%s skipped: not patchlevel results (NUL "
                        "bytes, cut off, not JSON, over %llu bytes or another schema); their "
                        "inputs are analyzed again\n",
                pl_esc(name), st->skipped, st->skipped == 1 ? "" : "s",
                (unsigned long long)PL_MAX_RESULT_LINE_BYTES);
}

int pl_resume_load(int fd, const char *name, int retry_failed, pl_resume_state *st,
                   pl_err *err)
{
    memset(st, 0, sizeof *st);
    if (lseek(fd, 0, SEEK_SET) != 0) {
        pl_err_setc(err, PL_ERR_IO, "%s: cannot read: %s", name, strerror(errno));
        return -1;
    }
    /* The first line decides whether the file is ours: reading a long one
     * to its end could mean reading all of a disk image. */
    line_reader r = {.fd = fd, .give_up_long = 1};
    uint64_t good_end = 0;   /* offset after the last complete line */
    size_t lines = 0;
    int rc, first_ours = 0;
    while ((rc = read_line(&r)) == 1) {
        if (++lines > PL_MAX_RESULT_LINES) {
            free(r.line);
            pl_err_setc(err, PL_ERR_LIMIT, "%s: more than %d lines (PL_MAX_RESULT_LINES)", name,
                        PL_MAX_RESULT_LINES);
            return -1;
        }
        int is_result = add_line(&r, retry_failed, st);
        st->results += is_result;
        if (lines == 1) {
            first_ours = is_result || (!r.complete && !r.too_long && starts_like_result(&r));
            r.give_up_long = 0;
        }
        /* A file that does not start with a result is not ours: stop
         * before reading the rest of what may be a disk image. */
        if (!first_ours)
            break;
        if (r.complete)
            good_end = r.offset;
        else
            st->cut_tail = 1;
        st->skipped += !is_result && r.complete && r.len > 0;
    }
    free(r.line);
    if (rc < 0) {
        pl_err_setc(err, PL_ERR_IO, "%s: cannot read: %s", name, strerror(errno));
        return -1;
    }
    if (lines && !first_ours)
        return not_results(name, err);
    pl_strlist_sort(&st->done_keys);
    warn_skipped(name, st);
    if (st->cut_tail && cut_tail(fd, name, good_end, err) != 0)
        return -1;
    return 0;
}

size_t pl_resume_filter(pl_strlist *inputs, const pl_resume_state *st)
{
    size_t kept = 0, skipped = 0;
    for (size_t i = 0; i < inputs->len; i++) {
        struct stat sb;
        char *key = stat(inputs->items[i], &sb) == 0
                        ? pl_resume_key(inputs->items[i], (int64_t)sb.st_size,
                                        (int64_t)sb.st_mtime)
                        : NULL;
        if (key && pl_strlist_sorted_contains(&st->done_keys, key)) {
            free(inputs->items[i]);
            skipped++;
        } else {
            inputs->items[kept++] = inputs->items[i];
        }
        free(key);
    }
    inputs->len = kept;
    return skipped;
}

void pl_resume_free(pl_resume_state *st)
{
    pl_strlist_free(&st->done_keys);
}
