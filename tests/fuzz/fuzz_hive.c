/* libFuzzer target: registry evidence extraction. The input is a hive file:
 * it is opened through hivex from memory (pl_hive_open_mem; a damaged hive
 * goes through the salvage of src/evidence/hive_salvage.c: damage found, a
 * repaired copy, HIVEX_OPEN_UNSAFE), then read as
 * a SOFTWARE hive (CurrentVersion values, the CBS package store, the CBS
 * pending keys) and as a SYSTEM hive (control sets, PendingFileRename-
 * Operations, ComputerName), each into a zeroed pl_installation that is
 * then freed. Dirtiness is also checked (pl_hive_is_dirty). */
#include <string.h>

#include "evidence/evidence_internal.h"
#include "evidence/hive.h"
#include "evidence/hive_log.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t s1, s2;
    int dirty = pl_hive_is_dirty(data, size, &s1, &s2);
    FUZZ_CHECK(dirty >= -1 && dirty <= 1);

    pl_hive hive;
    pl_err err = {0};
    if (pl_hive_open_mem(data, size, &hive, &err) != 0) {
        FUZZ_CHECK(err.msg[0] != '\0');
        FUZZ_CHECK(hive.h == NULL);
        return 0;
    }
    /* A salvaged hive always says what was lost. */
    FUZZ_CHECK(!hive.salvaged || strncmp(hive.salvage, "salvaged from", 13) == 0);
    pl_installation inst;
    memset(&inst, 0, sizeof inst);
    pl_read_software_values(&hive, &inst);
    pl_read_cbs_packages(&hive, &inst);
    pl_read_cbs_pending(&hive, &inst);
    char cs[32];
    pl_read_control_set(&hive, &inst, cs, sizeof cs);
    pl_read_system_values(&hive, cs, &inst);
    pl_read_system_pending(&hive, cs, &inst);
    for (size_t i = 0; i < inst.npackages; i++)
        FUZZ_CHECK(inst.packages[i].identity != NULL);
    pl_installation_free(&inst);

    /* The generic helpers on a few fixed paths, too. */
    hive_node_h root = pl_hive_node(&hive, "");
    (void)pl_hive_subkey_count(&hive, root);
    hive_node_h n = pl_hive_node(&hive, "Select");
    uint32_t d;
    (void)pl_hive_dword(&hive, n, "Current", &d);
    char *why = NULL;
    (void)pl_hive_dword_checked(&hive, n, "Default", &d, &why);
    free(why);
    why = NULL;
    size_t count;
    (void)pl_hive_multi_sz_checked(&hive, pl_hive_node(&hive, "ControlSet001\\Control\\Session Manager"),
                                   "PendingFileRenameOperations", &count, &why);
    free(why);
    char *s = pl_hive_string(&hive, pl_hive_node(&hive, "ControlSet001\\Control\\ComputerName"
                                                        "\\ComputerName"),
                             "ComputerName");
    free(s);
    pl_hive_close(&hive);
    pl_hive_close(&hive); /* a second close is harmless */
    return 0;
}
