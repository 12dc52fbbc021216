/* The update catalog: a bounded RFC 4180 reader and the lookups over it.
 *
 * The file is text a user may write by hand (--catalog FILE), so every
 * problem is an error naming the file and line rather than a guess: rows
 * with a different field count, unknown kinds, impossible dates. The
 * reader works on a buffer of at most PL_MAX_CATALOG_BYTES; each field is
 * copied into a fixed PL_MAX_CATALOG_FIELD buffer and each row holds at
 * most PL_MAX_CATALOG_COLUMNS fields, so no input decides an allocation
 * size beyond those limits. */
#include "decisions/catalog.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/pe_version.h"
#include "util/limits.h"

/* ---- kinds -------------------------------------------------------------- */

static const char *const kind_names[] = {
    [PL_KIND_MONTHLY_ROLLUP] = "monthly-rollup", [PL_KIND_SECURITY_ONLY] = "security-only",
    [PL_KIND_PREVIEW] = "preview",               [PL_KIND_OUT_OF_BAND] = "out-of-band",
    [PL_KIND_SSU] = "ssu",                       [PL_KIND_ESU_LICENSING] = "esu-licensing",
    [PL_KIND_SHA2] = "sha2",                     [PL_KIND_OTHER] = "other",
};
#define NKINDS (sizeof kind_names / sizeof kind_names[0])

const char *pl_update_kind_name(pl_update_kind k)
{
    return (unsigned)k < NKINDS ? kind_names[k] : "other";
}

int pl_update_kind_parse(const char *s, pl_update_kind *out)
{
    for (size_t i = 0; s && i < NKINDS; i++) {
        if (pl_strcaseeq(s, kind_names[i])) {
            if (out)
                *out = (pl_update_kind)i;
            return 0;
        }
    }
    return -1;
}

/* ---- channels ------------------------------------------------------------ */

static const char *const channel_names[PL_NCHANNELS] = {
    [PL_CHANNEL_PUBLIC] = "public", [PL_CHANNEL_ESU] = "esu", [PL_CHANNEL_AZURE] = "azure",
    [PL_CHANNEL_PREMIUM_ASSURANCE] = "premium-assurance",
};

const char *pl_channel_name(pl_channel c)
{
    return (unsigned)c < PL_NCHANNELS ? channel_names[c] : "public";
}

int pl_channel_parse(const char *s, pl_channel *out)
{
    for (size_t i = 0; s && i < PL_NCHANNELS; i++) {
        if (pl_strcaseeq(s, channel_names[i])) {
            if (out)
                *out = (pl_channel)i;
            return 0;
        }
    }
    return -1;
}

/* The last month of each channel (reference ws2008-servicing.md, update
 * 2026-12-06: public updates ended 2020-01-14, ESU years 1-3 2023-01-10,
 * Azure year 4 2024-01-09). Later dates are Premium Assurance. */
pl_channel pl_channel_of_date(const char *date)
{
    static const char *const ends[] = {"2020-01", "2023-01", "2024-01"};
    if (!date || !*date)
        return PL_CHANNEL_PUBLIC;
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++)
        if (strncmp(date, ends[i], 7) <= 0)
            return (pl_channel)i;
    return PL_CHANNEL_PREMIUM_ASSURANCE;
}

/* ---- values --------------------------------------------------------------- */

/* "KB" (any case) and 3-8 digits -> "KB…" upper-case in out. */
static int parse_kb(const char *s, char out[16])
{
    size_t n = strlen(s);
    if (n < 5 || n > 10 || (s[0] != 'K' && s[0] != 'k') || (s[1] != 'B' && s[1] != 'b'))
        return -1;
    for (size_t i = 2; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    out[0] = 'K';
    out[1] = 'B';
    memcpy(out + 2, s + 2, n - 1);   /* digits and the NUL */
    return 0;
}

static int digits(const char *s, size_t n, int *v)
{
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* "", "YYYY-MM" or "YYYY-MM-DD", a real calendar date from 1900 on. */
static int check_date(const char *s)
{
    size_t n = strlen(s);
    int y, m, d;
    if (n == 0)
        return 0;
    if ((n != 7 && n != 10) || s[4] != '-' || digits(s, 4, &y) || digits(s + 5, 2, &m))
        return -1;
    if (y < 1900 || m < 1 || m > 12)
        return -1;
    if (n == 7)
        return 0;
    if (s[7] != '-' || digits(s + 8, 2, &d))
        return -1;
    return d >= 1 && d <= days_in_month(y, m) ? 0 : -1;
}

/* Exactly "a.b.c.d": pl_version4_parse alone would also take "6.0" or
 * "6.0.6003.20489 (tag)", which in a catalog is a typo, not a version. */
static int parse_version_strict(const char *s, uint16_t v[4])
{
    int dots = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '.')
            dots++;
        else if (*p < '0' || *p > '9')
            return -1;
    }
    return dots == 3 ? pl_version4_parse(s, v) : -1;
}

