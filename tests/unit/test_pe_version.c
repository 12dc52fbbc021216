/* Unit tests for the PE version-resource reader. The images are built here
 * in memory (DOS header, PE header, a .text and an .rsrc section, resource
 * tree, VS_VERSIONINFO), then broken one field at a time. Every parse runs
 * on an exact-size heap copy, so under ASan any read past the end shows.
 * With PL_FIXTURES set, the windres-built files in $PL_FIXTURES/pe/ are
 * checked against the version in their names. */
#include "evidence/pe_version.h"

#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/limits.h"
#include "../check_main.h"

/* ---- image builder ------------------------------------------------------ */

#define IMG_MAX   32768
#define MAX_RES   4
#define LFANEW    0x80
#define TEXT_FILE 0x200
#define TEXT_RVA  0x1000
#define RSRC_FILE 0x400
#define RSRC_RVA  0x2000
#define FILE_ALIGN 0x200

#define FV_STRING "6.0.6003.20489 (vistasp2_ldr_escrow.190320-1700)"
#define PN_STRING "Microsoft\xC2\xAE Windows\xC2\xAE Operating System"

typedef struct {
    const char *key, *val;
} kv;

/* How a String's wValueLength is written: producers differ. */
enum { VLEN_WORDS_NUL, VLEN_WORDS, VLEN_BYTES, VLEN_ZERO };

typedef struct {
    uint16_t lang;             /* resource language id */
    uint16_t fv[4];
    const char *table;         /* NULL: no StringFileInfo */
    const kv *strings;
    size_t nstrings;
    const char *table2;        /* optional second table in the same StringFileInfo */
    const kv *strings2;
    size_t nstrings2;
    int vlen_mode;
} res_spec;

/* The image and where its fields are, so tests can break them. */
typedef struct {
    uint8_t b[IMG_MAX];
    size_t len;
    size_t opt, nrva, rsrc_dd, rsrc_sect;  /* optional header, NumberOfRvaAndSizes, data dir 2, section header */
    size_t root, names, langs;             /* resource directories */
    size_t nres;
    size_t data_entry[MAX_RES];
    size_t vs[MAX_RES];                    /* VS_VERSIONINFO */
    size_t fixed[MAX_RES];                 /* VS_FIXEDFILEINFO */
    size_t fv_string[MAX_RES];             /* the FileVersion String block */
} img;

static void set16(img *m, size_t at, uint32_t v)
{
    ck_assert_uint_le(at + 2, IMG_MAX);
    m->b[at] = (uint8_t)v;
    m->b[at + 1] = (uint8_t)(v >> 8);
}

static void set32(img *m, size_t at, uint32_t v)
{
    set16(m, at, v & 0xffff);
    set16(m, at + 2, v >> 16);
}

static void put16(img *m, uint32_t v)
{
    set16(m, m->len, v);
    m->len += 2;
}

static void put32(img *m, uint32_t v)
{
    set32(m, m->len, v);
    m->len += 4;
}

static void pad4(img *m)
{
    while (m->len % 4)
        m->b[m->len++] = 0;
}

/* UTF-8 (BMP only, enough for these tests) to UTF-16LE with a NUL.
 * Returns the number of units written, without the NUL. */
static size_t put_wstr(img *m, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p) {
        uint32_t c = *p++;
        if (c >= 0xE0) {
            c = ((c & 0x0F) << 12) | ((uint32_t)(p[0] & 0x3F) << 6) | (p[1] & 0x3F);
            p += 2;
        } else if (c >= 0xC0) {
            c = ((c & 0x1F) << 6) | (p[0] & 0x3F);
            p++;
        }
        put16(m, c);
        n++;
    }
    put16(m, 0);
    return n;
}

static size_t blk_begin(img *m, const char *key, uint16_t type, uint16_t vlen)
{
    pad4(m);
    size_t at = m->len;
    put16(m, 0);               /* wLength, set by blk_end */
    put16(m, vlen);
    put16(m, type);
    put_wstr(m, key);
    pad4(m);
    return at;
}

/* Like real producers, wLength does not count the padding after the block. */
static void blk_end(img *m, size_t at) { set16(m, at, (uint32_t)(m->len - at)); }

static size_t put_string(img *m, const kv *s, int mode)
{
    size_t at = blk_begin(m, s->key, 1, 0);
    size_t n = put_wstr(m, s->val);
    uint32_t vlen = mode == VLEN_WORDS_NUL ? n + 1 : mode == VLEN_WORDS ? n
                  : mode == VLEN_BYTES ? 2 * (n + 1) : 0;
    set16(m, at + 2, vlen);
    blk_end(m, at);
    return at;
}

static void put_table(img *m, size_t r, const char *key, const kv *s, size_t n, int mode)
{
    size_t t = blk_begin(m, key, 1, 0);
    for (size_t i = 0; i < n; i++) {
        size_t at = put_string(m, &s[i], mode);
        if (strcmp(s[i].key, "FileVersion") == 0 && !m->fv_string[r])
            m->fv_string[r] = at;
    }
    blk_end(m, t);
}

static void put_fixed(img *m, const uint16_t v[4])
{
    uint32_t ms = (uint32_t)v[0] << 16 | v[1], ls = (uint32_t)v[2] << 16 | v[3];
    put32(m, 0xFEEF04BD);
    put32(m, 0x00010000);      /* dwStrucVersion */
    put32(m, ms);
    put32(m, ls);
    put32(m, ms);              /* product version = file version */
    put32(m, ls);
    put32(m, 0x3f);            /* flags mask, flags */
    put32(m, 0);
    put32(m, 0x40004);         /* VOS_NT_WINDOWS32 */
    put32(m, 1);               /* VFT_APP */
    put32(m, 0);
    put32(m, 0);               /* date */
    put32(m, 0);
}

