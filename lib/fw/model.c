/* SPDX-License-Identifier: MIT */
/*
 * The firewall ruleset model and its rules file: a streaming line parser
 * (so errors carry line numbers and a hand-edited file is checked whole
 * before anything changes) and an atomic writer (temporary file, fsync,
 * rename).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mamori/cursor.h"
#include "mamori/fw.h"
#include "mamori/time.h"

#define RULES_FILE_MAX (64u << 20)

void mm_fw_ruleset_init(struct mm_fw_ruleset *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->policy[MM_FW_INCOMING] = MM_FW_DENY;
	rs->policy[MM_FW_OUTGOING] = MM_FW_ALLOW;
	rs->policy[MM_FW_ROUTED] = MM_FW_DENY;
	rs->level = MM_FW_LEVEL_LOW;
	rs->limit_hits = 6;
	rs->limit_secs = 30;
	rs->app_default = MM_FW_APP_SKIP;
}

void mm_fw_ruleset_release(struct mm_fw_ruleset *rs)
{
	if (!rs)
		return;
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->nfeeds; i++)
		mm_fw_feed_release(&rs->feeds[i]);
	free(rs->feeds);
	rs->feeds = NULL;
	rs->nfeeds = 0;
	free(rs->rules);
	free(rs->blocks);
	rs->rules = NULL;
	rs->blocks = NULL;
	rs->nrules = rs->caprules = rs->nblocks = rs->capblocks = 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem, size_t max)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	if (need > max)
		return MM_ERR_NOMEM;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap < need)
		ncap = need;
	if (ncap > max)
		ncap = max;
	np = realloc(*p, ncap * elem);
	if (!np)
		return MM_ERR_NOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

size_t mm_fw_rule_find(const struct mm_fw_ruleset *rs, const struct mm_fw_rule *r)
{
	size_t i;

	for (i = 0; i < rs->nrules; i++)
		if (mm_fw_rule_eq(&rs->rules[i], r))
			return i + 1;
	return 0;
}

int mm_fw_rule_add(struct mm_fw_ruleset *rs, const struct mm_fw_rule *r, size_t pos)
{
	size_t at;
	int rc;

	if (pos > rs->nrules + 1)
		return MM_ERR_RANGE;
	if (mm_fw_rule_find(rs, r))
		return 1;
	rc = grow((void **)&rs->rules, &rs->caprules, rs->nrules + 1, sizeof(*r), MM_FW_MAX_RULES);
	if (rc < 0)
		return rc;
	at = pos ? pos - 1 : rs->nrules;
	memmove(&rs->rules[at + 1], &rs->rules[at], (rs->nrules - at) * sizeof(*r));
	rs->rules[at] = *r;
	rs->nrules++;
	return 0;
}

int mm_fw_rule_del(struct mm_fw_ruleset *rs, size_t pos)
{
	if (pos < 1 || pos > rs->nrules)
		return MM_ERR_RANGE;
	memmove(&rs->rules[pos - 1], &rs->rules[pos], (rs->nrules - pos) * sizeof(rs->rules[0]));
	rs->nrules--;
	return 0;
}

static bool pfx_within(const struct mm_prefix *inner, const struct mm_prefix *outer)
{
	return inner->addr.family == outer->addr.family && inner->len >= outer->len &&
	       mm_prefix_contains(outer, &inner->addr);
}

int mm_fw_block_add(struct mm_fw_ruleset *rs, const struct mm_prefix *pfx, int64_t until,
		    const char *comment)
{
	struct mm_fw_block *b;
	size_t i, j;
	int rc;

	for (i = 0; i < rs->nblocks; i++) {
		b = &rs->blocks[i];
		if (b->pfx.len == pfx->len && mm_addr_eq(&b->pfx.addr, &pfx->addr)) {
			/* the same block again: new expiry and comment */
			b->until = until;
			if (comment)
				snprintf(b->comment, sizeof(b->comment), "%s", comment);
			return 0;
		}
		if (pfx_within(pfx, &b->pfx))
			return 1;
	}
	/* drop the blocks the new one covers: an interval set refuses overlaps */
	for (i = j = 0; i < rs->nblocks; i++)
		if (!pfx_within(&rs->blocks[i].pfx, pfx))
			rs->blocks[j++] = rs->blocks[i];
	rs->nblocks = j;
	rc = grow((void **)&rs->blocks, &rs->capblocks, rs->nblocks + 1, sizeof(*b),
		  MM_FW_MAX_BLOCKS);
	if (rc < 0)
		return rc;
	b = &rs->blocks[rs->nblocks++];
	memset(b, 0, sizeof(*b));
	b->pfx = *pfx;
	b->until = until;
	if (comment)
		snprintf(b->comment, sizeof(b->comment), "%s", comment);
	return 0;
}

