// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demote.h"
#include "policy.h"
#include "util.h"

static long long read_ll(const char *path)
{
	char buf[64];
	char *end;
	long long v;

	if (st_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf)
		return -1;
	return v;
}

long long tier_ll(const char *tier, const char *file)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), TIER_SYSFS "/%s/%s", tier, file);
	return read_ll(p);
}

int tier_write_ll(const char *tier, const char *file, long long val)
{
	char p[PATH_MAX], v[32];

	snprintf(p, sizeof(p), TIER_SYSFS "/%s/%s", tier, file);
	snprintf(v, sizeof(v), "%lld", val);
	return st_write_file(p, v);
}

int tier_wm_set(const char *tier, int high, int low)
{
	int err;

	/*
	 * The kernel checks the pair after each write (high != 0 && low >=
	 * high is refused), and the demotion worker may run between two
	 * writes (a write of high wakes it at once).  Switch demotion off
	 * first, set low, then high: the worker never sees the new high
	 * with the old low.
	 */
	err = tier_write_ll(tier, "high_watermark_pct", 0);
	if (!err)
		err = tier_write_ll(tier, "low_watermark_pct", low);
	if (!err && high)
		err = tier_write_ll(tier, "high_watermark_pct", high);
	return err;
}

bool demote_available(char *why, size_t len)
{
	static const char *const files[] = {
		TIER_SYSFS "/ssd/demoted_pages",
		TIER_SYSFS "/ssd/drained_pages",
		TIER_SYSFS "/ssd/high_watermark_pct",
		TIER_SYSFS "/ssd/low_watermark_pct",
		TIER_SYSFS "/hdd/demoted_pages",
		TIER_SYSFS "/hdd/drained_pages",
		DEMOTE_INTERVAL,
		DRAIN_FILE,
	};
	size_t i;

	for (i = 0; i < ST_ARRAY_SIZE(files); i++) {
		if (access(files[i], F_OK)) {
			if (why)
				snprintf(why, len,
					 "%s missing: kernel without demotion and drain (patch 0007)",
					 files[i]);
			return false;
		}
	}
	return true;
}

int demote_defaults_restore(char *log, size_t len)
{
	DIR *d = opendir(TIER_SYSFS);
	struct dirent *de;
	int changed = 0, err = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		long long h, l;

		if (de->d_name[0] == '.')
			continue;
		h = tier_ll(de->d_name, "high_watermark_pct");
		l = tier_ll(de->d_name, "low_watermark_pct");
		if (h < 0 || l < 0)
			continue;
		if (h == WM_HIGH_DEFAULT && l == WM_LOW_DEFAULT)
			continue;
		err = tier_wm_set(de->d_name, WM_HIGH_DEFAULT, WM_LOW_DEFAULT);
		st_appendf(log, len, "%s watermarks %lld/%lld -> %d/%d%s; ",
			   de->d_name, h, l, WM_HIGH_DEFAULT, WM_LOW_DEFAULT,
			   err ? " FAILED" : "");
		changed++;
	}
	closedir(d);
	if (read_ll(DEMOTE_INTERVAL) != DEMOTE_INTERVAL_DEFAULT &&
	    !access(DEMOTE_INTERVAL, F_OK)) {
		char v[16];

		snprintf(v, sizeof(v), "%d", DEMOTE_INTERVAL_DEFAULT);
		if (st_write_file(DEMOTE_INTERVAL, v))
			err = -EIO;
		st_appendf(log, len, "demote_interval_ms -> %d; ",
			   DEMOTE_INTERVAL_DEFAULT);
		changed++;
	}
	return err ? err : changed;
}

int drain_write(const char *path, bool newline, double *secs)
{
	char buf[PATH_MAX + 2];
	size_t n;
	ssize_t w;
	double t0;
	int fd, err = 0;

	n = (size_t)snprintf(buf, sizeof(buf), "%s%s", path,
			     newline ? "\n" : "");
	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	fd = open(DRAIN_FILE, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	t0 = st_now();
	w = write(fd, buf, n);
	if (w < 0)
		err = -errno;
	else if ((size_t)w != n)
		err = -EIO;
	if (secs)
		*secs = st_now() - t0;
	close(fd);
	return err;
}

/* Drop CAP_SYS_ADMIN from the effective, permitted and inheritable sets. */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	d[CAP_TO_INDEX(CAP_SYS_ADMIN)].permitted &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	d[CAP_TO_INDEX(CAP_SYS_ADMIN)].inheritable &=
		~CAP_TO_MASK(CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &h, d))
		return -errno;
	return 0;
}

