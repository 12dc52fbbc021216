/* The identity evidence kind (src/evidence/identity.c) on hives built in
 * the test: every fact of a domain controller and of a workgroup server;
 * each witness missing or damaged makes its facts null with a reason,
 * never "no"; hostile strings stay valid JSON. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/identity.h"
#include "util/limits.h"
#include "kind_ctx.h"
#include "../check_main.h"

#define CS "ControlSet001"
#define TCPIP CS "\\Services\\Tcpip\\Parameters"
#define IFACES TCPIP "\\Interfaces"
#define CV "Microsoft\\Windows NT\\CurrentVersion"

/* 2022-06-01T12:00:00Z as a FILETIME, little-endian. */
static void put_shutdown(hb *b, uint64_t ft)
{
    uint8_t le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(ft >> (8 * i));
    hb_raw(b, CS "\\Control\\Windows", "ShutdownTime", hive_t_REG_BINARY, le, 8);
}
#define SHUTDOWN_FT ((1654084800ull + 11644473600ull) * 10000000ull)

static hb *dc_system(void)
{
    hb *b = hb_new();
    hb_dword(b, "Select", "Current", 1);
    hb_sz(b, CS "\\Control\\ComputerName\\ComputerName", "ComputerName", "DC01");
    hb_sz(b, TCPIP, "Hostname", "dc01");
    hb_sz(b, TCPIP, "Domain", "corp.example");
    hb_sz(b, CS "\\Control\\ProductOptions", "ProductType", "LanmanNt");
    hb_dword(b, CS "\\Services\\NTDS\\Parameters", "Strict Replication Consistency", 1);
    hb_dword(b, IFACES "\\{A}", "EnableDHCP", 0);
    hb_multi_sz(b, IFACES "\\{A}", "IPAddress", "10.0.0.10|10.0.0.11");
    hb_dword(b, IFACES "\\{B}", "EnableDHCP", 1);
    hb_multi_sz(b, IFACES "\\{B}", "IPAddress", "0.0.0.0");
    hb_sz(b, IFACES "\\{B}", "DhcpIPAddress", "192.168.1.50");
    hb_sz(b, CS "\\Control\\TimeZoneInformation", "TimeZoneKeyName", "W. Europe Standard Time");
    hb_sz(b, CS "\\Control\\TimeZoneInformation", "StandardName", "@tzres.dll,-321");
    put_shutdown(b, SHUTDOWN_FT);
    return b;
}

static hb *software(void)
{
    hb *b = hb_new();
    hb_dword(b, CV, "InstallDate", 0x4b8ce524); /* 2010-03-02T10:15:00Z */
    hb_sz(b, CV, "RegisteredOwner", "Administrator");
    hb_sz(b, CV, "RegisteredOrganization", "Contoso Ltd.");
    return b;
}

static pl_identity *collect(kctx *k) { return pl_evidence_kind_identity.collect(&k->ctx); }

