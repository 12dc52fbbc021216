/* libFuzzer target: the sources layer over a disk image (partition tables
 * through TSK, NTFS/FAT through TSK, the container formats through TSK and
 * the libyal libraries), and whatever else pl_source_open recognises by
 * content (a WIM, a bare hive).
 *
 * The input is written to an anonymous memory file and opened as
 * /proc/self/fd/N with pl_source_open. Two formats find their files by name,
 * so for them the memory file is opened through a symbolic link in the
 * target's private directory instead: an EWF image must be called *.E01
 * (libewf's segment glob), and a VMDK opens its extents by the names its
 * descriptor gives, relative to its own directory; the fixtures' extent and
 * parent names (LINK_NAMES) are links to the same memory file, so the
 * monolithic sparse seeds open whole. For each volume (at most MAX_VOLUMES)
 * the root is listed (at most MAX_LIST entries), a few paths are resolved
 * case-insensitively and read (at most MAX_READ bytes each), and the
 * Windows directories are searched for. Nothing is written outside the
 * target's private TMPDIR (the WIM source extracts there). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "evidence/installation.h"
#include "fuzz_common.h"
#include "sources/ewf_metadata.h"
#include "sources/source.h"

#define MAX_VOLUMES 16
#define MAX_LIST 4096
#define MAX_READ (1u << 20)

static const char *const link_names[] = {
    "disk.E01", "disk.vmdk", "base.vmdk", "child.vmdk", "mbr-sysres.vmdk",
    "mbr-sysres-stream.vmdk", "mbr-sysres-split-s001.vmdk",
};

/* The directory of links to the memory file (made for memfd number fd). */
static char link_dir[4200];
static int link_fd = -1;

static void make_links(int fd)
{
    if (link_fd == fd)
        return;
    char target[64], p[4400];
    snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
    for (size_t i = 0; i < sizeof link_names / sizeof *link_names; i++) {
        snprintf(p, sizeof p, "%s/%s", link_dir, link_names[i]);
        unlink(p);
        FUZZ_CHECK(symlink(target, p) == 0);
    }
    link_fd = fd;
}

static const char *const paths[] = {
    "Windows/System32/config/SOFTWARE",
    "WINDOWS/system32/NTOSKRNL.EXE",
    "Windows/servicing/Packages",
    "",
};

struct list_ctx {
    size_t n;
    char first[256];
};

static int list_cb(const char *name, int is_dir, void *vctx)
{
    struct list_ctx *ctx = vctx;
    FUZZ_CHECK(name != NULL);
    (void)is_dir;
    if (ctx->n == 0)
        snprintf(ctx->first, sizeof ctx->first, "%s", name);
    return ++ctx->n >= MAX_LIST;
}

static int verbose = -1; /* PL_FUZZ_VERBOSE=1: say what each input opened */

static void exercise_volume(pl_volume *vol)
{
    pl_fs *fs = vol->fs;
    pl_err err;
    struct list_ctx ctx = {0};
    (void)fs->ops->list(fs, "", list_cb, &ctx, &err);
    for (size_t i = 0; i < sizeof paths / sizeof *paths + 1; i++) {
        const char *p = i < sizeof paths / sizeof *paths ? paths[i] : ctx.first;
        if (i == sizeof paths / sizeof *paths && !ctx.n)
            break;
        char *exact = NULL;
        if (pl_fs_resolve(fs, p, &exact, &err) == 1) {
            pl_stat st = {0};
            if (fs->ops->stat(fs, exact, &st, &err) == 1 && !st.is_dir) {
                uint8_t *data = NULL;
                size_t len = 0;
                if (fs->ops->read(fs, exact, MAX_READ, &data, &len, &err) == 0) {
                    FUZZ_CHECK(len <= MAX_READ);
                    free(data);
                }
            } else if (st.is_dir) {
                struct list_ctx sub = {0};
                (void)fs->ops->list(fs, exact, list_cb, &sub, &err);
            }
            free(exact);
        }
    }
    pl_strlist dirs = {0};
    pl_notes warnings = {0};
    (void)pl_find_windows_dirs(fs, &dirs, &warnings, &err);
    if (verbose)
        fprintf(stderr, "  volume %s #%d at %lld, %s: %zu root entries, %zu Windows dirs\n",
                vol->loc.partition_scheme ? vol->loc.partition_scheme : "-",
                vol->loc.partition_number, (long long)vol->loc.partition_start,
                vol->loc.filesystem ? vol->loc.filesystem : "-", ctx.n, dirs.len);
    pl_strlist_free(&dirs);
    pl_notes_free(&warnings);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!link_dir[0]) {
        snprintf(link_dir, sizeof link_dir, "%s/img", fuzz_tmpdir("disk"));
        FUZZ_CHECK(mkdir(link_dir, 0755) == 0);
    }
    if (verbose < 0)
        verbose = getenv("PL_FUZZ_VERBOSE") && *getenv("PL_FUZZ_VERBOSE") == '1';
    int fd = memfd_create("fuzz-disk", MFD_CLOEXEC);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(fuzz_write_all(fd, data, size) == 0);
    char path[4400];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (size >= 4 && memcmp(data, "EVF", 3) == 0) {
        make_links(fd);
        snprintf(path, sizeof path, "%s/disk.E01", link_dir);
        /* The acquisition metadata too: libewf parses, we bound what it
         * gives back (hashing left out: it only streams the media data). */
        pl_ewf_metadata m;
        pl_ewf_metadata_read(path, 0, &m);
        FUZZ_CHECK(m.known || m.reason[0] != '\0');
        pl_ewf_metadata_free(&m);
    } else if ((size >= 4 && (memcmp(data, "KDMV", 4) == 0 || memcmp(data, "COWD", 4) == 0)) ||
               (size >= 21 && memcmp(data, "# Disk DescriptorFile", 21) == 0)) {
        make_links(fd);
        snprintf(path, sizeof path, "%s/disk.vmdk", link_dir);
    }

    pl_source_options opt = {0};
    pl_source *src = NULL;
    pl_err err = {0};
    if (pl_source_open(path, &opt, &src, &err) == 0) {
        if (verbose)
            fprintf(stderr, "input of %zu bytes: %s\n", size, src->container);
        for (int n = 0; n < MAX_VOLUMES; n++) {
            pl_volume *vol = NULL;
            int rc = src->ops->next_volume(src, &vol, &err);
            if (rc == 0)
                break;
            if (rc < 0) {
                if (verbose)
                    fprintf(stderr, "  volume error: %s\n", err.msg);
                continue;
            }
            exercise_volume(vol);
            pl_volume_free(vol);
        }
        pl_source_close(src);
    } else {
        FUZZ_CHECK(err.msg[0] != '\0');
        if (verbose)
            fprintf(stderr, "input of %zu bytes: %s\n", size, err.msg);
    }
    close(fd);
    return 0;
}
