/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tier_ops: swapctl's actions, what its commands do once their arguments
 * are parsed (tier_ops.c: tiers, policy_ops.c: policies).  Each honours
 * SWAPCTL_DRY_RUN and the other test hooks as the command does, prints
 * the command's result on success (text, or JSON with -j), prints its
 * error naming the object, and returns 0 or an EXIT_* code.
 */
#ifndef SWAPCTL_TIER_OPS_H
#define SWAPCTL_TIER_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Set by a caller that reports each step itself (apply): the actions then
 * print nothing on success; errors and dry-run calls are printed as ever.
 */
extern bool ops_quiet;

/* -- tier_ops.c */

/*
 * 'tier add': swapon(2) @path as a back end of device tier @tier, at
 * priority @prio (0 to SWAP_FLAG_PRIO_MASK), or <0: chosen by the kernel.
 */
int backend_add(const char *path, const char *tier, int prio);
/*
 * 'tier set TIER --high --low': @high (0 to 100, 0: off) and @low (0 to
 * 99) percent; -1 leaves that one unchanged.
 */
int tier_watermarks_set(const char *tier, int high, int low);
/* 'tier set --interval': the demotion interval, 100 to 60000 ms. */
int demote_interval_set(int ms);
/*
 * 'tier set' as a whole: the watermarks of @tier (NULL: none) and the
 * interval, in one output; -1 leaves a value unchanged.
 */
int tier_set(const char *tier, int high, int low, int interval);
/*
 * swapoff(2), or its dry run: 0, -1 with errno set, or DRY_RUN_BAD after
 * reporting a bad SWAPCTL_DRY_RUN.
 */
#define DRY_RUN_BAD (-2)
int call_swapoff(const char *path);

/* -- policy_ops.c */

struct policy_req {
	const char *what;	/* a policy name or an object path */
	const char *cgroup;	/* a cgroup v2 directory, NULL: global */
	char *const *sets;	/* "VAR=VALUE" tunables, as --set takes them */
	size_t nr_sets;
};

/*
 * 'policy load' (@replace false: the target must have no policy) or
 * 'policy replace' (@replace true: atomically, the target's policy).
 */
int policy_attach(const struct policy_req *r, bool replace);
/* 'policy detach [--cgroup PATH]': @cgroup NULL is the global policy. */
int policy_detach(const char *cgroup);
/*
 * 'policy detach' as a whole: the policy of @cgroup (a path), of the cgroup
 * with id @id (not 0), of every pinned target (@all), or the global one.
 */
int policy_detach_targets(const char *cgroup, uint64_t id, bool all);
/*
 * The id of the struct_ops map held by the link pinned for @cgroup (NULL:
 * global) in *map_id (0 once the kernel detached it): 0, 1 if the target
 * has no pin, or an EXIT_* code after printing an error.  It only reads,
 * so SWAPCTL_DRY_RUN does not change it; SWAPCTL_BPFFS and SWAPCTL_SYSROOT
 * do.
 */
int policy_pin_map_id(const char *cgroup, uint32_t *map_id);

#endif /* SWAPCTL_TIER_OPS_H */
