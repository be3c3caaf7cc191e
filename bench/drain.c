// SPDX-License-Identifier: GPL-2.0
/*
 * drain: how long it takes to empty a swap device of N pages, the stock way
 * (swapoff(2): a walk of every page table, each page read back into
 * memory) and the swaptier ways (the back end's pages move to a slower back
 * end, page tables untouched), in one boot of the swaptier kernel.  Runs in
 * a guest of bench/run (--modes drain).
 *
 *   drain [--pages N] [--reps R] [--first stock|swaptier]
 *
 * Cases, each from scratch (fresh swap set-up, fresh worker):
 *   stock_swapoff    the SSD disk is an ordinary swap device (mkswap,
 *                    swapon(2) without flags, no ghost); time
 *                    swapoff(SSD).
 *   drain            ghost swapfile front end, SSD disk as back end of tier
 *                    ssd, HDD disk as back end of tier hdd; time the write
 *                    of the SSD's path to /sys/kernel/mm/swap_tier/drain
 *                    (returns once every page has left the SSD).
 *   backend_swapoff  the same set-up; time swapoff(SSD), which drains the
 *                    back end the same way first, then deactivates it.
 * In every case a worker in a fresh memory cgroup with memory.zswap.max=0
 * fills N incompressible canary pages (zswap refuses them: they go straight
 * to the SSD, as ordinary swap or as the back end), memory.reclaim pushes
 * them out (two passes, the second for the folios the first left in the
 * swap cache while their writes completed), then the timed operation runs,
 * then every byte of every page is verified (read back from memory, or the
 * HDD).  The HDD has room for all of them: a drain moves them there.  The
 * ssd tier's watermark demotion is off meanwhile (high_watermark_pct 0,
 * restored at the end), so that only the timed operation moves pages.
 *
 * Order: with --first stock, repetition 1 runs stock_swapoff, drain,
 * backend_swapoff; repetition 2 the reverse, and so on alternating;
 * --first swaptier starts with the reverse.
 *
 * Prints one JSON object per case and repetition on stdout:
 *   {"bench":"drain","rep":R,"case":"...","pages":N,"swapped":S,
 *    "dev_pages":D,"moved":M,"seconds":T,"cpu_s":C,"pages_per_s":S/T,
 *    "left":L,"hdd_pages":H,"resident_after":A,"verify_s":V,"bad_pages":0}
 * swapped: pages of the worker out of memory (mincore) before the timed
 * operation, the figure the rate uses; dev_pages: pages in use on the SSD
 * then (/proc/swaps Used; tier ssd used_pages); moved: pages the operation
 * took off the SSD (stock: dev_pages, all of them were read back;
 * swaptier: the rise of /sys/kernel/mm/swap_tier/ssd/drained_pages); left:
 * pages on the SSD after a drain (0 after a swapoff); hdd_pages: tier hdd
 * used_pages after the operation (-1 for stock); resident_after: worker
 * pages mincore() reports resident after the operation, swap cache included
 * (stock: all of them; after a drain, the folios it moved the data through
 * that reclaim has not freed yet); cpu_s: CPU time of the calling process
 * during the operation (it runs in the caller's context; the rest of
 * seconds is waiting, mostly for I/O).
 *
 * Exit 0, or 1 with the reason on stderr: a set-up step failed, fewer than
 * 90% of the pages were swapped out, the operation failed or left pages on
 * the SSD, or a page did not come back intact.  Times are wall-clock in the
 * guest (QEMU TCG): compare them with each other, within the run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/swap.h>
#include <sys/time.h>
#include <unistd.h>

#include "bench.h"
#include "swaptest.h"

#define GHOST_SIZE	"1G"
#define WORKER_TIMEOUT_S 900
#define RECLAIM_MS	300000
/* The timed operation: a signal ends it (EINTR) after this long. */
#define OP_BUDGET_MS	1200000
#define SSD_HIGH_WMARK	TIER_SYSFS "/ssd/high_watermark_pct"
/* Pages the per-CPU swap slot caches may hold on a device. */
#define SLOT_SLACK	256

enum bcase { CASE_STOCK, CASE_DRAIN, CASE_BSWAPOFF, NR_CASES };

static const char *const case_name[NR_CASES] = {
	[CASE_STOCK] = "stock_swapoff",
	[CASE_DRAIN] = "drain",
	[CASE_BSWAPOFF] = "backend_swapoff",
};

