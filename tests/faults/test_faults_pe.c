/* Faults: damaged version resources in the kernel of an installation (a
 * copy of the good tree with NTOSKRNL.EXE replaced): a resource directory
 * entry pointing far outside the resource section, and one pointing back
 * at the root (a recursive resource directory). The kernel's version is
 * then unknown, with the reason as a warning; the rest is analyzed. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../check_main.h"
#include "faults.h"

static void kernel_case(const char *pe, const char *warning)
{
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    char *nt = fault_join(tree, "WINDOWS/system32/NTOSKRNL.EXE");
    fault_copy(fault_fixture(pe), nt);
    e2e_run r;
    json_object *o = fault_run(&r, tree);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(o, "errors"), 0);
    json_object *i = jget(o, "installations.0");
    const char *const warnings[] = {warning, NULL};
    fault_expect_warnings(i, warnings);
    ck_assert(jis_null(i, "files.ntoskrnl.file_version"));
    ck_assert_int_eq(strlen(jstr(i, "files.ntoskrnl.sha256")), 64);   /* it was read */
    ck_assert_str_eq(jstr(i, "files.kernel32.file_version"), "6.0.6002.18005");
    ck_assert_int_eq(jint(i, "os.build"), 6002);
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "unknown");
    e2e_free(&r);
    fault_rmrf(dir);
    free(nt);
    free(tree);
    free(dir);
}

START_TEST(resource_offset_out_of_range)
{
    kernel_case("pe/ntoskrnl-rsrc-out-of-range.exe",
                "WINDOWS/system32/NTOSKRNL.EXE: no usable version resource: resource directory "
                "offset 0x7fffff00 outside the resource section");
}
END_TEST

START_TEST(recursive_resource_directory)
{
    kernel_case("pe/ntoskrnl-rsrc-loop.exe",
                "WINDOWS/system32/NTOSKRNL.EXE: no usable version resource: resource directory "
                "loop at offset 0x0");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults-pe");
    TCase *tc = tcase_create("pe");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, resource_offset_out_of_range);
    tcase_add_test(tc, recursive_resource_directory);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
