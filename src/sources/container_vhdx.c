/* VHDX (Hyper-V): read by TSK natively when alone, through libvhdi as a
 * layer when it is a differencing disk (.avhdx). The region table, the
 * metadata and every block allocation table entry are checked against
 * the file size first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/container.h"
#include "util/limits.h"

static int vhdx_bid(const pl_container_bytes *b)
{
    return b->head_len >= 8 && memcmp(b->head, "vhdxfile", 8) == 0 ? PL_BID_SIGNATURE
                                                                   : PL_BID_NONE;
}

/* ---- the structures against the file size ------------------------------ */

static const uint8_t GUID_BAT[16] = {0x66, 0x77, 0xC2, 0x2D, 0x23, 0xF6, 0x00, 0x42,
                                     0x9D, 0x64, 0x11, 0x5E, 0x9B, 0xFD, 0x4A, 0x08};
static const uint8_t GUID_METADATA[16] = {0x06, 0xA2, 0x7C, 0x8B, 0x90, 0x47, 0x9A, 0x4B,
                                          0xB8, 0xFE, 0x57, 0x5F, 0x05, 0x0F, 0x88, 0x6E};
static const uint8_t GUID_FILE_PARAMS[16] = {0x37, 0x67, 0xA1, 0xCA, 0x36, 0xFA, 0x43, 0x4D,
                                             0xB3, 0xB6, 0x33, 0xF0, 0xAA, 0x44, 0xE7, 0x6B};
static const uint8_t GUID_SECTOR_SIZE[16] = {0x1D, 0xBF, 0x41, 0x81, 0x6F, 0xA9, 0x09, 0x47,
                                             0xBA, 0x47, 0xF2, 0x33, 0xA8, 0xFA, 0xAB, 0x5F};

#define VHDX_REGION_TABLE_SIZE 65536
#define VHDX_MAX_REGIONS 2047
#define VHDX_MAX_METADATA 2047

/* One 4-KiB header or 64-KiB region table: present when its signature is. */
static int vhdx_region_table(const pl_cfile *f, uint8_t *rt, pl_err *err)
{
    static const uint64_t at[2] = {192 * 1024, 256 * 1024};
    for (int i = 0; i < 2; i++) {
        if (!pl_range_ok(at[i], VHDX_REGION_TABLE_SIZE, f->size))
            continue;
        if (pl_cfile_read(f, at[i], rt, VHDX_REGION_TABLE_SIZE, err) != 0)
            return -1;
        if (memcmp(rt, "regi", 4) == 0)
            return 0;
    }
    if (!pl_range_ok(at[0], VHDX_REGION_TABLE_SIZE, f->size))
        return pl_cfile_need(f, at[0], VHDX_REGION_TABLE_SIZE, "the region table", err);
    pl_err_setc(err, PL_ERR_CORRUPT, "neither region table (at 192 KiB and 256 KiB) has the signature \"regi\"");
    return -1;
}

