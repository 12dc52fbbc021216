/* The identity of an installation, from its SYSTEM hive (the control set
 * Select\Current names: offline there is no CurrentControlSet) and its
 * SOFTWARE hive. Sources of each rule:
 *
 *  computer_name  SYSTEM <cs>\Control\ComputerName\ComputerName ComputerName
 *  dns_hostname   SYSTEM <cs>\Services\Tcpip\Parameters Hostname
 *  domain         ... Tcpip\Parameters Domain, else NV Domain (Microsoft KB
 *                 314053, "TCP/IP and NBT configuration parameters"; RegRipper
 *                 compname.pl reads the same values)
 *  membership     "domain" for a domain controller or a non-empty Domain:
 *                 joining a domain sets the primary DNS suffix in
 *                 Tcpip\Parameters (prime-expert.com "Can't login after domain
 *                 to workgroup change": these values identify membership);
 *                 "workgroup" when the machine is no DC and Domain / NV
 *                 Domain are empty or absent. A workgroup's NAME is only in
 *                 the LSA policy (MS-WKST 3.2.4.13.4: a workgroup join sets
 *                 DomainName.NetBIOS and no DNS name, SID or GUID; it is kept
 *                 in the SECURITY hive, Policy\PolPrDmN), which patchlevel
 *                 does not read: workgroup is null with its reason.
 *                 A workgroup server given a primary DNS suffix by hand reads
 *                 as "domain": said in the man page.
 *  domain_controller  SYSTEM <cs>\Control\ProductOptions ProductType: LanmanNT
 *                 = domain controller, ServerNT = server, WinNT = workstation
 *                 (Microsoft, ProductOptions / OSVERSIONINFOEX wProductType
 *                 VER_NT_DOMAIN_CONTROLLER); the NTDS service key, when
 *                 present, is added as a second witness.
 *  ip_addresses   SYSTEM <cs>\Services\Tcpip\Parameters\Interfaces\{GUID}
 *                 IPAddress (REG_MULTI_SZ, static; 0.0.0.0 = none) and
 *                 DhcpIPAddress (REG_SZ, the last lease, used when EnableDHCP
 *                 is not 0) (KB 314053)
 *  time_zone      SYSTEM <cs>\Control\TimeZoneInformation TimeZoneKeyName
 *                 (Vista / 2008 and later: TIME_DYNAMIC_ZONE_INFORMATION),
 *                 else StandardName
 *  last_shutdown  SYSTEM <cs>\Control\Windows ShutdownTime: REG_BINARY
 *                 FILETIME of the last clean shutdown (RegRipper shutdown.pl)
 *  install_date, registered_owner, registered_organization
 *                 SOFTWARE Microsoft\Windows NT\CurrentVersion InstallDate
 *                 (DWORD, Unix seconds), RegisteredOwner, RegisteredOrganization
 */
#include "evidence/identity.h"

#include <stdlib.h>
#include <string.h>

#include "evidence/reg_read.h"
#include "util/escape.h"
#include "util/limits.h"

#define CURRENT_VERSION_KEY "Microsoft\\Windows NT\\CurrentVersion"

static void add_source(pl_identity *id, const char *fact, const char *hive, const char *key,
                       const char *value)
{
    id->sources = pl_xrealloc(id->sources, (id->nsources + 1) * sizeof *id->sources);
    id->sources[id->nsources++] = (pl_id_source){fact, hive, pl_xstrdup(key), value};
}

static void set_unknown(char **slot, const char *why)
{
    if (!*slot)
        *slot = pl_xstrdup(why);
}

/* Read one string fact. An empty string counts as absent when
 * empty_is_absent (Domain = "" on a workgroup machine). */
static int read_fact(pl_identity *id, pl_id_fact *f, const char *fact, pl_hive *hive,
                     const char *hive_name, const char *key, const char *value,
                     int empty_is_absent, pl_notes *warnings)
{
    char *s, *why;
    int rc = pl_reg_sz(hive, pl_hive_node(hive, key), value, &s, &why);
    if (rc < 0) {
        pl_notes_add(warnings, PL_ERR_CORRUPT, "%s hive: %s: %s", hive_name, key, why);
        set_unknown(&f->unknown, why);
        free(why);
        return -1;
    }
    if (rc == 0 || (empty_is_absent && !s[0])) {
        free(s);
        return 0;
    }
    f->value = s;
    add_source(id, fact, hive_name, key, value);
    return 1;
}

