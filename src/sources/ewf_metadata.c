/* E01 acquisition metadata and stored hashes through libewf (see
 * ewf_metadata.h). libewf does the parsing; this file bounds what it hands
 * back and never writes: the set is opened LIBEWF_OPEN_READ. */
#include <ctype.h>
#include <libewf.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sources/container.h"
#include "sources/ewf_metadata.h"
#include "util/limits.h"

static void unknown(pl_ewf_metadata *m, pl_error_code code, const char *what, libewf_error_t **e)
{
    char msg[512] = "";
    if (e && *e) {
        libewf_error_backtrace_sprint(*e, msg, sizeof msg);
        libewf_error_free(e);
        pl_libyal_reason(msg);
    }
    m->known = 0;
    m->code = code;
    snprintf(m->reason, sizeof m->reason, "%s%s%s", what, msg[0] ? ": " : "", msg);
}

static const char *format_name(uint8_t f)
{
    switch (f) {
    case LIBEWF_FORMAT_ENCASE1: return "EnCase 1";
    case LIBEWF_FORMAT_ENCASE2: return "EnCase 2";
    case LIBEWF_FORMAT_ENCASE3: return "EnCase 3";
    case LIBEWF_FORMAT_ENCASE4: return "EnCase 4";
    case LIBEWF_FORMAT_ENCASE5: return "EnCase 5";
    case LIBEWF_FORMAT_ENCASE6: return "EnCase 6";
    case LIBEWF_FORMAT_ENCASE7: return "EnCase 7";
    case LIBEWF_FORMAT_SMART: return "SMART";
    case LIBEWF_FORMAT_FTK_IMAGER: return "FTK Imager";
    case LIBEWF_FORMAT_LOGICAL_ENCASE5: return "EnCase 5 logical";
    case LIBEWF_FORMAT_LOGICAL_ENCASE6: return "EnCase 6 logical";
    case LIBEWF_FORMAT_LOGICAL_ENCASE7: return "EnCase 7 logical";
    case LIBEWF_FORMAT_LINEN5: return "linen 5";
    case LIBEWF_FORMAT_LINEN6: return "linen 6";
    case LIBEWF_FORMAT_LINEN7: return "linen 7";
    case LIBEWF_FORMAT_EWF: return "EWF";
    case LIBEWF_FORMAT_EWFX: return "EWF-X";
    default: return "unknown";
    }
}

/* Cut s to at most max bytes without splitting a UTF-8 sequence. */
static void cut_utf8(char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return;
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
        max--;
    s[max] = '\0';
}

/* One header value, bounded; NULL when absent or empty. libewf already
 * holds the whole value in memory, so fetching it whole costs no more than
 * the library spent; only PL_MAX_EWF_VALUE_BYTES of it are kept. */
static char *header_value(libewf_handle_t *h, const char *id)
{
    size_t n = 0;
    if (libewf_handle_get_utf8_header_value_size(h, (const uint8_t *)id, strlen(id), &n, NULL) != 1 || n <= 1)
        return NULL;
    uint8_t *v = pl_xmalloc(n + 1);
    if (libewf_handle_get_utf8_header_value(h, (const uint8_t *)id, strlen(id), v, n, NULL) != 1) {
        free(v);
        return NULL;
    }
    v[n] = '\0';
    cut_utf8((char *)v, PL_MAX_EWF_VALUE_BYTES);
    if (v[0] == '\0') {
        free(v);
        return NULL;
    }
    return (char *)v;
}

/* A stored hash as lowercase hex of exactly len digits, else "". */
static void stored_hash(libewf_handle_t *h, const char *id, char *out, size_t len)
{
    out[0] = '\0';
    uint8_t v[128];
    if (libewf_handle_get_utf8_hash_value(h, (const uint8_t *)id, strlen(id), v, sizeof v, NULL) != 1)
        return;
    v[sizeof v - 1] = '\0';
    if (strlen((char *)v) != len)
        return;
    for (size_t i = 0; i < len; i++) {
        if (!isxdigit(v[i]))
            return;
        out[i] = (char)tolower(v[i]);
    }
    out[len] = '\0';
}

/* Also keep an all-zero stored hash out: EnCase writes zeros when it
 * computed none. */
static void drop_zero_hash(char *hex)
{
    if (hex[0] && strspn(hex, "0") == strlen(hex))
        hex[0] = '\0';
}

