/* Hives that were not cleanly closed: a snapshot of a running machine, or
 * a crash. The base block's two sequence numbers differ; the transaction
 * logs beside the hive (NAME.LOG for the old format of Vista/2008,
 * NAME.LOG1 / NAME.LOG2 for both the old format and the Windows 8.1+
 * "HvLE" format) hold the pages that did not reach the primary file.
 * Replay happens in memory, on our copy of the hive: the image is never
 * written. */
#ifndef PL_HIVE_LOG_H
#define PL_HIVE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

typedef struct {
    const char *name;          /* e.g. "SOFTWARE.LOG1", for messages */
    const uint8_t *data;
    size_t len;
} pl_hive_log;

typedef struct {
    int dirty;                 /* base block sequence numbers differ (or bad checksum) */
    uint32_t seq1, seq2;       /* as found in the primary file, before any replay */
    int recovered;             /* logs were replayed into the buffer */
    char *log_used;            /* "A" or "A and B": the log(s) applied, NULL when none */
    const char *log_format;    /* "old" (DIRT), "new" (HvLE), NULL (static string) */
    unsigned pages_applied;    /* old format: 512-byte pages; new format: log entries */
    char *detail;              /* one sentence for the report; NULL for a clean hive.
                                * Names every log left alone and why. */
} pl_hive_recovery;

/* 1 when the hive's base block says it is dirty, 0 when clean, -1 when the
 * buffer is not a regf hive. */
int pl_hive_is_dirty(const uint8_t *data, size_t len, uint32_t *seq1, uint32_t *seq2);

/* If the hive in *data is dirty, replay the logs into it (the buffer may
 * grow or be replaced: *data must be malloc'd and is realloc'd/freed).
 * Returns 0 with *out filled: out->recovered tells whether anything was
 * applied (a dirty hive with no usable log is still returned as is, with
 * out->detail saying why). -1 only for a buffer that is not a hive.
 *
 * logs may be in any order and of either format (empty ones are skipped,
 * as Vista leaves a 0-byte NAME.LOG); a log is applied only if its base
 * block is valid and complete, names the same file as the primary's, and
 * its sequence numbers continue the primary's. New format: .LOG1/.LOG2
 * entries are chained by sequence number, each entry checked whole
 * (Marvin32 hashes included) before it is applied; a damaged entry stops
 * the replay after the previous ones, as Windows does. Old format: the
 * newest fitting log is applied on a copy, kept only if the hive bins still
 * chain. The result has seq1 == seq2 (the last sequence replayed), file
 * type primary and a valid checksum. Every offset and length in a log is
 * checked; the result never exceeds PL_MAX_HIVE_BYTES. */
int pl_hive_recover(uint8_t **data, size_t *len, const pl_hive_log *logs, size_t nlogs,
                    pl_hive_recovery *out, pl_err *err);
void pl_hive_recovery_free(pl_hive_recovery *r);

#endif
