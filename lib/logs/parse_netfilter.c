/* SPDX-License-Identifier: MIT */
/*
 * Netfilter packet logs: the iptables/ip6tables LOG target, the nftables
 * `log` statement and everything built on them (ufw, firewalld, custom
 * prefixes). All of them come from the kernel's nf_log_syslog.c, which
 * writes one line per packet:
 *
 *   PREFIX IN=eth0 OUT= [PHYSIN=.. PHYSOUT=..] MAC=.. SRC=.. DST=.. LEN=..
 *   TOS=0x00 PREC=0x00 TTL=.. ID=.. [CE] [DF] [MF] [FRAG:..] [OPT (..)]
 *   PROTO=TCP SPT=.. DPT=.. [SEQ=.. ACK=..] WINDOW=.. RES=0x00 [CWR ECE URG
 *   ACK PSH RST SYN FIN] URGP=.. [OPT (..)] [UID=.. GID=..] [MARK=0x..]
 *
 * IPv6 has TC= HOPLIMIT= FLOWLBL= instead of TOS/PREC/TTL/ID and prints
 * addresses fully expanded; UDP/UDPLITE add a second LEN= (the UDP length);
 * ICMP/ICMPv6 print TYPE= CODE= and, for echo, a second ID= and SEQ=; ICMP
 * errors print the offending packet in "[SRC=.. DST=.. ...]" and a short
 * header shows as "INCOMPLETE [N bytes]". With `log flags ether` / iptables
 * --log-macdecode MAC= becomes MACSRC= MACDST= [VPROTO= VID=] MACPROTO=.
 *
 * Finding the header. The prefix is whatever the admin configured: it may
 * be empty, contain spaces and brackets, end without a space (then it is
 * glued to "IN=") and even contain "IN=x OUT=y SRC=..." text. What the
 * kernel writes after the real "IN=" never contains a token that starts
 * with "OUT=" (the only look-alike, PHYSOUT=, starts with P), so the real
 * header is the LAST token starting with "OUT=" whose preceding token
 * contains "IN=". Inside that preceding token the LAST "IN=" starts the
 * interface name (an interface named "xIN=y" would be misread; interface
 * names are the admin's too, and a prefix glued to "IN=" is the common
 * case). The walk below starts at the first such header and simply starts
 * again when it meets a later one, so a prefix can never contribute
 * fields: only the bytes after the last header are read as fields.
 *
 * Speed: this is the hot path of `mamori logs` on firewall logs. One
 * forward pass: memchr for '=' to find the header, then the fields in the
 * order the kernel prints them (fast_walk(), one expected key at a time),
 * then, from the first token out of that order, per token a 4-byte
 * load of the key compared as one integer, values parsed in place (IPv4
 * and the kernel's expanded IPv6 inline, anything else through
 * mm_addr_parse), and tokens we do not keep skipped 8 bytes at a time.
 * No allocation, no strlen, nothing copied.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "mamori/logs.h"

/* Keys that may appear once per packet; a repeat means the line is malformed. */
enum {
	SEEN_SRC = 1u << 0,
	SEEN_DST = 1u << 1,
	SEEN_PROTO = 1u << 2,
	SEEN_LEN = 1u << 3,
	SEEN_TTL = 1u << 4,
	SEEN_MAC = 1u << 5,
	SEEN_SPT = 1u << 6,
	SEEN_DPT = 1u << 7,
	SEEN_WINDOW = 1u << 8,
	SEEN_TYPE = 1u << 9,
	SEEN_CODE = 1u << 10,
};

/* The header: where "IN=" starts, both interface names, where fields start. */
struct nf_hdr {
	const char *in_key;
	struct mm_span in_if, out_if;
	const char *fields;
};

/* Fields of one packet, committed to the event only when the line is good. */
struct nf_pkt {
	struct mm_span mac;
	struct mm_addr src, dst;
	int32_t sport, dport, len, ttl, window, icmp_type, icmp_code;
	int proto;
	uint8_t flags;
	uint32_t seen;
};

enum walk_result {
	WALK_END,    /* reached the end of the line */
	WALK_STOP,   /* reached an embedded packet or INCOMPLETE [..]: nothing later is ours */
	WALK_FAIL,   /* malformed field */
	WALK_NEWHDR, /* met a later header: start again from it */
};

