#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "evidence/hive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "evidence/hive_salvage.h"
#include "util/limits.h"

#define BASE_BLOCK 4096u
#define HBIN_ALIGN 4096u

/* Write data to fd; with consume, release each copied chunk's whole pages
 * (MADV_DONTNEED: they read as zeros afterwards, and only free() follows),
 * so that the buffer and the in-memory file never both hold the hive.
 * Only pages wholly inside the buffer are released: malloc's bookkeeping
 * lies outside it. */
static int write_hive(int fd, const uint8_t *data, size_t len, int consume)
{
    if (!consume)
        return pl_write_all(fd, data, len);
    const size_t chunk = 1u << 20;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    for (size_t done = 0; done < len;) {
        size_t n = len - done < chunk ? len - done : chunk;
        if (pl_write_all(fd, data + done, n) != 0)
            return -1;
        uintptr_t from = ((uintptr_t)(data + done) + page - 1) / page * page;
        uintptr_t to = (uintptr_t)(data + done + n) / page * page;
        if (to > from)
            madvise((void *)from, to - from, MADV_DONTNEED);
        done += n;
    }
    return 0;
}

/* An anonymous in-memory file holding data (hivex opens by name only).
 * The fd, or -1 with err set. */
static int hive_memfd(const uint8_t *data, size_t len, int consume, pl_err *err)
{
    int fd = memfd_create("patchlevel-hive", MFD_CLOEXEC);
    if (fd < 0) {
        pl_err_setc(err, PL_ERR_RESOURCES, "cannot create an in-memory file: %s",
                    strerror(errno));
        return -1;
    }
    if (write_hive(fd, data, len, consume) != 0) {
        pl_err_setc(err, PL_ERR_RESOURCES, "cannot fill an in-memory file: %s",
                    strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* hivex on the in-memory file fd; on success hive owns fd, on failure it
 * is closed. 0 ok, -1 with err set. */
static int hivex_open_fd(int fd, int flags, pl_hive *hive, pl_err *err)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    errno = 0;
    hive->h = hivex_open(path, flags);
    if (!hive->h) {
        int e = errno;
        pl_err_setc(err, PL_ERR_LIBRARY, "hive is damaged or unsupported (hivex: %s)",
                    e ? strerror(e) : "unknown error");
        close(fd);
        return -1;
    }
    hive->memfd = fd;
    return 0;
}

/* A damaged hive, read from a repaired private copy (hive_salvage.c)
 * with HIVEX_OPEN_UNSAFE: a cell pointing into what was lost is then
 * skipped instead of failing the whole list. data (len bytes) is the
 * hive; err holds the damage found; on failure the reason the salvage
 * failed is added to it. */
static int salvage_open(const uint8_t *data, size_t len, const pl_hive_damage *dmg,
                        pl_hive *hive, pl_err *err)
{
    uint8_t *copy;
    size_t n;
    if (pl_hive_salvage_copy(data, len, dmg, &copy, &n, err) != 0)
        return -1;
    pl_err why;
    int fd = hive_memfd(copy, n, 1, &why);
    free(copy);
    if (fd < 0 || hivex_open_fd(fd, HIVEX_OPEN_UNSAFE, hive, &why) != 0) {
        size_t used = strlen(err->msg);
        snprintf(err->msg + used, sizeof err->msg - used,
                 "; a salvage of the %llu bytes of usable hive bins failed too (%s)",
                 (unsigned long long)dmg->keep, why.msg);
        return -1;
    }
    hive->salvaged = 1;
    hive->salvage_lost = dmg->keep < dmg->bins || dmg->ngaps > 0;
    pl_hive_salvage_detail(len, dmg, hive->salvage, sizeof hive->salvage);
    return 0;
}

static int open_mem(const uint8_t *data, size_t len, int consume, pl_hive *hive, pl_err *err);

int pl_hive_open_mem(const uint8_t *data, size_t len, pl_hive *hive, pl_err *err)
{
    return open_mem(data, len, 0, hive, err);
}

int pl_hive_open_mem_consume(uint8_t *data, size_t len, pl_hive *hive, pl_err *err)
{
    return open_mem(data, len, 1, hive, err);
}

/* Damage is looked for before hivex opens the hive: hivex 1.3.23 itself
 * opens a hive cut at a bin boundary (it walks the bins the file holds,
 * not the size the base block gives), which would silently lose the keys
 * cut off. The walk reads one header per bin (21,000 for a 90 MB
 * SOFTWARE) in the buffer the hive was read into, before it is copied to
 * the in-memory file: the sources fill large buffers made present first,
 * in huge pages where the system allows (pl_xmalloc_for_read), so the walk
 * costs 4 ms. A mapping of the in-memory file, used before, cost 70-100 ms
 * of page faults for that hive (bench/bench-server.sh). */
static int open_mem(const uint8_t *data, size_t len, int consume, pl_hive *hive, pl_err *err)
{
    memset(hive, 0, sizeof *hive);
    hive->memfd = -1;
    if (len < 4 || memcmp(data, "regf", 4) != 0) {
        pl_err_setc(err, PL_ERR_UNRECOGNIZED, "not a registry hive (no regf header)");
        return -1;
    }
    if (len < BASE_BLOCK + HBIN_ALIGN) {
        pl_err_setc(err, PL_ERR_TRUNCATED,
                    "truncated: the file is %zu bytes, too short for a base block and a "
                    "hive bin (8192 bytes)",
                    len);
        return -1;
    }
    pl_hive_damage dmg;
    if (pl_hive_find_damage(data, len, &dmg, err))
        return salvage_open(data, len, &dmg, hive, err);
    int fd = hive_memfd(data, len, consume, err);
    if (fd < 0)
        return -1;
    return hivex_open_fd(fd, 0, hive, err);
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

char *pl_hive_string_at(pl_hive *hive, hive_value_h v)
{
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

int pl_hive_dword_at(pl_hive *hive, hive_value_h v, uint32_t *out)
{
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

char *pl_hive_string(pl_hive *hive, hive_node_h node, const char *name)
{
    return node ? pl_hive_string_at(hive, hivex_node_get_value(hive->h, node, name)) : NULL;
}

int pl_hive_dword(pl_hive *hive, hive_node_h node, const char *name, uint32_t *out)
{
    return node ? pl_hive_dword_at(hive, hivex_node_get_value(hive->h, node, name), out) : 0;
}

/* hivex_node_get_value (hivex 1.3.23 lib/value.c) lists the node's values
 * and decodes each name until one matches (strcasecmp), for every name
 * asked: 8 names of 8,000 packages made 4% of a server's run. This is the
 * same answer in one pass, the unreadable name included: it ends the
 * search there, as it makes hivex_node_get_value fail. */
void pl_hive_values(pl_hive *hive, hive_node_h node, const char *const names[], size_t n,
                    hive_value_h out[])
{
    memset(out, 0, n * sizeof *out);
    hive_value_h *values = node ? hivex_node_values(hive->h, node) : NULL;
    if (!values)
        return;
    size_t missing = n;
    for (size_t i = 0; values[i] && missing; i++) {
        char *key = hivex_value_key(hive->h, values[i]);
        if (!key)
            break;
        for (size_t k = 0; k < n; k++)
            if (!out[k] && strcasecmp(key, names[k]) == 0) {
                out[k] = values[i];
                missing--;
            }
        free(key);
    }
    free(values);
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