int drain_write_nocap(const char *path)
{
	int *res, status, rc;
	pid_t pid;

	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return -ECHILD;
	*res = -ECHILD;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		munmap(res, sizeof(*res));
		return -ECHILD;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (drop_sys_admin())
			_exit(1);
		*res = drain_write(path, false, NULL);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	rc = *res;
	munmap(res, sizeof(*res));
	return rc;
}

long long pol_ll(unsigned long long id, const char *file)
{
	char p[PATH_MAX], t[32];

	pol_target_name(id, t, sizeof(t));
	snprintf(p, sizeof(p), POL_SYSFS "/%s/%s", t, file);
	return read_ll(p);
}

/* ------------------------------------------------------------ pagemap */

int area_find(pid_t pid, size_t len, unsigned long *addr)
{
	char p[64], line[512];
	unsigned long start = 0, end = 0, found = 0;
	bool cand = false;
	int n = 0;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/smaps", (int)pid);
	f = fopen(p, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			start = s;
			end = e;
			cand = e - s == len;
			continue;
		}
		if (cand && !strncmp(line, "VmFlags:", 8)) {
			if (strstr(line, " nh") && !strstr(line, " lo")) {
				found = start;
				n++;
			}
			cand = false;
		}
	}
	fclose(f);
	(void)end;
	if (!n)
		return -ENOENT;
	if (n > 1)
		return -EEXIST;
	*addr = found;
	return 0;
}

int pagemap_read(pid_t pid, unsigned long addr, size_t npages,
		 uint64_t *out)
{
	size_t ps = st_page_size(), want = npages * sizeof(uint64_t), got = 0;
	char p[64];
	int fd, err = 0;

	snprintf(p, sizeof(p), "/proc/%d/pagemap", (int)pid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < want) {
		ssize_t n = pread(fd, (char *)out + got, want - got,
				  (off_t)((addr / ps) * sizeof(uint64_t) + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	return err;
}

void pagemap_summarize(const uint64_t *pm, size_t n, struct pm_summary *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++) {
		if (pm[i] & PM_PRESENT)
			s->present++;
		if (!(pm[i] & PM_SWAP))
			continue;
		if (!s->swapped++) {
			s->type = PM_SWAP_TYPE(pm[i]);
			s->types = 1;
		} else if (PM_SWAP_TYPE(pm[i]) != s->type && s->types < 2) {
			s->types = 2;
		}
	}
}

size_t pagemap_changed(const uint64_t *a, const uint64_t *b, size_t n,
		       size_t *first)
{
	size_t i, changed = 0;

	for (i = 0; i < n; i++) {
		if (!(a[i] & PM_SWAP) || a[i] == b[i])
			continue;
		if (!changed++ && first)
			*first = i;
	}
	return changed;
}

/* ------------------------------------------------------------ tracing */

#define TRACEFS		"/sys/kernel/tracing"
#define TRACE_INST_DIR	TRACEFS "/instances"

static int tracefs_mount(char *why, size_t len)
{
	if (!access(TRACEFS "/instances", F_OK))
		return 0;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) &&
	    errno != EBUSY) {
		int e = errno;

		snprintf(why, len, "mount tracefs at %s: %s", TRACEFS,
			 strerror(e));
		return -e;
	}
	if (access(TRACEFS "/instances", F_OK)) {
		snprintf(why, len, "%s/instances missing", TRACEFS);
		return -ENOENT;
	}
	return 0;
}

static int event_enable(const char *inst, const char *event, const char *val)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/events/%s/enable", inst, event);
	return st_write_file(p, val);
}

int trace_inst_create(struct trace_inst *t, const char *tag,
		      const char *const *events, char *why, size_t whylen)
{
	char p[PATH_MAX];
	int err;

	t->dir[0] = '\0';
	if (whylen)
		why[0] = '\0';
	err = tracefs_mount(why, whylen);
	if (err)
		return err;
	if (st_unique_path(t->dir, sizeof(t->dir), TRACE_INST_DIR, tag, NULL))
		return -ENAMETOOLONG;
	if (mkdir(t->dir, 0700)) {
		err = -errno;
		snprintf(why, whylen, "mkdir %s: %s", t->dir, strerror(errno));
		t->dir[0] = '\0';
		return err;
	}
	for (; events && *events; events++) {
		snprintf(p, sizeof(p), "%s/events/%s", t->dir, *events);
		if (access(p, F_OK)) {
			snprintf(why, whylen, "no event %s (%s)", *events, p);
			return -ENOENT;
		}
		err = event_enable(t->dir, *events, "1");
		if (err) {
			snprintf(why, whylen, "enable %s: %s", *events,
				 strerror(-err));
			return err;
		}
	}
	snprintf(p, sizeof(p), "%s/tracing_on", t->dir);
	st_write_file(p, "1");
	return 0;
}

