/* Damaged hives: find the damage to the frame of a hive (its base block
 * and chain of hive bins) and build a repaired private copy that hivex
 * reads, keeping what is intact and saying what was lost.
 *
 * Why our own code: hivex 1.3.23 refuses a hive whose base block checksum
 * is wrong, or whose bins are cut short or broken, whatever the flags (its
 * HIVEX_OPEN_UNSAFE only skips a bad subkey or value cell once the hive is
 * open), and it opens a hive cut at a bin boundary without a word. The
 * repair touches only our copy: the input buffer is never changed. */
#ifndef PL_HIVE_SALVAGE_H
#define PL_HIVE_SALVAGE_H

#include <stddef.h>
#include <stdint.h>

#include "util/limits.h"
#include "util/util.h"

/* The damage found. Offsets are from the start of the hive bins (file
 * offset minus 4096), as cell offsets are. */
typedef struct {
    int bad_checksum;
    uint32_t stored_sum, computed_sum;
    uint32_t bins;           /* hive bins data size, from the base block */
    uint64_t first_bad;      /* the first bin that is not whole and valid; bins if none */
    uint32_t first_bad_size; /* its size field (0 when it has no "hbin") */
    uint64_t keep;           /* bins usable from the first, gaps bridged */
    int cut;                 /* the chain stops because the file ends */
    size_t ngaps;            /* damaged bins bridged (replaced by free space) */
    uint64_t gap_at[PL_MAX_HIVE_SALVAGE_GAPS], gap_len[PL_MAX_HIVE_SALVAGE_GAPS];
} pl_hive_damage;

/* 0 when the frame is sound; 1 when damaged, with *dmg filled and err
 * saying what the damage is (the reason hivex refuses the hive). len must
 * be at least 8192 and data start with "regf". */
int pl_hive_find_damage(const uint8_t *data, size_t len, pl_hive_damage *dmg, pl_err *err);

/* A repaired copy of a damaged hive (malloc'd in *out): the usable bins,
 * each damaged bin between two sound ones replaced by a bin holding one
 * free cell, the base block's hive bins data size set to what is kept and
 * its checksum recomputed. 0 ok; -1 when nothing can be salvaged (the
 * first bin or the root key is lost), with the reason added to err. */
int pl_hive_salvage_copy(const uint8_t *data, size_t len, const pl_hive_damage *dmg,
                         uint8_t **out, size_t *out_len, pl_err *err);

/* One sentence for the report: the damage and what was lost. */
void pl_hive_salvage_detail(size_t len, const pl_hive_damage *dmg, char *out, size_t n);

#endif
