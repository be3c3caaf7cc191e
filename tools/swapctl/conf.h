/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The swaptier configuration file (swapctl apply), swaptier.conf(5) in
 * swapctl.8: INI-style sections, "key = value" lines, '#' comments.
 *
 *   [ghost]                 a ghost swapfile to swap on
 *   path = /var/swap/ghost  (required; made once with 'swapctl ghost create')
 *   priority = 100          (optional, 0 .. 32767)
 *
 *   [tier ssd]              a back-end tier
 *   device = /dev/nvme0n1p3 (repeatable: each is added as a back end)
 *   priority = 10           (optional, for its devices)
 *   high = 80               (optional watermarks, percent)
 *   low = 60
 *
 *   [demote]
 *   interval = 1000         (ms, the demotion worker's period)
 *
 *   [policy]                a policy, global or on one cgroup
 *   name = latency          (required: NAME or an object path)
 *   cgroup = /system.slice/redis.service   (optional: cgroup v2 path,
 *                            from the root of the hierarchy)
 *   set = max_zswap_pct=50  (repeatable: tunables, as --set takes them)
 */
#ifndef SWAPCTL_CONF_H
#define SWAPCTL_CONF_H

#include <stdbool.h>
#include <stddef.h>

struct conf_ghost {
	char *path;
	int prio;		/* -1: the kernel's choice */
	int line;
};

struct conf_tier {
	char *name;
	char **devices;
	size_t nr_devices;
	int prio;		/* -1: the kernel's choice */
	int high, low;		/* -1: left as they are */
	int line;
};

struct conf_policy {
	char *what;		/* NAME or OBJ */
	char *cgroup;		/* hierarchy path ("/a/b"), NULL: global */
	char **sets;		/* KEY=VALUE */
	size_t nr_sets;
	int line;
};

struct conf {
	char *path;		/* the file, for messages */
	struct conf_ghost *ghosts;
	size_t nr_ghosts;
	struct conf_tier *tiers;
	size_t nr_tiers;
	struct conf_policy *policies;
	size_t nr_policies;
	int interval;		/* demote interval in ms, -1: left as it is */
};

/*
 * Parse @path into @c.  Returns 0, or EXIT_OTHER after reporting the first
 * error as "PATH: line N: ..." (EXIT_SYSCALL if it cannot be read); free
 * with conf_free() either way.
 */
int conf_read(const char *path, struct conf *c);
void conf_free(struct conf *c);

#endif /* SWAPCTL_CONF_H */
