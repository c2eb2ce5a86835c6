/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_DETECT_H
#define MAMORI_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mamori/addr.h"
#include "mamori/event.h"
#include "mamori/time.h"

/*
 * Detectors: sliding windows keyed by source (or port), fed events in time
 * order, producing findings. Memory is bounded by cfg.max_keys per table;
 * the least recently used key is evicted (and counted) when a table is full.
 */
enum mm_finding_kind {
	MM_FIND_PORTSCAN = 1,	     /* one source, many destination ports */
	MM_FIND_SWEEP,		     /* one source, one port, many destination hosts */
	MM_FIND_SERVICE_SWEEP,	     /* one port probed by many sources over the period */
	MM_FIND_SSH_BRUTEFORCE,	     /* many failures from one source in a short window */
	MM_FIND_SSH_SLOW_BRUTEFORCE, /* many failures from one source over a long window */
	MM_FIND_SSH_USER_ENUM,	     /* many distinct user names from one source */
	MM_FIND_OUTBOUND_FANOUT,     /* this host sending to many hosts on one port */
	MM_FIND_FORGED_LOG,	     /* user-space lines imitating kernel packet logs */
};

/* TCP/UDP scan type of a port scan or sweep, from the flags seen. */
enum mm_scan_type {
	MM_SCAN_NONE = 0,
	MM_SCAN_SYN,
	MM_SCAN_FIN,
	MM_SCAN_NULL,
	MM_SCAN_XMAS,
	MM_SCAN_ACK,
	MM_SCAN_UDP,
	MM_SCAN_MIXED,
};

#define MM_FINDING_MAX_PORTS 16

struct mm_finding {
	enum mm_finding_kind kind;
	struct mm_addr src; /* the actor; for fanout the local sender; none for service sweeps */
	struct mm_addr dst; /* the single target host when there is one */
	int16_t proto;	    /* -1 when mixed/unknown */
	int32_t port;	    /* the port of a sweep/service sweep/fanout; -1 otherwise */
	enum mm_scan_type scan;
	uint16_t ports[MM_FINDING_MAX_PORTS]; /* first distinct ports (portscan) */
	uint8_t nports;
	uint32_t distinct_ports;
	uint32_t distinct_hosts;
	uint32_t distinct_sources;
	uint32_t distinct_users;
	uint64_t count; /* events that make up the finding */
	struct mm_time first, last;
	bool approx; /* distinct_* beyond 16 are HyperLogLog estimates (~5%) */
};

struct mm_detect_cfg {
	uint32_t portscan_ports;    /* distinct ports ... */
	int64_t portscan_window;    /* ... within this many seconds */
	uint32_t sweep_hosts;	    /* distinct destination hosts on one port ... */
	int64_t sweep_window;	    /* ... within this many seconds */
	uint32_t service_sources;   /* distinct sources probing one port over the period */
	uint32_t ssh_failures;	    /* failures ... */
	int64_t ssh_window;	    /* ... within this many seconds */
	uint32_t ssh_users;	    /* distinct user names from one source (user enumeration) */
	uint32_t ssh_slow_failures; /* failures ... */
	int64_t ssh_slow_window;    /* ... within this long window (slow brute force) */
	uint32_t fanout_hosts;	    /* outbound: distinct destinations on one port ... */
	int64_t fanout_window;	    /* ... within this many seconds */
	uint32_t max_keys;	    /* cap on tracked keys per table (LRU eviction) */
	uint32_t max_findings;	    /* cap on stored findings; 0 means the default */
};

/*
 * Fill cfg with the documented defaults (see docs/mamori-logs.1.scd and the
 * comment at the top of lib/detect/detect.c for where each comes from):
 * portscan 15 ports / 300 s, sweep 10 hosts / 300 s, service sweep 10
 * sources, ssh 5 failures / 600 s, slow 20 / 86400 s, 10 user names,
 * fan-out 20 hosts / 300 s, 200000 keys per table, 100000 findings.
 * A threshold of 0 disables its detector. Thresholds above 1024 and
 * windows above 10 days are clamped to those values.
 */
void mm_detect_cfg_defaults(struct mm_detect_cfg *cfg);

struct mm_detect_stats {
	uint64_t events;	   /* events fed */
	uint64_t evicted;	   /* keys evicted because a table was full */
	uint64_t keys;		   /* keys tracked at the end, summed over the tables */
	uint64_t keys_max;	   /* keys of the fullest table (<= cfg.max_keys) */
	uint64_t findings;	   /* findings stored */
	uint64_t findings_dropped; /* findings not stored because max_findings was reached */
	uint64_t ignored;	   /* per-source events without a usable source address */
	uint64_t alloc_failures;   /* allocations that failed (state was dropped) */
};

struct mm_detector;
struct mm_detector *mm_detector_new(const struct mm_detect_cfg *cfg);
void mm_detector_free(struct mm_detector *d);
/*
 * Feed one event. Events should come in time order; an event older than
 * the newest one seen is taken to happen at that newest time (its own time
 * is still used for first/last), so any step back is safe.
 */
void mm_detector_event(struct mm_detector *d, const struct mm_event *ev);
/*
 * Optional memory-latency hint for an event that will be fed soon: stage 0
 * touches the index slots its keys hash to, stage 1 (a few events later)
 * the entries those slots point at, stage 2 what those entries point at.
 * Changes no state; callers that feed events in batches call stage 0 about
 * 2k events ahead, stage 1 k ahead and stage 2 k/2 ahead.
 */
void mm_detector_prefetch(const struct mm_detector *d, const struct mm_event *ev, int stage);
/* Close open windows and compute period-wide findings (service sweeps). */
void mm_detector_finish(struct mm_detector *d);
/* Findings so far, in order of first appearance; owned by d. */
size_t mm_detector_findings(const struct mm_detector *d, const struct mm_finding **out);
void mm_detector_stats(const struct mm_detector *d, struct mm_detect_stats *out);

const char *mm_finding_kind_name(enum mm_finding_kind k);
const char *mm_scan_type_name(enum mm_scan_type t);

#endif
