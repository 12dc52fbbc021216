/* The text report: a short block per installation, meant to be pasted
 * into a case report or a migration ticket. */
#include <stdio.h>
#include <string.h>

#include "report/report.h"
#include "util/escape.h"

/* Every string that came from an image or a file name goes through
 * pl_esc (util/escape.h): a ProductName holding a newline and a forged
 * "Build 6003:" line, or terminal escape sequences, must show as text. */
static const char *or_dash(const char *s)
{
    return (s && *s) ? pl_esc(s) : "-";
}

static void where(FILE *out, const pl_input_result *r, const pl_installation *in)
{
    fprintf(out, "%s  [%s", pl_esc(r->input), r->container ? pl_esc(r->container) : "?");
    if (in->loc.wim_image > 0)
        fprintf(out, ", image %d", in->loc.wim_image);
    if (in->loc.wim_image > 0 && in->loc.wim_image_name)
        fprintf(out, " \"%s\"", pl_esc(in->loc.wim_image_name));
    if (in->loc.partition_number > 0)
        fprintf(out, ", %s partition %d", pl_esc(in->loc.partition_scheme),
                in->loc.partition_number);
    if (in->hive_only)
        fprintf(out, ", bare SOFTWARE hive: partial report");
    else if (in->windows_dir)
        fprintf(out, ", Windows directory %s",
                in->windows_dir[0] ? pl_esc(in->windows_dir) : "(root)");
    fputs("]\n", out);
}

static void pe_line(FILE *out, const char *label, const pl_pe_evidence *pe)
{
    if (!pe->present) {
        fprintf(out, "  %-12s not found\n", label);
        return;
    }
    if (pe->error) {
        fprintf(out, "  %-12s %s: %s\n", label, pl_esc(pe->path), pl_esc(pe->error));
        return;
    }
    char v[32];
    pl_version4_format(pe->ver.file_version, v, sizeof v);
    fprintf(out, "  %-12s %s  %s", label, v, pl_esc(pe->path));
    if (pe->ver.file_version_str && strchr(pe->ver.file_version_str, '('))
        fprintf(out, "  %s", pl_esc(strchr(pe->ver.file_version_str, '(')));
    fprintf(out, "\n  %-12s sha256 %s\n", "", pe->sha256);
}

static void os_lines(FILE *out, const pl_inst_result *r)
{
    const pl_os_values *o = &r->inst.os;
    const pl_assessment *a = &r->assess;
    fprintf(out, "  %-12s %s", "OS:", or_dash(o->product_name));
    if (o->edition_id || o->installation_type)
        fprintf(out, " (%s%s%s)", or_dash(o->edition_id), o->installation_type ? ", " : "",
                o->installation_type ? pl_esc(o->installation_type) : "");
    fprintf(out, ", %s\n", or_dash(a->arch));
    fprintf(out, "  %-12s %s", "Version:", or_dash(a->version));
    if (a->build >= 0)
        fprintf(out, " build %d", a->build);
    if (a->build >= 0 && a->revision >= 0 && o->has_ubr)
        fprintf(out, ".%lld", (long long)a->revision);
    if (o->display_version)
        fprintf(out, " (%s)", pl_esc(o->display_version));
    if (o->csd_version)
        fprintf(out, ", %s", pl_esc(o->csd_version));
    fputc('\n', out);
    if (o->build_lab_ex)
        fprintf(out, "  %-12s %s\n", "BuildLabEx:", pl_esc(o->build_lab_ex));
}

static void list_line(FILE *out, const char *label, const pl_strlist *l)
{
    if (l->len == 0)
        return;
    fprintf(out, "  %-12s", label);
    for (size_t i = 0; i < l->len; i++)
        fprintf(out, "%s%s", (i && i % 8 == 0) ? "\n               " : " ", pl_esc(l->items[i]));
    fputc('\n', out);
}

