/* patchlevel summarize RESULTS.jsonl...: a fleet summary of earlier runs,
 * as text, CSV or one self-contained HTML page. */
#ifndef PL_SUMMARIZE_H
#define PL_SUMMARIZE_H

/* argv[0] is "summarize". Returns the exit status (0 ok, 2 usage error,
 * 3 a results file could not be read). */
int pl_summarize_main(int argc, char **argv);

#endif
