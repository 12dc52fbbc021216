/* The one way every Check test program runs its suite: normal output,
 * exit status 0 only when nothing failed; where unit tests find the
 * fixtures, and how they read a whole file. */
#ifndef PL_CHECK_MAIN_H
#define PL_CHECK_MAIN_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline int pl_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* $PL_FIXTURES/rel (make check sets PL_FIXTURES), in a static buffer:
 * valid until the next call. */
static inline const char *pl_test_fixture(const char *rel)
{
    static char buf[1024];
    const char *base = getenv("PL_FIXTURES");
    ck_assert_msg(base != NULL, "PL_FIXTURES not set");
    snprintf(buf, sizeof buf, "%s/%s", base, rel);
    return buf;
}

/* The whole of a test's own file (a fixture, a corpus file), malloc'd with
 * a NUL after its *len bytes; the test fails when it cannot be read. */
static inline uint8_t *pl_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_msg(n >= 0, "cannot size %s", path);
    rewind(f);
    uint8_t *p = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(p);
    ck_assert_msg(fread(p, 1, (size_t)n, f) == (size_t)n, "cannot read %s", path);
    fclose(f);
    p[n] = 0;
    *len = (size_t)n;
    return p;
}

#endif
