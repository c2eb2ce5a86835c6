/* SPDX-License-Identifier: MIT */
/*
 * The firewall rule grammar: one cursor parser for the command line and
 * the rules file, and the canonical text the file stores.
 *
 *   ACTION [in|out] [on IFACE] [log|log-all] RULE [comment TEXT]
 *   route ACTION [in on IFACE] [out on IFACE] [log|log-all] RULE [comment TEXT]
 *   RULE := PORTS[/PROTO] | SERVICE[/PROTO] | APP
 *         | [from ADDR|any [port PORTS | app APP]] [to ADDR|any [port PORTS | app APP]]
 *           [proto NAME]
 *   APP := a profile name, in "..." or '...' when it holds spaces
 *   PORTS := N | N:M | PORTS,PORTS   (at most 15, a range counting two)
 *
 * Canonical form: the simple form when the rule only names destination
 * ports or an application, the full form "from X [port P] to Y [port P |
 * app A] [proto Z]" otherwise. Application names are quoted when they hold
 * a space.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "mamori/cursor.h"
#include "mamori/fw.h"

struct proto_name {
	const char *name;
	uint8_t num;
	bool ports; /* has port numbers */
};

static const struct proto_name protos[] = {
    {"tcp", 6, true},	{"udp", 17, true},	  {"sctp", 132, true},	 {"dccp", 33, true},
    {"icmp", 1, false}, {"esp", 50, false},	  {"ah", 51, false},	 {"gre", 47, false},
    {"igmp", 2, false}, {"ipv6-icmp", 58, false}, {"icmpv6", 58, false},
};

/*
 * Service names accepted as RULE. Fixed here rather than read from
 * /etc/services so a rules file means the same thing on every host.
 * proto 0 = tcp and udp.
 */
struct svc {
	const char *name;
	uint16_t port;
	uint8_t proto;
};

static const struct svc services[] = {
    {"ftp", 21, 6},	{"ssh", 22, 6},	    {"telnet", 23, 6},	   {"smtp", 25, 6},
    {"domain", 53, 0},	{"dns", 53, 0},	    {"http", 80, 6},	   {"pop3", 110, 6},
    {"ntp", 123, 17},	{"imap", 143, 6},   {"snmp", 161, 17},	   {"ldap", 389, 6},
    {"https", 443, 6},	{"smtps", 465, 6},  {"syslog", 514, 17},   {"submission", 587, 6},
    {"ldaps", 636, 6},	{"imaps", 993, 6},  {"pop3s", 995, 6},	   {"openvpn", 1194, 17},
    {"mysql", 3306, 6}, {"rdp", 3389, 6},   {"sip", 5060, 0},	   {"postgresql", 5432, 6},
    {"vnc", 5900, 6},	{"redis", 6379, 6}, {"http-alt", 8080, 6}, {"wireguard", 51820, 17},
};

static const char *const action_names[] = {"allow", "deny", "reject", "limit"};
static const char *const chain_names[] = {"incoming", "outgoing", "routed"};
static const char *const level_names[] = {"off", "low", "medium", "high"};

const char *mm_fw_action_name(unsigned a)
{
	return a < 4 ? action_names[a] : "?";
}

const char *mm_fw_chain_name(unsigned c)
{
	return c < MM_FW_NCHAINS ? chain_names[c] : "?";
}

const char *mm_fw_level_name(unsigned l)
{
	return l < 4 ? level_names[l] : "?";
}

static const struct proto_name *proto_by_name(struct mm_span w)
{
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (mm_span_eq(w, protos[i].name))
			return &protos[i];
	return NULL;
}

static const struct proto_name *proto_by_num(uint8_t num)
{
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].num == num)
			return &protos[i];
	return NULL;
}

/* Name of a protocol number for messages ("?" for one the grammar cannot give). */
static const char *proto_label(uint8_t num)
{
	const struct proto_name *p = proto_by_num(num);

	return p ? p->name : "?";
}

static bool proto_has_ports(uint8_t num)
{
	const struct proto_name *p = proto_by_num(num);

	return num == 0 || (p && p->ports);
}

/* Printable form of a span for messages, cut at 40 bytes. */
static const char *shown(struct mm_span s, char *buf, size_t sz)
{
	size_t i, n = s.n < 40 ? s.n : 40;

	for (i = 0; i < n && i + 1 < sz; i++)
		buf[i] = isprint((unsigned char)s.p[i]) ? s.p[i] : '?';
	buf[i] = '\0';
	return buf;
}

