/* SPDX-License-Identifier: MIT */
/*
 * nftables text for a ruleset: one `table inet mamori`, replaced in one
 * transaction. Everything is validated again here, because this is the
 * text the privileged side loads: a rule or block that did not come from
 * the parser (a library caller, a corrupted model) never reaches nft.
 *
 * Layout of the table:
 *   set host4/host6     blocked single addresses: hash sets, per-element
 *                       timeouts and counters (adding one element needs no
 *                       look at the others, unlike an interval set)
 *   set block4/block6   blocked networks: interval sets, same flags
 *   set feed_NAME_4/_6  blocklist feeds: interval sets (auto-merge), replaced
 *                       wholesale by flush + add in one transaction
 *   set allow4/allow6   the allowlist (only when there is one): every block
 *                       and feed rule then matches "saddr != @allowN" too
 *   set limN_4/limN_6   per limit rule: dynamic sets keyed by source address
 *   chain limit_hit     log + refuse for connections over a limit
 *   chain input         lo, established/related, invalid, blocks, feeds, ICMP,
 *                       DHCP replies, user "in" rules, default policy
 *   chain output        lo, established/related, ICMP errors and ND,
 *                       user "out" rules, default policy
 *   chain forward       established/related, invalid, blocks, feeds, user
 *                       "route" rules (chain user_fwd), default policy
 * Log statements are separate rules without a verdict, so their rate
 * limit never limits the verdict that follows.
 */
#include <stdio.h>
#include <string.h>

#include "mamori/fw.h"

#define PFX_BLOCK "[MAMORI BLOCK] "
#define PFX_ALLOW "[MAMORI ALLOW] "
#define PFX_LIMIT "[MAMORI LIMIT] "
#define PFX_INVALID "[MAMORI INVALID] "

struct rctx {
	struct mm_buf *b;
	const struct mm_fw_ruleset *rs;
	int rc;
	char rate[96]; /* the limit rule's rate, "12/minute burst 6 packets" */
};

static void out(struct rctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out(struct rctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->rc)
		return;
	va_start(ap, fmt);
	x->rc = mm_buf_vaddf(x->b, fmt, ap);
	va_end(ap);
}

static const char *lograte(const struct mm_fw_ruleset *rs)
{
	return rs->level == MM_FW_LEVEL_HIGH ? "limit rate 10/second burst 50 packets"
					     : "limit rate 3/minute burst 10 packets";
}

static void log_rule(struct rctx *x, const char *match, const char *prefix)
{
	out(x, "\t\t%s%s%s log prefix \"%s\"\n", match, match[0] ? " " : "", lograte(x->rs),
	    prefix);
}

static void fmt_ports(struct rctx *x, const struct mm_fw_ports *p)
{
	uint8_t i;

	if (p->n > 1)
		out(x, "{ ");
	for (i = 0; i < p->n; i++) {
		if (i)
			out(x, ", ");
		if (p->r[i].lo == p->r[i].hi)
			out(x, "%u", p->r[i].lo);
		else
			out(x, "%u-%u", p->r[i].lo, p->r[i].hi);
	}
	if (p->n > 1)
		out(x, " }");
}

static const char *port_proto(uint8_t proto)
{
	switch (proto) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 132:
		return "sctp";
	case 33:
		return "dccp";
	default:
		return NULL;
	}
}

