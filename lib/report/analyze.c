/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "analyze_int.h"
#include "mm_config.h"

#define MAX_INPUTS 4096
#define PROGRESS_EVERY 65536



void mm_analyze_opts_defaults(struct mm_analyze_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_line = 64 * 1024;
	mm_detect_cfg_defaults(&o->detect);
	o->max_sources = 500000;
	o->port = -1;
	o->proto = -1;
	o->top_n = 10;
	o->timeline_series = 6;
	o->timeline_max_hours = 72;
}

struct mm_analysis *mm_analysis_new(const struct mm_analyze_opts *o)
{
	struct mm_analysis *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->o = *o;
	a->lp = mm_logparser_new();
	a->det = mm_detector_new(&o->detect);
	a->sum = mm_summary_new(o->max_sources);
	a->inputs = calloc(MAX_INPUTS, sizeof(*a->inputs));
	if (!a->lp || !a->det || !a->sum || !a->inputs) {
		mm_analysis_free(a);
		return NULL;
	}
	return a;
}

void mm_analysis_free(struct mm_analysis *a)
{
	if (!a)
		return;
	mm_logparser_free(a->lp);
	mm_detector_free(a->det);
	mm_summary_free(a->sum);
	free(a->inputs);
	free(a->top_sources);
	free(a->top_ports);
	mm_timeline_release(&a->timeline);
	free(a);
}

static bool pass_filters(const struct mm_analyze_opts *o, const struct mm_event *ev)
{
	size_t i;

	if (o->since.set && (!ev->time.set || ev->time.us < o->since.us))
		return false;
	if (o->until.set && (!ev->time.set || ev->time.us > o->until.us))
		return false;
	if (o->port >= 0 && ev->dst_port != o->port)
		return false;
	if (o->proto >= 0 && ev->proto != o->proto)
		return false;
	if (o->nsrc) {
		for (i = 0; i < o->nsrc; i++)
			if (mm_prefix_contains(&o->src[i], &ev->src))
				return true;
		return false;
	}
	return true;
}

void mm_analysis_feed(struct mm_analysis *a, const struct mm_event *ev)
{
	if (!pass_filters(&a->o, ev)) {
		a->filtered++;
		return;
	}
	if (a->o.on_event)
		a->o.on_event(a->o.ud, ev);
	mm_detector_event(a->det, ev);
	mm_summary_event(a->sum, ev);
}

static struct mm_report_input *new_input(struct mm_analysis *a, const char *name)
{
	struct mm_report_input *in;

	if (a->ninputs >= MAX_INPUTS)
		return NULL;
	in = &a->inputs[a->ninputs++];
	memset(in, 0, sizeof(*in));
	in->name = name;
	return in;
}

/*
 * Threads pay off only on large inputs mapped whole; --year makes year
 * inference depend on line order across the file, so it stays serial.
 */
#define PAR_MIN_BYTES (32u << 20)
static unsigned threads_for(const struct mm_analysis *a, const struct mm_reader *rd,
			    const char **data, size_t *size)
{
	long ncpu;
	unsigned t = a->o.threads;

	if (t == 1 || a->o.year || !mm_reader_mapped(rd, data, size) || *size < PAR_MIN_BYTES)
		return 1;
	if (t == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		t = ncpu < 1 ? 1 : ncpu > MM_MAX_THREADS ? MM_MAX_THREADS : (unsigned)ncpu;
	}
	return t > MM_MAX_THREADS ? MM_MAX_THREADS : t;
}

/* Keep the reason an input failed for the report, and pass the code on. */
static int input_failed(struct mm_report_input *in, int r, const struct mm_err *err)
{
	in->error = r;
	snprintf(in->errmsg, sizeof(in->errmsg), "%s",
		 err && err->msg[0] ? err->msg : mm_strerror(r));
	return r;
}

