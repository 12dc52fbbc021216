/* Differencing VHDs whose sector bitmaps mix sectors the child holds and
 * sectors it lacks within one byte. libvhdi 20210425 (Debian 12) shifts
 * each bitmap byte without masking it, so the lacking sectors after a held
 * one read as zeros instead of the parent's data; this test was an XFAIL
 * while libvhdi read differencing disks. Our own reader
 * (src/sources/vhd_dynamic.h) reads them now.
 * fixtures/disks/chain-vhd/child-sectors.avhd is such a spec-valid child
 * (the same disk as child.avhd, written sector by sector); the right answer
 * is build 6003, as for child.avhd. */
#include <check.h>
#include <stdlib.h>

#include "../check_main.h"
#include "e2e.h"

START_TEST(partial_sector_bitmaps_read_the_parent)
{
    e2e_run r;
    const char *args[] = {"-f", "json", e2e_fixture("disks/chain-vhd/child-sectors.avhd"), NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(jlen(r.json, "installations"), 1);
    ck_assert_str_eq(jstr(r.json, "installations.0.build6003.verdict"), "yes");
    e2e_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("libvhdi-sector-bitmaps");
    TCase *tc = tcase_create("vhd");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, partial_sector_bitmaps_read_the_parent);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
