/* SPDX-License-Identifier: MIT */
/*
 * sshd parser: messages fed straight to mm_sshd_line() with hand-built
 * envelopes (pid correlation, counting, injections, eviction), plus the
 * data-driven corpora tests/data/logs/sshd*.txt through the line pipeline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "corpus.h"
#include "mamori/logs.h"

static struct mm_event ev;
static char json[4096];

/* Feed msg as program prog, pid pid; returns mm_sshd_line's result and
 * leaves the event's JSON (or "none") in json. */
static int feed_prog(struct mm_sshd *s, const char *prog, int64_t pid, const char *msg, size_t n)
{
	struct mm_envelope env;
	struct mm_buf b;
	int r;

	memset(&env, 0, sizeof(env));
	env.program = mm_span_make(prog, strlen(prog));
	env.pid = pid;
	env.msg = mm_span_make(msg, n);
	mm_event_clear(&ev);
	ev.program = env.program;
	ev.pid = pid;
	r = mm_sshd_line(s, &env, &ev);
	mm_buf_init(&b, sizeof(json) - 1);
	if (r == 1)
		assert_int_equal(mm_event_to_json(&ev, false, &b), 0);
	else
		assert_int_equal(mm_buf_adds(&b, "none"), 0);
	snprintf(json, sizeof(json), "%s", b.data);
	mm_buf_release(&b);
	return r;
}

static int feed(struct mm_sshd *s, int64_t pid, const char *msg)
{
	return feed_prog(s, "sshd", pid, msg, strlen(msg));
}

/* Feed and compare the JSON; `want` leaves out the leading
 * {"kind":...,"program":"sshd","pid":N part: only what follows "pid":N. */
#define EXPECT(s, pid, msg, want) expect_json(s, pid, msg, want, __LINE__)

static void expect_json(struct mm_sshd *s, int64_t pid, const char *msg, const char *want, int line)
{
	feed(s, pid, msg);
	if (strcmp(json, want) != 0) {
		print_error("line %d\n  msg:  %s\n  got:  %s\n  want: %s\n", line, msg, json, want);
		fail();
	}
}

static int setup(void **state)
{
	*state = mm_sshd_new();
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	mm_sshd_free(*state);
	return 0;
}

static void test_failed_methods(void **state)
{
	struct mm_sshd *s = *state;

	EXPECT(s, 10, "Failed password for root from 203.0.113.9 port 53122 ssh2",
	       "{\"kind\":\"auth-failure\",\"detail\":\"failed-password\",\"program\":\"sshd\","
	       "\"pid\":10,"
	       "\"src\":\"203.0.113.9\",\"src_port\":53122,\"user\":\"root\"}");
	EXPECT(s, 11, "Failed password for invalid user admin from 203.0.113.9 port 1 ssh2",
	       "{\"kind\":\"auth-failure\",\"detail\":\"failed-password\",\"program\":\"sshd\","
	       "\"pid\":11,"
	       "\"src\":\"203.0.113.9\",\"src_port\":1,\"user\":\"admin\"}");
	EXPECT(s, 12,
	       "Failed publickey for git from 198.51.100.7 port 40000 ssh2: RSA "
	       "SHA256:7DdnCZ5IDqQ4huHNApZTWCmG+Sf6FmbjGFUc5mnytfM",
	       "{\"kind\":\"auth-failure\",\"detail\":\"failed-publickey\",\"program\":\"sshd\","
	       "\"pid\":12,"
	       "\"src\":\"198.51.100.7\",\"src_port\":40000,\"user\":\"git\"}");
	EXPECT(
	    s, 13,
	    "Failed keyboard-interactive/pam for invalid user oracle from 2001:db8::1 port 2 ssh2",
	    "{\"kind\":\"auth-failure\",\"detail\":\"failed-keyboard-interactive\",\"program\":"
	    "\"sshd\","
	    "\"pid\":13,\"src\":\"2001:db8::1\",\"src_port\":2,\"user\":\"oracle\"}");
	EXPECT(s, 14, "Failed none for invalid user guest from ::ffff:192.0.2.1 port 3 ssh2",
	       "{\"kind\":\"auth-failure\",\"detail\":\"failed-other\",\"program\":\"sshd\","
	       "\"pid\":14,"
	       "\"src\":\"192.0.2.1\",\"src_port\":3,\"user\":\"guest\"}");
	EXPECT(s, 15, "Failed hostbased for bob from 192.0.2.2 port 4 ssh2: ED25519 SHA256:abc",
	       "{\"kind\":\"auth-failure\",\"detail\":\"failed-other\",\"program\":\"sshd\","
	       "\"pid\":15,"
	       "\"src\":\"192.0.2.2\",\"src_port\":4,\"user\":\"bob\"}");
	EXPECT(s, 16, "Failed password for illegal user x from 192.0.2.3 port 5 ssh2",
	       "{\"kind\":\"auth-failure\",\"detail\":\"failed-password\",\"program\":\"sshd\","
	       "\"pid\":16,"
	       "\"src\":\"192.0.2.3\",\"src_port\":5,\"user\":\"x\"}");
	EXPECT(s, 17, "Failed gssapi-with-mic for carol from 192.0.2.4 port 6 ssh2",
	       "{\"kind\":\"auth-failure\",\"detail\":\"failed-other\",\"program\":\"sshd\","
	       "\"pid\":17,"
	       "\"src\":\"192.0.2.4\",\"src_port\":6,\"user\":\"carol\"}");
	/* truncated or foreign shapes */
	EXPECT(s, 18, "Failed password for root from 203.0.113.9 port 53122", "none");
	EXPECT(s, 18, "Failed password", "none");
	EXPECT(s, 18, "Failed ", "none");
	EXPECT(s, 18, "Failed password for root from 203.0.113.9 port 99999 ssh2", "none");
}

