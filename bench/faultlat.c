// SPDX-License-Identifier: GPL-2.0
/*
 * faultlat: the latency of a fault on a page whose data is being moved
 * between back ends, against the latency of the same kind of fault when
 * nothing moves, in one boot of the swaptier kernel.  Runs in a guest of
 * bench/run (--modes faultlat).
 *
 *   faultlat [--pages N] [--reps R] [--move drain|demote] [--order random|seq]
 *
 * Defaults: 2048 pages, 8 repetitions, drain, random order.
 *
 * The copy path of a demotion or drain claims up to a batch of ghost entries
 * (SWAP_HAS_CACHE) across one read and one write round trip; a task faulting
 * on a claimed entry waits in __read_swap_cache_async() (one jiffy at a time)
 * until the claim is released.  This measures what that costs the faulting
 * task.
 *
 * Set-up (once): ghost swapfile front end, the SSD disk as back end of tier
 * ssd, the HDD disk as back end of tier hdd; the ssd tier's watermark
 * demotion off (high_watermark_pct 0) except while a demotion is measured;
 * vm.page-cluster 0 (no swap readahead: every first touch of a swapped-out
 * page is a fault that reads that one page); a trace instance recording the
 * swap_tier_move, _drain_{begin,end} and _demote_{begin,end} events with
 * the "mono" clock (CLOCK_MONOTONIC, as the fault times).  All restored at
 * the end.
 *
 * A worker process in a fresh memory cgroup with memory.zswap.max=0
 * (everything but its fresh area mlocked) maps N incompressible canary
 * pages; memory.reclaim (two passes) puts them on the SSD.  Then, one thread,
 * in a random order (--order seq: ascending addresses), it reads one byte of
 * each page with clock_gettime(CLOCK_MONOTONIC) before and after: one fault
 * each.  Pages whose page table entry was not a swap entry just before
 * (/proc/self/pagemap) are not counted ("resident").  Then every byte of
 * every page it touched is verified.  Phases:
 *   idle    nothing moves while the N pages are faulted in;
 *   moving  a drain of the SSD back end (the SSD's path written to
 *           /sys/kernel/mm/swap_tier/drain; its pages go to the HDD), or
 *           with --move demote a watermark demotion ssd -> hdd of every
 *           page (ssd low_watermark_pct 0, high_watermark_pct 1), starts
 *           and the worker faults the pages in meanwhile, until 1 s after
 *           the move ended (or all N are in).
 * Each repetition runs both phases on a fresh area, idle first in odd
 * repetitions, moving first in even ones.
 *
 * Classes of the moving phase's faults:
 *   moving   faults that ran while the move ran (the move window - drain:
 *            from the write to its return; demote: from the
 *            swap_tier_demote_begin event to _end);
 *   claimed  of those, faults during which the data of their page's ghost
 *            entry moved (its swap_tier_move event, matched on the entry
 *            pagemap gave, falls between the two clock_gettime calls):
 *            the page was being moved when it was faulted, and the fault
 *            found the entry claimed (or, on the folio path, locked);
 *   after    faults that started after the move ended (nothing moves; the
 *            data is on the HDD, or still on the SSD after a demotion);
 *   all      every fault of the moving phase.
 * The number of claimed faults per move depends little on N (roughly the
 * batch size over the pages the move does in the time of one fault): more
 * repetitions, not more pages, give more of them.  Latencies in
 * microseconds; p50/p90/p99 are nearest-rank percentiles.
 *
 * Prints one JSON object per repetition and phase on stdout, then one per
 * phase pooled over the repetitions ("rep":0,"pooled":true; counts and
 * seconds summed):
 *   {"bench":"faultlat","rep":R,"pooled":false,"move":"drain","phase":"idle",
 *    "pages":N,"order":"random","resident":S,"faults":F,"p50_us":..,
 *    "p90_us":..,"p99_us":..,"max_us":..,"mean_us":..,"seconds":T,
 *    "bad_pages":0}
 * The moving phase's top-level figures are those of its "moving" class and
 * it adds "move_s" (window), "moved" (rise of the ssd tier's drained_pages
 * or demoted_pages), "move_events" (swap_tier_move events seen, -1 without
 * tracing), "already_moved" (moving-class faults of pages whose data had
 * moved before the fault started, -1 without tracing), and objects "all",
 * "claimed", "after", each {"n","p50_us","p90_us","p99_us","max_us",
 * "mean_us"} (claimed n is -1 without tracing).
 *
 * Exit 0, or 1 with the reason on stderr: a set-up step failed, fewer than
 * 90% of the pages were on the SSD before a phase, the move failed or left
 * pages on the SSD, a page did not come back intact.  Times are wall-clock
 * in the guest (QEMU TCG): compare them with each other, within the run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "swaptest.h"

#define GHOST_SIZE	"1G"
#define RECLAIM_MS	300000
#define WORKER_TIMEOUT_S 900
#define SSD_HIGH_WMARK	TIER_SYSFS "/ssd/high_watermark_pct"
#define SSD_LOW_WMARK	TIER_SYSFS "/ssd/low_watermark_pct"
#define PAGE_CLUSTER	"/proc/sys/vm/page-cluster"
#define TRACE_INSTANCE	"swaptier-faultlat"
/* Pages the per-CPU swap slot caches may hold on a device. */
#define SLOT_SLACK	256
/* How long a demotion may take to begin and to end. */
#define DEMOTE_WAIT_S	300
/* After the move, the worker keeps faulting this long (the "after" class). */
#define AFTER_MS	1000

