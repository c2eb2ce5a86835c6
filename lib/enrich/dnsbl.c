/* SPDX-License-Identifier: MIT */
/* being written */
#include "mamori/enrich.h"
int mm_dnsbl_check(const struct mm_resolver_opts *o, const struct mm_dnsbl_zone *zones,
		   size_t nzones, const struct mm_addr *addrs, size_t naddrs,
		   struct mm_dnsbl_result *results, struct mm_dnsbl_stats *st, struct mm_err *err)
{
	(void)o; (void)zones; (void)nzones; (void)addrs; (void)naddrs; (void)results; (void)st;
	return mm_err_set(err, MM_ERR_UNSUPPORTED, "DNSBL support is not built yet");
}
int mm_rdns_lookup(const struct mm_resolver_opts *o, const struct mm_addr *addrs, size_t naddrs,
		   struct mm_rdns_result *results, struct mm_err *err)
{
	(void)o; (void)addrs; (void)naddrs; (void)results;
	return mm_err_set(err, MM_ERR_UNSUPPORTED, "reverse DNS support is not built yet");
}
