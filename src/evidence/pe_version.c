/* Version resource of a PE32 / PE32+ file: see pe_version.h.
 *
 * The buffer is hostile. Each step reads a header, checks every offset and
 * length it took from the file against the buffer and against the structure
 * that encloses it, and only then follows it. The resource tree has a fixed
 * shape (type / name / language), so the walk goes exactly three levels
 * deep; the directories on the current path are remembered so that an
 * entry pointing back at one of them is reported instead of followed. */
#include "evidence/pe_version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/limits.h"

#define RT_VERSION        16
#define DOS_HDR_SIZE      0x40
#define PE_SIG_AND_FILE   24          /* "PE\0\0" + IMAGE_FILE_HEADER */
#define OPT_MAGIC_PE32    0x10b
#define OPT_MAGIC_PE32P   0x20b
#define DATA_DIR_RESOURCE 2
#define SECT_HDR_SIZE     40
#define RES_DIR_SIZE      16
#define RES_ENTRY_SIZE    8
#define RES_DATA_SIZE     16
#define RES_HIGH_BIT      0x80000000u
#define FIXED_SIGNATURE   0xFEEF04BDu
#define FIXED_SIZE        52
#define VBLOCK_HDR        6           /* wLength, wValueLength, wType */

/* What the later steps need from the PE headers. */
typedef struct {
    const uint8_t *data;
    size_t len;
    size_t sect_off;                  /* file offset of the section table */
    uint16_t nsects;
    uint32_t rsrc_rva;
} pe_image;

/* ---- headers ---------------------------------------------------------- */

static int read_optional(pe_image *img, size_t opt, uint16_t optsize, uint16_t nsects,
                         uint16_t machine, pl_pe_version *out, pl_err *err)
{
    const uint8_t *d = img->data;
    if (optsize < 2) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated optional header");
        return -1;
    }
    uint16_t magic = pl_le16(d + opt);
    if (magic != OPT_MAGIC_PE32 && magic != OPT_MAGIC_PE32P) {
        pl_err_setc(err, PL_ERR_UNRECOGNIZED, "unknown optional header magic 0x%x", magic);
        return -1;
    }
    /* NumberOfRvaAndSizes sits right before the data directories, whose
     * position is the one layout difference that matters here. */
    size_t dirs = magic == OPT_MAGIC_PE32 ? 96 : 112;
    if (optsize < dirs) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated optional header");
        return -1;
    }
    uint32_t nrva = pl_le32(d + opt + dirs - 4);
    size_t rsrc_dir = dirs + DATA_DIR_RESOURCE * 8;
    if (nrva > DATA_DIR_RESOURCE && optsize < rsrc_dir + 8) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated optional header");
        return -1;
    }
    size_t sects = opt + optsize;
    if (!pl_range_ok(sects, (uint64_t)nsects * SECT_HDR_SIZE, img->len)) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated section table");
        return -1;
    }
    img->sect_off = sects;
    img->nsects = nsects;
    /* The headers are good from here on: the caller may report these even
     * when there turns out to be no version resource. */
    out->machine = machine;
    out->is_pe32plus = magic == OPT_MAGIC_PE32P;
    uint32_t rva = 0, size = 0;
    if (nrva > DATA_DIR_RESOURCE) {
        rva = pl_le32(d + opt + rsrc_dir);
        size = pl_le32(d + opt + rsrc_dir + 4);
    }
    if (rva == 0 || size == 0) {
        pl_err_setc(err, PL_ERR_NOT_FOUND, "no resource directory");
        return -1;
    }
    img->rsrc_rva = rva;
    return 0;
}

