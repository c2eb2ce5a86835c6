/* SPDX-License-Identifier: MIT */
/*
 * A small MaxMind DB (MMDB) writer and the ASN CSV importer built on it.
 *
 * File layout (https://maxmind.github.io/MaxMind-DB/):
 *
 *   search tree   node_count nodes, each two records of record_size bits
 *                 (24: 3+3 bytes; 28: 3 bytes, a shared nibble byte, 3
 *                 bytes; 32: 4+4 bytes). A record < node_count is a node
 *                 number, == node_count means "no data", > node_count is
 *                 node_count + 16 + offset into the data section.
 *   16 zero bytes the data section separator
 *   data section  records in the MMDB data format: a control byte (type in
 *                 the top 3 bits, size in the low 5), big-endian payloads;
 *                 pointers (type 1) are offsets into the data section
 *   metadata      "\xAB\xCD\xEFMaxMind.com" then one map
 *
 * The tree is built in memory as a binary trie over 128 bits. Records in
 * memory: 0 empty, 1..2^31-1 a node index, DATA_BIT|id a data record.
 * Identical data records are stored once (keyed by a pointer-free
 * encoding); strings already in the data section are written as pointers.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mamori/buf.h"
#include "mamori/cursor.h"
#include "mamori/enrich.h"
#include "mmdb_write.h"

#define DATA_BIT 0x80000000u
#define REC_EMPTY 0u
#define MAX_NODES 0x7fffffffu
#define MAX_DEPTH 8
#define DATA_MAX ((size_t)1 << 30)
#define CSV_MAX ((size_t)1 << 30)

static const char metadata_marker[] = "\xAB\xCD\xEFMaxMind.com";

/* data format types */
enum {
	T_PTR = 1,
	T_STR = 2,
	T_U16 = 5,
	T_U32 = 6,
	T_MAP = 7,
	T_U64 = 9,
	T_ARRAY = 11,
};

struct u128 {
	uint64_t hi, lo;
};

struct hslot {
	uint64_t hash;
	uint32_t off; /* canonical bytes in keys / string in data */
	uint32_t len;
	int32_t val; /* record id; or string's data offset */
	uint32_t used;
};

struct htab {
	struct hslot *s;
	size_t cap, n;
};

struct mm_mmdb_writer {
	uint32_t (*node)[2];
	size_t nnodes, node_cap;
	struct mm_buf data; /* the data section */
	struct mm_buf keys; /* canonical encodings of records */
	struct mm_buf scratch;
	struct htab recs;  /* canonical record -> id */
	struct htab strs;  /* string -> offset in data */
	uint32_t *rec_off; /* id -> offset in data */
	size_t nrecs, rec_cap;
	char *type;
	char *desc;
	unsigned record_size;
	uint64_t epoch;
};

/* ---- small helpers -------------------------------------------------- */

static uint64_t fnv(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ull;
	}
	return h ^ (h >> 29);
}

