/* The roles evidence kind (src/evidence/roles.c) on hives built in the
 * test: each rule of the table seen with its witness; a disabled service
 * is no role; SYSTEM unread is null with a warning, never an empty list. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/roles.h"
#include "kind_ctx.h"
#include "../check_main.h"

#define CS "ControlSet001"
#define SVC CS "\\Services\\"

static const pl_role *role(const pl_roles *r, const char *name)
{
    for (size_t i = 0; i < r->nroles; i++)
        if (strcmp(r->roles[i].name, name) == 0)
            return &r->roles[i];
    return NULL;
}

static pl_roles *collect(kctx *k) { return pl_evidence_kind_roles.collect(&k->ctx); }

START_TEST(every_service_rule_is_seen)
{
    hb *b = hb_new();
    for (size_t i = 0; i < pl_role_rule_count; i++) {
        if (!pl_role_rules[i].service)
            continue;
        char key[256];
        snprintf(key, sizeof key, SVC "%s", pl_role_rules[i].service);
        hb_dword(b, key, "Start", 2);
    }
    kctx k;
    kctx_init(&k, b, NULL, CS);
    pl_roles *r = collect(&k);
    ck_assert_int_eq(r->known, 1);
    for (size_t i = 0; i < pl_role_rule_count; i++) {
        if (!pl_role_rules[i].service)
            continue;
        const pl_role *found = role(r, pl_role_rules[i].role);
        ck_assert_msg(found != NULL, "%s not seen", pl_role_rules[i].role);
        int witnessed = 0;
        for (size_t w = 0; w < found->nwitnesses; w++)
            witnessed |= strstr(found->witnesses[w].key, pl_role_rules[i].service) != NULL;
        ck_assert_msg(witnessed, "%s has no witness %s", pl_role_rules[i].role,
                      pl_role_rules[i].service);
    }
    pl_evidence_kind_roles.free(r);
    kctx_free(&k);
}
END_TEST

START_TEST(domain_controller_with_dns)
{
    hb *b = hb_new();
    hb_sz(b, CS "\\Control\\ProductOptions", "ProductType", "LanmanNT");
    hb_dword(b, SVC "NTDS", "Start", 2);
    hb_dword(b, SVC "DNS", "Start", 2);
    hb_dword(b, SVC "W3SVC", "Start", 4);      /* disabled: no role */
    hb_dword(b, SVC "TermService", "Start", 3); /* every server has it: no rule */
    kctx k;
    kctx_init(&k, b, NULL, CS);
    pl_roles *r = collect(&k);
    ck_assert_uint_eq(r->nroles, 2);
    const pl_role *adds = role(r, "Active Directory Domain Services");
    ck_assert_ptr_nonnull(adds);
    ck_assert_uint_eq(adds->nwitnesses, 2);
    ck_assert_str_eq(adds->witnesses[0].value, "ProductType");
    ck_assert_str_eq(adds->witnesses[0].data, "LanmanNT");
    ck_assert_str_eq(adds->witnesses[1].key, SVC "NTDS");
    ck_assert_str_eq(adds->witnesses[1].data, "2");
    ck_assert_ptr_nonnull(role(r, "DNS Server"));
    ck_assert_ptr_null(role(r, "Web Server (IIS)"));
    json_object *j = kind_json(&pl_evidence_kind_roles, r);
    ck_assert_int_eq(jlen(j, "roles"), 2);
    ck_assert_str_eq(jstr(j, "roles.0.name"), "Active Directory Domain Services");
    ck_assert_str_eq(jstr(j, "roles.0.evidence.1.key"), SVC "NTDS");
    ck_assert_str_eq(jstr(j, "roles.0.evidence.1.hive"), "SYSTEM");
    json_object_put(j);
    pl_evidence_kind_roles.free(r);
    kctx_free(&k);
}
END_TEST

START_TEST(shares_make_a_file_server)
{
    hb *b = hb_new();
    hb_multi_sz(b, SVC "LanmanServer\\Shares", "Data", "Path=D:\\Data|Type=0");
    hb_multi_sz(b, SVC "LanmanServer\\Shares", "Users", "Path=D:\\Users|Type=0");
    kctx k;
    kctx_init(&k, b, NULL, CS);
    pl_roles *r = collect(&k);
    const pl_role *fs = role(r, "File Services");
    ck_assert_ptr_nonnull(fs);
    ck_assert_str_eq(fs->witnesses[0].data, "2 shares");
    pl_evidence_kind_roles.free(r);
    kctx_free(&k);
}
END_TEST

