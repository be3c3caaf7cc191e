// SPDX-License-Identifier: GPL-2.0
/*
 * bpftrace_test: the bpftrace toolkit (tools/bpftrace/, *.bt) against the
 * kernel's own counters.
 *
 * Every test swaps on a fresh ghost (front end) with the whole SSD and HDD
 * tier disks as back ends, starts one script with bpftrace(8) as a child
 * (stdout to a file in the scratch directory), waits until its probes are
 * attached, runs a workload with known figures in a fresh memory cgroup
 * (a canary worker, lib/worker.c; memory.reclaim pushes its pages out, a
 * check faults them back and verifies every byte), stops bpftrace with
 * SIGINT and compares what the script printed at exit with the deltas of
 * the counters the kernel keeps:
 *   /sys/kernel/mm/swap_tier/<tier>/{written,read,drained}_pages,
 *   memory.stat zswpin, zswpwb, swpout_ghost_reject, swaptier_<tier>,
 *   /proc/vmstat zswpwb, swpout_ghost_reject,
 *   /sys/kernel/mm/swap_tier/policies/<id>/errors.
 * The figures are exact: the worker mlockall()s everything but its canary
 * area and nothing else in the guest swaps, so every event the scripts
 * see belongs to the workload; the tests wait until the back-end I/O has
 * completed (the tiers count at completion, some tracepoints fire at
 * submission) and for the memcg statistics flush before reading.
 *
 * A script is found in $SWAPTIER_BPFTRACE_DIR, else in tools/bpftrace of
 * the tree this binary was built in (<dir of the binary>/../../), else
 * under the current directory (the VM runner's is the tree).  bpftrace
 * must be installed (scripts/install-deps installs it): without it the
 * tests fail.  bpftrace takes a while to start under QEMU TCG: the tests
 * wait up to BT_START_S for its "Attaching N probes..." line and the
 * notification bpftrace gives once every probe is attached
 * (__BPFTRACE_NOTIFY_PROBES_ATTACHED, on its standard error).
 *
 * Environment: that of tier_test (root, cgroup v2 with +memory, zswap
 * enabled, no swap active, SWAPCTL, SWAPTIER_SCRATCH, SWAPTIER_SSD,
 * SWAPTIER_HDD), debugfs (tracefs under it), bpffs and
 * $SWAPTIER_BPF/test/garbage.bpf.o for the policy test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "swaptest.h"
#include "st_harness.h"
#include "policy.h"
#include "demote.h"

#define GHOST_SIZE		"256M"
#define MAX_BACKENDS		2
#define MAX_BT			2

#define RECLAIM_LONG_MS		40000
#define RECLAIM_SHORT_MS	5000
#define SWAPCTL_TIMEOUT_S	60

/* bpftrace start (compile, load, attach) and exit under QEMU TCG */
#define BT_START_S		240
#define BT_STOP_S		60
#define BT_OUT_LEN		(256 << 10)
#define OUT_LEN			8192

/* Working sets: small, the guest is QEMU TCG with KASAN. */
#define NPAGES			2048

FIXTURE(bt) {
	struct st_env env;
	char ghost[PATH_MAX];
	char cg[PATH_MAX];
	struct worker w;
	pid_t owner;
	struct st_backend be[MAX_BACKENDS];	/* 0: ssd, 1: hdd */
	pid_t bt_pid[MAX_BT];			/* bpftrace children */
	char bt_out[MAX_BT][PATH_MAX];		/* their stdout */
	char bt_err[MAX_BT][PATH_MAX];		/* their stderr */
	long long policy_id;			/* >0: a policy may be attached */
};

FIXTURE_SETUP(bt)
{
	char log[2048], out[4096];
	int i, rc;

	self->w = (struct worker)WORKER_INIT;
	self->owner = getpid();
	for (i = 0; i < MAX_BT; i++)
		self->bt_pid[i] = -1;
	st_require_env(_metadata, &self->env, true, true);
	st_require(_metadata, tier_available);
	st_require(_metadata, demote_available);
	st_require(_metadata, cg_memory_available);
	if (pol_available(NULL, 0) && pol_recover(log, sizeof(log)))
		ksft_print_msg("recovered policy state left by an earlier test: %s\n",
			       log);
	if (st_recover(&self->env, log, sizeof(log)))
		ksft_print_msg("recovered state left by an earlier test: %s\n",
			       log);
	ASSERT_EQ(0, st_other_swaps(NULL, out, sizeof(out)))
		TH_LOG("swap already active before the test (the VM contract says none): %s",
		       out);

	st_ghost_on(_metadata, &self->env, self->ghost, sizeof(self->ghost),
		    GHOST_SIZE);
	rc = cg_create("bt", self->cg, sizeof(self->cg));
	ASSERT_EQ(0, rc) TH_LOG("mkdir cgroup: %s", strerror(-rc));
}

