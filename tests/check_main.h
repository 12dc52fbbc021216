/* The one way every Check test program runs its suite: normal output,
 * exit status 0 only when nothing failed. */
#ifndef PL_CHECK_MAIN_H
#define PL_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

static inline int pl_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
