/* Corpus tier for disk images: the real containers in ../shared/corpus
 * open and are searched without error (they hold no Windows installation,
 * so zero installations is the right answer); the orphan differencing VHD
 * names its missing parent; the four containers holding the same ext2
 * media read identical bytes; partition layouts come out right. Skipped
 * (exit 77) when the corpus is absent. */
#include <check.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check_main.h"
#include "../e2e/e2e.h"
#include "sources/disk_internal.h"

static char tmpdir[256];

static const char *unpack(const char *rel, const char *cmd_fmt, const char *out_name)
{
    static char out[512];
    snprintf(out, sizeof out, "%s/%s", tmpdir, out_name);
    char cmd[1400];
    snprintf(cmd, sizeof cmd, cmd_fmt, e2e_corpus(rel), out);
    ck_assert_msg(system(cmd) == 0, "cannot unpack %s", rel);
    return out;
}

static void expect_no_installation(const char *path, const char *container)
{
    e2e_run r;
    const char *args[] = {"-f", "json", path, NULL};
    e2e_exec(&r, args);
    ck_assert_msg(r.status == 0, "%s: exit %d: %s", path, r.status, r.err);
    ck_assert_str_eq(jstr(r.json, "container"), container);
    ck_assert_int_eq(jlen(r.json, "errors"), 0);
    ck_assert_int_eq(jlen(r.json, "installations"), 0);
    ck_assert_int_gt(jint(r.json, "bytes_read"), 0);
    e2e_free(&r);
}