static char *cs_key(const char *cs, const char *rest)
{
    return pl_xasprintf("%s\\%s", cs, rest);
}

static void read_names(pl_identity *id, pl_hive *h, const char *cs, pl_notes *w)
{
    char *k = cs_key(cs, "Control\\ComputerName\\ComputerName");
    read_fact(id, &id->computer_name, "computer_name", h, "SYSTEM", k, "ComputerName", 0, w);
    free(k);
    k = cs_key(cs, "Services\\Tcpip\\Parameters");
    read_fact(id, &id->dns_hostname, "dns_hostname", h, "SYSTEM", k, "Hostname", 0, w);
    if (read_fact(id, &id->domain, "domain", h, "SYSTEM", k, "Domain", 1, w) == 0 &&
        !id->domain.unknown)
        read_fact(id, &id->domain, "domain", h, "SYSTEM", k, "NV Domain", 1, w);
    free(k);
}

static void read_product_type(pl_identity *id, pl_hive *h, const char *cs, pl_notes *w)
{
    pl_id_fact type = {0};
    char *k = cs_key(cs, "Control\\ProductOptions");
    int rc = read_fact(id, &type, "domain_controller", h, "SYSTEM", k, "ProductType", 0, w);
    free(k);
    if (rc > 0 && (pl_strcaseeq(type.value, "ServerNT") || pl_strcaseeq(type.value, "WinNT"))) {
        id->domain_controller = 0;
    } else if (rc > 0 && pl_strcaseeq(type.value, "LanmanNT")) {
        id->domain_controller = 1;
        k = cs_key(cs, "Services\\NTDS");
        if (pl_hive_node(h, k))
            add_source(id, "domain_controller", "SYSTEM", k, "");
        free(k);
    } else {
        id->domain_controller = -1;
        id->domain_controller_unknown =
            rc > 0 ? pl_xasprintf("ProductType \"%s\" is none of WinNT, ServerNT, LanmanNT",
                                  type.value)
            : rc == 0 ? pl_xstrdup("ProductOptions ProductType is absent")
                      : pl_xstrdup(type.unknown);
    }
    free(type.value);
    free(type.unknown);
}

/* Membership's witnesses are those of the facts it follows from: the
 * primary DNS suffix (present or not) and ProductType. */
static void decide_membership(pl_identity *id, const char *cs)
{
    char *tcpip = cs_key(cs, "Services\\Tcpip\\Parameters");
    char *opts = cs_key(cs, "Control\\ProductOptions");
    if (id->domain_controller == 1 || id->domain.value) {
        id->membership.value = pl_xstrdup("domain");
        if (id->domain_controller == 1)
            add_source(id, "membership", "SYSTEM", opts, "ProductType");
        else
            add_source(id, "membership", "SYSTEM", tcpip, "Domain");
    } else if (id->domain_controller == 0 && !id->domain.unknown) {
        id->membership.value = pl_xstrdup("workgroup");
        add_source(id, "membership", "SYSTEM", tcpip, "Domain");
        add_source(id, "membership", "SYSTEM", opts, "ProductType");
        id->workgroup.unknown = pl_xstrdup(
            "the workgroup name is kept by the LSA (SECURITY hive, Policy\\PolPrDmN), which "
            "patchlevel does not read");
    } else {
        id->membership.unknown = pl_xstrdup(
            id->domain.unknown ? id->domain.unknown : id->domain_controller_unknown);
    }
    free(tcpip);
    free(opts);
}

static void add_address(pl_identity *id, const char *addr, const char *kind, const char *iface)
{
    if (!addr[0] || strcmp(addr, "0.0.0.0") == 0)
        return;
    id->addresses = pl_xrealloc(id->addresses, (id->naddresses + 1) * sizeof *id->addresses);
    id->addresses[id->naddresses++] =
        (pl_id_address){pl_xstrdup(addr), kind, pl_xstrdup(iface)};
}

static void interface_unusable(pl_identity *id, const char *key, const char *why, pl_notes *w)
{
    pl_notes_add(w, PL_ERR_CORRUPT, "SYSTEM hive: %s: %s", key, why);
    set_unknown(&id->ip_addresses_unknown, why);
}

