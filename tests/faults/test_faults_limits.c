/* Limits (src/util/limits.h): inputs over a limit are refused by their
 * size, before anything is read or allocated, with the limit in the
 * message. Oversized files are sparse, made here. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check_main.h"
#include "faults.h"
#include "util/limits.h"

/* A sparse file of size bytes that starts with head. */
static void sparse(const char *path, const char *head, unsigned long long size)
{
    fault_write(path, head, strlen(head));
    ck_assert_int_eq(truncate(path, (off_t)size), 0);
}

/* PL_MAX_HIVE_BYTES: the SOFTWARE of a tree, and a bare hive. */
START_TEST(hive_size_limit)
{
    ck_assert_uint_eq(PL_MAX_HIVE_BYTES, 1073741824ull);
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    char *sw = fault_join(tree, "WINDOWS/system32/config/software");
    sparse(sw, "regf", PL_MAX_HIVE_BYTES + 1);
    e2e_run r;
    json_object *o = fault_run(&r, tree);
    ck_assert_int_eq(r.status, 0);
    json_object *i = jget(o, "installations.0");
    const char *const warnings[] = {
        "SOFTWARE hive WINDOWS/system32/config/software: file is 1073741825 bytes, over the "
        "limit of 1073741824 bytes",
        NULL};
    fault_expect_warnings(i, warnings);
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "unknown");
    ck_assert_int_lt(jint(o, "bytes_read"), 1024 * 1024);   /* nothing of it was read */
    e2e_free(&r);

    char *bare = fault_join(dir, "SOFTWARE");
    sparse(bare, "regf", PL_MAX_HIVE_BYTES + 1);
    o = fault_run(&r, bare);
    fault_expect_error(&r, o, bare,
                       "cannot open the hive: file is 1073741825 bytes, over the limit of "
                       "1073741824 bytes");
    e2e_free(&r);
    fault_rmrf(dir);
    free(bare);
    free(sw);
    free(tree);
    free(dir);
}
END_TEST

/* PL_MAX_MANIFEST_BYTES: exactly the limit is read (and is not XML); one
 * byte more is refused by its size. */
START_TEST(manifest_size_limit)
{
    ck_assert_uint_eq(PL_MAX_MANIFEST_BYTES, 16777216ull);
    static const struct {
        unsigned long long size;
        const char *why;
    } cases[] = {
        {PL_MAX_MANIFEST_BYTES, "not well-formed XML: line 1: Document is empty"},
        {PL_MAX_MANIFEST_BYTES + 1,
         "cannot read: file is 16777217 bytes, over the limit of 16777216 bytes"},
    };
    for (size_t k = 0; k < 2; k++) {
        char *dir = fault_tmpdir();
        char *tree = fault_good_tree(dir, "tree");
        char *mum = fault_join(tree, "WINDOWS/Servicing/packages/"
                                     "VistaSP2-KB948465~31bf3856ad364e35~amd64~~6.0.2.18005.mum");
        sparse(mum, "", cases[k].size);
        e2e_run r;
        json_object *o = fault_run(&r, tree);
        ck_assert_int_eq(r.status, 0);
        char *want = NULL;
        ck_assert_int_ge(asprintf(&want,
                                  "manifest WINDOWS/Servicing/packages/VistaSP2-KB948465~"
                                  "31bf3856ad364e35~amd64~~6.0.2.18005.mum: %s",
                                  cases[k].why),
                         0);
        const char *const warnings[] = {want, NULL};
        fault_expect_warnings(jget(o, "installations.0"), warnings);
        free(want);
        e2e_free(&r);
        fault_rmrf(dir);
        free(mum);
        free(tree);
        free(dir);
    }
}
END_TEST

