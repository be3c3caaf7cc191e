/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: device-mapper through its ioctl interface
 * (/dev/mapper/control, linux/dm-ioctl.h), so the tests need no dmsetup.
 *
 * Each device holds a single target covering the whole device, given as a
 * target type ("linear", "flakey", "error") and its parameter string, as
 * in a dmsetup table line without the start and length.  Devices are named
 * by the caller; the tests use st_unique_path()-style names
 * (swaptier-selftest-<tag>-<pid>-<n>) so that dm_remove_stale() can remove
 * what a dead test left behind.
 *
 * The block device node is /dev/dm-<minor> (devtmpfs; there is no udev to
 * make /dev/mapper/<name>).
 */
#ifndef SWAPTIER_SELFTEST_DM_H
#define SWAPTIER_SELFTEST_DM_H

#include <stdbool.h>
#include <stddef.h>

/* Is the device-mapper control node usable?  If not, *why explains. */
bool dm_available(char *why, size_t len);

/*
 * Create device name with one target of sectors 512-byte sectors and make
 * it live.  devpath receives /dev/dm-<minor>.  Returns 0 or -errno (on
 * failure nothing is left behind).
 */
int dm_create(const char *name, const char *target, unsigned long long sectors,
	      const char *params, char *devpath, size_t len);

/*
 * Replace the live table of name: load the new one, then resume (which
 * suspends the device, waiting for in-flight I/O, and swaps the table in).
 * Returns 0 or -errno.
 */
int dm_reload(const char *name, const char *target, unsigned long long sectors,
	      const char *params);

/*
 * Remove name, retrying while it is busy (open) for up to timeout_ms.
 * A missing device counts as removed.  Returns 0 or -errno.
 */
int dm_remove(const char *name, unsigned int timeout_ms);

/*
 * Remove the devices named swaptier-selftest-* whose creating pid is gone.
 * Returns the number removed or -errno.
 */
int dm_remove_stale(void);

/* Size of the block device at path, in 512-byte sectors, or -errno. */
long long blkdev_sectors(const char *path);

#endif
