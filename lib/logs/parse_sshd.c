/* SPDX-License-Identifier: MIT */
/* PLACEHOLDER: being implemented */
#include <stdlib.h>
#include "mamori/logs.h"
struct mm_sshd {
	int dummy;
};
struct mm_sshd *mm_sshd_new(void)
{
	return calloc(1, sizeof(struct mm_sshd));
}
void mm_sshd_free(struct mm_sshd *s)
{
	free(s);
}
int mm_sshd_line(struct mm_sshd *s, const struct mm_envelope *env, struct mm_event *ev)
{
	(void)s; (void)env; (void)ev;
	return 0;
}
