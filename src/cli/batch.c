/* One worker process per input, at most `jobs` at once.
 *
 * A worker analyzes its input, renders the result in the report format and
 * sends it to the parent over a pipe as
 *     "PLRESULT <failed> <at6003> <report bytes> <stderr bytes>\n"
 * followed by the report text and the error text. The parent writes each
 * result as it arrives, so a killed run keeps every finished one. A worker
 * that dies, sends garbage or runs past --timeout becomes an error result
 * for that input alone.
 *
 * The parent owns each worker's temporary directory (tmpdirs.h) and
 * removes it when the worker has ended. A stop signal (signals.h) ends the
 * run cleanly: the running workers are killed, reported as interrupted,
 * and the inputs not started are left for --resume. */
#include "cli/batch.h"
#include "util/escape.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/signals.h"
#include "util/limits.h"
#include "util/recovery.h"
#include "util/tmpdir.h"

/* A result larger than this is refused (a runaway worker). */
#define MAX_RESULT_BYTES (1024ull * 1024 * 1024)
#define POLL_MS 100
/* File descriptors the parent keeps for itself (standard streams, the
 * report, removing a temporary directory); each worker costs it one more
 * (two while it starts). */
#define PARENT_FDS 8

/* ---- the worker ---------------------------------------------------------- */

static char *error_text(const patchlevel_result *r)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    const char *input = patchlevel_result_input(r);
    for (size_t i = 0; f && i < patchlevel_result_error_count(r); i++)
        fprintf(f, "patchlevel: %s: %s\n", pl_esc(input),
                pl_esc(patchlevel_result_error_message(r, i)));
    if (f)
        fclose(f);
    return buf ? buf : pl_xstrdup("");
}

/* The library ran out of memory: the worker has no result to send, and
 * its exit status says why (the parent reports the input as failed). */
#define WORKER_NO_MEMORY 3

static void run_worker(const char *input, patchlevel_context *ctx, enum patchlevel_format fmt,
                       int render_flags, int fd)
{
    patchlevel_result *r = NULL;
    char *text = NULL;
    size_t len = 0;
    if (patchlevel_analyze(ctx, input, &r) != PATCHLEVEL_OK ||
        patchlevel_result_render(r, fmt, render_flags, &text, &len) != PATCHLEVEL_OK) {
        patchlevel_result_free(r);
        close(fd);
        exit(WORKER_NO_MEMORY);
    }
    char *errs = error_text(r);
    char head[128];
    snprintf(head, sizeof head, "PLRESULT %d %d %zu %zu\n",
             patchlevel_result_error_count(r) > 0, patchlevel_result_at_6003(r), len,
             strlen(errs));
    int rc = pl_write_all(fd, head, strlen(head)) || pl_write_all(fd, text, len) ||
             pl_write_all(fd, errs, strlen(errs));
    patchlevel_free(text);
    free(errs);
    patchlevel_result_free(r);
    close(fd);
    /* exit(), not _exit(): sanitizer builds check the worker for leaks. */
    exit(rc ? 1 : 0);
}

/* ---- the parent ----------------------------------------------------------- */

typedef struct {
    pid_t pid;
    int fd;
    const char *input;
    patchlevel_context *ctx;  /* for the provenance of a failure's result */
    char *buf;
    size_t len, cap;
    char *tmpdir;            /* the worker's TMPDIR, removed after it ends */
    unsigned timeout;        /* seconds, 0 = none */
    struct timespec start;
    int killed_for_time, too_big, interrupted;
} job;

/* In the new worker: its own signal handling and TMPDIR, and none of the
 * other workers' pipes (their descriptors count against its limit). */
static void worker_setup(const job *jobs, int njobs, const char *tmpdir, pid_t parent)
{
    pl_signals_worker_init(parent);
    for (int i = 0; i < njobs; i++)
        if (jobs[i].pid)
            close(jobs[i].fd);
    if (setenv("TMPDIR", tmpdir, 1) != 0)
        _exit(1);
}

