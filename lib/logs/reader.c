/* SPDX-License-Identifier: MIT */
/*
 * Line readers over log files. Everything is read with read(2), never
 * mapped: a log can be truncated under us at any moment (logrotate's
 * copytruncate), and touching a mapped page past the new end of a file
 * kills the process with SIGBUS, while read() just returns less. Two ways
 * through:
 *
 *  - plain input (regular files, stdin, FIFOs) is read straight into the
 *    window buffer and framed there with memchr(), one copy from the page
 *    cache and none after;
 *  - gzip and zstd input (told by their magic bytes, never by name) is read
 *    into an input buffer and inflated into the window.
 *
 * A regular file that is shorter, at the end, than what was already read
 * from it was truncated while being read: that is reported as an error
 * naming the file (the lines read before stay valid), never a crash.
 *
 * Lines over max_line are skipped whole, however many windows they span,
 * and counted, rather than cut into fake lines an attacker could shape.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "mamori/buf.h"
#include "mamori/logs.h"

#define DEFAULT_MAX_LINE (64 * 1024)
#define CHUNK (256 * 1024)

enum codec {
	CODEC_PLAIN,
	CODEC_GZIP,
	CODEC_ZSTD,
};

struct mm_reader {
	char *path;
	int fd;
	enum codec codec;
	size_t max_line;
	uint64_t lineno, too_long, size;
	time_t mtime;

	bool regular; /* a regular file: its size can be checked at the end */

	/* raw input: a buffer filled by read() (for plain input only the first
	 * bytes, read to tell the format) */
	unsigned char *in;
	size_t in_pos, in_len;
	bool in_eof;
	uint64_t raw_pos; /* bytes read from the file */

	/* decoded bytes: [win_start, win_end) not yet framed */
	char *win;
	size_t win_cap, win_start, win_scan, win_end;
	bool dec_eof;  /* the decoder will produce no more */
	bool skipping; /* inside a line already counted as too long */

	z_stream zs;
	bool zs_live;
	bool z_member_done; /* the last gzip member ended cleanly */
	ZSTD_DCtx *zd;
	size_t zd_last; /* last ZSTD_decompressStream() hint: 0 at a frame end */
};

static bool has_prefix(const unsigned char *p, size_t n, const char *magic, size_t m)
{
	return n >= m && memcmp(p, magic, m) == 0;
}

static enum codec sniff(const unsigned char *p, size_t n)
{
	if (has_prefix(p, n, "\x1f\x8b", 2))
		return CODEC_GZIP;
	if (has_prefix(p, n, "\x28\xb5\x2f\xfd", 4))
		return CODEC_ZSTD;
	return CODEC_PLAIN;
}

/* The raw input not consumed yet. */
static const unsigned char *raw_ptr(const struct mm_reader *r)
{
	return r->in + r->in_pos;
}

static size_t raw_left(const struct mm_reader *r)
{
	return r->in_len - r->in_pos;
}

/*
 * At the end of a regular file: if it is now shorter than what was read,
 * it was truncated (and maybe rewritten) while being read.
 */
static int check_truncated(struct mm_reader *r, struct mm_err *err)
{
	struct stat st;

	if (!r->regular || fstat(r->fd, &st) < 0 || (uint64_t)st.st_size >= r->raw_pos)
		return 0;
	return mm_err_set(err, MM_ERR_IO,
			  "%s: truncated while being read (now %llu bytes, %llu were read; "
			  "rotated with copytruncate?): the rest was not read",
			  r->path, (unsigned long long)st.st_size, (unsigned long long)r->raw_pos);
}

