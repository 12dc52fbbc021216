/* Registry hives through hivex, opened from memory.
 *
 * hivex opens hives by file name only, so a hive read from an image is
 * handed to it through an anonymous in-memory file (memfd): nothing is
 * written to disk and the image is never touched. Key lookups are
 * case-insensitive, as in Windows. */
#ifndef PL_HIVE_H
#define PL_HIVE_H

#include <hivex.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

typedef struct {
    hive_h *h;
    int memfd;
    int salvaged;          /* damaged: read from a repaired private copy */
    int salvage_lost;      /* ... and bins were lost (cut or bridged), not only a checksum */
    char salvage[640];     /* what was damaged and what was lost; "" if not salvaged */
} pl_hive;

/* Open a hive from a buffer (copied). 0 ok, -1 with err set.
 *
 * A hive whose base block checksum is wrong, or whose bins are cut short
 * or broken (hivex refuses these, or reads one cut at a bin boundary
 * without a word), is salvaged when its first bin and root key are intact: the whole, valid bins are read from a repaired private
 * copy; hive->salvaged is then set and hive->salvage says what was lost.
 * A hive whose root key cannot be reached stays unreadable, err saying
 * why. */
int pl_hive_open_mem(const uint8_t *data, size_t len, pl_hive *hive, pl_err *err);
/* The same for a buffer the caller only frees afterwards: its pages are
 * handed back to the system as they are copied into hivex's in-memory
 * file, so that a 90 MB SOFTWARE hive is not held twice (its contents are
 * then undefined; free() it as usual). */
int pl_hive_open_mem_consume(uint8_t *data, size_t len, pl_hive *hive, pl_err *err);
void pl_hive_close(pl_hive *hive);

/* The node at a '\'-separated path below the root, or 0 when absent. */
hive_node_h pl_hive_node(pl_hive *hive, const char *path);

/* A string value (REG_SZ / REG_EXPAND_SZ) as malloc'd UTF-8; NULL when the
 * node or value is absent or not a string. */
char *pl_hive_string(pl_hive *hive, hive_node_h node, const char *name);
/* A REG_DWORD value. 1 found (*out set), 0 absent or of another type. */
int pl_hive_dword(pl_hive *hive, hive_node_h node, const char *name, uint32_t *out);
/* The values named names[0..n) of node, found in one pass over its values:
 * out[i] is what hivex_node_get_value(node, names[i]) gives (the first
 * value so named, case-insensitively, else 0). */
void pl_hive_values(pl_hive *hive, hive_node_h node, const char *const names[], size_t n,
                    hive_value_h out[]);
/* pl_hive_string and pl_hive_dword of a value found so (0: absent). */
char *pl_hive_string_at(pl_hive *hive, hive_value_h v);
int pl_hive_dword_at(pl_hive *hive, hive_value_h v, uint32_t *out);
/* Number of subkeys of a node (0 if node is 0). */
size_t pl_hive_subkey_count(pl_hive *hive, hive_node_h node);

/* Checked reads for values whose absence means "no" and whose damage must
 * mean "unknown": 1 read (*out set), 0 absent, -1 present but unusable
 * (*why gets a malloc'd reason: the type found, or the encoding fault). */
int pl_hive_dword_checked(pl_hive *hive, hive_node_h node, const char *name, uint32_t *out,
                          char **why);
/* A REG_MULTI_SZ: *count gets its non-empty strings (at most
 * PL_MAX_MULTI_SZ_ITEMS). UTF-16 with an unpaired surrogate, an odd byte
 * count or another value type is -1. */
int pl_hive_multi_sz_checked(pl_hive *hive, hive_node_h node, const char *name, size_t *count,
                             char **why);

#endif
