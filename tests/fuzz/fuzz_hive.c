/* libFuzzer target: registry evidence extraction. The input is a hive file:
 * it is opened through hivex from memory (pl_hive_open_mem; a damaged hive
 * goes through the salvage of src/evidence/hive_salvage.c: damage found, a
 * repaired copy, HIVEX_OPEN_UNSAFE), then read as
 * a SOFTWARE hive (CurrentVersion values, the CBS package store, the CBS
 * pending keys) and as a SYSTEM hive (control sets, PendingFileRename-
 * Operations, ComputerName), each into a zeroed pl_installation that is
 * then freed. Dirtiness is also checked (pl_hive_is_dirty). The evidence
 * kinds identity, roles, applications and application_updates then read
 * it as both hives at once (collect, JSON, text, free). */
#include <string.h>

#include <stdio.h>

#include "evidence/applications.h"
#include "evidence/evidence_internal.h"
#include "evidence/identity.h"
#include "evidence/roles.h"
#include "evidence/hive.h"
#include "evidence/hive_log.h"
#include "fuzz_common.h"

/* The issue-14 kinds on the hive as SOFTWARE and SYSTEM together. */
static void run_kinds(pl_hive *hive)
{
    static const pl_evidence_kind *const kinds[] = {
        &pl_evidence_kind_identity, &pl_evidence_kind_roles, &pl_evidence_kind_applications,
        &pl_evidence_kind_application_updates};
    pl_installation inst;
    memset(&inst, 0, sizeof inst);
    pl_notes warnings = {0};
    pl_evidence_options opts = {0};
    pl_evidence_ctx ctx = {.software = hive, .system = hive, .control_set = "ControlSet001",
                           .inst = &inst, .warnings = &warnings, .opts = &opts};
    FILE *devnull = fopen("/dev/null", "w");
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        void *data = kinds[i]->collect(&ctx);
        FUZZ_CHECK(data != NULL);
        pl_json j;
        pl_json_init(&j, 0);
        pl_json_begin_object(&j);
        pl_json_key(&j, kinds[i]->name);
        kinds[i]->to_json(&j, data);
        pl_json_end_object(&j);
        FUZZ_CHECK(j.depth == 0);
        pl_json_free(&j);
        if (kinds[i]->to_text && devnull)
            kinds[i]->to_text(devnull, data, 1);
        kinds[i]->free(data);
    }
    if (devnull)
        fclose(devnull);
    pl_notes_free(&warnings);
}

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
    run_kinds(&hive);
    pl_hive_close(&hive);
    pl_hive_close(&hive); /* a second close is harmless */
    return 0;
}
