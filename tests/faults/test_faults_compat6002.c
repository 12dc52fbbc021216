/* Faults: --find-6002-checks on hostile script locations (made here, in a
 * copy of the good tree): a file over the size limit, a binary file with a
 * script extension, a line of megabytes with no newline, symbolic link
 * loops, nesting deeper than the depth limit, and links that lead out of
 * the input. Each is bounded and said; the installation is still analyzed
 * (exit 0), and nothing hangs (the test case has a timeout). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check_main.h"
#include "faults.h"
#include "util/limits.h"

static json_object *scan(e2e_run *r, const char *tree)
{
    const char *args[] = {"-f", "json", "--find-6002-checks", tree, NULL};
    e2e_exec(r, args);
    ck_assert_msg(r->status == 0, "exit %d: %s", r->status, r->err);
    ck_assert_int_eq(jlen(r->json, "installations"), 1);
    ck_assert_str_eq(jstr(r->json, "installations.0.build6003.verdict"), "no");
    json_object *c = jget(r->json, "installations.0.compat_6002");
    ck_assert_ptr_nonnull(c);
    return c;
}

static char *mkdirs(const char *tree, const char *rel)
{
    char *p = fault_join(tree, rel);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", p);
    ck_assert_int_eq(system(cmd), 0);
    return p;
}

static void write_text(const char *tree, const char *rel, const char *text)
{
    char *p = fault_join(tree, rel);
    fault_write(p, text, strlen(text));
    free(p);
}

/* Over PL_MAX_C6_FILE_BYTES (sparse: cheap to make): skipped, counted,
 * never read; the small script beside it still is. */
START_TEST(huge_file)
{
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    free(mkdirs(tree, "ProgramData/Big"));
    char *p = fault_join(tree, "ProgramData/Big/huge.cmd");
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "ver | find \"6002\"\n", 18), 18);
    ck_assert_int_eq(ftruncate(fd, (off_t)PL_MAX_C6_FILE_BYTES + 1), 0);
    close(fd);
    write_text(tree, "ProgramData/Big/small.cmd", "ver | find \"6002\"\n");
    e2e_run r;
    json_object *c = scan(&r, tree);
    ck_assert_int_eq(jint(c, "skipped_files"), 1);
    ck_assert_int_eq(jint(c, "scanned_files"), 1);
    ck_assert_int_eq(jlen(c, "findings"), 1);
    ck_assert_str_eq(jstr(c, "findings.0.path"), "ProgramData/Big/small.cmd");
    ck_assert_int_lt(jint(r.json, "bytes_read"), 64 * 1024 * 1024);
    e2e_free(&r);
    fault_rmrf(dir);
    free(p);
    free(tree);
    free(dir);
}
END_TEST

/* A PE named like a script, with "6002" in it: binary, skipped. */
START_TEST(binary_with_script_extension)
{
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    free(mkdirs(tree, "Program Files/Tool"));
    char *p = fault_join(tree, "Program Files/Tool/run.vbs");
    char *nt = fault_join(tree, "WINDOWS/system32/NTOSKRNL.EXE");
    fault_copy(nt, p);
    /* The kernel's version strings hold 6.0.6002 in UTF-16: make sure a
     * plain one is in there too. */
    FILE *f = fopen(p, "ab");
    ck_assert_ptr_nonnull(f);
    fputs("\nif ver == \"6.0.6002\" then\n", f);
    fclose(f);
    e2e_run r;
    json_object *c = scan(&r, tree);
    ck_assert_int_eq(jint(c, "skipped_files"), 1);
    ck_assert_int_eq(jint(c, "scanned_files"), 0);
    ck_assert_int_eq(jlen(c, "findings"), 0);
    e2e_free(&r);
    fault_rmrf(dir);
    free(nt);
    free(p);
    free(tree);
    free(dir);
}
END_TEST

/* 3 MiB and no newline, the test at its very end: found, line 1, the text
 * shown around the match and bounded. */
START_TEST(endless_line)
{
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    free(mkdirs(tree, "Users/Public"));
    size_t n = 3u << 20;
    char *buf = malloc(n);
    for (size_t i = 0; i < n; i++)
        buf[i] = i % 9 ? 'a' : ' ';
    const char *tail = " & ver | find \"6002\"";
    memcpy(buf + n - strlen(tail), tail, strlen(tail));
    char *p = fault_join(tree, "Users/Public/long.cmd");
    fault_write(p, buf, n);
    e2e_run r;
    json_object *c = scan(&r, tree);
    ck_assert_int_eq(jlen(c, "findings"), 1);
    ck_assert_int_eq(jint(c, "findings.0.line"), 1);
    ck_assert_str_eq(jstr(c, "findings.0.classification"), "exact-build-test");
    const char *text = jstr(c, "findings.0.text");
    ck_assert_uint_le(strlen(text), PL_MAX_C6_TEXT_BYTES + 6);
    ck_assert_ptr_nonnull(strstr(text, "find \"6002\""));
    e2e_free(&r);
    fault_rmrf(dir);
    free(buf);
    free(p);
    free(tree);
    free(dir);
}
END_TEST

