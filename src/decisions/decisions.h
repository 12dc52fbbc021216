/* The decisions layer: what the evidence of one installation means. Pure
 * functions over pl_installation; every conclusion keeps the evidence it
 * rests on so the report can show it. */
#ifndef PL_DECISIONS_H
#define PL_DECISIONS_H

#include "decisions/rollups.h"
#include "evidence/installation.h"

typedef enum {
    PL_VERDICT_UNKNOWN = 0,
    PL_VERDICT_YES,
    PL_VERDICT_NO,
    PL_VERDICT_INCONSISTENT,
    PL_VERDICT_NOT_APPLICABLE,
} pl_verdict;

const char *pl_verdict_name(pl_verdict v);  /* "yes", "no", ... as in the report */

/* One fact the verdict rests on. build is -1 when the value has none. */
typedef struct {
    char *source;   /* e.g. "Windows/System32/ntoskrnl.exe (file version)" */
    char *value;    /* e.g. "6.0.6003.21481" */
    int build;
} pl_evidence_item;

typedef struct {
    pl_verdict verdict;
    char *reason;                 /* one sentence saying why */
    pl_evidence_item *evidence;
    size_t nevidence;
    /* A build-6003 update is staged or waits for a reboot (its manifest
     * carries 6.0.6003.* components): the build after that reboot. */
    int pending_build;            /* 6003, or 0 */
    pl_strlist pending_packages;  /* identities of those packages */
} pl_build6003;

/* One reason a reboot is pending. */
typedef struct {
    const char *signal;           /* stable id, e.g. "cbs-reboot-pending" */
    char *evidence;               /* where it was seen */
    char *detail;                 /* e.g. "3 entries" or NULL */
} pl_pending_signal;

typedef struct {
    /* Derived identity of the installation. */
    char *version;                /* "6.0" */
    int build;                    /* -1 unknown */
    const char *arch;             /* "amd64", "x86", "ia64", NULL */
    const char *arch_source;      /* which evidence gave arch */

    pl_build6003 b6003;

    pl_strlist kbs_installed, kbs_superseded, kbs_pending_or_staged;

    /* From the catalog: newest rollup, what is missing (applicable == 0
     * when there is no catalog or the installation is not NT 6.0). */
    pl_rollup_status rollups;

    int reboot_required;
    pl_pending_signal *signals;
    size_t nsignals;

    pl_strlist warnings;          /* conclusions worth a look: disagreements */
} pl_assessment;

/* cat may be NULL: then no rollup conclusions are drawn. */
void pl_assess(const pl_installation *inst, const pl_catalog *cat, pl_assessment *out);
void pl_assessment_free(pl_assessment *a);

/* The parts of pl_assess, exposed for unit tests. */
void pl_decide_identity(const pl_installation *inst, pl_assessment *a);
void pl_decide_build6003(const pl_installation *inst, pl_build6003 *b);
void pl_decide_kbs(const pl_installation *inst, pl_assessment *a);
void pl_decide_pending(const pl_installation *inst, pl_assessment *a);
void pl_check_wim_claim(const pl_installation *inst, pl_assessment *a);

/* The build number in a registry string ("6003" -> 6003); -1 if not a
 * plain number. */
int pl_parse_build(const char *s);

#endif
