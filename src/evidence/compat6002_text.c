/* Reading one file as text for the 6002 scan: decoding (UTF-8, UTF-16
 * with or without BOM, ANSI), telling binary files apart, cutting lines,
 * and keeping findings. Files come from images: nothing here trusts a
 * length, and a line of megabytes costs one pass, like any other. */
#include <stdlib.h>
#include <string.h>

#include "evidence/compat6002.h"
#include "util/limits.h"

/* ---- decoding ------------------------------------------------------------ */

/* UTF-16 without a BOM: in ASCII-heavy text every other byte is NUL. At
 * least 3 in 8 units of the first 4 KiB with a NUL high byte, and no NUL
 * low byte, is a clear sign (binary data has NULs on both sides). */
static int utf16_guess(const uint8_t *d, size_t len, int *big_endian)
{
    size_t n = len < 4096 ? len / 2 : 2048, zero_hi = 0, zero_lo = 0;
    for (size_t i = 0; i < n; i++) {
        zero_lo += d[2 * i] == 0;
        zero_hi += d[2 * i + 1] == 0;
    }
    if (n < 2)
        return 0;
    if (zero_hi * 8 >= n * 3 && zero_lo == 0) {
        *big_endian = 0;
        return 1;
    }
    if (zero_lo * 8 >= n * 3 && zero_hi == 0) {
        *big_endian = 1;
        return 1;
    }
    return 0;
}

/* UTF-16 units to UTF-8; a NUL unit is binary (-1). */
static int from_utf16(const uint8_t *d, size_t len, int big_endian, char **out, size_t *outlen)
{
    size_t units = len / 2;
    uint8_t *le = pl_xmalloc(units * 2 + 2);
    for (size_t i = 0; i < units; i++) {
        le[2 * i] = big_endian ? d[2 * i + 1] : d[2 * i];
        le[2 * i + 1] = big_endian ? d[2 * i] : d[2 * i + 1];
        if (!le[2 * i] && !le[2 * i + 1]) {
            free(le);
            return -1;
        }
    }
    le[2 * units] = le[2 * units + 1] = 0;
    *out = pl_utf16le_to_utf8(le, units * 2);
    *outlen = strlen(*out);
    free(le);
    return 0;
}

/* Well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
static int valid_utf8(const uint8_t *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint8_t c = s[i];
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || i + n > len || (n == 2 && c < 0xC2) || (n == 4 && c > 0xF4))
            return 0;
        for (size_t k = 1; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        if ((n == 3 && c == 0xE0 && s[i + 1] < 0xA0) || (n == 3 && c == 0xED && s[i + 1] >= 0xA0) ||
            (n == 4 && c == 0xF0 && s[i + 1] < 0x90) || (n == 4 && c == 0xF4 && s[i + 1] >= 0x90))
            return 0;
        i += n;
    }
    return 1;
}

/* Windows-1252 0x80-0x9F (the rest of the 8-bit range is Latin-1). */
static const uint16_t cp1252[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

static char *from_ansi(const uint8_t *d, size_t len, size_t *outlen)
{
    char *out = pl_xmalloc(len * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned u = d[i] >= 0x80 && d[i] < 0xA0 ? cp1252[d[i] - 0x80] : d[i];
        if (u < 0x80) {
            out[o++] = (char)u;
        } else if (u < 0x800) {
            out[o++] = (char)(0xC0 | (u >> 6));
            out[o++] = (char)(0x80 | (u & 0x3F));
        } else {
            out[o++] = (char)(0xE0 | (u >> 12));
            out[o++] = (char)(0x80 | ((u >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (u & 0x3F));
        }
    }
    out[o] = '\0';
    *outlen = o;
    return out;
}

/* A text file holds no NUL and few control bytes (tab, newlines, form
 * feed and the old end-of-file mark 0x1A are text). */
static int looks_binary(const uint8_t *d, size_t len)
{
    size_t ctl = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = d[i];
        if (c == 0)
            return 1;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1A && c != 0x1B)
            ctl++;
    }
    return ctl * 50 > len;    /* over 2% */
}

int pl_c6_decode(const uint8_t *d, size_t len, char **out, size_t *outlen)
{
    int be = 0;
    if (len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) {
        d += 3;
        len -= 3;
    } else if (len >= 2 && ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF))) {
        return from_utf16(d + 2, len - 2, d[0] == 0xFE, out, outlen);
    } else if (len >= 4 && utf16_guess(d, len, &be)) {
        return from_utf16(d, len, be, out, outlen);
    }
    if (looks_binary(d, len))
        return -1;
    if (!valid_utf8(d, len))
        *out = from_ansi(d, len, outlen);
    else {
        *out = pl_xstrndup((const char *)d, len);
        *outlen = len;
    }
    return 0;
}

