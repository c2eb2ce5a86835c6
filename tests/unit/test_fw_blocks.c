/* SPDX-License-Identifier: MIT */
/*
 * The blocks file (lib/fw/blocks.c): replay semantics (the last line for
 * a prefix decides, unblock, expiry, blocks inside blocks), errors with
 * file and line, a torn last line, append/undo/compaction on a real file,
 * and merging with the rules file's own blocks. Also the pending state of
 * --confirm (lib/fw/confirm.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mamori/fw.h"

#define NOW 1800000000

static const char *pfx(const struct mm_fw_block *b, char *buf)
{
	return mm_prefix_format(&b->pfx, buf);
}

static void test_replay(void **state)
{
	const char *text = "# header\n"
			   "block 192.0.2.1\n"
			   "block 192.0.2.1 until 2030-01-01T00:00:00Z comment \"renewed\"\n"
			   "block 10.0.0.0/8\n"
			   "block 10.1.2.3\n" /* inside 10/8 */
			   "block 198.51.100.1\n"
			   "unblock 198.51.100.1\n"
			   "block 198.51.100.2\n"
			   "block 198.51.100.2 until 2000-01-01T00:00:00Z\n" /* expired: gone */
			   "unblock 203.0.113.9\n"			     /* never blocked */
			   "block 2001:db8::1\n";
	struct mm_fw_ruleset rs;
	struct mm_err err = {0};
	char a[MM_PREFIX_STRLEN];
	size_t nlines = 0;

	(void)state;
	mm_fw_ruleset_init(&rs);
	assert_int_equal(
	    mm_fw_blocks_parse_buffer(&rs, "b", text, strlen(text), NOW, &nlines, &err), 0);
	assert_int_equal(nlines, 10);
	assert_int_equal(rs.nblocks, 3);
	assert_string_equal(pfx(&rs.blocks[0], a), "10.0.0.0/8");
	assert_string_equal(pfx(&rs.blocks[1], a), "192.0.2.1/32");
	assert_string_equal(rs.blocks[1].comment, "renewed");
	assert_int_equal(rs.blocks[1].until, 1893456000);
	assert_string_equal(pfx(&rs.blocks[2], a), "2001:db8::1/128");
	mm_fw_ruleset_release(&rs);

	/* unblocking the network uncovers the host blocked inside it */
	mm_fw_ruleset_init(&rs);
	text = "block 10.0.0.0/8\nblock 10.1.2.3\nunblock 10.0.0.0/8\n";
	assert_int_equal(mm_fw_blocks_parse_buffer(&rs, "b", text, strlen(text), NOW, NULL, &err),
			 0);
	assert_int_equal(rs.nblocks, 1);
	assert_string_equal(pfx(&rs.blocks[0], a), "10.1.2.3/32");
	mm_fw_ruleset_release(&rs);

	/* a single unblock line leaves nothing */
	mm_fw_ruleset_init(&rs);
	text = "unblock 10.0.0.1\n";
	assert_int_equal(mm_fw_blocks_parse_buffer(&rs, "b", text, strlen(text), NOW, NULL, &err),
			 0);
	assert_int_equal(rs.nblocks, 0);
	mm_fw_ruleset_release(&rs);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
	    {"block 192.0.2.1\nallow 22/tcp\n",
	     "b:2: a blocks file holds only 'block' and 'unblock' lines"},
	    {"default deny incoming\n",
	     "b:1: a blocks file holds only 'block' and 'unblock' lines"},
	    {"unblock\n", "b:1: unblock needs an address or prefix"},
	    {"unblock 10.0.0.1 now\n", "b:1: unexpected text after unblock"},
	    {"unblock 10.0.0.0/33\n", "b:1: unblock needs an address or prefix"},
	    {"block 10.0.0.1 until soon\n", "b:1: 'until' needs an ISO 8601 time"},
	    {"block 10.0.0.1\n\0\n", "b:2: NUL byte in line"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mm_fw_ruleset rs;
		struct mm_err err = {0};
		size_t n = strlen(cases[i].text);

		if (strstr(cases[i].msg, "NUL"))
			n += 2;
		mm_fw_ruleset_init(&rs);
		assert_true(mm_fw_blocks_parse_buffer(&rs, "b", cases[i].text, n, NOW, NULL, &err) <
			    0);
		assert_string_equal(err.msg, cases[i].msg);
		mm_fw_ruleset_release(&rs);
	}
}

