/* Disk containers, one module per format, inside the sources layer.
 *
 * Each format (container_raw.c, container_ewf.c, container_vhd.c,
 * container_vhdx.c, container_vmdk.c, container_qcow.c) defines one
 * pl_container_ops table; container_registry.c lists them. Everything
 * else (detection in container_registry.c, opening and the counted TSK
 * image in disk_image.c, parent chains in disk_chain.c) only calls the
 * table: adding a format is one new file and one line in the registry
 * (doc/containers.md says how).
 *
 * A container is read one of two ways:
 *   natively: TSK's own image layer opens the file (tsk_type);
 *   as a layer: the module opens the file with its library (libvhdi,
 *     libvmdk, libqcow) and serves reads itself; this is the only way
 *     where a parent must be attached first (differencing VHD/VHDX, VMDK
 *     deltas, qcow2 overlays) or where TSK lacks the format (qcow2).
 * Nothing here opens a file for writing. */
#ifndef PL_CONTAINER_H
#define PL_CONTAINER_H

#include <stdint.h>
#include <sys/types.h>
#include <tsk/libtsk.h>

#include "sources/source.h"

typedef struct pl_layer pl_layer;
typedef struct pl_container_ops pl_container_ops;

/* What detection shows a module: the first bytes of the file and, when
 * the file holds a whole head, its last 512 bytes. */
#define PL_CONTAINER_HEAD 2048   /* two sectors, and an ext superblock (at 1024) */
#define PL_CONTAINER_TAIL_MIN 1024
typedef struct {
    const uint8_t *head;       /* the first head_len bytes */
    size_t head_len;           /* < PL_CONTAINER_HEAD when the file is shorter */
    const uint8_t *tail;       /* the last 512 bytes; NULL unless head_len is at
                                * least PL_CONTAINER_TAIL_MIN (and they could be read) */
} pl_container_bytes;

/* Bids: how sure a module is that the bytes are its format. The highest
 * bid wins; 0 = not this format. */
enum {
    PL_BID_NONE = 0,
    PL_BID_WEAK = 10,          /* a partition table or boot sector: raw */
    PL_BID_TRAILER = 50,       /* a signature in the last bytes only */
    PL_BID_SIGNATURE = 100,    /* a signature at offset 0 */
};

/* What a child says about its parent. */
typedef struct {
    pl_strlist names;          /* parent file names as written, best first */
    int has_id;
    uint8_t id[16];            /* the identifier the child expects (left-aligned) */
    int id_len;                /* bytes of id to show in messages */
} pl_parent_hint;

/* An opened file read through its module's library (one link of a chain). */
struct pl_layer {
    const pl_container_ops *ops;
    char *path;
    void *h;                   /* the library's handle */
    void *priv;                /* the module's own state, freed by its close */
    uint64_t size;             /* the virtual disk's size (set by open) */
    /* Set by open: must be read through the library even without a parent
     * (a renamed single-file VMDK, see container_vmdk.c). */
    int library_only;
    pl_layer *parent;
    /* The file itself, for loop detection: "./self.qcow2", "self.qcow2"
     * and a symbolic link to it are different paths to one file. */
    dev_t dev;
    ino_t ino;
};

/* The operations table of one container format. Optional members may be
 * NULL, as said for each. */
struct pl_container_ops {
    const char *name;          /* in reports: "raw", "e01", "vhd", ... */
    /* Parents of this format must be readable by the same library (a VHD
     * child may have a VHDX parent: both libvhdi). NULL: no layers. */
    const char *library;

    /* How sure is it that these bytes are this format (PL_BID_*). A file
     * cut short inside its header must still bid, so that it is reported
     * as truncated, not as unknown. */
    int (*bid)(const pl_container_bytes *b);
    /* The structures the headers declare against the file size: 0 ok, -1
     * with err ("truncated: ..." or what is damaged). NULL: nothing to
     * check. For a segment set, all its files. */
    int (*check)(const char *path, pl_err *err);
    /* The files of a segment set, first one first (the report's chain of a
     * natively read container). NULL: the file alone. */
    void (*segments)(const char *path, pl_strlist *files);

    /* TSK's image type for a native read; TSK_IMG_TYPE_UNSUPP: always read
     * as a layer. */
    TSK_IMG_TYPE_ENUM tsk_type;
    /* Optional: 1 when this file is read as a layer even without a parent
     * (cheap: by its bytes), else 0. Otherwise a file with a tsk_type is read
     * natively unless it has a parent or is library_only. */
    int (*prefers_layer)(const char *path);

    /* Layers; all NULL for a format only TSK reads. open sets l->h,
     * l->size, l->priv (and l->library_only); 0 ok, -1 with err. */
    int (*open)(pl_layer *l, pl_err *err);
    /* len bytes at off of the virtual disk (the chain merged), or -1 with
     * err set to the library's innermost reason. */
    ssize_t (*read)(pl_layer *l, uint64_t off, void *buf, size_t len, pl_err *err);
    /* 1 has a parent (hint filled), 0 none, -1 error. */
    int (*parent_hint)(pl_layer *l, pl_parent_hint *hint, pl_err *err);
    /* The identifier the file presents to its children, comparable with
     * pl_parent_hint.id (id zeroed by the caller): 0, or -1 when none. NULL:
     * the format has none. */
    int (*identity)(pl_layer *l, uint8_t id[16]);
    /* Optional, for a format without identifiers: is p the parent the child
     * expects? 1 yes, 0 no with why set. NULL: compare identities. */
    int (*parent_ok)(const pl_layer *child, const pl_parent_hint *hint, const pl_layer *p,
                     const pl_strlist *parents, char *why, size_t n);
    /* Read through parent where the child has no data: 0, -1. */
    int (*attach)(pl_layer *child, pl_layer *parent);
    void (*close)(pl_layer *l);

