/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "mamori/error.h"
#include "mamori/report.h"
#include "mamori/services.h"

/* The JSON report. Field meanings: docs/report-schema.md. */

/* ",\"KEY\":" (without the comma when comma is false); keys need no escaping. */
static int add_key(struct mm_buf *b, const char *key, bool comma)
{
	int r;

	if ((comma && (r = mm_buf_addc(b, ',')) < 0) || (r = mm_buf_addc(b, '"')) < 0 ||
	    (r = mm_buf_adds(b, key)) < 0)
		return r;
	return mm_buf_add(b, "\":", 2);
}

/* ",\"KEY\":N" */
static int add_uint(struct mm_buf *b, const char *key, uint64_t v)
{
	int r;

	if ((r = add_key(b, key, true)) < 0)
		return r;
	return mm_buf_addu(b, v);
}

/* ",\"KEY\":\"TEXT\"" for text that needs no escaping (names of our own) */
static int add_name(struct mm_buf *b, const char *key, const char *v)
{
	int r;

	if ((r = add_key(b, key, true)) < 0 || (r = mm_buf_addc(b, '"')) < 0 ||
	    (r = mm_buf_adds(b, v)) < 0)
		return r;
	return mm_buf_addc(b, '"');
}

static int add_time(struct mm_buf *b, const char *key, const struct mm_time *t, bool comma)
{
	char tb[MM_TIME_STRLEN];
	int r;

	if ((r = add_key(b, key, comma)) < 0)
		return r;
	if (!t->set)
		return mm_buf_add(b, "null", 4);
	if ((r = mm_buf_addc(b, '"')) < 0 || (r = mm_buf_adds(b, mm_time_format(t, false, tb))) < 0)
		return r;
	return mm_buf_addc(b, '"');
}

static int add_addr(struct mm_buf *b, const char *key, const struct mm_addr *a)
{
	char s[MM_ADDR_STRLEN];

	if (a->family == MM_AF_NONE)
		return 0;
	return add_name(b, key, mm_addr_format(a, s));
}

static int add_service(struct mm_buf *b, int proto, int port)
{
	const struct mm_service *svc = mm_service_lookup(proto, port);
	const char *pn = mm_proto_name(proto);
	int r;

	if (pn && (r = add_name(b, "proto", pn)) < 0)
		return r;
	if (port >= 0 && (r = add_uint(b, "port", (uint64_t)port)) < 0)
		return r;
	if (svc && (r = add_name(b, "service", svc->name)) < 0)
		return r;
	return 0;
}

int mm_finding_to_json(const struct mm_finding *f, struct mm_buf *b)
{
	struct mm_time t;
	uint8_t i;
	int r;

	if ((r = mm_buf_adds(b, "{\"kind\":\"")) < 0 ||
	    (r = mm_buf_adds(b, mm_finding_kind_name(f->kind))) < 0 ||
	    (r = mm_buf_addc(b, '"')) < 0 || (r = add_addr(b, "src", &f->src)) < 0 ||
	    (r = add_addr(b, "dst", &f->dst)) < 0)
		return r;
	if ((f->proto >= 0 || f->port >= 0) && (r = add_service(b, f->proto, f->port)) < 0)
		return r;
	if (f->scan != MM_SCAN_NONE && (r = add_name(b, "scan", mm_scan_type_name(f->scan))) < 0)
		return r;
	if (f->nports) {
		if ((r = mm_buf_adds(b, ",\"ports\":[")) < 0)
			return r;
		for (i = 0; i < f->nports; i++)
			if ((i && (r = mm_buf_addc(b, ',')) < 0) ||
			    (r = mm_buf_addu(b, f->ports[i])) < 0)
				return r;
		if ((r = mm_buf_addc(b, ']')) < 0)
			return r;
	}
	if (f->distinct_ports && (r = add_uint(b, "distinct_ports", f->distinct_ports)) < 0)
		return r;
	if (f->distinct_hosts && (r = add_uint(b, "distinct_hosts", f->distinct_hosts)) < 0)
		return r;
	if (f->distinct_sources && (r = add_uint(b, "distinct_sources", f->distinct_sources)) < 0)
		return r;
	if (f->distinct_users && (r = add_uint(b, "distinct_users", f->distinct_users)) < 0)
		return r;
	if (f->approx && (r = mm_buf_adds(b, ",\"approx\":true")) < 0)
		return r;
	if ((r = add_uint(b, "count", f->count)) < 0)
		return r;
	t = f->first;
	if ((r = add_time(b, "first", &t, true)) < 0)
		return r;
	t = f->last;
	if ((r = add_time(b, "last", &t, true)) < 0)
		return r;
	return mm_buf_addc(b, '}');
}

