/* The fleet summary behind `patchlevel summarize`: counts over the JSON
 * objects of earlier `-f jsonl` runs (spec section 5), and the writers
 * that print them as text, CSV or one self-contained HTML page.
 *
 * Results are fed one line at a time. Each line is reduced at once to the
 * few fields the summary needs (so memory grows with the number of
 * inputs, not with their package lists), keyed by "input": a later line
 * for the same input replaces the earlier one, as a resumed run expects.
 * pl_summary_finish then computes the counts the writers print.
 *
 * Every string comes from an image and is hostile: the text writer
 * replaces control characters, the CSV writer quotes, the HTML writer
 * escapes. */
#ifndef PL_SUMMARY_H
#define PL_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/util.h"

/* The build6003.verdict values; anything else read counts as unknown. */
typedef enum {
    PL_SV_YES,
    PL_SV_NO,
    PL_SV_INCONSISTENT,
    PL_SV_NOT_APPLICABLE,
    PL_SV_UNKNOWN,
    PL_SV_COUNT
} pl_summary_verdict;
extern const char *const pl_summary_verdict_names[PL_SV_COUNT];

/* updates.rollups_behind, bucketed; the last bucket is null (not NT 6.0,
 * or no catalog conclusion). */
enum { PL_BEHIND_0, PL_BEHIND_1_6, PL_BEHIND_7_12, PL_BEHIND_13_24, PL_BEHIND_OVER_24,
       PL_BEHIND_UNDETERMINED, PL_BEHIND_COUNT };
extern const char *const pl_summary_behind_names[PL_BEHIND_COUNT];

/* updates.channel.name, and "not determined" (null). */
enum { PL_SCH_PUBLIC, PL_SCH_ESU, PL_SCH_AZURE, PL_SCH_PREMIUM_ASSURANCE, PL_SCH_UNDETERMINED,
       PL_SCH_COUNT };
extern const char *const pl_summary_channel_names[PL_SCH_COUNT];

/* What the next steps ask for (an installation may count under several),
 * "current for its channel" (next_steps is []), and "not determined"
 * (next_steps is null). */
enum { PL_STEP_SSU, PL_STEP_SHA2, PL_STEP_ESU, PL_STEP_REBOOT, PL_STEP_CURRENT,
       PL_STEP_UNDETERMINED, PL_STEP_COUNT };
extern const char *const pl_summary_step_names[PL_STEP_COUNT];

/* The labels of the two months that are not months. */
#define PL_SUMMARY_NO_ROLLUP "none installed"
#define PL_SUMMARY_UNDETERMINED "not determined"

/* Rows the failed-input and not-at-6003 lists, the text report's table of
 * installations and each grouped view print at most; the writers say how
 * many more there are. */
#define PL_SUMMARY_LIST_MAX 1000
/* Rows of the HTML page's table of installations (a browser stays usable;
 * -f csv and -f json list every installation). */
#define PL_SUMMARY_PAGE_MAX 20000
/* Role names kept per installation (the rest are counted), and distinct
 * groups (roles, first next steps) the grouped views show. */
#define PL_SUMMARY_MAX_ROLES 32
#define PL_SUMMARY_GROUP_MAX 100
/* Distinct provenances (tool, libraries, options, catalog) told apart;
 * results past them count as "other". */
#define PL_SUMMARY_PROV_MAX 64

/* Whether a result holds a fact: results written before the fact was
 * reported lack the key ("not recorded"); null means the analysis could
 * not tell ("not determined"). Unknown is never "none". */
typedef enum { PL_REC_ABSENT, PL_REC_NULL, PL_REC_VALUE } pl_summary_recorded;
#define PL_SUMMARY_NOT_RECORDED "not recorded"
#define PL_SUMMARY_NONE_FOUND "none found"

/* identity.membership */
enum { PL_MEMBER_UNKNOWN, PL_MEMBER_DOMAIN, PL_MEMBER_WORKGROUP };

