/* Streaming JSON writer. See json_writer.h.
 *
 * Invariants:
 *  - j->buf is always NUL-terminated after pl_json_init (tests and callers
 *    may read it as a C string); j->len excludes the NUL.
 *  - j->depth is the number of open containers. need_comma[slot(d)] says
 *    whether level d already holds a value.
 *  - Values written at depth 0 are separate documents: no comma goes
 *    between them (JSONL callers write the buffer and add the newline).
 *
 * Nesting deeper than PL_JSON_MAX_DEPTH is a programmer error but stays
 * memory-safe and even produces correct output: levels at or beyond the
 * limit share the last need_comma slot. That sharing is harmless because
 * a level's flag is only consulted while that level is innermost, and when
 * a child container closes the parent's flag is always 1 (the child itself
 * was a value in it), which end_container restores.
 *
 * Unbalanced end calls at depth 0 are ignored (nothing is written). */
#include "util/json_writer.h"

#include "util/recovery.h"
#include "util/util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_CAP 64

static int slot(int depth)
{
    return depth < PL_JSON_MAX_DEPTH ? depth : PL_JSON_MAX_DEPTH - 1;
}

/* Make room for n more bytes plus the terminating NUL. */
static void reserve(pl_json *j, size_t n)
{
    if (n > SIZE_MAX / 2 - j->len - 1) {
        /* Report output is bounded by the input limits: no memory holds it. */
        pl_out_of_memory(SIZE_MAX);
    }
    size_t need = j->len + n + 1;
    if (need <= j->cap)
        return;
    size_t cap = j->cap ? j->cap : INITIAL_CAP;
    while (cap < need)
        cap *= 2;
    j->buf = pl_xrealloc(j->buf, cap);
    j->cap = cap;
}

