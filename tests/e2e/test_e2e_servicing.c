/* End to end: the servicing model (spec section 3 "Servicing model") on
 * the fixture trees, in JSON, text and CSV: a server at the January 2023
 * rollup, one with security-only updates after its last rollup, one in
 * the Premium Assurance era, a Vista at 6003, a 6002 server with nothing,
 * and an unreadable store. Expected answers: fixtures/README.md
 * ("Servicing model") and data/ws2008-sp2-catalog.csv. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check_main.h"
#include "e2e.h"

static json_object *updates_of(e2e_run *r, const char *tree)
{
    char rel[128];
    snprintf(rel, sizeof rel, "trees/%s", tree);
    const char *args[] = {"-f", "json", e2e_fixture(rel), NULL};
    e2e_exec(r, args);
    ck_assert_msg(r->status == 0, "%s: exit %d: %s", tree, r->status, r->err);
    return jget(r->json, "installations.0.updates");
}

static char *run_format(const char *tree, const char *fmt)
{
    char rel[128];
    snprintf(rel, sizeof rel, "trees/%s", tree);
    const char *args[] = {"-f", fmt, e2e_fixture(rel), NULL};
    e2e_run r;
    e2e_exec(&r, args);
    ck_assert_msg(r.status == 0, "%s: exit %d: %s", tree, r.status, r.err);
    char *out = strdup(r.out);
    e2e_free(&r);
    return out;
}

static void ck_behind(json_object *u, int64_t esu, int64_t azure, int64_t pa)
{
    ck_assert_int_eq(jint(u, "behind.esu"), esu);
    ck_assert_int_eq(jint(u, "behind.azure"), azure);
    ck_assert_int_eq(jint(u, "behind.premium_assurance"), pa);
}

/* The CSV cells of the servicing columns, in order. */
static void ck_csv(const char *tree, const char *expected)
{
    char *out = run_format(tree, "csv");
    ck_assert_msg(strstr(out, expected), "%s: no \"%s\" in\n%s", tree, expected, out);
    free(out);
}

static void ck_text(const char *tree, const char *expected)
{
    char *out = run_format(tree, "text");
    ck_assert_msg(strstr(out, expected), "%s: no \"%s\" in\n%s", tree, expected, out);
    free(out);
}

START_TEST(server_at_the_january_2023_rollup)
{
    e2e_run r;
    json_object *u = updates_of(&r, "ws2008-6003-full");
    ck_assert_str_eq(jstr(u, "security_level.month"), "2023-01");
    ck_assert_str_eq(jstr(u, "security_level.via"), "KB5022340");
    ck_assert_str_eq(jstr(u, "security_level.kind"), "monthly-rollup");
    ck_assert_str_eq(jstr(u, "channel.name"), "esu");
    ck_assert_str_eq(jstr(u, "channel.via"), "KB5022340");
    ck_behind(u, 0, 12, 36);
    ck_assert_int_eq(jint(u, "rollups_behind"), 0);
    ck_assert_int_eq(jlen(u, "next_steps"), 0);
    ck_assert_str_eq(jstr(u, "timeline.build_6003_arrived"), "2019-04-16T02:26:17Z");
    ck_assert_str_eq(jstr(u, "timeline.newest_install"), "2023-01-17T02:45:40Z");
    ck_assert_ptr_nonnull(jfind(u, "timeline.rollups", "kb", "KB5022340"));
    /* the catalog the answers rest on */
    ck_assert_str_eq(jstr(r.json, "catalog.newest"), "2026-01-13");
    ck_assert_int_eq((int)strlen(jstr(r.json, "catalog.sha256")), 64);
    e2e_free(&r);
    ck_text("ws2008-6003-full", "Security:    2023-01 via KB5022340 (monthly rollup); channel esu");
    ck_text("ws2008-6003-full", "Behind:      esu 0, azure 12, premium-assurance 36");
    ck_text("ws2008-6003-full", "Next steps:  none: current for its channel");
    ck_text("ws2008-6003-full", "newest row 2026-01-13, sha256 ");
    ck_csv("ws2008-6003-full", ",2023-01,KB5022340,monthly-rollup,esu,0,12,36,none,");
}
END_TEST

START_TEST(server_with_security_only_updates)
{
    e2e_run r;
    json_object *u = updates_of(&r, "ws2008-6003-seconly");
    ck_assert_str_eq(jstr(u, "security_level.month"), "2022-05");
    ck_assert_str_eq(jstr(u, "security_level.via"), "KB5014006");
    ck_assert_str_eq(jstr(u, "security_level.kind"), "security-only");
    ck_assert_str_eq(jstr(u, "channel.name"), "esu");
    ck_behind(u, 8, 20, 44);
    ck_assert_int_eq(jint(u, "rollups_behind"), 8);
    ck_assert_str_eq(jstr(u, "next_steps.0.kind"), "ssu");
    ck_assert_str_eq(jstr(u, "next_steps.0.kb"), "KB5010452");
    ck_assert_str_eq(jstr(u, "next_steps.1.kb"), "KB5022340");
    ck_assert_int_eq(jlen(u, "next_steps"), 2);
    ck_assert_str_eq(jstr(u, "missing_prerequisites.0.needed_by.0"), "KB5014752");
    e2e_free(&r);
    ck_text("ws2008-6003-seconly", "Security:    2022-05 via KB5014006 (security-only)");
    ck_text("ws2008-6003-seconly", "    1. install KB5010452 (ssu): ");
    ck_text("ws2008-6003-seconly", "is installed; needed by KB5014752 and 7 later");
    ck_text("ws2008-6003-seconly", "    2. install KB5022340 (monthly-rollup): newest rollup of the esu");
    ck_csv("ws2008-6003-seconly", ",2022-05,KB5014006,security-only,esu,8,20,44,"
                                  "install KB5010452 (ssu); install KB5022340 (monthly-rollup),");
}
END_TEST

