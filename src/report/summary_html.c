/* The summary as one self-contained HTML page: inline CSS, charts as
 * inline SVG with the number printed next to each bar, no script and no
 * network resource of any kind, so that it can be mailed, archived with a
 * case, or opened on an air-gapped examiner's machine.
 *
 * Every string that came from a result (input names, locations, product
 * names, error texts) is HTML-escaped: they come from images and are
 * hostile. A Content-Security-Policy that allows nothing but the inline
 * style backs the escaping up: even a mistake could not run a script or
 * fetch anything.
 *
 * Each count carries data-metric="SECTION.KEY" with the section and key
 * of its CSV row, for tests and for anyone scraping the page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/summary.h"

/* ---- escaping --------------------------------------------------------- */

/* Text and attribute values alike: & < > " ' escaped; C0 controls other
 * than tab and newline (not allowed in HTML) shown as U+FFFD. */
static void esc(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7F)
                fputs("\xEF\xBF\xBD", out);
            else
                fputc(*p, out);
        }
    }
}

/* <open>escaped s</close> */
static void element(FILE *out, const char *open, const char *s, const char *close)
{
    fputs(open, out);
    esc(out, s);
    fputs(close, out);
}

/* ---- page frame ------------------------------------------------------- */

static const char style[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,"
    "sans-serif;color:#1d2327;background:#f4f5f7;margin:0;padding:24px}"
    "main{max-width:1100px;margin:0 auto}"
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:0 0 12px}"
    ".meta{color:#555;margin:0 0 20px}"
    "section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:16px 20px;"
    "margin:0 0 18px}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px}"
    ".card{flex:1 1 150px;border:1px solid #dde1e6;border-radius:6px;padding:10px 14px}"
    ".card .num{display:block;font-size:26px;font-weight:600}"
    ".card .lbl{color:#555;font-size:13px}"
    ".card.bad .num{color:#c62828}.card.good .num{color:#2e7d32}"
    "svg{max-width:100%;height:auto;display:block}"
    "svg text{font:13px system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;fill:#1d2327}"
    "svg .v{font-weight:600}"
    ".c-yes{fill:#2e7d32}.c-no{fill:#c62828}.c-inconsistent{fill:#ef6c00}"
    ".c-na{fill:#90a4ae}.c-unknown{fill:#6a1b9a}.c-month{fill:#1565c0}"
    ".c-b0{fill:#2e7d32}.c-b1{fill:#9e9d24}.c-b2{fill:#f9a825}.c-b3{fill:#ef6c00}"
    ".c-b4{fill:#c62828}"
    "table{border-collapse:collapse;width:100%;font-size:14px}"
    "th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e6e8eb;vertical-align:top}"
    "th{background:#f0f2f4;font-weight:600}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "td.path{word-break:break-all}"
    ".more,.none{color:#555;margin:8px 0 0}"
    ".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:18px;"
    "margin:0 0 18px}"
    ".grid section{margin:0}";

static void page_head(FILE *out)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>patchlevel fleet summary</title>\n<style>",
          out);
    fputs(style, out);
    fputs("</style>\n</head>\n<body>\n<main>\n", out);
}

static void page_intro(FILE *out, const pl_summary *s)
{
    fputs("<h1>patchlevel fleet summary</h1>\n", out);
    fprintf(out,
            "<p class=\"meta\"><span data-metric=\"files.read\">%zu</span> result file(s) read, "
            "<span data-metric=\"files.unreadable\">%zu</span> unreadable; "
            "<span data-metric=\"files.lines\">%zu</span> line(s), "
            "<span data-metric=\"files.lines_skipped\">%zu</span> skipped.</p>\n",
            s->files - s->files_failed, s->files_failed, s->lines, s->lines_skipped);
}

/* ---- counts ----------------------------------------------------------- */

static void card(FILE *out, const char *cls, const char *metric, size_t n, const char *label)
{
    fprintf(out,
            "<div class=\"card%s%s\"><span class=\"num\" data-metric=\"%s\">%zu</span>"
            "<span class=\"lbl\">%s</span></div>\n",
            cls ? " " : "", cls ? cls : "", metric, n, label);
}

