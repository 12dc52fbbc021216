/* The damage finder and the repaired copy of src/evidence/hive_salvage.c,
 * on synthetic hives: a base block and N bins of 4096 bytes, each bin one
 * free cell, the root cell offset 0x20. Every kind of damage, what is kept,
 * what the copy looks like, and the limit on bridged bins. The fixtures
 * (fixtures/faults/hives) and hivex are exercised by tests/faults. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../check_main.h"
#include "evidence/hive_salvage.h"

#define BB 4096u
#define BIN 4096u

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = v & 0xff;
    p[1] = (v >> 8) & 0xff;
    p[2] = (v >> 16) & 0xff;
    p[3] = v >> 24;
}

static uint32_t checksum(const uint8_t *d)
{
    uint32_t x = 0;
    for (int i = 0; i < 127; i++)
        x ^= pl_le32(d + 4 * i);
    return x;
}

/* A sound hive of n bins (caller frees). */
static uint8_t *make_hive(size_t n, size_t *len)
{
    *len = BB + n * BIN;
    uint8_t *d = calloc(1, *len);
    memcpy(d, "regf", 4);
    put32(d + 0x24, 0x20);
    put32(d + 0x28, (uint32_t)(n * BIN));
    put32(d + 508, checksum(d));
    for (size_t i = 0; i < n; i++) {
        uint8_t *h = d + BB + i * BIN;
        memcpy(h, "hbin", 4);
        put32(h + 4, (uint32_t)(i * BIN));
        put32(h + 8, BIN);
        put32(h + 32, BIN - 32);
    }
    return d;
}

START_TEST(sound_hive_has_no_damage)
{
    size_t len;
    uint8_t *d = make_hive(3, &len);
    pl_hive_damage w;
    pl_err err = {0};
    ck_assert_int_eq(pl_hive_find_damage(d, len, &w, &err), 0);
    ck_assert_int_eq(w.keep, 3 * BIN);
    free(d);
}
END_TEST

START_TEST(bad_checksum_keeps_every_bin)
{
    size_t len;
    uint8_t *d = make_hive(3, &len);
    d[508] ^= 1;
    pl_hive_damage w;
    pl_err err = {0};
    ck_assert_int_eq(pl_hive_find_damage(d, len, &w, &err), 1);
    ck_assert_int_eq(err.code, PL_ERR_CORRUPT);
    ck_assert(w.bad_checksum);
    ck_assert_int_eq(w.keep, 3 * BIN);
    uint8_t *c;
    size_t n;
    ck_assert_int_eq(pl_hive_salvage_copy(d, len, &w, &c, &n, &err), 0);
    ck_assert_int_eq(n, len);
    ck_assert_uint_eq(pl_le32(c + 508), checksum(c));
    ck_assert_int_eq(memcmp(c + BB, d + BB, len - BB), 0);
    char detail[512];
    pl_hive_salvage_detail(len, &w, detail, sizeof detail);
    ck_assert_str_eq(detail, "salvaged from a damaged hive: the base block checksum is wrong "
                             "(stored 0x66675553, computed 0x66675552); the hive bins (bytes "
                             "4096-16383) are sound and were read");
    free(c);
    free(d);
}
END_TEST

START_TEST(cut_inside_a_bin_keeps_the_bins_before)
{
    size_t len;
    uint8_t *d = make_hive(3, &len);
    pl_hive_damage w;
    pl_err err = {0};
    ck_assert_int_eq(pl_hive_find_damage(d, 10000, &w, &err), 1);
    ck_assert_int_eq(err.code, PL_ERR_TRUNCATED);
    ck_assert(w.cut);
    ck_assert_int_eq(w.keep, BIN);
    uint8_t *c;
    size_t n;
    ck_assert_int_eq(pl_hive_salvage_copy(d, 10000, &w, &c, &n, &err), 0);
    ck_assert_int_eq(n, BB + BIN);
    ck_assert_uint_eq(pl_le32(c + 0x28), BIN);
    ck_assert_uint_eq(pl_le32(c + 508), checksum(c));
    ck_assert_int_eq(d[0x28 + 1], (3 * BIN) >> 8); /* the input is untouched */
    free(c);
    free(d);
}
END_TEST

START_TEST(cut_at_a_bin_boundary_is_damage)
{
    size_t len;
    uint8_t *d = make_hive(3, &len);
    pl_hive_damage w;
    pl_err err = {0};
    ck_assert_int_eq(pl_hive_find_damage(d, BB + 2 * BIN, &w, &err), 1);
    ck_assert_int_eq(w.keep, 2 * BIN);
    char detail[512];
    pl_hive_salvage_detail(BB + 2 * BIN, &w, detail, sizeof detail);
    ck_assert_str_eq(detail, "salvaged from a damaged hive: the file ends at byte 12288, after "
                             "a whole hive bin, but the bins should end at byte 16384: keys "
                             "and values stored from byte 12288 on are lost; bins 4096-12287 "
                             "used");
    free(d);
}
END_TEST

