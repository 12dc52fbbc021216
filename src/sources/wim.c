/* WIM, ESD (solid LZMS) and split WIM (.swm) sets. Every image index is
 * one volume.
 *
 * wimlib opens every WIM (its checks and messages at open, the XML
 * claims). A single-part WIM of version 0x10D00 is then read by our own
 * reader (wim_image.c, which says why: wimlib holds the image's whole
 * directory tree, 154 MiB for a server image) when it accepts it, and
 * wimlib's handle is freed; anything it declines (pipable, unusual chunk
 * sizes, ...) and every ESD and split set stays with wimlib, as below.
 *
 * wimlib lists directories in memory and extracts file contents to a path
 * or to standard output: a volume reads a file by extracting just that
 * file to an in-memory file (extract_to_memory); a solid archive extracts
 * the evidence together into a private temporary directory (see below),
 * removed on close. Nothing else of the image is extracted.
 * Sizes are checked from the metadata before anything is extracted, and
 * reparse points are never followed. For solid archives, prefetch()
 * extracts the whole batch of evidence files in one call so each solid
 * block is decompressed once. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wimlib.h>

#include "sources/source.h"
#include "sources/wim_image.h"
#include "util/io_counter.h"
#include "util/limits.h"
#include "util/tmpdir.h"
#include "util/xml_errors.h"

/* The WIM handle, shared by the source and its volumes. */
typedef struct {
    WIMStruct *wim;
    WIMStruct **parts;      /* further parts of a split set, referenced */
    size_t nparts;
    int refs;
    /* Files whose data could not be extracted (corrupt or missing
     * resources): the WIM itself is damaged, an error of the input that
     * the source reports once every image has been handed out. */
    unsigned long faults;
    char first_fault[300];
    pl_error_code first_fault_code;
    int faults_reported;
    /* solid (ESD-style) archive: files are extracted together, to a
     * temporary directory, so that each solid block is decompressed once */
    int solid;
    /* Read by our own reader (sources/wim_image.h says why): wim is then
     * NULL, freed at open once the XML claims were copied, so that
     * wimlib's blob table (53 MiB on a server WIM) is not held while the
     * evidence is read. */
    pl_wim_file *own;
    int own_fd;
    char **image_names;          /* NAME of each image, copied at open */
    pl_wim_claim *claims;        /* each image's claim, copied at open */
    int nimages;
} wim_handle;

/* What kind of failure a wimlib error is (wimlib.h, enum wimlib_error_code):
 * code decides on this, never on wimlib's message text. */
static pl_error_code wim_error_code(int rc)
{
    switch (rc) {
    case WIMLIB_ERR_NOMEM: return PL_ERR_RESOURCES;
    case WIMLIB_ERR_WRITE:
    case WIMLIB_ERR_MKDIR:
    case WIMLIB_ERR_MKNOD:
    case WIMLIB_ERR_LINK:
    case WIMLIB_ERR_RENAME: return PL_ERR_RESOURCES; /* our temporary directory */
    case WIMLIB_ERR_OPEN:
    case WIMLIB_ERR_READ:
    case WIMLIB_ERR_STAT:
    case WIMLIB_ERR_OPENDIR: return PL_ERR_IO;
    case WIMLIB_ERR_NOT_A_WIM_FILE:
    case WIMLIB_ERR_UNKNOWN_VERSION: return PL_ERR_UNRECOGNIZED;
    case WIMLIB_ERR_UNEXPECTED_END_OF_FILE:
    case WIMLIB_ERR_WIM_IS_INCOMPLETE:
    case WIMLIB_ERR_RESOURCE_NOT_FOUND: return PL_ERR_TRUNCATED;
    case WIMLIB_ERR_PATH_DOES_NOT_EXIST:
    case WIMLIB_ERR_METADATA_NOT_FOUND: return PL_ERR_NOT_FOUND;
    case WIMLIB_ERR_UNSUPPORTED:
    case WIMLIB_ERR_UNSUPPORTED_FILE:
    case WIMLIB_ERR_WIM_IS_ENCRYPTED:
    case WIMLIB_ERR_IS_SPLIT_WIM:
    case WIMLIB_ERR_SPLIT_INVALID:
    case WIMLIB_ERR_INVALID_PART_NUMBER: return PL_ERR_UNSUPPORTED;
    case WIMLIB_ERR_DECOMPRESSION:
    case WIMLIB_ERR_INTEGRITY:
    case WIMLIB_ERR_INVALID_CHUNK_SIZE:
    case WIMLIB_ERR_INVALID_COMPRESSION_TYPE:
    case WIMLIB_ERR_INVALID_HEADER:
    case WIMLIB_ERR_INVALID_IMAGE:
    case WIMLIB_ERR_INVALID_INTEGRITY_TABLE:
    case WIMLIB_ERR_INVALID_LOOKUP_TABLE_ENTRY:
    case WIMLIB_ERR_INVALID_METADATA_RESOURCE:
    case WIMLIB_ERR_INVALID_RESOURCE_HASH:
    case WIMLIB_ERR_INVALID_UTF16_STRING:
    case WIMLIB_ERR_INVALID_UTF8_STRING:
    case WIMLIB_ERR_INVALID_REPARSE_DATA:
    case WIMLIB_ERR_IMAGE_COUNT:
    case WIMLIB_ERR_RESOURCE_ORDER:
    case WIMLIB_ERR_XML: return PL_ERR_CORRUPT;
    default: return PL_ERR_LIBRARY;
    }
}