static void overview(FILE *out, const pl_summary *s)
{
    fputs("<section id=\"overview\">\n<h2>Overview</h2>\n<div class=\"cards\">\n", out);
    card(out, NULL, "inputs.total", s->ninputs, "inputs");
    card(out, NULL, "inputs.analyzed", s->analyzed, "analyzed");
    card(out, NULL, "inputs.no_installation", s->no_installation, "analyzed, no Windows found");
    card(out, s->failed ? "bad" : NULL, "inputs.failed", s->failed, "failed");
    fputs("</div>\n<div class=\"cards\" style=\"margin-top:12px\">\n", out);
    card(out, NULL, "installations.total", s->installations, "installations");
    card(out, "good", "verdict.yes", s->verdicts[PL_SV_YES], "at build 6003");
    card(out, s->nlagging ? "bad" : NULL, "installations.not_at_6003", s->nlagging,
         "NT 6.0, not at 6003");
    card(out, NULL, "installations.reboot_pending", s->reboot_pending, "pending reboot");
    card(out, NULL, "installations.reboot_undetermined", s->reboot_undetermined,
         "reboot: not determined");
    card(out, NULL, "installations.no_but_6003_pending", s->no_but_6003_pending,
         "no, but 6003 pending");
    card(out, NULL, "installations.scanned_for_6002_checks", s->compat_scanned,
         "scanned for 6002 checks");
    card(out, s->compat_with_risks ? "bad" : NULL, "installations.with_6002_checks",
         s->compat_with_risks, "will break at 6003 (6002 checks)");
    fputs("</div>\n</section>\n", out);
}

/* ---- bar charts ------------------------------------------------------- */

typedef struct {
    const char *label;     /* a fixed name or a validated month: safe */
    size_t count;
    const char *cls;
    const char *section;   /* data-metric = section.label */
} bar;

/* Widths in pixels: the two charts side by side get the narrower one so
 * that the browser does not have to shrink their text. */
enum { WIDE_CHART = 720, NARROW_CHART = 460, ROW_HEIGHT = 26, BAR_HEIGHT = 18, VALUE_ROOM = 56 };

/* Horizontal bars, one row each: label, bar scaled to the largest count,
 * the count printed just after the bar. */
static void bar_chart(FILE *out, int width, const char *title, const bar *bars, size_t n)
{
    size_t max = 1, longest = 0;
    for (size_t i = 0; i < n; i++) {
        if (bars[i].count > max)
            max = bars[i].count;
        if (strlen(bars[i].label) > longest)
            longest = strlen(bars[i].label);
    }
    int label_w = 16 + (int)longest * 8;
    int room = width - label_w - VALUE_ROOM;
    int height = (int)n * ROW_HEIGHT + 8;
    fprintf(out, "<svg role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
            width, height, width, height);
    element(out, "<title>", title, "</title>\n");
    for (size_t i = 0; i < n; i++) {
        int y = 4 + (int)i * ROW_HEIGHT;
        int w = (int)((double)bars[i].count * room / (double)max);
        if (bars[i].count && w < 2)
            w = 2;      /* a count of 1 among thousands must still show */
        fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", label_w - 8, y + 14);
        esc(out, bars[i].label);
        fprintf(out, "</text><rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"2\"/>",
                bars[i].cls, label_w, y + 1, w, BAR_HEIGHT);
        fprintf(out, "<text class=\"v\" x=\"%d\" y=\"%d\" data-metric=\"%s.", label_w + w + 6, y + 14,
                bars[i].section);
        esc(out, bars[i].label);
        fprintf(out, "\">%zu</text>\n", bars[i].count);
    }
    fputs("</svg>\n", out);
}

static void verdict_chart(FILE *out, const pl_summary *s)
{
    static const char *const cls[PL_SV_COUNT] = {"c-yes", "c-no", "c-inconsistent", "c-na",
                                                 "c-unknown"};
    bar bars[PL_SV_COUNT];
    for (int v = 0; v < PL_SV_COUNT; v++)
        bars[v] = (bar){pl_summary_verdict_names[v], s->verdicts[v], cls[v], "verdict"};
    fputs("<section id=\"verdicts\">\n<h2>Build 6003 verdict</h2>\n", out);
    bar_chart(out, NARROW_CHART, "Installations by build 6003 verdict", bars, PL_SV_COUNT);
    fputs("</section>\n", out);
}

