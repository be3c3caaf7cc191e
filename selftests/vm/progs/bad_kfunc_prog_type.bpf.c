// SPDX-License-Identifier: GPL-2.0
/*
 * bad_kfunc_prog_type: must be REJECTED by the verifier at load.
 *
 * A BPF_PROG_TYPE_SYSCALL program calls bpf_swap_tier_nr_tiers(): the
 * swaptier kfuncs are registered for struct_ops programs only.  There is no
 * struct_ops map in this object: a plain program load
 * (bpf_object__load) must fail (EACCES), the verifier log saying "calling
 * kernel function bpf_swap_tier_nr_tiers is not allowed".
 */
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";

__u32 nr_tiers;

SEC("syscall")
int bad_kfunc_prog_type(void *args)
{
	nr_tiers = bpf_swap_tier_nr_tiers();
	return 0;
}
