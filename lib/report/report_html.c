/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/error.h"
#include "mamori/report.h"
#include "mamori/services.h"
#include "report_fmt.h"

/*
 * The HTML report: one self-contained page (inline CSS, inline SVG drawn
 * here, no scripts, no external resources; a Content-Security-Policy says
 * so to the browser too). Everything that came from a log or a database
 * (input names, user names, organisation names, rDNS names) is escaped by
 * esc(); numbers carry thousands separators in the text and the exact
 * value in data-value attributes, so tests and scrapers can find them.
 *
 * The page is built in one bounded buffer with a sticky error (the first
 * failing append stops all later ones) and written with one fwrite.
 *
 * Charts: the timeline is a stacked bar chart of packets per bucket by
 * top destination port, with ssh auth failures in a panel beneath on the
 * same time axis, as darknet telescopes draw their observation periods.
 * Fills come from a fixed palette of ten whose lightness alternates, and
 * every other fill carries a hatch or dot pattern, so stacked segments
 * stay apart in greyscale print.
 */

#define HTML_MAX ((size_t)256 << 20)
#define MAX_COLS 400	      /* bars in a time chart; longer periods merge buckets */
#define MAX_FINDING_ROWS 1000 /* rows of the findings table */
#define NFILL 10
#define FILL_AUTH NFILL /* the ssh auth failures panel */
#define HOUR_US 3600000000LL
#define DAY_US 86400000000LL

struct html {
	struct mm_buf b;
	int err;
	const struct mm_report *r;
	char year[5]; /* year of the period's first event, "" when none */
};

static void put(struct html *h, const char *s)
{
	int e;

	if (!h->err && (e = mm_buf_adds(&h->b, s)) < 0)
		h->err = e;
}

__attribute__((format(printf, 2, 3))) static void putf(struct html *h, const char *fmt, ...)
{
	va_list ap;
	int e;

	if (h->err)
		return;
	va_start(ap, fmt);
	e = mm_buf_vaddf(&h->b, fmt, ap);
	va_end(ap);
	if (e < 0)
		h->err = e;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * Append s as HTML text or attribute value: markup characters become
 * entities, control characters and invalid UTF-8 become U+FFFD. At most
 * max bytes of s are shown (0: all); a cut ends in an ellipsis.
 */
static void esc_max(struct html *h, const char *str, size_t max)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t full = strlen((const char *)s), n = full, i = 0, start = 0, len;
	bool cut = false;

	if (max && n > max) {
		n = max;
		cut = true;
	}
	while (i < n) {
		const char *ent = NULL;
		unsigned char c = s[i];

		len = 1;
		if (c == '&')
			ent = "&amp;";
		else if (c == '<')
			ent = "&lt;";
		else if (c == '>')
			ent = "&gt;";
		else if (c == '"')
			ent = "&quot;";
		else if (c == '\'')
			ent = "&#39;";
		else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			ent = "&#xFFFD;";
		else if (c >= 0x80 && !(len = utf8_len(s + i, n - i))) {
			/* a character split by the cut is dropped, not replaced */
			if (cut && utf8_len(s + i, full - i))
				break;
			ent = "&#xFFFD;";
			len = 1;
		}
		if (ent) {
			if (i > start && !h->err)
				h->err = mm_buf_add(&h->b, s + start, i - start);
			put(h, ent);
			start = i + len;
		}
		i += len;
	}
	if (i > start && !h->err)
		h->err = mm_buf_add(&h->b, s + start, i - start);
	if (cut)
		put(h, "\u2026");
}

static void esc(struct html *h, const char *s)
{
	esc_max(h, s, 0);
}

