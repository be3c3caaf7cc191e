// SPDX-License-Identifier: GPL-2.0
/*
 * latency: keep latency-sensitive cgroups in zswap, push the rest to disk
 * early.
 *
 * Algorithm:
 *   Pages of the cgroups listed in latency_cgroups live in zswap only:
 *     place()      -> 0 | SWAP_TIER_ONLY   zswap and nothing else (if zswap
 *                                          refuses the page, it stays in
 *                                          memory)
 *     writeback()  -> SWAP_TIER_NOT_NOW    never written back to disk
 *   so a swap-in of theirs is a decompression, never a disk read.
 *   Every other cgroup's pages are written back early, to keep zswap room
 *   for the listed ones:
 *     place()      -> SWAP_TIER_DEFAULT    zswap first, as usual
 *     writeback()  -> 1                    fastest back end with room
 *     tick()       while zswap holds more than zswap_high_pct percent of its
 *                  pool limit (always, with 0), queue writeback of up to
 *                  writeback_batch pages of the attach target's subtree
 *                  (the root cgroup for a global policy) with
 *                  bpf_swap_tier_writeback().  The listed cgroups' entries
 *                  met on the way are left in zswap by writeback().
 *
 * Matching is by exact cgroup id: a child of a listed cgroup is not listed.
 * List every cgroup whose pages must stay in zswap (the ones that hold the
 * memory: on cgroup v2 that is usually the leaves).
 *
 * Tunables (swapctl policy load latency --set KEY=VALUE):
 *   latency_cgroups   up to 8 cgroups (ids; swapctl takes paths) kept in
 *                     zswap; unused slots 0.  Default: none.
 *   writeback_batch   pages queued for writeback per tick (0: no early
 *                     writeback).  Default 256.
 *   zswap_high_pct    early writeback only while zswap is above this percent
 *                     of its pool limit; 0 = on every tick.  Default 0.
 */
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const char swaptier_description[] =
	"keep latency_cgroups in zswap only, write other cgroups back to disk early";

const volatile __u64 latency_cgroups[SWAP_TIER_CGROUP_LIST_MAX] = {};
const volatile __u32 writeback_batch = 256;
const volatile __u32 zswap_high_pct = 0;

/* tick() statistics: writeback requests queued, and refused with -EBUSY */
__u64 wb_queued;
__u64 wb_busy;

static __always_inline bool is_latency_cgroup(u64 id)
{
	return cgroup_in_list(id, latency_cgroups, ARRAY_SIZE(latency_cgroups));
}

s32 SWAP_TIER_HOOK(place, latency_place, struct swap_tier_ctx *sctx)
{
	if (is_latency_cgroup(sctx->cgroup_id))
		return SWAP_TIER_ONLY_TIER(SWAP_TIER_ZSWAP);
	return SWAP_TIER_DEFAULT;
}

s32 SWAP_TIER_HOOK(writeback, latency_writeback, struct swap_tier_ctx *sctx)
{
	if (is_latency_cgroup(sctx->cgroup_id))
		return SWAP_TIER_NOT_NOW;
	return SWAP_TIER_SSD;
}

void SWAP_TIER_HOOK(tick, latency_tick, struct swap_tier_ctx *sctx)
{
	u64 target = sctx->cgroup_id ?: SWAP_TIER_ROOT_CGROUP_ID;
	struct cgroup *cgrp;
	s32 err;

	if (!writeback_batch)
		return;
	/* no back end to write to */
	if (bpf_swap_tier_nr_tiers() <= SWAP_TIER_SSD)
		return;
	if (!bpf_swap_tier_used(SWAP_TIER_ZSWAP))
		return;
	if (zswap_high_pct && !swap_tier_zswap_above_pct(zswap_high_pct))
		return;

	cgrp = bpf_cgroup_from_id(target);
	if (!cgrp)
		return;
	err = bpf_swap_tier_writeback(cgrp, writeback_batch);
	bpf_cgroup_release(cgrp);

	if (!err)
		__sync_fetch_and_add(&wb_queued, 1);
	else if (err == -EBUSY)
		__sync_fetch_and_add(&wb_busy, 1);
}

SWAP_TIER_OPS_DEFINE(latency_ops,
	.place		= (void *)latency_place,
	.writeback	= (void *)latency_writeback,
	.tick		= (void *)latency_tick,
	.name		= "latency");
