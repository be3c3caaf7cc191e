// SPDX-License-Identifier: GPL-2.0
/*
 * default: the kernel's built-in policy, written as a BPF policy.
 *
 * Algorithm:
 *   place()      -> 0: zswap first; if zswap cannot take the page, the
 *                   fastest back-end tier with room (ssd, then hdd, ...).
 *   writeback()  -> 1: data leaving zswap goes to the fastest back end with
 *                   room.
 * That is exactly what the kernel does with no policy attached, so attaching
 * this one changes no placement; it exists to show that the interface can
 * express the built-in behaviour, and as a baseline for benchmarks (the cost
 * of calling a policy at all) and a starting point for new policies.
 *
 * Tunables: none.
 */
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const char swaptier_description[] =
	"the built-in default: zswap first, write back to the fastest back end with room";

s32 SWAP_TIER_HOOK(place, default_place, struct swap_tier_ctx *sctx)
{
	return SWAP_TIER_ZSWAP;
}

s32 SWAP_TIER_HOOK(writeback, default_writeback, struct swap_tier_ctx *sctx)
{
	return SWAP_TIER_SSD;
}

SWAP_TIER_OPS_DEFINE(default_ops,
	.place		= (void *)default_place,
	.writeback	= (void *)default_writeback,
	.name		= "default");
