/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier benchmarks: what the guest programs share.
 */
#ifndef SWAPTIER_BENCH_H
#define SWAPTIER_BENCH_H

#include "swaptest.h"
#include "tier.h"

/* Writing a back end's path here drains it. */
#define DRAIN_FILE	TIER_SYSFS "/drain"

/*
 * Fill env and check what a benchmark moving data between the SSD and HDD
 * back ends needs: both disks, swap tiers, the drain file, and no swap
 * already active.  Returns 0, or 1 after printing "prog: reason" on stderr.
 */
int bench_tiers_ready(const char *prog, struct st_env *env);

/*
 * Swap off ghost, then the back ends ssd and hdd, and remove ghost's file;
 * failures are reported as "prog: teardown: ...".  Nothing if ghost is "".
 */
void bench_tiers_teardown(const char *prog, const char *ghost,
			  struct st_backend *ssd, struct st_backend *hdd);

#endif
