/* Helpers for the end-to-end tests: run the built program on fixtures and
 * look into its JSON with short paths like "installations.0.os.build". */
#ifndef PL_E2E_H
#define PL_E2E_H

#include <json-c/json.h>
#include <stdint.h>

typedef struct {
    int status;           /* exit status, or -1 if it did not exit normally */
    char *out, *err;      /* captured standard output / error */
    json_object *json;    /* stdout parsed as JSON, NULL if it is not */
} e2e_run;

/* Run $PL_PROGRAM with args (NULL-terminated). Aborts the test on failure
 * to start it. With $PL_PROGRAM_WRAPPER set (words separated by blanks,
 * e.g. "valgrind -q --error-exitcode=99 --leak-check=full"), the program
 * runs under that command; when the wrapper's --error-exitcode comes back,
 * from the program or from one of its worker processes, the test fails
 * with the wrapper's report (tests/valgrind.sh). */
void e2e_exec(e2e_run *r, const char *const *args);
void e2e_free(e2e_run *r);

/* "$PL_FIXTURES/rel" (static buffer, rotated among 8). */
const char *e2e_fixture(const char *rel);
/* "$PL_CORPUS/rel", or NULL if PL_CORPUS is unset or missing. */
const char *e2e_corpus(const char *rel);
/* Exit 77 (skip) unless the corpus exists. */
void e2e_require_corpus(void);

/* A private scratch directory under $TMPDIR (or /tmp) named
 * "<prefix>-XXXXXX" into buf; 0 ok, -1 on failure. e2e_remove_dir removes it
 * and everything in it. */
int e2e_scratch_dir(const char *prefix, char *buf, size_t len);
void e2e_remove_dir(const char *dir);

/* Navigate: dot-separated keys, numbers index arrays. NULL when absent. */
json_object *jget(json_object *root, const char *path);
/* The string at path, or NULL when absent / null / not a string. */
const char *jstr(json_object *root, const char *path);
int64_t jint(json_object *root, const char *path);   /* INT64_MIN when absent */
int jbool(json_object *root, const char *path);      /* -1 when absent */
int jlen(json_object *root, const char *path);       /* array length, -1 when absent */
int jis_null(json_object *root, const char *path);   /* present and null */
int jhas(json_object *root, const char *path, const char *s); /* array contains string */
/* The first element of array at path whose field key equals value. */
json_object *jfind(json_object *root, const char *path, const char *key, const char *value);

/* The cell of a CSV report (RFC 4180; a leading byte-order mark is
 * skipped) in data row `row` (1 = the first after the header) and the
 * column whose header is `column`; malloc'd, NULL when there is none. */
char *e2e_csv_cell(const char *csv, int row, const char *column);

#endif
