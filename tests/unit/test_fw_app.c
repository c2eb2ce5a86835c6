/* SPDX-License-Identifier: MIT */
/*
 * Application profiles: the corpus tests/data/fw/apps.txt (profile file,
 * parsed profiles or exact error), loading directories (order, override,
 * a bad file named with its line), application rules (parse, resolve,
 * canonical form, unknown names with line numbers in a rules file,
 * rendering one nft rule per part) and the shipped profiles in data/apps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "corpus.h"
#include "mamori/fw.h"

static int fmt_app(const struct mm_fw_app *a, struct mm_buf *b)
{
	int rc = mm_buf_addf(b, "%s|", a->name);
	unsigned i, k;

	for (i = 0; rc == 0 && i < a->nspec; i++) {
		const struct mm_fw_appspec *s = &a->spec[i];

		rc = mm_buf_addf(b, "%s%s:", i ? ";" : "",
				 s->proto == 6	  ? "tcp"
				 : s->proto == 17 ? "udp"
						  : "any");
		for (k = 0; rc == 0 && k < s->ports.n; k++) {
			if (s->ports.r[k].lo == s->ports.r[k].hi)
				rc = mm_buf_addf(b, "%s%u", k ? "," : "", s->ports.r[k].lo);
			else
				rc = mm_buf_addf(b, "%s%u:%u", k ? "," : "", s->ports.r[k].lo,
						 s->ports.r[k].hi);
		}
	}
	return rc;
}

static int run_case(const char *path, unsigned long at, const char *title, struct mm_buf *text,
		    struct mm_buf *want)
{
	struct mm_fw_apps apps;
	struct mm_err err = {0};
	struct mm_buf got;
	size_t i;
	int rc, fails = 0;

	mm_fw_apps_init(&apps);
	mm_buf_init(&got, 1 << 16);
	rc = mm_fw_apps_parse_buffer(&apps, "p", text->data ? text->data : "", text->len, &err);
	if (rc < 0) {
		(void)mm_buf_addf(&got, "! %s\n", err.msg);
		assert_int_equal(apps.n, 0);
	} else {
		for (i = 0; i < apps.n; i++) {
			(void)mm_buf_adds(&got, "> ");
			(void)fmt_app(&apps.v[i], &got);
			(void)mm_buf_addc(&got, '\n');
		}
	}
	if (!got.data || !want->data || strcmp(got.data, want->data) != 0) {
		fprintf(stderr, "%s:%lu: %s:\n  got:\n%s  want:\n%s", path, at, title,
			got.data ? got.data : "", want->data ? want->data : "");
		fails++;
	}
	mm_buf_release(&got);
	mm_fw_apps_release(&apps);
	return fails;
}

static void test_corpus(void **state)
{
	int cases, fails;

	(void)state;
	fails = mm_case_file_run(mm_test_data("fw/apps.txt"), ">!", true, run_case, &cases);
	assert_true(cases >= 20);
	assert_int_equal(fails, 0);
}

static char tmpdir[64];

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_dirs(void **state)
{
	char a[128], b[128], want[256];
	const char *dirs[3];
	struct mm_fw_apps apps;
	struct mm_err err = {0};
	const struct mm_fw_app *p;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mm-apps.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(a, sizeof(a), "%s/shipped", tmpdir);
	snprintf(b, sizeof(b), "%s/local", tmpdir);
	assert_int_equal(mkdir(a, 0755), 0);
	assert_int_equal(mkdir(b, 0755), 0);
	write_file(a, "web", "[Web]\ntitle=w\nports=80/tcp\n[Mail]\ntitle=m\nports=25/tcp\n");
	write_file(a, "web~", "[Backup]\ntitle=b\nports=1\n");
	write_file(a, ".hidden", "[Hidden]\ntitle=h\nports=1\n");
	write_file(b, "a-local", "[Web]\ntitle=local web\nports=8080/tcp\n");
	write_file(b, "b-broken", "[Ok]\ntitle=o\nports=1\n[Broken]\ntitle=b\nports=http\n");
	write_file(b, "c-after", "[After]\ntitle=a\nports=2/udp\n");
	dirs[0] = a;
	dirs[1] = "/nonexistent/mamori-apps";
	dirs[2] = b;
	mm_fw_apps_init(&apps);
	assert_int_equal(mm_fw_apps_load_dirs(&apps, dirs, 3, &err), MM_ERR_PARSE);
	snprintf(want, sizeof(want), "%s/b-broken:6: bad ports 'http'", b);
	assert_string_equal(err.msg, want);
	mm_fw_apps_sort(&apps);
	/* the broken file contributes nothing; the others load */
	assert_int_equal(apps.n, 3);
	assert_string_equal(apps.v[0].name, "After");
	assert_string_equal(apps.v[1].name, "Mail");
	assert_string_equal(apps.v[2].name, "Web");
	p = mm_fw_apps_find(&apps, "Web", 3);
	assert_non_null(p);
	assert_string_equal(p->title, "local web"); /* a later directory overrides */
	assert_int_equal(p->spec[0].ports.r[0].lo, 8080);
	assert_null(mm_fw_apps_find(&apps, "web", 3)); /* names are case-sensitive */
	assert_null(mm_fw_apps_find(&apps, "Ok", 2));
	mm_fw_apps_release(&apps);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		assert_int_equal(system(cmd), 0);
	}
}

