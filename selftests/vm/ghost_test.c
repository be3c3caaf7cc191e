// SPDX-License-Identifier: GPL-2.0
/*
 * ghost_test: behaviour of the swaptier ghost swapfile.
 *
 * A ghost swapfile is a regular file with a valid SWAPSPACE2 header
 * (version 1, last_page > 0) carrying the ghost marker; swapctl makes it one
 * page long.  Pages swapped out to it live in zswap only; what zswap refuses
 * stays in memory and is counted as swpout_ghost_reject (/proc/vmstat and
 * memory.stat), and when zswap could take nothing of a cgroup (off, or
 * over memory.zswap.max) reclaim does not offer its pages to the ghost at
 * all; SwapTotal and SwapFree count only what zswap can hold.  No block I/O ever
 * reaches the file, zswap writeback of ghost entries is refused, swapoff
 * brings every page back.
 *
 * Every test gets a fresh ghost made by "$SWAPCTL ghost create" in
 * $SWAPTIER_SCRATCH.  Tests that need memory pressure run a worker process
 * (lib/worker.c) in a fresh memory cgroup: it maps canary pages with
 * mmap(MAP_PRIVATE|MAP_ANONYMOUS) + MADV_NOHUGEPAGE, fills them, and later
 * checks residency with mincore() and every byte of every page.
 *
 * Environment (the swaptier VM runner): root, cgroup v2 at /sys/fs/cgroup
 * with +memory in the root's subtree_control, zswap enabled, no swap
 * active, SWAPCTL and SWAPTIER_SCRATCH set.  Without SWAPTIER_SCRATCH or
 * SWAPCTL every test fails (the VM runner provides them).
 *
 * Sizes are small on purpose: the guest is QEMU TCG with KASAN and lockdep.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "swaptest.h"
#include "st_harness.h"

/* Size of the ghost front end used by most tests. */
#define GHOST_SIZE		"256M"
#define GHOST_SIZE_BYTES	(256ULL * ST_MiB)

/* Test 3: working set and memory.max (working set well above max). */
#define PRESSURE_WS		(64ULL * ST_MiB)
#define PRESSURE_MAX		(16ULL * ST_MiB)
#define PRESSURE_MAX_STR	"16M"
/* Tests where zswap must refuse the pages (reject paths). */
#define REJECT_WS		(16ULL * ST_MiB)
/* Writeback and swapoff tests. */
#define ZSWAP_WS		(32ULL * ST_MiB)

/*
 * memory.reclaim with nothing reclaimable retries 16 times, each time
 * scanning the whole LRU; on a TCG+KASAN guest that can take minutes.
 * Stop it after this budget: one full scan of the LRU (which is all the
 * reject assertions need) takes a fraction of it.
 */
#define RECLAIM_BUDGET_MS	20000

FIXTURE(ghost) {
	struct st_env env;
	char path[PATH_MAX];	/* the ghost file */
	char path2[PATH_MAX];	/* second ghost (label test) */
	char fstab[PATH_MAX];	/* temporary fstab */
	char cg[PATH_MAX];	/* memory cgroup, "" if none */
	struct worker w;
	pid_t owner;		/* process that ran setup (owns w's fds) */
	bool zswap_touched;
	uint32_t last_page;
};

FIXTURE_SETUP(ghost)
{
	size_t ps = st_page_size();
	struct swaphdr_info hi;
	char log[2048], out[4096];
	int rc;

	self->w = (struct worker)WORKER_INIT;
	self->owner = getpid();
	st_require_env(_metadata, &self->env, true, false);
	if (st_recover(&self->env, log, sizeof(log)))
		ksft_print_msg("recovered state left by an earlier test: %s\n",
			       log);
	ASSERT_EQ(0, st_unique_path(self->path, sizeof(self->path),
				    self->env.scratch, "ghost", ".swap"));
	rc = st_swapctl_ghost_create(&self->env, self->path, GHOST_SIZE, NULL,
				     out, sizeof(out));
	if (rc != 0)
		unlink(self->path);
	ASSERT_EQ(0, rc)
		TH_LOG("%s ghost create %s --size %s: exit %d: %s",
		       self->env.swapctl, self->path, GHOST_SIZE, rc,
		       st_oneline(out, sizeof(out)));
	rc = swaphdr_read(self->path, &hi);
	if (rc || hi.file_size != (long long)ps || !hi.magic_ok ||
	    !hi.ghost_marker || hi.version != 1 || hi.last_page == 0) {
		unlink(self->path);
		ASSERT_EQ(0, rc) TH_LOG("cannot read %s: %s", self->path,
					strerror(-rc));
		ASSERT_EQ((long long)ps, hi.file_size)
			TH_LOG("swapctl made a ghost that is not one page long");
		ASSERT_TRUE(hi.magic_ok) TH_LOG("ghost lacks SWAPSPACE2");
		ASSERT_TRUE(hi.ghost_marker)
			TH_LOG("ghost lacks the ghost marker at byte %d",
			       SWAPHDR_OFF_GHOST_MAGIC);
		ASSERT_EQ(1U, hi.version);
		ASSERT_NE(0U, hi.last_page);
	}
	self->last_page = hi.last_page;
}

