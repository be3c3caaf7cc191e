// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "dm.h"
#include "util.h"

#define DM_CONTROL	"/dev/mapper/control"
#define DM_BUF_SIZE	(16 * 1024)

/* Oldest interface with everything used here; the kernel accepts newer. */
#define DM_IOCTL_MAJOR	4
#define DM_IOCTL_MINOR	0

static int dm_open(void)
{
	int fd = open(DM_CONTROL, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Header of an ioctl buffer of DM_BUF_SIZE bytes, for device name. */
static struct dm_ioctl *dm_init(void *buf, const char *name)
{
	struct dm_ioctl *io = buf;

	memset(buf, 0, DM_BUF_SIZE);
	io->version[0] = DM_IOCTL_MAJOR;
	io->version[1] = DM_IOCTL_MINOR;
	io->data_size = DM_BUF_SIZE;
	io->data_start = sizeof(*io);
	if (name)
		snprintf(io->name, sizeof(io->name), "%s", name);
	return io;
}

static int dm_ioctl_name(unsigned long cmd, const char *name, uint32_t flags,
			 struct dm_ioctl *out)
{
	uint64_t buf[DM_BUF_SIZE / sizeof(uint64_t)];
	struct dm_ioctl *io = dm_init(buf, name);
	int fd = dm_open(), err = 0;

	if (fd < 0)
		return fd;
	io->flags = flags;
	if (ioctl(fd, cmd, io))
		err = -errno;
	else if (out)
		*out = *io;
	close(fd);
	return err;
}

bool dm_available(char *why, size_t len)
{
	uint64_t buf[DM_BUF_SIZE / sizeof(uint64_t)];
	struct dm_ioctl *io = dm_init(buf, NULL);
	int fd = dm_open();

	if (fd < 0) {
		if (why)
			snprintf(why, len, "%s: %s (CONFIG_BLK_DEV_DM?)",
				 DM_CONTROL, strerror(-fd));
		return false;
	}
	if (ioctl(fd, DM_VERSION, io)) {
		if (why)
			snprintf(why, len, "DM_VERSION: %s", strerror(errno));
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

static int dm_load(const char *name, const char *target,
		   unsigned long long sectors, const char *params)
{
	uint64_t buf[DM_BUF_SIZE / sizeof(uint64_t)];
	struct dm_ioctl *io = dm_init(buf, name);
	struct dm_target_spec *spec;
	size_t plen = strlen(params) + 1, spec_len;
	int fd, err = 0;

	spec_len = (sizeof(*spec) + plen + 7) & ~(size_t)7;
	if (sizeof(*io) + spec_len > DM_BUF_SIZE ||
	    strlen(target) >= sizeof(spec->target_type))
		return -E2BIG;
	spec = (struct dm_target_spec *)((char *)buf + io->data_start);
	spec->sector_start = 0;
	spec->length = sectors;
	spec->next = 0;
	snprintf(spec->target_type, sizeof(spec->target_type), "%s", target);
	memcpy(spec + 1, params, plen);
	io->target_count = 1;
	fd = dm_open();
	if (fd < 0)
		return fd;
	if (ioctl(fd, DM_TABLE_LOAD, io))
		err = -errno;
	close(fd);
	return err;
}

/* Resume name: swaps in the inactive table if there is one. */
static int dm_resume(const char *name)
{
	return dm_ioctl_name(DM_DEV_SUSPEND, name, 0, NULL);
}

int dm_create(const char *name, const char *target, unsigned long long sectors,
	      const char *params, char *devpath, size_t len)
{
	struct dm_ioctl out;
	double deadline;
	int err;

	err = dm_ioctl_name(DM_DEV_CREATE, name, 0, &out);
	if (err)
		return err;
	err = dm_load(name, target, sectors, params);
	if (!err)
		err = dm_resume(name);
	if (!err)
		err = dm_ioctl_name(DM_DEV_STATUS, name, 0, &out);
	if (err) {
		dm_remove(name, 2000);
		return err;
	}
	snprintf(devpath, len, "/dev/dm-%u", minor(out.dev));
	/* devtmpfs makes the node when the disk is added; allow a moment. */
	deadline = st_now() + 5;
	while (access(devpath, F_OK) && st_now() < deadline)
		st_sleep_ms(20);
	if (access(devpath, F_OK)) {
		err = -errno;
		dm_remove(name, 2000);
		return err;
	}
	return 0;
}

int dm_reload(const char *name, const char *target, unsigned long long sectors,
	      const char *params)
{
	int err = dm_load(name, target, sectors, params);

	return err ? err : dm_resume(name);
}

int dm_remove(const char *name, unsigned int timeout_ms)
{
	double deadline = st_now() + timeout_ms / 1000.0;
	int err;

	for (;;) {
		err = dm_ioctl_name(DM_DEV_REMOVE, name, 0, NULL);
		if (!err || err == -ENXIO)
			return 0;
		if (err != -EBUSY || st_now() >= deadline)
			return err;
		st_sleep_ms(100);
	}
}

int dm_remove_stale(void)
{
	uint64_t buf[DM_BUF_SIZE / sizeof(uint64_t)];
	struct dm_ioctl *io = dm_init(buf, NULL);
	char names[32][DM_NAME_LEN];
	int fd, n = 0, i, removed = 0;
	uint32_t off;

	fd = dm_open();
	if (fd < 0)
		return fd;
	if (ioctl(fd, DM_LIST_DEVICES, io)) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	/* An empty list is a record with dev 0 and no name. */
	off = io->data_start;
	while (off + sizeof(struct dm_name_list) <= io->data_size &&
	       n < (int)ST_ARRAY_SIZE(names)) {
		struct dm_name_list *nl = (void *)((char *)buf + off);

		if (!nl->dev)
			break;
		if (st_name_is_stale(nl->name))
			snprintf(names[n++], DM_NAME_LEN, "%s", nl->name);
		if (!nl->next)
			break;
		off += nl->next;
	}
	/* Remove after the walk: the buffer is reused by each ioctl. */
	for (i = 0; i < n; i++)
		if (!dm_remove(names[i], 2000))
			removed++;
	return removed;
}

long long blkdev_sectors(const char *path)
{
	uint64_t bytes;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, BLKGETSIZE64, &bytes))
		err = -errno;
	close(fd);
	return err ? err : (long long)(bytes >> 9);
}