static void test_other_failures(void **state)
{
	struct mm_sshd *s = *state;

	EXPECT(s, 20, "Invalid user admin from 203.0.113.9 port 4242",
	       "{\"kind\":\"auth-failure\",\"detail\":\"invalid-user\",\"program\":\"sshd\","
	       "\"pid\":20,"
	       "\"src\":\"203.0.113.9\",\"src_port\":4242,\"user\":\"admin\"}");
	EXPECT(s, 21, "Invalid user  from 203.0.113.9 port 4242",
	       "{\"kind\":\"auth-failure\",\"detail\":\"invalid-user\",\"program\":\"sshd\","
	       "\"pid\":21,"
	       "\"src\":\"203.0.113.9\",\"src_port\":4242,\"user\":\"\"}");
	EXPECT(s, 22, "Invalid user test from 203.0.113.9",
	       "{\"kind\":\"auth-failure\",\"detail\":\"invalid-user\",\"program\":\"sshd\","
	       "\"pid\":22,"
	       "\"src\":\"203.0.113.9\",\"user\":\"test\"}");
	EXPECT(s, 23, "ROOT LOGIN REFUSED FROM 203.0.113.9 port 5555",
	       "{\"kind\":\"auth-failure\",\"detail\":\"root-refused\",\"program\":\"sshd\","
	       "\"pid\":23,"
	       "\"src\":\"203.0.113.9\",\"src_port\":5555,\"user\":\"root\"}");
	EXPECT(s, 24, "ROOT LOGIN REFUSED FROM 2001:db8::2",
	       "{\"kind\":\"auth-failure\",\"detail\":\"root-refused\",\"program\":\"sshd\","
	       "\"pid\":24,"
	       "\"src\":\"2001:db8::2\",\"user\":\"root\"}");
	EXPECT(
	    s, 25,
	    "error: maximum authentication attempts exceeded for invalid user pi from 203.0.113.9 "
	    "port 6 ssh2 [preauth]",
	    "{\"kind\":\"auth-failure\",\"detail\":\"max-auth-attempts\",\"program\":\"sshd\","
	    "\"pid\":25,"
	    "\"src\":\"203.0.113.9\",\"src_port\":6,\"user\":\"pi\"}");
	EXPECT(s, 26,
	       "Disconnecting authenticating user root 203.0.113.9 port 7: Too many authentication "
	       "failures [preauth]",
	       "{\"kind\":\"auth-failure\",\"detail\":\"too-many-failures\",\"program\":\"sshd\","
	       "\"pid\":26,"
	       "\"src\":\"203.0.113.9\",\"src_port\":7,\"user\":\"root\"}");
	EXPECT(
	    s, 27,
	    "Disconnecting invalid user ftp 2001:db8::3 port 8: Too many authentication failures "
	    "[preauth]",
	    "{\"kind\":\"auth-failure\",\"detail\":\"too-many-failures\",\"program\":\"sshd\","
	    "\"pid\":27,"
	    "\"src\":\"2001:db8::3\",\"src_port\":8,\"user\":\"ftp\"}");
	EXPECT(s, 28, "User root from 203.0.113.9 not allowed because not listed in AllowUsers",
	       "{\"kind\":\"auth-failure\",\"detail\":\"invalid-user\",\"program\":\"sshd\","
	       "\"pid\":28,"
	       "\"src\":\"203.0.113.9\",\"user\":\"root\"}");
	EXPECT(s, 29,
	       "User www from 203.0.113.9 not allowed because none of user's groups are listed in "
	       "AllowGroups",
	       "{\"kind\":\"auth-failure\",\"detail\":\"invalid-user\",\"program\":\"sshd\","
	       "\"pid\":29,"
	       "\"src\":\"203.0.113.9\",\"user\":\"www\"}");
	EXPECT(
	    s, 30,
	    "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
	    "rhost=203.0.113.9  user=root",
	    "{\"kind\":\"auth-failure\",\"detail\":\"pam-failure\",\"program\":\"sshd\",\"pid\":30,"
	    "\"src\":\"203.0.113.9\",\"user\":\"root\"}");
	EXPECT(
	    s, 31,
	    "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
	    "rhost=2001:db8::4 ",
	    "{\"kind\":\"auth-failure\",\"detail\":\"pam-failure\",\"program\":\"sshd\",\"pid\":31,"
	    "\"src\":\"2001:db8::4\"}");
	EXPECT(
	    s, 32, "error: PAM: Authentication failure for illegal user x from 203.0.113.9",
	    "{\"kind\":\"auth-failure\",\"detail\":\"pam-failure\",\"program\":\"sshd\",\"pid\":32,"
	    "\"src\":\"203.0.113.9\",\"user\":\"x\"}");
	EXPECT(
	    s, 33, "error: PAM: Authentication failure for root from host.example.net",
	    "{\"kind\":\"auth-failure\",\"detail\":\"pam-failure\",\"program\":\"sshd\",\"pid\":33,"
	    "\"user\":\"root\"}");
	EXPECT(
	    s, 34,
	    "error: PAM: User not known to the underlying authentication module for illegal user "
	    "oracle from 203.0.113.9",
	    "{\"kind\":\"auth-failure\",\"detail\":\"pam-failure\",\"program\":\"sshd\",\"pid\":34,"
	    "\"src\":\"203.0.113.9\",\"user\":\"oracle\"}");
}

