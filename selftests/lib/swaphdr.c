// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <byteswap.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "swaphdr.h"
#include "util.h"

void swaphdr_spec_init(struct swaphdr_spec *s, size_t file_pages)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->magic, SWAPHDR_MAGIC, SWAPHDR_MAGIC_LEN);
	s->version = 1;
	s->file_pages = file_pages ? file_pages : 1;
	s->last_page = (uint32_t)(s->file_pages - 1);
	s->fill = SWAPHDR_FILL_FALLOCATE;
}

static void put32(unsigned char *p, uint32_t v, bool swap)
{
	if (swap)
		v = bswap_32(v);
	memcpy(p, &v, sizeof(v));
}

static int write_all(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

int swaphdr_write(const char *path, const struct swaphdr_spec *s)
{
	size_t ps = st_page_size();
	unsigned char *page;
	off_t data_len;
	unsigned int i;
	int fd, err = 0;

	if (!s->file_pages || s->nr_listed_badpages > SWAPHDR_MAX_LISTED_BADPAGES)
		return -EINVAL;
	page = calloc(1, ps);
	if (!page)
		return -ENOMEM;
	put32(page + SWAPHDR_OFF_VERSION, s->version, s->byteswap);
	put32(page + SWAPHDR_OFF_LAST_PAGE, s->last_page, s->byteswap);
	put32(page + SWAPHDR_OFF_NR_BADPAGES, s->nr_badpages, s->byteswap);
	memcpy(page + SWAPHDR_OFF_UUID, s->uuid, sizeof(s->uuid));
	memcpy(page + SWAPHDR_OFF_VOLUME, s->label,
	       strnlen(s->label, sizeof(s->label)));
	for (i = 0; i < s->nr_listed_badpages; i++)
		put32(page + SWAPHDR_OFF_BADPAGES + 4 * i, s->badpages[i],
		      s->byteswap);
	memcpy(page + ps - SWAPHDR_MAGIC_LEN, s->magic, SWAPHDR_MAGIC_LEN);
	if (s->ghost_marker)
		memcpy(page + SWAPHDR_OFF_GHOST_MAGIC, SWAPHDR_GHOST_MAGIC,
		       SWAPHDR_GHOST_MAGIC_LEN);

	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		free(page);
		return err;
	}
	err = write_all(fd, page, ps, 0);
	data_len = (off_t)(s->file_pages - 1) * (off_t)ps;
	if (!err && data_len) {
		switch (s->fill) {
		case SWAPHDR_FILL_FALLOCATE:
			if (!fallocate(fd, 0, (off_t)ps, data_len))
				break;
			if (errno != EOPNOTSUPP) {
				err = -errno;
				break;
			}
			/* filesystem without fallocate: write zeros */
			__attribute__((fallthrough));
		case SWAPHDR_FILL_WRITE:
			memset(page, 0, ps);
			for (i = 1; !err && i < s->file_pages; i++)
				err = write_all(fd, page, ps, (off_t)i * ps);
			break;
		case SWAPHDR_FILL_SPARSE:
			if (ftruncate(fd, (off_t)s->file_pages * (off_t)ps))
				err = -errno;
			break;
		}
	}
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	free(page);
	if (err)
		unlink(path);
	return err;
}

int swaphdr_read(const char *path, struct swaphdr_info *info)
{
	size_t ps = st_page_size();
	unsigned char *page;
	struct stat st;
	ssize_t n;
	int fd, err = 0;

	memset(info, 0, sizeof(*info));
	page = calloc(1, ps);
	if (!page)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		goto out;
	}
	info->file_size = (long long)st.st_size;
	n = pread(fd, page, ps, 0);
	close(fd);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	if ((size_t)n < ps) {
		err = -ENODATA;
		goto out;
	}
	info->magic_ok = !memcmp(page + ps - SWAPHDR_MAGIC_LEN, SWAPHDR_MAGIC,
				 SWAPHDR_MAGIC_LEN);
	info->ghost_marker = !memcmp(page + SWAPHDR_OFF_GHOST_MAGIC,
				     SWAPHDR_GHOST_MAGIC,
				     SWAPHDR_GHOST_MAGIC_LEN);
	memcpy(&info->version, page + SWAPHDR_OFF_VERSION, 4);
	memcpy(&info->last_page, page + SWAPHDR_OFF_LAST_PAGE, 4);
	memcpy(&info->nr_badpages, page + SWAPHDR_OFF_NR_BADPAGES, 4);
	memcpy(info->label, page + SWAPHDR_OFF_VOLUME, 16);
	info->label[16] = '\0';
out:
	free(page);
	return err;
}
