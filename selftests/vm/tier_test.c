// SPDX-License-Identifier: GPL-2.0
/*
 * tier_test: back-end tiers behind a ghost swapfile.
 *
 * Every test swaps on a fresh ghost (front end) made by "$SWAPCTL ghost
 * create", and adds back ends with mkswap(8) + "$SWAPCTL tier add DEV
 * --tier ssd|hdd": the whole tier disks ($SWAPTIER_SSD, $SWAPTIER_HDD) or
 * device-mapper slices of them (lib/dm.c), small enough to fill up, or
 * switched to dm-flakey to fail writes or reads.  A worker process
 * (lib/worker.c) holds canary pages in a fresh memory cgroup; memory.reclaim
 * (or MADV_PAGEOUT) pushes them out, and every byte is verified when they
 * come back.
 *
 * What moves where (the kernel's built-in policy, no BPF policy attached):
 *  - zswap writeback of a ghost entry writes it to the fastest tier with a
 *    free slot; setting memory.zswap.max small before memory.reclaim makes
 *    each new store push an older entry out (zswpwb);
 *  - a page zswap refuses goes straight to a back end (direct placement),
 *    or stays in memory (swpout_ghost_reject) when every back end is full
 *    or the cgroup has memory.zswap.writeback=0;
 *  - swap-in reads the back end; a failed read is SIGBUS for that page.
 *
 * Counter relations the tests rely on:
 *  - every back-end write counts one pswpout when submitted and one
 *    written_pages or write_errors of its tier when it completes; no other
 *    block swap I/O happens here (a ghost has none), so once the I/O has
 *    completed the vmstat pswpout delta equals the sum of those deltas;
 *    likewise pswpin and read_pages + read_errors;
 *  - a back-end slot stays owned by its ghost entry until the entry is
 *    freed or the page is written again, so as long as nothing is freed or
 *    rewritten used_pages rises exactly as written_pages does;
 *  - a page on a back end that is not in memory (mincore) has to be read
 *    from there to be verified: reads >= pages on the tier - resident pages.
 *
 * Environment (the swaptier VM runner): root, cgroup v2 with +memory,
 * zswap enabled, no swap active, SWAPCTL, SWAPTIER_SCRATCH, SWAPTIER_SSD
 * and SWAPTIER_HDD set; device-mapper with dm-flakey built in; debugfs at
 * /sys/kernel/debug for the back-end pointer figures (mounted by the tests
 * that read them if it is not).  Working sets are at most 32 MiB: the guest
 * is QEMU TCG with KASAN and lockdep.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/suspend_ioctls.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "fixture.h"

#define GHOST_SIZE		"256M"
#define MAX_BACKENDS		2

/*
 * memory.reclaim budget when the cgroup cannot give up what is asked (see
 * ghost_test.c): one scan of the LRU is all the assertions need.
 */
#define RECLAIM_BUDGET_MS	20000
/* ... and when it can: the writes to the back ends take their time. */
#define RECLAIM_LONG_MS		40000


/* Small back ends (dm-linear slices at the start of a tier disk). */
#define SMALL_1M		(1ULL * ST_MiB)
#define SMALL_2M		(2ULL * ST_MiB)
#define SMALL_4M		(4ULL * ST_MiB)
#define SMALL_256K		(256ULL * ST_KiB)
#define FLAKEY_SIZE		(64ULL * ST_MiB)

FIXTURE(tier) {
	struct st_env env;
	char ghost[PATH_MAX];	/* the ghost swapfile (front end) */
	char cg[PATH_MAX];	/* memory cgroup of the worker */
	struct worker w;
	pid_t owner;		/* process that ran setup (owns w's fds) */
	struct st_backend be[MAX_BACKENDS];
};

FIXTURE_SETUP(tier)
{
	self->w = (struct worker)WORKER_INIT;
	self->owner = getpid();
	st_fixture_precheck(_metadata, &self->env, 0);
	st_fixture_ghost_cg(_metadata, &self->env, self->ghost,
			    sizeof(self->ghost), GHOST_SIZE, "tier", self->cg,
			    sizeof(self->cg));
}

/*
 * Runs in the harness parent after the test process ends, even after a
 * failure: the worker first (its pages then need no swap-in), the ghost
 * next (its entries own the back-end slots), then the back ends.
 */
FIXTURE_TEARDOWN_PARENT(tier)
{
	int i;

	st_worker_end(&self->w, self->owner);
	/* A back end left failing I/O must not stand in swapoff's way. */
	for (i = 0; i < MAX_BACKENDS; i++)
		if (self->be[i].dm_name[0])
			st_backend_flakey(&self->be[i], NULL);
	st_ghost_teardown(_metadata, self->ghost, self->be, MAX_BACKENDS);
	st_cg_remove(_metadata, self->cg, false);
}

/* Back end i of tier on disk (st_backend_on()); false: test skipped. */
static bool add_backend(struct __test_metadata *_metadata,
			FIXTURE_DATA(tier) *self, int i, const char *disk,
			unsigned long long size, const char *tier)
{
	return st_backend_on(_metadata, &self->env, &self->be[i], disk, size,
			     tier);
}

static long long ghost_used_kb(FIXTURE_DATA(tier) *self)
{
	struct swaps_row row;

	return swaps_find(self->ghost, &row) == 1 ? row.used_kb : -1;
}

static void log_ghost_used(FIXTURE_DATA(tier) *self, const char *when)
{
	ksft_print_msg("/proc/swaps: ghost used %lld KiB %s\n",
		       ghost_used_kb(self), when);
}

/*
 * Verify every page (swap-in), then check that the SSD read at least its
 * pages that were not resident (on_ssd of them were on it at s1), without
 * a read error.
 */
static void verify_from_ssd(struct __test_metadata *_metadata,
			    FIXTURE_DATA(tier) *self, const struct st_snap *s1,
			    long long on_ssd)
{
	struct worker_resp r;
	struct st_snap s2;

	st_worker_check(_metadata, &self->w, &r);
	st_snap_after_io(self->cg, s1, &s2);
	st_snap_print("after verify", s1, &s2, true);
	ASSERT_GE(s2.ssd.read - s1->ssd.read, on_ssd - r.resident)
		TH_LOG("%lld pages on the SSD, %lld resident, but only %lld read",
		       on_ssd, (long long)r.resident, s2.ssd.read - s1->ssd.read);
	ASSERT_GT(s2.ssd.read - s1->ssd.read, 0LL);
	ASSERT_EQ(0LL, s2.ssd.read_errors - s1->ssd.read_errors);
	st_assert_io_accounted(_metadata, s1, &s2);
}

/*
 * Memory the back-end pointers take per page on a back end: at most
 * PTR_BYTES_MAX whatever the mix of zswap and back-end entries in a
 * cluster (see mm/swap_tier.c: 4 to 9 bytes a pointer plus rounding).
 */
#define PTR_BYTES_MAX		12.0

/*
 * The back-end pointer figures are internals, in debugfs
 * (TIER_DEBUGFS/pointer_{records,bytes}): mount debugfs if the guest has
 * not (the VM runner does), and fail, not skip, without it or the figures
 * (both are the project's: CONFIG_DEBUG_FS is in its kernel config).
 * Call before the test does anything.
 */
static void need_ptr_figures(struct __test_metadata *_metadata)
{
	char why[256] = "";
	int rc = tier_debugfs_mount(why, sizeof(why));

	ASSERT_EQ(0, rc) TH_LOG("debugfs, where the pointer figures are: %s",
				why);
	ASSERT_GE(tier_debugfs_file("pointer_records"), 0LL)
		TH_LOG("no %s/pointer_records: kernel without the back-end pointer figures",
		       TIER_DEBUGFS);
	ASSERT_GE(tier_debugfs_file("pointer_bytes"), 0LL)
		TH_LOG("no %s/pointer_bytes: kernel without the back-end pointer figures",
		       TIER_DEBUGFS);
}

static void assert_ptr_cost(struct __test_metadata *_metadata,
			    const struct st_snap *s, long long pages)
{
	double per_page;

	ASSERT_GE(s->ptr_bytes, 0LL)
		TH_LOG("no pointer_bytes in %s", TIER_DEBUGFS);
	ASSERT_GT(pages, 0LL);
	per_page = (double)s->ptr_bytes / pages;
	ksft_print_msg("back-end pointers: %lld records, %lld bytes for %lld pages on back ends: %.2f B/page\n",
		       s->ptr_records, s->ptr_bytes, pages, per_page);
	ASSERT_LE(per_page, PTR_BYTES_MAX)
		TH_LOG("back-end pointers take %.2f bytes a page", per_page);
}

