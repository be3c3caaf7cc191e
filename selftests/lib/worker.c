// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <setjmp.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "procfs.h"
#include "tier.h"
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

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

/* A command: the op and its argument. */
struct worker_cmd {
	int32_t op;
	int32_t pad;
	uint64_t arg;
};

/* Seed of canary generation gen (WORKER_CYCLES moves to the next). */
static uint64_t gen_seed(uint64_t seed, uint64_t gen)
{
	return seed + gen * 0x9e3779b97f4a7c15ULL;
}

/* Record the first bad page of a verification into r. */
static void note_bad(struct worker_resp *r, const struct canary_err *ce)
{
	if (!r->bad_pages && ce->bad_pages) {
		r->first_bad_page = ce->first_page;
		r->first_bad_off = ce->first_off;
		r->expected = ce->expected;
		r->actual = ce->actual;
	}
	r->bad_pages += ce->bad_pages;
}

/* Per-page outcome of a probe, in a buffer shared with the probe child. */
enum probe_result {
	PROBE_OK = 1,
	PROBE_BAD,		/* read, but the contents are wrong */
	PROBE_SIGBUS,		/* SIGBUS, si_addr inside the page */
	PROBE_SIGBUS_ADDR,	/* SIGBUS, si_addr elsewhere */
};

static sigjmp_buf probe_jmp;
static void *volatile probe_addr;

static void probe_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	probe_addr = si->si_addr;
	siglongjmp(probe_jmp, 1);
}

/* Probe child: classify every page; never returns. */
static void __attribute__((noreturn))
probe_child(unsigned char *area, const struct worker_cfg *cfg, uint64_t seed,
	    unsigned char *res)
{
	struct sigaction sa = { .sa_sigaction = probe_sigbus,
				.sa_flags = SA_SIGINFO };
	size_t ps = st_page_size();
	unsigned char *exp = malloc(ps);
	volatile size_t i;

	if (!exp)
		_exit(2);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL))
		_exit(2);
	for (i = 0; i < cfg->npages; i++) {
		unsigned char *page = area + i * ps;

		if (sigsetjmp(probe_jmp, 1)) {
			unsigned char *a = probe_addr;

			res[i] = a >= page && a < page + ps ?
				 PROBE_SIGBUS : PROBE_SIGBUS_ADDR;
			continue;
		}
		canary_page(exp, ps, seed, cfg->kind, i);
		res[i] = memcmp(page, exp, ps) ? PROBE_BAD : PROBE_OK;
	}
	_exit(0);
}

/* Child with the default SIGBUS action touching one byte of page. */
static void __attribute__((noreturn)) touch_child(volatile unsigned char *page)
{
	struct rlimit no_core = { 0, 0 };

	setrlimit(RLIMIT_CORE, &no_core);
	signal(SIGBUS, SIG_DFL);
	(void)*page;
	_exit(0);
}

/* fork() a child that dies with the worker.  Returns fork()'s result. */
static pid_t fork_child(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return pid;
}

/* Wait status of child pid, or -1. */
static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

static void worker_probe(unsigned char *area, const struct worker_cfg *cfg,
			 uint64_t seed, struct worker_resp *r)
{
	size_t ps = st_page_size(), i;
	unsigned char *res;
	int status;
	pid_t pid;

	res = mmap(NULL, cfg->npages, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) {
		r->err = errno;
		snprintf(r->what, sizeof(r->what), "mmap probe results");
		return;
	}
	memset(res, 0, cfg->npages);
	pid = fork_child();
	if (pid == 0)
		probe_child(area, cfg, seed, res);
	status = pid < 0 ? -1 : wait_child(pid);
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		r->err = EIO;
		snprintf(r->what, sizeof(r->what),
			 "probe child failed (status 0x%x)", status);
		munmap(res, cfg->npages);
		return;
	}
	for (i = 0; i < cfg->npages; i++) {
		switch (res[i]) {
		case PROBE_OK:
			break;
		case PROBE_BAD:
			if (!r->bad_pages)
				r->first_bad_page = i;
			r->bad_pages++;
			break;
		case PROBE_SIGBUS_ADDR:
			r->sigbus_bad_addr++;
			/* fall through */
		case PROBE_SIGBUS:
			if (!r->sigbus_pages)
				r->first_sigbus_page = i;
			r->sigbus_pages++;
			break;
		default:
			r->err = EIO;
			snprintf(r->what, sizeof(r->what),
				 "probe child skipped page %zu", i);
		}
	}
	munmap(res, cfg->npages);
	if (r->err || !r->sigbus_pages)
		return;
	pid = fork_child();
	if (pid == 0)
		touch_child(area + r->first_sigbus_page * ps);
	status = pid < 0 ? -1 : wait_child(pid);
	r->plain_child_signal = status >= 0 && WIFSIGNALED(status) ?
				WTERMSIG(status) : 0;
}

/*
 * Page the area out.  MADV_PAGEOUT unmaps every page and frees those zswap
 * takes, but a page written to a back end stays in the swap cache until its
 * write completes, and then out of MADV_PAGEOUT's reach (it only walks page
 * tables).  With evict, wait for the writes and reclaim the cgroup
 * (memory.reclaim) for those, so that they are read back from the back
 * end.  Returns the number of pages still resident or -errno (r says what
 * failed).
 */
