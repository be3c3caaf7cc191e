/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Swap tiers: back-end swap areas behind ghost swapfiles.
 *
 * A ghost swapfile (a swapfile holding only the swap header, marked with
 * SWAP_GHOST_MAGIC) is a front end: page tables point at its entries.  A back end is an ordinary
 * swap device or swapfile activated with SWAP_FLAG_BACKEND: nothing in a
 * page table ever points at its slots; each slot in use holds the data of
 * exactly one ghost entry.  Every back end belongs to a tier; tiers are
 * numbered fastest first, tier 0 being zswap itself.
 *
 * Per-tier figures are in /sys/kernel/mm/swap_tier/<name>/.
 */
#ifndef _UAPI_LINUX_SWAP_TIER_H
#define _UAPI_LINUX_SWAP_TIER_H

/*
 * Ghost swapfile marker: a regular file whose SWAPSPACE2 header (version 1)
 * has these 16 bytes at the start of info.padding, byte 1068 of the header
 * page, is a ghost, whatever its length. mkswap(8) leaves those bytes zero.
 * The file holds only the header; info.last_page gives the number of swap
 * entries the ghost provides. A regular file exactly one page long without
 * the marker is taken for a ghost too (files made before the marker).
 */
#define SWAP_GHOST_MAGIC	"SWAPTIER-GHOST01"
#define SWAP_GHOST_MAGIC_LEN	16
#define SWAP_GHOST_MAGIC_OFFSET	1068

/*
 * swapon(2) flags, next to SWAP_FLAG_PREFER (0x8000) and the discard flags
 * (0x10000-0x40000).  0x80000 is left to upstream's proposed
 * SWAP_FLAG_OFFLOAD_ONLY.
 */
#define SWAP_FLAG_BACKEND	0x100000	/* back-end only, see above */
#define SWAP_FLAG_TIER_SHIFT	21		/* tier of a back end */
#define SWAP_FLAG_TIER_MASK	(0x7 << SWAP_FLAG_TIER_SHIFT)

#define SWAP_TIER_MAX		8	/* tiers 0 .. SWAP_TIER_MAX - 1 */
#define SWAP_TIER_ZSWAP		0	/* zswap: no device, no back end */
#define SWAP_TIER_SSD		1	/* default name "ssd" */
#define SWAP_TIER_HDD		2	/* default name "hdd" */

/*
 * Policies: struct swap_tier_ops (BPF struct_ops, kernel BTF) decides where
 * pages go.  Verdicts of its place() and writeback() hooks:
 *   0 .. SWAP_TIER_MAX - 1	start at that tier, then go to slower ones
 *				while it has no room (0 = zswap first)
 *   tier | SWAP_TIER_ONLY	that tier and no other
 *   SWAP_TIER_DEFAULT		what the kernel does with no policy
 *   SWAP_TIER_KEEP		place(): keep the page in memory
 *   SWAP_TIER_NOT_NOW		writeback(): leave the entry in zswap for now
 * writeback() picks a back end: tier 0 is not a valid answer there.  Any
 * other value is counted as an error and the built-in default applies.
 */
#define SWAP_TIER_ONLY		0x100
#define SWAP_TIER_DEFAULT	(-1)
#define SWAP_TIER_KEEP		(-2)
#define SWAP_TIER_NOT_NOW	(-3)

/* struct swap_tier_ctx.reason, for writeback() */
#define SWAP_TIER_WB_SHRINK	0	/* zswap writes an old entry back */
#define SWAP_TIER_WB_REFUSED	1	/* zswap refused the page at swap-out */

/* struct swap_tier_ctx.age when the age of the data is not known */
#define SWAP_TIER_AGE_UNKNOWN	0xffffffffU
/* struct swap_tier_ctx.tier in place(): the page is in no tier yet */
#define SWAP_TIER_NONE		(-1)

/* struct swap_tier_ops.name, including the terminating NUL */
#define SWAP_TIER_OPS_NAME_LEN	16

/* struct swap_tier_exit_info.kind: why a policy stopped */
#define SWAP_TIER_EXIT_DETACH	1	/* its link was detached or closed */
#define SWAP_TIER_EXIT_CGROUP	2	/* its cgroup was removed */
#define SWAP_TIER_EXIT_REPLACE	3	/* a link update put another in its place */

/* struct swap_tier_exit_info.last_error_hook; by name in sysfs */
#define SWAP_TIER_HOOK_PLACE	1
#define SWAP_TIER_HOOK_WRITEBACK 2

/*
 * Demotion moves data from a back-end tier to a slower one: by the kernel
 * when a tier passes its high watermark, or as a policy asks with
 * bpf_swap_tier_demote().  Reasons in the swap_tier_demote_* tracepoints;
 * swap_tier_move also has 2 for a drain.
 */
#define SWAP_TIER_DEMOTE_WATERMARK	0
#define SWAP_TIER_DEMOTE_POLICY		1

/* swap_tier_move's "to" when a drained page stayed in memory */
#define SWAP_TIER_MEMORY	SWAP_TIER_NONE

#endif /* _UAPI_LINUX_SWAP_TIER_H */