/*
 * Runs in the harness parent after the test process ends (or in the test
 * process after a failed ASSERT), so it must not rely on state private to
 * the test process.  Global state (swap areas, zswap, cgroups) is restored
 * here even when the test failed.
 */
FIXTURE_TEARDOWN_PARENT(ghost)
{
	int err;

	/* Free the worker's pages first: swapoff then has nothing to read. */
	if (getpid() == self->owner)
		worker_stop(&self->w);
	else
		worker_kill_foreign(&self->w);
	if (self->path[0]) {
		err = st_swapoff_if_active(self->path);
		TEARDOWN_CHECK(!err, "swapoff %s: %s", self->path,
			       strerror(-err));
		unlink(self->path);
	}
	if (self->path2[0]) {
		err = st_swapoff_if_active(self->path2);
		TEARDOWN_CHECK(!err, "swapoff %s: %s", self->path2,
			       strerror(-err));
		unlink(self->path2);
	}
	if (self->fstab[0])
		unlink(self->fstab);
	if (self->zswap_touched) {
		err = zswap_restore_enabled(&self->env);
		TEARDOWN_CHECK(err >= 0, "restoring zswap enabled: %s",
			       strerror(-err));
	}
	if (self->cg[0]) {
		err = cg_destroy(self->cg);
		TEARDOWN_CHECK(!err, "rmdir %s: %s", self->cg, strerror(-err));
	}
}

/*
 * Create the test's memory cgroup (the VM runner enables the memory
 * controller).  false (test failed) if impossible.
 */
static bool make_memcg(struct __test_metadata *_metadata,
		       FIXTURE_DATA(ghost) *self, const char *tag)
{
	int err;

	st_require(_metadata, cg_memory_available);
	err = cg_create(tag, self->cg, sizeof(self->cg));
	if (err)
		self->cg[0] = '\0';
	EXPECT_EQ(0, err) TH_LOG("mkdir cgroup: %s", strerror(-err));
	return err == 0;
}

/* swapon(2) the fixture's ghost and check the environment around it. */
static void ghost_swapon(struct __test_metadata *_metadata,
			 FIXTURE_DATA(ghost) *self)
{
	struct swaps_row row;
	char desc[1024];
	int rc, e, others;

	others = st_other_swaps(NULL, desc, sizeof(desc));
	ASSERT_EQ(0, others)
		TH_LOG("swap already active before the test (the VM contract says none): %s",
		       desc);
	rc = swapon(self->path, 0);
	e = errno;
	ASSERT_EQ(0, rc) TH_LOG("swapon(%s): %s", self->path, strerror(e));
	ASSERT_EQ(1, swaps_find(self->path, &row))
		TH_LOG("%s active but not in /proc/swaps", self->path);
	ASSERT_STREQ("ghost", row.type);
}

/*
 * Common body of the "zswap cannot take it" tests: under memory.reclaim,
 * every page must stay resident and intact, and neither zswap nor the disk
 * sees a page. If zswap has room (offered), reclaim offers the pages and
 * each rejection is counted in memory.stat and /proc/vmstat; if nothing
 * could hold them (zswap off or memory.zswap.max=0, no back end), reclaim
 * does not offer anonymous pages to the ghost at all, as with a full swap
 * device, and there is (next to) no rejection.
 */
static void reclaim_expect_rejects(struct __test_metadata *_metadata,
				   FIXTURE_DATA(ghost) *self,
				   enum canary_kind kind, bool offered)
{
	size_t npages = REJECT_WS / st_page_size();
	struct worker_resp ready, r;
	struct st_snap s0, s1;
	double secs;
	int rc;

	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	st_worker_start(_metadata, &self->w, self->cg, npages, kind, &ready);

	rc = cg_reclaim(self->cg, "64M", RECLAIM_BUDGET_MS, &secs);
	ksft_print_msg("memory.reclaim 64M: %s after %.1f s\n",
		       rc ? strerror(-rc) : "success", secs);
	/* Nothing is reclaimable: EAGAIN, or EINTR when the budget ran out. */
	ASSERT_TRUE(rc == -EAGAIN || rc == -EINTR)
		TH_LOG("memory.reclaim returned %d (%s); nothing in the cgroup should be reclaimable",
		       rc, strerror(-rc));

	st_snap_take(self->cg, ST_STATS_SETTLE_MS, &s1);
	st_snap_print("after reclaim", &s0, &s1, false);
	st_worker_check(_metadata, &self->w, &r);

