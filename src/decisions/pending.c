/* Is the installation waiting for a reboot? Each signal is one rule with
 * its source (man page, PENDING SIGNALS, lists them), a class that tells a
 * servicing reboot from a stale file rename, and three outcomes: seen (a
 * signal), not seen, or unknown because its witness could not be read or
 * decoded — then it is listed in unknown_signals with the reason, and
 * "not pending" cannot be said.
 *
 * Sources: ../shared/reference/ws2008-servicing.md §5 and §7 (CBS keys,
 * ExecuteState, pending.xml, PendingFileRenameOperations) and its "Update
 * 2026-12-06" (SessionsPending holds Exclusive = 0 and TargetState = 0 on
 * every serviced machine: only subkeys or Exclusive != 0 mean pended
 * sessions); the Get-PendingReboot / Test-PendingReboot PowerShell
 * functions that administrators and SCCM use (CBS RebootPending, Auto
 * Update\RebootRequired, PendingFileRenameOperations, a computer rename,
 * Netlogon JoinDomain / AvoidSpnSet). */
#include <stdlib.h>
#include <string.h>

#include "decisions/decisions.h"

#define CBS "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing"
#define WU_REBOOT \
    "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired"

static char *count_text(size_t n)
{
    return pl_xasprintf("%zu %s", n, n == 1 ? "entry" : "entries");
}

static void push(pl_pending_signal **list, size_t *n, const char *signal, const char *class_,
                 char *evidence, char *detail)
{
    /* Capacity doubles at each power of two: one signal per pending
     * package means up to PL_MAX_PACKAGES, and growing by one each time
     * copied the array once per package (quadratic). */
    if ((*n & (*n - 1)) == 0)
        *list = pl_xrealloc(*list, (*n ? 2 * *n : 1) * sizeof **list);
    (*list)[(*n)++] = (pl_pending_signal){
        .signal = signal, .signal_class = class_, .evidence = evidence, .detail = detail};
}

static void seen(pl_assessment *a, const char *signal, const char *class_, char *evidence,
                 char *detail)
{
    push(&a->signals, &a->nsignals, signal, class_, evidence, detail);
}

/* why is the reason the witness could not be read (copied). */
static void unknown(pl_assessment *a, const char *signal, const char *class_, char *evidence,
                    const char *why)
{
    push(&a->unknown_signals, &a->nunknown_signals, signal, class_, evidence, pl_xstrdup(why));
}

/* Every signal of each hive, with its class. */
static const char *const software_signal_ids[][2] = {
    {"cbs-reboot-pending", "servicing"},   {"cbs-reboot-in-progress", "servicing"},
    {"cbs-packages-pending", "servicing"}, {"cbs-sessions-pending", "servicing"},
    {"cbs-execute-state", "servicing"},    {"package-pending", "servicing"},
    {"wu-reboot-required", "windows-update"}};
static const char *const system_signal_ids[][2] = {
    {"pending-file-rename-operations", "file-rename"},
    {"pending-file-rename-operations2", "file-rename"},
    {"computer-rename", "computer-rename"},
    {"domain-join", "domain-join"}};
#define NSOFTWARE_SIGNALS (sizeof software_signal_ids / sizeof *software_signal_ids)
#define NSYSTEM_SIGNALS (sizeof system_signal_ids / sizeof *system_signal_ids)

/* ---- SOFTWARE: CBS and Windows Update ------------------------------------- */

static void sessions_signal(const pl_pending_facts *f, pl_assessment *a)
{
    if (f->sessions_pending)
        seen(a, "cbs-sessions-pending", "servicing", pl_xstrdup(CBS "\\SessionsPending"),
             pl_xasprintf("%zu pended session%s", f->sessions_pending,
                          f->sessions_pending == 1 ? "" : "s"));
    else if (f->has_sessions_exclusive && f->sessions_exclusive != 0)
        seen(a, "cbs-sessions-pending", "servicing",
             pl_xstrdup(CBS "\\SessionsPending\\Exclusive"),
             pl_xasprintf("Exclusive = %u: sessions pended with the exclusive flag",
                          f->sessions_exclusive));
    else if (f->sessions_exclusive_error)
        unknown(a, "cbs-sessions-pending", "servicing",
                pl_xstrdup(CBS "\\SessionsPending\\Exclusive"), f->sessions_exclusive_error);
}

