/* End to end: the built program on every tree fixture, checking the JSON
 * fields of spec section 5 against fixtures/README.md. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "../check_main.h"

/* Run "patchlevel -f json fixtures/trees/NAME" and return the installation. */
static json_object *analyze_tree(e2e_run *r, const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "trees/%s", name);
    const char *args[] = {"-f", "json", e2e_fixture(rel), NULL};
    e2e_exec(r, args);
    ck_assert_msg(r->json != NULL, "output is not JSON: %s", r->out);
    ck_assert_str_eq(jstr(r->json, "schema"), "patchlevel/1");
    ck_assert_str_eq(jstr(r->json, "container"), "dir");
    ck_assert_int_eq(jlen(r->json, "installations"), 1);
    return jget(r->json, "installations.0");
}

static int has_signal(json_object *inst, const char *id, const char *evidence_part)
{
    json_object *s = jfind(inst, "pending.signals", "signal", id);
    return s && (!evidence_part || strstr(jstr(s, "evidence"), evidence_part));
}

static int warning_mentions(json_object *inst, const char *part)
{
    for (int i = 0; i < jlen(inst, "warnings"); i++) {
        char path[32];
        snprintf(path, sizeof path, "warnings.%d", i);
        if (strstr(jstr(inst, path), part))
            return 1;
    }
    return 0;
}

START_TEST(base_6002_with_odd_case_paths)
{
    e2e_run r;
    json_object *i = analyze_tree(&r, "ws2008-6002-base");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(jstr(i, "location.partition_scheme"), "none");
    ck_assert_str_eq(jstr(i, "location.windows_dir"), "WINDOWS");
    ck_assert_str_eq(jstr(i, "files.ntoskrnl.path"), "WINDOWS/system32/NTOSKRNL.EXE");
    ck_assert_str_eq(jstr(i, "files.ntoskrnl.file_version"), "6.0.6002.18005");
    ck_assert_str_eq(jstr(i, "files.kernel32.file_version"), "6.0.6002.18005");
    ck_assert_int_eq(strlen(jstr(i, "files.ntoskrnl.sha256")), 64);
    ck_assert_str_eq(jstr(i, "os.product_name"), "Windows Server (R) 2008 Enterprise");
    ck_assert_str_eq(jstr(i, "os.edition_id"), "ServerEnterprise");
    ck_assert_str_eq(jstr(i, "os.installation_type"), "Server");
    ck_assert_str_eq(jstr(i, "os.arch"), "amd64");
    ck_assert_str_eq(jstr(i, "os.version"), "6.0");
    ck_assert_int_eq(jint(i, "os.build"), 6002);
    ck_assert_str_eq(jstr(i, "os.csd_version"), "Service Pack 2");
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "no");
    ck_assert(jis_null(i, "build6003.pending_build"));
    ck_assert(jhas(i, "updates.kbs_installed", "KB958690"));
    ck_assert_int_eq(jlen(i, "updates.kbs_superseded"), 0);
    ck_assert_int_eq(jbool(i, "pending.reboot_required"), 0);
    ck_assert(jis_null(i, "wim_xml"));
    ck_assert(jis_null(i, "updates.latest_rollup"));
    e2e_free(&r);
}
END_TEST

