// SPDX-License-Identifier: GPL-2.0
/*
 * stats: VM selftest policy whose globals and maps cover what "swapctl
 * policy stats" prints by BTF: unsigned and signed integers, a bool, an
 * enum, a char array (a string), an integer array, a struct with a
 * bitfield, a hash map and a percpu array.  place() counts its calls in
 * every one of them, so each must show the same total:
 *   place_calls                 .bss, __u64
 *   by_order (hash)             key order, value calls of that order
 *   per_cpu (percpu array)      key 0, per CPU calls
 *   last.calls                  .bss struct, also last.order (bitfield)
 *   data_reads                  .bss, calls that found .data as below
 * and returns SWAP_TIER_DEFAULT (the built-in rule), so it changes nothing
 * about where pages go.
 *
 * Tunables (.rodata, "swapctl policy load --set"): label (a string), bias
 * (signed, default -5).  .data: magic = 0xfeedf00d, neg = -42, mode =
 * STATS_MODE_B, ok = true, primes = {2, 3, 5, 7}.  ops .name "stats".
 */
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const char swaptier_description[] =
	"selftest: counts place() calls in globals and maps of every BTF kind";

enum stats_mode { STATS_MODE_A = 1, STATS_MODE_B = 2 };

struct stats_last {
	__u64 calls;
	__u32 order : 5;
	__u32 seen : 1;
	__s32 tier;
};

const volatile char label[16] = "unset";
const volatile __s32 bias = -5;

__u32 magic = 0xfeedf00d;
__s64 neg = -42;
enum stats_mode mode = STATS_MODE_B;
bool ok = true;
__u32 primes[4] = { 2, 3, 5, 7 };

__u64 place_calls;
__u64 data_reads;	/* place() calls that found .data as initialised */
struct stats_last last;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} by_order SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} per_cpu SEC(".maps");

s32 SWAP_TIER_HOOK(place, stats_place, struct swap_tier_ctx *sctx)
{
	__u32 order = sctx->order, zero = 0;
	__u64 one = 1, *v;

	__sync_fetch_and_add(&place_calls, 1);
	/* reads .data: a map no program uses is not the policy's */
	if (ok && magic == 0xfeedf00d && neg == -42 && mode == STATS_MODE_B &&
	    primes[3] == 7)
		__sync_fetch_and_add(&data_reads, 1);
	__sync_fetch_and_add(&last.calls, 1);
	last.order = order;
	last.seen = 1;
	last.tier = sctx->tier;
	v = bpf_map_lookup_elem(&by_order, &order);
	if (!v && bpf_map_update_elem(&by_order, &order, &one, BPF_NOEXIST))
		/* another CPU added it first: count into that one */
		v = bpf_map_lookup_elem(&by_order, &order);
	if (v)
		__sync_fetch_and_add(v, 1);
	v = bpf_map_lookup_elem(&per_cpu, &zero);
	if (v)
		__sync_fetch_and_add(v, 1);
	return SWAP_TIER_DEFAULT;
}

SWAP_TIER_OPS_DEFINE(stats_ops,
	.place		= (void *)stats_place,
	.name		= "stats");