/* The match part of a user rule into m (no trailing space). */
static int rule_match(const struct mm_fw_rule *r, struct mm_buf *m)
{
	struct rctx x = {m, NULL, 0, ""};
	char a[MM_PREFIX_STRLEN];
	const char *pp = port_proto(r->proto);
	const char *sep = "";

	if (r->iface[0]) {
		size_t n = strlen(r->iface);

		out(&x, "%s \"%.*s%s\"", r->dir == MM_FW_IN ? "iifname" : "oifname",
		    (int)(r->iface[n - 1] == '+' ? n - 1 : n), r->iface,
		    r->iface[n - 1] == '+' ? "*" : "");
		sep = " ";
	}
	if (r->oiface[0]) {
		size_t n = strlen(r->oiface);

		out(&x, "%soifname \"%.*s%s\"", sep, (int)(r->oiface[n - 1] == '+' ? n - 1 : n),
		    r->oiface, r->oiface[n - 1] == '+' ? "*" : "");
		sep = " ";
	}
	if (r->has_src) {
		out(&x, "%s%s saddr %s", sep, r->src.addr.family == MM_AF_INET ? "ip" : "ip6",
		    mm_prefix_format(&r->src, a));
		sep = " ";
	}
	if (r->has_dst) {
		out(&x, "%s%s daddr %s", sep, r->dst.addr.family == MM_AF_INET ? "ip" : "ip6",
		    mm_prefix_format(&r->dst, a));
		sep = " ";
	}
	if (r->sport.n || r->dport.n) {
		const char *kw = pp ? pp : "th";

		if (!pp) {
			out(&x, "%smeta l4proto { tcp, udp }", sep);
			sep = " ";
		}
		if (r->sport.n) {
			out(&x, "%s%s sport ", sep, kw);
			fmt_ports(&x, &r->sport);
			sep = " ";
		}
		if (r->dport.n) {
			out(&x, "%s%s dport ", sep, kw);
			fmt_ports(&x, &r->dport);
		}
	} else if (r->proto) {
		out(&x, "%smeta l4proto %u", sep, r->proto);
	}
	return x.rc;
}

static void user_rule(struct rctx *x, const struct mm_fw_rule *r, size_t idx, struct mm_buf *m)
{
	const char *ct = r->log == MM_FW_LOG_ALL ? "" : "ct state new ";
	const char *sp = m->len ? " " : "";
	char cm[MM_FW_COMMENT_MAX + 16] = "";

	if (r->comment[0])
		snprintf(cm, sizeof(cm), " comment \"%s\"", r->comment);
	if (r->log) {
		const char *p = r->action == MM_FW_ALLOW   ? PFX_ALLOW
				: r->action == MM_FW_LIMIT ? PFX_LIMIT
							   : PFX_BLOCK;

		out(x, "\t\t%s%s%s%s log prefix \"%s\"\n", ct, m->data, sp, lograte(x->rs), p);
	} else if (r->action == MM_FW_ALLOW && x->rs->level >= MM_FW_LEVEL_MEDIUM) {
		out(x, "\t\tct state new %s%s%s log prefix \"%s\"\n", m->data, sp, lograte(x->rs),
		    PFX_ALLOW);
	}
	switch (r->action) {
	case MM_FW_ALLOW:
		out(x, "\t\t%s%scounter accept%s\n", m->data, sp, cm);
		break;
	case MM_FW_DENY:
		out(x, "\t\t%s%scounter drop%s\n", m->data, sp, cm);
		break;
	case MM_FW_REJECT:
		if (r->proto == 6)
			out(x, "\t\t%s%scounter reject with tcp reset%s\n", m->data, sp, cm);
		else if (r->proto == 0)
			out(x, "\t\t%s%smeta l4proto tcp counter reject with tcp reset%s\n",
			    m->data, sp, cm);
		if (r->proto != 6)
			out(x, "\t\t%s%scounter reject%s\n", m->data, sp, cm);
		break;
	case MM_FW_LIMIT:
		if (!r->has_src || r->src.addr.family == MM_AF_INET)
			out(x,
			    "\t\t%s%sct state new update @lim%zu_4 { ip saddr limit rate over %s } "
			    "goto limit_hit\n",
			    m->data, sp, idx, x->rate);
		if (!r->has_src || r->src.addr.family == MM_AF_INET6)
			out(x,
			    "\t\t%s%sct state new update @lim%zu_6 { ip6 saddr limit rate over %s "
			    "} goto limit_hit\n",
			    m->data, sp, idx, x->rate);
		out(x, "\t\t%s%scounter accept%s\n", m->data, sp, cm);
		break;
	}
}

/* A user rule: an application rule is one nft rule per part of its profile. */
static void one_rule(struct rctx *x, const struct mm_fw_rule *r, size_t num, struct mm_buf *m)
{
	struct mm_fw_rule parts[MM_FW_RULE_PARTS];
	size_t i, n = mm_fw_rule_expand(r, parts, MM_FW_RULE_PARTS);

	for (i = 0; i < n && i < MM_FW_RULE_PARTS && x->rc == 0; i++) {
		mm_buf_reset(m);
		x->rc = rule_match(&parts[i], m);
		if (x->rc == 0 && !m->data)
			x->rc = mm_buf_adds(m, "");
		if (x->rc == 0)
			user_rule(x, &parts[i], num, m);
	}
}

