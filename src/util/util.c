#include "util/util.h"
#include "util/recovery.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *const error_code_names[PL_ERR__COUNT] = {
    [PL_ERR_NONE] = "none",
    [PL_ERR_IO] = "io",
    [PL_ERR_NOT_FOUND] = "not-found",
    [PL_ERR_UNRECOGNIZED] = "unrecognized",
    [PL_ERR_TRUNCATED] = "truncated",
    [PL_ERR_CORRUPT] = "corrupt",
    [PL_ERR_UNSUPPORTED] = "unsupported",
    [PL_ERR_LIMIT] = "limit",
    [PL_ERR_LIBRARY] = "library",
    [PL_ERR_PARENT_MISSING] = "parent-missing",
    [PL_ERR_PARENT_MISMATCH] = "parent-mismatch",
    [PL_ERR_UNSAFE] = "unsafe",
    [PL_ERR_DIRTY] = "dirty",
    [PL_ERR_DISAGREEMENT] = "disagreement",
    [PL_ERR_CRASHED] = "crashed",
    [PL_ERR_TIMEOUT] = "timeout",
    [PL_ERR_RESOURCES] = "resources",
    [PL_ERR_INTERRUPTED] = "interrupted",
    [PL_ERR_USAGE] = "usage",
    [PL_ERR_OUTPUT_IS_INPUT] = "output-is-input",
    [PL_ERR_INTERNAL] = "internal",
};

const char *pl_error_code_name(pl_error_code code)
{
    if ((int)code < 0 || code >= PL_ERR__COUNT || !error_code_names[code])
        return "unknown";
    return error_code_names[code];
}

pl_error_code pl_error_code_from_name(const char *name)
{
    for (int c = 0; name && c < PL_ERR__COUNT; c++)
        if (error_code_names[c] && strcmp(error_code_names[c], name) == 0)
            return (pl_error_code)c;
    return PL_ERR_NONE;
}

int pl_error_code_is_transient(pl_error_code code)
{
    return code == PL_ERR_CRASHED || code == PL_ERR_TIMEOUT || code == PL_ERR_RESOURCES ||
           code == PL_ERR_INTERRUPTED;
}

static void err_vset(pl_err *err, const char *fmt, va_list ap)
{
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

void pl_err_setc(pl_err *err, pl_error_code code, const char *fmt, ...)
{
    if (!err)
        return;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    err_vset(err, fmt, ap);
    va_end(ap);
}

void pl_err_prefix(pl_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    char head[256], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* "head: old", cut to fit: a long message loses its tail, not its head. */
    size_t cap = sizeof err->msg - 1, n = 0;
    const char *parts[3] = {head, ": ", old};
    for (int i = 0; i < 3; i++)
        for (const char *p = parts[i]; *p && n < cap; p++)
            err->msg[n++] = *p;
    err->msg[n] = '\0';
}

/* Exhaustion unwinds to the public function that was called, or aborts
 * outside one (recovery.h). */
void *pl_xmalloc(size_t n)
{
    void *p = pl_alloc_should_fail() ? NULL : malloc(n ? n : 1);
    if (!p)
        pl_out_of_memory(n);
    return p;
}

/* MADV_POPULATE_WRITE is Linux 5.14; older headers lack it, older kernels
 * refuse it (EINVAL), and the buffer then fills as before.
 * MADV_HUGEPAGE first: where transparent huge pages are "madvise" (Debian's
 * default), the buffer is then backed by 2 MiB pages. Why: a 90 MB hive in
 * 4 KiB pages took 22,000 first touches when walked after read(2) filled
 * it (pl_hive_find_damage: 200-250 ms on a virtual machine, 4 ms with huge
 * pages; bench/bench-server.sh). Where they are "never" the advice is
 * ignored. */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#define PREFAULT_MIN (1u << 20)

void *pl_xmalloc_for_read(size_t n)
{
    uint8_t *p = pl_xmalloc(n);
    if (n < PREFAULT_MIN)
        return p;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t from = ((uintptr_t)p + page - 1) / page * page;
    uintptr_t to = ((uintptr_t)p + n) / page * page;
    if (to > from) {
        (void)madvise((void *)from, to - from, MADV_HUGEPAGE);
        (void)madvise((void *)from, to - from, MADV_POPULATE_WRITE);
    }
    return p;
}

void *pl_xcalloc(size_t n, size_t size)
{
    void *p = pl_alloc_should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1);
    if (!p)
        pl_out_of_memory(n * size);
    return p;
}

