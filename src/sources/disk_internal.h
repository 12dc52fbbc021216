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

/* An opened disk: one TSK image over the whole (merged) virtual disk. */
typedef struct {
    TSK_IMG_INFO *img;         /* the counting wrapper; owns everything below */
    pl_disk_format format;
    pl_strlist chain;          /* files of the chain, child first */
    uint64_t *bytes_read;      /* lives in the wrapper; valid while img is */
} pl_disk;

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
/* 1 when the file has a parent (a differencing disk / delta / overlay),
 * 0 when not, -1 error. Opens and closes the file. */
int pl_layer_has_parent(const char *path, pl_disk_format format, pl_err *err);
uint64_t pl_layer_media_size(const pl_layer *l);
ssize_t pl_layer_read(pl_layer *l, uint64_t off, void *buf, size_t len);
void pl_layer_close_chain(pl_layer *l);

/* The parent locators of a VHD differencing disk (our own bounds-checked
 * reader: libvhdi exposes only one name). Relative ("W2ru") paths first,
 * then absolute ("W2ku"), then the parent unicode name; UTF-8, with '\'
 * kept as written. */
int pl_vhd_parent_names(const char *path, pl_strlist *names, pl_err *err);

#endif
