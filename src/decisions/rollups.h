/* How far behind an NT 6.0 installation is: its newest installed monthly
 * rollup, the catalog's monthly rollups released after it, and the
 * prerequisites those need that are absent.
 *
 * "Installed" means in the assessment's kbs_installed list (some package
 * of the KB is 0x70/0x80); superseded, staged and pending KBs do not
 * count. Every entry pointer points into the catalog, which must outlive
 * the status. */
#ifndef PL_ROLLUPS_H
#define PL_ROLLUPS_H

#include "decisions/catalog.h"
#include "evidence/installation.h"

typedef struct {
    const pl_catalog_entry *entry;   /* the prerequisite */
    char *reason;                    /* e.g. "needed by updates released after 2019-09" */
    /* Added: the missing rollups that need it ("KB5022340", or
     * "2025-03 (KB unknown)" for a row without a KB), oldest first. */
    pl_strlist needed_by;
    /* Added: "ssu", "sha2", "rollup-level" (the October 2019 rollup level
     * ESU requires), "esu-licensing": what the next step calls it. */
    const char *role;
} pl_missing_prereq;

/* How the security level is witnessed (spec section 3 "Servicing model"). */
typedef enum {
    PL_SEC_NONE,            /* no month of the catalog is covered */
    PL_SEC_ROLLUP,          /* a monthly rollup of that month or later */
    PL_SEC_SECURITY_ONLY,   /* the security-only updates of that month and all before */
    PL_SEC_KERNEL,          /* only the running kernel's revision */
} pl_sec_kind;

typedef struct {
    pl_sec_kind kind;
    char month[8];                   /* "YYYY-MM" ("" with PL_SEC_NONE) */
    const pl_catalog_entry *via;     /* the update; for PL_SEC_KERNEL the
                                        catalog row the kernel was placed at */
    /* PL_SEC_KERNEL only: the kernel is newer than every kernel_version of
     * the catalog, so its month is `month` or later, not known which. */
    int after;
} pl_security_level;

typedef struct {
    /* NT 6.0 (registry CurrentVersion "6.0" or a 6.0.x kernel, and neither
     * naming another version) with a catalog and a readable SOFTWARE hive
     * (without the CBS store nothing can be called installed or missing):
     * the rest is meaningful. When 0, everything below is empty. */
    int applicable;
    /* NT 6.0 with a catalog, but the answers below cannot be given: why
     * (the CBS store could not be read, or installed packages whose KB is
     * unknown may be the very updates reported missing). NULL otherwise.
     * The report then shows latest / missing / prerequisites as unknown. */
    char *unknown;
    /* Newest installed (0x70/0x80) monthly rollup known to the catalog, by
     * release date (an undated one only when no dated one is installed). */
    const pl_catalog_entry *latest;
    /* Each installed catalog KB with its kind, newest first, undated ones
     * last (security-only, previews, OOB, SSUs recognised as what they are). */
    const pl_catalog_entry **installed;
    size_t ninstalled;
    /* Monthly rollups released after the security level (security.month;
     * every one when nothing is covered) up to the end of the channel
     * counted for (plan), oldest first, never before the first build-6003
     * rollup (the oldest monthly rollup whose kernel_version is 6.0.6003
     * or later: KB4493471 in the shipped catalog; every dated rollup when
     * the catalog has no 6003 kernel version). KB-unknown months (kb "")
     * are included; undated rollups never are. nmissing is "how many
     * rollups behind" for that channel (rollups_behind). */
    const pl_catalog_entry **missing;
    size_t nmissing;
    /* What the missing rollups need and is absent, in this order: the SSU
     * of the era (the newest released before the newest missing rollup),
     * SHA-2 KB4474419 (missing updates after 2019-09), the October 2019
     * rollup level KB4520002 (ESU rollups, not for a client), the ESU
     * licensing package of the newest missing rollup's year (not for a
     * client). Each only when the catalog lists it. */
    pl_missing_prereq *missing_prereqs;
    size_t nmissing_prereqs;
    /* The rollup month the running kernel's revision belongs to (NULL when
     * the catalog cannot place it, or the kernel is unreadable or not
     * 6.0), and a note when the kernel is newer than any installed rollup
     * explains: newer than latest's kernel_version, or in a later rollup
     * month than latest, or at a rollup level with no rollup installed.
     * The note names installed non-rollup updates newer than latest that
     * may account for it, or says none does (then the CBS store may be
     * damaged or cleaned up). */
    const pl_catalog_entry *kernel_rollup;
    char *kernel_note;
    /* Added: the kernel is newer than every kernel_version of the catalog
     * on its build line: kernel_rollup is the newest known month, and the
     * kernel's own month is that one or later, not known which. */
    int kernel_after;
    /* Added: the monthly rollup `missing` counts from. Usually `latest`;
     * newer when an installed preview or out-of-band rollup contains a
     * newer monthly rollup (its supersedes chain reaches it): installing
     * the April 2019 preview marks the April rollup superseded, and every
     * earlier one already is, so `latest` alone would say "nothing
     * installed". NULL when neither exists. */
    const pl_catalog_entry *level;
    /* The installed preview / out-of-band update that set `level` when it
     * is not `latest`; NULL otherwise. */
    const pl_catalog_entry *level_via;

    /* ---- servicing model (spec section 3; reference update 2026-12-06) ---- */
    /* The newest month whose security fixes are installed. */
    pl_security_level security;
    /* The channel the installed updates prove, and the newest installed
     * update of that channel that proves it (NULL for public with no
     * catalog update installed). */
    pl_channel channel;
    const pl_catalog_entry *channel_via;
    /* The channel missing / rollups_behind / next steps are counted for:
     * the proven one, at least esu for a server (an on-premises server
     * could get ESU), public for a client (Vista was never ESU-eligible). */
    pl_channel plan;
    /* Vista (client): InstallationType "Client", ProductType "WinNT" or an
     * EditionID not naming a server edition. */
    int client;
    /* Rollup months after security.month up to each channel's end; -1 when
     * the installation could not get that channel (a client). */
    long behind[PL_NCHANNELS];
    /* Sentences worth telling (Vista running server updates, the SHA-2
     * revision that cannot be told). */
    pl_strlist notes;
} pl_rollup_status;

/* The last month of channel ch in the catalog: the newest monthly rollup
 * of that channel or an earlier one ("" when none). */
void pl_channel_end(const pl_catalog *cat, pl_channel ch, char out[8]);

/* inst may be NULL only together with a usable kernel. kernel may be NULL
 * (unreadable); it is used only when present, readable and parsed.
 * kbs_installed is the assessment's list (NULL = nothing installed).
 * cat NULL gives applicable = 0. Always fills *out; free it with
 * pl_rollup_status_free. */
void pl_decide_rollups(const pl_installation *inst, const pl_strlist *kbs_installed,
                       const pl_pe_evidence *kernel, const pl_catalog *cat,
                       pl_rollup_status *out);
/* Frees what pl_decide_rollups allocated (not the entries: they belong to
 * the catalog) and zeroes *s; a second call is harmless. */
void pl_rollup_status_free(pl_rollup_status *s);

#endif
