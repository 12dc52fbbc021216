/* The servicing model: how current an NT 6.0 installation's security
 * really is, which channel it proves, how far behind it is for each
 * channel, and what to do next (spec section 3 "Servicing model";
 * reference ws2008-servicing.md, update 2026-12-06).
 *
 * A single "N rollups behind" against one list counts Azure-only and
 * Premium-Assurance-only months against an on-premises server and counts
 * a server that took every security-only update as far behind; so the
 * answer is given per channel, from the newest month whose security fixes
 * are installed. */
#include "decisions/servicing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *date_of(const pl_catalog_entry *e)
{
    return e->release_date ? e->release_date : "";
}

static void month_copy(char out[8], const char *date)
{
    snprintf(out, 8, "%.7s", date);
}

/* ---- who the installation is ---------------------------------------------- */

/* Vista is a client: InstallationType "Client" (when present), ProductType
 * "WinNT" (SYSTEM ProductOptions: a workstation), or an EditionID that does
 * not name a server edition (server EditionIDs start with "Server").
 * Reference update 2026-12-06: Vista was never eligible for ESU. With none
 * of them readable the installation is taken for a server, the product
 * the catalog is for. */
int pl_is_client(const pl_installation *inst)
{
    if (!inst)
        return 0;
    const pl_os_values *os = &inst->os;
    if (os->installation_type && pl_strcaseeq(os->installation_type, "Client"))
        return 1;
    if (os->product_type && pl_strcaseeq(os->product_type, "WinNT"))
        return 1;
    return os->edition_id && *os->edition_id && strncmp(os->edition_id, "Server", 6) != 0;
}

/* ---- security level --------------------------------------------------------- */

/* The security-only update of a month that is installed, NULL when none is. */
static const pl_catalog_entry *installed_seconly(const pl_catalog *cat,
                                                 const unsigned char *flags, const char *month)
{
    for (size_t i = 0; i < cat->n; i++) {
        const pl_catalog_entry *e = &cat->entries[i];
        if (flags[i] && e->kind == PL_KIND_SECURITY_ONLY && strncmp(date_of(e), month, 7) == 0)
            return e;
    }
    return NULL;
}

/* Month m is covered by a monthly rollup of m or later (the rollup level)
 * or by m's security-only update; the level is the end of the unbroken
 * run of covered months from the catalog's first month (security-only
 * updates are not cumulative: a gap leaves that month's fixes out). */
static void level_from_packages(const pl_catalog *cat, const unsigned char *flags,
                                pl_rollup_status *s)
{
    char lvl[8] = "";
    if (s->level && s->level->release_date[0])
        month_copy(lvl, s->level->release_date);
    for (size_t i = 0; i < cat->n; i++) {
        const pl_catalog_entry *e = &cat->entries[i];
        if ((e->kind != PL_KIND_MONTHLY_ROLLUP && e->kind != PL_KIND_SECURITY_ONLY) ||
            !e->release_date[0] || strncmp(date_of(e), s->security.month, 7) <= 0)
            continue;                          /* not a month, or already covered */
        char m[8];
        month_copy(m, date_of(e));
        const pl_catalog_entry *so = NULL;
        if (lvl[0] && strcmp(m, lvl) <= 0) {
            /* via the installed update: a preview or out-of-band update
             * that contains the rollup is named, not the rollup itself */
            s->security = (pl_security_level){
                .kind = PL_SEC_ROLLUP, .via = s->level_via ? s->level_via : s->level};
        } else if ((so = installed_seconly(cat, flags, m))) {
            s->security = (pl_security_level){.kind = PL_SEC_SECURITY_ONLY, .via = so};
        } else {
            return;
        }
        memcpy(s->security.month, m, 8);
    }
}

/* The newest kernel_version of the catalog on v's build line. */
static const pl_catalog_entry *newest_kernel_row(const pl_catalog *cat, const uint16_t *v)
{
    const pl_catalog_entry *best = NULL;
    for (size_t i = 0; i < cat->n; i++) {
        const pl_catalog_entry *e = &cat->entries[i];
        if (e->kind == PL_KIND_MONTHLY_ROLLUP && e->has_kernel &&
            memcmp(e->kernel, v, 3 * sizeof v[0]) == 0 &&
            (!best || pl_version4_cmp(e->kernel, best->kernel) > 0))
            best = e;
    }
    return best;
}