/* Strict UTF-8: no overlong forms, no surrogates, at most U+10FFFF. */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		unsigned need, min, cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			min = 0x80;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			min = 0x800;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			min = 0x10000;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= need)
			return false;
		for (unsigned k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

static struct u128 addr_u128(const struct mm_addr *a)
{
	struct u128 v = {0, 0};
	int i;

	if (a->family == MM_AF_INET) {
		for (i = 0; i < 4; i++)
			v.lo = (v.lo << 8) | a->b[i];
		return v;
	}
	for (i = 0; i < 8; i++)
		v.hi = (v.hi << 8) | a->b[i];
	for (i = 8; i < 16; i++)
		v.lo = (v.lo << 8) | a->b[i];
	return v;
}

static int u128_cmp(struct u128 a, struct u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

static struct u128 u128_sub(struct u128 a, struct u128 b)
{
	struct u128 r;

	r.lo = a.lo - b.lo;
	r.hi = a.hi - b.hi - (a.lo < b.lo);
	return r;
}

static unsigned bit_at(struct u128 v, unsigned d)
{
	return d < 64 ? (unsigned)(v.hi >> (63 - d)) & 1 : (unsigned)(v.lo >> (127 - d)) & 1;
}

/* ---- hash tables ---------------------------------------------------- */

static int htab_grow(struct htab *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 1024, i;
	struct hslot *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return MM_ERR_NOMEM;
	for (i = 0; i < t->cap; i++) {
		size_t j;
		if (!t->s[i].used)
			continue;
		j = (size_t)t->s[i].hash & (ncap - 1);
		while (ns[j].used)
			j = (j + 1) & (ncap - 1);
		ns[j] = t->s[i];
	}
	free(t->s);
	t->s = ns;
	t->cap = ncap;
	return 0;
}

/* Find the slot for (hash, bytes) stored in base; returns the slot. */
static struct hslot *htab_find(struct htab *t, uint64_t h, const char *base, const void *p,
			       size_t n)
{
	size_t j = (size_t)h & (t->cap - 1);

	while (t->s[j].used) {
		struct hslot *s = &t->s[j];
		if (s->hash == h && s->len == n && memcmp(base + s->off, p, n) == 0)
			return s;
		j = (j + 1) & (t->cap - 1);
	}
	return &t->s[j];
}

/* ---- data format encoding ------------------------------------------ */

static int put_ctrl(struct mm_buf *b, unsigned type, size_t size)
{
	unsigned char c[6];
	size_t n = 0;
	unsigned sz;

	if (size < 29) {
		sz = (unsigned)size;
	} else if (size < 285) {
		sz = 29;
	} else if (size < 65821) {
		sz = 30;
	} else if (size < 65821 + 0x1000000) {
		sz = 31;
	} else {
		return MM_ERR_TOOBIG;
	}
	if (type > 7) {
		c[n++] = (unsigned char)sz;
		c[n++] = (unsigned char)(type - 7);
	} else {
		c[n++] = (unsigned char)((type << 5) | sz);
	}
	if (sz == 29) {
		c[n++] = (unsigned char)(size - 29);
	} else if (sz == 30) {
		size_t v = size - 285;
		c[n++] = (unsigned char)(v >> 8);
		c[n++] = (unsigned char)v;
	} else if (sz == 31) {
		size_t v = size - 65821;
		c[n++] = (unsigned char)(v >> 16);
		c[n++] = (unsigned char)(v >> 8);
		c[n++] = (unsigned char)v;
	}
	return mm_buf_add(b, c, n);
}

static int put_uint(struct mm_buf *b, unsigned type, uint64_t v)
{
	unsigned char c[8];
	size_t n = 0;
	int i, rc;

	for (i = 7; i >= 0; i--) {
		unsigned char byte = (unsigned char)(v >> (i * 8));
		if (n == 0 && byte == 0)
			continue;
		c[n++] = byte;
	}
	rc = put_ctrl(b, type, n);
	if (rc < 0)
		return rc;
	return mm_buf_add(b, c, n);
}

static size_t ptr_len(size_t off)
{
	if (off < 2048)
		return 2;
	if (off < 2048 + 524288)
		return 3;
	if (off < 526336 + 134217728)
		return 4;
	return 5;
}

static int put_ptr(struct mm_buf *b, size_t off)
{
	unsigned char c[5];
	size_t n = 0, v;

	if (off < 2048) {
		c[n++] = (unsigned char)(0x20 | (off >> 8));
		c[n++] = (unsigned char)off;
	} else if (off < 2048 + 524288) {
		v = off - 2048;
		c[n++] = (unsigned char)(0x20 | (1 << 3) | (v >> 16));
		c[n++] = (unsigned char)(v >> 8);
		c[n++] = (unsigned char)v;
	} else if (off < 526336 + 134217728) {
		v = off - 526336;
		c[n++] = (unsigned char)(0x20 | (2 << 3) | (v >> 24));
		c[n++] = (unsigned char)(v >> 16);
		c[n++] = (unsigned char)(v >> 8);
		c[n++] = (unsigned char)v;
	} else {
		c[n++] = 0x20 | (3 << 3);
		c[n++] = (unsigned char)(off >> 24);
		c[n++] = (unsigned char)(off >> 16);
		c[n++] = (unsigned char)(off >> 8);
		c[n++] = (unsigned char)off;
	}
	return mm_buf_add(b, c, n);
}

/*
 * A string. With w set (writing into the data section), a string seen
 * before becomes a pointer to its first copy when that is shorter, and a
 * new one is remembered.
 */
static int put_str(struct mm_mmdb_writer *w, struct mm_buf *b, const char *s)
{
	size_t n = strlen(s), at = b->len;
	struct hslot *slot = NULL;
	uint64_t h = 0;
	int rc;

	if (w) {
		h = fnv(s, n);
		if (w->strs.n * 2 >= w->strs.cap && (rc = htab_grow(&w->strs)) < 0)
			return rc;
		slot = htab_find(&w->strs, h, b->data ? b->data : "", s, n);
		if (slot->used && ptr_len((size_t)slot->val) < n + 1)
			return put_ptr(b, (size_t)slot->val);
	}
	rc = put_ctrl(b, T_STR, n);
	if (rc < 0)
		return rc;
	if (slot && !slot->used && at <= UINT32_MAX - 8 && n <= UINT32_MAX) {
		slot->hash = h;
		slot->off = (uint32_t)b->len; /* the bytes, for comparing */
		slot->len = (uint32_t)n;
		slot->val = (int32_t)at; /* the control byte, for pointers */
		slot->used = 1;
		w->strs.n++;
	}
	return mm_buf_add(b, s, n);
}

static int put_map(struct mm_mmdb_writer *w, struct mm_buf *b, const struct mm_mmdb_field *f,
		   size_t n, unsigned depth)
{
	size_t i;
	int rc;

	if (depth > MAX_DEPTH)
		return MM_ERR_INVAL;
	rc = put_ctrl(b, T_MAP, n);
	for (i = 0; rc == 0 && i < n; i++) {
		const struct mm_mmdb_field *x = &f[i];

		if (!x->key || !x->key[0] ||
		    !utf8_valid((const unsigned char *)x->key, strlen(x->key)))
			return MM_ERR_INVAL;
		rc = put_str(w, b, x->key);
		if (rc < 0)
			break;
		switch (x->type) {
		case MM_MMDB_STR:
			if (!x->str || !utf8_valid((const unsigned char *)x->str, strlen(x->str)))
				return MM_ERR_INVAL;
			rc = put_str(w, b, x->str);
			break;
		case MM_MMDB_U16:
			rc = x->u > 0xffff ? MM_ERR_INVAL : put_uint(b, T_U16, x->u);
			break;
		case MM_MMDB_U32:
			rc = x->u > 0xffffffffu ? MM_ERR_INVAL : put_uint(b, T_U32, x->u);
			break;
		case MM_MMDB_U64:
			rc = put_uint(b, T_U64, x->u);
			break;
		case MM_MMDB_MAP:
			if (x->nsub && !x->sub)
				return MM_ERR_INVAL;
			rc = put_map(w, b, x->sub, x->nsub, depth + 1);
			break;
		default:
			return MM_ERR_INVAL;
		}
	}
	return rc;
}

/* ---- writer --------------------------------------------------------- */

static int new_node(struct mm_mmdb_writer *w, uint32_t fill, uint32_t *idx)
{
	if (w->nnodes == w->node_cap) {
		size_t ncap = w->node_cap * 2;
		uint32_t(*nn)[2];

		if (ncap > MAX_NODES)
			return MM_ERR_TOOBIG;
		nn = realloc(w->node, ncap * sizeof(*nn));
		if (!nn)
			return MM_ERR_NOMEM;
		w->node = nn;
		w->node_cap = ncap;
	}
	w->node[w->nnodes][0] = fill;
	w->node[w->nnodes][1] = fill;
	*idx = (uint32_t)w->nnodes++;
	return 0;
}

int mm_mmdb_writer_new(const char *database_type, const char *description, unsigned record_size,
		       struct mm_mmdb_writer **out)
{
	struct mm_mmdb_writer *w;
	uint32_t root;

	*out = NULL;
	if (!database_type ||
	    (record_size != 0 && record_size != 24 && record_size != 28 && record_size != 32))
		return MM_ERR_INVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return MM_ERR_NOMEM;
	mm_buf_init(&w->data, DATA_MAX);
	mm_buf_init(&w->keys, DATA_MAX);
	mm_buf_init(&w->scratch, 1 << 20);
	w->record_size = record_size;
	w->epoch = (uint64_t)time(NULL);
	w->node_cap = 1024;
	w->node = malloc(w->node_cap * sizeof(*w->node));
	w->type = strdup(database_type);
	w->desc = description ? strdup(description) : NULL;
	if (!w->node || !w->type || (description && !w->desc) ||
	    new_node(w, REC_EMPTY, &root) < 0) {
		mm_mmdb_writer_free(w);
		return MM_ERR_NOMEM;
	}
	*out = w;
	return 0;
}

void mm_mmdb_writer_free(struct mm_mmdb_writer *w)
{
	if (!w)
		return;
	free(w->node);
	mm_buf_release(&w->data);
	mm_buf_release(&w->keys);
	mm_buf_release(&w->scratch);
	free(w->recs.s);
	free(w->strs.s);
	free(w->rec_off);
	free(w->type);
	free(w->desc);
	free(w);
}

void mm_mmdb_writer_set_epoch(struct mm_mmdb_writer *w, uint64_t epoch)
{
	w->epoch = epoch;
}

int mm_mmdb_writer_record(struct mm_mmdb_writer *w, const struct mm_mmdb_field *f, size_t n)
{
	struct hslot *slot;
	uint64_t h;
	size_t off;
	int rc;

	mm_buf_reset(&w->scratch);
	rc = put_map(NULL, &w->scratch, f, n, 0);
	if (rc < 0)
		return rc;
	if (w->recs.n * 2 >= w->recs.cap && (rc = htab_grow(&w->recs)) < 0)
		return rc;
	h = fnv(w->scratch.data, w->scratch.len);
	slot = htab_find(&w->recs, h, w->keys.data ? w->keys.data : "", w->scratch.data,
			 w->scratch.len);
	if (slot->used)
		return slot->val;
	if (w->nrecs >= 0x7fffffff || w->keys.len > UINT32_MAX - w->scratch.len)
		return MM_ERR_TOOBIG;
	if (MM_GROW(w->rec_off, w->rec_cap, w->nrecs, 256) < 0)
		return MM_ERR_NOMEM;
	off = w->data.len;
	rc = put_map(w, &w->data, f, n, 0);
	if (rc < 0)
		return rc;
	if (off > UINT32_MAX)
		return MM_ERR_TOOBIG;
	slot->hash = h;
	slot->off = (uint32_t)w->keys.len;
	slot->len = (uint32_t)w->scratch.len;
	rc = mm_buf_add(&w->keys, w->scratch.data, w->scratch.len);
	if (rc < 0)
		return rc;
	slot->val = (int32_t)w->nrecs;
	slot->used = 1;
	w->recs.n++;
	w->rec_off[w->nrecs] = (uint32_t)off;
	return (int)w->nrecs++;
}

/* Set the addresses under the first len bits of v to rec. */
static int insert_bits(struct mm_mmdb_writer *w, struct u128 v, unsigned len, uint32_t rec)
{
	uint32_t cur = 0;
	unsigned d;
	int rc;

	if (len == 0) {
		w->node[0][0] = w->node[0][1] = rec;
		return 0;
	}
	for (d = 0; d + 1 < len; d++) {
		unsigned bit = bit_at(v, d);
		uint32_t next = w->node[cur][bit];

		if (next == REC_EMPTY || (next & DATA_BIT)) {
			/* a shorter network ends here: push it down one level */
			rc = new_node(w, next, &next);
			if (rc < 0)
				return rc;
			w->node[cur][bit] = next;
		}
		cur = next;
	}
	w->node[cur][bit_at(v, len - 1)] = rec;
	return 0;
}

static int check_id(const struct mm_mmdb_writer *w, int id)
{
	return id >= 0 && (size_t)id < w->nrecs ? 0 : MM_ERR_INVAL;
}

int mm_mmdb_writer_insert_prefix(struct mm_mmdb_writer *w, const struct mm_prefix *p, int id)
{
	unsigned len = p->len;
	int rc = check_id(w, id);

	if (rc < 0)
		return rc;
	if (p->addr.family == MM_AF_INET) {
		if (len > 32)
			return MM_ERR_INVAL;
		len += 96;
	} else if (p->addr.family != MM_AF_INET6 || len > 128) {
		return MM_ERR_INVAL;
	}
	rc = insert_bits(w, addr_u128(&p->addr), len, DATA_BIT | (uint32_t)id);
	return rc < 0 ? rc : 1;
}

static unsigned ctz128(struct u128 v)
{
	if (v.lo)
		return (unsigned)__builtin_ctzll(v.lo);
	if (v.hi)
		return 64 + (unsigned)__builtin_ctzll(v.hi);
	return 128;
}

/* floor(log2(v + 1)), v + 1 may wrap to 2^128 */
static unsigned log2_plus1(struct u128 v)
{
	struct u128 x = v;

	x.lo++;
	if (x.lo == 0)
		x.hi++;
	if (x.hi == 0 && x.lo == 0)
		return 128;
	if (x.hi)
		return 127 - (unsigned)__builtin_clzll(x.hi);
	return 63 - (unsigned)__builtin_clzll(x.lo);
}

int mm_mmdb_writer_insert_range(struct mm_mmdb_writer *w, const struct mm_addr *first,
				const struct mm_addr *last, int id)
{
	struct u128 s, e;
	int rc = check_id(w, id), count = 0;

	if (rc < 0)
		return rc;
	if (first->family != last->family ||
	    (first->family != MM_AF_INET && first->family != MM_AF_INET6))
		return MM_ERR_INVAL;
	s = addr_u128(first);
	e = addr_u128(last);
	if (u128_cmp(s, e) > 0)
		return MM_ERR_INVAL;
	for (;;) {
		unsigned k = ctz128(s), m = log2_plus1(u128_sub(e, s));
		struct u128 step;

		if (m < k)
			k = m;
		rc = insert_bits(w, s, 128 - k, DATA_BIT | (uint32_t)id);
		if (rc < 0)
			return rc;
		if (count < INT32_MAX)
			count++;
		if (k == 128)
			break;
		step.hi = k >= 64 ? (uint64_t)1 << (k - 64) : 0;
		step.lo = k < 64 ? (uint64_t)1 << k : 0;
		/* done when s + 2^k - 1 == e */
		if (u128_cmp(u128_sub(e, s), u128_sub(step, (struct u128){0, 1})) == 0)
			break;
		s.lo += step.lo;
		s.hi += step.hi + (s.lo < step.lo);
	}
	return count;
}

/* Merge nodes whose two records are the same terminal; returns the record. */
static uint32_t collapse(struct mm_mmdb_writer *w, uint32_t idx)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		uint32_t r = w->node[idx][i];
		if (r != REC_EMPTY && !(r & DATA_BIT))
			w->node[idx][i] = collapse(w, r);
	}
	if (idx != 0 && w->node[idx][0] == w->node[idx][1] &&
	    (w->node[idx][0] == REC_EMPTY || (w->node[idx][0] & DATA_BIT)))
		return w->node[idx][0];
	return idx;
}