static int check_vhdx(const pl_cfile *f, pl_err *err)
{
    if (pl_cfile_need(f, 0, 64 * 1024, "the file type identifier", err) != 0 ||
        pl_cfile_need(f, 64 * 1024, 4096, "the first header", err) != 0 ||
        pl_cfile_need(f, 128 * 1024, 4096, "the second header", err) != 0)
        return -1;
    uint8_t *rt = pl_xmalloc(VHDX_REGION_TABLE_SIZE);
    int rc = -1;
    uint8_t *meta = NULL;
    if (vhdx_region_table(f, rt, err) != 0)
        goto out;
    uint32_t nregions = pl_le32(rt + 8);
    if (nregions > VHDX_MAX_REGIONS) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the region table lists %u regions (at most %d fit)", nregions,
                   VHDX_MAX_REGIONS);
        goto out;
    }
    uint64_t bat_off = 0, meta_off = 0;
    uint32_t bat_len = 0, meta_len = 0;
    /* Of the regions the file does not hold, name the first in the file:
     * that is where it was cut. */
    uint64_t cut_at = UINT64_MAX;
    for (uint32_t i = 0; i < nregions; i++) {
        const uint8_t *e = rt + 16 + 32 * (size_t)i;
        uint64_t off = pl_le64(e + 16);
        uint32_t len = pl_le32(e + 24);
        int is_bat = memcmp(e, GUID_BAT, 16) == 0, is_meta = memcmp(e, GUID_METADATA, 16) == 0;
        char what[64];
        snprintf(what, sizeof what, "the %s region",
                 is_bat ? "BAT" : is_meta ? "metadata" : "(unknown) region table entry's");
        pl_err rerr;
        if (off < cut_at && pl_cfile_need(f, off, len, what, &rerr) != 0) {
            cut_at = off;
            *err = rerr;
        }
        if (is_bat) {
            bat_off = off;
            bat_len = len;
        } else if (is_meta) {
            meta_off = off;
            meta_len = len;
        }
    }
    if (cut_at != UINT64_MAX)
        goto out;
    if (!bat_len || meta_len < 32) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the region table lacks the %s region", bat_len ? "metadata" : "BAT");
        goto out;
    }
    /* Metadata: the block size and the logical sector size give the chunk
     * ratio, i.e. which BAT entries are sector bitmap entries. */
    if (meta_len > PL_MAX_VHDX_METADATA_BYTES) {
        pl_err_setc(err, PL_ERR_LIMIT, "the metadata region is %u bytes, over the limit of %llu "
                                       "bytes",
                    meta_len, (unsigned long long)PL_MAX_VHDX_METADATA_BYTES);
        goto out;
    }
    meta = pl_xmalloc(meta_len);
    if (pl_cfile_read(f, meta_off, meta, meta_len, err) != 0)
        goto out;
    if (memcmp(meta, "metadata", 8) != 0) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the metadata region has no \"metadata\" signature");
        goto out;
    }
    uint32_t nitems = pl_le16(meta + 10), block = 0, lss = 0;
    for (uint32_t i = 0; i < nitems && i < VHDX_MAX_METADATA; i++) {
        if (!pl_range_ok(32 + 32 * (uint64_t)i, 32, meta_len))
            break;
        const uint8_t *e = meta + 32 + 32 * (size_t)i;
        uint32_t off = pl_le32(e + 16), len = pl_le32(e + 20);
        if (!pl_range_ok(off, 4, meta_len) || len < 4)
            continue;
        if (memcmp(e, GUID_FILE_PARAMS, 16) == 0)
            block = pl_le32(meta + off);
        else if (memcmp(e, GUID_SECTOR_SIZE, 16) == 0)
            lss = pl_le32(meta + off);
    }
    if (block < PL_MIB || block > 256 * PL_MIB || (block & (block - 1)) ||
        (lss != 512 && lss != 4096)) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the metadata gives an invalid block size (%u) or sector size (%u)",
                   block, lss);
        goto out;
    }
    uint64_t chunk_ratio = ((1ull << 23) * lss) / block;
    uint8_t buf[PL_CFILE_CHUNK];
    uint64_t n = bat_len / 8;
    for (uint64_t i = 0; i < n; i += PL_CFILE_CHUNK / 8) {
        size_t m = (size_t)((n - i) < PL_CFILE_CHUNK / 8 ? (n - i) : PL_CFILE_CHUNK / 8);
        if (pl_cfile_read(f, bat_off + i * 8, buf, m * 8, err) != 0)
            goto out;
        for (size_t k = 0; k < m; k++) {
            uint64_t e = pl_le64(buf + 8 * k), idx = i + k;
            unsigned state = (unsigned)(e & 7);
            int bitmap_entry = idx % (chunk_ratio + 1) == chunk_ratio;
            /* payload: 6 fully, 7 partially present; bitmap: 6 present */
            if (!(state == 6 || (state == 7 && !bitmap_entry)))
                continue;
            uint64_t start = (e >> 20) * PL_MIB, len = bitmap_entry ? PL_MIB : block;
            if (!pl_range_ok(start, len, f->size)) {
                pl_err_setc(err, PL_ERR_TRUNCATED,
                           "truncated: BAT entry %llu (%s block) lies at bytes %llu-%llu, but "
                           "the file is %llu bytes",
                           (unsigned long long)idx, bitmap_entry ? "sector bitmap" : "payload",
                           (unsigned long long)start, (unsigned long long)(start + len - 1),
                           (unsigned long long)f->size);
                goto out;
            }
        }
    }
    rc = 0;
out:
    free(rt);
    free(meta);
    return rc;
}

static int vhdx_check_file(const char *path, pl_err *err)
{
    return pl_cfile_check(path, check_vhdx, err);
}

static int vhdx_parent_hint(pl_layer *l, pl_parent_hint *hint, pl_err *err)
{
    return pl_vhdi_parent_hint(l, hint, NULL, err);
}

const pl_container_ops pl_container_vhdx = {
    .name = "vhdx",
    .library = "libvhdi",
    .bid = vhdx_bid,
    .check = vhdx_check_file,
    .tsk_type = TSK_IMG_TYPE_VHD_VHD,
    .open = pl_vhdi_open,
    .read = pl_vhdi_read,
    .parent_hint = vhdx_parent_hint,
    .identity = pl_vhdi_identity,
    .attach = pl_vhdi_attach,
    .close = pl_vhdi_close,
};
