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
 * forward pass: memchr for '=' to find the header, then a byte loop that
 * reads each key up to '=', dispatches on its length and first bytes and
 * parses the value in place. No allocation, no strlen, nothing copied.
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
	SEEN_L4LEN = 1u << 11,
	SEEN_IPID = 1u << 12,
	SEEN_L4ID = 1u << 13,
	SEEN_SEQ = 1u << 14,
	SEEN_ACK = 1u << 15,
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

static inline const char *skip_value(const char *p, const char *end)
{
	while (p < end && *p != ' ')
		p++;
	return p;
}

/*
 * Consume a decimal number that fills the rest of the token (up to a space
 * or the end), value <= max. Cursor style: advances only on success.
 */
static inline bool cur_num(struct mm_cur *c, uint32_t max, int32_t *out)
{
	const char *p = c->p;
	uint64_t v = 0;
	unsigned nd = 0;

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

/* Consume an address that fills the rest of the token. */
static inline bool cur_addr(struct mm_cur *c, struct mm_addr *out)
{
	const char *e = skip_value(c->p, c->end);

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

/* The first header that starts at or after p. */
static bool find_header(const char *base, const char *p, const char *end, struct nf_hdr *h)
{
	while (p < end) {
		const char *eq = memchr(p, '=', (size_t)(end - p));

		if (!eq)
			return false;
		if (eq - base >= 4 && memcmp(eq - 4, " OUT", 4) == 0 &&
		    header_at(base, eq - 3, end, h))
			return true;
		p = eq + 1;
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

#define KEY(lit) (klen == sizeof(lit) - 1 && memcmp(key, lit, sizeof(lit) - 1) == 0)

/* Mark bit seen; false when it already was (a duplicated key). */
#define ONCE(bit) (!(pk->seen & (bit)) && (pk->seen |= (bit), true))

/*
 * Read the fields of the packet whose header is h. *at is where the walk
 * ended (the end, the '[' it stopped at, the failing field) and, for
 * WALK_NEWHDR, h is replaced by the later header.
 */
static enum walk_result walk(const char *base, const char *end, struct nf_hdr *h, struct nf_pkt *pk,
			     const char **at)
{
	struct mm_cur c = mm_cur_make(h->fields, (size_t)(end - h->fields));
	bool l4 = false; /* after PROTO=: LEN, ID, SEQ, ACK mean the L4 header's */
	enum walk_result r = WALK_END;

	while (c.p < c.end) {
		const char *key = c.p, *q = c.p;
		size_t klen;

		if (*key == ' ') {
			c.p++;
			continue;
		}
		/* "[SRC=.. ]" (embedded packet) or "INCOMPLETE [N bytes]": not ours */
		if (*key == '[') {
			r = WALK_STOP;
			goto out;
		}
		while (q < c.end && *q != '=' && *q != ' ')
			q++;
		klen = (size_t)(q - key);
		if (q == c.end || *q == ' ') {
			/* a bare word: a flag, DF/MF/CE, or part of OPT (..) */
			if (l4 && pk->proto == 6)
				pk->flags |= tcp_flag(key, klen);
			c.p = q;
			continue;
		}
		c.p = q + 1;
		switch (klen) {
		case 2:
			if (KEY("ID")) {
				if (!ONCE(l4 ? SEEN_L4ID : SEEN_IPID))
					goto fail;
			}
			break;
		case 3:
			if (KEY("SRC")) {
				if (l4 || !ONCE(SEEN_SRC) || !cur_addr(&c, &pk->src))
					goto fail;
			} else if (KEY("DST")) {
				if (l4 || !ONCE(SEEN_DST) || !cur_addr(&c, &pk->dst))
					goto fail;
			} else if (KEY("LEN")) {
				if (l4) {
					if (!ONCE(SEEN_L4LEN))
						goto fail;
				} else if (!ONCE(SEEN_LEN) || !cur_num(&c, 65535 + 40, &pk->len)) {
					goto fail;
				}
			} else if (KEY("TTL")) {
				if (l4 || !ONCE(SEEN_TTL) || !cur_num(&c, 255, &pk->ttl))
					goto fail;
			} else if (KEY("SPT")) {
				if (!l4 || !ONCE(SEEN_SPT) || !cur_num(&c, 65535, &pk->sport))
					goto fail;
			} else if (KEY("DPT")) {
				if (!l4 || !ONCE(SEEN_DPT) || !cur_num(&c, 65535, &pk->dport))
					goto fail;
			} else if (KEY("MAC")) {
				const char *e = memchr(c.p, ' ', mm_cur_left(&c));

				if (l4 || !ONCE(SEEN_MAC))
					goto fail;
				e = e ? e : c.end;
				pk->mac = mm_span_make(c.p, (size_t)(e - c.p));
				c.p = e;
			} else if (KEY("SEQ")) {
				if (!ONCE(SEEN_SEQ))
					goto fail;
			} else if (KEY("ACK")) {
				if (!ONCE(SEEN_ACK))
					goto fail;
			} else if (KEY("OUT")) {
				/* key is preceded by a space here: the walk started after one */
				if (header_at(base, key, end, h)) {
					r = WALK_NEWHDR;
					goto out;
				}
			}
			break;
		case 4:
			if (KEY("TYPE")) {
				if (!l4 || !ONCE(SEEN_TYPE) || !cur_num(&c, 255, &pk->icmp_type))
					goto fail;
			} else if (KEY("CODE")) {
				if (!l4 || !ONCE(SEEN_CODE) || !cur_num(&c, 255, &pk->icmp_code))
					goto fail;
			}
			break;
		case 5:
			if (KEY("PROTO")) {
				if (!ONCE(SEEN_PROTO) || !cur_proto(&c, &pk->proto))
					goto fail;
				l4 = true;
			}
			break;
		case 6:
			if (KEY("WINDOW")) {
				if (!l4 || !ONCE(SEEN_WINDOW) || !cur_num(&c, 65535, &pk->window))
					goto fail;
			}
			break;
		case 8:
			if (KEY("HOPLIMIT")) {
				if (l4 || !ONCE(SEEN_TTL) || !cur_num(&c, 255, &pk->ttl))
					goto fail;
			}
			break;
		}
		/* values we do not keep (TOS, PREC, FLOWLBL, RES, URGP, UID, ...) */
		c.p = skip_value(c.p, c.end);
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

	if (!mm_cur_char(&c, '['))
		return p;
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
