/* Finding the Windows installations of a volume and gathering the evidence
 * of each: the kernel files are read, the hives opened (SOFTWARE and SYSTEM
 * together) and the installation's own values read from them, then every
 * other evidence kind (evidence_kind.h) runs with both open; then they are
 * closed. The order of reads matters for WIMs: we resolve every file we
 * will need, hand the list to prefetch() once, then read. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evidence/evidence_internal.h"
#include "evidence/hive_log.h"
#include "util/limits.h"

/* ---- finding Windows directories --------------------------------------- */

struct dirs_ctx {
    pl_strlist names;
};

static int collect_dir_cb(const char *name, int is_dir, void *vctx)
{
    struct dirs_ctx *ctx = vctx;
    if (is_dir && ctx->names.len < PL_MAX_DIR_ENTRIES)
        pl_strlist_push(&ctx->names, name);
    return 0;
}

/* The smallest hive: a 4 KiB base block and one 4 KiB bin. */
#define MIN_HIVE_BYTES 8192

/* Is there a file at windows_dir/rel? 1 yes (its size in *size and, if
 * wanted, its stored path in *exact_out), 2 its name is there but its
 * record cannot be read (damaged: reading it later says why), 0 no, -1 it
 * could not be told (err set: a damaged directory on the way). */
static int file_at(pl_fs *fs, const char *windows_dir, const char *rel, uint64_t *size,
                   char **exact_out, pl_err *err)
{
    char *p = pl_windir_path(windows_dir, rel);
    char *exact = NULL;
    pl_stat st = {0};
    int rc = pl_fs_resolve(fs, p, &exact, err);
    if (rc == 1) {
        pl_err serr;
        rc = fs->ops->stat(fs, exact, &st, &serr);
        if (rc < 0)
            rc = 2;
        else if (rc == 1 && st.is_dir)
            rc = 0;
    }
    free(p);
    *size = st.size;
    if (rc == 1 && exact_out)
        *exact_out = exact;
    else
        free(exact);
    return rc;
}

/* A Windows installation: a SOFTWARE hive of plausible size, or a kernel.
 * A stub where the hive should be, and no kernel, is not one (a warning
 * says so, so that it is not skipped silently). A hive or kernel whose
 * name is there but whose record is damaged counts: the installation is
 * reported, with the damage as its warnings. 1, 0, or -1 when it could
 * not be told (err set). */
static int is_windows_dir(pl_fs *fs, const char *windows_dir, pl_notes *warnings, pl_err *err)
{
    uint64_t hive_size = 0, kernel_size = 0;
    char *hive_path = NULL;
    int hive = file_at(fs, windows_dir, PL_SOFTWARE_REL, &hive_size, &hive_path, err);
    if ((hive == 1 && hive_size >= MIN_HIVE_BYTES) || hive == 2) {
        free(hive_path);
        return 1;
    }
    pl_err kerr;
    int kernel = file_at(fs, windows_dir, "System32/ntoskrnl.exe", &kernel_size, NULL,
                         hive < 0 ? &kerr : err);
    if (kernel >= 1) {
        free(hive_path);
        return 1;
    }
    if (kernel == 0 && hive == 1 && warnings)
        pl_notes_add(warnings, PL_ERR_NOT_FOUND,
                     "%s is only %llu bytes, too small for a hive, and there is no "
                         "ntoskrnl.exe: not counted as an installation",
                         hive_path, (unsigned long long)hive_size);
    free(hive_path);
    return hive < 0 || kernel < 0 ? -1 : 0;
}

/* Cheap first look: does windows_dir have a System32 directory at all?
 * 1, 0, or -1 when it could not be told (err set). */
static int has_system32(pl_fs *fs, const char *windows_dir, pl_err *err)
{
    char *p = pl_windir_path(windows_dir, "System32");
    char *exact = NULL;
    int rc = pl_fs_resolve(fs, p, &exact, err);
    free(p);
    free(exact);
    return rc;
}

/* 1 a Windows directory, 0 not, -1 could not be told (err set). */
static int windows_dir_at(pl_fs *fs, const char *dir, pl_notes *warnings, pl_err *err)
{
    int rc = has_system32(fs, dir, err);
    return rc == 1 ? is_windows_dir(fs, dir, warnings, err) : rc;
}

