/* SPDX-License-Identifier: MIT */
/*
 * sshd_config reader: the input is one file; an Include feeds the same
 * input again (as a drop-in would), so nesting and the depth cap are
 * exercised. Checks that every recorded entry is a non-empty lower-case
 * keyword with a value and a line number inside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct in {
	const char *p;
	size_t n;
	unsigned calls;
};

static int inc(struct mm_sshcfg *cfg, const char *pattern, void *ctx)
{
	struct in *in = ctx;

	(void)pattern;
	if (++in->calls > 64)
		return 0;
	return mm_sshcfg_feed(cfg, "inc", in->p, in->n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {(const char *)data, size, 0};
	struct mm_sshcfg cfg;
	size_t i, lines = 1;
	int rc;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	mm_sshcfg_init(&cfg);
	cfg.include = inc;
	cfg.ctx = &in;
	rc = mm_sshcfg_feed(&cfg, "main", in.p, in.n);
	if (rc < 0 && rc != MM_ERR_TOOBIG && rc != MM_ERR_NOMEM)
		abort();
	for (i = 0; i < cfg.n; i++) {
		const struct mm_sshcfg_entry *e = &cfg.v[i];
		const char *k;
		if (!e->key[0] || !e->value[0] || e->line == 0 || e->line > lines)
			abort();
		for (k = e->key; *k; k++)
			if (*k >= 'A' && *k <= 'Z')
				abort();
		if (mm_sshcfg_get(&cfg, e->key) == NULL && !e->in_match)
			abort();
	}
	mm_sshcfg_release(&cfg);
	return 0;
}
