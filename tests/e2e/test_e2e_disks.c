/* End to end: disk images. Every container of the same disk gives the same
 * installation; partition layouts (System Reserved + C:, GPT, dual boot,
 * logical partition, bare volume, no Windows); chains (qcow2 overlays to
 * depth 3, differencing VHD and VHDX, VMDK delta) and their errors; the
 * format detected by content; --parent (and the backing-file name rule of
 * qcow2). Expected answers: the disk
 * section of fixtures/README.md. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check_main.h"
#include "e2e.h"
#include "sources/disk_internal.h"

static json_object *analyze(e2e_run *r, const char *rel, int want_status)
{
    char path[64];
    snprintf(path, sizeof path, "disks/%s", rel);
    const char *args[] = {"-f", "json", e2e_fixture(path), NULL};
    e2e_exec(r, args);
    ck_assert_msg(r->json != NULL, "%s: not JSON: %s", rel, r->out);
    ck_assert_msg(r->status == want_status, "%s: exit %d: %s", rel, r->status, r->err);
    return r->json;
}

static void expect_installation(json_object *i, const char *scheme, int number, int64_t start,
                                const char *windir, const char *verdict, const char *kernel)
{
    ck_assert_str_eq(jstr(i, "location.partition_scheme"), scheme);
    if (number)
        ck_assert_int_eq(jint(i, "location.partition_number"), number);
    else
        ck_assert(jis_null(i, "location.partition_number"));
    ck_assert_int_eq(jint(i, "location.partition_start_bytes"), start);
    ck_assert_str_eq(jstr(i, "location.filesystem"), "ntfs");
    ck_assert_str_eq(jstr(i, "location.windows_dir"), windir);
    ck_assert_str_eq(jstr(i, "build6003.verdict"), verdict);
    ck_assert_str_eq(jstr(i, "files.ntoskrnl.file_version"), kernel);
}

START_TEST(every_container_of_one_disk_agrees)
{
    struct {
        const char *file, *container;
    } cases[] = {{"mbr-sysres.raw", "raw"},          {"mbr-sysres-fixed.vhd", "vhd"},
                 {"mbr-sysres.vmdk", "vmdk"},        {"mbr-sysres-stream.vmdk", "vmdk"},
                 {"mbr-sysres-split.vmdk", "vmdk"},  {"mbr-sysres.qcow2", "qcow2"},
                 {"mbr-sysres.E01", "e01"},          {"looks-like.vhd", "qcow2"}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        e2e_run r;
        json_object *o = analyze(&r, cases[k].file, 0);
        ck_assert_str_eq(jstr(o, "container"), cases[k].container);
        /* System Reserved (partition 1) holds no Windows */
        ck_assert_int_eq(jlen(o, "installations"), 1);
        expect_installation(jget(o, "installations.0"), "mbr", 2, 2162688, "Windows", "yes",
                            "6.0.6003.21481");
        e2e_free(&r);
    }
}
END_TEST

START_TEST(partition_layouts)
{
    e2e_run r;
    json_object *o = analyze(&r, "gpt-6002.qcow2", 0);
    ck_assert_int_eq(jlen(o, "installations"), 1);
    expect_installation(jget(o, "installations.0"), "gpt", 3, 3145728, "WINDOWS", "no",
                        "6.0.6002.18005");
    e2e_free(&r);
    o = analyze(&r, "mbr-dualboot.E01", 0);
    ck_assert_int_eq(jlen(o, "installations"), 2);
    expect_installation(jget(o, "installations.0"), "mbr", 1, 1048576, "WINDOWS", "no",
                        "6.0.6002.18005");
    expect_installation(jget(o, "installations.1"), "mbr", 2, 2162688, "Windows", "yes",
                        "6.0.6003.20489");
    ck_assert_str_eq(jstr(o, "installations.1.os.arch"), "x86");
    e2e_free(&r);
    o = analyze(&r, "mbr-logical.qcow2", 0);
    expect_installation(jget(o, "installations.0"), "mbr", 2, 1638400, "Windows", "no",
                        "6.0.6002.24565");
    ck_assert_int_eq(jbool(o, "installations.0.pending.reboot_required"), 1);
    e2e_free(&r);
    o = analyze(&r, "bare-ntfs-inconsistent.raw", 0);
    expect_installation(jget(o, "installations.0"), "none", 0, 0, "Windows", "inconsistent",
                        "6.0.6002.24565");
    e2e_free(&r);
}
END_TEST

START_TEST(no_windows_is_zero_installations_and_no_error)
{
    e2e_run r;
    json_object *o = analyze(&r, "no-windows.qcow2", 0);
    ck_assert_int_eq(jlen(o, "installations"), 0);
    ck_assert_int_eq(jlen(o, "errors"), 0);
    e2e_free(&r);
}
END_TEST

