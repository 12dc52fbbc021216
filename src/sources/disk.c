/* The disk-image source: every partition of an MBR (with its extended
 * chain) or GPT disk, or the whole image when it is a bare volume, becomes
 * a volume whose filesystem TSK reads. Only what is asked for is read: the
 * MFT records on the way to a file, the file itself, one directory index. */
#include <stdlib.h>
#include <string.h>

#include "sources/disk_internal.h"
#include "sources/ntfs_index.h"
#include "util/limits.h"

/* ---- a TSK filesystem as a pl_fs ----------------------------------------- */

/* Directories listed, remembered with their MFT record / inode number so
 * that an entry pointing back at the directory itself or at one of its
 * ancestors (a directory loop in a damaged filesystem) is reported, never
 * followed. Resolution lists each ancestor before its children, so the
 * ancestors of a directory being listed are normally here. */
#define SEEN_DIRS 64
/* Directories whose (name, inode) entries are kept after a listing. */
#define INDEXED_DIRS 8
/* Paths found by an index lookup (tfs_lookup), with their inode: the
 * components of the few paths an analysis resolves. */
#define LOOKED_UP 64

/* A listed directory's entries, sorted by name: a file in it is then
 * opened by inode. tsk_fs_path2inum re-parses the whole directory index on
 * every lookup, which made reading servicing\Packages\*.mum quadratic
 * (bench/: 55 GB read for 5,000 packages). */
typedef struct {
    char *dir;
    size_t n;
    struct dir_entry {
        char *name;
        TSK_INUM_T inum;
    } *e;
} dir_index;

typedef struct {
    pl_fs base;
    TSK_FS_INFO *fs;
    pl_read_faults *faults;   /* of the disk under this filesystem */
    /* NTFS: the $MFT file and the record size, to check raw records */
    TSK_FS_FILE *mft;
    uint32_t rec_size;
    int mft_state;            /* 0 not tried, 1 usable, -1 not */
    struct {
        char *path;
        TSK_INUM_T inum;
    } seen[SEEN_DIRS];
    size_t nseen;
    dir_index index[INDEXED_DIRS];
    size_t next_index;
    /* NTFS index lookups: the volume's $UpCase table (0 not tried, 1
     * loaded, -1 unusable: lookups then answer "cannot tell") */
    uint16_t *upcase;
    int upcase_state;
    struct {
        char *path;
        TSK_INUM_T inum;
    } looked[LOOKED_UP];
    size_t nlooked;
} tsk_fs;

static char *tsk_path(const char *path)
{
    return pl_xasprintf("/%s", path);
}

/* Why the last TSK call failed, in one line. A failed read of the disk
 * image underneath is named as such: TSK only says "Error reading image
 * file" and the block it wanted. */
static void tsk_why(const tsk_fs *t, uint64_t faults_before, char *out, size_t outlen)
{
    if (t->faults && t->faults->count > faults_before) {
        snprintf(out, outlen, "cannot read the disk image: %s", t->faults->last);
        return;
    }
    const char *e = tsk_error_get();
    snprintf(out, outlen, "%s", e && *e ? e : "unknown error");
    pl_disk_one_line(out);
}

static uint64_t fault_count(const tsk_fs *t)
{
    return t->faults ? t->faults->count : 0;
}

/* ---- raw NTFS records -------------------------------------------------- */

/* TSK reads an MFT record whose signature is wrong as if it were fine, and
 * stops at the first attribute whose length is impossible, leaving a file
 * without data or a directory without index: a damaged record would then
 * read as an empty file or an empty directory. So the records of the files
 * and directories we use are checked here first, from the raw bytes of
 * $MFT, and a damaged one is reported by number with what is wrong. */
static int mft_setup(tsk_fs *t)
{
    if (t->mft_state)
        return t->mft_state;
    t->mft_state = -1;
    if (!TSK_FS_TYPE_ISNTFS(t->fs->ftype))
        return -1;
    uint8_t b[512];
    if (tsk_fs_read(t->fs, 0, (char *)b, sizeof b) != (ssize_t)sizeof b)
        return -1;
    uint32_t sector = pl_le16(b + 0x0B), cluster = sector * b[0x0D];
    int8_t c = (int8_t)b[0x40];
    uint64_t rec = c > 0 ? (uint64_t)c * cluster : (c > -31 ? 1ull << -c : 0);
    if (rec < 512 || rec > 65536 || (rec & (rec - 1)))
        return -1;
    t->mft = tsk_fs_file_open_meta(t->fs, NULL, 0);
    if (!t->mft)
        return -1;
    t->rec_size = (uint32_t)rec;
    t->mft_state = 1;
    return 1;
}

/* What is wrong with the raw record, or NULL when nothing is. */
static const char *record_problem(uint8_t *r, uint32_t size, char *buf, size_t buflen)
{
    if (memcmp(r, "FILE", 4) != 0) {
        snprintf(buf, buflen, "its signature is %02x %02x %02x %02x (\"%c%c%c%c\"), not \"FILE\"",
                 r[0], r[1], r[2], r[3], r[0] >= 0x20 && r[0] < 0x7f ? r[0] : '.',
                 r[1] >= 0x20 && r[1] < 0x7f ? r[1] : '.', r[2] >= 0x20 && r[2] < 0x7f ? r[2] : '.',
                 r[3] >= 0x20 && r[3] < 0x7f ? r[3] : '.');
        return buf;
    }
    uint16_t usa = pl_le16(r + 4), count = pl_le16(r + 6);
    if (count != size / 512 + 1 || !pl_range_ok(usa, 2ull * count, size)) {
        snprintf(buf, buflen, "its update sequence array (%u entries at offset %u) does not fit "
                              "a %u-byte record",
                 count, usa, size);
        return buf;
    }
    uint16_t usn = pl_le16(r + usa);
    for (uint16_t i = 1; i < count; i++) {
        uint8_t *end = r + 512 * (size_t)i - 2;
        if (pl_le16(end) != usn) {
            snprintf(buf, buflen, "the update sequence (fixup) check fails in sector %u "
                                  "(0x%04x where 0x%04x belongs)",
                     i, pl_le16(end), usn);
            return buf;
        }
        memcpy(end, r + usa + 2 * (size_t)i, 2);
    }
    uint32_t used = pl_le32(r + 0x18);
    uint32_t off = pl_le16(r + 0x14);
    if (used > size || off < 0x18 || off >= used) {
        snprintf(buf, buflen, "its header is inconsistent (first attribute at %u, %u of %u "
                              "bytes used)",
                 off, used, size);
        return buf;
    }
    for (;;) {
        if (!pl_range_ok(off, 4, used)) {
            snprintf(buf, buflen, "its attributes run past the %u bytes in use", used);
            return buf;
        }
        uint32_t type = pl_le32(r + off);
        if (type == 0xFFFFFFFFu)
            return NULL;
        uint32_t len = pl_range_ok(off, 8, used) ? pl_le32(r + off + 4) : 0;
        if (len < 16 || len % 8 || !pl_range_ok(off, len, used)) {
            snprintf(buf, buflen, "the attribute at offset %u (type 0x%x) has an impossible "
                                  "length of %u bytes (%u bytes of the record are in use)",
                     off, type, len, used);
            return buf;
        }
        off += len;
    }
}