static void read_interface(pl_identity *id, pl_hive *h, hive_node_h node, const char *ifaces_key,
                           const char *name, pl_notes *w)
{
    char *key = pl_xasprintf("%s\\%s", ifaces_key, name);
    uint32_t dhcp = 0;
    char *why = NULL;
    int has_dhcp = pl_hive_dword_checked(h, node, "EnableDHCP", &dhcp, &why);
    if (has_dhcp < 0)
        interface_unusable(id, key, why, w);
    free(why);
    char **items;
    size_t n;
    if (pl_reg_multi_sz(h, node, "IPAddress", PL_MAX_IFACE_ADDRESSES, &items, &n, &why) < 0) {
        interface_unusable(id, key, why, w);
    } else if (items) {
        size_t before = id->naddresses;
        for (size_t i = 0; i < n; i++)
            add_address(id, items[i], "static", name);
        if (id->naddresses > before)
            add_source(id, "ip_addresses", "SYSTEM", key, "IPAddress");
        pl_reg_strv_free(items);
    }
    free(why);
    char *lease;
    if (has_dhcp == 1 && dhcp == 0) {
        free(key);
        return; /* a static interface: a DhcpIPAddress left over is no lease in use */
    }
    if (pl_reg_sz(h, node, "DhcpIPAddress", &lease, &why) < 0) {
        interface_unusable(id, key, why, w);
    } else if (lease) {
        size_t before = id->naddresses;
        add_address(id, lease, "dhcp", name);
        if (id->naddresses > before)
            add_source(id, "ip_addresses", "SYSTEM", key, "DhcpIPAddress");
        free(lease);
    }
    free(why);
    free(key);
}

static void read_addresses(pl_identity *id, pl_hive *h, const char *cs, pl_notes *w)
{
    id->addresses_known = 1;
    char *key = cs_key(cs, "Services\\Tcpip\\Parameters\\Interfaces");
    hive_node_h ifaces = pl_hive_node(h, key);
    hive_node_h *kids = ifaces ? hivex_node_children(h->h, ifaces) : NULL;
    if (ifaces && !kids)
        interface_unusable(id, key, "its subkeys could not be listed", w);
    for (size_t i = 0; kids && kids[i]; i++) {
        if (i == PL_MAX_INTERFACES) {
            char *why = pl_xasprintf("more than %d interfaces: the rest were not read",
                                     PL_MAX_INTERFACES);
            interface_unusable(id, key, why, w);
            free(why);
            break;
        }
        char *name = hivex_node_name(h->h, kids[i]);
        if (name)
            read_interface(id, h, kids[i], key, name, w);
        free(name);
    }
    free(kids);
    free(key);
}

static void read_time_zone(pl_identity *id, pl_hive *h, const char *cs, pl_notes *w)
{
    char *k = cs_key(cs, "Control\\TimeZoneInformation");
    if (read_fact(id, &id->time_zone, "time_zone", h, "SYSTEM", k, "TimeZoneKeyName", 1, w) == 0 &&
        !id->time_zone.unknown)
        read_fact(id, &id->time_zone, "time_zone", h, "SYSTEM", k, "StandardName", 1, w);
    free(k);
}

static void read_shutdown(pl_identity *id, pl_hive *h, const char *cs, pl_notes *w)
{
    char *k = cs_key(cs, "Control\\Windows");
    uint8_t ft[8];
    char *why = NULL;
    int rc = pl_reg_binary(h, pl_hive_node(h, k), "ShutdownTime", ft, sizeof ft, &why);
    char iso[32];
    if (rc > 0 && pl_filetime_to_iso(pl_le64(ft), iso) == 0) {
        id->last_shutdown.value = pl_xstrdup(iso);
        add_source(id, "last_shutdown", "SYSTEM", k, "ShutdownTime");
    } else if (rc > 0) {
        why = pl_xasprintf("value ShutdownTime (FILETIME %llu) is out of range",
                           (unsigned long long)pl_le64(ft));
    }
    if (why) {
        pl_notes_add(w, PL_ERR_CORRUPT, "SYSTEM hive: %s: %s", k, why);
        id->last_shutdown.unknown = why;
    }
    free(k);
}


/* Every SYSTEM-based fact unknown for one reason. */
static void system_unknown(pl_identity *id, const char *why)
{
    pl_id_fact *facts[] = {&id->computer_name, &id->dns_hostname, &id->domain,
                           &id->membership,    &id->workgroup,    &id->time_zone,
                           &id->last_shutdown};
    for (size_t i = 0; i < sizeof facts / sizeof *facts; i++)
        set_unknown(&facts[i]->unknown, why);
    id->domain_controller = -1;
    set_unknown(&id->domain_controller_unknown, why);
    id->addresses_known = 0;
    set_unknown(&id->ip_addresses_unknown, why);
}

