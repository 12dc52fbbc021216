/* The servicing model (spec section 3 "Servicing model"; reference
 * ws2008-servicing.md, update 2026-12-06): which channel an installation
 * proves, how current its security is, how far behind per channel, and
 * what to do next. Internal to the decisions layer: pl_decide_rollups
 * calls the first three with the installed flags of the catalog entries
 * (flags[i] is 1 when entry i is installed). */
#ifndef PL_SERVICING_H
#define PL_SERVICING_H

#include "decisions/decisions.h"

/* Vista or another client edition: the registry says so. */
int pl_is_client(const pl_installation *inst);

/* security, from the rollup level (s->level), the security-only updates
 * and the kernel (s->kernel_rollup; kv the running kernel or NULL). */
void pl_decide_security_level(const pl_catalog *cat, const unsigned char *flags,
                              const uint16_t *kv, pl_rollup_status *s);
/* channel, channel_via, client and plan. */
void pl_decide_channel(const pl_installation *inst, const pl_catalog *cat,
                       const unsigned char *flags, pl_rollup_status *s);
/* behind[] from security.month and the catalog's channel ends. */
void pl_decide_behind(const pl_catalog *cat, pl_rollup_status *s);
/* The month rollups are missing from (exclusive): security.month, or ""
 * when nothing is covered. */
const char *pl_missing_from(const pl_rollup_status *s);

/* next steps of an assessment whose rollups and pending signals are
 * decided (fills a->next_steps; a->next_steps_known 0 when unknown). */
void pl_decide_next_steps(pl_assessment *a);
/* timeline of the CBS install times (a->timeline). */
void pl_decide_timeline(const pl_installation *inst, const pl_catalog *cat, pl_assessment *a);

#endif
