/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_DNSBL_INT_H
#define MAMORI_DNSBL_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "mamori/enrich.h"

/*
 * Internals of dnsbl.c that turn raw DNS answers (attacker-controlled)
 * into results. Shared with tests/fuzz/fuzz_dnsans.c only.
 */

/*
 * Copy the DNS name s (n bytes, not NUL-terminated) into out (outsz bytes,
 * at least 1), keeping hostname bytes [A-Za-z0-9._-], replacing any other
 * byte with '?', dropping one trailing dot and truncating to outsz - 1.
 * Returns true when the name was a plain hostname (nothing replaced or
 * truncated, not empty, no empty label).
 */
bool mm_dnsbl_sanitize_name(const char *s, size_t n, char *out, size_t outsz);

/*
 * Interpret a full DNS answer to an A query of a DNSBL name. Fills status
 * and code; *bogus is set when the list answered outside 127.0.0.0/8.
 */
void mm_dnsbl_interpret(const unsigned char *abuf, int alen, struct mm_dnsbl_result *res,
			bool *bogus);

/*
 * Interpret a full DNS answer to a PTR query for a. On success fills name
 * (sanitized) and returns MM_DNS_LISTED with *clean telling whether the
 * name may be resolved forward; otherwise returns another status.
 */
enum mm_dns_status mm_dnsbl_interpret_ptr(const unsigned char *abuf, int alen,
					  const struct mm_addr *a, char *name, size_t namesz,
					  bool *clean);

/* True when a full A (IPv4) or AAAA (IPv6) answer contains a. */
bool mm_dnsbl_forward_has(const unsigned char *abuf, int alen, const struct mm_addr *a);

/* Query name for a in zone ("4.3.2.1.zone" / 32 nibbles), or for the
 * reverse tree when zone is NULL. Returns 0 or MM_ERR_INVAL/MM_ERR_TOOBIG. */
int mm_dnsbl_qname(const struct mm_addr *a, const char *zone, char *out, size_t outsz);

#endif
