/* WIM image metadata and file data, read with bounded memory: why, and
 * what is read, in wim_image.h. Layout references (ebiggers/wimlib):
 *   header        include/wimlib/header.h (struct wim_header_disk, 208 bytes)
 *   resources     include/wimlib/resource.h (struct wim_reshdr_disk, 24 bytes),
 *                 src/resource.c ("Compressed WIM resources": the chunk table)
 *   blob table    src/blob_table.c (struct blob_descriptor_disk, 50 bytes)
 *   metadata      src/metadata_resource.c, src/security.c (security data,
 *                 then the root dentry at its 8-aligned total length)
 *   dentries      src/dentry.c (struct wim_dentry_on_disk, 102 bytes, and
 *                 struct wim_extra_stream_entry_on_disk, 38 bytes)
 * Every offset and length below is checked against the file or the
 * resource it lies in before it is used; every loop is bounded by a limit
 * of util/limits.h or by offsets that strictly increase inside a resource. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wimlib.h>

#include "sources/wim_image.h"
#include "util/limits.h"

/* ---- on-disk constants ---------------------------------------------------- */

#define HDR_SIZE 208
#define HDR_VERSION_DEFAULT 0x10D00u     /* header.h: WIM_VERSION_DEFAULT */
#define HDR_VERSION_SOLID 0xE00u
#define HDR_FLAG_COMPRESSION 0x00000002u
#define HDR_FLAG_SPANNED 0x00000008u
#define HDR_FLAG_RESOURCE_ONLY 0x00000010u
#define HDR_FLAG_METADATA_ONLY 0x00000020u
#define HDR_FLAG_COMPRESS_XPRESS 0x00020000u
#define HDR_FLAG_COMPRESS_LZX 0x00040000u
#define HDR_FLAG_COMPRESS_LZMS 0x00080000u
#define HDR_FLAG_COMPRESS_MASK 0x003F0000u /* every COMPRESS_* bit */

#define RES_FLAG_METADATA 0x02u          /* resource.h: WIM_RESHDR_FLAG_* */
#define RES_FLAG_COMPRESSED 0x04u
#define RES_FLAG_SPANNED 0x08u
#define RES_FLAG_SOLID 0x10u

#define BLOB_ENTRY 50                    /* reshdr 24, part 2, refcnt 4, hash 20 */
#define DENTRY_FIXED 102                 /* through file_name_nbytes */
#define EXTRA_STREAM_FIXED 38            /* length, reserved, hash, name_nbytes */
#define SHA1_LEN 20

#define ATTR_DIRECTORY 0x10u
#define ATTR_REPARSE 0x400u
#define ATTR_ENCRYPTED 0x4000u

/* An uncompressed WIM has no chunks; its metadata is still cached in
 * blocks of this size. */
#define RAW_BLOCK 32768u
/* The longest name a dentry holds: a 16-bit byte count. */
#define NAME_BUF 65536u

const char *pl_wim_decompression_error(void)
{
    return wimlib_get_error_string(WIMLIB_ERR_DECOMPRESSION);
}

/* ---- the file ------------------------------------------------------------- */

typedef struct {
    uint64_t offset, stored, size;   /* in the file, in it, uncompressed */
    uint8_t flags;
    uint8_t hash[SHA1_LEN];
} wim_res;

/* A blob table entry in the index: the first 8 bytes of its SHA-1 and
 * its position in the table (the rest is read again when looked up):
 * 12 bytes a blob, where wimlib holds a descriptor of ~100. */
typedef struct {
    uint32_t key_hi, key_lo, idx;
} blob_key;

struct pl_wim_file {
    int fd;
    uint64_t file_size;
    uint32_t chunk_size;
    int ctype;                       /* WIMLIB_COMPRESSION_TYPE_* */
    unsigned image_count;
    wim_res *metadata;               /* image_count, in image order */
    uint64_t table_offset;
    blob_key *index;
    size_t nindex;
};

unsigned pl_wim_file_image_count(const pl_wim_file *f) { return f->image_count; }
size_t pl_wim_file_blob_count(const pl_wim_file *f) { return f->nindex; }

/* Read exactly n bytes at off of the file. 0, or -1: err says why. */
static int read_at(const pl_wim_file *f, void *buf, size_t n, uint64_t off, pl_err *err)
{
    if (!pl_range_ok(off, n, f->file_size)) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: bytes %llu-%llu lie past the end of the "
                    "file (%llu bytes)", (unsigned long long)off,
                    (unsigned long long)(off + n - 1), (unsigned long long)f->file_size);
        return -1;
    }
    uint8_t *p = buf;
    while (n > 0) {
        ssize_t r = pread(f->fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            pl_err_setc(err, r < 0 ? PL_ERR_IO : PL_ERR_TRUNCATED, "cannot read the WIM: %s",
                        r < 0 ? strerror(errno) : "unexpected end of file");
            return -1;
        }
        p += r, n -= (size_t)r, off += (uint64_t)r;
    }
    return 0;
}

/* struct wim_reshdr_disk: a 56-bit stored size, 8 bits of flags, the
 * offset and the uncompressed size. */
static void parse_reshdr(const uint8_t *p, wim_res *r)
{
    r->stored = pl_le64(p) & 0x00FFFFFFFFFFFFFFull;
    r->flags = p[7];
    r->offset = pl_le64(p + 8);
    r->size = pl_le64(p + 16);
}

static void decline(char *why, size_t why_len, const char *what)
{
    if (why && why_len)
        snprintf(why, why_len, "%s", what);
}

