/* VMDK: monolithicSparse, streamOptimized and split (descriptor plus
 * extent files) disks, and delta links (a child naming its parent by
 * content id). Read by TSK natively when alone; through libvmdk as a
 * layer when it has a parent, or was renamed after it was made (below).
 * Sparse extents are checked against the file size first. */
#include <errno.h>
#include <fcntl.h>
#include <libvmdk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/container.h"
#include "util/limits.h"

static int vmdk_bid(const pl_container_bytes *b)
{
    static const char *const magic[] = {"KDMV", "COWD", "# Disk DescriptorFile"};
    for (size_t i = 0; i < sizeof magic / sizeof *magic; i++)
        if (b->head_len >= strlen(magic[i]) && memcmp(b->head, magic[i], strlen(magic[i])) == 0)
            return PL_BID_SIGNATURE;
    return PL_BID_NONE;
}

/* ---- the structures against the file size ------------------------------ */

#define VMDK_GD_AT_END 0xFFFFFFFFFFFFFFFFull

static int check_vmdk(const pl_cfile *f, pl_err *err)
{
    uint8_t h[512];
    if (f->size >= 4 && f->size < 512) {
        /* a text descriptor is small; a sparse header is not */
        uint8_t m[4];
        if (pl_cfile_read(f, 0, m, 4, err) != 0)
            return -1;
        if (memcmp(m, "KDMV", 4) == 0)
            return pl_cfile_need(f, 0, 512, "the sparse extent header", err);
        return 0;
    }
    if (f->size < 4 || pl_cfile_read(f, 0, h, 512, err) != 0)
        return 0;
    if (memcmp(h, "KDMV", 4) != 0)
        return 0;   /* a descriptor file or COWD: left to libvmdk */
    uint64_t capacity = pl_le64(h + 12), grain = pl_le64(h + 20);
    uint64_t desc_off = pl_le64(h + 28), desc_len = pl_le64(h + 36);
    uint32_t gtes = pl_le32(h + 44);
    uint64_t gd_off = pl_le64(h + 56);
    if (desc_off && pl_cfile_need(f, desc_off * 512, desc_len * 512, "the embedded descriptor", err) != 0)
        return -1;
    if (gd_off == VMDK_GD_AT_END) {
        /* streamOptimized: the real header is the footer, 1 KiB before the
         * end (footer, then the end-of-stream marker). */
        if (f->size < 1536 || pl_cfile_read(f, f->size - 1024, h, 512, err) != 0 ||
            memcmp(h, "KDMV", 4) != 0) {
            pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: the footer at the end of the stream-optimized file is "
                            "missing (the file is %llu bytes)",
                       (unsigned long long)f->size);
            return -1;
        }
        capacity = pl_le64(h + 12);
        grain = pl_le64(h + 20);
        gtes = pl_le32(h + 44);
        gd_off = pl_le64(h + 56);
    }
    if (grain == 0 || gtes == 0 || gtes > 65536 || grain > (1ull << 32)) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the sparse extent header gives an invalid grain size (%llu sectors) "
                        "or grain table size (%u entries)",
                   (unsigned long long)grain, gtes);
        return -1;
    }
    uint64_t per_gt = grain * gtes;                 /* sectors covered by one GT */
    uint64_t ngts = capacity / per_gt + (capacity % per_gt != 0);
    if (pl_cfile_need(f, gd_off * 512, ngts * 4, "the grain directory", err) != 0)
        return -1;
    uint8_t buf[PL_CFILE_CHUNK];
    for (uint64_t i = 0; i < ngts; i += PL_CFILE_CHUNK / 4) {
        size_t n = (size_t)((ngts - i) < PL_CFILE_CHUNK / 4 ? (ngts - i) : PL_CFILE_CHUNK / 4);
        if (pl_cfile_read(f, gd_off * 512 + i * 4, buf, n * 4, err) != 0)
            return -1;
        for (size_t k = 0; k < n; k++) {
            uint32_t gt = pl_le32(buf + 4 * k);
            if (!gt)
                continue;
            char what[64];
            snprintf(what, sizeof what, "grain table %llu", (unsigned long long)(i + k));
            if (pl_cfile_need(f, (uint64_t)gt * 512, (uint64_t)gtes * 4, what, err) != 0)
                return -1;
        }
    }
    return 0;
}


