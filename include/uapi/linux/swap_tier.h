/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Swap tiers: back-end swap areas behind ghost swapfiles.
 *
 * A ghost swapfile (a one-page swapfile holding only the swap header) is a
 * front end: page tables point at its entries.  A back end is an ordinary
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

#endif /* _UAPI_LINUX_SWAP_TIER_H */
