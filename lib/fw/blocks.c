/* SPDX-License-Identifier: MIT */
/*
 * The blocks file: an append-only journal of block and unblock lines in
 * the rules file's grammar (see fw.h). Adding a block is one line
 * appended under flock() and fdatasync'ed, whatever the number of blocks
 * already there; loading replays the lines through the rules-file parser
 * (later lines win, overlaps resolved in one sort). Compaction rewrites
 * the file with one line per live block, atomically, under the same lock;
 * an appender that opened the old file notices the rename (the inode at
 * the path changed) and opens the new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mamori/fw.h"

#define BLOCKS_FILE_MAX (256u << 20)
#define BLOCKS_HEADER                                                                              \
	"# mamori firewall blocks, written by 'mamori firewall block/unblock': for each\n"         \
	"# address the last line decides. 'mamori firewall blocked' lists them.\n"

int mm_fw_blocks_parse_buffer(struct mm_fw_ruleset *rs, const char *name, const char *data,
			      size_t n, int64_t now, size_t *nlines, struct mm_err *err)
{
	struct mm_fw_fileparser fp;
	const char *p = data, *end = data + n;
	int rc;

	mm_fw_fileparser_init(&fp, rs, name, now);
	fp.blocks_file = true;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)(nl - p);

		if (!nl)
			break; /* a line cut short by a crash: not a statement */
		if (memchr(p, '\0', len))
			return mm_err_set(err, MM_ERR_PARSE, "%s:%lu: NUL byte in line", name,
					  fp.lineno + 1);
		rc = mm_fw_fileparser_line(&fp, p, len, err);
		if (rc < 0)
			return rc;
		p = nl + 1;
	}
	if (nlines)
		*nlines = fp.nstatements;
	return mm_fw_fileparser_finish(&fp, err);
}

static int errno_code(int e)
{
	return e == EACCES || e == EPERM ? MM_ERR_PERM : MM_ERR_IO;
}

int mm_fw_blocks_load(struct mm_fw_ruleset *rs, const char *path, int64_t now, size_t *nlines,
		      struct mm_err *err)
{
	struct mm_buf b;
	char chunk[65536];
	ssize_t got;
	int fd, rc = 0;

	if (nlines)
		*nlines = 0;
	mm_buf_init(&b, BLOCKS_FILE_MAX);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			goto out; /* no blocks yet */
		rc = mm_err_set(err, errno_code(errno), "%s: %s", path, strerror(errno));
		goto out;
	}
	while ((got = read(fd, chunk, sizeof(chunk))) > 0) {
		if (mm_buf_add(&b, chunk, (size_t)got) < 0) {
			rc = mm_err_set(err, MM_ERR_TOOBIG, "%s: larger than %u bytes", path,
					BLOCKS_FILE_MAX);
			goto out;
		}
	}
	if (got < 0) {
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = mm_fw_blocks_parse_buffer(rs, path, b.data ? b.data : "", b.len, now, nlines, err);
out:
	if (fd >= 0)
		close(fd);
	mm_buf_release(&b);
	return rc;
}

/*
 * Open path for writing with an exclusive lock on the file that is at
 * path now (a compaction may rename a new file in between open and lock).
 */
static int open_locked(const char *path, bool create, struct mm_err *err)
{
	struct stat a, b;
	int tries, fd;

	for (tries = 0; tries < 8; tries++) {
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0644);
		if (fd < 0)
			return mm_err_set(err, errno_code(errno), "%s: %s", path, strerror(errno));
		if (flock(fd, LOCK_EX) < 0) {
			int e = errno;

			close(fd);
			return mm_err_set(err, MM_ERR_IO, "%s: lock: %s", path, strerror(e));
		}
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
	return mm_err_set(err, MM_ERR_IO, "%s: replaced while opening it", path);
}

static int write_all(int fd, const char *p, size_t n, off_t at)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, at);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
		at += w;
	}
	return 0;
}

/* Size of the file without a last line that lacks its newline. */
static int whole_lines(int fd, off_t size, off_t *out)
{
	char buf[512];
	off_t pos = size;

	while (pos > 0) {
		size_t want = pos < (off_t)sizeof(buf) ? (size_t)pos : sizeof(buf);
		ssize_t got = pread(fd, buf, want, pos - (off_t)want);
		size_t i;

		if (got != (ssize_t)want)
			return -1;
		for (i = want; i > 0; i--) {
			if (buf[i - 1] == '\n') {
				*out = pos - (off_t)want + (off_t)i;
				return 0;
			}
		}
		pos -= (off_t)want;
	}
	*out = 0;
	return 0;
}