/* PL_MAX_PE_BYTES */
START_TEST(pe_size_limit)
{
    ck_assert_uint_eq(PL_MAX_PE_BYTES, 268435456ull);
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    char *nt = fault_join(tree, "WINDOWS/system32/NTOSKRNL.EXE");
    sparse(nt, "MZ", PL_MAX_PE_BYTES + 1);
    e2e_run r;
    json_object *o = fault_run(&r, tree);
    ck_assert_int_eq(r.status, 0);
    const char *const warnings[] = {
        "WINDOWS/system32/NTOSKRNL.EXE: cannot read: file is 268435457 bytes, over the limit of "
        "268435456 bytes",
        NULL};
    fault_expect_warnings(jget(o, "installations.0"), warnings);
    e2e_free(&r);
    fault_rmrf(dir);
    free(nt);
    free(tree);
    free(dir);
}
END_TEST

/* PL_MAX_CHAIN_DEPTH: 16 disks are read, 17 are refused. Overlays made with
 * qemu-img on top of chain-qcow2/base-6002.qcow2 (skipped without it). */
START_TEST(chain_depth_limit)
{
    ck_assert_int_eq(PL_MAX_CHAIN_DEPTH, 16);
    if (system("qemu-img --version >/dev/null 2>&1") != 0) {
        printf("qemu-img not found: chain depth limit not checked\n");
        return;
    }
    char *dir = fault_tmpdir();
    char *base = fault_join(dir, "d0.qcow2");
    fault_copy(e2e_fixture("disks/chain-qcow2/base-6002.qcow2"), base);
    for (int n = 1; n <= PL_MAX_CHAIN_DEPTH; n++) {
        char *cmd = NULL;
        ck_assert_int_ge(asprintf(&cmd,
                                  "cd '%s' && qemu-img create -q -f qcow2 -b d%d.qcow2 -F qcow2 "
                                  "d%d.qcow2",
                                  dir, n - 1, n),
                         0);
        ck_assert_int_eq(system(cmd), 0);
        free(cmd);
    }
    char *ok = fault_join(dir, "d15.qcow2"), *deep = fault_join(dir, "d16.qcow2");
    e2e_run r;
    json_object *o = fault_run(&r, ok);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(o, "chain"), 16);
    ck_assert_str_eq(jstr(o, "installations.0.build6003.verdict"), "no");
    e2e_free(&r);
    o = fault_run(&r, deep);
    fault_expect_error(&r, o, deep, "chain is deeper than 16 disks");
    e2e_free(&r);
    fault_rmrf(dir);
    free(ok);
    free(deep);
    free(base);
    free(dir);
}
END_TEST

/* PL_MAX_WINDOWS_DIRS: a tree with 17 Windows directories (copies of the
 * good one's WINDOWS): the first 16 in name order are analyzed, and a
 * warning says the rest are not. */
START_TEST(windows_dirs_limit)
{
    ck_assert_int_eq(PL_MAX_WINDOWS_DIRS, 16);
    char *dir = fault_tmpdir();
    char *tree = fault_join(dir, "tree");
    ck_assert_int_eq(mkdir(tree, 0755), 0);
    char *windows = fault_join(e2e_fixture(FAULT_GOOD), "WINDOWS");
    for (int n = 1; n <= PL_MAX_WINDOWS_DIRS + 1; n++) {
        char name[16];
        snprintf(name, sizeof name, "Windows%02d", n);
        char *p = fault_join(tree, name);
        fault_copy(windows, p);
        free(p);
    }
    e2e_run r;
    json_object *o = fault_run(&r, tree);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(o, "installations"), 16);
    ck_assert_str_eq(jstr(o, "installations.15.location.windows_dir"), "Windows16");
    ck_assert_int_eq(jlen(o, "warnings"), 1);
    ck_assert_str_eq(jstr(o, "warnings.0"),
                     "more than 16 Windows directories on one volume: only the first 16 (in name "
                     "order) are analyzed");
    e2e_free(&r);
    fault_rmrf(dir);
    free(windows);
    free(tree);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults-limits");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, hive_size_limit);
    tcase_add_test(tc, manifest_size_limit);
    tcase_add_test(tc, pe_size_limit);
    tcase_add_test(tc, chain_depth_limit);
    tcase_add_test(tc, windows_dirs_limit);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
