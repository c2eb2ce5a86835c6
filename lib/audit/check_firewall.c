/* SPDX-License-Identifier: MIT */
/*
 * Firewall: `nft -j list ruleset` (run with a timeout; iptables-nft rules
 * are in the same ruleset) parsed with jansson. The input path is judged
 * per family: a base chain on the input hook with policy drop, or whose
 * last rule is an unconditional drop/reject, protects its family (an inet
 * chain protects both). What input rules accept by destination port is
 * kept for the exposure check.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit_int.h"

struct chain {
	char key[300]; /* family/table/name */
	bool input, v4, v6, drop_policy;
	bool last_drop; /* last rule seen is an unconditional drop/reject */
};

#define MAX_CHAINS 256

static void add_port(struct audit_fw *fw, json_t *v)
{
	if (json_is_integer(v)) {
		json_int_t p = json_integer_value(v);
		if (p > 0 && p < 65536 && fw->naccepted < 256)
			fw->accepted[fw->naccepted++] = (uint16_t)p;
	} else if (json_is_object(v) && json_object_get(v, "set")) {
		json_t *s = json_object_get(v, "set"), *e;
		size_t i;
		json_array_foreach(s, i, e) add_port(fw, e);
	} else if (json_is_object(v) && json_object_get(v, "range")) {
		json_t *r = json_object_get(v, "range");
		json_int_t a = json_integer_value(json_array_get(r, 0));
		json_int_t b = json_integer_value(json_array_get(r, 1));
		for (; a <= b && a > 0 && a < 65536 && fw->naccepted < 256; a++)
			fw->accepted[fw->naccepted++] = (uint16_t)a;
	}
}

static struct chain *find_chain(struct chain *ch, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(ch[i].key, key) == 0)
			return &ch[i];
	return NULL;
}

static void chain_key(json_t *o, char *key, size_t n)
{
	snprintf(key, n, "%s/%s/%s", json_string_value(json_object_get(o, "family")) ?: "",
		 json_string_value(json_object_get(o, "table")) ?: "",
		 json_string_value(json_object_get(o, "chain")) ?: json_string_value(json_object_get(o, "name")) ?: "");
}

/* iptables-legacy keeps its tables outside nftables; the kernel lists them here. */
static bool legacy_tables(const struct audit_ctx *c)
{
	static const char *const files[] = {"/proc/net/ip_tables_names",
					    "/proc/net/ip6_tables_names"};
	struct mm_buf b;
	bool any = false;
	size_t i;

	mm_buf_init(&b, 4096);
	for (i = 0; i < 2 && !any; i++) {
		/* /proc files report size 0: read through the cap-checked reader anyway */
		if (audit_read(c, files[i], 4096, &b) == 0 && b.len > 0)
			any = true;
	}
	mm_buf_release(&b);
	return any;
}

