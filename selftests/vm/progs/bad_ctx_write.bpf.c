// SPDX-License-Identifier: GPL-2.0
/*
 * bad_ctx_write: must be REJECTED by the verifier at load.
 *
 * place() writes sctx->tier: struct swap_tier_ctx is read-only for policies.
 * Expected: loading the object fails (EACCES), the verifier log saying the
 * write is not allowed (e.g. "only read is supported").  ops .name
 * "bad_ctx_write".
 */
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/place")
s32 BPF_PROG(bad_ctx_write_place, struct swap_tier_ctx *sctx)
{
	sctx->tier = SWAP_TIER_SSD;
	return SWAP_TIER_DEFAULT;
}

SEC(".struct_ops.link")
struct swap_tier_ops bad_ctx_write_ops = {
	.place		= (void *)bad_ctx_write_place,
	.name		= "bad_ctx_write",
};
