/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/buf.h"
#include "mamori/error.h"

void mm_buf_init(struct mm_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void mm_buf_release(struct mm_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void mm_buf_reset(struct mm_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int grow(struct mm_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > b->max || b->len > b->max - extra)
		return MM_ERR_TOOBIG;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap *= 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	p = realloc(b->data, ncap);
	if (!p)
		return MM_ERR_NOMEM;
	b->data = p;
	b->cap = ncap;
	return 0;
}

int mm_buf_add(struct mm_buf *b, const void *p, size_t n)
{
	int r = grow(b, n);

	if (r < 0)
		return r;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int mm_buf_adds(struct mm_buf *b, const char *s)
{
	return mm_buf_add(b, s, strlen(s));
}

int mm_buf_addc(struct mm_buf *b, char c)
{
	if (b->len + 1 < b->cap) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return mm_buf_add(b, &c, 1);
}

int mm_buf_addu(struct mm_buf *b, uint64_t v)
{
	char t[20];
	size_t i = sizeof(t);

	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return mm_buf_add(b, t + i, sizeof(t) - i);
}

int mm_buf_vaddf(struct mm_buf *b, const char *fmt, va_list ap)
{
	size_t room = b->cap > b->len ? b->cap - b->len : 0;
	va_list ap2;
	int n, r;

	/* format once into the room left; only a text that does not fit is
	 * formatted a second time, after growing */
	va_copy(ap2, ap);
	n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap2);
	va_end(ap2);
	if (n >= 0 && (size_t)n < room) {
		if ((size_t)n > b->max || b->len > b->max - (size_t)n) {
			b->data[b->len] = '\0';
			return MM_ERR_TOOBIG;
		}
		b->len += (size_t)n;
		return 0;
	}
	if (room)
		b->data[b->len] = '\0';
	if (n < 0)
		return MM_ERR_INVAL;
	r = grow(b, (size_t)n);
	if (r < 0)
		return r;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int mm_buf_addf(struct mm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = mm_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

int mm_buf_add_json_str(struct mm_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	int r;

	while (i < n) {
		unsigned char c = p[i];
		const char *esc = NULL;
		char u[7];
		size_t l;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			run++;
			continue;
		}
		if (run && (r = mm_buf_add(b, s + i - run, run)) < 0)
			return r;
		run = 0;
		if (c >= 0x80) {
			l = utf8_len(p + i, n - i);
			if (l == 0) {
				if ((r = mm_buf_adds(b, "\xef\xbf\xbd")) < 0)
					return r;
				i++;
			} else {
				if ((r = mm_buf_add(b, s + i, l)) < 0)
					return r;
				i += l;
			}
			continue;
		}
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			u[0] = '\\';
			u[1] = 'u';
			u[2] = '0';
			u[3] = '0';
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			u[6] = '\0';
			esc = u;
		}
		if ((r = mm_buf_adds(b, esc)) < 0)
			return r;
		i++;
	}
	if (run)
		return mm_buf_add(b, s + n - run, run);
	return 0;
}

char *mm_buf_detach(struct mm_buf *b)
{
	char *p = b->data;

	if (!p)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

int mm_grow(void **arr, size_t *cap, size_t n, size_t elem, size_t first)
{
	size_t nc;
	void *p;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : first;
	if (nc <= *cap || nc > SIZE_MAX / elem)
		return MM_ERR_NOMEM;
	p = realloc(*arr, nc * elem);
	if (!p)
		return MM_ERR_NOMEM;
	*arr = p;
	*cap = nc;
	return 0;
}
