/* libFuzzer target: the dynamic VHD parser (src/sources/vhd_dynamic.c)
 * that src/sources/container_vhd.c reads dynamic VHDs with. The input is a
 * whole VHD file: footer (last 512 bytes), dynamic header, block table,
 * then maps of offsets across the disk, each block's sector bitmap taken
 * from the input as the reader takes it from the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/vhd_dynamic.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1024)
        return 0;
    const uint8_t *foot = data + size - 512;
    uint64_t dyn_off = 0;
    pl_vhd_geometry g;
    const char *why = NULL;
    int rc = pl_vhd_parse(foot, NULL, size, &dyn_off, &g, &why);
    if (rc != 0 || dyn_off > size || size - dyn_off < 1024)
        return 0;
    rc = pl_vhd_parse(foot, data + dyn_off, size, &dyn_off, &g, &why);
    FUZZ_CHECK(rc >= -1 && rc <= 1);
    if (rc == -1)
        FUZZ_CHECK(why != NULL);
    if (rc != 0)
        return 0;
    FUZZ_CHECK(g.bat_offset + 4ull * g.entries <= size);
    uint32_t *bat = malloc(4 * (size_t)g.entries + 4);
    if (!bat)
        return 0;
    for (uint32_t i = 0; i < g.entries; i++) {
        const uint8_t *p = data + g.bat_offset + 4ull * i;
        bat[i] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    }
    uint64_t file_end = size - 512;
    /* a few offsets: the start, inside each of the first blocks, the end */
    uint64_t offs[8] = {0, 512, g.block_size - 512, g.block_size, (uint64_t)g.block_size + 4096,
                        g.media_size / 2, g.media_size ? g.media_size - 1 : 0, g.media_size};
    for (size_t k = 0; k < 8; k++) {
        uint64_t off = offs[k];
        size_t len = 65536;
        for (int steps = 0; steps < 64 && len; steps++) {
            uint64_t block = off / g.block_size;
            const uint8_t *bitmap = NULL;
            if (block < g.entries && bat[block] != 0xFFFFFFFFu) {
                uint64_t b = (uint64_t)bat[block] * 512;
                if (b <= file_end && file_end - b >= g.bitmap_bytes)
                    bitmap = data + b;
            }
            uint64_t foff = 0;
            size_t n = pl_vhd_map(&g, bat, bitmap, file_end, off, len, &foff);
            FUZZ_CHECK(n <= len);
            if (n == 0)
                break;
            FUZZ_CHECK(off + n <= g.media_size);
            if (foff != UINT64_MAX) {
                FUZZ_CHECK(foff + n <= file_end);
                volatile uint8_t x = data[foff] ^ data[foff + n - 1];
                (void)x;
            }
            off += n;
            len -= n;
        }
    }
    free(bat);
    return 0;
}