/* A numeric table cell: <td class="num" data-key="k" data-value="v">1,234</td> */
static void td_num(struct html *h, const char *key, uint64_t v)
{
	char b[32];

	putf(h, "<td class=\"num\" data-key=\"%s\" data-value=\"%llu\">%s</td>", key,
	     (unsigned long long)v, mm_fmt_num(v, b));
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* <time datetime="ISO">2026-11-16 00:03:24</time> */
static void put_time(struct html *h, const struct mm_time *t)
{
	char b[MM_TIME_STRLEN];

	if (!t->set) {
		put(h, "\u2013");
		return;
	}
	mm_time_format(t, false, b);
	/* tables drop the year when it is the period's (the header has it) */
	if (h->year[0] && memcmp(b, h->year, 4) == 0)
		putf(h, "<time datetime=\"%s\" title=\"%s\">%.5s %.8s</time>", b, b, b + 5, b + 11);
	else
		putf(h, "<time datetime=\"%s\">%.10s %.8s</time>", b, b, b + 11);
}

static const char *service_desc(int proto, int port)
{
	const struct mm_service *svc = mm_service_lookup(proto, port);

	return svc && svc->desc ? svc->desc : "";
}

static const char *kind_desc(enum mm_finding_kind k)
{
	switch (k) {
	case MM_FIND_PORTSCAN:
		return "one source, many destination ports";
	case MM_FIND_SWEEP:
		return "one source, one port, many hosts";
	case MM_FIND_SERVICE_SWEEP:
		return "one port probed by many sources";
	case MM_FIND_SSH_BRUTEFORCE:
		return "many failed logins in a short window";
	case MM_FIND_SSH_SLOW_BRUTEFORCE:
		return "many failed logins over a long window";
	case MM_FIND_SSH_USER_ENUM:
		return "many distinct user names";
	case MM_FIND_OUTBOUND_FANOUT:
		return "this host contacting many hosts on one port";
	case MM_FIND_FORGED_LOG:
		return "user-space lines imitating kernel packet logs";
	}
	return "";
}

/* ---- Page frame ------------------------------------------------------ */

static const char css[] =
    ":root{--ink:#1b1f24;--muted:#5b6470;--line:#d8dde3;--soft:#f3f5f7;--accent:#0b4f8a;"
    "--warn:#a4281b}\n"
    "*{box-sizing:border-box}\n"
    "html{background:#eef1f4}\n"
    "body{margin:0 auto;max-width:1060px;padding:24px 28px 40px;background:#fff;color:var(--ink);"
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','DejaVu Sans',"
    "sans-serif}\n"
    "header.top{border-bottom:3px solid var(--accent);padding-bottom:12px;margin-bottom:8px}\n"
    "h1{font-size:24px;margin:0 0 2px;letter-spacing:-.01em}\n"
    "h1 .brand{color:var(--accent)}\n"
    "h2{font-size:18px;margin:30px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}\n"
    "h3{font-size:15px;margin:18px 0 6px}\n"
    "p.lead{margin:0;color:var(--muted)}\n"
    "p.note,.muted{color:var(--muted)}\n"
    "p.note{font-size:13px;margin:4px 0 8px}\n"
    "nav.toc{font-size:13px;margin:6px 0 0}\n"
    "nav.toc a{color:var(--accent);text-decoration:none;margin-right:14px}\n"
    ".empty{padding:14px 16px;border:1px dashed var(--line);color:var(--muted);"
    "background:var(--soft);border-radius:4px;font-style:italic}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0 4px}\n"
    ".card{flex:1 1 130px;border:1px solid var(--line);border-radius:4px;padding:8px 12px;"
    "border-top:4px solid var(--accent)}\n"
    ".card .v{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums;display:block}\n"
    ".card .k{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}\n"
    ".card.alert{border-top-color:var(--warn)}\n"
    ".card.alert .v{color:var(--warn)}\n"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:12px 0 0;"
    "font-size:13px}\n"
    "dl.facts dt{color:var(--muted)}\n"
    "dl.facts dd{margin:0}\n"
    "ul.inputs{margin:0;padding:0;list-style:none}\n"
    ".err{color:var(--warn)}\n"
    "table{border-collapse:collapse;width:100%;font-size:12.5px;margin:6px 0 4px}\n"
    "th,td{padding:4px 7px;border-bottom:1px solid var(--line);text-align:left;"
    "vertical-align:top}\n"
    "thead th{background:var(--soft);font-weight:600;border-bottom:2px solid #b9c1ca;"
    "white-space:nowrap}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "td.addr,td.mono,.mono{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;"
    "font-size:12px}\n"
    "td.wrap{overflow-wrap:anywhere;max-width:260px;min-width:90px}\n"
    "td.addr>span{white-space:nowrap}\n"
    ".rdns{font-size:11px;color:var(--muted);overflow-wrap:anywhere}\n"
    "td time,td.t{white-space:nowrap}\n"
    "tbody tr:nth-child(even){background:#fafbfc}\n"
    ".kind{display:inline-block;padding:0 6px;border-radius:3px;font-size:11.5px;"
    "font-weight:600;border:1px solid #9aa4af;white-space:nowrap}\n"
    ".cc{display:inline-block;min-width:2.2em;font-family:ui-monospace,monospace;font-weight:600}\n"
    "figure{margin:8px 0 6px}\n"
    "figure svg{display:block;width:100%;height:auto}\n"
    "figcaption{font-size:12.5px;color:var(--muted);margin-top:2px}\n"
    "svg text{font-family:system-ui,'DejaVu Sans',sans-serif;fill:#1b1f24}\n"
    "svg .ax text{font-size:11px;fill:#39414a}\n"
    "svg .ax line,svg .ax path{stroke:#39414a;stroke-width:1}\n"
    "svg .grid line{stroke:#e3e7eb;stroke-width:1}\n"
    "svg .midnight{stroke:#b9c1ca;stroke-dasharray:3 3}\n"
    "svg .ytitle{font-size:12px;font-weight:600}\n"
    "svg .lbl{font-size:10px;fill:#39414a}\n"
    "svg .hl{font-size:12px}\n"
    "svg .hv{font-size:11.5px;font-variant-numeric:tabular-nums}\n"
    "svg .pt{font-size:12px;font-weight:600;fill:#fff}\n"
    "svg .seg{stroke:#fff;stroke-width:.6}\n"
    "table.legend{width:auto;min-width:60%;font-size:12.5px}\n"
    "table.legend td{border-bottom:none;padding:2px 8px}\n"
    "svg.sw{vertical-align:-2px;margin-right:2px}\n"
    "svg.sw rect{stroke:#39414a;stroke-width:1}\n"
    "details.raw{font-size:12px;margin:2px 0 6px}\n"
    "details.raw summary{cursor:pointer;color:var(--muted)}\n"
    ".scroll{overflow-x:auto}\n"
    ".cols{display:grid;grid-template-columns:1fr 1fr;gap:0 28px}\n"
    ".cols>div{min-width:0}\n"
    "footer{margin-top:36px;padding-top:10px;border-top:1px solid var(--line);font-size:12px;"
    "color:var(--muted)}\n"
    "footer p{margin:3px 0}\n"
    ".attr{white-space:pre-wrap}\n"
    "@media (max-width:760px){.cols{grid-template-columns:1fr}}\n"
    "@media print{\n"
    "@page{size:A4;margin:13mm 11mm}\n"
    "html,body{background:#fff}\n"
    "body{max-width:none;padding:0;font-size:10pt;color:#000}\n"
    "nav.toc,details.raw summary{display:none}\n"
    "h2{break-after:avoid;page-break-after:avoid;margin-top:18px}\n"
    "h3{break-after:avoid;page-break-after:avoid}\n"
    "figure,.cards,table.legend,.keep{break-inside:avoid;page-break-inside:avoid}\n"
    "thead{display:table-header-group}\n"
    "tr{break-inside:avoid;page-break-inside:avoid}\n"
    "table{font-size:8pt}\n"
    "th,td{padding:2px 4px}\n"
    "thead th{white-space:normal}\n"
    ".scroll{overflow:visible}\n"
    ".kind{font-size:7pt;padding:0 3px}\n"
    "td.addr,td.mono,.mono{font-size:7.5pt}\n"
    "td.wrap{max-width:none}\n"
    "thead th{background:#fff}\n"
    "tbody tr:nth-child(even){background:#fff}\n"
    ".empty{background:#fff}\n"
    "section.break{break-before:page;page-break-before:always}\n"
    ".cols{grid-template-columns:1fr 1fr}\n"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    "}\n";

/* Fill colours; lightness alternates so neighbours differ in greyscale. */
static const char *const fill_color[NFILL + 1] = {
    "#0b4f8a", "#f2a93b", "#2a9d8f", "#a6cee3", "#b2352b", "#b8df8a",
    "#5e3c99", "#fdd0a2", "#4d4d4d", "#d4b9e3", "#8b1a1a",
};
/* 0 solid, 1 hatch, 2 dots, 3 reverse hatch */
static const int fill_style[NFILL + 1] = {0, 1, 2, 0, 1, 2, 0, 3, 2, 1, 0};
static const bool fill_dark[NFILL + 1] = {true, false, true, false, true, false,
					  true, false, true, false, true};

static void defs(struct html *h)
{
	int i;

	put(h, "<svg class=\"defs\" width=\"0\" height=\"0\" style=\"position:absolute\" "
	       "aria-hidden=\"true\" focusable=\"false\"><defs>");
	for (i = 0; i <= NFILL; i++) {
		const char *ink = fill_dark[i] ? "#ffffff" : "#1b1f24";
		const char *op = fill_dark[i] ? "0.55" : "0.45";
		putf(h,
		     "<pattern id=\"mm-f%d\" width=\"6\" height=\"6\" "
		     "patternUnits=\"userSpaceOnUse\"",
		     i);
		if (fill_style[i] == 1)
			put(h, " patternTransform=\"rotate(45)\"");
		else if (fill_style[i] == 3)
			put(h, " patternTransform=\"rotate(-45)\"");
		putf(h, "><rect width=\"6\" height=\"6\" fill=\"%s\"/>", fill_color[i]);
		if (fill_style[i] == 1 || fill_style[i] == 3)
			putf(h,
			     "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"%s\" "
			     "stroke-opacity=\"%s\" stroke-width=\"2\"/>",
			     ink, op);
		else if (fill_style[i] == 2)
			putf(
			    h,
			    "<circle cx=\"3\" cy=\"3\" r=\"1.1\" fill=\"%s\" fill-opacity=\"%s\"/>",
			    ink, op);
		put(h, "</pattern>");
	}
	put(h, "</defs></svg>\n");
}

static void swatch(struct html *h, int fill)
{
	putf(h,
	     "<svg class=\"sw\" width=\"13\" height=\"13\" aria-hidden=\"true\"><rect x=\"0.5\" "
	     "y=\"0.5\" width=\"12\" height=\"12\" fill=\"url(#mm-f%d)\"/></svg>",
	     fill);
}

static void empty(struct html *h, const char *id, const char *text)
{
	if (id)
		putf(h, "<p class=\"empty\" id=\"%s\">", id);
	else
		put(h, "<p class=\"empty\">");
	esc(h, text);
	put(h, "</p>\n");
}

/* ---- Time axis ------------------------------------------------------- */

struct axis {
	int64_t start_us; /* start of the first column (UTC) */
	int64_t base_us;  /* HOUR_US or DAY_US */
	int16_t off;	  /* UTC offset the buckets are aligned to */
	size_t nsrc;	  /* source buckets */
	size_t per;	  /* source buckets per column */
	size_t n;	  /* columns */
	char unit[24];	  /* "hour", "day", "3 days" */
};

static void axis_finish(struct axis *ax)
{
	ax->per = (ax->nsrc + MAX_COLS - 1) / MAX_COLS;
	if (!ax->per)
		ax->per = 1;
	ax->n = (ax->nsrc + ax->per - 1) / ax->per;
	if (ax->per == 1)
		snprintf(ax->unit, sizeof(ax->unit), "%s", ax->base_us == HOUR_US ? "hour" : "day");
	else
		snprintf(ax->unit, sizeof(ax->unit), "%zu %s", ax->per,
			 ax->base_us == HOUR_US ? "hours" : "days");
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/*
 * The time axis of the charts: the timeline's buckets when there is one,
 * else buckets over the period (hourly up to 72 hours, as the summary does).
 */
static bool axis_init(struct axis *ax, const struct mm_report *r)
{
	const struct mm_timeline *tl = r->timeline;
	const struct mm_summary_totals *t = &r->totals;
	int64_t offus, first, last;

	memset(ax, 0, sizeof(*ax));
	if (tl && tl->nbuckets && (tl->bucket_us == HOUR_US || tl->bucket_us == DAY_US)) {
		ax->start_us = tl->start_us;
		ax->base_us = tl->bucket_us;
		ax->off = tl->off;
		ax->nsrc = tl->nbuckets;
		axis_finish(ax);
		return true;
	}
	if (!t->first.set || !t->last.set || t->last.us < t->first.us)
		return false;
	ax->off = t->first.off;
	offus = (int64_t)ax->off * 60000000LL;
	first = t->first.us + offus;
	last = t->last.us + offus;
	ax->base_us = last - first <= 72 * HOUR_US ? HOUR_US : DAY_US;
	first = floor_div(first, ax->base_us) * ax->base_us;
	ax->start_us = first - offus;
	ax->nsrc = (size_t)((last - first) / ax->base_us) + 1;
	if (ax->nsrc > 100000)
		return false;
	axis_finish(ax);
	return true;
}

static int64_t col_start(const struct axis *ax, size_t c)
{
	return ax->start_us + (int64_t)(c * ax->per) * ax->base_us;
}

/* Column of a time, or -1 outside the axis. */
static long axis_col(const struct axis *ax, int64_t us)
{
	int64_t k;

	if (us < ax->start_us)
		return -1;
	k = (us - ax->start_us) / ax->base_us;
	if ((uint64_t)k >= ax->nsrc)
		return -1;
	return (long)((size_t)k / ax->per);
}

/* "Mon " for the wall-clock day of us at offset off (minutes). */
static const char *weekday(int64_t us, int16_t off)
{
	static const char *const names[7] = {"Thu ", "Fri ", "Sat ", "Sun ",
					     "Mon ", "Tue ", "Wed "};
	int64_t days = floor_div(us + (int64_t)off * 60000000LL, DAY_US);

	return names[((days % 7) + 7) % 7];
}

/* Column label for tooltips and tables: "2026-11-16" or "2026-11-16 03:00". */
static void col_label(const struct axis *ax, size_t c, char *buf, size_t n)
{
	char t[MM_TIME_STRLEN];

	mm_fmt_time(col_start(ax, c), ax->off, t);
	if (ax->base_us == HOUR_US)
		snprintf(buf, n, "%.10s %.5s", t, t + 11);
	else
		snprintf(buf, n, "%.10s", t);
}

/* Round max up to a value with a 1/2/5 step that gives at most 5 grid lines. */
static uint64_t nice_max(uint64_t max, uint64_t *step_out)
{
	static const uint64_t m[3] = {1, 2, 5};
	uint64_t mag = 1, step = 1;
	int i;

	if (!max)
		max = 1;
	for (;;) {
		for (i = 0; i < 3; i++) {
			step = m[i] * mag;
			if (step * 5 >= max)
				goto done;
		}
		if (mag > UINT64_MAX / 100)
			break;
		mag *= 10;
	}
done:
	*step_out = step;
	return (max + step - 1) / step * step;
}

/* Y grid, tick labels and rotated axis title for one panel. */
static void y_axis(struct html *h, double x0, double x1, double ytop, double hgt, uint64_t ymax,
		   uint64_t step, const char *title)
{
	char b[32];
	uint64_t v;

	put(h, "<g class=\"grid\">");
	for (v = step; v <= ymax; v += step) {
		double y = ytop + hgt - hgt * (double)v / (double)ymax;
		putf(h, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x0, y, x1, y);
	}
	put(h, "</g><g class=\"ax\">");
	for (v = 0; v <= ymax; v += step) {
		double y = ytop + hgt - hgt * (double)v / (double)ymax;
		putf(h,
		     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/><text x=\"%.1f\" "
		     "y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"middle\">%s</text>",
		     x0 - 4, y, x0, y, x0 - 7, y, mm_fmt_num(v, b));
	}
	putf(h, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x0, ytop, x0,
	     ytop + hgt);
	putf(h,
	     "</g><text class=\"ytitle\" transform=\"translate(%.1f %.1f) rotate(-90)\" "
	     "text-anchor=\"middle\">",
	     x0 - 52, ytop + hgt / 2);
	esc(h, title);
	put(h, "</text>");
}

/*
 * X axis under a panel: baseline, ticks and date labels chosen so labels
 * stay apart. Daily columns are labelled under their centres ("11-16",
 * with the year under the first and at each new year); hourly ones at
 * their start on round hours ("06:00", with the date under midnights).
 */
static void x_axis(struct html *h, const struct axis *ax, double x0, double w, double y,
		   bool labels, bool midnights, double ytop)
{
	static const size_t hour_steps[] = {1, 2, 3, 4, 6, 12, 24, 48, 72, 168};
	static const size_t day_steps[] = {1, 2, 7, 14, 28, 56, 91, 182, 364};
	double cw = w / (double)ax->n;
	bool hourly = ax->base_us == HOUR_US && ax->per == 1;
	const size_t *steps = hourly ? hour_steps : day_steps;
	size_t nsteps = hourly ? sizeof(hour_steps) / sizeof(hour_steps[0])
			       : sizeof(day_steps) / sizeof(day_steps[0]);
	size_t k = steps[nsteps - 1], i, c;
	char t[MM_TIME_STRLEN], prev_year[5] = "";

	for (i = 0; i < nsteps; i++) {
		size_t cols = hourly ? steps[i] : (steps[i] + ax->per - 1) / ax->per;
		if ((double)(cols ? cols : 1) * cw >= (hourly ? 42.0 : 46.0)) {
			k = cols ? cols : 1;
			break;
		}
	}
	if (!hourly && i == nsteps)
		k = (size_t)(46.0 / cw) + 1;
	if (midnights && hourly) {
		for (c = 1; c < ax->n; c++) {
			mm_fmt_time(col_start(ax, c), ax->off, t);
			if (memcmp(t + 11, "00:00", 5) == 0)
				putf(h,
				     "<line class=\"midnight\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				     "y2=\"%.1f\"/>",
				     x0 + cw * (double)c, ytop, x0 + cw * (double)c, y);
		}
	}
	putf(h, "<g class=\"ax\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x0, y,
	     x0 + w, y);
	for (c = 0; c <= ax->n; c++) {
		double x;
		int hour;

		if (hourly) {
			if (c == ax->n)
				break;
			mm_fmt_time(col_start(ax, c), ax->off, t);
			hour = (t[11] - '0') * 10 + (t[12] - '0');
			if ((size_t)hour % k != 0 && !(k > 24 && hour == 0))
				continue;
			if (k > 24 && (c % (k / 24 ? k / 24 : 1)) != 0)
				continue;
			x = x0 + cw * (double)c;
			putf(h, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x, y, x,
			     y + 5);
			if (!labels)
				continue;
			putf(h, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.5s</text>", x,
			     y + 17, t + 11);
			if (hour == 0 || !prev_year[0])
				putf(h,
				     "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
				     "font-weight=\"600\">%.10s</text>",
				     x, y + 30, t);
			memcpy(prev_year, t, 4);
			continue;
		}
		/* daily: a tick at every column boundary, labels every k columns */
		x = x0 + cw * (double)c;
		if (c == ax->n || c % k == 0)
			putf(h, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x, y, x,
			     y + 4);
		if (!labels || c == ax->n || c % k != 0)
			continue;
		mm_fmt_time(col_start(ax, c), ax->off, t);
		x += cw * (k == 1 ? 0.5 : 0.0);
		putf(h, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s%.5s</text>", x, y + 17,
		     k == 1 ? "middle" : "start",
		     (double)k * cw >= 64 ? weekday(col_start(ax, c), ax->off) : "", t + 5);
		if (!prev_year[0] || memcmp(prev_year, t, 4) != 0)
			putf(h,
			     "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
			     "font-weight=\"600\">%.4s</text>",
			     x, y + 30, k == 1 ? "middle" : "start", t);
		memcpy(prev_year, t, 4);
	}
	put(h, "</g>");
}

/* ---- Stacked bar chart over time ----------------------------------------- */

struct tseries {
	char name[80];
	const char *desc;
	int fill;
	uint64_t total;
	uint64_t *cols; /* per column */
};

/*
 * One panel of stacked bars: series stacked bottom-up in order. Totals
 * are written above bars when columns are wide enough to hold them.
 */
static void stack_panel(struct html *h, const struct axis *ax, const struct tseries *s, size_t ns,
			double x0, double w, double ytop, double hgt, const char *ytitle,
			const char *what)
{
	double cw = w / (double)ax->n, bw = cw > 4 ? cw * 0.78 : cw;
	uint64_t max = 0, ymax, step, sum;
	char lbl[48], b[32];
	size_t c, i;

	for (c = 0; c < ax->n; c++) {
		for (sum = 0, i = 0; i < ns; i++)
			sum += s[i].cols[c];
		if (sum > max)
			max = sum;
	}
	ymax = nice_max(max, &step);
	y_axis(h, x0, x0 + w, ytop, hgt, ymax, step, ytitle);
	for (c = 0; c < ax->n; c++) {
		double y = ytop + hgt, x = x0 + cw * (double)c + (cw - bw) / 2;
		col_label(ax, c, lbl, sizeof(lbl));
		putf(h, "<g data-bucket=\"%s\">", lbl);
		for (sum = 0, i = 0; i < ns; i++) {
			uint64_t v = s[i].cols[c];
			double bh;
			if (!v)
				continue;
			sum += v;
			bh = hgt * (double)v / (double)ymax;
			y -= bh;
			putf(h,
			     "<rect class=\"seg\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
			     "height=\"%.2f\" "
			     "fill=\"url(#mm-f%d)\" data-series=\"",
			     x, y, bw, bh, s[i].fill);
			esc(h, s[i].name);
			putf(h, "\" data-value=\"%llu\"><title>%s \u00b7 ", (unsigned long long)v,
			     lbl);
			esc(h, s[i].name);
			putf(h, ": %s %s</title></rect>", mm_fmt_num(v, b), what);
		}
		if (sum && cw >= 26)
			putf(h,
			     "<text class=\"lbl\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" "
			     "data-value=\"%llu\">%s</text>",
			     x + bw / 2, y - 4, (unsigned long long)sum, mm_fmt_num(sum, b));
		put(h, "</g>");
	}
}

/* Legend with the numbers: swatch, name, description, total, share, peak. */
static void legend(struct html *h, const char *id, const struct axis *ax, const struct tseries *s,
		   size_t ns, const char *what, const char *grand_what)
{
	uint64_t grand = 0;
	char lbl[48];
	size_t i, c;

	for (i = 0; i < ns; i++)
		grand += s[i].total;
	putf(h,
	     "<table class=\"legend\" id=\"%s\"><thead><tr><th></th><th>%s</th><th "
	     "class=\"num\">total</th><th class=\"num\">share</th><th>peak %s</th><th "
	     "class=\"num\">at peak</th></tr></thead><tbody>",
	     id, what, ax->unit);
	for (i = 0; i < ns; i++) {
		size_t peak = 0;
		for (c = 1; c < ax->n; c++)
			if (s[i].cols[c] > s[i].cols[peak])
				peak = c;
		col_label(ax, peak, lbl, sizeof(lbl));
		put(h, "<tr data-series=\"");
		esc(h, s[i].name);
		put(h, "\"><td>");
		swatch(h, s[i].fill);
		put(h, "</td><td><b>");
		esc(h, s[i].name);
		put(h, "</b>");
		if (s[i].desc && *s[i].desc) {
			put(h, " <span class=\"muted\">");
			esc(h, s[i].desc);
			put(h, "</span>");
		}
		put(h, "</td>");
		td_num(h, "total", s[i].total);
		if (s[i].fill == FILL_AUTH || !grand_what)
			put(h, "<td class=\"num\">\u2013</td>");
		else
			putf(h, "<td class=\"num\">%.1f%%</td>", pct(s[i].total, grand));
		putf(h, "<td class=\"t\">%s</td>", s[i].total ? lbl : "\u2013");
		td_num(h, "peak", s[i].cols[peak]);
		put(h, "</tr>");
	}
	put(h, "</tbody></table>\n");
}

/* The numbers behind a time chart, one row per column. */
static void raw_table(struct html *h, const char *id, const struct axis *ax,
		      const struct tseries *s, size_t ns, const char *summary)
{
	char lbl[48];
	size_t i, c;

	put(h, "<details class=\"raw\"><summary>");
	esc(h, summary);
	putf(h,
	     "</summary><div class=\"scroll\"><table class=\"data\" id=\"%s\"><thead><tr><th>%s "
	     "starting</th>",
	     id, ax->unit);
	for (i = 0; i < ns; i++) {
		put(h, "<th class=\"num\">");
		esc(h, s[i].name);
		put(h, "</th>");
	}
	put(h, "</tr></thead><tbody>");
	for (c = 0; c < ax->n; c++) {
		col_label(ax, c, lbl, sizeof(lbl));
		putf(h, "<tr><td class=\"t\">%s</td>", lbl);
		for (i = 0; i < ns; i++)
			td_num(h, "count", s[i].cols[c]);
		put(h, "</tr>");
	}
	put(h, "</tbody></table></div></details>\n");
}

static void free_series(struct tseries *s, size_t n)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < n; i++)
		free(s[i].cols);
	free(s);
}

static void timeline_section(struct html *h, const struct axis *ax, bool have_axis)
{
	const struct mm_timeline *tl = h->r->timeline;
	struct tseries *s = NULL, *auth = NULL;
	size_t ns = 0, i, k, nports = 0;
	double W = 960, x0 = 78, w = W - x0 - 16, top = 14, ph = 250, ah = 80, y, H;
	char ytitle[64], atitle[64], aria[256], t1[MM_TIME_STRLEN], t2[MM_TIME_STRLEN];

	put(h, "<section id=\"timeline\"><h2>Timeline of the observation period</h2>\n");
	if (!have_axis || !tl || !tl->nbuckets || !tl->nseries) {
		empty(h, "timeline-empty",
		      have_axis ? "No packets on the top ports in the period."
				: "No events in the period.");
		put(h, "</section>\n");
		return;
	}
	s = calloc(tl->nseries, sizeof(*s));
	if (!s) {
		h->err = MM_ERR_NOMEM;
		return;
	}
	for (i = 0; i < tl->nseries; i++) {
		const struct mm_series *se = &tl->series[i];
		struct tseries *d = &s[ns];
		if (!(d->cols = calloc(ax->n, sizeof(*d->cols)))) {
			h->err = MM_ERR_NOMEM;
			goto out;
		}
		ns++;
		mm_fmt_service(se->proto, se->port, d->name, sizeof(d->name));
		d->desc = se->proto ? service_desc(se->proto, se->port)
				    : "failed logins and "
				      "invalid users";
		d->total = se->total;
		d->fill = se->proto ? (int)(nports++ % NFILL) : FILL_AUTH;
		for (k = 0; k < tl->nbuckets && k < ax->nsrc; k++)
			d->cols[k / ax->per] += se->counts[k];
		if (!se->proto)
			auth = d;
	}
	/* ports stacked in order, auth failures in their own panel */
	if (auth && auth != &s[ns - 1]) {
		struct tseries tmp = *auth;
		memmove(auth, auth + 1, (size_t)(&s[ns - 1] - auth) * sizeof(*auth));
		s[ns - 1] = tmp;
		auth = &s[ns - 1];
	}
	snprintf(ytitle, sizeof(ytitle), "packets per %s", ax->unit);
	snprintf(atitle, sizeof(atitle), "failures per %s", ax->unit);
	H = top + (nports ? ph : 0) + (auth ? (nports ? 30 : 0) + ah : 0) + 46;
	snprintf(aria, sizeof(aria),
		 "Stacked bar chart of packets per %s by destination port, %s to %s%s", ax->unit,
		 mm_fmt_time(ax->start_us, ax->off, t1),
		 mm_fmt_time(ax->start_us + (int64_t)ax->nsrc * ax->base_us, ax->off, t2),
		 auth ? ", with ssh authentication failures beneath" : "");
	putf(h,
	     "<p class=\"note\">Packets per %s on the top %zu destination port%s (inbound and "
	     "forwarded), stacked; times in UTC%+03d:%02d. Ports beyond the top are not "
	     "drawn.</p>\n",
	     ax->unit, nports, nports == 1 ? "" : "s", ax->off / 60, abs(ax->off % 60));
	putf(h,
	     "<figure><svg id=\"chart-timeline\" role=\"img\" viewBox=\"0 0 %.0f %.0f\" "
	     "aria-labelledby=\"chart-timeline-title\"><title id=\"chart-timeline-title\">%s"
	     "</title>",
	     W, H, aria);
	y = top;
	if (nports) {
		stack_panel(h, ax, s, nports, x0, w, y, ph, ytitle, "packets");
		x_axis(h, ax, x0, w, y + ph, !auth, true, y);
		y += ph + 30;
	}
	if (auth) {
		stack_panel(h, ax, auth, 1, x0, w, y, ah, atitle, "ssh auth failures");
		putf(h, "<text class=\"ytitle\" x=\"%.1f\" y=\"%.1f\">ssh auth failures</text>",
		     x0 + 6, y - 6);
		x_axis(h, ax, x0, w, y + ah, true, true, y);
	}
	put(h, "</svg>");
	putf(h,
	     "<figcaption>Bars: packets per %s by destination port (legend below). Ticks mark "
	     "%ss; bold labels give the %s.</figcaption></figure>\n",
	     ax->unit, ax->base_us == HOUR_US ? "hour" : "day",
	     ax->base_us == HOUR_US && ax->per == 1 ? "date" : "year");
	legend(h, "timeline-legend", ax, s, ns, "service", "packets");
	snprintf(aria, sizeof(aria), "Packets per %s, as numbers", ax->unit);
	raw_table(h, "timeline-data", ax, s, ns, aria);
	put(h, "</section>\n");
out:
	free_series(s, ns);
}

static void findings_time_section(struct html *h, const struct axis *ax, bool have_axis)
{
	const struct mm_report *r = h->r;
	struct tseries *s = NULL;
	size_t ns = 0, i, kind_ix[MM_FIND_FORGED_LOG + 1] = {0};
	double W = 960, x0 = 78, w = W - x0 - 16, top = 14, ph = 170, H = top + ph + 46;
	char ytitle[64], aria[160];
	int k;

	put(h, "<section id=\"findings-time\"><h2>Findings over time, by kind</h2>\n");
	if (!r->nfindings || !have_axis) {
		empty(h, "findings-time-empty",
		      have_axis ? "No findings in the period." : "No events in the period.");
		put(h, "</section>\n");
		return;
	}
	if (!(s = calloc(MM_FIND_FORGED_LOG, sizeof(*s)))) {
		h->err = MM_ERR_NOMEM;
		return;
	}
	for (k = MM_FIND_PORTSCAN; k <= MM_FIND_FORGED_LOG; k++) {
		uint64_t cnt = 0;
		for (i = 0; i < r->nfindings; i++)
			cnt += r->findings[i].kind == (enum mm_finding_kind)k;
		if (!cnt)
			continue;
		if (!(s[ns].cols = calloc(ax->n, sizeof(uint64_t)))) {
			h->err = MM_ERR_NOMEM;
			goto out;
		}
		snprintf(s[ns].name, sizeof(s[ns].name), "%s",
			 mm_finding_kind_name((enum mm_finding_kind)k));
		s[ns].desc = kind_desc((enum mm_finding_kind)k);
		s[ns].fill = (k - 1) % NFILL;
		kind_ix[k] = ns++;
	}
	for (i = 0; i < r->nfindings; i++) {
		const struct mm_finding *f = &r->findings[i];
		long c;
		if (f->kind < MM_FIND_PORTSCAN || f->kind > MM_FIND_FORGED_LOG)
			continue;
		s[kind_ix[f->kind]].total++;
		c = f->first.set ? axis_col(ax, f->first.us) : -1;
		if (c < 0) /* outside the axis: clamp to its ends */
			c = f->first.set && f->first.us >= ax->start_us ? (long)ax->n - 1 : 0;
		s[kind_ix[f->kind]].cols[c]++;
	}
	snprintf(ytitle, sizeof(ytitle), "findings per %s", ax->unit);
	snprintf(aria, sizeof(aria),
		 "Stacked bar chart of findings per %s by kind, by first time seen", ax->unit);
	put(h,
	    "<p class=\"note\">Each finding counted once, in the bucket of its first event.</p>\n");
	putf(h,
	     "<figure><svg id=\"chart-findings-time\" role=\"img\" viewBox=\"0 0 %.0f %.0f\" "
	     "aria-labelledby=\"chart-findings-time-title\"><title "
	     "id=\"chart-findings-time-title\">%s</title>",
	     W, H, aria);
	stack_panel(h, ax, s, ns, x0, w, top, ph, ytitle, "findings");
	x_axis(h, ax, x0, w, top + ph, true, true, top);
	put(h, "</svg></figure>\n");
	legend(h, "findings-time-legend", ax, s, ns, "kind", "findings");
	snprintf(aria, sizeof(aria), "Findings per %s, as numbers", ax->unit);
	raw_table(h, "findings-time-data", ax, s, ns, aria);
	put(h, "</section>\n");
out:
	free_series(s, MM_FIND_FORGED_LOG);
}

/* ---- Horizontal bars ----------------------------------------------------- */

struct hrow {
	char label[160];
	char sub[160];	 /* second, muted part of the label (organisation) */
	char title[200]; /* tooltip; label + sub when empty */
	uint64_t value;
	uint64_t of; /* when set: value is a share of this, shown as "v of n (p%)" */
	int fill;
};

/*
 * A horizontal bar chart: label on the left, bar, value on the right.
 * Scaled to max (or to each row's "of" for shares).
 */
static void hbars(struct html *h, const char *id, const char *aria, const char *unit,
		  const struct hrow *rows, size_t n, bool half)
{
	double W = half ? 470 : 960, lw = half ? 170 : 330, vw = half ? 120 : 150;
	double bx = lw + 10, bwmax = W - bx - vw, rh = 24, y;
	size_t lmax = half ? 10 : 24, smax = half ? 12 : 22;
	uint64_t max = 0;
	char b[32], b2[32];
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].value > max)
			max = rows[i].value;
	putf(h, "<figure><svg id=\"%s\" role=\"img\" viewBox=\"0 0 %.0f %.0f\" aria-label=\"", id,
	     W, rh * (double)n + 8);
	esc(h, aria);
	put(h, "\"><title>");
	esc(h, aria);
	put(h, "</title>");
	for (i = 0; i < n; i++) {
		const struct hrow *r = &rows[i];
		uint64_t scale = r->of ? r->of : max;
		double bw = scale ? bwmax * (double)r->value / (double)scale : 0;
		y = 4 + rh * (double)i;
		put(h, "<g data-label=\"");
		esc(h, r->label);
		putf(h, "\" data-value=\"%llu\"><title>", (unsigned long long)r->value);
		if (r->title[0]) {
			esc(h, r->title);
		} else {
			esc(h, r->label);
			if (r->sub[0]) {
				put(h, " ");
				esc(h, r->sub);
			}
		}
		putf(h, ": %s %s</title>", mm_fmt_num(r->value, b), unit);
		putf(h, "<text class=\"hl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", lw,
		     y + rh / 2 + 4);
		esc_max(h, r->label, lmax);
		if (r->sub[0]) {
			put(h, " <tspan fill=\"#5b6470\">");
			esc_max(h, r->sub, smax);
			put(h, "</tspan>");
		}
		put(h, "</text>");
		if (r->of)
			putf(h,
			     "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			     "fill=\"#eef1f4\" stroke=\"#b9c1ca\"/>",
			     bx, y + 3, bwmax, rh - 7);
		putf(h,
		     "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
		     "fill=\"url(#mm-f%d)\" stroke=\"#39414a\" stroke-width=\"0.5\"/>",
		     bx, y + 3, bw, rh - 7, r->fill);
		if (r->of)
			putf(h, "<text class=\"hv\" x=\"%.1f\" y=\"%.1f\">%s of %s (%.1f%%)</text>",
			     bx + bwmax + 6, y + rh / 2 + 4, mm_fmt_num(r->value, b),
			     mm_fmt_num(r->of, b2), pct(r->value, r->of));
		else
			putf(h, "<text class=\"hv\" x=\"%.1f\" y=\"%.1f\">%s</text>", bx + bw + 6,
			     y + rh / 2 + 4, mm_fmt_num(r->value, b));
		put(h, "</g>");
	}
	put(h, "</svg></figure>\n");
}

