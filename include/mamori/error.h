/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_ERROR_H
#define MAMORI_ERROR_H

/*
 * Error codes of libmamori. Every library call that can fail returns 0 (or
 * a non-negative count) on success and one of these negative codes on
 * failure. The library never prints and never exits; callers render the
 * code with mm_strerror() and, where a call takes a struct mm_err, the
 * detail message it filled in.
 */
enum {
	MM_OK = 0,
	MM_ERR_NOMEM = -1,	 /* allocation failed or a cap was reached */
	MM_ERR_INVAL = -2,	 /* invalid argument or value */
	MM_ERR_IO = -3,		 /* read/write/open failed (errno kept in mm_err) */
	MM_ERR_PARSE = -4,	 /* input could not be parsed */
	MM_ERR_RANGE = -5,	 /* number or value out of range */
	MM_ERR_TOOBIG = -6,	 /* input exceeds a configured size cap */
	MM_ERR_NOTFOUND = -7,	 /* file, key or item does not exist */
	MM_ERR_UNSUPPORTED = -8, /* feature not available in this build/host */
	MM_ERR_PERM = -9,	 /* permission denied */
	MM_ERR_INTERNAL = -10,	 /* a bug: invariant violated */
};

/* Static English text for an MM_ERR_* code; never NULL. */
const char *mm_strerror(int err);

/*
 * Error detail buffer filled by library calls that can say more than a
 * code: "FILE:LINE: what went wrong". msg is always NUL-terminated.
 */
struct mm_err {
	int code;
	char msg[512];
};

/* Record code and a printf-style message in err (which may be NULL); returns code. */
int mm_err_set(struct mm_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
