/* The pending-reboot signals (src/decisions/pending.c) on hand-built
 * evidence: what a normal idle server holds reads "not pending"; each
 * signal is seen with its class; each witness missing or damaged in turn
 * makes its signals unknown, never "not pending"; a seen signal still
 * counts when another witness is missing. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decisions/decisions.h"
#include "../check_main.h"

/* What a serviced 2008 server holds when nothing waits: every hive read,
 * CBS present, SessionsPending with Exclusive = 0, ExecuteState -1, no
 * pending.xml, no renames, Hostname = NV Hostname. */
static void idle_server(pl_installation *in)
{
    memset(in, 0, sizeof *in);
    in->software_read = 1;
    in->system_read = 1;
    in->pending.cbs_key = 1;
    in->pending.has_sessions_exclusive = 1;
    in->pending.sessions_exclusive = 0;
    in->pending.has_execute_state = 1;
    in->pending.execute_state = 0xFFFFFFFFu;
    in->pending.pfro_key = strdup("ControlSet001\\Control\\Session Manager");
    in->pending.tcpip_key = strdup("ControlSet001\\Services\\Tcpip\\Parameters");
    in->pending.netlogon_key = strdup("ControlSet001\\Services\\Netlogon");
    in->pending.hostname = strdup("srv08");
    in->pending.nv_hostname = strdup("SRV08");
    in->packages = calloc(1, sizeof *in->packages);
    in->npackages = 1;
    in->packages[0].identity = strdup("Package_for_KB4493471~31bf3856ad364e35~amd64~~6.0.1.2");
    in->packages[0].kb = strdup("KB4493471");
    in->packages[0].has_state = 1;
    in->packages[0].state_code = 0x70;
    in->packages[0].state = PL_CBS_INSTALLED;
}

static const pl_pending_signal *find(const pl_pending_signal *list, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].signal, id) == 0)
            return &list[i];
    return NULL;
}

static const pl_pending_signal *seen(const pl_assessment *a, const char *id)
{
    return find(a->signals, a->nsignals, id);
}

static const pl_pending_signal *unknown(const pl_assessment *a, const char *id)
{
    return find(a->unknown_signals, a->nunknown_signals, id);
}

static void decide(pl_installation *in, pl_assessment *a)
{
    memset(a, 0, sizeof *a);
    pl_decide_pending(in, a);
}

START_TEST(idle_server_is_not_pending)
{
    pl_installation in;
    idle_server(&in);
    pl_assessment a;
    decide(&in, &a);
    ck_assert_int_eq(a.reboot_required, PL_TRI_NO);
    ck_assert_int_eq(a.servicing_reboot_required, PL_TRI_NO);
    ck_assert_uint_eq(a.nsignals, 0);
    ck_assert_uint_eq(a.nunknown_signals, 0);
    ck_assert_ptr_null(a.reboot_unknown);
    pl_assessment_free(&a);
    pl_installation_free(&in);
}
END_TEST

START_TEST(sessions_pending_needs_exclusive_or_a_session)
{
    pl_installation in;
    idle_server(&in);
    in.pending.sessions_exclusive = 1;
    pl_assessment a;
    decide(&in, &a);
    ck_assert_int_eq(a.reboot_required, PL_TRI_YES);
    const pl_pending_signal *s = seen(&a, "cbs-sessions-pending");
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->signal_class, "servicing");
    ck_assert_str_eq(s->detail, "Exclusive = 1: sessions pended with the exclusive flag");
    pl_assessment_free(&a);
    in.pending.sessions_exclusive = 0;
    in.pending.sessions_pending = 2;
    decide(&in, &a);
    ck_assert_str_eq(seen(&a, "cbs-sessions-pending")->detail, "2 pended sessions");
    pl_assessment_free(&a);
    pl_installation_free(&in);
}
END_TEST

START_TEST(every_signal_has_its_class)
{
    pl_installation in;
    idle_server(&in);
    pl_pending_facts *f = &in.pending;
    f->reboot_pending_key = 1;
    f->reboot_in_progress_key = 1;
    f->packages_pending = 2;
    f->execute_state = 1;
    f->wu_reboot_required = 1;
    f->pending_xml = 1;
    f->pending_xml_path = strdup("Windows/WinSxS/pending.xml");
    f->pending_file_renames = 3;
    f->pending_file_renames2 = 1;
    free(f->nv_hostname);
    f->nv_hostname = strdup("SRV08-NEW");
    f->join_domain = 1;
    in.packages[0].state_code = 0x60;
    in.packages[0].state = PL_CBS_INSTALL_PENDING;
    pl_assessment a;
    decide(&in, &a);
    static const char *const expect[][2] = {
        {"cbs-reboot-pending", "servicing"},
        {"cbs-reboot-in-progress", "servicing"},
        {"cbs-packages-pending", "servicing"},
        {"cbs-execute-state", "servicing"},
        {"package-pending", "servicing"},
        {"pending-xml", "servicing"},
        {"wu-reboot-required", "windows-update"},
        {"pending-file-rename-operations", "file-rename"},
        {"pending-file-rename-operations2", "file-rename"},
        {"computer-rename", "computer-rename"},
        {"domain-join", "domain-join"}};
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++) {
        const pl_pending_signal *s = seen(&a, expect[i][0]);
        ck_assert_msg(s != NULL, "signal %s not seen", expect[i][0]);
        ck_assert_str_eq(s->signal_class, expect[i][1]);
    }
    ck_assert_uint_eq(a.nsignals, sizeof expect / sizeof *expect);
    ck_assert_str_eq(seen(&a, "pending-file-rename-operations")->evidence,
                     "SYSTEM\\ControlSet001\\Control\\Session Manager\\PendingFileRenameOperations");
    ck_assert_str_eq(seen(&a, "computer-rename")->detail,
                     "NV Hostname \"SRV08-NEW\" differs from Hostname \"srv08\"");
    ck_assert_str_eq(seen(&a, "domain-join")->evidence,
                     "SYSTEM\\ControlSet001\\Services\\Netlogon\\JoinDomain");
    pl_assessment_free(&a);
    pl_installation_free(&in);
}
END_TEST

