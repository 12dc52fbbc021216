/* Which inputs a run analyzes: the paths given, or the images found under
 * directories (-r); then the --shard part (resume.h then drops those
 * already done). */
#ifndef PL_INPUTS_H
#define PL_INPUTS_H

#include <stdint.h>

#include <patchlevel.h>

#include "util/util.h"

typedef struct {
    int recursive;                  /* -r */
    int want_members;               /* also work out the members of the paths given
                                     * (an output is to be checked against them) */
    unsigned timeout;               /* per member worker, 0 = the default */
    patchlevel_context *ctx;        /* opens the inputs (its --parent files) */
} pl_collect_options;

/* Without recursive: the paths as given (a directory is a Windows tree).
 * With recursive: a directory is walked (symlinks are not followed) and
 * every regular file whose content is a disk image or a WIM is taken,
 * sorted; special files (FIFOs, sockets, devices) are skipped with a
 * warning and never opened. Files that are members of another input (the
 * parents of a differencing chain, later parts of a split WIM, later EWF
 * segments, the extents of a VMDK descriptor; members.h works them out in
 * worker processes) are left out, since they are read with it.
 * Unreadable directories and failed workers become warnings; an input
 * whose worker timed out is listed in slow (its analysis would block the
 * same way). */
typedef struct {
    pl_strlist inputs;       /* what to analyze */
    pl_strlist files_read;   /* every input and every member found: what an
                              * output must never overwrite */
    pl_strlist slow;         /* sorted: inputs whose member worker timed out */
    pl_strlist warnings;
} pl_collected;

void pl_collect_inputs(char *const *paths, int n, const pl_collect_options *co,
                       pl_collected *out);
void pl_collected_free(pl_collected *c);

/* Keep the inputs of part k (1-based) of n: a path belongs to part
 * FNV-1a-64(path) mod n + 1, so every machine of a distributed run,
 * given the same paths, splits them the same way. */
void pl_shard_inputs(pl_strlist *inputs, unsigned k, unsigned n);
unsigned pl_shard_of(const char *path, unsigned n);

#endif