static bool next_word(struct mm_cur *c, struct mm_span *w)
{
	mm_cur_skip_ws(c);
	return mm_cur_word(c, w);
}

static bool peek_word(const struct mm_cur *c, struct mm_span *w)
{
	struct mm_cur t = *c;

	return next_word(&t, w);
}

/* Move c past w, a word peek_word() just found there. */
static void take_peeked(struct mm_cur *c, struct mm_span w)
{
	c->p = w.p + w.n;
}

/* PORTS: N | N:M | list of those separated by ','. */
static int parse_ports(struct mm_span w, struct mm_fw_ports *out, struct mm_err *err)
{
	struct mm_cur c = mm_cur_make(w.p, w.n);
	char b[48];
	unsigned weight = 0;

	memset(out, 0, sizeof(*out));
	for (;;) {
		uint64_t lo, hi;
		const char *start = c.p;

		if (!mm_cur_u64(&c, &lo, UINT64_MAX)) {
			const char *e = c.p;

			while (e < c.end && *e != ',')
				e++;
			return mm_err_set(
			    err, MM_ERR_PARSE, "bad port '%s'",
			    shown(mm_span_make(start, (size_t)(e - start)), b, sizeof(b)));
		}
		hi = lo;
		bool range = mm_cur_char(&c, ':');

		if (range && !mm_cur_u64(&c, &hi, UINT64_MAX))
			return mm_err_set(err, MM_ERR_PARSE, "bad port range '%s'",
					  shown(w, b, sizeof(b)));
		if (lo < 1 || lo > 65535)
			return mm_err_set(err, MM_ERR_RANGE, "port %llu out of range (1-65535)",
					  (unsigned long long)lo);
		if (hi < 1 || hi > 65535)
			return mm_err_set(err, MM_ERR_RANGE, "port %llu out of range (1-65535)",
					  (unsigned long long)hi);
		if (range && hi <= lo)
			return mm_err_set(err, MM_ERR_RANGE,
					  "bad port range %llu:%llu (the first port must be lower)",
					  (unsigned long long)lo, (unsigned long long)hi);
		weight += hi == lo ? 1 : 2;
		if (weight > MM_FW_MAX_PORTS)
			return mm_err_set(err, MM_ERR_RANGE,
					  "too many ports (at most %d, a range counts as two)",
					  MM_FW_MAX_PORTS);
		out->r[out->n].lo = (uint16_t)lo;
		out->r[out->n].hi = (uint16_t)hi;
		out->n++;
		if (mm_cur_eof(&c))
			return 0;
		if (!mm_cur_char(&c, ','))
			return mm_err_set(err, MM_ERR_PARSE, "bad port list '%s'",
					  shown(w, b, sizeof(b)));
	}
}

int mm_fw_ports_parse(const char *s, size_t n, struct mm_fw_ports *out, struct mm_err *err)
{
	return parse_ports(mm_span_make(s, n), out, err);
}

static int parse_addr(struct mm_span w, bool *has, struct mm_prefix *p, struct mm_err *err)
{
	char b[48];
	const char *slash;

	if (mm_span_eq(w, "any")) {
		*has = false;
		return 0;
	}
	if (mm_prefix_parse(w.p, w.n, p) < 0) {
		slash = memchr(w.p, '/', w.n);
		if (slash && mm_addr_parse(w.p, (size_t)(slash - w.p), &p->addr) == 0)
			return mm_err_set(err, MM_ERR_RANGE, "bad prefix length in '%s'",
					  shown(w, b, sizeof(b)));
		return mm_err_set(err, MM_ERR_PARSE, "bad address '%s'", shown(w, b, sizeof(b)));
	}
	*has = true;
	return 0;
}

static int parse_proto(struct mm_span w, uint8_t *out, struct mm_err *err)
{
	const struct proto_name *p;
	char b[48];

	if (mm_span_eq(w, "any")) {
		*out = 0;
		return 0;
	}
	p = proto_by_name(w);
	if (!p)
		return mm_err_set(err, MM_ERR_PARSE, "unknown protocol '%s'",
				  shown(w, b, sizeof(b)));
	*out = p->num;
	return 0;
}

static bool comment_char_ok(char ch)
{
	return ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\' && ch != '\'';
}

