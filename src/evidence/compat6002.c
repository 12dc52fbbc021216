/* --find-6002-checks: which files of an installation's volume to scan for
 * tests of build 6002, and the registry values that name scripts (Run,
 * RunOnce, services' ImagePath) or record a build (SupportedBuild=6002).
 *
 * Only the places scripts and their settings live are listed, never the
 * whole volume: the root (files only), Windows\System32\Tasks (task files
 * have no extension: all are read), Windows\Tasks, Windows\Setup\Scripts,
 * the Group Policy script folders (Windows\System32\GroupPolicy,
 * Windows\SYSVOL), Program Files, Program Files (x86), ProgramData, Users
 * and Documents and Settings. Candidates are found first, handed to
 * prefetch() in one call (a solid WIM decompresses each block once), then
 * read. Every count is bounded (util/limits.h, PL_MAX_C6_*). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evidence/compat6002.h"
#include "evidence/evidence_internal.h"
#include "evidence/hive.h"
#include "util/escape.h"
#include "util/limits.h"

static const char *const script_exts[] = {".bat", ".cmd", ".ps1", ".psm1", ".vbs", ".js",
                                          ".wsf", ".hta", ".kix", ".au3"};
static const char *const config_exts[] = {".ini", ".inf", ".xml", ".config", ".json", ".reg"};

static int has_ext(const char *name, const char *const *exts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (pl_str_has_suffix_ci(name, exts[i]))
            return 1;
    return 0;
}

static int is_candidate_name(const char *name)
{
    return has_ext(name, script_exts, sizeof script_exts / sizeof *script_exts) ||
           has_ext(name, config_exts, sizeof config_exts / sizeof *config_exts);
}

/* ---- finding the candidate files --------------------------------------- */

/* Directories under the script locations that hold caches, not scripts: a
 * profile's browser cache is thousands of .js and .xml files nobody wrote
 * to test a build, and would use up the file limit. */
static int is_cache_dir(const char *name)
{
    static const char *const caches[] = {"Temporary Internet Files", "INetCache",
                                         "Content.IE5", "WinSxS", "$Recycle.Bin"};
    for (size_t i = 0; i < sizeof caches / sizeof *caches; i++)
        if (strcasecmp(name, caches[i]) == 0)
            return 1;
    return 0;
}

typedef struct {
    pl_fs *fs;
    pl_compat6002 *c;
    pl_notes *warnings;
    size_t dirs;
    uint64_t planned;          /* bytes of the candidates so far */
    pl_strlist files;          /* exact paths to read */
    int stopped;               /* a scan-wide limit was reached */
    int depth_noted;
} walk_t;

typedef struct {
    pl_strlist names;
    pl_strlist kinds;          /* "d" or "f", parallel */
} listing_t;

static int listing_cb(const char *name, int is_dir, void *vctx)
{
    listing_t *l = vctx;
    pl_strlist_push(&l->names, name);
    pl_strlist_push(&l->kinds, is_dir ? "d" : "f");
    return 0;
}

/* Reaching a scan-wide limit ends the listing; why is taken (owned). */
static void stop(walk_t *w, char *why)
{
    if (!w->stopped && !w->c->limit)
        w->c->limit = why;
    else
        free(why);
    w->stopped = 1;
}

static char *join(const char *dir, const char *name)
{
    return dir[0] ? pl_xasprintf("%s/%s", dir, name) : pl_xstrdup(name);
}

/* A candidate: too large is skipped (counted), else planned. */
static void add_candidate(walk_t *w, const char *path)
{
    pl_stat st = {0};
    pl_err err;
    if (w->fs->ops->stat(w->fs, path, &st, &err) != 1 || st.is_dir) {
        w->c->skipped_files++;
        return;
    }
    if (st.size > PL_MAX_C6_FILE_BYTES) {
        w->c->skipped_files++;
        return;
    }
    if (w->files.len >= PL_MAX_C6_FILES) {
        stop(w, pl_xasprintf("more than %d candidate files: the rest are not scanned",
                             PL_MAX_C6_FILES));
        return;
    }
    if (w->planned + st.size > PL_MAX_C6_TOTAL_BYTES) {
        stop(w, pl_xasprintf("the candidate files exceed %llu bytes: the rest are not scanned",
                             (unsigned long long)PL_MAX_C6_TOTAL_BYTES));
        return;
    }
    if (!pl_strset_add(&w->c->seen, path))
        return;
    w->planned += st.size;
    pl_strlist_push(&w->files, path);
}