static void put_versioninfo(img *m, size_t r, const res_spec *rs)
{
    size_t root = blk_begin(m, "VS_VERSION_INFO", 0, 52);
    m->vs[r] = root;
    m->fixed[r] = m->len;
    put_fixed(m, rs->fv);
    if (rs->table) {
        size_t sfi = blk_begin(m, "StringFileInfo", 1, 0);
        put_table(m, r, rs->table, rs->strings, rs->nstrings, rs->vlen_mode);
        if (rs->table2)
            put_table(m, r, rs->table2, rs->strings2, rs->nstrings2, rs->vlen_mode);
        blk_end(m, sfi);
    }
    size_t vfi = blk_begin(m, "VarFileInfo", 1, 0);
    size_t var = blk_begin(m, "Translation", 0, 4);
    put16(m, rs->lang);
    put16(m, 1200);
    blk_end(m, var);
    blk_end(m, vfi);
    blk_end(m, root);
}

/* One directory with the given (id, target) entries, at the cursor. */
static size_t put_dir(img *m, size_t n, const uint32_t *ids, const uint32_t *targets)
{
    size_t at = m->len;
    for (int i = 0; i < 3; i++)
        put32(m, 0);           /* characteristics, time, version */
    put16(m, 0);               /* named entries */
    put16(m, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        put32(m, ids[i]);
        put32(m, targets ? targets[i] : 0);
    }
    return at;
}

static uint32_t rsrc_off(size_t file_off) { return (uint32_t)(file_off - RSRC_FILE); }
static uint32_t rsrc_rva(size_t file_off) { return (uint32_t)(file_off - RSRC_FILE + RSRC_RVA); }

/* Root: RT_ICON (3, never followed: it points nowhere) and RT_VERSION (16);
 * one name (1); one language entry per resource. */
static void put_resources(img *m, const res_spec *res, size_t nres)
{
    m->nres = nres;
    m->len = RSRC_FILE;
    m->root = m->len;
    uint32_t types[2] = {3, 16}, type_t[2] = {0x80007ff0u, 0};
    put_dir(m, 2, types, type_t);
    m->names = m->len;
    uint32_t name = 1, name_t = 0;
    put_dir(m, 1, &name, &name_t);
    m->langs = m->len;
    uint32_t langs[MAX_RES];
    for (size_t i = 0; i < nres; i++)
        langs[i] = res[i].lang;
    put_dir(m, nres, langs, NULL);
    set32(m, m->root + 16 + 8 + 4, 0x80000000u | rsrc_off(m->names));
    set32(m, m->names + 16 + 4, 0x80000000u | rsrc_off(m->langs));
    for (size_t i = 0; i < nres; i++) {
        m->data_entry[i] = m->len;
        set32(m, m->langs + 16 + 8 * i + 4, rsrc_off(m->len));
        for (int k = 0; k < 4; k++)
            put32(m, 0);
    }
    for (size_t i = 0; i < nres; i++) {
        pad4(m);
        size_t start = m->len;
        put_versioninfo(m, i, &res[i]);
        set32(m, m->data_entry[i], rsrc_rva(start));
        set32(m, m->data_entry[i] + 4, (uint32_t)(m->len - start));
    }
}

static void put_section(img *m, size_t at, const char *name, uint32_t vsize, uint32_t va,
                        uint32_t raw, uint32_t ptr)
{
    memcpy(m->b + at, name, strlen(name));
    set32(m, at + 8, vsize);
    set32(m, at + 12, va);
    set32(m, at + 16, raw);
    set32(m, at + 20, ptr);
}

static void put_headers(img *m, int pe32plus)
{
    m->b[0] = 'M';
    m->b[1] = 'Z';
    set32(m, 0x3c, LFANEW);
    memcpy(m->b + LFANEW, "PE\0\0", 4);
    size_t fh = LFANEW + 4;
    uint16_t optsize = pe32plus ? 240 : 224;
    set16(m, fh, pe32plus ? PL_PE_MACHINE_AMD64 : PL_PE_MACHINE_I386);
    set16(m, fh + 2, 2);
    set16(m, fh + 16, optsize);
    set16(m, fh + 18, pe32plus ? 0x0022 : 0x0102);
    m->opt = fh + 20;
    set16(m, m->opt, pe32plus ? 0x20b : 0x10b);
    size_t dirs = m->opt + (pe32plus ? 112 : 96);
    m->nrva = dirs - 4;
    set32(m, m->nrva, 16);
    m->rsrc_dd = dirs + 2 * 8;
    size_t sect = m->opt + optsize;
    put_section(m, sect, ".text", 0x100, TEXT_RVA, FILE_ALIGN, TEXT_FILE);
    m->rsrc_sect = sect + 40;
    m->b[TEXT_FILE] = 0xc3;
}

static void build(img *m, int pe32plus, const res_spec *res, size_t nres)
{
    memset(m, 0, sizeof *m);
    put_headers(m, pe32plus);
    put_resources(m, res, nres);
    uint32_t size = (uint32_t)(m->len - RSRC_FILE);
    uint32_t raw = (size + FILE_ALIGN - 1) & ~(uint32_t)(FILE_ALIGN - 1);
    set32(m, m->rsrc_dd, RSRC_RVA);
    set32(m, m->rsrc_dd + 4, size);
    put_section(m, m->rsrc_sect, ".rsrc", size, RSRC_RVA, raw, RSRC_FILE);
    m->len = RSRC_FILE + raw;
}