START_TEST(rollups_6003_installed_and_superseded)
{
    e2e_run r;
    json_object *i = analyze_tree(&r, "ws2008-6003-rollups");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "yes");
    ck_assert_str_eq(jstr(i, "files.ntoskrnl.file_version"), "6.0.6003.21481");
    ck_assert_str_eq(jstr(i, "files.kernel32.file_version"), "6.0.6003.20489");
    ck_assert_int_eq(jint(i, "os.build"), 6003);
    const char *installed[] = {"KB5014010", "KB4493730", "KB4474419", "KB4575904"};
    for (size_t k = 0; k < 4; k++)
        ck_assert_msg(jhas(i, "updates.kbs_installed", installed[k]), "%s", installed[k]);
    const char *superseded[] = {"KB4493471", "KB4516026", "KB4537810", "KB5004305"};
    for (size_t k = 0; k < 4; k++) {
        ck_assert_msg(jhas(i, "updates.kbs_superseded", superseded[k]), "%s", superseded[k]);
        ck_assert(!jhas(i, "updates.kbs_installed", superseded[k]));
    }
    /* a package whose KB is only in its .mum */
    json_object *esu = jfind(i, "updates.packages", "kb", "KB4575904");
    ck_assert_ptr_nonnull(esu);
    ck_assert_str_eq(jstr(esu, "kb_source"), "mum");
    ck_assert(strstr(jstr(esu, "identity"), "KB") == NULL);
    /* package details come from registry and manifest */
    json_object *mr = jfind(i, "updates.packages", "identity",
                            "Package_for_KB5014010~31bf3856ad364e35~amd64~~6.0.1.4");
    ck_assert_ptr_nonnull(mr);
    ck_assert_str_eq(jstr(mr, "state"), "installed");
    ck_assert_int_eq(jint(mr, "state_code"), 0x70);
    ck_assert_ptr_nonnull(jstr(mr, "release_type"));
    ck_assert_ptr_nonnull(jstr(mr, "install_time"));
    /* build 6003 evidence names both witnesses */
    ck_assert_int_ge(jlen(i, "build6003.evidence"), 2);
    ck_assert_int_eq(jint(i, "build6003.evidence.0.build"), 6003);
    ck_assert(jis_null(i, "build6003.pending_build"));
    e2e_free(&r);
}
END_TEST

START_TEST(pending_reboot_with_6003_install_pending)
{
    e2e_run r;
    json_object *i = analyze_tree(&r, "ws2008-pending-6003");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "no");
    ck_assert_int_eq(jint(i, "build6003.pending_build"), 6003);
    ck_assert(jhas(i, "build6003.pending_packages",
                   "Package_for_KB4493471~31bf3856ad364e35~amd64~~6.0.1.2"));
    ck_assert(jhas(i, "updates.kbs_pending_or_staged", "KB4493471"));
    ck_assert(jhas(i, "updates.kbs_installed", "KB4489880"));
    ck_assert_int_eq(jbool(i, "pending.reboot_required"), 1);
    ck_assert(has_signal(i, "cbs-reboot-pending", "RebootPending"));
    ck_assert(has_signal(i, "cbs-packages-pending", NULL));
    ck_assert(has_signal(i, "pending-xml", "WinSxS/pending.xml"));
    /* the current control set is 002, not 001 */
    ck_assert(has_signal(i, "pending-file-rename-operations", "ControlSet002"));
    ck_assert(has_signal(i, "package-pending", "KB4493471"));
    e2e_free(&r);
}
END_TEST

START_TEST(inconsistent_registry_6003_kernel_6002)
{
    e2e_run r;
    json_object *i = analyze_tree(&r, "ws2008-inconsistent");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "inconsistent");
    ck_assert_str_eq(jstr(i, "files.ntoskrnl.file_version"), "6.0.6002.24565");
    ck_assert_int_eq(jint(i, "build6003.evidence.0.build"), 6002);
    json_object *reg = jget(i, "build6003.evidence.1");
    ck_assert(strstr(jstr(reg, "source"), "CurrentBuildNumber"));
    ck_assert_int_eq(jint(reg, "build"), 6003);
    e2e_free(&r);
}
END_TEST

START_TEST(vista_x86_with_pae_kernel)
{
    e2e_run r;
    json_object *i = analyze_tree(&r, "vista-x86-6003");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(jstr(i, "os.arch"), "x86");
    ck_assert_str_eq(jstr(i, "os.edition_id"), "Business");
    ck_assert(jis_null(i, "os.installation_type"));
    ck_assert_str_eq(jstr(i, "files.ntkrnlpa.file_version"), "6.0.6003.20489");
    /* kernel32 lags behind the kernel: normal, and not an inconsistency */
    ck_assert_str_eq(jstr(i, "files.kernel32.file_version"), "6.0.6002.18005");
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "yes");
    e2e_free(&r);
}
END_TEST

