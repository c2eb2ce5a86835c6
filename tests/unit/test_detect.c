/* SPDX-License-Identifier: MIT */
/*
 * Detector tests on synthetic event streams: thresholds at and below the
 * limit, inclusive window edges, burst extension and re-trigger, scan
 * types, sweeps, service sweeps, ssh brute force / slow / enumeration,
 * fan-out, LRU bounds, caps, out-of-order time and malformed events.
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

#include "mamori/detect.h"
#include "mamori/event.h"
#include "mamori/logs.h"

#define T0 1700000000LL /* seconds */
#define SEC 1000000LL
#define MS 1000LL

static struct mm_addr A(const char *s) {
	struct mm_addr a;

	memset(&a, 0, sizeof(a));
	assert_int_equal(mm_addr_parse(s, strlen(s), &a), 0);
	return a;
}

static struct mm_addr
v4(uint32_t x)
{
	struct mm_addr a;

	memset(&a, 0, sizeof(a));
	a.family = MM_AF_INET;
	a.b[0] = (uint8_t)(x >> 24);
	a.b[1] = (uint8_t)(x >> 16);
	a.b[2] = (uint8_t)(x >> 8);
	a.b[3] = (uint8_t)x;
	return a;
}

/* us since T0 */
static struct mm_time at(int64_t us)
{
	struct mm_time t = {.us = T0 * SEC + us, .off = 0, .set = true};
	return t;
}

static struct mm_event pkt_a(struct mm_addr src, struct mm_addr dst, int port, int proto,
			     uint8_t flags, enum mm_direction dir, int64_t us)
{
	struct mm_event ev;

	mm_event_clear(&ev);
	ev.kind = MM_EV_PACKET;
	ev.time = at(us);
	ev.src = src;
	ev.dst = dst;
	ev.src_port = 40000;
	ev.dst_port = port;
	ev.proto = (int16_t)proto;
	ev.tcp_flags = flags;
	ev.dir = dir;
	return ev;
}

static void feed_pkt(struct mm_detector *d, const char *src, const char *dst, int port, int proto,
		     uint8_t flags, enum mm_direction dir, int64_t us)
{
	struct mm_event ev = pkt_a(A(src), A(dst), port, proto, flags, dir, us);

	mm_detector_event(d, &ev);
}

static void feed_fail(struct mm_detector *d, const char *src, const char *user, bool counted,
		      int64_t us)
{
	struct mm_event ev;

	mm_event_clear(&ev);
	ev.kind = MM_EV_AUTH_FAILURE;
	ev.time = at(us);
	ev.src = A(src);
	ev.counted = counted;
	if (user)
		ev.user = mm_span_make(user, strlen(user));
	mm_detector_event(d, &ev);
}

/* a config with every detector disabled, for focused tests */
static struct mm_detect_cfg none_cfg(void)
{
	struct mm_detect_cfg c;

	mm_detect_cfg_defaults(&c);
	c.portscan_ports = c.sweep_hosts = c.service_sources = 0;
	c.ssh_failures = c.ssh_slow_failures = c.ssh_users = c.fanout_hosts = 0;
	return c;
}

static size_t count_kind(struct mm_detector *d, enum mm_finding_kind k,
			 const struct mm_finding **first)
{
	const struct mm_finding *f;
	size_t n = mm_detector_findings(d, &f), i, c = 0;

	if (first)
		*first = NULL;
	for (i = 0; i < n; i++) {
		if (f[i].kind != k)
			continue;
		if (first && !*first)
			*first = &f[i];
		c++;
	}
	return c;
}

static void test_defaults_and_names(void **state)
{
	struct mm_detect_cfg c;

	(void)state;
	mm_detect_cfg_defaults(&c);
	assert_int_equal(c.portscan_ports, 15);
	assert_int_equal(c.portscan_window, 300);
	assert_int_equal(c.ssh_failures, 5);
	assert_int_equal(c.ssh_window, 600);
	assert_int_equal(c.ssh_slow_failures, 20);
	assert_int_equal(c.ssh_slow_window, 86400);
	assert_true(c.max_keys > 0 && c.max_findings > 0);
	assert_string_equal(mm_finding_kind_name(MM_FIND_PORTSCAN), "port-scan");
	assert_string_equal(mm_finding_kind_name(MM_FIND_SSH_USER_ENUM), "ssh-user-enum");
	assert_string_equal(mm_finding_kind_name((enum mm_finding_kind)99), "unknown");
	assert_string_equal(mm_scan_type_name(MM_SCAN_XMAS), "xmas");
	assert_string_equal(mm_scan_type_name(MM_SCAN_MIXED), "mixed");
	mm_detector_free(NULL);
	assert_null(mm_detector_new(NULL));
}

/* n distinct ports from one source, one per step_us */
static struct mm_detector *scan_run(const struct mm_detect_cfg *c, const char *src, int n,
				    int64_t step_us, int64_t start)
{
	struct mm_detector *d = mm_detector_new(c);
	int i;

	assert_non_null(d);
	for (i = 0; i < n; i++)
		feed_pkt(d, src, "192.0.2.10", 1000 + i, 6, MM_TCP_SYN, MM_DIR_IN,
			 start + i * step_us);
	return d;
}

