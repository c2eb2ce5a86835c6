/* SPDX-License-Identifier: MIT */
#ifndef MAMORI_DL_H
#define MAMORI_DL_H

#include <stdbool.h>
#include <stddef.h>

#include "mamori/error.h"

/*
 * Opening a shared library on first use instead of linking it (internal to
 * libmamori). Linking costs every start of the program the relocation of
 * the library and its dependencies (all BIND_NOW on Debian), also in
 * commands that never call it. The user lists the functions it calls once,
 * as an X-macro, and keeps the library's own header for their prototypes:
 *
 *	#define FOO_FUNCS(X) X(foo_open) X(foo_close)
 *	static struct { FOO_FUNCS(MM_DL_FIELD) } foo_lib;
 *	static const char *const foo_names[] = { FOO_FUNCS(MM_DL_NAME) };
 *	static struct mm_dl foo_dl = MM_DL_INIT("libfoo.so.1", "libfoo1", "--bar",
 *					       foo_names, foo_lib);
 *	...
 *	#define foo_open (*foo_lib.foo_open)
 *
 * After a successful mm_dl_load(&foo_dl, err) every foo_open() call goes
 * through the table, type-checked against the real prototype.
 */

/* One function-pointer field, typed by the library's prototype. */
#define MM_DL_FIELD(f) __typeof__(f) *f;
/* Its name, for dlsym(). */
#define MM_DL_NAME(f) #f,

struct mm_dl {
	const char *soname;	  /* "libfoo.so.1" */
	const char *package;	  /* the Debian package that ships it */
	const char *feature;	  /* what needs it, for the error message */
	const char *const *names; /* n names, in the order of the table's fields */
	size_t n;
	void *table; /* n function pointers, filled in order */
	size_t table_size;
	int loaded; /* atomic: 1 once every name was found */
};

#define MM_DL_INIT(soname_, package_, feature_, names_, table_)                                    \
	{                                                                                          \
		(soname_), (package_), (feature_), (names_), sizeof(names_) / sizeof((names_)[0]), \
		    &(table_), sizeof(table_), 0                                                   \
	}

/*
 * Open dl->soname and look every name up, once (safe from several
 * threads). All or nothing: on failure the table is left zeroed, the
 * library closed, and the next call tries again. Returns 0 or
 * MM_ERR_UNSUPPORTED naming the library, the package or the missing
 * function.
 */
int mm_dl_load(struct mm_dl *dl, struct mm_err *err);

#endif