/* pagemap: bit 62 swapped, bits 0-4 swap type, 5-54 offset. */
#define PM_SWAP		(1ULL << 62)
#define PM_FRAME_MASK	((1ULL << 55) - 1)
#define PM_SWAP_TYPE_BITS 5
/* swp_entry_t.val = type << SWP_TYPE_SHIFT | offset (include/linux/swapops.h) */
#define SWP_TYPE_SHIFT	58

enum phase { PH_IDLE, PH_MOVING, NR_PHASES };
static const char *const phase_name[NR_PHASES] = { "idle", "moving" };

enum move_kind { MOVE_DRAIN, MOVE_DEMOTE };
static const char *const move_name[] = { "drain", "demote" };

/* Per page, in memory shared with the worker. */
struct fault_rec {
	int64_t t0, t1;		/* CLOCK_MONOTONIC ns around the touch, 0: none */
};

struct shared {
	size_t npages;
	uint64_t *order;	/* page indices in touch order */
	uint64_t *pagemap;	/* the worker's pagemap entries of the area */
	struct fault_rec *rec;
	volatile uint32_t *stop; /* set: the worker stops faulting */
};

enum cmd_op { CMD_FILL = 1, CMD_FAULT, CMD_EXIT };

struct cmd {
	int32_t op;
	uint64_t seed;
};

struct resp {
	int32_t err;		/* 0 or errno */
	char what[64];
	uint64_t bad_pages, first_bad;
	uint64_t touched;	/* pages the fault loop touched */
	double seconds;		/* the fault loop */
};

struct fworker {
	pid_t pid;
	int cmd_fd, resp_fd;
};