int mm_fw_block_del(struct mm_fw_ruleset *rs, const struct mm_prefix *pfx)
{
	size_t i;

	for (i = 0; i < rs->nblocks; i++) {
		if (rs->blocks[i].pfx.len == pfx->len &&
		    mm_addr_eq(&rs->blocks[i].pfx.addr, &pfx->addr)) {
			memmove(&rs->blocks[i], &rs->blocks[i + 1],
				(rs->nblocks - i - 1) * sizeof(rs->blocks[0]));
			rs->nblocks--;
			return 0;
		}
	}
	return MM_ERR_NOTFOUND;
}

void mm_fw_fileparser_init(struct mm_fw_fileparser *fp, struct mm_fw_ruleset *rs, const char *name,
			   int64_t now)
{
	fp->rs = rs;
	fp->name = name;
	fp->lineno = 0;
	fp->now = now;
	fp->blocks_file = false;
	fp->nstatements = 0;
}

static bool word_is(struct mm_cur *c, const char *w)
{
	struct mm_cur t = *c;
	struct mm_span s;

	mm_cur_skip_ws(&t);
	if (!mm_cur_word(&t, &s) || !mm_span_eq(s, w))
		return false;
	*c = t;
	return true;
}

/* first is w: move c past it (to after). */
static bool take(struct mm_cur *c, const struct mm_cur *after, struct mm_span first, const char *w)
{
	if (!mm_span_eq(first, w))
		return false;
	*c = *after;
	return true;
}

static int pick(struct mm_span w, const char *const *names, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (mm_span_eq(w, names[i]))
			return (int)i;
	return -1;
}

/* Marks a parsed "unblock" (or an expired block) until finish drops it. */
#define UNBLOCKED ((int64_t)-1)

static int push_block(struct mm_fw_fileparser *fp, const struct mm_prefix *p, int64_t until,
		      const char *comment, struct mm_err *err);

/* block ADDR[/PFX] [until ISO-8601] [comment TEXT] */
static int parse_block(struct mm_fw_fileparser *fp, struct mm_cur *c, struct mm_err *err)
{
	struct mm_prefix p;
	struct mm_span w;
	struct mm_time t;
	int64_t until = 0;
	char comment[MM_FW_COMMENT_MAX] = "";
	struct mm_fw_rule tmp;
	int rc;

	mm_cur_skip_ws(c);
	if (!mm_cur_word(c, &w) || mm_prefix_parse(w.p, w.n, &p) < 0)
		return mm_err_set(err, MM_ERR_PARSE, "block needs an address or prefix");
	if (word_is(c, "until")) {
		mm_cur_skip_ws(c);
		if (!mm_cur_word(c, &w) || mm_time_parse_iso(w.p, w.n, 0, &t) != (int)w.n)
			return mm_err_set(err, MM_ERR_PARSE, "'until' needs an ISO 8601 time");
		until = t.us / 1000000;
		if (until <= 0)
			return mm_err_set(err, MM_ERR_RANGE, "'until' before 1970");
	}
	if (word_is(c, "comment")) {
		/* reuse the rule grammar's comment rules */
		struct mm_span rest;
		struct mm_buf b;

		mm_cur_rest(c, &rest);
		mm_buf_init(&b, MM_FW_MAX_LINE + 32);
		rc = mm_buf_adds(&b, "allow 1 comment ");
		if (rc == 0)
			rc = mm_buf_add(&b, rest.p, rest.n);
		if (rc == 0)
			rc = mm_fw_rule_parse(b.data, b.len, &tmp, err);
		mm_buf_release(&b);
		if (rc < 0)
			return rc;
		memcpy(comment, tmp.comment, sizeof(comment));
	}
	mm_cur_skip_ws(c);
	if (!mm_cur_eof(c))
		return mm_err_set(err, MM_ERR_PARSE, "unexpected text after block");
	if (until && until <= fp->now)
		until = UNBLOCKED; /* expired: it ends any earlier block of pfx too */
	return push_block(fp, &p, until, comment, err);
}