/* 0 started; -1 with err. A shortage of descriptors or processes
 * (EMFILE, ENFILE, EAGAIN) is code resources: the caller waits for a
 * running worker to end and tries again. */
static int start_job(job *jobs, int njobs, job *j, const char *input,
                     patchlevel_context *ctx, const pl_stream *w, pl_err *err)
{
    int p[2];
    char *tmpdir = pl_tmpdir_create("patchlevel", err);
    if (!tmpdir)
        return -1;
    if (pipe(p) != 0) {
        pl_err_setc(err, PL_ERR_RESOURCES, "cannot start the analysis: %s", strerror(errno));
        pl_tmpdir_remove(tmpdir);
        free(tmpdir);
        return -1;
    }
    /* Nothing buffered may be duplicated into the child. */
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        pl_err_setc(err, PL_ERR_RESOURCES, "cannot start the analysis: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        pl_tmpdir_remove(tmpdir);
        free(tmpdir);
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        worker_setup(jobs, njobs, tmpdir, parent);
        /* The worker never returns here: its copy of the name is done with
         * once it is in the environment. */
        free(tmpdir);
        run_worker(input, ctx, w->fmt, w->render_flags, p[1]);
    }
    close(p[1]);
    memset(j, 0, sizeof *j);
    j->pid = pid;
    j->fd = p[0];
    j->input = input;
    j->ctx = ctx;
    j->tmpdir = tmpdir;
    clock_gettime(CLOCK_MONOTONIC, &j->start);
    return 0;
}

