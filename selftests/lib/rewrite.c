// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "rewrite.h"
#include "util.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

/* Small stacks: mlockall() populates them, in the cgroup. */
#define RW_STACK_SIZE	(256 * 1024)
/* Bursts between MADV_PAGEOUT of the hot window / moves of the window. */
#define RW_WINDOW_PAGEOUT	64
#define RW_WINDOW_MOVE		512

struct rw_ctx {
	struct rw_cfg cfg;
	struct rw_shared *sh;
	unsigned char *area;
	size_t ps;
	uint32_t *gen;		/* generation last written, by page */
	unsigned char *vec;	/* mincore() of the whole area */
	unsigned char *scratch;	/* two pages, for rw_check() */
	int cpus[RW_MAX_WRITERS];
	int ncpus;
};

struct rw_thread {
	struct rw_ctx *c;
	unsigned int id;
	pthread_t th;
	unsigned char *scratch;	/* two pages */
	uint64_t rng;
	uint64_t sweep;		/* last sweep request served */
	size_t hot;		/* first page of the hot window */
};

static uint64_t rnd(struct rw_thread *t)
{
	/* xorshift64* */
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return t->rng * 0x2545f4914f6cdd1dULL;
}

/*
 * Check page i against generation g: 0 if every byte is right, else 1
 * with *b filled in (and the generation the page does hold, newest
 * first: a lost write shows an older one).
 */
static int page_check(const struct rw_ctx *c, size_t i, uint64_t g,
		      unsigned char *scratch, struct rw_bad *b)
{
	const unsigned char *p = c->area + i * c->ps;
	unsigned char *other = scratch + c->ps;
	size_t off;
	uint64_t k;

	canary_page(scratch, c->ps, rw_gen_seed(c->cfg.seed, g), rw_kind(i),
		    i);
	if (!memcmp(p, scratch, c->ps))
		return 0;
	memset(b, 0, sizeof(*b));
	b->when = st_now();
	b->page = i;
	b->expected = g;
	b->found = RW_GEN_NONE;
	for (off = 0; off < c->ps && p[off] == scratch[off]; off++)
		;
	if (off == c->ps)	/* it changed under us */
		off = 0;
	b->off = off;
	b->exp_byte = scratch[off];
	b->act_byte = p[off];
	for (k = g + 1;; k--) {
		canary_page(other, c->ps, rw_gen_seed(c->cfg.seed, k),
			    rw_kind(i), i);
		if (!memcmp(p, other, c->ps)) {
			b->found = k;
			break;
		}
		if (!k)
			break;
	}
	return 1;
}

static void record_bad(struct rw_ctx *c, const struct rw_bad *b)
{
	uint64_t n = __atomic_fetch_add(&c->sh->bad_total, 1,
					__ATOMIC_SEQ_CST);

	if (n < RW_MAX_BAD)
		c->sh->bad[n] = *b;
	c->sh->failed = 1;
}

static int page_resident(struct rw_ctx *c, const void *p,
			 struct rw_wstat *st)
{
	unsigned char v = 0;

	if (mincore((void *)p, c->ps, &v)) {
		st->errors++;
		return -1;
	}
	return v & 1;
}

static void page_out(struct rw_ctx *c, void *p, size_t len,
		     struct rw_wstat *st)
{
	if (madvise(p, len, MADV_PAGEOUT))
		st->errors++;
	else
		st->pageouts++;
	(void)c;
}

/*
 * One touch of page i: 20% read and check, 60% read, check and rewrite,
 * 20% rewrite without reading; then MADV_PAGEOUT of the page
 * (pageout_pct of the time).
 */
