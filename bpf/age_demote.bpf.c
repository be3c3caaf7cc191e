// SPDX-License-Identifier: GPL-2.0
/*
 * age_demote: move pages that have sat on a fast back end for a while to the
 * next slower one (ssd -> hdd), a budget per tick.
 *
 * Algorithm:
 *   tick():  for each pair of back-end tiers (from, to), `to` being the next
 *            slower tier that has back ends (capacity > 0): ssd -> hdd, and
 *            likewise hdd -> tier3 ... when those exist,
 *              - skip the pair while `from` holds none of the target's
 *                pages (tier used_pages; for a cgroup target, its subtree's
 *                pages on the tier), while `to` has no free slot, or while
 *                the pair's previous request has not finished yet (its
 *                demoted() call clears that; a request unanswered for 120 s
 *                no longer blocks the pair);
 *              - else queue bpf_swap_tier_demote(target, from, to, n,
 *                min_age_s) with n = budget, capped at the pages on `from`
 *                and the free slots of `to`.  The kernel's demotion worker
 *                moves up to n of the target's pages whose back-end copy is
 *                at least min_age_s seconds old, oldest first, without
 *                touching page tables.
 *            The target is the tunable `cgroup` (its subtree), else the
 *            policy's attach target (0 = every cgroup for a global policy).
 *   demoted(): adds the finished request's figures to the totals below.
 *   place(), writeback(): SWAP_TIER_DEFAULT (the built-in placement: zswap
 *            first, then the fastest back end with room); this policy only
 *            moves pages that are already on a back end.
 *
 * Age is per front-end cluster (the time of its latest back-end write), a
 * lower bound of each page's age: a cluster with one recent write counts as
 * young as a whole.
 *
 * Totals (.bss, readable with `bpftool map dump` or a skeleton):
 *   queued, queue_busy, queue_failed   requests accepted by
 *                       bpf_swap_tier_demote(), refused with -EBUSY (queue
 *                       full), refused otherwise (last_queue_error);
 *   completed           demoted() calls;
 *   requested, moved    pages asked for and moved, over completed requests;
 *   errors              completed requests with an error (last_error:
 *                       -ENOENT cgroup gone, -ENOSPC target full, -ENOMEM);
 *   no_cgroup           ticks skipped because the `cgroup` target is gone.
 *
 * Tunables (swapctl policy load age_demote --set KEY=VALUE):
 *   budget     pages requested per tier pair and tick (0: no demotion).
 *              Default 1024 (4 MiB).
 *   min_age_s  only pages whose back-end copy is at least this many seconds
 *              old move.  Default 300.
 *   cgroup     cgroup (id; swapctl takes a path) whose subtree's pages move;
 *              0 = the attach target (every cgroup for a global policy).
 *              Default 0.
 */
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const char swaptier_description[] =
	"move back-end pages older than min_age_s to the next slower tier, budget pages per tick";

const volatile __u64 budget = 1024;
const volatile __u32 min_age_s = 300;
const volatile __u64 cgroup = 0;

#define NSEC_PER_SEC		1000000000ULL
/* a request unanswered this long no longer blocks its tier pair */
#define PENDING_TIMEOUT_NS	(120 * NSEC_PER_SEC)

/* requests */
__u64 queued;
__u64 queue_busy;
__u64 queue_failed;
__s32 last_queue_error;
/* demoted() */
__u64 completed;
__u64 requested;
__u64 moved;
__u64 errors;
__s32 last_error;
/* ticks without a target */
__u64 no_cgroup;

/* per source tier: when its outstanding request was queued, 0 if none */
__u64 pending_since_ns[SWAP_TIER_MAX];

static __always_inline u64 min_u64(u64 a, u64 b)
{
	return a < b ? a : b;
}

/* Queue the demotion of the target's pages from tier @from to tier @to. */
static __always_inline void demote_pair(u64 target, struct cgroup *cgrp,
					u32 from, u32 to, u64 now)
{
	u64 since, n;
	int err;

	/* keep the bounds check on the index itself, for the verifier */
	barrier_var(from);
	if (from >= SWAP_TIER_MAX)
		return;
	since = pending_since_ns[from];
	if (since && now - since < PENDING_TIMEOUT_NS)
		return;
	n = bpf_swap_tier_used(from);
	if (cgrp)
		n = min_u64(n, bpf_swap_tier_cgroup_pages(cgrp, from));
	n = min_u64(n, bpf_swap_tier_free(to));
	n = min_u64(n, budget);
	if (!n)
		return;

	err = bpf_swap_tier_demote(target, from, to, n, min_age_s);
	if (!err) {
		pending_since_ns[from] = now;
		__sync_fetch_and_add(&queued, 1);
	} else if (err == -EBUSY) {
		__sync_fetch_and_add(&queue_busy, 1);
	} else {
		last_queue_error = err;
		__sync_fetch_and_add(&queue_failed, 1);
	}
}

s32 SWAP_TIER_HOOK(place, age_demote_place, struct swap_tier_ctx *sctx)
{
	return SWAP_TIER_DEFAULT;
}

s32 SWAP_TIER_HOOK(writeback, age_demote_writeback, struct swap_tier_ctx *sctx)
{
	return SWAP_TIER_DEFAULT;
}

void SWAP_TIER_HOOK(tick, age_demote_tick, struct swap_tier_ctx *sctx)
{
	u64 target = cgroup ?: sctx->cgroup_id;
	u32 nr = bpf_swap_tier_nr_tiers();
	u64 now = bpf_ktime_get_ns();
	struct cgroup *cgrp = NULL;
	u32 t, src = 0;

	if (!budget)
		return;
	/* fewer than two back-end tiers: nothing to demote to */
	if (nr <= SWAP_TIER_HDD)
		return;
	if (target) {
		cgrp = bpf_cgroup_from_id(target);
		if (!cgrp) {
			__sync_fetch_and_add(&no_cgroup, 1);
			return;
		}
	}

	/* consecutive tiers that have back ends: (src, t) */
	for (t = SWAP_TIER_SSD; t < SWAP_TIER_MAX; t++) {
		if (t >= nr)
			break;
		if (!bpf_swap_tier_capacity(t))
			continue;
		if (src)
			demote_pair(target, cgrp, src, t, now);
		src = t;
	}

	if (cgrp)
		bpf_cgroup_release(cgrp);
}

void SWAP_TIER_HOOK(demoted, age_demote_demoted,
		    struct swap_tier_demote_result *res)
{
	u32 from = res->from;

	__sync_fetch_and_add(&completed, 1);
	__sync_fetch_and_add(&requested, res->requested);
	__sync_fetch_and_add(&moved, res->moved);
	if (res->error) {
		last_error = res->error;
		__sync_fetch_and_add(&errors, 1);
	}
	if (from < SWAP_TIER_MAX)
		pending_since_ns[from] = 0;
}

SWAP_TIER_OPS_DEFINE(age_demote_ops,
	.place		= (void *)age_demote_place,
	.writeback	= (void *)age_demote_writeback,
	.tick		= (void *)age_demote_tick,
	.demoted	= (void *)age_demote_demoted,
	.name		= "age_demote");