static void handle_unref(wim_handle *h)
{
    if (!h || --h->refs > 0)
        return;
    if (h->own) {
        pl_wim_file_close(h->own);
        close(h->own_fd);
    }
    for (int i = 0; i < h->nimages; i++) {
        free(h->image_names[i]);
        pl_wim_claim_free(&h->claims[i]);
    }
    free(h->image_names);
    free(h->claims);
    wimlib_free(h->wim);
    for (size_t i = 0; i < h->nparts; i++)
        wimlib_free(h->parts[i]);
    free(h->parts);
    free(h);
}

static void wimlib_init(void)
{
    /* Windows paths are case-insensitive; we never need privileges since we
     * only ever read. A library never prints: errors come back as codes. */
    wimlib_global_init(WIMLIB_INIT_FLAG_DEFAULT_CASE_INSENSITIVE |
                       WIMLIB_INIT_FLAG_DONT_ACQUIRE_PRIVILEGES);
    wimlib_set_print_errors(false);
}

/* Once per process, whichever thread opens a WIM first. */
static void wimlib_init_once(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, wimlib_init);
}

/* ---- one image as a pl_fs ---------------------------------------------- */

typedef struct {
    pl_fs base;
    wim_handle *h;
    int image;
    char *tmpdir;            /* created on first extraction */
    pl_fs *extracted;        /* dir fs over tmpdir */
    pl_strset fetched;       /* paths already extracted (hashed: a prefetch
                              * may name 200000 manifests) */
} wim_fs;

static char *wim_path(const char *path)
{
    return pl_xasprintf("/%s", path);
}

struct stat_ctx {
    pl_stat *st;
    int reparse;
};

static int stat_cb(const struct wimlib_dir_entry *d, void *vctx)
{
    struct stat_ctx *ctx = vctx;
    ctx->st->is_dir = (d->attributes & WIMLIB_FILE_ATTRIBUTE_DIRECTORY) != 0;
    ctx->st->size = d->streams[0].resource.uncompressed_size;
    ctx->reparse = (d->attributes & WIMLIB_FILE_ATTRIBUTE_REPARSE_POINT) != 0;
    return 0;
}

static int wim_stat_ex(wim_fs *w, const char *path, pl_stat *st, int *reparse, pl_err *err)
{
    char *wp = wim_path(path);
    struct stat_ctx ctx = {.st = st};
    int rc = wimlib_iterate_dir_tree(w->h->wim, w->image, wp, 0, stat_cb, &ctx);
    free(wp);
    if (rc == WIMLIB_ERR_PATH_DOES_NOT_EXIST || rc == WIMLIB_ERR_NOTDIR)
        return 0;
    if (rc != 0) {
        pl_err_setc(err, wim_error_code(rc), "%s: %s", path, wimlib_get_error_string(rc));
        return -1;
    }
    if (reparse)
        *reparse = ctx.reparse;
    return 1;
}

static int wim_stat(pl_fs *fs, const char *path, pl_stat *st, pl_err *err)
{
    return wim_stat_ex((wim_fs *)fs, path, st, NULL, err);
}

struct lookup_ctx {
    const char *name;
    int exact, is_dir;
};

static int lookup_cb(const struct wimlib_dir_entry *d, void *vctx)
{
    struct lookup_ctx *ctx = vctx;
    ctx->exact = d->filename && strcmp(d->filename, ctx->name) == 0;
    ctx->is_dir = (d->attributes & WIMLIB_FILE_ATTRIBUTE_DIRECTORY) != 0;
    return 0;
}

/* One name by wimlib's own lookup (a search of the directory's sorted
 * children), not a listing: WinSxS of a server holds 40,000 entries and
 * only pending.xml is wanted. wimlib matches case-insensitively (as it
 * was initialised): a hit spelled otherwise is left to the listing. */
static int wim_lookup(pl_fs *fs, const char *dir, const char *name, int *is_dir)
{
    wim_fs *w = (wim_fs *)fs;
    if (strchr(name, '/'))
        return -1;
    char *wp = dir[0] ? pl_xasprintf("/%s/%s", dir, name) : wim_path(name);
    struct lookup_ctx ctx = {.name = name};
    int rc = wimlib_iterate_dir_tree(w->h->wim, w->image, wp, 0, lookup_cb, &ctx);
    free(wp);
    if (rc == WIMLIB_ERR_PATH_DOES_NOT_EXIST)
        return 0;
    if (rc != 0 || !ctx.exact)
        return -1;
    *is_dir = ctx.is_dir;
    return 1;
}

struct list_ctx {
    pl_dir_cb cb;
    void *ctx;
    size_t n;
    int too_many;
};