/* Users/loop -> . : walked to the depth limit once, with one warning. */
START_TEST(directory_loop)
{
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    char *users = mkdirs(tree, "Users");
    char *loop = fault_join(tree, "Users/loop");
    ck_assert_int_eq(symlink(".", loop), 0);
    e2e_run r;
    json_object *c = scan(&r, tree);
    ck_assert_int_eq(jlen(c, "findings"), 0);
    char want[1024] = "6002 scan: Users";
    for (int i = 0; i <= PL_MAX_C6_DEPTH; i++)
        strcat(want, "/loop");
    char tail[128];
    snprintf(tail, sizeof tail, " is nested deeper than %d directories: not descended (nor any "
                                "other so deep)", PL_MAX_C6_DEPTH);
    strcat(want, tail);
    fault_expect_warning(jget(r.json, "installations.0"), want);
    e2e_free(&r);
    fault_rmrf(dir);
    free(loop);
    free(users);
    free(tree);
    free(dir);
}
END_TEST

/* Three loops side by side: 3^12 paths, stopped by the directory limit,
 * which the result names. */
START_TEST(branching_loops_hit_the_directory_limit)
{
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    free(mkdirs(tree, "Users"));
    const char *names[] = {"Users/a", "Users/b", "Users/c"};
    for (int i = 0; i < 3; i++) {
        char *p = fault_join(tree, names[i]);
        ck_assert_int_eq(symlink(".", p), 0);
        free(p);
    }
    e2e_run r;
    json_object *c = scan(&r, tree);
    char want[128];
    snprintf(want, sizeof want, "more than %d directories: the rest are not scanned",
             PL_MAX_C6_DIRS);
    ck_assert_str_eq(jstr(c, "limit"), want);
    e2e_free(&r);
    fault_rmrf(dir);
    free(tree);
    free(dir);
}
END_TEST

/* Real nesting deeper than the limit: the script at the bottom is not
 * read, the one within the limit is. */
START_TEST(deep_nesting)
{
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    char rel[1024] = "ProgramData";
    for (int i = 0; i < PL_MAX_C6_DEPTH + 3; i++) {
        strcat(rel, "/d");
        if (i == 2) {
            free(mkdirs(tree, rel));
            char f[1100];
            snprintf(f, sizeof f, "%s/shallow.cmd", rel);
            write_text(tree, f, "ver | find \"6002\"\n");
        }
    }
    free(mkdirs(tree, rel));
    strcat(rel, "/deep.cmd");
    write_text(tree, rel, "ver | find \"6002\"\n");
    e2e_run r;
    json_object *c = scan(&r, tree);
    ck_assert_int_eq(jlen(c, "findings"), 1);
    ck_assert_ptr_nonnull(strstr(jstr(c, "findings.0.path"), "shallow.cmd"));
    ck_assert_int_ge(jlen(r.json, "installations.0.warnings"), 1);
    e2e_free(&r);
    fault_rmrf(dir);
    free(tree);
    free(dir);
}
END_TEST

/* Links out of the input (a script and a directory): never followed. */
START_TEST(links_out_of_the_input)
{
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    free(mkdirs(tree, "Users"));
    char *outside = fault_join(dir, "outside.cmd");
    fault_write(outside, "ver | find \"6002\"\n", 18);
    char *f = fault_join(tree, "Users/out.cmd");
    ck_assert_int_eq(symlink(outside, f), 0);
    char *d = fault_join(tree, "Users/etc");
    ck_assert_int_eq(symlink(dir, d), 0);
    e2e_run r;
    json_object *c = scan(&r, tree);
    ck_assert_int_eq(jlen(c, "findings"), 0);
    ck_assert_int_eq(jint(c, "skipped_files"), 1);
    e2e_free(&r);
    fault_rmrf(dir);
    free(outside);
    free(f);
    free(d);
    free(tree);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults_compat6002");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, huge_file);
    tcase_add_test(tc, binary_with_script_extension);
    tcase_add_test(tc, endless_line);
    tcase_add_test(tc, directory_loop);
    tcase_add_test(tc, branching_loops_hit_the_directory_limit);
    tcase_add_test(tc, deep_nesting);
    tcase_add_test(tc, links_out_of_the_input);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