static const kv std_strings[] = {
    {"CompanyName", "Microsoft Corporation"},
    {"FileDescription", "NT Kernel & System"},
    {"FileVersion", FV_STRING},
    {"InternalName", "ntoskrnl.exe"},
    {"LegalCopyright", "\xC2\xA9 Microsoft Corporation. All rights reserved."},
    {"OriginalFilename", "ntoskrnl.exe"},
    {"ProductName", PN_STRING},
    {"ProductVersion", "6.0.6003.20489"},
};
#define N_STD (sizeof std_strings / sizeof std_strings[0])

static res_spec std_res(uint16_t lang, const char *table)
{
    res_spec r = {.lang = lang, .fv = {6, 0, 6003, 20489}, .table = table,
                  .strings = std_strings, .nstrings = N_STD};
    return r;
}

static img *build_std(int pe32plus)
{
    img *m = malloc(sizeof *m);
    ck_assert_ptr_nonnull(m);
    res_spec r = std_res(1033, "040904b0");
    build(m, pe32plus, &r, 1);
    return m;
}

/* ---- parse helpers ------------------------------------------------------ */

/* Parse the first len bytes from an exact-size heap copy. */
static int parse_n(const img *m, size_t len, pl_pe_version *v, pl_err *e)
{
    uint8_t *copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, m->b, len);
    memset(e, 0, sizeof *e);
    int rc = pl_pe_read_version(copy, len, v, e);
    free(copy);
    return rc;
}

static int parse(const img *m, pl_pe_version *v, pl_err *e) { return parse_n(m, m->len, v, e); }

static void assert_version(const uint16_t got[4], uint16_t a, uint16_t b, uint16_t c, uint16_t d)
{
    ck_assert_uint_eq(got[0], a);
    ck_assert_uint_eq(got[1], b);
    ck_assert_uint_eq(got[2], c);
    ck_assert_uint_eq(got[3], d);
}

static void assert_no_strings(const pl_pe_version *v)
{
    ck_assert_ptr_null(v->file_version_str);
    ck_assert_ptr_null(v->product_version_str);
    ck_assert_ptr_null(v->original_filename);
    ck_assert_ptr_null(v->product_name);
    ck_assert_ptr_null(v->string_table_key);
}

/* What a failed parse must leave: the message, and nothing else. */
static void assert_failed(int rc, const pl_pe_version *v, const pl_err *e)
{
    ck_assert_int_eq(rc, -1);
    ck_assert_uint_gt(strlen(e->msg), 0);
    ck_assert_int_eq(v->has_fixed, 0);
    assert_version(v->file_version, 0, 0, 0, 0);
    assert_version(v->product_version, 0, 0, 0, 0);
    assert_no_strings(v);
}

static void expect_error(const img *m, const char *want_substring)
{
    pl_pe_version v;
    pl_err e;
    int rc = parse(m, &v, &e);
    assert_failed(rc, &v, &e);
    ck_assert_msg(strstr(e.msg, want_substring) != NULL, "error \"%s\" lacks \"%s\"", e.msg,
                  want_substring);
}

static void expect_std(const pl_pe_version *v, int pe32plus)
{
    ck_assert_uint_eq(v->machine, pe32plus ? PL_PE_MACHINE_AMD64 : PL_PE_MACHINE_I386);
    ck_assert_int_eq(v->is_pe32plus, pe32plus);
    ck_assert_int_eq(v->has_fixed, 1);
    assert_version(v->file_version, 6, 0, 6003, 20489);
    assert_version(v->product_version, 6, 0, 6003, 20489);
    ck_assert_str_eq(v->file_version_str, FV_STRING);
    ck_assert_str_eq(v->product_version_str, "6.0.6003.20489");
    ck_assert_str_eq(v->original_filename, "ntoskrnl.exe");
    ck_assert_str_eq(v->product_name, PN_STRING);
    ck_assert_str_eq(v->string_table_key, "040904b0");
}

/* ---- valid images --------------------------------------------------------- */

START_TEST(valid_image)
{
    int plus = _i;
    img *m = build_std(plus);
    pl_pe_version v;
    pl_err e;
    ck_assert_int_eq(parse(m, &v, &e), 0);
    expect_std(&v, plus);
    pl_pe_version_free(&v);
    ck_assert_ptr_null(v.file_version_str);
    pl_pe_version_free(&v);    /* free zeroes, so a second free is harmless */
    free(m);
}
END_TEST

/* Every prefix of a valid image: the .rsrc section runs to the end of the
 * file, so every short prefix must fail cleanly and the full one succeed. */
START_TEST(every_truncation)
{
    int plus = _i;
    img *m = build_std(plus);
    for (size_t len = 0; len <= m->len; len++) {
        pl_pe_version v;
        pl_err e;
        int rc = parse_n(m, len, &v, &e);
        if (len == m->len) {
            ck_assert_int_eq(rc, 0);
            expect_std(&v, plus);
        } else {
            assert_failed(rc, &v, &e);
        }
        pl_pe_version_free(&v);
    }
    free(m);
}
END_TEST

/* wValueLength of a String as WORDs with or without the NUL, as bytes, or
 * 0: the value is bounded by the block, so all read the same. */
START_TEST(string_value_length_variants)
{
    img *m = malloc(sizeof *m);
    res_spec r = std_res(1033, "040904b0");
    r.vlen_mode = _i;
    build(m, 1, &r, 1);
    pl_pe_version v;
    pl_err e;
    ck_assert_int_eq(parse(m, &v, &e), 0);
    expect_std(&v, 1);
    pl_pe_version_free(&v);
    free(m);
}
END_TEST