/*
 * Point ::ffff:0:0/96 at the IPv4 subtree (::/96) so readers that look
 * IPv4-mapped addresses up as IPv6 find the same answer, as MaxMind's own
 * databases do. Skipped when anything else is there.
 */
static int alias_v4_mapped(struct mm_mmdb_writer *w)
{
	uint32_t cur = 0, v4 = REC_EMPTY, r;
	unsigned d;
	int rc;

	for (d = 0; d < 96; d++) {
		r = w->node[cur][0];
		if (d == 95)
			v4 = r;
		else if (r == REC_EMPTY || (r & DATA_BIT))
			return 0;
		else
			cur = r;
	}
	if (v4 == REC_EMPTY)
		return 0;
	/* from the node at depth 80 of the zero path, 16 one bits */
	cur = 0;
	for (d = 0; d < 80; d++)
		cur = w->node[cur][0];
	for (d = 80; d < 95; d++) {
		r = w->node[cur][1];
		if (r & DATA_BIT)
			return 0;
		if (r == REC_EMPTY) {
			rc = new_node(w, REC_EMPTY, &r);
			if (rc < 0)
				return rc;
			w->node[cur][1] = r;
		}
		cur = r;
	}
	if (w->node[cur][1] == REC_EMPTY)
		w->node[cur][1] = v4;
	return 0;
}