/* ---- why a read failed ---------------------------------------------------- */

/* The grain table entries of a failed read (see pl_cfile_explain). 1 when
 * a reason was found (err set), 0 when not. */
static int vmdk_explain(const pl_cfile *f, uint64_t off, pl_err *err)
{
    uint8_t h[512], e[12];
    if (!pl_range_ok(0, 512, f->size) || pl_cfile_read(f, 0, h, 512, err) != 0 ||
        memcmp(h, "KDMV", 4) != 0)
        return 0;
    uint32_t flags = pl_le32(h + 8), gtes = pl_le32(h + 44);
    uint64_t grain = pl_le64(h + 20), gd = pl_le64(h + 56);
    if (gd == VMDK_GD_AT_END) {
        if (f->size < 1536 || pl_cfile_read(f, f->size - 1024, h, 512, err) != 0 ||
            memcmp(h, "KDMV", 4) != 0)
            return 0;
        flags = pl_le32(h + 8);
        gtes = pl_le32(h + 44);
        grain = pl_le64(h + 20);
        gd = pl_le64(h + 56);
    }
    if (!grain || !gtes || grain > (1ull << 32) || gtes > 65536)
        return 0;
    uint64_t g = off / 512 / grain;
    uint64_t gd_at = gd * 512 + 4 * (g / gtes);
    if (!pl_range_ok(gd_at, 4, f->size) || pl_cfile_read(f, gd_at, e, 4, err) != 0)
        return 0;
    uint64_t gt = (uint64_t)pl_le32(e) * 512;
    if (!gt || !pl_range_ok(gt, 4ull * gtes, f->size))
        return 0;
    /* libvmdk fills a whole grain table at once (for compressed grains it
     * reads every grain's marker), so any grain of this table may be the
     * one that failed: look at them all, the wanted one first. */
    uint64_t want = g % gtes;
    for (uint64_t k = 0; k <= gtes; k++) {
        uint64_t i = k == 0 ? want : k - 1;
        if (k > 0 && i == want)
            continue;
        if (pl_cfile_read(f, gt + 4 * i, e, 4, err) != 0)
            return 0;
        uint64_t start = (uint64_t)pl_le32(e) * 512, len = grain * 512;
        if (start <= 512)
            continue;   /* not allocated (0) or a zero grain (1) */
        if ((flags & (1u << 16)) && pl_range_ok(start, 12, f->size)) {
            /* compressed grain: a 12-byte marker (LBA, size) before the data */
            if (pl_cfile_read(f, start, e, 12, err) != 0)
                return 0;
            len = 12 + (uint64_t)pl_le32(e + 8);
        }
        if (pl_range_ok(start, len, f->size))
            continue;
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: the file is %llu bytes, but %s lies at bytes %llu-%llu",
                   (unsigned long long)f->size,
                   i == want ? "the grain for that offset" : "a grain of the same grain table",
                   (unsigned long long)start, (unsigned long long)(start + len - 1));
        return 1;
    }
    return 0;
}

static int vmdk_check_file(const char *path, pl_err *err)
{
    return pl_cfile_check(path, check_vmdk, err);
}

static int vmdk_explain_file(const char *path, uint64_t off, pl_err *err)
{
    return pl_cfile_explain(path, off, vmdk_explain, err);
}

/* ---- the layer ---------------------------------------------------------- */

/* A single-file VMDK (monolithicSparse, streamOptimized) renamed after
 * it was made: its embedded descriptor still names the old file, which
 * libvmdk then looks for. This private directory holds one symbolic
 * link, under the old name, to the file; removed on close. */
typedef struct {
    char *alias_dir, *alias_link;
} vmdk_state;

static vmdk_state *st(pl_layer *l)
{
    return l->priv;
}

