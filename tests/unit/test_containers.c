/* Unit tests for the container modules and their registry
 * (src/sources/container_*.c): each module bids on its own fixture and on
 * no other format's header, the registry lists each module once, unknown
 * bytes are refused, and a file cut inside its header is reported as
 * truncated or damaged, not as unknown. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/container.h"
#include "sources/disk_internal.h"
#include "../check_main.h"

/* One fixture per registered module (a new module needs an entry here). */
static const struct {
    const char *module;
    const char *file;
    int bid;                  /* what the module bids on it */
} own[] = {
    {"raw", "disks/mbr-sysres.raw", PL_BID_WEAK},
    {"e01", "disks/mbr-sysres.E01", PL_BID_SIGNATURE},
    {"vhd", "disks/chain-vhd/base.vhd", PL_BID_SIGNATURE},
    {"vhdx", "disks/chain-vhdx/base.vhdx", PL_BID_SIGNATURE},
    {"vmdk", "disks/mbr-sysres.vmdk", PL_BID_SIGNATURE},
    {"qcow2", "disks/mbr-sysres.qcow2", PL_BID_SIGNATURE},
};
#define NOWN (sizeof own / sizeof *own)

/* The bytes detection shows the modules, read as pl_container_detect does. */
typedef struct {
    uint8_t head[PL_CONTAINER_HEAD], tail[512];
    pl_container_bytes b;
} file_bytes;

static void read_bytes(const char *path, file_bytes *fb)
{
    int fd = open(path, O_RDONLY);
    ck_assert_msg(fd >= 0, "%s", path);
    struct stat sb;
    ck_assert_int_eq(fstat(fd, &sb), 0);
    ssize_t got = pread(fd, fb->head, sizeof fb->head, 0);
    ck_assert_int_ge(got, 0);
    fb->b = (pl_container_bytes){.head = fb->head, .head_len = (size_t)got};
    if (got == (ssize_t)sizeof fb->head &&
        pread(fd, fb->tail, 512, sb.st_size - 512) == 512)
        fb->b.tail = fb->tail;
    close(fd);
}

static size_t registered(void)
{
    size_t n = 0;
    while (pl_containers[n])
        n++;
    return n;
}

START_TEST(registry_lists_each_module_once)
{
    size_t n = registered();
    ck_assert_uint_eq(n, NOWN);
    for (size_t i = 0; i < n; i++) {
        const pl_container_ops *m = pl_containers[i];
        ck_assert_ptr_nonnull(m->name);
        ck_assert_ptr_nonnull(m->bid);
        ck_assert_ptr_eq(pl_container_by_name(m->name), m);
        for (size_t j = i + 1; j < n; j++) {
            ck_assert_ptr_ne(m, pl_containers[j]);
            ck_assert_str_ne(m->name, pl_containers[j]->name);
        }
        /* a module read as a layer has the whole set of layer operations */
        if (m->open) {
            ck_assert_ptr_nonnull(m->read);
            ck_assert_ptr_nonnull(m->close);
            ck_assert_ptr_nonnull(m->attach);
            ck_assert_ptr_nonnull(m->parent_hint);
            ck_assert_ptr_nonnull(m->library);
            /* parents are checked by identity or by the module itself */
            ck_assert(m->identity || m->parent_ok);
        } else {
            /* nothing but TSK can read it then */
            ck_assert_int_ne(m->tsk_type, TSK_IMG_TYPE_UNSUPP);
        }
    }
    ck_assert_ptr_null(pl_container_by_name("vdi"));
}
END_TEST