/* "N/unit burst H packets" for limit_hits per limit_secs. */
static void limit_rate(const struct mm_fw_ruleset *rs, char *buf, size_t sz)
{
	uint64_t h = rs->limit_hits, s = rs->limit_secs;
	static const struct {
		const char *unit;
		uint64_t secs;
	} units[] = {{"second", 1}, {"minute", 60}, {"hour", 3600}, {"day", 86400}};
	size_t i;

	for (i = 0; i < 4; i++)
		if ((h * units[i].secs) % s == 0 && h * units[i].secs / s >= 1)
			break;
	if (i == 4)
		i = 3;
	snprintf(buf, sz, "%llu/%s burst %llu packets",
		 (unsigned long long)((h * units[i].secs + s - 1) / s), units[i].unit,
		 (unsigned long long)h);
}

static void policy_end(struct rctx *x, unsigned chain)
{
	uint8_t p = x->rs->policy[chain];

	if (p == MM_FW_ALLOW)
		return;
	if (x->rs->level >= MM_FW_LEVEL_LOW)
		log_rule(x, "ct state new", PFX_BLOCK);
	if (p == MM_FW_REJECT) {
		out(x, "\t\tmeta l4proto tcp reject with tcp reset\n");
		out(x, "\t\treject\n");
	}
}

static bool is_host(const struct mm_prefix *p)
{
	return p->len == (p->addr.family == MM_AF_INET ? 32 : 128);
}

static void blocks_set(struct rctx *x, int64_t now, uint8_t fam, bool hosts)
{
	const struct mm_fw_ruleset *rs = x->rs;
	char a[MM_PREFIX_STRLEN];
	size_t i, n = 0;

	out(x, "\tset %s%c {\n\t\ttype %s\n\t\tflags %s\n\t\tcounter\n", hosts ? "host" : "block",
	    fam == MM_AF_INET ? '4' : '6', fam == MM_AF_INET ? "ipv4_addr" : "ipv6_addr",
	    hosts ? "timeout" : "interval,timeout");
	for (i = 0; i < rs->nblocks; i++) {
		const struct mm_fw_block *b = &rs->blocks[i];

		if (b->pfx.addr.family != fam || is_host(&b->pfx) != hosts ||
		    (b->until && b->until <= now))
			continue;
		out(x, "%s%s", n ? ",\n\t\t\t" : "\t\telements = {\n\t\t\t",
		    hosts ? mm_addr_format(&b->pfx.addr, a) : mm_prefix_format(&b->pfx, a));
		if (b->until)
			out(x, " timeout %llds", (long long)(b->until - now));
		n++;
	}
	if (n)
		out(x, "\n\t\t}\n");
	out(x, "\t}\n");
}

/* Feed names and prefixes again: the feed file may have been edited by hand. */
static int validate_feeds(const struct mm_fw_ruleset *rs, struct mm_err *err)
{
	size_t i, k;

	for (i = 0; i < rs->nfeeds; i++) {
		const struct mm_fw_feed *f = &rs->feeds[i];

		if (strnlen(f->name, sizeof(f->name)) == sizeof(f->name) ||
		    !mm_fw_feed_name_ok(f->name, strlen(f->name)) || f->n4 > f->n)
			return mm_err_set(err, MM_ERR_INVAL, "feed %zu: bad name", i + 1);
		for (k = 0; k < f->n; k++) {
			const struct mm_prefix *p = &f->v[k];
			unsigned full = p->addr.family == MM_AF_INET ? 32 : 128;
			unsigned b;

			if ((p->addr.family != MM_AF_INET || k >= f->n4) &&
			    (p->addr.family != MM_AF_INET6 || k < f->n4))
				return mm_err_set(err, MM_ERR_INVAL, "feed %s: bad family order",
						  f->name);
			if (p->len > full)
				return mm_err_set(err, MM_ERR_INVAL, "feed %s: bad prefix",
						  f->name);
			for (b = p->len; b < full; b++)
				if (p->addr.b[b / 8] & (0x80u >> (b % 8)))
					return mm_err_set(err, MM_ERR_INVAL,
							  "feed %s: host bits set", f->name);
		}
	}
	return 0;
}

