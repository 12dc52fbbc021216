/* Do the structures a container's own headers declare lie inside its file?
 *
 * The libraries open many damaged images without complaint and fail later,
 * one read at a time, with messages about internal offsets ("unable to read
 * cluster block"), or read zeros. A forensic copy that was cut short (an
 * interrupted transfer, a full disk) is the most common damage, and the
 * examiner needs to be told that, by name, before anything is read. So
 * before a container is handed to its library, the fixed structures its
 * header names (footer, dynamic header, block allocation table, region and
 * metadata tables, L1 / grain directory and the tables they point to, EWF
 * sections) are checked against the file size. Every offset and count is
 * read from the file and so checked before it is used; the tables read here
 * are small (a few bytes per block of the virtual disk), and each is read
 * in bounded pieces. Data blocks are not read: a damaged one is reported
 * when a read of it fails (see the counting wrapper in disk_image.c).
 *
 * Messages say "truncated: ..." when the file ends before something its
 * header declares, and what is damaged otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/disk_internal.h"
#include "util/limits.h"

#define MiB (1024ull * 1024)
/* Bytes of a table read per pread. */
#define CHUNK 65536

typedef struct {
    int fd;
    uint64_t size;
} cfile;

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static uint64_t be64(const uint8_t *p) { return ((uint64_t)be32(p) << 32) | be32(p + 4); }

/* Read exactly len bytes at off, which the caller has bounded by the size. */
static int cread(const cfile *f, uint64_t off, void *buf, size_t len, pl_err *err)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(f->fd, (uint8_t *)buf + got, len - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            pl_err_setc(err, PL_ERR_IO, "cannot read %zu bytes at offset %llu: %s", len,
                       (unsigned long long)off, r < 0 ? strerror(errno) : "end of file");
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

/* "truncated: the file is N bytes, shorter than WHAT (bytes A..B)" unless
 * [off, off + len) lies inside the file. */
static int need(const cfile *f, uint64_t off, uint64_t len, const char *what, pl_err *err)
{
    if (pl_range_ok(off, len, f->size))
        return 0;
    if (off + len < off)
        pl_err_setc(err, PL_ERR_CORRUPT, "%s has an impossible offset %llu", what, (unsigned long long)off);
    else
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: %s lies at bytes %llu-%llu, but the file is %llu bytes",
                   what, (unsigned long long)off, (unsigned long long)(off + len - (len > 0)),
                   (unsigned long long)f->size);
    return -1;
}

/* ---- VHD (dynamic and differencing) ---------------------------------------- */

/* Fixed VHDs are raw data plus a footer and are read by TSK as such;
 * dynamic and differencing ones carry a copy of the footer at 0, a dynamic
 * header and a block allocation table (big-endian sector numbers, 0xFFFFFFFF
 * = not allocated); each block is a sector bitmap followed by the data. */
