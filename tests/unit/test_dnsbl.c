/* SPDX-License-Identifier: MIT */
/*
 * DNSBL and reverse DNS against real DNS servers on 127.0.0.1, never the
 * Internet: dnsmasq for the well-behaved answers (listed, NXDOMAIN,
 * NODATA, a list answering with a public address, REFUSED, PTR and
 * forward records), and tests/data/dns/fake_dns.py for what dnsmasq will
 * not do (SERVFAIL, silence, garbage, slow answers, hostile PTR names,
 * counting queries in flight). Servers are started here and killed in
 * teardown; the tests skip only when dnsmasq or python3 is missing.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/enrich/dnsbl_int.h"
#include "mamori/enrich.h"

#define DNSMASQ "/usr/sbin/dnsmasq"

static char tmpdir[256];
static char python[256];
static char fake_script[512];
static bool have_dnsmasq, have_python;
static pid_t dnsmasq_pid = -1;
static char dnsmasq_servers[64];
static char skip_reason[640];

struct fake {
	pid_t pid;
	char servers[64];
	char stats[512];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Upper bounds on how long a lookup may take only prove that the timeouts
 * end the wait (no hang); the slack is generous so that a busy machine
 * cannot fail them. Lower bounds stay exact.
 */
#define SLACK_S 10.0

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static bool find_in_path(const char *name, char *out, size_t outsz)
{
	const char *path = getenv("PATH");
	const char *p;

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p;) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n > 0 && (size_t)snprintf(out, outsz, "%.*s/%s", (int)n, p, name) < outsz &&
		    access(out, X_OK) == 0)
			return true;
		p += n;
		if (*p == ':')
			p++;
	}
	return false;
}

static pid_t spawn(char *const argv[], const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);

		/* never outlive the test, even when it crashes */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (nul >= 0)
			dup2(nul, 0);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void stop(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	waitpid(*pid, NULL, 0);
	*pid = -1;
}

static bool alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

/* A UDP and TCP port on 127.0.0.1 that nobody uses right now. */
static int free_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), port = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static bool udp_port_taken(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	bool taken;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	taken = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == EADDRINUSE;
	close(fd);
	return taken;
}

/* dnsmasq records: blocklist bl.test, a hijacked list pub.test, rDNS */
static char *dnsmasq_records[] = {
    "--address=/2.0.0.127.bl.test/127.0.0.2",
    "--address=/4.0.0.10.bl.test/127.0.0.4",
    /* 127.0.0.3 exists with a TXT record only: NOERROR, no A */
    "--txt-record=3.0.0.127.bl.test,listed-elsewhere",
    /* 2001:db8::1 listed with code 11 */
    ("--address=/1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test/"
     "127.0.0.11"),
    "--local=/bl.test/",
    "--address=/pub.test/203.0.113.7",
    /* FCrDNS: confirmed, forward elsewhere, forward missing, v6 confirmed */
    "--host-record=good.example.test,192.0.2.10",
    "--ptr-record=11.2.0.192.in-addr.arpa,liar.example.test",
    "--host-record=liar.example.test,192.0.2.99",
    "--ptr-record=13.2.0.192.in-addr.arpa,ghost.example.test",
    "--host-record=good6.example.test,2001:db8::10",
    "--local=/example.test/",
    "--local=/in-addr.arpa/",
    "--local=/ip6.arpa/",
};