START_TEST(string_value_length_overrun)
{
    img *m = build_std(0);
    set16(m, m->fv_string[0] + 2, 0xffff);
    pl_pe_version v;
    pl_err e;
    ck_assert_int_eq(parse(m, &v, &e), 0);
    expect_std(&v, 0);
    pl_pe_version_free(&v);
    free(m);
}
END_TEST

/* The last String of a table without a NUL: the value stops at the block. */
START_TEST(string_value_unterminated)
{
    img *m = malloc(sizeof *m);
    static const kv s[] = {{"FileVersion", "1.2.3.4"}};
    res_spec r = {.lang = 1033, .fv = {1, 2, 3, 4}, .table = "040904b0", .strings = s, .nstrings = 1};
    build(m, 0, &r, 1);
    /* Drop the NUL from the String's wLength: its block then ends right
     * after the '4'. */
    uint16_t wlen = (uint16_t)(m->b[m->fv_string[0]] | m->b[m->fv_string[0] + 1] << 8);
    set16(m, m->fv_string[0], wlen - 2u);
    pl_pe_version v;
    pl_err e;
    ck_assert_int_eq(parse(m, &v, &e), 0);
    ck_assert_str_eq(v.file_version_str, "1.2.3.4");
    pl_pe_version_free(&v);
    free(m);
}
END_TEST

START_TEST(missing_string_file_info)
{
    img *m = malloc(sizeof *m);
    res_spec r = std_res(1033, NULL);
    build(m, 1, &r, 1);
    pl_pe_version v;
    pl_err e;
    ck_assert_int_eq(parse(m, &v, &e), 0);
    ck_assert_int_eq(v.has_fixed, 1);
    assert_version(v.file_version, 6, 0, 6003, 20489);
    assert_no_strings(&v);
    pl_pe_version_free(&v);
    free(m);
}
END_TEST

/* A .rsrc VirtualSize of 0 (some linkers): the raw size bounds it. */
START_TEST(section_virtual_size_zero)
{
    img *m = build_std(0);
    set32(m, m->rsrc_sect + 8, 0);
    pl_pe_version v;
    pl_err e;
    ck_assert_int_eq(parse(m, &v, &e), 0);
    expect_std(&v, 0);
    pl_pe_version_free(&v);
    free(m);
}
END_TEST

/* ---- language preference ------------------------------------------------- */

static const kv ar_strings[] = {
    {"FileVersion", "1.2.3.4 (arabic)"},
    {"ProductName", "\xD9\x88\xD8\xA7\xD9\x8A\xD9\x86"},
};
static const kv de_strings[] = {{"FileVersion", "1.2.3.4 (deutsch)"}};
static const kv neutral_strings[] = {{"FileVersion", "1.2.3.4 (neutral)"}};

/* Fixed info from the first resource, strings from the 0409 table. */
START_TEST(prefer_0409_across_resources)
{
    img *m = malloc(sizeof *m);
    res_spec r[2] = {
        {.lang = 1025, .fv = {1, 2, 3, 4}, .table = "040104b0", .strings = ar_strings, .nstrings = 2},
        std_res(1033, "040904b0"),
    };
    build(m, 1, r, 2);
    pl_pe_version v;
    pl_err e;
    ck_assert_int_eq(parse(m, &v, &e), 0);
    assert_version(v.file_version, 1, 2, 3, 4);
    ck_assert_str_eq(v.string_table_key, "040904b0");
    ck_assert_str_eq(v.file_version_str, FV_STRING);
    ck_assert_str_eq(v.product_name, PN_STRING);
    pl_pe_version_free(&v);
    free(m);
}
END_TEST

START_TEST(prefer_neutral_over_other)
{
    img *m = malloc(sizeof *m);
    res_spec r[2] = {
        {.lang = 1031, .fv = {1, 2, 3, 4}, .table = "040704b0", .strings = de_strings, .nstrings = 1},
        {.lang = 0, .fv = {1, 2, 3, 4}, .table = "000004B0", .strings = neutral_strings, .nstrings = 1},
    };
    build(m, 1, r, 2);
    pl_pe_version v;
    pl_err e;
    ck_assert_int_eq(parse(m, &v, &e), 0);
    ck_assert_str_eq(v.string_table_key, "000004B0");
    ck_assert_str_eq(v.file_version_str, "1.2.3.4 (neutral)");
    ck_assert_ptr_null(v.product_name);
    pl_pe_version_free(&v);
    free(m);
}
END_TEST

/* Neither 0409 nor 0000: the first table present wins. */
START_TEST(first_table_when_no_preferred)
{
    img *m = malloc(sizeof *m);
    res_spec r[2] = {
        {.lang = 1031, .fv = {1, 2, 3, 4}, .table = "040704b0", .strings = de_strings, .nstrings = 1},
        {.lang = 1025, .fv = {1, 2, 3, 4}, .table = "040104b0", .strings = ar_strings, .nstrings = 2},
    };
    build(m, 0, r, 2);
    pl_pe_version v;
    pl_err e;
    ck_assert_int_eq(parse(m, &v, &e), 0);
    ck_assert_str_eq(v.string_table_key, "040704b0");
    ck_assert_str_eq(v.file_version_str, "1.2.3.4 (deutsch)");
    pl_pe_version_free(&v);
    free(m);
}
END_TEST

