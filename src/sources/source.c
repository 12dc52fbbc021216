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

struct find_ctx {
    const char *want;
    char *found;        /* best match so far: an exact one wins */
    int found_is_dir;
};

static int find_entry_cb(const char *name, int is_dir, void *vctx)
{
    struct find_ctx *ctx = vctx;
    int exact = strcmp(name, ctx->want) == 0;
    if (exact || (!ctx->found && pl_strcaseeq(name, ctx->want))) {
        free(ctx->found);
        ctx->found = pl_xstrdup(name);
        ctx->found_is_dir = is_dir;
    }
    return exact;
}

static char *join_path(const char *dir, const char *name)
{
    return dir[0] ? pl_xasprintf("%s/%s", dir, name) : pl_xstrdup(name);
}

/* Walk the components of path, listing each directory on the way. */
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
            pl_err_set(err, "path has more than %d components", PL_MAX_PATH_DEPTH);
            rc = -1;
            break;
        }
        struct find_ctx ctx = {.want = comp};
        if (fs->ops->list(fs, cur, find_entry_cb, &ctx, err) != 0) {
            free(ctx.found);
            rc = -1;
            break;
        }
        if (!ctx.found) {
            rc = 0;
            break;
        }
        char *next = join_path(cur, ctx.found);
        cur_is_dir = ctx.found_is_dir;
        free(ctx.found);
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
    if (fs->ops->read(fs, real, max, data, len, err) != 0) {
        pl_err_prefix(err, "%s", real);
        free(real);
        return -1;
    }
    if (exact)
        *exact = real;
    else
        free(real);
    return 1;
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
        v->fs->ops->close(v->fs);
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
        pl_err_set(err, "cannot open: %s", strerror(errno));
        return -1;
    }
    ssize_t r = read(fd, buf, n);
    int saved = errno;
    close(fd);
    if (r < 0) {
        pl_err_set(err, "cannot read: %s", strerror(saved));
        return -1;
    }
    *got = (size_t)r;
    return 0;
}

int pl_source_open(const char *input, const pl_source_options *opt, pl_source **out,
                   pl_err *err)
{
    (void)opt;
    struct stat st;
    if (stat(input, &st) != 0) {
        pl_err_set(err, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        return pl_source_open_tree(input, out, err);
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        pl_err_set(err, "not a regular file, block device or directory");
        return -1;
    }
    uint8_t magic[8] = {0};
    size_t got = 0;
    if (read_magic(input, magic, sizeof magic, &got, err) != 0)
        return -1;
    if (got >= 8 && memcmp(magic, "MSWIM\0\0\0", 8) == 0)
        return pl_source_open_wim(input, out, err);
    if (got >= 4 && memcmp(magic, "regf", 4) == 0)
        return pl_source_open_hive(input, out, err);
    if (got == 0)
        pl_err_set(err, "unrecognised input: the file is empty");
    else
        pl_err_set(err, "unrecognised input: not a WIM, a registry hive or a directory "
                        "(unknown signature)");
    return -1;
}