START_TEST(each_module_wins_on_its_own_fixture_only)
{
    for (size_t i = 0; i < NOWN; i++) {
        const pl_container_ops *m = pl_container_by_name(own[i].module);
        ck_assert_msg(m != NULL, "%s is not registered", own[i].module);
        file_bytes fb;
        read_bytes(pl_test_fixture(own[i].file), &fb);
        ck_assert_int_eq(m->bid(&fb.b), own[i].bid);
        ck_assert_ptr_eq(pl_container_bid(&fb.b), m);
        pl_err err = {0};
        ck_assert_ptr_eq(pl_container_detect(pl_test_fixture(own[i].file), &err), m);
        /* every other module bids nothing on a signature; a raw disk's
         * partition table is inside every container's data, but never
         * at offset 0 of one with a header */
        for (size_t j = 0; pl_containers[j]; j++)
            if (pl_containers[j] != m)
                ck_assert_msg(pl_containers[j]->bid(&fb.b) == PL_BID_NONE, "%s bids on %s",
                              pl_containers[j]->name, own[i].file);
    }
}
END_TEST

/* A fixed VHD is a raw disk with a footer: the raw module bids weakly on
 * its partition table, the VHD module on the footer, and the VHD wins. A
 * qcow2 named .vhd is a qcow2. */
START_TEST(trailer_beats_raw_and_names_do_not_count)
{
    file_bytes fb;
    read_bytes(pl_test_fixture("disks/mbr-sysres-fixed.vhd"), &fb);
    ck_assert_int_eq(pl_container_raw.bid(&fb.b), PL_BID_WEAK);
    ck_assert_int_eq(pl_container_vhd.bid(&fb.b), PL_BID_TRAILER);
    ck_assert_ptr_eq(pl_container_bid(&fb.b), &pl_container_vhd);
    pl_err err = {0};
    ck_assert_ptr_eq(pl_container_detect(pl_test_fixture("disks/looks-like.vhd"), &err),
                     &pl_container_qcow);
}
END_TEST

START_TEST(unknown_bytes_are_refused)
{
    uint8_t head[PL_CONTAINER_HEAD], tail[512];
    pl_container_bytes b = {.head = head, .head_len = sizeof head, .tail = tail};
    memset(head, 0, sizeof head);
    memset(tail, 0, sizeof tail);
    ck_assert_ptr_null(pl_container_bid(&b));
    for (size_t i = 0; i < sizeof head; i++)
        head[i] = (uint8_t)(i * 7 + 3);
    memset(tail, 0xA5, sizeof tail);
    ck_assert_ptr_null(pl_container_bid(&b));
    /* a WIM or a hive is no disk */
    memcpy(head, "MSWIM\0\0\0", 8);
    ck_assert_ptr_null(pl_container_bid(&b));
    memcpy(head, "regf", 4);
    ck_assert_ptr_null(pl_container_bid(&b));
    /* signatures cut short, and nothing at all */
    b.head_len = 3;
    memcpy(head, "QFI\xfb", 4);
    ck_assert_ptr_null(pl_container_bid(&b));
    b.head_len = 0;
    b.tail = NULL;
    ck_assert_ptr_null(pl_container_bid(&b));
    /* a boot signature in a file shorter than two sectors is not enough */
    memset(head, 0, sizeof head);
    head[510] = 0x55;
    head[511] = 0xAA;
    b.head_len = 512;
    ck_assert_ptr_null(pl_container_bid(&b));
    b.head_len = sizeof head;
    ck_assert_ptr_eq(pl_container_bid(&b), &pl_container_raw);

    pl_err err = {0};
    ck_assert_ptr_null(pl_container_detect(pl_test_fixture("faults/containers/garbage.vhd"), &err));
    ck_assert_ptr_null(pl_container_detect(pl_test_fixture("faults/containers/garbage.E01"), &err));
    ck_assert_ptr_null(pl_container_detect(pl_test_fixture("wim/multi.wim"), &err));
    ck_assert_ptr_null(pl_container_detect("/nonexistent/x.vhd", &err));
    ck_assert_int_eq(err.code, PL_ERR_IO);
}
END_TEST

