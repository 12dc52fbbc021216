/* pl_hive_values (src/evidence/hive.c), the one-pass lookup of several
 * values, against hivex_node_get_value, the lookup it replaces, on every
 * key of a fixture SOFTWARE hive: the same handle for every name, in any
 * case, present or not, named twice. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check_main.h"
#include "evidence/hive.h"

static uint8_t *load(const char *rel, size_t *len)
{
    return pl_test_read_file(pl_test_fixture(rel), len);
}

static const char *const names[] = {
    "CurrentState", "installname", "INSTALLCLIENT", "InstallUser", "InstallLocation",
    "Visibility",   "InstallTimeHigh", "InstallTimeLow", "ProductName", "CurrentBuild",
    "no such value", "", "CurrentState"};
#define NNAMES (sizeof names / sizeof *names)

/* Every key below node (depth-first, bounded), checked; the number of
 * values found is added to *found. */
static size_t check_tree(pl_hive *hive, hive_node_h node, int depth, size_t *found)
{
    size_t keys = 1;
    hive_value_h got[NNAMES];
    pl_hive_values(hive, node, names, NNAMES, got);
    for (size_t i = 0; i < NNAMES; i++) {
        hive_value_h want = hivex_node_get_value(hive->h, node, names[i]);
        ck_assert_msg(got[i] == want, "key %zu, value \"%s\": %zu, hivex %zu", (size_t)node,
                      names[i], (size_t)got[i], (size_t)want);
        *found += got[i] != 0;
    }
    hive_node_h *kids = depth < 12 ? hivex_node_children(hive->h, node) : NULL;
    for (size_t i = 0; kids && kids[i]; i++)
        keys += check_tree(hive, kids[i], depth + 1, found);
    free(kids);
    return keys;
}

START_TEST(one_pass_finds_what_hivex_finds_name_by_name)
{
    size_t len;
    uint8_t *data = load("trees/ws2008-pending-6003/Windows/System32/config/SOFTWARE", &len);
    pl_hive hive;
    pl_err err;
    ck_assert_int_eq(pl_hive_open_mem(data, len, &hive, &err), 0);
    size_t found = 0;
    size_t keys = check_tree(&hive, hivex_root(hive.h), 0, &found);
    ck_assert_uint_ge(keys, 15);
    ck_assert_uint_ge(found, 40);   /* the package values and CurrentVersion's (56) */
    pl_hive_close(&hive);
    free(data);
}
END_TEST

START_TEST(no_node_no_values)
{
    size_t len;
    uint8_t *data = load("trees/ws2008-pending-6003/Windows/System32/config/SOFTWARE", &len);
    pl_hive hive;
    pl_err err;
    ck_assert_int_eq(pl_hive_open_mem(data, len, &hive, &err), 0);
    hive_value_h got[NNAMES];
    memset(got, 0xff, sizeof got);
    pl_hive_values(&hive, 0, names, NNAMES, got);
    for (size_t i = 0; i < NNAMES; i++)
        ck_assert_uint_eq(got[i], 0);
    ck_assert_ptr_null(pl_hive_string_at(&hive, 0));
    uint32_t d = 7;
    ck_assert_int_eq(pl_hive_dword_at(&hive, 0, &d), 0);
    ck_assert_uint_eq(d, 7);
    pl_hive_close(&hive);
    free(data);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("hive");
    TCase *tc = tcase_create("values");
    tcase_add_test(tc, one_pass_finds_what_hivex_finds_name_by_name);
    tcase_add_test(tc, no_node_no_values);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pl_run_suite(suite());
}