/* Refill the input buffer. Returns 0 or MM_ERR_IO. */
static int fill_input(struct mm_reader *r, struct mm_err *err)
{
	ssize_t got;

	if (r->in_eof)
		return 0;
	if (r->in_pos > 0) {
		memmove(r->in, r->in + r->in_pos, r->in_len - r->in_pos);
		r->in_len -= r->in_pos;
		r->in_pos = 0;
	}
	while (r->in_len < CHUNK) {
		got = read(r->fd, r->in + r->in_len, CHUNK - r->in_len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return mm_err_set(err, MM_ERR_IO, "%s: read: %s", r->path, strerror(errno));
		if (got == 0) {
			r->in_eof = true;
			return check_truncated(r, err);
		}
		r->in_len += (size_t)got;
		r->raw_pos += (uint64_t)got;
		break;
	}
	return 0;
}

/* Plain input: read straight into the window after win_end. */
static int read_window(struct mm_reader *r, size_t room, struct mm_err *err)
{
	ssize_t got;

	for (;;) {
		got = read(r->fd, r->win + r->win_end, room);
		if (got >= 0 || errno != EINTR)
			break;
	}
	if (got < 0)
		return mm_err_set(err, MM_ERR_IO, "%s: read: %s", r->path, strerror(errno));
	if (got == 0) {
		r->in_eof = true;
		r->dec_eof = true;
		return check_truncated(r, err);
	}
	r->win_end += (size_t)got;
	r->raw_pos += (uint64_t)got;
	return 0;
}

static int open_codec(struct mm_reader *r, struct mm_err *err)
{
	if (r->codec == CODEC_GZIP) {
		/* 15 + 16: gzip wrapper only, with the largest window */
		if (inflateInit2(&r->zs, 15 + 16) != Z_OK)
			return mm_err_set(err, MM_ERR_NOMEM, "%s: inflateInit2 failed", r->path);
		r->zs_live = true;
	} else if (r->codec == CODEC_ZSTD) {
		r->zd = ZSTD_createDCtx();
		if (!r->zd)
			return mm_err_set(err, MM_ERR_NOMEM, "%s: ZSTD_createDCtx failed", r->path);
		r->zd_last = 1;
	}
	return 0;
}

/*
 * Decode raw input into the window after win_end. Returns 0 (having made
 * progress or set dec_eof) or a negative MM_ERR_*.
 */
static int decode(struct mm_reader *r, struct mm_err *err)
{
	size_t room = r->win_cap - r->win_end;
	int ret;

	for (;;) {
		if (r->codec == CODEC_PLAIN) {
			size_t n = raw_left(r) < room ? raw_left(r) : room;

			if (room == 0)
				return 0;
			if (n == 0) {
				if (r->in_eof) {
					r->dec_eof = true;
					return 0;
				}
				return read_window(r, room, err);
			}
			/* the bytes read to tell the format */
			memcpy(r->win + r->win_end, raw_ptr(r), n);
			r->in_pos += n;
			r->win_end += n;
			return 0;
		}
		if (raw_left(r) == 0 && !r->in_eof) {
			if ((ret = fill_input(r, err)) < 0)
				return ret;
		}
		if (r->codec == CODEC_GZIP) {
			bool at_end = raw_left(r) == 0 && r->in_eof;
			size_t given;

			if (r->z_member_done) {
				/* another member follows, or trailing garbage (ignored, as gzip -d
				 * does) */
				if (raw_left(r) < 2 && !r->in_eof) {
					if ((ret = fill_input(r, err)) < 0)
						return ret;
					continue;
				}
				if (!has_prefix(raw_ptr(r), raw_left(r), "\x1f\x8b", 2)) {
					/* ignored bytes count as consumed, for progress */
					r->in_pos = r->in_len;
					if (r->regular && r->raw_pos < r->size)
						r->raw_pos = r->size;
					r->dec_eof = true;
					return 0;
				}
				if (inflateReset(&r->zs) != Z_OK)
					return mm_err_set(err, MM_ERR_INTERNAL, "%s: inflateReset",
							  r->path);
				r->z_member_done = false;
			}
			given = raw_left(r) > UINT32_MAX ? UINT32_MAX : raw_left(r);
			r->zs.next_in = (unsigned char *)(uintptr_t)raw_ptr(r);
			r->zs.avail_in = (uInt)given;
			r->zs.next_out = (unsigned char *)r->win + r->win_end;
			r->zs.avail_out = (uInt)room;
			/* called even without input: output may still be pending */
			ret = inflate(&r->zs, Z_NO_FLUSH);
			r->in_pos += given - r->zs.avail_in;
			r->win_end = r->win_cap - r->zs.avail_out;
			if (ret == Z_STREAM_END)
				r->z_member_done = true;
			else if (ret != Z_OK && ret != Z_BUF_ERROR)
				return mm_err_set(err, MM_ERR_IO, "%s: gzip: %s", r->path,
						  r->zs.msg ? r->zs.msg : "corrupt data");
			if (r->win_cap - r->win_end < room)
				return 0;
			if (at_end && !r->z_member_done)
				return mm_err_set(err, MM_ERR_IO,
						  "%s: gzip data ends before its end marker",
						  r->path);
			continue;
		}
		/* zstd: concatenated and skippable frames are handled by the library */
		{
			ZSTD_inBuffer ib = {raw_ptr(r), raw_left(r), 0};
			ZSTD_outBuffer ob = {r->win + r->win_end, room, 0};
			bool at_end = ib.size == 0 && r->in_eof;
			size_t z;

			if (at_end && r->zd_last == 0) {
				r->dec_eof = true;
				return 0;
			}
			z = ZSTD_decompressStream(r->zd, &ob, &ib);
			if (ZSTD_isError(z))
				return mm_err_set(err, MM_ERR_IO, "%s: zstd: %s", r->path,
						  ZSTD_getErrorName(z));
			r->zd_last = z;
			r->in_pos += ib.pos;
			r->win_end += ob.pos;
			if (ob.pos > 0)
				return 0;
			if (at_end)
				return mm_err_set(err, MM_ERR_IO,
						  "%s: zstd data ends inside a frame", r->path);
		}
	}
}

/*
 * Hand out one line [p, p + n) found in the input: strip "\r", apply the
 * length cap. Returns 1 when the caller should return it, 0 to go on.
 */
static int emit(struct mm_reader *r, const char *p, size_t n, const char **line, size_t *len)
{
	r->lineno++;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n > r->max_line) {
		r->too_long++;
		return 0;
	}
	*line = p;
	*len = n;
	return 1;
}

