// SPDX-License-Identifier: GPL-2.0
/*
 * demote_test: demotion (SSD -> HDD) and drain of back-end tiers, without
 * page-table walks (issue 5, kernel patch 0007; the interface is in
 * build/notes/issue5-interface.md).
 *
 * Every test swaps on a fresh ghost (front end) and adds back ends as
 * tier_test does: dm-linear slices of the tier disks, small enough to fill
 * up, or the whole disks.  Workers (lib/worker.c) hold canary pages in
 * memory cgroups; memory.reclaim pushes them to the back ends, and every
 * byte of every page is verified when they come back.
 *
 * What the tests hold the kernel to:
 *  - data moves between back ends without the page tables changing: the
 *    worker's /proc/PID/pagemap swap entries (type and offset of the ghost
 *    entry) are the same before and after a demotion or drain, its
 *    cgroup's pgmajfault and memory.swap.current do not move;
 *  - counters add up: a tier's demoted_pages / drained_pages rise by the
 *    pages that left it, the target tier's used_pages by the pages that
 *    arrived, the source's used_pages falls by as many (exact once freed
 *    slots have left the per-CPU swap slot caches: lib/tier.c
 *    st_swap_slots_drain()), the swap_tier:* tracepoints agree;
 *  - the watermark worker brings the SSD below its low watermark and
 *    moves the oldest pages first; a policy's requests (bpf/age_demote)
 *    honour min_age and the cgroup; a drain empties the back end even
 *    while pages are swapped in and out, fails cleanly (ENOMEM, EINTR)
 *    leaving every page somewhere, and the back end writable afterwards;
 *    swapoff of a back end drains it first;
 *  - no write is lost while pages move: pages rewritten over and over
 *    (lib/rewrite.c, a new generation each time) while demotions and
 *    drains run and reclaim pushes them out read back as the generation
 *    last written, every byte of them.
 * A move leaves its folio in the swap cache (clean, for reclaim to drop);
 * before reading pages back the tests push them out of memory again, so
 * that the canaries are checked against the copies the moves wrote.
 *
 * Watermark demotion is switched off (high_watermark_pct 0) on every tier
 * by the fixture so that only the tests about it demote; teardown (and the
 * next setup, after a test killed on timeout) restores the defaults.
 *
 * Environment: that of tier_test (root, cgroup v2 with +memory, zswap
 * enabled, no swap active, SWAPCTL, SWAPTIER_SCRATCH, SWAPTIER_SSD,
 * SWAPTIER_HDD, device-mapper), plus for the policy test bpffs and
 * $SWAPTIER_BPF/age_demote.bpf.o, and tracefs (mounted here if needed) for
 * the tracepoint checks.  QEMU TCG with KASAN: working sets are small.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/swap_tier.h>

#include "kselftest_harness.h"
#include "fixture.h"
#include "policy.h"
#include "demote.h"
#include "rewrite.h"

#define GHOST_SIZE		"256M"
#define MAX_BACKENDS		2
#define MAX_BG			3

#define RECLAIM_LONG_MS		40000
#define RECLAIM_SHORT_MS	5000

/* How long the demotion worker gets to reach the low watermark. */
#define DEMOTE_WAIT_S		90
/* The demotion worker's period in the watermark tests. */
#define DEMOTE_INTERVAL_MS	200
/* How long a drain may take (under TCG with KASAN). */
#define DRAIN_TIMEOUT_S		180

#define SWAPCTL_TIMEOUT_S	60
/* swapctl's exit status for a drain stopped by SIGINT/SIGTERM (swapctl.8) */
#define SWAPCTL_EXIT_INTERRUPTED 64
#define OUT_LEN			8192
#define TRACE_LEN		(4 << 20)

FIXTURE(demote) {
	struct st_env env;
	char ghost[PATH_MAX];
	char cg[PATH_MAX], cg2[PATH_MAX];
	struct worker w, w2;
	pid_t owner;
	struct st_backend be[MAX_BACKENDS];	/* 0: ssd, 1: hdd */
	struct bg bg[MAX_BG];
	struct trace_inst tr;
	bool policy;		/* a global policy may be attached */
};

FIXTURE_SETUP(demote)
{
	char log[2048];
	int i, rc;

	self->w = (struct worker)WORKER_INIT;
	self->w2 = (struct worker)WORKER_INIT;
	for (i = 0; i < MAX_BG; i++)
		self->bg[i] = (struct bg)BG_INIT;
	self->owner = getpid();
	if (!st_fixture_precheck(_metadata, &self->env,
				 ST_NEED_DEMOTE | ST_NEED_DM))
		return;
	if (trace_recover())
		ksft_print_msg("removed trace instances of earlier tests\n");
	log[0] = '\0';
	rc = demote_defaults_restore(log, sizeof(log));
	ASSERT_GE(rc, 0) TH_LOG("restoring demotion defaults: %s: %s",
				strerror(-rc), log);
	if (rc > 0)
		ksft_print_msg("restored demotion defaults an earlier test changed: %s\n",
			       log);

	/* Only the tests about watermark demotion want it. */
	ASSERT_EQ(0, tier_wm_set("ssd", 0, 0));
	ASSERT_EQ(0, tier_wm_set("hdd", 0, 0));

	st_fixture_ghost_cg(_metadata, &self->env, self->ghost,
			    sizeof(self->ghost), GHOST_SIZE, "demote", self->cg,
			    sizeof(self->cg));
	rc = cg_create("demote-b", self->cg2, sizeof(self->cg2));
	ASSERT_EQ(0, rc) TH_LOG("mkdir cgroup: %s", strerror(-rc));
}

/*
 * Runs in the harness parent after the test process ends, even after a
 * failure: helpers, the policy, the workers, the trace instance, the
 * ghost (its entries own the back-end slots), the back ends, the cgroups,
 * then the demotion settings.
 */
FIXTURE_TEARDOWN_PARENT(demote)
{
	char log[1024] = "";
	int i, err;

	for (i = 0; i < MAX_BG; i++)
		bg_kill(&self->bg[i]);
	if (self->policy)
		st_policy_off(_metadata, &self->env, NULL);
	st_worker_end(&self->w, self->owner);
	st_worker_end(&self->w2, self->owner);
	trace_inst_destroy(&self->tr);
	st_ghost_teardown(_metadata, self->ghost, self->be, MAX_BACKENDS);
	st_cg_remove(_metadata, self->cg2, false);
	st_cg_remove(_metadata, self->cg, false);
	log[0] = '\0';
	err = demote_defaults_restore(log, sizeof(log));
	TEARDOWN_CHECK(err >= 0, "restoring demotion defaults: %s", log);
}

/* ------------------------------------------------------------ helpers */

/*
 * The SSD back end (ssd_size bytes of its disk, 0: all of it) and the HDD
 * back end (likewise), then the snapshot s0 every test starts from.
 */
static void two_backends(struct __test_metadata *_metadata,
			 FIXTURE_DATA(demote) *self, unsigned long long ssd_size,
			 unsigned long long hdd_size, struct st_snap *s0)
{
	st_backends_on(_metadata, &self->env, self->be, ssd_size, hdd_size);
	st_snap_take(self->cg, 0, s0);
	st_snap_require_keys(_metadata, s0);
}

struct dstat {
	long long ssd_demoted, ssd_drained, hdd_demoted, hdd_drained;
};

static void dstat_take(struct __test_metadata *_metadata, struct dstat *d)
{
	d->ssd_demoted = tier_ll("ssd", "demoted_pages");
	d->ssd_drained = tier_ll("ssd", "drained_pages");
	d->hdd_demoted = tier_ll("hdd", "demoted_pages");
	d->hdd_drained = tier_ll("hdd", "drained_pages");
	ASSERT_GE(d->ssd_demoted, 0LL);
	ASSERT_GE(d->ssd_drained, 0LL);
	ASSERT_GE(d->hdd_demoted, 0LL);
	ASSERT_GE(d->hdd_drained, 0LL);
}

/* Release freed slots cached per CPU, so that used_pages is exact. */
static void slots_drain(struct __test_metadata *_metadata,
			FIXTURE_DATA(demote) *self)
{
	int rc = st_swap_slots_drain(&self->env);

	ASSERT_EQ(0, rc) TH_LOG("draining the swap slot caches: %s",
				strerror(-rc));
}

/* Exact figures: slot caches drained, then the snapshot. */
static void snap_exact(struct __test_metadata *_metadata,
		       FIXTURE_DATA(demote) *self, const char *cg,
		       struct st_snap *s)
{
	slots_drain(_metadata, self);
	st_snap_take(cg, 0, s);
}

/*
 * Wait up to 10 s until tier's written_pages + write_errors reach want
 * (writes complete after the data has moved).  Returns the figure.
 */
static long long wait_written(const char *tier, long long want)
{
	double deadline = st_now() + 10;
	long long w;

	for (;;) {
		w = tier_ll(tier, "written_pages") +
		    tier_ll(tier, "write_errors");
		if (w >= want || st_now() > deadline)
			return w;
		st_sleep_ms(100);
	}
}

static long long resident(struct __test_metadata *_metadata,
			  struct worker *w)
{
	struct worker_resp m;
	int rc = worker_request(w, WORKER_MINCORE, &m, ST_WORKER_TIMEOUT_S);

	ASSERT_EQ(0, rc) TH_LOG("worker mincore: %s: %s", m.what,
				strerror(-rc));
	return m.resident;
}

/* pagemap entries of w's npages canary pages into pm (caller frees). */
static uint64_t *pm_take(struct __test_metadata *_metadata, struct worker *w,
			 size_t npages)
{
	unsigned long addr = 0;
	uint64_t *pm;
	int rc;

	rc = area_find(w->pid, npages * st_page_size(), &addr);
	ASSERT_EQ(0, rc) TH_LOG("canary area of worker %d in /proc/%d/smaps: %s",
				(int)w->pid, (int)w->pid, strerror(-rc));
	pm = calloc(npages, sizeof(*pm));
	ASSERT_NE(NULL, pm);
	rc = pagemap_read(w->pid, addr, npages, pm);
	ASSERT_EQ(0, rc) TH_LOG("/proc/%d/pagemap: %s", (int)w->pid,
				strerror(-rc));
	return pm;
}

/*
 * The page tables of w did not change since before (pm_take()): every
 * page that was swapped out is still, with the same ghost entry.
 */
static void assert_ptes_unchanged(struct __test_metadata *_metadata,
				  struct worker *w, size_t npages,
				  const uint64_t *before, const char *what)
{
	uint64_t *after = pm_take(_metadata, w, npages);
	struct pm_summary a, b;
	size_t first = 0, changed;

	pagemap_summarize(before, npages, &a);
	pagemap_summarize(after, npages, &b);
	changed = pagemap_changed(before, after, npages, &first);
	ksft_print_msg("pagemap %s: %zu swapped / %zu present before, %zu / %zu after, %zu swap entries changed\n",
		       what, a.swapped, a.present, b.swapped, b.present,
		       changed);
	if (changed)
		TH_LOG("page %zu: pagemap 0x%016llx before, 0x%016llx after",
		       first, (unsigned long long)before[first],
		       (unsigned long long)after[first]);
	free(after);
	ASSERT_EQ(0UL, (unsigned long)changed)
		TH_LOG("%s changed %zu page table entries (page tables must not change when data moves between back ends)",
		       what, changed);
}

/* A cgroup's counters that only move if its pages are faulted in. */
struct cgfaults {
	long long pgmajfault, swap_current, current;
};

static void cgfaults_take(const char *cg, struct cgfaults *c)
{
	c->pgmajfault = cg_stat(cg, "pgmajfault");
	c->swap_current = cg_read_ll(cg, "memory.swap.current");
	c->current = cg_read_ll(cg, "memory.current");
}

/*
 * Memory a move may leave charged to the cgroup once it is over: the
 * folios of the batch last in flight, the per-CPU charge stock.
 */
#define MEM_SLACK_BYTES		(1LL << 20)

/*
 * Since a (cgfaults_take() before a move): no page of cg was faulted in,
 * no ghost entry freed or allocated; and within 5 s memory.current is
 * back within MEM_SLACK_BYTES of what it was, plus to_mem pages the move
 * legitimately left in memory.  The moves read each page into a swap
 * cache folio, "marked for reclaim and gone once the write has completed"
 * (mm/swap_tier_move.c): a cold page moved between back ends must not
 * stay in memory, charged to its cgroup.  That last check is an EXPECT,
 * so that the rest of the test still runs.
 */
static void assert_not_faulted(struct __test_metadata *_metadata,
			       const char *cg, const struct cgfaults *a,
			       long long to_mem, const char *what)
{
	long long limit = a->current + MEM_SLACK_BYTES +
			  to_mem * (long long)st_page_size();
	double deadline = st_now() + 5;
	struct cgfaults b;

	for (;;) {
		cgfaults_take(cg, &b);
		if (b.current <= limit || st_now() > deadline)
			break;
		st_sleep_ms(250);
	}
	ksft_print_msg("%s: cgroup pgmajfault +%lld, memory.swap.current %lld -> %lld, memory.current %lld -> %lld\n",
		       what, b.pgmajfault - a->pgmajfault, a->swap_current,
		       b.swap_current, a->current, b.current);
	ASSERT_EQ(a->pgmajfault, b.pgmajfault)
		TH_LOG("%s: the workload's pages were faulted in", what);
	ASSERT_EQ(a->swap_current, b.swap_current)
		TH_LOG("%s: the cgroup's swap charge changed: ghost entries were freed or allocated",
		       what);
	EXPECT_LE(b.current, limit)
		TH_LOG("%s: memory.current rose from %lld to %lld bytes (%lld pages) and stayed there 5 s after the move (%lld pages were to stay in memory): the moved pages' folios stay in the swap cache, charged to the cgroup",
		       what, a->current, b.current,
		       (b.current - a->current) / (long long)st_page_size(),
		       to_mem);
}

/* Verify every byte of w's pages; returns the pages that were resident. */
static long long verify(struct __test_metadata *_metadata, struct worker *w)
{
	struct worker_resp r;

	st_worker_check(_metadata, w, &r);
	return r.resident;
}

/*
 * Push w's pages in cg out of memory before reading them back, so that
 * the check reads what the back ends (or zswap) hold, not copies still in
 * memory: the folios a move or a swap-in left in the swap cache are clean
 * and go without a write; dirty ones are written out as reclaim decides.
 * Returns the pages still resident.
 */
static long long evict(struct __test_metadata *_metadata, const char *cg,
		       struct worker *w)
{
	tier_writes_wait(10000);
	cg_reclaim(cg, "64M", RECLAIM_SHORT_MS, NULL);
	tier_writes_wait(10000);
	cg_reclaim(cg, "64M", RECLAIM_SHORT_MS, NULL);
	tier_writes_wait(10000);
	return resident(_metadata, w);
}

/*
 * Read every page of w (in cg, called name in the log) back and check
 * it, after evicting them if asked; v0 and v1 are the snapshots around the
 * reads, v1 once their I/O has completed.  Returns the pages that were
 * resident when read.
 */