static void test_torn_line(void **state)
{
	const char *text = "block 192.0.2.1\nblock 2001:db8::12"; /* cut short: not "::1" */
	struct mm_fw_ruleset rs;
	struct mm_err err = {0};

	(void)state;
	mm_fw_ruleset_init(&rs);
	assert_int_equal(mm_fw_blocks_parse_buffer(&rs, "b", text, strlen(text), NOW, NULL, &err),
			 0);
	assert_int_equal(rs.nblocks, 1);
	mm_fw_ruleset_release(&rs);
}

static size_t file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	fclose(f);
	return (size_t)n;
}

static void test_file_ops(void **state)
{
	char dir[] = "/tmp/mm-fwblocks.XXXXXX", path[256];
	struct mm_fw_ruleset rs;
	struct mm_err err = {0};
	int64_t undo = -1, undo2 = -1;
	size_t nlines = 0, before;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fw.blocks", dir);

	/* a missing file: no blocks */
	mm_fw_ruleset_init(&rs);
	assert_int_equal(mm_fw_blocks_load(&rs, path, NOW, &nlines, &err), 0);
	assert_int_equal(rs.nblocks, 0);
	mm_fw_ruleset_release(&rs);

	assert_int_equal(mm_fw_blocks_append(path, "block 192.0.2.1\n", 16, &undo, &err), 0);
	assert_int_equal(undo, 0);
	before = file_size(path);
	assert_int_equal(mm_fw_blocks_append(path, "block 192.0.2.2\n", 16, &undo2, &err), 0);
	assert_int_equal(undo2, (int64_t)before);
	/* the kernel refused: the second line goes again */
	assert_int_equal(mm_fw_blocks_undo(path, undo2, &err), 0);
	assert_int_equal(file_size(path), before);

	/* a torn tail is cut before appending */
	f = fopen(path, "ab");
	assert_non_null(f);
	fputs("block 192.0.2", f);
	fclose(f);
	assert_int_equal(mm_fw_blocks_append(path, "unblock 192.0.2.1\n", 18, &undo, &err), 0);
	assert_int_equal(undo, (int64_t)before);
	assert_int_equal(mm_fw_blocks_append(path, "block 192.0.2.3\n", 16, &undo, &err), 0);
	mm_fw_ruleset_init(&rs);
	assert_int_equal(mm_fw_blocks_load(&rs, path, NOW, &nlines, &err), 0);
	assert_int_equal(nlines, 3);
	assert_int_equal(rs.nblocks, 1);

	/* compaction: one line per live block, same result */
	assert_int_equal(mm_fw_blocks_write(&rs, path, &err), 0);
	mm_fw_ruleset_release(&rs);
	mm_fw_ruleset_init(&rs);
	assert_int_equal(mm_fw_blocks_load(&rs, path, NOW, &nlines, &err), 0);
	assert_int_equal(nlines, 1);
	assert_int_equal(rs.nblocks, 1);
	mm_fw_ruleset_release(&rs);

	unlink(path);
	rmdir(dir);
}

static void test_merge(void **state)
{
	const char *rules = "allow 22/tcp\nblock 10.0.0.0/8\nblock 192.0.2.7 comment \"hand\"\n";
	const char *journal = "block 10.9.9.9\nblock 192.0.2.7 comment \"journal\"\n"
			      "block 198.51.100.0/24\n";
	struct mm_fw_ruleset rs, jr, view;
	struct mm_err err = {0};
	char a[MM_PREFIX_STRLEN];

	(void)state;
	mm_fw_ruleset_init(&rs);
	mm_fw_ruleset_init(&jr);
	assert_int_equal(mm_fw_parse_buffer(&rs, "r", rules, strlen(rules), NOW, &err), 0);
	assert_int_equal(
	    mm_fw_blocks_parse_buffer(&jr, "b", journal, strlen(journal), NOW, NULL, &err), 0);
	assert_int_equal(mm_fw_blocks_merge(&rs, &jr, &view, &err), 0);
	assert_int_equal(view.nrules, 1);
	assert_ptr_equal(view.rules, rs.rules);
	assert_int_equal(view.nblocks, 3);
	assert_string_equal(pfx(&view.blocks[0], a), "10.0.0.0/8");
	assert_string_equal(pfx(&view.blocks[1], a), "192.0.2.7/32");
	assert_string_equal(view.blocks[1].comment, "journal");
	assert_string_equal(pfx(&view.blocks[2], a), "198.51.100.0/24");
	/* the parts are untouched */
	assert_int_equal(rs.nblocks, 2);
	assert_int_equal(jr.nblocks, 3);
	mm_fw_blocks_view_release(&view);
	mm_fw_ruleset_release(&rs);
	mm_fw_ruleset_release(&jr);
}

