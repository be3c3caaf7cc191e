/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: a workload that keeps rewriting its pages, with a
 * per-page generation, while they are swapped out and in.
 *
 * A process joins a memory cgroup, mlockall()s what it has mapped (its
 * stacks, the threads' stacks, the generation array, scratch pages), maps
 * npages private anonymous pages (MADV_NOHUGEPAGE, the only reclaimable
 * memory of the cgroup) and fills page i with generation 0.  Its contents
 * are at every moment canary_page(rw_gen_seed(seed, gen[i]), rw_kind(i),
 * i) (lib/canary.h: every byte a function of generation and index) for the
 * generation gen[i] last written to it.
 *
 * nwriters threads (each pinned to one CPU, so that MADV_PAGEOUT, which
 * drains only its own CPU's LRU batch, finds the pages the thread just
 * faulted in) own the pages i with i % nwriters == their number.  Each
 * runs bursts on one page, mostly from a hot window of consecutive pages
 * that moves every few hundred bursts: 1 to 3 touches a few hundred
 * microseconds apart, each of them one of
 *  - read the page and check every byte against gen[i] (a read fault
 *    maps a swap cache folio writable and clean),
 *  - the same, then rewrite the whole page with generation gen[i] + 1 (the
 *    write dirties that folio through its page table entry, silently),
 *  - rewrite the whole page without reading it first (a write fault),
 * each followed more often than not by MADV_PAGEOUT of the page (reclaim
 * unmaps it at once, writes it if dirty, drops it if clean); every 64
 * bursts MADV_PAGEOUT of the whole hot window.  mincore() before each
 * touch counts the touches of pages that were not in memory (swap-ins).
 * Every page a writer reads is checked against the generation it last
 * wrote there: a page that comes back with older data (a lost write) or
 * anything else is recorded with its index, the generation expected and
 * the generation found (RW_GEN_NONE if it holds none of that page's
 * generations), and stops the workload.  A sweep (rw_sweep()) makes each
 * writer check all of its pages once more, while the others go on.
 *
 * The test process drives it through shared memory (struct rw_shared):
 * writers wait until rw_run(), stop at rw_stop(); rw_check() then has the
 * process read and check every page once (after mincore()), reporting the
 * bad ones the same way.
 *
 * A reclaimer (rw_reclaimer_start()) is a helper process outside the
 * cgroup writing to its memory.reclaim over and over.
 */
#ifndef SWAPTIER_SELFTEST_REWRITE_H
#define SWAPTIER_SELFTEST_REWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "canary.h"

#define RW_MAX_WRITERS	8
/* Bad pages recorded in detail (all are counted). */
#define RW_MAX_BAD	8
/* rw_bad.found: the page holds none of its generations. */
#define RW_GEN_NONE	UINT64_MAX

struct rw_cfg {
	const char *cgroup;	/* absolute cgroup path */
	size_t npages;
	unsigned int nwriters;	/* 1 .. RW_MAX_WRITERS */
	uint64_t seed;
	unsigned int pageout_pct; /* MADV_PAGEOUT after this % of touches */
	unsigned int hot_pages;	/* pages of the hot window (0: 512) */
	unsigned int hot_pct;	/* % of bursts in the hot window */
};

/* One bad page. */
struct rw_bad {
	uint64_t page;		/* index in the area */
	uint64_t expected;	/* generation last written to it */
	uint64_t found;		/* generation it holds, or RW_GEN_NONE */
	uint64_t off;		/* first bad byte */
	uint8_t exp_byte, act_byte;
	int32_t writer;		/* writer that found it, -1: rw_check() */
	int32_t resident;	/* mincore() before the read: 1 resident */
	double when;		/* st_now() */
};

/* Per writer; written by the writer only. */
struct rw_wstat {
	uint64_t bursts;
	uint64_t touches;
	uint64_t verifies;	/* pages read and checked */
	uint64_t rewrites;	/* pages rewritten (generations stamped) */
	uint64_t nonresident;	/* touches of pages mincore() said absent */
	uint64_t pageouts;	/* MADV_PAGEOUT calls */
	uint64_t sweeps;	/* sweeps done */
	uint64_t errors;	/* failed madvise/mincore calls */
};

enum rw_cmd {
	RW_CMD_WAIT = 0,	/* writers wait */
	RW_CMD_RUN,		/* writers run */
	RW_CMD_STOP,		/* writers end */
	RW_CMD_EXIT,		/* the process exits */
};

struct rw_shared {
	volatile int cmd;		/* enum rw_cmd, set by the test */
	volatile uint64_t sweep_req;	/* rw_sweep() */
	volatile uint64_t check_req, check_done;
	volatile int ready;		/* filled, writers started */
	volatile int writers_done;	/* every writer has ended */
	volatile int failed;		/* a bad page (or error): stop */
	int err;			/* errno of a failed setup step */
	char what[96];			/* failed step */
	int32_t mlocked;
	double fill_secs;
	struct rw_wstat w[RW_MAX_WRITERS];
	uint64_t bad_total;		/* bad pages the writers found */
	struct rw_bad bad[RW_MAX_BAD];
	/* the last rw_check() */
	int64_t check_resident;
	uint64_t check_bad;
	double check_secs;
	struct rw_bad check[RW_MAX_BAD];
};

struct rw {
	pid_t pid;
	struct rw_shared *sh;
	size_t npages;
	unsigned int nwriters;
};

#define RW_INIT { .pid = -1, .sh = NULL }

/* The seed of generation gen (as lib/worker.c's generations). */
static inline uint64_t rw_gen_seed(uint64_t seed, uint64_t gen)
{
	return seed + gen * 0x9e3779b97f4a7c15ULL;
}

/*
 * Kind of page i: three of four incompressible (zswap refuses them, they
 * go to a back end at once), one half-compressible (zswap takes it up to
 * the cgroup's memory.zswap.max, then a back end).
 */
static inline enum canary_kind rw_kind(size_t i)
{
	return i % 4 == 3 ? CANARY_HALF : CANARY_INCOMPRESSIBLE;
}

/*
 * Start the workload and wait up to timeout_s until its pages are
 * filled.  0, or -errno (rw->sh->what says what failed; rw->pid may be
 * set: rw_kill() it).
 */
int rw_start(struct rw *rw, const struct rw_cfg *cfg, int timeout_s);

/* Writers go. */
void rw_run(struct rw *rw);

/* Ask every writer for a sweep of its pages. */
void rw_sweep(struct rw *rw);

/* Sweeps done by every writer (the minimum over writers). */
uint64_t rw_sweeps(const struct rw *rw);

/* Sum of the writers' figures. */
void rw_totals(const struct rw *rw, struct rw_wstat *t);

/* Is the process still there (not exited, not killed)? */
bool rw_alive(struct rw *rw);

/* Stop the writers, wait up to timeout_s for them to end.  0/-errno */
int rw_stop(struct rw *rw, int timeout_s);

/*
 * Read and check every page once (writers stopped).  Results in
 * rw->sh->check_*.  0, or -errno (-ETIMEDOUT, -ECHILD: the process died).
 */
int rw_check(struct rw *rw, int timeout_s);

/* Tell the process to exit, SIGKILL it after timeout_s; reaps it. */
void rw_exit(struct rw *rw, int timeout_s);

/* SIGKILL and reap.  Idempotent. */
void rw_kill(struct rw *rw);

/* ------------------------------------------------------------ reclaimer */

struct rw_reclaimer_shared {
	volatile int stop;
	uint64_t calls;		/* memory.reclaim writes */
	uint64_t ok;		/* ... that reclaimed all they asked */
	uint64_t again;		/* -EAGAIN: less than asked */
	uint64_t intr;		/* budget hit */
	uint64_t other;		/* another error */
	int last_err;
};

struct rw_reclaimer {
	pid_t pid;
	struct rw_reclaimer_shared *sh;
};

#define RW_RECLAIMER_INIT { .pid = -1, .sh = NULL }

/*
 * A helper process writing amount to cg's memory.reclaim (each write with
 * a budget of budget_ms, lib/cgroup.h cg_reclaim()), pause_ms apart,
 * until rw_reclaimer_stop().  0 or -errno.
 */
int rw_reclaimer_start(struct rw_reclaimer *r, const char *cg,
		       const char *amount, unsigned int budget_ms,
		       unsigned int pause_ms);

/* Stop it and reap it (SIGKILL after timeout_s).  Wait status or -1. */
int rw_reclaimer_stop(struct rw_reclaimer *r, int timeout_s);

#endif
