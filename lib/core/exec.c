/* SPDX-License-Identifier: MIT */
/*
 * Run a helper program with a deadline and capped output: the audit's
 * probes (sshd -T, nft -j, package managers) and the firewall's look at
 * iptables-legacy rules. The child gets /dev/null for stdin, a fixed PATH
 * and LC_ALL=C, and nothing of the caller's environment.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/exec.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int mm_exec(const char *const *argv, int timeout_ms, struct mm_buf *out, struct mm_buf *errout,
	    int *status)
{
	int po[2] = {-1, -1}, pe[2] = {-1, -1}, rc = 0, ws = 0;
	bool open_o = true, open_e = true, killed = false;
	long long deadline = now_ms() + timeout_ms;
	pid_t pid = -1;

	*status = -1;
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		rc = MM_ERR_IO;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		rc = MM_ERR_IO;
		goto out;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0)
			dup2(nul, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		char *const *av;
		/* execve's prototype predates const; it does not modify argv */
		memcpy(&av, &argv, sizeof(av));
		execve(argv[0], av,
		       (char *const[]){"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL});
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	while (open_o || open_e) {
		struct pollfd pfd[2] = {{open_o ? po[0] : -1, POLLIN, 0},
					{open_e ? pe[0] : -1, POLLIN, 0}};
		long long left = deadline - now_ms();
		char tmp[8192];
		int i;

		if (left <= 0) {
			kill(pid, SIGKILL);
			killed = true;
			break;
		}
		if (poll(pfd, 2, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			struct mm_buf *b = i == 0 ? out : errout;
			ssize_t k;
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			k = read(i == 0 ? po[0] : pe[0], tmp, sizeof(tmp));
			if (k <= 0) {
				if (k < 0 && errno == EINTR)
					continue;
				if (i == 0)
					open_o = false;
				else
					open_e = false;
				continue;
			}
			/* over the cap: keep draining, drop the excess */
			if (b && b->len + (size_t)k <= b->max)
				mm_buf_add(b, tmp, (size_t)k);
			else if (i == 0)
				rc = MM_ERR_TOOBIG;
		}
	}
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	if (!killed && WIFEXITED(ws))
		*status = WEXITSTATUS(ws);
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (po[0] >= 0)
		close(po[0]);
	if (po[1] >= 0)
		close(po[1]);
	if (pe[0] >= 0)
		close(pe[0]);
	if (pe[1] >= 0)
		close(pe[1]);
	return rc;
}
