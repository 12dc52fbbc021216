/* Opening an input by its content, and the path resolution every backend
 * shares. */
#include "sources/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/limits.h"

/* ---- case-insensitive path resolution ---------------------------------- */

/* Directory listings kept per volume: resolving System32\ntoskrnl.exe,
 * kernel32.dll and ntkrnlpa.exe lists System32 once, not three times. */
#define DIR_CACHE_SLOTS 16

/* An entry of a listing by name, for binary search: a directory of an
 * image may hold 1000000 names, and servicing\Packages is looked up once
 * per package, so a scan per lookup would be quadratic. */
typedef struct {
    const char *name;
    size_t i;              /* index in names: listing order breaks ties */
} name_ref;

typedef struct {
    char *dir;
    pl_strlist names;
    uint8_t *is_dir;
    name_ref *exact;       /* by strcmp */
    name_ref *folded;      /* by ASCII case-insensitive order, then index */
} cached_dir;

struct pl_dir_cache {
    cached_dir slots[DIR_CACHE_SLOTS];
    size_t next;                 /* round-robin replacement */
};

static void cached_dir_free(cached_dir *c)
{
    free(c->dir);
    pl_strlist_free(&c->names);
    free(c->is_dir);
    free(c->exact);
    free(c->folded);
    memset(c, 0, sizeof *c);
}

void pl_fs_close(pl_fs *fs)
{
    if (!fs)
        return;
    if (fs->cache) {
        for (size_t i = 0; i < DIR_CACHE_SLOTS; i++)
            cached_dir_free(&fs->cache->slots[i]);
        free(fs->cache);
        fs->cache = NULL;
    }
    fs->ops->close(fs);
}

struct collect_ctx {
    cached_dir *c;
    size_t cap;
};

static int collect_cb(const char *name, int is_dir, void *vctx)
{
    struct collect_ctx *ctx = vctx;
    if (ctx->c->names.len == ctx->cap) {
        ctx->cap = ctx->cap ? 2 * ctx->cap : 32;
        ctx->c->is_dir = pl_xrealloc(ctx->c->is_dir, ctx->cap);
    }
    ctx->c->is_dir[ctx->c->names.len] = (uint8_t)(is_dir != 0);
    pl_strlist_push(&ctx->c->names, name);
    return 0;
}

static int ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        x = (x >= 'A' && x <= 'Z') ? x + 32 : x;
        y = (y >= 'A' && y <= 'Z') ? y + 32 : y;
        if (x != y || x == 0)
            return x - y;
    }
}

static int cmp_exact(const void *a, const void *b)
{
    return strcmp(((const name_ref *)a)->name, ((const name_ref *)b)->name);
}

