/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "mamori/error.h"
#include "mamori/report.h"
#include "mamori/services.h"
#include "report_fmt.h"

/*
 * The terminal report: what an administrator reads first. Numbers get
 * thousands separators, times are shown as the log's wall clock with its
 * offset, and the timeline is a row of Unicode block sparklines per service.
 */

struct out {
	FILE *f;
	bool color;
	int width;
};

static const char *bold(const struct out *o)
{
	return o->color ? "\033[1m" : "";
}

static const char *red(const struct out *o)
{
	return o->color ? "\033[1;31m" : "";
}

static const char *reset(const struct out *o)
{
	return o->color ? "\033[0m" : "";
}

static void header(const struct out *o, const struct mm_report *r)
{
	const struct mm_summary_totals *t = &r->totals;
	char a[32], b[32], c[32], d[32], t1[MM_TIME_STRLEN], t2[MM_TIME_STRLEN];
	size_t i;

	fprintf(o->f, "%smamori logs%s: %zu input%s", bold(o), reset(o), r->ninputs,
		r->ninputs == 1 ? "" : "s");
	if (t->first.set) {
		double days = (double)(t->last.us - t->first.us) / 86400e6;
		fprintf(o->f, ", %s .. %s (%.1f days)", mm_time_format(&t->first, false, t1),
			mm_time_format(&t->last, false, t2), days);
	}
	fputc('\n', o->f);
	for (i = 0; i < r->ninputs; i++)
		if (r->inputs[i].error)
			fprintf(o->f, "  %s!%s %s\n", red(o), reset(o), r->inputs[i].errmsg);
	fprintf(o->f, "lines: %s read, %s used, %s not recognised, %s over the length cap\n",
		mm_fmt_num(r->lines.lines, a), mm_fmt_num(r->lines.used, b),
		mm_fmt_num(r->lines.unknown, c), mm_fmt_num(r->lines.too_long, d));
	if (r->filtered)
		fprintf(o->f, "filtered out: %s events (--since/--until/--src/--port/--proto)\n",
			mm_fmt_num(r->filtered, a));
	fprintf(
	    o->f, "events: %s packets, %s auth failures, %s accepted logins, %s pre-auth probes",
	    mm_fmt_num(t->by_kind[MM_EV_PACKET], a), mm_fmt_num(t->by_kind[MM_EV_AUTH_FAILURE], b),
	    mm_fmt_num(t->by_kind[MM_EV_AUTH_SUCCESS], c), mm_fmt_num(t->by_kind[MM_EV_PROBE], d));
	if (t->by_kind[MM_EV_SUSPICIOUS])
		fprintf(o->f, ", %s%s forged kernel lines%s", red(o),
			mm_fmt_num(t->by_kind[MM_EV_SUSPICIOUS], a), reset(o));
	fputc('\n', o->f);
}

static void findings(const struct out *o, const struct mm_report *r)
{
	char kind[48], src[MM_ADDR_STRLEN], target[80], detail[160], cnt[32];
	char t1[MM_TIME_STRLEN], t2[MM_TIME_STRLEN];
	size_t i;

	fprintf(o->f, "\n%sFINDINGS%s (%zu)\n", bold(o), reset(o), r->nfindings);
	if (!r->nfindings) {
		fprintf(o->f, "  none\n");
		return;
	}
	fprintf(o->f, "  %-22s %-26s %-24s %10s  %-25s %-25s  %s\n", "KIND", "SOURCE", "TARGET",
		"EVENTS", "FIRST", "LAST", "DETAIL");
	for (i = 0; i < r->nfindings; i++) {
		const struct mm_finding *f = &r->findings[i];
		char dst[MM_ADDR_STRLEN];
		if (f->scan != MM_SCAN_NONE)
			snprintf(kind, sizeof(kind), "%s (%s)", mm_finding_kind_name(f->kind),
				 mm_scan_type_name(f->scan));
		else
			snprintf(kind, sizeof(kind), "%s", mm_finding_kind_name(f->kind));
		if (f->src.family)
			mm_addr_format(&f->src, src);
		else
			snprintf(src, sizeof(src), "-");
		if (f->port >= 0)
			mm_fmt_service(f->proto, f->port, target, sizeof(target));
		else if (f->dst.family)
			snprintf(target, sizeof(target), "%s", mm_addr_format(&f->dst, dst));
		else if (f->distinct_hosts > 1)
			snprintf(target, sizeof(target), "%u hosts", f->distinct_hosts);
		else
			snprintf(target, sizeof(target), "-");
		mm_fmt_finding_detail(f, false, detail, sizeof(detail));
		fprintf(o->f, "  %s%-22s%s %-26s %-24s %10s  %-25s %-25s  %s\n", red(o), kind,
			reset(o), src, target, mm_fmt_num(f->count, cnt),
			f->first.set ? mm_time_format(&f->first, false, t1) : "-",
			f->last.set ? mm_time_format(&f->last, false, t2) : "-", detail);
	}
}

