/* End to end: the command line itself. Options, formats, several inputs in
 * one run, one unreadable input among good ones, and the exit statuses of
 * spec section 4. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e.h"
#include "../check_main.h"

START_TEST(help_names_every_option)
{
    e2e_run r;
    const char *args[] = {"--help", NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 0);
    const char *opts[] = {"--format", "--output", "--require-6003", "--parent", "--quiet", "--verbose",
                          "--help", "--version", "--resume", "--retry-failed", "--hash",
                          "Exit status"};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        ck_assert_msg(strstr(r.out, opts[i]), "--help lacks %s", opts[i]);
    e2e_free(&r);
}
END_TEST

START_TEST(version_names_the_program)
{
    e2e_run r;
    const char *args[] = {"--version", NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert(strncmp(r.out, "patchlevel ", 11) == 0);
    e2e_free(&r);
}
END_TEST

START_TEST(usage_errors_exit_2)
{
    const char *cases[][4] = {{NULL}, {"--no-such-option", "x", NULL}, {"-f", "xml", "x"},
                              {"-f", NULL}, {"--parent", "/nonexistent/base.vhd", "x", NULL},
                              {"-f", "x\033]0;title\007\033[2J", "x", NULL}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        e2e_run r;
        e2e_exec(&r, cases[i]);
        ck_assert_msg(r.status == 2, "case %zu exited %d", i, r.status);
        ck_assert(strstr(r.err, "patchlevel: "));
        /* What was typed is shown escaped, never as terminal controls. */
        ck_assert_msg(!strchr(r.err, '\033'), "case %zu: raw escape on stderr", i);
        e2e_free(&r);
    }
}
END_TEST

START_TEST(one_bad_input_does_not_stop_the_others)
{
    char bad[] = "/tmp/pl-garbage-XXXXXX";
    int fd = mkstemp(bad);
    ck_assert(write(fd, "garbage, not an image", 21) == 21);
    close(fd);
    e2e_run r;
    const char *args[] = {"-f", "json", e2e_fixture("trees/ws2008-6002-base"), bad,
                          e2e_fixture("wim/install.esd"), NULL};
    e2e_exec(&r, args);
    unlink(bad);
    ck_assert_int_eq(r.status, 3);
    ck_assert(json_object_is_type(r.json, json_type_array));
    ck_assert_int_eq(json_object_array_length(r.json), 3);
    ck_assert_str_eq(jstr(r.json, "0.installations.0.build6003.verdict"), "no");
    ck_assert_int_eq(jlen(r.json, "1.errors"), 1);
    ck_assert(strstr(jstr(r.json, "1.errors.0"), "unrecognised input"));
    ck_assert_str_eq(jstr(r.json, "2.installations.0.build6003.verdict"), "yes");
    /* "patchlevel: INPUT: what failed: why" */
    char expect[128];
    snprintf(expect, sizeof expect, "patchlevel: %s: unrecognised input: ", bad);
    ck_assert_msg(strstr(r.err, expect), "stderr: %s", r.err);
    e2e_free(&r);
}
END_TEST

START_TEST(quiet_silences_errors_but_not_the_status)
{
    e2e_run r;
    const char *args[] = {"-q", "/nonexistent/image.vhd", NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 3);
    ck_assert_str_eq(r.err, "");
    ck_assert(strstr(r.out, "/nonexistent/image.vhd: error: cannot open: No such file"));
    e2e_free(&r);
}
END_TEST

START_TEST(require_6003_exit_status)
{
    e2e_run r;
    const char *yes[] = {"--require-6003", e2e_fixture("trees/ws2008-6003-rollups"), NULL};
    e2e_exec(&r, yes);
    ck_assert_int_eq(r.status, 0);
    e2e_free(&r);
    const char *mixed[] = {"--require-6003", e2e_fixture("wim/multi.wim"), NULL};
    e2e_exec(&r, mixed);
    ck_assert_int_eq(r.status, 1);
    e2e_free(&r);
    const char *none[] = {"--require-6003", e2e_fixture("gen"), NULL};
    e2e_exec(&r, none);
    ck_assert_int_eq(r.status, 1); /* no installation found proves nothing */
    e2e_free(&r);
}
END_TEST

START_TEST(output_file_and_jsonl)
{
    char out[] = "/tmp/pl-out-XXXXXX";
    close(mkstemp(out));
    e2e_run r;
    const char *args[] = {"-f", "jsonl", "-o", out, e2e_fixture("trees/ws2008-6002-base"),
                          e2e_fixture("trees/vista-x86-6003"), e2e_fixture("wim/multi.wim"), NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "");
    FILE *f = fopen(out, "r");
    char line[1 << 16];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        json_object *o = json_tokener_parse(line);
        ck_assert_ptr_nonnull(o);
        ck_assert_str_eq(jstr(o, "schema"), "patchlevel/1");
        json_object_put(o);
        n++;
    }
    fclose(f);
    unlink(out);
    ck_assert_int_eq(n, 3);
    e2e_free(&r);
}
END_TEST