/* Two tables in one StringFileInfo: the 0409 one, though second. */
START_TEST(prefer_0409_within_resource)
{
    img *m = malloc(sizeof *m);
    res_spec r = {.lang = 0, .fv = {6, 0, 6003, 20489}, .table = "000004b0",
                  .strings = neutral_strings, .nstrings = 1,
                  .table2 = "040904B0", .strings2 = std_strings, .nstrings2 = N_STD};
    build(m, 0, &r, 1);
    pl_pe_version v;
    pl_err e;
    ck_assert_int_eq(parse(m, &v, &e), 0);
    ck_assert_str_eq(v.string_table_key, "040904B0");
    ck_assert_str_eq(v.file_version_str, FV_STRING);
    pl_pe_version_free(&v);
    free(m);
}
END_TEST

/* A broken first resource is skipped; the next good one is used. */
START_TEST(skip_bad_resource)
{
    img *m = malloc(sizeof *m);
    res_spec r[2] = {
        {.lang = 1025, .fv = {1, 2, 3, 4}, .table = "040104b0", .strings = ar_strings, .nstrings = 2},
        std_res(1033, "040904b0"),
    };
    build(m, 1, r, 2);
    set32(m, m->fixed[0], 0x12345678);
    pl_pe_version v;
    pl_err e;
    ck_assert_int_eq(parse(m, &v, &e), 0);
    expect_std(&v, 1);
    pl_pe_version_free(&v);
    free(m);
}
END_TEST

/* When no resource is good, the first one's reason is reported. */
START_TEST(all_resources_bad)
{
    img *m = malloc(sizeof *m);
    res_spec r[2] = {std_res(1025, "040104b0"), std_res(1033, "040904b0")};
    build(m, 1, r, 2);
    set32(m, m->fixed[0], 0x12345678);
    set32(m, m->data_entry[1], 0x00900000);
    expect_error(m, "bad VS_FIXEDFILEINFO signature 0x12345678");
    free(m);
}
END_TEST

/* ---- broken headers ------------------------------------------------------- */

START_TEST(not_mz)
{
    img *m = build_std(0);
    m->b[0] = 'Z';
    m->b[1] = 'M';
    expect_error(m, "not a PE file (no MZ header)");
    pl_pe_version v;
    pl_err e;
    ck_assert_int_eq(pl_pe_read_version(NULL, 0, &v, &e), -1);
    ck_assert_str_eq(e.msg, "not a PE file (no MZ header)");
    ck_assert_int_eq(pl_pe_read_version((const uint8_t *)"M", 1, &v, &e), -1);
    ck_assert_str_eq(e.msg, "not a PE file (no MZ header)");
    ck_assert_int_eq(pl_pe_read_version((const uint8_t *)"MZ", 2, &v, &e), -1);
    ck_assert_str_eq(e.msg, "truncated DOS header");
    /* A NULL err is allowed: the result alone tells failure. */
    ck_assert_int_eq(pl_pe_read_version((const uint8_t *)"MZ", 2, &v, NULL), -1);
    free(m);
}
END_TEST

START_TEST(e_lfanew_out_of_range)
{
    img *m = build_std(0);
    set32(m, 0x3c, 0x7fffffff);
    expect_error(m, "PE header offset (e_lfanew) 0x7fffffff outside the file");
    set32(m, 0x3c, (uint32_t)m->len - 8);
    expect_error(m, "truncated PE header");
    set32(m, 0x3c, 0xffffffffu);
    expect_error(m, "outside the file");
    free(m);
}
END_TEST

START_TEST(no_pe_signature)
{
    img *m = build_std(0);
    m->b[LFANEW + 1] = 'X';
    expect_error(m, "not a PE file (no PE signature)");
    free(m);
}
END_TEST

START_TEST(bad_optional_header)
{
    img *m = build_std(1);
    set16(m, m->opt, 0x107);
    expect_error(m, "unknown optional header magic 0x107");
    set16(m, m->opt, 0x20b);
    set16(m, LFANEW + 4 + 16, 100);        /* SizeOfOptionalHeader too small */
    expect_error(m, "truncated optional header");
    set16(m, LFANEW + 4 + 16, 240);
    set16(m, LFANEW + 4 + 2, 0xffff);      /* NumberOfSections past the file */
    expect_error(m, "truncated section table");
    free(m);
}
END_TEST

/* No resource directory: machine and kind are still reported. */
START_TEST(no_resource_directory)
{
    for (int variant = 0; variant < 3; variant++) {
        img *m = build_std(variant == 1);
        if (variant == 0)
            set32(m, m->rsrc_dd + 4, 0);
        else if (variant == 1)
            set32(m, m->rsrc_dd, 0);
        else
            set32(m, m->nrva, 2);
        pl_pe_version v;
        pl_err e;
        int rc = parse(m, &v, &e);
        assert_failed(rc, &v, &e);
        ck_assert_str_eq(e.msg, "no resource directory");
        ck_assert_uint_eq(v.machine, variant == 1 ? PL_PE_MACHINE_AMD64 : PL_PE_MACHINE_I386);
        ck_assert_int_eq(v.is_pe32plus, variant == 1);
        free(m);
    }
}
END_TEST

START_TEST(no_version_resource)
{
    img *m = build_std(1);
    set32(m, m->root + 16 + 8, 17);        /* RT_VERSION entry becomes type 17 */
    pl_pe_version v;
    pl_err e;
    int rc = parse(m, &v, &e);
    assert_failed(rc, &v, &e);
    ck_assert_str_eq(e.msg, "no version resource");
    ck_assert_uint_eq(v.machine, PL_PE_MACHINE_AMD64);
    ck_assert_int_eq(v.is_pe32plus, 1);
    free(m);
}
END_TEST

/* ---- broken sections and resource tree ------------------------------------ */

