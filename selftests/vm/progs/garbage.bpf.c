// SPDX-License-Identifier: GPL-2.0
/*
 * garbage: VM selftest policy whose verdicts are all invalid.
 *
 * place() returns 77 and writeback() returns -100: neither is a tier, a
 * tier | SWAP_TIER_ONLY nor a special verdict.  The kernel must count each
 * as an error (sysfs errors, last_error_hook place / writeback with
 * last_error 77 / -100, the exit info), apply the built-in default instead
 * (place -> 0, writeback -> 1) and lose no data.  .bss place_calls / writeback_calls count the calls,
 * exit_* keep the exit info the kernel passed.  ops .name "garbage".
 */
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const char swaptier_description[] =
	"selftest: invalid verdicts (place 77, writeback -100)";

#define GARBAGE_PLACE		77
#define GARBAGE_WRITEBACK	(-100)

__u64 place_calls;
__u64 writeback_calls;
__u64 exit_calls;
__u32 exit_kind;
__u32 exit_nr_errors;
__s32 exit_last_error;
__u32 exit_last_error_hook;

SEC("struct_ops/place")
s32 BPF_PROG(garbage_place, struct swap_tier_ctx *sctx)
{
	__sync_fetch_and_add(&place_calls, 1);
	return GARBAGE_PLACE;
}

SEC("struct_ops/writeback")
s32 BPF_PROG(garbage_writeback, struct swap_tier_ctx *sctx)
{
	__sync_fetch_and_add(&writeback_calls, 1);
	return GARBAGE_WRITEBACK;
}

SEC("struct_ops/exit")
void BPF_PROG(garbage_exit, struct swap_tier_exit_info *info)
{
	exit_kind = info->kind;
	exit_nr_errors = info->nr_errors;
	exit_last_error = info->last_error;
	exit_last_error_hook = info->last_error_hook;
	__sync_fetch_and_add(&exit_calls, 1);
}

SEC(".struct_ops.link")
struct swap_tier_ops garbage_ops = {
	.place		= (void *)garbage_place,
	.writeback	= (void *)garbage_writeback,
	.exit		= (void *)garbage_exit,
	.name		= "garbage",
};
