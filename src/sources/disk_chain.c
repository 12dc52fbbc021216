/* Differencing disks and overlays: open a child with its libyal library,
 * find its parent, check the parent is the one the child was made from,
 * attach it, and repeat up the chain.
 *
 * Where we look for a parent, in order: the relative locator (VHD "W2ru",
 * qcow2 backing file, VMDK parentFileNameHint) resolved against the child's
 * directory; a file of the same base name beside the child; the --parent
 * files. A candidate is accepted only when its identifier is the one the
 * child expects (VHD/VHDX unique id, VMDK content id); qcow2 has no such id,
 * so there a candidate must have the backing file's name, or be the only
 * --parent given and of the overlay's size (qcow_parent_ok). A missing or
 * mismatched parent is an error naming the file: never a silent read of
 * zeros. */
#include <errno.h>
#include <libgen.h>
#include <libqcow.h>
#include <libvhdi.h>
#include <libvmdk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/disk_internal.h"
#include "sources/vhd_dynamic.h"
#include "util/limits.h"

struct pl_layer {
    pl_disk_format format;
    char *path;
    /* A single-file VMDK (monolithicSparse, streamOptimized) renamed after
     * it was made: its embedded descriptor still names the old file, which
     * libvmdk then looks for. This private directory holds one symbolic
     * link, under the old name, to the file; removed on close. */
    char *alias_dir, *alias_link;
    void *h;                 /* libvhdi_file_t, libqcow_file_t or libvmdk_handle_t */
    uint64_t size;
    /* A dynamic VHD read by us (vhd_dynamic.h): fd >= 0 */
    struct {
        int fd;
        pl_vhd_geometry g;
        uint32_t *bat;
        uint64_t file_end;       /* where block data must end: the footer */
        uint64_t bitmap_block;   /* the block whose bitmap is in bitmap */
        uint8_t *bitmap;
    } dyn;
    pl_layer *parent;
    /* The file itself, for loop detection: "./self.qcow2", "self.qcow2"
     * and a symbolic link to it are different paths to one file. */
    dev_t dev;
    ino_t ino;
};

/* ---- the three libraries behind one small set of calls --------------- */

/* The libyal libraries chain their errors innermost first, one line per
 * level ("libvhdi_file_footer_read_data: unsupported signature." ...
 * "libvhdi_file_open: unable to open file: X."): the first line says what
 * went wrong, the last only that the call failed. Keep the first. */
static void libyal_reason(char *msg)
{
    char *nl = strchr(msg, '\n');
    if (nl)
        *nl = '\0';
    pl_disk_one_line(msg);
}

#define LIBYAL_ERR(lib, e, err, what)                                   \
    do {                                                                \
        char msg_[512] = "";                                            \
        if (e) {                                                        \
            lib##_error_backtrace_sprint(e, msg_, sizeof msg_);         \
            lib##_error_free(&e);                                       \
            libyal_reason(msg_);                                        \
        }                                                               \
        pl_err_setc(err, PL_ERR_LIBRARY, "%s: %s", what, msg_[0] ? msg_ : "failed");     \
    } while (0)

static int open_vhdi(pl_layer *l, pl_err *err)
{
    libvhdi_error_t *e = NULL;
    libvhdi_file_t *f = NULL;
    size64_t size = 0;
    if (libvhdi_file_initialize(&f, &e) != 1 ||
        libvhdi_file_open(f, l->path, LIBVHDI_OPEN_READ, &e) != 1 ||
        libvhdi_file_get_media_size(f, &size, &e) != 1) {
        LIBYAL_ERR(libvhdi, e, err, "cannot open the VHD/VHDX");
        libvhdi_file_free(&f, NULL);
        return -1;
    }
    l->h = f;
    l->size = size;
    return 0;
}

/* Set up our own reads of a dynamic VHD (see vhd_dynamic.h); anything else,
 * or anything unexpected, stays with libvhdi (dyn.fd -1). libvhdi opened
 * and pl_disk_check_file checked the file already. */