static int put_record_pair(struct mm_buf *b, unsigned rs, uint32_t l, uint32_t r)
{
	unsigned char c[8];
	size_t n;

	if (rs == 24) {
		c[0] = (unsigned char)(l >> 16);
		c[1] = (unsigned char)(l >> 8);
		c[2] = (unsigned char)l;
		c[3] = (unsigned char)(r >> 16);
		c[4] = (unsigned char)(r >> 8);
		c[5] = (unsigned char)r;
		n = 6;
	} else if (rs == 28) {
		c[0] = (unsigned char)(l >> 16);
		c[1] = (unsigned char)(l >> 8);
		c[2] = (unsigned char)l;
		c[3] = (unsigned char)(((l >> 24) & 0x0f) << 4 | ((r >> 24) & 0x0f));
		c[4] = (unsigned char)(r >> 16);
		c[5] = (unsigned char)(r >> 8);
		c[6] = (unsigned char)r;
		n = 7;
	} else {
		c[0] = (unsigned char)(l >> 24);
		c[1] = (unsigned char)(l >> 16);
		c[2] = (unsigned char)(l >> 8);
		c[3] = (unsigned char)l;
		c[4] = (unsigned char)(r >> 24);
		c[5] = (unsigned char)(r >> 16);
		c[6] = (unsigned char)(r >> 8);
		c[7] = (unsigned char)r;
		n = 8;
	}
	return mm_buf_add(b, c, n);
}

