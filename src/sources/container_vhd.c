/* VHD (Virtual PC / Hyper-V): fixed disks (raw data and a footer at the
 * end) are read by TSK natively; dynamic and differencing disks (.avhd)
 * by our own block lookup (vhd_dynamic.h: libvhdi's is linear per read and
 * misreads a differencing disk's sector bitmaps), a differencing disk
 * reading what it lacks from its parent, found by our own reader of the
 * parent locators (vhd_locators.c). libvhdi opens every dynamic and
 * differencing file (identifiers, parent hints) and reads it when our
 * setup declines it. Dynamic and differencing disks are checked against
 * the file size first. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/container.h"
#include "sources/vhd_dynamic.h"
#include "util/limits.h"

/* The footer copy at 0 (dynamic, differencing) or, for a fixed disk, the
 * footer alone at the end: a weaker sign, any signature at 0 wins. */
static int vhd_bid(const pl_container_bytes *b)
{
    if (b->head_len >= 8 && memcmp(b->head, "conectix", 8) == 0)
        return PL_BID_SIGNATURE;
    if (b->tail && memcmp(b->tail, "conectix", 8) == 0)
        return PL_BID_TRAILER;
    return PL_BID_NONE;
}

/* ---- the structures against the file size ------------------------------ */

/* Fixed VHDs are raw data plus a footer and are read by TSK as such;
 * dynamic and differencing ones carry a copy of the footer at 0, a dynamic
 * header and a block allocation table (big-endian sector numbers, 0xFFFFFFFF
 * = not allocated); each block is a sector bitmap followed by the data. */
static int check_vhd(const pl_cfile *f, pl_err *err)
{
    uint8_t foot[512], dyn[1024];
    if (pl_cfile_need(f, 0, 512, "the footer copy at the start of the file", err) != 0 ||
        pl_cfile_read(f, 0, foot, 512, err) != 0)
        return -1;
    if (memcmp(foot, "conectix", 8) != 0)
        return 0;   /* a fixed VHD: footer only at the end, found by detection */
    uint32_t type = pl_be32(foot + 60);
    if (type != 3 && type != 4)
        return 0;   /* fixed (2): no dynamic header */
    uint8_t tail[512];
    if (f->size < 1024 || pl_cfile_read(f, f->size - 512, tail, 512, err) != 0 ||
        memcmp(tail, "conectix", 8) != 0) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: the footer at the end of the file is missing (the file is "
                        "%llu bytes)", (unsigned long long)f->size);
        return -1;
    }
    uint64_t dyn_off = pl_be64(foot + 16);
    if (pl_cfile_need(f, dyn_off, sizeof dyn, "the dynamic disk header", err) != 0 ||
        pl_cfile_read(f, dyn_off, dyn, sizeof dyn, err) != 0)
        return -1;
    if (memcmp(dyn, "cxsparse", 8) != 0) {
        pl_err_setc(err, PL_ERR_CORRUPT, "no dynamic disk header (\"cxsparse\") at offset %llu",
                   (unsigned long long)dyn_off);
        return -1;
    }
    uint64_t bat_off = pl_be64(dyn + 16);
    uint32_t entries = pl_be32(dyn + 28), block = pl_be32(dyn + 32);
    if (block < 512 || block % 512 != 0) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the dynamic disk header gives an invalid block size of %u bytes", block);
        return -1;
    }
    if (pl_cfile_need(f, bat_off, (uint64_t)entries * 4, "the block allocation table", err) != 0)
        return -1;
    /* A block: its sector bitmap (one bit per sector, padded to a sector),
     * then the data; all before the footer. */
    uint64_t bitmap = (((uint64_t)block / 512 + 7) / 8 + 511) / 512 * 512;
    uint64_t data_end = f->size - 512;
    uint8_t buf[PL_CFILE_CHUNK];
    for (uint64_t i = 0; i < entries; i += PL_CFILE_CHUNK / 4) {
        size_t n = (size_t)((entries - i) < PL_CFILE_CHUNK / 4 ? (entries - i) : PL_CFILE_CHUNK / 4);
        if (pl_cfile_read(f, bat_off + i * 4, buf, n * 4, err) != 0)
            return -1;
        for (size_t k = 0; k < n; k++) {
            uint32_t sector = pl_be32(buf + 4 * k);
            if (sector == 0xFFFFFFFFu)
                continue;
            uint64_t start = (uint64_t)sector * 512;
            if (!pl_range_ok(start, bitmap + block, data_end)) {
                pl_err_setc(err, PL_ERR_TRUNCATED,
                           "block allocation table entry %llu points past the end of the file "
                           "(block at bytes %llu-%llu, the data ends before byte %llu)",
                           (unsigned long long)(i + k), (unsigned long long)start,
                           (unsigned long long)(start + bitmap + block - 1),
                           (unsigned long long)data_end);
                return -1;
            }
        }
    }
    return 0;
}

