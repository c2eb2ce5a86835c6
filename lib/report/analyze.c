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
	mm_enrich_opts_defaults(&o->enrich);
}

struct mm_analysis *mm_analysis_new(const struct mm_analyze_opts *o)
{
	struct mm_analysis *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->o = *o;
	a->det = mm_detector_new(&o->detect);
	a->sum = mm_summary_new(o->max_sources);
	a->inputs = calloc(MAX_INPUTS, sizeof(*a->inputs));
	a->streams = calloc(MAX_INPUTS, sizeof(*a->streams));
	if (!a->streams || !a->det || !a->sum || !a->inputs) {
		mm_analysis_free(a);
		return NULL;
	}
	return a;
}

void mm_analysis_free(struct mm_analysis *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; a->streams && i < a->nstreams; i++) {
		mm_reader_free(a->streams[i].rd);
		mm_journal_free(a->streams[i].j);
		mm_logparser_free(a->streams[i].lp);
	}
	free(a->streams);
	mm_enrich_state_free(a->enrich);
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

void mm_analysis_prefetch(const struct mm_analysis *a, const struct mm_event *ev, int stage)
{
	mm_detector_prefetch(a->det, ev, stage);
	if (stage == 1)
		mm_summary_prefetch(a->sum, ev);
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
 * Large plain files are read in blocks (parsed ahead, by worker threads
 * when there are several CPUs, and fed with prefetching); --year makes
 * year inference depend on line order across the file, so it stays line
 * by line. Returns the number of worker threads, or NO_BLOCKS.
 */
#define PAR_MIN_BYTES (32u << 20)
#define NO_BLOCKS UINT32_MAX
static unsigned threads_for(const struct mm_analysis *a, const struct mm_reader *rd, int *fd,
			    uint64_t *size)
{
	long ncpu;
	unsigned t = a->o.threads;

	if (a->o.year || !mm_reader_plain_file(rd, fd, size) || *size < PAR_MIN_BYTES)
		return NO_BLOCKS;
	if (t == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		t = ncpu < 1 ? 1 : ncpu > MM_MAX_THREADS ? MM_MAX_THREADS : (unsigned)ncpu;
	}
	/* one thread: this thread parses blocks itself; more: that many workers */
	return t <= 1 ? 0 : t > MM_MAX_THREADS ? MM_MAX_THREADS : t;
}

/* Keep the reason an input failed for the report, and pass the code on. */
static int input_failed(struct mm_report_input *in, int r, const struct mm_err *err)
{
	in->error = r;
	snprintf(in->errmsg, sizeof(in->errmsg), "%s",
		 err && err->msg[0] ? err->msg : mm_strerror(r));
	return r;
}

int mm_analysis_add_file(struct mm_analysis *a, const char *path, bool same_stream,
			 struct mm_err *err)
{
	struct mm_report_input *in = new_input(a, path);
	struct stream *st;

	if (!in)
		return mm_err_set(err, MM_ERR_TOOBIG, "%s: too many inputs (max %d)", path,
				  MAX_INPUTS);
	if (same_stream && a->nstreams && !a->streams[a->nstreams - 1].journal) {
		a->streams[a->nstreams - 1].n++;
		return 0;
	}
	st = &a->streams[a->nstreams++];
	memset(st, 0, sizeof(*st));
	st->in = in;
	st->n = 1;
	return 0;
}

int mm_analysis_add_journal(struct mm_analysis *a, const char *dir, struct mm_err *err)
{
	struct mm_report_input *in = new_input(a, "journal");
	struct stream *st;

	if (!in)
		return mm_err_set(err, MM_ERR_TOOBIG, "journal: too many inputs");
	st = &a->streams[a->nstreams++];
	memset(st, 0, sizeof(*st));
	st->in = in;
	st->n = 1;
	st->journal = true;
	st->jdir = dir;
	return 0;
}

/* Close the current input of st and account for it. */
static void close_input(struct mm_analysis *a, struct stream *st)
{
	struct mm_report_input *in = &st->in[st->cur];
	uint64_t k;

	if (st->rd) {
		in->lines = mm_reader_lineno(st->rd);
		in->too_long = mm_reader_too_long(st->rd);
		for (k = 0; k < in->too_long; k++)
			mm_logparser_skip_long(st->lp);
		if (a->o.on_progress)
			a->o.on_progress(a->o.ud, in->name, mm_reader_size(st->rd),
					 mm_reader_size(st->rd));
		mm_reader_free(st->rd);
		st->rd = NULL;
	}
	if (st->j) {
		in->lines = st->jline;
		mm_journal_free(st->j);
		st->j = NULL;
	}
	st->opened = false;
	st->cur++;
}

/* Open the current input of st; a failure is recorded and the input skipped. */
static int open_input(struct mm_analysis *a, struct stream *st)
{
	struct mm_report_input *in = &st->in[st->cur];
	struct mm_err err = {0};
	int r;

	if (st->journal) {
		r = mm_journal_open(st->jdir, &st->j, &err);
		mm_logparser_begin(st->lp, "journal", 0, a->o.year);
	} else {
		r = mm_reader_open(in->name, a->o.max_line, &st->rd, &err);
		if (r == 0)
			mm_logparser_begin(st->lp, in->name, mm_reader_mtime(st->rd), a->o.year);
	}
	if (r < 0) {
		input_failed(in, r, &err);
		a->failed++;
		st->cur++;
		return r;
	}
	st->opened = true;
	return 0;
}

/* Move st to its next event; st->done when it has none left. */
static void advance(struct mm_analysis *a, struct stream *st)
{
	struct mm_err err = {0};
	const char *line;
	size_t n;
	int r;

	st->have = false;
	/* the occurrences a line that folds repeats stands for, before reading on */
	if (st->opened && mm_logparser_next(st->lp, &st->ev) == 1) {
		st->have = true;
		return;
	}
	while (!st->done) {
		if (!st->opened) {
			if (st->cur >= st->n) {
				st->done = true;
				return;
			}
			open_input(a, st);
			continue;
		}
		if (st->journal) {
			r = mm_journal_next(st->j, &line, &n, &err);
			if (r > 0 && n > a->o.max_line) {
				st->jline++;
				st->in[st->cur].too_long++;
				mm_logparser_skip_long(st->lp);
				continue;
			}
			if (r > 0)
				st->jline++;
		} else {
			r = mm_reader_next(st->rd, &line, &n, &err);
		}
		if (r <= 0) {
			if (r < 0) {
				input_failed(&st->in[st->cur], r, &err);
				a->failed++;
			}
			close_input(a, st);
			continue;
		}
		if (!st->journal && a->o.on_progress && st->k++ % PROGRESS_EVERY == 0)
			a->o.on_progress(a->o.ud, st->in[st->cur].name, mm_reader_pos(st->rd),
					 mm_reader_size(st->rd));
		if (mm_logparser_line(st->lp, line, n,
				      st->journal ? st->jline : mm_reader_lineno(st->rd),
				      &st->ev) == 1) {
			if (st->ev.time.set)
				st->last_us = st->ev.time.us;
			st->have = true;
			return;
		}
	}
}

/* One large plain file alone: parse it on several threads. */
static bool try_parallel(struct mm_analysis *a, struct stream *st)
{
	struct mm_err err = {0};
	uint64_t size;
	unsigned nthreads;
	int fd, r;

	if (open_input(a, st) < 0)
		return true;
	nthreads = threads_for(a, st->rd, &fd, &size);
	if (nthreads == NO_BLOCKS)
		return false;
	r = mm_analysis_par_file(a, st->lp, &st->in[st->cur], fd, size, mm_reader_mtime(st->rd),
				 nthreads, &err);
	if (r < 0) {
		input_failed(&st->in[st->cur], r, &err);
		a->failed++;
	}
	mm_reader_free(st->rd);
	st->rd = NULL;
	st->done = true;
	return true;
}

int mm_analysis_run(struct mm_analysis *a)
{
	size_t i;

	for (i = 0; i < a->nstreams; i++) {
		a->streams[i].lp = mm_logparser_new();
		if (!a->streams[i].lp)
			return MM_ERR_NOMEM;
	}
	if (a->nstreams == 1 && a->streams[0].n == 1 && !a->streams[0].journal &&
	    strcmp(a->streams[0].in[0].name, "-") != 0 && try_parallel(a, &a->streams[0]))
		goto out;
	for (i = 0; i < a->nstreams; i++)
		advance(a, &a->streams[i]);
	/*
	 * Merge the streams by time, so detectors see one timeline even when
	 * kern.log and auth.log are given one after the other.
	 */
	for (;;) {
		struct stream *best = NULL;
		for (i = 0; i < a->nstreams; i++) {
			struct stream *st = &a->streams[i];
			int64_t t;
			if (!st->have)
				continue;
			t = st->ev.time.set ? st->ev.time.us : st->last_us;
			if (!best || t < (best->ev.time.set ? best->ev.time.us : best->last_us))
				best = st;
		}
		if (!best)
			break;
		mm_analysis_feed(a, &best->ev);
		advance(a, best);
	}
out:
	for (i = 0; i < a->nstreams; i++) {
		mm_logparser_stats_add(&a->wstats, mm_logparser_stats(a->streams[i].lp));
		mm_logparser_free(a->streams[i].lp);
		a->streams[i].lp = NULL;
	}
	return a->failed;
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
	out->lines = a->wstats;
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