static void test_portscan_threshold(void **state)
{
	struct mm_detect_cfg c = none_cfg();
	const struct mm_finding *f;
	struct mm_detector *d;
	int i;

	(void)state;
	c.portscan_ports = 15;
	c.portscan_window = 300;
	/* 14 distinct ports: below */
	d = scan_run(&c, "198.51.100.7", 14, SEC, 0);
	mm_detector_finish(d);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, NULL), 0);
	/* repeating a port does not make it distinct */
	feed_pkt(d, "198.51.100.7", "192.0.2.10", 1000, 6, MM_TCP_SYN, MM_DIR_IN, 20 * SEC);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, NULL), 0);
	mm_detector_free(d);

	/* exactly 15 */
	d = scan_run(&c, "198.51.100.7", 15, SEC, 0);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, &f), 1);
	assert_true(mm_addr_eq(&f->src, &(struct mm_addr){0}) == false);
	assert_int_equal(f->distinct_ports, 15);
	assert_int_equal(f->count, 15);
	assert_int_equal(f->nports, 15);
	for (i = 0; i < 15; i++)
		assert_int_equal(f->ports[i], 1000 + i);
	assert_int_equal(f->scan, MM_SCAN_SYN);
	assert_int_equal(f->proto, 6);
	assert_int_equal(f->port, -1);
	assert_int_equal(f->distinct_hosts, 1);
	{
		struct mm_addr dst = A("192.0.2.10"), src = A("198.51.100.7");
		assert_true(mm_addr_eq(&f->dst, &dst));
		assert_true(mm_addr_eq(&f->src, &src));
	}
	assert_int_equal(f->first.us, T0 * SEC);
	assert_int_equal(f->last.us, T0 * SEC + 14 * SEC);
	assert_false(f->approx);
	mm_detector_free(d);
}

static void test_portscan_window_edge(void **state)
{
	struct mm_detect_cfg c = none_cfg();
	struct mm_detector *d;
	int i;

	(void)state;
	c.portscan_ports = 5;
	c.portscan_window = 300;
	/* 5 ports, the last exactly 300 s after the first: inclusive, found */
	d = mm_detector_new(&c);
	for (i = 0; i < 4; i++)
		feed_pkt(d, "198.51.100.7", "192.0.2.10", 80 + i, 6, 0, MM_DIR_IN, i * SEC);
	feed_pkt(d, "198.51.100.7", "192.0.2.10", 99, 6, 0, MM_DIR_IN, 300 * SEC);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, NULL), 1);
	mm_detector_free(d);
	/* one millisecond later: the first port expired */
	d = mm_detector_new(&c);
	for (i = 0; i < 4; i++)
		feed_pkt(d, "198.51.100.7", "192.0.2.10", 80 + i, 6, 0, MM_DIR_IN, i * SEC);
	feed_pkt(d, "198.51.100.7", "192.0.2.10", 99, 6, 0, MM_DIR_IN, 300 * SEC + MS);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, NULL), 0);
	/* ...but a sixth port still inside the window of ports 1..4 completes it */
	feed_pkt(d, "198.51.100.7", "192.0.2.10", 100, 6, 0, MM_DIR_IN, 301 * SEC);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, NULL), 1);
	mm_detector_free(d);
}

static void test_portscan_burst(void **state)
{
	struct mm_detect_cfg c = none_cfg();
	const struct mm_finding *f;
	struct mm_detector *d;
	int i;

	(void)state;
	c.portscan_ports = 15;
	c.portscan_window = 300;
	/* 1000 ports at 10 per second: one finding that keeps growing */
	d = scan_run(&c, "198.51.100.7", 1000, 100 * MS, 0);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, &f), 1);
	assert_int_equal(f->count, 1000);
	assert_true(f->distinct_ports >= 900 && f->distinct_ports <= 1100);
	assert_true(f->approx);
	assert_int_equal(f->nports, MM_FINDING_MAX_PORTS);
	assert_int_equal(f->ports[15], 1015);
	assert_int_equal(f->last.us, T0 * SEC + 999 * 100 * MS);
	/* quiet for exactly one window: still the same burst */
	feed_pkt(d, "198.51.100.7", "192.0.2.10", 5000, 6, MM_TCP_SYN, MM_DIR_IN,
		 999 * 100 * MS + 300 * SEC);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, &f), 1);
	assert_int_equal(f->count, 1001);
	/* quiet for more than a window, then scanning again: a second finding */
	for (i = 0; i < 15; i++)
		feed_pkt(d, "198.51.100.7", "192.0.2.10", 2000 + i, 6, MM_TCP_SYN, MM_DIR_IN,
			 2000 * SEC + i * SEC);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, &f), 2);
	assert_int_equal(f->count, 1001);
	{
		const struct mm_finding *all;
		size_t n = mm_detector_findings(d, &all);
		assert_int_equal(n, 2);
		assert_int_equal(all[1].count, 15);
		assert_int_equal(all[1].ports[0], 2000);
		assert_int_equal(all[1].first.us, T0 * SEC + 2000 * SEC);
	}
	mm_detector_free(d);
}

static const struct {
	int proto;
	uint8_t flags[2];
	enum mm_scan_type want;
} scan_cases[] = {
    {6, {MM_TCP_SYN, MM_TCP_SYN}, MM_SCAN_SYN},
    {6, {MM_TCP_FIN, MM_TCP_FIN}, MM_SCAN_FIN},
    {6, {0, 0}, MM_SCAN_NULL},
    {6, {MM_TCP_FIN | MM_TCP_PSH | MM_TCP_URG, MM_TCP_FIN | MM_TCP_PSH | MM_TCP_URG}, MM_SCAN_XMAS},
    {6, {MM_TCP_ACK, MM_TCP_ACK}, MM_SCAN_ACK},
    {17, {0, 0}, MM_SCAN_UDP},
    {6, {MM_TCP_SYN, MM_TCP_FIN}, MM_SCAN_MIXED},
    {6, {MM_TCP_SYN, MM_TCP_SYN | MM_TCP_ACK}, MM_SCAN_SYN}, /* SYN-ACK has no signature */
    {6, {MM_TCP_RST, MM_TCP_RST}, MM_SCAN_NONE},
};

