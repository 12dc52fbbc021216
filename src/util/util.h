/* Small helpers shared by every layer: errors, strings, growable arrays,
 * UTF-16 decoding and hashing. Nothing here knows about Windows. */
#ifndef PL_UTIL_H
#define PL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* What kind of failure an error is. Code decides on these, never on
 * message text; the report prints the stable name next to the message
 * (JSON "code"). In the manner of wimlib's enum wimlib_error_code: one
 * list, one name table (pl_error_code_name). Add codes at the end of a
 * group; never rename a name once released. */
typedef enum {
    PL_ERR_NONE = 0,
    /* The input itself: retrying the same run gives the same answer. */
    PL_ERR_IO,              /* "io": the OS refused a read or open */
    PL_ERR_NOT_FOUND,       /* "not-found": a file or key that must exist does not */
    PL_ERR_UNRECOGNIZED,    /* "unrecognized": not a format patchlevel reads */
    PL_ERR_TRUNCATED,       /* "truncated": a structure runs past the end of its file */
    PL_ERR_CORRUPT,         /* "corrupt": a structure is invalid (checksum, loop, bad field) */
    PL_ERR_UNSUPPORTED,     /* "unsupported": valid, but a variant not handled */
    PL_ERR_LIMIT,           /* "limit": larger than a limit of src/util/limits.h */
    PL_ERR_LIBRARY,         /* "library": a library refused without saying why */
    PL_ERR_PARENT_MISSING,  /* "parent-missing": a chain's parent cannot be found */
    PL_ERR_PARENT_MISMATCH, /* "parent-mismatch": the parent found is not the right one */
    PL_ERR_UNSAFE,          /* "unsafe": refused to protect the evidence (symlink out, special file) */
    PL_ERR_DIRTY,           /* "dirty": a hive not cleanly closed (replayed from its logs, or stale) */
    PL_ERR_DISAGREEMENT,    /* "disagreement": two witnesses say different things */
    /* The run, not the input: a later run may succeed (--resume retries these). */
    PL_ERR_CRASHED,         /* "crashed": the analysis died (signal) */
    PL_ERR_TIMEOUT,         /* "timeout": --timeout expired */
    PL_ERR_RESOURCES,       /* "resources": memory, file descriptors, temporary space */
    PL_ERR_INTERRUPTED,     /* "interrupted": the run was stopped (SIGINT/SIGTERM) */
    /* The command line. */
    PL_ERR_USAGE,           /* "usage": bad options or arguments */
    PL_ERR_OUTPUT_IS_INPUT, /* "output-is-input": an output file names an input */
    PL_ERR_INTERNAL,        /* "internal": a bug in patchlevel */
    PL_ERR__COUNT
} pl_error_code;

/* The stable name of a code ("io", "truncated", ...); "unknown" when out of range. */
const char *pl_error_code_name(pl_error_code code);
/* True for the codes a later run may not see again (crashed, timeout,
 * resources, interrupted). */
int pl_error_code_is_transient(pl_error_code code);
/* The code whose name is name, or PL_ERR_NONE. */
pl_error_code pl_error_code_from_name(const char *name);

/* An error: its code and message, filled by the function that failed. The
 * caller adds the input's name: the full text the user sees is
 * "patchlevel: INPUT: what failed: why". */
typedef struct {
    pl_error_code code;
    char msg[512];
} pl_err;