static int add_inputs(struct mm_buf *b, const struct mm_report *rep)
{
	size_t i;
	int r;

	if ((r = mm_buf_adds(b, ",\"inputs\":[")) < 0)
		return r;
	for (i = 0; i < rep->ninputs; i++) {
		const struct mm_report_input *in = &rep->inputs[i];
		if ((r = mm_buf_adds(b, i ? ",{\"name\":\"" : "{\"name\":\"")) < 0 ||
		    (r = mm_buf_add_json_str(b, in->name, strlen(in->name))) < 0 ||
		    (r = mm_buf_addf(b, "\",\"lines\":%llu,\"too_long\":%llu",
				     (unsigned long long)in->lines,
				     (unsigned long long)in->too_long)) < 0)
			return r;
		if (in->error) {
			if ((r = mm_buf_adds(b, ",\"error\":\"")) < 0 ||
			    (r = mm_buf_add_json_str(b, in->errmsg, strlen(in->errmsg))) < 0 ||
			    (r = mm_buf_addc(b, '"')) < 0)
				return r;
		}
		if ((r = mm_buf_addc(b, '}')) < 0)
			return r;
	}
	return mm_buf_addc(b, ']');
}

static int add_timeline(struct mm_buf *b, const struct mm_timeline *tl)
{
	struct mm_time start;
	size_t i, k;
	int r;

	if (!tl || !tl->nbuckets)
		return mm_buf_adds(b, ",\"timeline\":null");
	start.us = tl->start_us;
	start.off = tl->off;
	start.set = true;
	if ((r = mm_buf_addf(b, ",\"timeline\":{\"bucket\":\"%s\"",
			     tl->bucket_us == 3600000000LL ? "hour" : "day")) < 0 ||
	    (r = add_time(b, "start", &start, true)) < 0 ||
	    (r = mm_buf_addf(b, ",\"buckets\":%zu,\"series\":[", tl->nbuckets)) < 0)
		return r;
	for (i = 0; i < tl->nseries; i++) {
		const struct mm_series *se = &tl->series[i];
		if ((r = mm_buf_adds(b, i ? ",{" : "{")) < 0)
			return r;
		if (se->proto == 0)
			r = mm_buf_adds(b, "\"name\":\"ssh auth failures\"");
		else
			r = mm_buf_addf(b, "\"name\":\"%d/%s\"", se->port,
					mm_proto_name(se->proto));
		if (r < 0)
			return r;
		if (se->proto && (r = add_service(b, se->proto, se->port)) < 0)
			return r;
		if ((r = mm_buf_addf(b, ",\"total\":%llu,\"counts\":[",
				     (unsigned long long)se->total)) < 0)
			return r;
		for (k = 0; k < tl->nbuckets; k++)
			if ((r = mm_buf_addf(b, "%s%llu", k ? "," : "",
					     (unsigned long long)se->counts[k])) < 0)
				return r;
		if ((r = mm_buf_adds(b, "]}")) < 0)
			return r;
	}
	return mm_buf_adds(b, "]}");
}

static int add_str(struct mm_buf *b, const char *key, const char *v)
{
	int r;

	if ((r = add_key(b, key, true)) < 0 || (r = mm_buf_addc(b, '"')) < 0 ||
	    (r = mm_buf_add_json_str(b, v, strlen(v))) < 0)
		return r;
	return mm_buf_addc(b, '"');
}

static int add_zone_list(struct mm_buf *b, const char *key, uint32_t mask,
			 const struct mm_enrichment *e)
{
	size_t z;
	bool first = true;
	int r;

	if ((r = mm_buf_addf(b, ",\"%s\":[", key)) < 0)
		return r;
	for (z = 0; z < e->nzones; z++) {
		if (!(mask & (1u << z)))
			continue;
		if ((r = mm_buf_adds(b, first ? "\"" : ",\"")) < 0 ||
		    (r = mm_buf_add_json_str(b, e->zones[z].zone, strlen(e->zones[z].zone))) < 0 ||
		    (r = mm_buf_addc(b, '"')) < 0)
			return r;
		first = false;
	}
	return mm_buf_addc(b, ']');
}

