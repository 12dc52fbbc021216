/* CSV: one row per installation with the headline fields (RFC 4180
 * quoting); an input with no installation gets one row carrying its
 * errors, so no input disappears from a spreadsheet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/compat6002.h"
#include "evidence/identity.h"
#include "evidence/roles.h"
#include "report/report.h"
#include "util/escape.h"

static const char *const columns[] = {
    "input", "container", "partition_scheme", "partition_number", "wim_image", "windows_dir",
    "product_name", "edition_id", "arch", "version", "build", "csd_version",
    "ntoskrnl_version", "kernel32_version", "build6003", "kbs_installed", "kbs_superseded",
    "kbs_pending_or_staged", "latest_rollup", "rollups_behind", "reboot_required", "warnings",
    "errors", "revision", "servicing_reboot_required", "unknown",
    /* added with the servicing model (spec section 3) */
    "security_level", "security_level_via", "security_level_kind", "channel", "behind_esu",
    "behind_azure", "behind_premium_assurance", "next_steps", "catalog_sha256",
    /* added with --find-6002-checks: empty when not asked for */
    "compat_6002_risks",
    /* added for fleet triage: who the server is, what it runs */
    "computer_name", "domain", "roles",
};
#define C_SERVICING 26           /* the first of the columns above */
#define C_FLEET (C_SERVICING + 10)
#define NCOLS (sizeof columns / sizeof *columns)

/* Control characters are escaped (util/escape.h) before quoting: a
 * newline is legal inside a quoted CSV cell, but a cell holding terminal
 * sequences or a forged row is not what anyone opening the file expects. */
void pl_csv_field(FILE *out, const char *raw)
{
    char *esc = pl_escape(raw ? raw : "");
    const char *s = esc;
    int formula = strchr("=+-@", s[0]) != NULL && s[0] != '\0';
    if (!formula && !strpbrk(s, ",\"\r\n\t")) {
        fputs(s, out);
        free(esc);
        return;
    }
    fputc('"', out);
    if (formula)
        fputc('\'', out);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
    free(esc);
}

static void field(FILE *out, const char *s, int last)
{
    pl_csv_field(out, s);
    fputs(last ? "\r\n" : ",", out);
}

/* A growing string, appended to in linear time (a list of 100000 KBs
 * joined with strcat would be quadratic). */
typedef struct {
    char *s;
    size_t len, cap;
} text_buf;

static void append(text_buf *t, const char *sep, const char *item)
{
    const char *parts[2] = {t->len ? sep : "", item};
    for (int k = 0; k < 2; k++) {
        size_t n = strlen(parts[k]);
        if (t->len + n + 1 > t->cap) {
            t->cap = (t->len + n + 1) * 2;
            t->s = pl_xrealloc(t->s, t->cap);
        }
        memcpy(t->s + t->len, parts[k], n + 1);
        t->len += n;
    }
}

static char *joined(const pl_strlist *a, const pl_strlist *b, const char *sep)
{
    text_buf t = {0};
    const pl_strlist *ls[] = {a, b};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; ls[l] && i < ls[l]->len; i++)
            append(&t, sep, ls[l]->items[i]);
    return t.s ? t.s : pl_xstrdup("");
}

static char *joined_notes(const pl_notes *a, const pl_notes *b, const char *sep)
{
    text_buf t = {0};
    const pl_notes *ls[] = {a, b};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < ls[l]->len; i++)
            append(&t, sep, ls[l]->items[i].msg);
    return t.s ? t.s : pl_xstrdup("");
}

void pl_report_csv_header(FILE *out, int bom)
{
    /* UTF-8's byte-order mark: how Excel knows a CSV file is UTF-8 (without
     * it, it reads the legacy code page and garbles non-ASCII names). */
    if (bom)
        fputs("\xEF\xBB\xBF", out);
    for (size_t i = 0; i < NCOLS; i++)
        field(out, columns[i], i + 1 == NCOLS);
}

static char *pe_version(const pl_pe_evidence *pe)
{
    if (!pe->present || pe->error)
        return pl_xstrdup("");
    char v[32];
    pl_version4_format(pe->ver.file_version, v, sizeof v);
    return pl_xstrdup(v);
}

static char *tri_text(pl_tri v)
{
    return v == PL_TRI_UNKNOWN ? NULL : pl_xstrdup(v == PL_TRI_YES ? "true" : "false");
}

/* The "unknown" column: for every cell left empty because its witness
 * could not be read, "column: reason", joined with "; ". */