/* comment TEXT: the rest of the line, optionally in '...' or "...". */
static int parse_comment(struct mm_cur *c, char *out, struct mm_err *err)
{
	struct mm_span rest;
	size_t i;

	mm_cur_skip_ws(c);
	mm_cur_rest(c, &rest);
	while (rest.n && (rest.p[rest.n - 1] == ' ' || rest.p[rest.n - 1] == '\t'))
		rest.n--;
	if (rest.n >= 2 && (rest.p[0] == '"' || rest.p[0] == '\'') &&
	    rest.p[rest.n - 1] == rest.p[0]) {
		rest.p++;
		rest.n -= 2;
	}
	if (rest.n == 0)
		return mm_err_set(err, MM_ERR_PARSE, "comment needs a text");
	if (rest.n >= MM_FW_COMMENT_MAX)
		return mm_err_set(err, MM_ERR_RANGE, "comment too long (at most %d characters)",
				  MM_FW_COMMENT_MAX - 1);
	for (i = 0; i < rest.n; i++)
		if (!comment_char_ok(rest.p[i]))
			return mm_err_set(
			    err, MM_ERR_PARSE,
			    "comment may only hold printable ASCII without quotes or backslashes");
	memcpy(out, rest.p, rest.n);
	out[rest.n] = '\0';
	return 0;
}

static bool iface_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= MM_FW_IFNAMSIZ)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '+' && i == n - 1 && n > 1)
			continue;
		if (!isalnum((unsigned char)ch) && ch != '_' && ch != '-' && ch != '.')
			return false;
	}
	return true;
}

static bool is_keyword(struct mm_span w)
{
	return mm_span_eq(w, "from") || mm_span_eq(w, "to") || mm_span_eq(w, "port") ||
	       mm_span_eq(w, "proto") || mm_span_eq(w, "comment") || mm_span_eq(w, "app");
}

/* APP: one word, or a name in "..." or '...' (it may hold spaces). */
static int parse_app_name(struct mm_cur *c, char *out, struct mm_err *err)
{
	struct mm_span w;
	char b[48];

	mm_cur_skip_ws(c);
	if (!mm_cur_eof(c) && (*c->p == '"' || *c->p == '\'')) {
		struct mm_cur t = *c;
		char q = *t.p++;

		if (!mm_cur_until(&t, q, &w))
			return mm_err_set(err, MM_ERR_PARSE, "unterminated application name");
		t.p++;
		*c = t;
	} else if (!mm_cur_word(c, &w)) {
		return mm_err_set(err, MM_ERR_PARSE, "'app' needs an application profile name");
	}
	if (!mm_fw_app_name_ok(w.p, w.n))
		return mm_err_set(err, MM_ERR_PARSE, "bad application profile name '%s'",
				  shown(w, b, sizeof(b)));
	memcpy(out, w.p, w.n);
	out[w.n] = '\0';
	return 0;
}

/* route: [in on IFACE] [out on IFACE], each at most once, in either order. */
static int parse_route_ifaces(struct mm_cur *c, struct mm_fw_rule *r, struct mm_err *err)
{
	struct mm_span w;
	char b[48];

	while (peek_word(c, &w) && (mm_span_eq(w, "in") || mm_span_eq(w, "out"))) {
		bool in = w.p[0] == 'i';
		char *dst = in ? r->iface : r->oiface;

		take_peeked(c, w);
		if (dst[0])
			return mm_err_set(err, MM_ERR_PARSE, "'%s on' given twice",
					  in ? "in" : "out");
		if (!next_word(c, &w) || !mm_span_eq(w, "on"))
			return mm_err_set(err, MM_ERR_PARSE,
					  "'%s' in a routed rule needs 'on IFACE'",
					  in ? "in" : "out");
		if (!next_word(c, &w))
			return mm_err_set(err, MM_ERR_PARSE, "'on' needs an interface name");
		if (!iface_ok(w.p, w.n))
			return mm_err_set(err, MM_ERR_PARSE, "bad interface name '%s'",
					  shown(w, b, sizeof(b)));
		memcpy(dst, w.p, w.n);
		dst[w.n] = '\0';
	}
	if (peek_word(c, &w) && mm_span_eq(w, "on"))
		return mm_err_set(err, MM_ERR_PARSE,
				  "a routed rule takes 'in on IFACE' or 'out on IFACE'");
	return 0;
}

