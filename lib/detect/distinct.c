/* SPDX-License-Identifier: MIT */
/*
 * Distinct counting and sliding-window sets.
 *
 * dcount counts exactly up to DC_EXACT values held inline, then switches to
 * a HyperLogLog (Flajolet et al. 2007) of HLL_M = 512 one-byte registers
 * (standard error 1.04 / sqrt(512) = 4.6%), allocated only at that moment.
 * The register sum and the number of empty registers are maintained
 * incrementally, so an estimate costs O(1) and is recomputed only when a
 * register changes. Small cardinalities use linear counting, as in the
 * paper; with 64-bit hashes no large-range correction is needed.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/error.h"
#include "detect_int.h"

/* Natural logarithm for x > 0: x = 2^k * f with f in [1, 2), then
 * ln f = 2 atanh((f - 1) / (f + 1)); the series converges fast for f < 2.
 * (Kept here so the library does not need libm for one call.) */
double dt_ln(double x)
{
	double y, y2, term, sum = 0;
	int k = 0, i;

	if (x <= 0)
		return 0;
	while (x >= 2) {
		x /= 2;
		k++;
	}
	while (x < 1) {
		x *= 2;
		k--;
	}
	y = (x - 1) / (x + 1);
	y2 = y * y;
	term = y;
	for (i = 1; i < 40; i += 2) {
		sum += term / i;
		term *= y2;
	}
	return 2 * sum + k * 0.69314718055994530942;
}

/* Linear counting, m ln(m / zeros), for every possible number of empty
 * registers: computed once, by the same dt_ln(), so estimates are the same
 * bits as computing it on each call (which a busy service's estimator
 * would do on every register change). */
static double lin_count[HLL_M + 1];
static pthread_once_t lin_once = PTHREAD_ONCE_INIT;

static void lin_init(void)
{
	uint32_t z;

	for (z = 1; z <= HLL_M; z++)
		lin_count[z] = (double)HLL_M * dt_ln((double)HLL_M / z);
}

uint64_t hll_estimate(const struct hll *h)
{
	const double m = HLL_M;
	const double alpha = 0.7213 / (1 + 1.079 / m);
	double e = alpha * m * m / h->sum;

	if (e <= 2.5 * m && h->zeros > 0) {
		pthread_once(&lin_once, lin_init);
		e = lin_count[h->zeros];
	}
	return (uint64_t)(e + 0.5);
}

static int hll_add(struct hll *h, uint32_t v)
{
	uint64_t x = hll_mix(v);
	uint32_t j = (uint32_t)(x >> (64 - HLL_P));
	uint64_t w = x << HLL_P;
	uint8_t r = (uint8_t)(w ? __builtin_clzll(w) + 1 : 64 - HLL_P + 1);

	if (r <= h->reg[j])
		return 0;
	if (h->reg[j] == 0)
		h->zeros--;
	h->sum -= 1.0 / (double)(1ULL << h->reg[j]);
	h->sum += 1.0 / (double)(1ULL << r);
	h->reg[j] = r;
	return 1;
}

int dc_add(struct dcount *c, uint32_t v)
{
	uint32_t i;
	uint64_t e;

	if (c->h) {
		if (!hll_add(c->h, v))
			return 0;
		e = hll_estimate(c->h);
		/* never report fewer than the exact count we had */
		c->est = e > DC_EXACT ? e : DC_EXACT + 1;
		return 1;
	}
	for (i = 0; i < c->n; i++)
		if (c->v[i] == v)
			return 0;
	if (c->n < DC_EXACT) {
		c->v[c->n++] = v;
		c->est = c->n;
		return 1;
	}
	c->h = malloc(sizeof(*c->h));
	if (!c->h)
		return MM_ERR_NOMEM;
	memset(c->h->reg, 0, sizeof(c->h->reg));
	c->h->sum = HLL_M;
	c->h->zeros = HLL_M;
	for (i = 0; i < c->n; i++)
		hll_add(c->h, c->v[i]);
	hll_add(c->h, v);
	e = hll_estimate(c->h);
	c->est = e > DC_EXACT ? e : DC_EXACT + 1;
	return 1;
}

void dc_release(struct dcount *c)
{
	if (!c)
		return;
	free(c->h);
	c->h = NULL;
}

uint32_t wset_add(struct witem *it, uint32_t *n, uint32_t cap, uint32_t v, uint32_t mask,
		  uint32_t now, uint32_t win)
{
	uint32_t i, k, found = UINT32_MAX, expired = 0, oldest = 0;

	/* read-only pass first: most calls expire nothing (ages are modular) */
	for (i = 0; i < *n; i++) {
		if (now - it[i].t > win)
			expired++;
		else if (((it[i].v ^ v) & mask) == 0)
			found = i;
	}
	if (found != UINT32_MAX) {
		it[found].v = v;
		it[found].t = now;
	}
	if (expired) {
		for (i = 0, k = 0; i < *n; i++)
			if (now - it[i].t <= win)
				it[k++] = it[i];
		*n = k;
	}
	k = *n;
	if (found != UINT32_MAX)
		return k;
	if (k < cap) {
		it[k].v = v;
		it[k].t = now;
		*n = k + 1;
		return k + 1;
	}
	/* full of live items: the threshold is already reached; keep the most
	 * recent values so the window stays exact from here on */
	for (i = 1; i < k; i++)
		if (now - it[i].t > now - it[oldest].t)
			oldest = i;
	it[oldest].v = v;
	it[oldest].t = now;
	return k + 1;
}
