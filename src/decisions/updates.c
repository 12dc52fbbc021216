/* Which KBs are installed, superseded, or staged / waiting.
 *
 * An update is usually several CBS packages (Package_1_for_KB…, parts for
 * other editions that stay staged or absent), so a KB is classified by the
 * best state among its packages: installed if any package is installed or
 * permanent; else superseded if any is superseded; else pending or staged
 * if any is. Each KB lands in exactly one list. */
#include <stdlib.h>
#include <string.h>

#include "decisions/decisions.h"

enum kb_class { KB_NONE, KB_PENDING, KB_SUPERSEDED, KB_INSTALLED };

static enum kb_class package_class(const pl_package *p)
{
    if (!p->has_state)
        return KB_NONE;
    if (pl_cbs_state_is_installed(p->state))
        return KB_INSTALLED;
    if (p->state == PL_CBS_SUPERSEDED)
        return KB_SUPERSEDED;
    if (pl_cbs_state_is_pending_or_staged(p->state))
        return KB_PENDING;
    return KB_NONE;
}

/* The best class of any package of this KB. */
static enum kb_class kb_class_of(const pl_installation *inst, const char *kb)
{
    enum kb_class best = KB_NONE;
    for (size_t i = 0; i < inst->npackages; i++) {
        const pl_package *p = &inst->packages[i];
        if (p->kb && strcmp(p->kb, kb) == 0) {
            enum kb_class c = package_class(p);
            if (c > best)
                best = c;
        }
    }
    return best;
}

/* KB numbers sort numerically, not as text (KB958690 < KB4493471). */
static int cmp_kb(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    size_t lx = strlen(x), ly = strlen(y);
    return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x, y);
}

void pl_decide_kbs(const pl_installation *inst, pl_assessment *a)
{
    pl_strlist seen = {0};
    for (size_t i = 0; i < inst->npackages; i++) {
        const char *kb = inst->packages[i].kb;
        if (!kb || pl_strlist_contains(&seen, kb))
            continue;
        pl_strlist_push(&seen, kb);
        switch (kb_class_of(inst, kb)) {
        case KB_INSTALLED: pl_strlist_push(&a->kbs_installed, kb); break;
        case KB_SUPERSEDED: pl_strlist_push(&a->kbs_superseded, kb); break;
        case KB_PENDING: pl_strlist_push(&a->kbs_pending_or_staged, kb); break;
        case KB_NONE: break;
        }
    }
    pl_strlist_free(&seen);
    pl_strlist *lists[] = {&a->kbs_installed, &a->kbs_superseded, &a->kbs_pending_or_staged};
    for (size_t i = 0; i < 3; i++)
        if (lists[i]->len > 1)
            qsort(lists[i]->items, lists[i]->len, sizeof(char *), cmp_kb);
}
