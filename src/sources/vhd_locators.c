/* The parent locators of a differencing VHD, read by us because libvhdi
 * exposes a single parent name and we want the relative one first.
 *
 * Layout (Microsoft "Virtual Hard Disk Image Format Specification"): the
 * footer copy at offset 0 holds, at 16, the big-endian offset of the
 * dynamic disk header ("cxsparse"). In that header, 64..575 is the parent
 * unicode name (UTF-16BE) and 576..767 eight 24-byte locator entries:
 * platform code, data space, data length (bytes), reserved, and the
 * absolute file offset of the data. "W2ru" (relative) and "W2ku"
 * (absolute) hold UTF-16LE Windows paths. Every value is checked against
 * the file size before it is used. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/container.h"
#include "util/limits.h"

#define HEADER_SIZE 1024
#define LOCATORS_AT 576
#define LOCATOR_SIZE 24
#define NAME_AT 64
#define NAME_BYTES 512

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return ((uint64_t)be32(p) << 32) | be32(p + 4);
}

static int pread_full(int fd, uint8_t *buf, size_t len, uint64_t off, uint64_t file_size)
{
    if (!pl_range_ok(off, len, file_size))
        return -1;
    return pread(fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : -1;
}

/* One W2ru/W2ku entry's path, or NULL. */
static char *locator_path(int fd, const uint8_t *entry, uint64_t file_size)
{
    uint32_t len = be32(entry + 8);
    uint64_t off = be64(entry + 16);
    if (len == 0 || len > PL_MAX_VHD_LOCATOR_BYTES)
        return NULL;
    uint8_t *data = pl_xmalloc(len);
    char *path = NULL;
    if (pread_full(fd, data, len, off, file_size) == 0)
        path = pl_utf16le_to_utf8(data, len);
    free(data);
    if (path && !path[0]) {
        free(path);
        path = NULL;
    }
    return path;
}

static void add_locators(int fd, const uint8_t *hdr, const char *code, uint64_t file_size,
                         pl_strlist *names)
{
    for (int i = 0; i < 8; i++) {
        const uint8_t *e = hdr + LOCATORS_AT + i * LOCATOR_SIZE;
        if (memcmp(e, code, 4) != 0)
            continue;
        char *p = locator_path(fd, e, file_size);
        if (p)
            pl_strlist_push_unique(names, p);
        free(p);
    }
}

/* The parent unicode name is UTF-16 big-endian: swap, then decode. */
static void add_unicode_name(const uint8_t *hdr, pl_strlist *names)
{
    uint8_t le[NAME_BYTES];
    for (size_t i = 0; i + 1 < NAME_BYTES; i += 2) {
        le[i] = hdr[NAME_AT + i + 1];
        le[i + 1] = hdr[NAME_AT + i];
    }
    char *name = pl_utf16le_to_utf8(le, NAME_BYTES);
    if (name[0])
        pl_strlist_push_unique(names, name);
    free(name);
}

int pl_vhd_parent_names(const char *path, pl_strlist *names, pl_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        pl_err_setc(err, PL_ERR_IO, "cannot open: %s", strerror(errno));
        return -1;
    }
    struct stat sb;
    uint8_t footer[512], hdr[HEADER_SIZE];
    int rc = -1;
    if (fstat(fd, &sb) == 0 && pread_full(fd, footer, 512, 0, (uint64_t)sb.st_size) == 0 &&
        memcmp(footer, "conectix", 8) == 0 &&
        pread_full(fd, hdr, HEADER_SIZE, be64(footer + 16), (uint64_t)sb.st_size) == 0 &&
        memcmp(hdr, "cxsparse", 8) == 0) {
        add_locators(fd, hdr, "W2ru", (uint64_t)sb.st_size, names);
        add_locators(fd, hdr, "W2ku", (uint64_t)sb.st_size, names);
        add_unicode_name(hdr, names);
        rc = 0;
    } else {
        pl_err_setc(err, PL_ERR_UNRECOGNIZED, "no VHD dynamic disk header");
    }
    close(fd);
    return rc;
}
