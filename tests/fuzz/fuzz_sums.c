/* SPDX-License-Identifier: MIT */
/*
 * Sums files: the input goes line by line through mm_sums_line() (the
 * first byte picks the file-name hint), then mm_sums_find() is asked for
 * every entry. Checks the parser's invariants on the way.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_sums s;
	struct mm_err err;
	const char *p, *end;
	size_t i, added = 0;

	if (size < 1)
		return 0;
	mm_sums_init(&s, (enum mm_vhash)(data[0] % 7));
	p = (const char *)data + 1;
	end = (const char *)data + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int rc = mm_sums_line(&s, p, n, &err);

		if (rc == 1)
			added++;
		else if (rc != 0 && rc != MM_ERR_PARSE)
			abort(); /* no cap can be reached within the fuzzer's max_len */
		if (rc == MM_ERR_PARSE && err.msg[0] == '\0')
			abort();
		p += n + (nl ? 1 : 0);
	}
	if (added != s.n || (mm_sums_finish(&s, &err) == 0) != (s.n > 0))
		abort();
	for (i = 0; i < s.n; i++) {
		const struct mm_sums_entry *e = &s.v[i], *f;

		if (e->name_len == 0 || strlen(e->name) != e->name_len || mm_vhash_len(e->alg) == 0)
			abort();
		f = mm_sums_find(&s, e->name, e->name_len, NULL);
		if (!f || f->alg < e->alg)
			abort(); /* the strongest entry for the name */
	}
	mm_sums_release(&s);
	return 0;
}