static void usage(void)
{
	fprintf(stderr, "usage: faultlat [--pages N] [--reps R] [--move drain|demote] [--order random|seq]\n");
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Read len bytes; timeout_s < 0 waits forever.  0 or -errno. */
static int read_all(int fd, void *buf, size_t len, int timeout_s)
{
	char *p = buf;
	double deadline = st_now() + timeout_s;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int ms = -1;
		ssize_t n;

		if (timeout_s >= 0) {
			double left = deadline - st_now();

			if (left <= 0)
				return -ETIMEDOUT;
			ms = (int)(left * 1000) + 1;
		}
		n = poll(&pfd, 1, ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ---- the worker: owns the area, faults it in ---- */

static void __attribute__((noreturn))
fworker_main(const char *cg, struct shared *sh, int cmd_fd, int resp_fd)
{
	const size_t ps = st_page_size(), len = sh->npages * ps;
	static unsigned char expect[65536];
	unsigned char *area = NULL;
	uint64_t seed = 0;
	struct resp r;
	int pm_fd, err;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(1);
	memset(&r, 0, sizeof(r));
	err = cg_enter(cg, 0);
	if (err) {
		r.err = -err;
		snprintf(r.what, sizeof(r.what), "join cgroup");
	}
	/* pagemap gives swap entries only to CAP_SYS_ADMIN, from open on. */
	pm_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (!r.err && pm_fd < 0) {
		r.err = errno;
		snprintf(r.what, sizeof(r.what), "open /proc/self/pagemap");
	}
	/* Everything but the areas mapped below stays in memory. */
	if (!r.err && mlockall(MCL_CURRENT)) {
		r.err = errno;
		snprintf(r.what, sizeof(r.what), "mlockall");
	}
	if (write_all(resp_fd, &r, sizeof(r)) || r.err)
		_exit(1);

	if (ps > sizeof(expect))
		_exit(1);
	for (;;) {
		struct cmd c;
		size_t k;

		if (read_all(cmd_fd, &c, sizeof(c), -1))
			_exit(1);
		memset(&r, 0, sizeof(r));
		switch (c.op) {
		case CMD_FILL:
			/* A fresh area: the old one's swap entries are freed. */
			if (area)
				munmap(area, len);
			area = mmap(NULL, len, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (area == MAP_FAILED) {
				area = NULL;
				r.err = errno;
				snprintf(r.what, sizeof(r.what), "mmap");
				break;
			}
			if (madvise(area, len, MADV_NOHUGEPAGE) && errno != EINVAL) {
				r.err = errno;
				snprintf(r.what, sizeof(r.what), "madvise(MADV_NOHUGEPAGE)");
				break;
			}
			seed = c.seed;
			canary_fill(area, sh->npages, ps, seed,
				    CANARY_INCOMPRESSIBLE);
			break;
		case CMD_FAULT: {
			off_t off;
			int64_t t0;

			if (!area) {
				r.err = EINVAL;
				snprintf(r.what, sizeof(r.what), "no area");
				break;
			}
			off = (off_t)((uintptr_t)area / ps) * 8;
			if (pread(pm_fd, sh->pagemap, sh->npages * 8, off) !=
			    (ssize_t)(sh->npages * 8)) {
				r.err = errno ? errno : EIO;
				snprintf(r.what, sizeof(r.what), "read pagemap");
				break;
			}
			t0 = now_ns();
			for (k = 0; k < sh->npages && !*sh->stop; k++) {
				size_t i = sh->order[k];
				volatile unsigned char *p = area + i * ps;
				struct fault_rec *f = &sh->rec[i];

				f->t0 = now_ns();
				(void)*p;
				f->t1 = now_ns();
			}
			r.seconds = (now_ns() - t0) / 1e9;
			r.touched = k;
			/*
			 * Every byte of the pages touched (the others are
			 * dropped with the area; bench/drain.c verifies
			 * whole drains).
			 */
			while (k--) {
				size_t i = sh->order[k];

				canary_page(expect, ps, seed,
					    CANARY_INCOMPRESSIBLE, i);
				if (memcmp(expect, area + i * ps, ps) &&
				    !r.bad_pages++)
					r.first_bad = i;
			}
			break;
		}
		case CMD_EXIT:
			_exit(0);
		default:
			r.err = EINVAL;
			snprintf(r.what, sizeof(r.what), "unknown op %d", c.op);
		}
		if (write_all(resp_fd, &r, sizeof(r)))
			_exit(1);
	}
}

static int fworker_start(struct fworker *w, const char *cg, struct shared *sh)
{
	int cmd[2], resp[2], rc;
	struct resp r;

	signal(SIGPIPE, SIG_IGN);
	if (pipe2(cmd, O_CLOEXEC))
		return -errno;
	if (pipe2(resp, O_CLOEXEC)) {
		close(cmd[0]);
		close(cmd[1]);
		return -errno;
	}
	fflush(NULL);
	w->pid = fork();
	if (w->pid < 0) {
		rc = -errno;
		close(cmd[0]);
		close(cmd[1]);
		close(resp[0]);
		close(resp[1]);
		return rc;
	}
	if (w->pid == 0) {
		close(cmd[1]);
		close(resp[0]);
		fworker_main(cg, sh, cmd[0], resp[1]);
	}
	close(cmd[0]);
	close(resp[1]);
	w->cmd_fd = cmd[1];
	w->resp_fd = resp[0];
	rc = read_all(w->resp_fd, &r, sizeof(r), 60);
	if (!rc && r.err) {
		fprintf(stderr, "faultlat: worker: %s: %s\n", r.what,
			strerror(r.err));
		rc = -r.err;
	}
	return rc;
}

static int fworker_request(struct fworker *w, int op, uint64_t seed,
			   struct resp *r)
{
	struct cmd c = { .op = op, .seed = seed };
	int rc;

	memset(r, 0, sizeof(*r));
	if (write_all(w->cmd_fd, &c, sizeof(c)))
		return -EPIPE;
	rc = read_all(w->resp_fd, r, sizeof(*r), WORKER_TIMEOUT_S);
	if (!rc && r->err) {
		fprintf(stderr, "faultlat: worker: %s: %s\n", r->what,
			strerror(r->err));
		rc = -r->err;
	}
	return rc;
}

static void fworker_stop(struct fworker *w)
{
	struct cmd c = { .op = CMD_EXIT };
	int i;

	if (w->pid <= 0)
		return;
	if (write_all(w->cmd_fd, &c, sizeof(c)) == 0) {
		for (i = 0; i < 100; i++) {
			if (waitpid(w->pid, NULL, WNOHANG) == w->pid)
				goto done;
			st_sleep_ms(50);
		}
	}
	kill(w->pid, SIGKILL);
	waitpid(w->pid, NULL, 0);
done:
	close(w->cmd_fd);
	close(w->resp_fd);
	w->pid = -1;
}

/* ---- tracing: swap_tier_move events with CLOCK_MONOTONIC times ---- */

static char trace_dir[256];	/* the instance, "" without tracing */
static bool trace_mounted;	/* we mounted tracefs at /sys/kernel/tracing */

static int trace_write(const char *file, const char *val)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", trace_dir, file);
	return st_write_file(p, val);
}

static void trace_teardown(void)
{
	if (!trace_dir[0])
		return;
	trace_write("tracing_on", "0");
	trace_write("events/swap_tier/enable", "0");
	if (rmdir(trace_dir))
		fprintf(stderr, "faultlat: rmdir %s: %s\n", trace_dir,
			strerror(errno));
	trace_dir[0] = '\0';
	if (trace_mounted && umount("/sys/kernel/tracing"))
		fprintf(stderr, "faultlat: umount /sys/kernel/tracing: %s\n",
			strerror(errno));
	trace_mounted = false;
}

/* A trace instance for our events; false (and a message) if none. */
static bool trace_setup(void)
{
	static const char *const events[] = {
		"swap_tier_move", "swap_tier_drain_begin", "swap_tier_drain_end",
		"swap_tier_demote_begin", "swap_tier_demote_end",
	};
	const char *root = NULL;
	char p[PATH_MAX];
	unsigned int i;

	if (!access("/sys/kernel/tracing/instances", F_OK))
		root = "/sys/kernel/tracing";
	else if (!mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL)) {
		root = "/sys/kernel/tracing";
		trace_mounted = true;
	}
	else if (!access("/sys/kernel/debug/tracing/instances", F_OK))
		root = "/sys/kernel/debug/tracing";
	if (!root) {
		fprintf(stderr, "faultlat: no tracefs: claimed faults cannot be told\n");
		return false;
	}
	snprintf(trace_dir, sizeof(trace_dir), "%s/instances/%s", root,
		 TRACE_INSTANCE);
	if (mkdir(trace_dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "faultlat: mkdir %s: %s\n", trace_dir,
			strerror(errno));
		trace_dir[0] = '\0';
		return false;
	}
	if (trace_write("trace_clock", "mono") ||
	    trace_write("buffer_size_kb", "4096")) {
		fprintf(stderr, "faultlat: %s: cannot set the clock or the buffer size\n",
			trace_dir);
		trace_teardown();
		return false;
	}
	for (i = 0; i < ST_ARRAY_SIZE(events); i++) {
		snprintf(p, sizeof(p), "events/swap_tier/%s/enable", events[i]);
		if (trace_write(p, "1")) {
			fprintf(stderr, "faultlat: %s/%s: cannot enable\n",
				trace_dir, p);
			trace_teardown();
			return false;
		}
	}
	trace_write("tracing_on", "1");
	return true;
}

static void trace_clear(void)
{
	char p[PATH_MAX];
	int fd;

	if (!trace_dir[0])
		return;
	snprintf(p, sizeof(p), "%s/trace", trace_dir);
	fd = open(p, O_WRONLY | O_TRUNC);
	if (fd >= 0)
		close(fd);
}

struct move_ev {
	uint64_t swp;
	int64_t ts;		/* ns, microsecond resolution */
};

struct trace_data {
	struct move_ev *ev;
	size_t nr, cap;
	int64_t begin, end;	/* first *_begin, first *_end after it, or -1 */
	bool end_seen;
};

static int ev_cmp(const void *a, const void *b)
{
	const struct move_ev *x = a, *y = b;

	return x->swp < y->swp ? -1 : x->swp > y->swp;
}

/*
 * Parse the instance's trace: "...  123.456789: swap_tier_move: ... swp=HEX
 * ...".  0, or -errno.
 */
static int trace_read(struct trace_data *td, enum move_kind mk)
{
	const char *bname = mk == MOVE_DRAIN ? "swap_tier_drain_begin" :
			    "swap_tier_demote_begin";
	const char *ename = mk == MOVE_DRAIN ? "swap_tier_drain_end" :
			    "swap_tier_demote_end";
	char p[PATH_MAX], *line = NULL;
	size_t cap = 0;
	FILE *f;

	free(td->ev);
	memset(td, 0, sizeof(*td));
	td->begin = td->end = -1;
	snprintf(p, sizeof(p), "%s/trace", trace_dir);
	f = fopen(p, "r");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char *q, *s, *name, *colon;
		int64_t ts;
		double secs;

		if (line[0] == '#')
			continue;
		q = strstr(line, ": swap_tier_");
		if (!q)
			continue;
		/* The timestamp ends right before q. */
		s = q;
		while (s > line && (s[-1] == '.' || (s[-1] >= '0' && s[-1] <= '9')))
			s--;
		secs = strtod(s, NULL);
		ts = (int64_t)(secs * 1e6 + 0.5) * 1000;
		name = q + 2;
		colon = strchr(name, ':');
		if (!colon)
			continue;
		*colon = '\0';
		if (!strcmp(name, "swap_tier_move")) {
			char *sw = strstr(colon + 1, " swp=");

			if (!sw)
				continue;
			if (td->nr == td->cap) {
				size_t nc = td->cap ? td->cap * 2 : 4096;
				struct move_ev *ne = realloc(td->ev, nc * sizeof(*ne));

				if (!ne)
					break;
				td->ev = ne;
				td->cap = nc;
			}
			td->ev[td->nr].swp = strtoull(sw + 5, NULL, 16);
			td->ev[td->nr++].ts = ts;
		} else if (!strcmp(name, bname) && td->begin < 0) {
			td->begin = ts;
		} else if (!strcmp(name, ename) && td->begin >= 0 &&
			   !td->end_seen) {
			td->end = ts;
			td->end_seen = true;
		}
	}
	free(line);
	fclose(f);
	qsort(td->ev, td->nr, sizeof(td->ev[0]), ev_cmp);
	return 0;
}

/* Time the data of swp moved, or -1 if no event says it did. */
static int64_t move_time(const struct trace_data *td, uint64_t swp)
{
	size_t lo = 0, hi = td->nr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (td->ev[mid].swp < swp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < td->nr && td->ev[lo].swp == swp ? td->ev[lo].ts : -1;
}

/* ---- statistics ---- */

struct lat {
	double *v;		/* microseconds */
	size_t n, cap;
};

static void lat_add(struct lat *l, double us)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 1024;
		double *nv = realloc(l->v, nc * sizeof(*nv));

		if (!nv)
			return;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = us;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stats {
	long long n;
	double p50, p90, p99, max, mean;
};

/* Nearest rank: the smallest value with at least pct% at or below it. */
static double pctl(const double *sorted, size_t n, double pct)
{
	size_t rank = (size_t)((pct / 100.0) * n + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

static struct stats lat_stats(struct lat *l)
{
	struct stats s = { .n = (long long)l->n };
	double sum = 0;
	size_t i;

	if (!l->n)
		return s;
	qsort(l->v, l->n, sizeof(l->v[0]), dbl_cmp);
	for (i = 0; i < l->n; i++)
		sum += l->v[i];
	s.p50 = pctl(l->v, l->n, 50);
	s.p90 = pctl(l->v, l->n, 90);
	s.p99 = pctl(l->v, l->n, 99);
	s.max = l->v[l->n - 1];
	s.mean = sum / l->n;
	return s;
}

static void print_stats_obj(const char *key, const struct stats *s)
{
	printf(",\"%s\":{\"n\":%lld,\"p50_us\":%.1f,\"p90_us\":%.1f,"
	       "\"p99_us\":%.1f,\"max_us\":%.1f,\"mean_us\":%.1f}",
	       key, s->n, s->p50, s->p90, s->p99, s->max, s->mean);
}

/* The latencies of one phase, or of one phase pooled over repetitions. */
struct phase_lat {
	struct lat main, all, claimed, after;
	long long resident, before, moved, events;
	double seconds, move_s;
};

static void lat_append(struct lat *to, const struct lat *from)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		lat_add(to, from->v[i]);
}

static void phase_lat_free(struct phase_lat *p)
{
	free(p->main.v);
	free(p->all.v);
	free(p->claimed.v);
	free(p->after.v);
	memset(p, 0, sizeof(*p));
}

static void print_phase(int rep, bool pooled, enum move_kind mk,
			enum phase ph, size_t npages, bool seq, bool traced,
			struct phase_lat *p, unsigned long long bad)
{
	struct stats m = lat_stats(&p->main);

	printf("{\"bench\":\"faultlat\",\"rep\":%d,\"pooled\":%s,\"move\":\"%s\","
	       "\"phase\":\"%s\",\"pages\":%zu,\"order\":\"%s\","
	       "\"resident\":%lld,\"faults\":%lld,\"p50_us\":%.1f,"
	       "\"p90_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,"
	       "\"mean_us\":%.1f,\"seconds\":%.3f,\"bad_pages\":%llu",
	       rep, pooled ? "true" : "false", move_name[mk], phase_name[ph],
	       npages, seq ? "seq" : "random", p->resident, m.n, m.p50, m.p90,
	       m.p99, m.max, m.mean, p->seconds, bad);
	if (ph == PH_MOVING) {
		struct stats a = lat_stats(&p->all);
		struct stats c = lat_stats(&p->claimed);
		struct stats f = lat_stats(&p->after);

		if (!traced)
			c.n = -1;
		printf(",\"move_s\":%.3f,\"moved\":%lld,\"move_events\":%lld,"
		       "\"already_moved\":%lld", p->move_s, p->moved,
		       traced ? p->events : -1, traced ? p->before : -1);
		print_stats_obj("all", &a);
		print_stats_obj("claimed", &c);
		print_stats_obj("after", &f);
	}
	printf("}\n");
	fflush(stdout);
	if (pooled)
		fprintf(stderr, "faultlat: all reps");
	else
		fprintf(stderr, "faultlat: rep %d", rep);
	fprintf(stderr, " %s %s: %lld faults, p50 %.0f us, p90 %.0f, p99 %.0f, max %.0f",
		move_name[mk], phase_name[ph], m.n, m.p50, m.p90, m.p99, m.max);
	if (ph == PH_MOVING && traced) {
		struct stats c = lat_stats(&p->claimed);

		fprintf(stderr, "; claimed %lld (p50 %.0f us, max %.0f)", c.n,
			c.p50, c.max);
	}
	fprintf(stderr, "\n");
}

/* ---- the benchmark ---- */

struct ctx {
	struct st_env env;
	struct shared sh;
	struct fworker w;
	char cg[PATH_MAX];
	char ghost[PATH_MAX];
	struct st_backend ssd, hdd;
	enum move_kind mk;
	bool seq, traced;
	char high0[32], low0[32];	/* the ssd watermarks to restore */
};

static long long tier_number(const char *tier, const char *file)
{
	char p[PATH_MAX], buf[64];

	snprintf(p, sizeof(p), TIER_SYSFS "/%s/%s", tier, file);
	if (st_read_file(p, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

/* Wait until no swap write is in flight (Writeback: 0) or 30 s. */
static void io_settle(void)
{
	double deadline = st_now() + 30;

	while (meminfo_kb("Writeback") > 0 && st_now() < deadline)
		st_sleep_ms(200);
}

/* A fresh area of canaries, put on the SSD.  0 or -1. */
static int fill_and_swap_out(struct ctx *c, uint64_t seed)
{
	char amount[32];
	struct resp r;
	long long used, hdd;

	if (fworker_request(&c->w, CMD_FILL, seed, &r))
		return -1;
	snprintf(amount, sizeof(amount), "%zuK",
		 c->sh.npages * st_page_size() / 1024);
	cg_reclaim(c->cg, amount, RECLAIM_MS, NULL);
	io_settle();
	/* Written folios leave the swap cache on the next pass. */
	cg_reclaim(c->cg, amount, RECLAIM_MS, NULL);
	io_settle();
	tier_writes_wait(30000);
	used = tier_number("ssd", "used_pages");
	hdd = tier_number("hdd", "used_pages");
	if (used < (long long)c->sh.npages * 9 / 10) {
		fprintf(stderr, "faultlat: only %lld of %zu pages on the SSD (HDD %lld)\n",
			used, c->sh.npages, hdd);
		return -1;
	}
	if (hdd > SLOT_SLACK)
		fprintf(stderr, "faultlat: %lld pages on the HDD before the phase\n",
			hdd);
	return 0;
}

static void make_order(struct ctx *c, uint64_t seed)
{
	size_t i, n = c->sh.npages;

	for (i = 0; i < n; i++)
		c->sh.order[i] = i;
	if (c->seq)
		return;
	for (i = n - 1; i > 0; i--) {
		size_t j = splitmix64(&seed) % (i + 1);
		uint64_t t = c->sh.order[i];

		c->sh.order[i] = c->sh.order[j];
		c->sh.order[j] = t;
	}
}

/* Restore the watermarks (high first: with high 0 any low is accepted). */
static void demote_off(struct ctx *c)
{
	st_write_file(SSD_HIGH_WMARK, "0");
	if (c->low0[0])
		st_write_file(SSD_LOW_WMARK, c->low0);
}

/* The move of the moving phase, in a thread while the worker faults. */
struct mover {
	struct ctx *c;
	long long moved0;	/* the ssd tier's drained or demoted_pages */
	int64_t t0, t1;		/* the move window, CLOCK_MONOTONIC ns */
	int rc;			/* 0 or -errno */
	const char *what;	/* what failed */
};

/*
 * A watermark demotion of everything on the SSD: low 0, then high 1 (which
 * kicks the worker).  Its end: demoted_pages rose and stayed put for
 * 300 ms, and the trace has its swap_tier_demote_end; the window is from
 * the swap_tier_demote_begin event to that.  Then the watermarks are put
 * back (high 0).
 */
static int demote_run(struct mover *m)
{
	struct ctx *c = m->c;
	struct trace_data td = { 0 };
	double deadline = st_now() + DEMOTE_WAIT_S;
	long long cur, last = -1;
	int stable = 0, rc = -ETIMEDOUT;

	m->what = "the ssd watermarks: cannot set them to 1/0";
	if (st_write_file(SSD_LOW_WMARK, "0") ||
	    st_write_file(SSD_HIGH_WMARK, "1")) {
		demote_off(c);
		return -EINVAL;
	}
	m->what = "the demotion did not end in time";
	while (st_now() < deadline) {
		st_sleep_ms(100);
		cur = tier_number("ssd", "demoted_pages");
		stable = cur > m->moved0 && cur == last ? stable + 1 : 0;
		last = cur;
		if (stable < 3)
			continue;
		if (trace_read(&td, MOVE_DEMOTE)) {
			m->what = "cannot read the trace";
			rc = -EIO;
			break;
		}
		if (td.end_seen) {
			m->t0 = td.begin;
			m->t1 = td.end;
			rc = 0;
			break;
		}
	}
	demote_off(c);
	free(td.ev);
	return rc;
}

static void *mover_thread(void *p)
{
	struct mover *m = p;
	struct ctx *c = m->c;

	if (c->mk == MOVE_DRAIN) {
		m->what = "write to " DRAIN_FILE;
		m->t0 = now_ns();
		m->rc = st_write_file(DRAIN_FILE, c->env.ssd);
		m->t1 = now_ns();
	} else {
		m->rc = demote_run(m);
	}
	/* Faults after the move: nothing moves, the data is on the HDD. */
	st_sleep_ms(AFTER_MS);
	*c->sh.stop = 1;
	return NULL;
}

/*
 * One phase on a fresh area.  Fills *p; 0 or -1.  *bad gets the pages that
 * did not verify.
 */
static int run_phase(struct ctx *c, enum phase ph, int rep,
		     struct phase_lat *p, unsigned long long *bad)
{
	const uint64_t seed = 0xfa17000000000000ULL ^ ((uint64_t)rep << 8) ^ ph;
	const char *cnt = c->mk == MOVE_DRAIN ? "drained_pages" : "demoted_pages";
	struct mover m = { .c = c };
	struct trace_data td = { 0 };
	long long left, touched;
	pthread_t thr;
	struct resp r;
	size_t i;
	int rc, ret = -1;

	memset(p, 0, sizeof(*p));
	*bad = 0;
	*c->sh.stop = 0;
	if (fill_and_swap_out(c, seed))
		return -1;
	make_order(c, seed ^ 0x5eed);
	memset(c->sh.rec, 0, c->sh.npages * sizeof(c->sh.rec[0]));

	if (ph == PH_MOVING) {
		m.moved0 = tier_number("ssd", cnt);
		trace_clear();
		rc = pthread_create(&thr, NULL, mover_thread, &m);
		if (rc) {
			fprintf(stderr, "faultlat: pthread_create: %s\n",
				strerror(rc));
			return -1;
		}
	}
	rc = fworker_request(&c->w, CMD_FAULT, 0, &r);
	if (ph == PH_MOVING) {
		pthread_join(thr, NULL);
		if (m.rc) {
			fprintf(stderr, "faultlat: rep %d: %s: %s\n", rep,
				m.what, strerror(-m.rc));
			goto out;
		}
	}
	if (rc)
		goto out;
	*bad = r.bad_pages;
	if (r.bad_pages) {
		fprintf(stderr, "faultlat: rep %d %s: %llu bad pages (one: %llu)\n",
			rep, phase_name[ph], (unsigned long long)r.bad_pages,
			(unsigned long long)r.first_bad);
		goto out;
	}
	p->seconds = r.seconds;
	touched = (long long)r.touched;
	if (ph == PH_MOVING) {
		long long moved1 = tier_number("ssd", cnt);

		p->moved = m.moved0 >= 0 && moved1 >= 0 ? moved1 - m.moved0 : -1;
		p->move_s = (m.t1 - m.t0) / 1e9;
		if (c->traced && trace_read(&td, c->mk))
			fprintf(stderr, "faultlat: cannot read %s/trace\n",
				trace_dir);
		p->events = (long long)td.nr;
		left = tier_number("ssd", "used_pages");
		if (c->mk == MOVE_DRAIN && left > SLOT_SLACK) {
			fprintf(stderr, "faultlat: %lld pages still on the SSD after the drain\n",
				left);
			goto out;
		}
		if (c->traced && p->moved > 0 && p->events < p->moved)
			fprintf(stderr, "faultlat: %lld swap_tier_move events for %lld pages moved (trace buffer overrun?)\n",
				p->events, p->moved);
	}

	for (i = 0; i < c->sh.npages; i++) {
		uint64_t pm = c->sh.pagemap[i], frame, swp;
		const struct fault_rec *f = &c->sh.rec[i];
		double us = (f->t1 - f->t0) / 1e3;
		int64_t mt;

		if (!f->t1)
			continue;	/* not touched: the worker stopped */
		if (!(pm & PM_SWAP)) {
			p->resident++;
			continue;
		}
		frame = pm & PM_FRAME_MASK;
		swp = (frame & ((1 << PM_SWAP_TYPE_BITS) - 1)) << SWP_TYPE_SHIFT |
		      frame >> PM_SWAP_TYPE_BITS;
		if (ph == PH_IDLE) {
			lat_add(&p->main, us);
			continue;
		}
		lat_add(&p->all, us);
		if (f->t0 >= m.t1) {
			lat_add(&p->after, us);
			continue;
		}
		if (f->t1 <= m.t0)
			continue;	/* before the move began (demote) */
		lat_add(&p->main, us);
		if (!c->traced)
			continue;
		mt = move_time(&td, swp);
		/* Event times are truncated to the microsecond. */
		if (mt >= 0 && mt + 1000 >= f->t0 && mt <= f->t1)
			lat_add(&p->claimed, us);
		else if (mt >= 0 && mt < f->t0)
			p->before++;
	}
	if (p->resident > touched / 10) {
		fprintf(stderr, "faultlat: rep %d %s: %lld of %lld pages touched were resident before the faults\n",
			rep, phase_name[ph], p->resident, touched);
		goto out;
	}
	ret = 0;
out:
	free(td.ev);
	return ret;
}

static int setup(struct ctx *c)
{
	char out[4096];
	int rc;

	snprintf(c->ghost, sizeof(c->ghost), "%s/bench-faultlat-ghost",
		 c->env.scratch);
	unlink(c->ghost);
	rc = st_swapctl_ghost_create(&c->env, c->ghost, GHOST_SIZE, NULL, out,
				     sizeof(out));
	if (rc) {
		fprintf(stderr, "faultlat: swapctl ghost create: %s\n",
			st_oneline(out, sizeof(out)));
		c->ghost[0] = '\0';
		return -1;
	}
	if (swapon(c->ghost, 0)) {
		fprintf(stderr, "faultlat: swapon %s: %s\n", c->ghost,
			strerror(errno));
		return -1;
	}
	rc = st_backend_setup(&c->env, &c->ssd, "faultlat", c->env.ssd, 0, 0,
			      "ssd", out, sizeof(out));
	if (!rc)
		rc = st_backend_setup(&c->env, &c->hdd, "faultlat", c->env.hdd,
				      0, 0, "hdd", out, sizeof(out));
	if (rc) {
		fprintf(stderr, "faultlat: back end: %d: %s\n", rc,
			st_oneline(out, sizeof(out)));
		return -1;
	}
	rc = cg_create("faultlat", c->cg, sizeof(c->cg));
	if (rc) {
		fprintf(stderr, "faultlat: creating a cgroup: %s\n",
			strerror(-rc));
		c->cg[0] = '\0';
		return -1;
	}
	/* zswap refuses every page: all of them go to the SSD. */
	if (cg_write(c->cg, "memory.zswap.max", "0")) {
		fprintf(stderr, "faultlat: %s/memory.zswap.max: cannot set\n",
			c->cg);
		return -1;
	}
	rc = fworker_start(&c->w, c->cg, &c->sh);
	if (rc) {
		fprintf(stderr, "faultlat: worker: %s\n", strerror(-rc));
		return -1;
	}
	return 0;
}

static void teardown(struct ctx *c)
{
	fworker_stop(&c->w);
	if (c->cg[0])
		cg_destroy(c->cg);
	bench_tiers_teardown("faultlat", c->ghost, &c->ssd, &c->hdd);
}

static void *shared_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0, bytes);	/* charged here, to our cgroup, not the worker's */
	return p;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "pages", required_argument, NULL, 'n' },
		{ "reps", required_argument, NULL, 'r' },
		{ "move", required_argument, NULL, 'm' },
		{ "order", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	static struct ctx c = { .w = { .pid = -1 } };
	struct phase_lat pool[NR_PHASES] = { 0 };
	char pcluster[32] = "";
	unsigned long long bad;
	size_t npages = 2048;
	long reps = 8;
	int opt, rep, ret = 0, i;

	while ((opt = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			npages = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			reps = strtol(optarg, NULL, 0);
			break;
		case 'm':
			if (!strcmp(optarg, "drain"))
				c.mk = MOVE_DRAIN;
			else if (!strcmp(optarg, "demote"))
				c.mk = MOVE_DEMOTE;
			else
				reps = 0;
			break;
		case 'o':
			if (!strcmp(optarg, "seq"))
				c.seq = true;
			else if (strcmp(optarg, "random"))
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

	if (bench_tiers_ready("faultlat", &c.env))
		return 1;
	c.sh.npages = npages;
	c.sh.order = shared_alloc(npages * sizeof(*c.sh.order));
	c.sh.pagemap = shared_alloc(npages * sizeof(*c.sh.pagemap));
	c.sh.rec = shared_alloc(npages * sizeof(*c.sh.rec));
	c.sh.stop = shared_alloc(sizeof(*c.sh.stop));
	if (!c.sh.order || !c.sh.pagemap || !c.sh.rec || !c.sh.stop) {
		fprintf(stderr, "faultlat: shared memory: %s\n", strerror(errno));
		return 1;
	}

	c.traced = trace_setup();
	if (!c.traced && c.mk == MOVE_DEMOTE) {
		fprintf(stderr, "faultlat: --move demote needs tracefs (the demotion's start and end)\n");
		return 1;
	}
	/* Only the measured move moves pages; no swap readahead. */
	if (st_read_file(SSD_HIGH_WMARK, c.high0, sizeof(c.high0)) <= 0 ||
	    st_read_file(SSD_LOW_WMARK, c.low0, sizeof(c.low0)) <= 0 ||
	    st_write_file(SSD_HIGH_WMARK, "0")) {
		fprintf(stderr, "faultlat: cannot read or write %s\n",
			SSD_HIGH_WMARK);
		trace_teardown();
		return 1;
	}
	st_rstrip(c.high0);
	st_rstrip(c.low0);
	if (st_read_file(PAGE_CLUSTER, pcluster, sizeof(pcluster)) > 0)
		st_rstrip(pcluster);
	if (st_write_file(PAGE_CLUSTER, "0")) {
		fprintf(stderr, "faultlat: cannot write 0 to %s\n", PAGE_CLUSTER);
		pcluster[0] = '\0';
		ret = 1;
		goto restore;
	}

	if (setup(&c)) {
		ret = 1;
		goto out;
	}
	for (rep = 1; rep <= reps && !ret; rep++) {
		/* Odd repetitions idle first, even ones moving first. */
		for (i = 0; i < NR_PHASES; i++) {
			enum phase ph = (rep % 2) ? (enum phase)i :
				       (enum phase)(NR_PHASES - 1 - i);
			struct phase_lat p;

			if (run_phase(&c, ph, rep, &p, &bad)) {
				phase_lat_free(&p);
				ret = 1;
				break;
			}
			print_phase(rep, false, c.mk, ph, npages, c.seq,
				    c.traced, &p, bad);
			lat_append(&pool[ph].main, &p.main);
			lat_append(&pool[ph].all, &p.all);
			lat_append(&pool[ph].claimed, &p.claimed);
			lat_append(&pool[ph].after, &p.after);
			pool[ph].resident += p.resident;
			pool[ph].before += p.before;
			pool[ph].moved += p.moved;
			pool[ph].events += p.events;
			pool[ph].seconds += p.seconds;
			pool[ph].move_s += p.move_s;
			phase_lat_free(&p);
		}
	}
	if (!ret)
		for (i = 0; i < NR_PHASES; i++)
			print_phase(0, true, c.mk, i, npages, c.seq, c.traced,
				    &pool[i], 0);
out:
	teardown(&c);
restore:
	for (i = 0; i < NR_PHASES; i++)
		phase_lat_free(&pool[i]);
	if (pcluster[0] && st_write_file(PAGE_CLUSTER, pcluster))
		fprintf(stderr, "faultlat: cannot restore %s to %s\n",
			PAGE_CLUSTER, pcluster);
	/* High 0 first: then low is accepted whatever it is. */
	st_write_file(SSD_HIGH_WMARK, "0");
	if (c.low0[0] && st_write_file(SSD_LOW_WMARK, c.low0))
		fprintf(stderr, "faultlat: cannot restore %s to %s\n",
			SSD_LOW_WMARK, c.low0);
	if (c.high0[0] && st_write_file(SSD_HIGH_WMARK, c.high0))
		fprintf(stderr, "faultlat: cannot restore %s to %s\n",
			SSD_HIGH_WMARK, c.high0);
	trace_teardown();
	return ret;
}