/* SERVICE[/PROTO] or PORTS[/PROTO] */
static int parse_simple(struct mm_span w, struct mm_fw_rule *r, struct mm_err *err)
{
	const char *slash = memchr(w.p, '/', w.n);
	struct mm_span left = w, pr = {NULL, 0};
	char b[48];
	size_t i;
	int rc;

	if (slash) {
		left.n = (size_t)(slash - w.p);
		pr = mm_span_make(slash + 1, w.n - left.n - 1);
		if (pr.n == 0)
			return mm_err_set(err, MM_ERR_PARSE, "missing protocol after '/' in '%s'",
					  shown(w, b, sizeof(b)));
		rc = parse_proto(pr, &r->proto, err);
		if (rc < 0)
			return rc;
	}
	if (left.n && isdigit((unsigned char)left.p[0])) {
		rc = parse_ports(left, &r->dport, err);
		if (rc < 0)
			return rc;
	} else {
		for (i = 0; i < sizeof(services) / sizeof(services[0]); i++)
			if (mm_span_eq(left, services[i].name))
				break;
		if (i == sizeof(services) / sizeof(services[0])) {
			if (slash || !mm_fw_app_name_ok(left.p, left.n))
				return mm_err_set(err, MM_ERR_NOTFOUND,
						  "unknown service or app profile '%s'",
						  shown(left, b, sizeof(b)));
			/* an application profile, resolved by the caller */
			memcpy(r->app, left.p, left.n);
			r->app[left.n] = '\0';
			return 0;
		}
		r->dport.n = 1;
		r->dport.r[0].lo = r->dport.r[0].hi = services[i].port;
		if (!slash)
			r->proto = services[i].proto;
	}
	if (!proto_has_ports(r->proto))
		return mm_err_set(err, MM_ERR_PARSE, "protocol %s has no ports",
				  proto_label(r->proto));
	return 0;
}

static int parse_full(struct mm_cur *c, struct mm_fw_rule *r, struct mm_err *err)
{
	struct mm_span w;
	bool seen_from = false, seen_to = false, seen_proto = false;
	int last = 0; /* 1 after from ADDR, 2 after to ADDR */
	char b[48];
	int rc;

	while (peek_word(c, &w) && !mm_span_eq(w, "comment")) {
		take_peeked(c, w);
		if (mm_span_eq(w, "from") || mm_span_eq(w, "to")) {
			bool from = w.p[0] == 'f';

			if (from ? seen_from : seen_to)
				return mm_err_set(err, MM_ERR_PARSE, "'%s' given twice",
						  from ? "from" : "to");
			if (!next_word(c, &w) || is_keyword(w))
				return mm_err_set(err, MM_ERR_PARSE,
						  "'%s' needs an address or 'any'",
						  from ? "from" : "to");
			rc = parse_addr(w, from ? &r->has_src : &r->has_dst,
					from ? &r->src : &r->dst, err);
			if (rc < 0)
				return rc;
			if (from)
				seen_from = true;
			else
				seen_to = true;
			last = from ? 1 : 2;
		} else if (mm_span_eq(w, "port")) {
			struct mm_fw_ports *pp = last == 1 ? &r->sport : &r->dport;

			if (last == 0)
				return mm_err_set(err, MM_ERR_PARSE,
						  "'port' must follow 'from ADDR' or 'to ADDR'");
			if (!next_word(c, &w))
				return mm_err_set(err, MM_ERR_PARSE, "'port' needs a port");
			rc = parse_ports(w, pp, err);
			if (rc < 0)
				return rc;
			last = 3;
		} else if (mm_span_eq(w, "app")) {
			if (last == 3)
				return mm_err_set(err, MM_ERR_PARSE,
						  "'port' and 'app' on one side");
			if (last != 1 && last != 2)
				return mm_err_set(err, MM_ERR_PARSE,
						  "'app' must follow 'from ADDR' or 'to ADDR'");
			if ((last == 1 && r->sport.n) || (last == 2 && r->dport.n))
				return mm_err_set(err, MM_ERR_PARSE,
						  "'port' and 'app' on one side");
			rc = parse_app_name(c, last == 1 ? r->sapp : r->app, err);
			if (rc < 0)
				return rc;
			last = 4;
		} else if (mm_span_eq(w, "proto")) {
			if (seen_proto)
				return mm_err_set(err, MM_ERR_PARSE, "'proto' given twice");
			if (!next_word(c, &w))
				return mm_err_set(err, MM_ERR_PARSE, "'proto' needs a protocol");
			rc = parse_proto(w, &r->proto, err);
			if (rc < 0)
				return rc;
			seen_proto = true;
		} else {
			return mm_err_set(err, MM_ERR_PARSE, "unexpected '%s'",
					  shown(w, b, sizeof(b)));
		}
	}
	if (!seen_from && !seen_to && !seen_proto)
		return mm_err_set(err, MM_ERR_PARSE,
				  "missing rule (a port, a service or 'from'/'to')");
	if ((r->app[0] || r->sapp[0]) && (r->dport.n || r->sport.n || seen_proto))
		return mm_err_set(err, MM_ERR_PARSE,
				  "an application rule takes its ports and protocols from the "
				  "profile ('port' and 'proto' not allowed)");
	if ((r->sport.n || r->dport.n) && !proto_has_ports(r->proto))
		return mm_err_set(err, MM_ERR_PARSE, "protocol %s has no ports",
				  proto_label(r->proto));
	if (r->has_src && r->has_dst && r->src.addr.family != r->dst.addr.family)
		return mm_err_set(err, MM_ERR_PARSE,
				  "'from' and 'to' addresses are of different families");
	return 0;
}

