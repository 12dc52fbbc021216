/* mkbighive - write a large, compact registry hive (regf) from a text spec.
 *
 * Usage: mkbighive [-n FILENAME] [-t FILETIME] OUT.hive SPEC...
 *
 * The SPEC format is the one of fixtures/gen/mkhive.c (sections "[Key\Path]",
 * lines "Name = type:data" with sz, expand_sz, multi_sz, dword, qword, binary,
 * none; "@" is the default value; '#' and ';' start comments).  Several SPEC
 * files are read in order, as if concatenated.
 *
 * Why not mkhive: hivex never reuses a freed cell, and adding a subkey copies
 * the parent's whole subkey list, so a key with n children leaves ~4n^2 bytes
 * of dead lists (5,000 CBS packages gave a 114 MB hive, mostly garbage).
 * This writer builds the tree in memory and writes every cell once, in
 * depth-first order, like a freshly compacted hive: nk, its value list, vk
 * cells and their data, its subkey list (one "lh" list, or an "ri" index root
 * of "lh" lists of at most 512 entries when a key has more children, as
 * Windows does for big keys), then the children.  Subkey lists are sorted by
 * upper-cased name.  One shared "sk" security cell.  Cells never cross a
 * 4 KiB hbin boundary (a bigger cell gets its own larger hbin).  Base block:
 * regf 1.3, sequence numbers equal (clean), checksum set.
 *
 * Deterministic: every timestamp is FILETIME (from -t, else SOURCE_DATE_EPOCH,
 * else 2009-04-11T00:00:00Z).  Key and value names must be ASCII; value data
 * over 16,344 bytes is refused (it would need "db" big-data cells).
 * Used by bench/make-inputs.sh; benchmark inputs only.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define FILETIME_UNIX_EPOCH 116444736000000000ULL
#define MAX_LH 512
#define MAX_INLINE_DATA 16344

static const char *spec_path = "";
static unsigned spec_line;

static void die(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "mkbighive: ");
    if (spec_line)
        fprintf(stderr, "%s:%u: ", spec_path, spec_line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        die("out of memory");
    return d;
}

/* ---- the tree --------------------------------------------------------------- */

typedef struct {
    char *name;        /* "" = default value */
    uint32_t type;
    uint8_t *data;
    size_t len;
} value;

typedef struct node {
    char *name;
    char *upper;
    struct node **kids;
    size_t nkids, capkids;
    value *vals;
    size_t nvals, capvals;
    uint32_t offset;   /* of the nk cell, once written */
} node;

static node *new_node(const char *name)
{
    node *n = calloc(1, sizeof *n);
    if (!n)
        die("out of memory");
    n->name = xstrdup(name);
    n->upper = xstrdup(name);
    for (char *p = n->upper; *p; p++) {
        if ((unsigned char)*p >= 0x80)
            die("non-ASCII key name '%s'", name);
        *p = (char)toupper((unsigned char)*p);
    }
    return n;
}

/* Children are looked up through a hash table of (parent, upper name), so
 * that a key with 100,000 children is built in linear time. */
typedef struct {
    node *parent, *child;
} slot;
static slot *table;
static size_t table_cap, table_len;

static uint64_t hash_of(const node *parent, const char *upper)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)parent;
    for (const char *p = upper; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

static void table_put(node *parent, node *child);

static void table_grow(void)
{
    slot *old = table;
    size_t oldcap = table_cap;
    table_cap = table_cap ? table_cap * 2 : 4096;
    table = calloc(table_cap, sizeof *table);
    if (!table)
        die("out of memory");
    table_len = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].child)
            table_put(old[i].parent, old[i].child);
    free(old);
}

static void table_put(node *parent, node *child)
{
    if ((table_len + 1) * 2 > table_cap)
        table_grow();
    size_t i = hash_of(parent, child->upper) & (table_cap - 1);
    while (table[i].child)
        i = (i + 1) & (table_cap - 1);
    table[i] = (slot){parent, child};
    table_len++;
}

static node *table_get(node *parent, const char *upper)
{
    if (!table_cap)
        return NULL;
    size_t i = hash_of(parent, upper) & (table_cap - 1);
    while (table[i].child) {
        if (table[i].parent == parent && strcmp(table[i].child->upper, upper) == 0)
            return table[i].child;
        i = (i + 1) & (table_cap - 1);
    }
    return NULL;
}