START_TEST(resource_directory_rva_outside)
{
    img *m = build_std(0);
    set32(m, m->rsrc_dd, 0x00800000);
    expect_error(m, "resource directory RVA 0x800000 is in no section");
    free(m);
}
END_TEST

START_TEST(data_rva_out_of_range)
{
    img *m = build_std(0);
    set32(m, m->data_entry[0], 0x00900000);
    expect_error(m, "version resource RVA 0x900000 is in no section");
    /* Inside .rsrc, but the size runs past its raw data. */
    set32(m, m->data_entry[0], RSRC_RVA + 0x100);
    set32(m, m->data_entry[0] + 4, 0x10000);
    expect_error(m, "lies past the raw data of its section");
    /* In the virtual tail of .rsrc beyond the raw data. */
    set32(m, m->rsrc_sect + 8, 0x10000);
    set32(m, m->data_entry[0], RSRC_RVA + 0x8000);
    set32(m, m->data_entry[0] + 4, 16);
    expect_error(m, "version resource RVA 0xa000 lies past the raw data of its section");
    free(m);
}
END_TEST

START_TEST(section_raw_past_eof)
{
    img *m = build_std(1);
    set32(m, m->rsrc_sect + 20, 0x100000);
    expect_error(m, "section 2 raw data (0x");
    expect_error(m, "outside the file");
    set32(m, m->rsrc_sect + 20, RSRC_FILE);
    set32(m, m->rsrc_sect + 16, 0xfffffe00u);
    expect_error(m, "outside the file");
    free(m);
}
END_TEST

/* A subdirectory entry pointing at itself or an ancestor must not be
 * followed: 0 = name directory at itself, 1 = type entry at the root,
 * 2 = name entry at the root, 3 = language entry at the root (a fourth
 * level). */
START_TEST(recursive_resource_directory)
{
    img *m = build_std(_i % 2);
    uint32_t root = 0x80000000u | rsrc_off(m->root);
    const char *want = "resource directory loop at offset 0x";
    switch (_i) {
    case 0:
        set32(m, m->names + 16 + 4, 0x80000000u | rsrc_off(m->names));
        break;
    case 1:
        set32(m, m->root + 16 + 8 + 4, root);
        break;
    case 2:
        set32(m, m->names + 16 + 4, root);
        break;
    default:
        set32(m, m->langs + 16 + 4, root);
        want = "resource directory deeper than 3 levels";
        break;
    }
    expect_error(m, want);
    free(m);
}
END_TEST

START_TEST(resource_directory_bad_offsets)
{
    img *m = build_std(0);
    set32(m, m->names + 16 + 4, 0x80000000u | 0x7ffff000u);
    expect_error(m, "resource directory offset 0x7ffff000 outside the resource section");
    free(m);
    m = build_std(0);
    set32(m, m->langs + 16 + 4, 0x00fffff0u);
    expect_error(m, "resource data entry offset 0xfffff0 outside the resource section");
    free(m);
    m = build_std(0);
    set32(m, m->names + 16 + 4, 1);        /* a data entry where a directory belongs */
    expect_error(m, "resource directory entry at level 2 is not a directory");
    free(m);
}
END_TEST

/* Entry counts: more than the limit at one level is refused outright, and
 * a count that runs past the section is caught before reading entries. */
START_TEST(too_many_entries)
{
    img *m = build_std(0);
    set16(m, m->langs + 14, PL_MAX_PE_RESOURCE_ENTRIES + 1);
    expect_error(m, "more than 4096 resource directory entries at level 3");
    set16(m, m->langs + 14, 1);
    set16(m, m->langs + 12, 2000);         /* named entries count too */
    expect_error(m, "runs past the resource section");
    free(m);
}
END_TEST

/* ---- broken VS_VERSIONINFO ------------------------------------------------ */

START_TEST(vs_length_exceeds_resource)
{
    img *m = build_std(0);
    uint32_t size = (uint32_t)(m->b[m->data_entry[0] + 4] | m->b[m->data_entry[0] + 5] << 8);
    set16(m, m->vs[0], size + 4);
    expect_error(m, "VS_VERSIONINFO block length exceeds its resource");
    free(m);
    /* The resource entry claiming less than the block holds: same. */
    m = build_std(1);
    set32(m, m->data_entry[0] + 4, 100);
    expect_error(m, "VS_VERSIONINFO block length exceeds its resource");
    free(m);
}
END_TEST

START_TEST(bad_fixed_signature)
{
    img *m = build_std(1);
    set32(m, m->fixed[0], 0xFEEF04BE);
    expect_error(m, "bad VS_FIXEDFILEINFO signature 0xfeef04be");
    free(m);
}
END_TEST

START_TEST(bad_fixed_info)
{
    img *m = build_std(0);
    set16(m, m->vs[0] + 2, 0);
    expect_error(m, "VS_VERSIONINFO has no fixed file info");
    set16(m, m->vs[0] + 2, 40);
    expect_error(m, "VS_FIXEDFILEINFO truncated");
    set16(m, m->vs[0] + 2, 0xfff0);
    expect_error(m, "VS_FIXEDFILEINFO truncated");
    free(m);
}
END_TEST

START_TEST(bad_root_key)
{
    img *m = build_std(0);
    m->b[m->vs[0] + 6 + 2 * 14] = 'X';      /* VS_VERSION_INFX */
    expect_error(m, "version resource has no VS_VERSION_INFO key");
    free(m);
    m = build_std(0);
    set32(m, m->data_entry[0] + 4, 4);
    expect_error(m, "version resource too small (4 bytes)");
    free(m);
}
END_TEST

