/* libFuzzer target: the rchar reader of src/util/io_counter.c, on any text
 * (the kernel's /proc/thread-self/io is 7 short lines; this is every other
 * text). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/io_counter.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    uint64_t v = 12345;
    int rc = pl_io_parse_rchar(text, &v);
    FUZZ_CHECK(rc == 0 || rc == 1);
    if (rc == 1)
        FUZZ_CHECK(strstr(text, "rchar:") != NULL);
    else
        FUZZ_CHECK(v == 12345);   /* untouched when not found */
    free(text);
    return 0;
}
