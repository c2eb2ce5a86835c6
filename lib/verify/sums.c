/* SPDX-License-Identifier: MIT */
/*
 * Sums file parser. Formats, as the tools that write them define them:
 *
 *   GNU coreutils (sha256sum, md5sum ...):
 *     HEX ' ' (' ' | '*') NAME          text / binary mode marker
 *     '\' HEX ' ' (' ' | '*') ESCNAME   name had '\\', '\n' (or '\r') escaped
 *   BSD / coreutils --tag:
 *     ALG ' (' NAME ') = ' HEX          ALG as MD5, SHA1, SHA256, SHA512 ...
 *     '\' ALG ' (' ESCNAME ') = ' HEX
 *   Debian Release / InRelease:
 *     "Field: value" lines; a checksum section "SHA256:" is followed by
 *     " HEX SIZE PATH" lines (leading space).
 *
 * In the tagged form the name is everything between " (" and the last
 * ") = ", so names with parentheses work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/buf.h"
#include "mamori/cursor.h"
#include "mamori/verify.h"

static const struct {
	enum mm_vhash alg;
	const char *name;
	size_t len;
} algs[] = {
    {MM_VH_NONE, "none", 0},	  {MM_VH_MD5, "md5", 16},	{MM_VH_SHA1, "sha1", 20},
    {MM_VH_SHA224, "sha224", 28}, {MM_VH_SHA256, "sha256", 32}, {MM_VH_SHA384, "sha384", 48},
    {MM_VH_SHA512, "sha512", 64},
};

const char *mm_vhash_name(enum mm_vhash alg)
{
	if ((unsigned)alg < sizeof(algs) / sizeof(algs[0]))
		return algs[alg].name;
	return "none";
}

size_t mm_vhash_len(enum mm_vhash alg)
{
	if ((unsigned)alg < sizeof(algs) / sizeof(algs[0]))
		return algs[alg].len;
	return 0;
}

bool mm_vhash_weak(enum mm_vhash alg)
{
	return alg == MM_VH_MD5 || alg == MM_VH_SHA1;
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

enum mm_vhash mm_vhash_parse(const char *s, size_t n)
{
	char t[8];
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '-')
			continue;
		if (k >= sizeof(t) - 1)
			return MM_VH_NONE;
		t[k++] = lower(s[i]);
	}
	t[k] = '\0';
	if (strcmp(t, "md5sum") == 0)
		return MM_VH_MD5;
	for (i = 1; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(t, algs[i].name) == 0)
			return algs[i].alg;
	return MM_VH_NONE;
}

/* Length of the longest algorithm name that prefixes s (case-insensitive). */
static enum mm_vhash alg_prefix(const char *s, size_t n)
{
	enum mm_vhash best = MM_VH_NONE;
	size_t i, j, bestlen = 0;

	for (i = 1; i < sizeof(algs) / sizeof(algs[0]); i++) {
		size_t l = strlen(algs[i].name);

		if (l > n || l <= bestlen)
			continue;
		for (j = 0; j < l; j++)
			if (lower(s[j]) != algs[i].name[j])
				break;
		if (j == l) {
			best = algs[i].alg;
			bestlen = l;
		}
	}
	return best;
}

enum mm_vhash mm_vhash_from_filename(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;
	enum mm_vhash a;

	base = base ? base + 1 : path;
	/* SHA256SUMS, sha256sum.txt, MD5SUMS, md5sum.txt */
	a = alg_prefix(base, strlen(base));
	if (a != MM_VH_NONE) {
		const char *rest = base + strlen(mm_vhash_name(a));

		if (*rest == '\0' || lower(*rest) == 's' || *rest == '.' || *rest == '-' ||
		    *rest == '_')
			return a;
	}
	/* foo.iso.sha256, foo.iso.sha512sum */
	dot = strrchr(base, '.');
	if (dot && dot != base) {
		a = alg_prefix(dot + 1, strlen(dot + 1));
		if (a != MM_VH_NONE) {
			const char *rest = dot + 1 + strlen(mm_vhash_name(a));

			if (*rest == '\0' || strcmp(rest, "sum") == 0 || strcmp(rest, "sums") == 0)
				return a;
		}
	}
	return MM_VH_NONE;
}