static int check_vhd(const cfile *f, pl_err *err)
{
    uint8_t foot[512], dyn[1024];
    if (need(f, 0, 512, "the footer copy at the start of the file", err) != 0 ||
        cread(f, 0, foot, 512, err) != 0)
        return -1;
    if (memcmp(foot, "conectix", 8) != 0)
        return 0;   /* a fixed VHD: footer only at the end, found by detection */
    uint32_t type = be32(foot + 60);
    if (type != 3 && type != 4)
        return 0;   /* fixed (2): no dynamic header */
    uint8_t tail[512];
    if (f->size < 1024 || cread(f, f->size - 512, tail, 512, err) != 0 ||
        memcmp(tail, "conectix", 8) != 0) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: the footer at the end of the file is missing (the file is "
                        "%llu bytes)", (unsigned long long)f->size);
        return -1;
    }
    uint64_t dyn_off = be64(foot + 16);
    if (need(f, dyn_off, sizeof dyn, "the dynamic disk header", err) != 0 ||
        cread(f, dyn_off, dyn, sizeof dyn, err) != 0)
        return -1;
    if (memcmp(dyn, "cxsparse", 8) != 0) {
        pl_err_setc(err, PL_ERR_CORRUPT, "no dynamic disk header (\"cxsparse\") at offset %llu",
                   (unsigned long long)dyn_off);
        return -1;
    }
    uint64_t bat_off = be64(dyn + 16);
    uint32_t entries = be32(dyn + 28), block = be32(dyn + 32);
    if (block < 512 || block % 512 != 0) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the dynamic disk header gives an invalid block size of %u bytes", block);
        return -1;
    }
    if (need(f, bat_off, (uint64_t)entries * 4, "the block allocation table", err) != 0)
        return -1;
    /* A block: its sector bitmap (one bit per sector, padded to a sector),
     * then the data; all before the footer. */
    uint64_t bitmap = (((uint64_t)block / 512 + 7) / 8 + 511) / 512 * 512;
    uint64_t data_end = f->size - 512;
    uint8_t buf[CHUNK];
    for (uint64_t i = 0; i < entries; i += CHUNK / 4) {
        size_t n = (size_t)((entries - i) < CHUNK / 4 ? (entries - i) : CHUNK / 4);
        if (cread(f, bat_off + i * 4, buf, n * 4, err) != 0)
            return -1;
        for (size_t k = 0; k < n; k++) {
            uint32_t sector = be32(buf + 4 * k);
            if (sector == 0xFFFFFFFFu)
                continue;
            uint64_t start = (uint64_t)sector * 512;
            if (!pl_range_ok(start, bitmap + block, data_end)) {
                pl_err_setc(err, PL_ERR_TRUNCATED,
                           "block allocation table entry %llu points past the end of the file "
                           "(block at bytes %llu-%llu, the data ends before byte %llu)",
                           (unsigned long long)(i + k), (unsigned long long)start,
                           (unsigned long long)(start + bitmap + block - 1),
                           (unsigned long long)data_end);
                return -1;
            }
        }
    }
    return 0;
}

/* ---- VHDX ------------------------------------------------------------------ */

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
static int vhdx_region_table(const cfile *f, uint8_t *rt, pl_err *err)
{
    static const uint64_t at[2] = {192 * 1024, 256 * 1024};
    for (int i = 0; i < 2; i++) {
        if (!pl_range_ok(at[i], VHDX_REGION_TABLE_SIZE, f->size))
            continue;
        if (cread(f, at[i], rt, VHDX_REGION_TABLE_SIZE, err) != 0)
            return -1;
        if (memcmp(rt, "regi", 4) == 0)
            return 0;
    }
    if (!pl_range_ok(at[0], VHDX_REGION_TABLE_SIZE, f->size))
        return need(f, at[0], VHDX_REGION_TABLE_SIZE, "the region table", err);
    pl_err_setc(err, PL_ERR_CORRUPT, "neither region table (at 192 KiB and 256 KiB) has the signature \"regi\"");
    return -1;
}