static int read_headers(pe_image *img, pl_pe_version *out, pl_err *err)
{
    const uint8_t *d = img->data;
    size_t len = img->len;
    if (len < 2 || d[0] != 'M' || d[1] != 'Z') {
        pl_err_setc(err, PL_ERR_UNRECOGNIZED, "not a PE file (no MZ header)");
        return -1;
    }
    if (len < DOS_HDR_SIZE) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated DOS header");
        return -1;
    }
    uint32_t lfanew = pl_le32(d + 0x3c);
    if (lfanew >= len) {
        pl_err_setc(err, PL_ERR_CORRUPT, "PE header offset (e_lfanew) 0x%x outside the file", lfanew);
        return -1;
    }
    if (!pl_range_ok(lfanew, PE_SIG_AND_FILE, len)) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated PE header");
        return -1;
    }
    if (memcmp(d + lfanew, "PE\0\0", 4) != 0) {
        pl_err_setc(err, PL_ERR_UNRECOGNIZED, "not a PE file (no PE signature)");
        return -1;
    }
    const uint8_t *fh = d + lfanew + 4;
    uint16_t machine = pl_le16(fh);
    uint16_t nsects = pl_le16(fh + 2);
    uint16_t optsize = pl_le16(fh + 16);
    size_t opt = (size_t)lfanew + PE_SIG_AND_FILE;
    if (!pl_range_ok(opt, optsize, len)) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated optional header");
        return -1;
    }
    return read_optional(img, opt, optsize, nsects, machine, out, err);
}

/* Map [rva, rva + need) to a file offset through the section holding rva.
 * *avail gets the raw bytes from there to the end of that section, so the
 * caller can bound what it reads by the section as well as by the file.
 * Bytes past SizeOfRawData exist only in memory (zero fill), so an RVA that
 * needs them is an error rather than something to read from the file. */
static int rva_map(const pe_image *img, uint32_t rva, uint32_t need, const char *what,
                   size_t *off, size_t *avail, pl_err *err)
{
    for (uint16_t i = 0; i < img->nsects; i++) {
        const uint8_t *s = img->data + img->sect_off + (size_t)i * SECT_HDR_SIZE;
        uint32_t vsize = pl_le32(s + 8), va = pl_le32(s + 12);
        uint32_t raw = pl_le32(s + 16), ptr = pl_le32(s + 20);
        /* Linkers leave VirtualSize 0 now and then; the raw size then
         * tells how far the section reaches. */
        uint32_t span = vsize > raw ? vsize : raw;
        if (rva < va || rva - va >= span)
            continue;
        uint32_t delta = rva - va;
        if (delta >= raw || need > raw - delta) {
            pl_err_setc(err, PL_ERR_TRUNCATED, "%s RVA 0x%x lies past the raw data of its section", what, rva);
            return -1;
        }
        if (!pl_range_ok(ptr, raw, img->len)) {
            pl_err_setc(err, PL_ERR_CORRUPT, "section %u raw data (0x%x bytes at 0x%x) outside the file",
                       (unsigned)i + 1, raw, ptr);
            return -1;
        }
        *off = (size_t)ptr + delta;
        *avail = raw - delta;
        return 0;
    }
    pl_err_setc(err, PL_ERR_CORRUPT, "%s RVA 0x%x is in no section", what, rva);
    return -1;
}

/* ---- VS_VERSIONINFO ----------------------------------------------------- */

/* The string values we keep, in pl_pe_version order. */
enum { S_FILE_VERSION, S_PRODUCT_VERSION, S_ORIGINAL_FILENAME, S_PRODUCT_NAME, S_COUNT };
static const char *const string_keys[S_COUNT] = {
    "FileVersion", "ProductVersion", "OriginalFilename", "ProductName",
};

/* What one VS_VERSIONINFO yields. rank orders string tables by the
 * language preference: 0 = 0409, 1 = 0000, 2 = any other, 3 = none. */
typedef struct {
    uint16_t fv[4], pv[4];
    int rank;
    char *table_key;
    char *s[S_COUNT];
} vinfo;

static void vinfo_free_strings(vinfo *vi)
{
    free(vi->table_key);
    vi->table_key = NULL;
    for (int i = 0; i < S_COUNT; i++) {
        free(vi->s[i]);
        vi->s[i] = NULL;
    }
}

/* One block of the tree. All offsets are relative to the start of the
 * resource, which is also what the DWORD alignment is relative to. */
typedef struct {
    size_t start, end;                /* end = start + wLength */
    uint16_t value_len, type;
    size_t key_off, key_bytes;        /* UTF-16LE, without the NUL */
    size_t value_off;                 /* after the key and its padding, <= end */
} vblock;

