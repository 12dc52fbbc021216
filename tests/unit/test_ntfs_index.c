/* Unit tests for src/sources/ntfs_index.c: NTFS directory index nodes
 * built here byte by byte. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sources/ntfs_index.h"
#include "util/util.h"
#include "../check_main.h"

static uint16_t upcase[PL_NTFS_UPCASE_UNITS];

static void make_upcase(void)
{
    for (size_t i = 0; i < PL_NTFS_UPCASE_UNITS; i++)
        upcase[i] = (uint16_t)i;
    for (uint16_t c = 'a'; c <= 'z'; c++)
        upcase[c] = (uint16_t)(c - 32);
    for (uint16_t c = 0xE0; c <= 0xFE; c++)
        if (c != 0xF7)
            upcase[c] = (uint16_t)(c - 32);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

typedef struct {
    const char *name;   /* ASCII; NULL: the last entry */
    uint64_t ref;
    int dir, ns;
    int64_t sub;        /* child VCN, -1 none */
} ent;

/* A node header at hdr in buf followed by the entries; returns its size. */
static size_t make_node(uint8_t *buf, size_t hdr, const ent *e, size_t n)
{
    size_t off = hdr + 16;
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = buf + off;
        size_t klen = 0, len = 16;
        if (e[i].name) {
            size_t nl = strlen(e[i].name);
            klen = 0x42 + 2 * nl;
            len += (klen + 7) / 8 * 8;
            uint8_t *fn = p + 16;
            put32(fn + 0x38, e[i].dir ? 0x10000000u : 0x20);
            fn[0x40] = (uint8_t)nl;
            fn[0x41] = (uint8_t)e[i].ns;
            for (size_t k = 0; k < nl; k++)
                put16(fn + 0x42 + 2 * k, (uint8_t)e[i].name[k]);
        }
        if (e[i].sub >= 0)
            len += 8;
        put64(p, e[i].ref | (1ull << 48));
        put16(p + 8, (uint16_t)len);
        put16(p + 10, (uint16_t)klen);
        put32(p + 12, (e[i].sub >= 0 ? 1u : 0) | (e[i].name ? 0 : 2u));
        if (e[i].sub >= 0)
            put64(p + len - 8, (uint64_t)e[i].sub);
        off += len;
    }
    put32(buf + hdr, 16);
    put32(buf + hdr + 4, (uint32_t)(off - hdr));
    put32(buf + hdr + 8, (uint32_t)(off - hdr));
    return off;
}

static pl_ntfs_result find(const uint8_t *buf, size_t len, size_t hdr, const char *name,
                           pl_ntfs_hit *hit)
{
    uint16_t w[PL_NTFS_MAX_NAME_UNITS];
    size_t n = 0;
    ck_assert_int_eq(pl_ntfs_utf8_to_utf16(name, w, PL_NTFS_MAX_NAME_UNITS, &n), 0);
    memset(hit, 0, sizeof *hit);
    return pl_ntfs_index_node(buf, len, hdr, upcase, w, n, hit);
}

static const ent leaf[] = {
    {"Manifests", 40, 1, 1, -1},
    {"pending.xml", 41, 0, 1, -1},
    {"PENDIN~1.XML", 41, 0, 2, -1},
    {"Temp", 42, 1, 1, -1},
    {NULL, 0, 0, 0, -1},
};

START_TEST(test_leaf_lookup)
{
    make_upcase();
    uint8_t buf[1024] = {0};
    size_t len = make_node(buf, 0x10, leaf, 5);
    pl_ntfs_hit hit;
    ck_assert_int_eq(find(buf, len, 0x10, "pending.xml", &hit), PL_NTFS_FOUND);
    ck_assert_uint_eq(hit.ref, 41);
    ck_assert_int_eq(hit.is_dir, 0);
    ck_assert_int_eq(find(buf, len, 0x10, "Manifests", &hit), PL_NTFS_FOUND);
    ck_assert_int_eq(hit.is_dir, 1);
    ck_assert_uint_eq(hit.ref, 40); /* the sequence number is not part of it */
    /* another spelling: the caller lists instead */
    ck_assert_int_eq(find(buf, len, 0x10, "Pending.XML", &hit), PL_NTFS_AMBIGUOUS);
    /* an 8.3 alias is not an answer either (TSK does not list them) */
    ck_assert_int_eq(find(buf, len, 0x10, "PENDIN~1.XML", &hit), PL_NTFS_AMBIGUOUS);
    ck_assert_int_eq(find(buf, len, 0x10, "absent.xml", &hit), PL_NTFS_ABSENT);
    ck_assert_int_eq(find(buf, len, 0x10, "zzz", &hit), PL_NTFS_ABSENT);
    ck_assert_int_eq(find(buf, len, 0x10, "A", &hit), PL_NTFS_ABSENT);
    ck_assert_int_eq(find(buf, len, 0x10, "pending.xm", &hit), PL_NTFS_ABSENT);
}
END_TEST