static void open_vhd_dynamic(pl_layer *l)
{
    l->dyn.fd = -1;
    if (l->format != PL_DISK_VHD)
        return;
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
    l->dyn.bat = pl_xmalloc((n ? n : 1));
    for (uint32_t i = 0; i < g.entries; i++)
        l->dyn.bat[i] = (uint32_t)raw[4 * i] << 24 | (uint32_t)raw[4 * i + 1] << 16 |
                        (uint32_t)raw[4 * i + 2] << 8 | raw[4 * i + 3];
    free(raw);
    l->dyn.g = g;
    l->dyn.file_end = (uint64_t)sb.st_size - 512;
    l->dyn.bitmap = pl_xmalloc(g.bitmap_bytes);
    l->dyn.bitmap_block = UINT64_MAX;
    l->dyn.fd = fd;
}

/* Read from a dynamic VHD set up by open_vhd_dynamic: len bytes, or -1
 * with err (a short read of the file: damage or truncation). */
static ssize_t read_vhd_dynamic(pl_layer *l, uint64_t off, uint8_t *buf, size_t len, pl_err *err)
{
    size_t done = 0;
    while (done < len) {
        uint64_t at = off + done;
        const pl_vhd_geometry *g = &l->dyn.g;
        uint64_t block = at / g->block_size;
        const uint8_t *bitmap = NULL;
        if (block < g->entries && l->dyn.bat[block] != 0xFFFFFFFFu) {
            if (l->dyn.bitmap_block != block) {
                uint64_t boff = (uint64_t)l->dyn.bat[block] * 512;
                l->dyn.bitmap_block = UINT64_MAX;
                if (!pl_range_ok(boff, g->bitmap_bytes, l->dyn.file_end) ||
                    pread(l->dyn.fd, l->dyn.bitmap, g->bitmap_bytes, (off_t)boff) !=
                        (ssize_t)g->bitmap_bytes) {
                    pl_err_setc(err, PL_ERR_TRUNCATED, "VHD: cannot read the sector bitmap of block %llu",
                                (unsigned long long)block);
                    return -1;
                }
                l->dyn.bitmap_block = block;
            }
            bitmap = l->dyn.bitmap;
        }
        uint64_t foff = 0;
        size_t n = pl_vhd_map(g, l->dyn.bat, bitmap, l->dyn.file_end, at, len - done, &foff);
        if (n == 0)
            break;   /* past the end of the disk: a short read */
        if (foff == UINT64_MAX) {
            memset(buf + done, 0, n);
        } else if (pread(l->dyn.fd, buf + done, n, (off_t)foff) != (ssize_t)n) {
            pl_err_setc(err, PL_ERR_TRUNCATED, "VHD: cannot read %zu bytes at file offset %llu", n,
                        (unsigned long long)foff);
            return -1;
        }
        done += n;
    }
    return (ssize_t)done;
}

static int open_qcow(pl_layer *l, pl_err *err)
{
    libqcow_error_t *e = NULL;
    libqcow_file_t *f = NULL;
    size64_t size = 0;
    if (libqcow_file_initialize(&f, &e) != 1 ||
        libqcow_file_open(f, l->path, LIBQCOW_OPEN_READ, &e) != 1 ||
        libqcow_file_get_media_size(f, &size, &e) != 1) {
        LIBYAL_ERR(libqcow, e, err, "cannot open the qcow2 image");
        libqcow_file_free(&f, NULL);
        return -1;
    }
    l->h = f;
    l->size = size;
    return 0;
}

static void remove_alias(pl_layer *l)
{
    if (l->alias_link)
        unlink(l->alias_link);
    if (l->alias_dir)
        rmdir(l->alias_dir);
    free(l->alias_link);
    free(l->alias_dir);
    l->alias_link = l->alias_dir = NULL;
}

static char *dir_of(const char *path);

/* 1 when path is a symbolic link whose target lies outside the directory
 * of the file beside, *target then that target (malloc'd). */
static int link_leaves_dir(const char *path, const char *beside, char **target)
{
    struct stat sb;
    if (lstat(path, &sb) != 0 || !S_ISLNK(sb.st_mode))
        return 0;
    char *dir = dir_of(beside);
    int out = pl_host_path_outside(path, dir, target);
    free(dir);
    return out;
}

