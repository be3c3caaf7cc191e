/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: the fixture every back-end test sets up, shared by
 * tier_test, policy_test, demote_test, bpftrace_test and tutorial_test.
 *
 * Setup:
 *   st_fixture_precheck()	the VM runner's environment, what the kernel
 *				must have, recovery of what dead earlier tests
 *				left, no swap active;
 *   st_fixture_ghost_cg()	a ghost swapfile (front end), swapped on, and a
 *				fresh memory cgroup;
 *   st_backend_on(),
 *   st_backends_on()		back ends behind the ghost (in the test);
 *   st_push_out()		the test's memory.reclaim of its pages.
 * Teardown (FIXTURE_TEARDOWN_PARENT, after a failure too):
 *   st_bt_teardown(), st_policy_off(), st_worker_end(),
 *   st_ghost_teardown() (st_harness.h), st_cg_remove().
 * bpftrace as a child of a test (bpftrace.h): st_bt_start(), st_bt_stop().
 *
 * Prerequisites follow st_harness.h: what the project provides FAILS the
 * test when missing; only what lies outside it (device-mapper here) SKIPs,
 * with the reason.  The static inline helpers take the harness's _metadata
 * and stop the test (ASSERT) on failure; they are there only where
 * kselftest_harness.h was included before this header (a test), not in
 * the library's own files: fixture.c holds what needs no harness.
 */
#ifndef SWAPTIER_SELFTEST_FIXTURE_H
#define SWAPTIER_SELFTEST_FIXTURE_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "swaptest.h"
#include "bpftrace.h"
#include "demote.h"
#include "policy.h"

/*
 * What a fixture needs besides the VM runner's environment (root, the
 * scratch directory, $SWAPCTL, the tier disks), the back-end tiers
 * (tier_available()) and cgroup v2 with the memory controller, which every
 * one of these fixtures needs.
 */
enum st_fixture_need {
	ST_NEED_DEMOTE	= 1 << 0,	/* demotion and drain: demote_available() */
	ST_NEED_POLICY	= 1 << 1,	/* pol_available(), pol_bpffs_available() */
	ST_NEED_DM	= 1 << 2,	/* device-mapper: the test SKIPs without */
};

/*
 * Does the kernel have the tiers, the cgroup memory controller and what
 * needs names (ST_NEED_DM aside)?  If not, why says what is missing.
 */
bool st_fixture_have(unsigned int needs, char *why, size_t len);

/*
 * Undo what dead earlier tests left: their policies and pins (when the
 * kernel has the policy interface: pol_recover()), then st_recover().
 * What was done is logged.  Returns the number of actions taken.
 */
int st_fixture_recover(const struct st_env *env);

#ifdef __KSELFTEST_HARNESS_H
#include "st_harness.h"

/*
 * The first step of a fixture setup: fill env (st_require_env(), swapctl
 * and disks), require what needs names (ST_NEED_DM: skip without
 * device-mapper), recover (st_fixture_recover()) and require that no swap
 * is active.  false when the test is skipped: the setup returns then.
 */
static inline bool st_fixture_precheck(struct __test_metadata *_metadata,
				       struct st_env *env, unsigned int needs)
{
	char why[512] = "", out[4096];

	st_require_env(_metadata, env, true, true);
	ASSERT_TRUE(st_fixture_have(needs, why, sizeof(why))) TH_LOG("%s", why);
	/* device-mapper is stock Linux: the one prerequisite that may skip */
	if ((needs & ST_NEED_DM) && !dm_available(why, sizeof(why)))
		SKIP(return false, "%s", why);
	st_fixture_recover(env);
	ASSERT_EQ(0, st_other_swaps(NULL, out, sizeof(out)))
		TH_LOG("swap already active before the test (the VM contract says none): %s",
		       out);
	return true;
}

/*
 * A ghost swapfile of ghost_size (st_ghost_on(): path in ghost[glen],
 * swapped on) and a fresh memory cgroup tagged tag (cg_create(): path in
 * cg[cglen]).
 */
static inline void st_fixture_ghost_cg(struct __test_metadata *_metadata,
				       const struct st_env *env, char *ghost,
				       size_t glen, const char *ghost_size,
				       const char *tag, char *cg, size_t cglen)
{
	int rc;

	st_ghost_on(_metadata, env, ghost, glen, ghost_size);
	rc = cg_create(tag, cg, cglen);
	ASSERT_EQ(0, rc) TH_LOG("mkdir cgroup %s: %s", tag, strerror(-rc));
}

/*
 * Make b a back end of tier on disk (st_backend_setup()): the whole disk
 * (size 0) or a dm-linear slice of size bytes at its start, and check
 * that the tier shows it.  false (test skipped) when a slice is asked for
 * and device-mapper is missing.
 */
