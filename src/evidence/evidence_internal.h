/* Shared between the evidence files; not used outside src/evidence. */
#ifndef PL_EVIDENCE_INTERNAL_H
#define PL_EVIDENCE_INTERNAL_H

#include "evidence/hive.h"
#include "evidence/installation.h"

/* "<windows_dir>/<rel>" ("" windows_dir: rel alone). */
char *pl_windir_path(const char *windows_dir, const char *rel);

/* Read one PE file's version evidence (path relative to the volume). */
void pl_read_pe_evidence(pl_fs *fs, const char *path, const char *role, pl_pe_evidence *out);

/* Facts from an open SOFTWARE hive. */
void pl_read_software_values(pl_hive *hive, pl_installation *inst);
void pl_read_cbs_packages(pl_hive *hive, pl_installation *inst);
void pl_read_cbs_pending(pl_hive *hive, pl_installation *inst);

/* Facts from an open SYSTEM hive. */
void pl_read_system_values(pl_hive *hive, pl_installation *inst);

/* List servicing\Packages, attach each package's .mum, add .mum files that
 * have no registry key. */
void pl_read_package_manifests(pl_fs *fs, const char *windows_dir, pl_installation *inst);

#endif
