/* How far behind an NT 6.0 installation is, against the update catalog
 * (spec section 3 "Rollups" and "Servicing model"; reference
 * ws2008-servicing.md sections 2-4 and "Update 2026-12-06"; the
 * corrections file).
 *
 * Monthly rollups are cumulative, so one list says what is missing: the
 * monthly rollups released after the security level (servicing.c) up to
 * the end of the channel the installation is counted for. Only rollups
 * from the first build-6003 one on are counted, because the question
 * users ask is "is it at 6003, and how far past it". */
#include "decisions/rollups.h"
#include "decisions/decisions.h"
#include "decisions/servicing.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The prerequisites of reference section 4 and the corrections file, and
 * the first month whose rollups need each. The SHA-2 month only matters
 * for an installation at the 2019-07..2019-09 level: missing rollups are
 * always a run up to the newest one, so any older level also misses the
 * later months. The SSU is the one of the era (ssu_for). */
#define SSU_FROM "2019-04"
#define SHA2_KB "KB4474419"
#define SHA2_AFTER "2019-09"
#define ESU_FROM "2020-02"
#define ESU_LEVEL_KB "KB4520002"

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

/* Monthly rollups after the security level (the month whose fixes are
 * installed) up to the end of the channel counted for (plan), from the
 * first 6003 rollup on; KB-unknown months included, so counts stay right. */
