/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "mamori/dl.h"

static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

int mm_dl_load(struct mm_dl *dl, struct mm_err *err)
{
	const char *missing = NULL;
	void *h = NULL, *sym;
	size_t i;
	int rc = 0;

	if (__atomic_load_n(&dl->loaded, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&dl_lock);
	if (dl->loaded)
		goto out;
	if (dl->table_size != dl->n * sizeof(void *)) {
		rc = mm_err_set(err, MM_ERR_INTERNAL, "%s: %zu names for a table of %zu bytes",
				dl->soname, dl->n, dl->table_size);
		goto out;
	}
	h = dlopen(dl->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		rc = mm_err_set(err, MM_ERR_UNSUPPORTED, "%s needs %s (package %s): %s",
				dl->feature, dl->soname, dl->package, dlerror());
		goto out;
	}
	for (i = 0; i < dl->n; i++) {
		sym = dlsym(h, dl->names[i]);
		if (!sym) {
			missing = dl->names[i];
			break;
		}
		/* a data pointer into a function-pointer field: copy the bytes */
		memcpy((char *)dl->table + i * sizeof(void *), &sym, sizeof(sym));
	}
	if (missing) {
		dlclose(h);
		memset(dl->table, 0, dl->table_size);
		rc = mm_err_set(err, MM_ERR_UNSUPPORTED, "%s lacks %s", dl->soname, missing);
		goto out;
	}
	__atomic_store_n(&dl->loaded, 1, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&dl_lock);
	return rc;
}
