/* Escaping of untrusted strings for text output. See escape.h. */
#include "util/escape.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* Length of the valid UTF-8 character at p (1-4), or 0 when the bytes at
 * p are not one. Overlong forms and surrogates are invalid (RFC 3629). */
static size_t utf8_len(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)   /* also stops at the terminating NUL */
            return 0;
    return n;
}

/* Valid UTF-8 that still must not reach a terminal: C1 controls, the
 * line separators and the bidi embedding/override/isolate controls. */
static int is_unsafe_char(const unsigned char *p, size_t n)
{
    if (n == 2)
        return p[0] == 0xC2 && p[1] <= 0x9F;
    if (n == 3 && p[0] == 0xE2 && p[1] == 0x80)
        return p[2] >= 0xA8 && p[2] <= 0xAE;
    if (n == 3 && p[0] == 0xE2 && p[1] == 0x81)
        return p[2] >= 0xA6 && p[2] <= 0xA9;
    return 0;
}

/* How many bytes at p are copied as they are: a safe printable character
 * (1-4 bytes), or 0 when the byte at p is escaped. A backslash counts as
 * safe here; whether it needs doubling depends on what follows. */
static size_t plain_len(const unsigned char *p)
{
    if (p[0] < 0x20 || p[0] == 0x7F)
        return 0;
    size_t n = utf8_len(p);
    if (n == 0 || is_unsafe_char(p, n))
        return 0;
    return n;
}

static int backslash_needs_doubling(const unsigned char *next)
{
    return *next && (strchr("\\xntr", *next) != NULL || plain_len(next) == 0);
}

/* Write the escaped form of s to out (room for 4 * strlen(s) + 1 bytes,
 * the longest form: every byte as \xNN). */
static void escape_into(const unsigned char *s, char *out)
{
    static const char hex[] = "0123456789abcdef";
    while (*s) {
        size_t n = plain_len(s);
        if (n > 0) {
            if (*s == '\\' && backslash_needs_doubling(s + 1))
                *out++ = '\\';
            memcpy(out, s, n);
            out += n;
            s += n;
            continue;
        }
        *out++ = '\\';
        if (*s == '\n')
            *out++ = 'n';
        else if (*s == '\t')
            *out++ = 't';
        else if (*s == '\r')
            *out++ = 'r';
        else {
            *out++ = 'x';
            *out++ = hex[*s >> 4];
            *out++ = hex[*s & 0xF];
        }
        s++;
    }
    *out = '\0';
}

char *pl_escape(const char *s)
{
    if (!s)
        return NULL;
    size_t len = strlen(s);
    char *out = pl_xmalloc(4 * len + 1);
    escape_into((const unsigned char *)s, out);
    return out;
}

int pl_needs_escape(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (p && *p) {
        size_t n = plain_len(p);
        if (n == 0 || (*p == '\\' && backslash_needs_doubling(p + 1)))
            return 1;
        p += n;
    }
    return 0;
}

const char *pl_esc(const char *s)
{
    /* Reachable from this array until reused, so leak checkers stay quiet.
     * Per thread: the library renders text reports in its callers' threads. */
    static _Thread_local char *ring[8];
    static _Thread_local unsigned next;
    if (!s)
        return NULL;
    unsigned i = next++ % 8;
    free(ring[i]);
    ring[i] = pl_escape(s);
    return ring[i];
}