static int list_cb(const struct wimlib_dir_entry *d, void *vctx)
{
    struct list_ctx *lc = vctx;
    if (++lc->n > PL_MAX_DIR_ENTRIES) {
        lc->too_many = 1;
        return 1;
    }
    int is_dir = (d->attributes & WIMLIB_FILE_ATTRIBUTE_DIRECTORY) != 0;
    return lc->cb(d->filename, is_dir, lc->ctx) ? 1 : 0;
}

static int wim_list(pl_fs *fs, const char *dir, pl_dir_cb cb, void *ctx, pl_err *err)
{
    wim_fs *w = (wim_fs *)fs;
    char *wp = wim_path(dir);
    struct list_ctx lc = {.cb = cb, .ctx = ctx};
    int rc = wimlib_iterate_dir_tree(w->h->wim, w->image, wp,
                                     WIMLIB_ITERATE_DIR_TREE_FLAG_CHILDREN, list_cb, &lc);
    free(wp);
    if (lc.too_many) {
        pl_err_setc(err, PL_ERR_LIMIT, "%s: more than %d entries", dir, PL_MAX_DIR_ENTRIES);
        return -1;
    }
    /* A non-zero return from our callback (stop early) comes back as-is. */
    if (rc != 0 && rc != 1) {
        pl_err_setc(err, wim_error_code(rc), "cannot list %s: %s", dir[0] ? dir : "the root directory", wimlib_get_error_string(rc));
        return -1;
    }
    return 0;
}

static int ensure_tmpdir(wim_fs *w, pl_err *err)
{
    if (w->tmpdir)
        return 0;
    if (!(w->tmpdir = pl_tmpdir_create("patchlevel-wim", err)))
        return -1;
    w->extracted = pl_fs_dir_open(w->tmpdir, err);
    return w->extracted ? 0 : -1;
}

/* Check a path is a regular file within the limit before extracting it. */
static int check_extractable(wim_fs *w, const char *path, uint64_t max, pl_err *err)
{
    pl_stat st;
    int reparse = 0;
    int rc = wim_stat_ex(w, path, &st, &reparse, err);
    if (rc == 0)
        pl_err_setc(err, PL_ERR_NOT_FOUND, "no such file");
    if (rc != 1)
        return -1;
    if (st.is_dir || reparse) {
        pl_err_setc(err, PL_ERR_UNSUPPORTED, "not a regular file");
        return -1;
    }
    if (st.size > max) {
        pl_err_setc(err, PL_ERR_LIMIT, "file is %llu bytes, over the limit of %llu bytes",
                   (unsigned long long)st.size, (unsigned long long)max);
        return -1;
    }
    return 0;
}

/* Extract the paths into the private temporary directory. On failure
 * *wim_rc gets wimlib's error (0 when the failure was ours). */