/* "dnsbl_codes":{"zone":{"code":4,"meaning":"XBL"}} for the zones listing it. */
static int add_zone_codes(struct mm_buf *b, const struct mm_source_info *in,
			  const struct mm_enrichment *e)
{
	size_t z;
	bool first = true;
	int r;

	if (!in->dnsbl_listed)
		return 0;
	if ((r = mm_buf_adds(b, ",\"dnsbl_codes\":{")) < 0)
		return r;
	for (z = 0; z < e->nzones; z++) {
		const char *m;
		if (!(in->dnsbl_listed & (1u << z)))
			continue;
		m = e->zones[z].codes[in->dnsbl_code[z]];
		if ((r = mm_buf_adds(b, first ? "\"" : ",\"")) < 0 ||
		    (r = mm_buf_add_json_str(b, e->zones[z].zone, strlen(e->zones[z].zone))) < 0 ||
		    (r = mm_buf_addf(b, "\":{\"code\":%u", in->dnsbl_code[z])) < 0)
			return r;
		if (m && (r = add_str(b, "meaning", m)) < 0)
			return r;
		if ((r = mm_buf_addc(b, '}')) < 0)
			return r;
		first = false;
	}
	return mm_buf_addc(b, '}');
}

/* What is known about a source, as keys added to its object. */
static int add_source_info(struct mm_buf *b, const struct mm_source_info *in,
			   const struct mm_enrichment *e)
{
	int r;

	if (in->geo.have_country && (r = add_str(b, "country", in->geo.country)) < 0)
		return r;
	if (in->geo.have_asn) {
		if ((r = add_uint(b, "asn", in->geo.asn)) < 0 ||
		    (r = add_str(b, "org", in->geo.org)) < 0)
			return r;
	}
	if ((r = add_str(b, "hosting", mm_hosting_name(in->hosting.category))) < 0 ||
	    (r = add_str(b, "hosting_reason", in->hosting.reason)) < 0)
		return r;
	if (e->nzones) {
		if ((r = add_zone_list(b, "dnsbl", in->dnsbl_listed, e)) < 0 ||
		    (r = add_zone_list(b, "dnsbl_failed", in->dnsbl_failed, e)) < 0 ||
		    (r = add_zone_codes(b, in, e)) < 0)
			return r;
	}
	if (in->rdns_asked) {
		if (in->rdns.status == MM_DNS_LISTED || in->rdns.name[0]) {
			if ((r = add_str(b, "rdns", in->rdns.name)) < 0 ||
			    (r = mm_buf_addf(b, ",\"fcrdns\":%s",
					     in->rdns.confirmed ? "true" : "false")) < 0)
				return r;
		} else if ((r = add_str(b, "rdns_status",
					in->rdns.status == MM_DNS_NOT_LISTED ? "no-ptr"
					: in->rdns.status == MM_DNS_TIMEOUT  ? "timeout"
					: in->rdns.status == MM_DNS_SERVFAIL ? "servfail"
									     : "error")) < 0) {
			return r;
		}
	}
	return 0;
}

static int add_group(struct mm_buf *b, const struct mm_group_stat *g, bool comma)
{
	size_t k;
	bool first = true;
	int r;

	if ((r = mm_buf_adds(b, comma ? ",{\"key\":\"" : "{\"key\":\"")) < 0 ||
	    (r = mm_buf_add_json_str(b, g->key, strlen(g->key))) < 0 ||
	    (r = mm_buf_addc(b, '"')) < 0)
		return r;
	if (g->label[0] && (r = add_str(b, "label", g->label)) < 0)
		return r;
	if ((r = mm_buf_addf(b,
			     ",\"sources\":%llu,\"events\":%llu,\"packets\":%llu,"
			     "\"auth_failures\":%llu,\"finding_sources\":{",
			     (unsigned long long)g->sources, (unsigned long long)g->events,
			     (unsigned long long)g->packets,
			     (unsigned long long)g->auth_failures)) < 0)
		return r;
	for (k = 1; k <= MM_FIND_FORGED_LOG; k++) {
		if (!g->finding_sources[k])
			continue;
		if ((r = mm_buf_addf(b, "%s\"%s\":%u", first ? "" : ",",
				     mm_finding_kind_name((enum mm_finding_kind)k),
				     g->finding_sources[k])) < 0)
			return r;
		first = false;
	}
	return mm_buf_adds(b, "}}");
}