static void find_missing(const pl_catalog *cat, pl_rollup_status *s)
{
    const pl_catalog_entry *floor = first_6003_rollup(cat);
    const char *from = pl_missing_from(s);
    char end[8];
    pl_channel_end(cat, s->plan, end);
    s->missing = pl_xmalloc((cat->n ? cat->n : 1) * sizeof *s->missing);
    for (size_t i = 0; i < cat->n; i++) {
        const pl_catalog_entry *e = &cat->entries[i];
        if (e->kind != PL_KIND_MONTHLY_ROLLUP || !dated(e))
            continue;
        if ((from[0] && strncmp(date_of(e), from, 7) <= 0) || strncmp(date_of(e), end, 7) > 0 ||
            (floor && after(floor, e)))
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

/* The missing rollups released from `date` on (strictly after with
 * strict), comparing whole dates, or months when date is "YYYY-MM" and
 * by_month is set; as the needed_by list names them. */
static void needed_by(const pl_rollup_status *s, const char *date, int by_month, int strict,
                      pl_strlist *out)
{
    for (size_t i = 0; i < s->nmissing; i++) {
        const pl_catalog_entry *e = s->missing[i];
        int c = by_month ? strncmp(date_of(e), date, 7) : strcmp(date_of(e), date);
        if (strict ? c <= 0 : c < 0)
            continue;
        char m[8];
        if (e->kb[0])
            pl_strlist_push(out, e->kb);
        else
            pl_strlist_pushf(out, "%s (KB unknown)", month_of(e, m));
    }
}

static pl_missing_prereq *add_prereq(pl_rollup_status *s, const pl_catalog_entry *e,
                                     const char *role, char *reason)
{
    s->missing_prereqs =
        pl_xrealloc(s->missing_prereqs, (s->nmissing_prereqs + 1) * sizeof *s->missing_prereqs);
    pl_missing_prereq *p = &s->missing_prereqs[s->nmissing_prereqs++];
    *p = (pl_missing_prereq){.entry = e, .reason = reason, .role = role};
    return p;
}

static const pl_catalog_entry *newest_missing(const pl_rollup_status *s)
{
    return s->nmissing ? s->missing[s->nmissing - 1] : NULL;
}

/* The SSU of the era: the newest servicing stack update released before
 * the newest missing rollup (reference section 3: each month's rollup
 * expects the SSU released before it; SSUs supersede one another, so a
 * later installed one satisfies it). */
static const pl_catalog_entry *ssu_for(const pl_catalog *cat, const pl_catalog_entry *target)
{
    const pl_catalog_entry *best = NULL;
    for (size_t i = 0; i < cat->n; i++) {
        const pl_catalog_entry *e = &cat->entries[i];
        if (e->kind == PL_KIND_SSU && dated(e) && strcmp(date_of(e), date_of(target)) < 0 &&
            (!best || after(e, best)))
            best = e;
    }
    return best;
}

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
    const pl_catalog_entry *target = newest_missing(s);
    if (!target || !missing_from(s, SSU_FROM, 0))
        return;
    const pl_catalog_entry *ssu = ssu_for(cat, target);
    if (!ssu || ssu_present(cat, flags, ssu))
        return;
    char m[8];
    pl_missing_prereq *p = add_prereq(
        s, ssu, "ssu",
        pl_xasprintf("the newest servicing stack update released before the newest missing "
                     "rollup (%s, %s); neither it nor a later one is installed",
                     target->kb[0] ? target->kb : "KB unknown", month_of(target, m)));
    needed_by(s, date_of(ssu), 0, 1, &p->needed_by);
}

static void check_sha2(const pl_catalog *cat, const unsigned char *flags, pl_rollup_status *s)
{
    const pl_catalog_entry *sha2 = pl_catalog_find(cat, SHA2_KB);
    if (!sha2)
        return;
    if (flags[sha2 - cat->entries]) {
        pl_strlist_push(&s->notes, SHA2_KB " is installed, but which revision (v1 to v4 share "
                                   "the KB; ESU needs v3 of 2019-09 or later) cannot be told "
                                   "from the package");
        return;
    }
    if (!missing_from(s, SHA2_AFTER, 1))
        return;
    pl_missing_prereq *p = add_prereq(
        s, sha2, "sha2",
        pl_xstrdup("needed by updates released after " SHA2_AFTER " (signed with SHA-2 only); "
                   "install its current revision: an installed KB4474419 does not say which "
                   "revision it is"));
    needed_by(s, SHA2_AFTER, 1, 1, &p->needed_by);
}

/* ESU needs the October 2019 rollup level or later (corrections file,
 * KB4520002: mcpmag 2020-01-31 quoting Microsoft's ESU prerequisites). */
static void check_rollup_level(const pl_catalog *cat, pl_rollup_status *s)
{
    const pl_catalog_entry *oct = pl_catalog_find(cat, ESU_LEVEL_KB);
    if (!oct || s->client || !missing_from(s, ESU_FROM, 0))
        return;
    if (s->level && strncmp(date_of(s->level), date_of(oct), 7) >= 0)
        return;
    pl_missing_prereq *p = add_prereq(
        s, oct, "rollup-level",
        pl_xstrdup("Extended Security Updates need the October 2019 rollup level or later "
                   "installed first"));
    needed_by(s, ESU_FROM, 1, 0, &p->needed_by);
}

/* ESU licensing preparation packages by year (corrections file: KB4538484
 * of 2020-02 serves ESU year 1 only; KB4575904 of 2020-07 replaced it for
 * years 1-3; KB5016891 of 2022-08 is the package of the Azure year-4 /
 * Premium Assurance era). A package serves the rollups up to its month. */
static const struct {
    const char *kb, *serves_until;
} esu_packages[] = {
    {"KB4538484", "2021-01"},
    {"KB4575904", "2023-01"},
    {"KB5016891", "9999-12"},
};
#define NESU (sizeof esu_packages / sizeof *esu_packages)

/* "ESU year 2" of a rollup month, or "Premium Assurance" after year 4. */
static void esu_year(const char *date, char out[32])
{
    int y = 0, m = 0;
    sscanf(date, "%4d-%2d", &y, &m);
    int n = ((y - 2020) * 12 + m - 2) / 12 + 1;
    if (n > 4)
        snprintf(out, 32, "Premium Assurance");
    else
        snprintf(out, 32, "ESU year %d", n);
}

/* The newest month any installed licensing package serves ("" none). */
static const char *esu_served(const pl_catalog *cat, const unsigned char *flags)
{
    const char *best = "";
    for (size_t k = 0; k < NESU; k++) {
        const pl_catalog_entry *e = pl_catalog_find(cat, esu_packages[k].kb);
        if (e && flags[e - cat->entries] && strcmp(esu_packages[k].serves_until, best) > 0)
            best = esu_packages[k].serves_until;
    }
    return best;
}

static void check_esu(const pl_catalog *cat, const unsigned char *flags, pl_rollup_status *s)
{
    const pl_catalog_entry *target = newest_missing(s);
    if (s->client || !target || !missing_from(s, ESU_FROM, 0))
        return;
    const char *served = esu_served(cat, flags);
    if (*served && strncmp(date_of(target), served, 7) <= 0)
        return;
    const pl_catalog_entry *pick = NULL;
    for (size_t k = 0; k < NESU && !pick; k++)
        if (strncmp(date_of(target), esu_packages[k].serves_until, 7) <= 0)
            pick = pl_catalog_find(cat, esu_packages[k].kb);
    if (!pick)
        return;
    char year[32], m[8];
    esu_year(date_of(target), year);
    pl_missing_prereq *p = add_prereq(
        s, pick, "esu-licensing",
        *served ? pl_xasprintf("the ESU licensing package of the newest missing rollup's year "
                               "(%s, %s); the installed one serves rollups up to %s only",
                               month_of(target, m), year, served)
                : pl_xasprintf("the ESU licensing package of the newest missing rollup's year "
                               "(%s, %s); none is installed", month_of(target, m), year));
    char from[8] = ESU_FROM;
    if (*served)
        snprintf(from, sizeof from, "%.7s", served);
    needed_by(s, from, 1, *served != '\0', &p->needed_by);
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
    decide_kernel(cat, flags, kv, out);
    pl_decide_security_level(cat, flags, kv, out);
    pl_decide_channel(inst, cat, flags, out);
    pl_decide_behind(cat, out);
    find_missing(cat, out);
    check_ssu(cat, flags, out);
    check_sha2(cat, flags, out);
    check_rollup_level(cat, out);
    check_esu(cat, flags, out);
    free(flags);
}

void pl_rollup_status_free(pl_rollup_status *s)
{
    if (!s)
        return;
    free(s->installed);
    free(s->missing);
    for (size_t i = 0; i < s->nmissing_prereqs; i++) {
        free(s->missing_prereqs[i].reason);
        pl_strlist_free(&s->missing_prereqs[i].needed_by);
    }
    pl_strlist_free(&s->notes);
    free(s->missing_prereqs);
    free(s->kernel_note);
    free(s->unknown);
    memset(s, 0, sizeof *s);
}