static void test_scan_types(void **state)
{
	struct mm_detect_cfg c = none_cfg();
	size_t k;
	int i;

	(void)state;
	c.portscan_ports = 10;
	c.sweep_hosts = 10;
	for (k = 0; k < sizeof(scan_cases) / sizeof(scan_cases[0]); k++) {
		struct mm_detector *d = mm_detector_new(&c);
		const struct mm_finding *f;

		for (i = 0; i < 10; i++)
			feed_pkt(d, "203.0.113.5", "192.0.2.1", 20 + i, scan_cases[k].proto,
				 scan_cases[k].flags[i & 1], MM_DIR_IN, i * SEC);
		assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, &f), 1);
		assert_int_equal(f->scan, scan_cases[k].want);
		assert_int_equal(f->proto, scan_cases[k].proto);
		/* and on a sweep (by another source: a port scanner's own sweeps
		 * are part of its port scan finding) */
		for (i = 0; i < 10; i++) {
			char dst[32];
			snprintf(dst, sizeof(dst), "192.0.2.%d", 100 + i);
			feed_pkt(d, "203.0.113.6", dst, 5060, scan_cases[k].proto,
				 scan_cases[k].flags[i & 1], MM_DIR_IN, 20 * SEC + i * SEC);
		}
		assert_int_equal(count_kind(d, MM_FIND_SWEEP, &f), 1);
		assert_int_equal(f->scan, scan_cases[k].want);
		mm_detector_free(d);
	}
}

static void test_portscan_v6_multihost_mixed_proto(void **state)
{
	struct mm_detect_cfg c = none_cfg();
	const struct mm_finding *f;
	struct mm_detector *d;
	struct mm_addr src = A("2001:db8::bad");
	int i;

	(void)state;
	c.portscan_ports = 15;
	d = mm_detector_new(&c);
	for (i = 0; i < 15; i++) {
		char dst[64];
		snprintf(dst, sizeof(dst), "2001:db8:1::%x", i % 3 + 1);
		feed_pkt(d, "2001:db8::bad", dst, 100 + i, i < 7 ? 6 : 17, 0, MM_DIR_UNKNOWN,
			 i * SEC);
	}
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, &f), 1);
	assert_true(mm_addr_eq(&f->src, &src));
	assert_int_equal(f->dst.family, MM_AF_NONE);
	assert_int_equal(f->distinct_hosts, 3);
	assert_int_equal(f->proto, -1);
	assert_int_equal(f->scan, MM_SCAN_MIXED);
	/* outbound packets are not inbound scans */
	for (i = 0; i < 20; i++)
		feed_pkt(d, "2001:db8::2", "2001:db8:1::1", 100 + i, 6, MM_TCP_SYN, MM_DIR_OUT,
			 20 * SEC + i * SEC);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, NULL), 1);
	/* forwarded ones are: the router logs scans of the hosts behind it */
	for (i = 0; i < 20; i++)
		feed_pkt(d, "2001:db8::3", "2001:db8:1::1", 100 + i, 6, MM_TCP_SYN, MM_DIR_FWD,
			 20 * SEC + i * SEC);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, NULL), 2);
	mm_detector_free(d);
}

static void test_sweep(void **state)
{
	struct mm_detect_cfg c = none_cfg();
	const struct mm_finding *f;
	struct mm_detector *d;
	int i;

	(void)state;
	c.sweep_hosts = 10;
	c.sweep_window = 300;
	d = mm_detector_new(&c);
	for (i = 0; i < 9; i++)
		feed_pkt(d, "203.0.113.9", "10.0.0.1", 22, 6, MM_TCP_SYN, MM_DIR_IN, 0);
	for (i = 0; i < 9; i++) {
		char dst[32];
		snprintf(dst, sizeof(dst), "10.0.0.%d", i + 1);
		feed_pkt(d, "203.0.113.9", dst, 22, 6, MM_TCP_SYN, MM_DIR_IN, i * SEC);
		/* another port and another protocol are other keys */
		feed_pkt(d, "203.0.113.9", dst, 23, 6, MM_TCP_SYN, MM_DIR_IN, i * SEC);
		feed_pkt(d, "203.0.113.9", dst, 22, 17, 0, MM_DIR_IN, i * SEC);
	}
	/* broadcast is no host */
	feed_pkt(d, "203.0.113.9", "255.255.255.255", 22, 6, MM_TCP_SYN, MM_DIR_IN, 10 * SEC);
	assert_int_equal(count_kind(d, MM_FIND_SWEEP, NULL), 0);
	feed_pkt(d, "203.0.113.9", "10.0.0.10", 22, 6, MM_TCP_SYN, MM_DIR_IN, 11 * SEC);
	assert_int_equal(count_kind(d, MM_FIND_SWEEP, &f), 1);
	assert_int_equal(f->port, 22);
	assert_int_equal(f->proto, 6);
	assert_int_equal(f->distinct_hosts, 10);
	assert_int_equal(f->dst.family, MM_AF_NONE);
	assert_int_equal(f->count, 19);
	for (i = 0; i < 50; i++) {
		char dst[32];
		snprintf(dst, sizeof(dst), "10.0.1.%d", i + 1);
		feed_pkt(d, "203.0.113.9", dst, 22, 6, MM_TCP_SYN, MM_DIR_IN, 12 * SEC + i * MS);
	}
	assert_int_equal(count_kind(d, MM_FIND_SWEEP, &f), 1);
	assert_true(f->distinct_hosts >= 55 && f->distinct_hosts <= 65);
	assert_int_equal(f->count, 69);
	mm_detector_free(d);
	/* a scanner of all ports on a /28 (each port on all 14 hosts, then the
	 * next port) is one port scan once recognised, not one sweep per port:
	 * only the 14 ports swept before the 15th port made it a port scan
	 * are sweeps, and no per-port state is kept after that */
	c.portscan_ports = 15;
	d = mm_detector_new(&c);
	for (i = 0; i < 2000; i++) {
		char dst[32];
		snprintf(dst, sizeof(dst), "10.9.0.%d", 1 + i % 14);
		feed_pkt(d, "203.0.113.77", dst, 1 + i / 14, 6, MM_TCP_SYN, MM_DIR_IN, i * MS);
	}
	assert_int_equal(count_kind(d, MM_FIND_SWEEP, NULL), 14);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, &f), 1);
	assert_int_equal(f->distinct_hosts, 14);
	assert_int_equal(f->count, 2000); /* the whole run */
	assert_int_equal(f->dst.family, MM_AF_NONE);
	{
		struct mm_detect_stats st;
		mm_detector_stats(d, &st);
		assert_true(st.keys <= 16);
	}
	mm_detector_free(d);
}

