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
 * wait up to ST_BT_START_S (lib/bpftrace.h) for its "Attaching N
 * probes..." line and the notification bpftrace gives once every probe
 * is attached (__BPFTRACE_NOTIFY_PROBES_ATTACHED, on its standard error).
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
#include "fixture.h"

#define GHOST_SIZE		"256M"
#define MAX_BACKENDS		2
#define MAX_BT			2

#define SWAPCTL_TIMEOUT_S	60

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
	struct st_bt bt[MAX_BT];		/* bpftrace children */
	long long policy_id;			/* >0: a policy may be attached */
};

FIXTURE_SETUP(bt)
{
	int i;

	self->w = (struct worker)WORKER_INIT;
	self->owner = getpid();
	for (i = 0; i < MAX_BT; i++)
		self->bt[i] = (struct st_bt)ST_BT_INIT;
	st_fixture_precheck(_metadata, &self->env, ST_NEED_DEMOTE);
	st_fixture_ghost_cg(_metadata, &self->env, self->ghost,
			    sizeof(self->ghost), GHOST_SIZE, "bt", self->cg,
			    sizeof(self->cg));
}

/*
 * Runs in the harness parent after the test process ends, even after a
 * failure: bpftrace (SIGKILL detaches its probes), the policy, the
 * worker, the ghost (its entries own the back-end slots), the back ends,
 * the cgroup.
 */
FIXTURE_TEARDOWN_PARENT(bt)
{
	int i;

	for (i = 0; i < MAX_BT; i++)
		st_bt_teardown(_metadata, &self->bt[i]);
	if (self->policy_id > 0)
		st_policy_off(_metadata, &self->env, self->cg);
	st_worker_end(&self->w, self->owner);
	st_ghost_teardown(_metadata, self->ghost, self->be, MAX_BACKENDS);
	st_cg_remove(_metadata, self->cg, false);
}

/* ------------------------------------------------------------ bpftrace */

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

/*
 * Start "bpftrace -B none SCRIPT ARGS..." as bpftrace instance i and wait
 * until it has attached its probes (its "Attaching" line first).
 */
static void bt_start(struct __test_metadata *_metadata,
		     FIXTURE_DATA(bt) *self, int i, const char *script,
		     const char *arg1, const char *arg2)
{
	char path[PATH_MAX];

	bt_script(_metadata, script, path, sizeof(path));
	st_bt_start(_metadata, &self->env, &self->bt[i],
		    (char *const[]){ "-B", "none", path, (char *)arg1,
				     (char *)arg2, NULL }, true);
}