/* "JP AS9370 SAKURA Internet [hosting] listed:zone" */
static void who_of(const struct mm_source_info *in, const struct mm_enrichment *e, char *buf,
		   size_t n)
{
	size_t len = 0, z;

	len += (size_t)snprintf(buf, n, "%s", in->geo.have_country ? in->geo.country : "??");
	if (in->geo.have_asn && len < n)
		len += (size_t)snprintf(buf + len, n - len, " AS%u %.40s", (unsigned)in->geo.asn,
					in->geo.org);
	if (in->hosting.category == MM_HOSTING_HOSTING && len < n)
		len += (size_t)snprintf(buf + len, n - len, " [hosting]");
	for (z = 0; z < e->nzones && len < n; z++)
		if (in->dnsbl_listed & (1u << z))
			len += (size_t)snprintf(buf + len, n - len, " listed:%s", e->zones[z].zone);
	if (in->rdns_asked && in->rdns.name[0] && len < n)
		snprintf(buf + len, n - len, " %.120s%s", in->rdns.name,
			 in->rdns.confirmed ? "" : "(?)");
}

static void groups_table(const struct out *o, const char *title, const struct mm_group_stat *g,
			 size_t n, uint64_t total)
{
	char s1[32], s2[32];
	size_t i;

	if (!n)
		return;
	fprintf(o->f, "\n%s%s%s\n", bold(o), title, reset(o));
	for (i = 0; i < n; i++)
		fprintf(o->f, "  %-10s %-40.40s %10s sources (%4.1f%%) %12s events\n", g[i].key,
			g[i].label, mm_fmt_num(g[i].sources, s1),
			total ? 100.0 * (double)g[i].sources / (double)total : 0.0,
			mm_fmt_num(g[i].events, s2));
}

/* By country, network, hosting; finding groups; DNSBL shares. */
static void who(const struct out *o, const struct mm_report *r)
{
	const struct mm_enrichment *e = r->enrich;
	uint64_t total;
	char a[32];
	size_t i, k;

	if (!e)
		return;
	total = e->hosting[0].sources + e->hosting[1].sources + e->hosting[2].sources;
	fprintf(o->f, "\n%sWHO%s (%s)\n", bold(o), reset(o), e->geo_status ? e->geo_status : "");
	if (e->have_geo) {
		groups_table(o, "BY COUNTRY", e->countries, e->ncountries, total);
		groups_table(o, "BY NETWORK", e->networks, e->nnetworks, total);
	}
	fprintf(o->f, "\n%sHOSTING%s\n", bold(o), reset(o));
	{
		static const enum mm_hosting order[] = {MM_HOSTING_HOSTING, MM_HOSTING_OTHER,
							MM_HOSTING_UNKNOWN};
		for (i = 0; i < 3; i++) {
			const struct mm_group_stat *g = &e->hosting[order[i]];
			fprintf(o->f, "  %-10s %10s sources (%4.1f%%)\n", g->key,
				mm_fmt_num(g->sources, a),
				total ? 100.0 * (double)g->sources / (double)total : 0.0);
		}
	}
	if (e->ngroups) {
		fprintf(o->f, "\n%sSOURCES OF FINDINGS%s\n", bold(o), reset(o));
		for (i = 0; i < e->ngroups; i++) {
			const struct mm_finding_group *g = &e->groups[i];
			char label[80] = "";
			if (g->port >= 0)
				mm_fmt_service(g->proto, g->port, label, sizeof(label));
			fprintf(o->f, "  %-20s %-22s %6u sources, %u on hosting, %u listed;",
				mm_finding_kind_name(g->kind), label, g->sources, g->hosting,
				g->listed);
			for (k = 0; k < g->ntop_countries; k++)
				fprintf(o->f, " %s %llu", g->top_countries[k].key,
					(unsigned long long)g->top_countries[k].sources);
			fputc('\n', o->f);
		}
	}
	if (e->nzones) {
		fprintf(o->f, "\n%sDNS BLOCKLISTS%s (%s sources checked)\n", bold(o), reset(o),
			mm_fmt_num(e->dnsbl_checked, a));
		for (i = 0; i < e->nzones; i++)
			fprintf(o->f, "  %-32s %6llu listed (%4.1f%%)\n", e->zones[i].zone,
				(unsigned long long)e->dnsbl_listed[i],
				e->dnsbl_checked
				    ? 100.0 * (double)e->dnsbl_listed[i] / (double)e->dnsbl_checked
				    : 0.0);
		if (e->dnsbl.timeouts || e->dnsbl.servfails || e->dnsbl.errors)
			fprintf(o->f,
				"  not answered: %llu timeouts, %llu SERVFAIL, %llu other errors "
				"(not counted as 'not listed')\n",
				(unsigned long long)e->dnsbl.timeouts,
				(unsigned long long)e->dnsbl.servfails,
				(unsigned long long)e->dnsbl.errors);
	}
	if (e->attribution)
		fprintf(o->f, "\n%s\n", e->attribution);
}