/* The kernel witnesses its rollup month only when that is newer than what
 * the packages prove. A kernel newer than every known kernel row is at
 * that row's month or later, month unknown: never a specific later month. */
static void level_from_kernel(const pl_catalog *cat, const uint16_t *kv, pl_rollup_status *s)
{
    const pl_catalog_entry *kr = s->kernel_rollup;
    if (!kv || !kr)
        return;
    s->kernel_after = newest_kernel_row(cat, kv) == kr && pl_version4_cmp(kv, kr->kernel) > 0;
    if (!kr->release_date[0] || strncmp(date_of(kr), s->security.month, 7) <= 0)
        return;
    s->security = (pl_security_level){.kind = PL_SEC_KERNEL, .via = kr, .after = s->kernel_after};
    month_copy(s->security.month, date_of(kr));
}

void pl_decide_security_level(const pl_catalog *cat, const unsigned char *flags,
                              const uint16_t *kv, pl_rollup_status *s)
{
    memset(&s->security, 0, sizeof s->security);
    level_from_packages(cat, flags, s);
    level_from_kernel(cat, kv, s);
}

const char *pl_missing_from(const pl_rollup_status *s)
{
    return s->security.month;
}

/* ---- channels ------------------------------------------------------------------ */

void pl_channel_end(const pl_catalog *cat, pl_channel ch, char out[8])
{
    out[0] = '\0';
    for (size_t i = 0; cat && i < cat->n; i++) {
        const pl_catalog_entry *e = &cat->entries[i];
        if (e->kind == PL_KIND_MONTHLY_ROLLUP && e->channel <= ch && e->release_date[0] &&
            strncmp(date_of(e), out, 7) > 0)
            month_copy(out, date_of(e));
    }
}

/* Updates that only a channel's customers received prove the channel;
 * SSUs, licensing and SHA-2 packages do not (a licensing package is a
 * preparation, not a received ESU update). */
static int proves_channel(const pl_catalog_entry *e)
{
    return e->kind == PL_KIND_MONTHLY_ROLLUP || e->kind == PL_KIND_SECURITY_ONLY ||
           e->kind == PL_KIND_PREVIEW || e->kind == PL_KIND_OUT_OF_BAND;
}

/* Build 6003 came only with the Server 2008 rollups of April 2019 and
 * later: on Vista they were forced onto a client they were not made for
 * (reference update 2026-12-06, "Vista"). */
static void client_note(const pl_catalog *cat, const unsigned char *flags, pl_rollup_status *s)
{
    const pl_catalog_entry *first = NULL;
    for (size_t i = 0; i < cat->n && !first; i++) {
        const pl_catalog_entry *e = &cat->entries[i];
        if (flags[i] && e->kind == PL_KIND_MONTHLY_ROLLUP && e->has_kernel &&
            e->kernel[2] >= 6003)
            first = e;
    }
    pl_strlist_pushf(&s->notes,
                     "a client (Vista): it left support on 2017-04-11 and was never eligible for "
                     "ESU, so no ESU prerequisite applies and only the public months are "
                     "counted%s%s%s",
                     first ? "; the build-6003 updates found (" : "", first ? first->kb : "",
                     first ? " and later) were made for Windows Server 2008" : "");
}

void pl_decide_channel(const pl_installation *inst, const pl_catalog *cat,
                       const unsigned char *flags, pl_rollup_status *s)
{
    s->channel = PL_CHANNEL_PUBLIC;
    s->channel_via = NULL;
    for (size_t i = 0; i < cat->n; i++) {     /* date order: the newest of a channel wins */
        const pl_catalog_entry *e = &cat->entries[i];
        if (flags[i] && proves_channel(e) && e->release_date[0] && e->channel >= s->channel) {
            s->channel = e->channel;
            s->channel_via = e;
        }
    }
    s->client = pl_is_client(inst);
    s->plan = s->client ? PL_CHANNEL_PUBLIC
                        : (s->channel > PL_CHANNEL_ESU ? s->channel : PL_CHANNEL_ESU);
    if (s->client)
        client_note(cat, flags, s);
}

/* ---- behind -------------------------------------------------------------------- */

/* The oldest dated monthly rollup that brings a 6.0.6003 kernel: months
 * before it are not counted (rollups.c, "first build-6003 rollup"). */
