/* SPDX-License-Identifier: MIT */
/*
 * Line readers: plain (mapped), gzip, zstd, stdin and FIFOs; framing edge
 * cases; the over-long line cap; errors; rotated sets. Fixtures are made
 * at run time in a fresh directory with the zlib and zstd APIs.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>
#include <zstd.h>

#include "mamori/buf.h"
#include "mamori/logs.h"
#include "mamori/time.h"

static char tmpdir[64];

static const char *tpath(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static void write_file(const char *name, const void *data, size_t n)
{
	FILE *f = fopen(tpath(name), "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void append_file(const char *name, const void *data, size_t n)
{
	FILE *f = fopen(tpath(name), "ab");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* One gzip member; mode "wb" starts the file, "ab" adds a member. */
static void write_gz(const char *name, const char *mode, const void *data, size_t n)
{
	gzFile g = gzopen(tpath(name), mode);

	assert_non_null(g);
	if (n > 0)
		assert_int_equal(gzwrite(g, data, (unsigned)n), (int)n);
	assert_int_equal(gzclose(g), Z_OK);
}

/* One zstd frame appended to the file (created when append is false). */
static void write_zst(const char *name, bool append, const void *data, size_t n)
{
	size_t cap = ZSTD_compressBound(n);
	void *out = malloc(cap);
	size_t z;

	assert_non_null(out);
	z = ZSTD_compress(out, cap, data, n, 3);
	assert_false(ZSTD_isError(z));
	if (append)
		append_file(name, out, z);
	else
		write_file(name, out, z);
	free(out);
}

/* All lines of path joined with '|' (a test's lines never hold one). */
struct got {
	char text[4096];
	size_t len;
	int nlines;
	uint64_t too_long;
	int ret;
	struct mm_err err;
};

static void read_all(const char *path, size_t max_line, struct got *g)
{
	struct mm_reader *r = NULL;
	const char *line;
	size_t n;
	int ret;

	memset(g, 0, sizeof(*g));
	ret = mm_reader_open(path, max_line, &r, &g->err);
	if (ret < 0) {
		assert_null(r);
		g->ret = ret;
		return;
	}
	while ((ret = mm_reader_next(r, &line, &n, &g->err)) == 1) {
		if (g->nlines++)
			g->text[g->len++] = '|';
		assert_true(g->len + n < sizeof(g->text));
		memcpy(g->text + g->len, line, n);
		g->len += n;
	}
	g->ret = ret;
	g->too_long = mm_reader_too_long(r);
	assert_int_equal(mm_reader_lineno(r), (uint64_t)g->nlines + g->too_long);
	if (ret == 0 && mm_reader_size(r) > 0)
		assert_int_equal(mm_reader_pos(r), mm_reader_size(r));
	mm_reader_free(r);
}

static void expect_lines(const char *name, size_t max_line, const char *want, size_t want_len,
			 int nlines, uint64_t too_long)
{
	struct got g;

	read_all(tpath(name), max_line, &g);
	if (g.ret != 0)
		fail_msg("%s: %d %s", name, g.ret, g.err.msg);
	assert_int_equal(g.nlines, nlines);
	assert_int_equal(g.too_long, too_long);
	assert_int_equal(g.len, want_len);
	assert_memory_equal(g.text, want, want_len);
}

#define EXPECT(name, max, want, nl, tl) expect_lines(name, max, want, sizeof(want) - 1, nl, tl)

/* The same content as plain, gzip (one and two members) and zstd (one and two frames). */
static void all_codecs(const char *data, size_t n, size_t max_line, const char *want,
		       size_t want_len, int nlines, uint64_t too_long)
{
	size_t half = n / 2;

	write_file("c.log", data, n);
	expect_lines("c.log", max_line, want, want_len, nlines, too_long);
	write_gz("c.gz", "wb", data, n);
	expect_lines("c.gz", max_line, want, want_len, nlines, too_long);
	write_gz("c2.gz", "wb", data, half);
	write_gz("c2.gz", "ab", data + half, n - half);
	expect_lines("c2.gz", max_line, want, want_len, nlines, too_long);
	write_zst("c.zst", false, data, n);
	expect_lines("c.zst", max_line, want, want_len, nlines, too_long);
	write_zst("c2.zst", false, data, half);
	write_zst("c2.zst", true, data + half, n - half);
	expect_lines("c2.zst", max_line, want, want_len, nlines, too_long);
}