static void test_probes(void **state)
{
	struct mm_sshd *s = *state;

	EXPECT(s, 40, "Connection closed by authenticating user root 203.0.113.9 port 1 [preauth]",
	       "{\"kind\":\"probe\",\"detail\":\"preauth-close\",\"program\":\"sshd\",\"pid\":40,"
	       "\"src\":\"203.0.113.9\",\"src_port\":1,\"user\":\"root\"}");
	EXPECT(s, 41, "Connection reset by invalid user a b 2001:db8::5 port 2 [preauth]",
	       "{\"kind\":\"probe\",\"detail\":\"preauth-close\",\"program\":\"sshd\",\"pid\":41,"
	       "\"src\":\"2001:db8::5\",\"src_port\":2,\"user\":\"a b\"}");
	EXPECT(s, 42, "Connection closed by 203.0.113.9 port 3 [preauth]",
	       "{\"kind\":\"probe\",\"detail\":\"preauth-close\",\"program\":\"sshd\",\"pid\":42,"
	       "\"src\":\"203.0.113.9\",\"src_port\":3}");
	EXPECT(s, 43, "Connection closed by 203.0.113.9 port 4",
	       "{\"kind\":\"probe\",\"detail\":\"preauth-close\",\"program\":\"sshd\",\"pid\":43,"
	       "\"src\":\"203.0.113.9\",\"src_port\":4}");
	EXPECT(s, 44, "Disconnected from invalid user admin 203.0.113.9 port 5 [preauth]",
	       "{\"kind\":\"probe\",\"detail\":\"preauth-close\",\"program\":\"sshd\",\"pid\":44,"
	       "\"src\":\"203.0.113.9\",\"src_port\":5,\"user\":\"admin\"}");
	EXPECT(s, 45, "Disconnected from 203.0.113.9 port 6 [preauth]",
	       "{\"kind\":\"probe\",\"detail\":\"preauth-close\",\"program\":\"sshd\",\"pid\":45,"
	       "\"src\":\"203.0.113.9\",\"src_port\":6}");
	EXPECT(s, 46, "Received disconnect from 203.0.113.9 port 7:11: Bye Bye [preauth]",
	       "{\"kind\":\"probe\",\"detail\":\"preauth-close\",\"program\":\"sshd\",\"pid\":46,"
	       "\"src\":\"203.0.113.9\",\"src_port\":7}");
	EXPECT(s, 47,
	       "error: Received disconnect from 2001:db8::6 port 8:3: "
	       "com.jcraft.jsch.JSchException: Auth fail [preauth]",
	       "{\"kind\":\"probe\",\"detail\":\"preauth-close\",\"program\":\"sshd\",\"pid\":47,"
	       "\"src\":\"2001:db8::6\",\"src_port\":8}");
	EXPECT(
	    s, 48, "Did not receive identification string from 203.0.113.9 port 9",
	    "{\"kind\":\"probe\",\"detail\":\"no-identification\",\"program\":\"sshd\",\"pid\":48,"
	    "\"src\":\"203.0.113.9\",\"src_port\":9}");
	EXPECT(
	    s, 49, "Did not receive identification string from 203.0.113.9",
	    "{\"kind\":\"probe\",\"detail\":\"no-identification\",\"program\":\"sshd\",\"pid\":49,"
	    "\"src\":\"203.0.113.9\"}");
	EXPECT(s, 50, "banner exchange: Connection from 203.0.113.9 port 10: invalid format",
	       "{\"kind\":\"probe\",\"detail\":\"bad-banner\",\"program\":\"sshd\",\"pid\":50,"
	       "\"src\":\"203.0.113.9\",\"src_port\":10}");
	EXPECT(
	    s, 51,
	    "banner exchange: Connection from 2001:db8::7 port 11: could not read protocol version",
	    "{\"kind\":\"probe\",\"detail\":\"bad-banner\",\"program\":\"sshd\",\"pid\":51,"
	    "\"src\":\"2001:db8::7\",\"src_port\":11}");
	EXPECT(
	    s, 52,
	    "Unable to negotiate with 203.0.113.9 port 12: no matching key exchange method found. "
	    "Their offer: diffie-hellman-group1-sha1 from 198.51.100.1 port 1 [preauth]",
	    "{\"kind\":\"probe\",\"detail\":\"kex-failure\",\"program\":\"sshd\",\"pid\":52,"
	    "\"src\":\"203.0.113.9\",\"src_port\":12}");
	EXPECT(s, 53,
	       "Unable to negotiate with 203.0.113.9 port 13: no matching host key type found. "
	       "Their offer: ssh-dss [preauth]",
	       "{\"kind\":\"probe\",\"detail\":\"kex-failure\",\"program\":\"sshd\",\"pid\":53,"
	       "\"src\":\"203.0.113.9\",\"src_port\":13}");
	EXPECT(s, 54, "error: kex_exchange_identification: Connection closed by remote host",
	       "{\"kind\":\"probe\",\"detail\":\"no-identification\",\"program\":\"sshd\",\"pid\":"
	       "54}");
	EXPECT(
	    s, 55,
	    "error: kex_exchange_identification: client sent invalid protocol identifier \"GET / "
	    "HTTP/1.1\"",
	    "{\"kind\":\"probe\",\"detail\":\"bad-banner\",\"program\":\"sshd\",\"pid\":55}");
	EXPECT(s, 56, "error: Protocol major versions differ: 2 vs. 1",
	       "{\"kind\":\"probe\",\"detail\":\"bad-banner\",\"program\":\"sshd\",\"pid\":56}");
	EXPECT(s, 57,
	       "Protocol major versions differ for 203.0.113.9: SSH-2.0-OpenSSH vs. SSH-1.5-x",
	       "{\"kind\":\"probe\",\"detail\":\"bad-banner\",\"program\":\"sshd\",\"pid\":57,"
	       "\"src\":\"203.0.113.9\"}");
	EXPECT(
	    s, 58,
	    "ssh_dispatch_run_fatal: Connection from 203.0.113.9 port 14: message authentication "
	    "code incorrect [preauth]",
	    "{\"kind\":\"probe\",\"detail\":\"kex-failure\",\"program\":\"sshd\",\"pid\":58,"
	    "\"src\":\"203.0.113.9\",\"src_port\":14}");
	EXPECT(
	    s, 59,
	    "ssh_dispatch_run_fatal: Connection from invalid user x port 1: y 203.0.113.9 port 15: "
	    "Connection corrupted [preauth]",
	    "{\"kind\":\"probe\",\"detail\":\"kex-failure\",\"program\":\"sshd\",\"pid\":59,"
	    "\"src\":\"203.0.113.9\",\"src_port\":15,\"user\":\"x port 1: y\"}");
	EXPECT(s, 60, "fatal: Timeout before authentication for 203.0.113.9 port 16",
	       "{\"kind\":\"probe\",\"detail\":\"preauth-close\",\"program\":\"sshd\",\"pid\":60,"
	       "\"src\":\"203.0.113.9\",\"src_port\":16}");
	EXPECT(s, 61,
	       "Timeout before authentication for connection from 203.0.113.9 to 192.0.2.10, pid = "
	       "4711",
	       "{\"kind\":\"probe\",\"detail\":\"preauth-close\",\"program\":\"sshd\",\"pid\":61,"
	       "\"src\":\"203.0.113.9\",\"dst\":\"192.0.2.10\"}");
	EXPECT(s, 62,
	       "Bad protocol version identification 'GET / HTTP/1.1' from 203.0.113.9 port 17",
	       "{\"kind\":\"probe\",\"detail\":\"bad-banner\",\"program\":\"sshd\",\"pid\":62,"
	       "\"src\":\"203.0.113.9\",\"src_port\":17}");
	/* post-authentication ends are not probes */
	EXPECT(s, 63, "Received disconnect from 203.0.113.9 port 18:11: disconnected by user",
	       "none");
	EXPECT(s, 63, "Disconnected from user root 203.0.113.9 port 18", "none");
	EXPECT(s, 64, "Connection closed by user root 203.0.113.9 port 19", "none");
	/* the 9.8 listener line names another process: it teaches pid 61 nothing */
	EXPECT(s, 61, "error: kex_exchange_identification: Connection closed by remote host",
	       "{\"kind\":\"probe\",\"detail\":\"no-identification\",\"program\":\"sshd\",\"pid\":"
	       "61}");
}

