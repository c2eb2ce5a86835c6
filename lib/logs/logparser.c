/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "mamori/logs.h"

/*
 * The line pipeline: envelope, then dispatch by program. Only lines whose
 * envelope names the kernel can be packets; anyone can run logger(1) with
 * a netfilter-looking message, so a user-space line that imitates one is
 * reported as suspicious and never reaches the detectors as a packet.
 *
 * Folded repeats. Two syslog daemons fold identical consecutive messages:
 *  - rsyslog writes "prog[pid]: message repeated N times: [ MSG]" in place
 *    of N more copies of MSG (the line before is the first copy);
 *  - sysklogd and BSD syslogd write "HOST last message repeated N times",
 *    with no program tag, after the line it repeats.
 * Either way the message is dispatched N times, so every occurrence goes
 * through the same parser and session rules as if it had been written out
 * (an sshd session counts repeated "Failed password" lines one by one and
 * a repeated precursor once), and the caller takes the occurrences after
 * the first with mm_logparser_next(). The rsyslog marker is only honoured
 * at the very start of a message, where the daemon writes it and no remote
 * party's text can be (sshd's messages start with sshd's own words); a
 * marker inside the message is part of it, and one inside MSG is not
 * unfolded again (rsyslog never nests). "last message repeated" repeats
 * only the line right before it, and only when both name the same host, so
 * one host's line can never multiply another's. N is capped at
 * MM_LP_MAX_REPEAT so that a forged line cannot buy unbounded work.
 */
struct mm_logparser {
	struct mm_envelope_ctx env_ctx;
	struct mm_sshd *sshd;
	struct mm_logparser_stats st;
	const char *name;
	bool defer;
	bool stable; /* lines stay valid: keep the previous one by reference */
	/* the last line that had an envelope and was not itself a "last
	 * message repeated" line: a copy (or the line itself when stable),
	 * with its envelope's spans into it */
	char *prev;
	size_t prev_n, prev_cap;
	bool have_prev;
	struct mm_envelope prev_env;
	/* occurrences still to be given by mm_logparser_next() */
	uint32_t rep_left;
	struct mm_envelope rep_env;
	uint64_t rep_line;
};

struct mm_logparser *mm_logparser_new(void)
{
	struct mm_logparser *lp = calloc(1, sizeof(*lp));

	if (!lp)
		return NULL;
	lp->sshd = mm_sshd_new();
	if (!lp->sshd) {
		free(lp);
		return NULL;
	}
	mm_envelope_ctx_init(&lp->env_ctx, 0, 0);
	return lp;
}

void mm_logparser_free(struct mm_logparser *lp)
{
	if (!lp)
		return;
	mm_sshd_free(lp->sshd);
	free(lp->prev);
	free(lp);
}

void mm_logparser_begin(struct mm_logparser *lp, const char *name, time_t mtime, int year)
{
	lp->name = name;
	lp->have_prev = false;
	lp->rep_left = 0;
	mm_envelope_ctx_init(&lp->env_ctx, mtime, year);
}

static bool is_sshd(struct mm_span prog)
{
	return mm_span_eq(prog, "sshd") || mm_span_eq(prog, "sshd-session");
}

static void stamp(struct mm_event *ev, const struct mm_envelope *env)
{
	ev->time = env->time;
	ev->host = env->host;
	ev->program = env->program;
	ev->pid = env->pid;
}

static struct mm_span rebase(struct mm_span s, const char *from, const char *to)
{
	if (s.p)
		s.p = to + (s.p - from);
	return s;
}

/* Remember line (with its parsed envelope) as the one a following "last
 * message repeated" line would repeat. Lines are at most the reader's cap. */
