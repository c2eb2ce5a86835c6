/* SPDX-License-Identifier: MIT */
/*
 * Syslog envelopes: the timestamp, host and "prog[pid]: " in front of a
 * message. Formats, recognised by their first bytes:
 *
 *   [<pri>]Nov 21 03:12:45[.uuuuuu] host prog[pid]: msg      RFC 3164
 *   [<pri>]2026-11-21T03:12:45[.uuu][Z|+09:00|+0900] host prog[pid]: msg
 *   <pri>1 TS host app procid msgid SD [BOM]msg               RFC 5424
 *
 * RFC 3164 stamps have no year and no zone: the year comes from the
 * context (file mtime or --year) and the wall clock is local time. This
 * is the hot path of `mamori logs`, so the common case is parsed by hand
 * at fixed offsets and local time is converted through a per-day cache
 * of the UTC offset rather than mktime() for every line.
 *
 * Every read is bounded by the line end: the message is attacker text
 * and may hold NUL bytes or invalid UTF-8, none of which matters here.
 */
#include <string.h>
#include <time.h>

#include "mamori/cursor.h"
#include "mamori/logs.h"
#include "mamori/time.h"

#define US_PER_SEC INT64_C(1000000)
#define NO_DAY INT64_MIN

void mm_envelope_ctx_init(struct mm_envelope_ctx *ctx, time_t ref, int year)
{
	struct tm tm;

	memset(ctx, 0, sizeof(*ctx));
	ctx->cache_day = NO_DAY;
	if (year > 0) {
		ctx->fixed_year = true;
		ctx->ref_year = year;
		ctx->ref_month = 12;
		return;
	}
	if (ref == 0)
		ref = time(NULL);
	if (localtime_r(&ref, &tm)) {
		ctx->ref_year = tm.tm_year + 1900;
		ctx->ref_month = tm.tm_mon + 1;
	} else {
		ctx->ref_year = 1970;
		ctx->ref_month = 12;
	}
}

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* UTC offset in seconds of local time at unix time t. */
static int offset_at(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm))
		return 0;
	return (int)tm.tm_gmtoff;
}

/*
 * Convert local wall-clock seconds (days since the epoch, second of day)
 * to UTC. The offset is looked up once per civil date: at the two ends of
 * a window that surely contains the whole local day (offsets run from
 * -12h to +14h). When both agree the day has one offset and every stamp
 * of it costs an addition; otherwise the day has a DST change and each
 * stamp is resolved against both offsets. A wall clock that happens twice
 * (autumn) is taken as its first pass unless that would put it more than
 * a minute before the previous line, so a log running through the
 * repeated hour stays in order; one that never happens (spring) uses the
 * offset from before the change, as mktime() does.
 */
static int64_t local_to_utc_sec(struct mm_envelope_ctx *ctx, int64_t days, int64_t sod, int *off)
{
	int64_t wall = days * 86400 + sod;
	int a, b;
	bool va, vb;

	if (ctx->cache_day != days) {
		ctx->cache_day = days;
		ctx->cache_off = offset_at(days * 86400 - 14 * 3600);
		ctx->cache_off_end = offset_at(days * 86400 + 86400 + 14 * 3600);
		ctx->cache_base_us = (days * 86400 - ctx->cache_off) * US_PER_SEC;
	}
	a = ctx->cache_off;
	b = ctx->cache_off_end;
	if (a == b) {
		*off = a;
		return wall - a;
	}
	va = offset_at(wall - a) == a;
	vb = offset_at(wall - b) == b;
	if (va && vb) {
		int first = a > b ? a : b, second = a > b ? b : a;

		/* the first pass, unless that puts it before the line before */
		*off = wall - first < ctx->last_utc - 60 ? second : first;
	} else if (vb) {
		*off = b;
	} else {
		*off = a;
	}
	return wall - *off;
}

