/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "mamori/error.h"
#include "mamori/report.h"

/*
 * Period-wide aggregates. Two bounded open-addressing tables: sources
 * (address -> counters) and timeline cells ((hour, service) -> packets).
 * When a table is full new keys are counted as untracked instead of
 * growing it, so a flood of spoofed sources costs a counter, not memory.
 */

#define HOUR_US 3600000000LL
#define MAX_CELLS (1u << 19)

enum { SVC_TCP = 0, SVC_UDP = 1, SVC_SSHFAIL = 2 };

/*
 * One cache line per source in a 64-byte aligned table: the event path
 * touches one line where a slot holding a struct mm_source_stat (88
 * bytes) straddled two or three. The rarer counters are 32 bits and
 * saturate.
 */
struct src_slot {
	int64_t first_us, last_us;
	uint64_t events, packets;
	uint32_t auth_failures, auth_successes, probes;
	struct mm_addr addr;
	bool used;
};
_Static_assert(sizeof(struct src_slot) == 64, "a source slot is one cache line");

struct cell {
	uint64_t key; /* (hour + 1) << 18 | svc << 16 | port; 0 = empty */
	uint64_t count;
};

struct mm_summary {
	struct src_slot *src;
	void *src_base; /* the allocation src is aligned in */
	size_t src_mask;
	size_t src_used, src_max;
	uint64_t src_untracked;
	uint64_t ports[2][65536];
	struct cell *cells;
	size_t cell_mask, cells_used;
	uint64_t cells_untracked;
	uint64_t cell_min; /* cells below this count are dropped when the table is full */
	uint64_t by_kind[MM_EV_SUSPICIOUS + 1];
	struct mm_time first, last;
};

/*
 * A zeroed table of n slots, each on its own cache line; *base is what to
 * free. calloc, not aligned_alloc and memset: a large table then comes as
 * fresh zero pages from the kernel instead of being written twice.
 */
static struct src_slot *src_alloc(size_t n, void **base)
{
	char *b = calloc(n + 1, sizeof(struct src_slot));
	uintptr_t a;

	*base = b;
	if (!b)
		return NULL;
	a = ((uintptr_t)b + 63) & ~(uintptr_t)63;
	return (struct src_slot *)(void *)(b + (a - (uintptr_t)b));
}

static void src_stat(const struct src_slot *sl, struct mm_source_stat *st)
{
	st->addr = sl->addr;
	st->events = sl->events;
	st->packets = sl->packets;
	st->auth_failures = sl->auth_failures;
	st->auth_successes = sl->auth_successes;
	st->probes = sl->probes;
	st->first_us = sl->first_us;
	st->last_us = sl->last_us;
}

static void sat_inc(uint32_t *v, uint32_t by)
{
	*v = *v > UINT32_MAX - by ? UINT32_MAX : *v + by;
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 16;

	while (p < n)
		p <<= 1;
	return p;
}

struct mm_summary *mm_summary_new(uint32_t max_sources)
{
	struct mm_summary *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->src_max = max_sources ? max_sources : 1;
	/* starts small and doubles, staying at most half full, up to the cap */
	s->src_mask = pow2_at_least(s->src_max * 2 < 4096 ? s->src_max * 2 : 4096) - 1;
	s->src = src_alloc(s->src_mask + 1, &s->src_base);
	s->cell_mask = 65535;
	s->cell_min = 2;
	s->cells = calloc(s->cell_mask + 1, sizeof(*s->cells));
	if (!s->src || !s->cells) {
		mm_summary_free(s);
		return NULL;
	}
	return s;
}

void mm_summary_free(struct mm_summary *s)
{
	if (!s)
		return;
	free(s->src_base);
	free(s->cells);
	free(s);
}

static int src_grow(struct mm_summary *s)
{
	size_t ncap = (s->src_mask + 1) * 2, i;
	void *nbase;
	struct src_slot *ns = src_alloc(ncap, &nbase);

	if (!ns)
		return MM_ERR_NOMEM;
	for (i = 0; i <= s->src_mask; i++) {
		size_t j;
		if (!s->src[i].used)
			continue;
		j = (size_t)mm_addr_hash(&s->src[i].addr) & (ncap - 1);
		while (ns[j].used)
			j = (j + 1) & (ncap - 1);
		ns[j] = s->src[i];
	}
	free(s->src_base);
	s->src_base = nbase;
	s->src = ns;
	s->src_mask = ncap - 1;
	return 0;
}