	ASSERT_EQ((long long)npages, (long long)r.resident)
		TH_LOG("pages zswap could not take left memory");
	ASSERT_LE(s1.zswpout - s0.zswpout, st_zswpout_slack(&ready))
		TH_LOG("zswap stored pages it should have refused");
	ASSERT_EQ(s0.g_pswpout, s1.g_pswpout)
		TH_LOG("block I/O reached swap: pswpout moved");
	if (!offered) {
		/* A few slots of the per-CPU caches may still be tried. */
		ASSERT_LE(s1.g_reject - s0.g_reject, (long long)npages / 64)
			TH_LOG("reclaim offered %lld pages to a ghost nothing could back",
			       s1.g_reject - s0.g_reject);
		return;
	}
	/*
	 * A reclaim pass scans the whole inactive list, where the freshly
	 * faulted pages sit, so each page is tried at least once; ask for
	 * half to leave room for LRU batching/rotation.
	 */
	ASSERT_GE(s1.reject - s0.reject, (long long)npages / 2)
		TH_LOG("memory.stat swpout_ghost_reject rose by %lld, want >= %zu",
		       s1.reject - s0.reject, npages / 2);
	ASSERT_GE(s1.g_reject - s0.g_reject, (long long)npages / 2)
		TH_LOG("/proc/vmstat swpout_ghost_reject rose by %lld, want >= %zu",
		       s1.g_reject - s0.g_reject, npages / 2);
}

/* 1. swapon(8)/swapoff(8) on a ghost. */
TEST_F_TIMEOUT(ghost, swapon8_activates, 60)
{
	size_t ps = st_page_size();
	char out[4096], real[PATH_MAX];
	char *on[] = { "swapon", self->path, NULL };
	char *off[] = { "swapoff", self->path, NULL };
	char *show[] = { "swapon", "--show=NAME,TYPE,SIZE", "--noheadings",
			 "--raw", "--bytes", NULL };
	unsigned char *before, *after;
	long long want_kb = (long long)self->last_page * (long long)(ps / 1024);
	unsigned long long bytes = (unsigned long long)self->last_page * ps;
	struct swaps_row row;
	int fd, rc;

	before = calloc(2, ps);
	ASSERT_NE(NULL, before);
	after = before + ps;
	fd = open(self->path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)ps, pread(fd, before, ps, 0));
	close(fd);

	ASSERT_EQ(0, st_other_swaps(NULL, out, sizeof(out)))
		TH_LOG("swap already active: %s", out);
	rc = st_run(on, out, sizeof(out), 60);
	ASSERT_EQ(0, rc) TH_LOG("swapon %s: exit %d: %s", self->path, rc,
				st_oneline(out, sizeof(out)));
	ASSERT_EQ(1, swaps_find(self->path, &row))
		TH_LOG("swapon(8) succeeded but %s is not in /proc/swaps",
		       self->path);
	ksft_print_msg("/proc/swaps: %s type %s size %lld KiB used %lld KiB prio %d (last_page %u)\n",
		       row.path, row.type, row.size_kb, row.used_kb, row.prio,
		       self->last_page);
	ASSERT_STREQ("ghost", row.type);
	ASSERT_EQ(want_kb, row.size_kb)
		TH_LOG("Size should be last_page (%u) * %zu KiB", self->last_page,
		       ps / 1024);
	ASSERT_EQ(0, row.used_kb);
	/* --size 256M: last_page is the slot count, with or without the header slot. */
	EXPECT_TRUE(bytes == GHOST_SIZE_BYTES || bytes == GHOST_SIZE_BYTES - ps)
		TH_LOG("swapctl --size %s gave last_page %u (%llu bytes)",
		       GHOST_SIZE, self->last_page, bytes);
	ASSERT_EQ((long long)ps, st_file_size(self->path))
		TH_LOG("ghost file size changed while active");

	/* util-linux shows the type from /proc/swaps. */
	rc = st_run(show, out, sizeof(out), 30);
	EXPECT_EQ(0, rc) TH_LOG("swapon --show: exit %d", rc);
	if (!realpath(self->path, real))
		snprintf(real, sizeof(real), "%s", self->path);
	{
		const char *needles[] = { real, " ghost " };

		EXPECT_EQ(1, kmsg_text_has(out, needles, 2, NULL, 0))
			TH_LOG("swapon --show does not list %s as ghost: %s",
			       real, st_oneline(out, sizeof(out)));
	}

	rc = st_run(off, out, sizeof(out), 60);
	ASSERT_EQ(0, rc) TH_LOG("swapoff %s: exit %d: %s", self->path, rc,
				st_oneline(out, sizeof(out)));
	ASSERT_EQ(0, swaps_find(self->path, NULL))
		TH_LOG("still in /proc/swaps after swapoff(8)");
	ASSERT_EQ((long long)ps, st_file_size(self->path))
		TH_LOG("ghost file is no longer one page after swapon/swapoff");
	fd = open(self->path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)ps, pread(fd, after, ps, 0));
	close(fd);
	ASSERT_EQ(0, memcmp(before, after, ps))
		TH_LOG("the ghost file's header changed across swapon/swapoff");
	free(before);
}

