/* The vocabulary of Component Based Servicing: package CurrentState
 * values and package identity strings. Pure functions, no I/O.
 *
 * CurrentState is decoded defensively (../shared/reference/ws2008-servicing.md
 * section 5): the registry normally stores 0x00..0x80 (0x70 installed), but
 * scripts that recreate Vista-era keys write the raw API enum (7 installed).
 * Values below 0x10 are read as the raw enum, values from 0x10 up as the
 * registry encoding; 0x65 is "partially installed". Anything else is
 * unknown and reported raw, never guessed. */
#ifndef PL_CBS_H
#define PL_CBS_H

#include <stdint.h>

typedef enum {
    PL_CBS_UNKNOWN = 0,        /* a value we do not recognise */
    PL_CBS_ABSENT,
    PL_CBS_UNINSTALL_PENDING,
    PL_CBS_RESOLVING,
    PL_CBS_RESOLVED,
    PL_CBS_STAGING,
    PL_CBS_STAGED,
    PL_CBS_SUPERSEDED,
    PL_CBS_INSTALL_PENDING,
    PL_CBS_PARTIALLY_INSTALLED,
    PL_CBS_INSTALLED,
    PL_CBS_PERMANENT,
} pl_cbs_state;

/* Decode a CurrentState DWORD. */
pl_cbs_state pl_cbs_state_decode(uint32_t value);

/* Stable lowercase name used in reports: "absent", "uninstall-pending",
 * "resolving", "resolved", "staging", "staged", "superseded",
 * "install-pending", "partially-installed", "installed", "permanent",
 * "unknown". */
const char *pl_cbs_state_name(pl_cbs_state s);

/* Installed for reporting purposes: installed or permanent. */
int pl_cbs_state_is_installed(pl_cbs_state s);
/* Work that completes later: staging, staged, install pending, partially
 * installed, uninstall pending. */
int pl_cbs_state_is_pending_or_staged(pl_cbs_state s);
/* Finishes only with a reboot: install pending, partially installed,
 * uninstall pending. */
int pl_cbs_state_needs_reboot(pl_cbs_state s);

/* A parsed package identity:
 *   <name>~<publicKeyToken>~<arch>~<language>~<version>
 * e.g. "Package_for_KB4493471~31bf3856ad364e35~amd64~~6.0.1.2".
 * Fields are owned copies; language is "" for neutral. */
typedef struct {
    char *name;
    char *public_key_token;
    char *arch;
    char *language;
    char *version;
} pl_cbs_identity;

/* Split an identity string. Returns 0, or -1 when it does not have exactly
 * five '~'-separated fields (then *out is zeroed). A trailing ".mum" is
 * stripped first, so a file name works too. */
int pl_cbs_identity_parse(const char *s, pl_cbs_identity *out);
void pl_cbs_identity_free(pl_cbs_identity *id);

/* Build the identity string from the five .mum assemblyIdentity attributes
 * (language "neutral" or NULL becomes ""). Returns a malloc'd string. */
char *pl_cbs_identity_format(const char *name, const char *pkt, const char *arch,
                             const char *language, const char *version);

/* The KB number named by a package name or a .mum package identifier:
 * "Package_for_KB4493471", "Package_3_for_KB938371_sc_0", "KB3118401_BF",
 * "VistaSP2-KB948465" all give "KB" + digits (malloc'd, upper-case "KB").
 * Returns NULL when no "KB<digits>" (case-insensitive, 3 to 8 digits, not
 * preceded by a letter or digit) occurs. */
char *pl_cbs_kb_from_name(const char *name);

#endif
