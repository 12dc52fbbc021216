/* Corpus tier: every real hive in ../shared/corpus opens (as a partial
 * report flagged as not a SOFTWARE hive) or fails with a clear error.
 * Compressed hives are unpacked to a temporary directory first. Skipped
 * (exit 77) when the corpus is absent. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../e2e/e2e.h"
#include "../check_main.h"

static char tmpdir[256];

static const char *unpack_xz(const char *rel)
{
    static char out[512];
    const char *base = strrchr(rel, '/') + 1;
    snprintf(out, sizeof out, "%s/%.*s", tmpdir, (int)(strlen(base) - 3), base);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "xz -dc '%s' > '%s'", e2e_corpus(rel), out);
    ck_assert_msg(system(cmd) == 0, "cannot unpack %s (is xz-utils installed?)", rel);
    return out;
}

static void expect_partial_report(const char *path)
{
    e2e_run r;
    const char *args[] = {"-f", "json", path, NULL};
    e2e_exec(&r, args);
    ck_assert_msg(r.status == 0, "%s: exit %d: %s", path, r.status, r.err);
    ck_assert_str_eq(jstr(r.json, "container"), "hive");
    ck_assert_int_eq(jlen(r.json, "installations"), 1);
    ck_assert_str_eq(jstr(r.json, "installations.0.build6003.verdict"), "unknown");
    int flagged = 0;
    for (int i = 0; i < jlen(r.json, "installations.0.warnings"); i++) {
        char key[64];
        snprintf(key, sizeof key, "installations.0.warnings.%d", i);
        flagged |= strstr(jstr(r.json, key), "is it a SOFTWARE hive?") != NULL;
    }
    ck_assert_msg(flagged, "%s: no warning", path);
    e2e_free(&r);
}

START_TEST(real_hives_open)
{
    const char *plain[] = {"hivex/minimal", "hivex/special", "hivex/rlenvalue_test_hive",
                           "yarp/BigDataHive", "yarp/EmptyHive", "yarp/TruncatedHive",
                           "yarp/UnicodeHive", "yarp/NewDirtyHive1/NewDirtyHive",
                           "plaso/regf/NTUSER.DAT", "velociraptor/SAM"};
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
        expect_partial_report(e2e_corpus(plain[i]));
    const char *packed[] = {"regipy/SYSTEM.xz", "regipy/SYSTEM_WIN_10_1709.xz", "regipy/SAM.xz",
                            "regipy/SECURITY.xz", "regipy/BCD.xz", "regipy/NTUSER.DAT.xz"};
    for (size_t i = 0; i < sizeof packed / sizeof *packed; i++)
        expect_partial_report(unpack_xz(packed[i]));
}
END_TEST

/* Windows' own dirty hive, given bare with its logs beside it, is
 * replayed before it is read (the values match Windows' recovery: see
 * test_corpus_hive_log). */
