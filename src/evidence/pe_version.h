/* The version resource of a PE32 / PE32+ file, read from a buffer.
 *
 * Our own bounds-checked parser: DOS header -> PE header -> section table ->
 * resource directory (RT_VERSION = 16) -> VS_VERSIONINFO -> VS_FIXEDFILEINFO
 * and StringFileInfo. Every offset and length comes from the file, so every
 * one is checked against the buffer before use; resource directory
 * recursion is bounded by PL_MAX_PE_RESOURCE_DEPTH and entry counts by
 * PL_MAX_PE_RESOURCE_ENTRIES. */
#ifndef PL_PE_VERSION_H
#define PL_PE_VERSION_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

#define PL_PE_MACHINE_I386  0x014c
#define PL_PE_MACHINE_AMD64 0x8664
#define PL_PE_MACHINE_IA64  0x0200

typedef struct {
    uint16_t machine;          /* IMAGE_FILE_HEADER.Machine */
    int is_pe32plus;           /* optional header magic 0x20b */
    int has_fixed;             /* a valid VS_FIXEDFILEINFO was found */
    uint16_t file_version[4];  /* dwFileVersionMS/LS split into 4 parts */
    uint16_t product_version[4];
    /* StringFileInfo values, UTF-8, NULL when absent. Taken from one
     * string table chosen across all RT_VERSION resources (Wine's
     * kernel32 has one per language): language 0x0409 (en-US) first,
     * then 0x0000 (neutral), then the first table present; on a tie the
     * earlier table wins. The fixed info is that of the first resource
     * that parses; a resource that does not parse is skipped. */
    char *file_version_str;    /* e.g. "6.0.6003.20489 (vistasp2_ldr_escrow.190320-1700)" */
    char *product_version_str;
    char *original_filename;
    char *product_name;
    char *string_table_key;    /* e.g. "040904b0", as stored */
} pl_pe_version;

/* Parse the version resource. Returns 0 on success (has_fixed set; the
 * strings may still be NULL), -1 with err set when the buffer is not a PE,
 * is truncated, or has no usable RT_VERSION resource. On -1 the struct is
 * left zeroed except for machine/is_pe32plus when the headers were valid.
 * err may be NULL. */
int pl_pe_read_version(const uint8_t *data, size_t len, pl_pe_version *out, pl_err *err);
/* Frees the strings and zeroes *v; NULL and a second call are harmless. */
void pl_pe_version_free(pl_pe_version *v);

/* "a.b.c.d" of a 4-part version into buf (at least 24 bytes; a shorter
 * buf gets a truncated, terminated string; v NULL gives ""). */
void pl_version4_format(const uint16_t v[4], char *buf, size_t buflen);

/* Parse "a.b.c.d" (1 to 4 numeric parts, each <= 65535; trailing text after
 * a space is ignored, so "6.0.6003.20489 (vistasp2_ldr...)" works).
 * Missing parts are 0. Returns 0 or -1 (v is then all 0; s NULL is -1). */
int pl_version4_parse(const char *s, uint16_t v[4]);

/* Compare two 4-part versions: <0, 0, >0 (NULL sorts first). */
int pl_version4_cmp(const uint16_t a[4], const uint16_t b[4]);

#endif
