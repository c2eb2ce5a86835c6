/* SPDX-License-Identifier: MIT */
#ifndef MM_HOSTING_TABLE_H
#define MM_HOSTING_TABLE_H

#include <stdint.h>

/* One row of data/hosting-asns.tsv, compiled in sorted by ASN. */
struct mm_hosting_asn {
	uint32_t asn;
	const char *provider;
	const char *kind; /* cloud, vps, hosting */
};

extern const struct mm_hosting_asn mm_hosting_table[];
extern const unsigned mm_hosting_count;

#endif
