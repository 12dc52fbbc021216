/* The public interface, part three: the facts of one installation, read
 * as the report shows them (include/patchlevel.h). Each getter returns
 * what the JSON report has at that place: NULL where it has null. */
#include "lib/api_internal.h"

#include <stdlib.h>
#include <string.h>

#include "evidence/pe_version.h"

_Static_assert((int)PATCHLEVEL_UNKNOWN == (int)PL_TRI_UNKNOWN, "tri");
_Static_assert((int)PATCHLEVEL_NO == (int)PL_TRI_NO, "tri");
_Static_assert((int)PATCHLEVEL_YES == (int)PL_TRI_YES, "tri");
_Static_assert((int)PATCHLEVEL_VERDICT_NOT_APPLICABLE == (int)PL_VERDICT_NOT_APPLICABLE, "v");

/* Made once per result: the strings the report formats on the fly. */
static void wrap_one(patchlevel_installation *pi, const pl_inst_result *ir)
{
    pi->ir = ir;
    const pl_pe_evidence *k = &ir->inst.ntoskrnl;
    if (k->present && !k->error && k->ver.has_fixed)
        pl_version4_format(k->ver.file_version, pi->kernel_version, sizeof pi->kernel_version);
    size_t n = ir->inst.npackages;
    pi->install_times = pl_xcalloc(n ? n : 1, sizeof *pi->install_times);
    for (size_t i = 0; i < n; i++) {
        const pl_package *p = &ir->inst.packages[i];
        if (!p->has_install_time || pl_filetime_to_iso(p->install_filetime, pi->install_times[i]))
            pi->install_times[i][0] = '\0';
    }
}

void pl_api_wrap_installations(patchlevel_result *res)
{
    size_t n = res->r.ninsts;
    res->insts = pl_xcalloc(n ? n : 1, sizeof *res->insts);
    for (size_t i = 0; i < n; i++)
        wrap_one(&res->insts[i], &res->r.insts[i]);
}

#define INST(x) ((x)->ir->inst)
#define ASSESS(x) ((x)->ir->assess)

const char *patchlevel_verdict_name(enum patchlevel_verdict v)
{
    return pl_verdict_name((pl_verdict)v);
}

/* ---- location ------------------------------------------------------------- */

const char *patchlevel_installation_windows_dir(const patchlevel_installation *inst)
{
    return inst && !INST(inst).hive_only ? INST(inst).windows_dir : NULL;
}

const char *patchlevel_installation_partition_scheme(const patchlevel_installation *inst)
{
    return inst ? INST(inst).loc.partition_scheme : NULL;
}

int patchlevel_installation_partition_number(const patchlevel_installation *inst)
{
    return inst ? INST(inst).loc.partition_number : 0;
}

const char *patchlevel_installation_filesystem(const patchlevel_installation *inst)
{
    return inst ? INST(inst).loc.filesystem : NULL;
}

int patchlevel_installation_wim_image(const patchlevel_installation *inst)
{
    return inst ? INST(inst).loc.wim_image : 0;
}

/* ---- build 6003 ----------------------------------------------------------- */

enum patchlevel_verdict patchlevel_installation_verdict(const patchlevel_installation *inst)
{
    return inst ? (enum patchlevel_verdict)ASSESS(inst).b6003.verdict
                : PATCHLEVEL_VERDICT_UNKNOWN;
}

const char *patchlevel_installation_verdict_reason(const patchlevel_installation *inst)
{
    return inst ? ASSESS(inst).b6003.reason : NULL;
}

int patchlevel_installation_pending_build(const patchlevel_installation *inst)
{
    return inst && ASSESS(inst).b6003.pending_build > 0 ? ASSESS(inst).b6003.pending_build : 0;
}

/* ---- identity ------------------------------------------------------------- */

const char *patchlevel_installation_kernel_version(const patchlevel_installation *inst)
{
    return inst && inst->kernel_version[0] ? inst->kernel_version : NULL;
}

