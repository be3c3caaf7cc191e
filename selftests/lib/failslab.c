// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "failslab.h"
#include "util.h"

/*
 * The knobs failslab_arm() sets, in the order it sets them: probability,
 * which turns injection on, last (and it is the first to go back).
 */
static const char *const knob_name[FAILSLAB_NR_KNOBS] = {
	"cache-filter", "ignore-gfp-wait", "task-filter", "interval",
	"space", "verbose", "times", "probability",
};
#define KNOB_TIMES		6
#define KNOB_PROBABILITY	7

static const char *const knob_armed[FAILSLAB_NR_KNOBS] = {
	"Y", "N", "N", "1", "0", "0", NULL /* f->times */, "100",
};

static int knob_path(char *p, size_t len, const char *knob)
{
	return snprintf(p, len, FAILSLAB_DIR "/%s", knob) >= (int)len ?
	       -ENAMETOOLONG : 0;
}

static int knob_write(const char *knob, const char *val)
{
	char p[PATH_MAX];
	int err = knob_path(p, sizeof(p), knob);

	return err ? err : st_write_file(p, val);
}

static bool is_debugfs(void)
{
	struct statfs sfs;

	return !statfs(FAILSLAB_DEBUGFS, &sfs) && sfs.f_type == DEBUGFS_MAGIC;
}

bool failslab_available(char *why, size_t len)
{
	static const char *const need[] = {
		FAILSLAB_DIR "/probability", FAILSLAB_DIR "/times",
		FAILSLAB_DIR "/cache-filter", FAILSLAB_DIR "/ignore-gfp-wait",
	};
	size_t i;

	if (!is_debugfs() &&
	    mount("debugfs", FAILSLAB_DEBUGFS, "debugfs", 0, NULL) &&
	    errno != EBUSY) {
		snprintf(why, len, "mount debugfs at %s: %s", FAILSLAB_DEBUGFS,
			 strerror(errno));
		return false;
	}
	if (!is_debugfs()) {
		snprintf(why, len, "%s is not debugfs", FAILSLAB_DEBUGFS);
		return false;
	}
	for (i = 0; i < ST_ARRAY_SIZE(need); i++) {
		if (access(need[i], R_OK | W_OK)) {
			snprintf(why, len,
				 "%s: %s: kernel without CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS (selftests/vm/config has them)",
				 need[i], strerror(errno));
			return false;
		}
	}
	if (access(FAILSLAB_SLAB_SYSFS, F_OK)) {
		snprintf(why, len, "%s: %s", FAILSLAB_SLAB_SYSFS,
			 strerror(errno));
		return false;
	}
	return true;
}

long long failslab_times(void)
{
	char buf[64], *end;
	long long v;

	if (st_read_file(FAILSLAB_DIR "/times", buf, sizeof(buf)) <= 0)
		return LLONG_MIN;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf)
		return LLONG_MIN;
	return v;
}

/*
 * Injection off first, then the cache flags, then the other knobs as they
 * were (last set, first restored), the saved probability last.  Runs in
 * the test process and in the guard.  0 or the first -errno.
 */
static int restore(struct failslab *f)
{
	int i, err, first = 0;

	if (!f->have_saved)
		return 0;
	err = knob_write(knob_name[KNOB_PROBABILITY], "0");
	if (err && !first)
		first = err;
	for (i = 0; i < f->nr_caches; i++) {
		err = st_write_file(f->cache[i], f->cache_saved[i]);
		if (err && !first)
			first = err;
	}
	for (i = KNOB_PROBABILITY; i >= 0; i--) {
		err = knob_write(knob_name[i], f->saved[i]);
		if (err && !first)
			first = err;
	}
	return first;
}

/* The guard: wait until every holder of the pipe's write end is gone. */
static void __attribute__((noreturn)) guard_main(struct failslab *f, int rfd,
						  int ready_fd)
{
	char c = 'r';
	int fd;
	ssize_t n;

	/* Out of the test's process group: the timeout kills that group. */
	setpgid(0, 0);
	for (fd = 3; fd < 1024; fd++)
		if (fd != rfd && fd != ready_fd)
			close(fd);
	if (write(ready_fd, &c, 1) != 1)
		_exit(2);
	close(ready_fd);
	do {
		n = read(rfd, &c, 1);
	} while (n > 0 || (n < 0 && errno == EINTR));
	_exit(restore(f) ? 1 : 0);
}

static void guard_stop(struct failslab *f)
{
	int status;

	if (f->guard_fd >= 0)
		close(f->guard_fd);
	f->guard_fd = -1;
	if (f->guard > 0)
		while (waitpid(f->guard, &status, 0) < 0 && errno == EINTR)
			;
	f->guard = -1;
}