START_TEST(domain_controller_every_fact)
{
    kctx k;
    kctx_init(&k, dc_system(), software(), CS);
    pl_identity *id = collect(&k);
    ck_assert_str_eq(id->computer_name.value, "DC01");
    ck_assert_str_eq(id->dns_hostname.value, "dc01");
    ck_assert_str_eq(id->domain.value, "corp.example");
    ck_assert_str_eq(id->membership.value, "domain");
    ck_assert_ptr_null(id->workgroup.value);
    ck_assert_ptr_null(id->workgroup.unknown);
    ck_assert_int_eq(id->domain_controller, 1);
    ck_assert_uint_eq(id->naddresses, 3);
    ck_assert_str_eq(id->addresses[0].address, "10.0.0.10");
    ck_assert_str_eq(id->addresses[0].kind, "static");
    ck_assert_str_eq(id->addresses[0].interface, "{A}");
    ck_assert_str_eq(id->addresses[2].address, "192.168.1.50");
    ck_assert_str_eq(id->addresses[2].kind, "dhcp");
    ck_assert_ptr_null(id->ip_addresses_unknown);
    ck_assert_str_eq(id->time_zone.value, "W. Europe Standard Time");
    ck_assert_str_eq(id->last_shutdown.value, "2022-06-01T12:00:00Z");
    ck_assert_str_eq(id->install_date.value, "2010-03-02T10:15:00Z");
    ck_assert_str_eq(id->registered_owner.value, "Administrator");
    ck_assert_str_eq(id->registered_organization.value, "Contoso Ltd.");
    ck_assert_uint_eq(k.warnings.len, 0);

    json_object *j = kind_json(&pl_evidence_kind_identity, id);
    ck_assert_str_eq(jstr(j, "identity.computer_name"), "DC01");
    ck_assert(jis_null(j, "identity.computer_name_unknown"));
    ck_assert_int_eq(jbool(j, "identity.domain_controller"), 1);
    ck_assert_int_eq(jlen(j, "identity.ip_addresses"), 3);
    ck_assert_str_eq(jstr(j, "identity.ip_addresses.2.kind"), "dhcp");
    ck_assert_str_eq(jstr(j, "identity.last_shutdown"), "2022-06-01T12:00:00Z");
    json_object *dc = jfind(j, "identity.evidence", "fact", "domain_controller");
    ck_assert_ptr_nonnull(dc);
    ck_assert_str_eq(jstr(dc, "key"), CS "\\Control\\ProductOptions");
    ck_assert_str_eq(jstr(dc, "value"), "ProductType");
    ck_assert_str_eq(jstr(dc, "hive"), "SYSTEM");
    json_object *owner = jfind(j, "identity.evidence", "fact", "registered_owner");
    ck_assert_str_eq(jstr(owner, "hive"), "SOFTWARE");
    /* one witness per fact read: 9 values, the NTDS key, 2 address values,
     * and membership's (ProductType) */
    ck_assert_int_eq(jlen(j, "identity.evidence"), 13);
    json_object_put(j);
    pl_evidence_kind_identity.free(id);
    kctx_free(&k);
}
END_TEST

START_TEST(workgroup_server_with_fallbacks)
{
    hb *b = hb_new();
    hb_sz(b, CS "\\Control\\ComputerName\\ComputerName", "ComputerName", "FS01");
    hb_sz(b, TCPIP, "Hostname", "fs01");
    hb_sz(b, TCPIP, "Domain", "");
    hb_sz(b, CS "\\Control\\ProductOptions", "ProductType", "ServerNT");
    hb_sz(b, CS "\\Control\\TimeZoneInformation", "StandardName", "Pacific Standard Time");
    kctx k;
    kctx_init(&k, b, software(), CS);
    pl_identity *id = collect(&k);
    ck_assert_ptr_null(id->domain.value);
    ck_assert_ptr_null(id->domain.unknown);
    ck_assert_str_eq(id->membership.value, "workgroup");
    ck_assert_ptr_null(id->workgroup.value);
    ck_assert_ptr_nonnull(strstr(id->workgroup.unknown, "PolPrDmN"));
    ck_assert_int_eq(id->domain_controller, 0);
    ck_assert_str_eq(id->time_zone.value, "Pacific Standard Time");
    ck_assert_ptr_null(id->last_shutdown.value);
    ck_assert_ptr_null(id->last_shutdown.unknown); /* absent: known absent */
    ck_assert_int_eq(id->addresses_known, 1);
    ck_assert_uint_eq(id->naddresses, 0);
    json_object *j = kind_json(&pl_evidence_kind_identity, id);
    ck_assert_int_eq(jbool(j, "identity.domain_controller"), 0);
    ck_assert_int_eq(jlen(j, "identity.ip_addresses"), 0);
    ck_assert(jis_null(j, "identity.domain"));
    ck_assert(jis_null(j, "identity.domain_unknown"));
    json_object *m = jfind(j, "identity.evidence", "fact", "membership");
    ck_assert_str_eq(jstr(m, "value"), "Domain"); /* its absence is the witness */
    json_object_put(j);
    pl_evidence_kind_identity.free(id);
    kctx_free(&k);
}
END_TEST