static void put_mem(pl_json *j, const void *p, size_t n)
{
    reserve(j, n);
    memcpy(j->buf + j->len, p, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

static void put_str(pl_json *j, const char *s)
{
    put_mem(j, s, strlen(s));
}

static void put_char(pl_json *j, char c)
{
    put_mem(j, &c, 1);
}

static void put_indent(pl_json *j, int depth)
{
    put_char(j, '\n');
    for (int i = 0; i < depth; i++)
        put_mem(j, "  ", 2);
}

void pl_json_init(pl_json *j, int pretty)
{
    memset(j, 0, sizeof *j);
    j->pretty = pretty;
    j->buf = pl_xmalloc(INITIAL_CAP);
    j->cap = INITIAL_CAP;
    j->buf[0] = '\0';
}

/* Safe to call twice: the second call frees NULL. */
void pl_json_free(pl_json *j)
{
    free(j->buf);
    j->buf = NULL;
    j->len = j->cap = 0;
    j->depth = 0;
    j->after_key = 0;
}

/* Everything that precedes a value or a key: a value right after a key
 * follows its colon directly; otherwise a comma separates it from the
 * previous sibling and, when pretty, it starts on its own line. */
static void before_value(pl_json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->depth == 0)
        return;
    int *nc = &j->need_comma[slot(j->depth)];
    if (*nc)
        put_char(j, ',');
    if (j->pretty)
        put_indent(j, j->depth);
    *nc = 1;
}

static void begin_container(pl_json *j, char open)
{
    before_value(j);
    put_char(j, open);
    j->depth++;
    j->need_comma[slot(j->depth)] = 0;
}

static void end_container(pl_json *j, char close)
{
    if (j->depth <= 0)
        return;
    int had_members = j->need_comma[slot(j->depth)];
    j->depth--;
    /* Empty containers stay on one line: "{}" and "[]". */
    if (j->pretty && had_members)
        put_indent(j, j->depth);
    put_char(j, close);
    j->after_key = 0;
    if (j->depth > 0)
        j->need_comma[slot(j->depth)] = 1;
}

void pl_json_begin_object(pl_json *j) { begin_container(j, '{'); }
void pl_json_end_object(pl_json *j) { end_container(j, '}'); }
void pl_json_begin_array(pl_json *j) { begin_container(j, '['); }
void pl_json_end_array(pl_json *j) { end_container(j, ']'); }

/* A NULL key is written as "" so that the output stays valid JSON. */
void pl_json_key(pl_json *j, const char *key)
{
    before_value(j);
    pl_json_escape_into(j, key ? key : "");
    put_str(j, j->pretty ? ": " : ":");
    j->after_key = 1;
}

void pl_json_string(pl_json *j, const char *s)
{
    before_value(j);
    pl_json_escape_into(j, s);
}

void pl_json_int(pl_json *j, int64_t v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%" PRId64, v);
    before_value(j);
    put_str(j, tmp);
}

void pl_json_uint(pl_json *j, uint64_t v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    before_value(j);
    put_str(j, tmp);
}

void pl_json_bool(pl_json *j, int v)
{
    before_value(j);
    put_str(j, v ? "true" : "false");
}

void pl_json_null(pl_json *j)
{
    before_value(j);
    put_str(j, "null");
}

void pl_json_kv_string(pl_json *j, const char *key, const char *s)
{
    pl_json_key(j, key);
    pl_json_string(j, s);
}

void pl_json_kv_int(pl_json *j, const char *key, int64_t v)
{
    pl_json_key(j, key);
    pl_json_int(j, v);
}

void pl_json_kv_bool(pl_json *j, const char *key, int v)
{
    pl_json_key(j, key);
    pl_json_bool(j, v);
}

void pl_json_kv_null(pl_json *j, const char *key)
{
    pl_json_key(j, key);
    pl_json_null(j);
}

int pl_json_write(const pl_json *j, FILE *f)
{
    if (j->len == 0)
        return 0;
    errno = 0;
    if (fwrite(j->buf, 1, j->len, f) != j->len) {
        if (errno == 0)
            errno = EIO;    /* fwrite need not set errno on a short write */
        return -1;
    }
    return 0;
}

/* Length of the well-formed UTF-8 sequence at p, or 0 if ill-formed, in
 * which case *bad is the length of its maximal subpart (Unicode's
 * recommended unit for one U+FFFD: a truncated sequence is one
 * replacement, and a byte that cannot start a sequence is one each).
 * The string is NUL-terminated and NUL is never a continuation byte, so
 * the scan stops at the end without knowing the length. */
static size_t utf8_seq(const unsigned char *p, size_t *bad)
{
    unsigned char c = p[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;    /* allowed range of byte 2 */

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;          /* overlong below U+0800 */
        else if (c == 0xED)
            hi = 0x9F;          /* UTF-16 surrogates D800..DFFF */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;          /* overlong below U+10000 */
        else if (c == 0xF4)
            hi = 0x8F;          /* above U+10FFFF */
    } else {
        *bad = 1;               /* C0, C1 (overlong), F5..FF, stray 80..BF */
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        unsigned char min = i == 1 ? lo : 0x80, max = i == 1 ? hi : 0xBF;
        if (p[i] < min || p[i] > max) {
            *bad = i;
            return 0;
        }
    }
    return n;
}

static void escape_control(pl_json *j, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    switch (c) {
    case '\b': put_mem(j, "\\b", 2); return;
    case '\f': put_mem(j, "\\f", 2); return;
    case '\n': put_mem(j, "\\n", 2); return;
    case '\r': put_mem(j, "\\r", 2); return;
    case '\t': put_mem(j, "\\t", 2); return;
    default: break;
    }
    char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
    put_mem(j, u, sizeof u);
}

/* Append one well-formed sequence of n bytes, escaping what JSON or an
 * embedding JavaScript context needs escaped. */
static void put_seq(pl_json *j, const unsigned char *p, size_t n)
{
    if (n == 1 && p[0] < 0x20)
        escape_control(j, p[0]);
    else if (n == 1 && (p[0] == '"' || p[0] == '\\'))
        put_mem(j, (const char[]){ '\\', (char)p[0] }, 2);
    /* U+2028/U+2029 are legal in JSON but end a line in older JavaScript. */
    else if (n == 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9))
        put_str(j, p[2] == 0xA8 ? "\\u2028" : "\\u2029");
    else
        put_mem(j, p, n);
}

/* Raw append: no comma or key handling, so it can build one-off literals. */
void pl_json_escape_into(pl_json *j, const char *s)
{
    if (!s) {
        put_str(j, "null");
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    put_char(j, '"');
    while (*p) {
        /* A run of printable ASCII needs no escape: one append for it
         * (a server's report holds megabytes of such text). */
        size_t plain = 0;
        while (p[plain] >= 0x20 && p[plain] < 0x7F && p[plain] != '"' && p[plain] != '\\')
            plain++;
        if (plain) {
            put_mem(j, p, plain);
            p += plain;
            continue;
        }
        size_t bad = 0, n = utf8_seq(p, &bad);
        if (n) {
            put_seq(j, p, n);
            p += n;
        } else {
            put_mem(j, "\xEF\xBF\xBD", 3);
            p += bad;
        }
    }
    put_char(j, '"');
}

char *pl_json_lossy_utf8(const char *s)
{
    size_t len = strlen(s);
    /* Each bad byte becomes at most three: one U+FFFD. */
    char *out = pl_xmalloc(3 * len + 1), *o = out;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t bad = 0, n = utf8_seq(p, &bad);
        if (n) {
            memcpy(o, p, n);
            o += n;
            p += n;
        } else {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            p += bad;
        }
    }
    *o = '\0';
    return out;
}
