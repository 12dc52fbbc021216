/* bytes_read's counter (src/util/io_counter.c): the rchar line of
 * /proc/thread-self/io, and counts taken around reads of known sizes. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check_main.h"
#include "util/io_counter.h"

START_TEST(rchar_is_found_among_the_lines)
{
    uint64_t v = 0;
    ck_assert_int_eq(pl_io_parse_rchar("rchar: 12345\nwchar: 7\n", &v), 1);
    ck_assert_uint_eq(v, 12345);
    ck_assert_int_eq(pl_io_parse_rchar("wchar: 7\nrchar: 18446744073709551615\nsyscr: 1\n", &v), 1);
    ck_assert_uint_eq(v, UINT64_MAX);
    ck_assert_int_eq(pl_io_parse_rchar("rchar:\t0", &v), 1);
    ck_assert_uint_eq(v, 0);
}
END_TEST

START_TEST(malformed_or_missing_rchar_is_no_count)
{
    uint64_t v = 99;
    ck_assert_int_eq(pl_io_parse_rchar("", &v), 0);
    ck_assert_int_eq(pl_io_parse_rchar("wchar: 7\n", &v), 0);
    ck_assert_int_eq(pl_io_parse_rchar("rchar: -1\n", &v), 0);
    ck_assert_int_eq(pl_io_parse_rchar("rchar: 12x\n", &v), 0);
    ck_assert_int_eq(pl_io_parse_rchar("rchar: 18446744073709551616\n", &v), 0);   /* overflow */
    ck_assert_int_eq(pl_io_parse_rchar("xrchar: 5\n", &v), 0);
    ck_assert_uint_eq(v, 99);
}
END_TEST

/* A temporary file of n bytes, open for reading from its start. */
static int temp_file(size_t n)
{
    char path[] = "/tmp/pl-io-counter.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    char *b = calloc(1, n);
    ck_assert_int_eq(write(fd, b, n), (ssize_t)n);
    free(b);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

/* valgrind reads files on the program's thread (debug information of
 * libraries as they load), so exact counts cannot hold under it
 * (tests/valgrind.sh sets PL_PROGRAM_WRAPPER to its command). */
static int under_valgrind(void)
{
    const char *w = getenv("PL_PROGRAM_WRAPPER");
    return w && strstr(w, "valgrind") != NULL;
}

START_TEST(reads_are_counted_exactly)
{
    pl_io_counter c;
    pl_io_counter_start(&c);
    if (!c.ok || under_valgrind())
        return;   /* no /proc here: the callers keep their own counts */
    uint64_t n = 1;
    ck_assert_int_eq(pl_io_counter_read(&c, &n), 1);
    ck_assert_uint_eq(n, 0);   /* the samples do not count themselves */
    int fd = temp_file(10000);
    char buf[4096];
    ck_assert_int_eq(read(fd, buf, sizeof buf), 4096);
    ck_assert_int_eq(pread(fd, buf, 1000, 9500), 500);   /* short: what came back counts */
    ck_assert_int_eq(pl_io_counter_read(&c, &n), 1);
    ck_assert_uint_eq(n, 4596);
    ck_assert_int_eq(pl_io_counter_read(&c, &n), 1);
    ck_assert_uint_eq(n, 4596);   /* a second sample is not counted either */
    close(fd);
}
END_TEST

START_TEST(reads_that_are_not_from_an_input_are_left_out)
{
    pl_io_counter c;
    pl_io_counter_start(&c);
    if (!c.ok || under_valgrind())
        return;
    int fd = temp_file(3000);
    char buf[3000];
    ck_assert_int_eq(read(fd, buf, 1000), 1000);
    ck_assert_int_eq(read(fd, buf, 2000), 2000);
    pl_io_not_input(2000);
    uint64_t n = 0;
    ck_assert_int_eq(pl_io_counter_read(&c, &n), 1);
    ck_assert_uint_eq(n, 1000);
    close(fd);
    /* excluded bytes before the start do not reach this count */
    pl_io_counter d;
    pl_io_counter_start(&d);
    ck_assert_int_eq(pl_io_counter_read(&d, &n), 1);
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(no_start_sample_is_no_count)
{
    pl_io_counter c = {0};
    uint64_t n = 7;
    ck_assert_int_eq(pl_io_counter_read(&c, &n), 0);
    ck_assert_uint_eq(n, 7);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("io_counter");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, rchar_is_found_among_the_lines);
    tcase_add_test(tc, malformed_or_missing_rchar_is_no_count);
    tcase_add_test(tc, reads_are_counted_exactly);
    tcase_add_test(tc, reads_that_are_not_from_an_input_are_left_out);
    tcase_add_test(tc, no_start_sample_is_no_count);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pl_run_suite(suite());
}