/* ---- Header ---------------------------------------------------------------- */

static void card(struct html *h, const char *key, const char *label, uint64_t v, bool alert)
{
	char b[32];

	putf(h,
	     "<div class=\"card%s\"><span class=\"v\" data-key=\"%s\" data-value=\"%llu\">%s"
	     "</span><span class=\"k\">%s</span></div>",
	     alert ? " alert" : "", key, (unsigned long long)v, mm_fmt_num(v, b), label);
}

static void dd_num(struct html *h, const char *key, uint64_t v, const char *after)
{
	char b[32];

	putf(h, "<span data-key=\"%s\" data-value=\"%llu\">%s</span> %s", key,
	     (unsigned long long)v, mm_fmt_num(v, b), after);
}

static void header(struct html *h)
{
	const struct mm_report *r = h->r;
	const struct mm_summary_totals *t = &r->totals;
	char t1[MM_TIME_STRLEN], t2[MM_TIME_STRLEN], b[32];
	size_t i;

	put(h, "<header class=\"top\"><h1><span class=\"brand\">mamori</span> log report</h1>");
	if (t->first.set && t->last.set) {
		mm_time_format(&t->first, false, t1);
		mm_time_format(&t->last, false, t2);
		putf(h,
		     "<p class=\"lead\" id=\"period\">Observation period <time id=\"period-first\" "
		     "datetime=\"%s\">%s</time> to <time id=\"period-last\" datetime=\"%s\">%s"
		     "</time> (%.1f days)</p>",
		     t1, t1, t2, t2, (double)(t->last.us - t->first.us) / 86400e6);
	} else {
		put(h, "<p class=\"lead\" id=\"period\">No events in the period.</p>");
	}
	put(h, "<nav class=\"toc\"><a href=\"#timeline\">Timeline</a><a "
	       "href=\"#findings-time\">Findings over time</a><a href=\"#findings\">Findings</a><a "
	       "href=\"#sources\">Top sources</a><a href=\"#ports\">Top ports</a><a "
	       "href=\"#geo\">Who</a></nav></header>\n");

	put(h, "<section id=\"summary\" class=\"keep\"><div class=\"cards\">");
	card(h, "findings", "findings", r->nfindings, r->nfindings > 0);
	card(h, "packet", "packets", t->by_kind[MM_EV_PACKET], false);
	card(h, "auth-failure", "auth failures", t->by_kind[MM_EV_AUTH_FAILURE], false);
	card(h, "auth-success", "accepted logins", t->by_kind[MM_EV_AUTH_SUCCESS], false);
	card(h, "probe", "pre-auth probes", t->by_kind[MM_EV_PROBE], false);
	card(h, "sources", "distinct sources", t->sources, false);
	if (t->by_kind[MM_EV_SUSPICIOUS])
		card(h, "suspicious", "forged kernel lines", t->by_kind[MM_EV_SUSPICIOUS], true);
	put(h,
	    "</div>\n<dl class=\"facts\"><dt>inputs</dt><dd><ul class=\"inputs\" id=\"inputs\">");
	for (i = 0; i < r->ninputs; i++) {
		const struct mm_report_input *in = &r->inputs[i];
		put(h, "<li><span class=\"mono\">");
		esc(h, in->name);
		putf(h, "</span>: <span data-key=\"lines\" data-value=\"%llu\">%s</span> lines",
		     (unsigned long long)in->lines, mm_fmt_num(in->lines, b));
		if (in->too_long)
			putf(h, ", %s over the length cap", mm_fmt_num(in->too_long, b));
		if (in->error) {
			put(h, " <span class=\"err\">\u2014 ");
			esc(h, in->errmsg);
			put(h, "</span>");
		}
		put(h, "</li>");
	}
	if (!r->ninputs)
		put(h, "<li>none</li>");
	put(h, "</ul></dd><dt>lines</dt><dd>");
	dd_num(h, "lines-read", r->lines.lines, "read, ");
	dd_num(h, "lines-used", r->lines.used, "used, ");
	dd_num(h, "lines-unrecognized", r->lines.unknown, "not recognised, ");
	dd_num(h, "lines-too-long", r->lines.too_long, "over the length cap (skipped)");
	if (r->lines.suspicious) {
		put(h, ", ");
		dd_num(h, "lines-forged", r->lines.suspicious, "forged kernel lines");
	}
	put(h, "</dd>");
	if (r->filtered) {
		put(h, "<dt>filtered out</dt><dd>");
		dd_num(h, "filtered", r->filtered, "events (--since/--until/--src/--port/--proto)");
		put(h, "</dd>");
	}
	put(h, "<dt>events by kind</dt><dd>");
	dd_num(h, "ev-packet", t->by_kind[MM_EV_PACKET], "packets, ");
	dd_num(h, "ev-auth-failure", t->by_kind[MM_EV_AUTH_FAILURE], "auth failures, ");
	dd_num(h, "ev-auth-success", t->by_kind[MM_EV_AUTH_SUCCESS], "accepted logins, ");
	dd_num(h, "ev-probe", t->by_kind[MM_EV_PROBE], "pre-auth probes, ");
	dd_num(h, "ev-suspicious", t->by_kind[MM_EV_SUSPICIOUS], "suspicious");
	put(h, "</dd></dl>\n");
	if (!t->first.set)
		empty(h, "no-events", "No events in the period.");
	put(h, "</section>\n");
}

