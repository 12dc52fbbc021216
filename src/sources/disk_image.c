/* Opening a disk container, detected by content (the registered modules
 * bid, container_registry.c), as one counted TSK image: natively through
 * TSK, or through the module's layers (disk_chain.c). Nothing here knows a
 * format: it asks the module's table (container.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/disk_internal.h"

void pl_disk_one_line(char *s)
{
    /* "\n" becomes "; ", one byte longer: writing over s while reading it
     * would overtake the reading and run past the caller's buffer. Read a
     * copy, and cut the result at the length s had (all the buffer is
     * known to hold). */
    size_t cap = strlen(s), n = 0;
    char *copy = pl_xstrdup(s);
    for (const char *p = copy; *p && n < cap; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\n') {
            /* "a.\nb" -> "a; b" */
            if (n && s[n - 1] == '.')
                n--;
            if (p[1] && n) {
                s[n++] = ';';
                if (n < cap)
                    s[n++] = ' ';
            }
        } else if (c < 0x20 || c == 0x7f) {
            s[n++] = ' ';
        } else {
            s[n++] = (char)c;
        }
    }
    free(copy);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '.'))
        n--;
    s[n] = '\0';
}

/* ---- the counting wrapper ----------------------------------------------- */

/* An external TSK image over either a TSK image or a libyal chain, counting
 * the bytes that the volume and filesystem code ask for. */
typedef struct {
    TSK_IMG_INFO base;         /* must be first: TSK casts to it */
    TSK_IMG_INFO *inner;       /* TSK-native image, or NULL */
    pl_layer *layer;           /* libyal chain, or NULL */
    char *path;                /* TSK-native: the image file, for explaining failures */
    const pl_container_ops *ops;
    uint64_t bytes_read;
    pl_read_faults faults;
    int have_sector0;
    uint8_t sector0[512];      /* see pl_disk_override_sector0 */
} counted_img;

/* Remember a failed read and leave its reason as TSK's error, so that the
 * filesystem code that asked reports it. */
static void record_fault(counted_img *c, TSK_OFF_T off, size_t len, const char *why)
{
    char msg[sizeof c->faults.last];
    snprintf(msg, sizeof msg, "%zu bytes at disk offset %lld: %.250s", len, (long long)off, why);
    if (c->faults.count++ == c->faults.reported)
        memcpy(c->faults.first, msg, sizeof msg);
    memcpy(c->faults.last, msg, sizeof msg);
    tsk_error_reset();
    tsk_error_set_errno(TSK_ERR_IMG_READ);
    tsk_error_set_errstr("%s", msg);
}

static ssize_t counted_read(TSK_IMG_INFO *img, TSK_OFF_T off, char *buf, size_t len)
{
    counted_img *c = (counted_img *)img;
    if (off < 0 || (uint64_t)off >= (uint64_t)img->size)
        return 0;
    if (len > (uint64_t)img->size - (uint64_t)off)
        len = (size_t)((uint64_t)img->size - (uint64_t)off);
    ssize_t r;
    pl_err e = {0};
    if (c->inner) {
        /* The inner image's own read, not tsk_img_read: TSK's cache of
         * this (outer) image already serves the small reads, and a second
         * cache underneath turned each read of a few KiB (a .mum read by
         * its runs) into a 64 KiB read of the file: 658 MB read from a
         * server's raw image for 160 MB asked (bench/bench-server.sh). */
        tsk_error_reset();
        r = c->inner->read(c->inner, off, buf, len);
        const char *te = tsk_error_get();
        pl_err_setc(&e, te ? PL_ERR_IO : PL_ERR_TRUNCATED, "%s", te ? te : "the image file ended early");
        pl_disk_one_line(e.msg);
        if (r != (ssize_t)len && c->path && c->ops->explain)
            c->ops->explain(c->path, (uint64_t)off, &e);
    } else {
        r = pl_layer_read(c->layer, (uint64_t)off, buf, len, &e);
        if (r >= 0 && r < (ssize_t)len)
            pl_err_setc(&e, PL_ERR_TRUNCATED, "the image file ended early");
    }
    if (r > 0)
        c->bytes_read += (uint64_t)r;
    /* Within the disk's size every byte exists: a short read is damage. */
    if (r != (ssize_t)len) {
        record_fault(c, off, len, e.msg[0] ? e.msg : "unknown error");
        return -1;
    }
    if (c->have_sector0 && off < 512) {
        size_t n = 512 - (size_t)off < len ? 512 - (size_t)off : len;
        memcpy(buf, c->sector0 + off, n);
    }
    return r;
}

