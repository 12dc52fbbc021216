/* The catalog of Windows Server 2008 SP2 updates: data shipped with the
 * program (data/ws2008-sp2-catalog.csv, installed to $(pkgdatadir)) and
 * replaceable with --catalog FILE. A small bounds-checked CSV reader;
 * every row keeps its source so the report can cite it.
 *
 * File format (documented in data/README.md and the man page): RFC 4180
 * CSV in UTF-8 (a BOM is tolerated), CRLF or LF line ends, a header row
 * naming the columns (any order, case-insensitive, unknown columns
 * ignored). Lines whose first non-blank character is '#' and blank lines
 * are skipped, outside quoted fields only. Required columns: kb,
 * release_date, kind. Optional: kernel_version, supersedes, title, source,
 * confidence. Every row has as many fields as the header: a title with an
 * unquoted comma is an error rather than a silently shifted row.
 *
 * Errors name the file and the line: "NAME:LINE: reason", LINE being the
 * first line of the offending row (for an unterminated quote, the line the
 * quote opened on). Only errors about the file as a whole (cannot be read,
 * too large) are "NAME: reason". The first error found is reported. */
#ifndef PL_CATALOG_H
#define PL_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

typedef enum {
    PL_KIND_MONTHLY_ROLLUP,
    PL_KIND_SECURITY_ONLY,
    PL_KIND_PREVIEW,
    PL_KIND_OUT_OF_BAND,
    PL_KIND_SSU,
    PL_KIND_ESU_LICENSING,
    PL_KIND_SHA2,
    PL_KIND_OTHER,
} pl_update_kind;

/* "monthly-rollup", "security-only", "preview", "out-of-band", "ssu",
 * "esu-licensing", "sha2", "other" (also for a value outside the enum). */
const char *pl_update_kind_name(pl_update_kind k);
/* The reverse, ASCII case-insensitive: 0, or -1 when unknown (s NULL too). */
int pl_update_kind_parse(const char *s, pl_update_kind *out);

/* Who could get an update (reference ws2008-servicing.md, update
 * 2026-12-06, "Update channels"): everyone until 2020-01 (public), ESU
 * years 1-3 on-premises until 2023-01 (esu), ESU year 4 on Azure until
 * 2024-01 (azure), Premium Assurance until 2026-01. Ordered: each channel
 * also received everything of the ones before it. */
typedef enum {
    PL_CHANNEL_PUBLIC,
    PL_CHANNEL_ESU,
    PL_CHANNEL_AZURE,
    PL_CHANNEL_PREMIUM_ASSURANCE,
} pl_channel;
#define PL_NCHANNELS 4

/* "public", "esu", "azure", "premium-assurance". */
const char *pl_channel_name(pl_channel c);
/* The reverse, ASCII case-insensitive: 0, or -1 when unknown. */
int pl_channel_parse(const char *s, pl_channel *out);
/* The channel of a release date when a row names none: the date against
 * the channel ends above ("" = public: an undated row claims nothing). */
pl_channel pl_channel_of_date(const char *date);

typedef struct {
    /* "KB4493471": "KB" and 3-8 digits, upper-case; "" for a month whose
     * update surely exists but whose KB is not known (then note says so) */
    char *kb;
    char *release_date;        /* "YYYY-MM-DD", "YYYY-MM" or "" when unknown */
    pl_update_kind kind;
    int has_kernel;
    uint16_t kernel[4];        /* ntoskrnl version this update brings, when known */
    char *supersedes;          /* "KB…" (normalised like kb) or NULL */
    char *title, *source, *confidence;   /* NULL when absent or empty */
    pl_channel channel;        /* the channel column, else from the date */
    char *note;                /* NULL when absent or empty */
    unsigned line;             /* first line of its row in the catalog file */
} pl_catalog_entry;

typedef struct {
    /* Sorted by release_date (as text, so "2020-04" sorts before
     * "2020-04-14"; an empty date sorts last), then by KB number. */
    pl_catalog_entry *entries;
    size_t n;
    char *name;                /* file name, for messages and evidence */
    /* Added: indexes into entries sorted by KB number, for
     * pl_catalog_find. NULL in a hand-built catalog: find then scans. */
    size_t *by_kb;
    /* Added: the catalog's identity, reported with every result: the
     * SHA-256 of the file's bytes ("" for a hand-built catalog) and the
     * release date of its newest dated row ("" when none). */
    char sha256[65];
    char newest[11];
} pl_catalog;

/* Parse a catalog from memory (data need not be NUL-terminated). 0 ok;
 * -1 with err "NAME:LINE: reason" and *cat left empty: unterminated
 * quote, text after a closing quote, a quote inside an unquoted field,
 * NUL byte, invalid UTF-8, missing or repeated column in the header, no
 * header, a row whose field count differs from the header's, bad KB /
 * release_date / kind / kernel_version / supersedes, duplicate KB, more
 * than PL_MAX_CATALOG_ROWS rows, PL_MAX_CATALOG_COLUMNS columns or
 * PL_MAX_CATALOG_FIELD bytes in a field. More than PL_MAX_CATALOG_BYTES
 * is "NAME: reason". A header with no rows is a valid, empty catalog. */
int pl_catalog_parse(const char *data, size_t len, const char *name, pl_catalog *cat,
                     pl_err *err);
/* Read (at most PL_MAX_CATALOG_BYTES) and parse a file; NAME is path. */
int pl_catalog_load(const char *path, pl_catalog *cat, pl_err *err);
/* Frees everything and zeroes *cat; NULL and a second call are harmless. */
void pl_catalog_free(pl_catalog *cat);

/* The entry for "KB…" (case-insensitive), NULL when absent or when kb is
 * not a KB number (so never a row whose KB is unknown). */
const pl_catalog_entry *pl_catalog_find(const pl_catalog *cat, const char *kb);

/* The monthly rollup a kernel revision belongs to: among monthly-rollup
 * entries with a kernel_version of the same major.minor.build as v and
 * <= v, the one with the highest kernel_version (the newest on a tie).
 * Kernel versions are thresholds ("at least"), so a revision between two
 * months belongs to the older one. NULL when the catalog cannot place it
 * (another build line, older than every known rollup, or v NULL). */
const pl_catalog_entry *pl_catalog_rollup_for_kernel(const pl_catalog *cat, const uint16_t v[4]);

#endif
