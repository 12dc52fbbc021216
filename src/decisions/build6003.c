/* The build-6003 verdict (spec section 3).
 *
 * Two independent witnesses: the running kernel's file version
 * (System32\ntoskrnl.exe, or ntkrnlpa.exe on x86 when ntoskrnl cannot be
 * read) and the registry's CurrentBuildNumber (CurrentBuild, then the
 * BuildLabEx prefix, when it is missing). "yes" needs both to say 6003: a
 * registry restored over a new kernel, or the other way round, is exactly
 * what an examiner must be told about. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decisions/decisions.h"

const char *pl_verdict_name(pl_verdict v)
{
    switch (v) {
    case PL_VERDICT_YES: return "yes";
    case PL_VERDICT_NO: return "no";
    case PL_VERDICT_INCONSISTENT: return "inconsistent";
    case PL_VERDICT_NOT_APPLICABLE: return "not-applicable";
    case PL_VERDICT_UNKNOWN: break;
    }
    return "unknown";
}

int pl_parse_build(const char *s)
{
    if (!s || !*s)
        return -1;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || v > 100000)
            return -1;
        v = v * 10 + (*p - '0');
    }
    return (int)v;
}

/* "6003.20489.amd64fre..." -> 6003 */
static int build_lab_build(const char *lab)
{
    if (!lab)
        return -1;
    char head[16];
    size_t n = strcspn(lab, ".");
    if (n == 0 || n >= sizeof head)
        return -1;
    memcpy(head, lab, n);
    head[n] = '\0';
    return pl_parse_build(head);
}

static void add_evidence(pl_build6003 *b, char *source, const char *value, int build)
{
    b->evidence = pl_xrealloc(b->evidence, (b->nevidence + 1) * sizeof *b->evidence);
    b->evidence[b->nevidence++] =
        (pl_evidence_item){.source = source, .value = pl_xstrdup(value), .build = build};
}

/* The kernel that runs: ntoskrnl.exe, else ntkrnlpa.exe. NULL if neither
 * gave a version. */
static const pl_pe_evidence *running_kernel(const pl_installation *inst)
{
    if (inst->ntoskrnl.present && !inst->ntoskrnl.error)
        return &inst->ntoskrnl;
    if (inst->ntkrnlpa.present && !inst->ntkrnlpa.error)
        return &inst->ntkrnlpa;
    return NULL;
}

static void add_kernel_evidence(const pl_pe_evidence *pe, pl_build6003 *b)
{
    if (!pe->present || pe->error)
        return;
    char v[32];
    pl_version4_format(pe->ver.file_version, v, sizeof v);
    add_evidence(b, pl_xasprintf("%s (file version)", pe->path), v, pe->ver.file_version[2]);
}

/* Registry evidence says when it comes from a hive replayed from its
 * logs, from the stale primary file of a dirty hive, or from what a
 * damaged hive still held. */
static const char *hive_note(const pl_hive_state *h)
{
    if (h->salvaged)
        return " (salvaged from a damaged hive)";
    if (!h->dirty)
        return "";
    return h->recovered ? " (recovered from the transaction logs)"
                        : " (dirty hive, logs not applied: may be stale)";
}

static void add_registry_evidence(const pl_installation *inst, pl_build6003 *b)
{
    const pl_os_values *os = &inst->os;
    const char *key = "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";
    const char *note = hive_note(&inst->software_state);
    if (os->current_build_number)
        add_evidence(b, pl_xasprintf("%s\\CurrentBuildNumber%s", key, note),
                     os->current_build_number, pl_parse_build(os->current_build_number));
    if (os->current_build)
        add_evidence(b, pl_xasprintf("%s\\CurrentBuild%s", key, note), os->current_build,
                     pl_parse_build(os->current_build));
    if (os->build_lab_ex)
        add_evidence(b, pl_xasprintf("%s\\BuildLabEx%s", key, note), os->build_lab_ex,
                     build_lab_build(os->build_lab_ex));
}

/* The registry's build: CurrentBuildNumber, CurrentBuild, BuildLabEx. */
static int registry_build(const pl_os_values *os)
{
    int b = pl_parse_build(os->current_build_number);
    if (b < 0)
        b = pl_parse_build(os->current_build);
    if (b < 0)
        b = build_lab_build(os->build_lab_ex);
    return b;
}

/* 1 NT 6.0, 0 another version, -1 unknown: from "6.0"-style strings or a
 * kernel version. */
static int is_nt60_string(const char *v)
{
    if (!v)
        return -1;
    return strcmp(v, "6.0") == 0;
}

static void set_verdict(pl_build6003 *b, pl_verdict v, char *reason)
{
    b->verdict = v;
    b->reason = reason;
}

