/* SPDX-License-Identifier: MIT */
/*
 * Envelope parser: every supported format, year inference, local time and
 * DST, and hostile or truncated lines. Also runs the data-driven corpus
 * tests/data/logs/envelope.txt through the line pipeline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "corpus.h"
#include "mamori/logs.h"

#define DEC_2026 ((time_t)1796083200) /* 2026-12-01T00:00:00Z */
#define JAN_2027 ((time_t)1799020800) /* 2027-01-04T00:00:00Z */

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* Parse s (a string literal, NULs allowed via its explicit length) from a
 * heap copy of exactly n bytes, so ASan catches any read past the end. */
static int parse_n(struct mm_envelope_ctx *ctx, const char *s, size_t n, struct mm_envelope *env,
		   char **copy)
{
	*copy = malloc(n ? n : 1);
	assert_non_null(*copy);
	memcpy(*copy, s, n);
	return mm_envelope_parse(ctx, *copy, n, env);
}

static void expect_span(struct mm_span sp, const char *want)
{
	if (sp.n != strlen(want) || memcmp(sp.p, want, sp.n) != 0)
		fail_msg("span \"%.*s\" != \"%s\"", (int)sp.n, sp.p, want);
}

static void expect_time(const struct mm_envelope *env, bool frac, const char *want)
{
	char buf[MM_TIME_STRLEN];

	assert_true(env->time.set);
	assert_string_equal(mm_time_format(&env->time, frac, buf), want);
}

/* Parse line and check every field; time NULL means "not set". */
static void check(struct mm_envelope_ctx *ctx, const char *line, const char *time, bool frac,
		  const char *host, const char *prog, int64_t pid, const char *msg, bool kernel)
{
	struct mm_envelope env;
	char *copy;

	if (parse_n(ctx, line, strlen(line), &env, &copy) != 0)
		fail_msg("no envelope: %s", line);
	if (time)
		expect_time(&env, frac, time);
	else
		assert_false(env.time.set);
	expect_span(env.host, host);
	expect_span(env.program, prog);
	assert_int_equal(env.pid, pid);
	expect_span(env.msg, msg);
	assert_int_equal(env.kernel, kernel);
	free(copy);
}

static void bad(struct mm_envelope_ctx *ctx, const char *line, size_t n)
{
	struct mm_envelope env;
	char *copy;

	if (parse_n(ctx, line, n, &env, &copy) != MM_ERR_PARSE)
		fail_msg("parsed, expected no envelope: %.*s", (int)n, line);
	assert_int_equal(env.pid, -1);
	assert_false(env.kernel);
	free(copy);
}

#define BAD(ctx, s) bad(ctx, s, sizeof(s) - 1)