static void touch(struct rw_thread *t, size_t i, struct rw_wstat *st)
{
	struct rw_ctx *c = t->c;
	unsigned char *p = c->area + i * c->ps;
	uint64_t g = c->gen[i];
	unsigned int op = (unsigned int)(rnd(t) % 100);
	struct rw_bad b;
	int res = page_resident(c, p, st);

	st->touches++;
	if (!res)
		st->nonresident++;
	if (op < 80) {
		st->verifies++;
		if (page_check(c, i, g, t->scratch, &b)) {
			b.writer = (int32_t)t->id;
			b.resident = res;
			record_bad(c, &b);
			return;
		}
	}
	if (op >= 20) {
		canary_page(p, c->ps, rw_gen_seed(c->cfg.seed, g + 1),
			    rw_kind(i), i);
		c->gen[i] = (uint32_t)(g + 1);
		st->rewrites++;
	}
	if (rnd(t) % 100 < c->cfg.pageout_pct)
		page_out(c, p, c->ps, st);
}

static size_t owned(const struct rw_ctx *c, unsigned int id)
{
	return (c->cfg.npages - id + c->cfg.nwriters - 1) / c->cfg.nwriters;
}

static void window_move(struct rw_thread *t)
{
	struct rw_ctx *c = t->c;
	size_t n = c->cfg.npages - c->cfg.hot_pages;

	/* A multiple of nwriters, so that the window has our pages. */
	t->hot = n ? (size_t)(rnd(t) % (n + 1)) : 0;
	t->hot -= t->hot % c->cfg.nwriters;
}

static size_t pick(struct rw_thread *t)
{
	struct rw_ctx *c = t->c;
	unsigned int nw = c->cfg.nwriters;
	size_t j, i;

	if (rnd(t) % 100 < c->cfg.hot_pct) {
		j = (size_t)(rnd(t) % (c->cfg.hot_pages / nw));
		i = t->hot + j * nw + t->id;
		if (i < c->cfg.npages)
			return i;
	}
	j = (size_t)(rnd(t) % owned(c, t->id));
	return j * nw + t->id;
}

static void burst(struct rw_thread *t, struct rw_wstat *st)
{
	struct rw_ctx *c = t->c;
	unsigned int k = 1 + (unsigned int)(rnd(t) % 3), j;
	size_t i = pick(t);

	for (j = 0; j < k && !c->sh->failed; j++) {
		touch(t, i, st);
		if (j + 1 < k && (rnd(t) & 1))
			usleep((useconds_t)(rnd(t) % 1000));
	}
	st->bursts++;
	if (!(st->bursts % RW_WINDOW_PAGEOUT))
		page_out(c, c->area + t->hot * c->ps,
			 c->cfg.hot_pages * c->ps, st);
	if (!(st->bursts % RW_WINDOW_MOVE))
		window_move(t);
}

/* Read and check every page of writer t. */
static void sweep(struct rw_thread *t, struct rw_wstat *st)
{
	struct rw_ctx *c = t->c;
	size_t i;

	for (i = t->id; i < c->cfg.npages && !c->sh->failed;
	     i += c->cfg.nwriters) {
		struct rw_bad b;
		int res = page_resident(c, c->area + i * c->ps, st);

		st->verifies++;
		if (!res)
			st->nonresident++;
		if (page_check(c, i, c->gen[i], t->scratch, &b)) {
			b.writer = (int32_t)t->id;
			b.resident = res;
			record_bad(c, &b);
		}
	}
}

static void *writer_main(void *arg)
{
	struct rw_thread *t = arg;
	struct rw_ctx *c = t->c;
	struct rw_wstat *st = &c->sh->w[t->id];
	cpu_set_t one;

	if (c->ncpus > 0) {
		CPU_ZERO(&one);
		CPU_SET(c->cpus[t->id % (unsigned int)c->ncpus], &one);
		sched_setaffinity(0, sizeof(one), &one);
	}
	while (c->sh->cmd == RW_CMD_WAIT)
		usleep(1000);
	window_move(t);
	while (c->sh->cmd == RW_CMD_RUN && !c->sh->failed) {
		uint64_t req = c->sh->sweep_req;

		if (req != t->sweep) {
			sweep(t, st);
			t->sweep = req;
			st->sweeps++;
			continue;
		}
		burst(t, st);
	}
	return NULL;
}

