/* A bare registry hive given on the command line. It becomes one volume
 * holding one file, "SOFTWARE", flagged hive_only: the evidence layer then
 * reads what a SOFTWARE hive alone can tell (a partial report). */
#include <stdlib.h>
#include <string.h>

#include "sources/source.h"

#define HIVE_NAME "SOFTWARE"

typedef struct {
    pl_fs base;
    char *host_path;
} hive_fs;

static int hive_stat(pl_fs *fs, const char *path, pl_stat *st, pl_err *err)
{
    (void)fs;
    (void)err;
    if (path[0] == '\0') {
        st->is_dir = 1;
        st->size = 0;
        return 1;
    }
    if (strcmp(path, HIVE_NAME) != 0)
        return 0;
    st->is_dir = 0;
    st->size = 0;
    return 1;
}

static int hive_list(pl_fs *fs, const char *dir, pl_dir_cb cb, void *ctx, pl_err *err)
{
    (void)fs;
    (void)err;
    if (dir[0] == '\0')
        cb(HIVE_NAME, 0, ctx);
    return 0;
}

static int hive_read(pl_fs *fs, const char *path, uint64_t max, uint8_t **data, size_t *len,
                     pl_err *err)
{
    hive_fs *h = (hive_fs *)fs;
    if (strcmp(path, HIVE_NAME) != 0) {
        pl_err_set(err, "no such file");
        return -1;
    }
    int rc = pl_host_read_file(h->host_path, max, data, len, err);
    if (rc == 0)
        fs->bytes_read += *len;
    return rc;
}

static void hive_fs_close(pl_fs *fs)
{
    hive_fs *h = (hive_fs *)fs;
    free(h->host_path);
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
    pl_strlist_free(&s->base.warnings);
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