/* KB numbers order numerically: shorter digit strings first, then as text
 * (KB958690 < KB4493471). Both are normalised "KB…". */
static int kb_cmp(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return la != lb ? (la < lb ? -1 : 1) : strcmp(a, b);
}

/* ---- errors --------------------------------------------------------------- */

typedef struct {
    char buf[PL_MAX_CATALOG_FIELD + 1];
    size_t len;
} field_buf;

/* The reader's state: the input still to read and the current field. */
typedef struct {
    const char *p, *end;
    unsigned line;             /* physical line of p, from 1 */
    const char *name;
    pl_err *err;
    field_buf fb;
} csv_in;

static int fail(const csv_in *in, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(const csv_in *in, unsigned line, const char *fmt, ...)
{
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    pl_err_setc(in->err, PL_ERR_CORRUPT, "%s:%u: %s", in->name, line, why);
    return -1;
}

/* A value quoted for a message: at most 40 bytes, cut on a UTF-8
 * boundary, control characters shown as '?', so a hostile field cannot
 * flood or break the one-line message. */
static const char *shown(const char *s, char out[64])
{
    size_t n = strlen(s), cut = n > 40 ? 40 : n;
    while (cut < n && cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    for (size_t i = 0; i < cut; i++)
        out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    strcpy(out + cut, cut < n ? "..." : "");
    return out;
}

/* ---- text checks ---------------------------------------------------------- */

/* Length of the line break at p: 2 for CRLF, 1 for LF or a lone CR, 0 if none. */
static size_t line_break(const char *p, const char *end)
{
    if (p >= end)
        return 0;
    if (*p == '\n')
        return 1;
    if (*p == '\r')
        return p + 1 < end && p[1] == '\n' ? 2 : 1;
    return 0;
}

/* Bytes of the UTF-8 sequence at p, 0 if invalid (overlong forms,
 * surrogates and values past U+10FFFF included). */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || (size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F) ||
        (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
        return 0;
    return n;
}

/* The whole buffer is UTF-8 text without NUL bytes. Done first, so the
 * reader below only ever sees text. */
static int check_text(const csv_in *in)
{
    unsigned line = 1;
    const unsigned char *p = (const unsigned char *)in->p, *end = (const unsigned char *)in->end;
    if (end - p >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)))
        return fail(in, 1, "UTF-16 text; save the catalog as UTF-8");
    while (p < end) {
        size_t br = line_break((const char *)p, (const char *)end), n;
        if (br) {
            p += br;
            line++;
        } else if (*p == '\0') {
            return fail(in, line, "NUL byte (a catalog is UTF-8 text)");
        } else if ((n = utf8_len(p, end)) == 0) {
            return fail(in, line, "invalid UTF-8");
        } else {
            p += n;
        }
    }
    return 0;
}

/* ---- records -------------------------------------------------------------- */

typedef struct {
    char *f[PL_MAX_CATALOG_COLUMNS];
    size_t n;
    unsigned line;             /* first line of the row */
} csv_row;

static void row_clear(csv_row *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->f[i]);
    r->n = 0;
}

static int at_row_end(const csv_in *in)
{
    return in->p >= in->end || line_break(in->p, in->end) > 0;
}

static void eat_line_break(csv_in *in)
{
    size_t br = line_break(in->p, in->end);
    if (br) {
        in->p += br;
        in->line++;
    }
}

static void skip_blanks(csv_in *in)
{
    while (in->p < in->end && (*in->p == ' ' || *in->p == '\t'))
        in->p++;
}

/* At the start of a row: skip it if it is blank or a '#' comment. */
static int skip_ignored_line(csv_in *in)
{
    const char *start = in->p;
    skip_blanks(in);
    if (in->p < in->end && *in->p == '#') {
        while (!at_row_end(in))
            in->p++;
    } else if (!at_row_end(in)) {
        in->p = start;
        return 0;
    }
    eat_line_break(in);
    return 1;
}

