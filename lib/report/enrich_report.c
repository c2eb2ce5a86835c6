/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze_int.h"

/*
 * The enrichment step of `mamori logs`: once per distinct source address,
 * never per line. Geo and hosting for every tracked source (cheap: an MMDB
 * lookup is well under a microsecond), grouped by country, network and
 * hosting category; DNS (blocklists, reverse DNS) only for the addresses
 * a reader will look at, top sources and finding sources, capped.
 */

#define MAX_GROUPS_SHOWN 20
#define MAX_FGROUPS 256

struct net_slot {
	uint32_t asn; /* 0 = empty */
	uint32_t idx;
};

struct mm_enrich_state {
	struct mm_enrichment e;
	struct mm_geo *geo;
	char geo_status[600];
	struct mm_group_stat *countries; /* 26 * 26 + 1 slots, index 676 = unknown */
	struct mm_group_stat *nets;
	struct mm_hosting_result *nethost; /* parallel to nets: classification of the ASN */
	size_t nnets, capnets;
	struct net_slot *netidx;
	size_t netmask;
	struct mm_source_info *top, *fsrc;
	struct mm_source_stat *ftop; /* --country: top sources of that country */
	size_t nftop;
	struct mm_finding *ffind; /* --country: findings of that country */
	struct mm_finding_group *groups;
	struct mm_dnsbl_zone zones[MM_DNSBL_MAX_ZONES];
	char codes[2048]; /* owns the meaning strings zones[].codes point into */
	const struct mm_enrich_opts *o;
	size_t top_n;
	int err;
};

void mm_enrich_opts_defaults(struct mm_enrich_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->resolver.timeout_ms = 2000;
	o->resolver.tries = 2;
	o->resolver.max_inflight = 64;
	o->dns_max = 1000;
}

static size_t cc_index(const struct mm_geo_info *g)
{
	char a, b;

	if (!g->have_country)
		return 26 * 26;
	a = g->country[0];
	b = g->country[1];
	if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z')
		return 26 * 26;
	return (size_t)(a - 'A') * 26 + (size_t)(b - 'A');
}

static struct mm_group_stat *net_group(struct mm_enrich_state *st, const struct mm_geo_info *g)
{
	size_t i;

	if (!g->have_asn || g->asn == 0)
		return NULL;
	if (st->nnets * 2 >= st->netmask + 1) {
		size_t ncap = (st->netmask + 1) * 2, k;
		struct net_slot *ni = calloc(ncap, sizeof(*ni));
		if (!ni)
			return NULL;
		for (k = 0; k <= st->netmask; k++) {
			size_t j;
			if (!st->netidx[k].asn)
				continue;
			j = (st->netidx[k].asn * 2654435761u) & (ncap - 1);
			while (ni[j].asn)
				j = (j + 1) & (ncap - 1);
			ni[j] = st->netidx[k];
		}
		free(st->netidx);
		st->netidx = ni;
		st->netmask = ncap - 1;
	}
	i = (g->asn * 2654435761u) & st->netmask;
	while (st->netidx[i].asn && st->netidx[i].asn != g->asn)
		i = (i + 1) & st->netmask;
	if (!st->netidx[i].asn) {
		struct mm_group_stat *gs;
		if (st->nnets == st->capnets) {
			size_t nc = st->capnets ? st->capnets * 2 : 256;
			struct mm_hosting_result *nh;
			gs = realloc(st->nets, nc * sizeof(*gs));
			if (!gs)
				return NULL;
			st->nets = gs;
			nh = realloc(st->nethost, nc * sizeof(*nh));
			if (!nh)
				return NULL;
			st->nethost = nh;
			st->capnets = nc;
		}
		gs = &st->nets[st->nnets];
		memset(gs, 0, sizeof(*gs));
		snprintf(gs->key, sizeof(gs->key), "AS%u", (unsigned)g->asn);
		snprintf(gs->label, sizeof(gs->label), "%s", g->org);
		/* one classification per network, not per source: name rules cost */
		mm_hosting_classify(g->asn, g->org, &st->nethost[st->nnets]);
		st->netidx[i].asn = g->asn;
		st->netidx[i].idx = (uint32_t)st->nnets++;
	}
	return &st->nets[st->netidx[i].idx];
}