/* ---- Findings table ---------------------------------------------------------- */

static const struct mm_source_info *finding_info(const struct mm_report *r, size_t i)
{
	const struct mm_enrichment *e = r->enrich;

	if (!e || !e->finding_src || !e->finding_src[i].addr.family)
		return NULL;
	return &e->finding_src[i];
}

static void geo_brief(struct html *h, const struct mm_source_info *si)
{
	if (!si)
		return;
	if (si->geo.have_country) {
		put(h, " <span class=\"cc\">");
		esc(h, si->geo.country);
		put(h, "</span>");
	}
	if (si->geo.have_asn)
		putf(h, " <span class=\"muted\">AS%u</span>", si->geo.asn);
}

static void findings_section(struct html *h)
{
	const struct mm_report *r = h->r;
	char addr[MM_ADDR_STRLEN], target[96], detail[200], b[32];
	size_t i, n = r->nfindings < MAX_FINDING_ROWS ? r->nfindings : MAX_FINDING_ROWS;

	putf(h,
	     "<section id=\"findings\"><h2>Findings (<span data-key=\"findings\" "
	     "data-value=\"%zu\">%s</span>)</h2>\n",
	     r->nfindings, mm_fmt_num(r->nfindings, b));
	if (!r->nfindings) {
		empty(h, "findings-empty", "No findings: nothing in the logs crossed a threshold.");
		put(h, "</section>\n");
		return;
	}
	put(h, "<div class=\"scroll\"><table id=\"findings-table\"><thead><tr><th>kind</th><th>scan"
	       "</th><th>source</th><th>target / service</th><th class=\"num\">events</th><th>first"
	       "</th><th>last</th><th>detail</th></tr></thead><tbody>\n");
	for (i = 0; i < n; i++) {
		const struct mm_finding *f = &r->findings[i];
		const char *kn = mm_finding_kind_name(f->kind);
		const char *desc = "";
		putf(h, "<tr data-kind=\"%s\"><td><span class=\"kind\" title=\"%s\">%s</span></td>",
		     kn, kind_desc(f->kind), kn);
		putf(h, "<td>%s</td>", f->scan != MM_SCAN_NONE ? mm_scan_type_name(f->scan) : "");
		if (f->src.family) {
			putf(h, "<td class=\"addr\" data-key=\"src\">%s",
			     mm_addr_format(&f->src, addr));
			geo_brief(h, finding_info(r, i));
			put(h, "</td>");
		} else {
			put(h, "<td class=\"addr\">\u2013</td>");
		}
		if (f->port >= 0) {
			mm_fmt_service(f->proto, f->port, target, sizeof(target));
			desc = service_desc(f->proto, f->port);
		} else if (f->dst.family) {
			mm_addr_format(&f->dst, target);
		} else if (f->distinct_hosts > 1) {
			snprintf(target, sizeof(target), "%u hosts", f->distinct_hosts);
		} else {
			snprintf(target, sizeof(target), "\u2013");
		}
		put(h, "<td title=\"");
		esc(h, desc);
		put(h, "\">");
		esc(h, target);
		put(h, "</td>");
		td_num(h, "count", f->count);
		put(h, "<td class=\"t\">");
		put_time(h, &f->first);
		put(h, "</td><td class=\"t\">");
		put_time(h, &f->last);
		mm_fmt_finding_detail(f, true, detail, sizeof(detail));
		put(h, "</td><td class=\"wrap\">");
		esc(h, detail);
		put(h, "</td></tr>\n");
	}
	put(h, "</tbody></table></div>\n");
	if (n < r->nfindings)
		putf(h,
		     "<p class=\"note\">%s more findings not shown here; <span "
		     "class=\"mono\">mamori "
		     "logs --findings</span> lists them all.</p>\n",
		     mm_fmt_num(r->nfindings - n, b));
	put(h, "</section>\n");
}