/* The 4 bytes at p as one integer, for comparing keys in one go. */
static inline uint32_t load32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

#define TAG(a, b, c, d)                                                                            \
	((uint32_t)(unsigned char)(a) | (uint32_t)(unsigned char)(b) << 8 |                        \
	 (uint32_t)(unsigned char)(c) << 16 | (uint32_t)(unsigned char)(d) << 24)

/*
 * The first byte equal to ch at or after p, or end. Eight bytes at a time:
 * x has a zero byte where the input has ch, and the classic has-zero-byte
 * test marks the first one exactly (a borrow only runs upward from a real
 * zero). Inline because tokens are short: a memchr call costs more.
 */
static inline const char *find_byte(const char *p, const char *end, char ch)
{
	const uint64_t ones = 0x0101010101010101ULL;

	while (end - p >= 8) {
		uint64_t w, x, t;

		memcpy(&w, p, 8);
		x = w ^ (ones * (unsigned char)ch);
		t = (x - ones) & ~x & (ones << 7);
		if (t) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return p + (__builtin_ctzll(t) >> 3);
#else
			return p + (__builtin_clzll(t) >> 3);
#endif
		}
		p += 8;
	}
	while (p < end && *p != ch)
		p++;
	return p;
}

/* The end of the token at p: the next space, or end. */
static inline const char *skip_value(const char *p, const char *end)
{
	return find_byte(p, end, ' ');
}

/* Skip a value the kernel prints with a fixed width (TOS=0x%02X, MAC of
 * an Ethernet header) when it has that width, else up to the next space. */
static inline const char *skip_fixed(const char *p, const char *end, size_t width)
{
	if ((size_t)(end - p) > width && p[width] == ' ')
		return p + width;
	return skip_value(p, end);
}

/*
 * Consume a decimal number that fills the rest of the token (up to a space
 * or the end), value <= max. Cursor style: advances only on success.
 */
static inline __attribute__((always_inline)) bool cur_num(struct mm_cur *c, uint32_t max,
							  int32_t *out)
{
	const char *p = c->p;
	uint64_t v = 0;
	unsigned nd = 0, d;

	/* the usual case: a short number with the rest of the line after it */
	if (mm_cur_left(c) > 11) {
		/*
		 * No leading zeros (the kernel prints none), so every digit
		 * multiplies v by ten and v > max (< 2^32) stops the loop within
		 * eleven digits: no bounds check needed per digit.
		 */
		if ((v = (unsigned)(*p - '0')) > 9 || (v == 0 && (unsigned)(p[1] - '0') < 10))
			return false;
		for (p++; (d = (unsigned)(*p - '0')) < 10; p++) {
			v = v * 10 + d;
			if (v > max)
				return false;
		}
		if (*p != ' ')
			return false;
		*out = (int32_t)v;
		c->p = p;
		return true;
	}
	while (p < c->end && (unsigned)(*p - '0') < 10) {
		if (++nd > 10)
			return false;
		v = v * 10 + (unsigned)(*p - '0');
		p++;
	}
	if (nd == 0 || v > max || (p < c->end && *p != ' '))
		return false;
	*out = (int32_t)v;
	c->p = p;
	return true;
}