/* Set code and message. */
void pl_err_setc(pl_err *err, pl_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix an existing message: "what: <old message>". The code stays. */
void pl_err_prefix(pl_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Allocation that never returns NULL: the limits in limits.h keep every
 * request small, so running out of memory is not an input error. On
 * exhaustion it unwinds to the public function that was called, which
 * returns PATCHLEVEL_ERR_NO_MEMORY; outside one it aborts with a message
 * (util/recovery.h). */
void *pl_xmalloc(size_t n);
/* The same for a large buffer about to be filled by read(2) (a hive): its
 * pages are mapped in one call first instead of one page fault each while
 * the kernel copies into it, which costs as much as the copy (a 90 MB
 * SOFTWARE read from the page cache: ~40% less time, bench-server.sh). */
void *pl_xmalloc_for_read(size_t n);
void *pl_xcalloc(size_t n, size_t size);
void *pl_xrealloc(void *p, size_t n);
char *pl_xstrdup(const char *s);          /* NULL stays NULL */
char *pl_xstrndup(const char *s, size_t n);
char *pl_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ASCII case-insensitive comparisons (Windows names are matched this way;
 * non-ASCII bytes compare exactly). */
int pl_strcaseeq(const char *a, const char *b);
int pl_strncaseeq(const char *a, const char *b, size_t n);
int pl_str_has_suffix_ci(const char *s, const char *suffix);

/* A growable array of owned strings. */
typedef struct {
    char **items;
    size_t len, cap;
} pl_strlist;

void pl_strlist_push(pl_strlist *l, const char *s);      /* copies s */
void pl_strlist_push_owned(pl_strlist *l, char *s);      /* takes s */
void pl_strlist_pushf(pl_strlist *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int pl_strlist_contains(const pl_strlist *l, const char *s);
void pl_strlist_push_unique(pl_strlist *l, const char *s);
void pl_strlist_sort(pl_strlist *l);
/* Membership in a list sorted by pl_strlist_sort (binary search). */
int pl_strlist_sorted_contains(const pl_strlist *sorted, const char *s);
void pl_strlist_free(pl_strlist *l);

/* Messages with their code: the warnings of a report, each with the
 * stable name of what kind of problem it is (JSON "warning_details"). */
typedef struct {
    pl_error_code code;
    char *msg;
} pl_note;

typedef struct {
    pl_note *items;
    size_t len, cap;
} pl_notes;

void pl_notes_add(pl_notes *l, pl_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void pl_notes_copy(pl_notes *dst, const pl_notes *src);   /* appends copies */
void pl_notes_free(pl_notes *l);

/* A set of owned strings, hashed: constant-time membership where a list
 * would be scanned once per item of another hostile-sized list. */
typedef struct {
    char **slots;           /* open addressing; NULL is empty */
    size_t len, cap;        /* cap is 0 or a power of two */
} pl_strset;

/* Add a copy of s: 1 if it was new, 0 if it was there already. */
int pl_strset_add(pl_strset *set, const char *s);
int pl_strset_contains(const pl_strset *set, const char *s);
void pl_strset_free(pl_strset *set);

/* Decode little-endian UTF-16 (up to nbytes, stopping at a NUL unit) into
 * newly allocated UTF-8. Unpaired surrogates become U+FFFD. Never reads
 * past nbytes; an odd trailing byte is ignored. */
char *pl_utf16le_to_utf8(const uint8_t *p, size_t nbytes);

/* Little-endian reads; the caller has checked the bounds. */
static inline uint16_t pl_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t pl_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t pl_le64(const uint8_t *p) { return (uint64_t)pl_le32(p) | ((uint64_t)pl_le32(p + 4) << 32); }

/* True when [off, off+len) lies inside a buffer of size total, without
 * overflow. Use it before every access to input-controlled offsets. */
static inline int pl_range_ok(uint64_t off, uint64_t len, uint64_t total)
{
    return off <= total && len <= total - off;
}

/* Write all n bytes to fd (retrying short writes and EINTR). 0 or -1. */
int pl_write_all(int fd, const void *p, size_t n);

/* SHA-256 of a buffer as 64 lowercase hex digits plus NUL. */
void pl_sha256_hex(const uint8_t *data, size_t len, char out[65]);
/* SHA-256 of a whole file, streamed. 0 ok (*size = bytes hashed), -1 with
 * err set. */
int pl_sha256_file(const char *path, char out[65], uint64_t *size, pl_err *err);

/* Windows FILETIME (100 ns ticks since 1601-01-01 UTC) as
 * "YYYY-MM-DDTHH:MM:SSZ". Returns 0, or -1 if out of the representable
 * range (the caller then reports the raw value). */
int pl_filetime_to_iso(uint64_t filetime, char out[32]);
/* Unix seconds as "YYYY-MM-DDTHH:MM:SSZ". */
void pl_unixtime_to_iso(int64_t t, char out[32]);

#endif