static int cmp_folded(const void *a, const void *b)
{
    const name_ref *x = a, *y = b;
    int c = ascii_casecmp(x->name, y->name);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static void index_listing(cached_dir *c)
{
    size_t n = c->names.len ? c->names.len : 1;
    c->exact = pl_xcalloc(n, sizeof *c->exact);
    c->folded = pl_xcalloc(n, sizeof *c->folded);
    for (size_t i = 0; i < c->names.len; i++)
        c->exact[i] = c->folded[i] = (name_ref){c->names.items[i], i};
    if (c->names.len > 1) {
        qsort(c->exact, c->names.len, sizeof *c->exact, cmp_exact);
        qsort(c->folded, c->names.len, sizeof *c->folded, cmp_folded);
    }
}

static cached_dir *cached_listing(pl_fs *fs, const char *dir)
{
    if (!fs->cache)
        fs->cache = pl_xcalloc(1, sizeof *fs->cache);
    for (size_t i = 0; i < DIR_CACHE_SLOTS; i++)
        if (fs->cache->slots[i].dir && strcmp(fs->cache->slots[i].dir, dir) == 0)
            return &fs->cache->slots[i];
    return NULL;
}

/* The listing of dir, from the cache or freshly read into it. */
static cached_dir *listing(pl_fs *fs, const char *dir, pl_err *err)
{
    cached_dir *hit = cached_listing(fs, dir);
    if (hit)
        return hit;
    cached_dir *c = &fs->cache->slots[fs->cache->next++ % DIR_CACHE_SLOTS];
    cached_dir_free(c);
    struct collect_ctx ctx = {.c = c};
    if (fs->ops->list(fs, dir, collect_cb, &ctx, err) != 0) {
        cached_dir_free(c);
        return NULL;
    }
    c->dir = pl_xstrdup(dir);
    index_listing(c);
    return c;
}

/* The entry of c named like want: an exact match wins over a
 * case-insensitive one. -1 when none. */
static long find_entry(const cached_dir *c, const char *want)
{
    size_t n = c->names.len;
    if (n == 0)
        return -1;
    name_ref key = {want, 0};
    const name_ref *e = bsearch(&key, c->exact, n, sizeof *c->exact, cmp_exact);
    if (e)
        return (long)e->i;
    /* The first case-insensitive match in listing order: the lowest bound
     * of the names equal to want when case is ignored. */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ascii_casecmp(c->folded[mid].name, want) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && ascii_casecmp(c->folded[lo].name, want) == 0 ? (long)c->folded[lo].i : -1;
}

static char *join_path(const char *dir, const char *name)
{
    return dir[0] ? pl_xasprintf("%s/%s", dir, name) : pl_xstrdup(name);
}

/* Walk the components of path through (cached) directory listings. */
static int resolve_by_listing(pl_fs *fs, const char *path, char **exact, pl_err *err)
{
    char *copy = pl_xstrdup(path);
    char *cur = pl_xstrdup("");
    char *save = NULL;
    int depth = 0, rc = 1, cur_is_dir = 1;
    for (char *comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
        if (!cur_is_dir) {
            rc = 0; /* a path through a file does not exist */
            break;
        }
        if (++depth > PL_MAX_PATH_DEPTH) {
            pl_err_setc(err, PL_ERR_LIMIT, "path has more than %d components", PL_MAX_PATH_DEPTH);
            rc = -1;
            break;
        }
        /* A backend that can look one name up (NTFS: a descent of the
         * directory's B+ tree) spares listing a directory it has not listed
         * yet: WinSxS holds 40,000 entries on a real server and only
         * pending.xml is wanted. An exact hit or a sure absence gives the
         * same answer the listing would; anything else lists. */
        int lk = -1, lk_dir = 0;
        if (fs->ops->lookup && !cached_listing(fs, cur))
            lk = fs->ops->lookup(fs, cur, comp, &lk_dir);
        if (lk == 0) {
            rc = 0;
            break;
        }
        if (lk == 1) {
            char *next = join_path(cur, comp);
            cur_is_dir = lk_dir;
            free(cur);
            cur = next;
            continue;
        }
        cached_dir *c = listing(fs, cur, err);
        long i = c ? find_entry(c, comp) : -1;
        if (!c || i < 0) {
            rc = c ? 0 : -1;
            break;
        }
        char *next = join_path(cur, c->names.items[i]);
        cur_is_dir = c->is_dir[i];
        free(cur);
        cur = next;
    }
    free(copy);
    if (rc == 1)
        *exact = cur;
    else
        free(cur);
    return rc;
}

int pl_fs_resolve(pl_fs *fs, const char *path, char **exact, pl_err *err)
{
    if (fs->case_insensitive)
        return resolve_by_listing(fs, path, exact, err);
    /* Most trees store the names as we spell them: one stat settles it. */
    pl_stat st;
    int rc = fs->ops->stat(fs, path, &st, err);
    if (rc != 0) {
        if (rc == 1)
            *exact = pl_xstrdup(path);
        return rc;
    }
    return resolve_by_listing(fs, path, exact, err);
}

int pl_fs_read_ci(pl_fs *fs, const char *path, uint64_t max, uint8_t **data, size_t *len,
                  char **exact, pl_err *err)
{
    char *real = NULL;
    int rc = pl_fs_resolve(fs, path, &real, err);
    if (rc != 1)
        return rc;
    rc = fs->ops->read(fs, real, max, data, len, err) == 0 ? 1 : -1;
    /* The stored path is handed back on a read error too: the caller
     * names the file in its message. */
    if (exact)
        *exact = real;
    else
        free(real);
    return rc;
}

/* ---- symbolic links ------------------------------------------------------ */

int pl_host_path_outside(const char *p, const char *dir, char **target)
{
    char *rp = realpath(p, NULL);
    char *rd = rp ? realpath(dir, NULL) : NULL;
    int outside = 0;
    if (rp && rd) {
        size_t n = strlen(rd);
        /* "/" contains everything; otherwise rd itself or rd + "/..." */
        int inside = strcmp(rd, "/") == 0 ||
                     (strncmp(rp, rd, n) == 0 && (rp[n] == '\0' || rp[n] == '/'));
        outside = !inside;
    }
    if (outside)
        *target = rp;
    else
        free(rp);
    free(rd);
    return outside;
}

/* ---- volumes and sources ------------------------------------------------ */

void pl_wim_claim_free(pl_wim_claim *c)
{
    free(c->product_name);
    free(c->edition_id);
    free(c->installation_type);
    free(c->product_type);
    free(c->arch);
    free(c->default_language);
    free(c->name);
    free(c->description);
    memset(c, 0, sizeof *c);
}

void pl_volume_free(pl_volume *v)
{
    if (!v)
        return;
    if (v->fs)
        pl_fs_close(v->fs);
    free(v->loc.wim_image_name);
    pl_wim_claim_free(&v->wim_xml);
    free(v);
}

void pl_source_close(pl_source *src)
{
    if (src)
        src->ops->close(src);
}

/* The first bytes of a file decide what it is. */
static int read_magic(const char *path, uint8_t *buf, size_t n, size_t *got, pl_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        pl_err_setc(err, PL_ERR_IO, "cannot open: %s", strerror(errno));
        return -1;
    }
    ssize_t r = read(fd, buf, n);
    int saved = errno;
    close(fd);
    if (r < 0) {
        pl_err_setc(err, PL_ERR_IO, "cannot read: %s", strerror(saved));
        return -1;
    }
    *got = (size_t)r;
    return 0;
}