/*
 * The detectors must depend only on the bytes of an address that belong to
 * its family: an IPv4 address leaves b[4..15] unused, and whatever is there
 * (a reused buffer, a struct copied from elsewhere) must change nothing.
 * The /28 all-ports scan of test_sweep, with those bytes scrambled on
 * every event, must give the same findings and distinct counts.
 */
static struct mm_addr scramble(struct mm_addr a, unsigned seed)
{
	unsigned i;

	for (i = 4; i < 16; i++)
		a.b[i] = (uint8_t)(seed * 131u + i * 29u + 7u);
	return a;
}

static void test_unused_address_bytes(void **state)
{
	struct mm_detect_cfg c = none_cfg();
	const struct mm_finding *f;
	struct mm_detector *d;
	int i;

	(void)state;
	c.sweep_hosts = 10;
	c.portscan_ports = 15;
	c.service_sources = 2;
	d = mm_detector_new(&c);
	for (i = 0; i < 2000; i++) {
		char dst[32];
		struct mm_event ev;
		snprintf(dst, sizeof(dst), "10.9.0.%d", 1 + i % 14);
		ev = pkt_a(scramble(A("203.0.113.77"), (unsigned)i),
			   scramble(A(dst), (unsigned)i * 3u), 1 + i / 14, 6, MM_TCP_SYN, MM_DIR_IN,
			   i * MS);
		mm_detector_event(d, &ev);
	}
	mm_detector_finish(d);
	assert_int_equal(count_kind(d, MM_FIND_SWEEP, NULL), 14);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, &f), 1);
	assert_int_equal(f->distinct_hosts, 14);
	assert_int_equal(f->count, 2000);
	assert_false(f->approx && f->distinct_hosts != 14);
	/* one source, however its unused bytes look: no service sweep */
	assert_int_equal(count_kind(d, MM_FIND_SERVICE_SWEEP, NULL), 0);
	{
		struct mm_detect_stats st;
		mm_detector_stats(d, &st);
		assert_true(st.keys <= 16);
	}
	mm_detector_free(d);
}

/* Lines through the line pipeline into the detectors, repeats unfolded. */
static size_t feed_lines(struct mm_detector *d, const char *const *lines, size_t n)
{
	struct mm_logparser *lp = mm_logparser_new();
	struct mm_event ev;
	size_t i, events = 0;

	assert_non_null(lp);
	mm_logparser_begin(lp, "test", 1796083200, 0);
	for (i = 0; i < n; i++) {
		int r = mm_logparser_line(lp, lines[i], strlen(lines[i]), i + 1, &ev);
		while (r == 1) {
			mm_detector_event(d, &ev);
			events++;
			r = mm_logparser_next(lp, &ev);
		}
	}
	mm_logparser_free(lp);
	return events;
}

/*
 * Folded repeats are attempts like any other: one "Failed password" and
 * rsyslog's "message repeated 4 times" of it are five failures, a brute
 * force at the default threshold; so is sysklogd's "last message repeated".
 * A repeat line naming another host, or a marker inside the message (a
 * user name), adds nothing.
 */
static void test_folded_repeats(void **state)
{
	static const char *const rsyslog[] = {
	    ("Nov 21 04:00:00 web1 sshd[7000]: Failed password for root from 203.0.113.40 port "
	     "50000 ssh2"),
	    ("Nov 21 04:00:09 web1 sshd[7000]: message repeated 4 times: [ Failed password for "
	     "root "
	     "from 203.0.113.40 port 50000 ssh2]"),
	};
	static const char *const sysklogd[] = {
	    ("Nov 21 04:00:00 web1 sshd[7000]: Failed password for root from 203.0.113.40 port "
	     "50000 ssh2"),
	    "Nov 21 04:00:09 web1 last message repeated 3 times",
	    "Nov 21 04:00:10 web1 last message repeated 1 times",
	};
	static const char *const forged[] = {
	    ("Nov 21 04:00:00 web1 sshd[7000]: Failed password for root from 203.0.113.40 port "
	     "50000 ssh2"),
	    "Nov 21 04:00:09 web2 last message repeated 3 times",
	    ("Nov 21 04:00:10 web1 sshd[7001]: Failed password for invalid user message repeated 9 "
	     "times: [ x from 203.0.113.40 port 50001 ssh2"),
	    ("Nov 21 04:00:11 web1 sshd[7002]: Failed password for invalid user ] from "
	     "198.51.100.1 "
	     "port 50002 ssh2"),
	    "Nov 21 04:00:12 web1 last message repeated 1 times",
	};
	struct mm_detect_cfg c = none_cfg();
	const struct mm_finding *f;
	struct mm_detector *d;

	(void)state;
	c.ssh_failures = 5;
	c.ssh_window = 600;

	d = mm_detector_new(&c);
	assert_int_equal(feed_lines(d, rsyslog, 2), 5);
	assert_int_equal(count_kind(d, MM_FIND_SSH_BRUTEFORCE, &f), 1);
	assert_int_equal(f->count, 5);
	mm_detector_free(d);

	d = mm_detector_new(&c);
	assert_int_equal(feed_lines(d, sysklogd, 3), 5);
	assert_int_equal(count_kind(d, MM_FIND_SSH_BRUTEFORCE, &f), 1);
	assert_int_equal(f->count, 5);
	mm_detector_free(d);

	/* 203.0.113.40: two failures; 198.51.100.1: two (its line and one
	 * repeat); nothing reaches five */
	d = mm_detector_new(&c);
	assert_int_equal(feed_lines(d, forged, 5), 4);
	assert_int_equal(count_kind(d, MM_FIND_SSH_BRUTEFORCE, NULL), 0);
	mm_detector_free(d);
}

