/* SPDX-License-Identifier: MIT */
/*
 * Firewall rule grammar and rules file. The input is parsed as one rule
 * and as a whole rules file. Invariants: a rule that parses has a
 * canonical form that parses back to the same rule and text and passes
 * validation; a file that parses serialises to text that parses back to
 * the same text, and renders to nftables without a validation error.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/fw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1800000000

/* A few application profiles, so application rules are reached too. */
static struct mm_fw_apps apps;

static const struct mm_fw_apps *test_apps(void)
{
	static const char text[] = "[OpenSSH]\ntitle=s\nports=22/tcp\n"
				   "[Nginx Full]\ntitle=n\nports=80,443/tcp|443/udp\n"
				   "[Bind9]\ntitle=b\nports=53\n";
	static int done;
	struct mm_err err;

	if (!done && mm_fw_apps_parse_buffer(&apps, "apps", text, sizeof(text) - 1, &err) < 0)
		abort();
	done = 1;
	return &apps;
}

static void one_rule(const char *s, size_t n)
{
	struct mm_fw_rule r, r2;
	struct mm_err err;
	struct mm_buf a, b;

	if (mm_fw_rule_parse_apps(s, n, test_apps(), &r, &err) < 0)
		return;
	mm_buf_init(&a, 1 << 16);
	mm_buf_init(&b, 1 << 16);
	if (mm_fw_rule_validate(&r, &err) < 0)
		abort();
	if (mm_fw_rule_format(&r, &a) < 0)
		abort();
	if (mm_fw_rule_parse_apps(a.data, a.len, test_apps(), &r2, &err) < 0)
		abort();
	if (!mm_fw_rule_eq(&r, &r2) || strcmp(r.comment, r2.comment) != 0)
		abort();
	if (mm_fw_rule_format(&r2, &b) < 0 || strcmp(a.data, b.data) != 0)
		abort();
	mm_buf_release(&a);
	mm_buf_release(&b);
}

static void whole_file(const char *s, size_t n)
{
	struct mm_fw_ruleset rs, rs2;
	struct mm_err err;
	struct mm_buf a, b, nft;

	mm_fw_ruleset_init(&rs);
	mm_fw_ruleset_init(&rs2);
	rs.apps = rs2.apps = test_apps();
	mm_buf_init(&a, 1 << 22);
	mm_buf_init(&b, 1 << 22);
	mm_buf_init(&nft, 1 << 24);
	if (mm_fw_parse_buffer(&rs, "fuzz", s, n, NOW, &err) < 0)
		goto out;
	if (mm_fw_serialize(&rs, &a) < 0)
		abort();
	if (mm_fw_parse_buffer(&rs2, "again", a.data, a.len, NOW, &err) < 0)
		abort();
	if (mm_fw_serialize(&rs2, &b) < 0 || strcmp(a.data, b.data) != 0)
		abort();
	if (mm_fw_render(&rs, NOW, &nft, &err) < 0 && err.code == MM_ERR_INVAL)
		abort();
out:
	mm_buf_release(&a);
	mm_buf_release(&b);
	mm_buf_release(&nft);
	mm_fw_ruleset_release(&rs);
	mm_fw_ruleset_release(&rs2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);

	if (size > 1 << 16)
		return 0;
	one_rule(s, nl ? (size_t)(nl - s) : size);
	whole_file(s, size);
	return 0;
}