/* The header: 1 ours, 0 declined (why). */
static int read_header(pl_wim_file *f, const uint8_t *h, char *why, size_t why_len)
{
    uint32_t version = pl_le32(h + 12), flags = pl_le32(h + 16);
    if (memcmp(h, "MSWIM\0\0\0", 8) != 0 || pl_le32(h + 8) != HDR_SIZE) {
        decline(why, why_len, "not a standard WIM header (pipable or unknown)");
        return 0;
    }
    /* 0xE00 is what wimlib writes for solid archives and for any LZMS
     * WIM (header.h, WIM_VERSION_SOLID): read when no resource is solid
     * (read_blob_table declines those); sources/wim.c still leaves every
     * 0xE00 WIM to wimlib. */
    if (version != HDR_VERSION_DEFAULT && version != HDR_VERSION_SOLID) {
        decline(why, why_len, "WIM version other than 0x10D00 or 0xE00");
        return 0;
    }
    if (pl_le16(h + 40) != 1 || pl_le16(h + 42) != 1 ||
        (flags & (HDR_FLAG_SPANNED | HDR_FLAG_RESOURCE_ONLY | HDR_FLAG_METADATA_ONLY))) {
        decline(why, why_len, "part of a split or partial WIM");
        return 0;
    }
    f->ctype = WIMLIB_COMPRESSION_TYPE_NONE;
    if (flags & HDR_FLAG_COMPRESSION) {
        uint32_t c = flags & HDR_FLAG_COMPRESS_MASK;
        if (c == HDR_FLAG_COMPRESS_XPRESS)
            f->ctype = WIMLIB_COMPRESSION_TYPE_XPRESS;
        else if (c == HDR_FLAG_COMPRESS_LZX)
            f->ctype = WIMLIB_COMPRESSION_TYPE_LZX;
        else if (c == HDR_FLAG_COMPRESS_LZMS)
            f->ctype = WIMLIB_COMPRESSION_TYPE_LZMS;
        else {
            decline(why, why_len, "compression other than XPRESS, LZX or LZMS");
            return 0;
        }
    }
    uint32_t cs = pl_le32(h + 20);
    if (f->ctype == WIMLIB_COMPRESSION_TYPE_NONE)
        cs = RAW_BLOCK;
    /* wimlib's own bounds are per compression type (4 KiB to 64 MiB for
     * LZMS); chunks past 2 MiB would make the chunk cache large, and no
     * non-solid WIM we know uses them: left to wimlib. */
    if (cs < 4096 || cs > PL_MAX_WIM_CHUNK_BYTES || (cs & (cs - 1))) {
        decline(why, why_len, "unusual chunk size");
        return 0;
    }
    f->chunk_size = cs;
    f->image_count = pl_le32(h + 44);
    if (f->image_count == 0 || f->image_count > PL_MAX_WIM_IMAGES) {
        decline(why, why_len, "no images, or more than the limit");
        return 0;
    }
    return 1;
}

static int key_cmp(const void *a, const void *b)
{
    const blob_key *x = a, *y = b;
    if (x->key_hi != y->key_hi)
        return x->key_hi < y->key_hi ? -1 : 1;
    if (x->key_lo != y->key_lo)
        return x->key_lo < y->key_lo ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* One blob table entry (blob_table.c, read_blob_table): entries of another
 * part are skipped, metadata entries with no reference are ignored and the
 * others give the images' metadata in order; a solid resource is declined.
 * 1 ok, 0 declined. */
static int take_entry(pl_wim_file *f, const uint8_t *e, uint32_t idx, unsigned *images,
                      char *why, size_t why_len)
{
    wim_res r;
    parse_reshdr(e, &r);
    if (pl_le16(e + 24) != 1)
        return 1;
    if (r.flags & (RES_FLAG_SOLID | RES_FLAG_SPANNED)) {
        decline(why, why_len, "solid or spanned resources");
        return 0;
    }
    if (r.flags & RES_FLAG_METADATA) {
        if (pl_le32(e + 26) == 0 || *images >= f->image_count)
            return 1;
        memcpy(r.hash, e + 30, SHA1_LEN);
        f->metadata[(*images)++] = r;
        return 1;
    }
    blob_key *k = &f->index[f->nindex++];
    k->key_hi = (uint32_t)e[30] << 24 | (uint32_t)e[31] << 16 | (uint32_t)e[32] << 8 | e[33];
    k->key_lo = (uint32_t)e[34] << 24 | (uint32_t)e[35] << 16 | (uint32_t)e[36] << 8 | e[37];
    k->idx = idx;
    return 1;
}

/* Read the blob table in batches into the index. 1, 0 declined, -1 err. */
static int read_blob_table(pl_wim_file *f, const uint8_t *h, char *why, size_t why_len,
                           pl_err *err)
{
    wim_res t;
    parse_reshdr(h + 48, &t);
    if (t.flags & RES_FLAG_COMPRESSED) {
        decline(why, why_len, "compressed blob table");
        return 0;
    }
    if (!pl_range_ok(t.offset, t.size, f->file_size)) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: the blob table lies at bytes %llu-%llu, "
                    "but the file is %llu bytes", (unsigned long long)t.offset,
                    (unsigned long long)(t.offset + t.size - 1),
                    (unsigned long long)f->file_size);
        return -1;
    }
    uint64_t n = t.size / BLOB_ENTRY;
    if (n > PL_MAX_WIM_BLOBS) {
        pl_err_setc(err, PL_ERR_LIMIT, "the blob table has %llu entries, over the limit of %u",
                    (unsigned long long)n, (unsigned)PL_MAX_WIM_BLOBS);
        return -1;
    }
    f->table_offset = t.offset;
    f->index = pl_xcalloc(n ? (size_t)n : 1, sizeof *f->index);
    f->metadata = pl_xcalloc(f->image_count, sizeof *f->metadata);
    enum { BATCH = 1024 };
    uint8_t *buf = pl_xmalloc(BATCH * BLOB_ENTRY);
    unsigned images = 0;
    int rc = 1;
    for (uint64_t i = 0; i < n && rc == 1; i += BATCH) {
        size_t m = (size_t)(n - i < BATCH ? n - i : BATCH);
        if (read_at(f, buf, m * BLOB_ENTRY, t.offset + i * BLOB_ENTRY, err) != 0)
            rc = -1;
        for (size_t j = 0; j < m && rc == 1; j++)
            rc = take_entry(f, buf + j * BLOB_ENTRY, (uint32_t)(i + j), &images, why, why_len);
    }
    free(buf);
    if (rc == 1 && images != f->image_count) {
        decline(why, why_len, "fewer metadata resources than images");
        rc = 0;
    }
    if (rc == 1)
        qsort(f->index, f->nindex, sizeof *f->index, key_cmp);
    return rc;
}

int pl_wim_file_open(int fd, pl_wim_file **out, char *why, size_t why_len, pl_err *err)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        pl_err_setc(err, PL_ERR_IO, "cannot stat the WIM: %s", strerror(errno));
        return -1;
    }
    pl_wim_file *f = pl_xcalloc(1, sizeof *f);
    f->fd = fd;
    f->file_size = (uint64_t)sb.st_size;
    uint8_t h[HDR_SIZE];
    int rc = read_at(f, h, HDR_SIZE, 0, err) == 0 ? 1 : -1;
    if (rc == 1)
        rc = read_header(f, h, why, why_len);
    if (rc == 1)
        rc = read_blob_table(f, h, why, why_len, err);
    if (rc != 1) {
        pl_wim_file_close(f);
        return rc;
    }
    *out = f;
    return 1;
}

