/* NTFS directory index lookup: the byte parser (see ntfs_index.h). */
#include "sources/ntfs_index.h"

#include <string.h>

#include "util/util.h"

/* $FILE_NAME as an index key: flags at 0x38, name length 0x40, namespace
 * 0x41, the name from 0x42. */
#define FN_FLAGS 0x38
#define FN_NAME_LEN 0x40
#define FN_NAMESPACE 0x41
#define FN_NAME 0x42
#define FN_FLAG_DIRECTORY 0x10000000u
#define NS_DOS 2

/* Index entry: file reference, entry length, key length, flags, key. */
#define IE_HEADER 0x10
#define IE_FLAG_SUBNODE 1u
#define IE_FLAG_LAST 2u

int pl_ntfs_upcase_check(const uint16_t *upcase)
{
    for (uint16_t c = 0; c < 128; c++) {
        uint16_t want = (c >= 'a' && c <= 'z') ? (uint16_t)(c - 32) : c;
        if (upcase[c] != want)
            return -1;
    }
    return 0;
}

int pl_ntfs_fixup(uint8_t *rec, size_t len, const char **why)
{
    if (len < 512 || len % 512) {
        *why = "record size is not a multiple of 512 bytes";
        return -1;
    }
    uint16_t usa = pl_le16(rec + 4), count = pl_le16(rec + 6);
    if (count != len / 512 + 1 || !pl_range_ok(usa, 2ull * count, len)) {
        *why = "its update sequence array does not fit the record";
        return -1;
    }
    uint16_t usn = pl_le16(rec + usa);
    for (size_t i = 1; i < count; i++) {
        uint8_t *end = rec + 512 * i - 2;
        if (pl_le16(end) != usn) {
            *why = "the update sequence (fixup) check fails";
            return -1;
        }
        memcpy(end, rec + usa + 2 * i, 2);
    }
    return 0;
}

int pl_ntfs_index_root(const uint8_t *root, size_t len, uint32_t *block_size, const char **why)
{
    if (len < 0x20) {
        *why = "$INDEX_ROOT is too short";
        return -1;
    }
    if (pl_le32(root) != 0x30) {
        *why = "$INDEX_ROOT does not index file names";
        return -1;
    }
    uint32_t bs = pl_le32(root + 8);
    if (bs < 512 || bs > 65536 || (bs & (bs - 1))) {
        *why = "$INDEX_ROOT gives an impossible index block size";
        return -1;
    }
    *block_size = bs;
    return 0;
}

/* Compare as NTFS collates file names (COLLATION_FILE_NAME): upper-cased
 * through $UpCase first; *ci_equal tells whether they are equal with case
 * ignored. Ties are broken by the units themselves. */
