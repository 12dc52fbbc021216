/* Damaged hives: the damage to the frame, and a repaired private copy.
 *
 * Format: Maxim Suhanov, "Windows registry file format specification"
 * (github.com/msuhanov/regf), sections "Base block" (root cell offset at
 * 36, hive bins data size at 40, XOR-32 checksum of bytes 0-507 at 508),
 * "Hive bin" ("hbin", its own offset at 4, its size at 8, a multiple of
 * 4096; the 32-byte header is followed by cells) and "Cell" (a 32-bit size,
 * positive for a free cell, a multiple of 8).
 *
 * Measured on hivex 1.3.23 (the fixtures of fixtures/gen/faults.sh): it
 * refuses a wrong checksum (EINVAL) and bins running past the end of the
 * file (ENOTSUP), with HIVEX_OPEN_UNSAFE too; once the copy is repaired,
 * a cell pointing into a dropped or bridged bin is an invalid cell to it:
 * with HIVEX_OPEN_UNSAFE it skips that subkey (lib/node.c,
 * _hivex_get_children), without it the whole list fails (the copy of
 * fixtures/faults/hives/SOFTWARE-zeroed-bin lists 12 of its 17 packages
 * with the flag, none without; regipy's corrupted SYSTEM hive 1686 keys
 * with it, not even the root's subkeys without). A lost subkey list
 * (lf/lh/ri cell) loses all the subkeys it held either way. */
#include "evidence/hive_salvage.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE_BLOCK 4096u
#define HBIN_ALIGN 4096u
#define HBIN_HEADER 32u
#define OFF_ROOT 0x24u
#define OFF_BINS 0x28u
#define OFF_CHECKSUM 508u

static uint32_t base_checksum(const uint8_t *d)
{
    uint32_t sum = 0;
    for (int i = 0; i < 127; i++)
        sum ^= pl_le32(d + 4 * i);
    return sum;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = v & 0xff;
    p[1] = (v >> 8) & 0xff;
    p[2] = (v >> 16) & 0xff;
    p[3] = v >> 24;
}

/* The bin at off: 1 whole and valid (*size set), 0 invalid, -1 the file
 * ends inside it. avail = bytes of bins the file holds (at most bins). */
static int bin_at(const uint8_t *d, uint32_t bins, uint64_t avail, uint64_t off, uint32_t *size)
{
    *size = 0;
    if (avail < off || avail - off < HBIN_HEADER)
        return -1;
    const uint8_t *h = d + BASE_BLOCK + off;
    *size = memcmp(h, "hbin", 4) == 0 ? pl_le32(h + 8) : 0;
    if (*size < HBIN_ALIGN || *size % HBIN_ALIGN || *size > bins - off)
        return 0;
    return *size <= avail - off ? 1 : -1;
}

/* The next sound bin after a damaged one at off: 4 KiB aligned, whole,
 * and recording its own offset (so that "hbin" inside a value's data is
 * not taken for one). 0 when none. */
static uint64_t next_bin(const uint8_t *d, uint32_t bins, uint64_t avail, uint64_t off)
{
    for (uint64_t p = off + HBIN_ALIGN; p < bins; p += HBIN_ALIGN) {
        uint32_t size;
        int r = bin_at(d, bins, avail, p, &size);
        if (r < 0)
            return 0;
        if (r == 1 && pl_le32(d + BASE_BLOCK + p + 4) == p)
            return p;
    }
    return 0;
}

/* Walk the chain of bins, bridging damaged ones, up to the size the base
 * block gives or the end of the file. */
