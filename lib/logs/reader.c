/* SPDX-License-Identifier: MIT */
/* PLACEHOLDER: being implemented */
#include "mamori/logs.h"
int mm_reader_open(const char *path, size_t max_line, struct mm_reader **out, struct mm_err *err)
{
	(void)max_line;
	*out = NULL;
	return mm_err_set(err, MM_ERR_UNSUPPORTED, "%s: reader not built yet", path);
}
void mm_reader_free(struct mm_reader *r)
{
	(void)r;
}
int mm_reader_next(struct mm_reader *r, const char **line, size_t *n, struct mm_err *err)
{
	(void)r; (void)line; (void)n; (void)err;
	return 0;
}
uint64_t mm_reader_lineno(const struct mm_reader *r)
{
	(void)r;
	return 0;
}
uint64_t mm_reader_too_long(const struct mm_reader *r)
{
	(void)r;
	return 0;
}
uint64_t mm_reader_pos(const struct mm_reader *r)
{
	(void)r;
	return 0;
}
uint64_t mm_reader_size(const struct mm_reader *r)
{
	(void)r;
	return 0;
}
time_t mm_reader_mtime(const struct mm_reader *r)
{
	(void)r;
	return 0;
}
int mm_rotated_set(const char *path, char ***out)
{
	(void)path;
	*out = NULL;
	return 0;
}
