/* SPDX-License-Identifier: MIT */
/* being written */
#include "mamori/enrich.h"
int mm_geo_open(const char *country, const char *asn, struct mm_geo **out, struct mm_err *err)
{
	(void)country;
	(void)asn;
	*out = NULL;
	return mm_err_set(err, MM_ERR_UNSUPPORTED, "geo data support is not built yet");
}
void mm_geo_free(struct mm_geo *g)
{
	(void)g;
}
int mm_geo_lookup(const struct mm_geo *g, const struct mm_addr *a, struct mm_geo_info *out)
{
	(void)g;
	(void)a;
	(void)out;
	return MM_ERR_UNSUPPORTED;
}
const char *mm_geo_describe(const struct mm_geo *g)
{
	(void)g;
	return "unavailable";
}
int mm_geo_import_asn(const char *csv, const char *out, struct mm_err *err)
{
	(void)out;
	return mm_err_set(err, MM_ERR_UNSUPPORTED, "%s: import not built yet", csv);
}
