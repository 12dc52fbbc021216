/* qcow2 (QEMU copy-on-write, version 2 and 3; version 1 is left to
 * libqcow): read through libqcow as a layer, TSK has no qcow support.
 * An overlay names its backing file, with no identifier to check. */
#include <libqcow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/container.h"
#include "util/limits.h"

static int qcow_bid(const pl_container_bytes *b)
{
    return b->head_len >= 4 && memcmp(b->head, "QFI\xfb", 4) == 0 ? PL_BID_SIGNATURE
                                                                   : PL_BID_NONE;
}

/* Header, backing file name, L1 table, refcount table and every L2 table the
 * L1 table names. Data clusters are not looked at here. */
static int check_qcow(const pl_cfile *f, pl_err *err)
{
    uint8_t h[104];
    if (pl_cfile_need(f, 0, 72, "the header", err) != 0 || pl_cfile_read(f, 0, h, 72, err) != 0)
        return -1;
    uint32_t version = pl_be32(h + 4);
    if (version == 3) {
        if (pl_cfile_need(f, 0, 104, "the header", err) != 0 || pl_cfile_read(f, 0, h, 104, err) != 0)
            return -1;
        uint32_t hlen = pl_be32(h + 100);
        if (pl_cfile_need(f, 0, hlen, "the header", err) != 0)
            return -1;
    } else if (version != 2) {
        return 0;   /* qcow version 1: left to libqcow */
    }
    uint32_t cluster_bits = pl_be32(h + 20);
    if (cluster_bits < 9 || cluster_bits > 21) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the header gives an invalid cluster size (2^%u bytes)", cluster_bits);
        return -1;
    }
    uint64_t cluster = 1ull << cluster_bits;
    uint64_t backing = pl_be64(h + 8);
    uint32_t backing_len = pl_be32(h + 16);
    if (backing && pl_cfile_need(f, backing, backing_len, "the backing file name", err) != 0)
        return -1;
    uint32_t l1_size = pl_be32(h + 36);
    uint64_t l1_off = pl_be64(h + 40);
    uint64_t rc_off = pl_be64(h + 48);
    uint32_t rc_clusters = pl_be32(h + 56);
    if (pl_cfile_need(f, rc_off, (uint64_t)rc_clusters * cluster, "the refcount table", err) != 0 ||
        pl_cfile_need(f, l1_off, (uint64_t)l1_size * 8, "the L1 table", err) != 0)
        return -1;
    uint8_t buf[PL_CFILE_CHUNK];
    for (uint64_t i = 0; i < l1_size; i += PL_CFILE_CHUNK / 8) {
        size_t n = (size_t)((l1_size - i) < PL_CFILE_CHUNK / 8 ? (l1_size - i) : PL_CFILE_CHUNK / 8);
        if (pl_cfile_read(f, l1_off + i * 8, buf, n * 8, err) != 0)
            return -1;
        for (size_t k = 0; k < n; k++) {
            uint64_t l2 = pl_be64(buf + 8 * k) & 0x00FFFFFFFFFFFE00ull;
            if (!l2)
                continue;
            char what[64];
            snprintf(what, sizeof what, "the L2 table of L1 entry %llu",
                     (unsigned long long)(i + k));
            if (pl_cfile_need(f, l2, cluster, what, err) != 0)
                return -1;
        }
    }
    return 0;
}

/* ---- why a read failed ---------------------------------------------------- */

/* The L2 entry of a failed read's cluster (see pl_cfile_explain). 1 when a
 * reason was found (err set), 0 when not. */
static int qcow_explain(const pl_cfile *f, uint64_t off, pl_err *err)
{
    uint8_t h[72], e[8];
    if (!pl_range_ok(0, 72, f->size) || pl_cfile_read(f, 0, h, 72, err) != 0)
        return 0;
    uint32_t cluster_bits = pl_be32(h + 20), l1_size = pl_be32(h + 36);
    if (cluster_bits < 9 || cluster_bits > 21)
        return 0;
    uint64_t cluster = 1ull << cluster_bits, l1_off = pl_be64(h + 40);
    unsigned l2_bits = cluster_bits - 3;
    uint64_t l1_index = off >> (cluster_bits + l2_bits);
    uint64_t l2_index = (off >> cluster_bits) & ((1ull << l2_bits) - 1);
    if (l1_index >= l1_size || !pl_range_ok(l1_off + 8 * l1_index, 8, f->size) ||
        pl_cfile_read(f, l1_off + 8 * l1_index, e, 8, err) != 0)
        return 0;
    uint64_t l2 = pl_be64(e) & 0x00FFFFFFFFFFFE00ull;
    if (!l2 || !pl_range_ok(l2 + 8 * l2_index, 8, f->size) ||
        pl_cfile_read(f, l2 + 8 * l2_index, e, 8, err) != 0)
        return 0;
    uint64_t entry = pl_be64(e), start, len;
    if (entry & (1ull << 62)) {
        /* compressed: offset in the low bits, then extra 512-byte sectors */
        unsigned x = 62 - (cluster_bits - 8);
        start = entry & ((1ull << x) - 1);
        uint64_t sectors = ((entry >> x) & ((1ull << (cluster_bits - 8)) - 1)) + 1;
        len = sectors * 512 - (start & 511);
    } else {
        start = entry & 0x00FFFFFFFFFFFE00ull;
        len = cluster;
        if (!start)
            return 0;
    }
    if (pl_range_ok(start, len, f->size))
        return 0;
    pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: the file is %llu bytes, but the %scluster for that offset lies "
                    "at bytes %llu-%llu",
               (unsigned long long)f->size, (entry & (1ull << 62)) ? "compressed " : "",
               (unsigned long long)start, (unsigned long long)(start + len - 1));
    return 1;
}