START_TEST(nv_domain_when_domain_absent)
{
    hb *b = hb_new();
    hb_sz(b, TCPIP, "NV Domain", "branch.example");
    hb_sz(b, CS "\\Control\\ProductOptions", "ProductType", "ServerNT");
    kctx k;
    kctx_init(&k, b, software(), CS);
    pl_identity *id = collect(&k);
    ck_assert_str_eq(id->domain.value, "branch.example");
    ck_assert_str_eq(id->membership.value, "domain");
    ck_assert_str_eq(id->sources[0].value, "NV Domain");
    pl_evidence_kind_identity.free(id);
    kctx_free(&k);
}
END_TEST

/* SYSTEM unreadable: every SYSTEM fact null with the reason, never an
 * empty list or false; the SOFTWARE facts are still known. */
START_TEST(system_missing_is_unknown_not_no)
{
    kctx k;
    kctx_init(&k, NULL, software(), NULL);
    pl_identity *id = collect(&k);
    json_object *j = kind_json(&pl_evidence_kind_identity, id);
    const char *facts[] = {"computer_name", "dns_hostname", "domain", "membership",
                           "workgroup",     "domain_controller", "ip_addresses",
                           "time_zone",     "last_shutdown"};
    for (size_t i = 0; i < sizeof facts / sizeof *facts; i++) {
        char path[128], why[128];
        snprintf(path, sizeof path, "identity.%s", facts[i]);
        snprintf(why, sizeof why, "identity.%s_unknown", facts[i]);
        ck_assert_msg(jis_null(j, path), "%s is not null", path);
        ck_assert_msg(jstr(j, why) && strstr(jstr(j, why), "SYSTEM hive was not read"),
                      "%s has no reason", why);
    }
    ck_assert_str_eq(jstr(j, "identity.registered_owner"), "Administrator");
    ck_assert(jis_null(j, "identity.registered_owner_unknown"));
    json_object_put(j);
    pl_evidence_kind_identity.free(id);
    kctx_free(&k);
}
END_TEST

START_TEST(software_missing_is_unknown)
{
    kctx k;
    kctx_init(&k, dc_system(), NULL, CS);
    pl_identity *id = collect(&k);
    ck_assert_str_eq(id->computer_name.value, "DC01");
    ck_assert_ptr_null(id->install_date.value);
    ck_assert_ptr_nonnull(strstr(id->install_date.unknown, "SOFTWARE hive was not read"));
    ck_assert_ptr_nonnull(strstr(id->registered_owner.unknown, "SOFTWARE hive was not read"));
    pl_evidence_kind_identity.free(id);
    kctx_free(&k);
}
END_TEST

START_TEST(control_set_missing_is_unknown)
{
    kctx k;
    kctx_init(&k, dc_system(), software(), "ControlSet002");
    pl_identity *id = collect(&k);
    ck_assert_ptr_null(id->computer_name.value);
    ck_assert_ptr_nonnull(strstr(id->computer_name.unknown, "ControlSet002"));
    ck_assert_int_eq(id->domain_controller, -1);
    ck_assert_int_eq(id->addresses_known, 0);
    pl_evidence_kind_identity.free(id);
    kctx_free(&k);
}
END_TEST

