/* End to end: the rollup catalog. The newest installed rollup, how far
 * behind, what is missing, security-only updates recognised as such, the
 * kernel revision placed in its month, and --catalog (a user's catalog, a
 * malformed one). Expected answers: fixtures/README.md and
 * data/ws2008-sp2-catalog.csv. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check_main.h"
#include "e2e.h"

static json_object *updates_of(e2e_run *r, const char *tree, const char *catalog)
{
    char rel[128];
    snprintf(rel, sizeof rel, "trees/%s", tree);
    const char *with[] = {"-f", "json", "--catalog", catalog, e2e_fixture(rel), NULL};
    const char *without[] = {"-f", "json", e2e_fixture(rel), NULL};
    e2e_exec(r, catalog ? with : without);
    ck_assert_msg(r->status == 0, "%s: exit %d: %s", tree, r->status, r->err);
    return jget(r->json, "installations.0.updates");
}

START_TEST(fully_patched_through_2023_01)
{
    e2e_run r;
    json_object *u = updates_of(&r, "ws2008-6003-full", NULL);
    ck_assert_str_eq(jstr(u, "latest_rollup.kb"), "KB5022340");
    ck_assert_str_eq(jstr(u, "latest_rollup.release_date"), "2023-01-10");
    ck_assert_str_eq(jstr(u, "latest_rollup.kind"), "monthly-rollup");
    /* current for the esu channel it proves (the Azure and Premium
     * Assurance months are counted in behind, test_e2e_servicing.c) */
    ck_assert_int_eq(jint(u, "rollups_behind"), 0);
    ck_assert_int_eq(jlen(u, "missing_rollups"), 0);
    ck_assert_int_eq(jlen(u, "missing_prerequisites"), 0);
    ck_assert_int_eq(jlen(u, "kbs_superseded"), 46);
    ck_assert(jis_null(u, "kernel_note"));
    e2e_free(&r);
}
END_TEST

START_TEST(newest_update_security_only)
{
    e2e_run r;
    json_object *u = updates_of(&r, "ws2008-6003-seconly", NULL);
    /* the newest monthly rollup, not the newer security-only update */
    ck_assert_str_eq(jstr(u, "latest_rollup.kb"), "KB5011534");
    /* the security-only updates of 2022-04 and 2022-05 cover those months */
    ck_assert_int_eq(jint(u, "rollups_behind"), 8);
    /* the security-only update is recognised as what it is */
    json_object *so = jfind(u, "catalog_updates_installed", "kb", "KB5014006");
    ck_assert_ptr_nonnull(so);
    ck_assert_str_eq(jstr(so, "kind"), "security-only");
    ck_assert_str_eq(jstr(u, "catalog_updates_installed.0.kb"), "KB5014006"); /* newest first */
    /* the kernel is newer than the newest rollup explains: said, with why */
    ck_assert_str_eq(jstr(u, "kernel_rollup.kb"), "KB5014010");
    ck_assert(strstr(jstr(u, "kernel_note"), "newer than the newest installed rollup KB5011534"));
    ck_assert(strstr(jstr(u, "kernel_note"), "KB5014006"));
    e2e_free(&r);
}
END_TEST

START_TEST(pending_server_misses_prerequisites)
{
    e2e_run r;
    json_object *u = updates_of(&r, "ws2008-pending-6003", NULL);
    ck_assert_str_eq(jstr(u, "latest_rollup.kb"), "KB4489880");
    ck_assert_str_eq(jstr(u, "missing_rollups.0.kb"), "KB4493471");
    ck_assert_ptr_nonnull(jfind(u, "missing_prerequisites", "kb", "KB4474419"));
    ck_assert_str_eq(jstr(jfind(u, "missing_prerequisites", "kb", "KB4474419"), "kind"), "sha2");
    /* the SSU is installed, so it is not asked for */
    ck_assert_ptr_null(jfind(u, "missing_prerequisites", "kb", "KB4493730"));
    e2e_free(&r);
}
END_TEST