#define ALL(data, max, want, nl, tl)                                                               \
	all_codecs(data, sizeof(data) - 1, max, want, sizeof(want) - 1, nl, tl)

static void test_framing(void **state)
{
	(void)state;
	ALL("a\nbb\n\nccc\n", 0, "a|bb||ccc", 4, 0);
	/* a final line without a newline is still a line */
	ALL("a\nlast", 0, "a|last", 2, 0);
	/* CRLF: the \r before \n goes, others stay */
	ALL("a\r\nb\rc\r\n\r\nd\r", 0, "a|b\rc||d", 4, 0);
	/* NUL bytes stay inside their line */
	ALL("a\0b\n\0\nc", 0, "a\0b|\0|c", 3, 0);
	/* one empty line */
	ALL("\n", 0, "", 1, 0);
}

static void test_empty(void **state)
{
	(void)state;
	write_file("empty.log", "", 0);
	EXPECT("empty.log", 0, "", 0, 0);
	write_gz("empty.gz", "wb", "", 0);
	EXPECT("empty.gz", 0, "", 0, 0);
	write_zst("empty.zst", false, "", 0);
	EXPECT("empty.zst", 0, "", 0, 0);
}

static void test_too_long(void **state)
{
	(void)state;
	/* cap 5: "12345" fits, with or without \r; "123456" does not */
	ALL("12345\n123456\n12345\r\nok\n1234567890", 5, "12345|12345|ok", 3, 2);
	ALL("xxxxxxxxxxxxxxxxxxxxxxxxx", 5, "", 0, 1);
}

/* A line much longer than a decode window, on either side of short ones. */
static void test_too_long_huge(void **state)
{
	size_t big = 3 * 1024 * 1024, n;
	char *data = malloc(big + 64);

	(void)state;
	assert_non_null(data);
	n = 0;
	memcpy(data, "first\n", 6);
	n += 6;
	memset(data + n, 'x', big);
	n += big;
	memcpy(data + n, "\nlast\n", 6);
	n += 6;
	all_codecs(data, n, 1000, "first|last", 10, 2, 1);
	/* the same line at the end, without a newline */
	all_codecs(data, n - 6, 1000, "first", 5, 1, 1);
	free(data);
}

/* Many lines of varied length through every codec: the windows' seams. */
static void test_many_lines(void **state)
{
	size_t cap = 8 * 1024 * 1024, n = 0, i, j, nlines = 0;
	char *data = malloc(cap);
	const char *names[] = {"m.log", "m.gz", "m.zst"};
	uint64_t want_sum = 0;

	(void)state;
	assert_non_null(data);
	for (i = 0; n + 400 < cap; i++) {
		size_t len = (i * 7919) % 300;
		for (j = 0; j < len; j++)
			data[n + j] = (char)('a' + (i + j) % 26);
		want_sum += len * 31 + (len ? (unsigned char)data[n] : 0);
		n += len;
		data[n++] = '\n';
		nlines++;
	}
	write_file("m.log", data, n);
	write_gz("m.gz", "wb", data, n);
	write_zst("m.zst", false, data, n);
	for (i = 0; i < 3; i++) {
		struct mm_reader *r;
		struct mm_err err;
		const char *line;
		size_t len, got = 0;
		uint64_t sum = 0;

		assert_int_equal(mm_reader_open(tpath(names[i]), 0, &r, &err), 0);
		while (mm_reader_next(r, &line, &len, &err) == 1) {
			sum += len * 31 + (len ? (unsigned char)line[0] : 0);
			got++;
		}
		assert_int_equal(got, nlines);
		assert_int_equal(sum, want_sum);
		mm_reader_free(r);
	}
	free(data);
}

