// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <linux/magic.h>
#include <linux/swap_tier.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/swap.h>
#include <unistd.h>

#include "swaptest.h"

#define SECTOR_SHIFT 9

bool tier_available(char *why, size_t len)
{
	if (!access(TIER_SYSFS "/ssd/used_pages", R_OK) &&
	    !access(TIER_SYSFS "/hdd/used_pages", R_OK))
		return true;
	if (why)
		snprintf(why, len,
			 "%s/{ssd,hdd} missing: kernel without back-end tiers",
			 TIER_SYSFS);
	return false;
}

static long long tier_file(const char *name, const char *file)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), TIER_SYSFS "/%s/%s", name, file);
	return st_read_ll(p);
}

long long tier_root_file(const char *file)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), TIER_SYSFS "/%s", file);
	return st_read_ll(p);
}

long long tier_debugfs_file(const char *file)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), TIER_DEBUGFS "/%s", file);
	return st_read_ll(p);
}

static bool is_debugfs(void)
{
	struct statfs sfs;

	return !statfs(ST_DEBUGFS, &sfs) && sfs.f_type == DEBUGFS_MAGIC;
}

int tier_debugfs_mount(char *why, size_t len)
{
	if (is_debugfs())
		return 0;
	if (mount("debugfs", ST_DEBUGFS, "debugfs", 0, NULL) && errno != EBUSY) {
		int e = errno;

		snprintf(why, len, "mount debugfs at %s: %s", ST_DEBUGFS,
			 strerror(e));
		return -e;
	}
	if (!is_debugfs()) {
		snprintf(why, len, "%s is not debugfs after mounting it",
			 ST_DEBUGFS);
		return -ENODEV;
	}
	return 0;
}

int tier_stat_read(const char *name, struct tier_stat *s)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), TIER_SYSFS "/%s", name);
	if (access(p, F_OK))
		return -errno;
	s->nr_devices = tier_file(name, "nr_devices");
	s->capacity = tier_file(name, "capacity_pages");
	s->used = tier_file(name, "used_pages");
	s->written = tier_file(name, "written_pages");
	s->read = tier_file(name, "read_pages");
	s->write_errors = tier_file(name, "write_errors");
	s->read_errors = tier_file(name, "read_errors");
	return 0;
}

/* Sum of written_pages + write_errors over every tier, or -errno. */
static long long tier_writes_done(void)
{
	DIR *d = opendir(TIER_SYSFS);
	struct dirent *de;
	long long sum = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		long long w, e;

		if (de->d_name[0] == '.')
			continue;
		w = tier_file(de->d_name, "written_pages");
		e = tier_file(de->d_name, "write_errors");
		if (w > 0)
			sum += w;
		if (e > 0)
			sum += e;
	}
	closedir(d);
	return sum;
}

int tier_writes_wait(unsigned int timeout_ms)
{
	double deadline = st_now() + timeout_ms / 1000.0;

	for (;;) {
		long long out = vmstat_get("pswpout");
		long long done = tier_writes_done();

		if (out < 0 || done < 0)
			return done < 0 ? (int)done : -ENOENT;
		if (done >= out)
			return 0;
		if (st_now() >= deadline)
			return -ETIMEDOUT;
		st_sleep_ms(2);
	}
}

int st_backend_setup(const struct st_env *env, struct st_backend *b,
		     const char *tag, const char *disk,
		     unsigned long long offset_bytes,
		     unsigned long long size_bytes, const char *tier,
		     char *out, size_t outlen)
{
	char *mkswap[] = { "mkswap", b->dev, NULL };
	char wm_path[PATH_MAX];
	int rc;

	memset(b, 0, sizeof(*b));
	snprintf(b->tier, sizeof(b->tier), "%s", tier);
	snprintf(b->disk, sizeof(b->disk), "%s", disk);
	if (outlen)
		out[0] = '\0';
	if (size_bytes) {
		long long disk_sectors = blkdev_sectors(disk);
		char name[sizeof(b->dm_name) + 1], params[PATH_MAX + 32];

		if (disk_sectors < 0) {
			snprintf(out, outlen, "size of %s: %s", disk,
				 strerror((int)-disk_sectors));
			return (int)disk_sectors;
		}
		b->offset = offset_bytes >> SECTOR_SHIFT;
		b->sectors = size_bytes >> SECTOR_SHIFT;
		if (b->offset + b->sectors > (unsigned long long)disk_sectors) {
			snprintf(out, outlen, "%s has %lld sectors, need %llu",
				 disk, disk_sectors, b->offset + b->sectors);
			return -ENOSPC;
		}
		/* A unique name, as for files: "/<prefix>..." without the '/'. */
		if (st_unique_path(name, sizeof(name), "", tag, NULL))
			return -ENAMETOOLONG;
		snprintf(params, sizeof(params), "%s %llu", disk, b->offset);
		rc = dm_create(name + 1, "linear", b->sectors, params, b->dev,
			       sizeof(b->dev));
		if (rc) {
			snprintf(out, outlen, "dm linear %s: %s", params,
				 strerror(-rc));
			return rc;
		}
		snprintf(b->dm_name, sizeof(b->dm_name), "%s", name + 1);
	} else {
		snprintf(b->dev, sizeof(b->dev), "%s", disk);
	}
	rc = st_run(mkswap, out, outlen, 60);
	if (rc)
		return rc < 0 ? -EIO : rc;
	/*
	 * Watermark demotion would move pages between tiers behind the
	 * test's back: off unless a test turns it on (kernels before
	 * demotion have no such file).
	 */
	snprintf(wm_path, sizeof(wm_path), "%s/%s/high_watermark_pct",
		 TIER_SYSFS, tier);
	if (access(wm_path, F_OK) == 0) {
		rc = st_write_file(wm_path, "0");
		if (rc) {
			snprintf(out, outlen, "%s: %s", wm_path, strerror(-rc));
			return rc;
		}
	}
	rc = st_swapctl(env, out, outlen, "tier", "add", b->dev, "--tier",
			tier, NULL);
	if (rc)
		return rc < 0 ? -EIO : rc;
	b->active = true;
	return 0;
}

