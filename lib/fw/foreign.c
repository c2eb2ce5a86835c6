/* SPDX-License-Identifier: MIT */
/*
 * Other tables that can overrule mamori. nftables runs every base chain
 * registered on a hook, in priority order, and a drop anywhere is final
 * while an accept only ends its own chain: so another table (Docker's,
 * libvirt's, an iptables-nft ruleset, a hand-written one) can refuse what
 * mamori's rules allow, but it cannot let through what mamori drops.
 * The check therefore looks for other tables' base chains on the input,
 * forward and output hooks with a drop policy or with rules that drop or
 * reject (their own, or in the chains they jump or go to), and says which.
 *
 * It reads nft's own text of "list ruleset", once (nft fetches every set's
 * elements for any listing, so one listing is the cheap way), by its
 * indentation: a table at none, its chains and sets at one tab, a chain's
 * type line and rules at two, a rule's wrapped continuation deeper.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/cursor.h"
#include "mamori/fw.h"

#define MAX_CHAINS 1024
#define MAX_JUMPS 16

struct basechain {
	char family[16], table[128], chain[128], hook[16], prio[32];
	bool drop_policy;
	bool base;	 /* has a type line (hooked) */
	size_t refusing; /* its own rules that drop or reject */
	size_t njump;	 /* jump/goto targets in its table */
	char jump[MAX_JUMPS][64];
};

static void copy_span(char *dst, size_t sz, struct mm_span s)
{
	size_t n = s.n < sz - 1 ? s.n : sz - 1;

	memcpy(dst, s.p, n);
	dst[n] = '\0';
}

static bool word(struct mm_cur *c, struct mm_span *w)
{
	mm_cur_skip_ws(c);
	return mm_cur_word(c, w);
}

/* "type filter hook input priority filter + 10; policy drop;" */
static bool parse_type_line(struct mm_cur c, struct basechain *bc)
{
	struct mm_span w;
	char prio[32] = "";
	size_t used = 0;

	if (!word(&c, &w) || !mm_span_eq(w, "type") || !word(&c, &w) || !word(&c, &w) ||
	    !mm_span_eq(w, "hook") || !word(&c, &w))
		return false;
	copy_span(bc->hook, sizeof(bc->hook), w);
	if (!word(&c, &w) || !mm_span_eq(w, "priority"))
		return false;
	/* the priority runs to ';' and may hold spaces ("filter + 10") */
	while (word(&c, &w)) {
		bool last = w.p[w.n - 1] == ';';
		size_t n = last ? w.n - 1 : w.n;

		if (used + n + 2 < sizeof(prio)) {
			used += (size_t)snprintf(prio + used, sizeof(prio) - used, "%s%.*s",
						 used ? " " : "", (int)n, w.p);
		}
		if (last)
			break;
	}
	snprintf(bc->prio, sizeof(bc->prio), "%s", prio);
	bc->drop_policy = false;
	if (word(&c, &w) && mm_span_eq(w, "policy") && word(&c, &w))
		bc->drop_policy = mm_span_eq(w, "drop;") || mm_span_eq(w, "drop");
	return true;
}

static bool wanted(const struct basechain *bc)
{
	bool hook = strcmp(bc->hook, "input") == 0 || strcmp(bc->hook, "forward") == 0 ||
		    strcmp(bc->hook, "output") == 0;

	return bc->base && hook;
}

/* Does this rule text (one line of it) drop or reject? Words after
 * "comment" are text, not statements. A jump or goto is noted in bc. */
static bool refuses(struct mm_cur c, struct basechain *bc)
{
	struct mm_span w, t;
	bool r = false;

	while (word(&c, &w)) {
		if (mm_span_eq(w, "comment"))
			break;
		if (mm_span_eq(w, "drop") || mm_span_eq(w, "reject"))
			r = true;
		if ((mm_span_eq(w, "jump") || mm_span_eq(w, "goto")) && word(&c, &t) &&
		    bc->njump < MAX_JUMPS)
			copy_span(bc->jump[bc->njump++], sizeof(bc->jump[0]), t);
	}
	return r;
}

/*
 * Every chain of the other ip, ip6 and inet tables, with the number of
 * its own rules that drop or reject and the chains it jumps to.
 */
