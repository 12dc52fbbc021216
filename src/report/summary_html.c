/* The summary as one self-contained HTML page, so that it can be mailed,
 * archived with a case, or opened on an air-gapped examiner's machine:
 *
 *   - a table of every installation (input, computer, domain, roles, OS,
 *     verdict, security level, behind, reboot, next step, errors), which
 *     a small inline script makes sortable (click a heading) and
 *     filterable (type words); without the script it is the same table;
 *   - grouped views (by verdict, by role, by first next step) as
 *     <details> lists, which need no script;
 *   - the counts: cards, bar charts as inline SVG with the number printed
 *     next to each bar, the operating systems;
 *   - the installations not at 6003, the failed inputs, the inputs
 *     without Windows; a footer with the provenance.
 *
 * Every string that came from a result (input names, computer names,
 * roles, locations, product names, error texts) is HTML-escaped: they
 * come from images and are hostile, and none is ever written inside the
 * script or the style. A Content-Security-Policy backs the escaping up:
 * default-src 'none', and the one inline script and the one inline style
 * allowed by their SHA-256 (computed here from the very bytes written),
 * so even a mistake could not run a script, apply a style or fetch
 * anything.
 *
 * Each count carries data-metric="SECTION.KEY" with the section and key
 * of its CSV row, for tests and for anyone scraping the page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "report/summary.h"
#include "util/util.h"

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
    "main{max-width:1500px;margin:0 auto}"
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
    ".grid section{margin:0}"
    ".mt{margin-top:12px}"
    /* the table of installations */
    "table.servers{font-size:13px}"
    "table.servers th{position:sticky;top:0;z-index:1}"
    "table.servers.sortable th{cursor:pointer;user-select:none}"
    "table.servers.sortable th:hover{background:#e3e7eb}"
    "th[aria-sort=ascending]::after{content:' \\25B2';font-size:10px}"
    "th[aria-sort=descending]::after{content:' \\25BC';font-size:10px}"
    /* fixed layout: widths from the columns, not from a hostile 4 KiB name,
     * and a long table lays out faster */
    "table.servers{table-layout:fixed}"
    "table.servers td{overflow-wrap:anywhere}"
    ".col-input{width:15%}.col-computer{width:9%}.col-domain{width:10%}.col-roles{width:12%}"
    ".col-os{width:12%}.col-verdict{width:7%}.col-security{width:7%}.col-behind{width:5%}"
    ".col-reboot{width:6%}.col-next{width:12%}.col-errors{width:5%}"
    ".loc{color:#555;font-size:12px}"
    ".unk{color:#888}"
    ".err{color:#b71c1c}"
    ".badge{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px;"
    "font-weight:600;white-space:nowrap}"
    ".b-yes{background:#2e7d32}.b-no{background:#c62828}.b-inconsistent{background:#ef6c00}"
    ".b-not-applicable{background:#78909c}.b-unknown{background:#6a1b9a}"
    ".tools{display:flex;gap:16px;align-items:center;margin:0 0 10px}"
    ".tools input{font:inherit;padding:4px 8px;width:320px;max-width:100%}"
    ".hint{color:#555;font-size:13px}"
    /* grouped views */
    "details{border-top:1px solid #e6e8eb;padding:4px 0}"
    "summary{cursor:pointer}"
    "summary .n{color:#555;margin-left:6px}"
    "ul.names{margin:4px 0 8px;padding-left:20px;columns:3 320px;font-size:13px}"
    /* the provenance */
    "footer{color:#444;font-size:13px;background:#fff;border:1px solid #dde1e6;"
    "border-radius:6px;padding:12px 20px}"
    "footer h2{font-size:15px}"
    "footer code{overflow-wrap:anywhere}";

/* Sorting and filtering of the table of installations: reads only the
 * page's own DOM (data-sort attributes and cell text), writes only row
 * order and the hidden attribute, so nothing from a result can reach
 * code. Until it runs the filter box stays hidden. */