/* Geo and hosting of one address; *net is its network group (or NULL). */
static void info_of_net(struct mm_enrich_state *st, const struct mm_addr *a,
			struct mm_source_info *out, struct mm_group_stat **net)
{
	struct mm_group_stat *g;

	memset(out, 0, sizeof(*out));
	out->addr = *a;
	out->rdns.status = MM_DNS_ERROR;
	if (st->geo)
		mm_geo_lookup(st->geo, a, &out->geo);
	g = net_group(st, &out->geo);
	if (net)
		*net = g;
	if (g)
		out->hosting = st->nethost[g - st->nets];
	else
		mm_hosting_classify(out->geo.have_asn ? out->geo.asn : 0, out->geo.org,
				    &out->hosting);
}

static void info_of(struct mm_enrich_state *st, const struct mm_addr *a, struct mm_source_info *out)
{
	info_of_net(st, a, out, NULL);
}

static void add_to(struct mm_group_stat *g, const struct mm_source_stat *s)
{
	g->sources++;
	g->events += s->events;
	g->packets += s->packets;
	g->auth_failures += s->auth_failures;
}

static int cmp_src_events(const struct mm_source_stat *x, const struct mm_source_stat *y)
{
	if (x->events != y->events)
		return x->events > y->events ? -1 : 1;
	return mm_addr_cmp(&x->addr, &y->addr);
}

/* Per tracked source: group it, and keep the country focus's top list. */
static void each_source(void *ud, const struct mm_source_stat *s)
{
	struct mm_enrich_state *st = ud;
	struct mm_source_info info;
	struct mm_group_stat *g, *net;
	size_t j;

	info_of_net(st, &s->addr, &info, &net);
	g = &st->countries[cc_index(&info.geo)];
	if (!g->key[0])
		snprintf(g->key, sizeof(g->key), "%s",
			 info.geo.have_country ? info.geo.country : "??");
	add_to(g, s);
	if (net)
		add_to(net, s);
	add_to(&st->e.hosting[info.hosting.category], s);
	if (!st->o->country[0] || !info.geo.have_country ||
	    strcmp(info.geo.country, st->o->country) != 0)
		return;
	/* keep the n best of the focus country, sorted */
	if (st->nftop == st->top_n &&
	    (!st->top_n || cmp_src_events(s, &st->ftop[st->top_n - 1]) >= 0))
		return;
	j = st->nftop < st->top_n ? st->nftop++ : st->top_n - 1;
	while (j > 0 && cmp_src_events(s, &st->ftop[j - 1]) < 0) {
		st->ftop[j] = st->ftop[j - 1];
		j--;
	}
	st->ftop[j] = *s;
}

static int cmp_group(const void *a, const void *b)
{
	const struct mm_group_stat *x = a, *y = b;

	if (x->sources != y->sources)
		return x->sources > y->sources ? -1 : 1;
	if (x->events != y->events)
		return x->events > y->events ? -1 : 1;
	return strcmp(x->key, y->key);
}

static bool fgroup_key_eq(const struct mm_finding_group *g, const struct mm_finding *f)
{
	return g->kind == f->kind && g->proto == (f->port >= 0 ? f->proto : -1) &&
	       g->port == f->port;
}

