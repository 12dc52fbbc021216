/* Raw disks and volumes (dd images, a bare NTFS volume): read by TSK's own
 * raw image layer. No signature of its own, so a raw image is recognised
 * only by what it holds at its start, and bids low: any container with a
 * signature wins over it. */
#include <string.h>

#include "sources/container.h"

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
    if (b->head_len < PL_CONTAINER_HEAD)
        return PL_BID_NONE;
    return looks_raw(b->head, b->head + 512) ? PL_BID_WEAK : PL_BID_NONE;
}

const pl_container_ops pl_container_raw = {
    .name = "raw",
    .bid = raw_bid,
    .tsk_type = TSK_IMG_TYPE_RAW,
};
