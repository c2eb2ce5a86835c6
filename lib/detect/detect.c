/* SPDX-License-Identifier: MIT */
/*
 * Detector front end: configuration, clock, dispatch, findings storage.
 *
 * Default thresholds and where they come from:
 *
 *   portscan  15 distinct ports in 300 s: Zeek's scan policy
 *             (policy/misc/scan.zeek: port_scan_threshold 15,
 *             port_scan_interval 5 min).
 *   sweep     10 hosts on one port in 300 s: Zeek uses 25 hosts in 5 min
 *             for a network monitor seeing whole networks; a server's own
 *             firewall log sees only its few addresses, or a small routed
 *             range (a /28 has 14 hosts), so 25 would never fire there.
 *   service   10 distinct sources on one port over the period: a port no
 *             legitimate client uses (the firewall logged and dropped it)
 *             that ten unrelated sources try is being swept by the
 *             Internet at large (SIP 5060/udp, RDP, Telnet, ...).
 *   ssh       5 failures in 600 s: fail2ban's shipped [DEFAULT] maxretry
 *             = 5, findtime = 10m. (sshguard blocks a little earlier: score
 *             above 30 at 10 per attack, i.e. the 4th attack within its
 *             1800 s detection time.)
 *   ssh slow  20 failures in 24 h, raised only for sources that had no fast
 *             brute-force finding in those 24 h: an attacker pacing itself
 *             under fail2ban's 5/10 min can still try ~570 passwords a
 *             day, while a real user rarely fails 20 times in a day.
 *   users     10 distinct user names from one source in the slow window
 *             (24 h): real users fail with one or two names; dictionary
 *             runs over "admin", "test", "oracle", ... show many.
 *   fanout    20 distinct destinations on one port in 300 s, outbound:
 *             a server talks to a handful of resolvers, mirrors and APIs;
 *             an infected host scanning 22/tcp or 23/tcp hits hundreds. A
 *             mail relay (25/tcp) or crawler may need a higher value.
 *   max_keys  200000 per table, max_findings 100000: with the default
 *             thresholds this keeps the worst case near 200 MB and the
 *             realistic case (100k sources) far below; see the tests.
 *
 * Windows are inclusive: values at t and t + window are in one window. A
 * finding keeps growing while its key stays active; a key that was quiet
 * for more than the window starts a new run and may raise a new finding.
 */
#include <stdlib.h>
#include <string.h>

#include "mamori/error.h"
#include "detect_int.h"

void mm_detect_cfg_defaults(struct mm_detect_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->portscan_ports = 15;
	cfg->portscan_window = 300;
	cfg->sweep_hosts = 10;
	cfg->sweep_window = 300;
	cfg->service_sources = 10;
	cfg->ssh_failures = 5;
	cfg->ssh_window = 600;
	cfg->ssh_users = 10;
	cfg->ssh_slow_failures = 20;
	cfg->ssh_slow_window = 86400;
	cfg->fanout_hosts = 20;
	cfg->fanout_window = 300;
	cfg->max_keys = 200000;
	cfg->max_findings = 100000;
}

static uint32_t clamp_thr(uint32_t v)
{
	return v > MM_DETECT_MAX_THRESHOLD ? MM_DETECT_MAX_THRESHOLD : v;
}

static int64_t clamp_win(int64_t v)
{
	if (v < 0)
		return 0;
	return v > MM_DETECT_MAX_WINDOW ? MM_DETECT_MAX_WINDOW : v;
}

void fstate_free(struct fstate *fs)
{
	if (!fs)
		return;
	dc_release(&fs->a);
	dc_release(&fs->b);
	free(fs);
}

struct mm_detector *mm_detector_new(const struct mm_detect_cfg *cfg)
{
	struct mm_detector *d = NULL, *ret = NULL;
	struct mm_detect_cfg c;
	size_t off;

	if (!cfg)
		goto out;
	c = *cfg;
	c.portscan_ports = clamp_thr(c.portscan_ports);
	c.sweep_hosts = clamp_thr(c.sweep_hosts);
	c.ssh_failures = clamp_thr(c.ssh_failures);
	c.ssh_slow_failures = clamp_thr(c.ssh_slow_failures);
	c.ssh_users = clamp_thr(c.ssh_users);
	c.fanout_hosts = clamp_thr(c.fanout_hosts);
	c.portscan_window = clamp_win(c.portscan_window);
	c.sweep_window = clamp_win(c.sweep_window);
	c.ssh_window = clamp_win(c.ssh_window);
	c.ssh_slow_window = clamp_win(c.ssh_slow_window);
	c.fanout_window = clamp_win(c.fanout_window);
	if (c.max_keys == 0)
		c.max_keys = 1;
	if (c.max_findings == 0)
		c.max_findings = 100000;

