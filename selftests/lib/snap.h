/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: swap counters of a memory cgroup, of the whole
 * system (/proc/vmstat) and of the ssd and hdd back-end tiers, taken at
 * one moment, and their differences.
 */
#ifndef SWAPTIER_SELFTEST_SNAP_H
#define SWAPTIER_SELFTEST_SNAP_H

#include <stddef.h>

#include "tier.h"

/*
 * memcg statistics are flushed lazily: a read may miss up to
 * MEMCG_CHARGE_BATCH * nr_cpus pending updates, and the periodic flush runs
 * every 2 s (FLUSH_TIME).  Sleep past one period before reading counters
 * whose exact value matters.
 */
#define ST_STATS_SETTLE_MS	2500

struct st_snap {
	/* memory.stat of the cgroup (-1: no such key) */
	long long zswpout, zswpin, zswpwb, reject, zswapped, zswap_b;
	/* memory.zswap.current */
	long long zswap_current;
	/* /proc/vmstat */
	long long g_pswpout, g_pswpin, g_zswpout, g_zswpin, g_zswpwb, g_reject;
	/* back-end tiers (all -1 on a kernel without them) */
	struct tier_stat ssd, hdd;
	/*
	 * /sys/kernel/debug/swap_tier/pointer_{records,bytes} (-1: none, or
	 * debugfs not mounted: see tier_debugfs_mount())
	 */
	long long ptr_records, ptr_bytes;
};

/* Sleep settle_ms, then read every counter (cg may be NULL or ""). */
void st_snap_take(const char *cg, unsigned int settle_ms, struct st_snap *s);

/*
 * Describe the change from a to b on one line: memcg and vmstat deltas;
 * with_tiers adds the ssd and hdd figures of b and their deltas.
 */
void st_snap_format(const struct st_snap *a, const struct st_snap *b,
		    bool with_tiers, char *buf, size_t len);

#endif
