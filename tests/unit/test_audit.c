/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>

#include <cmocka.h>

#include "lib/audit/audit_int.h"
#include "mamori/audit.h"

struct inc {
	unsigned calls;
	char last[64];
};

/* An Include that feeds a fixed drop-in, as reading a glob would. */
static int fake_include(struct mm_sshcfg *cfg, const char *pattern, void *ctx)
{
	struct inc *ic = ctx;
	static const char drop[] = "PasswordAuthentication yes\nInclude again.conf\n";

	ic->calls++;
	snprintf(ic->last, sizeof(ic->last), "%s", pattern);
	return mm_sshcfg_feed(cfg, "drop.conf", drop, sizeof(drop) - 1);
}

static void test_first_value_wins(void **state)
{
	static const char text[] = "# comment\n"
				   "  \n"
				   "Include d/*.conf\n"
				   "PasswordAuthentication no\n"
				   "permitrootlogin=yes\n"
				   "MaxAuthTries   = 10  \r\n"
				   "MaxAuthTries 3\n"
				   "ListenAddress 127.0.0.1\n"
				   "ListenAddress ::1\n"
				   "Match User bob\n"
				   "\tX11Forwarding yes\n"
				   "Match all\n"
				   "AllowAgentForwarding no\n"
				   "novalue\n";
	struct mm_sshcfg cfg;
	struct inc ic = {0, ""};
	const struct mm_sshcfg_entry *e;
	size_t i, nlisten = 0;

	(void)state;
	mm_sshcfg_init(&cfg);
	cfg.include = fake_include;
	cfg.ctx = &ic;
	assert_int_equal(mm_sshcfg_feed(&cfg, "main", text, sizeof(text) - 1), 0);
	/* the drop-in includes itself again: bounded by the depth cap */
	assert_true(ic.calls >= 2 && ic.calls <= 17);
	e = mm_sshcfg_get(&cfg, "passwordauthentication");
	assert_non_null(e);
	assert_string_equal(e->value, "yes");
	assert_string_equal(e->file, "drop.conf");
	assert_int_equal(e->line, 1);
	e = mm_sshcfg_get(&cfg, "permitrootlogin");
	assert_string_equal(e->value, "yes");
	e = mm_sshcfg_get(&cfg, "maxauthtries");
	assert_string_equal(e->value, "10");
	assert_int_equal(e->line, 6);
	assert_null(mm_sshcfg_get(&cfg, "x11forwarding")); /* only inside Match */
	assert_string_equal(mm_sshcfg_get(&cfg, "allowagentforwarding")->value, "no");
	for (i = 0; i < cfg.n; i++)
		nlisten += strcmp(cfg.v[i].key, "listenaddress") == 0;
	assert_int_equal(nlisten, 2);
	assert_int_equal(cfg.nmatch, 1);
	assert_int_equal(cfg.nbad, 1);
	mm_sshcfg_release(&cfg);
	mm_sshcfg_release(&cfg);
}

static void test_garbage(void **state)
{
	char junk[4096];
	struct mm_sshcfg cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 131 + 7);
	mm_sshcfg_init(&cfg);
	assert_int_equal(mm_sshcfg_feed(&cfg, "junk", junk, sizeof(junk)), 0);
	assert_int_equal(mm_sshcfg_feed(&cfg, "empty", "", 0), 0);
	mm_sshcfg_release(&cfg);
}

static void test_registry(void **state)
{
	const struct mm_audit_check *c;
	size_t n, i, j;

	(void)state;
	c = mm_audit_checks(&n);
	assert_true(n >= 20);
	for (i = 0; i < n; i++) {
		assert_non_null(c[i].fix);
		assert_true(strlen(c[i].explain) > 10);
		assert_ptr_equal(mm_audit_check_find(c[i].id), &c[i]);
		for (j = i + 1; j < n; j++)
			assert_string_not_equal(c[i].id, c[j].id);
	}
	assert_non_null(mm_audit_check_find("ssh-password"));
	assert_null(mm_audit_check_find("SSH-NOPE"));
	assert_int_equal(mm_audit_area_parse("firewall"), MM_AUDIT_FIREWALL);
	assert_int_equal(mm_audit_area_parse("nope"), -1);
	assert_int_equal(mm_audit_sev_parse("medium"), MM_SEV_MEDIUM);
	assert_string_equal(mm_audit_sev_name(MM_SEV_HIGH), "high");
}