static int judge(struct audit_ctx *c, json_t *root)
{
	json_t *arr = json_object_get(root, "nftables"), *item;
	struct chain *ch;
	size_t nch = 0, i, ntables = 0;
	bool v4 = false, v6 = false, any_input = false, ufw = false, firewalld = false;
	int rc = 0;

	if (!json_is_array(arr))
		return audit_note(c, MM_AUDIT_FIREWALL, false, "nft -j: unexpected JSON");
	ch = calloc(MAX_CHAINS, sizeof(*ch));
	if (!ch)
		return MM_ERR_NOMEM;
	json_array_foreach(arr, i, item)
	{
		json_t *o;
		if ((o = json_object_get(item, "table"))) {
			const char *nm = json_string_value(json_object_get(o, "name"));
			ntables++;
			if (nm && strcmp(nm, "firewalld") == 0)
				firewalld = true;
		} else if ((o = json_object_get(item, "chain")) && nch < MAX_CHAINS) {
			const char *hook = json_string_value(json_object_get(o, "hook"));
			const char *fam = json_string_value(json_object_get(o, "family"));
			const char *pol = json_string_value(json_object_get(o, "policy"));
			const char *nm = json_string_value(json_object_get(o, "name"));
			struct chain *k = &ch[nch++];
			chain_key(o, k->key, sizeof(k->key));
			if (nm && strncmp(nm, "ufw", 3) == 0)
				ufw = true;
			k->input = hook && strcmp(hook, "input") == 0 && fam;
			if (k->input) {
				k->v4 = strcmp(fam, "ip") == 0 || strcmp(fam, "inet") == 0;
				k->v6 = strcmp(fam, "ip6") == 0 || strcmp(fam, "inet") == 0;
				k->drop_policy = pol && strcmp(pol, "drop") == 0;
				any_input = true;
			}
		} else if ((o = json_object_get(item, "rule"))) {
			json_t *expr = json_object_get(o, "expr"), *e;
			char key[300];
			struct chain *k;
			bool accept = false, has_port = false;
			size_t j;
			chain_key(o, key, sizeof(key));
			k = find_chain(ch, nch, key);
			if (!k || !json_is_array(expr))
				continue;
			k->last_drop = json_array_size(expr) == 1 &&
				       (json_object_get(json_array_get(expr, 0), "drop") ||
					json_object_get(json_array_get(expr, 0), "reject"));
			if (!k->input)
				continue;
			json_array_foreach(expr, j, e)
			{
				json_t *m = json_object_get(e, "match");
				json_t *pl =
				    m ? json_object_get(json_object_get(m, "left"), "payload")
				      : NULL;
				const char *f =
				    pl ? json_string_value(json_object_get(pl, "field")) : NULL;
				if (json_object_get(e, "accept"))
					accept = true;
				if (f && strcmp(f, "dport") == 0)
					has_port = true;
			}
			if (!accept)
				continue;
			if (json_array_size(expr) == 1)
				c->fw.accept_any_port = true;
			json_array_foreach(expr, j, e)
			{
				json_t *m = json_object_get(e, "match");
				json_t *pl =
				    m ? json_object_get(json_object_get(m, "left"), "payload")
				      : NULL;
				const char *f =
				    pl ? json_string_value(json_object_get(pl, "field")) : NULL;
				if (has_port && f && strcmp(f, "dport") == 0)
					add_port(&c->fw, json_object_get(m, "right"));
			}
		}
	}
	for (i = 0; i < nch; i++) {
		bool closed = ch[i].drop_policy || ch[i].last_drop;
		if (!ch[i].input || !closed)
			continue;
		v4 |= ch[i].v4;
		v6 |= ch[i].v6;
	}
	c->fw.known = true;
	c->fw.v4_drop = v4;
	c->fw.v6_drop = v6;
	if (ntables == 0 && legacy_tables(c))
		rc = audit_note(c, MM_AUDIT_FIREWALL, false,
				"nftables is empty but iptables-legacy tables are loaded "
				"(/proc/net/ip_tables_names); legacy rules are not judged");
	else if (ntables == 0)
		rc = audit_find(c, "FW-NO-RULESET", "nft list ruleset: empty");
	else if (!v4)
		rc = audit_find(c, "FW-INPUT-OPEN", "%s",
				any_input ? "no ip/inet input chain ends in drop or reject"
					  : "no chain on the input hook");
	if (rc == 0 && v4 && !v6) {
		struct mm_buf b;
		bool off = false;
		mm_buf_init(&b, 64);
		if (audit_read(c, "/proc/sys/net/ipv6/conf/all/disable_ipv6", 64, &b) == 0 &&
		    b.data)
			off = b.data[0] == '1';
		mm_buf_release(&b);
		if (!off)
			rc = audit_find(c, "FW-IPV6-OPEN",
					"IPv4 input ends in drop, no ip6/inet input chain does");
	}
	if (rc == 0 && ufw)
		rc = audit_note(c, MM_AUDIT_FIREWALL, false, "ufw is active (ufw chains loaded)");
	if (rc == 0 && firewalld)
		rc = audit_note(c, MM_AUDIT_FIREWALL, false,
				"firewalld is active (table firewalld loaded)");
	free(ch);
	return rc;
}

int audit_check_firewall(struct audit_ctx *c)
{
	const char *argv[] = {"/usr/sbin/nft", "-j", "list", "ruleset", NULL};
	struct mm_buf o, e;
	json_t *root = NULL;
	json_error_t jerr;
	int rc, st;

	if (!c->privileged)
		return audit_note(c, MM_AUDIT_FIREWALL, true,
				  "firewall not checked: reading the ruleset needs root");
	if (access(argv[0], X_OK) != 0)
		return audit_note(c, MM_AUDIT_FIREWALL, false,
				  "firewall not checked: no %s (package nftables)", argv[0]);
	mm_buf_init(&o, 32u << 20);
	mm_buf_init(&e, 4096);
	rc = audit_exec(argv, c->timeout_ms, &o, &e, &st);
	if (rc < 0 || st != 0 || !o.data) {
		rc = audit_note(c, MM_AUDIT_FIREWALL, false, "nft -j list ruleset %s: %.200s",
				st < 0 ? "timed out or could not run" : "failed",
				e.data ? e.data : "");
		goto out;
	}
	root = json_loadb(o.data, o.len, 0, &jerr);
	if (!root) {
		rc = audit_note(c, MM_AUDIT_FIREWALL, false, "nft -j list ruleset: bad JSON: %s",
				jerr.text);
		goto out;
	}
	rc = judge(c, root);
out:
	json_decref(root);
	mm_buf_release(&o);
	mm_buf_release(&e);
	return rc;
}