static size_t align4(size_t x) { return (x + 3) & ~(size_t)3; }

/* Read the block header at start; the block must fit in [start, limit). */
static int vblock_read(const uint8_t *r, size_t start, size_t limit, vblock *b, pl_err *err)
{
    if (!pl_range_ok(start, VBLOCK_HDR, limit)) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "truncated version block at 0x%zx", start);
        return -1;
    }
    uint16_t wlen = pl_le16(r + start);
    if (wlen < VBLOCK_HDR) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "version block at 0x%zx is too short (%u bytes)", start, wlen);
        return -1;
    }
    if (wlen > limit - start) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "version block at 0x%zx overruns its parent", start);
        return -1;
    }
    b->start = start;
    b->end = start + wlen;
    b->value_len = pl_le16(r + start + 2);
    b->type = pl_le16(r + start + 4);
    b->key_off = start + VBLOCK_HDR;
    size_t p = b->key_off;
    while (p + 2 <= b->end && pl_le16(r + p) != 0)
        p += 2;
    if (p + 2 > b->end) {
        pl_err_setc(err, PL_ERR_CORRUPT, "version block at 0x%zx has an unterminated key", start);
        return -1;
    }
    b->key_bytes = p - b->key_off;
    b->value_off = align4(p + 2);
    if (b->value_off > b->end)
        b->value_off = b->end;
    return 0;
}

/* Keys are ASCII in practice; compare them without decoding. */
static int key_is(const uint8_t *r, const vblock *b, const char *ascii)
{
    size_t n = strlen(ascii);
    if (b->key_bytes != 2 * n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        uint16_t u = pl_le16(r + b->key_off + 2 * i);
        unsigned char c = (unsigned char)ascii[i];
        if (u >= 'A' && u <= 'Z')
            u = (uint16_t)(u + 32);
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        if (u != c)
            return 0;
    }
    return 1;
}

typedef int (*child_fn)(const uint8_t *r, const vblock *child, int depth, vinfo *vi, pl_err *err);

/* Call fn for each child block in [from, end). Zero words after the last
 * child are padding, not a block. */
static int for_each_child(const uint8_t *r, size_t from, size_t end, int depth,
                          child_fn fn, vinfo *vi, pl_err *err)
{
    if (depth > PL_MAX_VERSIONINFO_DEPTH) {
        pl_err_setc(err, PL_ERR_LIMIT, "version blocks nested deeper than %d", PL_MAX_VERSIONINFO_DEPTH);
        return -1;
    }
    size_t pos = align4(from);
    while (pos < end && end - pos >= VBLOCK_HDR) {
        if (pl_le16(r + pos) == 0)
            break;
        vblock c;
        if (vblock_read(r, pos, end, &c, err) != 0 || fn(r, &c, depth, vi, err) != 0)
            return -1;
        pos = align4(c.end);
    }
    return 0;
}

/* A String: keep the values we report. The value is read from after the
 * key to the end of the block, stopping at the first NUL. wValueLength is
 * not trusted: producers give it in WORDs or in bytes, with or without the
 * NUL, and the block end is the only bound that holds for all of them. */
static int string_child(const uint8_t *r, const vblock *c, int depth, vinfo *vi, pl_err *err)
{
    (void)depth;
    (void)err;
    for (int i = 0; i < S_COUNT; i++) {
        if (vi->s[i] == NULL && key_is(r, c, string_keys[i])) {
            vi->s[i] = pl_utf16le_to_utf8(r + c->value_off, c->end - c->value_off);
            break;
        }
    }
    return 0;
}

static int table_rank(const char *key)
{
    if (pl_strncaseeq(key, "0409", 4))
        return 0;
    if (pl_strncaseeq(key, "0000", 4))
        return 1;
    return 2;
}

/* A StringTable (key "040904b0": language, code page). Every table is read,
 * so a broken one is reported even when it would not be chosen. */
