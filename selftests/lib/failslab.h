/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: failslab fault injection on chosen slab caches.
 *
 * With CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS the knobs are in
 * FAILSLAB_DIR (debugfs, mounted here if needed).  With cache-filter=Y only
 * the caches whose /sys/kernel/slab/<name>/failslab is 1 fail; a cache has
 * that file to itself only if it is not merged with another, which is what
 * booting with slab_nomerge (the VM runner does) guarantees.  A merged
 * cache refuses the write (EINVAL).
 *
 * failslab_arm() saves the knobs, then makes every allocation from the
 * caches matching a glob fail (probability 100, interval 1, task-filter N,
 * ignore-gfp-wait N so that GFP_NOIO and GFP_KERNEL allocations fail too,
 * not only GFP_NOWAIT ones), times times at most: "times" counts down one
 * per injected failure, so what it reads afterwards says how many there
 * were.  failslab_disarm() puts everything back.
 *
 * A test killed by the harness timeout (SIGKILL to its whole process
 * group, the process that would run its teardown included) cannot disarm:
 * failslab_arm() therefore starts a guard process, in a process group of
 * its own, that disarms as soon as the arming process is gone, however it
 * ended.  Nothing may fork between failslab_arm() and failslab_disarm()
 * without exec (the child would keep the guard waiting).
 */
#ifndef SWAPTIER_SELFTEST_FAILSLAB_H
#define SWAPTIER_SELFTEST_FAILSLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define FAILSLAB_DEBUGFS	"/sys/kernel/debug"
#define FAILSLAB_DIR		FAILSLAB_DEBUGFS "/failslab"
#define FAILSLAB_SLAB_SYSFS	"/sys/kernel/slab"

#define FAILSLAB_MAX_CACHES	16
#define FAILSLAB_NR_KNOBS	8

struct failslab {
	int nr_caches;
	/* /sys/kernel/slab/<name>/failslab of each cache, its value before */
	char cache[FAILSLAB_MAX_CACHES][128];
	char cache_saved[FAILSLAB_MAX_CACHES][4];
	char saved[FAILSLAB_NR_KNOBS][64];	/* knob values before arming */
	bool have_saved;
	long long times;	/* failures allowed when armed */
	pid_t guard;		/* guard process, -1 if none */
	int guard_fd;		/* write end of its pipe, -1 if none */
};

#define FAILSLAB_INIT { .guard = -1, .guard_fd = -1 }

/*
 * Is failslab there (FAILSLAB_DIR with cache-filter and ignore-gfp-wait,
 * and /sys/kernel/slab)?  Mounts debugfs at FAILSLAB_DEBUGFS if needed.
 * If not, why says what is missing.
 */
bool failslab_available(char *why, size_t len);

/*
 * Fail every allocation from the caches matching glob_pattern (a pattern
 * of /sys/kernel/slab/ directories, e.g. "/sys/kernel/slab/foo_*"), at
 * most times times.  0, or -errno with the reason in why; nothing is left
 * changed on failure.
 */
int failslab_arm(struct failslab *f, const char *glob_pattern, long long times,
		 char *why, size_t len);

/*
 * Put the knobs and cache flags back as they were and stop the guard.
 * Safe on a never-armed f, and idempotent.  0 or the first -errno.
 */
int failslab_disarm(struct failslab *f);

/* FAILSLAB_DIR/times now: failures still to inject (-1: unlimited), or
 * LLONG_MIN if it cannot be read. */
long long failslab_times(void);

#endif