static int put_metadata(const struct mm_mmdb_writer *w, struct mm_buf *b, uint32_t node_count,
			unsigned rs)
{
	struct mm_mmdb_field desc = {"en", MM_MMDB_STR, w->desc ? w->desc : "", 0, NULL, 0};
	int rc;

	rc = mm_buf_add(b, metadata_marker, sizeof(metadata_marker) - 1);
	if (rc == 0)
		rc = put_ctrl(b, T_MAP, 9);
	if (rc == 0 && (rc = put_str(NULL, b, "binary_format_major_version")) == 0)
		rc = put_uint(b, T_U16, 2);
	if (rc == 0 && (rc = put_str(NULL, b, "binary_format_minor_version")) == 0)
		rc = put_uint(b, T_U16, 0);
	if (rc == 0 && (rc = put_str(NULL, b, "build_epoch")) == 0)
		rc = put_uint(b, T_U64, w->epoch);
	if (rc == 0 && (rc = put_str(NULL, b, "database_type")) == 0)
		rc = put_str(NULL, b, w->type);
	if (rc == 0 && (rc = put_str(NULL, b, "description")) == 0)
		rc = w->desc ? put_map(NULL, b, &desc, 1, 0) : put_ctrl(b, T_MAP, 0);
	if (rc == 0 && (rc = put_str(NULL, b, "ip_version")) == 0)
		rc = put_uint(b, T_U16, 6);
	if (rc == 0 && (rc = put_str(NULL, b, "languages")) == 0 &&
	    (rc = put_ctrl(b, T_ARRAY, 1)) == 0)
		rc = put_str(NULL, b, "en");
	if (rc == 0 && (rc = put_str(NULL, b, "node_count")) == 0)
		rc = put_uint(b, T_U32, node_count);
	if (rc == 0 && (rc = put_str(NULL, b, "record_size")) == 0)
		rc = put_uint(b, T_U16, rs);
	return rc;
}

