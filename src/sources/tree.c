/* A Windows tree on the host: extracted, or mounted by someone else.
 * One volume, read with plain POSIX calls, opened read-only. A symbolic
 * link in the tree is followed only while it stays inside the tree: a
 * config/SOFTWARE linked to /etc/... is refused (code unsafe), so the
 * report never describes, and patchlevel never reads, a file of the host
 * machine as if it were evidence. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/source.h"
#include "util/limits.h"

typedef struct {
    pl_fs base;
    char *root;
} dir_fs;

static char *host_path(dir_fs *d, const char *path)
{
    return path[0] ? pl_xasprintf("%s/%s", d->root, path) : pl_xstrdup(d->root);
}

static int dir_stat(pl_fs *fs, const char *path, pl_stat *st, pl_err *err)
{
    char *hp = host_path((dir_fs *)fs, path);
    struct stat sb;
    int rc = stat(hp, &sb);
    int saved = errno;
    free(hp);
    if (rc != 0) {
        if (saved == ENOENT || saved == ENOTDIR)
            return 0;
        pl_err_setc(err, PL_ERR_IO, "%s: %s", path, strerror(saved));
        return -1;
    }
    st->is_dir = S_ISDIR(sb.st_mode);
    st->size = (uint64_t)sb.st_size;
    return 1;
}

static int entry_is_dir(const char *dirpath, const struct dirent *de)
{
    if (de->d_type == DT_DIR)
        return 1;
    if (de->d_type != DT_UNKNOWN && de->d_type != DT_LNK)
        return 0;
    char *p = pl_xasprintf("%s/%s", dirpath, de->d_name);
    struct stat sb;
    int isdir = stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
    free(p);
    return isdir;
}

static int dir_list(pl_fs *fs, const char *dir, pl_dir_cb cb, void *ctx, pl_err *err)
{
    char *hp = host_path((dir_fs *)fs, dir);
    char *target = NULL;
    if (pl_host_path_outside(hp, ((dir_fs *)fs)->root, &target)) {
        pl_err_setc(err, PL_ERR_UNSAFE, "cannot list %s: a symbolic link to %s, outside the "
                                        "input directory: not followed", dir, target);
        free(target);
        free(hp);
        return -1;
    }
    DIR *dh = opendir(hp);
    if (!dh) {
        pl_err_setc(err, PL_ERR_IO, "cannot list %s: %s", dir[0] ? dir : "the root directory", strerror(errno));
        free(hp);
        return -1;
    }
    size_t n = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (++n > PL_MAX_DIR_ENTRIES) {
            pl_err_setc(err, PL_ERR_LIMIT, "%s: more than %d entries", dir, PL_MAX_DIR_ENTRIES);
            rc = -1;
            break;
        }
        if (cb(de->d_name, entry_is_dir(hp, de), ctx))
            break;
    }
    closedir(dh);
    free(hp);
    return rc;
}

static int read_fd_fully(int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, buf + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* Read a host file of at most max bytes. Shared with the hive source. */
int pl_host_read_file(const char *hp, uint64_t max, uint8_t **data, size_t *len, pl_err *err)
{
    /* O_NONBLOCK: opening a FIFO planted in a tree must not wait for a
     * writer; anything but a regular file is refused before reading. */
    int fd = open(hp, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        pl_err_setc(err, PL_ERR_IO, "cannot open: %s", strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
        pl_err_setc(err, PL_ERR_UNSUPPORTED, "not a regular file");
        close(fd);
        return -1;
    }
    if ((uint64_t)sb.st_size > max) {
        pl_err_setc(err, PL_ERR_LIMIT, "file is %llu bytes, over the limit of %llu bytes",
                   (unsigned long long)sb.st_size, (unsigned long long)max);
        close(fd);
        return -1;
    }
    size_t n = (size_t)sb.st_size;
    uint8_t *buf = pl_xmalloc_for_read(n);
    if (read_fd_fully(fd, buf, n) != 0) {
        pl_err_setc(err, PL_ERR_IO, "read failed or file shrank while reading");
        free(buf);
        close(fd);
        return -1;
    }
    close(fd);
    *data = buf;
    *len = n;
    return 0;
}

static int dir_read(pl_fs *fs, const char *path, uint64_t max, uint8_t **data, size_t *len,
                    pl_err *err)
{
    char *hp = host_path((dir_fs *)fs, path);
    char *target = NULL;
    if (pl_host_path_outside(hp, ((dir_fs *)fs)->root, &target)) {
        pl_err_setc(err, PL_ERR_UNSAFE, "a symbolic link to %s, outside the input directory: "
                                        "not followed", target);
        free(target);
        free(hp);
        return -1;
    }
    int rc = pl_host_read_file(hp, max, data, len, err);
    free(hp);
    if (rc == 0)
        fs->bytes_read += *len;
    return rc;
}

static void dir_close(pl_fs *fs)
{
    dir_fs *d = (dir_fs *)fs;
    free(d->root);
    free(d);
}

static const pl_fs_ops dir_fs_ops = {
    .stat = dir_stat,
    .list = dir_list,
    .read = dir_read,
    .prefetch = NULL,
    .close = dir_close,
};

pl_fs *pl_fs_dir_open(const char *root, pl_err *err)
{
    struct stat sb;
    if (stat(root, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        pl_err_setc(err, PL_ERR_UNSUPPORTED, "%s: not a directory", root);
        return NULL;
    }
    dir_fs *d = pl_xcalloc(1, sizeof *d);
    d->base.ops = &dir_fs_ops;
    d->root = pl_xstrdup(root);
    /* Drop trailing slashes so joined paths stay tidy. */
    for (size_t n = strlen(d->root); n > 1 && d->root[n - 1] == '/'; n--)
        d->root[n - 1] = '\0';
    return &d->base;
}

/* ---- the tree source: one volume -------------------------------------- */

typedef struct {
    pl_source base;
    char *root;
    int done;
} tree_source;

static int tree_next(pl_source *src, pl_volume **out, pl_err *err)
{
    tree_source *t = (tree_source *)src;
    if (t->done)
        return 0;
    t->done = 1;
    pl_fs *fs = pl_fs_dir_open(t->root, err);
    if (!fs)
        return -1;
    pl_volume *v = pl_xcalloc(1, sizeof *v);
    v->fs = fs;
    v->loc.partition_scheme = "none";
    v->loc.partition_start = -1;
    v->loc.filesystem = "dir";
    *out = v;
    return 1;
}

static void tree_close(pl_source *src)
{
    tree_source *t = (tree_source *)src;
    free(t->root);
    pl_strlist_free(&t->base.chain);
    pl_notes_free(&t->base.warnings);
    free(t);
}

static const pl_source_ops tree_ops = {.next_volume = tree_next, .close = tree_close};

int pl_source_open_tree(const char *path, pl_source **out, pl_err *err)
{
    (void)err;
    tree_source *t = pl_xcalloc(1, sizeof *t);
    t->base.ops = &tree_ops;
    t->base.container = "dir";
    t->root = pl_xstrdup(path);
    *out = &t->base;
    return 0;
}

/* Does dir hold rel (a directory), case-insensitively as Windows names
 * match? Resolution lists at most PL_MAX_DIR_ENTRIES entries per level and
 * refuses symbolic links out of dir: any failure is "no". */
static int holds_dir(pl_fs *fs, const char *rel)
{
    char *exact = NULL;
    pl_err err;
    pl_stat st = {0};
    int found = pl_fs_resolve(fs, rel, &exact, &err) == 1 &&
                fs->ops->stat(fs, exact, &st, &err) == 1 && st.is_dir;
    free(exact);
    return found;
}

int pl_tree_probe(const char *path)
{
    pl_err err;
    pl_fs *fs = pl_fs_dir_open(path, &err);
    if (!fs)
        return 0;
    int tree = holds_dir(fs, "Windows/System32/config") || holds_dir(fs, "System32/config");
    pl_fs_close(fs);
    return tree;
}

/* A directory is read as a tree of Windows files. */
static int tree_bid(const char *path, int is_dir, const uint8_t *magic, size_t got)
{
    (void)path, (void)magic, (void)got;
    return is_dir;
}

static int tree_open(const char *path, const pl_source_options *opt, pl_source **out,
                     pl_err *err)
{
    (void)opt;
    return pl_source_open_tree(path, out, err);
}

const pl_source_kind pl_source_kind_tree = {.name = "dir", .bid = tree_bid, .open = tree_open};