/* Every page once, writers stopped. */
static void full_check(struct rw_ctx *c)
{
	size_t i, len = c->cfg.npages * c->ps;
	struct rw_shared *sh = c->sh;
	uint64_t bad = 0;
	int64_t resident = 0;
	double t0 = st_now();
	bool vec_ok;

	vec_ok = !mincore(c->area, len, c->vec);
	for (i = 0; i < c->cfg.npages; i++)
		resident += vec_ok && (c->vec[i] & 1);
	sh->check_resident = vec_ok ? resident : -errno;
	for (i = 0; i < c->cfg.npages; i++) {
		struct rw_bad b;

		if (!page_check(c, i, c->gen[i], c->scratch, &b))
			continue;
		b.writer = -1;
		b.resident = vec_ok ? (c->vec[i] & 1) : -1;
		if (bad < RW_MAX_BAD)
			sh->check[bad] = b;
		bad++;
	}
	sh->check_bad = bad;
	sh->check_secs = st_now() - t0;
}

static void __attribute__((noreturn))
rw_fail(struct rw_shared *sh, const char *what, int err)
{
	sh->err = err ? err : EIO;
	snprintf(sh->what, sizeof(sh->what), "%s", what);
	_exit(1);
}

static void __attribute__((noreturn)) rw_main(struct rw_ctx *c)
{
	struct rw_shared *sh = c->sh;
	struct rw_thread t[RW_MAX_WRITERS];
	size_t len = c->cfg.npages * c->ps, i;
	pthread_attr_t attr;
	unsigned int n;
	bool joined = false;
	cpu_set_t set;
	double t0;
	int err, cpu;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(1);
	err = cg_enter(c->cfg.cgroup, 0);
	if (err)
		rw_fail(sh, "join cgroup", -err);

	c->ncpus = 0;
	if (!sched_getaffinity(0, sizeof(set), &set))
		for (cpu = 0; cpu < CPU_SETSIZE && c->ncpus < RW_MAX_WRITERS;
		     cpu++)
			if (CPU_ISSET(cpu, &set))
				c->cpus[c->ncpus++] = cpu;

	/* Everything but the area first, to be locked with the stacks. */
	c->gen = calloc(c->cfg.npages, sizeof(*c->gen));
	c->vec = calloc(c->cfg.npages, 1);
	c->scratch = mmap(NULL, 2 * c->ps * (RW_MAX_WRITERS + 1),
			  PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	if (!c->gen || !c->vec || c->scratch == MAP_FAILED)
		rw_fail(sh, "allocating the generations", ENOMEM);
	if (pthread_attr_init(&attr) ||
	    pthread_attr_setstacksize(&attr, RW_STACK_SIZE))
		rw_fail(sh, "pthread_attr", EINVAL);
	for (n = 0; n < c->cfg.nwriters; n++) {
		memset(&t[n], 0, sizeof(t[n]));
		t[n].c = c;
		t[n].id = n;
		t[n].scratch = c->scratch + 2 * c->ps * (n + 1);
		t[n].rng = (c->cfg.seed ^ (0x9e3779b97f4a7c15ULL * (n + 1))) |
			   1;
		err = pthread_create(&t[n].th, &attr, writer_main, &t[n]);
		if (err)
			rw_fail(sh, "pthread_create", err);
	}
	/*
	 * Lock (and populate) what is mapped so far, the threads' stacks
	 * included: the area mapped next is then the only memory of the
	 * cgroup that reclaim can take.
	 */
	sh->mlocked = mlockall(MCL_CURRENT) == 0;

	c->area = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->area == MAP_FAILED)
		rw_fail(sh, "mmap", errno);
	/* EINVAL without CONFIG_TRANSPARENT_HUGEPAGE: nothing to disable. */
	if (madvise(c->area, len, MADV_NOHUGEPAGE) && errno != EINVAL)
		rw_fail(sh, "madvise(MADV_NOHUGEPAGE)", errno);
	t0 = st_now();
	for (i = 0; i < c->cfg.npages; i++)
		canary_page(c->area + i * c->ps, c->ps,
			    rw_gen_seed(c->cfg.seed, 0), rw_kind(i), i);
	sh->fill_secs = st_now() - t0;
	__atomic_store_n(&sh->ready, 1, __ATOMIC_SEQ_CST);

	for (;;) {
		int cmd = sh->cmd;
		uint64_t req;

		if (!joined && (cmd == RW_CMD_STOP || cmd == RW_CMD_EXIT)) {
			for (n = 0; n < c->cfg.nwriters; n++)
				pthread_join(t[n].th, NULL);
			joined = true;
			sh->writers_done = 1;
		}
		if (cmd == RW_CMD_EXIT)
			_exit(0);
		req = sh->check_req;
		if (req != sh->check_done) {
			if (joined) {
				full_check(c);
			} else {
				sh->check_bad = RW_GEN_NONE;
				snprintf(sh->what, sizeof(sh->what),
					 "check asked while writers run");
			}
			__atomic_store_n(&sh->check_done, req,
					 __ATOMIC_SEQ_CST);
		}
		usleep(2000);
	}
}