static void test_rfc3164(void **state)
{
	struct mm_envelope_ctx ctx;

	(void)state;
	mm_envelope_ctx_init(&ctx, DEC_2026, 0);
	check(&ctx, "Nov 21 03:12:45 web1 sshd[1234]: Accepted publickey for alice from 192.0.2.5",
	      "2026-11-21T03:12:45+00:00", false, "web1", "sshd", 1234,
	      "Accepted publickey for alice from 192.0.2.5", false);
	/* space-padded day, no pid */
	check(&ctx, "Nov  1 00:00:00 h cron: job", "2026-11-01T00:00:00+00:00", false, "h", "cron",
	      -1, "job", false);
	/* two-digit day with a leading zero also appears in the wild */
	check(&ctx, "Feb 03 10:00:00 h a: b", "2026-02-03T10:00:00+00:00", false, "h", "a", -1, "b",
	      false);
	/* journalctl -o short-precise */
	check(&ctx, "Nov 21 03:12:45.123456 h sshd-session[9]: x",
	      "2026-11-21T03:12:45.123456+00:00", true, "h", "sshd-session", 9, "x", false);
	/* more than six fraction digits: microseconds kept */
	check(&ctx, "Nov 21 03:12:45.123456789 h p: x", "2026-11-21T03:12:45.123456+00:00", true,
	      "h", "p", -1, "x", false);
	/* program names with / . - _ @ */
	check(&ctx, "Nov 21 03:12:45 mail postfix/smtpd[77]: connect from x",
	      "2026-11-21T03:12:45+00:00", false, "mail", "postfix/smtpd", 77, "connect from x",
	      false);
	check(&ctx, "Nov 21 03:12:45 h systemd-logind[1]: New session", "2026-11-21T03:12:45+00:00",
	      false, "h", "systemd-logind", 1, "New session", false);
	check(&ctx, "Nov 21 03:12:45 h user@1000.service_x[5]: m", "2026-11-21T03:12:45+00:00",
	      false, "h", "user@1000.service_x", 5, "m", false);
	/* leading <pri> */
	check(&ctx, "<38>Nov 21 03:12:45 h sshd[2]: m", "2026-11-21T03:12:45+00:00", false, "h",
	      "sshd", 2, "m", false);
	/* empty message, with and without the space after the colon */
	check(&ctx, "Nov 21 03:12:45 h p[3]: ", "2026-11-21T03:12:45+00:00", false, "h", "p", 3, "",
	      false);
	check(&ctx, "Nov 21 03:12:45 h p:", "2026-11-21T03:12:45+00:00", false, "h", "p", -1, "",
	      false);
	/* the message keeps everything after ": ", colons and brackets included */
	check(&ctx, "Nov 21 03:12:45 h p[3]: a: b [c] d:", "2026-11-21T03:12:45+00:00", false, "h",
	      "p", 3, "a: b [c] d:", false);
	/* a leap second sorts with the second before it */
	check(&ctx, "Dec 31 23:59:60 h p: x", "2026-12-31T23:59:59+00:00", false, "h", "p", -1, "x",
	      false);
}

static void test_kernel(void **state)
{
	struct mm_envelope_ctx ctx;

	(void)state;
	mm_envelope_ctx_init(&ctx, DEC_2026, 0);
	check(&ctx, "Nov 21 03:12:45 fw kernel: [  123.456789] IN=eth0 OUT= SRC=192.0.2.1",
	      "2026-11-21T03:12:45+00:00", false, "fw", "kernel", -1, "IN=eth0 OUT= SRC=192.0.2.1",
	      true);
	check(&ctx, "Nov 21 03:12:45 fw kernel: [98765.000001]IN=eth0", "2026-11-21T03:12:45+00:00",
	      false, "fw", "kernel", -1, "IN=eth0", true);
	/* no stamp to strip */
	check(&ctx, "Nov 21 03:12:45 fw kernel: IN=eth0 OUT=", "2026-11-21T03:12:45+00:00", false,
	      "fw", "kernel", -1, "IN=eth0 OUT=", true);
	/* not a stamp: left alone */
	check(&ctx, "Nov 21 03:12:45 fw kernel: [UFW BLOCK] IN=eth0", "2026-11-21T03:12:45+00:00",
	      false, "fw", "kernel", -1, "[UFW BLOCK] IN=eth0", true);
	/* a pid or another name is user space, whatever it says */
	check(&ctx, "Nov 21 03:12:45 fw kernel[4242]: [  1.0] IN=eth0", "2026-11-21T03:12:45+00:00",
	      false, "fw", "kernel", 4242, "[  1.0] IN=eth0", false);
	check(&ctx, "Nov 21 03:12:45 fw kernel2: IN=eth0", "2026-11-21T03:12:45+00:00", false, "fw",
	      "kernel2", -1, "IN=eth0", false);
	check(&ctx, "Nov 21 03:12:45 fw Kernel: IN=eth0", "2026-11-21T03:12:45+00:00", false, "fw",
	      "Kernel", -1, "IN=eth0", false);
	check(&ctx, "2026-11-21T03:12:45.000001+09:00 fw kernel: [    5.5] IN=lo",
	      "2026-11-21T03:12:45.000001+09:00", true, "fw", "kernel", -1, "IN=lo", true);
}