    /* After a read of disk offset off failed: 1 with err set when the entry
     * that maps it points past the end of the file, 0 when no reason is
     * found. NULL: never explains. */
    int (*explain)(const char *path, uint64_t off, pl_err *err);
};

/* ---- the registry (container_registry.c) ------------------------------- */

/* The registered modules, NULL-terminated. */
extern const pl_container_ops *const pl_containers[];

extern const pl_container_ops pl_container_raw, pl_container_ewf, pl_container_vhd,
    pl_container_vhdx, pl_container_vmdk, pl_container_qcow;

/* The module that bids highest on these bytes, NULL when none bids. */
const pl_container_ops *pl_container_bid(const pl_container_bytes *b);
/* The same for a file: NULL (err set when the file cannot be read) when
 * no module recognises it. */
const pl_container_ops *pl_container_detect(const char *path, pl_err *err);
/* By report name ("vhd"), NULL when unknown. */
const pl_container_ops *pl_container_by_name(const char *name);

/* ---- helpers the modules share (container_util.c) ---------------------- */

/* A file whose structures are checked against its size. */
typedef struct {
    int fd;
    uint64_t size;
} pl_cfile;

/* Bytes of a table read per pread. */
#define PL_CFILE_CHUNK 65536
#define PL_MIB (1024ull * 1024)

uint32_t pl_be32(const uint8_t *p);
uint64_t pl_be64(const uint8_t *p);

/* Run fn over path opened as a pl_cfile: fn's result, or -1 ("cannot
 * open: ...") when the file cannot be opened. */
int pl_cfile_check(const char *path, int (*fn)(const pl_cfile *f, pl_err *err), pl_err *err);
/* Run an explanation fn over path: 1 with err set when fn found a reason,
 * else 0 and err untouched (also when the file cannot be opened). */
int pl_cfile_explain(const char *path, uint64_t off,
                     int (*fn)(const pl_cfile *f, uint64_t off, pl_err *err), pl_err *err);
int pl_cfile_open(const char *path, pl_cfile *f, pl_err *err);
/* Read exactly len bytes at off, which the caller has bounded by the size. */
int pl_cfile_read(const pl_cfile *f, uint64_t off, void *buf, size_t len, pl_err *err);
/* "truncated: WHAT lies at bytes A-B, but the file is N bytes" unless
 * [off, off + len) lies inside the file. */
int pl_cfile_need(const pl_cfile *f, uint64_t off, uint64_t len, const char *what, pl_err *err);

/* The libyal libraries chain their errors innermost first, one line per
 * level: keep the first line, on one line. */
void pl_libyal_reason(char *msg);

#define PL_LIBYAL_ERR(lib, e, err, what)                                \
    do {                                                                \
        char msg_[512] = "";                                            \
        if (e) {                                                        \
            lib##_error_backtrace_sprint(e, msg_, sizeof msg_);         \
            lib##_error_free(&e);                                       \
            pl_libyal_reason(msg_);                                     \
        }                                                               \
        pl_err_setc(err, PL_ERR_LIBRARY, "%s: %s", what, msg_[0] ? msg_ : "failed");     \
    } while (0)

/* A name a library hands out as (size function, get function), NUL
 * terminated and at most PL_MAX_DISK_NAME_BYTES, malloc'd; NULL if none. */
char *pl_libyal_utf8_name(int (*size_fn)(void *, size_t *, void *),
                          int (*get_fn)(void *, uint8_t *, size_t, void *), void *h);

/* The directory part of path, malloc'd. */
char *pl_dir_of(const char *path);
/* 1 when path is a symbolic link whose target lies outside the directory
 * of the file beside, *target then that target (malloc'd). */
int pl_link_leaves_dir(const char *path, const char *beside, char **target);
/* A Windows or POSIX path as written in a locator, with '\' made '/'. */
char *pl_posix_path(const char *name);

/* ---- the libvhdi calls VHD and VHDX share (container_vhdi.c) ----------- */

int pl_vhdi_open(pl_layer *l, pl_err *err);
ssize_t pl_vhdi_read(pl_layer *l, uint64_t off, void *buf, size_t len, pl_err *err);
/* VHD passes its own locator reader (parent names, relative first), VHDX
 * NULL. */
int pl_vhdi_parent_hint(pl_layer *l, pl_parent_hint *hint,
                        int (*locators)(const char *path, pl_strlist *names, pl_err *err),
                        pl_err *err);
int pl_vhdi_identity(pl_layer *l, uint8_t id[16]);
int pl_vhdi_attach(pl_layer *child, pl_layer *parent);
void pl_vhdi_close(pl_layer *l);

/* The parent locators of a VHD differencing disk (vhd_locators.c: our own
 * bounds-checked reader; libvhdi exposes only one name). Relative ("W2ru")
 * paths first, then absolute ("W2ku"), then the parent unicode name;
 * UTF-8, with '\' kept as written. */
int pl_vhd_parent_names(const char *path, pl_strlist *names, pl_err *err);

#endif
