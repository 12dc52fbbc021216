/* End to end: identity, roles and applications (issue 14) on the fixture
 * trees ws2008-dc-dns, ws2008-iis-web and ws2008-fs-workgroup
 * (fixtures/README.md, "Identity, roles and applications"), in JSON and
 * in the text report; unknown, never "none", when a hive is missing (a
 * bare SOFTWARE hive) or unreadable (damaged-hive). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check_main.h"
#include "e2e.h"

static json_object *inst;   /* installations.0 of the last run */
static e2e_run run_;

static void run_json(const char *fixture)
{
    const char *args[] = {"-f", "json", e2e_fixture(fixture), NULL};
    e2e_exec(&run_, args);
    ck_assert_msg(run_.status == 0, "%s: exit %d: %s", fixture, run_.status, run_.err);
    ck_assert_msg(run_.json != NULL, "%s: not JSON", fixture);
    inst = jget(run_.json, "installations.0");
    ck_assert_ptr_nonnull(inst);
}

static void done(void) { e2e_free(&run_); }

/* The witness of fact names key and value. */
static void ck_witness(const char *fact, const char *hive, const char *key, const char *value)
{
    json_object *ev = jget(inst, "identity.evidence");
    for (size_t i = 0; ev && i < json_object_array_length(ev); i++) {
        json_object *e = json_object_array_get_idx(ev, i);
        if (strcmp(jstr(e, "fact"), fact) == 0 && strcmp(jstr(e, "value"), value) == 0) {
            ck_assert_str_eq(jstr(e, "hive"), hive);
            ck_assert_str_eq(jstr(e, "key"), key);
            return;
        }
    }
    ck_abort_msg("no witness %s %s for %s", key, value, fact);
}

static const char *role_name(int i)
{
    char path[64];
    snprintf(path, sizeof path, "roles.%d.name", i);
    return jstr(inst, path);
}

START_TEST(domain_controller_with_dns)
{
    run_json("trees/ws2008-dc-dns");
    ck_assert_str_eq(jstr(inst, "identity.computer_name"), "SRV08-DC01");
    ck_assert_str_eq(jstr(inst, "identity.dns_hostname"), "srv08-dc01");
    ck_assert_str_eq(jstr(inst, "identity.domain"), "corp.contoso.test");
    ck_assert_str_eq(jstr(inst, "identity.membership"), "domain");
    ck_assert_int_eq(jbool(inst, "identity.domain_controller"), 1);
    ck_assert(jis_null(inst, "identity.domain_controller_unknown"));
    ck_assert_int_eq(jlen(inst, "identity.ip_addresses"), 1);
    ck_assert_str_eq(jstr(inst, "identity.ip_addresses.0.address"), "10.10.0.10");
    ck_assert_str_eq(jstr(inst, "identity.ip_addresses.0.kind"), "static");
    ck_assert_str_eq(jstr(inst, "identity.time_zone"), "Eastern Standard Time");
    ck_assert_str_eq(jstr(inst, "identity.last_shutdown"), "2022-06-16T22:05:00Z");
    ck_assert_str_eq(jstr(inst, "identity.install_date"), "2012-05-14T09:30:00Z");
    ck_assert_str_eq(jstr(inst, "identity.registered_owner"), "Domain Admins");
    ck_assert_str_eq(jstr(inst, "identity.registered_organization"), "Contoso Ltd.");
    ck_witness("domain_controller", "SYSTEM", "ControlSet001\\Control\\ProductOptions",
               "ProductType");
    ck_witness("computer_name", "SYSTEM", "ControlSet001\\Control\\ComputerName\\ComputerName",
               "ComputerName");
    ck_witness("install_date", "SOFTWARE", "Microsoft\\Windows NT\\CurrentVersion",
               "InstallDate");
    /* W3SVC is there but disabled; TermService is on every server */
    ck_assert_int_eq(jlen(inst, "roles"), 2);
    ck_assert_str_eq(role_name(0), "Active Directory Domain Services");
    ck_assert_str_eq(role_name(1), "DNS Server");
    json_object *dns = jfind(inst, "roles", "name", "DNS Server");
    ck_assert_str_eq(jstr(dns, "evidence.0.key"), "ControlSet001\\Services\\DNS");
    ck_assert_str_eq(jstr(dns, "evidence.0.data"), "2");
    ck_assert_int_eq(jlen(inst, "applications"), 0);
    ck_assert_int_eq(jlen(inst, "application_updates"), 0);
    ck_assert_int_eq(jlen(inst, "warnings"), 0);
    done();
}
END_TEST