START_TEST(idle_server_has_no_roles_but_a_known_list)
{
    hb *b = hb_new();
    hb_sz(b, CS "\\Control\\ProductOptions", "ProductType", "ServerNT");
    hb_key(b, SVC "LanmanServer\\Shares");
    kctx k;
    kctx_init(&k, b, NULL, CS);
    pl_roles *r = collect(&k);
    ck_assert_int_eq(r->known, 1);
    ck_assert_uint_eq(r->nroles, 0);
    json_object *j = kind_json(&pl_evidence_kind_roles, r);
    ck_assert_int_eq(jlen(j, "roles"), 0);
    json_object_put(j);
    pl_evidence_kind_roles.free(r);
    kctx_free(&k);
}
END_TEST

START_TEST(system_missing_is_null)
{
    kctx k;
    kctx_init(&k, NULL, NULL, NULL);
    pl_roles *r = collect(&k);
    ck_assert_int_eq(r->known, 0);
    ck_assert_ptr_nonnull(strstr(r->unknown, "the SYSTEM hive was not read"));
    ck_assert_uint_eq(k.warnings.len, 0); /* the hive's own warning says it */
    json_object *j = kind_json(&pl_evidence_kind_roles, r);
    ck_assert(jis_null(j, "roles"));
    json_object_put(j);
    pl_evidence_kind_roles.free(r);
    kctx_free(&k);
}
END_TEST

START_TEST(control_set_missing_is_null)
{
    hb *b = hb_new();
    hb_dword(b, SVC "DNS", "Start", 2);
    kctx k;
    kctx_init(&k, b, NULL, "ControlSet002");
    pl_roles *r = collect(&k);
    ck_assert_int_eq(r->known, 0);
    ck_assert_ptr_nonnull(strstr(r->unknown, "control set"));
    pl_evidence_kind_roles.free(r);
    kctx_free(&k);
}
END_TEST

/* A Start of the wrong type: the service still counts, its start unknown. */
START_TEST(start_of_the_wrong_type_still_counts)
{
    hb *b = hb_new();
    hb_sz(b, SVC "DHCPServer", "Start", "2");
    kctx k;
    kctx_init(&k, b, NULL, CS);
    pl_roles *r = collect(&k);
    const pl_role *dhcp = role(r, "DHCP Server");
    ck_assert_ptr_nonnull(dhcp);
    ck_assert_str_eq(dhcp->witnesses[0].data, "unknown");
    ck_assert(kctx_warned(&k, "REG_SZ"));
    pl_evidence_kind_roles.free(r);
    kctx_free(&k);
}
END_TEST

START_TEST(every_rule_cites_a_source)
{
    ck_assert_uint_gt(pl_role_rule_count, 10);
    for (size_t i = 0; i < pl_role_rule_count; i++) {
        ck_assert_ptr_nonnull(pl_role_rules[i].role);
        ck_assert_uint_gt(strlen(pl_role_rules[i].source), 10);
    }
}
END_TEST

/* The fixture trees of issue 14 (fixtures/README.md). */
START_TEST(fixture_trees)
{
    static const struct {
        const char *tree;
        size_t nroles;
        const char *roles[2];
    } want[] = {
        {"ws2008-dc-dns", 2, {"Active Directory Domain Services", "DNS Server"}},
        {"ws2008-iis-web", 1, {"Web Server (IIS)"}},
        {"ws2008-fs-workgroup", 1, {"File Services"}},
        {"ws2008-idle", 0, {NULL}},
    };
    for (size_t t = 0; t < sizeof want / sizeof *want; t++) {
        kctx k;
        kctx_init_tree(&k, want[t].tree);
        pl_roles *r = collect(&k);
        ck_assert_msg(r->nroles == want[t].nroles, "%s: %zu roles", want[t].tree, r->nroles);
        for (size_t i = 0; i < want[t].nroles; i++)
            ck_assert_str_eq(r->roles[i].name, want[t].roles[i]);
        ck_assert_uint_eq(k.warnings.len, 0);
        pl_evidence_kind_roles.free(r);
        kctx_free(&k);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("roles");
    TCase *tc = tcase_create("roles");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_service_rule_is_seen);
    tcase_add_test(tc, domain_controller_with_dns);
    tcase_add_test(tc, shares_make_a_file_server);
    tcase_add_test(tc, idle_server_has_no_roles_but_a_known_list);
    tcase_add_test(tc, system_missing_is_null);
    tcase_add_test(tc, control_set_missing_is_null);
    tcase_add_test(tc, start_of_the_wrong_type_still_counts);
    tcase_add_test(tc, every_rule_cites_a_source);
    tcase_add_test(tc, fixture_trees);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return pl_run_suite(suite()); }
