/* End to end: --find-6002-checks on the fixture tree ws2008-compat6002
 * and on the same tree captured in wim/compat6002.wim (fixtures/README.md,
 * "6002 checks"): a logon script (ANSI, CRLF), a scheduled task (UTF-16LE
 * with BOM, no extension), an installer config (MSI condition in XML),
 * an application .ini with a build list and a port, a script that accepts
 * 6003 (-ge 6002), notes that merely mention 6002 (UTF-16LE, no BOM), a
 * Run value and a service naming scripts outside the scanned locations,
 * recorded builds in SOFTWARE; a script in Windows\Temp is never read.
 * Checked in JSON, text and CSV; without the option compat_6002 is null. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check_main.h"
#include "e2e.h"

#define TASK "Windows/System32/Tasks/Contoso/Agent Health"
#define LOGON "Windows/System32/GroupPolicy/User/Scripts/Logon/logon.cmd"
#define SETUP "ProgramData/Contoso/Installer/setup.xml"
#define INI "Program Files/Contoso Agent/agent.ini"
#define CHECK "Program Files/Contoso Agent/check.ps1"
#define NOTES "Users/Administrator/Documents/notes.ps1"
#define RUNVBS "Scripts/startup-check.vbs"
#define SERVICE "Scripts/watch.cmd"
#define REGKEY "HKLM\\SOFTWARE\\Contoso\\Agent"

static void run(e2e_run *r, const char *fixture, const char *fmt, int find)
{
    const char *with[] = {"-f", fmt, "--find-6002-checks", e2e_fixture(fixture), NULL};
    const char *without[] = {"-f", fmt, e2e_fixture(fixture), NULL};
    e2e_exec(r, find ? with : without);
    ck_assert_msg(r->status == 0, "%s: exit %d: %s", fixture, r->status, r->err);
}

/* The finding at path (and line, 0 for any) has class want. */
static void ck_finding(json_object *c, const char *path, int64_t line, const char *want)
{
    json_object *fs = jget(c, "findings");
    for (size_t i = 0; fs && i < json_object_array_length(fs); i++) {
        json_object *f = json_object_array_get_idx(fs, i);
        if (strcmp(jstr(f, "path"), path) != 0 || (line && jint(f, "line") != line))
            continue;
        ck_assert_msg(strcmp(jstr(f, "classification"), want) == 0, "%s:%lld is %s, not %s",
                      path, (long long)line, jstr(f, "classification"), want);
        return;
    }
    ck_abort_msg("no finding for %s:%lld", path, (long long)line);
}

static int has_path(json_object *c, const char *path)
{
    json_object *fs = jget(c, "findings");
    for (size_t i = 0; fs && i < json_object_array_length(fs); i++)
        if (strcmp(jstr(json_object_array_get_idx(fs, i), "path"), path) == 0)
            return 1;
    return 0;
}

static void ck_all(json_object *c)
{
    ck_assert_ptr_nonnull(c);
    ck_finding(c, LOGON, 3, "exact-build-test");
    ck_finding(c, TASK, 9, "exact-build-test");
    ck_finding(c, SETUP, 4, "exact-build-test");
    ck_finding(c, INI, 4, "version-list");
    ck_finding(c, INI, 3, "mention");            /* Port=6002 */
    ck_finding(c, CHECK, 3, "mention");          /* -ge 6002 accepts 6003 */
    ck_finding(c, NOTES, 2, "mention");
    ck_finding(c, RUNVBS, 3, "exact-build-test");  /* named by the Run key */
    ck_finding(c, SERVICE, 3, "exact-build-test"); /* named by a service's ImagePath */
    ck_finding(c, REGKEY, 0, "exact-build-test");  /* SupportedBuild = 6002 */
    ck_assert_int_eq(jint(c, "risks"), 7);
    ck_assert_int_eq(jlen(c, "findings"), 11);
    ck_assert_int_eq(jint(c, "scanned_files"), 8);
    ck_assert_int_eq(jint(c, "skipped_files"), 0);
    ck_assert(jis_null(c, "limit"));
    ck_assert(!has_path(c, "Windows/Temp/old.cmd"));   /* not a script location */
    json_object *reg = jfind(c, "findings", "path", REGKEY);
    ck_assert(jis_null(reg, "line"));
    ck_assert_str_eq(jstr(reg, "source"), "registry");
    ck_assert_str_eq(jstr(reg, "text"), "SupportedBuild = 6002");
}

START_TEST(tree_json)
{
    e2e_run r;
    run(&r, "trees/ws2008-compat6002", "json", 1);
    json_object *c = jget(r.json, "installations.0.compat_6002");
    ck_all(c);
    json_object *logon = jfind(c, "findings", "path", LOGON);
    ck_assert_str_eq(jstr(logon, "text"), "ver | find \"6002\" >nul");
    e2e_free(&r);
}
END_TEST

