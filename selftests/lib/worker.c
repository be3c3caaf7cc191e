// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "procfs.h"
#include "util.h"
#include "worker.h"

static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read exactly len bytes within timeout_s.  0, -ETIMEDOUT, -EPIPE, -errno */
static int read_full(int fd, void *buf, size_t len, int timeout_s)
{
	double deadline = st_now() + timeout_s;
	char *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		double left = deadline - st_now();
		ssize_t n;
		int r;

		if (timeout_s >= 0 && left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, timeout_s < 0 ? -1 : (int)(left * 1000) + 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			continue;
		n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void worker_fail(int fd, struct worker_resp *r, const char *what,
			int err)
{
	r->err = err ? err : EIO;
	snprintf(r->what, sizeof(r->what), "%s", what);
	write_full(fd, r, sizeof(*r));
	_exit(1);
}

static void __attribute__((noreturn))
worker_main(const struct worker_cfg *cfg, int cmd_fd, int resp_fd)
{
	size_t ps = st_page_size(), len = cfg->npages * ps;
	struct worker_resp r;
	unsigned char *area;
	double t0;
	int err;

	memset(&r, 0, sizeof(r));
	r.op = WORKER_READY;
	r.npages = cfg->npages;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(1);

	if (cfg->cgroup) {
		err = cg_enter(cfg->cgroup, 0);
		if (err)
			worker_fail(resp_fd, &r, "join cgroup", -err);
	}
	/*
	 * Lock (and thereby populate and COW-break) everything mapped so far:
	 * stack, data, bss, text.  The canary area is mapped afterwards and
	 * stays reclaimable; it is then the only reclaimable memory the
	 * cgroup holds.
	 */
	if (cfg->mlock_rest)
		r.mlocked = mlockall(MCL_CURRENT) == 0;

	area = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		worker_fail(resp_fd, &r, "mmap", errno);
	/* EINVAL without CONFIG_TRANSPARENT_HUGEPAGE: nothing to disable. */
	if (madvise(area, len, MADV_NOHUGEPAGE) && errno != EINVAL)
		worker_fail(resp_fd, &r, "madvise(MADV_NOHUGEPAGE)", errno);
	t0 = st_now();
	canary_fill(area, cfg->npages, ps, cfg->seed, cfg->kind);
	r.seconds = st_now() - t0;
	if (write_full(resp_fd, &r, sizeof(r)))
		_exit(1);

	for (;;) {
		int32_t op;

		if (read_full(cmd_fd, &op, sizeof(op), -1))
			_exit(1);
		memset(&r, 0, sizeof(r));
		r.op = op;
		r.npages = cfg->npages;
		switch (op) {
		case WORKER_MINCORE:
		case WORKER_CHECK:
			/* Residency first: verifying faults everything in. */
			r.resident = mincore_resident(area, len);
			if (r.resident < 0) {
				r.err = (int32_t)-r.resident;
				snprintf(r.what, sizeof(r.what), "mincore");
			}
			if (op == WORKER_CHECK) {
				struct canary_err ce;

				t0 = st_now();
				canary_verify(area, cfg->npages, ps, cfg->seed,
					      cfg->kind, NULL, &ce);
				r.seconds = st_now() - t0;
				r.bad_pages = ce.bad_pages;
				r.first_bad_page = ce.first_page;
				r.first_bad_off = ce.first_off;
				r.expected = ce.expected;
				r.actual = ce.actual;
			}
			break;
		case WORKER_EXIT:
			munmap(area, len);
			_exit(0);
		default:
			r.err = EINVAL;
			snprintf(r.what, sizeof(r.what), "unknown op %d", op);
		}
		if (write_full(resp_fd, &r, sizeof(r)))
			_exit(1);
	}
}

int worker_start(struct worker *w, const struct worker_cfg *cfg,
		 struct worker_resp *ready, int timeout_s)
{
	int cmd[2], resp[2], err;
	pid_t pid;

	memset(ready, 0, sizeof(*ready));
	/* A dead worker must not kill the test through SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	w->pid = -1;
	w->cmd_fd = w->resp_fd = -1;
	if (pipe2(cmd, O_CLOEXEC))
		return -errno;
	if (pipe2(resp, O_CLOEXEC)) {
		err = -errno;
		close(cmd[0]);
		close(cmd[1]);
		return err;
	}
	fflush(NULL);
	/*
	 * Assign w->pid in the parent only: the harness may keep the fixture
	 * (and so *w) in MAP_SHARED memory, where the child's fork() return
	 * of 0 would overwrite the parent's pid.
	 */
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(cmd[0]);
		close(cmd[1]);
		close(resp[0]);
		close(resp[1]);
		return err;
	}
	if (pid == 0) {
		close(cmd[1]);
		close(resp[0]);
		worker_main(cfg, cmd[0], resp[1]);
	}
	w->pid = pid;
	close(cmd[0]);
	close(resp[1]);
	w->cmd_fd = cmd[1];
	w->resp_fd = resp[0];

	err = read_full(w->resp_fd, ready, sizeof(*ready), timeout_s);
	if (!err && ready->err)
		err = -ready->err;
	if (err) {
		if (!ready->what[0])
			snprintf(ready->what, sizeof(ready->what), "%s",
				 err == -ETIMEDOUT ? "fill timed out" :
				 "worker died while filling");
		worker_stop(w);
	}
	return err;
}

int worker_request(struct worker *w, enum worker_op op,
		   struct worker_resp *resp, int timeout_s)
{
	int32_t o = op;
	int err;

	memset(resp, 0, sizeof(*resp));
	if (w->pid <= 0)
		return -ESRCH;
	err = write_full(w->cmd_fd, &o, sizeof(o));
	if (err)
		return err;
	err = read_full(w->resp_fd, resp, sizeof(*resp), timeout_s);
	if (err)
		return err;
	return resp->err ? -resp->err : 0;
}

void worker_stop(struct worker *w)
{
	double deadline;
	int status;

	if (w->pid > 0) {
		int32_t o = WORKER_EXIT;

		if (w->cmd_fd >= 0)
			write_full(w->cmd_fd, &o, sizeof(o));
		deadline = st_now() + 10;
		while (waitpid(w->pid, &status, WNOHANG) == 0) {
			if (st_now() > deadline) {
				kill(w->pid, SIGKILL);
				waitpid(w->pid, &status, 0);
				break;
			}
			st_sleep_ms(20);
		}
		w->pid = -1;
	}
	if (w->cmd_fd >= 0)
		close(w->cmd_fd);
	if (w->resp_fd >= 0)
		close(w->resp_fd);
	w->cmd_fd = w->resp_fd = -1;
}

void worker_kill_foreign(struct worker *w)
{
	if (w->pid > 0)
		st_kill_wait(w->pid, 20);
	w->pid = -1;
	w->cmd_fd = w->resp_fd = -1;
}
