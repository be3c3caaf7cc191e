// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kmsg.h"
#include "util.h"

int kmsg_open_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static void append(char *log, size_t loglen, const char *msg, size_t len)
{
	size_t cur;

	if (!log || !loglen)
		return;
	cur = strlen(log);
	if (cur + 1 >= loglen)
		return;
	if (len > loglen - cur - 2)
		len = loglen - cur - 2;
	memcpy(log + cur, msg, len);
	log[cur + len] = '\n';
	log[cur + len + 1] = '\0';
}

int kmsg_read_new(int fd, char *log, size_t loglen)
{
	char rec[8192];
	int n = 0;

	for (;;) {
		ssize_t r = read(fd, rec, sizeof(rec) - 1);
		char *msg, *end;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE)	/* records overwritten: go on */
				continue;
			if (errno == EAGAIN)
				break;
			return n ? n : -errno;
		}
		if (r == 0)
			break;
		rec[r] = '\0';
		/* "prio,seq,usec,flags[,...];message\n[ KEY=value\n...]" */
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		end = strchr(msg, '\n');
		if (end)
			*end = '\0';
		append(log, loglen, msg, strlen(msg));
		n++;
	}
	return n;
}

int kmsg_text_has(const char *text, const char *const *needles, int n,
		  char *match, size_t matchlen)
{
	const char *line = text;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char buf[1024];
		bool all = true;
		int i;

		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, line, len);
		buf[len] = '\0';
		for (i = 0; i < n && all; i++)
			all = strstr(buf, needles[i]) != NULL;
		if (all) {
			if (match && matchlen)
				snprintf(match, matchlen, "%s", buf);
			return 1;
		}
		line = eol ? eol + 1 : NULL;
	}
	return 0;
}

int kmsg_wait_for(int fd, const char *const *needles, int n, int timeout_ms,
		  char *match, size_t matchlen, char *log, size_t loglen)
{
	static char local[65536];
	double deadline = st_now() + timeout_ms / 1000.0;

	if (!log) {
		log = local;
		loglen = sizeof(local);
		local[0] = '\0';
	}
	for (;;) {
		int r = kmsg_read_new(fd, log, loglen);

		if (r < 0)
			return r;
		if (kmsg_text_has(log, needles, n, match, matchlen))
			return 1;
		if (st_now() >= deadline)
			return 0;
		st_sleep_ms(50);
	}
}