static int check_vhdx(const cfile *f, pl_err *err)
{
    if (need(f, 0, 64 * 1024, "the file type identifier", err) != 0 ||
        need(f, 64 * 1024, 4096, "the first header", err) != 0 ||
        need(f, 128 * 1024, 4096, "the second header", err) != 0)
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
        if (off < cut_at && need(f, off, len, what, &rerr) != 0) {
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
    if (cread(f, meta_off, meta, meta_len, err) != 0)
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
    if (block < MiB || block > 256 * MiB || (block & (block - 1)) ||
        (lss != 512 && lss != 4096)) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the metadata gives an invalid block size (%u) or sector size (%u)",
                   block, lss);
        goto out;
    }
    uint64_t chunk_ratio = ((1ull << 23) * lss) / block;
    uint8_t buf[CHUNK];
    uint64_t n = bat_len / 8;
    for (uint64_t i = 0; i < n; i += CHUNK / 8) {
        size_t m = (size_t)((n - i) < CHUNK / 8 ? (n - i) : CHUNK / 8);
        if (cread(f, bat_off + i * 8, buf, m * 8, err) != 0)
            goto out;
        for (size_t k = 0; k < m; k++) {
            uint64_t e = pl_le64(buf + 8 * k), idx = i + k;
            unsigned state = (unsigned)(e & 7);
            int bitmap_entry = idx % (chunk_ratio + 1) == chunk_ratio;
            /* payload: 6 fully, 7 partially present; bitmap: 6 present */
            if (!(state == 6 || (state == 7 && !bitmap_entry)))
                continue;
            uint64_t start = (e >> 20) * MiB, len = bitmap_entry ? MiB : block;
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

/* ---- qcow2 ------------------------------------------------------------------ */

/* Header, backing file name, L1 table, refcount table and every L2 table the
 * L1 table names. Data clusters are not looked at here. */
static int check_qcow(const cfile *f, pl_err *err)
{
    uint8_t h[104];
    if (need(f, 0, 72, "the header", err) != 0 || cread(f, 0, h, 72, err) != 0)
        return -1;
    uint32_t version = be32(h + 4);
    if (version == 3) {
        if (need(f, 0, 104, "the header", err) != 0 || cread(f, 0, h, 104, err) != 0)
            return -1;
        uint32_t hlen = be32(h + 100);
        if (need(f, 0, hlen, "the header", err) != 0)
            return -1;
    } else if (version != 2) {
        return 0;   /* qcow version 1: left to libqcow */
    }
    uint32_t cluster_bits = be32(h + 20);
    if (cluster_bits < 9 || cluster_bits > 21) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the header gives an invalid cluster size (2^%u bytes)", cluster_bits);
        return -1;
    }
    uint64_t cluster = 1ull << cluster_bits;
    uint64_t backing = be64(h + 8);
    uint32_t backing_len = be32(h + 16);
    if (backing && need(f, backing, backing_len, "the backing file name", err) != 0)
        return -1;
    uint32_t l1_size = be32(h + 36);
    uint64_t l1_off = be64(h + 40);
    uint64_t rc_off = be64(h + 48);
    uint32_t rc_clusters = be32(h + 56);
    if (need(f, rc_off, (uint64_t)rc_clusters * cluster, "the refcount table", err) != 0 ||
        need(f, l1_off, (uint64_t)l1_size * 8, "the L1 table", err) != 0)
        return -1;
    uint8_t buf[CHUNK];
    for (uint64_t i = 0; i < l1_size; i += CHUNK / 8) {
        size_t n = (size_t)((l1_size - i) < CHUNK / 8 ? (l1_size - i) : CHUNK / 8);
        if (cread(f, l1_off + i * 8, buf, n * 8, err) != 0)
            return -1;
        for (size_t k = 0; k < n; k++) {
            uint64_t l2 = be64(buf + 8 * k) & 0x00FFFFFFFFFFFE00ull;
            if (!l2)
                continue;
            char what[64];
            snprintf(what, sizeof what, "the L2 table of L1 entry %llu",
                     (unsigned long long)(i + k));
            if (need(f, l2, cluster, what, err) != 0)
                return -1;
        }
    }
    return 0;
}

/* ---- VMDK (sparse extents: monolithicSparse, streamOptimized) -------------- */

#define VMDK_GD_AT_END 0xFFFFFFFFFFFFFFFFull

static int check_vmdk(const cfile *f, pl_err *err)
{
    uint8_t h[512];
    if (f->size >= 4 && f->size < 512) {
        /* a text descriptor is small; a sparse header is not */
        uint8_t m[4];
        if (cread(f, 0, m, 4, err) != 0)
            return -1;
        if (memcmp(m, "KDMV", 4) == 0)
            return need(f, 0, 512, "the sparse extent header", err);
        return 0;
    }
    if (f->size < 4 || cread(f, 0, h, 512, err) != 0)
        return 0;
    if (memcmp(h, "KDMV", 4) != 0)
        return 0;   /* a descriptor file or COWD: left to libvmdk */
    uint64_t capacity = pl_le64(h + 12), grain = pl_le64(h + 20);
    uint64_t desc_off = pl_le64(h + 28), desc_len = pl_le64(h + 36);
    uint32_t gtes = pl_le32(h + 44);
    uint64_t gd_off = pl_le64(h + 56);
    if (desc_off && need(f, desc_off * 512, desc_len * 512, "the embedded descriptor", err) != 0)
        return -1;
    if (gd_off == VMDK_GD_AT_END) {
        /* streamOptimized: the real header is the footer, 1 KiB before the
         * end (footer, then the end-of-stream marker). */
        if (f->size < 1536 || cread(f, f->size - 1024, h, 512, err) != 0 ||
            memcmp(h, "KDMV", 4) != 0) {
            pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: the footer at the end of the stream-optimized file is "
                            "missing (the file is %llu bytes)",
                       (unsigned long long)f->size);
            return -1;
        }
        capacity = pl_le64(h + 12);
        grain = pl_le64(h + 20);
        gtes = pl_le32(h + 44);
        gd_off = pl_le64(h + 56);
    }
    if (grain == 0 || gtes == 0 || gtes > 65536 || grain > (1ull << 32)) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the sparse extent header gives an invalid grain size (%llu sectors) "
                        "or grain table size (%u entries)",
                   (unsigned long long)grain, gtes);
        return -1;
    }
    uint64_t per_gt = grain * gtes;                 /* sectors covered by one GT */
    uint64_t ngts = capacity / per_gt + (capacity % per_gt != 0);
    if (need(f, gd_off * 512, ngts * 4, "the grain directory", err) != 0)
        return -1;
    uint8_t buf[CHUNK];
    for (uint64_t i = 0; i < ngts; i += CHUNK / 4) {
        size_t n = (size_t)((ngts - i) < CHUNK / 4 ? (ngts - i) : CHUNK / 4);
        if (cread(f, gd_off * 512 + i * 4, buf, n * 4, err) != 0)
            return -1;
        for (size_t k = 0; k < n; k++) {
            uint32_t gt = pl_le32(buf + 4 * k);
            if (!gt)
                continue;
            char what[64];
            snprintf(what, sizeof what, "grain table %llu", (unsigned long long)(i + k));
            if (need(f, (uint64_t)gt * 512, (uint64_t)gtes * 4, what, err) != 0)
                return -1;
        }
    }
    return 0;
}