/* unblock ADDR[/PFX] (blocks file only) */
static int parse_unblock(struct mm_fw_fileparser *fp, struct mm_cur *c, struct mm_err *err)
{
	struct mm_prefix p;
	struct mm_span w;

	mm_cur_skip_ws(c);
	if (!mm_cur_word(c, &w) || mm_prefix_parse(w.p, w.n, &p) < 0)
		return mm_err_set(err, MM_ERR_PARSE, "unblock needs an address or prefix");
	mm_cur_skip_ws(c);
	if (!mm_cur_eof(c))
		return mm_err_set(err, MM_ERR_PARSE, "unexpected text after unblock");
	return push_block(fp, &p, UNBLOCKED, "", err);
}

/* Appended as is; mm_fw_fileparser_finish() resolves overlaps in one sort. */
static int push_block(struct mm_fw_fileparser *fp, const struct mm_prefix *p, int64_t until,
		      const char *comment, struct mm_err *err)
{
	int rc;

	rc = grow((void **)&fp->rs->blocks, &fp->rs->capblocks, fp->rs->nblocks + 1,
		  sizeof(struct mm_fw_block), MM_FW_MAX_BLOCKS);
	if (rc < 0)
		return mm_err_set(err, rc, "too many blocks (at most %d)", MM_FW_MAX_BLOCKS);
	fp->rs->blocks[fp->rs->nblocks].pfx = *p;
	fp->rs->blocks[fp->rs->nblocks].until = until;
	snprintf(fp->rs->blocks[fp->rs->nblocks].comment, MM_FW_COMMENT_MAX, "%s", comment);
	fp->rs->nblocks++;
	fp->nstatements++;
	return 0;
}