static void feed_elements(struct rctx *x, const struct mm_fw_feed *f, bool v4, const char *pre,
			  const char *sep, const char *post)
{
	char a[MM_PREFIX_STRLEN];
	size_t i = v4 ? 0 : f->n4, end = v4 ? f->n4 : f->n;

	if (i == end)
		return;
	out(x, "%s", pre);
	for (; i < end && x->rc == 0; i++) {
		const struct mm_prefix *p = &f->v[i];

		out(x, "%s%s", i == (v4 ? 0 : f->n4) ? "" : sep, mm_fw_prefix_short(p, a));
	}
	out(x, "%s", post);
}

static void feed_sets(struct rctx *x)
{
	const struct mm_fw_ruleset *rs = x->rs;
	size_t i;
	int v;

	for (i = 0; i < rs->nfeeds; i++) {
		for (v = 1; v >= 0; v--) {
			out(x,
			    "\tset feed_%s_%c {\n\t\ttype %s\n\t\tflags interval\n\t\tauto-merge\n",
			    rs->feeds[i].name, v ? '4' : '6', v ? "ipv4_addr" : "ipv6_addr");
			feed_elements(x, &rs->feeds[i], v, "\t\telements = {\n\t\t\t", ",\n\t\t\t",
				      "\n\t\t}\n");
			out(x, "\t}\n");
		}
	}
}

static bool has_allow(const struct mm_fw_ruleset *rs)
{
	return rs->allow && rs->allow->n > 0;
}

/* The allowlist sets, interval sets like the feeds'. */
static void allow_sets(struct rctx *x)
{
	const struct mm_fw_allowlist *al = x->rs->allow;
	char a[MM_PREFIX_STRLEN];
	size_t i;
	int v, k;

	if (!has_allow(x->rs))
		return;
	for (v = 1; v >= 0; v--) {
		uint8_t fam = v ? MM_AF_INET : MM_AF_INET6;
		out(x, "\tset allow%c {\n\t\ttype %s\n\t\tflags interval\n\t\tauto-merge\n",
		    v ? '4' : '6', v ? "ipv4_addr" : "ipv6_addr");
		for (i = 0, k = 0; i < al->n; i++) {
			if (al->v[i].addr.family != fam)
				continue;
			out(x, "%s%s", k++ ? ",\n\t\t\t" : "\t\telements = {\n\t\t\t",
			    mm_fw_prefix_short(&al->v[i], a));
		}
		out(x, "%s\t}\n", k ? "\n\t\t}\n" : "");
	}
}

/*
 * The match of a block or feed rule: "ip saddr @SET", led by the
 * allowlist's exemption when there is one. Returns m.
 */
static const char *drop_match(const struct rctx *x, bool v4, const char *set, char *m, size_t n)
{
	const char *fam = v4 ? "ip" : "ip6";

	if (has_allow(x->rs))
		snprintf(m, n, "%s saddr != @allow%c %s saddr @%s", fam, v4 ? '4' : '6', fam, set);
	else
		snprintf(m, n, "%s saddr @%s", fam, set);
	return m;
}

/* Blocks drop in the input and forward chains, before everything but
 * loopback and established connections; logged in input only. */
static void block_rules(struct rctx *x, bool log)
{
	static const char *const sets[] = {"host4", "host6", "block4", "block6"};
	char m[128];
	size_t i;

	if (log && x->rs->level >= MM_FW_LEVEL_LOW)
		for (i = 0; i < 4; i++)
			log_rule(x, drop_match(x, i % 2 == 0, sets[i], m, sizeof(m)), PFX_BLOCK);
	for (i = 0; i < 4; i++)
		out(x, "\t\t%s drop\n", drop_match(x, i % 2 == 0, sets[i], m, sizeof(m)));
}

/* Feeds drop in the input and forward chains, right after the blocks. */
static void feed_rules(struct rctx *x, bool log)
{
	const struct mm_fw_ruleset *rs = x->rs;
	char m[128], set[48];
	size_t i;
	int v;

	for (i = 0; i < rs->nfeeds; i++) {
		for (v = 1; v >= 0; v--) {
			snprintf(set, sizeof(set), "feed_%s_%c", rs->feeds[i].name, v ? '4' : '6');
			drop_match(x, v, set, m, sizeof(m));
			if (log && rs->level >= MM_FW_LEVEL_LOW)
				log_rule(x, m, PFX_BLOCK);
			out(x, "\t\t%s counter drop comment \"feed %s\"\n", m, rs->feeds[i].name);
		}
	}
}