static node *child_of(node *parent, const char *name)
{
    char *upper = xstrdup(name);
    for (char *p = upper; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    node *c = table_get(parent, upper);
    free(upper);
    if (c)
        return c;
    c = new_node(name);
    if (parent->nkids == parent->capkids) {
        parent->capkids = parent->capkids ? parent->capkids * 2 : 4;
        parent->kids = xrealloc(parent->kids, parent->capkids * sizeof *parent->kids);
    }
    parent->kids[parent->nkids++] = c;
    table_put(parent, c);
    return c;
}

static node *ensure_path(node *root, char *path)
{
    node *n = root;
    char *save = NULL;
    for (char *comp = strtok_r(path, "\\", &save); comp; comp = strtok_r(NULL, "\\", &save))
        if (*comp)
            n = child_of(n, comp);
    return n;
}

/* ---- values ------------------------------------------------------------------- */

/* UTF-8 -> UTF-16LE (BMP), with the terminating NUL when nul is set. */
static uint8_t *utf16(const char *s, size_t *len, int nul)
{
    size_t n = strlen(s);
    uint8_t *out = xrealloc(NULL, 2 * n + 2);
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t c;
        if (*p < 0x80)
            c = *p++;
        else if ((*p & 0xE0) == 0xC0 && p[1])
            c = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F), p += 2;
        else if ((*p & 0xF0) == 0xE0 && p[1] && p[2])
            c = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F),
            p += 3;
        else
            die("unsupported UTF-8 in '%s'", s);
        out[o++] = (uint8_t)c;
        out[o++] = (uint8_t)(c >> 8);
    }
    if (nul) {
        out[o++] = 0;
        out[o++] = 0;
    }
    *len = o;
    return out;
}

static unsigned long long parse_num(const char *s, unsigned long long max)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || v > max)
        die("bad number '%s'", s);
    return v;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void set_value(node *key, const char *name, char *typed)
{
    char *colon = strchr(typed, ':');
    if (!colon)
        die("value '%s' has no type", name);
    *colon = 0;
    const char *type = typed, *data = colon + 1;
    value v = {.name = xstrdup(strcmp(name, "@") == 0 ? "" : name)};
    for (const char *p = v.name; *p; p++)
        if ((unsigned char)*p >= 0x80)
            die("non-ASCII value name '%s'", name);
    if (strcmp(type, "sz") == 0 || strcmp(type, "expand_sz") == 0) {
        v.type = strcmp(type, "sz") == 0 ? 1 : 2;
        v.data = utf16(data, &v.len, 1);
    } else if (strcmp(type, "multi_sz") == 0) {
        v.type = 7;
        size_t cap = 2 * strlen(data) + 4;
        v.data = xrealloc(NULL, cap);
        if (*data) {
            char *copy = xstrdup(data), *item = copy;
            for (;;) {
                char *bar = strchr(item, '|');
                if (bar)
                    *bar = 0;
                size_t l;
                uint8_t *u = utf16(item, &l, 1);
                memcpy(v.data + v.len, u, l);
                v.len += l;
                free(u);
                if (!bar)
                    break;
                item = bar + 1;
            }
            free(copy);
        }
        v.data[v.len++] = 0;
        v.data[v.len++] = 0;
    } else if (strcmp(type, "dword") == 0) {
        uint32_t x = (uint32_t)parse_num(data, 0xFFFFFFFFULL);
        v.type = 4;
        v.len = 4;
        v.data = xrealloc(NULL, 4);
        for (int i = 0; i < 4; i++)
            v.data[i] = (uint8_t)(x >> (8 * i));
    } else if (strcmp(type, "qword") == 0) {
        uint64_t x = parse_num(data, ~0ULL);
        v.type = 11;
        v.len = 8;
        v.data = xrealloc(NULL, 8);
        for (int i = 0; i < 8; i++)
            v.data[i] = (uint8_t)(x >> (8 * i));
    } else if (strcmp(type, "binary") == 0) {
        v.type = 3;
        v.data = xrealloc(NULL, strlen(data) / 2 + 1);
        for (const char *p = data; *p;) {
            if (*p == ' ' || *p == ',' || *p == ':') {
                p++;
                continue;
            }
            int hi = hexval(p[0]), lo = p[1] ? hexval(p[1]) : -1;
            if (hi < 0 || lo < 0)
                die("bad hex in binary data");
            v.data[v.len++] = (uint8_t)(hi << 4 | lo);
            p += 2;
        }
    } else if (strcmp(type, "none") == 0) {
        v.type = 0;
    } else {
        die("unknown type '%s'", type);
    }
    if (v.len > MAX_INLINE_DATA)
        die("value '%s' is %zu bytes (over %d: would need big-data cells)", name, v.len,
            MAX_INLINE_DATA);
    for (size_t i = 0; i < key->nvals; i++)
        if (strcasecmp(key->vals[i].name, v.name) == 0) {
            free(key->vals[i].name);
            free(key->vals[i].data);
            key->vals[i] = v;
            return;
        }
    if (key->nvals == key->capvals) {
        key->capvals = key->capvals ? key->capvals * 2 : 4;
        key->vals = xrealloc(key->vals, key->capvals * sizeof *key->vals);
    }
    key->vals[key->nvals++] = v;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

static void read_spec(node *root, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f)
        die("cannot open %s: %s", path, strerror(errno));
    spec_path = path;
    spec_line = 0;
    char *line = NULL;
    size_t cap = 0;
    node *cur = NULL;
    while (getline(&line, &cap, f) != -1) {
        spec_line++;
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *e = strrchr(s, ']');
            if (!e)
                die("unterminated section header");
            *e = 0;
            cur = ensure_path(root, s + 1);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq || !cur)
            die("expected 'Name = type:data' inside a section");
        *eq = 0;
        set_value(cur, trim(s), trim(eq + 1));
    }
    free(line);
    if (f != stdin)
        fclose(f);
    spec_line = 0;
}