/* Decide once we know this is NT 6.0. k and r are -1 when unreadable. */
static void decide_nt60(int k, int r, pl_build6003 *b)
{
    if (k < 0 && r < 0)
        set_verdict(b, PL_VERDICT_UNKNOWN,
                    pl_xstrdup("neither the kernel version nor the registry build could be read"));
    else if (k < 0)
        set_verdict(b, PL_VERDICT_UNKNOWN,
                    pl_xasprintf("the kernel version could not be read; the registry alone says "
                                 "build %d",
                                 r));
    else if (r < 0)
        set_verdict(b, PL_VERDICT_UNKNOWN,
                    pl_xasprintf("the registry build could not be read; the kernel alone says "
                                 "build %d",
                                 k));
    else if (k == 6003 && r == 6003)
        set_verdict(b, PL_VERDICT_YES,
                    pl_xstrdup("the kernel and the registry both say build 6003"));
    else if (k != 6003 && r != 6003 && k == r)
        set_verdict(b, PL_VERDICT_NO,
                    pl_xasprintf("the kernel and the registry both say build %d", k));
    else if (k != 6003 && r != 6003)
        set_verdict(b, PL_VERDICT_NO,
                    pl_xasprintf("neither is build 6003: the kernel says build %d and the "
                                 "registry build %d",
                                 k, r));
    else
        set_verdict(b, PL_VERDICT_INCONSISTENT,
                    pl_xasprintf("the kernel says build %d but the registry says build %d", k, r));
}

/* Staged or reboot-pending packages that carry 6.0.6003 binaries: worth
 * saying only while the running kernel is not yet at 6003. */
static void find_pending_6003(const pl_installation *inst, pl_build6003 *b)
{
    for (size_t i = 0; i < inst->npackages; i++) {
        const pl_package *p = &inst->packages[i];
        if (!p->has_state || !pl_cbs_state_is_pending_or_staged(p->state) ||
            p->state == PL_CBS_UNINSTALL_PENDING || !p->max_component_version)
            continue;
        if (strncmp(p->max_component_version, "6.0.6003.", 9) == 0) {
            b->pending_build = 6003;
            pl_strlist_push(&b->pending_packages, p->identity);
        }
    }
}

void pl_decide_build6003(const pl_installation *inst, pl_build6003 *b)
{
    memset(b, 0, sizeof *b);
    const pl_pe_evidence *kernel = running_kernel(inst);
    add_kernel_evidence(&inst->ntoskrnl, b);
    add_kernel_evidence(&inst->ntkrnlpa, b);
    add_registry_evidence(inst, b);
    int k = kernel ? kernel->ver.file_version[2] : -1;
    int r = registry_build(&inst->os);
    int k60 = kernel ? (kernel->ver.file_version[0] == 6 && kernel->ver.file_version[1] == 0) : -1;
    char *rv = pl_registry_version(&inst->os);
    int r60 = is_nt60_string(rv);
    const char *product = inst->os.product_name ? inst->os.product_name : "Windows";
    if (k60 == 0 && r60 == 0)
        set_verdict(b, PL_VERDICT_NOT_APPLICABLE,
                    pl_xasprintf("not Windows NT 6.0: %s, version %s (kernel %u.%u)", product, rv,
                                 kernel->ver.file_version[0], kernel->ver.file_version[1]));
    else if ((k60 == 0 && r60 == 1) || (k60 == 1 && r60 == 0))
        set_verdict(b, PL_VERDICT_INCONSISTENT,
                    pl_xasprintf("the kernel is version %u.%u but the registry says %s",
                                 kernel->ver.file_version[0], kernel->ver.file_version[1], rv));
    else if (k60 == 0)
        set_verdict(b, PL_VERDICT_NOT_APPLICABLE,
                    pl_xasprintf("not Windows NT 6.0 (kernel version %u.%u); registry unreadable",
                                 kernel->ver.file_version[0], kernel->ver.file_version[1]));
    else if (r60 == 0)
        set_verdict(b, PL_VERDICT_NOT_APPLICABLE,
                    pl_xasprintf("not Windows NT 6.0: %s, version %s; kernel unreadable", product,
                                 rv));
    else if (k60 < 0 && r60 < 0)
        set_verdict(b, PL_VERDICT_UNKNOWN,
                    pl_xstrdup("neither the kernel version nor the registry could be read"));
    else
        decide_nt60(k60 == 1 ? k : -1, r60 != 0 ? r : -1, b);
    free(rv);
    if (b->verdict != PL_VERDICT_YES && b->verdict != PL_VERDICT_NOT_APPLICABLE &&
        !(kernel && k == 6003))
        find_pending_6003(inst, b);
}