int mm_fw_render_feed(const struct mm_fw_feed *f, struct mm_buf *b, struct mm_err *err)
{
	struct mm_fw_ruleset one;
	struct rctx x = {b, NULL, 0, ""};
	size_t start = b->len;
	int v;

	memset(&one, 0, sizeof(one));
	one.feeds = (struct mm_fw_feed *)(uintptr_t)f;
	one.nfeeds = 1;
	if (validate_feeds(&one, err) < 0)
		return MM_ERR_INVAL;
	for (v = 1; v >= 0; v--) {
		char pre[96];

		snprintf(pre, sizeof(pre), "add element inet mamori feed_%s_%c { ", f->name,
			 v ? '4' : '6');
		out(&x, "flush set inet mamori feed_%s_%c\n", f->name, v ? '4' : '6');
		feed_elements(&x, f, v, pre, ", ", " }\n");
	}
	if (x.rc < 0) {
		b->len = start;
		if (b->data)
			b->data[start] = '\0';
		return mm_err_set(err, x.rc, "feed too large to render");
	}
	return 0;
}

/* The chain a user rule goes to: user_in, user_out or user_fwd (routed). */
static const char *rule_chain(const struct mm_fw_rule *r)
{
	return r->routed ? "user_fwd" : r->dir == MM_FW_IN ? "user_in" : "user_out";
}

/* The user's rules of one chain, in order. */
static void user_chain(struct rctx *x, struct mm_buf *m, const char *chain)
{
	const struct mm_fw_ruleset *rs = x->rs;
	size_t i;

	out(x, "\tchain %s {\n", chain);
	for (i = 0; i < rs->nrules && x->rc == 0; i++) {
		if (strcmp(rule_chain(&rs->rules[i]), chain) != 0)
			continue;
		one_rule(x, &rs->rules[i], i + 1, m);
	}
	out(x, "\t}\n");
}

static void limit_sets(struct rctx *x, size_t idx, const char *pre, const char *post)
{
	unsigned t = x->rs->limit_secs < 60 ? 60 : x->rs->limit_secs;

	out(x,
	    "%slim%zu_4 {%stype ipv4_addr;%ssize 65535;%sflags dynamic,timeout;%stimeout "
	    "%us;%s}\n",
	    pre, idx, post, post, post, post, t, post);
	out(x,
	    "%slim%zu_6 {%stype ipv6_addr;%ssize 65535;%sflags dynamic,timeout;%stimeout "
	    "%us;%s}\n",
	    pre, idx, post, post, post, post, t, post);
}

static void input_chain(struct rctx *x)
{
	const struct mm_fw_ruleset *rs = x->rs;

	out(x, "\tchain input {\n\t\ttype filter hook input priority filter; policy %s;\n",
	    rs->policy[MM_FW_INCOMING] == MM_FW_ALLOW ? "accept" : "drop");
	out(x, "\t\tiif \"lo\" accept\n");
	out(x, "\t\tct state established,related accept\n");
	if (rs->level >= MM_FW_LEVEL_MEDIUM)
		log_rule(x, "ct state invalid", PFX_INVALID);
	out(x, "\t\tct state invalid drop\n");
	block_rules(x, true);
	feed_rules(x, true);
	out(x,
	    "\t\ticmp type { destination-unreachable, time-exceeded, parameter-problem } accept\n");
	out(x, "\t\ticmp type echo-request limit rate 10/second burst 20 packets accept\n");
	out(x, "\t\ticmpv6 type { destination-unreachable, packet-too-big, time-exceeded, "
	       "parameter-problem } accept\n");
	out(x, "\t\ticmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, "
	       "nd-redirect } ip6 hoplimit 255 accept\n");
	out(x, "\t\tip6 saddr fe80::/10 icmpv6 type { mld-listener-query, mld-listener-report, "
	       "mld-listener-done, mld2-listener-report } accept\n");
	out(x, "\t\ticmpv6 type echo-request limit rate 10/second burst 20 packets accept\n");
	out(x, "\t\tudp sport 67 udp dport 68 accept\n");
	out(x, "\t\tip6 saddr fe80::/10 udp sport 547 udp dport 546 accept\n");
	out(x, "\t\tjump user_in\n");
	policy_end(x, MM_FW_INCOMING);
	out(x, "\t}\n");
}