int mm_mmdb_writer_finish(struct mm_mmdb_writer *w, struct mm_buf *out)
{
	uint32_t *num = NULL, *order = NULL, count = 0, head = 0;
	unsigned rs = w->record_size;
	uint64_t maxval;
	size_t i;
	int rc;

	collapse(w, 0);
	rc = alias_v4_mapped(w);
	if (rc < 0)
		goto out;
	/* number the reachable nodes breadth first; the IPv4 alias shares a subtree */
	num = malloc(w->nnodes * sizeof(*num));
	order = malloc(w->nnodes * sizeof(*order));
	rc = MM_ERR_NOMEM;
	if (!num || !order)
		goto out;
	memset(num, 0xff, w->nnodes * sizeof(*num));
	num[0] = 0;
	order[count++] = 0;
	while (head < count) {
		uint32_t idx = order[head++];
		for (i = 0; i < 2; i++) {
			uint32_t r = w->node[idx][i];
			if (r == REC_EMPTY || (r & DATA_BIT) || num[r] != UINT32_MAX)
				continue;
			num[r] = count;
			order[count++] = r;
		}
	}
	maxval = (uint64_t)count + 16 + w->data.len;
	if (rs == 0)
		rs = maxval < (1ull << 24) ? 24 : maxval < (1ull << 28) ? 28 : 32;
	rc = MM_ERR_TOOBIG;
	if (maxval >= (1ull << rs))
		goto out;
	for (head = 0; head < count; head++) {
		uint32_t v[2], idx = order[head];
		for (i = 0; i < 2; i++) {
			uint32_t r = w->node[idx][i];
			if (r == REC_EMPTY)
				v[i] = count;
			else if (r & DATA_BIT)
				v[i] = count + 16 + w->rec_off[r & ~DATA_BIT];
			else
				v[i] = num[r];
		}
		rc = put_record_pair(out, rs, v[0], v[1]);
		if (rc < 0)
			goto out;
	}
	rc = mm_buf_add(out, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	if (rc == 0 && w->data.len)
		rc = mm_buf_add(out, w->data.data, w->data.len);
	if (rc == 0)
		rc = put_metadata(w, out, count, rs);
out:
	free(num);
	free(order);
	return rc;
}

int mm_mmdb_writer_write_file(struct mm_mmdb_writer *w, const char *path, struct mm_err *err)
{
	struct mm_buf b, tmp;
	size_t off = 0;
	int fd = -1, rc;

	mm_buf_init(&b, (size_t)4 << 30);
	mm_buf_init(&tmp, 4096);
	rc = mm_buf_addf(&tmp, "%s.tmp", path);
	if (rc < 0) {
		mm_err_set(err, rc, "%s: %s", path, mm_strerror(rc));
		goto out;
	}
	rc = mm_mmdb_writer_finish(w, &b);
	if (rc < 0) {
		mm_err_set(err, rc, "%s: cannot build the database: %s", path, mm_strerror(rc));
		goto out;
	}
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", tmp.data, strerror(errno));
		goto out;
	}
	while (off < b.len) {
		ssize_t k = write(fd, b.data + off, b.len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			rc = mm_err_set(err, MM_ERR_IO, "%s: %s", tmp.data,
					k < 0 ? strerror(errno) : "short write");
			goto out_unlink;
		}
		off += (size_t)k;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", tmp.data, strerror(errno));
		goto out_unlink;
	}
	fd = -1;
	if (rename(tmp.data, path) < 0) {
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
		goto out_unlink;
	}
	rc = 0;
	goto out;
out_unlink:
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(tmp.data);
out:
	if (fd >= 0)
		close(fd);
	mm_buf_release(&b);
	mm_buf_release(&tmp);
	return rc;
}

/* ---- ASN CSV -------------------------------------------------------- */

static bool starts_with(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n >= k && memcmp(p, lit, k) == 0;
}

/* Does [s, e] meet [lo, hi]? */
static bool meets(struct u128 s, struct u128 e, struct u128 lo, struct u128 hi)
{
	return u128_cmp(s, hi) <= 0 && u128_cmp(e, lo) >= 0;
}

