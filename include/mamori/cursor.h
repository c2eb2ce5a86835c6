/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_CURSOR_H
#define MAMORI_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Cursor parsing over a byte range that is NOT NUL-terminated. Every
 * mm_cur_* function advances the cursor only when it succeeds; on
 * failure the cursor is left where it was, so callers can try
 * alternatives without saving state.
 */
struct mm_span {
	const char *p;
	size_t n;
};

struct mm_cur {
	const char *p;
	const char *end;
};

static inline struct mm_cur mm_cur_make(const char *p, size_t n)
{
	struct mm_cur c = {p, p + n};
	return c;
}

static inline size_t mm_cur_left(const struct mm_cur *c)
{
	return (size_t)(c->end - c->p);
}

static inline bool mm_cur_eof(const struct mm_cur *c)
{
	return c->p >= c->end;
}

static inline struct mm_span mm_span_make(const char *p, size_t n)
{
	struct mm_span s = {p, n};
	return s;
}

static inline bool mm_span_eq(struct mm_span s, const char *lit)
{
	size_t n = strlen(lit);
	/* an empty span may have no pointer, which memcmp must not get */
	return s.n == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

/* Consume the literal lit if the cursor starts with it. */
bool mm_cur_lit(struct mm_cur *c, const char *lit);
/* Consume one byte equal to ch. */
bool mm_cur_char(struct mm_cur *c, char ch);
/* Skip spaces and tabs; returns how many were skipped. */
size_t mm_cur_skip_ws(struct mm_cur *c);
/* Consume a decimal number of at most maxdigits digits, value <= max. */
bool mm_cur_u64(struct mm_cur *c, uint64_t *v, uint64_t max);
bool mm_cur_u32(struct mm_cur *c, uint32_t *v, uint32_t max);
/* Consume exactly ndigits decimal digits. */
bool mm_cur_fixed_digits(struct mm_cur *c, unsigned ndigits, uint32_t *v);
/* Consume bytes up to (not including) the next space/tab or the end; fails if empty. */
bool mm_cur_word(struct mm_cur *c, struct mm_span *out);
/* Consume bytes up to (not including) ch; fails if ch is not found. */
bool mm_cur_until(struct mm_cur *c, char ch, struct mm_span *out);
/* Consume the rest. */
void mm_cur_rest(struct mm_cur *c, struct mm_span *out);
/* Find the last occurrence of lit in [p, end); NULL when absent. */
const char *mm_memrmem(const char *p, size_t n, const char *lit, size_t litn);

#endif
