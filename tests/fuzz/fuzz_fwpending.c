/* SPDX-License-Identifier: MIT */
/*
 * The pending-confirmation state of `mamori firewall --confirm`. A file
 * that parses formats to text that parses back to the same values.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/fw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_fw_pending p, q;
	struct mm_err err;
	struct mm_buf b;

	if (mm_fw_pending_parse("fuzz", (const char *)data, size, &p, &err) < 0)
		return 0;
	mm_buf_init(&b, 4096);
	if (mm_fw_pending_format(&p, &b) < 0)
		abort();
	if (mm_fw_pending_parse("again", b.data, b.len, &q, &err) < 0)
		abort();
	if (q.deadline != p.deadline || q.had_rules != p.had_rules ||
	    q.had_blocks != p.had_blocks || q.had_table != p.had_table || q.pid != p.pid ||
	    q.start != p.start || q.had_feeds != p.had_feeds || q.nfeeds != p.nfeeds)
		abort();
	for (size_t i = 0; i < p.nfeeds; i++)
		if (strcmp(p.feeds[i], q.feeds[i]) != 0)
			abort();
	mm_buf_release(&b);
	return 0;
}
