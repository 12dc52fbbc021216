/* Version resources of real PE files from the shared corpus (see the
 * corpus MANIFEST.md): Wine's PE32+ kernel32.dll (36 RT_VERSION resources,
 * one per language) and ntoskrnl.exe, and three Microsoft binaries. Files
 * that are not PEs must fail cleanly. The corpus directory comes from
 * PL_CORPUS; without it the program exits 77 (automake SKIP). */
#include "evidence/pe_version.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/limits.h"
#include "../check_main.h"

static const char *corpus;

/* The whole file, refusing anything larger than the PE limit. */
static uint8_t *read_corpus(const char *rel, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", corpus, rel);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (;;) {
        if (n == cap) {
            ck_assert_msg(cap < PL_MAX_PE_BYTES, "%s is larger than the PE limit", path);
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
    ck_assert_msg(!ferror(f), "cannot read %s", path);
    fclose(f);
    /* An exact-size copy, so ASan sees any read past the end. */
    uint8_t *exact = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(exact);
    memcpy(exact, buf, n);
    free(buf);
    *len = n;
    return exact;
}

static void parse_corpus(const char *rel, pl_pe_version *v)
{
    size_t len;
    uint8_t *data = read_corpus(rel, &len);
    pl_err e = {0};
    int rc = pl_pe_read_version(data, len, v, &e);
    ck_assert_msg(rc == 0, "%s: %s", rel, e.msg);
    ck_assert_int_eq(v->has_fixed, 1);
    free(data);
}

static void assert_fixed(const uint16_t got[4], const char *want)
{
    char buf[24];
    pl_version4_format(got, buf, sizeof buf);
    ck_assert_str_eq(buf, want);
}

START_TEST(wine_kernel32)
{
    pl_pe_version v;
    parse_corpus("wine-debian/x86_64-windows/kernel32.dll", &v);
    ck_assert_uint_eq(v.machine, PL_PE_MACHINE_AMD64);
    ck_assert_int_eq(v.is_pe32plus, 1);
    assert_fixed(v.file_version, "10.0.18362.1350");
    assert_fixed(v.product_version, "10.0.18362.1350");
    ck_assert_str_eq(v.file_version_str, "10.0.18362.1350");
    /* 36 languages; the first is Arabic (040104b0). The en-US table wins. */
    ck_assert_str_eq(v.string_table_key, "040904b0");
    ck_assert_str_eq(v.product_name, "Wine");
    ck_assert_str_eq(v.original_filename, "kernel32.dll");
    ck_assert_str_eq(v.product_version_str, "10.0.18362.1350");
    pl_pe_version_free(&v);
}
END_TEST

START_TEST(wine_ntoskrnl)
{
    pl_pe_version v;
    parse_corpus("wine-debian/x86_64-windows/ntoskrnl.exe", &v);
    ck_assert_uint_eq(v.machine, PL_PE_MACHINE_AMD64);
    ck_assert_int_eq(v.is_pe32plus, 1);
    assert_fixed(v.file_version, "6.1.7601.21863");
    assert_fixed(v.product_version, "6.1.7601.21863");
    ck_assert_str_eq(v.string_table_key, "040904B0");
    ck_assert_str_eq(v.file_version_str, "6.1.7601.21863");
    ck_assert_str_eq(v.original_filename, "ntoskrnl.exe");
    ck_assert_str_eq(v.product_name, "Wine");
    pl_pe_version_free(&v);
}
END_TEST

START_TEST(notnbt_pe32)
{
    pl_pe_version v;
    parse_corpus("velociraptor/notnbt.exe", &v);
    ck_assert_uint_eq(v.machine, PL_PE_MACHINE_I386);
    ck_assert_int_eq(v.is_pe32plus, 0);
    assert_fixed(v.file_version, "10.0.15063.0");
    assert_fixed(v.product_version, "10.0.15063.0");
    ck_assert_str_eq(v.string_table_key, "040904B0");
    ck_assert_str_eq(v.file_version_str, "10.0.15063.0 (WinBuild.160101.0800)");
    ck_assert_str_eq(v.product_version_str, "10.0.15063.0");
    ck_assert_str_eq(v.original_filename, "nbtinfo.exe");
    ck_assert_str_eq(v.product_name, "Microsoft\xC2\xAE Windows\xC2\xAE Operating System");
    /* The string parses to the fixed version; its branch tag is ignored. */
    uint16_t s[4];
    ck_assert_int_eq(pl_version4_parse(v.file_version_str, s), 0);
    ck_assert_int_eq(pl_version4_cmp(s, v.file_version), 0);
    pl_pe_version_free(&v);
}
END_TEST

START_TEST(wkscli_neutral_table)
{
    pl_pe_version v;
    parse_corpus("velociraptor/wkscli.dll", &v);
    ck_assert_uint_eq(v.machine, PL_PE_MACHINE_AMD64);
    ck_assert_int_eq(v.is_pe32plus, 1);
    assert_fixed(v.file_version, "10.0.19041.1");
    ck_assert_str_eq(v.string_table_key, "000004B0");
    ck_assert_str_eq(v.file_version_str, "10.0.19041.1 (WinBuild.160101.0800)");
    ck_assert_str_eq(v.original_filename, "kbdth0.dll");
    pl_pe_version_free(&v);
}
END_TEST

START_TEST(builder_product_version_differs)
{
    pl_pe_version v;
    parse_corpus("velociraptor/3DBuilder.ResourceResolver.exe", &v);
    ck_assert_uint_eq(v.machine, PL_PE_MACHINE_I386);
    ck_assert_int_eq(v.is_pe32plus, 0);
    assert_fixed(v.file_version, "16.1.1903.15001");
    assert_fixed(v.product_version, "16.1.1903.15001");
    ck_assert_str_eq(v.product_version_str, "16.1.190315001-3DBuilderR16.1");
    ck_assert_str_eq(v.product_name, "3D Builder");
    /* "190315001" is no 16-bit part: the string is not a version. */
    uint16_t s[4];
    ck_assert_int_eq(pl_version4_parse(v.product_version_str, s), -1);
    pl_pe_version_free(&v);
}
END_TEST

/* Every prefix of the small real binaries either fails cleanly or gives
 * exactly what the whole file gives (data after .rsrc may be cut). */
static const char *const small_pes[] = {
    "velociraptor/notnbt.exe",
    "velociraptor/wkscli.dll",
    "velociraptor/3DBuilder.ResourceResolver.exe",
};

START_TEST(real_truncations)
{
    size_t len;
    uint8_t *data = read_corpus(small_pes[_i], &len);
    pl_pe_version full;
    pl_err e;
    ck_assert_int_eq(pl_pe_read_version(data, len, &full, &e), 0);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, data, cut);
        pl_pe_version v;
        if (pl_pe_read_version(copy, cut, &v, &e) == 0) {
            ck_assert_int_eq(pl_version4_cmp(v.file_version, full.file_version), 0);
            ck_assert_str_eq(v.file_version_str, full.file_version_str);
        } else {
            ck_assert_int_eq(v.has_fixed, 0);
            ck_assert_ptr_null(v.file_version_str);
            ck_assert_uint_gt(strlen(e.msg), 0);
        }
        pl_pe_version_free(&v);
        free(copy);
    }
    pl_pe_version_free(&full);
    free(data);
}
END_TEST

