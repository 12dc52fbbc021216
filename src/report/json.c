/* The JSON report. Field names are a contract (spec section 5): add
 * fields freely, never rename these. */
#include <stdio.h>
#include <string.h>

#include "report/provenance.h"
#include "report/report.h"

static void strlist_array(pl_json *j, const char *key, const pl_strlist *l)
{
    pl_json_key(j, key);
    pl_json_begin_array(j);
    for (size_t i = 0; i < l->len; i++)
        pl_json_string(j, l->items[i]);
    pl_json_end_array(j);
}

/* A three-valued fact: true / false, or null with its reason in
 * "<key>_unknown" (always present: null when the fact is known). */
static void kv_tri(pl_json *j, const char *key, pl_tri v, const char *why)
{
    if (v == PL_TRI_UNKNOWN)
        pl_json_kv_null(j, key);
    else
        pl_json_kv_bool(j, key, v == PL_TRI_YES);
    char name[64];
    snprintf(name, sizeof name, "%s_unknown", key);
    pl_json_kv_string(j, name, v == PL_TRI_UNKNOWN ? why : NULL);
}

/* Warnings twice: "warnings" as strings (the contract), and, in the same
 * order, "warning_details" [{code, message}] with the stable code. */
static void notes(pl_json *j, const char *key, const char *details_key,
                  const pl_notes *const *lists, size_t nlists)
{
    pl_json_key(j, key);
    pl_json_begin_array(j);
    for (size_t l = 0; l < nlists; l++)
        for (size_t i = 0; i < lists[l]->len; i++)
            pl_json_string(j, lists[l]->items[i].msg);
    pl_json_end_array(j);
    pl_json_key(j, details_key);
    pl_json_begin_array(j);
    for (size_t l = 0; l < nlists; l++)
        for (size_t i = 0; i < lists[l]->len; i++) {
            pl_json_begin_object(j);
            pl_json_kv_string(j, "code", pl_error_code_name(lists[l]->items[i].code));
            pl_json_kv_string(j, "message", lists[l]->items[i].msg);
            pl_json_end_object(j);
        }
    pl_json_end_array(j);
}

/* A list that is null when it could not be determined. */
static void strlist_or_null(pl_json *j, const char *key, const pl_strlist *l, const char *unknown)
{
    if (unknown)
        pl_json_kv_null(j, key);
    else
        strlist_array(j, key, l);
}

static void kv_int_or_null(pl_json *j, const char *key, int64_t v, int present)
{
    if (present)
        pl_json_kv_int(j, key, v);
    else
        pl_json_kv_null(j, key);
}

static void location(pl_json *j, const pl_installation *in)
{
    const pl_location *l = &in->loc;
    pl_json_key(j, "location");
    pl_json_begin_object(j);
    pl_json_kv_string(j, "partition_scheme", l->partition_scheme);
    kv_int_or_null(j, "partition_number", l->partition_number, l->partition_number > 0);
    kv_int_or_null(j, "partition_start_bytes", l->partition_start, l->partition_start >= 0);
    pl_json_kv_string(j, "filesystem", l->filesystem);
    kv_int_or_null(j, "wim_image", l->wim_image, l->wim_image > 0);
    pl_json_kv_string(j, "wim_image_name", l->wim_image_name);
    pl_json_kv_string(j, "windows_dir", in->hive_only ? NULL : in->windows_dir);
    pl_json_end_object(j);
}

/* "clean", or how a dirty or damaged hive was handled: the values above
 * come from a hive replayed from its logs ("recovered"), the stale primary
 * file ("dirty") or what a damaged hive still held ("salvaged", the
 * weakest, so it wins); "unreadable" when it could not be read at all
 * (the reason is in the warnings and in every *_unknown it leaves),
 * "absent" when the input has none (a bare SOFTWARE hive has no SYSTEM). */