static int start_dnsmasq(void)
{
	char portarg[32], log[512];
	char *argv[64];
	size_t n = 0, i;
	int port = free_port(), t;

	if (port < 0)
		return -1;
	snprintf(portarg, sizeof(portarg), "--port=%d", port);
	snprintf(log, sizeof(log), "%s/dnsmasq.log", tmpdir);
	argv[n++] = (char *)DNSMASQ;
	argv[n++] = (char *)"--no-resolv";
	argv[n++] = (char *)"--no-hosts";
	argv[n++] = (char *)"--bind-interfaces";
	argv[n++] = (char *)"--listen-address=127.0.0.1";
	argv[n++] = portarg;
	argv[n++] = (char *)"--keep-in-foreground";
	argv[n++] = (char *)"--no-daemon";
	argv[n++] = (char *)"--conf-file=/dev/null";
	argv[n++] = (char *)"--log-facility=-";
	argv[n++] = (char *)"--pid-file=";
	argv[n++] = (char *)"--cache-size=0";
	for (i = 0; i < sizeof(dnsmasq_records) / sizeof(dnsmasq_records[0]); i++)
		argv[n++] = dnsmasq_records[i];
	argv[n] = NULL;
	dnsmasq_pid = spawn(argv, log);
	if (dnsmasq_pid < 0)
		return -1;
	for (t = 0; t < 300; t++) {
		if (!alive(dnsmasq_pid)) {
			dnsmasq_pid = -1;
			return -1;
		}
		if (udp_port_taken(port)) {
			snprintf(dnsmasq_servers, sizeof(dnsmasq_servers), "127.0.0.1:%d", port);
			return 0;
		}
		sleep_ms(10);
	}
	stop(&dnsmasq_pid);
	return -1;
}

static void start_fake(struct fake *f, const char *mode, int delay_ms)
{
	char portfile[512], log[512], delay[32], modearg[64];
	char *argv[16];
	int t;

	memset(f, 0, sizeof(*f));
	f->pid = -1;
	snprintf(portfile, sizeof(portfile), "%s/fake-%s.port", tmpdir, mode);
	snprintf(f->stats, sizeof(f->stats), "%s/fake-%s.stats", tmpdir, mode);
	snprintf(log, sizeof(log), "%s/fake-%s.log", tmpdir, mode);
	snprintf(delay, sizeof(delay), "%d", delay_ms);
	snprintf(modearg, sizeof(modearg), "%s", mode);
	unlink(portfile);
	unlink(f->stats);
	argv[0] = python;
	argv[1] = fake_script;
	argv[2] = (char *)"--mode";
	argv[3] = modearg;
	argv[4] = (char *)"--port-file";
	argv[5] = portfile;
	argv[6] = (char *)"--stats";
	argv[7] = f->stats;
	argv[8] = (char *)"--delay-ms";
	argv[9] = delay;
	argv[10] = NULL;
	f->pid = spawn(argv, log);
	assert_true(f->pid > 0);
	for (t = 0; t < 500; t++) {
		FILE *fp = fopen(portfile, "r");

		if (fp) {
			unsigned port = 0;
			char line[32];

			if (fgets(line, sizeof(line), fp))
				port = (unsigned)strtoul(line, NULL, 10);
			fclose(fp);
			if (port > 0 && port < 65536) {
				snprintf(f->servers, sizeof(f->servers), "127.0.0.1:%u", port);
				return;
			}
		}
		if (!alive(f->pid))
			fail_msg("fake_dns.py %s exited early, see %s", mode, log);
		sleep_ms(10);
	}
	fail_msg("fake_dns.py %s did not start", mode);
}

/* "total=N max_outstanding=M" as written by fake_dns.py */
static void fake_stats(const struct fake *f, long *total, long *maxout)
{
	FILE *fp = fopen(f->stats, "r");
	char line[128] = "";
	const char *p;

	*total = *maxout = -1;
	if (!fp)
		return;
	if (!fgets(line, sizeof(line), fp))
		line[0] = '\0';
	fclose(fp);
	p = strstr(line, "total=");
	if (p)
		*total = strtol(p + 6, NULL, 10);
	p = strstr(line, "max_outstanding=");
	if (p)
		*maxout = strtol(p + 16, NULL, 10);
}