static void test_rfc3339(void **state)
{
	struct mm_envelope_ctx ctx;

	(void)state;
	mm_envelope_ctx_init(&ctx, DEC_2026, 0);
	check(&ctx, "2026-11-21T03:12:45.123456+09:00 host sshd[1]: m",
	      "2026-11-21T03:12:45.123456+09:00", true, "host", "sshd", 1, "m", false);
	/* journalctl short-iso and short-iso-precise: +hhmm */
	check(&ctx, "2026-11-21T03:12:45+0900 host sshd[1]: m", "2026-11-21T03:12:45+09:00", false,
	      "host", "sshd", 1, "m", false);
	check(&ctx, "2026-11-21T03:12:45.5-0330 host sshd[1]: m",
	      "2026-11-21T03:12:45.500000-03:30", true, "host", "sshd", 1, "m", false);
	check(&ctx, "<13>2026-01-02T03:04:05.678+00:00 h p[7]: m",
	      "2026-01-02T03:04:05.678000+00:00", true, "h", "p", 7, "m", false);
	/* the year comes from the stamp, not the context */
	check(&ctx, "2019-07-01T00:00:00+02:00 h p: m", "2019-07-01T00:00:00+02:00", false, "h",
	      "p", -1, "m", false);
}

/* Z means UTC: the formatter keeps the writer's offset, so check via UTC. */
static void test_rfc3339_utc(void **state)
{
	struct mm_envelope_ctx ctx;
	struct mm_envelope env;
	const char *s = "2026-11-21T03:12:45Z host p: m";

	(void)state;
	mm_envelope_ctx_init(&ctx, DEC_2026, 0);
	assert_int_equal(mm_envelope_parse(&ctx, s, strlen(s), &env), 0);
	expect_time(&env, false, "2026-11-21T03:12:45+00:00");
	assert_int_equal(env.time.us, INT64_C(1795230765) * 1000000);
}

static void test_rfc3339_local(void **state)
{
	struct mm_envelope_ctx ctx;

	(void)state;
	set_tz("Asia/Tokyo");
	mm_envelope_ctx_init(&ctx, DEC_2026, 0);
	/* no zone: local time */
	check(&ctx, "2026-11-21T03:12:45 h p: m", "2026-11-21T03:12:45+09:00", false, "h", "p", -1,
	      "m", false);
	check(&ctx, "2026-11-21 03:12:45.25 h p: m", "2026-11-21T03:12:45.250000+09:00", true, "h",
	      "p", -1, "m", false);
	check(&ctx, "Nov 21 03:12:45 h p: m", "2026-11-21T03:12:45+09:00", false, "h", "p", -1, "m",
	      false);
	set_tz("UTC");
}

static void test_rfc5424(void **state)
{
	struct mm_envelope_ctx ctx;

	(void)state;
	mm_envelope_ctx_init(&ctx, DEC_2026, 0);
	check(&ctx,
	      "<34>1 2026-11-21T03:12:45.003Z mymachine.example.com su 1234 ID47 "
	      "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] "
	      "\xEF\xBB\xBF'su root' failed for lonvick",
	      "2026-11-21T03:12:45.003000+00:00", true, "mymachine.example.com", "su", 1234,
	      "'su root' failed for lonvick", false);
	/* two SD elements, escaped quote, bracket and backslash in values */
	check(
	    &ctx,
	    "<165>1 2026-11-21T03:12:45+09:00 h app - - [a@1 x=\"q\\\"] [\\\\\"][b@2 y=\"]\"] msg "
	    "here",
	    "2026-11-21T03:12:45+09:00", false, "h", "app", -1, "msg here", false);
	/* NILVALUE everywhere, no message */
	check(&ctx, "<0>1 - - - - - -", NULL, false, "", "", -1, "", false);
	/* no SD, message without BOM; non-numeric procid */
	check(&ctx, "<13>1 2026-11-21T03:12:45Z h sshd abc - - Accepted x",
	      "2026-11-21T03:12:45+00:00", false, "h", "sshd", -1, "Accepted x", false);
	/* SD with nothing after it */
	check(&ctx, "<13>1 2026-11-21T03:12:45Z h p 5 m [x@1 a=\"b\"]", "2026-11-21T03:12:45+00:00",
	      false, "h", "p", 5, "", false);
	/* kernel via RFC 5424 */
	check(&ctx, "<4>1 2026-11-21T03:12:45Z fw kernel - - - [ 12.5] IN=eth0",
	      "2026-11-21T03:12:45+00:00", false, "fw", "kernel", -1, "IN=eth0", true);
	check(&ctx, "<4>1 2026-11-21T03:12:45Z fw kernel 99 - - IN=eth0",
	      "2026-11-21T03:12:45+00:00", false, "fw", "kernel", 99, "IN=eth0", false);
	BAD(&ctx, "<34>1 2026-11-21T03:12:45Z h app 1 ID [unterminated x=\"]\" msg");
	BAD(&ctx, "<34>1 2026-11-21T03:12:45Z h app 1 ID");
	BAD(&ctx, "<34>1 2026-11-21T03:12:45Z h app 1 ID x msg");
	BAD(&ctx, "<34>1 2026-11-21T03:12:45Z h app 1 ID [a]msg");
	BAD(&ctx, "<34>1 2026-13-21T03:12:45Z h app 1 ID - msg");
	BAD(&ctx, "<34>1  h app 1 ID - msg");
}

