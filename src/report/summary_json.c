/* The summary as one JSON object: the same counts as the CSV, grouped by
 * section, for scripts that would rather not parse "section,key,count".
 * Keys are the CSV's keys. Then the lists: "provenance" (this summary's
 * tool and time, and each distinct tool / libraries / options / catalog
 * that wrote the results, with how many inputs and when),
 * "per_installation" (every installation: the HTML table's columns; null
 * where unknown, with identity_recorded / roles_recorded false for
 * results written before those facts were reported), "failed_inputs" and
 * "no_installation_inputs". */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "report/summary.h"
#include "util/json_writer.h"

static void count(pl_json *j, const char *key, size_t n)
{
    pl_json_key(j, key);
    pl_json_uint(j, n);
}

static void months(pl_json *j, const char *key, const char *none_key, size_t none,
                   const pl_summary_month *m, size_t n, size_t undetermined)
{
    pl_json_key(j, key);
    pl_json_begin_object(j);
    count(j, none_key, none);
    for (size_t i = 0; i < n; i++)
        count(j, m[i].month, m[i].count);
    count(j, PL_SUMMARY_UNDETERMINED, undetermined);
    pl_json_end_object(j);
}

static void named(pl_json *j, const char *key, const char *const *names, const size_t *v, int n)
{
    pl_json_key(j, key);
    pl_json_begin_object(j);
    for (int i = 0; i < n; i++)
        count(j, names[i], v[i]);
    pl_json_end_object(j);
}

static void totals(pl_json *j, const pl_summary *s)
{
    pl_json_key(j, "files");
    pl_json_begin_object(j);
    count(j, "read", s->files - s->files_failed);
    count(j, "unreadable", s->files_failed);
    count(j, "lines", s->lines);
    count(j, "lines_skipped", s->lines_skipped);
    pl_json_end_object(j);
    pl_json_key(j, "inputs");
    pl_json_begin_object(j);
    count(j, "total", s->ninputs);
    count(j, "analyzed", s->analyzed);
    count(j, "no_installation", s->no_installation);
    count(j, "failed", s->failed);
    pl_json_end_object(j);
    pl_json_key(j, "installations");
    pl_json_begin_object(j);
    count(j, "total", s->installations);
    count(j, "reboot_pending", s->reboot_pending);
    count(j, "reboot_undetermined", s->reboot_undetermined);
    count(j, "no_but_6003_pending", s->no_but_6003_pending);
    count(j, "not_at_6003", s->nlagging);
    count(j, "scanned_for_6002_checks", s->compat_scanned);
    count(j, "with_6002_checks", s->compat_with_risks);
    pl_json_end_object(j);
}

static void os_list(pl_json *j, const pl_summary *s)
{
    pl_json_key(j, "os");
    pl_json_begin_array(j);
    for (size_t i = 0; i < s->nos; i++) {
        pl_json_begin_object(j);
        pl_json_kv_string(j, "product", s->os[i].product);
        pl_json_kv_string(j, "edition", s->os[i].edition);
        pl_json_kv_string(j, "arch", s->os[i].arch);
        count(j, "count", s->os[i].count);
        pl_json_end_object(j);
    }
    pl_json_end_array(j);
}

/* ---- the lists --------------------------------------------------------- */

/* The buffer is written out every so often: a fleet's rows need not all
 * be held in memory. */
enum { FLUSH_BYTES = 1 << 20 };

static int flush(pl_json *j, FILE *out)
{
    if (j->len < FLUSH_BYTES)
        return 0;
    int rc = pl_json_write(j, out);
    j->len = 0;
    return rc;
}

static void kv_tri(pl_json *j, const char *key, int v)
{
    pl_json_key(j, key);
    if (v < 0)
        pl_json_null(j);
    else
        pl_json_bool(j, v);
}