/* ---- writing ------------------------------------------------------------------ */

static uint8_t *bins;          /* hive bins data (offset 0 = first hbin) */
static size_t bins_len, bins_cap;
static size_t cur_bin, cur_bin_end, cur_pos;  /* the hbin being filled */
static uint64_t filetime;

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void close_bin(void)
{
    if (cur_pos < cur_bin_end)   /* the rest of the bin is one free cell */
        put32(bins + cur_pos, (uint32_t)(cur_bin_end - cur_pos));
}

static void new_bin(size_t need)
{
    close_bin();
    size_t size = (need + 32 + 4095) & ~(size_t)4095;
    if (bins_len + size > bins_cap) {
        while (bins_len + size > bins_cap)
            bins_cap = bins_cap ? bins_cap * 2 : (1u << 20);
        bins = xrealloc(bins, bins_cap);
    }
    uint8_t *h = bins + bins_len;
    memset(h, 0, size);
    memcpy(h, "hbin", 4);
    put32(h + 4, (uint32_t)bins_len);
    put32(h + 8, (uint32_t)size);
    put64(h + 20, filetime);
    cur_bin = bins_len;
    cur_pos = bins_len + 32;
    cur_bin_end = bins_len + size;
    bins_len += size;
}

/* A used cell of payload n bytes; returns its offset (relative to the first
 * hbin, as hive offsets are) and zeroed payload through *p. */
static uint32_t alloc_cell(size_t n, uint8_t **p)
{
    size_t size = (n + 4 + 7) & ~(size_t)7;
    if (cur_pos + size > cur_bin_end)
        new_bin(size);
    uint32_t off = (uint32_t)cur_pos;
    put32(bins + cur_pos, (uint32_t)-(int32_t)size);
    memset(bins + cur_pos + 4, 0, size - 4);
    cur_pos += size;
    *p = bins + off + 4;
    return off;
}
#define CELL(off) (bins + (off) + 4)

static uint32_t sk_offset, nkeys;

static size_t build_sd(uint8_t *sd)
{
    /* self-relative: owner Administrators, group SYSTEM, DACL: Administrators
     * and SYSTEM full control, Users read */
    static const uint8_t admins[] = {1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0};
    static const uint8_t system[] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
    static const uint8_t users[] = {1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x21, 2, 0, 0};
    struct { const uint8_t *sid; size_t len; uint32_t mask; } aces[] = {
        {admins, sizeof admins, 0xF003F}, {system, sizeof system, 0xF003F},
        {users, sizeof users, 0x20019}};
    size_t o = 20;
    sd[0] = 1;
    put16(sd + 2, 0x8004);                     /* SE_SELF_RELATIVE | SE_DACL_PRESENT */
    put32(sd + 4, (uint32_t)o);                /* owner */
    memcpy(sd + o, admins, sizeof admins);
    o += sizeof admins;
    put32(sd + 8, (uint32_t)o);                /* group */
    memcpy(sd + o, system, sizeof system);
    o += sizeof system;
    put32(sd + 16, (uint32_t)o);               /* DACL */
    size_t acl = o;
    o += 8;
    for (size_t i = 0; i < 3; i++) {
        size_t alen = 8 + aces[i].len;
        sd[o] = 0;                             /* ACCESS_ALLOWED */
        sd[o + 1] = 2;                         /* CONTAINER_INHERIT */
        put16(sd + o + 2, (uint16_t)alen);
        put32(sd + o + 4, aces[i].mask);
        memcpy(sd + o + 8, aces[i].sid, aces[i].len);
        o += alen;
    }
    sd[acl] = 2;
    put16(sd + acl + 2, (uint16_t)(o - acl));
    put16(sd + acl + 4, 3);
    return o;
}