/*
 * Runs in the harness parent after the test process ends, even after a
 * failure: bpftrace (SIGKILL detaches its probes), the policy, the
 * worker, the ghost (its entries own the back-end slots), the back ends,
 * the cgroup.
 */
FIXTURE_TEARDOWN_PARENT(bt)
{
	char out[OUT_LEN], log[1024] = "";
	int i, err;

	for (i = 0; i < MAX_BT; i++) {
		if (self->bt_pid[i] > 0)
			TEARDOWN_CHECK(st_kill_wait(self->bt_pid[i], 10),
				       "bpftrace %d does not die",
				       (int)self->bt_pid[i]);
		if (self->bt_out[i][0])
			unlink(self->bt_out[i]);
		if (self->bt_err[i][0])
			unlink(self->bt_err[i]);
	}
	if (self->policy_id > 0) {
		char *argv[] = { (char *)self->env.swapctl, "policy", "detach",
				 "--cgroup", self->cg, NULL };

		if (pol_attached(self->policy_id)) {
			err = st_run(argv, out, sizeof(out), SWAPCTL_TIMEOUT_S);
			TEARDOWN_CHECK(err == 0, "swapctl policy detach: exit %d: %s",
				       err, st_oneline(out, sizeof(out)));
		}
		pol_pins_remove_all(log, sizeof(log));
		err = pol_wait_none(5000, out, sizeof(out));
		TEARDOWN_CHECK(!err, "policies still attached: %s", out);
	}
	if (getpid() == self->owner)
		worker_stop(&self->w);
	else
		worker_kill_foreign(&self->w);
	st_ghost_teardown(_metadata, self->ghost, self->be, MAX_BACKENDS);
	if (self->cg[0]) {
		err = cg_destroy(self->cg);
		TEARDOWN_CHECK(!err, "rmdir %s: %s", self->cg, strerror(-err));
	}
}

/* ------------------------------------------------------------ bpftrace */

/* bpftrace in PATH (absolute path to buf), or fail the test. */
static void bt_need(struct __test_metadata *_metadata, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	char dirs[4096], *dir, *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s",
		 path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, len, "%s/bpftrace", dir);
		if (!access(buf, X_OK))
			return;
	}
	ASSERT_TRUE(false)
		TH_LOG("bpftrace not found in PATH (%s): the project's scripts/install-deps installs it",
		       path ? path : "unset");
}

/* Path of tools/bpftrace/<script> (see the top of the file). */
static void bt_script(struct __test_metadata *_metadata, const char *script,
		      char *buf, size_t len)
{
	const char *dir = getenv("SWAPTIER_BPFTRACE_DIR");
	char exe[PATH_MAX], *slash;
	ssize_t n;
	int i;

	if (dir && dir[0]) {
		snprintf(buf, len, "%.3000s/%s", dir, script);
		ASSERT_EQ(0, access(buf, R_OK))
			TH_LOG("%s (from $SWAPTIER_BPFTRACE_DIR): %s", buf,
			       strerror(errno));
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		/* <tree>/build/selftests/bpftrace_test -> <tree> */
		for (i = 0; i < 3 && (slash = strrchr(exe, '/')); i++)
			*slash = '\0';
		if (snprintf(buf, len, "%.3000s/tools/bpftrace/%s", exe,
			     script) < (int)len && !access(buf, R_OK))
			return;
	}
	snprintf(buf, len, "tools/bpftrace/%s", script);
	ASSERT_EQ(0, access(buf, R_OK))
		TH_LOG("tools/bpftrace/%s not found next to this binary's tree nor under the current directory; set SWAPTIER_BPFTRACE_DIR",
		       script);
}

static bool file_has(const char *path, const char *what)
{
	static char buf[BT_OUT_LEN];

	if (st_read_file(path, buf, sizeof(buf)) < 0)
		return false;
	return strstr(buf, what) != NULL;
}

/*
 * Start "bpftrace -B none SCRIPT ARGS..." as bpftrace instance i and wait
 * until it has attached its probes.
 */