	d = calloc(1, sizeof(*d));
	if (!d)
		goto out;
	d->cfg = c;
	if (dt_init(&d->scan, c.max_keys,
		    sizeof(struct scan_ent) + c.portscan_ports * sizeof(struct witem),
		    det_scan_evict, d) < 0)
		goto out;
	if (dt_init(&d->sweep, c.max_keys,
		    sizeof(struct host_ent) + c.sweep_hosts * sizeof(struct witem), det_host_evict,
		    d) < 0)
		goto out;
	if (dt_init(&d->fanout, c.max_keys,
		    sizeof(struct host_ent) + c.fanout_hosts * sizeof(struct witem), det_host_evict,
		    d) < 0)
		goto out;
	off = sizeof(struct ssh_ent);
	d->ssh_off_fast = off;
	off += ((c.ssh_failures * sizeof(uint32_t)) + 7) & ~(size_t)7;
	d->ssh_off_slow = off;
	off += ((c.ssh_slow_failures * sizeof(uint32_t)) + 7) & ~(size_t)7;
	d->ssh_off_users = off;
	off += c.ssh_users * sizeof(struct witem);
	if (dt_init(&d->ssh, c.max_keys, off, det_ssh_evict, d) < 0)
		goto out;
	if (c.service_sources) {
		d->svc = calloc(2 * 65536, sizeof(*d->svc));
		if (!d->svc)
			goto out;
	}
	ret = d;
	d = NULL;
out:
	mm_detector_free(d);
	return ret;
}

static void table_close(struct dt_table *t)
{
	/* run the eviction hook on every entry so finding state is freed */
	uint32_t s;

	if (!t->on_evict)
		return;
	for (s = 0; s < t->n; s++)
		t->on_evict(t->ctx, dt_at(t, s));
}

void mm_detector_free(struct mm_detector *d)
{
	uint32_t i;

	if (!d)
		return;
	table_close(&d->scan);
	table_close(&d->sweep);
	table_close(&d->fanout);
	table_close(&d->ssh);
	dt_release(&d->scan);
	dt_release(&d->sweep);
	dt_release(&d->fanout);
	dt_release(&d->ssh);
	if (d->svc) {
		for (i = 0; i < 2 * 65536; i++) {
			if (d->svc[i]) {
				dc_release(&d->svc[i]->src);
				free(d->svc[i]);
			}
		}
		free(d->svc);
	}
	free(d->f);
	free(d);
}

