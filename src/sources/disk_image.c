/* Detecting a disk container by content and opening it as one counted TSK
 * image (see disk_internal.h for which library reads which format). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/disk_internal.h"

const char *pl_disk_format_name(pl_disk_format f)
{
    switch (f) {
    case PL_DISK_RAW: return "raw";
    case PL_DISK_EWF: return "e01";
    case PL_DISK_VHD: return "vhd";
    case PL_DISK_VHDX: return "vhdx";
    case PL_DISK_VMDK: return "vmdk";
    case PL_DISK_QCOW: return "qcow2";
    case PL_DISK_UNKNOWN: break;
    }
    return "unknown";
}

/* ---- detection ---------------------------------------------------------- */

static int read_at(int fd, uint64_t off, uint8_t *buf, size_t len)
{
    ssize_t r = pread(fd, buf, len, (off_t)off);
    return r == (ssize_t)len ? 0 : -1;
}

/* A raw disk or volume: an MBR/GPT partition table or a boot sector we know. */
static int looks_raw(const uint8_t *s0, const uint8_t *s1)
{
    if (memcmp(s1, "EFI PART", 8) == 0)
        return 1;
    if (memcmp(s0 + 3, "NTFS    ", 8) == 0 || memcmp(s0 + 54, "FAT1", 4) == 0 ||
        memcmp(s0 + 82, "FAT32", 5) == 0)
        return 1;
    return s0[510] == 0x55 && s0[511] == 0xAA;
}

/* Signatures at offset 0, each needing only its own length: a file cut
 * short inside its header is still recognised, and then reported as
 * truncated rather than as unknown. */
static pl_disk_format detect_header(const uint8_t *h, size_t got)
{
    static const struct {
        const char *magic;
        size_t len;
        pl_disk_format f;
    } sigs[] = {
        {"EVF\x09\x0d\x0a\xff\x00", 8, PL_DISK_EWF},
        {"EVF2\x0d\x0a\x81\x00", 8, PL_DISK_EWF},
        {"vhdxfile", 8, PL_DISK_VHDX},
        {"conectix", 8, PL_DISK_VHD},      /* dynamic and differencing: footer copy first */
        {"KDMV", 4, PL_DISK_VMDK},
        {"COWD", 4, PL_DISK_VMDK},
        {"# Disk DescriptorFile", 21, PL_DISK_VMDK},
        {"QFI\xfb", 4, PL_DISK_QCOW},
    };
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        if (got >= sigs[i].len && memcmp(h, sigs[i].magic, sigs[i].len) == 0)
            return sigs[i].f;
    return PL_DISK_UNKNOWN;
}

pl_disk_format pl_disk_detect(const char *path, pl_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        pl_err_setc(err, PL_ERR_IO, "cannot open: %s", strerror(errno));
        return PL_DISK_UNKNOWN;
    }
    struct stat sb;
    uint8_t head[1024] = {0}, tail[512] = {0};
    pl_disk_format f = PL_DISK_UNKNOWN;
    ssize_t got = fstat(fd, &sb) == 0 ? pread(fd, head, sizeof head, 0) : -1;
    if (got > 0)
        f = detect_header(head, (size_t)got);
    if (f == PL_DISK_UNKNOWN && got == (ssize_t)sizeof head) {
        /* A fixed VHD is raw data with a footer at the end. */
        if (read_at(fd, (uint64_t)sb.st_size - 512, tail, 512) == 0 &&
            memcmp(tail, "conectix", 8) == 0)
            f = PL_DISK_VHD;
        else if (looks_raw(head, head + 512))
            f = PL_DISK_RAW;
    }
    close(fd);
    return f;
}

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
    pl_disk_format format;
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
        if (r != (ssize_t)len && c->path)
            pl_disk_explain_read_failure(c->path, c->format, (uint64_t)off, &e);
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

/* EWF segments: NAME.E01, NAME.E02, ... (then .EAA ...), as TSK's libewf
 * glob finds them; listed for the report's chain. */