static void bt_start(struct __test_metadata *_metadata,
		     FIXTURE_DATA(bt) *self, int i, const char *script,
		     const char *arg1, const char *arg2)
{
	char bpftrace[PATH_MAX], path[PATH_MAX], err[2048];
	char *argv[] = { bpftrace, "-B", "none", path, (char *)arg1,
			 (char *)arg2, NULL };
	double t0 = st_now(), t_attaching = 0;
	int status, fd;
	pid_t pid;

	bt_need(_metadata, bpftrace, sizeof(bpftrace));
	bt_script(_metadata, script, path, sizeof(path));
	ASSERT_EQ(0, st_unique_path(self->bt_out[i], sizeof(self->bt_out[i]),
				    self->env.scratch, "bt", ".out"));
	ASSERT_EQ(0, st_unique_path(self->bt_err[i], sizeof(self->bt_err[i]),
				    self->env.scratch, "bt", ".err"));
	pid = fork();
	ASSERT_GE(pid, 0) TH_LOG("fork: %s", strerror(errno));
	if (pid == 0) {
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, 0);
		fd = open(self->bt_out[i], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			_exit(126);
		dup2(fd, 1);
		fd = open(self->bt_err[i], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			_exit(126);
		dup2(fd, 2);
		setenv("__BPFTRACE_NOTIFY_PROBES_ATTACHED", "1", 1);
		execv(bpftrace, argv);
		_exit(127);
	}
	self->bt_pid[i] = pid;
	ksft_print_msg("started bpftrace %s %s %s (pid %d)\n", path,
		       arg1 ? arg1 : "", arg2 ? arg2 : "", (int)pid);
	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			self->bt_pid[i] = -1;
			st_read_file(self->bt_err[i], err, sizeof(err));
			ASSERT_TRUE(false)
				TH_LOG("bpftrace %s exited (status 0x%x) before attaching: %s",
				       script, status,
				       st_oneline(err, sizeof(err)));
		}
		if (!t_attaching && file_has(self->bt_out[i], "Attaching "))
			t_attaching = st_now();
		if (t_attaching &&
		    file_has(self->bt_err[i], "__BPFTRACE_NOTIFY_PROBES_ATTACHED"))
			break;
		if (st_now() - t0 > BT_START_S) {
			st_read_file(self->bt_err[i], err, sizeof(err));
			ASSERT_TRUE(false)
				TH_LOG("bpftrace %s not attached after %d s (\"Attaching\" line %s): %s",
				       script, BT_START_S,
				       t_attaching ? "seen" : "not seen",
				       st_oneline(err, sizeof(err)));
		}
		st_sleep_ms(250);
	}
	ksft_print_msg("bpftrace %s: \"Attaching\" after %.1f s, probes attached after %.1f s\n",
		       script, t_attaching - t0, st_now() - t0);
}

/*
 * Is a map key printed twice within one block of output (blocks start at
 * "interval " and "totals" lines)?  A key split in two (bytes after a
 * string's NUL taken into the key) would spread one figure over several
 * lines.  Returns the first such line, or NULL.
 */
static const char *bt_dup_key(const char *text)
{
	const char *blk = text, *p = text, *q, *nl, *qnl;
	size_t kl;

	for (; *p; p = *nl ? nl + 1 : nl) {
		nl = strchrnul(p, '\n');
		if (!strncmp(p, "interval ", 9) || !strncmp(p, "totals", 6)) {
			blk = p;
			continue;
		}
		if (*p != '@' || !(q = strstr(p, ": ")) || q > nl)
			continue;
		kl = (size_t)(q - p) + 2;
		for (q = blk; q < p; q = *qnl ? qnl + 1 : qnl) {
			qnl = strchrnul(q, '\n');
			if (!strncmp(q, p, kl))
				return p;
		}
	}
	return NULL;
}

/*
 * Log what bpftrace printed: its first BT_PRINT_HEAD lines (a sample of
 * the live output) and everything from the last "totals" line on.
 */
#define BT_PRINT_HEAD	12

static void bt_print(const char *what, const char *text)
{
	const char *p = text, *nl, *tot = NULL, *t = text;
	int n = 0;

	while ((t = strstr(t, "totals\n"))) {
		if (t == text || t[-1] == '\n')
			tot = t;
		t++;
	}
	while (*p) {
		nl = strchrnul(p, '\n');
		if (tot && p < tot && n == BT_PRINT_HEAD)
			ksft_print_msg("%s| ...\n", what);
		if (nl > p && (!tot || p >= tot || n < BT_PRINT_HEAD))
			ksft_print_msg("%s| %.*s\n", what, (int)(nl - p), p);
		n++;
		p = *nl ? nl + 1 : nl;
	}
}

/*
 * SIGINT bpftrace instance i, wait for it to print its totals and exit,
 * read what it printed into buf (caller frees) and log it as @what.
 */
static char *bt_stop(struct __test_metadata *_metadata,
		     FIXTURE_DATA(bt) *self, int i, const char *what)
{
	double t0 = st_now();
	char err[2048];
	const char *dup;
	char *buf;
	pid_t pid = self->bt_pid[i];
	int status = 0;
	ssize_t n;

	ASSERT_GT(pid, 0) TH_LOG("bpftrace %d not running", i);
	kill(pid, SIGINT);
	while (waitpid(pid, &status, WNOHANG) != pid) {
		if (st_now() - t0 > BT_STOP_S) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			self->bt_pid[i] = -1;
			ASSERT_TRUE(false)
				TH_LOG("bpftrace did not exit within %d s of SIGINT",
				       BT_STOP_S);
		}
		st_sleep_ms(100);
	}
	self->bt_pid[i] = -1;
	buf = malloc(BT_OUT_LEN);
	ASSERT_NE(NULL, buf);
	n = st_read_file(self->bt_out[i], buf, BT_OUT_LEN);
	ASSERT_GE(n, 0) TH_LOG("%s: %s", self->bt_out[i], strerror((int)-n));
	err[0] = '\0';
	st_read_file(self->bt_err[i], err, sizeof(err));
	ksft_print_msg("bpftrace exited (status 0x%x) after %.1f s; stderr: %s\n",
		       status, st_now() - t0, st_oneline(err, sizeof(err)));
	bt_print(what, buf);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("bpftrace exit status 0x%x", status);
	dup = bt_dup_key(buf);
	ASSERT_EQ(NULL, dup)
		TH_LOG("a map key printed twice in one block: %.*s",
		       (int)(strchrnul(dup, '\n') - dup), dup);
	return buf;
}

