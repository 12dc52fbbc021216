/* Faults: partition tables that point outside the disk. TSK refuses a
 * whole MBR when one of its first two entries starts past the end; the
 * entries that do are each an error of the input, and the partitions that
 * lie inside the disk are still analyzed. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "../check_main.h"
#include "faults.h"

/* The first 64 KiB of mbr-sysres.raw: both partitions (sectors 2048 and
 * 4224) lie past the end of this 128-sector disk. */
START_TEST(every_partition_outside_the_disk)
{
    e2e_run r;
    const char *input = fault_fixture("partitions/mbr-outside.raw");
    json_object *o = fault_run(&r, input);
    const char *const errors[] = {
        "mbr partition 1: starts at sector 2048, past the end of the disk (128 sectors; "
        "partition table entry 1)",
        "mbr partition 2: starts at sector 4224, past the end of the disk (128 sectors; "
        "partition table entry 2)",
        NULL};
    fault_expect_errors(&r, o, input, errors);
    ck_assert_str_eq(jstr(o, "container"), "raw");
    ck_assert_int_eq(jlen(o, "installations"), 0);
    e2e_free(&r);
}
END_TEST

/* mbr-sysres.raw (6400 sectors) with its first entry (System Reserved)
 * moved to sector 100000: the Windows partition is still analyzed, and is
 * now the first partition in disk order. */
START_TEST(one_partition_outside_the_disk)
{
    char *dir = fault_tmpdir();
    char *disk = fault_join(dir, "entry1-outside.raw");
    fault_copy(e2e_fixture("disks/mbr-sysres.raw"), disk);
    const uint8_t start[4] = {0xA0, 0x86, 0x01, 0x00}; /* 100000, little-endian */
    fault_patch(disk, 446 + 8, start, 4);
    e2e_run r;
    json_object *o = fault_run(&r, disk);
    fault_expect_error(&r, o, disk,
                       "mbr partition 2: starts at sector 100000, past the end of the disk "
                       "(6400 sectors; partition table entry 1)");
    ck_assert_int_eq(jlen(o, "installations"), 1);
    json_object *i = jget(o, "installations.0");
    ck_assert_str_eq(jstr(i, "location.partition_scheme"), "mbr");
    ck_assert_int_eq(jint(i, "location.partition_number"), 1);
    ck_assert_int_eq(jint(i, "location.partition_start_bytes"), 2162688);
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "yes");
    ck_assert_int_eq(jlen(i, "warnings"), 0);
    e2e_free(&r);
    fault_rmrf(dir);
    free(disk);
    free(dir);
}
END_TEST

/* A partition that starts inside the disk but ends past it: a warning of
 * the input; what lies inside is read. */
START_TEST(partition_ending_past_the_disk)
{
    char *dir = fault_tmpdir();
    char *disk = fault_join(dir, "entry2-too-long.raw");
    fault_copy(e2e_fixture("disks/mbr-sysres.raw"), disk);
    const uint8_t len[4] = {0x00, 0x00, 0x01, 0x00}; /* 65536 sectors */
    fault_patch(disk, 446 + 16 + 12, len, 4);
    e2e_run r;
    json_object *o = fault_run(&r, disk);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(o, "errors"), 0);
    ck_assert_int_eq(jlen(o, "warnings"), 1);
    ck_assert_str_eq(jstr(o, "warnings.0"),
                     "mbr partition 2 ends at sector 69760, past the end of the disk (6400 "
                     "sectors): what lies beyond cannot be read");
    ck_assert_int_eq(jlen(o, "installations"), 1);
    ck_assert_str_eq(jstr(o, "installations.0.build6003.verdict"), "yes");
    e2e_free(&r);
    fault_rmrf(dir);
    free(disk);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults-partitions");
    TCase *tc = tcase_create("partitions");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, every_partition_outside_the_disk);
    tcase_add_test(tc, one_partition_outside_the_disk);
    tcase_add_test(tc, partition_ending_past_the_disk);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