static int add_enrichment(struct mm_buf *b, const struct mm_enrichment *e)
{
	size_t i, k;
	int r;

	if (!e)
		return mm_buf_adds(b, ",\"enrichment\":null");
	if ((r = mm_buf_addf(b, ",\"enrichment\":{\"geo\":%s", e->have_geo ? "true" : "false")) <
		0 ||
	    (r = add_str(b, "geo_status", e->geo_status ? e->geo_status : "")) < 0)
		return r;
	if (e->attribution && (r = add_str(b, "attribution", e->attribution)) < 0)
		return r;
	if (e->country_filter && (r = add_str(b, "country_filter", e->country_filter)) < 0)
		return r;
	if ((r = mm_buf_adds(b, ",\"countries\":[")) < 0)
		return r;
	for (i = 0; i < e->ncountries; i++)
		if ((r = add_group(b, &e->countries[i], i > 0)) < 0)
			return r;
	if ((r = mm_buf_adds(b, "],\"networks\":[")) < 0)
		return r;
	for (i = 0; i < e->nnetworks; i++)
		if ((r = add_group(b, &e->networks[i], i > 0)) < 0)
			return r;
	if ((r = mm_buf_adds(b, "],\"hosting\":[")) < 0)
		return r;
	for (i = 0; i < 3; i++)
		if ((r = add_group(b, &e->hosting[i], i > 0)) < 0)
			return r;
	if ((r = mm_buf_adds(b, "],\"finding_groups\":[")) < 0)
		return r;
	for (i = 0; i < e->ngroups; i++) {
		const struct mm_finding_group *g = &e->groups[i];
		if ((r = mm_buf_addf(b, "%s{\"kind\":\"%s\"", i ? "," : "",
				     mm_finding_kind_name(g->kind))) < 0)
			return r;
		if (g->port >= 0 && (r = add_service(b, g->proto, g->port)) < 0)
			return r;
		if ((r = mm_buf_addf(b,
				     ",\"sources\":%u,\"hosting\":%u,\"listed\":%u,\"countries\":[",
				     g->sources, g->hosting, g->listed)) < 0)
			return r;
		for (k = 0; k < g->ntop_countries; k++)
			if ((r = mm_buf_addf(b, "%s{\"key\":\"%s\",\"sources\":%llu}", k ? "," : "",
					     g->top_countries[k].key,
					     (unsigned long long)g->top_countries[k].sources)) < 0)
				return r;
		if ((r = mm_buf_adds(b, "]}")) < 0)
			return r;
	}
	if ((r = mm_buf_addf(b, "],\"dnsbl\":{\"checked\":%llu,\"zones\":[",
			     (unsigned long long)e->dnsbl_checked)) < 0)
		return r;
	for (i = 0; i < e->nzones; i++) {
		if ((r = mm_buf_adds(b, i ? ",{\"zone\":\"" : "{\"zone\":\"")) < 0 ||
		    (r = mm_buf_add_json_str(b, e->zones[i].zone, strlen(e->zones[i].zone))) < 0 ||
		    (r = mm_buf_addf(b, "\",\"listed\":%llu}",
				     (unsigned long long)e->dnsbl_listed[i])) < 0)
			return r;
	}
	return mm_buf_addf(
	    b,
	    "],\"queries\":%llu,\"not_listed\":%llu,\"timeouts\":%llu,"
	    "\"servfails\":%llu,\"errors\":%llu}}",
	    (unsigned long long)e->dnsbl.queries, (unsigned long long)e->dnsbl.not_listed,
	    (unsigned long long)e->dnsbl.timeouts, (unsigned long long)e->dnsbl.servfails,
	    (unsigned long long)e->dnsbl.errors);
}

