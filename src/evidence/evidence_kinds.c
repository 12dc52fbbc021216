/* The one list of evidence kinds (evidence/evidence_kind.h). Adding a kind:
 * its own file defining a pl_evidence_kind, its declaration and one line
 * in the list below (doc/evidence.md). The order is the order kinds are
 * collected in and written to the report: the core kinds first (every
 * other kind reads their facts), the kernel files first of all (collect.c
 * reads them before it opens the hives); new kinds at the end, so that the
 * JSON of the kinds before them keeps its place. */
#include "evidence/evidence_internal.h"

/* Kinds that are not core are declared here only: nothing else names them. */
extern const pl_evidence_kind pl_evidence_kind_compat6002;   /* compat6002.c */
extern const pl_evidence_kind pl_evidence_kind_identity;     /* identity.c */
extern const pl_evidence_kind pl_evidence_kind_roles;        /* roles.c */
extern const pl_evidence_kind pl_evidence_kind_applications; /* applications.c */
extern const pl_evidence_kind pl_evidence_kind_application_updates; /* applications.c */

const pl_evidence_kind *const pl_evidence_kinds[] = {
    &pl_evidence_kind_files,        /* core: kernel_files.c */
    &pl_evidence_kind_pending,      /* core: pending_facts.c */
    &pl_evidence_kind_packages,     /* core: packages.c */
    &pl_evidence_kind_compat6002,   /* "compat_6002" */
    &pl_evidence_kind_identity,     /* "identity" */
    &pl_evidence_kind_roles,        /* "roles" */
    &pl_evidence_kind_applications, /* "applications" */
    &pl_evidence_kind_application_updates, /* "application_updates" */
};

const size_t pl_evidence_kind_count = sizeof pl_evidence_kinds / sizeof *pl_evidence_kinds;
