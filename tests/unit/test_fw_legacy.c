/* SPDX-License-Identifier: MIT */
/*
 * iptables-legacy rules: the corpus tests/data/fw/legacy.txt
 * (iptables-legacy-save output, the chains reported or the exact error),
 * the streaming parser fed line by line, and its limits.
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
	struct mm_err err = {0};
	struct mm_buf got, out;
	int rc, fails = 0;

	mm_buf_init(&got, 1 << 16);
	mm_buf_init(&out, 1 << 16);
	rc = mm_fw_legacy_parse_buffer("s", text->data ? text->data : "", text->len, "legacy", &out,
				       &err);
	if (rc < 0) {
		(void)mm_buf_addf(&got, "! %s\n", err.msg);
	} else {
		const char *p = out.data;

		while (p && *p) {
			size_t k = strcspn(p, "\n");

			(void)mm_buf_addf(&got, "> %.*s\n", (int)k, p);
			p += k + (p[k] == '\n');
		}
		(void)mm_buf_addf(&got, "= %d\n", rc);
	}
	if (!got.data || !want->data || strcmp(got.data, want->data) != 0) {
		fprintf(stderr, "%s:%lu: %s:\n  got:\n%s  want:\n%s", path, at, title,
			got.data ? got.data : "", want->data ? want->data : "");
		fails++;
	}
	mm_buf_release(&got);
	mm_buf_release(&out);
	return fails;
}

static void test_corpus(void **state)
{
	int cases, fails;

	(void)state;
	fails = mm_case_file_run(mm_test_data("fw/legacy.txt"), ">!=", false, run_case, &cases);
	assert_true(cases >= 20);
	assert_int_equal(fails, 0);
}

/* The streaming API gives what the whole buffer gives; NUL bytes are refused. */
static void test_streaming(void **state)
{
	static const char *const lines[] = {"*filter",	       ":INPUT ACCEPT [0:0]",
					    ":jail - [0:0]",   "-A INPUT -j jail",
					    "-A jail -j DROP", "COMMIT"};
	struct mm_fw_legacy *lp = mm_fw_legacy_new("s");
	struct mm_err err = {0};
	struct mm_buf out;
	size_t i;

	(void)state;
	assert_non_null(lp);
	mm_buf_init(&out, 4096);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_int_equal(mm_fw_legacy_line(lp, lines[i], strlen(lines[i]), &err), 0);
	assert_int_equal(mm_fw_legacy_finish(lp, "L", &out, &err), 1);
	assert_string_equal(out.data,
			    "L table filter, chain INPUT: 1 rule that drops or rejects\n");
	mm_fw_legacy_free(lp);
	mm_fw_legacy_free(NULL);

	lp = mm_fw_legacy_new("s");
	assert_true(mm_fw_legacy_line(lp, "*fil\0ter", 8, &err) < 0);
	assert_string_equal(err.msg, "s:1: NUL byte in line");
	mm_fw_legacy_free(lp);
	mm_buf_release(&out);
}

/* Thousands of chains jumping in a ring (as kube-proxy makes): each reached once, no
 * recursion, found by hash. */
static void test_large(void **state)
{
	struct mm_buf in, out;
	struct mm_err err = {0};
	int i;

	(void)state;
	mm_buf_init(&in, 1u << 22);
	mm_buf_init(&out, 4096);
	assert_int_equal(mm_buf_adds(&in, "*filter\n:INPUT ACCEPT [0:0]\n"), 0);
	for (i = 0; i < 8000; i++)
		assert_int_equal(mm_buf_addf(&in, ":c%d - [0:0]\n", i), 0);
	assert_int_equal(mm_buf_adds(&in, "-A INPUT -j c0\n"), 0);
	for (i = 0; i < 8000; i++)
		assert_int_equal(
		    mm_buf_addf(&in, "-A c%d -j DROP\n-A c%d -j c%d\n", i, i, (i + 1) % 8000), 0);
	assert_int_equal(mm_buf_adds(&in, "COMMIT\n"), 0);
	assert_int_equal(mm_fw_legacy_parse_buffer("s", in.data, in.len, "L", &out, &err), 1);
	assert_string_equal(out.data,
			    "L table filter, chain INPUT: 8000 rules that drop or reject\n");
	/* past the chain limit: an error, not a cut-off report */
	mm_buf_reset(&in);
	assert_int_equal(mm_buf_adds(&in, "*filter\n"), 0);
	for (i = 0; i < 65537; i++)
		assert_int_equal(mm_buf_addf(&in, ":c%d - [0:0]\n", i), 0);
	assert_true(mm_fw_legacy_parse_buffer("s", in.data, in.len, "L", &out, &err) < 0);
	assert_string_equal(err.msg, "s:65538: more than 65536 chains");
	mm_buf_release(&in);
	mm_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus),
	    cmocka_unit_test(test_streaming),
	    cmocka_unit_test(test_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
