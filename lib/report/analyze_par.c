/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_int.h"

/*
 * Parallel parsing of one large plain file. The mapped file is cut into
 * blocks at line boundaries; worker threads frame and parse blocks into
 * per-block item arrays; the calling thread consumes blocks strictly in
 * order and feeds detectors and summary, so results are identical to a
 * single-threaded run. Lines whose meaning depends on earlier lines (sshd
 * sessions) are deferred by the workers and parsed in order by the
 * calling thread's own parser. Memory is bounded by NSLOTS blocks in flight.
 */

#define BLOCK_BYTES (4u << 20)
#define NSLOTS 4

struct item {
	struct mm_event ev; /* valid when raw == NULL */
	const char *raw;    /* a deferred line */
	size_t rawn;
	uint64_t line; /* 1-based within the block */
};

enum slot_state { SLOT_FREE, SLOT_BUSY, SLOT_DONE };

struct slot {
	enum slot_state state;
	uint64_t seq;
	size_t end; /* file offset just after the block */
	struct item *items;
	size_t nitems, cap;
	uint64_t lines; /* lines in the block, including over-long ones */
	uint64_t too_long;
	int err;
};

struct par {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const char *data;
	size_t size, next_off, max_line;
	size_t released; /* pages before this offset were handed back */
	uint64_t next_seq, consumed;
	bool stop;
	struct slot slots[NSLOTS];
	const char *name;
	time_t mtime;
	int year;
	struct mm_logparser_stats wstats; /* summed over workers, under mu */
};

/*
 * Drop the mapped pages of consumed blocks from this process (they stay
 * in the page cache), so resident memory does not grow with the file.
 */
static void release_pages(struct par *p, size_t upto)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t end = upto / pg * pg;

	if (end > p->released) {
		madvise((void *)(uintptr_t)(p->data + p->released), end - p->released,
			MADV_DONTNEED);
		p->released = end;
	}
}

static int push(struct slot *s, struct item **out)
{
	if (s->nitems == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 4096;
		struct item *n = realloc(s->items, ncap * sizeof(*n));
		if (!n)
			return MM_ERR_NOMEM;
		s->items = n;
		s->cap = ncap;
	}
	*out = &s->items[s->nitems++];
	return 0;
}

/*
 * Tell a parser starting at off (just after a newline) which line came
 * before, as the reader would have framed it, for "last message repeated".
 */
static void set_prev(struct par *p, struct mm_logparser *lp, size_t off)
{
	size_t lim = off - 1 > p->max_line + 1 ? p->max_line + 1 : off - 1, n;
	const char *nl = lim ? memrchr(p->data + off - 1 - lim, '\n', lim) : NULL;
	const char *line = nl ? nl + 1 : p->data + off - 1 - lim;

	n = (size_t)(p->data + off - 1 - line);
	if (!nl && line != p->data)
		n = p->max_line + 1; /* longer than the cap: the reader skipped it */
	if (n > 0 && line[n - 1] == '\r')
		n--;
	mm_logparser_set_prev(lp, n > p->max_line ? NULL : line, n);
}

/* Frame and parse one block, as mm_reader does for the whole file. */
static void parse_block(struct par *p, struct mm_logparser *lp, struct slot *s, size_t off)
{
	const char *q = p->data + off, *end = p->data + s->end;
	struct item *it;
	int r;

	s->nitems = 0;
	s->lines = 0;
	s->too_long = 0;
	s->err = 0;
	if (off > 0)
		set_prev(p, lp, off);
	while (q < end) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		size_t n = nl ? (size_t)(nl - q) : (size_t)(end - q);
		const char *line = q;

		q += n + (nl ? 1 : 0);
		s->lines++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n > p->max_line) {
			mm_logparser_skip_long(lp);
			s->too_long++;
			continue;
		}
		if (push(s, &it) < 0) {
			s->err = MM_ERR_NOMEM;
			return;
		}
		r = mm_logparser_line(lp, line, n, s->lines, &it->ev);
		it->line = s->lines;
		if (r == MM_LP_DEFER) {
			it->raw = line;
			it->rawn = n;
		} else if (r == 1) {
			it->raw = NULL;
			/* further occurrences of a line that folds repeats */
			for (;;) {
				if (push(s, &it) < 0) {
					s->err = MM_ERR_NOMEM;
					return;
				}
				if (mm_logparser_next(lp, &it->ev) != 1) {
					s->nitems--;
					break;
				}
				it->raw = NULL;
				it->line = s->lines;
			}
		} else {
			s->nitems--;
		}
	}
}

/*
 * Claim the next block for slot (seq % NSLOTS); called with p->mu held.
 * Returns false when there is none to claim right now (the slot is busy)
 * or none left (*done).
 */
static bool claim(struct par *p, struct slot **out, size_t *off_out, bool *done)
{
	uint64_t seq = p->next_seq;
	struct slot *s = &p->slots[seq % NSLOTS];
	size_t off = p->next_off, end;
	const char *nl;

	*done = p->stop || p->next_off >= p->size;
	if (*done || seq >= p->consumed + NSLOTS || s->state != SLOT_FREE)
		return false;
	end = off + BLOCK_BYTES < p->size ? off + BLOCK_BYTES : p->size;
	if (end < p->size && (nl = memchr(p->data + end, '\n', p->size - end)))
		end = (size_t)(nl - p->data) + 1;
	else if (end < p->size)
		end = p->size;
	p->next_off = end;
	p->next_seq++;
	s->state = SLOT_BUSY;
	s->seq = seq;
	s->end = end;
	*out = s;
	*off_out = off;
	return true;
}

