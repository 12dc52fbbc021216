/* The summary as aligned text for a terminal or a ticket: one section per
 * question, a count per line, then the two lists. Strings from images
 * are escaped so that they cannot drive the terminal. */
#include <stdio.h>
#include <string.h>

#include "report/summary.h"
#include "util/escape.h"

/* Labels are padded to this many columns so every count lines up. */
#define LABEL_WIDTH 28
/* A list column grows with its widest value up to this, then overflows
 * (one long path should not push every other row off the screen). */
#define MAX_COLUMN 60

/* Strings from results (input names, errors, product names) are escaped
 * (util/escape.h) so they cannot drive the terminal or forge a line. */
static void put_clean(FILE *out, const char *s)
{
    fputs(pl_esc(s), out);
}

/* s cleaned, then padded with spaces to width columns. */
static void put_cell(FILE *out, const char *s, size_t width)
{
    const char *e = pl_esc(s);
    fputs(e, out);
    for (size_t w = pl_summary_width(e); w < width; w++)
        fputc(' ', out);
}

static void count_line(FILE *out, const char *label, size_t n)
{
    fputs("  ", out);
    put_cell(out, label, LABEL_WIDTH);
    fprintf(out, "%8zu\n", n);
}

static void heading(FILE *out, const char *title)
{
    fprintf(out, "\n%s\n", title);
}

static void inputs_section(FILE *out, const pl_summary *s)
{
    heading(out, "Inputs");
    count_line(out, "total", s->ninputs);
    count_line(out, "analyzed", s->analyzed);
    count_line(out, "analyzed, no Windows found", s->no_installation);
    count_line(out, "failed", s->failed);
}

static void installations_section(FILE *out, const pl_summary *s)
{
    heading(out, "Installations");
    count_line(out, "total", s->installations);
    count_line(out, "pending reboot", s->reboot_pending);
    count_line(out, "reboot not determined", s->reboot_undetermined);
    count_line(out, "no, but 6003 pending", s->no_but_6003_pending);
    count_line(out, "scanned for 6002 checks", s->compat_scanned);
    count_line(out, "will break at 6003", s->compat_with_risks);
    heading(out, "Build 6003 verdict");
    for (int v = 0; v < PL_SV_COUNT; v++)
        count_line(out, pl_summary_verdict_names[v], s->verdicts[v]);
}

static void rollup_sections(FILE *out, const pl_summary *s)
{
    heading(out, "Newest monthly rollup installed (release month)");
    count_line(out, PL_SUMMARY_NO_ROLLUP, s->rollup_none);
    for (size_t i = 0; i < s->nmonths; i++)
        count_line(out, s->months[i].month, s->months[i].count);
    count_line(out, PL_SUMMARY_UNDETERMINED, s->rollup_undetermined);
    heading(out, "Monthly rollups behind");
    for (int b = 0; b < PL_BEHIND_COUNT; b++)
        count_line(out, pl_summary_behind_names[b], s->behind[b]);
}

static void servicing_sections(FILE *out, const pl_summary *s)
{
    heading(out, "Security level (newest month whose fixes are installed)");
    count_line(out, "none", s->sec_none);
    for (size_t i = 0; i < s->nsec_months; i++)
        count_line(out, s->sec_months[i].month, s->sec_months[i].count);
    count_line(out, PL_SUMMARY_UNDETERMINED, s->sec_undetermined);
    heading(out, "Channel the installed updates prove");
    for (int c = 0; c < PL_SCH_COUNT; c++)
        count_line(out, pl_summary_channel_names[c], s->channels[c]);
    heading(out, "Next steps");
    for (int k = 0; k < PL_STEP_COUNT; k++)
        count_line(out, pl_summary_step_names[k], s->steps[k]);
}

static size_t widest(size_t w, const char *s)
{
    size_t n = pl_summary_width(pl_esc(s));
    if (n > MAX_COLUMN)
        n = MAX_COLUMN;
    return n > w ? n : w;
}

