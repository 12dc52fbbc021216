/* The sources layer: content detection, case-insensitive resolution, read
 * limits, Windows-directory discovery, and the WIM source on fixtures. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence/installation.h"
#include "sources/source.h"
#include "../check_main.h"

static char tmproot[256];

static void put_file(const char *rel, const char *content)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmproot, rel);
    /* create the parent directories */
    for (char *p = path + strlen(tmproot) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(content, 1, strlen(content), f);
    fclose(f);
}

static void make_tree(void)
{
    snprintf(tmproot, sizeof tmproot, "%s/pl-test-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmproot));
    put_file("WINDOWS/system32/NTOSKRNL.EXE", "MZ kernel");
    put_file("WINDOWS/system32/config/software", "regf");
    put_file("Program Files/readme.txt", "x");
}

static void remove_tree(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmproot);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(resolve_matches_case_insensitively)
{
    make_tree();
    pl_err err;
    pl_fs *fs = pl_fs_dir_open(tmproot, &err);
    ck_assert_ptr_nonnull(fs);
    char *exact = NULL;
    ck_assert_int_eq(pl_fs_resolve(fs, "Windows/System32/ntoskrnl.exe", &exact, &err), 1);
    ck_assert_str_eq(exact, "WINDOWS/system32/NTOSKRNL.EXE");
    free(exact);
    ck_assert_int_eq(pl_fs_resolve(fs, "Windows/System32/kernel32.dll", &exact, &err), 0);
    ck_assert_int_eq(pl_fs_resolve(fs, "Windows/System32/ntoskrnl.exe/x", &exact, &err), 0);
    uint8_t *data;
    size_t len;
    ck_assert_int_eq(pl_fs_read_ci(fs, "windows/SYSTEM32/ntoskrnl.exe", 100, &data, &len, NULL,
                                   &err),
                     1);
    ck_assert_uint_eq(len, 9);
    ck_assert_int_eq(memcmp(data, "MZ kernel", 9), 0);
    free(data);
    ck_assert_uint_eq(fs->bytes_read, 9);
    pl_fs_close(fs);
    remove_tree();
}
END_TEST

START_TEST(read_refuses_files_over_the_limit)
{
    make_tree();
    pl_err err;
    pl_fs *fs = pl_fs_dir_open(tmproot, &err);
    uint8_t *data = NULL;
    size_t len;
    ck_assert_int_eq(
        pl_fs_read_ci(fs, "Windows/System32/ntoskrnl.exe", 4, &data, &len, NULL, &err), -1);
    ck_assert_ptr_null(data);
    ck_assert_ptr_nonnull(strstr(err.msg, "over the limit of 4"));
    pl_fs_close(fs);
    remove_tree();
}
END_TEST

START_TEST(windows_dirs_found_at_root_level)
{
    make_tree();
    pl_err err;
    pl_fs *fs = pl_fs_dir_open(tmproot, &err);
    pl_strlist dirs = {0};
    ck_assert_int_eq(pl_find_windows_dirs(fs, &dirs, NULL, &err), 0);
    ck_assert_uint_eq(dirs.len, 1);
    ck_assert_str_eq(dirs.items[0], "WINDOWS");
    pl_strlist_free(&dirs);
    pl_fs_close(fs);
    /* The input may be the Windows directory itself. */
    char windir[512];
    snprintf(windir, sizeof windir, "%s/WINDOWS", tmproot);
    fs = pl_fs_dir_open(windir, &err);
    ck_assert_int_eq(pl_find_windows_dirs(fs, &dirs, NULL, &err), 0);
    ck_assert_uint_eq(dirs.len, 1);
    ck_assert_str_eq(dirs.items[0], "");
    pl_strlist_free(&dirs);
    pl_fs_close(fs);
    remove_tree();
}
END_TEST

START_TEST(no_windows_dir_is_not_an_error)
{
    snprintf(tmproot, sizeof tmproot, "%s/pl-test-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmproot));
    put_file("home/readme", "x");
    pl_err err;
    pl_fs *fs = pl_fs_dir_open(tmproot, &err);
    pl_strlist dirs = {0};
    ck_assert_int_eq(pl_find_windows_dirs(fs, &dirs, NULL, &err), 0);
    ck_assert_uint_eq(dirs.len, 0);
    pl_fs_close(fs);
    remove_tree();
}
END_TEST

static int open_kind(const char *path, const char **container, char *msg, size_t msglen)
{
    pl_source *src = NULL;
    pl_err err = {0};
    pl_source_options opt = {0};
    int rc = pl_source_open(path, &opt, &src, &err);
    if (rc == 0) {
        *container = src->container;
        pl_source_close(src);
    } else {
        snprintf(msg, msglen, "%s", err.msg);
    }
    return rc;
}

START_TEST(detection_is_by_content_not_name)
{
    make_tree();
    const char *kind = NULL;
    char msg[512];
    ck_assert_int_eq(open_kind(tmproot, &kind, msg, sizeof msg), 0);
    ck_assert_str_eq(kind, "dir");
    char p[512];
    /* a "hive" named .wim is still a hive */
    snprintf(p, sizeof p, "%s/fake.wim", tmproot);
    FILE *f = fopen(p, "wb");
    char hive[4096] = "regf";
    fwrite(hive, 1, sizeof hive, f);
    fclose(f);
    ck_assert_int_eq(open_kind(p, &kind, msg, sizeof msg), 0);
    ck_assert_str_eq(kind, "hive");
    /* garbage named .wim is refused with a reason */
    put_file("garbage.wim", "this is not a WIM at all");
    snprintf(p, sizeof p, "%s/garbage.wim", tmproot);
    ck_assert_int_eq(open_kind(p, &kind, msg, sizeof msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "unrecognised input"));
    put_file("empty", "");
    snprintf(p, sizeof p, "%s/empty", tmproot);
    ck_assert_int_eq(open_kind(p, &kind, msg, sizeof msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "empty"));
    snprintf(p, sizeof p, "%s/does-not-exist", tmproot);
    ck_assert_int_eq(open_kind(p, &kind, msg, sizeof msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "No such file"));
    /* a truncated WIM header is refused by wimlib, with its reason */
    snprintf(p, sizeof p, "%s/short.wim", tmproot);
    FILE *w = fopen(p, "wb");
    fwrite("MSWIM\0\0\0\xd0\0\0\0", 1, 12, w);
    fclose(w);
    ck_assert_int_eq(open_kind(p, &kind, msg, sizeof msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "cannot open WIM"));
    remove_tree();
}
END_TEST

/* ---- WIM fixtures ------------------------------------------------------- */

START_TEST(wim_images_are_volumes_with_their_xml_claim)
{
    pl_source *src = NULL;
    pl_err err;
    pl_source_options opt = {0};
    ck_assert_int_eq(pl_source_open(pl_test_fixture("wim/multi.wim"), &opt, &src, &err), 0);
    ck_assert_str_eq(src->container, "wim");
    int n = 0;
    pl_volume *v;
    while (src->ops->next_volume(src, &v, &err) == 1) {
        n++;
        ck_assert_int_eq(v->loc.wim_image, n);
        ck_assert_str_eq(v->loc.filesystem, "wim");
        ck_assert(v->wim_xml.present);
        ck_assert_int_eq(v->wim_xml.major, 6);
        char *exact = NULL;
        ck_assert_int_eq(pl_fs_resolve(v->fs, "windows/system32/config/software", &exact, &err), 1);
        uint8_t *data;
        size_t len;
        ck_assert_int_eq(v->fs->ops->read(v->fs, exact, 1 << 30, &data, &len, &err), 0);
        ck_assert_uint_ge(len, 4096);
        ck_assert_int_eq(memcmp(data, "regf", 4), 0);
        free(data);
        free(exact);
        pl_volume_free(v);
    }
    ck_assert_int_eq(n, 3);
    pl_source_close(src);
}
END_TEST

START_TEST(split_wim_needs_its_parts)
{
    pl_source *src = NULL;
    pl_err err;
    pl_source_options opt = {0};
    ck_assert_int_eq(pl_source_open(pl_test_fixture("wim/split.swm"), &opt, &src, &err), 0);
    ck_assert_str_eq(src->container, "swm");
    ck_assert_uint_ge(src->chain.len, 2);
    pl_source_close(src);
    /* the second part alone is refused with a reason */
    ck_assert_int_eq(pl_source_open(pl_test_fixture("wim/split2.swm"), &opt, &src, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "give the first part"));
}
END_TEST

START_TEST(esd_is_detected_as_solid)
{
    pl_source *src = NULL;
    pl_err err;
    pl_source_options opt = {0};
    ck_assert_int_eq(pl_source_open(pl_test_fixture("wim/install.esd"), &opt, &src, &err), 0);
    ck_assert_str_eq(src->container, "esd");
    pl_source_close(src);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sources");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, resolve_matches_case_insensitively);
    tcase_add_test(tc, read_refuses_files_over_the_limit);
    tcase_add_test(tc, windows_dirs_found_at_root_level);
    tcase_add_test(tc, no_windows_dir_is_not_an_error);
    tcase_add_test(tc, detection_is_by_content_not_name);
    tcase_add_test(tc, wim_images_are_volumes_with_their_xml_claim);
    tcase_add_test(tc, split_wim_needs_its_parts);
    tcase_add_test(tc, esd_is_detected_as_solid);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
