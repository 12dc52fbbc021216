/* Output files never land on evidence. Every file a run reads (the inputs
 * given, the images -r found, their chain members, --parent disks, the
 * catalog; summarize's results files) goes into a pl_fileset; an output
 * (-o, --resume, summarize -o) that is one of them, by device and inode
 * or by resolved path, is refused before it is opened for writing, and
 * again on the descriptor opened, before anything is truncated. */
#ifndef PL_OUTPUTS_H
#define PL_OUTPUTS_H

#include <stdio.h>
#include <sys/types.h>

#include "util/util.h"

typedef struct {
    dev_t dev;
    ino_t ino;
    int have_id;
    char *path;     /* as given, for messages */
    char *real;     /* resolved, NULL when it does not resolve */
} pl_file_id;

typedef struct {
    pl_file_id *items;
    size_t len, cap;
} pl_fileset;

/* Add path (one that does not exist is kept by name only). */
void pl_fileset_add(pl_fileset *s, const char *path);
void pl_fileset_free(pl_fileset *s);

typedef enum {
    PL_OUT_REPLACE,   /* -o: truncated once it is known to be no input */
    PL_OUT_APPEND,    /* --resume: read back, then appended to; a regular file */
} pl_output_mode;

/* Open path for the report. -1 with err: code output-is-input (the
 * message names both files), unsafe (--resume on a special file) or io.
 * The returned descriptor is blocking, close-on-exec, and for APPEND open
 * for reading too. */
int pl_output_open(const char *path, pl_output_mode mode, const pl_fileset *inputs,
                   pl_err *err);
/* Only the check, for a path not to be opened yet. 0 or -1 with err. */
int pl_output_check(const char *path, const pl_fileset *inputs, pl_err *err);

#endif