static int extract_paths(wim_fs *w, const char *const *paths, size_t n, int *wim_rc,
                         pl_err *err)
{
    *wim_rc = 0;
    if (ensure_tmpdir(w, err) != 0)
        return -1;
    const char **wps = pl_xcalloc(n, sizeof *wps);
    for (size_t i = 0; i < n; i++)
        wps[i] = wim_path(paths[i]);
    int rc = wimlib_extract_paths(w->h->wim, w->image, w->tmpdir, wps, n,
                                  WIMLIB_EXTRACT_FLAG_NORPFIX | WIMLIB_EXTRACT_FLAG_NO_ACLS |
                                      WIMLIB_EXTRACT_FLAG_NO_ATTRIBUTES);
    for (size_t i = 0; i < n; i++)
        free((char *)wps[i]);
    free(wps);
    if (rc != 0) {
        *wim_rc = rc;
        pl_err_setc(err, wim_error_code(rc), "cannot extract from the WIM: %s",
                    wimlib_get_error_string(rc));
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        pl_strset_add(&w->fetched, paths[i]);
    return 0;
}

/* Set per thread by the library's caller (include/patchlevel.h,
 * patchlevel_context_set_wim_extract_to_directory). */
static _Thread_local int extract_to_directory;

void pl_wim_set_extract_to_directory(int on)
{
    extract_to_directory = on != 0;
}

/* Descriptor 1 is the process's: one redirection at a time. */
static pthread_mutex_t stdout_lock = PTHREAD_MUTEX_INITIALIZER;

/* Run one wimlib extraction with descriptor 1 pointing at m. Nothing here
 * allocates through pl_x*: an allocation failure unwinds (util/recovery.h)
 * and must never leave descriptor 1 redirected or the lock held. 0, or -1
 * (err) when the redirection failed. */
static int extract_with_stdout_at(wim_fs *w, const char *wp, int m, int *rc, pl_err *err)
{
    const char *wps[1] = {wp};
    pthread_mutex_lock(&stdout_lock);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    if (saved < 0 || dup2(m, STDOUT_FILENO) < 0) {
        pl_err_setc(err, PL_ERR_RESOURCES, "cannot redirect the extraction: %s", strerror(errno));
        if (saved >= 0)
            close(saved);
        pthread_mutex_unlock(&stdout_lock);
        return -1;
    }
    /* the target directory is unused with TO_STDOUT, but must be given */
    *rc = wimlib_extract_paths(w->h->wim, w->image, ".", wps, 1, WIMLIB_EXTRACT_FLAG_TO_STDOUT);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    pthread_mutex_unlock(&stdout_lock);
    return 0;
}

/* One file straight into memory: wimlib writes it to standard output
 * (WIMLIB_EXTRACT_FLAG_TO_STDOUT; it has no call that reads a file into a
 * buffer), which points at an in-memory file for the call. Why: extracting
 * to a temporary directory cost more than the extraction itself (8,000
 * files created, read and unlinked on a server: bench/bench-server.sh),
 * and the files were read back anyway. In a library, descriptor 1 is the
 * host's: the redirection holds a process-wide lock, and a host that
 * writes to descriptor 1 from other threads meanwhile turns it off
 * (extract_to_directory; the caveat is in include/patchlevel.h). 1 done,
 * 0 wimlib failed (*wim_rc), -1 the in-memory file failed (err). */
static int extract_to_memory(wim_fs *w, const char *path, uint64_t size, uint8_t **data,
                             int *wim_rc, pl_err *err)
{
    *wim_rc = 0;
    int m = memfd_create("patchlevel-wim", MFD_CLOEXEC);
    if (m < 0) {
        pl_err_setc(err, PL_ERR_RESOURCES, "cannot create an in-memory file: %s", strerror(errno));
        return -1;
    }
    char *wp = wim_path(path);
    int rc = 0;
    if (extract_with_stdout_at(w, wp, m, &rc, err) != 0) {
        free(wp);
        close(m);
        return -1;
    }
    free(wp);
    if (rc != 0) {
        *wim_rc = rc;
        pl_err_setc(err, wim_error_code(rc), "cannot extract from the WIM: %s",
                    wimlib_get_error_string(rc));
        close(m);
        return 0;
    }
    struct stat sb;
    if (fstat(m, &sb) != 0 || (uint64_t)sb.st_size != size) {
        pl_err_setc(err, PL_ERR_CORRUPT, "extracted %lld bytes where the WIM says %llu",
                    (long long)sb.st_size, (unsigned long long)size);
        close(m);
        return -1;
    }
    uint8_t *buf = pl_xmalloc_for_read(size ? size : 1);
    /* copied in chunks, each released from the in-memory file once in the
     * buffer: a 90 MB hive is not held twice */
    const uint64_t chunk = 1u << 20;
    for (uint64_t done = 0; done < size;) {
        size_t n = (size_t)(size - done < chunk ? size - done : chunk);
        ssize_t r = pread(m, buf + done, n, (off_t)done);
        if (r != (ssize_t)n) {
            pl_err_setc(err, PL_ERR_IO, "cannot read the in-memory file: %s", strerror(errno));
            free(buf);
            close(m);
            return -1;
        }
        pl_io_not_input(n);   /* read back from memory, not from the WIM */
        fallocate(m, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)done, (off_t)n);
        done += n;
    }
    close(m);
    *data = buf;
    return 1;
}

static int wim_read(pl_fs *fs, const char *path, uint64_t max, uint8_t **data, size_t *len,
                    pl_err *err)
{
    wim_fs *w = (wim_fs *)fs;
    if (!w->h->solid && !extract_to_directory) {
        /* one file, straight into memory */
        pl_stat st;
        if (check_extractable(w, path, max, err) != 0 || wim_stat_ex(w, path, &st, NULL, err) != 1)
            return -1;
        int wim_rc;
        if (extract_to_memory(w, path, st.size, data, &wim_rc, err) == 1) {
            *len = (size_t)st.size;
            fs->bytes_read += *len;
            return 0;
        }
        const char *why = wim_rc ? wimlib_get_error_string(wim_rc) : err->msg;
        if (w->h->faults++ == 0) {
            snprintf(w->h->first_fault, sizeof w->h->first_fault, "image %d, %.150s: %.120s",
                     w->image, path, why);
            w->h->first_fault_code = err->code;
        }
        return -1;
    }
    if (!pl_strset_contains(&w->fetched, path)) {
        if (check_extractable(w, path, max, err) != 0)
            return -1;
        int wim_rc;
        if (extract_paths(w, &path, 1, &wim_rc, err) != 0) {
            const char *why = wim_rc ? wimlib_get_error_string(wim_rc) : err->msg;
            if (w->h->faults++ == 0) {
                snprintf(w->h->first_fault, sizeof w->h->first_fault, "image %d, %.150s: %.120s",
                         w->image, path, why);
                w->h->first_fault_code = err->code;
            }
            return -1;
        }
    }
    /* Extraction wrote the names in their stored case, which may differ
     * from how the caller spelt them. */
    int rc = pl_fs_read_ci(w->extracted, path, max, data, len, NULL, err);
    if (rc == 0)
        pl_err_setc(err, PL_ERR_NOT_FOUND, "extracted file is missing");
    if (rc != 1)
        return -1;
    pl_io_not_input(*len);   /* read back from the temporary directory */
    fs->bytes_read += *len;
    return 0;
}