START_TEST(nothing_installed_counts_from_the_first_6003_rollup)
{
    e2e_run r;
    json_object *u = updates_of(&r, "ws2008-6002-base", NULL);
    ck_assert(jis_null(u, "latest_rollup"));
    ck_assert_str_eq(jstr(u, "missing_rollups.0.kb"), "KB4493471");
    ck_assert_int_eq(jint(u, "rollups_behind"), 46);   /* 2019-04 .. 2023-01 */
    /* the SSU of the era: the newest before the January 2023 rollup */
    ck_assert_ptr_nonnull(jfind(u, "missing_prerequisites", "kb", "KB5010452"));
    e2e_free(&r);
}
END_TEST

START_TEST(not_nt60_or_unreadable_store_is_not_determined)
{
    const char *trees[] = {"ws2008r2-7601", "damaged-hive"};
    for (size_t i = 0; i < 2; i++) {
        e2e_run r;
        json_object *u = updates_of(&r, trees[i], NULL);
        ck_assert(jis_null(u, "latest_rollup"));
        ck_assert(jis_null(u, "missing_rollups"));
        e2e_free(&r);
    }
}
END_TEST

static char *write_temp(const char *content)
{
    char *path = strdup("/tmp/pl-catalog-XXXXXX");
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    ck_assert(write(fd, content, strlen(content)) == (ssize_t)strlen(content));
    close(fd);
    return path;
}

START_TEST(user_catalog_replaces_the_shipped_one)
{
    char *cat = write_temp("# my own\n"
                           "kb,release_date,kind,kernel_version,source\n"
                           "KB4493471,2019-04-09,monthly-rollup,6.0.6003.20489,test\n"
                           "KB5014010,2022-05-10,monthly-rollup,6.0.6003.21481,test\n"
                           "KB9999999,2030-01-14,monthly-rollup,,\"future, made up\"\n");
    e2e_run r;
    json_object *u = updates_of(&r, "ws2008-6003-rollups", cat);
    ck_assert_str_eq(jstr(u, "latest_rollup.kb"), "KB5014010");
    /* a 2030 row is of the premium-assurance channel (by its date); the
     * server proves esu, so it is counted there only */
    ck_assert_int_eq(jint(u, "rollups_behind"), 0);
    ck_assert_int_eq(jint(u, "behind.premium_assurance"), 1);
    ck_assert_int_eq(jlen(u, "next_steps"), 0);
    e2e_free(&r);
    unlink(cat);
    free(cat);
}
END_TEST

START_TEST(malformed_catalog_is_a_usage_error_with_its_line)
{
    char *cat = write_temp("kb,release_date,kind\n"
                           "KB4493471,2019-04-09,monthly-rollup\n"
                           "KB5014010,2022-05-10,quarterly\n");
    e2e_run r;
    const char *args[] = {"--catalog", cat, e2e_fixture("trees/ws2008-6003-rollups"), NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 2);
    char expect[128];
    snprintf(expect, sizeof expect, "patchlevel: %s:3: ", cat);
    ck_assert_msg(strstr(r.err, expect), "stderr: %s", r.err);
    e2e_free(&r);
    unlink(cat);
    free(cat);
    const char *missing[] = {"--catalog", "/nonexistent.csv", e2e_fixture("trees/ws2008-6003-rollups"),
                             NULL};
    e2e_exec(&r, missing);
    ck_assert_int_eq(r.status, 2);
    ck_assert(strstr(r.err, "/nonexistent.csv"));
    e2e_free(&r);
}
END_TEST

START_TEST(text_says_how_far_behind)
{
    e2e_run r;
    const char *args[] = {e2e_fixture("trees/ws2008-6003-rollups"), NULL};
    e2e_exec(&r, args);
    ck_assert(strstr(r.out, "Rollup:      KB5014010 (2022-05-10), 8 monthly rollups behind for "
                            "the esu channel"));
    e2e_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e-rollups");
    TCase *tc = tcase_create("rollups");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, fully_patched_through_2023_01);
    tcase_add_test(tc, newest_update_security_only);
    tcase_add_test(tc, pending_server_misses_prerequisites);
    tcase_add_test(tc, nothing_installed_counts_from_the_first_6003_rollup);
    tcase_add_test(tc, not_nt60_or_unreadable_store_is_not_determined);
    tcase_add_test(tc, user_catalog_replaces_the_shipped_one);
    tcase_add_test(tc, malformed_catalog_is_a_usage_error_with_its_line);
    tcase_add_test(tc, text_says_how_far_behind);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