static void verdict_lines(FILE *out, const pl_assessment *a)
{
    const pl_build6003 *b = &a->b6003;
    char up[24];
    const char *name = pl_verdict_name(b->verdict);
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof up; i++)
        up[i] = (char)((name[i] >= 'a' && name[i] <= 'z') ? name[i] - 32 : name[i]);
    up[i] = '\0';
    fprintf(out, "  %-12s %s: %s\n", "Build 6003:", up, or_dash(b->reason));
    if (b->pending_build)
        fprintf(out, "  %-12s build %d is staged or waits for a reboot (%zu package%s)\n", "",
                b->pending_build, b->pending_packages.len, b->pending_packages.len == 1 ? "" : "s");
}

static void updates_lines(FILE *out, const pl_inst_result *r)
{
    const pl_assessment *a = &r->assess;
    if (a->kbs_unknown) {
        fprintf(out, "  %-12s unknown (%s)\n", "Updates:", pl_esc(a->kbs_unknown));
        return;
    }
    fprintf(out, "  %-12s %zu KBs installed, %zu superseded, %zu pending or staged (%zu packages)\n",
            "Updates:", a->kbs_installed.len, a->kbs_superseded.len,
            a->kbs_pending_or_staged.len, r->inst.npackages);
    list_line(out, "  installed:", &a->kbs_installed);
    list_line(out, "  superseded:", &a->kbs_superseded);
    list_line(out, "  pending:", &a->kbs_pending_or_staged);
    if (a->kbs_incomplete)
        fprintf(out, "  %-12s incomplete: %s\n", "", pl_esc(a->kbs_incomplete));
    if (a->unidentified_packages.len)
        fprintf(out, "  %-12s %zu installed package%s whose KB could not be read\n", "",
                a->unidentified_packages.len, a->unidentified_packages.len == 1 ? "" : "s");
}

static void entry_list(FILE *out, const char *label, const pl_catalog_entry *const *es, size_t n)
{
    const size_t shown = 12;
    fprintf(out, "  %-12s", label);
    for (size_t i = 0; i < n && i < shown; i++) {
        fputs((i && i % 8 == 0) ? "\n               " : " ", out);
        if (es[i]->kb[0])
            fputs(pl_esc(es[i]->kb), out);
        else
            fprintf(out, "%.7s (KB unknown)", pl_esc(es[i]->release_date));
    }
    if (n > shown)
        fprintf(out, " ... (%zu more)", n - shown);
    fputc('\n', out);
}

/* "prerequisite missing: KB… (kind): reason; needed by KB… and N more" */
static void prereq_line(FILE *out, const pl_missing_prereq *p)
{
    fprintf(out, "    prerequisite missing: %s (%s): %s", pl_esc(p->entry->kb),
            pl_update_kind_name(p->entry->kind), pl_esc(p->reason));
    if (p->needed_by.len)
        fprintf(out, "; needed by %s", pl_esc(p->needed_by.items[0]));
    if (p->needed_by.len > 1)
        fprintf(out, " and %zu later", p->needed_by.len - 1);
    fputc('\n', out);
}

static void rollup_lines(FILE *out, const pl_rollup_status *s)
{
    if (s->unknown) {
        fprintf(out, "  %-12s unknown (%s)\n", "Rollup:", pl_esc(s->unknown));
        return;
    }
    if (!s->applicable)
        return;
    if (s->latest)
        fprintf(out, "  %-12s %s (%s), %zu monthly rollup%s behind for the %s channel\n",
                "Rollup:", pl_esc(s->latest->kb),
                s->latest->release_date[0] ? pl_esc(s->latest->release_date) : "date unknown",
                s->nmissing, s->nmissing == 1 ? "" : "s", pl_channel_name(s->plan));
    else
        fprintf(out, "  %-12s none installed, %zu monthly rollup%s missing since build 6003 "
                "for the %s channel\n", "Rollup:", s->nmissing, s->nmissing == 1 ? "" : "s",
                pl_channel_name(s->plan));
    if (s->level_via && s->level)
        fprintf(out, "    level: %s (%s), through %s (%s)\n", pl_esc(s->level->kb),
                pl_esc(s->level->release_date), pl_esc(s->level_via->kb),
                pl_update_kind_name(s->level_via->kind));
    if (s->nmissing)
        entry_list(out, "  missing:", s->missing, s->nmissing);
    for (size_t i = 0; i < s->nmissing_prereqs; i++)
        prereq_line(out, &s->missing_prereqs[i]);
    if (s->kernel_note)
        fprintf(out, "    note: %s\n", pl_esc(s->kernel_note));
    if (s->kernel_after && s->kernel_rollup)
        fprintf(out, "    note: the kernel is newer than every kernel the catalog knows: its month "
                "is %.7s or later, not known which\n", pl_esc(s->kernel_rollup->release_date));
}