static void save_prev(struct mm_logparser *lp, const char *line, size_t n,
		      const struct mm_envelope *env)
{
	if (lp->stable) {
		lp->prev_env = *env;
		lp->have_prev = true;
		return;
	}
	if (n > lp->prev_cap) {
		size_t cap = n < 256 ? 256 : n;
		char *p = realloc(lp->prev, cap);
		if (!p) {
			lp->have_prev = false;
			return;
		}
		lp->prev = p;
		lp->prev_cap = cap;
	}
	if (n)
		memcpy(lp->prev, line, n);
	lp->prev_n = n;
	lp->prev_env = *env;
	lp->prev_env.host = rebase(env->host, line, lp->prev);
	lp->prev_env.program = rebase(env->program, line, lp->prev);
	lp->prev_env.msg = rebase(env->msg, line, lp->prev);
	lp->have_prev = true;
}

/*
 * Whether msg has an "IN=" key. mm_parse_netfilter() finds a packet by its
 * "IN=... OUT=" header, so a message without one is no packet; most lines of
 * other programs (cron, sudo, logind) are ruled out by this scan alone.
 */
static bool has_in_key(struct mm_span msg)
{
	const char *p = msg.p, *e = msg.p + msg.n, *eq;

	if (msg.n == 0)
		return false;
	while ((eq = memchr(p, '=', (size_t)(e - p)))) {
		if (eq - msg.p >= 2 && eq[-2] == 'I' && eq[-1] == 'N')
			return true;
		p = eq + 1;
	}
	return false;
}

/* One occurrence of env's message: 1 and ev filled when it is an event. */
static int dispatch(struct mm_logparser *lp, const struct mm_envelope *env, uint64_t lineno,
		    struct mm_event *ev, bool *suspicious)
{
	int r = 0;

	/* neither a packet, nor sshd, nor a look-alike: nothing to fill in */
	if (!env->kernel && !is_sshd(env->program) && !has_in_key(env->msg))
		return 0;
	mm_event_clear(ev);
	stamp(ev, env);
	ev->line = lineno;
	ev->file = lp->name;
	if (env->kernel) {
		r = mm_parse_netfilter(env->msg.p, env->msg.n, ev);
	} else if (is_sshd(env->program)) {
		r = mm_sshd_line(lp->sshd, env, ev);
	} else if (mm_parse_netfilter(env->msg.p, env->msg.n, ev) == 1) {
		/* a forged packet line: keep where it came from, drop what it claims */
		mm_event_clear(ev);
		stamp(ev, env);
		ev->line = lineno;
		ev->file = lp->name;
		ev->kind = MM_EV_SUSPICIOUS;
		ev->detail = MM_SUSP_FAKE_KERNEL;
		*suspicious = true;
		r = 1;
	}
	/* hashed here, once: on the worker threads when there are some */
	if (r == 1 && ev->src.family != MM_AF_NONE)
		ev->src_hash = mm_addr_hash(&ev->src);
	return r;
}

int mm_logparser_next(struct mm_logparser *lp, struct mm_event *ev)
{
	bool susp = false;

	while (lp->rep_left > 0) {
		lp->rep_left--;
		if (dispatch(lp, &lp->rep_env, lp->rep_line, ev, &susp) == 1)
			return 1;
	}
	return 0;
}

