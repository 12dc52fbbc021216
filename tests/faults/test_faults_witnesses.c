/* Faults: a witness (a hive, a manifest) is missing or unreadable inside an
 * otherwise good installation. Every answer that rests on it is unknown,
 * with a reason naming it — never an empty list or false — and the answers
 * that rest on other witnesses are still given. Inputs: copies of
 * fixtures/trees/ws2008-6003-rollups with one witness removed or damaged. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check_main.h"
#include "faults.h"

#define ESU_PREP "Microsoft-Windows-Licensing-ESU-Preparation-Package~31bf3856ad364e35~amd64~~6.0.1.2"

/* A copy of the rollups tree in a fresh directory; *dir gets the directory. */
static char *rollups_tree(char **dir)
{
    *dir = fault_tmpdir();
    char *tree = fault_join(*dir, "srv");
    fault_copy(e2e_fixture("trees/ws2008-6003-rollups"), tree);
    return tree;
}

static json_object *analyze(e2e_run *r, const char *tree)
{
    json_object *o = fault_run(r, tree);
    ck_assert_int_eq(r->status, 0);
    ck_assert_int_eq(jlen(o, "installations"), 1);
    return jget(o, "installations.0");
}

static void expect_unknown_signal(json_object *i, const char *id, const char *reason)
{
    json_object *s = jfind(i, "pending.unknown_signals", "signal", id);
    ck_assert_msg(s != NULL, "%s is not unknown", id);
    ck_assert_str_eq(jstr(s, "reason"), reason);
}

/* No SYSTEM hive: file renames, a computer rename and a domain join cannot
 * be judged, so "not pending" cannot be said; the servicing answer, which
 * rests on SOFTWARE and the file system only, still can. */
START_TEST(missing_system_hive)
{
    char *dir, *tree = rollups_tree(&dir);
    char *sys = fault_join(tree, "Windows/System32/config/SYSTEM");
    ck_assert_int_eq(unlink(sys), 0);
    e2e_run r;
    json_object *i = analyze(&r, tree);
    const char *why = "SYSTEM hive unreadable: not found (Windows/System32/config/SYSTEM)";
    ck_assert(jis_null(i, "pending.reboot_required"));
    ck_assert_str_eq(jstr(i, "pending.reboot_required_unknown"),
                     "pending-file-rename-operations: SYSTEM hive unreadable: not found "
                     "(Windows/System32/config/SYSTEM)");
    ck_assert_int_eq(jbool(i, "pending.servicing_reboot_required"), 0);
    expect_unknown_signal(i, "pending-file-rename-operations", why);
    expect_unknown_signal(i, "pending-file-rename-operations2", why);
    expect_unknown_signal(i, "computer-rename", why);
    expect_unknown_signal(i, "domain-join", why);
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "yes");
    e2e_free(&r);
    free(sys);
    free(tree);
    fault_rmrf(dir);
    free(dir);
}
END_TEST

/* A SYSTEM hive that hivex refuses: the same, with hivex's reason. */
START_TEST(garbage_system_hive)
{
    char *dir, *tree = rollups_tree(&dir);
    char *sys = fault_join(tree, "Windows/System32/config/SYSTEM");
    char junk[8192];
    memset(junk, 'x', sizeof junk);
    fault_write(sys, junk, sizeof junk);
    e2e_run r;
    json_object *i = analyze(&r, tree);
    ck_assert(jis_null(i, "pending.reboot_required"));
    json_object *s = jfind(i, "pending.unknown_signals", "signal", "pending-file-rename-operations");
    ck_assert_ptr_nonnull(s);
    ck_assert(strncmp(jstr(s, "reason"), "SYSTEM hive unreadable: ", 24) == 0);
    e2e_free(&r);
    free(sys);
    free(tree);
    fault_rmrf(dir);
    free(dir);
}
END_TEST

/* The ESU licensing package names its KB only in its .mum. With the .mum
 * gone (or cut), the registry still says the package is installed: the ESU
 * prerequisite must not be reported missing, and no rollup either. */
static void expect_esu_prep_unidentified(const char *tree)
{
    e2e_run r;
    json_object *i = analyze(&r, tree);
    ck_assert(jhas(i, "updates.unidentified_packages", ESU_PREP));
    ck_assert(!jhas(i, "updates.kbs_installed", "KB4575904"));
    ck_assert(jis_null(i, "updates.missing_prerequisites"));
    ck_assert(jis_null(i, "updates.missing_rollups"));
    ck_assert(jis_null(i, "updates.latest_rollup"));
    ck_assert(strstr(jstr(i, "updates.rollups_unknown"), "whose KB could not be read"));
    /* what the registry and the other manifests say is still reported */
    ck_assert(jhas(i, "updates.kbs_installed", "KB5014010"));
    ck_assert(jis_null(i, "updates.kbs_unknown"));
    e2e_free(&r);
}

