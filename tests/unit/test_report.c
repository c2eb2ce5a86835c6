/* SPDX-License-Identifier: MIT */
/* The period-wide summary (lib/report/summary.c) and the JSON report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mamori/report.h"

#define HOUR 3600000000LL

static struct mm_event pkt(const char *src, int proto, int port, int64_t us)
{
	struct mm_event ev;

	mm_event_clear(&ev);
	ev.kind = MM_EV_PACKET;
	ev.dir = MM_DIR_IN;
	ev.proto = (int16_t)proto;
	ev.dst_port = port;
	ev.time.us = us;
	ev.time.set = true;
	assert_int_equal(mm_addr_parse(src, strlen(src), &ev.src), 0);
	return ev;
}

static void test_top_and_timeline(void **state)
{
	struct mm_summary *s = mm_summary_new(100);
	struct mm_source_stat top[3];
	struct mm_port_stat ports[3];
	struct mm_summary_totals t;
	struct mm_timeline tl;
	struct mm_event ev;
	char a[MM_ADDR_STRLEN];
	int i;

	(void)state;
	/* 203.0.113.9 sends 5 packets to 5060/udp, 198.51.100.1 two to 22/tcp */
	for (i = 0; i < 5; i++) {
		ev = pkt("203.0.113.9", 17, 5060, i * HOUR);
		mm_summary_event(s, &ev);
	}
	for (i = 0; i < 2; i++) {
		ev = pkt("198.51.100.1", 6, 22, 2 * HOUR);
		mm_summary_event(s, &ev);
	}
	/* outbound packets are not inbound ports */
	ev = pkt("192.0.2.10", 6, 23, 4 * HOUR);
	ev.dir = MM_DIR_OUT;
	mm_summary_event(s, &ev);
	/* an auth failure counts for its source and the ssh row */
	mm_event_clear(&ev);
	ev.kind = MM_EV_AUTH_FAILURE;
	ev.time.us = 3 * HOUR;
	ev.time.set = true;
	assert_int_equal(mm_addr_parse("198.51.100.1", 12, &ev.src), 0);
	mm_summary_event(s, &ev);

	mm_summary_totals(s, &t);
	assert_int_equal(t.by_kind[MM_EV_PACKET], 8);
	assert_int_equal(t.by_kind[MM_EV_AUTH_FAILURE], 1);
	assert_int_equal(t.sources, 2);
	assert_int_equal(t.first.us, 0);
	assert_int_equal(t.last.us, 4 * HOUR);

	assert_int_equal(mm_summary_top_sources(s, top, 3), 2);
	assert_string_equal(mm_addr_format(&top[0].addr, a), "203.0.113.9");
	assert_int_equal(top[0].packets, 5);
	assert_int_equal(top[1].auth_failures, 1);
	assert_int_equal(top[1].events, 3);

	assert_int_equal(mm_summary_top_ports(s, ports, 3), 2);
	assert_int_equal(ports[0].port, 5060);
	assert_int_equal(ports[0].proto, 17);
	assert_int_equal(ports[1].port, 22);

	/* 4 hours: hourly buckets, one row per port plus the ssh row */
	assert_int_equal(mm_summary_timeline(s, 6, 72, &tl), 0);
	assert_int_equal(tl.bucket_us, HOUR);
	assert_int_equal(tl.nbuckets, 5);
	assert_int_equal(tl.nseries, 3);
	assert_int_equal(tl.series[0].port, 5060);
	assert_int_equal(tl.series[0].total, 5);
	assert_int_equal(tl.series[0].counts[4], 1);
	assert_int_equal(tl.series[1].counts[2], 2);
	assert_int_equal(tl.series[2].proto, 0); /* ssh auth failures */
	assert_int_equal(tl.series[2].counts[3], 1);
	mm_timeline_release(&tl);
	/* a shorter hourly limit gives daily buckets */
	assert_int_equal(mm_summary_timeline(s, 6, 2, &tl), 0);
	assert_int_equal(tl.bucket_us, 24 * HOUR);
	assert_int_equal(tl.nbuckets, 1);
	mm_timeline_release(&tl);
	mm_summary_free(s);
	mm_summary_free(NULL);
}

static void test_source_cap(void **state)
{
	struct mm_summary *s = mm_summary_new(10);
	struct mm_summary_totals t;
	struct mm_event ev;
	char src[32];
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		snprintf(src, sizeof(src), "10.0.%d.%d", i / 250, i % 250 + 1);
		ev = pkt(src, 6, 22, i);
		mm_summary_event(s, &ev);
	}
	mm_summary_totals(s, &t);
	assert_int_equal(t.sources, 10);
	assert_int_equal(t.sources_untracked, 990);
	mm_summary_free(s);
}

static void test_json(void **state)
{
	struct mm_report_input in = {.name = "a\"b.log", .lines = 3};
	struct mm_finding f;
	struct mm_report r;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(&f, 0, sizeof(f));
	f.kind = MM_FIND_SSH_BRUTEFORCE;
	f.proto = -1;
	f.port = -1;
	f.count = 7;
	assert_int_equal(mm_addr_parse("2001:db8::1", 11, &f.src), 0);
	r.version = "test";
	r.inputs = &in;
	r.ninputs = 1;
	r.findings = &f;
	r.nfindings = 1;
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	assert_int_equal(mm_report_json(&r, out), 0);
	fclose(out);
	assert_non_null(strstr(buf, "\"name\":\"a\\\"b.log\""));
	assert_non_null(strstr(buf, "{\"kind\":\"ssh-bruteforce\",\"src\":\"2001:db8::1\""));
	assert_non_null(strstr(buf, "\"count\":7"));
	assert_non_null(strstr(buf, "\"timeline\":null"));
	assert_non_null(strstr(buf, "\"enrichment\":null"));
	assert_true(len > 0 && buf[len - 1] == '\n');
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_top_and_timeline),
	    cmocka_unit_test(test_source_cap),
	    cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
