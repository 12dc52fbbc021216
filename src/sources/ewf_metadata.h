/* E01 acquisition metadata: what the imager recorded in the header
 * sections (case, examiner, evidence number, dates, software) and the
 * stored MD5/SHA-1 of the media, read with libewf; optionally the MD5 and
 * SHA-1 of the media data recomputed through libewf, to say whether the
 * image still holds what was acquired. libewf parses the file: every value
 * it hands back is bounded here (PL_MAX_EWF_VALUE_BYTES) and treated as
 * hostile text (the writers escape it). */
#ifndef PL_EWF_METADATA_H
#define PL_EWF_METADATA_H

#include <stdint.h>

#include "util/util.h"

typedef struct {
    /* 0: the metadata could not be read; reason/code say why and every
     * other member is empty. */
    int known;
    char reason[512];
    pl_error_code code;
    const char *format;          /* "EnCase 6", "SMART", ... (static) */
    /* Header values, NULL when absent (malloc'd, at most
     * PL_MAX_EWF_VALUE_BYTES, valid UTF-8 as libewf gives it). */
    char *case_number, *evidence_number, *examiner, *description, *notes;
    char *acquired;              /* ISO 8601 UTC ("...Z") for formats that store
                                    Unix times (EnCase 4+, linen); the
                                    acquiring machine's local time (no zone)
                                    for older ones; as stored otherwise */
    char *system_date;           /* likewise */
    char *software;              /* acquiry_software (EWF-X), else NULL */
    char *software_version, *operating_system;
    int64_t media_size;          /* bytes, -1 unknown */
    int segments_corrupted;      /* libewf found the segment files damaged (cut) */
    char stored_md5[33], stored_sha1[41];      /* lowercase hex, "" none */
    /* compute = 1: the media data hashed through libewf. */
    int computed;
    char computed_md5[33], computed_sha1[41];  /* "" when hashing failed */
    char *hash_error;            /* why hashing failed, NULL when it did not */
    uint32_t checksum_errors;    /* chunks libewf found damaged (or missing:
                                    read as zeros) while hashing */
} pl_ewf_metadata;

/* Read the metadata of the segment set whose first segment is path (the
 * others found as libewf finds them); with compute, also stream the media
 * data through MD5 and SHA-1 in PL_EWF_HASH_BUFFER_BYTES pieces. Never
 * fails: m->known = 0 with a reason instead. */
void pl_ewf_metadata_read(const char *path, int compute, pl_ewf_metadata *m);
void pl_ewf_metadata_free(pl_ewf_metadata *m);

/* Stored vs computed: 1 match, 0 differ (or a chunk was damaged: libewf
 * reads it as zeros), -1 unknown (nothing stored or nothing computed). */
int pl_ewf_md5_matches(const pl_ewf_metadata *m);
int pl_ewf_sha1_matches(const pl_ewf_metadata *m);

#endif
