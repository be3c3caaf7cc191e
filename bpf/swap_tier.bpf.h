/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swap_tier.bpf.h: what a swaptier policy needs, in one include.
 *
 * A policy is a BPF struct_ops map of type struct swap_tier_ops (kernel BTF,
 * mm/swap_tier_bpf.c; here through vmlinux.h).  The kernel calls its hooks at
 * the decision points of the swap path of ghost swap entries:
 *
 *   s32  place(ctx)      swap-out of a folio to a ghost entry: where it goes.
 *                        ctx->tier is SWAP_TIER_NONE.
 *   s32  writeback(ctx)  which back end gets data leaving zswap: zswap LRU
 *                        writeback (ctx->reason == SWAP_TIER_WB_SHRINK, with
 *                        ctx->compressed_size and ctx->age), or a page zswap
 *                        refused after place() said zswap first
 *                        (SWAP_TIER_WB_REFUSED).  ctx->tier is 0.
 *   void tick(ctx)       every /sys/kernel/mm/swap_tier/policy_tick_ms
 *                        (default 1000); ctx->cgroup_id is the attach target.
 *   void swapin(ctx)     a page came back from ctx->tier, ctx->age seconds
 *                        after it was stored (SWAP_TIER_AGE_UNKNOWN if not
 *                        known; for a back end, a lower bound: the time
 *                        since its front-end cluster's last back-end write).
 *   s32  init(ctx)       at attach; a nonzero -errno refuses the attach.
 *   void exit(info)      the policy stopped (info->kind: SWAP_TIER_EXIT_*).
 *   void demoted(res)    the demotion worker finished a request this policy
 *                        queued with bpf_swap_tier_demote() (and is still
 *                        attached): res->cgroup_id, ->from, ->to, ->min_age
 *                        as requested, ->requested and ->moved pages,
 *                        ->error 0 or -ENOENT (cgroup gone), -ENOSPC (target
 *                        tier full before done), -ENOMEM.
 *
 * Every hook is optional: a missing place()/writeback() means the built-in
 * default for that decision.  ctx, info and res are read-only.
 * ctx->cgroup_id is the cgroup v2 id of the page's memcg (the inode number
 * of its cgroup directory); in tick() and init() it is the policy's attach
 * target, 0 for a global policy.
 *
 * Verdicts of place() and writeback() (include/uapi/linux/swap_tier.h):
 *
 *   0 .. SWAP_TIER_MAX - 1   start at that tier, fall through to slower ones
 *                            while it has no room (tier 0 = zswap)
 *   tier | SWAP_TIER_ONLY    that tier and no other
 *   SWAP_TIER_DEFAULT        what the kernel does with no policy
 *   SWAP_TIER_KEEP           place() only: keep the folio in memory
 *   SWAP_TIER_NOT_NOW        writeback() only: leave the entry in zswap
 *
 * writeback() picks a back end, so 0 is not a valid answer there.  Any other
 * value is counted as an error (sysfs "errors"/"last_error", exit info) and
 * the built-in default applies: place() -> 0, writeback() -> 1.
 *
 * Fixed members of the ops: .name (required, [a-z0-9_], at most
 * SWAP_TIER_OPS_NAME_LEN - 1 characters), .flags (must be 0) and .cgroup_id
 * (the attach target; leave it 0 in the source: `swapctl policy load
 * --cgroup PATH` fills it in before the map is created).
 *
 * Conventions for policies in bpf/ (swapctl relies on them):
 *   - tunables are `const volatile` globals (.rodata), set at load with
 *     `swapctl policy load NAME --set KEY=VALUE`; scalars are u32/u64, lists
 *     of cgroups are `const volatile __u64 NAME[SWAP_TIER_CGROUP_LIST_MAX]`
 *     of cgroup ids, unused slots 0 (swapctl turns a cgroup path into its
 *     id); a single cgroup is a `const volatile __u64` (a path works there
 *     too);
 *   - `const char swaptier_description[]` is a one-line description;
 *   - one `SWAP_TIER_OPS_DEFINE(<name>_ops, ...)` whose .name is the file's
 *     name; programs are
 *     `s32 SWAP_TIER_HOOK(<hook>, <name>_<hook>, struct swap_tier_ctx *sctx)`
 *     (see below; BPF_PROG() takes the name `ctx` for itself: call the
 *     argument sctx);
 *   - license GPL (the kfuncs are GPL-only).
 */
#ifndef __SWAP_TIER_BPF_H
#define __SWAP_TIER_BPF_H

/* The declarations below are the only kfunc prototypes policies see. */
#ifndef BPF_NO_KFUNC_PROTOTYPES
#define BPF_NO_KFUNC_PROTOTYPES
#endif
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
/* Only #defines: safe next to vmlinux.h.  The one copy of the constants. */
#include <linux/swap_tier.h>

/*
 * kfuncs, callable from swap_tier_ops programs only.  Tier indexes are
 * 0 .. SWAP_TIER_MAX - 1, page counts are in pages.
 */
/* 1 + the highest tier index with an active back end */
extern u32 bpf_swap_tier_nr_tiers(void) __ksym;
/* capacity in pages; tier 0: the zswap pool limit */
extern u64 bpf_swap_tier_capacity(u32 tier) __ksym;
/* pages in use; tier 0: pages of the zswap pool */
extern u64 bpf_swap_tier_used(u32 tier) __ksym;
/* capacity - used */
extern u64 bpf_swap_tier_free(u32 tier) __ksym;
/* pages written to the tier since boot */
extern u64 bpf_swap_tier_written(u32 tier) __ksym;
/* pages of cgrp's subtree in the tier; cgrp must be trusted */
extern u64 bpf_swap_tier_cgroup_pages(struct cgroup *cgrp, u32 tier) __ksym;
/*
 * queue zswap writeback of up to nr_pages from cgrp's subtree (async); 0, or
 * -EBUSY while an earlier request is still queued.  cgrp must be trusted.
 */