/* The one extent of h, when the descriptor names only one and it is not
 * this file's own name: its name, else NULL. */
static char *renamed_extent(libvmdk_handle_t *h, const char *path)
{
    int n = 0;
    libvmdk_extent_descriptor_t *ed = NULL;
    if (libvmdk_handle_get_number_of_extents(h, &n, NULL) != 1 || n != 1 ||
        libvmdk_handle_get_extent_descriptor(h, 0, &ed, NULL) != 1)
        return NULL;
    size_t sz = 0;
    char *name = NULL;
    if (libvmdk_extent_descriptor_get_utf8_filename_size(ed, &sz, NULL) == 1 && sz > 1 &&
        sz < 4096) {
        name = pl_xmalloc(sz);
        if (libvmdk_extent_descriptor_get_utf8_filename(ed, (uint8_t *)name, sz, NULL) != 1) {
            free(name);
            name = NULL;
        }
    }
    libvmdk_extent_descriptor_free(&ed, NULL);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if (name && (strchr(name, '/') || strchr(name, '\\') || strcmp(name, base) == 0 ||
                 strcmp(name, ".") == 0 || strcmp(name, "..") == 0)) {
        free(name);
        name = NULL;
    }
    return name;
}

/* Point libvmdk at a private directory where the old extent name is a
 * link to this file. 0 ok. */
static int make_alias(pl_layer *l, const char *extent)
{
    uint8_t magic[4];
    int fd = open(l->path, O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? pread(fd, magic, 4, 0) : -1;
    if (fd >= 0)
        close(fd);
    if (got != 4 || memcmp(magic, "KDMV", 4) != 0)
        return -1;    /* a descriptor file: its extents really are missing */
    char *abs = realpath(l->path, NULL);
    if (!abs)
        return -1;
    const char *base = getenv("TMPDIR");
    l->alias_dir = pl_xasprintf("%s/patchlevel-vmdk-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(l->alias_dir)) {
        free(l->alias_dir);
        l->alias_dir = NULL;
        free(abs);
        return -1;
    }
    l->alias_link = pl_xasprintf("%s/%s", l->alias_dir, extent);
    int rc = symlink(abs, l->alias_link);
    free(abs);
    if (rc != 0) {
        free(l->alias_link);
        l->alias_link = NULL;
        remove_alias(l);
        return -1;
    }
    return 0;
}

/* An extent beside the descriptor that is a symbolic link out of its
 * directory is refused before libvmdk opens it; a single-file VMDK names
 * itself, and the input as given (a link or not) is the user's choice.
 * 1 ok, 0 refused. */
static int extent_stays_inside(const char *path, const char *name, pl_err *err)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if (strcmp(name, base) == 0)
        return 1;
    char *dir = dir_of(path);
    char *ext = pl_xasprintf("%s/%s", dir, name);
    char *target = NULL;
    int ok = !link_leaves_dir(ext, path, &target);
    if (!ok)
        pl_err_setc(err, PL_ERR_UNSAFE, "cannot open the VMDK: extent file %.200s is a symbolic "
                                        "link to %.200s, outside the directory of %.200s: not "
                                        "followed", ext, target, path);
    free(target);
    free(ext);
    free(dir);
    return ok;
}

/* libvmdk 20200926 cuts an extent file name that has a directory part
 * ("dir/x-s001.vmdk") at the length of that directory part, and when the
 * directory part is the longer it reads past the end of the name (a heap
 * over-read found by fuzzing). Such a name never opens anyway: refuse it
 * before libvmdk joins it to a path. Extents linked out of the
 * descriptor's directory are refused too. 1 ok, 0 refused (err set). */
