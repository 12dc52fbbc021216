/* A reader of our own for WIM image metadata and file data, with bounded
 * memory. Why not wimlib: wimlib_iterate_dir_tree and wimlib_extract_paths
 * load the selected image's WHOLE directory tree (about 420 bytes per
 * entry: 154 MiB resident, 195 MiB at peak, for a server image of 241,667
 * entries, bench/README.md "WIM memory"), and wimlib_open_wim loads the
 * whole blob table into its own descriptors (53 MiB there). This reader
 * reads a directory entry from the metadata resource only when a path
 * walks through it (a few decompressed chunks cached), and keeps a sorted
 * index of 12 bytes per blob: what it holds is bounded by the limits of
 * util/limits.h, not by the image's size.
 *
 * It reads single-part, non-pipable WIMs (version 0x10D00) whose resources
 * are not solid: uncompressed, XPRESS, LZX or LZMS chunked resources, the
 * chunk size from the header. Chunks are decompressed with wimlib's public
 * decompressor API (wimlib_create_decompressor / wimlib_decompress). Any
 * other WIM is declined at open and left to wimlib (sources/wim.c).
 *
 * The format is wimlib's (ebiggers/wimlib: include/wimlib/header.h for the
 * header, include/wimlib/resource.h and src/resource.c for resources and
 * chunk tables, src/blob_table.c for the blob table, src/dentry.c for
 * directory entries and their extra stream entries, src/security.c and
 * src/metadata_resource.c for where the root entry lies), the same layout
 * Microsoft's WIM format document describes. */
#ifndef PL_WIM_IMAGE_H
#define PL_WIM_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "sources/source.h"
#include "util/util.h"

typedef struct pl_wim_file pl_wim_file;
typedef struct pl_wim_image pl_wim_image;

/* Open the WIM in fd (not taken: the caller keeps and closes it). 1 read
 * by us (*out), 0 declined (a variant this reader leaves to wimlib: *why
 * says which, no error), -1 error (err: the file is damaged). */
int pl_wim_file_open(int fd, pl_wim_file **out, char *why, size_t why_len, pl_err *err);
void pl_wim_file_close(pl_wim_file *f);
/* Images in the header. */
unsigned pl_wim_file_image_count(const pl_wim_file *f);
/* Blob table entries indexed (for the memory figures of the tests). */
size_t pl_wim_file_blob_count(const pl_wim_file *f);

/* One image (1-based) of an open file: f must outlive it. 0 or -1 (err). */
int pl_wim_image_open(pl_wim_file *f, unsigned image, pl_wim_image **out, pl_err *err);
void pl_wim_image_close(pl_wim_image *im);

typedef struct {
    int is_dir;
    int reparse;      /* a reparse point: never followed, never read */
    int encrypted;    /* EFS raw data: not read either */
    uint64_t size;    /* the unnamed data stream's size (0: none) */
} pl_wim_stat;

/* path: '/'-separated, relative to the image root ("" is the root); names
 * match case-insensitively for ASCII letters (see wim_image.c). 1 found
 * (st filled), 0 no such path, -1 error (err). */
int pl_wim_image_stat(pl_wim_image *im, const char *path, pl_wim_stat *st, pl_err *err);
/* List directory dir; cb as for pl_fs. 0, or -1 (err). */
int pl_wim_image_list(pl_wim_image *im, const char *dir, pl_dir_cb cb, void *ctx, pl_err *err);
/* The pl_fs lookup contract (source.h): 1 name is in dir (*is_dir), 0 it
 * is not, -1 cannot tell (non-ASCII name, damage: resolution then lists). */
int pl_wim_image_lookup(pl_wim_image *im, const char *dir, const char *name, int *is_dir);
/* Read a regular file's unnamed data stream of at most max bytes into a
 * malloc'd buffer; its SHA-1 is checked. 0, or -1 (err; the code says
 * what: not-found, unsupported (a directory, a reparse point), limit,
 * truncated, corrupt). */
int pl_wim_image_read(pl_wim_image *im, const char *path, uint64_t max, uint8_t **data,
                      size_t *len, pl_err *err);

/* The message of a chunk that does not decompress: wimlib's own words for
 * it (wimlib_get_error_string(WIMLIB_ERR_DECOMPRESSION)), so that a report
 * reads the same whichever reader met the damage. */
const char *pl_wim_decompression_error(void);

#endif