static int put(csv_in *in, field_buf *fb, char c, unsigned row_line)
{
    if (fb->len == PL_MAX_CATALOG_FIELD)
        return fail(in, row_line, "field longer than %d bytes (PL_MAX_CATALOG_FIELD)",
                    PL_MAX_CATALOG_FIELD);
    fb->buf[fb->len++] = c;
    return 0;
}

/* A quoted field, in->p at the opening quote. "" is a quote; line breaks
 * inside are kept as "\n". Only blanks may follow the closing quote. */
static int read_quoted(csv_in *in, field_buf *fb, unsigned row_line)
{
    unsigned open_line = in->line;
    in->p++;
    for (;;) {
        if (in->p >= in->end)
            return fail(in, open_line, "unterminated quoted field");
        if (line_break(in->p, in->end)) {
            eat_line_break(in);
            if (put(in, fb, '\n', row_line))
                return -1;
        } else if (*in->p == '"' && !(in->p + 1 < in->end && in->p[1] == '"')) {
            in->p++;
            break;
        } else {
            if (put(in, fb, *in->p, row_line))
                return -1;
            in->p += *in->p == '"' ? 2 : 1;
        }
    }
    skip_blanks(in);
    if (!at_row_end(in) && *in->p != ',')
        return fail(in, in->line, "text after the closing quote of a field");
    return 0;
}

/* An unquoted field: up to ',' or the end of the line, blanks trimmed. */
static int read_plain(csv_in *in, field_buf *fb, unsigned row_line)
{
    while (!at_row_end(in) && *in->p != ',') {
        if (*in->p == '"')
            return fail(in, in->line, "quote inside an unquoted field (quote the whole field "
                                      "and double the quote)");
        if (put(in, fb, *in->p++, row_line))
            return -1;
    }
    while (fb->len > 0 && (fb->buf[fb->len - 1] == ' ' || fb->buf[fb->len - 1] == '\t'))
        fb->len--;
    return 0;
}

static int read_field(csv_in *in, csv_row *row)
{
    field_buf *fb = &in->fb;
    fb->len = 0;
    if (row->n == PL_MAX_CATALOG_COLUMNS)
        return fail(in, row->line, "more than %d columns (PL_MAX_CATALOG_COLUMNS)",
                    PL_MAX_CATALOG_COLUMNS);
    skip_blanks(in);
    int rc = in->p < in->end && *in->p == '"' ? read_quoted(in, fb, row->line)
                                               : read_plain(in, fb, row->line);
    if (rc)
        return -1;
    row->f[row->n++] = pl_xstrndup(fb->buf, fb->len);
    return 0;
}

/* The next row: 1, 0 at the end of the input, -1 on error. */
static int read_row(csv_in *in, csv_row *row)
{
    row_clear(row);
    while (in->p < in->end && skip_ignored_line(in))
        ;
    if (in->p >= in->end)
        return 0;
    row->line = in->line;
    for (;;) {
        if (read_field(in, row))
            return -1;
        if (in->p < in->end && *in->p == ',') {
            in->p++;
            continue;
        }
        eat_line_break(in);
        return 1;
    }
}

/* ---- header --------------------------------------------------------------- */

enum {
    C_KB, C_DATE, C_KIND, C_KERNEL, C_SUPERSEDES, C_TITLE, C_SOURCE, C_CONFIDENCE, C_CHANNEL,
    C_NOTE, NCOLS
};
static const char *const col_names[NCOLS] = {
    "kb", "release_date", "kind", "kernel_version", "supersedes", "title", "source", "confidence",
    "channel", "note",
};
#define NREQUIRED 3            /* kb, release_date, kind */

typedef struct {
    int col[NCOLS];            /* field index of each known column, -1 if absent */
    size_t nfields;            /* fields in the header, and so in every row */
} header_map;

/* Leading and trailing blanks removed in place: unquoted fields already
 * are; this covers quoted names and values ("  6.0.6002.24565 "). */