/* ---- Sources and ports ------------------------------------------------------ */

static void dnsbl_cell(struct html *h, const struct mm_enrichment *e,
		       const struct mm_source_info *si)
{
	size_t z;
	bool any = false;

	put(h, "<td class=\"wrap\" data-key=\"dnsbl\">");
	if (!e->nzones) {
		put(h, "<span class=\"muted\">not checked</span></td>");
		return;
	}
	for (z = 0; z < e->nzones && z < MM_DNSBL_MAX_ZONES; z++) {
		if (si->dnsbl_listed & (1u << z)) {
			put(h, any ? ", " : "<b>listed</b>: ");
			esc(h, e->zones[z].zone);
			any = true;
		}
	}
	for (z = 0; z < e->nzones && z < MM_DNSBL_MAX_ZONES; z++) {
		if (si->dnsbl_failed & (1u << z)) {
			put(h, any ? "; " : "");
			put(h, "<span class=\"muted\">failed: ");
			esc(h, e->zones[z].zone);
			put(h, "</span>");
			any = true;
		}
	}
	if (!any)
		put(h, "no");
	put(h, "</td>");
}

/* rDNS under the address, when it was asked. */
static void rdns_line(struct html *h, const struct mm_source_info *si)
{
	if (!si->rdns_asked)
		return;
	put(h, "<div class=\"rdns\" data-key=\"rdns\">");
	if (si->rdns.status == MM_DNS_LISTED && si->rdns.name[0]) {
		esc(h, si->rdns.name);
		put(h, si->rdns.confirmed ? " <span title=\"forward-confirmed\">\u2713</span>"
					  : " <span class=\"muted\" title=\"not forward-confirmed"
					    "\">(unconfirmed)</span>");
	} else if (si->rdns.status == MM_DNS_NOT_LISTED) {
		put(h, "<span class=\"muted\">no PTR record</span>");
	} else {
		put(h, "<span class=\"muted\">rDNS lookup failed</span>");
	}
	put(h, "</div>");
}

