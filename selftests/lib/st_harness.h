/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: assertions shared by the kselftest-harness tests.
 * Include after kselftest_harness.h and swaptest.h; every helper takes the
 * harness's _metadata and stops the test (ASSERT) on failure.
 */
#ifndef SWAPTIER_SELFTEST_ST_HARNESS_H
#define SWAPTIER_SELFTEST_ST_HARNESS_H

#include <errno.h>
#include <string.h>
#include <sys/swap.h>
#include <unistd.h>

#define ST_WORKER_TIMEOUT_S	120

/*
 * Prerequisites: what the project itself provides (the VM runner's
 * environment and tier disks, the series' sysfs files and tracepoints,
 * swapctl, the BPF objects and skeletons the build makes) must be there;
 * a test missing one FAILS, saying what is missing.  Only what lies
 * outside the project (a device-mapper target, a libblkid limit, a stock
 * kernel feature the config may lack) is a reason to SKIP.
 */

/*
 * Fill env from the VM runner's environment (selftests/vmrun): root,
 * $SWAPTIER_SCRATCH, with need_swapctl $SWAPCTL, with need_disks
 * $SWAPTIER_SSD and $SWAPTIER_HDD.
 */
static inline void st_require_env(struct __test_metadata *_metadata,
				  struct st_env *env, bool need_swapctl,
				  bool need_disks)
{
	const char *why = st_env_get(env, need_swapctl);

	ASSERT_TRUE(why == NULL)
		TH_LOG("%s (the swaptier VM runner, selftests/vmrun, provides it)",
		       why);
	if (!need_disks)
		return;
	ASSERT_TRUE(env->ssd && env->hdd)
		TH_LOG("SWAPTIER_SSD and SWAPTIER_HDD must name the tier disks (selftests/vmrun provides them)");
}

/* avail() (tier_available(), pol_available(), ...) must say yes. */
static inline void st_require(struct __test_metadata *_metadata,
			      bool (*avail)(char *why, size_t len))
{
	char why[512] = "";

	ASSERT_TRUE(avail(why, sizeof(why))) TH_LOG("%s", why);
}

/*
 * When the worker could not mlockall() its own stack/data, a few of those
 * pages may be reclaimed too and move zswpout.  Allow this many then.
 */
#define ST_UNLOCKED_SLACK_PAGES	64

/*
 * A ghost swapfile of size (swapctl's --size) made with swapctl on the
 * scratch file system, its path in ghost[len], and activated: the setup
 * st_ghost_teardown() undoes.
 */