/* A stale file rename alone: a reboot is pending, but not for servicing. */
START_TEST(file_rename_alone_is_not_a_servicing_reboot)
{
    pl_installation in;
    idle_server(&in);
    in.pending.pending_file_renames = 2;
    pl_assessment a;
    decide(&in, &a);
    ck_assert_int_eq(a.reboot_required, PL_TRI_YES);
    ck_assert_int_eq(a.servicing_reboot_required, PL_TRI_NO);
    pl_assessment_free(&a);
    pl_installation_free(&in);
}
END_TEST

START_TEST(unreadable_software_hive_makes_cbs_signals_unknown)
{
    pl_installation in;
    idle_server(&in);
    in.software_read = 0;
    in.software_error = strdup("hbin at 0x1000: bad signature");
    pl_assessment a;
    decide(&in, &a);
    ck_assert_int_eq(a.reboot_required, PL_TRI_UNKNOWN);
    ck_assert_int_eq(a.servicing_reboot_required, PL_TRI_UNKNOWN);
    ck_assert_str_eq(a.reboot_unknown,
                     "cbs-reboot-pending: SOFTWARE hive unreadable: hbin at 0x1000: bad signature");
    static const char *const ids[] = {"cbs-reboot-pending", "cbs-reboot-in-progress",
                                      "cbs-packages-pending", "cbs-sessions-pending",
                                      "cbs-execute-state", "package-pending",
                                      "wu-reboot-required"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
        ck_assert_msg(unknown(&a, ids[i]) != NULL, "%s not unknown", ids[i]);
    ck_assert_ptr_null(unknown(&a, "pending-file-rename-operations"));
    pl_assessment_free(&a);
    pl_installation_free(&in);
}
END_TEST

/* A fact that a missing witness cannot change still counts. */
START_TEST(seen_signal_counts_when_another_witness_is_missing)
{
    pl_installation in;
    idle_server(&in);
    in.software_read = 0;
    in.pending.pending_xml = 1;
    in.pending.pending_xml_path = strdup("Windows/WinSxS/pending.xml");
    pl_assessment a;
    decide(&in, &a);
    ck_assert_int_eq(a.reboot_required, PL_TRI_YES);
    ck_assert_int_eq(a.servicing_reboot_required, PL_TRI_YES);
    ck_assert_ptr_null(a.reboot_unknown);
    ck_assert_ptr_nonnull(unknown(&a, "cbs-reboot-pending"));
    pl_assessment_free(&a);
    pl_installation_free(&in);
}
END_TEST

START_TEST(unreadable_system_hive_makes_its_signals_unknown)
{
    pl_installation in;
    idle_server(&in);
    in.system_read = 0;
    in.system_error = strdup("not found (Windows/System32/config/SYSTEM)");
    pl_assessment a;
    decide(&in, &a);
    ck_assert_int_eq(a.reboot_required, PL_TRI_UNKNOWN);
    /* The servicing answer does not rest on SYSTEM. */
    ck_assert_int_eq(a.servicing_reboot_required, PL_TRI_NO);
    static const char *const ids[] = {"pending-file-rename-operations",
                                      "pending-file-rename-operations2", "computer-rename",
                                      "domain-join"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        const pl_pending_signal *s = unknown(&a, ids[i]);
        ck_assert_msg(s != NULL, "%s not unknown", ids[i]);
        ck_assert_str_eq(s->detail,
                         "SYSTEM hive unreadable: not found (Windows/System32/config/SYSTEM)");
    }
    pl_assessment_free(&a);
    pl_installation_free(&in);
}
END_TEST

START_TEST(missing_control_set_makes_system_signals_unknown)
{
    pl_installation in;
    idle_server(&in);
    in.pending.control_set_error =
        strdup("SYSTEM hive: ControlSet003 (named by Select\\Current) is missing");
    pl_assessment a;
    decide(&in, &a);
    ck_assert_int_eq(a.reboot_required, PL_TRI_UNKNOWN);
    ck_assert_str_eq(unknown(&a, "pending-file-rename-operations")->detail,
                     in.pending.control_set_error);
    pl_assessment_free(&a);
    pl_installation_free(&in);
}
END_TEST

/* A PendingFileRenameOperations of the wrong type or with broken UTF-16:
 * unknown, never "not pending". */
START_TEST(undecodable_file_rename_value_is_unknown)
{
    pl_installation in;
    idle_server(&in);
    in.pending.pfro_error = strdup("value PendingFileRenameOperations is REG_BINARY, not a REG_MULTI_SZ");
    pl_assessment a;
    decide(&in, &a);
    ck_assert_int_eq(a.reboot_required, PL_TRI_UNKNOWN);
    const pl_pending_signal *s = unknown(&a, "pending-file-rename-operations");
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->signal_class, "file-rename");
    ck_assert_str_eq(s->detail, in.pending.pfro_error);
    ck_assert_ptr_null(unknown(&a, "pending-file-rename-operations2"));
    pl_assessment_free(&a);
    pl_installation_free(&in);
}
END_TEST

