/* Registry hives built inside a unit test: an empty hive (a fixture hive
 * with its root's subkeys deleted) filled through hivex's write API, then
 * committed and opened from memory with pl_hive_open_mem like any hive
 * read from an image. Values may be of any type and hold any bytes, so
 * tests can make wrong types, broken UTF-16 and too many entries. */
#ifndef PL_HIVE_BUILDER_H
#define PL_HIVE_BUILDER_H

#include <check.h>
#include <hivex.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evidence/hive.h"
#include "evidence/reg_read.h"

typedef struct {
    hive_h *h;
    char path[64];
} hb;

static inline void hb_copy_file(const char *from, int to_fd)
{
    FILE *in = fopen(from, "rb");
    ck_assert_msg(in != NULL, "cannot open %s (PL_FIXTURES)", from);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        ck_assert_int_eq(write(to_fd, buf, n), (ssize_t)n);
    fclose(in);
}

/* An empty hive, open for writing. */
static inline hb *hb_new(void)
{
    const char *fix = getenv("PL_FIXTURES");
    ck_assert_msg(fix != NULL, "PL_FIXTURES not set");
    char base[4096];
    snprintf(base, sizeof base, "%s/trees/ws2008-6003-rollups/Windows/System32/config/SYSTEM",
             fix);
    hb *b = calloc(1, sizeof *b);
    snprintf(b->path, sizeof b->path, "/tmp/pl-hb-XXXXXX");
    int fd = mkstemp(b->path);
    ck_assert_int_ge(fd, 0);
    hb_copy_file(base, fd);
    close(fd);
    b->h = hivex_open(b->path, HIVEX_OPEN_WRITE);
    ck_assert_ptr_nonnull(b->h);
    hive_node_h root = hivex_root(b->h);
    hive_node_h *kids = hivex_node_children(b->h, root);
    for (size_t i = 0; kids && kids[i]; i++)
        ck_assert_int_eq(hivex_node_delete_child(b->h, kids[i]), 0);
    free(kids);
    return b;
}

/* The key at a '\'-separated path, created as needed. */
static inline hive_node_h hb_key(hb *b, const char *path)
{
    hive_node_h node = hivex_root(b->h);
    char *copy = strdup(path), *save = NULL;
    for (char *c = strtok_r(copy, "\\", &save); c; c = strtok_r(NULL, "\\", &save)) {
        hive_node_h next = hivex_node_get_child(b->h, node, c);
        if (!next)
            next = hivex_node_add_child(b->h, node, c);
        ck_assert_msg(next != 0, "cannot add key %s", c);
        node = next;
    }
    free(copy);
    return node;
}

static inline void hb_raw(hb *b, const char *path, const char *name, hive_type t, const void *data,
                   size_t len)
{
    hive_set_value v = {(char *)name, t, len, (char *)data};
    ck_assert_int_eq(hivex_node_set_value(b->h, hb_key(b, path), &v, 0), 0);
}

/* UTF-8 -> UTF-16LE with a terminating NUL; *len gets the bytes. */
static inline char *hb_utf16(const char *s, size_t *len)
{
    iconv_t cd = iconv_open("UTF-16LE", "UTF-8");
    size_t inleft = strlen(s), outcap = inleft * 4 + 4, outleft = outcap;
    char *out = calloc(1, outcap), *in = (char *)s, *o = out;
    ck_assert(iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1);
    iconv_close(cd);
    *len = outcap - outleft + 2;
    return out;
}

static inline void hb_sz(hb *b, const char *path, const char *name, const char *s)
{
    size_t len;
    char *u = hb_utf16(s, &len);
    hb_raw(b, path, name, hive_t_REG_SZ, u, len);
    free(u);
}

static inline void hb_dword(hb *b, const char *path, const char *name, uint32_t v)
{
    uint8_t le[4] = {v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24};
    hb_raw(b, path, name, hive_t_REG_DWORD, le, 4);
}

/* items separated by '|' */
static inline void hb_multi_sz(hb *b, const char *path, const char *name, const char *items)
{
    char *all = malloc(strlen(items) * 4 + 8);
    size_t used = 0;
    char *copy = strdup(items), *save = NULL;
    for (char *c = strtok_r(copy, "|", &save); c; c = strtok_r(NULL, "|", &save)) {
        size_t len;
        char *u = hb_utf16(c, &len);
        memcpy(all + used, u, len);
        used += len;
        free(u);
    }
    all[used++] = 0;
    all[used++] = 0;
    hb_raw(b, path, name, hive_t_REG_MULTI_SZ, all, used);
    free(all);
    free(copy);
}

/* Commit, close, and open the result from memory into *out. */
static inline void hb_finish(hb *b, pl_hive *out)
{
    ck_assert_int_eq(hivex_commit(b->h, NULL, 0), 0);
    hivex_close(b->h);
    FILE *f = fopen(b->path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    uint8_t *data = malloc((size_t)n);
    ck_assert_int_eq(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    unlink(b->path);
    pl_err err;
    ck_assert_msg(pl_hive_open_mem(data, (size_t)n, out, &err) == 0, "%s", err.msg);
    free(data);
    free(b);
}

#endif