static const char *const sec_kinds[] = {"", "monthly rollup", "security-only", "kernel"};

/* "Security: 2022-05 via KB5014006 (security-only)" and the channel. */
static void security_lines(FILE *out, const pl_rollup_status *s)
{
    const pl_security_level *l = &s->security;
    if (l->kind == PL_SEC_NONE)
        fprintf(out, "  %-12s no month of the catalog covered", "Security:");
    else if (l->after)
        fprintf(out, "  %-12s after %s, month unknown (the kernel is newer than every kernel the "
                "catalog knows)", "Security:", pl_esc(l->month));
    else
        fprintf(out, "  %-12s %s via %s (%s)", "Security:", pl_esc(l->month),
                l->via->kb[0] ? pl_esc(l->via->kb) : "KB unknown", sec_kinds[l->kind]);
    fprintf(out, "; channel %s", pl_channel_name(s->channel));
    if (s->channel_via)
        fprintf(out, " (proved by %s)", pl_esc(s->channel_via->kb));
    fputc('\n', out);
}

static void behind_line(FILE *out, const pl_rollup_status *s)
{
    fprintf(out, "  %-12s", "Behind:");
    for (int c = PL_CHANNEL_ESU; c < PL_NCHANNELS; c++) {
        fprintf(out, "%s %s ", c > PL_CHANNEL_ESU ? "," : "", pl_channel_name((pl_channel)c));
        if (s->behind[c] < 0)
            fputs("not eligible", out);
        else
            fprintf(out, "%ld", s->behind[c]);
    }
    fputc('\n', out);
}

static void servicing_lines(FILE *out, const pl_rollup_status *s)
{
    if (!s->applicable || s->unknown)
        return;
    security_lines(out, s);
    behind_line(out, s);
    for (size_t i = 0; i < s->notes.len; i++)
        fprintf(out, "    note: %s\n", pl_esc(s->notes.items[i]));
}

/* "Next steps", a numbered list; nothing when it cannot be told. */
static void next_steps_lines(FILE *out, const pl_assessment *a)
{
    if (!a->next_steps_known)
        return;
    if (!a->nnext_steps) {
        fprintf(out, "  %-12s none: current for its channel\n", "Next steps:");
        return;
    }
    fprintf(out, "  Next steps:\n");
    for (size_t i = 0; i < a->nnext_steps; i++) {
        const pl_next_step *st = &a->next_steps[i];
        fprintf(out, "    %zu. %s", i + 1, st->action);
        if (st->kb || st->kind)
            fprintf(out, " %s", st->kb ? pl_esc(st->kb) : "(KB unknown)");
        if (st->kind)
            fprintf(out, " (%s)", st->kind);
        fprintf(out, ": %s\n", pl_esc(st->why));
    }
}

static void timeline_line(FILE *out, const pl_timeline *t)
{
    if (!t->known)
        return;
    fprintf(out, "  %-12s first install %s, newest %s, build 6003 since %s\n", "Timeline:",
            t->first, t->newest, t->build_6003[0] ? t->build_6003 : "-");
}

/* The catalog the rollup answers rest on, so a report says which one. */
static void catalog_line(FILE *out, const pl_input_result *r, const pl_rollup_status *s)
{
    if (!r->catalog || (!s->applicable && !s->unknown))
        return;
    fprintf(out, "  %-12s %s, newest row %s, sha256 %s\n", "Catalog:", pl_esc(r->catalog->name),
            r->catalog->newest[0] ? pl_esc(r->catalog->newest) : "-", r->catalog->sha256);
}

