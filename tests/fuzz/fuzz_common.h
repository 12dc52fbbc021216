/* Small helpers shared by the fuzz targets (tests/fuzz/). */
#ifndef PL_FUZZ_COMMON_H
#define PL_FUZZ_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A property the code under test promises was broken: abort so that
 * libFuzzer reports it as a crash and keeps the input. */
#define FUZZ_CHECK(cond)                                                          \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, \
                    #cond);                                                       \
            abort();                                                              \
        }                                                                         \
    } while (0)

/* Write all of p to fd from offset 0; 0 ok, -1 error. */
static inline int fuzz_write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

#define FUZZ_UNUSED __attribute__((unused))

/* ---- a private temporary directory, removed at exit ---------------------- */

static char fuzz_tmpdir_path[4096];

static int fuzz_rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static FUZZ_UNUSED void fuzz_rm_rf(const char *path)
{
    nftw(path, fuzz_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void fuzz_tmpdir_cleanup(void)
{
    if (fuzz_tmpdir_path[0])
        fuzz_rm_rf(fuzz_tmpdir_path);
    fuzz_tmpdir_path[0] = '\0';
}

/* Create the target's private directory under $TMPDIR (or /tmp), remove it
 * at exit, and point TMPDIR at it so that anything the code under test
 * writes (the WIM source extracts files) stays inside. */
static FUZZ_UNUSED const char *fuzz_tmpdir(const char *tag)
{
    if (fuzz_tmpdir_path[0])
        return fuzz_tmpdir_path;
    const char *base = getenv("TMPDIR");
    snprintf(fuzz_tmpdir_path, sizeof fuzz_tmpdir_path, "%s/pl-%s-XXXXXX",
             base && *base ? base : "/tmp", tag);
    if (!mkdtemp(fuzz_tmpdir_path)) {
        perror("mkdtemp");
        abort();
    }
    atexit(fuzz_tmpdir_cleanup);
    setenv("TMPDIR", fuzz_tmpdir_path, 1);
    return fuzz_tmpdir_path;
}

/* ---- whole files -------------------------------------------------------- */

/* Read a whole host file; NULL on error. */
static FUZZ_UNUSED uint8_t *fuzz_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    uint8_t *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Replace a host file's content; 0 ok, -1 error. */
static FUZZ_UNUSED int fuzz_write_file(const char *path, const uint8_t *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    int rc = fuzz_write_all(fd, data, len);
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

#endif
