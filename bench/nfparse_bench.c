/* SPDX-License-Identifier: MIT */
/*
 * nfparse_bench: time mm_parse_netfilter() on generated kernel messages.
 *
 *   meson setup /tmp/b-rel --buildtype=release && ninja -C /tmp/b-rel
 *   cc -O2 -Iinclude -I/tmp/b-rel bench/nfparse_bench.c /tmp/b-rel/libmamori.a \
 *      $(pkg-config --libs zlib libzstd libsystemd inih) -lpthread -o /tmp/nfparse_bench
 *   /tmp/nfparse_bench [lines] [rounds] [parser|pipeline]
 *
 * Builds a mix like a busy ufw host (IPv4 TCP SYN with MAC, IPv6 TCP,
 * UDP to 5060, ICMP echo, an ICMP error with an embedded packet, some
 * non-netfilter kernel noise), then parses it `rounds` times, once with
 * the parser alone and once through mm_logparser_line() (envelope +
 * dispatch + parser), and prints ns per line and MB/s for each.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mamori/logs.h"

struct line {
	size_t off, n, msg_off;
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: a busy machine does not lie */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Append one syslog line; returns the offset of the kernel message in it. */
static size_t gen(struct mm_buf *b, size_t *msg_off)
{
	size_t start = b->len;
	uint32_t k = rnd() % 100, a = rnd(), s = 1024 + rnd() % 64000;

	mm_buf_addf(b, "Nov 21 03:%02u:%02u web1 kernel: ", rnd() % 60, rnd() % 60);
	*msg_off = b->len - start;
	if (k < 55) {
		mm_buf_addf(
		    b,
		    "[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 "
		    "SRC=%u.%u.%u.%u DST=198.51.100.10 LEN=44 TOS=0x00 PREC=0x00 TTL=%u "
		    "ID=%u PROTO=TCP SPT=%u DPT=%u WINDOW=1024 RES=0x00 SYN URGP=0 ",
		    1 + a % 223, (a >> 8) & 255, (a >> 16) & 255, 1 + (a >> 24) % 254,
		    30 + rnd() % 220, rnd() % 65536, s, 1 + rnd() % 65535);
	} else if (k < 70) {
		mm_buf_addf(
		    b,
		    "[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:86:dd "
		    "SRC=2001:0db8:%04x:%04x:0000:0000:0000:%04x "
		    "DST=2001:0db8:0000:0000:0000:0000:0000:0001 LEN=80 TC=0 HOPLIMIT=%u "
		    "FLOWLBL=%u PROTO=TCP SPT=%u DPT=22 WINDOW=64800 RES=0x00 SYN URGP=0 ",
		    a & 0xffff, a >> 16, rnd() & 0xffff, 30 + rnd() % 220, rnd() % 1048576, s);
	} else if (k < 85) {
		mm_buf_addf(
		    b,
		    "[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 "
		    "SRC=%u.%u.%u.%u DST=198.51.100.10 LEN=440 TOS=0x00 PREC=0x00 TTL=%u "
		    "ID=%u DF PROTO=UDP SPT=%u DPT=5060 LEN=420 ",
		    1 + a % 223, (a >> 8) & 255, (a >> 16) & 255, 1 + (a >> 24) % 254,
		    30 + rnd() % 220, rnd() % 65536, s);
	} else if (k < 92) {
		mm_buf_addf(
		    b,
		    "[UFW AUDIT] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 "
		    "SRC=%u.%u.%u.%u DST=198.51.100.10 LEN=84 TOS=0x00 PREC=0x00 TTL=%u "
		    "ID=%u DF PROTO=ICMP TYPE=8 CODE=0 ID=%u SEQ=%u ",
		    1 + a % 223, (a >> 8) & 255, (a >> 16) & 255, 1 + (a >> 24) % 254,
		    30 + rnd() % 220, rnd() % 65536, rnd() % 65536, rnd() % 100);
	} else if (k < 95) {
		mm_buf_addf(b,
			    "FINAL_REJECT: IN=eth0 OUT= SRC=192.0.2.%u DST=198.51.100.10 LEN=88 "
			    "TOS=0x00 PREC=0xC0 TTL=250 ID=1 PROTO=ICMP TYPE=3 CODE=3 "
			    "[SRC=198.51.100.10 DST=192.0.2.1 LEN=60 TOS=0x00 PREC=0x00 TTL=1 ID=2 "
			    "PROTO=UDP SPT=33434 DPT=%u LEN=40 ] ",
			    1 + a % 254, s);
	} else {
		mm_buf_addf(b, "[%5u.%06u] eth0: Link is Up - 1Gbps/Full - flow control off",
			    a % 100000, rnd() % 1000000);
	}
	return start;
}

int main(int argc, char **argv)
{
	size_t nlines = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	unsigned rounds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 20, r;
	const char *only = argc > 3 ? argv[3] : "";
	struct line *lines = calloc(nlines, sizeof(*lines));
	struct mm_logparser *lp = mm_logparser_new();
	struct mm_buf b;
	struct mm_event ev;
	size_t i, bytes = 0, msg_bytes = 0;
	uint64_t hits = 0, sink = 0;
	double t0, t;

	if (!lines || !lp)
		return 1;
	mm_buf_init(&b, (size_t)1 << 31);
	for (i = 0; i < nlines; i++) {
		size_t start = gen(&b, &lines[i].msg_off);
		lines[i].off = start;
		lines[i].n = b.len - start;
		mm_buf_addc(&b, '\n');
		bytes += lines[i].n + 1;
		msg_bytes += lines[i].n - lines[i].msg_off;
	}

	/* parser alone, on the message part */
	if (strcmp(only, "pipeline") == 0)
		goto pipeline;
	t0 = now();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nlines; i++) {
			const char *m = b.data + lines[i].off + lines[i].msg_off;
			mm_event_clear(&ev);
			hits += (uint64_t)mm_parse_netfilter(m, lines[i].n - lines[i].msg_off, &ev);
			sink += (uint64_t)ev.dst_port;
		}
	}
	t = now() - t0;
	printf("mm_parse_netfilter: %zu lines x %u, %.1f ns/line, %.0f MB/s of messages "
	       "(%.1f%% packets)\n",
	       nlines, rounds, t * 1e9 / ((double)nlines * rounds),
	       (double)msg_bytes * rounds / t / 1e6,
	       100.0 * (double)hits / ((double)nlines * rounds));

	if (strcmp(only, "parser") == 0)
		goto done;
pipeline:
	/* whole line pipeline: envelope, dispatch, parser */
	hits = 0;
	mm_logparser_begin(lp, "bench", 1796083200, 0);
	t0 = now();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nlines; i++) {
			hits += (uint64_t)mm_logparser_line(lp, b.data + lines[i].off, lines[i].n,
							    i + 1, &ev);
			sink += (uint64_t)ev.dst_port;
		}
	}
	t = now() - t0;
	printf("mm_logparser_line:  %zu lines x %u, %.1f ns/line, %.0f MB/s of lines "
	       "(%.1f%% events)\n",
	       nlines, rounds, t * 1e9 / ((double)nlines * rounds),
	       (double)bytes * rounds / t / 1e6, 100.0 * (double)hits / ((double)nlines * rounds));
done:
	fprintf(stderr, "(sink %llu)\n", (unsigned long long)sink);
	mm_logparser_free(lp);
	mm_buf_release(&b);
	free(lines);
	return 0;
}