START_TEST(web_server_with_programs)
{
    run_json("trees/ws2008-iis-web");
    ck_assert_str_eq(jstr(inst, "identity.computer_name"), "SRV08-WEB01");
    ck_assert_str_eq(jstr(inst, "identity.membership"), "domain");
    ck_assert_int_eq(jbool(inst, "identity.domain_controller"), 0);
    ck_assert_int_eq(jlen(inst, "identity.ip_addresses"), 2);
    ck_assert_str_eq(jstr(inst, "identity.ip_addresses.1.address"), "10.10.0.21");
    ck_assert_int_eq(jlen(inst, "roles"), 1);
    ck_assert_str_eq(role_name(0), "Web Server (IIS)");
    ck_assert_int_eq(jlen(inst, "applications"), 2);
    json_object *web = jfind(inst, "applications", "name", "Contoso Web Agent");
    ck_assert_ptr_nonnull(web);
    ck_assert_str_eq(jstr(web, "version"), "2.4.1");
    ck_assert_str_eq(jstr(web, "publisher"), "Contoso Ltd.");
    ck_assert_str_eq(jstr(web, "install_date"), "2015-03-12");
    ck_assert_str_eq(jstr(web, "arch"), "amd64");
    json_object *viewer = jfind(inst, "applications", "name", "Fabrikam Report Viewer 2008");
    ck_assert_ptr_nonnull(viewer);
    ck_assert_str_eq(jstr(viewer, "arch"), "x86");
    ck_assert(strncmp(jstr(viewer, "key"), "Wow6432Node\\", 12) == 0);
    /* the hidden system component is nowhere */
    ck_assert_ptr_null(jfind(inst, "applications", "name",
                             "Microsoft Visual C++ 2008 x64 Runtime internals"));
    ck_assert_int_eq(jlen(inst, "application_updates"), 1);
    ck_assert_str_eq(jstr(inst, "application_updates.0.kb"), "KB2500001");
    ck_assert_str_eq(jstr(inst, "application_updates.0.parent"), "Contoso Web Agent");
    ck_assert_str_eq(jstr(inst, "application_updates.0.release_type"), "Hotfix");
    /* never a CBS package */
    ck_assert(!jhas(inst, "updates.kbs_installed", "KB2500001"));
    done();
}
END_TEST

START_TEST(workgroup_file_server)
{
    run_json("trees/ws2008-fs-workgroup");
    ck_assert_str_eq(jstr(inst, "identity.computer_name"), "FS08-WG");
    ck_assert(jis_null(inst, "identity.domain"));
    ck_assert(jis_null(inst, "identity.domain_unknown"));
    ck_assert_str_eq(jstr(inst, "identity.membership"), "workgroup");
    ck_assert(jis_null(inst, "identity.workgroup"));
    ck_assert(strstr(jstr(inst, "identity.workgroup_unknown"), "SECURITY hive"));
    ck_assert_int_eq(jbool(inst, "identity.domain_controller"), 0);
    ck_assert_int_eq(jlen(inst, "identity.ip_addresses"), 1);
    ck_assert_str_eq(jstr(inst, "identity.ip_addresses.0.address"), "192.168.1.57");
    ck_assert_str_eq(jstr(inst, "identity.ip_addresses.0.kind"), "dhcp");
    ck_assert_str_eq(jstr(inst, "identity.registered_organization"), "");
    ck_assert_int_eq(jlen(inst, "roles"), 1);
    ck_assert_str_eq(role_name(0), "File Services");
    ck_assert_str_eq(jstr(inst, "roles.0.evidence.0.data"), "2 shares");
    ck_assert_int_eq(jlen(inst, "applications"), 0);
    done();
}
END_TEST