/* 0 when the record of inum is sound (or cannot be checked: not NTFS),
 * -1 with err naming the record and the problem. */
static int check_record(tsk_fs *t, TSK_INUM_T inum, pl_err *err)
{
    if (mft_setup(t) != 1)
        return 0;
    uint8_t *r = pl_xmalloc(t->rec_size);
    uint64_t before = fault_count(t);
    tsk_error_reset();
    ssize_t got = tsk_fs_file_read(t->mft, (TSK_OFF_T)inum * t->rec_size, (char *)r, t->rec_size,
                                   TSK_FS_FILE_READ_FLAG_NONE);
    int rc = 0;
    char why[300];
    if (got != (ssize_t)t->rec_size) {
        tsk_why(t, before, why, sizeof why);
        pl_err_setc(err, PL_ERR_IO, "cannot read MFT record %llu: %s", (unsigned long long)inum, why);
        rc = -1;
    } else if (record_problem(r, t->rec_size, why, sizeof why)) {
        pl_err_setc(err, PL_ERR_CORRUPT, "MFT record %llu is damaged: %s", (unsigned long long)inum, why);
        rc = -1;
    }
    free(r);
    return rc;
}

/* After TSK failed to resolve path: find the first component whose record
 * is damaged and say so; else TSK's own reason. */
static void explain_path_failure(tsk_fs *t, const char *path, uint64_t before, pl_err *err)
{
    char why[400];
    tsk_why(t, before, why, sizeof why);
    char *copy = pl_xstrdup(path);
    for (char *slash = copy;; slash++) {
        slash = strchr(slash, '/');
        if (slash)
            *slash = '\0';
        char *p = tsk_path(copy);
        TSK_INUM_T inum = 0;
        pl_err rerr;
        int found = tsk_fs_path2inum(t->fs, p, &inum, NULL) == 0;
        free(p);
        if (found && check_record(t, inum, &rerr) != 0) {
            pl_err_setc(err, rerr.code, "%s: %s", copy, rerr.msg);
            free(copy);
            return;
        }
        if (!found || !slash)
            break;
        *slash = '/';
    }
    free(copy);
    pl_err_setc(err, PL_ERR_CORRUPT, "%s", why);
}

/* 1 found, 0 absent, -1 error; on 1, *file is open (caller closes). The
 * error does not name path: the callers do. */
static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct dir_entry *)a)->name, ((const struct dir_entry *)b)->name);
}

static void index_free(dir_index *x)
{
    for (size_t i = 0; i < x->n; i++)
        free(x->e[i].name);
    free(x->e);
    free(x->dir);
    memset(x, 0, sizeof *x);
}

/* 1 found (*inum), 0 the directory was listed and has no such entry,
 * -1 the directory is not indexed. */
static int index_lookup(const tsk_fs *t, const char *path, TSK_INUM_T *inum)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) : 0;
    const char *name = slash ? slash + 1 : path;
    for (size_t i = 0; i < INDEXED_DIRS; i++) {
        const dir_index *x = &t->index[i];
        if (!x->dir || strlen(x->dir) != dirlen || strncmp(x->dir, path, dirlen) != 0)
            continue;
        struct dir_entry key = {.name = (char *)name};
        const struct dir_entry *e = x->n ? bsearch(&key, x->e, x->n, sizeof *x->e, cmp_entry) : NULL;
        if (e)
            *inum = e->inum;
        return e != NULL;
    }
    return -1;
}

/* The inode of a path found by tfs_lookup, or 0. */
static TSK_INUM_T looked_inum(const tsk_fs *t, const char *path)
{
    for (size_t i = 0; i < t->nlooked && i < LOOKED_UP; i++)
        if (strcmp(t->looked[i].path, path) == 0)
            return t->looked[i].inum;
    return 0;
}

/* The inode of path: from an index lookup or a directory listing when
 * there is one, else by TSK's own lookup. Returns as tsk_fs_path2inum: 0
 * found, 1 not, -1 error. */
static int path_inum(tsk_fs *t, const char *path, TSK_INUM_T *inum)
{
    TSK_INUM_T looked = path[0] ? looked_inum(t, path) : 0;
    if (looked) {
        *inum = looked;
        return 0;
    }
    int indexed = path[0] ? index_lookup(t, path, inum) : -1;
    if (indexed >= 0)
        return indexed ? 0 : 1;
    char *p = tsk_path(path);
    int rc = tsk_fs_path2inum(t->fs, p, inum, NULL);
    free(p);
    return rc;
}

static int open_path(tsk_fs *t, const char *path, TSK_FS_FILE **file, pl_err *err)
{
    TSK_INUM_T inum = 0;
    uint64_t before = fault_count(t);
    tsk_error_reset();
    int rc = path_inum(t, path, &inum);
    if (rc == 1 && fault_count(t) == before)
        return 0;
    if (rc != 0) {
        explain_path_failure(t, path, before, err);
        return -1;
    }
    if (check_record(t, inum, err) != 0)
        return -1;
    before = fault_count(t);
    tsk_error_reset();
    *file = tsk_fs_file_open_meta(t->fs, NULL, inum);
    if (!*file || !(*file)->meta) {
        char why[400];
        tsk_why(t, before, why, sizeof why);
        pl_err_setc(err, PL_ERR_IO, "cannot read its file record (%s %llu): %s",
                   TSK_FS_TYPE_ISNTFS(t->fs->ftype) ? "MFT record" : "inode",
                   (unsigned long long)inum, why);
        tsk_fs_file_close(*file);
        return -1;
    }
    return 1;
}