START_TEST(multi_segment_e01)
{
    e2e_run r;
    json_object *o = analyze(&r, "segments-6003.E01", 0);
    ck_assert_int_eq(jlen(o, "chain"), 2);
    ck_assert(strstr(jstr(o, "chain.1"), "segments-6003.E02"));
    ck_assert_str_eq(jstr(o, "installations.0.build6003.verdict"), "yes");
    e2e_free(&r);
}
END_TEST

/* Each chain's child turns the 6002 base into 6003; the base alone reports
 * its own state; the report lists the chain child first. */
START_TEST(chains_of_every_format)
{
    const char *chains[][2] = {{"chain-qcow2/overlay-6003.qcow2", "chain-qcow2/base-6002.qcow2"},
                               {"chain-vhd/child.avhd", "chain-vhd/base.vhd"},
                               {"chain-vhdx/child.avhdx", "chain-vhdx/base.vhdx"},
                               {"chain-vmdk/child.vmdk", "chain-vmdk/base.vmdk"}};
    for (size_t k = 0; k < 4; k++) {
        e2e_run r;
        json_object *o = analyze(&r, chains[k][0], 0);
        ck_assert_int_eq(jlen(o, "chain"), 2);
        ck_assert(strstr(jstr(o, "chain.0"), chains[k][0]));
        ck_assert(strstr(jstr(o, "chain.1"), strrchr(chains[k][1], '/') + 1));
        expect_installation(jget(o, "installations.0"), "mbr", 1, 65536, "Windows", "yes",
                            "6.0.6003.21481");
        e2e_free(&r);
        o = analyze(&r, chains[k][1], 0);
        ck_assert_int_eq(jlen(o, "chain"), 1);
        expect_installation(jget(o, "installations.0"), "mbr", 1, 65536, "WINDOWS", "no",
                            "6.0.6002.18005");
        e2e_free(&r);
    }
}
END_TEST

START_TEST(chain_of_depth_three)
{
    e2e_run r;
    json_object *o = analyze(&r, "chain-qcow2/overlay-pending-6003.qcow2", 0);
    ck_assert_int_eq(jlen(o, "chain"), 3);
    ck_assert(strstr(jstr(o, "chain.1"), "overlay-pending.qcow2"));
    ck_assert(strstr(jstr(o, "chain.2"), "base-6002.qcow2"));
    ck_assert_str_eq(jstr(o, "installations.0.build6003.verdict"), "yes");
    e2e_free(&r);
}
END_TEST

START_TEST(missing_and_mismatched_parents_are_errors)
{
    struct {
        const char *file, *why;
    } cases[] = {{"chain-vhd/orphan.avhd", "parent disk missing-parent.vhd not found"},
                 {"chain-qcow2/orphan-overlay.qcow2", "parent disk missing-base.qcow2 not found"},
                 {"chain-vhd/mismatch.avhd", "base.vhd does not match: the child expects"}};
    for (size_t k = 0; k < 3; k++) {
        e2e_run r;
        json_object *o = analyze(&r, cases[k].file, 3);
        ck_assert_int_eq(jlen(o, "installations"), 0);
        ck_assert_msg(strstr(jstr(o, "errors.0"), cases[k].why), "%s", jstr(o, "errors.0"));
        ck_assert(strstr(r.err, cases[k].why));
        e2e_free(&r);
    }
}
END_TEST