static int wim_prefetch(pl_fs *fs, const char *const *paths, const uint64_t *max, size_t n,
                        pl_err *err)
{
    wim_fs *w = (wim_fs *)fs;
    if (!w->h->solid && !extract_to_directory)
        return 0;   /* read() extracts each file to memory */
    const char **todo = pl_xcalloc(n ? n : 1, sizeof *todo);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        pl_err ignored;
        /* Files that are missing or over the limit of their kind are left
         * for read() to report one by one: nothing of them is extracted. */
        if (!pl_strset_contains(&w->fetched, paths[i]) &&
            check_extractable(w, paths[i], max[i], &ignored) == 0)
            todo[m++] = paths[i];
    }
    int wim_rc;
    int rc = m ? extract_paths(w, todo, m, &wim_rc, err) : 0;
    free(todo);
    return rc;
}

static void wim_fs_close(pl_fs *fs)
{
    wim_fs *w = (wim_fs *)fs;
    if (w->extracted)
        pl_fs_close(w->extracted);
    if (w->tmpdir) {
        pl_tmpdir_remove(w->tmpdir);
        free(w->tmpdir);
    }
    pl_strset_free(&w->fetched);
    handle_unref(w->h);
    free(w);
}

static const pl_fs_ops wim_fs_ops = {
    .stat = wim_stat,
    .list = wim_list,
    .read = wim_read,
    .prefetch = wim_prefetch,
    .close = wim_fs_close,
    .lookup = wim_lookup,
};

/* ---- one image through our own reader ------------------------------------ */

typedef struct {
    pl_fs base;
    wim_handle *h;
    int image;
    pl_wim_image *im;        /* opened when the volume is handed out */
} own_fs;

static int own_stat(pl_fs *fs, const char *path, pl_stat *st, pl_err *err)
{
    pl_wim_stat ws;
    int rc = pl_wim_image_stat(((own_fs *)fs)->im, path, &ws, err);
    if (rc == 1) {
        st->is_dir = ws.is_dir;
        st->size = ws.size;
    }
    return rc;
}

static int own_list(pl_fs *fs, const char *dir, pl_dir_cb cb, void *ctx, pl_err *err)
{
    return pl_wim_image_list(((own_fs *)fs)->im, dir, cb, ctx, err);
}

static int own_lookup(pl_fs *fs, const char *dir, const char *name, int *is_dir)
{
    return pl_wim_image_lookup(((own_fs *)fs)->im, dir, name, is_dir);
}

/* As the wimlib path does: a file that is missing, not a regular file or
 * over the limit is refused before anything is read; a file whose data
 * cannot be read is a fault of the WIM (wim_next reports it). */
static int own_read(pl_fs *fs, const char *path, uint64_t max, uint8_t **data, size_t *len,
                    pl_err *err)
{
    own_fs *w = (own_fs *)fs;
    pl_wim_image *im = w->im;
    pl_wim_stat st;
    int rc = pl_wim_image_stat(im, path, &st, err);
    if (rc == 0)
        pl_err_setc(err, PL_ERR_NOT_FOUND, "no such file");
    if (rc != 1)
        return -1;
    if (st.is_dir || st.reparse) {
        pl_err_setc(err, PL_ERR_UNSUPPORTED, "not a regular file");
        return -1;
    }
    if (st.size > max) {
        pl_err_setc(err, PL_ERR_LIMIT, "file is %llu bytes, over the limit of %llu bytes",
                    (unsigned long long)st.size, (unsigned long long)max);
        return -1;
    }
    if (pl_wim_image_read(im, path, max, data, len, err) == 0) {
        fs->bytes_read += *len;
        return 0;
    }
    if (w->h->faults++ == 0) {
        snprintf(w->h->first_fault, sizeof w->h->first_fault, "image %d, %.150s: %.120s",
                 w->image, path, err->msg);
        w->h->first_fault_code = err->code;
    }
    pl_err_prefix(err, "cannot extract from the WIM");
    return -1;
}

static void own_fs_close(pl_fs *fs)
{
    own_fs *w = (own_fs *)fs;
    pl_wim_image_close(w->im);
    handle_unref(w->h);
    free(w);
}

/* prefetch: none needed, each file is read on its own */
static const pl_fs_ops own_fs_ops = {
    .stat = own_stat,
    .list = own_list,
    .read = own_read,
    .close = own_fs_close,
    .lookup = own_lookup,
};

/* Process-wide: read non-solid single-part WIMs with our own reader (1,
 * the default) or always with wimlib (0: the tests compare the two). */
static int own_reader_on = 1;

void pl_wim_set_own_reader(int on)
{
    __atomic_store_n(&own_reader_on, on != 0, __ATOMIC_RELAXED);
}

/* ---- the XML claim ------------------------------------------------------ */

static char *prop(WIMStruct *wim, int image, const char *name)
{
    const char *v = wimlib_get_image_property(wim, image, name);
    return (v && *v) ? pl_xstrdup(v) : NULL;
}

static int64_t prop_num(WIMStruct *wim, int image, const char *name)
{
    const char *v = wimlib_get_image_property(wim, image, name);
    if (!v || !*v)
        return -1;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    return (errno || *end || n < 0) ? -1 : n;
}