START_TEST(server_in_the_premium_assurance_era)
{
    e2e_run r;
    json_object *u = updates_of(&r, "ws2008-6003-premium");
    ck_assert_str_eq(jstr(u, "security_level.month"), "2025-02");
    ck_assert_str_eq(jstr(u, "security_level.via"), "KB5052038");
    ck_assert_str_eq(jstr(u, "channel.name"), "premium-assurance");
    ck_behind(u, 0, 0, 11);
    ck_assert_int_eq(jint(u, "rollups_behind"), 11);
    /* the months after it exist, their KBs are not known */
    ck_assert(jis_null(u, "missing_rollups.10.kb"));
    ck_assert_str_eq(jstr(u, "missing_rollups.10.release_date"), "2026-01-13");
    ck_assert_int_eq(jlen(u, "next_steps"), 1);
    ck_assert(jis_null(u, "next_steps.0.kb"));
    ck_assert(strstr(jstr(u, "next_steps.0.why"), "KB unknown"));
    /* the kernel is newer than every kernel the catalog knows */
    ck_assert_int_eq(jbool(u, "kernel_rollup_after"), 1);
    e2e_free(&r);
    ck_text("ws2008-6003-premium", "2026-01 (KB unknown)");
    ck_text("ws2008-6003-premium", "    1. install (KB unknown) (monthly-rollup)");
    ck_csv("ws2008-6003-premium", ",2025-02,KB5052038,monthly-rollup,premium-assurance,0,0,11,"
                                  "install KB unknown (monthly-rollup),");
}
END_TEST

START_TEST(vista_at_6003)
{
    e2e_run r;
    json_object *u = updates_of(&r, "vista-x86-6003");
    ck_assert_str_eq(jstr(u, "security_level.month"), "2019-04");
    ck_assert_int_eq(jbool(u, "channel.client"), 1);
    ck_assert_int_eq(jbool(u, "channel.esu_eligible"), 0);
    ck_assert(jis_null(u, "behind.esu"));
    ck_assert(jis_null(u, "behind.azure"));
    ck_assert(jis_null(u, "behind.premium_assurance"));
    ck_assert_ptr_null(jfind(u, "missing_prerequisites", "kind", "esu-licensing"));
    ck_assert_ptr_null(jfind(u, "next_steps", "kind", "esu-licensing"));
    ck_assert(strstr(jstr(u, "servicing_notes.0"), "made for Windows Server 2008"));
    e2e_free(&r);
    ck_text("vista-x86-6003", "Behind:      esu not eligible, azure not eligible");
    ck_csv("vista-x86-6003", ",2019-04,KB4493471,monthly-rollup,public,,,,");
}
END_TEST

START_TEST(server_at_6002_with_nothing)
{
    e2e_run r;
    json_object *u = updates_of(&r, "ws2008-6002-base");
    ck_assert(jis_null(u, "security_level"));
    ck_assert_str_eq(jstr(u, "channel.name"), "public");
    ck_assert(jis_null(u, "channel.via"));
    ck_behind(u, 46, 58, 82);
    const char *kinds[] = {"ssu", "sha2", "rollup-level", "esu-licensing", "monthly-rollup"};
    const char *kbs[] = {"KB5010452", "KB4474419", "KB4520002", "KB4575904", "KB5022340"};
    ck_assert_int_eq(jlen(u, "next_steps"), 5);
    for (int i = 0; i < 5; i++) {
        char path[32];
        snprintf(path, sizeof path, "next_steps.%d.kind", i);
        ck_assert_str_eq(jstr(u, path), kinds[i]);
        snprintf(path, sizeof path, "next_steps.%d.kb", i);
        ck_assert_str_eq(jstr(u, path), kbs[i]);
    }
    ck_assert(strstr(jstr(u, "next_steps.3.why"), "activate an ESU key"));
    e2e_free(&r);
    ck_text("ws2008-6002-base", "Security:    no month of the catalog covered; channel public");
    ck_csv("ws2008-6002-base", ",,,,public,46,58,82,install KB5010452 (ssu); install KB4474419");
}
END_TEST

/* A reboot waits: the first step, from the pending signals. */
START_TEST(pending_reboot_is_the_first_step)
{
    e2e_run r;
    json_object *u = updates_of(&r, "ws2008-pending-6003");
    ck_assert_str_eq(jstr(u, "next_steps.0.action"), "reboot");
    ck_assert_str_eq(jstr(u, "next_steps.0.why"), "KB4493471 waits for a reboot");
    ck_assert_str_eq(jstr(u, "next_steps.1.kind"), "ssu");
    e2e_free(&r);
}
END_TEST

/* Unknown is never "no": an unreadable store gives null everywhere. */
START_TEST(unreadable_store_is_null)
{
    e2e_run r;
    json_object *u = updates_of(&r, "damaged-hive");
    const char *keys[] = {"security_level", "channel", "behind", "next_steps", "timeline"};
    for (size_t i = 0; i < 5; i++)
        ck_assert_msg(jis_null(u, keys[i]), "%s is not null", keys[i]);
    e2e_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e-servicing");
    TCase *tc = tcase_create("servicing");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, server_at_the_january_2023_rollup);
    tcase_add_test(tc, server_with_security_only_updates);
    tcase_add_test(tc, server_in_the_premium_assurance_era);
    tcase_add_test(tc, vista_at_6003);
    tcase_add_test(tc, server_at_6002_with_nothing);
    tcase_add_test(tc, pending_reboot_is_the_first_step);
    tcase_add_test(tc, unreadable_store_is_null);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
