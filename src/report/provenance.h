/* Where every result came from: the tool, the libraries it ran with, the
 * catalog, when, and the options that change answers. An examiner quotes
 * this to say which tool, version and catalog produced each fact. */
#ifndef PL_PROVENANCE_H
#define PL_PROVENANCE_H

#include <stddef.h>

#include "report/report.h"

typedef struct {
    const char *name;            /* "wimlib", "hivex", ... */
    const char *version;         /* as the library reports it at run time, or
                                    as built where it has no such call (hivex) */
} pl_library_version;

/* The libraries patchlevel is linked with, in a fixed order. */
size_t pl_library_versions(const pl_library_version **out);

/* The "catalog" member: {path, sha256, newest} or null. Also inside
 * the provenance. */
void pl_report_catalog_identity(pl_json *j, const pl_catalog *c);

/* --hash: the SHA-256 of every file of the input (its chain members or
 * segments; a bare file itself), streamed. A file that cannot be read gets
 * its error instead; a directory tree is not hashed (hashes_unknown). */
void pl_result_hash_inputs(pl_input_result *r);
/* The "input_hashes" member: null without --hash. */
void pl_report_input_hashes(pl_json *j, const pl_input_result *r);

/* The "acquisition" member: null except for an E01 input, whose imager's
 * metadata and stored hashes it gives (computed ones with --hash); null
 * with "acquisition_unknown" (and its code) when they cannot be read. */
void pl_report_acquisition(pl_json *j, const pl_input_result *r);

/* The "provenance" member of a result object. */
void pl_report_provenance(pl_json *j, const pl_input_result *r);

#endif