static int next_window(struct mm_reader *r, const char **line, size_t *n, struct mm_err *err)
{
	int ret;

	for (;;) {
		char *p = r->win + r->win_start;
		char *nl = memchr(r->win + r->win_scan, '\n', r->win_end - r->win_scan);

		if (nl) {
			size_t len = (size_t)(nl - p);

			r->win_start = r->win_scan = (size_t)(nl - r->win) + 1;
			if (r->skipping) {
				r->skipping = false;
				continue;
			}
			if (emit(r, p, len, line, n))
				return 1;
			continue;
		}
		r->win_scan = r->win_end;
		if (r->dec_eof) {
			size_t len = r->win_end - r->win_start;

			r->win_start = r->win_scan = r->win_end;
			if (len == 0 || r->skipping) {
				r->skipping = false;
				return 0;
			}
			return emit(r, p, len, line, n);
		}
		/* no newline yet: a partial line over the cap (plus "\r") is dropped now */
		if (!r->skipping && r->win_end - r->win_start > r->max_line + 1) {
			r->skipping = true;
			r->lineno++;
			r->too_long++;
		}
		if (r->skipping) {
			r->win_start = r->win_scan = r->win_end = 0;
		} else if (r->win_start > 0) {
			memmove(r->win, r->win + r->win_start, r->win_end - r->win_start);
			r->win_end -= r->win_start;
			r->win_scan -= r->win_start;
			r->win_start = 0;
		}
		if ((ret = decode(r, err)) < 0)
			return ret;
	}
}

int mm_reader_next(struct mm_reader *r, const char **line, size_t *n, struct mm_err *err)
{
	return next_window(r, line, n, err);
}

void mm_reader_free(struct mm_reader *r)
{
	if (!r)
		return;
	if (r->fd > 0)
		close(r->fd);
	if (r->zs_live)
		inflateEnd(&r->zs);
	ZSTD_freeDCtx(r->zd);
	free(r->in);
	free(r->win);
	free(r->path);
	free(r);
}