const char *patchlevel_installation_registry_version(const patchlevel_installation *inst)
{
    return inst ? ASSESS(inst).version : NULL;
}

int patchlevel_installation_build(const patchlevel_installation *inst)
{
    return inst && ASSESS(inst).build >= 0 ? ASSESS(inst).build : -1;
}

int64_t patchlevel_installation_revision(const patchlevel_installation *inst)
{
    return inst && ASSESS(inst).revision >= 0 ? ASSESS(inst).revision : -1;
}

const char *patchlevel_installation_product_name(const patchlevel_installation *inst)
{
    return inst ? INST(inst).os.product_name : NULL;
}

const char *patchlevel_installation_edition_id(const patchlevel_installation *inst)
{
    return inst ? INST(inst).os.edition_id : NULL;
}

const char *patchlevel_installation_installation_type(const patchlevel_installation *inst)
{
    return inst ? INST(inst).os.installation_type : NULL;
}

const char *patchlevel_installation_csd_version(const patchlevel_installation *inst)
{
    return inst ? INST(inst).os.csd_version : NULL;
}

const char *patchlevel_installation_arch(const patchlevel_installation *inst)
{
    return inst ? ASSESS(inst).arch : NULL;
}

const char *patchlevel_installation_computer_name(const patchlevel_installation *inst)
{
    return inst ? INST(inst).os.computer_name : NULL;
}

/* ---- packages ------------------------------------------------------------- */

static const pl_package *package(const patchlevel_installation *inst, size_t i)
{
    return inst && i < INST(inst).npackages ? &INST(inst).packages[i] : NULL;
}

size_t patchlevel_installation_package_count(const patchlevel_installation *inst)
{
    return inst ? INST(inst).npackages : 0;
}

const char *patchlevel_installation_package_identity(const patchlevel_installation *inst, size_t i)
{
    const pl_package *p = package(inst, i);
    return p ? p->identity : NULL;
}

const char *patchlevel_installation_package_kb(const patchlevel_installation *inst, size_t i)
{
    const pl_package *p = package(inst, i);
    return p ? p->kb : NULL;
}

const char *patchlevel_installation_package_state(const patchlevel_installation *inst, size_t i)
{
    const pl_package *p = package(inst, i);
    return p && p->has_state ? pl_cbs_state_name(p->state) : NULL;
}

int64_t patchlevel_installation_package_state_code(const patchlevel_installation *inst, size_t i)
{
    const pl_package *p = package(inst, i);
    return p && p->has_state ? (int64_t)p->state_code : -1;
}

const char *patchlevel_installation_package_install_time(const patchlevel_installation *inst,
                                                         size_t i)
{
    return package(inst, i) && inst->install_times[i][0] ? inst->install_times[i] : NULL;
}

/* ---- KB lists ------------------------------------------------------------- */

static const pl_strlist *kb_list(const patchlevel_installation *inst, enum patchlevel_kb_list l)
{
    if (!inst || ASSESS(inst).kbs_unknown)
        return NULL;
    switch (l) {
    case PATCHLEVEL_KBS_INSTALLED: return &ASSESS(inst).kbs_installed;
    case PATCHLEVEL_KBS_SUPERSEDED: return &ASSESS(inst).kbs_superseded;
    case PATCHLEVEL_KBS_PENDING_OR_STAGED: return &ASSESS(inst).kbs_pending_or_staged;
    }
    return NULL;
}

const char *patchlevel_installation_kbs_unknown_reason(const patchlevel_installation *inst)
{
    return inst ? ASSESS(inst).kbs_unknown : NULL;
}

const char *patchlevel_installation_kbs_incomplete_reason(const patchlevel_installation *inst)
{
    return inst ? ASSESS(inst).kbs_incomplete : NULL;
}

size_t patchlevel_installation_kb_count(const patchlevel_installation *inst,
                                        enum patchlevel_kb_list list)
{
    const pl_strlist *l = kb_list(inst, list);
    return l ? l->len : 0;
}