static long long verify_io(struct __test_metadata *_metadata, const char *cg,
			   struct worker *w, const char *name, bool evict_first,
			   struct st_snap *v0, struct st_snap *v1)
{
	char what[64];
	long long r;

	if (evict_first)
		ksft_print_msg("%s: %lld pages resident after eviction\n", name,
			       evict(_metadata, cg, w));
	st_snap_take(cg, 0, v0);
	r = verify(_metadata, w);
	st_snap_after_io(cg, v0, v1);
	snprintf(what, sizeof(what), "%s verified", name);
	st_snap_print(what, v0, v1, true);
	return r;
}

static void dstat_print(const char *what, const struct dstat *a,
			const struct dstat *b)
{
	ksft_print_msg("%s: ssd demoted +%lld drained +%lld | hdd demoted +%lld drained +%lld\n",
		       what, b->ssd_demoted - a->ssd_demoted,
		       b->ssd_drained - a->ssd_drained,
		       b->hdd_demoted - a->hdd_demoted,
		       b->hdd_drained - a->hdd_drained);
}

/* rdev of a back end's block device. */
static dev_t backend_rdev(struct __test_metadata *_metadata,
			  const struct st_backend *b)
{
	struct stat st;

	ASSERT_EQ(0, stat(b->dev, &st));
	return st.st_rdev;
}

/*
 * Start collecting events (names without the "swap_tier/" system) in the
 * fixture's trace instance.  The events are the series' own, and its config
 * enables tracing for them: a missing event or tracefs fails the test.
 */
static void trace_start(struct __test_metadata *_metadata,
			FIXTURE_DATA(demote) *self, const char *const *events)
{
	const char *full[8];
	char why[512], name[8][96];
	int i, rc;

	for (i = 0; events[i] && i < 7; i++) {
		snprintf(name[i], sizeof(name[i]), "swap_tier/%s", events[i]);
		full[i] = name[i];
	}
	full[i] = NULL;
	rc = trace_inst_create(&self->tr, "demote", full, why, sizeof(why));
	ASSERT_EQ(0, rc) TH_LOG("swap_tier tracepoints: %s: %s", why,
				strerror(-rc));
}

static char *trace_take(struct __test_metadata *_metadata,
			FIXTURE_DATA(demote) *self)
{
	char *buf = malloc(TRACE_LEN);
	ssize_t n;

	ASSERT_NE(NULL, buf);
	n = trace_inst_read(&self->tr, buf, TRACE_LEN);
	ASSERT_GE(n, 0) TH_LOG("reading %s/trace: %s", self->tr.dir,
			       strerror((int)-n));
	ASSERT_LT(n, (ssize_t)TRACE_LEN - 1) TH_LOG("trace larger than %d bytes",
						    TRACE_LEN);
	return buf;
}

/* Next line of text holding "event:" (NULL-terminated copy in line). */
static const char *trace_next(const char *p, const char *event, char *line,
			      size_t len)
{
	char tag[96];

	snprintf(tag, sizeof(tag), " %s:", event);
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *next = nl ? nl + 1 : p + n;

		if (n < len && memmem(p, n, tag, strlen(tag))) {
			memcpy(line, p, n);
			line[n] = '\0';
			return next;
		}
		p = next;
	}
	return NULL;
}

/* swap_tier_move events of one reason in the trace, by cgroup. */
struct move_count {
	long long total;	/* events of the reason */
	long long of_cg;	/* ... whose cgroup_id is the one asked for */
	long long from_other;	/* ... not from the tier asked for */
	long long to[SWAP_TIER_MAX + 1];	/* by target: [0] memory, [1 + tier] */
};

static void move_count(const char *text, int reason, long long cgid,
		       int from, struct move_count *c)
{
	const char *p = text;
	char line[512];
	int to;

	memset(c, 0, sizeof(*c));
	while ((p = trace_next(p, "swap_tier_move", line, sizeof(line)))) {
		if (trace_reason(line) != reason)
			continue;
		c->total++;
		if (trace_num(line, "cgroup_id") == cgid)
			c->of_cg++;
		if (trace_tier(line, "from") != from)
			c->from_other++;
		to = trace_tier(line, "to");
		if (to >= -1 && to < SWAP_TIER_MAX)
			c->to[to + 1]++;
	}
}

/* The drain_begin/drain_end pair of back end rdev in the trace. */
struct drain_trace {
	int begins, ends;
	char begin[512], end[512];
};

static void drain_trace_find(const char *text, dev_t rdev,
			     struct drain_trace *d)
{
	const char *p = text;
	char line[512];

	memset(d, 0, sizeof(*d));
	while ((p = trace_next(p, "swap_tier_drain_begin", line,
			       sizeof(line))))
		if (trace_dev_is(line, rdev) && !d->begins++)
			snprintf(d->begin, sizeof(d->begin), "%s", line);
	p = text;
	while ((p = trace_next(p, "swap_tier_drain_end", line, sizeof(line))))
		if (trace_dev_is(line, rdev) && !d->ends++)
			snprintf(d->end, sizeof(d->end), "%s", line);
}

/* One drain of rdev traced: its begin and end events say what they should. */
static void assert_drain_trace(struct __test_metadata *_metadata,
			       FIXTURE_DATA(demote) *self, dev_t rdev,
			       int tier, long long nr_pages, long long moved,
			       long long remaining, long long err)
{
	struct drain_trace d;
	char *text = trace_take(_metadata, self);

	drain_trace_find(text, rdev, &d);
	free(text);
	ksft_print_msg("trace: %d drain_begin, %d drain_end for %u:%u: \"%s\" / \"%s\"\n",
		       d.begins, d.ends, major(rdev), minor(rdev),
		       st_rstrip(d.begin), st_rstrip(d.end));
	ASSERT_EQ(1, d.begins) TH_LOG("swap_tier_drain_begin events of the back end");
	ASSERT_EQ(1, d.ends) TH_LOG("swap_tier_drain_end events of the back end");
	ASSERT_EQ(tier, trace_tier(d.begin, "tier"));
	if (nr_pages >= 0)
		ASSERT_EQ(nr_pages, trace_num(d.begin, "nr_pages"))
			TH_LOG("drain_begin nr_pages: the back end held %lld pages",
			       nr_pages);
	ASSERT_EQ(tier, trace_tier(d.end, "tier"));
	ASSERT_EQ(moved, trace_num(d.end, "moved"))
		TH_LOG("drain_end moved: drained_pages rose by %lld", moved);
	ASSERT_EQ(remaining, trace_num(d.end, "remaining"))
		TH_LOG("drain_end remaining: %lld pages still on the back end",
		       remaining);
	ASSERT_EQ(err, trace_num(d.end, "err"));
}

/* Exit status of "$SWAPCTL ARGS..." with the output logged. */
static int swapctl_log(FIXTURE_DATA(demote) *self, char *out, size_t len,
		       const char *what, char *const argv[])
{
	double t0 = st_now();
	int rc = st_run(argv, out, len, SWAPCTL_TIMEOUT_S * 3);

	ksft_print_msg("%s: exit %d after %.1f s: %s\n", what, rc,
		       st_now() - t0, st_oneline(out, len));
	(void)self;
	return rc;
}

/* ------------------------------------------------------------ tests */

/*
 * 0. The interface itself: value ranges of demote_interval_ms and of the
 * watermarks (the pair check after each write), and the drain file's
 * errors: a ghost or a file that is no swap area is "no such back end"
 * (EINVAL), a missing path ENOENT, no CAP_SYS_ADMIN EPERM; an empty back
 * end drains at once (echo-style trailing newline accepted) and stays.
 */
TEST_F_TIMEOUT(demote, interface, 120)
{
	char file[PATH_MAX];
	struct tier_stat t;
	struct dstat d0, d1;
	double secs;
	int fd, rc;

	st_backend_on(_metadata, &self->env, &self->be[0], self->env.ssd,
		      4 * ST_MiB, "ssd");

	/* demote_interval_ms: 100 .. 60000 */
	ASSERT_EQ(DEMOTE_INTERVAL_DEFAULT, tier_root_file("demote_interval_ms"));
	ASSERT_EQ(-EINVAL, st_write_file(DEMOTE_INTERVAL, "99"));
	ASSERT_EQ(-EINVAL, st_write_file(DEMOTE_INTERVAL, "60001"));
	ASSERT_EQ(-EINVAL, st_write_file(DEMOTE_INTERVAL, "0"));
	ASSERT_EQ(-EINVAL, st_write_file(DEMOTE_INTERVAL, "abc"));
	ASSERT_EQ(DEMOTE_INTERVAL_DEFAULT, tier_root_file("demote_interval_ms"))
		TH_LOG("a refused write changed demote_interval_ms");
	ASSERT_EQ(0, st_write_file(DEMOTE_INTERVAL, "100"));
	ASSERT_EQ(100, tier_root_file("demote_interval_ms"));
	ASSERT_EQ(0, st_write_file(DEMOTE_INTERVAL, "60000"));
	ASSERT_EQ(60000, tier_root_file("demote_interval_ms"));
	ASSERT_EQ(0, st_write_file(DEMOTE_INTERVAL, "1000"));

	/* Watermarks: high 0..100, low 0..99, low < high unless high is 0. */
	ASSERT_EQ(0, tier_wm_set("ssd", WM_HIGH_DEFAULT, WM_LOW_DEFAULT));
	ASSERT_EQ(-EINVAL, tier_write_ll("ssd", "low_watermark_pct", 90))
		TH_LOG("low 90 accepted with high 90");
	ASSERT_EQ(-EINVAL, tier_write_ll("ssd", "high_watermark_pct", 101));
	ASSERT_EQ(-EINVAL, tier_write_ll("ssd", "high_watermark_pct", -1));
	ASSERT_EQ(-EINVAL, tier_write_ll("ssd", "low_watermark_pct", 100));
	ASSERT_EQ(-EINVAL, tier_write_ll("ssd", "high_watermark_pct", 75))
		TH_LOG("high 75 accepted with low 75");
	ASSERT_EQ(WM_HIGH_DEFAULT, tier_ll("ssd", "high_watermark_pct"))
		TH_LOG("a refused write changed high_watermark_pct");
	ASSERT_EQ(WM_LOW_DEFAULT, tier_ll("ssd", "low_watermark_pct"))
		TH_LOG("a refused write changed low_watermark_pct");
	ASSERT_EQ(0, tier_write_ll("ssd", "low_watermark_pct", 40));
	ASSERT_EQ(0, tier_write_ll("ssd", "high_watermark_pct", 50));
	ASSERT_EQ(0, tier_write_ll("ssd", "high_watermark_pct", 100));
	ASSERT_EQ(0, tier_write_ll("ssd", "high_watermark_pct", 0));
	ASSERT_EQ(0, tier_write_ll("ssd", "low_watermark_pct", 99))
		TH_LOG("any low is valid while high is 0");
	ASSERT_EQ(-EINVAL, tier_write_ll("ssd", "high_watermark_pct", 70))
		TH_LOG("high 70 accepted with low 99");
	ASSERT_EQ(0, tier_ll("ssd", "high_watermark_pct"));
	/* 0..99 whatever high is (EXPECT: the drain checks still run). */
	EXPECT_EQ(-EINVAL, tier_write_ll("ssd", "low_watermark_pct", 100))
		TH_LOG("low_watermark_pct 100 accepted (valid: 0..99) while high is 0");
	ASSERT_EQ(0, tier_wm_set("ssd", 0, 0));

	/* drain errors */
	dstat_take(_metadata, &d0);
	rc = drain_write(self->ghost, false, NULL);
	ASSERT_EQ(-EINVAL, rc) TH_LOG("drain of the ghost (a front end): %s",
				      strerror(-rc));
	rc = drain_write(self->env.hdd, false, NULL);
	ASSERT_EQ(-EINVAL, rc) TH_LOG("drain of %s (no swap area): %s",
				      self->env.hdd, strerror(-rc));
	ASSERT_EQ(0, st_unique_path(file, sizeof(file), self->env.scratch,
				    "plain", ".img"));
	fd = open(file, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, 1 << 20));
	close(fd);
	rc = drain_write(file, false, NULL);
	unlink(file);
	ASSERT_EQ(-EINVAL, rc) TH_LOG("drain of a plain file: %s",
				      strerror(-rc));
	rc = drain_write("/nonexistent/swaptier-selftest-no-such-device",
			 false, NULL);
	ASSERT_EQ(-ENOENT, rc) TH_LOG("drain of a missing path: %s",
				      strerror(-rc));
	rc = drain_write_nocap(self->be[0].dev);
	ASSERT_EQ(-EPERM, rc) TH_LOG("drain without CAP_SYS_ADMIN: %s",
				     strerror(-rc));

	/* An empty back end: drained at once, still there, writable. */
	rc = drain_write(self->be[0].dev, true, &secs);
	ksft_print_msg("drain of the empty back end %s: %s after %.2f s\n",
		       self->be[0].dev, rc ? strerror(-rc) : "ok", secs);
	ASSERT_EQ(0, rc);
	dstat_take(_metadata, &d1);
	ASSERT_EQ(d0.ssd_drained, d1.ssd_drained);
	ASSERT_EQ(d0.hdd_drained, d1.hdd_drained);
	ASSERT_EQ(d0.ssd_demoted, d1.ssd_demoted);
	ASSERT_EQ(1, swaps_find(self->be[0].dev, NULL))
		TH_LOG("a drained back end left /proc/swaps");
	ASSERT_EQ(0, tier_stat_read("ssd", &t));
	ASSERT_EQ(1LL, t.nr_devices);
	ASSERT_EQ(0LL, t.used);
}

/*
 * Poll until tier's used_pages is below low% of cap, for up to timeout_s.
 * Returns the seconds it took, or -1.  On timeout, say whether freed
 * slots parked in the per-CPU swap slot caches (counted in used_pages
 * until they are released) are what keeps it up.
 */
static double wait_below_low(struct __test_metadata *_metadata,
			     FIXTURE_DATA(demote) *self, const char *tier,
			     long long cap, int low, int timeout_s,
			     volatile int *stop)
{
	double t0 = st_now();
	long long used = -1, after;

	while (st_now() - t0 < timeout_s && !(stop && *stop)) {
		used = tier_ll(tier, "used_pages");
		if (used * 100 < cap * low)
			return st_now() - t0;
		st_sleep_ms(100);
	}
	slots_drain(_metadata, self);
	after = tier_ll(tier, "used_pages");
	ksft_print_msg("%s used_pages %lld of %lld after %.0f s (low watermark %d%% = %lld); %lld once the per-CPU swap slot caches were drained%s\n",
		       tier, used, cap, st_now() - t0, low, cap * low / 100,
		       after, after * 100 < cap * low ?
		       ": freed slots parked in the slot caches keep used_pages at or above the low watermark" :
		       "");
	return -1;
}

/*
 * A drain did not end as it should: log what is left on the tier, before
 * and after releasing the freed slots parked in the per-CPU swap slot
 * caches (which used_pages, and the kernel's inuse_pages, still count).
 */
