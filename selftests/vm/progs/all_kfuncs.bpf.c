// SPDX-License-Identifier: GPL-2.0
/*
 * all_kfuncs: VM selftest policy that calls every swap tier kfunc from
 * every hook, for lockdep: each hook runs in its own context (place() in
 * reclaim under RCU, writeback() under zswap's LRU lock, swapin() in the
 * fault path, tick() and init()/exit() under the policy mutex, demoted()
 * from the demotion worker), and a kfunc taking a lock that nests the
 * other way round against stock code there is a deadlock lockdep reports.
 * Verdicts are always SWAP_TIER_DEFAULT: the kernel's placement stands.
 *
 * Tunables (.rodata): wb_pages, demote_pages: the requests each hook queues
 * (small, so that the workload's placement is mostly the built-in one).
 *
 * .bss, read back by the test:
 *   calls[h]         calls of hook h (ALL_KFUNCS_*)
 *   bad[h]           calls where the figures of separate kfunc calls
 *                    disagree (used > capacity, free != capacity - used,
 *                    pages of a cgroup above the tier's use): possible
 *                    while pages move, not while nothing does
 *   no_cgroup[h]     calls whose cgroup id had no cgroup (0 is the root)
 *   wb_queued, demote_queued   requests the kernel took
 * ops .name "all_kfuncs".
 */
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const char swaptier_description[] =
	"selftest: every kfunc from every hook, default verdicts";

enum {
	ALL_KFUNCS_PLACE,
	ALL_KFUNCS_WRITEBACK,
	ALL_KFUNCS_TICK,
	ALL_KFUNCS_SWAPIN,
	ALL_KFUNCS_INIT,
	ALL_KFUNCS_EXIT,
	ALL_KFUNCS_DEMOTED,
	ALL_KFUNCS_NR,
};

const volatile __u32 wb_pages = 1;
const volatile __u64 demote_pages = 1;

__u64 calls[ALL_KFUNCS_NR];
__u64 bad[ALL_KFUNCS_NR];
__u64 no_cgroup[ALL_KFUNCS_NR];
__u64 wb_queued;
__u64 demote_queued;

static __always_inline void use_kfuncs(u32 hook, u64 cgroup_id)
{
	struct cgroup *cgrp;
	u64 cap, used, free, pages;
	u32 tier, nr;

	if (hook >= ALL_KFUNCS_NR)
		return;
	__sync_fetch_and_add(&calls[hook], 1);
	nr = bpf_swap_tier_nr_tiers();
	cgrp = bpf_cgroup_from_id(cgroup_id ?: 1);
	if (!cgrp)
		__sync_fetch_and_add(&no_cgroup[hook], 1);
	for (tier = 0; tier < SWAP_TIER_MAX; tier++) {
		cap = bpf_swap_tier_capacity(tier);
		used = bpf_swap_tier_used(tier);
		free = bpf_swap_tier_free(tier);
		bpf_swap_tier_written(tier);
		/* Tier 0 is zswap: its pool may briefly exceed the limit. */
		if (tier && (used > cap || free != cap - used))
			__sync_fetch_and_add(&bad[hook], 1);
		if (cgrp) {
			pages = bpf_swap_tier_cgroup_pages(cgrp, tier);
			if (tier && pages > used + 256)
				__sync_fetch_and_add(&bad[hook], 1);
		}
	}
	if (cgrp) {
		if (!bpf_swap_tier_writeback(cgrp, wb_pages))
			__sync_fetch_and_add(&wb_queued, 1);
		bpf_cgroup_release(cgrp);
	}
	if (nr > SWAP_TIER_HDD &&
	    !bpf_swap_tier_demote(cgroup_id, SWAP_TIER_SSD, SWAP_TIER_HDD,
				  demote_pages, 0))
		__sync_fetch_and_add(&demote_queued, 1);
}

SEC("struct_ops/place")
s32 BPF_PROG(all_kfuncs_place, struct swap_tier_ctx *sctx)
{
	use_kfuncs(ALL_KFUNCS_PLACE, sctx->cgroup_id);
	return SWAP_TIER_DEFAULT;
}

SEC("struct_ops/writeback")
s32 BPF_PROG(all_kfuncs_writeback, struct swap_tier_ctx *sctx)
{
	use_kfuncs(ALL_KFUNCS_WRITEBACK, sctx->cgroup_id);
	return SWAP_TIER_DEFAULT;
}

SEC("struct_ops/tick")
void BPF_PROG(all_kfuncs_tick, struct swap_tier_ctx *sctx)
{
	use_kfuncs(ALL_KFUNCS_TICK, sctx->cgroup_id);
}

SEC("struct_ops/swapin")
void BPF_PROG(all_kfuncs_swapin, struct swap_tier_ctx *sctx)
{
	use_kfuncs(ALL_KFUNCS_SWAPIN, sctx->cgroup_id);
}

SEC("struct_ops/init")
s32 BPF_PROG(all_kfuncs_init, struct swap_tier_ctx *sctx)
{
	use_kfuncs(ALL_KFUNCS_INIT, sctx->cgroup_id);
	return 0;
}

SEC("struct_ops/exit")
void BPF_PROG(all_kfuncs_exit, struct swap_tier_exit_info *info)
{
	use_kfuncs(ALL_KFUNCS_EXIT, 0);
}

SEC("struct_ops/demoted")
void BPF_PROG(all_kfuncs_demoted, struct swap_tier_demote_result *res)
{
	use_kfuncs(ALL_KFUNCS_DEMOTED, res->cgroup_id);
}

SEC(".struct_ops.link")
struct swap_tier_ops all_kfuncs_ops = {
	.place		= (void *)all_kfuncs_place,
	.writeback	= (void *)all_kfuncs_writeback,
	.tick		= (void *)all_kfuncs_tick,
	.swapin		= (void *)all_kfuncs_swapin,
	.init		= (void *)all_kfuncs_init,
	.exit		= (void *)all_kfuncs_exit,
	.demoted	= (void *)all_kfuncs_demoted,
	.name		= "all_kfuncs",
};
