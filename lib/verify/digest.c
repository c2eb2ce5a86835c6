/* SPDX-License-Identifier: MIT */
/*
 * File digests with OpenSSL EVP (the only libcrypto user): EVP picks the
 * SHA-NI / AVX2 code paths the CPU has, which is what makes this several
 * times faster than coreutils. Files are read with plain read(2) into a
 * large buffer, not mmap: a file truncated while mapped would SIGBUS, and
 * a file that changes while read is reported (size or mtime differs
 * between open and end) rather than hashed silently. libcrypto is opened
 * on the first digest (lib/core/openssl_lib.h), not linked.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/openssl_lib.h"
#include "mamori/verify.h"

#define READ_BUF (1u << 20)

static const EVP_MD *evp_md(enum mm_vhash alg)
{
	switch (alg) {
	case MM_VH_MD5:
		return EVP_md5();
	case MM_VH_SHA1:
		return EVP_sha1();
	case MM_VH_SHA224:
		return EVP_sha224();
	case MM_VH_SHA256:
		return EVP_sha256();
	case MM_VH_SHA384:
		return EVP_sha384();
	case MM_VH_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

int mm_digest_mem(enum mm_vhash alg, const void *p, size_t n, unsigned char *md)
{
	const EVP_MD *m;
	unsigned int len = 0;

	if (mm_crypto_load(NULL) < 0)
		return MM_ERR_UNSUPPORTED;
	m = evp_md(alg);
	if (!m || !EVP_Digest(p, n, md, &len, m, NULL))
		return MM_ERR_UNSUPPORTED;
	return 0;
}

/* Constant time: every byte is compared whatever the first difference. */
bool mm_digest_equal(const unsigned char *a, const unsigned char *b, size_t n)
{
	volatile unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

void mm_digest_hex(const unsigned char *md, size_t len, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hx[md[i] >> 4];
		out[2 * i + 1] = hx[md[i] & 15];
	}
	out[2 * len] = '\0';
}

/* Open for reading: no symlinks, regular files only, unless allowed. */
static int open_input(const char *path, bool special, struct stat *st, struct mm_err *err)
{
	int fd, flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;

	if (!special)
		flags |= O_NOFOLLOW | O_NONBLOCK; /* O_NONBLOCK: a FIFO must not hang the open */
	fd = open(path, flags);
	if (fd < 0) {
		int e = errno;

		if (e == ELOOP)
			return mm_err_set(err, MM_ERR_INVAL, "%s: is a symbolic link", path);
		if (e == ENOENT)
			return mm_err_set(err, MM_ERR_NOTFOUND, "%s: no such file", path);
		if (e == EACCES || e == EPERM)
			return mm_err_set(err, MM_ERR_PERM, "%s: %s", path, strerror(e));
		return mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(e));
	}
	if (fstat(fd, st) < 0) {
		int e = errno;

		close(fd);
		return mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(e));
	}
	if (S_ISDIR(st->st_mode)) {
		close(fd);
		return mm_err_set(err, MM_ERR_INVAL, "%s: is a directory", path);
	}
	if (!special && !S_ISREG(st->st_mode)) {
		close(fd);
		return mm_err_set(err, MM_ERR_INVAL, "%s: not a regular file", path);
	}
	if (!special) {
		int fl = fcntl(fd, F_GETFL);

		if (fl >= 0)
			(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	}
	return fd;
}

int mm_verify_read_file(const char *path, size_t max, bool allow_special, struct mm_buf *out,
			struct mm_err *err)
{
	struct stat st;
	char tmp[65536];
	int fd, rc = 0;

	fd = open_input(path, allow_special, &st, err);
	if (fd < 0)
		return fd;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
		rc = mm_err_set(err, MM_ERR_TOOBIG, "%s: larger than %zu bytes", path, max);
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, tmp, sizeof(tmp));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = mm_err_set(err, MM_ERR_IO, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		if (out->len + (size_t)r > max) {
			rc = mm_err_set(err, MM_ERR_TOOBIG, "%s: larger than %zu bytes", path, max);
			goto out;
		}
		if (mm_buf_add(out, tmp, (size_t)r) < 0) {
			rc = mm_err_set(err, MM_ERR_TOOBIG, "%s: larger than the buffer cap", path);
			goto out;
		}
	}
out:
	close(fd);
	return rc;
}

