/* Unit tests for the E01 acquisition metadata reader
 * (src/sources/ewf_metadata.c): the values fixtures/gen/disks.sh gave
 * ewfacquire come back, dates in UTC whatever the local zone, the stored
 * MD5 is recomputed from the media data, a set of two segments is read
 * whole, and damaged sets (cut, garbage, a flipped byte) give a reason or
 * a mismatch, never a crash or a false "matches". */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/ewf_metadata.h"
#include "util/limits.h"
#include "../check_main.h"

START_TEST(reads_what_ewfacquire_was_given)
{
    pl_ewf_metadata m;
    pl_ewf_metadata_read(pl_test_fixture("disks/mbr-sysres.E01"), 0, &m);
    ck_assert_msg(m.known, "unknown: %s", m.reason);
    ck_assert_str_eq(m.format, "EnCase 6");
    ck_assert_str_eq(m.case_number, "patchlevel");
    ck_assert_str_eq(m.evidence_number, "1");
    ck_assert_str_eq(m.examiner, "fixtures");
    ck_assert_str_eq(m.description, "mbr-sysres.raw");
    ck_assert_str_eq(m.notes, "test fixture");
    /* SOURCE_DATE_EPOCH of fixtures/gen/disks.sh, under faketime */
    ck_assert_str_eq(m.acquired, "2022-06-17T00:00:00Z");
    ck_assert_str_eq(m.system_date, "2022-06-17T00:00:00Z");
    ck_assert_ptr_nonnull(m.software_version);
    ck_assert_int_eq(m.media_size, 6400 * 512);
    ck_assert_str_eq(m.stored_md5, "f978069de39d982a51aa0907808147ed");
    ck_assert_str_eq(m.stored_sha1, "");   /* ewfacquire was not asked for SHA-1 */
    ck_assert_int_eq(m.computed, 0);
    ck_assert_int_eq(pl_ewf_md5_matches(&m), -1);
    ck_assert_int_eq(m.segments_corrupted, 0);
    pl_ewf_metadata_free(&m);
}
END_TEST

/* header2 stores Unix times; libewf renders them in the local zone. */
START_TEST(dates_do_not_depend_on_the_local_time_zone)
{
    static const char *const zones[] = {"UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"};
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    for (size_t i = 0; i < sizeof zones / sizeof *zones; i++) {
        setenv("TZ", zones[i], 1);
        tzset();
        pl_ewf_metadata m;
        pl_ewf_metadata_read(pl_test_fixture("disks/mbr-dualboot.E01"), 0, &m);
        ck_assert_msg(m.known, "unknown: %s", m.reason);
        ck_assert_msg(strcmp(m.acquired, "2022-06-17T00:00:00Z") == 0, "TZ=%s: %s", zones[i], m.acquired);
        ck_assert_str_eq(m.evidence_number, "2");
        pl_ewf_metadata_free(&m);
    }
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
}
END_TEST

/* Two segment files (.E01, .E02): the media data is read across both and
 * its MD5 is the one ewfacquire stored. */
START_TEST(hashes_the_media_of_a_segment_set)
{
    pl_ewf_metadata m;
    pl_ewf_metadata_read(pl_test_fixture("disks/segments-6003.E01"), 1, &m);
    ck_assert_msg(m.known, "unknown: %s", m.reason);
    ck_assert_int_eq(m.media_size, 2304 * 512);
    ck_assert_int_eq(m.computed, 1);
    ck_assert_msg(m.hash_error == NULL, "%s", m.hash_error);
    ck_assert_int_eq(strlen(m.computed_md5), 32);
    ck_assert_int_eq(strlen(m.computed_sha1), 40);
    ck_assert_str_eq(m.computed_md5, m.stored_md5);
    ck_assert_int_eq(pl_ewf_md5_matches(&m), 1);
    ck_assert_int_eq(pl_ewf_sha1_matches(&m), -1);   /* none stored */
    ck_assert_int_eq(m.checksum_errors, 0);
    pl_ewf_metadata_free(&m);
}
END_TEST

static void expect_unknown(const char *path)
{
    pl_ewf_metadata m;
    pl_ewf_metadata_read(path, 1, &m);
    ck_assert_msg(!m.known, "%s read as known", path);
    ck_assert_msg(m.reason[0] != '\0', "%s: no reason", path);
    ck_assert_int_ne(m.code, PL_ERR_NONE);
    ck_assert_int_ne(m.code, PL_ERR_INTERNAL);
    ck_assert_ptr_null(m.case_number);
    ck_assert_int_eq(pl_ewf_md5_matches(&m), -1);
    pl_ewf_metadata_free(&m);
}

START_TEST(unreadable_sets_are_unknown_with_a_reason)
{
    expect_unknown(pl_test_fixture("faults/containers/e01-cut-header.E01"));
    expect_unknown(pl_test_fixture("faults/containers/e01-cut-sections.E01"));
    expect_unknown(pl_test_fixture("faults/containers/garbage.E01"));
    expect_unknown(pl_test_fixture("disks/no-such-file.E01"));
}
END_TEST

/* Cut inside the data: the header survives, the stored hash (at the end)
 * does not; the missing chunks are counted, not silently hashed. */
