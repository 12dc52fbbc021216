/* The whole assessment of one installation: its identity (version, build,
 * architecture) from the best available evidence, the verdict, the KBs,
 * the pending work, and whether a WIM's XML agrees with the files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decisions/decisions.h"
#include "decisions/servicing.h"

static const char *arch_from_registry(const char *pa)
{
    if (!pa)
        return NULL;
    if (pl_strcaseeq(pa, "AMD64"))
        return "amd64";
    if (pl_strcaseeq(pa, "x86"))
        return "x86";
    if (pl_strcaseeq(pa, "IA64"))
        return "ia64";
    return NULL;
}

static const char *arch_from_machine(const pl_pe_evidence *pe)
{
    if (!pe->present || pe->error)
        return NULL;
    switch (pe->ver.machine) {
    case PL_PE_MACHINE_AMD64: return "amd64";
    case PL_PE_MACHINE_I386: return "x86";
    case PL_PE_MACHINE_IA64: return "ia64";
    }
    return NULL;
}

/* "6003.20489.amd64fre.vistasp2_ldr_escrow.190320-1700" -> "amd64" */
static const char *arch_from_build_lab(const char *lab)
{
    if (!lab)
        return NULL;
    if (strstr(lab, ".amd64fre.") || strstr(lab, ".amd64chk."))
        return "amd64";
    if (strstr(lab, ".x86fre.") || strstr(lab, ".x86chk."))
        return "x86";
    if (strstr(lab, ".ia64fre.") || strstr(lab, ".ia64chk."))
        return "ia64";
    return NULL;
}

static void decide_arch(const pl_installation *inst, pl_assessment *a)
{
    if ((a->arch = arch_from_registry(inst->os.processor_architecture)))
        a->arch_source = "SYSTEM PROCESSOR_ARCHITECTURE";
    else if ((a->arch = arch_from_machine(&inst->ntoskrnl)))
        a->arch_source = "ntoskrnl.exe machine type";
    else if ((a->arch = arch_from_machine(&inst->ntkrnlpa)))
        a->arch_source = "ntkrnlpa.exe machine type";
    else if ((a->arch = arch_from_build_lab(inst->os.build_lab_ex)))
        a->arch_source = "BuildLabEx";
}

static const pl_pe_evidence *kernel_of(const pl_installation *inst)
{
    if (inst->ntoskrnl.present && !inst->ntoskrnl.error)
        return &inst->ntoskrnl;
    if (inst->ntkrnlpa.present && !inst->ntkrnlpa.error)
        return &inst->ntkrnlpa;
    return NULL;
}

char *pl_registry_version(const pl_os_values *os)
{
    if (os->has_major_minor)
        return pl_xasprintf("%u.%u", os->major_version, os->minor_version);
    return pl_xstrdup(os->current_version);
}

char *pl_cbs_unknown_reason(const pl_installation *inst)
{
    if (!inst->software_read)
        return pl_xasprintf("SOFTWARE hive unreadable: %s",
                            inst->software_error ? inst->software_error : "not found");
    if (!inst->pending.cbs_key)
        return pl_xstrdup("the SOFTWARE hive has no Component Based Servicing key");
    return NULL;
}

char *pl_hive_loss_reason(const pl_hive_state *state, const char *label)
{
    if (!state->salvaged || !state->lost)
        return NULL;
    return pl_xasprintf("the %s hive was salvaged from damage and part of it is lost (see "
                        "os.%s_hive_state)",
                        label, strcmp(label, "SOFTWARE") == 0 ? "software" : "system");
}

/* Version, build and revision from the registry, the kernel filling gaps;
 * a kernel of another version than the registry's is a warning (an
 * in-place upgrade half done, or a hive from another machine). */
void pl_decide_identity(const pl_installation *inst, pl_assessment *a)
{
    const pl_pe_evidence *k = kernel_of(inst);
    const pl_os_values *os = &inst->os;
    a->revision = -1;
    if ((a->version = pl_registry_version(os)))
        a->version_source = os->has_major_minor ? "CurrentMajorVersionNumber.CurrentMinorVersionNumber"
                                                : "CurrentVersion";
    else if (k) {
        a->version = pl_xasprintf("%u.%u", k->ver.file_version[0], k->ver.file_version[1]);
        a->version_source = "kernel file version";
    }
    a->build = pl_parse_build(os->current_build_number);
    if (a->build < 0)
        a->build = pl_parse_build(os->current_build);
    if (a->build < 0 && k)
        a->build = k->ver.file_version[2];
    if (os->has_ubr)
        a->revision = os->ubr;
    else if (k && a->build == k->ver.file_version[2])
        a->revision = k->ver.file_version[3];
    if (k && a->version && os->has_major_minor) {
        char kv[16];
        snprintf(kv, sizeof kv, "%u.%u", k->ver.file_version[0], k->ver.file_version[1]);
        if (strcmp(kv, a->version) != 0)
            pl_notes_add(&a->warnings, PL_ERR_DISAGREEMENT, "the registry says Windows %s but the kernel is %s",
                             a->version, kv);
    }
    decide_arch(inst, a);
}

/* Installed packages whose KB cannot be told: no KB in the identity and no
 * readable manifest. A rollup's package (Package_for_RollupFix) names its
 * KB only in the .mum, so "KB… is not installed" cannot be said while one
 * of these exists. */
static void find_unidentified(const pl_installation *inst, pl_assessment *a)
{
    for (size_t i = 0; i < inst->npackages; i++) {
        const pl_package *p = &inst->packages[i];
        if (!p->kb && p->has_state && pl_cbs_state_is_installed(p->state) &&
            (!p->has_mum || p->mum_error))
            pl_strlist_push(&a->unidentified_packages, p->identity);
    }
}

