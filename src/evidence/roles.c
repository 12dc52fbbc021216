/* Server roles and features of an installation, from what Windows Server
 * 2008 SP2 records offline.
 *
 * What was looked at, and why each source is used or not:
 *  - Service registrations (used): every role below installs a service of
 *    its own under SYSTEM <cs>\Services (names from Microsoft's "System
 *    Services" for Windows Server 2008, TechNet dd349799, and "System
 *    Services for the Windows Server 2003 Family"). A service counts when
 *    its key exists and its Start value is not 4 (disabled; KB 103000,
 *    "CurrentControlSet\Services Subkey Entries"); a Start value that is
 *    absent or of the wrong type still counts, with "Start unknown".
 *  - ProductOptions ProductType LanmanNT (used): a domain controller.
 *  - LanmanServer\Shares (used): each value is one share created by an
 *    administrator (KB 125996, "Saving and restoring existing Windows
 *    shares"); the administrative shares (C$, ADMIN$) are not stored there.
 *    On 2008 the File Server role service is what serves them.
 *  - CBS packages (not used): on 2008 roles and features are selectable
 *    updates of the edition package, installed by name with ocsetup /
 *    Server Manager (IIS-WebServerRole, DNS-Server-Core-Role,
 *    DHCPServerCore, DirectoryServices-DomainController-ServerFoundation,
 *    ...: dirteam.com, "Handling Server Core roles and features", 2008),
 *    not packages of their own, so a package identity does not name a role.
 *  - Server Manager's ServicingStorage\ServerComponentCache (not used): no
 *    public source shows it on 2008 (it is documented for later releases
 *    only), so its absence could not be told from "no roles".
 */
#include "evidence/roles.h"

#include <stdlib.h>
#include <string.h>

#include "evidence/reg_read.h"
#include "util/escape.h"

#define SVC_2008 "Microsoft, System Services (Windows Server 2008)"

const pl_role_rule pl_role_rules[] = {
    {"Active Directory Domain Services", NULL,
     "ProductOptions ProductType = LanmanNT (OSVERSIONINFOEX VER_NT_DOMAIN_CONTROLLER)"},
    {"Active Directory Domain Services", "NTDS", SVC_2008 " (NTDS, Directory Services)"},
    {"DNS Server", "DNS", SVC_2008 " (DNS Server)"},
    {"DHCP Server", "DHCPServer", SVC_2008 " (DHCP Server)"},
    {"Web Server (IIS)", "W3SVC", SVC_2008 " (World Wide Web Publishing Service)"},
    {"Web Server (IIS)", "MSFTPSVC", SVC_2008 " (FTP Publishing Service)"},
    {"Terminal Services", "TermServLicensing", SVC_2008 " (Terminal Services Licensing)"},
    {"Terminal Services", "Tssdis", SVC_2008 " (Terminal Services Session Broker)"},
    {"Terminal Services", "TSGateway", SVC_2008 " (Terminal Services Gateway)"},
    {"Hyper-V", "vmms", SVC_2008 " (Hyper-V Virtual Machine Management)"},
    {"File Services", NULL, "LanmanServer\\Shares holds a share (KB 125996)"},
    {"File Services", "srmsvc", SVC_2008 " (File Server Resource Manager)"},
    {"File Services", "DFSR", SVC_2008 " (DFS Replication)"},
    {"Active Directory Certificate Services", "CertSvc", SVC_2008 " (Certificate Services)"},
    {"Network Policy and Access Services", "IAS", SVC_2008 " (Network Policy Server)"},
    {"Windows Deployment Services", "WDSServer", SVC_2008 " (Windows Deployment Services)"},
    {"Failover Clustering", "ClusSvc", SVC_2008 " (Cluster Service)"},
    {"WINS Server", "WINS", SVC_2008 " (Windows Internet Name Service)"},
    {"Windows Server Update Services", "WsusService", "WSUS 3.0 (WsusService)"},
};
const size_t pl_role_rule_count = sizeof pl_role_rules / sizeof *pl_role_rules;

static void add_witness(pl_roles *r, const char *role, const char *key, const char *value,
                        char *data)
{
    pl_role *found = NULL;
    for (size_t i = 0; i < r->nroles && !found; i++)
        if (strcmp(r->roles[i].name, role) == 0)
            found = &r->roles[i];
    if (!found) {
        r->roles = pl_xrealloc(r->roles, (r->nroles + 1) * sizeof *r->roles);
        found = &r->roles[r->nroles++];
        *found = (pl_role){role, NULL, 0};
    }
    found->witnesses =
        pl_xrealloc(found->witnesses, (found->nwitnesses + 1) * sizeof *found->witnesses);
    found->witnesses[found->nwitnesses++] =
        (pl_role_witness){"SYSTEM", pl_xstrdup(key), value, data};
}

/* A service rule: the key exists and Start is not 4. */
static void service_rule(pl_roles *r, const pl_role_rule *rule, pl_hive *h, const char *cs,
                         pl_notes *w)
{
    char *key = pl_xasprintf("%s\\Services\\%s", cs, rule->service);
    hive_node_h node = pl_hive_node(h, key);
    if (node) {
        uint32_t start = 0;
        char *why = NULL;
        int rc = pl_hive_dword_checked(h, node, "Start", &start, &why);
        if (rc < 0)
            pl_notes_add(w, PL_ERR_CORRUPT, "SYSTEM hive: %s: %s", key, why);
        if (rc <= 0)
            add_witness(r, rule->role, key, "Start", pl_xstrdup("unknown"));
        else if (start != 4)
            add_witness(r, rule->role, key, "Start", pl_xasprintf("%u", start));
        free(why);
    }
    free(key);
}

