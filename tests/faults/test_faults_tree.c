/* Faults: a Windows tree on the host with symbolic link loops and other
 * things a mounted or extracted tree should not hold (made here, in a copy
 * of the good tree). patchlevel never walks a tree recursively, so a loop
 * it does not need costs nothing; one where it reads evidence is a warning
 * naming the file; nothing hangs (the test case has a timeout). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check_main.h"
#include "faults.h"

static void link_at(const char *tree, const char *target, const char *rel)
{
    char *p = fault_join(tree, rel);
    ck_assert_msg(symlink(target, p) == 0, "symlink %s", p);
    free(p);
}

/* WINDOWS/system32/loop -> .. and a -> b -> a at the root of the tree:
 * never followed, the installation reads as usual. */
START_TEST(loops_off_the_evidence_paths)
{
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    link_at(tree, "..", "WINDOWS/system32/loop");
    link_at(tree, "b", "a");
    link_at(tree, "a", "b");
    link_at(tree, ".", "WINDOWS/system32/config/config");
    e2e_run r;
    json_object *o = fault_run(&r, tree);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(o, "errors"), 0);
    ck_assert_int_eq(jlen(o, "warnings"), 0);
    ck_assert_int_eq(jlen(o, "installations"), 1);
    json_object *i = jget(o, "installations.0");
    ck_assert_int_eq(jlen(i, "warnings"), 0);
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "no");
    ck_assert_int_eq(jlen(i, "updates.packages"), 4);
    e2e_free(&r);
    fault_rmrf(dir);
    free(tree);
    free(dir);
}
END_TEST

/* A cycle where evidence is read: two .mum links to each other in
 * servicing\Packages (orphan manifests that cannot be read) and
 * ntoskrnl.exe replaced by a link to itself. */
START_TEST(loops_on_the_evidence_paths)
{
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    link_at(tree, "cycle-b.mum", "WINDOWS/Servicing/packages/cycle-a.mum");
    link_at(tree, "cycle-a.mum", "WINDOWS/Servicing/packages/cycle-b.mum");
    char *nt = fault_join(tree, "WINDOWS/system32/NTOSKRNL.EXE");
    ck_assert_int_eq(unlink(nt), 0);
    link_at(tree, "NTOSKRNL.EXE", "WINDOWS/system32/NTOSKRNL.EXE");
    e2e_run r;
    json_object *o = fault_run(&r, tree);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(o, "errors"), 0);
    json_object *i = jget(o, "installations.0");
    const char *const warnings[] = {
        "WINDOWS/system32/NTOSKRNL.EXE: cannot read: cannot open: Too many levels of symbolic "
        "links",
        "manifest WINDOWS/Servicing/packages/cycle-a.mum: cannot read: cannot open: Too many "
        "levels of symbolic links",
        "manifest WINDOWS/Servicing/packages/cycle-b.mum: cannot read: cannot open: Too many "
        "levels of symbolic links",
        NULL};
    fault_expect_warnings(i, warnings);
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "unknown");
    e2e_free(&r);
    fault_rmrf(dir);
    free(nt);
    free(tree);
    free(dir);
}
END_TEST

/* A FIFO where the kernel belongs must not be waited on. */
START_TEST(fifo_instead_of_a_file)
{
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    char *nt = fault_join(tree, "WINDOWS/system32/NTOSKRNL.EXE");
    ck_assert_int_eq(unlink(nt), 0);
    ck_assert_int_eq(mkfifo(nt, 0644), 0);
    e2e_run r;
    json_object *o = fault_run(&r, tree);
    ck_assert_int_eq(r.status, 0);
    json_object *i = jget(o, "installations.0");
    const char *const warnings[] = {
        "WINDOWS/system32/NTOSKRNL.EXE: cannot read: not a regular file", NULL};
    fault_expect_warnings(i, warnings);
    e2e_free(&r);
    fault_rmrf(dir);
    free(nt);
    free(tree);
    free(dir);
}
END_TEST

/* servicing\Packages with no manifest at all: the packages come from the
 * registry alone. (An empty listing once reached qsort and bsearch with a
 * NULL array: undefined behaviour, fatal in the sanitizer build.) */
START_TEST(empty_packages_directory)
{
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    char *cmd = NULL;
    ck_assert_int_ge(asprintf(&cmd, "rm -f '%s'/WINDOWS/Servicing/packages/*.mum", tree), 0);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    e2e_run r;
    json_object *o = fault_run(&r, tree);
    ck_assert_int_eq(r.status, 0);
    json_object *i = jget(o, "installations.0");
    ck_assert_int_eq(jlen(i, "warnings"), 0);
    ck_assert_int_eq(jlen(i, "updates.packages"), 4);
    ck_assert(jhas(i, "updates.kbs_installed", "KB3139398"));
    e2e_free(&r);
    fault_rmrf(dir);
    free(tree);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults-tree");
    TCase *tc = tcase_create("tree");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, loops_off_the_evidence_paths);
    tcase_add_test(tc, loops_on_the_evidence_paths);
    tcase_add_test(tc, fifo_instead_of_a_file);
    tcase_add_test(tc, empty_packages_directory);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