START_TEST(csv_has_a_row_per_installation)
{
    e2e_run r;
    const char *args[] = {"-f", "csv", e2e_fixture("wim/multi.wim"), "/nonexistent", NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 3);
    int rows = 0;
    for (const char *p = r.out; (p = strstr(p, "\r\n")); p += 2)
        rows++;
    ck_assert_int_eq(rows, 1 + 3 + 1); /* header, 3 images, the failed input */
    ck_assert(strncmp(r.out, "input,container,", 16) == 0);
    e2e_free(&r);
}
END_TEST

/* Who the server is, and --csv-bom's mark and versions kept as text. */
START_TEST(csv_names_the_computer_and_serves_spreadsheets)
{
    e2e_run r;
    const char *plain[] = {"-f", "csv", e2e_fixture("trees/ws2008-idle"), NULL};
    e2e_exec(&r, plain);
    ck_assert_int_eq(r.status, 0);
    char *name = e2e_csv_cell(r.out, 1, "computer_name");
    char *version = e2e_csv_cell(r.out, 1, "version");
    ck_assert_str_eq(name, "SRV08-IDLE");
    ck_assert_str_eq(version, "6.0");
    free(name);
    free(version);
    e2e_free(&r);
    const char *bom[] = {"-f", "csv", "--csv-bom", e2e_fixture("trees/ws2008-idle"), NULL};
    e2e_exec(&r, bom);
    ck_assert_int_eq(r.status, 0);
    ck_assert(strncmp(r.out, "\xEF\xBB\xBFinput,", 9) == 0);
    version = e2e_csv_cell(r.out, 1, "version");
    ck_assert_str_eq(version, "=\"6.0\"");
    free(version);
    char *csd = e2e_csv_cell(r.out, 1, "csd_version");
    ck_assert_str_eq(csd, "Service Pack 2");   /* other cells as they are */
    free(csd);
    e2e_free(&r);
}
END_TEST

/* -f json: an object for one named input; an array for several, and
 * always with -r, even when it finds one image or none. */
START_TEST(json_shape_follows_the_request_not_the_findings)
{
    char dir[256];
    ck_assert_int_eq(e2e_scratch_dir("pl-shape", dir, sizeof dir), 0);
    char one[300];
    snprintf(one, sizeof one, "%s/one", dir);
    ck_assert_int_eq(mkdir(one, 0700), 0);
    char link[400];
    snprintf(link, sizeof link, "%s/image.qcow2", one);
    ck_assert_int_eq(symlink(e2e_fixture("disks/mbr-sysres.qcow2"), link), 0);
    struct {
        const char *args[6];
        json_type type;
        int len;
    } cases[] = {
        {{"-f", "json", e2e_fixture("trees/ws2008-idle"), NULL}, json_type_object, -1},
        {{"-f", "json", e2e_fixture("trees/ws2008-idle"), e2e_fixture("wim/multi.wim"), NULL},
         json_type_array, 2},
        {{"-f", "json", "-r", e2e_fixture("disks/mbr-sysres.qcow2"), NULL}, json_type_array, 1},
        {{"-f", "json", "-r", dir, NULL}, json_type_array, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        e2e_run r;
        e2e_exec(&r, cases[i].args);
        ck_assert_msg(r.json, "case %zu: not JSON: %s", i, r.out);
        ck_assert_msg(json_object_get_type(r.json) == cases[i].type, "case %zu: %s", i, r.out);
        if (cases[i].len >= 0)
            ck_assert_int_eq((int)json_object_array_length(r.json), cases[i].len);
        e2e_free(&r);
    }
    e2e_remove_dir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e-cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, help_names_every_option);
    tcase_add_test(tc, version_names_the_program);
    tcase_add_test(tc, usage_errors_exit_2);
    tcase_add_test(tc, one_bad_input_does_not_stop_the_others);
    tcase_add_test(tc, quiet_silences_errors_but_not_the_status);
    tcase_add_test(tc, require_6003_exit_status);
    tcase_add_test(tc, output_file_and_jsonl);
    tcase_add_test(tc, csv_has_a_row_per_installation);
    tcase_add_test(tc, csv_names_the_computer_and_serves_spreadsheets);
    tcase_add_test(tc, json_shape_follows_the_request_not_the_findings);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