/*
 * 1. zswap writeback moves compressible pages to the SSD: with
 * memory.zswap.max small, each store over the limit makes zswap's shrinker
 * look at its oldest entry.  The shrinker gives every entry a second chance
 * (the first look only clears its referenced bit and the store is refused),
 * so writeback starts once all entries in the pool have been looked at:
 * the limit must hold well under half of the stores.  64K holds ~1300 of
 * these pages (~50 bytes each compressed), the worker stores 8192.  Every
 * written-back entry lands on the SSD (the only back end, with room),
 * pages zswap refused go there directly, and everything comes back intact,
 * partly read from the SSD.  Back ends are not swap space: SwapTotal does
 * not change when one is added.
 */
TEST_F_TIMEOUT(tier, writeback_to_ssd, 120)
{
	size_t ps = st_page_size(), npages = 32 * ST_MiB / ps;
	struct worker_resp ready;
	struct st_snap s0, s1;
	long long swap_total, on_ssd;

	need_ptr_figures(_metadata);

	swap_total = meminfo_kb("SwapTotal");
	if (!add_backend(_metadata, self, 0, self->env.ssd, 0, "ssd"))
		return;
	ASSERT_EQ(swap_total, meminfo_kb("SwapTotal"))
		TH_LOG("adding a back end changed SwapTotal");
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "64K"));

	st_swap_out(_metadata, self->cg, &self->w, npages, CANARY_COMPRESSIBLE, "32M",
		 RECLAIM_LONG_MS, &ready, &s0, &s1);
	log_ghost_used(self, "after reclaim");

	ASSERT_GT(s1.zswpwb - s0.zswpwb, 0LL)
		TH_LOG("memory.stat zswpwb did not rise although zswap was over memory.zswap.max");
	ASSERT_GE(s1.g_zswpwb - s0.g_zswpwb, s1.zswpwb - s0.zswpwb);
	ASSERT_GE(s1.ssd.written - s0.ssd.written, s1.g_zswpwb - s0.g_zswpwb)
		TH_LOG("%lld entries written back but the SSD completed only %lld writes",
		       s1.g_zswpwb - s0.g_zswpwb,
		       s1.ssd.written - s0.ssd.written);
	ASSERT_EQ(0LL, s1.ssd.write_errors - s0.ssd.write_errors);
	ASSERT_EQ(s1.ssd.used - s0.ssd.used, s1.ssd.written - s0.ssd.written)
		TH_LOG("the SSD holds %lld more pages but completed %lld writes",
		       s1.ssd.used - s0.ssd.used,
		       s1.ssd.written - s0.ssd.written);
	ASSERT_GT(s1.g_pswpout - s0.g_pswpout, 0LL);
	st_assert_io_accounted(_metadata, &s0, &s1);
	ASSERT_EQ(s0.reject, s1.reject)
		TH_LOG("pages stayed in memory although the SSD had room");

	on_ssd = s1.ssd.used - s0.ssd.used;
	/* Written back and refused pages mixed in the same clusters. */
	assert_ptr_cost(_metadata, &s1, on_ssd);
	verify_from_ssd(_metadata, self, &s1, on_ssd);
}

/*
 * memory.stat events may lag the kernel's exact counters by the updates
 * memcg has not flushed yet: MEMCG_CHARGE_BATCH (64) per CPU, 2 vCPUs.
 */
#define MEMCG_FLUSH_SLACK	128LL

/*
 * 2. Incompressible pages: zswap refuses them and they go straight to the
 * SSD; none stays in memory for want of a place.
 */
TEST_F_TIMEOUT(tier, incompressible_direct_to_ssd, 180)
{
	size_t ps = st_page_size(), npages = 16 * ST_MiB / ps;
	struct worker_resp ready;
	struct st_snap s0, s1;
	struct tier_stat ts;
	long long on_ssd, out, in0, in;

	need_ptr_figures(_metadata);

	if (!add_backend(_metadata, self, 0, self->env.ssd, 0, "ssd"))
		return;
	st_swap_out(_metadata, self->cg, &self->w, npages, CANARY_INCOMPRESSIBLE, "16M",
		 RECLAIM_LONG_MS, &ready, &s0, &s1);

	ASSERT_GE(s1.ssd.written - s0.ssd.written, (long long)npages / 2)
		TH_LOG("the SSD took %lld of %zu pages",
		       s1.ssd.written - s0.ssd.written, npages);
	ASSERT_EQ(s1.ssd.used - s0.ssd.used, s1.ssd.written - s0.ssd.written);
	ASSERT_EQ(0LL, s1.ssd.write_errors - s0.ssd.write_errors);
	ASSERT_EQ(s0.reject, s1.reject)
		TH_LOG("memory.stat swpout_ghost_reject rose by %lld although the SSD had room",
		       s1.reject - s0.reject);
	ASSERT_EQ(s0.g_reject, s1.g_reject);
	ASSERT_LE(s1.zswpout - s0.zswpout, st_zswpout_slack(&ready))
		TH_LOG("zswap stored incompressible pages");
	ASSERT_EQ(s0.zswpwb, s1.zswpwb) TH_LOG("nothing was in zswap to write back");
	st_assert_io_accounted(_metadata, &s0, &s1);

	on_ssd = s1.ssd.used - s0.ssd.used;
	/*
	 * memory.stat shows the cgroup's pages per back-end tier: the worker
	 * is alone in its cgroup, so exactly what the SSD took.
	 */
	ASSERT_EQ(on_ssd * (long long)ps, cg_stat(self->cg, "swaptier_ssd"))
		TH_LOG("memory.stat swaptier_ssd %lld, the SSD took %lld pages",
		       cg_stat(self->cg, "swaptier_ssd"), on_ssd);
	ASSERT_EQ(0LL, cg_stat(self->cg, "swaptier_hdd"));
	ASSERT_EQ(0LL, cg_stat(self->cg, "swaptier_tier7"));
	/*
	 * And its I/O per tier (vm events, flushed to memory.stat every 2 s
	 * and past MEMCG_FLUSH_SLACK pending updates: s1 waited for that).
	 */
	out = cg_stat(self->cg, "swaptier_ssd_out");
	in0 = cg_stat(self->cg, "swaptier_ssd_in");
	ksft_print_msg("memory.stat swaptier_ssd_out %lld swaptier_ssd_in %lld, the SSD wrote %lld pages\n",
		       out, in0, s1.ssd.written - s0.ssd.written);
	ASSERT_LE(llabs(out - (s1.ssd.written - s0.ssd.written)),
		  MEMCG_FLUSH_SLACK);
	ASSERT_GT(out, 0LL);
	ASSERT_EQ(0LL, cg_stat(self->cg, "swaptier_hdd_out"));
	ASSERT_GE(vmstat_get("swaptier_ssd_out"), out);
	/* Whole clusters on the SSD. */
	assert_ptr_cost(_metadata, &s1, on_ssd);
	verify_from_ssd(_metadata, self, &s1, on_ssd);
	st_sleep_ms(ST_STATS_SETTLE_MS);
	ASSERT_EQ(0, tier_stat_read("ssd", &ts));
	in = cg_stat(self->cg, "swaptier_ssd_in") - in0;
	ksft_print_msg("memory.stat swaptier_ssd_in +%lld, the SSD read %lld pages\n",
		       in, ts.read - s1.ssd.read);
	ASSERT_GT(in, 0LL);
	ASSERT_LE(llabs(in - (ts.read - s1.ssd.read)), MEMCG_FLUSH_SLACK);
}

/*
 * 2b. Clusters shared by zswap and a back end: every third page is
 * incompressible and goes to the SSD, the others stay in zswap, so each
 * front-end cluster has about a third of its entries on the SSD.  Their
 * pointers take sparse records: less than a dense record each, at most
 * PTR_BYTES_MAX a page.  Everything comes back intact.
 */
TEST_F_TIMEOUT(tier, mixed_clusters, 120)
{
	size_t ps = st_page_size(), npages = 16 * ST_MiB / ps;
	struct worker_resp ready;
	struct st_snap s0, s1;
	long long on_ssd;

	need_ptr_figures(_metadata);

	if (!add_backend(_metadata, self, 0, self->env.ssd, 0, "ssd"))
		return;
	st_swap_out(_metadata, self->cg, &self->w, npages, CANARY_MIXED, "16M",
		 RECLAIM_LONG_MS, &ready, &s0, &s1);

	on_ssd = s1.ssd.used - s0.ssd.used;
	ASSERT_GT(on_ssd, (long long)npages / 4)
		TH_LOG("only %lld of %zu pages (a third incompressible) on the SSD",
		       on_ssd, npages);
	ASSERT_GT(s1.zswpout - s0.zswpout, (long long)npages / 4)
		TH_LOG("zswap took only %lld pages", s1.zswpout - s0.zswpout);
	assert_ptr_cost(_metadata, &s1, on_ssd);
	ASSERT_GT(s1.ptr_records, 0LL);
	ASSERT_LT(s1.ptr_bytes / s1.ptr_records,
		  (long long)(512 * sizeof(uint32_t)))
		TH_LOG("clusters a third on the SSD got dense records (%lld records, %lld B)",
		       s1.ptr_records, s1.ptr_bytes);
	st_assert_io_accounted(_metadata, &s0, &s1);

	verify_from_ssd(_metadata, self, &s1, on_ssd);
}

