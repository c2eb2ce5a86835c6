/* SPDX-License-Identifier: MIT */
/*
 * ssh detectors, keyed by source: brute force (many counted failures in a
 * short window), slow brute force (many in a long window, only for sources
 * that raised no fast finding in that window, so one attack is not reported
 * twice), and user enumeration (many distinct user names in the long
 * window).
 *
 * Failure windows are rings of the last `threshold` failure times: the
 * threshold is reached when the ring is full and its oldest time is within
 * the window. User names are attacker-controlled bytes of any length; only
 * a 32-bit hash of each is kept, in a set capped at the threshold (and in a
 * bounded dcount once a finding exists).
 *
 * A line with counted = false belongs to an attempt another line already
 * counted: it adds its user name (set semantics make that idempotent) but
 * no failure.
 */
#include <stdlib.h>
#include <string.h>

#include "mamori/error.h"
#include "detect_int.h"

void det_ssh_evict(void *ctx, struct dt_hdr *h)
{
	struct ssh_ent *e = (struct ssh_ent *)h;

	(void)ctx;
	fstate_free(e->fs);
	e->fs = NULL;
}

static uint32_t user_hash(const struct mm_span *u)
{
	/* FNV-1a, then a finaliser for the HyperLogLog's sake */
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < u->n; i++) {
		h ^= (uint8_t)u->p[i];
		h *= 1099511628211ULL;
	}
	h = mix64(h);
	return (uint32_t)(h ^ (h >> 32));
}

static void *at(struct ssh_ent *e, size_t off)
{
	return (uint8_t *)e + off;
}

static uint32_t nusers(const struct ssh_ent *e)
{
	return e->fs ? (uint32_t)dc_count(&e->fs->a) : e->nusers;
}

/* Push now into a ring of cap times; true when the ring is full and spans
 * at most win ms. */
static bool ring_push(uint32_t *r, uint32_t *n, uint32_t *pos, uint32_t cap, uint32_t now,
		      uint32_t win)
{
	r[*pos] = now;
	*pos = *pos + 1 == cap ? 0 : *pos + 1;
	if (*n < cap)
		(*n)++;
	return *n == cap && now - r[*pos] <= win;
}

/* Count one failure into burst b; raise a finding of kind when hit and allowed. */
static void failure(struct mm_detector *d, struct ssh_ent *e, struct burst *b,
		    enum mm_finding_kind kind, bool hit, bool allowed, const struct mm_event *ev)
{
	struct mm_finding *f;

	if (b->fidx == FIDX_NONE) {
		b->count++;
		if (!hit || !allowed)
			return;
		b->fidx = det_new_finding(d, kind);
		if (b->fidx == FIDX_DROPPED)
			return;
		f = det_finding(d, b->fidx);
		f->src = ev->src;
		f->first = b->first;
		f->last = b->last;
		f->count = b->count;
	} else if (b->fidx != FIDX_DROPPED) {
		f = det_finding(d, b->fidx);
		f->count++;
	} else {
		return;
	}
	det_time_minmax(f, &ev->time);
	f->distinct_users = nusers(e);
	f->approx = e->fs && dc_approx(&e->fs->a);
}

static void users(struct mm_detector *d, struct ssh_ent *e, const struct mm_event *ev)
{
	const struct mm_detect_cfg *c = &d->cfg;
	struct witem *it = at(e, d->ssh_off_users);
	struct burst *b = &e->users;
	struct mm_finding *f;
	uint32_t n, i, uh = 0;
	bool have_user = ev->user.n > 0 && ev->user.p;

	if (!have_user && !(b->active && b->fidx != FIDX_NONE))
		return;
	if (burst_step(d, b, c->ssh_slow_window * 1000000, &e->fs, &ev->time))
		e->nusers = 0;
	n = e->nusers;
	if (have_user) {
		uh = user_hash(&ev->user);
		n = wset_add(it, &e->nusers, c->ssh_users, uh, UINT32_MAX, d->now_ms,
			     win_ms(c->ssh_slow_window));
	}
	if (b->fidx == FIDX_NONE) {
		if (ev->counted)
			b->count++;
		if (n < c->ssh_users)
			return;
		b->fidx = det_new_finding(d, MM_FIND_SSH_USER_ENUM);
		if (b->fidx == FIDX_DROPPED)
			return;
		f = det_finding(d, b->fidx);
		f->src = ev->src;
		f->first = b->first;
		f->last = b->last;
		f->count = b->count;
		e->fs = calloc(1, sizeof(*e->fs));
		if (!e->fs)
			d->st.alloc_failures++;
		else
			for (i = 0; i < e->nusers; i++)
				if (dc_add(&e->fs->a, it[i].v) < 0)
					d->st.alloc_failures++;
	} else if (b->fidx != FIDX_DROPPED) {
		f = det_finding(d, b->fidx);
		if (ev->counted)
			f->count++;
		if (e->fs && have_user && dc_add(&e->fs->a, uh) < 0)
			d->st.alloc_failures++;
	} else {
		return;
	}
	det_time_minmax(f, &ev->time);
	f->distinct_users = nusers(e);
	f->approx = e->fs && dc_approx(&e->fs->a);
}

void det_ssh(struct mm_detector *d, const struct mm_event *ev, uint64_t hsrc)
{
	const struct mm_detect_cfg *c = &d->cfg;
	struct ssh_ent *e;
	struct dt_key k;
	bool created, hit;

	if (!c->ssh_failures && !c->ssh_slow_failures && !c->ssh_users)
		return;
	dt_key_set(&k, &ev->src, 0, 0);
	e = (struct ssh_ent *)dt_get(&d->ssh, &k, (uint32_t)(hsrc ^ (hsrc >> 32)), &created);
	if (!e) {
		d->st.alloc_failures++;
		return;
	}
	if (c->ssh_users)
		users(d, e, ev);
	if (!ev->counted)
		return;
	if (c->ssh_failures) {
		if (burst_step(d, &e->fast, c->ssh_window * 1000000, NULL, &ev->time))
			e->nfast = e->pfast = 0;
		hit = ring_push(at(e, d->ssh_off_fast), &e->nfast, &e->pfast, c->ssh_failures,
				d->now_ms, win_ms(c->ssh_window));
		failure(d, e, &e->fast, MM_FIND_SSH_BRUTEFORCE, hit, true, ev);
		if (e->fast.fidx != FIDX_NONE) {
			e->fast_clock = d->clock;
			e->fast_seen = 1;
		}
	}
	if (c->ssh_slow_failures) {
		int64_t win = c->ssh_slow_window * 1000000;
		bool allowed = !e->fast_seen || d->clock - e->fast_clock > win;

		if (burst_step(d, &e->slow, win, NULL, &ev->time))
			e->nslow = e->pslow = 0;
		hit = ring_push(at(e, d->ssh_off_slow), &e->nslow, &e->pslow, c->ssh_slow_failures,
				d->now_ms, win_ms(c->ssh_slow_window));
		failure(d, e, &e->slow, MM_FIND_SSH_SLOW_BRUTEFORCE, hit, allowed, ev);
	}
}
