/* Unit tests for src/sources/vhd_dynamic.c: footers, dynamic headers and
 * block maps built here. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sources/vhd_dynamic.h"
#include "util/limits.h"
#include "../check_main.h"

static void be32put(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static void be64put(uint8_t *p, uint64_t v)
{
    be32put(p, (uint32_t)(v >> 32));
    be32put(p + 4, (uint32_t)v);
}

/* A 4 MiB disk in 2 MiB blocks: footer, header at 512, table at 1536. */
static void make(uint8_t foot[512], uint8_t dyn[1024], uint32_t type, uint32_t block,
                 uint32_t entries)
{
    memset(foot, 0, 512);
    memset(dyn, 0, 1024);
    memcpy(foot, "conectix", 8);
    be64put(foot + 16, 512);
    be64put(foot + 48, 4u << 20);
    be32put(foot + 60, type);
    memcpy(dyn, "cxsparse", 8);
    be64put(dyn + 16, 1536);
    be32put(dyn + 28, entries);
    be32put(dyn + 32, block);
}

START_TEST(test_parse)
{
    uint8_t foot[512], dyn[1024];
    pl_vhd_geometry g;
    uint64_t dyn_off = 0;
    const char *why = NULL;
    make(foot, dyn, 3, 2u << 20, 2);
    ck_assert_int_eq(pl_vhd_parse(foot, NULL, 1u << 20, &dyn_off, &g, &why), 0);
    ck_assert_uint_eq(dyn_off, 512);
    ck_assert_int_eq(pl_vhd_parse(foot, dyn, 1u << 20, &dyn_off, &g, &why), 0);
    ck_assert_uint_eq(g.block_size, 2u << 20);
    ck_assert_uint_eq(g.bitmap_bytes, 512);
    ck_assert_uint_eq(g.entries, 2);
    ck_assert_uint_eq(g.media_size, 4u << 20);
    ck_assert_int_eq(g.differencing, 0);
    /* a fixed disk is TSK's */
    make(foot, dyn, 2, 2u << 20, 2);
    ck_assert_int_eq(pl_vhd_parse(foot, dyn, 1u << 20, &dyn_off, &g, &why), 1);
    /* a differencing disk is read the same way, what it lacks from its parent */
    make(foot, dyn, 4, 2u << 20, 2);
    ck_assert_int_eq(pl_vhd_parse(foot, dyn, 1u << 20, &dyn_off, &g, &why), 0);
    ck_assert_int_eq(g.differencing, 1);
    ck_assert_uint_eq(g.entries, 2);
    /* malformed */
    make(foot, dyn, 3, 3000, 2);
    ck_assert_int_eq(pl_vhd_parse(foot, dyn, 1u << 20, &dyn_off, &g, &why), -1);
    ck_assert_ptr_nonnull(why);
    make(foot, dyn, 3, 2u << 20, 1);   /* too few blocks for the size */
    ck_assert_int_eq(pl_vhd_parse(foot, dyn, 1u << 20, &dyn_off, &g, &why), -1);
    make(foot, dyn, 3, 2u << 20, 2);
    ck_assert_int_eq(pl_vhd_parse(foot, dyn, 1540, &dyn_off, &g, &why), -1); /* table past the file */
    make(foot, dyn, 3, 512, PL_MAX_VHD_BAT_ENTRIES + 1);
    ck_assert_int_eq(pl_vhd_parse(foot, dyn, UINT64_MAX / 2, &dyn_off, &g, &why), -1);
    make(foot, dyn, 3, 2u << 20, 2);
    memcpy(dyn, "cxspars!", 8);
    ck_assert_int_eq(pl_vhd_parse(foot, dyn, 1u << 20, &dyn_off, &g, &why), -1);
    foot[0] = 'C';
    ck_assert_int_eq(pl_vhd_parse(foot, NULL, 1u << 20, &dyn_off, &g, &why), -1);
}
END_TEST

START_TEST(test_map)
{
    pl_vhd_geometry g = {.media_size = 4u << 20, .entries = 2, .block_size = 2u << 20,
                         .bitmap_bytes = 512};
    uint32_t bat[2] = {0xFFFFFFFFu, 8};   /* block 1 at sector 8: bitmap, data at 4608 */
    uint8_t bitmap[512];
    memset(bitmap, 0xFF, sizeof bitmap);
    uint64_t end = 4608 + (2u << 20), foff = 0;
    /* an absent block: zeros, up to the block's end */
    ck_assert_uint_eq(pl_vhd_map(&g, bat, NULL, end, 100, 1u << 22, &foff), (2u << 20) - 100);
    ck_assert_uint_eq(foff, UINT64_MAX);
    /* a present one */
    ck_assert_uint_eq(pl_vhd_map(&g, bat, bitmap, end, (2u << 20) + 1000, 4096, &foff), 4096);
    ck_assert_uint_eq(foff, 4608 + 1000);
    /* sectors 2-3 never written: zeros in the middle */
    bitmap[0] = 0xCF;
    ck_assert_uint_eq(pl_vhd_map(&g, bat, bitmap, end, 2u << 20, 4096, &foff), 1024);
    ck_assert_uint_eq(foff, 4608);
    ck_assert_uint_eq(pl_vhd_map(&g, bat, bitmap, end, (2u << 20) + 1024, 4096, &foff), 1024);
    ck_assert_uint_eq(foff, UINT64_MAX);
    ck_assert_uint_eq(pl_vhd_map(&g, bat, bitmap, end, (2u << 20) + 2048, 100, &foff), 100);
    ck_assert_uint_eq(foff, 4608 + 2048);
    /* past the disk, or data that would lie past the file */
    ck_assert_uint_eq(pl_vhd_map(&g, bat, bitmap, end, 4u << 20, 10, &foff), 0);
    ck_assert_uint_eq(pl_vhd_map(&g, bat, bitmap, end - 1, 2u << 20, 10, &foff), 0);
    /* a read running past the end of the disk is cut there */
    memset(bitmap, 0xFF, sizeof bitmap);
    ck_assert_uint_eq(pl_vhd_map(&g, bat, bitmap, end, (4u << 20) - 10, 100, &foff), 10);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vhd_dynamic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parse);
    tcase_add_test(tc, test_map);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