static int extent_names_ok(const char *path, libvmdk_handle_t *h, pl_err *err)
{
    int n = 0;
    if (libvmdk_handle_get_number_of_extents(h, &n, NULL) != 1)
        return 1;   /* libvmdk then fails on its own */
    int ok = 1;
    for (int i = 0; i < n && ok; i++) {
        libvmdk_extent_descriptor_t *ed = NULL;
        if (libvmdk_handle_get_extent_descriptor(h, i, &ed, NULL) != 1)
            continue;
        size_t sz = 0;
        if (libvmdk_extent_descriptor_get_utf8_filename_size(ed, &sz, NULL) == 1 && sz > 0 &&
            sz <= PL_MAX_DISK_NAME_BYTES) {
            char *name = pl_xmalloc(sz + 1);
            if (libvmdk_extent_descriptor_get_utf8_filename(ed, (uint8_t *)name, sz, NULL) == 1) {
                name[sz] = '\0';
                if (strchr(name, '/')) {
                    pl_err_setc(err, PL_ERR_UNSUPPORTED, "cannot open the VMDK: extent file name \"%.200s\" has a "
                                    "directory part, which is not supported", name);
                    ok = 0;
                } else {
                    ok = extent_stays_inside(path, name, err);
                }
            }
            free(name);
        }
        libvmdk_extent_descriptor_free(&ed, NULL);
    }
    return ok;
}

static int open_vmdk(pl_layer *l, pl_err *err)
{
    libvmdk_error_t *e = NULL;
    libvmdk_handle_t *h = NULL;
    size64_t size = 0;
    if (libvmdk_handle_initialize(&h, &e) != 1 ||
        libvmdk_handle_open(h, l->path, LIBVMDK_OPEN_READ, &e) != 1) {
        LIBYAL_ERR(libvmdk, e, err, "cannot open the VMDK (with its extent files)");
        libvmdk_handle_free(&h, NULL);
        return -1;
    }
    if (!extent_names_ok(l->path, h, err)) {
        libvmdk_handle_close(h, NULL);
        libvmdk_handle_free(&h, NULL);
        return -1;
    }
    if (libvmdk_handle_open_extent_data_files(h, &e) != 1) {
        char *extent = renamed_extent(h, l->path);
        if (extent && make_alias(l, extent) == 0 &&
            libvmdk_handle_set_extent_data_files_path(h, l->alias_dir, strlen(l->alias_dir),
                                                      NULL) == 1) {
            libvmdk_error_free(&e);
            if (libvmdk_handle_open_extent_data_files(h, &e) != 1)
                remove_alias(l);
        }
        free(extent);
    }
    if (e || libvmdk_handle_get_media_size(h, &size, &e) != 1) {
        LIBYAL_ERR(libvmdk, e, err, "cannot open the VMDK (with its extent files)");
        libvmdk_handle_close(h, NULL);
        libvmdk_handle_free(&h, NULL);
        remove_alias(l);
        return -1;
    }
    l->h = h;
    l->size = size;
    return 0;
}

static void layer_close_one(pl_layer *l);

static pl_layer *layer_open(const char *path, pl_disk_format format, pl_err *err)
{
    /* A truncated or damaged container is named as such before its
     * library gets to fail on it vaguely. */
    if (pl_disk_check_file(path, format, err) != 0) {
        pl_err_prefix(err, "cannot open the %s image", pl_disk_format_name(format));
        return NULL;
    }
    pl_layer *l = pl_xcalloc(1, sizeof *l);
    l->format = format;
    l->path = pl_xstrdup(path);
    int rc = format == PL_DISK_QCOW   ? open_qcow(l, err)
             : format == PL_DISK_VMDK ? open_vmdk(l, err)
                                      : open_vhdi(l, err);
    struct stat sb;
    if (rc == 0 && stat(path, &sb) != 0) {
        pl_err_setc(err, PL_ERR_IO, "cannot open the %s image: %s", pl_disk_format_name(format),
                    strerror(errno));
        layer_close_one(l);
        return NULL;
    }
    if (rc != 0) {
        free(l->path);
        free(l);
        return NULL;
    }
    l->dev = sb.st_dev;
    l->ino = sb.st_ino;
    open_vhd_dynamic(l);
    return l;
}

static void layer_close_one(pl_layer *l)
{
    if (l->format == PL_DISK_QCOW) {
        libqcow_file_close(l->h, NULL);
        libqcow_file_free((libqcow_file_t **)&l->h, NULL);
    } else if (l->format == PL_DISK_VMDK) {
        libvmdk_handle_close(l->h, NULL);
        libvmdk_handle_free((libvmdk_handle_t **)&l->h, NULL);
        remove_alias(l);
    } else {
        libvhdi_file_close(l->h, NULL);
        libvhdi_file_free((libvhdi_file_t **)&l->h, NULL);
    }
    if (l->dyn.bat) {
        close(l->dyn.fd);
        free(l->dyn.bat);
        free(l->dyn.bitmap);
    }
    free(l->path);
    free(l);
}