int rw_start(struct rw *rw, const struct rw_cfg *cfg, int timeout_s)
{
	struct rw_ctx c = { .cfg = *cfg };
	double deadline = st_now() + timeout_s;
	struct rw_shared *sh;
	pid_t pid;

	rw->pid = -1;
	rw->sh = NULL;
	if (!cfg->cgroup || cfg->nwriters < 1 ||
	    cfg->nwriters > RW_MAX_WRITERS || cfg->npages < cfg->nwriters)
		return -EINVAL;
	c.ps = st_page_size();
	if (!c.cfg.hot_pages)
		c.cfg.hot_pages = 512;
	if (c.cfg.hot_pages > cfg->npages)
		c.cfg.hot_pages = (unsigned int)cfg->npages;
	c.cfg.hot_pages -= c.cfg.hot_pages % cfg->nwriters;
	if (c.cfg.hot_pages < cfg->nwriters)
		c.cfg.hot_pct = 0;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return -errno;
	memset(sh, 0, sizeof(*sh));
	c.sh = sh;
	rw->sh = sh;
	rw->npages = cfg->npages;
	rw->nwriters = cfg->nwriters;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		rw_main(&c);
	rw->pid = pid;
	while (!__atomic_load_n(&sh->ready, __ATOMIC_SEQ_CST)) {
		if (!rw_alive(rw))
			return -(sh->err ? sh->err : ECHILD);
		if (st_now() > deadline) {
			snprintf(sh->what, sizeof(sh->what),
				 "filling %zu pages", cfg->npages);
			return -ETIMEDOUT;
		}
		st_sleep_ms(20);
	}
	return 0;
}

void rw_run(struct rw *rw)
{
	rw->sh->cmd = RW_CMD_RUN;
}

void rw_sweep(struct rw *rw)
{
	rw->sh->sweep_req++;
}

uint64_t rw_sweeps(const struct rw *rw)
{
	uint64_t m = UINT64_MAX;
	unsigned int n;

	for (n = 0; n < rw->nwriters; n++)
		if (rw->sh->w[n].sweeps < m)
			m = rw->sh->w[n].sweeps;
	return m == UINT64_MAX ? 0 : m;
}

void rw_totals(const struct rw *rw, struct rw_wstat *t)
{
	unsigned int n;

	memset(t, 0, sizeof(*t));
	for (n = 0; n < rw->nwriters; n++) {
		const struct rw_wstat *w = &rw->sh->w[n];

		t->bursts += w->bursts;
		t->touches += w->touches;
		t->verifies += w->verifies;
		t->rewrites += w->rewrites;
		t->nonresident += w->nonresident;
		t->pageouts += w->pageouts;
		t->sweeps += w->sweeps;
		t->errors += w->errors;
	}
}