static long long pageout(const struct worker_cfg *cfg, unsigned char *area,
			 size_t len, bool evict, struct worker_resp *r)
{
	long long res;

	if (madvise(area, len, MADV_PAGEOUT)) {
		r->err = errno;
		snprintf(r->what, sizeof(r->what), "madvise(MADV_PAGEOUT)");
		return -errno;
	}
	res = mincore_resident(area, len);
	if (res > 0 && evict && cfg->cgroup && !tier_writes_wait(1000)) {
		char amount[32];

		snprintf(amount, sizeof(amount), "%lld",
			 res * (long long)st_page_size());
		cg_write(cfg->cgroup, "memory.reclaim", amount);
		res = mincore_resident(area, len);
	}
	if (res < 0) {
		r->err = (int32_t)-res;
		snprintf(r->what, sizeof(r->what), "mincore");
	}
	return res;
}

static void worker_cycles(unsigned char *area, const struct worker_cfg *cfg,
			  uint64_t *gen, uint64_t n, struct worker_resp *r)
{
	size_t ps = st_page_size(), len = cfg->npages * ps;
	cpu_set_t saved, one;
	struct canary_err ce;
	double t0 = st_now();
	bool pinned;
	int cpu = sched_getcpu();

	/*
	 * MADV_PAGEOUT only takes pages on the LRU lists, and a page faulted
	 * in waits in a per-CPU batch until that CPU drains it, which
	 * madvise() does for the CPU it runs on.  Stay on one CPU, and fault
	 * the area in again there (same contents).
	 */
	CPU_ZERO(&one);
	if (cpu >= 0)
		CPU_SET(cpu, &one);
	pinned = cpu >= 0 && !sched_getaffinity(0, sizeof(saved), &saved) &&
		 !sched_setaffinity(0, sizeof(one), &one);
	if (madvise(area, len, MADV_DONTNEED)) {
		r->err = errno;
		snprintf(r->what, sizeof(r->what), "madvise(MADV_DONTNEED)");
		goto out;
	}
	canary_fill(area, cfg->npages, ps, gen_seed(cfg->seed, *gen),
		    cfg->kind);

	for (r->cycles = 0; r->cycles < n; r->cycles++) {
		/* Every other cycle: the slower reads from the back ends. */
		long long res = pageout(cfg, area, len, !(r->cycles & 1), r);

		if (res < 0)
			break;
		r->paged_out += cfg->npages - (uint64_t)res;
		canary_verify(area, cfg->npages, ps, gen_seed(cfg->seed, *gen),
			      cfg->kind, NULL, &ce);
		note_bad(r, &ce);
		if (ce.bad_pages)
			break;
		++*gen;
		canary_fill(area, cfg->npages, ps, gen_seed(cfg->seed, *gen),
			    cfg->kind);
	}
out:
	if (pinned)
		sched_setaffinity(0, sizeof(saved), &saved);
	r->seconds = st_now() - t0;
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
	uint64_t gen = 0;
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
		struct worker_cmd cmd;

		if (read_full(cmd_fd, &cmd, sizeof(cmd), -1))
			_exit(1);
		memset(&r, 0, sizeof(r));
		r.op = cmd.op;
		r.npages = cfg->npages;
		switch (cmd.op) {
		case WORKER_MINCORE:
		case WORKER_CHECK:
		case WORKER_PROBE:
			/* Residency first: verifying faults everything in. */
			r.resident = mincore_resident(area, len);
			if (r.resident < 0) {
				r.err = (int32_t)-r.resident;
				snprintf(r.what, sizeof(r.what), "mincore");
			}
			if (cmd.op == WORKER_CHECK) {
				struct canary_err ce;

				t0 = st_now();
				canary_verify(area, cfg->npages, ps,
					      gen_seed(cfg->seed, gen),
					      cfg->kind, NULL, &ce);
				r.seconds = st_now() - t0;
				note_bad(&r, &ce);
			} else if (cmd.op == WORKER_PROBE && !r.err) {
				t0 = st_now();
				worker_probe(area, cfg,
					     gen_seed(cfg->seed, gen), &r);
				r.seconds = st_now() - t0;
			}
			break;
		case WORKER_CYCLES:
			worker_cycles(area, cfg, &gen, cmd.arg, &r);
			break;
		case WORKER_EXIT:
			munmap(area, len);
			_exit(0);
		default:
			r.err = EINVAL;
			snprintf(r.what, sizeof(r.what), "unknown op %d",
				 cmd.op);
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
	return worker_request_arg(w, op, 0, resp, timeout_s);
}

int worker_request_arg(struct worker *w, enum worker_op op, uint64_t arg,
		       struct worker_resp *resp, int timeout_s)
{
	struct worker_cmd cmd = { .op = op, .arg = arg };
	int err;

	memset(resp, 0, sizeof(*resp));
	if (w->pid <= 0)
		return -ESRCH;
	err = write_full(w->cmd_fd, &cmd, sizeof(cmd));
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
		struct worker_cmd cmd = { .op = WORKER_EXIT };

		if (w->cmd_fd >= 0)
			write_full(w->cmd_fd, &cmd, sizeof(cmd));
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