static void decide_updates(const pl_installation *inst, const pl_catalog *cat, pl_assessment *a)
{
    a->kbs_unknown = pl_cbs_unknown_reason(inst);
    if (!a->kbs_unknown) {
        pl_decide_kbs(inst, a);
        find_unidentified(inst, a);
        a->kbs_incomplete = pl_hive_loss_reason(&inst->software_state, "SOFTWARE");
    }
    if (!cat)
        return;
    pl_decide_rollups(inst, &a->kbs_installed, kernel_of(inst), cat, &a->rollups);
    pl_rollup_status *r = &a->rollups;
    if (r->applicable && !r->unknown)
        r->unknown = pl_hive_loss_reason(&inst->software_state, "SOFTWARE");
    if (r->applicable && !r->unknown && a->unidentified_packages.len)
        r->unknown = pl_xasprintf(
            "%zu installed package%s whose KB could not be read (no .mum, or an unreadable one), "
            "e.g. %s: any of them may be the update in question",
            a->unidentified_packages.len, a->unidentified_packages.len == 1 ? "" : "s",
            a->unidentified_packages.items[0]);
}

static void check_kernel_pair(const pl_installation *inst, pl_assessment *a)
{
    const pl_pe_evidence *x = &inst->ntoskrnl, *y = &inst->ntkrnlpa;
    if (!x->present || x->error || !y->present || y->error)
        return;
    if (pl_version4_cmp(x->ver.file_version, y->ver.file_version) != 0) {
        char vx[32], vy[32];
        pl_version4_format(x->ver.file_version, vx, sizeof vx);
        pl_version4_format(y->ver.file_version, vy, sizeof vy);
        pl_notes_add(&a->warnings, PL_ERR_DISAGREEMENT, "ntoskrnl.exe is %s but ntkrnlpa.exe is %s", vx, vy);
    }
}

static void check_wim_build(const pl_installation *inst, pl_assessment *a)
{
    const pl_wim_claim *c = &inst->wim_xml;
    const pl_pe_evidence *k = kernel_of(inst);
    int reg = pl_parse_build(inst->os.current_build_number);
    int kern = k ? k->ver.file_version[2] : -1;
    if (c->build < 0 || ((reg < 0 || c->build == reg) && (kern < 0 || c->build == kern)))
        return;
    char said[96] = "";
    if (reg >= 0)
        snprintf(said, sizeof said, "the registry says %d", reg);
    if (kern >= 0)
        snprintf(said + strlen(said), sizeof said - strlen(said), "%sthe kernel is build %d",
                 reg >= 0 ? " and " : "", kern);
    pl_notes_add(&a->warnings, PL_ERR_DISAGREEMENT, "the WIM XML claims build %lld but %s", (long long)c->build,
                     said);
}

static void check_wim_arch_edition(const pl_installation *inst, pl_assessment *a)
{
    const pl_wim_claim *c = &inst->wim_xml;
    if (c->arch && a->arch && strcmp(c->arch, a->arch) != 0)
        pl_notes_add(&a->warnings, PL_ERR_DISAGREEMENT, "the WIM XML claims architecture %s but the files say %s",
                         c->arch, a->arch);
    if (c->edition_id && inst->os.edition_id && !pl_strcaseeq(c->edition_id, inst->os.edition_id))
        pl_notes_add(&a->warnings, PL_ERR_DISAGREEMENT, "the WIM XML claims edition %s but the registry says %s",
                         c->edition_id, inst->os.edition_id);
}

/* A WIM's XML is a claim made at capture time; the files are the truth. */
void pl_check_wim_claim(const pl_installation *inst, pl_assessment *a)
{
    if (!inst->wim_xml.present)
        return;
    check_wim_build(inst, a);
    check_wim_arch_edition(inst, a);
}

void pl_assess(const pl_installation *inst, const pl_catalog *cat, pl_assessment *out)
{
    memset(out, 0, sizeof *out);
    pl_decide_identity(inst, out);
    pl_decide_build6003(inst, &out->b6003);
    decide_updates(inst, cat, out);
    pl_decide_pending(inst, out);
    pl_decide_next_steps(out);        /* after pending: a pending reboot is the first step */
    pl_decide_timeline(inst, cat, out);
    check_kernel_pair(inst, out);
    pl_check_wim_claim(inst, out);
}

void pl_assessment_free(pl_assessment *a)
{
    free(a->version);
    free(a->b6003.reason);
    for (size_t i = 0; i < a->b6003.nevidence; i++) {
        free(a->b6003.evidence[i].source);
        free(a->b6003.evidence[i].value);
    }
    free(a->b6003.evidence);
    pl_strlist_free(&a->b6003.pending_packages);
    pl_strlist_free(&a->kbs_installed);
    pl_strlist_free(&a->kbs_superseded);
    pl_strlist_free(&a->kbs_pending_or_staged);
    pl_strlist_free(&a->unidentified_packages);
    free(a->kbs_unknown);
    free(a->kbs_incomplete);
    free(a->reboot_unknown);
    free(a->servicing_reboot_unknown);
    pl_rollup_status_free(&a->rollups);
    for (size_t i = 0; i < a->nsignals; i++) {
        free(a->signals[i].evidence);
        free(a->signals[i].detail);
    }
    free(a->signals);
    for (size_t i = 0; i < a->nunknown_signals; i++) {
        free(a->unknown_signals[i].evidence);
        free(a->unknown_signals[i].detail);
    }
    free(a->unknown_signals);
    pl_notes_free(&a->warnings);
    for (size_t i = 0; i < a->nnext_steps; i++) {
        free(a->next_steps[i].kb);
        free(a->next_steps[i].why);
    }
    free(a->next_steps);
    free(a->timeline.months);
    memset(a, 0, sizeof *a);
}