void pl_layer_close_chain(pl_layer *l)
{
    /* The child is closed before its parent: it reads through it. */
    while (l) {
        pl_layer *parent = l->parent;
        layer_close_one(l);
        l = parent;
    }
}

uint64_t pl_layer_media_size(const pl_layer *l)
{
    return l->size;
}

ssize_t pl_layer_read(pl_layer *l, uint64_t off, void *buf, size_t len, pl_err *err)
{
    ssize_t r;
    if (l->format == PL_DISK_QCOW) {
        libqcow_error_t *e = NULL;
        r = libqcow_file_read_buffer_at_offset(l->h, buf, len, (off64_t)off, &e);
        if (r < 0)
            LIBYAL_ERR(libqcow, e, err, "qcow2");
    } else if (l->format == PL_DISK_VMDK) {
        libvmdk_error_t *e = NULL;
        r = libvmdk_handle_read_buffer_at_offset(l->h, buf, len, (off64_t)off, &e);
        if (r < 0)
            LIBYAL_ERR(libvmdk, e, err, "VMDK");
    } else if (l->dyn.fd >= 0 && !l->parent) {
        r = read_vhd_dynamic(l, off, buf, len, err);
    } else {
        libvhdi_error_t *e = NULL;
        r = libvhdi_file_read_buffer_at_offset(l->h, buf, len, (off64_t)off, &e);
        if (r < 0)
            LIBYAL_ERR(libvhdi, e, err, "VHD/VHDX");
    }
    /* A truncated file in the chain is the likeliest cause: say so. */
    for (pl_layer *p = l; r < 0 && p; p = p->parent) {
        if (pl_disk_explain_read_failure(p->path, p->format, off, err)) {
            if (p != l) {
                const char *base = strrchr(p->path, '/');
                pl_err_prefix(err, "parent %s", base ? base + 1 : p->path);
            }
            break;
        }
    }
    return r;
}

/* ---- what a child says about its parent ------------------------------- */

typedef struct {
    pl_strlist names;        /* parent file names as written, best first */
    int has_id;
    uint8_t id[16];          /* VHD/VHDX: parent GUID; VMDK: CID in id[0..3] */
} parent_hint;

static char *utf8_name(int (*size_fn)(void *, size_t *, void *),
                       int (*get_fn)(void *, uint8_t *, size_t, void *), void *h)
{
    size_t n = 0;
    if (size_fn(h, &n, NULL) != 1 || n == 0 || n > PL_MAX_DISK_NAME_BYTES)
        return NULL;
    uint8_t *s = pl_xmalloc(n + 1);
    if (get_fn(h, s, n, NULL) != 1) {
        free(s);
        return NULL;
    }
    s[n] = '\0';
    return (char *)s;
}

/* 1 has a parent (hint filled), 0 none, -1 error */
static int vhdi_hint(pl_layer *l, parent_hint *hint, pl_err *err)
{
    uint32_t type = 0;
    if (libvhdi_file_get_disk_type(l->h, &type, NULL) != 1) {
        pl_err_setc(err, PL_ERR_IO, "cannot read the VHD disk type");
        return -1;
    }
    if (type != LIBVHDI_DISK_TYPE_DIFFERENTIAL)
        return 0;
    if (l->format == PL_DISK_VHD)
        pl_vhd_parent_names(l->path, &hint->names, err);
    char *name = utf8_name((void *)libvhdi_file_get_utf8_parent_filename_size,
                           (void *)libvhdi_file_get_utf8_parent_filename, l->h);
    if (name)
        pl_strlist_push_unique(&hint->names, name);
    free(name);
    hint->has_id = libvhdi_file_get_parent_identifier(l->h, hint->id, 16, NULL) == 1;
    return 1;
}

