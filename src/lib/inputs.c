/* The public interface, part four: what a file is, and which files an
 * input is read with (include/patchlevel.h). */
#include "lib/api_internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/source.h"

static enum patchlevel_probe_kind kind_of(const char *source_kind)
{
    if (strcmp(source_kind, "wim") == 0)
        return PATCHLEVEL_PROBE_WIM;
    return strcmp(source_kind, "hive") == 0 ? PATCHLEVEL_PROBE_HIVE : PATCHLEVEL_PROBE_DISK;
}

/* A WIM part other than the first is read with the first: not an input
 * of its own. Only a regular file is looked at (O_NONBLOCK: a FIFO that
 * took its place cannot block the open). */
static enum patchlevel_probe_kind probe(const char *path)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return PATCHLEVEL_PROBE_NONE;
    struct stat sb;
    enum patchlevel_probe_kind kind = PATCHLEVEL_PROBE_NONE;
    pl_source_probe_info info;
    if (fstat(fd, &sb) != 0)
        kind = PATCHLEVEL_PROBE_NOT_REGULAR;
    else if (S_ISDIR(sb.st_mode))
        kind = pl_tree_probe(path) ? PATCHLEVEL_PROBE_TREE : PATCHLEVEL_PROBE_NONE;
    else if (!S_ISREG(sb.st_mode))
        kind = PATCHLEVEL_PROBE_NOT_REGULAR;
    /* The header is read from fd; a disk container is detected by name
     * while fd is still open (one more open, as pl_source_open does). */
    else if (pl_source_probe(fd, path, &info) == 1 && !info.later_part)
        kind = kind_of(info.kind);
    close(fd);
    return kind;
}

/* Entries of a directory looked at for "did you mean -r?": enough for any
 * folder of images someone names by mistake, cheap for a huge one. */
#define HINT_MAX_ENTRIES 4096

int pl_dir_holds_inputs(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int found = 0;
    struct dirent *de;
    for (size_t n = 0; !found && n < HINT_MAX_ENTRIES && (de = readdir(d)) != NULL; n++) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char *path = pl_xasprintf("%s/%s", dir, de->d_name);
        enum patchlevel_probe_kind kind = probe(path);
        found = kind != PATCHLEVEL_PROBE_NONE && kind != PATCHLEVEL_PROBE_NOT_REGULAR;
        free(path);
    }
    closedir(d);
    return found;
}

enum patchlevel_error patchlevel_probe(const char *path, enum patchlevel_probe_kind *kind)
{
    if (!path || !kind)
        return PATCHLEVEL_ERR_USAGE;
    API_BEGIN(rec);
    enum patchlevel_probe_kind k = probe(path);
    API_END(rec);
    *kind = k;
    return PATCHLEVEL_OK;
}

/* The list as one block: the pointers, then the strings they point to. */
static char **pack(const pl_strlist *l)
{
    size_t bytes = (l->len + 1) * sizeof(char *);
    for (size_t i = 0; i < l->len; i++)
        bytes += strlen(l->items[i]) + 1;
    char **out = pl_xmalloc(bytes);
    char *p = (char *)(out + l->len + 1);
    for (size_t i = 0; i < l->len; i++) {
        size_t n = strlen(l->items[i]) + 1;
        memcpy(p, l->items[i], n);
        out[i] = p;
        p += n;
    }
    out[l->len] = NULL;
    return out;
}

static enum patchlevel_error input_files(patchlevel_context *ctx, const char *input,
                                         char ***files, size_t *n)
{
    pl_source_options sopt = {.verbose = ctx->verbose, .parents = &ctx->parents};
    pl_source *src = NULL;
    pl_err err = {0};
    if (pl_source_open(input, &sopt, &src, &err) != 0) {
        pl_api_message(ctx, "%s", err.msg);
        return pl_api_code(err.code);
    }
    *files = pack(&src->chain);
    *n = src->chain.len;
    pl_source_close(src);
    pl_api_message(ctx, "%s", "");
    return PATCHLEVEL_OK;
}

enum patchlevel_error patchlevel_input_files(patchlevel_context *ctx, const char *input,
                                             char ***files, size_t *n)
{
    if (!ctx || !input || !files || !n)
        return PATCHLEVEL_ERR_USAGE;
    *files = NULL;
    *n = 0;
    API_BEGIN_CTX(rec, ctx);
    pl_wim_set_extract_to_directory(ctx->wim_to_directory);
    enum patchlevel_error rc = input_files(ctx, input, files, n);
    API_END(rec);
    return rc;
}