static void os_section(FILE *out, const pl_summary *s)
{
    heading(out, "Operating systems (product, edition, architecture)");
    size_t wp = strlen("PRODUCT"), we = strlen("EDITION"), wa = strlen("ARCH");
    for (size_t i = 0; i < s->nos; i++) {
        wp = widest(wp, s->os[i].product);
        we = widest(we, s->os[i].edition);
        wa = widest(wa, s->os[i].arch);
    }
    fputs("  ", out);
    put_cell(out, "PRODUCT", wp + 2);
    put_cell(out, "EDITION", we + 2);
    put_cell(out, "ARCH", wa);
    fputs("   COUNT\n", out);
    for (size_t i = 0; i < s->nos; i++) {
        fputs("  ", out);
        put_cell(out, s->os[i].product, wp + 2);
        put_cell(out, s->os[i].edition, we + 2);
        put_cell(out, s->os[i].arch, wa);
        fprintf(out, "%8zu\n", s->os[i].count);
    }
}

static void more_line(FILE *out, size_t total, size_t listed)
{
    if (total > listed)
        fprintf(out, "  ... and %zu more\n", total - listed);
}

static void failed_section(FILE *out, const pl_summary *s)
{
    fprintf(out, "\nFailed inputs (%zu)\n", s->failed);
    size_t w = strlen("INPUT");
    for (size_t i = 0; i < s->nfailures_listed; i++)
        w = widest(w, s->failures[i]->input);
    if (s->nfailures_listed) {
        fputs("  ", out);
        put_cell(out, "INPUT", w + 2);
        fputs("ERROR\n", out);
    }
    for (size_t i = 0; i < s->nfailures_listed; i++) {
        fputs("  ", out);
        put_cell(out, s->failures[i]->input, w + 2);
        put_clean(out, s->failures[i]->error);
        fputc('\n', out);
    }
    more_line(out, s->failed, s->nfailures_listed);
}

/* "no (6003 pending)" reads better than a separate column. */
static const char *verdict_text(const pl_summary_inst *it)
{
    if (it->verdict == PL_SV_NO && it->pending_6003)
        return "no (6003 pending)";
    return pl_summary_verdict_names[it->verdict];
}

static void lagging_section(FILE *out, const pl_summary *s)
{
    fprintf(out, "\nNT 6.0 installations not at build 6003 (%zu)\n", s->nlagging);
    size_t wi = strlen("INPUT"), wl = strlen("LOCATION"), wv = strlen("VERDICT");
    for (size_t i = 0; i < s->nlagging_listed; i++) {
        wi = widest(wi, s->lagging[i].in->input);
        wl = widest(wl, s->lagging[i].inst->location);
        wv = widest(wv, verdict_text(s->lagging[i].inst));
    }
    if (s->nlagging_listed) {
        fputs("  ", out);
        put_cell(out, "INPUT", wi + 2);
        put_cell(out, "LOCATION", wl + 2);
        put_cell(out, "VERDICT", wv + 2);
        fputs("NEWEST ROLLUP\n", out);
    }
    for (size_t i = 0; i < s->nlagging_listed; i++) {
        const pl_summary_lagging *r = &s->lagging[i];
        fputs("  ", out);
        put_cell(out, r->in->input, wi + 2);
        put_cell(out, r->inst->location, wl + 2);
        put_cell(out, verdict_text(r->inst), wv + 2);
        put_clean(out, r->inst->rollup);
        fputc('\n', out);
    }
    more_line(out, s->nlagging, s->nlagging_listed);
}

int pl_summary_write_text(FILE *out, const pl_summary *s)
{
    fprintf(out, "patchlevel fleet summary: %zu result file%s, %zu line%s read, %zu skipped\n",
            s->files, s->files == 1 ? "" : "s", s->lines, s->lines == 1 ? "" : "s",
            s->lines_skipped);
    if (s->files_failed)
        fprintf(out, "%zu result file%s could not be read\n", s->files_failed,
                s->files_failed == 1 ? "" : "s");
    inputs_section(out, s);
    installations_section(out, s);
    rollup_sections(out, s);
    servicing_sections(out, s);
    os_section(out, s);
    failed_section(out, s);
    lagging_section(out, s);
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
