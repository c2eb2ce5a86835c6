/* SPDX-License-Identifier: MIT */
/*
 * Packet detectors: vertical port scans, horizontal sweeps, service sweeps
 * and outbound fan-out.
 *
 * Each per-key window is a small set of at most `threshold` distinct values
 * with their last-seen times (wset_add): the threshold is reached exactly
 * when that many distinct values fall within one window. From then on the
 * finding follows the key's run (events with no gap longer than the window)
 * and its distinct counts move to a dcount allocated for the finding only.
 */
#include <stdlib.h>
#include <string.h>

#include "mamori/error.h"
#include "detect_int.h"

static enum mm_scan_type scan_type(int proto, uint8_t flags)
{
	if (proto == 17)
		return MM_SCAN_UDP;
	if (proto != 6)
		return MM_SCAN_NONE;
	switch (flags & 0x3f) {
	case MM_TCP_SYN:
		return MM_SCAN_SYN;
	case MM_TCP_FIN:
		return MM_SCAN_FIN;
	case 0:
		return MM_SCAN_NULL;
	case MM_TCP_FIN | MM_TCP_PSH | MM_TCP_URG:
		return MM_SCAN_XMAS;
	case MM_TCP_ACK:
		return MM_SCAN_ACK;
	default:
		return MM_SCAN_NONE; /* SYN+ACK, RST, data...: no scan signature */
	}
}

static enum mm_scan_type scan_of_mask(uint8_t mask)
{
	unsigned t, found = MM_SCAN_NONE, n = 0;

	for (t = MM_SCAN_SYN; t <= MM_SCAN_UDP; t++) {
		if (mask & (1u << t)) {
			found = t;
			n++;
		}
	}
	return n > 1 ? MM_SCAN_MIXED : (enum mm_scan_type)found;
}

static uint32_t h32(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32));
}

static struct fstate *fstate_new(struct mm_detector *d)
{
	struct fstate *fs = calloc(1, sizeof(*fs));

	if (!fs)
		d->st.alloc_failures++;
	return fs;
}

static void dc_add_count(struct mm_detector *d, struct dcount *c, uint32_t v)
{
	if (dc_add(c, v) < 0)
		d->st.alloc_failures++;
}

void det_scan_evict(void *ctx, struct dt_hdr *h)
{
	struct scan_ent *e = (struct scan_ent *)h;

	(void)ctx;
	fstate_free(e->fs);
	e->fs = NULL;
}

void det_host_evict(void *ctx, struct dt_hdr *h)
{
	struct host_ent *e = (struct host_ent *)h;

	(void)ctx;
	fstate_free(e->fs);
	e->fs = NULL;
}

static void port_add(struct mm_finding *f, uint16_t port)
{
	unsigned i;

	if (f->nports >= MM_FINDING_MAX_PORTS)
		return;
	for (i = 0; i < f->nports; i++)
		if (f->ports[i] == port)
			return;
	f->ports[f->nports++] = port;
}

/*
 * What the sweep detector needs from the port scan entry. Sweeps need at
 * least two destination hosts, so a source that has only ever sent to one
 * host in its current run (the usual case on a server with one address)
 * gets no sweep state at all, and neither does a source whose burst is
 * already a port scan finding (a scanner of all ports on a /28 would
 * otherwise churn one sweep key and raise one sweep per port). This keeps
 * the (source, port) table for the sources that matter. When a source
 * reaches its second host, the first host is carried over if the source
 * sent to this port within the window.
 */
struct sweep_gate {
	bool feed;
	bool seed;
	uint32_t seed_hash;
	uint32_t seed_t;
};

