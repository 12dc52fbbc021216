/* LD_PRELOAD shim for the batch tests: opening a path that contains
 * HANG_ME blocks forever, CRASH_ME dies with SIGSEGV, and the first open of
 * a path containing $PL_TEST_SLOW sleeps a while (so that a run can be
 * killed half way). A path containing $PL_TEST_HANG blocks too (to stop a
 * worker in the middle of something, e.g. extracting a hive), and the
 * third open in a process of a path containing CRASH_LATE dies with
 * SIGSEGV (the first two are the parent's look at its content; the third
 * is an image library opening it, wherever that happens; a forked worker
 * inherits the count). It lets the tests prove that one bad input is isolated
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
    static int late_opens;
    const char *slow = getenv("PL_TEST_SLOW");
    const char *hang = getenv("PL_TEST_HANG");
    if (!path)
        return;
    if (hang && *hang && strstr(path, hang))
        for (;;)
            pause();
    if (strstr(path, "CRASH_LATE") && ++late_opens == 3)
        raise(SIGSEGV);
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

#define WRAP_OPENAT(name)                                                \
    int name(int dirfd, const char *path, int flags, ...)                \
    {                                                                    \
        static int (*real)(int, const char *, int, ...);                 \
        mode_t mode = 0;                                                 \
        if (flags & O_CREAT) {                                           \
            va_list ap;                                                  \
            va_start(ap, flags);                                         \
            mode = (mode_t)va_arg(ap, int);                              \
            va_end(ap);                                                  \
        }                                                                \
        misbehave(path);                                                 \
        if (!real)                                                       \
            real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, #name); \
        return real(dirfd, path, flags, mode);                           \
    }

WRAP_OPENAT(openat)
WRAP_OPENAT(openat64)
