/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: cgroup v2 memory controller helpers.
 */
#ifndef SWAPTIER_SELFTEST_CGROUP_H
#define SWAPTIER_SELFTEST_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CG_ROOT "/sys/fs/cgroup"

/*
 * Is cgroup v2 mounted at CG_ROOT with the memory controller enabled for
 * children?  If not, *why (if given) explains.
 */
bool cg_memory_available(char *why, size_t len);

/*
 * Create CG_ROOT/swaptier-selftest-<tag>-<pid>-<n>.  path receives the
 * absolute path.  Returns 0 or -errno.
 */
int cg_create(const char *tag, char *path, size_t len);

/* Write val to <cg>/<file>.  Returns 0 or -errno (e.g. -EAGAIN). */
int cg_write(const char *cg, const char *file, const char *val);
int cg_write_ll(const char *cg, const char *file, long long val);

/* Read <cg>/<file> into buf (trailing newline stripped). bytes or -errno */
ssize_t cg_read(const char *cg, const char *file, char *buf, size_t len);

/*
 * Read a single-number file such as memory.current.  "max" reads as
 * LLONG_MAX.  Returns -1 on error.
 */
long long cg_read_ll(const char *cg, const char *file);

/* Value of key in <cg>/memory.stat, or -1 if the key is absent. */
long long cg_stat(const char *cg, const char *key);
/* A "key value" line of a flat-keyed file (memory.events...), or -1. */
long long cg_key(const char *cg, const char *file, const char *key);

/* Move pid (0: the caller) into cg.  Returns 0 or -errno. */
int cg_enter(const char *cg, pid_t pid);

/*
 * Kill every process in cg (cgroup.kill), wait for it to empty, rmdir it.
 * Returns 0 or -errno.  Safe to call on "" or a missing cgroup.
 */
int cg_destroy(const char *cg);

/*
 * memory.reclaim with a time budget: write amount (e.g. "64M") to
 * <cg>/memory.reclaim; if the kernel is still reclaiming after budget_ms, a
 * signal interrupts it (the kernel checks for signals between reclaim
 * rounds).  Returns 0 (all reclaimed), -EAGAIN (kernel gave up), -EINTR
 * (budget hit) or another -errno.  *elapsed (if not NULL) gets seconds.
 */
int cg_reclaim(const char *cg, const char *amount, unsigned int budget_ms,
	       double *elapsed);

/*
 * Remove cgroups named swaptier-selftest-* under CG_ROOT whose creating pid
 * is gone (left behind by a test killed on timeout).  Returns the number
 * removed.
 */
int cg_cleanup_stale(void);

#endif
