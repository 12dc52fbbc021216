/* The report layer: the result of analyzing one input, and the writers
 * that print results as text, JSON, JSON lines or CSV. Results are written
 * one at a time as they finish, so a batch can stream them. */
#ifndef PL_REPORT_H
#define PL_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "decisions/decisions.h"
#include "evidence/installation.h"
#include "sources/ewf_metadata.h"
#include "util/json_writer.h"

#define PL_SCHEMA "patchlevel/1"

typedef struct {
    pl_installation inst;
    pl_assessment assess;
} pl_inst_result;

/* The options of a run that change what a result says, for its provenance
 * (not owned: they live as long as the run). */
typedef struct {
    const char *catalog_option;  /* --catalog as given; NULL: the shipped one or none */
    const pl_strlist *parents;   /* --parent files, may be NULL */
    int find_6002;               /* --find-6002-checks */
    int hash;                    /* --hash */
} pl_result_options;

/* --hash: one file of the input (a chain member, a segment, the input). */
typedef struct {
    char *file;
    uint64_t size;
    char sha256[65];             /* "" when it could not be hashed */
    char *error;                 /* why not; NULL when hashed */
    pl_error_code code;
} pl_file_hash;

typedef struct {
    char *input;
    int64_t input_size;          /* bytes (-1 unknown): with input and input_mtime, */
    int64_t input_mtime;         /* Unix seconds, the key --resume matches on (JSON:
                                    input_mtime as ISO 8601 UTC, input_mtime_epoch) */
    int64_t analyzed_at;         /* Unix seconds when the analysis began (0 unknown) */
    pl_result_options options;
    /* --hash: the SHA-256 of every file of the input. hashed = 0 without
     * the option; hashes_unknown says why none are given (a directory). */
    int hashed;
    pl_file_hash *hashes;
    size_t nhashes;
    const char *hashes_unknown;
    /* E01 inputs: the acquisition metadata and stored hashes (computed
     * ones with --hash); NULL for every other input (JSON acquisition:
     * null). */
    pl_ewf_metadata *acquisition;
    const char *container;       /* NULL when the input could not be opened */
    pl_strlist chain;
    pl_inst_result *insts;
    size_t ninsts;
    pl_strlist errors;           /* "what failed: why" */
    pl_strlist error_codes;      /* parallel to errors: each one's pl_error_code_name
                                  * (JSON error_details); missing ones are "internal" */
    pl_notes warnings;           /* about the input as a whole */
    uint64_t bytes_read;
    /* The catalog the answers rest on (not owned; NULL without one): its
     * identity is reported with every result. */
    const pl_catalog *catalog;
} pl_input_result;

void pl_input_result_free(pl_input_result *r);
/* Record an error of the input with its code (errors and error_codes stay
 * parallel). */
void pl_result_error(pl_input_result *r, pl_error_code code, const char *msg);
void pl_result_errorf(pl_input_result *r, pl_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

typedef enum { PL_FMT_TEXT, PL_FMT_JSON, PL_FMT_JSONL, PL_FMT_CSV } pl_format;

/* Parse "text", "json", "jsonl", "csv"; -1 if none. */
int pl_format_parse(const char *s, pl_format *out);

/* How a report is laid out beyond its format. */
typedef struct {
    int json_array;              /* json: an array (-r, several inputs), else one object */
    int verbose;                 /* text: also list every package */
    int csv_bom;                 /* csv: for spreadsheets (--csv-bom): UTF-8's
                                    byte-order mark first, versions kept as text */
} pl_report_style;

typedef struct {
    FILE *out;
    pl_format fmt;
    pl_report_style style;
    size_t written;
} pl_report_writer;

void pl_report_begin(pl_report_writer *w, FILE *out, pl_format fmt, const pl_report_style *style);
/* Write one result; returns 0 or -1 (errno set) on an output error. */
int pl_report_item(pl_report_writer *w, const pl_input_result *r);
/* The two halves of pl_report_item, for results rendered in a worker
 * process: the text of one result in a format (no separators; malloc'd),
 * and writing such a text with the separators the format needs. */
char *pl_report_render(pl_format fmt, const pl_report_style *style, const pl_input_result *r,
                       size_t *len);
int pl_report_emit(pl_report_writer *w, const char *text, size_t len);
int pl_report_end(pl_report_writer *w);

/* The JSON object of one input (spec section 5). */
void pl_report_json_object(pl_json *j, const pl_input_result *r);
/* One element of its "installations" array. */
void pl_report_json_installation(pl_json *j, const pl_inst_result *r);
/* Text block and CSV rows, used by the writer. */
void pl_report_text(FILE *out, const pl_input_result *r, int verbose);
/* bom: start with UTF-8's byte-order mark. */
void pl_report_csv_header(FILE *out, int bom);
/* One CSV field, RFC 4180-quoted when needed. Values come from images:
 * one that a spreadsheet would run as a formula (= + - @ at the start) is
 * written with a leading apostrophe, which spreadsheets show as text. */
void pl_csv_field(FILE *out, const char *s);
/* spreadsheet: write version cells so that spreadsheets keep them as text. */
void pl_report_csv_rows(FILE *out, const pl_input_result *r, int spreadsheet);

#endif
