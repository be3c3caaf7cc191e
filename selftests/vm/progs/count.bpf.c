// SPDX-License-Identifier: GPL-2.0
/*
 * count: VM selftest policy that answers fixed verdicts and counts calls.
 *
 * Verdicts come from .rodata, set before load (skeleton rodata, or
 * `swapctl policy load --set place_verdict=N`):
 *   place_verdict      what place() returns      (default SWAP_TIER_DEFAULT)
 *   writeback_verdict  what writeback() returns  (default SWAP_TIER_DEFAULT)
 *   gen                a generation number, for replace tests (default 0)
 *
 * .bss, read back by the test (skeleton bss, or the map's value):
 *   place_calls writeback_calls tick_calls swapin_calls init_calls exit_calls
 *                      calls per hook
 *   swapin_by_tier[t]  swapin() calls with sctx->tier == t
 *   swapin_bad_tier    swapin() calls with a tier outside 0..SWAP_TIER_MAX-1
 *   generation         `gen` of the object that last ran init() or place()
 *   seen[gen & 1]      place() calls made by the object of that generation:
 *                      load two copies with gen 0 and 1, the second reusing
 *                      the first one's .bss map (bpf_map__reuse_fd), replace
 *                      one by the other (bpf_link__update_map) and check
 *                      that place() calls moved from seen[0] to seen[1]
 *   last_*             the context of the last call of a hook
 *
 * .data: ctx_seen[COUNT_CTX_*] (count.h), per kind of call (place(),
 * writeback() by reason, swapin() by tier, tick(), init()) the number of
 * calls and the smallest and largest value of every context field, for
 * assertions that hold for every call and not only the last one;
 * ctx_lost counts range updates given up under contention (should be 0).
 *   exit_*             the exit info of exit() (exit_calls says if it ran;
 *                      after a link update the replaced copy's exit() runs
 *                      with SWAP_TIER_EXIT_REPLACE and the new one's init())
 *
 * Counters and ranges are updated atomically; last_* are plain stores
 * (racy, for single-threaded checks).  ops .name "count".
 */
#include "swap_tier.bpf.h"
#include "count.h"

char LICENSE[] SEC("license") = "GPL";

const char swaptier_description[] =
	"selftest: fixed verdicts from place_verdict/writeback_verdict, counts calls";

const volatile __s32 place_verdict = SWAP_TIER_DEFAULT;
const volatile __s32 writeback_verdict = SWAP_TIER_DEFAULT;
const volatile __u32 gen = 0;

__u64 place_calls;
__u64 writeback_calls;
__u64 tick_calls;
__u64 swapin_calls;
__u64 init_calls;
__u64 exit_calls;
__u64 swapin_by_tier[SWAP_TIER_MAX];
__u64 swapin_bad_tier;
__u32 generation;
__u64 seen[2];

/* place() */
__u64 last_place_cgroup_id;
__u32 last_place_order;
__u32 last_place_nr_pages;
__s32 last_place_tier;
/* writeback() */
__u64 last_writeback_cgroup_id;
__u32 last_writeback_nr_pages;
__u32 last_writeback_compressed_size;
__u32 last_writeback_age;
__u32 last_writeback_reason;
__s32 last_writeback_tier;
/* tick(), init(): the attach target */
__u64 last_tick_cgroup_id;
__u64 init_cgroup_id;
/* swapin() */
__u64 last_swapin_cgroup_id;
__u32 last_swapin_age;
__s32 last_swapin_tier;
/* exit() */
__u32 exit_kind;
__u32 exit_nr_errors;
__s32 exit_last_error;
__u32 exit_last_error_hook;

#define EMPTY_RANGE	{ .min = ~0ULL, .max = 0 }
#define EMPTY_SRANGE	{ .min = 0x7fffffffffffffffLL, .max = -0x7fffffffffffffffLL - 1 }

struct count_ctx ctx_seen[COUNT_CTX_NR] = {
	[0 ... COUNT_CTX_NR - 1] = {
		.cgroup_id = EMPTY_RANGE,
		.order = EMPTY_RANGE,
		.nr_pages = EMPTY_RANGE,
		.compressed_size = EMPTY_RANGE,
		.age = EMPTY_RANGE,
		.tier = EMPTY_SRANGE,
		.reason = EMPTY_RANGE,
	},
};
__u64 ctx_lost;

/* Tries of a compare-and-swap before an update counts as lost. */
#define RANGE_TRIES	8

/* *p = v if v is beyond *p (lower when below, else higher). */
#define DEFINE_BOUND(fn, type)						\
static __always_inline void fn(type *p, type v, bool below)		\
{									\
	int i;								\
									\
	for (i = 0; i < RANGE_TRIES; i++) {				\
		type cur = *(volatile type *)p;				\
									\
		if (below ? v >= cur : v <= cur)			\
			return;						\
		if (__sync_val_compare_and_swap(p, cur, v) == cur)	\
			return;						\
	}								\
	__sync_fetch_and_add(&ctx_lost, 1);				\
}

