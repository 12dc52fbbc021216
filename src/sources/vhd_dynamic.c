/* Dynamic and differencing VHD: the parser (see vhd_dynamic.h). */
#include "sources/vhd_dynamic.h"

#include <string.h>

#include "util/limits.h"
#include "util/util.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

int pl_vhd_parse(const uint8_t foot[512], const uint8_t *dyn, uint64_t file_size,
                 uint64_t *dyn_offset, pl_vhd_geometry *g, const char **why)
{
    if (memcmp(foot, "conectix", 8) != 0) {
        *why = "no VHD footer";
        return -1;
    }
    uint32_t type = be32(foot + 60);
    if (type != 3 && type != 4)
        return 1;
    *dyn_offset = be64(foot + 16);
    if (!dyn)
        return 0;
    if (memcmp(dyn, "cxsparse", 8) != 0) {
        *why = "no dynamic disk header";
        return -1;
    }
    memset(g, 0, sizeof *g);
    g->differencing = type == 4;
    g->media_size = be64(foot + 48);
    g->bat_offset = be64(dyn + 16);
    g->entries = be32(dyn + 28);
    g->block_size = be32(dyn + 32);
    /* a power of two between a sector and 256 MiB (2 MiB in practice) */
    if (g->block_size < 512 || g->block_size > (256u << 20) ||
        (g->block_size & (g->block_size - 1))) {
        *why = "invalid block size";
        return -1;
    }
    if (g->entries > PL_MAX_VHD_BAT_ENTRIES ||
        (uint64_t)g->entries * g->block_size < g->media_size ||
        !pl_range_ok(g->bat_offset, 4ull * g->entries, file_size)) {
        *why = "the block allocation table does not fit";
        return -1;
    }
    g->bitmap_bytes = (g->block_size / 512 / 8 + 511) / 512 * 512;
    return 0;
}

size_t pl_vhd_map(const pl_vhd_geometry *g, const uint32_t *bat, const uint8_t *bitmap,
                  uint64_t file_end, uint64_t off, size_t len, uint64_t *file_off)
{
    if (off >= g->media_size || len == 0)
        return 0;
    if (len > g->media_size - off)
        len = (size_t)(g->media_size - off);
    uint64_t block = off / g->block_size, in = off % g->block_size;
    if (block >= g->entries)
        return 0;
    uint64_t n = g->block_size - in < len ? g->block_size - in : len;
    if (bat[block] == 0xFFFFFFFFu) {
        *file_off = UINT64_MAX;
        return (size_t)n;
    }
    uint64_t data = (uint64_t)bat[block] * 512 + g->bitmap_bytes;
    if (!pl_range_ok(data, g->block_size, file_end) || !bitmap)
        return 0;
    /* the sector bitmap, most significant bit first: a run of sectors
     * that are all written (read from the file) or all not (zeros) */
    uint64_t s = in / 512;
    int set = (bitmap[s / 8] >> (7 - s % 8)) & 1;
    uint64_t end = (in + n + 511) / 512;
    uint64_t t = s + 1;
    while (t < end && ((bitmap[t / 8] >> (7 - t % 8)) & 1) == set)
        t++;
    uint64_t run_end = t * 512 < in + n ? t * 512 : in + n;
    *file_off = set ? data + in : UINT64_MAX;
    return (size_t)(run_end - in);
}