static int qcow_hint(pl_layer *l, parent_hint *hint)
{
    char *name = utf8_name((void *)libqcow_file_get_utf8_backing_filename_size,
                           (void *)libqcow_file_get_utf8_backing_filename, l->h);
    if (!name)
        return 0;
    pl_strlist_push_owned(&hint->names, name);
    return 1;
}

static int vmdk_hint(pl_layer *l, parent_hint *hint)
{
    uint32_t cid = 0;
    if (libvmdk_handle_get_parent_content_identifier(l->h, &cid, NULL) != 1 ||
        cid == 0xFFFFFFFFu)
        return 0;
    char *name = utf8_name((void *)libvmdk_handle_get_utf8_parent_filename_size,
                           (void *)libvmdk_handle_get_utf8_parent_filename, l->h);
    if (name)
        pl_strlist_push_owned(&hint->names, name);
    hint->has_id = 1;
    memcpy(hint->id, &cid, 4);
    return 1;
}

static int layer_hint(pl_layer *l, parent_hint *hint, pl_err *err)
{
    memset(hint, 0, sizeof *hint);
    if (l->format == PL_DISK_QCOW)
        return qcow_hint(l, hint);
    if (l->format == PL_DISK_VMDK)
        return vmdk_hint(l, hint);
    return vhdi_hint(l, hint, err);
}

/* The identifier a parent presents, comparable with parent_hint.id. */
static int layer_id(pl_layer *l, uint8_t id[16])
{
    memset(id, 0, 16);
    if (l->format == PL_DISK_VMDK) {
        uint32_t cid = 0;
        if (libvmdk_handle_get_content_identifier(l->h, &cid, NULL) != 1)
            return -1;
        memcpy(id, &cid, 4);
        return 0;
    }
    if (l->format == PL_DISK_QCOW)
        return -1;
    return libvhdi_file_get_identifier(l->h, id, 16, NULL) == 1 ? 0 : -1;
}

static int layer_attach(pl_layer *child, pl_layer *parent, pl_err *err)
{
    int ok;
    if (child->format == PL_DISK_QCOW)
        ok = libqcow_file_set_parent_file(child->h, parent->h, NULL) == 1;
    else if (child->format == PL_DISK_VMDK)
        ok = libvmdk_handle_set_parent_handle(child->h, parent->h, NULL) == 1;
    else
        ok = libvhdi_file_set_parent_file(child->h, parent->h, NULL) == 1;
    if (!ok)
        pl_err_setc(err, PL_ERR_LIBRARY, "cannot attach the parent %s", parent->path);
    return ok ? 0 : -1;
}

/* ---- candidates ----------------------------------------------------------- */

static char *dir_of(const char *path)
{
    char *copy = pl_xstrdup(path);
    char *d = pl_xstrdup(dirname(copy));
    free(copy);
    return d;
}

/* A Windows or POSIX path as written in a locator, with '\' made '/'. */
static char *posix_path(const char *name)
{
    char *p = pl_xstrdup(name);
    for (char *c = p; *c; c++)
        if (*c == '\\')
            *c = '/';
    return p;
}

static int is_absolute(const char *p)
{
    return p[0] == '/' || (p[0] && p[1] == ':'); /* "C:/..." never exists here */
}

static void add_candidates(const char *child, const parent_hint *hint, const pl_strlist *parents,
                           pl_strlist *out)
{
    char *dir = dir_of(child);
    for (size_t i = 0; i < hint->names.len; i++) {
        char *p = posix_path(hint->names.items[i]);
        if (!is_absolute(p))
            pl_strlist_push_owned(out, pl_xasprintf("%s/%s", dir, p));
        else if (p[0] == '/')
            pl_strlist_push(out, p);
        free(p);
    }
    for (size_t i = 0; i < hint->names.len; i++) {
        char *p = posix_path(hint->names.items[i]);
        const char *base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
        if (*base)
            pl_strlist_push_owned(out, pl_xasprintf("%s/%s", dir, base));
        free(p);
    }
    for (size_t i = 0; parents && i < parents->len; i++)
        pl_strlist_push(out, parents->items[i]);
    free(dir);
}

static int file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static char *hex_id(const uint8_t id[16], int len)
{
    char *s = pl_xmalloc(2 * (size_t)len + 1);
    for (int i = 0; i < len; i++)
        snprintf(s + 2 * i, 3, "%02x", id[i]);
    return s;
}