int mm_analysis_add_file(struct mm_analysis *a, const char *path, struct mm_err *err)
{
	struct mm_report_input *in = new_input(a, path);
	struct mm_reader *rd = NULL;
	struct mm_event ev;
	const char *line, *data;
	size_t n, size;
	uint64_t k, long_before = 0;
	unsigned nthreads;
	int r;

	if (!in)
		return mm_err_set(err, MM_ERR_TOOBIG, "%s: too many inputs (max %d)", path, MAX_INPUTS);
	r = mm_reader_open(path, a->o.max_line, &rd, err);
	if (r < 0)
		goto fail;
	nthreads = threads_for(a, rd, &data, &size);
	if (nthreads > 1) {
		r = mm_analysis_par_file(a, in, data, size, mm_reader_mtime(rd), nthreads, err);
		mm_reader_free(rd);
		if (r < 0)
			goto fail;
		return 0;
	}
	mm_logparser_begin(a->lp, path, mm_reader_mtime(rd), a->o.year);
	for (k = 0;; k++) {
		r = mm_reader_next(rd, &line, &n, err);
		if (r <= 0)
			break;
		if (mm_logparser_line(a->lp, line, n, mm_reader_lineno(rd), &ev) == 1)
			mm_analysis_feed(a, &ev);
		if (a->o.on_progress && k % PROGRESS_EVERY == 0)
			a->o.on_progress(a->o.ud, path, mm_reader_pos(rd), mm_reader_size(rd));
	}
	for (long_before = mm_reader_too_long(rd); long_before > 0; long_before--)
		mm_logparser_skip_long(a->lp);
	in->lines = mm_reader_lineno(rd);
	in->too_long = mm_reader_too_long(rd);
	if (a->o.on_progress)
		a->o.on_progress(a->o.ud, path, mm_reader_size(rd), mm_reader_size(rd));
	mm_reader_free(rd);
	if (r < 0)
		goto fail;
	return 0;
fail:
	return input_failed(in, r, err);
}

int mm_analysis_add_journal(struct mm_analysis *a, const char *dir, struct mm_err *err)
{
	struct mm_report_input *in = new_input(a, "journal");
	struct mm_journal *j = NULL;
	struct mm_event ev;
	const char *line;
	size_t n;
	uint64_t lineno = 0;
	int r;

	if (!in)
		return mm_err_set(err, MM_ERR_TOOBIG, "too many inputs");
	r = mm_journal_open(dir, &j, err);
	if (r < 0)
		goto fail;
	mm_logparser_begin(a->lp, "journal", 0, a->o.year);
	while ((r = mm_journal_next(j, &line, &n, err)) > 0) {
		lineno++;
		if (n > a->o.max_line) {
			mm_logparser_skip_long(a->lp);
			in->too_long++;
			continue;
		}
		if (mm_logparser_line(a->lp, line, n, lineno, &ev) == 1)
			mm_analysis_feed(a, &ev);
	}
	in->lines = lineno;
	mm_journal_free(j);
	if (r < 0)
		goto fail;
	return 0;
fail:
	return input_failed(in, r, err);
}

int mm_analysis_report(struct mm_analysis *a, struct mm_report *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if (!a->finished) {
		mm_detector_finish(a->det);
		a->top_sources = calloc(a->o.top_n ? a->o.top_n : 1, sizeof(*a->top_sources));
		a->top_ports = calloc(a->o.top_n ? a->o.top_n : 1, sizeof(*a->top_ports));
		if (!a->top_sources || !a->top_ports)
			return MM_ERR_NOMEM;
		r = mm_summary_timeline(a->sum, a->o.timeline_series, a->o.timeline_max_hours,
					&a->timeline);
		if (r < 0)
			return r;
		a->finished = true;
	}
	out->version = MM_VERSION;
	out->inputs = a->inputs;
	out->ninputs = a->ninputs;
	out->lines = *mm_logparser_stats(a->lp);
	out->lines.lines += a->wstats.lines;
	out->lines.used += a->wstats.used;
	out->lines.unknown += a->wstats.unknown;
	out->lines.too_long += a->wstats.too_long;
	out->lines.suspicious += a->wstats.suspicious;
	out->filtered = a->filtered;
	mm_summary_totals(a->sum, &out->totals);
	out->nfindings = mm_detector_findings(a->det, &out->findings);
	mm_detector_stats(a->det, &out->detect);
	out->top_sources = a->top_sources;
	out->ntop_sources = mm_summary_top_sources(a->sum, a->top_sources, a->o.top_n);
	out->top_ports = a->top_ports;
	out->ntop_ports = mm_summary_top_ports(a->sum, a->top_ports, a->o.top_n);
	out->timeline = &a->timeline;
	return 0;
}