static void read_system(pl_identity *id, const pl_evidence_ctx *ctx)
{
    if (!ctx->system) {
        char *why = pl_xasprintf("the SYSTEM hive was not read: %s",
                                 ctx->system_unread ? ctx->system_unread : "not found");
        system_unknown(id, why);
        free(why);
        return;
    }
    const char *cs = ctx->control_set;
    if (!cs || !pl_hive_node(ctx->system, cs)) {
        char *why = cs ? pl_xasprintf("SYSTEM hive: %s (named by Select\\Current) is missing", cs)
                       : pl_xstrdup("SYSTEM hive: the current control set is unknown");
        system_unknown(id, why);
        free(why);
        return;
    }
    read_names(id, ctx->system, cs, ctx->warnings);
    read_product_type(id, ctx->system, cs, ctx->warnings);
    decide_membership(id, cs);
    read_addresses(id, ctx->system, cs, ctx->warnings);
    read_time_zone(id, ctx->system, cs, ctx->warnings);
    read_shutdown(id, ctx->system, cs, ctx->warnings);
}

static void read_software(pl_identity *id, const pl_evidence_ctx *ctx)
{
    pl_id_fact *facts[] = {&id->install_date, &id->registered_owner,
                           &id->registered_organization};
    if (!ctx->software) {
        char *why = pl_xasprintf("the SOFTWARE hive was not read: %s",
                                 ctx->software_unread ? ctx->software_unread : "not found");
        for (size_t i = 0; i < sizeof facts / sizeof *facts; i++)
            set_unknown(&facts[i]->unknown, why);
        free(why);
        return;
    }
    pl_hive *h = ctx->software;
    read_fact(id, &id->registered_owner, "registered_owner", h, "SOFTWARE", CURRENT_VERSION_KEY,
              "RegisteredOwner", 0, ctx->warnings);
    read_fact(id, &id->registered_organization, "registered_organization", h, "SOFTWARE",
              CURRENT_VERSION_KEY, "RegisteredOrganization", 0, ctx->warnings);
    uint32_t t;
    char *why = NULL;
    int rc = pl_hive_dword_checked(h, pl_hive_node(h, CURRENT_VERSION_KEY), "InstallDate", &t,
                                   &why);
    if (rc > 0) {
        char iso[32];
        pl_unixtime_to_iso((int64_t)t, iso);
        id->install_date.value = pl_xstrdup(iso);
        add_source(id, "install_date", "SOFTWARE", CURRENT_VERSION_KEY, "InstallDate");
    } else if (rc < 0) {
        pl_notes_add(ctx->warnings, PL_ERR_CORRUPT, "SOFTWARE hive: %s: %s",
                     CURRENT_VERSION_KEY, why);
        id->install_date.unknown = why;
    }
}

static void *identity_collect(const pl_evidence_ctx *ctx)
{
    pl_identity *id = pl_xcalloc(1, sizeof *id);
    read_system(id, ctx);
    read_software(id, ctx);
    return id;
}

static void fact_free(pl_id_fact *f)
{
    free(f->value);
    free(f->unknown);
}

static void identity_free(void *data)
{
    pl_identity *id = data;
    if (!id)
        return;
    pl_id_fact *facts[] = {&id->computer_name,  &id->dns_hostname,     &id->domain,
                           &id->membership,     &id->workgroup,        &id->time_zone,
                           &id->last_shutdown,  &id->install_date,     &id->registered_owner,
                           &id->registered_organization};
    for (size_t i = 0; i < sizeof facts / sizeof *facts; i++)
        fact_free(facts[i]);
    free(id->domain_controller_unknown);
    for (size_t i = 0; i < id->naddresses; i++) {
        free(id->addresses[i].address);
        free(id->addresses[i].interface);
    }
    free(id->addresses);
    free(id->ip_addresses_unknown);
    for (size_t i = 0; i < id->nsources; i++)
        free(id->sources[i].key);
    free(id->sources);
    free(id);
}

static void kv_fact(pl_json *j, const char *key, const pl_id_fact *f)
{
    char name[64];
    pl_json_kv_string(j, key, f->value);
    snprintf(name, sizeof name, "%s_unknown", key);
    pl_json_kv_string(j, name, f->unknown);
}

