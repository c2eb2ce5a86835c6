/* SPDX-License-Identifier: MIT */
/*
 * Other tables that can overrule mamori. nftables runs every base chain
 * registered on a hook, in priority order, and a drop anywhere is final
 * while an accept only ends its own chain: so another table (Docker's,
 * libvirt's, an iptables-nft ruleset, a hand-written one) can refuse what
 * mamori's rules allow, but it cannot let through what mamori drops.
 * The check therefore looks for other tables' base chains on the input,
 * forward and output hooks with a drop policy or with rules that drop or
 * reject, and says which.
 *
 * It reads nft's own text: "list chains" gives every chain with its
 * "type T hook H priority P; policy X;" line; each candidate base chain
 * is then listed on its own to count its refusing rules.
 */
#include <stdio.h>
#include <string.h>

#include "mamori/cursor.h"
#include "mamori/fw.h"

#define MAX_CHAINS 256

struct basechain {
	char family[16], table[128], chain[128], hook[16], prio[32];
	bool drop_policy;
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

/* Base chains of other tables on input, forward and output. */
static size_t find_chains(const char *text, struct basechain *v, size_t max)
{
	const char *p = text, *end = text + strlen(text);
	struct basechain cur;
	size_t n = 0;

	memset(&cur, 0, sizeof(cur));
	while (p < end && n < max) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct mm_cur c = mm_cur_make(p, len);
		struct mm_span w, a, b;

		if (word(&c, &w)) {
			if (mm_span_eq(w, "table") && word(&c, &a) && word(&c, &b)) {
				copy_span(cur.family, sizeof(cur.family), a);
				copy_span(cur.table, sizeof(cur.table), b);
			} else if (mm_span_eq(w, "chain") && word(&c, &a)) {
				copy_span(cur.chain, sizeof(cur.chain), a);
			} else if (mm_span_eq(w, "type") &&
				   parse_type_line(mm_cur_make(p, len), &cur)) {
				bool ours = strcmp(cur.family, "inet") == 0 &&
					    strcmp(cur.table, "mamori") == 0;
				bool hook = strcmp(cur.hook, "input") == 0 ||
					    strcmp(cur.hook, "forward") == 0 ||
					    strcmp(cur.hook, "output") == 0;
				bool fam = strcmp(cur.family, "ip") == 0 ||
					   strcmp(cur.family, "ip6") == 0 ||
					   strcmp(cur.family, "inet") == 0;

				if (!ours && hook && fam)
					v[n++] = cur;
			}
		}
		p += len + (nl ? 1 : 0);
	}
	return n;
}

/* Rules of a listed chain whose verdict is drop or reject. */
static size_t count_refusing(const char *text)
{
	const char *p = text, *end = text + strlen(text);
	size_t n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct mm_cur c = mm_cur_make(p, len);
		struct mm_span w;
		bool first = true, refusing = false, skip = false;

		while (word(&c, &w)) {
			if (first && (mm_span_eq(w, "table") || mm_span_eq(w, "chain") ||
				      mm_span_eq(w, "type") || mm_span_eq(w, "}")))
				skip = true;
			first = false;
			if (mm_span_eq(w, "comment"))
				break; /* the rest is text */
			if (mm_span_eq(w, "drop") || mm_span_eq(w, "reject"))
				refusing = true;
		}
		if (!skip && refusing)
			n++;
		p += len + (nl ? 1 : 0);
	}
	return n;
}

int mm_fw_foreign_check(struct mm_fw_backend *be, struct mm_buf *out, struct mm_err *err)
{
	struct basechain v[MAX_CHAINS];
	struct mm_buf list, one;
	size_t i, n;
	int rc, found = 0;

	mm_buf_init(&list, 64u << 20);
	mm_buf_init(&one, 64u << 20);
	rc = be->ops->run(be, "list chains", &list, err);
	if (rc < 0)
		goto out;
	n = list.data ? find_chains(list.data, v, MAX_CHAINS) : 0;
	for (i = 0; i < n && rc == 0; i++) {
		char cmd[512];
		size_t refusing = 0;

		mm_buf_reset(&one);
		snprintf(cmd, sizeof(cmd), "list chain %s %s %s", v[i].family, v[i].table,
			 v[i].chain);
		if (be->ops->run(be, cmd, &one, err) == 0 && one.data)
			refusing = count_refusing(one.data);
		if (!v[i].drop_policy && refusing == 0)
			continue;
		found++;
		rc = mm_buf_addf(out, "table %s %s, chain %s (hook %s, priority %s): ", v[i].family,
				 v[i].table, v[i].chain, v[i].hook, v[i].prio);
		if (rc == 0 && v[i].drop_policy)
			rc = mm_buf_addf(out, "policy drop%s", refusing ? ", " : "");
		if (rc == 0 && refusing)
			rc = mm_buf_addf(out, "%zu rule%s that drop%s or reject%s", refusing,
					 refusing == 1 ? "" : "s", refusing == 1 ? "s" : "",
					 refusing == 1 ? "s" : "");
		if (rc == 0)
			rc = mm_buf_addc(out, '\n');
		if (rc < 0)
			rc = mm_err_set(err, rc, "report too large");
	}
out:
	mm_buf_release(&list);
	mm_buf_release(&one);
	return rc < 0 ? rc : found;
}
