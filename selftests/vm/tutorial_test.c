// SPDX-License-Identifier: GPL-2.0
/*
 * tutorial_test: the policy of docs/tutorial.md (ssd_cap), built exactly as
 * the tutorial prints it, does what the tutorial says.
 *
 * selftests/vm/Makefile cuts the tutorial's files out of docs/tutorial.md
 * (selftests/extract-tutorial), stages "make install" and builds the
 * policy of each step with the tutorial's own Makefile against the staged
 * headers only, into <dir of this binary>/tutorial/ ($SWAPTIER_TUTORIAL_DIR
 * overrides it):
 *   src/ssd_cap.bpf.o, src/step1/ssd_cap.bpf.o, src/step2/ssd_cap.bpf.o
 *   destdir/usr/local/share/swaptier/bpftrace/  (the installed scripts)
 * The tests run the tutorial's commands from src/ (so "./ssd_cap.bpf.o" is
 * the tutorial's object): swapctl policy load/show/stats/replace/detach,
 * and the installed swaptier-cgroup.bt under bpftrace.
 *
 * The workload is that of the tutorial's step 6: a cgroup jobs/a (a child
 * of the cgroup the policy is attached to) holding NPAGES incompressible
 * canary pages, pushed out with memory.reclaim.  zswap refuses every one,
 * so each goes through the policy's writeback(): the first CAP_PAGES to the
 * SSD, the rest to the HDD.  Checked against the kernel's counters:
 * memory.stat swaptier_ssd/swaptier_hdd, the tiers' written_pages and
 * read_pages, the policy's sysfs figures, the policy's .bss counters, and
 * what the bpftrace script printed.  Every byte of every page is verified
 * after the swap-in.
 *
 * Environment: that of policy_test (root, cgroup v2 with +memory, zswap
 * enabled, no swap active, SWAPCTL, SWAPTIER_SCRATCH, SWAPTIER_SSD,
 * SWAPTIER_HDD, bpffs) and bpftrace in PATH.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "fixture.h"

#define GHOST_SIZE		"256M"
#define MAX_BACKENDS		2

/* The tutorial's figures: cap_mib=2 for jobs, 8 MiB of data in jobs/a. */
#define CAP_MIB			2
#define CAP_PAGES		(CAP_MIB * 256)
#define NPAGES			2048
/*
 * The cap is checked before the slot is handed out: reclaim running on
 * both CPUs at once may put a page or two more on the SSD.
 */
#define CAP_SLACK		8

#define RECLAIM_LONG_MS		40000
#define RECLAIM_SHORT_MS	10000
#define SWAPCTL_TIMEOUT_S	60
#define DETACH_WAIT_MS		5000
#define OUT_LEN			8192

FIXTURE(tutorial) {
	struct st_env env;
	char ghost[PATH_MAX];
	char jobs[PATH_MAX];		/* the policy's cgroup */
	char a[PATH_MAX];		/* jobs/a, the workload's */
	struct worker w;
	pid_t owner;
	struct st_backend be[MAX_BACKENDS];	/* 0: ssd, 1: hdd */
	char src[PATH_MAX];		/* the extracted, built tutorial files */
	char bt_dir[PATH_MAX];		/* the installed bpftrace scripts */
	struct st_bt bt;			/* bpftrace */
	bool global, cgroup;		/* may have attached there */
};

/* <dir of this binary>, and the tree it was built in (../..). */
static void exe_dir(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0) {
		snprintf(buf, len, ".");
		return;
	}
	exe[n] = '\0';
	snprintf(buf, len, "%s", dirname(exe));
}

static void find_paths(struct __test_metadata *_metadata,
		       FIXTURE_DATA(tutorial) *self)
{
	const char *dir = getenv("SWAPTIER_TUTORIAL_DIR");
	char here[PATH_MAX], obj[PATH_MAX + 32];

	exe_dir(here, sizeof(here));
	snprintf(self->src, sizeof(self->src), "%.3000s/src",
		 dir && dir[0] ? dir : strcat(here, "/tutorial"));
	snprintf(self->bt_dir, sizeof(self->bt_dir),
		 "%.3000s/../destdir/usr/local/share/swaptier/bpftrace",
		 self->src);
	snprintf(obj, sizeof(obj), "%s/ssd_cap.bpf.o", self->src);
	ASSERT_EQ(0, access(obj, R_OK))
		TH_LOG("%s: %s (make selftests builds it from docs/tutorial.md)",
		       obj, strerror(errno));
}