static void write_fstab(struct __test_metadata *_metadata,
			FIXTURE_DATA(ghost) *self, const char *line)
{
	FILE *f;

	ASSERT_EQ(0, st_unique_path(self->fstab, sizeof(self->fstab),
				    self->env.scratch, "fstab", NULL));
	f = fopen(self->fstab, "we");
	ASSERT_NE(NULL, f) TH_LOG("fopen %s: %s", self->fstab, strerror(errno));
	fprintf(f, "# swaptier selftest\n%s\n", line);
	ASSERT_EQ(0, fclose(f));
}

/*
 * "swapon -a" on the temporary fstab.  util-linux >= 2.39 has -T/--fstab;
 * bookworm's 2.38 does not, but libmount reads the fstab path from
 * $LIBMOUNT_FSTAB (libmount(3)), which swapon -a honours.
 */
static int swapon_all_fstab(FIXTURE_DATA(ghost) *self, char *out,
			    size_t outlen, const char **method)
{
	char *help[] = { "swapon", "--help", NULL };
	char *with_t[] = { "swapon", "-v", "-T", self->fstab, "-a", NULL };
	char *plain[] = { "swapon", "-v", "-a", NULL };
	char envv[PATH_MAX + 32];
	const char *env[] = { envv, NULL };

	if (st_run(help, out, outlen, 30) == 0 && strstr(out, "--fstab")) {
		*method = "swapon -T <fstab> -a";
		return st_run(with_t, out, outlen, 60);
	}
	snprintf(envv, sizeof(envv), "LIBMOUNT_FSTAB=%s", self->fstab);
	*method = "LIBMOUNT_FSTAB=<fstab> swapon -a (this swapon has no -T)";
	return st_run_env(plain, env, out, outlen, 60);
}

/* 2a. An fstab entry with pri=7 activates the ghost with priority 7. */
TEST_F_TIMEOUT(ghost, fstab_priority, 60)
{
	char line[PATH_MAX + 64], out[4096];
	char *off[] = { "swapoff", self->path, NULL };
	struct swaps_row row;
	const char *how;
	int rc;

	snprintf(line, sizeof(line), "%s none swap pri=7 0 0", self->path);
	write_fstab(_metadata, self, line);
	ASSERT_EQ(0, st_other_swaps(NULL, out, sizeof(out)))
		TH_LOG("swap already active: %s", out);
	rc = swapon_all_fstab(self, out, sizeof(out), &how);
	ksft_print_msg("%s: exit %d: %s\n", how, rc,
		       st_oneline(out, sizeof(out)));
	ASSERT_EQ(0, rc);
	ASSERT_EQ(1, swaps_find(self->path, &row))
		TH_LOG("swapon -a did not activate %s", self->path);
	ASSERT_STREQ("ghost", row.type);
	ASSERT_EQ(7, row.prio);
	rc = st_run(off, out, sizeof(out), 60);
	ASSERT_EQ(0, rc) TH_LOG("swapoff: exit %d: %s", rc,
				st_oneline(out, sizeof(out)));
	ASSERT_EQ(0, swaps_find(self->path, NULL));
}

/*
 * 2b. LABEL= in fstab for a ghost made with "swapctl ghost create --label".
 * util-linux resolves LABEL= through libblkid's device list, which holds
 * block devices only (blkid -L and findfs find no regular file, whatever
 * its size: checked with a 10-page mkswap'd file on bookworm), and its
 * swap prober identifies areas of at least 10 pages only; if it cannot
 * find the ghost by label the test reports what swapon(8) said as a SKIP
 * instead of passing.
 */