static void load_test_apps(struct mm_fw_apps *apps)
{
	static const char text[] = "[OpenSSH]\ntitle=s\nports=22/tcp\n"
				   "[Nginx Full]\ntitle=n\nports=80,443/tcp|443/udp\n"
				   "[Bind9]\ntitle=b\nports=53\n"
				   "[Udp]\ntitle=u\nports=9/udp\n";
	struct mm_err err = {0};

	mm_fw_apps_init(apps);
	assert_int_equal(mm_fw_apps_parse_buffer(apps, "t", text, sizeof(text) - 1, &err), 0);
}

static void test_rules(void **state)
{
	static const struct {
		const char *in, *out; /* out NULL: error in msg */
		const char *msg;
	} cases[] = {
	    {"allow OpenSSH", "allow OpenSSH", NULL},
	    {"allow \"Nginx Full\"", "allow \"Nginx Full\"", NULL},
	    {"allow 'Nginx Full' comment 'web'", "allow \"Nginx Full\" comment \"web\"", NULL},
	    {"deny in on eth0 log Bind9", "deny in on eth0 log Bind9", NULL},
	    {"allow from 192.0.2.0/24 to any app \"Nginx Full\"",
	     "allow from 192.0.2.0/24 to any app \"Nginx Full\"", NULL},
	    {"allow to 2001:db8::1 app OpenSSH", "allow from any to 2001:db8::1 app OpenSSH", NULL},
	    {"allow from any to any app OpenSSH", "allow OpenSSH", NULL},
	    {"allow ssh", "allow 22/tcp", NULL}, /* a service name wins */
	    {"allow Nope", NULL,
	     "unknown service or app profile 'Nope' (see 'mamori firewall "
	     "app list')"},
	    {"allow OpenSSH/tcp", NULL, "unknown service or app profile 'OpenSSH'"},
	    {"allow to any app OpenSSH port 22", NULL,
	     "an application rule takes its ports and protocols from the profile ('port' and "
	     "'proto' not allowed)"},
	    {"allow to any app OpenSSH proto tcp", NULL,
	     "an application rule takes its ports and protocols from the profile ('port' and "
	     "'proto' not allowed)"},
	    {"allow from any app OpenSSH", "allow from any app OpenSSH to any", NULL},
	    {"allow from 192.0.2.1 app Bind9 to any app OpenSSH",
	     "allow from 192.0.2.1 app Bind9 to any app OpenSSH", NULL},
	    {"allow from any app OpenSSH to any app Udp", NULL,
	     "application profiles 'OpenSSH' and 'Udp' share no protocol"},
	    {"allow from any port 53 app Bind9", NULL, "'port' and 'app' on one side"},
	    {"allow from any app Bind9 to any port 22", NULL,
	     "an application rule takes its ports and protocols from the profile ('port' and "
	     "'proto' not allowed)"},
	    {"allow app OpenSSH", NULL, "'app' must follow 'from ADDR' or 'to ADDR'"},
	    {"allow to any app", NULL, "'app' needs an application profile name"},
	    {"allow to any app \"Nginx Full", NULL, "unterminated application name"},
	    {"allow to any app \"1x\"", NULL, "bad application profile name '1x'"},
	};
	struct mm_fw_apps apps;
	size_t i;

	(void)state;
	load_test_apps(&apps);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mm_fw_rule r, r2;
		struct mm_err err = {0};
		struct mm_buf b, b2;
		int rc = mm_fw_rule_parse_apps(cases[i].in, strlen(cases[i].in), &apps, &r, &err);

		if (!cases[i].out) {
			if (rc >= 0 || strcmp(err.msg, cases[i].msg) != 0)
				fail_msg("'%s': got %s, want error %s", cases[i].in,
					 rc < 0 ? err.msg : "success", cases[i].msg);
			continue;
		}
		if (rc < 0)
			fail_msg("'%s': %s", cases[i].in, err.msg);
		assert_int_equal(mm_fw_rule_validate(&r, &err), 0);
		mm_buf_init(&b, 4096);
		mm_buf_init(&b2, 4096);
		assert_int_equal(mm_fw_rule_format(&r, &b), 0);
		assert_string_equal(b.data, cases[i].out);
		assert_int_equal(mm_fw_rule_parse_apps(b.data, b.len, &apps, &r2, &err), 0);
		assert_true(mm_fw_rule_eq(&r, &r2));
		assert_int_equal(mm_fw_rule_format(&r2, &b2), 0);
		assert_string_equal(b.data, b2.data);
		mm_buf_release(&b);
		mm_buf_release(&b2);
	}
	mm_fw_apps_release(&apps);
}