START_TEST(r2_7601_is_not_applicable)
{
    e2e_run r;
    json_object *i = analyze_tree(&r, "ws2008r2-7601");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "not-applicable");
    ck_assert_str_eq(jstr(i, "os.version"), "6.1");
    ck_assert_int_eq(jint(i, "os.build"), 7601);
    e2e_free(&r);
}
END_TEST

START_TEST(damaged_hive_leaves_verdict_unknown)
{
    e2e_run r;
    json_object *i = analyze_tree(&r, "damaged-hive");
    /* the input was analyzed: what could be read is reported */
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "unknown");
    ck_assert(strstr(jstr(i, "build6003.reason"), "registry"));
    ck_assert_str_eq(jstr(i, "files.ntoskrnl.file_version"), "6.0.6003.21481");
    ck_assert(jis_null(i, "os.product_name"));
    ck_assert(warning_mentions(i, "SOFTWARE hive"));
    /* nothing that rests on SOFTWARE reads as "no" or "none" */
    const char *why = "SOFTWARE hive unreadable: no hive bin (\"hbin\") at offset 0x1000; "
                      "nothing to salvage: the root key (cell offset 0x20) lies in the damaged "
                      "or missing hive bins";
    ck_assert(jis_null(i, "updates.kbs_installed"));
    ck_assert(jis_null(i, "updates.kbs_superseded"));
    ck_assert(jis_null(i, "updates.kbs_pending_or_staged"));
    ck_assert_str_eq(jstr(i, "updates.kbs_unknown"), why);
    ck_assert(jis_null(i, "updates.latest_rollup"));
    ck_assert(jis_null(i, "updates.missing_rollups"));
    ck_assert(jis_null(i, "updates.missing_prerequisites"));
    ck_assert_str_eq(jstr(i, "updates.rollups_unknown"), why);
    ck_assert(jis_null(i, "pending.reboot_required"));
    ck_assert(strstr(jstr(i, "pending.reboot_required_unknown"), why));
    ck_assert_int_eq(jlen(i, "pending.unknown_signals"), 7);
    ck_assert_str_eq(jstr(jfind(i, "pending.unknown_signals", "signal", "cbs-reboot-pending"),
                          "reason"), why);
    /* SYSTEM was read: its signals are judged (none seen) */
    ck_assert(jfind(i, "pending.unknown_signals", "signal", "pending-file-rename-operations") ==
              NULL);
    e2e_free(&r);
}
END_TEST

/* What a normal idle 2008 server holds (SessionsPending with Exclusive = 0
 * and TargetState = 0, an empty PackagesPending, ExecuteState 0xFFFFFFFF,
 * Hostname = NV Hostname) is not a pending reboot. */
START_TEST(idle_server_is_not_pending)
{
    e2e_run r;
    json_object *i = analyze_tree(&r, "ws2008-idle");
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jbool(i, "pending.reboot_required"), 0);
    ck_assert(jis_null(i, "pending.reboot_required_unknown"));
    ck_assert_int_eq(jbool(i, "pending.servicing_reboot_required"), 0);
    ck_assert_int_eq(jlen(i, "pending.signals"), 0);
    ck_assert_int_eq(jlen(i, "pending.unknown_signals"), 0);
    ck_assert_int_eq(jlen(i, "updates.unidentified_packages"), 0);
    ck_assert(jis_null(i, "updates.kbs_unknown"));
    ck_assert(jis_null(i, "updates.rollups_unknown"));
    e2e_free(&r);
}
END_TEST

static void expect_signal(json_object *i, const char *id, const char *cls, const char *evidence,
                          const char *detail)
{
    json_object *s = jfind(i, "pending.signals", "signal", id);
    ck_assert_msg(s != NULL, "signal %s missing", id);
    ck_assert_str_eq(jstr(s, "class"), cls);
    ck_assert_str_eq(jstr(s, "evidence"), evidence);
    ck_assert_str_eq(jstr(s, "detail"), detail);
}