TEST_F_TIMEOUT(ghost, fstab_label, 60)
{
	char label[17], line[128], out[4096], blk[1024];
	char *off[] = { "swapoff", self->path2, NULL };
	struct swaphdr_info hi;
	struct swaps_row row;
	const char *how;
	int rc, rcb, found;

	snprintf(label, sizeof(label), "stghost%d", (int)getpid() % 100000000);
	ASSERT_EQ(0, st_unique_path(self->path2, sizeof(self->path2),
				    self->env.scratch, "label", ".swap"));
	rc = st_swapctl_ghost_create(&self->env, self->path2, "64M", label, out,
				     sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("swapctl ghost create --label: exit %d: %s",
				rc, st_oneline(out, sizeof(out)));
	ASSERT_EQ(0, swaphdr_read(self->path2, &hi));
	ASSERT_EQ((long long)st_page_size(), hi.file_size);
	ASSERT_STREQ(label, hi.label)
		TH_LOG("swapctl --label did not write the label into sws_volume");

	{
		char *blkid[] = { "blkid", "-p", "-o", "export", self->path2,
				  NULL };

		rcb = st_run(blkid, blk, sizeof(blk), 30);
		ksft_print_msg("blkid -p %s: exit %d: %s\n", self->path2, rcb,
			       st_oneline(blk, sizeof(blk)));
	}

	snprintf(line, sizeof(line), "LABEL=%s none swap pri=9 0 0", label);
	write_fstab(_metadata, self, line);
	ASSERT_EQ(0, st_other_swaps(NULL, out, sizeof(out)))
		TH_LOG("swap already active: %s", out);
	rc = swapon_all_fstab(self, out, sizeof(out), &how);
	st_oneline(out, sizeof(out));
	ksft_print_msg("%s (LABEL=%s): exit %d: %s\n", how, label, rc, out);
	found = swaps_find(self->path2, &row);
	if (found != 1) {
		char msg[1024];

		if (snprintf(msg, sizeof(msg),
			     "util-linux did not resolve LABEL=%s to the one-page ghost %s (swapon exit %d: %s; blkid -p exit %d%s)",
			     label, self->path2, rc, out, rcb,
			     rcb ? ": libblkid resolves LABEL= on block devices only, and probes for swap only on areas of 10 pages or more" :
				   ": libblkid resolves LABEL= on block devices only") >= (int)sizeof(msg))
			msg[sizeof(msg) - 2] = '~';
		SKIP(return, "%s", msg);
	}
	ASSERT_STREQ("ghost", row.type);
	ASSERT_EQ(9, row.prio);
	rc = st_run(off, out, sizeof(out), 60);
	ASSERT_EQ(0, rc) TH_LOG("swapoff: exit %d: %s", rc,
				st_oneline(out, sizeof(out)));
}

/*
 * 3. A worker with 64 MiB of compressible canaries in a cgroup limited to
 * 16 MiB swaps to the ghost: zswap takes at least 48 MiB worth of pages,
 * the disk sees nothing, and every byte comes back.
 */
TEST_F_TIMEOUT(ghost, pressure_roundtrip, 150)
{
	size_t ps = st_page_size(), npages = PRESSURE_WS / ps;
	long long min_out = (long long)((PRESSURE_WS - PRESSURE_MAX) / ps);
	struct worker_resp ready, r;
	struct swaps_row row;
	struct st_snap s0, s1, s2;
	long long in_zswap;

	if (!make_memcg(_metadata, self, "pressure"))
		return;
	ghost_swapon(_metadata, self);
	ASSERT_EQ(0, cg_write(self->cg, "memory.max", PRESSURE_MAX_STR));
	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);

	st_worker_start(_metadata, &self->w, self->cg, npages,
			CANARY_COMPRESSIBLE, &ready);
	st_snap_take(self->cg, ST_STATS_SETTLE_MS, &s1);
	st_snap_print("after fill", &s0, &s1, false);
	if (swaps_find(self->path, &row) == 1)
		ksft_print_msg("/proc/swaps: ghost used %lld KiB\n",
			       row.used_kb);
	ASSERT_GE(s1.zswpout - s0.zswpout, min_out)
		TH_LOG("memory.stat zswpout rose by %lld, want >= %lld ((64M - 16M) / page)",
		       s1.zswpout - s0.zswpout, min_out);
	ASSERT_EQ(s0.g_pswpout, s1.g_pswpout)
		TH_LOG("block I/O reached swap: pswpout moved");

	/* Pages in zswap now must each be loaded back to be verified. */
	in_zswap = s1.zswapped / (long long)ps;
	st_worker_check(_metadata, &self->w, &r);
	st_snap_take(self->cg, ST_STATS_SETTLE_MS, &s2);
	st_snap_print("after verify", &s1, &s2, false);
	ASSERT_GT(s2.zswpin - s1.zswpin, 0LL) TH_LOG("zswpin did not rise");
	ASSERT_GE(s2.zswpin - s1.zswpin, in_zswap)
		TH_LOG("%lld pages were in zswap but zswpin rose by only %lld",
		       in_zswap, s2.zswpin - s1.zswpin);
	ASSERT_EQ(s0.g_pswpout, s2.g_pswpout)
		TH_LOG("block I/O reached swap: pswpout moved");
}

/* 4. Incompressible pages: zswap rejects them, they stay resident. */
TEST_F_TIMEOUT(ghost, incompressible_stays_resident, 120)
{
	if (!make_memcg(_metadata, self, "incomp"))
		return;
	ghost_swapon(_metadata, self);
	reclaim_expect_rejects(_metadata, self, CANARY_INCOMPRESSIBLE, true);
}

