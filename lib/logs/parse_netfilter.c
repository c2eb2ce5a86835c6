/* SPDX-License-Identifier: MIT */
/* PLACEHOLDER: being implemented */
#include "mamori/logs.h"
int mm_parse_netfilter(const char *msg, size_t n, struct mm_event *ev)
{
	(void)msg; (void)n; (void)ev;
	return 0;
}