int mm_fw_rule_parse(const char *s, size_t n, struct mm_fw_rule *out, struct mm_err *err)
{
	return mm_fw_rule_parse_apps(s, n, NULL, out, err);
}

int mm_fw_rule_parse_apps(const char *s, size_t n, const struct mm_fw_apps *apps,
			  struct mm_fw_rule *out, struct mm_err *err)
{
	struct mm_cur c = mm_cur_make(s, n);
	struct mm_fw_rule r;
	struct mm_span w;
	char b[48];
	unsigned i;
	int rc;

	memset(&r, 0, sizeof(r));
	if (!next_word(&c, &w))
		return mm_err_set(err, MM_ERR_PARSE, "empty rule");
	if (mm_span_eq(w, "route")) {
		r.routed = true;
		if (!next_word(&c, &w))
			return mm_err_set(err, MM_ERR_PARSE, "'route' needs an action");
	}
	for (i = 0; i < 4; i++)
		if (mm_span_eq(w, action_names[i]))
			break;
	if (i == 4)
		return mm_err_set(err, MM_ERR_PARSE,
				  "unknown action '%s' (allow, deny, reject, limit)",
				  shown(w, b, sizeof(b)));
	r.action = (uint8_t)i;
	if (r.routed) {
		rc = parse_route_ifaces(&c, &r, err);
		if (rc < 0)
			return rc;
	} else if (peek_word(&c, &w) && (mm_span_eq(w, "in") || mm_span_eq(w, "out"))) {
		take_peeked(&c, w);
		r.dir = w.p[0] == 'o' ? MM_FW_OUT : MM_FW_IN;
	}
	if (!r.routed && peek_word(&c, &w) && mm_span_eq(w, "on")) {
		take_peeked(&c, w);
		if (!next_word(&c, &w))
			return mm_err_set(err, MM_ERR_PARSE, "'on' needs an interface name");
		if (!iface_ok(w.p, w.n))
			return mm_err_set(err, MM_ERR_PARSE, "bad interface name '%s'",
					  shown(w, b, sizeof(b)));
		memcpy(r.iface, w.p, w.n);
		r.iface[w.n] = '\0';
	}
	if (peek_word(&c, &w) && (mm_span_eq(w, "log") || mm_span_eq(w, "log-all"))) {
		take_peeked(&c, w);
		r.log = w.n == 3 ? MM_FW_LOG_NEW : MM_FW_LOG_ALL;
	}
	if (!peek_word(&c, &w) || mm_span_eq(w, "comment"))
		return mm_err_set(err, MM_ERR_PARSE,
				  "missing rule (a port, a service or 'from'/'to')");
	if (is_keyword(w)) {
		rc = parse_full(&c, &r, err);
	} else if (w.p[0] == '"' || w.p[0] == '\'') {
		rc = parse_app_name(&c, r.app, err);
	} else {
		take_peeked(&c, w);
		rc = parse_simple(w, &r, err);
	}
	if (rc < 0)
		return rc;
	if (next_word(&c, &w)) {
		if (!mm_span_eq(w, "comment"))
			return mm_err_set(err, MM_ERR_PARSE, "unexpected '%s'",
					  shown(w, b, sizeof(b)));
		rc = parse_comment(&c, r.comment, err);
		if (rc < 0)
			return rc;
	}
	if (r.action == MM_FW_LIMIT && r.dir == MM_FW_OUT)
		return mm_err_set(err, MM_ERR_PARSE,
				  "'limit' applies to incoming connections only");
	if (r.app[0] || r.sapp[0]) {
		rc = mm_fw_rule_resolve_app(&r, apps, err);
		if (rc < 0)
			return rc;
	}
	*out = r;
	return 0;
}

