/* SPDX-License-Identifier: MIT */
/*
 * Blocklist feeds: the corpus tests/data/fw/feeds.txt (feed file, merged
 * prefixes or exact error), the feed files mamori writes and reads back,
 * a directory of feeds (a bad one named with its line), the ruleset's
 * feeds, their nftables text (whole table and the flush + add that
 * replaces one) and the lockout check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "corpus.h"
#include "mamori/fw.h"

static int run_case(const char *path, unsigned long at, const char *title, struct mm_buf *text,
		    struct mm_buf *want)
{
	struct mm_fw_feed f;
	struct mm_err err = {0};
	struct mm_buf got;
	size_t i;
	int rc, fails = 0;

	mm_fw_feed_init(&f, "t");
	mm_buf_init(&got, 1 << 16);
	rc = mm_fw_feed_parse_buffer(&f, "f", text->data ? text->data : "", text->len, &err);
	if (rc < 0) {
		(void)mm_buf_addf(&got, "! %s\n", err.msg);
	} else {
		for (i = 0; i < f.n; i++) {
			(void)mm_buf_adds(&got, "> ");
			(void)mm_fw_prefix_text(true, &f.v[i], &got);
			(void)mm_buf_addc(&got, '\n');
		}
		(void)mm_buf_addf(&got, "= %zu %zu\n", f.lines, f.merged);
		for (i = 0; i < f.n; i++)
			if ((f.v[i].addr.family == MM_AF_INET) != (i < f.n4))
				fails++;
	}
	if (!got.data || !want->data || strcmp(got.data, want->data) != 0) {
		fprintf(stderr, "%s:%lu: %s:\n  got:\n%s  want:\n%s", path, at, title,
			got.data ? got.data : "", want->data ? want->data : "");
		fails++;
	}
	mm_buf_release(&got);
	mm_fw_feed_release(&f);
	return fails;
}

static void test_corpus(void **state)
{
	int cases, fails;

	(void)state;
	fails = mm_case_file_run(mm_test_data("fw/feeds.txt"), ">!=", false, run_case, &cases);
	assert_true(cases >= 15);
	assert_int_equal(fails, 0);
}

static void test_nul_and_names(void **state)
{
	static const char text[] = "192.0.2.1\n192.0.2.2\0\n";
	struct mm_fw_feed f;
	struct mm_err err = {0};

	(void)state;
	mm_fw_feed_init(&f, "t");
	assert_true(mm_fw_feed_parse_buffer(&f, "f", text, sizeof(text) - 1, &err) < 0);
	assert_string_equal(err.msg, "f:2: NUL byte in line");
	mm_fw_feed_release(&f);
	assert_true(mm_fw_feed_name_ok("spamhaus-drop", 13));
	assert_true(mm_fw_feed_name_ok("a_1", 3));
	assert_false(mm_fw_feed_name_ok("1abc", 4));
	assert_false(mm_fw_feed_name_ok("a.b", 3));
	assert_false(mm_fw_feed_name_ok("a/b", 3));
	assert_false(mm_fw_feed_name_ok("", 0));
	assert_false(mm_fw_feed_name_ok("abcdefghijklmnopqrstuvwxy", 25));
	assert_true(mm_fw_feed_name_ok("abcdefghijklmnopqrstuvwx", 24));
}

static struct mm_fw_feed feed(const char *name, const char *text)
{
	struct mm_fw_feed f;
	struct mm_err err = {0};

	mm_fw_feed_init(&f, name);
	if (mm_fw_feed_parse_buffer(&f, name, text, strlen(text), &err) < 0)
		fail_msg("%s", err.msg);
	return f;
}

static void test_files(void **state)
{
	char dir[64], path[128], tmp[256], want[256];
	struct mm_fw_ruleset rs;
	struct mm_fw_feed f = feed("drop", "10.0.0.0/8\n10.1.1.1\n2001:db8::1\n");
	struct mm_err err = {0};
	struct mm_buf b;
	FILE *fp;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mm-feeds.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/drop", dir);
	assert_int_equal(mm_fw_feed_write_tmp(&f, path, tmp, sizeof(tmp), &err), 0);
	assert_int_equal(mm_fw_commit_file(tmp, path, &err), 0);
	mm_fw_feed_release(&f);
	/* a temporary file and a backup are not feeds */
	snprintf(tmp, sizeof(tmp), "%s/drop.tmp.abcdef", dir);
	fp = fopen(tmp, "w");
	fputs("junk\n", fp);
	fclose(fp);
	snprintf(tmp, sizeof(tmp), "%s/drop~", dir);
	fp = fopen(tmp, "w");
	fputs("junk\n", fp);
	fclose(fp);
	mm_fw_ruleset_init(&rs);
	assert_int_equal(mm_fw_feeds_load_dir(&rs, dir, &err), 0);
	assert_int_equal(rs.nfeeds, 1);
	assert_string_equal(rs.feeds[0].name, "drop");
	assert_int_equal(rs.feeds[0].n, 2);
	assert_int_equal(rs.feeds[0].n4, 1);
	mm_buf_init(&b, 1 << 16);
	assert_int_equal(mm_fw_feed_serialize(&rs.feeds[0], &b), 0);
	assert_string_equal(b.data, "# mamori blocklist feed drop: 1 IPv4 and 1 IPv6 prefixes\n"
				    "10.0.0.0/8\n2001:db8::1\n");
	mm_buf_release(&b);
	mm_fw_ruleset_release(&rs);
	/* a hand-edited feed with junk: file and line */
	snprintf(tmp, sizeof(tmp), "%s/extra", dir);
	fp = fopen(tmp, "w");
	fputs("192.0.2.1\n\n192.0.2.x\n", fp);
	fclose(fp);
	mm_fw_ruleset_init(&rs);
	assert_int_equal(mm_fw_feeds_load_dir(&rs, dir, &err), MM_ERR_PARSE);
	snprintf(want, sizeof(want), "%s/extra:3: bad address or prefix '192.0.2.x'", dir);
	assert_string_equal(err.msg, want);
	mm_fw_ruleset_release(&rs);
	/* a missing directory: no feeds */
	mm_fw_ruleset_init(&rs);
	assert_int_equal(mm_fw_feeds_load_dir(&rs, "/nonexistent/mamori-feeds", &err), 0);
	assert_int_equal(rs.nfeeds, 0);
	mm_fw_ruleset_release(&rs);
	snprintf(tmp, sizeof(tmp), "rm -rf %s", dir);
	assert_int_equal(system(tmp), 0);
}