/* List dir and descend (to max_depth); all_files: every file is a
 * candidate, not only scripts and settings (task files). */
static void walk_dir(walk_t *w, const char *dir, int depth, int max_depth, int all_files)
{
    if (w->stopped)
        return;
    if (++w->dirs > PL_MAX_C6_DIRS) {
        stop(w, pl_xasprintf("more than %d directories: the rest are not scanned", PL_MAX_C6_DIRS));
        return;
    }
    listing_t l = {{0}, {0}};
    pl_err err = {0};
    if (w->fs->ops->list(w->fs, dir, listing_cb, &l, &err) != 0)
        pl_notes_add(w->warnings, err.code, "6002 scan: cannot list %s: %s", dir, err.msg);
    for (size_t i = 0; i < l.names.len && !w->stopped; i++) {
        char *p = join(dir, l.names.items[i]);
        if (l.kinds.items[i][0] == 'f' && (all_files || is_candidate_name(l.names.items[i])))
            add_candidate(w, p);
        else if (l.kinds.items[i][0] == 'd' && is_cache_dir(l.names.items[i]))
            ;
        else if (l.kinds.items[i][0] == 'd' && depth < max_depth)
            walk_dir(w, p, depth + 1, max_depth, all_files);
        else if (l.kinds.items[i][0] == 'd' && max_depth > 0 && !w->depth_noted++)
            pl_notes_add(w->warnings, PL_ERR_LIMIT,
                         "6002 scan: %s is nested deeper than %d directories: not descended "
                         "(nor any other so deep)", p, PL_MAX_C6_DEPTH);
        free(p);
    }
    pl_strlist_free(&l.names);
    pl_strlist_free(&l.kinds);
}

/* One location, resolved case-insensitively; absent is normal. */
static void walk_location(walk_t *w, const char *path, int max_depth, int all_files)
{
    char *exact = NULL;
    pl_err err;
    int rc = pl_fs_resolve(w->fs, path, &exact, &err);
    if (rc == 1) {
        pl_stat st = {0};
        if (w->fs->ops->stat(w->fs, exact, &st, &err) == 1 && st.is_dir)
            walk_dir(w, exact, 0, max_depth, all_files);
    } else if (rc < 0) {
        pl_notes_add(w->warnings, err.code, "6002 scan: cannot look at %s: %s", path, err.msg);
    }
    free(exact);
}

static void find_candidates(walk_t *w, const char *windows_dir)
{
    static const struct {
        const char *rel;
        int in_windows, all_files;
    } places[] = {
        {"System32/Tasks", 1, 1},    {"Tasks", 1, 0},        {"Setup/Scripts", 1, 0},
        {"System32/GroupPolicy", 1, 0}, {"SYSVOL", 1, 0},     {"Program Files", 0, 0},
        {"Program Files (x86)", 0, 0}, {"ProgramData", 0, 0}, {"Users", 0, 0},
        {"Documents and Settings", 0, 0},
    };
    /* A root that is itself the Windows directory has no volume around it. */
    int volume = windows_dir[0] != '\0';
    if (volume)
        walk_location(w, "", 0, 0);
    for (size_t i = 0; i < sizeof places / sizeof *places; i++) {
        if (!places[i].in_windows && !volume)
            continue;
        char *p = places[i].in_windows ? pl_windir_path(windows_dir, places[i].rel)
                                       : pl_xstrdup(places[i].rel);
        walk_location(w, p, PL_MAX_C6_DEPTH, places[i].all_files);
        free(p);
    }
}