static int fmt_ports(const struct mm_fw_ports *p, struct mm_buf *out)
{
	int rc = 0;
	uint8_t i;

	for (i = 0; i < p->n && rc == 0; i++) {
		if (i)
			rc = mm_buf_addc(out, ',');
		if (rc == 0)
			rc = mm_buf_addu(out, p->r[i].lo);
		if (rc == 0 && p->r[i].lo != p->r[i].hi)
			rc = mm_buf_addc(out, ':');
		if (rc == 0 && p->r[i].lo != p->r[i].hi)
			rc = mm_buf_addu(out, p->r[i].hi);
	}
	return rc;
}

/* " NAME" or " \"NAME WITH SPACES\"" */
static int fmt_app(const char *name, struct mm_buf *out)
{
	bool q = strchr(name, ' ') != NULL;
	int rc = mm_buf_adds(out, q ? " \"" : " ");

	if (rc == 0)
		rc = mm_buf_adds(out, name);
	if (rc == 0 && q)
		rc = mm_buf_addc(out, '"');
	return rc;
}

char *mm_fw_prefix_short(const struct mm_prefix *p, char *buf)
{
	unsigned full = p->addr.family == MM_AF_INET ? 32 : 128;

	return p->len == full ? mm_addr_format(&p->addr, buf) : mm_prefix_format(p, buf);
}

int mm_fw_prefix_text(bool has, const struct mm_prefix *p, struct mm_buf *out)
{
	char a[MM_PREFIX_STRLEN];

	return mm_buf_adds(out, has ? mm_fw_prefix_short(p, a) : "any");
}

int mm_fw_rule_format(const struct mm_fw_rule *r, struct mm_buf *out)
{
	const struct proto_name *pn = proto_by_num(r->proto);
	int rc;

	if (r->routed) {
		rc = mm_buf_addf(out, "route %s", mm_fw_action_name(r->action));
		if (rc == 0 && r->iface[0])
			rc = mm_buf_addf(out, " in on %s", r->iface);
		if (rc == 0 && r->oiface[0])
			rc = mm_buf_addf(out, " out on %s", r->oiface);
	} else {
		rc = mm_buf_adds(out, mm_fw_action_name(r->action));
		if (rc == 0 && r->dir == MM_FW_OUT)
			rc = mm_buf_adds(out, " out");
		if (rc == 0 && r->iface[0])
			rc =
			    mm_buf_addf(out, "%s on %s", r->dir == MM_FW_IN ? " in" : "", r->iface);
	}
	if (rc == 0 && r->log)
		rc = mm_buf_adds(out, r->log == MM_FW_LOG_NEW ? " log" : " log-all");
	if (rc)
		return rc;
	if (!r->has_src && !r->has_dst && !r->sport.n && !r->sapp[0] && r->app[0]) {
		rc = fmt_app(r->app, out);
	} else if (!r->has_src && !r->has_dst && !r->sport.n && !r->sapp[0] && r->dport.n) {
		rc = mm_buf_addc(out, ' ');
		if (rc == 0)
			rc = fmt_ports(&r->dport, out);
		if (rc == 0 && pn)
			rc = mm_buf_addc(out, '/');
		if (rc == 0 && pn)
			rc = mm_buf_adds(out, pn->name);
	} else {
		rc = mm_buf_adds(out, " from ");
		if (rc == 0)
			rc = mm_fw_prefix_text(r->has_src, &r->src, out);
		if (rc == 0 && r->sport.n) {
			rc = mm_buf_adds(out, " port ");
			if (rc == 0)
				rc = fmt_ports(&r->sport, out);
		}
		if (rc == 0 && r->sapp[0]) {
			rc = mm_buf_adds(out, " app");
			if (rc == 0)
				rc = fmt_app(r->sapp, out);
		}
		if (rc == 0)
			rc = mm_buf_adds(out, " to ");
		if (rc == 0)
			rc = mm_fw_prefix_text(r->has_dst, &r->dst, out);
		if (rc == 0 && r->dport.n) {
			rc = mm_buf_adds(out, " port ");
			if (rc == 0)
				rc = fmt_ports(&r->dport, out);
		}
		if (rc == 0 && r->app[0]) {
			rc = mm_buf_adds(out, " app");
			if (rc == 0)
				rc = fmt_app(r->app, out);
		}
		if (rc == 0 && pn)
			rc = mm_buf_adds(out, " proto ");
		if (rc == 0 && pn)
			rc = mm_buf_adds(out, pn->name);
	}
	if (rc == 0 && r->comment[0])
		rc = mm_buf_adds(out, " comment \"");
	if (rc == 0 && r->comment[0])
		rc = mm_buf_adds(out, r->comment);
	if (rc == 0 && r->comment[0])
		rc = mm_buf_addc(out, '"');
	return rc;
}