static void test_ruleset_and_render(void **state)
{
	struct mm_fw_ruleset rs;
	struct mm_fw_feed f;
	struct mm_err err = {0};
	struct mm_buf b;
	struct mm_addr client, server;
	char why[256];

	(void)state;
	mm_fw_ruleset_init(&rs);
	f = feed("zeta", "192.0.2.0/24\n");
	assert_int_equal(mm_fw_feed_put(&rs, &f), 0);
	assert_null(f.v);
	f = feed("alpha", "198.51.100.7\n2001:db8::/32\n");
	assert_int_equal(mm_fw_feed_put(&rs, &f), 0);
	assert_int_equal(rs.nfeeds, 2);
	assert_string_equal(rs.feeds[0].name, "alpha"); /* kept in name order */
	f = feed("zeta", "203.0.113.0/24\n203.0.113.5\n");
	assert_int_equal(mm_fw_feed_put(&rs, &f), 1); /* replaced */
	assert_int_equal(rs.nfeeds, 2);
	assert_int_equal(mm_fw_feed_find(&rs, "zeta")->n, 1);

	mm_buf_init(&b, 1 << 20);
	assert_int_equal(mm_fw_render(&rs, 0, &b, &err), 0);
	assert_non_null(strstr(b.data, "\tset feed_alpha_4 {\n\t\ttype ipv4_addr\n\t\tflags "
				       "interval\n\t\tauto-merge\n\t\telements = {\n\t\t\t198.51."
				       "100.7\n\t\t}\n\t}\n"));
	assert_non_null(strstr(b.data,
			       "\tset feed_alpha_6 {\n\t\ttype ipv6_addr\n\t\tflags "
			       "interval\n\t\tauto-merge\n\t\telements = {\n\t\t\t2001:db8::/"
			       "32\n\t\t}\n\t}\n"));
	/* an empty set has no elements line */
	assert_non_null(strstr(b.data, "\tset feed_zeta_6 {\n\t\ttype ipv6_addr\n\t\tflags "
				       "interval\n\t\tauto-merge\n\t}\n"));
	/* dropped in input (logged) and forward, after the blocks */
	assert_non_null(strstr(b.data, "\t\tip6 saddr @block6 drop\n"
				       "\t\tip saddr @feed_alpha_4 limit rate 3/minute burst 10 "
				       "packets log prefix \"[MAMORI BLOCK] \"\n"
				       "\t\tip saddr @feed_alpha_4 counter drop comment \"feed "
				       "alpha\"\n"));
	assert_non_null(strstr(b.data, "\t\tip6 saddr @block6 drop\n"
				       "\t\tip saddr @feed_alpha_4 counter drop comment \"feed "
				       "alpha\"\n"
				       "\t\tip6 saddr @feed_alpha_6 counter drop comment \"feed "
				       "alpha\"\n"
				       "\t\tip saddr @feed_zeta_4 counter drop"));
	mm_buf_reset(&b);
	assert_int_equal(mm_fw_render_feed(mm_fw_feed_find(&rs, "alpha"), &b, &err), 0);
	assert_string_equal(b.data, "flush set inet mamori feed_alpha_4\n"
				    "add element inet mamori feed_alpha_4 { 198.51.100.7 }\n"
				    "flush set inet mamori feed_alpha_6\n"
				    "add element inet mamori feed_alpha_6 { 2001:db8::/32 }\n");
	/* a corrupted model never reaches nft */
	rs.feeds[0].v[0].len = 40;
	mm_buf_reset(&b);
	assert_int_equal(mm_fw_render(&rs, 0, &b, &err), MM_ERR_INVAL);
	assert_int_equal(mm_fw_render_feed(&rs.feeds[0], &b, &err), MM_ERR_INVAL);
	rs.feeds[0].v[0].len = 32;

	/* the lockout check sees feeds */
	rs.enabled = true;
	rs.policy[MM_FW_INCOMING] = MM_FW_ALLOW;
	assert_int_equal(mm_addr_parse("192.0.2.1", 9, &server), 0);
	assert_int_equal(mm_addr_parse("203.0.113.77", 12, &client), 0);
	assert_true(mm_fw_would_lock_out(&rs, &client, 40000, &server, 22, why, sizeof(why)));
	assert_string_equal(why, "feed zeta (203.0.113.0/24) covers the SSH client 203.0.113.77");
	assert_int_equal(mm_fw_feed_del(&rs, "zeta"), 0);
	assert_int_equal(mm_fw_feed_del(&rs, "zeta"), MM_ERR_NOTFOUND);
	assert_false(mm_fw_would_lock_out(&rs, &client, 40000, &server, 22, why, sizeof(why)));
	mm_buf_release(&b);
	mm_fw_ruleset_release(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus),
	    cmocka_unit_test(test_nul_and_names),
	    cmocka_unit_test(test_files),
	    cmocka_unit_test(test_ruleset_and_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
