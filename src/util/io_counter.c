/* Bytes read by this thread, from /proc/thread-self/io. See io_counter.h. */
#include "util/io_counter.h"

#include <iconv.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The file is 7 short lines ("rchar: 123\n" ...): well under this. */
#define IO_TEXT_MAX 512

static _Thread_local uint64_t not_input;

void pl_io_not_input(uint64_t n)
{
    not_input += n;
}

int pl_io_parse_rchar(const char *text, uint64_t *value)
{
    static const char key[] = "rchar:";
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, key, sizeof key - 1) != 0)
            continue;
        p += sizeof key - 1;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p < '0' || *p > '9')
            return 0;
        errno = 0;
        char *end;
        unsigned long long v = strtoull(p, &end, 10);
        if (errno || (*end != '\n' && *end != '\0'))
            return 0;
        *value = v;
        return 1;
    }
    return 0;
}

/* rchar now and the total of bytes not from an input until now. The
 * bytes this read itself returns count in rchar from now on, so they join
 * that total: any number of samples leaves the counts exact. 1 ok, 0 not
 * available. */
static int sample(uint64_t *rchar, uint64_t *excluded)
{
    int fd = open("/proc/thread-self/io", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char text[IO_TEXT_MAX];
    ssize_t n;
    do
        n = read(fd, text, sizeof text - 1);
    while (n < 0 && errno == EINTR);
    close(fd);
    if (n <= 0)
        return 0;
    *excluded = not_input;
    not_input += (uint64_t)n;
    if ((size_t)n >= sizeof text - 1)
        return 0;
    text[n] = '\0';
    return pl_io_parse_rchar(text, rchar);
}

void pl_io_counter_start(pl_io_counter *c)
{
    c->ok = sample(&c->start, &c->not_input);
}

int pl_io_counter_read(const pl_io_counter *c, uint64_t *bytes)
{
    uint64_t rchar, excluded;
    if (!c->ok || !sample(&rchar, &excluded) || rchar < c->start)
        return 0;
    uint64_t read = rchar - c->start;
    excluded -= c->not_input;
    *bytes = read > excluded ? read - excluded : 0;
    return 1;
}

/* Held until pl_io_release: glibc unloads a converter's module when its
 * last user closes it, and would read it again. File-scope and volatile so
 * that the descriptors stay reachable (leak checkers) and the stores are
 * kept. */
static iconv_t volatile held[2] = {(iconv_t)-1, (iconv_t)-1};

/* Prepared again after a release: a library host may clean up and start
 * over (patchlevel_global_cleanup, then patchlevel_global_init). */
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;

void pl_io_release(void)
{
    pthread_mutex_lock(&held_lock);
    for (int i = 0; i < 2; i++)
        if (held[i] != (iconv_t)-1) {
            iconv_close(held[i]);
            held[i] = (iconv_t)-1;
        }
    pthread_mutex_unlock(&held_lock);
}

void pl_io_prepare(void)
{
    pthread_mutex_lock(&held_lock);
    if (held[0] == (iconv_t)-1) {
        tzset();
        held[0] = iconv_open("UTF-8", "UTF-16LE");
        held[1] = iconv_open("UTF-8", "ISO-8859-1");
        /* OpenSSL reads its configuration on first use of a digest (the
         * SHA-1 of a WIM's data, sources/wim_image.c; the SHA-256 of --hash) */
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        EVP_Digest("", 0, md, &n, EVP_sha1(), NULL);
    }
    pthread_mutex_unlock(&held_lock);
}
