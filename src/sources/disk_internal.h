/* Disk images, inside the sources layer. Three parts:
 *   disk_image.c  detect the container by content (the registered
 *                 modules bid, container.h) and open it as one TSK image:
 *                 through TSK's own image layer where it supports the
 *                 format, through the module's library and
 *                 tsk_img_open_external where a parent chain must be
 *                 attached first or TSK lacks the format. Either way the
 *                 result is wrapped so every byte read is counted.
 *   disk_chain.c  layers and the resolution of parents, through the
 *                 modules' tables only.
 *   disk.c        the source: partitions (TSK volume system) and a pl_fs
 *                 per filesystem (TSK).
 * Nothing here opens a file for writing. */
#ifndef PL_DISK_INTERNAL_H
#define PL_DISK_INTERNAL_H

#include <stdint.h>
#include <tsk/libtsk.h>

#include "sources/container.h"
#include "sources/source.h"

/* Reads of the virtual disk that failed (a truncated or damaged image):
 * kept by the counting wrapper, so that no failure goes unreported even
 * where TSK turns it into "nothing found". */
typedef struct {
    uint64_t count;            /* failed reads */
    uint64_t reported;         /* count when the source last reported them */
    char first[320];           /* "N bytes at disk offset X: why", the first since */
    char last[320];            /* the same for the most recent */
} pl_read_faults;

/* An opened disk: one TSK image over the whole (merged) virtual disk. */
typedef struct {
    TSK_IMG_INFO *img;         /* the counting wrapper; owns everything below */
    const pl_container_ops *ops;   /* the container format (ops->name) */
    pl_strlist chain;          /* files of the chain, child first */
    uint64_t *bytes_read;      /* lives in the wrapper; valid while img is */
    pl_read_faults *faults;    /* likewise */
} pl_disk;

/* Serve the first 512 bytes of the disk from sector0 instead of the image
 * (a copy of the MBR with unusable entries cleared, so that TSK lists the
 * partitions it can). Reads still count; the image is not written. */
void pl_disk_override_sector0(pl_disk *disk, const uint8_t sector0[512]);

/* Make a library message one line: control characters (libewf and TSK put
 * newlines in theirs) become "; " or spaces, trailing blanks and a final
 * period go. In place, and never longer than s was (cut there). */
void pl_disk_one_line(char *s);

/* Open a disk image by content, with its parents. parents: extra candidate
 * files from --parent. 0 ok, -1 with err set. */
int pl_disk_open(const char *path, const pl_strlist *parents, pl_disk *disk, pl_err *err);
void pl_disk_close(pl_disk *disk);

/* ---- chains (disk_chain.c) ---------------------------------------------- */

/* Open path as a layer of the given format and, if it has a parent, find,
 * check and attach the whole chain (bounded depth). On success *chain
 * lists the files child first. */
int pl_layer_open_chain(const char *path, const pl_container_ops *ops, const pl_strlist *parents,
                        pl_layer **out, pl_strlist *chain, pl_err *err);
/* 1 when the file has a parent (a differencing disk / delta / overlay), or
 * must be read through its library all the same (library_only), 0 when
 * not, -1 error. Opens and closes the file. */
int pl_layer_has_parent(const char *path, const pl_container_ops *ops, pl_err *err);
uint64_t pl_layer_media_size(const pl_layer *l);
/* Read from the merged chain; on failure -1 with err set to the library's
 * innermost reason (or, better, why the file cannot hold that data). */
ssize_t pl_layer_read(pl_layer *l, uint64_t off, void *buf, size_t len, pl_err *err);
void pl_layer_close_chain(pl_layer *l);

#endif
