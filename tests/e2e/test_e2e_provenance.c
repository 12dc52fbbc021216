/* End to end: where every result came from (issue "fleet triage",
 * provenance): the tool and library versions, the catalog, the analysis
 * time, the options that change answers, the input's time as ISO 8601,
 * and --hash over every file of an input (E01 segments, chain members). */
#include <check.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../check_main.h"
#include "e2e.h"

static const char *const libraries[] = {"wimlib", "hivex",   "libxml2", "libtsk", "libvhdi",
                                        "libvmdk", "libqcow", "json-c",  "libcrypto",
                                        "libewf"};
#define NLIBS (sizeof libraries / sizeof *libraries)

static void run_json(e2e_run *r, const char *const *args)
{
    e2e_exec(r, args);
    ck_assert_msg(r->json, "no JSON (exit %d): %s", r->status, r->err);
}

/* The test's own SHA-256 of a file (read whole: fixtures are small). */
static void sha256_of(const char *path, char out[65])
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        EVP_DigestUpdate(ctx, buf, n);
    fclose(f);
    unsigned char md[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);
    for (unsigned i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", md[i]);
}

START_TEST(provenance_names_tool_libraries_catalog_and_time)
{
    time_t before = time(NULL);
    e2e_run r;
    const char *args[] = {"-f", "json", e2e_fixture("trees/ws2008-idle"), NULL};
    run_json(&r, args);
    time_t after = time(NULL);
    ck_assert_str_eq(jstr(r.json, "provenance.tool.name"), "patchlevel");
    ck_assert_ptr_nonnull(jstr(r.json, "provenance.tool.version"));
    for (size_t i = 0; i < NLIBS; i++) {
        char path[64];
        snprintf(path, sizeof path, "provenance.libraries.%s", libraries[i]);
        const char *v = jstr(r.json, path);
        ck_assert_msg(v && *v, "%s has no version", libraries[i]);
    }
    /* The same catalog identity as the top-level "catalog". */
    ck_assert_str_eq(jstr(r.json, "provenance.catalog.sha256"), jstr(r.json, "catalog.sha256"));
    ck_assert_str_eq(jstr(r.json, "provenance.catalog.newest"), jstr(r.json, "catalog.newest"));
    const char *at = jstr(r.json, "provenance.analyzed_at");
    ck_assert_ptr_nonnull(at);
    struct tm tm = {0};
    const char *end = strptime(at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    ck_assert_msg(end && *end == '\0', "analyzed_at %s is not ISO 8601 UTC", at);
    time_t t = timegm(&tm);
    ck_assert_msg(t >= before && t <= after, "analyzed_at %s is not the time of the run", at);
    /* Options: none given. */
    ck_assert(jis_null(r.json, "provenance.options.catalog"));
    ck_assert_int_eq(jlen(r.json, "provenance.options.parents"), 0);
    ck_assert_int_eq(jbool(r.json, "provenance.options.find_6002_checks"), 0);
    ck_assert_int_eq(jbool(r.json, "provenance.options.hash"), 0);
    ck_assert(jis_null(r.json, "input_hashes"));
    e2e_free(&r);
}
END_TEST

START_TEST(options_that_change_answers_are_recorded)
{
    char catalog[4096];
    snprintf(catalog, sizeof catalog, "%s/data/ws2008-sp2-catalog.csv", getenv("PL_SOURCE_DIR"));
    const char *parent = e2e_fixture("disks/chain-vhd/base.vhd");
    e2e_run r;
    const char *args[] = {"-f", "json", "--catalog", catalog, "--parent", parent,
                          "--find-6002-checks", "--hash", e2e_fixture("trees/ws2008-idle"), NULL};
    run_json(&r, args);
    ck_assert_str_eq(jstr(r.json, "provenance.options.catalog"), catalog);
    ck_assert_int_eq(jlen(r.json, "provenance.options.parents"), 1);
    ck_assert_str_eq(jstr(r.json, "provenance.options.parents.0"), parent);
    ck_assert_int_eq(jbool(r.json, "provenance.options.find_6002_checks"), 1);
    ck_assert_int_eq(jbool(r.json, "provenance.options.hash"), 1);
    /* A tree is not one file: unknown, with the reason, not an empty list. */
    ck_assert(jis_null(r.json, "input_hashes"));
    ck_assert_ptr_nonnull(jstr(r.json, "input_hashes_unknown"));
    e2e_free(&r);
}
END_TEST

START_TEST(input_mtime_is_iso_with_the_epoch_beside_it)
{
    const char *input = e2e_fixture("wim/multi.wim");
    struct stat sb;
    ck_assert_int_eq(stat(input, &sb), 0);
    e2e_run r;
    const char *args[] = {"-f", "json", input, NULL};
    run_json(&r, args);
    ck_assert_int_eq(jint(r.json, "input_mtime_epoch"), (int64_t)sb.st_mtime);
    char iso[32];
    struct tm tm;
    gmtime_r(&sb.st_mtime, &tm);
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    ck_assert_str_eq(jstr(r.json, "input_mtime"), iso);
    e2e_free(&r);
}
END_TEST

START_TEST(hash_covers_every_segment)
{
    const char *segs[] = {e2e_fixture("disks/segments-6003.E01"),
                          e2e_fixture("disks/segments-6003.E02")};
    e2e_run r;
    const char *args[] = {"-f", "json", "--hash", segs[0], NULL};
    run_json(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(r.json, "input_hashes"), 2);
    for (int i = 0; i < 2; i++) {
        char path[64], want[65];
        sha256_of(segs[i], want);
        snprintf(path, sizeof path, "input_hashes.%d.sha256", i);
        ck_assert_str_eq(jstr(r.json, path), want);
        snprintf(path, sizeof path, "input_hashes.%d.size", i);
        struct stat sb;
        ck_assert_int_eq(stat(segs[i], &sb), 0);
        ck_assert_int_eq(jint(r.json, path), (int64_t)sb.st_size);
        snprintf(path, sizeof path, "input_hashes.%d.error", i);
        ck_assert(jis_null(r.json, path));
    }
    e2e_free(&r);
}
END_TEST

START_TEST(hash_covers_a_chain_child_first)
{
    const char *child = e2e_fixture("disks/chain-vhd/child.avhd");
    char want_child[65], want_base[65];
    sha256_of(child, want_child);
    sha256_of(e2e_fixture("disks/chain-vhd/base.vhd"), want_base);
    e2e_run r;
    const char *args[] = {"-f", "json", "--hash", child, NULL};
    run_json(&r, args);
    ck_assert_int_eq(jlen(r.json, "input_hashes"), 2);
    ck_assert_str_eq(jstr(r.json, "input_hashes.0.sha256"), want_child);
    ck_assert_str_eq(jstr(r.json, "input_hashes.1.sha256"), want_base);
    e2e_free(&r);
}
END_TEST

START_TEST(hash_of_an_input_that_is_not_understood)
{
    /* Not an image: still identified by its hash; a missing file says why. */
    const char *readme = e2e_fixture("README.md");
    char want[65];
    sha256_of(readme, want);
    e2e_run r;
    const char *args[] = {"-f", "json", "--hash", readme, "/nonexistent/image.E01", NULL};
    run_json(&r, args);
    ck_assert_int_eq(r.status, 3);
    ck_assert_str_eq(jstr(r.json, "0.input_hashes.0.sha256"), want);
    ck_assert(jis_null(r.json, "1.input_hashes.0.sha256"));
    ck_assert_str_eq(jstr(r.json, "1.input_hashes.0.code"), "not-found");
    e2e_free(&r);
}
END_TEST

START_TEST(version_lists_every_library)
{
    e2e_run r;
    const char *args[] = {"--version", NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "patchlevel "));
    for (size_t i = 0; i < NLIBS; i++) {
        char line[64];
        snprintf(line, sizeof line, "\n%s ", libraries[i]);
        ck_assert_msg(strstr(r.out, line), "--version does not list %s:\n%s", libraries[i], r.out);
    }
    e2e_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e-provenance");
    TCase *tc = tcase_create("provenance");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, provenance_names_tool_libraries_catalog_and_time);
    tcase_add_test(tc, options_that_change_answers_are_recorded);
    tcase_add_test(tc, input_mtime_is_iso_with_the_epoch_beside_it);
    tcase_add_test(tc, hash_covers_every_segment);
    tcase_add_test(tc, hash_covers_a_chain_child_first);
    tcase_add_test(tc, hash_of_an_input_that_is_not_understood);
    tcase_add_test(tc, version_lists_every_library);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