static void test_gzip_edges(void **state)
{
	static const char body[] = "one\ntwo\nthree\n";
	unsigned char buf[256];
	struct got g;
	FILE *f;
	size_t n;

	(void)state;
	/* three members, one of them empty */
	write_gz("multi.gz", "wb", "one\n", 4);
	write_gz("multi.gz", "ab", "", 0);
	write_gz("multi.gz", "ab", "two\nthree", 9);
	EXPECT("multi.gz", 0, "one|two|three", 3, 0);
	/* trailing zeros after the last member are ignored, as gzip -d does */
	append_file("multi.gz", "\0\0\0\0\0\0\0\0", 8);
	EXPECT("multi.gz", 0, "one|two|three", 3, 0);
	/* truncated: the lines before the cut, then an error naming the file */
	write_gz("cut.gz", "wb", body, sizeof(body) - 1);
	f = fopen(tpath("cut.gz"), "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	write_file("cut.gz", buf, n - 6);
	read_all(tpath("cut.gz"), 0, &g);
	assert_int_equal(g.ret, MM_ERR_IO);
	assert_non_null(strstr(g.err.msg, "cut.gz"));
	/* corrupt deflate data */
	memset(buf + 12, 0xff, n - 20);
	write_file("bad.gz", buf, n);
	read_all(tpath("bad.gz"), 0, &g);
	assert_int_equal(g.ret, MM_ERR_IO);
	assert_non_null(strstr(g.err.msg, "bad.gz"));
}

static void test_zstd_edges(void **state)
{
	unsigned char buf[256];
	struct got g;
	size_t z;

	(void)state;
	z = ZSTD_compress(buf, sizeof(buf), "one\ntwo\n", 8, 3);
	assert_false(ZSTD_isError(z));
	write_file("cut.zst", buf, z - 3);
	read_all(tpath("cut.zst"), 0, &g);
	assert_int_equal(g.ret, MM_ERR_IO);
	assert_non_null(strstr(g.err.msg, "cut.zst"));
	/* only the magic */
	write_file("magic.zst", "\x28\xb5\x2f\xfd", 4);
	read_all(tpath("magic.zst"), 0, &g);
	assert_int_equal(g.ret, MM_ERR_IO);
}

/* Magic bytes decide, not names: a .gz name with plain text is plain. */
static void test_sniff(void **state)
{
	(void)state;
	write_file("plain.gz", "a\nb\n", 4);
	EXPECT("plain.gz", 0, "a|b", 2, 0);
	write_gz("hidden.log", "wb", "a\nb\n", 4);
	EXPECT("hidden.log", 0, "a|b", 2, 0);
	/* a plain file shorter than any magic */
	write_file("x.log", "x", 1);
	EXPECT("x.log", 0, "x", 1, 0);
}

static void test_errors(void **state)
{
	struct got g;

	(void)state;
	read_all(tpath("missing.log"), 0, &g);
	assert_int_equal(g.ret, MM_ERR_NOTFOUND);
	assert_non_null(strstr(g.err.msg, "missing.log"));
	read_all(tmpdir, 0, &g);
	assert_int_equal(g.ret, MM_ERR_INVAL);
	assert_non_null(strstr(g.err.msg, tmpdir));
	read_all("/dev/null", 0, &g);
	assert_int_equal(g.ret, MM_ERR_INVAL);
	assert_non_null(strstr(g.err.msg, "/dev/null"));
	/* symlinks are followed */
	write_file("target.log", "t\n", 2);
	assert_int_equal(symlink(tpath("target.log"), tpath("link.log")), 0);
	EXPECT("link.log", 0, "t", 1, 0);
}

/* Feed data to fd from a child process, so a pipe never fills up on us. */
static pid_t feed(int fd, const void *data, size_t n)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		const char *p = data;
		while (n > 0) {
			ssize_t w = write(fd, p, n > 1000 ? 1000 : n);
			if (w <= 0)
				_exit(1);
			p += w;
			n -= (size_t)w;
		}
		_exit(0);
	}
	return pid;
}

