/* pl_mum_parse over real Microsoft .mum files: the KB3118401 (Universal
 * CRT) packages in $PL_CORPUS/vcredist-extracted/ucrt (see the corpus
 * MANIFEST.md). Skipped (exit 77) when the corpus is not available. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evidence/mum.h"
#include "util/limits.h"
#include "util/util.h"
#include "../check_main.h"

#define UCRT_SUBDIR "vcredist-extracted/ucrt"
/* Files listed for this directory in MANIFEST.md. */
#define UCRT_MUM_COUNT 24

static char *ucrt_dir;

/* Read a whole file (at most the manifest limit + 1 bytes, so an oversized
 * file still reaches the parser's own check). Caller frees. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    size_t cap = 64 * 1024, n = 0;
    uint8_t *buf = pl_xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap > PL_MAX_MANIFEST_BYTES)
                break;
            cap *= 2;
            buf = pl_xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Parse ucrt/<name>; fails the test on a parse error. */
static void parse_named(const char *name, pl_mum *m)
{
    char *path = pl_xasprintf("%s/%s", ucrt_dir, name);
    size_t len;
    uint8_t *data = read_file(path, &len);
    pl_err err = {0};
    int rc = pl_mum_parse(data, len, m, &err);
    ck_assert_msg(rc == 0, "%s: %s", name, err.msg);
    free(data);
    free(path);
}