static size_t scan(const char *text, struct basechain *v, size_t max, bool *ours)
{
	const char *p = text, *end = text + strlen(text);
	char family[16] = "", table[128] = "";
	bool other = false, counted = false;
	struct basechain *cur = NULL;
	size_t n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p), tabs = 0;
		struct mm_cur c;
		struct mm_span w, a, b;

		while (tabs < len && p[tabs] == '\t')
			tabs++;
		c = mm_cur_make(p + tabs, len - tabs);
		if (tabs == 0 && word(&c, &w) && mm_span_eq(w, "table") && word(&c, &a) &&
		    word(&c, &b)) {
			copy_span(family, sizeof(family), a);
			copy_span(table, sizeof(table), b);
			other = strcmp(family, "ip") == 0 || strcmp(family, "ip6") == 0 ||
				strcmp(family, "inet") == 0;
			if (strcmp(family, "inet") == 0 && strcmp(table, "mamori") == 0) {
				*ours = true;
				other = false;
			}
			cur = NULL;
		} else if (tabs == 1) {
			cur = NULL;
			if (other && n < max && word(&c, &w) && mm_span_eq(w, "chain") &&
			    word(&c, &a)) {
				cur = &v[n++];
				memset(cur, 0, sizeof(*cur));
				snprintf(cur->family, sizeof(cur->family), "%s", family);
				snprintf(cur->table, sizeof(cur->table), "%s", table);
				copy_span(cur->chain, sizeof(cur->chain), a);
			}
		} else if (tabs == 2 && cur) {
			struct mm_cur t = c;

			counted = false;
			if (word(&t, &w) && mm_span_eq(w, "type")) {
				cur->base = parse_type_line(c, cur);
			} else if (refuses(c, cur)) {
				cur->refusing++;
				counted = true;
			}
		} else if (tabs > 2 && cur && refuses(c, cur) && !counted) {
			/* a wrapped rule: its verdict on a continuation line */
			cur->refusing++;
			counted = true;
		}
		p += len + (nl ? 1 : 0);
	}
	return n;
}

/* Refusing rules in chain i and every chain it reaches by jump or goto. */
static size_t reach(const struct basechain *v, size_t n, size_t i, unsigned char *seen)
{
	size_t total = v[i].refusing, j, k;

	seen[i] = 1;
	for (j = 0; j < v[i].njump; j++)
		for (k = 0; k < n; k++)
			if (!seen[k] && strcmp(v[k].chain, v[i].jump[j]) == 0 &&
			    strcmp(v[k].table, v[i].table) == 0 &&
			    strcmp(v[k].family, v[i].family) == 0)
				total += reach(v, n, k, seen);
	return total;
}

int mm_fw_refusal_text(struct mm_buf *out, const char *policy, size_t refusing, struct mm_err *err)
{
	const char *s = refusing == 1 ? "s" : "";
	int rc = 0;

	if (policy)
		rc = mm_buf_addf(out, "policy %s%s", policy, refusing ? ", " : "");
	if (rc == 0 && refusing)
		rc = mm_buf_addf(out, "%zu rule%s that drop%s or reject%s", refusing,
				 refusing == 1 ? "" : "s", s, s);
	if (rc == 0)
		rc = mm_buf_addc(out, '\n');
	return rc < 0 ? mm_err_set(err, rc, "report too large") : 0;
}

int mm_fw_foreign_check(struct mm_fw_backend *be, struct mm_buf *out, bool *loaded,
			struct mm_err *err)
{
	struct basechain *v = calloc(MAX_CHAINS, sizeof(*v));
	unsigned char *seen = calloc(MAX_CHAINS, 1);
	struct mm_buf list;
	size_t i, n;
	int rc, found = 0;

	mm_buf_init(&list, 512u << 20);
	if (!v || !seen) {
		rc = mm_err_set(err, MM_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = be->ops->run(be, "list ruleset", &list, err);
	if (rc < 0)
		goto out;
	*loaded = false;
	n = list.data ? scan(list.data, v, MAX_CHAINS, loaded) : 0;
	for (i = 0; i < n && rc == 0; i++) {
		size_t refusing;

		if (!wanted(&v[i]))
			continue;
		memset(seen, 0, MAX_CHAINS);
		refusing = reach(v, n, i, seen);
		if (!v[i].drop_policy && refusing == 0)
			continue;
		found++;
		rc = mm_buf_addf(out, "table %s %s, chain %s (hook %s, priority %s): ", v[i].family,
				 v[i].table, v[i].chain, v[i].hook, v[i].prio);
		rc = rc < 0
			 ? mm_err_set(err, rc, "report too large")
			 : mm_fw_refusal_text(out, v[i].drop_policy ? "drop" : NULL, refusing, err);
	}
out:
	free(v);
	free(seen);
	mm_buf_release(&list);
	return rc < 0 ? rc : found;
}