/* ---- EWF (E01) ----------------------------------------------------------------- */

#define EWF_HEADER 13
#define EWF_SECTION 76
/* Sections walked in one segment file (a 2 GiB segment has a few dozen). */
#define EWF_MAX_SECTIONS 1000000

/* Walk the section chain of one segment. *last_type gets the type of the
 * final section ("done" or "next"). */
static int check_ewf_segment(const cfile *f, char last_type[17], pl_err *err)
{
    uint8_t hdr[EWF_HEADER];
    if (need(f, 0, EWF_HEADER, "the file header", err) != 0 ||
        cread(f, 0, hdr, EWF_HEADER, err) != 0)
        return -1;
    if (memcmp(hdr, "EVF\x09\x0d\x0a\xff\x00", 8) != 0)
        return 0;   /* EWF2 (Ex01) and others: left to libewf */
    uint64_t off = EWF_HEADER;
    for (int n = 0; n < EWF_MAX_SECTIONS; n++) {
        uint8_t s[EWF_SECTION];
        if (!pl_range_ok(off, EWF_SECTION, f->size)) {
            pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: the file ends at byte %llu, inside or before the "
                            "section descriptor expected at byte %llu",
                       (unsigned long long)f->size, (unsigned long long)off);
            return -1;
        }
        if (cread(f, off, s, EWF_SECTION, err) != 0)
            return -1;
        char type[17];
        memcpy(type, s, 16);
        type[16] = '\0';
        for (char *c = type; *c; c++)
            if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
                *c = '?';
        uint64_t next = pl_le64(s + 16), size = pl_le64(s + 24);
        if (strcmp(type, "done") == 0 || strcmp(type, "next") == 0) {
            memcpy(last_type, type, 17);
            return 0;
        }
        if (size < EWF_SECTION || !pl_range_ok(off, size, f->size)) {
            if (size >= EWF_SECTION && pl_range_ok(off, EWF_SECTION, f->size))
                pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: section \"%s\" lies at bytes %llu-%llu, but the "
                                "file is %llu bytes",
                           type, (unsigned long long)off, (unsigned long long)(off + size - 1),
                           (unsigned long long)f->size);
            else
                pl_err_setc(err, PL_ERR_CORRUPT, "section \"%s\" at byte %llu has an invalid size (%llu)", type,
                           (unsigned long long)off, (unsigned long long)size);
            return -1;
        }
        if (next <= off) {
            pl_err_setc(err, PL_ERR_CORRUPT, "section \"%s\" at byte %llu points back to byte %llu (a loop)",
                       type, (unsigned long long)off, (unsigned long long)next);
            return -1;
        }
        off = next;
    }
    pl_err_setc(err, PL_ERR_LIMIT, "more than %d sections", EWF_MAX_SECTIONS);
    return -1;
}