static void set_local(struct mm_envelope_ctx *ctx, int64_t days, int64_t sod, int64_t frac_us,
		      struct mm_time *t)
{
	int off;

	if (ctx->cache_day == days && ctx->cache_off == ctx->cache_off_end) {
		off = ctx->cache_off;
		t->us = ctx->cache_base_us + sod * US_PER_SEC + frac_us;
	} else {
		t->us = local_to_utc_sec(ctx, days, sod, &off) * US_PER_SEC + frac_us;
	}
	ctx->last_utc = floordiv(t->us, US_PER_SEC);
	t->off = (int16_t)(off / 60);
	t->set = true;
}

/* Month from its English abbreviation (exact case), 0 when not one. */
#define MON3(a, b, c) ((uint32_t)(a) << 16 | (uint32_t)(b) << 8 | (uint32_t)(c))
static int month_of(const char *p)
{
	switch (MON3((unsigned char)p[0], (unsigned char)p[1], (unsigned char)p[2])) {
	case MON3('J', 'a', 'n'):
		return 1;
	case MON3('F', 'e', 'b'):
		return 2;
	case MON3('M', 'a', 'r'):
		return 3;
	case MON3('A', 'p', 'r'):
		return 4;
	case MON3('M', 'a', 'y'):
		return 5;
	case MON3('J', 'u', 'n'):
		return 6;
	case MON3('J', 'u', 'l'):
		return 7;
	case MON3('A', 'u', 'g'):
		return 8;
	case MON3('S', 'e', 'p'):
		return 9;
	case MON3('O', 'c', 't'):
		return 10;
	case MON3('N', 'o', 'v'):
		return 11;
	case MON3('D', 'e', 'c'):
		return 12;
	}
	return 0;
}
#undef MON3

static bool isdig(char c)
{
	return c >= '0' && c <= '9';
}

static int infer_year(struct mm_envelope_ctx *ctx, int month)
{
	int diff;

	if (!ctx->fixed_year)
		return month > ctx->ref_month ? ctx->ref_year - 1 : ctx->ref_year;
	if (ctx->last_month != 0) {
		diff = month - ctx->last_month;
		/* one month back: a late line (Nov 30 23:59 after Dec 1 00:00) */
		if (diff == -1)
			return ctx->ref_year + ctx->year_bump;
		/* a late December line after the move to January */
		if (diff == 11 && ctx->year_bump > 0)
			return ctx->ref_year + ctx->year_bump - 1;
		if (diff < -1)
			ctx->year_bump++;
	}
	ctx->last_month = month;
	return ctx->ref_year + ctx->year_bump;
}

/* Optional ".ddd": up to 6 digits count, more are read and ignored. */
static const char *parse_frac(const char *p, const char *e, int64_t *us)
{
	int64_t scale = 100000;
	const char *s;

	*us = 0;
	if (p >= e || *p != '.')
		return p;
	s = ++p;
	while (p < e && isdig(*p)) {
		if (scale > 0) {
			*us += (*p - '0') * scale;
			scale /= 10;
		}
		p++;
	}
	return p == s ? NULL : p;
}

/* "Nov 21 03:12:45[.frac]" at p; returns the end of the stamp or NULL. */
static const char *parse_3164_time(struct mm_envelope_ctx *ctx, const char *p, const char *e,
				   struct mm_time *t)
{
	int mon, day, h, mi, s, year;
	int64_t frac, days;