/* ---- reading them ---------------------------------------------------------- */

static void scan_file(pl_fs *fs, pl_compat6002 *c, const char *path)
{
    uint8_t *data = NULL;
    size_t len = 0;
    pl_err err;
    if (fs->ops->read(fs, path, PL_MAX_C6_FILE_BYTES, &data, &len, &err) != 0) {
        c->skipped_files++;
        return;
    }
    int binary = 0;
    pl_c6_scan_bytes(c, path, data, len, &binary);
    free(data);
    if (binary) {
        c->skipped_files++;
        return;
    }
    c->scanned_files++;
    c->bytes += len;
}

/* In path order, so that a tree, a WIM and a disk of the same files list
 * the same findings in the same order. */
static void scan_candidates(walk_t *w)
{
    pl_strlist_sort(&w->files);
    size_t n = w->files.len;
    if (n && w->fs->ops->prefetch) {
        uint64_t *max = pl_xcalloc(n, sizeof *max);
        for (size_t i = 0; i < n; i++)
            max[i] = PL_MAX_C6_FILE_BYTES;
        pl_err err;
        w->fs->ops->prefetch(w->fs, (const char *const *)w->files.items, max, n, &err);
        free(max);
    }
    for (size_t i = 0; i < n; i++)
        scan_file(w->fs, w->c, w->files.items[i]);
}

/* ---- scripts the registry names ------------------------------------------ */

/* The first script path in a command line ("wscript.exe C:\x\logon.vbs",
 * "\"%SystemRoot%\\a b.cmd\" /q"), as a volume path: drive letter dropped,
 * %SystemRoot% / %windir% / %ProgramFiles% / %ProgramData% /
 * %SystemDrive% expanded, '\' turned to '/'. NULL when there is none or
 * it is not on this volume (UNC, relative). */
static char *script_in_command(const char *cmd, const char *windows_dir)
{
    size_t n = strlen(cmd), e = 0, a;
    for (size_t i = 0; i < n && !e; i++) {
        if (cmd[i] != '.')
            continue;
        for (size_t k = 0; k < sizeof script_exts / sizeof *script_exts; k++) {
            size_t xl = strlen(script_exts[k]);
            char after = i + xl < n ? cmd[i + xl] : '\0';
            if (strncasecmp(cmd + i, script_exts[k], xl) == 0 &&
                (after == '\0' || after == '"' || after == ' ' || after == '\t'))
                e = i + xl;
        }
    }
    if (!e)
        return NULL;
    const char *q = memrchr(cmd, '"', e);
    a = q ? (size_t)(q - cmd) + 1 : 0;
    if (!q) {
        const char *sp = memrchr(cmd, ' ', e);
        a = sp ? (size_t)(sp - cmd) + 1 : 0;
    }
    char *raw = pl_xstrndup(cmd + a, e - a);
    char *path = NULL;
    static const struct {
        const char *var;
        int windows;
        const char *to;
    } vars[] = {{"%systemroot%\\", 1, ""}, {"%windir%\\", 1, ""}, {"%programfiles%\\", 0, "Program Files/"},
                {"%programdata%\\", 0, "ProgramData/"}, {"%allusersprofile%\\", 0, "ProgramData/"},
                {"%systemdrive%\\", 0, ""}};
    for (size_t i = 0; i < sizeof vars / sizeof *vars && !path; i++) {
        size_t vl = strlen(vars[i].var);
        if (strncasecmp(raw, vars[i].var, vl) == 0)
            path = vars[i].windows ? pl_windir_path(windows_dir, raw + vl)
                                   : pl_xasprintf("%s%s", vars[i].to, raw + vl);
    }
    if (!path && strlen(raw) > 3 && raw[1] == ':' && raw[2] == '\\')
        path = pl_xstrdup(raw + 3);
    free(raw);
    for (char *p = path; p && *p; p++)
        if (*p == '\\')
            *p = '/';
    return path;
}