static char *unknown_reasons(const pl_installation *in, const pl_assessment *a)
{
    pl_strlist l = {0};
    const pl_identity *id = pl_installation_kind_data(in, "identity");
    if (id && !id->computer_name.value && id->computer_name.unknown)
        pl_strlist_pushf(&l, "computer_name: %s", id->computer_name.unknown);
    if (id && !id->domain.value && id->domain.unknown)
        pl_strlist_pushf(&l, "domain: %s", id->domain.unknown);
    const pl_roles *roles = pl_installation_kind_data(in, "roles");
    if (roles && !roles->known)
        pl_strlist_pushf(&l, "roles: %s", roles->unknown);
    if (a->kbs_unknown)
        pl_strlist_pushf(&l, "kbs: %s", a->kbs_unknown);
    if (a->kbs_incomplete)
        pl_strlist_pushf(&l, "kbs (incomplete): %s", a->kbs_incomplete);
    if (a->rollups.unknown)
        pl_strlist_pushf(&l, "latest_rollup, rollups_behind, security_level, channel, behind, next_steps: %s", a->rollups.unknown);
    if (a->reboot_required == PL_TRI_UNKNOWN)
        pl_strlist_pushf(&l, "reboot_required: %s", a->reboot_unknown);
    if (a->servicing_reboot_required == PL_TRI_UNKNOWN)
        pl_strlist_pushf(&l, "servicing_reboot_required: %s", a->servicing_reboot_unknown);
    char *s = joined(&l, NULL, "; ");
    pl_strlist_free(&l);
    return s;
}

static const char *const sec_kind_names[] = {NULL, "monthly-rollup", "security-only", "kernel"};

static char *behind_text(const pl_rollup_status *s, pl_channel c)
{
    return s->behind[c] >= 0 ? pl_xasprintf("%ld", s->behind[c]) : NULL;
}

/* "install KB5010452 (ssu); install KB5022340 (monthly-rollup)"; "none"
 * when nothing is left; empty when unknown. */
static char *next_steps_text(const pl_assessment *a)
{
    if (!a->next_steps_known)
        return NULL;
    pl_strlist l = {0};
    for (size_t i = 0; i < a->nnext_steps; i++) {
        const pl_next_step *st = &a->next_steps[i];
        if (st->kind)
            pl_strlist_pushf(&l, "%s %s (%s)", st->action, st->kb ? st->kb : "KB unknown",
                             st->kind);
        else
            pl_strlist_push(&l, st->action);
    }
    char *s = l.len ? joined(&l, NULL, "; ") : pl_xstrdup("none");
    pl_strlist_free(&l);
    return s;
}

/* The servicing-model columns: empty when the rollups are unknown. */
static void servicing_cells(char **v, const pl_assessment *a)
{
    const pl_rollup_status *s = &a->rollups;
    v[7] = next_steps_text(a);
    if (!s->applicable || s->unknown)
        return;
    const pl_security_level *l = &s->security;
    if (l->kind != PL_SEC_NONE) {
        v[0] = l->after ? pl_xasprintf("after %s", l->month) : pl_xstrdup(l->month);
        v[1] = pl_xstrdup(l->via->kb[0] ? l->via->kb : NULL);
        v[2] = pl_xstrdup(sec_kind_names[l->kind]);
    }
    v[3] = pl_xstrdup(pl_channel_name(s->channel));
    v[4] = behind_text(s, PL_CHANNEL_ESU);
    v[5] = behind_text(s, PL_CHANNEL_AZURE);
    v[6] = behind_text(s, PL_CHANNEL_PREMIUM_ASSURANCE);
}

/* computer_name, domain ("workgroup" for a workgroup member), roles (";"
 * between them, "none" when none was found); empty when unknown, with the
 * reason in the unknown column. */
static void fleet_cells(char **v, const pl_installation *in)
{
    const pl_identity *id = pl_installation_kind_data(in, "identity");
    v[0] = pl_xstrdup(id && id->computer_name.value ? id->computer_name.value
                                                    : in->os.computer_name);
    if (id && id->domain.value)
        v[1] = pl_xstrdup(id->domain.value);
    else if (id && id->membership.value && strcmp(id->membership.value, "workgroup") == 0)
        v[1] = pl_xstrdup("workgroup");
    const pl_roles *roles = pl_installation_kind_data(in, "roles");
    if (roles && roles->known) {
        text_buf t = {0};
        for (size_t i = 0; i < roles->nroles; i++)
            append(&t, "; ", roles->roles[i].name);
        v[2] = t.s ? t.s : pl_xstrdup("none");
    }
}