START_TEST(rename_join_and_exclusive_sessions_are_signals)
{
    e2e_run r;
    json_object *i = analyze_tree(&r, "ws2008-signals");
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jbool(i, "pending.reboot_required"), 1);
    ck_assert_int_eq(jbool(i, "pending.servicing_reboot_required"), 1);
    ck_assert_int_eq(jlen(i, "pending.signals"), 4);
    expect_signal(i, "cbs-sessions-pending", "servicing",
                  "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based "
                  "Servicing\\SessionsPending\\Exclusive",
                  "Exclusive = 1: sessions pended with the exclusive flag");
    expect_signal(i, "pending-file-rename-operations2", "file-rename",
                  "SYSTEM\\ControlSet001\\Control\\Session Manager\\PendingFileRenameOperations2",
                  "1 entry");
    expect_signal(i, "computer-rename", "computer-rename",
                  "SYSTEM\\ControlSet001\\Services\\Tcpip\\Parameters\\NV Hostname",
                  "NV Hostname \"srv08-new\" differs from Hostname \"srv08-old\"");
    expect_signal(i, "domain-join", "domain-join",
                  "SYSTEM\\ControlSet001\\Services\\Netlogon\\JoinDomain",
                  "JoinDomain and AvoidSpnSet");
    e2e_free(&r);
}
END_TEST

/* Values of the wrong type, UTF-16 with a lone surrogate, and an installed
 * rollup whose .mum is cut: each a warning, each answer unknown, never
 * "not pending" or "missing". */
START_TEST(undecodable_witnesses_are_unknown)
{
    e2e_run r;
    json_object *i = analyze_tree(&r, "ws2008-undecodable");
    ck_assert_int_eq(r.status, 0);
    ck_assert(jis_null(i, "pending.reboot_required"));
    ck_assert(jis_null(i, "pending.servicing_reboot_required"));
    ck_assert_int_eq(jlen(i, "pending.signals"), 0);
    static const char *const unknown[][2] = {
        {"cbs-sessions-pending", "value Exclusive is REG_SZ of 4 bytes, not a REG_DWORD"},
        {"cbs-execute-state", "value ExecuteState is REG_BINARY of 2 bytes, not a REG_DWORD"},
        {"pending-file-rename-operations",
         "value PendingFileRenameOperations is REG_BINARY, not a REG_MULTI_SZ"},
        {"pending-file-rename-operations2",
         "value PendingFileRenameOperations2 holds an unpaired UTF-16 surrogate at byte 12"}};
    ck_assert_int_eq(jlen(i, "pending.unknown_signals"), 4);
    /* each warning again with its code: the wrong types and the broken
     * UTF-16 are damage ("corrupt"), as is the cut manifest */
    ck_assert_int_eq(jlen(i, "warning_details"), jlen(i, "warnings"));
    for (int k = 0; k < jlen(i, "warning_details"); k++) {
        char key[48];
        snprintf(key, sizeof key, "warning_details.%d.code", k);
        ck_assert_str_eq(jstr(i, key), "corrupt");
    }
    for (size_t k = 0; k < 4; k++) {
        json_object *s = jfind(i, "pending.unknown_signals", "signal", unknown[k][0]);
        ck_assert_msg(s != NULL, "%s not unknown", unknown[k][0]);
        ck_assert_str_eq(jstr(s, "reason"), unknown[k][1]);
        ck_assert(warning_mentions(i, unknown[k][1]));
    }
    /* the rollup package's KB is only in its cut .mum */
    ck_assert_int_eq(jlen(i, "updates.unidentified_packages"), 1);
    ck_assert(jhas(i, "updates.unidentified_packages",
                   "Package_for_RollupFix~31bf3856ad364e35~amd64~~6003.21481.1.3"));
    ck_assert(jis_null(i, "updates.latest_rollup"));
    ck_assert(jis_null(i, "updates.missing_rollups"));
    ck_assert(jis_null(i, "updates.rollups_behind"));
    ck_assert(jis_null(i, "updates.missing_prerequisites"));
    ck_assert(strstr(jstr(i, "updates.rollups_unknown"), "1 installed package whose KB could not be read"));
    /* the KB lists are what was read */
    ck_assert(jhas(i, "updates.kbs_installed", "KB5014010"));
    e2e_free(&r);
}
END_TEST