static struct mm_logparser *block_parser(struct par *p)
{
	struct mm_logparser *lp = mm_logparser_new();

	if (lp) {
		mm_logparser_set_defer(lp, true);
		mm_logparser_set_stable(lp, true);
		mm_logparser_begin(lp, p->name, p->mtime, p->year);
	}
	return lp;
}

static void add_parser_stats(struct par *p, const struct mm_logparser *lp)
{
	if (lp)
		mm_logparser_stats_add(&p->wstats, mm_logparser_stats(lp));
}

static void *worker(void *arg)
{
	struct par *p = arg;
	struct mm_logparser *lp = block_parser(p);
	struct slot *s;
	size_t off;
	bool done = false;

	pthread_mutex_lock(&p->mu);
	while (!done) {
		if (!claim(p, &s, &off, &done)) {
			if (!done)
				pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		pthread_mutex_unlock(&p->mu);
		if (lp)
			parse_block(p, lp, s, off);
		else
			s->err = MM_ERR_NOMEM;
		pthread_mutex_lock(&p->mu);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&p->cv);
	}
	add_parser_stats(p, lp);
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	mm_logparser_free(lp);
	return NULL;
}

/*
 * Feed a parsed block in order. Detector and summary lookups miss the
 * cache on almost every event (random sources, ports), so the lookups of
 * events LOOKAHEAD and 2*LOOKAHEAD ahead are started before each feed.
 */
#define LOOKAHEAD 16
static void consume(struct mm_analysis *a, struct mm_logparser *lp, struct slot *s, uint64_t base)
{
	size_t k, n = s->nitems;

	for (k = 0; k < n; k++) {
		struct item *it = &s->items[k];
		struct mm_event ev;

		if (k + 2 * LOOKAHEAD < n && !s->items[k + 2 * LOOKAHEAD].raw)
			mm_analysis_prefetch(a, &s->items[k + 2 * LOOKAHEAD].ev, 0);
		if (k + LOOKAHEAD < n && !s->items[k + LOOKAHEAD].raw)
			mm_analysis_prefetch(a, &s->items[k + LOOKAHEAD].ev, 1);
		if (it->raw) {
			int r = mm_logparser_line(lp, it->raw, it->rawn, base + it->line, &ev);
			while (r == 1) {
				mm_analysis_feed(a, &ev);
				r = mm_logparser_next(lp, &ev);
			}
		} else {
			it->ev.line += base;
			mm_analysis_feed(a, &it->ev);
		}
	}
}

int mm_analysis_par_file(struct mm_analysis *a, struct mm_logparser *lp, struct mm_report_input *in,
			 const char *data, size_t size, time_t mtime, unsigned nthreads,
			 struct mm_err *err)
{
	struct par *p = calloc(1, sizeof(*p));
	/* inline mode: this thread parses blocks itself, in order, with the
	 * stream's own parser, so nothing needs deferring */
	struct mm_logparser *ilp = NULL;
	uint64_t too_long = 0;
	pthread_t th[MM_MAX_THREADS];
	unsigned nth = 0, i;
	uint64_t seq, base = 0;
	int r = 0;

	if (!p)
		return mm_err_set(err, MM_ERR_NOMEM, "%s: out of memory", in->name);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->data = data;
	p->size = size;
	p->max_line = a->o.max_line;
	p->name = in->name;
	p->mtime = mtime;
	p->year = a->o.year;
	mm_logparser_begin(lp, in->name, mtime, a->o.year);
	mm_logparser_set_stable(lp, true); /* every line is in the mapping */
	for (i = 0; i < nthreads && i < MM_MAX_THREADS; i++) {
		if (pthread_create(&th[nth], NULL, worker, p) != 0)
			break;
		nth++;
	}
	if (nth == 0)
		ilp = lp;
	for (seq = 0;; seq++) {
		struct slot *s = &p->slots[seq % NSLOTS], *cs;
		size_t off;
		bool done;

		pthread_mutex_lock(&p->mu);
		if (ilp && claim(p, &cs, &off, &done)) {
			pthread_mutex_unlock(&p->mu);
			parse_block(p, ilp, cs, off);
			pthread_mutex_lock(&p->mu);
			cs->state = SLOT_DONE;
		}
		while (!(s->state == SLOT_DONE && s->seq == seq) &&
		       !(p->next_off >= p->size && seq >= p->next_seq))
			pthread_cond_wait(&p->cv, &p->mu);
		if (!(s->state == SLOT_DONE && s->seq == seq)) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		pthread_mutex_unlock(&p->mu);
		if (s->err < 0 && r == 0)
			r = mm_err_set(err, s->err, "%s: %s", in->name, mm_strerror(s->err));
		if (r == 0)
			consume(a, lp, s, base);
		base += s->lines;
		too_long += s->too_long;
		release_pages(p, s->end);
		if (a->o.on_progress)
			a->o.on_progress(a->o.ud, in->name, s->end, size);
		pthread_mutex_lock(&p->mu);
		s->state = SLOT_FREE;
		p->consumed++;
		if (r < 0)
			p->stop = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (r < 0)
			break;
	}
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);

	mm_logparser_set_stable(lp, false);
	mm_logparser_stats_add(&a->wstats, &p->wstats);
	in->lines = base;
	in->too_long = too_long;
	for (i = 0; i < NSLOTS; i++)
		free(p->slots[i].items);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
	return r;
}