static void test_accepted(void **state)
{
	struct mm_sshd *s = *state;

	EXPECT(s, 70,
	       "Accepted publickey for deploy from 198.51.100.4 port 50000 ssh2: ED25519 "
	       "SHA256:7DdnCZ5IDqQ4huHNApZTWCmG+Sf6FmbjGFUc5mnytfM",
	       "{\"kind\":\"auth-success\",\"detail\":\"accepted\",\"program\":\"sshd\",\"pid\":70,"
	       "\"src\":\"198.51.100.4\",\"src_port\":50000,\"user\":\"deploy\"}");
	EXPECT(s, 71, "Accepted password for alice from 2001:db8::8 port 50001 ssh2",
	       "{\"kind\":\"auth-success\",\"detail\":\"accepted\",\"program\":\"sshd\",\"pid\":71,"
	       "\"src\":\"2001:db8::8\",\"src_port\":50001,\"user\":\"alice\"}");
	EXPECT(s, 72, "Accepted keyboard-interactive/pam for bob from 198.51.100.5 port 50002 ssh2",
	       "{\"kind\":\"auth-success\",\"detail\":\"accepted\",\"program\":\"sshd\",\"pid\":72,"
	       "\"src\":\"198.51.100.5\",\"src_port\":50002,\"user\":\"bob\"}");
	EXPECT(s, 73, "Accepted gssapi-with-mic for carol from 198.51.100.6 port 50003 ssh2",
	       "{\"kind\":\"auth-success\",\"detail\":\"accepted\",\"program\":\"sshd\",\"pid\":73,"
	       "\"src\":\"198.51.100.6\",\"src_port\":50003,\"user\":\"carol\"}");
	EXPECT(
	    s, 74,
	    "Accepted publickey for ops from 198.51.100.9 port 50004 ssh2: ED25519-CERT SHA256:aaa "
	    "ID ops@example (serial 7) CA ED25519 SHA256:bbb",
	    "{\"kind\":\"auth-success\",\"detail\":\"accepted\",\"program\":\"sshd\",\"pid\":74,"
	    "\"src\":\"198.51.100.9\",\"src_port\":50004,\"user\":\"ops\"}");
	/* after a login, a close without [preauth] is a normal end */
	EXPECT(s, 70, "Connection closed by 198.51.100.4 port 50000", "none");
	EXPECT(s, 70, "Received disconnect from 198.51.100.4 port 50000:11: x [preauth]", "none");
	EXPECT(s, 70, "pam_unix(sshd:session): session closed for user deploy", "none");
	/* forgotten: the pid is a new, unknown connection */
	EXPECT(s, 70, "error: kex_exchange_identification: Connection closed by remote host",
	       "{\"kind\":\"probe\",\"detail\":\"no-identification\",\"program\":\"sshd\",\"pid\":"
	       "70}");
}

