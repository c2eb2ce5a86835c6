/* SPDX-License-Identifier: MIT */
/*
 * OpenSSH sshd messages (program sshd, and sshd-session from OpenSSH 9.8 on).
 *
 * Dispatch is a switch on the first byte of the message and a few literal
 * prefixes; no regex, no allocation per line (the session table grows by
 * doubling up to its cap and is then recycled).
 *
 * Attackers control the user name, and OpenSSH prints it with spaces and
 * anything else intact ("Failed password for invalid user root from
 * 203.0.113.9 port 22 ssh2 from 198.51.100.1 port 4444 ssh2"). So every
 * address is read from a slot whose position sshd fixes: either left of
 * any attacker text (the message starts "Received disconnect from ADDR",
 * "Unable to negotiate with ADDR", ...) or anchored at the end of the line
 * when the attacker text comes first ("... from ADDR port N ssh2"). A
 * user-name substring can never become a source. The one shape with
 * attacker text on both sides (certificate key ids and hostbased client
 * names after "ssh2: ") takes the address only when exactly one candidate
 * slot exists, which then must be sshd's own; otherwise the line gives no
 * source and no user.
 *
 * Address slots that do not parse as an address (UseDNS host names in PAM
 * and "User X from HOST not allowed" lines, forged lines) give no source of
 * their own: the event is still reported, with the source its session
 * learned earlier, or without one.
 *
 * proto stays -1 and dst_port -1: sshd does not state them, and the port a
 * listener is on is not the log's to guess. Only the VERBOSE "Connection
 * from A port N on B port M" line states the local end; it is remembered in
 * the session and given to that session's later events.
 *
 * Sessions, keyed by pid: the per-connection sshd process (the monitor,
 * which also logs its unprivileged child's "[preauth]" messages) logs every
 * line of one connection under one pid. A line naming an address teaches
 * the session its source; lines naming none (kex_exchange_identification,
 * "Disconnecting: Too many authentication failures", PAM lines with a host
 * name) take it from there. Pid reuse: a line whose address or port
 * differs from the session's starts a new session, as does a "Connection
 * from" line; "session closed" forgets the session; after a preauth close
 * only the PAM summary that follows it may still borrow the address. The
 * table holds at most MM_SSHD_SESSIONS sessions, least recently used
 * evicted; a line that is always its connection's last ("Unable to
 * negotiate", "banner exchange", preauth closes) updates a session but
 * never opens one, which keeps scanner floods from churning the table. The OpenSSH 9.8 listener's
 * "Timeout before authentication for connection from A to B, pid = N" names another process's
 * connection and teaches nothing.
 *
 * Counting once: detectors count auth-failure events whose counted is
 * true. One attempt can be logged several times, always in this order:
 * a precursor ("Invalid user", "User X from A not allowed", "ROOT LOGIN
 * REFUSED", the first pam_unix "authentication failure" of the connection,
 * "error: PAM: ... for X from H"), then sshd's own "Failed METHOD" line.
 * Rule, per session:
 *  - a precursor counts unless a counted precursor is pending; it leaves
 *    one pending;
 *  - a "Failed" line counts unless a precursor is pending; it clears it;
 *  - "Failed none" (clients query the method list with "none" first) counts
 *    only when nothing in the session counted yet;
 *  - summaries ("maximum authentication attempts exceeded", "Too many
 *    authentication failures", "PAM N more authentication failures") count
 *    only when nothing in the session counted yet.
 * So an invalid user's password guess (Invalid user, pam_unix, Failed
 * password) counts once, and n wrong passwords for a real user count n
 * times (pam_unix logs only the first failure of a connection). Without a
 * pid every line counts. Folded repeats (rsyslog's "message repeated N
 * times: [ MSG]", syslogd's "last message repeated N times") are unfolded
 * by the line pipeline (logparser.c), which hands MSG to this parser once
 * per occurrence, so the rules above apply to each.
 */
#include <stdlib.h>
#include <string.h>

#include "mamori/logs.h"

#define MM_SSHD_SESSIONS 65536u
#define SESS_INITIAL 64u
#define NIL UINT32_MAX

enum {
	S_PENDING = 1 << 0,  /* a counted precursor awaits its "Failed" line */
	S_COUNTED = 1 << 1,  /* some auth failure of this session counted */
	S_ACCEPTED = 1 << 2, /* login accepted: later closes are not probes */
	S_CLOSED = 1 << 3,   /* preauth close seen */
	S_PROBED = 1 << 4,   /* a probe event with a source was reported */
};