static enum mm_vhash alg_by_len(size_t bytes)
{
	size_t i;

	for (i = 1; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].len == bytes)
			return algs[i].alg;
	return MM_VH_NONE;
}

void mm_sums_init(struct mm_sums *s, enum mm_vhash hint)
{
	memset(s, 0, sizeof(*s));
	s->hint = hint;
}

void mm_sums_release(struct mm_sums *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Consume a run of hex digits (even count, at most 128) into md. */
static bool cur_hexdigest(struct mm_cur *c, unsigned char *md, size_t *len)
{
	const char *p = c->p;
	size_t n = 0;

	while (p < c->end && hexval(*p) >= 0)
		p++;
	n = (size_t)(p - c->p);
	if (n == 0 || n % 2 || n / 2 > MM_VH_MAXLEN)
		return false;
	for (size_t i = 0; i < n / 2; i++)
		md[i] = (unsigned char)(hexval(c->p[2 * i]) << 4 | hexval(c->p[2 * i + 1]));
	*len = n / 2;
	c->p = p;
	return true;
}

static int bad(struct mm_sums *s, struct mm_err *err, const char *what)
{
	s->bad++;
	if (s->first_bad == 0) {
		s->first_bad = s->line;
		snprintf(s->first_bad_msg, sizeof(s->first_bad_msg), "%s", what);
	}
	return mm_err_set(err, MM_ERR_PARSE, "line %u: %s", s->line, what);
}

/* Unescape a GNU escaped name: only "\\", "\n" and "\r" exist. */
static int unescape(const char *p, size_t n, bool escaped, char **out, size_t *outlen)
{
	char *r = malloc(n + 1);
	size_t i, k = 0;

	if (!r)
		return MM_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		if (escaped && p[i] == '\\') {
			if (i + 1 >= n)
				goto bad;
			i++;
			if (p[i] == '\\')
				r[k++] = '\\';
			else if (p[i] == 'n')
				r[k++] = '\n';
			else if (p[i] == 'r')
				r[k++] = '\r';
			else
				goto bad;
		} else if (p[i] == '\0') {
			goto bad;
		} else {
			r[k++] = p[i];
		}
	}
	r[k] = '\0';
	*out = r;
	*outlen = k;
	return 0;
bad:
	free(r);
	return MM_ERR_PARSE;
}

static int add(struct mm_sums *s, struct mm_err *err, enum mm_vhash alg, const unsigned char *md,
	       size_t mdlen, struct mm_span name, bool escaped, bool binary)
{
	struct mm_sums_entry *e;
	int rc;

	if (name.n == 0)
		return bad(s, err, "empty file name");
	if (name.n > MM_SUMS_MAX_NAME)
		return bad(s, err, "file name too long");
	if (alg == MM_VH_NONE) {
		alg = alg_by_len(mdlen);
		if (s->hint != MM_VH_NONE && mm_vhash_len(s->hint) == mdlen)
			alg = s->hint;
	}
	if (alg == MM_VH_NONE)
		return bad(s, err, "digest length fits no algorithm");
	if (mm_vhash_len(alg) != mdlen)
		return bad(s, err, "digest length does not fit the algorithm");
	if (s->n >= MM_SUMS_MAX_ENTRIES)
		return mm_err_set(err, MM_ERR_TOOBIG, "line %u: more than %u entries", s->line,
				  MM_SUMS_MAX_ENTRIES);
	if (MM_GROW(s->v, s->cap, s->n, 16) < 0)
		return mm_err_set(err, MM_ERR_NOMEM, "out of memory");
	e = &s->v[s->n];
	memset(e, 0, sizeof(*e));
	rc = unescape(name.p, name.n, escaped, &e->name, &e->name_len);
	if (rc == MM_ERR_NOMEM)
		return mm_err_set(err, rc, "out of memory");
	if (rc < 0)
		return bad(s, err, "bad escape or NUL in file name");
	e->alg = alg;
	memcpy(e->digest, md, mdlen);
	e->line = s->line;
	e->binary = binary;
	s->n++;
	return 1;
}