static void identity_members(pl_json *j, const pl_summary_inst *it)
{
    pl_json_kv_string(j, "computer_name", it->computer);
    pl_json_kv_string(j, "dns_hostname", it->dns_hostname);
    pl_json_kv_string(j, "domain", it->domain);
    pl_json_kv_string(j, "membership", it->membership == PL_MEMBER_DOMAIN      ? "domain"
                                       : it->membership == PL_MEMBER_WORKGROUP ? "workgroup"
                                                                               : NULL);
    pl_json_kv_string(j, "workgroup", it->workgroup);
    kv_tri(j, "domain_controller", it->domain_controller);
    pl_json_kv_bool(j, "identity_recorded", it->identity_rec != PL_REC_ABSENT);
    pl_json_key(j, "roles");
    if (it->roles_rec != PL_REC_VALUE) {
        pl_json_null(j);
    } else {
        pl_json_begin_array(j);
        for (size_t r = 0; r < it->nroles; r++)
            pl_json_string(j, it->roles[r]);
        pl_json_end_array(j);
    }
    pl_json_kv_int(j, "roles_not_listed", (int64_t)it->roles_more);
    pl_json_kv_bool(j, "roles_recorded", it->roles_rec != PL_REC_ABSENT);
}

static void servicing_members(pl_json *j, const pl_summary_inst *it)
{
    pl_json_kv_string(j, "verdict", pl_summary_verdict_names[it->verdict]);
    pl_json_kv_bool(j, "pending_6003", it->pending_6003);
    pl_json_kv_string(j, "security_level", it->sec_month[0] ? it->sec_month
                                            : it->sec_none ? "none"
                                                           : NULL);
    int rollup_known = it->month[0] || it->rollup_none;
    pl_json_kv_string(j, "newest_rollup", rollup_known ? it->rollup : NULL);
    pl_json_key(j, "rollups_behind");
    if (it->behind < 0)
        pl_json_null(j);
    else
        pl_json_int(j, it->behind);
    kv_tri(j, "reboot_required", it->reboot_required);
    pl_json_kv_string(j, "next_step", it->next_step);
    pl_json_key(j, "next_steps");
    if (it->steps & (1u << PL_STEP_UNDETERMINED))
        pl_json_null(j);
    else
        pl_json_int(j, (int64_t)it->nsteps);
}

/* Which tool and catalog wrote this row's result, and when (null when the
 * result does not say). */
static void row_provenance(pl_json *j, const pl_summary *s, const pl_summary_input *in)
{
    const pl_summary_prov *p = in->prov ? &s->provs[in->prov - 1] : NULL;
    pl_json_kv_string(j, "tool", p ? p->tool : NULL);
    pl_json_kv_string(j, "catalog_sha256", p ? p->catalog_sha256 : NULL);
    pl_json_kv_string(j, "analyzed_at", in->analyzed_at[0] ? in->analyzed_at : NULL);
}

/* Every installation, one object each (the HTML table's columns). */
static int installation_rows(pl_json *j, FILE *out, const pl_summary *s)
{
    int rc = 0;
    pl_json_key(j, "per_installation");
    pl_json_begin_array(j);
    for (size_t i = 0; i < s->ninputs; i++)
        for (size_t k = 0; k < s->inputs[i].ninsts; k++) {
            const pl_summary_inst *it = &s->inputs[i].insts[k];
            pl_json_begin_object(j);
            pl_json_kv_string(j, "input", s->inputs[i].input);
            pl_json_kv_string(j, "location", it->location);
            identity_members(j, it);
            pl_json_kv_string(j, "product", it->product);
            pl_json_kv_string(j, "edition", it->edition);
            pl_json_kv_string(j, "arch", it->arch);
            servicing_members(j, it);
            pl_json_kv_string(j, "errors", s->inputs[i].error);
            row_provenance(j, s, &s->inputs[i]);
            pl_json_end_object(j);
            rc |= flush(j, out);
        }
    pl_json_end_array(j);
    return rc;
}

