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

static pl_disk_format detect_header(const uint8_t *h)
{
    if (memcmp(h, "EVF\x09\x0d\x0a\xff\x00", 8) == 0 || memcmp(h, "EVF2\x0d\x0a\x81\x00", 8) == 0)
        return PL_DISK_EWF;
    if (memcmp(h, "vhdxfile", 8) == 0)
        return PL_DISK_VHDX;
    if (memcmp(h, "conectix", 8) == 0)
        return PL_DISK_VHD;      /* dynamic and differencing: footer copy first */
    if (memcmp(h, "KDMV", 4) == 0 || memcmp(h, "COWD", 4) == 0 ||
        memcmp(h, "# Disk DescriptorFile", 21) == 0)
        return PL_DISK_VMDK;
    if (memcmp(h, "QFI\xfb", 4) == 0)
        return PL_DISK_QCOW;
    return PL_DISK_UNKNOWN;
}

pl_disk_format pl_disk_detect(const char *path, pl_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        pl_err_set(err, "cannot open: %s", strerror(errno));
        return PL_DISK_UNKNOWN;
    }
    struct stat sb;
    uint8_t head[1024] = {0}, tail[512] = {0};
    pl_disk_format f = PL_DISK_UNKNOWN;
    ssize_t got = fstat(fd, &sb) == 0 ? pread(fd, head, sizeof head, 0) : -1;
    /* A VMDK descriptor is a small text file; everything else has at
     * least a sector of header. */
    if (got >= 21)
        f = detect_header(head);
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

/* ---- the counting wrapper ----------------------------------------------- */

/* An external TSK image over either a TSK image or a libyal chain, counting
 * the bytes that the volume and filesystem code ask for. */
typedef struct {
    TSK_IMG_INFO base;         /* must be first: TSK casts to it */
    TSK_IMG_INFO *inner;       /* TSK-native image, or NULL */
    pl_layer *layer;           /* libyal chain, or NULL */
    uint64_t bytes_read;
} counted_img;

static ssize_t counted_read(TSK_IMG_INFO *img, TSK_OFF_T off, char *buf, size_t len)
{
    counted_img *c = (counted_img *)img;
    if (off < 0 || (uint64_t)off >= (uint64_t)img->size)
        return 0;
    if (len > (uint64_t)img->size - (uint64_t)off)
        len = (size_t)((uint64_t)img->size - (uint64_t)off);
    ssize_t r = c->inner ? tsk_img_read(c->inner, off, buf, len)
                         : pl_layer_read(c->layer, (uint64_t)off, buf, len);
    if (r > 0)
        c->bytes_read += (uint64_t)r;
    return r;
}

static void counted_close(TSK_IMG_INFO *img)
{
    counted_img *c = (counted_img *)img;
    if (c->inner)
        tsk_img_close(c->inner);
    if (c->layer)
        pl_layer_close_chain(c->layer);
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
        pl_err_set(err, "cannot set up the image reader: %s", tsk_error_get());
        counted_close(&c->base);
        return -1;
    }
    disk->img = img;
    disk->bytes_read = &c->bytes_read;
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
    tsk_error_reset();
    TSK_IMG_INFO *inner = tsk_img_open_utf8_sing(path, type, 0);
    if (!inner) {
        pl_err_set(err, "cannot open the %s image: %s", pl_disk_format_name(disk->format),
                   tsk_error_get() ? tsk_error_get() : "unknown error");
        return -1;
    }
    counted_img *c = pl_xcalloc(1, sizeof *c);
    c->inner = inner;
    if (disk->format == PL_DISK_EWF)
        list_ewf_segments(path, &disk->chain);
    else
        pl_strlist_push(&disk->chain, path);
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

/* TSK reads the single-file formats itself; chains and qcow2 go through
 * the libyal layers. */
static int needs_layers(const char *path, pl_disk_format f, pl_err *err)
{
    if (f == PL_DISK_QCOW)
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
        pl_err_set(err, "unrecognised disk image");
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
