/* End to end: the acquisition metadata of E01 inputs (issue "fleet
 * triage", provenance): the JSON "acquisition" object with and without
 * --hash, null for other inputs, "acquisition_unknown" for a set libewf
 * cannot open, the text report's "INPUT: acquired" line, and the computed hashes
 * compared with ewfverify's when ewf-tools is installed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check_main.h"
#include "e2e.h"

static void run_json(e2e_run *r, const char *const *args)
{
    e2e_exec(r, args);
    ck_assert_msg(r->json, "no JSON (exit %d): %s", r->status, r->err);
}

/* Values given to ewfacquire by fixtures/gen/disks.sh. */
START_TEST(without_hash_the_stored_values_only)
{
    e2e_run r;
    const char *args[] = {"-f", "json", e2e_fixture("disks/mbr-sysres.E01"), NULL};
    run_json(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(jstr(r.json, "acquisition.format"), "EnCase 6");
    ck_assert_str_eq(jstr(r.json, "acquisition.case_number"), "patchlevel");
    ck_assert_str_eq(jstr(r.json, "acquisition.evidence_number"), "1");
    ck_assert_str_eq(jstr(r.json, "acquisition.examiner"), "fixtures");
    ck_assert_str_eq(jstr(r.json, "acquisition.description"), "mbr-sysres.raw");
    ck_assert_str_eq(jstr(r.json, "acquisition.notes"), "test fixture");
    ck_assert_str_eq(jstr(r.json, "acquisition.acquired"), "2022-06-17T00:00:00Z");
    ck_assert_str_eq(jstr(r.json, "acquisition.system_date"), "2022-06-17T00:00:00Z");
    ck_assert_ptr_nonnull(jstr(r.json, "acquisition.software_version"));
    ck_assert(jis_null(r.json, "acquisition.software"));
    ck_assert_int_eq(jint(r.json, "acquisition.media_size"), 3276800);
    ck_assert_str_eq(jstr(r.json, "acquisition.stored_md5"), "f978069de39d982a51aa0907808147ed");
    ck_assert(jis_null(r.json, "acquisition.stored_sha1"));
    static const char *const absent[] = {"computed_md5", "computed_sha1", "md5_matches",
                                         "sha1_matches", "hash_error", "checksum_errors"};
    for (size_t i = 0; i < sizeof absent / sizeof *absent; i++) {
        char path[64];
        snprintf(path, sizeof path, "acquisition.%s", absent[i]);
        ck_assert_msg(jis_null(r.json, path), "%s is not null without --hash", path);
    }
    ck_assert_int_eq(jbool(r.json, "acquisition.segments_corrupted"), 0);
    e2e_free(&r);
}
END_TEST

/* ewfverify's MD5 and SHA-1 of the media data, or 0 when ewf-tools is
 * not installed. */
static int ewfverify(const char *path, char md5[33], char sha1[41])
{
    if (system("command -v ewfverify >/dev/null 2>&1") != 0)
        return 0;
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "ewfverify -q -d sha1 '%s' 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    char line[512];
    md5[0] = sha1[0] = '\0';
    while (fgets(line, sizeof line, p)) {
        sscanf(line, "MD5 hash calculated over data: %32s", md5);
        sscanf(line, "SHA1 hash calculated over data: %40s", sha1);
    }
    ck_assert_int_eq(pclose(p), 0);
    ck_assert_int_eq(strlen(md5), 32);
    ck_assert_int_eq(strlen(sha1), 40);
    return 1;
}

/* Two segment files: the media data read across both matches the MD5
 * ewfacquire stored, and ewfverify's. */
START_TEST(with_hash_the_media_data_is_checked)
{
    const char *e01 = e2e_fixture("disks/segments-6003.E01");
    e2e_run r;
    const char *args[] = {"-f", "json", "--hash", e01, NULL};
    run_json(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(jstr(r.json, "acquisition.evidence_number"), "3");
    ck_assert_int_eq(jint(r.json, "acquisition.media_size"), 2304 * 512);
    const char *stored = jstr(r.json, "acquisition.stored_md5");
    const char *md5 = jstr(r.json, "acquisition.computed_md5");
    const char *sha1 = jstr(r.json, "acquisition.computed_sha1");
    ck_assert_ptr_nonnull(stored);
    ck_assert_ptr_nonnull(md5);
    ck_assert_ptr_nonnull(sha1);
    ck_assert_str_eq(md5, stored);
    ck_assert_int_eq(jbool(r.json, "acquisition.md5_matches"), 1);
    ck_assert(jis_null(r.json, "acquisition.sha1_matches"));   /* none stored */
    ck_assert(jis_null(r.json, "acquisition.hash_error"));
    ck_assert_int_eq(jint(r.json, "acquisition.checksum_errors"), 0);
    char v_md5[33], v_sha1[41];
    if (ewfverify(e01, v_md5, v_sha1)) {
        ck_assert_str_eq(md5, v_md5);
        ck_assert_str_eq(sha1, v_sha1);
    } else {
        fprintf(stderr, "ewfverify not installed: comparison with it skipped\n");
    }
    e2e_free(&r);
}
END_TEST

START_TEST(other_inputs_have_none)
{
    static const char *const inputs[] = {"disks/mbr-sysres.raw", "disks/mbr-sysres.qcow2",
                                         "trees/ws2008-idle"};
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        e2e_run r;
        const char *args[] = {"-f", "json", "--hash", e2e_fixture(inputs[i]), NULL};
        run_json(&r, args);
        ck_assert_msg(jis_null(r.json, "acquisition"), "%s has an acquisition", inputs[i]);
        ck_assert_ptr_null(jget(r.json, "acquisition_unknown"));
        e2e_free(&r);
    }
}
END_TEST

/* Cut inside its volume section: neither TSK nor libewf opens it; the
 * acquisition is unknown, with libewf's reason. */
START_TEST(an_unreadable_set_says_why)
{
    e2e_run r;
    const char *args[] = {"-f", "json", e2e_fixture("faults/containers/e01-cut-sections.E01"), NULL};
    run_json(&r, args);
    ck_assert(jis_null(r.json, "acquisition"));
    const char *why = jstr(r.json, "acquisition_unknown");
    ck_assert_ptr_nonnull(why);
    ck_assert_msg(strstr(why, "libewf") != NULL, "%s", why);
    ck_assert_str_eq(jstr(r.json, "acquisition_unknown_code"), "corrupt");
    e2e_free(&r);
}
END_TEST

START_TEST(text_report_has_an_acquired_line)
{
    e2e_run r;
    const char *args[] = {"--hash", e2e_fixture("disks/mbr-dualboot.E01"), NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, ": acquired 2022-06-17T00:00:00Z by fixtures, case patchlevel, "
                                "evidence 2; MD5 stored e239c4e9f1b8807da2e28717953844a7 (matches)\n"),
                  "%s", r.out);
    e2e_free(&r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("e2e-acquisition");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, without_hash_the_stored_values_only);
    tcase_add_test(tc, with_hash_the_media_data_is_checked);
    tcase_add_test(tc, other_inputs_have_none);
    tcase_add_test(tc, an_unreadable_set_says_why);
    tcase_add_test(tc, text_report_has_an_acquired_line);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pl_run_suite(suite());
}
