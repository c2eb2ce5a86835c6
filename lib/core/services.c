/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "mamori/services.h"

/* Generated from data/services.tsv, sorted by (proto, port). */
extern const struct mm_service mm_services_table[];
extern const unsigned mm_services_count;

const struct mm_service *mm_service_lookup(int proto, int port)
{
	unsigned lo = 0, hi = mm_services_count;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct mm_service *s = &mm_services_table[mid];
		if (s->proto == proto && s->port == port)
			return s;
		if (s->proto < proto || (s->proto == proto && s->port < port))
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