/* -v: the packages as DISM /Get-Packages lists them (identity, state,
 * release type, install time), with the KB each stands for. */
static void packages_lines(FILE *out, const pl_installation *in)
{
    fprintf(out, "  Packages:    %zu\n", in->npackages);
    if (in->npackages)
        fprintf(out, "    %-20s %-15s %-20s %-10s %s\n", "State", "Release type", "Install time",
                "KB", "Package identity");
    for (size_t i = 0; i < in->npackages; i++) {
        const pl_package *p = &in->packages[i];
        char when[32] = "-";
        if (p->has_install_time && pl_filetime_to_iso(p->install_filetime, when) != 0)
            snprintf(when, sizeof when, "-");
        fprintf(out, "    %-20s %-15s %-20s %-10s %s\n",
                p->has_state ? pl_cbs_state_name(p->state) : "(no registry)",
                or_dash(p->release_type), when, or_dash(p->kb), pl_esc(p->identity));
    }
}

static void signal_line(FILE *out, const pl_pending_signal *s, const char *how)
{
    fprintf(out, "    %s [%s]: %s%s%s%s%s\n", s->signal, s->signal_class, how, pl_esc(s->evidence),
            s->detail ? " (" : "", s->detail ? pl_esc(s->detail) : "", s->detail ? ")" : "");
}

/* Signals left unknown by the same missing witness share one line. */
static void unknown_signal_lines(FILE *out, const pl_assessment *a)
{
    const pl_pending_signal *u = a->unknown_signals;
    for (size_t i = 0; i < a->nunknown_signals;) {
        size_t j = i + 1;
        while (j < a->nunknown_signals && strcmp(u[j].detail, u[i].detail) == 0)
            j++;
        fputs("    unknown:", out);
        for (size_t k = i; k < j; k++)
            fprintf(out, "%s %s", k > i ? "," : "", u[k].signal);
        fprintf(out, " (%s)\n", pl_esc(u[i].detail));
        i = j;
    }
}

static void pending_lines(FILE *out, const pl_assessment *a)
{
    if (a->reboot_required == PL_TRI_NO)
        fprintf(out, "  %-12s not pending\n", "Reboot:");
    else if (a->reboot_required == PL_TRI_UNKNOWN)
        fprintf(out, "  %-12s unknown: %zu signal%s could not be judged\n", "Reboot:",
                a->nunknown_signals, a->nunknown_signals == 1 ? "" : "s");
    else
        fprintf(out, "  %-12s PENDING%s\n", "Reboot:",
                a->servicing_reboot_required == PL_TRI_NO ? " (no servicing signal)" : "");
    for (size_t i = 0; i < a->nsignals; i++)
        signal_line(out, &a->signals[i], "");
    unknown_signal_lines(out, a);
}

static void warning_lines(FILE *out, const pl_inst_result *r)
{
    const pl_notes *lists[] = {&r->inst.warnings, &r->assess.warnings};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->len; i++)
            fprintf(out, "  warning: %s\n", pl_esc(lists[l]->items[i].msg));
}

/* The lines of the evidence kinds that are not core and write text in
 * one section of the block (identity in the header, roles and
 * applications under "Runs", --find-6002-checks at the end), in table
 * order. */
static void evidence_kind_lines(FILE *out, const pl_installation *in, int section, int verbose)
{
    size_t n;
    const pl_evidence_kind *const *kinds = pl_installation_kinds(in, &n);
    for (size_t i = 0; i < n; i++) {
        const void *data = pl_installation_kind_data_at(in, i);
        if (!kinds[i]->core && kinds[i]->to_text && data && (int)kinds[i]->text_section == section)
            kinds[i]->to_text(out, data, verbose);
    }
}

/* What the server runs: a heading, then the kinds' lines indented under
 * it, when any kind has something to say. */