static void test_year_from_mtime(void **state)
{
	struct mm_envelope_ctx ctx;

	(void)state;
	/* a file written in January holds December lines of last year */
	mm_envelope_ctx_init(&ctx, JAN_2027, 0);
	check(&ctx, "Dec 31 23:59:59 h p: m", "2026-12-31T23:59:59+00:00", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Jan  1 00:00:00 h p: m", "2027-01-01T00:00:00+00:00", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Feb  1 00:00:00 h p: m", "2026-02-01T00:00:00+00:00", false, "h", "p", -1, "m",
	      false);
	/* the same month as the mtime is this year */
	mm_envelope_ctx_init(&ctx, DEC_2026, 0);
	check(&ctx, "Dec  1 00:00:00 h p: m", "2026-12-01T00:00:00+00:00", false, "h", "p", -1, "m",
	      false);
	/* Feb 29 in a leap year */
	mm_envelope_ctx_init(&ctx, (time_t)1709251200 /* 2024-03-01 */, 0);
	check(&ctx, "Feb 29 12:00:00 h p: m", "2024-02-29T12:00:00+00:00", false, "h", "p", -1, "m",
	      false);
}

static void test_year_fixed(void **state)
{
	struct mm_envelope_ctx ctx;

	(void)state;
	mm_envelope_ctx_init(&ctx, DEC_2026, 2025);
	check(&ctx, "Nov 30 10:00:00 h p: m", "2025-11-30T10:00:00+00:00", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Dec  1 00:00:00 h p: m", "2025-12-01T00:00:00+00:00", false, "h", "p", -1, "m",
	      false);
	/* a late line, one month back: same year */
	check(&ctx, "Nov 30 23:59:59 h p: m", "2025-11-30T23:59:59+00:00", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Dec 31 23:59:59 h p: m", "2025-12-31T23:59:59+00:00", false, "h", "p", -1, "m",
	      false);
	/* December -> January: next year */
	check(&ctx, "Jan  1 00:00:01 h p: m", "2026-01-01T00:00:01+00:00", false, "h", "p", -1, "m",
	      false);
	/* a late December line after the rollover stays in the old year */
	check(&ctx, "Dec 31 23:59:58 h p: m", "2025-12-31T23:59:58+00:00", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Jan  2 00:00:00 h p: m", "2026-01-02T00:00:00+00:00", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Jun  2 00:00:00 h p: m", "2026-06-02T00:00:00+00:00", false, "h", "p", -1, "m",
	      false);
	/* a sparse log: June -> March is another year */
	check(&ctx, "Mar  2 00:00:00 h p: m", "2027-03-02T00:00:00+00:00", false, "h", "p", -1, "m",
	      false);
	/* RFC 3339 lines carry their own year and do not move the inference */
	check(&ctx, "2020-01-01T00:00:00Z h p: m", "2020-01-01T00:00:00+00:00", false, "h", "p", -1,
	      "m", false);
	check(&ctx, "Apr  2 00:00:00 h p: m", "2027-04-02T00:00:00+00:00", false, "h", "p", -1, "m",
	      false);
}

