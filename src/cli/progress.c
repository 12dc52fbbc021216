#include "cli/progress.h"

#include <stdio.h>
#include <string.h>

#define BAR_WIDTH 24
#define REDRAW_SECONDS 0.1

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

void pl_progress_init(pl_progress *p, int enabled, size_t total)
{
    memset(p, 0, sizeof *p);
    p->enabled = enabled;
    p->total = total;
    clock_gettime(CLOCK_MONOTONIC, &p->start);
}

static void format_duration(double s, char *buf, size_t len)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, len, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    else if (t >= 60)
        snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, len, "%lds", t);
}

void pl_progress_format(const pl_progress *p, double elapsed, char *buf, size_t len)
{
    size_t filled = p->total ? p->done * BAR_WIDTH / p->total : BAR_WIDTH;
    char bar[BAR_WIDTH + 1];
    for (size_t i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    double rate = elapsed > 0 ? (double)p->done / elapsed : 0;
    char left[32] = "?";
    if (rate > 0)
        format_duration((double)(p->total - p->done) / rate, left, sizeof left);
    snprintf(buf, len, "[%s] %zu/%zu  %.1f/s  %s left  %zu failed", bar, p->done, p->total,
             rate, left, p->failed);
}

static void draw(pl_progress *p, int force)
{
    if (!p->enabled || (!force && seconds_since(&p->last_draw) < REDRAW_SECONDS))
        return;
    char line[160];
    pl_progress_format(p, seconds_since(&p->start), line, sizeof line);
    /* \r and erase-line: redraw in place. */
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
    clock_gettime(CLOCK_MONOTONIC, &p->last_draw);
}

void pl_progress_done(pl_progress *p, int failed)
{
    p->done++;
    if (failed)
        p->failed++;
    draw(p, p->done == p->total);
}

void pl_progress_tick(pl_progress *p)
{
    draw(p, 0);
}

void pl_progress_finish(pl_progress *p)
{
    if (p->enabled) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}
