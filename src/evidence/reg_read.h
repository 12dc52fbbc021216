/* Checked registry reads for the evidence kinds (identity, roles,
 * applications): each says apart "absent" (a fact that is not there) and
 * "present but unusable" (a fact that is unknown), so that a value of the
 * wrong type or a string too long is never read as "none". */
#ifndef PL_REG_READ_H
#define PL_REG_READ_H

#include <stddef.h>
#include <stdint.h>

#include "evidence/hive.h"

/* A REG_SZ / REG_EXPAND_SZ value as malloc'd UTF-8 (any bytes it decodes
 * to; the writers escape them). 1 read (*out set), 0 absent (node 0 or no
 * such value), -1 unusable: another type, longer than
 * PL_MAX_REG_STRING_BYTES, or UTF-16 hivex cannot decode (*why set,
 * malloc'd). */
int pl_reg_sz(pl_hive *hive, hive_node_h node, const char *name, char **out, char **why);

/* A REG_MULTI_SZ value's non-empty strings, at most max of them (more is
 * -1 with *why naming the limit). Same return convention; *items is a
 * NULL-terminated malloc'd array of malloc'd strings (free with
 * pl_reg_strv_free), *count its length. */
int pl_reg_multi_sz(pl_hive *hive, hive_node_h node, const char *name, size_t max,
                    char ***items, size_t *count, char **why);
void pl_reg_strv_free(char **items);

/* A REG_BINARY value of exactly want bytes copied to out. Same return
 * convention. */
int pl_reg_binary(pl_hive *hive, hive_node_h node, const char *name, uint8_t *out, size_t want,
                  char **why);

/* The child of node named by a '\'-separated relative path; 0 when any
 * part is missing or node is 0. */
hive_node_h pl_reg_child(pl_hive *hive, hive_node_h node, const char *path);

/* The name of a registry value type ("REG_SZ", ...). */
const char *pl_reg_type_name(hive_type t);

#endif