FIXTURE_SETUP(tutorial)
{
	int rc;

	self->w = (struct worker)WORKER_INIT;
	self->owner = getpid();
	self->bt = (struct st_bt)ST_BT_INIT;
	st_fixture_precheck(_metadata, &self->env, ST_NEED_POLICY);
	find_paths(_metadata, self);
	st_fixture_ghost_cg(_metadata, &self->env, self->ghost,
			    sizeof(self->ghost), GHOST_SIZE, "tutorial",
			    self->jobs, sizeof(self->jobs));
	rc = cg_create_child(self->jobs, "a", self->a, sizeof(self->a));
	ASSERT_EQ(0, rc) TH_LOG("mkdir %s/a: %s", self->jobs, strerror(-rc));
	/* the tutorial's commands run where its files are */
	ASSERT_EQ(0, chdir(self->src)) TH_LOG("cd %s: %s", self->src,
					      strerror(errno));
}

/*
 * In the harness parent, after a failure too: bpftrace, the policies, the
 * worker, the ghost and back ends, the cgroups.
 */
FIXTURE_TEARDOWN_PARENT(tutorial)
{
	char out[OUT_LEN], log[1024] = "";
	int err;

	st_bt_teardown(_metadata, &self->bt);
	if (self->cgroup && pol_attached((unsigned long long)cg_id(self->jobs))) {
		err = st_swapctl(&self->env, out, sizeof(out), "policy",
				 "detach", "--cgroup", self->jobs, NULL);
		TEARDOWN_CHECK(err == 0, "swapctl policy detach --cgroup: exit %d: %s",
			       err, st_oneline(out, sizeof(out)));
	}
	if (self->global && pol_attached(0)) {
		err = st_swapctl(&self->env, out, sizeof(out), "policy",
				 "detach", NULL);
		TEARDOWN_CHECK(err == 0, "swapctl policy detach: exit %d: %s",
			       err, st_oneline(out, sizeof(out)));
	}
	if (pol_pins_list(out, sizeof(out)) > 0) {
		pol_pins_remove_all(log, sizeof(log));
		TEARDOWN_CHECK(0, "pins left in %s: %s", POL_PIN_DIR, log);
	}
	err = pol_wait_none(DETACH_WAIT_MS, out, sizeof(out));
	TEARDOWN_CHECK(!err, "policies still attached: %s", out);
	st_worker_end(&self->w, self->owner);
	st_ghost_teardown(_metadata, self->ghost, self->be, MAX_BACKENDS);
	st_cg_remove(_metadata, self->jobs, true);
}

/* ------------------------------------------------------------ helpers */

/*
 * "swapctl ARGS..." as the tutorial writes it (argv without swapctl
 * itself, NULL-terminated): exit status, output in out, logged.
 */
static int swapctl(FIXTURE_DATA(tutorial) *self, char *out, size_t len,
		   char *const *args)
{
	char *argv[16], cmd[1024] = "swapctl";
	double t0 = st_now();
	int n = 0, rc;

	argv[n++] = (char *)self->env.swapctl;
	for (; *args && n < 15; args++) {
		argv[n++] = *args;
		st_appendf(cmd, sizeof(cmd), " %s", *args);
	}
	argv[n] = NULL;
	rc = st_run(argv, out, len, SWAPCTL_TIMEOUT_S);
	ksft_print_msg("# %s: exit %d after %.1f s\n", cmd, rc,
		       st_now() - t0);
	ksft_print_msg("%s\n", st_oneline(out, len));
	return rc;
}

#define SWAPCTL(self, out, ...) \
	swapctl(self, out, sizeof(out), (char *const[]){ __VA_ARGS__, NULL })

/*
 * "swapctl policy stats ssd_cap [--cgroup CG]" (the tutorial's command):
 * the value of the variable var ("    var = N"), -1 if absent.
 */
static long long stats_var(struct __test_metadata *_metadata,
			   FIXTURE_DATA(tutorial) *self, const char *cg,
			   const char *var)
{
	char *argv[] = { (char *)self->env.swapctl, "policy", "stats",
			 "ssd_cap", cg ? "--cgroup" : NULL, (char *)cg, NULL };
	char out[OUT_LEN], key[64];
	long long v = -1;
	const char *p;
	int rc;

	rc = st_run(argv, out, sizeof(out), 30);
	ksft_print_msg("# swapctl policy stats ssd_cap%s%s: exit %d\n%s",
		       cg ? " --cgroup " : "", cg ? cg : "", rc, out);
	snprintf(key, sizeof(key), "\n    %s = ", var);
	p = strstr(out, key);
	if (p)
		v = strtoll(p + strlen(key), NULL, 10);
	EXPECT_EQ(0, rc) TH_LOG("swapctl policy stats ssd_cap failed");
	return v;
}