START_TEST(missing_manifest_of_a_package_named_without_kb)
{
    char *dir, *tree = rollups_tree(&dir);
    char *mum = fault_join(tree, "Windows/servicing/Packages/" ESU_PREP ".mum");
    ck_assert_int_eq(unlink(mum), 0);
    expect_esu_prep_unidentified(tree);
    free(mum);
    free(tree);
    fault_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(cut_manifest_of_a_package_named_without_kb)
{
    char *dir, *tree = rollups_tree(&dir);
    char *mum = fault_join(tree, "Windows/servicing/Packages/" ESU_PREP ".mum");
    const char cut[] = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<assembly manifestVersion=";
    fault_write(mum, cut, sizeof cut - 1);
    expect_esu_prep_unidentified(tree);
    free(mum);
    free(tree);
    fault_rmrf(dir);
    free(dir);
}
END_TEST

/* No servicing\Packages directory at all: every package named without its
 * KB is unidentified. */
START_TEST(missing_packages_directory)
{
    char *dir, *tree = rollups_tree(&dir);
    char *pkgs = fault_join(tree, "Windows/servicing");
    fault_rmrf(pkgs);
    expect_esu_prep_unidentified(tree);
    free(pkgs);
    free(tree);
    fault_rmrf(dir);
    free(dir);
}
END_TEST

/* A SOFTWARE hive salvaged with a bin lost: what it still holds is
 * reported, marked incomplete; what rests on absence (missing rollups, "not
 * pending") is unknown. A salvage that lost nothing (only the checksum was
 * wrong) leaves every answer as it was. */
START_TEST(salvaged_software_hive_with_a_lost_bin)
{
    char *dir, *tree = rollups_tree(&dir);
    char *sw = fault_join(tree, "Windows/System32/config/SOFTWARE");
    fault_copy(fault_fixture("hives/SOFTWARE-zeroed-bin"), sw);
    e2e_run r;
    json_object *i = analyze(&r, tree);
    const char *why = "the SOFTWARE hive was salvaged from damage and part of it is lost (see "
                      "os.software_hive_state)";
    ck_assert_str_eq(jstr(i, "os.software_hive_state.state"), "salvaged");
    ck_assert_str_eq(jstr(i, "updates.kbs_incomplete"), why);
    ck_assert(jhas(i, "updates.kbs_installed", "KB5014010"));
    ck_assert_str_eq(jstr(i, "updates.rollups_unknown"), why);
    ck_assert(jis_null(i, "updates.missing_rollups"));
    ck_assert(jis_null(i, "pending.servicing_reboot_required"));
    expect_unknown_signal(i, "cbs-reboot-pending", why);
    e2e_free(&r);
    fault_copy(fault_fixture("hives/SOFTWARE-bad-checksum"), sw);
    i = analyze(&r, tree);
    ck_assert_str_eq(jstr(i, "os.software_hive_state.state"), "salvaged");
    ck_assert(jis_null(i, "updates.kbs_incomplete"));
    ck_assert(jis_null(i, "updates.rollups_unknown"));
    e2e_free(&r);
    free(sw);
    free(tree);
    fault_rmrf(dir);
    free(dir);
}
END_TEST

/* A hive that could not be read says so in its state. */
START_TEST(unreadable_hive_state_is_not_clean)
{
    char *dir, *tree = rollups_tree(&dir);
    char *sys = fault_join(tree, "Windows/System32/config/SYSTEM");
    ck_assert_int_eq(unlink(sys), 0);
    e2e_run r;
    json_object *i = analyze(&r, tree);
    ck_assert_str_eq(jstr(i, "os.system_hive_state.state"), "unreadable");
    ck_assert_str_eq(jstr(i, "os.software_hive_state.state"), "clean");
    e2e_free(&r);
    free(sys);
    free(tree);
    fault_rmrf(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults-witnesses");
    TCase *tc = tcase_create("witnesses");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, missing_system_hive);
    tcase_add_test(tc, garbage_system_hive);
    tcase_add_test(tc, missing_manifest_of_a_package_named_without_kb);
    tcase_add_test(tc, cut_manifest_of_a_package_named_without_kb);
    tcase_add_test(tc, missing_packages_directory);
    tcase_add_test(tc, salvaged_software_hive_with_a_lost_bin);
    tcase_add_test(tc, unreadable_hive_state_is_not_clean);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