void *pl_xrealloc(void *p, size_t n)
{
    void *q = pl_alloc_should_fail() ? NULL : realloc(p, n ? n : 1);
    if (!q)
        pl_out_of_memory(n);
    return q;
}

char *pl_xstrdup(const char *s)
{
    return s ? pl_xstrndup(s, strlen(s)) : NULL;
}

char *pl_xstrndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t len = strnlen(s, n);
    char *p = pl_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

static char *xvasprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0)
        n = 0;
    char *p = pl_xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

char *pl_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

int pl_strncaseeq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int ca = ascii_lower((unsigned char)a[i]), cb = ascii_lower((unsigned char)b[i]);
        if (ca != cb)
            return 0;
        if (ca == 0)
            return 1;
    }
    return 1;
}

int pl_strcaseeq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return pl_strncaseeq(a, b, (size_t)-1);
}

int pl_str_has_suffix_ci(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && pl_strcaseeq(s + ls - lx, suffix);
}

void pl_strlist_push_owned(pl_strlist *l, char *s)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = pl_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->len++] = s;
}

void pl_strlist_push(pl_strlist *l, const char *s)
{
    pl_strlist_push_owned(l, pl_xstrdup(s ? s : ""));
}

void pl_strlist_pushf(pl_strlist *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pl_strlist_push_owned(l, xvasprintf(fmt, ap));
    va_end(ap);
}

int pl_strlist_contains(const pl_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->len; i++)
        if (strcmp(l->items[i], s) == 0)
            return 1;
    return 0;
}

