/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "mamori/error.h"
#include "mamori/event.h"

void mm_event_clear(struct mm_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->pid = -1;
	ev->src_port = ev->dst_port = -1;
	ev->proto = -1;
	ev->len = ev->ttl = ev->window = ev->icmp_type = ev->icmp_code = -1;
	ev->counted = true;
}

const char *mm_event_kind_name(enum mm_event_kind k)
{
	switch (k) {
	case MM_EV_PACKET:
		return "packet";
	case MM_EV_AUTH_FAILURE:
		return "auth-failure";
	case MM_EV_AUTH_SUCCESS:
		return "auth-success";
	case MM_EV_PROBE:
		return "probe";
	case MM_EV_SUSPICIOUS:
		return "suspicious";
	case MM_EV_NONE:
		break;
	}
	return "none";
}

const char *mm_direction_name(enum mm_direction d)
{
	switch (d) {
	case MM_DIR_IN:
		return "in";
	case MM_DIR_OUT:
		return "out";
	case MM_DIR_FWD:
		return "forward";
	case MM_DIR_UNKNOWN:
		break;
	}
	return NULL;
}

static const char *ssh_detail_name(int d)
{
	static const char *const names[] = {
	    [MM_SSH_FAILED_PASSWORD] = "failed-password",
	    [MM_SSH_FAILED_PUBLICKEY] = "failed-publickey",
	    [MM_SSH_FAILED_KBDINT] = "failed-keyboard-interactive",
	    [MM_SSH_FAILED_OTHER] = "failed-other",
	    [MM_SSH_INVALID_USER] = "invalid-user",
	    [MM_SSH_PAM_FAILURE] = "pam-failure",
	    [MM_SSH_ROOT_REFUSED] = "root-refused",
	    [MM_SSH_MAX_AUTH] = "max-auth-attempts",
	    [MM_SSH_TOO_MANY_FAILURES] = "too-many-failures",
	    [MM_SSH_PREAUTH_CLOSE] = "preauth-close",
	    [MM_SSH_NO_IDENT] = "no-identification",
	    [MM_SSH_BAD_BANNER] = "bad-banner",
	    [MM_SSH_KEX_FAIL] = "kex-failure",
	    [MM_SSH_ACCEPTED] = "accepted",
	};

	if (d <= 0 || (size_t)d >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[d];
}

const char *mm_proto_name(int proto)
{
	switch (proto) {
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 58:
		return "ipv6-icmp";
	case 132:
		return "sctp";
	case 136:
		return "udplite";
	case 47:
		return "gre";
	case 50:
		return "esp";
	case 2:
		return "igmp";
	}
	return NULL;
}

int mm_proto_parse(const char *s)
{
	static const int known[] = {1, 2, 6, 17, 47, 50, 58, 132, 136};
	size_t i;
	unsigned v = 0;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcasecmp(s, mm_proto_name(known[i])) == 0)
			return known[i];
	if (strcasecmp(s, "icmpv6") == 0)
		return 58;
	if (!*s)
		return MM_ERR_PARSE;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || (v = v * 10 + (unsigned)(*s - '0')) > 255)
			return MM_ERR_PARSE;
	}
	return (int)v;
}

int mm_tcp_flags_format(struct mm_buf *b, uint8_t flags)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = {{MM_TCP_SYN, "SYN"}, {MM_TCP_ACK, "ACK"}, {MM_TCP_FIN, "FIN"},
		     {MM_TCP_RST, "RST"}, {MM_TCP_PSH, "PSH"}, {MM_TCP_URG, "URG"}};
	size_t i;
	bool first = true;
	int r;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & names[i].bit))
			continue;
		if (!first && (r = mm_buf_addc(b, ' ')) < 0)
			return r;
		if ((r = mm_buf_adds(b, names[i].name)) < 0)
			return r;
		first = false;
	}
	return 0;
}

/* ",\"KEY\":" (keys need no escaping) */
static int key(struct mm_buf *b, const char *k)
{
	int r;

	if ((r = mm_buf_add(b, ",\"", 2)) < 0 || (r = mm_buf_adds(b, k)) < 0)
		return r;
	return mm_buf_add(b, "\":", 2);
}

/* ",\"KEY\":\"NAME\"" for names of our own (no escaping needed) */
static int key_name(struct mm_buf *b, const char *k, const char *v)
{
	int r;

	if ((r = key(b, k)) < 0 || (r = mm_buf_addc(b, '"')) < 0 || (r = mm_buf_adds(b, v)) < 0)
		return r;
	return mm_buf_addc(b, '"');
}

