// SPDX-License-Identifier: GPL-2.0
/*
 * apply_test: "swapctl apply" brings the system to a configuration file's
 * state, and a second run changes nothing; --dry-run changes nothing;
 * --watch attaches a policy to its cgroup when the cgroup appears, and
 * again when it is created anew; and memory.stat counts each back-end
 * tier's I/O per cgroup (swaptier_<tier>_in/_out) as the tier's own
 * figures count it.
 *
 * Environment: that of policy_test (root, cgroup v2 with +memory, zswap
 * enabled, no swap active, SWAPCTL, SWAPTIER_SCRATCH, SWAPTIER_SSD, bpffs).
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

#define GHOST_SIZE		"256M"
#define GHOST_PRIO		7
#define HIGH_PCT		70
#define LOW_PCT			40
#define INTERVAL_MS		2500
#define NPAGES			2048
#define OUT_LEN			8192
#define SWAPCTL_TIMEOUT_S	120
#define WATCH_WAIT_MS		30000
#define DETACH_WAIT_MS		5000
#define RECLAIM_MS		40000

FIXTURE(apply) {
	struct st_env env;
	char ghost[PATH_MAX];
	char cg[PATH_MAX];		/* the policy's cgroup, made by the test */
	char later[PATH_MAX + 64];		/* a cgroup made while --watch runs */
	char conf[PATH_MAX];
	struct st_backend be[1];	/* the ssd, made a back end by apply */
	struct worker w;
	pid_t owner, watch_pid;
	char watch_out[PATH_MAX];
	long long saved_high, saved_low, saved_interval;
};

/* CG_ROOT/x -> /x, as the configuration names cgroups. */
static const char *cg_rel(const char *cg)
{
	return cg + strlen(CG_ROOT);
}

