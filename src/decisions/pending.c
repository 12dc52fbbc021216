/* Is the installation waiting for a reboot to finish servicing?
 * Any one signal is enough (spec section 3); all are listed with the place
 * they were seen. */
#include <stdlib.h>

#include "decisions/decisions.h"

#define CBS "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing"

static char *count_text(size_t n)
{
    return pl_xasprintf("%zu %s", n, n == 1 ? "entry" : "entries");
}

static void add_signal(pl_assessment *a, const char *signal, char *evidence, char *detail)
{
    /* Capacity doubles at each power of two: one signal per pending
     * package means up to PL_MAX_PACKAGES, and growing by one each time
     * copied the array once per package (quadratic). */
    size_t n = a->nsignals;
    if ((n & (n - 1)) == 0)
        a->signals = pl_xrealloc(a->signals, (n ? 2 * n : 1) * sizeof *a->signals);
    a->signals[a->nsignals++] =
        (pl_pending_signal){.signal = signal, .evidence = evidence, .detail = detail};
}

static void registry_signals(const pl_pending_facts *f, pl_assessment *a)
{
    if (f->reboot_pending_key)
        add_signal(a, "cbs-reboot-pending", pl_xstrdup(CBS "\\RebootPending"), NULL);
    if (f->reboot_in_progress_key)
        add_signal(a, "cbs-reboot-in-progress", pl_xstrdup(CBS "\\RebootInProgress"), NULL);
    if (f->packages_pending)
        add_signal(a, "cbs-packages-pending", pl_xstrdup(CBS "\\PackagesPending"),
                   count_text(f->packages_pending));
    if (f->sessions_pending)
        add_signal(a, "cbs-sessions-pending", pl_xstrdup(CBS "\\SessionsPending"),
                   count_text(f->sessions_pending));
    if (f->has_execute_state && f->execute_state != 0xFFFFFFFFu)
        add_signal(a, "cbs-execute-state", pl_xstrdup(CBS "\\ExecuteState"),
                   pl_xasprintf("0x%08x", f->execute_state));
    if (f->wu_reboot_required)
        add_signal(a, "wu-reboot-required",
                   pl_xstrdup("SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto "
                              "Update\\RebootRequired"),
                   NULL);
    if (f->pending_file_renames)
        add_signal(a, "pending-file-rename-operations",
                   pl_xasprintf("SYSTEM\\%s\\PendingFileRenameOperations", f->pfro_key),
                   count_text(f->pending_file_renames));
}

static void package_signals(const pl_installation *inst, pl_assessment *a)
{
    for (size_t i = 0; i < inst->npackages; i++) {
        const pl_package *p = &inst->packages[i];
        if (p->has_state && pl_cbs_state_needs_reboot(p->state))
            add_signal(a, "package-pending",
                       pl_xasprintf(CBS "\\Packages\\%s\\CurrentState", p->identity),
                       pl_xasprintf("%s (0x%02x)", pl_cbs_state_name(p->state), p->state_code));
    }
}

void pl_decide_pending(const pl_installation *inst, pl_assessment *a)
{
    const pl_pending_facts *f = &inst->pending;
    registry_signals(f, a);
    if (f->pending_xml)
        add_signal(a, "pending-xml", pl_xstrdup(f->pending_xml_path), NULL);
    package_signals(inst, a);
    a->reboot_required = a->nsignals > 0;
}