static void remove_alias(pl_layer *l)
{
    if (st(l)->alias_link)
        unlink(st(l)->alias_link);
    if (st(l)->alias_dir)
        rmdir(st(l)->alias_dir);
    free(st(l)->alias_link);
    free(st(l)->alias_dir);
    st(l)->alias_link = st(l)->alias_dir = NULL;
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
    st(l)->alias_dir = pl_xasprintf("%s/patchlevel-vmdk-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(st(l)->alias_dir)) {
        free(st(l)->alias_dir);
        st(l)->alias_dir = NULL;
        free(abs);
        return -1;
    }
    st(l)->alias_link = pl_xasprintf("%s/%s", st(l)->alias_dir, extent);
    int rc = symlink(abs, st(l)->alias_link);
    free(abs);
    if (rc != 0) {
        free(st(l)->alias_link);
        st(l)->alias_link = NULL;
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
    char *dir = pl_dir_of(path);
    char *ext = pl_xasprintf("%s/%s", dir, name);
    char *target = NULL;
    int ok = !pl_link_leaves_dir(ext, path, &target);
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

/* Does the sparse extent at path carry a descriptor of its own? Extents
 * 2 and on of a split disk (twoGbMaxExtentSparse, "<base>-s002.vmdk")
 * leave the embedded descriptor empty: only the descriptor file
 * "<base>.vmdk" says how they fit together. 1 yes or not a sparse
 * extent, 0 an extent without one. */
static int has_own_descriptor(const char *path)
{
    uint8_t h[512], d[32];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return 1;
    int own = 1;
    if (pread(fd, h, sizeof h, 0) == (ssize_t)sizeof h && memcmp(h, "KDMV", 4) == 0) {
        uint64_t desc_off = pl_le64(h + 28), desc_len = pl_le64(h + 36);
        own = desc_off != 0 && desc_len != 0 && desc_off < UINT64_MAX / 512 &&
              pread(fd, d, sizeof d, (off_t)(desc_off * 512)) == (ssize_t)sizeof d &&
              memchr(d, '=', sizeof d) != NULL;
        /* an empty area holds no "key=value" line; a real one starts
         * with "# Disk DescriptorFile" then "version=1" */
        own = own || memcmp(d, "# Disk DescriptorFile", 21) == 0;
    }
    close(fd);
    return own;
}

/* The descriptor's name for an extent named "<base>-sNNN.vmdk",
 * "<base>-fNNN.vmdk" or "<base>-flat.vmdk" (malloc'd), else NULL. */
static char *descriptor_name(const char *path)
{
    size_t n = strlen(path);
    static const char *const tails[] = {"-flat.vmdk"};
    for (size_t i = 0; i < sizeof tails / sizeof *tails; i++) {
        size_t t = strlen(tails[i]);
        if (n > t && pl_strcaseeq(path + n - t, tails[i]))
            return pl_xasprintf("%.*s.vmdk", (int)(n - t), path);
    }
    /* "-s" or "-f", three or more digits, ".vmdk" */
    if (n < 10 || !pl_strcaseeq(path + n - 5, ".vmdk"))
        return NULL;
    size_t digits = 0;
    while (digits < n - 5 && path[n - 6 - digits] >= '0' && path[n - 6 - digits] <= '9')
        digits++;
    if (digits < 3 || n - 5 < digits + 2)
        return NULL;
    size_t dash = n - 5 - digits - 2;
    if (path[dash] != '-' ||
        (path[dash + 1] != 's' && path[dash + 1] != 'S' && path[dash + 1] != 'f' &&
         path[dash + 1] != 'F'))
        return NULL;
    return pl_xasprintf("%.*s.vmdk", (int)dash, path);
}

/* An extent of a split disk given on its own: say which file to give. */
static int refuse_lone_extent(const char *path, pl_err *err)
{
    if (has_own_descriptor(path))
        return 0;
    char *desc = descriptor_name(path);
    struct stat sb;
    if (!desc)
        pl_err_setc(err, PL_ERR_UNSUPPORTED, "this is an extent of a split VMDK, without a "
                                             "descriptor of its own: give the descriptor file "
                                             "that names it");
    else
        pl_err_setc(err, PL_ERR_UNSUPPORTED, "this is an extent of a split VMDK: give its "
                                             "descriptor %.300s%s", desc,
                    stat(desc, &sb) == 0 ? "" : " (not found beside it)");
    free(desc);
    return -1;
}

static int open_vmdk(pl_layer *l, pl_err *err)
{
    libvmdk_error_t *e = NULL;
    libvmdk_handle_t *h = NULL;
    size64_t size = 0;
    l->priv = pl_xcalloc(1, sizeof(vmdk_state));   /* freed by the caller on failure */
    if (refuse_lone_extent(l->path, err) != 0)
        return -1;
    if (libvmdk_handle_initialize(&h, &e) != 1 ||
        libvmdk_handle_open(h, l->path, LIBVMDK_OPEN_READ, &e) != 1) {
        PL_LIBYAL_ERR(libvmdk, e, err, "cannot open the VMDK (with its extent files)");
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
            libvmdk_handle_set_extent_data_files_path(h, st(l)->alias_dir, strlen(st(l)->alias_dir),
                                                      NULL) == 1) {
            libvmdk_error_free(&e);
            if (libvmdk_handle_open_extent_data_files(h, &e) != 1)
                remove_alias(l);
        }
        free(extent);
    }
    if (e || libvmdk_handle_get_media_size(h, &size, &e) != 1) {
        PL_LIBYAL_ERR(libvmdk, e, err, "cannot open the VMDK (with its extent files)");
        libvmdk_handle_close(h, NULL);
        libvmdk_handle_free(&h, NULL);
        remove_alias(l);
        return -1;
    }
    l->h = h;
    l->size = size;
    /* Only libvmdk set up this way reads a renamed single-file VMDK. */
    l->library_only = st(l)->alias_dir != NULL;
    return 0;
}


static ssize_t vmdk_read(pl_layer *l, uint64_t off, void *buf, size_t len, pl_err *err)
{
    libvmdk_error_t *e = NULL;
    ssize_t r = libvmdk_handle_read_buffer_at_offset(l->h, buf, len, (off64_t)off, &e);
    if (r < 0)
        PL_LIBYAL_ERR(libvmdk, e, err, "VMDK");
    return r;
}

/* ---- parents: a delta names its parent and the parent's content id ---- */

static int vmdk_hint(pl_layer *l, pl_parent_hint *hint, pl_err *err)
{
    (void)err;
    uint32_t cid = 0;
    if (libvmdk_handle_get_parent_content_identifier(l->h, &cid, NULL) != 1 ||
        cid == 0xFFFFFFFFu)
        return 0;
    char *name = pl_libyal_utf8_name((void *)libvmdk_handle_get_utf8_parent_filename_size,
                           (void *)libvmdk_handle_get_utf8_parent_filename, l->h);
    if (name)
        pl_strlist_push_owned(&hint->names, name);
    hint->has_id = 1;
    hint->id_len = 4;
    memcpy(hint->id, &cid, 4);
    return 1;
}


/* The content id, in id[0..3] as the child's hint holds it. */
static int vmdk_identity(pl_layer *l, uint8_t id[16])
{
    uint32_t cid = 0;
    if (libvmdk_handle_get_content_identifier(l->h, &cid, NULL) != 1)
        return -1;
    memcpy(id, &cid, 4);
    return 0;
}

static int vmdk_attach(pl_layer *child, pl_layer *parent)
{
    return libvmdk_handle_set_parent_handle(child->h, parent->h, NULL) == 1 ? 0 : -1;
}

static void vmdk_close(pl_layer *l)
{
    libvmdk_handle_close(l->h, NULL);
    libvmdk_handle_free((libvmdk_handle_t **)&l->h, NULL);
    remove_alias(l);
    free(l->priv);
    l->priv = NULL;
}

const pl_container_ops pl_container_vmdk = {
    .name = "vmdk",
    .library = "libvmdk",
    .bid = vmdk_bid,
    .check = vmdk_check_file,
    .tsk_type = TSK_IMG_TYPE_VMDK_VMDK,
    .open = open_vmdk,
    .read = vmdk_read,
    .parent_hint = vmdk_hint,
    .identity = vmdk_identity,
    .attach = vmdk_attach,
    .close = vmdk_close,
    .explain = vmdk_explain_file,
};