/* Real files that are not PEs: hives, disk images, text, a WIM. */
static const char *const not_pes[] = {
    "hivex/minimal",
    "hivex/special",
    "velociraptor/SAM",
    "yarp/TruncatedHive",
    "velociraptor/test.vhdx.zip",
    "velociraptor/test.ntfs.dd.E01",
    "dfvfs/ext2.vmdk",
    "wimlib/cyclic.wim",
    "SevenZipSharp/wim.wim",
    "libguestfs/windows-software.reg",
    "MANIFEST.md",
};

START_TEST(not_a_pe)
{
    size_t len;
    uint8_t *data = read_corpus(not_pes[_i], &len);
    pl_pe_version v;
    pl_err e = {0};
    ck_assert_int_eq(pl_pe_read_version(data, len, &v, &e), -1);
    ck_assert_str_eq(e.msg, "not a PE file (no MZ header)");
    ck_assert_int_eq(v.has_fixed, 0);
    ck_assert_uint_eq(v.machine, 0);
    ck_assert_ptr_null(v.file_version_str);
    free(data);
}
END_TEST

static Suite *corpus_pe_suite(void)
{
    Suite *s = suite_create("corpus_pe");
    TCase *tc = tcase_create("corpus");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, wine_kernel32);
    tcase_add_test(tc, wine_ntoskrnl);
    tcase_add_test(tc, notnbt_pe32);
    tcase_add_test(tc, wkscli_neutral_table);
    tcase_add_test(tc, builder_product_version_differs);
    tcase_add_loop_test(tc, real_truncations, 0, (int)(sizeof small_pes / sizeof small_pes[0]));
    tcase_add_loop_test(tc, not_a_pe, 0, (int)(sizeof not_pes / sizeof not_pes[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    struct stat st;
    corpus = getenv("PL_CORPUS");
    if (!corpus || !*corpus || stat(corpus, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "PL_CORPUS is not set or not a directory: skipping\n");
        exit(77);
    }
    return pl_run_suite(corpus_pe_suite());
}
