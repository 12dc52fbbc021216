/* Version evidence from PE files: the running kernel and the base DLL.
 * Only System32 counts (WinSxS keeps other kernels); the caller names the
 * exact file. */
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
