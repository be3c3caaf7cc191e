// SPDX-License-Identifier: GPL-2.0
/*
 * compress_aware: write poorly compressing pages back first, keep the ones
 * that compress well in zswap.
 *
 * A page that compresses to 90% of its size takes almost a full page of the
 * zswap pool and saves almost nothing; one that compresses to 20% holds five
 * times as much data per pool page.  When zswap writes entries back (it is
 * over its pool limit, or its shrinker runs), this policy chooses which ones
 * go:
 *
 *   writeback(), reason SWAP_TIER_WB_SHRINK:
 *     compressed_size * 100 > poor_ratio_pct * nr_pages * 4096
 *                                  poorly compressed -> 1 (ssd, then slower)
 *     otherwise, while the zswap pool is above pool_full_pct percent of its
 *     limit                                          -> 1
 *     otherwise                                      -> SWAP_TIER_NOT_NOW:
 *                                  stays in zswap; the LRU moves on to
 *                                  other (poorly compressing) entries.
 *     compressed_size 0 (unknown)                    -> 1
 *   writeback(), reason SWAP_TIER_WB_REFUSED (zswap did not take the page, so
 *   there is no zswap entry to keep)                 -> 1
 *   place() is not implemented: the built-in default (zswap first) applies.
 *
 * A zswap pool limit of 0 (unknown) counts as full, so that no entry is held
 * back when the policy cannot tell how full the pool is.
 *
 * Mind zswap's own writeback: when the pool hits its limit, zswap refuses new
 * pages and writes back until the pool is below accept_threshold_percent of
 * the limit (90 by default).  With pool_full_pct at or below that threshold
 * the pool counts as full during all of that writeback, so the policy only
 * holds well-compressed pages back in writeback started below the limit (the
 * memcg zswap shrinker, bpf_swap_tier_writeback() of another policy).  Set
 * pool_full_pct above accept_threshold_percent (up to 100: never) to keep
 * them through limit writeback too; zswap then refuses new pages while the
 * pool is full of well-compressed ones, and writeback() sends those to the
 * ssd (reason SWAP_TIER_WB_REFUSED).
 *
 * Tunables (swapctl policy load compress_aware --set KEY=VALUE):
 *   poor_ratio_pct  compressed size, in percent of the uncompressed size,
 *                   above which a page counts as poorly compressed.
 *                   Default 50.
 *   pool_full_pct   zswap pool use, in percent of its limit, above which
 *                   well-compressed pages are written back too.  Default 90.
 */
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const char swaptier_description[] =
	"write poorly compressing pages back first, keep well-compressed ones in zswap";

const volatile __u32 poor_ratio_pct = 50;
const volatile __u32 pool_full_pct = 90;

/* writeback() statistics */
__u64 wb_poor;		/* written back: poorly compressed or size unknown */
__u64 wb_pool_full;	/* written back: well compressed, pool full */
__u64 wb_kept;		/* left in zswap */

static __always_inline bool zswap_pool_full(void)
{
	u64 capacity = bpf_swap_tier_capacity(SWAP_TIER_ZSWAP);

	if (!capacity)
		return true;
	return swap_tier_above_pct(bpf_swap_tier_used(SWAP_TIER_ZSWAP),
				   capacity, pool_full_pct);
}

s32 SWAP_TIER_HOOK(writeback, compress_aware_writeback,
		   struct swap_tier_ctx *sctx)
{
	u64 size = sctx->compressed_size;
	u64 nr_pages = sctx->nr_pages ?: 1;

	if (sctx->reason != SWAP_TIER_WB_SHRINK || !size ||
	    size * 100 > (u64)poor_ratio_pct * nr_pages * SWAP_TIER_PAGE_SIZE) {
		__sync_fetch_and_add(&wb_poor, 1);
		return SWAP_TIER_SSD;
	}
	if (zswap_pool_full()) {
		__sync_fetch_and_add(&wb_pool_full, 1);
		return SWAP_TIER_SSD;
	}
	__sync_fetch_and_add(&wb_kept, 1);
	return SWAP_TIER_NOT_NOW;
}

SWAP_TIER_OPS_DEFINE(compress_aware_ops,
	.writeback	= (void *)compress_aware_writeback,
	.name		= "compress_aware");