/*
 * Value of the map line "KEY: N" (KEY as bpftrace prints it, e.g.
 * "@total_in[ssd, place]"); 0 when the map has no such entry (bpftrace
 * prints only entries that exist).  The last occurrence counts.
 */
static long long bt_val(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *p = text;
	long long v = 0;

	while ((p = strstr(p, key))) {
		if ((p == text || p[-1] == '\n') && !strncmp(p + kl, ": ", 2))
			v = strtoll(p + kl + 2, NULL, 10);
		p += kl;
	}
	return v;
}

/* Sum of the values of every map line starting with prefix. */
static long long bt_sum(const char *text, const char *prefix)
{
	size_t pl = strlen(prefix);
	const char *p = text, *c;
	long long v = 0;

	while ((p = strstr(p, prefix))) {
		if (p == text || p[-1] == '\n') {
			c = strstr(p, "]: ");
			if (c && c < strchrnul(p, '\n'))
				v += strtoll(c + 3, NULL, 10);
		}
		p += pl;
	}
	return v;
}

/* Does a line of text start with line (up to its end or a newline)? */
static bool bt_line(const char *text, const char *line)
{
	size_t l = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[l] == '\n' || !p[l]))
			return true;
		p += l;
	}
	return false;
}

/*
 * Sum of the bucket counts of histogram key ("@swapin_us[ssd]"), -1 if
 * there is none.  Bucket lines: "[a, b)   N |@@@|".
 */
static long long bt_hist_count(const char *text, const char *key)
{
	char head[128];
	const char *p;
	long long n = 0, c;

	snprintf(head, sizeof(head), "%s: \n", key);
	p = strstr(text, head);
	if (!p)
		return -1;
	p += strlen(head);
	while (*p == '[') {
		const char *e = strchr(p, ')');

		if (!e || sscanf(e + 1, "%lld", &c) != 1)
			break;
		n += c;
		p = strchrnul(p, '\n');
		if (*p)
			p++;
	}
	return n;
}

/* ------------------------------------------------------------ helpers */