/*
 * 5. memory.zswap.max=0 and no back end: nothing can hold the cgroup's
 * pages, so reclaim does not offer them to the ghost; they stay resident.
 */
TEST_F_TIMEOUT(ghost, zswap_max_zero_stays_resident, 120)
{
	if (!make_memcg(_metadata, self, "zmax0"))
		return;
	ghost_swapon(_metadata, self);
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "0"));
	ASSERT_EQ(0LL, cg_read_ll(self->cg, "memory.zswap.max"));
	reclaim_expect_rejects(_metadata, self, CANARY_COMPRESSIBLE, false);
}

/*
 * 6. zswap writeback of ghost entries is refused: fill zswap, lower
 * memory.zswap.max below its usage, reclaim again.  Nothing is written
 * back, nothing reaches the disk, entries stay in zswap, the rest is not
 * even offered to the ghost, canaries intact.
 */
TEST_F_TIMEOUT(ghost, writeback_refused, 120)
{
	size_t ps = st_page_size(), npages = ZSWAP_WS / ps;
	long long half = (long long)(npages / 2), limit;
	struct worker_resp ready, r;
	struct st_snap s0, s1, s2;
	double secs;
	int rc;

	if (!make_memcg(_metadata, self, "wb"))
		return;
	ghost_swapon(_metadata, self);
	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	st_worker_start(_metadata, &self->w, self->cg, npages,
			CANARY_COMPRESSIBLE, &ready);

	/* Phase 1: put half of the pages in zswap. */
	rc = cg_reclaim(self->cg, "16M", 2 * RECLAIM_BUDGET_MS, &secs);
	ksft_print_msg("memory.reclaim 16M: %s after %.1f s\n",
		       rc ? strerror(-rc) : "success", secs);
	ASSERT_EQ(0, rc) TH_LOG("memory.reclaim 16M of compressible pages failed");
	st_snap_take(self->cg, ST_STATS_SETTLE_MS, &s1);
	st_snap_print("phase 1 (into zswap)", &s0, &s1, false);
	ASSERT_GE(s1.zswpout - s0.zswpout, half)
		TH_LOG("zswpout rose by %lld, want >= %lld",
		       s1.zswpout - s0.zswpout, half);
	ASSERT_GT(s1.zswap_current, 0LL);

	/* Phase 2: zswap over its cgroup limit: stores would need writeback. */
	limit = s1.zswap_current / 2;
	ASSERT_EQ(0, cg_write_ll(self->cg, "memory.zswap.max", limit));
	ksft_print_msg("memory.zswap.max = %lld (zswap.current %lld)\n", limit,
		       s1.zswap_current);
	rc = cg_reclaim(self->cg, "16M", RECLAIM_BUDGET_MS, &secs);
	ksft_print_msg("memory.reclaim 16M over the zswap limit: %s after %.1f s\n",
		       rc ? strerror(-rc) : "success", secs);
	st_snap_take(self->cg, ST_STATS_SETTLE_MS, &s2);
	st_snap_print("phase 2 (over zswap.max)", &s1, &s2, false);

	ASSERT_EQ(s0.zswpwb, s2.zswpwb)
		TH_LOG("memory.stat zswpwb moved: ghost entries were written back");
	ASSERT_EQ(s0.g_zswpwb, s2.g_zswpwb)
		TH_LOG("/proc/vmstat zswpwb moved: ghost entries were written back");
	ASSERT_EQ(s0.g_pswpout, s2.g_pswpout)
		TH_LOG("block I/O reached swap: pswpout moved");
	ASSERT_GE(s2.zswapped, s1.zswapped)
		TH_LOG("zswapped dropped from %lld to %lld: entries left zswap",
		       s1.zswapped, s2.zswapped);
	/*
	 * With zswap over the cgroup's limit and no back end nothing can take
	 * another page of the cgroup: reclaim no longer offers them to the
	 * ghost (the pages stay resident), so there is next to no rejection.
	 */
	ASSERT_LE(s2.g_reject - s1.g_reject, half / 64)
		TH_LOG("reclaim offered %lld pages although nothing could hold them",
		       s2.g_reject - s1.g_reject);

	st_worker_check(_metadata, &self->w, &r);
}

/*
 * 7. swapoff of a ghost holding pages in zswap brings them all back: the
 * worker keeps its mapping and waits while swapoff(8) runs.
 */