static int group_setup(void **state)
{
	const char *src = getenv("MM_SRCDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mamori-dnsbl.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(fake_script, sizeof(fake_script), "%s/tests/data/dns/fake_dns.py",
		 src ? src : ".");
	have_python =
	    find_in_path("python3", python, sizeof(python)) && access(fake_script, R_OK) == 0;
	have_dnsmasq = access(DNSMASQ, X_OK) == 0;
	if (!have_dnsmasq)
		snprintf(skip_reason, sizeof(skip_reason), "%s is missing (dnsmasq-base)", DNSMASQ);
	else if (!have_python)
		snprintf(skip_reason, sizeof(skip_reason), "python3 or %s is missing", fake_script);
	if (have_dnsmasq && start_dnsmasq() < 0) {
		fprintf(stderr, "dnsmasq failed to start, see %s/dnsmasq.log\n", tmpdir);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	DIR *d;
	struct dirent *e;

	(void)state;
	stop(&dnsmasq_pid);
	/* the directory holds only our logs, port and stats files */
	d = opendir(tmpdir);
	if (d) {
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.')
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(tmpdir);
	return 0;
}

static void need_servers(void)
{
	if (!have_dnsmasq || !have_python) {
		fprintf(stderr, "skipped: %s\n", skip_reason);
		skip();
	}
}

static struct mm_addr A(const char *s) {
	struct mm_addr a;

	memset(&a, 0, sizeof(a));
	assert_int_equal(mm_addr_parse(s, strlen(s), &a), 0);
	return a;
}

static struct mm_dnsbl_zone *
zones_new(const char *const *names, size_t n)
{
	struct mm_dnsbl_zone *z = calloc(n, sizeof(*z));
	size_t i;

	assert_non_null(z);
	for (i = 0; i < n; i++)
		snprintf(z[i].zone, sizeof(z[i].zone), "%s", names[i]);
	return z;
}

/* ---- pure functions ---------------------------------------------- */

static void test_qname(void **state)
{
	struct mm_addr a = A("192.0.2.1"), b = A("2001:db8::1"), none;
	char out[320];

	(void)state;
	assert_int_equal(mm_dnsbl_qname(&a, "bl.test", out, sizeof(out)), 0);
	assert_string_equal(out, "1.2.0.192.bl.test");
	assert_int_equal(mm_dnsbl_qname(&a, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "1.2.0.192.in-addr.arpa");
	assert_int_equal(mm_dnsbl_qname(&b, "bl.test", out, sizeof(out)), 0);
	assert_string_equal(
	    out, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test");
	assert_int_equal(mm_dnsbl_qname(&b, NULL, out, sizeof(out)), 0);
	assert_string_equal(
	    out, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	assert_int_equal(mm_dnsbl_qname(&b, "bl.test", out, 20), MM_ERR_TOOBIG);
	memset(&none, 0, sizeof(none));
	assert_int_equal(mm_dnsbl_qname(&none, "bl.test", out, sizeof(out)), MM_ERR_INVAL);
}

static void test_sanitize(void **state)
{
	char out[256], big[600];

	(void)state;
	assert_true(mm_dnsbl_sanitize_name("host.example.", 13, out, sizeof(out)));
	assert_string_equal(out, "host.example");
	assert_false(mm_dnsbl_sanitize_name("a\x1b[31m.b", 8, out, sizeof(out)));
	assert_string_equal(out, "a??31m.b");
	assert_false(mm_dnsbl_sanitize_name("a\0b", 3, out, sizeof(out)));
	assert_string_equal(out, "a?b");
	assert_false(mm_dnsbl_sanitize_name("a..b", 4, out, sizeof(out)));
	assert_false(mm_dnsbl_sanitize_name(".", 1, out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(mm_dnsbl_sanitize_name("a\\.b", 4, out, sizeof(out)));
	memset(big, 'a', sizeof(big));
	assert_false(mm_dnsbl_sanitize_name(big, sizeof(big), out, sizeof(out)));
	assert_int_equal(strlen(out), 255);
	assert_false(mm_dnsbl_sanitize_name("x", 1, out, 1));
	assert_string_equal(out, "");
}

/* A DNS answer for qname with one A record per ip (answers name the question). */
static size_t build_a_answer(unsigned char *m, size_t cap, const char *qname, const uint32_t *ips,
			     size_t n)
{
	size_t pos = 12, i;
	const char *p = qname;

	memset(m, 0, 12);
	m[0] = 0x12;
	m[2] = 0x81;
	m[3] = 0x80;
	m[5] = 1;
	m[7] = (unsigned char)n;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		m[pos++] = (unsigned char)l;
		memcpy(m + pos, p, l);
		pos += l;
		p += l;
		if (*p == '.')
			p++;
	}
	m[pos++] = 0;
	m[pos++] = 0;
	m[pos++] = 1;
	m[pos++] = 0;
	m[pos++] = 1;
	for (i = 0; i < n; i++) {
		static const unsigned char rr[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4};

		assert_true(pos + sizeof(rr) + 4 <= cap);
		memcpy(m + pos, rr, sizeof(rr));
		pos += sizeof(rr);
		m[pos++] = (unsigned char)(ips[i] >> 24);
		m[pos++] = (unsigned char)(ips[i] >> 16);
		m[pos++] = (unsigned char)(ips[i] >> 8);
		m[pos++] = (unsigned char)ips[i];
	}
	return pos;
}

static void test_interpret(void **state)
{
	unsigned char m[512];
	struct mm_dnsbl_result r;
	struct mm_addr a = A("127.0.0.10");
	uint32_t two[] = {0x7f00000a, 0x7f000004};
	uint32_t pub[] = {0x7f000002, 0xcb007107};
	uint32_t refused[] = {0x7ffffffe};
	bool bogus;
	size_t n;

	(void)state;
	n = build_a_answer(m, sizeof(m), "1.2.0.192.bl.test", two, 2);
	mm_dnsbl_interpret(m, (int)n, &r, &bogus);
	assert_int_equal(r.status, MM_DNS_LISTED);
	assert_int_equal(r.code, 4);
	assert_false(bogus);
	assert_true(mm_dnsbl_forward_has(m, (int)n, &a));
	n = build_a_answer(m, sizeof(m), "1.2.0.192.bl.test", pub, 2);
	mm_dnsbl_interpret(m, (int)n, &r, &bogus);
	assert_int_equal(r.status, MM_DNS_ERROR);
	assert_true(bogus);
	n = build_a_answer(m, sizeof(m), "1.2.0.192.bl.test", refused, 1);
	mm_dnsbl_interpret(m, (int)n, &r, &bogus);
	assert_int_equal(r.status, MM_DNS_ERROR);
	assert_false(bogus);
	/* truncated in the middle of the record */
	mm_dnsbl_interpret(m, (int)n - 3, &r, &bogus);
	assert_int_equal(r.status, MM_DNS_ERROR);
	mm_dnsbl_interpret(m, 5, &r, &bogus);
	assert_int_equal(r.status, MM_DNS_ERROR);
}

static void test_bad_args(void **state)
{
	const char *names[] = {"bad..zone"};
	struct mm_dnsbl_zone *z = zones_new(names, 1);
	struct mm_resolver_opts o = {"not a server list", 100, 1, 4};
	struct mm_addr a = A("192.0.2.1");
	struct mm_dnsbl_result r;
	struct mm_dnsbl_stats st;
	struct mm_rdns_result rr;
	struct mm_err err;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(mm_dnsbl_check(&o, z, 1, &a, 1, &r, &st, &err), MM_ERR_INVAL);
	snprintf(z[0].zone, sizeof(z[0].zone), "bl.test");
	assert_int_equal(mm_dnsbl_check(&o, z, 1, &a, 1, &r, &st, &err), MM_ERR_INVAL);
	assert_non_null(strstr(err.msg, "server list"));
	assert_int_equal(mm_rdns_lookup(&o, &a, 1, &rr, &err), MM_ERR_INVAL);
	assert_int_equal(mm_dnsbl_check(&o, z, 1, &a, 0, NULL, &st, &err), 0);
	assert_int_equal(st.queries, 0);
	assert_int_equal(mm_dnsbl_check(&o, z, MM_DNSBL_MAX_ZONES + 1, &a, 1, &r, &st, &err),
			 MM_ERR_INVAL);
	free(z);
}

/* ---- against dnsmasq --------------------------------------------- */

static void test_dnsbl_v4(void **state)
{
	const char *names[] = {"bl.test", "pub.test", "other.invalid"};
	struct mm_dnsbl_zone *z;
	struct mm_resolver_opts o = {dnsmasq_servers, 1000, 2, 64};
	struct mm_addr addrs[6];
	struct mm_dnsbl_result r[6 * 3];
	struct mm_dnsbl_stats st;
	struct mm_err err;
	size_t i;

	(void)state;
	need_servers();
	z = zones_new(names, 3);
	addrs[0] = A("127.0.0.2");
	addrs[1] = A("10.0.0.4");
	addrs[2] = A("127.0.0.5");
	addrs[3] = A("127.0.0.3");
	addrs[4] = A("127.0.0.2");
	memset(&addrs[5], 0, sizeof(addrs[5])); /* no family: an error, never asked */
	memset(&err, 0, sizeof(err));
	assert_int_equal(mm_dnsbl_check(&o, z, 3, addrs, 6, r, &st, &err), 0);
	assert_int_equal(r[0].status, MM_DNS_LISTED);
	assert_int_equal(r[0].code, 2);
	assert_int_equal(r[3].status, MM_DNS_LISTED);
	assert_int_equal(r[3].code, 4);
	assert_int_equal(r[6].status, MM_DNS_NOT_LISTED); /* NXDOMAIN */
	assert_int_equal(r[9].status, MM_DNS_NOT_LISTED); /* NODATA */
	assert_int_equal(r[12].status, MM_DNS_LISTED);	  /* the duplicate */
	assert_int_equal(r[12].code, 2);
	for (i = 0; i < 6; i++) {
		assert_int_equal(r[i * 3 + 1].status, MM_DNS_ERROR); /* public answer */
		assert_int_equal(r[i * 3 + 2].status, MM_DNS_ERROR); /* REFUSED */
	}
	assert_int_equal(r[15].status, MM_DNS_ERROR);
	assert_int_equal(st.queries, 12);
	assert_int_equal(st.cached, 3);
	assert_int_equal(st.listed, 2);
	assert_int_equal(st.not_listed, 2);
	assert_int_equal(st.errors, 8 + 3);
	assert_int_equal(st.timeouts, 0);
	assert_int_equal(st.servfails, 0);
	free(z);
}

static void test_dnsbl_v6(void **state)
{
	const char *names[] = {"bl.test"};
	struct mm_dnsbl_zone *z;
	struct mm_resolver_opts o = {dnsmasq_servers, 1000, 2, 64};
	struct mm_addr addrs[2];
	struct mm_dnsbl_result r[2];
	struct mm_dnsbl_stats st;
	struct mm_err err;

	(void)state;
	need_servers();
	z = zones_new(names, 1);
	addrs[0] = A("2001:db8::1");
	addrs[1] = A("2001:db8::2");
	assert_int_equal(mm_dnsbl_check(&o, z, 1, addrs, 2, r, &st, &err), 0);
	assert_int_equal(r[0].status, MM_DNS_LISTED);
	assert_int_equal(r[0].code, 11);
	assert_int_equal(r[1].status, MM_DNS_NOT_LISTED);
	assert_int_equal(st.listed, 1);
	assert_int_equal(st.not_listed, 1);
	free(z);
}

static void test_rdns(void **state)
{
	struct mm_resolver_opts o = {dnsmasq_servers, 1000, 2, 2};
	struct mm_addr addrs[7];
	struct mm_rdns_result r[7];
	struct mm_err err;

	(void)state;
	need_servers();
	addrs[0] = A("192.0.2.10");
	addrs[1] = A("192.0.2.11");
	addrs[2] = A("192.0.2.12");
	addrs[3] = A("192.0.2.13");
	addrs[4] = A("2001:db8::10");
	addrs[5] = A("192.0.2.10");
	memset(&addrs[6], 0, sizeof(addrs[6]));
	assert_int_equal(mm_rdns_lookup(&o, addrs, 7, r, &err), 0);
	assert_int_equal(r[0].status, MM_DNS_LISTED);
	assert_string_equal(r[0].name, "good.example.test");
	assert_true(r[0].confirmed);
	assert_int_equal(r[1].status, MM_DNS_LISTED);
	assert_string_equal(r[1].name, "liar.example.test");
	assert_false(r[1].confirmed);
	assert_int_equal(r[2].status, MM_DNS_NOT_LISTED);
	assert_string_equal(r[2].name, "");
	assert_false(r[2].confirmed);
	assert_int_equal(r[3].status, MM_DNS_LISTED);
	assert_string_equal(r[3].name, "ghost.example.test");
	assert_false(r[3].confirmed);
	assert_int_equal(r[4].status, MM_DNS_LISTED);
	assert_string_equal(r[4].name, "good6.example.test");
	assert_true(r[4].confirmed);
	assert_int_equal(r[5].status, MM_DNS_LISTED);
	assert_true(r[5].confirmed);
	assert_int_equal(r[6].status, MM_DNS_ERROR);
}

/* ---- against the fake server -------------------------------------- */

static void test_servfail(void **state)
{
	const char *names[] = {"bl.test"};
	struct mm_dnsbl_zone *z;
	struct mm_resolver_opts o;
	struct mm_addr addrs[2];
	struct mm_dnsbl_result r[2];
	struct mm_dnsbl_stats st;
	struct mm_err err;
	struct fake f;

	(void)state;
	need_servers();
	start_fake(&f, "servfail", 0);
	o = (struct mm_resolver_opts){f.servers, 500, 2, 64};
	z = zones_new(names, 1);
	addrs[0] = A("127.0.0.2");
	addrs[1] = A("2001:db8::7");
	assert_int_equal(mm_dnsbl_check(&o, z, 1, addrs, 2, r, &st, &err), 0);
	assert_int_equal(r[0].status, MM_DNS_SERVFAIL);
	assert_int_equal(r[1].status, MM_DNS_SERVFAIL);
	assert_int_equal(st.servfails, 2);
	assert_int_equal(st.not_listed, 0);
	assert_int_equal(st.listed, 0);
	stop(&f.pid);
	free(z);
}

static void test_refused(void **state)
{
	const char *names[] = {"bl.test"};
	struct mm_dnsbl_zone *z;
	struct mm_resolver_opts o;
	struct mm_addr a = A("127.0.0.2");
	struct mm_dnsbl_result r;
	struct mm_dnsbl_stats st;
	struct mm_rdns_result rr;
	struct mm_err err;
	struct fake f;

	(void)state;
	need_servers();
	start_fake(&f, "refused", 0);
	o = (struct mm_resolver_opts){f.servers, 500, 2, 64};
	z = zones_new(names, 1);
	assert_int_equal(mm_dnsbl_check(&o, z, 1, &a, 1, &r, &st, &err), 0);
	assert_int_equal(r.status, MM_DNS_ERROR);
	assert_int_equal(st.errors, 1);
	assert_int_equal(st.not_listed, 0);
	assert_int_equal(mm_rdns_lookup(&o, &a, 1, &rr, &err), 0);
	assert_int_equal(rr.status, MM_DNS_ERROR);
	stop(&f.pid);
	free(z);
}

static void test_silent(void **state)
{
	const char *names[] = {"bl.test"};
	struct mm_dnsbl_zone *z;
	struct mm_resolver_opts o;
	struct mm_addr addrs[10];
	struct mm_dnsbl_result r[10];
	struct mm_dnsbl_stats st;
	struct mm_rdns_result rr[10];
	struct mm_err err;
	struct fake f;
	double t0, dt;
	long total, maxout;
	size_t i;

	(void)state;
	need_servers();
	start_fake(&f, "silent", 0);
	o = (struct mm_resolver_opts){f.servers, 400, 2, 64};
	z = zones_new(names, 1);
	for (i = 0; i < 10; i++) {
		char s[32];

		snprintf(s, sizeof(s), "198.51.100.%zu", i + 1);
		addrs[i] = A(s);
	}
	t0 = now_s();
	assert_int_equal(mm_dnsbl_check(&o, z, 1, addrs, 10, r, &st, &err), 0);
	dt = now_s() - t0;
	assert_true(dt >= 0.75);
	assert_true(dt < 0.8 + SLACK_S);
	for (i = 0; i < 10; i++)
		assert_int_equal(r[i].status, MM_DNS_TIMEOUT);
	assert_int_equal(st.timeouts, 10);
	assert_int_equal(st.not_listed, 0);
	/* each address tried exactly `tries` times */
	sleep_ms(50);
	fake_stats(&f, &total, &maxout);
	assert_int_equal(total, 20);

	t0 = now_s();
	assert_int_equal(mm_rdns_lookup(&o, addrs, 10, rr, &err), 0);
	dt = now_s() - t0;
	assert_true(dt < 0.8 + SLACK_S);
	for (i = 0; i < 10; i++)
		assert_int_equal(rr[i].status, MM_DNS_TIMEOUT);
	stop(&f.pid);
	free(z);
}

static void test_garbage(void **state)
{
	const char *names[] = {"bl.test"};
	struct mm_dnsbl_zone *z;
	struct mm_resolver_opts o;
	struct mm_addr addrs[40];
	struct mm_dnsbl_result r[40];
	struct mm_dnsbl_stats st;
	struct mm_rdns_result rr[40];
	struct mm_err err;
	struct fake f;
	double t0;
	size_t i;

	(void)state;
	need_servers();
	z = zones_new(names, 1);
	for (i = 0; i < 40; i++) {
		char s[32];

		snprintf(s, sizeof(s), "203.0.113.%zu", i + 1);
		addrs[i] = A(s);
	}

	/* right id and question, garbage records: an error, every time */
	start_fake(&f, "garbage", 0);
	/* the fake answers at once; the long timeout only keeps a loaded
	 * machine from turning its answers into timeouts */
	o = (struct mm_resolver_opts){f.servers, 2000, 1, 64};
	assert_int_equal(mm_dnsbl_check(&o, z, 1, addrs, 40, r, &st, &err), 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(r[i].status, MM_DNS_ERROR);
	assert_int_equal(st.errors, 40);
	assert_int_equal(mm_rdns_lookup(&o, addrs, 40, rr, &err), 0);
	for (i = 0; i < 40; i++) {
		assert_int_equal(rr[i].status, MM_DNS_ERROR);
		assert_false(rr[i].confirmed);
	}
	stop(&f.pid);

	/* random bytes (some empty): never "not listed", finishes in time */
	start_fake(&f, "random", 0);
	o = (struct mm_resolver_opts){f.servers, 300, 2, 64};
	t0 = now_s();
	assert_int_equal(mm_dnsbl_check(&o, z, 1, addrs, 40, r, &st, &err), 0);
	assert_true(now_s() - t0 < 0.6 + SLACK_S);
	for (i = 0; i < 40; i++)
		assert_true(r[i].status == MM_DNS_TIMEOUT || r[i].status == MM_DNS_ERROR);
	assert_int_equal(st.listed + st.not_listed, 0);
	assert_int_equal(mm_rdns_lookup(&o, addrs, 40, rr, &err), 0);
	for (i = 0; i < 40; i++)
		assert_true(rr[i].status == MM_DNS_TIMEOUT || rr[i].status == MM_DNS_ERROR);
	stop(&f.pid);
	free(z);
}

static void test_evil_ptr(void **state)
{
	struct mm_resolver_opts o;
	struct mm_addr a = A("192.0.2.66");
	struct mm_rdns_result rr;
	struct mm_err err;
	struct fake f;
	size_t i;

	(void)state;
	need_servers();
	start_fake(&f, "evilptr", 0);
	o = (struct mm_resolver_opts){f.servers, 500, 1, 64};
	assert_int_equal(mm_rdns_lookup(&o, &a, 1, &rr, &err), 0);
	/* c-ares refuses such names; if it ever passes one, it arrives tamed */
	assert_true(rr.status == MM_DNS_ERROR || rr.status == MM_DNS_LISTED);
	assert_false(rr.confirmed);
	for (i = 0; rr.name[i]; i++)
		assert_true(rr.name[i] > 0x20 && rr.name[i] < 0x7f && rr.name[i] != '\\');
	stop(&f.pid);
}

static void test_slow(void **state)
{
	const char *names[] = {"bl.test"};
	struct mm_dnsbl_zone *z;
	struct mm_resolver_opts o;
	struct mm_addr a = A("127.0.0.2");
	struct mm_dnsbl_result r;
	struct mm_dnsbl_stats st;
	struct mm_err err;
	struct fake f;
	double t0, dt;

	(void)state;
	need_servers();
	z = zones_new(names, 1);
	start_fake(&f, "delay", 1500);
	/* patient enough: the late answer counts */
	o = (struct mm_resolver_opts){f.servers, 2500, 1, 64};
	assert_int_equal(mm_dnsbl_check(&o, z, 1, &a, 1, &r, &st, &err), 0);
	assert_int_equal(r.status, MM_DNS_LISTED);
	assert_int_equal(r.code, 2);
	/* not patient: each try gives up after 500 ms, late answers ignored */
	o = (struct mm_resolver_opts){f.servers, 500, 2, 64};
	t0 = now_s();
	assert_int_equal(mm_dnsbl_check(&o, z, 1, &a, 1, &r, &st, &err), 0);
	dt = now_s() - t0;
	assert_int_equal(r.status, MM_DNS_TIMEOUT);
	assert_true(dt < 1.0 + SLACK_S);
	stop(&f.pid);
	free(z);
}

static void test_cache(void **state)
{
	const char *names[] = {"bl.test"};
	struct mm_dnsbl_zone *z;
	struct mm_resolver_opts o;
	struct mm_addr addrs[5];
	struct mm_dnsbl_result r[5];
	struct mm_dnsbl_stats st;
	struct mm_err err;
	struct fake f;
	long total, maxout;

	(void)state;
	need_servers();
	z = zones_new(names, 1);
	start_fake(&f, "delay", 10);
	o = (struct mm_resolver_opts){f.servers, 1000, 2, 64};
	addrs[0] = A("127.0.0.2");
	addrs[1] = A("10.1.1.1");
	addrs[2] = A("127.0.0.2");
	addrs[3] = A("10.1.1.1");
	addrs[4] = A("127.0.0.2");
	assert_int_equal(mm_dnsbl_check(&o, z, 1, addrs, 5, r, &st, &err), 0);
	assert_int_equal(st.queries, 2);
	assert_int_equal(st.cached, 3);
	assert_int_equal(st.listed, 1);
	assert_int_equal(st.not_listed, 1);
	assert_int_equal(r[0].status, MM_DNS_LISTED);
	assert_int_equal(r[2].status, MM_DNS_LISTED);
	assert_int_equal(r[4].status, MM_DNS_LISTED);
	assert_int_equal(r[1].status, MM_DNS_NOT_LISTED);
	assert_int_equal(r[3].status, MM_DNS_NOT_LISTED);
	fake_stats(&f, &total, &maxout);
	assert_int_equal(total, 2);
	stop(&f.pid);
	free(z);
}

static void test_concurrency(void **state)
{
	const char *names[] = {"bl.test"};
	struct mm_dnsbl_zone *z;
	struct mm_resolver_opts o;
	struct mm_addr *addrs = calloc(500, sizeof(*addrs));
	struct mm_dnsbl_result *r = calloc(500, sizeof(*r));
	struct mm_dnsbl_stats st;
	struct mm_err err;
	struct fake f;
	long total, maxout;
	size_t i;

	(void)state;
	need_servers();
	assert_non_null(addrs);
	assert_non_null(r);
	z = zones_new(names, 1);
	start_fake(&f, "delay", 20);
	o = (struct mm_resolver_opts){f.servers, 2000, 2, 8};
	for (i = 0; i < 500; i++) {
		char s[32];

		snprintf(s, sizeof(s), "10.0.%zu.%zu", i / 256, i % 256);
		addrs[i] = A(s);
	}
	assert_int_equal(mm_dnsbl_check(&o, z, 1, addrs, 500, r, &st, &err), 0);
	assert_int_equal(st.queries, 500);
	assert_int_equal(st.listed, 2); /* 10.0.0.2 and 10.0.1.2 */
	assert_int_equal(st.not_listed, 498);
	assert_int_equal(r[2].status, MM_DNS_LISTED);
	assert_int_equal(r[258].status, MM_DNS_LISTED);
	fake_stats(&f, &total, &maxout);
	assert_int_equal(total, 500);
	assert_true(maxout >= 2);
	assert_true(maxout <= 8);
	stop(&f.pid);
	free(z);
	free(addrs);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_qname),	cmocka_unit_test(test_sanitize),
	    cmocka_unit_test(test_interpret),	cmocka_unit_test(test_bad_args),
	    cmocka_unit_test(test_dnsbl_v4),	cmocka_unit_test(test_dnsbl_v6),
	    cmocka_unit_test(test_rdns),	cmocka_unit_test(test_servfail),
	    cmocka_unit_test(test_refused),	cmocka_unit_test(test_silent),
	    cmocka_unit_test(test_garbage),	cmocka_unit_test(test_evil_ptr),
	    cmocka_unit_test(test_slow),	cmocka_unit_test(test_cache),
	    cmocka_unit_test(test_concurrency),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