static int tfs_stat(pl_fs *fs, const char *path, pl_stat *st, pl_err *err)
{
    TSK_FS_FILE *f = NULL;
    int rc = open_path((tsk_fs *)fs, path, &f, err);
    if (rc < 0)
        pl_err_prefix(err, "%s", path);
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

/* The inode of an already listed directory, or 0 when not remembered. */
static TSK_INUM_T seen_inum(const tsk_fs *t, const char *path)
{
    for (size_t i = 0; i < t->nseen && i < SEEN_DIRS; i++)
        if (strcmp(t->seen[i].path, path) == 0)
            return t->seen[i].inum;
    return 0;
}

static void remember_dir(tsk_fs *t, const char *path, TSK_INUM_T inum)
{
    if (seen_inum(t, path))
        return;
    size_t slot = t->nseen++ % SEEN_DIRS;
    free(t->seen[slot].path);
    t->seen[slot].path = pl_xstrdup(path);
    t->seen[slot].inum = inum;
}

/* Is inum dir itself or one of its ancestors ("" is the root)? Then its
 * path in *loop_to. */
static int is_ancestor(const tsk_fs *t, const char *dir, TSK_INUM_T self, TSK_INUM_T inum,
                       const char **loop_to, char *buf, size_t buflen)
{
    if (inum == self) {
        *loop_to = dir;
        return 1;
    }
    snprintf(buf, buflen, "%s", dir);
    for (;;) {
        char *slash = strrchr(buf, '/');
        if (slash)
            *slash = '\0';
        else if (buf[0])
            buf[0] = '\0';
        else
            return 0;
        TSK_INUM_T a = buf[0] ? seen_inum(t, buf) : t->fs->root_inum;
        if (a && a == inum) {
            *loop_to = buf;
            return 1;
        }
    }
}

/* One directory entry, from our own index walk or from TSK's listing. */
typedef struct {
    char *name;
    int is_dir;
    TSK_INUM_T inum;
} listed_entry;

typedef struct {
    listed_entry *e;
    size_t n, cap;
    int too_many;
} listed;

static void listed_free(listed *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->e[i].name);
    free(l->e);
    memset(l, 0, sizeof *l);
}

/* 0 ok, 1 more than PL_MAX_DIR_ENTRIES */
static int listed_push(listed *l, char *name, int is_dir, TSK_INUM_T inum)
{
    if (l->n == PL_MAX_DIR_ENTRIES) {
        free(name);
        l->too_many = 1;
        return 1;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->e = pl_xrealloc(l->e, l->cap * sizeof *l->e);
    }
    l->e[l->n++] = (listed_entry){name, is_dir, inum};
    return 0;
}

static int ntfs_walk(tsk_fs *t, TSK_INUM_T dir, listed *out);

/* The entries of directory record inum through TSK. 0, or -1 with err. */
static int tsk_listing(tsk_fs *t, TSK_INUM_T inum, const char *shown, listed *out, pl_err *err)
{
    uint64_t before = fault_count(t);
    tsk_error_reset();
    TSK_FS_DIR *d = tsk_fs_dir_open_meta(t->fs, inum);
    if (!d) {
        char why[400];
        tsk_why(t, before, why, sizeof why);
        pl_err_setc(err, PL_ERR_CORRUPT, "cannot list %s: %s", shown, why);
        return -1;
    }
    size_t n = tsk_fs_dir_getsize(d);
    for (size_t i = 0; i < n && !out->too_many; i++) {
        /* The name alone: tsk_fs_dir_get would load every entry's record. */
        const TSK_FS_NAME *nm = tsk_fs_dir_get_name(d, i);
        if (listable(nm))
            listed_push(out, pl_xstrdup(nm->name), nm->type == TSK_FS_NAME_TYPE_DIR, nm->meta_addr);
    }
    tsk_fs_dir_close(d);
    return 0;
}

static int tfs_list(pl_fs *fs, const char *dir, pl_dir_cb cb, void *ctx, pl_err *err)
{
    tsk_fs *t = (tsk_fs *)fs;
    const char *shown = dir[0] ? dir : "the root directory";
    TSK_FS_FILE *self = NULL;
    int found = open_path(t, dir, &self, err);
    if (found == 0)
        pl_err_setc(err, PL_ERR_NOT_FOUND, "no such directory");
    if (found != 1) {
        pl_err_prefix(err, "cannot list %s", shown);
        return -1;
    }
    TSK_INUM_T self_inum = self->meta->addr;
    tsk_fs_file_close(self);
    listed l = {0};
    /* NTFS: our own walk of the index (see ntfs_walk); TSK's listing when
     * it cannot be walked, which also reports what is wrong. */
    if (ntfs_walk(t, self_inum, &l) != 0) {
        listed_free(&l);
        if (tsk_listing(t, self_inum, shown, &l, err) != 0)
            return -1;
    }
    remember_dir(t, dir, self_inum);
    if (l.too_many) {
        /* as the other backends do: refuse, rather than list a part */
        pl_err_setc(err, PL_ERR_LIMIT, "cannot list %s: more than %d entries", shown, PL_MAX_DIR_ENTRIES);
        listed_free(&l);
        return -1;
    }
    dir_index *x = &t->index[t->next_index++ % INDEXED_DIRS];
    index_free(x);
    x->e = pl_xcalloc(l.n ? l.n : 1, sizeof *x->e);
    int rc = 0, stopped = 0;
    for (size_t i = 0; i < l.n && !stopped; i++) {
        const listed_entry *nm = &l.e[i];
        const char *loop_to = NULL;
        char buf[1024];
        if (nm->is_dir && is_ancestor(t, dir, self_inum, nm->inum, &loop_to, buf, sizeof buf)) {
            pl_err_setc(err, PL_ERR_CORRUPT, "cannot list %s: directory loop: its entry \"%s\" points back to "
                            "%s (%s %llu)",
                       shown, nm->name, loop_to[0] ? loop_to : "the root directory",
                       TSK_FS_TYPE_ISNTFS(t->fs->ftype) ? "MFT record" : "inode",
                       (unsigned long long)nm->inum);
            rc = -1;
            break;
        }
        x->e[x->n++] = (struct dir_entry){.name = pl_xstrdup(nm->name), .inum = nm->inum};
        stopped = cb(nm->name, nm->is_dir, ctx);
    }
    listed_free(&l);
    /* Only a complete listing can say a name is absent. */
    if (rc == 0 && !stopped && x->n) {
        qsort(x->e, x->n, sizeof *x->e, cmp_entry);
        x->dir = pl_xstrdup(dir);
    } else {
        index_free(x);
    }
    return rc;
}

/* ---- NTFS: one name by a descent of the directory index -------------- */

static int read_whole_file(TSK_FS_FILE *f, uint8_t *buf, size_t len)
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

/* The volume's $UpCase (MFT record 10), read once: 128 KiB, against the
 * megabytes of a directory listing it spares. */