TEST_F_TIMEOUT(ghost, swapoff_brings_pages_back, 150)
{
	size_t ps = st_page_size(), npages = ZSWAP_WS / ps;
	char out[4096];
	char *off[] = { "swapoff", self->path, NULL };
	struct worker_resp ready, r;
	struct swaps_row row;
	struct st_snap s0, s1, s2;
	long long in_zswap, zc = -1, zsw = -1;
	double secs, t0;
	int rc;

	if (!make_memcg(_metadata, self, "swapoff"))
		return;
	ghost_swapon(_metadata, self);
	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	st_worker_start(_metadata, &self->w, self->cg, npages,
			CANARY_COMPRESSIBLE, &ready);

	rc = cg_reclaim(self->cg, "32M", 2 * RECLAIM_BUDGET_MS, &secs);
	ksft_print_msg("memory.reclaim 32M: %s after %.1f s\n",
		       rc ? strerror(-rc) : "success", secs);
	st_snap_take(self->cg, ST_STATS_SETTLE_MS, &s1);
	st_snap_print("after reclaim", &s0, &s1, false);
	in_zswap = s1.zswapped / (long long)ps;
	ASSERT_GE(in_zswap, (long long)npages / 2)
		TH_LOG("only %lld of %zu pages reached zswap", in_zswap, npages);
	ASSERT_GT(s1.zswap_current, 0LL);
	if (swaps_find(self->path, &row) == 1)
		ksft_print_msg("/proc/swaps: ghost used %lld KiB before swapoff\n",
			       row.used_kb);

	t0 = st_now();
	rc = st_run(off, out, sizeof(out), 90);
	ksft_print_msg("swapoff(8): exit %d after %.1f s: %s\n", rc,
		       st_now() - t0, st_oneline(out, sizeof(out)));
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, swaps_find(self->path, NULL))
		TH_LOG("ghost still listed in /proc/swaps after swapoff");

	/* Allow for lazy memcg stat flushing (periodic, every 2 s). */
	t0 = st_now();
	do {
		zc = cg_read_ll(self->cg, "memory.zswap.current");
		zsw = cg_stat(self->cg, "zswapped");
		if (zc <= 4096 && zsw == 0)
			break;
		st_sleep_ms(250);
	} while (st_now() - t0 < 6);
	st_snap_take(self->cg, ST_STATS_SETTLE_MS, &s2);
	st_snap_print("after swapoff", &s1, &s2, false);
	ASSERT_LE(s2.zswap_current, 4096LL)
		TH_LOG("memory.zswap.current still %lld bytes after swapoff",
		       s2.zswap_current);
	ASSERT_EQ(0LL, s2.zswapped)
		TH_LOG("memory.stat zswapped still %lld after swapoff",
		       s2.zswapped);
	/* How swapoff gets pages out of zswap is the kernel's business. */
	ksft_print_msg("swapoff: %lld pages were in zswap, zswpin rose by %lld\n",
		       in_zswap, s2.zswpin - s1.zswpin);
	ASSERT_EQ(s0.g_pswpout, s2.g_pswpout);

	st_worker_check(_metadata, &self->w, &r);
	ASSERT_EQ((long long)npages, (long long)r.resident)
		TH_LOG("swapoff left pages out of memory");
}

/*
 * 8. zswap disabled globally and no back end: reclaim does not offer pages
 * to the ghost; they stay resident.
 */
TEST_F_TIMEOUT(ghost, zswap_disabled_stays_resident, 120)
{
	char val[16];
	int err;

	if (!make_memcg(_metadata, self, "zoff"))
		return;
	ghost_swapon(_metadata, self);
	ASSERT_LE(0, zswap_param_read("enabled", val, sizeof(val)))
		TH_LOG("cannot read " ZSWAP_PARAM_DIR "/enabled");
	self->zswap_touched = true;
	err = zswap_set_enabled(&self->env, "N");
	ASSERT_EQ(0, err) TH_LOG("disabling zswap: %s", strerror(-err));
	ASSERT_LE(0, zswap_param_read("enabled", val, sizeof(val)));
	ASSERT_STREQ("N", val);
	reclaim_expect_rejects(_metadata, self, CANARY_COMPRESSIBLE, false);
}

/*
 * A child in cg touches ws bytes of anonymous memory until the OOM killer
 * ends it; returns the seconds that took (< 0 on an unexpected end).
 */