static void drain_diag(struct __test_metadata *_metadata,
		       FIXTURE_DATA(demote) *self, const char *tier,
		       const char *what)
{
	long long before = tier_ll(tier, "used_pages"), after;

	slots_drain(_metadata, self);
	after = tier_ll(tier, "used_pages");
	ksft_print_msg("%s: %s used_pages %lld; %lld once the per-CPU swap slot caches were drained%s\n",
		       what, tier, before, after,
		       before && !after ?
		       " (only freed slots parked in the slot caches were left)" :
		       "");
}

/*
 * 1. Watermark demotion, oldest first.  A 12 MiB SSD (3071 slots) and the
 * HDD; 2048 pages of cgroup A go to the SSD, WM_GAP_S s later 256 pages of
 * cgroup B.  Then, at once, high_watermark_pct 70 / low 40: the SSD is at
 * 75%, and the worker must bring it below 40% (1228 slots), moving at
 * least 1076 pages.
 *
 * Oldest first: an age is known per front-end cluster (its latest
 * back-end write, whole seconds), and the kernel orders by power-of-two
 * age classes; A's pages are more than twice as old as B's for as long as
 * the demotion takes less than WM_GAP_S, so they are in an older class.
 * The test process stays on one CPU while swapping out, so that A and B
 * share at most one front-end cluster: A's pages in clusters of their own
 * (>= 1537) are more than the worker has to move, and none of B's moves.
 *
 * Every moved page lands on the HDD (its used_pages and written_pages
 * rise by the SSD's demoted_pages, the SSD's used_pages falls by as
 * many), the demote_begin/end tracepoints (reason watermark, ssd -> hdd)
 * count the same, one swap_tier_move per page, none of them of B's
 * cgroup (the oldest-first check: reading B back would not tell, swap
 * readahead also reads A's neighbouring pages), the page tables of both
 * workers are unchanged and no
 * page was faulted in; the worker stops below the low watermark, not far
 * below; B's pages read back from the SSD only, A's partly from the HDD,
 * every byte intact.
 */
#define WM_SSD_SIZE		(12ULL * ST_MiB)
#define WM_OLD_PAGES		2048
#define WM_NEW_PAGES		256
#define WM_GAP_S		10

TEST_F_TIMEOUT(demote, watermark_oldest_first, 240)
{
	static const char *const events[] = { "swap_tier_demote_begin",
					      "swap_tier_demote_end",
					      "swap_tier_move", NULL };
	struct worker_resp ready, ready2;
	struct st_snap s0, sa, s1, s2, s3, v0, v1;
	struct move_count mc = { .total = -1 };
	struct dstat d1, d2, d3;
	struct cgfaults fa, fb;
	cpu_set_t saved, one;
	uint64_t *pma, *pmb;
	long long cap, moved, on_ssd, low_mark, ra, rb, cached;
	double t_a1, t_b0, t_on, t_low;
	bool pinned;
	int cpu;

	two_backends(_metadata, self, WM_SSD_SIZE, 0, &s0);
	ASSERT_EQ(0, tier_write_ll(".", "demote_interval_ms",
				   DEMOTE_INTERVAL_MS));
	cap = s0.ssd.capacity;
	low_mark = cap * 40 / 100;
	cpu = sched_getcpu();
	CPU_ZERO(&one);
	CPU_SET(cpu >= 0 ? cpu : 0, &one);
	pinned = !sched_getaffinity(0, sizeof(saved), &saved) &&
		 !sched_setaffinity(0, sizeof(one), &one);
	ksft_print_msg("test process %s CPU %d while swapping out\n",
		       pinned ? "pinned to" : "NOT pinned to", cpu);

	st_worker_start(_metadata, &self->w, self->cg, WM_OLD_PAGES,
			CANARY_INCOMPRESSIBLE, &ready);
	st_push_out(self->cg, "8M", &s0, &sa);
	t_a1 = st_now();
	st_snap_print("A's pages out", &s0, &sa, true);
	ASSERT_EQ(s0.hdd.used, sa.hdd.used)
		TH_LOG("pages went to the HDD although the SSD had room");
	/* A's pages in clusters B's share at most one of. */
	ASSERT_GE(sa.ssd.used - s0.ssd.used - 511,
		  sa.ssd.used + WM_NEW_PAGES - low_mark + 64)
		TH_LOG("too few of A's pages on the SSD (%lld) for the oldest-first check",
		       sa.ssd.used - s0.ssd.used);
	pma = pm_take(_metadata, &self->w, WM_OLD_PAGES);
	cgfaults_take(self->cg, &fa);
	st_worker_start(_metadata, &self->w2, self->cg2, WM_NEW_PAGES,
			CANARY_INCOMPRESSIBLE, &ready2);
	trace_start(_metadata, self, events);
	dstat_take(_metadata, &d1);

	/* B as late as the gap asks, then the watermarks at once. */
	while (st_now() - t_a1 < WM_GAP_S)
		st_sleep_ms(100);
	t_b0 = st_now();
	st_reclaim(self->cg2, "1M", RECLAIM_LONG_MS);
	tier_writes_wait(10000);
	st_reclaim(self->cg2, "1M", RECLAIM_SHORT_MS);
	tier_writes_wait(10000);
	if (pinned)
		sched_setaffinity(0, sizeof(saved), &saved);
	st_snap_take(NULL, 0, &s1);
	on_ssd = s1.ssd.used;
	ASSERT_EQ(s0.hdd.used, s1.hdd.used)
		TH_LOG("pages went to the HDD although the SSD had room");
	ASSERT_GE(on_ssd * 100, cap * 70)
		TH_LOG("only %lld of %lld SSD slots in use: not above the high watermark",
		       on_ssd, cap);
	ASSERT_GT(s1.ssd.used - sa.ssd.used, (long long)WM_NEW_PAGES / 2)
		TH_LOG("B's pages did not reach the SSD");
	pmb = pm_take(_metadata, &self->w2, WM_NEW_PAGES);
	/*
	 * Pages reclaim left in the swap cache (clean, unmapped) move
	 * without a read: the kernel writes the folio it has.
	 */
	cached = resident(_metadata, &self->w) +
		 resident(_metadata, &self->w2);
	cgfaults_take(self->cg2, &fb);
	t_on = st_now();
	ASSERT_EQ(0, tier_wm_set("ssd", 70, 40));
	ksft_print_msg("watermarks 70/40 on %.1f s after B's and %.1f s after A's pages were written; SSD %lld of %lld\n",
		       t_on - t_b0, t_on - t_a1, on_ssd, cap);

	t_low = wait_below_low(_metadata, self, "ssd", cap, 40, DEMOTE_WAIT_S,
			       NULL);
	ksft_print_msg("SSD below 40%% after %.1f s\n", t_low);
	ASSERT_GE(t_low, 0.0)
		TH_LOG("the SSD stayed at or above 40%% of %lld slots for %d s with watermarks 70/40",
		       cap, DEMOTE_WAIT_S);
	st_sleep_ms(5 * DEMOTE_INTERVAL_MS);
	dstat_take(_metadata, &d2);
	st_sleep_ms(5 * DEMOTE_INTERVAL_MS);
	dstat_take(_metadata, &d3);
	st_snap_take(self->cg, 0, &s2);
	st_snap_print("after demotion", &s1, &s2, true);
	dstat_print("after demotion", &d1, &d3);
	ASSERT_EQ(d2.ssd_demoted, d3.ssd_demoted)
		TH_LOG("the worker kept demoting below the low watermark");

	moved = d3.ssd_demoted - d1.ssd_demoted;
	ASSERT_GT(moved, 0LL);
	ASSERT_EQ(s1.g_pswpin, s2.g_pswpin)
		TH_LOG("pswpin rose by %lld while pages moved between back ends and nothing touched them",
		       s2.g_pswpin - s1.g_pswpin);
	ASSERT_EQ(d1.hdd_demoted, d3.hdd_demoted)
		TH_LOG("the HDD (no slower tier) demoted pages");
	ASSERT_EQ(d1.ssd_drained, d3.ssd_drained);
	wait_written("hdd", s1.hdd.written + s1.hdd.write_errors + moved);
	snap_exact(_metadata, self, self->cg, &s3);
	st_snap_print("slot caches drained", &s1, &s3, true);
	ASSERT_EQ(moved, s3.hdd.used - s1.hdd.used)
		TH_LOG("the SSD demoted %lld pages but the HDD holds %lld more",
		       moved, s3.hdd.used - s1.hdd.used);
	ASSERT_EQ(moved, s1.ssd.used - s3.ssd.used)
		TH_LOG("the SSD demoted %lld pages but holds %lld fewer",
		       moved, s1.ssd.used - s3.ssd.used);
	ASSERT_EQ(moved, s3.hdd.written - s1.hdd.written)
		TH_LOG("%lld pages demoted to the HDD, its written_pages rose by %lld",
		       moved, s3.hdd.written - s1.hdd.written);
	ASSERT_EQ(0LL, s3.hdd.write_errors - s1.hdd.write_errors);
	ASSERT_EQ(0LL, s3.ssd.read_errors - s1.ssd.read_errors);
	ASSERT_GE(s3.ssd.read - s1.ssd.read + cached, moved)
		TH_LOG("%lld pages moved off the SSD, %lld read from it, %lld were in memory",
		       moved, s3.ssd.read - s1.ssd.read, cached);
	ASSERT_LT(s3.ssd.used * 100, cap * 40);
	/* Not everything: it stops once below the low watermark. */
	ASSERT_GE(s3.ssd.used, low_mark - 256)
		TH_LOG("the worker took the SSD down to %lld slots, far below the low watermark (%lld)",
		       s3.ssd.used, low_mark);

	assert_ptes_unchanged(_metadata, &self->w, WM_OLD_PAGES, pma,
			      "watermark demotion (A)");
	assert_ptes_unchanged(_metadata, &self->w2, WM_NEW_PAGES, pmb,
			      "watermark demotion (B)");
	free(pma);
	free(pmb);
	assert_not_faulted(_metadata, self->cg, &fa, 0, "A during demotion");
	assert_not_faulted(_metadata, self->cg2, &fb, 0, "B during demotion");

	{	/* the tracepoints */
		const char *p;
		char *text = trace_take(_metadata, self);
		char line[512];
		long long tmoved = 0;
		int begins = 0, ends = 0;

		for (p = text; (p = trace_next(p, "swap_tier_demote_begin",
					       line, sizeof(line)));) {
			begins++;
			ASSERT_EQ(0, trace_reason(line)) TH_LOG("%s", line);
			ASSERT_EQ(1, trace_tier(line, "from")) TH_LOG("%s", line);
		}
		for (p = text; (p = trace_next(p, "swap_tier_demote_end", line,
					       sizeof(line)));) {
			ends++;
			ASSERT_EQ(0, trace_reason(line)) TH_LOG("%s", line);
			ASSERT_EQ(1, trace_tier(line, "from")) TH_LOG("%s", line);
			ASSERT_EQ(2, trace_tier(line, "to")) TH_LOG("%s", line);
			ASSERT_EQ(0LL, trace_num(line, "err")) TH_LOG("%s", line);
			ASSERT_GE(trace_num(line, "moved"), 0LL) TH_LOG("%s", line);
			tmoved += trace_num(line, "moved");
		}
		move_count(text, 0, cg_id(self->cg2), 1, &mc);
		free(text);
		ksft_print_msg("trace: %d demote_begin, %d demote_end, %lld pages moved; %lld swap_tier_move (watermark), %lld of them B's, %lld not from the SSD, %lld to the HDD\n",
			       begins, ends, tmoved, mc.total, mc.of_cg,
			       mc.from_other, mc.to[1 + 2]);
		ASSERT_GT(begins, 0);
		ASSERT_EQ(begins, ends);
		ASSERT_EQ(moved, tmoved)
			TH_LOG("demote_end events moved %lld pages, demoted_pages rose by %lld",
			       tmoved, moved);
		ASSERT_EQ(moved, mc.total)
			TH_LOG("one swap_tier_move (reason watermark) per demoted page");
		ASSERT_EQ(0LL, mc.from_other);
		ASSERT_EQ(moved, mc.to[1 + 2]) TH_LOG("moves not to the HDD");
	}

	/*
	 * B, the newest: nothing of it was demoted (if the worker started
	 * while A's pages were still twice as old as B's).
	 */
	if (mc.total < 0) {
		ksft_print_msg("no trace: oldest-first not checked\n");
	} else if (t_on - t_b0 + t_low < WM_GAP_S - 1) {
		ASSERT_EQ(0LL, mc.of_cg)
			TH_LOG("%lld of the newest pages (B's, written %.1f s after A's) were demoted while older ones (A's) stayed on the SSD",
			       mc.of_cg, t_b0 - t_a1);
	} else {
		ksft_print_msg("demotion done %.1f s after B's pages were written, not within the %d s gap: oldest-first not checked\n",
			       t_on - t_b0 + t_low, WM_GAP_S);
	}
	/* (Swap readahead may read neighbouring pages of A too.) */
	rb = verify_io(_metadata, self->cg2, &self->w2, "B", false, &v0, &v1);
	ASSERT_GE(v1.ssd.read - v0.ssd.read + v1.hdd.read - v0.hdd.read,
		  (long long)WM_NEW_PAGES - rb);

	/* A: the demoted pages read back from the HDD. */
	ra = verify_io(_metadata, self->cg, &self->w, "A", true, &v0, &v1);
	ASSERT_GE(v1.hdd.read - v0.hdd.read, moved - ra)
		TH_LOG("%lld of A's pages on the HDD, %lld resident, %lld read from it",
		       moved, ra, v1.hdd.read - v0.hdd.read);
	ASSERT_EQ(0LL, v1.hdd.read_errors - v0.hdd.read_errors);
}

/*
 * 2. Watermark demotion under a running workload: 2048 pages of A on a
 * 12 MiB SSD (3071 slots, 67% used), watermarks 60/30 switched on
 * while cgroup B swaps 48 mixed pages out and in (MADV_PAGEOUT, verify,
 * rewrite: lib/worker.c WORKER_CYCLES) through zswap, zswap writeback and
 * the same back ends.  The SSD gets below 30%, every cycle of B reads its
 * pages back intact, A's page tables do not change and none of A's pages
 * is faulted in; once B is gone, A's pages on the two back ends are as
 * many as before (none lost, none left behind twice), and all read back
 * intact.
 */
#define UW_SSD_SIZE		(12ULL * ST_MiB)
#define UW_PAGES		2048
#define UW_B_PAGES		48

