/* What the SYSTEM hive says. Everything is read from the control set that
 * Select\Current names: offline, "CurrentControlSet" does not exist, and
 * the current set is not always ControlSet001. collect.c finds it once,
 * when it opens the hive; the OS values are the installation's own, the
 * pending ones belong to the pending kind (pending_facts.c). */
#include <stdio.h>
#include <stdlib.h>

#include "evidence/evidence_internal.h"

void pl_read_control_set(pl_hive *hive, pl_installation *inst, char *name, size_t namelen)
{
    uint32_t current = 0;
    if (!pl_hive_dword(hive, pl_hive_node(hive, "Select"), "Current", &current) || current == 0 ||
        current > 999) {
        pl_notes_add(&inst->warnings, PL_ERR_CORRUPT,
                     "SYSTEM hive: Select\\Current is missing or invalid; using ControlSet001");
        current = 1;
    }
    inst->pending.current_control_set = (int)current;
    snprintf(name, namelen, "ControlSet%03u", current);
    if (!pl_hive_node(hive, name)) {
        inst->pending.control_set_error =
            pl_xasprintf("SYSTEM hive: %s (named by Select\\Current) is missing", name);
        pl_notes_add(&inst->warnings, PL_ERR_NOT_FOUND, "%s", inst->pending.control_set_error);
    }
}

/* A file rename waits for the next boot: PendingFileRenameOperations and
 * PendingFileRenameOperations2 (Session Manager), read as Test-PendingReboot
 * and Get-PendingReboot do. A value of the wrong type or with broken UTF-16
 * is a warning and leaves the signal unknown. */
static void read_file_renames(pl_hive *hive, hive_node_h session, const char *cs_name,
                              pl_installation *inst)
{
    pl_pending_facts *p = &inst->pending;
    p->pfro_key = pl_xasprintf("%s\\Control\\Session Manager", cs_name);
    struct {
        const char *name;
        size_t *count;
        char **error;
    } values[] = {{"PendingFileRenameOperations", &p->pending_file_renames, &p->pfro_error},
                  {"PendingFileRenameOperations2", &p->pending_file_renames2, &p->pfro2_error}};
    for (size_t i = 0; i < 2; i++)
        if (pl_hive_multi_sz_checked(hive, session, values[i].name, values[i].count,
                                     values[i].error) < 0)
            pl_notes_add(&inst->warnings, PL_ERR_CORRUPT, "SYSTEM hive: %s: %s", p->pfro_key,
                             *values[i].error);
}

/* A pending computer rename or domain join (Get-PendingReboot's rules; the
 * volatile ActiveComputerName they compare with is never in an offline
 * hive, so the persistent Tcpip Hostname / NV Hostname pair stands in). */
static void read_rename_and_join(pl_hive *hive, hive_node_h cs, const char *cs_name,
                                 pl_installation *inst)
{
    pl_pending_facts *p = &inst->pending;
    hive_node_h services = hivex_node_get_child(hive->h, cs, "Services");
    hive_node_h tcpip = services ? hivex_node_get_child(hive->h, services, "Tcpip") : 0;
    hive_node_h params = tcpip ? hivex_node_get_child(hive->h, tcpip, "Parameters") : 0;
    p->tcpip_key = pl_xasprintf("%s\\Services\\Tcpip\\Parameters", cs_name);
    p->hostname = pl_hive_string(hive, params, "Hostname");
    p->nv_hostname = pl_hive_string(hive, params, "NV Hostname");
    hive_node_h netlogon = services ? hivex_node_get_child(hive->h, services, "Netlogon") : 0;
    p->netlogon_key = pl_xasprintf("%s\\Services\\Netlogon", cs_name);
    p->join_domain = netlogon && hivex_node_get_value(hive->h, netlogon, "JoinDomain") != 0;
    p->avoid_spn_set = netlogon && hivex_node_get_value(hive->h, netlogon, "AvoidSpnSet") != 0;
}

void pl_read_system_values(pl_hive *hive, const char *cs_name, pl_installation *inst)
{
    hive_node_h cs = pl_hive_node(hive, cs_name);
    if (!cs)
        return;
    hive_node_h control = hivex_node_get_child(hive->h, cs, "Control");
    hive_node_h session = control ? hivex_node_get_child(hive->h, control, "Session Manager") : 0;
    hive_node_h env = session ? hivex_node_get_child(hive->h, session, "Environment") : 0;
    inst->os.processor_architecture = pl_hive_string(hive, env, "PROCESSOR_ARCHITECTURE");
    hive_node_h opts = control ? hivex_node_get_child(hive->h, control, "ProductOptions") : 0;
    inst->os.product_type = pl_hive_string(hive, opts, "ProductType");
    char *cn_path = pl_xasprintf("%s\\Control\\ComputerName\\ComputerName", cs_name);
    inst->os.computer_name = pl_hive_string(hive, pl_hive_node(hive, cn_path), "ComputerName");
    free(cn_path);
}

void pl_read_system_pending(pl_hive *hive, const char *cs_name, pl_installation *inst)
{
    hive_node_h cs = pl_hive_node(hive, cs_name);
    if (!cs)
        return;
    hive_node_h control = hivex_node_get_child(hive->h, cs, "Control");
    hive_node_h session = control ? hivex_node_get_child(hive->h, control, "Session Manager") : 0;
    read_file_renames(hive, session, cs_name, inst);
    read_rename_and_join(hive, cs, cs_name, inst);
}
