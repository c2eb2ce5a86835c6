/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze_int.h"

/*
 * Parallel parsing of one large plain file. The file is cut into fixed
 * byte ranges; a block holds the lines that start in its range. Worker
 * threads read their block with pread(2) (the range, the byte before it to
 * see whether a line starts right at it, and the end of the last line,
 * which may run past the range), frame and parse it into a per-block item
 * array; the calling thread consumes blocks strictly in order and feeds
 * detectors and summary, so results are identical to a single-threaded
 * run. Lines whose meaning depends on earlier lines (sshd sessions) are
 * deferred by the workers and parsed in order by the calling thread's own
 * parser. Memory is bounded by NSLOTS blocks in flight.
 *
 * Nothing is mapped: a file truncated while being read (logrotate's
 * copytruncate) gives a short read, reported as an error naming the file,
 * where a mapping would have killed the process with SIGBUS.
 */

#define BLOCK_BYTES (1u << 20) /* with its items, small enough to stay in cache */
/*
 * Parsed inline, a block's events are fed right after it is parsed: they
 * should still be in the core's own cache then. An event takes about 2.5
 * times the bytes of a short (sshd) line, so the block is smaller.
 */
#define INLINE_BLOCK_BYTES (1u << 17)
#define NSLOTS 4
#define PREV_PROBE 4096 /* bytes read back for the line before a block, at first */

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
	uint64_t start, end; /* the range: lines starting in [start, end) */
	char *buf;	     /* the bytes read, from start - 1 (or 0) */
	size_t cap;
	char *prev; /* the line before the block's first line */
	size_t prev_cap;
	struct item *items;
	size_t nitems, icap;
	uint64_t lines; /* lines in the block, including over-long ones */
	uint64_t too_long;
	int err;
	char errmsg[160];
};

struct par {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fd;
	uint64_t size, next_off;
	uint32_t block; /* bytes per block */
	size_t max_line;
	uint64_t next_seq, consumed;
	bool stop;
	struct slot slots[NSLOTS];
	const char *name;
	time_t mtime;
	int year;
	struct mm_logparser_stats wstats; /* summed over workers, under mu */
};

static int push(struct slot *s, struct item **out)
{
	if (MM_GROW(s->items, s->icap, s->nitems, 4096) < 0)
		return MM_ERR_NOMEM;
	*out = &s->items[s->nitems++];
	return 0;
}

/* Read exactly n bytes at off (fewer only at the end of the file as it
 * was when opened, which is then a truncation). Returns bytes read or <0. */
static ssize_t read_at(struct par *p, struct slot *s, char *dst, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(p->fd, dst + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			s->err = MM_ERR_IO;
			snprintf(s->errmsg, sizeof(s->errmsg), "read: %s", strerror(errno));
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got < n && off + got < p->size) {
		struct stat st;
		unsigned long long now = fstat(p->fd, &st) == 0 ? (unsigned long long)st.st_size
								: (unsigned long long)(off + got);
		s->err = MM_ERR_IO;
		snprintf(s->errmsg, sizeof(s->errmsg),
			 "truncated while being read (now %llu bytes, was %llu; rotated with "
			 "copytruncate?): the rest was not read",
			 now, (unsigned long long)p->size);
	}
	return (ssize_t)got;
}

/*
 * Tell the parser which line came before the block's first line (it ends
 * just before first, at a newline), as the reader would have framed it,
 * for "last message repeated". Read back a little, then up to the cap.
 */
static void set_prev(struct par *p, struct mm_logparser *lp, struct slot *s, uint64_t first)
{
	uint64_t end = first - 1; /* the newline */
	size_t want = PREV_PROBE, n;
	const char *line = NULL, *nl;
	ssize_t got;

	for (;;) {
		if (want > p->max_line + 1)
			want = p->max_line + 1;
		if (want > end)
			want = (size_t)end;
		if (s->prev_cap < want + 1) {
			char *b = realloc(s->prev, want + 1);
			if (!b)
				break;
			s->prev = b;
			s->prev_cap = want + 1;
		}
		got = read_at(p, s, s->prev, want, end - want);
		if (got < 0 || (size_t)got != want)
			break;
		nl = want ? memrchr(s->prev, '\n', want) : NULL;
		if (nl || want == end) {
			line = nl ? nl + 1 : s->prev;
			break;
		}
		if (want >= p->max_line + 1)
			break; /* longer than the cap: the reader skipped it */
		want = p->max_line + 1;
	}
	n = line ? (size_t)(s->prev + want - line) : 0;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	mm_logparser_set_prev(lp, line && n <= p->max_line ? line : NULL, n);
}