START_TEST(test_descend)
{
    make_upcase();
    static const ent root[] = {{"m", 50, 0, 1, 0}, {NULL, 0, 0, 0, 8}};
    uint8_t buf[512] = {0};
    size_t len = make_node(buf, 0x10, root, 2);
    pl_ntfs_hit hit;
    ck_assert_int_eq(find(buf, len, 0x10, "c", &hit), PL_NTFS_DESCEND);
    ck_assert_uint_eq(hit.vcn, 0);
    ck_assert_int_eq(find(buf, len, 0x10, "x", &hit), PL_NTFS_DESCEND);
    ck_assert_uint_eq(hit.vcn, 8);
    ck_assert_int_eq(find(buf, len, 0x10, "M", &hit), PL_NTFS_DESCEND); /* a variant: look for the exact one */
    ck_assert_int_eq(hit.saw_variant, 1);
    ck_assert_int_eq(find(buf, len, 0x10, "m", &hit), PL_NTFS_FOUND);
}
END_TEST

START_TEST(test_collation_non_ascii)
{
    make_upcase();
    /* \xe9 sorts after Z once upper-cased (0xC9), and before \xfe */
    static const ent e[] = {{"Zeta", 60, 0, 1, -1}, {"\xc9t\xe9", 61, 0, 1, -1},
                            {NULL, 0, 0, 0, -1}};
    uint8_t buf[512] = {0};
    /* make_node writes bytes as units: Latin-1 names */
    size_t len = make_node(buf, 0x10, e, 3);
    uint16_t w[3] = {0xC9, 't', 0xE9};
    pl_ntfs_hit hit = {0};
    ck_assert_int_eq(pl_ntfs_index_node(buf, len, 0x10, upcase, w, 3, &hit), PL_NTFS_FOUND);
    ck_assert_uint_eq(hit.ref, 61);
    uint16_t v[3] = {0xE9, 't', 0xE9};
    memset(&hit, 0, sizeof hit);
    ck_assert_int_eq(pl_ntfs_index_node(buf, len, 0x10, upcase, v, 3, &hit), PL_NTFS_AMBIGUOUS);
}
END_TEST

START_TEST(test_malformed)
{
    make_upcase();
    uint8_t buf[1024] = {0};
    size_t len = make_node(buf, 0x10, leaf, 5);
    pl_ntfs_hit hit;
    uint8_t bad[1024];
    /* entry length 0 */
    memcpy(bad, buf, sizeof bad);
    put16(bad + 0x20 + 8, 0);
    ck_assert_int_eq(find(bad, len, 0x10, "Temp", &hit), PL_NTFS_BAD);
    ck_assert_ptr_nonnull(hit.why);
    /* entries past the buffer */
    memcpy(bad, buf, sizeof bad);
    put32(bad + 0x14, 5000);
    ck_assert_int_eq(find(bad, len, 0x10, "Temp", &hit), PL_NTFS_BAD);
    /* the node ends before its last entry */
    memcpy(bad, buf, sizeof bad);
    put32(bad + 0x14, 40);
    ck_assert_int_eq(find(bad, len, 0x10, "Temp", &hit), PL_NTFS_BAD);
    /* a name longer than its key */
    memcpy(bad, buf, sizeof bad);
    bad[0x20 + 16 + 0x40] = 200;
    ck_assert_int_eq(find(bad, len, 0x10, "Temp", &hit), PL_NTFS_BAD);
    /* a header that does not fit */
    ck_assert_int_eq(find(buf, 20, 0x10, "Temp", &hit), PL_NTFS_BAD);
    /* a subnode flag without room for the pointer */
    static const ent last_only[] = {{NULL, 0, 0, 0, -1}};
    memset(bad, 0, sizeof bad);
    size_t l2 = make_node(bad, 0x10, last_only, 1);
    put32(bad + 0x20 + 12, 3);
    ck_assert_int_eq(find(bad, l2, 0x10, "Temp", &hit), PL_NTFS_BAD);
}
END_TEST

START_TEST(test_fixup_and_root)
{
    uint8_t rec[1024] = {0};
    memcpy(rec, "INDX", 4);
    put16(rec + 4, 0x28);
    put16(rec + 6, 3);
    put16(rec + 0x28, 0x0007);  /* the sequence number */
    put16(rec + 0x2A, 0x1111);  /* the real last two bytes of sector 1 */
    put16(rec + 0x2C, 0x2222);
    put16(rec + 510, 0x0007);
    put16(rec + 1022, 0x0007);
    const char *why = NULL;
    ck_assert_int_eq(pl_ntfs_fixup(rec, sizeof rec, &why), 0);
    ck_assert_uint_eq(pl_le16(rec + 510), 0x1111);
    ck_assert_uint_eq(pl_le16(rec + 1022), 0x2222);
    /* applied again, the check fails: the sector ends no longer match */
    ck_assert_int_eq(pl_ntfs_fixup(rec, sizeof rec, &why), -1);
    ck_assert_ptr_nonnull(why);
    put16(rec + 6, 9);
    ck_assert_int_eq(pl_ntfs_fixup(rec, sizeof rec, &why), -1);
    ck_assert_int_eq(pl_ntfs_fixup(rec, 1000, &why), -1);

    uint8_t root[0x40] = {0};
    uint32_t bs = 0;
    put32(root, 0x30);
    put32(root + 8, 4096);
    ck_assert_int_eq(pl_ntfs_index_root(root, sizeof root, &bs, &why), 0);
    ck_assert_uint_eq(bs, 4096);
    put32(root + 8, 3000);
    ck_assert_int_eq(pl_ntfs_index_root(root, sizeof root, &bs, &why), -1);
    put32(root + 8, 4096);
    put32(root, 0);
    ck_assert_int_eq(pl_ntfs_index_root(root, sizeof root, &bs, &why), -1);
    ck_assert_int_eq(pl_ntfs_index_root(root, 0x10, &bs, &why), -1);
}
END_TEST