ssize_t trace_inst_read(const struct trace_inst *t, char *buf, size_t len)
{
	char p[PATH_MAX];
	size_t off = 0;
	ssize_t n;
	int fd;

	if (!len)
		return 0;
	buf[0] = '\0';
	snprintf(p, sizeof(p), "%s/trace", t->dir);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (off < len - 1) {
		n = read(fd, buf + off, len - 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	buf[off] = '\0';
	close(fd);
	return (ssize_t)off;
}

static void inst_remove(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/events/enable", dir);
	st_write_file(p, "0");
	snprintf(p, sizeof(p), "%s/tracing_on", dir);
	st_write_file(p, "0");
	rmdir(dir);
}

void trace_inst_destroy(struct trace_inst *t)
{
	if (!t->dir[0])
		return;
	inst_remove(t->dir);
	t->dir[0] = '\0';
}

int trace_recover(void)
{
	DIR *d = opendir(TRACE_INST_DIR);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char p[PATH_MAX];

		if (!st_name_is_stale(de->d_name))
			continue;
		snprintf(p, sizeof(p), "%s/%s", TRACE_INST_DIR, de->d_name);
		inst_remove(p);
		n++;
	}
	closedir(d);
	return n;
}

int trace_field(const char *line, const char *key, char *val, size_t len)
{
	size_t kl = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ' || p[-1] == '\t') &&
		    p[kl] == '=') {
			size_t n = strcspn(p + kl + 1, " \t\n");

			if (n >= len)
				n = len - 1;
			memcpy(val, p + kl + 1, n);
			val[n] = '\0';
			return 1;
		}
		p += kl;
	}
	return 0;
}

long long trace_num(const char *line, const char *key)
{
	char v[64], *end;
	long long n;

	if (!trace_field(line, key, v, sizeof(v)))
		return LLONG_MIN;
	errno = 0;
	n = strtoll(v, &end, 0);
	if (errno || end == v || *end)
		return LLONG_MIN;
	return n;
}

int trace_tier(const char *line, const char *key)
{
	static const char *const names[] = { "zswap", "ssd", "hdd", "tier3",
					     "tier4", "tier5", "tier6",
					     "tier7" };
	char v[64], *end;
	size_t i;
	long n;

	if (!trace_field(line, key, v, sizeof(v)))
		return -100;
	n = strtol(v, &end, 10);
	if (end != v && !*end)
		return (int)n;
	for (i = 0; i < ST_ARRAY_SIZE(names); i++)
		if (!strcmp(v, names[i]))
			return (int)i;
	if (!strcmp(v, "memory") || !strcmp(v, "none"))
		return -1;
	return -100;
}

int trace_reason(const char *line)
{
	char v[64], *end;
	long n;

	if (!trace_field(line, "reason", v, sizeof(v)))
		return -100;
	n = strtol(v, &end, 10);
	if (end != v && !*end)
		return (int)n;
	if (!strcmp(v, "watermark"))
		return 0;
	if (!strcmp(v, "policy"))
		return 1;
	if (!strcmp(v, "drain"))
		return 2;
	return -100;
}

bool trace_dev_is(const char *line, dev_t rdev)
{
	char v[64], want[32];
	unsigned long long n;
	char *end;

	if (!trace_field(line, "dev", v, sizeof(v)))
		return false;
	snprintf(want, sizeof(want), "%u:%u", major(rdev), minor(rdev));
	if (!strcmp(v, want))
		return true;
	n = strtoull(v, &end, 0);
	if (end == v || *end)
		return false;
	/* The kernel's dev_t: 12 bits major, 20 bits minor. */
	return n == (((unsigned long long)major(rdev) << 20) | minor(rdev)) ||
	       n == (unsigned long long)rdev;
}

/* ------------------------------------------------------------ helpers */

static int bg_fork(struct bg *b)
{
	pid_t pid;

	b->pid = -1;
	b->sh = mmap(NULL, sizeof(*b->sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b->sh == MAP_FAILED) {
		b->sh = NULL;
		return -errno;
	}
	memset(b->sh, 0, sizeof(*b->sh));
	b->sh->rc = -EINPROGRESS;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int e = -errno;

		munmap(b->sh, sizeof(*b->sh));
		b->sh = NULL;
		return e;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(1);
		return 0;
	}
	b->pid = pid;
	return 1;
}

int bg_worker_request(struct bg *b, struct worker *w, enum worker_op op,
		      uint64_t arg)
{
	int r = bg_fork(b);

	if (r)
		return r < 0 ? r : 0;
	b->sh->started = 1;
	b->sh->t_start = st_now();
	b->sh->rc = worker_request_arg(w, op, arg, &b->sh->last, 600);
	b->sh->t_end = st_now();
	b->sh->done = 1;
	_exit(0);
}

