/* Running the analyses of a run: each input in its own worker process, so
 * that an image that makes a library crash or hang takes down only its own
 * analysis; up to `jobs` at once; each result streamed to the report as it
 * finishes. */
#ifndef PL_BATCH_H
#define PL_BATCH_H

#include <patchlevel.h>

#include "cli/progress.h"
#include "cli/stream.h"
#include "util/util.h"

typedef struct {
    int jobs;                /* worker processes at once, >= 1 */
    unsigned timeout;        /* seconds per input, 0 = no limit */
    int quiet;               /* no per-input errors on stderr */
    int verbose;
    pl_progress *progress;   /* may be disabled, never NULL */
    const pl_strlist *slow_inputs; /* sorted; inputs whose chain members timed out
                                    * (pl_collect_inputs): analyzed with a time
                                    * limit even without --timeout. May be NULL */
} pl_batch_options;

typedef struct {
    size_t failed_inputs;    /* inputs with errors (exit 3) */
    size_t failed_check;     /* inputs not all at 6003 (for --require-6003) */
    int output_error;        /* the report could not be written */
    int stopped_by;          /* the signal that stopped the run, or 0 */
    size_t not_started;      /* inputs left out because the run was stopped */
} pl_batch_outcome;

/* Analyze the inputs with ctx (its catalog and options), each in a
 * worker, writing each result to w as it finishes. */
void pl_run_batch(const pl_strlist *inputs, patchlevel_context *ctx,
                  const pl_batch_options *bopt, pl_stream *w, pl_batch_outcome *out);

#endif