static int guard_start(struct failslab *f, char *why, size_t len)
{
	int p[2], r[2], err;
	char c;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		goto fail;
	if (pipe2(r, O_CLOEXEC)) {
		err = errno;
		close(p[0]);
		close(p[1]);
		errno = err;
		goto fail;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(p[0]);
		close(p[1]);
		close(r[0]);
		close(r[1]);
		errno = err;
		goto fail;
	}
	if (pid == 0) {
		close(p[1]);
		close(r[0]);
		guard_main(f, p[0], r[1]);
	}
	setpgid(pid, pid);	/* whichever of the two runs first */
	close(p[0]);
	close(r[1]);
	f->guard = pid;
	f->guard_fd = p[1];
	/* Armed only once the guard is out of the process group. */
	while (read(r[0], &c, 1) < 0 && errno == EINTR)
		;
	close(r[0]);
	return 0;
fail:
	err = -errno;
	snprintf(why, len, "failslab guard process: %s", strerror(errno));
	return err;
}

int failslab_arm(struct failslab *f, const char *glob_pattern, long long times,
		 char *why, size_t len)
{
	char p[PATH_MAX], buf[64], num[32];
	glob_t g;
	ssize_t n;
	size_t i;
	int err, k;

	if (len)
		why[0] = '\0';
	if (f->have_saved) {
		snprintf(why, len, "failslab already armed");
		return -EBUSY;
	}
	if (!failslab_available(why, len))
		return -ENOENT;
	for (k = 0; k < FAILSLAB_NR_KNOBS; k++) {
		err = knob_path(p, sizeof(p), knob_name[k]);
		n = err ? err : st_read_file(p, buf, sizeof(buf));
		if (n <= 0) {
			snprintf(why, len, "read %s: %s", p,
				 n ? strerror((int)-n) : "empty");
			return n ? (int)n : -EIO;
		}
		st_rstrip(buf);
		snprintf(f->saved[k], sizeof(f->saved[k]), "%s", buf);
	}

	memset(&g, 0, sizeof(g));
	err = glob(glob_pattern, 0, NULL, &g);
	if (err || !g.gl_pathc) {
		snprintf(why, len, "no slab cache matches %s", glob_pattern);
		globfree(&g);
		return -ENOENT;
	}
	f->nr_caches = 0;
	for (i = 0; i < g.gl_pathc; i++) {
		int c = f->nr_caches;

		if (c == FAILSLAB_MAX_CACHES ||
		    snprintf(f->cache[c], sizeof(f->cache[c]), "%s/failslab",
			     g.gl_pathv[i]) >= (int)sizeof(f->cache[c])) {
			snprintf(why, len, "too many or too long: %s",
				 g.gl_pathv[i]);
			globfree(&g);
			return -ENAMETOOLONG;
		}
		n = st_read_file(f->cache[c], buf, sizeof(buf));
		if (n <= 0) {
			snprintf(why, len, "read %s: %s", f->cache[c],
				 n ? strerror((int)-n) : "empty");
			globfree(&g);
			return n ? (int)n : -EIO;
		}
		snprintf(f->cache_saved[c], sizeof(f->cache_saved[c]), "%c",
			 buf[0] == '1' ? '1' : '0');
		f->nr_caches++;
	}
	globfree(&g);

	/* The guard's copy of f must know what to restore. */
	f->have_saved = true;
	f->times = times;
	err = guard_start(f, why, len);
	if (err) {
		f->have_saved = false;
		return err;
	}
	snprintf(num, sizeof(num), "%lld", times);
	for (k = 0; k < FAILSLAB_NR_KNOBS; k++) {
		const char *val = k == KNOB_TIMES ? num : knob_armed[k];

		if (k == KNOB_PROBABILITY) {
			/* The caches first, injection on last. */
			for (i = 0; i < (size_t)f->nr_caches; i++) {
				err = st_write_file(f->cache[i], "1");
				if (err) {
					snprintf(why, len,
						 "echo 1 > %s: %s%s", f->cache[i],
						 strerror(-err),
						 err == -EINVAL ? " (the cache is merged with others: boot with slab_nomerge)" : "");
					goto undo;
				}
			}
		}
		err = knob_write(knob_name[k], val);
		if (err) {
			snprintf(why, len, "echo %s > %s/%s: %s", val,
				 FAILSLAB_DIR, knob_name[k], strerror(-err));
			goto undo;
		}
	}
	return 0;
undo:
	failslab_disarm(f);
	return err;
}

int failslab_disarm(struct failslab *f)
{
	int err = restore(f);

	guard_stop(f);
	f->have_saved = false;
	return err;
}
