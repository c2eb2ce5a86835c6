/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_BUF_H
#define MAMORI_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Bounded growable byte buffer, always NUL-terminated when data != NULL.
 * Every append checks against max (the cap given at init) and fails with
 * MM_ERR_TOOBIG rather than growing without bound.
 */
struct mm_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

/* Initialise an empty buffer that may grow up to max bytes (excluding NUL). */
void mm_buf_init(struct mm_buf *b, size_t max);
/* Free the storage; b can be reused after mm_buf_init(). Accepts NULL. */
void mm_buf_release(struct mm_buf *b);
/* Set len to 0, keep the storage. */
void mm_buf_reset(struct mm_buf *b);
/* Append n bytes. Returns 0, MM_ERR_NOMEM or MM_ERR_TOOBIG. */
int mm_buf_add(struct mm_buf *b, const void *p, size_t n);
int mm_buf_adds(struct mm_buf *b, const char *s);
int mm_buf_addc(struct mm_buf *b, char c);
/* Append v in decimal, as printf's %llu would. */
int mm_buf_addu(struct mm_buf *b, uint64_t v);
int mm_buf_addf(struct mm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int mm_buf_vaddf(struct mm_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Append s (n bytes) as the inside of a JSON string: escapes quotes,
 * backslashes and controls, and replaces invalid UTF-8 with U+FFFD. */
int mm_buf_add_json_str(struct mm_buf *b, const char *s, size_t n);
/* Detach the data (caller frees); the buffer becomes empty. */
char *mm_buf_detach(struct mm_buf *b);

/*
 * Room for element n of an array that grows by doubling: when n == *cap,
 * *arr (elements of elem bytes) is reallocated to twice *cap, or to first
 * elements when empty. Returns 0, or MM_ERR_NOMEM (also when the size
 * would overflow) with *arr and *cap unchanged. Through MM_GROW:
 *   if (MM_GROW(t->v, t->cap, t->n, 64) < 0) return MM_ERR_NOMEM;
 *   t->v[t->n++] = x;
 */
int mm_grow(void **arr, size_t *cap, size_t n, size_t elem, size_t first);
#define MM_GROW(arr, cap, n, first) mm_grow((void **)&(arr), &(cap), (n), sizeof(*(arr)), (first))

#endif
