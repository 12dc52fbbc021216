/* The handles of include/patchlevel.h, and what the files of the lib layer
 * share. Nothing here is public: the header declares the handles opaque. */
#ifndef PL_API_INTERNAL_H
#define PL_API_INTERNAL_H

#include "patchlevel.h"

#include "decisions/catalog.h"
#include "lib/analyze.h"
#include "report/report.h"
#include "util/recovery.h"
#include "util/util.h"

struct patchlevel_context {
    pl_catalog catalog;
    int have_catalog;
    pl_strlist parents;          /* --parent FILE, in order */
    int find_6002, verbose, wim_to_directory, hash;
    char *catalog_option;        /* the catalog path the caller named; NULL: shipped or none */
    char message[sizeof ((pl_err *)0)->msg];
};

/* One installation, with the strings the getters hand out that the
 * report computes on the fly (versions, times) made once. */
struct patchlevel_installation {
    const pl_inst_result *ir;
    char kernel_version[32];     /* "" unknown */
    char (*install_times)[32];   /* per package; "" unknown */
};

struct patchlevel_result {
    pl_input_result r;
    patchlevel_installation *insts;   /* r.ninsts of them */
};

/* An API function's frame: on an allocation failure below it, return
 * PATCHLEVEL_ERR_NO_MEMORY (util/recovery.h). Must be followed by
 * API_END before every other return. */
#define API_BEGIN(rec)                  \
    pl_recovery rec;                    \
    PL_RECOVERY_ON_FAILURE(&rec) return PATCHLEVEL_ERR_NO_MEMORY
/* The same, saying "out of memory" in the context's message. */
#define API_BEGIN_CTX(rec, ctx)         \
    pl_recovery rec;                    \
    PL_RECOVERY_ON_FAILURE(&rec) return pl_api_no_memory(ctx)
#define API_END(rec) PL_RECOVERY_END(&rec)

enum patchlevel_error pl_api_no_memory(patchlevel_context *ctx);

/* An internal code as the public one (the lists are the same), and back. */
enum patchlevel_error pl_api_code(pl_error_code code);
/* Set the context's message (printf-style); "" clears it. */
void pl_api_message(patchlevel_context *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* What the provenance of a result made with ctx says of the options. */
pl_result_options pl_api_result_options(const patchlevel_context *ctx);

/* Make the installation handles of a filled result (allocates). */
void pl_api_wrap_installations(patchlevel_result *res);

#endif