static void add_backend(struct __test_metadata *_metadata,
			FIXTURE_DATA(bt) *self, int i, const char *disk,
			const char *tier)
{
	struct st_backend *b = &self->be[i];
	struct tier_stat t;
	char out[4096];
	int rc;

	rc = st_backend_setup(&self->env, b, tier, disk, 0, 0, tier, out,
			      sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("back end of tier %s on %s: %d: %s", tier,
				disk, rc, st_oneline(out, sizeof(out)));
	ASSERT_EQ(0, tier_stat_read(tier, &t));
	ksft_print_msg("back end %s: whole disk %s, tier %s, capacity %lld pages\n",
		       b->dev, disk, tier, t.capacity);
}

static void two_backends(struct __test_metadata *_metadata,
			 FIXTURE_DATA(bt) *self)
{
	add_backend(_metadata, self, 0, self->env.ssd, "ssd");
	add_backend(_metadata, self, 1, self->env.hdd, "hdd");
}

/* memory.stat swaptier_<tier> of cg in pages; the key must exist. */
static long long cg_tier_pages(struct __test_metadata *_metadata,
			       const char *cg, const char *tier)
{
	char key[32];
	long long b;

	snprintf(key, sizeof(key), "swaptier_%s", tier);
	b = cg_stat(cg, key);
	ASSERT_GE(b, 0LL) TH_LOG("memory.stat has no %s (kernel without the per-tier memcg lines?)",
				 key);
	return b / (long long)st_page_size();
}

/* Push the worker's pages out: reclaim, then a second pass (demote_test). */
static void push_out(const char *cg, const char *amount,
		     const struct st_snap *s0, struct st_snap *s1)
{
	st_reclaim(cg, amount, RECLAIM_LONG_MS);
	tier_writes_wait(10000);
	st_reclaim(cg, amount, RECLAIM_SHORT_MS);
	st_snap_after_io(cg, s0, s1);
}

/* Wait up to 10 s until tier's written_pages reaches want; the figure. */
static long long wait_written(const char *tier, long long want)
{
	double deadline = st_now() + 10;
	long long w;

	for (;;) {
		w = tier_ll(tier, "written_pages");
		if (w >= want || st_now() > deadline)
			return w;
		st_sleep_ms(100);
	}
}

/* "$SWAPCTL tier drain DEV" of back end i; asserts success. */
static void drain(struct __test_metadata *_metadata, FIXTURE_DATA(bt) *self,
		  int i)
{
	char *argv[] = { (char *)self->env.swapctl, "tier", "drain",
			 self->be[i].dev, NULL };
	char out[OUT_LEN];
	double t0 = st_now();
	int rc = st_run(argv, out, sizeof(out), SWAPCTL_TIMEOUT_S * 3);

	ksft_print_msg("swapctl tier drain %s: exit %d after %.1f s: %s\n",
		       self->be[i].dev, rc, st_now() - t0,
		       st_oneline(out, sizeof(out)));
	ASSERT_EQ(0, rc);
}

/* ------------------------------------------------------------ tests */

/*
 * 1. swaptier-cgroup.bt: incompressible pages of the cgroup go straight
 * to the SSD (place), a drain moves them to the HDD (move), a check reads
 * them back from there (swapin).  Each total equals the counter delta of
 * its step exactly: place = SSD written_pages (the pages zswap refused,
 * nothing else writes) = memory.stat swaptier_ssd; move off the SSD =
 * drained_pages; move onto the HDD = HDD written_pages; swap-in reads
 * from the HDD = HDD read_pages (swap_tier_swapin fires once per read
 * submitted, read_pages counts it when it completes).  Nothing enters
 * zswap's or the HDD's other flows.
 */
TEST_F_TIMEOUT(bt, cgroup_flows, 600)
{
	struct worker_resp ready, r;
	struct st_snap s0, s1, s2, s3;
	long long on_ssd, drained0, drained, place, to_hdd;
	char *text;

	two_backends(_metadata, self);
	bt_start(_metadata, self, 0, "swaptier-cgroup.bt", self->cg, "1");

	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	ASSERT_EQ(0LL, cg_tier_pages(_metadata, self->cg, "ssd"));
	st_worker_start(_metadata, &self->w, self->cg, NPAGES,
			CANARY_INCOMPRESSIBLE, &ready);
	push_out(self->cg, "8M", &s0, &s1);
	st_snap_print("after reclaim", &s0, &s1, true);
	on_ssd = cg_tier_pages(_metadata, self->cg, "ssd");
	ASSERT_GT(s1.ssd.written - s0.ssd.written, (long long)NPAGES / 2);

	drained0 = tier_ll("ssd", "drained_pages");
	drain(_metadata, self, 0);
	drained = tier_ll("ssd", "drained_pages") - drained0;
	wait_written("hdd", s1.hdd.written + drained);
	st_snap_after_io(self->cg, &s1, &s2);
	st_snap_print("after the drain", &s1, &s2, true);

	st_worker_check(_metadata, &self->w, &r);
	st_snap_after_io(self->cg, &s2, &s3);
	st_snap_print("after verify", &s2, &s3, true);

	text = bt_stop(_metadata, self, 0, "swaptier-cgroup");
	ASSERT_TRUE(bt_line(text, "totals")) TH_LOG("no totals line");
	place = bt_val(text, "@total_in[ssd, place]");
	to_hdd = bt_val(text, "@total_in[hdd, move]");
	ksft_print_msg("script: ssd place %lld, ssd move out %lld, hdd move in %lld, hdd swapin %lld | counters: ssd written +%lld, memory.stat swaptier_ssd %lld pages, ssd drained +%lld, hdd written +%lld, hdd read +%lld\n",
		       place, bt_val(text, "@total_out[ssd, move]"), to_hdd,
		       bt_val(text, "@total_out[hdd, swapin]"),
		       s1.ssd.written - s0.ssd.written, on_ssd, drained,
		       s2.hdd.written - s1.hdd.written,
		       s3.hdd.read - s2.hdd.read);
	ASSERT_EQ(s1.ssd.written - s0.ssd.written, place);
	ASSERT_EQ(on_ssd, place)
		TH_LOG("memory.stat swaptier_ssd says %lld pages", on_ssd);
	ASSERT_EQ(drained, bt_val(text, "@total_out[ssd, move]"));
	ASSERT_EQ(s2.hdd.written - s1.hdd.written, to_hdd);
	ASSERT_GT(to_hdd, 0LL);
	ASSERT_EQ(s3.hdd.read - s2.hdd.read,
		  bt_val(text, "@total_out[hdd, swapin]"));
	ASSERT_GT(s3.hdd.read - s2.hdd.read, 0LL);
	/* Flows that did not happen. */
	ASSERT_EQ(0LL, bt_val(text, "@total_in[ssd, writeback]"));
	ASSERT_EQ(0LL, bt_val(text, "@total_in[hdd, place]"));
	/* The SSD's reads were the drain's (read_pages counts moves too). */
	ASSERT_EQ(0LL, bt_val(text, "@total_out[ssd, swapin]"));
	/* Every interval table names its time. */
	ASSERT_TRUE(strstr(text, "\ninterval ") != NULL);
	free(text);
}

/*
 * 2. swaptier-swapin-latency.bt: mixed pages (two in three compress,
 * zswap holds them; the third goes to the SSD) are faulted back in.
 * Counted swap-ins equal memory.stat zswpin (zswap loads: zswap_load()
 * returning true) and SSD read_pages (back end: swap_tier_swapin paired
 * with swap_tier_read_done) exactly; each histogram holds one sample per
 * swap-in (order-0 pages: one read per page); no read error.
 */
TEST_F_TIMEOUT(bt, swapin_latency, 600)
{
	struct worker_resp ready, r;
	struct st_snap s0, s1, s2;
	long long zs, ssd;
	char *text;

	two_backends(_metadata, self);
	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	st_worker_start(_metadata, &self->w, self->cg, NPAGES, CANARY_MIXED,
			&ready);
	push_out(self->cg, "8M", &s0, &s1);
	st_snap_print("after reclaim", &s0, &s1, true);
	ASSERT_GT(s1.ssd.written - s0.ssd.written, 0LL);
	ASSERT_GT(s1.zswpout - s0.zswpout, 0LL);

	bt_start(_metadata, self, 0, "swaptier-swapin-latency.bt", self->cg,
		 NULL);
	st_snap_take(self->cg, ST_STATS_SETTLE_MS, &s1);
	st_worker_check(_metadata, &self->w, &r);
	st_snap_after_io(self->cg, &s1, &s2);
	st_snap_print("after verify", &s1, &s2, true);

	text = bt_stop(_metadata, self, 0, "swaptier-swapin-latency");
	zs = bt_val(text, "@swapin_pages[zswap]");
	ssd = bt_val(text, "@swapin_pages[ssd]");
	ksft_print_msg("script: zswap %lld swap-ins (histogram %lld), ssd %lld (histogram %lld), read errors %lld | counters: memory.stat zswpin +%lld, ssd read_pages +%lld, read_errors +%lld\n",
		       zs, bt_hist_count(text, "@swapin_us[zswap]"), ssd,
		       bt_hist_count(text, "@swapin_us[ssd]"),
		       bt_sum(text, "@read_errors["), s2.zswpin - s1.zswpin,
		       s2.ssd.read - s1.ssd.read,
		       s2.ssd.read_errors - s1.ssd.read_errors);
	ASSERT_GT(zs, 0LL);
	ASSERT_GT(ssd, 0LL);
	ASSERT_EQ(s2.zswpin - s1.zswpin, zs);
	ASSERT_EQ(s2.ssd.read - s1.ssd.read, ssd);
	ASSERT_EQ(zs, bt_hist_count(text, "@swapin_us[zswap]"));
	ASSERT_EQ(ssd, bt_hist_count(text, "@swapin_us[ssd]"));
	ASSERT_EQ(0LL, bt_val(text, "@swapin_pages[hdd]"));
	ASSERT_EQ(s2.ssd.read_errors - s1.ssd.read_errors +
		  s2.hdd.read_errors - s1.hdd.read_errors,
		  bt_sum(text, "@read_errors["));
	free(text);
}

/*
 * 3. swaptier-moves.bt: mixed pages with memory.zswap.max small, so that
 * zswap refuses some (place) and writes others back (writeback), all to
 * the SSD; then a drain of the SSD.  place + writeback = SSD written_pages,
 * writeback = vmstat zswpwb (nothing else writes back); the drain's moves
 * (reason drain, from ssd) = drained_pages, those to the HDD = HDD
 * written_pages, the drain_end line says the same with err=0 remaining=0.
 * No demotion ran (the SSD stays far below its high watermark).
 */
TEST_F_TIMEOUT(bt, moves_drain, 600)
{
	struct worker_resp ready;
	struct st_snap s0, s1, s2;
	long long drained0, drained, place, wb, moved, to_hdd;
	char *text, line[256];

	two_backends(_metadata, self);
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "64K"));
	bt_start(_metadata, self, 0, "swaptier-moves.bt", "1", NULL);

	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	st_worker_start(_metadata, &self->w, self->cg, NPAGES, CANARY_MIXED,
			&ready);
	push_out(self->cg, "8M", &s0, &s1);
	st_snap_print("after reclaim", &s0, &s1, true);

	drained0 = tier_ll("ssd", "drained_pages");
	drain(_metadata, self, 0);
	drained = tier_ll("ssd", "drained_pages") - drained0;
	wait_written("hdd", s1.hdd.written + drained);
	st_snap_after_io(self->cg, &s1, &s2);
	st_snap_print("after the drain", &s1, &s2, true);

	text = bt_stop(_metadata, self, 0, "swaptier-moves");
	place = bt_val(text, "@total_place[ssd]");
	wb = bt_val(text, "@total_writeback[ssd]");
	moved = bt_sum(text, "@total_move[ssd, ");
	to_hdd = bt_val(text, "@total_move[ssd, hdd, drain]");
	ksft_print_msg("script: place ssd %lld, writeback ssd %lld, moves from ssd %lld (to hdd %lld), drain moved %lld | counters: ssd written +%lld, vmstat zswpwb +%lld, ssd drained +%lld, hdd written +%lld\n",
		       place, wb, moved, to_hdd,
		       bt_val(text, "@total_drain_moved[ssd]"),
		       s1.ssd.written - s0.ssd.written,
		       s1.g_zswpwb - s0.g_zswpwb, drained,
		       s2.hdd.written - s1.hdd.written);
	ASSERT_GT(place, 0LL);
	ASSERT_EQ(s1.ssd.written - s0.ssd.written, place + wb);
	ASSERT_EQ(s1.g_zswpwb - s0.g_zswpwb, wb);
	ASSERT_EQ(0LL, bt_sum(text, "@total_place[hdd"));
	ASSERT_GT(drained, 0LL);
	ASSERT_EQ(drained, moved);
	ASSERT_EQ(drained, bt_sum(text, "@total_move["))
		TH_LOG("moves other than the drain's");
	ASSERT_EQ(s2.hdd.written - s1.hdd.written, to_hdd);
	ASSERT_EQ(drained, bt_val(text, "@total_drain_moved[ssd]"));
	ASSERT_EQ(1LL, bt_val(text, "@total_drain_runs[ssd]"));
	ASSERT_EQ(0LL, bt_val(text, "@total_drain_remaining[ssd]"));
	ASSERT_EQ(0LL, bt_sum(text, "@total_drain_errors["));
	ASSERT_EQ(0LL, bt_sum(text, "@total_demote_runs["));
	snprintf(line, sizeof(line), "tier=ssd moved=%lld remaining=0 err=0",
		 drained);
	ASSERT_TRUE(strstr(text, line) && strstr(text, "\ndrain_end dev="))
		TH_LOG("no drain_end line with %s", line);
	ASSERT_TRUE(strstr(text, "\ndrain_begin dev=") != NULL);
	free(text);
}

