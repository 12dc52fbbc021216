/* How far behind an NT 6.0 installation is, against the update catalog
 * (spec section 3 "Rollups"; reference ws2008-servicing.md sections 2-4).
 *
 * Monthly rollups are cumulative, so one number says how far behind an
 * installation is: the monthly rollups released after the newest one it
 * has. Only rollups from the first build-6003 one on are counted, because
 * the question users ask is "is it at 6003, and how far past it". */
#include "decisions/rollups.h"
#include "decisions/decisions.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The prerequisites of reference section 4, and the first month whose
 * rollups need each. The SHA-2 month only matters for an installation
 * at the 2019-07..2019-09 level: missing rollups are always a run up to
 * the newest one, so any older level also misses the later months. */
#define SSU_KB "KB4493730"
#define SSU_FROM "2019-04"
#define SHA2_KB "KB4474419"
#define SHA2_AFTER "2019-09"
#define ESU_FROM "2020-02"

/* ---- dates and order ------------------------------------------------------ */

static const char *date_of(const pl_catalog_entry *e)
{
    return e->release_date ? e->release_date : "";
}

static int dated(const pl_catalog_entry *e)
{
    return date_of(e)[0] != '\0';
}

/* a was released after b; an unknown date is after nothing. */
static int after(const pl_catalog_entry *a, const pl_catalog_entry *b)
{
    return dated(a) && dated(b) && strcmp(date_of(a), date_of(b)) > 0;
}

/* "2019-04" of a date, "undated" without one. */
static const char *month_of(const pl_catalog_entry *e, char buf[8])
{
    if (!dated(e))
        return "undated";
    snprintf(buf, 8, "%.7s", date_of(e));
    return buf;
}

/* Append to a fixed buffer of `cap` bytes; text that does not fit is cut
 * (these lists are a few KB numbers; the cut only guards the bound). */