static void behind_chart(FILE *out, const pl_summary *s)
{
    static const char *const cls[PL_BEHIND_COUNT] = {"c-b0", "c-b1", "c-b2", "c-b3", "c-b4",
                                                     "c-na"};
    bar bars[PL_BEHIND_COUNT];
    for (int b = 0; b < PL_BEHIND_COUNT; b++)
        bars[b] = (bar){pl_summary_behind_names[b], s->behind[b], cls[b], "rollups_behind"};
    fputs("<section id=\"behind\">\n<h2>Monthly rollups behind</h2>\n", out);
    bar_chart(out, NARROW_CHART, "Installations by number of monthly rollups behind", bars,
              PL_BEHIND_COUNT);
    fputs("</section>\n", out);
}

/* Servicing: the channel chart and the next-step cards. */
static void servicing_cards(FILE *out, const pl_summary *s)
{
    static const char *const cls[PL_STEP_COUNT] = {"bad", "bad", "bad", "bad", "good", NULL};
    fputs("<section id=\"next-steps\">\n<h2>Next steps</h2>\n<div class=\"cards\">\n", out);
    for (int k = 0; k < PL_STEP_COUNT; k++) {
        char metric[64];
        snprintf(metric, sizeof metric, "next_step.%s", pl_summary_step_names[k]);
        card(out, s->steps[k] ? cls[k] : NULL, metric, s->steps[k], pl_summary_step_names[k]);
    }
    fputs("</div>\n</section>\n", out);
}

static void channel_chart(FILE *out, const pl_summary *s)
{
    static const char *const cls[PL_SCH_COUNT] = {"c-b4", "c-b2", "c-b1", "c-b0", "c-na"};
    bar bars[PL_SCH_COUNT];
    for (int c = 0; c < PL_SCH_COUNT; c++)
        bars[c] = (bar){pl_summary_channel_names[c], s->channels[c], cls[c], "channel"};
    fputs("<section id=\"channels\">\n<h2>Channel the installed updates prove</h2>\n", out);
    bar_chart(out, NARROW_CHART, "Installations by update channel", bars, PL_SCH_COUNT);
    fputs("</section>\n", out);
}

/* "none", the security level months in order, "not determined". */
static void security_chart(FILE *out, const pl_summary *s)
{
    size_t n = s->nsec_months + 2;
    bar *bars = pl_xcalloc(n, sizeof *bars);
    bars[0] = (bar){"none", s->sec_none, "c-no", "security_month"};
    for (size_t i = 0; i < s->nsec_months; i++)
        bars[i + 1] = (bar){s->sec_months[i].month, s->sec_months[i].count, "c-month",
                            "security_month"};
    bars[n - 1] = (bar){PL_SUMMARY_UNDETERMINED, s->sec_undetermined, "c-na", "security_month"};
    fputs("<section id=\"security\">\n<h2>Security level (newest month whose fixes are "
          "installed)</h2>\n", out);
    bar_chart(out, WIDE_CHART, "Installations by security level month", bars, n);
    fputs("</section>\n", out);
    free(bars);
}

/* "none installed", the months in order, "not determined". */
static void month_chart(FILE *out, const pl_summary *s)
{
    size_t n = s->nmonths + 2;
    bar *bars = pl_xcalloc(n, sizeof *bars);
    bars[0] = (bar){PL_SUMMARY_NO_ROLLUP, s->rollup_none, "c-no", "rollup_month"};
    for (size_t i = 0; i < s->nmonths; i++)
        bars[i + 1] = (bar){s->months[i].month, s->months[i].count, "c-month", "rollup_month"};
    bars[n - 1] = (bar){PL_SUMMARY_UNDETERMINED, s->rollup_undetermined, "c-na", "rollup_month"};
    fputs("<section id=\"rollups\">\n<h2>Newest monthly rollup installed (release month)</h2>\n",
          out);
    bar_chart(out, WIDE_CHART,
              "Installations by release month of the newest monthly rollup installed", bars, n);
    fputs("</section>\n", out);
    free(bars);
}