/* A String whose wLength runs past its table makes the resource unusable. */
START_TEST(string_block_overrun)
{
    img *m = build_std(0);
    set16(m, m->fv_string[0], 0x7000);
    expect_error(m, "overruns its parent");
    set16(m, m->fv_string[0], 3);
    expect_error(m, "is too short (3 bytes)");
    free(m);
}
END_TEST

/* A key with no NUL before the end of its block. */
START_TEST(unterminated_key)
{
    img *m = build_std(0);
    set16(m, m->fv_string[0], 6 + 2 * 4);  /* "File" and no more */
    expect_error(m, "has an unterminated key");
    free(m);
}
END_TEST

/* ---- version4 --------------------------------------------------------------- */

START_TEST(version4_parse)
{
    uint16_t v[4];
    ck_assert_int_eq(pl_version4_parse("6.0.6003.20489 (vistasp2_ldr_escrow.190320-1700)", v), 0);
    assert_version(v, 6, 0, 6003, 20489);
    ck_assert_int_eq(pl_version4_parse("6.0.6003.20489 (x)", v), 0);
    assert_version(v, 6, 0, 6003, 20489);
    ck_assert_int_eq(pl_version4_parse("1.2", v), 0);
    assert_version(v, 1, 2, 0, 0);
    ck_assert_int_eq(pl_version4_parse("7", v), 0);
    assert_version(v, 7, 0, 0, 0);
    ck_assert_int_eq(pl_version4_parse("65535.0.00010.65535", v), 0);
    assert_version(v, 65535, 0, 10, 65535);
    ck_assert_int_eq(pl_version4_parse("10.0.19041.1 ", v), 0);
    assert_version(v, 10, 0, 19041, 1);

    static const char *const bad[] = {
        "70000.1", "1.65536", "", ".", "1.", "1..2", ".1", " 1.2", "1.2.3.4.5", "1.2x",
        "1,2", "-1.2", "+1", "a.b.c.d", "16.1.190315001-3DBuilderR16.1", "99999999999999999999",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v[0] = v[1] = v[2] = v[3] = 9;
        ck_assert_msg(pl_version4_parse(bad[i], v) == -1, "accepted \"%s\"", bad[i]);
        assert_version(v, 0, 0, 0, 0);     /* zeroed on failure */
    }
    ck_assert_int_eq(pl_version4_parse(NULL, v), -1);
    ck_assert_int_eq(pl_version4_parse("1.2.3.4", NULL), -1);
}
END_TEST

START_TEST(version4_format)
{
    char buf[24];
    uint16_t a[4] = {6, 0, 6003, 20489};
    pl_version4_format(a, buf, sizeof buf);
    ck_assert_str_eq(buf, "6.0.6003.20489");
    uint16_t max[4] = {65535, 65535, 65535, 65535};
    pl_version4_format(max, buf, sizeof buf);
    ck_assert_str_eq(buf, "65535.65535.65535.65535");
    pl_version4_format(a, buf, 4);
    ck_assert_str_eq(buf, "6.0");
    pl_version4_format(NULL, buf, sizeof buf);
    ck_assert_str_eq(buf, "");
    pl_version4_format(a, NULL, 10);
    buf[0] = 'x';
    pl_version4_format(a, buf, 0);
    ck_assert_int_eq(buf[0], 'x');
    /* format and parse round trip */
    uint16_t back[4];
    pl_version4_format(a, buf, sizeof buf);
    ck_assert_int_eq(pl_version4_parse(buf, back), 0);
    ck_assert_int_eq(pl_version4_cmp(a, back), 0);
}
END_TEST

START_TEST(version4_cmp)
{
    uint16_t a[4] = {6, 0, 6003, 20489};
    uint16_t same[4] = {6, 0, 6003, 20489};
    uint16_t lower_rev[4] = {6, 0, 6003, 20488};
    uint16_t higher_build[4] = {6, 0, 6004, 0};
    uint16_t higher_minor[4] = {6, 1, 0, 0};
    uint16_t big[4] = {10, 0, 0, 0};
    ck_assert_int_eq(pl_version4_cmp(a, same), 0);
    ck_assert_int_gt(pl_version4_cmp(a, lower_rev), 0);
    ck_assert_int_lt(pl_version4_cmp(lower_rev, a), 0);
    ck_assert_int_lt(pl_version4_cmp(a, higher_build), 0);
    ck_assert_int_lt(pl_version4_cmp(higher_build, higher_minor), 0);
    ck_assert_int_lt(pl_version4_cmp(higher_minor, big), 0);   /* numeric, not text: 10 > 6 */
    ck_assert_int_eq(pl_version4_cmp(NULL, NULL), 0);
    ck_assert_int_lt(pl_version4_cmp(NULL, a), 0);
    ck_assert_int_gt(pl_version4_cmp(a, NULL), 0);
    pl_pe_version_free(NULL);
}
END_TEST

/* ---- fixtures built by mingw-w64 + windres ------------------------------- */

#define MAX_FIXTURES 256

typedef struct {
    char path[4096];
    uint16_t version[4];
    uint16_t machine;          /* 0 when the name does not say */
} fixture;

static fixture fixtures[MAX_FIXTURES];
static int nfixtures;

/* The first "a.b.c.d" in a file name, e.g. ntoskrnl-6.0.6003.20489-amd64.exe. */
static int version_in_name(const char *name, uint16_t v[4])
{
    for (const char *p = name; *p; p++) {
        if (*p < '0' || *p > '9' || (p > name && (p[-1] == '.' || (p[-1] >= '0' && p[-1] <= '9'))))
            continue;
        char buf[32];
        size_t n = 0, dots = 0;
        while (n < sizeof buf - 1 && ((p[n] >= '0' && p[n] <= '9') || p[n] == '.')) {
            dots += p[n] == '.';
            buf[n] = p[n];
            n++;
        }
        buf[n] = '\0';
        if (dots == 3 && pl_version4_parse(buf, v) == 0)
            return 1;
    }
    return 0;
}

