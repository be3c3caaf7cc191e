// SPDX-License-Identifier: GPL-2.0
/*
 * bad_return_void: must be REJECTED by the verifier at load.
 *
 * The program in the place() slot is a void function: it returns without
 * setting R0 (the object code is a lone `exit`), but place() returns s32.
 * Expected: loading fails (EACCES), the verifier log saying "R0 !read_ok".
 * ops .name "bad_return_void".
 */
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/place")
void BPF_PROG(bad_return_void_place, struct swap_tier_ctx *sctx)
{
}

SEC(".struct_ops.link")
struct swap_tier_ops bad_return_void_ops = {
	.place		= (void *)bad_return_void_place,
	.name		= "bad_return_void",
};