static void test_dst(void **state)
{
	struct mm_envelope_ctx ctx;

	(void)state;
	set_tz("America/New_York");
	mm_envelope_ctx_init(&ctx, DEC_2026, 0);
	/* 2026-03-08: 02:00 EST -> 03:00 EDT */
	check(&ctx, "Mar  7 12:00:00 h p: m", "2026-03-07T12:00:00-05:00", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Mar  8 01:59:59 h p: m", "2026-03-08T01:59:59-05:00", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Mar  8 03:00:00 h p: m", "2026-03-08T03:00:00-04:00", false, "h", "p", -1, "m",
	      false);
	/* 02:30 never happened: read with the offset before the change (07:30Z) */
	check(&ctx, "Mar  8 02:30:00 h p: m", "2026-03-08T02:30:00-05:00", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Mar  8 23:00:00 h p: m", "2026-03-08T23:00:00-04:00", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Mar  9 00:00:00 h p: m", "2026-03-09T00:00:00-04:00", false, "h", "p", -1, "m",
	      false);
	/* 2026-11-01: 02:00 EDT -> 01:00 EST; 01:xx happens twice */
	check(&ctx, "Nov  1 00:59:59 h p: m", "2026-11-01T00:59:59-04:00", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Nov  1 01:30:00 h p: m", "2026-11-01T01:30:00-04:00", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Nov  1 01:59:59 h p: m", "2026-11-01T01:59:59-04:00", false, "h", "p", -1, "m",
	      false);
	/* the clock went back: second pass */
	check(&ctx, "Nov  1 01:00:00 h p: m", "2026-11-01T01:00:00-05:00", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Nov  1 01:30:00 h p: m", "2026-11-01T01:30:00-05:00", false, "h", "p", -1, "m",
	      false);
	/* a few seconds out of order does not flip back */
	check(&ctx, "Nov  1 01:29:58 h p: m", "2026-11-01T01:29:58-05:00", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Nov  1 02:00:00 h p: m", "2026-11-01T02:00:00-05:00", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Nov  2 09:00:00 h p: m", "2026-11-02T09:00:00-05:00", false, "h", "p", -1, "m",
	      false);
	/* a fresh context in the repeated hour takes the first pass */
	mm_envelope_ctx_init(&ctx, DEC_2026, 0);
	check(&ctx, "Nov  1 01:15:00 h p: m", "2026-11-01T01:15:00-04:00", false, "h", "p", -1, "m",
	      false);
	set_tz("UTC");
}

/* Southern hemisphere, half-hour offset: Australia/Adelaide, DST ends 2026-04-05 03:00. */
static void test_dst_south(void **state)
{
	struct mm_envelope_ctx ctx;

	(void)state;
	set_tz("Australia/Adelaide");
	mm_envelope_ctx_init(&ctx, DEC_2026, 0);
	check(&ctx, "Jan 15 12:00:00 h p: m", "2026-01-15T12:00:00+10:30", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Jul 15 12:00:00 h p: m", "2026-07-15T12:00:00+09:30", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Apr  5 01:00:00 h p: m", "2026-04-05T01:00:00+10:30", false, "h", "p", -1, "m",
	      false);
	check(&ctx, "Apr  5 04:00:00 h p: m", "2026-04-05T04:00:00+09:30", false, "h", "p", -1, "m",
	      false);
	set_tz("UTC");
}