extern s32 bpf_swap_tier_writeback(struct cgroup *cgrp, u32 nr_pages) __ksym;
/*
 * queue a demotion: move up to nr_pages of cgroup_id's subtree (0: every
 * cgroup) whose back-end copy was written at least min_age seconds ago
 * from tier `from` to tier `to` (1 <= from < to < SWAP_TIER_MAX), oldest
 * first, page tables untouched.  The demotion worker runs it within
 * /sys/kernel/mm/swap_tier/demote_interval_ms (at once if idle), then calls
 * the policy's demoted() hook.  0 queued, -EINVAL bad arguments, -EBUSY
 * queue full (16 requests system-wide), -ENODEV no back end of `to`.
 */
extern int bpf_swap_tier_demote(u64 cgroup_id, int from, int to, u64 nr_pages,
				u32 min_age) __ksym;

/* generic kfuncs: a trusted, referenced struct cgroup * from a cgroup id */
extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

#ifndef EPERM
#define EPERM		1
#endif
#ifndef ENOENT
#define ENOENT		2
#endif
#ifndef ENOMEM
#define ENOMEM		12
#endif
#ifndef EBUSY
#define EBUSY		16
#endif
#ifndef ENODEV
#define ENODEV		19
#endif
#ifndef EINVAL
#define EINVAL		22
#endif
#ifndef ENOSPC
#define ENOSPC		28
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/*
 * SWAP_TIER_HOOK(hook, name, args...): the head of the program @name for the
 * member @hook of struct swap_tier_ops, in section "struct_ops/<hook>"; the
 * return type goes in front and the body follows, as with sched_ext's
 * BPF_STRUCT_OPS():
 *
 *	s32 SWAP_TIER_HOOK(place, batch_place, struct swap_tier_ctx *sctx)
 *	{
 *		return SWAP_TIER_DEFAULT;
 *	}
 *
 * expands to
 *
 *	s32 SEC("struct_ops/place")
 *	BPF_PROG(batch_place, struct swap_tier_ctx *sctx)
 *
 * place(), writeback() and init() return s32, the others void; each takes
 * the one pointer listed at the top of this file.  Sleepable programs
 * ("struct_ops.s/") are refused by the kernel, so there is no variant for
 * them.
 */
#define SWAP_TIER_HOOK(hook, name, args...)				\
	SEC("struct_ops/" #hook)					\
	BPF_PROG(name, ##args)

/*
 * SWAP_TIER_OPS_DEFINE(var, members...): the policy's one struct_ops map,
 * struct swap_tier_ops @var in SEC(".struct_ops.link") (swapctl pins its
 * link), initialised with the designated initialisers given:
 *
 *	SWAP_TIER_OPS_DEFINE(batch_ops,
 *		.place	= (void *)batch_place,
 *		.name	= "batch");
 *
 * The map is named @var; leave .cgroup_id and .flags out (0).
 */
#define SWAP_TIER_OPS_DEFINE(var, ...)					\
	SEC(".struct_ops.link")						\
	struct swap_tier_ops var = {					\
		__VA_ARGS__,						\
	}

/* x86 only (-D__TARGET_ARCH_x86): 4 KiB pages */
#define SWAP_TIER_PAGE_SIZE		4096
/* id of the root cgroup of cgroup v2 */
#define SWAP_TIER_ROOT_CGROUP_ID	1
/* length of the cgroup-id list tunables */
#define SWAP_TIER_CGROUP_LIST_MAX	8

/* verdict: @tier and no other */
#define SWAP_TIER_ONLY_TIER(tier)	((s32)((tier) | SWAP_TIER_ONLY))

/*
 * Is @id one of the first @n entries of @list?  Zero entries are unused
 * slots and never match; neither does id 0.  Exact match only: a descendant
 * of a listed cgroup is not in the list.
 */
static __always_inline bool cgroup_in_list(u64 id, const volatile __u64 *list,
					   u32 n)
{
	u32 i;

	if (!id)
		return false;
	for (i = 0; i < n && i < SWAP_TIER_CGROUP_LIST_MAX; i++) {
		if (list[i] && list[i] == id)
			return true;
	}
	return false;
}

/* Number of cgroups in @list: its nonzero entries among the first @n. */
static __always_inline u32 cgroup_list_count(const volatile __u64 *list, u32 n)
{
	u32 i, count = 0;

	for (i = 0; i < n && i < SWAP_TIER_CGROUP_LIST_MAX; i++) {
		if (list[i])
			count++;
	}
	return count;
}

/*
 * Is @used more than @pct percent of @capacity?  A capacity of 0 (no limit
 * known) is never exceeded.
 */
static __always_inline bool swap_tier_above_pct(u64 used, u64 capacity,
						u32 pct)
{
	if (!capacity)
		return false;
	return used * 100 > capacity * pct;
}

/* Is zswap (tier 0) filled above @pct percent of its pool limit? */
static __always_inline bool swap_tier_zswap_above_pct(u32 pct)
{
	return swap_tier_above_pct(bpf_swap_tier_used(SWAP_TIER_ZSWAP),
				   bpf_swap_tier_capacity(SWAP_TIER_ZSWAP), pct);
}

#endif /* __SWAP_TIER_BPF_H */