/* The version columns: "6.0" would become the number 6 in a spreadsheet. */
static int is_version_column(size_t i)
{
    return i == 9 || i == 12 || i == 13;
}

/* For spreadsheets, a version is written as the formula ="6.0", which
 * Excel and LibreOffice show as the text 6.0. Only a value of digits and
 * dots is written so (nothing from an image can smuggle a formula in);
 * anything else is an ordinary field. */
static void version_field(FILE *out, const char *s, int last)
{
    if (!s || !*s || s[strspn(s, "0123456789.")] != '\0') {
        field(out, s, last);
        return;
    }
    fprintf(out, "\"=\"\"%s\"\"\"%s", s, last ? "\r\n" : ",");
}

static void row(FILE *out, const pl_input_result *r, const pl_inst_result *ir, int spreadsheet)
{
    const pl_installation *in = ir ? &ir->inst : NULL;
    const pl_assessment *a = ir ? &ir->assess : NULL;
    char *vals[NCOLS] = {0};
    vals[0] = pl_xstrdup(r->input);
    vals[1] = pl_xstrdup(r->container);
    if (in) {
        vals[2] = pl_xstrdup(in->loc.partition_scheme);
        vals[3] = in->loc.partition_number > 0 ? pl_xasprintf("%d", in->loc.partition_number) : NULL;
        vals[4] = in->loc.wim_image > 0 ? pl_xasprintf("%d", in->loc.wim_image) : NULL;
        vals[5] = pl_xstrdup(in->windows_dir);
        vals[6] = pl_xstrdup(in->os.product_name);
        vals[7] = pl_xstrdup(in->os.edition_id);
        vals[8] = pl_xstrdup(a->arch);
        vals[9] = pl_xstrdup(a->version);
        vals[10] = a->build >= 0 ? pl_xasprintf("%d", a->build) : NULL;
        vals[11] = pl_xstrdup(in->os.csd_version);
        vals[12] = in->ntoskrnl.present ? pe_version(&in->ntoskrnl) : pe_version(&in->ntkrnlpa);
        vals[13] = pe_version(&in->kernel32);
        vals[14] = pl_xstrdup(pl_verdict_name(a->b6003.verdict));
        if (!a->kbs_unknown) {
            vals[15] = joined(&a->kbs_installed, NULL, " ");
            vals[16] = joined(&a->kbs_superseded, NULL, " ");
            vals[17] = joined(&a->kbs_pending_or_staged, NULL, " ");
        }
        const pl_rollup_status *ro = &a->rollups;
        int rollups_known = ro->applicable && !ro->unknown;
        vals[18] = pl_xstrdup(rollups_known && ro->latest ? ro->latest->kb : NULL);
        vals[19] = rollups_known ? pl_xasprintf("%zu", ro->nmissing) : NULL;
        vals[20] = tri_text(a->reboot_required);
        vals[21] = joined_notes(&in->warnings, &a->warnings, "; ");
        vals[23] = a->revision >= 0 ? pl_xasprintf("%lld", (long long)a->revision) : NULL;
        vals[24] = tri_text(a->servicing_reboot_required);
        vals[25] = unknown_reasons(in, a);
        servicing_cells(vals + C_SERVICING, a);
        const pl_compat6002 *c6 = pl_installation_kind_data(in, "compat_6002");
        if (c6)
            vals[C_SERVICING + 9] = pl_xasprintf("%zu", pl_c6_risks(c6));
        fleet_cells(vals + C_FLEET, in);
    }
    vals[C_SERVICING + 8] = pl_xstrdup(r->catalog && r->catalog->sha256[0] ? r->catalog->sha256 : NULL);
    vals[22] = joined(&r->errors, NULL, "; ");
    for (size_t i = 0; i < NCOLS; i++) {
        if (spreadsheet && is_version_column(i))
            version_field(out, vals[i], i + 1 == NCOLS);
        else
            field(out, vals[i], i + 1 == NCOLS);
        free(vals[i]);
    }
}

void pl_report_csv_rows(FILE *out, const pl_input_result *r, int spreadsheet)
{
    for (size_t i = 0; i < r->ninsts; i++)
        row(out, r, &r->insts[i], spreadsheet);
    if (r->ninsts == 0)
        row(out, r, NULL, spreadsheet);
}