/* Frame and parse one block, as mm_reader does for the whole file. */
static void parse_block(struct par *p, struct mm_logparser *lp, struct slot *s)
{
	uint64_t from = s->start ? s->start - 1 : 0;
	size_t range = (size_t)(s->end - from), len, extra;
	const char *q, *end, *rend;
	uint64_t end_off;
	struct item *it;
	ssize_t got;
	int r;

	s->nitems = 0;
	s->lines = 0;
	s->too_long = 0;
	s->err = 0;
	s->errmsg[0] = '\0';
	/* the range, and room for the end of a line that starts in it */
	if (s->cap < range + p->max_line + 2) {
		char *b = realloc(s->buf, range + p->max_line + 2);
		if (!b) {
			s->err = MM_ERR_NOMEM;
			return;
		}
		s->buf = b;
		s->cap = range + p->max_line + 2;
	}
	got = read_at(p, s, s->buf, range, from);
	if (got < 0)
		return;
	len = (size_t)got;
	q = s->buf;
	rend = s->buf + len; /* lines starting before rend are ours */
	if (s->start) {
		/* a line starts at start only if the byte before it ends one */
		const char *nl = memchr(q, '\n', len);
		q = nl ? nl + 1 : rend;
		if (q < rend)
			set_prev(p, lp, s, from + (uint64_t)(q - s->buf));
	}
	/* the last line may run past the range: read up to the cap beyond */
	end = rend;
	if (len == range && s->end < p->size && q < rend && rend[-1] != '\n') {
		extra = p->max_line + 2;
		if (extra > p->size - s->end)
			extra = (size_t)(p->size - s->end);
		got = read_at(p, s, s->buf + len, extra, s->end);
		if (got > 0) {
			const char *nl = memchr(rend, '\n', (size_t)got);
			/* no newline within the cap: the line is over it anyway */
			end = nl ? nl + 1 : rend + got;
		}
	}
	end_off = from + (uint64_t)(end - s->buf);
	while (q < rend) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		size_t n = nl ? (size_t)(nl - q) : (size_t)(end - q);
		const char *line = q;

		/* a line without its newline before the end of the file: cut short
		 * by a truncation (reported) or longer than the cap */
		if (!nl && end_off < p->size && s->err)
			break;
		q += n + (nl ? 1 : 0);
		s->lines++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n > p->max_line || (!nl && end_off < p->size)) {
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
static bool claim(struct par *p, struct slot **out, bool *done)
{
	uint64_t seq = p->next_seq;
	struct slot *s = &p->slots[seq % NSLOTS];
	uint64_t off = p->next_off;

	*done = p->stop || p->next_off >= p->size;
	if (*done || seq >= p->consumed + NSLOTS || s->state != SLOT_FREE)
		return false;
	p->next_off = off + p->block < p->size ? off + p->block : p->size;
	p->next_seq++;
	s->state = SLOT_BUSY;
	s->seq = seq;
	s->start = off;
	s->end = p->next_off;
	*out = s;
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
	bool done = false;

	pthread_mutex_lock(&p->mu);
	while (!done) {
		if (!claim(p, &s, &done)) {
			if (!done)
				pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		pthread_mutex_unlock(&p->mu);
		if (lp)
			parse_block(p, lp, s);
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
		if (k + LOOKAHEAD / 2 < n && !s->items[k + LOOKAHEAD / 2].raw)
			mm_analysis_prefetch(a, &s->items[k + LOOKAHEAD / 2].ev, 2);
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
			 int fd, uint64_t size, time_t mtime, unsigned nthreads, struct mm_err *err)
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
	p->fd = fd;
	p->size = size;
	p->block = nthreads ? BLOCK_BYTES : INLINE_BLOCK_BYTES;
	p->max_line = a->o.max_line;
	p->name = in->name;
	p->mtime = mtime;
	p->year = a->o.year;
	mm_logparser_begin(lp, in->name, mtime, a->o.year);
	for (i = 0; i < nthreads && i < MM_MAX_THREADS; i++) {
		if (pthread_create(&th[nth], NULL, worker, p) != 0)
			break;
		nth++;
	}
	/*
	 * Inline, the stream's parser sees every line of a block while the
	 * block is held, and is told the line before each block: it can refer
	 * to lines instead of copying them. With workers it sees only deferred
	 * lines, the one before which may sit in a block already released.
	 */
	if (nth == 0) {
		ilp = lp;
		mm_logparser_set_stable(lp, true);
	}
	for (seq = 0;; seq++) {
		struct slot *s = &p->slots[seq % NSLOTS], *cs;
		bool done;

		pthread_mutex_lock(&p->mu);
		if (ilp && claim(p, &cs, &done)) {
			pthread_mutex_unlock(&p->mu);
			parse_block(p, ilp, cs);
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
		/* what a block holds before an error (a truncation) still counts */
		if (r == 0)
			consume(a, lp, s, base);
		if (s->err < 0 && r == 0)
			r = mm_err_set(err, s->err, "%s: %s", in->name,
				       s->errmsg[0] ? s->errmsg : mm_strerror(s->err));
		base += s->lines;
		too_long += s->too_long;
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
	for (i = 0; i < NSLOTS; i++) {
		free(p->slots[i].items);
		free(p->slots[i].buf);
		free(p->slots[i].prev);
	}
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
	return r;
}