/*
 * Read-ahead for one large file: a second thread read(2)s the next block
 * while this one hashes the last, so the copy out of the page cache (a
 * quarter of the time on SHA-NI machines) overlaps the hashing. Two
 * buffers, handed back and forth under one mutex.
 */
struct readahead {
	int fd;
	unsigned char *buf[2];
	ssize_t len[2];
	int err[2];
	bool full[2], stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *reader(void *arg)
{
	struct readahead *ra = arg;
	unsigned slot = 0;

	for (;;) {
		ssize_t r;

		pthread_mutex_lock(&ra->mu);
		while (ra->full[slot] && !ra->stop)
			pthread_cond_wait(&ra->cv, &ra->mu);
		pthread_mutex_unlock(&ra->mu);
		if (ra->stop)
			break;
		do
			r = read(ra->fd, ra->buf[slot], READ_BUF);
		while (r < 0 && errno == EINTR);
		pthread_mutex_lock(&ra->mu);
		ra->len[slot] = r;
		ra->err[slot] = r < 0 ? errno : 0;
		ra->full[slot] = true;
		pthread_cond_broadcast(&ra->cv);
		pthread_mutex_unlock(&ra->mu);
		if (r <= 0)
			break;
		slot ^= 1;
	}
	return NULL;
}

/* Feed fd into ctx; with ra set, through the read-ahead thread. */
static int hash_fd(struct mm_digest_job *job, int fd, EVP_MD_CTX *ctx, bool overlap)
{
	struct readahead ra;
	pthread_t tid;
	unsigned slot = 0;
	int rc = 0;

	memset(&ra, 0, sizeof(ra));
	ra.fd = fd;
	ra.buf[0] = malloc(READ_BUF);
	ra.buf[1] = overlap ? malloc(READ_BUF) : NULL;
	if (!ra.buf[0] || (overlap && !ra.buf[1])) {
		rc = mm_err_set(&job->err, MM_ERR_NOMEM, "out of memory");
		goto out_free;
	}
	if (overlap) {
		pthread_mutex_init(&ra.mu, NULL);
		pthread_cond_init(&ra.cv, NULL);
		if (pthread_create(&tid, NULL, reader, &ra) != 0) {
			pthread_cond_destroy(&ra.cv);
			pthread_mutex_destroy(&ra.mu);
			overlap = false;
		}
	}
	for (;;) {
		ssize_t r;
		int e;

		if (overlap) {
			pthread_mutex_lock(&ra.mu);
			while (!ra.full[slot])
				pthread_cond_wait(&ra.cv, &ra.mu);
			r = ra.len[slot];
			e = ra.err[slot];
			pthread_mutex_unlock(&ra.mu);
		} else {
			do
				r = read(fd, ra.buf[0], READ_BUF);
			while (r < 0 && errno == EINTR);
			e = errno;
		}
		if (r < 0) {
			rc = mm_err_set(&job->err, MM_ERR_IO, "%s: %s", job->path, strerror(e));
			break;
		}
		if (r == 0)
			break;
		if (!EVP_DigestUpdate(ctx, ra.buf[slot], (size_t)r)) {
			rc = mm_err_set(&job->err, MM_ERR_INTERNAL, "digest update failed");
			break;
		}
		job->size += (uint64_t)r;
		__atomic_store_n(&job->done, job->size, __ATOMIC_RELAXED);
		if (overlap) {
			pthread_mutex_lock(&ra.mu);
			ra.full[slot] = false;
			pthread_cond_broadcast(&ra.cv);
			pthread_mutex_unlock(&ra.mu);
			slot ^= 1;
		}
	}
	if (overlap) {
		pthread_mutex_lock(&ra.mu);
		ra.stop = true;
		pthread_cond_broadcast(&ra.cv);
		pthread_mutex_unlock(&ra.mu);
		pthread_join(tid, NULL);
		pthread_cond_destroy(&ra.cv);
		pthread_mutex_destroy(&ra.mu);
	}
out_free:
	free(ra.buf[0]);
	free(ra.buf[1]);
	return rc;
}

static bool several_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 1;
}

/* overlap: use a read-ahead thread for large regular files. */
static int digest_one(struct mm_digest_job *job, bool overlap)

