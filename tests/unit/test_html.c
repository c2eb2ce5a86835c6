/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mamori/error.h"
#include "mamori/report.h"

/*
 * The HTML report, rendered from reports built by hand: tags balance,
 * attacker-controlled strings come out escaped, numbers are there with
 * thousands separators, and nothing points outside the page.
 */

#define XSS "<script>alert(1)</script>"
#define XSS_ESC "&lt;script&gt;alert(1)&lt;/script&gt;"
#define T0 1794787200000000LL /* 2026-11-16T00:00:00Z */
#define HOUR 3600000000LL

/* With MM_TEST_HTML_DIR set, keep each page (N.html) to look at in a browser. */
static void save(const char *data, size_t len)
{
	static int n;
	const char *dir = getenv("MM_TEST_HTML_DIR");
	char path[4096];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%d.html", dir, n++);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static char *render(const struct mm_report *r, int *rc)
{
	char *data = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&data, &len);

	assert_non_null(f);
	*rc = mm_report_html(r, f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(data);
	save(data, len);
	return data;
}

static bool is_void(const char *name, size_t n)
{
	static const char *const v[] = {"meta", "br", "hr", "img", "input", "link", "wbr"};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (strlen(v[i]) == n && memcmp(v[i], name, n) == 0)
			return true;
	return false;
}

/*
 * A small well-formedness check: every element opened is closed in order
 * (void elements and "/>" aside), attribute values are quoted, and no raw
 * '<' appears in text. Returns NULL or what went wrong.
 */
static const char *check_tags(const char *s)
{
	static char msg[160];
	const char *stack[256];
	size_t len[256], depth = 0;
	const char *p = s;

	while ((p = strchr(p, '<'))) {
		const char *name, *e;
		bool closing = false;
		size_t n;

		if (strncmp(p, "<!DOCTYPE", 9) == 0 || strncmp(p, "<!--", 4) == 0) {
			p = strchr(p, '>');
			if (!p)
				return "unterminated declaration";
			continue;
		}
		p++;
		if (*p == '/') {
			closing = true;
			p++;
		}
		name = p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			p++;
		n = (size_t)(p - name);
		if (!n) {
			snprintf(msg, sizeof(msg), "raw '<' in text near: %.40s", name - 1);
			return msg;
		}
		/* skip attributes, honouring quotes */
		for (e = p; *e && *e != '>'; e++) {
			if (*e == '"') {
				e = strchr(e + 1, '"');
				if (!e)
					return "unterminated attribute";
			} else if (*e == '<') {
				snprintf(msg, sizeof(msg), "'<' inside tag near: %.40s", name);
				return msg;
			}
		}
		if (!*e)
			return "unterminated tag";
		if (closing) {
			if (!depth || len[depth - 1] != n ||
			    memcmp(stack[depth - 1], name, n) != 0) {
				snprintf(msg, sizeof(msg), "</%.*s> does not close <%.*s>", (int)n,
					 name, depth ? (int)len[depth - 1] : 0,
					 depth ? stack[depth - 1] : "");
				return msg;
			}
			depth--;
		} else if (e[-1] != '/' && !is_void(name, n)) {
			if (depth == 256)
				return "too deep";
			stack[depth] = name;
			len[depth++] = n;
			if (n == 5 && memcmp(name, "style", 5) == 0) {
				e = strstr(e, "</style>");
				if (!e)
					return "unterminated style";
				e--;
			}
		}
		p = e + 1;
	}
	if (depth) {
		snprintf(msg, sizeof(msg), "<%.*s> never closed", (int)len[depth - 1],
			 stack[depth - 1]);
		return msg;
	}
	return NULL;
}

/* Nothing the browser would fetch, no scripts, no external links. */
static void assert_self_contained(const char *html)
{
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "@import"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "href=\"/"));
	assert_null(strstr(html, "//fonts"));
}

static void assert_has(const char *html, const char *needle)
{
	if (!strstr(html, needle))
		fail_msg("missing from the page: %s", needle);
}

static void assert_well_formed(const char *html)
{
	const char *err = check_tags(html);

	if (err)
		fail_msg("not well formed: %s", err);
	assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
}

/* A hand-made report: two days of hourly buckets, three findings. */
struct fixture {
	struct mm_report r;
	struct mm_report_input inputs[2];
	struct mm_finding f[4];
	struct mm_source_stat src[3];
	struct mm_port_stat ports[3];
	struct mm_timeline tl;
	struct mm_series series[3];
	uint64_t counts[3][48];
};

static void addr(struct mm_addr *a, const char *s)
{
	assert_int_equal(mm_addr_parse(s, strlen(s), a), 0);
}

