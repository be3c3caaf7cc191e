/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: /proc and /sys readers, /proc/swaps parser, mincore.
 */
#ifndef SWAPTIER_SELFTEST_PROCFS_H
#define SWAPTIER_SELFTEST_PROCFS_H

#include <limits.h>
#include <stddef.h>

/* Value of a /proc/vmstat key, or -1 if the key does not exist. */
long long vmstat_get(const char *key);

/* Value (kB) of a /proc/meminfo key such as "Slab", or -1 if missing. */
long long meminfo_kb(const char *key);

struct swaps_row {
	char path[PATH_MAX];	/* unescaped */
	char type[32];		/* "file", "partition", "ghost", ... */
	long long size_kb;
	long long used_kb;
	int prio;
};

/*
 * Parse /proc/swaps.  Fills up to max rows; returns the number of rows
 * present (may exceed max) or -errno.
 */
int swaps_list(struct swaps_row *rows, int max);

/*
 * Find the row for path (compared after realpath() when the file exists,
 * else literally).  Returns 1 and fills *row if found, 0 if not, -errno.
 */
int swaps_find(const char *path, struct swaps_row *row);

/* Number of pages of [addr, addr+len) that mincore(2) reports resident, or -errno. */
long long mincore_resident(void *addr, size_t len);

/* sync(); echo 3 > /proc/sys/vm/drop_caches.  0 or -errno. */
int drop_caches(void);

/*
 * Write "1" to /sys/kernel/slab/<cache>/shrink for every cache.  This frees
 * empty slabs and, on KASAN kernels, flushes freed objects out of the KASAN
 * quarantine (kmem_cache_shrink() -> kasan_cache_shrink()), so Slab in
 * /proc/meminfo stops counting memory that was already freed.
 * Returns the number of caches shrunk or -errno.
 */
int slab_shrink_all(void);

/*
 * Fold the per-CPU vmstat deltas into the global counters
 * (/proc/sys/vm/stat_refresh), so that /proc/meminfo's Slab, MemFree, ...
 * are exact at the moment of reading.  0 or -errno.
 */
int vmstat_refresh(void);

/*
 * Pages on the per-CPU free lists of every zone (the "count:" of each
 * pageset in /proc/zoneinfo): free memory that MemFree does not show.
 * Returns the count or -errno.
 */
long long pcp_free_pages(void);

/* Is CONFIG_<name>=y in /proc/config.gz?  1 yes, 0 no, -1 unknown. */
int kconfig_enabled(const char *name);

#endif