static const char *hosting_name(enum mm_hosting k)
{
	return k == MM_HOSTING_HOSTING ? "hosting" : k == MM_HOSTING_OTHER ? "other" : "unknown";
}

static void sources_section(struct html *h)
{
	const struct mm_report *r = h->r;
	const struct mm_enrichment *e = r->enrich;
	bool geo = e && e->top, dnsbl = geo && e->nzones;
	char a[MM_ADDR_STRLEN];
	size_t i;

	put(h, "<section id=\"sources\" class=\"break\"><h2>Top sources</h2>\n");
	if (!r->ntop_sources) {
		empty(h, "sources-empty", "No sources in the period.");
		put(h, "</section>\n");
		return;
	}
	put(h, "<p class=\"note\">By events (packets, auth failures, accepted logins and pre-auth "
	       "probes).");
	if (e && e->country_filter) {
		put(h, " Only sources in <b>");
		esc(h, e->country_filter);
		put(h, "</b>.");
	}
	put(h, "</p>\n<div class=\"scroll\"><table id=\"sources-table\"><thead><tr><th "
	       "class=\"num\">#</th><th>source</th>");
	if (geo)
		put(h, dnsbl ? "<th>country</th><th>network</th><th>hosting</th><th>DNSBL</th>"
			     : "<th>country</th><th>network</th><th>hosting</th>");
	put(h, "<th class=\"num\">events</th><th class=\"num\">packets</th><th class=\"num\">auth "
	       "fail</th><th class=\"num\">logins</th><th class=\"num\">probes</th>");
	put(h, geo ? "<th>first / last</th>" : "<th>first</th><th>last</th>");
	put(h, "</tr></thead><tbody>\n");
	for (i = 0; i < r->ntop_sources; i++) {
		const struct mm_source_stat *s = &r->top_sources[i];
		const struct mm_source_info *si = geo ? &e->top[i] : NULL;
		struct mm_time ft = {s->first_us, r->totals.last.off, s->first_us != INT64_MAX};
		struct mm_time lt = {s->last_us, r->totals.last.off, s->last_us != INT64_MIN};
		putf(h,
		     "<tr><td class=\"num\">%zu</td><td class=\"addr wrap\"><span "
		     "data-key=\"src\">%s</span>",
		     i + 1, mm_addr_format(&s->addr, a));
		if (si)
			rdns_line(h, si);
		put(h, "</td>");
		if (si) {
			put(h, "<td data-key=\"country\">");
			if (si->geo.have_country) {
				put(h, "<span class=\"cc\">");
				esc(h, si->geo.country);
				put(h, "</span>");
			} else {
				put(h, "<span class=\"muted\">?\?</span>");
			}
			put(h, "</td><td class=\"wrap\" data-key=\"network\">");
			if (si->geo.have_asn) {
				putf(h, "<span class=\"mono\">AS%u</span> ", si->geo.asn);
				esc(h, si->geo.org);
			} else {
				put(h, "<span class=\"muted\">unknown</span>");
			}
			put(h, "</td><td data-key=\"hosting\" title=\"");
			esc(h, si->hosting.reason);
			putf(h, "\">%s</td>", hosting_name(si->hosting.category));
			if (dnsbl)
				dnsbl_cell(h, e, si);
		}
		td_num(h, "events", s->events);
		td_num(h, "packets", s->packets);
		td_num(h, "auth_failures", s->auth_failures);
		td_num(h, "auth_successes", s->auth_successes);
		td_num(h, "probes", s->probes);
		put(h, "<td class=\"t\">");
		put_time(h, &ft);
		put(h, geo ? "<br>" : "</td><td class=\"t\">");
		put_time(h, &lt);
		put(h, "</td></tr>\n");
	}
	put(h, "</tbody></table></div>\n</section>\n");
}

