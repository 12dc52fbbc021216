/* The decisions layer: what the evidence of one installation means. Pure
 * functions over pl_installation; every conclusion keeps the evidence it
 * rests on so the report can show it. */
#ifndef PL_DECISIONS_H
#define PL_DECISIONS_H

#include "decisions/rollups.h"
#include "evidence/installation.h"

/* A fact that may be unknown: its witness could not be read. Unknown is
 * never "no" (spec section 3). */
typedef enum { PL_TRI_UNKNOWN = -1, PL_TRI_NO = 0, PL_TRI_YES = 1 } pl_tri;

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

/* One reason a reboot is pending, or one that could not be judged. */
typedef struct {
    const char *signal;           /* stable id, e.g. "cbs-reboot-pending" */
    const char *signal_class;     /* "servicing", "windows-update", "file-rename",
                                     "computer-rename", "domain-join" */
    char *evidence;               /* where it was seen (or looked for) */
    char *detail;                 /* e.g. "3 entries" or NULL; for an unknown
                                     signal, why its witness could not be read */
} pl_pending_signal;

/* One step of the plan that brings an installation current for its
 * channel (spec section 3 "Servicing model"). */
typedef struct {
    const char *action;           /* "reboot", "install" */
    char *kb;                     /* NULL for a reboot or a KB-unknown month */
    const char *kind;             /* "ssu", "sha2", "rollup-level", "esu-licensing",
                                     "monthly-rollup"; NULL for a reboot */
    char *why;
} pl_next_step;

/* One month of the servicing timeline: the monthly rollup of that month
 * installed, and when. */
typedef struct {
    char month[8];
    const char *kb;               /* points into the catalog */
    char install_time[32];        /* UTC ISO 8601, "" when unknown */
} pl_timeline_month;

typedef struct {
    int known;                    /* 0: no install time could be read, or the
                                     store is unreadable or incomplete */
    char build_6003[32];          /* install time of the first 6003 package, "" none */
    const char *build_6003_package;
    char first[32], newest[32];   /* first and newest install time */
    pl_timeline_month *months;
    size_t nmonths;
} pl_timeline;

typedef struct {
    /* Derived identity of the installation. */
    char *version;                /* "6.0", "10.0" */
    const char *version_source;   /* which value gave it */
    int build;                    /* -1 unknown */
    int64_t revision;             /* UBR, else the kernel's 4th part; -1 unknown */
    const char *arch;             /* "amd64", "x86", "ia64", NULL */
    const char *arch_source;      /* which evidence gave arch */

    pl_build6003 b6003;

    /* NULL when the KB lists are known; else why not (the SOFTWARE hive or
     * its CBS store could not be read), and the lists are empty. */
    char *kbs_unknown;
    pl_strlist kbs_installed, kbs_superseded, kbs_pending_or_staged;
    /* The lists are what a salvaged SOFTWARE hive still held: a KB missing
     * from them may have been in the lost part. NULL when complete. */
    char *kbs_incomplete;
    /* Installed packages whose KB could not be read (no KB in the name and
     * no readable .mum): the KB lists may lack their KBs. */
    pl_strlist unidentified_packages;

    /* From the catalog: newest rollup, what is missing (applicable == 0
     * when there is no catalog or the installation is not NT 6.0). */
    pl_rollup_status rollups;

    /* Any signal / a servicing or Windows Update signal; unknown (with
     * the first reason) when none is seen and one could not be judged. */
    pl_tri reboot_required, servicing_reboot_required;
    char *reboot_unknown, *servicing_reboot_unknown;
    pl_pending_signal *signals;
    size_t nsignals;
    pl_pending_signal *unknown_signals;
    size_t nunknown_signals;

    pl_notes warnings;            /* conclusions worth a look: disagreements */

    /* Added: the plan (NULL in JSON when next_steps_known is 0: the
     * servicing store could not be read or the installation is not NT 6.0
     * with a catalog). */
    int next_steps_known;
    pl_next_step *next_steps;
    size_t nnext_steps;
    pl_timeline timeline;
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

/* The Windows version the registry states: "<major>.<minor>" from
 * CurrentMajorVersionNumber / CurrentMinorVersionNumber when present
 * (Windows 10 and later keep CurrentVersion at "6.3"), else CurrentVersion.
 * malloc'd; NULL when neither is there. */
char *pl_registry_version(const pl_os_values *os);

/* Why nothing can be said about the CBS store (the SOFTWARE hive or its
 * CBS key could not be read), malloc'd; NULL when it was read. */
char *pl_cbs_unknown_reason(const pl_installation *inst);

/* Why what was NOT found in a hive proves nothing: it was salvaged and
 * lost bins (label "SOFTWARE" / "SYSTEM"). malloc'd; NULL when whole. */
char *pl_hive_loss_reason(const pl_hive_state *state, const char *label);

/* The build number in a registry string ("6003" -> 6003); -1 if not a
 * plain number. */
int pl_parse_build(const char *s);

#endif