static void test_stdin_and_fifo(void **state)
{
	unsigned char gz[256];
	uLongf gzn = sizeof(gz);
	int p[2], saved, status;
	pid_t pid;
	struct got g;
	FILE *f;

	(void)state;
	/* stdin through a pipe: plain */
	assert_int_equal(pipe(p), 0);
	saved = dup(0);
	assert_int_equal(dup2(p[0], 0), 0);
	close(p[0]);
	pid = feed(p[1], "x\r\ny\nz", 6);
	close(p[1]);
	read_all("-", 0, &g);
	assert_int_equal(g.ret, 0);
	assert_int_equal(g.nlines, 3);
	assert_memory_equal(g.text, "x|y|z", 5);
	waitpid(pid, &status, 0);

	/* stdin through a pipe: gzip, two members */
	write_gz("s.gz", "wb", "one\n", 4);
	write_gz("s.gz", "ab", "two\n", 4);
	f = fopen(tpath("s.gz"), "rb");
	assert_non_null(f);
	gzn = fread(gz, 1, sizeof(gz), f);
	fclose(f);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(dup2(p[0], 0), 0);
	close(p[0]);
	pid = feed(p[1], gz, gzn);
	close(p[1]);
	read_all("-", 0, &g);
	assert_int_equal(g.ret, 0);
	assert_int_equal(g.nlines, 2);
	assert_memory_equal(g.text, "one|two", 7);
	waitpid(pid, &status, 0);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);

	/* a FIFO, zstd inside */
	{
		unsigned char z[256];
		size_t zn = ZSTD_compress(z, sizeof(z), "f1\nf2\n", 6, 3);
		int fd;

		assert_int_equal(mkfifo(tpath("fifo"), 0600), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			fd = open(tpath("fifo"), O_WRONLY);
			if (fd < 0 || write(fd, z, zn) != (ssize_t)zn)
				_exit(1);
			_exit(0);
		}
		read_all(tpath("fifo"), 0, &g);
		assert_int_equal(g.ret, 0);
		assert_int_equal(g.nlines, 2);
		assert_memory_equal(g.text, "f1|f2", 5);
		waitpid(pid, &status, 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

static void test_meta(void **state)
{
	struct mm_reader *r;
	struct mm_err err;
	struct stat st;
	const char *line;
	size_t n;

	(void)state;
	write_file("meta.log", "12345\n", 6);
	assert_int_equal(stat(tpath("meta.log"), &st), 0);
	assert_int_equal(mm_reader_open(tpath("meta.log"), 0, &r, &err), 0);
	assert_int_equal(mm_reader_size(r), 6);
	assert_int_equal(mm_reader_pos(r), 0);
	assert_int_equal(mm_reader_mtime(r), st.st_mtime);
	assert_int_equal(mm_reader_next(r, &line, &n, &err), 1);
	assert_int_equal(mm_reader_lineno(r), 1);
	assert_int_equal(mm_reader_pos(r), 6);
	assert_int_equal(mm_reader_next(r, &line, &n, &err), 0);
	assert_int_equal(mm_reader_next(r, &line, &n, &err), 0);
	mm_reader_free(r);
	mm_reader_free(NULL);
}

static void touch(const char *dir, const char *name)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
}

static void check_set(const char *path, const char *const *want, int nwant)
{
	char **got = NULL;
	int n = mm_rotated_set(path, &got), i;

	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++) {
		const char *slash = strrchr(got[i], '/');
		const char *base = slash ? slash + 1 : got[i];

		if (strcmp(base, want[i]) != 0)
			fail_msg("rotated set [%d]: got %s, want %s", i, got[i], want[i]);
		free(got[i]);
	}
	free(got);
}