/* Attackers choose the user name: nothing in it may become the source. */
static void test_injection(void **state)
{
	struct mm_sshd *s = *state;
	static const char bad_utf8[] = "Invalid user \xff\xfe\xc3 from 192.0.2.9 port 1";

	EXPECT(
	    s, 80,
	    "Failed password for invalid user root from 203.0.113.9 port 22 ssh2 from 198.51.100.1 "
	    "port 4444 ssh2",
	    "{\"kind\":\"auth-failure\",\"detail\":\"failed-password\",\"program\":\"sshd\","
	    "\"pid\":80,"
	    "\"src\":\"198.51.100.1\",\"src_port\":4444,\"user\":\"root from 203.0.113.9 port 22 "
	    "ssh2\"}");
	EXPECT(
	    s, 81, "Invalid user x from 203.0.113.9 port 22 from 198.51.100.1 port 4444",
	    "{\"kind\":\"auth-failure\",\"detail\":\"invalid-user\",\"program\":\"sshd\",\"pid\":"
	    "81,"
	    "\"src\":\"198.51.100.1\",\"src_port\":4444,\"user\":\"x from 203.0.113.9 port 22\"}");
	EXPECT(
	    s, 82,
	    "Connection closed by invalid user x 203.0.113.9 port 22 [preauth] 198.51.100.1 port "
	    "4444 [preauth]",
	    "{\"kind\":\"probe\",\"detail\":\"preauth-close\",\"program\":\"sshd\",\"pid\":82,"
	    "\"src\":\"198.51.100.1\",\"src_port\":4444,\"user\":\"x 203.0.113.9 port 22 "
	    "[preauth]\"}");
	EXPECT(
	    s, 83,
	    "error: maximum authentication attempts exceeded for invalid user a from 203.0.113.9 "
	    "port 1 ssh2 from 198.51.100.1 port 2 ssh2 [preauth]",
	    "{\"kind\":\"auth-failure\",\"detail\":\"max-auth-attempts\",\"program\":\"sshd\","
	    "\"pid\":83,"
	    "\"src\":\"198.51.100.1\",\"src_port\":2,\"user\":\"a from 203.0.113.9 port 1 ssh2\"}");
	EXPECT(s, 84,
	       "Disconnecting invalid user a 203.0.113.9 port 1: Too many authentication failures "
	       "198.51.100.1 port 2: Too many authentication failures [preauth]",
	       "{\"kind\":\"auth-failure\",\"detail\":\"too-many-failures\",\"program\":\"sshd\","
	       "\"pid\":84,"
	       "\"src\":\"198.51.100.1\",\"src_port\":2,\"user\":\"a 203.0.113.9 port 1: Too many "
	       "authentication failures\"}");
	/* a user name imitating a key suffix: the real slot still ends the line */
	EXPECT(s, 85,
	       "Failed password for invalid user a from 203.0.113.9 port 1 ssh2: RSA SHA256:x from "
	       "198.51.100.1 port 2 ssh2",
	       "{\"kind\":\"auth-failure\",\"detail\":\"failed-password\",\"program\":\"sshd\","
	       "\"pid\":85,"
	       "\"src\":\"198.51.100.1\",\"src_port\":2,\"user\":\"a from 203.0.113.9 port 1 ssh2: "
	       "RSA "
	       "SHA256:x\"}");
	/* certificate key id (attacker text after the slot): one candidate is sshd's */
	EXPECT(s, 86,
	       "Failed publickey for bob from 198.51.100.1 port 2 ssh2: ED25519-CERT SHA256:a ID x "
	       "(serial 0) CA ED25519 SHA256:b",
	       "{\"kind\":\"auth-failure\",\"detail\":\"failed-publickey\",\"program\":\"sshd\","
	       "\"pid\":86,"
	       "\"src\":\"198.51.100.1\",\"src_port\":2,\"user\":\"bob\"}");
	/* both sides crafted: two candidates, trust neither */
	EXPECT(
	    s, 87,
	    "Failed publickey for a from 203.0.113.9 port 1 ssh2: ED25519-CERT SHA256:a ID b from "
	    "198.51.100.1 port 2 ssh2: ED25519-CERT SHA256:c ID d from 203.0.113.9 port 1 ssh2: x "
	    "(serial 0) CA ED25519 SHA256:e",
	    "{\"kind\":\"auth-failure\",\"detail\":\"failed-publickey\",\"program\":\"sshd\","
	    "\"pid\":87}");
	/* hostbased client names are quoted attacker text too */
	EXPECT(s, 88,
	       "Failed hostbased for root from 198.51.100.1 port 2 ssh2: client user \"a from "
	       "203.0.113.9 port 1 ssh2\", client host \"h\"",
	       "{\"kind\":\"auth-failure\",\"detail\":\"failed-other\",\"program\":\"sshd\","
	       "\"pid\":88,"
	       "\"src\":\"198.51.100.1\",\"src_port\":2,\"user\":\"root\"}");
	/* newline encoded by sshd's vis, and a user that is only a fake tail */
	EXPECT(s, 89,
	       "Invalid user a\\012Nov 21 sshd[1]: Failed password for root from 203.0.113.9 from "
	       "198.51.100.1 port 2",
	       "{\"kind\":\"auth-failure\",\"detail\":\"invalid-user\",\"program\":\"sshd\","
	       "\"pid\":89,"
	       "\"src\":\"198.51.100.1\",\"src_port\":2,\"user\":\"a\\\\012Nov 21 sshd[1]: Failed "
	       "password for root from 203.0.113.9\"}");
	EXPECT(s, 90, "Invalid user from 203.0.113.9 port 1", "none");
	EXPECT(s, 91, bad_utf8,
	       "{\"kind\":\"auth-failure\",\"detail\":\"invalid-user\",\"program\":\"sshd\","
	       "\"pid\":91,"
	       "\"src\":\"192.0.2.9\",\"src_port\":1,\"user\":"
	       "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}");
	/* an address slot that is not an address: no source from the line */
	EXPECT(s, 92, "Failed password for root from 203.0.113.999 port 1 ssh2",
	       "{\"kind\":\"auth-failure\",\"detail\":\"failed-password\",\"program\":\"sshd\","
	       "\"pid\":92,"
	       "\"user\":\"root\"}");
	EXPECT(s, 93, "Invalid user a from [203.0.113.9] port 1",
	       "{\"kind\":\"auth-failure\",\"detail\":\"invalid-user\",\"program\":\"sshd\","
	       "\"pid\":93,"
	       "\"user\":\"a\"}");
	/* a Received disconnect reason is the client's: the address comes first */
	EXPECT(s, 94,
	       "Received disconnect from 198.51.100.1 port 2:11: from 203.0.113.9 port 1 [preauth]",
	       "{\"kind\":\"probe\",\"detail\":\"preauth-close\",\"program\":\"sshd\",\"pid\":94,"
	       "\"src\":\"198.51.100.1\",\"src_port\":2}");
	/* pam user= comes after rhost= */
	EXPECT(
	    s, 95,
	    "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
	    "rhost=198.51.100.1  user=rhost=203.0.113.9",
	    "{\"kind\":\"auth-failure\",\"detail\":\"pam-failure\",\"program\":\"sshd\",\"pid\":95,"
	    "\"src\":\"198.51.100.1\",\"user\":\"rhost=203.0.113.9\"}");
	EXPECT(s, 96,
	       "User a from 203.0.113.9 not allowed because b from 198.51.100.1 not allowed "
	       "because listed in DenyUsers",
	       "{\"kind\":\"auth-failure\",\"detail\":\"invalid-user\",\"program\":\"sshd\","
	       "\"pid\":96,"
	       "\"src\":\"198.51.100.1\",\"user\":\"a from 203.0.113.9 not allowed because b\"}");
}