/* A child copied away from its parent: found again with --parent. */
START_TEST(parent_option_finds_a_moved_parent)
{
    char dir[] = "/tmp/pl-chain-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char child[128], cmd[512];
    snprintf(child, sizeof child, "%s/child.avhd", dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", e2e_fixture("disks/chain-vhd/child.avhd"), child);
    ck_assert_int_eq(system(cmd), 0);
    e2e_run r;
    const char *alone[] = {"-f", "json", child, NULL};
    e2e_exec(&r, alone);
    ck_assert_int_eq(r.status, 3);
    ck_assert(strstr(jstr(r.json, "errors.0"), "parent disk base.vhd not found"));
    e2e_free(&r);
    const char *with[] = {"-f", "json", "--parent", e2e_fixture("disks/chain-vhd/base.vhd"), child,
                          NULL};
    e2e_exec(&r, with);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(jstr(r.json, "installations.0.build6003.verdict"), "yes");
    e2e_free(&r);
    /* a --parent that is not the parent is refused by its identifier */
    const char *wrong[] = {"-f", "json", "--parent", e2e_fixture("disks/chain-vhdx/base.vhdx"),
                           child, NULL};
    e2e_exec(&r, wrong);
    ck_assert_int_eq(r.status, 3);
    ck_assert(strstr(jstr(r.json, "errors.0"), "does not match"));
    e2e_free(&r);
    unlink(child);
    rmdir(dir);
}
END_TEST

/* Only what is needed is read: a fraction of the virtual disk. */
START_TEST(reads_a_fraction_of_the_disk)
{
    e2e_run r;
    json_object *o = analyze(&r, "mbr-sysres.raw", 0);
    struct stat sb;
    ck_assert_int_eq(stat(e2e_fixture("disks/mbr-sysres.raw"), &sb), 0);
    int64_t read = jint(o, "bytes_read");
    ck_assert_int_gt(read, 0);
    ck_assert_msg(read < sb.st_size, "read %lld of %lld", (long long)read, (long long)sb.st_size);
    e2e_free(&r);
}
END_TEST

/* A qcow2 overlay names its backing file, with no identifier: a --parent
 * is taken when it has that name (from anywhere), or when it is the only
 * one given and of the overlay's virtual size; otherwise it is refused
 * (code parent-mismatch). The overlay is copied alone into a temporary
 * directory, and the base beside it under another name. */
static void qcow_parent_run(const char *overlay, const char *const *parents, int status,
                            const char *why)
{
    const char *args[16] = {"-f", "json"};
    size_t n = 2;
    for (size_t i = 0; parents[i]; i++) {
        args[n++] = "--parent";
        args[n++] = parents[i];
    }
    args[n++] = overlay;
    args[n] = NULL;
    e2e_run r;
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, status);
    if (why) {
        ck_assert_int_eq(jlen(r.json, "installations"), 0);
        ck_assert_msg(strstr(jstr(r.json, "errors.0"), why), "%s", jstr(r.json, "errors.0"));
        ck_assert(strstr(r.err, why));
    } else {
        ck_assert_str_eq(jstr(r.json, "installations.0.build6003.verdict"), "yes");
        ck_assert(strstr(jstr(r.json, "chain.1"), strrchr(parents[0], '/') + 1));
    }
    e2e_free(&r);
}

START_TEST(qcow2_parent_must_carry_the_backing_name)
{
    char dir[] = "/tmp/pl-qcow-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char overlay[128], renamed[128], cmd[1024];
    snprintf(overlay, sizeof overlay, "%s/overlay-6003.qcow2", dir);
    snprintf(renamed, sizeof renamed, "%s/renamed.qcow2", dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && cp '%s' '%s'",
             e2e_fixture("disks/chain-qcow2/overlay-6003.qcow2"), overlay,
             e2e_fixture("disks/chain-qcow2/base-6002.qcow2"), renamed);
    ck_assert_int_eq(system(cmd), 0);
    char base[512], other[512];
    snprintf(base, sizeof base, "%s", e2e_fixture("disks/chain-qcow2/base-6002.qcow2"));
    snprintf(other, sizeof other, "%s", e2e_fixture("disks/gpt-6002.qcow2"));

    const char *by_name[] = {base, NULL};
    qcow_parent_run(overlay, by_name, 0, NULL);
    const char *alone_same_size[] = {renamed, NULL};
    qcow_parent_run(overlay, alone_same_size, 0, NULL);
    const char *not_alone[] = {renamed, other, NULL};
    qcow_parent_run(overlay, not_alone, 3,
                    "does not match: the overlay's backing file is \"base-6002.qcow2\", this "
                    "file has another name (and is not the only --parent given)");
    const char *other_size[] = {other, NULL};
    qcow_parent_run(overlay, other_size, 3,
                    "gpt-6002.qcow2 does not match: the overlay's backing file is "
                    "\"base-6002.qcow2\", this file has another name and a virtual size of "
                    "4325376 bytes, not the overlay's 1179648");

    /* the code, through the chain API */
    pl_strlist parents = {0}, chain = {0};
    pl_strlist_push(&parents, other);
    pl_layer *l = NULL;
    pl_err err = {0};
    ck_assert_int_eq(pl_layer_open_chain(overlay, &pl_container_qcow, &parents, &l, &chain, &err), -1);
    ck_assert_int_eq(err.code, PL_ERR_PARENT_MISMATCH);
    pl_strlist_free(&parents);
    pl_strlist_free(&chain);

    unlink(overlay);
    unlink(renamed);
    rmdir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e-disks");
    TCase *tc = tcase_create("disks");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, every_container_of_one_disk_agrees);
    tcase_add_test(tc, partition_layouts);
    tcase_add_test(tc, no_windows_is_zero_installations_and_no_error);
    tcase_add_test(tc, multi_segment_e01);
    tcase_add_test(tc, chains_of_every_format);
    tcase_add_test(tc, chain_of_depth_three);
    tcase_add_test(tc, missing_and_mismatched_parents_are_errors);
    tcase_add_test(tc, parent_option_finds_a_moved_parent);
    tcase_add_test(tc, qcow2_parent_must_carry_the_backing_name);
    tcase_add_test(tc, reads_a_fraction_of_the_disk);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