START_TEST(wim_json)
{
    e2e_run r;
    run(&r, "wim/compat6002.wim", "json", 1);
    ck_all(jget(r.json, "installations.0.compat_6002"));
    e2e_free(&r);
}
END_TEST

START_TEST(not_asked_for)
{
    e2e_run r;
    run(&r, "trees/ws2008-compat6002", "json", 0);
    ck_assert(jis_null(r.json, "installations.0.compat_6002"));
    e2e_free(&r);
    run(&r, "trees/ws2008-compat6002", "text", 0);
    ck_assert_ptr_null(strstr(r.out, "Will break at 6003"));
    e2e_free(&r);
}
END_TEST

START_TEST(text_section)
{
    e2e_run r;
    run(&r, "trees/ws2008-compat6002", "text", 1);
    ck_assert_ptr_nonnull(strstr(r.out, "Will break at 6003: 7 risks in 8 files scanned"));
    ck_assert_ptr_nonnull(strstr(r.out, "exact-build-test " LOGON ":3: ver | find \"6002\" >nul"));
    ck_assert_ptr_nonnull(strstr(r.out, "exact-build-test " TASK ":9: "));
    ck_assert_ptr_nonnull(strstr(r.out, "exact-build-test " SETUP ":4: "));
    ck_assert_ptr_nonnull(strstr(r.out, "version-list     " INI ":4: SupportedBuilds=6001,6002,7601"));
    ck_assert_ptr_nonnull(strstr(r.out, "mention          " CHECK ":3: if ($build -ge 6002) {"));
    ck_assert_ptr_nonnull(strstr(r.out, "mention          " NOTES ":2: "));
    ck_assert_ptr_nonnull(strstr(r.out, "exact-build-test " REGKEY ": SupportedBuild = 6002"));
    /* Risks come before mentions. */
    ck_assert(strstr(r.out, "version-list") < strstr(r.out, "mention  "));
    e2e_free(&r);
}
END_TEST

/* The count: 7 risks, and empty without the option. */
START_TEST(csv_column)
{
    e2e_run r;
    run(&r, "trees/ws2008-compat6002", "csv", 1);
    char *cell = e2e_csv_cell(r.out, 1, "compat_6002_risks");
    ck_assert_str_eq(cell, "7");
    free(cell);
    e2e_free(&r);
    run(&r, "trees/ws2008-compat6002", "csv", 0);
    cell = e2e_csv_cell(r.out, 1, "compat_6002_risks");
    ck_assert_str_eq(cell, "");
    free(cell);
    e2e_free(&r);
}
END_TEST

/* An NTFS volume read through The Sleuth Kit: the WIM applied to a fresh
 * 6 MiB volume made here (no committed disk fixture holds the scripts:
 * regenerating the disks here would change every other one). Skipped
 * without mkntfs (ntfs-3g) or wimlib-imagex (wimtools). */
START_TEST(ntfs_volume)
{
    if (system("command -v mkntfs >/dev/null && command -v wimlib-imagex >/dev/null") != 0)
        return;
    char dir[512];
    ck_assert_int_eq(e2e_scratch_dir("pl-compat-ntfs", dir, sizeof dir), 0);
    char vol[600], cmd[2048];
    snprintf(vol, sizeof vol, "%s/vol.raw", dir);
    snprintf(cmd, sizeof cmd,
             "truncate -s 6M '%s' && mkntfs -F -f -q '%s' >/dev/null 2>&1 && "
             "wimlib-imagex apply '%s' 1 '%s' >/dev/null 2>&1",
             vol, vol, e2e_fixture("wim/compat6002.wim"), vol);
    ck_assert_int_eq(system(cmd), 0);
    e2e_run r;
    const char *args[] = {"-f", "json", "--find-6002-checks", vol, NULL};
    e2e_exec(&r, args);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_str_eq(jstr(r.json, "container"), "raw");
    ck_all(jget(r.json, "installations.0.compat_6002"));
    e2e_free(&r);
    e2e_remove_dir(dir);
}
END_TEST

/* The root of the volume: its files are read, its other directories
 * (not script locations) are not. */
