/* Private temporary directories under $TMPDIR (default /tmp), mode 0700.
 * The batch parent creates one per worker and removes it once the worker
 * has ended, however it ended (a worker killed by --timeout or a stop
 * signal cannot clean up after itself); the worker gets it as its TMPDIR,
 * so the WIM source's own directory for extracted evidence lands inside. */
#ifndef PL_TMPDIR_H
#define PL_TMPDIR_H

#include "util/util.h"

/* A new directory "$TMPDIR/<prefix>-XXXXXX", or NULL with err (code
 * resources). */
char *pl_tmpdir_create(const char *prefix, pl_err *err);
/* Remove the directory and everything in it, never following a link. */
void pl_tmpdir_remove(const char *dir);

#endif
