/* servicing\Packages\*.mum: each registry package's manifest gives its
 * release type and, where the package name does not, its KB. Manifests with
 * no registry key are reported too (as not registered): a .mum alone does
 * not prove installation, but an examiner wants to see it.
 *
 * The core kind "packages" (evidence_kind.h): the CBS packages of SOFTWARE
 * (software_hive.c) with their manifests; its facts are the installation's
 * packages, mum_files and packages_dir, its JSON "updates"."packages". */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evidence/evidence_internal.h"
#include "evidence/mum.h"
#include "util/limits.h"

typedef struct {
    char *name;      /* as stored */
    int used;        /* matched to a registry package */
} mum_file;

typedef struct {
    mum_file *files;
    size_t len, cap;
    int too_many;    /* more .mum files than PL_MAX_PACKAGES: the rest unread */
} mum_list;

static int collect_mum_cb(const char *name, int is_dir, void *vctx)
{
    mum_list *l = vctx;
    if (is_dir || !pl_str_has_suffix_ci(name, ".mum"))
        return 0;
    if (l->len >= PL_MAX_PACKAGES) {
        l->too_many = 1;
        return 1;
    }
    if (l->len == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->files = pl_xrealloc(l->files, l->cap * sizeof *l->files);
    }
    l->files[l->len++] = (mum_file){.name = pl_xstrdup(name)};
    return 0;
}

static int cmp_mum(const void *a, const void *b)
{
    return strcasecmp(((const mum_file *)a)->name, ((const mum_file *)b)->name);
}

static mum_file *find_mum(mum_list *l, const char *name)
{
    mum_file key = {.name = (char *)name};
    if (l->len == 0)
        return NULL;
    return bsearch(&key, l->files, l->len, sizeof *l->files, cmp_mum);
}

/* The manifest a registry package names: InstallName, else identity.mum. */
static mum_file *mum_for_package(mum_list *l, const pl_package *p)
{
    if (p->install_name && pl_str_has_suffix_ci(p->install_name, ".mum")) {
        mum_file *m = find_mum(l, p->install_name);
        if (m)
            return m;
    }
    char *guess = pl_xasprintf("%s.mum", p->identity);
    mum_file *m = find_mum(l, guess);
    free(guess);
    return m;
}

static pl_package *add_orphan(pl_installation *inst, const char *mum_name, size_t *cap)
{
    if (inst->npackages == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        inst->packages = pl_xrealloc(inst->packages, *cap * sizeof *inst->packages);
    }
    pl_package *p = &inst->packages[inst->npackages++];
    memset(p, 0, sizeof *p);
    p->identity = pl_xstrndup(mum_name, strlen(mum_name) - 4);
    p->state = PL_CBS_UNKNOWN;
    return p;
}

static void apply_manifest(pl_package *p, pl_mum *m)
{
    p->release_type = m->release_type;
    m->release_type = NULL;
    p->description = m->description;
    m->description = NULL;
    p->restart = m->restart;
    m->restart = NULL;
    p->max_component_version = m->max_component_version;
    m->max_component_version = NULL;
    if (!p->kb && m->kb) {
        p->kb = m->kb;
        m->kb = NULL;
        p->kb_source = "mum";
    }
}

static void parse_manifest(pl_fs *fs, pl_package *p, pl_installation *inst)
{
    uint8_t *data = NULL;
    size_t len = 0;
    pl_err err = {0};
    if (fs->ops->read(fs, p->mum_path, PL_MAX_MANIFEST_BYTES, &data, &len, &err) != 0) {
        p->mum_error = pl_xasprintf("cannot read: %s", err.msg);
        p->mum_error_code = err.code;
    } else {
        pl_mum m;
        if (pl_mum_parse(data, len, &m, &err) != 0) {
            p->mum_error = pl_xstrdup(err.msg);
            p->mum_error_code = err.code;
        } else {
            apply_manifest(p, &m);
            pl_mum_free(&m);
        }
        free(data);
    }
    if (p->mum_error)
        pl_notes_add(&inst->warnings, p->mum_error_code, "manifest %s: %s", p->mum_path,
                     p->mum_error);
}

/* Match manifests to packages, adding orphans; returns the paths to read. */
static void match_manifests(mum_list *l, const char *dir, pl_installation *inst)
{
    size_t cap = inst->npackages;
    for (size_t i = 0; i < inst->npackages; i++) {
        mum_file *m = mum_for_package(l, &inst->packages[i]);
        if (m) {
            m->used = 1;
            inst->packages[i].has_mum = 1;
            inst->packages[i].mum_path = pl_xasprintf("%s/%s", dir, m->name);
        }
    }
    for (size_t i = 0; i < l->len; i++) {
        if (l->files[i].used)
            continue;
        pl_package *p = add_orphan(inst, l->files[i].name, &cap);
        p->has_mum = 1;
        p->mum_path = pl_xasprintf("%s/%s", dir, l->files[i].name);
    }
}