static void fixture_init(struct fixture *fx)
{
	struct mm_report *r = &fx->r;
	size_t i, k;

	memset(fx, 0, sizeof(*fx));
	r->version = "9.8.7";
	fx->inputs[0].name = "/var/log/" XSS ".log";
	fx->inputs[0].lines = 1234567;
	fx->inputs[1].name = "auth.log";
	fx->inputs[1].lines = 42;
	fx->inputs[1].error = MM_ERR_IO;
	snprintf(fx->inputs[1].errmsg, sizeof(fx->inputs[1].errmsg), "auth.log: <denied> & gone");
	r->inputs = fx->inputs;
	r->ninputs = 2;
	r->lines.lines = 1234609;
	r->lines.used = 1234000;
	r->totals.by_kind[MM_EV_PACKET] = 1234000;
	r->totals.by_kind[MM_EV_AUTH_FAILURE] = 12;
	r->totals.first = (struct mm_time){T0 + 5 * 60000000LL, 0, true};
	r->totals.last = (struct mm_time){T0 + 47 * HOUR, 0, true};
	r->totals.sources = 3;

	fx->f[0].kind = MM_FIND_PORTSCAN;
	addr(&fx->f[0].src, "198.51.100.200");
	addr(&fx->f[0].dst, "192.0.2.10");
	fx->f[0].proto = 6;
	fx->f[0].port = -1;
	fx->f[0].scan = MM_SCAN_SYN;
	fx->f[0].ports[0] = 22;
	fx->f[0].ports[1] = 23;
	fx->f[0].nports = 2;
	fx->f[0].distinct_ports = 60;
	fx->f[0].count = 60;
	fx->f[0].first = (struct mm_time){T0 + 2 * HOUR, 0, true};
	fx->f[0].last = (struct mm_time){T0 + 2 * HOUR + 60000000LL, 0, true};
	fx->f[1].kind = MM_FIND_SSH_BRUTEFORCE;
	addr(&fx->f[1].src, "203.0.113.50");
	fx->f[1].proto = -1;
	fx->f[1].port = -1;
	fx->f[1].distinct_users = 12;
	fx->f[1].count = 36;
	fx->f[1].first = (struct mm_time){T0 + 30 * HOUR, 0, true};
	fx->f[1].last = (struct mm_time){T0 + 31 * HOUR, 0, true};
	fx->f[2].kind = MM_FIND_SERVICE_SWEEP;
	fx->f[2].proto = 17;
	fx->f[2].port = 5060;
	fx->f[2].distinct_sources = 12;
	fx->f[2].count = 1234000;
	fx->f[2].first = (struct mm_time){T0 + 5 * 60000000LL, 0, true};
	fx->f[2].last = (struct mm_time){T0 + 47 * HOUR, 0, true};
	r->findings = fx->f;
	r->nfindings = 3;

	addr(&fx->src[0].addr, "203.0.113.50");
	fx->src[0].events = 98765;
	fx->src[0].auth_failures = 12;
	fx->src[0].first_us = T0 + 30 * HOUR;
	fx->src[0].last_us = T0 + 31 * HOUR;
	addr(&fx->src[1].addr, "198.51.100.200");
	fx->src[1].events = 60;
	fx->src[1].packets = 60;
	fx->src[1].first_us = T0 + 2 * HOUR;
	fx->src[1].last_us = T0 + 2 * HOUR;
	r->top_sources = fx->src;
	r->ntop_sources = 2;

	fx->ports[0] = (struct mm_port_stat){17, 5060, 1234000};
	fx->ports[1] = (struct mm_port_stat){6, 22, 4321};
	r->top_ports = fx->ports;
	r->ntop_ports = 2;

	fx->tl.start_us = T0;
	fx->tl.bucket_us = HOUR;
	fx->tl.nbuckets = 48;
	fx->series[0] = (struct mm_series){17, 5060, 0, fx->counts[0]};
	fx->series[1] = (struct mm_series){6, 22, 0, fx->counts[1]};
	fx->series[2] = (struct mm_series){0, 0, 0, fx->counts[2]};
	for (i = 0; i < 3; i++) {
		for (k = 0; k < 48; k++) {
			fx->counts[i][k] = i == 2 ? (k == 30 ? 12 : 0) : (k % 7) * 100 + i * 11;
			fx->series[i].total += fx->counts[i][k];
		}
	}
	fx->tl.series = fx->series;
	fx->tl.nseries = 3;
	r->timeline = &fx->tl;
}

