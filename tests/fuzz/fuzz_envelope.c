/* SPDX-License-Identifier: MIT */
/*
 * Envelope parser on arbitrary bytes. The input is parsed whole (NULs and
 * newlines included) from an exact-size heap copy, so any read past the
 * end trips ASan, under three contexts: mtime year inference, --year with
 * its rollover state, and a zone with DST (local-time cache, transition
 * days). Every span must lie inside the line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mamori/logs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_span(struct mm_span s, const char *p, size_t n)
{
	if (s.n > 0 && (s.p < p || s.p + s.n > p + n))
		abort();
}

static void one(struct mm_envelope_ctx *ctx, const char *p, size_t n)
{
	struct mm_envelope env;

	if (mm_envelope_parse(ctx, p, n, &env) != 0)
		return;
	check_span(env.host, p, n);
	check_span(env.program, p, n);
	check_span(env.msg, p, n);
	if (env.msg.p + env.msg.n != p + n)
		abort();
	if (env.kernel && (env.pid >= 0 || !mm_span_eq(env.program, "kernel")))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mm_envelope_ctx fixed;
	static bool init;
	struct mm_envelope_ctx ctx;
	char *p = malloc(size ? size : 1);

	if (!p)
		return 0;
	if (!init) {
		setenv("TZ", "America/New_York", 1);
		tzset();
		mm_envelope_ctx_init(&fixed, 0, 2025);
		init = true;
	}
	memcpy(p, data, size);
	mm_envelope_ctx_init(&ctx, 1796083200, 0);
	one(&ctx, p, size);
	/* kept across inputs: the rollover counter keeps moving */
	one(&fixed, p, size);
	/* and each line of a multi-line input through one context */
	{
		const char *s = p, *e = p + size;

		mm_envelope_ctx_init(&ctx, 1799020800, 0);
		while (s < e) {
			const char *nl = memchr(s, '\n', (size_t)(e - s));
			size_t n = nl ? (size_t)(nl - s) : (size_t)(e - s);

			one(&ctx, s, n);
			s += n + (nl ? 1 : 0);
		}
	}
	free(p);
	return 0;
}