/* Every directory is looked at even after one could not be: the others
 * are still reported, and the first failure is returned. */
int pl_find_windows_dirs(pl_fs *fs, pl_strlist *dirs, pl_notes *warnings, pl_err *err)
{
    /* The input may itself be a Windows directory (C:\\Windows extracted). */
    int rc = windows_dir_at(fs, "", warnings, err);
    if (rc == 1) {
        pl_strlist_push(dirs, "");
        return 0;
    }
    int failed = rc < 0;
    struct dirs_ctx ctx = {{0}};
    pl_err lerr;
    if (fs->ops->list(fs, "", collect_dir_cb, &ctx, failed ? &lerr : err) != 0) {
        pl_strlist_free(&ctx.names);
        return -1;
    }
    pl_strlist_sort(&ctx.names);
    for (size_t i = 0; i < ctx.names.len; i++) {
        pl_err derr;
        rc = windows_dir_at(fs, ctx.names.items[i], warnings, &derr);
        if (rc == 1 && dirs->len == PL_MAX_WINDOWS_DIRS) {
            if (warnings)
                pl_notes_add(warnings, PL_ERR_LIMIT, "more than %d Windows directories on one volume: "
                                           "only the first %d (in name order) are analyzed",
                                 PL_MAX_WINDOWS_DIRS, PL_MAX_WINDOWS_DIRS);
            break;
        }
        if (rc == 1)
            pl_strlist_push(dirs, ctx.names.items[i]);
        else if (rc < 0 && !failed++)
            *err = derr;
    }
    pl_strlist_free(&ctx.names);
    return failed ? -1 : 0;
}

/* ---- hives -------------------------------------------------------------- */

/* The transaction logs beside a hive: NAME.LOG (Vista/2008), NAME.LOG1,
 * NAME.LOG2, whatever their case. Returns how many were read. */
static size_t read_logs(pl_fs *fs, const char *hive_path, pl_hive_log logs[3], uint8_t *bufs[3])
{
    static const char *const suffixes[] = {".LOG", ".LOG1", ".LOG2"};
    size_t n = 0;
    for (size_t i = 0; i < 3; i++) {
        char *want = pl_xasprintf("%s%s", hive_path, suffixes[i]);
        char *exact = NULL;
        size_t len = 0;
        pl_err err;
        if (pl_fs_read_ci(fs, want, PL_MAX_HIVE_BYTES, &bufs[n], &len, &exact, &err) == 1) {
            const char *base = strrchr(exact, '/');
            logs[n] = (pl_hive_log){.name = pl_xstrdup(base ? base + 1 : exact),
                                    .data = bufs[n], .len = len};
            n++;
        }
        free(exact);
        free(want);
    }
    return n;
}

/* A hive that was not cleanly closed (a snapshot of a running machine, a
 * crash) is replayed from its logs, in memory; the report says so. */
static void recover_if_dirty(pl_fs *fs, const char *exact, uint8_t **data, size_t *len,
                             pl_hive_state *state)
{
    uint32_t seq1, seq2;
    if (pl_hive_is_dirty(*data, *len, &seq1, &seq2) != 1)
        return;
    pl_hive_log logs[3];
    uint8_t *bufs[3] = {0};
    size_t nlogs = read_logs(fs, exact, logs, bufs);
    pl_hive_recovery rec;
    pl_err err;
    state->dirty = 1;
    if (pl_hive_recover(data, len, logs, nlogs, &rec, &err) == 0) {
        state->recovered = rec.recovered;
        state->logs = pl_xstrdup(rec.log_used);
        state->detail = pl_xstrdup(rec.detail);
        pl_hive_recovery_free(&rec);
    } else {
        state->detail = pl_xasprintf("dirty hive; the logs could not be replayed: %s", err.msg);
    }
    /* The warning is added by open_hive once it knows whether the hive
     * opens: a dirty hive that does not open is one warning, not two that
     * contradict each other ("values are from the stale primary file"). */
    for (size_t i = 0; i < nlogs; i++) {
        free((char *)logs[i].name);
        free(bufs[i]);
    }
}