struct sess {
	struct mm_addr src, dst;
	int32_t src_port, dst_port;
	uint32_t key;	     /* pid + 1; 0 when free */
	uint32_t prev, next; /* LRU list (head most recent); next links the free list */
	uint8_t flags;
};

/*
 * Open addressing with linear probing; slots hold the key next to the
 * entry index, so a lookup usually reads one cache line of the slot array
 * and then only the entry it wants. Load factor at most 1/2.
 */
struct slot {
	uint32_t key; /* 0: empty */
	uint32_t idx;
};

struct mm_sshd {
	struct sess *e;
	struct slot *slot;
	uint32_t cap, used, mask;
	uint32_t head, tail, freel;
};

/* ---- session table ---------------------------------------------------- */

static uint32_t key_hash(const struct mm_sshd *s, uint32_t key)
{
	return (uint32_t)(((uint64_t)key * 0x9e3779b97f4a7c15ULL) >> 32) & s->mask;
}

static uint32_t *slot_find(struct mm_sshd *s, uint32_t key)
{
	uint32_t h = key_hash(s, key);

	while (s->slot[h].key) {
		if (s->slot[h].key == key)
			return &s->slot[h].idx;
		h = (h + 1) & s->mask;
	}
	return NULL;
}

static void slot_insert(struct mm_sshd *s, uint32_t key, uint32_t idx)
{
	uint32_t h = key_hash(s, key);

	while (s->slot[h].key)
		h = (h + 1) & s->mask;
	s->slot[h].key = key;
	s->slot[h].idx = idx;
}

/* Remove key; backward-shift deletion keeps probe sequences unbroken. */
static void slot_delete(struct mm_sshd *s, uint32_t key)
{
	uint32_t i = key_hash(s, key), j, k;

	while (s->slot[i].key && s->slot[i].key != key)
		i = (i + 1) & s->mask;
	if (!s->slot[i].key)
		return;
	for (j = i;;) {
		j = (j + 1) & s->mask;
		if (!s->slot[j].key)
			break;
		k = key_hash(s, s->slot[j].key);
		/* move j back to i unless its home k lies cyclically in (i, j] */
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			s->slot[i] = s->slot[j];
			i = j;
		}
	}
	s->slot[i].key = 0;
}

static int table_alloc(struct mm_sshd *s, uint32_t cap)
{
	struct sess *e = realloc(s->e, (size_t)cap * sizeof(*e));
	struct slot *sl;
	uint32_t i;

	if (!e)
		return MM_ERR_NOMEM;
	s->e = e;
	sl = calloc((size_t)cap * 2, sizeof(*sl));
	if (!sl)
		return MM_ERR_NOMEM;
	free(s->slot);
	s->slot = sl;
	s->cap = cap;
	s->mask = cap * 2 - 1;
	for (i = 0; i < s->used; i++)
		if (s->e[i].key)
			slot_insert(s, s->e[i].key, i);
	return 0;
}

struct mm_sshd *mm_sshd_new(void)
{
	struct mm_sshd *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->head = s->tail = s->freel = NIL;
	if (table_alloc(s, SESS_INITIAL) < 0) {
		mm_sshd_free(s);
		return NULL;
	}
	return s;
}

void mm_sshd_free(struct mm_sshd *s)
{
	if (!s)
		return;
	free(s->e);
	free(s->slot);
	free(s);
}

static void lru_unlink(struct mm_sshd *s, uint32_t i)
{
	struct sess *x = &s->e[i];

	if (x->prev != NIL)
		s->e[x->prev].next = x->next;
	else
		s->head = x->next;
	if (x->next != NIL)
		s->e[x->next].prev = x->prev;
	else
		s->tail = x->prev;
	x->prev = x->next = NIL;
}

static void lru_push(struct mm_sshd *s, uint32_t i)
{
	struct sess *x = &s->e[i];

	x->prev = NIL;
	x->next = s->head;
	if (s->head != NIL)
		s->e[s->head].prev = i;
	s->head = i;
	if (s->tail == NIL)
		s->tail = i;
}

/* Sessions exist for pids 0 .. UINT32_MAX - 1, which covers every real pid. */
static bool pid_key(int64_t pid, uint32_t *key)
{
	if (pid < 0 || pid >= (int64_t)UINT32_MAX)
		return false;
	*key = (uint32_t)pid + 1;
	return true;
}

void mm_sshd_prefetch(const struct mm_sshd *s, int64_t pid)
{
	uint32_t key;

	if (s && pid_key(pid, &key))
		__builtin_prefetch(&s->slot[key_hash(s, key)]);
}

