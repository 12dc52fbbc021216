#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "evidence/hive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/limits.h"

#define BASE_BLOCK 4096u
#define HBIN_ALIGN 4096u

/* hivex says only EINVAL or ENOTSUP when it refuses a hive. Find the
 * reason in the structure it checks: the base block (checksum, size of the
 * hive bins) and the chain of hive bins. 1 with err set when found. */
static int explain_damage(const uint8_t *d, size_t len, pl_err *err)
{
    uint32_t sum = 0;
    for (int i = 0; i < 127; i++)
        sum ^= pl_le32(d + 4 * i);
    uint32_t stored = pl_le32(d + 508);
    if (sum != stored) {
        pl_err_set(err, "the base block checksum is wrong (stored 0x%08x, computed 0x%08x)",
                   stored, sum);
        return 1;
    }
    uint32_t bins = pl_le32(d + 0x28);
    if (bins == 0 || bins % HBIN_ALIGN) {
        pl_err_set(err, "the base block gives an invalid size for the hive bins (%u bytes)",
                   bins);
        return 1;
    }
    if (!pl_range_ok(BASE_BLOCK, bins, len)) {
        pl_err_set(err, "truncated: the base block says the hive bins take %u bytes, but the "
                        "file has %zu bytes after the base block",
                   bins, len - BASE_BLOCK);
        return 1;
    }
    for (uint64_t off = 0; off < bins;) {
        const uint8_t *h = d + BASE_BLOCK + off;
        if (bins - off < 32 || memcmp(h, "hbin", 4) != 0) {
            pl_err_set(err, "no hive bin (\"hbin\") at offset 0x%llx",
                       (unsigned long long)(BASE_BLOCK + off));
            return 1;
        }
        uint32_t size = pl_le32(h + 8);
        if (size < HBIN_ALIGN || size % HBIN_ALIGN || size > bins - off) {
            pl_err_set(err, "the hive bin at offset 0x%llx has an invalid size (%u bytes; %llu "
                            "bytes of hive bins remain)",
                       (unsigned long long)(BASE_BLOCK + off), size,
                       (unsigned long long)(bins - off));
            return 1;
        }
        off += size;
    }
    return 0;
}