START_TEST(real_containers_open_and_are_searched)
{
    struct {
        const char *rel, *container;
    } cases[] = {
        {"velociraptor/test.ntfs.dd.E01", "e01"}, {"velociraptor/partition_image.E01", "e01"},
        {"plaso/image-split.E01", "e01"},         {"plaso/image.E01", "e01"},
        {"dfvfs/ext2.E01", "e01"},                {"dissect.evidence/ewf.E01", "e01"},
        {"dfvfs/ext2.vmdk", "vmdk"},              {"dfvfs/ext2.qcow2", "qcow2"},
        {"dfvfs/windows_volume.qcow2", "qcow2"},  {"plaso/vsstest.qcow2", "qcow2"},
        {"plaso/image.qcow2", "qcow2"},           {"dfvfs/ext2.vhd", "vhd"},
        {"dfvfs/image.vhd", "vhd"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        expect_no_installation(e2e_corpus(cases[i].rel), cases[i].container);
}
END_TEST

START_TEST(windows_made_vhdx_opens)
{
    const char *vhdx = unpack("velociraptor/test.vhdx.zip", "unzip -p '%s' test.vhdx > '%s'",
                              "test.vhdx");
    expect_no_installation(vhdx, "vhdx");
}
END_TEST

START_TEST(split_e01_lists_its_segments)
{
    e2e_run r;
    const char *args[] = {"-f", "json", e2e_corpus("plaso/image-split.E01"), NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(jlen(r.json, "chain"), 2);
    ck_assert(strstr(jstr(r.json, "chain.1"), "image-split.E02"));
    e2e_free(&r);
}
END_TEST

START_TEST(stub_hives_are_not_an_installation)
{
    e2e_run r;
    const char *args[] = {"-f", "json", e2e_corpus("velociraptor/partition_image.E01"), NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(jlen(r.json, "installations"), 0);
    ck_assert(strstr(jstr(r.json, "warnings.0"), "Windows/System32/Config/software is only 13 bytes"));
    e2e_free(&r);
}
END_TEST

START_TEST(differencing_chain_and_missing_parent)
{
    e2e_run r;
    const char *ok[] = {"-f", "json", e2e_corpus("dfvfs/image-differential.vhd"), NULL};
    e2e_exec(&r, ok);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(r.json, "chain"), 2);
    ck_assert(strstr(jstr(r.json, "chain.1"), "image.vhd"));
    e2e_free(&r);
    const char *orphan[] = {"-f", "json", e2e_corpus("dfvfs/fat-differential.vhd"), NULL};
    e2e_exec(&r, orphan);
    ck_assert_int_eq(r.status, 3);
    ck_assert(strstr(jstr(r.json, "errors.0"), "parent disk fat-parent.vhd not found"));
    ck_assert(strstr(r.err, "fat-parent.vhd"));
    e2e_free(&r);
}
END_TEST

/* md5 of the first n bytes of the virtual disk. */
static void disk_md5(const char *path, size_t n, char hex[33])
{
    pl_disk disk;
    pl_err err;
    ck_assert_msg(pl_disk_open(path, NULL, &disk, &err) == 0, "%s: %s", path, err.msg);
    char *buf = malloc(n);
    ck_assert(tsk_img_read(disk.img, 0, buf, n) == (ssize_t)n);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_Digest(buf, n, md, &len, EVP_md5(), NULL);
    for (unsigned i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    free(buf);
    pl_disk_close(&disk);
}

START_TEST(four_containers_read_identical_bytes)
{
    const char *rels[] = {"dfvfs/ext2.E01", "dfvfs/ext2.vmdk", "dfvfs/ext2.qcow2", "dfvfs/ext2.vhd"};
    for (size_t i = 0; i < 4; i++) {
        char hex[33];
        disk_md5(e2e_corpus(rels[i]), 4 << 20, hex);
        ck_assert_msg(strcmp(hex, "196066add11fb71c4c49cf1bb50d6d24") == 0, "%s: %s", rels[i], hex);
    }
}
END_TEST

/* The volumes a source hands out: "scheme:number:start:fs" each. */
static void volumes_of(const char *path, char *out, size_t outlen)
{
    pl_source *src;
    pl_err err;
    pl_source_options opt = {0};
    ck_assert_msg(pl_source_open(path, &opt, &src, &err) == 0, "%s: %s", path, err.msg);
    out[0] = '\0';
    pl_volume *v;
    while (src->ops->next_volume(src, &v, &err) == 1) {
        snprintf(out + strlen(out), outlen - strlen(out), "%s:%d:%lld:%s ",
                 v->loc.partition_scheme, v->loc.partition_number,
                 (long long)v->loc.partition_start, v->loc.filesystem);
        pl_volume_free(v);
    }
    pl_source_close(src);
}

START_TEST(partition_layouts)
{
    char vols[512];
    volumes_of(unpack("dfir_ntfs/ntfs_index.raw.gz", "gzip -dc '%s' > '%s'", "ntfs_index.raw"),
               vols, sizeof vols);
    ck_assert_str_eq(vols, "mbr:1:65536:ntfs ");
    /* records 27+ use the short FILE header: TSK still mounts it */
    volumes_of(unpack("dfir_ntfs/ntfs3.raw.gz", "gzip -dc '%s' > '%s'", "ntfs3.raw"), vols,
               sizeof vols);
    ck_assert_str_eq(vols, "none:0:0:ntfs ");
    /* unformatted partitions (3 primary + 3 logical; GPT with 3): no volume */
    volumes_of(unpack("dfir_ntfs/mbr-win-512.raw.tgz", "tar -xOf '%s' > '%s'", "mbr.raw"), vols,
               sizeof vols);
    ck_assert_str_eq(vols, "");
    volumes_of(unpack("dfir_ntfs/gpt-512-3p.raw.gz", "gzip -dc '%s' > '%s'", "gpt.raw"), vols,
               sizeof vols);
    ck_assert_str_eq(vols, "");
    /* MBR with a logical partition in an extended chain; partition 1 holds
     * no filesystem (TSK's fsstat agrees) but still counts in the numbering */
    volumes_of(e2e_corpus("plaso/image-split.E01"), vols, sizeof vols);
    ck_assert_str_eq(vols, "mbr:2:180224:ext2 ");
}
END_TEST

int main(void)
{
    e2e_require_corpus();
    if (e2e_scratch_dir("pl-disks", tmpdir, sizeof tmpdir) != 0)
        return EXIT_FAILURE;
    Suite *s = suite_create("corpus-disks");
    TCase *tc = tcase_create("disks");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, real_containers_open_and_are_searched);
    tcase_add_test(tc, windows_made_vhdx_opens);
    tcase_add_test(tc, split_e01_lists_its_segments);
    tcase_add_test(tc, stub_hives_are_not_an_installation);
    tcase_add_test(tc, differencing_chain_and_missing_parent);
    tcase_add_test(tc, four_containers_read_identical_bytes);
    tcase_add_test(tc, partition_layouts);
    suite_add_tcase(s, tc);
    int failed = pl_run_suite(s);
    e2e_remove_dir(tmpdir);
    return failed;
}