static void test_rotated(void **state)
{
	static const char *const names[] = {
	    "auth.log",	      "auth.log.1",	"auth.log.2.gz",    "auth.log.10.gz",
	    "auth.log.9.zst", "auth.log.3",	"auth.log.3.gz",    "auth.logx",
	    "auth.log.old",   "auth.log.1.bak", "other.auth.log.4", "auth.log.gz",
	    "auth.log.",      "auth.log.x1",
	};
	static const char *const want[] = {
	    "auth.log.10.gz", "auth.log.9.zst", "auth.log.3",
	    "auth.log.2.gz",  "auth.log.1",	"auth.log",
	};
	static const char *const want_dated[] = {
	    "syslog-20261101.gz",
	    "syslog-20261108.zst",
	    "syslog-20261115",
	    "syslog",
	};
	char dir[128], full[256], **got;
	size_t i;
	int n;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/rot", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		touch(dir, names[i]);
	touch(dir, "syslog");
	touch(dir, "syslog-20261115");
	touch(dir, "syslog-20261101.gz");
	touch(dir, "syslog-20261108.zst");
	snprintf(full, sizeof(full), "%s/auth.log", dir);
	check_set(full, want, 6);
	snprintf(full, sizeof(full), "%s/syslog", dir);
	check_set(full, want_dated, 4);
	/* the directory part is kept as given */
	snprintf(full, sizeof(full), "%s/auth.log", dir);
	n = mm_rotated_set(full, &got);
	assert_int_equal(n, 6);
	assert_int_equal(strncmp(got[5], dir, strlen(dir)), 0);
	assert_string_equal(got[5] + strlen(dir), "/auth.log");
	for (i = 0; i < (size_t)n; i++)
		free(got[i]);
	free(got);
	/* only rotated files left: still found; nothing at all: 0 */
	snprintf(full, sizeof(full), "%s/auth.log", dir);
	assert_int_equal(unlink(full), 0);
	check_set(full, want, 5);
	snprintf(full, sizeof(full), "%s/nothing.log", dir);
	check_set(full, NULL, 0);
	check_set("/nonexistent-dir/auth.log", NULL, 0);
}

/* ---- journal ---------------------------------------------------------- */

#define JOURNAL_REMOTE "/usr/lib/systemd/systemd-journal-remote"

static void export_text(struct mm_buf *b, const char *ts, const char *fields)
{
	assert_int_equal(mm_buf_addf(b,
				     "__REALTIME_TIMESTAMP=%s\n__MONOTONIC_TIMESTAMP=1\n"
				     "_BOOT_ID=0123456789abcdef0123456789abcdef\n%s\n",
				     ts, fields),
			 0);
}

/* A field in the export format's binary form (for values with newlines). */
static void export_binary(struct mm_buf *b, const char *name, const char *v, size_t n)
{
	unsigned char le[8];
	int i;

	for (i = 0; i < 8; i++)
		le[i] = (unsigned char)((uint64_t)n >> (8 * i));
	assert_int_equal(mm_buf_addf(b, "%s\n", name), 0);
	assert_int_equal(mm_buf_add(b, le, 8), 0);
	assert_int_equal(mm_buf_add(b, v, n), 0);
	assert_int_equal(mm_buf_addc(b, '\n'), 0);
}

/* Make dir/x.journal from an export stream with systemd-journal-remote. */
static void make_journal(const char *dir, const struct mm_buf *exp)
{
	char in[256], out[256];
	int fd, status;
	pid_t pid;

	snprintf(in, sizeof(in), "%s/in.export", dir);
	snprintf(out, sizeof(out), "%s/x.journal", dir);
	fd = open(in, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, exp->data, exp->len), (ssize_t)exp->len);
	close(fd);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open(in, O_RDONLY);
		if (fd < 0 || dup2(fd, 0) < 0)
			_exit(126);
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 2);
		execl(JOURNAL_REMOTE, JOURNAL_REMOTE, "-o", out, "-", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	unlink(in);
}

