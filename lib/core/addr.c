/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "mamori/addr.h"
#include "mamori/error.h"

/* Parse a dotted quad of exactly n bytes into 4 bytes. */
/*
 * Dotted quad: four parts of 1-3 digits up to 255, no leading zeros, nothing
 * else. Such a text is 7 to 15 bytes: it is copied behind a NUL, which ends
 * every scan, so no byte needs a bounds check.
 */
static int parse_v4(const char *s, size_t n, uint8_t out[4])
{
	char b[16];
	unsigned d, v;
	size_t i = 0;
	int part;

	if (n < 7 || n > 15)
		return MM_ERR_PARSE;
	/* two overlapping fixed-size copies cover any length from 7 to 15 */
	if (n >= 8) {
		memcpy(b, s, 8);
		memcpy(b + n - 8, s + n - 8, 8);
	} else {
		memcpy(b, s, 4);
		memcpy(b + 3, s + 3, 4);
	}
	b[n] = '\0';
	for (part = 0; part < 4; part++) {
		if (part > 0 && b[i++] != '.')
			return MM_ERR_PARSE;
		if ((v = (unsigned)(unsigned char)b[i] - '0') > 9)
			return MM_ERR_PARSE;
		i++;
		if ((d = (unsigned)(unsigned char)b[i] - '0') <= 9) {
			/* a leading zero would be octal to inet_aton(); refuse "010" */
			if (v == 0)
				return MM_ERR_PARSE;
			v = v * 10 + d;
			i++;
			if ((d = (unsigned)(unsigned char)b[i] - '0') <= 9) {
				v = v * 10 + d;
				i++;
				if (v > 255 || (unsigned)(unsigned char)b[i] - '0' <= 9)
					return MM_ERR_PARSE;
			}
		}
		out[part] = (uint8_t)v;
	}
	return i == n ? 0 : MM_ERR_PARSE;
}

static int hexdig(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_v6(const char *s, size_t n, uint8_t out[16])
{
	uint8_t tmp[16] = {0};
	size_t i = 0, k = 0;
	int gap = -1;

	if (n < 2)
		return MM_ERR_PARSE;
	if (s[0] == ':') {
		if (s[1] != ':')
			return MM_ERR_PARSE;
		gap = 0;
		i = 2;
		if (i == n)
			goto done;
	}
	while (i < n) {
		size_t start = i;
		unsigned v = 0;
		int d;

		if (k >= 16)
			return MM_ERR_PARSE;
		while (i < n && (d = hexdig(s[i])) >= 0 && i - start < 4) {
			v = (v << 4) | (unsigned)d;
			i++;
		}
		if (i == start)
			return MM_ERR_PARSE;
		if (i < n && s[i] == '.') {
			/* embedded IPv4 in the last 32 bits */
			if (k > 12 || parse_v4(s + start, n - start, tmp + k) < 0)
				return MM_ERR_PARSE;
			k += 4;
			i = n;
			break;
		}
		tmp[k++] = (uint8_t)(v >> 8);
		tmp[k++] = (uint8_t)v;
		if (i == n)
			break;
		if (s[i] != ':')
			return MM_ERR_PARSE;
		i++;
		if (i < n && s[i] == ':') {
			if (gap >= 0)
				return MM_ERR_PARSE;
			gap = (int)k;
			i++;
			if (i == n)
				break;
		} else if (i == n) {
			return MM_ERR_PARSE; /* trailing single colon */
		}
	}
done:
	if (gap >= 0) {
		size_t tail = k - (size_t)gap;
		if (k >= 16)
			return MM_ERR_PARSE;
		memset(out, 0, 16);
		memcpy(out, tmp, (size_t)gap);
		memcpy(out + 16 - tail, tmp + gap, tail);
	} else {
		if (k != 16)
			return MM_ERR_PARSE;
		memcpy(out, tmp, 16);
	}
	return 0;
}

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int mm_addr_parse(const char *s, size_t n, struct mm_addr *out)
{
	struct mm_addr a;

	memset(&a, 0, sizeof(a));
	if (n == 0 || n >= MM_ADDR_STRLEN)
		return MM_ERR_PARSE;
	/* a dotted quad has no ':', so trying it first decides the same */
	if (s[0] >= '0' && s[0] <= '9' && parse_v4(s, n, a.b) == 0) {
		a.family = MM_AF_INET;
	} else if (memchr(s, ':', n)) {
		if (parse_v6(s, n, a.b) < 0)
			return MM_ERR_PARSE;
		if (memcmp(a.b, v4mapped, 12) == 0) {
			memmove(a.b, a.b + 12, 4);
			memset(a.b + 4, 0, 12);
			a.family = MM_AF_INET;
		} else {
			a.family = MM_AF_INET6;
		}
	} else {
		return MM_ERR_PARSE; /* neither */
	}
	*out = a;
	return 0;
}

char *mm_addr_format(const struct mm_addr *a, char *buf)
{
	if (a->family == MM_AF_INET) {
		char *p = buf;
		int i;

		for (i = 0; i < 4; i++) {
			unsigned v = a->b[i];
			if (i)
				*p++ = '.';
			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
		}
		*p = '\0';
	} else if (a->family == MM_AF_INET6) {
		if (!inet_ntop(AF_INET6, a->b, buf, MM_ADDR_STRLEN))
			buf[0] = '\0';
	} else {
		buf[0] = '\0';
	}
	return buf;
}

static size_t addr_bytes(const struct mm_addr *a)
{
	return a->family == MM_AF_INET ? 4 : a->family == MM_AF_INET6 ? 16 : 0;
}

bool mm_addr_eq(const struct mm_addr *a, const struct mm_addr *b)
{
	uint64_t x[2], y[2];
	uint32_t u, v;

	/* the bytes addr_bytes() counts, compared as words */
	if (a->family != b->family)
		return false;
	if (a->family == MM_AF_INET) {
		memcpy(&u, a->b, 4);
		memcpy(&v, b->b, 4);
		return u == v;
	}
	if (a->family == MM_AF_INET6) {
		memcpy(x, a->b, 16);
		memcpy(y, b->b, 16);
		return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
	}
	return true;
}

int mm_addr_cmp(const struct mm_addr *a, const struct mm_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->b, b->b, addr_bytes(a));
}

