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

#include "evidence/hive_salvage.h"
#include "util/limits.h"

#define BASE_BLOCK 4096u
#define HBIN_ALIGN 4096u

/* Hand a buffer to hivex through an anonymous in-memory file (hivex opens
 * by name only). 0 ok (hive->h, hive->memfd set), -1 with err set. */
static int hivex_open_mem(const uint8_t *data, size_t len, int flags, pl_hive *hive,
                          pl_err *err)
{
    int fd = memfd_create("patchlevel-hive", MFD_CLOEXEC);
    if (fd < 0) {
        pl_err_setc(err, PL_ERR_RESOURCES, "cannot create an in-memory file: %s",
                    strerror(errno));
        return -1;
    }
    if (pl_write_all(fd, data, len) != 0) {
        pl_err_setc(err, PL_ERR_RESOURCES, "cannot fill an in-memory file: %s",
                    strerror(errno));
        close(fd);
        return -1;
    }
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
 * skipped instead of failing the whole list. err holds the damage found;
 * on failure the reason the salvage failed is added to it. */
static int salvage_open(const uint8_t *data, size_t len, const pl_hive_damage *dmg,
                        pl_hive *hive, pl_err *err)
{
    uint8_t *copy;
    size_t n;
    if (pl_hive_salvage_copy(data, len, dmg, &copy, &n, err) != 0)
        return -1;
    pl_err why;
    int rc = hivex_open_mem(copy, n, HIVEX_OPEN_UNSAFE, hive, &why);
    free(copy);
    if (rc != 0) {
        size_t used = strlen(err->msg);
        snprintf(err->msg + used, sizeof err->msg - used,
                 "; a salvage of the %llu bytes of usable hive bins failed too (%s)",
                 (unsigned long long)dmg->keep, why.msg);
        return -1;
    }
    hive->salvaged = 1;
    pl_hive_salvage_detail(len, dmg, hive->salvage, sizeof hive->salvage);
    return 0;
}

int pl_hive_open_mem(const uint8_t *data, size_t len, pl_hive *hive, pl_err *err)
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
    /* Damage is looked for first: hivex 1.3.23 itself opens a hive cut at
     * a bin boundary (it walks the bins the file holds, not the size the
     * base block gives), which would silently lose the keys cut off. */
    pl_hive_damage dmg;
    if (!pl_hive_find_damage(data, len, &dmg, err))
        return hivex_open_mem(data, len, 0, hive, err);
    return salvage_open(data, len, &dmg, hive, err);
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

size_t pl_hive_multi_sz_count(pl_hive *hive, hive_node_h node, const char *name)
{
    if (!node)
        return 0;
    hive_value_h v = hivex_node_get_value(hive->h, node, name);
    if (!v)
        return 0;
    char **items = hivex_value_multiple_strings(hive->h, v);
    if (!items)
        return 0;
    size_t n = 0;
    for (size_t i = 0; items[i] && i < PL_MAX_MULTI_SZ_ITEMS; i++)
        if (items[i][0])
            n++;
    for (size_t i = 0; items[i]; i++)
        free(items[i]);
    free(items);
    return n;
}

size_t pl_hive_entry_count(pl_hive *hive, hive_node_h node)
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
    hive_value_h *vals = hivex_node_values(hive->h, node);
    if (vals) {
        size_t m = 0;
        while (vals[m])
            m++;
        n += m;
        free(vals);
    }
    return n;
}
