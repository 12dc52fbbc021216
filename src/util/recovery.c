/* Recovery points for allocation failures (recovery.h). */
#include "util/recovery.h"

#include <stdio.h>
#include <stdlib.h>

static _Thread_local pl_recovery *current;
/* Failure injection for tests: allocations left before one fails (0 =
 * off), and allocations counted since the last pl_alloc_fail_after. */
static _Thread_local unsigned long fail_countdown, counted;

pl_recovery *pl_recovery_current(void)
{
    return current;
}

void pl_recovery_set(pl_recovery *r)
{
    current = r;
}

void pl_recovery_arm(pl_recovery *r)
{
    r->prev = current;
    current = r;
}

_Noreturn void pl_out_of_memory(size_t n)
{
    pl_recovery *r = current;
    if (r) {
        current = r->prev;
        longjmp(r->env, 1);
    }
    /* Not under the public interface: the program's own code. */
    fprintf(stderr, "patchlevel: out of memory allocating %zu bytes\n", n);
    abort();
}

unsigned long pl_alloc_fail_after(unsigned long n)
{
    unsigned long seen = counted;
    counted = 0;
    fail_countdown = n;
    return seen;
}

/* Called by each pl_x* allocation before it allocates: 1 when the test
 * hook says this one fails. */
int pl_alloc_should_fail(void)
{
    counted++;
    return fail_countdown && --fail_countdown == 0;
}