static uint16_t machine_in_name(const char *name)
{
    if (strstr(name, "amd64") || strstr(name, "x86_64") || strstr(name, "x64"))
        return PL_PE_MACHINE_AMD64;
    if (strstr(name, "i386") || strstr(name, "x86") || strstr(name, "i686"))
        return PL_PE_MACHINE_I386;
    return 0;
}

static void find_fixtures(void)
{
    const char *root = getenv("PL_FIXTURES");
    if (!root || !*root)
        return;
    char dir[3072];   /* leaves room for "/" and a 255-byte name in path */
    snprintf(dir, sizeof dir, "%s/pe", root);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && nfixtures < MAX_FIXTURES) {
        fixture *f = &fixtures[nfixtures];
        struct stat st;
        snprintf(f->path, sizeof f->path, "%s/%s", dir, de->d_name);
        if (stat(f->path, &st) != 0 || !S_ISREG(st.st_mode) || !version_in_name(de->d_name, f->version))
            continue;
        f->machine = machine_in_name(de->d_name);
        nfixtures++;
    }
    closedir(d);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (;;) {
        if (n == cap) {
            ck_assert_msg(cap < PL_MAX_PE_BYTES, "%s is too large", path);
            cap *= 2;
            uint8_t *grown = realloc(buf, cap);
            ck_assert_ptr_nonnull(grown);
            buf = grown;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

START_TEST(fixture_file)
{
    const fixture *f = &fixtures[_i];
    size_t len;
    uint8_t *data = read_file(f->path, &len);
    pl_pe_version v;
    pl_err e = {0};
    int rc = pl_pe_read_version(data, len, &v, &e);
    ck_assert_msg(rc == 0, "%s: %s", f->path, e.msg);
    ck_assert_msg(pl_version4_cmp(v.file_version, f->version) == 0, "%s: fixed version differs",
                  f->path);
    if (f->machine)
        ck_assert_uint_eq(v.machine, f->machine);
    ck_assert_int_eq(v.is_pe32plus, v.machine == PL_PE_MACHINE_AMD64);
    /* Truncations of a real toolchain's output must fail or agree. */
    for (size_t cut = 0; cut < len; cut += len / 64 + 1) {
        pl_pe_version t;
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, data, cut);
        if (pl_pe_read_version(copy, cut, &t, &e) == 0)
            ck_assert_int_eq(pl_version4_cmp(t.file_version, v.file_version), 0);
        else
            ck_assert_int_eq(t.has_fixed, 0);
        pl_pe_version_free(&t);
        free(copy);
    }
    pl_pe_version_free(&v);
    free(data);
}
END_TEST

/* ---- suite ------------------------------------------------------------------ */

static Suite *pe_version_suite(void)
{
    Suite *s = suite_create("pe_version");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, valid_image, 0, 2);
    tcase_add_loop_test(tc, every_truncation, 0, 2);
    tcase_add_loop_test(tc, string_value_length_variants, VLEN_WORDS_NUL, VLEN_ZERO + 1);
    tcase_add_test(tc, string_value_length_overrun);
    tcase_add_test(tc, string_value_unterminated);
    tcase_add_test(tc, missing_string_file_info);
    tcase_add_test(tc, section_virtual_size_zero);
    tcase_add_test(tc, prefer_0409_across_resources);
    tcase_add_test(tc, prefer_neutral_over_other);
    tcase_add_test(tc, first_table_when_no_preferred);
    tcase_add_test(tc, prefer_0409_within_resource);
    tcase_add_test(tc, skip_bad_resource);
    tcase_add_test(tc, all_resources_bad);
    tcase_add_test(tc, not_mz);
    tcase_add_test(tc, e_lfanew_out_of_range);
    tcase_add_test(tc, no_pe_signature);
    tcase_add_test(tc, bad_optional_header);
    tcase_add_test(tc, no_resource_directory);
    tcase_add_test(tc, no_version_resource);
    tcase_add_test(tc, resource_directory_rva_outside);
    tcase_add_test(tc, data_rva_out_of_range);
    tcase_add_test(tc, section_raw_past_eof);
    tcase_add_loop_test(tc, recursive_resource_directory, 0, 4);
    tcase_add_test(tc, resource_directory_bad_offsets);
    tcase_add_test(tc, too_many_entries);
    tcase_add_test(tc, vs_length_exceeds_resource);
    tcase_add_test(tc, bad_fixed_signature);
    tcase_add_test(tc, bad_fixed_info);
    tcase_add_test(tc, bad_root_key);
    tcase_add_test(tc, string_block_overrun);
    tcase_add_test(tc, unterminated_key);
    tcase_add_test(tc, version4_parse);
    tcase_add_test(tc, version4_format);
    tcase_add_test(tc, version4_cmp);
    suite_add_tcase(s, tc);

    /* Registered only when there is something to check: a test that
     * passes without asserting anything would claim coverage we lack. */
    find_fixtures();
    if (nfixtures > 0) {
        TCase *tf = tcase_create("fixtures");
        tcase_set_timeout(tf, 120);
        tcase_add_loop_test(tf, fixture_file, 0, nfixtures);
        suite_add_tcase(s, tf);
    }
    return s;
}

int main(void)
{
    return pl_run_suite(pe_version_suite());
}
