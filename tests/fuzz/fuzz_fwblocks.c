/* SPDX-License-Identifier: MIT */
/*
 * The firewall blocks file (block/unblock journal). Invariants: a file
 * that loads compacts to text (one line per live block) that loads back
 * to the same blocks and the same text, and renders to nftables without
 * a validation error.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/fw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1800000000

static int compact(const struct mm_fw_ruleset *rs, struct mm_buf *out)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < rs->nblocks && rc == 0; i++)
		rc = mm_fw_block_format(&rs->blocks[i], out);
	if (rc == 0 && !out->data)
		rc = mm_buf_adds(out, "");
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_fw_ruleset rs, rs2;
	struct mm_err err;
	struct mm_buf a, b, nft;
	size_t nlines;

	if (size > 1 << 16)
		return 0;
	mm_fw_ruleset_init(&rs);
	mm_fw_ruleset_init(&rs2);
	mm_buf_init(&a, 1 << 22);
	mm_buf_init(&b, 1 << 22);
	mm_buf_init(&nft, 1 << 24);
	if (mm_fw_blocks_parse_buffer(&rs, "fuzz", (const char *)data, size, NOW, &nlines, &err) <
	    0)
		goto out;
	if (rs.nblocks > nlines)
		abort();
	if (compact(&rs, &a) < 0)
		abort();
	if (mm_fw_blocks_parse_buffer(&rs2, "again", a.data, a.len, NOW, &nlines, &err) < 0)
		abort();
	if (rs2.nblocks != rs.nblocks || nlines != rs.nblocks)
		abort();
	if (compact(&rs2, &b) < 0 || strcmp(a.data, b.data) != 0)
		abort();
	rs.enabled = true;
	if (mm_fw_render(&rs, NOW, &nft, &err) < 0 && err.code == MM_ERR_INVAL)
		abort();
out:
	mm_buf_release(&a);
	mm_buf_release(&b);
	mm_buf_release(&nft);
	mm_fw_ruleset_release(&rs);
	mm_fw_ruleset_release(&rs2);
	return 0;
}
