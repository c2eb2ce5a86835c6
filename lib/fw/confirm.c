/* SPDX-License-Identifier: MIT */
/*
 * The pending-confirmation state of `--confirm SECONDS`: a small text
 * file beside the saved copies of the rules file, the blocks file and
 * the loaded table, read by `confirm`, by the watcher that rolls back at
 * the deadline, and by every later command (which rolls back an overdue
 * change whose watcher died, say with a reboot). Format, one per line:
 *
 *   # comment
 *   deadline UNIX-SECONDS
 *   rules yes|no        the rules file existed (copy in PENDING.rules)
 *   blocks yes|no       the blocks file existed (copy in PENDING.blocks)
 *   table yes|no        table inet mamori was loaded (text in PENDING.nft)
 *   watcher PID START   the watcher and its start time (/proc/PID/stat
 *                       field 22), 0 0 before it runs
 *   feeds [NAME...]     the blocklist feeds there were, each saved in
 *                       PENDING.feeds/NAME (none: there was no feed)
 *
 * Every key exactly once, except feeds, which a state written before
 * feeds were saved lacks; anything else is an error with file and line.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mamori/cursor.h"
#include "mamori/fw.h"

#define PENDING_MAX 4096
#define COPY_MAX (512u << 20)

static int yes_no(struct mm_cur *c, bool *out)
{
	struct mm_span w;

	mm_cur_skip_ws(c);
	if (!mm_cur_word(c, &w))
		return -1;
	if (mm_span_eq(w, "yes"))
		*out = true;
	else if (mm_span_eq(w, "no"))
		*out = false;
	else
		return -1;
	return 0;
}

int mm_fw_pending_parse(const char *name, const char *data, size_t n, struct mm_fw_pending *p,
			struct mm_err *err)
{
	const char *s = data, *end = data + n;
	unsigned long line = 0;
	unsigned seen = 0;

	memset(p, 0, sizeof(*p));
	if (n > PENDING_MAX)
		return mm_err_set(err, MM_ERR_TOOBIG, "%s: larger than %d bytes", name,
				  PENDING_MAX);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		struct mm_cur c = mm_cur_make(s, len);
		struct mm_span w, w2;
		unsigned bit = 0;
		bool bad = false;
		uint64_t v, v2;

		line++;
		s += len + (nl ? 1 : 0);
		mm_cur_skip_ws(&c);
		if (mm_cur_eof(&c) || *c.p == '#')
			continue;
		if (memchr(c.p, '\0', mm_cur_left(&c)))
			return mm_err_set(err, MM_ERR_PARSE, "%s:%lu: NUL byte in line", name,
					  line);
		if (!mm_cur_word(&c, &w))
			return mm_err_set(err, MM_ERR_PARSE, "%s:%lu: expected a key", name, line);
		mm_cur_skip_ws(&c);
		if (mm_span_eq(w, "deadline")) {
			bit = 1;
			bad = !mm_cur_u64(&c, &v, 1ull << 40) || v == 0;
			if (!bad)
				p->deadline = (int64_t)v;
		} else if (mm_span_eq(w, "rules")) {
			bit = 2;
			bad = yes_no(&c, &p->had_rules) < 0;
		} else if (mm_span_eq(w, "blocks")) {
			bit = 4;
			bad = yes_no(&c, &p->had_blocks) < 0;
		} else if (mm_span_eq(w, "table")) {
			bit = 8;
			bad = yes_no(&c, &p->had_table) < 0;
		} else if (mm_span_eq(w, "watcher")) {
			bit = 16;
			bad = !mm_cur_u64(&c, &v, 1u << 30);
			mm_cur_skip_ws(&c);
			bad = bad || !mm_cur_u64(&c, &v2, UINT64_MAX);
			if (!bad) {
				p->pid = (int)v;
				p->start = v2;
			}
		} else if (mm_span_eq(w, "feeds")) {
			bit = 32;
			p->had_feeds = true;
			while (!bad && mm_cur_word(&c, &w2)) {
				size_t k;

				bad =
				    !mm_fw_feed_name_ok(w2.p, w2.n) || p->nfeeds >= MM_FW_MAX_FEEDS;
				for (k = 0; !bad && k < p->nfeeds; k++)
					bad = strlen(p->feeds[k]) == w2.n &&
					      memcmp(p->feeds[k], w2.p, w2.n) == 0;
				if (!bad) {
					memcpy(p->feeds[p->nfeeds], w2.p, w2.n);
					p->feeds[p->nfeeds++][w2.n] = '\0';
				}
				mm_cur_skip_ws(&c);
			}
		} else {
			return mm_err_set(err, MM_ERR_PARSE, "%s:%lu: unknown key '%.*s'", name,
					  line, (int)(w.n > 32 ? 32 : w.n), w.p);
		}
		mm_cur_skip_ws(&c);
		if (bad || !mm_cur_eof(&c))
			return mm_err_set(err, MM_ERR_PARSE, "%s:%lu: bad value for '%.*s'", name,
					  line, (int)w.n, w.p);
		if (seen & bit)
			return mm_err_set(err, MM_ERR_PARSE, "%s:%lu: '%.*s' given twice", name,
					  line, (int)w.n, w.p);
		seen |= bit;
	}
	if ((seen & 31) != 31)
		return mm_err_set(err, MM_ERR_PARSE,
				  "%s: incomplete (needs deadline, rules, blocks, table, watcher)",
				  name);
	return 0;
}

int mm_fw_pending_format(const struct mm_fw_pending *p, struct mm_buf *out)
{
	size_t i;
	int rc = mm_buf_addf(out,
			     "# mamori firewall: a change waiting for 'mamori firewall confirm'\n"
			     "deadline %lld\nrules %s\nblocks %s\ntable %s\nwatcher %d %llu\n",
			     (long long)p->deadline, p->had_rules ? "yes" : "no",
			     p->had_blocks ? "yes" : "no", p->had_table ? "yes" : "no", p->pid,
			     (unsigned long long)p->start);

	if (rc == 0 && p->had_feeds) {
		rc = mm_buf_adds(out, "feeds");
		for (i = 0; rc == 0 && i < p->nfeeds; i++)
			rc = mm_buf_addf(out, " %s", p->feeds[i]);
		if (rc == 0)
			rc = mm_buf_addc(out, '\n');
	}
	return rc;
}

static int errno_code(int e)
{
	return e == EACCES || e == EPERM ? MM_ERR_PERM : MM_ERR_IO;
}

int mm_fw_read_file(const char *path, size_t max, struct mm_buf *out, struct mm_err *err)
{
	char chunk[65536];
	ssize_t got;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return mm_err_set(err, errno == ENOENT ? MM_ERR_NOTFOUND : errno_code(errno),
				  "%s: %s", path, strerror(errno));
	/* a file replaced through a spare may be one again (mm_fw_tmp_begin()) */
	(void)flock(fd, LOCK_SH);
	while ((got = read(fd, chunk, sizeof(chunk))) > 0) {
		if (out->len + (size_t)got > max || mm_buf_add(out, chunk, (size_t)got) < 0) {
			rc = mm_err_set(err, MM_ERR_TOOBIG, "%s: larger than %zu bytes", path, max);
			break;
		}
	}
	if (rc == 0 && got < 0)
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
	if (rc == 0 && !out->data)
		rc = mm_buf_adds(out, "") < 0 ? mm_err_set(err, MM_ERR_NOMEM, "out of memory") : 0;
	close(fd);
	return rc;
}