const char *patchlevel_installation_kb(const patchlevel_installation *inst,
                                       enum patchlevel_kb_list list, size_t i)
{
    const pl_strlist *l = kb_list(inst, list);
    return l && i < l->len ? l->items[i] : NULL;
}

/* ---- pending -------------------------------------------------------------- */

static enum patchlevel_tri tri(pl_tri v, const char *why, const char **reason)
{
    if (reason)
        *reason = v == PL_TRI_UNKNOWN ? why : NULL;
    return (enum patchlevel_tri)v;
}

enum patchlevel_tri patchlevel_installation_reboot_required(const patchlevel_installation *inst,
                                                            const char **reason)
{
    if (!inst)
        return tri(PL_TRI_UNKNOWN, NULL, reason);
    return tri(ASSESS(inst).reboot_required, ASSESS(inst).reboot_unknown, reason);
}

enum patchlevel_tri patchlevel_installation_servicing_reboot_required(
    const patchlevel_installation *inst, const char **reason)
{
    if (!inst)
        return tri(PL_TRI_UNKNOWN, NULL, reason);
    return tri(ASSESS(inst).servicing_reboot_required, ASSESS(inst).servicing_reboot_unknown,
               reason);
}

static const pl_pending_signal *signal_at(const patchlevel_installation *inst,
                                          enum patchlevel_signal_set set, size_t i)
{
    if (!inst)
        return NULL;
    const pl_assessment *a = &ASSESS(inst);
    if (set == PATCHLEVEL_SIGNALS_SEEN)
        return i < a->nsignals ? &a->signals[i] : NULL;
    if (set == PATCHLEVEL_SIGNALS_UNKNOWN)
        return i < a->nunknown_signals ? &a->unknown_signals[i] : NULL;
    return NULL;
}

size_t patchlevel_installation_signal_count(const patchlevel_installation *inst,
                                            enum patchlevel_signal_set set)
{
    if (!inst)
        return 0;
    if (set == PATCHLEVEL_SIGNALS_SEEN)
        return ASSESS(inst).nsignals;
    return set == PATCHLEVEL_SIGNALS_UNKNOWN ? ASSESS(inst).nunknown_signals : 0;
}

const char *patchlevel_installation_signal_id(const patchlevel_installation *inst,
                                              enum patchlevel_signal_set set, size_t i)
{
    const pl_pending_signal *s = signal_at(inst, set, i);
    return s ? s->signal : NULL;
}

const char *patchlevel_installation_signal_class(const patchlevel_installation *inst,
                                                 enum patchlevel_signal_set set, size_t i)
{
    const pl_pending_signal *s = signal_at(inst, set, i);
    return s ? s->signal_class : NULL;
}

const char *patchlevel_installation_signal_evidence(const patchlevel_installation *inst,
                                                    enum patchlevel_signal_set set, size_t i)
{
    const pl_pending_signal *s = signal_at(inst, set, i);
    return s ? s->evidence : NULL;
}

const char *patchlevel_installation_signal_detail(const patchlevel_installation *inst,
                                                  enum patchlevel_signal_set set, size_t i)
{
    const pl_pending_signal *s = signal_at(inst, set, i);
    return s ? s->detail : NULL;
}

/* ---- servicing ------------------------------------------------------------ */

/* The rollup status when the report shows its answers, else NULL. */
static const pl_rollup_status *known_rollups(const patchlevel_installation *inst)
{
    if (!inst)
        return NULL;
    const pl_rollup_status *s = &ASSESS(inst).rollups;
    return s->applicable && !s->unknown ? s : NULL;
}

const char *patchlevel_installation_rollups_unknown_reason(const patchlevel_installation *inst)
{
    return inst ? ASSESS(inst).rollups.unknown : NULL;
}

const char *patchlevel_installation_latest_rollup_kb(const patchlevel_installation *inst)
{
    const pl_rollup_status *s = known_rollups(inst);
    return s && s->latest && s->latest->kb[0] ? s->latest->kb : NULL;
}