static void execute_state_signal(const pl_pending_facts *f, pl_assessment *a)
{
    if (f->has_execute_state && f->execute_state != 0xFFFFFFFFu)
        seen(a, "cbs-execute-state", "servicing", pl_xstrdup(CBS "\\ExecuteState"),
             pl_xasprintf("0x%08x", f->execute_state));
    else if (f->execute_state_error)
        unknown(a, "cbs-execute-state", "servicing", pl_xstrdup(CBS "\\ExecuteState"),
                f->execute_state_error);
}

static void package_signals(const pl_installation *inst, pl_assessment *a)
{
    for (size_t i = 0; i < inst->npackages; i++) {
        const pl_package *p = &inst->packages[i];
        if (p->has_state && pl_cbs_state_needs_reboot(p->state))
            seen(a, "package-pending", "servicing",
                 pl_xasprintf(CBS "\\Packages\\%s\\CurrentState", p->identity),
                 pl_xasprintf("%s (0x%02x)", pl_cbs_state_name(p->state), p->state_code));
    }
}

static void software_signals(const pl_installation *inst, pl_assessment *a)
{
    const pl_pending_facts *f = &inst->pending;
    char *why = pl_cbs_unknown_reason(inst);
    if (why) {
        /* Windows Update's key is outside CBS: only a missing hive hides it. */
        for (size_t i = 0; i < NSOFTWARE_SIGNALS; i++)
            if (strcmp(software_signal_ids[i][1], "servicing") == 0 || !inst->software_read)
                unknown(a, software_signal_ids[i][0], software_signal_ids[i][1],
                        pl_xstrdup(strcmp(software_signal_ids[i][1], "servicing") == 0 ? CBS
                                                                                      : WU_REBOOT),
                        why);
        if (inst->software_read && f->wu_reboot_required)
            seen(a, "wu-reboot-required", "windows-update", pl_xstrdup(WU_REBOOT), NULL);
        free(why);
        return;
    }
    if (f->reboot_pending_key)
        seen(a, "cbs-reboot-pending", "servicing", pl_xstrdup(CBS "\\RebootPending"), NULL);
    if (f->reboot_in_progress_key)
        seen(a, "cbs-reboot-in-progress", "servicing", pl_xstrdup(CBS "\\RebootInProgress"),
             NULL);
    if (f->packages_pending)
        seen(a, "cbs-packages-pending", "servicing", pl_xstrdup(CBS "\\PackagesPending"),
             count_text(f->packages_pending));
    sessions_signal(f, a);
    execute_state_signal(f, a);
    if (f->wu_reboot_required)
        seen(a, "wu-reboot-required", "windows-update", pl_xstrdup(WU_REBOOT), NULL);
    package_signals(inst, a);
}

/* ---- the file system: pending.xml ----------------------------------------- */

static void pending_xml_signal(const pl_installation *inst, pl_assessment *a)
{
    const pl_pending_facts *f = &inst->pending;
    if (f->pending_xml)
        seen(a, "pending-xml", "servicing", pl_xstrdup(f->pending_xml_path), NULL);
    else if (inst->hive_only)
        unknown(a, "pending-xml", "servicing", pl_xstrdup("Windows\\WinSxS\\pending.xml"),
                "a bare hive: there is no file system to look in");
    else if (f->pending_xml_error)
        unknown(a, "pending-xml", "servicing", pl_xstrdup("Windows\\WinSxS\\pending.xml"),
                f->pending_xml_error);
}

/* ---- SYSTEM: file renames, computer rename, domain join --------------------- */

static char *system_unknown(const pl_installation *inst)
{
    if (inst->hive_only)
        return pl_xstrdup("a bare SOFTWARE hive: no SYSTEM hive to read");
    if (!inst->system_read)
        return pl_xasprintf("SYSTEM hive unreadable: %s",
                            inst->system_error ? inst->system_error : "not found");
    if (inst->pending.control_set_error)
        return pl_xstrdup(inst->pending.control_set_error);
    return NULL;
}

static void rename_signal(const pl_pending_facts *f, pl_assessment *a, const char *signal,
                          const char *value, size_t count, const char *error)
{
    if (count)
        seen(a, signal, "file-rename", pl_xasprintf("SYSTEM\\%s\\%s", f->pfro_key, value),
             count_text(count));
    else if (error)
        unknown(a, signal, "file-rename", pl_xasprintf("SYSTEM\\%s\\%s", f->pfro_key, value),
                error);
}

