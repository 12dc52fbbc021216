/* LD_PRELOAD shim for the batch tests: opening a path that contains
 * HANG_ME blocks forever, CRASH_ME dies with SIGSEGV, and the first open of
 * a path containing $PL_TEST_SLOW sleeps a while (so that a run can be
 * killed half way). It lets the tests prove that one bad input is isolated
 * in its worker and that --timeout ends it. Test code only. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void misbehave(const char *path)
{
    /* Once per process: a forked worker must not inherit "already slept". */
    static pid_t slept_in;
    const char *slow = getenv("PL_TEST_SLOW");
    if (!path)
        return;
    if (strstr(path, "HANG_ME"))
        for (;;)
            pause();
    if (strstr(path, "CRASH_ME"))
        raise(SIGSEGV);
    if (slow && *slow && slept_in != getpid() && strstr(path, slow)) {
        slept_in = getpid();
        usleep(400000);
    }
}

#define WRAP_OPEN(name)                                                  \
    int name(const char *path, int flags, ...)                           \
    {                                                                    \
        static int (*real)(const char *, int, ...);                      \
        mode_t mode = 0;                                                 \
        if (flags & O_CREAT) {                                           \
            va_list ap;                                                  \
            va_start(ap, flags);                                         \
            mode = (mode_t)va_arg(ap, int);                              \
            va_end(ap);                                                  \
        }                                                                \
        misbehave(path);                                                 \
        if (!real)                                                       \
            real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, #name); \
        return real(path, flags, mode);                                  \
    }

WRAP_OPEN(open)
WRAP_OPEN(open64)
