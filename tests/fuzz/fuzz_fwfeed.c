/* SPDX-License-Identifier: MIT */
/*
 * Blocklist feed files, downloaded from anywhere. Invariants: a feed that
 * parses is split by family at n4, sorted, holds no prefix inside another
 * (an interval set would refuse it), serialises to text that parses back
 * to the same prefixes, and renders to nftables without a validation
 * error.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/fw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_fw_feed f, g;
	struct mm_err err;
	struct mm_buf a, nft;
	size_t i;

	if (size > 1 << 16)
		return 0;
	mm_fw_feed_init(&f, "fuzz");
	mm_fw_feed_init(&g, "fuzz");
	mm_buf_init(&a, 1 << 22);
	mm_buf_init(&nft, 1 << 22);
	if (mm_fw_feed_parse_buffer(&f, "fuzz", (const char *)data, size, &err) < 0)
		goto out;
	if (f.n4 > f.n || f.n + f.merged != f.lines)
		abort();
	for (i = 0; i < f.n; i++) {
		if ((f.v[i].addr.family == MM_AF_INET) != (i < f.n4))
			abort();
		if (i && f.v[i].addr.family == f.v[i - 1].addr.family &&
		    (mm_prefix_contains(&f.v[i - 1], &f.v[i].addr) ||
		     memcmp(f.v[i - 1].addr.b, f.v[i].addr.b, 16) >= 0))
			abort();
	}
	if (mm_fw_feed_serialize(&f, &a) < 0)
		abort();
	if (mm_fw_feed_parse_buffer(&g, "again", a.data, a.len, &err) < 0 || g.n != f.n ||
	    g.merged != 0 || g.n4 != f.n4)
		abort();
	for (i = 0; i < f.n; i++)
		if (f.v[i].len != g.v[i].len || !mm_addr_eq(&f.v[i].addr, &g.v[i].addr))
			abort();
	if (mm_fw_render_feed(&f, &nft, &err) < 0)
		abort();
out:
	mm_fw_feed_release(&f);
	mm_fw_feed_release(&g);
	mm_buf_release(&a);
	mm_buf_release(&nft);
	return 0;
}