static void test_report_json(void **state)
{
	struct mm_audit_report rep;
	struct mm_audit_finding f[2];
	struct mm_buf b;

	(void)state;
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(mm_audit_score(&rep), 100);
	assert_int_equal(mm_audit_max_sev(&rep), -1);
	f[0].check = mm_audit_check_find("SSH-PASSWORD");
	f[0].evidence = (char *)(uintptr_t) "a:1: \"quoted\"";
	f[1].check = mm_audit_check_find("SSH-X11-FORWARDING");
	f[1].evidence = (char *)(uintptr_t) "b:2";
	rep.findings = f;
	rep.nfindings = 2;
	rep.areas_run = 1;
	assert_int_equal(mm_audit_score(&rep), 100 - 15 - 2);
	assert_int_equal(mm_audit_max_sev(&rep), MM_SEV_HIGH);
	mm_buf_init(&b, 1 << 16);
	assert_int_equal(mm_audit_to_json(&rep, &b), 0);
	assert_non_null(strstr(b.data, "\"evidence\":\"a:1: \\\"quoted\\\"\""));
	assert_non_null(strstr(b.data, "\"areas\":[\"sshd\"]"));
	mm_buf_release(&b);
	mm_audit_report_release(NULL);
}

/* the cases of dpkg's own version tests (lib/dpkg/t/t-version.c) */
static void test_vercmp(void **state)
{
	(void)state;
	assert_int_equal(audit_vercmp("1.0", "1.0"), 0);
	assert_true(audit_vercmp("1.0", "1.1") < 0);
	assert_true(audit_vercmp("1:0.1", "2.0") > 0);
	assert_true(audit_vercmp("1.0~rc1", "1.0") < 0);
	assert_true(audit_vercmp("1.0~~", "1.0~") < 0);
	assert_true(audit_vercmp("1.0-1", "1.0-1+deb12u1") < 0);
	assert_true(audit_vercmp("3.0.11-1~deb12u1", "3.0.15-1~deb12u1") < 0);
	assert_true(audit_vercmp("1.0.9-2+b6", "1.0.9-2+deb12u1") < 0);
	assert_true(audit_vercmp("2.1.12-stable-8", "2.1.12-stable-8+deb12u1") < 0);
	assert_true(audit_vercmp("1.10", "1.9") > 0);
	assert_true(audit_vercmp("1.001", "1.1") == 0);
	assert_true(audit_vercmp("1.0a", "1.0") > 0);
	assert_true(audit_vercmp("1.0+", "1.0.") < 0);
}

/* host names from a root: /etc/hostname and its line in /etc/hosts, no DNS */
static void test_host_names(void **state)
{
	struct audit_ctx c;
	struct audit_names *nm = calloc(1, sizeof(*nm));
	const char *src = getenv("MM_SRCDIR");

	(void)state;
	assert_non_null(nm);
	memset(&c, 0, sizeof(c));
	snprintf(c.root, sizeof(c.root), "%s/tests/data/audit/names", src ? src : ".");
	audit_host_names(&c, nm);
	assert_int_equal(nm->n, 2);
	assert_string_equal(nm->v[0], "web1");
	assert_string_equal(nm->v[1], "web1.example.org");
	assert_int_equal(audit_names_add(nm, "WEB1.example.org.", 17), 0); /* known */
	assert_int_equal(audit_names_add(nm, "localhost.localdomain", 21), 0);
	assert_int_equal(audit_names_add(nm, "bad name", 8), 0);
	assert_int_equal(audit_names_add(nm, "*.example.org", 13), 1);
	free(nm);
}

static int parse_str(const char *s, struct audit_http_resp *r)
{
	return audit_http_parse(s, strlen(s), r);
}