void pl_wim_file_close(pl_wim_file *f)
{
    if (!f)
        return;
    free(f->metadata);
    free(f->index);
    free(f);
}

/* The blob whose SHA-1 is hash: 1 found (*r), 0 not, -1 err. The first
 * entry of the table wins, as in wimlib (duplicates are ignored). */
static int find_blob(const pl_wim_file *f, const uint8_t *hash, wim_res *r, pl_err *err)
{
    blob_key k = {
        (uint32_t)hash[0] << 24 | (uint32_t)hash[1] << 16 | (uint32_t)hash[2] << 8 | hash[3],
        (uint32_t)hash[4] << 24 | (uint32_t)hash[5] << 16 | (uint32_t)hash[6] << 8 | hash[7], 0};
    size_t lo = 0, hi = f->nindex;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_cmp(&f->index[mid], &k) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < f->nindex && f->index[lo].key_hi == k.key_hi && f->index[lo].key_lo == k.key_lo;
         lo++) {
        uint8_t e[BLOB_ENTRY];
        if (read_at(f, e, BLOB_ENTRY, f->table_offset + (uint64_t)f->index[lo].idx * BLOB_ENTRY,
                    err) != 0)
            return -1;
        if (memcmp(e + 30, hash, SHA1_LEN) == 0) {
            parse_reshdr(e, r);
            memcpy(r->hash, hash, SHA1_LEN);
            return 1;
        }
    }
    return 0;
}

/* ---- resources: the chunk table ------------------------------------------ */

typedef struct {
    const pl_wim_file *f;
    wim_res res;
    int compressed;
    uint64_t nchunks;
    uint64_t data_at;                /* where the chunks start in the file */
    uint64_t *starts;                /* nchunks + 1 offsets from data_at */
    uint8_t *in;                     /* one compressed chunk */
    struct wimlib_decompressor *dec; /* the image's */
} res_reader;

static void res_close(res_reader *r)
{
    free(r->starts);
    r->starts = NULL;
}

/* Set up reading resource res (its size already checked by the caller).
 * A compressed resource begins with a table of the chunks' offsets from
 * the end of the table, the first chunk's (0) left out, 4 bytes each, or
 * 8 when the resource is over 4 GiB uncompressed (resource.c). */
static int res_open(res_reader *r, const pl_wim_file *f, const wim_res *res,
                    struct wimlib_decompressor *dec, uint8_t *in, pl_err *err)
{
    memset(r, 0, sizeof *r);
    r->f = f, r->res = *res, r->dec = dec, r->in = in;
    r->compressed = (res->flags & RES_FLAG_COMPRESSED) != 0;
    r->nchunks = res->size / f->chunk_size + (res->size % f->chunk_size != 0);
    if (!pl_range_ok(res->offset, res->stored, f->file_size)) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: a resource lies at bytes %llu-%llu, but "
                    "the file is %llu bytes", (unsigned long long)res->offset,
                    (unsigned long long)(res->offset + res->stored - 1),
                    (unsigned long long)f->file_size);
        return -1;
    }
    if (!r->compressed) {
        if (res->stored != res->size) {
            pl_err_setc(err, PL_ERR_CORRUPT, "an uncompressed resource of %llu bytes is stored "
                        "in %llu", (unsigned long long)res->size,
                        (unsigned long long)res->stored);
            return -1;
        }
        r->data_at = res->offset;
        return 0;
    }
    if (f->ctype == WIMLIB_COMPRESSION_TYPE_NONE) {
        pl_err_setc(err, PL_ERR_CORRUPT, "a compressed resource in a WIM without compression");
        return -1;
    }
    if (r->nchunks == 0)
        return 0;
    unsigned esize = res->size > (1ull << 32) ? 8 : 4;
    uint64_t table = (r->nchunks - 1) * esize;
    if (table > res->stored) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the chunk table (%llu bytes) is longer than its "
                    "resource (%llu bytes)", (unsigned long long)table,
                    (unsigned long long)res->stored);
        return -1;
    }
    uint8_t *raw = pl_xmalloc(table ? (size_t)table : 1);
    if (read_at(f, raw, (size_t)table, res->offset, err) != 0) {
        free(raw);
        return -1;
    }
    r->starts = pl_xcalloc((size_t)r->nchunks + 1, sizeof *r->starts);
    for (uint64_t i = 1; i < r->nchunks; i++)
        r->starts[i] = esize == 8 ? pl_le64(raw + (i - 1) * 8) : pl_le32(raw + (i - 1) * 4);
    free(raw);
    r->starts[r->nchunks] = res->stored - table;
    r->data_at = res->offset + table;
    /* each chunk is 1 to chunk-size bytes, in order: a table that says
     * otherwise is damaged (wimlib: "Invalid chunk table") */
    for (uint64_t i = 0; i < r->nchunks; i++) {
        uint64_t usize = i + 1 < r->nchunks ? f->chunk_size : res->size - i * f->chunk_size;
        if (r->starts[i + 1] <= r->starts[i] || r->starts[i + 1] - r->starts[i] > usize) {
            pl_err_setc(err, PL_ERR_CORRUPT, "bad chunk table entry %llu: chunk at %llu-%llu "
                        "for %llu bytes of data", (unsigned long long)i,
                        (unsigned long long)r->starts[i], (unsigned long long)r->starts[i + 1],
                        (unsigned long long)usize);
            res_close(r);
            return -1;
        }
    }
    return 0;
}

static size_t chunk_usize(const res_reader *r, uint64_t i)
{
    uint64_t cs = r->f->chunk_size;
    return (size_t)(i + 1 < r->nchunks ? cs : r->res.size - i * cs);
}

/* Chunk i into out (chunk_usize bytes). A chunk stored in as many bytes as
 * it holds is not compressed (resource.c). 0 or -1 (err). */