/* "ALG (NAME) = HEX" after an optional backslash. */
static int line_tagged(struct mm_sums *s, struct mm_cur c, bool escaped, struct mm_err *err)
{
	struct mm_span tag, name;
	unsigned char md[MM_VH_MAXLEN];
	size_t mdlen;
	enum mm_vhash alg;
	const char *close;

	if (!mm_cur_until(&c, ' ', &tag))
		return bad(s, err, "not a checksum line");
	alg = mm_vhash_parse(tag.p, tag.n);
	if (alg == MM_VH_NONE)
		return bad(s, err, "unknown algorithm tag");
	if (!mm_cur_lit(&c, " ("))
		return bad(s, err, "expected ' (' after the tag");
	close = mm_memrmem(c.p, mm_cur_left(&c), ") = ", 4);
	if (!close)
		return bad(s, err, "expected ') = ' before the digest");
	name = mm_span_make(c.p, (size_t)(close - c.p));
	c.p = close + 4;
	if (!cur_hexdigest(&c, md, &mdlen) || !mm_cur_eof(&c))
		return bad(s, err, "bad hex digest");
	return add(s, err, alg, md, mdlen, name, escaped, false);
}

/* " HEX SIZE PATH" in a Release checksum section. */
static int line_release(struct mm_sums *s, struct mm_cur c, struct mm_err *err)
{
	unsigned char md[MM_VH_MAXLEN];
	size_t mdlen;
	uint64_t size;
	struct mm_span name;

	mm_cur_skip_ws(&c);
	if (!cur_hexdigest(&c, md, &mdlen) || mm_cur_skip_ws(&c) == 0 ||
	    !mm_cur_u64(&c, &size, UINT64_MAX) || mm_cur_skip_ws(&c) == 0)
		return bad(s, err, "bad Release checksum line");
	mm_cur_rest(&c, &name);
	return add(s, err, s->section, md, mdlen, name, false, false);
}

int mm_sums_line(struct mm_sums *s, const char *p, size_t n, struct mm_err *err)
{
	struct mm_cur c;
	unsigned char md[MM_VH_MAXLEN];
	size_t mdlen;
	struct mm_span name;
	bool escaped = false, binary = false;

	s->line++;
	s->bytes += n + 1;
	if (s->bytes > MM_SUMS_MAX_BYTES)
		return mm_err_set(err, MM_ERR_TOOBIG, "sums text larger than %u bytes",
				  MM_SUMS_MAX_BYTES);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	/* a UTF-8 byte order mark, as Windows editors write, on the first line */
	if (s->line == 1 && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		n -= 3;
	}
	c = mm_cur_make(p, n);
	if (n == 0 || p[0] == '#')
		return 0;
	/* Release section lines start with a space. */
	if (p[0] == ' ' || p[0] == '\t') {
		if (s->release && s->section != MM_VH_NONE)
			return line_release(s, c, err);
		if (s->release)
			return 0; /* continuation of another field (Description ...) */
		return bad(s, err, "line starts with a blank");
	}
	/* A Release field "Name: value" or a section header "SHA256:". */
	{
		const char *colon = memchr(p, ':', n);
		const char *sp = memchr(p, ' ', n);

		if (colon && (!sp || colon < sp) && (colon + 1 == p + n || colon[1] == ' ')) {
			size_t i;
			bool field = colon > p;

			for (i = 0; field && p + i < colon; i++) {
				char ch = p[i];

				field = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
					(ch >= '0' && ch <= '9') || ch == '-';
			}
			if (field) {
				s->release = true;
				s->section = MM_VH_NONE;
				if (colon + 1 == p + n)
					s->section = mm_vhash_parse(p, (size_t)(colon - p));
				return 0;
			}
		}
	}
	if (s->release) {
		s->section = MM_VH_NONE;
		return bad(s, err, "not a Release field");
	}
	if (mm_cur_char(&c, '\\'))
		escaped = true;
	if (!cur_hexdigest(&c, md, &mdlen) || !mm_cur_char(&c, ' '))
		return line_tagged(s, c, escaped, err);
	if (mm_cur_char(&c, '*'))
		binary = true;
	else if (!mm_cur_char(&c, ' '))
		return bad(s, err, "expected two spaces or ' *' after the digest");
	mm_cur_rest(&c, &name);
	return add(s, err, MM_VH_NONE, md, mdlen, name, escaped, binary);
}