static int open_file(struct mm_reader *r, const char *path, struct mm_err *err)
{
	struct stat st;
	int code;

	if (strcmp(path, "-") == 0) {
		r->fd = 0;
		if (fstat(0, &st) < 0)
			return mm_err_set(err, MM_ERR_IO, "stdin: %s", strerror(errno));
		r->mtime = st.st_mtime;
		return 0;
	}
	/*
	 * Look before opening so a device is never opened (opening some has
	 * side effects, a FIFO without a writer would block); symlinks are
	 * followed, as /var/log paths often are ones.
	 */
	if (stat(path, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
		return mm_err_set(err, MM_ERR_INVAL, "%s: not a regular file", path);
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0)
		goto fail;
	if (fstat(r->fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
		return mm_err_set(err, MM_ERR_INVAL, "%s: not a regular file", path);
	r->mtime = st.st_mtime;
	if (S_ISREG(st.st_mode)) {
		r->size = (uint64_t)st.st_size;
		r->regular = true;
		posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	return 0;
fail:
	code = errno == ENOENT			   ? MM_ERR_NOTFOUND
	       : errno == EACCES || errno == EPERM ? MM_ERR_PERM
						   : MM_ERR_IO;
	return mm_err_set(err, code, "%s: %s", path, strerror(errno));
}

int mm_reader_open(const char *path, size_t max_line, struct mm_reader **out, struct mm_err *err)
{
	struct mm_reader *r = calloc(1, sizeof(*r));
	int ret;

	*out = NULL;
	if (!r)
		return mm_err_set(err, MM_ERR_NOMEM, "%s: out of memory", path);
	r->fd = -1;
	r->max_line = max_line ? max_line : DEFAULT_MAX_LINE;
	r->path = strdup(strcmp(path, "-") == 0 ? "stdin" : path);
	if (!r->path) {
		ret = mm_err_set(err, MM_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	if ((ret = open_file(r, path, err)) < 0)
		goto out;
	r->in = malloc(CHUNK);
	if (!r->in) {
		ret = mm_err_set(err, MM_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	/* enough bytes to tell the format (a short read of a pipe may give fewer) */
	while (!r->in_eof && r->in_len < 4) {
		if ((ret = fill_input(r, err)) < 0)
			goto out;
	}
	r->codec = sniff(raw_ptr(r), raw_left(r));
	if ((ret = open_codec(r, err)) < 0)
		goto out;
	/* room for a whole line at the cap, its "\r\n", and a chunk beyond */
	r->win_cap = r->max_line + 2 + CHUNK;
	r->win = malloc(r->win_cap);
	if (!r->win) {
		ret = mm_err_set(err, MM_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	*out = r;
	r = NULL;
	ret = 0;
out:
	mm_reader_free(r);
	return ret;
}

uint64_t mm_reader_lineno(const struct mm_reader *r)
{
	return r->lineno;
}

uint64_t mm_reader_too_long(const struct mm_reader *r)
{
	return r->too_long;
}

uint64_t mm_reader_pos(const struct mm_reader *r)
{
	return r->raw_pos - raw_left(r);
}

uint64_t mm_reader_size(const struct mm_reader *r)
{
	return r->size;
}

time_t mm_reader_mtime(const struct mm_reader *r)
{
	return r->mtime;
}

/* ---- Rotated sets ---------------------------------------------------- */

struct rotated {
	char *name;
	int kind;	 /* 0 dated (name-YYYYMMDD), 1 numbered (name.N), 2 the live file */
	uint64_t key;	 /* date or N */
	bool compressed; /* .gz / .zst */
};

/* Parse the part after the base name: "", ".N", "-YYYYMMDD", each with an optional .gz/.zst. */
static bool rotated_suffix(const char *s, struct rotated *out)
{
	size_t n = strlen(s), digits = 0;
	uint64_t v = 0;

	out->compressed = false;
	if (n >= 3 && strcmp(s + n - 3, ".gz") == 0) {
		n -= 3;
		out->compressed = true;
	} else if (n >= 4 && strcmp(s + n - 4, ".zst") == 0) {
		n -= 4;
		out->compressed = true;
	}
	if (n == 0) {
		out->kind = 2;
		out->key = 0;
		return !out->compressed;
	}
	if (s[0] != '.' && s[0] != '-')
		return false;
	for (digits = 1; digits < n; digits++) {
		if (s[digits] < '0' || s[digits] > '9' || digits > 18)
			return false;
		v = v * 10 + (uint64_t)(s[digits] - '0');
	}
	if (n < 2)
		return false;
	if (s[0] == '-') {
		/* dateext: -YYYYMMDD, sometimes -YYYYMMDDHH */
		if (n != 9 && n != 11)
			return false;
		out->kind = 0;
	} else {
		out->kind = 1;
	}
	out->key = v;
	return true;
}

/* Oldest first: dated ascending, then numbered descending, then the live file. */
static int rotated_cmp(const void *a, const void *b)
{
	const struct rotated *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->key != y->key) {
		if (x->kind == 0)
			return x->key < y->key ? -1 : 1;
		return x->key > y->key ? -1 : 1;
	}
	/* the same number twice: plain first, so the duplicate can be dropped */
	return (int)x->compressed - (int)y->compressed;
}

int mm_rotated_set(const char *path, char ***out)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dirlen = slash ? (size_t)(slash - path) : 0, baselen = strlen(base), i, cnt = 0,
	       cap = 0, kept = 0;
	struct rotated *v = NULL;
	char *dir = NULL, **res = NULL;
	struct dirent *de;
	DIR *d = NULL;
	int ret;

	*out = NULL;
	if (baselen == 0)
		return MM_ERR_INVAL;
	dir = slash ? strndup(path, dirlen == 0 ? 1 : dirlen) : strdup(".");
	if (!dir)
		return MM_ERR_NOMEM;
	d = opendir(dir);
	if (!d) {
		ret = errno == ENOENT || errno == ENOTDIR ? 0
		      : errno == EACCES			  ? MM_ERR_PERM
							  : MM_ERR_IO;
		goto out;
	}
	while ((de = readdir(d))) {
		struct rotated r;

		if (strncmp(de->d_name, base, baselen) != 0 ||
		    !rotated_suffix(de->d_name + baselen, &r))
			continue;
		if (cnt >= 100000 || MM_GROW(v, cap, cnt, 16) < 0) {
			ret = MM_ERR_NOMEM;
			goto out;
		}
		r.name = strdup(de->d_name);
		if (!r.name) {
			ret = MM_ERR_NOMEM;
			goto out;
		}
		v[cnt++] = r;
	}
	if (cnt > 0)
		qsort(v, cnt, sizeof(*v), rotated_cmp);
	res = calloc(cnt + 1, sizeof(*res));
	if (!res) {
		ret = MM_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < cnt; i++) {
		struct mm_buf b;

		/* auth.log.2 and auth.log.2.gz together: compression was under way; the plain one
		 * is whole */
		if (i > 0 && v[i].kind == v[i - 1].kind && v[i].key == v[i - 1].key &&
		    v[i].kind != 2)
			continue;
		mm_buf_init(&b, 8192);
		if (slash && (mm_buf_add(&b, path, (size_t)(slash - path) + 1) < 0)) {
			mm_buf_release(&b);
			ret = MM_ERR_NOMEM;
			goto out;
		}
		if (mm_buf_adds(&b, v[i].name) < 0) {
			mm_buf_release(&b);
			ret = MM_ERR_NOMEM;
			goto out;
		}
		res[kept++] = mm_buf_detach(&b);
	}
	*out = res;
	res = NULL;
	ret = (int)kept;
out:
	if (res) {
		for (i = 0; i < kept; i++)
			free(res[i]);
		free(res);
	}
	for (i = 0; i < cnt; i++)
		free(v[i].name);
	free(v);
	if (d)
		closedir(d);
	free(dir);
	return ret;
}

bool mm_reader_plain_file(const struct mm_reader *r, int *fd, uint64_t *size)
{
	if (r->codec != CODEC_PLAIN || !r->regular || r->lineno > 0 || r->win_end > 0)
		return false;
	*fd = r->fd;
	*size = r->size;
	return true;
}