/* Hex digit value + 1, 0 for anything else (so the table needs no filler). */
static const uint8_t hexval[256] = {
    ['0'] = 1,	['1'] = 2,  ['2'] = 3,	['3'] = 4,  ['4'] = 5,	['5'] = 6,  ['6'] = 7,	['7'] = 8,
    ['8'] = 9,	['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/*
 * Fast paths for what the kernel prints: %pI4 (dotted quad, no leading
 * zeros) and %pI6 (eight groups of four hex digits). They accept a subset
 * of mm_addr_parse(), which decides everything else, so the answer is the
 * same either way.
 */
static inline bool fast_v4(const char *p, const char *end, struct mm_addr *out, const char **e)
{
	unsigned part, v, d;

	/* room for "255.255.255.255" and one byte more: no bounds checks below */
	if (end - p < 16)
		return false;
	for (part = 0; part < 4; part++) {
		if (part && *p++ != '.')
			return false;
		if ((v = (unsigned)(*p - '0')) > 9)
			return false;
		if ((d = (unsigned)(p[1] - '0')) > 9) {
			p += 1;
		} else if (v == 0) {
			return false; /* a leading zero */
		} else if ((v = v * 10 + d, d = (unsigned)(p[2] - '0')) > 9) {
			p += 2;
		} else {
			if ((v = v * 10 + d) > 255)
				return false;
			p += 3;
		}
		out->b[part] = (uint8_t)v;
	}
	if (*p != ' ')
		return false;
	memset(out->b + 4, 0, 12);
	out->family = MM_AF_INET;
	*e = p;
	return true;
}

static inline bool fast_v6(const char *p, const char *end, struct mm_addr *out, const char **e)
{
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const unsigned char *u = (const unsigned char *)p;
	unsigned g;

	if (end - p < 39 || (end - p > 39 && p[39] != ' '))
		return false;
	for (g = 0; g < 8; g++, u += 5) {
		/* a bad digit wraps to UINT_MAX, so one test covers all four */
		unsigned h0 = hexval[u[0]] - 1u, h1 = hexval[u[1]] - 1u, h2 = hexval[u[2]] - 1u,
			 h3 = hexval[u[3]] - 1u;

		if ((h0 | h1 | h2 | h3) > 15 || (g < 7 && u[4] != ':'))
			return false;
		out->b[2 * g] = (uint8_t)(h0 << 4 | h1);
		out->b[2 * g + 1] = (uint8_t)(h2 << 4 | h3);
	}
	if (memcmp(out->b, v4mapped, 12) == 0)
		return false; /* mm_addr_parse makes it IPv4 */
	out->family = MM_AF_INET6;
	*e = p + 39;
	return true;
}

/* Consume an address that fills the rest of the token. */
static inline bool cur_addr(struct mm_cur *c, struct mm_addr *out)
{
	const char *e;

	if (fast_v4(c->p, c->end, out, &e) || fast_v6(c->p, c->end, out, &e)) {
		c->p = e;
		return true;
	}
	e = skip_value(c->p, c->end);
	if (mm_addr_parse(c->p, (size_t)(e - c->p), out) < 0)
		return false;
	c->p = e;
	return true;
}

/* The protocol names nf_log_syslog.c prints; anything else is numeric. */
static bool cur_proto(struct mm_cur *c, int *proto)
{
	const char *p = c->p, *e = skip_value(c->p, c->end);
	size_t n = (size_t)(e - p);
	int32_t v;

	if (n == 3 && memcmp(p, "TCP", 3) == 0)
		*proto = 6;
	else if (n == 3 && memcmp(p, "UDP", 3) == 0)
		*proto = 17;
	else if (n == 4 && memcmp(p, "ICMP", 4) == 0)
		*proto = 1;
	else if (n == 6 && memcmp(p, "ICMPv6", 6) == 0)
		*proto = 58;
	else if (n == 7 && memcmp(p, "UDPLITE", 7) == 0)
		*proto = 136;
	else if (n == 4 && memcmp(p, "SCTP", 4) == 0)
		*proto = 132;
	else if (n == 2 && memcmp(p, "AH", 2) == 0)
		*proto = 51;
	else if (n == 3 && memcmp(p, "ESP", 3) == 0)
		*proto = 50;
	else if (cur_num(c, 255, &v))
		*proto = v;
	else
		return false;
	c->p = e;
	return true;
}

/*
 * Is out_key (pointing at "OUT=", preceded by a space) a header, i.e. is
 * the token before it one that contains "IN="? Fills h when it is.
 */
static bool header_at(const char *base, const char *out_key, const char *end, struct nf_hdr *h)
{
	const char *sp = out_key - 1, *tok = sp, *in = NULL, *q;
	size_t i;

	if (out_key <= base || *sp != ' ')
		return false;
	while (tok > base && tok[-1] != ' ')
		tok--;
	/* the last "IN=" of the token: a prefix glued to the header comes first */
	for (i = (size_t)(sp - tok); i >= 3; i--) {
		if (tok[i - 3] == 'I' && tok[i - 2] == 'N' && tok[i - 1] == '=') {
			in = tok + i - 3;
			break;
		}
	}
	if (!in)
		return false;
	h->in_key = in;
	h->in_if = mm_span_make(in + 3, (size_t)(sp - in - 3));
	q = skip_value(out_key + 4, end);
	h->out_if = mm_span_make(out_key + 4, (size_t)(q - out_key - 4));
	h->fields = q;
	return true;
}

/*
 * The first header that starts at or after p. Forward: the first "IN=" whose
 * value is followed by " OUT=", then the last "IN=" of that token (see the
 * top of the file), which is what header_at() finds looking backward.
 */
static bool find_header(const char *base, const char *p, const char *end, struct nf_hdr *h)
{
	while (p < end) {
		const char *eq = find_byte(p, end, '='), *v, *sp, *o, *q;

		if (eq == end)
			return false;
		p = eq + 1;
		if (eq - base < 2 || eq[-2] != 'I' || eq[-1] != 'N')
			continue;
		v = eq + 1;
		sp = skip_value(v, end);
		if (end - sp < 5 || load32(sp + 1) != TAG('O', 'U', 'T', '='))
			continue;
		/* a later "IN=" in the same token: the interface starts after it */
		for (q = v; (eq = find_byte(q, sp, '=')) != sp; q = eq + 1) {
			if (eq - v >= 2 && eq[-2] == 'I' && eq[-1] == 'N')
				v = eq + 1;
		}
		h->in_key = v - 3;
		h->in_if = mm_span_make(v, (size_t)(sp - v));
		o = skip_value(sp + 5, end);
		h->out_if = mm_span_make(sp + 5, (size_t)(o - sp - 5));
		h->fields = o;
		return true;
	}
	return false;
}

/* A bare word after PROTO=TCP: one of the TCP flags the kernel prints. */
static uint8_t tcp_flag(const char *w, size_t n)
{
	if (n != 3)
		return 0;
	switch (w[0]) {
	case 'S':
		return memcmp(w, "SYN", 3) == 0 ? MM_TCP_SYN : 0;
	case 'A':
		return memcmp(w, "ACK", 3) == 0 ? MM_TCP_ACK : 0;
	case 'F':
		return memcmp(w, "FIN", 3) == 0 ? MM_TCP_FIN : 0;
	case 'R':
		return memcmp(w, "RST", 3) == 0 ? MM_TCP_RST : 0;
	case 'P':
		return memcmp(w, "PSH", 3) == 0 ? MM_TCP_PSH : 0;
	case 'U':
		return memcmp(w, "URG", 3) == 0 ? MM_TCP_URG : 0;
	}
	/* CWR and ECE (ECN) have no MM_TCP_* bit: an ECN SYN is still a SYN */
	return 0;
}

/* Mark bit seen; false when it already was (a duplicated key). */
#define ONCE(bit) (!(pk->seen & (bit)) && (pk->seen |= (bit), true))

/* Does the token at c start with the 4-byte key k (with the room walk() asks)? */
static inline bool at_key(const struct mm_cur *c, uint32_t k)
{
	return mm_cur_left(c) >= 5 && load32(c->p) == k;
}

/* Does the token at c start with the 3 bytes of s (e.g. "ID=")? */
static inline bool at_key3(const struct mm_cur *c, const char *s)
{
	return mm_cur_left(c) >= 3 && c->p[0] == s[0] && c->p[1] == s[1] && c->p[2] == s[2];
}

/* Is the token at c exactly the two letters a b (DF, MF, CE)? */
static inline bool at_word2(const struct mm_cur *c, char a, char b)
{
	return mm_cur_left(c) >= 2 && c->p[0] == a && c->p[1] == b &&
	       (mm_cur_left(c) == 2 || c->p[2] == ' ');
}

/*
 * Step over the space that ends a value, as walk() does after each field;
 * leave when the line ends there or the next token does not start at once.
 */
#define FP_NEXT()                                                                                  \
	do {                                                                                       \
		if (c->p >= c->end)                                                                \
			return;                                                                    \
		c->p++;                                                                            \
	} while (0)

/* Give the token at key back to walk(), which fails on it the same way. */
#define FP_GIVE_BACK(bit)                                                                          \
	do {                                                                                       \
		c->p = key;                                                                        \
		pk->seen &= ~(uint32_t)(bit);                                                      \
		return;                                                                            \
	} while (0)

/*
 * The order nf_log_syslog.c prints fields in, tried before walk()'s general
 * switch: [MAC=] SRC= DST= LEN= then TOS= PREC= TTL= ID= [CE] [DF] [MF] or
 * TC= HOPLIMIT= FLOWLBL=, then PROTO= and, for TCP, SPT= DPT= [SEQ= ACK=]
 * WINDOW= RES= flags URGP=; for UDP SPT= DPT= LEN=; for ICMP TYPE= CODE=.
 * Each step does exactly what walk() would do with that token and
 * returns at the first token it does not expect, leaving c at the start of
 * a token (or the end) with pk and *l4 as walk() would have them, so
 * walk() carries on from there: any order still parses, only slower.
 */
static void fast_walk(struct mm_cur *c, struct nf_pkt *pk, bool *l4)
{
	const char *key;

	if (c->p < c->end && *c->p == ' ')
		c->p++;
	key = c->p;
	if (at_key(c, TAG('M', 'A', 'C', '='))) {
		const char *e = skip_fixed(c->p + 4, c->end, 41);

		pk->seen |= SEEN_MAC;
		pk->mac = mm_span_make(c->p + 4, (size_t)(e - c->p - 4));
		c->p = e;
		FP_NEXT();
		key = c->p;
	}
	if (!at_key(c, TAG('S', 'R', 'C', '=')))
		return;
	c->p += 4;
	pk->seen |= SEEN_SRC;
	if (!cur_addr(c, &pk->src))
		FP_GIVE_BACK(SEEN_SRC);
	FP_NEXT();
	key = c->p;
	if (!at_key(c, TAG('D', 'S', 'T', '=')))
		return;
	c->p += 4;
	pk->seen |= SEEN_DST;
	if (!cur_addr(c, &pk->dst))
		FP_GIVE_BACK(SEEN_DST);
	FP_NEXT();
	key = c->p;
	if (!at_key(c, TAG('L', 'E', 'N', '=')))
		return;
	c->p += 4;
	pk->seen |= SEEN_LEN;
	if (!cur_num(c, 65535 + 40, &pk->len))
		FP_GIVE_BACK(SEEN_LEN);
	FP_NEXT();
	key = c->p;
	if (at_key(c, TAG('T', 'O', 'S', '='))) {
		c->p = skip_fixed(c->p + 4, c->end, 4);
		FP_NEXT();
		if (!at_key(c, TAG('P', 'R', 'E', 'C')))
			return;
		c->p = skip_fixed(c->p + 4, c->end, 5);
		FP_NEXT();
		key = c->p;
		if (!at_key(c, TAG('T', 'T', 'L', '=')))
			return;
		c->p += 4;
		pk->seen |= SEEN_TTL;
		if (!cur_num(c, 255, &pk->ttl))
			FP_GIVE_BACK(SEEN_TTL);
		FP_NEXT();
		if (!at_key3(c, "ID="))
			return;
		c->p = skip_value(c->p + 3, c->end);
		FP_NEXT();
		if (at_word2(c, 'C', 'E')) {
			c->p += 2;
			FP_NEXT();
		}
		if (at_word2(c, 'D', 'F')) {
			c->p += 2;
			FP_NEXT();
		}
		if (at_word2(c, 'M', 'F')) {
			c->p += 2;
			FP_NEXT();
		}
	} else if (at_key3(c, "TC=")) {
		c->p = skip_value(c->p + 3, c->end);
		FP_NEXT();
		key = c->p;
		if (!at_key(c, TAG('H', 'O', 'P', 'L')) || mm_cur_left(c) < 9 ||
		    load32(c->p + 4) != TAG('I', 'M', 'I', 'T') || c->p[8] != '=')
			return;
		c->p += 9;
		pk->seen |= SEEN_TTL;
		if (!cur_num(c, 255, &pk->ttl))
			FP_GIVE_BACK(SEEN_TTL);
		FP_NEXT();
		if (!at_key(c, TAG('F', 'L', 'O', 'W')) || mm_cur_left(c) < 8 ||
		    load32(c->p + 4) != TAG('L', 'B', 'L', '='))
			return;
		c->p = skip_value(c->p + 8, c->end);
		FP_NEXT();
	} else {
		return;
	}
	key = c->p;
	if (!at_key(c, TAG('P', 'R', 'O', 'T')) || mm_cur_left(c) < 6 || c->p[4] != 'O' ||
	    c->p[5] != '=')
		return;
	c->p += 6;
	pk->seen |= SEEN_PROTO;
	/* what cur_proto() answers for the common three, without its search */
	if (mm_cur_left(c) >= 5 && load32(c->p) == TAG('T', 'C', 'P', ' ')) {
		pk->proto = 6;
		c->p += 3;
	} else if (mm_cur_left(c) >= 5 && load32(c->p) == TAG('U', 'D', 'P', ' ')) {
		pk->proto = 17;
		c->p += 3;
	} else if (mm_cur_left(c) >= 5 && load32(c->p) == TAG('I', 'C', 'M', 'P') &&
		   c->p[4] == ' ') {
		pk->proto = 1;
		c->p += 4;
	} else if (!cur_proto(c, &pk->proto)) {
		FP_GIVE_BACK(SEEN_PROTO);
	}
	*l4 = true;
	FP_NEXT();
	if (pk->proto == 1 || pk->proto == 58) {
		key = c->p;
		if (!at_key(c, TAG('T', 'Y', 'P', 'E')) || c->p[4] != '=')
			return;
		c->p += 5;
		pk->seen |= SEEN_TYPE;
		if (!cur_num(c, 255, &pk->icmp_type))
			FP_GIVE_BACK(SEEN_TYPE);
		FP_NEXT();
		key = c->p;
		if (!at_key(c, TAG('C', 'O', 'D', 'E')) || c->p[4] != '=')
			return;
		c->p += 5;
		pk->seen |= SEEN_CODE;
		if (!cur_num(c, 255, &pk->icmp_code))
			FP_GIVE_BACK(SEEN_CODE);
		FP_NEXT();
		return;
	}
	key = c->p;
	if (!at_key(c, TAG('S', 'P', 'T', '=')))
		return;
	c->p += 4;
	pk->seen |= SEEN_SPT;
	if (!cur_num(c, 65535, &pk->sport))
		FP_GIVE_BACK(SEEN_SPT);
	FP_NEXT();
	key = c->p;
	if (!at_key(c, TAG('D', 'P', 'T', '=')))
		return;
	c->p += 4;
	pk->seen |= SEEN_DPT;
	if (!cur_num(c, 65535, &pk->dport))
		FP_GIVE_BACK(SEEN_DPT);
	FP_NEXT();
	if (pk->proto != 6)
		return;
	if (at_key(c, TAG('S', 'E', 'Q', '='))) {
		c->p = skip_value(c->p + 4, c->end);
		FP_NEXT();
		if (!at_key(c, TAG('A', 'C', 'K', '=')))
			return;
		c->p = skip_value(c->p + 4, c->end);
		FP_NEXT();
	}
	key = c->p;
	if (!at_key(c, TAG('W', 'I', 'N', 'D')) || mm_cur_left(c) < 7 ||
	    load32(c->p + 3) != TAG('D', 'O', 'W', '='))
		return;
	c->p += 7;
	pk->seen |= SEEN_WINDOW;
	if (!cur_num(c, 65535, &pk->window))
		FP_GIVE_BACK(SEEN_WINDOW);
	FP_NEXT();
	if (!at_key(c, TAG('R', 'E', 'S', '=')))
		return;
	c->p = skip_fixed(c->p + 4, c->end, 4);
	FP_NEXT();
	/* the flags: three capital letters each (CWR and ECE count for nothing) */
	while (mm_cur_left(c) >= 3 && (unsigned)(c->p[0] - 'A') < 26 &&
	       (mm_cur_left(c) == 3 || c->p[3] == ' ')) {
		pk->flags |= tcp_flag(c->p, 3);
		c->p += 3;
		FP_NEXT();
	}
	if (at_key(c, TAG('U', 'R', 'G', 'P'))) {
		c->p = skip_value(c->p + 4, c->end);
		FP_NEXT();
	}
}

#undef FP_NEXT
#undef FP_GIVE_BACK

/*
 * Read the fields of the packet whose header is h. *at is where the walk
 * ended (the end, the '[' it stopped at, the failing field) and, for
 * WALK_NEWHDR, h is replaced by the later header.
 */
static enum walk_result walk(const char *base, const char *end, struct nf_hdr *h, struct nf_pkt *pk,
			     const char **at)
{
	struct mm_cur c = mm_cur_make(h->fields, (size_t)(end - h->fields));
	bool l4 = false; /* after PROTO=: a LEN= is the UDP length, words are TCP flags */
	enum walk_result r = WALK_END;

	fast_walk(&c, pk, &l4);
	while (c.p < c.end) {
		const char *key = c.p, *e;

		if (*key == ' ') {
			c.p++;
			continue;
		}
		/* "[SRC=.. ]" (embedded packet) or "INCOMPLETE [N bytes]": not ours */
		if (*key == '[') {
			r = WALK_STOP;
			goto out;
		}
		if (mm_cur_left(&c) >= 5) {
			switch (load32(key)) {
			case TAG('S', 'R', 'C', '='):
				c.p += 4;
				if (l4 || !ONCE(SEEN_SRC) || !cur_addr(&c, &pk->src))
					goto fail;
				goto next;
			case TAG('D', 'S', 'T', '='):
				c.p += 4;
				if (l4 || !ONCE(SEEN_DST) || !cur_addr(&c, &pk->dst))
					goto fail;
				goto next;
			case TAG('L', 'E', 'N', '='):
				c.p += 4;
				if (l4)
					break; /* the UDP length */
				if (!ONCE(SEEN_LEN) || !cur_num(&c, 65535 + 40, &pk->len))
					goto fail;
				goto next;
			case TAG('T', 'T', 'L', '='):
				c.p += 4;
				if (l4 || !ONCE(SEEN_TTL) || !cur_num(&c, 255, &pk->ttl))
					goto fail;
				goto next;
			case TAG('S', 'P', 'T', '='):
				c.p += 4;
				if (!l4 || !ONCE(SEEN_SPT) || !cur_num(&c, 65535, &pk->sport))
					goto fail;
				goto next;
			case TAG('D', 'P', 'T', '='):
				c.p += 4;
				if (!l4 || !ONCE(SEEN_DPT) || !cur_num(&c, 65535, &pk->dport))
					goto fail;
				goto next;
			case TAG('M', 'A', 'C', '='):
				c.p += 4;
				if (l4 || !ONCE(SEEN_MAC))
					goto fail;
				e = skip_fixed(c.p, c.end, 41); /* 14 bytes as xx: */
				pk->mac = mm_span_make(c.p, (size_t)(e - c.p));
				c.p = e;
				goto next;
			case TAG('T', 'O', 'S', '='):
			case TAG('R', 'E', 'S', '='):
				c.p = skip_fixed(c.p + 4, c.end, 4); /* 0x%02X */
				goto next;
			case TAG('P', 'R', 'E', 'C'):
				c.p = skip_fixed(c.p + 4, c.end, 5); /* =0x%02X */
				goto next;
			case TAG('O', 'U', 'T', '='):
				/* preceded by a space: the walk started after one */
				if (header_at(base, key, end, h)) {
					r = WALK_NEWHDR;
					goto out;
				}
				break;
			case TAG('P', 'R', 'O', 'T'):
				if (mm_cur_left(&c) < 6 || key[4] != 'O' || key[5] != '=')
					break;
				c.p += 6;
				if (!ONCE(SEEN_PROTO) || !cur_proto(&c, &pk->proto))
					goto fail;
				l4 = true;
				goto next;
			case TAG('W', 'I', 'N', 'D'):
				if (mm_cur_left(&c) < 7 || memcmp(key + 4, "OW=", 3) != 0)
					break;
				c.p += 7;
				if (!l4 || !ONCE(SEEN_WINDOW) || !cur_num(&c, 65535, &pk->window))
					goto fail;
				goto next;
			case TAG('H', 'O', 'P', 'L'):
				if (mm_cur_left(&c) < 9 || memcmp(key + 4, "IMIT=", 5) != 0)
					break;
				c.p += 9;
				if (l4 || !ONCE(SEEN_TTL) || !cur_num(&c, 255, &pk->ttl))
					goto fail;
				goto next;
			case TAG('T', 'Y', 'P', 'E'):
				if (key[4] != '=')
					break;
				c.p += 5;
				if (!l4 || !ONCE(SEEN_TYPE) || !cur_num(&c, 255, &pk->icmp_type))
					goto fail;
				goto next;
			case TAG('C', 'O', 'D', 'E'):
				if (key[4] != '=')
					break;
				c.p += 5;
				if (!l4 || !ONCE(SEEN_CODE) || !cur_num(&c, 255, &pk->icmp_code))
					goto fail;
				goto next;
			}
		}
		/*
		 * Everything else is skipped: values we do not keep (TOS, PREC, ID,
		 * FLOWLBL, RES, URGP, SEQ, ACK=, UID, MARK, ...), DF/MF/CE, OPT (..).
		 * After PROTO=TCP a three-letter word is a TCP flag.
		 */
		e = skip_value(c.p, c.end);
		if (l4 && e - key == 3 && pk->proto == 6)
			pk->flags |= tcp_flag(key, 3);
		c.p = e;
	next:
		/* every token ends at a space or the end: step over that space */
		if (c.p < c.end)
			c.p++;
	}
	goto out;
fail:
	r = WALK_FAIL;
out:
	*at = c.p;
	return r;
}

static void pkt_reset(struct nf_pkt *pk)
{
	memset(pk, 0, sizeof(*pk));
	pk->sport = pk->dport = pk->len = pk->ttl = pk->window = -1;
	pk->icmp_type = pk->icmp_code = -1;
	pk->proto = -1;
}

/*
 * The envelope strips the kernel's "[  123.456789] " stamp; skip one here
 * too so the parser gives the same answer when fed a raw dmesg message.
 */
static const char *skip_kernel_stamp(const char *p, const char *end)
{
	struct mm_cur c = mm_cur_make(p, (size_t)(end - p));
	uint64_t v;

	/* cheap test first: "[UFW BLOCK]" starts with '[' too */
	if (end - p < 4 || p[0] != '[' || (p[1] != ' ' && (unsigned)(p[1] - '0') > 9))
		return p;
	mm_cur_char(&c, '[');
	mm_cur_skip_ws(&c);
	if (!mm_cur_u64(&c, &v, UINT64_MAX) || !mm_cur_char(&c, '.') ||
	    !mm_cur_u64(&c, &v, UINT64_MAX) || !mm_cur_char(&c, ']'))
		return p;
	mm_cur_char(&c, ' ');
	return c.p;
}

int mm_parse_netfilter(const char *msg, size_t n, struct mm_event *ev)
{
	const char *end = msg + n, *start, *at;
	struct nf_hdr h;
	struct nf_pkt pk;
	enum walk_result r;
	size_t plen;
	int ret = 0;

	if (!msg || n < 16)
		goto out;
	start = skip_kernel_stamp(msg, end);
	if (!find_header(start, start, end, &h))
		goto out;
	for (;;) {
		pkt_reset(&pk);
		r = walk(start, end, &h, &pk, &at);
		if (r == WALK_NEWHDR)
			continue;
		/* a prefix can hold a bogus "IN= OUT= [..": the real header is later */
		if (r != WALK_END && find_header(start, at, end, &h))
			continue;
		if (r == WALK_FAIL)
			goto out;
		break;
	}
	if ((pk.seen & (SEEN_SRC | SEEN_DST | SEEN_PROTO)) != (SEEN_SRC | SEEN_DST | SEEN_PROTO))
		goto out;
	/* a v4 header with v6 addresses (or the reverse) is not a packet */
	if (pk.src.family != pk.dst.family)
		goto out;

	ev->kind = MM_EV_PACKET;
	ev->src = pk.src;
	ev->dst = pk.dst;
	ev->src_port = pk.sport;
	ev->dst_port = pk.dport;
	ev->proto = (int16_t)pk.proto;
	ev->tcp_flags = pk.flags;
	ev->in_if = h.in_if;
	ev->out_if = h.out_if;
	if (pk.seen & SEEN_MAC)
		ev->mac = pk.mac;
	ev->len = pk.len;
	ev->ttl = pk.ttl;
	ev->window = pk.window;
	ev->icmp_type = pk.icmp_type;
	ev->icmp_code = pk.icmp_code;
	if (h.in_if.n && h.out_if.n)
		ev->dir = MM_DIR_FWD;
	else if (h.in_if.n)
		ev->dir = MM_DIR_IN;
	else if (h.out_if.n)
		ev->dir = MM_DIR_OUT;
	else
		ev->dir = MM_DIR_UNKNOWN;
	plen = (size_t)(h.in_key - start);
	while (plen > 0 && (start[plen - 1] == ' ' || start[plen - 1] == '\t'))
		plen--;
	if (plen)
		ev->prefix = mm_span_make(start, plen);
	ret = 1;
out:
	return ret;
}