static void scan_named_script(pl_fs *fs, pl_compat6002 *c, const char *cmd,
                              const char *windows_dir)
{
    char *want = cmd ? script_in_command(cmd, windows_dir ? windows_dir : "") : NULL;
    char *exact = NULL;
    pl_err err;
    pl_stat st = {0};
    if (want && pl_fs_resolve(fs, want, &exact, &err) == 1 && !pl_strset_contains(&c->seen, exact) &&
        fs->ops->stat(fs, exact, &st, &err) == 1 && !st.is_dir &&
        c->scanned_files + c->skipped_files < PL_MAX_C6_FILES) {
        pl_strset_add(&c->seen, exact);
        scan_file(fs, c, exact);
    }
    free(exact);
    free(want);
}

/* One more registry value may be examined: 0 once PL_MAX_C6_REG_VALUES
 * have been, and the result then says so. */
static int value_budget(pl_compat6002 *c)
{
    if (c->registry_values < PL_MAX_C6_REG_VALUES) {
        c->registry_values++;
        return 1;
    }
    if (!c->limit)
        c->limit = pl_xasprintf("more than %d registry values: the rest are not examined",
                                PL_MAX_C6_REG_VALUES);
    return 0;
}

/* Every string value of one key is a command line (Run, RunOnce). */
static void scan_run_key(pl_hive *hive, hive_node_h key, pl_fs *fs, pl_compat6002 *c,
                         const char *windows_dir)
{
    hive_value_h *vals = key ? hivex_node_values(hive->h, key) : NULL;
    for (size_t i = 0; vals && vals[i] && value_budget(c); i++) {
        hive_type t;
        size_t len;
        if (hivex_value_type(hive->h, vals[i], &t, &len) != 0 ||
            (t != hive_t_REG_SZ && t != hive_t_REG_EXPAND_SZ))
            continue;
        char *cmd = hivex_value_string(hive->h, vals[i]);
        scan_named_script(fs, c, cmd, windows_dir);
        free(cmd);
    }
    free(vals);
}

/* ---- builds the registry records ------------------------------------------ */

/* Subtrees of SOFTWARE that are Windows's own (huge, and its own build
 * is no check) or classes: not walked for recorded builds. */
static int skipped_subtree(const char *parent, const char *name)
{
    static const char *const skip[] = {"Microsoft", "Classes", "Policies"};
    if (parent[0] && strcasecmp(parent, "Wow6432Node") != 0)
        return 0;
    for (size_t i = 0; i < sizeof skip / sizeof *skip; i++)
        if (strcasecmp(name, skip[i]) == 0)
            return 1;
    return 0;
}

/* A value's data as text: a string, or a DWORD in decimal. */
static char *value_text(pl_hive *hive, hive_value_h v)
{
    hive_type t;
    size_t len;
    if (hivex_value_type(hive->h, v, &t, &len) != 0)
        return NULL;
    if (t == hive_t_REG_SZ || t == hive_t_REG_EXPAND_SZ)
        return hivex_value_string(hive->h, v);
    if (t == hive_t_REG_DWORD && len == 4)
        return pl_xasprintf("%u", (unsigned)(uint32_t)hivex_value_dword(hive->h, v));
    return NULL;
}

static void check_values(pl_hive *hive, hive_node_h node, const char *keypath, pl_compat6002 *c)
{
    hive_value_h *vals = hivex_node_values(hive->h, node);
    for (size_t i = 0; vals && vals[i] && value_budget(c); i++) {
        char *name = hivex_value_key(hive->h, vals[i]);
        char *data = name ? value_text(hive, vals[i]) : NULL;
        pl_c6_class k = pl_c6_classify_setting(name, data);
        if (k != PL_C6_NONE) {
            char *where = pl_xasprintf("HKLM\\SOFTWARE\\%s", keypath);
            char *text = pl_xasprintf("%s = %s", name, data);
            pl_c6_add(c, where, 0, text, strlen(text), k);
            free(text);
            free(where);
        }
        free(name);
        free(data);
    }
    free(vals);
}