/* Count a finding's source into its (kind, service) group. */
static void fgroup_add(struct mm_enrich_state *st, const struct mm_finding *f,
		       const struct mm_source_info *info)
{
	struct mm_finding_group *g = NULL;
	size_t i;

	for (i = 0; i < st->e.ngroups; i++)
		if (fgroup_key_eq(&st->groups[i], f))
			g = &st->groups[i];
	if (!g) {
		if (st->e.ngroups >= MAX_FGROUPS)
			return;
		g = &st->groups[st->e.ngroups++];
		memset(g, 0, sizeof(*g));
		g->kind = f->kind;
		g->port = f->port;
		g->proto = f->port >= 0 ? f->proto : -1;
	}
	g->sources++;
	if (info->hosting.category == MM_HOSTING_HOSTING)
		g->hosting++;
	if (info->dnsbl_listed)
		g->listed++;
	/* top countries of the group: few distinct, a linear list suffices */
	{
		const char *cc = info->geo.have_country ? info->geo.country : "??";
		struct mm_group_stat *c = NULL;
		for (i = 0; i < g->ntop_countries; i++)
			if (strcmp(g->top_countries[i].key, cc) == 0)
				c = &g->top_countries[i];
		if (!c &&
		    g->ntop_countries < sizeof(g->top_countries) / sizeof(g->top_countries[0])) {
			c = &g->top_countries[g->ntop_countries++];
			memset(c, 0, sizeof(*c));
			snprintf(c->key, sizeof(c->key), "%s", cc);
		}
		if (c)
			c->sources++;
	}
}

/* Parse "a,b,c" zone names; returns how many. */
static size_t parse_zones(const char *list, struct mm_dnsbl_zone *z)
{
	size_t n = 0;
	const char *p = list;

	while (*p && n < MM_DNSBL_MAX_ZONES) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		while (len && (*p == ' ')) {
			p++;
			len--;
		}
		while (len && p[len - 1] == ' ')
			len--;
		if (len && len < sizeof(z[n].zone)) {
			memset(&z[n], 0, sizeof(z[n]));
			memcpy(z[n].zone, p, len);
			z[n].zone[len] = '\0';
			n++;
		}
		if (!e)
			break;
		p = e + 1;
	}
	return n;
}

/*
 * Meanings of blocklist answers, "zone:2=SBL,4=XBL;zone2:2=spam": the
 * string is copied and cut in place, and zones[].codes point into it.
 * Parts naming an unknown zone or a code outside 0..255 are ignored.
 */
static void parse_codes(struct mm_enrich_state *st, const char *spec)
{
	char *p, *zone_end, *next;
	size_t z;

	snprintf(st->codes, sizeof(st->codes), "%s", spec);
	for (p = st->codes; p && *p; p = next) {
		struct mm_dnsbl_zone *zone = NULL;
		char *pair;
		if ((next = strchr(p, ';')))
			*next++ = '\0';
		while (*p == ' ')
			p++;
		if (!(zone_end = strchr(p, ':')))
			continue;
		*zone_end = '\0';
		for (z = 0; z < st->e.nzones; z++)
			if (strcmp(st->zones[z].zone, p) == 0)
				zone = &st->zones[z];
		for (pair = zone_end + 1; zone && pair && *pair;) {
			char *comma = strchr(pair, ','), *eq = strchr(pair, '=');
			unsigned code = 0;
			const char *d;
			if (comma)
				*comma = '\0';
			if (eq && (!comma || eq < comma)) {
				*eq = '\0';
				for (d = pair; *d == ' '; d++)
					;
				for (; *d >= '0' && *d <= '9' && code < 256; d++)
					code = code * 10 + (unsigned)(*d - '0');
				if (code < 256 && d != pair)
					zone->codes[code] = eq + 1;
			}
			pair = comma ? comma + 1 : NULL;
		}
	}
}

/* The addresses worth a DNS query: top sources, then finding sources. */
static size_t dns_targets(struct mm_enrich_state *st, const struct mm_report *rep,
			  struct mm_source_info ***out)
{
	size_t cap = st->o->dns_max, n = 0, i;
	struct mm_source_info **t = calloc(cap ? cap : 1, sizeof(*t));

	*out = t;
	if (!t)
		return 0;
	for (i = 0; i < rep->ntop_sources && n < cap; i++)
		t[n++] = &st->top[i];
	for (i = 0; i < rep->nfindings && n < cap; i++)
		if (st->fsrc[i].addr.family != MM_AF_NONE)
			t[n++] = &st->fsrc[i];
	return n;
}