/*
 * 3. A 4 MiB SSD back end and the HDD: the SSD fills up completely, the
 * rest spills to the HDD, nothing stays in memory for want of a place.
 */
TEST_F_TIMEOUT(tier, ssd_full_spills_to_hdd, 120)
{
	size_t ps = st_page_size(), npages = 16 * ST_MiB / ps;
	struct worker_resp ready, r;
	struct st_snap s0, s1, s2;
	long long on_ssd, on_hdd;

	if (!add_backend(_metadata, self, 0, self->env.ssd, SMALL_4M, "ssd") ||
	    !add_backend(_metadata, self, 1, self->env.hdd, 0, "hdd"))
		return;
	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	ASSERT_LT(s0.ssd.capacity, (long long)npages / 2);
	st_worker_start(_metadata, &self->w, self->cg, npages,
			CANARY_INCOMPRESSIBLE, &ready);
	st_reclaim(self->cg, "16M", RECLAIM_LONG_MS);
	st_snap_after_io(self->cg, &s0, &s1);
	st_snap_print("after reclaim", &s0, &s1, true);

	ASSERT_EQ(s1.ssd.capacity, s1.ssd.used)
		TH_LOG("the SSD is not full (%lld of %lld) although %lld pages went to the HDD",
		       s1.ssd.used, s1.ssd.capacity,
		       s1.hdd.written - s0.hdd.written);
	ASSERT_EQ(s1.ssd.capacity, s1.ssd.written - s0.ssd.written);
	ASSERT_GT(s1.hdd.written - s0.hdd.written, 0LL)
		TH_LOG("nothing spilled to the HDD");
	ASSERT_EQ(s1.hdd.used - s0.hdd.used, s1.hdd.written - s0.hdd.written);
	ASSERT_EQ(0LL, s1.ssd.write_errors - s0.ssd.write_errors +
		       s1.hdd.write_errors - s0.hdd.write_errors);
	ASSERT_EQ(s0.reject, s1.reject)
		TH_LOG("pages stayed in memory although the HDD had room");
	st_assert_io_accounted(_metadata, &s0, &s1);

	on_ssd = s1.ssd.used;
	on_hdd = s1.hdd.used - s0.hdd.used;
	/* the worker's pages on each tier, as memory.stat shows them */
	ASSERT_EQ((s1.ssd.used - s0.ssd.used) * (long long)ps,
		  cg_stat(self->cg, "swaptier_ssd"));
	ASSERT_EQ(on_hdd * (long long)ps,
		  cg_stat(self->cg, "swaptier_hdd"))
		TH_LOG("memory.stat swaptier_hdd %lld, the HDD took %lld pages",
		       cg_stat(self->cg, "swaptier_hdd"), on_hdd);
	st_worker_check(_metadata, &self->w, &r);
	st_snap_after_io(self->cg, &s1, &s2);
	st_snap_print("after verify", &s1, &s2, true);
	ASSERT_GE(s2.ssd.read - s1.ssd.read, on_ssd - r.resident);
	ASSERT_GE(s2.hdd.read - s1.hdd.read, on_hdd - r.resident);
	ASSERT_GT(s2.ssd.read - s1.ssd.read + s2.hdd.read - s1.hdd.read, 0LL);
	st_assert_io_accounted(_metadata, &s1, &s2);
}

/*
 * 4. Two 2 MiB back ends and 16 MiB of incompressible pages: both fill up,
 * the pages they cannot take stay in memory and are counted as
 * swpout_ghost_reject.
 */
TEST_F_TIMEOUT(tier, all_full_stays_resident, 120)
{
	size_t ps = st_page_size(), npages = 16 * ST_MiB / ps;
	struct worker_resp ready, r;
	struct st_snap s0, s1;
	long long placed, left;
	int rc;

	if (!add_backend(_metadata, self, 0, self->env.ssd, SMALL_2M, "ssd") ||
	    !add_backend(_metadata, self, 1, self->env.hdd, SMALL_2M, "hdd"))
		return;
	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	st_worker_start(_metadata, &self->w, self->cg, npages,
			CANARY_INCOMPRESSIBLE, &ready);
	rc = st_reclaim(self->cg, "16M", RECLAIM_BUDGET_MS);
	ASSERT_TRUE(rc == -EAGAIN || rc == -EINTR)
		TH_LOG("memory.reclaim 16M returned %d (%s), but the back ends hold only %lld pages",
		       rc, strerror(-rc), s0.ssd.capacity + s0.hdd.capacity);
	st_snap_after_io(self->cg, &s0, &s1);
	st_snap_print("after reclaim", &s0, &s1, true);

	ASSERT_EQ(s1.ssd.capacity, s1.ssd.used);
	ASSERT_EQ(s1.hdd.capacity, s1.hdd.used);
	placed = s1.ssd.used + s1.hdd.used;
	left = (long long)npages - placed;
	ASSERT_GE(s1.reject - s0.reject, left / 2)
		TH_LOG("memory.stat swpout_ghost_reject rose by %lld; %lld pages had no place",
		       s1.reject - s0.reject, left);
	ASSERT_GE(s1.g_reject - s0.g_reject, s1.reject - s0.reject);
	ASSERT_LE(s1.zswpout - s0.zswpout, st_zswpout_slack(&ready));
	st_assert_io_accounted(_metadata, &s0, &s1);

	st_worker_check(_metadata, &self->w, &r);
	ASSERT_GE((long long)r.resident, left)
		TH_LOG("%lld pages had no place but only %lld are resident",
		       left, (long long)r.resident);
}

/*
 * 5. memory.zswap.writeback=0 keeps the cgroup's pages off the back ends:
 * incompressible pages stay in memory although both tiers have room.
 */
TEST_F_TIMEOUT(tier, zswap_writeback_disabled, 120)
{
	size_t ps = st_page_size(), npages = 16 * ST_MiB / ps;
	struct worker_resp ready, r;
	struct st_snap s0, s1;
	int rc;

	if (!add_backend(_metadata, self, 0, self->env.ssd, 0, "ssd") ||
	    !add_backend(_metadata, self, 1, self->env.hdd, 0, "hdd"))
		return;
	rc = cg_write(self->cg, "memory.zswap.writeback", "0");
	if (rc == -ENOENT)
		SKIP(return, "no memory.zswap.writeback: stock memcg file (Linux 6.8+, CONFIG_MEMCG and CONFIG_ZSWAP) missing from this kernel");
	ASSERT_EQ(0, rc);
	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	st_worker_start(_metadata, &self->w, self->cg, npages,
			CANARY_INCOMPRESSIBLE, &ready);
	rc = st_reclaim(self->cg, "16M", RECLAIM_BUDGET_MS);
	ASSERT_TRUE(rc == -EAGAIN || rc == -EINTR)
		TH_LOG("memory.reclaim returned %d (%s); nothing should be reclaimable",
		       rc, strerror(-rc));
	st_snap_after_io(self->cg, &s0, &s1);
	st_snap_print("after reclaim", &s0, &s1, true);

	ASSERT_EQ(s0.ssd.written, s1.ssd.written);
	ASSERT_EQ(s0.hdd.written, s1.hdd.written);
	ASSERT_EQ(s0.ssd.used, s1.ssd.used);
	ASSERT_EQ(s0.hdd.used, s1.hdd.used);
	ASSERT_EQ(s0.g_pswpout, s1.g_pswpout) TH_LOG("block I/O reached swap");
	ASSERT_GE(s1.reject - s0.reject, (long long)npages / 2);
	st_worker_check(_metadata, &self->w, &r);
	ASSERT_EQ((long long)npages, (long long)r.resident);
}

/*
 * 6a. The SSD back end fails every write (dm-flakey error_writes):
 * incompressible pages sent to it stay in memory, intact, and the errors
 * are counted.
 */
