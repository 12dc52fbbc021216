/* A small streaming JSON writer: correct escaping, commas and nesting are
 * its job so that the report code only says what to write.
 *
 * Strings are UTF-8; invalid UTF-8 sequences are written as U+FFFD so the
 * output is always valid JSON whatever bytes an image held. Control
 * characters are escaped. Output goes to a growable buffer. */
#ifndef PL_JSON_WRITER_H
#define PL_JSON_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PL_JSON_MAX_DEPTH 64

typedef struct {
    char *buf;
    size_t len, cap;
    int depth;
    int pretty;                         /* indent with 2 spaces, one member per line */
    int need_comma[PL_JSON_MAX_DEPTH];  /* per level: something was written */
    int after_key;                      /* a key was just written */
} pl_json;

void pl_json_init(pl_json *j, int pretty);
void pl_json_free(pl_json *j);

void pl_json_begin_object(pl_json *j);
void pl_json_end_object(pl_json *j);
void pl_json_begin_array(pl_json *j);
void pl_json_end_array(pl_json *j);
void pl_json_key(pl_json *j, const char *key);

void pl_json_string(pl_json *j, const char *s);   /* NULL writes null */
void pl_json_int(pl_json *j, int64_t v);
void pl_json_uint(pl_json *j, uint64_t v);
void pl_json_bool(pl_json *j, int v);
void pl_json_null(pl_json *j);

/* key + value shorthands */
void pl_json_kv_string(pl_json *j, const char *key, const char *s);
void pl_json_kv_int(pl_json *j, const char *key, int64_t v);
void pl_json_kv_bool(pl_json *j, const char *key, int v);
void pl_json_kv_null(pl_json *j, const char *key);

/* Write the buffer to f; returns 0 or -1 (errno set). */
int pl_json_write(const pl_json *j, FILE *f);

/* Append s to buf as a JSON string literal (with quotes). Exposed for the
 * CSV/text writers' tests and for one-off use. */
/* s as the JSON writer spells it once decoded again: each ill-formed
 * UTF-8 sequence replaced by U+FFFD, the rest unchanged (malloc'd). What
 * compares a string read back from a report with the original (--resume's
 * input paths, which need not be UTF-8) compares both through this. */
char *pl_json_lossy_utf8(const char *s);
void pl_json_escape_into(pl_json *j, const char *s);

#endif
