/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_ANALYZE_H
#define MAMORI_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>

#include "mamori/addr.h"
#include "mamori/detect.h"
#include "mamori/enrich.h"
#include "mamori/error.h"
#include "mamori/report.h"

/*
 * The `mamori logs` pipeline wired together: inputs -> line pipeline ->
 * filters -> detectors and summary. Callers add inputs one by one (files
 * in the order given, rotated sets already expanded oldest first), then
 * build the report. The pipeline never prints; per-event output and
 * progress go through the callbacks.
 */
/* Who the sources are: settings of the enrichment step (mm_analysis_enrich). */
struct mm_enrich_opts {
	char geo_dir[512];    /* holds country.mmdb and asn.mmdb */
	char country_db[512]; /* overrides geo_dir/country.mmdb */
	char asn_db[512];     /* overrides geo_dir/asn.mmdb */
	bool no_geo;
	char dnsbl_zones[1024]; /* comma-separated zones; empty: no DNSBL queries */
	/* meanings of answers: "zone:2=SBL,4=XBL;zone2:2=spam" */
	char dnsbl_codes[2048];
	bool rdns;
	char dns_server[256]; /* "127.0.0.1:53"; empty: /etc/resolv.conf */
	struct mm_resolver_opts resolver;
	uint32_t dns_max; /* most addresses sent to DNS (top sources and findings first) */
	char country[3];  /* --country: focus on this country's sources */
};

struct mm_analyze_opts {
	int year;	 /* --year, 0 to infer from file mtimes */
	size_t max_line; /* line length cap (bytes) */
	struct mm_detect_cfg detect;
	uint32_t max_sources; /* cap of the per-source summary table */
	/* filters: events outside them are counted as filtered and dropped */
	struct mm_time since, until; /* .set when given */
	const struct mm_prefix *src; /* any of nsrc prefixes */
	size_t nsrc;
	int port;  /* destination port, -1 for any */
	int proto; /* IP protocol number, -1 for any */
	/* callbacks, may be NULL */
	void (*on_event)(void *ud, const struct mm_event *ev);
	void (*on_progress)(void *ud, const char *name, uint64_t done, uint64_t total);
	void *ud;
	unsigned
	    threads;  /* parser threads for large plain files; 0 = one per CPU (max 4), 1 = none */
	size_t top_n; /* rows in top sources / ports */
	size_t timeline_series;	      /* services in the timeline */
	size_t timeline_max_hours;    /* hourly buckets up to this period, daily beyond */
	struct mm_enrich_opts enrich; /* used by mm_analysis_enrich(); set by the config too */
};

void mm_analyze_opts_defaults(struct mm_analyze_opts *o);

void mm_enrich_opts_defaults(struct mm_enrich_opts *o);

struct mm_analysis;

/*
 * Enrich an assembled report (after mm_analysis_report): country, network
 * and hosting of every tracked source and finding source, grouped; DNSBL
 * and reverse DNS of top and finding sources when asked. Never fails the
 * report: what could not be done is said in rep->enrich (geo_status, DNS
 * failure counts). Fills rep->enrich; with a country focus also narrows
 * rep->top_sources and rep->findings to that country. Returns 0 or MM_ERR_NOMEM.
 */
int mm_analysis_enrich(struct mm_analysis *a, const struct mm_enrich_opts *o,
		       struct mm_report *rep);

struct mm_analysis;
struct mm_analysis *mm_analysis_new(const struct mm_analyze_opts *o);
void mm_analysis_free(struct mm_analysis *a);
/*
 * Register an input (path, or "-" for stdin). same_stream=true appends it
 * to the previous file's stream (a rotated set, oldest first); otherwise
 * it starts a new stream. Nothing is read until mm_analysis_run(). path
 * must stay valid until mm_analysis_free().
 */
int mm_analysis_add_file(struct mm_analysis *a, const char *path, bool same_stream,
			 struct mm_err *err);
/* Register the systemd journal (kernel and sshd entries; dir NULL: local). */
int mm_analysis_add_journal(struct mm_analysis *a, const char *dir, struct mm_err *err);
/*
 * Read every stream, merged by time so detectors see one timeline. An
 * input that cannot be read is recorded (with its message) in the
 * report's inputs and skipped. Returns how many inputs failed, or a
 * negative MM_ERR_* when the run itself could not proceed.
 */
int mm_analysis_run(struct mm_analysis *a);
/*
 * Close windows and assemble the report. Pointers in *out stay valid until
 * mm_analysis_free().
 */
int mm_analysis_report(struct mm_analysis *a, struct mm_report *out);

#endif