TEST_F_TIMEOUT(tier, write_error_direct, 120)
{
	size_t ps = st_page_size(), npages = 4 * ST_MiB / ps;
	struct worker_resp ready, r;
	struct st_snap s0, s1;
	int rc;

	if (!add_backend(_metadata, self, 0, self->env.ssd, FLAKEY_SIZE, "ssd"))
		return;
	rc = st_backend_flakey(&self->be[0], "error_writes");
	ASSERT_EQ(0, rc) TH_LOG("dm-flakey error_writes: %s", strerror(-rc));
	st_swap_out(_metadata, self->cg, &self->w, npages, CANARY_INCOMPRESSIBLE, "4M",
		 RECLAIM_BUDGET_MS, &ready, &s0, &s1);

	ASSERT_GT(s1.ssd.write_errors - s0.ssd.write_errors, 0LL)
		TH_LOG("no write error counted");
	ASSERT_EQ(s0.ssd.written, s1.ssd.written)
		TH_LOG("a write to a device failing every write succeeded");
	st_assert_io_accounted(_metadata, &s0, &s1);
	st_worker_check(_metadata, &self->w, &r);
	/* zswap refuses them and no write succeeded: all still in memory. */
	ASSERT_EQ((long long)npages, (long long)r.resident);
}

/*
 * 6a'. The SSD fails every write and an HDD back end works: after a few
 * errors in a row the SSD rests (takes no writes for a while) and pages go
 * to the HDD instead of retrying the SSD on every reclaim pass.  Nothing
 * stays in memory for want of a place, every page comes back intact.
 */
TEST_F_TIMEOUT(tier, write_errors_rest_backend, 120)
{
	size_t ps = st_page_size(), npages = 4 * ST_MiB / ps;
	struct worker_resp ready, r;
	struct st_snap s0, s1, s2;
	long long errors;
	int rc;

	if (!add_backend(_metadata, self, 0, self->env.ssd, FLAKEY_SIZE, "ssd") ||
	    !add_backend(_metadata, self, 1, self->env.hdd, 0, "hdd"))
		return;
	rc = st_backend_flakey(&self->be[0], "error_writes");
	ASSERT_EQ(0, rc) TH_LOG("dm-flakey error_writes: %s", strerror(-rc));
	st_swap_out(_metadata, self->cg, &self->w, npages, CANARY_INCOMPRESSIBLE, "4M",
		 RECLAIM_LONG_MS, &ready, &s0, &s1);

	errors = s1.ssd.write_errors - s0.ssd.write_errors;
	ASSERT_GE(errors, 8LL) TH_LOG("the SSD rested before 8 errors in a row");
	/* 8 in a row, plus whatever was in flight when the 8th completed. */
	ASSERT_LE(errors, 64LL)
		TH_LOG("%lld write errors: the failing SSD kept taking writes",
		       errors);
	ASSERT_EQ(s0.ssd.written, s1.ssd.written);
	ASSERT_GT(s1.hdd.written - s0.hdd.written, (long long)npages / 2)
		TH_LOG("only %lld pages went to the HDD",
		       s1.hdd.written - s0.hdd.written);
	ASSERT_EQ(0LL, s1.hdd.write_errors - s0.hdd.write_errors);
	st_assert_io_accounted(_metadata, &s0, &s1);
	st_worker_check(_metadata, &self->w, &r);
	st_snap_after_io(self->cg, &s1, &s2);
	st_snap_print("after verify", &s1, &s2, true);
	ASSERT_EQ(0LL, s2.hdd.read_errors - s1.hdd.read_errors);
}

/*
 * 6b. zswap writeback to an SSD that fails every write: the entries leave
 * zswap, their writes fail, the data stays in memory, intact.
 *
 * Writeback starts only once the shrinker has given every entry in the pool
 * its second chance (test 1), and the stores it refused meanwhile go to the
 * SSD directly: those failures can rest the SSD (8 in a row) before the
 * first writeback, which then finds no back end and the page stays in
 * memory.  So while nothing was written back, wait out the rest (1 s,
 * doubling with each failure after one) and reclaim again: the refused
 * pages are stored anew, over the limit, and now meet unreferenced entries.
 */
#define WB_ERROR_ROUNDS		5

TEST_F_TIMEOUT(tier, write_error_writeback, 180)
{
	size_t ps = st_page_size(), npages = 16 * ST_MiB / ps;
	struct worker_resp ready, r;
	struct st_snap s0, s1;
	int rc, round;

	if (!add_backend(_metadata, self, 0, self->env.ssd, FLAKEY_SIZE, "ssd"))
		return;
	rc = st_backend_flakey(&self->be[0], "error_writes");
	ASSERT_EQ(0, rc) TH_LOG("dm-flakey error_writes: %s", strerror(-rc));
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "64K"));
	st_swap_out(_metadata, self->cg, &self->w, npages, CANARY_COMPRESSIBLE, "16M",
		 RECLAIM_LONG_MS, &ready, &s0, &s1);
	for (round = 0; s1.zswpwb == s0.zswpwb && round < WB_ERROR_ROUNDS;
	     round++) {
		ksft_print_msg("nothing written back yet: waiting %u ms for the SSD's rest to end\n",
			       1200U << round);
		st_sleep_ms(1200U << round);
		st_reclaim(self->cg, "16M", RECLAIM_LONG_MS);
		st_snap_after_io(self->cg, &s0, &s1);
		st_snap_print("after reclaim again", &s0, &s1, true);
	}

	ASSERT_GT(s1.zswpwb - s0.zswpwb, 0LL)
		TH_LOG("nothing written back in %d reclaims", round + 1);
	ASSERT_GE(s1.ssd.write_errors - s0.ssd.write_errors,
		  s1.g_zswpwb - s0.g_zswpwb)
		TH_LOG("%lld entries written back to a device failing every write, %lld errors",
		       s1.g_zswpwb - s0.g_zswpwb,
		       s1.ssd.write_errors - s0.ssd.write_errors);
	ASSERT_EQ(s0.ssd.written, s1.ssd.written);
	st_assert_io_accounted(_metadata, &s0, &s1);
	st_worker_check(_metadata, &self->w, &r);
}

/*
 * 6c. Pages on an SSD back end that then fails every read (dm-flakey
 * error_reads): a child touching such a page gets SIGBUS for it (with the
 * page's address), every other page - on the HDD, in zswap or in memory -
 * reads back intact, and the read errors are counted.
 */
TEST_F_TIMEOUT(tier, read_error_sigbus, 120)
{
	size_t ps = st_page_size(), npages = 4 * ST_MiB / ps;
	struct worker_resp ready, r;
	struct st_snap s0, s1, s2;
	long long on_ssd, on_hdd;
	int rc;

	if (!add_backend(_metadata, self, 0, self->env.ssd, SMALL_1M, "ssd") ||
	    !add_backend(_metadata, self, 1, self->env.hdd, 0, "hdd"))
		return;
	st_swap_out(_metadata, self->cg, &self->w, npages, CANARY_INCOMPRESSIBLE, "4M",
		 RECLAIM_LONG_MS, &ready, &s0, &s1);
	on_ssd = s1.ssd.used - s0.ssd.used;
	on_hdd = s1.hdd.used - s0.hdd.used;
	ASSERT_GT(on_ssd, 0LL);

	rc = st_backend_flakey(&self->be[0], "error_reads");
	ASSERT_EQ(0, rc) TH_LOG("dm-flakey error_reads: %s", strerror(-rc));
	rc = worker_request(&self->w, WORKER_PROBE, &r, ST_WORKER_TIMEOUT_S);
	ASSERT_EQ(0, rc) TH_LOG("probe: %s: %s", r.what, strerror(-rc));
	st_snap_after_io(self->cg, &s1, &s2);
	st_snap_print("after probe", &s1, &s2, true);
	ksft_print_msg("probe: %lld resident, %llu SIGBUS (first page %llu, %llu with a wrong si_addr), %llu bad; a child without handler died of signal %d; %lld pages were on the SSD, %lld on the HDD\n",
		       (long long)r.resident,
		       (unsigned long long)r.sigbus_pages,
		       (unsigned long long)r.first_sigbus_page,
		       (unsigned long long)r.sigbus_bad_addr,
		       (unsigned long long)r.bad_pages, r.plain_child_signal,
		       on_ssd, on_hdd);

	ASSERT_EQ(0ULL, (unsigned long long)r.bad_pages)
		TH_LOG("page %llu read back with wrong contents",
		       (unsigned long long)r.first_bad_page);
	ASSERT_GE((long long)r.sigbus_pages, on_ssd - r.resident)
		TH_LOG("pages on the failing SSD were not in memory, yet read without SIGBUS");
	ASSERT_LE((long long)r.sigbus_pages, on_ssd)
		TH_LOG("SIGBUS for pages that were not on the failing SSD");
	ASSERT_GT((long long)r.sigbus_pages, 0LL)
		TH_LOG("no page needed a read from the failing SSD (%lld on it, %lld resident)",
		       on_ssd, (long long)r.resident);
	ASSERT_EQ(0ULL, (unsigned long long)r.sigbus_bad_addr)
		TH_LOG("SIGBUS si_addr outside the page touched");
	ASSERT_EQ(SIGBUS, r.plain_child_signal)
		TH_LOG("a child touching an unreadable page was not killed by SIGBUS");
	ASSERT_GE(s2.ssd.read_errors - s1.ssd.read_errors,
		  (long long)r.sigbus_pages)
		TH_LOG("%llu pages unreadable but %lld read errors counted",
		       (unsigned long long)r.sigbus_pages,
		       s2.ssd.read_errors - s1.ssd.read_errors);
	ASSERT_EQ(0LL, s2.hdd.read_errors - s1.hdd.read_errors);
	ASSERT_GE(s2.hdd.read - s1.hdd.read, on_hdd - r.resident);
	st_assert_io_accounted(_metadata, &s1, &s2);
}

