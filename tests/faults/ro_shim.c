/* LD_PRELOAD shim for tests/faults/test_faults_readonly.c: every open of a
 * file under $PL_RO_WATCH with a flag that could change it (O_WRONLY,
 * O_RDWR, O_CREAT, O_TRUNC, O_APPEND; fopen modes other than "r"/"rb") is
 * appended to $PL_RO_LOG as "FLAGS PATH". The open itself still happens:
 * the log is the test's evidence. Running as root, a mode of 0444 stops
 * nothing, so this is what shows that inputs are opened read-only. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)

static int watched(int dirfd, const char *path)
{
    const char *w = getenv("PL_RO_WATCH");
    if (!w || !*w || !path)
        return 0;
    char abs[8192];
    if (path[0] == '/') {
        snprintf(abs, sizeof abs, "%s", path);
    } else {
        char base[4096];
        if (dirfd == AT_FDCWD) {
            if (!getcwd(base, sizeof base))
                return 1;   /* cannot tell: report it */
        } else {
            char proc[64];
            snprintf(proc, sizeof proc, "/proc/self/fd/%d", dirfd);
            ssize_t n = readlink(proc, base, sizeof base - 1);
            if (n < 0)
                return 1;
            base[n] = '\0';
        }
        snprintf(abs, sizeof abs, "%s/%s", base, path);
    }
    return strncmp(abs, w, strlen(w)) == 0;
}

static void note(const char *how, const char *path)
{
    const char *log = getenv("PL_RO_LOG");
    if (!log)
        return;
    /* raw syscalls: no recursion into the wrappers below */
    int fd = (int)syscall(SYS_openat, AT_FDCWD, log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                          0644);
    if (fd < 0)
        return;
    char line[8400];
    int n = snprintf(line, sizeof line, "%s %s\n", how, path);
    if (n > 0)
        (void)!write(fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    close(fd);
}

static void check_flags(int dirfd, const char *path, int flags)
{
    if ((flags & WRITE_FLAGS) && watched(dirfd, path)) {
        char how[32];
        snprintf(how, sizeof how, "open:0x%x", flags);
        note(how, path);
    }
}

#define MODE_ARG(flags, mode)                                                  \
    mode_t mode = 0;                                                           \
    if ((flags) & (O_CREAT | __O_TMPFILE)) {                                   \
        va_list ap;                                                            \
        va_start(ap, flags);                                                   \
        mode = va_arg(ap, mode_t);                                             \
        va_end(ap);                                                            \
    }

#define WRAP_OPEN(name)                                                        \
    int name(const char *path, int flags, ...)                                 \
    {                                                                          \
        static int (*real)(const char *, int, ...);                           \
        if (!real)                                                             \
            real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, #name);   \
        MODE_ARG(flags, mode)                                                  \
        check_flags(AT_FDCWD, path, flags);                                    \
        return real(path, flags, mode);                                        \
    }

#define WRAP_OPENAT(name)                                                      \
    int name(int dirfd, const char *path, int flags, ...)                      \
    {                                                                          \
        static int (*real)(int, const char *, int, ...);                      \
        if (!real)                                                             \
            real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, #name); \
        MODE_ARG(flags, mode)                                                  \
        check_flags(dirfd, path, flags);                                       \
        return real(dirfd, path, flags, mode);                                 \
    }

#define WRAP_FOPEN(name)                                                       \
    FILE *name(const char *path, const char *mode)                             \
    {                                                                          \
        static FILE *(*real)(const char *, const char *);                     \
        if (!real)                                                             \
            real = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, #name); \
        if (mode && (strpbrk(mode, "wa+")) && watched(AT_FDCWD, path))          \
            note("fopen", path);                                               \
        return real(path, mode);                                               \
    }

WRAP_OPEN(open)
WRAP_OPEN(open64)
WRAP_OPENAT(openat)
WRAP_OPENAT(openat64)
WRAP_FOPEN(fopen)
WRAP_FOPEN(fopen64)

int creat(const char *path, mode_t mode)
{
    static int (*real)(const char *, mode_t);
    if (!real)
        real = (int (*)(const char *, mode_t))dlsym(RTLD_NEXT, "creat");
    if (watched(AT_FDCWD, path))
        note("creat", path);
    return real(path, mode);
}
