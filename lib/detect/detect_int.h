/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_DETECT_INT_H
#define MAMORI_DETECT_INT_H

/*
 * Internals shared by the files of lib/detect/. Nothing here is public API.
 *
 * Shape of the state:
 *   - four LRU tables (struct dt_table): port scans keyed by source, sweeps
 *     and outbound fan-out keyed by (source, port, proto), ssh keyed by
 *     source. Each holds at most cfg.max_keys fixed-size entries in chunked
 *     slabs, indexed by an open-addressing hash index, with CLOCK (an LRU
 *     approximation) choosing what to evict. Nothing is allocated per event
 *     once a table has grown to its working size.
 *   - a direct-indexed array of per-service counters (tcp/udp x 65536),
 *     allocated lazily per port the first time the port is seen.
 *   - the findings array (bounded by max_findings).
 *
 * Times inside window rings are milliseconds since the detector's first
 * event, stored as uint32_t and compared with modular arithmetic. A ring is
 * cleared whenever its key was quiet for longer than the window (checked
 * with full 64-bit times), so no item in a ring is ever older than two
 * windows and the modular ages never wrap (windows are capped at
 * MM_DETECT_MAX_WINDOW).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mamori/detect.h"

#define DT_NIL UINT32_MAX
#define DT_CHUNK_SHIFT 10 /* 1024 entries per slab chunk */
#define DT_CHUNK (1u << DT_CHUNK_SHIFT)
#define DT_CLOCK_SCAN 256 /* most entries one eviction looks at */

/* Largest threshold honoured: window rings hold one item per unit. */
#define MM_DETECT_MAX_THRESHOLD 1024u
/* Largest window honoured, in seconds (10 days; see the note above). */
#define MM_DETECT_MAX_WINDOW (10 * 86400)

/* Key of any table: an address plus an optional port/proto (0 when unused). */
struct dt_key {
	uint8_t family;
	uint8_t proto;
	uint16_t port;
	uint8_t b[16];
};

/* Header at the start of every table entry. */
struct dt_hdr {
	struct dt_key key;
	uint32_t hash;
	uint8_t ref; /* CLOCK reference bit */
	uint8_t pad[7];
};

struct dt_slot {
	uint32_t hash;
	uint32_t slot; /* DT_NIL when empty */
};

struct dt_table;
typedef void (*dt_evict_fn)(void *ctx, struct dt_hdr *e);

struct dt_table {
	struct dt_slot *idx;
	uint32_t idx_mask; /* index size - 1, power of two */
	uint8_t **chunks;
	uint32_t nchunks;
	uint32_t n, max;
	size_t esize;
	uint32_t hand; /* CLOCK hand: next slot to consider for eviction */
	uint64_t evicted;
	dt_evict_fn on_evict;
	void *ctx;
};

int dt_init(struct dt_table *t, uint32_t max_keys, size_t esize, dt_evict_fn fn, void *ctx);
void dt_release(struct dt_table *t);
/*
 * Find the entry for k (hash h), marking it referenced. When absent,
 * create it (evicting an entry chosen by CLOCK when full; the eviction
 * callback runs first) with everything after the header zeroed and
 * set *created. Returns NULL only when memory could not be allocated.
 */
struct dt_hdr *dt_get(struct dt_table *t, const struct dt_key *k, uint32_t h, bool *created);
static inline struct dt_hdr *dt_at(const struct dt_table *t, uint32_t slot)
{
	return (struct dt_hdr *)(void *)(t->chunks[slot >> DT_CHUNK_SHIFT] +
					 (size_t)(slot & (DT_CHUNK - 1)) * t->esize);
}

/* ---- distinct counting: exact up to DC_EXACT values, then HyperLogLog ---- */

#define DC_EXACT 16
#define HLL_P 9
#define HLL_M (1u << HLL_P)

struct hll {
	uint8_t reg[HLL_M];
	double sum;	/* sum of 2^-reg over all registers */
	uint32_t zeros; /* registers still 0 */
};

struct dcount {
	uint32_t n;
	uint32_t v[DC_EXACT];
	struct hll *h;
	uint64_t est; /* cached estimate */
};

/* Add a value. Returns 1 when it was new (or the estimate changed), 0 when
 * already counted, MM_ERR_NOMEM when the estimator could not be allocated
 * (the count then stays a lower bound). */
int dc_add(struct dcount *c, uint32_t v);
static inline uint64_t dc_count(const struct dcount *c)
{
	return c->est;
}
static inline bool dc_approx(const struct dcount *c)
{
	return c->h != NULL;
}
void dc_release(struct dcount *c);
uint64_t hll_estimate(const struct hll *h);
double dt_ln(double x);

/* ---- window rings ---- */

/* A distinct value seen at time t (ms). */
struct witem {
	uint32_t v;
	uint32_t t;
};

/*
 * Add v (compared under mask) at now to a set of at most cap distinct
 * values, dropping items older than win ms. Returns the number of distinct
 * values within the window after the add.
 */
uint32_t wset_add(struct witem *it, uint32_t *n, uint32_t cap, uint32_t v, uint32_t mask,
		  uint32_t now, uint32_t win);

