/* libFuzzer target: the NTFS directory index parser (src/sources/ntfs_index.c)
 * that disk.c uses to look one name up without listing a directory. The
 * input is one index node: searched as an $INDEX_ROOT (node header at 0x10)
 * and, after the update sequence fixups, as an INDX block (header at 0x18),
 * for names that sort before, among and after real directory entries, and
 * walked entry by entry (pl_ntfs_index_entries, as a listing walks it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/ntfs_index.h"
#include "fuzz_common.h"

static uint16_t upcase[PL_NTFS_UPCASE_UNITS];

static int count_cb(const pl_ntfs_entry *e, void *ctx)
{
    size_t *n = ctx;
    FUZZ_CHECK(e->ref < (1ull << 48));
    if (e->name)
        for (size_t i = 0; i < e->name_units; i++)
            *n += e->name[2 * i];   /* inside the buffer, or ASan says so */
    return 0;
}

static void search(const uint8_t *buf, size_t len, size_t hdr)
{
    size_t sum = 0;
    pl_ntfs_hit all;
    memset(&all, 0, sizeof all);
    if (pl_ntfs_index_entries(buf, len, hdr, count_cb, &sum, &all) == PL_NTFS_BAD)
        FUZZ_CHECK(all.why != NULL);
    static const char *const names[] = {"pending.xml", "Packages", "WinSxS", "System32",
                                        "a", "\xc3\xa9t\xc3\xa9", "zzzzzzzz", "PENDIN~1.XML"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        uint16_t w[PL_NTFS_MAX_NAME_UNITS];
        size_t n = 0;
        FUZZ_CHECK(pl_ntfs_utf8_to_utf16(names[i], w, PL_NTFS_MAX_NAME_UNITS, &n) == 0);
        pl_ntfs_hit hit;
        memset(&hit, 0, sizeof hit);
        pl_ntfs_result r = pl_ntfs_index_node(buf, len, hdr, upcase, w, n, &hit);
        FUZZ_CHECK(r >= PL_NTFS_FOUND && r <= PL_NTFS_BAD);
        if (r == PL_NTFS_FOUND)
            FUZZ_CHECK(hit.ref < (1ull << 48));
        if (r == PL_NTFS_BAD)
            FUZZ_CHECK(hit.why != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!upcase[1]) {
        for (size_t i = 0; i < PL_NTFS_UPCASE_UNITS; i++)
            upcase[i] = (uint16_t)i;
        for (uint16_t c = 'a'; c <= 'z'; c++)
            upcase[c] = (uint16_t)(c - 32);
        upcase[0xE9] = 0xC9;
        FUZZ_CHECK(pl_ntfs_upcase_check(upcase) == 0);
    }
    /* an exact-size copy, so that any over-read is caught */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    search(buf, size, 0x10);
    uint32_t bs = 0;
    const char *why = NULL;
    if (pl_ntfs_index_root(buf, size, &bs, &why) == 0)
        FUZZ_CHECK(bs >= 512 && bs <= 65536 && (bs & (bs - 1)) == 0);
    else
        FUZZ_CHECK(why != NULL);
    size_t rec = size / 512 * 512;
    if (rec >= 512 && rec <= 65536) {
        why = NULL;
        if (pl_ntfs_fixup(buf, rec, &why) == 0)
            search(buf, rec, 0x18);
        else
            FUZZ_CHECK(why != NULL);
    }
    free(buf);
    return 0;
}
