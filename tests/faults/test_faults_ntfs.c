/* Faults: damaged NTFS. Copies of disks/bare-ntfs-inconsistent.raw with MFT
 * records damaged (stored as qcow2, see fixtures/gen/faults.sh). TSK reads
 * a record with a bad signature as if it were fine and stops at an
 * impossible attribute length, so patchlevel checks the raw records of what
 * it reads and names the record and the damage. Damage on the way to
 * Windows (System32, a directory loop) means the volume could not be
 * searched: an error. Damaged evidence files leave the installation
 * analyzed, with a warning for each. */
#include <check.h>
#include <stdlib.h>

#include "../check_main.h"
#include "faults.h"

START_TEST(system32_record_with_a_bad_signature)
{
    e2e_run r;
    const char *input = fault_fixture("ntfs/system32-bad-signature.qcow2");
    json_object *o = fault_run(&r, input);
    fault_expect_error(&r, o, input,
                       "volume: cannot search for Windows: cannot list Windows/System32: MFT "
                       "record 67 is damaged: its signature is 42 41 41 44 (\"BAAD\"), not "
                       "\"FILE\"");
    ck_assert_int_eq(jlen(o, "installations"), 0);
    e2e_free(&r);
}
END_TEST

/* Windows\System32 in the index of Windows points back at Windows. */
START_TEST(directory_loop)
{
    e2e_run r;
    const char *input = fault_fixture("ntfs/dir-loop.qcow2");
    json_object *o = fault_run(&r, input);
    fault_expect_error(&r, o, input,
                       "volume: cannot search for Windows: cannot list Windows: directory loop: "
                       "its entry \"System32\" points back to Windows (MFT record 64)");
    ck_assert_int_eq(jlen(o, "installations"), 0);
    e2e_free(&r);
}
END_TEST

/* ntoskrnl.exe "BAAD", SOFTWARE with a broken fixup, SYSTEM with an
 * absurd $DATA attribute length; kernel32.dll intact. */
START_TEST(damaged_evidence_records_are_warnings)
{
    e2e_run r;
    const char *input = fault_fixture("ntfs/evidence-records.qcow2");
    json_object *o = fault_run(&r, input);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(o, "errors"), 0);
    ck_assert_int_eq(jlen(o, "installations"), 1);
    json_object *i = jget(o, "installations.0");
    const char *const warnings[] = {
        "Windows/System32/ntoskrnl.exe: cannot read: MFT record 80 is damaged: its signature is "
        "42 41 41 44 (\"BAAD\"), not \"FILE\"",
        "SOFTWARE hive Windows/System32/config/SOFTWARE: MFT record 77 is damaged: the update "
        "sequence (fixup) check fails in sector 1 (0xfffa where 0x0005 belongs)",
        "SYSTEM hive Windows/System32/config/SYSTEM: MFT record 78 is damaged: the attribute at "
        "offset 336 (type 0x80) has an impossible length of 4294967280 bytes (416 bytes of the "
        "record are in use)",
        NULL};
    fault_expect_warnings(i, warnings);
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "unknown");
    /* what could be read is still reported */
    ck_assert_str_eq(jstr(i, "files.kernel32.file_version"), "6.0.6003.20489");
    e2e_free(&r);
}
END_TEST

/* A boot sector that says NTFS but cannot be used (0 sectors per
 * cluster, patched here in a copy): an error, not a volume silently
 * skipped as "no filesystem". */
START_TEST(unusable_ntfs_boot_sector)
{
    char *dir = fault_tmpdir();
    char *vol = fault_join(dir, "zero-cluster.raw");
    fault_copy(e2e_fixture("disks/bare-ntfs-inconsistent.raw"), vol);
    const unsigned char zero = 0;
    fault_patch(vol, 0x0D, &zero, 1);
    e2e_run r;
    json_object *o = fault_run(&r, vol);
    fault_expect_error(&r, o, vol,
                       "volume: cannot open the NTFS filesystem: Invalid magic value (Not a NTFS "
                       "file system (invalid cluster size 0))");
    ck_assert_int_eq(jlen(o, "installations"), 0);
    e2e_free(&r);
    fault_rmrf(dir);
    free(vol);
    free(dir);
}
END_TEST

/* Names are looked up in the NTFS directory index itself (a B+ tree
 * descent, src/sources/ntfs_index.c) rather than by listing directories.
 * A damaged index block is not an answer: the lookup gives up and the
 * directory is listed, whose failure is reported as it always was. Here
 * the root directory's INDX block of mbr-sysres.raw partition 2 (offset
 * 2322432) has a wrong update sequence number. */
START_TEST(damaged_index_block_is_reported_by_the_listing)
{
    char *dir = fault_tmpdir();
    char *img = fault_join(dir, "bad-indx.raw");
    fault_copy(e2e_fixture("disks/mbr-sysres.raw"), img);
    const unsigned char usn[2] = {0xAA, 0x55};
    fault_patch(img, 2322432 + 0x28, usn, 2);
    e2e_run r;
    json_object *o = fault_run(&r, img);
    fault_expect_error(&r, o, img,
                       "mbr partition 2: cannot search for Windows: cannot list the root "
                       "directory: Error in metadata structure (fix_idxrec: Incorrect update "
                       "sequence value in index buffer; Update Value: 0x55aa Actual Value: 0x6 "
                       "Replacement Value: 0x1d8; This is typically because of a corrupted entr");
    ck_assert_int_eq(jlen(o, "installations"), 0);
    e2e_free(&r);
    fault_rmrf(dir);
    free(img);
    free(dir);
}
END_TEST

/* An $UpCase table that does not upper-case 'w' cannot order names as
 * the rest of patchlevel compares them: lookups are off for the volume,
 * every directory is listed, and the analysis is the same as on the
 * intact disk. ($UpCase of partition 2 is at 2592256; 'w' at +0xEE.) */
START_TEST(odd_upcase_table_falls_back_to_listing)
{
    char *dir = fault_tmpdir();
    char *img = fault_join(dir, "odd-upcase.raw");
    fault_copy(e2e_fixture("disks/mbr-sysres.raw"), img);
    const unsigned char w[2] = {'w', 0};
    fault_patch(img, 2592256 + 0xEE, w, 2);
    e2e_run r, good;
    json_object *o = fault_run(&r, img);
    json_object *g = fault_run(&good, e2e_fixture("disks/mbr-sysres.raw"));
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(o, "errors"), 0);
    ck_assert_int_eq(jlen(o, "installations"), jlen(g, "installations"));
    ck_assert_int_ge(jlen(o, "installations"), 1);
    ck_assert_str_eq(jstr(o, "installations.0.build6003.verdict"),
                     jstr(g, "installations.0.build6003.verdict"));
    ck_assert_int_eq(jlen(o, "installations.0.packages"), jlen(g, "installations.0.packages"));
    ck_assert_int_eq(jlen(o, "installations.0.warnings"), jlen(g, "installations.0.warnings"));
    e2e_free(&r);
    e2e_free(&good);
    fault_rmrf(dir);
    free(img);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults-ntfs");
    TCase *tc = tcase_create("ntfs");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, system32_record_with_a_bad_signature);
    tcase_add_test(tc, directory_loop);
    tcase_add_test(tc, damaged_evidence_records_are_warnings);
    tcase_add_test(tc, unusable_ntfs_boot_sector);
    tcase_add_test(tc, damaged_index_block_is_reported_by_the_listing);
    tcase_add_test(tc, odd_upcase_table_falls_back_to_listing);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