/* Burst bookkeeping shared by every finding kind. */
#define FIDX_NONE 0
#define FIDX_DROPPED UINT32_MAX

struct burst {
	struct mm_time first; /* earliest event time of the current run */
	struct mm_time last;  /* latest event time of the current run */
	int64_t last_clock;   /* detector clock (us) of the last event of the run */
	uint32_t count;	      /* events in the run before a finding exists */
	uint32_t fidx;	      /* finding index + 1, FIDX_NONE or FIDX_DROPPED */
	int16_t proto;	      /* proto of the run, -1 when mixed */
	uint8_t scanmask;     /* 1 << enum mm_scan_type seen */
	uint8_t active;	      /* the run has started */
};

/* Per-finding side state while its burst is open. */
struct fstate {
	struct dcount a; /* ports (port scan), hosts, users */
	struct dcount b; /* hosts (port scan) */
};

struct svc {
	uint64_t count;
	uint32_t idx; /* port, + 65536 for udp */
	struct mm_time first, last;
	struct dcount src;
};

struct scan_ent {
	struct dt_hdr h;
	struct burst b;
	struct fstate *fs;
	struct mm_addr dst0;
	uint8_t multi;
	uint32_t n;
	struct witem it[]; /* cap = portscan threshold; v = port | host16 << 16 */
};

struct host_ent { /* sweeps and fan-out */
	struct dt_hdr h;
	struct burst b;
	struct fstate *fs;
	uint32_t n;
	uint32_t pad;
	struct witem it[]; /* v = 32-bit hash of the destination */
};

struct ssh_ent {
	struct dt_hdr h;
	struct burst fast, slow, users;
	struct fstate *fs; /* distinct users once an enumeration finding exists */
	int64_t last_clock;
	int64_t fast_clock; /* clock of the last event of a fast finding */
	uint32_t nfast, pfast, nslow, pslow, nusers;
	uint32_t fast_seen; /* fast_clock is valid */
	/* followed by: uint32_t fast[ssh_failures], uint32_t slow[ssh_slow_failures],
	 * struct witem users[ssh_users] at offsets kept in the detector */
};

struct mm_detector {
	struct mm_detect_cfg cfg;
	struct mm_detect_stats st;
	int64_t clock; /* max event time seen (us) */
	int64_t base;  /* clock of the first timed event */
	bool have_clock;
	bool finished;
	uint32_t now_ms;

	struct dt_table scan, sweep, fanout, ssh;
	size_t ssh_off_fast, ssh_off_slow, ssh_off_users;

	struct svc **svc; /* [2 * 65536], tcp then udp */

	struct mm_finding *f;
	size_t nf, capf;
	uint32_t forged; /* finding index + 1 of the forged-log finding */
};

/* Window in ms of a cfg window in seconds. */
static inline uint32_t win_ms(int64_t sec)
{
	return (uint32_t)(sec * 1000);
}

/* Create a finding; returns its index + 1 or FIDX_DROPPED. */
uint32_t det_new_finding(struct mm_detector *d, enum mm_finding_kind kind);
static inline struct mm_finding *det_finding(struct mm_detector *d, uint32_t fidx)
{
	return &d->f[fidx - 1];
}
void det_time_minmax(struct mm_finding *f, const struct mm_time *t);
/*
 * Start or continue the run of b at the current clock. A run ends when the
 * key was quiet for more than win_us; the caller's rings must then be
 * cleared, which is signalled by returning true. fs (may be NULL) is the
 * finding state to free when the previous run's finding closes.
 */
bool burst_step(struct mm_detector *d, struct burst *b, int64_t win_us, struct fstate **fs,
		const struct mm_time *t);
void fstate_free(struct fstate *fs);

void det_packet(struct mm_detector *d, const struct mm_event *ev, uint64_t hsrc);
void det_ssh(struct mm_detector *d, const struct mm_event *ev, uint64_t hsrc);
void det_service_finish(struct mm_detector *d);
void det_scan_evict(void *ctx, struct dt_hdr *e);
void det_host_evict(void *ctx, struct dt_hdr *e);
void det_ssh_evict(void *ctx, struct dt_hdr *e);

static inline uint64_t mix64(uint64_t x)
{
	/* splitmix64 finaliser */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* The HyperLogLog hash of a value, and the register it lands in. */
static inline uint64_t hll_mix(uint32_t v)
{
	return mix64((uint64_t)v + 0x9e3779b97f4a7c15ULL);
}

static inline uint32_t hll_index(uint32_t v)
{
	return (uint32_t)(hll_mix(v) >> (64 - HLL_P));
}

static inline void dt_key_set(struct dt_key *k, const struct mm_addr *a, uint16_t port,
			      uint8_t proto)
{
	unsigned i;

	k->family = a->family;
	k->proto = proto;
	k->port = port;
	for (i = 0; i < 16; i++)
		k->b[i] = 0;
	if (a->family == MM_AF_INET) {
		for (i = 0; i < 4; i++)
			k->b[i] = a->b[i];
	} else {
		for (i = 0; i < 16; i++)
			k->b[i] = a->b[i];
	}
}

#endif