static void hive_state(pl_json *j, const char *key, const pl_hive_state *h, int read, int absent)
{
    pl_json_key(j, key);
    pl_json_begin_object(j);
    pl_json_kv_string(j, "state", absent         ? "absent"
                                  : !read        ? "unreadable"
                                  : h->salvaged  ? "salvaged"
                                  : !h->dirty    ? "clean"
                                  : h->recovered ? "recovered"
                                                 : "dirty");
    pl_json_kv_string(j, "logs", h->logs);
    pl_json_kv_string(j, "detail", h->detail);
    pl_json_end_object(j);
}

static void os(pl_json *j, const pl_inst_result *r)
{
    const pl_os_values *o = &r->inst.os;
    const pl_assessment *a = &r->assess;
    pl_json_key(j, "os");
    pl_json_begin_object(j);
    pl_json_kv_string(j, "product_name", o->product_name);
    pl_json_kv_string(j, "edition_id", o->edition_id);
    pl_json_kv_string(j, "installation_type", o->installation_type);
    pl_json_kv_string(j, "arch", a->arch);
    pl_json_kv_string(j, "arch_source", a->arch_source);
    pl_json_kv_string(j, "version", a->version);
    pl_json_kv_string(j, "version_source", a->version_source);
    kv_int_or_null(j, "build", a->build, a->build >= 0);
    kv_int_or_null(j, "revision", a->revision, a->revision >= 0);
    pl_json_kv_string(j, "display_version", o->display_version);
    pl_json_kv_string(j, "csd_version", o->csd_version);
    pl_json_kv_string(j, "csd_build_number", o->csd_build_number);
    pl_json_kv_string(j, "current_build", o->current_build);
    pl_json_kv_string(j, "current_build_number", o->current_build_number);
    pl_json_kv_string(j, "build_lab", o->build_lab);
    pl_json_kv_string(j, "build_lab_ex", o->build_lab_ex);
    pl_json_kv_string(j, "product_type", o->product_type);
    pl_json_kv_string(j, "computer_name", o->computer_name);
    if (o->has_install_date) {
        char iso[32];
        pl_unixtime_to_iso(o->install_date, iso);
        pl_json_kv_string(j, "install_date", iso);
    } else {
        pl_json_kv_null(j, "install_date");
    }
    pl_json_kv_string(j, "software_hive", r->inst.software_path);
    hive_state(j, "software_hive_state", &r->inst.software_state, r->inst.software_read, 0);
    pl_json_kv_string(j, "system_hive", r->inst.system_path);
    hive_state(j, "system_hive_state", &r->inst.system_state, r->inst.system_read,
               r->inst.hive_only);
    pl_json_end_object(j);
}

/* A core kind's JSON at the place the contract gives it (evidence_kind.h). */
static void core_kind(pl_json *j, const char *name, const pl_installation *in)
{
    size_t n;
    const pl_evidence_kind *const *kinds = pl_installation_kinds(in, &n);
    for (size_t i = 0; i < n; i++)
        if (kinds[i]->core && kinds[i]->to_json && strcmp(kinds[i]->name, name) == 0) {
            pl_json_key(j, name);
            kinds[i]->to_json(j, in);
            return;
        }
}

/* Every other kind, in table order: "<name>": its JSON, or null when it
 * has no data (an opt-in kind not asked for). */
static void evidence_kinds(pl_json *j, const pl_installation *in)
{
    size_t n;
    const pl_evidence_kind *const *kinds = pl_installation_kinds(in, &n);
    for (size_t i = 0; i < n; i++) {
        if (kinds[i]->core)
            continue;
        const void *data = pl_installation_kind_data_at(in, i);
        pl_json_key(j, kinds[i]->name);
        if (data)
            kinds[i]->to_json(j, data);
        else
            pl_json_null(j);
    }
}

