/* Out of memory at a library boundary: recovery points.
 *
 * The allocation helpers of util.h (pl_xmalloc & co) never return NULL.
 * When memory runs out inside a call of the public interface, the failure
 * unwinds with longjmp to the recovery point that call armed in its own
 * frame, and the call returns PATCHLEVEL_ERR_NO_MEMORY; without an armed
 * point (the program's own code, unit tests) it prints one line and
 * aborts, as before.
 *
 * Why longjmp and not a NULL checked at each of ~400 call sites: the
 * limits of limits.h keep every request small, so exhaustion means the
 * process is in trouble, not that one input is bad; what a library owes
 * its host is to return instead of killing it. The price is documented in
 * include/patchlevel.h: memory and descriptors of the interrupted call may
 * leak, and code between the failure and the recovery point (ours and the
 * image libraries' callbacks) does not run to its end. Code that must not
 * be interrupted halfway (wim.c while descriptor 1 is redirected) does not
 * allocate there.
 *
 * Points nest (a public function calling another): each remembers the
 * one before it. They are per thread. */
#ifndef PL_RECOVERY_H
#define PL_RECOVERY_H

#include <setjmp.h>
#include <stddef.h>

typedef struct pl_recovery {
    jmp_buf env;
    struct pl_recovery *prev;
} pl_recovery;

/* The innermost armed point of this thread, NULL when none. */
pl_recovery *pl_recovery_current(void);
void pl_recovery_set(pl_recovery *r);

/* Arm a point in the caller's frame, then run the statement that follows
 * when an allocation failed below it (the point is then already
 * disarmed):
 *     pl_recovery rec;
 *     PL_RECOVERY_ON_FAILURE(&rec) return PATCHLEVEL_ERR_NO_MEMORY;
 *     ... work ...
 *     PL_RECOVERY_END(&rec);
 * Every other path out of the frame must call PL_RECOVERY_END. Locals
 * changed between the two and read after a failure must be volatile
 * (C11 7.13.2.1). setjmp stands alone in the if, as C11 7.13.1.1 asks. */
void pl_recovery_arm(pl_recovery *r);
#define PL_RECOVERY_ON_FAILURE(r) \
    pl_recovery_arm(r);           \
    if (setjmp((r)->env) != 0)
#define PL_RECOVERY_END(r) pl_recovery_set((r)->prev)

/* Where allocation failures go: to the innermost point, else abort(). */
_Noreturn void pl_out_of_memory(size_t n);

/* Testing: make the n-th pl_x* allocation of this thread from now fail as
 * if memory had run out (n >= 1); 0 turns it off. Returns the number of
 * allocations counted since the last call (to size a sweep). */
unsigned long pl_alloc_fail_after(unsigned long n);
/* For the pl_x* allocators: count one allocation; 1 when it is to fail. */
int pl_alloc_should_fail(void);

#endif
