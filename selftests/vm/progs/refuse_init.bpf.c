// SPDX-License-Identifier: GPL-2.0
/*
 * refuse_init: VM selftest policy whose init() refuses the attach.
 *
 * init() returns -EPERM (-1): loading works, attaching (creating the
 * struct_ops link) must fail with EPERM, no policy directory may appear in
 * /sys/kernel/mm/swap_tier/policies/, and none of the other hooks may ever
 * run: .bss init_calls must be 1 after the attempt, place_calls and
 * exit_calls 0.  ops .name "refuse_init".
 */
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const char swaptier_description[] = "selftest: init() refuses with -EPERM";

__u64 init_calls;
__u64 place_calls;
__u64 exit_calls;

SEC("struct_ops/init")
s32 BPF_PROG(refuse_init_init, struct swap_tier_ctx *sctx)
{
	__sync_fetch_and_add(&init_calls, 1);
	return -EPERM;
}

SEC("struct_ops/place")
s32 BPF_PROG(refuse_init_place, struct swap_tier_ctx *sctx)
{
	__sync_fetch_and_add(&place_calls, 1);
	return SWAP_TIER_DEFAULT;
}

SEC("struct_ops/exit")
void BPF_PROG(refuse_init_exit, struct swap_tier_exit_info *info)
{
	__sync_fetch_and_add(&exit_calls, 1);
}

SEC(".struct_ops.link")
struct swap_tier_ops refuse_init_ops = {
	.init		= (void *)refuse_init_init,
	.place		= (void *)refuse_init_place,
	.exit		= (void *)refuse_init_exit,
	.name		= "refuse_init",
};