/* Lines that name no address take the source their session learned. */
static void test_sessions(void **state)
{
	struct mm_sshd *s = *state;

	EXPECT(s, 100, "Connection from 203.0.113.9 port 5000 on 192.0.2.10 port 22 rdomain \"\"",
	       "none");
	EXPECT(
	    s, 100, "error: kex_exchange_identification: Connection closed by remote host",
	    "{\"kind\":\"probe\",\"detail\":\"no-identification\",\"program\":\"sshd\",\"pid\":100,"
	    "\"src\":\"203.0.113.9\",\"src_port\":5000,\"dst\":\"192.0.2.10\",\"dst_port\":22}");
	/* pid reused by a new connection */
	EXPECT(s, 100, "Connection from 2001:db8::9 port 5001 on 2001:db8::10 port 2222", "none");
	EXPECT(
	    s, 100,
	    "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
	    "rhost=client.example.net  user=root",
	    "{\"kind\":\"auth-failure\",\"detail\":\"pam-failure\",\"program\":\"sshd\",\"pid\":"
	    "100,"
	    "\"src\":\"2001:db8::9\",\"src_port\":5001,\"dst\":\"2001:db8::10\",\"dst_port\":2222,"
	    "\"user\":\"root\"}");
	EXPECT(
	    s, 100, "Failed password for root from 2001:db8::9 port 5001 ssh2",
	    "{\"kind\":\"auth-failure\",\"detail\":\"failed-password\",\"program\":\"sshd\","
	    "\"pid\":100,"
	    "\"src\":\"2001:db8::9\",\"src_port\":5001,\"dst\":\"2001:db8::10\",\"dst_port\":2222,"
	    "\"user\":\"root\",\"counted\":false}");
	EXPECT(
	    s, 100, "Disconnecting: Too many authentication failures [preauth]",
	    "{\"kind\":\"auth-failure\",\"detail\":\"too-many-failures\",\"program\":\"sshd\","
	    "\"pid\":100,"
	    "\"src\":\"2001:db8::9\",\"src_port\":5001,\"dst\":\"2001:db8::10\",\"dst_port\":2222,"
	    "\"counted\":false}");
	EXPECT(s, 100, "fatal: Timeout before authentication",
	       "{\"kind\":\"probe\",\"detail\":\"preauth-close\",\"program\":\"sshd\",\"pid\":100,"
	       "\"src\":\"2001:db8::9\",\"src_port\":5001,\"dst\":\"2001:db8::10\",\"dst_port\":"
	       "2222}");
	/* closed: only the PAM summary may still borrow the address */
	EXPECT(s, 100, "error: kex_exchange_identification: read: Connection reset by peer",
	       "{\"kind\":\"probe\",\"detail\":\"no-identification\",\"program\":\"sshd\",\"pid\":"
	       "100}");
	EXPECT(
	    s, 100,
	    "PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= "
	    "rhost=client.example.net  user=root",
	    "{\"kind\":\"auth-failure\",\"detail\":\"pam-failure\",\"program\":\"sshd\",\"pid\":"
	    "100,"
	    "\"src\":\"2001:db8::9\",\"src_port\":5001,\"dst\":\"2001:db8::10\",\"dst_port\":2222,"
	    "\"user\":\"root\",\"counted\":false}");
	/* a different address on the same pid is a new connection */
	EXPECT(s, 100, "Invalid user x from 198.51.100.3 port 7",
	       "{\"kind\":\"auth-failure\",\"detail\":\"invalid-user\",\"program\":\"sshd\","
	       "\"pid\":100,"
	       "\"src\":\"198.51.100.3\",\"src_port\":7,\"user\":\"x\"}");
	/* same address, another port: also a new connection (counts again) */
	EXPECT(s, 100, "Failed password for invalid user x from 198.51.100.3 port 8 ssh2",
	       "{\"kind\":\"auth-failure\",\"detail\":\"failed-password\",\"program\":\"sshd\","
	       "\"pid\":100,"
	       "\"src\":\"198.51.100.3\",\"src_port\":8,\"user\":\"x\"}");
	/* sessions are per pid: pid 101 knows nothing */
	EXPECT(s, 101, "Disconnecting: Too many authentication failures",
	       "{\"kind\":\"auth-failure\",\"detail\":\"too-many-failures\",\"program\":\"sshd\","
	       "\"pid\":101}");
	/* without a pid there is no session at all */
	EXPECT(s, -1, "Connection from 203.0.113.9 port 5000 on 192.0.2.10 port 22", "none");
	EXPECT(s, -1, "error: kex_exchange_identification: Connection closed by remote host",
	       "{\"kind\":\"probe\",\"detail\":\"no-identification\",\"program\":\"sshd\"}");
}