START_TEST(undecodable_cbs_values_are_unknown)
{
    pl_installation in;
    idle_server(&in);
    in.pending.has_sessions_exclusive = 0;
    in.pending.sessions_exclusive_error = strdup("value Exclusive is REG_SZ of 4 bytes, not a REG_DWORD");
    in.pending.has_execute_state = 0;
    in.pending.execute_state_error = strdup("value ExecuteState is REG_BINARY of 2 bytes, not a REG_DWORD");
    pl_assessment a;
    decide(&in, &a);
    ck_assert_int_eq(a.servicing_reboot_required, PL_TRI_UNKNOWN);
    ck_assert_ptr_nonnull(unknown(&a, "cbs-sessions-pending"));
    ck_assert_ptr_nonnull(unknown(&a, "cbs-execute-state"));
    pl_assessment_free(&a);
    pl_installation_free(&in);
}
END_TEST

START_TEST(damaged_winsxs_makes_pending_xml_unknown)
{
    pl_installation in;
    idle_server(&in);
    in.pending.pending_xml_error = strdup("Windows/WinSxS/pending.xml: MFT record 812: bad fixup");
    pl_assessment a;
    decide(&in, &a);
    ck_assert_int_eq(a.reboot_required, PL_TRI_UNKNOWN);
    ck_assert_ptr_nonnull(unknown(&a, "pending-xml"));
    pl_assessment_free(&a);
    pl_installation_free(&in);
}
END_TEST

/* A bare SOFTWARE hive: CBS is judged, the rest cannot be. */
START_TEST(bare_hive_leaves_system_and_file_signals_unknown)
{
    pl_installation in;
    idle_server(&in);
    in.hive_only = 1;
    in.system_read = 0;
    pl_assessment a;
    decide(&in, &a);
    ck_assert_int_eq(a.reboot_required, PL_TRI_UNKNOWN);
    ck_assert_int_eq(a.servicing_reboot_required, PL_TRI_UNKNOWN);
    ck_assert_ptr_nonnull(unknown(&a, "pending-xml"));
    ck_assert_str_eq(unknown(&a, "domain-join")->detail,
                     "a bare SOFTWARE hive: no SYSTEM hive to read");
    ck_assert_ptr_null(unknown(&a, "cbs-reboot-pending"));
    pl_assessment_free(&a);
    pl_installation_free(&in);
}
END_TEST

START_TEST(same_names_are_no_rename)
{
    pl_installation in;
    idle_server(&in);
    free(in.pending.nv_hostname);
    in.pending.nv_hostname = NULL; /* never set: no rename recorded */
    pl_assessment a;
    decide(&in, &a);
    ck_assert_int_eq(a.reboot_required, PL_TRI_NO);
    pl_assessment_free(&a);
    in.pending.avoid_spn_set = 1;
    decide(&in, &a);
    ck_assert_str_eq(seen(&a, "domain-join")->detail, "AvoidSpnSet");
    pl_assessment_free(&a);
    pl_installation_free(&in);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pending");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, idle_server_is_not_pending);
    tcase_add_test(tc, sessions_pending_needs_exclusive_or_a_session);
    tcase_add_test(tc, every_signal_has_its_class);
    tcase_add_test(tc, file_rename_alone_is_not_a_servicing_reboot);
    tcase_add_test(tc, unreadable_software_hive_makes_cbs_signals_unknown);
    tcase_add_test(tc, seen_signal_counts_when_another_witness_is_missing);
    tcase_add_test(tc, unreadable_system_hive_makes_its_signals_unknown);
    tcase_add_test(tc, missing_control_set_makes_system_signals_unknown);
    tcase_add_test(tc, undecodable_file_rename_value_is_unknown);
    tcase_add_test(tc, undecodable_cbs_values_are_unknown);
    tcase_add_test(tc, damaged_winsxs_makes_pending_xml_unknown);
    tcase_add_test(tc, bare_hive_leaves_system_and_file_signals_unknown);
    tcase_add_test(tc, same_names_are_no_rename);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