/* The kinds of input, in bidding order: the first that bids opens it. */
const pl_source_kind *const pl_source_kinds[] = {
    &pl_source_kind_tree,
    &pl_source_kind_wim,
    &pl_source_kind_hive,
    &pl_source_kind_disk,
    NULL,
};

int pl_source_open(const char *input, const pl_source_options *opt, pl_source **out,
                   pl_err *err)
{
    struct stat st;
    if (stat(input, &st) != 0) {
        pl_err_setc(err, PL_ERR_IO, "cannot open: %s", strerror(errno));
        return -1;
    }
    int is_dir = S_ISDIR(st.st_mode);
    if (!is_dir && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        pl_err_setc(err, PL_ERR_UNSUPPORTED, "not a regular file, block device or directory");
        return -1;
    }
    uint8_t magic[PL_SOURCE_MAGIC] = {0};
    size_t got = 0;
    if (!is_dir && read_magic(input, magic, sizeof magic, &got, err) != 0)
        return -1;
    for (size_t i = 0; pl_source_kinds[i]; i++)
        if (pl_source_kinds[i]->bid(input, is_dir, is_dir ? NULL : magic, got))
            return pl_source_kinds[i]->open(input, opt, out, err);
    if (got == 0)
        pl_err_setc(err, PL_ERR_UNRECOGNIZED, "unrecognised input: the file is empty");
    else
        pl_err_setc(err, PL_ERR_UNRECOGNIZED, "unrecognised input: not a disk image, a WIM, a registry hive or a "
                        "directory (unknown signature)");
    return -1;
}

int pl_source_probe(int fd, const char *path, pl_source_probe_info *info)
{
    uint8_t magic[PL_SOURCE_MAGIC] = {0};
    memset(info, 0, sizeof *info);
    ssize_t r = pread(fd, magic, sizeof magic, 0);
    size_t got = r > 0 ? (size_t)r : 0;
    for (size_t i = 0; pl_source_kinds[i]; i++)
        if (pl_source_kinds[i]->probe && pl_source_kinds[i]->probe(path, magic, got, info))
            return 1;
    return 0;
}