int mm_asn_csv_parse_line(const char *p, size_t n, bool first_line, struct mm_asn_row *row,
			  const char **what)
{
	struct mm_cur c;
	struct mm_span f;
	size_t k;

	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n == 0)
		return 0;
	if (first_line && (starts_with(p, n, "ip_range_start,") || starts_with(p, n, "start,")))
		return 0;
	memset(row, 0, sizeof(*row));
	c = mm_cur_make(p, n);
	if (!mm_cur_until(&c, ',', &f))
		goto few;
	if (f.n == 0 || mm_addr_parse(f.p, f.n, &row->start) < 0) {
		*what = "bad start address";
		return MM_ERR_PARSE;
	}
	mm_cur_char(&c, ',');
	if (!mm_cur_until(&c, ',', &f))
		goto few;
	if (f.n == 0 || mm_addr_parse(f.p, f.n, &row->end) < 0) {
		*what = "bad end address";
		return MM_ERR_PARSE;
	}
	mm_cur_char(&c, ',');
	if (row->start.family != row->end.family) {
		*what = "start and end addresses are of different families";
		return MM_ERR_PARSE;
	}
	if (mm_addr_cmp(&row->start, &row->end) > 0) {
		*what = "start address after end address";
		return MM_ERR_PARSE;
	}
	if (row->start.family == MM_AF_INET6) {
		/* ::/96 holds the IPv4 tree and ::ffff:0:0/96 points at it */
		struct u128 s = addr_u128(&row->start), e = addr_u128(&row->end);
		if (meets(s, e, (struct u128){0, 0}, (struct u128){0, 0xffffffffull}) ||
		    meets(s, e, (struct u128){0, 0xffff00000000ull},
			  (struct u128){0, 0xffffffffffffull})) {
			*what = "IPv6 range covers IPv4-compatible or IPv4-mapped space "
				"(write IPv4 ranges in IPv4 form)";
			return MM_ERR_PARSE;
		}
	}
	if (!mm_cur_u32(&c, &row->asn, UINT32_MAX) || !mm_cur_char(&c, ',')) {
		*what = "bad AS number (want 0..4294967295 followed by ',')";
		return MM_ERR_PARSE;
	}
	if (mm_cur_char(&c, '"')) {
		/* RFC 4180 quoting: "" inside stands for one quote */
		for (;;) {
			if (!mm_cur_until(&c, '"', &f)) {
				*what = "unterminated quoted organization";
				return MM_ERR_PARSE;
			}
			if (row->org_len + f.n + 1 >= MM_ASN_ORG_MAX)
				goto too_long;
			memcpy(row->org + row->org_len, f.p, f.n);
			row->org_len += f.n;
			mm_cur_char(&c, '"');
			if (!mm_cur_char(&c, '"'))
				break;
			row->org[row->org_len++] = '"';
		}
		if (!mm_cur_eof(&c)) {
			*what = "text after the closing quote of the organization";
			return MM_ERR_PARSE;
		}
	} else {
		mm_cur_rest(&c, &f);
		if (memchr(f.p, '"', f.n)) {
			*what = "quote inside an unquoted organization";
			return MM_ERR_PARSE;
		}
		if (memchr(f.p, ',', f.n)) {
			*what = "more than 4 fields (an organization with commas must be quoted)";
			return MM_ERR_PARSE;
		}
		if (f.n + 1 >= MM_ASN_ORG_MAX)
			goto too_long;
		memcpy(row->org, f.p, f.n);
		row->org_len = f.n;
	}
	row->org[row->org_len] = '\0';
	for (k = 0; k < row->org_len; k++) {
		unsigned char ch = (unsigned char)row->org[k];
		if (ch < 0x20 || ch == 0x7f) {
			*what = "control character in organization";
			return MM_ERR_PARSE;
		}
	}
	if (!utf8_valid((const unsigned char *)row->org, row->org_len)) {
		*what = "organization is not valid UTF-8";
		return MM_ERR_PARSE;
	}
	return 1;
too_long:
	*what = "organization longer than 511 bytes";
	return MM_ERR_PARSE;
few:
	*what = "too few fields (want start,end,asn,organization)";
	return MM_ERR_PARSE;
}

struct asn_range {
	struct u128 s, e;
	uint32_t line;
	int32_t id;
	struct mm_addr first, last;
};

static int by_start(const void *a, const void *b)
{
	const struct asn_range *x = a, *y = b;
	int c = u128_cmp(x->s, y->s);

	if (c)
		return c;
	c = u128_cmp(x->e, y->e);
	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Wider ranges first so narrower ones overwrite them; of two the same
 * size, the earlier row last, so it wins. */
static int by_size_desc(const void *a, const void *b)
{
	const struct asn_range *x = a, *y = b;
	int c = u128_cmp(u128_sub(y->e, y->s), u128_sub(x->e, x->s));

	if (c)
		return c;
	return x->line < y->line ? 1 : x->line > y->line ? -1 : 0;
}

static int read_all(const char *path, struct mm_buf *b, struct mm_err *err)
{
	char chunk[65536];
	int fd, rc = 0;

	fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ELOOP)
		return mm_err_set(err, MM_ERR_IO, "%s: is a symbolic link (not followed)", path);
	if (fd < 0)
		return mm_err_set(err, errno == ENOENT ? MM_ERR_NOTFOUND : MM_ERR_IO, "%s: %s",
				  path, strerror(errno));
	for (;;) {
		ssize_t k = read(fd, chunk, sizeof(chunk));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
			break;
		}
		if (k == 0)
			break;
		rc = mm_buf_add(b, chunk, (size_t)k);
		if (rc < 0) {
			mm_err_set(err, rc, "%s: %s", path,
				   rc == MM_ERR_TOOBIG ? "larger than 1 GiB" : mm_strerror(rc));
			break;
		}
	}
	if (fd != 0)
		close(fd);
	return rc;
}

