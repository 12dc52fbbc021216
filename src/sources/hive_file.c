/* A bare registry hive given on the command line. It becomes one volume
 * holding one file, "SOFTWARE", flagged hive_only: the evidence layer then
 * reads what a SOFTWARE hive alone can tell (a partial report). Its
 * transaction logs, when they sit beside it on the host (NAME.LOG,
 * NAME.LOG1, NAME.LOG2 in any case), appear as SOFTWARE.LOG and so on, so
 * that a dirty hive is replayed just as inside an image. */
#include <dirent.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "sources/source.h"

#define HIVE_NAME "SOFTWARE"
#define NLOGS 3
static const char *const log_suffixes[NLOGS] = {".LOG", ".LOG1", ".LOG2"};

typedef struct {
    pl_fs base;
    char *host_path;
    char *log_paths[NLOGS];   /* host files of SOFTWARE.LOG, .LOG1, .LOG2, or NULL */
} hive_fs;

/* The host file beside the hive named like it plus suffix, any case. */
static char *find_sibling(const char *host_path, const char *suffix)
{
    char *copy1 = pl_xstrdup(host_path), *copy2 = pl_xstrdup(host_path);
    const char *dir = dirname(copy1), *base = basename(copy2);
    char *want = pl_xasprintf("%s%s", base, suffix), *found = NULL;
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && !found && (de = readdir(d)) != NULL)
        if (pl_strcaseeq(de->d_name, want))
            found = pl_xasprintf("%s/%s", dir, de->d_name);
    if (d)
        closedir(d);
    free(want);
    free(copy1);
    free(copy2);
    return found;
}

/* The host file behind a name in this fs, or NULL. */
static const char *host_file(hive_fs *h, const char *path)
{
    if (strcmp(path, HIVE_NAME) == 0)
        return h->host_path;
    for (int i = 0; i < NLOGS; i++) {
        char *name = pl_xasprintf("%s%s", HIVE_NAME, log_suffixes[i]);
        int match = h->log_paths[i] && strcmp(path, name) == 0;
        free(name);
        if (match)
            return h->log_paths[i];
    }
    return NULL;
}

static int hive_stat(pl_fs *fs, const char *path, pl_stat *st, pl_err *err)
{
    (void)err;
    if (path[0] == '\0') {
        st->is_dir = 1;
        st->size = 0;
        return 1;
    }
    if (!host_file((hive_fs *)fs, path))
        return 0;
    st->is_dir = 0;
    st->size = 0;
    return 1;
}

static int hive_list(pl_fs *fs, const char *dir, pl_dir_cb cb, void *ctx, pl_err *err)
{
    (void)err;
    hive_fs *h = (hive_fs *)fs;
    if (dir[0] != '\0')
        return 0;
    cb(HIVE_NAME, 0, ctx);
    for (int i = 0; i < NLOGS; i++) {
        if (!h->log_paths[i])
            continue;
        char *name = pl_xasprintf("%s%s", HIVE_NAME, log_suffixes[i]);
        cb(name, 0, ctx);
        free(name);
    }
    return 0;
}

static int hive_read(pl_fs *fs, const char *path, uint64_t max, uint8_t **data, size_t *len,
                     pl_err *err)
{
    const char *host = host_file((hive_fs *)fs, path);
    if (!host) {
        pl_err_setc(err, PL_ERR_NOT_FOUND, "no such file");
        return -1;
    }
    int rc = pl_host_read_file(host, max, data, len, err);
    if (rc == 0)
        fs->bytes_read += *len;
    return rc;
}

static void hive_fs_close(pl_fs *fs)
{
    hive_fs *h = (hive_fs *)fs;
    free(h->host_path);
    for (int i = 0; i < NLOGS; i++)
        free(h->log_paths[i]);
    free(h);
}

static const pl_fs_ops hive_fs_ops = {
    .stat = hive_stat,
    .list = hive_list,
    .read = hive_read,
    .prefetch = NULL,
    .close = hive_fs_close,
};

typedef struct {
    pl_source base;
    char *path;
    int done;
} hive_source;

static int hive_next(pl_source *src, pl_volume **out, pl_err *err)
{
    (void)err;
    hive_source *s = (hive_source *)src;
    if (s->done)
        return 0;
    s->done = 1;
    hive_fs *fs = pl_xcalloc(1, sizeof *fs);
    fs->base.ops = &hive_fs_ops;
    fs->host_path = pl_xstrdup(s->path);
    for (int i = 0; i < NLOGS; i++)
        fs->log_paths[i] = find_sibling(s->path, log_suffixes[i]);
    pl_volume *v = pl_xcalloc(1, sizeof *v);
    v->fs = &fs->base;
    v->hive_only = 1;
    v->loc.partition_scheme = "none";
    v->loc.partition_start = -1;
    v->loc.filesystem = "hive";
    *out = v;
    return 1;
}

static void hive_close(pl_source *src)
{
    hive_source *s = (hive_source *)src;
    free(s->path);
    pl_strlist_free(&s->base.chain);
    pl_notes_free(&s->base.warnings);
    free(s);
}

static const pl_source_ops hive_source_ops = {.next_volume = hive_next, .close = hive_close};

int pl_source_open_hive(const char *path, pl_source **out, pl_err *err)
{
    (void)err;
    hive_source *s = pl_xcalloc(1, sizeof *s);
    s->base.ops = &hive_source_ops;
    s->base.container = "hive";
    s->path = pl_xstrdup(path);
    *out = &s->base;
    return 0;
}

/* A registry hive file: the base block's signature. */
static int hive_bid(const char *path, int is_dir, const uint8_t *magic, size_t got)
{
    (void)path, (void)is_dir;
    return got >= 4 && memcmp(magic, "regf", 4) == 0;
}

static int hive_open(const char *path, const pl_source_options *opt, pl_source **out,
                     pl_err *err)
{
    (void)opt;
    return pl_source_open_hive(path, out, err);
}

/* A search (-r) picks up a bare hive only when it is a SOFTWARE hive by
 * name too: the content rule alone (hive_bid, what an input given by name
 * is read as) would also take SYSTEM, SAM, user hives and the old-format
 * transaction logs, which begin with a base block as well. A hive inside a
 * Windows tree is never looked at: the search takes the tree whole. */
static int hive_probe(const char *path, const uint8_t *magic, size_t got,
                      pl_source_probe_info *info)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!hive_bid(path, 0, magic, got) || !pl_strcaseeq(base, HIVE_NAME))
        return 0;
    info->kind = "hive";
    info->container = "hive";
    return 1;
}

const pl_source_kind pl_source_kind_hive = {
    .name = "hive", .bid = hive_bid, .open = hive_open, .probe = hive_probe};