TEST_F_TIMEOUT(demote, watermark_under_workload, 240)
{
	struct worker_resp ready, ready2;
	struct st_snap s0, s1, s2, s3, v0, v1;
	struct dstat d1, d2;
	struct cgfaults fa;
	struct bg *cyc = &self->bg[0];
	uint64_t *pma;
	long long cap, moved, before, after, ra;
	double t_low, deadline;
	int status;

	two_backends(_metadata, self, UW_SSD_SIZE, 0, &s0);
	ASSERT_EQ(0, tier_write_ll(".", "demote_interval_ms",
				   DEMOTE_INTERVAL_MS));
	cap = s0.ssd.capacity;
	st_worker_start(_metadata, &self->w, self->cg, UW_PAGES,
			CANARY_INCOMPRESSIBLE, &ready);
	st_push_out(self->cg, "8M", &s0, &s1);
	st_snap_print("A's pages out", &s0, &s1, true);
	ASSERT_EQ(s0.hdd.used, s1.hdd.used);
	ASSERT_GT(s1.ssd.used * 100, cap * 60)
		TH_LOG("%lld of %lld SSD slots used: not above 60%%",
		       s1.ssd.used, cap);
	before = s1.ssd.used + s1.hdd.used;
	pma = pm_take(_metadata, &self->w, UW_PAGES);
	cgfaults_take(self->cg, &fa);
	dstat_take(_metadata, &d1);

	ASSERT_EQ(0, cg_write(self->cg2, "memory.zswap.max", "4096"));
	st_worker_start(_metadata, &self->w2, self->cg2, UW_B_PAGES,
			CANARY_MIXED, &ready2);
	ASSERT_EQ(0, bg_worker_cycles(cyc, &self->w2, 4));
	deadline = st_now() + 30;
	while (cyc->sh->cycles < 4 && !cyc->sh->done && st_now() < deadline)
		st_sleep_ms(50);
	ASSERT_GE(cyc->sh->cycles, 4ULL) TH_LOG("the workload did not get going");

	ASSERT_EQ(0, tier_wm_set("ssd", 60, 30));
	t_low = wait_below_low(_metadata, self, "ssd", cap, 30, DEMOTE_WAIT_S,
			       &cyc->sh->done);
	st_sleep_ms(1000);
	status = bg_stop(cyc, 120);
	ksft_print_msg("workload: %llu cycles (%llu requests), %llu pages paged out, %llu bad, rc %d, status 0x%x; SSD below 30%% after %.1f s\n",
		       (unsigned long long)cyc->sh->cycles,
		       (unsigned long long)cyc->sh->requests,
		       (unsigned long long)cyc->sh->paged_out,
		       (unsigned long long)cyc->sh->bad_pages, cyc->sh->rc,
		       status, t_low);
	ASSERT_EQ(0ULL, (unsigned long long)cyc->sh->bad_pages)
		TH_LOG("workload: page %llu offset %llu: expected 0x%02x found 0x%02x",
		       (unsigned long long)cyc->sh->last.first_bad_page,
		       (unsigned long long)cyc->sh->last.first_bad_off,
		       cyc->sh->last.expected, cyc->sh->last.actual);
	ASSERT_EQ(0, cyc->sh->rc) TH_LOG("workload: %s", cyc->sh->last.what);
	ASSERT_GE(t_low, 0.0)
		TH_LOG("the SSD stayed at >= 30%% (%lld of %lld) for %d s with watermarks 60/30",
		       tier_ll("ssd", "used_pages"), cap, DEMOTE_WAIT_S);
	dstat_take(_metadata, &d2);
	st_snap_take(self->cg, 0, &s2);
	st_snap_print("after demotion", &s1, &s2, true);
	dstat_print("after demotion", &d1, &d2);
	moved = d2.ssd_demoted - d1.ssd_demoted;
	ASSERT_GT(moved, 0LL);
	ASSERT_GT(s2.hdd.used - s1.hdd.used, 0LL);
	ASSERT_LE(s2.hdd.used - s1.hdd.used, moved)
		TH_LOG("the HDD holds %lld more pages, only %lld were demoted",
		       s2.hdd.used - s1.hdd.used, moved);
	assert_ptes_unchanged(_metadata, &self->w, UW_PAGES, pma,
			      "demotion under a workload (A)");
	free(pma);
	assert_not_faulted(_metadata, self->cg, &fa, 0, "A during demotion");

	/* B gone (and its swap-cache leftovers): only A's pages remain. */
	ASSERT_EQ(0, tier_wm_set("ssd", 0, 0));
	worker_stop(&self->w2);
	deadline = st_now() + 10;
	for (;;) {
		cg_reclaim(self->cg2, "8M", 2000, NULL);
		snap_exact(_metadata, self, self->cg, &s3);
		after = s3.ssd.used + s3.hdd.used;
		if (after == before || st_now() > deadline)
			break;
		st_sleep_ms(500);
	}
	st_snap_print("workload gone", &s1, &s3, true);
	ASSERT_EQ(before, after)
		TH_LOG("A had %lld pages on the back ends, now %lld (ssd %lld, hdd %lld)",
		       before, after, s3.ssd.used, s3.hdd.used);

	ra = verify_io(_metadata, self->cg, &self->w, "A", true, &v0, &v1);
	ASSERT_GE(v1.hdd.read - v0.hdd.read, s3.hdd.used - ra);
	ASSERT_GE(v1.hdd.read - v0.hdd.read + v1.ssd.read - v0.ssd.read,
		  (long long)UW_PAGES - ra)
		TH_LOG("%lld pages not in memory, %lld read from the back ends",
		       UW_PAGES - ra, v1.hdd.read - v0.hdd.read +
		       v1.ssd.read - v0.ssd.read);
	ASSERT_EQ(0LL, v1.hdd.read_errors - v0.hdd.read_errors +
		       v1.ssd.read_errors - v0.ssd.read_errors);
}

/*
 * 3. Policy demotion with the shipped bpf/age_demote (tunables min_age_s,
 * budget, cgroup), watermarks off.  B's 512 pages, then A's 1024 go to a
 * 32 MiB SSD.
 *  - age_demote with min_age_s 1000000 for every cgroup: for 3.5 s (3
 *    ticks) nothing moves, the policy's demoted_pages stays 0;
 *  - replaced by min_age_s = (A's age once the replacement is in place)
 *    + 6 s, budget 256, cgroup A:
 *    until A's pages are min_age_s old nothing of A moves; then all of A's
 *    pages move to the HDD within 40 s, in requests of at most 256 pages;
 *    B's (older, other cgroup) stay on the SSD.  The SSD's demoted_pages,
 *    the policy's demoted_pages and the HDD's used_pages all rise by A's
 *    count, one swap_tier_move (reason policy, ssd -> hdd) per page, each
 *    of A's cgroup; the page tables do not change, and everything reads
 *    back intact (A's from the HDD, B's from the SSD).
 */
#define PD_SSD_SIZE		(32ULL * ST_MiB)
#define PD_A_PAGES		1024
#define PD_B_PAGES		512
#define PD_BUDGET		256
#define PD_MARGIN_S		6

static int policy_cmd(FIXTURE_DATA(demote) *self, char *out, size_t len,
		      const char *verb, long long min_age, long long budget,
		      const char *cg)
{
	char a[64], b[64], c[PATH_MAX + 16], what[PATH_MAX + 256];
	char *argv[] = { (char *)self->env.swapctl, "policy", (char *)verb,
			 "age_demote", "--set", a, "--set", b, "--set", c,
			 NULL };

	snprintf(a, sizeof(a), "min_age_s=%lld", min_age);
	snprintf(b, sizeof(b), "budget=%lld", budget);
	snprintf(c, sizeof(c), "cgroup=%s", cg ? cg : "0");
	snprintf(what, sizeof(what), "swapctl policy %s age_demote --set %s --set %s --set %s",
		 verb, a, b, c);
	self->policy = true;
	return swapctl_log(self, out, len, what, argv);
}

struct pdstat {
	long long requests, pages, calls;
};

static void pdstat_take(struct pdstat *p)
{
	p->requests = pol_ll(0, "demote_requests");
	p->pages = pol_ll(0, "demoted_pages");
	p->calls = pol_ll(0, "demoted_calls");
}

TEST_F_TIMEOUT(demote, policy_age_demote, 240)
{
	static const char *const events[] = { "swap_tier_move", NULL };
	struct worker_resp ready, ready2;
	struct st_snap s0, sb, s1, s2, s3, v0, v1;
	struct move_count mc;
	struct dstat d1, d2, d3;
	struct pdstat p1, p2, p3;
	struct cgfaults fa;
	char obj[PATH_MAX], out[OUT_LEN];
	uint64_t *pma;
	long long on_a, on_b, min_age, ra, rb, moved;
	double t_a0, t_a1, t_repl, t_load, deadline;
	int rc;

	st_require(_metadata, pol_available);
	st_require(_metadata, pol_bpffs_available);
	ASSERT_EQ(0, pol_obj_path("age_demote", false, obj, sizeof(obj)))
		TH_LOG("%.900s missing (bpf/age_demote.bpf.c, make bpf builds it)",
		       obj);
	two_backends(_metadata, self, PD_SSD_SIZE, 0, &s0);
	st_worker_start(_metadata, &self->w2, self->cg2, PD_B_PAGES,
			CANARY_INCOMPRESSIBLE, &ready2);
	st_push_out(self->cg2, "2M", &s0, &sb);
	st_worker_start(_metadata, &self->w, self->cg, PD_A_PAGES,
			CANARY_INCOMPRESSIBLE, &ready);
	t_a0 = st_now();
	st_push_out(self->cg, "4M", &sb, &s1);
	t_a1 = st_now();
	st_snap_print("B's pages out", &s0, &sb, true);
	st_snap_print("A's pages out", &sb, &s1, true);
	on_b = sb.ssd.used - s0.ssd.used;
	on_a = s1.ssd.used - sb.ssd.used;
	ASSERT_EQ(s0.hdd.used, s1.hdd.used);
	ASSERT_GT(on_a, (long long)PD_A_PAGES / 2);
	ASSERT_GT(on_b, (long long)PD_B_PAGES / 2);
	pma = pm_take(_metadata, &self->w, PD_A_PAGES);
	cgfaults_take(self->cg, &fa);

	/* A huge min_age: nothing is old enough. */
	trace_start(_metadata, self, events);
	dstat_take(_metadata, &d1);
	t_load = st_now();
	rc = policy_cmd(self, out, sizeof(out), "load", 1000000, PD_BUDGET,
			NULL);
	t_load = st_now() - t_load;
	ASSERT_EQ(0, rc) TH_LOG("swapctl policy load age_demote: %s", out);
	ASSERT_TRUE(pol_attached(0));
	pdstat_take(&p1);
	ASSERT_GE(p1.pages, 0LL) TH_LOG("%s/global/demoted_pages missing",
					POL_SYSFS);
	ASSERT_GE(p1.requests, 0LL) TH_LOG("%s/global/demote_requests missing",
					   POL_SYSFS);
	ASSERT_GE(p1.calls, 0LL) TH_LOG("%s/global/demoted_calls missing",
					POL_SYSFS);
	st_sleep_ms(3500);
	pdstat_take(&p2);
	dstat_take(_metadata, &d2);
	st_snap_take(self->cg, 0, &s2);
	ksft_print_msg("min_age_s 1000000: policy demote_requests +%lld demoted_pages +%lld demoted_calls +%lld, tick_calls %lld\n",
		       p2.requests - p1.requests, p2.pages - p1.pages,
		       p2.calls - p1.calls, pol_ll(0, "tick_calls"));
	ASSERT_EQ(p1.pages, p2.pages)
		TH_LOG("pages written a few seconds ago demoted with min_age_s 1000000");
	ASSERT_EQ(d1.ssd_demoted, d2.ssd_demoted);
	ASSERT_EQ(s1.hdd.used, s2.hdd.used);
	ASSERT_EQ(s1.ssd.used, s2.ssd.used);

	/*
	 * A's pages become old enough PD_MARGIN_S s after the replacement
	 * is in place (it takes about as long as the load did).
	 */
	min_age = (long long)(st_now() - t_a0 + 1.2 * t_load) + PD_MARGIN_S;
	rc = policy_cmd(self, out, sizeof(out), "replace", min_age, PD_BUDGET,
			self->cg);
	ASSERT_EQ(0, rc) TH_LOG("swapctl policy replace age_demote: %s", out);
	t_repl = st_now();
	pdstat_take(&p2);
	dstat_take(_metadata, &d2);
	/* Ages are whole seconds: a page may look up to 1 s older. */
	deadline = t_a0 + min_age - 1.5;
	ksft_print_msg("min_age_s %lld: A's pages were written %.1f..%.1f s ago; watching %.1f s for early moves\n",
		       min_age, t_repl - t_a1, t_repl - t_a0,
		       deadline - st_now());
	while (st_now() < deadline) {
		ASSERT_EQ(s1.hdd.used, tier_ll("hdd", "used_pages"))
			TH_LOG("pages moved %.1f s after being written, min_age_s %lld",
			       st_now() - t_a0, min_age);
		st_sleep_ms(250);
	}
	deadline = t_a1 + min_age + 40;
	while (st_now() < deadline &&
	       tier_ll("hdd", "used_pages") - s1.hdd.used < on_a)
		st_sleep_ms(250);
	st_sleep_ms(2000);
	pdstat_take(&p3);
	dstat_take(_metadata, &d3);
	wait_written("hdd", s1.hdd.written + s1.hdd.write_errors + on_a);
	snap_exact(_metadata, self, self->cg, &s3);
	st_snap_print("after age_demote", &s1, &s3, true);
	dstat_print("after age_demote", &d1, &d3);
	ksft_print_msg("policy: demote_requests +%lld demoted_pages +%lld demoted_calls +%lld\n",
		       p3.requests - p2.requests, p3.pages - p2.pages,
		       p3.calls - p2.calls);
	moved = s3.hdd.used - s1.hdd.used;
	ASSERT_EQ(s1.g_pswpin, s3.g_pswpin)
		TH_LOG("pswpin rose by %lld while pages moved between back ends and nothing touched them",
		       s3.g_pswpin - s1.g_pswpin);
	ASSERT_EQ(on_a, moved)
		TH_LOG("%lld of A's %lld pages on the SSD were demoted within 40 s of being %lld s old",
		       moved, on_a, min_age);
	ASSERT_EQ(on_b, s3.ssd.used)
		TH_LOG("the SSD holds %lld pages, B had %lld there (B is not the policy's cgroup)",
		       s3.ssd.used, on_b);
	ASSERT_EQ(moved, d3.ssd_demoted - d2.ssd_demoted);
	ASSERT_EQ(moved, p3.pages - p2.pages)
		TH_LOG("the policy's demoted_pages rose by %lld, %lld pages moved",
		       p3.pages - p2.pages, moved);
	ASSERT_GE(p3.requests - p2.requests,
		  (moved + PD_BUDGET - 1) / PD_BUDGET)
		TH_LOG("%lld pages moved in %lld requests of at most %d pages",
		       moved, p3.requests - p2.requests, PD_BUDGET);
	ASSERT_EQ(moved, s3.hdd.written - s1.hdd.written);
	ASSERT_EQ(0, (int)pol_ll(0, "errors"));

	assert_ptes_unchanged(_metadata, &self->w, PD_A_PAGES, pma,
			      "policy demotion (A)");
	free(pma);
	assert_not_faulted(_metadata, self->cg, &fa, 0, "A during demotion");
	{	/* the tracepoints */
		char *text = trace_take(_metadata, self);

		move_count(text, 1, cg_id(self->cg), 1, &mc);
		free(text);
		ksft_print_msg("trace: %lld swap_tier_move (policy), %lld of them A's, %lld not from the SSD, %lld to the HDD\n",
			       mc.total, mc.of_cg, mc.from_other, mc.to[1 + 2]);
		ASSERT_EQ(moved, mc.total)
			TH_LOG("one swap_tier_move (reason policy) per demoted page");
		ASSERT_EQ(moved, mc.of_cg)
			TH_LOG("%lld pages of other cgroups than the policy's moved",
			       mc.total - mc.of_cg);
		ASSERT_EQ(0LL, mc.from_other);
		ASSERT_EQ(moved, mc.to[1 + 2]);
	}

	rb = verify_io(_metadata, self->cg2, &self->w2, "B", false, &v0, &v1);
	/* The SSD holds B's pages only: each read from it is one of them. */
	ASSERT_GE(v1.ssd.read - v0.ssd.read, on_b - rb)
		TH_LOG("%lld of B's pages not in memory, %lld read from the SSD: some were moved",
		       on_b - rb, v1.ssd.read - v0.ssd.read);
	ra = verify_io(_metadata, self->cg, &self->w, "A", true, &v0, &v1);
	ASSERT_GE(v1.hdd.read - v0.hdd.read, on_a - ra);
}