START_TEST(zeroed_bin_is_bridged_with_free_space)
{
    size_t len;
    uint8_t *d = make_hive(4, &len);
    memset(d + BB + BIN, 0, BIN);
    pl_hive_damage w;
    pl_err err = {0};
    ck_assert_int_eq(pl_hive_find_damage(d, len, &w, &err), 1);
    ck_assert_str_eq(err.msg, "no hive bin (\"hbin\") at offset 0x2000");
    ck_assert_int_eq(w.ngaps, 1);
    ck_assert_int_eq(w.keep, 4 * BIN);
    uint8_t *c;
    size_t n;
    ck_assert_int_eq(pl_hive_salvage_copy(d, len, &w, &c, &n, &err), 0);
    const uint8_t *h = c + BB + BIN;
    ck_assert_int_eq(memcmp(h, "hbin", 4), 0);
    ck_assert_uint_eq(pl_le32(h + 4), BIN);
    ck_assert_uint_eq(pl_le32(h + 8), BIN);
    ck_assert_uint_eq(pl_le32(h + 32), BIN - 32); /* one free cell */
    free(c);
    free(d);
}
END_TEST

/* "hbin" inside a cell, at a 4 KiB boundary but not recording its own
 * offset, is not taken for a bin. */
START_TEST(a_false_bin_is_not_followed)
{
    size_t len;
    uint8_t *d = make_hive(3, &len);
    memset(d + BB + BIN, 0, 2 * BIN);
    memcpy(d + BB + 2 * BIN, "hbin", 4);
    put32(d + BB + 2 * BIN + 4, 0x12345000);
    put32(d + BB + 2 * BIN + 8, BIN);
    pl_hive_damage w;
    pl_err err = {0};
    ck_assert_int_eq(pl_hive_find_damage(d, len, &w, &err), 1);
    ck_assert_int_eq(w.ngaps, 0);
    ck_assert_int_eq(w.keep, BIN);
    free(d);
}
END_TEST

START_TEST(root_in_the_lost_part_is_not_salvaged)
{
    size_t len;
    uint8_t *d = make_hive(3, &len);
    memset(d + BB, 0, BIN);
    pl_hive_damage w;
    pl_err err = {0};
    ck_assert_int_eq(pl_hive_find_damage(d, len, &w, &err), 1);
    uint8_t *c = NULL;
    size_t n;
    ck_assert_int_eq(pl_hive_salvage_copy(d, len, &w, &c, &n, &err), -1);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err.msg, "no hive bin (\"hbin\") at offset 0x1000; nothing to salvage: the "
                              "root key (cell offset 0x20) lies in the damaged or missing hive "
                              "bins");
    free(d);
    /* root past what the cut leaves */
    d = make_hive(3, &len);
    put32(d + 0x24, 2 * BIN + 0x20);
    put32(d + 508, checksum(d));
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(pl_hive_find_damage(d, BB + BIN, &w, &err), 1);
    ck_assert_int_eq(pl_hive_salvage_copy(d, BB + BIN, &w, &c, &n, &err), -1);
    free(d);
}
END_TEST

START_TEST(invalid_bins_size_is_not_salvaged)
{
    size_t len;
    uint8_t *d = make_hive(2, &len);
    put32(d + 0x28, 1000);
    put32(d + 508, checksum(d));
    pl_hive_damage w;
    pl_err err = {0};
    ck_assert_int_eq(pl_hive_find_damage(d, len, &w, &err), 1);
    ck_assert_str_eq(err.msg, "the base block gives an invalid size for the hive bins (1000 "
                              "bytes)");
    uint8_t *c = NULL;
    size_t n;
    ck_assert_int_eq(pl_hive_salvage_copy(d, len, &w, &c, &n, &err), -1);
    free(d);
}
END_TEST

/* Every other bin zeroed: the first PL_MAX_HIVE_SALVAGE_GAPS are bridged,
 * the bins after the last bridged one dropped. */
START_TEST(bridged_bins_are_bounded)
{
    size_t nbins = 2 * PL_MAX_HIVE_SALVAGE_GAPS + 6, len;
    uint8_t *d = make_hive(nbins, &len);
    for (size_t i = 1; i < nbins; i += 2)
        memset(d + BB + i * BIN, 0, BIN);
    pl_hive_damage w;
    pl_err err = {0};
    ck_assert_int_eq(pl_hive_find_damage(d, len, &w, &err), 1);
    ck_assert_int_eq(w.ngaps, PL_MAX_HIVE_SALVAGE_GAPS);
    ck_assert_int_eq(w.keep, (2 * PL_MAX_HIVE_SALVAGE_GAPS + 1) * BIN);
    free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hive_salvage");
    TCase *tc = tcase_create("salvage");
    tcase_add_test(tc, sound_hive_has_no_damage);
    tcase_add_test(tc, bad_checksum_keeps_every_bin);
    tcase_add_test(tc, cut_inside_a_bin_keeps_the_bins_before);
    tcase_add_test(tc, cut_at_a_bin_boundary_is_damage);
    tcase_add_test(tc, zeroed_bin_is_bridged_with_free_space);
    tcase_add_test(tc, a_false_bin_is_not_followed);
    tcase_add_test(tc, root_in_the_lost_part_is_not_salvaged);
    tcase_add_test(tc, invalid_bins_size_is_not_salvaged);
    tcase_add_test(tc, bridged_bins_are_bounded);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