static void prefetch_manifests(pl_fs *fs, pl_installation *inst)
{
    if (!fs->ops->prefetch || inst->npackages == 0)
        return;
    const char **paths = pl_xcalloc(inst->npackages, sizeof *paths);
    uint64_t *max = pl_xcalloc(inst->npackages, sizeof *max);
    size_t n = 0;
    for (size_t i = 0; i < inst->npackages; i++)
        if (inst->packages[i].mum_path) {
            max[n] = PL_MAX_MANIFEST_BYTES;
            paths[n++] = inst->packages[i].mum_path;
        }
    pl_err err;
    if (n && fs->ops->prefetch(fs, paths, max, n, &err) != 0)
        pl_notes_add(&inst->warnings, err.code, "could not fetch the manifests together: %s",
                     err.msg);
    free(paths);
    free(max);
}

void pl_read_package_manifests(pl_fs *fs, const char *windows_dir, pl_installation *inst)
{
    char *want = pl_windir_path(windows_dir, "servicing/Packages");
    char *dir = NULL;
    pl_err err = {0};
    int rc = pl_fs_resolve(fs, want, &dir, &err);
    free(want);
    if (rc < 0)
        pl_notes_add(&inst->warnings, err.code, "servicing\\Packages: %s", err.msg);
    if (rc != 1)
        return;
    mum_list l = {0};
    if (fs->ops->list(fs, dir, collect_mum_cb, &l, &err) != 0)
        pl_notes_add(&inst->warnings, err.code, "servicing\\Packages: %s", err.msg);
    if (l.too_many)
        pl_notes_add(&inst->warnings, PL_ERR_LIMIT,
                         "servicing\\Packages holds more than %d .mum files; only the first %d "
                         "listed are read",
                         PL_MAX_PACKAGES, PL_MAX_PACKAGES);
    /* no files (an empty or unreadable directory): l.files is NULL, which
     * qsort and bsearch must not be given even with a count of 0 */
    if (l.len > 1)
        qsort(l.files, l.len, sizeof *l.files, cmp_mum);
    inst->mum_files = l.len;
    inst->packages_dir = dir;
    match_manifests(&l, dir, inst);
    prefetch_manifests(fs, inst);
    for (size_t i = 0; i < inst->npackages; i++)
        if (inst->packages[i].mum_path)
            parse_manifest(fs, &inst->packages[i], inst);
    for (size_t i = 0; i < l.len; i++)
        free(l.files[i].name);
    free(l.files);
}

/* ---- the kind -------------------------------------------------------------- */

static int cmp_package(const void *a, const void *b)
{
    return strcasecmp(((const pl_package *)a)->identity, ((const pl_package *)b)->identity);
}

static void *collect_packages(const pl_evidence_ctx *ctx)
{
    pl_installation *inst = pl_core_installation(ctx);
    if (ctx->software)
        pl_read_cbs_packages(ctx->software, inst);
    /* A bare hive has no manifests; its packages stay in the hive's order. */
    if (!ctx->windows_dir)
        return NULL;
    pl_read_package_manifests(ctx->vol->fs, ctx->windows_dir, inst);
    if (inst->npackages > 1)
        qsort(inst->packages, inst->npackages, sizeof *inst->packages, cmp_package);
    return NULL;
}

static void free_package(pl_package *p)
{
    char *fields[] = {p->identity,       p->kb,       p->install_name,
                      p->install_client, p->install_user, p->install_location,
                      p->mum_path,       p->mum_error, p->release_type,
                      p->description,    p->restart,  p->max_component_version};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        free(fields[i]);
}

static void free_packages(void *data)
{
    pl_installation *inst = data;
    for (size_t i = 0; i < inst->npackages; i++)
        free_package(&inst->packages[i]);
    free(inst->packages);
    free(inst->packages_dir);
}

static void kv_int_or_null(pl_json *j, const char *key, int64_t v, int present)
{
    if (present)
        pl_json_kv_int(j, key, v);
    else
        pl_json_kv_null(j, key);
}

static void package_json(pl_json *j, const pl_package *p)
{
    pl_json_begin_object(j);
    pl_json_kv_string(j, "identity", p->identity);
    pl_json_kv_string(j, "kb", p->kb);
    pl_json_kv_string(j, "kb_source", p->kb_source);
    pl_json_kv_string(j, "state", p->has_state ? pl_cbs_state_name(p->state) : NULL);
    kv_int_or_null(j, "state_code", p->state_code, p->has_state);
    pl_json_kv_bool(j, "in_registry", p->in_registry);
    pl_json_kv_string(j, "release_type", p->release_type);
    char iso[32];
    int has_time = p->has_install_time && pl_filetime_to_iso(p->install_filetime, iso) == 0;
    pl_json_kv_string(j, "install_time", has_time ? iso : NULL);
    pl_json_kv_string(j, "install_client", p->install_client);
    pl_json_kv_string(j, "install_user", p->install_user);
    kv_int_or_null(j, "visibility", p->visibility, p->has_visibility);
    pl_json_kv_string(j, "description", p->description);
    pl_json_kv_string(j, "mum", p->mum_path);
    pl_json_kv_string(j, "mum_error", p->mum_error);
    pl_json_kv_string(j, "max_component_version", p->max_component_version);
    pl_json_end_object(j);
}

static void packages_json(pl_json *j, const void *data)
{
    const pl_installation *in = data;
    pl_json_begin_array(j);
    for (size_t i = 0; i < in->npackages; i++)
        package_json(j, &in->packages[i]);
    pl_json_end_array(j);
}

const pl_evidence_kind pl_evidence_kind_packages = {
    .name = "packages",
    .collect = collect_packages,
    .free = free_packages,
    .to_json = packages_json,
    .core = 1,
};
