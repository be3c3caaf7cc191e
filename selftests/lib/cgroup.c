// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static bool word_in(const char *list, const char *word)
{
	size_t wl = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		bool start = p == list || p[-1] == ' ' || p[-1] == '\n';
		bool end = p[wl] == '\0' || p[wl] == ' ' || p[wl] == '\n';

		if (start && end)
			return true;
		p += wl;
	}
	return false;
}

bool cg_memory_available(char *why, size_t len)
{
	struct statfs sfs;
	char buf[512];

	if (statfs(CG_ROOT, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		if (why)
			snprintf(why, len, "cgroup v2 is not mounted at %s",
				 CG_ROOT);
		return false;
	}
	if (st_read_file(CG_ROOT "/cgroup.subtree_control", buf,
			 sizeof(buf)) < 0 || !word_in(buf, "memory")) {
		if (why)
			snprintf(why, len,
				 "memory controller not in %s/cgroup.subtree_control",
				 CG_ROOT);
		return false;
	}
	return true;
}

int cg_create(const char *tag, char *path, size_t len)
{
	if (st_unique_path(path, len, CG_ROOT, tag, NULL))
		return -ENAMETOOLONG;
	if (mkdir(path, 0755))
		return -errno;
	return 0;
}

static int cg_file(char *out, size_t len, const char *cg, const char *file)
{
	int n = snprintf(out, len, "%s/%s", cg, file);

	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

int cg_write(const char *cg, const char *file, const char *val)
{
	char p[PATH_MAX];

	if (cg_file(p, sizeof(p), cg, file))
		return -ENAMETOOLONG;
	return st_write_file(p, val);
}

int cg_write_ll(const char *cg, const char *file, long long val)
{
	char v[32];

	snprintf(v, sizeof(v), "%lld", val);
	return cg_write(cg, file, v);
}

ssize_t cg_read(const char *cg, const char *file, char *buf, size_t len)
{
	char p[PATH_MAX];
	ssize_t n;

	if (cg_file(p, sizeof(p), cg, file))
		return -ENAMETOOLONG;
	n = st_read_file(p, buf, len);
	if (n >= 0)
		st_rstrip(buf);
	return n;
}

long long cg_read_ll(const char *cg, const char *file)
{
	char buf[64];

	if (cg_read(cg, file, buf, sizeof(buf)) < 0)
		return -1;
	if (!strcmp(buf, "max"))
		return LLONG_MAX;
	return strtoll(buf, NULL, 10);
}

long long cg_stat(const char *cg, const char *key)
{
	return cg_key(cg, "memory.stat", key);
}

long long cg_key(const char *cg, const char *file, const char *key)
{
	static char buf[16384];
	size_t kl = strlen(key);
	char *line, *save = NULL;

	if (cg_read(cg, file, buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, key, kl) && line[kl] == ' ')
			return strtoll(line + kl + 1, NULL, 10);
	}
	return -1;
}

int cg_enter(const char *cg, pid_t pid)
{
	char v[32];

	snprintf(v, sizeof(v), "%d", pid ? (int)pid : (int)getpid());
	return cg_write(cg, "cgroup.procs", v);
}

static bool cg_populated(const char *cg)
{
	char buf[256];
	char *p;

	if (cg_read(cg, "cgroup.events", buf, sizeof(buf)) < 0)
		return false;
	p = strstr(buf, "populated ");
	return p && p[10] == '1';
}

int cg_destroy(const char *cg)
{
	double deadline;
	int err = 0;

	if (!cg || !cg[0])
		return 0;
	if (access(cg, F_OK))
		return 0;
	deadline = st_now() + 20;
	while (st_now() < deadline) {
		if (!rmdir(cg))
			return 0;
		err = -errno;
		if (err == -ENOENT)
			return 0;
		if (err != -EBUSY)
			break;
		if (cg_populated(cg)) {
			if (cg_write(cg, "cgroup.kill", "1")) {
				/* No cgroup.kill: kill listed pids one by one. */
				char buf[4096], *l, *s = NULL;

				if (cg_read(cg, "cgroup.procs", buf,
					    sizeof(buf)) >= 0)
					for (l = strtok_r(buf, "\n", &s); l;
					     l = strtok_r(NULL, "\n", &s))
						kill(atoi(l), SIGKILL);
			}
		}
		st_sleep_ms(50);
	}
	return err;
}

static volatile sig_atomic_t reclaim_alarm;

static void reclaim_alarm_handler(int sig)
{
	(void)sig;
	reclaim_alarm = 1;
}

int cg_reclaim(const char *cg, const char *amount, unsigned int budget_ms,
	       double *elapsed)
{
	struct sigaction sa = { .sa_handler = reclaim_alarm_handler }, old;
	struct itimerval it = { { 0, 0 }, { budget_ms / 1000,
					    (budget_ms % 1000) * 1000 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	double t0 = st_now();
	int rc;

	/* No SA_RESTART: the kernel's signal check ends the reclaim loop. */
	sigemptyset(&sa.sa_mask);
	reclaim_alarm = 0;
	sigaction(SIGALRM, &sa, &old);
	if (budget_ms)
		setitimer(ITIMER_REAL, &it, NULL);
	rc = cg_write(cg, "memory.reclaim", amount);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	if (elapsed)
		*elapsed = st_now() - t0;
	return rc;
}

int cg_cleanup_stale(void)
{
	DIR *d = opendir(CG_ROOT);
	struct dirent *de;
	int removed = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char p[PATH_MAX];

		/* Name: swaptier-selftest-<tag>-<pid>-<n> */
		if (!st_name_is_stale(de->d_name))
			continue;
		snprintf(p, sizeof(p), "%s/%s", CG_ROOT, de->d_name);
		if (!cg_destroy(p))
			removed++;
	}
	closedir(d);
	return removed;
}