uint32_t det_new_finding(struct mm_detector *d, enum mm_finding_kind kind)
{
	struct mm_finding *f;

	if (d->nf >= d->cfg.max_findings) {
		d->st.findings_dropped++;
		return FIDX_DROPPED;
	}
	if (d->nf == d->capf) {
		size_t cap = d->capf ? d->capf * 2 : 64;
		struct mm_finding *nf;

		if (cap > d->cfg.max_findings)
			cap = d->cfg.max_findings;
		nf = realloc(d->f, cap * sizeof(*nf));
		if (!nf) {
			d->st.findings_dropped++;
			d->st.alloc_failures++;
			return FIDX_DROPPED;
		}
		d->f = nf;
		d->capf = cap;
	}
	f = &d->f[d->nf++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->proto = -1;
	f->port = -1;
	return (uint32_t)d->nf;
}

void det_time_minmax(struct mm_finding *f, const struct mm_time *t)
{
	if (!t->set)
		return;
	if (!f->first.set || t->us < f->first.us)
		f->first = *t;
	if (!f->last.set || t->us >= f->last.us)
		f->last = *t;
}

bool burst_step(struct mm_detector *d, struct burst *b, int64_t win_us, struct fstate **fs,
		const struct mm_time *t)
{
	bool fresh = false;

	if (!b->active || d->clock - b->last_clock > win_us) {
		if (fs && *fs) {
			fstate_free(*fs);
			*fs = NULL;
		}
		b->first = *t;
		b->last = *t;
		b->count = 0;
		b->fidx = FIDX_NONE;
		b->scanmask = 0;
		b->proto = -1;
		b->active = 1;
		fresh = true;
	} else if (t->set) {
		/* events may come a little out of order: keep min and max */
		if (!b->first.set || t->us < b->first.us)
			b->first = *t;
		if (!b->last.set || t->us >= b->last.us)
			b->last = *t;
	}
	b->last_clock = d->clock;
	return fresh;
}

/* Advance the detector clock; late events are taken to happen "now". */
static void clock_step(struct mm_detector *d, const struct mm_event *ev)
{
	/* clamp to +-2^61 us (73000 years) so differences never overflow */
	const int64_t lim = INT64_C(1) << 61;
	int64_t us;

	if (!ev->time.set)
		return;
	us = ev->time.us > lim ? lim : ev->time.us < -lim ? -lim : ev->time.us;
	if (!d->have_clock) {
		d->have_clock = true;
		d->clock = us;
		d->base = us;
	} else if (us > d->clock) {
		d->clock = us;
	}
	d->now_ms = (uint32_t)((uint64_t)(d->clock - d->base) / 1000);
}

static void forged(struct mm_detector *d, const struct mm_event *ev)
{
	struct mm_finding *f;

	if (d->forged == FIDX_NONE)
		d->forged = det_new_finding(d, MM_FIND_FORGED_LOG);
	if (d->forged == FIDX_DROPPED)
		return;
	f = det_finding(d, d->forged);
	f->count++;
	det_time_minmax(f, &ev->time);
}

void mm_detector_event(struct mm_detector *d, const struct mm_event *ev)
{
	uint64_t h;

	if (!d || !ev)
		return;
	d->st.events++;
	clock_step(d, ev);
	switch (ev->kind) {
	case MM_EV_PACKET:
	case MM_EV_AUTH_FAILURE:
		break;
	case MM_EV_SUSPICIOUS:
		forged(d, ev);
		return;
	default:
		/* successes and pre-auth probes do not feed any detector */
		return;
	}
	if (ev->src.family != MM_AF_INET && ev->src.family != MM_AF_INET6) {
		d->st.ignored++;
		return;
	}
	if (mm_addr_is_special(&ev->src)) {
		d->st.ignored++;
		return;
	}
	h = mm_event_src_hash(ev);
	if (ev->kind == MM_EV_PACKET)
		det_packet(d, ev, h);
	else
		det_ssh(d, ev, h);
}

/*
 * A HyperLogLog estimate can exceed what was seen: every distinct port,
 * host or source took at least one of the finding's events, so an
 * estimate never claims more than count. (User names are left alone:
 * lines that do not count as attempts still name users.)
 */
static void clamp_estimates(struct mm_detector *d)
{
	size_t i;

	for (i = 0; i < d->nf; i++) {
		struct mm_finding *f = &d->f[i];
		if (!f->approx)
			continue;
		if (f->distinct_ports > f->count)
			f->distinct_ports = (uint32_t)f->count;
		if (f->distinct_hosts > f->count)
			f->distinct_hosts = (uint32_t)f->count;
		if (f->distinct_sources > f->count)
			f->distinct_sources = (uint32_t)f->count;
	}
}

/*
 * The ssh entry of an auth failure's source (see det_ssh()): its index slot
 * at stage 0, the entry itself (all of it: bursts, rings and user set are
 * each touched) at stage 1.
 */
static void prefetch_ssh(const struct mm_detector *d, const struct mm_event *ev, int stage)
{
	const struct dt_table *t = &d->ssh;
	uint64_t h64;
	uint32_t h, i;
	size_t off;

	if (!t->idx || stage > 1)
		return;
	h64 = mm_event_src_hash(ev);
	h = (uint32_t)(h64 ^ (h64 >> 32));
	i = h & t->idx_mask;
	if (stage == 0) {
		__builtin_prefetch(&t->idx[i]);
		return;
	}
	for (; t->idx[i].slot != DT_NIL; i = (i + 1) & t->idx_mask) {
		if (t->idx[i].hash == h) {
			const char *e = (const char *)dt_at(t, t->idx[i].slot);
			for (off = 0; off < t->esize; off += 64)
				__builtin_prefetch(e + off);
			break;
		}
	}
}

void mm_detector_prefetch(const struct mm_detector *d, const struct mm_event *ev, int stage)
{
	const struct dt_table *t = &d->scan;
	uint64_t h64;
	uint32_t h, i;

	if (ev->kind == MM_EV_AUTH_FAILURE && ev->src.family != MM_AF_NONE) {
		prefetch_ssh(d, ev, stage);
		return;
	}
	if (ev->kind != MM_EV_PACKET || ev->src.family == MM_AF_NONE || !t->idx)
		return;
	/* the same hash portscan() uses for its key (see h32 in detect_packet.c) */
	h64 = mm_event_src_hash(ev);
	h = (uint32_t)(h64 ^ (h64 >> 32));
	i = h & t->idx_mask;
	if (stage == 2) {
		/* the service's distinct-source register this source updates (see
		 * service() and hll_add()): a third dependent miss otherwise */
		const struct svc *sv;
		if (!d->svc || ev->dst_port < 0 || ev->dst_port >= 65536 ||
		    (ev->proto != 6 && ev->proto != 17))
			return;
		sv = d->svc[ev->dst_port + (ev->proto == 17 ? 65536 : 0)];
		if (sv && sv->src.h)
			__builtin_prefetch(&sv->src.h->reg[hll_index(h)]);
		return;
	}
	if (stage == 0) {
		__builtin_prefetch(&t->idx[i]);
		if (d->svc && ev->dst_port >= 0 && ev->dst_port < 65536 &&
		    (ev->proto == 6 || ev->proto == 17))
			__builtin_prefetch(&d->svc[ev->dst_port + (ev->proto == 17 ? 65536 : 0)]);
		return;
	}
	/* stage 1: the entry of the first matching slot in the probe run */
	for (; t->idx[i].slot != DT_NIL; i = (i + 1) & t->idx_mask) {
		if (t->idx[i].hash == h) {
			const char *e = (const char *)dt_at(t, t->idx[i].slot);
			__builtin_prefetch(e);
			__builtin_prefetch(e + 64);
			break;
		}
	}
	if (d->svc && ev->dst_port >= 0 && ev->dst_port < 65536 &&
	    (ev->proto == 6 || ev->proto == 17)) {
		const struct svc *sv = d->svc[ev->dst_port + (ev->proto == 17 ? 65536 : 0)];
		if (sv)
			__builtin_prefetch(sv);
	}
}

void mm_detector_finish(struct mm_detector *d)
{
	if (!d || d->finished)
		return;
	d->finished = true;
	det_service_finish(d);
	clamp_estimates(d);
}

size_t mm_detector_findings(const struct mm_detector *d, const struct mm_finding **out)
{
	if (!d) {
		*out = NULL;
		return 0;
	}
	*out = d->f;
	return d->nf;
}

void mm_detector_stats(const struct mm_detector *d, struct mm_detect_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!d)
		return;
	*out = d->st;
	out->evicted = d->scan.evicted + d->sweep.evicted + d->fanout.evicted + d->ssh.evicted;
	out->keys = (uint64_t)d->scan.n + d->sweep.n + d->fanout.n + d->ssh.n;
	out->keys_max = d->scan.n;
	if (d->sweep.n > out->keys_max)
		out->keys_max = d->sweep.n;
	if (d->fanout.n > out->keys_max)
		out->keys_max = d->fanout.n;
	if (d->ssh.n > out->keys_max)
		out->keys_max = d->ssh.n;
	out->findings = d->nf;
}

