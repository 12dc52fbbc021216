/* Faults: damaged registry hives, given bare and inside a tree (a copy of
 * the good tree whose SOFTWARE is replaced). A hive that does not open is
 * an error of a bare-hive input and a warning of an installation; a key
 * loop is reported and not followed. Inputs: fixtures/faults/hives. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "../check_main.h"
#include "faults.h"

#define CHECKSUM_WHY                                                                          \
    "the base block checksum is wrong (stored 0x481654da, computed 0x481654db), and no "      \
    "transaction log repaired it"
#define TRUNCATED_WHY                                                                          \
    "truncated: the base block says the hive bins take 12288 bytes, but the file has 5904 "    \
    "bytes after the base block"
#define LOOP_WARNING                                                                           \
    "SOFTWARE hive: the CBS Packages key lists the key \"Component Based Servicing\", its own " \
    "ancestor, as a subkey (a key loop): not read as a package"

START_TEST(bare_hive_bad_checksum)
{
    e2e_run r;
    const char *input = fault_fixture("hives/SOFTWARE-bad-checksum");
    json_object *o = fault_run(&r, input);
    fault_expect_error(&r, o, input, "cannot open the hive: " CHECKSUM_WHY);
    ck_assert_int_eq(jlen(o, "installations"), 0);
    e2e_free(&r);
}
END_TEST

START_TEST(bare_hive_truncated_bin)
{
    e2e_run r;
    const char *input = fault_fixture("hives/SOFTWARE-truncated-bin");
    json_object *o = fault_run(&r, input);
    fault_expect_error(&r, o, input, "cannot open the hive: " TRUNCATED_WHY);
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
        const char *hive, *warning, *verdict;
    } cases[] = {
        {"hives/SOFTWARE-bad-checksum",
         "SOFTWARE hive WINDOWS/system32/config/software: " CHECKSUM_WHY, "unknown"},
        {"hives/SOFTWARE-truncated-bin",
         "SOFTWARE hive WINDOWS/system32/config/software: " TRUNCATED_WHY, "unknown"},
        {"hives/SOFTWARE-key-loop", LOOP_WARNING, "no"},
    };
    char *dir = fault_tmpdir();
    for (size_t k = 0; k < 3; k++) {
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
        const char *const warnings[] = {cases[k].warning, NULL};
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

int main(void)
{
    Suite *s = suite_create("faults-hives");
    TCase *tc = tcase_create("hives");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, bare_hive_bad_checksum);
    tcase_add_test(tc, bare_hive_truncated_bin);
    tcase_add_test(tc, bare_hive_key_loop);
    tcase_add_test(tc, damaged_hives_in_a_tree);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