static bool prefix_ok(const struct mm_prefix *p)
{
	unsigned full, i;

	if (p->addr.family == MM_AF_INET)
		full = 32;
	else if (p->addr.family == MM_AF_INET6)
		full = 128;
	else
		return false;
	if (p->len > full)
		return false;
	for (i = p->len; i < full; i++)
		if (p->addr.b[i / 8] & (0x80u >> (i % 8)))
			return false;
	return true;
}

static bool ports_ok(const struct mm_fw_ports *p)
{
	unsigned i, weight = 0;

	if (p->n > MM_FW_MAX_PORTS)
		return false;
	for (i = 0; i < p->n; i++) {
		if (p->r[i].lo == 0 || p->r[i].hi < p->r[i].lo)
			return false;
		weight += p->r[i].lo == p->r[i].hi ? 1 : 2;
	}
	return weight <= MM_FW_MAX_PORTS;
}

int mm_fw_rule_validate(const struct mm_fw_rule *r, struct mm_err *err)
{
	size_t i, n;

	if (r->action > MM_FW_LIMIT || r->dir > MM_FW_OUT || r->log > MM_FW_LOG_ALL)
		return mm_err_set(err, MM_ERR_INVAL, "rule: bad action, direction or log flag");
	if (r->proto && !proto_by_num(r->proto))
		return mm_err_set(err, MM_ERR_INVAL, "rule: unknown protocol %u", r->proto);
	if ((r->sport.n || r->dport.n) && !proto_has_ports(r->proto))
		return mm_err_set(err, MM_ERR_INVAL, "rule: ports with a protocol that has none");
	if (!ports_ok(&r->sport) || !ports_ok(&r->dport))
		return mm_err_set(err, MM_ERR_INVAL, "rule: bad port list");
	if ((r->has_src && !prefix_ok(&r->src)) || (r->has_dst && !prefix_ok(&r->dst)))
		return mm_err_set(err, MM_ERR_INVAL, "rule: bad address or prefix");
	if (r->has_src && r->has_dst && r->src.addr.family != r->dst.addr.family)
		return mm_err_set(err, MM_ERR_INVAL, "rule: mixed address families");
	n = strnlen(r->iface, sizeof(r->iface));
	if (n == sizeof(r->iface) || (n && !iface_ok(r->iface, n)))
		return mm_err_set(err, MM_ERR_INVAL, "rule: bad interface name");
	n = strnlen(r->oiface, sizeof(r->oiface));
	if (n == sizeof(r->oiface) || (n && !iface_ok(r->oiface, n)))
		return mm_err_set(err, MM_ERR_INVAL, "rule: bad output interface name");
	if (n && !r->routed)
		return mm_err_set(err, MM_ERR_INVAL, "rule: output interface on a local rule");
	if (r->routed && r->dir != MM_FW_IN)
		return mm_err_set(err, MM_ERR_INVAL, "rule: routed rule with a direction");
	n = strnlen(r->comment, sizeof(r->comment));
	if (n == sizeof(r->comment))
		return mm_err_set(err, MM_ERR_INVAL, "rule: comment not terminated");
	for (i = 0; i < n; i++)
		if (!comment_char_ok(r->comment[i]))
			return mm_err_set(err, MM_ERR_INVAL, "rule: bad character in comment");
	if (r->action == MM_FW_LIMIT && r->dir == MM_FW_OUT)
		return mm_err_set(err, MM_ERR_INVAL, "rule: outgoing limit");
	n = strnlen(r->app, sizeof(r->app));
	if (n == sizeof(r->app))
		return mm_err_set(err, MM_ERR_INVAL, "rule: application name not terminated");
	if (n) {
		if (!mm_fw_app_name_ok(r->app, n))
			return mm_err_set(err, MM_ERR_INVAL, "rule: bad application name");
		if (r->proto || r->dport.n || r->napp < 1 || r->napp > MM_FW_APP_SPECS)
			return mm_err_set(err, MM_ERR_INVAL, "rule: application '%s' not resolved",
					  r->app);
		for (i = 0; i < r->napp; i++) {
			const struct mm_fw_appspec *a = &r->appspec[i];

			if ((a->proto != 0 && a->proto != 6 && a->proto != 17) ||
			    !ports_ok(&a->ports) || a->ports.n == 0)
				return mm_err_set(err, MM_ERR_INVAL,
						  "rule: bad ports of application '%s'", r->app);
		}
	} else if (r->napp) {
		return mm_err_set(err, MM_ERR_INVAL, "rule: application ports without a name");
	}
	n = strnlen(r->sapp, sizeof(r->sapp));
	if (n == sizeof(r->sapp))
		return mm_err_set(err, MM_ERR_INVAL, "rule: application name not terminated");
	if (n) {
		if (!mm_fw_app_name_ok(r->sapp, n))
			return mm_err_set(err, MM_ERR_INVAL, "rule: bad application name");
		if (r->proto || r->sport.n || r->dport.n || r->nsapp < 1 ||
		    r->nsapp > MM_FW_APP_SPECS)
			return mm_err_set(err, MM_ERR_INVAL, "rule: application '%s' not resolved",
					  r->sapp);
		for (i = 0; i < r->nsapp; i++) {
			const struct mm_fw_appspec *a = &r->sappspec[i];

			if ((a->proto != 0 && a->proto != 6 && a->proto != 17) ||
			    !ports_ok(&a->ports) || a->ports.n == 0)
				return mm_err_set(err, MM_ERR_INVAL,
						  "rule: bad ports of application '%s'", r->sapp);
		}
	} else if (r->nsapp) {
		return mm_err_set(err, MM_ERR_INVAL, "rule: application ports without a name");
	}
	return 0;
}

