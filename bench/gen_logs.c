/* SPDX-License-Identifier: MIT */
/*
 * gen_logs: deterministic generator of realistic firewall and sshd logs for
 * the bench/logs benchmark.
 *
 *   gen_logs netfilter SIZE_MB OUT   kernel netfilter LOG lines (ufw and iptables)
 *   gen_logs auth SIZE_MB OUT        an auth.log: sshd attacks among benign lines
 *
 * SIZE_MB is in MiB; the file ends at the first line that reaches the size,
 * so it is at most one line longer. OUT "-" writes to stdout. Output
 * depends only on the arguments (fixed seeds, fixed start date), so a file
 * can be regenerated bit for bit.
 *
 * Every line is in an RFC 3164 envelope ("Nov  1 03:12:45 web1 kernel: ").
 * The kernel part follows nf_log_ipv4.c / nf_log_ipv6.c / nf_log_syslog.c
 * field by field, as checked against lines captured from a real kernel
 * (nft "log prefix" in a pair of network namespaces):
 *
 *   PREFIX IN=eth0 OUT= MAC=dst:src:type SRC=a DST=b LEN=40 TOS=0x00 PREC=0x00
 *   TTL=243 ID=54321 [DF ]PROTO=TCP SPT=1 DPT=2 WINDOW=1024 RES=0x00 SYN URGP=0
 *
 * with a trailing space, IPv6 addresses fully expanded and zero padded,
 * "LEN= TC= HOPLIMIT= FLOWLBL=" for IPv6, TCP flags in the kernel's order
 * (CWR ECE URG ACK PSH RST SYN FIN), UDP "LEN=", ICMP "TYPE= CODE=" plus
 * "ID= SEQ=" for echo or the quoted packet in brackets for errors, and no
 * MAC= at all on locally generated (OUT=) packets.
 *
 * The attack traffic is shaped like what an Internet-facing host sees:
 * about 100k sources drawn with a Zipf-like skew, tool fingerprints
 * (zmap's IP ID 54321, masscan/nmap's WINDOW=1024, OS TTLs), bursts of
 * 5060/udp sweeps over the /24 (many sources each walking many hosts) and
 * vertical port scans (SYN, FIN, NULL, XMAS), over 30 days in time order.
 *
 * Formatting is done by hand into a large buffer: snprintf would be the
 * bottleneck at a GiB a run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024u * 1024u)
#define START_TIME 1730419200LL /* 2024-11-01 00:00:00 UTC */
#define SPAN_SECONDS (30LL * 86400)
#define OUTBUF_SIZE (4u * MIB)
#define LINE_MAX_LEN 1024

/* ------------------------------------------------------------------ */
/* xoshiro256** with splitmix64 seeding: fast, good, reproducible.      */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

