/* SPDX-License-Identifier: MIT */
/*
 * Whole line pipeline: envelope, dispatch, netfilter and sshd parsers and
 * the event JSON writer, fed newline-separated lines through one parser so
 * sshd session state is exercised too.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mamori/logs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_logparser *lp = mm_logparser_new();
	const char *p = (const char *)data, *end = p + size;
	struct mm_event ev;
	struct mm_buf out;
	uint64_t lineno = 0;

	if (!lp)
		return 0;
	mm_buf_init(&out, 1 << 20);
	mm_logparser_begin(lp, "fuzz", 1796083200, 0);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int r = mm_logparser_line(lp, p, n, ++lineno, &ev);
		while (r == 1) {
			mm_buf_reset(&out);
			mm_event_to_json(&ev, true, &out);
			r = mm_logparser_next(lp, &ev);
		}
		p += n + (nl ? 1 : 0);
	}
	mm_buf_release(&out);
	mm_logparser_free(lp);
	return 0;
}