static void ports_section(struct html *h)
{
	const struct mm_report *r = h->r;
	struct hrow *rows;
	size_t i;

	put(h, "<section id=\"ports\"><h2>Top destination ports</h2>\n");
	if (!r->ntop_ports) {
		empty(h, "ports-empty", "No packets in the period.");
		put(h, "</section>\n");
		return;
	}
	if (!(rows = calloc(r->ntop_ports, sizeof(*rows)))) {
		h->err = MM_ERR_NOMEM;
		return;
	}
	for (i = 0; i < r->ntop_ports; i++) {
		const struct mm_port_stat *p = &r->top_ports[i];
		mm_fmt_service(p->proto, p->port, rows[i].label, sizeof(rows[i].label));
		snprintf(rows[i].sub, sizeof(rows[i].sub), "%s", service_desc(p->proto, p->port));
		rows[i].value = p->packets;
		rows[i].fill = 0;
	}
	put(h, "<p class=\"note\">Packets of inbound and forwarded traffic by destination "
	       "port.</p>\n");
	hbars(h, "chart-ports", "Top destination ports by packets", "packets", rows, r->ntop_ports,
	      false);
	free(rows);
	put(h, "</section>\n");
}

/* ---- Who: geo, networks, hosting, DNSBL --------------------------------- */

static void group_bars(struct html *h, const char *id, const char *title,
		       const struct mm_group_stat *g, size_t n, bool networks, int fill)
{
	struct hrow *rows;
	size_t i;

	putf(h, "<div><h3>%s</h3>\n", title);
	if (!n) {
		empty(h, NULL, "none");
		put(h, "</div>\n");
		return;
	}
	if (n > 15)
		n = 15;
	if (!(rows = calloc(n, sizeof(*rows)))) {
		h->err = MM_ERR_NOMEM;
		return;
	}
	for (i = 0; i < n; i++) {
		snprintf(rows[i].label, sizeof(rows[i].label), "%s", g[i].key);
		if (networks)
			snprintf(rows[i].sub, sizeof(rows[i].sub), "%s", g[i].label);
		rows[i].value = g[i].sources;
		rows[i].fill = fill;
	}
	hbars(h, id, title, "sources", rows, n, true);
	free(rows);
	/* the same numbers as a table, with events */
	putf(h,
	     "<table class=\"data\" id=\"%s-table\"><thead><tr><th>%s</th><th "
	     "class=\"num\">sources</th><th class=\"num\">events</th><th class=\"num\">packets</th>"
	     "<th class=\"num\">auth fail</th></tr></thead><tbody>",
	     id, networks ? "network" : "country");
	for (i = 0; i < n; i++) {
		put(h, "<tr><td class=\"wrap\"><span class=\"mono\">");
		esc(h, g[i].key);
		put(h, "</span>");
		if (networks && g[i].label[0]) {
			put(h, " ");
			esc(h, g[i].label);
		}
		put(h, "</td>");
		td_num(h, "sources", g[i].sources);
		td_num(h, "events", g[i].events);
		td_num(h, "packets", g[i].packets);
		td_num(h, "auth_failures", g[i].auth_failures);
		put(h, "</tr>");
	}
	put(h, "</tbody></table></div>\n");
}

static void hosting_share(struct html *h, const struct mm_enrichment *e)
{
	static const int order[3] = {MM_HOSTING_HOSTING, MM_HOSTING_OTHER, MM_HOSTING_UNKNOWN};
	static const int fills[3] = {4, 3, 9};
	static const char *const names[3] = {"hosting / cloud / VPS", "other networks",
					     "unknown network"};
	double W = 470, x0 = 4, w = W - 8, x = x0;
	uint64_t total = 0;
	char b[32];
	int i;

	for (i = 0; i < 3; i++)
		total += e->hosting[i].sources;
	put(h, "<div><h3>Hosting share</h3>\n");
	if (!total) {
		empty(h, NULL, "No sources classified.");
		put(h, "</div>\n");
		return;
	}
	put(h, "<figure><svg id=\"chart-hosting\" role=\"img\" viewBox=\"0 0 470 44\" "
	       "aria-label=\"Share of sources on hosting networks\"><title>Share of sources on "
	       "hosting networks</title>");
	for (i = 0; i < 3; i++) {
		uint64_t v = e->hosting[order[i]].sources;
		double sw = w * (double)v / (double)total;
		if (!v)
			continue;
		putf(h,
		     "<g data-label=\"%s\" data-value=\"%llu\"><title>%s: %s sources (%.1f%%)"
		     "</title><rect x=\"%.2f\" y=\"4\" width=\"%.2f\" height=\"36\" "
		     "fill=\"url(#mm-f%d)\" stroke=\"#fff\"/>",
		     hosting_name(order[i]), (unsigned long long)v, names[i], mm_fmt_num(v, b),
		     pct(v, total), x, sw, fills[i]);
		if (sw > 44)
			putf(h,
			     "<text class=\"pt\" x=\"%.2f\" y=\"27\" text-anchor=\"middle\" "
			     "stroke=\"#1b1f24\" stroke-width=\"3\" paint-order=\"stroke\">%.1f%%"
			     "</text>",
			     x + sw / 2, pct(v, total));
		put(h, "</g>");
		x += sw;
	}
	put(h, "</svg></figure>\n<table class=\"legend\" id=\"hosting-legend\"><tbody>");
	for (i = 0; i < 3; i++) {
		uint64_t v = e->hosting[order[i]].sources;
		putf(h, "<tr data-series=\"%s\"><td>", hosting_name(order[i]));
		swatch(h, fills[i]);
		putf(h, "</td><td><b>%s</b></td>", names[i]);
		td_num(h, "sources", v);
		put(h, "<td class=\"muted\">sources</td>");
		putf(h, "<td class=\"num\" data-key=\"share\">%.1f%%</td>", pct(v, total));
		td_num(h, "events", e->hosting[order[i]].events);
		put(h, "<td class=\"muted\">events</td></tr>");
	}
	put(h, "</tbody></table></div>\n");
}

