/* What a server does: the evidence kind "roles" (issue 14), a list of
 * {name, evidence}. Null when the SYSTEM hive that holds its witnesses
 * (or its current control set) was not read: unknown, never "no roles";
 * no warning of its own, the installation already has the hive's. */
#ifndef PL_ROLES_H
#define PL_ROLES_H

#include <stddef.h>

#include "evidence/evidence_kind.h"
#include "evidence/installation.h"

typedef struct {
    const char *hive;          /* "SYSTEM" */
    char *key;                 /* below the hive's root */
    const char *value;         /* value name, "" for the key itself */
    char *data;                /* what it held ("2", "LanmanNT"), NULL for a key */
} pl_role_witness;

typedef struct {
    const char *name;          /* "Web Server (IIS)", ... (from the rules table) */
    pl_role_witness *witnesses;
    size_t nwitnesses;
} pl_role;

typedef struct {
    int known;                 /* 0: SYSTEM unread (unknown says why) */
    char *unknown;
    pl_role *roles;
    size_t nroles;
} pl_roles;

/* The rules, for the man page and tests: one row per witness. */
typedef struct {
    const char *role;
    const char *service;       /* a key under <cs>\Services; NULL for a special rule */
    const char *source;        /* where the rule comes from */
} pl_role_rule;

extern const pl_role_rule pl_role_rules[];
extern const size_t pl_role_rule_count;

extern const pl_evidence_kind pl_evidence_kind_roles;

#endif