static void test_service_sweep(void **state)
{
	struct mm_detect_cfg c = none_cfg();
	const struct mm_finding *f;
	struct mm_detector *d;
	uint32_t i;

	(void)state;
	c.service_sources = 10;
	d = mm_detector_new(&c);
	/* 5060/udp: 10 sources, each twice */
	for (i = 0; i < 20; i++)
		mm_detector_event(d, &(struct mm_event){0});
	for (i = 0; i < 20; i++) {
		struct mm_event ev = pkt_a(v4(0xc6336400u + i % 10), A("192.0.2.1"), 5060, 17, 0,
					   MM_DIR_IN, (int64_t)i * SEC);
		mm_detector_event(d, &ev);
	}
	/* 5060/tcp: 9 sources only */
	for (i = 0; i < 9; i++) {
		struct mm_event ev = pkt_a(v4(0xc6336400u + i), A("192.0.2.1"), 5060, 6, MM_TCP_SYN,
					   MM_DIR_IN, (int64_t)i * SEC);
		mm_detector_event(d, &ev);
	}
	/* 3389/tcp: 100000 sources, counted with the estimator; appears earlier */
	for (i = 0; i < 100000; i++) {
		struct mm_event ev = pkt_a(v4(0x0a000000u + i * 7), A("192.0.2.1"), 3389, 6,
					   MM_TCP_SYN, MM_DIR_IN, -1 * SEC + (int64_t)i);
		mm_detector_event(d, &ev);
	}
	assert_int_equal(count_kind(d, MM_FIND_SERVICE_SWEEP, NULL), 0);
	mm_detector_finish(d);
	mm_detector_finish(d); /* idempotent */
	assert_int_equal(count_kind(d, MM_FIND_SERVICE_SWEEP, NULL), 2);
	{
		const struct mm_finding *all;
		size_t n = mm_detector_findings(d, &all);
		assert_int_equal(n, 2);
		f = &all[0];
		assert_int_equal(f->port, 3389);
		assert_int_equal(f->proto, 6);
		assert_true(f->approx);
		assert_true(f->distinct_sources > 90000 && f->distinct_sources < 110000);
		assert_int_equal(f->count, 100000);
		f = &all[1];
		assert_int_equal(f->port, 5060);
		assert_int_equal(f->proto, 17);
		assert_int_equal(f->distinct_sources, 10);
		assert_int_equal(f->count, 20);
		assert_int_equal(f->src.family, MM_AF_NONE);
		assert_int_equal(f->first.us, T0 * SEC);
		assert_int_equal(f->last.us, T0 * SEC + 19 * SEC);
		assert_false(f->approx);
	}
	mm_detector_free(d);
}

static void test_ssh_bruteforce(void **state)
{
	struct mm_detect_cfg c = none_cfg();
	const struct mm_finding *f;
	struct mm_detector *d;
	int i;

	(void)state;
	c.ssh_failures = 5;
	c.ssh_window = 600;
	d = mm_detector_new(&c);
	/* 4 counted + 4 uncounted lines of the same attempts: below */
	for (i = 0; i < 4; i++) {
		feed_fail(d, "198.51.100.20", "root", true, i * SEC);
		feed_fail(d, "198.51.100.20", "root", false, i * SEC);
	}
	assert_int_equal(count_kind(d, MM_FIND_SSH_BRUTEFORCE, NULL), 0);
	/* the 5th exactly 600 s after the first: inclusive */
	feed_fail(d, "198.51.100.20", "root", true, 600 * SEC);
	assert_int_equal(count_kind(d, MM_FIND_SSH_BRUTEFORCE, &f), 1);
	assert_int_equal(f->count, 5);
	assert_int_equal(f->distinct_users, 0); /* user detector off */
	/* extends */
	feed_fail(d, "198.51.100.20", "admin", true, 700 * SEC);
	assert_int_equal(f->count, 6);
	assert_int_equal(f->last.us, T0 * SEC + 700 * SEC);
	/* quiet > 600 s, then 5 more: a new finding */
	for (i = 0; i < 5; i++)
		feed_fail(d, "198.51.100.20", "root", true, 1301 * SEC + i * SEC);
	assert_int_equal(count_kind(d, MM_FIND_SSH_BRUTEFORCE, NULL), 2);
	mm_detector_free(d);

	/* one millisecond too late */
	d = mm_detector_new(&c);
	for (i = 0; i < 4; i++)
		feed_fail(d, "198.51.100.20", "root", true, i * SEC);
	feed_fail(d, "198.51.100.20", "root", true, 600 * SEC + 1 * MS);
	assert_int_equal(count_kind(d, MM_FIND_SSH_BRUTEFORCE, NULL), 0);
	mm_detector_free(d);
}

static void test_ssh_slow(void **state)
{
	struct mm_detect_cfg c;
	const struct mm_finding *f;
	struct mm_detector *d;
	int i;

	(void)state;
	mm_detect_cfg_defaults(&c);
	/* one attempt every 30 min: never 5 in 10 min, 20 within 24 h */
	d = mm_detector_new(&c);
	for (i = 0; i < 19; i++)
		feed_fail(d, "198.51.100.30", "root", true, i * 1800 * SEC);
	assert_int_equal(count_kind(d, MM_FIND_SSH_SLOW_BRUTEFORCE, NULL), 0);
	feed_fail(d, "198.51.100.30", "root", true, 19 * 1800 * SEC);
	assert_int_equal(count_kind(d, MM_FIND_SSH_SLOW_BRUTEFORCE, &f), 1);
	assert_int_equal(count_kind(d, MM_FIND_SSH_BRUTEFORCE, NULL), 0);
	assert_int_equal(f->count, 20);
	assert_int_equal(f->distinct_users, 1);
	assert_int_equal(f->first.us, T0 * SEC);
	feed_fail(d, "198.51.100.30", "root", true, 20 * 1800 * SEC);
	assert_int_equal(f->count, 21);
	mm_detector_free(d);

	/* a fast attacker is reported once, as fast */
	d = mm_detector_new(&c);
	for (i = 0; i < 100; i++)
		feed_fail(d, "198.51.100.31", "root", true, i * SEC);
	assert_int_equal(count_kind(d, MM_FIND_SSH_BRUTEFORCE, &f), 1);
	assert_int_equal(f->count, 100);
	assert_int_equal(count_kind(d, MM_FIND_SSH_SLOW_BRUTEFORCE, NULL), 0);
	mm_detector_free(d);

	/* one attempt every 80 min: 20 attempts span 25.3 h, never 20 in 24 h */
	d = mm_detector_new(&c);
	for (i = 0; i < 40; i++)
		feed_fail(d, "198.51.100.32", "root", true, i * 4800 * SEC);
	assert_int_equal(count_kind(d, MM_FIND_SSH_SLOW_BRUTEFORCE, NULL), 0);
	mm_detector_free(d);
}