/* Uniform in [0, n), n < 2^32 (multiply-shift; the bias is negligible here). */
static inline uint32_t rnd(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline uint32_t rnd_range(struct rng *r, uint32_t lo, uint32_t hi)
{
	return lo + rnd(r, hi - lo + 1);
}

/* True with probability per_mille / 1000. */
static inline int chance(struct rng *r, uint32_t per_mille)
{
	return rnd(r, 1000) < per_mille;
}

static inline double rnd_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* ------------------------------------------------------------------ */
/* Output buffer with hand-rolled formatting.                            */

struct out {
	int fd;
	char *buf;
	size_t len;
	uint64_t flushed;
	uint64_t target;
};

static void die(const char *what)
{
	fprintf(stderr, "gen_logs: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void out_flush(struct out *o)
{
	size_t off = 0;

	while (off < o->len) {
		ssize_t n = write(o->fd, o->buf + off, o->len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		off += (size_t)n;
	}
	o->flushed += o->len;
	o->len = 0;
}

static inline uint64_t out_total(const struct out *o)
{
	return o->flushed + o->len;
}

static inline int out_done(const struct out *o)
{
	return out_total(o) >= o->target;
}

/* Called once per line, before writing it: a line never exceeds LINE_MAX_LEN. */
static inline void out_reserve(struct out *o)
{
	if (o->len + LINE_MAX_LEN > OUTBUF_SIZE)
		out_flush(o);
}

static inline void put_mem(struct out *o, const char *s, size_t n)
{
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

#define put_lit(o, s) put_mem((o), (s), sizeof(s) - 1)

static inline void put_str(struct out *o, const char *s)
{
	put_mem(o, s, strlen(s));
}

static inline void put_ch(struct out *o, char c)
{
	o->buf[o->len++] = c;
}

static inline void put_u(struct out *o, uint32_t v)
{
	char tmp[10];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		o->buf[o->len++] = tmp[--n];
}

static const char hex_lower[] = "0123456789abcdef";
static const char hex_upper[] = "0123456789ABCDEF";

static inline void put_hex2(struct out *o, uint8_t v, const char *digits)
{
	o->buf[o->len++] = digits[v >> 4];
	o->buf[o->len++] = digits[v & 15];
}

/* ------------------------------------------------------------------ */
/* RFC 3164 timestamp, "Nov  1 03:12:45", cached per second.             */

struct stamp {
	long long sec;
	char text[16];
};

static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static void put_stamp(struct out *o, struct stamp *st, long long sec)
{
	if (sec != st->sec) {
		time_t t = (time_t)sec;
		struct tm tm;
		char *p = st->text;

		gmtime_r(&t, &tm);
		memcpy(p, months[tm.tm_mon], 3);
		p[3] = ' ';
		p[4] = tm.tm_mday < 10 ? ' ' : (char)('0' + tm.tm_mday / 10);
		p[5] = (char)('0' + tm.tm_mday % 10);
		p[6] = ' ';
		p[7] = (char)('0' + tm.tm_hour / 10);
		p[8] = (char)('0' + tm.tm_hour % 10);
		p[9] = ':';
		p[10] = (char)('0' + tm.tm_min / 10);
		p[11] = (char)('0' + tm.tm_min % 10);
		p[12] = ':';
		p[13] = (char)('0' + tm.tm_sec / 10);
		p[14] = (char)('0' + tm.tm_sec % 10);
		p[15] = ' ';
		st->sec = sec;
	}
	put_mem(o, st->text, 16);
}

/* Wall clock that spreads the file over SPAN_SECONDS by bytes written. */
static inline long long byte_clock_us(const struct out *o)
{
	double f = (double)out_total(o) / (double)o->target;

	return START_TIME * 1000000LL + (long long)(f * (double)SPAN_SECONDS * 1e6);
}

/* ------------------------------------------------------------------ */
/* Source pool: addresses, per-source fingerprints, Zipf-like sampling. */

enum tool { T_ZMAP, T_MASSCAN, T_NMAP, T_MIRAI, T_LINUX, T_WINDOWS, T_NTOOLS };

struct src {
	uint8_t v6;
	uint8_t tool;
	uint8_t ttl;
	uint8_t df;
	uint16_t win;
	uint16_t synlen; /* IPv4 total length of its SYNs (+20 for IPv6) */
	uint8_t slen;
	char str[40]; /* as the kernel prints it (v6 expanded) or sshd (v6 compressed) */
};

struct pool {
	struct src *v;
	double *cdf;
	uint32_t n;
};

static int v4_public(uint32_t a)
{
	uint8_t o1 = a >> 24, o2 = (a >> 16) & 0xff, o3 = (a >> 8) & 0xff;

	if (o1 == 0 || o1 == 10 || o1 == 127 || o1 >= 224)
		return 0;
	if (o1 == 100 && (o2 & 0xc0) == 64)
		return 0;
	if (o1 == 169 && o2 == 254)
		return 0;
	if (o1 == 172 && (o2 & 0xf0) == 16)
		return 0;
	if (o1 == 192 && o2 == 168)
		return 0;
	if (o1 == 192 && o2 == 0 && (o3 == 0 || o3 == 2))
		return 0;
	if (o1 == 198 && (o2 == 18 || o2 == 19 || (o2 == 51 && o3 == 100)))
		return 0;
	if (o1 == 203 && o2 == 0 && o3 == 113)
		return 0;
	return 1;
}

static size_t fmt_u(char *p, uint32_t v)
{
	char tmp[10];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

static size_t fmt_v4(char *p, uint32_t a)
{
	size_t n = 0;
	int i;

	for (i = 3; i >= 0; i--) {
		n += fmt_u(p + n, (a >> (8 * i)) & 0xff);
		if (i)
			p[n++] = '.';
	}
	return n;
}

/* %pI6: eight groups of four lower-case hex digits. */
static size_t fmt_v6_full(char *p, const uint8_t a[16])
{
	size_t n = 0;
	int i;

	for (i = 0; i < 16; i++) {
		p[n++] = hex_lower[a[i] >> 4];
		p[n++] = hex_lower[a[i] & 15];
		if ((i & 1) && i != 15)
			p[n++] = ':';
	}
	return n;
}

/* RFC 5952 text, as sshd and pam print it (via getnameinfo/inet_ntop). */
static size_t fmt_v6_short(char *p, const uint8_t a[16])
{
	uint16_t g[8];
	int i, best = -1, bestlen = 0;
	size_t n = 0;

	for (i = 0; i < 8; i++)
		g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	for (i = 0; i < 8;) {
		int j = i;

		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > bestlen && j - i >= 2) {
			best = i;
			bestlen = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (i = 0; i < 8; i++) {
		int k, started = 0;

		if (i == best) {
			p[n++] = ':';
			if (i == 0)
				p[n++] = ':';
			i += bestlen - 1;
			continue;
		}
		for (k = 12; k >= 0; k -= 4) {
			int d = (g[i] >> k) & 15;

			if (d || started || k == 0) {
				p[n++] = hex_lower[d];
				started = 1;
			}
		}
		if (i != 7)
			p[n++] = ':';
	}
	return n;
}

static void src_fingerprint(struct rng *r, struct src *s)
{
	static const uint8_t hop_base[T_NTOOLS] = {255, 64, 64, 64, 64, 128};
	uint32_t x = rnd(r, 100);

	if (x < 22)
		s->tool = T_ZMAP;
	else if (x < 40)
		s->tool = T_MASSCAN;
	else if (x < 52)
		s->tool = T_NMAP;
	else if (x < 70)
		s->tool = T_MIRAI;
	else if (x < 90)
		s->tool = T_LINUX;
	else
		s->tool = T_WINDOWS;
	s->ttl = (uint8_t)(hop_base[s->tool] - rnd_range(r, 5, 30));
	s->df = s->tool == T_LINUX || s->tool == T_WINDOWS;
	switch (s->tool) {
	case T_ZMAP:
		s->win = 65535;
		s->synlen = 40;
		break;
	case T_MASSCAN:
		s->win = 1024;
		s->synlen = 40;
		break;
	case T_NMAP:
		s->win = 1024;
		s->synlen = 44;
		break;
	case T_MIRAI:
		s->win = (uint16_t)rnd_range(r, 1000, 65000);
		s->synlen = 40;
		break;
	case T_LINUX:
		s->win = chance(r, 700) ? 64240 : 29200;
		s->synlen = 60;
		break;
	default:
		s->win = chance(r, 600) ? 64240 : 8192;
		s->synlen = 52;
		break;
	}
}

/*
 * Sources cluster in networks, as real ones do: 40% of IPv4 sources come
 * from a few hundred "hosting" /16s, IPv6 sources from a hundred /32s.
 */
static void pool_init(struct pool *p, struct rng *r, uint32_t n, uint32_t v6_per_mille,
		      int v6_short)
{
	uint32_t nets4[300], nets6[100];
	double sum = 0;
	uint32_t i;

	p->n = n;
	p->v = calloc(n, sizeof(*p->v));
	p->cdf = calloc(n, sizeof(*p->cdf));
	if (!p->v || !p->cdf)
		die("calloc");
	for (i = 0; i < 300; i++) {
		do
			nets4[i] = (uint32_t)rng_next(r) & 0xffff0000u;
		while (!v4_public(nets4[i]));
	}
	for (i = 0; i < 100; i++)
		nets6[i] = 0x20000000u | ((uint32_t)rng_next(r) & 0x1fffffffu);
	for (i = 0; i < n; i++) {
		struct src *s = &p->v[i];

		src_fingerprint(r, s);
		if (chance(r, v6_per_mille)) {
			uint8_t a[16];
			uint32_t net = nets6[rnd(r, 100)];
			uint64_t lo = rng_next(r);
			int k;

			s->v6 = 1;
			a[0] = net >> 24;
			a[1] = (net >> 16) & 0xff;
			a[2] = (net >> 8) & 0xff;
			a[3] = net & 0xff;
			for (k = 4; k < 8; k++)
				a[k] = (uint8_t)(lo >> (8 * k));
			if (chance(r, 500)) {
				/* servers: low interface identifiers (::1, ::2a) */
				memset(a + 8, 0, 8);
				a[15] = (uint8_t)rnd_range(r, 1, 255);
			} else {
				uint64_t iid = rng_next(r);

				for (k = 8; k < 16; k++)
					a[k] = (uint8_t)(iid >> (8 * (k - 8)));
			}
			s->slen =
			    (uint8_t)(v6_short ? fmt_v6_short(s->str, a) : fmt_v6_full(s->str, a));
		} else {
			uint32_t a;

			do {
				if (chance(r, 400))
					a = nets4[rnd(r, 300)] | rnd(r, 65536);
				else
					a = (uint32_t)rng_next(r);
			} while (!v4_public(a));
			s->slen = (uint8_t)fmt_v4(s->str, a);
		}
		sum += 1.0 / (double)(i + 1);
		p->cdf[i] = sum;
	}
}

/* Rank-frequency ~ 1/rank for 3 draws in 4, uniform otherwise (the long tail). */
static const struct src *pool_pick(const struct pool *p, struct rng *r)
{
	double u;
	uint32_t lo = 0, hi;

	if (chance(r, 250))
		return &p->v[rnd(r, p->n)];
	u = rnd_unit(r) * p->cdf[p->n - 1];
	hi = p->n - 1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (p->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &p->v[lo];
}

/* ------------------------------------------------------------------ */
/* Netfilter lines.                                                      */

enum { P_TCP = 6, P_UDP = 17, P_ICMP = 1, P_ICMP6 = 58 };
enum { F_FIN = 1, F_SYN = 2, F_RST = 4, F_PSH = 8, F_ACK = 16, F_URG = 32 };

struct pkt {
	int v6;
	const char *src;
	size_t src_len;
	const char *dst;
	size_t dst_len;
	uint32_t len; /* IP total length (v4) or payload + 40 (v6) */
	uint8_t tos, prec, ttl, df;
	uint32_t id;	  /* v4 IP ID */
	uint32_t flowlbl; /* v6 */
	int proto;
	uint32_t spt, dpt; /* or ICMP type, code */
	uint32_t win, flags;
	uint32_t ulen;		    /* UDP length */
	uint32_t echo_id, echo_seq; /* ICMP echo */
	const struct pkt *inner;    /* ICMP errors quote a packet */
	int truncated_inner;
};

struct host {
	const char *name;
	uint8_t mac_self[6], mac_gw[6];
	char ip4[2][16];
	size_t ip4_len[2];
	/*
	 * 203.0.113.N: .1-.127 are local addresses of this host (a "local"
	 * route, as mail and hosting servers with many IPs have), so they
	 * log in INPUT; .128-.254 are routed to VMs behind eth1 and log in
	 * FORWARD. A sweep of the /24 shows up in both.
	 */
	char lan[256][16];
	size_t lan_len[256];
	char ip6[40];
	size_t ip6_len;
};

static int lan_is_local(uint32_t host)
{
	return host < 128;
}

static void put_mac(struct out *o, const struct host *h, int v6)
{
	int i;

	put_lit(o, "MAC=");
	for (i = 0; i < 6; i++) {
		put_hex2(o, h->mac_self[i], hex_lower);
		put_ch(o, ':');
	}
	for (i = 0; i < 6; i++) {
		put_hex2(o, h->mac_gw[i], hex_lower);
		put_ch(o, ':');
	}
	if (v6)
		put_lit(o, "86:dd ");
	else
		put_lit(o, "08:00 ");
}

static void put_pkt(struct out *o, const struct pkt *p)
{
	put_lit(o, "SRC=");
	put_mem(o, p->src, p->src_len);
	put_lit(o, " DST=");
	put_mem(o, p->dst, p->dst_len);
	put_lit(o, " LEN=");
	put_u(o, p->len);
	if (p->v6) {
		put_lit(o, " TC=");
		put_u(o, p->tos);
		put_lit(o, " HOPLIMIT=");
		put_u(o, p->ttl);
		put_lit(o, " FLOWLBL=");
		put_u(o, p->flowlbl);
		put_ch(o, ' ');
	} else {
		put_lit(o, " TOS=0x");
		put_hex2(o, p->tos, hex_upper);
		put_lit(o, " PREC=0x");
		put_hex2(o, p->prec, hex_upper);
		put_lit(o, " TTL=");
		put_u(o, p->ttl);
		put_lit(o, " ID=");
		put_u(o, p->id);
		put_ch(o, ' ');
		if (p->df)
			put_lit(o, "DF ");
	}
	switch (p->proto) {
	case P_TCP:
		put_lit(o, "PROTO=TCP SPT=");
		put_u(o, p->spt);
		put_lit(o, " DPT=");
		put_u(o, p->dpt);
		if (p->truncated_inner) {
			put_lit(o, " INCOMPLETE [8 bytes] ");
			break;
		}
		put_lit(o, " WINDOW=");
		put_u(o, p->win);
		put_lit(o, " RES=0x00 ");
		if (p->flags & F_URG)
			put_lit(o, "URG ");
		if (p->flags & F_ACK)
			put_lit(o, "ACK ");
		if (p->flags & F_PSH)
			put_lit(o, "PSH ");
		if (p->flags & F_RST)
			put_lit(o, "RST ");
		if (p->flags & F_SYN)
			put_lit(o, "SYN ");
		if (p->flags & F_FIN)
			put_lit(o, "FIN ");
		put_lit(o, "URGP=0 ");
		break;
	case P_UDP:
		put_lit(o, "PROTO=UDP SPT=");
		put_u(o, p->spt);
		put_lit(o, " DPT=");
		put_u(o, p->dpt);
		put_lit(o, " LEN=");
		put_u(o, p->ulen);
		put_ch(o, ' ');
		break;
	default:
		if (p->proto == P_ICMP)
			put_lit(o, "PROTO=ICMP TYPE=");
		else
			put_lit(o, "PROTO=ICMPv6 TYPE=");
		put_u(o, p->spt);
		put_lit(o, " CODE=");
		put_u(o, p->dpt);
		put_ch(o, ' ');
		if (p->inner) {
			if (p->proto == P_ICMP6 && p->spt == 2) {
				put_lit(o, "MTU=1280 ");
			}
			put_ch(o, '[');
			put_pkt(o, p->inner);
			put_lit(o, "] ");
		} else {
			put_lit(o, "ID=");
			put_u(o, p->echo_id);
			put_lit(o, " SEQ=");
			put_u(o, p->echo_seq);
			put_ch(o, ' ');
		}
		break;
	}
}

/* One whole line: envelope, log prefix, interfaces, MAC (inbound only), packet. */
static void put_nf_line(struct out *o, struct stamp *st, long long sec, const struct host *h,
			const char *prefix, const char *in, const char *outif, const struct pkt *p)
{
	out_reserve(o);
	put_stamp(o, st, sec);
	put_str(o, h->name);
	put_lit(o, " kernel: ");
	put_str(o, prefix);
	put_lit(o, "IN=");
	put_str(o, in);
	put_lit(o, " OUT=");
	put_str(o, outif);
	put_ch(o, ' ');
	if (*in)
		put_mac(o, h, p->v6);
	put_pkt(o, p);
	put_ch(o, '\n');
}

struct weighted {
	uint16_t value;
	uint16_t weight;
};

static const struct weighted tcp_ports[] = {
    {23, 120},	{22, 90},   {445, 60},	{3389, 50}, {80, 40},	 {443, 30},   {8080, 40},
    {1433, 25}, {3306, 30}, {5900, 20}, {6379, 20}, {2375, 10},	 {8443, 15},  {25, 15},
    {21, 15},	{81, 10},   {8000, 15}, {8888, 10}, {7547, 15},	 {37215, 10}, {52869, 5},
    {5555, 10}, {2323, 20}, {9200, 10}, {5432, 15}, {27017, 10}, {11211, 5},  {111, 10},
    {135, 15},	{139, 15},  {1723, 10}, {4444, 5},  {10000, 5},	 {60001, 5},  {9000, 10},
    {8081, 10}, {110, 5},   {143, 5},	{993, 5},   {995, 5},	 {587, 5},    {465, 5},
    {53, 5},	{8291, 10}, {502, 5},	{102, 3},   {47808, 2},	 {20000, 3},  {1521, 5},
    {5985, 5},	{9100, 3},  {631, 3},	{1883, 5},  {6443, 5},	 {10250, 5},  {2222, 10},
};

static const struct weighted udp_ports[] = {
    {5060, 30}, {53, 15},   {123, 15}, {161, 10}, {1900, 10}, {137, 8},	  {500, 5},
    {11211, 4}, {389, 4},   {19, 3},   {69, 3},	  {3702, 3},  {5353, 4},  {10001, 3},
    {1194, 3},	{51820, 2}, {427, 2},  {623, 2},  {3283, 2},  {17185, 1}, {520, 2},
};

/* Ports an admin guards with a hand-written iptables rule (own log prefix). */
static int custom_rule_port(uint32_t port)
{
	return port == 3306 || port == 5432 || port == 6379 || port == 27017 || port == 9200 ||
	       port == 11211 || port == 2375 || port == 1433;
}

static uint32_t pick_weighted(struct rng *r, const struct weighted *w, size_t n, uint32_t total)
{
	uint32_t x = rnd(r, total);
	size_t i;

	for (i = 0; i < n; i++) {
		if (x < w[i].weight)
			return w[i].value;
		x -= w[i].weight;
	}
	return w[n - 1].value;
}

static uint32_t udp_payload(struct rng *r, uint32_t port)
{
	switch (port) {
	case 5060:
		return rnd_range(r, 380, 480);
	case 53:
		return rnd_range(r, 17, 45);
	case 123:
		return 48;
	case 161:
		return rnd_range(r, 35, 50);
	case 1900:
		return rnd_range(r, 90, 132);
	case 137:
		return 50;
	case 500:
		return rnd_range(r, 150, 400);
	case 11211:
		return 15;
	case 389:
		return 51;
	case 19:
		return 1;
	case 3702:
		return rnd_range(r, 500, 700);
	case 5353:
		return 46;
	default:
		return rnd_range(r, 0, 200);
	}
}

enum camp_kind { C_NONE, C_SIP_SWEEP, C_VSCAN };

/* A campaign: a burst of related packets with its own fast clock. */
struct campaign {
	int kind;
	long long clock_us;
	uint32_t step_us;
	/* sweep: nsrc sources, each walking nhosts of the /24 */
	const struct src *srcs[32];
	uint32_t sport[32];
	uint32_t ulen[32];
	uint32_t nsrc, nhosts, start, stride;
	/* vertical scan: one source, one target, nports ports */
	uint32_t target; /* last octet; 10 is this host */
	uint32_t nports, pa, pb, scan_flags;
	uint32_t i, total;
};

struct nfgen {
	struct out *o;
	struct rng r;
	struct stamp st;
	struct host h;
	struct pool pool;
	long long last_us;
	struct campaign c;
	uint32_t tcp_total, udp_total;
};

static void pkt_from(struct pkt *p, const struct src *s, struct rng *r)
{
	memset(p, 0, sizeof(*p));
	p->v6 = s->v6;
	p->src = s->str;
	p->src_len = s->slen;
	p->ttl = s->ttl;
	p->df = s->df;
	p->id = s->tool == T_ZMAP ? 54321 : rnd(r, 65536);
	p->flowlbl = s->tool == T_LINUX ? rnd(r, 1u << 20) : 0;
}

static void pkt_to_self(struct nfgen *g, struct pkt *p)
{
	if (p->v6) {
		p->dst = g->h.ip6;
		p->dst_len = g->h.ip6_len;
	} else {
		int k = chance(&g->r, 250);

		p->dst = g->h.ip4[k];
		p->dst_len = g->h.ip4_len[k];
	}
}

static void pkt_set_len(struct pkt *p, uint32_t l4len)
{
	p->len = l4len + (p->v6 ? 40 : 20);
}

static long long nf_now(struct nfgen *g)
{
	long long t = byte_clock_us(g->o);

	if (t < g->last_us)
		t = g->last_us;
	g->last_us = t;
	return t / 1000000;
}

static void bg_tcp_syn(struct nfgen *g, const struct src *s, long long sec)
{
	struct pkt p;
	uint32_t port;
	const char *prefix = "[UFW BLOCK] ";

	pkt_from(&p, s, &g->r);
	pkt_to_self(g, &p);
	port = chance(&g->r, 300)
		   ? rnd_range(&g->r, 1, 65535)
		   : pick_weighted(&g->r, tcp_ports, sizeof(tcp_ports) / sizeof(tcp_ports[0]),
				   g->tcp_total);
	p.proto = P_TCP;
	p.spt = s->tool == T_ZMAP || s->tool == T_MASSCAN ? rnd_range(&g->r, 32768, 61000)
							  : rnd_range(&g->r, 1024, 65535);
	p.dpt = port;
	p.win = s->win;
	p.flags = F_SYN;
	pkt_set_len(&p, s->synlen - 20u);
	if (custom_rule_port(port))
		prefix = p.v6 ? "IP6Tables-Dropped: " : "IPTables-Dropped: ";
	else if (port == 22 && chance(&g->r, 150))
		prefix = "[UFW LIMIT BLOCK] ";
	put_nf_line(g->o, &g->st, sec, &g->h, prefix, "eth0", "", &p);
}

/* Late packets of connections conntrack has forgotten: not an attack. */
static void bg_tcp_stray(struct nfgen *g, const struct src *s, long long sec)
{
	static const uint32_t stray_flags[] = {F_ACK | F_FIN, F_ACK | F_RST, F_ACK | F_PSH,
					       F_RST,	      F_ACK,	     F_ACK | F_PSH | F_FIN};
	struct pkt p;

	pkt_from(&p, s, &g->r);
	pkt_to_self(g, &p);
	p.df = 1;
	p.id = rnd(&g->r, 65536);
	p.proto = P_TCP;
	p.spt = chance(&g->r, 700) ? 443 : 80;
	p.dpt = rnd_range(&g->r, 32768, 60999);
	p.win = rnd_range(&g->r, 0, 2000);
	p.flags = stray_flags[rnd(&g->r, 6)];
	pkt_set_len(&p, chance(&g->r, 800) ? 20 : rnd_range(&g->r, 21, 1400));
	put_nf_line(g->o, &g->st, sec, &g->h, "[UFW BLOCK] ", "eth0", "", &p);
}

static void bg_udp(struct nfgen *g, const struct src *s, long long sec)
{
	struct pkt p;
	uint32_t port;

	pkt_from(&p, s, &g->r);
	pkt_to_self(g, &p);
	port = chance(&g->r, 150)
		   ? rnd_range(&g->r, 1, 65535)
		   : pick_weighted(&g->r, udp_ports, sizeof(udp_ports) / sizeof(udp_ports[0]),
				   g->udp_total);
	p.proto = P_UDP;
	p.spt = chance(&g->r, 200) ? port : rnd_range(&g->r, 1024, 65535);
	p.dpt = port;
	p.ulen = udp_payload(&g->r, port) + 8;
	pkt_set_len(&p, p.ulen);
	put_nf_line(g->o, &g->st, sec, &g->h, "[UFW BLOCK] ", "eth0", "", &p);
}

static void bg_echo(struct nfgen *g, const struct src *s, long long sec)
{
	struct pkt p;

	pkt_from(&p, s, &g->r);
	pkt_to_self(g, &p);
	p.proto = p.v6 ? P_ICMP6 : P_ICMP;
	p.spt = p.v6 ? 128 : 8;
	p.dpt = 0;
	p.echo_id = rnd(&g->r, 65536);
	p.echo_seq = rnd_range(&g->r, 0, 20);
	pkt_set_len(&p, chance(&g->r, 500) ? 8 : 64);
	put_nf_line(g->o, &g->st, sec, &g->h, "[UFW BLOCK] ", "eth0", "", &p);
}

/* Allowed traffic logged by "ufw logging high": [UFW AUDIT] and [UFW ALLOW]. */
static void bg_allowed(struct nfgen *g, const struct src *s, long long sec)
{
	struct pkt p;

	pkt_from(&p, s, &g->r);
	pkt_to_self(g, &p);
	p.proto = P_TCP;
	p.spt = rnd_range(&g->r, 1024, 65535);
	p.dpt = chance(&g->r, 700) ? 443 : 80;
	p.win = s->win;
	p.flags = F_SYN;
	pkt_set_len(&p, s->synlen - 20u);
	put_nf_line(g->o, &g->st, sec, &g->h, chance(&g->r, 600) ? "[UFW AUDIT] " : "[UFW ALLOW] ",
		    "eth0", "", &p);
}

/* Locally generated: blocked outbound SYNs and our ICMP port unreachables. */
static void bg_outbound(struct nfgen *g, const struct src *s, long long sec)
{
	struct pkt p, in;

	memset(&p, 0, sizeof(p));
	p.v6 = s->v6;
	p.src = s->v6 ? g->h.ip6 : g->h.ip4[0];
	p.src_len = s->v6 ? g->h.ip6_len : g->h.ip4_len[0];
	p.dst = s->str;
	p.dst_len = s->slen;
	p.ttl = 64;
	if (chance(&g->r, 500)) {
		static const uint16_t out_ports[] = {25, 25, 25, 6667, 23, 465, 4444, 3333};

		p.df = 1;
		p.id = rnd(&g->r, 65536);
		p.ttl = 64;
		p.flowlbl = rnd(&g->r, 1u << 20);
		p.proto = P_TCP;
		p.spt = rnd_range(&g->r, 32768, 60999);
		p.dpt = out_ports[rnd(&g->r, 8)];
		p.win = 64240;
		p.flags = F_SYN;
		pkt_set_len(&p, 40);
		put_nf_line(g->o, &g->st, sec, &g->h, "[UFW BLOCK] ", "", "eth0", &p);
		return;
	}
	/* The quoted packet is the probe we refused: from them, to us. */
	memset(&in, 0, sizeof(in));
	in.v6 = s->v6;
	in.src = s->str;
	in.src_len = s->slen;
	in.dst = p.src;
	in.dst_len = p.src_len;
	in.ttl = s->ttl;
	in.id = rnd(&g->r, 65536);
	in.proto = P_UDP;
	in.spt = rnd_range(&g->r, 1024, 65535);
	in.dpt = chance(&g->r, 500)
		     ? 5060
		     : pick_weighted(&g->r, udp_ports, sizeof(udp_ports) / sizeof(udp_ports[0]),
				     g->udp_total);
	in.ulen = udp_payload(&g->r, in.dpt) + 8;
	pkt_set_len(&in, in.ulen);
	p.id = rnd(&g->r, 65536);
	p.prec = 0xC0;
	p.proto = s->v6 ? P_ICMP6 : P_ICMP;
	p.spt = s->v6 ? 1 : 3;
	p.dpt = s->v6 ? 4 : 3;
	p.inner = &in;
	{
		uint32_t quoted = in.len;
		uint32_t cap = s->v6 ? 1280 - 48 : 576 - 28;

		pkt_set_len(&p, 8 + (quoted < cap ? quoted : cap));
	}
	put_nf_line(g->o, &g->st, sec, &g->h, "[UFW AUDIT] ", "", "eth0", &p);
}

/* ICMP errors from the network about connections we made. */
static void bg_icmp_error(struct nfgen *g, const struct src *s, long long sec)
{
	struct pkt p, in;

	pkt_from(&p, s, &g->r);
	pkt_to_self(g, &p);
	p.df = 0;
	memset(&in, 0, sizeof(in));
	in.v6 = p.v6;
	in.src = p.dst;
	in.src_len = p.dst_len;
	in.dst = s->str;
	in.dst_len = s->slen;
	in.ttl = (uint8_t)rnd_range(&g->r, 1, 60);
	in.id = rnd(&g->r, 65536);
	in.df = 1;
	in.flowlbl = rnd(&g->r, 1u << 20);
	if (chance(&g->r, 500)) {
		in.proto = P_UDP;
		in.spt = rnd_range(&g->r, 32768, 60999);
		in.dpt = chance(&g->r, 500) ? 53 : 123;
		in.ulen = in.dpt == 53 ? rnd_range(&g->r, 30, 60) : 56;
		pkt_set_len(&in, in.ulen);
	} else {
		in.proto = P_TCP;
		in.spt = rnd_range(&g->r, 32768, 60999);
		in.dpt = chance(&g->r, 700) ? 443 : 80;
		in.win = 64240;
		in.flags = F_SYN;
		pkt_set_len(&in, 40);
	}
	p.proto = p.v6 ? P_ICMP6 : P_ICMP;
	if (p.v6) {
		static const uint8_t t6[][2] = {{1, 0}, {1, 3}, {1, 4}, {3, 0}, {2, 0}};
		int k = (int)rnd(&g->r, 5);

		p.spt = t6[k][0];
		p.dpt = t6[k][1];
		pkt_set_len(&p, 8 + in.len);
	} else {
		static const uint8_t t4[][2] = {{3, 1}, {3, 3}, {3, 13}, {11, 0}, {3, 10}};
		int k = (int)rnd(&g->r, 5);

		p.spt = t4[k][0];
		p.dpt = t4[k][1];
		pkt_set_len(&p, 8 + (in.len < 548 ? in.len : 548));
		p.prec = 0xC0;
	}
	p.inner = &in;
	put_nf_line(g->o, &g->st, sec, &g->h, "[UFW BLOCK] ", "eth0", "", &p);
}

/* Routed to the VMs on our /24: logged in FORWARD with both interfaces. */
static void bg_forward(struct nfgen *g, const struct src *s, long long sec)
{
	struct pkt p;
	uint32_t host = rnd_range(&g->r, 128, 254);

	if (s->v6) {
		bg_tcp_syn(g, s, sec);
		return;
	}
	pkt_from(&p, s, &g->r);
	p.dst = g->h.lan[host];
	p.dst_len = g->h.lan_len[host];
	p.proto = P_TCP;
	p.spt = rnd_range(&g->r, 1024, 65535);
	p.dpt =
	    pick_weighted(&g->r, tcp_ports, sizeof(tcp_ports) / sizeof(tcp_ports[0]), g->tcp_total);
	p.win = s->win;
	p.flags = F_SYN;
	pkt_set_len(&p, s->synlen - 20u);
	put_nf_line(g->o, &g->st, sec, &g->h,
		    chance(&g->r, 500) ? "FORWARD-DROP: " : "[UFW BLOCK] ", "eth0", "eth1", &p);
}

static void nf_background(struct nfgen *g, long long sec)
{
	const struct src *s = pool_pick(&g->pool, &g->r);
	uint32_t x = rnd(&g->r, 1000);

	if (x < 560)
		bg_tcp_syn(g, s, sec);
	else if (x < 650)
		bg_tcp_stray(g, s, sec);
	else if (x < 760)
		bg_udp(g, s, sec);
	else if (x < 810)
		bg_echo(g, s, sec);
	else if (x < 860)
		bg_allowed(g, s, sec);
	else if (x < 900)
		bg_outbound(g, s, sec);
	else if (x < 920)
		bg_icmp_error(g, s, sec);
	else
		bg_forward(g, s, sec);
}

static void camp_start_sweep(struct nfgen *g)
{
	struct campaign *c = &g->c;
	uint32_t i, pps;

	memset(c, 0, sizeof(*c));
	c->kind = C_SIP_SWEEP;
	c->nsrc = rnd_range(&g->r, 2, 24);
	for (i = 0; i < c->nsrc; i++) {
		const struct src *s;

		do
			s = &g->pool.v[rnd(&g->r, g->pool.n)];
		while (s->v6);
		c->srcs[i] = s;
		c->sport[i] = chance(&g->r, 400) ? 5060 : rnd_range(&g->r, 1024, 65535);
		c->ulen[i] = rnd_range(&g->r, 380, 480) + 8;
	}
	c->nhosts = rnd_range(&g->r, 64, 254);
	c->start = rnd(&g->r, 254);
	c->stride = 2 * rnd_range(&g->r, 0, 126) + 1;
	c->total = c->nsrc * c->nhosts;
	pps = rnd_range(&g->r, 20, 200) * c->nsrc;
	c->step_us = 1000000u / pps;
	c->clock_us = byte_clock_us(g->o);
	if (c->clock_us < g->last_us)
		c->clock_us = g->last_us;
}

static void camp_start_vscan(struct nfgen *g)
{
	static const uint32_t kinds[] = {F_SYN, F_SYN, F_SYN, F_SYN, F_SYN,
					 F_SYN, F_SYN, F_FIN, 0,     F_FIN | F_PSH | F_URG};
	struct campaign *c = &g->c;

	memset(c, 0, sizeof(*c));
	c->kind = C_VSCAN;
	c->srcs[0] = &g->pool.v[rnd(&g->r, g->pool.n)];
	c->sport[0] = rnd_range(&g->r, 32768, 65535);
	c->target = chance(&g->r, 800) ? 10 : rnd_range(&g->r, 1, 254);
	c->nports = chance(&g->r, 200) ? rnd_range(&g->r, 1000, 3000) : rnd_range(&g->r, 100, 1000);
	c->pa = 2 * rnd(&g->r, 32768) + 1; /* odd: i -> pa*i+pb is a bijection mod 2^16 */
	c->pb = rnd(&g->r, 65536);
	c->scan_flags = kinds[rnd(&g->r, 10)];
	c->total = c->nports;
	c->step_us = 1000000u / rnd_range(&g->r, 100, 2000);
	c->clock_us = byte_clock_us(g->o);
	if (c->clock_us < g->last_us)
		c->clock_us = g->last_us;
}

static void camp_step(struct nfgen *g)
{
	struct campaign *c = &g->c;
	struct pkt p;
	long long sec;

	c->clock_us += c->step_us;
	g->last_us = c->clock_us;
	sec = c->clock_us / 1000000;
	if (c->kind == C_SIP_SWEEP) {
		uint32_t k = c->i % c->nsrc, j = c->i / c->nsrc;
		uint32_t host = (c->start + j * c->stride) % 254 + 1;
		const struct src *s = c->srcs[k];

		pkt_from(&p, s, &g->r);
		p.df = 0;
		p.dst = g->h.lan[host];
		p.dst_len = g->h.lan_len[host];
		p.proto = P_UDP;
		p.spt = c->sport[k];
		p.dpt = 5060;
		p.ulen = c->ulen[k];
		pkt_set_len(&p, p.ulen);
		if (lan_is_local(host))
			put_nf_line(g->o, &g->st, sec, &g->h, "[UFW BLOCK] ", "eth0", "", &p);
		else
			put_nf_line(g->o, &g->st, sec, &g->h, "FORWARD-DROP: ", "eth0", "eth1", &p);
	} else {
		const struct src *s = c->srcs[0];
		uint32_t port = (c->pa * c->i + c->pb) & 0xffff;

		/* odd multiplies and xor-shifts are bijections on 16 bits: a shuffled walk */
		port ^= port >> 7;
		port = (port * 0x9e37u) & 0xffff;
		port = (port * (c->pa | 1)) & 0xffff;
		port ^= port >> 9;

		if (port == 0)
			port = 65535;
		pkt_from(&p, s, &g->r);
		p.df = 0;
		p.id = rnd(&g->r, 65536);
		if (s->v6) {
			p.dst = g->h.ip6;
			p.dst_len = g->h.ip6_len;
		} else if (c->target == 10) {
			p.dst = g->h.ip4[0];
			p.dst_len = g->h.ip4_len[0];
		} else {
			p.dst = g->h.lan[c->target];
			p.dst_len = g->h.lan_len[c->target];
		}
		p.proto = P_TCP;
		p.spt = c->sport[0];
		p.dpt = port;
		p.win = 1024;
		p.flags = c->scan_flags;
		pkt_set_len(&p, c->scan_flags == F_SYN ? 24 : 20);
		if (!s->v6 && !lan_is_local(c->target))
			put_nf_line(g->o, &g->st, sec, &g->h, "FORWARD-DROP: ", "eth0", "eth1", &p);
		else
			put_nf_line(g->o, &g->st, sec, &g->h,
				    custom_rule_port(port)
					? (p.v6 ? "IP6Tables-Dropped: " : "IPTables-Dropped: ")
					: "[UFW BLOCK] ",
				    "eth0", "", &p);
	}
	if (++c->i >= c->total)
		c->kind = C_NONE;
}

static void host_init(struct host *h)
{
	static const uint8_t self[6] = {0x52, 0x54, 0x00, 0x3a, 0x1c, 0x07};
	static const uint8_t gw[6] = {0x00, 0x1b, 0x21, 0xd4, 0x6e, 0x90};
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x42, 0, 0,
				       0,    0,	   0,	 0,    0,    0,	   0, 0x10};
	uint32_t i;

	h->name = "web1";
	memcpy(h->mac_self, self, 6);
	memcpy(h->mac_gw, gw, 6);
	for (i = 0; i < 256; i++)
		h->lan_len[i] = fmt_v4(h->lan[i], 0xcb007100u | i); /* 203.0.113.i */
	memcpy(h->ip4[0], h->lan[10], sizeof(h->ip4[0]));
	h->ip4_len[0] = h->lan_len[10];
	memcpy(h->ip4[1], h->lan[11], sizeof(h->ip4[1]));
	h->ip4_len[1] = h->lan_len[11];
	h->ip6_len = fmt_v6_full(h->ip6, v6);
}

static uint32_t weight_total(const struct weighted *w, size_t n)
{
	uint32_t t = 0;
	size_t i;

	for (i = 0; i < n; i++)
		t += w[i].weight;
	return t;
}

static void gen_netfilter(struct out *o)
{
	struct nfgen *g = calloc(1, sizeof(*g));

	if (!g)
		die("calloc");
	g->o = o;
	rng_seed(&g->r, 0x6d616d6f72690001ULL);
	host_init(&g->h);
	pool_init(&g->pool, &g->r, 100000, 120, 0);
	g->tcp_total = weight_total(tcp_ports, sizeof(tcp_ports) / sizeof(tcp_ports[0]));
	g->udp_total = weight_total(udp_ports, sizeof(udp_ports) / sizeof(udp_ports[0]));
	g->st.sec = -1;
	while (!out_done(o)) {
		if (g->c.kind != C_NONE) {
			/* the rest of the Internet keeps knocking during a burst */
			if (chance(&g->r, 120))
				nf_background(g, g->c.clock_us / 1000000);
			else
				camp_step(g);
			continue;
		}
		/* ~5% of lines in sweeps (~2000 lines each), ~8% in scans (~700) */
		if (rnd(&g->r, 1000000) < 26)
			camp_start_sweep(g);
		else if (rnd(&g->r, 1000000) < 120)
			camp_start_vscan(g);
		else
			nf_background(g, nf_now(g));
	}
	free(g->pool.v);
	free(g->pool.cdf);
	free(g);
}

/* ------------------------------------------------------------------ */
/* auth.log                                                             */

enum sess_kind { S_BRUTE_INVALID, S_BRUTE_ROOT, S_PROBE, S_KEYONLY, S_LEGIT };

struct sess {
	int kind;
	int step;
	int attempts, maxatt;
	uint32_t pid, port, sid;
	const struct src *s;
	const char *user;
	int variant;
};

#define NSESS 16

struct authgen {
	struct out *o;
	struct rng r;
	struct stamp st;
	struct pool pool;
	struct src admins[3];
	long long last_us;
	uint32_t next_pid, next_sid;
	struct sess sess[NSESS];
	int sudo_pending;
};

static const char *const bad_users[] = {
    "admin",	     "test",	"user",	     "ubuntu",	"oracle",   "postgres",	 "git",
    "ftpuser",	     "guest",	"support",   "pi",	"debian",   "centos",	 "user1",
    "test1",	     "hadoop",	"minecraft", "ts3",	"nagios",   "dev",	 "jenkins",
    "ansible",	     "es",	"elastic",   "sol",	"solana",   "validator", "kafka",
    "docker",	     "www",	"web",	     "mysql",	"steam",    "vagrant",	 "odoo",
    "administrator", "usuario", "demo",	     "tomcat",	"zabbix",   "ftp",	 "testuser",
    "student",	     "server",	"redis",     "mongodb", "sysadmin", "operator",	 "tester",
    "uucp",	     "12345",	"a",	     "node",	"backup",   "ubnt",	 "sa",
};

#define NBAD (sizeof(bad_users) / sizeof(bad_users[0]))

static long long auth_now(struct authgen *g)
{
	long long t = byte_clock_us(g->o);

	if (t < g->last_us)
		t = g->last_us;
	g->last_us = t;
	return t / 1000000;
}

static void auth_head(struct authgen *g, long long sec, const char *prog, uint32_t pid)
{
	out_reserve(g->o);
	put_stamp(g->o, &g->st, sec);
	put_lit(g->o, "web1 ");
	put_str(g->o, prog);
	if (pid) {
		put_ch(g->o, '[');
		put_u(g->o, pid);
		put_ch(g->o, ']');
	}
	put_lit(g->o, ": ");
}

static uint32_t new_pid(struct authgen *g)
{
	g->next_pid += rnd_range(&g->r, 1, 40);
	if (g->next_pid > 4194000)
		g->next_pid = 1000;
	return g->next_pid;
}

static void put_addr_port(struct out *o, const struct sess *s)
{
	put_mem(o, s->s->str, s->s->slen);
	put_lit(o, " port ");
	put_u(o, s->port);
}

static void sess_start(struct authgen *g, struct sess *s)
{
	uint32_t x = rnd(&g->r, 1000);

	memset(s, 0, sizeof(*s));
	s->pid = new_pid(g);
	s->port = rnd_range(&g->r, 1024, 65535);
	s->s = pool_pick(&g->pool, &g->r);
	s->variant = (int)rnd(&g->r, 4);
	if (x < 380) {
		s->kind = S_BRUTE_INVALID;
		s->user = bad_users[rnd(&g->r, NBAD)];
		s->maxatt = chance(&g->r, 700) ? 1 : (int)rnd_range(&g->r, 2, 6);
	} else if (x < 640) {
		s->kind = S_BRUTE_ROOT;
		s->user = "root";
		s->maxatt = chance(&g->r, 600) ? 1 : (int)rnd_range(&g->r, 2, 6);
	} else if (x < 820) {
		s->kind = S_PROBE;
	} else if (x < 940) {
		s->kind = S_KEYONLY;
		s->user = chance(&g->r, 300) ? "root" : bad_users[rnd(&g->r, NBAD)];
	} else {
		s->kind = S_LEGIT;
		s->s = &g->admins[rnd(&g->r, 3)];
		s->user = chance(&g->r, 800) ? "deploy" : "alice";
		s->sid = ++g->next_sid;
	}
}

/* pam_unix's message: "rhost=A" then " user=U" (so two spaces) when known. */
static void put_pam_failure(struct authgen *g, struct sess *s, long long sec, int known)
{
	auth_head(g, sec, "sshd", s->pid);
	put_lit(g->o, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
		      "tty=ssh ruser= rhost=");
	put_mem(g->o, s->s->str, s->s->slen);
	put_ch(g->o, ' ');
	if (known) {
		put_lit(g->o, " user=");
		put_str(g->o, s->user);
	}
	put_ch(g->o, '\n');
}

/* "invalid user X " or "authenticating user X " or "user X " before an address. */
static void put_who(struct out *o, const struct sess *s, int invalid)
{
	put_str(o, invalid ? "invalid user " : "authenticating user ");
	put_str(o, s->user);
	put_ch(o, ' ');
}

/* Emit the next line of a brute-force session; returns 0 when it has ended. */
static int sess_brute(struct authgen *g, struct sess *s, long long sec)
{
	int invalid = s->kind == S_BRUTE_INVALID;
	struct out *o = g->o;

	switch (s->step) {
	case 0:
		s->step = 1;
		if (invalid) {
			auth_head(g, sec, "sshd", s->pid);
			put_lit(o, "Invalid user ");
			put_str(o, s->user);
			put_lit(o, " from ");
			put_addr_port(o, s);
			put_ch(o, '\n');
			return 1;
		}
		/* fall through */
	case 1:
		s->step = 2;
		if (invalid) {
			auth_head(g, sec, "sshd", s->pid);
			put_lit(o, "pam_unix(sshd:auth): check pass; user unknown\n");
			return 1;
		}
		/* fall through */
	case 2:
		s->step = 3;
		if (s->attempts == 0) {
			put_pam_failure(g, s, sec, !invalid);
			return 1;
		}
		/* fall through */
	case 3:
		auth_head(g, sec, "sshd", s->pid);
		put_lit(o, "Failed password for ");
		if (invalid)
			put_lit(o, "invalid user ");
		put_str(o, s->user);
		put_lit(o, " from ");
		put_addr_port(o, s);
		put_lit(o, " ssh2\n");
		s->attempts++;
		s->step = s->attempts < s->maxatt ? (invalid ? 1 : 3) : 4;
		return 1;
	case 4:
		if (s->maxatt >= 6) {
			s->step = 10;
			auth_head(g, sec, "sshd", s->pid);
			put_lit(o, "error: maximum authentication attempts exceeded for ");
			if (invalid)
				put_lit(o, "invalid user ");
			put_str(o, s->user);
			put_lit(o, " from ");
			put_addr_port(o, s);
			put_lit(o, " ssh2 [preauth]\n");
			return 1;
		}
		auth_head(g, sec, "sshd", s->pid);
		if (s->variant < 3) {
			s->step = 5;
			put_lit(o, "Received disconnect from ");
			put_addr_port(o, s);
			put_lit(o, ":11: Bye Bye [preauth]\n");
		} else {
			s->step = 20;
			put_lit(o, "Connection closed by ");
			put_who(o, s, invalid);
			put_addr_port(o, s);
			put_lit(o, " [preauth]\n");
		}
		return 1;
	case 5:
		s->step = 20;
		auth_head(g, sec, "sshd", s->pid);
		put_lit(o, "Disconnected from ");
		put_who(o, s, invalid);
		put_addr_port(o, s);
		put_lit(o, " [preauth]\n");
		return 1;
	case 10:
		s->step = 11;
		auth_head(g, sec, "sshd", s->pid);
		put_lit(o, "Disconnecting ");
		put_who(o, s, invalid);
		put_addr_port(o, s);
		put_lit(o, ": Too many authentication failures [preauth]\n");
		return 1;
	case 11:
		s->step = 20;
		auth_head(g, sec, "sshd", s->pid);
		put_lit(o,
			"PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= "
			"rhost=");
		put_mem(o, s->s->str, s->s->slen);
		put_ch(o, ' ');
		if (!invalid) {
			put_lit(o, " user=");
			put_str(o, s->user);
		}
		put_ch(o, '\n');
		return 1;
	default:
		return 0;
	}
}

/* Scanners and banner grabbers that never try a password. */
static int sess_probe(struct authgen *g, struct sess *s, long long sec)
{
	struct out *o = g->o;

	if (s->step++)
		return 0;
	auth_head(g, sec, "sshd", s->pid);
	switch (s->variant) {
	case 0:
		put_lit(o, "Connection closed by ");
		put_addr_port(o, s);
		put_lit(o, " [preauth]\n");
		break;
	case 1:
		put_lit(o,
			"error: kex_exchange_identification: Connection closed by remote host\n");
		auth_head(g, sec, "sshd", s->pid);
		put_lit(o, "Connection closed by ");
		put_addr_port(o, s);
		put_ch(o, '\n');
		break;
	case 2:
		put_lit(o, "banner exchange: Connection from ");
		put_addr_port(o, s);
		put_lit(o, ": invalid format\n");
		break;
	default:
		put_lit(o, "Unable to negotiate with ");
		put_addr_port(o, s);
		put_lit(o, ": no matching key exchange method found. Their offer: "
			   "diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1,"
			   "diffie-hellman-group1-sha1 [preauth]\n");
		break;
	}
	return 1;
}

/* Bots on a key-only server: the user is checked, no password is asked. */
static int sess_keyonly(struct authgen *g, struct sess *s, long long sec)
{
	struct out *o = g->o;
	int invalid = strcmp(s->user, "root") != 0;

	switch (s->step++) {
	case 0:
		if (invalid) {
			auth_head(g, sec, "sshd", s->pid);
			put_lit(o, "Invalid user ");
			put_str(o, s->user);
			put_lit(o, " from ");
			put_addr_port(o, s);
			put_ch(o, '\n');
			return 1;
		}
		s->step++;
		/* fall through */
	case 1:
		auth_head(g, sec, "sshd", s->pid);
		put_lit(o, "Connection closed by ");
		put_who(o, s, invalid);
		put_addr_port(o, s);
		put_lit(o, " [preauth]\n");
		return 1;
	default:
		return 0;
	}
}

static const char *const sudo_cmds[] = {
    "/usr/bin/systemctl restart nginx", "/usr/bin/apt update",
    "/usr/bin/apt upgrade -y",		"/usr/bin/journalctl -u nginx",
    "/usr/bin/tail -f /var/log/syslog", "/usr/sbin/ufw status",
};

static void put_sudo(struct authgen *g, long long sec, const char *user, uint32_t uid)
{
	struct out *o = g->o;

	size_t pad = strlen(user);

	/* sudo logs "%8s : ..." */
	auth_head(g, sec, "sudo", 0);
	for (; pad < 8; pad++)
		put_ch(o, ' ');
	put_str(o, user);
	put_lit(o, " : TTY=pts/0 ; PWD=/home/");
	put_str(o, user);
	put_lit(o, " ; USER=root ; COMMAND=");
	put_str(o, sudo_cmds[rnd(&g->r, sizeof(sudo_cmds) / sizeof(sudo_cmds[0]))]);
	put_ch(o, '\n');
	auth_head(g, sec, "sudo", 0);
	put_lit(o, "pam_unix(sudo:session): session opened for user root(uid=0) by ");
	put_str(o, user);
	put_lit(o, "(uid=");
	put_u(o, uid);
	put_lit(o, ")\n");
	auth_head(g, sec, "sudo", 0);
	put_lit(o, "pam_unix(sudo:session): session closed for user root\n");
}

static int sess_legit(struct authgen *g, struct sess *s, long long sec)
{
	struct out *o = g->o;
	uint32_t uid = s->user[0] == 'd' ? 1000 : 1001;

	switch (s->step++) {
	case 0:
		auth_head(g, sec, "sshd", s->pid);
		put_lit(o, "Accepted publickey for ");
		put_str(o, s->user);
		put_lit(o, " from ");
		put_addr_port(o, s);
		put_lit(o, " ssh2: ED25519 SHA256:");
		put_str(o, uid == 1000 ? "jX4bV0q2pS9eYcWm7HkR1tLz8nFgA3dUoQiE5vBwKxM"
				       : "p7Tn2LqZ0cVb8RkYx3HsW1mJ6dFgE9aUoPiN4tBwQzC");
		put_ch(o, '\n');
		auth_head(g, sec, "sshd", s->pid);
		put_lit(o, "pam_unix(sshd:session): session opened for user ");
		put_str(o, s->user);
		put_lit(o, "(uid=");
		put_u(o, uid);
		put_lit(o, ") by (uid=0)\n");
		auth_head(g, sec, "systemd-logind", 512);
		put_lit(o, "New session ");
		put_u(o, s->sid);
		put_lit(o, " of user ");
		put_str(o, s->user);
		put_lit(o, ".\n");
		return 1;
	case 1:
	case 2:
		put_sudo(g, sec, s->user, uid);
		return 1;
	case 3:
		auth_head(g, sec, "sshd", s->pid);
		put_lit(o, "Received disconnect from ");
		put_addr_port(o, s);
		put_lit(o, ":11: disconnected by user\n");
		auth_head(g, sec, "sshd", s->pid);
		put_lit(o, "Disconnected from user ");
		put_str(o, s->user);
		put_ch(o, ' ');
		put_addr_port(o, s);
		put_ch(o, '\n');
		auth_head(g, sec, "sshd", s->pid);
		put_lit(o, "pam_unix(sshd:session): session closed for user ");
		put_str(o, s->user);
		put_ch(o, '\n');
		auth_head(g, sec, "systemd-logind", 512);
		put_lit(o, "Session ");
		put_u(o, s->sid);
		put_lit(o, " logged out. Waiting for processes to exit.\n");
		auth_head(g, sec, "systemd-logind", 512);
		put_lit(o, "Removed session ");
		put_u(o, s->sid);
		put_lit(o, ".\n");
		return 1;
	default:
		return 0;
	}
}

static void put_cron(struct authgen *g, long long sec)
{
	struct out *o = g->o;
	uint32_t pid = new_pid(g);
	int www = chance(&g->r, 250);
	const char *user = www ? "www-data" : "root";
	const char *uid = www ? "33" : "0";

	auth_head(g, sec, "CRON", pid);
	put_lit(o, "pam_unix(cron:session): session opened for user ");
	put_str(o, user);
	put_lit(o, "(uid=");
	put_str(o, uid);
	put_lit(o, ") by (uid=0)\n");
	auth_head(g, sec, "CRON", pid);
	put_lit(o, "pam_unix(cron:session): session closed for user ");
	put_str(o, user);
	put_ch(o, '\n');
}

static void gen_auth(struct out *o)
{
	struct authgen *g = calloc(1, sizeof(*g));
	int i;

	if (!g)
		die("calloc");
	g->o = o;
	rng_seed(&g->r, 0x6d616d6f72690002ULL);
	pool_init(&g->pool, &g->r, 30000, 50, 1);
	for (i = 0; i < 3; i++) {
		static const uint32_t admin_ip[3] = {0xc6336405u, 0xc633644du, 0xc0000281u};

		g->admins[i] = g->pool.v[0];
		g->admins[i].slen = (uint8_t)fmt_v4(g->admins[i].str, admin_ip[i]);
	}
	g->st.sec = -1;
	g->next_pid = 1200;
	g->next_sid = 1;
	for (i = 0; i < NSESS; i++)
		sess_start(g, &g->sess[i]);
	while (!out_done(o)) {
		long long sec = auth_now(g);
		struct sess *s;
		int more;

		if (chance(&g->r, 90)) {
			put_cron(g, sec);
			continue;
		}
		s = &g->sess[rnd(&g->r, NSESS)];
		switch (s->kind) {
		case S_BRUTE_INVALID:
		case S_BRUTE_ROOT:
			more = sess_brute(g, s, sec);
			break;
		case S_PROBE:
			more = sess_probe(g, s, sec);
			break;
		case S_KEYONLY:
			more = sess_keyonly(g, s, sec);
			break;
		default:
			more = sess_legit(g, s, sec);
			break;
		}
		if (!more)
			sess_start(g, s);
	}
	free(g->pool.v);
	free(g->pool.cdf);
	free(g);
}

/* ------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr, "usage: gen_logs netfilter|auth SIZE_MB OUT\n"
			"  SIZE_MB in MiB (1..65536); OUT may be '-' for stdout\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct out o;
	char *end;
	unsigned long mb;
	int netfilter;

	if (argc != 4)
		usage();
	if (strcmp(argv[1], "netfilter") == 0)
		netfilter = 1;
	else if (strcmp(argv[1], "auth") == 0)
		netfilter = 0;
	else
		usage();
	errno = 0;
	mb = strtoul(argv[2], &end, 10);
	if (errno || *end || end == argv[2] || mb < 1 || mb > 65536)
		usage();

	memset(&o, 0, sizeof(o));
	o.target = (uint64_t)mb * MIB;
	o.buf = malloc(OUTBUF_SIZE);
	if (!o.buf)
		die("malloc");
	if (strcmp(argv[3], "-") == 0)
		o.fd = STDOUT_FILENO;
	else {
		o.fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (o.fd < 0)
			die(argv[3]);
	}
	if (netfilter)
		gen_netfilter(&o);
	else
		gen_auth(&o);
	out_flush(&o);
	if (o.fd != STDOUT_FILENO && close(o.fd) != 0)
		die("close");
	free(o.buf);
	return 0;
}
