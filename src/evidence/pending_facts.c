/* The core kind "pending" (evidence_kind.h): the facts that say servicing
 * or a reboot waits, each with its evidence path: the CBS keys of SOFTWARE
 * (software_hive.c), the Session Manager, Tcpip and Netlogon values of
 * SYSTEM (system_hive.c) and WinSxS\pending.xml. Its facts are the
 * installation's pending; they reach the report only through the
 * decisions' "pending" signals (decisions/pending.c), so it has no JSON
 * of its own. */
#include <stdlib.h>

#include "evidence/evidence_internal.h"

static void read_pending_xml(pl_fs *fs, const char *windows_dir, pl_pending_facts *pending)
{
    char *want = pl_windir_path(windows_dir, "WinSxS/pending.xml");
    pl_err err;
    int rc = pl_fs_resolve(fs, want, &pending->pending_xml_path, &err);
    if (rc == 1)
        pending->pending_xml = 1;
    else if (rc < 0)
        pending->pending_xml_error = pl_xasprintf("%s: %s", want, err.msg);
    free(want);
}

/* The control set itself (current_control_set, control_set_error) is
 * recorded by collect.c when it opens SYSTEM: every SYSTEM reader needs it. */
static void *collect_pending(const pl_evidence_ctx *ctx)
{
    pl_installation *inst = pl_core_installation(ctx);
    if (ctx->software)
        pl_read_cbs_pending(ctx->software, inst);
    if (ctx->system && ctx->control_set)
        pl_read_system_pending(ctx->system, ctx->control_set, inst);
    if (ctx->windows_dir)
        read_pending_xml(ctx->vol->fs, ctx->windows_dir, &inst->pending);
    return NULL;
}

static void free_pending(void *data)
{
    pl_pending_facts *p = &((pl_installation *)data)->pending;
    char *fields[] = {p->sessions_exclusive_error, p->execute_state_error, p->pending_xml_path,
                      p->pending_xml_error, p->control_set_error, p->pfro_error, p->pfro2_error,
                      p->pfro_key, p->hostname, p->nv_hostname, p->tcpip_key, p->netlogon_key};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        free(fields[i]);
}

const pl_evidence_kind pl_evidence_kind_pending = {
    .name = "pending",
    .collect = collect_pending,
    .free = free_pending,
    .core = 1,
};
