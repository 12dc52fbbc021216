/* What is installed: the evidence kinds "applications" and
 * "application_updates" (issue 14), from the Uninstall keys of the
 * SOFTWARE hive (native and WOW6432Node). Updates of programs (hotfixes,
 * service packs of Office and the like) are kept apart from programs and
 * are never CBS packages: the CBS store is read elsewhere. Null when the
 * SOFTWARE hive was not read (the installation already warns about it). */
#ifndef PL_APPLICATIONS_H
#define PL_APPLICATIONS_H

#include <stddef.h>

#include "evidence/evidence_kind.h"
#include "evidence/installation.h"

typedef struct {
    char *name;                /* DisplayName */
    char *version;             /* DisplayVersion */
    char *publisher;           /* Publisher */
    char *install_date;        /* InstallDate "YYYYMMDD" as "YYYY-MM-DD"; NULL absent or not a date */
    const char *arch;          /* "amd64", "x86", "ia64"; NULL when the native one is unknown */
    char *key;                 /* the Uninstall subkey, below the hive's root */
    /* Updates only. */
    char *kb;                  /* "KB123456" found in the name or key name */
    char *parent;              /* ParentDisplayName, else ParentKeyName */
    char *release_type;        /* ReleaseType */
} pl_app;

typedef struct {
    int known;                 /* 0: SOFTWARE unread (unknown says why) */
    char *unknown;
    int truncated;             /* an Uninstall key had more than PL_MAX_UNINSTALL_ENTRIES */
    pl_app *apps;
    size_t napps;
    pl_app *updates;
    size_t nupdates;
    size_t hidden;             /* SystemComponent = 1 entries skipped */
    size_t unreadable;         /* entries whose DisplayName could not be read */
} pl_applications;

/* The architecture patchlevel reports for a PROCESSOR_ARCHITECTURE value
 * ("AMD64" -> "amd64"); NULL for anything else. */
const char *pl_app_native_arch(const char *processor_architecture);

/* "KB" and 6 or 7 digits, as a word inside s: malloc'd "KB…", or NULL. */
char *pl_app_kb_in(const char *s);

extern const pl_evidence_kind pl_evidence_kind_applications;
extern const pl_evidence_kind pl_evidence_kind_application_updates;

#endif
