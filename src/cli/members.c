#include "cli/members.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/signals.h"
#include "util/tmpdir.h"
#include "util/limits.h"

/* Lines of a VMDK descriptor examined for extents. */
#define MAX_DESCRIPTOR_LINES 10000

static void push_real(const char *path, const char *self, pl_strlist *out)
{
    char *real = realpath(path, NULL);
    if (real && strcmp(real, self) != 0)
        pl_strlist_push(out, real);
    free(real);
}

/* The extent files named in a VMDK text descriptor ("RW 6400 SPARSE
 * "name-s001.vmdk""), which are images of their own to the detector. */
static void vmdk_extents(const char *path, const char *self, pl_strlist *out)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    if (!f)
        return;
    if (!fgets(line, sizeof line, f) || strncmp(line, "# Disk DescriptorFile", 21) != 0) {
        fclose(f);
        return;
    }
    char *dir = pl_xstrdup(path), *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    for (int n = 0; n < MAX_DESCRIPTOR_LINES && fgets(line, sizeof line, f); n++) {
        char *q1 = strchr(line, '"'), *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
        if (!q2 || (strncmp(line, "RW ", 3) != 0 && strncmp(line, "RDONLY ", 7) != 0))
            continue;
        *q2 = '\0';
        char *p = pl_xasprintf("%s/%s", slash ? dir : ".", q1 + 1);
        push_real(p, self, out);
        free(p);
    }
    free(dir);
    fclose(f);
}

/* In the worker: write each member, NUL-terminated, to fd. */
static void probe_worker(const char *path, patchlevel_context *ctx, int fd)
{
    pl_strlist found = {0};
    char *self = realpath(path, NULL);
    char **chain = NULL;
    size_t n = 0;
    if (self && patchlevel_input_files(ctx, path, &chain, &n) == PATCHLEVEL_OK)
        for (size_t i = 0; i < n; i++)
            push_real(chain[i], self, &found);
    patchlevel_free(chain);
    if (self)
        vmdk_extents(path, self, &found);
    int rc = 0;
    for (size_t i = 0; i < found.len && rc == 0; i++)
        rc = pl_write_all(fd, found.items[i], strlen(found.items[i]) + 1);
    pl_strlist_free(&found);
    free(self);
    close(fd);
    /* exit(), not _exit(): sanitizer builds check the worker for leaks. */
    exit(rc ? 1 : 0);
}

typedef struct {
    pid_t pid;
    int fd;
    char *buf;
    size_t len;
    int timed_out, too_big;
} probe;

/* Read the worker's answer until it ends or the time is up. */
static void collect(probe *p, unsigned timeout)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    size_t cap = 0;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left_ms = (long)timeout * 1000 - ((now.tv_sec - start.tv_sec) * 1000 +
                                               (now.tv_nsec - start.tv_nsec) / 1000000);
        if (left_ms <= 0 || pl_signals_stop_requested()) {
            p->timed_out = 1;
            return;
        }
        struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
        if (poll(&pfd, 1, left_ms > 100 ? 100 : (int)left_ms) <= 0)
            continue;
        if (cap - p->len < 4096) {
            cap = cap ? 2 * cap : 65536;
            p->buf = pl_xrealloc(p->buf, cap);
        }
        ssize_t n = read(p->fd, p->buf + p->len, cap - p->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p->len += (size_t)n;
        if (p->len > PL_MAX_MEMBERS_BYTES) {
            p->too_big = 1;
            return;
        }
    }
}

static int verdict(const char *path, const probe *p, int status, unsigned timeout, pl_err *err)
{
    if (pl_signals_stop_requested())
        pl_err_setc(err, PL_ERR_INTERRUPTED, "%s: the run was stopped", path);
    else if (p->timed_out)
        pl_err_setc(err, PL_ERR_TIMEOUT, "%s: finding the files it reads timed out after %u "
                    "seconds", path, timeout);
    else if (p->too_big)
        pl_err_setc(err, PL_ERR_LIMIT, "%s: it names more than %llu bytes of member files",
                    path, (unsigned long long)PL_MAX_MEMBERS_BYTES);
    else if (WIFSIGNALED(status))
        pl_err_setc(err, PL_ERR_CRASHED, "%s: finding the files it reads crashed: signal %d "
                    "(%s)", path, WTERMSIG(status), strsignal(WTERMSIG(status)));
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        pl_err_setc(err, PL_ERR_CRASHED, "%s: finding the files it reads failed", path);
    else
        return 0;
    return -1;
}

static void parse_members(const probe *p, pl_strlist *members)
{
    size_t start = 0;
    for (size_t i = 0; i < p->len; i++)
        if (p->buf[i] == '\0') {
            pl_strlist_push(members, p->buf + start);
            start = i + 1;
        }
}

static int start_probe(const char *path, patchlevel_context *ctx, const char *tmpdir,
                       probe *p, pl_err *err)
{
    int fds[2];
    if (pipe(fds) != 0) {
        pl_err_setc(err, PL_ERR_RESOURCES, "%s: cannot start a worker: %s", path,
                    strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t parent = getpid();
    p->pid = fork();
    if (p->pid == 0) {
        close(fds[0]);
        pl_signals_worker_init(parent);
        if (setenv("TMPDIR", tmpdir, 1) != 0)
            _exit(1);
        /* The worker never returns to the caller that owns the name: free
         * its copy once it is in the environment. */
        free((char *)tmpdir);
        probe_worker(path, ctx, fds[1]);
    }
    close(fds[1]);
    if (p->pid < 0) {
        close(fds[0]);
        pl_err_setc(err, PL_ERR_RESOURCES, "%s: cannot start a worker: %s", path,
                    strerror(errno));
        return -1;
    }
    p->fd = fds[0];
    return 0;
}

int pl_members_probe(const char *path, patchlevel_context *ctx, unsigned timeout,
                     pl_strlist *members, pl_err *err)
{
    if (!timeout)
        timeout = PL_MEMBERS_TIMEOUT_SECONDS;
    char *tmpdir = pl_tmpdir_create("patchlevel", err);
    if (!tmpdir)
        return -1;
    probe p = {0};
    int rc = start_probe(path, ctx, tmpdir, &p, err);
    if (rc == 0) {
        collect(&p, timeout);
        if (p.timed_out || p.too_big)
            kill(p.pid, SIGKILL);
        close(p.fd);
        int status = 0;
        while (waitpid(p.pid, &status, 0) < 0 && errno == EINTR)
            ;
        rc = verdict(path, &p, status, timeout, err);
        if (rc == 0)
            parse_members(&p, members);
    }
    free(p.buf);
    pl_tmpdir_remove(tmpdir);
    free(tmpdir);
    return rc;
}