struct jline {
	const char *program;
	int64_t pid;
	bool kernel;
	const char *msg_start;
	size_t msg_len;
};

static void test_journal(void **state)
{
	static const struct jline want[] = {
	    {"kernel", -1, true, "[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9", 0},
	    {"sshd", 4242, false, "Failed password for root from 192.0.2.5 port 50000 ssh2", 0},
	    /* SYSLOG_IDENTIFIER=kernel from user space: its command and pid */
	    {"evil", 666, false, "IN=eth0 OUT= SRC=192.0.2.99", 0},
	    {"unknown", 0, false, "IN=eth0 OUT= SRC=192.0.2.98", 0},
	    {"sshd-session", 77, false, "line one line two", 0},
	    {"sshd", 5, false, "xxxx", 8192},
	};
	struct mm_buf exp, big;
	struct mm_journal *j;
	struct mm_envelope_ctx ctx;
	struct mm_envelope env;
	struct mm_err err;
	const char *line;
	char dir[128], tbuf[MM_TIME_STRLEN];
	size_t n, k = 0;
	int r;

	(void)state;
	if (access(JOURNAL_REMOTE, X_OK) != 0) {
		print_message("skipped: %s not installed (package systemd-journal-remote)\n",
			      JOURNAL_REMOTE);
		skip();
	}
	snprintf(dir, sizeof(dir), "%s/journal", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	mm_buf_init(&exp, 1 << 20);
	mm_buf_init(&big, 1 << 16);
	export_text(&exp, "1795230765123456",
		    "_TRANSPORT=kernel\n_HOSTNAME=fw\nSYSLOG_IDENTIFIER=kernel\n"
		    "MESSAGE=[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9\n");
	export_text(
	    &exp, "1795230766000000",
	    "_TRANSPORT=syslog\n_HOSTNAME=fw\nSYSLOG_IDENTIFIER=sshd\n_COMM=sshd\n_PID=4242\n"
	    "MESSAGE=Failed password for root from 192.0.2.5 port 50000 ssh2\n");
	/* not ours: cron */
	export_text(&exp, "1795230767000000",
		    "_TRANSPORT=syslog\n_HOSTNAME=fw\nSYSLOG_IDENTIFIER=CRON\n_COMM=cron\n_PID=9\n"
		    "MESSAGE=(root) CMD (true)\n");
	export_text(
	    &exp, "1795230768000000",
	    "_TRANSPORT=syslog\n_HOSTNAME=fw\nSYSLOG_IDENTIFIER=kernel\n_COMM=evil\n_PID=666\n"
	    "MESSAGE=IN=eth0 OUT= SRC=192.0.2.99\n");
	/* claiming to be the kernel, without command or pid: still user space */
	export_text(&exp, "1795230769000000",
		    "_TRANSPORT=journal\n_HOSTNAME=bad host:[x]\nSYSLOG_IDENTIFIER=kernel\n"
		    "MESSAGE=IN=eth0 OUT= SRC=192.0.2.98\n");
	assert_int_equal(mm_buf_adds(&exp, "__REALTIME_TIMESTAMP=1795230770000000\n"
					   "__MONOTONIC_TIMESTAMP=1\n"
					   "_BOOT_ID=0123456789abcdef0123456789abcdef\n"
					   "_TRANSPORT=syslog\n_HOSTNAME=fw\n"
					   "SYSLOG_IDENTIFIER=sshd-session\nSYSLOG_PID=77\n"),
			 0);
	export_binary(&exp, "MESSAGE", "line one\nline two", 17);
	assert_int_equal(mm_buf_addc(&exp, '\n'), 0);
	/* an oversized message is capped */
	for (n = 0; n < 20000; n++)
		assert_int_equal(mm_buf_addc(&big, 'x'), 0);
	assert_int_equal(mm_buf_adds(&exp, "__REALTIME_TIMESTAMP=1795230771000000\n"
					   "__MONOTONIC_TIMESTAMP=1\n"
					   "_BOOT_ID=0123456789abcdef0123456789abcdef\n"
					   "_TRANSPORT=stdout\n_HOSTNAME=fw\n_COMM=sshd\n_PID=5\n"
					   "MESSAGE="),
			 0);
	assert_int_equal(mm_buf_add(&exp, big.data, big.len), 0);
	assert_int_equal(mm_buf_adds(&exp, "\n\n"), 0);
	make_journal(dir, &exp);

	assert_int_equal(mm_journal_open(dir, &j, &err), 0);
	mm_envelope_ctx_init(&ctx, 0, 0);
	while ((r = mm_journal_next(j, &line, &n, &err)) == 1) {
		const struct jline *w = &want[k];
		size_t wl = w->msg_len ? w->msg_len : strlen(w->msg_start);

		assert_true(k < sizeof(want) / sizeof(want[0]));
		if (mm_envelope_parse(&ctx, line, n, &env) != 0)
			fail_msg("journal line has no envelope: %.*s", (int)n, line);
		if (!mm_span_eq(env.program, w->program))
			fail_msg("program %.*s, want %s", (int)env.program.n, env.program.p,
				 w->program);
		assert_int_equal(env.pid, w->pid);
		assert_int_equal(env.kernel, w->kernel);
		assert_int_equal(env.msg.n, wl);
		assert_memory_equal(env.msg.p, w->msg_start, strlen(w->msg_start));
		if (k == 0) {
			assert_true(mm_span_eq(env.host, "fw"));
			assert_string_equal(mm_time_format(&env.time, true, tbuf),
					    "2026-11-21T03:12:45.123456+00:00");
		}
		if (k == 3)
			assert_true(mm_span_eq(env.host, "bad_host__x_"));
		k++;
	}
	assert_int_equal(r, 0);
	assert_int_equal(k, sizeof(want) / sizeof(want[0]));
	mm_journal_free(j);
	mm_buf_release(&exp);
	mm_buf_release(&big);
}

static void test_journal_empty(void **state)
{
	struct mm_journal *j;
	struct mm_err err;
	const char *line;
	char dir[128];
	size_t n;
	int r, i;

	(void)state;
	/* a directory without journal files: no lines, no error */
	snprintf(dir, sizeof(dir), "%s/nojournal", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(mm_journal_open(dir, &j, &err), 0);
	assert_int_equal(mm_journal_next(j, &line, &n, &err), 0);
	mm_journal_free(j);
	/* a directory that is not there is the caller's mistake */
	snprintf(dir, sizeof(dir), "%s/missing", tmpdir);
	assert_int_equal(mm_journal_open(dir, &j, &err), MM_ERR_NOTFOUND);
	assert_null(j);
	assert_non_null(strstr(err.msg, "missing"));
	/* the local journal, whatever this host has (maybe nothing) */
	assert_int_equal(mm_journal_open(NULL, &j, &err), 0);
	for (i = 0; i < 1000 && (r = mm_journal_next(j, &line, &n, &err)) == 1; i++)
		;
	assert_true(r >= 0);
	mm_journal_free(j);
	mm_journal_free(NULL);
}

static void rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char p[1024];

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		rm_tree(p);
	}
	closedir(d);
	rmdir(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mamori-reader.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rm_tree(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_framing),    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_too_long),   cmocka_unit_test(test_too_long_huge),
	    cmocka_unit_test(test_many_lines), cmocka_unit_test(test_gzip_edges),
	    cmocka_unit_test(test_zstd_edges), cmocka_unit_test(test_sniff),
	    cmocka_unit_test(test_errors),     cmocka_unit_test(test_stdin_and_fifo),
	    cmocka_unit_test(test_meta),       cmocka_unit_test(test_rotated),
	    cmocka_unit_test(test_journal),    cmocka_unit_test(test_journal_empty),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