static void top_sources(const struct out *o, const struct mm_report *r)
{
	char a[MM_ADDR_STRLEN], e[32], p[32], fl[32], pr[32], t1[MM_TIME_STRLEN],
	    t2[MM_TIME_STRLEN];
	size_t i;

	if (!r->ntop_sources)
		return;
	fprintf(o->f, "\n%sTOP SOURCES%s%s%s\n", bold(o), reset(o),
		r->enrich && r->enrich->country_filter ? " in " : "",
		r->enrich && r->enrich->country_filter ? r->enrich->country_filter : "");
	fprintf(o->f, "  %-40s %12s %12s %10s %10s  %-25s %-25s %s\n", "SOURCE", "EVENTS",
		"PACKETS", "AUTHFAIL", "PROBES", "FIRST", "LAST", r->enrich ? "WHO" : "");
	for (i = 0; i < r->ntop_sources; i++) {
		const struct mm_source_stat *s = &r->top_sources[i];
		char who[400] = "";
		if (r->enrich)
			who_of(&r->enrich->top[i], r->enrich, who, sizeof(who));
		fprintf(o->f, "  %-40s %12s %12s %10s %10s  %-25s %-25s %s\n",
			mm_addr_format(&s->addr, a), mm_fmt_num(s->events, e),
			mm_fmt_num(s->packets, p), mm_fmt_num(s->auth_failures, fl),
			mm_fmt_num(s->probes, pr), mm_fmt_time(s->first_us, r->totals.last.off, t1),
			mm_fmt_time(s->last_us, r->totals.last.off, t2), who);
	}
}

static void top_ports(const struct out *o, const struct mm_report *r)
{
	char label[80], n[32];
	size_t i;

	if (!r->ntop_ports)
		return;
	fprintf(o->f, "\n%sTOP DESTINATION PORTS%s (inbound and forwarded packets)\n", bold(o),
		reset(o));
	for (i = 0; i < r->ntop_ports; i++) {
		const struct mm_port_stat *p = &r->top_ports[i];
		const struct mm_service *svc = mm_service_lookup(p->proto, p->port);
		mm_fmt_service(p->proto, p->port, label, sizeof(label));
		fprintf(o->f, "  %-24s %12s  %s\n", label, mm_fmt_num(p->packets, n),
			svc ? svc->desc : "");
	}
}

static void timeline(const struct out *o, const struct mm_report *r)
{
	static const char *const blocks[] = {"\u2581", "\u2582", "\u2583", "\u2584",
					     "\u2585", "\u2586", "\u2587", "\u2588"};
	const struct mm_timeline *tl = r->timeline;
	char label[80], n[32], t1[MM_TIME_STRLEN], t2[MM_TIME_STRLEN];
	size_t cols, per, i, c, k;

	if (!tl || !tl->nbuckets || !tl->nseries)
		return;
	cols = o->width > 60 ? (size_t)o->width - 44 : 16;
	per = (tl->nbuckets + cols - 1) / cols;
	cols = (tl->nbuckets + per - 1) / per;
	fprintf(o->f, "\n%sTIMELINE%s (one column = %zu %s%s, %s .. %s)\n", bold(o), reset(o), per,
		tl->bucket_us == 3600000000LL ? "hour" : "day", per == 1 ? "" : "s",
		mm_fmt_time(tl->start_us, tl->off, t1),
		mm_fmt_time(tl->start_us + (int64_t)tl->nbuckets * tl->bucket_us, tl->off, t2));
	for (i = 0; i < tl->nseries; i++) {
		const struct mm_series *se = &tl->series[i];
		uint64_t max = 0, v;
		mm_fmt_service(se->proto, se->port, label, sizeof(label));
		for (c = 0; c < cols; c++) {
			v = 0;
			for (k = c * per; k < (c + 1) * per && k < tl->nbuckets; k++)
				v += se->counts[k];
			if (v > max)
				max = v;
		}
		fprintf(o->f, "  %-24s ", label);
		for (c = 0; c < cols; c++) {
			v = 0;
			for (k = c * per; k < (c + 1) * per && k < tl->nbuckets; k++)
				v += se->counts[k];
			if (!v)
				fputc(' ', o->f);
			else
				fputs(blocks[v * 7 / max], o->f);
		}
		fprintf(o->f, " %12s\n", mm_fmt_num(se->total, n));
	}
}

static void limits(const struct out *o, const struct mm_report *r)
{
	char a[32], b[32];

	if (r->detect.evicted || r->totals.sources_untracked || r->totals.cells_untracked) {
		fprintf(o->f,
			"\n%snote%s: memory caps reached: %s detector keys evicted, %s events "
			"from untracked sources; raise logs.max_keys to keep more.\n",
			bold(o), reset(o), mm_fmt_num(r->detect.evicted, a),
			mm_fmt_num(r->totals.sources_untracked, b));
	}
}

int mm_report_text(const struct mm_report *r, FILE *f, bool color, int width)
{
	struct out o = {f, color, width > 0 ? width : 120};

	header(&o, r);
	findings(&o, r);
	top_sources(&o, r);
	top_ports(&o, r);
	timeline(&o, r);
	who(&o, r);
	limits(&o, r);
	return ferror(f) ? MM_ERR_IO : 0;
}