static void test_ssh_user_enum(void **state)
{
	struct mm_detect_cfg c = none_cfg();
	const struct mm_finding *f;
	struct mm_detector *d;
	char user[64];
	int i;

	(void)state;
	c.ssh_users = 10;
	c.ssh_slow_window = 86400;
	c.ssh_failures = 5;
	d = mm_detector_new(&c);
	/* the same user 50 times: no enumeration */
	for (i = 0; i < 50; i++)
		feed_fail(d, "198.51.100.40", "root", true, i * 3600 * MS);
	assert_int_equal(count_kind(d, MM_FIND_SSH_USER_ENUM, NULL), 0);
	/* 8 more names, some only on uncounted lines, slowly (one per hour) */
	for (i = 0; i < 8; i++) {
		snprintf(user, sizeof(user), "user%d", i);
		feed_fail(d, "198.51.100.40", user, i & 1, 3600 * SEC + i * 3600 * SEC);
	}
	assert_int_equal(count_kind(d, MM_FIND_SSH_USER_ENUM, NULL), 0);
	/* a hostile name: long, with NUL, newline and invalid UTF-8 */
	{
		struct mm_event ev;
		static char evil[4096];

		memset(evil, 'A', sizeof(evil));
		evil[10] = '\0';
		evil[11] = '\n';
		evil[12] = (char)0xff;
		mm_event_clear(&ev);
		ev.kind = MM_EV_AUTH_FAILURE;
		ev.time = at(10 * 3600 * SEC);
		ev.src = A("198.51.100.40");
		ev.user = mm_span_make(evil, sizeof(evil));
		mm_detector_event(d, &ev);
	}
	assert_int_equal(count_kind(d, MM_FIND_SSH_USER_ENUM, &f), 1);
	assert_int_equal(f->distinct_users, 10);
	for (i = 0; i < 40; i++) {
		snprintf(user, sizeof(user), "guess%d", i);
		feed_fail(d, "198.51.100.40", user, true, 11 * 3600 * SEC + i * 60 * SEC);
	}
	assert_int_equal(count_kind(d, MM_FIND_SSH_USER_ENUM, &f), 1);
	assert_true(f->distinct_users >= 45 && f->distinct_users <= 55);
	mm_detector_free(d);
}

static void test_fanout(void **state)
{
	struct mm_detect_cfg c = none_cfg();
	const struct mm_finding *f;
	struct mm_detector *d;
	uint32_t i;

	(void)state;
	c.fanout_hosts = 20;
	c.fanout_window = 300;
	d = mm_detector_new(&c);
	/* inbound from many hosts: not fan-out */
	for (i = 0; i < 30; i++) {
		struct mm_event ev = pkt_a(v4(0xcb007100u + i), A("192.0.2.1"), 22, 6, MM_TCP_SYN,
					   MM_DIR_IN, (int64_t)i * SEC);
		mm_detector_event(d, &ev);
	}
	for (i = 0; i < 19; i++) {
		struct mm_event ev = pkt_a(A("192.0.2.1"), v4(0xcb007100u + i), 22, 6, MM_TCP_SYN,
					   MM_DIR_OUT, (int64_t)i * SEC);
		mm_detector_event(d, &ev);
	}
	assert_int_equal(count_kind(d, MM_FIND_OUTBOUND_FANOUT, NULL), 0);
	{
		struct mm_event ev = pkt_a(A("192.0.2.1"), v4(0xcb007100u + 19), 22, 6, MM_TCP_SYN,
					   MM_DIR_OUT, 19 * SEC);
		mm_detector_event(d, &ev);
	}
	assert_int_equal(count_kind(d, MM_FIND_OUTBOUND_FANOUT, &f), 1);
	{
		struct mm_addr me = A("192.0.2.1");
		assert_true(mm_addr_eq(&f->src, &me));
	}
	assert_int_equal(f->port, 22);
	assert_int_equal(f->proto, 6);
	assert_int_equal(f->distinct_hosts, 20);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, NULL), 0);
	mm_detector_free(d);
}

static void test_lru_bounded(void **state)
{
	struct mm_detect_cfg c;
	struct mm_detect_stats st;
	const struct mm_finding *f;
	struct mm_detector *d;
	uint32_t i;

	(void)state;
	mm_detect_cfg_defaults(&c);
	c.max_keys = 1000;
	d = mm_detector_new(&c);
	/* one source scans: a finding in progress */
	for (i = 0; i < 20; i++)
		feed_pkt(d, "198.51.100.99", "192.0.2.1", 1 + (int)i, 6, MM_TCP_SYN, MM_DIR_IN,
			 (int64_t)i * MS);
	/* then a million spoofed sources, one packet and one failure each */
	for (i = 0; i < 1000000; i++) {
		struct mm_event ev = pkt_a(v4(0x0b000000u + i), A("192.0.2.1"), 80 + (int)(i & 7),
					   6, MM_TCP_SYN, MM_DIR_IN, 1 * SEC + (int64_t)i);
		mm_detector_event(d, &ev);
		if ((i & 3) == 0) {
			ev.kind = MM_EV_AUTH_FAILURE;
			mm_detector_event(d, &ev);
		}
	}
	/* the scanner was evicted: its finding is kept; when it resumes within
	 * the window it starts a new key, hence a new finding */
	mm_detector_stats(d, &st);
	assert_true(st.keys_max <= 1000);
	assert_true(st.keys <= 3000);
	assert_true(st.evicted >= 1000000 - 1000);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, &f), 1);
	assert_int_equal(f->count, 20);
	assert_int_equal(f->distinct_ports, 20);
	assert_int_equal(st.events, 20 + 1000000 + 250000);
	mm_detector_finish(d);
	mm_detector_free(d);
}

