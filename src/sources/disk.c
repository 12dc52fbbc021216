/* The disk-image source: every partition of an MBR (with its extended
 * chain) or GPT disk, or the whole image when it is a bare volume, becomes
 * a volume whose filesystem TSK reads. Only what is asked for is read: the
 * MFT records on the way to a file, the file itself, one directory index. */
#include <stdlib.h>
#include <string.h>

#include "sources/disk_internal.h"
#include "util/limits.h"

/* ---- a TSK filesystem as a pl_fs ----------------------------------------- */

typedef struct {
    pl_fs base;
    TSK_FS_INFO *fs;
} tsk_fs;

static char *tsk_path(const char *path)
{
    return pl_xasprintf("/%s", path);
}

static const char *tsk_err(void)
{
    const char *e = tsk_error_get();
    return e ? e : "unknown error";
}

/* 1 found, 0 absent, -1 error; on 1, *file is open (caller closes). */
static int open_path(tsk_fs *t, const char *path, TSK_FS_FILE **file, pl_err *err)
{
    char *p = tsk_path(path);
    TSK_INUM_T inum = 0;
    tsk_error_reset();
    int rc = tsk_fs_path2inum(t->fs, p, &inum, NULL);
    free(p);
    if (rc == 1)
        return 0;
    if (rc != 0) {
        pl_err_set(err, "%s: %s", path, tsk_err());
        return -1;
    }
    *file = tsk_fs_file_open_meta(t->fs, NULL, inum);
    if (!*file || !(*file)->meta) {
        pl_err_set(err, "%s: cannot read its file record: %s", path, tsk_err());
        tsk_fs_file_close(*file);
        return -1;
    }
    return 1;
}

static int tfs_stat(pl_fs *fs, const char *path, pl_stat *st, pl_err *err)
{
    TSK_FS_FILE *f = NULL;
    int rc = open_path((tsk_fs *)fs, path, &f, err);
    if (rc != 1)
        return rc;
    st->is_dir = TSK_FS_IS_DIR_META(f->meta->type);
    st->size = f->meta->size > 0 ? (uint64_t)f->meta->size : 0;
    tsk_fs_file_close(f);
    return 1;
}

static int listable(const TSK_FS_NAME *n)
{
    if (!n || !n->name || (n->flags & TSK_FS_NAME_FLAG_UNALLOC))
        return 0;
    return strcmp(n->name, ".") != 0 && strcmp(n->name, "..") != 0;
}

static int tfs_list(pl_fs *fs, const char *dir, pl_dir_cb cb, void *ctx, pl_err *err)
{
    tsk_fs *t = (tsk_fs *)fs;
    char *p = tsk_path(dir);
    tsk_error_reset();
    TSK_FS_DIR *d = tsk_fs_dir_open(t->fs, p);
    free(p);
    if (!d) {
        pl_err_set(err, "cannot list %s: %s", dir[0] ? dir : "the root directory", tsk_err());
        return -1;
    }
    size_t n = tsk_fs_dir_getsize(d);
    if (n > PL_MAX_DIR_ENTRIES)
        n = PL_MAX_DIR_ENTRIES;
    for (size_t i = 0; i < n; i++) {
        TSK_FS_FILE *f = tsk_fs_dir_get(d, i);
        int stop = 0;
        if (f && listable(f->name))
            stop = cb(f->name->name, f->name->type == TSK_FS_NAME_TYPE_DIR, ctx);
        tsk_fs_file_close(f);
        if (stop)
            break;
    }
    tsk_fs_dir_close(d);
    return 0;
}