static void test_report_without_enrichment(void **state)
{
	struct fixture fx;
	char buf[64];
	char *html;
	int rc;

	(void)state;
	fixture_init(&fx);
	html = render(&fx.r, &rc);
	assert_int_equal(rc, 0);
	assert_well_formed(html);
	assert_self_contained(html);
	/* an input name is attacker-influenced: escaped, never markup */
	assert_has(html, XSS_ESC);
	assert_null(strstr(html, XSS));
	assert_has(html, "auth.log: &lt;denied&gt; &amp; gone");
	/* numbers with separators, exact values in attributes */
	assert_has(html, ">1,234,567</span> lines");
	assert_has(html, "data-key=\"events\" data-value=\"98765\">98,765</td>");
	assert_has(html, "data-value=\"1234000\">1,234,000</td>");
	assert_has(html, "data-key=\"findings\" data-value=\"3\"");
	assert_has(html, "2026-11-16T00:05:00+00:00");
	/* charts: ids, accessible names, service names, hourly units */
	assert_has(html, "<svg id=\"chart-timeline\" role=\"img\"");
	assert_has(html, "<svg id=\"chart-findings-time\" role=\"img\"");
	assert_has(html, "<svg id=\"chart-ports\" role=\"img\"");
	assert_has(html, "packets per hour");
	assert_has(html, "5060/udp sip");
	assert_has(html, "ssh auth failures");
	assert_has(html, "id=\"timeline-legend\"");
	snprintf(buf, sizeof(buf), "data-value=\"%llu\"", (unsigned long long)fx.series[0].total);
	assert_has(html, buf);
	assert_has(html, "<td class=\"t\">2026-11-17 06:00</td>"); /* raw table row */
	assert_has(html, "port-scan");
	assert_has(html, "ssh-bruteforce");
	/* without enrichment the geo charts say so */
	assert_has(html, "geo data unavailable");
	assert_null(strstr(html, "chart-countries"));
	assert_has(html, "mamori 9.8.7");
	free(html);
}

static void test_report_with_enrichment(void **state)
{
	struct fixture fx;
	struct mm_enrichment e;
	struct mm_source_info top[2], fsrc[3];
	struct mm_group_stat countries[2], networks[2];
	struct mm_finding_group groups[1];
	struct mm_dnsbl_zone zones[1];
	char *html;
	int rc;

	(void)state;
	fixture_init(&fx);
	memset(&e, 0, sizeof(e));
	memset(top, 0, sizeof(top));
	memset(fsrc, 0, sizeof(fsrc));
	memset(countries, 0, sizeof(countries));
	memset(networks, 0, sizeof(networks));
	memset(groups, 0, sizeof(groups));
	memset(zones, 0, sizeof(zones));

	top[0].addr = fx.src[0].addr;
	top[0].geo.have_country = true;
	memcpy(top[0].geo.country, "JP", 3);
	top[0].geo.have_asn = true;
	top[0].geo.asn = 64500;
	snprintf(top[0].geo.org, sizeof(top[0].geo.org), "Evil " XSS " Hosting");
	top[0].hosting.category = MM_HOSTING_HOSTING;
	snprintf(top[0].hosting.reason, sizeof(top[0].hosting.reason), "name rule \"host\" <b>");
	top[0].dnsbl_listed = 1;
	top[0].rdns_asked = true;
	top[0].rdns.status = MM_DNS_LISTED;
	snprintf(top[0].rdns.name, sizeof(top[0].rdns.name), "x<img>.example.");
	top[0].rdns.confirmed = true;
	top[1].addr = fx.src[1].addr;
	top[1].hosting.category = MM_HOSTING_UNKNOWN;
	fsrc[0] = top[1];
	fsrc[1] = top[0];

	memcpy(countries[0].key, "JP", 3);
	countries[0].sources = 3;
	countries[0].events = 1234567;
	memcpy(countries[1].key, "??", 3);
	countries[1].sources = 1;
	memcpy(networks[0].key, "AS64500", 8);
	snprintf(networks[0].label, sizeof(networks[0].label), XSS);
	networks[0].sources = 3;
	memcpy(networks[1].key, "??", 3);
	networks[1].sources = 1;
	e.hosting[MM_HOSTING_HOSTING].sources = 3;
	e.hosting[MM_HOSTING_UNKNOWN].sources = 1;
	groups[0].kind = MM_FIND_SSH_BRUTEFORCE;
	groups[0].proto = -1;
	groups[0].port = -1;
	groups[0].sources = 4;
	groups[0].hosting = 3;
	groups[0].listed = 1;
	groups[0].top_countries[0] = countries[0];
	groups[0].ntop_countries = 1;
	snprintf(zones[0].zone, sizeof(zones[0].zone), "bl.example");

	e.geo_status = "country: test.mmdb <built today>";
	e.have_geo = true;
	e.top = top;
	e.finding_src = fsrc;
	e.countries = countries;
	e.ncountries = 2;
	e.networks = networks;
	e.nnetworks = 2;
	e.groups = groups;
	e.ngroups = 1;
	e.zones = zones;
	e.nzones = 1;
	e.dnsbl_checked = 4;
	e.dnsbl_listed[0] = 1;
	e.attribution = "Contains data from Example Geo (CC BY 4.0) & friends <3";
	fx.r.enrich = &e;

	html = render(&fx.r, &rc);
	assert_int_equal(rc, 0);
	assert_well_formed(html);
	assert_self_contained(html);
	assert_null(strstr(html, XSS));
	assert_null(strstr(html, "<img"));
	assert_has(html, "Evil " XSS_ESC " Hosting");
	assert_has(html, XSS_ESC);
	assert_has(html, "name rule &quot;host&quot; &lt;b&gt;");
	assert_has(html, "country: test.mmdb &lt;built today&gt;");
	assert_has(html, "Contains data from Example Geo (CC BY 4.0) &amp; friends &lt;3");
	assert_has(html, "<svg id=\"chart-countries\" role=\"img\"");
	assert_has(html, "<svg id=\"chart-networks\" role=\"img\"");
	assert_has(html, "<svg id=\"chart-hosting\" role=\"img\"");
	assert_has(html, "<svg id=\"chart-dnsbl\" role=\"img\"");
	assert_has(html, "id=\"groups-table\"");
	assert_has(html, "data-value=\"1234567\">1,234,567</td>");
	assert_has(html, "75.0%"); /* hosting share */
	assert_has(html, "25.0%"); /* DNSBL: 1 of 4 */
	assert_has(html, "AS64500");
	assert_has(html, "<span class=\"cc\">JP</span>");
	assert_has(html, "bl.example");
	assert_null(strstr(html, "geo data unavailable"));
	free(html);
}