static int res_chunk(res_reader *r, uint64_t i, uint8_t *out, pl_err *err)
{
    size_t usize = chunk_usize(r, i);
    if (!r->compressed)
        return read_at(r->f, out, usize, r->data_at + i * r->f->chunk_size, err);
    size_t csize = (size_t)(r->starts[i + 1] - r->starts[i]);
    if (csize == usize)
        return read_at(r->f, out, usize, r->data_at + r->starts[i], err);
    if (read_at(r->f, r->in, csize, r->data_at + r->starts[i], err) != 0)
        return -1;
    if (wimlib_decompress(r->in, csize, out, usize, r->dec) != 0) {
        pl_err_setc(err, PL_ERR_CORRUPT, "%s", pl_wim_decompression_error());
        return -1;
    }
    return 0;
}

static int sha1_matches(const uint8_t *data, size_t len, const uint8_t *want)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    return EVP_Digest(data, len, md, &mdlen, EVP_sha1(), NULL) && mdlen == SHA1_LEN &&
           memcmp(md, want, SHA1_LEN) == 0;
}

/* ---- the image: its metadata resource, read by offset -------------------- */

typedef struct {
    uint64_t chunk;                  /* UINT64_MAX: empty */
    uint64_t used;                   /* last use, for eviction */
    uint8_t *data;
} cache_slot;

/* A directory's children by folded-name hash (an index of a directory
 * that a path walked through): 8 bytes a child. */
typedef struct {
    uint32_t hash, off;
} child_key;

typedef struct {
    uint64_t subdir;                 /* the directory's children list */
    child_key *keys;
    size_t n;
    uint64_t used;
} dir_index;

struct pl_wim_image {
    pl_wim_file *f;
    struct wimlib_decompressor *dec;
    uint8_t *in;                     /* one compressed chunk */
    res_reader md;
    cache_slot cache[PL_WIM_CHUNK_CACHE];
    uint64_t clock;
    uint8_t *span;                   /* bytes that straddle two chunks */
    size_t span_cap;
    uint64_t root;                   /* the root dentry; 0: an empty image */
    dir_index dirs[PL_WIM_DIR_INDEXES];
    size_t indexed;                  /* children in dirs[] */
    uint8_t *name;                   /* a path component in UTF-16 (NAME_BUF) */
};

/* The chunk of the metadata resource holding byte off, decompressed. */
static const uint8_t *md_chunk(pl_wim_image *im, uint64_t c, pl_err *err)
{
    cache_slot *victim = &im->cache[0];
    for (size_t i = 0; i < PL_WIM_CHUNK_CACHE; i++) {
        cache_slot *s = &im->cache[i];
        if (s->chunk == c) {
            s->used = ++im->clock;
            return s->data;
        }
        if (s->used < victim->used)
            victim = s;
    }
    if (!victim->data)
        victim->data = pl_xmalloc(im->f->chunk_size);
    victim->chunk = UINT64_MAX;
    if (res_chunk(&im->md, c, victim->data, err) != 0) {
        pl_err_prefix(err, "the metadata resource, chunk %llu", (unsigned long long)c);
        return NULL;
    }
    victim->chunk = c;
    victim->used = ++im->clock;
    return victim->data;
}

/* len bytes at off of the metadata resource; the pointer stays valid until
 * the next call. NULL with err when they are not all in the resource. */
static const uint8_t *md_get(pl_wim_image *im, uint64_t off, size_t len, pl_err *err)
{
    if (!pl_range_ok(off, len, im->md.res.size)) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the metadata resource is %llu bytes; an entry needs "
                    "bytes %llu-%llu", (unsigned long long)im->md.res.size,
                    (unsigned long long)off, (unsigned long long)(off + len - 1));
        return NULL;
    }
    uint64_t cs = im->f->chunk_size;
    if (len == 0)
        return (const uint8_t *)"";
    uint64_t first = off / cs, last = (off + len - 1) / cs;
    if (first == last) {
        const uint8_t *c = md_chunk(im, first, err);
        return c ? c + off % cs : NULL;
    }
    if (len > im->span_cap) {
        free(im->span);
        im->span = pl_xmalloc(len);
        im->span_cap = len;
    }
    for (size_t done = 0; done < len;) {
        uint64_t at = off + done;
        const uint8_t *c = md_chunk(im, at / cs, err);
        if (!c)
            return NULL;
        size_t n = (size_t)(cs - at % cs);
        if (n > len - done)
            n = len - done;
        memcpy(im->span + done, c + at % cs, n);
        done += n;
    }
    return im->span;
}

/* ---- dentries ------------------------------------------------------------- */

typedef struct {
    uint64_t off, next;              /* this entry; the next sibling's */
    uint32_t attributes;
    uint64_t subdir;                 /* children list, 0: none */
    uint64_t name_off;
    uint16_t name_nbytes;
    int encrypted;
    uint8_t data_hash[SHA1_LEN];     /* unnamed data stream; zeros: none */
} dentry;

static int is_zero_hash(const uint8_t *h)
{
    for (int i = 0; i < SHA1_LEN; i++)
        if (h[i])
            return 0;
    return 1;
}

/* Which stream is the unnamed data stream (dentry.c,
 * assign_stream_types_unencrypted): of the unnamed streams in order (the
 * dentry's own hash first, then the extra stream entries with no name),
 * a reparse point's first is its reparse data; the data stream is the
 * first of the others with a non-zero hash, else none. An encrypted
 * file's unnamed stream is EFS raw data, never the file's content. */
typedef struct {
    int reparse, seen_reparse, found;
} stream_pick;

static void consider_stream(stream_pick *p, dentry *d, const uint8_t *hash)
{
    if (p->reparse && !p->seen_reparse) {
        p->seen_reparse = 1;
        return;
    }
    if (!p->found && !is_zero_hash(hash)) {
        memcpy(d->data_hash, hash, SHA1_LEN);
        p->found = 1;
    }
}

/* The extra stream entries after the dentry: 8-aligned, each at least 38
 * bytes and long enough for its name. The end of the last is *next. */
static int read_extra_streams(pl_wim_image *im, dentry *d, unsigned count, stream_pick *p,
                              uint64_t *next, pl_err *err)
{
    uint64_t at = *next;
    for (unsigned i = 0; i < count; i++) {
        const uint8_t *e = md_get(im, at, EXTRA_STREAM_FIXED, err);
        if (!e)
            return -1;
        uint64_t len = pl_le64(e);
        uint16_t name_nbytes = pl_le16(e + 36);
        if (len > im->md.res.size || len < EXTRA_STREAM_FIXED ||
            EXTRA_STREAM_FIXED + (uint64_t)name_nbytes > len || (name_nbytes & 1)) {
            pl_err_setc(err, PL_ERR_CORRUPT, "the stream entry %u of the entry at offset %llu of "
                        "the metadata resource has a bad length", i, (unsigned long long)d->off);
            return -1;
        }
        if (name_nbytes == 0 && !d->encrypted)
            consider_stream(p, d, e + 20);
        at += (len + 7) & ~7ull;
        if (at > im->md.res.size) {
            pl_err_setc(err, PL_ERR_CORRUPT, "the stream entries of the entry at offset %llu run "
                        "past the end of the metadata resource", (unsigned long long)d->off);
            return -1;
        }
    }
    *next = at;
    return 0;
}