static inline bool st_backend_on(struct __test_metadata *_metadata,
				 const struct st_env *env,
				 struct st_backend *b, const char *disk,
				 unsigned long long size, const char *tier)
{
	struct tier_stat t;
	char out[4096], why[256];
	int rc;

	if (size && !dm_available(why, sizeof(why)))
		SKIP(return false, "%s", why);
	rc = st_backend_setup(env, b, tier, disk, 0, size, tier, out,
			      sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("back end of tier %s on %s (size %llu): %d: %s",
				tier, disk, size, rc,
				st_oneline(out, sizeof(out)));
	rc = tier_stat_read(tier, &t);
	ASSERT_EQ(0, rc) TH_LOG("%s/%s: %s", TIER_SYSFS, tier, strerror(-rc));
	ksft_print_msg("back end %s: %s%s, tier %s, capacity %lld pages\n",
		       b->dev, size ? "dm-linear slice of " : "whole disk ",
		       disk, tier, t.capacity);
	return true;
}

/*
 * be[0] the SSD tier's back end on $SWAPTIER_SSD, be[1] the HDD tier's on
 * $SWAPTIER_HDD, each the whole disk (size 0) or a slice of it
 * (st_backend_on()).  false when the test is skipped.
 */
static inline bool st_backends_on(struct __test_metadata *_metadata,
				  const struct st_env *env,
				  struct st_backend be[2],
				  unsigned long long ssd_size,
				  unsigned long long hdd_size)
{
	return st_backend_on(_metadata, env, &be[0], env->ssd, ssd_size,
			     "ssd") &&
	       st_backend_on(_metadata, env, &be[1], env->hdd, hdd_size,
			     "hdd");
}

/*
 * Push the pages of cgroup cg out: memory.reclaim amount (budget
 * ST_PUSH_LONG_MS), and once its writes are done a second, short pass
 * (ST_PUSH_SHORT_MS) for the pages the first left in the swap cache
 * (clean, on a back end), so that as few as possible stay resident.  s1 is
 * taken once the I/O since s0 has completed (st_snap_after_io()).
 */
#define ST_PUSH_LONG_MS		40000
#define ST_PUSH_SHORT_MS	5000

static inline void st_push_out(const char *cg, const char *amount,
			       const struct st_snap *s0, struct st_snap *s1)
{
	st_reclaim(cg, amount, ST_PUSH_LONG_MS);
	tier_writes_wait(10000);
	st_reclaim(cg, amount, ST_PUSH_SHORT_MS);
	st_snap_after_io(cg, s0, s1);
}

/* ------------------------------------------------------------ teardown */

/*
 * Stop worker w: in the process that started it (owner), worker_stop();
 * in the harness parent, which did not, worker_kill_foreign().
 */
static inline void st_worker_end(struct worker *w, pid_t owner)
{
	if (getpid() == owner)
		worker_stop(w);
	else
		worker_kill_foreign(w);
}

/*
 * Remove cgroup cg ("" if none was made): cg_destroy(), or with tree
 * cg_destroy_tree() (its child cgroups first).  A failure marks the test
 * failed.
 */
static inline void st_cg_remove(struct __test_metadata *_metadata,
				const char *cg, bool tree)
{
	int err;

	if (!cg[0])
		return;
	err = tree ? cg_destroy_tree(cg) : cg_destroy(cg);
	TEARDOWN_CHECK(!err, "rmdir %s: %s", cg, strerror(-err));
}

/*
 * A policy the test may have attached to cgroup cg (NULL: the global
 * one): "$SWAPCTL policy detach [--cgroup CG]" if it is attached or
 * pinned, then remove any pin left and wait until no policy is attached.
 * Failures mark the test failed.
 */
static inline void st_policy_off(struct __test_metadata *_metadata,
				 const struct st_env *env, const char *cg)
{
	unsigned long long id = cg ? (unsigned long long)cg_id(cg) : 0;
	char out[4096], log[1024] = "";
	int err;

	if (pol_attached(id) || pol_pin_exists(id)) {
		err = cg ? st_swapctl(env, out, sizeof(out), "policy", "detach",
				      "--cgroup", cg, NULL) :
			   st_swapctl(env, out, sizeof(out), "policy", "detach",
				      NULL);
		TEARDOWN_CHECK(err == 0, "swapctl policy detach%s%s: exit %d: %s",
			       cg ? " --cgroup " : "", cg ? cg : "", err,
			       st_oneline(out, sizeof(out)));
	}
	pol_pins_remove_all(log, sizeof(log));
	err = pol_wait_none(5000, out, sizeof(out));
	TEARDOWN_CHECK(!err, "policies still attached: %s", out);
}

/* ------------------------------------------------------------ bpftrace */

/*
 * Start "bpftrace ARGS..." as bt (args: what follows the program name,
 * NULL-terminated; output files in the scratch directory) and wait until
 * its probes are attached; with attaching_line its "Attaching" line must
 * come first (see st_bt_wait_attached()).  bpftrace must be installed
 * (scripts/install-deps installs it): without it the test fails.
 */
static inline void st_bt_start(struct __test_metadata *_metadata,
			       const struct st_env *env, struct st_bt *bt,
			       char *const args[], bool attaching_line)
{
	char bpftrace[PATH_MAX], err[2048], cmd[1024] = "";
	char *argv[16];
	double t0 = st_now(), t_att = 0;
	int n = 0, status = 0, rc;

	rc = st_bt_find(bpftrace, sizeof(bpftrace));
	ASSERT_EQ(0, rc)
		TH_LOG("bpftrace not found in PATH (%s): the project's scripts/install-deps installs it",
		       getenv("PATH") ? getenv("PATH") : "unset");
	argv[n++] = bpftrace;
	for (; *args && n < 15; args++) {
		argv[n++] = *args;
		st_appendf(cmd, sizeof(cmd), " %s", *args);
	}
	argv[n] = NULL;
	rc = st_bt_spawn(bt, env->scratch, "bt", argv);
	ASSERT_EQ(0, rc) TH_LOG("starting bpftrace%s: %s", cmd, strerror(-rc));
	ksft_print_msg("started bpftrace%s (pid %d)\n", cmd, (int)bt->pid);
	rc = st_bt_wait_attached(bt, ST_BT_START_S, attaching_line, &t_att,
				 &status, err, sizeof(err));
	ASSERT_NE(-ECHILD, rc)
		TH_LOG("bpftrace%s exited (status 0x%x) before attaching: %s",
		       cmd, status, st_oneline(err, sizeof(err)));
	ASSERT_EQ(0, rc)
		TH_LOG("bpftrace%s not attached after %d s%s: %s",
		       cmd, ST_BT_START_S,
		       !attaching_line ? "" : t_att ?
		       " (\"Attaching\" line seen)" : " (no \"Attaching\" line)",
		       st_oneline(err, sizeof(err)));
	if (attaching_line)
		ksft_print_msg("bpftrace: \"Attaching\" after %.1f s, probes attached after %.1f s\n",
			       t_att - t0, st_now() - t0);
	else
		ksft_print_msg("bpftrace: probes attached after %.1f s\n",
			       st_now() - t0);
}

/*
 * Stop bt with SIGINT, wait for it to print its totals and exit, and
 * return what it printed (the caller frees it), logged as what
 * (st_bt_print()).  It must exit with status 0 within ST_BT_STOP_S, and
 * print no map key twice in a block (st_bt_dup_key()).
 */
static inline char *st_bt_stop(struct __test_metadata *_metadata,
			       struct st_bt *bt, const char *what)
{
	double t0 = st_now();
	char err[2048];
	const char *dup;
	char *buf;
	int status = 0, rc;
	ssize_t n;

	ASSERT_GT(bt->pid, 0) TH_LOG("bpftrace (%s) not running", what);
	rc = st_bt_interrupt(bt, ST_BT_STOP_S, &status);
	ASSERT_EQ(0, rc) TH_LOG("bpftrace did not exit within %d s of SIGINT",
				ST_BT_STOP_S);
	buf = malloc(ST_BT_OUT_LEN);
	ASSERT_NE(NULL, buf);
	n = st_read_file(bt->out, buf, ST_BT_OUT_LEN);
	ASSERT_GE(n, 0) TH_LOG("%s: %s", bt->out, strerror((int)-n));
	err[0] = '\0';
	st_read_file(bt->err, err, sizeof(err));
	ksft_print_msg("bpftrace exited (status 0x%x) after %.1f s; stderr: %s\n",
		       status, st_now() - t0, st_oneline(err, sizeof(err)));
	st_bt_print(what, buf);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("bpftrace exit status 0x%x", status);
	dup = st_bt_dup_key(buf);
	ASSERT_EQ(NULL, dup)
		TH_LOG("a map key printed twice in one block: %.*s",
		       (int)(strchrnul(dup, '\n') - dup), dup);
	return buf;
}

/* Teardown of bt (st_bt_cleanup()): a bpftrace that will not die fails. */
static inline void st_bt_teardown(struct __test_metadata *_metadata,
				  struct st_bt *bt)
{
	pid_t pid = bt->pid;

	TEARDOWN_CHECK(st_bt_cleanup(bt), "bpftrace %d does not die",
		       (int)pid);
}

#endif /* __KSELFTEST_HARNESS_H */

#endif