static int collate(const uint16_t *upcase, const uint16_t *a, size_t alen, const uint8_t *b,
                   size_t blen, int *ci_equal)
{
    size_t n = alen < blen ? alen : blen;
    for (size_t i = 0; i < n; i++) {
        uint16_t x = upcase[a[i]], y = upcase[pl_le16(b + 2 * i)];
        if (x != y) {
            *ci_equal = 0;
            return x < y ? -1 : 1;
        }
    }
    if (alen != blen) {
        *ci_equal = 0;
        return alen < blen ? -1 : 1;
    }
    *ci_equal = 1;
    for (size_t i = 0; i < n; i++) {
        uint16_t x = a[i], y = pl_le16(b + 2 * i);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

/* The entries area of an index node: [*first, *end) within buf, or
 * PL_NTFS_BAD with hit->why. */
static pl_ntfs_result node_bounds(const uint8_t *buf, size_t len, size_t hdr, uint64_t *first,
                                  uint64_t *end, pl_ntfs_hit *hit)
{
    if (!pl_range_ok(hdr, 16, len)) {
        hit->why = "index node header out of bounds";
        return PL_NTFS_BAD;
    }
    *first = (uint64_t)hdr + pl_le32(buf + hdr);
    *end = (uint64_t)hdr + pl_le32(buf + hdr + 4);
    if (*end > len || *first >= *end) {
        hit->why = "index node entries out of bounds";
        return PL_NTFS_BAD;
    }
    return PL_NTFS_FOUND;
}

/* One index entry at off: its length, key length and flags checked
 * against the node, and for a keyed entry its file name against the key
 * (the checks both walkers need before reading a byte of it). */
typedef struct {
    const uint8_t *e;
    uint16_t elen, klen;
    uint32_t flags;
} index_entry;

static pl_ntfs_result read_entry(const uint8_t *buf, uint64_t off, uint64_t end,
                                 index_entry *ie, pl_ntfs_hit *hit)
{
    if (!pl_range_ok(off, IE_HEADER, end)) {
        hit->why = "index entries run past the node without a last entry";
        return PL_NTFS_BAD;
    }
    ie->e = buf + off;
    ie->elen = pl_le16(ie->e + 8);
    ie->klen = pl_le16(ie->e + 10);
    ie->flags = pl_le32(ie->e + 12);
    if (ie->elen < IE_HEADER || ie->elen % 8 || !pl_range_ok(off, ie->elen, end)) {
        hit->why = "index entry with an impossible length";
        return PL_NTFS_BAD;
    }
    if (!(ie->flags & IE_FLAG_LAST) &&
        (ie->klen < FN_NAME || IE_HEADER + (uint32_t)ie->klen > ie->elen ||
         FN_NAME + 2u * ie->e[IE_HEADER + FN_NAME_LEN] > ie->klen)) {
        hit->why = "index entry whose file name does not fit it";
        return PL_NTFS_BAD;
    }
    return PL_NTFS_FOUND;
}

/* The subnode VCN at the end of an entry that has one. */
static pl_ntfs_result subnode_vcn(const index_entry *ie, uint64_t *vcn, pl_ntfs_hit *hit)
{
    if (ie->elen < IE_HEADER + 8 ||
        (!(ie->flags & IE_FLAG_LAST) && ie->elen < IE_HEADER + ie->klen + 8)) {
        hit->why = "index entry too short for its subnode pointer";
        return PL_NTFS_BAD;
    }
    *vcn = pl_le64(ie->e + ie->elen - 8);
    return PL_NTFS_FOUND;
}

pl_ntfs_result pl_ntfs_index_node(const uint8_t *buf, size_t len, size_t hdr,
                                  const uint16_t *upcase, const uint16_t *want, size_t wantlen,
                                  pl_ntfs_hit *hit)
{
    uint64_t first, end;
    if (node_bounds(buf, len, hdr, &first, &end, hit) == PL_NTFS_BAD)
        return PL_NTFS_BAD;
    for (uint64_t off = first;;) {
        index_entry ie;
        if (read_entry(buf, off, end, &ie, hit) == PL_NTFS_BAD)
            return PL_NTFS_BAD;
        int cmp = -1, ci = 0;
        if (!(ie.flags & IE_FLAG_LAST)) {
            /* a key: a $FILE_NAME attribute, its name within the entry */
            const uint8_t *fn = ie.e + IE_HEADER;
            cmp = collate(upcase, want, wantlen, fn + FN_NAME, fn[FN_NAME_LEN], &ci);
            if (ci)
                hit->saw_variant = 1;
            if (cmp == 0) {
                if (fn[FN_NAMESPACE] == NS_DOS) {
                    /* an 8.3 alias: TSK does not list these */
                    return PL_NTFS_AMBIGUOUS;
                }
                hit->ref = pl_le64(ie.e) & 0xFFFFFFFFFFFFull;
                hit->is_dir = (pl_le32(fn + FN_FLAGS) & FN_FLAG_DIRECTORY) != 0;
                return PL_NTFS_FOUND;
            }
        }
        if (cmp < 0) {
            /* want sorts before this entry (or this is the last one): it
             * can only be in the subtree to the left */
            if (!(ie.flags & IE_FLAG_SUBNODE))
                return hit->saw_variant ? PL_NTFS_AMBIGUOUS : PL_NTFS_ABSENT;
            if (subnode_vcn(&ie, &hit->vcn, hit) == PL_NTFS_BAD)
                return PL_NTFS_BAD;
            return PL_NTFS_DESCEND;
        }
        if (ie.flags & IE_FLAG_LAST) {
            hit->why = "index entry flags inconsistent";
            return PL_NTFS_BAD;
        }
        off += ie.elen;
    }
}

pl_ntfs_result pl_ntfs_index_entries(const uint8_t *buf, size_t len, size_t hdr,
                                     int (*cb)(const pl_ntfs_entry *e, void *ctx), void *ctx,
                                     pl_ntfs_hit *hit)
{
    uint64_t first, end;
    if (node_bounds(buf, len, hdr, &first, &end, hit) == PL_NTFS_BAD)
        return PL_NTFS_BAD;
    for (uint64_t off = first;;) {
        index_entry ie;
        if (read_entry(buf, off, end, &ie, hit) == PL_NTFS_BAD)
            return PL_NTFS_BAD;
        pl_ntfs_entry ent = {0};
        if (!(ie.flags & IE_FLAG_LAST)) {
            const uint8_t *fn = ie.e + IE_HEADER;
            ent.name = fn + FN_NAME;
            ent.name_units = fn[FN_NAME_LEN];
            ent.dos_only = fn[FN_NAMESPACE] == NS_DOS;
            ent.ref = pl_le64(ie.e) & 0xFFFFFFFFFFFFull;
            ent.is_dir = (pl_le32(fn + FN_FLAGS) & FN_FLAG_DIRECTORY) != 0;
        }
        if (ie.flags & IE_FLAG_SUBNODE) {
            if (subnode_vcn(&ie, &ent.sub_vcn, hit) == PL_NTFS_BAD)
                return PL_NTFS_BAD;
            ent.has_sub = 1;
        }
        if (cb(&ent, ctx) || (ie.flags & IE_FLAG_LAST))
            return PL_NTFS_FOUND;
        off += ie.elen;
    }
}

int pl_ntfs_utf8_to_utf16(const char *s, uint16_t *out, size_t max, size_t *n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t k = 0;
    while (*p) {
        uint32_t c;
        int more;
        if (*p < 0x80) {
            c = *p;
            more = 0;
        } else if ((*p & 0xE0) == 0xC0) {
            c = *p & 0x1F;
            more = 1;
        } else if ((*p & 0xF0) == 0xE0) {
            c = *p & 0x0F;
            more = 2;
        } else if ((*p & 0xF8) == 0xF0) {
            c = *p & 0x07;
            more = 3;
        } else {
            return -1;
        }
        p++;
        for (int i = 0; i < more; i++, p++) {
            if ((*p & 0xC0) != 0x80)
                return -1;
            c = (c << 6) | (*p & 0x3F);
        }
        if ((more == 1 && c < 0x80) || (more == 2 && c < 0x800) || (more == 3 && c < 0x10000) ||
            c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return -1;
        if (c >= 0x10000) {
            if (k + 2 > max)
                return -1;
            c -= 0x10000;
            out[k++] = (uint16_t)(0xD800 | (c >> 10));
            out[k++] = (uint16_t)(0xDC00 | (c & 0x3FF));
        } else {
            if (k + 1 > max)
                return -1;
            out[k++] = (uint16_t)c;
        }
    }
    *n = k;
    return 0;
}