static int upcase_setup(tsk_fs *t)
{
    if (t->upcase_state)
        return t->upcase_state;
    t->upcase_state = -1;
    TSK_FS_FILE *f = tsk_fs_file_open_meta(t->fs, NULL, 10);
    size_t n = 2 * (size_t)PL_NTFS_UPCASE_UNITS;
    uint8_t *raw = pl_xmalloc(n);
    if (f && f->meta && f->meta->size == (TSK_OFF_T)n && read_whole_file(f, raw, n) == 0) {
        t->upcase = pl_xmalloc(PL_NTFS_UPCASE_UNITS * sizeof *t->upcase);
        for (size_t i = 0; i < PL_NTFS_UPCASE_UNITS; i++)
            t->upcase[i] = pl_le16(raw + 2 * i);
        if (pl_ntfs_upcase_check(t->upcase) == 0) {
            t->upcase_state = 1;
        } else {
            free(t->upcase);
            t->upcase = NULL;
        }
    }
    free(raw);
    tsk_fs_file_close(f);
    return t->upcase_state;
}

/* The $I30 attribute of type type, or NULL. */
static const TSK_FS_ATTR *i30_attr(TSK_FS_FILE *f, TSK_FS_ATTR_TYPE_ENUM type)
{
    int n = tsk_fs_file_attr_getsize(f);
    for (int i = 0; i < n; i++) {
        const TSK_FS_ATTR *a = tsk_fs_file_attr_get_idx(f, i);
        if (a && a->type == type && a->name && strcmp(a->name, "$I30") == 0)
            return a;
    }
    return NULL;
}

/* Descend the index of directory record dir to name. As pl_fs_ops.lookup:
 * 1 found (*inum, *is_dir), 0 absent, -1 cannot tell. */
static int ntfs_descend(tsk_fs *t, TSK_INUM_T dir, const uint16_t *want, size_t wantlen,
                        TSK_INUM_T *inum, int *is_dir)
{
    TSK_FS_FILE *f = tsk_fs_file_open_meta(t->fs, NULL, dir);
    if (!f || !f->meta || !TSK_FS_IS_DIR_META(f->meta->type)) {
        tsk_fs_file_close(f);
        return -1;
    }
    const TSK_FS_ATTR *root = i30_attr(f, TSK_FS_ATTR_TYPE_NTFS_IDXROOT);
    const TSK_FS_ATTR *alloc = i30_attr(f, TSK_FS_ATTR_TYPE_NTFS_IDXALLOC);
    int rc = -1;
    uint8_t *buf = NULL;
    uint32_t bs = 0;
    const char *why = NULL;
    /* the root is resident: at most one MFT record */
    if (!root || root->size < 0x20 || root->size > 65536)
        goto out;
    size_t len = (size_t)root->size;
    buf = pl_xmalloc(len);
    if (tsk_fs_attr_read(root, 0, (char *)buf, len, TSK_FS_FILE_READ_FLAG_NONE) != (ssize_t)len ||
        pl_ntfs_index_root(buf, len, &bs, &why) != 0)
        goto out;
    /* VCNs count clusters, or 512-byte units when a block is smaller than
     * a cluster */
    uint32_t unit = bs >= t->fs->block_size ? t->fs->block_size : 512;
    pl_ntfs_hit hit = {0};
    size_t hdr = 0x10;
    for (int depth = 0; depth <= PL_NTFS_MAX_INDEX_DEPTH; depth++) {
        pl_ntfs_result r = pl_ntfs_index_node(buf, len, hdr, t->upcase, want, wantlen, &hit);
        if (r == PL_NTFS_FOUND) {
            *inum = (TSK_INUM_T)hit.ref;
            *is_dir = hit.is_dir;
            rc = 1;
            break;
        }
        if (r == PL_NTFS_ABSENT)
            rc = 0;
        if (r != PL_NTFS_DESCEND)
            break;
        /* the next level: one INDX block */
        uint64_t off = hit.vcn * unit;
        if (!alloc || hit.vcn > UINT64_MAX / unit || !pl_range_ok(off, bs, (uint64_t)alloc->size))
            break;
        if (len != bs) {
            free(buf);
            buf = pl_xmalloc(bs);
            len = bs;
        }
        if (tsk_fs_attr_read(alloc, (TSK_OFF_T)off, (char *)buf, len, TSK_FS_FILE_READ_FLAG_NONE) !=
                (ssize_t)len ||
            memcmp(buf, "INDX", 4) != 0 || pl_ntfs_fixup(buf, len, &why) != 0 ||
            pl_le64(buf + 0x10) != hit.vcn)
            break;
        hdr = 0x18;
    }
out:
    free(buf);
    tsk_fs_file_close(f);
    return rc;
}

/* Is inum the directory dir (record d) or one of its ancestors? */
static int looks_back(const tsk_fs *t, const char *dir, TSK_INUM_T d, TSK_INUM_T inum)
{
    if (inum == d || inum == t->fs->root_inum)
        return 1;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *slash; (slash = strrchr(buf, '/')) != NULL;) {
        *slash = '\0';
        TSK_INUM_T a = looked_inum(t, buf);
        if (!a)
            a = seen_inum(t, buf);
        if (a == inum)
            return 1;
    }
    return 0;
}

/* ---- NTFS: a whole directory by a walk of its index ------------------ */

/* Why our own: TSK's listing (tsk_fs_dir_open_meta) is quadratic in
 * entries (tsk_fs_dir_add compares each name with all before it) and its
 * first call reads the whole MFT (a parent map for orphan files, 245 MB on
 * a real server) only to add deleted entries that are never used here.
 * servicing\Packages of a server holds 16,000 entries. The walk visits
 * the B+ tree in order: the names come out sorted, 8.3 aliases skipped as
 * TSK skips them. */
typedef struct {
    tsk_fs *t;
    const TSK_FS_ATTR *alloc;
    uint32_t bs, unit;
    uint8_t *visited;          /* one bit per index block: a loop in a damaged tree */
    uint64_t nblocks;
    int depth, failed;
    listed *out;
} walk_ctx;

static int walk_block(walk_ctx *w, uint64_t vcn);