static void test_empty_report(void **state)
{
	struct mm_report r;
	char *html;
	int rc;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.version = "1.0";
	html = render(&r, &rc);
	assert_int_equal(rc, 0);
	assert_well_formed(html);
	assert_self_contained(html);
	assert_has(html, "No events in the period.");
	assert_has(html, "geo data unavailable");
	assert_has(html, "data-key=\"findings\" data-value=\"0\"");
	assert_null(strstr(html, "<svg id=\"chart-timeline\""));
	free(html);
}

/* Events but no timeline (no packets): findings still get a time axis. */
static void test_no_timeline(void **state)
{
	struct fixture fx;
	char *html;
	int rc;

	(void)state;
	fixture_init(&fx);
	fx.r.timeline = NULL;
	fx.r.top_ports = NULL;
	fx.r.ntop_ports = 0;
	html = render(&fx.r, &rc);
	assert_int_equal(rc, 0);
	assert_well_formed(html);
	assert_has(html, "<svg id=\"chart-findings-time\" role=\"img\"");
	assert_has(html, "findings per hour");
	assert_null(strstr(html, "<svg id=\"chart-timeline\""));
	free(html);
}

/* Control characters and broken UTF-8 in log-derived names become U+FFFD. */
static void test_escape_bytes(void **state)
{
	struct fixture fx;
	char *html;
	int rc;

	(void)state;
	fixture_init(&fx);
	fx.inputs[0].name = "a\x1b[31mb\xff\xc3(c\xe2\x82\xac'd";
	html = render(&fx.r, &rc);
	assert_int_equal(rc, 0);
	assert_well_formed(html);
	assert_has(html, "a&#xFFFD;[31mb&#xFFFD;&#xFFFD;(c\xe2\x82\xac&#39;d");
	assert_null(strstr(html, "\x1b"));
	free(html);
}

/* A long daily period merges days into columns of several days. */
static void test_long_period(void **state)
{
	static uint64_t counts[1000];
	struct fixture fx;
	char *html;
	size_t k;
	int rc;

	(void)state;
	fixture_init(&fx);
	for (k = 0; k < 1000; k++)
		counts[k] = k;
	fx.tl.bucket_us = 24 * HOUR;
	fx.tl.nbuckets = 1000;
	fx.tl.nseries = 1;
	fx.series[0].counts = counts;
	fx.series[0].total = 499500;
	fx.r.totals.last.us = T0 + 999 * 24 * HOUR;
	html = render(&fx.r, &rc);
	assert_int_equal(rc, 0);
	assert_well_formed(html);
	assert_has(html, "packets per 3 days");
	assert_has(html, "data-value=\"499500\">499,500</td>");
	free(html);
}

static void test_write_error(void **state)
{
	struct fixture fx;
	FILE *f = fopen("/dev/null", "r");

	(void)state;
	assert_non_null(f);
	fixture_init(&fx);
	assert_int_equal(mm_report_html(&fx.r, f), MM_ERR_IO);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_report_without_enrichment),
	    cmocka_unit_test(test_report_with_enrichment),
	    cmocka_unit_test(test_empty_report),
	    cmocka_unit_test(test_no_timeline),
	    cmocka_unit_test(test_escape_bytes),
	    cmocka_unit_test(test_long_period),
	    cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