START_TEST(dirty_real_hive_is_recovered)
{
    e2e_run r;
    const char *args[] = {"-f", "json", e2e_corpus("yarp/NewDirtyHive1/NewDirtyHive"), NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(jstr(r.json, "installations.0.os.software_hive_state.state"), "recovered");
    ck_assert_str_eq(jstr(r.json, "installations.0.os.software_hive_state.logs"),
                     "SOFTWARE.LOG1 and SOFTWARE.LOG2");
    e2e_free(&r);
}
END_TEST

/* regipy's corrupted SYSTEM hive: 583 pages of its hive bins are zeros,
 * the first at 0x1a000 (libregf cannot read its root key). The salvage
 * bridges the first 64 damaged ranges and reads the keys they leave
 * (1686 keys, Select\Current among them); read as a bare hive it is a
 * partial report of a hive that is not a SOFTWARE hive, flagged salvaged. */
START_TEST(corrupted_hive_is_salvaged)
{
    e2e_run r;
    const char *args[] = {"-f", "json", unpack_xz("regipy/corrupted_system_hive.xz"), NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(r.json, "installations"), 1);
    ck_assert_str_eq(jstr(r.json, "installations.0.os.software_hive_state.state"), "salvaged");
    const char *detail = jstr(r.json, "installations.0.os.software_hive_state.detail");
    ck_assert_msg(detail && strstr(detail, "the hive bins at bytes 106496-118783 are damaged "
                                           "(no \"hbin\" header)"),
                  "%s", detail ? detail : "(no detail)");
    e2e_free(&r);
}
END_TEST

START_TEST(non_hives_are_unrecognised)
{
    const char *rels[] = {"libguestfs/windows-software.reg", "velociraptor/notnbt.exe"};
    for (size_t i = 0; i < 2; i++) {
        e2e_run r;
        const char *args[] = {"-f", "json", e2e_corpus(rels[i]), NULL};
        e2e_exec(&r, args);
        ck_assert_int_eq(r.status, 3);
        ck_assert(strstr(jstr(r.json, "errors.0"), "unrecognised input"));
        e2e_free(&r);
    }
}
END_TEST

/* The pending signals on what real machines hold: a real SYSTEM hive in a
 * copy of the idle fixture tree. A Windows 7 workstation (regipy/SYSTEM)
 * reads "not pending"; a Windows 10 1709 one holds 137 stale-looking
 * PendingFileRenameOperations entries, a file-rename signal that is not a
 * servicing reboot; neither shows a computer rename or a domain join. */
static json_object *idle_tree_with_system(e2e_run *r, const char *packed, const char *name)
{
    char tree[600], cmd[1600];
    snprintf(tree, sizeof tree, "%s/%s", tmpdir, name);
    snprintf(cmd, sizeof cmd, "cp -R '%s' '%s' && xz -dc '%s' > '%s/Windows/System32/config/SYSTEM'",
             e2e_fixture("trees/ws2008-idle"), tree, e2e_corpus(packed), tree);
    ck_assert_msg(system(cmd) == 0, "cannot build %s", tree);
    const char *args[] = {"-f", "json", tree, NULL};
    e2e_exec(r, args);
    ck_assert_int_eq(r->status, 0);
    return jget(r->json, "installations.0");
}

START_TEST(real_system_hives_read_as_windows_means_them)
{
    e2e_run r;
    json_object *i = idle_tree_with_system(&r, "regipy/SYSTEM.xz", "win7");
    ck_assert_str_eq(jstr(i, "os.computer_name"), "WKS-WIN732BITA");
    ck_assert_int_eq(jbool(i, "pending.reboot_required"), 0);
    ck_assert_int_eq(jlen(i, "pending.signals"), 0);
    ck_assert_int_eq(jlen(i, "pending.unknown_signals"), 0);
    e2e_free(&r);
    i = idle_tree_with_system(&r, "regipy/SYSTEM_WIN_10_1709.xz", "win10");
    ck_assert_int_eq(jbool(i, "pending.reboot_required"), 1);
    ck_assert_int_eq(jbool(i, "pending.servicing_reboot_required"), 0);
    ck_assert_int_eq(jlen(i, "pending.signals"), 1);
    json_object *s = jfind(i, "pending.signals", "signal", "pending-file-rename-operations");
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(jstr(s, "class"), "file-rename");
    ck_assert_str_eq(jstr(s, "detail"), "137 entries");
    e2e_free(&r);
}
END_TEST

int main(void)
{
    e2e_require_corpus();
    if (e2e_scratch_dir("pl-corpus", tmpdir, sizeof tmpdir) != 0)
        return EXIT_FAILURE;
    Suite *s = suite_create("corpus-hive");
    TCase *tc = tcase_create("hive");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, real_hives_open);
    tcase_add_test(tc, dirty_real_hive_is_recovered);
    tcase_add_test(tc, corrupted_hive_is_salvaged);
    tcase_add_test(tc, non_hives_are_unrecognised);
    tcase_add_test(tc, real_system_hives_read_as_windows_means_them);
    suite_add_tcase(s, tc);
    int failed = pl_run_suite(s);
    e2e_remove_dir(tmpdir);
    return failed;
}
