/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "mamori/cursor.h"

bool mm_cur_lit(struct mm_cur *c, const char *lit)
{
	size_t n = strlen(lit);

	if (mm_cur_left(c) < n || memcmp(c->p, lit, n) != 0)
		return false;
	c->p += n;
	return true;
}

bool mm_cur_char(struct mm_cur *c, char ch)
{
	if (c->p >= c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

size_t mm_cur_skip_ws(struct mm_cur *c)
{
	const char *s = c->p;

	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
	return (size_t)(c->p - s);
}

bool mm_cur_u64(struct mm_cur *c, uint64_t *v, uint64_t max)
{
	const char *p = c->p;
	uint64_t x = 0;

	if (p >= c->end || *p < '0' || *p > '9')
		return false;
	while (p < c->end && *p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p - '0');
		if (x > (max - d) / 10)
			return false;
		x = x * 10 + d;
		p++;
	}
	*v = x;
	c->p = p;
	return true;
}

bool mm_cur_u32(struct mm_cur *c, uint32_t *v, uint32_t max)
{
	uint64_t x;

	if (!mm_cur_u64(c, &x, max))
		return false;
	*v = (uint32_t)x;
	return true;
}

bool mm_cur_fixed_digits(struct mm_cur *c, unsigned ndigits, uint32_t *v)
{
	uint32_t x = 0;
	unsigned i;

	if (mm_cur_left(c) < ndigits)
		return false;
	for (i = 0; i < ndigits; i++) {
		char ch = c->p[i];
		if (ch < '0' || ch > '9')
			return false;
		x = x * 10 + (uint32_t)(ch - '0');
	}
	c->p += ndigits;
	*v = x;
	return true;
}

bool mm_cur_word(struct mm_cur *c, struct mm_span *out)
{
	const char *p = c->p;

	while (p < c->end && *p != ' ' && *p != '\t')
		p++;
	if (p == c->p)
		return false;
	out->p = c->p;
	out->n = (size_t)(p - c->p);
	c->p = p;
	return true;
}

bool mm_cur_until(struct mm_cur *c, char ch, struct mm_span *out)
{
	const char *p = memchr(c->p, ch, mm_cur_left(c));

	if (!p)
		return false;
	out->p = c->p;
	out->n = (size_t)(p - c->p);
	c->p = p;
	return true;
}

void mm_cur_rest(struct mm_cur *c, struct mm_span *out)
{
	out->p = c->p;
	out->n = mm_cur_left(c);
	c->p = c->end;
}

const char *mm_memrmem(const char *p, size_t n, const char *lit, size_t litn)
{
	size_t i;

	if (litn == 0 || litn > n)
		return NULL;
	for (i = n - litn + 1; i-- > 0;) {
		if (p[i] == lit[0] && memcmp(p + i, lit, litn) == 0)
			return p + i;
	}
	return NULL;
}