static struct sess *sess_find(struct mm_sshd *s, uint32_t key)
{
	uint32_t *idx;

	/* lines of one connection come together: the last one used is likely */
	if (s->head != NIL && s->e[s->head].key == key)
		return &s->e[s->head];
	idx = slot_find(s, key);
	if (!idx)
		return NULL;
	lru_unlink(s, *idx);
	lru_push(s, *idx);
	return &s->e[*idx];
}

static void sess_reset(struct sess *x)
{
	memset(&x->src, 0, sizeof(x->src));
	memset(&x->dst, 0, sizeof(x->dst));
	x->src_port = x->dst_port = -1;
	x->flags = 0;
}

static void sess_forget(struct mm_sshd *s, struct sess *x)
{
	uint32_t i = (uint32_t)(x - s->e);

	slot_delete(s, x->key);
	lru_unlink(s, i);
	x->key = 0;
	x->next = s->freel;
	s->freel = i;
}

static struct sess *sess_new(struct mm_sshd *s, uint32_t key)
{
	uint32_t i;

	if (s->freel != NIL) {
		i = s->freel;
		s->freel = s->e[i].next;
	} else if (s->used < s->cap ||
		   (s->cap < MM_SSHD_SESSIONS && table_alloc(s, s->cap * 2) == 0)) {
		i = s->used++;
	} else {
		/* full (or out of memory): recycle the least recently used */
		i = s->tail;
		slot_delete(s, s->e[i].key);
		lru_unlink(s, i);
		/* the next one to go: its slot was last touched long ago */
		if (s->tail != NIL)
			__builtin_prefetch(&s->slot[key_hash(s, s->e[s->tail].key)]);
	}
	s->e[i].key = key;
	sess_reset(&s->e[i]);
	slot_insert(s, key, i);
	s->e[i].prev = s->e[i].next = NIL;
	lru_push(s, i);
	return &s->e[i];
}

/* ---- span helpers ------------------------------------------------------- */

static inline bool eat(struct mm_span *s, const char *lit, size_t n)
{
	if (s->n < n || memcmp(s->p, lit, n) != 0)
		return false;
	s->p += n;
	s->n -= n;
	return true;
}

static inline bool reat(struct mm_span *s, const char *lit, size_t n)
{
	if (s->n < n || memcmp(s->p + s->n - n, lit, n) != 0)
		return false;
	s->n -= n;
	return true;
}

#define EAT(s, lit) eat((s), lit, sizeof(lit) - 1)
#define REAT(s, lit) reat((s), lit, sizeof(lit) - 1)
#define HAS(s, lit) ((s).n >= sizeof(lit) - 1 && memcmp((s).p, lit, sizeof(lit) - 1) == 0)

/* Leading word (up to a space); fails when empty. */
static bool lword(struct mm_span *s, struct mm_span *w)
{
	size_t i = 0;

	while (i < s->n && s->p[i] != ' ')
		i++;
	if (i == 0)
		return false;
	*w = mm_span_make(s->p, i);
	s->p += i;
	s->n -= i;
	return true;
}

/* Trailing word (after the last space); fails when empty. */
static bool rword(struct mm_span *s, struct mm_span *w)
{
	size_t i = s->n;

	while (i > 0 && s->p[i - 1] != ' ')
		i--;
	if (i == s->n)
		return false;
	*w = mm_span_make(s->p + i, s->n - i);
	s->n = i;
	return true;
}

/* Leading port number 0..65535. */
static bool lport(struct mm_span *s, int32_t *v)
{
	size_t i = 0;
	uint32_t x = 0;

	while (i < s->n && i < 5 && s->p[i] >= '0' && s->p[i] <= '9')
		x = x * 10 + (uint32_t)(s->p[i++] - '0');
	if (i == 0 || x > 65535 || (i < s->n && s->p[i] >= '0' && s->p[i] <= '9'))
		return false;
	*v = (int32_t)x;
	s->p += i;
	s->n -= i;
	return true;
}

/* Trailing port number 0..65535. */
static bool rport(struct mm_span *s, int32_t *v)
{
	size_t i = s->n, k;
	uint32_t x = 0;

	while (i > 0 && s->n - i < 6 && s->p[i - 1] >= '0' && s->p[i - 1] <= '9')
		i--;
	if (i == s->n || s->n - i > 5)
		return false;
	for (k = i; k < s->n; k++)
		x = x * 10 + (uint32_t)(s->p[k] - '0');
	if (x > 65535)
		return false;
	*v = (int32_t)x;
	s->n = i;
	return true;
}