static void wim_xml(pl_json *j, const pl_wim_claim *c)
{
    pl_json_key(j, "wim_xml");
    if (!c->present) {
        pl_json_null(j);
        return;
    }
    pl_json_begin_object(j);
    pl_json_kv_string(j, "name", c->name);
    pl_json_kv_string(j, "product_name", c->product_name);
    pl_json_kv_string(j, "edition_id", c->edition_id);
    pl_json_kv_string(j, "installation_type", c->installation_type);
    pl_json_kv_string(j, "arch", c->arch);
    kv_int_or_null(j, "major", c->major, c->major >= 0);
    kv_int_or_null(j, "minor", c->minor, c->minor >= 0);
    kv_int_or_null(j, "build", c->build, c->build >= 0);
    kv_int_or_null(j, "spbuild", c->spbuild, c->spbuild >= 0);
    kv_int_or_null(j, "splevel", c->splevel, c->splevel >= 0);
    pl_json_kv_string(j, "default_language", c->default_language);
    pl_json_end_object(j);
}

static void build6003(pl_json *j, const pl_build6003 *b)
{
    pl_json_key(j, "build6003");
    pl_json_begin_object(j);
    pl_json_kv_string(j, "verdict", pl_verdict_name(b->verdict));
    pl_json_kv_string(j, "reason", b->reason);
    pl_json_key(j, "evidence");
    pl_json_begin_array(j);
    for (size_t i = 0; i < b->nevidence; i++) {
        pl_json_begin_object(j);
        pl_json_kv_string(j, "source", b->evidence[i].source);
        pl_json_kv_string(j, "value", b->evidence[i].value);
        kv_int_or_null(j, "build", b->evidence[i].build, b->evidence[i].build >= 0);
        pl_json_end_object(j);
    }
    pl_json_end_array(j);
    kv_int_or_null(j, "pending_build", b->pending_build, b->pending_build > 0);
    strlist_array(j, "pending_packages", &b->pending_packages);
    pl_json_end_object(j);
}

/* A catalog row as the report shows it: {kb, release_date, kind, ...}. */
static void catalog_entry(pl_json *j, const pl_catalog_entry *e)
{
    if (!e) {
        pl_json_null(j);
        return;
    }
    pl_json_begin_object(j);
    pl_json_kv_string(j, "kb", e->kb[0] ? e->kb : NULL);   /* null: a month whose KB is unknown */
    pl_json_kv_string(j, "release_date", e->release_date[0] ? e->release_date : NULL);
    pl_json_kv_string(j, "kind", pl_update_kind_name(e->kind));
    char v[32];
    if (e->has_kernel)
        pl_version4_format(e->kernel, v, sizeof v);
    pl_json_kv_string(j, "kernel_version", e->has_kernel ? v : NULL);
    pl_json_kv_string(j, "title", e->title);
    pl_json_kv_string(j, "channel", pl_channel_name(e->channel));
    pl_json_kv_string(j, "note", e->note);
    pl_json_kv_string(j, "confidence", e->confidence);
    pl_json_end_object(j);
}

static const char *const sec_kind_names[] = {
    [PL_SEC_NONE] = NULL, [PL_SEC_ROLLUP] = "monthly-rollup",
    [PL_SEC_SECURITY_ONLY] = "security-only", [PL_SEC_KERNEL] = "kernel",
};

/* {month, via, kind}: the newest month whose security fixes are installed.
 * A kernel newer than every kernel the catalog knows gives month null and
 * "after": its month is that one or later, not known which. */
static void security_level(pl_json *j, const pl_rollup_status *s)
{
    const pl_security_level *l = &s->security;
    pl_json_key(j, "security_level");
    if (l->kind == PL_SEC_NONE) {
        pl_json_null(j);
        return;
    }
    pl_json_begin_object(j);
    pl_json_kv_string(j, "month", l->after ? NULL : l->month);
    pl_json_kv_string(j, "after", l->after ? l->month : NULL);
    pl_json_kv_string(j, "via", l->via && l->via->kb[0] ? l->via->kb : NULL);
    pl_json_kv_string(j, "kind", sec_kind_names[l->kind]);
    char v[32];
    if (l->kind == PL_SEC_KERNEL && l->via->has_kernel)
        pl_version4_format(l->via->kernel, v, sizeof v);
    pl_json_kv_string(j, "kernel_version", l->kind == PL_SEC_KERNEL ? v : NULL);
    pl_json_end_object(j);
}

