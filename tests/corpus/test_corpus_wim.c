/* Corpus tier: every real WIM in ../shared/corpus opens and has its images
 * listed; the two deliberately broken ones fail with wimlib's own reason.
 * Skipped (exit 77) when the corpus is absent. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../e2e/e2e.h"
#include "../check_main.h"

static json_object *analyze(e2e_run *r, const char *rel, int want_status)
{
    const char *args[] = {"-f", "json", e2e_corpus(rel), NULL};
    e2e_exec(r, args);
    ck_assert_msg(r->json != NULL, "%s: output is not JSON: %s", rel, r->out);
    ck_assert_msg(r->status == want_status, "%s: exit %d: %s", rel, r->status, r->err);
    return r->json;
}

START_TEST(good_wims_open_without_error)
{
    const char *wims[] = {"ManagedWimLib/BootLZX.wim", "ManagedWimLib/BootXPRESS.wim",
                          "ManagedWimLib/LZX.wim", "ManagedWimLib/XPRESS.wim",
                          "ManagedWimLib/MultiImage.wim", "ManagedWimLib/VerifySuccess.wim",
                          "wimlib/corrupted_file_1.wim", "wimlib/corrupted_file_2.wim",
                          "wimlib/dotdot.wim", "wimlib/duplicate_names.wim",
                          "wimlib/empty_dacl.wim", "wimlib/linux_xattrs_old.wim",
                          "wimlib/longpaths.wim", "SevenZipSharp/wim.wim"};
    for (size_t i = 0; i < sizeof wims / sizeof *wims; i++) {
        e2e_run r;
        json_object *o = analyze(&r, wims[i], 0);
        ck_assert_str_eq(jstr(o, "container"), "wim");
        ck_assert_int_eq(jlen(o, "errors"), 0);
        /* sample images, not Windows: zero installations is the right answer */
        ck_assert_int_eq(jlen(o, "installations"), 0);
        e2e_free(&r);
    }
}
END_TEST

START_TEST(lzms_solid_wim_is_esd)
{
    e2e_run r;
    json_object *o = analyze(&r, "ManagedWimLib/LZMS.wim", 0);
    ck_assert_str_eq(jstr(o, "container"), "esd");
    e2e_free(&r);
}
END_TEST

START_TEST(split_wim_finds_its_second_part)
{
    e2e_run r;
    json_object *o = analyze(&r, "ManagedWimLib/Split.swm", 0);
    ck_assert_str_eq(jstr(o, "container"), "swm");
    ck_assert_int_eq(jlen(o, "chain"), 2);
    ck_assert(strstr(jstr(o, "chain.1"), "Split2.swm"));
    e2e_free(&r);
}
END_TEST

START_TEST(broken_wims_fail_with_the_reason)
{
    /* both are read by our own reader (src/sources/wim_image.c): a
     * metadata resource that does not decompress is found when the image
     * is opened, a cycle when a path walks into it */
    struct {
        const char *rel, *where, *why;
    } cases[] = {{"ManagedWimLib/VerifyFail.wim", "cannot read the WIM: image 1: the metadata "
                  "resource, chunk 0", "invalid compressed data"},
                 {"wimlib/cyclic.wim", "WIM image 1: cannot search for Windows",
                  "the directories of the WIM image form a cycle"}};
    for (size_t i = 0; i < 2; i++) {
        e2e_run r;
        json_object *o = analyze(&r, cases[i].rel, 3);
        ck_assert_msg(strstr(jstr(o, "errors.0"), cases[i].where), "%s", jstr(o, "errors.0"));
        ck_assert_msg(strstr(jstr(o, "errors.0"), cases[i].why), "%s", jstr(o, "errors.0"));
        e2e_free(&r);
    }
}
END_TEST

int main(void)
{
    e2e_require_corpus();
    Suite *s = suite_create("corpus-wim");
    TCase *tc = tcase_create("wim");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, good_wims_open_without_error);
    tcase_add_test(tc, lzms_solid_wim_is_esd);
    tcase_add_test(tc, split_wim_finds_its_second_part);
    tcase_add_test(tc, broken_wims_fail_with_the_reason);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