static int walk_cb(const pl_ntfs_entry *e, void *vctx)
{
    walk_ctx *w = vctx;
    if (e->has_sub && walk_block(w, e->sub_vcn) != 0) {
        w->failed = 1;
        return 1;
    }
    if (!e->name || e->dos_only)
        return 0;
    /* names TSK would convert its own way (NUL units, unpaired
     * surrogates) are left to TSK's listing */
    for (size_t i = 0; i < e->name_units; i++) {
        uint16_t u = pl_le16(e->name + 2 * i);
        if (u == 0 || (u >= 0xD800 && u <= 0xDFFF)) {
            w->failed = 1;
            return 1;
        }
    }
    if (e->name_units == 0) {
        w->failed = 1;
        return 1;
    }
    char *name = pl_utf16le_to_utf8(e->name, 2 * e->name_units);
    /* the root's index holds a "." entry (for itself): not listed, as
     * listable() drops TSK's */
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        free(name);
        return 0;
    }
    return listed_push(w->out, name, e->is_dir, (TSK_INUM_T)e->ref);
}

static int walk_block(walk_ctx *w, uint64_t vcn)
{
    if (!w->alloc || w->depth >= PL_NTFS_MAX_INDEX_DEPTH || vcn > UINT64_MAX / w->unit)
        return -1;
    uint64_t off = vcn * w->unit;
    if (off % w->bs || !pl_range_ok(off, w->bs, (uint64_t)w->alloc->size))
        return -1;
    uint64_t b = off / w->bs;
    if (b >= w->nblocks || (w->visited[b / 8] & (1u << (b % 8))))
        return -1;
    w->visited[b / 8] |= (uint8_t)(1u << (b % 8));
    uint8_t *buf = pl_xmalloc(w->bs);
    const char *why = NULL;
    int rc = -1;
    if (tsk_fs_attr_read(w->alloc, (TSK_OFF_T)off, (char *)buf, w->bs, TSK_FS_FILE_READ_FLAG_NONE) ==
            (ssize_t)w->bs &&
        memcmp(buf, "INDX", 4) == 0 && pl_ntfs_fixup(buf, w->bs, &why) == 0 &&
        pl_le64(buf + 0x10) == vcn) {
        pl_ntfs_hit hit = {0};
        w->depth++;
        pl_ntfs_result r = pl_ntfs_index_entries(buf, w->bs, 0x18, walk_cb, w, &hit);
        w->depth--;
        rc = r == PL_NTFS_FOUND && !w->failed && !w->out->too_many ? 0 : -1;
    }
    free(buf);
    return rc;
}

/* The entries of directory record dir by a walk of its index. 0, or -1
 * (not NTFS, anything unexpected, a failed read: taken back, see
 * tfs_lookup) and the caller lists through TSK. */
static int ntfs_walk(tsk_fs *t, TSK_INUM_T dir, listed *out)
{
    if (!TSK_FS_TYPE_ISNTFS(t->fs->ftype))
        return -1;
    pl_read_faults saved = {0};
    if (t->faults)
        saved = *t->faults;
    uint64_t before = fault_count(t);
    TSK_FS_FILE *f = tsk_fs_file_open_meta(t->fs, NULL, dir);
    int rc = -1;
    uint8_t *root = NULL;
    walk_ctx w = {.t = t, .out = out};
    if (!f || !f->meta || !TSK_FS_IS_DIR_META(f->meta->type))
        goto out;
    const TSK_FS_ATTR *ra = i30_attr(f, TSK_FS_ATTR_TYPE_NTFS_IDXROOT);
    w.alloc = i30_attr(f, TSK_FS_ATTR_TYPE_NTFS_IDXALLOC);
    const char *why = NULL;
    if (!ra || ra->size < 0x20 || ra->size > 65536)
        goto out;
    size_t len = (size_t)ra->size;
    root = pl_xmalloc(len);
    if (tsk_fs_attr_read(ra, 0, (char *)root, len, TSK_FS_FILE_READ_FLAG_NONE) != (ssize_t)len ||
        pl_ntfs_index_root(root, len, &w.bs, &why) != 0)
        goto out;
    w.unit = w.bs >= t->fs->block_size ? t->fs->block_size : 512;
    if (w.alloc) {
        w.nblocks = (uint64_t)w.alloc->size / w.bs;
        /* every block holds an entry at least */
        if (w.alloc->size < 0 || w.nblocks > PL_MAX_DIR_ENTRIES)
            goto out;
        w.visited = pl_xcalloc(w.nblocks / 8 + 1, 1);
    }
    pl_ntfs_hit hit = {0};
    pl_ntfs_result r = pl_ntfs_index_entries(root, len, 0x10, walk_cb, &w, &hit);
    rc = r == PL_NTFS_FOUND && !w.failed ? 0 : -1;
    if (out->too_many)
        rc = 0;   /* complete enough to refuse, as TSK's listing would be */
out:
    free(root);
    free(w.visited);
    tsk_fs_file_close(f);
    if (fault_count(t) != before) {
        if (t->faults)
            *t->faults = saved;
        rc = -1;
    }
    return rc;
}

static int tfs_lookup(pl_fs *fs, const char *dir, const char *name, int *is_dir)
{
    tsk_fs *t = (tsk_fs *)fs;
    if (!TSK_FS_TYPE_ISNTFS(t->fs->ftype))
        return -1;
    /* A lookup is a shortcut: when a read of the image fails on the way
     * ($UpCase, the index), the failure is taken back and the caller lists
     * the directory, whose own reads then fail and are reported exactly as
     * without the shortcut. */
    pl_read_faults saved = {0};
    if (t->faults)
        saved = *t->faults;
    if (upcase_setup(t) != 1) {
        if (t->faults)
            *t->faults = saved;
        return -1;
    }
    uint16_t want[PL_NTFS_MAX_NAME_UNITS];
    size_t wantlen = 0;
    if (pl_ntfs_utf8_to_utf16(name, want, PL_NTFS_MAX_NAME_UNITS, &wantlen) != 0 || wantlen == 0)
        return -1;
    /* dir was resolved just before (the root, or by a lookup or listing):
     * never by tsk_fs_path2inum here, which would list */
    TSK_INUM_T d = 0;
    if (!dir[0])
        d = t->fs->root_inum;
    else if (!(d = looked_inum(t, dir)) && index_lookup(t, dir, &d) != 1)
        return -1;
    /* the directory's record is checked as a listing would check it; a
     * damaged one is left to the listing to report */
    pl_err err;
    uint64_t before = fault_count(t);
    if (check_record(t, d, &err) != 0) {
        if (t->faults)
            *t->faults = saved;
        return -1;
    }
    TSK_INUM_T inum = 0;
    tsk_error_reset();
    int rc = ntfs_descend(t, d, want, wantlen, &inum, is_dir);
    if (fault_count(t) != before) {
        if (t->faults)
            *t->faults = saved;
        return -1;
    }
    /* a directory entry pointing back at dir or one of its ancestors (a
     * directory loop in a damaged filesystem): the listing reports it */
    if (rc == 1 && *is_dir && looks_back(t, dir, d, inum))
        return -1;
    if (rc == 1) {
        size_t slot = t->nlooked++ % LOOKED_UP;
        free(t->looked[slot].path);
        t->looked[slot].path = dir[0] ? pl_xasprintf("%s/%s", dir, name) : pl_xstrdup(name);
        t->looked[slot].inum = inum;
    }
    return rc;
}