START_TEST(values_of_the_wrong_type_are_unknown)
{
    hb *b = hb_new();
    hb_dword(b, CS "\\Control\\ComputerName\\ComputerName", "ComputerName", 7);
    hb_dword(b, CS "\\Control\\ProductOptions", "ProductType", 3);
    hb_sz(b, IFACES "\\{A}", "IPAddress", "10.1.1.1");
    hb_raw(b, CS "\\Control\\Windows", "ShutdownTime", hive_t_REG_BINARY, "\1\2\3\4", 4);
    hb *s = hb_new();
    hb_sz(s, CV, "InstallDate", "yesterday");
    kctx k;
    kctx_init(&k, b, s, CS);
    pl_identity *id = collect(&k);
    ck_assert_ptr_null(id->computer_name.value);
    ck_assert_ptr_nonnull(strstr(id->computer_name.unknown, "REG_DWORD"));
    ck_assert_int_eq(id->domain_controller, -1);
    ck_assert_ptr_nonnull(id->domain_controller_unknown);
    ck_assert_ptr_null(id->membership.value);         /* no domain, DC unknown */
    ck_assert_ptr_nonnull(id->membership.unknown);
    ck_assert_ptr_nonnull(strstr(id->ip_addresses_unknown, "REG_SZ"));
    ck_assert_ptr_nonnull(strstr(id->last_shutdown.unknown, "4 bytes"));
    ck_assert_ptr_nonnull(strstr(id->install_date.unknown, "REG_SZ"));
    ck_assert(kctx_warned(&k, "ComputerName"));
    ck_assert(kctx_warned(&k, "ShutdownTime"));
    pl_evidence_kind_identity.free(id);
    kctx_free(&k);
}
END_TEST

START_TEST(shutdown_time_out_of_range_is_unknown)
{
    hb *b = hb_new();
    put_shutdown(b, UINT64_MAX);
    kctx k;
    kctx_init(&k, b, software(), CS);
    pl_identity *id = collect(&k);
    ck_assert_ptr_null(id->last_shutdown.value);
    ck_assert_ptr_nonnull(strstr(id->last_shutdown.unknown, "out of range"));
    pl_evidence_kind_identity.free(id);
    kctx_free(&k);
}
END_TEST

START_TEST(too_many_interfaces_stop_and_say_so)
{
    hb *b = hb_new();
    for (int i = 0; i <= PL_MAX_INTERFACES; i++) {
        char key[128];
        snprintf(key, sizeof key, IFACES "\\{%04d}", i);
        hb_multi_sz(b, key, "IPAddress", "10.9.9.9");
    }
    kctx k;
    kctx_init(&k, b, software(), CS);
    pl_identity *id = collect(&k);
    ck_assert_uint_eq(id->naddresses, PL_MAX_INTERFACES);
    ck_assert_ptr_nonnull(strstr(id->ip_addresses_unknown, "more than"));
    json_object *j = kind_json(&pl_evidence_kind_identity, id);
    ck_assert_int_eq(jlen(j, "identity.ip_addresses"), PL_MAX_INTERFACES);
    ck_assert_ptr_nonnull(jstr(j, "identity.ip_addresses_unknown"));
    json_object_put(j);
    pl_evidence_kind_identity.free(id);
    kctx_free(&k);
}
END_TEST

/* Control characters, quotes and a lone UTF-16 surrogate: read as they
 * are (or unknown), and always valid JSON that decodes to the same text. */
START_TEST(hostile_strings_stay_valid_json)
{
    hb *b = hb_new();
    const char *evil = "SRV\"\x1b[31m\n\\<script>";
    hb_sz(b, CS "\\Control\\ComputerName\\ComputerName", "ComputerName", evil);
    static const uint8_t lone[] = {'A', 0, 0x00, 0xD8, 'B', 0, 0, 0};
    hb_raw(b, TCPIP, "Hostname", hive_t_REG_SZ, lone, sizeof lone);
    kctx k;
    kctx_init(&k, b, software(), CS);
    pl_identity *id = collect(&k);
    ck_assert_str_eq(id->computer_name.value, evil);
    ck_assert(id->dns_hostname.value || id->dns_hostname.unknown);
    json_object *j = kind_json(&pl_evidence_kind_identity, id);
    ck_assert_str_eq(jstr(j, "identity.computer_name"), evil);
    json_object_put(j);
    pl_evidence_kind_identity.free(id);
    kctx_free(&k);
}
END_TEST

START_TEST(no_data_writes_null)
{
    json_object *j = kind_json(&pl_evidence_kind_identity, NULL);
    ck_assert(jis_null(j, "identity"));
    json_object_put(j);
}
END_TEST

/* The fixture trees of issue 14 (fixtures/README.md, "Identity, roles and
 * applications"). */
