/* End to end: WIM, solid ESD and split WIM fixtures, every image index,
 * and the WIM XML claim against the files. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "../check_main.h"

static void analyze(e2e_run *r, const char *rel)
{
    const char *args[] = {"-f", "json", e2e_fixture(rel), NULL};
    e2e_exec(r, args);
    ck_assert_msg(r->json != NULL, "output is not JSON: %s", r->out);
    ck_assert_int_eq(r->status, 0);
    ck_assert_int_eq(jlen(r->json, "errors"), 0);
}

START_TEST(multi_image_wim_reports_every_image)
{
    e2e_run r;
    analyze(&r, "wim/multi.wim");
    ck_assert_str_eq(jstr(r.json, "container"), "wim");
    ck_assert_int_eq(jlen(r.json, "installations"), 3);
    const char *verdicts[] = {"no", "yes", "yes"};
    const char *kernels[] = {"6.0.6002.18005", "6.0.6003.21481", "6.0.6003.20489"};
    for (int k = 0; k < 3; k++) {
        char p[64];
        snprintf(p, sizeof p, "installations.%d", k);
        json_object *i = jget(r.json, p);
        ck_assert_int_eq(jint(i, "location.wim_image"), k + 1);
        ck_assert_str_eq(jstr(i, "location.filesystem"), "wim");
        ck_assert_ptr_nonnull(jstr(i, "location.wim_image_name"));
        ck_assert_str_eq(jstr(i, "build6003.verdict"), verdicts[k]);
        ck_assert_str_eq(jstr(i, "files.ntoskrnl.file_version"), kernels[k]);
        ck_assert_int_eq(jint(i, "wim_xml.major"), 6);
    }
    ck_assert_str_eq(jstr(r.json, "installations.2.os.arch"), "x86");
    ck_assert_str_eq(jstr(r.json, "installations.2.wim_xml.arch"), "x86");
    e2e_free(&r);
}
END_TEST

START_TEST(wim_xml_claim_disagreeing_with_files_is_a_warning)
{
    e2e_run r;
    analyze(&r, "wim/multi.wim");
    json_object *i = jget(r.json, "installations.1");
    ck_assert_int_eq(jint(i, "wim_xml.build"), 6002);
    ck_assert_int_eq(jint(i, "os.build"), 6003);
    ck_assert_int_eq(jlen(i, "warnings"), 1);
    ck_assert(strstr(jstr(i, "warnings.0"), "WIM XML claims build 6002"));
    /* images whose claim matches get no such warning */
    ck_assert_int_eq(jlen(r.json, "installations.0.warnings"), 0);
    e2e_free(&r);
}
END_TEST

START_TEST(solid_esd_is_read)
{
    e2e_run r;
    analyze(&r, "wim/install.esd");
    ck_assert_str_eq(jstr(r.json, "container"), "esd");
    ck_assert_int_eq(jlen(r.json, "installations"), 1);
    json_object *i = jget(r.json, "installations.0");
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "yes");
    ck_assert(jhas(i, "updates.kbs_installed", "KB5014010"));
    ck_assert(jhas(i, "updates.kbs_superseded", "KB4493471"));
    ck_assert_int_gt(jint(r.json, "bytes_read"), 0);
    e2e_free(&r);
}
END_TEST

START_TEST(split_wim_is_joined_from_its_first_part)
{
    e2e_run r;
    analyze(&r, "wim/split.swm");
    ck_assert_str_eq(jstr(r.json, "container"), "swm");
    ck_assert_int_ge(jlen(r.json, "chain"), 2);
    ck_assert_int_eq(jlen(r.json, "installations"), 2);
    ck_assert_str_eq(jstr(r.json, "installations.0.build6003.verdict"), "no");
    ck_assert_int_eq(jbool(r.json, "installations.0.pending.reboot_required"), 1);
    ck_assert_str_eq(jstr(r.json, "installations.1.build6003.verdict"), "inconsistent");
    e2e_free(&r);
}
END_TEST

START_TEST(later_split_part_alone_is_a_clear_error)
{
    e2e_run r;
    const char *args[] = {"-f", "json", e2e_fixture("wim/split2.swm"), NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 3);
    ck_assert(strstr(jstr(r.json, "errors.0"), "give the first part"));
    ck_assert(strstr(r.err, "split2.swm: "));
    e2e_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e-wim");
    TCase *tc = tcase_create("wim");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, multi_image_wim_reports_every_image);
    tcase_add_test(tc, wim_xml_claim_disagreeing_with_files_is_a_warning);
    tcase_add_test(tc, solid_esd_is_read);
    tcase_add_test(tc, split_wim_is_joined_from_its_first_part);
    tcase_add_test(tc, later_split_part_alone_is_a_clear_error);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
