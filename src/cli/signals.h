/* Stopping a run cleanly: SIGINT, SIGTERM and SIGHUP only set a flag in
 * the parent; the batch loop sees it, stops its workers, removes their
 * temporary directories and ends the report. Workers take the default
 * actions back and die with their parent. */
#ifndef PL_SIGNALS_H
#define PL_SIGNALS_H

#include <sys/types.h>

/* Catch SIGINT, SIGTERM and SIGHUP in this (the parent) process. */
void pl_signals_install(void);
/* The signal that asked the run to stop, or 0. */
int pl_signals_stop_requested(void);
/* In a worker just forked from parent: default signal actions, and
 * SIGKILL when the parent dies (so no worker runs on as an orphan).
 * Exits at once if the parent is already gone. */
void pl_signals_worker_init(pid_t parent);

#endif