static int parse_line(struct mm_fw_fileparser *fp, const char *line, size_t n, struct mm_err *err)
{
	static const char *const policies[] = {"allow", "deny", "reject"};
	static const char *const chains[] = {"incoming", "outgoing", "routed"};
	static const char *const levels[] = {"off", "low", "medium", "high"};
	struct mm_fw_ruleset *rs = fp->rs;
	struct mm_cur c = mm_cur_make(line, n);
	struct mm_span w, w2, first;
	struct mm_cur after;
	int a, b, rc;

	mm_cur_skip_ws(&c);
	if (mm_cur_eof(&c) || *c.p == '#')
		return 0;
	if (n > MM_FW_MAX_LINE)
		return mm_err_set(err, MM_ERR_TOOBIG, "line longer than %d bytes", MM_FW_MAX_LINE);
	if (fp->blocks_file) {
		if (word_is(&c, "block"))
			return parse_block(fp, &c, err);
		if (word_is(&c, "unblock"))
			return parse_unblock(fp, &c, err);
		return mm_err_set(err, MM_ERR_PARSE,
				  "a blocks file holds only 'block' and 'unblock' lines");
	}
	/* the statement's first word, scanned once (every rule line would
	 * otherwise scan it again for each keyword) */
	after = c;
	if (!mm_cur_word(&after, &first))
		first.n = 0;
	if (take(&c, &after, first, "enabled")) {
		mm_cur_skip_ws(&c);
		if (!mm_cur_word(&c, &w) || (!mm_span_eq(w, "yes") && !mm_span_eq(w, "no")))
			return mm_err_set(err, MM_ERR_PARSE, "'enabled' takes yes or no");
		rs->enabled = w.p[0] == 'y';
	} else if (take(&c, &after, first, "default")) {
		mm_cur_skip_ws(&c);
		if (!mm_cur_word(&c, &w) || (a = pick(w, policies, 3)) < 0)
			return mm_err_set(err, MM_ERR_PARSE,
					  "'default' takes allow, deny or reject");
		mm_cur_skip_ws(&c);
		if (!mm_cur_word(&c, &w2) || (b = pick(w2, chains, 3)) < 0)
			return mm_err_set(err, MM_ERR_PARSE,
					  "'default %s' needs incoming, outgoing or routed",
					  policies[a]);
		rs->policy[b] = (uint8_t)a;
	} else if (take(&c, &after, first, "logging")) {
		mm_cur_skip_ws(&c);
		if (!mm_cur_word(&c, &w) || (a = pick(w, levels, 4)) < 0)
			return mm_err_set(err, MM_ERR_PARSE,
					  "'logging' takes off, low, medium or high");
		rs->level = (uint8_t)a;
	} else if (take(&c, &after, first, "limit-rate")) {
		uint32_t hits, secs;

		mm_cur_skip_ws(&c);
		if (!mm_cur_u32(&c, &hits, 10000) || !mm_cur_char(&c, '/') ||
		    !mm_cur_u32(&c, &secs, 86400) || !mm_cur_char(&c, 's') || hits < 1 || secs < 1)
			return mm_err_set(
			    err, MM_ERR_PARSE,
			    "'limit-rate' takes HITS/SECONDSs, e.g. 6/30s (1-10000, 1-86400)");
		rs->limit_hits = hits;
		rs->limit_secs = secs;
	} else if (take(&c, &after, first, "app")) {
		static const char *const app_policies[] = {"allow", "deny", "reject", "skip"};

		mm_cur_skip_ws(&c);
		if (!mm_cur_word(&c, &w) || !mm_span_eq(w, "default"))
			return mm_err_set(err, MM_ERR_PARSE,
					  "'app' takes 'default' in a rules file");
		mm_cur_skip_ws(&c);
		if (!mm_cur_word(&c, &w) || (a = pick(w, app_policies, 4)) < 0)
			return mm_err_set(err, MM_ERR_PARSE,
					  "'app default' takes allow, deny, reject or skip");
		rs->app_default = a == 3 ? MM_FW_APP_SKIP : (uint8_t)a;
	} else if (take(&c, &after, first, "block")) {
		return parse_block(fp, &c, err);
	} else {
		/* parsed straight into the next slot, taken only on success (a
		 * rule is about 1 KB: copies and fresh pages are what loading
		 * 1,000 rules costs); appended as is: mm_fw_fileparser_finish()
		 * drops duplicate lines in one pass, where checking each line
		 * against all before it made loading 1,000 rules cost milliseconds */
		rc = grow((void **)&rs->rules, &rs->caprules, rs->nrules + 1, sizeof(*rs->rules),
			  MM_FW_MAX_RULES);
		if (rc < 0)
			return mm_err_set(err, rc, "too many rules (at most %d)", MM_FW_MAX_RULES);
		rc = mm_fw_rule_parse_apps(c.p, mm_cur_left(&c), rs->apps, &rs->rules[rs->nrules],
					   err);
		if (rc < 0)
			return rc;
		rs->nrules++;
		return 0;
	}
	mm_cur_skip_ws(&c);
	if (!mm_cur_eof(&c))
		return mm_err_set(err, MM_ERR_PARSE, "unexpected text at the end of the line");
	return 0;
}

int mm_fw_fileparser_line(struct mm_fw_fileparser *fp, const char *line, size_t n,
			  struct mm_err *err)
{
	struct mm_err e = {0};
	int rc;

	fp->lineno++;
	if (n && line[n - 1] == '\r')
		n--;
	rc = parse_line(fp, line, n, &e);
	if (rc < 0)
		return mm_err_set(err, rc, "%s:%lu: %s", fp->name, fp->lineno,
				  e.msg[0] ? e.msg : mm_strerror(rc));
	return 0;
}

