/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "mamori/logs.h"

/*
 * The line pipeline: envelope, then dispatch by program. Only lines whose
 * envelope names the kernel can be packets; anyone can run logger(1) with
 * a netfilter-looking message, so a user-space line that imitates one is
 * reported as suspicious and never reaches the detectors as a packet.
 */
struct mm_logparser {
	struct mm_envelope_ctx env_ctx;
	struct mm_sshd *sshd;
	struct mm_logparser_stats st;
	const char *name;
	bool defer;
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
	free(lp);
}

void mm_logparser_begin(struct mm_logparser *lp, const char *name, time_t mtime, int year)
{
	lp->name = name;
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

int mm_logparser_line(struct mm_logparser *lp, const char *line, size_t n, uint64_t lineno,
		      struct mm_event *ev)
{
	struct mm_envelope env;
	int r = 0;

	mm_event_clear(ev);
	if (mm_envelope_parse(&lp->env_ctx, line, n, &env) < 0) {
		lp->st.lines++;
		lp->st.unknown++;
		return 0;
	}
	if (lp->defer && !env.kernel && is_sshd(env.program))
		return MM_LP_DEFER;
	lp->st.lines++;
	stamp(ev, &env);
	ev->line = lineno;
	ev->file = lp->name;
	if (env.kernel) {
		r = mm_parse_netfilter(env.msg.p, env.msg.n, ev);
	} else if (is_sshd(env.program)) {
		r = mm_sshd_line(lp->sshd, &env, ev);
	} else if (mm_parse_netfilter(env.msg.p, env.msg.n, ev) == 1) {
		/* a forged packet line: keep where it came from, drop what it claims */
		mm_event_clear(ev);
		stamp(ev, &env);
		ev->line = lineno;
		ev->file = lp->name;
		ev->kind = MM_EV_SUSPICIOUS;
		ev->detail = MM_SUSP_FAKE_KERNEL;
		lp->st.suspicious++;
		r = 1;
	}
	if (r == 1) {
		lp->st.used++;
		return 1;
	}
	lp->st.unknown++;
	return 0;
}

void mm_logparser_set_defer(struct mm_logparser *lp, bool defer)
{
	lp->defer = defer;
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
