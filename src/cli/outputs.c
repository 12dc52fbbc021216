#include "cli/outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void pl_fileset_add(pl_fileset *s, const char *path)
{
    if (s->len == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->items = pl_xrealloc(s->items, s->cap * sizeof *s->items);
    }
    pl_file_id *f = &s->items[s->len++];
    memset(f, 0, sizeof *f);
    struct stat sb;
    /* stat follows a link: what is protected is the file it names. */
    if (stat(path, &sb) == 0) {
        f->dev = sb.st_dev;
        f->ino = sb.st_ino;
        f->have_id = 1;
    }
    f->path = pl_xstrdup(path);
    f->real = realpath(path, NULL);
}

void pl_fileset_free(pl_fileset *s)
{
    for (size_t i = 0; i < s->len; i++) {
        free(s->items[i].path);
        free(s->items[i].real);
    }
    free(s->items);
    memset(s, 0, sizeof *s);
}

static const pl_file_id *find_id(const pl_fileset *s, const struct stat *sb)
{
    for (size_t i = 0; i < s->len; i++)
        if (s->items[i].have_id && s->items[i].dev == sb->st_dev &&
            s->items[i].ino == sb->st_ino)
            return &s->items[i];
    return NULL;
}

static const pl_file_id *find_real(const pl_fileset *s, const char *real)
{
    for (size_t i = 0; real && i < s->len; i++)
        if (s->items[i].real && strcmp(s->items[i].real, real) == 0)
            return &s->items[i];
    return NULL;
}

static int refuse(const char *out, const pl_file_id *in, pl_err *err)
{
    pl_err_setc(err, PL_ERR_OUTPUT_IS_INPUT,
                "%s: refusing to write the output over the input %s (nothing was written)",
                out, in->path);
    return -1;
}

int pl_output_check(const char *path, const pl_fileset *inputs, pl_err *err)
{
    struct stat sb;
    const pl_file_id *hit = stat(path, &sb) == 0 ? find_id(inputs, &sb) : NULL;
    if (hit)
        return refuse(path, hit, err);
    char *real = realpath(path, NULL);
    hit = find_real(inputs, real);
    free(real);
    return hit ? refuse(path, hit, err) : 0;
}

/* O_NONBLOCK: opening a FIFO nobody reads fails instead of hanging; the
 * descriptor is made blocking again once it is open. No O_TRUNC: the
 * file is emptied only after the descriptor itself was checked. */
static int open_unchecked(const char *path, pl_output_mode mode, pl_err *err)
{
    int flags = O_CREAT | O_NONBLOCK | O_CLOEXEC | O_NOCTTY |
                (mode == PL_OUT_APPEND ? O_RDWR | O_APPEND : O_WRONLY);
    int fd = open(path, flags, 0666);
    if (fd < 0) {
        pl_err_setc(err, PL_ERR_IO, "%s: cannot create the report file: %s", path,
                    strerror(errno));
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl != -1)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

static int fail_closed(int fd, int rc)
{
    close(fd);
    return rc;
}

int pl_output_open(const char *path, pl_output_mode mode, const pl_fileset *inputs,
                   pl_err *err)
{
    if (pl_output_check(path, inputs, err) != 0)
        return -1;
    int fd = open_unchecked(path, mode, err);
    if (fd < 0)
        return -1;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        pl_err_setc(err, PL_ERR_IO, "%s: %s", path, strerror(errno));
        return fail_closed(fd, -1);
    }
    /* The name may have been swapped for an input since the check. */
    const pl_file_id *hit = find_id(inputs, &sb);
    if (hit)
        return fail_closed(fd, refuse(path, hit, err));
    if (mode == PL_OUT_APPEND && !S_ISREG(sb.st_mode)) {
        pl_err_setc(err, PL_ERR_UNSAFE, "%s: --resume needs a regular file", path);
        return fail_closed(fd, -1);
    }
    if (mode == PL_OUT_REPLACE && S_ISREG(sb.st_mode) && ftruncate(fd, 0) != 0) {
        pl_err_setc(err, PL_ERR_IO, "%s: cannot empty the report file: %s", path,
                    strerror(errno));
        return fail_closed(fd, -1);
    }
    return fd;
}
