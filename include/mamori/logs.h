/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_LOGS_H
#define MAMORI_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mamori/error.h"
#include "mamori/event.h"

/* ---- Envelopes ------------------------------------------------------ */

/*
 * The syslog envelope around a message: RFC 3164 ("Nov 21 03:12:45 host
 * prog[pid]: msg", also with .uuuuuu as journalctl short-precise writes),
 * RFC 3339 high precision ("2026-11-21T03:12:45.123456+09:00 host
 * prog[pid]: msg", and journalctl short-iso's +0900), RFC 5424
 * ("<pri>1 TS host app procid msgid SD msg"), an optional leading "<pri>".
 */
struct mm_envelope {
	struct mm_time time;
	struct mm_span host;
	struct mm_span program;
	int64_t pid;	    /* -1 when absent */
	struct mm_span msg; /* message after "prog[pid]: " */
	bool kernel;	    /* program is exactly "kernel" */
	/* syslogd's "HOST last message repeated N times" line (no program, empty
	 * msg): N, the number of further occurrences of the line before; else 0 */
	uint32_t last_repeat;
};

/*
 * Per-input state of the envelope parser: year inference for RFC 3164
 * stamps, which carry no year, and a cache of the local UTC offset for the
 * last civil date seen (zone look-ups are slow and this is the hot path).
 * Treat as opaque; set up with mm_envelope_ctx_init().
 */
struct mm_envelope_ctx {
	int ref_year;	  /* year of the reference time (file mtime or --year) */
	int ref_month;	  /* 1..12: month of the file mtime; 12 with --year */
	bool fixed_year;  /* --year: months run forward from January of ref_year */
	int last_month;	  /* for --year rollover, 0 at start */
	int year_bump;	  /* years added after December -> January rollovers */
	int64_t last_utc; /* UTC seconds of the previous local stamp (autumn's repeated hour) */
	/* local-time cache for one civil date (days since the epoch) */
	int64_t cache_day;
	int64_t cache_base_us; /* UTC of local midnight, when the offset is constant */
	int cache_off;	       /* offset (seconds) at the start of the day */
	int cache_off_end;     /* offset at its end; differs on DST change days */
	/* days since the epoch of the last RFC 3164 date seen (year, month, day) */
	int64_t civil_key;
	int64_t civil_days;
};

/*
 * Initialise year inference. ref is the file's mtime (unix seconds): a
 * stamp whose month is later than ref's month belongs to the year before
 * (a log written in January holds December lines of last year); ref 0
 * means now. When year > 0 (--year) stamps start in that year and a month
 * going backwards (December to January) moves to the next year; a step
 * back of one month is taken as a late line, not a new year. Stamps
 * without a zone are local time (TZ), DST included; the zone must not
 * change while ctx is in use.
 */
void mm_envelope_ctx_init(struct mm_envelope_ctx *ctx, time_t ref, int year);
/*
 * Parse the envelope of one line (no trailing newline). Spans in out point
 * into line. Never reads outside [line, line + n). Returns 0, or
 * MM_ERR_PARSE when the line has no envelope mamori knows. An RFC 5424
 * NILVALUE leaves out->time unset and host/program empty.
 */
int mm_envelope_parse(struct mm_envelope_ctx *ctx, const char *line, size_t n,
		      struct mm_envelope *out);

/* ---- Parsers -------------------------------------------------------- */

/*
 * Netfilter LOG parser: the message of a kernel line. Fills ev (which the
 * caller cleared and stamped from the envelope). Returns 1 when msg is a
 * netfilter packet log, 0 otherwise. Does not look at env->kernel: the
 * caller decides what a non-kernel look-alike means.
 */
int mm_parse_netfilter(const char *msg, size_t n, struct mm_event *ev);

/*
 * sshd parser with per-process session state, so a line that names no
 * address is attributed to the source its session connected from.
 * Streaming: _new, _line for each envelope whose program is sshd or
 * sshd-session, _free. Session state is capped (LRU), never unbounded.
 */
struct mm_sshd;
struct mm_sshd *mm_sshd_new(void);
void mm_sshd_free(struct mm_sshd *s);
/*
 * Start loading the session of pid from memory; a hint only. A line of a
 * new connection misses the cache: called as soon as the envelope is
 * parsed, the load overlaps the work before mm_sshd_line().
 */
void mm_sshd_prefetch(const struct mm_sshd *s, int64_t pid);
/* Returns 1 and fills ev when the message is one mamori classifies, else 0. */
int mm_sshd_line(struct mm_sshd *s, const struct mm_envelope *env, struct mm_event *ev);

/* ---- The line pipeline: envelope + dispatch to parsers -------------- */

struct mm_logparser_stats {
	uint64_t lines;	     /* lines seen */
	uint64_t used;	     /* lines that produced an event */
	uint64_t unknown;    /* lines no parser recognised (including no envelope) */
	uint64_t too_long;   /* lines over the cap, skipped */
	uint64_t suspicious; /* user-space lines imitating the kernel */
};

struct mm_logparser;
struct mm_logparser *mm_logparser_new(void);
void mm_logparser_free(struct mm_logparser *lp);
/* Start a new input: name for events, ref mtime and --year for envelopes. */
void mm_logparser_begin(struct mm_logparser *lp, const char *name, time_t mtime, int year);
/*
 * Feed one line (without newline). lineno is 1-based within the input.
 * Returns 1 and fills ev when the line is an event, 0 when not.
 *
 * A line that folds repeats (rsyslog "message repeated N times: [ MSG]",
 * syslogd "last message repeated N times", N capped at MM_LP_MAX_REPEAT)
 * stands for N occurrences; _line gives the first, and mm_logparser_next()
 * the others. Spans in ev point into line or into lp, so both must stay
 * valid until the caller is done with ev; call _next before the next _line.
 */
