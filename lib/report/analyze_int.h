/* SPDX-License-Identifier: MIT */
#ifndef MM_ANALYZE_INT_H
#define MM_ANALYZE_INT_H

/* Internals shared by analyze.c and analyze_par.c. */
#include <time.h>

#include "mamori/analyze.h"
#include "mamori/logs.h"

#define MM_MAX_THREADS 4

struct mm_analysis {
	struct mm_analyze_opts o;
	struct mm_logparser *lp;
	struct mm_detector *det;
	struct mm_summary *sum;
	struct mm_report_input *inputs;
	size_t ninputs;
	uint64_t filtered;
	struct mm_source_stat *top_sources;
	struct mm_port_stat *top_ports;
	struct mm_timeline timeline;
	bool finished;
	struct mm_logparser_stats wstats; /* lines parsed by worker threads */
};

/* Filter one event and hand it to the callbacks, detectors and summary. */
void mm_analysis_feed(struct mm_analysis *a, const struct mm_event *ev);
/* Parse a mapped plain file with nthreads worker threads (analyze_par.c). */
int mm_analysis_par_file(struct mm_analysis *a, struct mm_report_input *in, const char *data,
			 size_t size, time_t mtime, unsigned nthreads, struct mm_err *err);

#endif