/* Read what is there; 1 at end of data. */
static int read_some(job *j)
{
    if (j->cap - j->len < 65536) {
        j->cap = j->cap ? 2 * j->cap : 131072;
        j->buf = pl_xrealloc(j->buf, j->cap);
    }
    ssize_t r = read(j->fd, j->buf + j->len, j->cap - j->len);
    if (r < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : 1;
    if (r == 0)
        return 1;
    j->len += (size_t)r;
    if (j->len > MAX_RESULT_BYTES) {
        j->too_big = 1;
        kill(j->pid, SIGKILL);
        return 1;
    }
    return 0;
}

static double elapsed(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Why a worker produced no result, in the report's words, and its code. */
static char *failure_reason(const job *j, int status, unsigned timeout, pl_error_code *code)
{
    if (j->interrupted || (pl_signals_stop_requested() && WIFSIGNALED(status))) {
        *code = PL_ERR_INTERRUPTED;
        return pl_xasprintf("analysis interrupted: the run was stopped by signal %d (%s)",
                            pl_signals_stop_requested(),
                            strsignal(pl_signals_stop_requested()));
    }
    if (j->killed_for_time) {
        *code = PL_ERR_TIMEOUT;
        return pl_xasprintf("analysis timed out after %u seconds", timeout);
    }
    if (j->too_big) {
        *code = PL_ERR_LIMIT;
        return pl_xstrdup("analysis failed: its result is larger than 1 GiB");
    }
    /* SIGKILL from outside is most often the kernel's OOM killer. */
    *code = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? PL_ERR_RESOURCES
                                                                : PL_ERR_CRASHED;
    if (WIFSIGNALED(status))
        return pl_xasprintf("analysis crashed: killed by signal %d (%s)", WTERMSIG(status),
                            strsignal(WTERMSIG(status)));
    *code = PL_ERR_CRASHED;
    if (WIFEXITED(status) && WEXITSTATUS(status) == WORKER_NO_MEMORY) {
        *code = PL_ERR_RESOURCES;
        return pl_xstrdup("analysis failed: out of memory");
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        return pl_xasprintf("analysis failed: the worker exited with status %d",
                            WEXITSTATUS(status));
    return pl_xstrdup("analysis failed: the worker's result was incomplete");
}

/* A result for an input whose worker failed: its error, nothing else. */
static void emit_failure(const job *j, pl_error_code code, char *reason, pl_stream *w,
                         const pl_batch_options *bopt, pl_batch_outcome *out)
{
    patchlevel_result *r = NULL;
    if (patchlevel_result_new_failed(j->ctx, j->input, (enum patchlevel_error)code, reason, &r) !=
        PATCHLEVEL_OK)
        pl_out_of_memory(0);
    if (!bopt->quiet) {
        pl_progress_finish(bopt->progress);
        fprintf(stderr, "patchlevel: %s: %s\n", pl_esc(j->input), pl_esc(reason));
    }
    if (pl_stream_result(w, r) != 0)
        out->output_error = 1;
    out->failed_inputs++;
    out->failed_check++;
    patchlevel_result_free(r);
    free(reason);
}

/* Parse "PLRESULT failed at6003 len errlen\n" and check the sizes add up.
 * The buffer holds raw bytes from the worker, not a C string: the header
 * line is copied out and terminated before it is parsed. */
static int parse_result(const job *j, int *failed, int *at6003, size_t *off, size_t *len,
                        size_t *errlen)
{
    char line[128];
    const char *nl = j->len ? memchr(j->buf, '\n', j->len < sizeof line ? j->len : sizeof line)
                            : NULL;
    if (!nl)
        return -1;
    size_t n = (size_t)(nl - j->buf);
    memcpy(line, j->buf, n);
    line[n] = '\0';
    if (strncmp(line, "PLRESULT ", 9) != 0 ||
        sscanf(line + 9, "%d %d %zu %zu", failed, at6003, len, errlen) != 4)
        return -1;
    *off = n + 1;
    return *len <= j->len && *errlen <= j->len && *off + *len + *errlen == j->len ? 0 : -1;
}

static void finish_job(job *j, pl_stream *w, const pl_batch_options *bopt,
                       pl_batch_outcome *out)
{
    int status = 0;
    while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
        ;
    close(j->fd);
    pl_tmpdir_remove(j->tmpdir);
    free(j->tmpdir);
    j->tmpdir = NULL;
    int failed = 0, at6003 = 0;
    size_t off = 0, len = 0, errlen = 0;
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && !j->killed_for_time &&
             !j->too_big && parse_result(j, &failed, &at6003, &off, &len, &errlen) == 0;
    if (!ok) {
        pl_error_code code = PL_ERR_CRASHED;
        char *reason = failure_reason(j, status, j->timeout, &code);
        emit_failure(j, code, reason, w, bopt, out);
        pl_progress_done(bopt->progress, 1);
    } else {
        if (errlen && !bopt->quiet) {
            pl_progress_finish(bopt->progress);
            fwrite(j->buf + off + len, 1, errlen, stderr);
        }
        if (pl_stream_emit(w, j->buf + off, len) != 0)
            out->output_error = 1;
        out->failed_inputs += failed != 0;
        out->failed_check += !at6003;
        pl_progress_done(bopt->progress, failed);
    }
    free(j->buf);
    j->buf = NULL;
    j->pid = 0;
}

static void enforce_timeouts(job *jobs, int n)
{
    for (int i = 0; i < n; i++)
        if (jobs[i].pid && jobs[i].timeout && !jobs[i].killed_for_time &&
            elapsed(&jobs[i].start) >= jobs[i].timeout) {
            jobs[i].killed_for_time = 1;
            kill(jobs[i].pid, SIGKILL);
        }
}

/* Wait for output from the running jobs and finish those that are done. */
static void service_jobs(job *jobs, int n, pl_stream *w, const pl_batch_options *bopt,
                         pl_batch_outcome *out)
{
    struct pollfd pfd[n];
    int map[n], m = 0;
    for (int i = 0; i < n; i++)
        if (jobs[i].pid) {
            pfd[m] = (struct pollfd){.fd = jobs[i].fd, .events = POLLIN};
            map[m++] = i;
        }
    if (poll(pfd, (nfds_t)m, POLL_MS) > 0)
        for (int k = 0; k < m; k++)
            if (pfd[k].revents && read_some(&jobs[map[k]]))
                finish_job(&jobs[map[k]], w, bopt, out);
    enforce_timeouts(jobs, n);
    pl_progress_tick(bopt->progress);
}

static void run_failed_to_start(const char *input, patchlevel_context *ctx, const pl_err *err,
                                pl_stream *w,
                                const pl_batch_options *bopt, pl_batch_outcome *out)
{
    job j = {.input = input, .ctx = ctx};
    emit_failure(&j, err->code, pl_xstrdup(err->msg), w, bopt, out);
    pl_progress_done(bopt->progress, 1);
}

static int count_running(const job *jobs, int n)
{
    int running = 0;
    for (int i = 0; i < n; i++)
        running += jobs[i].pid != 0;
    return running;
}

/* Workers that fit in the descriptor limit, however many -j asked for:
 * more would fail their inputs with "Too many open files". */
static int fd_budget(int wanted)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return wanted;
    long open_now = 0;
    for (int fd = 0; fd < (int)rl.rlim_cur && fd < 65536; fd++)
        open_now += fcntl(fd, F_GETFD) != -1;
    long room = (long)rl.rlim_cur - open_now - PARENT_FDS;
    if (room < 1)
        room = 1;
    return room < wanted ? (int)room : wanted;
}

/* A stop signal: kill the running workers; finish_job reports them as
 * interrupted. */
static void stop_all(job *jobs, int n)
{
    for (int i = 0; i < n; i++)
        if (jobs[i].pid && !jobs[i].interrupted) {
            jobs[i].interrupted = 1;
            kill(jobs[i].pid, SIGKILL);
        }
}

/* --timeout; an input whose members could not be worked out in time
 * (bopt->slow_inputs) would block its analysis the same way: it gets the
 * members' limit even without --timeout. */
static unsigned job_timeout(const pl_batch_options *bopt, const char *input)
{
    if (bopt->timeout || !bopt->slow_inputs ||
        !pl_strlist_sorted_contains(bopt->slow_inputs, input))
        return bopt->timeout;
    return PL_MEMBERS_TIMEOUT_SECONDS;
}

/* Start workers in the free slots. A shortage of resources while other
 * workers run leaves the input for later: a slot frees up when one ends. */
static void fill_slots(job *jobs, int n, const pl_strlist *inputs, size_t *next,
                       patchlevel_context *ctx, const pl_batch_options *bopt,
                       pl_stream *w, pl_batch_outcome *out)
{
    for (int i = 0; i < n && *next < inputs->len && !pl_signals_stop_requested(); i++) {
        if (jobs[i].pid)
            continue;
        const char *input = inputs->items[*next];
        pl_err err = {0};
        if (start_job(jobs, n, &jobs[i], input, ctx, w, &err) == 0) {
            jobs[i].timeout = job_timeout(bopt, input);
            (*next)++;
            continue;
        }
        if (err.code == PL_ERR_RESOURCES && count_running(jobs, n) > 0)
            return;
        (*next)++;
        run_failed_to_start(input, ctx, &err, w, bopt, out);
    }
}

void pl_run_batch(const pl_strlist *inputs, patchlevel_context *ctx,
                  const pl_batch_options *bopt, pl_stream *w, pl_batch_outcome *out)
{
    memset(out, 0, sizeof *out);
    int n = fd_budget(bopt->jobs > 0 ? bopt->jobs : 1);
    if (n < bopt->jobs && bopt->verbose)
        fprintf(stderr, "patchlevel: %d workers at once, not %d: the limit on open files "
                        "(ulimit -n) leaves room for no more\n", n, bopt->jobs);
    job *jobs = pl_xcalloc((size_t)n, sizeof *jobs);
    size_t next = 0;
    while ((next < inputs->len && !pl_signals_stop_requested()) || count_running(jobs, n) > 0) {
        fill_slots(jobs, n, inputs, &next, ctx, bopt, w, out);
        if (pl_signals_stop_requested())
            stop_all(jobs, n);
        if (count_running(jobs, n) > 0)
            service_jobs(jobs, n, w, bopt, out);
    }
    out->stopped_by = pl_signals_stop_requested();
    out->not_started = inputs->len - next;
    free(jobs);
}
