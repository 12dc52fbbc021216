/* libFuzzer target: our own WIM reader (src/sources/wim_image.c), as
 * src/sources/wim.c uses it. The input is a whole WIM file, put in a
 * memfd: pl_wim_file_open (header, blob table index), then for up to 4
 * images pl_wim_image_open (metadata chunk table, its SHA-1, the root), a
 * walk of the tree (listings, stat, lookup, reads of at most 1 MiB each)
 * bounded in depth and entries. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sources/wim_image.h"
#include "fuzz_common.h"

#define MAX_READ (1u << 20)

typedef struct {
    char *names[64];
    int dirs[64];
    size_t n;
} kids;

static int kid_cb(const char *name, int is_dir, void *vctx)
{
    kids *k = vctx;
    FUZZ_CHECK(name != NULL);
    if (k->n == 64)
        return 1;
    k->names[k->n] = strdup(name);
    k->dirs[k->n++] = is_dir;
    return 0;
}

static void visit(pl_wim_image *im, const char *path, int depth, size_t *budget)
{
    pl_err err;
    pl_wim_stat st;
    if (*budget == 0 || depth > 6)
        return;
    (*budget)--;
    int rc = pl_wim_image_stat(im, path, &st, &err);
    FUZZ_CHECK(rc >= -1 && rc <= 1);
    if (rc == -1)
        FUZZ_CHECK(err.msg[0] != '\0');
    if (rc != 1)
        return;
    if (!st.is_dir) {
        uint8_t *data = NULL;
        size_t len = 0;
        if (pl_wim_image_read(im, path, MAX_READ, &data, &len, &err) == 0) {
            FUZZ_CHECK(len <= MAX_READ);
            FUZZ_CHECK(len == st.size);
            free(data);
        } else {
            FUZZ_CHECK(err.msg[0] != '\0');
        }
        return;
    }
    kids k = {0};
    if (pl_wim_image_list(im, path, kid_cb, &k, &err) != 0)
        FUZZ_CHECK(err.msg[0] != '\0');
    for (size_t i = 0; i < k.n; i++) {
        int is_dir = -1;
        int lk = pl_wim_image_lookup(im, path, k.names[i], &is_dir);
        FUZZ_CHECK(lk >= -1 && lk <= 1);
        if (lk == 1)
            FUZZ_CHECK(is_dir == 0 || is_dir == 1);
        char *child = NULL;
        if (asprintf(&child, "%s%s%s", path, path[0] ? "/" : "", k.names[i]) >= 0) {
            visit(im, child, depth + 1, budget);
            free(child);
        }
        free(k.names[i]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-wim", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    if (fuzz_write_all(fd, data, size) != 0) {
        close(fd);
        return 0;
    }
    pl_wim_file *f = NULL;
    char why[128] = "";
    pl_err err;
    int rc = pl_wim_file_open(fd, &f, why, sizeof why, &err);
    FUZZ_CHECK(rc >= -1 && rc <= 1);
    if (rc == 0)
        FUZZ_CHECK(why[0] != '\0');
    if (rc == -1)
        FUZZ_CHECK(err.msg[0] != '\0');
    if (rc == 1) {
        unsigned n = pl_wim_file_image_count(f);
        for (unsigned i = 1; i <= n && i <= 4; i++) {
            pl_wim_image *im = NULL;
            if (pl_wim_image_open(f, i, &im, &err) != 0) {
                FUZZ_CHECK(err.msg[0] != '\0');
                continue;
            }
            size_t budget = 400;
            visit(im, "", 0, &budget);
            int is_dir;
            pl_wim_image_lookup(im, "Windows/System32", "config", &is_dir);
            pl_wim_image_close(im);
        }
        pl_wim_file_close(f);
    }
    close(fd);
    return 0;
}