const char *patchlevel_installation_latest_rollup_date(const patchlevel_installation *inst)
{
    const pl_rollup_status *s = known_rollups(inst);
    return s && s->latest && s->latest->release_date[0] ? s->latest->release_date : NULL;
}

const char *patchlevel_installation_security_month(const patchlevel_installation *inst,
                                                   int *after)
{
    const pl_rollup_status *s = known_rollups(inst);
    int known = s && s->security.kind != PL_SEC_NONE;
    if (after)
        *after = known && s->security.after;
    return known ? s->security.month : NULL;
}

const char *patchlevel_installation_channel(const patchlevel_installation *inst)
{
    const pl_rollup_status *s = known_rollups(inst);
    return s ? pl_channel_name(s->channel) : NULL;
}

const char *patchlevel_installation_channel_counted_for(const patchlevel_installation *inst)
{
    const pl_rollup_status *s = known_rollups(inst);
    return s ? pl_channel_name(s->plan) : NULL;
}

long patchlevel_installation_behind(const patchlevel_installation *inst)
{
    const pl_rollup_status *s = known_rollups(inst);
    return s ? (long)s->nmissing : -1;
}

long patchlevel_installation_behind_channel(const patchlevel_installation *inst,
                                            const char *channel)
{
    const pl_rollup_status *s = known_rollups(inst);
    pl_channel c;
    if (!s || !channel || pl_channel_parse(channel, &c) != 0)
        return -1;
    return s->behind[c] >= 0 ? s->behind[c] : -1;
}

int patchlevel_installation_next_steps_known(const patchlevel_installation *inst)
{
    return inst ? ASSESS(inst).next_steps_known : 0;
}

size_t patchlevel_installation_next_step_count(const patchlevel_installation *inst)
{
    return inst && ASSESS(inst).next_steps_known ? ASSESS(inst).nnext_steps : 0;
}

static const pl_next_step *step(const patchlevel_installation *inst, size_t i)
{
    return i < patchlevel_installation_next_step_count(inst) ? &ASSESS(inst).next_steps[i]
                                                             : NULL;
}

const char *patchlevel_installation_next_step_action(const patchlevel_installation *inst,
                                                     size_t i)
{
    const pl_next_step *st = step(inst, i);
    return st ? st->action : NULL;
}

const char *patchlevel_installation_next_step_kb(const patchlevel_installation *inst, size_t i)
{
    const pl_next_step *st = step(inst, i);
    return st ? st->kb : NULL;
}

const char *patchlevel_installation_next_step_kind(const patchlevel_installation *inst, size_t i)
{
    const pl_next_step *st = step(inst, i);
    return st ? st->kind : NULL;
}

const char *patchlevel_installation_next_step_why(const patchlevel_installation *inst, size_t i)
{
    const pl_next_step *st = step(inst, i);
    return st ? st->why : NULL;
}

/* ---- warnings: the installation's, then the assessment's, as in JSON ------ */

static const pl_note *warning(const patchlevel_installation *inst, size_t i)
{
    if (!inst)
        return NULL;
    const pl_notes *a = &INST(inst).warnings, *b = &ASSESS(inst).warnings;
    if (i < a->len)
        return &a->items[i];
    return i - a->len < b->len ? &b->items[i - a->len] : NULL;
}

size_t patchlevel_installation_warning_count(const patchlevel_installation *inst)
{
    return inst ? INST(inst).warnings.len + ASSESS(inst).warnings.len : 0;
}

enum patchlevel_error patchlevel_installation_warning_code(const patchlevel_installation *inst,
                                                           size_t i)
{
    const pl_note *n = warning(inst, i);
    return n ? (enum patchlevel_error)n->code : PATCHLEVEL_ERR_USAGE;
}

const char *patchlevel_installation_warning_message(const patchlevel_installation *inst,
                                                    size_t i)
{
    const pl_note *n = warning(inst, i);
    return n ? n->msg : NULL;
}
