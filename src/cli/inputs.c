#include "cli/inputs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/members.h"
#include "util/recovery.h"

/* Files and directories we walk. */
#define MAX_WALK_FILES 10000000
#define WALK_FDS 32

/* ---- discovery ------------------------------------------------------------ */

/* nftw has no context argument: the walk in progress. */
static struct {
    pl_strlist *files;
    pl_strlist *warnings;
    size_t seen;
} walk;

/* Is path an input of its own? A WIM part other than the first is read
 * with the first; a file that turned into a FIFO or device since the walk
 * saw it is not opened further. */
static enum patchlevel_probe_kind classify(const char *path)
{
    enum patchlevel_probe_kind kind = PATCHLEVEL_PROBE_NONE;
    if (patchlevel_probe(path, &kind) != PATCHLEVEL_OK)
        pl_out_of_memory(0);
    if (kind == PATCHLEVEL_PROBE_NOT_REGULAR)
        pl_strlist_pushf(walk.warnings, "%s: skipped: not a regular file", path);
    return kind;
}

/* A directory is looked at before the walk enters it: a Windows tree is
 * one input, taken whole (its hives and any image inside it are not
 * inputs of their own). */
static int walk_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag != FTW_F && flag != FTW_D)
        return FTW_CONTINUE;
    if (++walk.seen > MAX_WALK_FILES)
        return FTW_STOP;
    if (flag == FTW_D) {
        if (classify(path) != PATCHLEVEL_PROBE_TREE)
            return FTW_CONTINUE;
        pl_strlist_push(walk.files, path);
        return FTW_SKIP_SUBTREE;
    }
    if (!S_ISREG(sb->st_mode)) {
        /* A FIFO, socket or device: opening it could block or change it. */
        pl_strlist_pushf(walk.warnings, "%s: skipped: not a regular file", path);
        return FTW_CONTINUE;
    }
    enum patchlevel_probe_kind kind = classify(path);
    if (kind == PATCHLEVEL_PROBE_WIM || kind == PATCHLEVEL_PROBE_DISK ||
        kind == PATCHLEVEL_PROBE_HIVE)
        pl_strlist_push(walk.files, path);
    return FTW_CONTINUE;
}

/* The members of every file, worked out in workers (members.h). A file
 * whose worker failed keeps its place and gets a warning. */
static void find_members(const pl_strlist *files, const pl_collect_options *co,
                         pl_strlist *members, pl_collected *out)
{
    for (size_t i = 0; i < files->len; i++) {
        struct stat sb;
        if (stat(files->items[i], &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        pl_err err = {0};
        if (pl_members_probe(files->items[i], co->ctx, co->timeout, members, &err) == 0)
            continue;
        pl_strlist_pushf(&out->warnings, "%s", err.msg);
        if (err.code == PL_ERR_TIMEOUT)
            pl_strlist_push(&out->slow, files->items[i]);
    }
    pl_strlist_sort(members);
    pl_strlist_sort(&out->slow);
}

/* Leave out the files that another file reads with it. */
static void drop_members(pl_strlist *files, const pl_strlist *members)
{
    size_t kept = 0;
    for (size_t i = 0; i < files->len; i++) {
        char real[PATH_MAX];
        if (realpath(files->items[i], real) && pl_strlist_sorted_contains(members, real))
            free(files->items[i]);
        else
            files->items[kept++] = files->items[i];
    }
    files->len = kept;
}

static void walk_dir(const char *dir, pl_strlist *found, pl_strlist *warnings)
{
    walk.files = found;
    walk.warnings = warnings;
    walk.seen = 0;
    if (nftw(dir, walk_cb, WALK_FDS, FTW_PHYS | FTW_ACTIONRETVAL) != 0)
        pl_strlist_pushf(warnings, "%s: the search for images stopped early: %s", dir,
                         walk.seen > MAX_WALK_FILES ? "too many files and directories" : strerror(errno));
}

void pl_collect_inputs(char *const *paths, int n, const pl_collect_options *co,
                       pl_collected *out)
{
    memset(out, 0, sizeof *out);
    pl_strlist *inputs = &out->inputs;
    pl_strlist found = {0}, given = {0}, members = {0};
    for (int i = 0; i < n; i++) {
        struct stat sb;
        if (!co->recursive || stat(paths[i], &sb) != 0 || !S_ISDIR(sb.st_mode))
            pl_strlist_push(&given, paths[i]);
        else
            walk_dir(paths[i], &found, &out->warnings);
    }
    pl_strlist_sort(&found);
    find_members(&found, co, &members, out);
    drop_members(&found, &members);
    if (co->want_members)
        find_members(&given, co, &members, out);
    for (size_t i = 0; i < given.len; i++)
        pl_strlist_push(inputs, given.items[i]);
    for (size_t i = 0; i < found.len; i++)
        pl_strlist_push(inputs, found.items[i]);
    for (size_t i = 0; i < inputs->len; i++)
        pl_strlist_push(&out->files_read, inputs->items[i]);
    for (size_t i = 0; i < members.len; i++)
        pl_strlist_push(&out->files_read, members.items[i]);
    pl_strlist_free(&found);
    pl_strlist_free(&given);
    pl_strlist_free(&members);
}

void pl_collected_free(pl_collected *c)
{
    pl_strlist_free(&c->inputs);
    pl_strlist_free(&c->files_read);
    pl_strlist_free(&c->slow);
    pl_strlist_free(&c->warnings);
}

/* ---- sharding ------------------------------------------------------------- */

unsigned pl_shard_of(const char *path, unsigned n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    return (unsigned)(h % n) + 1;
}

void pl_shard_inputs(pl_strlist *inputs, unsigned k, unsigned n)
{
    size_t kept = 0;
    for (size_t i = 0; i < inputs->len; i++) {
        if (pl_shard_of(inputs->items[i], n) == k)
            inputs->items[kept++] = inputs->items[i];
        else
            free(inputs->items[i]);
    }
    inputs->len = kept;
}