typedef struct {
    pl_hive *hive;
    pl_compat6002 *c;
    size_t keys;
} regwalk_t;

static void walk_key(regwalk_t *r, hive_node_h node, const char *path, const char *name, int depth)
{
    if (++r->keys > PL_MAX_C6_REG_KEYS) {
        if (!r->c->limit)
            r->c->limit = pl_xasprintf("more than %d SOFTWARE keys: the rest are not examined",
                                       PL_MAX_C6_REG_KEYS);
        return;
    }
    if (depth > 0)
        check_values(r->hive, node, path, r->c);
    if (depth >= PL_MAX_C6_REG_DEPTH)
        return;
    hive_node_h *kids = hivex_node_children(r->hive->h, node);
    for (size_t i = 0; kids && kids[i] && r->keys <= PL_MAX_C6_REG_KEYS; i++) {
        char *kn = hivex_node_name(r->hive->h, kids[i]);
        if (kn && !(depth <= 1 && skipped_subtree(depth ? name : "", kn))) {
            char *sub = path[0] ? pl_xasprintf("%s\\%s", path, kn) : pl_xstrdup(kn);
            walk_key(r, kids[i], sub, kn, depth + 1);
            free(sub);
        }
        free(kn);
    }
    free(kids);
}

/* ---- the hives ---------------------------------------------------------- */

/* The hives are the ones collect.c opened for every kind (read once, dirty
 * ones replayed from their logs). One that could not be read leaves its
 * part of the scan undone, and the scan says so; an absent one is normal. */
static int hive_unread(const pl_evidence_ctx *ctx, pl_hive *hive, const char *path,
                       const char *unread, pl_error_code code, const char *rel)
{
    if (hive)
        return 0;
    if (unread && !(code == PL_ERR_NOT_FOUND && !path)) {
        char *want = ctx->windows_dir ? pl_windir_path(ctx->windows_dir, rel) : pl_xstrdup(rel);
        pl_notes_add(ctx->warnings, code, "6002 scan: %s: %s", want, unread);
        free(want);
    }
    return 1;
}

static void scan_software(const pl_evidence_ctx *ctx, pl_compat6002 *c)
{
    static const char *const run_keys[] = {
        "Microsoft\\Windows\\CurrentVersion\\Run", "Microsoft\\Windows\\CurrentVersion\\RunOnce",
        "Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Run",
        "Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\RunOnce",
        "Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer\\Run"};
    pl_hive *hive = ctx->software;
    if (hive_unread(ctx, hive, ctx->software_path, ctx->software_unread,
                    ctx->software_unread_code, ctx->windows_dir ? PL_SOFTWARE_REL : "SOFTWARE"))
        return;
    if (ctx->windows_dir)
        for (size_t i = 0; i < sizeof run_keys / sizeof *run_keys; i++)
            scan_run_key(hive, pl_hive_node(hive, run_keys[i]), ctx->vol->fs, c,
                         ctx->windows_dir);
    regwalk_t r = {hive, c, 0};
    walk_key(&r, hivex_root(hive->h), "", "", 0);
}

/* Services whose ImagePath is a script (srvany-style wrappers name the
 * script in Parameters\Application; ImagePath itself is what the spec of
 * the issue asks for). */
static void scan_services(const pl_evidence_ctx *ctx, pl_compat6002 *c)
{
    pl_hive *hive = ctx->system;
    if (hive_unread(ctx, hive, ctx->system_path, ctx->system_unread, ctx->system_unread_code,
                    PL_SYSTEM_REL))
        return;
    char *key = pl_xasprintf("%s\\Services", ctx->control_set);
    hive_node_h services = pl_hive_node(hive, key);
    hive_node_h *kids = services ? hivex_node_children(hive->h, services) : NULL;
    for (size_t i = 0; kids && kids[i] && value_budget(c); i++) {
        char *cmd = pl_hive_string(hive, kids[i], "ImagePath");
        scan_named_script(ctx->vol->fs, c, cmd, ctx->windows_dir);
        free(cmd);
    }
    free(kids);
    free(key);
}