/* A bare SOFTWARE hive: the SYSTEM facts and the roles are unknown with
 * the reason, never empty; the applications are known. */
START_TEST(bare_hive_leaves_system_facts_unknown)
{
    run_json("trees/ws2008-iis-web/Windows/System32/config/SOFTWARE");
    ck_assert(jis_null(inst, "identity.computer_name"));
    ck_assert(strstr(jstr(inst, "identity.computer_name_unknown"), "SYSTEM hive was not read"));
    ck_assert(jis_null(inst, "identity.domain_controller"));
    ck_assert(jis_null(inst, "identity.ip_addresses"));
    ck_assert(jis_null(inst, "identity.membership"));
    ck_assert_str_eq(jstr(inst, "identity.registered_owner"), "Web Team");
    ck_assert(jis_null(inst, "roles"));
    ck_assert_int_eq(jlen(inst, "applications"), 2);
    /* the native arch comes from SYSTEM: unknown; WOW6432Node is x86 */
    ck_assert(jis_null(jfind(inst, "applications", "name", "Contoso Web Agent"), "arch"));
    ck_assert_str_eq(
        jstr(jfind(inst, "applications", "name", "Fabrikam Report Viewer 2008"), "arch"), "x86");
    done();
}
END_TEST

START_TEST(unreadable_software_leaves_applications_unknown)
{
    run_json("trees/damaged-hive");
    ck_assert(jis_null(inst, "applications"));
    ck_assert(jis_null(inst, "application_updates"));
    ck_assert(strstr(jstr(inst, "identity.install_date_unknown"), "SOFTWARE hive was not read"));
    ck_assert_str_eq(jstr(inst, "identity.computer_name"), "SRV08-DAMAGED");
    /* the hive's own warning says why; the kinds add none */
    ck_assert_int_eq(jlen(inst, "warnings"), 1);
    ck_assert(strstr(jstr(inst, "warnings.0"), "SOFTWARE hive"));
    done();
}
END_TEST

START_TEST(text_report_shows_identity_and_roles)
{
    const char *args[] = {e2e_fixture("trees/ws2008-dc-dns"), NULL};
    e2e_exec(&run_, args);
    ck_assert_int_eq(run_.status, 0);
    ck_assert_ptr_nonnull(strstr(run_.out, "Identity:    SRV08-DC01 (DNS srv08-dc01), domain "
                                           "corp.contoso.test, domain controller\n"));
    ck_assert_ptr_nonnull(strstr(run_.out, "Addresses:   10.10.0.10 (static)\n"));
    ck_assert_ptr_nonnull(
        strstr(run_.out, "Roles:       Active Directory Domain Services, DNS Server\n"));
    e2e_free(&run_);
    const char *workgroup[] = {e2e_fixture("trees/ws2008-fs-workgroup"), NULL};
    e2e_exec(&run_, workgroup);
    ck_assert_int_eq(run_.status, 0);
    ck_assert_ptr_nonnull(strstr(run_.out, "Identity:    FS08-WG (DNS fs08-wg), workgroup\n"));
    ck_assert_ptr_nonnull(strstr(run_.out, "Addresses:   192.168.1.57 (dhcp)\n"));
    ck_assert_ptr_nonnull(strstr(run_.out, "Roles:       File Services\n"));
    e2e_free(&run_);
    /* an unknown says why, as in the JSON */
    const char *bare[] = {e2e_fixture("trees/ws2008-6003-full/Windows/System32/config/SOFTWARE"),
                          NULL};
    e2e_exec(&run_, bare);
    ck_assert_ptr_nonnull(strstr(run_.out, "Addresses:   unknown (the SYSTEM hive was not read: "
                                           "a bare SOFTWARE hive has no SYSTEM hive beside it)\n"));
    e2e_free(&run_);
    const char *verbose[] = {"-v", e2e_fixture("trees/ws2008-iis-web"), NULL};
    e2e_exec(&run_, verbose);
    ck_assert_int_eq(run_.status, 0);
    /* The identity is the block's header, right under the location. */
    const char *loc = strstr(run_.out, "[dir, Windows directory Windows]\n");
    ck_assert_ptr_nonnull(loc);
    ck_assert(strncmp(strchr(loc, '\n') + 1, "  Identity:    SRV08-WEB01", 26) == 0);
    /* What it runs, under one heading; -v lists the programs and packages. */
    const char *runs = strstr(run_.out, "  Runs:\n    Roles:       Web Server (IIS)\n");
    ck_assert_ptr_nonnull(runs);
    ck_assert_ptr_nonnull(strstr(runs, "    Applications: 2, with 1 update to them\n"));
    ck_assert_ptr_nonnull(strstr(runs, "      Fabrikam Report Viewer 2008              9.0.21022        "
                                       "x86    Fabrikam, Inc.\n"));
    ck_assert_ptr_nonnull(strstr(run_.out, "    State                Release type    Install time"));
    ck_assert_ptr_nonnull(strstr(run_.out, "    installed            Security Update 2022-05-17T02:18:36Z "
                                           "KB5014010  Package_1_for_KB5014010~"));
    e2e_free(&run_);
}
END_TEST