/* memory.stat swaptier_<tier> of cg, in pages; the key must be there. */
static long long cg_tier(struct __test_metadata *_metadata, const char *cg,
			 const char *tier)
{
	char key[32];
	long long b;

	snprintf(key, sizeof(key), "swaptier_%s", tier);
	b = cg_stat(cg, key);
	ASSERT_GE(b, 0LL) TH_LOG("memory.stat of %s has no %s", cg, key);
	return b / (long long)st_page_size();
}

/* The policy attached to target id has this name. */
static void assert_policy(struct __test_metadata *_metadata, long long id,
			  const char *name, struct pol_stat *ps)
{
	char t[32];
	int rc;

	pol_target_name((unsigned long long)id, t, sizeof(t));
	rc = pol_stat_read((unsigned long long)id, ps);
	ASSERT_EQ(0, rc) TH_LOG("%s/%s: %s", POL_SYSFS, t, strerror(-rc));
	ASSERT_STREQ(name, ps->name) TH_LOG("%s/%s/name", POL_SYSFS, t);
	ASSERT_EQ(id, ps->cgroup_id) TH_LOG("%s/%s/cgroup_id", POL_SYSFS, t);
	ASSERT_TRUE(pol_pin_exists((unsigned long long)id))
		TH_LOG("no pin for %s", t);
}

/* ------------------------------------------------------------ bpftrace */

/*
 * "bpftrace SCRIPT ARG1 ARG2" as the tutorial runs it, with the installed
 * script; returns once bpftrace says its probes are attached.
 */
static void bt_run(struct __test_metadata *_metadata,
		   FIXTURE_DATA(tutorial) *self, const char *script,
		   const char *arg1, const char *arg2)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", self->bt_dir, script);
	ASSERT_EQ(0, access(path, R_OK))
		TH_LOG("%s: %s (the staged make install puts it there)", path,
		       strerror(errno));
	st_bt_start(_metadata, &self->env, &self->bt,
		    (char *const[]){ path, (char *)arg1, (char *)arg2, NULL },
		    false);
}

/* ------------------------------------------------------------ tests */

/*
 * Steps 5 to 7 on a cgroup: load with cap_mib=2 on jobs, the workload of
 * step 6 in jobs/a, every figure step 6 names, replace, detach.
 */