static void portscan(struct mm_detector *d, const struct mm_event *ev, uint64_t hsrc, uint32_t hdst,
		     uint16_t port, enum mm_scan_type st, struct sweep_gate *g)
{
	const struct mm_detect_cfg *c = &d->cfg;
	struct scan_ent *e;
	struct mm_finding *f;
	struct dt_key k;
	bool created;
	uint32_t n, i, v = port | (hdst & 0xffff0000u);

	dt_key_set(&k, &ev->src, 0, 0);
	e = (struct scan_ent *)dt_get(&d->scan, &k, h32(hsrc), &created);
	if (!e) {
		d->st.alloc_failures++;
		return;
	}
	if (burst_step(d, &e->b, c->portscan_window * 1000000, &e->fs, &ev->time)) {
		e->n = 0;
		e->dst0 = ev->dst;
		e->multi = 0;
		e->b.proto = ev->proto;
	} else {
		if (!e->multi && !mm_addr_eq(&e->dst0, &ev->dst)) {
			e->multi = 1;
			for (i = 0; i < e->n; i++) {
				if ((e->it[i].v & 0xffff) == port &&
				    d->now_ms - e->it[i].t <= win_ms(c->sweep_window) &&
				    !mm_addr_is_special(&e->dst0)) {
					g->seed = true;
					g->seed_hash = h32(mm_addr_hash(&e->dst0));
					g->seed_t = e->it[i].t;
				}
			}
		}
		if (e->b.proto != ev->proto)
			e->b.proto = -1;
	}
	/* a source already reported as a port scanner is not also reported
	 * port by port as a sweeper: its finding carries distinct_hosts */
	g->feed = e->multi && e->b.fidx == FIDX_NONE;
	if (st != MM_SCAN_NONE)
		e->b.scanmask |= (uint8_t)(1u << st);
	n = wset_add(e->it, &e->n, c->portscan_ports, v, 0xffff, d->now_ms,
		     win_ms(c->portscan_window));

	if (e->b.fidx == FIDX_NONE) {
		e->b.count++;
		if (n < c->portscan_ports)
			return;
		e->b.fidx = det_new_finding(d, MM_FIND_PORTSCAN);
		if (e->b.fidx == FIDX_DROPPED)
			return;
		f = det_finding(d, e->b.fidx);
		f->src = ev->src;
		f->first = e->b.first;
		f->last = e->b.last;
		f->count = e->b.count;
		e->fs = fstate_new(d);
		/* the ring is in first-seen order here: it never replaced an
		 * item before reaching the threshold */
		for (i = 0; i < e->n; i++) {
			port_add(f, (uint16_t)e->it[i].v);
			if (e->fs) {
				dc_add_count(d, &e->fs->a, e->it[i].v & 0xffff);
				dc_add_count(d, &e->fs->b, e->it[i].v >> 16);
			}
		}
		f->distinct_ports = e->fs ? (uint32_t)dc_count(&e->fs->a) : e->n;
	} else if (e->b.fidx != FIDX_DROPPED) {
		f = det_finding(d, e->b.fidx);
		f->count++;
		port_add(f, port);
		if (e->fs) {
			dc_add_count(d, &e->fs->a, port);
			dc_add_count(d, &e->fs->b, v >> 16);
			f->distinct_ports = (uint32_t)dc_count(&e->fs->a);
		}
	} else {
		return;
	}
	det_time_minmax(f, &ev->time);
	f->proto = e->b.proto;
	f->scan = scan_of_mask(e->b.scanmask);
	if (e->multi) {
		memset(&f->dst, 0, sizeof(f->dst));
		f->distinct_hosts = e->fs ? (uint32_t)dc_count(&e->fs->b) : 2;
		if (f->distinct_hosts < 2)
			f->distinct_hosts = 2;
	} else {
		f->dst = e->dst0;
		f->distinct_hosts = 1;
	}
	if (e->fs)
		f->approx = dc_approx(&e->fs->a) || dc_approx(&e->fs->b);
}

/* Sweeps (inbound) and fan-out (outbound): one (source, port, proto), many hosts. */
static void hosts(struct mm_detector *d, struct dt_table *t, enum mm_finding_kind kind,
		  uint32_t thr, int64_t win, const struct mm_event *ev, uint64_t hsrc,
		  uint32_t hdst, uint16_t port, enum mm_scan_type st, const struct sweep_gate *g)
{
	struct host_ent *e;
	struct mm_finding *f;
	struct dt_key k;
	bool created;
	uint32_t n, i;
	uint8_t proto = (uint8_t)(ev->proto < 0 ? 0 : ev->proto);

	dt_key_set(&k, &ev->src, port, proto);
	e = (struct host_ent *)dt_get(t, &k, h32(mix64(hsrc ^ ((uint64_t)port << 8 | proto))),
				      &created);
	if (!e) {
		d->st.alloc_failures++;
		return;
	}
	if (burst_step(d, &e->b, win * 1000000, &e->fs, &ev->time))
		e->n = 0;
	if (g && g->seed && e->n == 0 && e->b.fidx == FIDX_NONE) {
		e->it[0].v = g->seed_hash;
		e->it[0].t = g->seed_t;
		e->n = 1;
		e->b.count++;
	}
	if (st != MM_SCAN_NONE)
		e->b.scanmask |= (uint8_t)(1u << st);
	n = wset_add(e->it, &e->n, thr, hdst, UINT32_MAX, d->now_ms, win_ms(win));

	if (e->b.fidx == FIDX_NONE) {
		e->b.count++;
		if (n < thr)
			return;
		e->b.fidx = det_new_finding(d, kind);
		if (e->b.fidx == FIDX_DROPPED)
			return;
		f = det_finding(d, e->b.fidx);
		f->src = ev->src;
		f->port = port;
		f->proto = ev->proto;
		f->first = e->b.first;
		f->last = e->b.last;
		f->count = e->b.count;
		e->fs = fstate_new(d);
		if (e->fs)
			for (i = 0; i < e->n; i++)
				dc_add_count(d, &e->fs->a, e->it[i].v);
		f->distinct_hosts = e->fs ? (uint32_t)dc_count(&e->fs->a) : e->n;
	} else if (e->b.fidx != FIDX_DROPPED) {
		f = det_finding(d, e->b.fidx);
		f->count++;
		if (e->fs) {
			dc_add_count(d, &e->fs->a, hdst);
			f->distinct_hosts = (uint32_t)dc_count(&e->fs->a);
			f->approx = dc_approx(&e->fs->a);
		}
	} else {
		return;
	}
	det_time_minmax(f, &ev->time);
	f->scan = scan_of_mask(e->b.scanmask);
}