static void test_source_app(void **state)
{
	static const char text[] = "allow from 192.0.2.1 app Bind9 to any app OpenSSH\n"
				   "allow from any app Bind9\n";
	struct mm_fw_apps apps;
	struct mm_fw_ruleset rs;
	struct mm_err err = {0};
	struct mm_buf b;

	(void)state;
	load_test_apps(&apps);
	mm_fw_ruleset_init(&rs);
	rs.apps = &apps;
	assert_int_equal(mm_fw_parse_buffer(&rs, "f", text, sizeof(text) - 1, 0, &err), 0);
	mm_buf_init(&b, 1 << 20);
	assert_int_equal(mm_fw_render(&rs, 0, &b, &err), 0);
	/* Bind9 (53, both protocols) from, OpenSSH (22/tcp) to: the tcp pair only */
	assert_non_null(
	    strstr(b.data, "\t\tip saddr 192.0.2.1/32 tcp sport 53 tcp dport 22 counter accept\n"));
	assert_null(strstr(b.data, "udp sport 53 tcp"));
	assert_non_null(
	    strstr(b.data, "\t\tmeta l4proto { tcp, udp } th sport 53 counter accept\n"));
	mm_buf_release(&b);
	mm_fw_ruleset_release(&rs);
	mm_fw_apps_release(&apps);
}