static void run_dnsbl(struct mm_enrich_state *st, const struct mm_report *rep)
{
	struct mm_source_info **t = NULL;
	struct mm_addr *addrs = NULL;
	struct mm_dnsbl_result *res = NULL;
	struct mm_resolver_opts ro = st->o->resolver;
	struct mm_err err = {0};
	size_t n, nz = st->e.nzones, i, z;

	n = dns_targets(st, rep, &t);
	if (!n)
		goto out;
	addrs = calloc(n, sizeof(*addrs));
	res = calloc(n * nz, sizeof(*res));
	if (!addrs || !res)
		goto out;
	for (i = 0; i < n; i++)
		addrs[i] = t[i]->addr;
	ro.servers = st->o->dns_server[0] ? st->o->dns_server : NULL;
	if (mm_dnsbl_check(&ro, st->zones, nz, addrs, n, res, &st->e.dnsbl, &err) < 0) {
		snprintf(st->geo_status + strlen(st->geo_status),
			 sizeof(st->geo_status) - strlen(st->geo_status), "; DNSBL: %s", err.msg);
		goto out;
	}
	for (i = 0; i < n; i++) {
		for (z = 0; z < nz; z++) {
			const struct mm_dnsbl_result *r = &res[i * nz + z];
			if (r->status == MM_DNS_LISTED) {
				t[i]->dnsbl_listed |= 1u << z;
				t[i]->dnsbl_code[z] = r->code;
			} else if (r->status != MM_DNS_NOT_LISTED)
				t[i]->dnsbl_failed |= 1u << z;
		}
	}
	/* shares over distinct checked addresses (top sources and findings overlap) */
	for (i = 0; i < n; i++) {
		size_t k;
		bool dup = false;
		for (k = 0; k < i && !dup; k++)
			dup = mm_addr_eq(&addrs[k], &addrs[i]);
		if (dup)
			continue;
		st->e.dnsbl_checked++;
		for (z = 0; z < nz; z++)
			if (t[i]->dnsbl_listed & (1u << z))
				st->e.dnsbl_listed[z]++;
	}
out:
	free(t);
	free(addrs);
	free(res);
}

static void run_rdns(struct mm_enrich_state *st, const struct mm_report *rep)
{
	struct mm_source_info **t = NULL;
	struct mm_addr *addrs = NULL;
	struct mm_rdns_result *res = NULL;
	struct mm_resolver_opts ro = st->o->resolver;
	struct mm_err err = {0};
	size_t n, i;

	n = dns_targets(st, rep, &t);
	if (!n)
		goto out;
	addrs = calloc(n, sizeof(*addrs));
	res = calloc(n, sizeof(*res));
	if (!addrs || !res)
		goto out;
	for (i = 0; i < n; i++)
		addrs[i] = t[i]->addr;
	ro.servers = st->o->dns_server[0] ? st->o->dns_server : NULL;
	if (mm_rdns_lookup(&ro, addrs, n, res, &err) < 0) {
		snprintf(st->geo_status + strlen(st->geo_status),
			 sizeof(st->geo_status) - strlen(st->geo_status), "; rDNS: %s", err.msg);
		goto out;
	}
	for (i = 0; i < n; i++) {
		t[i]->rdns = res[i];
		t[i]->rdns_asked = true;
	}
out:
	free(t);
	free(addrs);
	free(res);
}

