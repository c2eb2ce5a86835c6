/* SPDX-License-Identifier: MIT */
/*
 * iptables-legacy-save output, read for the chains that refuse
 * (mm_fw_legacy_parse_buffer). Fed whole and line by line, both must
 * agree; a report always ends in a newline, one line per chain counted.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/fw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size, *p;
	struct mm_fw_legacy *lp;
	struct mm_err err;
	struct mm_buf a, b;
	int ra, rb = 0;
	size_t nl = 0;

	mm_buf_init(&a, 1u << 24);
	mm_buf_init(&b, 1u << 24);
	ra = mm_fw_legacy_parse_buffer("fuzz", s, size, "L", &a, &err);
	lp = mm_fw_legacy_new("fuzz");
	if (!lp)
		abort();
	for (p = s; p < end && rb == 0;) {
		const char *q = memchr(p, '\n', (size_t)(end - p));
		size_t len = q ? (size_t)(q - p) : (size_t)(end - p);

		rb = mm_fw_legacy_line(lp, p, len, &err);
		p += len + (q ? 1 : 0);
	}
	if (rb == 0)
		rb = mm_fw_legacy_finish(lp, "L", &b, &err);
	mm_fw_legacy_free(lp);
	if (ra != rb || a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0))
		abort();
	for (p = a.data; p && p < a.data + a.len; p++)
		nl += *p == '\n';
	if (ra >= 0 && (nl != (size_t)ra || (a.len && a.data[a.len - 1] != '\n')))
		abort();
	mm_buf_release(&a);
	mm_buf_release(&b);
	return 0;
}
