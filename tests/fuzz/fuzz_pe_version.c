/* libFuzzer target: the PE version-resource parser (pl_pe_read_version).
 * The input is the whole file. Checks the promises of pe_version.h: on
 * failure nothing is left allocated; on success the version formats and the
 * strings are NUL-terminated and parse back without harm. */
#include <stdint.h>
#include <string.h>

#include "evidence/pe_version.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pl_pe_version v;
    memset(&v, 0xA5, sizeof v); /* the parser must initialise everything */
    pl_err err = {0};
    int rc = pl_pe_read_version(data, size, &v, &err);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc != 0) {
        FUZZ_CHECK(!v.has_fixed);
        FUZZ_CHECK(v.file_version_str == NULL && v.product_version_str == NULL &&
                   v.original_filename == NULL && v.product_name == NULL &&
                   v.string_table_key == NULL);
        FUZZ_CHECK(memchr(err.msg, '\0', sizeof err.msg) != NULL && err.msg[0]);
    } else {
        FUZZ_CHECK(v.has_fixed);
        char buf[24], small[5];
        pl_version4_format(v.file_version, buf, sizeof buf);
        pl_version4_format(v.product_version, small, sizeof small);
        uint16_t back[4];
        FUZZ_CHECK(pl_version4_parse(buf, back) == 0);
        FUZZ_CHECK(pl_version4_cmp(back, v.file_version) == 0);
        const char *strs[] = {v.file_version_str, v.product_version_str, v.original_filename,
                              v.product_name, v.string_table_key};
        for (size_t i = 0; i < sizeof strs / sizeof *strs; i++) {
            if (!strs[i])
                continue;
            (void)strlen(strs[i]);
            uint16_t parsed[4];
            (void)pl_version4_parse(strs[i], parsed);
        }
    }
    pl_pe_version_free(&v);
    pl_pe_version_free(&v); /* documented as harmless */
    return 0;
}