/* The counting-once rule, on sequences as OpenSSH 9.2 with PAM logs them. */
static void test_counting(void **state)
{
	struct mm_sshd *s = *state;
	static const struct {
		const char *msg;
		int counted;
	} seq[] =
	    {
		/* valid user, three wrong passwords, MaxAuthTries reached */
		{"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
		 "ruser= rhost=192.0.2.5  user=root",
		 1},
		{"Failed password for root from 192.0.2.5 port 42986 ssh2", 0},
		{"Failed password for root from 192.0.2.5 port 42986 ssh2", 1},
		{"Failed password for root from 192.0.2.5 port 42986 ssh2", 1},
		{"error: maximum authentication attempts exceeded for root from 192.0.2.5 port "
		 "42986 ssh2 [preauth]",
		 0},
		{"Disconnecting authenticating user root 192.0.2.5 port 42986: Too many "
		 "authentication failures [preauth]",
		 0},
		{"PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= "
		 "rhost=192.0.2.5  user=root",
		 0},
	    },
	  seq2[] =
	      {
		  /* invalid user, "none" query, two passwords */
		  {"Invalid user nosuch from 192.0.2.6 port 42992", 1},
		  {"Failed none for invalid user nosuch from 192.0.2.6 port 42992 ssh2", 0},
		  {"pam_unix(sshd:auth): check pass; user unknown", -1},
		  {"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
		   "ruser= rhost=192.0.2.6 ",
		   0},
		  {"Failed password for invalid user nosuch from 192.0.2.6 port 42992 ssh2", 0},
		  {"Failed password for invalid user nosuch from 192.0.2.6 port 42992 ssh2", 1},
		  {"Connection closed by invalid user nosuch 192.0.2.6 port 42992 [preauth]", -2},
	      },
	  seq3[] = {
	      /* refused user; PAM error line too */
	      {"User daemon from 192.0.2.7 not allowed because listed in DenyUsers", 1},
	      {"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
	       "rhost=192.0.2.7  user=daemon",
	       0},
	      {"error: PAM: Authentication failure for illegal user daemon from 192.0.2.7", 0},
	      {"Failed password for invalid user daemon from 192.0.2.7 port 42230 ssh2", 0},
	      /* root refused (right password, PermitRootLogin no), then its Failed line */
	      {"ROOT LOGIN REFUSED FROM 192.0.2.7 port 42230", 1},
	      {"Failed password for root from 192.0.2.7 port 42230 ssh2", 0},
	      /* publickey offers count each */
	      {"Failed publickey for root from 192.0.2.7 port 42230 ssh2: RSA SHA256:x", 1},
	      {"Failed publickey for root from 192.0.2.7 port 42230 ssh2: ED25519 SHA256:y", 1},
	      {"Failed password for root from 192.0.2.7 port 42230 ssh2", 1},
	      {"Failed none for root from 192.0.2.7 port 42230 ssh2", 0},
	  };
	size_t i;

	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		assert_int_equal(feed(s, 200, seq[i].msg), 1);
		assert_int_equal(ev.kind, MM_EV_AUTH_FAILURE);
		assert_int_equal(ev.src.family, MM_AF_INET);
		if (ev.counted != (seq[i].counted == 1))
			fail_msg("seq[%zu] %s: counted %d", i, seq[i].msg, ev.counted);
	}
	for (i = 0; i < sizeof(seq2) / sizeof(seq2[0]); i++) {
		int r = feed(s, 201, seq2[i].msg);
		if (seq2[i].counted == -1) {
			assert_int_equal(r, 0);
			continue;
		}
		assert_int_equal(r, 1);
		if (seq2[i].counted == -2) {
			assert_int_equal(ev.kind, MM_EV_PROBE);
			continue;
		}
		if (ev.counted != (seq2[i].counted == 1))
			fail_msg("seq2[%zu] %s: counted %d", i, seq2[i].msg, ev.counted);
	}
	for (i = 0; i < sizeof(seq3) / sizeof(seq3[0]); i++) {
		assert_int_equal(feed(s, 202, seq3[i].msg), 1);
		assert_string_equal(json + strlen(json) - 1, "}");
		if (ev.counted != (seq3[i].counted == 1))
			fail_msg("seq3[%zu] %s: counted %d", i, seq3[i].msg, ev.counted);
	}
	/* without a pid every line counts */
	assert_int_equal(feed(s, -1, seq[0].msg), 1);
	assert_true(ev.counted);
	assert_int_equal(feed(s, -1, seq[1].msg), 1);
	assert_true(ev.counted);
	/* a probe repeated within one connection counts once */
	assert_int_equal(
	    feed(s, 203, "Received disconnect from 192.0.2.8 port 1:11: Bye Bye [preauth]"), 1);
	assert_true(ev.counted);
	assert_int_equal(feed(s, 203, "Disconnected from 192.0.2.8 port 1 [preauth]"), 1);
	assert_false(ev.counted);
	/* a connection's last line opens no session: nothing to attribute later */
	assert_int_equal(feed(s, 204,
			      "Unable to negotiate with 192.0.2.9 port 2: no matching cipher "
			      "found. Their offer: x [preauth]"),
			 1);
	assert_int_equal(
	    feed(s, 204, "error: kex_exchange_identification: Connection closed by remote host"),
	    1);
	assert_int_equal(ev.src.family, MM_AF_NONE);
}