TEST_F_TIMEOUT(tutorial, cgroup_cap, 900)
{
	char out[OUT_LEN], set[32];
	struct worker_resp ready, r;
	struct st_snap s0, s1, s2;
	struct pol_stat ps;
	long long id, on_ssd, on_hdd, ssd_w, hdd_w, ssd_r, hdd_r;
	char *text;

	id = cg_id(self->jobs);
	ASSERT_GT(id, 0LL);
	st_backends_on(_metadata, &self->env, self->be, 0, 0);

	/* step 5 */
	self->cgroup = true;
	snprintf(set, sizeof(set), "cap_mib=%d", CAP_MIB);
	ASSERT_EQ(0, SWAPCTL(self, out, "policy", "load", "./ssd_cap.bpf.o",
			     "--cgroup", self->jobs, "--set", set));
	assert_policy(_metadata, id, "ssd_cap", &ps);
	ASSERT_EQ(CAP_MIB, stats_var(_metadata, self, self->jobs, "cap_mib"));
	ASSERT_EQ(0, stats_var(_metadata, self, self->jobs, "ssd_pages"));

	/* step 6: the script first, then the workload */
	bt_run(_metadata, self, "swaptier-cgroup.bt", self->a, "1");
	st_snap_take(self->a, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	ASSERT_EQ(0LL, cg_tier(_metadata, self->a, "ssd"));
	ASSERT_EQ(0LL, cg_tier(_metadata, self->a, "hdd"));
	st_worker_start(_metadata, &self->w, self->a, NPAGES,
			CANARY_INCOMPRESSIBLE, &ready);
	/* "echo 8M > memory.reclaim", and once more for what was in flight */
	st_reclaim(self->a, "8M", RECLAIM_LONG_MS);
	tier_writes_wait(10000);
	st_reclaim(self->a, "8M", RECLAIM_SHORT_MS);
	st_snap_after_io(self->a, &s0, &s1);
	st_snap_print("after reclaim", &s0, &s1, true);

	ASSERT_EQ(0, SWAPCTL(self, out, "policy", "show", "--cgroup",
			     self->jobs));
	ASSERT_TRUE(strstr(out, "ssd_cap") != NULL)
		TH_LOG("policy show does not name ssd_cap");
	assert_policy(_metadata, id, "ssd_cap", &ps);
	on_ssd = cg_tier(_metadata, self->a, "ssd");
	on_hdd = cg_tier(_metadata, self->a, "hdd");
	ssd_w = s1.ssd.written - s0.ssd.written;
	hdd_w = s1.hdd.written - s0.hdd.written;
	ksft_print_msg("memory.stat of jobs/a: swaptier_ssd %lld pages, swaptier_hdd %lld pages; written_pages ssd +%lld hdd +%lld; writeback() calls %lld, errors %lld\n",
		       on_ssd, on_hdd, ssd_w, hdd_w, ps.writeback, ps.errors);
	ASSERT_GE(ssd_w + hdd_w, (long long)NPAGES / 2)
		TH_LOG("reclaim pushed only %lld pages out", ssd_w + hdd_w);
	ASSERT_EQ(0LL, s1.ssd.write_errors - s0.ssd.write_errors +
		       s1.hdd.write_errors - s0.hdd.write_errors);
	ASSERT_EQ(s0.reject, s1.reject)
		TH_LOG("pages stayed in memory although the HDD had room");
	/* the cap: 2 MiB of jobs/a on the SSD, the rest on the HDD */
	ASSERT_GE(on_ssd, (long long)CAP_PAGES);
	ASSERT_LE(on_ssd, (long long)(CAP_PAGES + CAP_SLACK))
		TH_LOG("%lld pages of jobs/a on the SSD, cap %d", on_ssd,
		       CAP_PAGES);
	ASSERT_GT(on_hdd, 0LL);
	ASSERT_EQ(ssd_w, on_ssd) TH_LOG("SSD writes of others?");
	ASSERT_EQ(hdd_w, on_hdd) TH_LOG("HDD writes of others?");
	ASSERT_GE(ps.writeback, ssd_w + hdd_w);
	ASSERT_EQ(0LL, ps.errors);
	/* step 3's counters, as the tutorial reads them */
	ASSERT_EQ(ssd_w, stats_var(_metadata, self, self->jobs, "ssd_pages"));
	ASSERT_EQ(hdd_w, stats_var(_metadata, self, self->jobs, "hdd_pages"));

	/* the job reads its data again: every byte */
	st_worker_check(_metadata, &self->w, &r);
	st_snap_after_io(self->a, &s1, &s2);
	st_snap_print("after verify", &s1, &s2, true);
	ssd_r = s2.ssd.read - s1.ssd.read;
	hdd_r = s2.hdd.read - s1.hdd.read;
	ASSERT_GE(ssd_r + hdd_r, on_ssd + on_hdd - r.resident);
	ASSERT_EQ(0LL, s2.ssd.read_errors - s1.ssd.read_errors +
		       s2.hdd.read_errors - s1.hdd.read_errors);

	text = st_bt_stop(_metadata, &self->bt, "swaptier-cgroup");
	ASSERT_TRUE(st_bt_line(text, "totals"))
		TH_LOG("no totals line in bpftrace's output");
	ksft_print_msg("script: in ssd %lld hdd %lld (place), out ssd %lld hdd %lld (swapin) | counters: written ssd +%lld hdd +%lld, read ssd +%lld hdd +%lld\n",
		       st_bt_val(text, "@total_in[ssd, place]"),
		       st_bt_val(text, "@total_in[hdd, place]"),
		       st_bt_val(text, "@total_out[ssd, swapin]"),
		       st_bt_val(text, "@total_out[hdd, swapin]"),
		       ssd_w, hdd_w, ssd_r, hdd_r);
	EXPECT_EQ(ssd_w, st_bt_val(text, "@total_in[ssd, place]"));
	EXPECT_EQ(hdd_w, st_bt_val(text, "@total_in[hdd, place]"));
	EXPECT_EQ(ssd_r, st_bt_val(text, "@total_out[ssd, swapin]"));
	EXPECT_EQ(hdd_r, st_bt_val(text, "@total_out[hdd, swapin]"));
	/* nothing went through zswap or moved */
	EXPECT_EQ(0LL, st_bt_val(text, "@total_in[ssd, writeback]"));
	EXPECT_EQ(0LL, st_bt_val(text, "@total_in[hdd, writeback]"));
	EXPECT_EQ(0LL, st_bt_val(text, "@total_in[hdd, move]"));
	free(text);

	/* step 7 */
	ASSERT_EQ(0, SWAPCTL(self, out, "policy", "replace", "default",
			     "--cgroup", self->jobs));
	assert_policy(_metadata, id, "default", &ps);
	ASSERT_EQ(0, SWAPCTL(self, out, "policy", "replace", "./ssd_cap.bpf.o",
			     "--cgroup", self->jobs, "--set", "cap_mib=4"));
	assert_policy(_metadata, id, "ssd_cap", &ps);
	ASSERT_EQ(4, stats_var(_metadata, self, self->jobs, "cap_mib"));
	ASSERT_EQ(0, SWAPCTL(self, out, "policy", "detach", "--cgroup",
			     self->jobs));
	ASSERT_EQ(0, pol_wait_detached((unsigned long long)id, DETACH_WAIT_MS));
	ASSERT_FALSE(pol_pin_exists((unsigned long long)id));
}

/*
 * Step 5 globally (default cap, detach, cap_mib=1024), next to the cgroup
 * policy; the objects of steps 1 and 2 load too; step 7's detaches.
 */
TEST_F_TIMEOUT(tutorial, global_and_steps, 600)
{
	static const char *const steps[] = { "./step1/ssd_cap.bpf.o",
					     "./step2/ssd_cap.bpf.o" };
	char out[OUT_LEN];
	struct pol_stat ps;
	long long id;
	size_t i;

	id = cg_id(self->jobs);
	ASSERT_GT(id, 0LL);
	st_backends_on(_metadata, &self->env, self->be, 0, 0);

	self->global = true;
	ASSERT_EQ(0, SWAPCTL(self, out, "policy", "load", "./ssd_cap.bpf.o"));
	assert_policy(_metadata, 0, "ssd_cap", &ps);
	ASSERT_EQ(64, stats_var(_metadata, self, NULL, "cap_mib"));
	ASSERT_EQ(0, SWAPCTL(self, out, "policy", "detach"));
	ASSERT_EQ(0, pol_wait_detached(0, DETACH_WAIT_MS));
	ASSERT_EQ(0, SWAPCTL(self, out, "policy", "load", "./ssd_cap.bpf.o",
			     "--set", "cap_mib=1024"));
	assert_policy(_metadata, 0, "ssd_cap", &ps);
	ASSERT_EQ(1024, stats_var(_metadata, self, NULL, "cap_mib"));

	/* both targets at once; a second load on a target: status 32 */
	self->cgroup = true;
	ASSERT_EQ(0, SWAPCTL(self, out, "policy", "load", "./ssd_cap.bpf.o",
			     "--cgroup", self->jobs, "--set", "cap_mib=2"));
	assert_policy(_metadata, id, "ssd_cap", &ps);
	ASSERT_EQ(32, SWAPCTL(self, out, "policy", "load", "./ssd_cap.bpf.o",
			      "--cgroup", self->jobs));
	ASSERT_TRUE(strstr(out, "policy replace") != NULL);
	ASSERT_EQ(0, SWAPCTL(self, out, "policy", "show"));
	ASSERT_TRUE(strstr(out, "global") &&
		    strstr(out, strrchr(self->jobs, '/') + 1))
		TH_LOG("policy show lists neither target");
	ASSERT_EQ(0, SWAPCTL(self, out, "policy", "detach", "--cgroup",
			     self->jobs));
	ASSERT_EQ(0, pol_wait_detached((unsigned long long)id, DETACH_WAIT_MS));
	ASSERT_EQ(0, SWAPCTL(self, out, "policy", "detach"));
	ASSERT_EQ(0, pol_wait_detached(0, DETACH_WAIT_MS));

	/* the policies of steps 1 and 2, as printed, pass the verifier */
	for (i = 0; i < ST_ARRAY_SIZE(steps); i++) {
		ASSERT_EQ(0, SWAPCTL(self, out, "policy", "load", (char *)steps[i],
				     "--cgroup", self->jobs));
		assert_policy(_metadata, id, "ssd_cap", &ps);
		ASSERT_EQ(0, SWAPCTL(self, out, "policy", "detach", "--cgroup",
				     self->jobs));
		ASSERT_EQ(0, pol_wait_detached((unsigned long long)id,
					       DETACH_WAIT_MS));
	}
	ASSERT_EQ(0, pol_list(out, sizeof(out))) TH_LOG("still attached: %s",
						       out);
}

TEST_HARNESS_MAIN