static void product_type_rule(pl_roles *r, const pl_role_rule *rule, pl_hive *h, const char *cs)
{
    char *key = pl_xasprintf("%s\\Control\\ProductOptions", cs);
    char *type = NULL, *why = NULL;
    if (pl_reg_sz(h, pl_hive_node(h, key), "ProductType", &type, &why) > 0 &&
        pl_strcaseeq(type, "LanmanNT"))
        add_witness(r, rule->role, key, "ProductType", type);
    else
        free(type);
    free(why);
    free(key);
}

static void shares_rule(pl_roles *r, const pl_role_rule *rule, pl_hive *h, const char *cs)
{
    char *key = pl_xasprintf("%s\\Services\\LanmanServer\\Shares", cs);
    hive_node_h node = pl_hive_node(h, key);
    hive_value_h *values = node ? hivex_node_values(h->h, node) : NULL;
    size_t n = 0;
    while (values && values[n])
        n++;
    if (n > 0)
        add_witness(r, rule->role, key, "", pl_xasprintf("%zu share%s", n, n == 1 ? "" : "s"));
    free(values);
    free(key);
}

static void *roles_collect(const pl_evidence_ctx *ctx)
{
    pl_roles *r = pl_xcalloc(1, sizeof *r);
    const char *cs = ctx->control_set;
    if (!ctx->system || !cs || !pl_hive_node(ctx->system, cs)) {
        r->unknown = !ctx->system
                         ? pl_xasprintf("the SYSTEM hive was not read: %s",
                                        ctx->system_unread ? ctx->system_unread : "not found")
                         : pl_xstrdup("SYSTEM hive: the current control set is unknown or "
                                      "missing");
        return r;
    }
    r->known = 1;
    for (size_t i = 0; i < pl_role_rule_count; i++) {
        const pl_role_rule *rule = &pl_role_rules[i];
        if (rule->service)
            service_rule(r, rule, ctx->system, cs, ctx->warnings);
        else if (strstr(rule->source, "ProductType"))
            product_type_rule(r, rule, ctx->system, cs);
        else
            shares_rule(r, rule, ctx->system, cs);
    }
    return r;
}

static void roles_free(void *data)
{
    pl_roles *r = data;
    if (!r)
        return;
    for (size_t i = 0; i < r->nroles; i++) {
        for (size_t k = 0; k < r->roles[i].nwitnesses; k++) {
            free(r->roles[i].witnesses[k].key);
            free(r->roles[i].witnesses[k].data);
        }
        free(r->roles[i].witnesses);
    }
    free(r->roles);
    free(r->unknown);
    free(r);
}

static void roles_to_json(pl_json *j, const void *data)
{
    const pl_roles *r = data;
    if (!r || !r->known) {
        pl_json_null(j);
        return;
    }
    pl_json_begin_array(j);
    for (size_t i = 0; i < r->nroles; i++) {
        pl_json_begin_object(j);
        pl_json_kv_string(j, "name", r->roles[i].name);
        pl_json_key(j, "evidence");
        pl_json_begin_array(j);
        for (size_t k = 0; k < r->roles[i].nwitnesses; k++) {
            const pl_role_witness *w = &r->roles[i].witnesses[k];
            pl_json_begin_object(j);
            pl_json_kv_string(j, "hive", w->hive);
            pl_json_kv_string(j, "key", w->key);
            pl_json_kv_string(j, "value", w->value);
            pl_json_kv_string(j, "data", w->data);
            pl_json_end_object(j);
        }
        pl_json_end_array(j);
        pl_json_end_object(j);
    }
    pl_json_end_array(j);
}

static void roles_to_text(FILE *out, const void *data, int verbose)
{
    const pl_roles *r = data;
    if (!r)
        return;
    fprintf(out, "  Roles:       ");
    if (!r->known)
        fprintf(out, "unknown (%s)", pl_esc(r->unknown));
    else if (r->nroles == 0)
        fprintf(out, "none found");
    for (size_t i = 0; i < r->nroles; i++)
        fprintf(out, "%s%s", i ? ", " : "", r->roles[i].name);
    fprintf(out, "\n");
    for (size_t i = 0; verbose && i < r->nroles; i++)
        for (size_t k = 0; k < r->roles[i].nwitnesses; k++)
            fprintf(out, "    %s: SYSTEM\\%s %s%s%s\n", r->roles[i].name,
                    pl_esc(r->roles[i].witnesses[k].key), r->roles[i].witnesses[k].value,
                    r->roles[i].witnesses[k].data ? " = " : "",
                    r->roles[i].witnesses[k].data ? pl_esc(r->roles[i].witnesses[k].data)
                                                  : "");
}

const pl_evidence_kind pl_evidence_kind_roles = {
    .name = "roles",
    .collect = roles_collect,
    .free = roles_free,
    .to_json = roles_to_json,
    .to_text = roles_to_text,
    .text_section = PL_TEXT_RUNS,
};