static char *arch_name(const char *raw)
{
    if (!raw)
        return NULL;
    /* PROCESSOR_ARCHITECTURE_* numbers as Windows writes them. */
    if (strcmp(raw, "0") == 0)
        return pl_xstrdup("x86");
    if (strcmp(raw, "6") == 0)
        return pl_xstrdup("ia64");
    if (strcmp(raw, "9") == 0)
        return pl_xstrdup("amd64");
    if (strcmp(raw, "12") == 0)
        return pl_xstrdup("arm64");
    return pl_xstrdup(raw);
}

static void read_claim(WIMStruct *wim, int image, pl_wim_claim *c)
{
    c->name = prop(wim, image, "NAME");
    c->description = prop(wim, image, "DESCRIPTION");
    c->product_name = prop(wim, image, "WINDOWS/PRODUCTNAME");
    c->edition_id = prop(wim, image, "WINDOWS/EDITIONID");
    c->installation_type = prop(wim, image, "WINDOWS/INSTALLATIONTYPE");
    c->product_type = prop(wim, image, "WINDOWS/PRODUCTTYPE");
    char *raw_arch = prop(wim, image, "WINDOWS/ARCH");
    c->arch = arch_name(raw_arch);
    free(raw_arch);
    c->default_language = prop(wim, image, "WINDOWS/LANGUAGES/DEFAULT");
    c->major = prop_num(wim, image, "WINDOWS/VERSION/MAJOR");
    c->minor = prop_num(wim, image, "WINDOWS/VERSION/MINOR");
    c->build = prop_num(wim, image, "WINDOWS/VERSION/BUILD");
    c->spbuild = prop_num(wim, image, "WINDOWS/VERSION/SPBUILD");
    c->splevel = prop_num(wim, image, "WINDOWS/VERSION/SPLEVEL");
    c->present = c->product_name || c->edition_id || c->build >= 0 || c->major >= 0;
}

/* ---- the source --------------------------------------------------------- */

typedef struct {
    pl_source base;
    wim_handle *h;
    int image_count;
    int next_image;
} wim_source;

static pl_volume *new_wim_volume(pl_fs *fs, int image)
{
    pl_volume *v = pl_xcalloc(1, sizeof *v);
    v->fs = fs;
    v->loc.partition_scheme = "none";
    v->loc.partition_start = -1;
    v->loc.filesystem = "wim";
    v->loc.wim_image = image;
    return v;
}

/* The image's metadata is checked (its SHA-1, the root) before the volume
 * is handed out: an image that cannot be read is an error of that volume,
 * and the others are still read. The claim copied at open moves into the
 * volume. */
static int own_next(wim_source *s, int image, pl_volume **out, pl_err *err)
{
    pl_wim_image *im = NULL;
    if (pl_wim_image_open(s->h->own, (unsigned)image, &im, err) != 0) {
        pl_err_prefix(err, "cannot read the WIM");
        return -1;
    }
    own_fs *fs = pl_xcalloc(1, sizeof *fs);
    fs->im = im;
    fs->base.ops = &own_fs_ops;
    fs->base.case_insensitive = 1; /* wim_image.c matches names that way */
    fs->h = s->h;
    fs->image = image;
    s->h->refs++;
    pl_volume *v = new_wim_volume(&fs->base, image);
    v->loc.wim_image_name = s->h->image_names[image - 1];
    s->h->image_names[image - 1] = NULL;
    v->wim_xml = s->h->claims[image - 1];
    memset(&s->h->claims[image - 1], 0, sizeof s->h->claims[image - 1]);
    *out = v;
    return 1;
}

static int wim_next(pl_source *src, pl_volume **out, pl_err *err)
{
    wim_source *s = (wim_source *)src;
    if (s->next_image > s->image_count) {
        wim_handle *h = s->h;
        if (!h->faults || h->faults_reported)
            return 0;
        h->faults_reported = 1;
        if (h->faults > 1)
            pl_err_setc(err, h->first_fault_code, "cannot read the WIM: %s (and %lu more files)",
                        h->first_fault,
                       h->faults - 1);
        else
            pl_err_setc(err, h->first_fault_code, "cannot read the WIM: %s", h->first_fault);
        return -1;
    }
    int image = s->next_image++;
    if (s->h->own)
        return own_next(s, image, out, err);
    wim_fs *fs = pl_xcalloc(1, sizeof *fs);
    fs->base.ops = &wim_fs_ops;
    fs->base.case_insensitive = 1; /* wimlib is set up to match names that way */
    fs->h = s->h;
    fs->image = image;
    s->h->refs++;
    pl_volume *v = new_wim_volume(&fs->base, image);
    v->loc.wim_image_name = prop(s->h->wim, image, "NAME");
    read_claim(s->h->wim, image, &v->wim_xml);
    *out = v;
    return 1;
}

static void wim_source_close(pl_source *src)
{
    wim_source *s = (wim_source *)src;
    handle_unref(s->h);
    pl_strlist_free(&s->base.chain);
    pl_notes_free(&s->base.warnings);
    free(s);
}

