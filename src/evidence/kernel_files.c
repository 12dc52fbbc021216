/* Version evidence from PE files: the running kernel and the base DLL.
 * Only System32 counts (WinSxS keeps other kernels). The core kind
 * "files" (evidence_kind.h): its facts are the installation's ntoskrnl,
 * ntkrnlpa and kernel32, its JSON the "files" object. It reads no hive,
 * and collect.c runs it before it opens them (ctx->software and
 * ctx->system are NULL here): the reads keep the order they always had. */
#include <stdlib.h>
#include <string.h>

#include "evidence/evidence_internal.h"
#include "util/limits.h"

char *pl_windir_path(const char *windows_dir, const char *rel)
{
    return (windows_dir && windows_dir[0]) ? pl_xasprintf("%s/%s", windows_dir, rel)
                                           : pl_xstrdup(rel);
}

void pl_read_pe_evidence(pl_fs *fs, const char *path, const char *role, pl_pe_evidence *out)
{
    memset(out, 0, sizeof *out);
    out->role = role;
    pl_err err = {0};
    uint8_t *data = NULL;
    size_t len = 0;
    char *exact = NULL;
    int rc = pl_fs_read_ci(fs, path, PL_MAX_PE_BYTES, &data, &len, &exact, &err);
    if (rc == 0)
        return;
    out->present = 1;
    if (rc < 0) {
        out->path = exact ? exact : pl_xstrdup(path);
        out->error = pl_xasprintf("cannot read: %s", err.msg);
        out->error_code = err.code;
        return;
    }
    out->path = exact;
    out->size = len;
    pl_sha256_hex(data, len, out->sha256);
    if (pl_pe_read_version(data, len, &out->ver, &err) != 0) {
        out->error = pl_xasprintf("no usable version resource: %s", err.msg);
        out->error_code = err.code;
    }
    free(data);
}

/* ---- the kind -------------------------------------------------------------- */

static void *collect_files(const pl_evidence_ctx *ctx)
{
    pl_installation *inst = pl_core_installation(ctx);
    struct {
        const char *rel, *role;
        pl_pe_evidence *out;
    } files[] = {{"System32/ntoskrnl.exe", "ntoskrnl", &inst->ntoskrnl},
                 {"System32/ntkrnlpa.exe", "ntkrnlpa", &inst->ntkrnlpa},
                 {"System32/kernel32.dll", "kernel32", &inst->kernel32}};
    for (size_t i = 0; i < 3; i++)
        files[i].out->role = files[i].role;   /* named even when never read: "not found" */
    if (!ctx->windows_dir)                    /* a bare hive has no files */
        return NULL;
    for (size_t i = 0; i < 3; i++) {
        char *p = pl_windir_path(ctx->windows_dir, files[i].rel);
        pl_read_pe_evidence(ctx->vol->fs, p, files[i].role, files[i].out);
        free(p);
        if (files[i].out->error)
            pl_notes_add(ctx->warnings, files[i].out->error_code, "%s: %s", files[i].out->path,
                         files[i].out->error);
    }
    return NULL;
}

static void free_pe(pl_pe_evidence *pe)
{
    free(pe->path);
    free(pe->error);
    pl_pe_version_free(&pe->ver);
}

static void free_files(void *data)
{
    pl_installation *inst = data;
    free_pe(&inst->ntoskrnl);
    free_pe(&inst->ntkrnlpa);
    free_pe(&inst->kernel32);
}

static void kv_int_or_null(pl_json *j, const char *key, int64_t v, int present)
{
    if (present)
        pl_json_kv_int(j, key, v);
    else
        pl_json_kv_null(j, key);
}

static void pe_file(pl_json *j, const pl_pe_evidence *pe)
{
    pl_json_key(j, pe->role);
    if (!pe->present) {
        pl_json_null(j);
        return;
    }
    pl_json_begin_object(j);
    pl_json_kv_string(j, "path", pe->path);
    char v[32];
    int ok = !pe->error && pe->ver.has_fixed;
    pl_version4_format(pe->ver.file_version, v, sizeof v);
    pl_json_kv_string(j, "file_version", ok ? v : NULL);
    pl_version4_format(pe->ver.product_version, v, sizeof v);
    pl_json_kv_string(j, "product_version", ok ? v : NULL);
    pl_json_kv_string(j, "file_version_string", pe->ver.file_version_str);
    pl_json_kv_string(j, "product_version_string", pe->ver.product_version_str);
    pl_json_kv_string(j, "original_filename", pe->ver.original_filename);
    pl_json_kv_string(j, "sha256", pe->sha256[0] ? pe->sha256 : NULL);
    kv_int_or_null(j, "size", (int64_t)pe->size, pe->sha256[0] != '\0');
    pl_json_kv_string(j, "error", pe->error);
    pl_json_end_object(j);
}

/* {ntoskrnl, [ntkrnlpa,] kernel32}: ntkrnlpa only where there is one (x86). */
static void files_json(pl_json *j, const void *data)
{
    const pl_installation *in = data;
    pl_json_begin_object(j);
    pe_file(j, &in->ntoskrnl);
    if (in->ntkrnlpa.present)
        pe_file(j, &in->ntkrnlpa);
    pe_file(j, &in->kernel32);
    pl_json_end_object(j);
}

const pl_evidence_kind pl_evidence_kind_files = {
    .name = "files",
    .collect = collect_files,
    .free = free_files,
    .to_json = files_json,
    .core = 1,
};
