#ifndef PL_OPTIONS_H
#define PL_OPTIONS_H

#include <stdio.h>

#include <patchlevel.h>

#include "util/util.h"

typedef struct {
    enum patchlevel_format format;
    const char *output;      /* NULL = stdout */
    int require_6003;
    int find_6002;           /* --find-6002-checks */
    int hash;                /* --hash */
    int csv_bom;             /* --csv-bom */
    pl_strlist parents;      /* --parent FILE, in order given */
    const char *catalog;     /* --catalog FILE, NULL = the shipped one */
    int recursive;           /* -r: find images under directories */
    int jobs;                /* -j N: parallel analyses (worker processes) */
    unsigned timeout;        /* --timeout SECONDS per input, 0 = none */
    const char *resume;      /* --resume FILE (JSONL, appended to) */
    int retry_failed;        /* --retry-failed: with --resume, redo failed inputs too */
    unsigned shard_k, shard_n; /* --shard K/N, 0/0 = all */
    int progress;            /* -1 auto (a terminal), 0 off, 1 on */
    int quiet, verbose;
    int help, version;
    char **inputs;           /* points into argv */
    int ninputs;
} pl_options;

/* Parse argv. 0 ok, 2 usage error (message already printed to err). */
int pl_options_parse(int argc, char **argv, pl_options *o, FILE *err);
void pl_options_usage(FILE *out);
void pl_options_free(pl_options *o);

#endif
