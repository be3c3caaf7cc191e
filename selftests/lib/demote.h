/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: demotion and drain of back-end tiers (issue 5).
 *
 *  - the tiers' demotion/drain sysfs files (demoted_pages, drained_pages,
 *    high_watermark_pct, low_watermark_pct, TIER_SYSFS/demote_interval_ms,
 *    TIER_SYSFS/drain) and the policies' demotion counters;
 *  - /proc/PID/pagemap of a worker's canary area, to show that page tables
 *    did not change while data moved between back ends;
 *  - a tracefs instance of its own to collect swap_tier:* events;
 *  - helper processes running in the background while the test process
 *    drives the kernel: a worker request (one, or WORKER_CYCLES over and
 *    over), a blocking write to the drain file, a command (swapctl), each
 *    of which can be sent a signal.
 */
#ifndef SWAPTIER_SELFTEST_DEMOTE_H
#define SWAPTIER_SELFTEST_DEMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tier.h"
#include "worker.h"

#define DEMOTE_INTERVAL		TIER_SYSFS "/demote_interval_ms"
#define DRAIN_FILE		TIER_SYSFS "/drain"

/* Defaults of the interface (build/notes/issue5-interface.md). */
#define WM_HIGH_DEFAULT		90
#define WM_LOW_DEFAULT		75
#define DEMOTE_INTERVAL_DEFAULT	1000

/* A number from TIER_SYSFS/<tier>/<file>, or -1. */
long long tier_ll(const char *tier, const char *file);

/* Write a number to TIER_SYSFS/<tier>/<file>.  0 or -errno. */
int tier_write_ll(const char *tier, const char *file, long long val);

/*
 * Set the watermarks of tier to (high, low), writing them in an order the
 * kernel's pair check accepts, low first whenever it can (a write of high
 * wakes the demotion worker).  0 or -errno of the failing write.
 */
int tier_wm_set(const char *tier, int high, int low);

/* Does the kernel have the issue 5 files?  If not, *why explains. */
bool demote_available(char *why, size_t len);

/*
 * Put every tier's watermarks and the demotion interval back to the
 * defaults.  Returns the number of values that had to change (what goes
 * to log), or -errno.
 */
int demote_defaults_restore(char *log, size_t len);

/*
 * Write path to TIER_SYSFS/drain with one write(2) (with a trailing
 * newline if newline, as echo(1) would).  0 if the write returned the
 * full length, else -errno (-EIO for a short write).  *secs (if not
 * NULL) gets the time the write took.
 */
int drain_write(const char *path, bool newline, double *secs);

/*
 * Same, from a child process without CAP_SYS_ADMIN in its effective and
 * permitted sets.  0, -errno of the write, or -ECHILD if the child could
 * not be run.
 */
int drain_write_nocap(const char *path);

/* A number from POL_SYSFS/<global|id>/<file>, or -1. */
long long pol_ll(unsigned long long id, const char *file);

/*
 * The canary area of worker pid: the VMA of exactly len bytes that is
 * MADV_NOHUGEPAGE ("nh") and not mlocked ("lo") in /proc/PID/smaps.
 * 0 (*addr set) or -errno (-ENOENT: none, -EEXIST: several).
 */
int area_find(pid_t pid, size_t len, unsigned long *addr);

/* /proc/PID/pagemap entries of npages pages at addr.  0 or -errno. */
int pagemap_read(pid_t pid, unsigned long addr, size_t npages,
		 uint64_t *out);

#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)
#define PM_SWAP_TYPE(e)	((unsigned int)((e) & 0x1f))
#define PM_SWAP_OFF(e)	(((e) & ((1ULL << 55) - 1)) >> 5)

struct pm_summary {
	size_t swapped;		/* PM_SWAP entries */
	size_t present;		/* PM_PRESENT entries */
	int types;		/* distinct swap types among swapped (max 2+) */
	unsigned int type;	/* swap type of the first swapped page */
};

void pagemap_summarize(const uint64_t *pm, size_t n, struct pm_summary *s);

/*
 * Pages that were swapped in a (PM_SWAP) and whose entry in b differs.
 * *first gets the first such page index (if any).
 */
size_t pagemap_changed(const uint64_t *a, const uint64_t *b, size_t n,
		       size_t *first);

/* ------------------------------------------------------------ tracing */

struct trace_inst {
	char dir[512];		/* tracefs instance directory, "" if none */
};