/* CSV: who each server is and what it runs, one row per installation;
 * an unread witness leaves the cell empty with its reason in "unknown". */
START_TEST(csv_columns)
{
    static const struct {
        const char *tree, *name, *domain, *roles;
    } want[] = {
        {"trees/ws2008-dc-dns", "SRV08-DC01", "corp.contoso.test",
         "Active Directory Domain Services; DNS Server"},
        {"trees/ws2008-fs-workgroup", "FS08-WG", "workgroup", "File Services"},
        {"trees/ws2008-iis-web", "SRV08-WEB01", "corp.contoso.test", "Web Server (IIS)"},
        {"trees/ws2008-idle", "SRV08-IDLE", "contoso.example", "none"},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const char *args[] = {"-f", "csv", e2e_fixture(want[i].tree), NULL};
        e2e_exec(&run_, args);
        ck_assert_int_eq(run_.status, 0);
        const char *cols[] = {"computer_name", "domain", "roles"};
        const char *vals[] = {want[i].name, want[i].domain, want[i].roles};
        for (int c = 0; c < 3; c++) {
            char *cell = e2e_csv_cell(run_.out, 1, cols[c]);
            ck_assert_msg(cell && strcmp(cell, vals[c]) == 0, "%s %s: %s", want[i].tree, cols[c],
                          cell ? cell : "(none)");
            free(cell);
        }
        e2e_free(&run_);
    }
    const char *hive[] = {"-f", "csv", e2e_fixture("hives-dirty/clean/SOFTWARE"), NULL};
    e2e_exec(&run_, hive);
    char *roles = e2e_csv_cell(run_.out, 1, "roles");
    char *why = e2e_csv_cell(run_.out, 1, "unknown");
    ck_assert_str_eq(roles, "");
    ck_assert_ptr_nonnull(strstr(why, "roles: the SYSTEM hive was not read"));
    free(roles);
    free(why);
    e2e_free(&run_);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("e2e_fleet");
    TCase *tc = tcase_create("fleet");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, domain_controller_with_dns);
    tcase_add_test(tc, web_server_with_programs);
    tcase_add_test(tc, workgroup_file_server);
    tcase_add_test(tc, csv_columns);
    tcase_add_test(tc, bare_hive_leaves_system_facts_unknown);
    tcase_add_test(tc, unreadable_software_leaves_applications_unknown);
    tcase_add_test(tc, text_report_shows_identity_and_roles);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return pl_run_suite(suite()); }