static void test_findings_cap(void **state)
{
	struct mm_detect_cfg c = none_cfg();
	struct mm_detect_stats st;
	struct mm_detector *d;
	uint32_t s;
	int i;

	(void)state;
	c.portscan_ports = 3;
	c.max_findings = 5;
	d = mm_detector_new(&c);
	for (s = 0; s < 10; s++)
		for (i = 0; i < 10; i++) {
			struct mm_event ev = pkt_a(v4(0xc6336400u + s), A("192.0.2.1"), 1 + i, 6,
						   MM_TCP_SYN, MM_DIR_IN, (int64_t)i * SEC);
			mm_detector_event(d, &ev);
		}
	mm_detector_stats(d, &st);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, NULL), 5);
	assert_int_equal(st.findings, 5);
	assert_int_equal(st.findings_dropped, 5);
	mm_detector_free(d);
}

static void test_out_of_order(void **state)
{
	struct mm_detect_cfg c = none_cfg();
	const struct mm_finding *f;
	struct mm_detector *d;
	int i;

	(void)state;
	c.portscan_ports = 15;
	c.ssh_failures = 5;
	d = mm_detector_new(&c);
	/* small steps back: still one scan */
	for (i = 0; i < 15; i++)
		feed_pkt(d, "198.51.100.7", "192.0.2.10", 1000 + i, 6, MM_TCP_SYN, MM_DIR_IN,
			 (i & 1) ? (i - 3) * SEC : i * SEC);
	assert_int_equal(count_kind(d, MM_FIND_PORTSCAN, &f), 1);
	assert_int_equal(f->first.us, T0 * SEC - 2 * SEC);
	assert_int_equal(f->last.us, T0 * SEC + 14 * SEC);
	/* a year back, a year forward, the epoch, far future: no crash */
	feed_fail(d, "198.51.100.8", "a", true, -365LL * 86400 * SEC);
	feed_fail(d, "198.51.100.8", "a", true, 365LL * 86400 * SEC);
	feed_fail(d, "198.51.100.8", "a", true, -T0 * SEC);
	feed_fail(d, "198.51.100.8", "a", true, INT64_MAX / 2);
	feed_fail(d, "198.51.100.8", "a", true, INT64_MAX - T0 * SEC);
	feed_fail(d, "198.51.100.8", "a", true, 0);
	{
		struct mm_event ev;
		mm_event_clear(&ev);
		ev.kind = MM_EV_AUTH_FAILURE;
		ev.src = A("198.51.100.8"); /* no time at all */
		mm_detector_event(d, &ev);
	}
	/* a late event counts at the newest time seen: the run that started at
	 * the far-future events now holds 4 failures; one more completes it */
	assert_int_equal(count_kind(d, MM_FIND_SSH_BRUTEFORCE, NULL), 0);
	feed_fail(d, "198.51.100.8", "a", true, INT64_MIN / 2);
	assert_int_equal(count_kind(d, MM_FIND_SSH_BRUTEFORCE, &f), 1);
	assert_int_equal(f->count, 5);
	assert_int_equal(f->last.us, INT64_MAX);
	mm_detector_free(d);
}

static void test_ignored_events(void **state)
{
	struct mm_detect_cfg c;
	struct mm_detect_stats st;
	struct mm_detector *d;
	struct mm_event ev;
	int i;

	(void)state;
	mm_detect_cfg_defaults(&c);
	c.portscan_ports = 2;
	c.ssh_failures = 2;
	d = mm_detector_new(&c);
	for (i = 0; i < 10; i++) {
		/* no source */
		ev = pkt_a(A("0.0.0.0"), A("192.0.2.1"), 10 + i, 6, 0, MM_DIR_IN, i * SEC);
		ev.src.family = MM_AF_NONE;
		mm_detector_event(d, &ev);
		ev.kind = MM_EV_AUTH_FAILURE;
		mm_detector_event(d, &ev);
		/* special sources */
		ev = pkt_a(A("127.0.0.1"), A("192.0.2.1"), 10 + i, 6, 0, MM_DIR_IN, i * SEC);
		mm_detector_event(d, &ev);
		ev = pkt_a(A("::"), A("::1"), 10 + i, 6, 0, MM_DIR_IN, i * SEC);
		mm_detector_event(d, &ev);
		ev = pkt_a(A("224.0.0.1"), A("192.0.2.1"), 10 + i, 17, 0, MM_DIR_IN, i * SEC);
		mm_detector_event(d, &ev);
		/* no port (ICMP): no port scan */
		ev = pkt_a(A("198.51.100.1"), A("192.0.2.1"), -1, 1, 0, MM_DIR_IN, i * SEC);
		mm_detector_event(d, &ev);
		/* successes and probes feed nothing */
		ev = pkt_a(A("198.51.100.2"), A("192.0.2.1"), -1, -1, 0, MM_DIR_IN, i * SEC);
		ev.kind = MM_EV_AUTH_SUCCESS;
		mm_detector_event(d, &ev);
		ev.kind = MM_EV_PROBE;
		mm_detector_event(d, &ev);
		ev.kind = MM_EV_NONE;
		mm_detector_event(d, &ev);
	}
	mm_detector_finish(d);
	{
		const struct mm_finding *f;
		assert_int_equal(mm_detector_findings(d, &f), 0);
	}
	mm_detector_stats(d, &st);
	assert_int_equal(st.events, 90);
	assert_int_equal(st.ignored, 50);
	mm_detector_free(d);
}

