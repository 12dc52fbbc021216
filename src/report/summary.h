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

/* Rows the failed-input and not-at-6003 lists print at most; the writers
 * say how many more there are. */
#define PL_SUMMARY_LIST_MAX 1000

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
} pl_summary_inst;

/* One input: its last line. */
typedef struct {
    char *input;
    char *error;         /* its errors joined with "; ", NULL when none */
    pl_summary_inst *insts;
    size_t ninsts;
} pl_summary_input;

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

#endif
