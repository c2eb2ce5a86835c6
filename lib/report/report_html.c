/* SPDX-License-Identifier: MIT */
/* being written */
#include "mamori/report.h"
int mm_report_html(const struct mm_report *r, FILE *out)
{
	(void)r;
	(void)out;
	return MM_ERR_UNSUPPORTED;
}
