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

/* KB numbers sort numerically, not as text (KB958690 < KB4493471). */
static int cmp_kb(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    size_t lx = strlen(x), ly = strlen(y);
    return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x, y);
}

/* A package's KB and class, sorted by KB so that the packages of one KB
 * are adjacent: one sort instead of a scan of every package per KB (an
 * installation may list 200000 packages). */
typedef struct {
    const char *kb;
    enum kb_class cls;
} kb_pkg;

static int cmp_kb_pkg(const void *a, const void *b)
{
    return strcmp(((const kb_pkg *)a)->kb, ((const kb_pkg *)b)->kb);
}

static void add_kb(pl_assessment *a, const char *kb, enum kb_class best)
{
    switch (best) {
    case KB_INSTALLED: pl_strlist_push(&a->kbs_installed, kb); break;
    case KB_SUPERSEDED: pl_strlist_push(&a->kbs_superseded, kb); break;
    case KB_PENDING: pl_strlist_push(&a->kbs_pending_or_staged, kb); break;
    case KB_NONE: break;
    }
}

void pl_decide_kbs(const pl_installation *inst, pl_assessment *a)
{
    kb_pkg *v = pl_xcalloc(inst->npackages ? inst->npackages : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < inst->npackages; i++)
        if (inst->packages[i].kb)
            v[n++] = (kb_pkg){inst->packages[i].kb, package_class(&inst->packages[i])};
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_kb_pkg);
    for (size_t i = 0; i < n;) {
        enum kb_class best = KB_NONE;
        size_t j = i;
        for (; j < n && strcmp(v[j].kb, v[i].kb) == 0; j++)
            if (v[j].cls > best)
                best = v[j].cls;
        add_kb(a, v[i].kb, best);
        i = j;
    }
    free(v);
    pl_strlist *lists[] = {&a->kbs_installed, &a->kbs_superseded, &a->kbs_pending_or_staged};
    for (size_t i = 0; i < 3; i++)
        if (lists[i]->len > 1)
            qsort(lists[i]->items, lists[i]->len, sizeof(char *), cmp_kb);
}