static void addresses_json(pl_json *j, const pl_identity *id)
{
    pl_json_key(j, "ip_addresses");
    if (!id->addresses_known) {
        pl_json_null(j);
    } else {
        pl_json_begin_array(j);
        for (size_t i = 0; i < id->naddresses; i++) {
            pl_json_begin_object(j);
            pl_json_kv_string(j, "address", id->addresses[i].address);
            pl_json_kv_string(j, "kind", id->addresses[i].kind);
            pl_json_kv_string(j, "interface", id->addresses[i].interface);
            pl_json_end_object(j);
        }
        pl_json_end_array(j);
    }
    pl_json_kv_string(j, "ip_addresses_unknown", id->ip_addresses_unknown);
}

static void sources_json(pl_json *j, const pl_identity *id)
{
    pl_json_key(j, "evidence");
    pl_json_begin_array(j);
    for (size_t i = 0; i < id->nsources; i++) {
        pl_json_begin_object(j);
        pl_json_kv_string(j, "fact", id->sources[i].fact);
        pl_json_kv_string(j, "hive", id->sources[i].hive);
        pl_json_kv_string(j, "key", id->sources[i].key);
        pl_json_kv_string(j, "value", id->sources[i].value);
        pl_json_end_object(j);
    }
    pl_json_end_array(j);
}

static void identity_to_json(pl_json *j, const void *data)
{
    const pl_identity *id = data;
    if (!id) {
        pl_json_null(j);
        return;
    }
    pl_json_begin_object(j);
    kv_fact(j, "computer_name", &id->computer_name);
    kv_fact(j, "dns_hostname", &id->dns_hostname);
    kv_fact(j, "domain", &id->domain);
    kv_fact(j, "membership", &id->membership);
    kv_fact(j, "workgroup", &id->workgroup);
    pl_json_key(j, "domain_controller");
    if (id->domain_controller < 0)
        pl_json_null(j);
    else
        pl_json_bool(j, id->domain_controller);
    pl_json_kv_string(j, "domain_controller_unknown", id->domain_controller_unknown);
    addresses_json(j, id);
    kv_fact(j, "time_zone", &id->time_zone);
    kv_fact(j, "last_shutdown", &id->last_shutdown);
    kv_fact(j, "install_date", &id->install_date);
    kv_fact(j, "registered_owner", &id->registered_owner);
    kv_fact(j, "registered_organization", &id->registered_organization);
    sources_json(j, id);
    pl_json_end_object(j);
}

static const char *or_unknown(const pl_id_fact *f)
{
    return f->value ? pl_esc(f->value) : f->unknown ? "unknown" : "-";
}

/* Text lines; every string from the image is escaped (util/escape.h). */
static void identity_to_text(FILE *out, const void *data, int verbose)
{
    const pl_identity *id = data;
    if (!id)
        return;
    fprintf(out, "  Identity:    %s", or_unknown(&id->computer_name));
    if (id->dns_hostname.value || id->dns_hostname.unknown)
        fprintf(out, " (DNS %s)", or_unknown(&id->dns_hostname));
    fprintf(out, ", %s%s%s%s\n", or_unknown(&id->membership),
            id->domain.value ? " " : "", id->domain.value ? pl_esc(id->domain.value) : "",
            id->domain_controller == 1 ? ", domain controller" : "");
    fprintf(out, "  Addresses:   ");
    if (!id->addresses_known && id->ip_addresses_unknown)
        fprintf(out, "unknown (%s)", pl_esc(id->ip_addresses_unknown));
    else if (!id->addresses_known)
        fprintf(out, "unknown");
    else if (id->naddresses == 0)
        fprintf(out, "none configured");
    for (size_t i = 0; i < id->naddresses; i++)
        fprintf(out, "%s%s (%s)", i ? ", " : "", pl_esc(id->addresses[i].address),
                id->addresses[i].kind);
    fprintf(out, "\n");
    if (verbose)
        fprintf(out, "  Time zone:   %s; last shutdown %s; installed %s; owner %s, %s\n",
                or_unknown(&id->time_zone), or_unknown(&id->last_shutdown),
                or_unknown(&id->install_date), or_unknown(&id->registered_owner),
                or_unknown(&id->registered_organization));
}

const pl_evidence_kind pl_evidence_kind_identity = {
    .name = "identity",
    .collect = identity_collect,
    .free = identity_free,
    .to_json = identity_to_json,
    .to_text = identity_to_text,
    .text_section = PL_TEXT_HEADER,
};