static double time_to_oom(const char *cg, size_t ws)
{
	double t0 = st_now();
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		size_t ps = st_page_size();
		char *p;

		if (cg_enter(cg, getpid()))
			_exit(2);
		p = mmap(NULL, ws, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(3);
		madvise(p, ws, MADV_NOHUGEPAGE);
		for (size_t off = 0; off < ws; off += ps)
			memset(p + off, (int)(off / ps) | 1, ps);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		return -1;
	return st_now() - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define OOM_WS			(96ULL * ST_MiB)
#define OOM_MAX			"32M"
#define OOM_ROUNDS		3
/* Allowed: 1.5 times the time with no swap, plus this for timer noise. */
#define OOM_SLACK_S		0.25

/*
 * 9. Nothing can hold the cgroup's pages (memory.zswap.max=0, no back end):
 * a workload over memory.max meets the OOM killer about as soon as with no
 * swap at all, instead of having its pages offered to the ghost and kept
 * dirty pass after pass; swpout_ghost_reject stays bounded.
 */
TEST_F_TIMEOUT(ghost, oom_as_without_swap, 300)
{
	double none[OOM_ROUNDS], with[OOM_ROUNDS], mn, mw;
	long long r0, r1, kills0, kills1;
	char desc[1024];
	int i, rc, e;

	if (!make_memcg(_metadata, self, "oom"))
		return;
	ASSERT_EQ(0, cg_write(self->cg, "memory.max", OOM_MAX));
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "0"));
	ASSERT_EQ(0, st_other_swaps(NULL, desc, sizeof(desc)))
		TH_LOG("swap already active: %s", desc);
	kills0 = cg_key(self->cg, "memory.events", "oom_kill");
	r0 = vmstat_get("swpout_ghost_reject");
	for (i = 0; i < OOM_ROUNDS; i++) {
		none[i] = time_to_oom(self->cg, OOM_WS);
		ASSERT_LT(0, none[i]) TH_LOG("no swap: the child did not die of OOM");
		rc = swapon(self->path, 0);
		e = errno;
		ASSERT_EQ(0, rc) TH_LOG("swapon: %s", strerror(e));
		with[i] = time_to_oom(self->cg, OOM_WS);
		rc = swapoff(self->path);
		e = errno;
		ASSERT_EQ(0, rc) TH_LOG("swapoff: %s", strerror(e));
		ASSERT_LT(0, with[i]) TH_LOG("ghost: the child did not die of OOM");
		ksft_print_msg("round %d: OOM after %.2f s with no swap, %.2f s with the ghost\n",
			       i + 1, none[i], with[i]);
	}
	r1 = vmstat_get("swpout_ghost_reject");
	kills1 = cg_key(self->cg, "memory.events", "oom_kill");
	qsort(none, OOM_ROUNDS, sizeof(none[0]), cmp_double);
	qsort(with, OOM_ROUNDS, sizeof(with[0]), cmp_double);
	mn = none[OOM_ROUNDS / 2];
	mw = with[OOM_ROUNDS / 2];
	ksft_print_msg("median time to OOM: %.2f s with no swap, %.2f s with the ghost (%.2fx); swpout_ghost_reject +%lld\n",
		       mn, mw, mw / mn, r1 - r0);
	ASSERT_EQ(2LL * OOM_ROUNDS, kills1 - kills0);
	ASSERT_LE(mw, 1.5 * mn + OOM_SLACK_S);
	ASSERT_LE(r1 - r0, (long long)(OOM_WS / st_page_size() / 64))
		TH_LOG("the ghost was offered pages nothing could hold");
}

/*
 * 10. SwapTotal and SwapFree count what the tiers can hold: with zswap off
 * and no back end the ghost adds nothing to either; with zswap on it adds
 * the ghost's free slots up to what zswap's pool could still take.
 */
TEST_F_TIMEOUT(ghost, swapfree_counts_what_tiers_hold, 60)
{
	long long total_off, free_off, total_on, free_on;
	char val[16];
	int err;

	ghost_swapon(_metadata, self);
	ASSERT_LE(0, zswap_param_read("enabled", val, sizeof(val)));
	self->zswap_touched = true;
	err = zswap_set_enabled(&self->env, "N");
	ASSERT_EQ(0, err) TH_LOG("disabling zswap: %s", strerror(-err));
	total_off = meminfo_kb("SwapTotal");
	free_off = meminfo_kb("SwapFree");
	err = zswap_set_enabled(&self->env, "Y");
	ASSERT_EQ(0, err) TH_LOG("enabling zswap: %s", strerror(-err));
	total_on = meminfo_kb("SwapTotal");
	free_on = meminfo_kb("SwapFree");
	ksft_print_msg("%s ghost: SwapTotal %lld KiB, SwapFree %lld KiB with zswap off; %lld, %lld KiB with zswap on (pool max %lld KiB)\n",
		       GHOST_SIZE, total_off, free_off, total_on, free_on,
		       meminfo_kb("MemTotal") / 5);
	ASSERT_EQ(0LL, total_off) TH_LOG("SwapTotal counts slots nothing can back");
	ASSERT_EQ(0LL, free_off);
	/* zswap's pool (20 % of RAM) holds at least the 256 MiB here */
	ASSERT_EQ((long long)(GHOST_SIZE_BYTES / 1024) - 4, total_on);
	ASSERT_EQ(total_on, free_on);
}

TEST_HARNESS_MAIN