static void output_chain(struct rctx *x)
{
	const struct mm_fw_ruleset *rs = x->rs;

	out(x, "\tchain output {\n\t\ttype filter hook output priority filter; policy %s;\n",
	    rs->policy[MM_FW_OUTGOING] == MM_FW_ALLOW ? "accept" : "drop");
	out(x, "\t\toif \"lo\" accept\n");
	out(x, "\t\tct state established,related accept\n");
	out(x,
	    "\t\ticmp type { destination-unreachable, time-exceeded, parameter-problem } accept\n");
	out(x, "\t\ticmpv6 type { destination-unreachable, packet-too-big, time-exceeded, "
	       "parameter-problem, nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, "
	       "mld-listener-report, mld-listener-done, mld2-listener-report } accept\n");
	out(x, "\t\tudp sport 68 udp dport 67 accept\n");
	out(x, "\t\tudp sport 546 udp dport 547 accept\n");
	out(x, "\t\tjump user_out\n");
	policy_end(x, MM_FW_OUTGOING);
	out(x, "\t}\n");
}

static void forward_chain(struct rctx *x)
{
	out(x, "\tchain forward {\n\t\ttype filter hook forward priority filter; policy %s;\n",
	    x->rs->policy[MM_FW_ROUTED] == MM_FW_ALLOW ? "accept" : "drop");
	out(x, "\t\tct state established,related accept\n");
	out(x, "\t\tct state invalid drop\n");
	block_rules(x, false);
	feed_rules(x, false);
	out(x, "\t\tjump user_fwd\n");
	policy_end(x, MM_FW_ROUTED);
	out(x, "\t}\n");
}

static int validate(const struct mm_fw_ruleset *rs, struct mm_err *err)
{
	struct mm_err e;
	size_t i;
	unsigned c;

	for (c = 0; c < MM_FW_NCHAINS; c++)
		if (rs->policy[c] > MM_FW_REJECT)
			return mm_err_set(err, MM_ERR_INVAL, "bad default policy");
	if (rs->level > MM_FW_LEVEL_HIGH || rs->limit_hits < 1 || rs->limit_hits > 10000 ||
	    rs->limit_secs < 1 || rs->limit_secs > 86400)
		return mm_err_set(err, MM_ERR_INVAL, "bad logging level or limit rate");
	for (i = 0; i < rs->nrules; i++)
		if (mm_fw_rule_validate(&rs->rules[i], &e) < 0)
			return mm_err_set(err, MM_ERR_INVAL, "rule %zu: %s", i + 1, e.msg);
	for (i = 0; i < rs->nblocks; i++) {
		struct mm_fw_rule t;

		memset(&t, 0, sizeof(t));
		t.has_src = true;
		t.src = rs->blocks[i].pfx;
		if (mm_fw_rule_validate(&t, &e) < 0)
			return mm_err_set(err, MM_ERR_INVAL, "block %zu: bad address or prefix",
					  i + 1);
		if (rs->blocks[i].until < 0)
			return mm_err_set(err, MM_ERR_INVAL, "block %zu: bad expiry", i + 1);
	}
	return validate_feeds(rs, err);
}

int mm_fw_render(const struct mm_fw_ruleset *rs, int64_t now, struct mm_buf *b, struct mm_err *err)
{
	struct rctx x = {b, rs, 0, ""};
	struct mm_buf m;
	size_t i, start = b->len;
	int rc;

	rc = validate(rs, err);
	if (rc < 0)
		return rc;
	limit_rate(rs, x.rate, sizeof(x.rate));
	mm_buf_init(&m, 4096);
	out(&x, "table inet mamori {}\ndelete table inet mamori\n");
	out(&x, "table inet mamori {\n");
	blocks_set(&x, now, MM_AF_INET, true);
	blocks_set(&x, now, MM_AF_INET6, true);
	blocks_set(&x, now, MM_AF_INET, false);
	blocks_set(&x, now, MM_AF_INET6, false);
	feed_sets(&x);
	allow_sets(&x);
	for (i = 0; i < rs->nrules; i++)
		if (rs->rules[i].action == MM_FW_LIMIT)
			limit_sets(&x, i + 1, "\tset ", " ");
	out(&x, "\tchain limit_hit {\n");
	if (rs->level >= MM_FW_LEVEL_LOW)
		log_rule(&x, "", PFX_LIMIT);
	out(&x, "\t\tmeta l4proto tcp reject with tcp reset\n\t\treject\n\t}\n");
	user_chain(&x, &m, "user_in");
	user_chain(&x, &m, "user_out");
	user_chain(&x, &m, "user_fwd");
	input_chain(&x);
	output_chain(&x);
	forward_chain(&x);
	out(&x, "}\n");
	mm_buf_release(&m);
	rc = x.rc;
	if (rc < 0) {
		b->len = start;
		if (b->data)
			b->data[start] = '\0';
		return mm_err_set(err, rc, "ruleset too large to render");
	}
	return 0;
}