/* Server 2019 keeps CurrentVersion at "6.3". */
START_TEST(server_2019_is_named_right)
{
    e2e_run r;
    json_object *i = analyze_tree(&r, "ws2019-17763");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(jstr(i, "os.version"), "10.0");
    ck_assert_str_eq(jstr(i, "os.version_source"),
                     "CurrentMajorVersionNumber.CurrentMinorVersionNumber");
    ck_assert_int_eq(jint(i, "os.build"), 17763);
    ck_assert_int_eq(jint(i, "os.revision"), 5329);
    ck_assert_str_eq(jstr(i, "os.current_build_number"), "17763");
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "not-applicable");
    ck_assert_str_eq(jstr(i, "build6003.reason"),
                     "not Windows NT 6.0: Windows Server 2019 Datacenter, version 10.0 (kernel "
                     "10.0)");
    ck_assert(jis_null(i, "updates.latest_rollup"));
    ck_assert(jis_null(i, "updates.rollups_unknown"));
    ck_assert(jhas(i, "updates.kbs_installed", "KB5034127"));
    ck_assert_int_eq(jbool(i, "pending.reboot_required"), 0);
    ck_assert_int_eq(jlen(i, "warnings"), 0);
    e2e_free(&r);
}
END_TEST

START_TEST(malformed_mum_is_a_warning_not_a_failure)
{
    e2e_run r;
    json_object *i = analyze_tree(&r, "malformed-mum");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "no");
    ck_assert(warning_mentions(i, "not well-formed XML"));
    int broken = 0, orphans = 0;
    for (int k = 0; k < jlen(i, "updates.packages"); k++) {
        char path[64];
        snprintf(path, sizeof path, "updates.packages.%d", k);
        json_object *p = jget(i, path);
        if (jstr(p, "mum_error")) {
            broken++;
            ck_assert_str_eq(jstr(p, "state"), "installed"); /* the registry still speaks */
        }
        if (jbool(p, "in_registry") == 0) {
            orphans++;
            ck_assert(jis_null(p, "state"));
        }
    }
    ck_assert_int_eq(broken, 1);
    ck_assert_int_eq(orphans, 1);
    e2e_free(&r);
}
END_TEST

START_TEST(text_report_reads_like_a_report)
{
    e2e_run r;
    const char *args[] = {e2e_fixture("trees/ws2008-pending-6003"), NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "Build 6003:  NO"));
    ck_assert(strstr(r.out, "build 6003 is staged or waits for a reboot"));
    ck_assert(strstr(r.out, "Reboot:      PENDING"));
    ck_assert(strstr(r.out, "6.0.6002.24565  Windows/System32/ntoskrnl.exe"));
    e2e_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e-trees");
    TCase *tc = tcase_create("trees");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, base_6002_with_odd_case_paths);
    tcase_add_test(tc, rollups_6003_installed_and_superseded);
    tcase_add_test(tc, pending_reboot_with_6003_install_pending);
    tcase_add_test(tc, inconsistent_registry_6003_kernel_6002);
    tcase_add_test(tc, vista_x86_with_pae_kernel);
    tcase_add_test(tc, r2_7601_is_not_applicable);
    tcase_add_test(tc, damaged_hive_leaves_verdict_unknown);
    tcase_add_test(tc, malformed_mum_is_a_warning_not_a_failure);
    tcase_add_test(tc, idle_server_is_not_pending);
    tcase_add_test(tc, rename_join_and_exclusive_sessions_are_signals);
    tcase_add_test(tc, undecodable_witnesses_are_unknown);
    tcase_add_test(tc, server_2019_is_named_right);
    tcase_add_test(tc, text_report_reads_like_a_report);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