START_TEST(volume_root_files_only)
{
    char dir[512];
    ck_assert_int_eq(e2e_scratch_dir("pl-compat-root", dir, sizeof dir), 0);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cp -R '%s' '%s/t' && printf 'ver | find \"6002\"\\r\\n' >'%s/t/AUTOEXEC.BAT' && "
             "mkdir '%s/t/Other' && printf 'ver | find \"6002\"\\r\\n' >'%s/t/Other/x.cmd'",
             e2e_fixture("trees/ws2008-compat6002"), dir, dir, dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    char tree[600];
    snprintf(tree, sizeof tree, "%s/t", dir);
    e2e_run r;
    const char *args[] = {"-f", "json", "--find-6002-checks", tree, NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 0);
    json_object *c = jget(r.json, "installations.0.compat_6002");
    ck_finding(c, "AUTOEXEC.BAT", 1, "exact-build-test");
    ck_assert(!has_path(c, "Other/x.cmd"));
    ck_assert_int_eq(jint(c, "risks"), 8);
    e2e_free(&r);
    e2e_remove_dir(dir);
}
END_TEST

/* A bare hive: the recorded builds only (no volume, no files). */
START_TEST(bare_hive)
{
    e2e_run r;
    run(&r, "trees/ws2008-compat6002/Windows/System32/config/SOFTWARE", "json", 1);
    json_object *c = jget(r.json, "installations.0.compat_6002");
    ck_assert_int_eq(jint(c, "scanned_files"), 0);
    ck_finding(c, REGKEY, 0, "exact-build-test");
    ck_assert_int_eq(jint(c, "risks"), 1);
    e2e_free(&r);
}
END_TEST

/* A tree with no script at all: an empty list, not null. */
START_TEST(nothing_found)
{
    e2e_run r;
    run(&r, "trees/ws2008-6003-rollups", "json", 1);
    json_object *c = jget(r.json, "installations.0.compat_6002");
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(jlen(c, "findings"), 0);
    ck_assert_int_eq(jint(c, "risks"), 0);
    e2e_free(&r);
}
END_TEST

/* summarize: installations scanned, and those with a risk, in every
 * format (a result without the option counts as not scanned). */
START_TEST(summarize_counts)
{
    char dir[512];
    ck_assert_int_eq(e2e_scratch_dir("pl-compat", dir, sizeof dir), 0);
    char results[600];
    snprintf(results, sizeof results, "%s/r.jsonl", dir);
    e2e_run r;
    const char *scan[] = {"-f", "jsonl", "--find-6002-checks", "-o", results,
                          e2e_fixture("trees/ws2008-compat6002"),
                          e2e_fixture("trees/ws2008-6003-rollups"), NULL};
    e2e_exec(&r, scan);
    ck_assert_int_eq(r.status, 0);
    e2e_free(&r);
    char plain[600];
    snprintf(plain, sizeof plain, "%s/p.jsonl", dir);
    const char *noscan[] = {"-f", "jsonl", "-o", plain, e2e_fixture("trees/ws2008-idle"), NULL};
    e2e_exec(&r, noscan);
    ck_assert_int_eq(r.status, 0);
    e2e_free(&r);
    const char *csv[] = {"summarize", "-f", "csv", results, plain, NULL};
    e2e_exec(&r, csv);
    ck_assert_ptr_nonnull(strstr(r.out, "\r\ninstallations,scanned_for_6002_checks,2,"));
    ck_assert_ptr_nonnull(strstr(r.out, "\r\ninstallations,with_6002_checks,1,"));
    e2e_free(&r);
    const char *json[] = {"summarize", "-f", "json", results, plain, NULL};
    e2e_exec(&r, json);
    ck_assert_int_eq(jint(r.json, "installations.scanned_for_6002_checks"), 2);
    ck_assert_int_eq(jint(r.json, "installations.with_6002_checks"), 1);
    e2e_free(&r);
    const char *text[] = {"summarize", results, plain, NULL};
    e2e_exec(&r, text);
    ck_assert_ptr_nonnull(strstr(r.out, "will break at 6003"));
    e2e_free(&r);
    char html[600];
    snprintf(html, sizeof html, "%s/s.html", dir);
    const char *page[] = {"summarize", "-f", "html", "-o", html, results, plain, NULL};
    e2e_exec(&r, page);
    ck_assert_int_eq(r.status, 0);
    e2e_free(&r);
    FILE *f = fopen(html, "r");
    ck_assert_ptr_nonnull(f);
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "data-metric=\"installations.with_6002_checks\">1<"));
    e2e_remove_dir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e_compat6002");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, tree_json);
    tcase_add_test(tc, wim_json);
    tcase_add_test(tc, not_asked_for);
    tcase_add_test(tc, text_section);
    tcase_add_test(tc, csv_column);
    tcase_add_test(tc, ntfs_volume);
    tcase_add_test(tc, volume_root_files_only);
    tcase_add_test(tc, bare_hive);
    tcase_add_test(tc, nothing_found);
    tcase_add_test(tc, summarize_counts);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
