/* SPDX-License-Identifier: MIT */
/*
 * Detector throughput and memory benchmark.
 *
 * Feeds synthetic events straight into mm_detector_event() and prints
 * events per second and the detector's memory, for three mixes:
 *
 *   skewed  what firewall logs look like: 100k distinct sources, but a few
 *           scanners send most packets (50 scanners 70%, 20 sweepers 10%),
 *           the rest is one-off noise on common ports and SIP 5060/udp
 *   mixed   the same kinds of traffic with the noise at 60% of packets, from
 *           100k sources chosen uniformly (little locality: each noise
 *           packet touches state that is rarely in cache)
 *   spoof   every packet from a new source (a spoofed flood): LRU churn
 *   ssh     auth failures from 100k sources with random user names
 *
 * The inputs are compact tuples generated before timing; turning a tuple
 * into a struct mm_event is part of the timed loop (a few stores).
 *
 * Build and run (release flags, no sanitizers):
 *   cc -O2 -DNDEBUG -D_GNU_SOURCE -Iinclude -I. -I/tmp/b-det-rel \
 *      -o /tmp/detect_bench bench/detect_bench.c lib/detect/[a-z]*.c \
 *      lib/core/{addr,buf,cursor,error,time}.c lib/logs/event.c
 *   /tmp/detect_bench [million-events-per-mix]
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mamori/detect.h"
#include "mamori/event.h"

struct tup {
	uint32_t src;
	uint32_t dst;
	uint16_t port;
	uint8_t proto;
	uint8_t flags;
	uint32_t user;
};

static uint64_t rng = 88172645463325252ULL;

static uint64_t xs(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* CPU time of this process: other load on the machine does not count */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

static unsigned noise_pct = 60, scan_pct = 30, sweep_pct = 5;

static void gen_mixed(struct tup *t, size_t n)
{
	static const uint16_t common[] = {22, 23,  80,	443, 3389, 445,	 8080, 1433, 3306, 5900,
					  25, 110, 143, 21,  8443, 6379, 9200, 5432, 2375, 11211};
	uint32_t scan_port[50] = {0}, sweep_host[20] = {0};
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t r = xs();
		unsigned k = (unsigned)(r % 100);

		memset(&t[i], 0, sizeof(t[i]));
		t[i].dst = 0xc0000201u + (uint32_t)((r >> 8) & 3);
		t[i].proto = 6;
		t[i].flags = MM_TCP_SYN;
		if (k < noise_pct) {
			t[i].src = 0x0b000000u + (uint32_t)((r >> 16) % 100000);
			t[i].port = common[(r >> 40) % 20];
		} else if (k < noise_pct + scan_pct) {
			unsigned s = (unsigned)((r >> 16) % 50);
			t[i].src = 0x2d000000u + s;
			t[i].port = (uint16_t)(1 + scan_port[s]++ % 65535);
			t[i].flags = (uint8_t)(s % 5 == 0 ? MM_TCP_FIN : MM_TCP_SYN);
		} else if (k < noise_pct + scan_pct + sweep_pct) {
			unsigned s = (unsigned)((r >> 16) % 20);
			t[i].src = 0x3e000000u + s;
			t[i].dst = 0x0a000000u + sweep_host[s]++ % 65536;
			t[i].port = 22;
		} else {
			t[i].src = 0x0b000000u + (uint32_t)((r >> 16) % 100000);
			t[i].port = 5060;
			t[i].proto = 17;
			t[i].flags = 0;
		}
	}
}

static void gen_spoof(struct tup *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t r = xs();
		memset(&t[i], 0, sizeof(t[i]));
		t[i].src = (uint32_t)r | 0x01000000u;
		t[i].dst = 0xc0000201u;
		t[i].port = (uint16_t)(r >> 32);
		t[i].proto = 6;
		t[i].flags = MM_TCP_SYN;
	}
}

static void gen_ssh(struct tup *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t r = xs();
		memset(&t[i], 0, sizeof(t[i]));
		t[i].src = 0x0b000000u + (uint32_t)(r % 100000);
		t[i].user = (uint32_t)((r >> 20) % 5000);
		t[i].proto = 0xff; /* marks an auth failure */
	}
}