static void test_http_parse(void **state)
{
	static const char redirect[] = "HTTP/1.1 301 Moved Permanently\r\n"
				       "Server: nginx/1.22.1\r\n"
				       "location:  https://www.example.org/ \r\n"
				       "Location: http://second.example/\r\n\r\nbody";
	static const char content[] = "HTTP/1.0 200 OK\nContent-Type: text/html\n\n<html>";
	struct audit_http_resp r;

	(void)state;
	assert_int_equal(audit_http_parse(redirect, sizeof(redirect) - 1, &r), 0);
	assert_int_equal(r.status, 301);
	assert_string_equal(r.reason, "Moved Permanently");
	assert_string_equal(r.location, "https://www.example.org/"); /* first one wins */
	assert_string_equal(r.server, "nginx/1.22.1");
	assert_true(r.complete);
	assert_int_equal(audit_http_parse(content, sizeof(content) - 1, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.location, "");
	assert_true(r.complete);
	/* cut short: the status line still counts, the headers are incomplete */
	assert_int_equal(parse_str("HTTP/1.1 204 No Content\r\nServ", &r), 0);
	assert_int_equal(r.status, 204);
	assert_false(r.complete);
	assert_int_equal(parse_str("SSH-2.0-OpenSSH_9.2\r\n", &r), MM_ERR_PARSE);
	assert_int_equal(parse_str("HTTP/1.1 20 OK\r\n", &r), MM_ERR_PARSE);
	assert_int_equal(parse_str("HTTP/1.1 200 OK", &r), MM_ERR_PARSE);
	assert_int_equal(parse_str("", &r), MM_ERR_PARSE);
}

static int web_inc(struct audit_web *w, const char *pattern, void *ctx)
{
	static const char site[] = "server {\n"
				   "  server_name inc.example.org; # comment ; {\n"
				   "  root '/srv/inc';\n"
				   "  user notmain;\n"
				   "}\n";
	unsigned *calls = ctx;

	(*calls)++;
	assert_string_equal(pattern, "sites-enabled/*");
	return audit_nginx_feed(w, "site", site, sizeof(site) - 1);
}

static void test_web_config(void **state)
{
	static const char ngx[] =
	    "user  www-data  www-data;\n"
	    "http {\n"
	    "  include sites-enabled/*;\n"
	    "  server { server_name .example.net \"quoted.example\" _ ~^re$;\n"
	    "    root /srv/a/; location / { root $document_root/x; }\n"
	    "    root relative/path;\n"
	    "  }\n"
	    "}\n"
	    "} } unbalanced ;;; {";
	static const char apache[] = "<VirtualHost *:443>\n"
				     "  ServerName https://shop.example.org:443\n"
				     "  serveralias a.example.org *.wild.example.org\n"
				     "  DocumentRoot \"/var/www/shop\"\n"
				     "  # DocumentRoot /commented\n"
				     "</VirtualHost>\n"
				     "User ${APACHE_RUN_USER}\n"
				     "export APACHE_RUN_USER='apache2'\r\n";
	struct audit_web *w = calloc(1, sizeof(*w));
	unsigned calls = 0;

	(void)state;
	assert_non_null(w);
	w->include = web_inc;
	w->ctx = &calls;
	assert_int_equal(audit_nginx_feed(w, "nginx.conf", ngx, sizeof(ngx) - 1), 0);
	assert_int_equal(calls, 1);
	assert_int_equal(w->nusers, 1); /* "user" inside a block is not the main one */
	assert_string_equal(w->users[0].name, "www-data");
	assert_string_equal(w->users[0].from, "nginx.conf:1");
	assert_int_equal(w->nroots, 2);
	assert_string_equal(w->roots[0].path, "/srv/inc");
	assert_string_equal(w->roots[0].from, "nginx root at site:3");
	assert_string_equal(w->roots[1].path, "/srv/a");
	assert_string_equal(w->roots[1].from, "nginx root at nginx.conf:5");
	assert_int_equal(w->names.n, 3);
	assert_string_equal(w->names.v[0], "inc.example.org");
	assert_string_equal(w->names.v[1], "example.net");
	assert_string_equal(w->names.v[2], "quoted.example");
	assert_int_equal(audit_apache_feed(w, "a.conf", apache, sizeof(apache) - 1), 0);
	assert_int_equal(w->nroots, 3);
	assert_string_equal(w->roots[2].path, "/var/www/shop");
	assert_string_equal(w->roots[2].from, "Apache DocumentRoot at a.conf:4");
	assert_int_equal(w->nusers, 2);
	assert_string_equal(w->users[1].name, "apache2");
	assert_int_equal(w->names.n, 5);
	assert_string_equal(w->names.v[3], "shop.example.org");
	assert_string_equal(w->names.v[4], "a.example.org");
	free(w);
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p = malloc(1 << 20);

	assert_non_null(f);
	assert_non_null(p);
	*n = fread(p, 1, (1 << 20) - 1, f);
	p[*n] = '\0';
	fclose(f);
	return p;
}

/* tests/data/audit/dnf: NAME.out parsed, compared with NAME.expect */
static void test_web_ports(void **state)
{
	static const char ngx[] =
	    "server { listen 8443 ssl http2; listen [::]:8000 default_server;\n"
	    "listen unix:/run/x.sock; listen 443 quic reuseport; listen [::1];\n"
	    "listen 127.0.0.1:8081; listen 99999; }\n";
	static const char apache[] = "Listen 8080\nlisten 0.0.0.0:8444 https\nListen [::]:443\n"
				     "Listen 8445 http\n";
	struct audit_web *w = calloc(1, sizeof(*w));

	(void)state;
	assert_non_null(w);
	assert_int_equal(audit_nginx_feed(w, "n", ngx, sizeof(ngx) - 1), 0);
	assert_int_equal(audit_apache_feed(w, "a", apache, sizeof(apache) - 1), 0);
	assert_true(audit_web_port(w, 8443, true));
	assert_false(audit_web_port(w, 8443, false));
	assert_true(audit_web_port(w, 8000, false));
	assert_true(audit_web_port(w, 8081, false));
	assert_false(audit_web_port(w, 443, false)); /* QUIC is UDP */
	assert_true(audit_web_port(w, 8080, false));
	assert_true(audit_web_port(w, 8444, true));
	assert_true(audit_web_port(w, 443, true)); /* Apache: 443 is https */
	assert_true(audit_web_port(w, 8445, false));
	assert_int_equal(w->nports, 7);
	free(w);
}

static int sites_inc(struct audit_web *w, const char *pattern, void *ctx)
{
	static const char snippet[] = "server_name inc.example.org; listen 8443 ssl;\n";

	(void)pattern;
	(void)ctx;
	return audit_nginx_feed(w, "snippet", snippet, sizeof(snippet) - 1);
}

/* (port, name) of TLS virtual hosts: names meet only the ports of their block */
static void test_web_sites(void **state)
{
	static const char ngx[] =
	    "http {\n"
	    "  upstream app { server 10.0.0.1:8080; server unix:/run/app.sock; }\n"
	    "  server { listen 80; server_name plain.example.org; }\n"
	    "  server { listen 443 ssl; listen [::]:443 ssl; listen 80;\n"
	    "    server_name shop.example.org www.shop.example.org _ *.wild.example.org;\n"
	    "    location / { proxy_pass http://app; } }\n"
	    "  server { server_name late.example.org; listen 8443 ssl http2; }\n"
	    "  server { include snippets/site.conf; }\n"
	    "  server { listen 443 ssl; server_name shop.example.org; }\n"
	    "}\n"
	    "mail { server { listen 993 ssl; server_name mail.example.org; protocol imap; } }\n";
	static const char apache[] = "Listen 8444 https\n"
				     "<VirtualHost *:80>\n ServerName plain.example.net\n"
				     "</VirtualHost>\n"
				     "<VirtualHost *:443 [::]:443>\n"
				     "  ServerName https://a.example.net:443\n"
				     "  ServerAlias b.example.net\n"
				     "</VirtualHost>\n"
				     "<virtualhost 10.0.0.1:9443>\n  SSLEngine on\n"
				     "  ServerName c.example.net\n</virtualhost>\n"
				     "<VirtualHost *:8444>\n  ServerName d.example.net\n"
				     "</VirtualHost>\n"
				     "<VirtualHost *:7443>\n  ServerName open.example.net\n";
	static const struct {
		uint16_t port;
		const char *name;
	} want[] = {
	    {443, "shop.example.org"}, {443, "www.shop.example.org"}, {8443, "late.example.org"},
	    {8443, "inc.example.org"}, {993, "mail.example.org"},     {443, "a.example.net"},
	    {443, "b.example.net"},    {9443, "c.example.net"},	      {8444, "d.example.net"},
	};
	struct audit_web *w = calloc(1, sizeof(*w));
	size_t i, k;

	(void)state;
	assert_non_null(w);
	w->include = sites_inc;
	assert_int_equal(audit_nginx_feed(w, "nginx.conf", ngx, sizeof(ngx) - 1), 0);
	assert_int_equal(audit_apache_feed(w, "a.conf", apache, sizeof(apache) - 1), 0);
	assert_int_equal(w->nsites, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < w->nsites; i++) {
		assert_int_equal(w->sites[i].port, want[i].port);
		assert_string_equal(w->sites[i].name, want[i].name);
	}
	k = 0;
	assert_true(audit_web_site_next(w, 8443, &k));
	assert_string_equal(w->sites[k].name, "late.example.org");
	k++;
	assert_true(audit_web_site_next(w, 8443, &k));
	assert_string_equal(w->sites[k].name, "inc.example.org");
	k++;
	assert_false(audit_web_site_next(w, 8443, &k));
	k = 0;
	assert_false(audit_web_site_next(w, 80, &k));
	assert_false(w->sites_capped);
	free(w);
}

static void test_dnf_corpus(void **state)
{
	const char *src = getenv("MM_SRCDIR");
	char dir[1024], path[1400];
	struct audit_dnf *d = calloc(1, sizeof(*d));
	struct dirent *e;
	DIR *dp;
	unsigned files = 0;

	(void)state;
	assert_non_null(d);
	snprintf(dir, sizeof(dir), "%s/tests/data/audit/dnf", src ? src : ".");
	dp = opendir(dir);
	assert_non_null(dp);
	while ((e = readdir(dp))) {
		size_t l = strlen(e->d_name), n, m, i;
		char *out, *want;
		struct mm_buf got;
		if (l < 5 || strcmp(e->d_name + l - 4, ".out") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		out = slurp(path, &n);
		snprintf(path, sizeof(path), "%s/%.*s.expect", dir, (int)(l - 4), e->d_name);
		want = slurp(path, &m);
		assert_int_equal(audit_dnf_parse(out, n, d), 0);
		mm_buf_init(&got, 1 << 20);
		for (i = 0; i < d->n; i++)
			mm_buf_addf(&got, "%s\t%s\t%s\n", d->v[i].advisory,
				    d->v[i].severity[0] ? d->v[i].severity : "-", d->v[i].package);
		mm_buf_addf(&got, "unparsed %zu\n", d->unparsed);
		if (strcmp(got.data, want) != 0)
			fail_msg("%s: got\n%s\nwant\n%s", e->d_name, got.data, want);
		mm_buf_release(&got);
		free(out);
		free(want);
		files++;
	}
	closedir(dp);
	assert_true(files >= 5);
	free(d);
}

static void test_os_release(void **state)
{
	static const char rocky[] = "NAME=\"Rocky Linux\"\nID=\"rocky\"\n"
				    "ID_LIKE=\"rhel centos fedora\"\n"
				    "PRETTY_NAME=\"Rocky Linux 9.3 (Blue Onyx)\"\n";
	static const char alma[] = "ID=almalinux\r\nID_LIKE='rhel centos fedora'\r\n";
	static const char debian[] = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n";
	static const char ubuntu[] = "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"24.04\"\n";
	char name[128];

	(void)state;
	assert_int_equal(audit_os_release_rhel(rocky, sizeof(rocky) - 1, name, sizeof(name)), 1);
	assert_string_equal(name, "Rocky Linux 9.3 (Blue Onyx)");
	assert_int_equal(audit_os_release_rhel(alma, sizeof(alma) - 1, name, sizeof(name)), 1);
	assert_int_equal(audit_os_release_rhel(debian, sizeof(debian) - 1, name, sizeof(name)), 0);
	assert_string_equal(name, "Debian GNU/Linux 12 (bookworm)");
	assert_int_equal(audit_os_release_rhel(ubuntu, sizeof(ubuntu) - 1, name, sizeof(name)), 0);
	assert_int_equal(audit_os_release_rhel("", 0, name, sizeof(name)), 0);
}

static void test_openssh_version(void **state)
{
	(void)state;
	assert_int_equal(audit_openssh_version("1:9.2p1-2+deb12u3"), 92);
	assert_int_equal(audit_openssh_version("OpenSSH_8.4p1 Debian-5+deb11u3"), 84);
	assert_int_equal(audit_openssh_version("10.0p2"), 100);
	assert_int_equal(audit_openssh_version("7.4p1-21.el7"), 74);
	assert_int_equal(audit_openssh_version("OpenSSH_"), 0);
	assert_int_equal(audit_openssh_version("x9.2"), 0);
	assert_int_equal(audit_openssh_version("9."), 0);
	assert_int_equal(audit_openssh_version(""), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_value_wins), cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_registry),	     cmocka_unit_test(test_report_json),
	    cmocka_unit_test(test_vercmp),	     cmocka_unit_test(test_host_names),
	    cmocka_unit_test(test_http_parse),	     cmocka_unit_test(test_web_config),
	    cmocka_unit_test(test_web_ports),	     cmocka_unit_test(test_web_sites),
	    cmocka_unit_test(test_dnf_corpus),	     cmocka_unit_test(test_os_release),
	    cmocka_unit_test(test_openssh_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