bool rw_alive(struct rw *rw)
{
	int status;
	pid_t r;

	if (rw->pid <= 0)
		return false;
	r = waitpid(rw->pid, &status, WNOHANG);
	if (r == 0)
		return true;
	if (r == rw->pid || (r < 0 && errno == ECHILD))
		rw->pid = -1;
	return rw->pid > 0;
}

/* Wait until *flag is set or until seq reaches want; 0 or -errno. */
static int rw_wait(struct rw *rw, volatile int *flag,
		   volatile uint64_t *seq, uint64_t want, int timeout_s)
{
	double deadline = st_now() + timeout_s;

	for (;;) {
		if (flag && *flag)
			return 0;
		if (seq && *seq == want)
			return 0;
		if (!rw_alive(rw))
			return -ECHILD;
		if (st_now() > deadline)
			return -ETIMEDOUT;
		st_sleep_ms(10);
	}
}

int rw_stop(struct rw *rw, int timeout_s)
{
	if (!rw->sh)
		return -EINVAL;
	rw->sh->cmd = RW_CMD_STOP;
	return rw_wait(rw, &rw->sh->writers_done, NULL, 0, timeout_s);
}

int rw_check(struct rw *rw, int timeout_s)
{
	uint64_t req;
	int err;

	if (!rw->sh)
		return -EINVAL;
	req = rw->sh->check_req + 1;
	rw->sh->check_req = req;
	err = rw_wait(rw, NULL, &rw->sh->check_done, req, timeout_s);
	if (!err && rw->sh->check_bad == RW_GEN_NONE)
		err = -EBUSY;
	return err;
}

void rw_exit(struct rw *rw, int timeout_s)
{
	double deadline = st_now() + timeout_s;

	if (rw->pid <= 0)
		return;
	rw->sh->cmd = RW_CMD_EXIT;
	while (rw_alive(rw) && st_now() < deadline)
		st_sleep_ms(10);
	rw_kill(rw);
}

void rw_kill(struct rw *rw)
{
	if (rw->pid <= 0)
		return;
	kill(rw->pid, SIGKILL);
	while (waitpid(rw->pid, NULL, 0) < 0 && errno == EINTR)
		;
	rw->pid = -1;
}

/* ------------------------------------------------------------ reclaimer */

int rw_reclaimer_start(struct rw_reclaimer *r, const char *cg,
		       const char *amount, unsigned int budget_ms,
		       unsigned int pause_ms)
{
	struct rw_reclaimer_shared *sh;
	pid_t pid;

	r->pid = -1;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		r->sh = NULL;
		return -errno;
	}
	memset(sh, 0, sizeof(*sh));
	r->sh = sh;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(1);
		while (!sh->stop) {
			int rc = cg_reclaim(cg, amount, budget_ms, NULL);

			sh->calls++;
			if (!rc)
				sh->ok++;
			else if (rc == -EAGAIN)
				sh->again++;
			else if (rc == -EINTR)
				sh->intr++;
			else
				sh->other++;
			if (rc)
				sh->last_err = -rc;
			if (pause_ms)
				st_sleep_ms(pause_ms);
		}
		_exit(0);
	}
	r->pid = pid;
	return 0;
}

int rw_reclaimer_stop(struct rw_reclaimer *r, int timeout_s)
{
	double deadline = st_now() + timeout_s;
	int status = -1;

	if (r->pid <= 0)
		return -1;
	r->sh->stop = 1;
	for (;;) {
		pid_t w = waitpid(r->pid, &status, WNOHANG);

		if (w == r->pid)
			break;
		if (w < 0 && errno != EINTR) {
			status = -1;
			break;
		}
		if (st_now() > deadline) {
			kill(r->pid, SIGKILL);
			waitpid(r->pid, &status, 0);
			status = -1;
			break;
		}
		st_sleep_ms(10);
	}
	r->pid = -1;
	return status;
}
