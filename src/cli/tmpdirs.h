/* Temporary directories of the workers. The parent creates one per
 * worker under $TMPDIR (default /tmp), mode 0700, and removes it once the
 * worker has ended, however it ended: a worker killed by --timeout or by
 * a stop signal cannot clean up after itself. The worker gets it as its
 * TMPDIR, so everything it extracts (WIM hives) lands inside. */
#ifndef PL_TMPDIRS_H
#define PL_TMPDIRS_H

#include "util/util.h"

/* A new directory "$TMPDIR/patchlevel-XXXXXX", or NULL with err (code
 * resources). */
char *pl_tmpdir_create(pl_err *err);
/* Remove the directory and everything in it, never following a link. */
void pl_tmpdir_remove(const char *dir);

#endif