static void channel(pl_json *j, const pl_rollup_status *s)
{
    pl_json_key(j, "channel");
    pl_json_begin_object(j);
    pl_json_kv_string(j, "name", pl_channel_name(s->channel));
    pl_json_kv_string(j, "via", s->channel_via ? s->channel_via->kb : NULL);
    pl_json_kv_string(j, "counted_for", pl_channel_name(s->plan));
    pl_json_kv_bool(j, "client", s->client);
    pl_json_kv_bool(j, "esu_eligible", !s->client);
    pl_json_end_object(j);
}

static void behind(pl_json *j, const pl_rollup_status *s)
{
    static const char *const keys[PL_NCHANNELS] = {
        [PL_CHANNEL_PUBLIC] = "public", [PL_CHANNEL_ESU] = "esu",
        [PL_CHANNEL_AZURE] = "azure", [PL_CHANNEL_PREMIUM_ASSURANCE] = "premium_assurance"};
    pl_json_key(j, "behind");
    pl_json_begin_object(j);
    for (int c = 0; c < PL_NCHANNELS; c++)
        kv_int_or_null(j, keys[c], s->behind[c], s->behind[c] >= 0);
    pl_json_end_object(j);
}

/* The servicing model's answers: null, like the rollups, when unknown. */
static void servicing(pl_json *j, const pl_rollup_status *s)
{
    if (!s->applicable || s->unknown) {
        pl_json_kv_null(j, "security_level");
        pl_json_kv_null(j, "channel");
        pl_json_kv_null(j, "behind");
        pl_json_kv_null(j, "servicing_notes");
        return;
    }
    security_level(j, s);
    channel(j, s);
    behind(j, s);
    strlist_array(j, "servicing_notes", &s->notes);
}

static void catalog_entries(pl_json *j, const char *key, const pl_catalog_entry *const *es,
                            size_t n)
{
    pl_json_key(j, key);
    pl_json_begin_array(j);
    for (size_t i = 0; i < n; i++)
        catalog_entry(j, es[i]);
    pl_json_end_array(j);
}

/* Rollup conclusions need NT 6.0 and a catalog; otherwise they are null
 * (not determined), never an empty list that would read as "none". */
static void rollups(pl_json *j, const pl_rollup_status *s)
{
    pl_json_key(j, "latest_rollup");
    catalog_entry(j, s->applicable && !s->unknown ? s->latest : NULL);
    pl_json_kv_string(j, "rollups_unknown", s->unknown);
    if (!s->applicable || s->unknown) {
        pl_json_kv_null(j, "missing_rollups");
        pl_json_kv_null(j, "rollups_behind");
        pl_json_kv_null(j, "missing_prerequisites");
        return;
    }
    catalog_entries(j, "missing_rollups", s->missing, s->nmissing);
    pl_json_kv_int(j, "rollups_behind", (int64_t)s->nmissing);
    /* The monthly rollup level counted from: latest, or the newer rollup
     * an installed preview / out-of-band update contains (level_via). */
    pl_json_key(j, "rollup_level");
    catalog_entry(j, s->level);
    pl_json_key(j, "rollup_level_via");
    catalog_entry(j, s->level_via);
    pl_json_key(j, "missing_prerequisites");
    pl_json_begin_array(j);
    for (size_t i = 0; i < s->nmissing_prereqs; i++) {
        pl_json_begin_object(j);
        pl_json_kv_string(j, "kb", s->missing_prereqs[i].entry->kb);
        pl_json_kv_string(j, "kind", pl_update_kind_name(s->missing_prereqs[i].entry->kind));
        pl_json_kv_string(j, "reason", s->missing_prereqs[i].reason);
        pl_json_kv_string(j, "role", s->missing_prereqs[i].role);
        strlist_array(j, "needed_by", &s->missing_prereqs[i].needed_by);
        pl_json_end_object(j);
    }
    pl_json_end_array(j);
    catalog_entries(j, "catalog_updates_installed", s->installed, s->ninstalled);
    pl_json_key(j, "kernel_rollup");
    catalog_entry(j, s->kernel_rollup);
    /* true: the kernel is newer than every kernel the catalog knows, so
     * kernel_rollup is only the newest month it can name */
    pl_json_kv_bool(j, "kernel_rollup_after", s->kernel_after);
    pl_json_kv_string(j, "kernel_note", s->kernel_note);
}