void pl_disk_override_sector0(pl_disk *disk, const uint8_t sector0[512])
{
    counted_img *c = (counted_img *)disk->img;
    memcpy(c->sector0, sector0, 512);
    c->have_sector0 = 1;
    /* TSK caches what it read: drop the cached original sector. */
    for (int i = 0; i < TSK_IMG_INFO_CACHE_NUM; i++)
        c->base.cache_len[i] = 0;
}

static void counted_close(TSK_IMG_INFO *img)
{
    counted_img *c = (counted_img *)img;
    if (c->inner)
        tsk_img_close(c->inner);
    if (c->layer)
        pl_layer_close_chain(c->layer);
    free(c->path);
    free(c);
}

static void counted_imgstat(TSK_IMG_INFO *img, FILE *f)
{
    fprintf(f, "patchlevel counted image, %llu bytes read\n",
            (unsigned long long)((counted_img *)img)->bytes_read);
}

static int wrap(counted_img *c, uint64_t size, unsigned sector_size, pl_disk *disk, pl_err *err)
{
    TSK_IMG_INFO *img = tsk_img_open_external(c, (TSK_OFF_T)size, sector_size, counted_read,
                                              counted_close, counted_imgstat);
    if (!img) {
        pl_err_setc(err, PL_ERR_LIBRARY, "cannot set up the image reader: %s", tsk_error_get());
        counted_close(&c->base);
        return -1;
    }
    disk->img = img;
    disk->bytes_read = &c->bytes_read;
    disk->faults = &c->faults;
    return 0;
}

/* ---- opening ------------------------------------------------------------- */

static int open_native(const char *path, pl_disk *disk, pl_err *err)
{
    const pl_container_ops *ops = disk->ops;
    if (ops->segments)
        ops->segments(path, &disk->chain);
    else
        pl_strlist_push(&disk->chain, path);
    if (ops->check && ops->check(path, err) != 0) {
        pl_err_prefix(err, "cannot open the %s image", ops->name);
        return -1;
    }
    tsk_error_reset();
    TSK_IMG_INFO *inner = tsk_img_open_utf8_sing(path, ops->tsk_type, 0);
    if (!inner) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", tsk_error_get() ? tsk_error_get() : "unknown error");
        pl_disk_one_line(why);
        pl_err_setc(err, PL_ERR_LIBRARY, "cannot open the %s image: %s", ops->name, why);
        return -1;
    }
    counted_img *c = pl_xcalloc(1, sizeof *c);
    c->inner = inner;
    c->path = pl_xstrdup(path);
    c->ops = ops;
    return wrap(c, (uint64_t)inner->size, inner->sector_size, disk, err);
}

static int open_layers(const char *path, const pl_strlist *parents, pl_disk *disk, pl_err *err)
{
    pl_layer *layer = NULL;
    if (pl_layer_open_chain(path, disk->ops, parents, &layer, &disk->chain, err) != 0)
        return -1;
    counted_img *c = pl_xcalloc(1, sizeof *c);
    c->layer = layer;
    return wrap(c, pl_layer_media_size(layer), 512, disk, err);
}

/* TSK reads the single-file formats itself; chains go through the
 * modules' layers, and so do formats TSK lacks (no tsk_type) and files a
 * module prefers to read itself (a dynamic VHD: TSK reads it through
 * libvhdi, whose lookup is linear per read). */
static int needs_layers(const char *path, const pl_container_ops *ops, pl_err *err)
{
    if (!ops->open)
        return 0;
    if (ops->tsk_type == TSK_IMG_TYPE_UNSUPP)
        return 1;
    if (ops->prefers_layer && ops->prefers_layer(path))
        return 1;
    return pl_layer_has_parent(path, ops, err);
}

int pl_disk_open(const char *path, const pl_strlist *parents, pl_disk *disk, pl_err *err)
{
    memset(disk, 0, sizeof *disk);
    disk->ops = pl_container_detect(path, err);
    if (!disk->ops) {
        pl_err_setc(err, PL_ERR_UNRECOGNIZED, "unrecognised disk image");
        return -1;
    }
    int layered = needs_layers(path, disk->ops, err);
    if (layered < 0)
        return -1;
    int rc = layered ? open_layers(path, parents, disk, err) : open_native(path, disk, err);
    if (rc != 0)
        pl_strlist_free(&disk->chain);
    return rc;
}

void pl_disk_close(pl_disk *disk)
{
    if (disk->img)
        tsk_img_close(disk->img);
    pl_strlist_free(&disk->chain);
    memset(disk, 0, sizeof *disk);
}