static void run(const char *name, void (*gen)(struct tup *, size_t), size_t total)
{
	const size_t pool = 1u << 20;
	struct tup *t = malloc(pool * sizeof(*t));
	struct mm_detect_cfg cfg;
	struct mm_detector *d;
	struct mm_detect_stats st;
	struct mm_event ev;
	char user[32];
	long rss0, rss1;
	double t0, t1;
	size_t i;
	int64_t us = 1700000000LL * 1000000;

	if (!t)
		return;
	gen(t, pool);
	mm_detect_cfg_defaults(&cfg);
	rss0 = rss_kb();
	d = mm_detector_new(&cfg);
	mm_event_clear(&ev);
	ev.src.family = ev.dst.family = MM_AF_INET;
	ev.dir = MM_DIR_IN;
	ev.time.set = true;
	t0 = now_s();
	for (i = 0; i < total; i++) {
		const struct tup *p = &t[i & (pool - 1)];

		us += 100; /* 10000 log lines per second of log time */
		ev.time.us = us;
		ev.src.b[0] = (uint8_t)(p->src >> 24);
		ev.src.b[1] = (uint8_t)(p->src >> 16);
		ev.src.b[2] = (uint8_t)(p->src >> 8);
		ev.src.b[3] = (uint8_t)p->src;
		ev.dst.b[0] = (uint8_t)(p->dst >> 24);
		ev.dst.b[1] = (uint8_t)(p->dst >> 16);
		ev.dst.b[2] = (uint8_t)(p->dst >> 8);
		ev.dst.b[3] = (uint8_t)p->dst;
		if (p->proto == 0xff) {
			int n = snprintf(user, sizeof(user), "u%u", p->user);
			ev.kind = MM_EV_AUTH_FAILURE;
			ev.user = mm_span_make(user, (size_t)n);
		} else {
			ev.kind = MM_EV_PACKET;
			ev.dst_port = p->port;
			ev.proto = p->proto;
			ev.tcp_flags = p->flags;
		}
		mm_detector_event(d, &ev);
	}
	mm_detector_finish(d);
	t1 = now_s();
	rss1 = rss_kb();
	mm_detector_stats(d, &st);
	printf("%-6s %10zu events %7.3f s cpu %6.2f M events/s  keys %llu evicted %llu "
	       "findings %llu  detector RSS %.1f MB\n",
	       name, total, t1 - t0, (double)total / (t1 - t0) / 1e6, (unsigned long long)st.keys,
	       (unsigned long long)st.evicted, (unsigned long long)st.findings,
	       (double)(rss1 - rss0) / 1024.0);
	{
		const struct mm_finding *f;
		size_t nf = mm_detector_findings(d, &f), j;
		unsigned long long by[16] = {0};
		int k;

		for (j = 0; j < nf; j++)
			by[f[j].kind & 15]++;
		printf("       findings by kind:");
		for (k = 1; k < 16; k++)
			if (by[k])
				printf(" %s %llu", mm_finding_kind_name((enum mm_finding_kind)k),
				       by[k]);
		printf("\n");
	}
	mm_detector_free(d);
	free(t);
}

static void gen_skewed(struct tup *t, size_t n)
{
	noise_pct = 15;
	scan_pct = 70;
	sweep_pct = 10;
	gen_mixed(t, n);
	noise_pct = 60;
	scan_pct = 30;
	sweep_pct = 5;
}

/* usage: detect_bench [million-events] [skewed|mixed|spoof|ssh]; one mix per
 * process gives the cleanest RSS figure */
int main(int argc, char **argv)
{
	size_t total = 20u * 1000000;
	const char *only = argc > 2 ? argv[2] : NULL;

	if (argc > 1)
		total = (size_t)strtoul(argv[1], NULL, 10) * 1000000;
	if (!only || strcmp(only, "skewed") == 0)
		run("skewed", gen_skewed, total);
	if (!only || strcmp(only, "mixed") == 0)
		run("mixed", gen_mixed, total);
	if (!only || strcmp(only, "spoof") == 0)
		run("spoof", gen_spoof, total);
	if (!only || strcmp(only, "ssh") == 0)
		run("ssh", gen_ssh, total / 4);
	return 0;
}