static int vhd_check_file(const char *path, pl_err *err)
{
    return pl_cfile_check(path, check_vhd, err);
}

/* ---- our own reads of a dynamic VHD -------------------------------------- */

/* A dynamic or differencing VHD (a footer copy at 0; a fixed VHD has its
 * footer only at the end)? Read by us or by libvhdi as a layer. */
static int vhd_is_dynamic(const char *path)
{
    uint8_t head[8] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t got = pread(fd, head, sizeof head, 0);
    close(fd);
    return got == (ssize_t)sizeof head && memcmp(head, "conectix", 8) == 0;
}

/* The state of our own reads (vhd_dynamic.h), l->priv; NULL: libvhdi
 * reads the file. */
typedef struct {
    int fd;
    pl_vhd_geometry g;
    uint32_t *bat;
    uint64_t file_end;       /* where block data must end: the footer */
    uint64_t bitmap_block;   /* the block whose bitmap is in bitmap */
    uint8_t *bitmap;
} vhd_dyn;

/* Set up our own reads of a dynamic or differencing VHD (see
 * vhd_dynamic.h); anything else,
 * or anything unexpected, stays with libvhdi (l->priv NULL). libvhdi opened
 * and the module's check checked the file already. */
static void open_vhd_dynamic(pl_layer *l)
{
    int fd = open(l->path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    uint8_t foot[512], dyn[1024];
    uint64_t dyn_off = 0;
    const char *why = NULL;
    pl_vhd_geometry g;
    if (fd < 0)
        return;
    if (fstat(fd, &sb) != 0 || sb.st_size < 1024 ||
        pread(fd, foot, 512, sb.st_size - 512) != 512 ||
        pl_vhd_parse(foot, NULL, (uint64_t)sb.st_size, &dyn_off, &g, &why) != 0 ||
        !pl_range_ok(dyn_off, sizeof dyn, (uint64_t)sb.st_size) ||
        pread(fd, dyn, sizeof dyn, (off_t)dyn_off) != (ssize_t)sizeof dyn ||
        pl_vhd_parse(foot, dyn, (uint64_t)sb.st_size, &dyn_off, &g, &why) != 0 ||
        g.media_size != l->size) {
        close(fd);
        return;
    }
    size_t n = (size_t)g.entries * 4;
    uint8_t *raw = pl_xmalloc(n ? n : 1);
    if (pread(fd, raw, n, (off_t)g.bat_offset) != (ssize_t)n) {
        free(raw);
        close(fd);
        return;
    }
    vhd_dyn *d = pl_xcalloc(1, sizeof *d);
    d->bat = pl_xmalloc((n ? n : 1));
    for (uint32_t i = 0; i < g.entries; i++)
        d->bat[i] = (uint32_t)raw[4 * i] << 24 | (uint32_t)raw[4 * i + 1] << 16 |
                        (uint32_t)raw[4 * i + 2] << 8 | raw[4 * i + 3];
    free(raw);
    d->g = g;
    d->file_end = (uint64_t)sb.st_size - 512;
    d->bitmap = pl_xmalloc(g.bitmap_bytes);
    d->bitmap_block = UINT64_MAX;
    d->fd = fd;
    l->priv = d;
}

/* What the file lacks at [at, at + n): zeros on a dynamic disk, the
 * parent's bytes on a differencing one. 0, or -1 with err. */
static int read_absent(pl_layer *l, const vhd_dyn *d, uint64_t at, uint8_t *buf, size_t n,
                       pl_err *err)
{
    if (!d->g.differencing) {
        memset(buf, 0, n);
        return 0;
    }
    if (!l->parent) {
        pl_err_setc(err, PL_ERR_PARENT_MISSING, "VHD: a differencing disk read without its parent");
        return -1;
    }
    ssize_t got = l->parent->ops->read(l->parent, at, buf, n, err);
    if (got < 0)
        return -1;
    /* a parent shorter than its child: what lies past its end is zeros */
    if ((size_t)got < n)
        memset(buf + got, 0, n - (size_t)got);
    return 0;
}

/* Read from a dynamic or differencing VHD set up by open_vhd_dynamic: len
 * bytes, or -1 with err (a short read of the file: damage or truncation;
 * or the parent's read failed). */
static ssize_t read_vhd_dynamic(pl_layer *l, uint64_t off, uint8_t *buf, size_t len, pl_err *err)
{
    vhd_dyn *d = l->priv;
    size_t done = 0;
    while (done < len) {
        uint64_t at = off + done;
        const pl_vhd_geometry *g = &d->g;
        uint64_t block = at / g->block_size;
        const uint8_t *bitmap = NULL;
        if (block < g->entries && d->bat[block] != 0xFFFFFFFFu) {
            if (d->bitmap_block != block) {
                uint64_t boff = (uint64_t)d->bat[block] * 512;
                d->bitmap_block = UINT64_MAX;
                if (!pl_range_ok(boff, g->bitmap_bytes, d->file_end) ||
                    pread(d->fd, d->bitmap, g->bitmap_bytes, (off_t)boff) !=
                        (ssize_t)g->bitmap_bytes) {
                    pl_err_setc(err, PL_ERR_TRUNCATED, "VHD: cannot read the sector bitmap of block %llu",
                                (unsigned long long)block);
                    return -1;
                }
                d->bitmap_block = block;
            }
            bitmap = d->bitmap;
        }
        uint64_t foff = 0;
        size_t n = pl_vhd_map(g, d->bat, bitmap, d->file_end, at, len - done, &foff);
        if (n == 0)
            break;   /* past the end of the disk: a short read */
        if (foff == UINT64_MAX) {
            if (read_absent(l, d, at, (uint8_t *)buf + done, n, err) != 0)
                return -1;
        } else if (pread(d->fd, buf + done, n, (off_t)foff) != (ssize_t)n) {
            pl_err_setc(err, PL_ERR_TRUNCATED, "VHD: cannot read %zu bytes at file offset %llu", n,
                        (unsigned long long)foff);
            return -1;
        }
        done += n;
    }
    return (ssize_t)done;
}

static int vhd_open(pl_layer *l, pl_err *err)
{
    if (pl_vhdi_open(l, err) != 0)
        return -1;
    open_vhd_dynamic(l);
    return 0;
}

/* Ours once open_vhd_dynamic set the file up; libvhdi otherwise. */
static ssize_t vhd_read(pl_layer *l, uint64_t off, void *buf, size_t len, pl_err *err)
{
    if (l->priv)
        return read_vhd_dynamic(l, off, buf, len, err);
    return pl_vhdi_read(l, off, buf, len, err);
}

static int vhd_parent_hint(pl_layer *l, pl_parent_hint *hint, pl_err *err)
{
    return pl_vhdi_parent_hint(l, hint, pl_vhd_parent_names, err);
}

static void vhd_close(pl_layer *l)
{
    vhd_dyn *d = l->priv;
    pl_vhdi_close(l);
    if (d) {
        close(d->fd);
        free(d->bat);
        free(d->bitmap);
        free(d);
        l->priv = NULL;
    }
}

const pl_container_ops pl_container_vhd = {
    .name = "vhd",
    .library = "libvhdi",
    .bid = vhd_bid,
    .check = vhd_check_file,
    .tsk_type = TSK_IMG_TYPE_VHD_VHD,
    .prefers_layer = vhd_is_dynamic,
    .open = vhd_open,
    .read = vhd_read,
    .parent_hint = vhd_parent_hint,
    .identity = pl_vhdi_identity,
    .attach = pl_vhdi_attach,
    .close = vhd_close,
};