static const char *floor_month(const pl_catalog *cat, char out[8])
{
    out[0] = '\0';
    for (size_t i = 0; i < cat->n; i++) {
        const pl_catalog_entry *e = &cat->entries[i];
        if (e->kind == PL_KIND_MONTHLY_ROLLUP && e->has_kernel && e->release_date[0] &&
            e->kernel[0] == 6 && e->kernel[1] == 0 && e->kernel[2] >= 6003) {
            month_copy(out, date_of(e));
            break;                             /* entries are in date order */
        }
    }
    return out;
}

/* Monthly rollup rows (with or without a KB) after `from` up to `end`,
 * from the floor on. */
static long count_months(const pl_catalog *cat, const char *from, const char *end,
                         const char *floor)
{
    long n = 0;
    for (size_t i = 0; i < cat->n; i++) {
        const pl_catalog_entry *e = &cat->entries[i];
        const char *d = date_of(e);
        if (e->kind == PL_KIND_MONTHLY_ROLLUP && *d && strncmp(d, from, 7) > 0 &&
            strncmp(d, end, 7) <= 0 && strncmp(d, floor, 7) >= 0)
            n++;
    }
    return n;
}

void pl_decide_behind(const pl_catalog *cat, pl_rollup_status *s)
{
    char floor[8], end[8];
    floor_month(cat, floor);
    for (int ch = 0; ch < PL_NCHANNELS; ch++) {
        pl_channel_end(cat, (pl_channel)ch, end);
        s->behind[ch] = s->client && ch > PL_CHANNEL_PUBLIC
                            ? -1
                            : count_months(cat, s->security.month, end, floor);
    }
}

/* ---- next steps ------------------------------------------------------------------ */

static void add_step(pl_assessment *a, const char *action, const char *kb, const char *kind,
                     char *why)
{
    for (size_t i = 0; kb && i < a->nnext_steps; i++)
        if (a->next_steps[i].kb && strcmp(a->next_steps[i].kb, kb) == 0) {
            free(why);                          /* deduplicated: the first reason stays */
            return;
        }
    a->next_steps = pl_xrealloc(a->next_steps, (a->nnext_steps + 1) * sizeof *a->next_steps);
    a->next_steps[a->nnext_steps++] = (pl_next_step){
        .action = action, .kb = kb ? pl_xstrdup(kb) : NULL, .kind = kind, .why = why};
}

/* The KB of a package in install-pending state, named by its pending
 * signal's evidence (the CBS key of the package); NULL when none. A
 * staged (0x40) package does not wait for a reboot, so the KB lists
 * alone cannot tell. */
static const char *kb_waiting(const pl_assessment *a)
{
    for (size_t i = 0; i < a->nsignals; i++) {
        if (strcmp(a->signals[i].signal, "package-pending") != 0 || !a->signals[i].evidence)
            continue;
        for (size_t k = 0; k < a->kbs_pending_or_staged.len; k++)
            if (strstr(a->signals[i].evidence, a->kbs_pending_or_staged.items[k]))
                return a->kbs_pending_or_staged.items[k];
    }
    return NULL;
}

/* Only a definite pending reboot is a step: an unknown one is said in
 * pending.reboot_required, and a plan must not invent a step from it. */
static void reboot_step(pl_assessment *a)
{
    if (a->reboot_required != PL_TRI_YES)
        return;
    const char *kb = kb_waiting(a);
    if (kb)
        add_step(a, "reboot", NULL, NULL, pl_xasprintf("%s waits for a reboot", kb));
    else
        add_step(a, "reboot", NULL, NULL,
                 pl_xasprintf("a reboot is pending (%s: %s)",
                              a->nsignals ? a->signals[0].signal : "signal",
                              a->nsignals && a->signals[0].evidence ? a->signals[0].evidence
                                                                    : "see pending.signals"));
}

/* Prerequisites in the order they must go on: the servicing stack first
 * (it installs the rest), SHA-2 (later updates are signed with it only),
 * the rollup level ESU requires, then the ESU licensing package. */
static void prereq_steps(pl_assessment *a)
{
    static const char *const order[] = {"ssu", "sha2", "rollup-level", "esu-licensing"};
    const pl_rollup_status *r = &a->rollups;
    for (size_t o = 0; o < sizeof order / sizeof *order; o++)
        for (size_t i = 0; i < r->nmissing_prereqs; i++) {
            const pl_missing_prereq *p = &r->missing_prereqs[i];
            if (!p->role || strcmp(p->role, order[o]) != 0)
                continue;
            add_step(a, "install", p->entry->kb, p->role,
                     pl_xasprintf("%s%s", p->reason,
                                  o == 3 ? ", and activate an ESU key" : ""));
        }
}

