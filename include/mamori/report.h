/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_REPORT_H
#define MAMORI_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mamori/detect.h"
#include "mamori/enrich.h"
#include "mamori/event.h"
#include "mamori/logs.h"

/*
 * Period-wide aggregates for the report: what was seen, from whom, on
 * which ports, when. Bounded: sources beyond max_sources and timeline
 * cells beyond max_cells are counted as untracked, never allocated.
 */
struct mm_source_stat {
	struct mm_addr addr;
	uint64_t events, packets, auth_failures, auth_successes, probes;
	int64_t first_us, last_us;
};

struct mm_port_stat {
	int proto; /* 6 or 17 */
	int port;
	uint64_t packets;
};

/* One row of the timeline: packets per bucket for one service. */
struct mm_series {
	int proto; /* 6/17 for ports; 0 for the "ssh auth failures" row */
	int port;
	uint64_t total;
	uint64_t *counts; /* nbuckets entries */
};

struct mm_timeline {
	int64_t start_us;  /* start of the first bucket (UTC, bucket aligned in the log's offset) */
	int64_t bucket_us; /* 3600e6 or 86400e6 */
	int16_t off;	   /* UTC offset buckets are aligned to */
	size_t nbuckets;
	size_t nseries;
	struct mm_series *series;
};

struct mm_summary;
struct mm_summary *mm_summary_new(uint32_t max_sources);
void mm_summary_free(struct mm_summary *s);
void mm_summary_event(struct mm_summary *s, const struct mm_event *ev);
/* Memory-latency hint for an event that will be fed soon; changes nothing. */
void mm_summary_prefetch(const struct mm_summary *s, const struct mm_event *ev);

struct mm_summary_totals {
	uint64_t by_kind[MM_EV_SUSPICIOUS + 1];
	struct mm_time first, last; /* period covered by events */
	uint64_t sources;	    /* distinct sources tracked */
	uint64_t sources_untracked; /* events from sources beyond the cap */
	uint64_t cells_untracked;   /* timeline cells beyond the cap */
};
void mm_summary_totals(const struct mm_summary *s, struct mm_summary_totals *out);
/* Top n sources by events, most first. Returns count written to out. */
size_t mm_summary_top_sources(const struct mm_summary *s, struct mm_source_stat *out, size_t n);
/* Call fn for every tracked source (order unspecified). */
void mm_summary_foreach_source(const struct mm_summary *s,
			       void (*fn)(void *ud, const struct mm_source_stat *st), void *ud);
/* Top n inbound destination ports by packets. */
size_t mm_summary_top_ports(const struct mm_summary *s, struct mm_port_stat *out, size_t n);
/* Timeline of the top nseries ports (plus ssh auth failures when any),
 * hourly when the period is at most max_hours long, else daily.
 * Caller releases with mm_timeline_release(). */
int mm_summary_timeline(const struct mm_summary *s, size_t nseries, size_t max_hours,
			struct mm_timeline *out);
void mm_timeline_release(struct mm_timeline *t);

/* ---- The report ----------------------------------------------------- */

struct mm_report_input {
	const char *name;
	uint64_t lines, too_long;
	int error; /* MM_ERR_* when the input could not be read */
	char errmsg[512];
};

/* ---- Enrichment of a report (who the sources are) ------------------- */

/* What mamori knows about one source address. */
struct mm_source_info {
	struct mm_addr addr;
	struct mm_geo_info geo;
	struct mm_hosting_result hosting;
	uint32_t dnsbl_listed; /* bit z set: listed on zone z */
	uint32_t dnsbl_failed; /* bit z set: the query failed (timeout, SERVFAIL) */
	uint8_t dnsbl_code[MM_DNSBL_MAX_ZONES]; /* last octet of 127.0.0.x when listed */
	struct mm_rdns_result rdns; /* status MM_DNS_ERROR with name "" when not asked */
	bool rdns_asked;
};

/* Sources grouped by country, network or hosting category. */
struct mm_group_stat {
	char key[16];	 /* "JP", "AS9370", "hosting"; "??" when unknown */
	char label[128]; /* organisation for networks, else empty */
	uint64_t sources, events, packets, auth_failures;
	/* distinct sources of findings of each kind (index: enum mm_finding_kind) */
	uint32_t finding_sources[MM_FIND_FORGED_LOG + 1];
};

/* A breakdown of the sources of one group of findings (kind + service). */
struct mm_finding_group {
	enum mm_finding_kind kind;
	int proto, port; /* -1 when the kind has no port */
	uint32_t sources;
	uint32_t hosting;		       /* of which on hosting networks */
	uint32_t listed;		       /* of which listed on any DNSBL */
	struct mm_group_stat top_countries[5]; /* by sources */
	size_t ntop_countries;
};

struct mm_enrichment {
	const char *geo_status; /* describes the geo data, or why it is unavailable */
	bool have_geo;
	const struct mm_source_info *top; /* parallel to mm_report.top_sources */
	const struct mm_source_info
	    *finding_src; /* parallel to mm_report.findings (addr family 0 when none) */
	const struct mm_group_stat *countries;
	size_t ncountries;
	const struct mm_group_stat *networks;
	size_t nnetworks;
	struct mm_group_stat hosting[3]; /* index enum mm_hosting */
	const struct mm_finding_group *groups;
	size_t ngroups;
	/* DNSBL: zone names, share listed among checked sources, failures */
	const struct mm_dnsbl_zone *zones;
	size_t nzones;
	uint64_t dnsbl_checked;
	uint64_t dnsbl_listed[MM_DNSBL_MAX_ZONES];
	struct mm_dnsbl_stats dnsbl;
	const char *country_filter; /* --country CC, or NULL */
	const char *attribution;    /* data licences to show in the footer */
};

/* Everything a renderer needs; the renderers only format. */
struct mm_report {
	const char *version;
	const struct mm_report_input *inputs;
	size_t ninputs;
	struct mm_logparser_stats lines;
	uint64_t filtered; /* events dropped by --since/--until/--src/--port/--proto */
	struct mm_summary_totals totals;
	const struct mm_finding *findings;
	size_t nfindings;
	struct mm_detect_stats detect;
	const struct mm_source_stat *top_sources;
	size_t ntop_sources;
	const struct mm_port_stat *top_ports;
	size_t ntop_ports;
	const struct mm_timeline *timeline;
	const struct mm_enrichment *enrich; /* NULL when no enrichment ran */
};

/* Terminal report. color: use ANSI colours. width: terminal columns. */
int mm_report_text(const struct mm_report *r, FILE *out, bool color, int width);
/* The whole report as one JSON document (schema: docs/report-schema.md). */
int mm_report_json(const struct mm_report *r, FILE *out);
/*
 * One self-contained HTML page: inline CSS and SVG charts drawn by mamori,
 * no external fetches. Reads well on screen and on paper.
 */
int mm_report_html(const struct mm_report *r, FILE *out);
/* One finding as a JSON object (no newline), as in --findings. */
int mm_finding_to_json(const struct mm_finding *f, struct mm_buf *out);

#endif
