/* Faults: damaged registry hives, given bare and inside a tree (a copy of
 * the good tree whose SOFTWARE is replaced). A damaged hive whose root key
 * is intact is salvaged (read in part, flagged "salvaged"); one that does
 * not open is an error of a bare-hive input and a warning of an
 * installation; a key loop is reported and not followed. Inputs:
 * fixtures/faults/hives; test_faults_salvage.c compares the salvage with
 * libregf's. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "../check_main.h"
#include "faults.h"

#define CHECKSUM_SALVAGE                                                                      \
    "dirty hive (base block checksum is wrong): no transaction log found; values are from "   \
    "the stale primary file; salvaged from a damaged hive: the base block checksum is wrong " \
    "(stored 0x481654da, computed 0x481654db); the hive bins (bytes 4096-16383) are sound "   \
    "and were read"
#define TRUNCATED_SALVAGE                                                                     \
    "salvaged from a damaged hive: the file is cut at byte 10000 inside the hive bin at byte " \
    "8192 (the bins should end at byte 16384): keys and values stored from byte 8192 on are " \
    "lost; bins 4096-8191 used"
#define NO_CURRENT_VERSION                                                                    \
    "SOFTWARE hive has no Microsoft\\Windows NT\\CurrentVersion key (is it a SOFTWARE hive?)"
#define ROOT_LOST_WHY                                                                         \
    "no hive bin (\"hbin\") at offset 0x1000; nothing to salvage: the root key (cell offset " \
    "0x20) lies in the damaged or missing hive bins"
#define LOOP_WARNING                                                                           \
    "SOFTWARE hive: the CBS Packages key lists the key \"Component Based Servicing\", its own " \
    "ancestor, as a subkey (a key loop): not read as a package"

/* A wrong base block checksum over sound bins: everything is read, and
 * flagged as salvaged down to the verdict's evidence. */
START_TEST(bare_hive_bad_checksum)
{
    e2e_run r;
    const char *input = fault_fixture("hives/SOFTWARE-bad-checksum");
    json_object *o = fault_run(&r, input);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(o, "errors"), 0);
    json_object *i = jget(o, "installations.0");
    const char *const warnings[] = {"SOFTWARE hive SOFTWARE: " CHECKSUM_SALVAGE, NULL};
    fault_expect_warnings(i, warnings);
    ck_assert_str_eq(jstr(i, "os.software_hive_state.state"), "salvaged");
    ck_assert_str_eq(jstr(i, "os.software_hive_state.detail"), CHECKSUM_SALVAGE);
    ck_assert_int_eq(jlen(i, "updates.packages"), 4);
    ck_assert_str_eq(jstr(i, "os.current_build_number"), "6002");
    ck_assert_str_eq(jstr(i, "build6003.evidence.0.source"),
                     "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\CurrentBuildNumber "
                     "(salvaged from a damaged hive)");
    e2e_free(&r);
}
END_TEST

/* Cut inside the second of three bins: only the first is kept, and it
 * holds the root key but not its subkey list. */
START_TEST(bare_hive_truncated_bin)
{
    e2e_run r;
    const char *input = fault_fixture("hives/SOFTWARE-truncated-bin");
    json_object *o = fault_run(&r, input);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(o, "errors"), 0);
    json_object *i = jget(o, "installations.0");
    const char *const warnings[] = {"SOFTWARE hive SOFTWARE: " TRUNCATED_SALVAGE,
                                    NO_CURRENT_VERSION, NULL};
    fault_expect_warnings(i, warnings);
    ck_assert_str_eq(jstr(i, "os.software_hive_state.state"), "salvaged");
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "unknown");
    e2e_free(&r);
}
END_TEST

/* The root key's bin is lost: nothing leads to any key, the hive stays
 * unreadable. */
START_TEST(bare_hive_root_lost)
{
    e2e_run r;
    const char *input = fault_fixture("hives/SOFTWARE-root-lost");
    json_object *o = fault_run(&r, input);
    fault_expect_error(&r, o, input, "cannot open the hive: " ROOT_LOST_WHY);
    ck_assert_int_eq(jlen(o, "installations"), 0);
    e2e_free(&r);
}
END_TEST

/* The Packages key's first subkey entry points at its parent, the CBS
 * key: three packages are read, the loop is a warning. */