int pl_hive_open_mem(const uint8_t *data, size_t len, pl_hive *hive, pl_err *err)
{
    memset(hive, 0, sizeof *hive);
    hive->memfd = -1;
    if (len < 4 || memcmp(data, "regf", 4) != 0) {
        pl_err_set(err, "not a registry hive (no regf header)");
        return -1;
    }
    if (len < BASE_BLOCK + HBIN_ALIGN) {
        pl_err_set(err, "truncated: the file is %zu bytes, too short for a base block and a "
                        "hive bin (8192 bytes)",
                   len);
        return -1;
    }
    int fd = memfd_create("patchlevel-hive", MFD_CLOEXEC);
    if (fd < 0) {
        pl_err_set(err, "cannot create an in-memory file: %s", strerror(errno));
        return -1;
    }
    if (pl_write_all(fd, data, len) != 0) {
        pl_err_set(err, "cannot fill an in-memory file: %s", strerror(errno));
        close(fd);
        return -1;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    errno = 0;
    hive->h = hivex_open(path, 0);
    if (!hive->h) {
        int e = errno;
        if (!explain_damage(data, len, err))
            pl_err_set(err, "hive is damaged or unsupported (hivex: %s)",
                       e ? strerror(e) : "unknown error");
        close(fd);
        return -1;
    }
    hive->memfd = fd;
    return 0;
}

void pl_hive_close(pl_hive *hive)
{
    if (hive->h)
        hivex_close(hive->h);
    if (hive->memfd >= 0)
        close(hive->memfd);
    hive->h = NULL;
    hive->memfd = -1;
}

hive_node_h pl_hive_node(pl_hive *hive, const char *path)
{
    hive_node_h node = hivex_root(hive->h);
    char *copy = pl_xstrdup(path);
    char *save = NULL;
    int depth = 0;
    for (char *c = strtok_r(copy, "\\", &save); c && node; c = strtok_r(NULL, "\\", &save)) {
        if (++depth > PL_MAX_PATH_DEPTH) {
            node = 0;
            break;
        }
        node = hivex_node_get_child(hive->h, node, c);
    }
    free(copy);
    return node;
}

char *pl_hive_string(pl_hive *hive, hive_node_h node, const char *name)
{
    if (!node)
        return NULL;
    hive_value_h v = hivex_node_get_value(hive->h, node, name);
    if (!v)
        return NULL;
    hive_type t;
    size_t len;
    if (hivex_value_type(hive->h, v, &t, &len) != 0)
        return NULL;
    if (t != hive_t_REG_SZ && t != hive_t_REG_EXPAND_SZ)
        return NULL;
    return hivex_value_string(hive->h, v);
}

int pl_hive_dword(pl_hive *hive, hive_node_h node, const char *name, uint32_t *out)
{
    if (!node)
        return 0;
    hive_value_h v = hivex_node_get_value(hive->h, node, name);
    if (!v)
        return 0;
    hive_type t;
    size_t len;
    if (hivex_value_type(hive->h, v, &t, &len) != 0)
        return 0;
    if (t != hive_t_REG_DWORD && t != hive_t_REG_DWORD_BIG_ENDIAN)
        return 0;
    errno = 0;
    int32_t d = hivex_value_dword(hive->h, v);
    if (d == -1 && errno)
        return 0;
    *out = (uint32_t)d;
    return 1;
}

size_t pl_hive_subkey_count(pl_hive *hive, hive_node_h node)
{
    if (!node)
        return 0;
    size_t n = 0;
    hive_node_h *kids = hivex_node_children(hive->h, node);
    if (kids) {
        while (kids[n])
            n++;
        free(kids);
    }
    return n;
}

static const char *type_name(hive_type t)
{
    static const char *const names[] = {"REG_NONE",      "REG_SZ",        "REG_EXPAND_SZ",
                                        "REG_BINARY",    "REG_DWORD",     "REG_DWORD_BIG_ENDIAN",
                                        "REG_LINK",      "REG_MULTI_SZ"};
    return (unsigned)t < sizeof names / sizeof *names ? names[t] : "an unknown type";
}

/* The value's raw bytes and type; NULL when absent (*why stays NULL) or
 * unreadable (*why set). */
static char *raw_value(pl_hive *hive, hive_node_h node, const char *name, hive_type *t,
                       size_t *len, char **why)
{
    *why = NULL;
    if (!node)
        return NULL;
    hive_value_h v = hivex_node_get_value(hive->h, node, name);
    if (!v)
        return NULL;
    char *data = hivex_value_value(hive->h, v, t, len);
    if (!data)
        *why = pl_xasprintf("value %s could not be read: %s", name, strerror(errno));
    return data;
}

int pl_hive_dword_checked(pl_hive *hive, hive_node_h node, const char *name, uint32_t *out,
                          char **why)
{
    hive_type t;
    size_t len;
    char *data = raw_value(hive, node, name, &t, &len, why);
    if (!data)
        return *why ? -1 : 0;
    int rc = -1;
    if ((t == hive_t_REG_DWORD || t == hive_t_REG_DWORD_BIG_ENDIAN) && len == 4) {
        const uint8_t *b = (const uint8_t *)data;
        *out = t == hive_t_REG_DWORD ? pl_le32(b)
                                     : ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
                                        (uint32_t)b[2] << 8 | b[3]);
        rc = 1;
    } else {
        *why = pl_xasprintf("value %s is %s of %zu bytes, not a REG_DWORD", name, type_name(t),
                            len);
    }
    free(data);
    return rc;
}

/* Where UTF-16LE in p[0..n) is not well formed (an unpaired surrogate):
 * the byte offset, or -1 when it is. */
static long utf16_fault(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        uint16_t u = pl_le16(p + i);
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (i + 3 >= n || pl_le16(p + i + 2) < 0xDC00 || pl_le16(p + i + 2) > 0xDFFF)
                return (long)i;
            i += 2;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            return (long)i;
        }
    }
    return -1;
}

/* Non-empty NUL-separated UTF-16 strings in p[0..n), bounded. */
static size_t count_multi_sz(const uint8_t *p, size_t n)
{
    size_t count = 0, run = 0;
    for (size_t i = 0; i + 1 < n && count < PL_MAX_MULTI_SZ_ITEMS; i += 2) {
        if (pl_le16(p + i) == 0) {
            count += run > 0;
            run = 0;
        } else {
            run++;
        }
    }
    return count + (run > 0 && count < PL_MAX_MULTI_SZ_ITEMS);
}

int pl_hive_multi_sz_checked(pl_hive *hive, hive_node_h node, const char *name, size_t *count,
                             char **why)
{
    hive_type t;
    size_t len;
    *count = 0;
    char *data = raw_value(hive, node, name, &t, &len, why);
    if (!data)
        return *why ? -1 : 0;
    long fault = -1;
    if (t != hive_t_REG_MULTI_SZ)
        *why = pl_xasprintf("value %s is %s, not a REG_MULTI_SZ", name, type_name(t));
    else if (len % 2)
        *why = pl_xasprintf("value %s has an odd length (%zu bytes) for UTF-16", name, len);
    else if ((fault = utf16_fault((const uint8_t *)data, len)) >= 0)
        *why = pl_xasprintf("value %s holds an unpaired UTF-16 surrogate at byte %ld", name,
                            fault);
    else
        *count = count_multi_sz((const uint8_t *)data, len);
    free(data);
    return *why ? -1 : 1;
}