static void test_garbage(void **state)
{
	struct mm_envelope_ctx ctx;
	int k;

	(void)state;
	mm_envelope_ctx_init(&ctx, DEC_2026, 0);
	BAD(&ctx, "");
	BAD(&ctx, "N");
	BAD(&ctx, "Nov");
	BAD(&ctx, "Nov 21 03:12:45");
	BAD(&ctx, "Nov 21 03:12:45 ");
	BAD(&ctx, "Nov 21 03:12:45 host");
	BAD(&ctx, "Nov 21 03:12:45 host ");
	BAD(&ctx, "Nov 21 03:12:45 host prog");
	BAD(&ctx, "Nov 21 03:12:45 host prog msg");
	BAD(&ctx, "Nov 21 03:12:45 host prog[");
	BAD(&ctx, "Nov 21 03:12:45 host prog[12");
	BAD(&ctx, "Nov 21 03:12:45 host prog[12]");
	BAD(&ctx, "Nov 21 03:12:45 host prog[12] x");
	BAD(&ctx, "Nov 21 03:12:45 host prog[abc]: x");
	/* every month by its name, and a ten-digit pid */
	for (k = 0; k < 12; k++) {
		static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
		char line[64], want[32];

		snprintf(line, sizeof(line), "%.3s 21 03:12:45 host prog[4294967295]: x",
			 names + 3 * k);
		snprintf(want, sizeof(want), "2026-%02d-21T03:12:45+00:00", k + 1);
		check(&ctx, line, want, false, "host", "prog", 4294967295LL, "x", false);
	}
	BAD(&ctx, "Nov 21 03:12:45 host prog[]: x");
	BAD(&ctx, "Nov 21 03:12:45 host prog[12a]: x");
	BAD(&ctx, "Nov 21 03:12:45 host prog[12 ]: x");
	BAD(&ctx, "Nov 21 03:12:45 host prog[1234567890");
	BAD(&ctx, "Nov 21 03:12:45 host prog[12345678901]: x");
	BAD(&ctx, "Nov 21 03:12:45 host : x");
	BAD(&ctx, "Nov 21 03:12:45  host p: x");
	BAD(&ctx, "Nov 21 03:12:45. host p: x");
	BAD(&ctx, "Foo 21 03:12:45 host p: x");
	BAD(&ctx, "nov 21 03:12:45 host p: x");
	BAD(&ctx, "Nov 32 03:12:45 host p: x");
	BAD(&ctx, "Nov  0 03:12:45 host p: x");
	BAD(&ctx, "Nov 21 24:00:00 host p: x");
	BAD(&ctx, "Nov 21 03:60:00 host p: x");
	BAD(&ctx, "Nov 21 3:12:45 host p: x");
	BAD(&ctx, "Nov 21 03:12:45host p: x");
	BAD(&ctx, "<999>Nov 21 03:12:45 host p: x");
	BAD(&ctx, "<>Nov 21 03:12:45 host p: x");
	BAD(&ctx, "<1234>Nov 21 03:12:45 host p: x");
	BAD(&ctx, "<13Nov 21 03:12:45 host p: x");
	BAD(&ctx, "2026-11-21 host p: x");
	BAD(&ctx, "2026-11-21T03:12:45+09 host p: x");
	BAD(&ctx, "2026-11-21T03:12:45.+09:00 host p: x");
	BAD(&ctx, "2026-02-30T03:12:45Z host p: x");
	BAD(&ctx, "2026-11-21T03:12:45Zhost p: x");
	BAD(&ctx, "-- Boot 0123456789abcdef --");
	BAD(&ctx, "-- No entries --");
	BAD(&ctx, "message repeated 3 times: [ x]");
	BAD(&ctx, "\xff\xfe\xfd");
	BAD(&ctx, "Nov 21 03:12:45 host pr\x01og: x");
	BAD(&ctx, "Nov\x0021 03:12:45 host p: x");
	BAD(&ctx, "Nov 21 03:12:45 host\0p: x");
}

/* The message is attacker text: NUL bytes and invalid UTF-8 go through. */
static void test_hostile_msg(void **state)
{
	static const char line[] = "Nov 21 03:12:45 h sshd[1]: a\0b\xff\xc3(\n\r\x1b[31m";
	struct mm_envelope_ctx ctx;
	struct mm_envelope env;
	char *copy;

	(void)state;
	mm_envelope_ctx_init(&ctx, DEC_2026, 0);
	assert_int_equal(parse_n(&ctx, line, sizeof(line) - 1, &env, &copy), 0);
	assert_int_equal(env.msg.n, 13);
	assert_memory_equal(env.msg.p, "a\0b\xff\xc3(\n\r\x1b[31m", 13);
	assert_true(env.msg.p + env.msg.n == copy + sizeof(line) - 1);
	free(copy);
	/* NUL in the host: a host, as odd as it is */
	assert_int_equal(parse_n(&ctx, "Nov 21 03:12:45 h\0st p: x", 25, &env, &copy), 0);
	assert_int_equal(env.host.n, 4);
	free(copy);
}

