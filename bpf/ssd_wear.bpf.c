// SPDX-License-Identifier: GPL-2.0
/*
 * ssd_wear: keep SSD swap writes within a budget per interval.
 *
 * Algorithm:
 *   Time is cut into intervals of interval_ms.  At the start of each one the
 *   policy notes bpf_swap_tier_written(1), the SSD tier's pages written since
 *   boot; the difference to that figure is what the SSD took in the current
 *   interval (every write counts: zswap writeback, direct placement,
 *   writes of other policies).  The interval is rolled by whichever hook
 *   first sees it over (writeback() or tick()), with a compare-and-swap on its
 *   start time so that only one CPU rolls it.
 *
 *   writeback():  while the interval's writes plus this folio's pages stay
 *                 within ssd_pages_per_interval -> 1 (ssd, then slower);
 *                 once the budget is used up     -> 2 | SWAP_TIER_ONLY (hdd
 *                 only; without an hdd tier the entry stays where it is).
 *   place():      SWAP_TIER_DEFAULT (zswap first): the SSD is reached through
 *                 writeback(), where the budget applies.
 *   tick():       rolls the interval even when nothing is written back.
 *
 * The count is approximate: bpf_swap_tier_written() counts completed writes,
 * so writes still in flight are not seen yet, and hooks running at the same
 * time on several CPUs all see the same budget left.  The SSD can take a
 * queue's worth of pages more than the budget (in a VM test, 741 pages for a
 * budget of 512).
 *
 * Tunables (swapctl policy load ssd_wear --set KEY=VALUE):
 *   ssd_pages_per_interval  SSD writes (pages) allowed per interval; 0 sends
 *                           everything to the hdd.  Default 1024 (4 MiB).
 *   interval_ms             length of an interval; 0 counts as 1.
 *                           Default 1000.
 */
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const char swaptier_description[] =
	"keep SSD swap writes within ssd_pages_per_interval, send the rest to the hdd";

const volatile __u64 ssd_pages_per_interval = 1024;
const volatile __u32 interval_ms = 1000;

#define NSEC_PER_MSEC	1000000ULL

/* current interval: start time, and bpf_swap_tier_written(1) at its start */
__u64 interval_start_ns;
__u64 interval_start_written;

/* statistics */
__u64 intervals;	/* intervals rolled */
__u64 wb_ssd;		/* writeback() -> ssd */
__u64 wb_hdd;		/* writeback() -> hdd only: budget used up */

/* Roll the interval if it is over; return the SSD writes within it. */
static __always_inline u64 ssd_written_in_interval(void)
{
	u64 len = (interval_ms ?: 1) * NSEC_PER_MSEC;
	u64 start = interval_start_ns;
	u64 now = bpf_ktime_get_ns();
	u64 written = bpf_swap_tier_written(SWAP_TIER_SSD);
	u64 base;

	if (now - start >= len &&
	    __sync_val_compare_and_swap(&interval_start_ns, start, now) == start) {
		interval_start_written = written;
		__sync_fetch_and_add(&intervals, 1);
		return 0;
	}
	base = interval_start_written;
	return written > base ? written - base : 0;
}

s32 SWAP_TIER_HOOK(place, ssd_wear_place, struct swap_tier_ctx *sctx)
{
	return SWAP_TIER_DEFAULT;
}

s32 SWAP_TIER_HOOK(writeback, ssd_wear_writeback, struct swap_tier_ctx *sctx)
{
	u64 nr_pages = sctx->nr_pages ?: 1;

	if (ssd_written_in_interval() + nr_pages > ssd_pages_per_interval) {
		__sync_fetch_and_add(&wb_hdd, 1);
		return SWAP_TIER_ONLY_TIER(SWAP_TIER_HDD);
	}
	__sync_fetch_and_add(&wb_ssd, 1);
	return SWAP_TIER_SSD;
}

void SWAP_TIER_HOOK(tick, ssd_wear_tick, struct swap_tier_ctx *sctx)
{
	ssd_written_in_interval();
}

SWAP_TIER_OPS_DEFINE(ssd_wear_ops,
	.place		= (void *)ssd_wear_place,
	.writeback	= (void *)ssd_wear_writeback,
	.tick		= (void *)ssd_wear_tick,
	.name		= "ssd_wear");