static void test_block_format(void **state)
{
	struct mm_fw_block b;
	struct mm_buf out;

	(void)state;
	memset(&b, 0, sizeof(b));
	assert_int_equal(mm_prefix_parse("2001:db8::/32", 13, &b.pfx), 0);
	b.until = 1893456000;
	snprintf(b.comment, sizeof(b.comment), "feed");
	mm_buf_init(&out, 1024);
	assert_int_equal(mm_fw_block_format(&b, &out), 0);
	assert_string_equal(
	    out.data, "block 2001:db8::/32 until 2030-01-01T00:00:00+00:00 comment \"feed\"\n");
	mm_buf_release(&out);
}

static void test_pending(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
	    {"deadline 5\nrules yes\nblocks no\ntable yes\n",
	     "p: incomplete (needs deadline, rules, blocks, table, watcher)"},
	    {"deadline 5\ndeadline 6\n", "p:2: 'deadline' given twice"},
	    {"deadline 0\n", "p:1: bad value for 'deadline'"},
	    {"deadline soon\n", "p:1: bad value for 'deadline'"},
	    {"rules maybe\n", "p:1: bad value for 'rules'"},
	    {"watcher 12\n", "p:1: bad value for 'watcher'"},
	    {"table yes no\n", "p:1: bad value for 'table'"},
	    {"colour blue\n", "p:1: unknown key 'colour'"},
	    {"feeds spam 1bad\n", "p:1: bad value for 'feeds'"},
	    {"feeds spam spam\n", "p:1: bad value for 'feeds'"},
	    {"feeds\nfeeds\n", "p:2: 'feeds' given twice"},
	};
	static const char no_feed[] =
	    "deadline 5\nrules no\nblocks no\ntable no\nwatcher 0 0\nfeeds\n";
	static const char old_state[] =
	    "deadline 5\nrules yes\nblocks no\ntable yes\nwatcher 1 2\n";
	struct mm_fw_pending p, q;
	struct mm_err err = {0};
	struct mm_buf b;
	size_t i;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.deadline = 1800000123;
	p.had_rules = true;
	p.had_table = true;
	p.pid = 4242;
	p.start = 987654321;
	mm_buf_init(&b, 4096);
	assert_int_equal(mm_fw_pending_format(&p, &b), 0);
	assert_int_equal(mm_fw_pending_parse("p", b.data, b.len, &q, &err), 0);
	assert_int_equal(q.deadline, p.deadline);
	assert_true(q.had_rules);
	assert_false(q.had_blocks);
	assert_true(q.had_table);
	assert_int_equal(q.pid, 4242);
	assert_int_equal(q.start, 987654321);
	assert_false(q.had_feeds);
	mm_buf_release(&b);
	/* the feeds there were, saved beside the state */
	p.had_feeds = true;
	p.nfeeds = 2;
	snprintf(p.feeds[0], sizeof(p.feeds[0]), "spamhaus-drop");
	snprintf(p.feeds[1], sizeof(p.feeds[1]), "firehol_l1");
	mm_buf_init(&b, 4096);
	assert_int_equal(mm_fw_pending_format(&p, &b), 0);
	assert_non_null(strstr(b.data, "\nfeeds spamhaus-drop firehol_l1\n"));
	assert_int_equal(mm_fw_pending_parse("p", b.data, b.len, &q, &err), 0);
	assert_true(q.had_feeds);
	assert_int_equal(q.nfeeds, 2);
	assert_string_equal(q.feeds[0], "spamhaus-drop");
	assert_string_equal(q.feeds[1], "firehol_l1");
	mm_buf_release(&b);
	/* no feed at all, and a state written before feeds were saved */
	assert_int_equal(mm_fw_pending_parse("p", no_feed, strlen(no_feed), &q, &err), 0);
	assert_true(q.had_feeds);
	assert_int_equal(q.nfeeds, 0);
	assert_int_equal(mm_fw_pending_parse("p", old_state, strlen(old_state), &q, &err), 0);
	assert_false(q.had_feeds);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_true(mm_fw_pending_parse("p", bad[i].text, strlen(bad[i].text), &q, &err) <
			    0);
		assert_string_equal(err.msg, bad[i].msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_replay),    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_torn_line), cmocka_unit_test(test_file_ops),
	    cmocka_unit_test(test_merge),     cmocka_unit_test(test_block_format),
	    cmocka_unit_test(test_pending),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
