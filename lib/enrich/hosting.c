/* SPDX-License-Identifier: MIT */
/* being written */
#include "mamori/enrich.h"
#include <stdio.h>
void mm_hosting_classify(uint32_t asn, const char *org, struct mm_hosting_result *out)
{
	(void)asn;
	(void)org;
	out->category = MM_HOSTING_UNKNOWN;
	snprintf(out->reason, sizeof(out->reason), "not classified");
}
const char *mm_hosting_name(enum mm_hosting h)
{
	return h == MM_HOSTING_HOSTING ? "hosting" : h == MM_HOSTING_OTHER ? "other" : "unknown";
}