START_TEST(test_utf8_and_upcase)
{
    uint16_t w[4];
    size_t n;
    ck_assert_int_eq(pl_ntfs_utf8_to_utf16("a\xc3\xa9", w, 4, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(w[1], 0xE9);
    ck_assert_int_eq(pl_ntfs_utf8_to_utf16("\xf0\x9f\x98\x80", w, 4, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(w[0], 0xD83D);
    ck_assert_int_eq(pl_ntfs_utf8_to_utf16("\xc0\xaf", w, 4, &n), -1);   /* overlong */
    ck_assert_int_eq(pl_ntfs_utf8_to_utf16("\xed\xa0\x80", w, 4, &n), -1); /* surrogate */
    ck_assert_int_eq(pl_ntfs_utf8_to_utf16("\xff", w, 4, &n), -1);
    ck_assert_int_eq(pl_ntfs_utf8_to_utf16("abcde", w, 4, &n), -1);       /* too long */
    make_upcase();
    ck_assert_int_eq(pl_ntfs_upcase_check(upcase), 0);
    upcase['q'] = 'q';
    ck_assert_int_eq(pl_ntfs_upcase_check(upcase), -1);
}
END_TEST

struct seen {
    char names[8][16];
    int sub[8];
    size_t n;
    int stop_at;
};

static int seen_cb(const pl_ntfs_entry *e, void *vctx)
{
    struct seen *c = vctx;
    ck_assert_uint_lt(c->n, 8);
    if (e->name)
        for (size_t i = 0; i < e->name_units && i < 15; i++)
            c->names[c->n][i] = (char)pl_le16(e->name + 2 * i);
    else
        strcpy(c->names[c->n], "<last>");
    c->sub[c->n] = e->has_sub ? (int)e->sub_vcn : -1;
    if (e->dos_only)
        c->names[c->n][0] = '~';
    return ++c->n == (size_t)c->stop_at;
}

START_TEST(test_entries_in_order)
{
    uint8_t buf[1024] = {0};
    size_t len = make_node(buf, 0x10, leaf, 5);
    struct seen c = {.stop_at = -1};
    pl_ntfs_hit hit = {0};
    ck_assert_int_eq(pl_ntfs_index_entries(buf, len, 0x10, seen_cb, &c, &hit), PL_NTFS_FOUND);
    ck_assert_uint_eq(c.n, 5);
    ck_assert_str_eq(c.names[0], "Manifests");
    ck_assert_str_eq(c.names[1], "pending.xml");
    ck_assert_int_eq(c.names[2][0], '~');   /* the 8.3 alias, flagged */
    ck_assert_str_eq(c.names[4], "<last>");
    /* stopping early */
    struct seen d = {.stop_at = 2};
    ck_assert_int_eq(pl_ntfs_index_entries(buf, len, 0x10, seen_cb, &d, &hit), PL_NTFS_FOUND);
    ck_assert_uint_eq(d.n, 2);
    /* subnode pointers */
    static const ent root[] = {{"m", 50, 0, 1, 3}, {NULL, 0, 0, 0, 8}};
    uint8_t r[512] = {0};
    size_t rl = make_node(r, 0x10, root, 2);
    struct seen e = {.stop_at = -1};
    ck_assert_int_eq(pl_ntfs_index_entries(r, rl, 0x10, seen_cb, &e, &hit), PL_NTFS_FOUND);
    ck_assert_int_eq(e.sub[0], 3);
    ck_assert_int_eq(e.sub[1], 8);
    /* damage: the entries before it were handed out */
    put16(buf + 0x20 + 8, 0);
    struct seen f = {.stop_at = -1};
    ck_assert_int_eq(pl_ntfs_index_entries(buf, len, 0x10, seen_cb, &f, &hit), PL_NTFS_BAD);
    ck_assert_uint_eq(f.n, 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ntfs_index");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_leaf_lookup);
    tcase_add_test(tc, test_descend);
    tcase_add_test(tc, test_collation_non_ascii);
    tcase_add_test(tc, test_malformed);
    tcase_add_test(tc, test_fixup_and_root);
    tcase_add_test(tc, test_utf8_and_upcase);
    tcase_add_test(tc, test_entries_in_order);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pl_run_suite(suite());
}