/*
 * 4. Drain through the sysfs file while pages move: 2048 pages of A on a
 * 32 MiB SSD; while the drain runs, A's pages are read back (a helper
 * verifies every byte of them, faulting them in from wherever they are at
 * that moment) and cgroup B keeps swapping 48 mixed pages out and in.
 * The write succeeds; A's check and every cycle of B find every byte
 * intact; drained_pages rose, by no more than was there; the drain traced
 * one begin and one end (moved = drained_pages' rise, 0 remaining, no
 * error); the back end is still active, and once B is gone the SSD holds
 * nothing.  Afterwards the SSD takes A's pages again.
 */
#define DB_SSD_SIZE		(32ULL * ST_MiB)
#define DB_PAGES		2048
#define DB_B_PAGES		48

TEST_F_TIMEOUT(demote, drain_busy, 240)
{
	static const char *const events[] = { "swap_tier_drain_begin",
					      "swap_tier_drain_end", NULL };
	struct worker_resp ready, ready2;
	struct st_snap s0, s1, s2, s3, s4;
	struct dstat d1, d2;
	struct bg *cyc = &self->bg[0], *chk = &self->bg[1];
	double secs, deadline;
	long long drained;
	dev_t rdev;
	int rc, status;

	two_backends(_metadata, self, DB_SSD_SIZE, 0, &s0);
	rdev = backend_rdev(_metadata, &self->be[0]);
	st_worker_start(_metadata, &self->w, self->cg, DB_PAGES,
			CANARY_INCOMPRESSIBLE, &ready);
	st_push_out(self->cg, "8M", &s0, &s1);
	st_snap_print("A's pages out", &s0, &s1, true);
	ASSERT_GT(s1.ssd.used, (long long)DB_PAGES / 2);
	ASSERT_EQ(s0.hdd.used, s1.hdd.used);

	ASSERT_EQ(0, cg_write(self->cg2, "memory.zswap.max", "4096"));
	st_worker_start(_metadata, &self->w2, self->cg2, DB_B_PAGES,
			CANARY_MIXED, &ready2);
	ASSERT_EQ(0, bg_worker_cycles(cyc, &self->w2, 4));
	deadline = st_now() + 30;
	while (cyc->sh->cycles < 4 && !cyc->sh->done && st_now() < deadline)
		st_sleep_ms(50);
	ASSERT_GE(cyc->sh->cycles, 4ULL) TH_LOG("the workload did not get going");
	trace_start(_metadata, self, events);
	dstat_take(_metadata, &d1);

	ASSERT_EQ(0, bg_worker_request(chk, &self->w, WORKER_CHECK, 0));
	ASSERT_EQ(0, bg_wait_started(chk, 5000));
	st_sleep_ms(100);
	rc = drain_write(self->be[0].dev, false, &secs);
	dstat_take(_metadata, &d2);
	st_snap_take(self->cg, 0, &s2);
	drained = d2.ssd_drained - d1.ssd_drained;
	ksft_print_msg("drain of %s: %s after %.1f s, %lld pages drained (%.0f pages/s); A's check %s\n",
		       self->be[0].dev, rc ? strerror(-rc) : "ok", secs,
		       drained, secs > 0 ? drained / secs : 0.0,
		       chk->sh->done ? "already done" : "still running");
	if (rc)
		drain_diag(_metadata, self, "ssd", "drain failed");
	ASSERT_EQ(0, rc) TH_LOG("drain of %s: %s", self->be[0].dev,
				strerror(-rc));

	status = bg_wait(chk, 300);
	ASSERT_NE(-1, status) TH_LOG("A's check did not finish");
	ksft_print_msg("A's check during the drain: %lld resident before, %llu bad pages, %.1f s\n",
		       (long long)chk->sh->last.resident,
		       (unsigned long long)chk->sh->last.bad_pages,
		       chk->sh->t_end - chk->sh->t_start);
	ASSERT_EQ(0, chk->sh->rc) TH_LOG("A's check: %s", chk->sh->last.what);
	ASSERT_EQ(0ULL, (unsigned long long)chk->sh->last.bad_pages)
		TH_LOG("A's check during the drain: page %llu offset %llu: expected 0x%02x found 0x%02x",
		       (unsigned long long)chk->sh->last.first_bad_page,
		       (unsigned long long)chk->sh->last.first_bad_off,
		       chk->sh->last.expected, chk->sh->last.actual);
	status = bg_stop(cyc, 120);
	ksft_print_msg("workload: %llu cycles, %llu pages paged out, %llu bad, rc %d\n",
		       (unsigned long long)cyc->sh->cycles,
		       (unsigned long long)cyc->sh->paged_out,
		       (unsigned long long)cyc->sh->bad_pages, cyc->sh->rc);
	ASSERT_EQ(0ULL, (unsigned long long)cyc->sh->bad_pages)
		TH_LOG("workload: page %llu offset %llu: expected 0x%02x found 0x%02x",
		       (unsigned long long)cyc->sh->last.first_bad_page,
		       (unsigned long long)cyc->sh->last.first_bad_off,
		       cyc->sh->last.expected, cyc->sh->last.actual);
	ASSERT_EQ(0, cyc->sh->rc) TH_LOG("workload: %s", cyc->sh->last.what);

	st_snap_print("after the drain", &s1, &s2, true);
	dstat_print("after the drain", &d1, &d2);
	ASSERT_GT(drained, 0LL);
	ASSERT_LE(drained, s1.ssd.used + DB_B_PAGES)
		TH_LOG("%lld pages drained, the SSD held %lld (+ %d of B's at most)",
		       drained, s1.ssd.used, DB_B_PAGES);
	ASSERT_EQ(d1.ssd_demoted, d2.ssd_demoted);
	ASSERT_EQ(d1.hdd_drained, d2.hdd_drained);
	ASSERT_EQ(1, swaps_find(self->be[0].dev, NULL))
		TH_LOG("the drained back end left /proc/swaps");

	/* B gone: nothing on the SSD. */
	worker_stop(&self->w2);
	deadline = st_now() + 10;
	for (;;) {
		cg_reclaim(self->cg2, "8M", 2000, NULL);
		snap_exact(_metadata, self, self->cg, &s3);
		if (!s3.ssd.used || st_now() > deadline)
			break;
		st_sleep_ms(500);
	}
	st_snap_print("workload gone", &s1, &s3, true);
	ASSERT_EQ(0LL, s3.ssd.used) TH_LOG("pages left on the drained SSD");
	verify(_metadata, &self->w);

	/* Writable again: A's pages go back to the SSD. */
	st_push_out(self->cg, "8M", &s3, &s4);
	st_snap_print("A's pages out again", &s3, &s4, true);
	ASSERT_GT(s4.ssd.written - s3.ssd.written, 0LL)
		TH_LOG("the SSD took no page after its drain");
	ASSERT_EQ(s3.hdd.written, s4.hdd.written)
		TH_LOG("pages went to the HDD while the SSD (faster) had room after its drain");
	verify(_metadata, &self->w);
	assert_drain_trace(_metadata, self, rdev, 1, -1, drained, 0, 0);
}

/*
 * 5. "swapctl tier drain DEV" of an SSD holding 1024 of A's pages, nothing
 * else running: exit 0; the SSD is empty; its drained_pages rose by
 * exactly what it held, the HDD took them (all but pages that were still
 * in memory); page tables unchanged, nothing faulted in.  The tracepoints
 * agree: drain_begin nr_pages = pages held, drain_end moved = the same, 0
 * remaining, no error; one swap_tier_move (reason drain, from ssd) per
 * page, to the HDD as many as the HDD took.  Reading A back touches the
 * HDD, never the SSD, and finds every byte intact.
 */
#define DS_SSD_SIZE		(16ULL * ST_MiB)
#define DS_PAGES		1024

TEST_F_TIMEOUT(demote, drain_swapctl, 180)
{
	static const char *const events[] = { "swap_tier_drain_begin",
					      "swap_tier_drain_end",
					      "swap_tier_move", NULL };
	char *argv[] = { (char *)self->env.swapctl, "tier", "drain",
			 self->be[0].dev, NULL };
	struct worker_resp ready;
	struct st_snap s0, s1, s2, v0, v1;
	struct dstat d1, d2;
	struct cgfaults fa;
	char out[OUT_LEN];
	uint64_t *pma;
	long long held, drained, to_hdd, m1, ra;
	dev_t rdev;
	int rc;

	two_backends(_metadata, self, DS_SSD_SIZE, 0, &s0);
	argv[3] = self->be[0].dev;
	rdev = backend_rdev(_metadata, &self->be[0]);
	st_worker_start(_metadata, &self->w, self->cg, DS_PAGES,
			CANARY_INCOMPRESSIBLE, &ready);
	st_push_out(self->cg, "4M", &s0, &s1);
	st_snap_print("A's pages out", &s0, &s1, true);
	held = s1.ssd.used;
	ASSERT_GT(held, (long long)DS_PAGES / 2);
	m1 = resident(_metadata, &self->w);
	pma = pm_take(_metadata, &self->w, DS_PAGES);
	cgfaults_take(self->cg, &fa);
	dstat_take(_metadata, &d1);
	trace_start(_metadata, self, events);

	rc = swapctl_log(self, out, sizeof(out), "swapctl tier drain", argv);
	if (rc)
		drain_diag(_metadata, self, "ssd", "swapctl tier drain failed");
	ASSERT_EQ(0, rc) TH_LOG("swapctl tier drain %s: %s", self->be[0].dev,
				out);
	dstat_take(_metadata, &d2);
	drained = d2.ssd_drained - d1.ssd_drained;
	ksft_print_msg("SSD used_pages right after the drain: %lld\n",
		       tier_ll("ssd", "used_pages"));
	wait_written("hdd", s1.hdd.written + s1.hdd.write_errors + drained -
			    m1);
	snap_exact(_metadata, self, self->cg, &s2);
	st_snap_print("after the drain", &s1, &s2, true);
	dstat_print("after the drain", &d1, &d2);
	to_hdd = s2.hdd.used - s1.hdd.used;
	ASSERT_EQ(0LL, s2.ssd.used) TH_LOG("pages left on the drained SSD");
	ASSERT_EQ(s1.g_pswpin, s2.g_pswpin)
		TH_LOG("pswpin rose by %lld while pages moved between back ends and nothing touched them",
		       s2.g_pswpin - s1.g_pswpin);
	ASSERT_EQ(held, drained)
		TH_LOG("the SSD held %lld pages, drained_pages rose by %lld",
		       held, drained);
	ASSERT_LE(to_hdd, drained);
	ASSERT_GE(to_hdd, drained - m1)
		TH_LOG("%lld pages drained, %lld were in memory, the HDD took %lld",
		       drained, m1, to_hdd);
	ASSERT_EQ(to_hdd, s2.hdd.written - s1.hdd.written);
	ASSERT_EQ(d1.ssd_demoted, d2.ssd_demoted);
	ASSERT_EQ(d1.hdd_drained, d2.hdd_drained);
	ASSERT_EQ(1, swaps_find(self->be[0].dev, NULL));
	assert_ptes_unchanged(_metadata, &self->w, DS_PAGES, pma, "drain");
	free(pma);
	assert_not_faulted(_metadata, self->cg, &fa, drained - to_hdd,
			   "A during the drain");

	ra = verify_io(_metadata, self->cg, &self->w, "A", true, &v0, &v1);
	/* Only what the eviction wrote there can come from the SSD. */
	ASSERT_LE(v1.ssd.read - v0.ssd.read, v0.ssd.written - s2.ssd.written)
		TH_LOG("pages read from the drained SSD");
	ASSERT_GE(v1.hdd.read - v0.hdd.read + v1.ssd.read - v0.ssd.read,
		  (long long)DS_PAGES - ra)
		TH_LOG("%lld pages not in memory, %lld read from the back ends",
		       DS_PAGES - ra, v1.hdd.read - v0.hdd.read +
		       v1.ssd.read - v0.ssd.read);
	{	/* the tracepoints */
		char *text = trace_take(_metadata, self);
		const char *p;
		char line[512];
		long long moves = 0, hdd = 0, other = 0;

		for (p = text; (p = trace_next(p, "swap_tier_move", line,
					       sizeof(line)));) {
			if (trace_reason(line) != 2)
				continue;
			moves++;
			if (trace_tier(line, "from") != 1)
				other++;
			if (trace_tier(line, "to") == 2)
				hdd++;
		}
		free(text);
		ksft_print_msg("trace: %lld swap_tier_move (drain), %lld to the HDD, %lld not from the SSD\n",
			       moves, hdd, other);
		ASSERT_EQ(drained, moves)
			TH_LOG("one swap_tier_move per drained page");
		ASSERT_EQ(0LL, other);
		ASSERT_EQ(to_hdd, hdd);
		assert_drain_trace(_metadata, self, rdev, 1, held, drained, 0,
				   0);
	}
}

/*
 * 6 (drain_nomem) and 10 (swapoff_nomem): no room anywhere.  An 8 MiB
 * SSD and a 256 KiB HDD (63 slots);
 * cgroup A has memory.zswap.max 0 (zswap takes nothing of it) and 1536 of
 * its pages on the SSD; then memory.max is set 256 KiB above what A
 * uses, so at most 64 pages fit back in memory.  Moving the SSD's pages
 * off it (drain or swapoff) fills the HDD, then memory, then fails with
 * ENOMEM: the kernel allocates those folios with __GFP_RETRY_MAYFAIL,
 * so nothing is OOM-killed.  The SSD stays active with the rest, every
 * page is on the SSD, on the HDD or in memory (drained_pages = pages that
 * left the SSD = HDD's gain + pages left in memory; the drain_end trace
 * says the same, with err -ENOMEM); once memory.max is lifted the pages
 * left in memory are written to the SSD (it takes writes again) and every
 * byte reads back intact.  If the move does not return within
 * NM_DEADLINE_S, the test kills it and fails.
 */