/* The dentry at off: 1 read (d), 0 the end of a directory (a length of 8
 * or less, dentry.c read_dentry), -1 err. */
static int read_dentry(pl_wim_image *im, uint64_t off, dentry *d, pl_err *err)
{
    memset(d, 0, sizeof *d);
    d->off = off;
    const uint8_t *p = md_get(im, off, 8, err);
    if (!p)
        return -1;
    uint64_t len = pl_le64(p);
    if (len > im->md.res.size) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the entry at offset %llu of the metadata resource "
                    "says it is %llu bytes, longer than the resource",
                    (unsigned long long)off, (unsigned long long)len);
        return -1;
    }
    len = (len + 7) & ~7ull;
    if (len <= 8)
        return 0;
    if (len < DENTRY_FIXED || !(p = md_get(im, off, DENTRY_FIXED, err))) {
        if (len < DENTRY_FIXED)
            pl_err_setc(err, PL_ERR_CORRUPT, "the entry at offset %llu of the metadata resource "
                        "is %llu bytes, shorter than an entry", (unsigned long long)off,
                        (unsigned long long)len);
        return -1;
    }
    d->attributes = pl_le32(p + 8);
    d->subdir = pl_le64(p + 16);
    uint8_t default_hash[SHA1_LEN];
    memcpy(default_hash, p + 64, SHA1_LEN);
    unsigned extra = pl_le16(p + 96);
    uint16_t short_nbytes = pl_le16(p + 98);
    d->name_nbytes = pl_le16(p + 100);
    d->name_off = off + DENTRY_FIXED;
    d->encrypted = (d->attributes & ATTR_ENCRYPTED) != 0;
    /* names are UTF-16 with a NUL each after them (dentry.c,
     * dentry_min_len_with_names) */
    uint64_t need = DENTRY_FIXED + (d->name_nbytes ? d->name_nbytes + 2u : 0) +
                    (short_nbytes ? short_nbytes + 2u : 0);
    if ((d->name_nbytes & 1) || (short_nbytes & 1) || need > len) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the entry at offset %llu of the metadata resource "
                    "has names of %u and %u bytes, which do not fit in its %llu bytes",
                    (unsigned long long)off, d->name_nbytes, short_nbytes,
                    (unsigned long long)len);
        return -1;
    }
    if (!pl_range_ok(off, len, im->md.res.size)) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the entry at offset %llu of the metadata resource runs "
                    "past its end", (unsigned long long)off);
        return -1;
    }
    stream_pick pick = {.reparse = (d->attributes & ATTR_REPARSE) != 0};
    if (!d->encrypted)
        consider_stream(&pick, d, default_hash);
    d->next = off + len;
    return read_extra_streams(im, d, extra, &pick, &d->next, err) == 0 ? 1 : -1;
}

static int dentry_is_dir(const dentry *d) { return (d->attributes & ATTR_DIRECTORY) != 0; }

/* ---- names ---------------------------------------------------------------- */

/* Names are compared as UTF-16 code units with the ASCII letters folded:
 * evidence paths are ASCII, and Windows folds those the same way. A
 * non-ASCII letter compares exactly here (wimlib folds it with its upcase
 * table), so a name that differs from the path only in the case of a
 * non-ASCII letter is not found by stat/read, and lookup says "cannot
 * tell" for a non-ASCII name it does not find exactly, which makes the
 * resolution list the directory and compare names itself. */
static uint16_t fold(uint16_t u) { return (u >= 'a' && u <= 'z') ? (uint16_t)(u - 32) : u; }

/* FNV-1a over the folded code units. */
static uint32_t name_hash(const uint8_t *utf16, size_t nbytes)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i + 1 < nbytes; i += 2) {
        uint16_t u = fold(pl_le16(utf16 + i));
        h = (h ^ (u & 0xFF)) * 16777619u;
        h = (h ^ (u >> 8)) * 16777619u;
    }
    return h;
}

/* A path component as UTF-16LE bytes (what the dentries hold). -1 for
 * invalid UTF-8 or a name longer than a dentry can hold. */
static int utf8_to_utf16(const char *s, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        uint8_t b = (uint8_t)s[i];
        size_t extra;
        uint32_t c;
        if (b < 0x80)
            extra = 0, c = b;
        else if ((b & 0xE0) == 0xC0)
            extra = 1, c = b & 0x1Fu;
        else if ((b & 0xF0) == 0xE0)
            extra = 2, c = b & 0x0Fu;
        else if ((b & 0xF8) == 0xF0)
            extra = 3, c = b & 0x07u;
        else
            return -1;
        if (extra > n - i - 1)
            return -1;
        for (size_t k = 1; k <= extra; k++) {
            if (((uint8_t)s[i + k] & 0xC0) != 0x80)
                return -1;
            c = c << 6 | ((uint8_t)s[i + k] & 0x3Fu);
        }
        i += extra + 1;
        if (c >= 0x10000) {
            if (c > 0x10FFFF || o + 4 > cap)
                return -1;
            c -= 0x10000;
            uint16_t hi = (uint16_t)(0xD800 | (c >> 10)), lo = (uint16_t)(0xDC00 | (c & 0x3FF));
            out[o++] = hi & 0xFF, out[o++] = (uint8_t)(hi >> 8);
            out[o++] = lo & 0xFF, out[o++] = (uint8_t)(lo >> 8);
        } else {
            if (o + 2 > cap)
                return -1;
            out[o++] = c & 0xFF, out[o++] = (uint8_t)(c >> 8);
        }
    }
    *out_len = o;
    return 0;
}

/* 2 exact, 1 equal with ASCII case folded, 0 different. */
static int name_match(const uint8_t *a, const uint8_t *b, size_t nbytes)
{
    if (memcmp(a, b, nbytes) == 0)
        return 2;
    for (size_t i = 0; i < nbytes; i += 2)
        if (fold(pl_le16(a + i)) != fold(pl_le16(b + i)))
            return 0;
    return 1;
}