static void service(struct mm_detector *d, const struct mm_event *ev, uint64_t hsrc, uint16_t port)
{
	struct svc *s;
	size_t i = (ev->proto == 17 ? 65536u : 0u) + port;

	s = d->svc[i];
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s) {
			d->st.alloc_failures++;
			return;
		}
		s->idx = (uint32_t)i;
		d->svc[i] = s;
	}
	s->count++;
	if (ev->time.set) {
		if (!s->first.set || ev->time.us < s->first.us)
			s->first = ev->time;
		if (!s->last.set || ev->time.us >= s->last.us)
			s->last = ev->time;
	}
	dc_add_count(d, &s->src, h32(hsrc));
}

void det_packet(struct mm_detector *d, const struct mm_event *ev, uint64_t hsrc)
{
	const struct mm_detect_cfg *c = &d->cfg;
	enum mm_scan_type st;
	uint32_t hdst = 0;
	bool dst_ok;
	uint16_t port;

	if (ev->dst_port < 0 || ev->dst_port > 65535)
		return; /* ICMP and friends: no port to scan */
	port = (uint16_t)ev->dst_port;
	st = scan_type(ev->proto, ev->tcp_flags);
	dst_ok = (ev->dst.family == MM_AF_INET || ev->dst.family == MM_AF_INET6) &&
		 !mm_addr_is_special(&ev->dst);
	if (ev->dst.family == MM_AF_INET || ev->dst.family == MM_AF_INET6)
		hdst = h32(mm_addr_hash(&ev->dst));

	/*
	 * Forwarded packets count like inbound ones: a router logs (and
	 * usually drops) what scanners send to the hosts behind it, and a
	 * source sweeping those hosts is a sweeper wherever they sit.
	 */
	if (ev->dir == MM_DIR_IN || ev->dir == MM_DIR_UNKNOWN || ev->dir == MM_DIR_FWD) {
		struct sweep_gate g = {.feed = true};

		if (c->portscan_ports)
			portscan(d, ev, hsrc, hdst, port, st, &g);
		if (c->sweep_hosts && dst_ok && g.feed)
			hosts(d, &d->sweep, MM_FIND_SWEEP, c->sweep_hosts, c->sweep_window, ev,
			      hsrc, hdst, port, st, &g);
		if (d->svc && (ev->proto == 6 || ev->proto == 17) && !d->finished)
			service(d, ev, hsrc, port);
	} else if (ev->dir == MM_DIR_OUT) {
		if (c->fanout_hosts && dst_ok)
			hosts(d, &d->fanout, MM_FIND_OUTBOUND_FANOUT, c->fanout_hosts,
			      c->fanout_window, ev, hsrc, hdst, port, st, NULL);
	}
}

static int svc_cmp(const void *a, const void *b)
{
	const struct svc *x = *(struct svc *const *)a, *y = *(struct svc *const *)b;

	if (x->first.us != y->first.us)
		return x->first.us < y->first.us ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

void det_service_finish(struct mm_detector *d)
{
	struct svc **hit = NULL;
	size_t nhit = 0, i;
	uint32_t fidx;

	if (!d->svc)
		return;
	for (i = 0; i < 2 * 65536; i++)
		if (d->svc[i] && dc_count(&d->svc[i]->src) >= d->cfg.service_sources)
			nhit++;
	if (nhit == 0)
		return;
	hit = malloc(nhit * sizeof(*hit));
	if (!hit) {
		d->st.alloc_failures++;
		return;
	}
	nhit = 0;
	for (i = 0; i < 2 * 65536; i++) {
		struct svc *s = d->svc[i];
		if (s && dc_count(&s->src) >= d->cfg.service_sources)
			hit[nhit++] = s;
	}
	qsort(hit, nhit, sizeof(*hit), svc_cmp);
	for (i = 0; i < nhit; i++) {
		struct svc *s = hit[i];
		struct mm_finding *f;

		fidx = det_new_finding(d, MM_FIND_SERVICE_SWEEP);
		if (fidx == FIDX_DROPPED)
			continue;
		f = det_finding(d, fidx);
		f->port = (int32_t)(s->idx & 0xffff);
		f->proto = s->idx >= 65536 ? 17 : 6;
		f->scan = MM_SCAN_NONE;
		f->distinct_sources = (uint32_t)dc_count(&s->src);
		f->approx = dc_approx(&s->src);
		f->count = s->count;
		f->first = s->first;
		f->last = s->last;
	}
	free(hit);
}