static int table_child(const uint8_t *r, const vblock *c, int depth, vinfo *vi, pl_err *err)
{
    vinfo t = {.rank = 3};
    t.table_key = pl_utf16le_to_utf8(r + c->key_off, c->key_bytes);
    /* Containers have no value (wValueLength is documented as 0), so
     * children start right after the key whatever that field says. */
    if (for_each_child(r, c->value_off, c->end, depth + 1, string_child, &t, err) != 0) {
        vinfo_free_strings(&t);
        return -1;
    }
    int rank = table_rank(t.table_key);
    if (rank < vi->rank) {
        vinfo_free_strings(vi);
        vi->table_key = t.table_key;
        memcpy(vi->s, t.s, sizeof vi->s);
        vi->rank = rank;
    } else {
        vinfo_free_strings(&t);
    }
    return 0;
}

/* StringFileInfo holds the tables; VarFileInfo and anything else is skipped. */
static int root_child(const uint8_t *r, const vblock *c, int depth, vinfo *vi, pl_err *err)
{
    if (!key_is(r, c, "StringFileInfo"))
        return 0;
    return for_each_child(r, c->value_off, c->end, depth + 1, table_child, vi, err);
}

static void split_version(uint32_t ms, uint32_t ls, uint16_t v[4])
{
    v[0] = (uint16_t)(ms >> 16);
    v[1] = (uint16_t)ms;
    v[2] = (uint16_t)(ls >> 16);
    v[3] = (uint16_t)ls;
}

static int read_fixed(const uint8_t *r, const vblock *root, vinfo *vi, pl_err *err)
{
    if (root->value_len == 0) {
        pl_err_setc(err, PL_ERR_NOT_FOUND, "VS_VERSIONINFO has no fixed file info");
        return -1;
    }
    if (root->value_len < FIXED_SIZE || !pl_range_ok(root->value_off, root->value_len, root->end)) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "VS_FIXEDFILEINFO truncated");
        return -1;
    }
    const uint8_t *f = r + root->value_off;
    uint32_t sig = pl_le32(f);
    if (sig != FIXED_SIGNATURE) {
        pl_err_setc(err, PL_ERR_CORRUPT, "bad VS_FIXEDFILEINFO signature 0x%08x", sig);
        return -1;
    }
    split_version(pl_le32(f + 8), pl_le32(f + 12), vi->fv);
    split_version(pl_le32(f + 16), pl_le32(f + 20), vi->pv);
    return 0;
}

/* Parse one VS_VERSIONINFO resource of size bytes. */
static int parse_versioninfo(const uint8_t *r, size_t size, vinfo *vi, pl_err *err)
{
    if (size < VBLOCK_HDR) {
        pl_err_setc(err, PL_ERR_CORRUPT, "version resource too small (%zu bytes)", size);
        return -1;
    }
    if (pl_le16(r) > size) {
        pl_err_setc(err, PL_ERR_CORRUPT, "VS_VERSIONINFO block length exceeds its resource");
        return -1;
    }
    vblock root;
    if (vblock_read(r, 0, size, &root, err) != 0)
        return -1;
    if (!key_is(r, &root, "VS_VERSION_INFO")) {
        pl_err_setc(err, PL_ERR_NOT_FOUND, "version resource has no VS_VERSION_INFO key");
        return -1;
    }
    if (read_fixed(r, &root, vi, err) != 0)
        return -1;
    size_t kids = root.value_off + root.value_len;  /* within root: read_fixed checked */
    if (for_each_child(r, kids, root.end, 1, root_child, vi, err) != 0) {
        vinfo_free_strings(vi);
        return -1;
    }
    return 0;
}

/* ---- resource directory --------------------------------------------------- */

typedef struct {
    const pe_image *img;
    const uint8_t *base;              /* root directory */
    size_t len;                       /* raw bytes of its section from there on */
    uint32_t path[PL_MAX_PE_RESOURCE_DEPTH];   /* directories from the root down */
    uint32_t seen[PL_MAX_PE_RESOURCE_DEPTH];   /* entries examined per level */
    pl_pe_version *out;
    int best_rank;
    int nerrors;
    pl_err first_err;                 /* why the first unusable resource failed */
} rwalk;

/* Take what a good resource offers: the fixed info of the first, the
 * string table of the best ranked (earliest on ties). */