static void open_geo(struct mm_enrich_state *st)
{
	const struct mm_enrich_opts *o = st->o;
	char cpath[600] = "", apath[600] = "";
	struct mm_err err = {0};
	struct stat sb;

	if (o->no_geo) {
		snprintf(st->geo_status, sizeof(st->geo_status), "geo unavailable: turned off");
		return;
	}
	if (o->country_db[0])
		snprintf(cpath, sizeof(cpath), "%s", o->country_db);
	else if (o->geo_dir[0])
		snprintf(cpath, sizeof(cpath), "%s/country.mmdb", o->geo_dir);
	if (o->asn_db[0])
		snprintf(apath, sizeof(apath), "%s", o->asn_db);
	else if (o->geo_dir[0])
		snprintf(apath, sizeof(apath), "%s/asn.mmdb", o->geo_dir);
	/* files from the default directory are optional; named ones are not */
	if (!o->country_db[0] && cpath[0] && stat(cpath, &sb) != 0)
		cpath[0] = '\0';
	if (!o->asn_db[0] && apath[0] && stat(apath, &sb) != 0)
		apath[0] = '\0';
	if (!cpath[0] && !apath[0]) {
		snprintf(
		    st->geo_status, sizeof(st->geo_status),
		    "geo unavailable: no country.mmdb or asn.mmdb in %s (run tools/fetch-geo.sh)",
		    o->geo_dir[0] ? o->geo_dir : "any data directory");
		return;
	}
	if (mm_geo_open(cpath[0] ? cpath : NULL, apath[0] ? apath : NULL, &st->geo, &err) < 0) {
		snprintf(st->geo_status, sizeof(st->geo_status), "geo unavailable: %s", err.msg);
		st->geo = NULL;
		return;
	}
	st->e.have_geo = true;
	snprintf(st->geo_status, sizeof(st->geo_status), "%s", mm_geo_describe(st->geo));
}

void mm_enrich_state_free(struct mm_enrich_state *st)
{
	if (!st)
		return;
	mm_geo_free(st->geo);
	free(st->countries);
	free(st->nets);
	free(st->nethost);
	free(st->netidx);
	free(st->top);
	free(st->fsrc);
	free(st->ftop);
	free(st->ffind);
	free(st->groups);
	free(st);
}

/*
 * Who each finding's source is. One source often has several findings
 * (fast and slow brute force, user enumeration): look each address up once
 * and copy its answer to the others.
 */
static int finding_infos(struct mm_enrich_state *st, const struct mm_report *rep)
{
	size_t i, n = rep->nfindings, size = 16, mask, h;
	uint32_t *first;

	while (size < n * 2)
		size *= 2;
	mask = size - 1;
	first = malloc(size * sizeof(*first));
	if (!first)
		return MM_ERR_NOMEM;
	for (h = 0; h < size; h++)
		first[h] = UINT32_MAX;
	for (i = 0; i < n; i++) {
		const struct mm_addr *a = &rep->findings[i].src;
		if (a->family == MM_AF_NONE)
			continue;
		for (h = (size_t)mm_addr_hash(a) & mask; first[h] != UINT32_MAX; h = (h + 1) & mask)
			if (mm_addr_eq(&rep->findings[first[h]].src, a))
				break;
		if (first[h] != UINT32_MAX) {
			st->fsrc[i] = st->fsrc[first[h]];
			continue;
		}
		first[h] = (uint32_t)i;
		info_of(st, a, &st->fsrc[i]);
	}
	free(first);
	return 0;
}