static struct src_slot *source(struct mm_summary *s, const struct mm_addr *a, uint64_t h)
{
	size_t i = (size_t)h & s->src_mask;

	for (;;) {
		struct src_slot *sl = &s->src[i];
		if (!sl->used) {
			if (s->src_used >= s->src_max)
				return NULL;
			if ((s->src_used + 1) * 2 > s->src_mask + 1) {
				if (src_grow(s) < 0)
					return NULL;
				return source(s, a, h);
			}
			sl->used = true;
			sl->addr = *a;
			sl->first_us = INT64_MAX;
			sl->last_us = INT64_MIN;
			s->src_used++;
			return sl;
		}
		if (mm_addr_eq(&sl->addr, a))
			return sl;
		i = (i + 1) & s->src_mask;
	}
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static int cells_grow(struct mm_summary *s)
{
	size_t ncap = (s->cell_mask + 1) * 2, i;
	struct cell *nc;

	if (ncap > MAX_CELLS * 2)
		return MM_ERR_TOOBIG;
	nc = calloc(ncap, sizeof(*nc));
	if (!nc)
		return MM_ERR_NOMEM;
	for (i = 0; i <= s->cell_mask; i++) {
		size_t j;
		if (!s->cells[i].key)
			continue;
		j = (size_t)mix64(s->cells[i].key) & (ncap - 1);
		while (nc[j].key)
			j = (j + 1) & (ncap - 1);
		nc[j] = s->cells[i];
	}
	free(s->cells);
	s->cells = nc;
	s->cell_mask = ncap - 1;
	return 0;
}

/*
 * The cell table is full: drop the rarest cells (one port in one hour seen
 * below min_count times: scan noise, not a service anyone charts), doubling
 * min_count until a quarter of the table is free. Dropped packets are
 * counted as untracked.
 */
static int cells_compact(struct mm_summary *s)
{
	size_t cap = s->cell_mask + 1, i;

	while (s->cells_used * 4 > cap) {
		struct cell *old = s->cells, *nc = calloc(cap, sizeof(*nc));
		if (!nc)
			return MM_ERR_NOMEM;
		s->cells_used = 0;
		for (i = 0; i < cap; i++) {
			size_t j;
			if (!old[i].key)
				continue;
			if (old[i].count < s->cell_min) {
				s->cells_untracked += old[i].count;
				continue;
			}
			j = (size_t)mix64(old[i].key) & (cap - 1);
			while (nc[j].key)
				j = (j + 1) & (cap - 1);
			nc[j] = old[i];
			s->cells_used++;
		}
		free(old);
		s->cells = nc;
		s->cell_min *= 2;
	}
	return 0;
}

static void cell_add(struct mm_summary *s, int64_t us, int svc, int port)
{
	int64_t hour = us >= 0 ? us / HOUR_US : -((-us + HOUR_US - 1) / HOUR_US);
	uint64_t key;
	size_t i;

	if (hour < 0 || hour >= ((int64_t)1 << 40))
		return;
	key = ((uint64_t)(hour + 1) << 18) | ((uint64_t)svc << 16) | (uint64_t)port;
	i = (size_t)mix64(key) & s->cell_mask;
	for (;;) {
		struct cell *c = &s->cells[i];
		if (c->key == key) {
			c->count++;
			return;
		}
		if (!c->key)
			break;
		i = (i + 1) & s->cell_mask;
	}
	if ((s->cells_used + 1) * 2 > s->cell_mask + 1) {
		if (s->cell_mask + 1 >= MAX_CELLS * 2 || cells_grow(s) < 0) {
			if (cells_compact(s) < 0) {
				s->cells_untracked++;
				return;
			}
		}
		cell_add(s, us, svc, port);
		return;
	}
	s->cells[i].key = key;
	s->cells[i].count = 1;
	s->cells_used++;
}

void mm_summary_event(struct mm_summary *s, const struct mm_event *ev)
{
	struct src_slot *st = NULL;
	/* forwarded packets are other hosts' inbound traffic, as in the detectors */
	bool inbound = ev->dir == MM_DIR_IN || ev->dir == MM_DIR_UNKNOWN || ev->dir == MM_DIR_FWD;

	if (ev->kind <= MM_EV_NONE || ev->kind > MM_EV_SUSPICIOUS)
		return;
	s->by_kind[ev->kind]++;
	if (ev->time.set) {
		if (!s->first.set || ev->time.us < s->first.us)
			s->first = ev->time;
		if (!s->last.set || ev->time.us > s->last.us)
			s->last = ev->time;
	}
	if (ev->src.family != MM_AF_NONE && (ev->kind != MM_EV_PACKET || inbound)) {
		st = source(s, &ev->src, mm_event_src_hash(ev));
		if (!st) {
			s->src_untracked++;
		} else {
			st->events++;
			if (ev->time.set) {
				if (ev->time.us < st->first_us)
					st->first_us = ev->time.us;
				if (ev->time.us > st->last_us)
					st->last_us = ev->time.us;
			}
			switch (ev->kind) {
			case MM_EV_PACKET:
				st->packets++;
				break;
			case MM_EV_AUTH_FAILURE:
				sat_inc(&st->auth_failures, ev->counted);
				break;
			case MM_EV_AUTH_SUCCESS:
				sat_inc(&st->auth_successes, 1);
				break;
			case MM_EV_PROBE:
				sat_inc(&st->probes, 1);
				break;
			default:
				break;
			}
		}
	}
	if (ev->kind == MM_EV_PACKET && inbound && ev->dst_port >= 0 && ev->dst_port < 65536 &&
	    (ev->proto == 6 || ev->proto == 17)) {
		int svc = ev->proto == 6 ? SVC_TCP : SVC_UDP;
		s->ports[svc][ev->dst_port]++;
		if (ev->time.set)
			cell_add(s, ev->time.us, svc, ev->dst_port);
	} else if (ev->kind == MM_EV_AUTH_FAILURE && ev->counted && ev->time.set) {
		cell_add(s, ev->time.us, SVC_SSHFAIL, 0);
	}
}

void mm_summary_prefetch(const struct mm_summary *s, const struct mm_event *ev)
{
	if (ev->src.family != MM_AF_NONE)
		__builtin_prefetch(&s->src[(size_t)mm_event_src_hash(ev) & s->src_mask]);
	if (ev->kind == MM_EV_PACKET && ev->dst_port >= 0 && ev->dst_port < 65536 &&
	    (ev->proto == 6 || ev->proto == 17)) {
		int svc = ev->proto == 6 ? SVC_TCP : SVC_UDP;
		__builtin_prefetch(&s->ports[svc][ev->dst_port]);
		if (ev->time.set && ev->time.us >= 0) {
			uint64_t key = ((uint64_t)(ev->time.us / HOUR_US + 1) << 18) |
				       ((uint64_t)svc << 16) | (uint64_t)ev->dst_port;
			__builtin_prefetch(&s->cells[(size_t)mix64(key) & s->cell_mask]);
		}
	}
}

void mm_summary_totals(const struct mm_summary *s, struct mm_summary_totals *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->by_kind, s->by_kind, sizeof(out->by_kind));
	out->first = s->first;
	out->last = s->last;
	out->sources = s->src_used;
	out->sources_untracked = s->src_untracked;
	out->cells_untracked = s->cells_untracked;
}