static int key_str(struct mm_buf *b, const char *k, const char *s, size_t n)
{
	int r;

	if ((r = key(b, k)) < 0 || (r = mm_buf_addc(b, '"')) < 0 ||
	    (r = mm_buf_add_json_str(b, s, n)) < 0)
		return r;
	return mm_buf_addc(b, '"');
}

static int key_span(struct mm_buf *b, const char *k, struct mm_span s)
{
	if (!s.p)
		return 0;
	return key_str(b, k, s.p, s.n);
}

static int key_int(struct mm_buf *b, const char *k, int64_t v)
{
	int r;

	if (v < 0)
		return 0;
	if ((r = key(b, k)) < 0)
		return r;
	return mm_buf_addu(b, (uint64_t)v);
}

static int key_addr(struct mm_buf *b, const char *k, const struct mm_addr *a)
{
	char s[MM_ADDR_STRLEN];

	if (a->family == MM_AF_NONE)
		return 0;
	return key_name(b, k, mm_addr_format(a, s));
}

int mm_event_to_json(const struct mm_event *ev, bool with_location, struct mm_buf *out)
{
	char tbuf[MM_TIME_STRLEN];
	const char *s;
	int r = 0;

	if (ev->time.set) {
		if ((r = mm_buf_adds(out, "{\"time\":\"")) < 0 ||
		    (r = mm_buf_adds(
			 out, mm_time_format(&ev->time, ev->time.us % 1000000 != 0, tbuf))) < 0 ||
		    (r = mm_buf_addc(out, '"')) < 0 || (r = key(out, "kind")) < 0)
			return r;
	} else if ((r = mm_buf_adds(out, "{\"kind\":")) < 0) {
		return r;
	}
	/* the first key decides whether later keys need their leading comma */
	if ((r = mm_buf_addc(out, '"')) < 0 ||
	    (r = mm_buf_adds(out, mm_event_kind_name(ev->kind))) < 0 ||
	    (r = mm_buf_addc(out, '"')) < 0)
		return r;
	if (ev->kind == MM_EV_SUSPICIOUS && ev->detail == MM_SUSP_FAKE_KERNEL)
		r = mm_buf_adds(out, ",\"detail\":\"forged-kernel-line\"");
	else if ((s = ev->kind != MM_EV_PACKET ? ssh_detail_name(ev->detail) : NULL))
		r = key_name(out, "detail", s);
	if (r < 0)
		return r;
	if ((r = key_span(out, "host", ev->host)) < 0 ||
	    (r = key_span(out, "program", ev->program)) < 0 ||
	    (r = key_int(out, "pid", ev->pid)) < 0 || (r = key_addr(out, "src", &ev->src)) < 0 ||
	    (r = key_int(out, "src_port", ev->src_port)) < 0 ||
	    (r = key_addr(out, "dst", &ev->dst)) < 0 ||
	    (r = key_int(out, "dst_port", ev->dst_port)) < 0)
		return r;
	if (ev->proto >= 0) {
		s = mm_proto_name(ev->proto);
		if (s) {
			r = key_name(out, "proto", s);
		} else if ((r = key(out, "proto")) >= 0 && (r = mm_buf_addc(out, '"')) >= 0 &&
			   (r = mm_buf_addu(out, (uint64_t)ev->proto)) >= 0) {
			r = mm_buf_addc(out, '"');
		}
		if (r < 0)
			return r;
	}
	if (ev->tcp_flags || ev->proto == 6) {
		if (ev->kind == MM_EV_PACKET || ev->tcp_flags) {
			if ((r = mm_buf_adds(out, ",\"flags\":\"")) < 0 ||
			    (r = mm_tcp_flags_format(out, ev->tcp_flags)) < 0 ||
			    (r = mm_buf_addc(out, '"')) < 0)
				return r;
		}
	}
	if ((r = key_span(out, "user", ev->user)) < 0)
		return r;
	if ((s = mm_direction_name(ev->dir)) && (r = key_name(out, "direction", s)) < 0)
		return r;
	if ((r = key_span(out, "prefix", ev->prefix)) < 0)
		return r;
	if (ev->kind == MM_EV_AUTH_FAILURE && !ev->counted &&
	    (r = mm_buf_adds(out, ",\"counted\":false")) < 0)
		return r;
	if (with_location) {
		if (ev->line && (r = key_int(out, "line", (int64_t)ev->line)) < 0)
			return r;
		if (ev->file && (r = key_str(out, "file", ev->file, strlen(ev->file))) < 0)
			return r;
	}
	return mm_buf_addc(out, '}');
}
