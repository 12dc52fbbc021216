/* Helpers the container modules share: checking a file's structures
 * against its size, the libyal libraries' errors and names, paths. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/container.h"
#include "sources/disk_internal.h"
#include "util/limits.h"

uint32_t pl_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
uint64_t pl_be64(const uint8_t *p) { return ((uint64_t)pl_be32(p) << 32) | pl_be32(p + 4); }

/* ---- structures against the file size ----------------------------------- */

int pl_cfile_read(const pl_cfile *f, uint64_t off, void *buf, size_t len, pl_err *err)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(f->fd, (uint8_t *)buf + got, len - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            pl_err_setc(err, PL_ERR_IO, "cannot read %zu bytes at offset %llu: %s", len,
                       (unsigned long long)off, r < 0 ? strerror(errno) : "end of file");
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

int pl_cfile_need(const pl_cfile *f, uint64_t off, uint64_t len, const char *what, pl_err *err)
{
    if (pl_range_ok(off, len, f->size))
        return 0;
    if (off + len < off)
        pl_err_setc(err, PL_ERR_CORRUPT, "%s has an impossible offset %llu", what, (unsigned long long)off);
    else
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: %s lies at bytes %llu-%llu, but the file is %llu bytes",
                   what, (unsigned long long)off, (unsigned long long)(off + len - (len > 0)),
                   (unsigned long long)f->size);
    return -1;
}

int pl_cfile_open(const char *path, pl_cfile *f, pl_err *err)
{
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (f->fd < 0 || fstat(f->fd, &sb) != 0) {
        pl_err_setc(err, PL_ERR_IO, "cannot open: %s", strerror(errno));
        if (f->fd >= 0)
            close(f->fd);
        return -1;
    }
    f->size = (uint64_t)sb.st_size;
    return 0;
}

int pl_cfile_check(const char *path, int (*fn)(const pl_cfile *f, pl_err *err), pl_err *err)
{
    pl_cfile f;
    if (pl_cfile_open(path, &f, err) != 0)
        return -1;
    int rc = fn(&f, err);
    close(f.fd);
    return rc;
}

/* Data blocks are not checked up front (that would read every table of a
 * large disk). When a read fails, the one entry that maps the failed disk
 * offset is looked up instead: if it points past the end of the file, the
 * file is truncated, and that is the reason to give. */
int pl_cfile_explain(const char *path, uint64_t off,
                     int (*fn)(const pl_cfile *f, uint64_t off, pl_err *err), pl_err *err)
{
    pl_cfile f;
    pl_err ignored;
    if (pl_cfile_open(path, &f, &ignored) != 0)
        return 0;
    pl_err e;
    int found = fn(&f, off, &e);
    close(f.fd);
    if (found)
        *err = e;
    return found;
}

/* ---- the libyal libraries ----------------------------------------------- */

/* The libyal libraries chain their errors innermost first, one line per
 * level ("libvhdi_file_footer_read_data: unsupported signature." ...
 * "libvhdi_file_open: unable to open file: X."): the first line says what
 * went wrong, the last only that the call failed. Keep the first. */
void pl_libyal_reason(char *msg)
{
    char *nl = strchr(msg, '\n');
    if (nl)
        *nl = '\0';
    pl_disk_one_line(msg);
}

char *pl_libyal_utf8_name(int (*size_fn)(void *, size_t *, void *),
                          int (*get_fn)(void *, uint8_t *, size_t, void *), void *h)
{
    size_t n = 0;
    if (size_fn(h, &n, NULL) != 1 || n == 0 || n > PL_MAX_DISK_NAME_BYTES)
        return NULL;
    uint8_t *s = pl_xmalloc(n + 1);
    if (get_fn(h, s, n, NULL) != 1) {
        free(s);
        return NULL;
    }
    s[n] = '\0';
    return (char *)s;
}

/* ---- paths ---------------------------------------------------------------- */

char *pl_dir_of(const char *path)
{
    char *copy = pl_xstrdup(path);
    char *d = pl_xstrdup(dirname(copy));
    free(copy);
    return d;
}

int pl_link_leaves_dir(const char *path, const char *beside, char **target)
{
    struct stat sb;
    if (lstat(path, &sb) != 0 || !S_ISLNK(sb.st_mode))
        return 0;
    char *dir = pl_dir_of(beside);
    int out = pl_host_path_outside(path, dir, target);
    free(dir);
    return out;
}

char *pl_posix_path(const char *name)
{
    char *p = pl_xstrdup(name);
    for (char *c = p; *c; c++)
        if (*c == '\\')
            *c = '/';
    return p;
}
