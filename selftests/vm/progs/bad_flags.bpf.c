// SPDX-License-Identifier: GPL-2.0
/*
 * bad_flags: valid programs, invalid ops: .flags = 0x80, a flag that is not
 * defined (no flag is defined yet: .flags must be 0).
 *
 * Expected: the programs load, but creating the struct_ops map's value or
 * attaching it (bpf_map__attach_struct_ops) fails with EINVAL.  ops .name
 * "bad_flags".
 */
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define BAD_FLAGS_UNKNOWN_FLAG	0x80

SEC("struct_ops/place")
s32 BPF_PROG(bad_flags_place, struct swap_tier_ctx *sctx)
{
	return SWAP_TIER_DEFAULT;
}

SEC(".struct_ops.link")
struct swap_tier_ops bad_flags_ops = {
	.place		= (void *)bad_flags_place,
	.flags		= BAD_FLAGS_UNKNOWN_FLAG,
	.name		= "bad_flags",
};
