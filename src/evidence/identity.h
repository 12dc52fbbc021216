/* Who a server is: the evidence kind "identity" (issue 14). Every fact is
 * a value, or null with the reason it is unknown in "<fact>_unknown"
 * (null when the fact is known, also when it is known to be absent).
 * Every fact read has its witness in the evidence list. */
#ifndef PL_IDENTITY_H
#define PL_IDENTITY_H

#include <stddef.h>

#include "evidence/evidence_kind.h"
#include "evidence/installation.h"

/* A string fact: value (NULL = absent or unknown) and why it is unknown. */
typedef struct {
    char *value;
    char *unknown;
} pl_id_fact;

typedef struct {
    char *address;
    const char *kind;          /* "static" (IPAddress) or "dhcp" (DhcpIPAddress: the last lease) */
    char *interface;           /* the Interfaces subkey, "{GUID}" */
} pl_id_address;

/* Where one fact was read. */
typedef struct {
    const char *fact;          /* the JSON key of the fact */
    const char *hive;          /* "SYSTEM" or "SOFTWARE" */
    char *key;                 /* path below the hive's root */
    const char *value;         /* the value name */
} pl_id_source;

typedef struct {
    pl_id_fact computer_name, dns_hostname, domain, membership, workgroup;
    pl_id_fact time_zone, last_shutdown, install_date, registered_owner,
        registered_organization;
    int domain_controller;     /* 1 yes, 0 no, -1 unknown (domain_controller_unknown) */
    char *domain_controller_unknown;
    pl_id_address *addresses;
    size_t naddresses;
    int addresses_known;       /* 0: ip_addresses is null */
    char *ip_addresses_unknown;  /* set with addresses_known = 1: the list is incomplete */
    pl_id_source *sources;
    size_t nsources;
} pl_identity;

extern const pl_evidence_kind pl_evidence_kind_identity;

#endif