static const pl_source_ops wim_source_ops = {.next_volume = wim_next, .close = wim_source_close};

/* When our reader reads this WIM (it declines what it does not read,
 * and anything it finds damaged at open is left to wimlib to report),
 * copy what the volumes need from wimlib (names, claims) and free
 * wimlib's handle: from here on the WIM is read by wim_image.c alone. */
static void take_own_reader(wim_source *s, const char *path)
{
    wim_handle *h = s->h;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    char why[128];
    pl_err err;
    pl_wim_file *f = NULL;
    if (pl_wim_file_open(fd, &f, why, sizeof why, &err) != 1 ||
        pl_wim_file_image_count(f) < (unsigned)s->image_count) {
        pl_wim_file_close(f);
        close(fd);
        return;
    }
    h->own = f;
    h->own_fd = fd;
    h->nimages = s->image_count;
    h->image_names = pl_xcalloc((size_t)h->nimages + 1, sizeof *h->image_names);
    h->claims = pl_xcalloc((size_t)h->nimages + 1, sizeof *h->claims);
    for (int i = 1; i <= h->nimages; i++) {
        h->image_names[i - 1] = prop(h->wim, i, "NAME");
        read_claim(h->wim, i, &h->claims[i - 1]);
    }
    wimlib_free(h->wim);
    h->wim = NULL;
    /* wimlib's blob table was ~100-byte descriptors, one per blob: freed,
     * they stay in the heap's free lists, resident, unless handed back
     * (server.wim: the peak RSS was 148 MiB without this, the blob table
     * being 53 MiB of it; glibc's malloc_trim releases free pages from
     * anywhere in the heap, not only its top). */
    malloc_trim(0);
}

/* "dir/name.swm" -> "dir/name*.swm": wimlib's naming of split parts is
 * name.swm, name2.swm, name3.swm, ... */
static char *split_glob(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return pl_xasprintf("%s*", path);
    return pl_xasprintf("%.*s*%s", (int)(dot - path), path, dot);
}

/* Open the other parts of a split set, keeping those with our GUID. */
static int reference_parts(wim_source *s, const char *path, const struct wimlib_wim_info *info,
                           pl_err *err)
{
    char *pattern = split_glob(path);
    glob_t g;
    int grc = glob(pattern, 0, NULL, &g);
    free(pattern);
    int *seen = pl_xcalloc((size_t)info->total_parts + 1, sizeof *seen);
    seen[1] = 1;
    wim_handle *h = s->h;
    h->parts = pl_xcalloc(grc == 0 ? g.gl_pathc : 1, sizeof *h->parts);
    for (size_t i = 0; grc == 0 && i < g.gl_pathc; i++) {
        WIMStruct *part;
        struct wimlib_wim_info pi;
        if (wimlib_open_wim(g.gl_pathv[i], 0, &part) != 0)
            continue;
        wimlib_get_wim_info(part, &pi);
        if (memcmp(pi.guid, info->guid, WIMLIB_GUID_LEN) != 0 || pi.part_number < 2 ||
            pi.part_number > info->total_parts || seen[pi.part_number]) {
            wimlib_free(part);
            continue;
        }
        seen[pi.part_number] = 1;
        h->parts[h->nparts++] = part;
        pl_strlist_push(&s->base.chain, g.gl_pathv[i]);
    }
    if (grc == 0)
        globfree(&g);
    int rc = 0;
    for (unsigned p = 2; p <= info->total_parts; p++) {
        if (!seen[p]) {
            pl_err_setc(err, PL_ERR_NOT_FOUND, "split WIM part %u of %u is missing (looked for files named like the "
                            "first part with a number before the extension)",
                       p, (unsigned)info->total_parts);
            rc = -1;
            break;
        }
    }
    free(seen);
    if (rc == 0 && h->nparts) {
        int wrc = wimlib_reference_resources(h->wim, h->parts, (unsigned)h->nparts, 0);
        if (wrc != 0) {
            pl_err_setc(err, wim_error_code(wrc), "cannot join the split WIM parts: %s", wimlib_get_error_string(wrc));
            rc = -1;
        }
    }
    return rc;
}

static const char *container_name(const struct wimlib_wim_info *info)
{
    if (info->total_parts > 1)
        return "swm";
    /* Version 0xE00 marks solid (ESD-style) archives. */
    if (info->wim_version == 0xE00)
        return "esd";
    return "wim";
}

/* wimlib says "Unexpectedly reached the end of the file" wherever a WIM
 * was cut: the header names where its tables lie, so say which one is
 * missing. 1 with err set when the file is shorter than they need. */
#define WIM_HEADER 208