struct bslot {
	const struct mm_fw_block *b;
	size_t pos; /* file order: the later of two equal blocks wins */
};

static int bslot_cmp(const void *pa, const void *pb)
{
	const struct bslot *a = pa, *b = pb;
	int c = (int)a->b->pfx.addr.family - (int)b->b->pfx.addr.family;

	if (c == 0)
		c = memcmp(a->b->pfx.addr.b, b->b->pfx.addr.b, 16);
	if (c == 0)
		c = (int)a->b->pfx.len - (int)b->b->pfx.len;
	if (c == 0)
		c = a->pos < b->pos ? -1 : a->pos > b->pos;
	return c;
}

/* FNV-1a over bytes. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 1099511628211u;
	return h;
}

static uint64_t hash_prefix(uint64_t h, const struct mm_prefix *p)
{
	h = fnv(h, &p->addr.family, 1);
	h = fnv(h, p->addr.b, p->addr.family == MM_AF_INET ? 4 : 16);
	return fnv(h, &p->len, 1);
}

/*
 * A hash of the fields mm_fw_rule_eq() compares (a subset of them is
 * enough: equal rules must hash the same, nothing more).
 */
static uint64_t rule_hash(const struct mm_fw_rule *r)
{
	uint64_t h = 14695981039346656037u;
	uint8_t f[6] = {r->action, r->dir, r->log, r->proto, r->has_src, r->has_dst};

	h = fnv(h, f, sizeof(f));
	h = fnv(h, r->iface, strnlen(r->iface, sizeof(r->iface)));
	if (r->has_src)
		h = hash_prefix(h, &r->src);
	if (r->has_dst)
		h = hash_prefix(h, &r->dst);
	h = fnv(h, &r->sport.n, 1);
	h = fnv(h, r->sport.r, r->sport.n * sizeof(r->sport.r[0]));
	h = fnv(h, &r->dport.n, 1);
	return fnv(h, r->dport.r, r->dport.n * sizeof(r->dport.r[0]));
}

struct rslot {
	uint64_t h;
	size_t pos; /* rule index + 1; 0: empty */
};

/* Drop every rule equal to an earlier one, keeping the order: one pass
 * over an open-addressing table of rule hashes (equal rules hash alike). */
static int dedupe_rules(struct mm_fw_ruleset *rs, struct mm_err *err)
{
	struct rslot *v;
	size_t i, j, mask, n = 0, size = 16;

	if (rs->nrules < 2)
		return 0;
	while (size < 2 * rs->nrules)
		size *= 2;
	mask = size - 1;
	v = calloc(size, sizeof(*v));
	if (!v)
		return mm_err_set(err, MM_ERR_NOMEM, "out of memory");
	for (i = 0; i < rs->nrules; i++) {
		uint64_t h = rule_hash(&rs->rules[i]);
		bool dup = false;

		for (j = (size_t)(h ^ h >> 32) & mask; v[j].pos; j = (j + 1) & mask) {
			if (v[j].h == h && mm_fw_rule_eq(&rs->rules[v[j].pos - 1], &rs->rules[i])) {
				dup = true;
				break;
			}
		}
		if (dup)
			continue;
		if (n != i)
			rs->rules[n] = rs->rules[i];
		v[j].h = h;
		v[j].pos = ++n;
	}
	rs->nrules = n;
	free(v);
	return 0;
}

/*
 * Duplicate rules: the first line wins (as adding it again from the
 * command line is skipped). Blocks: sorted by address then prefix
 * length, a block that covers others comes right before them (CIDR
 * prefixes nest or are disjoint), so one sweep drops every block inside
 * another, keeping the last of equal ones.
 */