/* ---- findings -------------------------------------------------------------- */

/* Where to start showing a long line: a little before its first 6002, on
 * a UTF-8 boundary, so that the finding shows what matched. */
static size_t show_from(const char *s, size_t len)
{
    const char *hit = memmem(s, len, "6002", 4);
    if (!hit || (size_t)(hit - s) + 4 <= PL_MAX_C6_TEXT_BYTES)
        return 0;
    size_t from = (size_t)(hit - s) > 80 ? (size_t)(hit - s) - 80 : 0;
    while (from < len && ((unsigned char)s[from] & 0xC0) == 0x80)
        from++;
    return from;
}

void pl_c6_add(pl_compat6002 *c, const char *path, uint64_t line, const char *text,
               size_t textlen, pl_c6_class cls)
{
    if (c->nfindings >= PL_MAX_C6_FINDINGS) {
        if (!c->limit)
            c->limit = pl_xasprintf("more than %d findings: the rest are not listed",
                                    PL_MAX_C6_FINDINGS);
        return;
    }
    while (textlen && (text[0] == ' ' || text[0] == '\t')) {
        text++;
        textlen--;
    }
    size_t from = show_from(text, textlen);
    size_t n = textlen - from;
    int cut = n > PL_MAX_C6_TEXT_BYTES;
    if (cut) {
        n = PL_MAX_C6_TEXT_BYTES;
        while (n > 0 && ((unsigned char)text[from + n] & 0xC0) == 0x80)
            n--;
    }
    if (c->nfindings == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->findings = pl_xrealloc(c->findings, c->cap * sizeof *c->findings);
    }
    char *body = pl_xstrndup(text + from, n);
    c->findings[c->nfindings++] = (pl_c6_finding){
        .path = pl_xstrdup(path),
        .line = line,
        .text = pl_xasprintf("%s%s%s", from ? "..." : "", body, cut ? "..." : ""),
        .cls = cls,
    };
    free(body);
}

size_t pl_c6_scan_bytes(pl_compat6002 *c, const char *path, const uint8_t *data, size_t len,
                        int *binary)
{
    char *text = NULL;
    size_t tlen = 0, added = 0;
    *binary = pl_c6_decode(data, len, &text, &tlen) != 0;
    if (*binary)
        return 0;
    uint64_t lineno = 0;
    for (size_t i = 0; i <= tlen;) {
        const char *nl = memchr(text + i, '\n', tlen - i);
        size_t e = nl ? (size_t)(nl - text) : tlen;
        size_t n = e - i;
        if (n && text[i + n - 1] == '\r')
            n--;
        lineno++;
        /* Cheap first test: most lines hold no 6002 at all. */
        if (n >= 4 && memmem(text + i, n, "6002", 4)) {
            pl_c6_class k = pl_c6_classify_line(text + i, n);
            if (k != PL_C6_NONE) {
                pl_c6_add(c, path, lineno, text + i, n, k);
                added++;
            }
        }
        if (!nl)
            break;
        i = e + 1;
    }
    free(text);
    return added;
}

size_t pl_c6_risks(const pl_compat6002 *c)
{
    size_t n = 0;
    for (size_t i = 0; c && i < c->nfindings; i++)
        n += pl_c6_is_risk(c->findings[i].cls);
    return n;
}

void pl_compat6002_free(pl_compat6002 *c)
{
    for (size_t i = 0; i < c->nfindings; i++) {
        free(c->findings[i].path);
        free(c->findings[i].text);
    }
    free(c->findings);
    free(c->limit);
    pl_strset_free(&c->seen);
    memset(c, 0, sizeof *c);
}