static void test_repeated_and_prefixes(void **state)
{
	struct mm_sshd *s = *state;

	/* rsyslog's folded repeats are unfolded by the line pipeline before
	 * this parser (see the corpus): here they are nothing sshd says */
	EXPECT(s, 110,
	       "message repeated 3 times: [ Failed password for root from 203.0.113.9 port 1 ssh2]",
	       "none");
	EXPECT(s, 111,
	       "message repeated 2 times: [ message repeated 2 times: [ Invalid user a from "
	       "203.0.113.9 port 1]]",
	       "none");
	EXPECT(s, 111, "message repeated 3 times: [ Failed password for root", "none");
	/* things sshd says that are not events */
	EXPECT(s, 112, "Server listening on 0.0.0.0 port 22.", "none");
	EXPECT(s, 112, "Received signal 15; terminating.", "none");
	EXPECT(s, 112, "pam_unix(sshd:session): session opened for user root(uid=0) by (uid=0)",
	       "none");
	EXPECT(s, 112,
	       "Postponed keyboard-interactive for root from 203.0.113.9 port 1 ssh2 [preauth]",
	       "none");
	EXPECT(s, 112,
	       "Disconnecting user root 203.0.113.9 port 1: Change of username or service not "
	       "allowed: (a,b) -> (c,d)",
	       "none");
	EXPECT(s, 112, "", "none");
	EXPECT(s, 112, "error: ", "none");
	EXPECT(s, 112, " [preauth]", "none");
	/* the OpenSSH 9.8+ per-connection program logs the same messages */
	assert_int_equal(
	    feed_prog(s, "sshd-session", 113, "Invalid user a from 203.0.113.9 port 1", 38), 1);
	assert_string_equal(
	    json,
	    "{\"kind\":\"auth-failure\",\"detail\":\"invalid-user\",\"program\":\"sshd-session\","
	    "\"pid\":113,\"src\":\"203.0.113.9\",\"src_port\":1,\"user\":\"a\"}");
	/* NUL bytes inside the message */
	assert_int_equal(feed_prog(s, "sshd", 114, "Invalid user a\0b from 203.0.113.9 port 1", 40),
			 1);
	assert_int_equal(ev.user.n, 3);
}

/* The table is capped: the least recently used session is recycled. */
static void test_eviction(void **state)
{
	struct mm_sshd *s = *state;
	char msg[128];
	int64_t pid;

	/* pid 1 first, pid 2 kept fresh, then 65536 more */
	EXPECT(s, 1, "Connection from 203.0.113.1 port 1 on 192.0.2.10 port 22", "none");
	EXPECT(s, 2, "Connection from 203.0.113.2 port 2 on 192.0.2.10 port 22", "none");
	for (pid = 1000; pid < 1000 + 65536; pid++) {
		snprintf(msg, sizeof(msg), "Connection from 198.51.100.%d port %d",
			 (int)(pid % 250) + 1, (int)(pid % 60000) + 1);
		assert_int_equal(feed(s, pid, msg), 0);
		if (pid % 1000 == 0)
			assert_int_equal(
			    feed(s, 2, "Disconnecting: Too many authentication failures"), 1);
	}
	/* pid 2 was touched, pid 1 was not */
	assert_int_equal(feed(s, 2, "Disconnecting: Too many authentication failures"), 1);
	assert_int_equal(ev.src.family, MM_AF_INET);
	assert_int_equal(ev.src.b[3], 2);
	assert_int_equal(feed(s, 1, "Disconnecting: Too many authentication failures"), 1);
	assert_int_equal(ev.src.family, MM_AF_NONE);
	/* the newest are still there */
	assert_int_equal(feed(s, 1000 + 65535, "fatal: Timeout before authentication"), 1);
	assert_int_equal(ev.src.family, MM_AF_INET);
	/* forget and reuse keep the table consistent */
	for (pid = 1000; pid < 1100; pid++)
		assert_int_equal(feed(s, pid, "pam_unix(sshd:session): session closed for user x"),
				 0);
	for (pid = 5000000; pid < 5000200; pid++) {
		snprintf(msg, sizeof(msg), "Invalid user u from 192.0.2.%d port 9",
			 (int)(pid % 200) + 1);
		assert_int_equal(feed(s, pid, msg), 1);
	}
	assert_int_equal(feed(s, 5000100, "Disconnecting: Too many authentication failures"), 1);
	assert_int_equal(ev.src.b[3], 101);
}

/* Random learn/forget/query against a plain array (no eviction: pids < cap). */
static void test_table_random(void **state)
{
	struct mm_sshd *s = *state;
	enum { NPID = 40000 };
	static uint8_t ref[NPID]; /* 0 unknown, else last octet learned */
	char msg[128];
	uint64_t x = 88172645463325252ULL;
	long i;

	memset(ref, 0, sizeof(ref));
	for (i = 0; i < 400000; i++) {
		uint32_t pid, op;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		pid = (uint32_t)(x % NPID);
		op = (uint32_t)(x >> 40) % 4;
		if (op == 0) {
			uint8_t o = (uint8_t)((x >> 20) % 250 + 1);
			snprintf(msg, sizeof(msg), "Invalid user u from 192.0.2.%u port 9", o);
			assert_int_equal(feed(s, pid, msg), 1);
			ref[pid] = o;
		} else if (op == 1) {
			assert_int_equal(
			    feed(s, pid, "pam_unix(sshd:session): session closed for user u"), 0);
			ref[pid] = 0;
		} else {
			assert_int_equal(
			    feed(s, pid, "Disconnecting: Too many authentication failures"), 1);
			if (ref[pid]) {
				assert_int_equal(ev.src.family, MM_AF_INET);
				assert_int_equal(ev.src.b[3], ref[pid]);
			} else {
				assert_int_equal(ev.src.family, MM_AF_NONE);
			}
		}
	}
}

static void test_corpus(void **state)
{
	(void)state;
	assert_int_equal(mm_corpus_run(mm_test_data("logs/sshd.txt")), 0);
}

static void test_corpus_real(void **state)
{
	(void)state;
	assert_int_equal(mm_corpus_run(mm_test_data("logs/sshd-real.txt")), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_failed_methods, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_other_failures, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_probes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_accepted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_injection, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_counting, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_repeated_and_prefixes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_eviction, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_table_random, setup, teardown),
	    cmocka_unit_test(test_corpus),
	    cmocka_unit_test(test_corpus_real),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