static uint32_t lh_hash(const char *upper)
{
    uint32_t h = 0;
    for (const char *p = upper; *p; p++)
        h = h * 37 + (unsigned char)*p;
    return h;
}

static int cmp_kids(const void *a, const void *b)
{
    return strcmp((*(node *const *)a)->upper, (*(node *const *)b)->upper);
}

static uint32_t write_lh(node **kids, size_t n)
{
    uint8_t *p;
    uint32_t off = alloc_cell(4 + 8 * n, &p);
    memcpy(p, "lh", 2);
    put16(p + 2, (uint16_t)n);
    for (size_t i = 0; i < n; i++) {
        put32(p + 4 + 8 * i, kids[i]->offset);
        put32(p + 8 + 8 * i, lh_hash(kids[i]->upper));
    }
    return off;
}

static void write_node(node *n, uint32_t parent, int is_root)
{
    size_t namelen = strlen(n->name);
    uint8_t *p;
    n->offset = alloc_cell(0x4C + namelen, &p);
    nkeys++;
    memcpy(p, "nk", 2);
    put16(p + 2, is_root ? 0x2C : 0x20);
    put64(p + 4, filetime);
    put32(p + 0x10, parent);
    put32(p + 0x14, (uint32_t)n->nkids);
    put32(p + 0x1C, 0xFFFFFFFF);
    put32(p + 0x20, 0xFFFFFFFF);
    put32(p + 0x24, (uint32_t)n->nvals);
    put32(p + 0x28, 0xFFFFFFFF);
    put32(p + 0x2C, sk_offset);
    put32(p + 0x30, 0xFFFFFFFF);
    put16(p + 0x48, (uint16_t)namelen);
    memcpy(p + 0x4C, n->name, namelen);
    uint32_t maxkid = 0, maxvname = 0, maxdata = 0;
    for (size_t i = 0; i < n->nkids; i++)
        if (strlen(n->kids[i]->name) * 2 > maxkid)
            maxkid = (uint32_t)strlen(n->kids[i]->name) * 2;
    /* values: list, then each vk with its data */
    if (n->nvals) {
        uint8_t *lp;
        uint32_t list = alloc_cell(4 * n->nvals, &lp);
        put32(CELL(n->offset) + 0x28, list);
        for (size_t i = 0; i < n->nvals; i++) {
            value *v = &n->vals[i];
            size_t vn = strlen(v->name);
            uint8_t *vp;
            uint32_t vk = alloc_cell(0x14 + vn, &vp);
            put32(CELL(list) + 4 * i, vk);
            memcpy(vp, "vk", 2);
            put16(vp + 2, (uint16_t)vn);
            put32(vp + 0x0C, v->type);
            put16(vp + 0x10, vn ? 1 : 0);
            memcpy(vp + 0x14, v->name, vn);
            if (v->len <= 4) {
                put32(vp + 4, 0x80000000u | (uint32_t)v->len);
                memcpy(vp + 8, v->data, v->len);
            } else {
                uint8_t *dp;
                uint32_t d = alloc_cell(v->len, &dp);
                memcpy(dp, v->data, v->len);
                vp = CELL(vk);       /* bins may have moved */
                put32(vp + 4, (uint32_t)v->len);
                put32(vp + 8, d);
            }
            if (vn * 2 > maxvname)
                maxvname = (uint32_t)vn * 2;
            if (v->len > maxdata)
                maxdata = (uint32_t)v->len;
        }
    }
    p = CELL(n->offset);
    put32(p + 0x34, maxkid);
    put32(p + 0x3C, maxvname);
    put32(p + 0x40, maxdata);
    if (!n->nkids)
        return;
    qsort(n->kids, n->nkids, sizeof *n->kids, cmp_kids);
    for (size_t i = 1; i < n->nkids; i++)
        if (strcmp(n->kids[i - 1]->upper, n->kids[i]->upper) == 0)
            die("duplicate key %s", n->kids[i]->name);
    for (size_t i = 0; i < n->nkids; i++)
        write_node(n->kids[i], n->offset, 0);
    uint32_t list;
    if (n->nkids <= MAX_LH) {
        list = write_lh(n->kids, n->nkids);
    } else {
        size_t nl = (n->nkids + MAX_LH - 1) / MAX_LH;
        uint32_t *subs = xrealloc(NULL, nl * sizeof *subs);
        for (size_t i = 0; i < nl; i++) {
            size_t from = i * MAX_LH, cnt = n->nkids - from < MAX_LH ? n->nkids - from : MAX_LH;
            subs[i] = write_lh(n->kids + from, cnt);
        }
        uint8_t *rp;
        list = alloc_cell(4 + 4 * nl, &rp);
        memcpy(rp, "ri", 2);
        put16(rp + 2, (uint16_t)nl);
        for (size_t i = 0; i < nl; i++)
            put32(rp + 4 + 4 * i, subs[i]);
        free(subs);
    }
    put32(CELL(n->offset) + 0x1C, list);
}

