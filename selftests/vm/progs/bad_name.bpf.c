// SPDX-License-Identifier: GPL-2.0
/*
 * bad_name: valid programs, invalid ops: .name is empty.
 *
 * The name is required ([a-z0-9_], 1..SWAP_TIER_OPS_NAME_LEN - 1
 * characters).  Expected: the programs load, but creating the struct_ops
 * map's value (bpf_map__attach_struct_ops / map update) fails with EINVAL.
 */
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/place")
s32 BPF_PROG(bad_name_place, struct swap_tier_ctx *sctx)
{
	return SWAP_TIER_DEFAULT;
}

SEC(".struct_ops.link")
struct swap_tier_ops bad_name_ops = {
	.place		= (void *)bad_name_place,
	.name		= "",
};
