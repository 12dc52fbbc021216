/* Which inputs a run analyzes: the paths given, or the images found under
 * directories (-r); then the --shard part; then without those --resume
 * finds already done. */
#ifndef PL_INPUTS_H
#define PL_INPUTS_H

#include <stdint.h>

#include "util/util.h"

/* Without recursive: the paths as given (a directory is a Windows tree).
 * With recursive: a directory is walked (symlinks are not followed) and
 * every file whose content is a disk image or a WIM is taken, sorted;
 * files that are members of another input (the parents of a differencing
 * chain, later parts of a split WIM, later EWF segments, the extents of a
 * VMDK descriptor) are left out, since they are read with it. Unreadable
 * directories become warnings. */
void pl_collect_inputs(char *const *paths, int n, int recursive, pl_strlist *inputs,
                       pl_strlist *warnings);

/* Keep the inputs of part k (1-based) of n: a path belongs to part
 * FNV-1a-64(path) mod n + 1, so every machine of a distributed run,
 * given the same paths, splits them the same way. */
void pl_shard_inputs(pl_strlist *inputs, unsigned k, unsigned n);
unsigned pl_shard_of(const char *path, unsigned n);

/* --resume: the inputs already in a JSONL results file, keyed by path,
 * size and modification time. A last line cut off by a killed run is
 * removed from the file (it is our results file, never an image) so that
 * appending continues cleanly. 0 ok (a missing file is an empty one), -1
 * with err. */
int pl_resume_load(const char *path, pl_strlist *done_keys, pl_err *err);
/* Drop the inputs whose key is in done_keys (sorted by pl_resume_load);
 * returns how many. */
size_t pl_resume_filter(pl_strlist *inputs, const pl_strlist *done_keys);
/* "path\tsize\tmtime" */
char *pl_resume_key(const char *path, int64_t size, int64_t mtime);

#endif