	if (e - p < 15 || p[3] != ' ' || p[6] != ' ' || p[9] != ':' || p[12] != ':')
		return NULL;
	mon = month_of(p);
	if (!mon)
		return NULL;
	if (!isdig(p[5]) || !(isdig(p[4]) || p[4] == ' '))
		return NULL;
	day = (p[4] == ' ' ? 0 : (p[4] - '0') * 10) + (p[5] - '0');
	if (!isdig(p[7]) || !isdig(p[8]) || !isdig(p[10]) || !isdig(p[11]) || !isdig(p[13]) ||
	    !isdig(p[14]))
		return NULL;
	h = (p[7] - '0') * 10 + (p[8] - '0');
	mi = (p[10] - '0') * 10 + (p[11] - '0');
	s = (p[13] - '0') * 10 + (p[14] - '0');
	if (day < 1 || day > 31 || h > 23 || mi > 59 || s > 60)
		return NULL;
	if (s == 60)
		s = 59; /* a leap second sorts with the second before it */
	p = parse_frac(p + 15, e, &frac);
	if (!p)
		return NULL;
	year = infer_year(ctx, mon);
	/* consecutive lines are nearly always of one date: skip the divisions */
	if (ctx->civil_key != (int64_t)year * 512 + mon * 32 + day) {
		ctx->civil_key = (int64_t)year * 512 + mon * 32 + day;
		ctx->civil_days = mm_days_from_civil(year, (unsigned)mon, (unsigned)day);
	}
	days = ctx->civil_days;
	set_local(ctx, days, h * 3600 + mi * 60 + s, frac, t);
	return p;
}

/*
 * ISO 8601 stamp at p, ending at a space or the line end. A stamp without
 * a zone is local time.
 */
static const char *parse_iso_time(struct mm_envelope_ctx *ctx, const char *p, const char *e,
				  struct mm_time *t)
{
	int r = mm_time_parse_iso(p, (size_t)(e - p), 0, t);
	bool zone = false;
	int i;

	/* 16 bytes is the shortest stamp with a time: 2026-11-21T03:12 */
	if (r < 16 || (p + r < e && p[r] != ' '))
		return NULL;
	if (p[r - 1] == 'Z' || p[r - 1] == 'z') {
		zone = true;
	} else {
		for (i = 11; i < r; i++) {
			if (p[i] == '+' || p[i] == '-') {
				zone = true;
				break;
			}
		}
	}
	if (!zone) {
		/* t->us is the wall clock read as UTC */
		int64_t sec = floordiv(t->us, US_PER_SEC);
		int64_t frac = t->us - sec * US_PER_SEC;
		int64_t days = floordiv(sec, 86400);

		set_local(ctx, days, sec - days * 86400, frac, t);
	}
	return p + r;
}

/* Optional "<pri>" (0..191). */
static const char *skip_pri(const char *p, const char *e)
{
	const char *s = p;
	unsigned v = 0;

	if (p >= e || *p != '<')
		return p;
	p++;
	while (p < e && isdig(*p) && p - s <= 3) {
		v = v * 10 + (unsigned)(*p - '0');
		p++;
	}
	if (p == s + 1 || p >= e || *p != '>' || v > 191)
		return s;
	return p + 1;
}

