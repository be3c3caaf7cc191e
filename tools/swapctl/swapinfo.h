/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * swapinfo: the swap areas (/proc/swaps), zswap's state and the
 * /proc/vmstat counters.  Below: main.h.
 */
#ifndef SWAPCTL_SWAPINFO_H
#define SWAPCTL_SWAPINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "main.h"

struct swap_area {
	char *name;		/* unescaped path */
	char *type;		/* raw kernel type string */
	uint64_t size_kib;
	uint64_t used_kib;
	long long prio;
};

struct swap_list {
	struct swap_area *areas;
	size_t nr;
	char *path;		/* the file that was read, for messages */
};

/*
 * Parse /proc/swaps.  Returns 0, or an EXIT_* code after printing the
 * error.  A missing /proc/swaps is an error only if @need is set; without
 * it the list is simply empty.
 */
int swaps_read(struct swap_list *list, bool need);
void swaps_free(struct swap_list *list);
/* Is the inode st (dev, ino) an active swap area?  <0: EXIT code */
int swaps_contains(const struct swap_list *list, dev_t dev, ino_t ino);

/* zswap state, shared by "status", "tier list" and "metrics" */
struct zswap_status {
	int enabled;		/* 1, 0, or -1: unknown */
	char *compressor;	/* NULL: unknown */
	struct opt_u64 pool_bytes;
	struct opt_u64 stored_bytes;
	struct opt_u64 stored_pages;
	/*
	 * SwapTotal and SwapFree of /proc/meminfo: with ghosts, what zswap
	 * and the back ends can hold, not the ghosts' size.
	 */
	struct opt_u64 swap_total_bytes;
	struct opt_u64 swap_free_bytes;
};

/* Returns 0 or an EXIT_* code after printing the error. */
int zswap_read(struct zswap_status *z);
void zswap_free(struct zswap_status *z);
/* Counters @keys of /proc/vmstat into @out; missing ones stay unknown. */
int vmstat_read(const char *const *keys, struct opt_u64 *out, size_t nr);

/* A ghost area (type "ghost"): a front end. */
bool is_ghost(const struct swap_area *a);
/* "ghost" or "disk" */
const char *swap_kind(const struct swap_area *a);

#endif /* SWAPCTL_SWAPINFO_H */