int mm_logparser_line(struct mm_logparser *lp, const char *line, size_t n, uint64_t lineno,
		      struct mm_event *ev);
#define MM_LP_MAX_REPEAT 10000u
/* The next occurrence of the last line's folded repeats: 1 and ev, or 0. */
int mm_logparser_next(struct mm_logparser *lp, struct mm_event *ev);
/*
 * Tell lp which line came right before the next one it will be fed, when
 * it did not see it (a parser starting in the middle of an input), so a
 * "last message repeated" line there knows what it repeats.
 */
void mm_logparser_set_prev(struct mm_logparser *lp, const char *line, size_t n);
/*
 * Deferral, for parsing one input in parallel: when on, lines whose
 * meaning depends on earlier lines (sshd sessions) are not parsed or
 * counted; _line returns MM_LP_DEFER and the caller must feed them, in
 * input order, to a parser with deferral off.
 */
#define MM_LP_DEFER 2
void mm_logparser_set_defer(struct mm_logparser *lp, bool defer);
/*
 * Stable lines: the caller promises that every line it feeds (and gives to
 * _set_prev) stays valid for as long as it uses the events, as with blocks
 * of a file it holds. lp then refers to the line before a "last message
 * repeated" line instead of copying every line, and events unfolded from
 * it point into that line. Off by default: events from a repeat then point into lp
 * and are valid until the next _line call.
 */
void mm_logparser_set_stable(struct mm_logparser *lp, bool stable);

/* Count a line that was over the length cap (never passed to _line). */
void mm_logparser_skip_long(struct mm_logparser *lp);
const struct mm_logparser_stats *mm_logparser_stats(const struct mm_logparser *lp);
/* Add the counters of from to to (several parsers, one report). */
void mm_logparser_stats_add(struct mm_logparser_stats *to, const struct mm_logparser_stats *from);

/* ---- Readers -------------------------------------------------------- */

/*
 * Line reader over a plain, gzip or zstd file (detected by magic bytes,
 * not by name; concatenated gzip members and zstd frames are read through),
 * or stdin for "-". Lines longer than max_line (0: 64 KiB) are skipped
 * whole and counted; a trailing "\r" is dropped; a last line without a
 * newline is still a line. NUL bytes are passed through inside the line.
 * Symlinks are followed; FIFOs are read as streams; directories, devices
 * and sockets are refused with MM_ERR_INVAL. Errors name the file in
 * err->msg. A line is valid until the next call.
 */
struct mm_reader;
int mm_reader_open(const char *path, size_t max_line, struct mm_reader **out, struct mm_err *err);
void mm_reader_free(struct mm_reader *r);
/* Next line: 1 and (line, n) without the newline; 0 at end; <0 on error. */
int mm_reader_next(struct mm_reader *r, const char **line, size_t *n, struct mm_err *err);
uint64_t mm_reader_lineno(const struct mm_reader *r);
uint64_t mm_reader_too_long(const struct mm_reader *r);
/*
 * When the input is a plain (not compressed) regular file and no line has
 * been read yet: returns true and sets *fd (owned by r, valid until
 * mm_reader_free) and *size (its size when opened). Lets callers read a
 * large file in blocks with pread(2) and frame them in parallel.
 */
bool mm_reader_plain_file(const struct mm_reader *r, int *fd, uint64_t *size);
/* Bytes of the underlying file consumed so far and its size (0 when unknown), for progress. */
uint64_t mm_reader_pos(const struct mm_reader *r);
uint64_t mm_reader_size(const struct mm_reader *r);
time_t mm_reader_mtime(const struct mm_reader *r);

/*
 * Expand a log path to its rotated set, oldest first: for /var/log/auth.log
 * that is auth.log.N.gz ... auth.log.2.gz auth.log.1 auth.log (whichever
 * exist; .N, .N.gz and .N.zst, numerically, so 10 comes before 9; dateext
 * names auth.log-YYYYMMDD[.gz|.zst] before those, oldest date first). When
 * both auth.log.N and auth.log.N.gz exist (compression under way) only the
 * plain one is listed. Returns the number of paths stored in *out (caller
 * frees each and the array; 0 when none exist) or a negative MM_ERR_*.
 */
int mm_rotated_set(const char *path, char ***out);

/*
 * systemd journal source: kernel and sshd entries (and entries claiming
 * SYSLOG_IDENTIFIER=kernel), rendered as RFC 3339 envelope lines so they go
 * through the same pipeline as files: "TS HOST kernel: MSG" only for
 * _TRANSPORT=kernel, "TS HOST IDENT[PID]: MSG" for everything else (a
 * user process calling itself kernel is shown by its _COMM). Messages are
 * capped at 8 KiB. dir NULL: the local journal, which may be empty (no
 * lines, not an error); otherwise a journal directory (MM_ERR_NOTFOUND
 * when it does not exist).
 */
struct mm_journal;
int mm_journal_open(const char *dir, struct mm_journal **out, struct mm_err *err);
void mm_journal_free(struct mm_journal *j);
/* Same contract as mm_reader_next. */
int mm_journal_next(struct mm_journal *j, const char **line, size_t *n, struct mm_err *err);

#endif