int mm_analysis_enrich(struct mm_analysis *a, const struct mm_enrich_opts *o, struct mm_report *rep)
{
	struct mm_enrich_state *st = calloc(1, sizeof(*st));
	size_t i, k, ncountries = 0;
	int r;

	if (!st)
		return MM_ERR_NOMEM;
	mm_enrich_state_free(a->enrich);
	a->enrich = st;
	st->o = o;
	st->top_n = a->o.top_n;
	st->e.geo_status = st->geo_status;
	st->countries = calloc(26 * 26 + 1, sizeof(*st->countries));
	st->netmask = 1023;
	st->netidx = calloc(st->netmask + 1, sizeof(*st->netidx));
	st->ftop = calloc(st->top_n ? st->top_n : 1, sizeof(*st->ftop));
	st->groups = calloc(MAX_FGROUPS, sizeof(*st->groups));
	if (!st->countries || !st->netidx || !st->ftop || !st->groups)
		return MM_ERR_NOMEM;
	open_geo(st);
	mm_summary_foreach_source(a->sum, each_source, st);
	/* the country focus narrows what the report lists */
	if (o->country[0]) {
		size_t n = 0;
		st->e.country_filter = o->country;
		memcpy(a->top_sources, st->ftop, st->nftop * sizeof(*st->ftop));
		rep->ntop_sources = st->nftop;
		st->ffind = calloc(rep->nfindings ? rep->nfindings : 1, sizeof(*st->ffind));
		if (!st->ffind)
			return MM_ERR_NOMEM;
		for (i = 0; i < rep->nfindings; i++) {
			struct mm_source_info info;
			const struct mm_finding *f = &rep->findings[i];
			if (f->src.family == MM_AF_NONE)
				continue;
			info_of(st, &f->src, &info);
			if (info.geo.have_country && strcmp(info.geo.country, o->country) == 0)
				st->ffind[n++] = *f;
		}
		rep->findings = st->ffind;
		rep->nfindings = n;
	}
	st->top = calloc(rep->ntop_sources ? rep->ntop_sources : 1, sizeof(*st->top));
	st->fsrc = calloc(rep->nfindings ? rep->nfindings : 1, sizeof(*st->fsrc));
	if (!st->top || !st->fsrc)
		return MM_ERR_NOMEM;
	for (i = 0; i < rep->ntop_sources; i++)
		info_of(st, &rep->top_sources[i].addr, &st->top[i]);
	if ((r = finding_infos(st, rep)) < 0)
		return r;
	st->e.nzones = parse_zones(o->dnsbl_zones, st->zones);
	st->e.zones = st->zones;
	parse_codes(st, o->dnsbl_codes);
	if (st->e.nzones)
		run_dnsbl(st, rep);
	if (o->rdns)
		run_rdns(st, rep);
	/* finding groups and per-kind source counts of countries and networks */
	for (i = 0; i < rep->nfindings; i++) {
		const struct mm_finding *f = &rep->findings[i];
		struct mm_group_stat *g;
		if (f->src.family == MM_AF_NONE)
			continue;
		fgroup_add(st, f, &st->fsrc[i]);
		st->countries[cc_index(&st->fsrc[i].geo)].finding_sources[f->kind]++;
		if ((g = net_group(st, &st->fsrc[i].geo)))
			g->finding_sources[f->kind]++;
	}
	/* countries: compact the used slots, then sort */
	for (i = 0, k = 0; i <= 26 * 26; i++)
		if (st->countries[i].sources)
			st->countries[k++] = st->countries[i];
	ncountries = k;
	qsort(st->countries, ncountries, sizeof(*st->countries), cmp_group);
	if (st->nnets)
		qsort(st->nets, st->nnets, sizeof(*st->nets), cmp_group);
	st->e.countries = st->countries;
	st->e.ncountries = ncountries < MAX_GROUPS_SHOWN ? ncountries : MAX_GROUPS_SHOWN;
	st->e.networks = st->nets;
	st->e.nnetworks = st->nnets < MAX_GROUPS_SHOWN ? st->nnets : MAX_GROUPS_SHOWN;
	snprintf(st->e.hosting[MM_HOSTING_HOSTING].key, sizeof(st->e.hosting[0].key), "hosting");
	snprintf(st->e.hosting[MM_HOSTING_OTHER].key, sizeof(st->e.hosting[0].key), "other");
	snprintf(st->e.hosting[MM_HOSTING_UNKNOWN].key, sizeof(st->e.hosting[0].key), "unknown");
	st->e.top = st->top;
	st->e.finding_src = st->fsrc;
	st->e.groups = st->groups;
	if (st->e.have_geo)
		st->e.attribution =
		    "Geo data: country from ip-location-db geo-whois-asn-country (CC0); "
		    "networks from ip-location-db asn (CC BY 4.0, RouteViews and DB-IP), "
		    "or the MMDB files configured.";
	rep->enrich = &st->e;
	return 0;
}
