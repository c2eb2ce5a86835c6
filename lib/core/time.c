/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mamori/cursor.h"
#include "mamori/error.h"
#include "mamori/time.h"

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
int64_t mm_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static char *put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

char *mm_time_format(const struct mm_time *t, bool frac, char *buf)
{
	int64_t local_us = t->us + (int64_t)t->off * 60 * 1000000;
	int64_t secs = floordiv(local_us, 1000000);
	int64_t usec = local_us - secs * 1000000;
	int64_t days = floordiv(secs, 86400);
	int64_t sod = secs - days * 86400;
	int64_t y;
	unsigned m, d, u;
	int off = t->off < 0 ? -t->off : t->off;
	char fr[8] = "", *p = buf;
	int i;

	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999 || off / 60 > 99) {
		/* years and offsets beyond four and two digits: as printf has them */
		if (frac)
			snprintf(fr, sizeof(fr), ".%06d", (int)usec);
		snprintf(buf, MM_TIME_STRLEN, "%04d-%02u-%02uT%02d:%02d:%02d%s%c%02d:%02d", (int)y,
			 m, d, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), fr,
			 t->off < 0 ? '-' : '+', off / 60, off % 60);
		return buf;
	}
	/* the same text, written by hand: this runs for every event and finding */
	p = put2(p, (unsigned)(y / 100));
	p = put2(p, (unsigned)(y % 100));
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, (unsigned)(sod / 3600));
	*p++ = ':';
	p = put2(p, (unsigned)(sod / 60 % 60));
	*p++ = ':';
	p = put2(p, (unsigned)(sod % 60));
	if (frac) {
		*p++ = '.';
		for (i = 5, u = (unsigned)usec; i >= 0; i--, u /= 10)
			p[i] = (char)('0' + u % 10);
		p += 6;
	}
	*p++ = t->off < 0 ? '-' : '+';
	p = put2(p, (unsigned)(off / 60));
	*p++ = ':';
	p = put2(p, (unsigned)(off % 60));
	*p = '\0';
	return buf;
}

int mm_local_offset(int64_t unix_sec)
{
	time_t tt = (time_t)unix_sec;
	struct tm tm;

	if (!localtime_r(&tt, &tm))
		return 0;
	return (int)(tm.tm_gmtoff / 60);
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

int mm_time_parse_iso(const char *s, size_t n, int local_off, struct mm_time *out)
{
	struct mm_cur c = mm_cur_make(s, n);
	uint32_t y, mo, d, h = 0, mi = 0, se = 0, oh, om;
	int64_t us = 0;
	int off = local_off;
	bool have_zone = false;

	if (!mm_cur_fixed_digits(&c, 4, &y) || !mm_cur_char(&c, '-') ||
	    !mm_cur_fixed_digits(&c, 2, &mo) || !mm_cur_char(&c, '-') ||
	    !mm_cur_fixed_digits(&c, 2, &d))
		return MM_ERR_PARSE;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return MM_ERR_PARSE;
	if (mm_cur_left(&c) >= 3 && (c.p[0] == 'T' || c.p[0] == ' ') && c.p[1] >= '0' &&
	    c.p[1] <= '9') {
		c.p++;
		if (!mm_cur_fixed_digits(&c, 2, &h) || !mm_cur_char(&c, ':') ||
		    !mm_cur_fixed_digits(&c, 2, &mi))
			return MM_ERR_PARSE;
		if (mm_cur_char(&c, ':') && !mm_cur_fixed_digits(&c, 2, &se))
			return MM_ERR_PARSE;
		if (h > 23 || mi > 59 || se > 60)
			return MM_ERR_PARSE;
		if (mm_cur_char(&c, '.') || mm_cur_char(&c, ',')) {
			int digits = 0;
			int64_t scale = 100000;
			while (!mm_cur_eof(&c) && *c.p >= '0' && *c.p <= '9') {
				if (digits < 6) {
					us += (*c.p - '0') * scale;
					scale /= 10;
				}
				digits++;
				c.p++;
			}
			if (digits == 0)
				return MM_ERR_PARSE;
		}
		if (mm_cur_char(&c, 'Z') || mm_cur_char(&c, 'z')) {
			off = 0;
			have_zone = true;
		} else if (!mm_cur_eof(&c) && (*c.p == '+' || *c.p == '-')) {
			struct mm_cur save = c;
			int sign = *c.p == '-' ? -1 : 1;
			c.p++;
			if (mm_cur_fixed_digits(&c, 2, &oh)) {
				mm_cur_char(&c, ':');
				if (mm_cur_fixed_digits(&c, 2, &om) && oh <= 23 && om <= 59) {
					off = sign * (int)(oh * 60 + om);
					have_zone = true;
				} else {
					c = save;
				}
			} else {
				c = save;
			}
		}
	}
	(void)have_zone;
	if (se == 60)
		se = 59; /* a leap second sorts with the second before it */
	out->us =
	    ((mm_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) - (int64_t)off * 60) *
		1000000 +
	    us;
	out->off = (int16_t)off;
	out->set = true;
	return (int)(c.p - s);
}

int mm_duration_parse(const char *s, int64_t *out_sec)
{
	struct mm_cur c = mm_cur_make(s, strlen(s));
	uint64_t v;
	int64_t mul = 1;

	if (!mm_cur_u64(&c, &v, (uint64_t)1 << 40))
		return MM_ERR_PARSE;
	if (!mm_cur_eof(&c)) {
		switch (*c.p) {
		case 's':
			mul = 1;
			break;
		case 'm':
			mul = 60;
			break;
		case 'h':
			mul = 3600;
			break;
		case 'd':
			mul = 86400;
			break;
		case 'w':
			mul = 7 * 86400;
			break;
		default:
			return MM_ERR_PARSE;
		}
		c.p++;
		if (!mm_cur_eof(&c))
			return MM_ERR_PARSE;
	}
	*out_sec = (int64_t)v * mul;
	return 0;
}

int mm_time_parse_arg(const char *s, int64_t now_us, struct mm_time *out)
{
	size_t n = strlen(s);
	int64_t now_sec = now_us / 1000000;
	int r;

	if (strcmp(s, "now") == 0) {
		out->us = now_us;
		out->off = (int16_t)mm_local_offset(now_sec);
		out->set = true;
		return 0;
	}
	if (s[0] == '-') {
		int64_t sec;
		if (mm_duration_parse(s + 1, &sec) < 0)
			return MM_ERR_PARSE;
		out->us = now_us - sec * 1000000;
		out->off = (int16_t)mm_local_offset(now_sec);
		out->set = true;
		return 0;
	}
	r = mm_time_parse_iso(s, n, mm_local_offset(now_sec), out);
	if (r < 0 || (size_t)r != n)
		return MM_ERR_PARSE;
	/* a bare local time uses the offset in force at that time, not now */
	return 0;
}
