/* The summary as aligned text for a terminal or a ticket: one section per
 * question, a count per line, then the lists (the installations, those not
 * at 6003, the failed inputs) and the provenance. Strings from images
 * are escaped so that they cannot drive the terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
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

#define verdict_text pl_summary_verdict_text

/* ---- the installations ------------------------------------------------- */

/* The cells of one row of the installations table (the HTML table's
 * columns, less the OS and errors which have their own sections). */
enum { S_COMPUTER, S_DOMAIN, S_ROLES, S_VERDICT, S_SECURITY, S_BEHIND, S_REBOOT, S_NEXT, S_INPUT,
       S_COUNT };
static const char *const server_heads[S_COUNT] = {
    "COMPUTER", "DOMAIN", "ROLES", "VERDICT", "SECURITY", "BEHIND", "REBOOT", "NEXT STEP", "INPUT",
};

static void server_cells(const pl_summary_input *in, const pl_summary_inst *it, char *c[S_COUNT])
{
    const char *dash = "\xE2\x80\x94";   /* unknown: the em dash the page shows */
    c[S_COMPUTER] = pl_xstrdup(it->computer ? it->computer : dash);
    c[S_DOMAIN] = pl_summary_domain_text(it);
    if (!c[S_DOMAIN])
        c[S_DOMAIN] = pl_xstrdup(dash);
    c[S_ROLES] = pl_summary_roles_text(it);
    c[S_VERDICT] = pl_xstrdup(pl_summary_verdict_text(it));
    c[S_SECURITY] = pl_xstrdup(pl_summary_security_text(it));
    c[S_BEHIND] = it->behind >= 0 ? pl_xasprintf("%lld", (long long)it->behind) : pl_xstrdup(dash);
    c[S_REBOOT] = pl_xstrdup(pl_summary_reboot_text(it));
    c[S_NEXT] = pl_summary_next_step_text(it);
    c[S_INPUT] = pl_xstrdup(in->input);
}

static void free_cells(char *c[S_COUNT])
{
    for (int k = 0; k < S_COUNT; k++)
        free(c[k]);
}

/* Calls row(out, cells) for each of the first PL_SUMMARY_LIST_MAX
 * installations; returns how many. */
static size_t each_server(FILE *out, const pl_summary *s, size_t w[S_COUNT],
                          void (*row)(FILE *, char *[S_COUNT], size_t[S_COUNT]))
{
    size_t listed = 0;
    for (size_t i = 0; i < s->ninputs && listed < PL_SUMMARY_LIST_MAX; i++)
        for (size_t k = 0; k < s->inputs[i].ninsts && listed < PL_SUMMARY_LIST_MAX; k++, listed++) {
            char *c[S_COUNT];
            server_cells(&s->inputs[i], &s->inputs[i].insts[k], c);
            row(out, c, w);
            free_cells(c);
        }
    return listed;
}

static size_t widest(size_t w, const char *s);

static void measure_row(FILE *out, char *c[S_COUNT], size_t w[S_COUNT])
{
    (void)out;
    for (int k = 0; k < S_COUNT; k++)
        w[k] = widest(w[k], c[k]);
}

static void print_row(FILE *out, char *c[S_COUNT], size_t w[S_COUNT])
{
    fputs("  ", out);
    for (int k = 0; k < S_COUNT - 1; k++)
        put_cell(out, c[k], w[k] + 2);
    put_clean(out, c[S_COUNT - 1]);
    fputc('\n', out);
}

static void servers_section(FILE *out, const pl_summary *s)
{
    fprintf(out, "\nInstallations (%zu)\n", s->installations);
    if (!s->installations)
        return;
    size_t w[S_COUNT];
    for (int k = 0; k < S_COUNT; k++)
        w[k] = strlen(server_heads[k]);
    each_server(out, s, w, measure_row);
    print_row(out, (char **)server_heads, w);
    size_t listed = each_server(out, s, w, print_row);
    more_line(out, s->installations, listed);
}

/* ---- provenance --------------------------------------------------------- */

static void provenance_section(FILE *out, const pl_summary *s)
{
    char when[24];
    pl_summary_iso_time(s->summarized_at, when);
    fprintf(out, "\nProvenance\n  summary     patchlevel %s, %s\n", PACKAGE_VERSION, when);
    for (size_t i = 0; i < s->nprovs; i++) {
        const pl_summary_prov *p = &s->provs[i];
        if (!p->inputs)
            continue;
        fprintf(out, "  results     %zu input%s: ", p->inputs, p->inputs == 1 ? "" : "s");
        put_clean(out, p->tool ? p->tool : "tool " PL_SUMMARY_NOT_RECORDED);
        if (p->first_at[0]) {
            fprintf(out, ", analyzed %s", p->first_at);
            if (strcmp(p->first_at, p->last_at) != 0)
                fprintf(out, " to %s", p->last_at);
        }
        fputs("\n              catalog ", out);
        if (p->catalog_rec == PL_REC_VALUE) {
            put_clean(out, p->catalog_path ? p->catalog_path : "(path not recorded)");
            fputs(" sha256 ", out);
            put_clean(out, p->catalog_sha256 ? p->catalog_sha256 : PL_SUMMARY_NOT_RECORDED);
            fputs(" newest ", out);
            put_clean(out, p->catalog_newest ? p->catalog_newest : PL_SUMMARY_NOT_RECORDED);
        } else {
            fputs(p->catalog_rec == PL_REC_NULL ? "none" : PL_SUMMARY_NOT_RECORDED, out);
        }
        fputc('\n', out);
        if (p->options) {
            fputs("              options ", out);
            put_clean(out, p->options);
            fputc('\n', out);
        }
    }
    if (s->prov_other)
        fprintf(out, "  results     %zu inputs: other provenances, not told apart\n", s->prov_other);
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
    servers_section(out, s);
    lagging_section(out, s);
    failed_section(out, s);
    provenance_section(out, s);
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