static inline void st_ghost_on(struct __test_metadata *_metadata,
			       const struct st_env *env, char *ghost,
			       size_t len, const char *size)
{
	char out[4096];
	int rc, e;

	ASSERT_EQ(0, st_unique_path(ghost, len, env->scratch, "ghost",
				    ".swap"));
	rc = st_swapctl_ghost_create(env, ghost, size, NULL, out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("%s ghost create %s --size %s: exit %d: %s",
				env->swapctl, ghost, size, rc,
				st_oneline(out, sizeof(out)));
	rc = swapon(ghost, 0);
	e = errno;
	ASSERT_EQ(0, rc) TH_LOG("swapon(%s): %s", ghost, strerror(e));
}

/*
 * Teardown of a ghost swapfile (path, "" if none was made) and the nbe
 * back ends behind it: swapoff and unlink the ghost, then remove the back
 * ends last to first.  Failures mark the test failed and go on.
 */
static inline void st_ghost_teardown(struct __test_metadata *_metadata,
				     const char *ghost, struct st_backend *be,
				     int nbe)
{
	int i, err;

	if (ghost[0]) {
		err = st_swapoff_if_active(ghost);
		TEARDOWN_CHECK(!err, "swapoff %s: %s", ghost, strerror(-err));
		unlink(ghost);
	}
	for (i = nbe - 1; i >= 0; i--) {
		err = st_backend_teardown(&be[i], 10000);
		TEARDOWN_CHECK(!err, "removing back end %s (%s): %s",
			       be[i].dev, be[i].dm_name, strerror(-err));
	}
}

static inline long long st_zswpout_slack(const struct worker_resp *ready)
{
	return ready->mlocked ? 0 : ST_UNLOCKED_SLACK_PAGES;
}

/* The counters every pressure test relies on must exist. */
static inline void st_snap_require_keys(struct __test_metadata *_metadata,
					const struct st_snap *s)
{
	ASSERT_NE(-1, s->g_pswpout)
		TH_LOG("/proc/vmstat has no pswpout: build the kernel with CONFIG_VM_EVENT_COUNTERS=y (tinyconfig's EXPERT=y turns it off)");
	ASSERT_NE(-1, s->zswpout) TH_LOG("memory.stat has no zswpout");
	ASSERT_NE(-1, s->zswpin) TH_LOG("memory.stat has no zswpin");
	ASSERT_NE(-1, s->zswpwb) TH_LOG("memory.stat has no zswpwb");
	ASSERT_NE(-1, s->zswapped) TH_LOG("memory.stat has no zswapped");
	ASSERT_NE(-1, s->reject)
		TH_LOG("memory.stat has no swpout_ghost_reject (kernel without the ghost series?)");
	ASSERT_NE(-1, s->g_reject)
		TH_LOG("/proc/vmstat has no swpout_ghost_reject");
	ASSERT_NE(-1, s->g_zswpwb) TH_LOG("/proc/vmstat has no zswpwb");
	ASSERT_NE(-1, s->zswap_current)
		TH_LOG("cannot read memory.zswap.current");
}

/* Print the change from a to b, prefixed by what. */
static inline void st_snap_print(const char *what, const struct st_snap *a,
				 const struct st_snap *b, bool with_tiers)
{
	char buf[1024];

	st_snap_format(a, b, with_tiers, buf, sizeof(buf));
	ksft_print_msg("%s: %s\n", what, buf);
}

/* Start a worker in cg filling npages canaries of kind (seed from npages). */
static inline void st_worker_start(struct __test_metadata *_metadata,
				   struct worker *w, const char *cg,
				   size_t npages, enum canary_kind kind,
				   struct worker_resp *ready)
{
	struct worker_cfg cfg = {
		.cgroup = cg,
		.npages = npages,
		.kind = kind,
		.seed = 0x6768737400000000ULL ^ ((uint64_t)getpid() << 16) ^
			npages,
		.mlock_rest = true,
	};
	int rc;

	rc = worker_start(w, &cfg, ready, ST_WORKER_TIMEOUT_S);
	ASSERT_EQ(0, rc) TH_LOG("worker: %s: %s", ready->what, strerror(-rc));
	ksft_print_msg("worker: %zu %s pages filled in %.1f s, mlockall %s\n",
		       npages, canary_kind_name(kind), ready->seconds,
		       ready->mlocked ? "ok" : "FAILED (counters get slack)");
}

/* Ask the worker for residency and a full byte check; assert integrity. */
static inline void st_worker_check(struct __test_metadata *_metadata,
				   struct worker *w, struct worker_resp *r)
{
	int rc = worker_request(w, WORKER_CHECK, r, ST_WORKER_TIMEOUT_S);

	ASSERT_EQ(0, rc) TH_LOG("worker check: %s: %s", r->what,
				strerror(-rc));
	ksft_print_msg("worker: %lld/%llu pages resident before reading, "
		       "verify %.1f s, %llu bad pages\n",
		       (long long)r->resident,
		       (unsigned long long)r->npages, r->seconds,
		       (unsigned long long)r->bad_pages);
	ASSERT_EQ(0ULL, (unsigned long long)r->bad_pages)
		TH_LOG("canary mismatch: first bad page %llu offset %llu: expected 0x%02x found 0x%02x",
		       (unsigned long long)r->first_bad_page,
		       (unsigned long long)r->first_bad_off, r->expected,
		       r->actual);
}

/* How long back-end I/O may take to complete after reclaim returns. */
#define ST_IO_SETTLE_S		10

/*
 * Snapshot of cgroup cg after reclaim: wait for the statistics flush, then
 * until every back-end write and read submitted since s0 has completed
 * (pswpout/pswpin count an I/O at submission, the tiers' written/read and
 * error counters at completion), at most ST_IO_SETTLE_S.
 */
static inline void st_snap_after_io(const char *cg, const struct st_snap *s0,
				    struct st_snap *s)
{
	double deadline = st_now() + ST_IO_SETTLE_S;

	st_snap_take(cg, ST_STATS_SETTLE_MS, s);
	for (;;) {
		long long out = s->g_pswpout - s0->g_pswpout;
		long long done = s->ssd.written - s0->ssd.written +
				 s->ssd.write_errors - s0->ssd.write_errors +
				 s->hdd.written - s0->hdd.written +
				 s->hdd.write_errors - s0->hdd.write_errors;
		long long in = s->g_pswpin - s0->g_pswpin;
		long long rdone = s->ssd.read - s0->ssd.read +
				  s->ssd.read_errors - s0->ssd.read_errors +
				  s->hdd.read - s0->hdd.read +
				  s->hdd.read_errors - s0->hdd.read_errors;

		if ((out == done && in == rdone) || st_now() > deadline)
			return;
		st_sleep_ms(200);
		st_snap_take(cg, 0, s);
	}
}

/*
 * Back-end I/O accounting: no block swap I/O happens but the back ends'
 * (a ghost has none), so between two st_snap_after_io() snapshots the
 * vmstat pswpout/pswpin deltas equal the tiers' completed writes/reads.
 */
static inline void st_assert_io_accounted(struct __test_metadata *_metadata,
					  const struct st_snap *a,
					  const struct st_snap *b)
{
	long long writes = b->ssd.written - a->ssd.written +
			   b->ssd.write_errors - a->ssd.write_errors +
			   b->hdd.written - a->hdd.written +
			   b->hdd.write_errors - a->hdd.write_errors;
	long long reads = b->ssd.read - a->ssd.read +
			  b->ssd.read_errors - a->ssd.read_errors +
			  b->hdd.read - a->hdd.read +
			  b->hdd.read_errors - a->hdd.read_errors;

	ASSERT_EQ(b->g_pswpout - a->g_pswpout, writes)
		TH_LOG("vmstat pswpout rose by %lld but the tiers completed %lld writes (within %d s)",
		       b->g_pswpout - a->g_pswpout, writes, ST_IO_SETTLE_S);
	ASSERT_EQ(b->g_pswpin - a->g_pswpin, reads)
		TH_LOG("vmstat pswpin rose by %lld but the tiers completed %lld reads (within %d s)",
		       b->g_pswpin - a->g_pswpin, reads, ST_IO_SETTLE_S);
}

/* memory.reclaim of cg with a budget; logs the outcome. */
static inline int st_reclaim(const char *cg, const char *amount,
			     unsigned int budget_ms)
{
	double secs;
	int rc = cg_reclaim(cg, amount, budget_ms, &secs);

	ksft_print_msg("memory.reclaim %s of %s: %s after %.1f s\n", amount,
		       cg, rc ? strerror(-rc) : "success", secs);
	return rc;
}

/* Pages of ghost per-slot metadata with memory, all ghosts (debugfs). */
#define ST_SPARSE_PAGES		TIER_DEBUGFS "/sparse_pages"

/*
 * Entries the per-CPU swap slot caches hold (allocated ahead, or freed and
 * not yet returned) keep their clusters in use after every process exited:
 * at most two caches of 64 entries per CPU, each in up to two clusters of
 * three sparse pages.
 */
#define ST_SPARSE_SLOT_CACHE_PAGES	(2 * 2 * 2 * 3)

/*
 * The sparse pages once the kernel freed what a finished workload held,
 * waiting up to budget_ms for want. Entries whose folio was still in the
 * swap cache when the workload exited stay allocated until reclaim drops
 * the folio: memory.reclaim of the workload's cgroup (cg, or NULL) does
 * that first.
 */
static inline long long st_sparse_settle(const char *cg, long long want,
					 unsigned int budget_ms)
{
	long long now;

	if (cg)
		st_reclaim(cg, "64M", 5000);
	now = st_read_ll(ST_SPARSE_PAGES);

	for (unsigned int t = 0; now != want && t < budget_ms; t += 100) {
		st_sleep_ms(100);
		now = st_read_ll(ST_SPARSE_PAGES);
	}
	return now;
}

/*
 * Take s0, start worker w in cg with npages of kind, memory.reclaim amount
 * within budget_ms, and take s1 once the back-end I/O has completed.
 */
static inline void st_swap_out(struct __test_metadata *_metadata,
			       const char *cg, struct worker *w, size_t npages,
			       enum canary_kind kind, const char *amount,
			       unsigned int budget_ms,
			       struct worker_resp *ready, struct st_snap *s0,
			       struct st_snap *s1)
{
	st_snap_take(cg, 0, s0);
	st_snap_require_keys(_metadata, s0);
	st_worker_start(_metadata, w, cg, npages, kind, ready);
	st_reclaim(cg, amount, budget_ms);
	st_snap_after_io(cg, s0, s1);
	st_snap_print("after reclaim", s0, s1, true);
}

#endif