int mm_sums_finish(struct mm_sums *s, struct mm_err *err)
{
	if (s->n == 0) {
		if (s->bad)
			return mm_err_set(err, MM_ERR_PARSE, "no checksum lines (line %u: %s)",
					  s->first_bad, s->first_bad_msg);
		return mm_err_set(err, MM_ERR_PARSE, "no checksum lines");
	}
	return 0;
}

int mm_sums_parse(struct mm_sums *s, const char *p, size_t n, struct mm_err *err)
{
	const char *end = p + n;
	int rc;

	if (n > MM_SUMS_MAX_BYTES)
		return mm_err_set(err, MM_ERR_TOOBIG, "sums text larger than %u bytes",
				  MM_SUMS_MAX_BYTES);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		rc = mm_sums_line(s, p, len, err);
		if (rc < 0 && rc != MM_ERR_PARSE)
			return rc;
		p += len + (nl ? 1 : 0);
	}
	return mm_sums_finish(s, err);
}

static bool stronger(enum mm_vhash a, enum mm_vhash b)
{
	/* enum order is weakest first; SHA-224 < SHA-256 < SHA-384 < SHA-512 */
	return a > b;
}

const struct mm_sums_entry *mm_sums_find(const struct mm_sums *s, const char *name, size_t n,
					 bool *conflict)
{
	const struct mm_sums_entry *best = NULL;
	size_t i;

	if (conflict)
		*conflict = false;
	for (i = 0; i < s->n; i++) {
		const struct mm_sums_entry *e = &s->v[i];

		if (e->name_len != n || memcmp(e->name, name, n) != 0)
			continue;
		if (!best || stronger(e->alg, best->alg)) {
			best = e;
		} else if (e->alg == best->alg &&
			   memcmp(e->digest, best->digest, mm_vhash_len(e->alg)) != 0) {
			if (conflict)
				*conflict = true;
		}
	}
	if (best && conflict && !*conflict) {
		for (i = 0; i < s->n; i++) {
			const struct mm_sums_entry *e = &s->v[i];

			if (e != best && e->alg == best->alg && e->name_len == n &&
			    memcmp(e->name, name, n) == 0 &&
			    memcmp(e->digest, best->digest, mm_vhash_len(e->alg)) != 0)
				*conflict = true;
		}
	}
	return best;
}

bool mm_sums_is_best(const struct mm_sums *s, const struct mm_sums_entry *e)
{
	return mm_sums_find(s, e->name, e->name_len, NULL) == e;
}

bool mm_sums_escape_name(struct mm_buf *out, const char *name, size_t n)
{
	bool esc = memchr(name, '\\', n) || memchr(name, '\n', n) || memchr(name, '\r', n);
	size_t i;

	for (i = 0; i < n; i++) {
		if (esc && name[i] == '\\')
			mm_buf_adds(out, "\\\\");
		else if (esc && name[i] == '\n')
			mm_buf_adds(out, "\\n");
		else if (esc && name[i] == '\r')
			mm_buf_adds(out, "\\r");
		else
			mm_buf_addc(out, name[i]);
	}
	return esc;
}
