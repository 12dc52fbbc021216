/* The summary as CSV: one row per count, so a spreadsheet or a script can
 * pick any number by (section, key), then one row per installation
 * (section "installation", key its number from 1, count empty) with the
 * HTML table's columns after the count. Every row has every column (the
 * count rows leave the installation columns empty), so strict readers
 * take it as one table. RFC 4180 quoting and CRLF line ends, like the
 * per-installation CSV; unknown values are written as the words the
 * other formats use ("not recorded", "not determined").
 *
 * Sections and keys:
 *   files          read, unreadable, lines, lines_skipped
 *   inputs         total, analyzed, no_installation, failed
 *   installations  total, reboot_pending, reboot_undetermined, no_but_6003_pending, not_at_6003,
 *                  scanned_for_6002_checks, with_6002_checks (--find-6002-checks: scanned,
 *                  and with a risk that breaks at 6003)
 *   verdict        yes, no, inconsistent, not-applicable, unknown
 *   rollup_month   none installed, YYYY-MM (ascending), not determined
 *   rollups_behind 0, 1-6, 7-12, 13-24, >24, not determined
 *   os             "PRODUCT / EDITION / ARCH"
 *   security_month none, YYYY-MM or "after YYYY-MM" (ascending), not determined
 *   channel        public, esu, azure, premium-assurance, not determined
 *   next_step      needs SSU, needs SHA-2, needs ESU licensing, needs reboot,
 *                  current for its channel, not determined (an installation
 *                  may count under several "needs")
 *   installation   1, 2, ...: one row per installation, count empty */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/summary.h"

/* The columns after section,key,count. */
static const char *const columns[] = {
    "input", "location", "computer", "dns_hostname", "domain", "roles", "product", "edition",
    "arch", "verdict", "security_level", "rollups_behind", "reboot_required", "next_step",
    "errors", "tool", "catalog", "catalog_sha256", "analyzed_at",
};
#define NCOLS (sizeof columns / sizeof *columns)

static void row(FILE *out, const char *section, const char *key, size_t count)
{
    pl_csv_field(out, section);
    fputc(',', out);
    pl_csv_field(out, key);
    fprintf(out, ",%zu", count);
    for (size_t i = 0; i < NCOLS; i++)
        fputc(',', out);
    fputs("\r\n", out);
}

static void cell(FILE *out, const char *s)
{
    fputc(',', out);
    pl_csv_field(out, s);
}

static void cell_owned(FILE *out, char *s)
{
    cell(out, s);
    free(s);
}

static void provenance_cells(FILE *out, const pl_summary *s, const pl_summary_input *in)
{
    const pl_summary_prov *p = in->prov ? &s->provs[in->prov - 1] : NULL;
    cell(out, p && p->tool ? p->tool : PL_SUMMARY_NOT_RECORDED);
    if (!p || p->catalog_rec == PL_REC_ABSENT)
        cell(out, PL_SUMMARY_NOT_RECORDED);
    else
        cell(out, p->catalog_rec == PL_REC_NULL ? "no catalog" : p->catalog_path);
    cell(out, p ? p->catalog_sha256 : NULL);
    cell(out, in->analyzed_at);
}

static void installation_row(FILE *out, const pl_summary *s, const pl_summary_input *in,
                             const pl_summary_inst *it, size_t n)
{
    fprintf(out, "installation,%zu,", n);
    cell(out, in->input);
    cell(out, it->location);
    cell(out, it->computer ? it->computer : pl_summary_unknown(it->computer_rec));
    cell(out, it->dns_hostname);
    char *domain = pl_summary_domain_text(it);
    cell(out, domain ? domain : pl_summary_unknown(it->identity_rec));
    free(domain);
    cell_owned(out, pl_summary_roles_text(it));
    cell(out, it->product);
    cell(out, it->edition);
    cell(out, it->arch);
    cell(out, pl_summary_verdict_text(it));
    cell(out, pl_summary_security_text(it));
    if (it->behind >= 0)
        fprintf(out, ",%lld", (long long)it->behind);
    else
        cell(out, PL_SUMMARY_UNDETERMINED);
    cell(out, pl_summary_reboot_text(it));
    cell_owned(out, pl_summary_next_step_text(it));
    cell(out, in->error);
    provenance_cells(out, s, in);
    fputs("\r\n", out);
}

static void os_rows(FILE *out, const pl_summary *s)
{
    for (size_t i = 0; i < s->nos; i++) {
        const pl_summary_os *o = &s->os[i];
        char *key = pl_xasprintf("%s / %s / %s", o->product, o->edition, o->arch);
        row(out, "os", key, o->count);
        free(key);
    }
}

static void rollup_rows(FILE *out, const pl_summary *s)
{
    row(out, "rollup_month", PL_SUMMARY_NO_ROLLUP, s->rollup_none);
    for (size_t i = 0; i < s->nmonths; i++)
        row(out, "rollup_month", s->months[i].month, s->months[i].count);
    row(out, "rollup_month", PL_SUMMARY_UNDETERMINED, s->rollup_undetermined);
    for (int b = 0; b < PL_BEHIND_COUNT; b++)
        row(out, "rollups_behind", pl_summary_behind_names[b], s->behind[b]);
}

static void servicing_rows(FILE *out, const pl_summary *s)
{
    row(out, "security_month", "none", s->sec_none);
    for (size_t i = 0; i < s->nsec_months; i++)
        row(out, "security_month", s->sec_months[i].month, s->sec_months[i].count);
    row(out, "security_month", PL_SUMMARY_UNDETERMINED, s->sec_undetermined);
    for (int c = 0; c < PL_SCH_COUNT; c++)
        row(out, "channel", pl_summary_channel_names[c], s->channels[c]);
    for (int k = 0; k < PL_STEP_COUNT; k++)
        row(out, "next_step", pl_summary_step_names[k], s->steps[k]);
}

int pl_summary_write_csv(FILE *out, const pl_summary *s)
{
    fputs("section,key,count", out);
    for (size_t i = 0; i < NCOLS; i++)
        fprintf(out, ",%s", columns[i]);
    fputs("\r\n", out);
    row(out, "files", "read", s->files - s->files_failed);
    row(out, "files", "unreadable", s->files_failed);
    row(out, "files", "lines", s->lines);
    row(out, "files", "lines_skipped", s->lines_skipped);
    row(out, "inputs", "total", s->ninputs);
    row(out, "inputs", "analyzed", s->analyzed);
    row(out, "inputs", "no_installation", s->no_installation);
    row(out, "inputs", "failed", s->failed);
    row(out, "installations", "total", s->installations);
    row(out, "installations", "reboot_pending", s->reboot_pending);
    row(out, "installations", "reboot_undetermined", s->reboot_undetermined);
    row(out, "installations", "no_but_6003_pending", s->no_but_6003_pending);
    row(out, "installations", "not_at_6003", s->nlagging);
    row(out, "installations", "scanned_for_6002_checks", s->compat_scanned);
    row(out, "installations", "with_6002_checks", s->compat_with_risks);
    for (int v = 0; v < PL_SV_COUNT; v++)
        row(out, "verdict", pl_summary_verdict_names[v], s->verdicts[v]);
    rollup_rows(out, s);
    os_rows(out, s);
    servicing_rows(out, s);
    size_t n = 0;
    for (size_t i = 0; i < s->ninputs; i++)
        for (size_t k = 0; k < s->inputs[i].ninsts; k++)
            installation_row(out, s, &s->inputs[i], &s->inputs[i].insts[k], ++n);
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
