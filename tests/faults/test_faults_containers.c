/* Faults: damaged containers. Garbage under image names; VHD, VHDX, qcow2,
 * VMDK, E01 and WIM files cut inside their header, inside their metadata
 * and inside their data; a dynamic VHD whose block allocation table points
 * past the end of the file; a WIM with a corrupt compressed resource;
 * differencing chains with a missing or mismatched parent. Each is given
 * with a good tree, which must still be analyzed. Inputs:
 * fixtures/faults/containers (fixtures/gen/faults.sh), and the cuts of the
 * 6 MiB VHDX past 1 MiB, made here in a temporary directory. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check_main.h"
#include "faults.h"

static void expect_error_only(const char *rel, const char *msg)
{
    e2e_run r;
    const char *input = fault_fixture(rel);
    json_object *o = fault_run(&r, input);
    fault_expect_error(&r, o, input, msg);
    ck_assert_int_eq(jlen(o, "installations"), 0);
    e2e_free(&r);
}

/* The damaged input's one error has this code (error_details). */
static void expect_error_code(const char *rel, const char *msg, const char *code)
{
    e2e_run r;
    const char *input = fault_fixture(rel);
    json_object *o = fault_run(&r, input);
    fault_expect_error(&r, o, input, msg);
    ck_assert_str_eq(jstr(o, "error_details.0.code"), code);
    e2e_free(&r);
}

START_TEST(garbage_with_image_names)
{
    static const char *const names[] = {"containers/garbage.vhd", "containers/garbage.E01",
                                        "containers/garbage.wim"};
    for (size_t i = 0; i < 3; i++)
        expect_error_code(names[i],
                          "unrecognised input: not a disk image, a WIM, a registry hive or a "
                          "directory (unknown signature)",
                          "unrecognized");
}
END_TEST

START_TEST(vhd_cut)
{
    expect_error_code("containers/vhd-cut-header.vhd",
                      "cannot open the vhd image: truncated: the footer copy at the start of the "
                      "file lies at bytes 0-511, but the file is 300 bytes",
                      "truncated");
    expect_error_code("containers/vhd-cut-bat.vhd",
                      "cannot open the vhd image: truncated: the footer at the end of the file is "
                      "missing (the file is 1800 bytes)",
                      "truncated");
    expect_error_only("containers/vhd-cut-data.vhd",
                      "cannot open the vhd image: truncated: the footer at the end of the file is "
                      "missing (the file is 100000 bytes)");
}
END_TEST

START_TEST(vhd_bat_past_end)
{
    expect_error_only("containers/vhd-bat-past-end.vhd",
                      "cannot open the vhd image: block allocation table entry 0 points past the "
                      "end of the file (block at bytes 1099511496704-1099513594367, the data "
                      "ends before byte 2048)");
}
END_TEST

START_TEST(vhdx_cut)
{
    expect_error_only("containers/vhdx-cut-header.vhdx",
                      "cannot open the vhdx image: truncated: the file type identifier lies at "
                      "bytes 0-65535, but the file is 100 bytes");
    expect_error_only("containers/vhdx-cut-regions.vhdx",
                      "cannot open the vhdx image: truncated: the region table lies at bytes "
                      "196608-262143, but the file is 200000 bytes");
    /* past 1 MiB: cut here rather than stored */
    static const struct {
        size_t bytes;
        const char *msg;
    } cuts[] = {
        {2200000, "cannot open the vhdx image: truncated: the metadata region lies at bytes "
                  "2097152-3145727, but the file is 2200000 bytes"},
        {3500000, "cannot open the vhdx image: truncated: the BAT region lies at bytes "
                  "3145728-4194303, but the file is 3500000 bytes"},
        {4500000, "cannot open the vhdx image: truncated: BAT entry 0 (payload block) lies at "
                  "bytes 4194304-5242879, but the file is 4500000 bytes"},
    };
    char *dir = fault_tmpdir();
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        char name[64];
        snprintf(name, sizeof name, "cut-%zu.vhdx", cuts[i].bytes);
        char *p = fault_join(dir, name);
        fault_copy_prefix(e2e_fixture("disks/chain-vhdx/base.vhdx"), cuts[i].bytes, p);
        e2e_run r;
        json_object *o = fault_run(&r, p);
        fault_expect_error(&r, o, p, cuts[i].msg);
        e2e_free(&r);
        free(p);
    }
    fault_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(qcow2_cut)
{
    expect_error_only("containers/qcow2-cut-header.qcow2",
                      "cannot open the qcow2 image: truncated: the header lies at bytes 0-71, but "
                      "the file is 50 bytes");
    expect_error_only("containers/qcow2-cut-tables.qcow2",
                      "cannot open the qcow2 image: truncated: the refcount table lies at bytes "
                      "65536-131071, but the file is 300 bytes");
}
END_TEST