/* wimlib ignores children with no name and those named "." or ".."
 * (dentry.c, read_dentry_tree_recursive): so do we. */
static int ignored_name(const uint8_t *n, size_t nbytes)
{
    if (nbytes == 0)
        return 1;
    if (nbytes == 2 && n[0] == '.' && n[1] == 0)
        return 1;
    return nbytes == 4 && n[0] == '.' && n[1] == 0 && n[2] == '.' && n[3] == 0;
}

/* ---- directories ---------------------------------------------------------- */

/* Call fn on every child of the list at subdir, in order. fn returns 0 to
 * go on, 1 to stop (the result), -1 on error. Offsets strictly increase
 * inside the resource, so the walk ends; at most PL_MAX_DIR_ENTRIES. */
typedef int (*child_fn)(pl_wim_image *im, const dentry *d, const uint8_t *name, void *ctx,
                        pl_err *err);

static int each_child(pl_wim_image *im, uint64_t subdir, child_fn fn, void *ctx, pl_err *err)
{
    uint64_t off = subdir;
    for (size_t n = 0;; n++) {
        if (n >= PL_MAX_DIR_ENTRIES) {
            pl_err_setc(err, PL_ERR_LIMIT, "a directory of the WIM image has more than %d "
                        "entries", PL_MAX_DIR_ENTRIES);
            return -1;
        }
        dentry d;
        int rc = read_dentry(im, off, &d, err);
        if (rc <= 0)
            return rc;
        const uint8_t *name = md_get(im, d.name_off, d.name_nbytes, err);
        if (!name)
            return -1;
        if (!ignored_name(name, d.name_nbytes) && (rc = fn(im, &d, name, ctx, err)) != 0)
            return rc;
        off = d.next;
    }
}

typedef struct {
    dir_index *idx;
    size_t cap;
} index_build;

static int index_child(pl_wim_image *im, const dentry *d, const uint8_t *name, void *vctx,
                       pl_err *err)
{
    (void)im, (void)err;
    index_build *b = vctx;
    if (b->idx->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->idx->keys = pl_xrealloc(b->idx->keys, b->cap * sizeof *b->idx->keys);
    }
    b->idx->keys[b->idx->n++] = (child_key){name_hash(name, d->name_nbytes), (uint32_t)d->off};
    return 0;
}

static int child_key_cmp(const void *a, const void *b)
{
    const child_key *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

static void drop_index(pl_wim_image *im, dir_index *d)
{
    im->indexed -= d->n;
    free(d->keys);
    memset(d, 0, sizeof *d);
}

/* The index of the children list at subdir, built on first use: one pass
 * over the list, then every name in it costs a binary search. The least
 * recently used index goes when PL_WIM_DIR_INDEXES are held or their
 * children pass PL_MAX_WIM_INDEXED_CHILDREN. NULL with *rc 0 when the
 * directory is too large to index (it is then searched in full), -1 on
 * error. */
static dir_index *get_index(pl_wim_image *im, uint64_t subdir, int *rc, pl_err *err)
{
    dir_index *victim = &im->dirs[0];
    for (size_t i = 0; i < PL_WIM_DIR_INDEXES; i++) {
        dir_index *d = &im->dirs[i];
        if (d->keys && d->subdir == subdir) {
            d->used = ++im->clock;
            return d;
        }
        if (d->used < victim->used)
            victim = d;
    }
    drop_index(im, victim);
    index_build b = {victim, 0};
    *rc = each_child(im, subdir, index_child, &b, err);
    if (*rc != 0 || victim->n > PL_MAX_WIM_INDEXED_CHILDREN) {
        free(victim->keys);
        memset(victim, 0, sizeof *victim);
        return NULL;
    }
    if (!victim->keys)
        victim->keys = pl_xmalloc(sizeof *victim->keys);
    qsort(victim->keys, victim->n, sizeof *victim->keys, child_key_cmp);
    victim->subdir = subdir;
    victim->used = ++im->clock;
    im->indexed += victim->n;
    for (size_t i = 0; im->indexed > PL_MAX_WIM_INDEXED_CHILDREN && i < PL_WIM_DIR_INDEXES; i++)
        if (&im->dirs[i] != victim && im->dirs[i].keys)
            drop_index(im, &im->dirs[i]);
    return victim;
}

typedef struct {
    const uint8_t *name;
    size_t nbytes;
    dentry best;
    int best_match;                  /* 0 none, 1 case-folded, 2 exact */
} child_search;

static int match_child(pl_wim_image *im, const dentry *d, const uint8_t *name, void *vctx,
                       pl_err *err)
{
    (void)im, (void)err;
    child_search *s = vctx;
    if (d->name_nbytes != s->nbytes)
        return 0;
    int m = name_match(name, s->name, s->nbytes);
    if (m > s->best_match) {
        s->best = *d;
        s->best_match = m;
    }
    return m == 2;
}

/* The child of the list at subdir named name (UTF-16LE): an exact match
 * first, else the first equal with ASCII case folded. 1 found (*out), 0
 * not, -1 err. */
static int find_child(pl_wim_image *im, uint64_t subdir, const uint8_t *name, size_t nbytes,
                      dentry *out, int *exact, pl_err *err)
{
    child_search s = {.name = name, .nbytes = nbytes};
    int rc = 0;
    dir_index *idx = subdir <= UINT32_MAX ? get_index(im, subdir, &rc, err) : NULL;
    if (rc < 0)
        return -1;
    if (!idx) {
        if (each_child(im, subdir, match_child, &s, err) < 0)
            return -1;
    } else {
        uint32_t h = name_hash(name, nbytes);
        size_t lo = 0, hi = idx->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (idx->keys[mid].hash < h)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < idx->n && idx->keys[lo].hash == h; lo++) {
            dentry d;
            const uint8_t *n;
            if (read_dentry(im, idx->keys[lo].off, &d, err) != 1 ||
                !(n = md_get(im, d.name_off, d.name_nbytes, err)))
                return -1;
            if (match_child(im, &d, n, &s, err))
                break;
        }
    }
    if (!s.best_match)
        return 0;
    *out = s.best;
    if (exact)
        *exact = s.best_match == 2;
    return 1;
}