static int qcow_explain_file(const char *path, uint64_t off, pl_err *err)
{
    return pl_cfile_explain(path, off, qcow_explain, err);
}

static int qcow_check_file(const char *path, pl_err *err)
{
    return pl_cfile_check(path, check_qcow, err);
}

/* ---- the layer ---------------------------------------------------------- */

static int open_qcow(pl_layer *l, pl_err *err)
{
    libqcow_error_t *e = NULL;
    libqcow_file_t *f = NULL;
    size64_t size = 0;
    if (libqcow_file_initialize(&f, &e) != 1 ||
        libqcow_file_open(f, l->path, LIBQCOW_OPEN_READ, &e) != 1 ||
        libqcow_file_get_media_size(f, &size, &e) != 1) {
        PL_LIBYAL_ERR(libqcow, e, err, "cannot open the qcow2 image");
        libqcow_file_free(&f, NULL);
        return -1;
    }
    l->h = f;
    l->size = size;
    return 0;
}

static ssize_t qcow_read(pl_layer *l, uint64_t off, void *buf, size_t len, pl_err *err)
{
    libqcow_error_t *e = NULL;
    ssize_t r = libqcow_file_read_buffer_at_offset(l->h, buf, len, (off64_t)off, &e);
    if (r < 0)
        PL_LIBYAL_ERR(libqcow, e, err, "qcow2");
    return r;
}

static int qcow_hint(pl_layer *l, pl_parent_hint *hint, pl_err *err)
{
    (void)err;
    char *name = pl_libyal_utf8_name((void *)libqcow_file_get_utf8_backing_filename_size,
                           (void *)libqcow_file_get_utf8_backing_filename, l->h);
    if (!name)
        return 0;
    pl_strlist_push_owned(&hint->names, name);
    return 1;
}


/* A qcow2 overlay records its backing file by name only: no identifier
 * to check (qemu docs/interop/qcow2.txt, "backing_file_offset"). So a
 * candidate must carry that name (its base name, the directory may have
 * moved); a --parent of another name is taken only when it is the only
 * one given and its virtual size is the overlay's (qemu-img rebase -u
 * makes such pairs). 1 accepted, 0 refused with why set. */
static int qcow_parent_ok(const pl_layer *child, const pl_parent_hint *hint, const pl_layer *p,
                          const pl_strlist *parents, char *why, size_t n)
{
    char *want = pl_posix_path(hint->names.len ? hint->names.items[0] : "");
    const char *wb = strrchr(want, '/') ? strrchr(want, '/') + 1 : want;
    const char *pb = strrchr(p->path, '/') ? strrchr(p->path, '/') + 1 : p->path;
    int ok = strcmp(wb, pb) == 0;
    int alone = parents && parents->len == 1 && strcmp(parents->items[0], p->path) == 0;
    if (!ok && alone && p->size == child->size)
        ok = 1;
    else if (!ok && !alone)
        snprintf(why, n, "the overlay's backing file is \"%s\", this file has another name "
                         "(and is not the only --parent given)",
                 hint->names.len ? hint->names.items[0] : "");
    else if (!ok)
        snprintf(why, n, "the overlay's backing file is \"%s\", this file has another name "
                         "and a virtual size of %llu bytes, not the overlay's %llu",
                 hint->names.len ? hint->names.items[0] : "", (unsigned long long)p->size,
                 (unsigned long long)child->size);
    free(want);
    return ok;
}


static int qcow_attach(pl_layer *child, pl_layer *parent)
{
    return libqcow_file_set_parent_file(child->h, parent->h, NULL) == 1 ? 0 : -1;
}

static void qcow_close(pl_layer *l)
{
    libqcow_file_close(l->h, NULL);
    libqcow_file_free((libqcow_file_t **)&l->h, NULL);
}

const pl_container_ops pl_container_qcow = {
    .name = "qcow2",
    .library = "libqcow",
    .bid = qcow_bid,
    .check = qcow_check_file,
    .tsk_type = TSK_IMG_TYPE_UNSUPP,
    .open = open_qcow,
    .read = qcow_read,
    .parent_hint = qcow_hint,
    .parent_ok = qcow_parent_ok,
    .attach = qcow_attach,
    .close = qcow_close,
    .explain = qcow_explain_file,
};