/*
 * 7. 1000 short cycles of a 12-page mixed area (compressible,
 * incompressible, half-compressible pages): MADV_PAGEOUT, verify every
 * byte, rewrite (lib/worker.c WORKER_CYCLES).  memory.zswap.max of one page
 * makes zswap write entries back; zswap refuses the incompressible pages
 * and those over its limit, which go straight to a 256 KiB SSD back end
 * (63 slots, full most of the time) or the HDD; every other cycle the pages
 * written to a back end are also reclaimed from the swap cache, so that
 * they are read back from it.  Afterwards, with the worker gone, no slot,
 * ghost entry or zswap byte is left anywhere.
 */
#define CYCLES		1000
#define CYCLE_PAGES	12
#define CYCLE_BATCH	100

TEST_F_TIMEOUT(tier, no_leak_1000_cycles, 300)
{
	struct worker_resp ready, r;
	struct st_snap s0, s1, s2;
	unsigned long long paged_out = 0;
	long long ghost_kb = -1, zc = -1;
	double t0, deadline;
	int done = 0, pass, rc;

	need_ptr_figures(_metadata);
	if (!add_backend(_metadata, self, 0, self->env.ssd, SMALL_256K, "ssd") ||
	    !add_backend(_metadata, self, 1, self->env.hdd, 0, "hdd"))
		return;
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "4096"));
	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	st_worker_start(_metadata, &self->w, self->cg, CYCLE_PAGES,
			CANARY_MIXED, &ready);

	t0 = st_now();
	while (done < CYCLES) {
		rc = worker_request_arg(&self->w, WORKER_CYCLES, CYCLE_BATCH,
					&r, ST_WORKER_TIMEOUT_S);
		paged_out += r.paged_out;
		done += (int)r.cycles;
		ASSERT_EQ(0ULL, (unsigned long long)r.bad_pages)
			TH_LOG("cycle %d: %llu bad pages, first %llu offset %llu: expected 0x%02x found 0x%02x",
			       done + 1, (unsigned long long)r.bad_pages,
			       (unsigned long long)r.first_bad_page,
			       (unsigned long long)r.first_bad_off,
			       r.expected, r.actual);
		ASSERT_EQ(0, rc) TH_LOG("cycles: %s: %s", r.what,
					strerror(-rc));
		if (done % 250 == 0)
			ksft_print_msg("%d cycles in %.1f s, %llu pages found swapped out after MADV_PAGEOUT\n",
				       done, st_now() - t0, paged_out);
	}
	st_snap_after_io(self->cg, &s0, &s1);
	st_snap_print("after the cycles", &s0, &s1, true);
	log_ghost_used(self, "with the worker alive");
	ASSERT_GE(paged_out, (unsigned long long)CYCLES)
		TH_LOG("MADV_PAGEOUT swapped out only %llu pages in %d cycles",
		       paged_out, CYCLES);
	ASSERT_GT(s1.zswpwb - s0.zswpwb, 0LL) TH_LOG("no zswap writeback");
	ASSERT_GT(s1.ssd.written - s0.ssd.written, 0LL);
	ASSERT_GT(s1.ssd.read - s0.ssd.read + s1.hdd.read - s0.hdd.read, 0LL);
	ASSERT_GT(s1.zswpin - s0.zswpin, 0LL);
	ASSERT_EQ(0LL, s1.ssd.write_errors - s0.ssd.write_errors +
		       s1.hdd.write_errors - s0.hdd.write_errors +
		       s1.ssd.read_errors - s0.ssd.read_errors +
		       s1.hdd.read_errors - s0.hdd.read_errors);
	st_assert_io_accounted(_metadata, &s0, &s1);

	worker_stop(&self->w);
	/*
	 * Freed slots may wait in per-CPU caches: drain them, then look.
	 * An entry whose folio was locked or under I/O when the worker
	 * exited stays in the swap cache until reclaim finds the folio
	 * (charged to the test's cgroup): if anything is left, reclaim the
	 * cgroup and look again.
	 */
	deadline = st_now() + 10;
	for (pass = 0;; pass++) {
		if (pass)
			cg_reclaim(self->cg, "8M", 2000, NULL);
		rc = st_swap_slots_drain(&self->env);
		ASSERT_EQ(0, rc) TH_LOG("draining the swap slot caches: %s",
					strerror(-rc));
		st_snap_take(self->cg, 0, &s2);
		ghost_kb = ghost_used_kb(self);
		zc = cg_read_ll(self->cg, "memory.zswap.current");
		if (!pass || s2.ssd.used || s2.hdd.used || ghost_kb || zc)
			ksft_print_msg("left%s: ssd used %lld, hdd used %lld, ghost used %lld KiB, memory.zswap.current %lld\n",
				       pass ? " after memory.reclaim" : "",
				       s2.ssd.used, s2.hdd.used, ghost_kb, zc);
		if ((!s2.ssd.used && !s2.hdd.used && !ghost_kb && !zc) ||
		    st_now() > deadline)
			break;
		st_sleep_ms(500);
	}
	st_snap_print("worker gone, slot caches drained", &s0, &s2, true);
	ASSERT_EQ(0LL, s2.ptr_records) TH_LOG("back-end pointer records leaked");
	ASSERT_EQ(0LL, s2.ptr_bytes);
	ASSERT_EQ(0LL, s2.ssd.used) TH_LOG("SSD slots leaked");
	ASSERT_EQ(0LL, s2.hdd.used) TH_LOG("HDD slots leaked");
	ASSERT_EQ(0LL, ghost_kb) TH_LOG("ghost entries leaked");
	ASSERT_EQ(0LL, zc) TH_LOG("zswap memory of the cgroup leaked");
}

/*
 * 8. swapoff(8) of the ghost while its pages are in zswap, on the SSD and
 * on the HDD at once: it succeeds, brings every page back intact, and
 * leaves no slot in use on any tier.
 */
TEST_F_TIMEOUT(tier, swapoff_ghost_all_tiers, 120)
{
	size_t ps = st_page_size(), npages = 24 * ST_MiB / ps;
	char *off[] = { "swapoff", self->ghost, NULL };
	struct worker_resp ready, r, m;
	struct st_snap s0, s1, s2;
	long long on_backends;
	char out[4096];
	double t0;
	int rc;

	if (!add_backend(_metadata, self, 0, self->env.ssd, SMALL_2M, "ssd") ||
	    !add_backend(_metadata, self, 1, self->env.hdd, 0, "hdd"))
		return;
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "256K"));
	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	st_worker_start(_metadata, &self->w, self->cg, npages, CANARY_MIXED,
			&ready);
	st_reclaim(self->cg, "24M", RECLAIM_LONG_MS);
	st_snap_after_io(self->cg, &s0, &s1);
	st_snap_print("after reclaim", &s0, &s1, true);
	log_ghost_used(self, "before swapoff");
	ASSERT_GT(s1.zswapped, 0LL) TH_LOG("nothing in zswap");
	ASSERT_GT(s1.ssd.used, 0LL) TH_LOG("nothing on the SSD");
	ASSERT_GT(s1.hdd.used, 0LL) TH_LOG("nothing on the HDD");
	ASSERT_EQ(0, worker_request(&self->w, WORKER_MINCORE, &m,
				    ST_WORKER_TIMEOUT_S));
	on_backends = s1.ssd.used + s1.hdd.used;

	t0 = st_now();
	rc = st_run(off, out, sizeof(out), 90);
	ksft_print_msg("swapoff(8): exit %d after %.1f s: %s\n", rc,
		       st_now() - t0, st_oneline(out, sizeof(out)));
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, swaps_find(self->ghost, NULL))
		TH_LOG("ghost still listed in /proc/swaps after swapoff");
	st_snap_after_io(self->cg, &s1, &s2);
	st_snap_print("after swapoff", &s1, &s2, true);
	ASSERT_EQ(0LL, s2.ssd.used);
	ASSERT_EQ(0LL, s2.hdd.used);
	ASSERT_EQ(0LL, s2.zswapped);
	ASSERT_GE(s2.ssd.read - s1.ssd.read + s2.hdd.read - s1.hdd.read,
		  on_backends - m.resident)
		TH_LOG("%lld pages on back ends, %lld resident, %lld read",
		       on_backends, (long long)m.resident,
		       s2.ssd.read - s1.ssd.read + s2.hdd.read - s1.hdd.read);
	st_assert_io_accounted(_metadata, &s1, &s2);
	st_worker_check(_metadata, &self->w, &r);
	ASSERT_EQ((long long)npages, (long long)r.resident)
		TH_LOG("swapoff left pages out of memory");
}