static void dnsbl_share(struct html *h, const struct mm_enrichment *e)
{
	struct hrow rows[MM_DNSBL_MAX_ZONES];
	size_t z, n = e->nzones < MM_DNSBL_MAX_ZONES ? e->nzones : MM_DNSBL_MAX_ZONES;
	char b[32];

	put(h, "<div><h3>DNS blocklists</h3>\n");
	if (!n || !e->dnsbl_checked) {
		empty(h, NULL, "No DNSBL checks ran.");
		put(h, "</div>\n");
		return;
	}
	memset(rows, 0, sizeof(rows));
	for (z = 0; z < n; z++) {
		snprintf(rows[z].label, sizeof(rows[z].label), "%s", e->zones[z].zone);
		rows[z].value = e->dnsbl_listed[z];
		rows[z].of = e->dnsbl_checked;
		rows[z].fill = 4;
	}
	hbars(h, "chart-dnsbl", "Sources listed per DNSBL zone", "sources listed", rows, n, true);
	putf(h, "<p class=\"note\" id=\"dnsbl-stats\">%s sources checked; ",
	     mm_fmt_num(e->dnsbl_checked, b));
	putf(h, "%s queries, ", mm_fmt_num(e->dnsbl.queries, b));
	putf(h, "%s timeouts, ", mm_fmt_num(e->dnsbl.timeouts, b));
	putf(h, "%s SERVFAIL, ", mm_fmt_num(e->dnsbl.servfails, b));
	putf(h, "%s other errors.</p>\n", mm_fmt_num(e->dnsbl.errors, b));
	put(h, "</div>\n");
}

static void groups_table(struct html *h, const struct mm_enrichment *e)
{
	char label[96], b[32];
	size_t i, c;

	put(h, "<h3>Who is behind each kind of finding</h3>\n");
	if (!e->ngroups) {
		empty(h, "groups-empty", "No findings with sources.");
		return;
	}
	put(h, "<div class=\"scroll\"><table id=\"groups-table\"><thead><tr><th>kind</th><th>"
	       "service</th><th class=\"num\">sources</th><th class=\"num\">on hosting</th><th "
	       "class=\"num\">DNSBL listed</th><th>top countries</th></tr></thead><tbody>\n");
	for (i = 0; i < e->ngroups; i++) {
		const struct mm_finding_group *g = &e->groups[i];
		const char *kn = mm_finding_kind_name(g->kind);
		putf(h, "<tr data-kind=\"%s\"><td><span class=\"kind\">%s</span></td><td>", kn, kn);
		if (g->port >= 0) {
			mm_fmt_service(g->proto, g->port, label, sizeof(label));
			esc(h, label);
		} else {
			put(h, "\u2013");
		}
		put(h, "</td>");
		td_num(h, "sources", g->sources);
		putf(h,
		     "<td class=\"num\" data-key=\"hosting\" data-value=\"%u\">%s "
		     "<span class=\"muted\">(%.0f%%)</span></td>",
		     g->hosting, mm_fmt_num(g->hosting, b), pct(g->hosting, g->sources));
		putf(h,
		     "<td class=\"num\" data-key=\"listed\" data-value=\"%u\">%s "
		     "<span class=\"muted\">(%.0f%%)</span></td><td>",
		     g->listed, mm_fmt_num(g->listed, b), pct(g->listed, g->sources));
		for (c = 0; c < g->ntop_countries && c < 5; c++) {
			put(h, c ? ", " : "");
			put(h, "<span class=\"cc\">");
			esc(h, g->top_countries[c].key);
			putf(h, "</span>\u00a0%s", mm_fmt_num(g->top_countries[c].sources, b));
		}
		put(h, "</td></tr>\n");
	}
	put(h, "</tbody></table></div>\n");
}

static void geo_section(struct html *h)
{
	const struct mm_enrichment *e = h->r->enrich;

	put(h, "<section id=\"geo\" class=\"break\"><h2>Who: countries, networks, hosting, "
	       "blocklists</h2>\n");
	if (!e) {
		empty(h, "geo-unavailable",
		      "geo data unavailable: no enrichment ran for this report (countries, "
		      "networks, hosting share and DNSBL listings need it).");
		put(h, "</section>\n");
		return;
	}
	if (e->geo_status) {
		put(h, "<p class=\"note\" id=\"geo-status\">");
		esc(h, e->geo_status);
		put(h, "</p>\n");
	}
	if (!e->have_geo) {
		empty(h, "geo-unavailable",
		      "geo data unavailable: countries and networks unknown.");
	} else {
		put(h, "<div class=\"cols\">");
		group_bars(h, "chart-countries", "Top countries (by sources)", e->countries,
			   e->ncountries, false, 0);
		group_bars(h, "chart-networks", "Top networks (by sources)", e->networks,
			   e->nnetworks, true, 2);
		put(h, "</div>\n");
	}
	put(h, "<div class=\"cols\">");
	hosting_share(h, e);
	dnsbl_share(h, e);
	put(h, "</div>\n");
	groups_table(h, e);
	put(h, "</section>\n");
}

/* ---- Limits and footer ------------------------------------------------- */

static void limits(struct html *h)
{
	const struct mm_report *r = h->r;
	char a[32], b[32], c[32];

	if (!r->detect.evicted && !r->totals.sources_untracked && !r->totals.cells_untracked &&
	    !r->detect.findings_dropped)
		return;
	putf(h,
	     "<p class=\"note\" id=\"limits\"><b>Memory caps reached:</b> %s detector keys "
	     "evicted, %s events from untracked sources, %s timeline cells untracked, ",
	     mm_fmt_num(r->detect.evicted, a), mm_fmt_num(r->totals.sources_untracked, b),
	     mm_fmt_num(r->totals.cells_untracked, c));
	putf(h, "%s findings not stored; raise logs.max_keys to keep more.</p>\n",
	     mm_fmt_num(r->detect.findings_dropped, a));
}

static void footer(struct html *h)
{
	const struct mm_report *r = h->r;

	put(h, "<footer><p>Made by <b>mamori ");
	esc(h, r->version ? r->version : "");
	put(h, "</b> (<span class=\"mono\">mamori logs --html</span>) from the inputs listed "
	       "above. The page is self-contained: no scripts, no fonts or images fetched; charts "
	       "are drawn by mamori. Times are the logs' own wall clock with its UTC offset.</p>");
	if (r->enrich && r->enrich->attribution && r->enrich->attribution[0]) {
		put(h, "<p class=\"attr\" id=\"attribution\">");
		esc(h, r->enrich->attribution);
		put(h, "</p>");
	}
	put(h, "</footer>\n");
}

int mm_report_html(const struct mm_report *r, FILE *out)
{
	struct html h = {.r = r};
	struct axis ax;
	bool have_axis;
	char t1[MM_TIME_STRLEN];

	mm_buf_init(&h.b, HTML_MAX);
	have_axis = axis_init(&ax, r);
	if (r->totals.first.set)
		memcpy(h.year, mm_time_format(&r->totals.first, false, t1), 4);
	put(&h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<meta name=\"generator\" content=\"mamori ");
	esc(&h, r->version ? r->version : "");
	put(&h, "\">\n<title>mamori log report");
	if (r->totals.first.set)
		putf(&h, ", %.10s", mm_time_format(&r->totals.first, false, t1));
	if (r->totals.last.set)
		putf(&h, " to %.10s", mm_time_format(&r->totals.last, false, t1));
	put(&h, "</title>\n<style>\n");
	put(&h, css);
	put(&h, "</style>\n</head>\n<body>\n");
	defs(&h);
	header(&h);
	timeline_section(&h, &ax, have_axis);
	findings_time_section(&h, &ax, have_axis);
	findings_section(&h);
	sources_section(&h);
	ports_section(&h);
	geo_section(&h);
	limits(&h);
	footer(&h);
	put(&h, "</body>\n</html>\n");
	if (!h.err && fwrite(h.b.data, 1, h.b.len, out) != h.b.len)
		h.err = MM_ERR_IO;
	if (!h.err && fflush(out) != 0)
		h.err = MM_ERR_IO;
	mm_buf_release(&h.b);
	return h.err;
}
