/* CBS vocabulary: CurrentState decoding, package identity strings and KB
 * numbers. See cbs.h and ws2008-servicing.md section 5. */
#include "evidence/cbs.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* The raw CbsInstallState enum (0..8), as written by scripts that recreate
 * Vista-era keys. Index = value. */
static const pl_cbs_state raw_enum_states[] = {
    PL_CBS_ABSENT,            /* 0 */
    PL_CBS_RESOLVING,         /* 1 */
    PL_CBS_RESOLVED,          /* 2 */
    PL_CBS_STAGING,           /* 3 */
    PL_CBS_STAGED,            /* 4 */
    PL_CBS_UNINSTALL_PENDING, /* 5 */
    PL_CBS_INSTALL_PENDING,   /* 6 */
    PL_CBS_INSTALLED,         /* 7 */
    PL_CBS_PERMANENT,         /* 8 */
};

/* The registry encoding (0x10..0x80); only exact values are accepted, so
 * 0x71 or 0xFFFFFFFF stay unknown rather than being rounded to a state. */
static pl_cbs_state decode_registry(uint32_t value)
{
    switch (value) {
    case 0x10: return PL_CBS_RESOLVING;
    case 0x20: return PL_CBS_RESOLVED;
    case 0x30: return PL_CBS_STAGING;
    case 0x40: return PL_CBS_STAGED;
    case 0x50: return PL_CBS_SUPERSEDED;
    case 0x60: return PL_CBS_INSTALL_PENDING;
    case 0x65: return PL_CBS_PARTIALLY_INSTALLED;
    case 0x70: return PL_CBS_INSTALLED;
    case 0x80: return PL_CBS_PERMANENT;
    default:   return PL_CBS_UNKNOWN;
    }
}

pl_cbs_state pl_cbs_state_decode(uint32_t value)
{
    /* 0x0 (absent) and 0x5 (uninstall pending) mean the same in both
     * encodings, so reading every value below 0x10 as the raw enum is safe. */
    if (value < 0x10) {
        size_t n = sizeof raw_enum_states / sizeof raw_enum_states[0];
        return value < n ? raw_enum_states[value] : PL_CBS_UNKNOWN;
    }
    return decode_registry(value);
}

const char *pl_cbs_state_name(pl_cbs_state s)
{
    switch (s) {
    case PL_CBS_ABSENT:              return "absent";
    case PL_CBS_UNINSTALL_PENDING:   return "uninstall-pending";
    case PL_CBS_RESOLVING:           return "resolving";
    case PL_CBS_RESOLVED:            return "resolved";
    case PL_CBS_STAGING:             return "staging";
    case PL_CBS_STAGED:              return "staged";
    case PL_CBS_SUPERSEDED:          return "superseded";
    case PL_CBS_INSTALL_PENDING:     return "install-pending";
    case PL_CBS_PARTIALLY_INSTALLED: return "partially-installed";
    case PL_CBS_INSTALLED:           return "installed";
    case PL_CBS_PERMANENT:           return "permanent";
    case PL_CBS_UNKNOWN:             break;
    }
    return "unknown";
}

int pl_cbs_state_is_installed(pl_cbs_state s)
{
    return s == PL_CBS_INSTALLED || s == PL_CBS_PERMANENT;
}

int pl_cbs_state_needs_reboot(pl_cbs_state s)
{
    return s == PL_CBS_INSTALL_PENDING || s == PL_CBS_PARTIALLY_INSTALLED ||
           s == PL_CBS_UNINSTALL_PENDING;
}

int pl_cbs_state_is_pending_or_staged(pl_cbs_state s)
{
    return s == PL_CBS_STAGING || s == PL_CBS_STAGED || pl_cbs_state_needs_reboot(s);
}

/* ---- identities ---- */

#define IDENTITY_FIELDS 5

/* Split s (already without ".mum") at '~' into exactly five owned fields. */
static int split_identity(const char *s, size_t len, char *fields[IDENTITY_FIELDS])
{
    size_t start = 0;
    int n = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '~')
            continue;
        if (n == IDENTITY_FIELDS)
            return -1;      /* a sixth field */
        fields[n++] = pl_xstrndup(s + start, i - start);
        start = i + 1;
    }
    return n == IDENTITY_FIELDS ? 0 : -1;
}

int pl_cbs_identity_parse(const char *s, pl_cbs_identity *out)
{
    memset(out, 0, sizeof *out);
    if (!s)
        return -1;
    size_t len = strlen(s);
    if (pl_str_has_suffix_ci(s, ".mum"))
        len -= 4;
    char *f[IDENTITY_FIELDS] = {0};
    if (split_identity(s, len, f) != 0) {
        for (int i = 0; i < IDENTITY_FIELDS; i++)
            free(f[i]);
        return -1;
    }
    out->name = f[0];
    out->public_key_token = f[1];
    out->arch = f[2];
    out->language = f[3];
    out->version = f[4];
    return 0;
}

void pl_cbs_identity_free(pl_cbs_identity *id)
{
    if (!id)
        return;
    free(id->name);
    free(id->public_key_token);
    free(id->arch);
    free(id->language);
    free(id->version);
    memset(id, 0, sizeof *id);
}

char *pl_cbs_identity_format(const char *name, const char *pkt, const char *arch,
                             const char *language, const char *version)
{
    /* CBS writes the neutral language as an empty field ("~~"). */
    if (!language || pl_strcaseeq(language, "neutral"))
        language = "";
    return pl_xasprintf("%s~%s~%s~%s~%s", name ? name : "", pkt ? pkt : "",
                        arch ? arch : "", language, version ? version : "");
}

/* ---- KB numbers ---- */

/* ASCII-only classes: names are ASCII and locale must not matter. */
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

#define KB_MIN_DIGITS 3
#define KB_MAX_DIGITS 8

/* Digits starting at p, or 0 when their count is outside 3..8 (a longer run
 * is some other number, not a KB article). */
static size_t kb_digit_run(const char *p)
{
    size_t n = 0;
    while (is_digit(p[n]))
        n++;
    return (n >= KB_MIN_DIGITS && n <= KB_MAX_DIGITS) ? n : 0;
}

char *pl_cbs_kb_from_name(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; name[i]; i++) {
        if (!pl_strncaseeq(name + i, "kb", 2))
            continue;
        if (i > 0 && is_alnum(name[i - 1]))
            continue;       /* "XKB123" is not a KB reference */
        size_t n = kb_digit_run(name + i + 2);
        if (n)
            return pl_xasprintf("KB%.*s", (int)n, name + i + 2);
    }
    return NULL;
}