/* ---- message classification --------------------------------------------- */

enum role {
	R_INFO = 0,  /* not an event; may teach or end the session */
	R_PRECURSOR, /* first line of an attempt sshd logs again as "Failed" */
	R_FAILED,    /* "Failed METHOD" */
	R_NONE_QUERY,
	R_SUMMARY, /* repeats attempts already logged */
	R_PROBE,
	R_SUCCESS,
};

enum {
	F_NEW_SESSION = 1 << 0, /* "Connection from": a new connection */
	F_NO_LEARN = 1 << 1,	/* names another process's connection */
	F_CLOSE = 1 << 2,
	F_FORGET = 1 << 3,
	F_AFTER_CLOSE = 1 << 4, /* may borrow the address of a closed session */
	F_NOT_AUTHED = 1 << 5,	/* a probe only if the session never logged in */
	F_LAST = 1 << 6,	/* a connection's last line: no new session for it */
};

struct res {
	enum mm_event_kind kind;
	int detail;
	enum role role;
	unsigned fl;
	struct mm_span user;
	struct mm_span addr; /* text of the source address slot, p NULL if none */
	struct mm_span dst;
	int32_t port, dst_port;
};

static const char root_name[] = "root";

/*
 * " from ADDR port N" at the end of s: strip it, return ADDR and N. What
 * precedes (the user name) may contain the same words; this reads only the
 * final ones, which sshd wrote.
 */
static bool tail_from_port(struct mm_span *s, struct mm_span *addr, int32_t *port)
{
	struct mm_span t = *s;

	if (!rport(&t, port) || !REAT(&t, " port ") || !rword(&t, addr) || !REAT(&t, " from "))
		return false;
	*s = t;
	return true;
}

/* "TYPE SHA256:fp" / "TYPE MD5:xx:..": a plain key, as sshd appends it. */
static bool plain_key(struct mm_span k)
{
	struct mm_span type, fp;

	if (!rword(&k, &fp) || !REAT(&k, " ") || !rword(&k, &type) || k.n != 0)
		return false;
	if (!HAS(fp, "SHA256:") && !HAS(fp, "MD5:"))
		return false;
	return !memmem(type.p, type.n, "-CERT", 5);
}

/*
 * The tail of Failed/Accepted/maximum lines: "USER from ADDR port N ssh2",
 * optionally followed by ": INFO". Returns 1 and leaves USER in s; 0 when
 * the line has no such tail; -1 when attacker text on both sides makes
 * more than one candidate slot.
 */
static int tail_ssh2(struct mm_span *s, struct mm_span *addr, int32_t *port)
{
	struct mm_span t = *s, u, best = {NULL, 0}, baddr = {NULL, 0};
	const char *p, *end = s->p + s->n;
	int32_t bport = -1;
	int found = 0;

	/* nothing after "ssh2": no attacker text follows sshd's slot */
	if (REAT(&t, " ssh2") && tail_from_port(&t, addr, port)) {
		*s = t;
		return 1;
	}
	/* ": TYPE SHA256:fp" after "ssh2": also all sshd's */
	t = *s;
	p = mm_memrmem(t.p, t.n, " ssh2: ", 7);
	if (p) {
		struct mm_span k = mm_span_make(p + 7, (size_t)(end - p - 7));
		u = mm_span_make(t.p, (size_t)(p - t.p));
		if (plain_key(k) && tail_from_port(&u, addr, port)) {
			*s = u;
			return 1;
		}
	}
	/* attacker text on both sides: accept only a unique candidate slot */
	for (p = s->p; (p = memmem(p, (size_t)(end - p), " ssh2: ", 7)); p++) {
		struct mm_span a;
		int32_t pt;
		u = mm_span_make(s->p, (size_t)(p - s->p));
		if (tail_from_port(&u, &a, &pt)) {
			if (++found > 1)
				return -1;
			best = u;
			baddr = a;
			bport = pt;
		}
	}
	if (found == 0)
		return 0;
	*s = best;
	*addr = baddr;
	*port = bport;
	return 1;
}

/*
 * "[(authenticating |invalid )user X ]ADDR port N" (sshd's connection id):
 * the address and port are the last words; the user, if any, precedes.
 * Returns false when the shape is wrong; *postauth is set for "user X"
 * (a logged-in user's connection).
 */