static void walk_bins(const uint8_t *d, size_t len, pl_hive_damage *w)
{
    uint64_t avail = len - BASE_BLOCK < w->bins ? len - BASE_BLOCK : w->bins;
    uint64_t off = 0;
    w->first_bad = w->bins;
    while (off < w->bins) {
        uint32_t size;
        int r = bin_at(d, w->bins, avail, off, &size);
        if (r == 1) {
            off += size;
            continue;
        }
        if (w->first_bad == w->bins) {
            w->first_bad = off;
            w->first_bad_size = size;
        }
        if (r < 0) {
            w->cut = 1;
            break;
        }
        uint64_t next = next_bin(d, w->bins, avail, off);
        if (!next || w->ngaps == PL_MAX_HIVE_SALVAGE_GAPS)
            break;
        w->gap_at[w->ngaps] = off;
        w->gap_len[w->ngaps++] = next - off;
        off = next;
    }
    w->keep = off;
}

/* The reason for the report, from the first damage found. */
static void describe(size_t len, const pl_hive_damage *w, pl_err *err)
{
    if (w->bad_checksum) {
        pl_err_setc(err, PL_ERR_CORRUPT,
                    "the base block checksum is wrong (stored 0x%08x, computed 0x%08x)",
                    w->stored_sum, w->computed_sum);
    } else if (!pl_range_ok(BASE_BLOCK, w->bins, len)) {
        pl_err_setc(err, PL_ERR_TRUNCATED,
                    "truncated: the base block says the hive bins take %u bytes, but the "
                    "file has %zu bytes after the base block",
                    w->bins, len - BASE_BLOCK);
    } else {
        unsigned long long at = BASE_BLOCK + w->first_bad;
        if (w->first_bad_size == 0)
            pl_err_setc(err, PL_ERR_CORRUPT, "no hive bin (\"hbin\") at offset 0x%llx", at);
        else
            pl_err_setc(err, PL_ERR_CORRUPT,
                        "the hive bin at offset 0x%llx has an invalid size (%u bytes; %llu "
                        "bytes of hive bins remain)",
                        at, w->first_bad_size, (unsigned long long)(w->bins - w->first_bad));
    }
}

int pl_hive_find_damage(const uint8_t *d, size_t len, pl_hive_damage *w, pl_err *err)
{
    memset(w, 0, sizeof *w);
    w->bins = pl_le32(d + OFF_BINS);
    w->stored_sum = pl_le32(d + OFF_CHECKSUM);
    w->computed_sum = base_checksum(d);
    w->bad_checksum = w->stored_sum != w->computed_sum;
    if (w->bins == 0 || w->bins % HBIN_ALIGN) {
        /* No size to trust: nothing is salvaged (keep stays 0). */
        if (w->bad_checksum)
            describe(len, w, err);
        else
            pl_err_setc(err, PL_ERR_CORRUPT,
                        "the base block gives an invalid size for the hive bins (%u bytes)",
                        w->bins);
        return 1;
    }
    walk_bins(d, len, w);
    if (!w->bad_checksum && w->first_bad == w->bins)
        return 0;
    describe(len, w, err);
    return 1;
}

static void err_append(pl_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void err_append(pl_err *err, const char *fmt, ...)
{
    size_t used = strlen(err->msg);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg + used, sizeof err->msg - used, fmt, ap);
    va_end(ap);
}

/* The root key must lie in a bin kept and not bridged: without it there is
 * no path to any key. */
static int root_kept(const uint8_t *d, const pl_hive_damage *w, pl_err *err)
{
    uint32_t root = pl_le32(d + OFF_ROOT);
    if (w->keep == 0) {
        err_append(err, "; nothing to salvage: the first hive bin is not whole and valid");
        return 0;
    }
    int lost = root >= w->keep;
    for (size_t i = 0; i < w->ngaps && !lost; i++)
        lost = root >= w->gap_at[i] && root - w->gap_at[i] < w->gap_len[i];
    if (lost)
        err_append(err, "; nothing to salvage: the root key (cell offset 0x%x) lies in the "
                        "damaged or missing hive bins",
                   root);
    return !lost;
}