int mm_report_json(const struct mm_report *rep, FILE *out)
{
	const struct mm_summary_totals *t = &rep->totals;
	struct mm_buf b;
	size_t i;
	int r;

	mm_buf_init(&b, (size_t)1 << 30);
	if ((r = mm_buf_addf(&b,
			     "{\"mamori\":{\"version\":\"%s\",\"report\":\"logs\",\"schema\":1}",
			     rep->version)) < 0 ||
	    (r = add_inputs(&b, rep)) < 0 || (r = mm_buf_adds(&b, ",\"period\":{")) < 0 ||
	    (r = add_time(&b, "first", &t->first, false)) < 0 ||
	    (r = add_time(&b, "last", &t->last, true)) < 0)
		goto out;
	if ((r = mm_buf_addf(
		 &b,
		 "},\"lines\":{\"read\":%llu,\"used\":%llu,\"unrecognized\":%llu,"
		 "\"too_long\":%llu,\"forged_kernel\":%llu,\"filtered\":%llu}",
		 (unsigned long long)rep->lines.lines, (unsigned long long)rep->lines.used,
		 (unsigned long long)rep->lines.unknown, (unsigned long long)rep->lines.too_long,
		 (unsigned long long)rep->lines.suspicious, (unsigned long long)rep->filtered)) < 0)
		goto out;
	if ((r = mm_buf_addf(
		 &b,
		 ",\"events\":{\"packet\":%llu,\"auth-failure\":%llu,\"auth-success\":%llu,"
		 "\"probe\":%llu,\"suspicious\":%llu}",
		 (unsigned long long)t->by_kind[MM_EV_PACKET],
		 (unsigned long long)t->by_kind[MM_EV_AUTH_FAILURE],
		 (unsigned long long)t->by_kind[MM_EV_AUTH_SUCCESS],
		 (unsigned long long)t->by_kind[MM_EV_PROBE],
		 (unsigned long long)t->by_kind[MM_EV_SUSPICIOUS])) < 0)
		goto out;
	if ((r = mm_buf_adds(&b, ",\"findings\":[")) < 0)
		goto out;
	for (i = 0; i < rep->nfindings; i++) {
		if ((i && (r = mm_buf_addc(&b, ',')) < 0) ||
		    (r = mm_finding_to_json(&rep->findings[i], &b)) < 0)
			goto out;
		/* reopen the object to add who its source is */
		if (rep->enrich && rep->findings[i].src.family != MM_AF_NONE) {
			b.len--;
			if ((r = add_source_info(&b, &rep->enrich->finding_src[i], rep->enrich)) <
				0 ||
			    (r = mm_buf_addc(&b, '}')) < 0)
				goto out;
		}
	}
	if ((r = mm_buf_adds(&b, "],\"top_sources\":[")) < 0)
		goto out;
	for (i = 0; i < rep->ntop_sources; i++) {
		const struct mm_source_stat *s = &rep->top_sources[i];
		struct mm_time ft = {s->first_us, t->last.off, s->first_us != INT64_MAX};
		struct mm_time lt = {s->last_us, t->last.off, s->last_us != INT64_MIN};
		char a[MM_ADDR_STRLEN];
		if ((r = mm_buf_addf(
			 &b,
			 "%s{\"src\":\"%s\",\"events\":%llu,\"packets\":%llu,"
			 "\"auth_failures\":%llu,\"auth_successes\":%llu,\"probes\":%llu",
			 i ? "," : "", mm_addr_format(&s->addr, a), (unsigned long long)s->events,
			 (unsigned long long)s->packets, (unsigned long long)s->auth_failures,
			 (unsigned long long)s->auth_successes, (unsigned long long)s->probes)) <
			0 ||
		    (r = add_time(&b, "first", &ft, true)) < 0 ||
		    (r = add_time(&b, "last", &lt, true)) < 0)
			goto out;
		if (rep->enrich && (r = add_source_info(&b, &rep->enrich->top[i], rep->enrich)) < 0)
			goto out;
		if ((r = mm_buf_addc(&b, '}')) < 0)
			goto out;
	}
	if ((r = mm_buf_adds(&b, "],\"top_ports\":[")) < 0)
		goto out;
	for (i = 0; i < rep->ntop_ports; i++) {
		const struct mm_port_stat *p = &rep->top_ports[i];
		if ((r = mm_buf_adds(&b, i ? ",{\"packets\":" : "{\"packets\":")) < 0 ||
		    (r = mm_buf_addf(&b, "%llu", (unsigned long long)p->packets)) < 0 ||
		    (r = add_service(&b, p->proto, p->port)) < 0 || (r = mm_buf_addc(&b, '}')) < 0)
			goto out;
	}
	if ((r = mm_buf_addc(&b, ']')) < 0 || (r = add_timeline(&b, rep->timeline)) < 0 ||
	    (r = add_enrichment(&b, rep->enrich)) < 0)
		goto out;
	if ((r = mm_buf_addf(
		 &b,
		 ",\"limits\":{\"detector_keys\":%llu,\"detector_evicted\":%llu,"
		 "\"sources_tracked\":%llu,\"sources_untracked_events\":%llu,"
		 "\"timeline_untracked\":%llu}}\n",
		 (unsigned long long)rep->detect.keys, (unsigned long long)rep->detect.evicted,
		 (unsigned long long)t->sources, (unsigned long long)t->sources_untracked,
		 (unsigned long long)t->cells_untracked)) < 0)
		goto out;
	if (fwrite(b.data, 1, b.len, out) != b.len)
		r = MM_ERR_IO;
out:
	mm_buf_release(&b);
	return r;
}