/* ------------------------------------------------------------ helpers */

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

	st_backends_on(_metadata, &self->env, self->be, 0, 0);
	bt_start(_metadata, self, 0, "swaptier-cgroup.bt", self->cg, "1");

	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	ASSERT_EQ(0LL, cg_tier_pages(_metadata, self->cg, "ssd"));
	st_worker_start(_metadata, &self->w, self->cg, NPAGES,
			CANARY_INCOMPRESSIBLE, &ready);
	st_push_out(self->cg, "8M", &s0, &s1);
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

	text = st_bt_stop(_metadata, &self->bt[0], "swaptier-cgroup");
	ASSERT_TRUE(st_bt_line(text, "totals")) TH_LOG("no totals line");
	place = st_bt_val(text, "@total_in[ssd, place]");
	to_hdd = st_bt_val(text, "@total_in[hdd, move]");
	ksft_print_msg("script: ssd place %lld, ssd move out %lld, hdd move in %lld, hdd swapin %lld | counters: ssd written +%lld, memory.stat swaptier_ssd %lld pages, ssd drained +%lld, hdd written +%lld, hdd read +%lld\n",
		       place, st_bt_val(text, "@total_out[ssd, move]"), to_hdd,
		       st_bt_val(text, "@total_out[hdd, swapin]"),
		       s1.ssd.written - s0.ssd.written, on_ssd, drained,
		       s2.hdd.written - s1.hdd.written,
		       s3.hdd.read - s2.hdd.read);
	ASSERT_EQ(s1.ssd.written - s0.ssd.written, place);
	ASSERT_EQ(on_ssd, place)
		TH_LOG("memory.stat swaptier_ssd says %lld pages", on_ssd);
	ASSERT_EQ(drained, st_bt_val(text, "@total_out[ssd, move]"));
	ASSERT_EQ(s2.hdd.written - s1.hdd.written, to_hdd);
	ASSERT_GT(to_hdd, 0LL);
	ASSERT_EQ(s3.hdd.read - s2.hdd.read,
		  st_bt_val(text, "@total_out[hdd, swapin]"));
	ASSERT_GT(s3.hdd.read - s2.hdd.read, 0LL);
	/* Flows that did not happen. */
	ASSERT_EQ(0LL, st_bt_val(text, "@total_in[ssd, writeback]"));
	ASSERT_EQ(0LL, st_bt_val(text, "@total_in[hdd, place]"));
	/* The SSD's reads were the drain's (read_pages counts moves too). */
	ASSERT_EQ(0LL, st_bt_val(text, "@total_out[ssd, swapin]"));
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

	st_backends_on(_metadata, &self->env, self->be, 0, 0);
	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	st_worker_start(_metadata, &self->w, self->cg, NPAGES, CANARY_MIXED,
			&ready);
	st_push_out(self->cg, "8M", &s0, &s1);
	st_snap_print("after reclaim", &s0, &s1, true);
	ASSERT_GT(s1.ssd.written - s0.ssd.written, 0LL);
	ASSERT_GT(s1.zswpout - s0.zswpout, 0LL);

	bt_start(_metadata, self, 0, "swaptier-swapin-latency.bt", self->cg,
		 NULL);
	st_snap_take(self->cg, ST_STATS_SETTLE_MS, &s1);
	st_worker_check(_metadata, &self->w, &r);
	st_snap_after_io(self->cg, &s1, &s2);
	st_snap_print("after verify", &s1, &s2, true);

	text = st_bt_stop(_metadata, &self->bt[0], "swaptier-swapin-latency");
	zs = st_bt_val(text, "@swapin_pages[zswap]");
	ssd = st_bt_val(text, "@swapin_pages[ssd]");
	ksft_print_msg("script: zswap %lld swap-ins (histogram %lld), ssd %lld (histogram %lld), read errors %lld | counters: memory.stat zswpin +%lld, ssd read_pages +%lld, read_errors +%lld\n",
		       zs, st_bt_hist_count(text, "@swapin_us[zswap]"), ssd,
		       st_bt_hist_count(text, "@swapin_us[ssd]"),
		       st_bt_sum(text, "@read_errors["), s2.zswpin - s1.zswpin,
		       s2.ssd.read - s1.ssd.read,
		       s2.ssd.read_errors - s1.ssd.read_errors);
	ASSERT_GT(zs, 0LL);
	ASSERT_GT(ssd, 0LL);
	ASSERT_EQ(s2.zswpin - s1.zswpin, zs);
	ASSERT_EQ(s2.ssd.read - s1.ssd.read, ssd);
	ASSERT_EQ(zs, st_bt_hist_count(text, "@swapin_us[zswap]"));
	ASSERT_EQ(ssd, st_bt_hist_count(text, "@swapin_us[ssd]"));
	ASSERT_EQ(0LL, st_bt_val(text, "@swapin_pages[hdd]"));
	ASSERT_EQ(s2.ssd.read_errors - s1.ssd.read_errors +
		  s2.hdd.read_errors - s1.hdd.read_errors,
		  st_bt_sum(text, "@read_errors["));
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

	st_backends_on(_metadata, &self->env, self->be, 0, 0);
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "64K"));
	bt_start(_metadata, self, 0, "swaptier-moves.bt", "1", NULL);

	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	st_worker_start(_metadata, &self->w, self->cg, NPAGES, CANARY_MIXED,
			&ready);
	st_push_out(self->cg, "8M", &s0, &s1);
	st_snap_print("after reclaim", &s0, &s1, true);

	drained0 = tier_ll("ssd", "drained_pages");
	drain(_metadata, self, 0);
	drained = tier_ll("ssd", "drained_pages") - drained0;
	wait_written("hdd", s1.hdd.written + drained);
	st_snap_after_io(self->cg, &s1, &s2);
	st_snap_print("after the drain", &s1, &s2, true);

	text = st_bt_stop(_metadata, &self->bt[0], "swaptier-moves");
	place = st_bt_val(text, "@total_place[ssd]");
	wb = st_bt_val(text, "@total_writeback[ssd]");
	moved = st_bt_sum(text, "@total_move[ssd, ");
	to_hdd = st_bt_val(text, "@total_move[ssd, hdd, drain]");
	ksft_print_msg("script: place ssd %lld, writeback ssd %lld, moves from ssd %lld (to hdd %lld), drain moved %lld | counters: ssd written +%lld, vmstat zswpwb +%lld, ssd drained +%lld, hdd written +%lld\n",
		       place, wb, moved, to_hdd,
		       st_bt_val(text, "@total_drain_moved[ssd]"),
		       s1.ssd.written - s0.ssd.written,
		       s1.g_zswpwb - s0.g_zswpwb, drained,
		       s2.hdd.written - s1.hdd.written);
	ASSERT_GT(place, 0LL);
	ASSERT_EQ(s1.ssd.written - s0.ssd.written, place + wb);
	ASSERT_EQ(s1.g_zswpwb - s0.g_zswpwb, wb);
	ASSERT_EQ(0LL, st_bt_sum(text, "@total_place[hdd"));
	ASSERT_GT(drained, 0LL);
	ASSERT_EQ(drained, moved);
	ASSERT_EQ(drained, st_bt_sum(text, "@total_move["))
		TH_LOG("moves other than the drain's");
	ASSERT_EQ(s2.hdd.written - s1.hdd.written, to_hdd);
	ASSERT_EQ(drained, st_bt_val(text, "@total_drain_moved[ssd]"));
	ASSERT_EQ(1LL, st_bt_val(text, "@total_drain_runs[ssd]"));
	ASSERT_EQ(0LL, st_bt_val(text, "@total_drain_remaining[ssd]"));
	ASSERT_EQ(0LL, st_bt_sum(text, "@total_drain_errors["));
	ASSERT_EQ(0LL, st_bt_sum(text, "@total_demote_runs["));
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
	st_backends_on(_metadata, &self->env, self->be, 0, 0);
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
	st_push_out(self->cg, "4M", &s0, &s1);
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

	text = st_bt_stop(_metadata, &self->bt[0], "swaptier-policy");
	errs = st_bt_sum(text, "@policy_errors[");
	snprintf(line, sizeof(line), "@place_pages[%lld, ssd]", id);
	placed = st_bt_val(text, line);
	snprintf(line, sizeof(line), "@writeback_pages[%lld, ssd]", id);
	placed += st_bt_val(text, line);
	ksft_print_msg("script: %lld invalid verdicts, %lld pages placed or written back to the ssd, %lld rejected | counters: policy errors %lld, ssd written +%lld, swpout_ghost_reject +%lld\n",
		       errs, placed, st_bt_sum(text, "@reject_pages["), ps.errors,
		       s1.ssd.written - s0.ssd.written, s1.reject - s0.reject);

	snprintf(line, sizeof(line), "attach cgroup_id=%lld name=garbage", id);
	ASSERT_TRUE(st_bt_line(text, line)) TH_LOG("no line \"%s\"", line);
	snprintf(line, sizeof(line),
		 "replace cgroup_id=%lld old=garbage name=default", id);
	ASSERT_TRUE(st_bt_line(text, line)) TH_LOG("no line \"%s\"", line);
	snprintf(line, sizeof(line),
		 "detach cgroup_id=%lld name=default kind=detach", id);
	ASSERT_TRUE(st_bt_line(text, line)) TH_LOG("no line \"%s\"", line);
	ASSERT_GT(ps.errors, 0LL);
	ASSERT_EQ(ps.errors, errs);
	snprintf(line, sizeof(line), "@policy_errors[%lld, garbage, ", id);
	ASSERT_EQ(errs, st_bt_sum(text, line))
		TH_LOG("errors not of garbage on cgroup %lld", id);
	ASSERT_EQ(s1.ssd.written - s0.ssd.written, placed);
	ASSERT_GT(placed, 0LL);
	ASSERT_EQ(s1.reject - s0.reject, st_bt_sum(text, "@reject_pages["));
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
	st_backends_on(_metadata, &self->env, self->be, 0, 0);
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

	text = st_bt_stop(_metadata, &self->bt[0], "swaptier-rejects cgroup");
	text_all = st_bt_stop(_metadata, &self->bt[1], "swaptier-rejects all");
	snprintf(key, sizeof(key), "@total_rejects[%lld, ", id);
	mine = st_bt_sum(text, key);
	all = st_bt_sum(text_all, "@total_rejects[");
	ksft_print_msg("script: cgroup %lld rejects %lld, all cgroups %lld | counters: memory.stat swpout_ghost_reject +%lld, vmstat +%lld\n",
		       id, mine, all, s1.reject - s0.reject,
		       s1.g_reject - s0.g_reject);
	ASSERT_GE(s1.reject - s0.reject, (long long)NPAGES / 2);
	ASSERT_EQ(s1.reject - s0.reject, mine);
	ASSERT_EQ(mine, st_bt_sum(text, "@total_rejects["))
		TH_LOG("entries of other cgroups in the cgroup's output");
	ASSERT_EQ(s1.g_reject - s0.g_reject, all);
	ASSERT_EQ(all, st_bt_sum(text_all, key))
		TH_LOG("rejects of other cgroups");
	ASSERT_TRUE(strstr(text, "\ninterval ") != NULL);
	ASSERT_EQ(0LL, s1.ssd.written - s0.ssd.written);
	free(text);
	free(text_all);
}

TEST_HARNESS_MAIN