/* A file's content from its resident data or its runs, read from the
 * image in exactly the bytes it occupies. Why not tsk_fs_file_read: TSK
 * reads anything up to 64 KiB as one 64 KiB cache block
 * (TSK_IMG_INFO_CACHE_LEN), so each of the 8,000 .mum of a server (a few
 * KiB each, .cat files between them) cost 64 KiB: 520 MB read for 40 MB of
 * manifests (bench/bench-server.sh). 0 done, 1 not a plain file (compressed,
 * encrypted, sparse, partly initialised, runs that do not cover it: TSK
 * reads those), -1 a read of the image failed. */
static int read_direct(tsk_fs *t, TSK_FS_FILE *f, uint8_t *buf, size_t n)
{
    const TSK_FS_ATTR *a = tsk_fs_file_attr_get(f);
    if (!a || a->size != (TSK_OFF_T)n || (a->flags & (TSK_FS_ATTR_ENC | TSK_FS_ATTR_COMP | TSK_FS_ATTR_SPARSE)))
        return 1;
    if (a->flags & TSK_FS_ATTR_RES) {
        /* already read with the file record */
        if (!a->rd.buf || a->rd.buf_size < n)
            return 1;
        memcpy(buf, a->rd.buf, n);
        return 0;
    }
    if (!(a->flags & TSK_FS_ATTR_NONRES) || a->nrd.initsize != a->size || a->nrd.skiplen)
        return 1;
    TSK_IMG_INFO *img = t->fs->img_info;
    uint64_t bs = t->fs->block_size, done = 0;
    for (const TSK_FS_ATTR_RUN *r = a->nrd.run; r && done < n; r = r->next) {
        if (r->flags != TSK_FS_ATTR_RUN_FLAG_NONE || r->len == 0 || r->offset > UINT64_MAX / bs ||
            r->offset * bs != done || r->len > UINT64_MAX / bs || r->addr > t->fs->last_block ||
            r->len > t->fs->last_block - r->addr + 1)
            return 1;
        uint64_t want = r->len * bs < n - done ? r->len * bs : n - done;
        TSK_OFF_T off = t->fs->offset + (TSK_OFF_T)(r->addr * bs);
        /* the image's own read: past TSK's cache, counted by the wrapper */
        if (img->read(img, off, (char *)buf + done, (size_t)want) != (ssize_t)want)
            return -1;
        done += want;
    }
    return done == n ? 0 : 1;
}

static int tfs_read(pl_fs *fs, const char *path, uint64_t max, uint8_t **data, size_t *len,
                    pl_err *err)
{
    tsk_fs *t = (tsk_fs *)fs;
    TSK_FS_FILE *f = NULL;
    int rc = open_path(t, path, &f, err);
    if (rc == 0)
        pl_err_setc(err, PL_ERR_NOT_FOUND, "no such file");
    if (rc != 1)
        return -1;
    rc = -1;
    if (TSK_FS_IS_DIR_META(f->meta->type)) {
        pl_err_setc(err, PL_ERR_UNSUPPORTED, "is a directory");
    } else if (f->meta->size < 0 || (uint64_t)f->meta->size > max) {
        pl_err_setc(err, PL_ERR_LIMIT, "file is %lld bytes, over the limit of %llu bytes",
                   (long long)f->meta->size, (unsigned long long)max);
    } else {
        size_t n = (size_t)f->meta->size;
        uint8_t *buf = pl_xmalloc_for_read(n);
        uint64_t before = fault_count(t);
        tsk_error_reset();
        int direct = read_direct(t, f, buf, n);
        if (direct == 0 || (direct == 1 && read_whole_file(f, buf, n) == 0)) {
            *data = buf;
            *len = n;
            fs->bytes_read += n;
            rc = 0;
        } else {
            char why[400];
            tsk_why(t, before, why, sizeof why);
            pl_err_setc(err, PL_ERR_IO, "read failed: %s", why);
            free(buf);
        }
    }
    tsk_fs_file_close(f);
    return rc;
}

static void tfs_close(pl_fs *fs)
{
    tsk_fs *t = (tsk_fs *)fs;
    for (size_t i = 0; i < t->nlooked && i < LOOKED_UP; i++)
        free(t->looked[i].path);
    free(t->upcase);
    if (t->mft)
        tsk_fs_file_close(t->mft);
    for (size_t i = 0; i < t->nseen && i < SEEN_DIRS; i++)
        free(t->seen[i].path);
    for (size_t i = 0; i < INDEXED_DIRS; i++)
        index_free(&t->index[i]);
    tsk_fs_close(t->fs);
    free(t);
}

static const pl_fs_ops tsk_fs_ops = {
    .stat = tfs_stat,
    .list = tfs_list,
    .read = tfs_read,
    .prefetch = NULL,
    .close = tfs_close,
    .lookup = tfs_lookup,
};

/* ---- the source ---------------------------------------------------------- */

typedef struct {
    uint64_t start;          /* bytes */
    int number;              /* 1-based among data partitions */
    char *problem;           /* why it cannot be read (outside the disk), or NULL */
} part_ref;