START_TEST(fixture_domain_controller)
{
    kctx k;
    kctx_init_tree(&k, "ws2008-dc-dns");
    pl_identity *id = collect(&k);
    ck_assert_str_eq(id->computer_name.value, "SRV08-DC01");
    ck_assert_str_eq(id->dns_hostname.value, "srv08-dc01");
    ck_assert_str_eq(id->domain.value, "corp.contoso.test");
    ck_assert_str_eq(id->membership.value, "domain");
    ck_assert_int_eq(id->domain_controller, 1);
    ck_assert_uint_eq(id->naddresses, 1);
    ck_assert_str_eq(id->addresses[0].address, "10.10.0.10");
    ck_assert_str_eq(id->addresses[0].kind, "static");
    ck_assert_str_eq(id->time_zone.value, "Eastern Standard Time");
    ck_assert_str_eq(id->last_shutdown.value, "2022-06-16T22:05:00Z");
    ck_assert_str_eq(id->install_date.value, "2012-05-14T09:30:00Z");
    ck_assert_str_eq(id->registered_owner.value, "Domain Admins");
    ck_assert_str_eq(id->registered_organization.value, "Contoso Ltd.");
    ck_assert_uint_eq(k.warnings.len, 0);
    pl_evidence_kind_identity.free(id);
    kctx_free(&k);
}
END_TEST

START_TEST(fixture_web_server)
{
    kctx k;
    kctx_init_tree(&k, "ws2008-iis-web");
    pl_identity *id = collect(&k);
    ck_assert_str_eq(id->computer_name.value, "SRV08-WEB01");
    ck_assert_str_eq(id->membership.value, "domain");
    ck_assert_int_eq(id->domain_controller, 0);
    ck_assert_uint_eq(id->naddresses, 2);
    ck_assert_str_eq(id->addresses[1].address, "10.10.0.21");
    ck_assert_str_eq(id->time_zone.value, "W. Europe Standard Time");
    ck_assert_str_eq(id->last_shutdown.value, "2022-06-15T03:00:00Z");
    pl_evidence_kind_identity.free(id);
    kctx_free(&k);
}
END_TEST

START_TEST(fixture_workgroup_file_server)
{
    kctx k;
    kctx_init_tree(&k, "ws2008-fs-workgroup");
    pl_identity *id = collect(&k);
    ck_assert_str_eq(id->computer_name.value, "FS08-WG");
    ck_assert_ptr_null(id->domain.value);
    ck_assert_ptr_null(id->domain.unknown);
    ck_assert_str_eq(id->membership.value, "workgroup");
    ck_assert_ptr_nonnull(id->workgroup.unknown);
    ck_assert_int_eq(id->domain_controller, 0);
    ck_assert_uint_eq(id->naddresses, 1);
    ck_assert_str_eq(id->addresses[0].address, "192.168.1.57");
    ck_assert_str_eq(id->addresses[0].kind, "dhcp");
    ck_assert_str_eq(id->registered_organization.value, "");
    ck_assert_str_eq(id->install_date.value, "2011-09-19T11:45:00Z");
    pl_evidence_kind_identity.free(id);
    kctx_free(&k);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("identity");
    TCase *tc = tcase_create("identity");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, domain_controller_every_fact);
    tcase_add_test(tc, workgroup_server_with_fallbacks);
    tcase_add_test(tc, nv_domain_when_domain_absent);
    tcase_add_test(tc, system_missing_is_unknown_not_no);
    tcase_add_test(tc, software_missing_is_unknown);
    tcase_add_test(tc, control_set_missing_is_unknown);
    tcase_add_test(tc, values_of_the_wrong_type_are_unknown);
    tcase_add_test(tc, shutdown_time_out_of_range_is_unknown);
    tcase_add_test(tc, too_many_interfaces_stop_and_say_so);
    tcase_add_test(tc, hostile_strings_stay_valid_json);
    tcase_add_test(tc, no_data_writes_null);
    tcase_add_test(tc, fixture_domain_controller);
    tcase_add_test(tc, fixture_web_server);
    tcase_add_test(tc, fixture_workgroup_file_server);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return pl_run_suite(suite()); }