/* ---- tables ----------------------------------------------------------- */

static void more(FILE *out, size_t total, size_t listed)
{
    if (total > listed)
        fprintf(out, "<p class=\"more\">&hellip; and %zu more, not listed.</p>\n", total - listed);
}

static void os_table(FILE *out, const pl_summary *s)
{
    fputs("<section id=\"os\">\n<h2>Operating systems</h2>\n", out);
    if (!s->nos) {
        fputs("<p class=\"none\">No installation.</p>\n</section>\n", out);
        return;
    }
    fputs("<table>\n<thead><tr><th>Product</th><th>Edition</th><th>Architecture</th>"
          "<th class=\"n\">Installations</th></tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < s->nos; i++) {
        element(out, "<tr><td>", s->os[i].product, "</td>");
        element(out, "<td>", s->os[i].edition, "</td>");
        element(out, "<td>", s->os[i].arch, "</td>");
        fprintf(out, "<td class=\"n\">%zu</td></tr>\n", s->os[i].count);
    }
    fputs("</tbody>\n</table>\n</section>\n", out);
}

static void failed_table(FILE *out, const pl_summary *s)
{
    fprintf(out, "<section id=\"failed\">\n<h2>Failed inputs (%zu)</h2>\n", s->failed);
    if (!s->failed) {
        fputs("<p class=\"none\">Every input was analyzed.</p>\n</section>\n", out);
        return;
    }
    fputs("<table>\n<thead><tr><th>Input</th><th>Error</th></tr></thead>\n<tbody>\n", out);
    for (size_t i = 0; i < s->nfailures_listed; i++) {
        element(out, "<tr><td class=\"path\">", s->failures[i]->input, "</td>");
        element(out, "<td>", s->failures[i]->error, "</td></tr>\n");
    }
    fputs("</tbody>\n</table>\n", out);
    more(out, s->failed, s->nfailures_listed);
    fputs("</section>\n", out);
}

static void lagging_table(FILE *out, const pl_summary *s)
{
    fprintf(out, "<section id=\"not6003\">\n<h2>NT 6.0 installations not at build 6003 (%zu)</h2>\n",
            s->nlagging);
    if (!s->nlagging) {
        fputs("<p class=\"none\">None.</p>\n</section>\n", out);
        return;
    }
    fputs("<table>\n<thead><tr><th>Input</th><th>Location</th><th>Verdict</th>"
          "<th>Newest monthly rollup</th></tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < s->nlagging_listed; i++) {
        const pl_summary_inst *it = s->lagging[i].inst;
        element(out, "<tr><td class=\"path\">", s->lagging[i].in->input, "</td>");
        element(out, "<td>", it->location, "</td>");
        fprintf(out, "<td>%s%s</td>", pl_summary_verdict_names[it->verdict],
                it->verdict == PL_SV_NO && it->pending_6003 ? " (6003 pending)" : "");
        element(out, "<td>", it->rollup, "</td></tr>\n");
    }
    fputs("</tbody>\n</table>\n", out);
    more(out, s->nlagging, s->nlagging_listed);
    fputs("</section>\n", out);
}

int pl_summary_write_html(FILE *out, const pl_summary *s)
{
    page_head(out);
    page_intro(out, s);
    overview(out, s);
    fputs("<div class=\"grid\">\n", out);
    verdict_chart(out, s);
    behind_chart(out, s);
    fputs("</div>\n", out);
    month_chart(out, s);
    servicing_cards(out, s);
    fputs("<div class=\"grid\">\n", out);
    channel_chart(out, s);
    fputs("</div>\n", out);
    security_chart(out, s);
    os_table(out, s);
    failed_table(out, s);
    lagging_table(out, s);
    fputs("<p class=\"meta\">Written by patchlevel summarize.</p>\n</main>\n</body>\n</html>\n", out);
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
