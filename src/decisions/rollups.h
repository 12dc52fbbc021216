/* How far behind an NT 6.0 installation is: its newest installed monthly
 * rollup, the catalog's monthly rollups released after it, and the
 * prerequisites those need that are absent. */
#ifndef PL_ROLLUPS_H
#define PL_ROLLUPS_H

#include "decisions/catalog.h"
#include "evidence/installation.h"

typedef struct {
    const pl_catalog_entry *entry;   /* the prerequisite */
    char *reason;                    /* e.g. "needed by updates released after 2019-09" */
} pl_missing_prereq;

typedef struct {
    int applicable;                  /* NT 6.0 with a catalog: the rest is meaningful */
    /* Newest installed (0x70/0x80) monthly rollup known to the catalog. */
    const pl_catalog_entry *latest;
    /* Each installed catalog KB with its kind, newest first (security-only,
     * previews, OOB, SSUs recognised as what they are). */
    const pl_catalog_entry **installed;
    size_t ninstalled;
    /* Monthly rollups released after `latest` (all of them when none is
     * installed), oldest first; nmissing is "how many rollups behind". */
    const pl_catalog_entry **missing;
    size_t nmissing;
    pl_missing_prereq *missing_prereqs;
    size_t nmissing_prereqs;
    /* The rollup month the running kernel's revision belongs to (NULL when
     * the catalog cannot place it), and a note when the kernel is newer than
     * any installed rollup explains. */
    const pl_catalog_entry *kernel_rollup;
    char *kernel_note;
} pl_rollup_status;

/* kernel may be NULL (unreadable). kbs_installed is the assessment's list. */
void pl_decide_rollups(const pl_installation *inst, const pl_strlist *kbs_installed,
                       const pl_pe_evidence *kernel, const pl_catalog *cat,
                       pl_rollup_status *out);
void pl_rollup_status_free(pl_rollup_status *s);

#endif