{
	const EVP_MD *m;
	EVP_MD_CTX *ctx = NULL;
	struct stat st0, st1;
	unsigned int mdlen = 0;
	int fd = -1, rc = 0;

	job->size = 0;
	job->changed = false;
	job->err.code = 0;
	job->err.msg[0] = '\0';
	__atomic_store_n(&job->done, 0, __ATOMIC_RELAXED);
	rc = mm_crypto_load(&job->err);
	if (rc < 0)
		goto out;
	m = evp_md(job->alg);
	if (!m) {
		rc = mm_err_set(&job->err, MM_ERR_UNSUPPORTED, "no digest algorithm");
		goto out;
	}
	fd = open_input(job->path, job->flags & MM_DIGEST_ALLOW_SPECIAL, &st0, &job->err);
	if (fd < 0) {
		rc = fd;
		fd = -1;
		goto out;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, m, NULL)) {
		rc = mm_err_set(&job->err, MM_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = hash_fd(job, fd, ctx,
		     overlap && S_ISREG(st0.st_mode) && st0.st_size >= (off_t)(16 * READ_BUF));
	if (rc < 0)
		goto out;
	if (!EVP_DigestFinal_ex(ctx, job->md, &mdlen)) {
		rc = mm_err_set(&job->err, MM_ERR_INTERNAL, "digest final failed");
		goto out;
	}
	if (fstat(fd, &st1) == 0 && S_ISREG(st0.st_mode) &&
	    (st1.st_size != st0.st_size || (uint64_t)st0.st_size != job->size ||
	     st1.st_mtim.tv_sec != st0.st_mtim.tv_sec ||
	     st1.st_mtim.tv_nsec != st0.st_mtim.tv_nsec))
		job->changed = true;
out:
	if (ctx)
		EVP_MD_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	job->rc = rc;
	return rc;
}

int mm_digest_file(struct mm_digest_job *job)
{
	return digest_one(job, several_cpus());
}

struct pool {
	struct mm_digest_job *jobs;
	size_t n;
	atomic_size_t next;
	atomic_uint running;
	bool overlap; /* one thread hashing: let it read ahead */
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	size_t i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->n)
		digest_one(&p->jobs[i], p->overlap);
	atomic_fetch_sub(&p->running, 1);
	return NULL;
}

static uint64_t total_size(const struct mm_digest_job *jobs, size_t n)
{
	uint64_t t = 0;
	struct stat st;
	size_t i;

	for (i = 0; i < n; i++)
		if (stat(jobs[i].path, &st) == 0 && S_ISREG(st.st_mode))
			t += (uint64_t)st.st_size;
	return t;
}

int mm_digest_files(struct mm_digest_job *jobs, size_t n, unsigned nthreads,
		    mm_digest_progress_fn progress, void *ctx)
{
	pthread_t tids[64];
	struct pool p;
	unsigned i, started = 0;
	uint64_t total = 0;
	long ncpu;

	if (n == 0)
		return 0;
	if (nthreads == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		nthreads = ncpu > 0 ? (unsigned)ncpu : 1;
	}
	if (nthreads > n)
		nthreads = (unsigned)n;
	if (nthreads > 64)
		nthreads = 64;
	if (nthreads == 1 && !progress) {
		for (i = 0; i < n; i++)
			mm_digest_file(&jobs[i]);
		return 0;
	}
	p.jobs = jobs;
	p.n = n;
	p.overlap = nthreads == 1 && several_cpus();
	atomic_init(&p.next, 0);
	atomic_init(&p.running, nthreads);
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&tids[i], NULL, worker, &p) != 0) {
			atomic_fetch_sub(&p.running, nthreads - i);
			break;
		}
		started++;
	}
	if (started == 0) {
		/* no threads at all: do the work here */
		for (i = 0; i < n; i++)
			mm_digest_file(&jobs[i]);
		return 0;
	}
	if (progress) {
		total = total_size(jobs, n);
		while (atomic_load(&p.running) > 0) {
			struct timespec ts = {0, 200 * 1000 * 1000};
			uint64_t done = 0;
			size_t k;

			for (k = 0; k < n; k++)
				done += __atomic_load_n(&jobs[k].done, __ATOMIC_RELAXED);
			progress(ctx, done, total);
			nanosleep(&ts, NULL);
		}
	}
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	if (progress) {
		uint64_t done = 0;

		for (i = 0; i < n; i++)
			done += jobs[i].size;
		progress(ctx, done, total);
	}
	return 0;
}