/* The inputs that failed and those without Windows, every one. */
static int input_lists(pl_json *j, FILE *out, const pl_summary *s)
{
    int rc = 0;
    pl_json_key(j, "failed_inputs");
    pl_json_begin_array(j);
    for (size_t i = 0; i < s->ninputs; i++)
        if (s->inputs[i].error) {
            pl_json_begin_object(j);
            pl_json_kv_string(j, "input", s->inputs[i].input);
            pl_json_kv_string(j, "errors", s->inputs[i].error);
            pl_json_end_object(j);
            rc |= flush(j, out);
        }
    pl_json_end_array(j);
    pl_json_key(j, "no_installation_inputs");
    pl_json_begin_array(j);
    for (size_t i = 0; i < s->ninputs; i++)
        if (!s->inputs[i].error && !s->inputs[i].ninsts) {
            pl_json_string(j, s->inputs[i].input);
            rc |= flush(j, out);
        }
    pl_json_end_array(j);
    return rc;
}

static void prov_result(pl_json *j, const pl_summary_prov *p)
{
    pl_json_begin_object(j);
    pl_json_kv_string(j, "tool", p->tool);
    pl_json_kv_string(j, "libraries", p->libraries);
    pl_json_kv_string(j, "options", p->options);
    pl_json_key(j, "catalog");
    if (p->catalog_rec == PL_REC_VALUE) {
        pl_json_begin_object(j);
        pl_json_kv_string(j, "path", p->catalog_path);
        pl_json_kv_string(j, "sha256", p->catalog_sha256);
        pl_json_kv_string(j, "newest", p->catalog_newest);
        pl_json_end_object(j);
    } else {
        pl_json_null(j);
    }
    pl_json_kv_bool(j, "provenance_recorded", p->tool_rec != PL_REC_ABSENT);
    pl_json_kv_bool(j, "catalog_recorded", p->catalog_rec != PL_REC_ABSENT);
    pl_json_kv_string(j, "analyzed_first", p->first_at[0] ? p->first_at : NULL);
    pl_json_kv_string(j, "analyzed_last", p->last_at[0] ? p->last_at : NULL);
    count(j, "inputs", p->inputs);
    pl_json_end_object(j);
}

/* Who wrote this summary, when, and who wrote the results it read. */
static void provenance(pl_json *j, const pl_summary *s)
{
    char when[24];
    pl_summary_iso_time(s->summarized_at, when);
    pl_json_key(j, "provenance");
    pl_json_begin_object(j);
    pl_json_kv_string(j, "tool", "patchlevel " PACKAGE_VERSION);
    pl_json_kv_string(j, "summarized_at", when);
    pl_json_key(j, "results");
    pl_json_begin_array(j);
    for (size_t i = 0; i < s->nprovs; i++)
        if (s->provs[i].inputs)
            prov_result(j, &s->provs[i]);
    pl_json_end_array(j);
    count(j, "results_other", s->prov_other);
    pl_json_end_object(j);
}

int pl_summary_write_json(FILE *out, const pl_summary *s)
{
    pl_json j;
    pl_json_init(&j, 1);
    pl_json_begin_object(&j);
    pl_json_kv_string(&j, "schema", "patchlevel-summary/1");
    totals(&j, s);
    named(&j, "verdict", pl_summary_verdict_names, s->verdicts, PL_SV_COUNT);
    months(&j, "rollup_month", PL_SUMMARY_NO_ROLLUP, s->rollup_none, s->months, s->nmonths,
           s->rollup_undetermined);
    named(&j, "rollups_behind", pl_summary_behind_names, s->behind, PL_BEHIND_COUNT);
    os_list(&j, s);
    months(&j, "security_month", "none", s->sec_none, s->sec_months, s->nsec_months,
           s->sec_undetermined);
    named(&j, "channel", pl_summary_channel_names, s->channels, PL_SCH_COUNT);
    named(&j, "next_step", pl_summary_step_names, s->steps, PL_STEP_COUNT);
    provenance(&j, s);
    int rc = installation_rows(&j, out, s);
    rc |= input_lists(&j, out, s);
    pl_json_end_object(&j);
    rc |= pl_json_write(&j, out);
    fputc('\n', out);
    pl_json_free(&j);
    return rc == 0 && fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
