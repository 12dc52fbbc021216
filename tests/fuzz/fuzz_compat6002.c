/* libFuzzer target: the --find-6002-checks text reader and rules
 * (src/evidence/compat6002_text.c, compat6002_rules.c).
 *
 * The input is a script or configuration file as found on an image: it is
 * decoded (BOM, UTF-16 guessed without one, UTF-8, ANSI) and every line
 * classified (pl_c6_scan_bytes); the whole input is also classified as one
 * line, and split at its first '=' into a registry value's name and data
 * (pl_c6_classify_setting). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/compat6002.h"
#include "fuzz_common.h"
#include "util/limits.h"

static void check_findings(const pl_compat6002 *c, const uint8_t *data, size_t len)
{
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += data[i] == '\n' || (i + 1 < len && data[i] == '\n' && data[i + 1] == 0);
    FUZZ_CHECK(c->nfindings <= PL_MAX_C6_FINDINGS);
    for (size_t i = 0; i < c->nfindings; i++) {
        const pl_c6_finding *f = &c->findings[i];
        FUZZ_CHECK(f->cls == PL_C6_MENTION || f->cls == PL_C6_VERSION_LIST ||
                   f->cls == PL_C6_EXACT);
        FUZZ_CHECK(f->line >= 1 && f->line <= lines);
        FUZZ_CHECK(i == 0 || f->line > c->findings[i - 1].line);
        /* Shown around the match, bounded: "..." on either side at most. */
        FUZZ_CHECK(strlen(f->text) <= PL_MAX_C6_TEXT_BYTES + 6);
        FUZZ_CHECK(strcmp(f->path, "fuzz.cmd") == 0);
    }
    FUZZ_CHECK(pl_c6_risks(c) <= c->nfindings);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    pl_compat6002 c = {0};
    int binary = -1;
    size_t added = pl_c6_scan_bytes(&c, "fuzz.cmd", data, len, &binary);
    FUZZ_CHECK(binary == 0 || binary == 1);
    FUZZ_CHECK(added == c.nfindings);
    FUZZ_CHECK(!binary || added == 0);
    check_findings(&c, data, len);
    pl_compat6002_free(&c);

    pl_c6_class k = pl_c6_classify_line((const char *)data, len);
    FUZZ_CHECK(k >= PL_C6_NONE && k <= PL_C6_EXACT);
    /* No 6002 in the bytes, no class. */
    if (!memmem(data, len, "6002", 4))
        FUZZ_CHECK(k == PL_C6_NONE);

    char *s = strndup((const char *)data, len);
    char *eq = strchr(s, '=');
    if (eq) {
        *eq = '\0';
        k = pl_c6_classify_setting(s, eq + 1);
        FUZZ_CHECK(k == PL_C6_NONE || k == PL_C6_MENTION || k == PL_C6_EXACT);
    }
    free(s);
    return 0;
}
