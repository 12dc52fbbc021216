/* What the SYSTEM hive says. Everything is read from the control set that
 * Select\Current names: offline, "CurrentControlSet" does not exist, and
 * the current set is not always ControlSet001. */
#include <stdio.h>
#include <stdlib.h>

#include "evidence/evidence_internal.h"

static hive_node_h current_control_set(pl_hive *hive, pl_installation *inst, char *name,
                                       size_t namelen)
{
    uint32_t current = 0;
    if (!pl_hive_dword(hive, pl_hive_node(hive, "Select"), "Current", &current) || current == 0 ||
        current > 999) {
        pl_strlist_push(&inst->warnings,
                        "SYSTEM hive: Select\\Current is missing or invalid; using ControlSet001");
        current = 1;
    }
    inst->pending.current_control_set = (int)current;
    snprintf(name, namelen, "ControlSet%03u", current);
    hive_node_h cs = pl_hive_node(hive, name);
    if (!cs)
        pl_strlist_pushf(&inst->warnings, "SYSTEM hive: %s (named by Select\\Current) is missing",
                         name);
    return cs;
}

void pl_read_system_values(pl_hive *hive, pl_installation *inst)
{
    char cs_name[32];
    hive_node_h cs = current_control_set(hive, inst, cs_name, sizeof cs_name);
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
    inst->pending.pending_file_renames =
        pl_hive_multi_sz_count(hive, session, "PendingFileRenameOperations");
    inst->pending.pfro_key = pl_xasprintf("%s\\Control\\Session Manager", cs_name);
}