static void take_vinfo(rwalk *w, vinfo *vi)
{
    pl_pe_version *o = w->out;
    if (!o->has_fixed) {
        memcpy(o->file_version, vi->fv, sizeof vi->fv);
        memcpy(o->product_version, vi->pv, sizeof vi->pv);
        o->has_fixed = 1;
    }
    if (vi->rank >= w->best_rank) {
        vinfo_free_strings(vi);
        return;
    }
    free(o->string_table_key);
    free(o->file_version_str);
    free(o->product_version_str);
    free(o->original_filename);
    free(o->product_name);
    o->string_table_key = vi->table_key;
    o->file_version_str = vi->s[S_FILE_VERSION];
    o->product_version_str = vi->s[S_PRODUCT_VERSION];
    o->original_filename = vi->s[S_ORIGINAL_FILENAME];
    o->product_name = vi->s[S_PRODUCT_NAME];
    w->best_rank = vi->rank;
}

/* A language entry's IMAGE_RESOURCE_DATA_ENTRY. A resource that cannot be
 * used is remembered and skipped: another language may still be good.
 * Returns 1 once nothing better can turn up, else 0. */
static int take_data_entry(rwalk *w, uint32_t off, pl_err *err)
{
    if (!pl_range_ok(off, RES_DATA_SIZE, w->len)) {
        pl_err_setc(err, PL_ERR_CORRUPT, "resource data entry offset 0x%x outside the resource section", off);
        return -1;
    }
    uint32_t rva = pl_le32(w->base + off);
    uint32_t size = pl_le32(w->base + off + 4);
    size_t foff, avail;
    vinfo vi = {.rank = 3};
    pl_err e;
    if (rva_map(w->img, rva, size, "version resource", &foff, &avail, &e) != 0 ||
        parse_versioninfo(w->img->data + foff, size, &vi, &e) != 0) {
        if (w->nerrors++ == 0)
            w->first_err = e;
        return 0;
    }
    take_vinfo(w, &vi);
    return w->out->has_fixed && w->best_rank == 0;
}

/* Check the directory at off and return its entry count. */
static int read_dir(rwalk *w, uint32_t off, int level, uint32_t *count, pl_err *err)
{
    if (!pl_range_ok(off, RES_DIR_SIZE, w->len)) {
        pl_err_setc(err, PL_ERR_CORRUPT, "resource directory offset 0x%x outside the resource section", off);
        return -1;
    }
    uint32_t n = (uint32_t)pl_le16(w->base + off + 12) + pl_le16(w->base + off + 14);
    w->seen[level] += n;
    if (w->seen[level] > PL_MAX_PE_RESOURCE_ENTRIES) {
        pl_err_setc(err, PL_ERR_LIMIT, "more than %d resource directory entries at level %d",
                   PL_MAX_PE_RESOURCE_ENTRIES, level + 1);
        return -1;
    }
    if (!pl_range_ok((uint64_t)off + RES_DIR_SIZE, (uint64_t)n * RES_ENTRY_SIZE, w->len)) {
        pl_err_setc(err, PL_ERR_TRUNCATED, "resource directory at 0x%x runs past the resource section", off);
        return -1;
    }
    *count = n;
    return 0;
}

/* The subdirectory an entry of a level above the last points to. */
static int subdir_of(const rwalk *w, uint32_t target, int level, uint32_t *sub, pl_err *err)
{
    if (!(target & RES_HIGH_BIT)) {
        pl_err_setc(err, PL_ERR_CORRUPT, "resource directory entry at level %d is not a directory", level + 1);
        return -1;
    }
    *sub = target & ~RES_HIGH_BIT;
    for (int i = 0; i <= level; i++) {
        if (w->path[i] == *sub) {
            pl_err_setc(err, PL_ERR_CORRUPT, "resource directory loop at offset 0x%x", *sub);
            return -1;
        }
    }
    return 0;
}

/* Walk the directory at off, level 0 = type, 1 = name, 2 = language.
 * Only type RT_VERSION is followed. Returns -1, 0, or 1 to stop early. */