int bg_worker_cycles(struct bg *b, struct worker *w, uint64_t batch)
{
	struct worker_resp r;
	int rc = 0, bad = 0;
	int f = bg_fork(b);

	if (f)
		return f < 0 ? f : 0;
	b->sh->started = 1;
	b->sh->t_start = st_now();
	while (!b->sh->stop) {
		rc = worker_request_arg(w, WORKER_CYCLES, batch, &r, 300);
		b->sh->requests++;
		b->sh->cycles += r.cycles;
		b->sh->paged_out += r.paged_out;
		if (!bad)
			b->sh->last = r;
		if (r.bad_pages) {
			b->sh->bad_pages += r.bad_pages;
			bad = 1;
		}
		if (rc || bad)
			break;
	}
	b->sh->rc = rc;
	b->sh->t_end = st_now();
	b->sh->done = 1;
	_exit(0);
}

static void bg_sig(int sig)
{
	(void)sig;
}

int bg_drain(struct bg *b, const char *path)
{
	struct sigaction sa = { .sa_handler = bg_sig };	/* no SA_RESTART */
	char buf[PATH_MAX];
	size_t n;
	ssize_t w;
	int fd;
	int f = bg_fork(b);

	if (f)
		return f < 0 ? f : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	n = (size_t)snprintf(buf, sizeof(buf), "%s", path);
	fd = open(DRAIN_FILE, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		b->sh->err = errno;
		b->sh->rc = -1;
		b->sh->done = 1;
		_exit(0);
	}
	b->sh->t_start = st_now();
	b->sh->started = 1;
	w = write(fd, buf, n);
	b->sh->err = w < 0 ? errno : 0;
	b->sh->t_end = st_now();
	b->sh->rc = (int)w;
	b->sh->done = 1;
	_exit(0);
}

int bg_swapoff(struct bg *b, const char *path)
{
	struct sigaction sa = { .sa_handler = bg_sig };	/* no SA_RESTART */
	int r;
	int f = bg_fork(b);

	if (f)
		return f < 0 ? f : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	b->sh->t_start = st_now();
	b->sh->started = 1;
	r = swapoff(path);
	b->sh->err = r ? errno : 0;
	b->sh->t_end = st_now();
	b->sh->rc = r;
	b->sh->done = 1;
	_exit(0);
}

int bg_cmd(struct bg *b, char *const argv[])
{
	int f = bg_fork(b), fd, status;
	pid_t pid;
	ssize_t n;

	if (f)
		return f < 0 ? f : 0;
	/* The command's output goes to a memfd, read back when it ends. */
	fd = memfd_create("bg_cmd", MFD_CLOEXEC);
	if (fd < 0)
		_exit(126);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);

		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		setenv("LC_ALL", "C", 1);
		execvp(argv[0], argv);
		dprintf(STDERR_FILENO, "exec %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		_exit(126);
	b->sh->cmd_pid = pid;
	b->sh->t_start = st_now();
	b->sh->started = 1;
	for (;;) {
		pid_t r = waitpid(pid, &status, 0);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			_exit(126);
	}
	b->sh->t_end = st_now();
	n = pread(fd, b->sh->out, sizeof(b->sh->out) - 1, 0);
	b->sh->out[n > 0 ? n : 0] = '\0';
	b->sh->rc = status;
	b->sh->done = 1;
	_exit(0);
}

int bg_wait_started(struct bg *b, int timeout_ms)
{
	double deadline = st_now() + timeout_ms / 1000.0;

	while (b->sh && !b->sh->started && !b->sh->done) {
		if (st_now() > deadline)
			return -ETIMEDOUT;
		st_sleep_ms(1);
	}
	return b->sh ? 0 : -ESRCH;
}

int bg_wait(struct bg *b, int timeout_s)
{
	double deadline = st_now() + timeout_s;
	int status = -1;

	if (b->pid <= 0)
		return -1;
	for (;;) {
		pid_t r = waitpid(b->pid, &status, WNOHANG);

		if (r == b->pid)
			break;
		if (r < 0 && errno != EINTR) {
			status = -1;
			break;
		}
		if (st_now() > deadline) {
			kill(b->pid, SIGKILL);
			waitpid(b->pid, &status, 0);
			status = -1;
			break;
		}
		st_sleep_ms(5);
	}
	b->pid = -1;
	return status;
}

int bg_stop(struct bg *b, int timeout_s)
{
	if (b->sh)
		b->sh->stop = 1;
	return bg_wait(b, timeout_s);
}

void bg_kill(struct bg *b)
{
	if (b->pid > 0)
		st_kill_wait(b->pid, 10);
	b->pid = -1;
}
