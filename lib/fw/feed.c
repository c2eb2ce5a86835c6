/* SPDX-License-Identifier: MIT */
/*
 * Blocklist feeds: a streaming cursor parser for the one-prefix-per-line
 * files that blocklist projects publish (FireHOL, Spamhaus DROP, abuse
 * lists), the merge that makes any such file loadable into an nftables
 * interval set, and the feed files mamori keeps.
 *
 * An interval set refuses overlapping elements, and published lists are
 * full of them (a /24 and an address inside it, the same network twice).
 * Sorted by family, address and then prefix length, a prefix that covers
 * others comes right before them (CIDR prefixes nest or are disjoint), so
 * one sweep keeps only the outermost ones.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mamori/cursor.h"
#include "mamori/fw.h"

bool mm_fw_feed_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > MM_FW_FEED_NAME_MAX || !isalpha((unsigned char)s[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

void mm_fw_feed_init(struct mm_fw_feed *f, const char *name)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
}

void mm_fw_feed_release(struct mm_fw_feed *f)
{
	if (!f)
		return;
	free(f->v);
	f->v = NULL;
	f->n = f->cap = f->n4 = f->lines = f->merged = 0;
}

void mm_fw_feedparser_init(struct mm_fw_feedparser *fp, struct mm_fw_feed *f, const char *file)
{
	fp->f = f;
	fp->file = file;
	fp->lineno = 0;
}

static int push(struct mm_fw_feed *f, const struct mm_prefix *p)
{
	if (f->n >= MM_FW_MAX_FEED_ENTRIES)
		return MM_ERR_RANGE;
	if (MM_GROW(f->v, f->cap, f->n, 1024) < 0)
		return MM_ERR_NOMEM;
	f->v[f->n++] = *p;
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int parse_line(struct mm_fw_feed *f, const char *line, size_t n, struct mm_err *err)
{
	const char *p = line, *end = line + n, *a;
	struct mm_prefix pfx;
	char shown[48];
	size_t i, an;
	int rc;

	while (p < end && is_space(*p))
		p++;
	if (p == end || *p == '#' || *p == ';')
		return 0;
	a = p;
	while (p < end && !is_space(*p) && *p != '#' && *p != ';')
		p++;
	an = (size_t)(p - a);
	for (i = 0; i < an && i + 1 < sizeof(shown) && i < 40; i++)
		shown[i] = isprint((unsigned char)a[i]) ? a[i] : '?';
	shown[i] = '\0';
	rc = mm_prefix_parse(a, an, &pfx);
	if (rc == MM_ERR_RANGE)
		return mm_err_set(err, MM_ERR_RANGE, "bad prefix length in '%s'", shown);
	if (rc < 0)
		return mm_err_set(err, MM_ERR_PARSE, "bad address or prefix '%s'", shown);
	while (p < end && is_space(*p))
		p++;
	if (p < end && *p != '#' && *p != ';') {
		an = (size_t)(end - p);
		for (i = 0; i < an && i + 1 < sizeof(shown) && i < 40; i++)
			shown[i] = isprint((unsigned char)p[i]) ? p[i] : '?';
		shown[i] = '\0';
		return mm_err_set(err, MM_ERR_PARSE,
				  "unexpected '%s' after the address (one address or prefix "
				  "per line)",
				  shown);
	}
	f->lines++;
	rc = push(f, &pfx);
	if (rc < 0)
		return mm_err_set(err, rc, "more than %d entries", MM_FW_MAX_FEED_ENTRIES);
	return 0;
}

int mm_fw_feedparser_line(struct mm_fw_feedparser *fp, const char *line, size_t n,
			  struct mm_err *err)
{
	struct mm_err e = {0};
	int rc;

	fp->lineno++;
	if (memchr(line, '\0', n))
		return mm_err_set(err, MM_ERR_PARSE, "%s:%lu: NUL byte in line", fp->file,
				  fp->lineno);
	rc = parse_line(fp->f, line, n, &e);
	if (rc < 0)
		return mm_err_set(err, rc, "%s:%lu: %s", fp->file, fp->lineno, e.msg);
	return 0;
}

static int pfx_cmp(const void *pa, const void *pb)
{
	const struct mm_prefix *a = pa, *b = pb;
	int c;

	if (a->addr.family != b->addr.family)
		return a->addr.family == MM_AF_INET ? -1 : 1;
	c = memcmp(a->addr.b, b->addr.b, sizeof(a->addr.b));
	if (c == 0)
		c = (int)a->len - (int)b->len;
	return c;
}

static bool within(const struct mm_prefix *inner, const struct mm_prefix *outer)
{
	return inner->addr.family == outer->addr.family && inner->len >= outer->len &&
	       mm_prefix_contains(outer, &inner->addr);
}

int mm_fw_feedparser_finish(struct mm_fw_feedparser *fp, struct mm_err *err)
{
	struct mm_fw_feed *f = fp->f;
	size_t i, k = 0;

	(void)err;
	if (f->n > 1)
		qsort(f->v, f->n, sizeof(f->v[0]), pfx_cmp);
	for (i = 0; i < f->n; i++) {
		if (k && within(&f->v[i], &f->v[k - 1]))
			continue;
		f->v[k++] = f->v[i];
	}
	f->merged = f->n - k;
	f->n = k;
	for (f->n4 = 0; f->n4 < f->n && f->v[f->n4].addr.family == MM_AF_INET; f->n4++)
		;
	return 0;
}

int mm_fw_feed_parse_buffer(struct mm_fw_feed *f, const char *file, const char *data, size_t n,
			    struct mm_err *err)
{
	struct mm_fw_feedparser fp;
	const char *p = data, *end = data + n;
	int rc;

	mm_fw_feedparser_init(&fp, f, file);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		rc = mm_fw_feedparser_line(&fp, p, len, err);
		if (rc < 0)
			return rc;
		p += len + (nl ? 1 : 0);
	}
	return mm_fw_feedparser_finish(&fp, err);
}

int mm_fw_feed_load(struct mm_fw_feed *f, const char *path, struct mm_err *err)
{
	struct mm_buf b;
	struct stat sb;
	ssize_t got;
	int fd, rc = 0;

	mm_buf_init(&b, MM_FW_FEED_FILE_MAX);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		rc = mm_err_set(err, errno == ENOENT ? MM_ERR_NOTFOUND : MM_ERR_IO, "%s: %s", path,
				strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		rc = mm_err_set(err, MM_ERR_IO, "%s: not a regular file", path);
		goto out;
	}
	if ((unsigned long long)sb.st_size > MM_FW_FEED_FILE_MAX) {
		rc = mm_err_set(err, MM_ERR_TOOBIG, "%s: larger than %u bytes", path,
				MM_FW_FEED_FILE_MAX);
		goto out;
	}
	for (;;) {
		char chunk[1 << 16];

		got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (mm_buf_add(&b, chunk, (size_t)got) < 0) {
			rc = mm_err_set(err, MM_ERR_TOOBIG, "%s: larger than %u bytes", path,
					MM_FW_FEED_FILE_MAX);
			goto out;
		}
	}
	if (got < 0) {
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = mm_fw_feed_parse_buffer(f, path, b.data ? b.data : "", b.len, err);
out:
	if (fd >= 0)
		close(fd);
	mm_buf_release(&b);
	return rc;
}

int mm_fw_feed_serialize(const struct mm_fw_feed *f, struct mm_buf *out)
{
	size_t i;
	int rc;

	rc = mm_buf_addf(out, "# mamori blocklist feed %s: %zu IPv4 and %zu IPv6 prefixes\n",
			 f->name, f->n4, f->n - f->n4);
	for (i = 0; rc == 0 && i < f->n; i++) {
		rc = mm_fw_prefix_text(true, &f->v[i], out);
		if (rc == 0)
			rc = mm_buf_addc(out, '\n');
	}
	return rc;
}

int mm_fw_feed_write_tmp(const struct mm_fw_feed *f, const char *path, char *tmp_out, size_t tmpsz,
			 struct mm_err *err)
{
	struct mm_buf b;
	int rc;

	tmp_out[0] = '\0';
	mm_buf_init(&b, MM_FW_FEED_FILE_MAX);
	rc = mm_fw_feed_serialize(f, &b);
	if (rc < 0)
		rc = mm_err_set(err, rc, "feed %s too large to write", f->name);
	else
		rc = mm_fw_write_tmp_data(path, b.data ? b.data : "", b.len, tmp_out, tmpsz, err);
	mm_buf_release(&b);
	return rc;
}

static int feed_cmp(const void *pa, const void *pb)
{
	const struct mm_fw_feed *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

int mm_fw_feed_put(struct mm_fw_ruleset *rs, struct mm_fw_feed *f)
{
	struct mm_fw_feed *nv;
	size_t i;

	for (i = 0; i < rs->nfeeds; i++) {
		if (strcmp(rs->feeds[i].name, f->name) == 0) {
			mm_fw_feed_release(&rs->feeds[i]);
			rs->feeds[i] = *f;
			f->v = NULL;
			mm_fw_feed_release(f);
			return 1;
		}
	}
	if (rs->nfeeds >= MM_FW_MAX_FEEDS)
		return MM_ERR_RANGE;
	nv = realloc(rs->feeds, (rs->nfeeds + 1) * sizeof(*nv));
	if (!nv)
		return MM_ERR_NOMEM;
	rs->feeds = nv;
	rs->feeds[rs->nfeeds++] = *f;
	f->v = NULL;
	mm_fw_feed_release(f);
	qsort(rs->feeds, rs->nfeeds, sizeof(rs->feeds[0]), feed_cmp);
	return 0;
}

int mm_fw_feed_del(struct mm_fw_ruleset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nfeeds; i++) {
		if (strcmp(rs->feeds[i].name, name) == 0) {
			mm_fw_feed_release(&rs->feeds[i]);
			memmove(&rs->feeds[i], &rs->feeds[i + 1],
				(rs->nfeeds - i - 1) * sizeof(rs->feeds[0]));
			rs->nfeeds--;
			return 0;
		}
	}
	return MM_ERR_NOTFOUND;
}

const struct mm_fw_feed *mm_fw_feed_find(const struct mm_fw_ruleset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nfeeds; i++)
		if (strcmp(rs->feeds[i].name, name) == 0)
			return &rs->feeds[i];
	return NULL;
}

int mm_fw_feeds_load_dir(struct mm_fw_ruleset *rs, const char *dir, struct mm_err *err)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!dp) {
		if (errno == ENOENT)
			return 0;
		return mm_err_set(err, MM_ERR_IO, "%s: %s", dir, strerror(errno));
	}
	while (rc == 0 && (de = readdir(dp)) != NULL) {
		struct mm_fw_feed f;
		char path[4096];

		if (!mm_fw_feed_name_ok(de->d_name, strlen(de->d_name)))
			continue; /* temporary files, editor backups */
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		mm_fw_feed_init(&f, de->d_name);
		rc = mm_fw_feed_load(&f, path, err);
		if (rc == 0) {
			rc = mm_fw_feed_put(rs, &f);
			if (rc < 0)
				rc = mm_err_set(err, rc, "%s: more than %d feeds", dir,
						MM_FW_MAX_FEEDS);
			else
				rc = 0;
		}
		mm_fw_feed_release(&f);
	}
	closedir(dp);
	return rc;
}