/* Formats with a header2 section (EnCase 4 and later, linen): it stores
 * the dates as Unix times, which libewf renders in the time zone of the
 * machine running it. Older formats store the acquiring machine's local
 * time as text, zone unknown: kept as libewf gives it. */
static int dates_are_unix_times(uint8_t format)
{
    return (format >= LIBEWF_FORMAT_ENCASE4 && format <= LIBEWF_FORMAT_ENCASE7) ||
           (format >= LIBEWF_FORMAT_LINEN5 && format <= LIBEWF_FORMAT_LINEN7);
}

/* libewf's local-time ISO 8601 rendering of a Unix time back to UTC
 * ("...Z"), so that a report does not depend on where it was made. Left as
 * it is when it does not read back as one local time. */
static void date_to_utc(char **value)
{
    struct tm tm = {0}, back;
    const char *end = *value ? strptime(*value, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    if (!end || *end)
        return;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    char local[32], utc[32];
    if (t == (time_t)-1 || !localtime_r(&t, &back) ||
        !strftime(local, sizeof local, "%Y-%m-%dT%H:%M:%S", &back) || strcmp(local, *value) != 0 ||
        !gmtime_r(&t, &back) || !strftime(utc, sizeof utc, "%Y-%m-%dT%H:%M:%SZ", &back))
        return;
    free(*value);
    *value = pl_xstrdup(utc);
}

static void read_values(libewf_handle_t *h, pl_ewf_metadata *m)
{
    m->case_number = header_value(h, "case_number");
    m->evidence_number = header_value(h, "evidence_number");
    m->examiner = header_value(h, "examiner_name");
    m->description = header_value(h, "description");
    m->notes = header_value(h, "notes");
    m->acquired = header_value(h, "acquiry_date");
    m->system_date = header_value(h, "system_date");
    m->software = header_value(h, "acquiry_software");
    m->software_version = header_value(h, "acquiry_software_version");
    m->operating_system = header_value(h, "acquiry_operating_system");
    stored_hash(h, "MD5", m->stored_md5, 32);
    stored_hash(h, "SHA1", m->stored_sha1, 40);
    drop_zero_hash(m->stored_md5);
    drop_zero_hash(m->stored_sha1);
}

static void to_hex(const unsigned char *md, unsigned len, char *out)
{
    for (unsigned i = 0; i < len; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Stream the media data through MD5 and SHA-1, one bounded buffer at a
 * time; the loop ends at the media size libewf reports (or earlier, when a
 * read comes back short). */
static void hash_media(libewf_handle_t *h, pl_ewf_metadata *m)
{
    m->computed = 1;
    EVP_MD_CTX *md5 = EVP_MD_CTX_new(), *sha1 = EVP_MD_CTX_new();
    uint8_t *buf = malloc(PL_EWF_HASH_BUFFER_BYTES);
    int ok = md5 && sha1 && buf && EVP_DigestInit_ex(md5, EVP_md5(), NULL) &&
             EVP_DigestInit_ex(sha1, EVP_sha1(), NULL);
    if (!ok)
        m->hash_error = pl_xstrdup("resources: cannot set up the digests");
    uint64_t done = 0, size = (uint64_t)m->media_size;
    while (ok && done < size) {
        size_t want = size - done < PL_EWF_HASH_BUFFER_BYTES ? (size_t)(size - done) : PL_EWF_HASH_BUFFER_BYTES;
        libewf_error_t *e = NULL;
        ssize_t n = libewf_handle_read_buffer(h, buf, want, &e);
        if (n <= 0) {
            char msg[512] = "";
            if (e) {
                libewf_error_backtrace_sprint(e, msg, sizeof msg);
                libewf_error_free(&e);
                pl_libyal_reason(msg);
            }
            m->hash_error = pl_xasprintf("the media data cannot be read at byte %llu of %llu%s%s",
                                         (unsigned long long)done, (unsigned long long)size,
                                         msg[0] ? ": " : "", msg);
            ok = 0;
            break;
        }
        ok = EVP_DigestUpdate(md5, buf, (size_t)n) && EVP_DigestUpdate(sha1, buf, (size_t)n);
        done += (uint64_t)n;
        if (libewf_handle_get_number_of_checksum_errors(h, &m->checksum_errors, NULL) == 1 &&
            m->checksum_errors > PL_MAX_EWF_CHECKSUM_ERRORS) {
            m->hash_error = pl_xasprintf("more than %d damaged or missing chunks by byte %llu of %llu: "
                                         "hashing stopped",
                                         PL_MAX_EWF_CHECKSUM_ERRORS, (unsigned long long)done,
                                         (unsigned long long)size);
            ok = 0;
        }
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (ok && EVP_DigestFinal_ex(md5, md, &len) && len == 16)
        to_hex(md, len, m->computed_md5);
    if (ok && EVP_DigestFinal_ex(sha1, md, &len) && len == 20)
        to_hex(md, len, m->computed_sha1);
    if (!m->hash_error && (!m->computed_md5[0] || !m->computed_sha1[0]))
        m->hash_error = pl_xstrdup("the digests failed");
    libewf_handle_get_number_of_checksum_errors(h, &m->checksum_errors, NULL);
    free(buf);
    EVP_MD_CTX_free(md5);
    EVP_MD_CTX_free(sha1);
}

static int open_set(const char *path, libewf_handle_t **h, pl_ewf_metadata *m)
{
    libewf_error_t *e = NULL;
    char **names = NULL;
    int count = 0;
    if (libewf_glob(path, strlen(path), LIBEWF_FORMAT_UNKNOWN, &names, &count, &e) != 1) {
        unknown(m, PL_ERR_LIBRARY, "libewf cannot find the segment files", &e);
        return -1;
    }
    int rc = -1;
    if (libewf_handle_initialize(h, &e) != 1)
        unknown(m, PL_ERR_RESOURCES, "libewf cannot start", &e);
    else if (libewf_handle_open(*h, names, count, LIBEWF_OPEN_READ, &e) != 1) {
        unknown(m, PL_ERR_CORRUPT, "libewf cannot open the image", &e);
        libewf_handle_free(h, NULL);
    } else
        rc = 0;
    libewf_glob_free(names, count, NULL);
    return rc;
}

void pl_ewf_metadata_read(const char *path, int compute, pl_ewf_metadata *m)
{
    memset(m, 0, sizeof *m);
    m->media_size = -1;
    libewf_handle_t *h = NULL;
    if (open_set(path, &h, m) != 0)
        return;
    m->known = 1;
    uint8_t format = 0;
    m->format = libewf_handle_get_format(h, &format, NULL) == 1 ? format_name(format) : "unknown";
    /* ISO 8601 dates instead of libewf's default ctime-like text. */
    libewf_handle_set_header_values_date_format(h, LIBEWF_DATE_FORMAT_ISO8601, NULL);
    read_values(h, m);
    if (libewf_handle_get_format(h, &format, NULL) == 1 && dates_are_unix_times(format)) {
        date_to_utc(&m->acquired);
        date_to_utc(&m->system_date);
    }
    /* libewf reads a set whose last segment is cut short (the chunks
     * missing read as zeros, counted as checksum errors): say so. */
    m->segments_corrupted = libewf_handle_segment_files_corrupted(h, NULL) == 1;
    size64_t size = 0;
    if (libewf_handle_get_media_size(h, &size, NULL) == 1 && size <= INT64_MAX)
        m->media_size = (int64_t)size;
    if (compute) {
        if (m->media_size >= 0)
            hash_media(h, m);
        else {
            m->computed = 1;
            m->hash_error = pl_xstrdup("libewf does not give the media size");
        }
    }
    libewf_handle_close(h, NULL);
    libewf_handle_free(&h, NULL);
}

void pl_ewf_metadata_free(pl_ewf_metadata *m)
{
    char **strings[] = {&m->case_number, &m->evidence_number, &m->examiner, &m->description,
                        &m->notes, &m->acquired, &m->system_date, &m->software,
                        &m->software_version, &m->operating_system, &m->hash_error};
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++) {
        free(*strings[i]);
        *strings[i] = NULL;
    }
}

/* A chunk whose checksum fails is read by libewf as zeros: the digest of
 * those zeros may equal the stored one (a damaged chunk that held zeros),
 * yet the image no longer holds what was acquired. ewfverify fails such an
 * image too, so a damaged chunk is never a match. */
static int matches(const pl_ewf_metadata *m, const char *stored, const char *computed)
{
    if (!m->known || !m->computed || !stored[0] || !computed[0])
        return -1;
    return m->checksum_errors == 0 && strcmp(stored, computed) == 0;
}

int pl_ewf_md5_matches(const pl_ewf_metadata *m)
{
    return matches(m, m->stored_md5, m->computed_md5);
}

int pl_ewf_sha1_matches(const pl_ewf_metadata *m)
{
    return matches(m, m->stored_sha1, m->computed_sha1);
}
