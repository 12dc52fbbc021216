/* libFuzzer target: the CBS manifest parser (pl_mum_parse, libxml2 under
 * it). The input is the whole .mum file. */
#include <stdint.h>
#include <string.h>

#include "evidence/mum.h"
#include "fuzz_common.h"

static void check_str(const char *s)
{
    if (s)
        (void)strlen(s);
}

static void check_list(const pl_strlist *l)
{
    FUZZ_CHECK(l->len <= l->cap);
    for (size_t i = 0; i < l->len; i++)
        FUZZ_CHECK(l->items[i] != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pl_mum m;
    memset(&m, 0x5A, sizeof m); /* the parser must initialise everything */
    pl_err err = {0};
    int rc = pl_mum_parse(data, size, &m, &err);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc == 0) {
        const char *strs[] = {m.identity, m.name, m.version, m.arch, m.kb,
                              m.package_identifier, m.release_type, m.restart,
                              m.description, m.support_information, m.creation_time,
                              m.max_component_version};
        for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
            check_str(strs[i]);
        if (m.kb)
            FUZZ_CHECK(strncmp(m.kb, "KB", 2) == 0);
        check_list(&m.parents);
        check_list(&m.children);
    } else {
        FUZZ_CHECK(err.msg[0] != '\0');
    }
    pl_mum_free(&m);
    return 0;
}
