// SPDX-License-Identifier: GPL-2.0
/*
 * bad_unknown_kfunc: must FAIL to load: it calls a kfunc the kernel does not
 * have.
 *
 * place() calls bpf_swap_tier_no_such_kfunc(), declared __ksym (not __weak).
 * Expected: the load fails before the verifier runs: libbpf cannot resolve
 * the extern ("extern (func ksym) 'bpf_swap_tier_no_such_kfunc': not found
 * in kernel or module BTFs", ESRCH).  ops .name "bad_unknown".
 */
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";

extern int bpf_swap_tier_no_such_kfunc(void) __ksym;

SEC("struct_ops/place")
s32 BPF_PROG(bad_unknown_kfunc_place, struct swap_tier_ctx *sctx)
{
	return bpf_swap_tier_no_such_kfunc();
}

SEC(".struct_ops.link")
struct swap_tier_ops bad_unknown_kfunc_ops = {
	.place		= (void *)bad_unknown_kfunc_place,
	.name		= "bad_unknown",
};