bool mm_fw_rule_eq(const struct mm_fw_rule *a, const struct mm_fw_rule *b)
{
	/* Everything but the comment: the same rule with another comment is a duplicate. */
	if (a->action != b->action || a->dir != b->dir || a->log != b->log ||
	    a->proto != b->proto || a->has_src != b->has_src || a->has_dst != b->has_dst ||
	    strcmp(a->iface, b->iface) != 0 || strcmp(a->app, b->app) != 0 ||
	    strcmp(a->sapp, b->sapp) != 0 || a->routed != b->routed ||
	    strcmp(a->oiface, b->oiface) != 0)
		return false;
	if (a->has_src && (a->src.len != b->src.len || !mm_addr_eq(&a->src.addr, &b->src.addr)))
		return false;
	if (a->has_dst && (a->dst.len != b->dst.len || !mm_addr_eq(&a->dst.addr, &b->dst.addr)))
		return false;
	if (a->sport.n != b->sport.n || a->dport.n != b->dport.n)
		return false;
	return memcmp(a->sport.r, b->sport.r, a->sport.n * sizeof(a->sport.r[0])) == 0 &&
	       memcmp(a->dport.r, b->dport.r, a->dport.n * sizeof(a->dport.r[0])) == 0;
}

int mm_fw_duration_parse(const char *s, size_t n, int64_t *secs, struct mm_err *err)
{
	struct mm_cur c = mm_cur_make(s, n);
	int64_t total = 0;
	char b[48];

	if (n == 0)
		return mm_err_set(err, MM_ERR_PARSE, "empty duration");
	while (!mm_cur_eof(&c)) {
		uint64_t v;
		int64_t mul = 1;

		if (!mm_cur_u64(&c, &v, 100000000ull))
			return mm_err_set(err, MM_ERR_PARSE,
					  "bad duration '%s' (e.g. 90s, 30m, 1h30m, 7d)",
					  shown(mm_span_make(s, n), b, sizeof(b)));
		if (mm_cur_char(&c, 's'))
			mul = 1;
		else if (mm_cur_char(&c, 'm'))
			mul = 60;
		else if (mm_cur_char(&c, 'h'))
			mul = 3600;
		else if (mm_cur_char(&c, 'd'))
			mul = 86400;
		else if (mm_cur_char(&c, 'w'))
			mul = 7 * 86400;
		else if (!mm_cur_eof(&c))
			return mm_err_set(err, MM_ERR_PARSE,
					  "bad duration '%s' (e.g. 90s, 30m, 1h30m, 7d)",
					  shown(mm_span_make(s, n), b, sizeof(b)));
		total += (int64_t)v * mul;
		if (total > 365 * 86400)
			return mm_err_set(err, MM_ERR_RANGE, "duration longer than 365 days");
	}
	if (total < 1)
		return mm_err_set(err, MM_ERR_RANGE, "duration must be at least 1s");
	*secs = total;
	return 0;
}