/* A parent must be readable by the child's library. */
static int same_family(pl_disk_format child, pl_disk_format parent)
{
    int child_vhdi = child == PL_DISK_VHD || child == PL_DISK_VHDX;
    int parent_vhdi = parent == PL_DISK_VHD || parent == PL_DISK_VHDX;
    return child_vhdi ? parent_vhdi : child == parent;
}

/* "parent disk fat-parent.vhd not found (the child names it
 * ".\fat-parent.vhd"; ...)": the file name first, then the locator. */
static void not_found_error(const parent_hint *hint, pl_err *err)
{
    if (hint->names.len == 0) {
        pl_err_setc(err, PL_ERR_PARENT_MISSING,
                    "the parent disk is not named by the child; give it with --parent FILE");
        return;
    }
    char *p = posix_path(hint->names.items[0]);
    const char *base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
    pl_err_setc(err, PL_ERR_PARENT_MISSING,
                "parent disk %s not found (the child names it \"%s\"; looked there and beside "
                "the child; give it with --parent FILE)",
                base, hint->names.items[0]);
    free(p);
}

/* A qcow2 overlay records its backing file by name only: no identifier
 * to check (qemu docs/interop/qcow2.txt, "backing_file_offset"). So a
 * candidate must carry that name (its base name, the directory may have
 * moved); a --parent of another name is taken only when it is the only
 * one given and its virtual size is the overlay's (qemu-img rebase -u
 * makes such pairs). 1 accepted, 0 refused with why set. */