START_TEST(bare_hive_key_loop)
{
    e2e_run r;
    const char *input = fault_fixture("hives/SOFTWARE-key-loop");
    json_object *o = fault_run(&r, input);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(o, "errors"), 0);
    json_object *i = jget(o, "installations.0");
    const char *const warnings[] = {LOOP_WARNING, NULL};
    fault_expect_warnings(i, warnings);
    ck_assert_int_eq(jlen(i, "updates.packages"), 3);
    ck_assert(jfind(i, "updates.packages", "identity", "Component Based Servicing") == NULL);
    ck_assert(jhas(i, "updates.kbs_installed", "KB3139398"));
    e2e_free(&r);
}
END_TEST

/* The same hives as the SOFTWARE of an installation. */
START_TEST(damaged_hives_in_a_tree)
{
    static const struct {
        const char *hive, *warning, *warning2, *verdict;
    } cases[] = {
        {"hives/SOFTWARE-bad-checksum",
         "SOFTWARE hive WINDOWS/system32/config/software: " CHECKSUM_SALVAGE, NULL, "no"},
        {"hives/SOFTWARE-truncated-bin",
         "SOFTWARE hive WINDOWS/system32/config/software: " TRUNCATED_SALVAGE,
         NO_CURRENT_VERSION, "unknown"},
        {"hives/SOFTWARE-root-lost",
         "SOFTWARE hive WINDOWS/system32/config/software: " ROOT_LOST_WHY, NULL, "unknown"},
        {"hives/SOFTWARE-key-loop", LOOP_WARNING, NULL, "no"},
    };
    char *dir = fault_tmpdir();
    for (size_t k = 0; k < 4; k++) {
        char name[16];
        snprintf(name, sizeof name, "tree%zu", k);
        char *tree = fault_good_tree(dir, name);
        char *sw = fault_join(tree, "WINDOWS/system32/config/software");
        fault_copy(fault_fixture(cases[k].hive), sw);
        e2e_run r;
        json_object *o = fault_run(&r, tree);
        ck_assert_int_eq(r.status, 0);
        ck_assert_int_eq(jlen(o, "errors"), 0);
        ck_assert_int_eq(jlen(o, "installations"), 1);
        json_object *i = jget(o, "installations.0");
        const char *const warnings[] = {cases[k].warning, cases[k].warning2, NULL};
        fault_expect_warnings(i, warnings);
        ck_assert_str_eq(jstr(i, "build6003.verdict"), cases[k].verdict);
        /* the kernel is still read */
        ck_assert_str_eq(jstr(i, "files.ntoskrnl.file_version"), "6.0.6002.18005");
        e2e_free(&r);
        free(sw);
        free(tree);
    }
    fault_rmrf(dir);
    free(dir);
}
END_TEST

/* A SYSTEM hive cut after its first bin: salvaged, and said so beside
 * the SOFTWARE hive's state; the kernel still gives the verdict. */
START_TEST(damaged_system_hive_in_a_tree)
{
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    char *sys = fault_join(tree, "WINDOWS/system32/config/system");
    char *good = fault_join(fault_fixture("../trees/ws2008-6002-base"),
                            "WINDOWS/system32/config/system");
    fault_copy_prefix(good, 8192, sys);
    e2e_run r;
    json_object *o = fault_run(&r, tree);
    ck_assert_int_eq(r.status, 0);
    json_object *i = jget(o, "installations.0");
    ck_assert_str_eq(jstr(i, "os.system_hive_state.state"), "salvaged");
    ck_assert_str_eq(jstr(i, "os.software_hive_state.state"), "clean");
    fault_expect_warning(i, "SYSTEM hive WINDOWS/system32/config/system: salvaged from a "
                            "damaged hive: the file ends at byte 8192, after a whole hive bin, "
                            "but the bins should end at byte 12288: keys and values stored from "
                            "byte 8192 on are lost; bins 4096-8191 used");
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "no");
    e2e_free(&r);
    free(good);
    free(sys);
    free(tree);
    fault_rmrf(dir);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults-hives");
    TCase *tc = tcase_create("hives");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, bare_hive_bad_checksum);
    tcase_add_test(tc, bare_hive_truncated_bin);
    tcase_add_test(tc, bare_hive_root_lost);
    tcase_add_test(tc, bare_hive_key_loop);
    tcase_add_test(tc, damaged_hives_in_a_tree);
    tcase_add_test(tc, damaged_system_hive_in_a_tree);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