/* rsyslog's "message repeated N times: [ MSG]": N and MSG, or 0. */
static uint32_t rsyslog_repeat(struct mm_span msg, struct mm_span *inner)
{
	const char *p = msg.p, *e = msg.p + msg.n, *d;
	uint64_t v = 0;

	if (msg.n < 17 || p[0] != 'm' || memcmp(p, "message repeated ", 17) != 0)
		return 0;
	p += 17;
	for (d = p; p < e && *p >= '0' && *p <= '9' && p - d < 10; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	if (p == d || v == 0 || e - p < 10 || memcmp(p, " times: [", 9) != 0 || e[-1] != ']')
		return 0;
	p += 9;
	if (p < e - 1 && *p == ' ')
		p++;
	*inner = mm_span_make(p, (size_t)(e - 1 - p));
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static uint32_t cap_repeat(uint32_t n)
{
	return n > MM_LP_MAX_REPEAT ? MM_LP_MAX_REPEAT : n;
}

/* "HOST last message repeated N times": N more of the line before. */
static int last_repeated(struct mm_logparser *lp, const struct mm_envelope *env, uint64_t lineno,
			 struct mm_event *ev)
{
	const struct mm_envelope *pe = &lp->prev_env;

	mm_event_clear(ev);
	if (lp->defer && lp->have_prev && !pe->kernel && is_sshd(pe->program))
		return MM_LP_DEFER;
	lp->st.lines++;
	if (!lp->have_prev || pe->host.n != env->host.n ||
	    memcmp(pe->host.p, env->host.p, env->host.n) != 0) {
		lp->st.unknown++;
		return 0;
	}
	lp->rep_env = *pe;
	if (env->time.set)
		lp->rep_env.time = env->time;
	lp->rep_line = lineno;
	lp->rep_left = cap_repeat(env->last_repeat);
	if (mm_logparser_next(lp, ev) == 1) {
		lp->st.used++;
		return 1;
	}
	lp->st.unknown++;
	return 0;
}

int mm_logparser_line(struct mm_logparser *lp, const char *line, size_t n, uint64_t lineno,
		      struct mm_event *ev)
{
	struct mm_envelope env;
	struct mm_span inner;
	uint32_t rep;
	bool susp = false, sshd;
	int r = 0;

	lp->rep_left = 0;
	if (mm_envelope_parse(&lp->env_ctx, line, n, &env) < 0) {
		mm_event_clear(ev);
		lp->st.lines++;
		lp->st.unknown++;
		lp->have_prev = false;
		return 0;
	}
	sshd = !env.kernel && is_sshd(env.program);
	if (sshd && !lp->defer)
		mm_sshd_prefetch(lp->sshd, env.pid);
	if (env.last_repeat)
		return last_repeated(lp, &env, lineno, ev);
	save_prev(lp, line, n, &env);
	if (sshd && lp->defer) {
		mm_event_clear(ev);
		return MM_LP_DEFER;
	}
	lp->st.lines++;
	rep = rsyslog_repeat(env.msg, &inner);
	if (rep) {
		lp->rep_env = env;
		lp->rep_env.msg = inner;
		lp->rep_line = lineno;
		lp->rep_left = cap_repeat(rep) - 1;
		r = dispatch(lp, &lp->rep_env, lineno, ev, &susp);
		if (r != 1)
			r = mm_logparser_next(lp, ev);
	} else {
		r = dispatch(lp, &env, lineno, ev, &susp);
	}
	if (susp)
		lp->st.suspicious++;
	if (r == 1) {
		lp->st.used++;
		return 1;
	}
	lp->st.unknown++;
	return 0;
}

void mm_logparser_set_prev(struct mm_logparser *lp, const char *line, size_t n)
{
	struct mm_envelope env;

	lp->have_prev = false;
	if (mm_envelope_parse(&lp->env_ctx, line, n, &env) == 0 && !env.last_repeat)
		save_prev(lp, line, n, &env);
}

void mm_logparser_set_defer(struct mm_logparser *lp, bool defer)
{
	lp->defer = defer;
}

void mm_logparser_set_stable(struct mm_logparser *lp, bool stable)
{
	lp->stable = stable;
	lp->have_prev = false;
}

void mm_logparser_skip_long(struct mm_logparser *lp)
{
	lp->st.lines++;
	lp->st.too_long++;
}

const struct mm_logparser_stats *mm_logparser_stats(const struct mm_logparser *lp)
{
	return &lp->st;
}

void mm_logparser_stats_add(struct mm_logparser_stats *to, const struct mm_logparser_stats *from)
{
	to->lines += from->lines;
	to->used += from->used;
	to->unknown += from->unknown;
	to->too_long += from->too_long;
	to->suspicious += from->suspicious;
}