/* One installation, reduced. Strings are owned, never NULL. */
typedef struct {
    char *location;      /* "image 2 \"name\", mbr partition 1, Windows" */
    char *product, *edition, *arch;
    char *rollup;        /* "KB5014010 (2022-05-10)", "none installed", "not determined" */
    char month[8];       /* "YYYY-MM", or "" for none / not determined */
    int rollup_none;     /* determined, and no monthly rollup installed */
    int64_t behind;      /* updates.rollups_behind, -1 when null */
    pl_summary_verdict verdict;
    int reboot_required;     /* 1 yes, 0 no, -1 not determined (null) */
    int pending_6003;    /* build6003.pending_build == 6003 */
    /* updates.security_level.month ("after YYYY-MM" when only a kernel
     * past the catalog witnesses it); "" with sec_none (null, the rollups
     * judged) or when not determined. */
    char sec_month[16];
    int sec_none;
    int channel;         /* PL_SCH_* */
    unsigned steps;      /* bit PL_STEP_* for each kind of next step */
    int64_t compat_risks;    /* compat_6002.risks; -1 when not scanned (null) */

    /* Who it is: identity.computer_name (or os.computer_name, which older
     * results hold), dns_hostname, domain, workgroup; NULL when unknown,
     * the _rec field saying why. */
    char *computer, *dns_hostname, *domain, *workgroup;
    pl_summary_recorded computer_rec, identity_rec;
    int membership;          /* PL_MEMBER_* */
    int domain_controller;   /* 1, 0, -1 unknown */
    /* What it runs: roles[].name, at most PL_SUMMARY_MAX_ROLES of them. */
    char **roles;
    size_t nroles, roles_more;
    pl_summary_recorded roles_rec;
    /* updates.next_steps[0] as "install KB5010452 (ssu)" or "reboot", and
     * how many steps there are; NULL when there is none (the steps bits
     * tell "current" from "not determined"). */
    char *next_step;
    size_t nsteps;
} pl_summary_inst;

/* One input: its last line. */
typedef struct {
    char *input;
    char *error;         /* its errors joined with "; ", NULL when none */
    pl_summary_inst *insts;
    size_t ninsts;
    size_t prov;         /* index + 1 in pl_summary.provs; 0 when over the limit */
    char analyzed_at[24];    /* provenance.analyzed_at (ISO 8601 UTC), or "" */
} pl_summary_input;

/* Which tool, libraries, options and catalog wrote a set of results. The
 * strings are readable one-line forms of the result's values ("patchlevel
 * 0.9.0", "hivex 1.3.23, wimlib 1.14.4"); NULL when the result does not
 * hold them. catalog_rec: PL_REC_NULL is a run without a catalog. */
typedef struct {
    char *tool, *libraries, *options;
    char *catalog_path, *catalog_sha256, *catalog_newest;
    pl_summary_recorded tool_rec, catalog_rec;
    /* Filled by pl_summary_finish: inputs whose last line it is, and the
     * first and last provenance.analyzed_at among them. */
    size_t inputs;
    char first_at[24], last_at[24];
} pl_summary_prov;

/* A group of a grouped view: a role name or a first next step (points
 * into the inputs, or a fixed label), and how many installations. */
typedef struct {
    const char *label;
    size_t count;
} pl_summary_group;

typedef struct {
    char month[16];      /* "YYYY-MM", or "after YYYY-MM" for a security level */
    size_t count;
} pl_summary_month;

typedef struct {
    const char *product, *edition, *arch;   /* point into the inputs */
    size_t count;
} pl_summary_os;

/* A row of the not-at-6003 list (points into the inputs). */
typedef struct {
    const pl_summary_input *in;
    const pl_summary_inst *inst;
} pl_summary_lagging;

typedef struct {
    /* Read side: inputs in order of first appearance, and a hash index
     * from input name to position (open addressing, 0 = empty slot). */
    pl_summary_input *inputs;
    size_t ninputs, cap;
    size_t *slots;
    size_t nslots;
    size_t lines, lines_skipped;     /* result lines seen / not used */
    size_t files, files_failed;      /* kept by the caller, printed */
    pl_summary_prov *provs;          /* distinct provenances, in order seen */
    size_t nprovs;
    size_t prov_other;               /* inputs past PL_SUMMARY_PROV_MAX (finish) */
    int64_t summarized_at;           /* when (Unix time; SOURCE_DATE_EPOCH wins) */

    /* Filled by pl_summary_finish. */
    size_t analyzed, failed, no_installation;
    size_t installations;
    size_t verdicts[PL_SV_COUNT];
    size_t reboot_pending, reboot_undetermined, no_but_6003_pending;
    /* --find-6002-checks: installations scanned, and those with a risk */
    size_t compat_scanned, compat_with_risks;
    size_t rollup_none, rollup_undetermined;
    pl_summary_month *months;        /* sorted by month */
    size_t nmonths;
    size_t behind[PL_BEHIND_COUNT];
    pl_summary_month *sec_months;    /* security level months, sorted */
    size_t nsec_months, sec_none, sec_undetermined;
    size_t channels[PL_SCH_COUNT];
    size_t steps[PL_STEP_COUNT];
    pl_summary_os *os;               /* most common first */
    size_t nos;
    const pl_summary_input **failures;   /* the first PL_SUMMARY_LIST_MAX */
    size_t nfailures_listed;
    pl_summary_lagging *lagging;         /* likewise; `failed` and */
    size_t nlagging, nlagging_listed;    /* `nlagging` are the totals */
    /* The grouped views: distinct role names (most installations first)
     * then "none found", "not determined", "not recorded" when any has
     * them; the same for the first next step, then "current for its
     * channel" and "not determined". At most PL_SUMMARY_GROUP_MAX each;
     * *_other counts the groups left out. */
    pl_summary_group *role_groups, *step_groups;
    size_t nrole_groups, nstep_groups;
    size_t role_groups_other, step_groups_other;
} pl_summary;