typedef struct {
    pl_source base;
    pl_disk disk;
    TSK_VS_INFO *vs;         /* NULL: a bare volume */
    const char *scheme;      /* "mbr", "gpt", "none" */
    part_ref *parts;
    size_t nparts, next;
    char *table_error;       /* the partition table could not be read */
    int done;                /* every volume handed out and every fault reported */
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

static uint64_t disk_sectors(const disk_source *s, unsigned block)
{
    return (uint64_t)s->disk.img->size / block;
}

/* The data partitions in disk order (extended containers and free space
 * are not partitions a filesystem lives on). One that starts past the end
 * of the disk is kept, with the reason it cannot be read. */
static void list_partitions(disk_source *s, size_t extra)
{
    TSK_VS_INFO *vs = s->vs;
    s->parts = pl_xcalloc(vs->part_count + extra + 1, sizeof *s->parts);
    uint64_t sectors = disk_sectors(s, vs->block_size);
    int number = 0;
    for (TSK_PNUM_T i = 0; i < vs->part_count; i++) {
        const TSK_VS_PART_INFO *p = tsk_vs_part_get(vs, i);
        if (!p || !(p->flags & TSK_VS_PART_FLAG_ALLOC))
            continue;
        part_ref *r = &s->parts[s->nparts++];
        *r = (part_ref){.start = (uint64_t)p->start * vs->block_size, .number = ++number};
        if (p->start >= sectors)
            r->problem = pl_xasprintf("starts at sector %llu, past the end of the disk (%llu "
                                      "sectors)",
                                      (unsigned long long)p->start, (unsigned long long)sectors);
        else if (p->len > sectors - p->start)
            pl_notes_add(&s->base.warnings, PL_ERR_TRUNCATED,
                             "%s partition %d ends at sector %llu, past the end of the disk "
                             "(%llu sectors): what lies beyond cannot be read",
                             s->scheme, number, (unsigned long long)(p->start + p->len),
                             (unsigned long long)sectors);
    }
}

static pl_volume *make_volume(disk_source *s, TSK_FS_INFO *fs, const part_ref *part)
{
    tsk_fs *t = pl_xcalloc(1, sizeof *t);
    t->base.ops = &tsk_fs_ops;
    /* TSK matches NTFS and FAT names case-insensitively. */
    t->base.case_insensitive = 1;
    t->fs = fs;
    t->faults = s->disk.faults;
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
 * searched, and reported, rather than skipped silently). -1 when the boot
 * sector cannot be read. */
static int boot_sector_type(TSK_IMG_INFO *img, uint64_t start, TSK_FS_TYPE_ENUM *type)
{
    uint8_t b[2048];
    *type = TSK_FS_TYPE_UNSUPP;
    uint64_t n = (uint64_t)img->size > start ? (uint64_t)img->size - start : 0;
    if (n > sizeof b)
        n = sizeof b;
    memset(b, 0, sizeof b);
    if (n < 512)
        return 0;   /* too little room for any filesystem */
    if (tsk_img_read(img, (TSK_OFF_T)start, (char *)b, (size_t)n) != (ssize_t)n)
        return -1;
    if (memcmp(b + 3, "NTFS    ", 8) == 0)
        *type = TSK_FS_TYPE_NTFS;
    else if (memcmp(b + 3, "EXFAT   ", 8) == 0)
        *type = TSK_FS_TYPE_EXFAT;
    else if (memcmp(b + 54, "FAT", 3) == 0 || memcmp(b + 82, "FAT32", 5) == 0)
        *type = TSK_FS_TYPE_FAT_DETECT;
    else if (b[1024 + 56] == 0x53 && b[1024 + 57] == 0xEF)
        *type = TSK_FS_TYPE_EXT_DETECT;
    return 0;
}

static char *part_label(const disk_source *s, const part_ref *p)
{
    return strcmp(s->scheme, "none") != 0 ? pl_xasprintf("%s partition %d", s->scheme, p->number)
                                         : pl_xstrdup("volume");
}

/* Failed reads of the image not reported yet: one error for them all. */
static int report_faults(disk_source *s, const char *what, pl_err *err)
{
    pl_read_faults *f = s->disk.faults;
    if (!f || f->count == f->reported)
        return 0;
    uint64_t n = f->count - f->reported;
    if (n > 1)
        pl_err_setc(err, PL_ERR_IO, "%scannot read the disk image: %s (and %llu more failed reads)", what,
                   f->first, (unsigned long long)(n - 1));
    else
        pl_err_setc(err, PL_ERR_IO, "%scannot read the disk image: %s", what, f->first);
    f->reported = f->count;
    return -1;
}

/* Partitions without a filesystem we recognise (unformatted, swap, ...)
 * are skipped: they hold no Windows. One whose boot sector names a
 * filesystem that then cannot be opened, or that lies outside the disk,
 * is an error of the input; so is any read of the image that failed. */
static int disk_next(pl_source *src, pl_volume **out, pl_err *err)
{
    disk_source *s = (disk_source *)src;
    if (s->table_error) {
        pl_err_setc(err, PL_ERR_CORRUPT, "%s", s->table_error);
        free(s->table_error);
        s->table_error = NULL;
        return -1;
    }
    while (s->next < s->nparts) {
        const part_ref *p = &s->parts[s->next++];
        char *label = part_label(s, p);
        if (p->problem) {
            pl_err_setc(err, PL_ERR_CORRUPT, "%s: %s", label, p->problem);
            free(label);
            return -1;
        }
        TSK_FS_TYPE_ENUM type;
        uint64_t before = s->disk.faults->count;
        if (boot_sector_type(s->disk.img, p->start, &type) != 0) {
            char *what = pl_xasprintf("%s: boot sector: ", label);
            if (report_faults(s, what, err) == 0)
                pl_err_setc(err, PL_ERR_IO, "%s: cannot read its boot sector", label);
            free(what);
            free(label);
            return -1;
        }
        tsk_error_reset();
        TSK_FS_INFO *fs = type == TSK_FS_TYPE_UNSUPP
                              ? NULL
                              : tsk_fs_open_img(s->disk.img, (TSK_OFF_T)p->start, type);
        if (fs) {
            free(label);
            *out = make_volume(s, fs, s->vs ? p : NULL);
            return 1;
        }
        if (type != TSK_FS_TYPE_UNSUPP) {
            /* the boot sector says NTFS (or FAT...), and it does not open */
            const char *name = type == TSK_FS_TYPE_NTFS ? "NTFS" : tsk_fs_type_toname(type);
            if (s->disk.faults->count > before) {
                char *what = pl_xasprintf("%s: cannot open the %s filesystem: ", label, name);
                if (report_faults(s, what, err) == 0)
                    pl_err_setc(err, PL_ERR_CORRUPT, "%s: cannot open the %s filesystem", label, name);
                free(what);
            } else {
                char why[400];
                snprintf(why, sizeof why, "%s", tsk_error_get() ? tsk_error_get() : "unknown");
                pl_disk_one_line(why);
                pl_err_setc(err, PL_ERR_CORRUPT, "%s: cannot open the %s filesystem: %s", label, name, why);
            }
            free(label);
            return -1;
        }
        free(label);
        if (!s->vs)
            pl_notes_add(&s->base.warnings, PL_ERR_UNRECOGNIZED,
                         "no partition table or filesystem recognised in the disk image");
    }
    if (!s->done) {
        s->done = 1;
        if (report_faults(s, "", err) != 0)
            return -1;
    }
    return 0;
}

static void disk_close(pl_source *src)
{
    disk_source *s = (disk_source *)src;
    if (s->vs)
        tsk_vs_close(s->vs);
    pl_disk_close(&s->disk);
    for (size_t i = 0; i < s->nparts; i++)
        free(s->parts[i].problem);
    free(s->parts);
    free(s->table_error);
    pl_strlist_free(&s->base.chain);
    pl_notes_free(&s->base.warnings);
    free(s);
}

static const pl_source_ops disk_ops = {.next_volume = disk_next, .close = disk_close};

/* The partition table type, decided by us: TSK's detection opens a GPT
 * disk's protective MBR as a DOS table too and leaks the loser's partition
 * list (libtsk 4.11), and Windows lives on MBR or GPT disks only. A boot
 * sector of a filesystem also ends in 55AA: that is a bare volume. -1 when
 * the first sectors cannot be read. */
static int table_type(TSK_IMG_INFO *img, TSK_VS_TYPE_ENUM *type)
{
    uint8_t b[4096 + 512];
    *type = TSK_VS_TYPE_UNSUPP;
    size_t n = (uint64_t)img->size < sizeof b ? (size_t)img->size : sizeof b;
    memset(b, 0, sizeof b);
    if (n < 512)
        return 0;
    if (tsk_img_read(img, 0, (char *)b, n) != (ssize_t)n)
        return -1;
    if (memcmp(b + 512, "EFI PART", 8) == 0 || memcmp(b + 4096, "EFI PART", 8) == 0)
        *type = TSK_VS_TYPE_GPT;
    else if (b[510] != 0x55 || b[511] != 0xAA)
        *type = TSK_VS_TYPE_UNSUPP;
    else if (memcmp(b + 3, "NTFS    ", 8) == 0 || memcmp(b + 3, "EXFAT   ", 8) == 0 ||
             memcmp(b + 54, "FAT", 3) == 0 || memcmp(b + 82, "FAT32", 5) == 0)
        *type = TSK_VS_TYPE_UNSUPP;
    else
        *type = TSK_VS_TYPE_DOS;
    return 0;
}

/* TSK refuses a whole MBR when one of its first two entries starts past the
 * end of the disk. Clear every primary entry that does (served to TSK in
 * place of sector 0; the image is not touched) and keep them as partitions
 * that cannot be read: they come last in disk order, so the numbers of the
 * others do not change. Returns how many were cleared. */
static size_t clear_entries_outside(disk_source *s, part_ref *outside)
{
    uint8_t mbr[512];
    if (tsk_img_read(s->disk.img, 0, (char *)mbr, 512) != 512)
        return 0;
    uint64_t sectors = disk_sectors(s, 512);
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t *e = mbr + 446 + 16 * i;
        uint32_t start = pl_le32(e + 8), len = pl_le32(e + 12);
        if (len == 0 || e[4] == 0 || start < sectors)
            continue;
        outside[n++] = (part_ref){
            .start = (uint64_t)start * 512,
            .problem = pl_xasprintf("starts at sector %u, past the end of the disk (%llu "
                                    "sectors; partition table entry %d)",
                                    start, (unsigned long long)sectors, i + 1)};
        memset(e, 0, 16);
    }
    if (n)
        pl_disk_override_sector0(&s->disk, mbr);
    return n;
}