/*
 * 9. "swapctl tier remove" of a back end holding pages drains it first.
 * With no other back end the pages can only go to zswap (which refuses
 * incompressible pages) or back to memory: while the cgroup's memory.max
 * leaves no room for them (set to its memory.current once the pages are
 * out; the worker is mlocked) the removal fails with ENOMEM (exit 4), the back
 * end stays active and nothing is lost; with the limit lifted it succeeds
 * and the device leaves /proc/swaps, its pages back in memory.
 */
TEST_F_TIMEOUT(tier, tier_remove, 180)
{
	size_t ps = st_page_size(), npages = 4 * ST_MiB / ps;
	struct worker_resp ready, r;
	struct st_snap s0, s1, s2;
	struct tier_stat t;
	long long drained0, drained1, cur;
	char out[4096];
	int rc;

	if (!add_backend(_metadata, self, 0, self->env.ssd, 0, "ssd"))
		return;
	st_swap_out(_metadata, self->cg, &self->w, npages, CANARY_INCOMPRESSIBLE, "4M",
		 RECLAIM_LONG_MS, &ready, &s0, &s1);
	ASSERT_GT(s1.ssd.used, 0LL);
	drained0 = tier_root_file("ssd/drained_pages");
	ASSERT_GE(drained0, 0LL) TH_LOG("kernel without drained_pages");

	/* No room for the pages to come back (the worker is mlocked). */
	cur = cg_read_ll(self->cg, "memory.current");
	ASSERT_GT(cur, 0LL);
	ASSERT_EQ(0, cg_write_ll(self->cg, "memory.max", cur));
	rc = st_swapctl(&self->env, out, sizeof(out), "tier", "remove",
			self->be[0].dev, NULL);
	ksft_print_msg("swapctl tier remove %s (holding %lld pages, memory.max %lld): exit %d: %s\n",
		       self->be[0].dev, s1.ssd.used, cur, rc,
		       st_oneline(out, sizeof(out)));
	ASSERT_EQ(4, rc) TH_LOG("want exit 4 (a system call failed: ENOMEM)");
	ASSERT_NE(NULL, strstr(out, "nothing lost"))
		TH_LOG("the message does not say the pages are safe");
	ASSERT_EQ(1, swaps_find(self->be[0].dev, NULL))
		TH_LOG("the back end left /proc/swaps although removal failed");
	st_snap_take(self->cg, 0, &s2);
	ASSERT_GT(s2.ssd.used, 0LL);
	ASSERT_LE(s2.ssd.used, s1.ssd.used);
	ASSERT_EQ(0, cg_key(self->cg, "memory.events", "oom_kill"))
		TH_LOG("the drain invoked the OOM killer");
	/* Room for the mlocked worker to read its pages back. */
	ASSERT_EQ(0, cg_write(self->cg, "memory.max", "4M"));
	st_worker_check(_metadata, &self->w, &r);

	/* Room in memory: the drain brings the rest back and swapoff runs. */
	ASSERT_EQ(0, cg_write(self->cg, "memory.max", "max"));
	rc = st_swapctl(&self->env, out, sizeof(out), "tier", "remove",
			self->be[0].dev, NULL);
	ksft_print_msg("swapctl tier remove %s (memory.max max): exit %d: %s\n",
		       self->be[0].dev, rc, st_oneline(out, sizeof(out)));
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, swaps_find(self->be[0].dev, NULL))
		TH_LOG("removed back end still in /proc/swaps");
	self->be[0].active = false;
	ASSERT_EQ(0, tier_stat_read("ssd", &t));
	ASSERT_EQ(0LL, t.nr_devices);
	ASSERT_EQ(0LL, t.used);
	drained1 = tier_root_file("ssd/drained_pages");
	ksft_print_msg("ssd drained_pages %lld -> %lld (held %lld)\n",
		       drained0, drained1, s2.ssd.used);
	ASSERT_GE(drained1 - drained0, s2.ssd.used);
	/* Every page intact after the drain, touched again. */
	st_worker_check(_metadata, &self->w, &r);
	worker_stop(&self->w);
}

/* Rests the kernel log reports for back ends ("... no writes for S s"). */
#define MAX_RESTS	64
struct rest_log {
	double first_error;	/* time of the first write error, -1: none */
	int nr;
	double at[MAX_RESTS];	/* when each rest began */
	unsigned long secs[MAX_RESTS];	/* and how long it is */
};

/* Read what /dev/kmsg (fd from kmsg_open_end()) has since it was opened. */
static void read_rests(int fd, struct rest_log *rl)
{
	unsigned long long usec;
	char rec[2048], *text, *p;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: read on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text || sscanf(rec, "%*u,%*u,%llu", &usec) != 1)
			continue;
		if (strstr(text, "Write-error on swap back end") &&
		    rl->first_error < 0)
			rl->first_error = usec / 1e6;
		p = strstr(text, "no writes for ");
		if (p && strstr(text, "write errors") && rl->nr < MAX_RESTS) {
			rl->at[rl->nr] = usec / 1e6;
			rl->secs[rl->nr++] = strtoul(p + strlen("no writes for "),
						     NULL, 10);
		}
	}
}

/*
 * Make back end b fail its writes late: reads go to its disk at once,
 * writes wait delay_ms in dm-delay and then fail on a dm "error" device.
 * Reclaim meanwhile keeps submitting, so the failures come as a burst of
 * writes that were all in flight when the first one failed (dm-flakey
 * fails each write as it is submitted: no burst).  errname receives the
 * error device's name, for burst_end().  0 or -errno.
 */
static int burst_begin(struct st_backend *b, unsigned int delay_ms,
		       char *errname, size_t len)
{
	char name[sizeof(b->dm_name) + 1], errdev[PATH_MAX];
	char params[2 * PATH_MAX + 64];
	int rc;

	errname[0] = '\0';
	if (st_unique_path(name, sizeof(name), "", "burst", NULL))
		return -ENAMETOOLONG;
	rc = dm_create(name + 1, "error", b->sectors, "", errdev,
		       sizeof(errdev));
	if (rc)
		return rc;
	snprintf(errname, len, "%s", name + 1);
	snprintf(params, sizeof(params), "%s %llu 0 %s 0 %u", b->disk,
		 b->offset, errdev, delay_ms);
	return dm_reload(b->dm_name, "delay", b->sectors, params);
}

/* b works again (dm-linear) and the error device goes.  0 or -errno. */
static int burst_end(struct st_backend *b, const char *errname)
{
	int rc = st_backend_flakey(b, NULL);

	if (errname[0]) {
		int e = dm_remove(errname, 5000);

		rc = rc ?: e;
	}
	return rc;
}

/*
 * 6a''. A burst of failed writes is one error event: reclaim keeps many
 * writes in flight, and those that were in flight when the SSD began to
 * rest fail after it did; they must not lengthen the rest.  Each rest may
 * double only once the one before it ended, so no rest is longer than the
 * time the back end has been failing, plus the first second.  (Counted
 * per failed page, the in-flight failures of one burst made the first
 * rest 5 minutes.)  The writes fail late (burst_begin()), so that dozens
 * are in flight when the first fails.  Once the SSD works again, it must
 * take writes again within a few seconds: with a 5-minute rest it would
 * take none for the rest of the test.
 */