/* Every prefix of every format: no read past the end, and a cut envelope never parses. */
static void test_truncated(void **state)
{
	static const char *lines[] = {
	    "<13>Nov 21 03:12:45.123456 host sshd[1234]: m",
	    "2026-11-21T03:12:45.123456+09:00 host kernel: [  12.5] m",
	    "2026-11-21T03:12:45+0900 host p[1]: m",
	    "<34>1 2026-11-21T03:12:45.003Z h app 12 ID [a@1 x=\"\\]\"][b y=\"\"] \xEF\xBB\xBFm",
	};
	struct mm_envelope_ctx ctx;
	struct mm_envelope env;
	size_t i, k, n;
	char *copy;
	int r;

	(void)state;
	mm_envelope_ctx_init(&ctx, DEC_2026, 0);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		n = strlen(lines[i]);
		for (k = 0; k <= n; k++) {
			r = parse_n(&ctx, lines[i], k, &env, &copy);
			/* the envelope ends with ": " (or the SD); only the message may be cut */
			if (k >= n - 1)
				assert_int_equal(r, 0);
			if (r == 0) {
				assert_true(env.msg.p >= copy && env.msg.p + env.msg.n == copy + k);
				assert_true(env.host.p == NULL || env.host.p >= copy);
			}
			free(copy);
		}
	}
	/* cut inside the envelope: no envelope */
	BAD(&ctx, "<13>Nov 21 03:12:45.123456 host sshd[12");
	BAD(&ctx, "2026-11-21T03:12:45.123456+09:00 host kern");
}

/* Flip and drop bytes of valid lines: must never crash (ASan/UBSan watch). */
static void test_mutations(void **state)
{
	static const char *lines[] = {
	    "Nov 21 03:12:45 host sshd[1234]: Accepted publickey for alice",
	    "2026-11-21T03:12:45.123456+09:00 host kernel: [  12.5] IN=eth0",
	    "<34>1 2026-11-21T03:12:45.003Z h app 12 ID [a@1 x=\"\\]\"] m",
	};
	static const char subst[] = {'\0', ' ', '[', ']', ':', '"',   '\\',
				     '<',  '>', '-', '+', '9', '\xff'};
	struct mm_envelope_ctx ctx;
	struct mm_envelope env;
	size_t i, k, j, n;
	char *copy;

	(void)state;
	mm_envelope_ctx_init(&ctx, DEC_2026, 2025);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		n = strlen(lines[i]);
		for (k = 0; k < n; k++) {
			for (j = 0; j < sizeof(subst); j++) {
				copy = malloc(n);
				assert_non_null(copy);
				memcpy(copy, lines[i], n);
				copy[k] = subst[j];
				if (mm_envelope_parse(&ctx, copy, n, &env) == 0)
					assert_true(env.msg.p + env.msg.n == copy + n);
				free(copy);
			}
		}
	}
}

static void test_corpus(void **state)
{
	(void)state;
	assert_int_equal(mm_corpus_run(mm_test_data("logs/envelope.txt")), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc3164),
	    cmocka_unit_test(test_kernel),
	    cmocka_unit_test(test_rfc3339),
	    cmocka_unit_test(test_rfc3339_utc),
	    cmocka_unit_test(test_rfc3339_local),
	    cmocka_unit_test(test_rfc5424),
	    cmocka_unit_test(test_year_from_mtime),
	    cmocka_unit_test(test_year_fixed),
	    cmocka_unit_test(test_dst),
	    cmocka_unit_test(test_dst_south),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_hostile_msg),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_mutations),
	    cmocka_unit_test(test_corpus),
	};

	set_tz("UTC");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
