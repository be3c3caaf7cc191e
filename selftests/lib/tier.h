/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: back-end tiers.
 *
 * A back end is a block device with a mkswap header activated with
 * "swapctl tier add DEV --tier NAME" (swapon(2) with SWAP_FLAG_BACKEND and
 * the tier index).  The tests use whole disks ($SWAPTIER_SSD,
 * $SWAPTIER_HDD) or device-mapper slices of them (lib/dm.c), which can be
 * small (to fill up) and can be switched to dm-flakey to fail I/O.
 * Per-tier figures are read from /sys/kernel/mm/swap_tier/<name>/, the
 * back-end pointer figures (internals) from debugfs,
 * /sys/kernel/debug/swap_tier/pointer_{records,bytes}.
 */
#ifndef SWAPTIER_SELFTEST_TIER_H
#define SWAPTIER_SELFTEST_TIER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define TIER_SYSFS "/sys/kernel/mm/swap_tier"
#define ST_DEBUGFS "/sys/kernel/debug"
#define TIER_DEBUGFS ST_DEBUGFS "/swap_tier"

/* /sys/kernel/mm/swap_tier/<name>/ figures; -1 where a file is missing. */
struct tier_stat {
	long long nr_devices;
	long long capacity;	/* capacity_pages */
	long long used;		/* used_pages */
	long long written;	/* written_pages */
	long long read;		/* read_pages */
	long long write_errors;
	long long read_errors;
};

/* Does the kernel have back-end tiers?  If not, *why explains. */
bool tier_available(char *why, size_t len);

/* Read the figures of tier name.  0, or -errno if the tier is missing. */
int tier_stat_read(const char *name, struct tier_stat *s);

/* A number from a file of TIER_SYSFS itself (demote_interval_ms...), or -1. */
long long tier_root_file(const char *file);

/* A number from a file of TIER_DEBUGFS (pointer_bytes...), or -1. */
long long tier_debugfs_file(const char *file);

/*
 * Mount debugfs at ST_DEBUGFS unless it is mounted there (the VM runner
 * mounts it).  0, or -errno with the reason in why.
 */
int tier_debugfs_mount(char *why, size_t len);

/*
 * Wait up to timeout_ms until every back-end write submitted so far has
 * completed: /proc/vmstat pswpout (counted at submission) equals the sum
 * of written_pages and write_errors over all tiers (counted at
 * completion).  Only meaningful where back ends are the only swap devices
 * that do I/O.  0, -ETIMEDOUT, or -errno.
 */
int tier_writes_wait(unsigned int timeout_ms);

struct st_backend {
	char dev[PATH_MAX];	/* block device activated as back end */
	char dm_name[128];	/* device-mapper device, "" for a whole disk */
	char disk[PATH_MAX];	/* the disk a dm device maps */
	unsigned long long offset;	/* dm: first sector on disk */
	unsigned long long sectors;	/* dm: length in sectors */
	char tier[16];		/* tier name */
	bool active;		/* activated by st_backend_setup() */
};

struct st_env;

/*
 * Make b a back end of tier on disk and activate it: size_bytes == 0 uses
 * the whole disk, else a dm-linear slice of size_bytes at offset_bytes
 * (named swaptier-selftest-<tag>-<pid>-<n>).  mkswap(8) writes the header,
 * "$SWAPCTL tier add DEV --tier TIER" activates it.  Whatever was made is
 * recorded in b (for st_backend_teardown()) even on failure.  Returns 0,
 * or -errno / the failing command's exit status (> 0); out says more.
 */
int st_backend_setup(const struct st_env *env, struct st_backend *b,
		     const char *tag, const char *disk,
		     unsigned long long offset_bytes,
		     unsigned long long size_bytes, const char *tier,
		     char *out, size_t outlen);

/*
 * Switch a dm back end to dm-flakey, permanently "down" with the given
 * feature ("error_writes": writes fail, reads work; "error_reads": reads
 * fail, writes work), or back to linear (feature NULL).  0 or -errno.
 */
int st_backend_flakey(struct st_backend *b, const char *feature);

/*
 * Deactivate b (swapoff(2), retried while the kernel says EBUSY for up to
 * timeout_ms, since freed slots can take a moment to be released) and
 * remove its dm device.  Safe on a never-set-up b.  0 or -errno.
 */
int st_backend_teardown(struct st_backend *b, unsigned int timeout_ms);

/*
 * Release the swap slots that sit in the kernel's per-CPU swap slot caches
 * (freed or pre-allocated entries, up to SWAP_SLOTS_CACHE_SIZE per CPU and
 * area), so that /proc/swaps Used and used_pages are exact: swapon(2) and
 * swapoff(2) of a 16-page swapfile in the scratch directory as a back end
 * of the last tier - swapoff drains every CPU's caches.  0 or -errno.
 */
int st_swap_slots_drain(const struct st_env *env);

/*
 * Swap off the back ends a dead test left active: those on its
 * swaptier-selftest-* dm devices, and those on the tier disks named in env
 * unless a live test's ghost is active (that test may own them).  Call it
 * once the dead tests' ghosts are off.  Returns the number swapped off;
 * what was done goes to log.
 */
int st_backend_recover(const struct st_env *env, char *log, size_t len);

#endif