TEST_F_TIMEOUT(tier, write_error_burst_rests_briefly, 150)
{
	size_t ps = st_page_size(), npages = 4 * ST_MiB / ps;
	struct rest_log rl = { .first_error = -1 };
	double failing_since, healed, resumed = -1;
	struct worker_resp ready, r;
	struct st_snap s0, s1, s2;
	char errname[128];
	int fd, rc, i;

	if (!add_backend(_metadata, self, 0, self->env.ssd, FLAKEY_SIZE, "ssd") ||
	    !add_backend(_metadata, self, 1, self->env.hdd, 0, "hdd"))
		return;
	fd = kmsg_open_end();
	ASSERT_GE(fd, 0) TH_LOG("/dev/kmsg: %s", strerror(-fd));
	rc = burst_begin(&self->be[0], 300, errname, sizeof(errname));
	if (rc)
		burst_end(&self->be[0], errname);
	ASSERT_EQ(0, rc) TH_LOG("dm-delay over a dm error device: %s",
				strerror(-rc));
	failing_since = st_now();
	st_swap_out(_metadata, self->cg, &self->w, npages, CANARY_INCOMPRESSIBLE, "4M",
		    RECLAIM_LONG_MS, &ready, &s0, &s1);
	rc = burst_end(&self->be[0], errname);
	healed = st_now();
	read_rests(fd, &rl);
	close(fd);
	ASSERT_EQ(0, rc) TH_LOG("the SSD back to dm-linear: %s", strerror(-rc));

	ksft_print_msg("%lld write errors, %d rests logged, SSD failing for %.1f s\n",
		       s1.ssd.write_errors - s0.ssd.write_errors, rl.nr,
		       healed - failing_since);
	/* More than the 8 in a row that start a rest: a burst. */
	ASSERT_GT(s1.ssd.write_errors - s0.ssd.write_errors, 16LL)
		TH_LOG("no burst of failed writes: the test tests nothing");
	ASSERT_GT(rl.nr, 0) TH_LOG("the SSD never rested");
	ASSERT_GE(rl.first_error, 0.0) TH_LOG("no write error in the kernel log");
	for (i = 0; i < rl.nr; i++) {
		double failing = rl.at[i] - rl.first_error;

		ksft_print_msg("rest %d: %lu s, %.3f s after the first error\n",
			       i + 1, rl.secs[i], failing);
		/* +1 s: the whole seconds the log prints, and timer slack. */
		ASSERT_LE((double)rl.secs[i], failing + 2.0)
			TH_LOG("a %lu s rest %.3f s after the first write error: in-flight failures lengthened it",
			       rl.secs[i], failing);
	}
	/*
	 * Pages whose late-failing SSD write was in flight stay in memory
	 * (hundreds of them here), so only "some went to the HDD while the
	 * SSD rested" holds on every run.
	 */
	ASSERT_GT(s1.hdd.written - s0.hdd.written, 0LL)
		TH_LOG("nothing went to the HDD while the SSD rested");

	/*
	 * The SSD works again: rewrite and page out the pages until it
	 * takes writes.  The longest rest it may be in is as long as it was
	 * failing, doubled once, plus slack.
	 */
	while (st_now() - healed < 2 * (healed - failing_since) + 10) {
		rc = worker_request_arg(&self->w, WORKER_CYCLES, 1, &r, 120);
		ASSERT_EQ(0, rc) TH_LOG("worker cycles: %s (%s)", strerror(-rc),
					r.what);
		ASSERT_EQ(0ULL, r.bad_pages)
			TH_LOG("page %llu byte %llu: expected %#x, found %#x",
			       (unsigned long long)r.first_bad_page,
			       (unsigned long long)r.first_bad_off,
			       r.expected, r.actual);
		st_snap_after_io(self->cg, &s1, &s2);
		if (s2.ssd.written > s1.ssd.written) {
			resumed = st_now();
			break;
		}
	}
	ksft_print_msg("SSD healed %.1f s after it began failing; writes resumed %s%.1f s later\n",
		       healed - failing_since, resumed < 0 ? "not even " : "",
		       (resumed < 0 ? st_now() : resumed) - healed);
	ASSERT_GE(resumed, 0.0)
		TH_LOG("the SSD took no writes %.0f s after it healed: a rest longer than the failure",
		       st_now() - healed);
	st_worker_check(_metadata, &self->w, &r);
}

/*
 * 12. Hibernation never picks a back end: its slots belong to ghost
 * entries (the drain finds them through the back-end pointers), and an
 * image slot would have no owner, so a drain could never empty the back
 * end, and back ends are not part of nr_swap_pages, which taking and
 * freeing the slot would move for good.  The snapshot device refuses a
 * back end as the swap area (ENODEV); a plain swap device on the same
 * kind of disk is accepted (the control).
 */
TEST_F_TIMEOUT(tier, hibernation_skips_backends, 60)
{
	struct resume_swap_area area = { .offset = 0 };
	char *mkswap[] = { "mkswap", "-f", NULL, NULL };
	char out[4096];
	int fd, rc, err, plain_rc, plain_err;
	struct stat st;

	ASSERT_EQ(0, access("/dev/snapshot", F_OK))
		TH_LOG("no /dev/snapshot: CONFIG_HIBERNATION is in selftests/vm/config");
	if (!add_backend(_metadata, self, 0, self->env.ssd, 0, "ssd"))
		return;
	ASSERT_EQ(0, stat(self->be[0].dev, &st)) TH_LOG("%s", self->be[0].dev);
	fd = open("/dev/snapshot", O_RDONLY);
	ASSERT_GE(fd, 0) TH_LOG("open /dev/snapshot: %s", strerror(errno));
	area.dev = makedev(major(st.st_rdev), minor(st.st_rdev));
	rc = ioctl(fd, SNAPSHOT_SET_SWAP_AREA, &area);
	err = errno;

	/* The control: the HDD disk as an ordinary swap device. */
	mkswap[2] = (char *)self->env.hdd;
	ASSERT_EQ(0, st_run(mkswap, out, sizeof(out), 60))
		TH_LOG("mkswap %s: %s", self->env.hdd, st_oneline(out, sizeof(out)));
	ASSERT_EQ(0, swapon(self->env.hdd, 0))
		TH_LOG("swapon %s: %s", self->env.hdd, strerror(errno));
	ASSERT_EQ(0, stat(self->env.hdd, &st));
	area.dev = makedev(major(st.st_rdev), minor(st.st_rdev));
	plain_rc = ioctl(fd, SNAPSHOT_SET_SWAP_AREA, &area);
	plain_err = errno;
	close(fd);
	EXPECT_EQ(0, swapoff(self->env.hdd)) TH_LOG("swapoff %s: %s",
						    self->env.hdd, strerror(errno));

	ksft_print_msg("SNAPSHOT_SET_SWAP_AREA: back end %s: %s; plain swap %s: %s\n",
		       self->be[0].dev, rc ? strerror(err) : "accepted",
		       self->env.hdd, plain_rc ? strerror(plain_err) : "accepted");
	ASSERT_EQ(-1, rc) TH_LOG("hibernation accepted a back end as its swap area");
	ASSERT_EQ(ENODEV, err);
	ASSERT_EQ(0, plain_rc) TH_LOG("the control failed: %s", strerror(plain_err));
}

/*
 * 13. zswap writeback that cannot get a back-end pointer record keeps the
 * zswap copy.  The back-end slot and the entry's pointer record are taken
 * (swap_tier_reserve()) before zswap_writeback_entry() takes the entry out
 * of zswap; when the record cannot be allocated (ptrs_alloc(), GFP_NOIO or
 * GFP_NOWAIT, fails) the entry stays in zswap, nothing is written, nothing
 * is counted as written back.  (The old order freed the zswap entry first:
 * the failure then left a full dirty page where a compressed object was,
 * counted zswpwb and returned success.)
 *
 * Half of 2048 compressible pages go to zswap with no limit, so that no
 * cluster of the fresh ghost has a pointer record yet.  Then failslab
 * fails every allocation from the pointer record caches
 * (swap_tier_ptrs_<N>, swap_tier_ptrs_dense; lib/failslab.c), and with
 * memory.zswap.max at one page memory.reclaim of the other half makes each
 * store look at the oldest zswap entry: the first look at an entry only
 * clears its referenced bit, the next one tries writeback.  Reclaim goes
 * on until zswap has failed as many writebacks (debugfs
 * zswap/reject_reclaim_fail) as it holds entries.  Meanwhile nothing may
 * be written back (zswpwb), nor reach the SSD (written_pages, pswpout),
 * nor leave zswap (memory.stat zswapped, memory.zswap.current), and the
 * injection must have fired (failslab's "times" counts down one per
 * failure, and more failures were injected than the pages zswap refused
 * that found no place, swpout_ghost_reject: the rest hit writeback).
 * With failslab off, the same reclaim writes entries back to the SSD, and
 * every page reads back intact.
 */
#include "failslab.h"

#define PTRS_CACHES		FAILSLAB_SLAB_SYSFS "/swap_tier_ptrs_*"
#define PTRS_FAIL_TIMES		1000000LL
#define PTRS_FAIL_PAGES		2048
#define PTRS_FAIL_PHASE_S	45
#define PTRS_FAIL_ROUND_MS	10000