static void test_disabled(void **state)
{
	struct mm_detect_cfg c = none_cfg();
	struct mm_detect_stats st;
	struct mm_detector *d;
	uint32_t i;

	(void)state;
	d = mm_detector_new(&c);
	for (i = 0; i < 1000; i++) {
		struct mm_event ev =
		    pkt_a(v4(0xc6336400u + (i & 31)), v4(0x0a000000u + i), (int)i, i & 1 ? 6 : 17,
			  0, i % 3 ? MM_DIR_IN : MM_DIR_OUT, (int64_t)i * MS);
		mm_detector_event(d, &ev);
		ev.kind = MM_EV_AUTH_FAILURE;
		ev.user = mm_span_make("x", (i & 15) + 1 > 1 ? 1 : 0);
		mm_detector_event(d, &ev);
	}
	mm_detector_finish(d);
	mm_detector_stats(d, &st);
	assert_int_equal(st.findings, 0);
	assert_int_equal(st.keys, 0);
	mm_detector_free(d);
}

static void test_forged(void **state)
{
	struct mm_detect_cfg c = none_cfg();
	const struct mm_finding *f;
	struct mm_detector *d;
	struct mm_event ev;
	int i;

	(void)state;
	d = mm_detector_new(&c);
	for (i = 0; i < 3; i++) {
		mm_event_clear(&ev);
		ev.kind = MM_EV_SUSPICIOUS;
		ev.detail = MM_SUSP_FAKE_KERNEL;
		ev.time = at((int64_t)(5 - i) * SEC);
		mm_detector_event(d, &ev);
	}
	assert_int_equal(count_kind(d, MM_FIND_FORGED_LOG, &f), 1);
	assert_int_equal(f->count, 3);
	assert_int_equal(f->src.family, MM_AF_NONE);
	assert_int_equal(f->first.us, T0 * SEC + 3 * SEC);
	assert_int_equal(f->last.us, T0 * SEC + 5 * SEC);
	mm_detector_free(d);
}

/* Table of small scenarios: (threshold, window, n events, spacing) -> findings. */
static const struct {
	const char *name;
	enum mm_finding_kind kind;
	uint32_t thr;
	int64_t win;
	int n;
	int64_t step_ms;
	size_t want;
} table_cases[] = {
    {"scan thr 1", MM_FIND_PORTSCAN, 1, 10, 1, 0, 1},
    {"scan 3 in 10s at edge", MM_FIND_PORTSCAN, 3, 10, 3, 5000, 1},
    {"scan 3 in 10s too slow", MM_FIND_PORTSCAN, 3, 10, 3, 5001, 0},
    {"scan 3 slow long run", MM_FIND_PORTSCAN, 3, 10, 50, 5001, 0},
    {"scan twice, quiet between", MM_FIND_PORTSCAN, 3, 10, 3, 0, 1},
    {"ssh 2 in 1s", MM_FIND_SSH_BRUTEFORCE, 2, 1, 2, 1000, 1},
    {"ssh 2 in 1s too slow", MM_FIND_SSH_BRUTEFORCE, 2, 1, 10, 1001, 0},
    {"ssh 3 in 60s each 20s", MM_FIND_SSH_BRUTEFORCE, 3, 60, 30, 20000, 1},
    {"ssh 3 in 60s each 61s", MM_FIND_SSH_BRUTEFORCE, 3, 60, 30, 61000, 0},
    {"fanout 4 in 2s", MM_FIND_OUTBOUND_FANOUT, 4, 2, 4, 500, 1},
    {"fanout 4 in 2s slow", MM_FIND_OUTBOUND_FANOUT, 4, 2, 40, 700, 0},
};

static void test_table(void **state)
{
	size_t k;
	int i;

	(void)state;
	for (k = 0; k < sizeof(table_cases) / sizeof(table_cases[0]); k++) {
		struct mm_detect_cfg c = none_cfg();
		struct mm_detector *d;
		size_t got;

		switch (table_cases[k].kind) {
		case MM_FIND_PORTSCAN:
			c.portscan_ports = table_cases[k].thr;
			c.portscan_window = table_cases[k].win;
			break;
		case MM_FIND_SSH_BRUTEFORCE:
			c.ssh_failures = table_cases[k].thr;
			c.ssh_window = table_cases[k].win;
			break;
		default:
			c.fanout_hosts = table_cases[k].thr;
			c.fanout_window = table_cases[k].win;
			break;
		}
		d = mm_detector_new(&c);
		for (i = 0; i < table_cases[k].n; i++) {
			int64_t t = i * table_cases[k].step_ms * MS;
			struct mm_event ev = pkt_a(
			    A("198.51.100.50"), v4(0x0a000001u + (uint32_t)i), 10 + i, 6,
			    MM_TCP_SYN,
			    table_cases[k].kind == MM_FIND_OUTBOUND_FANOUT ? MM_DIR_OUT : MM_DIR_IN,
			    t);
			if (table_cases[k].kind == MM_FIND_SSH_BRUTEFORCE)
				ev.kind = MM_EV_AUTH_FAILURE;
			if (table_cases[k].kind == MM_FIND_OUTBOUND_FANOUT)
				ev.dst_port = 22;
			mm_detector_event(d, &ev);
		}
		got = count_kind(d, table_cases[k].kind, NULL);
		if (got != table_cases[k].want)
			fail_msg("%s: %zu findings, want %zu", table_cases[k].name, got,
				 table_cases[k].want);
		mm_detector_free(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_and_names),
	    cmocka_unit_test(test_portscan_threshold),
	    cmocka_unit_test(test_portscan_window_edge),
	    cmocka_unit_test(test_portscan_burst),
	    cmocka_unit_test(test_scan_types),
	    cmocka_unit_test(test_portscan_v6_multihost_mixed_proto),
	    cmocka_unit_test(test_sweep),
	    cmocka_unit_test(test_unused_address_bytes),
	    cmocka_unit_test(test_folded_repeats),
	    cmocka_unit_test(test_service_sweep),
	    cmocka_unit_test(test_ssh_bruteforce),
	    cmocka_unit_test(test_ssh_slow),
	    cmocka_unit_test(test_ssh_user_enum),
	    cmocka_unit_test(test_fanout),
	    cmocka_unit_test(test_lru_bounded),
	    cmocka_unit_test(test_findings_cap),
	    cmocka_unit_test(test_out_of_order),
	    cmocka_unit_test(test_ignored_events),
	    cmocka_unit_test(test_disabled),
	    cmocka_unit_test(test_forged),
	    cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