static void list_ewf_segments(const char *path, pl_strlist *chain)
{
    pl_strlist_push(chain, path);
    size_t n = strlen(path);
    if (n < 4 || path[n - 4] != '.' || !(path[n - 2] == '0' && path[n - 1] == '1'))
        return;
    char *seg = pl_xstrdup(path);
    for (int i = 2; i <= 99; i++) {
        seg[n - 2] = (char)('0' + i / 10);
        seg[n - 1] = (char)('0' + i % 10);
        if (access(seg, F_OK) != 0)
            break;
        pl_strlist_push(chain, seg);
    }
    free(seg);
}

static int open_native(const char *path, TSK_IMG_TYPE_ENUM type, pl_disk *disk, pl_err *err)
{
    if (disk->format == PL_DISK_EWF)
        list_ewf_segments(path, &disk->chain);
    else
        pl_strlist_push(&disk->chain, path);
    if ((disk->format == PL_DISK_EWF ? pl_disk_check_ewf(&disk->chain, err)
                                     : pl_disk_check_file(path, disk->format, err)) != 0) {
        pl_err_prefix(err, "cannot open the %s image", pl_disk_format_name(disk->format));
        return -1;
    }
    tsk_error_reset();
    TSK_IMG_INFO *inner = tsk_img_open_utf8_sing(path, type, 0);
    if (!inner) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", tsk_error_get() ? tsk_error_get() : "unknown error");
        pl_disk_one_line(why);
        pl_err_setc(err, PL_ERR_LIBRARY, "cannot open the %s image: %s", pl_disk_format_name(disk->format), why);
        return -1;
    }
    counted_img *c = pl_xcalloc(1, sizeof *c);
    c->inner = inner;
    c->path = pl_xstrdup(path);
    c->format = disk->format;
    return wrap(c, (uint64_t)inner->size, inner->sector_size, disk, err);
}

static int open_layers(const char *path, const pl_strlist *parents, pl_disk *disk, pl_err *err)
{
    pl_layer *layer = NULL;
    if (pl_layer_open_chain(path, disk->format, parents, &layer, &disk->chain, err) != 0)
        return -1;
    counted_img *c = pl_xcalloc(1, sizeof *c);
    c->layer = layer;
    return wrap(c, pl_layer_media_size(layer), 512, disk, err);
}

static TSK_IMG_TYPE_ENUM native_type(pl_disk_format f)
{
    switch (f) {
    case PL_DISK_RAW: return TSK_IMG_TYPE_RAW;
    case PL_DISK_EWF: return TSK_IMG_TYPE_EWF_EWF;
    case PL_DISK_VMDK: return TSK_IMG_TYPE_VMDK_VMDK;
    case PL_DISK_VHD:
    case PL_DISK_VHDX: return TSK_IMG_TYPE_VHD_VHD;
    default: return TSK_IMG_TYPE_UNSUPP;
    }
}

/* A dynamic or differencing VHD (a footer copy at 0; a fixed VHD has its
 * footer only at the end)? */
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

/* TSK reads the single-file formats itself; chains and qcow2 go through
 * the libyal layers, and so do dynamic VHDs: TSK reads them through
 * libvhdi, whose lookup is linear per read, and the layer reads them
 * itself (vhd_dynamic.h). */
static int needs_layers(const char *path, pl_disk_format f, pl_err *err)
{
    if (f == PL_DISK_QCOW)
        return 1;
    if (f == PL_DISK_VHD && vhd_is_dynamic(path))
        return 1;
    if (f == PL_DISK_VHD || f == PL_DISK_VHDX || f == PL_DISK_VMDK)
        return pl_layer_has_parent(path, f, err);
    return 0;
}

int pl_disk_open(const char *path, const pl_strlist *parents, pl_disk *disk, pl_err *err)
{
    memset(disk, 0, sizeof *disk);
    disk->format = pl_disk_detect(path, err);
    if (disk->format == PL_DISK_UNKNOWN) {
        pl_err_setc(err, PL_ERR_UNRECOGNIZED, "unrecognised disk image");
        return -1;
    }
    int layered = needs_layers(path, disk->format, err);
    if (layered < 0)
        return -1;
    int rc = layered ? open_layers(path, parents, disk, err)
                     : open_native(path, native_type(disk->format), disk, err);
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