static int qcow_parent_ok(const pl_layer *child, const parent_hint *hint, const pl_layer *p,
                          const pl_strlist *parents, char *why, size_t n)
{
    char *want = posix_path(hint->names.len ? hint->names.items[0] : "");
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

/* 1 when p is the parent the child expects, else 0 with why set. */
static int parent_matches(pl_layer *child, const parent_hint *hint, pl_layer *p,
                          const pl_strlist *parents, char *why, size_t n)
{
    if (child->format == PL_DISK_QCOW)
        return qcow_parent_ok(child, hint, p, parents, why, n);
    uint8_t id[16];
    if (!hint->has_id || (layer_id(p, id) == 0 && memcmp(id, hint->id, 16) == 0))
        return 1;
    int len = child->format == PL_DISK_VMDK ? 4 : 16;
    char *want = hex_id(hint->id, len), *got = hex_id(id, len);
    snprintf(why, n, "the child expects identifier %s, the file has %s", want, got);
    free(want);
    free(got);
    return 0;
}

/* Try each candidate; the first that exists and matches wins. A
 * candidate that is a symbolic link leading out of the child's directory
 * is not followed (a --parent FILE is the user's choice and is). */
static pl_layer *find_parent(pl_layer *child, const parent_hint *hint, const pl_strlist *cands,
                             const pl_strlist *parents, pl_err *err)
{
    const char *mismatch = NULL;
    const char *verb = "does not match";
    pl_error_code code = PL_ERR_PARENT_MISMATCH;
    char why[sizeof(pl_err)] = "";
    char unsafe[1024] = "";
    for (size_t i = 0; i < cands->len; i++) {
        const char *c = cands->items[i];
        if (!file_exists(c) || strcmp(c, child->path) == 0)
            continue;
        char *target = NULL;
        if (!(parents && pl_strlist_contains(parents, c)) &&
            link_leaves_dir(c, child->path, &target)) {
            if (!unsafe[0])
                snprintf(unsafe, sizeof unsafe, "parent %.200s is a symbolic link to %.200s, "
                         "outside the directory of %.200s: not followed", c, target, child->path);
            free(target);
            continue;
        }
        pl_err perr;
        pl_disk_format pf = pl_disk_detect(c, &perr);
        pl_layer *p = NULL;
        if (!same_family(child->format, pf)) {
            snprintf(why, sizeof why, "not a %s image", pl_disk_format_name(child->format));
            verb = "does not match";
            code = PL_ERR_PARENT_MISMATCH;
        } else if (!(p = layer_open(c, pf, &perr))) {
            snprintf(why, sizeof why, "%s", perr.msg);
            verb = "cannot be read";
            code = perr.code;
        }
        if (!p) {
            mismatch = c;
            continue;
        }
        if (parent_matches(child, hint, p, parents, why, sizeof why))
            return p;
        verb = "does not match";
        code = PL_ERR_PARENT_MISMATCH;
        mismatch = c;
        layer_close_one(p);
    }
    if (mismatch)
        pl_err_setc(err, code, "parent %s %s: %s", mismatch, verb, why);
    else if (unsafe[0])
        pl_err_setc(err, PL_ERR_UNSAFE, "%s", unsafe);
    else
        not_found_error(hint, err);
    return NULL;
}

/* ---- the chain ---------------------------------------------------------- */

int pl_layer_has_parent(const char *path, pl_disk_format format, pl_err *err)
{
    pl_layer *l = layer_open(path, format, err);
    if (!l)
        return -1;
    parent_hint hint;
    int rc = layer_hint(l, &hint, err);
    pl_strlist_free(&hint.names);
    /* Only libvmdk set up this way reads a renamed single-file VMDK. */
    if (rc == 0 && l->alias_dir)
        rc = 1;
    layer_close_one(l);
    return rc;
}

/* The layer of links[0..n) that is the same file as p, or NULL. */
static const pl_layer *same_file(pl_layer *const *links, size_t n, const pl_layer *p)
{
    for (size_t i = 0; i < n; i++)
        if (links[i]->dev == p->dev && links[i]->ino == p->ino)
            return links[i];
    return NULL;
}

static int attach_parent(pl_layer *const *links, size_t n, const pl_strlist *parents,
                         pl_layer **parent_out, pl_err *err)
{
    pl_layer *child = links[n - 1];
    parent_hint hint;
    int rc = layer_hint(child, &hint, err);
    *parent_out = NULL;
    if (rc <= 0) {
        pl_strlist_free(&hint.names);
        return rc;
    }
    pl_strlist cands = {0};
    add_candidates(child->path, &hint, parents, &cands);
    pl_layer *p = find_parent(child, &hint, &cands, parents, err);
    pl_strlist_free(&cands);
    pl_strlist_free(&hint.names);
    if (!p)
        return -1;
    const pl_layer *again = same_file(links, n, p);
    if (again) {
        pl_err_setc(err, PL_ERR_CORRUPT, "parent chain loops back to %s (the same file as %s)",
                    p->path, again->path);
        layer_close_one(p);
        return -1;
    }
    *parent_out = p;
    return 1;
}

/* Link parents bottom-up: a parent is attached to its child only once its
 * own parents are attached, so reads see the whole chain. */
static int attach_all(pl_layer **links, size_t n, pl_err *err)
{
    for (size_t i = n - 1; i > 0; i--) {
        if (layer_attach(links[i - 1], links[i], err) != 0)
            return -1;
        links[i - 1]->parent = links[i];
    }
    return 0;
}

int pl_layer_open_chain(const char *path, pl_disk_format format, const pl_strlist *parents,
                        pl_layer **out, pl_strlist *chain, pl_err *err)
{
    pl_layer *links[PL_MAX_CHAIN_DEPTH];
    size_t n = 0;
    links[n] = layer_open(path, format, err);
    if (!links[n])
        return -1;
    pl_strlist_push(chain, path);
    n++;
    int rc;
    for (;;) {
        pl_layer *parent = NULL;
        rc = attach_parent(links, n, parents, &parent, err);
        if (rc <= 0)
            break;
        if (n == PL_MAX_CHAIN_DEPTH) {
            pl_err_setc(err, PL_ERR_LIMIT, "chain is deeper than %d disks", PL_MAX_CHAIN_DEPTH);
            layer_close_one(parent);
            rc = -1;
            break;
        }
        links[n++] = parent;
        pl_strlist_push(chain, parent->path);
    }
    if (rc == 0)
        rc = attach_all(links, n, err);
    if (rc != 0) {
        for (size_t i = 0; i < n; i++)
            layer_close_one(links[i]);
        return -1;
    }
    *out = links[0];
    return 0;
}