/* Walk path from the root to its entry: 1 found (*out), 0 no such path,
 * -1 err. A directory whose children list is one of its ancestors' would
 * make the tree a loop (wimlib: "Cyclic directory structure detected"):
 * corrupt. At most PL_MAX_PATH_DEPTH components. */
static int walk(pl_wim_image *im, const char *path, dentry *out, pl_err *err)
{
    if (!im->root) {
        memset(out, 0, sizeof *out);
        out->attributes = ATTR_DIRECTORY;
        return path[strspn(path, "/")] == '\0';
    }
    dentry cur;
    if (read_dentry(im, im->root, &cur, err) != 1)
        return -1;
    uint64_t seen[PL_MAX_PATH_DEPTH + 1];
    size_t depth = 0;
    uint8_t *name = im->name;
    for (const char *p = path;;) {
        if (dentry_is_dir(&cur) && cur.subdir) {
            for (size_t i = 0; i < depth; i++)
                if (seen[i] == cur.subdir) {
                    pl_err_setc(err, PL_ERR_CORRUPT, "the directories of the WIM image form a "
                                "cycle (an entry's children are those of its parent) on the "
                                "way to \"%s\"", path);
                    return -1;
                }
            if (depth == sizeof seen / sizeof *seen) {
                pl_err_setc(err, PL_ERR_LIMIT, "%s: more than %d path components", path,
                            PL_MAX_PATH_DEPTH);
                return -1;
            }
            seen[depth++] = cur.subdir;
        }
        p += strspn(p, "/");
        if (!*p)
            break;
        size_t n = strcspn(p, "/"), nbytes;
        if (!dentry_is_dir(&cur) || !cur.subdir ||
            utf8_to_utf16(p, n, name, NAME_BUF, &nbytes) != 0)
            return 0;
        int rc = find_child(im, cur.subdir, name, nbytes, &cur, NULL, err);
        if (rc != 1)
            return rc;
        p += n;
    }
    *out = cur;
    return 1;
}

/* ---- the image's public operations ---------------------------------------- */

/* The metadata resource's SHA-1, as wimlib checks it when it loads an
 * image: one pass over its chunks, each decompressed into the same cache
 * slot, so nothing but one chunk is held (the cost: the metadata is
 * decompressed once more than the entries a walk touches; 0.2 s of a
 * server image's 60 MB, bench/README.md). Without it, a damaged name or
 * hash in the metadata would read as a missing file, not as damage. */
static int verify_metadata(pl_wim_image *im, pl_err *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha1(), NULL)) {
        EVP_MD_CTX_free(ctx);
        pl_err_setc(err, PL_ERR_RESOURCES, "cannot compute a SHA-1");
        return -1;
    }
    cache_slot *slot = &im->cache[0];
    if (!slot->data)
        slot->data = pl_xmalloc(im->f->chunk_size);
    int rc = 0;
    for (uint64_t i = 0; i < im->md.nchunks && rc == 0; i++) {
        slot->chunk = UINT64_MAX;
        rc = res_chunk(&im->md, i, slot->data, err);
        if (rc == 0) {
            slot->chunk = i;
            slot->used = ++im->clock;
            EVP_DigestUpdate(ctx, slot->data, chunk_usize(&im->md, i));
        } else {
            pl_err_prefix(err, "the metadata resource, chunk %llu", (unsigned long long)i);
        }
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    if (rc == 0 && (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != SHA1_LEN ||
                    memcmp(md, im->md.res.hash, SHA1_LEN) != 0)) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the metadata resource does not match its SHA-1 (the "
                    "WIM is damaged)");
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
        rc = -1;   /* a fuzzing build reads on: the dentries are what it tests */
#endif
    }
    EVP_MD_CTX_free(ctx);
    return rc;
}

/* Where the root dentry lies: after the security data, whose 32-bit total
 * length is rounded up to 8, 0 meaning 8 (security.c,
 * read_wim_security_data). */
static int find_root(pl_wim_image *im, pl_err *err)
{
    const uint8_t *p = md_get(im, 0, 8, err);
    if (!p)
        return -1;
    uint64_t sd = ((uint64_t)pl_le32(p) + 7) & ~7ull;
    if (sd == 0)
        sd = 8;
    if (sd > im->md.res.size) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the security data of the WIM image (%llu bytes) is "
                    "longer than its metadata resource (%llu)", (unsigned long long)sd,
                    (unsigned long long)im->md.res.size);
        return -1;
    }
    dentry root;
    int rc = read_dentry(im, sd, &root, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return 0;   /* an image with no files at all */
    if (!dentry_is_dir(&root)) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the root of the WIM image is not a directory");
        return -1;
    }
    im->root = sd;
    return 0;
}

int pl_wim_image_open(pl_wim_file *f, unsigned image, pl_wim_image **out, pl_err *err)
{
    if (image < 1 || image > f->image_count) {
        pl_err_setc(err, PL_ERR_NOT_FOUND, "the WIM has no image %u", image);
        return -1;
    }
    const wim_res *md = &f->metadata[image - 1];
    if (md->size < 8 || md->size > PL_MAX_WIM_METADATA_BYTES) {
        pl_err_setc(err, md->size < 8 ? PL_ERR_CORRUPT : PL_ERR_LIMIT,
                    "the metadata resource of image %u is %llu bytes (limit %llu)", image,
                    (unsigned long long)md->size, (unsigned long long)PL_MAX_WIM_METADATA_BYTES);
        return -1;
    }
    pl_wim_image *im = pl_xcalloc(1, sizeof *im);
    im->f = f;
    im->in = pl_xmalloc(f->chunk_size);
    im->name = pl_xmalloc(NAME_BUF);
    for (size_t i = 0; i < PL_WIM_CHUNK_CACHE; i++)
        im->cache[i].chunk = UINT64_MAX;
    if (f->ctype != WIMLIB_COMPRESSION_TYPE_NONE) {
        int rc = wimlib_create_decompressor((enum wimlib_compression_type)f->ctype,
                                            f->chunk_size, &im->dec);
        if (rc != 0) {
            pl_err_setc(err, rc == WIMLIB_ERR_NOMEM ? PL_ERR_RESOURCES : PL_ERR_UNSUPPORTED,
                        "cannot decompress this WIM: %s", wimlib_get_error_string(rc));
            im->dec = NULL;
            pl_wim_image_close(im);
            return -1;
        }
    }
    if (res_open(&im->md, f, md, im->dec, im->in, err) != 0 || verify_metadata(im, err) != 0 ||
        find_root(im, err) != 0) {
        pl_err_prefix(err, "image %u", image);
        pl_wim_image_close(im);
        return -1;
    }
    *out = im;
    return 0;
}