/* Cut inside the data: the tables are whole, so the image opens, the
 * installation is found and whatever lies in the missing clusters cannot be
 * read: an error of the input naming the first failed read, and a warning
 * for each evidence file. Files are read in the bytes they occupy (not in
 * TSK's 64 KiB cache blocks), so the first failed read is of the 4 KiB
 * cluster the file starts in. */
START_TEST(qcow2_cut_in_data_is_partly_analyzed)
{
    e2e_run r;
    const char *input = fault_fixture("containers/qcow2-cut-data.qcow2");
    json_object *o = fault_run(&r, input);
    fault_expect_error(&r, o, input,
                       "cannot read the disk image: 4096 bytes at disk offset 3042304: "
                       "truncated: the file is 500000 bytes, but the compressed cluster for "
                       "that offset lies at bytes 589313-595455 (and 5 more failed reads)");
    ck_assert_str_eq(jstr(o, "container"), "qcow2");
    ck_assert_int_eq(jlen(o, "installations"), 1);
    json_object *i = jget(o, "installations.0");
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "unknown");
    const char *const warnings[] = {
        "Windows/System32/ntoskrnl.exe: cannot read: read failed: cannot read the disk image: "
        "4096 bytes at disk offset 3042304: truncated: the file is 500000 bytes, but the "
        "compressed cluster for that offset lies at bytes 589313-595455",
        "Windows/System32/kernel32.dll: cannot read: read failed: cannot read the disk image: "
        "4608 bytes at disk offset 3037696: truncated: the file is 500000 bytes, but the "
        "compressed cluster for that offset lies at bytes 589313-595455",
        "SOFTWARE hive Windows/System32/config/SOFTWARE: read failed: cannot read the disk "
        "image: 28672 bytes at disk offset 2996736: truncated: the file is 500000 bytes, but the "
        "compressed cluster for that offset lies at bytes 581477-589823",
        "SYSTEM hive Windows/System32/config/SYSTEM: read failed: cannot read the disk image: "
        "12288 bytes at disk offset 3025408: truncated: the file is 500000 bytes, but the "
        "compressed cluster for that offset lies at bytes 589313-595455",
        "servicing\\Packages: cannot list Windows/servicing/Packages: cannot read the disk "
        "image: 512 bytes at disk offset 2989568: truncated: the file is 500000 bytes, but the "
        "compressed cluster for that offset lies at bytes 581477-589823",
        NULL};
    fault_expect_warnings(i, warnings);
    e2e_free(&r);
}
END_TEST

START_TEST(vmdk_cut)
{
    expect_error_only("containers/vmdk-cut-header.vmdk",
                      "cannot open the vmdk image: truncated: the sparse extent header lies at "
                      "bytes 0-511, but the file is 200 bytes");
    expect_error_only("containers/vmdk-cut-descriptor.vmdk",
                      "cannot open the vmdk image: truncated: the embedded descriptor lies at "
                      "bytes 512-10751, but the file is 3000 bytes");
    /* libvmdk reads a whole grain table's grains at once: the first read
     * of the disk (the partition table) fails */
    e2e_run r;
    const char *input = fault_fixture("containers/vmdk-cut-data.vmdk");
    json_object *o = fault_run(&r, input);
    fault_expect_error(&r, o, input,
                       "partition table: cannot read the disk image: 65536 bytes at disk offset "
                       "0: truncated: the file is 70000 bytes, but a grain of the same grain "
                       "table lies at bytes 69632-70683 (and 1 more failed reads)");
    ck_assert_str_eq(jstr(o, "container"), "vmdk");
    ck_assert_int_eq(jlen(o, "installations"), 0);
    e2e_free(&r);
}
END_TEST

/* An extent of a split VMDK given alone names the file to give instead,
 * whether that descriptor is beside it or not. */