/* A hive read in part: flagged, and what was lost joins the detail (after
 * the dirty-hive sentence, when there is one). */
static void note_salvage(pl_hive_state *state, const char *what)
{
    char *joined = state->detail ? pl_xasprintf("%s; %s", state->detail, what)
                                 : pl_xstrdup(what);
    free(state->detail);
    state->detail = joined;
    state->salvaged = 1;
}

/* Read and open a hive; on failure say why in the warnings. */
static int open_hive(pl_fs *fs, const char *path, const char *label, pl_hive *hive,
                     char **exact, pl_hive_state *state, char **why, pl_error_code *code,
                     pl_installation *inst)
{
    uint8_t *data = NULL;
    size_t len = 0;
    pl_err err = {0};
    int rc = pl_fs_read_ci(fs, path, PL_MAX_HIVE_BYTES, &data, &len, exact, &err);
    if (rc == 0)
        pl_err_setc(&err, PL_ERR_NOT_FOUND, "not found (%s)", path);
    if (rc == 1) {
        recover_if_dirty(fs, *exact, &data, &len, state);
        rc = pl_hive_open_mem_consume(data, len, hive, &err) == 0 ? 1 : -1;
        free(data);
        if (rc == 1 && hive->salvaged) {
            note_salvage(state, hive->salvage);
            state->lost = hive->salvage_lost;
        }
        if (rc == 1 && state->detail)
            pl_notes_add(&inst->warnings, state->salvaged ? PL_ERR_CORRUPT : PL_ERR_DIRTY,
                         "%s hive %s: %s", label, *exact, state->detail);
        else if (rc != 1 && state->dirty && !state->recovered)
            strncat(err.msg, ", and no transaction log repaired it",
                    sizeof err.msg - strlen(err.msg) - 1);
    }
    if (rc == 1)
        return 0;
    pl_notes_add(&inst->warnings, err.code, "%s hive %s: %s", label, *exact ? *exact : path,
                 err.msg);
    *why = pl_xstrdup(err.msg);
    *code = err.code;
    return -1;
}

/* ---- the installation --------------------------------------------------- */

static void prefetch_core_files(pl_fs *fs, const char *windows_dir)
{
    static const char *const rel[] = {"System32/ntoskrnl.exe", "System32/ntkrnlpa.exe",
                                      "System32/kernel32.dll", PL_SOFTWARE_REL, PL_SYSTEM_REL};
    /* The limit each will be read with: a 1 GiB "ntoskrnl.exe" must not be
     * extracted only to be refused as a PE afterwards. */
    static const uint64_t limit[] = {PL_MAX_PE_BYTES, PL_MAX_PE_BYTES, PL_MAX_PE_BYTES,
                                     PL_MAX_HIVE_BYTES, PL_MAX_HIVE_BYTES};
    if (!fs->ops->prefetch)
        return;
    const char *paths[5];
    uint64_t max[5];
    size_t n = 0;
    for (size_t i = 0; i < 5; i++) {
        char *want = pl_windir_path(windows_dir, rel[i]);
        char *exact = NULL;
        pl_err err;
        if (pl_fs_resolve(fs, want, &exact, &err) == 1) {
            max[n] = limit[i];
            paths[n++] = exact;
        }
        free(want);
    }
    pl_err err;
    fs->ops->prefetch(fs, paths, max, n, &err); /* a failure shows again on read */
    for (size_t i = 0; i < n; i++)
        free((char *)paths[i]);
}

static void copy_location(const pl_volume *vol, pl_installation *inst)
{
    inst->loc = vol->loc;
    inst->loc.wim_image_name = pl_xstrdup(vol->loc.wim_image_name);
    const pl_wim_claim *c = &vol->wim_xml;
    inst->wim_xml = *c;
    inst->wim_xml.product_name = pl_xstrdup(c->product_name);
    inst->wim_xml.edition_id = pl_xstrdup(c->edition_id);
    inst->wim_xml.installation_type = pl_xstrdup(c->installation_type);
    inst->wim_xml.product_type = pl_xstrdup(c->product_type);
    inst->wim_xml.arch = pl_xstrdup(c->arch);
    inst->wim_xml.default_language = pl_xstrdup(c->default_language);
    inst->wim_xml.name = pl_xstrdup(c->name);
    inst->wim_xml.description = pl_xstrdup(c->description);
}