struct mm_fw_tmpfile {
	char path[PATH_MAX]; /* the temporary file or the spare */
	int fd;
	int sync_errno; /* of the fsync, written by the thread before it ends */
	bool spare;
	bool thread;
	pthread_t th;
};

/* A spare's inode and blocks exist already: only its data and size need
 * to reach the disk (fdatasync); a fresh file needs all of it (fsync). */
static int tmp_fsync(struct mm_fw_tmpfile *t)
{
	return t->spare ? fdatasync(t->fd) : fsync(t->fd);
}

static void *sync_main(void *arg)
{
	struct mm_fw_tmpfile *t = arg;

	if (tmp_fsync(t) < 0)
		t->sync_errno = errno;
	return NULL;
}

/*
 * The spare PATH.prev, opened and locked for rewriting: a regular file of
 * ours with one link (anything else there is removed and made again).
 * Another writer may have swapped it in as PATH between our open and our
 * lock: then the name no longer names what we hold, and we open again.
 * Returns the fd or -1 (errno).
 */
static int open_spare(const char *spare, mode_t *mode)
{
	struct stat st, sn;
	int tries, fd;
	bool same;

	for (tries = 0; tries < 8; tries++) {
		fd = open(spare, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 && errno == ELOOP && unlink(spare) == 0)
			continue;
		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0) {
			close(fd);
			return -1;
		}
		same = stat(spare, &sn) == 0 && sn.st_ino == st.st_ino && sn.st_dev == st.st_dev;
		if (same && S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_uid == geteuid()) {
			*mode = st.st_mode & 07777;
			return fd;
		}
		/* swapped away meanwhile (open again), or not a plain file of
		 * ours (made again) */
		if (same)
			unlink(spare);
		close(fd);
	}
	errno = EBUSY;
	return -1;
}