static int read_whole(TSK_FS_FILE *f, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = tsk_fs_file_read(f, (TSK_OFF_T)got, (char *)buf + got, len - got,
                                     TSK_FS_FILE_READ_FLAG_NONE);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

static int tfs_read(pl_fs *fs, const char *path, uint64_t max, uint8_t **data, size_t *len,
                    pl_err *err)
{
    TSK_FS_FILE *f = NULL;
    int rc = open_path((tsk_fs *)fs, path, &f, err);
    if (rc == 0)
        pl_err_set(err, "no such file");
    if (rc != 1)
        return -1;
    rc = -1;
    if (TSK_FS_IS_DIR_META(f->meta->type)) {
        pl_err_set(err, "is a directory");
    } else if (f->meta->size < 0 || (uint64_t)f->meta->size > max) {
        pl_err_set(err, "file is %lld bytes, over the limit of %llu", (long long)f->meta->size,
                   (unsigned long long)max);
    } else {
        size_t n = (size_t)f->meta->size;
        uint8_t *buf = pl_xmalloc(n);
        tsk_error_reset();
        if (read_whole(f, buf, n) == 0) {
            *data = buf;
            *len = n;
            fs->bytes_read += n;
            rc = 0;
        } else {
            pl_err_set(err, "read failed: %s", tsk_err());
            free(buf);
        }
    }
    tsk_fs_file_close(f);
    return rc;
}

static void tfs_close(pl_fs *fs)
{
    tsk_fs *t = (tsk_fs *)fs;
    tsk_fs_close(t->fs);
    free(t);
}

static const pl_fs_ops tsk_fs_ops = {
    .stat = tfs_stat,
    .list = tfs_list,
    .read = tfs_read,
    .prefetch = NULL,
    .close = tfs_close,
};

/* ---- the source ---------------------------------------------------------- */

typedef struct {
    uint64_t start;          /* bytes */
    int number;              /* 1-based among data partitions */
} part_ref;

typedef struct {
    pl_source base;
    pl_disk disk;
    TSK_VS_INFO *vs;         /* NULL: a bare volume */
    const char *scheme;      /* "mbr", "gpt", "none" */
    part_ref *parts;
    size_t nparts, next;
} disk_source;

static const char *scheme_name(TSK_VS_TYPE_ENUM t)
{
    switch (t) {
    case TSK_VS_TYPE_DOS: return "mbr";
    case TSK_VS_TYPE_GPT: return "gpt";
    case TSK_VS_TYPE_BSD: return "bsd";
    case TSK_VS_TYPE_MAC: return "mac";
    case TSK_VS_TYPE_SUN: return "sun";
    default: return "other";
    }
}

/* The data partitions in disk order (extended containers and free space
 * are not partitions a filesystem lives on). */
static void list_partitions(disk_source *s)
{
    TSK_VS_INFO *vs = s->vs;
    s->parts = pl_xcalloc(vs->part_count ? vs->part_count : 1, sizeof *s->parts);
    int number = 0;
    for (TSK_PNUM_T i = 0; i < vs->part_count; i++) {
        const TSK_VS_PART_INFO *p = tsk_vs_part_get(vs, i);
        if (!p || !(p->flags & TSK_VS_PART_FLAG_ALLOC))
            continue;
        s->parts[s->nparts++] =
            (part_ref){.start = (uint64_t)p->start * vs->block_size, .number = ++number};
    }
}

static pl_volume *make_volume(disk_source *s, TSK_FS_INFO *fs, const part_ref *part)
{
    tsk_fs *t = pl_xcalloc(1, sizeof *t);
    t->base.ops = &tsk_fs_ops;
    /* TSK matches NTFS and FAT names case-insensitively. */
    t->base.case_insensitive = 1;
    t->fs = fs;
    pl_volume *v = pl_xcalloc(1, sizeof *v);
    v->fs = &t->base;
    v->loc.partition_scheme = s->scheme;
    v->loc.partition_number = part ? part->number : 0;
    v->loc.partition_start = part ? (int64_t)part->start : 0;
    v->loc.filesystem = tsk_fs_type_toname(fs->ftype);
    return v;
}

/* The filesystem type from its boot sector. TSK's own detection tries
 * every type it knows, and some of those probes read far into the volume;
 * Windows lives on NTFS (FAT and ext are recognised so that they are
 * searched, and reported, rather than skipped silently). */
static TSK_FS_TYPE_ENUM boot_sector_type(TSK_IMG_INFO *img, uint64_t start)
{
    uint8_t b[2048];
    if (tsk_img_read(img, (TSK_OFF_T)start, (char *)b, sizeof b) != (ssize_t)sizeof b)
        return TSK_FS_TYPE_UNSUPP;
    if (memcmp(b + 3, "NTFS    ", 8) == 0)
        return TSK_FS_TYPE_NTFS;
    if (memcmp(b + 3, "EXFAT   ", 8) == 0)
        return TSK_FS_TYPE_EXFAT;
    if (memcmp(b + 54, "FAT", 3) == 0 || memcmp(b + 82, "FAT32", 5) == 0)
        return TSK_FS_TYPE_FAT_DETECT;
    if (b[1024 + 56] == 0x53 && b[1024 + 57] == 0xEF)
        return TSK_FS_TYPE_EXT_DETECT;
    return TSK_FS_TYPE_UNSUPP;
}

/* Partitions without a filesystem we recognise (unformatted, swap, ...)
 * are skipped: they hold no Windows. */
static int disk_next(pl_source *src, pl_volume **out, pl_err *err)
{
    (void)err;
    disk_source *s = (disk_source *)src;
    while (s->next < s->nparts) {
        const part_ref *p = &s->parts[s->next++];
        TSK_FS_TYPE_ENUM type = boot_sector_type(s->disk.img, p->start);
        tsk_error_reset();
        TSK_FS_INFO *fs = type == TSK_FS_TYPE_UNSUPP
                              ? NULL
                              : tsk_fs_open_img(s->disk.img, (TSK_OFF_T)p->start, type);
        if (fs) {
            *out = make_volume(s, fs, s->vs ? p : NULL);
            return 1;
        }
        if (!s->vs)
            pl_strlist_push(&s->base.warnings,
                            "no partition table or filesystem recognised in the disk image");
    }
    return 0;
}

static void disk_close(pl_source *src)
{
    disk_source *s = (disk_source *)src;
    if (s->vs)
        tsk_vs_close(s->vs);
    pl_disk_close(&s->disk);
    free(s->parts);
    pl_strlist_free(&s->base.chain);
    pl_strlist_free(&s->base.warnings);
    free(s);
}

static const pl_source_ops disk_ops = {.next_volume = disk_next, .close = disk_close};

/* The partition table type, decided by us: TSK's detection opens a GPT
 * disk's protective MBR as a DOS table too and leaks the loser's partition
 * list (libtsk 4.11), and Windows lives on MBR or GPT disks only. A boot
 * sector of a filesystem also ends in 55AA: that is a bare volume. */
static TSK_VS_TYPE_ENUM table_type(TSK_IMG_INFO *img)
{
    uint8_t b[4096 + 512];
    if (tsk_img_read(img, 0, (char *)b, sizeof b) != (ssize_t)sizeof b)
        return TSK_VS_TYPE_UNSUPP;
    if (memcmp(b + 512, "EFI PART", 8) == 0 || memcmp(b + 4096, "EFI PART", 8) == 0)
        return TSK_VS_TYPE_GPT;
    if (b[510] != 0x55 || b[511] != 0xAA)
        return TSK_VS_TYPE_UNSUPP;
    if (memcmp(b + 3, "NTFS    ", 8) == 0 || memcmp(b + 3, "EXFAT   ", 8) == 0 ||
        memcmp(b + 54, "FAT", 3) == 0 || memcmp(b + 82, "FAT32", 5) == 0)
        return TSK_VS_TYPE_UNSUPP;
    return TSK_VS_TYPE_DOS;
}

static void find_volumes(disk_source *s)
{
    TSK_VS_TYPE_ENUM type = table_type(s->disk.img);
    tsk_error_reset();
    s->vs = type == TSK_VS_TYPE_UNSUPP ? NULL : tsk_vs_open(s->disk.img, 0, type);
    if (s->vs) {
        s->scheme = scheme_name(s->vs->vstype);
        list_partitions(s);
        return;
    }
    /* No partition table: a bare volume at offset 0, or nothing we read. */
    s->scheme = "none";
    s->parts = pl_xcalloc(1, sizeof *s->parts);
    s->nparts = 1;
}

int pl_source_open_disk(const char *path, const pl_strlist *parents, pl_source **out,
                        pl_err *err)
{
    disk_source *s = pl_xcalloc(1, sizeof *s);
    if (pl_disk_open(path, parents, &s->disk, err) != 0) {
        free(s);
        return -1;
    }
    s->base.ops = &disk_ops;
    s->base.container = pl_disk_format_name(s->disk.format);
    s->base.image_bytes_read = s->disk.bytes_read;
    for (size_t i = 0; i < s->disk.chain.len; i++)
        pl_strlist_push(&s->base.chain, s->disk.chain.items[i]);
    find_volumes(s);
    *out = &s->base;
    return 0;
}