/* Decimal pid of at most 10 digits in [p, e); -1 when it is not one. */
static int64_t parse_pid(const char *p, const char *e)
{
	int64_t v = 0;

	if (p >= e || e - p > 10)
		return -1;
	for (; p < e; p++) {
		if (!isdig(*p))
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v;
}

/* A tag byte: printable ASCII other than the delimiters of "prog[pid]:". */
#define TAG_RANGE(a)                                                                               \
	[(a)] = 1, [(a) + 1] = 1, [(a) + 2] = 1, [(a) + 3] = 1, [(a) + 4] = 1, [(a) + 5] = 1,      \
	[(a) + 6] = 1, [(a) + 7] = 1
static const uint8_t tagchars[256] = {
    /* 0x21-0x7e except ':' (0x3a), '[' (0x5b) and ']' (0x5d) */
    [0x21] = 1,	     [0x22] = 1,      [0x23] = 1,      [0x24] = 1,	[0x25] = 1,
    [0x26] = 1,	     [0x27] = 1,      TAG_RANGE(0x28), TAG_RANGE(0x30), [0x38] = 1,
    [0x39] = 1,	     [0x3b] = 1,      [0x3c] = 1,      [0x3d] = 1,	[0x3e] = 1,
    [0x3f] = 1,	     TAG_RANGE(0x40), TAG_RANGE(0x48), TAG_RANGE(0x50), [0x58] = 1,
    [0x59] = 1,	     [0x5a] = 1,      [0x5c] = 1,      [0x5e] = 1,	[0x5f] = 1,
    TAG_RANGE(0x60), TAG_RANGE(0x68), TAG_RANGE(0x70), [0x78] = 1,	[0x79] = 1,
    [0x7a] = 1,	     [0x7b] = 1,      [0x7c] = 1,      [0x7d] = 1,	[0x7e] = 1,
};
#undef TAG_RANGE

static inline bool tagchar(char c)
{
	return tagchars[(unsigned char)c];
}

/* "[  123.456789] " in front of a kernel message: the seconds since boot. */
static void strip_kernel_stamp(struct mm_span *msg)
{
	const char *p = msg->p, *e = msg->p + msg->n;

	if (p >= e || *p != '[')
		return;
	p++;
	while (p < e && *p == ' ')
		p++;
	if (p >= e || !isdig(*p))
		return;
	while (p < e && isdig(*p))
		p++;
	if (p < e && *p == '.') {
		p++;
		while (p < e && isdig(*p))
			p++;
	}
	if (p >= e || *p != ']')
		return;
	p++;
	if (p < e && *p == ' ')
		p++;
	msg->n = (size_t)(e - p);
	msg->p = p;
}

static void set_kernel(struct mm_envelope *out)
{
	out->kernel = out->pid < 0 && mm_span_eq(out->program, "kernel");
	if (out->kernel)
		strip_kernel_stamp(&out->msg);
}

/*
 * The whole rest of a syslogd line that folds repeats of the line before
 * it: "last message repeated N times" (sysklogd, BSD syslogd; there is no
 * program tag), also "--- last message repeated N times ---" (BSD). Only
 * an exact match counts; N is 1 to 10 digits (capped by the caller).
 */
static bool last_repeated(const char *p, const char *e, struct mm_envelope *out)
{
	bool dashes = e - p >= 4 && memcmp(p, "--- ", 4) == 0;
	uint64_t v = 0;
	const char *d;

	if (dashes)
		p += 4;
	if (e - p < 22 || memcmp(p, "last message repeated ", 22) != 0)
		return false;
	p += 22;
	for (d = p; p < e && isdig(*p) && p - d < 10; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	if (p == d || v == 0)
		return false;
	if (e - p < 6 || memcmp(p, " times", 6) != 0)
		return false;
	p += 6;
	if (dashes) {
		if (e - p < 4 || memcmp(p, " ---", 4) != 0)
			return false;
		p += 4;
	}
	if (p != e)
		return false;
	out->last_repeat = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	out->msg = mm_span_make(e, 0);
	return true;
}

/* " host prog[pid]: msg" after an RFC 3164 or RFC 3339 stamp. */
static int parse_rest(const char *p, const char *e, struct mm_envelope *out)
{
	const char *s;

	if (p >= e || *p != ' ')
		return MM_ERR_PARSE;
	s = ++p;
	while (p < e && *p != ' ')
		p++;
	if (p == s || p >= e)
		return MM_ERR_PARSE;
	out->host = mm_span_make(s, (size_t)(p - s));
	s = ++p;
	if (last_repeated(s, e, out))
		return 0;
	while (p < e && tagchar(*p))
		p++;
	if (p == s || p >= e)
		return MM_ERR_PARSE;
	out->program = mm_span_make(s, (size_t)(p - s));
	if (*p == '[') {
		const char *lim;
		int64_t v = 0;

		s = ++p;
		lim = e - s > 11 ? s + 11 : e;
		/* the usual "[digits]" in one pass; anything else as below */
		while (p < lim && isdig(*p))
			v = v * 10 + (*p++ - '0');
		if (p > s && p - s <= 10 && p < e && *p == ']') {
			out->pid = v;
		} else {
			while (p < e && *p != ']')
				p++;
			if (p >= e)
				return MM_ERR_PARSE;
			out->pid = parse_pid(s, p);
			if (out->pid < 0)
				return MM_ERR_PARSE;
		}
		p++;
	}
	if (p >= e || *p != ':')
		return MM_ERR_PARSE;
	p++;
	if (p < e && *p == ' ')
		p++;
	out->msg = mm_span_make(p, (size_t)(e - p));
	set_kernel(out);
	return 0;
}

/* One space-delimited RFC 5424 header field; "-" (NILVALUE) gives an empty span. */
static const char *field_5424(const char *p, const char *e, struct mm_span *out)
{
	const char *s = p;

	while (p < e && *p != ' ')
		p++;
	if (p == s || p >= e)
		return NULL;
	*out = mm_span_make(s, (size_t)(p - s));
	if (out->n == 1 && *s == '-')
		out->n = 0;
	return p + 1;
}

/*
 * STRUCTURED-DATA: "-" or one or more [id param="value" ...] elements; a
 * value may escape '"', '\' and ']' with a backslash.
 */
static const char *skip_sd(const char *p, const char *e)
{
	if (p < e && *p == '-')
		return p + 1;
	if (p >= e || *p != '[')
		return NULL;
	while (p < e && *p == '[') {
		bool quoted = false;

		for (p++; p < e; p++) {
			if (quoted) {
				if (*p == '\\')
					p++;
				else if (*p == '"')
					quoted = false;
			} else if (*p == '"') {
				quoted = true;
			} else if (*p == ']') {
				break;
			}
		}
		if (p >= e)
			return NULL;
		p++;
	}
	return p;
}

static int parse_5424(struct mm_envelope_ctx *ctx, const char *p, const char *e,
		      struct mm_envelope *out)
{
	struct mm_span procid, msgid;

	if (p < e && *p == '-' && p + 1 < e && p[1] == ' ') {
		p += 2;
	} else {
		p = parse_iso_time(ctx, p, e, &out->time);
		if (!p || p >= e)
			return MM_ERR_PARSE;
		p++;
	}
	p = field_5424(p, e, &out->host);
	if (p)
		p = field_5424(p, e, &out->program);
	if (p)
		p = field_5424(p, e, &procid);
	if (p)
		p = field_5424(p, e, &msgid);
	if (p)
		p = skip_sd(p, e);
	if (!p)
		return MM_ERR_PARSE;
	if (procid.n > 0)
		out->pid = parse_pid(procid.p, procid.p + procid.n);
	if (p < e) {
		if (*p != ' ')
			return MM_ERR_PARSE;
		p++;
		if (e - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
			p += 3;
	}
	out->msg = mm_span_make(p, (size_t)(e - p));
	set_kernel(out);
	return 0;
}

int mm_envelope_parse(struct mm_envelope_ctx *ctx, const char *line, size_t n,
		      struct mm_envelope *out)
{
	const char *p = line, *e = line + n, *q;
	int r;

	memset(out, 0, sizeof(*out));
	out->pid = -1;
	if (!line)
		return MM_ERR_PARSE;
	q = skip_pri(p, e);
	if (q != p && e - q >= 2 && q[0] == '1' && q[1] == ' ') {
		r = parse_5424(ctx, q + 2, e, out);
		goto out;
	}
	p = q;
	if (e - p >= 4 && isdig(p[0]))
		p = parse_iso_time(ctx, p, e, &out->time);
	else
		p = parse_3164_time(ctx, p, e, &out->time);
	if (!p) {
		r = MM_ERR_PARSE;
		goto out;
	}
	r = parse_rest(p, e, out);
out:
	if (r < 0) {
		memset(out, 0, sizeof(*out));
		out->pid = -1;
	}
	return r;
}
