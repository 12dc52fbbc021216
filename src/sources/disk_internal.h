/* Disk images, inside the sources layer. Three parts:
 *   disk_image.c  detect the container by content and open it as one TSK
 *                 image: through TSK's own image layer where it supports the
 *                 format (raw, E01, VMDK, VHD/VHDX), through the libyal
 *                 libraries and tsk_img_open_external where a parent chain
 *                 must be attached first (differencing VHD/VHDX, VMDK
 *                 deltas) or TSK lacks the format (qcow2). Either way the
 *                 result is wrapped so every byte read is counted.
 *   disk_chain.c  the libyal layers and the resolution of parents.
 *   disk.c        the source: partitions (TSK volume system) and a pl_fs
 *                 per filesystem (TSK).
 * Nothing here opens a file for writing. */
#ifndef PL_DISK_INTERNAL_H
#define PL_DISK_INTERNAL_H

#include <stdint.h>
#include <tsk/libtsk.h>

#include "sources/source.h"

typedef enum {
    PL_DISK_UNKNOWN = 0,
    PL_DISK_RAW,
    PL_DISK_EWF,
    PL_DISK_VHD,
    PL_DISK_VHDX,
    PL_DISK_VMDK,
    PL_DISK_QCOW,
} pl_disk_format;

/* The container name in reports: "raw", "e01", "vhd", "vhdx", "vmdk", "qcow2". */
const char *pl_disk_format_name(pl_disk_format f);

/* What the first and last bytes of a file say it is. PL_DISK_RAW only
 * when a partition table or a filesystem boot sector is recognised. */
pl_disk_format pl_disk_detect(const char *path, pl_err *err);

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
    pl_disk_format format;
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

/* The container's structures against its file size (disk_check.c): 0 when
 * everything its headers declare lies inside the file, -1 with err set
 * ("truncated: ..." or what is damaged). Raw and EWF files pass here;
 * EWF segment sets are checked with pl_disk_check_ewf. */
int pl_disk_check_file(const char *path, pl_disk_format format, pl_err *err);
int pl_disk_check_ewf(const pl_strlist *segments, pl_err *err);
/* After a read of disk offset off failed: 1 with err set when the entry
 * that maps it points past the end of the file (qcow2, sparse VMDK), 0 when
 * no such reason is found. */
int pl_disk_explain_read_failure(const char *path, pl_disk_format format, uint64_t off,
                                 pl_err *err);

/* Open a disk image by content, with its parents. parents: extra candidate
 * files from --parent. 0 ok, -1 with err set. */
int pl_disk_open(const char *path, const pl_strlist *parents, pl_disk *disk, pl_err *err);
void pl_disk_close(pl_disk *disk);

/* ---- chains (disk_chain.c) ---------------------------------------------- */

typedef struct pl_layer pl_layer;

/* Open path as a libyal layer of the given format and, if it has a parent,
 * find, check and attach the whole chain (bounded depth). On success
 * *chain lists the files child first. */
int pl_layer_open_chain(const char *path, pl_disk_format format, const pl_strlist *parents,
                        pl_layer **out, pl_strlist *chain, pl_err *err);
/* 1 when the file has a parent (a differencing disk / delta / overlay), or
 * must be read through its library all the same (a single-file VMDK
 * renamed after it was made, whose descriptor names its old file name),
 * 0 when not, -1 error. Opens and closes the file. */
int pl_layer_has_parent(const char *path, pl_disk_format format, pl_err *err);
uint64_t pl_layer_media_size(const pl_layer *l);
/* Read from the merged chain; on failure -1 with err set to the library's
 * innermost reason. */
ssize_t pl_layer_read(pl_layer *l, uint64_t off, void *buf, size_t len, pl_err *err);
void pl_layer_close_chain(pl_layer *l);

/* The parent locators of a VHD differencing disk (our own bounds-checked
 * reader: libvhdi exposes only one name). Relative ("W2ru") paths first,
 * then absolute ("W2ku"), then the parent unicode name; UTF-8, with '\'
 * kept as written. */
int pl_vhd_parent_names(const char *path, pl_strlist *names, pl_err *err);

#endif
