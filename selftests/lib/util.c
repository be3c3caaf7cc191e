// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

size_t st_page_size(void)
{
	static size_t ps;

	if (!ps)
		ps = (size_t)sysconf(_SC_PAGESIZE);
	return ps;
}

double st_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void st_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

ssize_t st_read_file(const char *path, char *buf, size_t len)
{
	size_t off = 0;
	int fd;

	if (!len)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (off < len - 1) {
		ssize_t n = read(fd, buf + off, len - 1 - off);

		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			close(fd);
			buf[off] = '\0';
			return -err;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	buf[off] = '\0';
	close(fd);
	return (ssize_t)off;
}

int st_write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

void st_appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t cur;
	va_list ap;

	if (!buf || !len)
		return;
	cur = strlen(buf);
	if (cur >= len - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + cur, len - cur, fmt, ap);
	va_end(ap);
}

char *st_rstrip(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t' ||
		     s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

char *st_oneline(char *s, size_t len)
{
	char tmp[8192];
	size_t i, o = 0;

	st_rstrip(s);
	for (i = 0; s[i] && o + 4 < sizeof(tmp); i++) {
		if (s[i] == '\n') {
			memcpy(tmp + o, " | ", 3);
			o += 3;
		} else {
			tmp[o++] = s[i] == '\t' ? ' ' : s[i];
		}
	}
	tmp[o] = '\0';
	snprintf(s, len, "%s", tmp);
	return s;
}

int st_run(char *const argv[], char *out, size_t outlen, int timeout_s)
{
	return st_run_env(argv, NULL, out, outlen, timeout_s);
}

int st_run_env(char *const argv[], const char *const *env, char *out,
	       size_t outlen, int timeout_s)
{
	int pfd[2], status = 0;
	size_t off = 0;
	double deadline;
	bool timed_out = false;
	pid_t pid;

	if (outlen)
		out[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		/* Make sure LANG does not change the messages we log. */
		setenv("LC_ALL", "C", 1);
		for (; env && *env; env++)
			putenv((char *)*env);
		execvp(argv[0], argv);
		dprintf(STDERR_FILENO, "exec %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	deadline = st_now() + timeout_s;
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		double left = deadline - st_now();
		char tmp[512];
		ssize_t n;
		int r;

		if (left <= 0) {
			timed_out = true;
			break;
		}
		r = poll(&p, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		n = read(pfd[0], tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (outlen && off < outlen - 1) {
			size_t c = (size_t)n;

			if (c > outlen - 1 - off)
				c = outlen - 1 - off;
			memcpy(out + off, tmp, c);
			off += c;
			out[off] = '\0';
		}
	}
	close(pfd[0]);
	if (timed_out) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		if (outlen)
			snprintf(out + off, outlen - off,
				 "\n[%s killed after %d s timeout]", argv[0],
				 timeout_s);
		return -1;
	}
	/* Output closed: the child is exiting (or closed its stdout). */
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

int st_unique_path(char *out, size_t len, const char *dir, const char *tag,
		   const char *suffix)
{
	static unsigned int counter;
	int n;

	n = snprintf(out, len, "%s/" ST_PREFIX "%s-%d-%u%s", dir, tag,
		     (int)getpid(), counter++, suffix ? suffix : "");
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

pid_t st_name_owner(const char *name)
{
	char tmp[NAME_MAX + 1], *last, *prev;

	if (strncmp(name, ST_PREFIX, strlen(ST_PREFIX)))
		return 0;
	snprintf(tmp, sizeof(tmp), "%s", name);
	last = strrchr(tmp, '-');
	if (!last)
		return 0;
	*last = '\0';
	prev = strrchr(tmp, '-');
	if (!prev)
		return 0;
	return (pid_t)atoi(prev + 1);
}

long long st_file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	return (long long)st.st_size;
}

bool st_pid_alive(pid_t pid)
{
	char p[64];

	if (pid <= 0)
		return false;
	snprintf(p, sizeof(p), "/proc/%d", (int)pid);
	return access(p, F_OK) == 0;
}

/* Process state letter from /proc/<pid>/stat, or 0 if gone. */
static char proc_state(pid_t pid)
{
	char p[64], buf[512], *rp;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	if (st_read_file(p, buf, sizeof(buf)) <= 0)
		return 0;
	rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' ? rp[2] : 0;
}

bool st_name_is_stale(const char *name)
{
	pid_t owner = st_name_owner(name);
	char state;

	if (owner <= 0 || owner == getpid())
		return false;
	/* Gone, or a zombie nobody reaps: it holds nothing any more. */
	state = proc_state(owner);
	return !state || state == 'Z' || state == 'X';
}

bool st_kill_wait(pid_t pid, int timeout_s)
{
	double deadline = st_now() + timeout_s;

	if (pid <= 0)
		return true;
	kill(pid, SIGKILL);
	for (;;) {
		char s = proc_state(pid);

		if (!s || s == 'Z' || s == 'X')
			return true;
		if (st_now() > deadline)
			return false;
		/* Reap it if it happens to be our child. */
		waitpid(pid, NULL, WNOHANG);
		st_sleep_ms(20);
	}
}

long long st_read_ll(const char *path)
{
	char buf[64];

	if (st_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}