static const char script[] =
    "(function(){'use strict';"
    "var t=document.getElementById('servers-table');if(!t||!t.tBodies.length)return;"
    "var tb=t.tBodies[0],hs=t.tHead.rows[0].cells,rows=Array.prototype.slice.call(tb.rows),"
    "f=document.getElementById('filter'),shown=document.getElementById('shown');"
    "t.classList.add('sortable');document.getElementById('tools').hidden=false;"
    "function key(r,i){var c=r.cells[i],k=c.getAttribute('data-sort');"
    "return k!==null?k:c.textContent;}"
    "function num(v){var n=parseFloat(v);return isNaN(n)?Infinity:n;}"
    /* one collator, and each row's key read once per sort: a
     * localeCompare with options per comparison takes seconds on 10000 rows */
    "var coll=new Intl.Collator(undefined,{numeric:true,sensitivity:'base'});"
    "function sortBy(i){var h=hs[i],dir=h.getAttribute('aria-sort')==='ascending'?-1:1,"
    "numeric=h.classList.contains('n');"
    "for(var j=0;j<hs.length;j++)hs[j].removeAttribute('aria-sort');"
    "h.setAttribute('aria-sort',dir>0?'ascending':'descending');"
    "var keyed=rows.map(function(r){var k=key(r,i);return{r:r,k:numeric?num(k):k};});"
    "keyed.sort(function(a,b){if(numeric)return a.k===b.k?0:a.k<b.k?-dir:dir;"
    "return dir*coll.compare(a.k,b.k);});"
    "rows=keyed.map(function(x){return x.r;});"
    /* reordered off the document: moving rows of a live table restyles
     * every later row at each move */
    "t.removeChild(tb);rows.forEach(function(r){tb.appendChild(r);});t.appendChild(tb);}"
    "Array.prototype.forEach.call(hs,function(h,i){h.tabIndex=0;"
    "h.addEventListener('click',function(){sortBy(i);});"
    "h.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){"
    "e.preventDefault();sortBy(i);}});});"
    /* a row's cells joined by spaces (lower case), once: what the words are looked for in */
    "rows.forEach(function(r){r.plText=Array.prototype.map.call(r.cells,function(c){"
    "return c.textContent;}).join(' ').toLowerCase();});"
    "function filter(){var words=f.value.toLowerCase().split(/\\s+/).filter(Boolean),n=0;"
    "rows.forEach(function(r){var ok=words.every(function(w){return r.plText.indexOf(w)>=0;});"
    "r.hidden=!ok;n+=ok?1:0;});"
    "shown.textContent=n+' of '+rows.length+' installations shown';}"
    "f.addEventListener('input',filter);filter();"
    "})();";

/* 'sha256-BASE64' of text, as a CSP source expression. */
static void csp_hash(FILE *out, const char *text)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char hex[65];
    unsigned char d[33] = {0};   /* one zero byte of padding for the last group */
    pl_sha256_hex((const uint8_t *)text, strlen(text), hex);
    for (int i = 0; i < 32; i++) {
        unsigned hi, lo;
        sscanf(hex + 2 * i, "%1x%1x", &hi, &lo);
        d[i] = (unsigned char)(hi << 4 | lo);
    }
    fputs("'sha256-", out);
    for (int i = 0; i < 33; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | (i + 2 < 33 ? d[i + 2] : 0);
        fputc(b64[v >> 18 & 63], out);
        fputc(b64[v >> 12 & 63], out);
        fputc(i + 1 < 32 ? b64[v >> 6 & 63] : '=', out);
        fputc(i + 2 < 32 ? b64[v & 63] : '=', out);
    }
    fputc('\'', out);
}

