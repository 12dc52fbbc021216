/* Reading a dynamic or differencing VHD: footer, dynamic header, block
 * allocation table, then for every read the block's sector bitmap and data.
 * The two differ only in what a sector not in the file holds: zeros on a
 * dynamic disk, the parent's data on a differencing one ("Virtual Hard
 * Disk Image Format Specification", Microsoft, 2006, "Block Allocation
 * Table and Data Blocks": the sector bitmap "indicates which sectors
 * contain valid data (1's) and which sectors have never been modified
 * (0's)"; for a differencing disk a 0 means the sector is read from the
 * parent, as is an unallocated block).
 *
 * Why our own: libvhdi (20210425) looks each read up by a linear search of
 * the block's sector range descriptors
 * (libvhdi_block_descriptor_get_sector_range_descriptor_at_offset): a
 * server-size disk read through it took 6x as long as the same disk raw
 * (bench/bench-server.sh). A dynamic VHD needs one table lookup per block.
 * libvhdi still opens the file (identifiers, parent hints, its checks) and
 * reads differencing VHDs and VHDX.
 *
 * The parser part (no I/O) is here; container_vhd.c reads the file. */
#ifndef PL_VHD_DYNAMIC_H
#define PL_VHD_DYNAMIC_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t media_size;     /* the footer's current size */
    uint64_t bat_offset;     /* file offset of the block allocation table */
    uint32_t entries;        /* table entries */
    uint32_t block_size;     /* bytes of data per block */
    uint32_t bitmap_bytes;   /* the sector bitmap before each block's data */
    int differencing;        /* disk type 4: what is not here is the parent's */
} pl_vhd_geometry;

/* From the footer (the last 512 bytes of the file) and the dynamic header
 * (1024 bytes at the footer's data offset, which *dyn_offset receives
 * first: call with dyn NULL to learn it). 0 (g->differencing tells the
 * two kinds apart), 1 neither a dynamic nor a differencing disk (a fixed
 * disk: TSK reads it), -1 malformed (*why). */
int pl_vhd_parse(const uint8_t foot[512], const uint8_t *dyn, uint64_t file_size,
                 uint64_t *dyn_offset, pl_vhd_geometry *g, const char **why);

/* Where the bytes [off, off + len) of the virtual disk begin: the longest
 * prefix that lies in one place. bat is the table in host order; bitmap
 * the sector bitmap of off's block (NULL when the block is absent).
 * *file_off = the file offset, or UINT64_MAX when the bytes are not in
 * this file (a block not allocated, sectors never written: zeros on a
 * dynamic disk, the parent's bytes on a differencing one); returns the prefix length (> 0), or
 * 0 when off lies outside the disk or the block's data would lie outside
 * the file (file_end = where the data must end: the footer's offset). */
size_t pl_vhd_map(const pl_vhd_geometry *g, const uint32_t *bat, const uint8_t *bitmap,
                  uint64_t file_end, uint64_t off, size_t len, uint64_t *file_off);

#endif
