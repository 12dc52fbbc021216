/* Bytes read from files by the calling thread, for bytes_read.
 *
 * Linux keeps per-thread I/O accounting in /proc/thread-self/io (proc(5),
 * /proc/pid/io): "rchar: the number of bytes which this task has caused
 * to be read from storage. This is simply the sum of bytes which this
 * process passed to read(2) and similar system calls" (pread, readv,
 * sendfile, copy_file_range), page cache or not; mmap'd reads are not in
 * it. Every library that reads inputs for patchlevel reads them so
 * (libtsk, libvhdi, libvmdk, libqcow, libewf, wimlib, and our own reads),
 * so the difference of two samples taken around the analysis of one input
 * is what was read from that input's files (its container, parents and
 * split parts included), whatever the container. The analysis runs in one
 * thread, so nothing of another input is counted. */
#ifndef PL_IO_COUNTER_H
#define PL_IO_COUNTER_H

#include <stdint.h>

typedef struct {
    int ok;              /* the start sample was taken */
    uint64_t start;      /* rchar at the start */
    uint64_t not_input;  /* bytes not from an input (and the samples' own) by then */
} pl_io_counter;

/* Take the start sample. Without /proc (not mounted, or a kernel before
 * 3.17 without thread-self) ok stays 0. */
void pl_io_counter_start(pl_io_counter *c);

/* Bytes read since the start (the samples' own reads are not in it): 1
 * with *bytes set, 0 when no count is available (the caller keeps its
 * own count). */
int pl_io_counter_read(const pl_io_counter *c, uint64_t *bytes);

/* n bytes this thread just read from a file of its own, not from an
 * input (a WIM's evidence read back from the in-memory file wimlib
 * extracted it to): taken out of the counts. */
void pl_io_not_input(uint64_t n);

/* Make the C library read, once per process, the files it reads on first
 * use that are no input: the time zone (strftime calls tzset) and the
 * character-set converters hivex opens (UTF-16LE, ISO-8859-1; their
 * modules are kept loaded). Without this the first analysis of a process
 * would count them, and two analyses of one input would differ. Called
 * before the first analysis (patchlevel_context_new); idempotent. */
void pl_io_prepare(void);
/* Close what pl_io_prepare holds (at the end of the process). */
void pl_io_release(void);

/* The rchar line of a /proc/.../io text: 1 with *value set, 0 when absent
 * or malformed (exposed for the unit test). */
int pl_io_parse_rchar(const char *text, uint64_t *value);

#endif
