/* Evidence kinds: each kind of evidence an installation holds registers
 * collect / free / to-JSON (and optionally to-text) in one list,
 * src/evidence/evidence_kinds.c, so that a new kind is one file plus one
 * line there (doc/evidence.md says how).
 *
 * Two sorts of kind share the table:
 *
 *  - A kind (core == 0, the only sort a new kind should be): collect
 *    returns malloc'd data that the installation keeps in kind_data,
 *    parallel to the table; free releases it; report/json.c writes
 *    "<name>": <to_json> in every installation object (null when the data
 *    is NULL), after its other facts and before "warnings", in table
 *    order; report/text.c calls to_text there too. Nothing outside the
 *    kind's own file knows its data type; decisions and reports that want
 *    it ask pl_installation_kind_data(). compat_6002 is one.
 *
 *  - A core kind (core == 1): the kernel files, the CBS packages with
 *    their manifests, and the pending-servicing facts. The decisions layer
 *    (and the tests that build installations by hand) read these facts
 *    through typed fields of pl_installation, and their JSON sits inside
 *    objects the contract fixed before the registry existed ("files",
 *    "updates"."packages"; pending facts are reported only through the
 *    decisions' "pending" signals). So their facts stay in those typed
 *    fields: a core kind's "data" is the installation itself. Its collect
 *    fills the fields (through pl_core_installation(), evidence-internal)
 *    and returns NULL; its free and to_json take the installation; report
 *    code calls its to_json at the fixed place (to_json is NULL when the
 *    facts have no JSON of their own). What the table buys for them is
 *    that collect and free go through it: pl_installation_free has no
 *    hand-written list of fields any more. Core kinds come first in the
 *    table: every other kind sees their facts in ctx->inst. The first,
 *    the kernel files, reads no hive and runs before collect.c opens them,
 *    so that the reads (and so the first failed read a damaged image
 *    reports, and the order of the warnings) stay what they were; every
 *    other kind runs with SOFTWARE and SYSTEM open together.
 */
#ifndef PL_EVIDENCE_KIND_H
#define PL_EVIDENCE_KIND_H

#include <stddef.h>
#include <stdio.h>

#include "evidence/hive.h"        /* pl_hive */
#include "sources/source.h"       /* pl_volume */
#include "util/json_writer.h"     /* pl_json */
#include "util/util.h"            /* pl_notes */

struct pl_installation_s;   /* the installation gathered so far (pl_installation) */
typedef struct pl_installation_s pl_installation;

/* What the analysis asked for beyond the evidence every run gathers: a
 * kind that is opt-in returns NULL data when it was not asked for. */
typedef struct {
    int find_6002;                  /* --find-6002-checks: the compat_6002 kind */
} pl_evidence_options;

typedef struct {
    const pl_volume *vol;
    const char *windows_dir;        /* exact stored name; NULL for a bare hive */
    pl_hive *software;              /* the open SOFTWARE hive; NULL when not read */
    const char *software_path;      /* its path in the volume, for evidence strings */
    const char *software_unread;    /* why it was not read, when software == NULL */
    pl_hive *system;                /* the open SYSTEM hive; NULL when not read */
    const char *system_path;
    const char *system_unread;
    const char *control_set;        /* "ControlSet001" (from Select\Current); NULL unknown */
    const pl_installation *inst;    /* core facts already gathered: packages, os values, pending */
    pl_notes *warnings;             /* the installation's warnings (pl_notes_add...) */
    /* Added when the interface landed: */
    const pl_evidence_options *opts;     /* never NULL */
    /* The code of *_unread (PL_ERR_NOT_FOUND with *_path NULL: there is
     * no such hive), for a kind that warns about what it could not do. */
    pl_error_code software_unread_code, system_unread_code;
} pl_evidence_ctx;

typedef struct {
    const char *name;               /* its key in the installation's JSON object */
    /* Gather this kind's facts. Never fails as a whole: returns data that
     * says what is unknown and why (an unreadable witness = unknown, never
     * "none"). Returns malloc'd data owned by the installation (NULL: no
     * data, written as JSON null; a core kind always returns NULL). */
    void *(*collect)(const pl_evidence_ctx *ctx);
    void (*free)(void *data);
    /* Write this kind's JSON value (object/array/null) for key `name`.
     * Never called with NULL data. */
    void (*to_json)(pl_json *j, const void *data);
    /* Optional (may be NULL): text-report lines for this kind. */
    void (*to_text)(FILE *out, const void *data, int verbose);
    /* Added when the interface landed (see the top of this file): 1 for
     * the core kinds only; a new kind leaves it 0. */
    int core;
    /* Where to_text's lines go in an installation's text block: after the
     * body (0, the default), in the header right under the location line
     * (who the machine is), or in the "Runs" section (what it does). */
    enum { PL_TEXT_BODY = 0, PL_TEXT_HEADER, PL_TEXT_RUNS } text_section;
} pl_evidence_kind;

/* src/evidence/evidence_kinds.c: the one list. Adding a kind = one file + one line. */
extern const pl_evidence_kind *const pl_evidence_kinds[];
extern const size_t pl_evidence_kind_count;

/* Accessor used by decisions/report: the data a kind collected for inst (NULL if none).
 * A core kind's data is inst itself. */
const void *pl_installation_kind_data(const pl_installation *inst, const char *name);

/* The same by position in the table inst was collected with (report code
 * walking the kinds). */
const void *pl_installation_kind_data_at(const pl_installation *inst, size_t i);

/* The table an installation was collected with: pl_evidence_kinds, or the
 * one given to pl_collect_installation_kinds (a test's). *n gets its length. */
const pl_evidence_kind *const *pl_installation_kinds(const pl_installation *inst, size_t *n);

/* pl_collect_installation with another table than pl_evidence_kinds (the
 * unit test's demonstration of adding a kind); free and report go through
 * the same table, remembered in the installation. */
void pl_collect_installation_kinds(const pl_volume *vol, const char *windows_dir,
                                   const pl_evidence_options *opts,
                                   const pl_evidence_kind *const *kinds, size_t nkinds,
                                   pl_installation *inst);

#endif