int st_backend_flakey(struct st_backend *b, const char *feature)
{
	char params[PATH_MAX + 64];

	if (!b->dm_name[0])
		return -EINVAL;
	if (feature)
		/* up 0 s, down 1 s: always down, the feature always applies */
		snprintf(params, sizeof(params), "%s %llu 0 1 1 %s", b->disk,
			 b->offset, feature);
	else
		snprintf(params, sizeof(params), "%s %llu", b->disk,
			 b->offset);
	return dm_reload(b->dm_name, feature ? "flakey" : "linear", b->sectors,
			 params);
}

/* swapoff(2) path, retrying EBUSY for up to timeout_ms.  0 or -errno. */
static int swapoff_busy_retry(const char *path, unsigned int timeout_ms)
{
	double deadline = st_now() + timeout_ms / 1000.0;

	for (;;) {
		if (!swapoff(path))
			return 0;
		if (errno != EBUSY || st_now() >= deadline)
			return -errno;
		st_sleep_ms(100);
	}
}

int st_backend_teardown(struct st_backend *b, unsigned int timeout_ms)
{
	int err = 0, e;

	if (b->dev[0] && swaps_find(b->dev, NULL) > 0)
		err = swapoff_busy_retry(b->dev, timeout_ms);
	b->active = false;
	if (b->dm_name[0]) {
		e = dm_remove(b->dm_name, 5000);
		if (!e)
			b->dm_name[0] = '\0';
		else if (!err)
			err = e;
	}
	return err;
}

int st_swap_slots_drain(const struct st_env *env)
{
	int flags = SWAP_FLAG_BACKEND |
		    ((SWAP_TIER_MAX - 1) << SWAP_FLAG_TIER_SHIFT);
	struct swaphdr_spec spec;
	char path[PATH_MAX];
	int err;

	err = st_unique_path(path, sizeof(path), env->scratch, "drain",
			     ".swap");
	if (err)
		return err;
	swaphdr_spec_init(&spec, 16);
	err = swaphdr_write(path, &spec);
	if (err)
		return err;
	if (swapon(path, flags))
		err = -errno;
	else
		/* Only a full last tier lands pages here: then wait. */
		err = swapoff_busy_retry(path, 5000);
	unlink(path);
	return err;
}

/* Is path the same block device as disk (may be NULL)? */
static bool same_blkdev(const char *path, const char *disk)
{
	struct stat a, b;

	if (!disk || stat(path, &a) || stat(disk, &b))
		return false;
	return S_ISBLK(a.st_mode) && S_ISBLK(b.st_mode) &&
	       a.st_rdev == b.st_rdev;
}

/* Is path a device-mapper device named by a dead test? */
static bool stale_dm(const char *path)
{
	char p[PATH_MAX], name[256];

	if (strncmp(path, "/dev/dm-", 8))
		return false;
	snprintf(p, sizeof(p), "/sys/block/%s/dm/name", path + 5);
	if (st_read_file(p, name, sizeof(name)) <= 0)
		return false;
	return st_name_is_stale(st_rstrip(name));
}

/* Is a ghost of a live test active?  Its test may own the tier disks. */
static bool live_test_ghost(const struct swaps_row *rows, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		const char *base = strrchr(rows[i].path, '/');

		if (!strcmp(rows[i].type, "ghost") && base &&
		    st_name_owner(base + 1) > 0 && !st_name_is_stale(base + 1))
			return true;
	}
	return false;
}

int st_backend_recover(const struct st_env *env, char *log, size_t len)
{
	struct swaps_row rows[40];
	int n, i, actions = 0;
	bool disks;

	n = swaps_list(rows, (int)ST_ARRAY_SIZE(rows));
	if (n > (int)ST_ARRAY_SIZE(rows))
		n = (int)ST_ARRAY_SIZE(rows);
	disks = !live_test_ghost(rows, n);
	for (i = 0; i < n; i++) {
		const char *p = rows[i].path;
		int err;

		if (!stale_dm(p) &&
		    !(disks && (same_blkdev(p, env->ssd) ||
				same_blkdev(p, env->hdd))))
			continue;
		err = swapoff_busy_retry(p, 5000);
		if (err)
			st_appendf(log, len, "swapoff %s failed: %s; ", p,
				   strerror(-err));
		else
			st_appendf(log, len, "swapoff %s; ", p);
		actions++;
	}
	return actions;
}