int mm_fw_blocks_append(const char *path, const char *text, size_t n, int64_t *undo,
			struct mm_err *err)
{
	struct stat st;
	off_t size;
	int fd, rc = 0;

	fd = open_locked(path, true, err);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || whole_lines(fd, st.st_size, &size) < 0) {
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((uint64_t)size + n > BLOCKS_FILE_MAX) {
		rc = mm_err_set(err, MM_ERR_TOOBIG, "%s: would grow past %u bytes", path,
				BLOCKS_FILE_MAX);
		goto out;
	}
	if (size != st.st_size && ftruncate(fd, size) < 0) {
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	*undo = size;
	if ((size == 0 && write_all(fd, BLOCKS_HEADER, strlen(BLOCKS_HEADER), 0) < 0) ||
	    write_all(fd, text, n, size ? size : (off_t)strlen(BLOCKS_HEADER)) < 0 ||
	    fdatasync(fd) < 0) {
		rc = mm_err_set(err, errno_code(errno), "%s: %s", path, strerror(errno));
		if (ftruncate(fd, size) == 0)
			(void)fdatasync(fd);
	}
out:
	close(fd);
	return rc;
}

int mm_fw_blocks_undo(const char *path, int64_t undo, struct mm_err *err)
{
	int fd, rc = 0;

	fd = open_locked(path, false, err);
	if (fd < 0)
		return fd;
	if (ftruncate(fd, (off_t)undo) < 0 || fdatasync(fd) < 0)
		rc = mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
	close(fd);
	return rc;
}

int mm_fw_blocks_write(const struct mm_fw_ruleset *rs, const char *path, struct mm_err *err)
{
	char tmp[PATH_MAX];
	struct mm_buf b;
	size_t k;
	int lock = -1, fd = -1, rc = 0;

	mm_buf_init(&b, BLOCKS_FILE_MAX);
	rc = mm_buf_adds(&b, BLOCKS_HEADER);
	for (k = 0; rc == 0 && k < rs->nblocks; k++)
		rc = mm_fw_block_format(&rs->blocks[k], &b);
	if (rc < 0) {
		rc = mm_err_set(err, rc, "%s: blocks too large to write", path);
		goto out;
	}
	lock = open_locked(path, true, err);
	if (lock < 0) {
		rc = lock;
		goto out;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= sizeof(tmp)) {
		rc = mm_err_set(err, MM_ERR_RANGE, "%s: path too long", path);
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = mm_err_set(err, errno_code(errno), "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (write_all(fd, b.data, b.len, 0) < 0 || fchmod(fd, 0644) < 0 || fsync(fd) < 0 ||
	    rename(tmp, path) < 0) {
		rc = mm_err_set(err, errno_code(errno), "%s: %s", path, strerror(errno));
		unlink(tmp);
	}
out:
	if (fd >= 0)
		close(fd);
	if (lock >= 0)
		close(lock);
	mm_buf_release(&b);
	return rc;
}

int mm_fw_blocks_merge(const struct mm_fw_ruleset *a, const struct mm_fw_ruleset *b,
		       struct mm_fw_ruleset *out, struct mm_err *err)
{
	struct mm_fw_fileparser fp;
	size_t n = a->nblocks + b->nblocks;
	int rc;

	*out = *a;
	out->blocks = NULL;
	out->nblocks = out->capblocks = 0;
	if (n == 0)
		return 0;
	out->blocks = malloc(n * sizeof(*out->blocks));
	if (!out->blocks)
		return mm_err_set(err, MM_ERR_NOMEM, "out of memory");
	if (a->nblocks)
		memcpy(out->blocks, a->blocks, a->nblocks * sizeof(*out->blocks));
	if (b->nblocks)
		memcpy(out->blocks + a->nblocks, b->blocks, b->nblocks * sizeof(*out->blocks));
	out->nblocks = out->capblocks = n;
	/* finish() with no rules: only the blocks are resolved */
	out->rules = NULL;
	out->nrules = 0;
	mm_fw_fileparser_init(&fp, out, "blocks", 0);
	rc = mm_fw_fileparser_finish(&fp, err);
	if (rc < 0) {
		free(out->blocks);
		out->blocks = NULL;
		out->nblocks = 0;
		return rc;
	}
	out->rules = a->rules;
	out->nrules = a->nrules;
	return 0;
}

void mm_fw_blocks_view_release(struct mm_fw_ruleset *view)
{
	if (!view)
		return;
	free(view->blocks);
	view->blocks = NULL;
	view->nblocks = view->capblocks = 0;
	view->rules = NULL;
	view->nrules = view->caprules = 0;
}
