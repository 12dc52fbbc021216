#include "cli/signals.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

static volatile sig_atomic_t stop_signal;
/* Which of stop_signals we catch: one that was ignored when we started
 * (nohup, a background job of a script) stays ignored, here and in the
 * workers. */
static int caught[3];

static void on_stop(int sig)
{
    stop_signal = sig;
}

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSTOP (sizeof stop_signals / sizeof *stop_signals)

void pl_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: poll() in the batch loop returns at once with EINTR. */
    for (size_t i = 0; i < NSTOP; i++) {
        struct sigaction old;
        if (sigaction(stop_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        caught[i] = sigaction(stop_signals[i], &sa, NULL) == 0;
    }
}

int pl_signals_stop_requested(void)
{
    return stop_signal;
}

void pl_signals_worker_init(pid_t parent)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NSTOP; i++)
        if (caught[i])
            sigaction(stop_signals[i], &sa, NULL);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    /* The parent may have died before prctl took effect: then nobody
     * would send the signal. */
    if (getppid() != parent)
        _exit(1);
}