static int walk_dir(rwalk *w, uint32_t off, int level, pl_err *err)
{
    uint32_t n;
    if (level >= PL_MAX_PE_RESOURCE_DEPTH || read_dir(w, off, level, &n, err) != 0)
        return -1;
    w->path[level] = off;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = w->base + off + RES_DIR_SIZE + (size_t)i * RES_ENTRY_SIZE;
        uint32_t name = pl_le32(e), target = pl_le32(e + 4);
        if (level == 0 && name != RT_VERSION)   /* named types have the high bit */
            continue;
        int rc;
        if (level == PL_MAX_PE_RESOURCE_DEPTH - 1) {
            if (target & RES_HIGH_BIT) {
                pl_err_setc(err, PL_ERR_LIMIT, "resource directory deeper than %d levels",
                           PL_MAX_PE_RESOURCE_DEPTH);
                return -1;
            }
            rc = take_data_entry(w, target, err);
        } else {
            uint32_t sub;
            if (subdir_of(w, target, level, &sub, err) != 0)
                return -1;
            rc = walk_dir(w, sub, level + 1, err);
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- public --------------------------------------------------------------- */

static void clear_result(pl_pe_version *out)
{
    uint16_t machine = out->machine;
    int plus = out->is_pe32plus;
    pl_pe_version_free(out);
    out->machine = machine;
    out->is_pe32plus = plus;
}

int pl_pe_read_version(const uint8_t *data, size_t len, pl_pe_version *out, pl_err *err)
{
    memset(out, 0, sizeof *out);
    pe_image img = {.data = data, .len = data ? len : 0};
    if (read_headers(&img, out, err) != 0)
        return -1;
    rwalk w = {.img = &img, .out = out, .best_rank = 3};
    size_t root;
    if (rva_map(&img, img.rsrc_rva, RES_DIR_SIZE, "resource directory", &root, &w.len, err) != 0) {
        clear_result(out);
        return -1;
    }
    w.base = data + root;
    if (walk_dir(&w, 0, 0, err) < 0) {
        clear_result(out);
        return -1;
    }
    if (!out->has_fixed) {
        if (w.nerrors && err)
            *err = w.first_err;
        else
            pl_err_setc(err, PL_ERR_NOT_FOUND, "no version resource");
        clear_result(out);
        return -1;
    }
    return 0;
}

void pl_pe_version_free(pl_pe_version *v)
{
    if (!v)
        return;
    free(v->file_version_str);
    free(v->product_version_str);
    free(v->original_filename);
    free(v->product_name);
    free(v->string_table_key);
    memset(v, 0, sizeof *v);
}

void pl_version4_format(const uint16_t v[4], char *buf, size_t buflen)
{
    if (!buf || buflen == 0)
        return;
    if (!v) {
        buf[0] = '\0';
        return;
    }
    snprintf(buf, buflen, "%u.%u.%u.%u", (unsigned)v[0], (unsigned)v[1], (unsigned)v[2],
             (unsigned)v[3]);
}

int pl_version4_parse(const char *s, uint16_t v[4])
{
    uint16_t t[4] = {0, 0, 0, 0};
    int n = 0;
    if (!v)
        return -1;
    if (!s)
        goto bad;
    for (;;) {
        if (*s < '0' || *s > '9')
            goto bad;
        uint32_t x = 0;
        for (; *s >= '0' && *s <= '9'; s++) {
            x = x * 10 + (uint32_t)(*s - '0');
            if (x > 65535)
                goto bad;
        }
        t[n++] = (uint16_t)x;
        if (*s != '.' || n == 4)
            break;
        s++;
    }
    /* "6.0.6003.20489 (vistasp2_ldr...)": the text after a space is a tag. */
    if (*s != '\0' && *s != ' ')
        goto bad;
    memcpy(v, t, sizeof t);
    return 0;
bad:
    memset(v, 0, 4 * sizeof v[0]);
    return -1;
}

int pl_version4_cmp(const uint16_t a[4], const uint16_t b[4])
{
    if (a == b)
        return 0;
    if (!a || !b)
        return a ? 1 : -1;
    for (int i = 0; i < 4; i++) {
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}
