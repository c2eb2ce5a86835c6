/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_TIME_H
#define MAMORI_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A point in time as written by a log: microseconds since the Unix epoch
 * (UTC) plus the UTC offset the writer used, so output can show the same
 * wall clock the log showed, in ISO 8601 with that offset.
 */
struct mm_time {
	int64_t us;  /* microseconds since 1970-01-01T00:00:00Z */
	int16_t off; /* UTC offset of the writer in minutes */
	bool set;
};

#define MM_TIME_STRLEN 40

/* Days since the epoch of a proleptic Gregorian civil date. */
int64_t mm_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Format as 2026-11-21T03:12:45+09:00, or with .uuuuuu when frac is true. */
char *mm_time_format(const struct mm_time *t, bool frac, char *buf);
/*
 * Parse an ISO 8601 / RFC 3339 timestamp: date, 'T' or ' ', time, optional
 * fraction, and Z / +hh:mm / +hhmm; a missing zone means local_off minutes.
 * Also accepts a bare date (midnight). Returns bytes consumed or MM_ERR_PARSE.
 */
int mm_time_parse_iso(const char *s, size_t n, int local_off, struct mm_time *out);
/* Parse a command-line time: ISO 8601 as above, "now", or a relative "-2h",
 * "-30m", "-7d" against now_us. Returns 0 or MM_ERR_PARSE. */
int mm_time_parse_arg(const char *s, int64_t now_us, struct mm_time *out);
/* UTC offset in minutes of local time (TZ) at unix time t. */
int mm_local_offset(int64_t unix_sec);
/* Parse a duration: "300", "300s", "5m", "2h", "7d"; returns seconds via out. */
int mm_duration_parse(const char *s, int64_t *out_sec);

#endif