START_TEST(vmdk_split_extent_names_its_descriptor)
{
    e2e_run r;
    char extent[4096], msg[8192];
    snprintf(extent, sizeof extent, "%s", e2e_fixture("disks/mbr-sysres-split-s001.vmdk"));
    snprintf(msg, sizeof msg, "this is an extent of a split VMDK: give its descriptor %s",
             e2e_fixture("disks/mbr-sysres-split.vmdk"));
    json_object *o = fault_run(&r, extent);
    fault_expect_error(&r, o, extent, msg);
    ck_assert_str_eq(jstr(o, "error_details.0.code"), "unsupported");
    e2e_free(&r);

    char *dir = fault_tmpdir();
    char *alone = fault_join(dir, "lone-s002.vmdk");
    fault_copy(extent, alone);
    snprintf(msg, sizeof msg,
             "this is an extent of a split VMDK: give its descriptor %s/lone.vmdk "
             "(not found beside it)", dir);
    o = fault_run(&r, alone);
    fault_expect_error(&r, o, alone, msg);
    e2e_free(&r);
    free(alone);
    fault_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(e01_cut)
{
    expect_error_only("containers/e01-cut-header.E01",
                      "cannot open the e01 image: truncated: the file header lies at bytes 0-12, "
                      "but the file is 10 bytes");
    expect_error_only("containers/e01-cut-sections.E01",
                      "cannot open the e01 image: truncated: section \"volume\" lies at bytes "
                      "765-1892, but the file is 1000 bytes");
    expect_error_only("containers/e01-cut-data.E01",
                      "cannot open the e01 image: truncated: section \"sectors\" lies at bytes "
                      "1893-260356, but the file is 130000 bytes");
}
END_TEST

/* The blob table and the XML sit at the end of a WIM: wherever it is cut,
 * they are missing, and the header says where they should be. */
START_TEST(wim_cut)
{
    expect_error_only("containers/wim-cut-header.wim",
                      "cannot open WIM: truncated: the file is 100 bytes, shorter than the "
                      "208-byte WIM header");
    expect_error_only("containers/wim-cut-data.wim",
                      "cannot open WIM: truncated: the blob table lies at bytes 33118-35117, but "
                      "the file is 1000 bytes");
    expect_error_only("containers/wim-cut-xml.wim",
                      "cannot open WIM: truncated: the XML data lies at bytes 35118-41401, but "
                      "the file is 40000 bytes");
}
END_TEST

/* Corrupt compressed data in the middle of the WIM: every image is still
 * analyzed; the file that cannot be extracted is a warning of its
 * installation, and the damaged WIM an error of the input. */
START_TEST(wim_corrupt_data_is_partly_analyzed)
{
    e2e_run r;
    const char *input = fault_fixture("containers/wim-corrupt-data.wim");
    json_object *o = fault_run(&r, input);
    fault_expect_error(&r, o, input,
                       "cannot read the WIM: image 2, Windows/System32/kernel32.dll: The WIM "
                       "contains invalid compressed data");
    ck_assert_int_eq(jlen(o, "installations"), 3);
    ck_assert_str_eq(jstr(o, "installations.1.build6003.verdict"), "yes");
    fault_expect_warning(jget(o, "installations.1"),
                         "Windows/System32/kernel32.dll: cannot read: cannot extract from the "
                         "WIM: The WIM contains invalid compressed data");
    ck_assert_int_eq(jlen(o, "installations.0.warnings"), 0);
    ck_assert_int_eq(jlen(o, "installations.2.warnings"), 0);
    e2e_free(&r);
}
END_TEST

/* Existing chain fixtures: a parent that is missing, or is not the one the
 * child was made from, is an error and never read as zeros. */
START_TEST(chain_parent_missing_or_mismatched)
{
    static const struct {
        const char *rel, *msg;
    } cases[] = {
        {"disks/chain-vhd/orphan.avhd",
         "parent disk missing-parent.vhd not found (the child names it \".\\missing-parent.vhd\"; "
         "looked there and beside the child; give it with --parent FILE)"},
        {"disks/chain-qcow2/orphan-overlay.qcow2",
         "parent disk missing-base.qcow2 not found (the child names it \"missing-base.qcow2\"; "
         "looked there and beside the child; give it with --parent FILE)"},
    };
    for (size_t i = 0; i < 2; i++) {
        e2e_run r;
        const char *input = e2e_fixture(cases[i].rel);
        json_object *o = fault_run(&r, input);
        fault_expect_error(&r, o, input, cases[i].msg);
        ck_assert_int_eq(jlen(o, "installations"), 0);
        e2e_free(&r);
    }
    e2e_run r;
    const char *input = e2e_fixture("disks/chain-vhd/mismatch.avhd");
    json_object *o = fault_run(&r, input);
    char *msg = NULL;
    ck_assert_int_ge(asprintf(&msg,
                              "parent %s does not match: the child expects identifier "
                              "9c6cb779e1d04db2acf81380e8c49f78, the file has "
                              "48631c2279df4616abb4af739d997172",
                              e2e_fixture("disks/chain-vhd/base.vhd")),
                     0);
    fault_expect_error(&r, o, input, msg);
    free(msg);
    ck_assert_int_eq(jlen(o, "installations"), 0);
    e2e_free(&r);
}
END_TEST

/* A dynamic VHD is read by patchlevel itself (src/sources/vhd_dynamic.c),
 * sector bitmaps included: a sector whose bit is clear was never written
 * and reads as zeros. chain-vhd/base.vhd with every block's bitmap
 * cleared is a disk of zeros: nothing recognised, as libvhdi says too. */
START_TEST(vhd_cleared_sector_bitmaps_read_as_zeros)
{
    char *dir = fault_tmpdir();
    char *img = fault_join(dir, "cleared-bitmaps.vhd");
    fault_copy(e2e_fixture("disks/chain-vhd/base.vhd"), img);
    FILE *f = fopen(img, "r+b");
    ck_assert_ptr_nonnull(f);
    uint8_t foot[512], dyn[1024], e[4], zero[512] = {0};
    ck_assert_int_eq(fseek(f, -512, SEEK_END), 0);
    ck_assert_uint_eq(fread(foot, 1, 512, f), 512);
#define BE32(p) ((uint32_t)(p)[0] << 24 | (uint32_t)(p)[1] << 16 | (uint32_t)(p)[2] << 8 | (p)[3])
    uint64_t dyn_off = (uint64_t)BE32(foot + 16) << 32 | BE32(foot + 20);
    ck_assert_int_eq(fseek(f, (long)dyn_off, SEEK_SET), 0);
    ck_assert_uint_eq(fread(dyn, 1, sizeof dyn, f), sizeof dyn);
    uint64_t bat = (uint64_t)BE32(dyn + 16) << 32 | BE32(dyn + 20);
    uint32_t n = BE32(dyn + 28), cleared = 0;
    ck_assert_uint_eq(BE32(dyn + 32), 2u << 20);   /* bitmaps of 512 bytes */
    for (uint32_t i = 0; i < n; i++) {
        ck_assert_int_eq(fseek(f, (long)(bat + 4 * i), SEEK_SET), 0);
        ck_assert_uint_eq(fread(e, 1, 4, f), 4);
        if (BE32(e) == 0xFFFFFFFFu)
            continue;
        ck_assert_int_eq(fseek(f, (long)BE32(e) * 512, SEEK_SET), 0);
        ck_assert_uint_eq(fwrite(zero, 1, sizeof zero, f), sizeof zero);
        cleared++;
    }
#undef BE32
    ck_assert_uint_gt(cleared, 0);
    ck_assert_int_eq(fclose(f), 0);
    e2e_run r;
    json_object *o = fault_run(&r, img);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(o, "errors"), 0);
    ck_assert_int_eq(jlen(o, "installations"), 0);
    ck_assert_str_eq(jstr(o, "warnings.0"), "no partition table or filesystem recognised in the disk image");
    e2e_free(&r);
    fault_rmrf(dir);
    free(img);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults-containers");
    TCase *tc = tcase_create("containers");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, garbage_with_image_names);
    tcase_add_test(tc, vhd_cut);
    tcase_add_test(tc, vhd_bat_past_end);
    tcase_add_test(tc, vhd_cleared_sector_bitmaps_read_as_zeros);
    tcase_add_test(tc, vhdx_cut);
    tcase_add_test(tc, qcow2_cut);
    tcase_add_test(tc, qcow2_cut_in_data_is_partly_analyzed);
    tcase_add_test(tc, vmdk_cut);
    tcase_add_test(tc, e01_cut);
    tcase_add_test(tc, wim_cut);
    tcase_add_test(tc, vmdk_split_extent_names_its_descriptor);
    tcase_add_test(tc, wim_corrupt_data_is_partly_analyzed);
    tcase_add_test(tc, chain_parent_missing_or_mismatched);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
