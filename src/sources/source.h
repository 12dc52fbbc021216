/* The sources layer: open an input (a directory tree, a WIM, a bare hive,
 * a disk image) and hand out its volumes, each as a small read-only
 * file-access interface (pl_fs). Everything above this layer reads files
 * only through pl_fs, so a new kind of input is one new file here and one
 * line in source.c (pl_source_kinds), and a new disk container format one
 * new file and one line in container_registry.c (doc/containers.md).
 *
 * Paths given to pl_fs are '/'-separated and relative to the volume root.
 * The backend ops take paths in their exact stored case; pl_fs_resolve()
 * turns a Windows path into that exact path, matching case-insensitively as
 * Windows does. */
#ifndef PL_SOURCE_H
#define PL_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

typedef struct pl_fs pl_fs;

/* Called for each directory entry; return non-zero to stop early. */
typedef int (*pl_dir_cb)(const char *name, int is_dir, void *ctx);

typedef struct {
    int is_dir;
    uint64_t size;
} pl_stat;

typedef struct {
    /* 1 found (st filled), 0 no such path, -1 error (err set). */
    int (*stat)(pl_fs *fs, const char *path, pl_stat *st, pl_err *err);
    /* List one directory. 0 ok, -1 error. At most PL_MAX_DIR_ENTRIES. */
    int (*list)(pl_fs *fs, const char *dir, pl_dir_cb cb, void *ctx, pl_err *err);
    /* Read a whole file of at most max bytes (larger: -1, "file is N bytes,
     * over the limit of M"). 0 ok with *data malloc'd, -1 error. */
    int (*read)(pl_fs *fs, const char *path, uint64_t max, uint8_t **data, size_t *len,
                pl_err *err);
    /* Optional: a hint that these exact paths will be read soon, so that a
     * backend that pays per call (a solid WIM decompresses whole blocks)
     * can fetch them together. max[i] is the limit read() will apply to
     * paths[i] (PL_MAX_PE_BYTES for a kernel, ...): a larger file is not
     * fetched at all, and read() refuses it. May be NULL. */
    int (*prefetch)(pl_fs *fs, const char *const *paths, const uint64_t *max, size_t n,
                    pl_err *err);
    void (*close)(pl_fs *fs);
    /* Optional: is name (exact spelling) in directory dir (an exact path
     * already resolved), without listing dir? 1 yes (*is_dir set), 0 no
     * entry equal to name with case ignored, -1 cannot tell cheaply (a
     * case variant only, an index it does not read): resolution then lists
     * dir, which also reports any damage. May be NULL. */
    int (*lookup)(pl_fs *fs, const char *dir, const char *name, int *is_dir);
} pl_fs_ops;

typedef struct pl_dir_cache pl_dir_cache;

struct pl_fs {
    const pl_fs_ops *ops;
    uint64_t bytes_read;   /* content bytes handed out by read() */
    /* The backend's stat() matches names case-insensitively (NTFS through
     * TSK, wimlib), so a hit does not give the stored spelling: resolution
     * then walks directory listings, which are cached here. */
    int case_insensitive;
    pl_dir_cache *cache;
};

/* Close any pl_fs (frees the listing cache, then the backend). */
void pl_fs_close(pl_fs *fs);

/* Resolve a path case-insensitively, component by component. Returns 1 and
 * a malloc'd exact path in *exact, 0 when it does not exist, -1 on error. */
int pl_fs_resolve(pl_fs *fs, const char *path, char **exact, pl_err *err);

/* Resolve, then read. Same returns as resolve; once the path resolved
 * (1, or -1 from the read), *exact (if not NULL) receives the stored path,
 * which the caller frees. err does not repeat the path. */
int pl_fs_read_ci(pl_fs *fs, const char *path, uint64_t max, uint8_t **data, size_t *len,
                  char **exact, pl_err *err);

/* Where a volume sits in its input, as the report's "location" shows it. */
typedef struct {
    const char *partition_scheme;  /* "mbr", "gpt", "none" */
    int partition_number;          /* 0 = none */
    int64_t partition_start;       /* bytes; -1 = none */
    const char *filesystem;        /* "ntfs", "dir", "wim", "hive", ... */
    int wim_image;                 /* 0 = not a WIM image */
    char *wim_image_name;
} pl_location;

/* The Windows metadata a WIM's XML claims for one image. Empty strings and
 * -1 mean absent. */
typedef struct {
    int present;                   /* the image has a <WINDOWS> element */
    char *product_name, *edition_id, *installation_type, *product_type;
    char *arch;                    /* "x86", "amd64", "ia64", or the raw number */
    int64_t major, minor, build, spbuild, splevel;
    char *default_language;
    char *name, *description;      /* image NAME / DESCRIPTION */
} pl_wim_claim;

void pl_wim_claim_free(pl_wim_claim *c);

typedef struct {
    pl_fs *fs;
    pl_location loc;
    pl_wim_claim wim_xml;          /* present == 0 when not a WIM */
    /* A bare registry hive: the fs holds one file, "SOFTWARE", and there is
     * no Windows directory around it. */
    int hive_only;
} pl_volume;

void pl_volume_free(pl_volume *v);