/* The DNS name set for the next boot (NV Hostname) is not the current one
 * (Hostname): a computer rename waits for a reboot. */
static void computer_rename_signal(const pl_pending_facts *f, pl_assessment *a)
{
    if (f->hostname && f->nv_hostname && !pl_strcaseeq(f->hostname, f->nv_hostname))
        seen(a, "computer-rename", "computer-rename",
             pl_xasprintf("SYSTEM\\%s\\NV Hostname", f->tcpip_key),
             pl_xasprintf("NV Hostname \"%s\" differs from Hostname \"%s\"", f->nv_hostname,
                          f->hostname));
}

static void domain_join_signal(const pl_pending_facts *f, pl_assessment *a)
{
    if (f->join_domain || f->avoid_spn_set)
        seen(a, "domain-join", "domain-join",
             pl_xasprintf("SYSTEM\\%s\\%s", f->netlogon_key,
                          f->join_domain ? "JoinDomain" : "AvoidSpnSet"),
             pl_xasprintf("%s%s%s", f->join_domain ? "JoinDomain" : "",
                          f->join_domain && f->avoid_spn_set ? " and " : "",
                          f->avoid_spn_set ? "AvoidSpnSet" : ""));
}

static void system_signals(const pl_installation *inst, pl_assessment *a)
{
    const pl_pending_facts *f = &inst->pending;
    char *why = system_unknown(inst);
    if (why) {
        for (size_t i = 0; i < NSYSTEM_SIGNALS; i++)
            unknown(a, system_signal_ids[i][0], system_signal_ids[i][1], pl_xstrdup("SYSTEM"),
                    why);
        free(why);
        return;
    }
    rename_signal(f, a, "pending-file-rename-operations", "PendingFileRenameOperations",
                  f->pending_file_renames, f->pfro_error);
    rename_signal(f, a, "pending-file-rename-operations2", "PendingFileRenameOperations2",
                  f->pending_file_renames2, f->pfro2_error);
    computer_rename_signal(f, a);
    domain_join_signal(f, a);
}

/* A salvaged hive that lost bins: a signal not seen there may have been in
 * the lost part, so each one of the hive's signals not seen is unknown. */
static void lost_part_unknowns(pl_assessment *a, const pl_hive_state *state, const char *label,
                               const char *const signals[][2], size_t n)
{
    char *why = pl_hive_loss_reason(state, label);
    if (!why)
        return;
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        for (size_t k = 0; k < a->nsignals && !found; k++)
            found = strcmp(a->signals[k].signal, signals[i][0]) == 0;
        for (size_t k = 0; k < a->nunknown_signals && !found; k++)
            found = strcmp(a->unknown_signals[k].signal, signals[i][0]) == 0;
        if (!found)
            unknown(a, signals[i][0], signals[i][1], pl_xstrdup(label), why);
    }
    free(why);
}

/* ---- the answers ------------------------------------------------------------- */

static int is_servicing_class(const char *c)
{
    return strcmp(c, "servicing") == 0 || strcmp(c, "windows-update") == 0;
}

/* Yes when a signal (of the classes asked for) is seen; else unknown when
 * one of them could not be judged (*why names the first); else no. */
static pl_tri answer(const pl_assessment *a, int servicing_only, char **why)
{
    for (size_t i = 0; i < a->nsignals; i++)
        if (!servicing_only || is_servicing_class(a->signals[i].signal_class))
            return PL_TRI_YES;
    for (size_t i = 0; i < a->nunknown_signals; i++) {
        const pl_pending_signal *s = &a->unknown_signals[i];
        if (!servicing_only || is_servicing_class(s->signal_class)) {
            *why = pl_xasprintf("%s: %s", s->signal, s->detail);
            return PL_TRI_UNKNOWN;
        }
    }
    return PL_TRI_NO;
}

void pl_decide_pending(const pl_installation *inst, pl_assessment *a)
{
    software_signals(inst, a);
    pending_xml_signal(inst, a);
    system_signals(inst, a);
    if (inst->software_read)
        lost_part_unknowns(a, &inst->software_state, "SOFTWARE", software_signal_ids,
                           NSOFTWARE_SIGNALS);
    if (inst->system_read)
        lost_part_unknowns(a, &inst->system_state, "SYSTEM", system_signal_ids, NSYSTEM_SIGNALS);
    a->reboot_required = answer(a, 0, &a->reboot_unknown);
    a->servicing_reboot_required = answer(a, 1, &a->servicing_reboot_unknown);
}
