/* Looking one name up in an NTFS directory index ($I30), the way Windows
 * does: a descent of the B+ tree from $INDEX_ROOT through the INDX blocks
 * of $INDEX_ALLOCATION, comparing names with the volume's $UpCase table.
 *
 * Why our own: The Sleuth Kit (4.11) only answers "is X in directory D" by
 * listing D whole (tsk_fs_dir_open_meta), which is quadratic in entries
 * (tsk_fs_dir_add checks each name against all before it) and, on its
 * first call, sweeps the whole MFT to build a parent map. On a real server
 * that listing of WinSxS (40,000 entries) only to learn that pending.xml is
 * absent was half the run (bench/bench-server.sh). A lookup reads the
 * index root and one INDX block per level.
 *
 * This file is the byte parser only (no I/O): disk.c reads the attributes
 * through TSK and feeds the nodes here. Every offset and length read from
 * the node is checked against the buffer. */
#ifndef PL_NTFS_INDEX_H
#define PL_NTFS_INDEX_H

#include <stddef.h>
#include <stdint.h>

/* An $UpCase table has one 16-bit entry per UTF-16 code unit. */
#define PL_NTFS_UPCASE_UNITS 65536
/* Levels of the B+ tree followed in one lookup: a directory of 1,000,000
 * entries in 4 KiB blocks is 4-5 levels deep. */
#define PL_NTFS_MAX_INDEX_DEPTH 32
/* Longest NTFS file name, in UTF-16 code units. */
#define PL_NTFS_MAX_NAME_UNITS 255

typedef enum {
    PL_NTFS_FOUND,      /* the name, spelled exactly as asked: ref, is_dir */
    PL_NTFS_ABSENT,     /* no entry equal to the name with case ignored */
    PL_NTFS_DESCEND,    /* continue in the INDX block at vcn */
    PL_NTFS_AMBIGUOUS,  /* only another spelling (case, DOS 8.3 name) matches:
                           the caller lists the directory instead */
    PL_NTFS_BAD         /* the node is malformed (why in the message) */
} pl_ntfs_result;

typedef struct {
    uint64_t ref;       /* MFT record number (low 48 bits of the reference) */
    int is_dir;
    uint64_t vcn;       /* PL_NTFS_DESCEND: the child block */
    int saw_variant;    /* a case variant or DOS name of the name was passed */
    const char *why;    /* PL_NTFS_BAD: what is wrong */
} pl_ntfs_hit;

/* A checked $UpCase table: 0, or -1 when it does not map 'a'..'z' to
 * 'A'..'Z' and leave the other ASCII units alone (then names cannot be
 * compared the way the rest of patchlevel does, and the caller lists). */
int pl_ntfs_upcase_check(const uint16_t *upcase);

/* Apply the update sequence fixups of a multi-sector record (FILE or INDX)
 * of len bytes in place. 0, or -1 with *why set. */
int pl_ntfs_fixup(uint8_t *rec, size_t len, const char **why);

/* Search one node. The node header (entries offset, index length, ...)
 * starts at hdr in buf: 0x10 in $INDEX_ROOT, 0x18 in an INDX block (after
 * pl_ntfs_fixup). want is UTF-16 (host order), wantlen units. */
pl_ntfs_result pl_ntfs_index_node(const uint8_t *buf, size_t len, size_t hdr,
                                  const uint16_t *upcase, const uint16_t *want, size_t wantlen,
                                  pl_ntfs_hit *hit);

/* One entry of a node, as pl_ntfs_index_entries hands it out. */
typedef struct {
    const uint8_t *name;  /* UTF-16LE, name_units units; NULL for the last entry */
    size_t name_units;
    int dos_only;         /* an 8.3 alias of another entry */
    uint64_t ref;
    int is_dir;
    int has_sub;
    uint64_t sub_vcn;
} pl_ntfs_entry;

/* Every entry of one node in order, the last (keyless) one included: cb
 * returns non-zero to stop. PL_NTFS_FOUND when all were handed out (or cb
 * stopped), PL_NTFS_BAD (hit->why) when the node is malformed; entries
 * before the damage have been handed out. For a directory listing: an
 * in-order walk visits a child (sub_vcn) before the entry that points to
 * it, and the names come out sorted. */
pl_ntfs_result pl_ntfs_index_entries(const uint8_t *buf, size_t len, size_t hdr,
                                     int (*cb)(const pl_ntfs_entry *e, void *ctx), void *ctx,
                                     pl_ntfs_hit *hit);

/* The $INDEX_ROOT fields: the index block size (bytes). 0, or -1 with *why
 * (not a file name index, impossible block size). */
int pl_ntfs_index_root(const uint8_t *root, size_t len, uint32_t *block_size, const char **why);

/* UTF-8 to UTF-16 units; -1 when invalid or longer than max units. */
int pl_ntfs_utf8_to_utf16(const char *s, uint16_t *out, size_t max, size_t *n);

#endif