#define NM_SSD_SIZE		(8ULL * ST_MiB)
#define NM_HDD_SIZE		(256ULL * ST_KiB)
#define NM_PAGES		1536
#define NM_SLACK		(256 * 1024)

struct nomem {
	struct st_snap s1;
	long long m1;		/* resident before */
	long long max;		/* memory.max set */
};

static void nomem_setup(struct __test_metadata *_metadata,
			FIXTURE_DATA(demote) *self, struct nomem *n)
{
	struct worker_resp ready;
	struct st_snap s0;
	long long cur;

	two_backends(_metadata, self, NM_SSD_SIZE, NM_HDD_SIZE, &s0);
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "0"));
	st_worker_start(_metadata, &self->w, self->cg, NM_PAGES,
			CANARY_INCOMPRESSIBLE, &ready);
	st_push_out(self->cg, "6M", &s0, &n->s1);
	st_snap_print("A's pages out", &s0, &n->s1, true);
	ASSERT_EQ(s0.hdd.used, n->s1.hdd.used);
	ASSERT_GT(n->s1.ssd.used, (long long)NM_PAGES * 3 / 4);
	ASSERT_GT(n->s1.ssd.used, n->s1.hdd.capacity + NM_SLACK / 4096 + 256)
		TH_LOG("the test needs far more pages on the SSD than room elsewhere");
	ASSERT_EQ(0LL, n->s1.zswapped);
	n->m1 = resident(_metadata, &self->w);
	st_sleep_ms(ST_STATS_SETTLE_MS);
	cur = cg_read_ll(self->cg, "memory.current");
	ASSERT_GT(cur, 0LL);
	n->max = cur + NM_SLACK;
	ASSERT_EQ(0, cg_write_ll(self->cg, "memory.max", n->max));
	ksft_print_msg("memory.current %lld, memory.max %lld; %lld of %d pages resident, %lld on the SSD\n",
		       cur, n->max, n->m1, NM_PAGES, n->s1.ssd.used);
}

/*
 * After the failed move: A is alive, nothing was OOM-killed, the SSD is
 * still active, the HDD full, and every page somewhere.  s2 is exact.
 */
static void nomem_check(struct __test_metadata *_metadata,
			FIXTURE_DATA(demote) *self, const struct nomem *n,
			struct st_snap *s2, long long *m2)
{
	long long oom = cg_key(self->cg, "memory.events", "oom_kill");

	ASSERT_EQ(0LL, oom) TH_LOG("OOM kills in the cgroup (memory.events oom_kill): %lld",
				   oom);
	*m2 = resident(_metadata, &self->w);
	ASSERT_EQ(1, swaps_find(self->be[0].dev, NULL))
		TH_LOG("the SSD left /proc/swaps although its pages had nowhere to go");
	snap_exact(_metadata, self, self->cg, s2);
	st_snap_print("after the failed move", &n->s1, s2, true);
	ksft_print_msg("resident %lld -> %lld of %d; memory.current %lld (max %lld)\n",
		       n->m1, *m2, NM_PAGES,
		       cg_read_ll(self->cg, "memory.current"), n->max);
	ASSERT_EQ(s2->hdd.capacity, s2->hdd.used)
		TH_LOG("the HDD was not filled before giving up");
	ASSERT_GT(s2->ssd.used, 0LL);
	ASSERT_EQ(0LL, s2->zswapped) TH_LOG("zswap took pages of a cgroup with memory.zswap.max 0");
	ASSERT_LE((long long)NM_PAGES - *m2, s2->ssd.used + s2->hdd.used)
		TH_LOG("%lld pages are not in memory, only %lld on the back ends: pages lost",
		       NM_PAGES - *m2, s2->ssd.used + s2->hdd.used);
}

/*
 * Lift memory.max, push A's pages out (the ones the move left in memory,
 * dirty, have to be written: to the SSD, which takes writes again, the
 * HDD being full), then read every page back.
 */
static void nomem_finish(struct __test_metadata *_metadata,
			 FIXTURE_DATA(demote) *self, const struct st_snap *s2,
			 long long m2)
{
	struct st_snap s3, v0, v1;
	long long r;

	ASSERT_EQ(0, cg_write(self->cg, "memory.max", "max"));
	r = evict(_metadata, self->cg, &self->w);
	st_snap_take(self->cg, 0, &s3);
	st_snap_print("A pushed out again", s2, &s3, true);
	ksft_print_msg("A: %lld pages resident before, %lld after eviction\n",
		       m2, r);
	if (m2 > 0)
		ASSERT_GT(s3.ssd.written - s2->ssd.written, 0LL)
			TH_LOG("%lld of A's pages were in memory, none was written to the SSD after the failed move",
			       m2);
	r = verify_io(_metadata, self->cg, &self->w, "A", false, &v0, &v1);
	/* A page not in memory has to be read from a back end. */
	ASSERT_GE(v1.ssd.read - v0.ssd.read + v1.hdd.read - v0.hdd.read,
		  (long long)NM_PAGES - r)
		TH_LOG("%lld pages were not in memory but only %lld read from the back ends",
		       NM_PAGES - r,
		       v1.ssd.read - v0.ssd.read + v1.hdd.read - v0.hdd.read);
	ASSERT_EQ(0LL, v1.ssd.read_errors - v0.ssd.read_errors +
		       v1.hdd.read_errors - v0.hdd.read_errors);
}

/* How long moving the SSD's pages off may take before ENOMEM. */
#define NM_DEADLINE_S		90

/*
 * Move the SSD's pages off it from a helper process, by the drain file or
 * by swapoff(2), logging progress every 10 s.  Returns 0 or -errno of the
 * write / swapoff; *secs gets the time it took.  If it has not returned
 * after NM_DEADLINE_S, the helper is killed (the drain notices the signal
 * between batches), memory.max lifted so that pending charges end, and
 * the test fails.
 */
static int nomem_move(struct __test_metadata *_metadata,
		      FIXTURE_DATA(demote) *self, const struct nomem *n,
		      bool use_swapoff, double *secs)
{
	const char *what = use_swapoff ? "swapoff" : "drain";
	struct bg *b = &self->bg[0];
	long long d0 = tier_ll("ssd", "drained_pages"), last = d0, d = d0;
	double t0 = st_now(), next = t0 + 10, t_kill;
	int rc;

	rc = use_swapoff ? bg_swapoff(b, self->be[0].dev) :
			   bg_drain(b, self->be[0].dev);
	ASSERT_EQ(0, rc) TH_LOG("starting the %s helper: %s", what,
				strerror(-rc));
	ASSERT_EQ(0, bg_wait_started(b, 5000));
	while (!b->sh->done && st_now() - t0 < NM_DEADLINE_S) {
		st_sleep_ms(50);
		if (st_now() < next)
			continue;
		d = tier_ll("ssd", "drained_pages");
		ksft_print_msg("%s running for %.0f s: SSD drained_pages +%lld (+%lld in 10 s), SSD used %lld, HDD used %lld, memory.current %lld (max %lld)\n",
			       what, st_now() - t0, d - d0, d - last,
			       tier_ll("ssd", "used_pages"),
			       tier_ll("hdd", "used_pages"),
			       cg_read_ll(self->cg, "memory.current"), n->max);
		last = d;
		next += 10;
	}
	if (!b->sh->done) {
		t_kill = st_now();
		kill(b->pid, SIGKILL);
		cg_write(self->cg, "memory.max", "max");
		rc = bg_wait(b, 120);
		ksft_print_msg("%s killed after %d s (SSD drained_pages +%lld); the helper was gone %.1f s later (status 0x%x), SSD used %lld\n",
			       what, NM_DEADLINE_S, d - d0, st_now() - t_kill,
			       rc, tier_ll("ssd", "used_pages"));
		ASSERT_TRUE(false)
			TH_LOG("%s of a back end whose pages have no room anywhere did not return within %d s (ENOMEM expected)",
			       what, NM_DEADLINE_S);
	}
	bg_wait(b, 10);
	*secs = b->sh->t_end - b->sh->t_start;
	return b->sh->rc < 0 ? -b->sh->err : 0;
}

TEST_F_TIMEOUT(demote, drain_nomem, 240)
{
	static const char *const events[] = { "swap_tier_drain_begin",
					      "swap_tier_drain_end", NULL };
	struct nomem n;
	struct st_snap s2;
	struct dstat d1, d2;
	long long drained, to_mem, m2;
	double secs;
	dev_t rdev;
	int rc;

	nomem_setup(_metadata, self, &n);
	rdev = backend_rdev(_metadata, &self->be[0]);
	trace_start(_metadata, self, events);
	dstat_take(_metadata, &d1);
	rc = nomem_move(_metadata, self, &n, false, &secs);
	dstat_take(_metadata, &d2);
	drained = d2.ssd_drained - d1.ssd_drained;
	ksft_print_msg("drain of %s: %s after %.1f s, drained_pages +%lld\n",
		       self->be[0].dev, rc ? strerror(-rc) : "ok", secs,
		       drained);
	ASSERT_EQ(-ENOMEM, rc)
		TH_LOG("drain with no room anywhere: %s", strerror(-rc));
	nomem_check(_metadata, self, &n, &s2, &m2);
	to_mem = drained - (s2.hdd.used - n.s1.hdd.used);
	ksft_print_msg("moved %lld: %lld to the HDD, %lld to memory\n",
		       drained, s2.hdd.used - n.s1.hdd.used, to_mem);
	ASSERT_EQ(n.s1.ssd.used - drained, s2.ssd.used)
		TH_LOG("the SSD held %lld, %lld drained, it holds %lld",
		       n.s1.ssd.used, drained, s2.ssd.used);
	ASSERT_GE(to_mem, 0LL);
	ASSERT_LT(to_mem + s2.hdd.used, n.s1.ssd.used)
		TH_LOG("everything moved although memory.max left no room");
	ASSERT_EQ(d1.hdd_drained, d2.hdd_drained);
	nomem_finish(_metadata, self, &s2, m2);
	assert_drain_trace(_metadata, self, rdev, 1, n.s1.ssd.used, drained,
			   s2.ssd.used, -ENOMEM);
}

/*
 * 8. A drain interrupted by a signal.  2048 of A's pages on a 16 MiB SSD.
 *  - A helper writes the SSD's path to the drain file (handlers for SIGINT
 *    and SIGTERM, no SA_RESTART); once drained_pages has risen it gets
 *    SIGINT: the write fails with EINTR within a few seconds, part of the
 *    pages moved (all to the HDD), the rest is still on the SSD, which
 *    stays in /proc/swaps;
 *  - "swapctl tier drain DEV" gets SIGINT the same way: it exits with 64
 *    (interrupted, swapctl.8) and says so; again part moved, the SSD
 *    still active;
 *  - the SSD takes new pages (256 of cgroup B), and A's and B's pages read
 *    back intact.
 */
#define DI_SSD_SIZE		(16ULL * ST_MiB)
#define DI_PAGES		2048
#define DI_B_PAGES		256

/* Wait until the SSD's drained_pages reaches want or the helper is done. */
static long long wait_drained(struct bg *b, long long want)
{
	double deadline = st_now() + 60;
	long long d;

	for (;;) {
		d = tier_ll("ssd", "drained_pages");
		if (d >= want || b->sh->done || st_now() > deadline)
			return d;
		st_sleep_ms(1);
	}
}

TEST_F_TIMEOUT(demote, drain_interrupted, 300)
{
	char *argv[] = { (char *)self->env.swapctl, "tier", "drain", NULL,
			 NULL };
	struct worker_resp ready, ready2;
	struct st_snap s0, s1, s2, s3, s4, v0, v1;
	struct bg *b = &self->bg[0], *c = &self->bg[1];
	long long d0, dsig, moved1, moved2, ra, m1;
	double t_sig;
	int status;

	two_backends(_metadata, self, DI_SSD_SIZE, 0, &s0);
	argv[3] = self->be[0].dev;
	st_worker_start(_metadata, &self->w, self->cg, DI_PAGES,
			CANARY_INCOMPRESSIBLE, &ready);
	st_push_out(self->cg, "8M", &s0, &s1);
	st_snap_print("A's pages out", &s0, &s1, true);
	ASSERT_GT(s1.ssd.used, (long long)DI_PAGES / 2);
	m1 = resident(_metadata, &self->w);

	/* The drain file, SIGINT. */
	d0 = tier_ll("ssd", "drained_pages");
	ASSERT_EQ(0, bg_drain(b, self->be[0].dev));
	ASSERT_EQ(0, bg_wait_started(b, 5000));
	dsig = wait_drained(b, d0 + 16);
	t_sig = st_now();
	if (!b->sh->done)
		kill(b->pid, SIGINT);
	status = bg_wait(b, DRAIN_TIMEOUT_S);
	ksft_print_msg("drain write: %d (%s) %.2f s after the signal, %.2f s in all; %lld drained when signalled\n",
		       b->sh->rc, b->sh->rc < 0 ? strerror(b->sh->err) : "full length",
		       b->sh->t_end - t_sig, b->sh->t_end - b->sh->t_start,
		       dsig - d0);
	ASSERT_NE(-1, status);
	ASSERT_TRUE(b->sh->rc < 0)
		TH_LOG("the drain finished (%.2f s) before the signal could interrupt it",
		       b->sh->t_end - b->sh->t_start);
	ASSERT_EQ(EINTR, b->sh->err) TH_LOG("drain write: %s",
					    strerror(b->sh->err));
	ASSERT_LT(b->sh->t_end - t_sig, 20.0)
		TH_LOG("the drain took %.1f s to notice the signal",
		       b->sh->t_end - t_sig);
	moved1 = tier_ll("ssd", "drained_pages") - d0;
	wait_written("hdd", s1.hdd.written + s1.hdd.write_errors + moved1);
	snap_exact(_metadata, self, self->cg, &s2);
	st_snap_print("after the interrupted drain", &s1, &s2, true);
	ASSERT_GT(moved1, 0LL);
	ASSERT_GT(s2.ssd.used, 0LL) TH_LOG("nothing left: the drain was not interrupted");
	ASSERT_EQ(s1.ssd.used - moved1, s2.ssd.used)
		TH_LOG("the SSD held %lld, %lld drained, it holds %lld",
		       s1.ssd.used, moved1, s2.ssd.used);
	ASSERT_LE(s2.hdd.used - s1.hdd.used, moved1);
	ASSERT_GE(s2.hdd.used - s1.hdd.used, moved1 - m1)
		TH_LOG("%lld pages drained (%lld were in memory), the HDD (with room) took %lld",
		       moved1, m1, s2.hdd.used - s1.hdd.used);
	ASSERT_EQ(1, swaps_find(self->be[0].dev, NULL));

	/* swapctl tier drain, SIGINT. */
	d0 = tier_ll("ssd", "drained_pages");
	ASSERT_EQ(0, bg_cmd(c, argv));
	ASSERT_EQ(0, bg_wait_started(c, 5000));
	dsig = wait_drained(c, d0 + 16);
	t_sig = st_now();
	if (!c->sh->done)
		kill(c->sh->cmd_pid, SIGINT);
	status = bg_wait(c, DRAIN_TIMEOUT_S);
	ASSERT_NE(-1, status);
	status = c->sh->rc;
	ksft_print_msg("swapctl tier drain: %s %d %.2f s after SIGINT (%lld drained then): %s\n",
		       WIFSIGNALED(status) ? "signal" : "exit",
		       WIFSIGNALED(status) ? WTERMSIG(status) :
					     WEXITSTATUS(status),
		       c->sh->t_end - t_sig, dsig - d0,
		       st_oneline(c->sh->out, sizeof(c->sh->out)));
	ASSERT_TRUE(WIFEXITED(status))
		TH_LOG("swapctl tier drain died of signal %d instead of reporting the interruption",
		       WTERMSIG(status));
	ASSERT_EQ(SWAPCTL_EXIT_INTERRUPTED, WEXITSTATUS(status))
		TH_LOG("swapctl tier drain after SIGINT: exit %d: %s",
		       WEXITSTATUS(status), c->sh->out);
	ASSERT_NE(NULL, strstr(c->sh->out, "interrupted"))
		TH_LOG("swapctl does not say the drain was interrupted: %s",
		       c->sh->out);
	ASSERT_LT(c->sh->t_end - t_sig, 20.0);
	moved2 = tier_ll("ssd", "drained_pages") - d0;
	snap_exact(_metadata, self, self->cg, &s3);
	st_snap_print("after the interrupted swapctl drain", &s2, &s3, true);
	ASSERT_GT(moved2, 0LL);
	ASSERT_GT(s3.ssd.used, 0LL)
		TH_LOG("nothing left: swapctl's drain was not interrupted");
	ASSERT_EQ(s2.ssd.used - moved2, s3.ssd.used);
	ASSERT_EQ(1, swaps_find(self->be[0].dev, NULL));

	/* Still writable: B's pages go to the SSD. */
	st_snap_take(self->cg2, 0, &s3);
	st_worker_start(_metadata, &self->w2, self->cg2, DI_B_PAGES,
			CANARY_INCOMPRESSIBLE, &ready2);
	st_push_out(self->cg2, "1M", &s3, &s4);
	st_snap_print("B's pages out", &s3, &s4, true);
	ASSERT_GT(s4.ssd.written - s3.ssd.written, (long long)DI_B_PAGES / 2)
		TH_LOG("the SSD took %lld of B's pages after an interrupted drain",
		       s4.ssd.written - s3.ssd.written);
	verify(_metadata, &self->w2);
	ra = verify_io(_metadata, self->cg, &self->w, "A", true, &v0, &v1);
	ASSERT_GE(v1.ssd.read - v0.ssd.read + v1.hdd.read - v0.hdd.read,
		  (long long)DI_PAGES - ra - (DI_PAGES - s1.ssd.used));
}