/*
 * 4. swaptier-policy.bt: the test policy "garbage" (every verdict invalid)
 * attached to the cgroup, replaced by "default", detached: one line each,
 * with the cgroup's id (its inode number, what bpftrace's cgroupid()
 * gives).  The invalid verdicts the script counted (place 77, writeback
 * -100) equal the policy's sysfs errors; the cgroup's placements (place
 * and writeback, to the SSD) equal SSD written_pages; no reject.
 */
TEST_F_TIMEOUT(bt, policy_events, 600)
{
	char obj[PATH_MAX], out[OUT_LEN], line[256], t[32];
	struct worker_resp ready;
	struct st_snap s0, s1;
	struct pol_stat ps;
	long long id, errs, placed;
	char *text;
	int rc;

	st_require(_metadata, pol_available);
	st_require(_metadata, pol_bpffs_available);
	ASSERT_EQ(0, pol_obj_path("garbage", true, obj, sizeof(obj)))
		TH_LOG("%.900s missing (make bpf builds it)", obj);
	id = cg_id(self->cg);
	ASSERT_GT(id, 0LL);
	two_backends(_metadata, self);
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "32K"));
	bt_start(_metadata, self, 0, "swaptier-policy.bt", NULL, NULL);

	self->policy_id = id;
	rc = st_swapctl(&self->env, out, sizeof(out), "policy", "load", obj,
			"--cgroup", self->cg, NULL);
	ASSERT_EQ(0, rc) TH_LOG("swapctl policy load %s: %s", obj,
				st_oneline(out, sizeof(out)));
	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	st_worker_start(_metadata, &self->w, self->cg, NPAGES / 2,
			CANARY_MIXED, &ready);
	push_out(self->cg, "4M", &s0, &s1);
	st_snap_print("after reclaim", &s0, &s1, true);
	rc = pol_stat_read(id, &ps);
	pol_target_name(id, t, sizeof(t));
	ASSERT_EQ(0, rc) TH_LOG("%s/%s: %s", POL_SYSFS, t, strerror(-rc));
	rc = st_swapctl(&self->env, out, sizeof(out), "policy", "replace",
			"default", "--cgroup", self->cg, NULL);
	ASSERT_EQ(0, rc) TH_LOG("swapctl policy replace default: %s",
				st_oneline(out, sizeof(out)));
	rc = st_swapctl(&self->env, out, sizeof(out), "policy", "detach",
			"--cgroup", self->cg, NULL);
	ASSERT_EQ(0, rc) TH_LOG("swapctl policy detach: %s",
				st_oneline(out, sizeof(out)));

	text = bt_stop(_metadata, self, 0, "swaptier-policy");
	errs = bt_sum(text, "@policy_errors[");
	snprintf(line, sizeof(line), "@place_pages[%lld, ssd]", id);
	placed = bt_val(text, line);
	snprintf(line, sizeof(line), "@writeback_pages[%lld, ssd]", id);
	placed += bt_val(text, line);
	ksft_print_msg("script: %lld invalid verdicts, %lld pages placed or written back to the ssd, %lld rejected | counters: policy errors %lld, ssd written +%lld, swpout_ghost_reject +%lld\n",
		       errs, placed, bt_sum(text, "@reject_pages["), ps.errors,
		       s1.ssd.written - s0.ssd.written, s1.reject - s0.reject);

	snprintf(line, sizeof(line), "attach cgroup_id=%lld name=garbage", id);
	ASSERT_TRUE(bt_line(text, line)) TH_LOG("no line \"%s\"", line);
	snprintf(line, sizeof(line),
		 "replace cgroup_id=%lld old=garbage name=default", id);
	ASSERT_TRUE(bt_line(text, line)) TH_LOG("no line \"%s\"", line);
	snprintf(line, sizeof(line),
		 "detach cgroup_id=%lld name=default kind=detach", id);
	ASSERT_TRUE(bt_line(text, line)) TH_LOG("no line \"%s\"", line);
	ASSERT_GT(ps.errors, 0LL);
	ASSERT_EQ(ps.errors, errs);
	snprintf(line, sizeof(line), "@policy_errors[%lld, garbage, ", id);
	ASSERT_EQ(errs, bt_sum(text, line))
		TH_LOG("errors not of garbage on cgroup %lld", id);
	ASSERT_EQ(s1.ssd.written - s0.ssd.written, placed);
	ASSERT_GT(placed, 0LL);
	ASSERT_EQ(s1.reject - s0.reject, bt_sum(text, "@reject_pages["));
	free(text);
}

