/* Provenance of a result (spec section 5): tool, libraries, catalog,
 * analysis time, options. */
#include "report/provenance.h"

#include <hivex.h>
#include <json-c/json_c_version.h>
#include <libewf.h>
#include <libqcow.h>
#include <pthread.h>
#include <libvhdi.h>
#include <libvmdk.h>
#include <libxml/xmlversion.h>
#include <openssl/crypto.h>
#include <tsk/libtsk.h>
#include <wimlib.h>

#include <string.h>
#include <sys/stat.h>

#include "config.h"

/* hivex has no call that says its version: configure records the one it
 * was built against (pkg-config --modversion hivex). */
#ifndef PL_HIVEX_VERSION
#define PL_HIVEX_VERSION "unknown"
#endif

/* E01 data is read by TSK through libewf; its acquisition metadata
 * by patchlevel with libewf directly (listed last: names are keys). */
static pl_library_version libs[] = {
    {"wimlib", NULL},  {"hivex", PL_HIVEX_VERSION}, {"libxml2", NULL},
    {"libtsk", NULL},  {"libvhdi", NULL},          {"libvmdk", NULL},
    {"libqcow", NULL}, {"json-c", NULL},           {"libcrypto", NULL},
    {"libewf", NULL},
};

static void fill_library_versions(void)
{
    libs[0].version = wimlib_get_version_string();
    libs[2].version = LIBXML_DOTTED_VERSION;
    libs[3].version = tsk_version_get_str();
    libs[4].version = libvhdi_get_version();
    libs[5].version = libvmdk_get_version();
    libs[6].version = libqcow_get_version();
    libs[7].version = json_c_version();
    libs[8].version = OpenSSL_version(OPENSSL_VERSION);
    libs[9].version = libewf_get_version();
}

size_t pl_library_versions(const pl_library_version **out)
{
    /* Once per process, whichever thread asks first: threads of a library
     * host analyze at once, and a table being filled read half-filled
     * (a report with some versions null: test_api, contexts_in_threads). */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fill_library_versions);
    *out = libs;
    return sizeof libs / sizeof *libs;
}

static void libraries(pl_json *j)
{
    const pl_library_version *libs;
    size_t n = pl_library_versions(&libs);
    pl_json_key(j, "libraries");
    pl_json_begin_object(j);
    for (size_t i = 0; i < n; i++)
        pl_json_kv_string(j, libs[i].name, libs[i].version);
    pl_json_end_object(j);
}

void pl_report_catalog_identity(pl_json *j, const pl_catalog *c)
{
    pl_json_key(j, "catalog");
    if (!c) {
        pl_json_null(j);
        return;
    }
    pl_json_begin_object(j);
    pl_json_kv_string(j, "path", c->name);
    pl_json_kv_string(j, "sha256", c->sha256[0] ? c->sha256 : NULL);
    pl_json_kv_string(j, "newest", c->newest[0] ? c->newest : NULL);
    pl_json_end_object(j);
}

/* The options that change what a result says (not how it is printed). */
static void options(pl_json *j, const pl_result_options *o)
{
    pl_json_key(j, "options");
    pl_json_begin_object(j);
    pl_json_kv_string(j, "catalog", o->catalog_option);
    pl_json_key(j, "parents");
    pl_json_begin_array(j);
    for (size_t i = 0; o->parents && i < o->parents->len; i++)
        pl_json_string(j, o->parents->items[i]);
    pl_json_end_array(j);
    pl_json_kv_bool(j, "find_6002_checks", o->find_6002);
    pl_json_kv_bool(j, "hash", o->hash);
    pl_json_end_object(j);
}

static void hash_one(pl_input_result *r, const char *file)
{
    r->hashes = pl_xrealloc(r->hashes, (r->nhashes + 1) * sizeof *r->hashes);
    pl_file_hash *h = &r->hashes[r->nhashes++];
    memset(h, 0, sizeof *h);
    h->file = pl_xstrdup(file);
    pl_err err = {0};
    if (pl_sha256_file(file, h->sha256, &h->size, &err) != 0) {
        h->error = pl_xstrdup(err.msg);
        h->code = err.code;
    }
}

void pl_result_hash_inputs(pl_input_result *r)
{
    r->hashed = 1;
    if (r->container && strcmp(r->container, "dir") == 0) {
        /* A tree is many files; each kernel file's hash is in its
         * installation's evidence. */
        r->hashes_unknown = "a directory tree is not hashed as one input";
        return;
    }
    if (r->chain.len == 0) {
        struct stat sb;
        if (stat(r->input, &sb) == 0 && S_ISDIR(sb.st_mode))
            r->hashes_unknown = "a directory is not hashed as one input";
        else
            hash_one(r, r->input);
        return;
    }
    for (size_t i = 0; i < r->chain.len; i++)
        hash_one(r, r->chain.items[i]);
}

