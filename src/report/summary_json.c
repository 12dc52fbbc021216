/* The summary as one JSON object: the same counts as the CSV, grouped by
 * section, for scripts that would rather not parse "section,key,count".
 * Keys are the CSV's keys; the lists (failed inputs, installations not at
 * 6003) are in the text and HTML summaries. */
#include <stdio.h>

#include "util/json_writer.h"
#include "report/summary.h"

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
    pl_json_end_object(&j);
    int rc = pl_json_write(&j, out);
    fputc('\n', out);
    pl_json_free(&j);
    return rc == 0 && fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
