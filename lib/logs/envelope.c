/* SPDX-License-Identifier: MIT */
/* PLACEHOLDER: being implemented */
#include <string.h>
#include "mamori/logs.h"
void mm_envelope_ctx_init(struct mm_envelope_ctx *ctx, time_t ref, int year)
{
	memset(ctx, 0, sizeof(*ctx));
	(void)ref;
	ctx->ref_year = year;
}
int mm_envelope_parse(struct mm_envelope_ctx *ctx, const char *line, size_t n, struct mm_envelope *out)
{
	(void)ctx; (void)line; (void)n; (void)out;
	return MM_ERR_PARSE;
}