void pl_strlist_push_unique(pl_strlist *l, const char *s)
{
    if (!pl_strlist_contains(l, s))
        pl_strlist_push(l, s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void pl_strlist_sort(pl_strlist *l)
{
    if (l->len > 1)
        qsort(l->items, l->len, sizeof *l->items, cmp_str);
}

int pl_strlist_sorted_contains(const pl_strlist *sorted, const char *s)
{
    return sorted->len &&
           bsearch(&s, sorted->items, sorted->len, sizeof *sorted->items, cmp_str) != NULL;
}

/* FNV-1a: simple, and good enough for names chosen by an image, since
 * the table never fills beyond half (no long probe runs by chance). */
static size_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return (size_t)(h ^ (h >> 32));
}

/* The slot holding s, or the empty slot where it belongs. */
static char **strset_slot(char **slots, size_t cap, const char *s)
{
    size_t i = str_hash(s) & (cap - 1);
    while (slots[i] && strcmp(slots[i], s) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static void strset_grow(pl_strset *set)
{
    size_t cap = set->cap ? set->cap * 2 : 64;
    char **slots = pl_xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < set->cap; i++)
        if (set->slots[i])
            *strset_slot(slots, cap, set->slots[i]) = set->slots[i];
    free(set->slots);
    set->slots = slots;
    set->cap = cap;
}

int pl_strset_add(pl_strset *set, const char *s)
{
    if (2 * (set->len + 1) > set->cap)
        strset_grow(set);
    char **slot = strset_slot(set->slots, set->cap, s);
    if (*slot)
        return 0;
    *slot = pl_xstrdup(s);
    set->len++;
    return 1;
}

int pl_strset_contains(const pl_strset *set, const char *s)
{
    return set->cap && *strset_slot(set->slots, set->cap, s) != NULL;
}

void pl_strset_free(pl_strset *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->slots[i]);
    free(set->slots);
    memset(set, 0, sizeof *set);
}

void pl_strlist_free(pl_strlist *l)
{
    for (size_t i = 0; i < l->len; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->len = l->cap = 0;
}

static size_t utf8_put(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

char *pl_utf16le_to_utf8(const uint8_t *p, size_t nbytes)
{
    size_t units = nbytes / 2;
    /* Each UTF-16 unit becomes at most 3 UTF-8 bytes (a pair, 4). */
    char *out = pl_xmalloc(units * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < units; i++) {
        uint32_t u = pl_le16(p + 2 * i);
        if (u == 0)
            break;
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units) {
            uint32_t lo = pl_le16(p + 2 * (i + 1));
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                o += utf8_put(out + o, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                i++;
                continue;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF)
            u = 0xFFFD;
        o += utf8_put(out + o, u);
    }
    out[o] = '\0';
    return out;
}

int pl_write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void hex32(const unsigned char md[32], char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

void pl_sha256_hex(const uint8_t *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
        out[0] = '\0';
        return;
    }
    hex32(md, out);
}

/* Streamed in 1 MiB reads, so an image of any size is hashed in constant
 * memory; the file is opened read-only and never written. */
int pl_sha256_file(const char *path, char out[65], uint64_t *size, pl_err *err)
{
    out[0] = '\0';
    *size = 0;
    /* O_NONBLOCK: a FIFO or device named as an input must not hang us. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        pl_err_setc(err, errno == ENOENT ? PL_ERR_NOT_FOUND : PL_ERR_IO, "cannot open: %s",
                    strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        pl_err_setc(err, PL_ERR_UNSUPPORTED, "not a regular file");
        close(fd);
        return -1;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = malloc(CHUNK);
    int rc = ctx && buf && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ? 0 : -1;
    if (rc != 0)
        pl_err_setc(err, PL_ERR_RESOURCES, "cannot start a SHA-256 digest");
    while (rc == 0) {
        ssize_t n = read(fd, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            pl_err_setc(err, PL_ERR_IO, "read failed after %llu bytes: %s",
                        (unsigned long long)*size, strerror(errno));
            rc = -1;
        } else if (n == 0) {
            break;
        } else if (!EVP_DigestUpdate(ctx, buf, (size_t)n)) {
            pl_err_setc(err, PL_ERR_LIBRARY, "SHA-256 digest failed");
            rc = -1;
        } else {
            *size += (uint64_t)n;
        }
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (rc == 0 && (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32)) {
        pl_err_setc(err, PL_ERR_LIBRARY, "SHA-256 digest failed");
        rc = -1;
    }
    if (rc == 0)
        hex32(md, out);
    free(buf);
    EVP_MD_CTX_free(ctx);
    close(fd);
    return rc;
}

void pl_unixtime_to_iso(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, 32, "%lld", (long long)t);
        return;
    }
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int pl_filetime_to_iso(uint64_t filetime, char out[32])
{
    /* 11644473600 s between 1601-01-01 and 1970-01-01. Accept 1970..9999. */
    const uint64_t epoch_delta = 11644473600ull * 10000000ull;
    if (filetime < epoch_delta)
        return -1;
    uint64_t secs = (filetime - epoch_delta) / 10000000ull;
    if (secs > 253402300799ull)
        return -1;
    pl_unixtime_to_iso((int64_t)secs, out);
    return 0;
}

void pl_notes_add(pl_notes *l, pl_error_code code, const char *fmt, ...)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->items = pl_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    va_list ap;
    va_start(ap, fmt);
    l->items[l->len++] = (pl_note){.code = code, .msg = xvasprintf(fmt, ap)};
    va_end(ap);
}

void pl_notes_copy(pl_notes *dst, const pl_notes *src)
{
    for (size_t i = 0; i < src->len; i++)
        pl_notes_add(dst, src->items[i].code, "%s", src->items[i].msg);
}

void pl_notes_free(pl_notes *l)
{
    for (size_t i = 0; i < l->len; i++)
        free(l->items[i].msg);
    free(l->items);
    memset(l, 0, sizeof *l);
}
