/* Which other files an input reads with it: the parents of a differencing
 * chain, later EWF segments, later parts of a split WIM, the extents of a
 * VMDK descriptor. -r leaves them out of the inputs, and the output checks
 * (outputs.h) protect them.
 *
 * Working this out opens the input with the image libraries, which open
 * the members themselves: a member that is a FIFO would block, and a
 * hostile image may crash a library. So it runs in a worker process under
 * the same containment as an analysis (signals.h, tmpdirs.h, a time
 * limit), never in the parent. */
#ifndef PL_MEMBERS_H
#define PL_MEMBERS_H

#include <patchlevel.h>

#include "util/util.h"

/* The members of path (resolved paths; path itself not among them) added
 * to members. 0, or -1 with err (crashed, timeout, resources) and nothing
 * added. timeout in seconds, 0 = PL_MEMBERS_TIMEOUT_SECONDS. */
int pl_members_probe(const char *path, patchlevel_context *ctx, unsigned timeout,
                     pl_strlist *members, pl_err *err);

#endif
