/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SWAPCTL_POLICY_STATS_H
#define SWAPCTL_POLICY_STATS_H

#include <stdint.h>

/*
 * "policy stats": the global variables and maps of the attached policies
 * swapctl pinned, printed by BTF (text, or JSON with -j): all of them,
 * those named @name (not NULL), or the one of the cgroup @cgroup (its id
 * @want).  @obj names the command in messages.  0, or an EXIT_* code
 * after printing the error (EXIT_STATE: nothing of that name or on that
 * cgroup).
 */
int policy_stats(const char *name, const char *cgroup, uint64_t want,
		 const char *obj);

#endif /* SWAPCTL_POLICY_STATS_H */