static bool conn_id(struct mm_span s, struct res *r, bool *postauth)
{
	*postauth = false;
	if (!rport(&s, &r->port) || !REAT(&s, " port ") || !rword(&s, &r->addr))
		return false;
	if (s.n == 0)
		return true;
	if (!REAT(&s, " "))
		return false;
	if (EAT(&s, "authenticating user ") || EAT(&s, "invalid user ")) {
		r->user = s;
		return true;
	}
	if (EAT(&s, "user ")) {
		r->user = s;
		*postauth = true;
		return true;
	}
	return false;
}

/* "... rhost=HOST [ user=USER]" of pam_unix lines. */
static void pam_tail(struct mm_span s, struct res *r)
{
	/* what pam_unix writes for sshd: its only "rhost=" is at its end */
	static const char usual[] = " logname= uid=0 euid=0 tty=ssh ruser= rhost=";
	const char *p = HAS(s, usual) ? s.p + sizeof(usual) - 7 : memmem(s.p, s.n, "rhost=", 6);
	struct mm_span v;

	if (!p)
		return;
	s.n -= (size_t)(p + 6 - s.p);
	s.p = p + 6;
	if (lword(&s, &v))
		r->addr = v;
	while (s.n && s.p[0] == ' ')
		s.p++, s.n--;
	if (EAT(&s, "user="))
		r->user = s;
}

static bool failed_or_accepted(struct mm_span s, struct res *r, bool accepted)
{
	struct mm_span method;

	if (!lword(&s, &method) || !EAT(&s, " for "))
		return false;
	if (!accepted && !EAT(&s, "invalid user "))
		EAT(&s, "illegal user ");
	switch (tail_ssh2(&s, &r->addr, &r->port)) {
	case 0:
		return false;
	case 1:
		r->user = s;
		break;
	default:
		/* ambiguous slot: keep the event, trust neither part */
		r->addr = mm_span_make(NULL, 0);
		r->port = -1;
		break;
	}
	if (accepted) {
		r->kind = MM_EV_AUTH_SUCCESS;
		r->detail = MM_SSH_ACCEPTED;
		r->role = R_SUCCESS;
		return true;
	}
	r->kind = MM_EV_AUTH_FAILURE;
	r->role = R_FAILED;
	if (mm_span_eq(method, "password")) {
		r->detail = MM_SSH_FAILED_PASSWORD;
	} else if (mm_span_eq(method, "publickey")) {
		r->detail = MM_SSH_FAILED_PUBLICKEY;
	} else if (HAS(method, "keyboard-interactive")) {
		r->detail = MM_SSH_FAILED_KBDINT;
	} else {
		r->detail = MM_SSH_FAILED_OTHER;
		if (mm_span_eq(method, "none"))
			r->role = R_NONE_QUERY;
	}
	return true;
}

static void probe(struct res *r, int detail)
{
	r->kind = MM_EV_PROBE;
	r->detail = detail;
	r->role = R_PROBE;
}