/* The first n bytes of a fixture, in a temporary file. */
static char *cut_copy(const char *rel, size_t n, char *dir)
{
    char *out = pl_xasprintf("%s/cut", dir);
    FILE *in = fopen(pl_test_fixture(rel), "rb"), *o = fopen(out, "wb");
    ck_assert(in && o);
    uint8_t *buf = malloc(n);
    ck_assert_uint_eq(fread(buf, 1, n, in), n);
    ck_assert_uint_eq(fwrite(buf, 1, n, o), n);
    free(buf);
    fclose(in);
    fclose(o);
    return out;
}

/* Every format with a header, cut inside it (at a few lengths): still
 * recognised, and refused as truncated or damaged by its own check. */
START_TEST(a_cut_header_is_truncated_not_unknown)
{
    static const struct {
        const char *file;
        const char *module;
        size_t cut[3];
    } cuts[] = {
        {"disks/mbr-sysres.E01", "e01", {10, 50, 80}},
        {"disks/chain-vhd/base.vhd", "vhd", {8, 300, 1000}},
        {"disks/chain-vhdx/base.vhdx", "vhdx", {8, 1000, 70000}},
        {"disks/mbr-sysres.vmdk", "vmdk", {4, 200, 511}},
        {"disks/mbr-sysres.qcow2", "qcow2", {4, 50, 71}},
    };
    char dir[] = "/tmp/test-containers-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        for (size_t k = 0; k < 3; k++) {
            char *path = cut_copy(cuts[i].file, cuts[i].cut[k], dir);
            pl_err err = {0};
            const pl_container_ops *m = pl_container_detect(path, &err);
            ck_assert_ptr_eq(m, pl_container_by_name(cuts[i].module));
            ck_assert_ptr_nonnull(m->check);
            ck_assert_int_eq(m->check(path, &err), -1);
            pl_disk disk;
            ck_assert_int_eq(pl_disk_open(path, NULL, &disk, &err), -1);
            ck_assert_msg(err.code == PL_ERR_TRUNCATED || err.code == PL_ERR_CORRUPT,
                          "%s cut at %zu: code %d: %s", cuts[i].file, cuts[i].cut[k],
                          (int)err.code, err.msg);
            char want[64];
            snprintf(want, sizeof want, "cannot open the %s image: ", cuts[i].module);
            ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
            unlink(path);
            free(path);
        }
    }
    rmdir(dir);
    /* the committed fault fixtures, as the program reports them */
    static const char *const faults[] = {
        "faults/containers/e01-cut-header.E01", "faults/containers/vhd-cut-header.vhd",
        "faults/containers/vhdx-cut-header.vhdx", "faults/containers/vmdk-cut-header.vmdk",
        "faults/containers/qcow2-cut-header.qcow2"};
    for (size_t i = 0; i < sizeof faults / sizeof *faults; i++) {
        pl_disk disk;
        pl_err err = {0};
        ck_assert_int_eq(pl_disk_open(pl_test_fixture(faults[i]), NULL, &disk, &err), -1);
        ck_assert_int_eq(err.code, PL_ERR_TRUNCATED);
    }
    /* a raw disk has no header to cut: shorter than two sectors it is
     * not recognised at all */
    char dir2[] = "/tmp/test-containers-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir2));
    char *path = cut_copy("disks/mbr-sysres.raw", 600, dir2);
    pl_disk disk;
    pl_err err = {0};
    ck_assert_int_eq(pl_disk_open(path, NULL, &disk, &err), -1);
    ck_assert_int_eq(err.code, PL_ERR_UNRECOGNIZED);
    unlink(path);
    free(path);
    rmdir(dir2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("containers");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, registry_lists_each_module_once);
    tcase_add_test(tc, each_module_wins_on_its_own_fixture_only);
    tcase_add_test(tc, trailer_beats_raw_and_names_do_not_count);
    tcase_add_test(tc, unknown_bytes_are_refused);
    tcase_add_test(tc, a_cut_header_is_truncated_not_unknown);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