/*
 * 9. swapoff(2) of the HDD back end holding pages.  A 2 MiB SSD (511
 * slots) is filled by A's 512 pages, so B's 1536 mixed pages (cgroup
 * memory.zswap.max 64K: zswap refuses or writes back most) go to the
 * HDD; then A exits, emptying the SSD, and B's zswap limit is lifted.
 * swapoff of the HDD succeeds: the HDD leaves /proc/swaps and its tier,
 * its drained_pages rose by what it held, the SSD (fastest) filled up
 * before anything went to zswap or memory; B's page tables did not
 * change, and every byte of B reads back intact.
 */
#define SH_SSD_SIZE		(2ULL * ST_MiB)
#define SH_A_PAGES		512
#define SH_B_PAGES		1536

TEST_F_TIMEOUT(demote, swapoff_hdd, 240)
{
	struct worker_resp ready, ready2;
	struct st_snap s0, sa, s1, s2, v0, v1;
	struct dstat d1, d2;
	struct tier_stat t;
	uint64_t *pmb;
	long long held, to_ssd, rb;
	double t0, deadline;
	int rc, e;

	two_backends(_metadata, self, SH_SSD_SIZE, 0, &s0);
	st_worker_start(_metadata, &self->w, self->cg, SH_A_PAGES,
			CANARY_INCOMPRESSIBLE, &ready);
	st_push_out(self->cg, "2M", &s0, &sa);
	st_snap_print("A's pages out", &s0, &sa, true);
	ASSERT_EQ(sa.ssd.capacity, sa.ssd.used) TH_LOG("A did not fill the SSD");

	ASSERT_EQ(0, cg_write(self->cg2, "memory.zswap.max", "64K"));
	st_worker_start(_metadata, &self->w2, self->cg2, SH_B_PAGES,
			CANARY_MIXED, &ready2);
	st_push_out(self->cg2, "6M", &sa, &s1);
	st_snap_print("B's pages out", &sa, &s1, true);

	worker_stop(&self->w);
	deadline = st_now() + 10;
	for (;;) {
		cg_reclaim(self->cg, "4M", 2000, NULL);
		snap_exact(_metadata, self, self->cg2, &s1);
		if (!s1.ssd.used || st_now() > deadline)
			break;
		st_sleep_ms(500);
	}
	ASSERT_EQ(0LL, s1.ssd.used) TH_LOG("A's SSD slots not freed after it exited");
	ASSERT_EQ(0, cg_write(self->cg2, "memory.zswap.max", "max"));
	held = s1.hdd.used;
	ASSERT_GT(held, s1.ssd.capacity)
		TH_LOG("the HDD holds %lld pages, the test needs more than the SSD takes (%lld)",
		       held, s1.ssd.capacity);
	pmb = pm_take(_metadata, &self->w2, SH_B_PAGES);
	dstat_take(_metadata, &d1);

	t0 = st_now();
	rc = swapoff(self->be[1].dev);
	e = errno;
	ksft_print_msg("swapoff(%s) holding %lld pages: %s after %.1f s\n",
		       self->be[1].dev, held, rc ? strerror(e) : "ok",
		       st_now() - t0);
	ASSERT_EQ(0, rc) TH_LOG("swapoff of the HDD back end: %s", strerror(e));
	self->be[1].active = false;
	ASSERT_EQ(0, swaps_find(self->be[1].dev, NULL))
		TH_LOG("the HDD is still in /proc/swaps after swapoff");
	ASSERT_EQ(0, tier_stat_read("hdd", &t));
	ASSERT_EQ(0LL, t.nr_devices);
	ASSERT_EQ(0LL, t.used);
	dstat_take(_metadata, &d2);
	dstat_print("after swapoff", &d1, &d2);
	snap_exact(_metadata, self, self->cg2, &s2);
	st_snap_print("after swapoff", &s1, &s2, true);
	to_ssd = s2.ssd.used - s1.ssd.used;
	ksft_print_msg("the HDD's %lld pages: %lld to the SSD, zswap +%lld pages, the rest to memory\n",
		       held, to_ssd, (s2.zswapped - s1.zswapped) / 4096);
	ASSERT_EQ(held, d2.hdd_drained - d1.hdd_drained)
		TH_LOG("the HDD held %lld pages, drained_pages rose by %lld",
		       held, d2.hdd_drained - d1.hdd_drained);
	ASSERT_EQ(s2.ssd.capacity, s2.ssd.used)
		TH_LOG("pages went to zswap or memory while the SSD had room (%lld of %lld used)",
		       s2.ssd.used, s2.ssd.capacity);
	ASSERT_EQ(to_ssd, s2.ssd.written - s1.ssd.written);
	ASSERT_EQ(d1.ssd_drained, d2.ssd_drained);
	assert_ptes_unchanged(_metadata, &self->w2, SH_B_PAGES, pmb,
			      "swapoff of the HDD");
	free(pmb);

	rb = verify_io(_metadata, self->cg2, &self->w2, "B", true, &v0, &v1);
	ASSERT_GE(v1.ssd.read - v0.ssd.read, to_ssd - rb)
		TH_LOG("%lld pages moved to the SSD, %lld resident, %lld read from it",
		       to_ssd, rb, v1.ssd.read - v0.ssd.read);
	ASSERT_EQ(0LL, v1.ssd.read_errors - v0.ssd.read_errors);
}

/*
 * 10. swapoff(2) of the SSD with no room anywhere (the setup of test 6):
 * it fails with ENOMEM, the SSD stays in /proc/swaps with what was not
 * moved, no page is lost or OOM-killed, and the SSD takes writes again.
 */
TEST_F_TIMEOUT(demote, swapoff_nomem, 240)
{
	struct nomem n;
	struct st_snap s2;
	struct dstat d1, d2;
	long long drained, m2;
	double secs;
	int rc;

	nomem_setup(_metadata, self, &n);
	dstat_take(_metadata, &d1);
	rc = nomem_move(_metadata, self, &n, true, &secs);
	dstat_take(_metadata, &d2);
	drained = d2.ssd_drained - d1.ssd_drained;
	ksft_print_msg("swapoff(%s) with no room: %s after %.1f s, drained_pages +%lld\n",
		       self->be[0].dev, rc ? strerror(-rc) : "ok", secs,
		       drained);
	ASSERT_NE(0, rc) TH_LOG("swapoff succeeded with no room anywhere");
	ASSERT_EQ(-ENOMEM, rc) TH_LOG("swapoff: %s", strerror(-rc));
	nomem_check(_metadata, self, &n, &s2, &m2);
	ASSERT_EQ(n.s1.ssd.used - drained, s2.ssd.used)
		TH_LOG("the SSD held %lld, %lld drained, it holds %lld",
		       n.s1.ssd.used, drained, s2.ssd.used);
	nomem_finish(_metadata, self, &s2, m2);
}

/*
 * 11. Pages rewritten while demotions and drains move them.  The defect
 * class: once a move's read of a slot has completed and unlocked its
 * folio, a swap-in may map that folio and the task dirty it; reclaim may
 * unmap it again without writing it (pageout() keeps a folio someone
 * else, the move, still holds a reference to; GFP_NOIO reclaim), leaving
 * it dirty, unmapped, in the swap cache, with the back end's copy stale.
 * A move that then gives the folio up (an abort: the page is in use, no
 * room on the target) must not delete it from the swap cache, or the
 * write is lost and the next fault reads the stale copy.  The window is
 * narrow; the test keeps it open often, and checks every byte.
 *
 * RD_PAGES pages (24 MiB; three of four incompressible, one of four
 * half-compressible, memory.zswap.max 512K) of a lib/rewrite.c workload go
 * to a 32 MiB SSD slice; then, for RD_ROUNDS rounds or RD_RUN_S s, all at
 * once:
 *  - RD_WRITERS writer threads (each pinned to a CPU) read, check and
 *    rewrite pages, mostly of a hot window of consecutive pages, each
 *    rewrite a new generation over every byte of the page, in bursts of a
 *    few touches of one page, most of them followed by MADV_PAGEOUT of
 *    the page; every page a writer reads is checked against the
 *    generation it last wrote there; at the end of each round every writer
 *    sweeps (reads and checks) all its pages;
 *  - a reclaimer process writes 4M to the cgroup's memory.reclaim over and
 *    over;
 *  - the test process, round by round: SSD watermarks 20/10 on (by
 *    "swapctl tier set" and by sysfs, alternately; demote_interval_ms
 *    100), and the demotion worker moves the SSD's pages to the HDD; with
 *    demotion still on, a drain of the SSD (the sysfs drain file) and one
 *    of the HDD ("swapctl tier drain", onto the SSD, which the demotion
 *    worker then finds over its high watermark with the HDD taking no
 *    writes); watermarks off for RD_REFILL_MS, the SSD refills.
 * Then the writers and the reclaimer stop, every page is checked where it
 * is, then pushed out and checked again from what zswap and the back ends
 * hold.  A page that is not exactly the generation last written to it
 * fails the test, with its index, the generation expected and the one
 * found.  Once the workload has exited, the ghost's per-slot metadata
 * (sparse_pages, clusters allocated and freed all along from both CPUs)
 * is back at its figure before the workload, within the pages the slot
 * caches keep.  So that the test cannot pass by doing nothing: the SSD's
 * demoted_pages and drained_pages and the HDD's drained_pages rose, at
 * least one drain of each back end succeeded, every drain should, the
 * writers rewrote pages and read pages back from the back ends (pswpin),
 * swept all pages at least once, and the reclaimer ran.
 */
#define RD_SSD_SIZE		(32ULL * ST_MiB)
#define RD_PAGES		6144
#define RD_WRITERS		3
#define RD_ROUNDS		40
#define RD_RUN_S		180
#define RD_WM_HIGH		20
#define RD_WM_LOW		10
#define RD_DEMOTE_WAIT_S	5
#define RD_REFILL_MS		1000
#define RD_CHECK_TIMEOUT_S	300

static void rd_bad_log(const char *what, const struct rw_bad *b)
{
	char found[48];

	if (b->found == RW_GEN_NONE)
		snprintf(found, sizeof(found), "none of its generations");
	else
		snprintf(found, sizeof(found), "generation %llu",
			 (unsigned long long)b->found);
	ksft_print_msg("%s: page %llu: expected generation %llu, found %s; first bad byte at offset %llu: 0x%02x, expected 0x%02x; the page was %s when read (%s)\n",
		       what, (unsigned long long)b->page,
		       (unsigned long long)b->expected, found,
		       (unsigned long long)b->off, b->act_byte, b->exp_byte,
		       b->resident == 1 ? "resident" :
		       b->resident == 0 ? "not resident" : "of unknown residency",
		       b->writer >= 0 ? "found by a writer" : "full check");
}

/* No bad page among n (the first of them in bad[]). */
static void rd_assert_intact(struct __test_metadata *_metadata,
			     const char *what, uint64_t n,
			     const struct rw_bad *bad)
{
	uint64_t i;

	for (i = 0; i < n && i < RW_MAX_BAD; i++)
		rd_bad_log(what, &bad[i]);
	ASSERT_EQ(0ULL, (unsigned long long)n)
		TH_LOG("%s: %llu bad pages; page %llu: expected generation %llu, found %lld (-1: none of its generations): a write was lost or data corrupted",
		       what, (unsigned long long)n,
		       (unsigned long long)bad[0].page,
		       (unsigned long long)bad[0].expected,
		       bad[0].found == RW_GEN_NONE ? -1LL :
		       (long long)bad[0].found);
}

/*
 * Wait until the SSD's demoted_pages has risen from d0 and the SSD is
 * below its high watermark again, at most RD_DEMOTE_WAIT_S (or until the
 * workload fails).  Returns the pages demoted meanwhile.
 */
