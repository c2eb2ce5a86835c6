/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include "mamori/error.h"

const char *mm_strerror(int err)
{
	switch (err) {
	case MM_OK:
		return "success";
	case MM_ERR_NOMEM:
		return "out of memory";
	case MM_ERR_INVAL:
		return "invalid argument";
	case MM_ERR_IO:
		return "input/output error";
	case MM_ERR_PARSE:
		return "parse error";
	case MM_ERR_RANGE:
		return "value out of range";
	case MM_ERR_TOOBIG:
		return "input too large";
	case MM_ERR_NOTFOUND:
		return "not found";
	case MM_ERR_UNSUPPORTED:
		return "not supported";
	case MM_ERR_PERM:
		return "permission denied";
	case MM_ERR_INTERNAL:
		return "internal error";
	}
	return "unknown error";
}

int mm_err_set(struct mm_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}
