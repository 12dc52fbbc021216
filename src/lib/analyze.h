/* The analysis driver of the lib layer (above report): one input end to
 * end into a pl_input_result. The public interface (api.c) wraps it. */
#ifndef PL_ANALYZE_H
#define PL_ANALYZE_H

#include "report/report.h"
#include "sources/source.h"

typedef struct {
    pl_source_options source;
    const pl_catalog *catalog;     /* NULL: no rollup conclusions */
    int find_6002;                 /* --find-6002-checks */
    int hash;                      /* --hash: SHA-256 of every file of the input */
    pl_result_options result;      /* what the provenance of each result says */
} pl_analysis_options;

/* Analyze one input into *r (always filled; failures become r->errors).
 * The caller frees with pl_input_result_free. */
void pl_analyze_input(const char *input, const pl_analysis_options *opt, pl_input_result *r);

/* Does the directory hold, directly in it, an input -r would take (an
 * image, a bare SOFTWARE hive, a Windows tree)? Looks at a bounded number
 * of entries; 1 yes, 0 no or unreadable. (lib/inputs.c) */
int pl_dir_holds_inputs(const char *dir);

#endif