static int cmp_src(const void *a, const void *b)
{
	const struct mm_source_stat *x = a, *y = b;

	if (x->events != y->events)
		return x->events > y->events ? -1 : 1;
	return mm_addr_cmp(&x->addr, &y->addr);
}

size_t mm_summary_top_sources(const struct mm_summary *s, struct mm_source_stat *out, size_t n)
{
	size_t i, k = 0;

	/* keep the n best in out, insertion into a sorted array: n is small */
	for (i = 0; i <= s->src_mask; i++) {
		struct mm_source_stat st;
		size_t j;
		if (!s->src[i].used)
			continue;
		src_stat(&s->src[i], &st);
		if (k == n && cmp_src(&st, &out[n - 1]) >= 0)
			continue;
		j = k < n ? k++ : n - 1;
		while (j > 0 && cmp_src(&st, &out[j - 1]) < 0) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = st;
	}
	return k;
}

void mm_summary_foreach_source(const struct mm_summary *s,
			       void (*fn)(void *ud, const struct mm_source_stat *st), void *ud)
{
	size_t i;

	for (i = 0; i <= s->src_mask; i++) {
		struct mm_source_stat st;
		if (!s->src[i].used)
			continue;
		src_stat(&s->src[i], &st);
		fn(ud, &st);
	}
}