int mm_fw_fileparser_finish(struct mm_fw_fileparser *fp, struct mm_err *err)
{
	struct mm_fw_ruleset *rs = fp->rs;
	struct bslot *v;
	struct mm_fw_block *nb;
	size_t i, n = 0, old = rs->nblocks;
	int rc;

	rc = dedupe_rules(rs, err);
	if (rc < 0)
		return rc;
	if (rs->nblocks == 1 && rs->blocks[0].until == UNBLOCKED)
		rs->nblocks = 0;
	if (rs->nblocks < 2)
		return 0;
	v = malloc(rs->nblocks * sizeof(*v));
	nb = malloc(rs->nblocks * sizeof(*nb));
	if (!v || !nb) {
		free(v);
		free(nb);
		return mm_err_set(err, MM_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < rs->nblocks; i++) {
		v[i].b = &rs->blocks[i];
		v[i].pos = i;
	}
	qsort(v, rs->nblocks, sizeof(*v), bslot_cmp);
	for (i = 0; i < rs->nblocks; i++) {
		const struct mm_fw_block *b = v[i].b;
		const struct mm_fw_block *next = i + 1 < rs->nblocks ? v[i + 1].b : NULL;

		/* of the same block given again, only the last line counts */
		if (next && next->pfx.len == b->pfx.len &&
		    mm_addr_eq(&next->pfx.addr, &b->pfx.addr))
			continue;
		if (b->until == UNBLOCKED)
			continue;
		if (n && pfx_within(&b->pfx, &nb[n - 1].pfx))
			continue;
		nb[n++] = *b;
	}
	free(v);
	free(rs->blocks);
	rs->blocks = nb;
	rs->nblocks = n;
	rs->capblocks = old;
	return 0;
}

int mm_fw_parse_buffer(struct mm_fw_ruleset *rs, const char *name, const char *data, size_t n,
		       int64_t now, struct mm_err *err)
{
	struct mm_fw_fileparser fp;
	const char *p = data, *end = data + n;
	int rc;

	mm_fw_fileparser_init(&fp, rs, name, now);
	/* room for every line that may be a rule, at once: growing by
	 * doubling copies the array and faults in pages it then drops */
	if (!fp.blocks_file) {
		size_t maybe = 0;
		const char *q = data;

		while (q < end) {
			const char *nl = memchr(q, '\n', (size_t)(end - q));

			maybe += *q != '#' && *q != 'b' && *q != '\n';
			q = nl ? nl + 1 : end;
		}
		if (maybe > MM_FW_MAX_RULES - rs->nrules)
			maybe = MM_FW_MAX_RULES - rs->nrules;
		if (grow((void **)&rs->rules, &rs->caprules, rs->nrules + maybe, sizeof(*rs->rules),
			 MM_FW_MAX_RULES) < 0)
			return mm_err_set(err, MM_ERR_NOMEM, "out of memory");
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (memchr(p, '\0', len))
			return mm_err_set(err, MM_ERR_PARSE, "%s:%lu: NUL byte in line", name,
					  fp.lineno + 1);
		rc = mm_fw_fileparser_line(&fp, p, len, err);
		if (rc < 0)
			return rc;
		p += len + (nl ? 1 : 0);
	}
	return mm_fw_fileparser_finish(&fp, err);
}

int mm_fw_load(struct mm_fw_ruleset *rs, const char *path, int64_t now, struct mm_err *err)
{
	struct mm_buf b;
	char chunk[65536];
	ssize_t got;
	int fd, rc = 0;

	mm_buf_init(&b, RULES_FILE_MAX);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			goto out; /* no file yet: the defaults */
		rc = mm_err_set(err, errno == EACCES ? MM_ERR_PERM : MM_ERR_IO, "%s: %s", path,
				strerror(errno));
		goto out;
	}
	/* the previous version is rewritten in place as the next one's spare
	 * (mm_fw_tmp_begin()), under an exclusive lock: never read it half done */
	(void)flock(fd, LOCK_SH);
	while ((got = read(fd, chunk, sizeof(chunk))) > 0) {
		rc = mm_buf_add(&b, chunk, (size_t)got);
		if (rc < 0) {
			rc = mm_err_set(err, rc, "%s: larger than %u bytes", path, RULES_FILE_MAX);
			goto out;
		}
	}
	if (got < 0) {
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = mm_fw_parse_buffer(rs, path, b.data ? b.data : "", b.len, now, err);
out:
	if (fd >= 0)
		close(fd);
	mm_buf_release(&b);
	return rc;
}

int mm_fw_serialize(const struct mm_fw_ruleset *rs, struct mm_buf *out)
{
	static const char *const policies[] = {"allow", "deny", "reject"};
	unsigned i;
	size_t k;
	int rc;

	rc = mm_buf_adds(
	    out,
	    "# mamori firewall rules: one statement per line, the grammar of\n"
	    "# 'mamori firewall' (see mamori-firewall(1)). Check with 'mamori firewall show'.\n");
	if (rc == 0)
		rc = mm_buf_addf(out, "enabled %s\n", rs->enabled ? "yes" : "no");
	for (i = 0; rc == 0 && i < MM_FW_NCHAINS; i++)
		rc = mm_buf_addf(out, "default %s %s\n", policies[rs->policy[i] % 3],
				 mm_fw_chain_name(i));
	if (rc == 0)
		rc = mm_buf_addf(out, "logging %s\n", mm_fw_level_name(rs->level));
	if (rc == 0 && (rs->limit_hits != 6 || rs->limit_secs != 30))
		rc = mm_buf_addf(out, "limit-rate %u/%us\n", rs->limit_hits, rs->limit_secs);
	if (rc == 0 && rs->app_default != MM_FW_APP_SKIP)
		rc = mm_buf_addf(out, "app default %s\n", policies[rs->app_default % 3]);
	for (k = 0; rc == 0 && k < rs->nrules; k++) {
		rc = mm_fw_rule_format(&rs->rules[k], out);
		if (rc == 0)
			rc = mm_buf_addc(out, '\n');
	}
	for (k = 0; rc == 0 && k < rs->nblocks; k++)
		rc = mm_fw_block_format(&rs->blocks[k], out);
	return rc;
}

int mm_fw_block_format(const struct mm_fw_block *b, struct mm_buf *out)
{
	char ts[MM_TIME_STRLEN];
	int rc;

	rc = mm_buf_adds(out, "block ");
	if (rc == 0)
		rc = mm_fw_prefix_text(true, &b->pfx, out);
	if (rc == 0 && b->until > 0) {
		struct mm_time t = {.us = b->until * 1000000, .off = 0, .set = true};

		rc = mm_buf_addf(out, " until %s", mm_time_format(&t, false, ts));
	}
	if (rc == 0 && b->comment[0])
		rc = mm_buf_addf(out, " comment \"%s\"", b->comment);
	if (rc == 0)
		rc = mm_buf_addc(out, '\n');
	return rc;
}

int mm_fw_write_tmp(const struct mm_fw_ruleset *rs, const char *path, char *tmp_out, size_t tmpsz,
		    struct mm_err *err)
{
	struct mm_buf b;
	int rc;

	tmp_out[0] = '\0';
	mm_buf_init(&b, RULES_FILE_MAX);
	rc = mm_fw_serialize(rs, &b);
	if (rc < 0)
		rc = mm_err_set(err, rc, "rules too large to write");
	else
		rc = mm_fw_write_tmp_data(path, b.data ? b.data : "", b.len, tmp_out, tmpsz, err);
	mm_buf_release(&b);
	return rc;
}

int mm_fw_write_tmp_begin(const struct mm_fw_ruleset *rs, const char *path,
			  struct mm_fw_tmpfile **t, struct mm_err *err)
{
	struct mm_buf b;
	int rc;

	*t = NULL;
	mm_buf_init(&b, RULES_FILE_MAX);
	rc = mm_fw_serialize(rs, &b);
	if (rc < 0)
		rc = mm_err_set(err, rc, "rules too large to write");
	else
		rc = mm_fw_tmp_begin(path, b.data ? b.data : "", b.len,
				     MM_FW_TMP_SPARE | MM_FW_TMP_BACKGROUND, t, err);
	mm_buf_release(&b);
	return rc;
}

int mm_fw_commit_file(const char *tmp, const char *path, struct mm_err *err)
{
	if (rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(e));
	}
	return 0;
}