int mm_geo_import_asn(const char *csv, const char *out, struct mm_err *err)
{
	struct mm_mmdb_writer *w = NULL;
	struct asn_range *r = NULL;
	struct mm_asn_row *row = NULL;
	size_t nr = 0, cap = 0, i, overlaps = 0;
	uint32_t ov_a = 0, ov_b = 0, line = 0;
	struct mm_buf in;
	const char *p, *end;
	int rc;

	mm_buf_init(&in, CSV_MAX);
	rc = read_all(csv, &in, err);
	if (rc < 0)
		goto out;
	rc = mm_mmdb_writer_new("mamori-asn",
				"AS number and organization by network (mamori geo "
				"import-asn)",
				0, &w);
	row = malloc(sizeof(*row));
	if (rc < 0 || !row) {
		rc = mm_err_set(err, MM_ERR_NOMEM, "%s: out of memory", csv);
		goto out;
	}
	p = in.data ? in.data : "";
	end = p + in.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *what = "";
		struct mm_mmdb_field f[2];
		int id;

		line++;
		rc = mm_asn_csv_parse_line(p, n, line == 1, row, &what);
		p += n + (nl ? 1 : 0);
		if (rc < 0) {
			mm_err_set(err, rc, "%s:%" PRIu32 ": %s", csv, line, what);
			goto out;
		}
		if (rc == 0)
			continue;
		f[0] = (struct mm_mmdb_field){
		    "autonomous_system_number", MM_MMDB_U32, NULL, row->asn, NULL, 0};
		f[1] = (struct mm_mmdb_field){
		    "autonomous_system_organization", MM_MMDB_STR, row->org, 0, NULL, 0};
		id = mm_mmdb_writer_record(w, f, row->org_len ? 2 : 1);
		if (id < 0) {
			rc = mm_err_set(err, id, "%s:%" PRIu32 ": %s", csv, line, mm_strerror(id));
			goto out;
		}
		if (MM_GROW(r, cap, nr, 4096) < 0) {
			rc = mm_err_set(err, MM_ERR_NOMEM, "%s: out of memory", csv);
			goto out;
		}
		r[nr].first = row->start;
		r[nr].last = row->end;
		/* IPv4 sorts (and is placed) at ::a.b.c.d, below all IPv6 rows */
		r[nr].s = addr_u128(&row->start);
		r[nr].e = addr_u128(&row->end);
		r[nr].line = line;
		r[nr].id = id;
		nr++;
	}
	if (nr == 0) {
		rc = mm_err_set(err, MM_ERR_PARSE, "%s: no rows", csv);
		goto out;
	}
	if (nr > INT32_MAX) {
		rc = mm_err_set(err, MM_ERR_TOOBIG, "%s: too many rows", csv);
		goto out;
	}
	/* rows may come in any order; overlaps are counted, not fatal */
	qsort(r, nr, sizeof(*r), by_start);
	{
		struct u128 max_end = r[0].e;
		uint32_t max_line = r[0].line;
		for (i = 1; i < nr; i++) {
			if (u128_cmp(r[i].s, max_end) <= 0) {
				if (!overlaps++) {
					ov_a = max_line < r[i].line ? max_line : r[i].line;
					ov_b = max_line < r[i].line ? r[i].line : max_line;
				}
			}
			if (u128_cmp(r[i].e, max_end) > 0) {
				max_end = r[i].e;
				max_line = r[i].line;
			}
		}
	}
	if (overlaps)
		qsort(r, nr, sizeof(*r), by_size_desc);
	for (i = 0; i < nr; i++) {
		rc = mm_mmdb_writer_insert_range(w, &r[i].first, &r[i].last, r[i].id);
		if (rc < 0) {
			mm_err_set(err, rc, "%s:%" PRIu32 ": %s", csv, r[i].line, mm_strerror(rc));
			goto out;
		}
	}
	rc = mm_mmdb_writer_write_file(w, out, err);
	if (rc < 0)
		goto out;
	if (err) {
		memset(err, 0, sizeof(*err));
		if (overlaps)
			mm_err_set(err, 0,
				   "%s: %zu row(s) overlap others (first: lines %" PRIu32
				   " and %" PRIu32 "); where ranges overlap, the narrower one wins",
				   csv, overlaps, ov_a, ov_b);
	}
	rc = (int)nr;
out:
	mm_buf_release(&in);
	mm_mmdb_writer_free(w);
	free(r);
	free(row);
	return rc;
}
