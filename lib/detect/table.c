/* SPDX-License-Identifier: MIT */
/*
 * Bounded hash table with least-recently-used eviction for the detectors.
 *
 * Entries live in slabs of DT_CHUNK fixed-size entries that are allocated
 * as the table grows and never freed before dt_release(); a full table
 * reuses the slot of its least recently used entry, so a table never holds
 * more than max entries and steady state does no allocation at all.
 *
 * Recency is tracked with CLOCK (second chance), the LRU approximation of
 * operating-system page replacement: a hit sets the entry's ref bit, and
 * eviction sweeps a hand over the slots, clearing set bits and taking the
 * first entry found clear. Unlike a linked LRU list this writes nothing but
 * the entry already being touched on a hit (a list would dirty two random
 * neighbours per event), and because new entries start with a clear bit, a
 * flood of one-packet spoofed sources recycles its own slots first while
 * sources seen at least twice (real scanners, brute forcers) survive a full
 * turn of the hand. The sweep looks at most at DT_CLOCK_SCAN entries so one
 * event never stalls on a long run of referenced entries.
 *
 * The index is open addressing with linear probing over (hash, slot) pairs,
 * kept at most half full; it doubles as the table grows, up to the size
 * needed for max entries. Eviction deletes from the index with backward
 * shift (no tombstones), so probe sequences stay short under churn such as
 * a flood of spoofed sources.
 */
#include <stdlib.h>
#include <string.h>

#include "mamori/error.h"
#include "detect_int.h"

int dt_init(struct dt_table *t, uint32_t max_keys, size_t esize, dt_evict_fn fn, void *ctx)
{
	memset(t, 0, sizeof(*t));
	if (max_keys == 0 || esize < sizeof(struct dt_hdr))
		return MM_ERR_INVAL;
	t->max = max_keys;
	t->esize = (esize + 7) & ~(size_t)7;
	t->on_evict = fn;
	t->ctx = ctx;
	return 0;
}

void dt_release(struct dt_table *t)
{
	uint32_t i;

	if (!t)
		return;
	for (i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->idx);
	t->chunks = NULL;
	t->idx = NULL;
	t->nchunks = 0;
	t->n = 0;
}

static void idx_put(struct dt_slot *idx, uint32_t mask, uint32_t hash, uint32_t slot)
{
	uint32_t i = hash & mask;

	while (idx[i].slot != DT_NIL)
		i = (i + 1) & mask;
	idx[i].hash = hash;
	idx[i].slot = slot;
}

/* Grow the index so that it stays at most half full with one more key. */
static int idx_grow(struct dt_table *t)
{
	uint32_t size = t->idx ? (t->idx_mask + 1) * 2 : 1024, i;
	struct dt_slot *idx;

	idx = malloc((size_t)size * sizeof(*idx));
	if (!idx)
		return MM_ERR_NOMEM;
	for (i = 0; i < size; i++)
		idx[i].slot = DT_NIL;
	if (t->idx) {
		for (i = 0; i <= t->idx_mask; i++)
			if (t->idx[i].slot != DT_NIL)
				idx_put(idx, size - 1, t->idx[i].hash, t->idx[i].slot);
		free(t->idx);
	}
	t->idx = idx;
	t->idx_mask = size - 1;
	return 0;
}

static void idx_del(struct dt_table *t, uint32_t hash, uint32_t slot)
{
	struct dt_slot *idx = t->idx;
	uint32_t mask = t->idx_mask, i = hash & mask, j, k;

	while (idx[i].slot != slot)
		i = (i + 1) & mask;
	/* backward shift: pull later members of the cluster into the hole
	 * unless their home lies cyclically in (i, j] */
	j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (idx[j].slot == DT_NIL)
			break;
		k = idx[j].hash & mask;
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		idx[i] = idx[j];
		i = j;
	}
	idx[i].slot = DT_NIL;
}

/* A fresh slot: a new one while below max, else one evicted by CLOCK. */
static int take_slot(struct dt_table *t, uint32_t *out)
{
	struct dt_hdr *e;
	uint32_t slot, i;

	if (t->n < t->max) {
		slot = t->n;
		if ((slot >> DT_CHUNK_SHIFT) >= t->nchunks) {
			uint8_t **nc = realloc(t->chunks, (t->nchunks + 1) * sizeof(*nc));
			if (!nc)
				return MM_ERR_NOMEM;
			t->chunks = nc;
			nc[t->nchunks] = calloc(DT_CHUNK, t->esize);
			if (!nc[t->nchunks])
				return MM_ERR_NOMEM;
			t->nchunks++;
		}
		if ((uint64_t)(t->n + 1) * 2 > (uint64_t)t->idx_mask + 1 || !t->idx) {
			if (idx_grow(t) < 0)
				return MM_ERR_NOMEM;
		}
		t->n++;
		*out = slot;
		return 0;
	}
	/* CLOCK: skip (and clear) entries referenced since the hand last
	 * passed, but look at no more than DT_CLOCK_SCAN of them */
	for (i = 0;; i++) {
		slot = t->hand;
		t->hand = t->hand + 1 == t->n ? 0 : t->hand + 1;
		e = dt_at(t, slot);
		if (!e->ref || i == DT_CLOCK_SCAN)
			break;
		e->ref = 0;
	}
	if (t->on_evict)
		t->on_evict(t->ctx, e);
	idx_del(t, e->hash, slot);
	t->evicted++;
	*out = slot;
	return 0;
}

struct dt_hdr *dt_get(struct dt_table *t, const struct dt_key *k, uint32_t h, bool *created)
{
	struct dt_hdr *e;
	uint32_t i, slot;

	*created = false;
	if (t->idx) {
		for (i = h & t->idx_mask; t->idx[i].slot != DT_NIL; i = (i + 1) & t->idx_mask) {
			if (t->idx[i].hash != h)
				continue;
			slot = t->idx[i].slot;
			e = dt_at(t, slot);
			if (memcmp(&e->key, k, sizeof(*k)) != 0)
				continue;
			e->ref = 1;
			return e;
		}
	}
	if (take_slot(t, &slot) < 0)
		return NULL;
	e = dt_at(t, slot);
	memset(e, 0, t->esize);
	e->key = *k;
	e->hash = h;
	idx_put(t->idx, t->idx_mask, h, slot);
	*created = true;
	return e;
}