static void usage(void)
{
	fprintf(stderr, "usage: drain [--pages N] [--reps R] [--first stock|swaptier]\n");
}

static volatile sig_atomic_t op_alarm;

static void op_alarm_handler(int sig)
{
	(void)sig;
	op_alarm = 1;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/*
 * Run the timed operation: swapoff(dev), or (drain) the write of dev to
 * DRAIN_FILE.  A SIGALRM after OP_BUDGET_MS interrupts it (no SA_RESTART).
 * 0 or -errno; *secs gets the wall-clock time, *cpu the CPU time of this
 * process meanwhile (both operations run in the caller's context: the rest
 * of *secs is waiting, mostly for I/O).
 */
static int timed_op(bool drain, const char *dev, double *secs, double *cpu)
{
	struct sigaction sa = { .sa_handler = op_alarm_handler }, old;
	struct itimerval it = { { 0, 0 }, { OP_BUDGET_MS / 1000, 0 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	double t0, c0;
	int rc;

	sigemptyset(&sa.sa_mask);
	op_alarm = 0;
	sigaction(SIGALRM, &sa, &old);
	setitimer(ITIMER_REAL, &it, NULL);
	c0 = cpu_seconds();
	t0 = st_now();
	if (drain)
		rc = st_write_file(DRAIN_FILE, dev);
	else
		rc = swapoff(dev) ? -errno : 0;
	*secs = st_now() - t0;
	*cpu = cpu_seconds() - c0;
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	return rc;
}

/* Wait until no swap write is in flight (Writeback: 0) or 30 s. */
static void io_settle(void)
{
	double deadline = st_now() + 30;

	while (meminfo_kb("Writeback") > 0 && st_now() < deadline)
		st_sleep_ms(200);
}

static long long tier_number(const char *tier, const char *file)
{
	char p[PATH_MAX], buf[64];

	snprintf(p, sizeof(p), TIER_SYSFS "/%s/%s", tier, file);
	if (st_read_file(p, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

static int mkswap(const char *dev)
{
	char out[4096];
	char *argv[] = { "mkswap", "-f", (char *)dev, NULL };
	int rc = st_run(argv, out, sizeof(out), 60);

	if (rc)
		fprintf(stderr, "drain: mkswap %s: %s\n", dev,
			st_oneline(out, sizeof(out)));
	return rc ? -1 : 0;
}

struct setup {
	char ghost[PATH_MAX];	/* "" for the stock set-up */
	struct st_backend ssd, hdd;
	bool stock_on;		/* the SSD is on as an ordinary swap device */
};

static int swap_setup(const struct st_env *env, bool stock, struct setup *s)
{
	char out[4096];
	int rc;

	memset(s, 0, sizeof(*s));
	if (stock) {
		if (mkswap(env->ssd))
			return -1;
		if (swapon(env->ssd, 0)) {
			fprintf(stderr, "drain: swapon %s: %s\n", env->ssd,
				strerror(errno));
			return -1;
		}
		s->stock_on = true;
		return 0;
	}
	snprintf(s->ghost, sizeof(s->ghost), "%s/bench-drain-ghost",
		 env->scratch);
	unlink(s->ghost);
	rc = st_swapctl_ghost_create(env, s->ghost, GHOST_SIZE, NULL, out,
				     sizeof(out));
	if (rc) {
		fprintf(stderr, "drain: swapctl ghost create: %s\n",
			st_oneline(out, sizeof(out)));
		return -1;
	}
	if (swapon(s->ghost, 0)) {
		fprintf(stderr, "drain: swapon %s: %s\n", s->ghost,
			strerror(errno));
		return -1;
	}
	rc = st_backend_setup(env, &s->ssd, "drain", env->ssd, 0, 0, "ssd",
			      out, sizeof(out));
	if (!rc)
		rc = st_backend_setup(env, &s->hdd, "drain", env->hdd, 0, 0,
				      "hdd", out, sizeof(out));
	if (rc) {
		fprintf(stderr, "drain: back end: %d: %s\n", rc,
			st_oneline(out, sizeof(out)));
		return -1;
	}
	return 0;
}

static void swap_teardown(const struct st_env *env, struct setup *s)
{
	if (s->stock_on && swaps_find(env->ssd, NULL) > 0 && swapoff(env->ssd))
		fprintf(stderr, "drain: teardown: swapoff %s: %s\n", env->ssd,
			strerror(errno));
	bench_tiers_teardown("drain", s->ghost, &s->ssd, &s->hdd);
	memset(s, 0, sizeof(*s));
}

/*
 * One case: set up, fill and swap out npages, time the operation, verify.
 * Prints the JSON object; 0 or -1.
 */
static int run_case(const struct st_env *env, enum bcase c, size_t npages,
		    int rep)
{
	const bool stock = c == CASE_STOCK;
	const long long ps_kb = (long long)st_page_size() / 1024;
	struct worker w = WORKER_INIT;
	struct worker_cfg cfg = { 0 };
	struct worker_resp ready, r;
	struct swaps_row row;
	struct setup s;
	char cg[PATH_MAX] = "", amount[32];
	long long swapped, dev_pages, drained0 = -1, moved, left = 0;
	long long hdd_pages = -1, zswapped;
	double secs, cpu;
	int rc, ret = -1;

	if (swap_setup(env, stock, &s))
		goto out;
	rc = cg_create("drain", cg, sizeof(cg));
	if (rc) {
		fprintf(stderr, "drain: creating a cgroup: %s\n", strerror(-rc));
		cg[0] = '\0';
		goto out;
	}
	/* zswap refuses every page: all of them go to the SSD. */
	if (cg_write(cg, "memory.zswap.max", "0")) {
		fprintf(stderr, "drain: %s/memory.zswap.max: cannot set\n", cg);
		goto out;
	}
	cfg.cgroup = cg;
	cfg.npages = npages;
	cfg.kind = CANARY_INCOMPRESSIBLE;
	cfg.seed = 0xd4a1000000000000ULL ^ ((uint64_t)rep << 8) ^ c;
	cfg.mlock_rest = true;
	rc = worker_start(&w, &cfg, &ready, WORKER_TIMEOUT_S);
	if (rc) {
		fprintf(stderr, "drain: worker: %s: %s\n", ready.what,
			strerror(-rc));
		goto out;
	}

	snprintf(amount, sizeof(amount), "%zuK", npages * st_page_size() / 1024);
	cg_reclaim(cg, amount, RECLAIM_MS, NULL);
	io_settle();
	/* Written folios leave the swap cache on the next pass. */
	cg_reclaim(cg, amount, RECLAIM_MS, NULL);
	io_settle();
	if (!stock) {
		tier_writes_wait(30000);
		/* Slots parked in the per-CPU caches would count as used. */
		st_swap_slots_drain(env);
	}
	rc = worker_request(&w, WORKER_MINCORE, &r, WORKER_TIMEOUT_S);
	if (rc) {
		fprintf(stderr, "drain: mincore: %s\n", strerror(-rc));
		goto out;
	}
	swapped = (long long)npages - r.resident;
	zswapped = cg_stat(cg, "zswapped");
	if (swapped < (long long)npages * 9 / 10) {
		fprintf(stderr, "drain: %s: only %lld of %zu pages swapped out\n",
			case_name[c], swapped, npages);
		goto out;
	}
	if (zswapped > 0)
		fprintf(stderr, "drain: %s: %lld bytes in zswap despite memory.zswap.max=0\n",
			case_name[c], zswapped);
	if (stock) {
		if (swaps_find(env->ssd, &row) != 1) {
			fprintf(stderr, "drain: %s not in /proc/swaps\n", env->ssd);
			goto out;
		}
		dev_pages = row.used_kb / ps_kb;
	} else {
		dev_pages = tier_number("ssd", "used_pages");
		drained0 = tier_number("ssd", "drained_pages");
	}

	rc = timed_op(c == CASE_DRAIN, env->ssd, &secs, &cpu);
	if (rc) {
		fprintf(stderr, "drain: %s: %s %s: %s after %.1f s\n",
			case_name[c], c == CASE_DRAIN ? "write to " DRAIN_FILE
						      : "swapoff",
			env->ssd, strerror(-rc), secs);
		goto out;
	}
	if (stock) {
		s.stock_on = false;
		moved = dev_pages;
	} else {
		long long drained1 = tier_number("ssd", "drained_pages");

		if (c == CASE_BSWAPOFF)
			s.ssd.active = false;
		moved = drained0 >= 0 && drained1 >= 0 ? drained1 - drained0 : -1;
		if (c == CASE_DRAIN)
			left = tier_number("ssd", "used_pages");
		hdd_pages = tier_number("hdd", "used_pages");
	}
	if (swaps_find(env->ssd, &row) == 1 && c != CASE_DRAIN) {
		fprintf(stderr, "drain: %s: %s still in /proc/swaps after swapoff\n",
			case_name[c], env->ssd);
		goto out;
	}
	if (left > SLOT_SLACK) {
		fprintf(stderr, "drain: %s: %lld pages still on the SSD (it held %lld)\n",
			case_name[c], left, dev_pages);
		goto out;
	}
	if (moved >= 0 && moved + SLOT_SLACK < dev_pages) {
		fprintf(stderr, "drain: %s: ssd drained_pages rose by %lld, the SSD held %lld\n",
			case_name[c], moved, dev_pages);
		goto out;
	}

	rc = worker_request(&w, WORKER_CHECK, &r, WORKER_TIMEOUT_S);
	if (rc || r.bad_pages) {
		fprintf(stderr, "drain: %s: verify: %s, %llu bad pages (first %llu, offset %llu: expected 0x%02x found 0x%02x)\n",
			case_name[c], rc ? strerror(-rc) : "done",
			(unsigned long long)r.bad_pages,
			(unsigned long long)r.first_bad_page,
			(unsigned long long)r.first_bad_off, r.expected,
			r.actual);
		goto out;
	}
	fprintf(stderr, "drain: rep %d %s: %lld pages in %.3f s (%.0f pages/s, CPU %.3f s), verified\n",
		rep, case_name[c], swapped, secs, secs > 0 ? swapped / secs : 0,
		cpu);
	printf("{\"bench\":\"drain\",\"rep\":%d,\"case\":\"%s\",\"pages\":%zu,"
	       "\"swapped\":%lld,\"dev_pages\":%lld,\"moved\":%lld,"
	       "\"seconds\":%.3f,\"cpu_s\":%.3f,\"pages_per_s\":%.1f,"
	       "\"left\":%lld,\"hdd_pages\":%lld,\"resident_after\":%lld,"
	       "\"verify_s\":%.3f,\"bad_pages\":%llu}\n",
	       rep, case_name[c], npages, swapped, dev_pages, moved, secs, cpu,
	       secs > 0 ? swapped / secs : 0.0, left, hdd_pages,
	       (long long)r.resident, r.seconds,
	       (unsigned long long)r.bad_pages);
	fflush(stdout);
	ret = 0;
out:
	worker_stop(&w);
	if (cg[0])
		cg_destroy(cg);
	swap_teardown(env, &s);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "pages", required_argument, NULL, 'n' },
		{ "reps", required_argument, NULL, 'r' },
		{ "first", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	static const enum bcase fwd[] = { CASE_STOCK, CASE_DRAIN, CASE_BSWAPOFF };
	size_t npages = 16384;
	bool stock_first = true;
	struct st_env env;
	char wmark[32] = "";
	long reps = 1;
	int c, rep, ret = 0;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			npages = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			reps = strtol(optarg, NULL, 0);
			break;
		case 'f':
			if (!strcmp(optarg, "stock"))
				stock_first = true;
			else if (!strcmp(optarg, "swaptier"))
				stock_first = false;
			else
				reps = 0;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (optind != argc || !npages || reps < 1) {
		usage();
		return 2;
	}

	if (bench_tiers_ready("drain", &env))
		return 1;

	/* Nothing but the timed operation moves pages between the tiers. */
	if (st_read_file(SSD_HIGH_WMARK, wmark, sizeof(wmark)) > 0) {
		st_rstrip(wmark);
		if (st_write_file(SSD_HIGH_WMARK, "0")) {
			fprintf(stderr, "drain: cannot write 0 to %s\n",
				SSD_HIGH_WMARK);
			return 1;
		}
	}

	for (rep = 1; rep <= reps; rep++) {
		/* Alternate: odd repetitions in the --first order. */
		bool forward = stock_first == (rep % 2 == 1);
		unsigned int i;

		for (i = 0; i < ST_ARRAY_SIZE(fwd); i++) {
			enum bcase bc = fwd[forward ? i : ST_ARRAY_SIZE(fwd) - 1 - i];

			if (run_case(&env, bc, npages, rep))
				ret = 1;
		}
	}
	if (wmark[0] && st_write_file(SSD_HIGH_WMARK, wmark))
		fprintf(stderr, "drain: cannot restore %s to %s\n",
			SSD_HIGH_WMARK, wmark);
	return ret;
}
