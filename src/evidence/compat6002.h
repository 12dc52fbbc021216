/* "What will break at 6003": scripts, settings and registry values of an
 * installation that test for build 6002 (or 6.0.6002), which KB4493471
 * turned into 6003. Opt-in (--find-6002-checks).
 *
 * Three parts, each usable alone (the unit tests and the fuzz target call
 * the first two directly):
 *   - the rules: one line of text in, a classification out
 *     (compat6002_rules.c; the man page's "6002 CHECKS" states them);
 *   - the text reader: the bytes of one file (UTF-8, UTF-16 with or without
 *     BOM, ANSI) into lines, each classified (compat6002_text.c);
 *   - the scan: which files of a volume to read, and the registry values
 *     that name scripts or record a build (compat6002.c). */
#ifndef PL_COMPAT6002_H
#define PL_COMPAT6002_H

#include <stddef.h>
#include <stdint.h>

#include "evidence/evidence_kind.h"
#include "sources/source.h"
#include "util/util.h"

typedef enum {
    PL_C6_NONE = 0,          /* no 6002 build on the line */
    PL_C6_MENTION,           /* 6002 otherwise: not a risk */
    PL_C6_VERSION_LIST,      /* 6002 among other builds, 6003 not: a risk */
    PL_C6_EXACT,             /* a test that 6003 no longer passes: a risk */
} pl_c6_class;

/* "exact-build-test", "version-list", "mention" ("" for NONE). */
const char *pl_c6_class_name(pl_c6_class c);
static inline int pl_c6_is_risk(pl_c6_class c) { return c == PL_C6_VERSION_LIST || c == PL_C6_EXACT; }

/* Classify one line (len bytes, no newline; NULs end nothing: the line is
 * bytes). Linear in len. */
pl_c6_class pl_c6_classify_line(const char *line, size_t len);

/* A key=value recorded outside any script (a registry value): the value's
 * name and its data as text. NONE unless the data is the 6002 build and
 * the name says build or version. */
pl_c6_class pl_c6_classify_setting(const char *name, const char *data);

typedef struct {
    char *path;              /* in the volume, as stored; "HKLM\\SOFTWARE\\..." for a value */
    uint64_t line;           /* 1-based; 0 for a registry value */
    char *text;              /* the line, UTF-8, at most PL_MAX_C6_TEXT_BYTES (then "...") */
    pl_c6_class cls;
} pl_c6_finding;

typedef struct {
    size_t scanned_files;    /* files read and scanned as text */
    size_t skipped_files;    /* candidates not scanned: too large, binary, unreadable */
    size_t registry_values;  /* Run/RunOnce/ImagePath and recorded-build values examined */
    uint64_t bytes;          /* bytes of the files scanned */
    pl_c6_finding *findings;
    size_t nfindings, cap;
    char *limit;             /* the scan-wide limit reached, NULL when none */
    pl_strset seen;          /* paths scanned (a script the registry names twice is one) */
} pl_compat6002;

void pl_compat6002_free(pl_compat6002 *c);

/* Findings that are risks (exact-build-test, version-list). */
size_t pl_c6_risks(const pl_compat6002 *c);

/* Decode a file into UTF-8 text: BOM first, then UTF-16 without a BOM
 * when NULs sit at every other byte, then UTF-8, else ANSI (Windows-1252,
 * read as Latin-1). 0 ok (*out malloc'd, NUL-terminated, *outlen bytes),
 * -1 binary (NULs or control bytes a text file does not hold). */
int pl_c6_decode(const uint8_t *data, size_t len, char **out, size_t *outlen);

/* Classify every line of a decoded or raw file and add the findings under
 * path. Returns the number added. */
size_t pl_c6_scan_bytes(pl_compat6002 *c, const char *path, const uint8_t *data, size_t len,
                        int *binary);

/* Add one finding (text copied, truncated). */
void pl_c6_add(pl_compat6002 *c, const char *path, uint64_t line, const char *text,
               size_t textlen, pl_c6_class cls);

/* The whole scan of one installation, the collect of the evidence kind
 * "compat_6002" (opt-in: ctx->opts->find_6002): the script locations of
 * the volume (ctx->windows_dir NULL for a bare hive: registry only), and
 * the open SOFTWARE and SYSTEM hives of the context for Run/RunOnce,
 * services ImagePath and recorded builds. Problems become warnings in
 * ctx->warnings; never fails as a whole. */
void pl_compat6002_scan(const pl_evidence_ctx *ctx, pl_compat6002 *c);

#endif