void pl_compat6002_scan(const pl_evidence_ctx *ctx, pl_compat6002 *c)
{
    if (ctx->windows_dir) {
        walk_t w = {.fs = ctx->vol->fs, .c = c, .warnings = ctx->warnings};
        find_candidates(&w, ctx->windows_dir);
        scan_candidates(&w);
        pl_strlist_free(&w.files);
    }
    scan_software(ctx, c);
    if (ctx->windows_dir)
        scan_services(ctx, c);
}

/* ---- the kind "compat_6002" ------------------------------------------------ */

/* Opt-in: NULL (JSON null) unless --find-6002-checks asked for it. */
static void *collect_compat6002(const pl_evidence_ctx *ctx)
{
    if (!ctx->opts->find_6002)
        return NULL;
    pl_compat6002 *c = pl_xcalloc(1, sizeof *c);
    pl_compat6002_scan(ctx, c);
    return c;
}

static void free_compat6002(void *data)
{
    pl_compat6002_free(data);
    free(data);
}

/* A registry value has no line (null) and its source says so. */
static void compat6002_json(pl_json *j, const void *data)
{
    const pl_compat6002 *c = data;
    pl_json_begin_object(j);
    pl_json_kv_int(j, "scanned_files", (int64_t)c->scanned_files);
    pl_json_kv_int(j, "skipped_files", (int64_t)c->skipped_files);
    pl_json_kv_int(j, "bytes_scanned", (int64_t)c->bytes);
    pl_json_kv_int(j, "registry_values_examined", (int64_t)c->registry_values);
    pl_json_kv_int(j, "risks", (int64_t)pl_c6_risks(c));
    pl_json_kv_string(j, "limit", c->limit);
    pl_json_key(j, "findings");
    pl_json_begin_array(j);
    for (size_t i = 0; i < c->nfindings; i++) {
        const pl_c6_finding *f = &c->findings[i];
        pl_json_begin_object(j);
        pl_json_kv_string(j, "path", f->path);
        if (f->line > 0)
            pl_json_kv_int(j, "line", (int64_t)f->line);
        else
            pl_json_kv_null(j, "line");
        pl_json_kv_string(j, "text", f->text);
        pl_json_kv_string(j, "classification", pl_c6_class_name(f->cls));
        pl_json_kv_string(j, "source", f->line > 0 ? "file" : "registry");
        pl_json_end_object(j);
    }
    pl_json_end_array(j);
    pl_json_end_object(j);
}

/* The risks first, then the mentions, each with its place and the line as
 * found (escaped: it comes from the image). */
static void compat6002_text(FILE *out, const void *data, int verbose)
{
    (void)verbose;
    const pl_compat6002 *c = data;
    size_t risks = pl_c6_risks(c);
    fprintf(out, "  Will break at 6003: %zu risk%s in %zu file%s scanned (%zu skipped), %zu "
                 "registry value%s examined\n",
            risks, risks == 1 ? "" : "s", c->scanned_files, c->scanned_files == 1 ? "" : "s",
            c->skipped_files, c->registry_values, c->registry_values == 1 ? "" : "s");
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < c->nfindings; i++) {
            const pl_c6_finding *f = &c->findings[i];
            if (pl_c6_is_risk(f->cls) != (pass == 0))
                continue;
            char line[32] = "";
            if (f->line)
                snprintf(line, sizeof line, ":%llu", (unsigned long long)f->line);
            fprintf(out, "    %-16s %s%s: %s\n", pl_c6_class_name(f->cls), pl_esc(f->path), line,
                    pl_esc(f->text));
        }
    if (c->limit)
        fprintf(out, "    (scan stopped: %s)\n", pl_esc(c->limit));
}

const pl_evidence_kind pl_evidence_kind_compat6002 = {
    .name = "compat_6002",
    .collect = collect_compat6002,
    .free = free_compat6002,
    .to_json = compat6002_json,
    .to_text = compat6002_text,
};