int main(int argc, char **argv)
{
    const char *fname = "\\SystemRoot\\System32\\Config\\SOFTWARE";
    const char *env = getenv("SOURCE_DATE_EPOCH");
    filetime = (env ? strtoull(env, NULL, 10) : 1239408000ULL) * 10000000ULL + FILETIME_UNIX_EPOCH;
    int opt;
    while ((opt = getopt(argc, argv, "n:t:")) != -1) {
        switch (opt) {
        case 'n': fname = optarg; break;
        case 't': filetime = strtoull(optarg, NULL, 0); break;
        default: die("usage: mkbighive [-n FILENAME] [-t FILETIME] OUT.hive SPEC...");
        }
    }
    if (argc - optind < 2)
        die("usage: mkbighive [-n FILENAME] [-t FILETIME] OUT.hive SPEC...");
    const char *out = argv[optind];
    node *root = new_node("ROOT");
    for (int i = optind + 1; i < argc; i++)
        read_spec(root, argv[i]);

    new_bin(0);
    /* the sk cell first; the root nk names it, and it counts every key */
    uint8_t sd[256] = {0};
    size_t sdlen = build_sd(sd);
    uint8_t *p;
    sk_offset = alloc_cell(20 + sdlen, &p);
    memcpy(p, "sk", 2);
    put32(p + 4, sk_offset);
    put32(p + 8, sk_offset);
    put32(p + 16, (uint32_t)sdlen);
    memcpy(p + 20, sd, sdlen);
    write_node(root, 0xFFFFFFFF, 1);
    close_bin();
    put32(CELL(sk_offset) + 12, nkeys);   /* reference count */

    uint8_t base[4096] = {0};
    memcpy(base, "regf", 4);
    put32(base + 4, 1);
    put32(base + 8, 1);
    put64(base + 12, filetime);
    put32(base + 20, 1);                   /* major */
    put32(base + 24, 3);                   /* minor */
    put32(base + 28, 0);                   /* primary file */
    put32(base + 32, 1);                   /* direct memory load */
    put32(base + 36, root->offset);
    put32(base + 40, (uint32_t)bins_len);
    put32(base + 44, 1);                   /* clustering factor */
    size_t fl;
    uint8_t *u = utf16(fname, &fl, 0);
    memcpy(base + 48, u, fl > 64 ? 64 : fl);
    free(u);
    uint32_t sum = 0;
    for (int i = 0; i < 0x1FC; i += 4)
        sum ^= (uint32_t)base[i] | (uint32_t)base[i + 1] << 8 | (uint32_t)base[i + 2] << 16 |
               (uint32_t)base[i + 3] << 24;
    if (sum == 0)
        sum = 1;
    else if (sum == 0xFFFFFFFF)
        sum = 0xFFFFFFFE;
    put32(base + 0x1FC, sum);

    FILE *f = fopen(out, "wb");
    if (!f || fwrite(base, 1, sizeof base, f) != sizeof base ||
        fwrite(bins, 1, bins_len, f) != bins_len || fclose(f) != 0)
        die("cannot write %s: %s", out, strerror(errno));
    fprintf(stderr, "mkbighive: %s: %u keys, %zu bytes\n", out, nkeys, bins_len + 4096);
    return 0;
}