int pl_hive_salvage_copy(const uint8_t *d, size_t len, const pl_hive_damage *w, uint8_t **out,
                         size_t *out_len, pl_err *err)
{
    if (!root_kept(d, w, err))
        return -1;
    size_t n = BASE_BLOCK + (size_t)w->keep;
    uint8_t *c = pl_xmalloc(n);
    memcpy(c, d, n);
    for (size_t i = 0; i < w->ngaps; i++) {
        uint8_t *h = c + BASE_BLOCK + w->gap_at[i];
        memset(h, 0, (size_t)w->gap_len[i]);
        memcpy(h, "hbin", 4);
        put_le32(h + 4, (uint32_t)w->gap_at[i]);
        put_le32(h + 8, (uint32_t)w->gap_len[i]);
        put_le32(h + HBIN_HEADER, (uint32_t)w->gap_len[i] - HBIN_HEADER); /* one free cell */
    }
    put_le32(c + OFF_BINS, (uint32_t)w->keep);
    put_le32(c + OFF_CHECKSUM, base_checksum(c));
    (void)len;
    *out = c;
    *out_len = n;
    return 0;
}

void pl_hive_salvage_detail(size_t len, const pl_hive_damage *w, char *out, size_t n)
{
    pl_strlist parts = {0};
    if (w->bad_checksum)
        pl_strlist_pushf(&parts, "the base block checksum is wrong (stored 0x%08x, computed "
                                 "0x%08x)",
                         w->stored_sum, w->computed_sum);
    unsigned long long kept = BASE_BLOCK + w->keep, end = BASE_BLOCK + (uint64_t)w->bins;
    uint64_t gap_bytes = 0;
    for (size_t i = 0; i < w->ngaps; i++)
        gap_bytes += w->gap_len[i];
    if (w->ngaps)
        pl_strlist_pushf(&parts, "the hive bins at bytes %llu-%llu are damaged (%s): keys "
                                 "and values stored there are lost%s",
                         (unsigned long long)(BASE_BLOCK + w->gap_at[0]),
                         (unsigned long long)(BASE_BLOCK + w->gap_at[0] + w->gap_len[0] - 1),
                         w->first_bad_size ? "an invalid bin size" : "no \"hbin\" header",
                         w->ngaps > 1 ? ", and so are those of more damaged bins" : "");
    if (w->keep < w->bins && w->cut && len == kept)
        pl_strlist_pushf(&parts, "the file ends at byte %zu, after a whole hive bin, but the "
                                 "bins should end at byte %llu: keys and values stored from "
                                 "byte %llu on are lost",
                         len, end, kept);
    else if (w->keep < w->bins && w->cut)
        pl_strlist_pushf(&parts, "the file is cut at byte %zu inside the hive bin at byte "
                                 "%llu (the bins should end at byte %llu): keys and values "
                                 "stored from byte %llu on are lost",
                         len, kept, end, kept);
    else if (w->keep < w->bins)
        pl_strlist_pushf(&parts, "no valid hive bin at byte %llu: keys and values stored from "
                                 "byte %llu to %llu are lost",
                         kept, kept, end - 1);
    if (w->keep == w->bins && !w->ngaps)
        pl_strlist_pushf(&parts, "the hive bins (bytes %u-%llu) are sound and were read",
                         BASE_BLOCK, end - 1);
    else if (gap_bytes)
        pl_strlist_pushf(&parts, "bins %u-%llu used, less %llu damaged bytes", BASE_BLOCK,
                         kept - 1, (unsigned long long)gap_bytes);
    else
        pl_strlist_pushf(&parts, "bins %u-%llu used", BASE_BLOCK, kept - 1);
    int k = snprintf(out, n, "salvaged from a damaged hive:");
    for (size_t i = 0; i < parts.len && k >= 0 && (size_t)k < n; i++)
        k += snprintf(out + k, n - k, "%s %s", i ? ";" : "", parts.items[i]);
    pl_strlist_free(&parts);
}