static bool classify_inner(struct mm_span s, struct res *r, bool preauth)
{
	struct mm_span t, w;
	bool postauth;

	if (s.n == 0)
		return false;
	switch (s.p[0]) {
	case 'A':
		if (EAT(&s, "Accepted "))
			return failed_or_accepted(s, r, true);
		return false;
	case 'B':
		/* OpenSSH < 7.x: "Bad protocol version identification 'X' from A port N" */
		if (!EAT(&s, "Bad protocol version identification "))
			return false;
		if (!tail_from_port(&s, &r->addr, &r->port)) {
			if (!rword(&s, &r->addr) || !REAT(&s, " from "))
				return false;
		}
		probe(r, MM_SSH_BAD_BANNER);
		r->fl |= F_LAST;
		return true;
	case 'C':
		if (EAT(&s, "Connection from ")) {
			if (!lword(&s, &r->addr) || !EAT(&s, " port ") || !lport(&s, &r->port))
				return false;
			if (EAT(&s, " on ") && lword(&s, &w) && EAT(&s, " port ") &&
			    lport(&s, &r->dst_port))
				r->dst = w;
			else
				r->dst_port = -1;
			r->role = R_INFO;
			r->fl |= F_NEW_SESSION;
			return true;
		}
		if (!EAT(&s, "Connection closed by ") && !EAT(&s, "Connection reset by "))
			return false;
		if (!conn_id(s, r, &postauth))
			return false;
		r->fl |= F_CLOSE | F_LAST;
		if (postauth)
			return true; /* R_INFO */
		probe(r, MM_SSH_PREAUTH_CLOSE);
		/* without [preauth]: closed before the privsep child existed */
		if (!preauth)
			r->fl |= F_NOT_AUTHED;
		return true;
	case 'D':
		if (EAT(&s, "Disconnected from ")) {
			if (!conn_id(s, r, &postauth))
				return false;
			r->fl |= F_CLOSE | F_LAST;
			if (preauth && !postauth)
				probe(r, MM_SSH_PREAUTH_CLOSE);
			return true;
		}
		if (EAT(&s, "Disconnecting")) {
			/* only this reason: others carry attacker text after ": " */
			if (!REAT(&s, ": Too many authentication failures"))
				return false;
			r->kind = MM_EV_AUTH_FAILURE;
			r->detail = MM_SSH_TOO_MANY_FAILURES;
			r->role = R_SUMMARY;
			if (s.n == 0)
				return true; /* "Disconnecting: Too many ...": no id */
			if (!EAT(&s, " ") || !conn_id(s, r, &postauth))
				return false;
			return true;
		}
		if (EAT(&s, "Did not receive identification string from ")) {
			if (!lword(&s, &r->addr))
				return false;
			if (!EAT(&s, " port ") || !lport(&s, &r->port))
				r->port = -1;
			probe(r, MM_SSH_NO_IDENT);
			r->fl |= F_LAST;
			return true;
		}
		return false;
	case 'F':
		if (EAT(&s, "Failed "))
			return failed_or_accepted(s, r, false);
		return false;
	case 'I':
		if (!EAT(&s, "Invalid user ") && !EAT(&s, "Illegal user "))
			return false;
		if (!tail_from_port(&s, &r->addr, &r->port)) {
			/* before OpenSSH 7.5: no port */
			r->port = -1;
			if (!rword(&s, &r->addr) || !REAT(&s, " from "))
				return false;
		}
		r->user = s;
		r->kind = MM_EV_AUTH_FAILURE;
		r->detail = MM_SSH_INVALID_USER;
		r->role = R_PRECURSOR;
		return true;
	case 'P':
		if (EAT(&s, "PAM: ")) {
			/* "error: PAM: REASON for [illegal user ]X from HOST" */
			const char *p = memmem(s.p, s.n, " for ", 5);
			if (!p)
				return false;
			s.n -= (size_t)(p + 5 - s.p);
			s.p = p + 5;
			if (!rword(&s, &r->addr) || !REAT(&s, " from "))
				return false;
			EAT(&s, "illegal user ");
			r->user = s;
			r->kind = MM_EV_AUTH_FAILURE;
			r->detail = MM_SSH_PAM_FAILURE;
			r->role = R_PRECURSOR;
			r->fl |= F_AFTER_CLOSE;
			return true;
		}
		if (EAT(&s, "PAM ")) {
			int32_t n;
			if (!lport(&s, &n) || !EAT(&s, " more authentication failure"))
				return false;
			pam_tail(s, r);
			r->kind = MM_EV_AUTH_FAILURE;
			r->detail = MM_SSH_PAM_FAILURE;
			r->role = R_SUMMARY;
			r->fl |= F_AFTER_CLOSE;
			return true;
		}
		if (EAT(&s, "Protocol major versions differ")) {
			/* old: "... for ADDR: SSH-2.0-x vs. SSH-1.5-y" */
			if (EAT(&s, " for ") && lword(&s, &w)) {
				if (REAT(&w, ":"))
					r->addr = w;
				else if (EAT(&s, " port ") && lport(&s, &r->port))
					r->addr = w;
			}
			probe(r, MM_SSH_BAD_BANNER);
			return true;
		}
		return false;
	case 'R':
		if (EAT(&s, "Received disconnect from ")) {
			/* the reason after "port N:CODE:" is the client's text */
			if (!lword(&s, &r->addr) || !EAT(&s, " port ") || !lport(&s, &r->port) ||
			    !EAT(&s, ":"))
				return false;
			/* the address word may have swallowed nothing else: it ends at a space */
			r->fl |= F_CLOSE;
			if (preauth) {
				probe(r, MM_SSH_PREAUTH_CLOSE);
				r->fl |= F_NOT_AUTHED;
			}
			return true;
		}
		if (EAT(&s, "ROOT LOGIN REFUSED FROM ")) {
			if (!lword(&s, &r->addr))
				return false;
			if (!EAT(&s, " port ") || !lport(&s, &r->port))
				r->port = -1;
			r->user = mm_span_make(root_name, sizeof(root_name) - 1);
			r->kind = MM_EV_AUTH_FAILURE;
			r->detail = MM_SSH_ROOT_REFUSED;
			r->role = R_PRECURSOR;
			return true;
		}
		return false;
	case 'T':
		if (!EAT(&s, "Timeout before authentication"))
			return false;
		if (EAT(&s, " for connection from ")) {
			/* OpenSSH 9.8+ listener: "A to B, pid = N" */
			if (!lword(&s, &r->addr) || !EAT(&s, " to ") || !lword(&s, &w))
				return false;
			if (REAT(&w, ","))
				r->dst = w;
			r->fl |= F_NO_LEARN;
		} else if (EAT(&s, " for ")) {
			if (!lword(&s, &r->addr))
				return false;
			if (!EAT(&s, " port ") || !lport(&s, &r->port))
				r->port = -1;
			r->fl |= F_CLOSE;
		} else {
			r->fl |= F_CLOSE;
		}
		probe(r, MM_SSH_PREAUTH_CLOSE);
		r->fl |= F_LAST;
		return true;
	case 'U':
		if (EAT(&s, "User ")) {
			/* "User X from HOST not allowed because REASON" (REASON: sshd's) */
			const char *p = mm_memrmem(s.p, s.n, " not allowed because ", 21);
			if (!p)
				return false;
			s.n = (size_t)(p - s.p);
			if (!rword(&s, &r->addr) || !REAT(&s, " from "))
				return false;
			r->user = s;
			r->kind = MM_EV_AUTH_FAILURE;
			r->detail = MM_SSH_INVALID_USER;
			r->role = R_PRECURSOR;
			return true;
		}
		if (EAT(&s, "Unable to negotiate with ")) {
			if (!lword(&s, &r->addr) || !EAT(&s, " port ") || !lport(&s, &r->port) ||
			    !EAT(&s, ": "))
				return false;
			probe(r, MM_SSH_KEX_FAIL);
			r->fl |= F_LAST;
			return true;
		}
		return false;
	case 'b':
		if (!EAT(&s, "banner exchange: Connection from "))
			return false;
		if (!lword(&s, &r->addr) || !EAT(&s, " port ") || !lport(&s, &r->port) ||
		    !EAT(&s, ":"))
			return false;
		probe(r, MM_SSH_BAD_BANNER);
		r->fl |= F_LAST;
		return true;
	case 'k':
		if (!EAT(&s, "kex_exchange_identification: "))
			return false;
		if (HAS(s, "client sent invalid protocol identifier") ||
		    HAS(s, "banner line contains invalid characters") ||
		    HAS(s, "Protocol major versions differ"))
			probe(r, MM_SSH_BAD_BANNER);
		else
			probe(r, MM_SSH_NO_IDENT);
		return true;
	case 'm':
		if (EAT(&s, "maximum authentication attempts exceeded for ")) {
			EAT(&s, "invalid user ");
			t = s;
			if (!REAT(&t, " ssh2") || !tail_from_port(&t, &r->addr, &r->port))
				return false;
			r->user = t;
			r->kind = MM_EV_AUTH_FAILURE;
			r->detail = MM_SSH_MAX_AUTH;
			r->role = R_SUMMARY;
			return true;
		}
		return false;
	case 'p':
		if (EAT(&s, "pam_unix(sshd:auth): authentication failure;")) {
			pam_tail(s, r);
			r->kind = MM_EV_AUTH_FAILURE;
			r->detail = MM_SSH_PAM_FAILURE;
			r->role = R_PRECURSOR;
			r->fl |= F_AFTER_CLOSE;
			return true;
		}
		if (EAT(&s, "pam_unix(sshd:session): session closed")) {
			r->fl |= F_FORGET;
			return true;
		}
		return false;
	case 's':
		if (EAT(&s, "ssh_dispatch_run_fatal: Connection from ")) {
			/* "ID: REASON"; REASON is an ssherr string, never " port N:" */
			const char *end = s.p + s.n, *p = end;
			while ((p = mm_memrmem(s.p, (size_t)(p - s.p), " port ", 6))) {
				struct mm_span q = mm_span_make(p + 6, (size_t)(end - p - 6)), id;
				int32_t pt;
				if (!lport(&q, &pt) || !EAT(&q, ":"))
					continue;
				id = mm_span_make(s.p, (size_t)(q.p - 1 - s.p));
				if (!conn_id(id, r, &postauth) || postauth)
					return false;
				probe(r, MM_SSH_KEX_FAIL);
				r->fl |= F_CLOSE | F_NOT_AUTHED | F_LAST;
				return true;
			}
			return false;
		}
		return false;
	}
	return false;
}

