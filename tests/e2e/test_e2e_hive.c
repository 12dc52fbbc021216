/* End to end: a bare SOFTWARE hive gives a partial report; a damaged hive
 * is a clear error of that input. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "../check_main.h"

START_TEST(bare_software_hive_gives_a_partial_report)
{
    e2e_run r;
    const char *args[] = {"-f", "json",
                          e2e_fixture("trees/ws2008-6003-rollups/Windows/System32/config/SOFTWARE"),
                          NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(jstr(r.json, "container"), "hive");
    ck_assert_int_eq(jlen(r.json, "installations"), 1);
    json_object *i = jget(r.json, "installations.0");
    ck_assert(jis_null(i, "location.windows_dir"));
    ck_assert_str_eq(jstr(i, "location.filesystem"), "hive");
    ck_assert_str_eq(jstr(i, "os.product_name"), "Windows Server (R) 2008 Standard");
    ck_assert_int_eq(jint(i, "os.build"), 6003);
    /* one witness only: the verdict needs the kernel too */
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "unknown");
    ck_assert(strstr(jstr(i, "build6003.reason"), "registry alone says build 6003"));
    ck_assert(jis_null(i, "files.ntoskrnl"));
    ck_assert(jhas(i, "updates.kbs_installed", "KB5014010"));
    ck_assert(jhas(i, "updates.kbs_superseded", "KB4493471"));
    /* CBS is judged; without SYSTEM and the file system the rest is not,
     * so the reboot answer is unknown, not "not pending" */
    ck_assert(jis_null(i, "pending.reboot_required"));
    ck_assert(jis_null(i, "pending.servicing_reboot_required"));
    ck_assert_str_eq(jstr(jfind(i, "pending.unknown_signals", "signal", "pending-xml"), "reason"),
                     "a bare hive: there is no file system to look in");
    ck_assert_str_eq(jstr(jfind(i, "pending.unknown_signals", "signal", "domain-join"), "reason"),
                     "a bare SOFTWARE hive: no SYSTEM hive to read");
    ck_assert(jfind(i, "pending.unknown_signals", "signal", "cbs-reboot-pending") == NULL);
    e2e_free(&r);
}
END_TEST

START_TEST(damaged_bare_hive_is_an_input_error)
{
    e2e_run r;
    const char *args[] = {"-f", "json",
                          e2e_fixture("trees/damaged-hive/Windows/System32/config/SOFTWARE"), NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 3);
    ck_assert_int_eq(jlen(r.json, "installations"), 0);
    ck_assert(strstr(jstr(r.json, "errors.0"), "cannot open the hive: "));
    ck_assert(strstr(r.err, "patchlevel: "));
    ck_assert(strstr(r.err, "damaged-hive/Windows/System32/config/SOFTWARE: cannot open the hive"));
    e2e_free(&r);
}
END_TEST

START_TEST(system_hive_given_as_software_is_flagged)
{
    e2e_run r;
    const char *args[] = {"-f", "json",
                          e2e_fixture("trees/ws2008-6003-rollups/Windows/System32/config/SYSTEM"),
                          NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(jstr(r.json, "installations.0.build6003.verdict"), "unknown");
    ck_assert(strstr(jstr(r.json, "installations.0.warnings.0"), "is it a SOFTWARE hive?"));
    e2e_free(&r);
}
END_TEST

/* Dirty hives (sequence numbers differ) given bare, with their logs
 * beside them: replayed in memory before they are read. */
START_TEST(dirty_bare_hives_are_replayed)
{
    struct {
        const char *dir, *state, *logs;
    } cases[] = {{"dirty-old", "recovered", "SOFTWARE.LOG"},
                 {"dirty-old-log1", "recovered", "SOFTWARE.LOG1"},
                 {"dirty-new", "recovered", "SOFTWARE.LOG1 and SOFTWARE.LOG2"},
                 {"dirty-nolog", "dirty", NULL}};
    for (size_t i = 0; i < 4; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "hives-dirty/%s/SOFTWARE", cases[i].dir);
        e2e_run r;
        const char *args[] = {"-f", "json", e2e_fixture(rel), NULL};
        e2e_exec(&r, args);
        ck_assert_int_eq(r.status, 0);
        json_object *i0 = jget(r.json, "installations.0");
        ck_assert_str_eq(jstr(i0, "os.software_hive_state.state"), cases[i].state);
        if (cases[i].logs)
            ck_assert_str_eq(jstr(i0, "os.software_hive_state.logs"), cases[i].logs);
        /* the log turns KB5014752 from staged into installed */
        int installed = jhas(i0, "updates.kbs_installed", "KB5014752");
        ck_assert_int_eq(installed, cases[i].logs != NULL);
        ck_assert(strstr(jstr(i0, "warnings.0"), "dirty hive (sequence 3/2)"));
        e2e_free(&r);
    }
}
END_TEST

/* A tree whose SOFTWARE hive is dirty: the log brings it from 6002 to
 * 6003, and the evidence says the value comes from a recovered hive. */
START_TEST(dirty_hive_in_a_tree_is_replayed)
{
    e2e_run r;
    const char *args[] = {"-f", "json", e2e_fixture("trees-dirty/ws2008-dirty"), NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 0);
    json_object *i = jget(r.json, "installations.0");
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "yes");
    ck_assert_int_eq(jint(i, "os.build"), 6003);
    ck_assert_str_eq(jstr(i, "os.software_hive_state.state"), "recovered");
    json_object *ev = jget(i, "build6003.evidence.1");
    ck_assert(strstr(jstr(ev, "source"), "CurrentBuildNumber (recovered from the transaction logs)"));
    e2e_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e-hive");
    TCase *tc = tcase_create("hive");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, bare_software_hive_gives_a_partial_report);
    tcase_add_test(tc, damaged_bare_hive_is_an_input_error);
    tcase_add_test(tc, system_hive_given_as_software_is_flagged);
    tcase_add_test(tc, dirty_bare_hives_are_replayed);
    tcase_add_test(tc, dirty_hive_in_a_tree_is_replayed);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