static void find_volumes(disk_source *s)
{
    TSK_VS_TYPE_ENUM type;
    if (table_type(s->disk.img, &type) != 0) {
        pl_err e;
        if (report_faults(s, "partition table: ", &e) == 0)
            pl_err_setc(&e, PL_ERR_IO, "cannot read the first sectors of the disk");
        s->table_error = pl_xstrdup(e.msg);
        s->scheme = "none";
        return;
    }
    tsk_error_reset();
    s->vs = type == TSK_VS_TYPE_UNSUPP ? NULL : tsk_vs_open(s->disk.img, 0, type);
    part_ref outside[4];
    size_t nout = 0;
    if (!s->vs && type == TSK_VS_TYPE_DOS) {
        nout = clear_entries_outside(s, outside);
        if (nout) {
            tsk_error_reset();
            s->vs = tsk_vs_open(s->disk.img, 0, type);
        }
    }
    if (s->vs) {
        s->scheme = scheme_name(s->vs->vstype);
        list_partitions(s, nout);
        for (size_t i = 0; i < nout; i++) {
            outside[i].number = (int)s->nparts + 1;
            s->parts[s->nparts++] = outside[i];
        }
        return;
    }
    if (nout) {
        /* every entry lies outside the disk: each is an error of its own */
        s->scheme = "mbr";
        s->parts = pl_xcalloc(nout, sizeof *s->parts);
        for (size_t i = 0; i < nout; i++) {
            outside[i].number = (int)i + 1;
            s->parts[s->nparts++] = outside[i];
        }
        s->vs = NULL;
        return;
    }
    if (type != TSK_VS_TYPE_UNSUPP) {
        /* A table is there (55AA, or a GPT header) but does not read. */
        char why[400];
        snprintf(why, sizeof why, "%s", tsk_error_get() ? tsk_error_get() : "unknown error");
        pl_disk_one_line(why);
        s->table_error = pl_xasprintf("cannot read the %s partition table: %s",
                                      type == TSK_VS_TYPE_GPT ? "GPT" : "MBR", why);
        s->scheme = type == TSK_VS_TYPE_GPT ? "gpt" : "mbr";
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
    s->base.container = s->disk.ops->name;
    s->base.image_bytes_read = s->disk.bytes_read;
    for (size_t i = 0; i < s->disk.chain.len; i++)
        pl_strlist_push(&s->base.chain, s->disk.chain.items[i]);
    find_volumes(s);
    *out = &s->base;
    return 0;
}

/* ---- the kind ------------------------------------------------------------- */

/* A disk image is whatever a container module bids on (container.h). */
static int disk_bid(const char *path, int is_dir, const uint8_t *magic, size_t got)
{
    (void)is_dir, (void)magic, (void)got;
    pl_err derr;
    return pl_container_detect(path, &derr) != NULL;
}

static int disk_open(const char *path, const pl_source_options *opt, pl_source **out,
                     pl_err *err)
{
    return pl_source_open_disk(path, opt ? opt->parents : NULL, out, err);
}

static int disk_probe(const char *path, const uint8_t *magic, size_t got,
                      pl_source_probe_info *info)
{
    (void)magic, (void)got;
    pl_err derr;
    const pl_container_ops *ops = pl_container_detect(path, &derr);
    if (!ops)
        return 0;
    info->kind = "disk";
    info->container = ops->name;
    return 1;
}

const pl_source_kind pl_source_kind_disk = {
    .name = "disk", .bid = disk_bid, .open = disk_open, .probe = disk_probe};