START_TEST(a_set_cut_inside_its_data_says_so)
{
    pl_ewf_metadata m;
    pl_ewf_metadata_read(pl_test_fixture("faults/containers/e01-cut-data.E01"), 1, &m);
    ck_assert_msg(m.known, "unknown: %s", m.reason);
    ck_assert_str_eq(m.case_number, "patchlevel");
    ck_assert_str_eq(m.stored_md5, "");
    ck_assert_int_eq(pl_ewf_md5_matches(&m), -1);
    ck_assert_msg(m.hash_error || m.checksum_errors > 0 || m.segments_corrupted,
                  "a cut set hashed as if whole");
    pl_ewf_metadata_free(&m);
}
END_TEST

/* A copy of segments-6003 with 16 bytes flipped at off (its second
 * segment copied beside it); the result, read with hashing. */
static void read_flipped(off_t off, pl_ewf_metadata *m)
{
    char tmpl[] = "/tmp/pl-ewf-flip-XXXXXX.E01";
    int out = mkstemps(tmpl, 4);
    ck_assert_int_ge(out, 0);
    FILE *in = fopen(pl_test_fixture("disks/segments-6003.E01"), "rb");
    ck_assert_ptr_nonnull(in);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        ck_assert_int_eq(write(out, buf, n), (ssize_t)n);
    fclose(in);
    unsigned char b[16];
    ck_assert_int_eq(pread(out, b, sizeof b, off), (ssize_t)sizeof b);
    for (size_t i = 0; i < sizeof b; i++)
        b[i] ^= 0xff;
    ck_assert_int_eq(pwrite(out, b, sizeof b, off), (ssize_t)sizeof b);
    close(out);
    char seg2[sizeof tmpl];
    memcpy(seg2, tmpl, sizeof tmpl);
    seg2[strlen(seg2) - 1] = '2';
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", pl_test_fixture("disks/segments-6003.E02"), seg2);
    ck_assert_int_eq(system(cmd), 0);
    pl_ewf_metadata_read(tmpl, 1, m);
    unlink(tmpl);
    unlink(seg2);
}

/* Bytes flipped inside the (uncompressed) chunks: never "matches". At
 * 400000 the chunk held zeros, which is what libewf reads a chunk with a
 * bad checksum as, so the MD5 of what it reads equals the stored one: the
 * checksum error alone must make it a mismatch. At 550000 the data itself
 * differs. */
START_TEST(flipped_data_bytes_never_match)
{
    static const off_t offsets[] = {400000, 550000};
    for (size_t i = 0; i < sizeof offsets / sizeof *offsets; i++) {
        pl_ewf_metadata m;
        read_flipped(offsets[i], &m);
        ck_assert_msg(m.known, "unknown: %s", m.reason);
        ck_assert_msg(m.checksum_errors > 0, "byte %lld: no checksum error", (long long)offsets[i]);
        ck_assert_int_eq(pl_ewf_md5_matches(&m), 0);
        pl_ewf_metadata_free(&m);
    }
}
END_TEST

/* Values as a hostile imager may write them (ewfacquire makes the image
 * when installed; skipped otherwise): an escape sequence comes back as it
 * is (the writers escape it), values longer than PL_MAX_EWF_VALUE_BYTES
 * are cut at a character boundary. */
START_TEST(long_and_control_values_are_bounded)
{
    if (system("command -v ewfacquire >/dev/null 2>&1") != 0) {
        fprintf(stderr, "ewfacquire not installed: hostile values test skipped\n");
        return;
    }
    char dir[] = "/tmp/pl-ewf-hostile-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && head -c 65536 /dev/zero >z.raw && "
             "ewfacquire -u -q -t out -S 1MiB -C \"$(printf 'case \\033[31m red')\" -D d "
             "-e \"$(for i in $(seq 3000); do printf '\\303\\251'; done)\" -E 9 "
             "-N \"$(head -c 10000 /dev/zero | tr '\\0' N)\" -m fixed -M physical -c none z.raw "
             ">/dev/null 2>&1",
             dir);
    ck_assert_int_eq(system(cmd), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/out.E01", dir);
    pl_ewf_metadata m;
    pl_ewf_metadata_read(path, 1, &m);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_msg(m.known, "unknown: %s", m.reason);
    ck_assert_str_eq(m.case_number, "case \033[31m red");
    /* 3000 two-byte characters: 2048 of them fill the limit */
    ck_assert_int_eq(strlen(m.examiner), PL_MAX_EWF_VALUE_BYTES);
    ck_assert_int_eq((unsigned char)m.examiner[PL_MAX_EWF_VALUE_BYTES - 2], 0xc3);
    ck_assert_int_eq(strlen(m.notes), PL_MAX_EWF_VALUE_BYTES);
    ck_assert_int_eq(pl_ewf_md5_matches(&m), 1);
    pl_ewf_metadata_free(&m);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ewf_metadata");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, reads_what_ewfacquire_was_given);
    tcase_add_test(tc, dates_do_not_depend_on_the_local_time_zone);
    tcase_add_test(tc, hashes_the_media_of_a_segment_set);
    tcase_add_test(tc, unreadable_sets_are_unknown_with_a_reason);
    tcase_add_test(tc, a_set_cut_inside_its_data_says_so);
    tcase_add_test(tc, flipped_data_bytes_never_match);
    tcase_add_test(tc, long_and_control_values_are_bounded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pl_run_suite(suite());
}