const char *mm_finding_kind_name(enum mm_finding_kind k)
{
	switch (k) {
	case MM_FIND_PORTSCAN:
		return "port-scan";
	case MM_FIND_SWEEP:
		return "sweep";
	case MM_FIND_SERVICE_SWEEP:
		return "service-sweep";
	case MM_FIND_SSH_BRUTEFORCE:
		return "ssh-bruteforce";
	case MM_FIND_SSH_SLOW_BRUTEFORCE:
		return "ssh-slow-bruteforce";
	case MM_FIND_SSH_USER_ENUM:
		return "ssh-user-enum";
	case MM_FIND_OUTBOUND_FANOUT:
		return "outbound-fanout";
	case MM_FIND_FORGED_LOG:
		return "forged-log";
	}
	return "unknown";
}

const char *mm_scan_type_name(enum mm_scan_type t)
{
	switch (t) {
	case MM_SCAN_NONE:
		return "none";
	case MM_SCAN_SYN:
		return "syn";
	case MM_SCAN_FIN:
		return "fin";
	case MM_SCAN_NULL:
		return "null";
	case MM_SCAN_XMAS:
		return "xmas";
	case MM_SCAN_ACK:
		return "ack";
	case MM_SCAN_UDP:
		return "udp";
	case MM_SCAN_MIXED:
		return "mixed";
	}
	return "unknown";
}