void pl_wim_image_close(pl_wim_image *im)
{
    if (!im)
        return;
    res_close(&im->md);
    for (size_t i = 0; i < PL_WIM_CHUNK_CACHE; i++)
        free(im->cache[i].data);
    for (size_t i = 0; i < PL_WIM_DIR_INDEXES; i++)
        free(im->dirs[i].keys);
    if (im->dec)
        wimlib_free_decompressor(im->dec);
    free(im->span);
    free(im->name);
    free(im->in);
    free(im);
}

static uint64_t data_size(pl_wim_image *im, const dentry *d, pl_err *err, int *rc)
{
    wim_res r;
    *rc = 0;
    if (is_zero_hash(d->data_hash))
        return 0;
    *rc = find_blob(im->f, d->data_hash, &r, err);
    return *rc == 1 ? r.size : 0;
}

int pl_wim_image_stat(pl_wim_image *im, const char *path, pl_wim_stat *st, pl_err *err)
{
    dentry d;
    int rc = walk(im, path, &d, err);
    if (rc != 1)
        return rc;
    memset(st, 0, sizeof *st);
    st->is_dir = dentry_is_dir(&d);
    st->reparse = (d.attributes & ATTR_REPARSE) != 0;
    st->encrypted = d.encrypted;
    /* a blob missing from the table reads as size 0 here, as wimlib lists
     * it; reading the file reports it */
    st->size = data_size(im, &d, err, &rc);
    return rc < 0 ? -1 : 1;
}

typedef struct {
    pl_dir_cb cb;
    void *ctx;
} list_ctx;

static int list_child(pl_wim_image *im, const dentry *d, const uint8_t *name, void *vctx,
                      pl_err *err)
{
    (void)im, (void)err;
    list_ctx *lc = vctx;
    char *utf8 = pl_utf16le_to_utf8(name, d->name_nbytes);
    int stop = lc->cb(utf8, dentry_is_dir(d), lc->ctx);
    free(utf8);
    return stop ? 1 : 0;
}

int pl_wim_image_list(pl_wim_image *im, const char *dir, pl_dir_cb cb, void *ctx, pl_err *err)
{
    dentry d;
    int rc = walk(im, dir, &d, err);
    if (rc == 0)
        pl_err_setc(err, PL_ERR_NOT_FOUND, "cannot list %s: no such directory",
                    dir[0] ? dir : "the root directory");
    if (rc != 1)
        return -1;
    /* a file has no children (wimlib lists none either) */
    if (!dentry_is_dir(&d) || !d.subdir)
        return 0;
    list_ctx lc = {cb, ctx};
    return each_child(im, d.subdir, list_child, &lc, err) < 0 ? -1 : 0;
}

int pl_wim_image_lookup(pl_wim_image *im, const char *dir, const char *name, int *is_dir)
{
    size_t n = strlen(name), nbytes;
    dentry d;
    pl_err err;
    if (strchr(name, '/') || n == 0 || walk(im, dir, &d, &err) != 1 || !dentry_is_dir(&d) ||
        utf8_to_utf16(name, n, im->name, NAME_BUF, &nbytes) != 0)
        return -1;
    int exact = 0, rc = d.subdir ? find_child(im, d.subdir, im->name, nbytes, &d, &exact, &err) : 0;
    if (rc == 1 && exact) {
        *is_dir = dentry_is_dir(&d);
        return 1;
    }
    if (rc == 0)
        for (const char *p = name; *p; p++)
            if ((unsigned char)*p >= 0x80)
                return -1;   /* a non-ASCII case variant may be there */
    return rc == 0 ? 0 : -1;   /* a case variant only, or damage: list */
}

/* Read resource r (its size already checked against the caller's limit)
 * into a new buffer and check its SHA-1. */
static int read_blob(pl_wim_image *im, const wim_res *r, uint8_t **data, pl_err *err)
{
    res_reader rr;
    if (res_open(&rr, im->f, r, im->dec, im->in, err) != 0)
        return -1;
    uint8_t *buf = pl_xmalloc_for_read(r->size ? (size_t)r->size : 1);
    int rc = 0;
    if (!rr.compressed)
        rc = read_at(im->f, buf, (size_t)r->size, r->offset, err);
    for (uint64_t i = 0; rr.compressed && i < rr.nchunks && rc == 0; i++)
        rc = res_chunk(&rr, i, buf + i * im->f->chunk_size, err);
    res_close(&rr);
    if (rc == 0 && !sha1_matches(buf, (size_t)r->size, r->hash)) {
        pl_err_setc(err, PL_ERR_CORRUPT, "the data read does not match its SHA-1 (the WIM is "
                    "damaged)");
        rc = -1;
    }
    if (rc != 0) {
        free(buf);
        return -1;
    }
    *data = buf;
    return 0;
}

int pl_wim_image_read(pl_wim_image *im, const char *path, uint64_t max, uint8_t **data,
                      size_t *len, pl_err *err)
{
    dentry d;
    int rc = walk(im, path, &d, err);
    if (rc == 0)
        pl_err_setc(err, PL_ERR_NOT_FOUND, "no such file");
    if (rc != 1)
        return -1;
    if (dentry_is_dir(&d) || (d.attributes & ATTR_REPARSE)) {
        pl_err_setc(err, PL_ERR_UNSUPPORTED, "not a regular file");
        return -1;
    }
    if (d.encrypted) {
        pl_err_setc(err, PL_ERR_UNSUPPORTED, "an encrypted file (EFS)");
        return -1;
    }
    if (is_zero_hash(d.data_hash)) {
        *data = pl_xmalloc(1);
        *len = 0;
        return 0;
    }
    wim_res r;
    rc = find_blob(im->f, d.data_hash, &r, err);
    if (rc == 0)
        pl_err_setc(err, PL_ERR_CORRUPT, "its data is missing from the WIM's blob table");
    if (rc != 1)
        return -1;
    if (r.size > max) {
        pl_err_setc(err, PL_ERR_LIMIT, "file is %llu bytes, over the limit of %llu bytes",
                    (unsigned long long)r.size, (unsigned long long)max);
        return -1;
    }
    if (read_blob(im, &r, data, err) != 0)
        return -1;
    *len = (size_t)r.size;
    return 0;
}