/*
 * Mount tracefs at /sys/kernel/tracing if needed and make an instance of
 * our own (swaptier-selftest-<tag>-<pid>-<n>) with the given
 * "system/event" names enabled.  0, -ENOENT if an event does not exist
 * (t->dir still set, for teardown), or -errno (why says more).
 */
int trace_inst_create(struct trace_inst *t, const char *tag,
		      const char *const *events, char *why, size_t whylen);

/* Read the instance's trace buffer into buf (NUL-terminated). bytes/-errno */
ssize_t trace_inst_read(const struct trace_inst *t, char *buf, size_t len);

/* Disable the events and remove the instance.  Safe on an unset t. */
void trace_inst_destroy(struct trace_inst *t);

/* Remove the instances dead tests left.  Returns the number removed. */
int trace_recover(void);

/*
 * Value of "key=" in a trace line, up to the next blank: 1 and val set, or
 * 0 if absent.
 */
int trace_field(const char *line, const char *key, char *val, size_t len);

/* Numeric value of key (LLONG_MIN if absent or not a number). */
long long trace_num(const char *line, const char *key);

/*
 * Tier of key: a number, or a name (zswap 0, ssd 1, hdd 2, tierN N,
 * memory/none -1).  -100 if absent or unknown.
 */
int trace_tier(const char *line, const char *key);

/* Reason of a move/demotion: number or name (watermark 0, policy 1, drain 2). */
int trace_reason(const char *line);

/*
 * Does the "dev=" field of line name the block device rdev ("MAJ:MIN", or
 * the kernel's dev_t as a number)?
 */
bool trace_dev_is(const char *line, dev_t rdev);

/* ------------------------------------------------------------ helpers */

/* State a helper process shares with the test (MAP_SHARED). */
struct bg_shared {
	volatile int stop;		/* set by the test: stop looping */
	volatile int started;		/* set by the helper */
	volatile int done;		/* set by the helper when finished */
	int rc;				/* worker request / write result */
	int err;			/* errno of a drain write */
	pid_t cmd_pid;			/* bg_cmd: the command's pid */
	double t_start, t_end;		/* st_now() around the blocking call */
	/* WORKER_CYCLES loops */
	uint64_t requests, cycles, paged_out, bad_pages;
	struct worker_resp last;	/* last (or first bad) response */
	/* bg_cmd: output of the command */
	char out[2048];
};

struct bg {
	pid_t pid;
	struct bg_shared *sh;
};

#define BG_INIT { .pid = -1, .sh = NULL }

/*
 * One worker request (op, arg) from a helper process; bg_wait() for the
 * answer (sh->rc, sh->last).  The worker's pipes are shared with the
 * helper, so the test must not talk to w until the helper is done.
 */
int bg_worker_request(struct bg *b, struct worker *w, enum worker_op op,
		      uint64_t arg);

/*
 * WORKER_CYCLES requests of batch cycles each, one after the other, until
 * bg_stop() (or a bad page, or an error).  Totals in sh.
 */
int bg_worker_cycles(struct bg *b, struct worker *w, uint64_t batch);

/*
 * A helper writing path to the drain file (one write), with handlers for
 * SIGINT and SIGTERM installed without SA_RESTART, so that a signal makes
 * the write fail with EINTR.  sh->started is set just before the write;
 * sh->rc is the write's return value, sh->err its errno.
 */
int bg_drain(struct bg *b, const char *path);

/*
 * A helper calling swapoff(path), with handlers for SIGINT and SIGTERM
 * installed without SA_RESTART.  sh->rc is swapoff's return value, sh->err
 * its errno.
 */
int bg_swapoff(struct bg *b, const char *path);

/*
 * Run argv as a grandchild (output to sh->out); sh->cmd_pid is its pid
 * (signal it there), sh->rc its wait status once sh->done.
 */
int bg_cmd(struct bg *b, char *const argv[]);

/* Wait until sh->started (the helper is about to block).  0/-ETIMEDOUT */
int bg_wait_started(struct bg *b, int timeout_ms);

/*
 * Tell a looping helper to stop and wait for it (timeout_s, then SIGKILL).
 * Returns its wait status, or -1.
 */
int bg_stop(struct bg *b, int timeout_s);

/* Wait for a helper to end (timeout_s, then SIGKILL).  Wait status or -1. */
int bg_wait(struct bg *b, int timeout_s);

/* SIGKILL a helper (from any process) and release it.  Idempotent. */
void bg_kill(struct bg *b);

#endif
