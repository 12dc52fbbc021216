/* Helpers shared by the fault tests (tests/faults/test_faults_*.c): run the
 * program on a damaged input together with a good one, and check the exact
 * message it gives and that the good input was still analyzed.
 *
 * Conventions checked everywhere: an input that could not be (completely)
 * read gives exit status 3, its "errors" hold the exact "what failed: why"
 * text, and stderr holds "patchlevel: INPUT: <that text>"; damage that
 * leaves the input analyzed (a damaged file inside a readable volume) is a
 * warning of the installation and exit status 0. */
#ifndef PL_FAULTS_H
#define PL_FAULTS_H

#include <json-c/json.h>
#include <stddef.h>

#include "../e2e/e2e.h"

/* The good input given after every damaged one. */
#define FAULT_GOOD "trees/ws2008-6002-base"

/* "$PL_FIXTURES/faults/REL". */
const char *fault_fixture(const char *rel);

/* Run "patchlevel -f json INPUT <good tree>" and check the good tree's
 * result (one installation, verdict "no", no errors). Returns the damaged
 * input's result object. */
json_object *fault_run(e2e_run *r, const char *input);

/* The input failed with exactly these errors (NULL-terminated), in order:
 * exit 3, "errors" equal, each on stderr as "patchlevel: INPUT: msg". */
void fault_expect_errors(const e2e_run *r, json_object *o, const char *input,
                         const char *const *msgs);
void fault_expect_error(const e2e_run *r, json_object *o, const char *input, const char *msg);

/* The installation's warnings are exactly these (NULL-terminated). */
void fault_expect_warnings(json_object *inst, const char *const *msgs);
/* The installation has this exact warning among its warnings. */
void fault_expect_warning(json_object *inst, const char *msg);

/* A private temporary directory (removed with fault_rmrf). */
char *fault_tmpdir(void);
void fault_rmrf(const char *dir);
/* Copy a file or a directory tree (cp -R: symlinks copied as links). */
void fault_copy(const char *src, const char *dst);
/* The first n bytes of src into dst. */
void fault_copy_prefix(const char *src, size_t n, const char *dst);
void fault_write(const char *path, const void *data, size_t n);
/* Patch n bytes at off in an existing file. */
void fault_patch(const char *path, long off, const void *data, size_t n);
/* A copy of the good tree as DIR/NAME; returns the path (malloc'd). */
char *fault_good_tree(const char *dir, const char *name);
/* "DIR/REL" (malloc'd). */
char *fault_join(const char *dir, const char *rel);

#endif