static void appendf(char *buf, size_t cap, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void appendf(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
    if (*used >= cap - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, cap - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used = *used + (size_t)n < cap - 1 ? *used + (size_t)n : cap - 1;
}

static int kb_cmp(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return la != lb ? (la < lb ? -1 : 1) : strcmp(a, b);
}

/* Oldest first, undated last, then by KB number. */
static int cmp_oldest_first(const void *pa, const void *pb)
{
    const pl_catalog_entry *a = *(const pl_catalog_entry *const *)pa;
    const pl_catalog_entry *b = *(const pl_catalog_entry *const *)pb;
    if (dated(a) != dated(b))
        return dated(b) - dated(a);
    int c = strcmp(date_of(a), date_of(b));
    return c ? c : kb_cmp(a->kb, b->kb);
}

/* Newest first, undated still last. */
static int cmp_newest_first(const void *pa, const void *pb)
{
    const pl_catalog_entry *a = *(const pl_catalog_entry *const *)pa;
    const pl_catalog_entry *b = *(const pl_catalog_entry *const *)pb;
    if (dated(a) != dated(b))
        return dated(b) - dated(a);
    return -cmp_oldest_first(pa, pb);
}

/* ---- applicability ---------------------------------------------------------- */

static const uint16_t *usable_kernel(const pl_pe_evidence *k)
{
    return k && k->present && !k->error && k->ver.has_fixed ? k->ver.file_version : NULL;
}

/* NT 6.0 when the registry or the kernel says so and neither says another
 * version (a 6.1 registry over a 6.0 kernel is not something a 2008
 * catalog can judge; build6003 reports the disagreement). */
static int is_nt60(const pl_installation *inst, const uint16_t *kv)
{
    const char *reg = inst ? inst->os.current_version : NULL;
    if (reg && strcmp(reg, "6.0") != 0)
        return 0;
    if (kv && (kv[0] != 6 || kv[1] != 0))
        return 0;
    return reg || kv;
}

/* ---- what is installed ------------------------------------------------------ */

/* installed[i] is 1 when catalog entry i is in kbs_installed. */
static unsigned char *installed_flags(const pl_catalog *cat, const pl_strlist *kbs)
{
    unsigned char *flags = pl_xcalloc(cat->n ? cat->n : 1, 1);
    for (size_t i = 0; kbs && i < kbs->len; i++) {
        const pl_catalog_entry *e = pl_catalog_find(cat, kbs->items[i]);
        if (e)
            flags[e - cat->entries] = 1;
    }
    return flags;
}

/* The flagged entries (of one kind, or any when kind < 0), sorted. */
static const pl_catalog_entry **collect(const pl_catalog *cat, const unsigned char *flags,
                                        int kind, int (*cmp)(const void *, const void *),
                                        size_t *n)
{
    const pl_catalog_entry **v = pl_xmalloc((cat->n ? cat->n : 1) * sizeof *v);
    *n = 0;
    for (size_t i = 0; i < cat->n; i++)
        if (flags[i] && (kind < 0 || cat->entries[i].kind == (pl_update_kind)kind))
            v[(*n)++] = &cat->entries[i];
    qsort(v, *n, sizeof *v, cmp);
    return v;
}

static const pl_catalog_entry *newest_installed_rollup(const pl_catalog *cat,
                                                       const unsigned char *flags)
{
    size_t n;
    const pl_catalog_entry **v = collect(cat, flags, PL_KIND_MONTHLY_ROLLUP, cmp_newest_first, &n);
    const pl_catalog_entry *e = n ? v[0] : NULL;
    free(v);
    return e;
}

/* The monthly rollup a preview or out-of-band update contains: the first
 * monthly rollup along its supersedes chain (bounded by the catalog size,
 * so a cycle in a user's catalog ends). */
static const pl_catalog_entry *contained_rollup(const pl_catalog *cat, const pl_catalog_entry *e)
{
    for (size_t hops = 0; e && e->supersedes && hops < cat->n; hops++) {
        e = pl_catalog_find(cat, e->supersedes);
        if (e && e->kind == PL_KIND_MONTHLY_ROLLUP)
            return e;
    }
    return NULL;
}

static void find_level(const pl_catalog *cat, const unsigned char *flags, pl_rollup_status *s)
{
    s->level = s->latest;
    for (size_t i = 0; i < cat->n; i++) {
        const pl_catalog_entry *e = &cat->entries[i];
        if (!flags[i] || (e->kind != PL_KIND_PREVIEW && e->kind != PL_KIND_OUT_OF_BAND))
            continue;
        const pl_catalog_entry *r = contained_rollup(cat, e);
        if (r && (!s->level || after(r, s->level))) {
            s->level = r;
            s->level_via = e;
        }
    }
}

/* ---- what is missing -------------------------------------------------------- */

/* The oldest dated monthly rollup that brings a 6.0.6003 (or later) kernel. */
static const pl_catalog_entry *first_6003_rollup(const pl_catalog *cat)
{
    const pl_catalog_entry *first = NULL;
    for (size_t i = 0; i < cat->n; i++) {
        const pl_catalog_entry *e = &cat->entries[i];
        if (e->kind == PL_KIND_MONTHLY_ROLLUP && e->has_kernel && dated(e) &&
            e->kernel[0] == 6 && e->kernel[1] == 0 && e->kernel[2] >= 6003 &&
            (!first || after(first, e)))
            first = e;
    }
    return first;
}

static void find_missing(const pl_catalog *cat, pl_rollup_status *s)
{
    const pl_catalog_entry *floor = first_6003_rollup(cat);
    s->missing = pl_xmalloc((cat->n ? cat->n : 1) * sizeof *s->missing);
    for (size_t i = 0; i < cat->n; i++) {
        const pl_catalog_entry *e = &cat->entries[i];
        if (e->kind != PL_KIND_MONTHLY_ROLLUP || !dated(e))
            continue;
        if ((s->level && !after(e, s->level)) || (floor && after(floor, e)))
            continue;
        s->missing[s->nmissing++] = e;
    }
    qsort(s->missing, s->nmissing, sizeof *s->missing, cmp_oldest_first);
}

/* ---- prerequisites ---------------------------------------------------------- */

/* Some missing rollup is of `month` or later (strictly later with `strict`). */
static int missing_from(const pl_rollup_status *s, const char *month, int strict)
{
    for (size_t i = 0; i < s->nmissing; i++) {
        int c = strncmp(date_of(s->missing[i]), month, 7);
        if (strict ? c > 0 : c >= 0)
            return 1;
    }
    return 0;
}

static void add_prereq(pl_rollup_status *s, const pl_catalog_entry *e, char *reason)
{
    s->missing_prereqs =
        pl_xrealloc(s->missing_prereqs, (s->nmissing_prereqs + 1) * sizeof *s->missing_prereqs);
    s->missing_prereqs[s->nmissing_prereqs++] = (pl_missing_prereq){.entry = e, .reason = reason};
}

/* Servicing stack updates supersede one another: a later SSU installed
 * (KB4493730 then shows as superseded) satisfies the April 2019 one. */
static int ssu_present(const pl_catalog *cat, const unsigned char *flags,
                       const pl_catalog_entry *ssu)
{
    for (size_t i = 0; i < cat->n; i++) {
        const pl_catalog_entry *e = &cat->entries[i];
        if (flags[i] && (e == ssu || (e->kind == PL_KIND_SSU && dated(e) &&
                                      strcmp(date_of(e), date_of(ssu)) >= 0)))
            return 1;
    }
    return 0;
}

static void check_ssu(const pl_catalog *cat, const unsigned char *flags, pl_rollup_status *s)
{
    const pl_catalog_entry *ssu = pl_catalog_find(cat, SSU_KB);
    if (ssu && !ssu_present(cat, flags, ssu) && missing_from(s, SSU_FROM, 0))
        add_prereq(s, ssu, pl_xstrdup("needed before the rollups released from " SSU_FROM
                                      " on; neither it nor a later servicing stack update "
                                      "is installed"));
}

static void check_sha2(const pl_catalog *cat, const unsigned char *flags, pl_rollup_status *s)
{
    const pl_catalog_entry *sha2 = pl_catalog_find(cat, SHA2_KB);
    if (sha2 && !flags[sha2 - cat->entries] && missing_from(s, SHA2_AFTER, 1))
        add_prereq(s, sha2, pl_xstrdup("needed by updates released after " SHA2_AFTER
                                       " (signed with SHA-2 only)"));
}

/* Any ESU licensing preparation package will do; the newest is named. */
static void check_esu(const pl_catalog *cat, const unsigned char *flags, pl_rollup_status *s)
{
    char list[160] = "";
    size_t used = 0;
    const pl_catalog_entry *pick = NULL;
    for (size_t i = 0; i < cat->n; i++) {
        const pl_catalog_entry *e = &cat->entries[i];
        if (e->kind != PL_KIND_ESU_LICENSING)
            continue;
        if (flags[i])
            return;
        if (!pick || cmp_newest_first(&e, &pick) < 0)
            pick = e;
        appendf(list, sizeof list, &used, "%s%s", used ? ", " : "", e->kb);
    }
    if (!pick || !missing_from(s, ESU_FROM, 0))
        return;
    add_prereq(s, pick, pl_xasprintf("needed by updates released from %s on (Extended Security "
                                     "Updates, which also need ESU activation); none of the "
                                     "catalog's ESU licensing preparation packages (%s) is "
                                     "installed", ESU_FROM, list));
}

/* ---- the kernel --------------------------------------------------------------- */

static int kernel_is_newer(const uint16_t *kv, const pl_catalog_entry *kr,
                           const pl_catalog_entry *latest)
{
    if (!latest)
        return kr != NULL;
    if (latest->has_kernel)
        return pl_version4_cmp(kv, latest->kernel) > 0;
    return kr && after(kr, latest);
}

/* "the kernel … matches the 2022-05 rollup KB5014010, newer than …" */
static char *kernel_note_head(const uint16_t *kv, const pl_catalog_entry *kr,
                              const pl_catalog_entry *latest)
{
    char v[32], lv[32], m1[8], m2[8];
    pl_version4_format(kv, v, sizeof v);
    if (kr && !latest)
        return pl_xasprintf("the kernel %s matches the %s rollup %s, but no monthly rollup of "
                            "the catalog is installed", v, month_of(kr, m1), kr->kb);
    if (kr && after(kr, latest))
        return pl_xasprintf("the kernel %s matches the %s rollup %s, newer than the newest "
                            "installed rollup %s (%s)", v, month_of(kr, m1), kr->kb, latest->kb,
                            month_of(latest, m2));
    pl_version4_format(latest->kernel, lv, sizeof lv);
    return pl_xasprintf("the kernel %s is newer than %s, which the newest installed rollup %s "
                        "(%s) brings", v, lv, latest->kb, month_of(latest, m2));
}

/* Installed updates other than monthly rollups that are newer than latest
 * and could carry a newer kernel; or the damaged-store explanation. */
static char *kernel_note_tail(const pl_catalog *cat, const unsigned char *flags,
                              const pl_catalog_entry *latest)
{
    char list[200] = "", m[8];
    size_t used = 0, shown = 0;
    for (size_t i = cat->n; i-- > 0;) {
        const pl_catalog_entry *e = &cat->entries[i];
        if (!flags[i] || (latest && !after(e, latest)) ||
            (e->kind != PL_KIND_SECURITY_ONLY && e->kind != PL_KIND_PREVIEW &&
             e->kind != PL_KIND_OUT_OF_BAND && e->kind != PL_KIND_OTHER))
            continue;
        if (++shown <= 3)
            appendf(list, sizeof list, &used, "%s%s (%s %s)", used ? ", " : "", e->kb,
                    pl_update_kind_name(e->kind), month_of(e, m));
    }
    if (!shown)
        return pl_xstrdup("no installed update in the catalog accounts for it (the CBS store "
                          "may be damaged or cleaned up)");
    return pl_xasprintf("installed updates that may account for it: %s%s", list,
                        shown > 3 ? ", ..." : "");
}

static void decide_kernel(const pl_catalog *cat, const unsigned char *flags, const uint16_t *kv,
                          pl_rollup_status *s)
{
    if (!kv)
        return;
    s->kernel_rollup = pl_catalog_rollup_for_kernel(cat, kv);
    if (!kernel_is_newer(kv, s->kernel_rollup, s->latest))
        return;
    char *head = kernel_note_head(kv, s->kernel_rollup, s->latest);
    char *tail = kernel_note_tail(cat, flags, s->latest);
    s->kernel_note = pl_xasprintf("%s; %s", head, tail);
    free(head);
    free(tail);
}

/* ---- entry points ------------------------------------------------------------- */

void pl_decide_rollups(const pl_installation *inst, const pl_strlist *kbs_installed,
                       const pl_pe_evidence *kernel, const pl_catalog *cat,
                       pl_rollup_status *out)
{
    memset(out, 0, sizeof *out);
    const uint16_t *kv = usable_kernel(kernel);
    if (!cat || !is_nt60(inst, kv))
        return;
    /* Without the CBS store the installed list is empty because nothing
     * was read, not because nothing is installed. */
    if (inst && (out->unknown = pl_cbs_unknown_reason(inst)))
        return;
    out->applicable = 1;
    unsigned char *flags = installed_flags(cat, kbs_installed);
    out->latest = newest_installed_rollup(cat, flags);
    out->installed = collect(cat, flags, -1, cmp_newest_first, &out->ninstalled);
    find_level(cat, flags, out);
    find_missing(cat, out);
    check_ssu(cat, flags, out);
    check_sha2(cat, flags, out);
    check_esu(cat, flags, out);
    decide_kernel(cat, flags, kv, out);
    free(flags);
}

void pl_rollup_status_free(pl_rollup_status *s)
{
    if (!s)
        return;
    free(s->installed);
    free(s->missing);
    for (size_t i = 0; i < s->nmissing_prereqs; i++)
        free(s->missing_prereqs[i].reason);
    free(s->missing_prereqs);
    free(s->kernel_note);
    free(s->unknown);
    memset(s, 0, sizeof *s);
}