/* Strip "error: "/"fatal: " and a trailing " [preauth]", then classify. */
static bool classify(struct mm_span s, struct res *r)
{
	bool preauth;

	if (!EAT(&s, "error: "))
		EAT(&s, "fatal: ");
	preauth = REAT(&s, " [preauth]");
	return classify_inner(s, r, preauth);
}

/* ---- line entry point --------------------------------------------------- */

int mm_sshd_line(struct mm_sshd *s, const struct mm_envelope *env, struct mm_event *ev)
{
	struct res r;
	struct sess *se = NULL;
	struct mm_addr a, d;
	bool have_a = false, have_d = false, counted = true, sess_src = false;
	uint32_t key;

	memset(&r, 0, sizeof(r));
	r.port = r.dst_port = -1;
	if (!classify(env->msg, &r))
		return 0;
	if (r.addr.p && mm_addr_parse(r.addr.p, r.addr.n, &a) == 0)
		have_a = true;
	if (r.dst.p && mm_addr_parse(r.dst.p, r.dst.n, &d) == 0)
		have_d = true;
	if (!have_a)
		r.port = -1;

	if (s && pid_key(env->pid, &key) && !(r.fl & F_NO_LEARN)) {
		se = sess_find(s, key);
		if (se && (r.fl & F_NEW_SESSION))
			sess_reset(se);
		/* pid reuse: another address or port is another connection */
		if (se && have_a && se->src.family != MM_AF_NONE &&
		    (!mm_addr_eq(&se->src, &a) ||
		     (r.port >= 0 && se->src_port >= 0 && r.port != se->src_port)))
			sess_reset(se);
		if (!se && !(r.fl & F_LAST) &&
		    (have_a || r.kind == MM_EV_AUTH_FAILURE || (r.fl & F_NEW_SESSION)))
			se = sess_new(s, key);
		if (se && have_a) {
			se->src = a;
			if (r.port >= 0)
				se->src_port = r.port;
			if (have_d) {
				se->dst = d;
				se->dst_port = r.dst_port;
			}
		}
	}

	if (r.role == R_INFO || ((r.fl & F_NOT_AUTHED) && se && (se->flags & S_ACCEPTED))) {
		if (se && (r.fl & F_FORGET))
			sess_forget(s, se);
		else if (se && (r.fl & F_CLOSE))
			se->flags |= S_CLOSED;
		return 0;
	}

	ev->kind = r.kind;
	ev->detail = r.detail;
	ev->user = r.user;
	if (have_a) {
		ev->src = a;
		ev->src_port = r.port;
		if (se && ev->src_port < 0 && se->src_port >= 0)
			ev->src_port = se->src_port;
		sess_src = se != NULL;
	} else if (se && se->src.family != MM_AF_NONE &&
		   (!(se->flags & S_CLOSED) || (r.fl & F_AFTER_CLOSE))) {
		ev->src = se->src;
		ev->src_port = se->src_port;
		sess_src = true;
	}
	if (have_d) {
		ev->dst = d;
	} else if (sess_src && se->dst.family != MM_AF_NONE) {
		ev->dst = se->dst;
		ev->dst_port = se->dst_port;
	}

	if (se) {
		switch (r.role) {
		case R_PRECURSOR:
			if (se->flags & S_PENDING)
				counted = false;
			else
				se->flags |= S_PENDING;
			break;
		case R_FAILED:
			if (se->flags & S_PENDING)
				counted = false;
			se->flags &= (uint8_t)~S_PENDING;
			break;
		case R_NONE_QUERY:
			if (se->flags & (S_COUNTED | S_PENDING))
				counted = false;
			else
				se->flags |= S_PENDING;
			break;
		case R_SUMMARY:
			if (se->flags & S_COUNTED)
				counted = false;
			break;
		case R_PROBE:
			if (se->flags & S_PROBED)
				counted = false;
			else if (ev->src.family != MM_AF_NONE)
				se->flags |= S_PROBED;
			break;
		case R_SUCCESS:
			se->flags |= S_ACCEPTED;
			se->flags &= (uint8_t)~S_PENDING;
			break;
		case R_INFO:
			break;
		}
		if (counted && r.kind == MM_EV_AUTH_FAILURE)
			se->flags |= S_COUNTED;
		if (r.fl & F_CLOSE)
			se->flags |= S_CLOSED;
	}
	ev->counted = counted;
	return 1;
}