void pl_summary_init(pl_summary *s);
void pl_summary_free(pl_summary *s);

/* Add one JSONL line (len bytes, no newline; NULs allowed). complete is 0
 * for a last line that did not end in a newline: if it does not parse it
 * is a run killed mid-write, and the message says so. Returns 0 when the
 * line was used, 1 when it was blank (ignored, not counted), -1 when it
 * was skipped (why says why; counted in lines_skipped). */
int pl_summary_add_line(pl_summary *s, const char *line, size_t len, int complete, pl_err *why);
/* Count a line the reader dropped itself (longer than it would hold). */
void pl_summary_skip_line(pl_summary *s);

/* Compute the counts from the inputs read. Call once, after the last line. */
void pl_summary_finish(pl_summary *s);

typedef enum { PL_SUMMARY_TEXT, PL_SUMMARY_CSV, PL_SUMMARY_HTML, PL_SUMMARY_JSON } pl_summary_format;

/* "text", "csv", "html", "json"; -1 if none. */
int pl_summary_format_parse(const char *name, pl_summary_format *out);

/* Write the summary; 0, or -1 on an output error (errno set). */
int pl_summary_write(FILE *out, const pl_summary *s, pl_summary_format fmt);
int pl_summary_write_text(FILE *out, const pl_summary *s);
int pl_summary_write_csv(FILE *out, const pl_summary *s);
int pl_summary_write_html(FILE *out, const pl_summary *s);
int pl_summary_write_json(FILE *out, const pl_summary *s);

/* The display width of UTF-8 text (code points; writers align with it). */
size_t pl_summary_width(const char *s);

/* ---- what the writers show for one installation ---------------------- */

/* Why a fact is unknown: "not recorded" or "not determined". */
const char *pl_summary_unknown(pl_summary_recorded rec);
/* The verdict, "no (6003 pending)" when it is so. */
const char *pl_summary_verdict_text(const pl_summary_inst *it);
/* The security level month ("2019-03", "after 2023-01"), "none", else
 * the newest rollup ("KB… (2019-03-12)", for results from before the
 * security level), else "not determined". */
const char *pl_summary_security_text(const pl_summary_inst *it);
/* The domain (or "NAME (workgroup)", "workgroup") plus ", domain
 * controller" when it is one; NULL when unknown (malloc'd otherwise). */
char *pl_summary_domain_text(const pl_summary_inst *it);
/* The role names joined with ", " ("+N more" past the kept ones), "none
 * found", or why unknown (malloc'd). */
char *pl_summary_roles_text(const pl_summary_inst *it);
/* The first next step, with "(+N more)"; "none: current for its channel";
 * "not determined" (malloc'd). */
char *pl_summary_next_step_text(const pl_summary_inst *it);
/* "yes", "no", "not determined". */
const char *pl_summary_reboot_text(const pl_summary_inst *it);
/* Whether it belongs to the role group / next-step group labelled label
 * (a label of pl_summary.role_groups / step_groups). */
int pl_summary_has_role(const pl_summary_inst *it, const char *label);
int pl_summary_has_first_step(const pl_summary_inst *it, const char *label);
/* "YYYY-MM-DDTHH:MM:SSZ" for t (UTC). */
void pl_summary_iso_time(int64_t t, char out[24]);

#endif
