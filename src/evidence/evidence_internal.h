/* Shared between the evidence files; not used outside src/evidence. */
#ifndef PL_EVIDENCE_INTERNAL_H
#define PL_EVIDENCE_INTERNAL_H

#include "evidence/evidence_kind.h"
#include "evidence/hive.h"
#include "evidence/installation.h"

/* The core kinds (evidence_kind.h): their facts are typed fields of the
 * installation. */
extern const pl_evidence_kind pl_evidence_kind_files;      /* kernel_files.c */
extern const pl_evidence_kind pl_evidence_kind_pending;    /* pending_facts.c */
extern const pl_evidence_kind pl_evidence_kind_packages;   /* packages.c */

/* The installation a core kind fills. ctx->inst is const for every kind;
 * a core kind owns typed fields of it, and the installation being
 * collected is never a const object (collect.c hands it out). */
static inline pl_installation *pl_core_installation(const pl_evidence_ctx *ctx)
{
    return (pl_installation *)ctx->inst;
}

/* "<windows_dir>/<rel>" ("" windows_dir: rel alone). */
char *pl_windir_path(const char *windows_dir, const char *rel);

/* Where the hives are, relative to the Windows directory. */
#define PL_SOFTWARE_REL "System32/config/SOFTWARE"
#define PL_SYSTEM_REL "System32/config/SYSTEM"

/* Read one PE file's version evidence (path relative to the volume). */
void pl_read_pe_evidence(pl_fs *fs, const char *path, const char *role, pl_pe_evidence *out);

/* Facts from an open SOFTWARE hive. */
void pl_read_software_values(pl_hive *hive, pl_installation *inst);
void pl_read_cbs_packages(pl_hive *hive, pl_installation *inst);
void pl_read_cbs_pending(pl_hive *hive, pl_installation *inst);

/* Facts from an open SYSTEM hive. The control set Select\Current names
 * ("ControlSet%03u" into name; ControlSet001, with a warning, when Select
 * is missing or invalid), recorded in inst->pending; a control set that is
 * missing is a warning and control_set_error. */
void pl_read_control_set(pl_hive *hive, pl_installation *inst, char *name, size_t namelen);
/* The OS values of SYSTEM (architecture, product type, computer name). */
void pl_read_system_values(pl_hive *hive, const char *control_set, pl_installation *inst);
/* Pending file renames, computer rename and domain join. */
void pl_read_system_pending(pl_hive *hive, const char *control_set, pl_installation *inst);

/* List servicing\Packages, attach each package's .mum, add .mum files that
 * have no registry key. */
void pl_read_package_manifests(pl_fs *fs, const char *windows_dir, pl_installation *inst);

#endif