int mm_fw_render_append(const struct mm_fw_ruleset *rs, size_t idx, struct mm_buf *b,
			struct mm_err *err)
{
	struct rctx x = {NULL, rs, 0, ""};
	const struct mm_fw_rule *r;
	struct mm_buf m, lines;
	const char *p, *nl;
	int rc;

	if (idx >= rs->nrules)
		return mm_err_set(err, MM_ERR_RANGE, "no rule %zu", idx + 1);
	r = &rs->rules[idx];
	rc = validate(rs, err);
	if (rc < 0)
		return rc;
	limit_rate(rs, x.rate, sizeof(x.rate));
	mm_buf_init(&m, 4096);
	mm_buf_init(&lines, 1 << 16);
	x.b = &lines;
	one_rule(&x, r, idx + 1, &m);
	x.b = b;
	if (x.rc == 0 && r->action == MM_FW_LIMIT)
		limit_sets(&x, idx + 1, "add set inet mamori ", " ");
	/* each "\t\tSTATEMENT\n" becomes "add rule inet mamori CHAIN STATEMENT" */
	for (p = lines.data; x.rc == 0 && p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		while (*p == '\t')
			p++;
		out(&x, "add rule inet mamori %s %.*s\n", rule_chain(r), (int)(nl - p), p);
	}
	mm_buf_release(&m);
	mm_buf_release(&lines);
	if (x.rc < 0)
		return mm_err_set(err, x.rc, "rule too large to render");
	return 0;
}

static int block_element(const struct mm_fw_block *blk, const char *verb, int64_t now,
			 struct mm_buf *b, struct mm_err *err);

int mm_fw_render_block(const struct mm_fw_block *blk, bool add, int64_t now, struct mm_buf *b,
		       struct mm_err *err)
{
	return block_element(blk, add ? "add" : "delete", now, b, err);
}

int mm_fw_render_block_create(const struct mm_fw_block *blk, int64_t now, struct mm_buf *b,
			      struct mm_err *err)
{
	return block_element(blk, "create", now, b, err);
}

static int block_element(const struct mm_fw_block *blk, const char *verb, int64_t now,
			 struct mm_buf *b, struct mm_err *err)
{
	struct mm_fw_rule t;
	char a[MM_PREFIX_STRLEN];
	bool add = verb[0] != 'd';
	int rc;

	memset(&t, 0, sizeof(t));
	t.has_src = true;
	t.src = blk->pfx;
	if (mm_fw_rule_validate(&t, err) < 0)
		return mm_err_set(err, MM_ERR_INVAL, "bad address or prefix");
	rc = mm_buf_addf(
	    b, "%s element inet mamori %s%c { %s", verb, is_host(&blk->pfx) ? "host" : "block",
	    blk->pfx.addr.family == MM_AF_INET ? '4' : '6', mm_fw_prefix_short(&blk->pfx, a));
	if (rc == 0 && add && blk->until) {
		if (blk->until <= now)
			return mm_err_set(err, MM_ERR_RANGE, "block already expired");
		rc = mm_buf_addf(b, " timeout %llds", (long long)(blk->until - now));
	}
	if (rc == 0)
		rc = mm_buf_adds(b, " }\n");
	return rc < 0 ? mm_err_set(err, rc, "out of memory") : 0;
}

int mm_fw_render_remove(struct mm_buf *b)
{
	return mm_buf_adds(b, "table inet mamori {}\ndelete table inet mamori\n");
}

/* --- lockout check --- */

static bool ports_match(const struct mm_fw_ports *p, uint16_t port)
{
	uint8_t i;

	if (!p->n)
		return true;
	for (i = 0; i < p->n; i++)
		if (port >= p->r[i].lo && port <= p->r[i].hi)
			return true;
	return false;
}

