/* The one way every Check test program runs its suite: normal output,
 * exit status 0 only when nothing failed; and where unit tests find the
 * fixtures. */
#ifndef PL_CHECK_MAIN_H
#define PL_CHECK_MAIN_H

#include <check.h>
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

#endif