/* The two hives every kind may read, open together while the kinds run. */
typedef struct {
    pl_hive software, system;
    int software_open, system_open;
    pl_error_code software_code, system_code;
    char control_set[32];
} open_hives;

/* Open SOFTWARE (and, for a Windows directory, SYSTEM) and read the
 * installation's own values from them: CurrentVersion, the control set
 * and the SYSTEM OS values. */
static void open_installation_hives(pl_fs *fs, const char *windows_dir, pl_installation *inst,
                                    open_hives *h)
{
    char *sw = windows_dir ? pl_windir_path(windows_dir, PL_SOFTWARE_REL) : pl_xstrdup("SOFTWARE");
    if (open_hive(fs, sw, "SOFTWARE", &h->software, &inst->software_path, &inst->software_state,
                  &inst->software_error, &h->software_code, inst) == 0) {
        h->software_open = inst->software_read = 1;
        pl_read_software_values(&h->software, inst);
    }
    free(sw);
    if (!windows_dir) {
        h->system_code = PL_ERR_NOT_FOUND;
        return;
    }
    char *sys = pl_windir_path(windows_dir, PL_SYSTEM_REL);
    if (open_hive(fs, sys, "SYSTEM", &h->system, &inst->system_path, &inst->system_state,
                  &inst->system_error, &h->system_code, inst) == 0) {
        h->system_open = inst->system_read = 1;
        pl_read_control_set(&h->system, inst, h->control_set, sizeof h->control_set);
        pl_read_system_values(&h->system, h->control_set, inst);
    }
    free(sys);
}

static void close_hives(open_hives *h)
{
    if (h->software_open)
        pl_hive_close(&h->software);
    if (h->system_open)
        pl_hive_close(&h->system);
}

static void run_kind(const pl_evidence_ctx *ctx, pl_installation *inst, size_t i)
{
    void *data = inst->kinds[i]->collect(ctx);
    if (!inst->kinds[i]->core)
        inst->kind_data[i] = data;
}

/* The kernel files read no hive, and are read before the hives are opened:
 * the reads keep the order they have always had, so on a damaged image the
 * first failed read (which the input's error names) and the order of the
 * warnings stay the same. */
static int before_hives(const pl_evidence_kind *k)
{
    return k == &pl_evidence_kind_files;
}

/* What the kinds after the kernel files see of the hives. */
static void hive_context(pl_evidence_ctx *ctx, open_hives *h, const pl_installation *inst)
{
    ctx->software = h->software_open ? &h->software : NULL;
    ctx->software_path = inst->software_path;
    ctx->software_unread = h->software_open ? NULL : inst->software_error;
    ctx->software_unread_code = h->software_open ? PL_ERR_NONE : h->software_code;
    ctx->system = h->system_open ? &h->system : NULL;
    ctx->system_path = inst->system_path;
    ctx->system_unread = h->system_open       ? NULL
                         : inst->system_error ? inst->system_error
                                              : "a bare SOFTWARE hive has no SYSTEM hive beside it";
    ctx->system_unread_code = h->system_open ? PL_ERR_NONE : h->system_code;
    ctx->control_set = h->system_open ? h->control_set : NULL;
}

static void start_installation(const pl_volume *vol, const char *windows_dir,
                               const pl_evidence_kind *const *kinds, size_t nkinds,
                               pl_installation *inst)
{
    memset(inst, 0, sizeof *inst);
    copy_location(vol, inst);
    inst->hive_only = vol->hive_only;
    inst->windows_dir = pl_xstrdup(windows_dir);
    inst->kinds = kinds;
    inst->nkinds = nkinds;
    inst->kind_data = pl_xcalloc(nkinds ? nkinds : 1, sizeof *inst->kind_data);
}

