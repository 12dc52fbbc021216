/* Raw disks and volumes (dd images, a bare NTFS volume): read by TSK's own
 * raw image layer. No signature of its own, so a raw image is recognised
 * only by what it holds at its start, and bids low: any container with a
 * signature wins over it. */
#include <string.h>

#include "sources/container.h"

/* An ext2/3/4 superblock (at byte 1024, magic 0xEF53 at its offset 56):
 * a bare Linux volume. It holds no Windows, but it is a volume the disk
 * source reads (and reports as searched), as it does inside any other
 * container, rather than an unrecognised file. */
static int looks_ext(const pl_container_bytes *b)
{
    return b->head_len >= 1024 + 58 && b->head[1024 + 56] == 0x53 && b->head[1024 + 57] == 0xEF;
}

/* A raw disk or volume: an MBR/GPT partition table or a boot sector we know. */
static int looks_raw(const uint8_t *s0, const uint8_t *s1)
{
    if (memcmp(s1, "EFI PART", 8) == 0)
        return 1;
    if (memcmp(s0 + 3, "NTFS    ", 8) == 0 || memcmp(s0 + 54, "FAT1", 4) == 0 ||
        memcmp(s0 + 82, "FAT32", 5) == 0)
        return 1;
    return s0[510] == 0x55 && s0[511] == 0xAA;
}

static int raw_bid(const pl_container_bytes *b)
{
    /* both sectors: the GPT header is in the second */
    if (b->head_len < 1024)
        return PL_BID_NONE;
    return looks_raw(b->head, b->head + 512) || looks_ext(b) ? PL_BID_WEAK : PL_BID_NONE;
}

const pl_container_ops pl_container_raw = {
    .name = "raw",
    .bid = raw_bid,
    .tsk_type = TSK_IMG_TYPE_RAW,
};