bool mm_fw_would_lock_out(const struct mm_fw_ruleset *rs, const struct mm_addr *client,
			  uint16_t cport, const struct mm_addr *server, uint16_t sport, char *why,
			  size_t whysz)
{
	char a[MM_PREFIX_STRLEN], c[MM_ADDR_STRLEN];
	struct mm_buf t;
	size_t i;

	if (!rs->enabled)
		return false;
	for (i = 0; i < rs->nfeeds; i++) {
		const struct mm_fw_feed *f = &rs->feeds[i];
		size_t k;

		for (k = 0; k < f->n; k++) {
			if (mm_prefix_contains(&f->v[k], client)) {
				snprintf(why, whysz, "feed %s (%s) covers the SSH client %s",
					 f->name, mm_prefix_format(&f->v[k], a),
					 mm_addr_format(client, c));
				return true;
			}
		}
	}
	for (i = 0; i < rs->nblocks; i++) {
		if (mm_prefix_contains(&rs->blocks[i].pfx, client)) {
			snprintf(why, whysz, "block %s covers the SSH client %s",
				 mm_prefix_format(&rs->blocks[i].pfx, a),
				 mm_addr_format(client, c));
			return true;
		}
	}
	for (i = 0; i < rs->nrules; i++) {
		struct mm_fw_rule parts[MM_FW_RULE_PARTS];
		size_t k, np = mm_fw_rule_expand(&rs->rules[i], parts, MM_FW_RULE_PARTS);
		const struct mm_fw_rule *r = NULL;

		/* the first part of an application rule that matches decides */
		for (k = 0; k < np && k < MM_FW_RULE_PARTS; k++) {
			if (parts[k].dir != MM_FW_IN || parts[k].routed ||
			    (parts[k].proto != 0 && parts[k].proto != 6))
				continue;
			if (!ports_match(&parts[k].sport, cport) ||
			    !ports_match(&parts[k].dport, sport))
				continue;
			r = &parts[k];
			break;
		}
		if (!r)
			continue;
		if (r->has_src && !mm_prefix_contains(&r->src, client))
			continue;
		if (r->has_dst && !mm_prefix_contains(&r->dst, server))
			continue;
		if (!ports_match(&r->sport, cport) || !ports_match(&r->dport, sport))
			continue;
		/* an interface we cannot see: assume the worst either way */
		if (r->iface[0] && (r->action == MM_FW_ALLOW || r->action == MM_FW_LIMIT))
			continue;
		if (r->action == MM_FW_ALLOW || r->action == MM_FW_LIMIT)
			return false;
		mm_buf_init(&t, 1024);
		if (mm_fw_rule_format(&rs->rules[i], &t) < 0 || !t.data)
			snprintf(why, whysz, "rule %zu refuses the SSH client", i + 1);
		else
			snprintf(why, whysz, "rule %zu (%s) refuses the SSH client", i + 1, t.data);
		mm_buf_release(&t);
		return true;
	}
	if (rs->policy[MM_FW_INCOMING] == MM_FW_ALLOW)
		return false;
	snprintf(why, whysz, "no rule allows port %u/tcp and the default incoming policy is %s",
		 sport, mm_fw_action_name(rs->policy[MM_FW_INCOMING]));
	return true;
}

int mm_fw_parse_ssh_connection(const char *s, struct mm_addr *client, uint16_t *cport,
			       struct mm_addr *server, uint16_t *sport)
{
	const char *p = s, *q;
	struct mm_addr *addrs[2] = {client, server};
	uint16_t *ports[2] = {cport, sport};
	int i;

	for (i = 0; i < 2; i++) {
		uint32_t v = 0;
		const char *d;

		q = strchr(p, ' ');
		if (!q || mm_addr_parse(p, (size_t)(q - p), addrs[i]) < 0)
			return MM_ERR_PARSE;
		p = q + 1;
		for (d = p; *d >= '0' && *d <= '9' && v <= 65535; d++)
			v = v * 10 + (uint32_t)(*d - '0');
		if (d == p || v < 1 || v > 65535 || (*d != ' ' && *d != '\0') ||
		    (i == 0 && *d != ' '))
			return MM_ERR_PARSE;
		*ports[i] = (uint16_t)v;
		p = d + (*d == ' ' ? 1 : 0);
	}
	return 0;
}