DEFINE_BOUND(bound_u64, __u64)
DEFINE_BOUND(bound_s64, __s64)

static __always_inline void range_add(struct count_range *r, __u64 v)
{
	bound_u64(&r->min, v, true);
	bound_u64(&r->max, v, false);
}

static __always_inline void ctx_record(__u32 kind,
				       const struct swap_tier_ctx *sctx)
{
	struct count_ctx *c;

	if (kind >= COUNT_CTX_NR)
		return;
	c = &ctx_seen[kind];
	__sync_fetch_and_add(&c->calls, 1);
	range_add(&c->cgroup_id, sctx->cgroup_id);
	range_add(&c->order, sctx->order);
	range_add(&c->nr_pages, sctx->nr_pages);
	range_add(&c->compressed_size, sctx->compressed_size);
	range_add(&c->age, sctx->age);
	bound_s64(&c->tier.min, sctx->tier, true);
	bound_s64(&c->tier.max, sctx->tier, false);
	range_add(&c->reason, sctx->reason);
}

SEC("struct_ops/place")
s32 BPF_PROG(count_place, struct swap_tier_ctx *sctx)
{
	__sync_fetch_and_add(&place_calls, 1);
	__sync_fetch_and_add(&seen[gen & 1], 1);
	generation = gen;
	last_place_cgroup_id = sctx->cgroup_id;
	last_place_order = sctx->order;
	last_place_nr_pages = sctx->nr_pages;
	last_place_tier = sctx->tier;
	ctx_record(COUNT_CTX_PLACE, sctx);
	return place_verdict;
}

SEC("struct_ops/writeback")
s32 BPF_PROG(count_writeback, struct swap_tier_ctx *sctx)
{
	__sync_fetch_and_add(&writeback_calls, 1);
	last_writeback_cgroup_id = sctx->cgroup_id;
	last_writeback_nr_pages = sctx->nr_pages;
	last_writeback_compressed_size = sctx->compressed_size;
	last_writeback_age = sctx->age;
	last_writeback_reason = sctx->reason;
	last_writeback_tier = sctx->tier;
	ctx_record(sctx->reason == SWAP_TIER_WB_SHRINK ? COUNT_CTX_WB_SHRINK :
		   sctx->reason == SWAP_TIER_WB_REFUSED ? COUNT_CTX_WB_REFUSED :
		   COUNT_CTX_WB_OTHER, sctx);
	return writeback_verdict;
}

SEC("struct_ops/tick")
void BPF_PROG(count_tick, struct swap_tier_ctx *sctx)
{
	__sync_fetch_and_add(&tick_calls, 1);
	last_tick_cgroup_id = sctx->cgroup_id;
	ctx_record(COUNT_CTX_TICK, sctx);
}

SEC("struct_ops/swapin")
void BPF_PROG(count_swapin, struct swap_tier_ctx *sctx)
{
	s32 tier = sctx->tier;

	__sync_fetch_and_add(&swapin_calls, 1);
	if (tier >= 0 && tier < SWAP_TIER_MAX) {
		u32 i = tier;

		/* keep the bound where the verifier sees it */
		barrier_var(i);
		i &= SWAP_TIER_MAX - 1;
		__sync_fetch_and_add(&swapin_by_tier[i], 1);
	} else {
		__sync_fetch_and_add(&swapin_bad_tier, 1);
	}
	last_swapin_cgroup_id = sctx->cgroup_id;
	last_swapin_age = sctx->age;
	last_swapin_tier = tier;
	ctx_record(tier == SWAP_TIER_ZSWAP ? COUNT_CTX_SWAPIN_ZSWAP :
		   tier > 0 && tier < SWAP_TIER_MAX ? COUNT_CTX_SWAPIN_BACKEND :
		   COUNT_CTX_SWAPIN_OTHER, sctx);
}

SEC("struct_ops/init")
s32 BPF_PROG(count_init, struct swap_tier_ctx *sctx)
{
	__sync_fetch_and_add(&init_calls, 1);
	init_cgroup_id = sctx->cgroup_id;
	generation = gen;
	ctx_record(COUNT_CTX_INIT, sctx);
	return 0;
}

SEC("struct_ops/exit")
void BPF_PROG(count_exit, struct swap_tier_exit_info *info)
{
	exit_kind = info->kind;
	exit_nr_errors = info->nr_errors;
	exit_last_error = info->last_error;
	exit_last_error_hook = info->last_error_hook;
	__sync_fetch_and_add(&exit_calls, 1);
}

SEC(".struct_ops.link")
struct swap_tier_ops count_ops = {
	.place		= (void *)count_place,
	.writeback	= (void *)count_writeback,
	.tick		= (void *)count_tick,
	.swapin		= (void *)count_swapin,
	.init		= (void *)count_init,
	.exit		= (void *)count_exit,
	.name		= "count",
};
