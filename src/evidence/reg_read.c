#include "evidence/reg_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/limits.h"

const char *pl_reg_type_name(hive_type t)
{
    static const char *const names[] = {"REG_NONE",   "REG_SZ",    "REG_EXPAND_SZ",
                                        "REG_BINARY", "REG_DWORD", "REG_DWORD_BIG_ENDIAN",
                                        "REG_LINK",   "REG_MULTI_SZ"};
    if ((unsigned)t < sizeof names / sizeof *names)
        return names[t];
    return t == hive_t_REG_QWORD ? "REG_QWORD" : "a value of an unknown type";
}

/* The value handle, its type and length: 1, 0 absent, -1 (*why set). */
static int lookup(pl_hive *hive, hive_node_h node, const char *name, hive_value_h *v,
                  hive_type *t, size_t *len, char **why)
{
    *why = NULL;
    if (!node)
        return 0;
    *v = hivex_node_get_value(hive->h, node, name);
    if (!*v)
        return 0;
    if (hivex_value_type(hive->h, *v, t, len) != 0) {
        *why = pl_xasprintf("value %s could not be read: %s", name, strerror(errno));
        return -1;
    }
    return 1;
}

int pl_reg_sz(pl_hive *hive, hive_node_h node, const char *name, char **out, char **why)
{
    hive_value_h v;
    hive_type t;
    size_t len;
    *out = NULL;
    int rc = lookup(hive, node, name, &v, &t, &len, why);
    if (rc <= 0)
        return rc;
    if (t != hive_t_REG_SZ && t != hive_t_REG_EXPAND_SZ) {
        *why = pl_xasprintf("value %s is %s, not a string", name, pl_reg_type_name(t));
        return -1;
    }
    if (len > PL_MAX_REG_STRING_BYTES) {
        *why = pl_xasprintf("value %s is %zu bytes, more than the limit of %d", name, len,
                            PL_MAX_REG_STRING_BYTES);
        return -1;
    }
    errno = 0;
    *out = hivex_value_string(hive->h, v);
    if (!*out) {
        *why = pl_xasprintf("value %s could not be decoded: %s", name,
                            errno ? strerror(errno) : "unknown error");
        return -1;
    }
    return 1;
}

void pl_reg_strv_free(char **items)
{
    if (!items)
        return;
    for (size_t i = 0; items[i]; i++)
        free(items[i]);
    free(items);
}

int pl_reg_multi_sz(pl_hive *hive, hive_node_h node, const char *name, size_t max,
                    char ***items, size_t *count, char **why)
{
    hive_value_h v;
    hive_type t;
    size_t len;
    *items = NULL;
    *count = 0;
    int rc = lookup(hive, node, name, &v, &t, &len, why);
    if (rc <= 0)
        return rc;
    if (t != hive_t_REG_MULTI_SZ) {
        *why = pl_xasprintf("value %s is %s, not a REG_MULTI_SZ", name, pl_reg_type_name(t));
        return -1;
    }
    if (len > PL_MAX_REG_STRING_BYTES) {
        *why = pl_xasprintf("value %s is %zu bytes, more than the limit of %d", name, len,
                            PL_MAX_REG_STRING_BYTES);
        return -1;
    }
    errno = 0;
    char **all = hivex_value_multiple_strings(hive->h, v);
    if (!all) {
        *why = pl_xasprintf("value %s could not be decoded: %s", name,
                            errno ? strerror(errno) : "unknown error");
        return -1;
    }
    /* Keep the non-empty strings, in place. */
    size_t n = 0;
    for (size_t i = 0; all[i]; i++) {
        if (all[i][0])
            all[n++] = all[i];
        else
            free(all[i]);
    }
    all[n] = NULL;
    if (n > max) {
        *why = pl_xasprintf("value %s holds %zu strings, more than the limit of %zu", name, n,
                            max);
        pl_reg_strv_free(all);
        return -1;
    }
    *items = all;
    *count = n;
    return 1;
}

int pl_reg_binary(pl_hive *hive, hive_node_h node, const char *name, uint8_t *out, size_t want,
                  char **why)
{
    hive_value_h v;
    hive_type t;
    size_t len;
    int rc = lookup(hive, node, name, &v, &t, &len, why);
    if (rc <= 0)
        return rc;
    if (t != hive_t_REG_BINARY || len != want) {
        *why = pl_xasprintf("value %s is %s of %zu bytes, not REG_BINARY of %zu", name,
                            pl_reg_type_name(t), len, want);
        return -1;
    }
    hive_type t2;
    size_t len2;
    char *data = hivex_value_value(hive->h, v, &t2, &len2);
    if (!data || len2 != want) {
        *why = pl_xasprintf("value %s could not be read", name);
        free(data);
        return -1;
    }
    memcpy(out, data, want);
    free(data);
    return 1;
}

hive_node_h pl_reg_child(pl_hive *hive, hive_node_h node, const char *path)
{
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