static void page_head(FILE *out)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "script-src ", out);
    csp_hash(out, script);
    fputs("; style-src ", out);
    csp_hash(out, style);
    fputs("; base-uri 'none'; form-action 'none'\">\n"
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
    fputs("</div>\n<div class=\"cards mt\">\n", out);
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

/* ---- the table of installations ------------------------------------- */

/* A value, or a dash whose tooltip says why it is unknown. */
static void value_or_unknown(FILE *out, const char *v, const char *why)
{
    if (v && *v)
        esc(out, v);
    else
        element(out, "<span class=\"unk\" title=\"", why, "\">&mdash;</span>");
}

/* Text that may be one of the fixed words for "unknown": shown dimmed. */
static void maybe_dim(FILE *out, const char *text)
{
    int dim = strcmp(text, PL_SUMMARY_UNDETERMINED) == 0 || strcmp(text, PL_SUMMARY_NOT_RECORDED) == 0;
    element(out, dim ? "<span class=\"unk\">" : "", text, dim ? "</span>" : "");
}

static void cell_owned(FILE *out, const char *open, char *text)
{
    fputs(open, out);
    maybe_dim(out, text);
    fputs("</td>", out);
    free(text);
}

/* The sort key of the security level: months sort as text, "after M"
 * just past M, "none" before every month, not determined first. */
static void security_sort_key(FILE *out, const pl_summary_inst *it)
{
    fputs(" data-sort=\"", out);
    if (!strncmp(it->sec_month, "after ", 6))
        fprintf(out, "%s+", it->sec_month + 6);
    else if (it->sec_month[0])
        fputs(it->sec_month, out);      /* validated digits and '-' */
    else if (it->sec_none || it->rollup_none)
        fputs("0", out);
    else
        fputs(it->month, out);          /* likewise; "" when not determined */
    fputs("\"", out);
}

static void server_identity_cells(FILE *out, const pl_summary_input *in, const pl_summary_inst *it)
{
    element(out, "<td>", in->input, "");
    element(out, "<div class=\"loc\">", it->location, "</div></td>");
    if (it->dns_hostname)
        element(out, "<td title=\"DNS host name: ", it->dns_hostname, "\">");
    else
        fputs("<td>", out);
    value_or_unknown(out, it->computer, pl_summary_unknown(it->computer_rec));
    fputs("</td><td>", out);
    char *domain = pl_summary_domain_text(it);
    value_or_unknown(out, domain, pl_summary_unknown(it->identity_rec));
    free(domain);
    fputs("</td>", out);
    cell_owned(out, "<td>", pl_summary_roles_text(it));
    element(out, "<td title=\"", it->edition, "\">");
    esc(out, it->product);
    element(out, "<div class=\"loc\">", it->arch, "</div></td>");
}

static void server_servicing_cells(FILE *out, const pl_summary_input *in, const pl_summary_inst *it)
{
    fprintf(out, "<td data-sort=\"%d\"><span class=\"badge b-%s\">%s</span>%s</td>", (int)it->verdict,
            pl_summary_verdict_names[it->verdict], pl_summary_verdict_names[it->verdict],
            it->verdict == PL_SV_NO && it->pending_6003 ? "<div class=\"loc\">6003 pending</div>" : "");
    fputs("<td", out);
    security_sort_key(out, it);
    fputs(">", out);
    maybe_dim(out, pl_summary_security_text(it));
    if (it->behind >= 0)
        fprintf(out, "</td><td class=\"n\">%lld</td>", (long long)it->behind);
    else
        fputs("</td><td class=\"n\" data-sort=\"\"><span class=\"unk\" title=\"not determined\">&mdash;</span></td>", out);
    fputs("<td>", out);
    maybe_dim(out, pl_summary_reboot_text(it));
    fputs("</td>", out);
    cell_owned(out, "<td>", pl_summary_next_step_text(it));
    element(out, "<td class=\"err\">", in->error ? in->error : "", "</td>");
}

static void servers_table(FILE *out, const pl_summary *s)
{
    fprintf(out, "<section id=\"servers\">\n<h2>Installations (%zu)</h2>\n", s->installations);
    if (!s->installations) {
        fputs("<p class=\"none\">No installation.</p>\n</section>\n", out);
        return;
    }
    fputs("<div class=\"tools\" id=\"tools\" hidden><label>Filter: <input id=\"filter\" "
          "type=\"search\" autocomplete=\"off\" placeholder=\"words in any column\"></label>"
          "<span class=\"hint\" id=\"shown\"></span><span class=\"hint\">Click a column heading "
          "to sort.</span></div>\n"
          "<table class=\"servers\" id=\"servers-table\">\n<colgroup><col class=\"col-input\">"
          "<col class=\"col-computer\"><col class=\"col-domain\"><col class=\"col-roles\">"
          "<col class=\"col-os\"><col class=\"col-verdict\"><col class=\"col-security\">"
          "<col class=\"col-behind\"><col class=\"col-reboot\"><col class=\"col-next\">"
          "<col class=\"col-errors\"></colgroup>\n<thead><tr>"
          "<th scope=\"col\">Input</th><th scope=\"col\">Computer</th>"
          "<th scope=\"col\">Domain</th><th scope=\"col\">Roles</th><th scope=\"col\">OS</th>"
          "<th scope=\"col\">Verdict</th><th scope=\"col\">Security level</th>"
          "<th scope=\"col\" class=\"n\">Behind</th><th scope=\"col\">Reboot</th>"
          "<th scope=\"col\">Next step</th><th scope=\"col\">Errors</th></tr></thead>\n<tbody>\n",
          out);
    size_t listed = 0;
    for (size_t i = 0; i < s->ninputs && listed < PL_SUMMARY_PAGE_MAX; i++)
        for (size_t k = 0; k < s->inputs[i].ninsts && listed < PL_SUMMARY_PAGE_MAX; k++, listed++) {
            const pl_summary_inst *it = &s->inputs[i].insts[k];
            fputs("<tr>", out);
            server_identity_cells(out, &s->inputs[i], it);
            server_servicing_cells(out, &s->inputs[i], it);
            fputs("</tr>\n", out);
        }
    fputs("</tbody>\n</table>\n", out);
    if (s->installations > listed)
        fprintf(out, "<p class=\"more\">&hellip; and %zu more, not listed here "
                     "(-f csv and -f json list every installation).</p>\n",
                s->installations - listed);
    fputs("</section>\n", out);
}

/* ---- grouped views ---------------------------------------------------- */

typedef int (*member_of)(const pl_summary_inst *it, const void *key);

/* One group: its label and count, then the computers in it (up to
 * PL_SUMMARY_LIST_MAX), each with its input. */
static void group(FILE *out, const pl_summary *s, const char *label, size_t count, member_of is_in,
                  const void *key)
{
    fputs("<details><summary>", out);
    maybe_dim(out, label);
    fprintf(out, "<span class=\"n\">%zu</span></summary>\n<ul class=\"names\">\n", count);
    /* stop at the last member: most groups are small, the fleet large */
    size_t listed = 0, want = count < PL_SUMMARY_LIST_MAX ? count : PL_SUMMARY_LIST_MAX;
    for (size_t i = 0; i < s->ninputs && listed < want; i++)
        for (size_t k = 0; k < s->inputs[i].ninsts && listed < want; k++) {
            const pl_summary_inst *it = &s->inputs[i].insts[k];
            if (!is_in(it, key))
                continue;
            fputs("<li>", out);
            value_or_unknown(out, it->computer, pl_summary_unknown(it->computer_rec));
            element(out, " <span class=\"loc\">", s->inputs[i].input, "</span></li>\n");
            listed++;
        }
    fputs("</ul>\n", out);
    more(out, count, listed);
    fputs("</details>\n", out);
}

static int in_verdict(const pl_summary_inst *it, const void *v)
{
    return it->verdict == *(const pl_summary_verdict *)v;
}

static int in_role(const pl_summary_inst *it, const void *label)
{
    return pl_summary_has_role(it, label);
}

static int in_first_step(const pl_summary_inst *it, const void *label)
{
    return pl_summary_has_first_step(it, label);
}

static void grouped_views(FILE *out, const pl_summary *s)
{
    if (!s->installations)
        return;
    fputs("<section id=\"by-verdict\">\n<h2>By build 6003 verdict</h2>\n", out);
    for (int v = 0; v < PL_SV_COUNT; v++) {
        pl_summary_verdict verdict = (pl_summary_verdict)v;
        if (s->verdicts[v])
            group(out, s, pl_summary_verdict_names[v], s->verdicts[v], in_verdict, &verdict);
    }
    fputs("</section>\n<section id=\"by-role\">\n<h2>By role</h2>\n", out);
    for (size_t g = 0; g < s->nrole_groups; g++)
        group(out, s, s->role_groups[g].label, s->role_groups[g].count, in_role, s->role_groups[g].label);
    if (s->role_groups_other)
        fprintf(out, "<p class=\"more\">&hellip; and %zu more roles, not listed.</p>\n",
                s->role_groups_other);
    fputs("</section>\n<section id=\"by-next-step\">\n<h2>By next step</h2>\n", out);
    for (size_t g = 0; g < s->nstep_groups; g++)
        group(out, s, s->step_groups[g].label, s->step_groups[g].count, in_first_step,
              s->step_groups[g].label);
    if (s->step_groups_other)
        fprintf(out, "<p class=\"more\">&hellip; and %zu more next steps, not listed.</p>\n",
                s->step_groups_other);
    fputs("</section>\n", out);
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

/* Inputs analyzed without an error in which no Windows was found. */
static void empty_table(FILE *out, const pl_summary *s)
{
    if (!s->no_installation)
        return;
    fprintf(out, "<section id=\"no-windows\">\n<h2>Analyzed, no Windows installation found (%zu)</h2>\n"
                 "<ul class=\"names\">\n", s->no_installation);
    size_t listed = 0;
    for (size_t i = 0; i < s->ninputs && listed < PL_SUMMARY_LIST_MAX; i++)
        if (!s->inputs[i].error && !s->inputs[i].ninsts) {
            element(out, "<li>", s->inputs[i].input, "</li>\n");
            listed++;
        }
    fputs("</ul>\n", out);
    more(out, s->no_installation, listed);
    fputs("</section>\n", out);
}

/* ---- provenance ------------------------------------------------------- */

static void prov_catalog(FILE *out, const pl_summary_prov *p)
{
    if (p->catalog_rec != PL_REC_VALUE) {
        element(out, "<span class=\"unk\">", p->catalog_rec == PL_REC_NULL ? "no catalog" : PL_SUMMARY_NOT_RECORDED,
                "</span>");
        return;
    }
    value_or_unknown(out, p->catalog_path, "path not recorded");
    fputs("<div class=\"loc\">sha256 <code>", out);
    value_or_unknown(out, p->catalog_sha256, PL_SUMMARY_NOT_RECORDED);
    fputs("</code>, newest ", out);
    value_or_unknown(out, p->catalog_newest, PL_SUMMARY_NOT_RECORDED);
    fputs("</div>", out);
}

static void prov_row(FILE *out, const pl_summary_prov *p)
{
    fputs("<tr><td>", out);
    if (p->tool)
        esc(out, p->tool);
    else
        element(out, "<span class=\"unk\">tool ", pl_summary_unknown(p->tool_rec), "</span>");
    if (p->libraries)
        element(out, "<div class=\"loc\">", p->libraries, "</div>");
    fputs("</td><td>", out);
    prov_catalog(out, p);
    fputs("</td><td>", out);
    value_or_unknown(out, p->options, PL_SUMMARY_NOT_RECORDED);
    fputs("</td><td>", out);
    if (p->first_at[0]) {
        esc(out, p->first_at);
        if (strcmp(p->first_at, p->last_at) != 0)
            element(out, " &ndash; ", p->last_at, "");
    } else {
        value_or_unknown(out, NULL, PL_SUMMARY_NOT_RECORDED);
    }
    fprintf(out, "</td><td class=\"n\">%zu</td></tr>\n", p->inputs);
}

/* Who wrote the summary and when, and who wrote the results it read:
 * tool and libraries, catalog, options, analysis times. */
static void provenance(FILE *out, const pl_summary *s)
{
    char when[24];
    pl_summary_iso_time(s->summarized_at, when);
    fprintf(out, "<footer id=\"provenance\">\n<h2>Provenance</h2>\n<p>This summary: "
                 "<span id=\"summary-tool\">patchlevel %s</span>, written "
                 "<span id=\"summary-time\">%s</span> from %zu result file%s "
                 "(%zu unreadable), %zu line%s read (%zu skipped).</p>\n",
            PACKAGE_VERSION, when, s->files, s->files == 1 ? "" : "s", s->files_failed,
            s->lines, s->lines == 1 ? "" : "s", s->lines_skipped);
    if (!s->ninputs) {
        fputs("</footer>\n", out);
        return;
    }
    fputs("<p>The results were written by:</p>\n<table id=\"provenance-table\">\n<thead><tr>"
          "<th>Tool and libraries</th><th>Catalog</th><th>Options</th><th>Analyzed (UTC)</th>"
          "<th class=\"n\">Inputs</th></tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < s->nprovs; i++)
        if (s->provs[i].inputs)
            prov_row(out, &s->provs[i]);
    if (s->prov_other)
        fprintf(out, "<tr><td colspan=\"4\"><span class=\"unk\">%d other provenances, not "
                     "told apart</span></td><td class=\"n\">%zu</td></tr>\n",
                PL_SUMMARY_PROV_MAX, s->prov_other);
    fputs("</tbody>\n</table>\n</footer>\n", out);
}

int pl_summary_write_html(FILE *out, const pl_summary *s)
{
    page_head(out);
    page_intro(out, s);
    servers_table(out, s);
    grouped_views(out, s);
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
    lagging_table(out, s);
    failed_table(out, s);
    empty_table(out, s);
    provenance(out, s);
    fputs("</main>\n<script>", out);
    fputs(script, out);
    fputs("</script>\n</body>\n</html>\n", out);
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