static long long rd_wait_demoted(struct rw *rw, long long d0, long long cap)
{
	double t0 = st_now();
	long long d;

	for (;;) {
		d = tier_ll("ssd", "demoted_pages");
		if ((d > d0 &&
		     tier_ll("ssd", "used_pages") * 100 < cap * RD_WM_HIGH) ||
		    st_now() - t0 > RD_DEMOTE_WAIT_S || rw->sh->failed)
			return d - d0;
		st_sleep_ms(100);
	}
}

TEST_F_TIMEOUT(demote, rewrite_during_demote_and_drain, 660)
{
	char high[16], low[16];
	char *wm_argv[] = { (char *)self->env.swapctl, "tier", "set", "ssd",
			    "--high", high, "--low", low, NULL };
	char *drain_argv[] = { (char *)self->env.swapctl, "tier", "drain",
			       NULL, "-q", NULL };
	struct rw_cfg cfg = {
		.cgroup = self->cg,
		.npages = RD_PAGES,
		.nwriters = RD_WRITERS,
		.seed = 0x7277746700000000ULL ^ ((uint64_t)getpid() << 16),
		.pageout_pct = 60,
		.hot_pages = 768,
		.hot_pct = 50,
	};
	struct rw rw = RW_INIT;
	struct rw_reclaimer rec = RW_RECLAIMER_INIT;
	struct st_snap s0, s1, s2, v0, v1;
	struct dstat d0, d1, a, b;
	struct rw_wstat wa, wb, wt;
	char out[OUT_LEN];
	long long cap, demoted;
	int round, rounds = 0, rc, status;
	int ssd_ok = 0, ssd_fail = 0, ssd_err = 0;
	int hdd_ok = 0, hdd_fail = 0, hdd_status = 0;
	long long sparse0, sparse_peak = 0, sparse1, sp;
	double t0, t, secs, run_s;

	snprintf(high, sizeof(high), "%d", RD_WM_HIGH);
	snprintf(low, sizeof(low), "%d", RD_WM_LOW);
	ASSERT_EQ(0, tier_debugfs_mount(out, sizeof(out))) TH_LOG("%s", out);
	sparse0 = st_read_ll(ST_SPARSE_PAGES);
	ASSERT_LE(0LL, sparse0) TH_LOG("%s unreadable: the swaptier kernel provides it",
				       ST_SPARSE_PAGES);
	two_backends(_metadata, self, RD_SSD_SIZE, 0, &s0);
	drain_argv[3] = self->be[1].dev;
	cap = s0.ssd.capacity;
	ASSERT_GT(cap, (long long)RD_PAGES) TH_LOG("the SSD must hold every page (the HDD's drain moves them there)");
	ASSERT_EQ(0, tier_write_ll(".", "demote_interval_ms", 100));
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "512K"));

	rc = rw_start(&rw, &cfg, ST_WORKER_TIMEOUT_S);
	self->bg[0].pid = rw.pid;	/* for the teardown */
	ASSERT_EQ(0, rc) TH_LOG("rewrite workload: %s: %s",
				rw.sh ? rw.sh->what : "", strerror(-rc));
	ksft_print_msg("workload: %d pages filled in %.1f s, %d writers, mlockall %s\n",
		       RD_PAGES, rw.sh->fill_secs, RD_WRITERS,
		       rw.sh->mlocked ? "ok" : "FAILED");
	st_push_out(self->cg, "32M", &s0, &s1);
	st_snap_print("pages out", &s0, &s1, true);
	ASSERT_GT(s1.ssd.used, (long long)RD_PAGES / 2)
		TH_LOG("only %lld of %d pages went to the SSD", s1.ssd.used,
		       RD_PAGES);

	dstat_take(_metadata, &d0);
	rc = rw_reclaimer_start(&rec, self->cg, "4M", 2000, 20);
	ASSERT_EQ(0, rc) TH_LOG("reclaimer: %s", strerror(-rc));
	self->bg[1].pid = rec.pid;
	rw_run(&rw);
	t0 = st_now();

	for (round = 0; round < RD_ROUNDS; round++) {
		long long dd, ds, dh;
		bool by_swapctl = round & 1;
		double t_dem, t_ssd, t_hdd;

		dstat_take(_metadata, &a);
		rw_totals(&rw, &wa);
		t = st_now();

		/* Demotion on: the worker moves the SSD's pages to the HDD. */
		if (by_swapctl) {
			rc = st_run(wm_argv, out, sizeof(out), SWAPCTL_TIMEOUT_S);
			ASSERT_EQ(0, rc) TH_LOG("swapctl tier set ssd --high %s --low %s: exit %d: %s",
						high, low, rc,
						st_oneline(out, sizeof(out)));
		} else {
			ASSERT_EQ(0, tier_wm_set("ssd", RD_WM_HIGH, RD_WM_LOW));
		}
		dd = rd_wait_demoted(&rw, a.ssd_demoted, cap);
		t_dem = st_now() - t;

		/* The SSD drained (sysfs), demotion still on. */
		rc = drain_write(self->be[0].dev, false, &t_ssd);
		if (rc) {
			ssd_fail++;
			ssd_err = -rc;
			drain_diag(_metadata, self, "ssd", "SSD drain failed");
		} else {
			ssd_ok++;
		}
		ds = tier_ll("ssd", "drained_pages") - a.ssd_drained;

		/* The HDD drained (swapctl) onto the SSD. */
		secs = st_now();
		status = st_run(drain_argv, out, sizeof(out), DRAIN_TIMEOUT_S);
		t_hdd = st_now() - secs;
		if (status) {
			hdd_fail++;
			hdd_status = status;
			ksft_print_msg("swapctl tier drain %s: exit %d: %s\n",
				       self->be[1].dev, status,
				       st_oneline(out, sizeof(out)));
			drain_diag(_metadata, self, "hdd", "HDD drain failed");
		} else {
			hdd_ok++;
		}
		dh = tier_ll("hdd", "drained_pages") - a.hdd_drained;

		/* Demotion off a while: reclaim refills the SSD. */
		ASSERT_EQ(0, tier_wm_set("ssd", 0, 0));
		rw_sweep(&rw);
		st_sleep_ms(RD_REFILL_MS);

		dstat_take(_metadata, &b);
		rw_totals(&rw, &wb);
		rounds++;
		sp = st_read_ll(ST_SPARSE_PAGES);
		if (sp > sparse_peak)
			sparse_peak = sp;
		ksft_print_msg("round %d at %.0f s: demotion on (%s) %.1f s, +%lld; SSD drain %s %.1f s, +%lld; HDD drain (swapctl) %s %.1f s, +%lld; round total: demoted +%lld, drained SSD +%lld HDD +%lld; SSD %lld HDD %lld used; writers +%llu touches, +%llu rewrites, +%llu not resident, %llu sweeps, %llu bad; reclaimer %llu writes\n",
			       round, st_now() - t0,
			       by_swapctl ? "swapctl" : "sysfs", t_dem, dd,
			       rc ? strerror(-rc) : "ok", t_ssd, ds,
			       status ? "FAILED" : "ok", t_hdd, dh,
			       b.ssd_demoted - a.ssd_demoted,
			       b.ssd_drained - a.ssd_drained,
			       b.hdd_drained - a.hdd_drained,
			       tier_ll("ssd", "used_pages"),
			       tier_ll("hdd", "used_pages"),
			       (unsigned long long)(wb.touches - wa.touches),
			       (unsigned long long)(wb.rewrites - wa.rewrites),
			       (unsigned long long)(wb.nonresident - wa.nonresident),
			       (unsigned long long)rw_sweeps(&rw),
			       (unsigned long long)rw.sh->bad_total,
			       (unsigned long long)rec.sh->calls);
		if (rw.sh->failed || !rw_alive(&rw) ||
		    st_now() - t0 >= RD_RUN_S)
			break;
	}
	run_s = st_now() - t0;

	ASSERT_EQ(0, tier_wm_set("ssd", 0, 0));
	rc = rw_stop(&rw, ST_WORKER_TIMEOUT_S);
	status = rw_reclaimer_stop(&rec, 30);
	self->bg[1].pid = -1;
	ASSERT_EQ(0, rc) TH_LOG("stopping the writers: %s", strerror(-rc));
	dstat_take(_metadata, &d1);
	rw_totals(&rw, &wt);
	st_snap_after_io(self->cg, &s1, &s2);
	st_snap_print("during the run", &s1, &s2, true);
	dstat_print("during the run", &d0, &d1);
	demoted = d1.ssd_demoted - d0.ssd_demoted;
	ksft_print_msg("%d rounds in %.1f s; drains: SSD %d ok %d failed, HDD %d ok %d failed\n",
		       rounds, run_s, ssd_ok, ssd_fail, hdd_ok, hdd_fail);
	ksft_print_msg("writers: %llu bursts, %llu touches, %llu pages checked, %llu rewritten, %llu touches of pages not in memory, %llu MADV_PAGEOUT, %llu sweeps, %llu errors, %llu bad pages\n",
		       (unsigned long long)wt.bursts,
		       (unsigned long long)wt.touches,
		       (unsigned long long)wt.verifies,
		       (unsigned long long)wt.rewrites,
		       (unsigned long long)wt.nonresident,
		       (unsigned long long)wt.pageouts,
		       (unsigned long long)wt.sweeps,
		       (unsigned long long)wt.errors,
		       (unsigned long long)rw.sh->bad_total);
	ksft_print_msg("reclaimer: %llu memory.reclaim writes (%llu complete, %llu EAGAIN, %llu budget hit, %llu other errors, last %s), status 0x%x\n",
		       (unsigned long long)rec.sh->calls,
		       (unsigned long long)rec.sh->ok,
		       (unsigned long long)rec.sh->again,
		       (unsigned long long)rec.sh->intr,
		       (unsigned long long)rec.sh->other,
		       rec.sh->last_err ? strerror(rec.sh->last_err) : "none",
		       status);
	EXPECT_EQ(0, ssd_fail) TH_LOG("%d of %d drains of the SSD failed, the last with %s",
				      ssd_fail, ssd_fail + ssd_ok,
				      strerror(ssd_err));
	EXPECT_EQ(0, hdd_fail) TH_LOG("%d of %d drains of the HDD (swapctl) failed, the last with exit %d",
				      hdd_fail, hdd_fail + hdd_ok, hdd_status);

	/* Every byte of every page, during the run and after it. */
	rd_assert_intact(_metadata, "while demoting and draining",
			 rw.sh->bad_total, rw.sh->bad);
	ASSERT_TRUE(rw_alive(&rw)) TH_LOG("the workload died");
	rc = rw_check(&rw, RD_CHECK_TIMEOUT_S);
	ASSERT_EQ(0, rc) TH_LOG("check: %s: %s", rw.sh->what, strerror(-rc));
	ksft_print_msg("check where the pages are: %lld of %d resident, %.1f s, %llu bad\n",
		       (long long)rw.sh->check_resident, RD_PAGES,
		       rw.sh->check_secs,
		       (unsigned long long)rw.sh->check_bad);
	rd_assert_intact(_metadata, "check in place", rw.sh->check_bad,
			 rw.sh->check);

	/* Out again: the check then reads what zswap and the back ends hold. */
	tier_writes_wait(10000);
	cg_reclaim(self->cg, "64M", RECLAIM_LONG_MS, NULL);
	tier_writes_wait(10000);
	cg_reclaim(self->cg, "64M", RECLAIM_SHORT_MS, NULL);
	tier_writes_wait(10000);
	st_snap_take(self->cg, 0, &v0);
	rc = rw_check(&rw, RD_CHECK_TIMEOUT_S);
	ASSERT_EQ(0, rc) TH_LOG("check: %s: %s", rw.sh->what, strerror(-rc));
	st_snap_after_io(self->cg, &v0, &v1);
	ksft_print_msg("check after eviction: %lld of %d resident, %.1f s, %llu bad\n",
		       (long long)rw.sh->check_resident, RD_PAGES,
		       rw.sh->check_secs,
		       (unsigned long long)rw.sh->check_bad);
	st_snap_print("checked after eviction", &v0, &v1, true);
	rd_assert_intact(_metadata, "check after eviction", rw.sh->check_bad,
			 rw.sh->check);
	ASSERT_LT(rw.sh->check_resident, (long long)RD_PAGES / 2)
		TH_LOG("%lld of %d pages still resident after eviction: the check did not read the back ends",
		       (long long)rw.sh->check_resident, RD_PAGES);
	ASSERT_EQ(0LL, v1.ssd.read_errors - v0.ssd.read_errors +
		       v1.hdd.read_errors - v0.hdd.read_errors);

	/* It did what it is about. */
	ASSERT_GE(rounds, 2) TH_LOG("only %d rounds of demotion and drains in %.0f s",
				    rounds, run_s);
	ASSERT_GT(demoted, 0LL)
		TH_LOG("no demotion while the pages were rewritten: the SSD's demoted_pages did not move");
	ASSERT_GT(d1.ssd_drained - d0.ssd_drained, 0LL)
		TH_LOG("the SSD's drains moved nothing (drained_pages)");
	ASSERT_GT(d1.hdd_drained - d0.hdd_drained, 0LL)
		TH_LOG("the HDD's drains moved nothing (drained_pages)");
	ASSERT_GT(ssd_ok, 0) TH_LOG("no drain of the SSD succeeded");
	ASSERT_GT(hdd_ok, 0) TH_LOG("no drain of the HDD succeeded");
	/*
	 * A quarter of the pages: the sweeps after each round fault every
	 * page back and take most of a round on a slow (emulated) machine.
	 */
	ASSERT_GE(wt.rewrites, (uint64_t)RD_PAGES / 4)
		TH_LOG("the writers rewrote only %llu pages",
		       (unsigned long long)wt.rewrites);
	ASSERT_GE(wt.nonresident, 256ULL)
		TH_LOG("only %llu touches of pages that were not in memory: nothing was swapped in",
		       (unsigned long long)wt.nonresident);
	ASSERT_GT(s2.g_pswpin - s1.g_pswpin, 0LL)
		TH_LOG("no page was read back from a back end during the run");
	ASSERT_GE(rw_sweeps(&rw), 1ULL) TH_LOG("a writer never swept its pages");
	ASSERT_GT(rec.sh->calls, 0ULL) TH_LOG("the reclaimer never ran");
	ASSERT_EQ(0ULL, (unsigned long long)wt.errors)
		TH_LOG("madvise(MADV_PAGEOUT) or mincore() failed in the writers");

	rw_exit(&rw, 10);
	self->bg[0].pid = -1;

	/* No cluster's metadata outlives its entries. */
	sparse1 = st_sparse_settle(self->cg, sparse0, 10000);
	ksft_print_msg("ghost metadata pages: %lld before the workload, at most %lld at the end of a round, %lld after it exited\n",
		       sparse0, sparse_peak, sparse1);
	ASSERT_GT(sparse_peak, sparse0)
		TH_LOG("the ghost's metadata never grew: the workload did not use it");
	ASSERT_LE(sparse1 - sparse0, (long long)ST_SPARSE_SLOT_CACHE_PAGES)
		TH_LOG("%lld pages of ghost metadata outlived the workload's entries",
		       sparse1 - sparse0);
}

TEST_HARNESS_MAIN
