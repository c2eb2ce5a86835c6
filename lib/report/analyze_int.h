/* SPDX-License-Identifier: MIT */
#ifndef MM_ANALYZE_INT_H
#define MM_ANALYZE_INT_H

/* Internals shared by analyze.c and analyze_par.c. */
#include <time.h>

#include "mamori/analyze.h"
#include "mamori/logs.h"

#define MM_MAX_THREADS 4

/*
 * A stream is one time-ordered source: a file with its rotated siblings
 * (oldest first) or the journal. Each has its own line pipeline, so sshd
 * sessions are tracked per stream, and holds at most one parsed event.
 */
struct stream {
	struct mm_report_input *in; /* inputs of this stream: in[0..n) */
	size_t n, cur;
	bool journal;
	const char *jdir;
	struct mm_reader *rd;
	struct mm_journal *j;
	struct mm_logparser *lp;
	uint64_t jline, k;
	struct mm_event ev;
	bool have, done, opened;
	int64_t last_us; /* time of the last event, for events without one */
};

struct mm_analysis {
	struct mm_analyze_opts o;
	struct stream *streams;
	size_t nstreams;
	int failed; /* inputs that could not be read */
	struct mm_detector *det;
	struct mm_summary *sum;
	struct mm_report_input *inputs;
	size_t ninputs;
	uint64_t filtered;
	struct mm_source_stat *top_sources;
	struct mm_port_stat *top_ports;
	struct mm_timeline timeline;
	bool finished;
	struct mm_enrich_state *enrich;	  /* enrich_report.c */
	struct mm_logparser_stats wstats; /* lines of all streams and worker threads */
};

struct mm_enrich_state;
void mm_enrich_state_free(struct mm_enrich_state *st);
/* Start the memory lookups an event will need (stage 0, then 1); see mm_detector_prefetch. */
void mm_analysis_prefetch(const struct mm_analysis *a, const struct mm_event *ev, int stage);
/* Filter one event and hand it to the callbacks, detectors and summary. */
void mm_analysis_feed(struct mm_analysis *a, const struct mm_event *ev);
/* Parse a plain regular file (fd, its size when opened) in blocks with
 * nthreads worker threads, or on this thread when nthreads is 0 (analyze_par.c). */
int mm_analysis_par_file(struct mm_analysis *a, struct mm_logparser *lp, struct mm_report_input *in,
			 int fd, uint64_t size, time_t mtime, unsigned nthreads,
			 struct mm_err *err);

#endif