/* Create or replace the configuration file @path with @text. */
static int conf_write(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static void write_conf(struct __test_metadata *_metadata,
		       FIXTURE_DATA(apply) *self, const char *policy_cg,
		       const char *policy, const char *extra)
{
	char buf[4 * PATH_MAX + 512];

	snprintf(buf, sizeof(buf),
		 "# apply_test\n"
		 "[ghost]\npath = %s\npriority = %d\n\n"
		 "[tier ssd]\ndevice = %s\nhigh = %d\nlow = %d\n\n"
		 "[demote]\ninterval = %d   # ms\n\n"
		 "[policy]\nname = %s\ncgroup = %s\n%s",
		 self->ghost, GHOST_PRIO, self->env.ssd, HIGH_PCT, LOW_PCT,
		 INTERVAL_MS, policy ? policy : "default", policy_cg, extra);
	ASSERT_EQ(0, conf_write(self->conf, buf))
		TH_LOG("cannot write %s", self->conf);
}

static int apply(FIXTURE_DATA(apply) *self, char *out, size_t len,
		 const char *opt)
{
	char *argv[] = { (char *)self->env.swapctl, "apply",
			 (char *)(opt ? opt : self->conf),
			 opt ? self->conf : NULL, NULL };
	int rc = st_run(argv, out, len, SWAPCTL_TIMEOUT_S);

	ksft_print_msg("# swapctl apply %s%s: exit %d\n", opt ? opt : "",
		       self->conf, rc);
	ksft_print_msg("%s\n", out);
	return rc;
}

/* The line "FILE: N done, N unchanged" (or "N to do") has these counts. */
static void assert_counts(struct __test_metadata *_metadata, const char *out,
			  const char *fmt, int a, int b)
{
	char want[256];

	snprintf(want, sizeof(want), fmt, a, b);
	ASSERT_TRUE(strstr(out, want) != NULL)
		TH_LOG("apply did not report \"%s\"", want);
}

FIXTURE_SETUP(apply)
{
	char log[2048], out[OUT_LEN];
	char *mkswap[] = { "mkswap", NULL, NULL };
	int rc;

	self->w = (struct worker)WORKER_INIT;
	self->owner = getpid();
	self->watch_pid = -1;
	st_require_env(_metadata, &self->env, true, true);
	st_require(_metadata, tier_available);
	st_require(_metadata, cg_memory_available);
	st_require(_metadata, pol_available);
	st_require(_metadata, pol_bpffs_available);
	if (pol_recover(log, sizeof(log)))
		ksft_print_msg("recovered policy state left by an earlier test: %s\n",
			       log);
	if (st_recover(&self->env, log, sizeof(log)))
		ksft_print_msg("recovered state left by an earlier test: %s\n",
			       log);
	ASSERT_EQ(0, st_other_swaps(NULL, out, sizeof(out)))
		TH_LOG("swap already active before the test: %s", out);
	self->saved_interval = tier_root_file("demote_interval_ms");
	self->saved_high = tier_root_file("ssd/high_watermark_pct");
	self->saved_low = tier_root_file("ssd/low_watermark_pct");

	/* a ghost made once, not swapped on: apply does that */
	ASSERT_EQ(0, st_unique_path(self->ghost, sizeof(self->ghost),
				    self->env.scratch, "ghost", ".swap"));
	rc = st_swapctl_ghost_create(&self->env, self->ghost, GHOST_SIZE, NULL,
				     out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("ghost create: %s", st_oneline(out, sizeof(out)));
	/* the ssd prepared with mkswap, not active: apply adds it */
	mkswap[1] = (char *)self->env.ssd;
	rc = st_run(mkswap, out, sizeof(out), 60);
	ASSERT_EQ(0, rc) TH_LOG("mkswap %s: %s", self->env.ssd,
				st_oneline(out, sizeof(out)));
	snprintf(self->be[0].dev, sizeof(self->be[0].dev), "%s", self->env.ssd);
	snprintf(self->be[0].tier, sizeof(self->be[0].tier), "ssd");
	self->be[0].active = true;	/* for the teardown: apply activates it */
	rc = cg_create("apply", self->cg, sizeof(self->cg));
	ASSERT_EQ(0, rc) TH_LOG("mkdir cgroup: %s", strerror(-rc));
	ASSERT_EQ(0, st_unique_path(self->conf, sizeof(self->conf),
				    self->env.scratch, "swaptier", ".conf"));
}

FIXTURE_TEARDOWN_PARENT(apply)
{
	char out[OUT_LEN], log[1024] = "";
	int err;

	if (self->watch_pid > 0)
		TEARDOWN_CHECK(st_kill_wait(self->watch_pid, 10),
			       "swapctl apply --watch %d does not die",
			       (int)self->watch_pid);
	if (self->watch_out[0])
		unlink(self->watch_out);
	if (getpid() == self->owner)
		worker_stop(&self->w);
	else
		worker_kill_foreign(&self->w);
	/* the pins are apply's: removing them detaches the policies */
	if (pol_pins_list(out, sizeof(out)) > 0)
		pol_pins_remove_all(log, sizeof(log));
	err = pol_wait_none(DETACH_WAIT_MS, out, sizeof(out));
	TEARDOWN_CHECK(!err, "policies still attached: %s", out);
	st_ghost_teardown(_metadata, self->ghost, self->be, 1);
	if (self->saved_high >= 0) {
		snprintf(out, sizeof(out), "%s/ssd/low_watermark_pct", TIER_SYSFS);
		st_write_file(out, "0");
		snprintf(out, sizeof(out), "%s/ssd/high_watermark_pct", TIER_SYSFS);
		snprintf(log, sizeof(log), "%lld", self->saved_high);
		st_write_file(out, log);
		snprintf(out, sizeof(out), "%s/ssd/low_watermark_pct", TIER_SYSFS);
		snprintf(log, sizeof(log), "%lld", self->saved_low);
		st_write_file(out, log);
	}
	if (self->saved_interval > 0) {
		snprintf(out, sizeof(out), "%s/demote_interval_ms", TIER_SYSFS);
		snprintf(log, sizeof(log), "%lld", self->saved_interval);
		st_write_file(out, log);
	}
	if (self->conf[0])
		unlink(self->conf);
	unlink("/run/swaptier/applied");
	if (self->later[0])
		cg_destroy_tree(self->later);
	if (self->cg[0]) {
		err = cg_destroy_tree(self->cg);
		TEARDOWN_CHECK(!err, "rmdir %s: %s", self->cg, strerror(-err));
	}
}

/* Wait until a policy is attached to cgroup id: 0 or -ETIMEDOUT. */
static int wait_attached(unsigned long long id, unsigned int timeout_ms)
{
	double t0 = st_now();

	while (!pol_attached(id)) {
		if ((st_now() - t0) * 1000 > timeout_ms)
			return -ETIMEDOUT;
		st_sleep_ms(100);
	}
	return 0;
}

static bool ghost_active(const char *ghost)
{
	struct swaps_row row;

	return swaps_find(ghost, &row) == 1;
}

/* Everything the configuration names is so. */
static void assert_applied(struct __test_metadata *_metadata,
			   FIXTURE_DATA(apply) *self)
{
	struct tier_stat ts;
	struct pol_stat ps;
	long long id = cg_id(self->cg);
	int rc;

	struct swaps_row row;

	ASSERT_EQ(1, swaps_find(self->ghost, &row)) TH_LOG("ghost not on");
	ASSERT_STREQ("ghost", row.type);
	ASSERT_EQ(GHOST_PRIO, row.prio);
	ASSERT_EQ(0, tier_stat_read("ssd", &ts));
	ASSERT_EQ(1LL, ts.nr_devices) TH_LOG("the ssd is not a back end");
	ASSERT_EQ((long long)HIGH_PCT, tier_root_file("ssd/high_watermark_pct"));
	ASSERT_EQ((long long)LOW_PCT, tier_root_file("ssd/low_watermark_pct"));
	ASSERT_EQ((long long)INTERVAL_MS, tier_root_file("demote_interval_ms"));
	rc = pol_stat_read((unsigned long long)id, &ps);
	ASSERT_EQ(0, rc) TH_LOG("no policy on %s: %s", self->cg, strerror(-rc));
	ASSERT_STREQ("default", ps.name);
	ASSERT_TRUE(pol_pin_exists((unsigned long long)id));
}

/* apply, apply again, --dry-run, a changed tunable, -j. */
TEST_F_TIMEOUT(apply, apply_again_dry_run, 600)
{
	char out[OUT_LEN];

	write_conf(_metadata, self, cg_rel(self->cg), NULL, "");
	/* the dry run first: it names every step and does none */
	ASSERT_EQ(0, apply(self, out, sizeof(out), "--dry-run"));
	assert_counts(_metadata, out, "%d to do, %d unchanged", 5, 0);
	ASSERT_TRUE(strstr(out, "would     ghost") != NULL);
	ASSERT_FALSE(ghost_active(self->ghost)) TH_LOG("the dry run swapped on");
	ASSERT_FALSE(pol_attached((unsigned long long)cg_id(self->cg)));

	ASSERT_EQ(0, apply(self, out, sizeof(out), NULL));
	assert_counts(_metadata, out, "%d done, %d unchanged", 5, 0);
	assert_applied(_metadata, self);

	/* again: nothing changes */
	ASSERT_EQ(0, apply(self, out, sizeof(out), NULL));
	assert_counts(_metadata, out, "%d done, %d unchanged", 0, 5);
	assert_applied(_metadata, self);
	ASSERT_EQ(0, apply(self, out, sizeof(out), "--dry-run"));
	assert_counts(_metadata, out, "%d to do, %d unchanged", 0, 5);

	/* another policy, then another tunable: the policy alone is
	 * replaced, once each */
	write_conf(_metadata, self, cg_rel(self->cg), "latency", "");
	ASSERT_EQ(0, apply(self, out, sizeof(out), NULL));
	assert_counts(_metadata, out, "%d done, %d unchanged", 1, 4);
	ASSERT_TRUE(strstr(out, "replace latency, was default") != NULL);
	write_conf(_metadata, self, cg_rel(self->cg), "latency",
		   "set = writeback_batch=128\n");
	ASSERT_EQ(0, apply(self, out, sizeof(out), NULL));
	assert_counts(_metadata, out, "%d done, %d unchanged", 1, 4);
	ASSERT_TRUE(strstr(out, "replace latency, was latency") != NULL);
	ASSERT_EQ(0, apply(self, out, sizeof(out), NULL));
	assert_counts(_metadata, out, "%d done, %d unchanged", 0, 5);
	/* replaced by hand: apply puts the file's back */
	{
		char *argv[] = { (char *)self->env.swapctl, "policy", "replace",
				 "latency", "--cgroup", self->cg, NULL };

		ASSERT_EQ(0, st_run(argv, out, sizeof(out), SWAPCTL_TIMEOUT_S))
			TH_LOG("policy replace: %s", out);
	}
	ASSERT_EQ(0, apply(self, out, sizeof(out), NULL));
	assert_counts(_metadata, out, "%d done, %d unchanged", 1, 4);

	/* -j: one document, every step unchanged */
	ASSERT_EQ(0, apply(self, out, sizeof(out), "-j"));
	ASSERT_TRUE(strstr(out, "\"done\":0,\"unchanged\":5") != NULL);
	ASSERT_TRUE(strstr(out, "\"complete\":true") != NULL);
}

/* A step that fails stops the run; the steps before it stay done. */
TEST_F_TIMEOUT(apply, stops_at_failure, 600)
{
	char out[OUT_LEN], buf[2 * PATH_MAX + 64];
	struct tier_stat ts;

	/* the ghost on, the ssd made a back end of tier hdd */
	snprintf(buf, sizeof(buf),
		 "[ghost]\npath = %s\n[tier hdd]\ndevice = %s\n",
		 self->ghost, self->env.ssd);
	ASSERT_EQ(0, conf_write(self->conf, buf));
	ASSERT_EQ(0, apply(self, out, sizeof(out), NULL));
	/* then it cannot be in tier ssd: status 32, nothing after tried */
	ASSERT_EQ(0, tier_stat_read("hdd", &ts));
	ASSERT_EQ(1LL, ts.nr_devices);
	write_conf(_metadata, self, cg_rel(self->cg), NULL, "");
	ASSERT_EQ(32, apply(self, out, sizeof(out), NULL));
	ASSERT_TRUE(strstr(out, "is a back end of tier hdd") != NULL);
	ASSERT_TRUE(strstr(out, "stopped after 0 steps done") != NULL);
	/* nothing after the failing step was tried */
	ASSERT_NE((long long)INTERVAL_MS, tier_root_file("demote_interval_ms"));
	ASSERT_FALSE(pol_attached((unsigned long long)cg_id(self->cg)));
	/* a malformed file changes nothing at all: status 8, with the line */
	ASSERT_EQ(0, conf_write(self->conf, "[tier ssd]\nhigh = 101\n"));
	ASSERT_EQ(8, apply(self, out, sizeof(out), NULL));
	ASSERT_TRUE(strstr(out, "line 2: high") != NULL);
}

/* --watch attaches the policy to a cgroup made later, and made again. */
TEST_F_TIMEOUT(apply, watch_attaches_new_cgroups, 600)
{
	char out[OUT_LEN], name[32];
	long long id, id2;
	double t0;
	int fd, status;
	pid_t pid;

	/* as systemd does for a slice: children get the memory controller */
	ASSERT_EQ(0, cg_write(self->cg, "cgroup.subtree_control", "+memory"));
	snprintf(name, sizeof(name), "later-%d", (int)getpid());
	snprintf(self->later, sizeof(self->later), "%s/%s", self->cg, name);
	write_conf(_metadata, self, cg_rel(self->later), NULL, "");
	ASSERT_EQ(0, st_unique_path(self->watch_out, sizeof(self->watch_out),
				    self->env.scratch, "watch", ".out"));
	/*
	 * The fixture data is shared with the harness's parent (for the
	 * teardown): only this process may store the pid, the child's 0
	 * would make kill() signal the whole process group.
	 */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		fd = open(self->watch_out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			_exit(127);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(self->env.swapctl, "swapctl", "apply", "--watch",
		      self->conf, (char *)NULL);
		_exit(127);
	}
	self->watch_pid = pid;
	/* the first pass: everything but the policy, whose cgroup is missing */
	for (t0 = st_now(); st_now() - t0 < WATCH_WAIT_MS / 1000.0;
	     st_sleep_ms(200)) {
		st_read_file(self->watch_out, out, sizeof(out));
		if (strstr(out, "done, "))
			break;
	}
	ksft_print_msg("apply --watch:\n%s\n", out);
	ASSERT_TRUE(strstr(out, "4 done, 1 unchanged") != NULL);
	ASSERT_TRUE(strstr(out, "no such cgroup yet") != NULL);

	ASSERT_EQ(0, mkdir(self->later, 0755));
	id = cg_id(self->later);
	ASSERT_EQ(0, wait_attached((unsigned long long)id, WATCH_WAIT_MS))
		TH_LOG("--watch did not attach the policy to %s", self->later);
	/* made again (a restarted service): a new cgroup id, attached again */
	ASSERT_EQ(0, rmdir(self->later)) TH_LOG("rmdir %s: %s", self->later,
						strerror(errno));
	ASSERT_EQ(0, pol_wait_detached((unsigned long long)id, DETACH_WAIT_MS));
	ASSERT_EQ(0, mkdir(self->later, 0755));
	id2 = cg_id(self->later);
	ASSERT_NE(id, id2);
	ASSERT_EQ(0, wait_attached((unsigned long long)id2, WATCH_WAIT_MS))
		TH_LOG("--watch did not attach the policy to %s made again",
		       self->later);
	ASSERT_EQ(0, kill(self->watch_pid, SIGTERM));
	ASSERT_EQ(self->watch_pid, waitpid(self->watch_pid, &status, 0));
	self->watch_pid = -1;
	st_read_file(self->watch_out, out, sizeof(out));
	ksft_print_msg("apply --watch:\n%s\n", out);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("apply --watch exit status 0x%x", status);
}

/*
 * memory.stat swaptier_ssd_out/_in of the cgroup whose pages went to the
 * ssd equal what the tier wrote and read meanwhile.
 */
TEST_F_TIMEOUT(apply, tier_io_in_memory_stat, 900)
{
	char out[OUT_LEN];
	struct worker_resp ready, r;
	struct st_snap s0, s1, s2;
	long long out0, out1, in1, in2, written, read;

	write_conf(_metadata, self, cg_rel(self->cg), NULL, "");
	ASSERT_EQ(0, apply(self, out, sizeof(out), NULL));
	assert_applied(_metadata, self);
	st_snap_take(self->cg, 0, &s0);
	out0 = cg_stat(self->cg, "swaptier_ssd_out");
	ASSERT_EQ(0LL, out0) TH_LOG("memory.stat has no swaptier_ssd_out, or not 0");
	ASSERT_EQ(0LL, cg_stat(self->cg, "swaptier_ssd_in"));
	st_worker_start(_metadata, &self->w, self->cg, NPAGES,
			CANARY_INCOMPRESSIBLE, &ready);
	st_reclaim(self->cg, "8M", RECLAIM_MS);
	tier_writes_wait(10000);
	st_snap_after_io(self->cg, &s0, &s1);
	st_snap_print("after reclaim", &s0, &s1, true);
	written = s1.ssd.written - s0.ssd.written;
	out1 = cg_stat(self->cg, "swaptier_ssd_out");
	in1 = cg_stat(self->cg, "swaptier_ssd_in");
	ksft_print_msg("ssd written_pages +%lld, memory.stat swaptier_ssd_out %lld\n",
		       written, out1);
	ASSERT_GE(written, (long long)NPAGES / 2);
	ASSERT_EQ(written, out1);
	ASSERT_EQ(0LL, cg_stat(self->cg, "swaptier_hdd_out"));

	st_worker_check(_metadata, &self->w, &r);
	st_snap_after_io(self->cg, &s1, &s2);
	read = s2.ssd.read - s1.ssd.read;
	in2 = cg_stat(self->cg, "swaptier_ssd_in");
	ksft_print_msg("ssd read_pages +%lld, memory.stat swaptier_ssd_in %lld\n",
		       read, in2);
	ASSERT_GT(read, 0LL);
	ASSERT_EQ(read, in2 - in1);
	/* /proc/vmstat counts them too */
	ASSERT_GE(vmstat_get("swaptier_ssd_out"), out1);
	ASSERT_GE(vmstat_get("swaptier_ssd_in"), in2);
}

TEST_HARNESS_MAIN