/*
 * 5. swaptier-rejects.bt: with memory.zswap.writeback=0 the cgroup's
 * incompressible pages have no place (zswap refuses them, the back ends
 * are closed to the cgroup) and stay in memory.  Two instances: one for
 * the cgroup, one for every cgroup (/sys/fs/cgroup).  The cgroup's total
 * equals memory.stat swpout_ghost_reject, the all-cgroups total
 * /proc/vmstat's (nothing else swaps); every entry is the cgroup's id.
 */
TEST_F_TIMEOUT(bt, rejects, 600)
{
	struct worker_resp ready;
	struct st_snap s0, s1;
	long long id, mine, all;
	char *text, *text_all, key[64];
	int rc;

	id = cg_id(self->cg);
	ASSERT_GT(id, 0LL);
	two_backends(_metadata, self);
	rc = cg_write(self->cg, "memory.zswap.writeback", "0");
	if (rc == -ENOENT)
		SKIP(return, "no memory.zswap.writeback: stock memcg file (Linux 6.8+, CONFIG_MEMCG and CONFIG_ZSWAP) missing from this kernel");
	ASSERT_EQ(0, rc);
	bt_start(_metadata, self, 0, "swaptier-rejects.bt", self->cg, "1");
	bt_start(_metadata, self, 1, "swaptier-rejects.bt", CG_ROOT, "1");

	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	st_worker_start(_metadata, &self->w, self->cg, NPAGES,
			CANARY_INCOMPRESSIBLE, &ready);
	st_reclaim(self->cg, "8M", 20000);
	st_snap_after_io(self->cg, &s0, &s1);
	st_snap_print("after reclaim", &s0, &s1, true);

	text = bt_stop(_metadata, self, 0, "swaptier-rejects cgroup");
	text_all = bt_stop(_metadata, self, 1, "swaptier-rejects all");
	snprintf(key, sizeof(key), "@total_rejects[%lld, ", id);
	mine = bt_sum(text, key);
	all = bt_sum(text_all, "@total_rejects[");
	ksft_print_msg("script: cgroup %lld rejects %lld, all cgroups %lld | counters: memory.stat swpout_ghost_reject +%lld, vmstat +%lld\n",
		       id, mine, all, s1.reject - s0.reject,
		       s1.g_reject - s0.g_reject);
	ASSERT_GE(s1.reject - s0.reject, (long long)NPAGES / 2);
	ASSERT_EQ(s1.reject - s0.reject, mine);
	ASSERT_EQ(mine, bt_sum(text, "@total_rejects["))
		TH_LOG("entries of other cgroups in the cgroup's output");
	ASSERT_EQ(s1.g_reject - s0.g_reject, all);
	ASSERT_EQ(all, bt_sum(text_all, key))
		TH_LOG("rejects of other cgroups");
	ASSERT_TRUE(strstr(text, "\ninterval ") != NULL);
	ASSERT_EQ(0LL, s1.ssd.written - s0.ssd.written);
	free(text);
	free(text_all);
}

TEST_HARNESS_MAIN