/* Sorted *.mum names in the ucrt directory. */
static void list_mums(pl_strlist *out)
{
    DIR *d = opendir(ucrt_dir);
    ck_assert_msg(d != NULL, "cannot list %s", ucrt_dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (pl_str_has_suffix_ci(e->d_name, ".mum"))
            pl_strlist_push(out, e->d_name);
    closedir(d);
    pl_strlist_sort(out);
}

START_TEST(test_every_ucrt_mum)
{
    pl_strlist names = {0};
    list_mums(&names);
    ck_assert_uint_ge(names.len, UCRT_MUM_COUNT);
    for (size_t i = 0; i < names.len; i++) {
        const char *name = names.items[i];
        pl_mum m;
        parse_named(name, &m);
        ck_assert_msg(m.kb && strcmp(m.kb, "KB3118401") == 0, "%s: kb %s", name, m.kb);
        ck_assert_msg(m.release_type && strcmp(m.release_type, "Update") == 0, "%s", name);
        ck_assert_str_eq(m.restart, "possible");
        ck_assert_str_eq(m.description, "Fix for KB3118401");
        ck_assert_str_eq(m.support_information, "http://support.microsoft.com/?kbid=3118401");
        ck_assert_ptr_nonnull(m.creation_time);
        ck_assert_uint_ge(m.parents.len, 1);
        /* Every package either references children or updates components. */
        ck_assert_msg(m.children.len > 0 || m.max_component_version, "%s", name);
        /* On disk the file name is the identity, lower-cased, plus ".mum"
         * (except the two renamed 6002-*.mum copies). */
        if (strncmp(name, "6002-", 5) != 0) {
            char *want = pl_xasprintf("%s.mum", m.identity);
            ck_assert_msg(pl_strcaseeq(want, name), "%s vs %s", want, name);
            free(want);
        }
        pl_mum_free(&m);
    }
    pl_strlist_free(&names);
}
END_TEST

START_TEST(test_server_core_package)
{
    pl_mum m;
    parse_named("package_for_kb3118401_sc_bf~31bf3856ad364e35~amd64~~6.0.1.1.mum", &m);
    ck_assert_str_eq(m.identity, "Package_for_KB3118401_sc_BF~31bf3856ad364e35~amd64~~6.0.1.1");
    ck_assert_str_eq(m.name, "Package_for_KB3118401_sc_BF");
    ck_assert_str_eq(m.version, "6.0.1.1");
    ck_assert_str_eq(m.arch, "amd64");
    ck_assert_str_eq(m.package_identifier, "KB3118401_BF");
    ck_assert_str_eq(m.creation_time, "2015-12-11T17:21:59Z");
    ck_assert_uint_eq(m.parents.len, 1);
    ck_assert_str_eq(m.parents.items[0],
                     "Microsoft-Windows-ServerCore-Package~31bf3856ad364e35~amd64~~6.0.6001.18000");
    ck_assert_uint_eq(m.children.len, 1);
    ck_assert_str_eq(m.children.items[0],
                     "Package_for_KB3118401_sc_1_BF~31bf3856ad364e35~amd64~~6.0.1.1");
    ck_assert_ptr_null(m.max_component_version);
    pl_mum_free(&m);
}
END_TEST

START_TEST(test_component_package)
{
    pl_mum m;
    parse_named("package_1_for_kb3118401_bf~31bf3856ad364e35~amd64~~6.0.1.1.mum", &m);
    ck_assert_str_eq(m.identity, "Package_1_for_KB3118401_BF~31bf3856ad364e35~amd64~~6.0.1.1");
    ck_assert_str_eq(m.max_component_version, "6.0.6002.23878");
    /* The parent is spelled with a lower-case "package" in the real file. */
    ck_assert_uint_eq(m.parents.len, 1);
    ck_assert_str_eq(m.parents.items[0], "package_for_KB948465~31bf3856ad364e35~amd64~~6.0.1.18005");
    ck_assert_uint_eq(m.children.len, 0);
    pl_mum_free(&m);
}
END_TEST

START_TEST(test_top_level_6002)
{
    pl_mum m;
    parse_named("6002-x64.mum", &m);
    ck_assert_str_eq(m.identity, "Package_for_KB3118401_BF~31bf3856ad364e35~amd64~~6.0.1.1");
    ck_assert_uint_eq(m.children.len, 3);
    ck_assert_str_eq(m.children.items[0],
                     "Package_for_KB3118401_client_BF~31bf3856ad364e35~amd64~~6.0.1.1");
    ck_assert_str_eq(m.children.items[1],
                     "Package_for_KB3118401_server_BF~31bf3856ad364e35~amd64~~6.0.1.1");
    ck_assert_str_eq(m.children.items[2],
                     "Package_for_KB3118401_sc_BF~31bf3856ad364e35~amd64~~6.0.1.1");
    ck_assert_str_eq(m.parents.items[0], "package_for_KB948465~31bf3856ad364e35~amd64~~6.0.1.18005");
    ck_assert_ptr_null(m.max_component_version);
    pl_mum_free(&m);

    parse_named("6002-x86.mum", &m);
    ck_assert_str_eq(m.identity, "Package_for_KB3118401_BF~31bf3856ad364e35~x86~~6.0.1.1");
    ck_assert_uint_eq(m.children.len, 3);
    pl_mum_free(&m);
}
END_TEST

START_TEST(test_multi_parent_later_windows)
{
    /* Windows 8.1 and 7 packages name several parents in one <parent>. */
    pl_mum m;
    parse_named("package_1_for_kb3118401~31bf3856ad364e35~amd64~~6.3.1.0.mum", &m);
    ck_assert_str_eq(m.package_identifier, "KB3118401");
    ck_assert_uint_eq(m.parents.len, 3);
    ck_assert_str_eq(m.parents.items[1],
                     "Microsoft-Windows-ServerCore-SKU-Foundation-Package~31bf3856ad364e35~amd64~~6.3.9600.16384");
    ck_assert_str_eq(m.max_component_version, "6.3.9600.18144");
    pl_mum_free(&m);

    parse_named("package_for_kb3118401_sp1_bf~31bf3856ad364e35~amd64~~6.1.1.1.mum", &m);
    ck_assert_uint_eq(m.parents.len, 4);
    ck_assert_uint_eq(m.children.len, 2);
    ck_assert_str_eq(m.children.items[1], "Package_2_for_KB3118401_BF~31bf3856ad364e35~amd64~~6.1.1.1");
    pl_mum_free(&m);
}
END_TEST

static Suite *corpus_suite(void)
{
    Suite *s = suite_create("corpus-mum");
    TCase *tc = tcase_create("ucrt");
    tcase_add_test(tc, test_every_ucrt_mum);
    tcase_add_test(tc, test_server_core_package);
    tcase_add_test(tc, test_component_package);
    tcase_add_test(tc, test_top_level_6002);
    tcase_add_test(tc, test_multi_parent_later_windows);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    const char *corpus = getenv("PL_CORPUS");
    struct stat st;
    if (!corpus || !*corpus)
        return 77;  /* automake SKIP: no corpus configured */
    ucrt_dir = pl_xasprintf("%s/%s", corpus, UCRT_SUBDIR);
    if (stat(ucrt_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: not found, skipping\n", ucrt_dir);
        free(ucrt_dir);
        return 77;
    }
    int failed = pl_run_suite(corpus_suite());
    free(ucrt_dir);
    return failed;
}