static char *trim(char *s)
{
    size_t n = strlen(s), b = strspn(s, " \t");
    while (n > b && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    memmove(s, s + b, n - b);
    s[n - b] = '\0';
    return s;
}

static int map_header(const csv_in *in, const csv_row *row, header_map *h)
{
    for (size_t c = 0; c < NCOLS; c++)
        h->col[c] = -1;
    h->nfields = row->n;
    for (size_t i = 0; i < row->n; i++) {
        for (size_t c = 0; c < NCOLS; c++) {
            if (!pl_strcaseeq(trim(row->f[i]), col_names[c]))
                continue;
            if (h->col[c] >= 0)
                return fail(in, row->line, "column \"%s\" appears twice in the header",
                            col_names[c]);
            h->col[c] = (int)i;
        }
    }
    for (size_t c = 0; c < NREQUIRED; c++)
        if (h->col[c] < 0)
            return fail(in, row->line, "missing required column \"%s\" in the header row",
                        col_names[c]);
    return 0;
}

/* The field of a known column, blanks trimmed (quoted fields keep theirs
 * otherwise); "" when the column is absent. */
static const char *field(const csv_row *row, const header_map *h, int c)
{
    return h->col[c] < 0 ? "" : trim(row->f[h->col[c]]);
}

/* ---- rows ----------------------------------------------------------------- */

static int bad_value(const csv_in *in, unsigned line, const char *col, const char *v,
                     const char *expected)
{
    char buf[64];
    return fail(in, line, "bad %s \"%s\": expected %s", col, shown(v, buf), expected);
}

static int check_row(const csv_in *in, const csv_row *row, const header_map *h,
                     pl_catalog_entry *e, char kb[16], char sup[16])
{
    static const char kinds_expected[] = "one of monthly-rollup, security-only, preview, "
                                         "out-of-band, ssu, esu-licensing, sha2, other";
    const char *v;
    unsigned line = row->line;
    if (row->n != h->nfields)
        return fail(in, line, "%zu fields, but the header has %zu", row->n, h->nfields);
    kb[0] = '\0';
    if (*(v = field(row, h, C_KB)) && parse_kb(v, kb))
        return bad_value(in, line, "kb", v, "KB followed by 3 to 8 digits, or empty");
    if (check_date(v = field(row, h, C_DATE)))
        return bad_value(in, line, "release_date", v, "YYYY-MM-DD, YYYY-MM or empty");
    /* A row without a KB stands for a month whose update surely exists:
     * without its month it would count nowhere, and without a note the
     * reader could not tell it from a mistake. */
    if (!kb[0] && (!*v || !*field(row, h, C_NOTE)))
        return fail(in, line, "a row with an empty kb needs a release_date and a note");
    if (*(v = field(row, h, C_CHANNEL)) && pl_channel_parse(v, &e->channel))
        return bad_value(in, line, "channel", v,
                         "one of public, esu, azure, premium-assurance, or empty");
    if (!*v)
        e->channel = pl_channel_of_date(field(row, h, C_DATE));
    if (pl_update_kind_parse(v = field(row, h, C_KIND), &e->kind))
        return bad_value(in, line, "kind", v, kinds_expected);
    v = field(row, h, C_KERNEL);
    e->has_kernel = *v != '\0';
    if (e->has_kernel && parse_version_strict(v, e->kernel))
        return bad_value(in, line, "kernel_version", v, "a.b.c.d (each part 0-65535) or empty");
    sup[0] = '\0';
    if (*(v = field(row, h, C_SUPERSEDES)) && parse_kb(v, sup))
        return bad_value(in, line, "supersedes", v, "KB followed by 3 to 8 digits, or empty");
    return 0;
}

static char *dup_or_null(const char *s)
{
    return *s ? pl_xstrdup(s) : NULL;
}

/* Validate a row and, when it is good, fill *e (owning its strings). */
static int row_to_entry(const csv_in *in, const csv_row *row, const header_map *h,
                        pl_catalog_entry *e)
{
    char kb[16], sup[16];
    memset(e, 0, sizeof *e);
    if (check_row(in, row, h, e, kb, sup))
        return -1;
    e->kb = pl_xstrdup(kb);
    e->release_date = pl_xstrdup(field(row, h, C_DATE));
    e->supersedes = dup_or_null(sup);
    e->title = dup_or_null(field(row, h, C_TITLE));
    e->source = dup_or_null(field(row, h, C_SOURCE));
    e->confidence = dup_or_null(field(row, h, C_CONFIDENCE));
    e->note = dup_or_null(field(row, h, C_NOTE));
    e->line = row->line;
    return 0;
}

static void entry_free(pl_catalog_entry *e)
{
    free(e->kb);
    free(e->release_date);
    free(e->supersedes);
    free(e->title);
    free(e->source);
    free(e->note);
    free(e->confidence);
}

/* ---- ordering and the KB index ---------------------------------------------- */

static int cmp_entry(const void *a, const void *b)
{
    const pl_catalog_entry *x = a, *y = b;
    int ex = x->release_date[0] == '\0', ey = y->release_date[0] == '\0';
    if (ex != ey)
        return ex - ey;            /* unknown dates last */
    int c = strcmp(x->release_date, y->release_date);
    c = c ? c : kb_cmp(x->kb, y->kb);
    return c ? c : (x->line > y->line) - (x->line < y->line);   /* rows without a KB */
}

static int cmp_entry_ptr_by_kb(const void *a, const void *b)
{
    const pl_catalog_entry *x = *(const pl_catalog_entry *const *)a;
    const pl_catalog_entry *y = *(const pl_catalog_entry *const *)b;
    int c = kb_cmp(x->kb, y->kb);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Indexes of entries ordered by KB, then by line (qsort has no context
 * argument, so sort pointers and turn them back into indexes). */
static size_t *build_index(const pl_catalog_entry *entries, size_t n)
{
    const pl_catalog_entry **ptrs = pl_xmalloc(n * sizeof *ptrs);
    size_t *idx = pl_xmalloc(n * sizeof *idx);
    for (size_t i = 0; i < n; i++)
        ptrs[i] = &entries[i];
    qsort(ptrs, n, sizeof *ptrs, cmp_entry_ptr_by_kb);
    for (size_t i = 0; i < n; i++)
        idx[i] = (size_t)(ptrs[i] - entries);
    free(ptrs);
    return idx;
}

/* A KB on two rows is an error at the second row; of several duplicates,
 * the one whose second row comes first in the file is reported. */
static int check_duplicates(const csv_in *in, const pl_catalog_entry *e, size_t n)
{
    size_t *idx = build_index(e, n);
    const pl_catalog_entry *first = NULL, *dup = NULL;
    size_t group = 0;              /* where the run of the current KB starts */
    for (size_t i = 1; i < n; i++) {
        const pl_catalog_entry *b = &e[idx[i]];
        if (!b->kb[0] || strcmp(e[idx[i - 1]].kb, b->kb) != 0) {   /* unknown KBs differ */
            group = i;
            continue;
        }
        if (!dup || b->line < dup->line) {
            dup = b;
            first = &e[idx[group]];
        }
    }
    free(idx);
    if (dup)
        return fail(in, dup->line, "duplicate KB %s (first on line %u)", dup->kb, first->line);
    return 0;
}

/* ---- parsing ---------------------------------------------------------------- */

typedef struct {
    pl_catalog_entry *v;
    size_t n, cap;
} entry_vec;

static void entry_vec_free(entry_vec *ev)
{
    for (size_t i = 0; i < ev->n; i++)
        entry_free(&ev->v[i]);
    free(ev->v);
}

static int read_header(csv_in *in, csv_row *row, header_map *h)
{
    int rc = read_row(in, row);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return fail(in, in->line, "no header row (only comments and blank lines)");
    return map_header(in, row, h);
}

/* Every data row after the header, validated, into ev. */
static int read_entries(csv_in *in, csv_row *row, const header_map *h, entry_vec *ev)
{
    int rc;
    while ((rc = read_row(in, row)) == 1) {
        if (ev->n == PL_MAX_CATALOG_ROWS)
            return fail(in, row->line, "more than %d rows (PL_MAX_CATALOG_ROWS)",
                        PL_MAX_CATALOG_ROWS);
        if (ev->n == ev->cap) {
            ev->cap = ev->cap ? ev->cap * 2 : 256;
            ev->v = pl_xrealloc(ev->v, ev->cap * sizeof *ev->v);
        }
        if (row_to_entry(in, row, h, &ev->v[ev->n]))
            return -1;
        ev->n++;
    }
    return rc;
}

static int read_catalog(csv_in *in, entry_vec *ev)
{
    csv_row row = {0};
    header_map h = {.nfields = 0};   /* set by read_header; quiets -Wmaybe-uninitialized */
    if (in->p == in->end)
        return fail(in, 1, "empty file (expected a header row naming the columns)");
    int rc = check_text(in);
    if (rc == 0)
        rc = read_header(in, &row, &h);
    if (rc == 0)
        rc = read_entries(in, &row, &h, ev);
    if (rc == 0)
        rc = check_duplicates(in, ev->v, ev->n);
    row_clear(&row);
    return rc;
}

/* Entries are sorted by date, undated last: the newest is the last dated. */
static void newest_date(pl_catalog *cat)
{
    for (size_t i = cat->n; i-- > 0;)
        if (cat->entries[i].release_date[0]) {
            snprintf(cat->newest, sizeof cat->newest, "%s", cat->entries[i].release_date);
            return;
        }
}

int pl_catalog_parse(const char *data, size_t len, const char *name, pl_catalog *cat,
                     pl_err *err)
{
    static const char nothing[1] = "";
    memset(cat, 0, sizeof *cat);
    name = name ? name : "catalog";
    if (len > PL_MAX_CATALOG_BYTES) {
        pl_err_setc(err, PL_ERR_LIMIT, "%s: larger than %llu bytes (PL_MAX_CATALOG_BYTES)", name,
                   (unsigned long long)PL_MAX_CATALOG_BYTES);
        return -1;
    }
    if (!data) {
        data = nothing;
        len = 0;
    }
    csv_in *in = pl_xcalloc(1, sizeof *in);   /* holds the 4 KiB field buffer */
    *in = (csv_in){.p = data, .end = data + len, .line = 1, .name = name, .err = err};
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        in->p += 3;                            /* a UTF-8 BOM, as Windows editors write */
    entry_vec ev = {0};
    int rc = read_catalog(in, &ev);
    free(in);
    if (rc) {
        entry_vec_free(&ev);
        return -1;
    }
    if (ev.n)                                  /* qsort wants a non-NULL base */
        qsort(ev.v, ev.n, sizeof *ev.v, cmp_entry);
    *cat = (pl_catalog){.entries = ev.v, .n = ev.n, .name = pl_xstrdup(name),
                        .by_kb = build_index(ev.v, ev.n)};
    pl_sha256_hex((const uint8_t *)data, len, cat->sha256);
    newest_date(cat);
    return 0;
}

/* Up to PL_MAX_CATALOG_BYTES + 1 bytes: one more than allowed is enough
 * for pl_catalog_parse to refuse the file without reading all of it. */
static char *read_bounded(FILE *f, size_t *len)
{
    size_t cap = 0, limit = (size_t)PL_MAX_CATALOG_BYTES + 1;
    char *buf = NULL;
    *len = 0;
    for (;;) {
        if (*len == cap) {
            if (cap == limit)
                break;
            cap = cap ? (cap * 2 < limit ? cap * 2 : limit) : 65536;
            buf = pl_xrealloc(buf, cap);
        }
        size_t got = fread(buf + *len, 1, cap - *len, f);
        if (got == 0)
            break;
        *len += got;
    }
    return buf;
}

int pl_catalog_load(const char *path, pl_catalog *cat, pl_err *err)
{
    memset(cat, 0, sizeof *cat);
    FILE *f = fopen(path, "rb");
    if (!f) {
        pl_err_setc(err, PL_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t len;
    char *buf = read_bounded(f, &len);
    int bad = ferror(f), saved = errno;
    fclose(f);
    int rc = -1;
    if (bad)
        pl_err_setc(err, PL_ERR_IO, "%s: cannot read: %s", path, strerror(saved));
    else
        rc = pl_catalog_parse(buf, len, path, cat, err);
    free(buf);
    return rc;
}

void pl_catalog_free(pl_catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->n; i++)
        entry_free(&cat->entries[i]);
    free(cat->entries);
    free(cat->name);
    free(cat->by_kb);
    memset(cat, 0, sizeof *cat);
}

/* ---- lookups ---------------------------------------------------------------- */

const pl_catalog_entry *pl_catalog_find(const pl_catalog *cat, const char *kb)
{
    char want[16];
    if (!cat || !kb || parse_kb(kb, want))
        return NULL;
    if (!cat->by_kb) {
        for (size_t i = 0; i < cat->n; i++)
            if (pl_strcaseeq(cat->entries[i].kb, want))
                return &cat->entries[i];
        return NULL;
    }
    size_t lo = 0, hi = cat->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const pl_catalog_entry *e = &cat->entries[cat->by_kb[mid]];
        int c = kb_cmp(want, e->kb);
        if (c == 0)
            return e;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const pl_catalog_entry *pl_catalog_rollup_for_kernel(const pl_catalog *cat, const uint16_t v[4])
{
    const pl_catalog_entry *best = NULL;
    for (size_t i = 0; cat && v && i < cat->n; i++) {
        const pl_catalog_entry *e = &cat->entries[i];
        if (e->kind != PL_KIND_MONTHLY_ROLLUP || !e->has_kernel)
            continue;
        if (memcmp(e->kernel, v, 3 * sizeof v[0]) != 0 || pl_version4_cmp(e->kernel, v) > 0)
            continue;
        /* >= : entries are in date order, so on a tie the newer one wins. */
        if (!best || pl_version4_cmp(e->kernel, best->kernel) >= 0)
            best = e;
    }
    return best;
}