typedef struct pl_source pl_source;

typedef struct {
    /* 1 a volume in *out (caller frees with pl_volume_free), 0 no more,
     * -1 error reading this volume (err set; the caller may go on). */
    int (*next_volume)(pl_source *src, pl_volume **out, pl_err *err);
    void (*close)(pl_source *src);
} pl_source_ops;

struct pl_source {
    const pl_source_ops *ops;
    const char *container;         /* "dir", "wim", "esd", "swm", "hive", ... */
    pl_strlist chain;              /* files read, child first (one for most inputs) */
    pl_notes warnings;             /* about the input as a whole */
    /* Bytes read from the image itself (disk sources), NULL where reads
     * are counted per file by each volume's pl_fs. */
    const uint64_t *image_bytes_read;
};

/* Options that sources need. */
typedef struct {
    int verbose;
    const pl_strlist *parents;     /* --parent FILE candidates, may be NULL */
} pl_source_options;

/* Open an input, detecting its kind from its content (not its name).
 * 0 ok, -1 with err set (e.g. "not a recognised image, tree or hive"). */
int pl_source_open(const char *input, const pl_source_options *opt, pl_source **out,
                   pl_err *err);
void pl_source_close(pl_source *src);

/* What a search for inputs (-r) learns of a file without opening it as
 * an input. */
typedef struct {
    const char *kind;              /* the source kind: "wim", "disk", "hive" */
    const char *container;         /* "wim", "hive", or the disk container: "vhd", "e01", ... */
    /* A later part of a set, read only with its first part (a split WIM's
     * part 2 and on): not an input of its own. Parents of a chain and
     * later EWF segments are found by opening their child / first segment
     * (the source's chain), not here. */
    int later_part;
} pl_source_probe_info;

/* Is the regular file path, open as fd, an input a search should pick up
 * (a WIM, a disk image, a bare hive named SOFTWARE)? 1 yes
 * (info filled), 0 no. Its first bytes are read from fd; a disk container
 * is detected by name, as pl_source_open does. */
int pl_source_probe(int fd, const char *path, pl_source_probe_info *info);
/* Is the directory path a Windows tree a search should take whole (it
 * holds Windows/System32/config, or it is a Windows directory holding
 * System32/config; names matched case-insensitively)? 1 yes, 0 no. */
int pl_tree_probe(const char *path);

/* ---- kinds of input ------------------------------------------------------ */

/* The first bytes of a file that the kinds bid on. */
#define PL_SOURCE_MAGIC 64

/* One kind of input (a directory tree, a WIM, a bare hive, a disk image),
 * defined in its own file and listed once in source.c: a new kind is that
 * file and one line. */
typedef struct {
    const char *name;
    /* Does this kind read the input? is_dir: a directory (magic NULL);
     * otherwise the first got bytes of the file. 1 yes, 0 no. */
    int (*bid)(const char *path, int is_dir, const uint8_t *magic, size_t got);
    int (*open)(const char *path, const pl_source_options *opt, pl_source **out, pl_err *err);
    /* Optional (see pl_source_probe): 1 when a search picks the file up as
     * this kind (info filled), 0 not. NULL: never picked up. */
    int (*probe)(const char *path, const uint8_t *magic, size_t got, pl_source_probe_info *info);
} pl_source_kind;

extern const pl_source_kind pl_source_kind_tree, pl_source_kind_wim, pl_source_kind_hive,
    pl_source_kind_disk;

/* The registered kinds, in bidding order, NULL-terminated. */
extern const pl_source_kind *const pl_source_kinds[];

/* The individual sources (each kind's open). */
int pl_source_open_tree(const char *path, pl_source **out, pl_err *err);
int pl_source_open_wim(const char *path, pl_source **out, pl_err *err);
/* For this thread's next WIM reads: 0 (default) extract each file of a
 * non-solid WIM to memory through descriptor 1 (a process-wide lock held
 * meanwhile), 1 always extract into a private temporary directory (the
 * host writes to descriptor 1 from other threads). */
void pl_wim_set_extract_to_directory(int on);
/* Process-wide: 1 (default) read single-part non-solid WIMs with the
 * reader of sources/wim_image.c (bounded memory), 0 always through
 * wimlib (the tests compare the two). */
void pl_wim_set_own_reader(int on);
int pl_source_open_hive(const char *path, pl_source **out, pl_err *err);
int pl_source_open_disk(const char *path, const pl_strlist *parents, pl_source **out,
                        pl_err *err);

/* A pl_fs over a directory on the host (used by the tree source and by the
 * WIM source for the files it extracted). */
pl_fs *pl_fs_dir_open(const char *root, pl_err *err);

/* Read a whole host file of at most max bytes (for backends). */
int pl_host_read_file(const char *host_path, uint64_t max, uint8_t **data, size_t *len,
                      pl_err *err);

/* Symbolic links in an input never lead out of it: evidence is read only
 * from the input's own directory. 1 when host path p, every symbolic link
 * resolved, lies outside dir (*target then the resolved path, malloc'd);
 * 0 when inside, or when p or dir cannot be resolved (the caller's own
 * open then says why). */
int pl_host_path_outside(const char *p, const char *dir, char **target);

#endif