uint64_t mm_addr_hash(const struct mm_addr *a)
{
	/* FNV-1a over family and bytes, then a murmur finaliser for spread */
	uint64_t h = 1469598103934665603ULL ^ a->family;
	size_t i, n = addr_bytes(a);

	for (i = 0; i < n; i++) {
		h ^= a->b[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

bool mm_addr_is_special(const struct mm_addr *a)
{
	static const uint8_t zero[16];

	if (a->family == MM_AF_INET) {
		uint8_t b0 = a->b[0];
		if (b0 == 0 || b0 == 127 || (b0 >= 224 && b0 <= 239))
			return true;
		return a->b[0] == 255 && a->b[1] == 255 && a->b[2] == 255 && a->b[3] == 255;
	}
	if (a->family == MM_AF_INET6) {
		if (memcmp(a->b, zero, 16) == 0)
			return true;
		if (memcmp(a->b, zero, 15) == 0 && a->b[15] == 1)
			return true;
		return a->b[0] == 0xff;
	}
	return true;
}

int mm_prefix_parse(const char *s, size_t n, struct mm_prefix *out)
{
	const char *slash = memchr(s, '/', n);
	struct mm_prefix p;
	unsigned len, maxlen;
	size_t an = slash ? (size_t)(slash - s) : n, i;

	memset(&p, 0, sizeof(p));
	if (mm_addr_parse(s, an, &p.addr) < 0)
		return MM_ERR_PARSE;
	maxlen = p.addr.family == MM_AF_INET ? 32 : 128;
	/* a mapped address with a v6 length keeps the v4 meaning */
	if (slash) {
		size_t dn = n - an - 1;
		len = 0;
		if (dn == 0 || dn > 3)
			return MM_ERR_PARSE;
		for (i = 0; i < dn; i++) {
			char c = slash[1 + i];
			if (c < '0' || c > '9')
				return MM_ERR_PARSE;
			len = len * 10 + (unsigned)(c - '0');
		}
		if (p.addr.family == MM_AF_INET && memchr(s, ':', an)) {
			if (len < 96)
				return MM_ERR_RANGE;
			len -= 96;
		}
		if (len > maxlen)
			return MM_ERR_RANGE;
	} else {
		len = maxlen;
	}
	p.len = (uint8_t)len;
	for (i = 0; i < 16; i++) {
		unsigned bit = (unsigned)i * 8;
		if (bit >= len)
			p.addr.b[i] = 0;
		else if (bit + 8 > len)
			p.addr.b[i] &= (uint8_t)(0xff << (8 - (len - bit)));
	}
	*out = p;
	return 0;
}

char *mm_prefix_format(const struct mm_prefix *p, char *buf)
{
	char *e;
	unsigned v = p->len;

	/* no printf: the firewall rules file formats one per rule */
	mm_addr_format(&p->addr, buf);
	e = buf + strlen(buf);
	*e++ = '/';
	if (v >= 100)
		*e++ = (char)('0' + v / 100);
	if (v >= 10)
		*e++ = (char)('0' + v / 10 % 10);
	*e++ = (char)('0' + v % 10);
	*e = '\0';
	return buf;
}

bool mm_prefix_contains(const struct mm_prefix *p, const struct mm_addr *a)
{
	unsigned full = p->len / 8, rem = p->len % 8;

	if (a->family != p->addr.family)
		return false;
	if (memcmp(p->addr.b, a->b, full) != 0)
		return false;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));
		if ((a->b[full] & mask) != p->addr.b[full])
			return false;
	}
	return true;
}