static int explain_truncated_wim(const char *path, pl_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat sb;
    uint8_t h[WIM_HEADER];
    int found = 0;
    if (fstat(fd, &sb) == 0) {
        uint64_t size = (uint64_t)sb.st_size;
        if (size < WIM_HEADER) {
            pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: the file is %llu bytes, shorter than the %d-byte WIM "
                            "header",
                       (unsigned long long)size, WIM_HEADER);
            found = 1;
        } else if (pread(fd, h, WIM_HEADER, 0) == WIM_HEADER) {
            /* resource headers: 7-byte size, flags, offset, original size */
            static const struct {
                int at;
                const char *what;
            } res[] = {{48, "the blob table"},
                       {72, "the XML data"},
                       {124, "the integrity table"}};
            for (size_t i = 0; i < sizeof res / sizeof *res && !found; i++) {
                const uint8_t *r = h + res[i].at;
                uint64_t len = pl_le64(r) & 0x00FFFFFFFFFFFFFFull, off = pl_le64(r + 8);
                if (len && !pl_range_ok(off, len, size)) {
                    pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: %s lies at bytes %llu-%llu, but the file is %llu "
                                    "bytes",
                               res[i].what, (unsigned long long)off,
                               (unsigned long long)(off + len - 1), (unsigned long long)size);
                    found = 1;
                }
            }
        }
    }
    close(fd);
    return found;
}

int pl_source_open_wim(const char *path, pl_source **out, pl_err *err)
{
    wimlib_init_once();
    WIMStruct *wim = NULL;
    /* wimlib parses the XML data with libxml2, whose default handler would
     * print the document's bytes to stderr: collect them instead. */
    pl_xml_errors_begin();
    int rc = wimlib_open_wim(path, 0, &wim);
    if (rc != 0) {
        pl_err e;
        const char *xml = pl_xml_errors_first();
        if (explain_truncated_wim(path, &e))
            pl_err_setc(err, e.code, "cannot open WIM: %s", e.msg);
        else if (rc == WIMLIB_ERR_XML && xml)
            pl_err_setc(err, PL_ERR_CORRUPT, "cannot open WIM: %s: %s",
                        wimlib_get_error_string(rc), xml);
        else
            pl_err_setc(err, wim_error_code(rc), "cannot open WIM: %s", wimlib_get_error_string(rc));
        return -1;
    }
    size_t xml_reports = pl_xml_errors_count();
    char xml_first[PL_XML_ERROR_MAX + 32];
    snprintf(xml_first, sizeof xml_first, "%s",
             pl_xml_errors_first() ? pl_xml_errors_first() : "");
    struct wimlib_wim_info info;
    wimlib_get_wim_info(wim, &info);
    if (info.part_number != 1) {
        pl_err_setc(err, PL_ERR_UNSUPPORTED, "this is part %u of a %u-part split WIM: give the first part",
                   (unsigned)info.part_number, (unsigned)info.total_parts);
        wimlib_free(wim);
        return -1;
    }
    wim_source *s = pl_xcalloc(1, sizeof *s);
    s->base.ops = &wim_source_ops;
    s->base.container = container_name(&info);
    s->h = pl_xcalloc(1, sizeof *s->h);
    s->h->wim = wim;
    s->h->solid = info.wim_version == 0xE00;
    s->h->refs = 1;
    pl_strlist_push(&s->base.chain, path);
    if (xml_reports)
        pl_notes_add(&s->base.warnings, PL_ERR_CORRUPT, "the WIM's XML data: %s (%zu libxml2 report%s)",
                         xml_first[0] ? xml_first : "unknown problem", xml_reports,
                         xml_reports == 1 ? "" : "s");
    s->next_image = 1;
    s->image_count = (int)info.image_count;
    if (info.image_count > PL_MAX_WIM_IMAGES) {
        pl_notes_add(&s->base.warnings, PL_ERR_LIMIT, "WIM has %u images; only the first %d are analyzed",
                         (unsigned)info.image_count, PL_MAX_WIM_IMAGES);
        s->image_count = PL_MAX_WIM_IMAGES;
    }
    if (info.total_parts > 1 && reference_parts(s, path, &info, err) != 0) {
        wim_source_close(&s->base);
        return -1;
    }
    if (info.total_parts == 1 && !s->h->solid &&
        __atomic_load_n(&own_reader_on, __ATOMIC_RELAXED))
        take_own_reader(s, path);
    *out = &s->base;
    return 0;
}

/* ---- the kind ------------------------------------------------------------- */

static int wim_bid(const char *path, int is_dir, const uint8_t *magic, size_t got)
{
    (void)path, (void)is_dir;
    return got >= 8 && memcmp(magic, "MSWIM\0\0\0", 8) == 0;
}

static int wim_open(const char *path, const pl_source_options *opt, pl_source **out,
                    pl_err *err)
{
    (void)opt;
    return pl_source_open_wim(path, out, err);
}

/* A search takes a WIM's first part (or its only one); the later parts of
 * a split WIM are read with it. The header's part number: 16 bits at byte
 * 40, after the 16-byte GUID. */
static int wim_probe(const char *path, const uint8_t *magic, size_t got,
                     pl_source_probe_info *info)
{
    (void)path;
    if (got < 48 || memcmp(magic, "MSWIM\0\0\0", 8) != 0)
        return 0;
    info->kind = "wim";
    info->container = "wim";
    info->later_part = pl_le16(magic + 40) > 1;
    return 1;
}

const pl_source_kind pl_source_kind_wim = {
    .name = "wim", .bid = wim_bid, .open = wim_open, .probe = wim_probe};
