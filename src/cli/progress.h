/* A one-line progress bar on standard error: inputs done / total, rate,
 * time left, failures. Drawn only when enabled (a terminal, or
 * --progress), at most ten times a second. */
#ifndef PL_PROGRESS_H
#define PL_PROGRESS_H

#include <stddef.h>
#include <time.h>

typedef struct {
    int enabled;
    size_t total, done, failed;
    struct timespec start, last_draw;
} pl_progress;

void pl_progress_init(pl_progress *p, int enabled, size_t total);
/* Record one finished input; redraws if due. */
void pl_progress_done(pl_progress *p, int failed);
/* Redraw if due (the time left changes while waiting). */
void pl_progress_tick(pl_progress *p);
/* Clear the line. */
void pl_progress_finish(pl_progress *p);

/* The text of the bar, for tests: "[####......] 12/340  3.2/s  1m40s left  1 failed". */
void pl_progress_format(const pl_progress *p, double elapsed, char *buf, size_t len);

#endif