void pl_collect_installation_kinds(const pl_volume *vol, const char *windows_dir,
                                   const pl_evidence_options *opts,
                                   const pl_evidence_kind *const *kinds, size_t nkinds,
                                   pl_installation *inst)
{
    static const pl_evidence_options defaults = {0};
    if (vol->hive_only)
        windows_dir = NULL;
    start_installation(vol, windows_dir, kinds, nkinds, inst);
    if (windows_dir)
        prefetch_core_files(vol->fs, windows_dir);
    pl_evidence_ctx ctx = {
        .vol = vol,
        .windows_dir = windows_dir,
        .software_unread = "not opened yet: the kernel files are read first",
        .software_unread_code = PL_ERR_NONE,
        .system_unread = "not opened yet: the kernel files are read first",
        .system_unread_code = PL_ERR_NONE,
        .inst = inst,
        .warnings = &inst->warnings,
        .opts = opts ? opts : &defaults,
    };
    for (size_t i = 0; i < nkinds; i++)
        if (before_hives(kinds[i]))
            run_kind(&ctx, inst, i);
    open_hives h = {0};
    open_installation_hives(vol->fs, windows_dir, inst, &h);
    hive_context(&ctx, &h, inst);
    for (size_t i = 0; i < nkinds; i++)
        if (!before_hives(kinds[i]))
            run_kind(&ctx, inst, i);
    close_hives(&h);
}

void pl_collect_installation(const pl_volume *vol, const char *windows_dir,
                             const pl_evidence_options *opts, pl_installation *inst)
{
    pl_collect_installation_kinds(vol, windows_dir, opts, pl_evidence_kinds,
                                  pl_evidence_kind_count, inst);
}

/* ---- the kinds' data and freeing ----------------------------------------- */

const pl_evidence_kind *const *pl_installation_kinds(const pl_installation *inst, size_t *n)
{
    if (inst->kinds) {
        *n = inst->nkinds;
        return inst->kinds;
    }
    *n = pl_evidence_kind_count;
    return pl_evidence_kinds;
}

const void *pl_installation_kind_data_at(const pl_installation *inst, size_t i)
{
    size_t n;
    const pl_evidence_kind *const *kinds = pl_installation_kinds(inst, &n);
    if (i >= n)
        return NULL;
    if (kinds[i]->core)
        return inst;
    return inst->kind_data ? inst->kind_data[i] : NULL;
}

const void *pl_installation_kind_data(const pl_installation *inst, const char *name)
{
    size_t n;
    const pl_evidence_kind *const *kinds = pl_installation_kinds(inst, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(kinds[i]->name, name) == 0)
            return pl_installation_kind_data_at(inst, i);
    return NULL;
}

static void free_os(pl_os_values *os)
{
    char **fields[] = {&os->product_name,  &os->edition_id,     &os->installation_type,
                       &os->current_version, &os->current_build, &os->current_build_number,
                       &os->csd_version,   &os->csd_build_number, &os->build_lab,
                       &os->build_lab_ex,  &os->processor_architecture, &os->product_type,
                       &os->computer_name, &os->display_version};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        free(*fields[i]);
}

static void free_hive_state(pl_hive_state *h)
{
    free(h->logs);
    free(h->detail);
}

/* Every kind's data through the table (a core kind's data is the
 * installation), then what the installation holds itself. */
static void free_kinds(pl_installation *inst)
{
    size_t n;
    const pl_evidence_kind *const *kinds = pl_installation_kinds(inst, &n);
    for (size_t i = 0; i < n; i++) {
        void *data = kinds[i]->core ? inst : inst->kind_data ? inst->kind_data[i] : NULL;
        if (data)
            kinds[i]->free(data);
    }
    free(inst->kind_data);
}

void pl_installation_free(pl_installation *inst)
{
    free_kinds(inst);
    free(inst->loc.wim_image_name);
    pl_wim_claim_free(&inst->wim_xml);
    free(inst->windows_dir);
    free(inst->software_path);
    free(inst->software_error);
    free_hive_state(&inst->software_state);
    free_hive_state(&inst->system_state);
    free(inst->system_path);
    free(inst->system_error);
    free_os(&inst->os);
    pl_notes_free(&inst->warnings);
    memset(inst, 0, sizeof *inst);
}