/* The plan: null when the servicing store could not be read. */
static void next_steps(pl_json *j, const pl_assessment *a)
{
    pl_json_key(j, "next_steps");
    if (!a->next_steps_known) {
        pl_json_null(j);
        return;
    }
    pl_json_begin_array(j);
    for (size_t i = 0; i < a->nnext_steps; i++) {
        const pl_next_step *st = &a->next_steps[i];
        pl_json_begin_object(j);
        pl_json_kv_string(j, "action", st->action);
        pl_json_kv_string(j, "kb", st->kb);
        pl_json_kv_string(j, "kind", st->kind);
        pl_json_kv_string(j, "why", st->why);
        pl_json_end_object(j);
    }
    pl_json_end_array(j);
}

static void kv_time(pl_json *j, const char *key, const char *iso)
{
    pl_json_kv_string(j, key, iso && iso[0] ? iso : NULL);
}

/* From CBS install times; null when none could be read. */
static void timeline(pl_json *j, const pl_timeline *t)
{
    pl_json_key(j, "timeline");
    if (!t->known) {
        pl_json_null(j);
        return;
    }
    pl_json_begin_object(j);
    kv_time(j, "build_6003_arrived", t->build_6003);
    pl_json_kv_string(j, "build_6003_package", t->build_6003_package);
    kv_time(j, "first_install", t->first);
    kv_time(j, "newest_install", t->newest);
    pl_json_key(j, "rollups");
    pl_json_begin_array(j);
    for (size_t i = 0; i < t->nmonths; i++) {
        pl_json_begin_object(j);
        pl_json_kv_string(j, "month", t->months[i].month);
        pl_json_kv_string(j, "kb", t->months[i].kb);
        kv_time(j, "installed", t->months[i].install_time);
        pl_json_end_object(j);
    }
    pl_json_end_array(j);
    pl_json_end_object(j);
}

static void updates(pl_json *j, const pl_inst_result *r)
{
    const pl_assessment *a = &r->assess;
    pl_json_key(j, "updates");
    pl_json_begin_object(j);
    strlist_or_null(j, "kbs_installed", &a->kbs_installed, a->kbs_unknown);
    strlist_or_null(j, "kbs_superseded", &a->kbs_superseded, a->kbs_unknown);
    strlist_or_null(j, "kbs_pending_or_staged", &a->kbs_pending_or_staged, a->kbs_unknown);
    pl_json_kv_string(j, "kbs_unknown", a->kbs_unknown);
    pl_json_kv_string(j, "kbs_incomplete", a->kbs_incomplete);
    strlist_or_null(j, "unidentified_packages", &a->unidentified_packages, a->kbs_unknown);
    rollups(j, &a->rollups);
    servicing(j, &a->rollups);
    next_steps(j, a);
    timeline(j, &a->timeline);
    pl_json_kv_int(j, "manifest_files", (int64_t)r->inst.mum_files);
    core_kind(j, "packages", &r->inst);
    pl_json_end_object(j);
}

