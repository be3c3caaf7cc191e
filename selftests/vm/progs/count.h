/* SPDX-License-Identifier: GPL-2.0 */
/*
 * count.bpf.c's record of the context its hooks are given, shared with the
 * VM tests that read it back through the skeleton (build/bpf/test/
 * count.skel.h: skel->data->ctx_seen[kind]).  Include it after the
 * definitions of __u64 and __s64 (vmlinux.h in BPF, <linux/types.h> in C).
 */
#ifndef SWAPTIER_SELFTEST_COUNT_H
#define SWAPTIER_SELFTEST_COUNT_H

/* Which calls one struct count_ctx covers. */
enum count_ctx_kind {
	COUNT_CTX_PLACE,
	COUNT_CTX_WB_SHRINK,		/* writeback(), SWAP_TIER_WB_SHRINK */
	COUNT_CTX_WB_REFUSED,		/* writeback(), SWAP_TIER_WB_REFUSED */
	COUNT_CTX_WB_OTHER,		/* writeback(), any other reason */
	COUNT_CTX_SWAPIN_ZSWAP,		/* swapin(), tier SWAP_TIER_ZSWAP */
	COUNT_CTX_SWAPIN_BACKEND,	/* swapin(), tier 1 .. SWAP_TIER_MAX - 1 */
	COUNT_CTX_SWAPIN_OTHER,		/* swapin(), a tier out of range */
	COUNT_CTX_TICK,
	COUNT_CTX_INIT,
	COUNT_CTX_NR
};

/* Smallest and largest value seen; min > max while none was. */
struct count_range {
	__u64 min;
	__u64 max;
};

struct count_srange {
	__s64 min;
	__s64 max;
};

/* Every field of struct swap_tier_ctx over the calls of one kind. */
struct count_ctx {
	__u64 calls;
	struct count_range cgroup_id;
	struct count_range order;
	struct count_range nr_pages;
	struct count_range compressed_size;
	struct count_range age;
	struct count_srange tier;
	struct count_range reason;
};

#endif
