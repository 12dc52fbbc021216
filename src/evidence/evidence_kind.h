/* The evidence-kind interface (/work/evidence-kind-interface.md).
 *
 * TEMPORARY COPY in branch wt-fleet so that the identity, roles and
 * applications kinds can be written and tested before the branch that
 * creates the real interface lands; the lead replaces this file at merge.
 * Differences from the agreed text: the JSON writer is still
 * report/json_writer.h here (it moves to util/ in the other branch), and
 * pl_installation comes from evidence/installation.h. */
#ifndef PL_EVIDENCE_KIND_H
#define PL_EVIDENCE_KIND_H

#include <stdio.h>

#include "evidence/hive.h"
#include "evidence/installation.h"
#include "report/json_writer.h"
#include "sources/source.h"
#include "util/util.h"

typedef struct {
    const pl_volume *vol;
    const char *windows_dir;        /* exact stored name; NULL for a bare hive */
    pl_hive *software;              /* the open SOFTWARE hive; NULL when not read */
    const char *software_path;
    const char *software_unread;    /* why it was not read, when software == NULL */
    pl_hive *system;                /* the open SYSTEM hive; NULL when not read */
    const char *system_path;
    const char *system_unread;
    const char *control_set;        /* "ControlSet001" (from Select\Current); NULL unknown */
    const pl_installation *inst;    /* core facts already gathered */
    pl_notes *warnings;             /* the installation's warnings */
} pl_evidence_ctx;

typedef struct {
    const char *name;
    void *(*collect)(const pl_evidence_ctx *ctx);
    void (*free)(void *data);
    void (*to_json)(pl_json *j, const void *data);
    void (*to_text)(FILE *out, const void *data, int verbose);
} pl_evidence_kind;

#endif