/* A number from debugfs zswap/<name> (reject_reclaim_fail...), or -1. */
static long long zswap_debugfs_ll(const char *name)
{
	char p[PATH_MAX], buf[64], *end;
	long long v;

	snprintf(p, sizeof(p), FAILSLAB_DEBUGFS "/zswap/%s", name);
	if (st_read_file(p, buf, sizeof(buf)) <= 0)
		return -1;
	errno = 0;
	v = strtoll(buf, &end, 10);
	return errno || end == buf ? -1 : v;
}

TEST_F_TIMEOUT(tier, writeback_keeps_zswap_copy_when_pointer_alloc_fails, 180)
{
	size_t ps = st_page_size(), npages = PTRS_FAIL_PAGES;
	struct failslab fs = FAILSLAB_INIT;
	struct worker_resp ready, r;
	struct st_snap s0, s1, s2, s3, s4;
	long long in_zswap, rrf0, tried = 0, wb0, left, injected, refused;
	long long on_ssd;
	char why[512] = "";
	double deadline, t0, secs;
	int rc, err, rounds = 0;

	st_require(_metadata, failslab_available);
	ASSERT_LE(0LL, zswap_debugfs_ll("reject_reclaim_fail"))
		TH_LOG("no %s/zswap/reject_reclaim_fail (CONFIG_ZSWAP and CONFIG_DEBUG_FS are in the project's config)",
		       FAILSLAB_DEBUGFS);
	if (!add_backend(_metadata, self, 0, self->env.ssd, 0, "ssd"))
		return;

	/* 1. Half the pages into zswap, none written back. */
	st_swap_out(_metadata, self->cg, &self->w, npages, CANARY_COMPRESSIBLE,
		    "4M", RECLAIM_BUDGET_MS, &ready, &s0, &s1);
	in_zswap = s1.zswapped / (long long)ps;
	ASSERT_GE(in_zswap, (long long)npages / 4)
		TH_LOG("only %lld of %zu pages in zswap", in_zswap, npages);
	ASSERT_EQ(s0.g_zswpwb, s1.g_zswpwb)
		TH_LOG("zswap wrote back before it had a limit (zswap shrinker_enabled?)");
	ASSERT_EQ(s0.ssd.written, s1.ssd.written);
	ASSERT_LE(0LL, s1.ptr_records)
		TH_LOG("no pointer_records figure (debugfs swap_tier/)");
	ASSERT_EQ(0LL, s1.ptr_records)
		TH_LOG("back-end pointer records exist before anything went to a back end");
	/* memory.zswap.max of one page: every store is over it. */
	ASSERT_GE(s1.zswap_current, 2LL * (long long)ps)
		TH_LOG("zswap holds only %lld bytes", s1.zswap_current);
	ASSERT_EQ(0, cg_write_ll(self->cg, "memory.zswap.max", (long long)ps));

	/*
	 * 2. Every pointer record allocation fails.  No ASSERT until
	 * failslab is off again: an ASSERT ends this process, and only the
	 * guard (lib/failslab.h) would then turn it off.
	 */
	rrf0 = zswap_debugfs_ll("reject_reclaim_fail");
	rc = failslab_arm(&fs, PTRS_CACHES, PTRS_FAIL_TIMES, why, sizeof(why));
	ASSERT_EQ(0, rc) TH_LOG("failslab on %s: %s", PTRS_CACHES, why);
	ksft_print_msg("failslab: every allocation from %d caches (%s) fails, %lld times at most\n",
		       fs.nr_caches, PTRS_CACHES, PTRS_FAIL_TIMES);
	wb0 = vmstat_get("zswpwb");
	t0 = st_now();
	deadline = t0 + PTRS_FAIL_PHASE_S;
	do {
		st_reclaim(self->cg, "4M", PTRS_FAIL_ROUND_MS);
		rounds++;
		tried = zswap_debugfs_ll("reject_reclaim_fail") - rrf0;
	} while (tried < in_zswap && vmstat_get("zswpwb") == wb0 &&
		 st_now() < deadline);
	secs = st_now() - t0;
	left = failslab_times();
	err = failslab_disarm(&fs);
	ASSERT_EQ(0, err) TH_LOG("turning failslab off: %s", strerror(-err));
	ASSERT_NE(LLONG_MIN, left) TH_LOG("cannot read %s/times", FAILSLAB_DIR);

	st_snap_after_io(self->cg, &s1, &s2);
	st_snap_print("with every pointer record allocation failing", &s1, &s2,
		      true);
	injected = PTRS_FAIL_TIMES - left;
	refused = s2.g_reject - s1.g_reject;
	ksft_print_msg("%d reclaim rounds in %.1f s: %lld failed writebacks (reject_reclaim_fail) of %lld zswap entries; %lld failures injected, %lld pages zswap refused found no place\n",
		       rounds, secs, tried, in_zswap, injected,
		       refused);
	ASSERT_EQ(s1.g_zswpwb, s2.g_zswpwb)
		TH_LOG("vmstat zswpwb rose by %lld while no back-end pointer record could be allocated (the SSD completed %lld writes): entries left zswap without a back-end copy",
		       s2.g_zswpwb - s1.g_zswpwb,
		       s2.ssd.written - s1.ssd.written);
	ASSERT_EQ(s1.zswpwb, s2.zswpwb) TH_LOG("memory.stat zswpwb rose");
	ASSERT_GE(s2.zswapped, s1.zswapped)
		TH_LOG("zswap lost %lld pages of the cgroup although none could be written back",
		       (s1.zswapped - s2.zswapped) / (long long)ps);
	ASSERT_GE(s2.zswap_current, s1.zswap_current)
		TH_LOG("memory.zswap.current fell from %lld to %lld",
		       s1.zswap_current, s2.zswap_current);
	ASSERT_EQ(s1.ssd.written, s2.ssd.written)
		TH_LOG("the SSD took writes without pointer records");
	ASSERT_EQ(s1.ssd.write_errors, s2.ssd.write_errors);
	ASSERT_EQ(s1.g_pswpout, s2.g_pswpout)
		TH_LOG("back-end writes were submitted without pointer records");
	ASSERT_EQ(s1.ptr_records, s2.ptr_records)
		TH_LOG("pointer records were allocated although failslab fails them all");
	ASSERT_GT(injected, 0LL)
		TH_LOG("failslab injected no failure (%s/times still %lld)",
		       FAILSLAB_DIR, left);
	ASSERT_GT(left, 0LL)
		TH_LOG("failslab ran out of failures to inject");
	ASSERT_GT(tried, 0LL)
		TH_LOG("zswap never tried to write an entry back (%d reclaim rounds)",
		       rounds);
	/* Every refused page found no place once; the rest is writeback. */
	ASSERT_GT(injected, refused)
		TH_LOG("no injected failure hit zswap writeback: %lld injected, %lld refused pages",
		       injected, refused);

	/* 3. Records to be had again: the same reclaim writes back. */
	st_reclaim(self->cg, "4M", RECLAIM_LONG_MS);
	st_snap_after_io(self->cg, &s2, &s3);
	st_snap_print("failslab off", &s2, &s3, true);
	ASSERT_GT(s3.zswpwb - s2.zswpwb, 0LL)
		TH_LOG("nothing written back once pointer records could be allocated");
	ASSERT_GE(s3.g_zswpwb - s2.g_zswpwb, s3.zswpwb - s2.zswpwb);
	ASSERT_GT(s3.ssd.written - s2.ssd.written, 0LL);
	ASSERT_GE(s3.ssd.written - s2.ssd.written, s3.g_zswpwb - s2.g_zswpwb)
		TH_LOG("%lld entries written back but the SSD completed only %lld writes",
		       s3.g_zswpwb - s2.g_zswpwb,
		       s3.ssd.written - s2.ssd.written);
	ASSERT_EQ(0LL, s3.ssd.write_errors - s2.ssd.write_errors);
	ASSERT_GT(s3.ptr_records, 0LL);
	st_assert_io_accounted(_metadata, &s2, &s3);

	/*
	 * 4. Every byte of every page: those still in zswap, those now on
	 * the SSD (all its pages were written in 3: nothing reached it
	 * before), those that never left memory.
	 */
	on_ssd = s3.ssd.written - s0.ssd.written;
	st_worker_check(_metadata, &self->w, &r);
	st_snap_after_io(self->cg, &s3, &s4);
	st_snap_print("after verify", &s3, &s4, true);
	ASSERT_GE(s4.ssd.read - s3.ssd.read, on_ssd - r.resident)
		TH_LOG("%lld pages on the SSD, %lld resident, but only %lld read",
		       on_ssd, (long long)r.resident,
		       s4.ssd.read - s3.ssd.read);
	ASSERT_EQ(0LL, s4.ssd.read_errors - s3.ssd.read_errors);
	st_assert_io_accounted(_metadata, &s3, &s4);
}

TEST_HARNESS_MAIN
