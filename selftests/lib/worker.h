/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: a canary worker process.
 *
 * The worker forks, joins a memory cgroup, optionally mlockall()s what it
 * already has mapped (so that only the canary area is reclaimable and memcg
 * counters move only because of it), maps npages with
 * mmap(MAP_PRIVATE|MAP_ANONYMOUS) + MADV_NOHUGEPAGE, fills them with
 * canaries, reports "ready", then serves commands over a pipe until told to
 * exit.  It never uses the kselftest harness macros; results travel back as
 * struct worker_resp.
 *
 * The canaries are those of cfg->seed until WORKER_CYCLES rewrites them: each
 * cycle moves the worker to the next generation of seeds, and later checks
 * use the current one.
 */
#ifndef SWAPTIER_SELFTEST_WORKER_H
#define SWAPTIER_SELFTEST_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "canary.h"

enum worker_op {
	WORKER_READY = 1,	/* response to start */
	WORKER_MINCORE,		/* count resident pages only */
	WORKER_CHECK,		/* mincore, then verify every byte */
	WORKER_EXIT,
	/*
	 * mincore, then a child process reads every page with a SIGBUS
	 * handler and verifies the pages it can read; if some page raised
	 * SIGBUS, a second child without a handler touches the first one.
	 * The worker itself never touches the area.
	 */
	WORKER_PROBE,
	/*
	 * arg cycles of: madvise(MADV_PAGEOUT) the whole area, then (every
	 * other cycle) memory.reclaim of the worker's cgroup (if any) for
	 * the pages writes to a back end keep in the swap cache once the
	 * writes are done, count the pages mincore() then reports absent, verify every byte
	 * (swap-in), refill the area with the next generation of canaries
	 * (frees the swap entries).  Stops after the first cycle with a bad
	 * page.  The worker stays on one CPU meanwhile.
	 */
	WORKER_CYCLES,
};

struct worker_cfg {
	const char *cgroup;	/* absolute cgroup path or NULL */
	size_t npages;
	enum canary_kind kind;
	uint64_t seed;
	bool mlock_rest;	/* mlockall(MCL_CURRENT) before mapping */
};

struct worker_resp {
	int32_t op;
	int32_t err;		/* 0 or errno of the failed step */
	char what[64];		/* failed step, for messages */
	uint64_t npages;
	int64_t resident;	/* pages mincore() reports resident */
	uint64_t bad_pages;
	uint64_t first_bad_page;
	uint64_t first_bad_off;
	uint8_t expected, actual;
	int32_t mlocked;	/* 1 if mlockall succeeded */
	double seconds;		/* time spent filling / verifying */
	/* WORKER_PROBE */
	uint64_t sigbus_pages;	/* pages whose first access raised SIGBUS */
	uint64_t first_sigbus_page;
	uint64_t sigbus_bad_addr; /* SIGBUS whose si_addr is not in the page */
	int32_t plain_child_signal; /* what killed the child without handler */
	/* WORKER_CYCLES */
	uint64_t cycles;	/* cycles completed */
	uint64_t paged_out;	/* sum of pages absent after each pageout */
};

struct worker {
	pid_t pid;
	int cmd_fd;
	int resp_fd;
};

#define WORKER_INIT { .pid = -1, .cmd_fd = -1, .resp_fd = -1 }

/*
 * Start the worker and wait up to timeout_s for it to fill its pages.
 * Returns 0 (and *ready) on success, -errno otherwise (ready->what may say
 * what failed).  On failure the worker is stopped.
 */
int worker_start(struct worker *w, const struct worker_cfg *cfg,
		 struct worker_resp *ready, int timeout_s);

/* Send op and wait up to timeout_s for the answer.  0 or -errno. */
int worker_request(struct worker *w, enum worker_op op,
		   struct worker_resp *resp, int timeout_s);

/* Same, with the argument op takes (e.g. the WORKER_CYCLES count). */
int worker_request_arg(struct worker *w, enum worker_op op, uint64_t arg,
		       struct worker_resp *resp, int timeout_s);

/* Ask the worker to exit, SIGKILL it if it does not.  Idempotent. */
void worker_stop(struct worker *w);

/*
 * From a process other than the one that started the worker (e.g. a
 * harness teardown running in the parent): SIGKILL it and wait until its
 * memory is released, without touching the pipe fds (which belong to the
 * other process).
 */
void worker_kill_foreign(struct worker *w);

#endif
