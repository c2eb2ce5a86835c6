/* SPDX-License-Identifier: MIT */
/*
 * The firewall allowlist: the corpus tests/data/fw/allowlist.txt
 * (mamori.conf text, entries or exact error), the overlap answer the
 * block command uses, and the nftables text: every block and feed rule
 * exempts the allowlist, and nothing changes without one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "corpus.h"
#include "mamori/fw.h"

static int run_case(const char *path, unsigned long at, const char *title, struct mm_buf *text,
		    struct mm_buf *want)
{
	struct mm_fw_allowlist al;
	struct mm_err err = {0};
	struct mm_buf got;
	char a[MM_PREFIX_STRLEN];
	size_t i;
	int rc, fails = 0;

	mm_buf_init(&got, 1 << 16);
	rc = mm_fw_allowlist_parse(text->data ? text->data : "", "c", &al, &err);
	if (rc < 0) {
		(void)mm_buf_addf(&got, "! %s\n", err.msg);
		if (al.n)
			fails++;
	} else {
		for (i = 0; i < al.n; i++)
			(void)mm_buf_addf(&got, "> %s\n", mm_fw_prefix_short(&al.v[i], a));
	}
	if (strcmp(got.data ? got.data : "", want->data ? want->data : "") != 0) {
		fprintf(stderr, "%s:%lu: %s:\n  got:\n%s  want:\n%s", path, at, title,
			got.data ? got.data : "", want->data ? want->data : "");
		fails++;
	}
	mm_buf_release(&got);
	mm_fw_allowlist_release(&al);
	return fails;
}

static void test_corpus(void **state)
{
	int cases, fails;

	(void)state;
	fails = mm_case_file_run(mm_test_data("fw/allowlist.txt"), ">!", false, run_case, &cases);
	assert_true(cases >= 10);
	assert_int_equal(fails, 0);
}

static struct mm_prefix pfx(const char *s)
{
	struct mm_prefix p;

	assert_int_equal(mm_prefix_parse(s, strlen(s), &p), 0);
	return p;
}

static void test_overlap(void **state)
{
	struct mm_fw_allowlist al;
	struct mm_err err = {0};
	const struct mm_prefix *e;
	struct mm_prefix p;
	char a[MM_PREFIX_STRLEN];
	bool covered;

	(void)state;
	assert_int_equal(mm_fw_allowlist_parse("[firewall]\nallowlist = 198.51.100.7, "
					       "203.0.113.0/24, 2001:db8::/32\n",
					       "c", &al, &err),
			 0);
	p = pfx("203.0.113.9"); /* inside an entry: covered */
	e = mm_fw_allowlist_overlap(&al, &p, &covered);
	assert_non_null(e);
	assert_true(covered);
	assert_string_equal(mm_fw_prefix_short(e, a), "203.0.113.0/24");
	p = pfx("198.51.100.0/24"); /* holds an entry: not covered */
	e = mm_fw_allowlist_overlap(&al, &p, &covered);
	assert_non_null(e);
	assert_false(covered);
	assert_string_equal(mm_fw_prefix_short(e, a), "198.51.100.7");
	p = pfx("2001:db8:5::/48");
	assert_non_null(mm_fw_allowlist_overlap(&al, &p, &covered));
	assert_true(covered);
	p = pfx("198.51.100.8"); /* a neighbour */
	assert_null(mm_fw_allowlist_overlap(&al, &p, &covered));
	assert_false(covered);
	p = pfx("::ffff:203.0.113.1"); /* mapped: the IPv4 address */
	assert_non_null(mm_fw_allowlist_overlap(&al, &p, &covered));
	p = pfx("2001:db9::1"); /* other family or network */
	assert_null(mm_fw_allowlist_overlap(&al, &p, &covered));
	assert_null(mm_fw_allowlist_overlap(NULL, &p, &covered));
	mm_fw_allowlist_release(&al);
}

static void test_render(void **state)
{
	struct mm_fw_ruleset rs;
	struct mm_fw_allowlist al;
	struct mm_err err = {0};
	struct mm_buf plain, with;

	(void)state;
	mm_fw_ruleset_init(&rs);
	rs.enabled = true;
	mm_buf_init(&plain, 1 << 20);
	mm_buf_init(&with, 1 << 20);
	assert_int_equal(mm_fw_render(&rs, 0, &plain, &err), 0);
	assert_int_equal(
	    mm_fw_allowlist_parse("[firewall]\nallowlist = 192.0.2.1\n", "c", &al, &err), 0);
	rs.allow = &al;
	assert_int_equal(mm_fw_render(&rs, 0, &with, &err), 0);
	assert_null(strstr(plain.data, "allow4"));
	assert_non_null(strstr(with.data,
			       "\tset allow4 {\n\t\ttype ipv4_addr\n\t\tflags "
			       "interval\n\t\tauto-merge\n\t\telements = {\n\t\t\t192.0.2.1\n"
			       "\t\t}\n\t}\n\tset allow6 {\n\t\ttype ipv6_addr\n\t\tflags "
			       "interval\n\t\tauto-merge\n\t}\n"));
	/* input and forward: every block rule exempts the allowlist */
	assert_non_null(strstr(with.data, "\t\tip saddr != @allow4 ip saddr @host4 drop\n\t\tip6 "
					  "saddr != @allow6 ip6 saddr @host6 drop\n\t\tip saddr != "
					  "@allow4 ip saddr @block4 drop\n\t\tip6 saddr != @allow6 "
					  "ip6 saddr @block6 drop\n"));
	assert_null(strstr(with.data, "\t\tip saddr @host4 drop"));
	assert_null(strstr(with.data, "\t\tip saddr @block4 drop"));
	/* an empty allowlist is none */
	mm_fw_allowlist_release(&al);
	mm_buf_reset(&with);
	assert_int_equal(mm_fw_render(&rs, 0, &with, &err), 0);
	assert_string_equal(with.data, plain.data);
	mm_buf_release(&plain);
	mm_buf_release(&with);
	mm_fw_ruleset_release(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus),
	    cmocka_unit_test(test_overlap),
	    cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
