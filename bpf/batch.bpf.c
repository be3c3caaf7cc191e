// SPDX-License-Identifier: GPL-2.0
/*
 * batch: batch jobs' pages skip zswap and go straight to disk.
 *
 * Algorithm:
 *   place() of a page of a cgroup listed in batch_cgroups -> 1: written
 *   directly to the ssd tier (or a slower one while it has no room), so the
 *   batch job takes no zswap pool space and no compression CPU away from the
 *   other workloads.  Every other page -> SWAP_TIER_DEFAULT (zswap first).
 *   writeback() is not implemented: the built-in default (fastest back end
 *   with room) applies.
 *
 * Matching is by exact cgroup id: a child of a listed cgroup is not listed.
 *
 * Tunables (swapctl policy load batch --set KEY=VALUE):
 *   batch_cgroups   up to 8 cgroups (ids; swapctl takes paths) whose pages
 *                   skip zswap; unused slots 0.  Default: none.
 */
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const char swaptier_description[] =
	"pages of batch_cgroups skip zswap and go straight to disk";

const volatile __u64 batch_cgroups[SWAP_TIER_CGROUP_LIST_MAX] = {};

s32 SWAP_TIER_HOOK(place, batch_place, struct swap_tier_ctx *sctx)
{
	if (cgroup_in_list(sctx->cgroup_id, batch_cgroups,
			   ARRAY_SIZE(batch_cgroups)))
		return SWAP_TIER_SSD;
	return SWAP_TIER_DEFAULT;
}

SWAP_TIER_OPS_DEFINE(batch_ops,
	.place		= (void *)batch_place,
	.name		= "batch");