static int cmp_port(const struct mm_port_stat *x, const struct mm_port_stat *y)
{
	if (x->packets != y->packets)
		return x->packets > y->packets ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

size_t mm_summary_top_ports(const struct mm_summary *s, struct mm_port_stat *out, size_t n)
{
	size_t k = 0;
	int svc, port;

	for (svc = 0; svc < 2; svc++) {
		for (port = 0; port < 65536; port++) {
			struct mm_port_stat ps;
			size_t j;
			if (!s->ports[svc][port])
				continue;
			ps.proto = svc == SVC_TCP ? 6 : 17;
			ps.port = port;
			ps.packets = s->ports[svc][port];
			if (k == n && cmp_port(&ps, &out[n - 1]) >= 0)
				continue;
			j = k < n ? k++ : n - 1;
			while (j > 0 && cmp_port(&ps, &out[j - 1]) < 0) {
				out[j] = out[j - 1];
				j--;
			}
			out[j] = ps;
		}
	}
	return k;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b != 0 && (a < 0) != (b < 0))
		q--;
	return q;
}

int mm_summary_timeline(const struct mm_summary *s, size_t nseries, size_t max_hours,
			struct mm_timeline *out)
{
	struct mm_port_stat *top = NULL;
	size_t ntop = 0, i, k;
	int64_t off_us, first_b, last_b;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (!s->first.set)
		return 0;
	out->off = s->last.off;
	off_us = (int64_t)out->off * 60 * 1000000;
	out->bucket_us =
	    (s->last.us - s->first.us) <= (int64_t)max_hours * HOUR_US ? HOUR_US : 24 * HOUR_US;
	/* buckets are aligned to the log's wall clock, so days start at local midnight */
	first_b = floor_div(s->first.us + off_us, out->bucket_us);
	last_b = floor_div(s->last.us + off_us, out->bucket_us);
	out->nbuckets = (size_t)(last_b - first_b + 1);
	out->start_us = first_b * out->bucket_us - off_us;
	if (nseries) {
		top = calloc(nseries, sizeof(*top));
		if (!top)
			return MM_ERR_NOMEM;
		ntop = mm_summary_top_ports(s, top, nseries);
	}
	out->series = calloc(ntop + 1, sizeof(*out->series));
	if (!out->series) {
		r = MM_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < ntop; i++) {
		out->series[i].proto = top[i].proto;
		out->series[i].port = top[i].port;
	}
	out->nseries = ntop;
	if (s->by_kind[MM_EV_AUTH_FAILURE]) {
		out->series[ntop].proto = 0;
		out->series[ntop].port = 22;
		out->nseries++;
	}
	for (i = 0; i < out->nseries; i++) {
		out->series[i].counts = calloc(out->nbuckets, sizeof(uint64_t));
		if (!out->series[i].counts) {
			r = MM_ERR_NOMEM;
			goto out;
		}
	}
	for (k = 0; k <= s->cell_mask; k++) {
		const struct cell *c = &s->cells[k];
		int64_t hour, b;
		int svc, port;
		if (!c->key)
			continue;
		hour = (int64_t)(c->key >> 18) - 1;
		svc = (int)((c->key >> 16) & 3);
		port = (int)(c->key & 0xffff);
		b = floor_div(hour * HOUR_US + off_us, out->bucket_us) - first_b;
		if (b < 0 || (size_t)b >= out->nbuckets)
			continue;
		for (i = 0; i < out->nseries; i++) {
			struct mm_series *se = &out->series[i];
			bool match = svc == SVC_SSHFAIL ? se->proto == 0
							: se->proto == (svc == SVC_TCP ? 6 : 17) &&
							      se->port == port;
			if (match) {
				se->counts[b] += c->count;
				se->total += c->count;
				break;
			}
		}
	}
out:
	free(top);
	if (r < 0)
		mm_timeline_release(out);
	return r;
}

void mm_timeline_release(struct mm_timeline *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nseries && t->series; i++)
		free(t->series[i].counts);
	free(t->series);
	memset(t, 0, sizeof(*t));
}