/* ---- entry points ------------------------------------------------------------ */

static int open_cfile(const char *path, cfile *f, pl_err *err)
{
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (f->fd < 0 || fstat(f->fd, &sb) != 0) {
        pl_err_setc(err, PL_ERR_IO, "cannot open: %s", strerror(errno));
        if (f->fd >= 0)
            close(f->fd);
        return -1;
    }
    f->size = (uint64_t)sb.st_size;
    return 0;
}

/* ---- why a read failed ---------------------------------------------------- */

/* Data blocks are not checked up front (that would read every table of a
 * large disk). When a read fails, the one entry that maps the failed disk
 * offset is looked up instead: if it points past the end of the file, the
 * file is truncated, and that is the reason to give. 1 when a reason was
 * found (err set), 0 when not. */

static int qcow_explain(const cfile *f, uint64_t off, pl_err *err)
{
    uint8_t h[72], e[8];
    if (!pl_range_ok(0, 72, f->size) || cread(f, 0, h, 72, err) != 0)
        return 0;
    uint32_t cluster_bits = be32(h + 20), l1_size = be32(h + 36);
    if (cluster_bits < 9 || cluster_bits > 21)
        return 0;
    uint64_t cluster = 1ull << cluster_bits, l1_off = be64(h + 40);
    unsigned l2_bits = cluster_bits - 3;
    uint64_t l1_index = off >> (cluster_bits + l2_bits);
    uint64_t l2_index = (off >> cluster_bits) & ((1ull << l2_bits) - 1);
    if (l1_index >= l1_size || !pl_range_ok(l1_off + 8 * l1_index, 8, f->size) ||
        cread(f, l1_off + 8 * l1_index, e, 8, err) != 0)
        return 0;
    uint64_t l2 = be64(e) & 0x00FFFFFFFFFFFE00ull;
    if (!l2 || !pl_range_ok(l2 + 8 * l2_index, 8, f->size) ||
        cread(f, l2 + 8 * l2_index, e, 8, err) != 0)
        return 0;
    uint64_t entry = be64(e), start, len;
    if (entry & (1ull << 62)) {
        /* compressed: offset in the low bits, then extra 512-byte sectors */
        unsigned x = 62 - (cluster_bits - 8);
        start = entry & ((1ull << x) - 1);
        uint64_t sectors = ((entry >> x) & ((1ull << (cluster_bits - 8)) - 1)) + 1;
        len = sectors * 512 - (start & 511);
    } else {
        start = entry & 0x00FFFFFFFFFFFE00ull;
        len = cluster;
        if (!start)
            return 0;
    }
    if (pl_range_ok(start, len, f->size))
        return 0;
    pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: the file is %llu bytes, but the %scluster for that offset lies "
                    "at bytes %llu-%llu",
               (unsigned long long)f->size, (entry & (1ull << 62)) ? "compressed " : "",
               (unsigned long long)start, (unsigned long long)(start + len - 1));
    return 1;
}