int mm_fw_tmp_begin(const char *path, const char *data, size_t n, unsigned flags,
		    struct mm_fw_tmpfile **out, struct mm_err *err)
{
	struct mm_fw_tmpfile *t = calloc(1, sizeof(*t));
	mode_t mode = 0;
	size_t off = 0;
	int rc = 0;

	*out = NULL;
	if (!t)
		return mm_err_set(err, MM_ERR_NOMEM, "out of memory");
	t->spare = flags & MM_FW_TMP_SPARE;
	if ((size_t)snprintf(t->path, sizeof(t->path), t->spare ? "%s.prev" : "%s.tmp.XXXXXX",
			     path) >= sizeof(t->path)) {
		free(t);
		return mm_err_set(err, MM_ERR_RANGE, "%s: path too long", path);
	}
	t->fd = t->spare ? open_spare(t->path, &mode) : mkostemp(t->path, O_CLOEXEC);
	if (t->fd < 0) {
		rc = mm_err_set(err, errno_code(errno), "%s: %s", t->path, strerror(errno));
		free(t);
		return rc;
	}
	while (off < n) {
		ssize_t w = pwrite(t->fd, data + off, n - off, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = mm_err_set(err, MM_ERR_IO, "%s: %s", t->path, strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	if (rc == 0 && t->spare && ftruncate(t->fd, (off_t)n) < 0)
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", t->path, strerror(errno));
	if (rc == 0 && mode != 0644 && fchmod(t->fd, 0644) < 0)
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", t->path, strerror(errno));
	if (rc < 0) {
		mm_fw_tmp_abandon(t);
		return rc;
	}
	/* the fsync waits for the disk, not the CPU: in a thread it overlaps
	 * the caller's kernel transaction; without one it runs in the end */
	if (flags & MM_FW_TMP_BACKGROUND) {
		pthread_attr_t at;

		/* a small stack: the thread makes one system call */
		if (pthread_attr_init(&at) == 0) {
			(void)pthread_attr_setstacksize(&at, 64u << 10);
			t->thread = pthread_create(&t->th, &at, sync_main, t) == 0;
			pthread_attr_destroy(&at);
		}
	}
	*out = t;
	return 0;
}

/* Wait for the fsync; close. */
static int tmp_sync(struct mm_fw_tmpfile *t, struct mm_err *err)
{
	int rc = 0;

	if (t->thread)
		pthread_join(t->th, NULL);
	else if (tmp_fsync(t) < 0)
		t->sync_errno = errno;
	t->thread = false;
	if (t->sync_errno)
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", t->path, strerror(t->sync_errno));
	return rc;
}

int mm_fw_tmp_end(struct mm_fw_tmpfile *t, char *tmp_out, size_t tmpsz, struct mm_err *err)
{
	int rc = tmp_sync(t, err);

	tmp_out[0] = '\0';
	if (close(t->fd) < 0 && rc == 0)
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", t->path, strerror(errno));
	t->fd = -1;
	if (rc == 0 && (size_t)snprintf(tmp_out, tmpsz, "%s", t->path) >= tmpsz)
		rc = mm_err_set(err, MM_ERR_RANGE, "%s: path too long", t->path);
	if (rc < 0) {
		unlink(t->path);
		tmp_out[0] = '\0';
	}
	free(t);
	return rc;
}

int mm_fw_tmp_commit(struct mm_fw_tmpfile *t, const char *path, struct mm_err *err)
{
	int rc = tmp_sync(t, err);

	if (rc == 0 && t->spare) {
		/* the spare, complete and on disk, becomes path and path the
		 * spare: no file is made or freed (on ext4 that is what an
		 * update cost: a fresh inode, its blocks, the old ones freed) */
		if (renameat2(AT_FDCWD, t->path, AT_FDCWD, path, RENAME_EXCHANGE) == 0)
			goto out;
		/* no path yet, or a file system without the exchange */
		if (errno != ENOENT && errno != EINVAL && errno != ENOSYS)
			rc = mm_err_set(err, errno_code(errno), "%s: %s", path, strerror(errno));
	}
	if (rc == 0 && rename(t->path, path) < 0)
		rc = mm_err_set(err, errno_code(errno), "%s: %s", path, strerror(errno));
	if (rc < 0 && !t->spare)
		unlink(t->path);
out:
	/* the lock goes with the fd: only now may the next writer take the spare */
	close(t->fd);
	free(t);
	return rc;
}

void mm_fw_tmp_abandon(struct mm_fw_tmpfile *t)
{
	if (!t)
		return;
	if (t->thread)
		pthread_join(t->th, NULL);
	if (!t->spare)
		unlink(t->path);
	if (t->fd >= 0)
		close(t->fd);
	free(t);
}

int mm_fw_write_tmp_data(const char *path, const char *data, size_t n, char *tmp_out, size_t tmpsz,
			 struct mm_err *err)
{
	struct mm_fw_tmpfile *t;
	int rc;

	tmp_out[0] = '\0';
	rc = mm_fw_tmp_begin(path, data, n, 0, &t, err);
	return rc < 0 ? rc : mm_fw_tmp_end(t, tmp_out, tmpsz, err);
}

int mm_fw_write_file(const char *path, const char *data, size_t n, struct mm_err *err)
{
	char tmp[PATH_MAX];
	int rc = mm_fw_write_tmp_data(path, data, n, tmp, sizeof(tmp), err);

	if (rc == 0 && rename(tmp, path) < 0) {
		rc = mm_err_set(err, errno_code(errno), "%s: %s", path, strerror(errno));
		unlink(tmp);
	}
	return rc;
}

int mm_fw_copy_file(const char *from, const char *to, bool *existed, struct mm_err *err)
{
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, COPY_MAX);
	rc = mm_fw_read_file(from, COPY_MAX, &b, err);
	*existed = rc != MM_ERR_NOTFOUND;
	if (rc == MM_ERR_NOTFOUND) {
		rc = 0;
		if (unlink(to) < 0 && errno != ENOENT)
			rc = mm_err_set(err, errno_code(errno), "%s: %s", to, strerror(errno));
	} else if (rc == 0) {
		rc = mm_fw_write_file(to, b.data, b.len, err);
	}
	mm_buf_release(&b);
	return rc;
}