static void test_rules_file(void **state)
{
	static const char text[] = "allow OpenSSH\n# c\nallow from 10.0.0.0/8 to any app "
				   "\"Nginx Full\"\nlimit Bind9\nallow Gone\n";
	struct mm_fw_apps apps;
	struct mm_fw_ruleset rs;
	struct mm_err err = {0};
	struct mm_buf b;
	char why[256];
	struct mm_addr c, s;

	(void)state;
	load_test_apps(&apps);
	/* without profiles, an application rule is an unknown name on its line */
	mm_fw_ruleset_init(&rs);
	assert_true(mm_fw_parse_buffer(&rs, "f", text, sizeof(text) - 1, 0, &err) < 0);
	assert_string_equal(err.msg, "f:1: unknown service or app profile 'OpenSSH' (see 'mamori "
				     "firewall app list')");
	mm_fw_ruleset_release(&rs);
	/* with them, the profile that is gone is the error */
	mm_fw_ruleset_init(&rs);
	rs.apps = &apps;
	assert_true(mm_fw_parse_buffer(&rs, "f", text, sizeof(text) - 1, 0, &err) < 0);
	assert_string_equal(err.msg, "f:5: unknown service or app profile 'Gone' (see 'mamori "
				     "firewall app list')");
	mm_fw_ruleset_release(&rs);

	mm_fw_ruleset_init(&rs);
	rs.apps = &apps;
	assert_int_equal(mm_fw_parse_buffer(&rs, "f", text, sizeof(text) - 12, 0, &err), 0);
	assert_int_equal(rs.nrules, 3);
	mm_buf_init(&b, 1 << 20);
	assert_int_equal(mm_fw_serialize(&rs, &b), 0);
	assert_non_null(strstr(b.data, "\nallow OpenSSH\nallow from 10.0.0.0/8 to any app \"Nginx "
				       "Full\"\nlimit Bind9\n"));
	mm_buf_reset(&b);
	assert_int_equal(mm_fw_render(&rs, 0, &b, &err), 0);
	/* one nft rule per part of the profile */
	assert_non_null(strstr(b.data, "\t\ttcp dport 22 counter accept\n"));
	assert_non_null(
	    strstr(b.data, "\t\tip saddr 10.0.0.0/8 tcp dport { 80, 443 } counter accept\n"));
	assert_non_null(strstr(b.data, "\t\tip saddr 10.0.0.0/8 udp dport 443 counter accept\n"));
	assert_non_null(strstr(b.data, "\t\tmeta l4proto { tcp, udp } th dport 53 ct state new "
				       "update @lim3_4"));
	mm_buf_reset(&b);
	assert_int_equal(mm_fw_render_append(&rs, 1, &b, &err), 0);
	assert_string_equal(b.data, "add rule inet mamori user_in ip saddr 10.0.0.0/8 tcp dport { "
				    "80, 443 } counter accept\n"
				    "add rule inet mamori user_in ip saddr 10.0.0.0/8 udp dport "
				    "443 counter accept\n");
	/* the lockout check sees the profile's port */
	rs.enabled = true;
	assert_int_equal(mm_addr_parse("198.51.100.1", 12, &c), 0);
	assert_int_equal(mm_addr_parse("192.0.2.1", 9, &s), 0);
	assert_false(mm_fw_would_lock_out(&rs, &c, 40000, &s, 22, why, sizeof(why)));
	assert_true(mm_fw_would_lock_out(&rs, &c, 40000, &s, 2222, why, sizeof(why)));
	mm_buf_release(&b);
	mm_fw_ruleset_release(&rs);
	mm_fw_apps_release(&apps);
}

static void test_shipped(void **state)
{
	static const char *const want[] = {
	    "OpenSSH",
	    "Nginx HTTP",
	    "Nginx HTTPS",
	    "Nginx Full",
	    "Apache",
	    "Apache Secure",
	    "Apache Full",
	    "Postfix",
	    "Postfix SMTPS",
	    "Postfix Submission",
	    "Dovecot IMAP",
	    "Dovecot POP3",
	    "Dovecot Secure IMAP",
	    "Dovecot Secure POP3",
	    "Bind9",
	    "Asterisk",
	    "SIP",
	};
	char dir[4096];
	const char *dirs[1] = {dir};
	struct mm_fw_apps apps;
	struct mm_err err = {0};
	size_t i;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/data/apps", getenv("MM_SRCDIR") ? getenv("MM_SRCDIR") : ".");
	mm_fw_apps_init(&apps);
	if (mm_fw_apps_load_dirs(&apps, dirs, 1, &err) < 0)
		fail_msg("shipped profiles: %s", err.msg);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!mm_fw_apps_find(&apps, want[i], strlen(want[i])))
			fail_msg("no shipped profile %s", want[i]);
	assert_int_equal(mm_fw_apps_find(&apps, "OpenSSH", 7)->spec[0].ports.r[0].lo, 22);
	mm_fw_apps_release(&apps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus),     cmocka_unit_test(test_dirs),
	    cmocka_unit_test(test_rules),      cmocka_unit_test(test_source_app),
	    cmocka_unit_test(test_rules_file), cmocka_unit_test(test_shipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
