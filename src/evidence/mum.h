/* CBS package manifests (servicing\Packages\*.mum), parsed with libxml2.
 *
 * The parser never touches the network, never loads a DTD and never
 * expands entities (XML_PARSE_NONET, no XML_PARSE_NOENT / DTDLOAD); inputs
 * larger than PL_MAX_MANIFEST_BYTES are refused before parsing. */
#ifndef PL_MUM_H
#define PL_MUM_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

typedef struct {
    char *identity;         /* from <assembly><assemblyIdentity>, via pl_cbs_identity_format */
    char *name;             /* assemblyIdentity name */
    char *version;          /* assemblyIdentity version */
    char *arch;             /* processorArchitecture */
    char *kb;               /* "KB<n>" from <package identifier>, else from the
                               assembly name, else from supportInformation ?kbid=n;
                               NULL when none */
    char *package_identifier; /* <package identifier="..."> as written */
    char *release_type;     /* <package releaseType> */
    char *restart;          /* <package restart> */
    char *description;      /* <assembly description> */
    char *support_information;
    char *creation_time;    /* <assembly creationTimeStamp> */
    pl_strlist parents;     /* identities of <parent> packages */
    pl_strlist children;    /* identities of packages referenced from <update> */
    /* Highest 6.x.y.z version among <update> component assemblyIdentity
     * entries (the real file/component version, e.g. "6.0.6003.20489"),
     * NULL when there is none. Lets us tell that a staged or pending package
     * carries build-6003 binaries without any catalog. */
    char *max_component_version;
} pl_mum;

/* Parse a manifest from memory. Returns 0, or -1 with err set ("not
 * well-formed XML: line N: ...", "no <assembly> root element", "larger than
 * N bytes"). The result is fully owned by *out. */
int pl_mum_parse(const uint8_t *data, size_t len, pl_mum *out, pl_err *err);
void pl_mum_free(pl_mum *m);

#endif