static void runs_lines(FILE *out, const pl_installation *in, int verbose)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return;
    evidence_kind_lines(f, in, PL_TEXT_RUNS, verbose);
    fclose(f);
    if (len)
        fprintf(out, "  Runs:\n");
    for (char *line = buf, *nl; line && *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl)
            nl = line + strlen(line) - 1;
        fprintf(out, "  %.*s\n", (int)(nl - line), line);
    }
    free(buf);
}

static void installation_block(FILE *out, const pl_input_result *r, const pl_inst_result *ir,
                               int verbose)
{
    where(out, r, &ir->inst);
    evidence_kind_lines(out, &ir->inst, PL_TEXT_HEADER, verbose);
    os_lines(out, ir);
    pe_line(out, "Kernel:", &ir->inst.ntoskrnl);
    if (ir->inst.ntkrnlpa.present)
        pe_line(out, "PAE kernel:", &ir->inst.ntkrnlpa);
    if (!ir->inst.hive_only)
        pe_line(out, "kernel32:", &ir->inst.kernel32);
    verdict_lines(out, &ir->assess);
    updates_lines(out, ir);
    rollup_lines(out, &ir->assess.rollups);
    servicing_lines(out, &ir->assess.rollups);
    timeline_line(out, &ir->assess.timeline);
    next_steps_lines(out, &ir->assess);
    catalog_line(out, r, &ir->assess.rollups);
    if (verbose)
        packages_lines(out, &ir->inst);
    pending_lines(out, &ir->assess);
    runs_lines(out, &ir->inst, verbose);
    evidence_kind_lines(out, &ir->inst, PL_TEXT_BODY, verbose);
    warning_lines(out, ir);
}

static void stored_hash(FILE *out, const char *name, const char *stored, int matches)
{
    if (!stored[0])
        return;
    fprintf(out, "; %s stored %s", name, stored);
    if (matches >= 0)
        fprintf(out, " (%s)", matches ? "matches" : "DOES NOT MATCH the media data");
}

/* One line of the imager's metadata for an E01: when, by whom, for which
 * case, and whether the stored hashes still hold (with --hash). */
static void acquisition_line(FILE *out, const pl_input_result *r)
{
    const pl_ewf_metadata *m = r->acquisition;
    if (!m)
        return;
    if (!m->known) {
        fprintf(out, "%s: acquisition metadata unknown: %s\n", pl_esc(r->input), pl_esc(m->reason));
        return;
    }
    /* Named like the other lines about the input as a whole. */
    fprintf(out, "%s: acquired %s by %s, case %s, evidence %s", pl_esc(r->input),
            or_dash(m->acquired), or_dash(m->examiner), or_dash(m->case_number),
            or_dash(m->evidence_number));
    stored_hash(out, "MD5", m->stored_md5, pl_ewf_md5_matches(m));
    stored_hash(out, "SHA-1", m->stored_sha1, pl_ewf_sha1_matches(m));
    if (m->hash_error)
        fprintf(out, "; media data not hashed: %s", pl_esc(m->hash_error));
    if (m->checksum_errors)
        fprintf(out, "; %u damaged or missing chunks read as zeros", (unsigned)m->checksum_errors);
    if (m->segments_corrupted)
        fprintf(out, "; segment files damaged");
    fputc('\n', out);
}

void pl_report_text(FILE *out, const pl_input_result *r, int verbose)
{
    acquisition_line(out, r);
    for (size_t i = 0; i < r->ninsts; i++) {
        installation_block(out, r, &r->insts[i], verbose);
        fputc('\n', out);
    }
    /* An input where nothing was found says so in its warnings (the
     * analysis words it, for every format). */
    for (size_t i = 0; i < r->warnings.len; i++)
        fprintf(out, "%s: warning: %s\n", pl_esc(r->input), pl_esc(r->warnings.items[i].msg));
    for (size_t i = 0; i < r->errors.len; i++)
        fprintf(out, "%s: error: %s\n", pl_esc(r->input), pl_esc(r->errors.items[i]));
    if (verbose)
        fprintf(out, "%s: %llu bytes read\n", pl_esc(r->input),
                (unsigned long long)r->bytes_read);
}