/* Rollups are cumulative: the newest one of the channel is the one step. */
static void rollup_step(pl_assessment *a)
{
    const pl_rollup_status *r = &a->rollups;
    if (!r->nmissing)
        return;
    const pl_catalog_entry *e = r->missing[r->nmissing - 1];
    char m[8];
    month_copy(m, date_of(e));
    add_step(a, "install", e->kb[0] ? e->kb : NULL, "monthly-rollup",
             pl_xasprintf("newest rollup of the %s channel (%s%s); it contains all earlier ones",
                          pl_channel_name(r->plan), m, e->kb[0] ? "" : ", KB unknown"));
}

void pl_decide_next_steps(pl_assessment *a)
{
    const pl_rollup_status *r = &a->rollups;
    a->next_steps_known = r->applicable && !r->unknown;
    if (!a->next_steps_known)
        return;
    reboot_step(a);
    prereq_steps(a);
    rollup_step(a);
}

/* ---- timeline -------------------------------------------------------------------- */

static void keep_time(char dst[32], const char *iso, int newest)
{
    if (!dst[0] || (newest ? strcmp(iso, dst) > 0 : strcmp(iso, dst) < 0))
        snprintf(dst, 32, "%s", iso);
}

/* The month's row: one per monthly rollup KB, the earliest install of it. */
static void timeline_month(pl_timeline *t, const pl_catalog_entry *e, const char *iso)
{
    for (size_t i = 0; i < t->nmonths; i++)
        if (strcmp(t->months[i].kb, e->kb) == 0) {
            keep_time(t->months[i].install_time, iso, 0);
            return;
        }
    t->months = pl_xrealloc(t->months, (t->nmonths + 1) * sizeof *t->months);
    pl_timeline_month *m = &t->months[t->nmonths++];
    memset(m, 0, sizeof *m);
    month_copy(m->month, date_of(e));
    m->kb = e->kb;
    keep_time(m->install_time, iso, 0);
}

static int cmp_month(const void *pa, const void *pb)
{
    const pl_timeline_month *a = pa, *b = pb;
    int c = strcmp(a->month, b->month);
    return c ? c : strcmp(a->kb, b->kb);
}

/* Build 6003 arrived with the first package carrying 6.0.6003 components
 * (its .mum's highest component version). The April 2019 SSU carries a
 * 6003 servicing stack but leaves the build at 6002: SSUs do not count. */
static void timeline_6003(pl_timeline *t, const pl_package *p, const pl_catalog_entry *e,
                          const char *iso)
{
    if (!p->max_component_version || strncmp(p->max_component_version, "6.0.6003.", 9) != 0 ||
        (e && e->kind == PL_KIND_SSU))
        return;
    if (!t->build_6003[0] || strcmp(iso, t->build_6003) < 0) {
        snprintf(t->build_6003, sizeof t->build_6003, "%s", iso);
        t->build_6003_package = p->identity;
    }
}

/* From CBS InstallTimeHigh/Low of every package (UTC FILETIME). The
 * first install and the arrival of 6003 rest on the absence of earlier
 * packages: not given when the store is unreadable or was salvaged with
 * a part lost (unknown is not "none before"). */
void pl_decide_timeline(const pl_installation *inst, const pl_catalog *cat, pl_assessment *a)
{
    pl_timeline *t = &a->timeline;
    if (a->kbs_unknown || a->kbs_incomplete)
        return;
    for (size_t i = 0; i < inst->npackages; i++) {
        const pl_package *p = &inst->packages[i];
        char iso[32];
        if (!p->has_install_time || pl_filetime_to_iso(p->install_filetime, iso) != 0)
            continue;
        t->known = 1;
        keep_time(t->first, iso, 0);
        keep_time(t->newest, iso, 1);
        const pl_catalog_entry *e = cat ? pl_catalog_find(cat, p->kb) : NULL;
        timeline_6003(t, p, e, iso);
        if (e && e->kind == PL_KIND_MONTHLY_ROLLUP && e->release_date[0])
            timeline_month(t, e, iso);
    }
    if (t->nmonths)
        qsort(t->months, t->nmonths, sizeof *t->months, cmp_month);
}