void pl_report_input_hashes(pl_json *j, const pl_input_result *r)
{
    pl_json_key(j, "input_hashes");
    if (!r->hashed || r->hashes_unknown) {
        pl_json_null(j);
        if (r->hashes_unknown)
            pl_json_kv_string(j, "input_hashes_unknown", r->hashes_unknown);
        return;
    }
    pl_json_begin_array(j);
    for (size_t i = 0; i < r->nhashes; i++) {
        const pl_file_hash *h = &r->hashes[i];
        pl_json_begin_object(j);
        pl_json_kv_string(j, "file", h->file);
        pl_json_kv_int(j, "size", h->error ? 0 : (int64_t)h->size);
        pl_json_kv_string(j, "sha256", h->sha256[0] ? h->sha256 : NULL);
        pl_json_kv_string(j, "error", h->error);
        pl_json_kv_string(j, "code", h->error ? pl_error_code_name(h->code) : NULL);
        pl_json_end_object(j);
    }
    pl_json_end_array(j);
}

void pl_report_provenance(pl_json *j, const pl_input_result *r)
{
    pl_json_key(j, "provenance");
    pl_json_begin_object(j);
    pl_json_key(j, "tool");
    pl_json_begin_object(j);
    pl_json_kv_string(j, "name", PACKAGE_NAME);
    pl_json_kv_string(j, "version", PACKAGE_VERSION);
    pl_json_end_object(j);
    libraries(j);
    pl_report_catalog_identity(j, r->catalog);
    char iso[32];
    if (r->analyzed_at > 0) {
        pl_unixtime_to_iso(r->analyzed_at, iso);
        pl_json_kv_string(j, "analyzed_at", iso);
    } else {
        pl_json_kv_string(j, "analyzed_at", NULL);
    }
    options(j, &r->options);
    pl_json_end_object(j);
}

static void kv_hex(pl_json *j, const char *key, const char *hex)
{
    pl_json_kv_string(j, key, hex[0] ? hex : NULL);
}

static void kv_tristate(pl_json *j, const char *key, int v)
{
    if (v < 0)
        pl_json_kv_null(j, key);
    else
        pl_json_kv_bool(j, key, v);
}

/* Every string here was written by whoever made the image: the writer
 * escapes them, libewf's values are bounded (ewf_metadata.c). */
static void acquisition_object(pl_json *j, const pl_ewf_metadata *m)
{
    pl_json_begin_object(j);
    pl_json_kv_string(j, "format", m->format);
    pl_json_kv_string(j, "case_number", m->case_number);
    pl_json_kv_string(j, "evidence_number", m->evidence_number);
    pl_json_kv_string(j, "examiner", m->examiner);
    pl_json_kv_string(j, "description", m->description);
    pl_json_kv_string(j, "notes", m->notes);
    pl_json_kv_string(j, "acquired", m->acquired);
    pl_json_kv_string(j, "system_date", m->system_date);
    pl_json_kv_string(j, "software", m->software);
    pl_json_kv_string(j, "software_version", m->software_version);
    pl_json_kv_string(j, "operating_system", m->operating_system);
    if (m->media_size >= 0)
        pl_json_kv_int(j, "media_size", m->media_size);
    else
        pl_json_kv_null(j, "media_size");
    pl_json_kv_bool(j, "segments_corrupted", m->segments_corrupted);
    kv_hex(j, "stored_md5", m->stored_md5);
    kv_hex(j, "stored_sha1", m->stored_sha1);
    kv_hex(j, "computed_md5", m->computed_md5);
    kv_hex(j, "computed_sha1", m->computed_sha1);
    kv_tristate(j, "md5_matches", pl_ewf_md5_matches(m));
    kv_tristate(j, "sha1_matches", pl_ewf_sha1_matches(m));
    pl_json_kv_string(j, "hash_error", m->hash_error);
    if (m->computed)
        pl_json_kv_int(j, "checksum_errors", m->checksum_errors);
    else
        pl_json_kv_null(j, "checksum_errors");
    pl_json_end_object(j);
}

void pl_report_acquisition(pl_json *j, const pl_input_result *r)
{
    const pl_ewf_metadata *m = r->acquisition;
    pl_json_key(j, "acquisition");
    if (m && m->known) {
        acquisition_object(j, m);
        return;
    }
    pl_json_null(j);
    if (m) {
        pl_json_kv_string(j, "acquisition_unknown", m->reason);
        pl_json_kv_string(j, "acquisition_unknown_code", pl_error_code_name(m->code));
    }
}
