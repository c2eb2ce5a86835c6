/* SPDX-License-Identifier: MIT */
/* PLACEHOLDER: being implemented */
#include "mamori/logs.h"
int mm_journal_open(const char *dir, struct mm_journal **out, struct mm_err *err)
{
	(void)dir;
	*out = NULL;
	return mm_err_set(err, MM_ERR_UNSUPPORTED, "journal not built yet");
}
void mm_journal_free(struct mm_journal *j)
{
	(void)j;
}
int mm_journal_next(struct mm_journal *j, const char **line, size_t *n, struct mm_err *err)
{
	(void)j; (void)line; (void)n; (void)err;
	return 0;
}