static int vmdk_explain(const cfile *f, uint64_t off, pl_err *err)
{
    uint8_t h[512], e[12];
    if (!pl_range_ok(0, 512, f->size) || cread(f, 0, h, 512, err) != 0 ||
        memcmp(h, "KDMV", 4) != 0)
        return 0;
    uint32_t flags = pl_le32(h + 8), gtes = pl_le32(h + 44);
    uint64_t grain = pl_le64(h + 20), gd = pl_le64(h + 56);
    if (gd == VMDK_GD_AT_END) {
        if (f->size < 1536 || cread(f, f->size - 1024, h, 512, err) != 0 ||
            memcmp(h, "KDMV", 4) != 0)
            return 0;
        flags = pl_le32(h + 8);
        gtes = pl_le32(h + 44);
        grain = pl_le64(h + 20);
        gd = pl_le64(h + 56);
    }
    if (!grain || !gtes || grain > (1ull << 32) || gtes > 65536)
        return 0;
    uint64_t g = off / 512 / grain;
    uint64_t gd_at = gd * 512 + 4 * (g / gtes);
    if (!pl_range_ok(gd_at, 4, f->size) || cread(f, gd_at, e, 4, err) != 0)
        return 0;
    uint64_t gt = (uint64_t)pl_le32(e) * 512;
    if (!gt || !pl_range_ok(gt, 4ull * gtes, f->size))
        return 0;
    /* libvmdk fills a whole grain table at once (for compressed grains it
     * reads every grain's marker), so any grain of this table may be the
     * one that failed: look at them all, the wanted one first. */
    uint64_t want = g % gtes;
    for (uint64_t k = 0; k <= gtes; k++) {
        uint64_t i = k == 0 ? want : k - 1;
        if (k > 0 && i == want)
            continue;
        if (cread(f, gt + 4 * i, e, 4, err) != 0)
            return 0;
        uint64_t start = (uint64_t)pl_le32(e) * 512, len = grain * 512;
        if (start <= 512)
            continue;   /* not allocated (0) or a zero grain (1) */
        if ((flags & (1u << 16)) && pl_range_ok(start, 12, f->size)) {
            /* compressed grain: a 12-byte marker (LBA, size) before the data */
            if (cread(f, start, e, 12, err) != 0)
                return 0;
            len = 12 + (uint64_t)pl_le32(e + 8);
        }
        if (pl_range_ok(start, len, f->size))
            continue;
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: the file is %llu bytes, but %s lies at bytes %llu-%llu",
                   (unsigned long long)f->size,
                   i == want ? "the grain for that offset" : "a grain of the same grain table",
                   (unsigned long long)start, (unsigned long long)(start + len - 1));
        return 1;
    }
    return 0;
}

int pl_disk_explain_read_failure(const char *path, pl_disk_format format, uint64_t off,
                                 pl_err *err)
{
    if (format != PL_DISK_QCOW && format != PL_DISK_VMDK)
        return 0;
    cfile f;
    pl_err ignored;
    if (open_cfile(path, &f, &ignored) != 0)
        return 0;
    pl_err e;
    int found = format == PL_DISK_QCOW ? qcow_explain(&f, off, &e) : vmdk_explain(&f, off, &e);
    close(f.fd);
    if (found)
        *err = e;
    return found;
}

int pl_disk_check_file(const char *path, pl_disk_format format, pl_err *err)
{
    cfile f;
    if (format == PL_DISK_RAW || format == PL_DISK_UNKNOWN || format == PL_DISK_EWF)
        return 0;
    if (open_cfile(path, &f, err) != 0)
        return -1;
    int rc = format == PL_DISK_VHD    ? check_vhd(&f, err)
             : format == PL_DISK_VHDX ? check_vhdx(&f, err)
             : format == PL_DISK_QCOW ? check_qcow(&f, err)
                                      : check_vmdk(&f, err);
    close(f.fd);
    return rc;
}

int pl_disk_check_ewf(const pl_strlist *segments, pl_err *err)
{
    for (size_t i = 0; i < segments->len; i++) {
        const char *base = strrchr(segments->items[i], '/');
        base = base ? base + 1 : segments->items[i];
        cfile f;
        char last[17] = "";
        if (open_cfile(segments->items[i], &f, err) != 0)
            return -1;
        int rc = check_ewf_segment(&f, last, err);
        close(f.fd);
        if (rc != 0) {
            if (segments->len > 1)
                pl_err_prefix(err, "segment %s", base);
            return -1;
        }
        if (i + 1 == segments->len && strcmp(last, "next") == 0) {
            pl_err_setc(err, PL_ERR_CORRUPT, "segment %s ends with a \"next\" section, but there is no next "
                            "segment file",
                       base);
            return -1;
        }
    }
    return 0;
}
