/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_EVENT_H
#define MAMORI_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "mamori/addr.h"
#include "mamori/buf.h"
#include "mamori/cursor.h"
#include "mamori/time.h"

/*
 * One normalised event from one recognised log line. Spans point into the
 * line the event was parsed from and are valid only as long as that line.
 */
enum mm_event_kind {
	MM_EV_NONE = 0,
	MM_EV_PACKET,	    /* a packet the kernel logged (netfilter LOG/log) */
	MM_EV_AUTH_FAILURE, /* failed or refused authentication from a source */
	MM_EV_AUTH_SUCCESS, /* accepted login */
	MM_EV_PROBE,	    /* pre-authentication noise: no ident, bad banner, kex, preauth close */
	MM_EV_SUSPICIOUS,   /* e.g. a user-space line imitating a kernel packet log */
};

enum mm_direction {
	MM_DIR_UNKNOWN = 0,
	MM_DIR_IN,  /* IN= set, OUT= empty: to this host */
	MM_DIR_OUT, /* OUT= set, IN= empty: from this host */
	MM_DIR_FWD, /* both set: routed through this host */
};

/* TCP flag bits as in the TCP header. */
enum {
	MM_TCP_FIN = 0x01,
	MM_TCP_SYN = 0x02,
	MM_TCP_RST = 0x04,
	MM_TCP_PSH = 0x08,
	MM_TCP_ACK = 0x10,
	MM_TCP_URG = 0x20,
};

/* What exactly an sshd line said (ev->detail for sshd events). */
enum mm_ssh_detail {
	MM_SSH_NONE = 0,
	MM_SSH_FAILED_PASSWORD,
	MM_SSH_FAILED_PUBLICKEY,
	MM_SSH_FAILED_KBDINT,
	MM_SSH_FAILED_OTHER,
	MM_SSH_INVALID_USER,
	MM_SSH_PAM_FAILURE,
	MM_SSH_ROOT_REFUSED,
	MM_SSH_MAX_AUTH,
	MM_SSH_TOO_MANY_FAILURES,
	MM_SSH_PREAUTH_CLOSE,
	MM_SSH_NO_IDENT,
	MM_SSH_BAD_BANNER,
	MM_SSH_KEX_FAIL,
	MM_SSH_ACCEPTED,
};

enum mm_suspicious_detail {
	MM_SUSP_NONE = 0,
	MM_SUSP_FAKE_KERNEL, /* non-kernel program wrote a netfilter-looking line */
};

struct mm_event {
	enum mm_event_kind kind;
	int detail;   /* enum mm_ssh_detail / mm_suspicious_detail, 0 when none */
	bool counted; /* false when another line of the same attempt already counted it */
	struct mm_time time;
	struct mm_span host;
	struct mm_span program;
	int64_t pid;	    /* -1 when unknown */
	struct mm_addr src; /* family MM_AF_NONE when unknown */
	struct mm_addr dst;
	int32_t src_port; /* -1 when unknown */
	int32_t dst_port;
	int16_t proto; /* IP protocol number (6 tcp, 17 udp, 1 icmp, 58 ipv6-icmp); -1 unknown */
	uint8_t tcp_flags; /* MM_TCP_* */
	enum mm_direction dir;
	struct mm_span prefix; /* netfilter log prefix, trimmed */
	struct mm_span user;   /* attacker-controlled: never parse addresses from it */
	struct mm_span in_if, out_if, mac;
	int32_t len, ttl, window, icmp_type, icmp_code; /* -1 unknown */
	uint64_t line;					/* 1-based line number within file */
	/* mm_addr_hash(&src) when nonzero: the line pipeline sets it once so
	 * detectors and summary need not hash again; 0 means not computed.
	 * Whoever changes src after it was set must reset it to 0. */
	uint64_t src_hash;
	const char *file; /* name of the input, NUL-terminated, owned by the reader */
};

/* Reset ev to "nothing known" (all ports/pids -1, spans empty, src_hash 0). */
void mm_event_clear(struct mm_event *ev);
/* ev->src_hash, computed now when not set yet (0 for no source). */
static inline uint64_t mm_event_src_hash(const struct mm_event *ev)
{
	if (ev->src_hash || ev->src.family == MM_AF_NONE)
		return ev->src_hash;
	return mm_addr_hash(&ev->src);
}
/* Lowercase name of a kind as used in JSON ("auth-failure"). */
const char *mm_event_kind_name(enum mm_event_kind k);
const char *mm_direction_name(enum mm_direction d);
/* "tcp", "udp", "icmp", "ipv6-icmp", or NULL for others. */
const char *mm_proto_name(int proto);
/* Parse a protocol name or number; returns the number or MM_ERR_PARSE. */
int mm_proto_parse(const char *s);
/* Append "SYN ACK" style flag names (space separated). */
int mm_tcp_flags_format(struct mm_buf *b, uint8_t flags);
/*
 * Append one JSON object (no newline) for ev with the keys documented for
 * `mamori logs --events`: time host program pid kind src src_port dst
 * dst_port proto flags user direction prefix line file; absent when unknown.
 * with_location=false leaves out line and file (used by parser corpora).
 */
int mm_event_to_json(const struct mm_event *ev, bool with_location, struct mm_buf *out);

#endif