static void signal_list(pl_json *j, const char *key, const pl_pending_signal *s, size_t n,
                        const char *detail_key)
{
    pl_json_key(j, key);
    pl_json_begin_array(j);
    for (size_t i = 0; i < n; i++) {
        pl_json_begin_object(j);
        pl_json_kv_string(j, "signal", s[i].signal);
        pl_json_kv_string(j, "class", s[i].signal_class);
        pl_json_kv_string(j, "evidence", s[i].evidence);
        pl_json_kv_string(j, detail_key, s[i].detail);
        pl_json_end_object(j);
    }
    pl_json_end_array(j);
}

static void pending(pl_json *j, const pl_assessment *a)
{
    pl_json_key(j, "pending");
    pl_json_begin_object(j);
    kv_tri(j, "reboot_required", a->reboot_required, a->reboot_unknown);
    kv_tri(j, "servicing_reboot_required", a->servicing_reboot_required,
           a->servicing_reboot_unknown);
    signal_list(j, "signals", a->signals, a->nsignals, "detail");
    signal_list(j, "unknown_signals", a->unknown_signals, a->nunknown_signals, "reason");
    pl_json_end_object(j);
}

static void installation(pl_json *j, const pl_inst_result *r)
{
    pl_json_begin_object(j);
    location(j, &r->inst);
    os(j, r);
    core_kind(j, "files", &r->inst);
    wim_xml(j, &r->inst.wim_xml);
    build6003(j, &r->assess.b6003);
    updates(j, r);
    pending(j, &r->assess);
    evidence_kinds(j, &r->inst);   /* "compat_6002", then any later kind */
    const pl_notes *lists[] = {&r->inst.warnings, &r->assess.warnings};
    notes(j, "warnings", "warning_details", lists, 2);
    pl_json_end_object(j);
}

void pl_report_json_installation(pl_json *j, const pl_inst_result *r)
{
    installation(j, r);
}

/* errors again, each with its stable code, in the same order: errors
 * stays an array of strings (a contract), and --resume decides on the
 * codes which failures to retry. */
static void error_details(pl_json *j, const pl_input_result *r)
{
    pl_json_key(j, "error_details");
    pl_json_begin_array(j);
    for (size_t i = 0; i < r->errors.len; i++) {
        pl_json_begin_object(j);
        pl_json_kv_string(j, "code", i < r->error_codes.len
                                         ? r->error_codes.items[i]
                                         : pl_error_code_name(PL_ERR_INTERNAL));
        pl_json_kv_string(j, "message", r->errors.items[i]);
        pl_json_end_object(j);
    }
    pl_json_end_array(j);
}

void pl_report_json_object(pl_json *j, const pl_input_result *r)
{
    pl_json_begin_object(j);
    pl_json_kv_string(j, "schema", PL_SCHEMA);
    pl_json_kv_string(j, "input", r->input);
    kv_int_or_null(j, "input_size", r->input_size, r->input_size >= 0);
    char mtime[32];
    if (r->input_mtime >= 0)
        pl_unixtime_to_iso(r->input_mtime, mtime);
    pl_json_kv_string(j, "input_mtime", r->input_mtime >= 0 ? mtime : NULL);
    kv_int_or_null(j, "input_mtime_epoch", r->input_mtime, r->input_mtime >= 0);
    pl_json_kv_string(j, "container", r->container);
    strlist_array(j, "chain", &r->chain);
    pl_report_catalog_identity(j, r->catalog);
    pl_report_provenance(j, r);
    pl_report_input_hashes(j, r);
    pl_report_acquisition(j, r);
    pl_json_key(j, "installations");
    pl_json_begin_array(j);
    for (size_t i = 0; i < r->ninsts; i++)
        installation(j, &r->insts[i]);
    pl_json_end_array(j);
    const pl_notes *warnings = &r->warnings;
    notes(j, "warnings", "warning_details", &warnings, 1);
    strlist_array(j, "errors", &r->errors);
    error_details(j, r);
    pl_json_kv_int(j, "bytes_read", (int64_t)r->bytes_read);
    pl_json_end_object(j);
}
