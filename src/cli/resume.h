/* --resume FILE: which inputs a JSONL results file already holds.
 *
 * The file is read through the descriptor the report is then appended to
 * (outputs.h opened it, after checking it is no input). Only a file of
 * patchlevel/1 results, or an empty one, is accepted: anything else is
 * refused before a byte of it changes. Lines that are not results (NUL
 * bytes from a crash, a cut line, garbage, a line over the limit, another
 * schema) are skipped with one warning; a cut last line is removed so
 * that appending continues cleanly. An input counts as done when a line
 * has it with no error, or with errors of the input itself (a truncated
 * image) unless retry_failed; failures of the run (pl_error_code_is_transient:
 * crashed, timeout, resources, interrupted) are always tried again. */
#ifndef PL_RESUME_H
#define PL_RESUME_H

#include <stdint.h>

#include "util/util.h"

typedef struct {
    pl_strlist done_keys;    /* sorted pl_resume_key()s */
    size_t results;          /* result lines read */
    size_t skipped;          /* lines that were not results */
    size_t retried;          /* results whose input is analyzed again */
    int cut_tail;            /* a cut last line was removed */
} pl_resume_state;

/* Read the results in fd (open for reading and appending; a regular
 * file). 0, or -1 with err (code unrecognized: not a results file;
 * limit; io). name is for messages. */
int pl_resume_load(int fd, const char *name, int retry_failed, pl_resume_state *st,
                   pl_err *err);
/* Drop the inputs whose key is done; returns how many. */
size_t pl_resume_filter(pl_strlist *inputs, const pl_resume_state *st);
void pl_resume_free(pl_resume_state *st);
/* "path\tsize\tmtime", path as the report spells it (pl_json_lossy_utf8). */
char *pl_resume_key(const char *path, int64_t size, int64_t mtime);

#endif
