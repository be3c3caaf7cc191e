// SPDX-License-Identifier: GPL-2.0
/*
 * policy_test: BPF swap tiering policies (struct swap_tier_ops).
 *
 * Every test swaps on a fresh ghost (front end) with back ends on the tier
 * disks, as tier_test does, and attaches policies with the real commands:
 * "$SWAPCTL policy load|replace|detach|show".  The shipped policies are
 * loaded by name (swapctl resolves NAME to build/bpf/NAME.bpf.o), the test
 * programs of selftests/vm/progs/ by path (build/bpf/test/NAME.bpf.o, see
 * lib/policy.h).  A worker (lib/worker.c) holds canary pages in a memory
 * cgroup; memory.reclaim or MADV_PAGEOUT pushes them out, and every byte is
 * verified when they come back.
 *
 * What a policy decides (include/uapi/linux/swap_tier.h):
 *  - place() at swap-out: zswap first (0), a back end first (1 = ssd), one
 *    tier only (tier | SWAP_TIER_ONLY), keep in memory, or the default;
 *  - writeback() for an entry zswap writes back or a page zswap refused:
 *    which back end, or SWAP_TIER_NOT_NOW (stay in zswap);
 *  - tick() every policy_tick_ms, e.g. to ask for zswap writeback.
 * A page uses the policy of its cgroup or nearest ancestor with one, else
 * the global one, else the built-in default (place 0, writeback 1).
 *
 * What the tests observe: memory.stat (zswpout: pages zswap stored;
 * zswpwb: entries written back; swpout_ghost_reject: pages kept in memory
 * for want of a place), the tiers' written_pages, and each policy's
 * counters in /sys/kernel/mm/swap_tier/policies/<global|cgroup id>/.  With
 * order-0 pages (the worker maps with MADV_NOHUGEPAGE) every page zswap
 * stores was first given to place(), and every write to a back end was
 * decided by place() (direct placement) or writeback().
 *
 * Teardown detaches whatever the test attached (swapctl policy detach,
 * then unlinking any pin left under /sys/fs/bpf/swaptier) before removing
 * the ghost, the back ends and the cgroups; setup first undoes what a dead
 * earlier test left (lib/policy.c pol_recover(), then st_recover()).
 *
 * Environment: that of tier_test (root, cgroup v2 with +memory, zswap
 * enabled, no swap active, SWAPCTL, SWAPTIER_SCRATCH, SWAPTIER_SSD,
 * SWAPTIER_HDD), plus bpffs at /sys/fs/bpf and the BPF objects (make bpf);
 * count is also loaded from its skeleton (build/bpf/test/count.skel.h) to
 * read its globals back.  Any of these missing fails the test.
 * Working sets are at most 16 MiB: the guest is QEMU TCG with KASAN.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/btf.h>
#include <linux/swap_tier.h>
#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kselftest_harness.h"
#include "fixture.h"
#include "policy.h"
#include "skel.h"
#include "progs/count.h"
#include "count.skel.h"
#include "all_kfuncs.skel.h"

#define GHOST_SIZE		"256M"
#define MAX_BACKENDS		2
#define MAX_TARGETS		4

/*
 * memory.reclaim budgets (see tier_test.c): when the cgroup can give up
 * what is asked (the writes to the back ends take their time), and when
 * it cannot (one scan of the LRU is all the assertions need).
 */
#define RECLAIM_LONG_MS		40000
#define RECLAIM_SHORT_MS	10000

/* How long a detached policy's sysfs directory may take to go away. */
#define DETACH_WAIT_MS		5000

/* swapctl runs: loading verifies every program, which is slow under TCG. */
#define SWAPCTL_TIMEOUT_S	60

#define OUT_LEN			8192

/* A NULL-terminated list of "--set" arguments. */
#define SETS(...)		((const char *const[]){ __VA_ARGS__, NULL })

/* Where a test attached (or tried to attach) a policy. */
struct target {
	bool used;
	long long id;			/* cgroup id, 0: global */
	char path[PATH_MAX];		/* cgroup path, "" for global */
};

FIXTURE(policy) {
	struct st_env env;
	char ghost[PATH_MAX];		/* the ghost swapfile (front end) */
	char cg[PATH_MAX];		/* cgroup A (parent P when nesting) */
	char cg2[PATH_MAX];		/* cgroup B, a sibling of A */
	char child[PATH_MAX];		/* A/c */
	struct worker w, w2;		/* workers in cg (or child), cg2 */
	pid_t owner;			/* process that ran setup */
	pid_t helper_pgid;		/* a test's helper process group */
	struct st_backend be[MAX_BACKENDS];
	struct target tg[MAX_TARGETS];
};

static int swapctl_argv(const struct st_env *env, char *out, size_t outlen,
			const char *verb, const char *obj, const char *cg,
			const char *const *sets)
{
	char *argv[24];
	size_t n = 0;

	argv[n++] = (char *)env->swapctl;
	argv[n++] = "policy";
	argv[n++] = (char *)verb;
	if (obj)
		argv[n++] = (char *)obj;
	if (cg && cg[0]) {
		argv[n++] = "--cgroup";
		argv[n++] = (char *)cg;
	}
	for (; sets && *sets && n < ST_ARRAY_SIZE(argv) - 3; sets++) {
		argv[n++] = "--set";
		argv[n++] = (char *)*sets;
	}
	argv[n] = NULL;
	return st_run(argv, out, outlen, SWAPCTL_TIMEOUT_S);
}

/*
 * "swapctl policy detach" for t: global, --cgroup PATH, or --cgroup-id ID
 * once the cgroup is gone (a path cannot name it any more).
 */
static int detach_target(const struct st_env *env, const struct target *t,
			 char *out, size_t outlen)
{
	char id[32];
	char *argv[] = { (char *)env->swapctl, "policy", "detach", NULL, NULL,
			 NULL };

	if (t->id && !access(t->path, F_OK)) {
		argv[3] = "--cgroup";
		argv[4] = (char *)t->path;
	} else if (t->id) {
		snprintf(id, sizeof(id), "%lld", t->id);
		argv[3] = "--cgroup-id";
		argv[4] = id;
	}
	return st_run(argv, out, outlen, SWAPCTL_TIMEOUT_S);
}

/* "swapctl policy VERB [OBJ] [--cgroup CG] [--set S]...": exit status. */
static int policy_cmd(FIXTURE_DATA(policy) *self, char *out, size_t outlen,
		      const char *verb, const char *obj, const char *cg,
		      const char *const *sets)
{
	double t0 = st_now();
	char cmd[1024] = "";
	const char *const *s;
	int rc;

	rc = swapctl_argv(&self->env, out, outlen, verb, obj, cg, sets);
	st_appendf(cmd, sizeof(cmd), "swapctl policy %s", verb);
	if (obj)
		st_appendf(cmd, sizeof(cmd), " %s", obj);
	if (cg && cg[0])
		st_appendf(cmd, sizeof(cmd), " --cgroup %s", cg);
	for (s = sets; s && *s; s++)
		st_appendf(cmd, sizeof(cmd), " --set %s", *s);
	ksft_print_msg("%s: exit %d after %.1f s: %s\n", cmd, rc,
		       st_now() - t0, st_oneline(out, outlen));
	return rc;
}

/* Remember a target for teardown (before attaching to it). */
static void record_target(FIXTURE_DATA(policy) *self, long long id,
			  const char *cg)
{
	int i, free_slot = -1;

	for (i = 0; i < MAX_TARGETS; i++) {
		if (self->tg[i].used && self->tg[i].id == id)
			return;
		if (!self->tg[i].used && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return;
	self->tg[free_slot].id = id;
	snprintf(self->tg[free_slot].path, sizeof(self->tg[free_slot].path),
		 "%s", cg ? cg : "");
	self->tg[free_slot].used = true;
}

static long long target_id(struct __test_metadata *_metadata, const char *cg)
{
	long long id;

	if (!cg)
		return 0;
	id = cg_id(cg);
	ASSERT_GT(id, 0LL) TH_LOG("stat %s: %s", cg, strerror((int)-id));
	return id;
}

static void pstat(struct __test_metadata *_metadata, long long id,
		  struct pol_stat *ps)
{
	char t[32];
	int rc;

	pol_target_name((unsigned long long)id, t, sizeof(t));
	rc = pol_stat_read((unsigned long long)id, ps);
	ASSERT_EQ(0, rc) TH_LOG("%s/%s: %s: the policy is not attached",
				POL_SYSFS, t, strerror(-rc));
	ASSERT_NE(-1LL, ps->place) TH_LOG("%s/%s/place_calls unreadable",
					 POL_SYSFS, t);
	ASSERT_NE(-1LL, ps->errors) TH_LOG("%s/%s/errors unreadable",
					  POL_SYSFS, t);
}

static void pstat_print(const char *what, long long id,
			const struct pol_stat *a, const struct pol_stat *b)
{
	char t[32];

	pol_target_name((unsigned long long)id, t, sizeof(t));
	ksft_print_msg("policy %s (%s) %s: place +%lld writeback +%lld tick +%lld swapin +%lld errors %lld last_error \"%s\"\n",
		       t, b->name, what, b->place - a->place,
		       b->writeback - a->writeback, b->tick - a->tick,
		       b->swapin - a->swapin, b->errors, b->last_error);
}

/*
 * Attach (verb "load" or "replace") obj to cg (NULL: global) and check
 * the result: exit 0, the sysfs directory with the policy's name and
 * cgroup id, the pin.  Returns the target's id.
 */
static long long attach(struct __test_metadata *_metadata,
			FIXTURE_DATA(policy) *self, const char *verb,
			const char *obj, const char *name, const char *cg,
			const char *const *sets)
{
	long long id = target_id(_metadata, cg);
	char out[OUT_LEN], pin[PATH_MAX], t[32];
	struct pol_stat ps;
	int rc;

	pol_target_name((unsigned long long)id, t, sizeof(t));
	pol_pin_path((unsigned long long)id, pin, sizeof(pin));
	record_target(self, id, cg);
	rc = policy_cmd(self, out, sizeof(out), verb, obj, cg, sets);
	ASSERT_EQ(0, rc) TH_LOG("swapctl policy %s %s failed: %s", verb, obj,
				out);
	rc = pol_stat_read((unsigned long long)id, &ps);
	ASSERT_EQ(0, rc) TH_LOG("no %s/%s after swapctl policy %s succeeded",
				POL_SYSFS, t, verb);
	ASSERT_STREQ(name, ps.name) TH_LOG("%s/%s/name", POL_SYSFS, t);
	ASSERT_EQ(id, ps.cgroup_id) TH_LOG("%s/%s/cgroup_id", POL_SYSFS, t);
	ASSERT_TRUE(pol_pin_exists((unsigned long long)id))
		TH_LOG("swapctl policy %s succeeded but left no pin %s", verb,
		       pin);
	return id;
}

/* Nothing attached anywhere, no pin left. */
static void assert_nothing_attached(struct __test_metadata *_metadata,
				    const char *after)
{
	char desc[1024];
	int n;

	n = pol_list(desc, sizeof(desc));
	ASSERT_EQ(0, n) TH_LOG("after %s: policies attached: %s", after, desc);
	n = pol_pins_list(desc, sizeof(desc));
	ASSERT_EQ(0, n) TH_LOG("after %s: pins left in %s: %s", after,
			       POL_PIN_DIR, desc);
}

/* The object the build makes (make bpf) must be there. */
static void need_obj(struct __test_metadata *_metadata, const char *name,
		     bool test, char *path, size_t len)
{
	ASSERT_EQ(0, pol_obj_path(name, test, path, len))
		TH_LOG("%.900s missing (make bpf builds it)", path);
}

FIXTURE_SETUP(policy)
{
	char out[OUT_LEN];
	int rc;

	self->w = (struct worker)WORKER_INIT;
	self->w2 = (struct worker)WORKER_INIT;
	self->owner = getpid();
	st_fixture_precheck(_metadata, &self->env, ST_NEED_POLICY);
	rc = swapctl_argv(&self->env, out, sizeof(out), "show", NULL, NULL,
			  NULL);
	ASSERT_EQ(0, rc) TH_LOG("%.400s policy show: exit %d: %.400s",
				self->env.swapctl, rc,
				st_oneline(out, sizeof(out)));
	assert_nothing_attached(_metadata, "recovery, before the test");

	st_fixture_ghost_cg(_metadata, &self->env, self->ghost,
			    sizeof(self->ghost), GHOST_SIZE, "policy", self->cg,
			    sizeof(self->cg));
}

/*
 * Runs in the harness parent after the test process ends, even after a
 * failure: a test's helper processes first, then the policies (so that no
 * hook runs for what follows), the workers, the ghost, the back ends and
 * the cgroups.
 */
FIXTURE_TEARDOWN_PARENT(policy)
{
	char out[OUT_LEN], desc[1024], log[1024] = "";
	int i, n, rc, err;

	if (self->helper_pgid > 0) {
		kill(-self->helper_pgid, SIGKILL);
		st_kill_wait(self->helper_pgid, 10);
	}
	for (i = 0; i < MAX_TARGETS; i++) {
		struct target *t = &self->tg[i];
		char pin[PATH_MAX];

		if (!t->used)
			continue;
		pol_pin_path((unsigned long long)t->id, pin, sizeof(pin));
		if (pol_attached((unsigned long long)t->id) ||
		    pol_pin_exists((unsigned long long)t->id)) {
			rc = detach_target(&self->env, t, out, sizeof(out));
			TEARDOWN_CHECK(rc == 0,
				       "swapctl policy detach (%s): exit %d: %s",
				       t->id ? t->path : "global", rc,
				       st_oneline(out, sizeof(out)));
			if (!access(pin, F_OK) && unlink(pin))
				TEARDOWN_CHECK(0, "rm %s: %s", pin,
					       strerror(errno));
		}
	}
	n = pol_pins_list(desc, sizeof(desc));
	if (n > 0) {
		pol_pins_remove_all(log, sizeof(log));
		TEARDOWN_CHECK(0, "pins nobody asked for were left in %s: %s",
			       POL_PIN_DIR, log);
	}
	err = pol_wait_none(DETACH_WAIT_MS, desc, sizeof(desc));
	TEARDOWN_CHECK(!err, "policies still attached after detaching: %s",
		       desc);

	st_worker_end(&self->w, self->owner);
	st_worker_end(&self->w2, self->owner);
	st_ghost_teardown(_metadata, self->ghost, self->be, MAX_BACKENDS);
	st_cg_remove(_metadata, self->child, false);
	st_cg_remove(_metadata, self->cg2, false);
	st_cg_remove(_metadata, self->cg, true);
}

/* Back end i of tier on the whole disk (st_backend_on()). */
static void add_backend(struct __test_metadata *_metadata,
			FIXTURE_DATA(policy) *self, int i, const char *disk,
			const char *tier)
{
	st_backend_on(_metadata, &self->env, &self->be[i], disk, 0, tier);
}

static void make_cg2(struct __test_metadata *_metadata,
		     FIXTURE_DATA(policy) *self)
{
	int rc = cg_create("policy-b", self->cg2, sizeof(self->cg2));

	ASSERT_EQ(0, rc) TH_LOG("mkdir second cgroup: %s", strerror(-rc));
}

static void make_child(struct __test_metadata *_metadata,
		       FIXTURE_DATA(policy) *self)
{
	int rc = cg_create_child(self->cg, "c", self->child,
				 sizeof(self->child));

	ASSERT_EQ(0, rc) TH_LOG("mkdir %s/c: %s", self->cg, strerror(-rc));
}

/*
 * Verify every page of w (swap-in); the back ends must have read at least
 * their pages that were not resident (on_backends of them were on them at
 * s1), without a read error.
 */
static void verify(struct __test_metadata *_metadata, const char *cg,
		   struct worker *w, const struct st_snap *s1,
		   long long on_backends)
{
	struct worker_resp r;
	struct st_snap s2;
	long long reads;

	st_worker_check(_metadata, w, &r);
	st_snap_after_io(cg, s1, &s2);
	st_snap_print("after verify", s1, &s2, true);
	reads = s2.ssd.read - s1->ssd.read + s2.hdd.read - s1->hdd.read;
	ASSERT_GE(reads, on_backends - r.resident)
		TH_LOG("%lld pages on back ends, %lld resident, but only %lld read",
		       on_backends, (long long)r.resident, reads);
	ASSERT_EQ(0LL, s2.ssd.read_errors - s1->ssd.read_errors +
		       s2.hdd.read_errors - s1->hdd.read_errors);
	st_assert_io_accounted(_metadata, s1, &s2);
}

/* Run cycles WORKER_CYCLES on w (MADV_PAGEOUT, verify, rewrite). */
static unsigned long long cycles(struct __test_metadata *_metadata,
				 struct worker *w, int n)
{
	struct worker_resp r;
	int rc;

	rc = worker_request_arg(w, WORKER_CYCLES, (uint64_t)n, &r,
				ST_WORKER_TIMEOUT_S);
	ASSERT_EQ(0ULL, (unsigned long long)r.bad_pages)
		TH_LOG("%llu bad pages, first %llu offset %llu: expected 0x%02x found 0x%02x",
		       (unsigned long long)r.bad_pages,
		       (unsigned long long)r.first_bad_page,
		       (unsigned long long)r.first_bad_off, r.expected,
		       r.actual);
	ASSERT_EQ(0, rc) TH_LOG("cycles: %s: %s", r.what, strerror(-rc));
	ASSERT_EQ((unsigned long long)n, (unsigned long long)r.cycles);
	return r.paged_out;
}

/*
 * What the built-in rule does with compressible pages over
 * memory.zswap.max: zswap writes entries back, each to the SSD (the only
 * back end, with room), nothing stays in memory for want of a place, and
 * every back-end I/O is accounted.
 */
static void assert_builtin_writeback(struct __test_metadata *_metadata,
				     const struct st_snap *s0,
				     const struct st_snap *s1)
{
	ASSERT_GT(s1->zswpwb - s0->zswpwb, 0LL)
		TH_LOG("memory.stat zswpwb did not rise although zswap was over memory.zswap.max");
	ASSERT_GE(s1->ssd.written - s0->ssd.written, s1->g_zswpwb - s0->g_zswpwb)
		TH_LOG("%lld entries written back but the SSD completed only %lld writes",
		       s1->g_zswpwb - s0->g_zswpwb,
		       s1->ssd.written - s0->ssd.written);
	ASSERT_EQ(0LL, s1->ssd.write_errors - s0->ssd.write_errors);
	ASSERT_EQ(s0->reject, s1->reject)
		TH_LOG("pages stayed in memory although the SSD had room");
	st_assert_io_accounted(_metadata, s0, s1);
}

static void assert_no_errors(struct __test_metadata *_metadata,
			     const struct pol_stat *p)
{
	ASSERT_EQ(0LL, p->errors)
		TH_LOG("policy %s: %lld invalid verdicts (last: %s) although it returns only valid ones",
		       p->name, p->errors, p->last_error);
	ASSERT_STREQ("none", p->last_error_hook);
	ASSERT_EQ(0LL, p->last_error_value)
		TH_LOG("policy %s: last_error %lld with last_error_hook none",
		       p->name, p->last_error_value);
}

/*
 * count (progs/count.bpf.c) from its skeleton, loaded with the verdicts
 * place and writeback and generation gen for the cgroup of id (0:
 * global), not attached.  With share (a loaded copy), its globals (.bss,
 * .data) are share's: both copies count into the same variables.
 */
static struct count_bpf *count_load(struct __test_metadata *_metadata,
				    long long id, int place, int writeback,
				    unsigned int gen, struct count_bpf *share)
{
	struct count_bpf *skel;
	int rc;

	st_libbpf_print_warnings();
	skel = count_bpf__open();
	ASSERT_NE(NULL, skel) TH_LOG("count_bpf__open: %s", strerror(errno));
	skel->rodata->place_verdict = place;
	skel->rodata->writeback_verdict = writeback;
	skel->rodata->gen = gen;
	/* the attach target, as swapctl's --cgroup sets it */
	skel->struct_ops.count_ops->cgroup_id = (unsigned long long)id;
	if (share) {
		rc = bpf_map__reuse_fd(skel->maps.bss,
				       bpf_map__fd(share->maps.bss));
		ASSERT_EQ(0, rc) TH_LOG("reusing .bss: %s", strerror(-rc));
		rc = bpf_map__reuse_fd(skel->maps.data,
				       bpf_map__fd(share->maps.data));
		ASSERT_EQ(0, rc) TH_LOG("reusing .data: %s", strerror(-rc));
	}
	rc = count_bpf__load(skel);
	ASSERT_EQ(0, rc) TH_LOG("count_bpf__load (gen %u): %s", gen,
				strerror(-rc));
	return skel;
}

/*
 * Attach skel's ops (for the cgroup of id, as loaded): the policy's sysfs
 * directory is there, named "count", for id.  The link lives as long as
 * this process (or the link's destruction).
 */
static struct bpf_link *count_attach(struct __test_metadata *_metadata,
				     struct count_bpf *skel, long long id)
{
	struct bpf_link *link = bpf_map__attach_struct_ops(skel->maps.count_ops);
	struct pol_stat ps;
	int rc;

	ASSERT_NE(NULL, link) TH_LOG("attaching count to %lld: %s", id,
				     strerror(errno));
	rc = pol_stat_read((unsigned long long)id, &ps);
	ASSERT_EQ(0, rc) TH_LOG("no policy directory for %lld after attaching",
				id);
	ASSERT_STREQ("count", ps.name);
	ASSERT_EQ(id, ps.cgroup_id);
	return link;
}

/*
 * 1. The shipped "default" policy, attached globally, places pages exactly
 * as the kernel does without a policy (tier_test writeback_to_ssd and
 * incompressible_direct_to_ssd): compressible pages go to zswap and, with
 * memory.zswap.max small, are written back to the SSD; incompressible ones
 * (refused by zswap) go straight to the SSD; nothing stays in memory for
 * want of a place.  place() saw every page zswap stored, writeback() every
 * entry written back and every refused page, and no verdict was invalid.
 * A second policy for the same target is refused and changes nothing.
 */
TEST_F_TIMEOUT(policy, default_policy_matches_builtin, 120)
{
	size_t ps = st_page_size(), n1 = 16 * ST_MiB / ps, n2 = 8 * ST_MiB / ps;
	struct worker_resp ready, ready2;
	struct st_snap s0, s1, t0, t1;
	struct pol_stat p0, p1, p2, p3;
	char obj[PATH_MAX], out[OUT_LEN];
	long long on_ssd, direct;
	int rc;

	need_obj(_metadata, "default", false, obj, sizeof(obj));
	add_backend(_metadata, self, 0, self->env.ssd, "ssd");
	make_cg2(_metadata, self);
	attach(_metadata, self, "load", "default", "default", NULL, NULL);

	rc = policy_cmd(self, out, sizeof(out), "load", "default", NULL, NULL);
	ASSERT_NE(0, rc) TH_LOG("a second global policy was accepted");
	pstat(_metadata, 0, &p0);
	ASSERT_STREQ("default", p0.name);

	/* Compressible pages: zswap, then writeback to the SSD. */
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "32K"));
	st_swap_out(_metadata, self->cg, &self->w, n1, CANARY_COMPRESSIBLE, "16M",
		 RECLAIM_LONG_MS, &ready, &s0, &s1);
	pstat(_metadata, 0, &p1);
	pstat_print("compressible", 0, &p0, &p1);
	ASSERT_GT(s1.zswpout - s0.zswpout, 0LL) TH_LOG("zswap stored nothing");
	assert_builtin_writeback(_metadata, &s0, &s1);
	ASSERT_GE(p1.place - p0.place, s1.zswpout - s0.zswpout)
		TH_LOG("zswap stored %lld pages but place() ran %lld times",
		       s1.zswpout - s0.zswpout, p1.place - p0.place);
	ASSERT_GE(p1.writeback - p0.writeback, s1.zswpwb - s0.zswpwb)
		TH_LOG("zswap wrote %lld entries back but writeback() ran %lld times",
		       s1.zswpwb - s0.zswpwb, p1.writeback - p0.writeback);
	assert_no_errors(_metadata, &p1);
	on_ssd = s1.ssd.used - s0.ssd.used;
	verify(_metadata, self->cg, &self->w, &s1, on_ssd);

	/* Incompressible pages: refused by zswap, straight to the SSD. */
	pstat(_metadata, 0, &p2);
	st_swap_out(_metadata, self->cg2, &self->w2, n2, CANARY_INCOMPRESSIBLE,
		 "8M", RECLAIM_LONG_MS, &ready2, &t0, &t1);
	pstat(_metadata, 0, &p3);
	pstat_print("incompressible", 0, &p2, &p3);
	direct = t1.ssd.written - t0.ssd.written;
	ASSERT_GE(direct, (long long)n2 / 2)
		TH_LOG("the SSD took %lld of %zu incompressible pages", direct,
		       n2);
	ASSERT_EQ(0LL, t1.ssd.write_errors - t0.ssd.write_errors);
	ASSERT_EQ(t0.reject, t1.reject)
		TH_LOG("swpout_ghost_reject rose by %lld although the SSD had room",
		       t1.reject - t0.reject);
	ASSERT_LE(t1.zswpout - t0.zswpout, st_zswpout_slack(&ready2))
		TH_LOG("zswap stored incompressible pages");
	ASSERT_GE(p3.place - p2.place, direct)
		TH_LOG("%lld pages went to the SSD but place() ran %lld times",
		       direct, p3.place - p2.place);
	ASSERT_GE(p3.writeback - p2.writeback, direct)
		TH_LOG("%lld refused pages went to the SSD but writeback() ran %lld times",
		       direct, p3.writeback - p2.writeback);
	st_assert_io_accounted(_metadata, &t0, &t1);
	assert_no_errors(_metadata, &p3);
	verify(_metadata, self->cg2, &self->w2, &t1, direct);
}

/*
 * 2. "batch" attached globally, listing cgroup A: A's compressible pages
 * skip zswap and go straight to the SSD; cgroup B, not listed, still
 * swaps to zswap (and nothing of it reaches the SSD).
 */
TEST_F_TIMEOUT(policy, batch_skips_zswap, 120)
{
	size_t ps = st_page_size(), npages = 8 * ST_MiB / ps;
	struct worker_resp ready, ready2;
	struct st_snap s0, s1, t0, t1;
	struct pol_stat p0, p1, p2;
	char obj[PATH_MAX], set[PATH_MAX + 32];
	long long direct;

	need_obj(_metadata, "batch", false, obj, sizeof(obj));
	add_backend(_metadata, self, 0, self->env.ssd, "ssd");
	make_cg2(_metadata, self);
	snprintf(set, sizeof(set), "batch_cgroups=%s", self->cg);
	attach(_metadata, self, "load", "batch", "batch", NULL, SETS(set));

	pstat(_metadata, 0, &p0);
	st_swap_out(_metadata, self->cg, &self->w, npages, CANARY_COMPRESSIBLE,
		 "8M", RECLAIM_LONG_MS, &ready, &s0, &s1);
	pstat(_metadata, 0, &p1);
	pstat_print("listed cgroup", 0, &p0, &p1);
	direct = s1.ssd.written - s0.ssd.written;
	ASSERT_LE(s1.zswpout - s0.zswpout, st_zswpout_slack(&ready))
		TH_LOG("zswap stored %lld pages of a cgroup batch lists",
		       s1.zswpout - s0.zswpout);
	ASSERT_GT(direct, (long long)npages / 2)
		TH_LOG("the SSD took %lld of %zu pages", direct, npages);
	ASSERT_EQ(s0.zswpwb, s1.zswpwb);
	ASSERT_EQ(s0.reject, s1.reject);
	ASSERT_EQ(0LL, s1.ssd.write_errors - s0.ssd.write_errors);
	ASSERT_GE(p1.place - p0.place, direct)
		TH_LOG("%lld pages went to the SSD but place() ran %lld times",
		       direct, p1.place - p0.place);
	st_assert_io_accounted(_metadata, &s0, &s1);
	assert_no_errors(_metadata, &p1);
	verify(_metadata, self->cg, &self->w, &s1, s1.ssd.used - s0.ssd.used);

	st_swap_out(_metadata, self->cg2, &self->w2, npages, CANARY_COMPRESSIBLE,
		 "8M", RECLAIM_LONG_MS, &ready2, &t0, &t1);
	pstat(_metadata, 0, &p2);
	pstat_print("unlisted cgroup", 0, &p1, &p2);
	ASSERT_GE(t1.zswpout - t0.zswpout, (long long)npages / 2)
		TH_LOG("zswap took only %lld of %zu pages of a cgroup batch does not list",
		       t1.zswpout - t0.zswpout, npages);
	ASSERT_EQ(t0.ssd.written, t1.ssd.written)
		TH_LOG("the SSD took %lld pages of a cgroup batch does not list",
		       t1.ssd.written - t0.ssd.written);
	ASSERT_GE(p2.place - p1.place, t1.zswpout - t0.zswpout);
	assert_no_errors(_metadata, &p2);
	verify(_metadata, self->cg2, &self->w2, &t1, 0);
}

/*
 * 3. "latency" listing cgroup A (memory.zswap.max small): A's pages live
 * in zswap only: nothing of A is written back or reaches the SSD, and the
 * pages zswap refuses stay in memory (swpout_ghost_reject).  Cgroup B,
 * not listed, swaps to zswap with no limit, and the policy's tick() has
 * its entries written back to the SSD within a few seconds anyway, while
 * A's entries stay in zswap.
 */
/*
 * tick() asks for LATENCY_BATCH pages a tick (policy_tick_ms, 1 s): zswap
 * walks that many entries of each cgroup, giving each a second chance
 * first, so B's 2048 entries need a few ticks before the first goes.
 */
#define LATENCY_WAIT_S		30
#define LATENCY_BATCH		512

TEST_F_TIMEOUT(policy, latency_keeps_zswap, 120)
{
	size_t ps = st_page_size(), npages = 8 * ST_MiB / ps;
	struct worker_resp ready, ready2, r;
	struct st_snap s0, s1, t0, t1, t2, a2;
	struct pol_stat p0, p1, p2;
	char obj[PATH_MAX], set[PATH_MAX + 32], batch[64];
	double start;

	need_obj(_metadata, "latency", false, obj, sizeof(obj));
	add_backend(_metadata, self, 0, self->env.ssd, "ssd");
	make_cg2(_metadata, self);
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "32K"));
	snprintf(set, sizeof(set), "latency_cgroups=%s", self->cg);
	snprintf(batch, sizeof(batch), "writeback_batch=%d", LATENCY_BATCH);
	attach(_metadata, self, "load", "latency", "latency", NULL,
	       SETS(set, batch));

	/* A: zswap only; what does not fit stays in memory. */
	pstat(_metadata, 0, &p0);
	st_swap_out(_metadata, self->cg, &self->w, npages, CANARY_COMPRESSIBLE,
		 "8M", RECLAIM_SHORT_MS, &ready, &s0, &s1);
	pstat(_metadata, 0, &p1);
	pstat_print("latency cgroup", 0, &p0, &p1);
	ASSERT_GT(s1.zswpout - s0.zswpout, 0LL) TH_LOG("zswap stored nothing");
	ASSERT_EQ(s0.zswpwb, s1.zswpwb)
		TH_LOG("%lld entries of a latency cgroup were written back",
		       s1.zswpwb - s0.zswpwb);
	ASSERT_EQ(s0.ssd.written, s1.ssd.written)
		TH_LOG("the SSD took %lld pages of a latency cgroup",
		       s1.ssd.written - s0.ssd.written);
	ASSERT_EQ(s0.g_pswpout, s1.g_pswpout) TH_LOG("block I/O reached swap");
	ASSERT_GT(s1.reject - s0.reject, 0LL)
		TH_LOG("no page stayed in memory although zswap (memory.zswap.max 32K) cannot hold %zu pages and the policy allows no back end",
		       npages);
	ASSERT_GT(p1.place - p0.place, 0LL);
	assert_no_errors(_metadata, &p1);

	/* B: zswap, then written back from tick(). */
	st_swap_out(_metadata, self->cg2, &self->w2, npages, CANARY_COMPRESSIBLE,
		 "8M", RECLAIM_LONG_MS, &ready2, &t0, &t1);
	ASSERT_GE(t1.zswpout - t0.zswpout, (long long)npages / 2)
		TH_LOG("zswap took only %lld of %zu pages of an unlisted cgroup",
		       t1.zswpout - t0.zswpout, npages);
	start = st_now();
	do {
		st_sleep_ms(1000);
		st_snap_after_io(self->cg2, &t1, &t2);
	} while ((t2.zswpwb == t1.zswpwb || t2.ssd.written == t1.ssd.written) &&
		 st_now() - start < LATENCY_WAIT_S);
	pstat(_metadata, 0, &p2);
	st_snap_print("unlisted cgroup, after waiting for ticks", &t1, &t2,
		      true);
	pstat_print("after waiting", 0, &p1, &p2);
	ASSERT_GT(p2.tick - p1.tick, 0LL) TH_LOG("tick() never ran");
	ASSERT_GT(t2.zswpwb - t1.zswpwb, 0LL)
		TH_LOG("no entry of the unlisted cgroup written back within %d s (tick() asks for %d pages a tick)",
		       LATENCY_WAIT_S, LATENCY_BATCH);
	ASSERT_GT(t2.ssd.written - t1.ssd.written, 0LL)
		TH_LOG("the SSD took nothing within %d s", LATENCY_WAIT_S);
	ASSERT_EQ(0LL, t2.ssd.write_errors - t0.ssd.write_errors);

	/* A's entries are all still in zswap. */
	st_snap_take(self->cg, 0, &a2);
	ASSERT_EQ(s0.zswpwb, a2.zswpwb)
		TH_LOG("tick-driven writeback took %lld entries of the latency cgroup",
		       a2.zswpwb - s0.zswpwb);
	ASSERT_GT(a2.zswapped, 0LL);
	assert_no_errors(_metadata, &p2);

	st_worker_check(_metadata, &self->w, &r);
	verify(_metadata, self->cg2, &self->w2, &t2,
	       t2.ssd.used - t0.ssd.used);
}

/*
 * 4. "compress_aware" (poor_ratio_pct=40, pool_full_pct=90) chooses which
 * entries zswap writes back when it makes room (memory.zswap.max small):
 *  - compressible pages (a few dozen bytes compressed: well compressed)
 *    stay in zswap: writeback() answers SWAP_TIER_NOT_NOW, the zswap pool
 *    being far below 90% of its limit, so not one entry is written back
 *    (the built-in default writes them back: test 1); the pages zswap
 *    refuses meanwhile go straight to the SSD (reason REFUSED);
 *  - half-compressible pages of a second cgroup (a little over half a
 *    page compressed: poorly compressed at 40%) are written back;
 *  - replaced by compress_aware with pool_full_pct=0 (the pool always
 *    counts as full), the compressible pages are written back too.
 * Every page comes back intact.
 */
#define CA_ZSWAP_MAX		"32K"	/* ~650 compressible pages */
#define CA_HALF_ZSWAP_MAX	"64K"	/* ~30 half-compressible pages */

static void ca_run(struct __test_metadata *_metadata, const char *cg,
		   struct worker *w, size_t npages, enum canary_kind kind,
		   const char *amount, const char *what, struct st_snap *s0,
		   struct st_snap *s1, struct pol_stat *p0,
		   struct pol_stat *p1)
{
	struct worker_resp ready;

	pstat(_metadata, 0, p0);
	st_swap_out(_metadata, cg, w, npages, kind, amount, RECLAIM_LONG_MS,
		 &ready, s0, s1);
	pstat(_metadata, 0, p1);
	pstat_print(what, 0, p0, p1);
	ASSERT_GT(s1->zswpout - s0->zswpout, 0LL) TH_LOG("zswap stored nothing");
	ASSERT_EQ(0LL, s1->ssd.write_errors - s0->ssd.write_errors);
	ASSERT_EQ(s0->reject, s1->reject)
		TH_LOG("pages stayed in memory although the SSD had room");
	st_assert_io_accounted(_metadata, s0, s1);
	assert_no_errors(_metadata, p1);
}

TEST_F_TIMEOUT(policy, compress_aware, 120)
{
	size_t ps = st_page_size(), nc = 8 * ST_MiB / ps, nh = 4 * ST_MiB / ps;
	struct st_snap s0, s1, t0, t1;
	struct pol_stat p0, p1;
	char obj[PATH_MAX];

	need_obj(_metadata, "compress_aware", false, obj, sizeof(obj));
	add_backend(_metadata, self, 0, self->env.ssd, "ssd");
	make_cg2(_metadata, self);
	attach(_metadata, self, "load", "compress_aware", "compress_aware",
	       NULL, SETS("poor_ratio_pct=40", "pool_full_pct=90"));

	/* Well compressed: kept in zswap; what does not fit goes direct. */
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", CA_ZSWAP_MAX));
	ca_run(_metadata, self->cg, &self->w, nc, CANARY_COMPRESSIBLE, "8M",
	       "compressible pages", &s0, &s1, &p0, &p1);
	ASSERT_EQ(s0.zswpwb, s1.zswpwb)
		TH_LOG("%lld well-compressed entries written back while the pool is far below pool_full_pct",
		       s1.zswpwb - s0.zswpwb);
	ASSERT_GT(p1.writeback - p0.writeback, 0LL)
		TH_LOG("writeback() never ran although zswap was over memory.zswap.max");
	ASSERT_GT(s1.ssd.written - s0.ssd.written, 0LL)
		TH_LOG("the pages zswap refused did not go to the SSD");
	verify(_metadata, self->cg, &self->w, &s1, s1.ssd.used - s0.ssd.used);
	worker_stop(&self->w);

	/* Poorly compressed: written back. */
	ASSERT_EQ(0, cg_write(self->cg2, "memory.zswap.max",
			      CA_HALF_ZSWAP_MAX));
	ca_run(_metadata, self->cg2, &self->w2, nh, CANARY_HALF, "4M",
	       "half-compressible pages", &t0, &t1, &p0, &p1);
	ASSERT_GT(t1.zswpwb - t0.zswpwb, 0LL)
		TH_LOG("no poorly compressed entry written back although zswap was over memory.zswap.max");
	ASSERT_GE(p1.writeback - p0.writeback, t1.zswpwb - t0.zswpwb);
	ASSERT_GE(t1.ssd.written - t0.ssd.written, t1.g_zswpwb - t0.g_zswpwb)
		TH_LOG("%lld entries written back, the SSD completed %lld writes",
		       t1.g_zswpwb - t0.g_zswpwb,
		       t1.ssd.written - t0.ssd.written);
	verify(_metadata, self->cg2, &self->w2, &t1,
	       t1.ssd.used - t0.ssd.used);

	/* The pool counts as full: well-compressed entries go too. */
	attach(_metadata, self, "replace", "compress_aware", "compress_aware",
	       NULL, SETS("poor_ratio_pct=40", "pool_full_pct=0"));
	ca_run(_metadata, self->cg, &self->w, nc, CANARY_COMPRESSIBLE, "8M",
	       "compressible pages, pool_full_pct=0", &s0, &s1, &p0, &p1);
	ASSERT_GT(s1.zswpwb - s0.zswpwb, 0LL)
		TH_LOG("no well-compressed entry written back although the pool counts as full");
	ASSERT_GE(s1.ssd.written - s0.ssd.written, s1.g_zswpwb - s0.g_zswpwb);
	verify(_metadata, self->cg, &self->w, &s1, s1.ssd.used - s0.ssd.used);
}

/*
 * 5. "ssd_wear" with a budget of 256 SSD pages per minute: once the
 * budget is used, writeback() sends pages to the HDD only.  The SSD takes
 * at most the budget plus what was in flight when it ran out (the policy
 * counts completed writes), the HDD the rest; everything comes back.
 */
#define WEAR_BUDGET		256
#define WEAR_INFLIGHT_SLACK	128

TEST_F_TIMEOUT(policy, ssd_wear_caps_ssd, 120)
{
	size_t ps = st_page_size(), npages = 12 * ST_MiB / ps;
	struct worker_resp ready;
	struct st_snap s0, s1;
	struct pol_stat p0, p1;
	char obj[PATH_MAX], set[64];
	long long ssd, hdd;

	need_obj(_metadata, "ssd_wear", false, obj, sizeof(obj));
	add_backend(_metadata, self, 0, self->env.ssd, "ssd");
	add_backend(_metadata, self, 1, self->env.hdd, "hdd");
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "64K"));
	snprintf(set, sizeof(set), "ssd_pages_per_interval=%d", WEAR_BUDGET);
	attach(_metadata, self, "load", "ssd_wear", "ssd_wear", NULL,
	       SETS(set, "interval_ms=60000"));

	pstat(_metadata, 0, &p0);
	st_swap_out(_metadata, self->cg, &self->w, npages, CANARY_MIXED, "12M",
		 RECLAIM_LONG_MS, &ready, &s0, &s1);
	pstat(_metadata, 0, &p1);
	pstat_print("mixed pages", 0, &p0, &p1);
	ssd = s1.ssd.written - s0.ssd.written;
	hdd = s1.hdd.written - s0.hdd.written;
	ASSERT_GT(ssd, 0LL) TH_LOG("the SSD took nothing of its budget");
	ASSERT_LE(ssd, (long long)(WEAR_BUDGET + WEAR_INFLIGHT_SLACK))
		TH_LOG("the SSD took %lld pages, budget %d a minute (+%d in flight)",
		       ssd, WEAR_BUDGET, WEAR_INFLIGHT_SLACK);
	ASSERT_GT(hdd, (long long)npages / 4)
		TH_LOG("the HDD took only %lld pages", hdd);
	ASSERT_GT(p1.writeback - p0.writeback, 0LL);
	ASSERT_GE(p1.writeback - p0.writeback, ssd + hdd)
		TH_LOG("%lld back-end writes but writeback() ran %lld times (place() says zswap first)",
		       ssd + hdd, p1.writeback - p0.writeback);
	ASSERT_EQ(0LL, s1.ssd.write_errors - s0.ssd.write_errors +
		       s1.hdd.write_errors - s0.hdd.write_errors);
	ASSERT_EQ(s0.reject, s1.reject)
		TH_LOG("pages stayed in memory although the HDD had room");
	st_assert_io_accounted(_metadata, &s0, &s1);
	assert_no_errors(_metadata, &p1);
	verify(_metadata, self->cg, &self->w, &s1,
	       s1.ssd.used - s0.ssd.used + s1.hdd.used - s0.hdd.used);
}

/*
 * 6. Objects the kernel must refuse: swapctl policy load fails with a
 * message saying why (the verifier's words, the missing kfunc, EINVAL),
 * attaches nothing and pins nothing; swapping works as before.
 * bad_kfunc_prog_type has no struct_ops map, so swapctl refuses it itself:
 * the same program (a BPF_PROG_TYPE_SYSCALL one calling
 * bpf_swap_tier_nr_tiers()) is also loaded with bpf(BPF_PROG_LOAD)
 * directly, and the verifier must refuse the kfunc (EACCES).
 */
struct bad_obj {
	const char *name;
	const char *why;		/* what the kernel objects to */
	const char *needles[3];		/* the message has one of them */
};

static const struct bad_obj bad_objs[] = {
	{ "bad_ctx_write", "writes its read-only context",
	  { "only read is supported" } },
	{ "bad_unknown_kfunc", "calls a kfunc the kernel does not have",
	  { "bpf_swap_tier_no_such_kfunc" } },
	{ "bad_return_void", "returns nothing from place()",
	  { "R0 !read_ok", "!read_ok" } },
	{ "bad_kfunc_prog_type", "calls a swap tier kfunc from a syscall program",
	  { "is not allowed", "struct_ops" } },
	{ "bad_name", "has an empty name", { "Invalid argument", "EINVAL" } },
	{ "bad_flags", "sets an undefined flag",
	  { "Invalid argument", "EINVAL" } },
};

TEST_F_TIMEOUT(policy, verifier_rejections, 120)
{
	size_t ps = st_page_size(), npages = 4 * ST_MiB / ps;
	char objs[ST_ARRAY_SIZE(bad_objs)][PATH_MAX], out[OUT_LEN];
	static char vlog[65536];
	struct worker_resp ready, r;
	struct st_snap s0, s1;
	long long kfunc;
	size_t i, j;
	int rc, fd;

	for (i = 0; i < ST_ARRAY_SIZE(bad_objs); i++)
		need_obj(_metadata, bad_objs[i].name, true, objs[i],
			 sizeof(objs[i]));
	record_target(self, 0, NULL);
	for (i = 0; i < ST_ARRAY_SIZE(bad_objs); i++) {
		const struct bad_obj *b = &bad_objs[i];
		bool found = false;

		rc = policy_cmd(self, out, sizeof(out), "load", objs[i], NULL,
				NULL);
		ASSERT_NE(0, rc) TH_LOG("%s (%s) was accepted", b->name,
					b->why);
		ASSERT_TRUE(rc > 0 && rc < 128)
			TH_LOG("swapctl did not exit normally on %s: %d: %s",
			       b->name, rc, out);
		for (j = 0; j < ST_ARRAY_SIZE(b->needles) && b->needles[j]; j++)
			found |= strstr(out, b->needles[j]) != NULL;
		ASSERT_TRUE(found)
			TH_LOG("the message for %s (%s) does not say \"%s\"%s%s: %s",
			       b->name, b->why, b->needles[0],
			       b->needles[1] ? " or \"" : "",
			       b->needles[1] ? b->needles[1] : "", out);
		assert_nothing_attached(_metadata, b->name);
	}

	/*
	 * swapctl refuses bad_kfunc_prog_type before the kernel sees it (no
	 * struct_ops map): ask the kernel directly.  Its kfuncs are for
	 * swap_tier_ops programs only.
	 */
	kfunc = btf_vmlinux_find("bpf_swap_tier_nr_tiers", BTF_KIND_FUNC);
	ASSERT_GT(kfunc, 0LL)
		TH_LOG("no FUNC bpf_swap_tier_nr_tiers in the kernel's BTF: %s",
		       strerror((int)-kfunc));
	fd = bpf_load_syscall_kfunc_prog((unsigned int)kfunc, vlog,
					 sizeof(vlog));
	if (fd >= 0)
		close(fd);
	ksft_print_msg("BPF_PROG_TYPE_SYSCALL program calling bpf_swap_tier_nr_tiers: %s: %s\n",
		       fd >= 0 ? "loaded" : strerror(-fd),
		       st_oneline(vlog, sizeof(vlog)));
	ASSERT_EQ(-EACCES, fd)
		TH_LOG("a syscall program calling a swap tier kfunc: %s",
		       fd >= 0 ? "loaded" : strerror(-fd));
	ASSERT_TRUE(strstr(vlog, "calling kernel function bpf_swap_tier_nr_tiers is not allowed") != NULL)
		TH_LOG("verifier log: %s", vlog);

	st_snap_take(self->cg, 0, &s0);
	st_worker_start(_metadata, &self->w, self->cg, npages,
			CANARY_COMPRESSIBLE, &ready);
	st_reclaim(self->cg, "4M", RECLAIM_LONG_MS);
	st_snap_take(self->cg, ST_STATS_SETTLE_MS, &s1);
	st_snap_print("after reclaim", &s0, &s1, false);
	ASSERT_GE(s1.zswpout - s0.zswpout, (long long)npages / 2)
		TH_LOG("swapping to zswap broke: zswap stored %lld of %zu pages",
		       s1.zswpout - s0.zswpout, npages);
	st_worker_check(_metadata, &self->w, &r);
	assert_nothing_attached(_metadata, "swapping");
}

/*
 * 7. "count" attached to the worker's cgroup with place_verdict
 * 0x101 (SSD only): zswap never stores a page of it.  The test loads two
 * copies of count from its skeleton, generation 0 and 1, the second
 * sharing the first one's globals (.bss, .data), and attaches generation
 * 0.  While the worker pages out, verifies and rewrites its pages over
 * and over, a helper process replaces the policy 100 times: once as
 * swapctl's replace does (bpf_link__update_map(): set the new map's value,
 * BPF_LINK_UPDATE), then 99 times by BPF_LINK_UPDATE with BPF_F_REPLACE,
 * swapping the link between the two maps.  Each update runs the kernel's
 * replace path: init() of the new ops, the RCU switch, exit() of the old
 * ones (SWAP_TIER_EXIT_REPLACE).
 *
 * Had the built-in default run for a single page in between, that page's
 * place() would have run in neither generation: the place() calls of the
 * two generations (seen[0] + seen[1], read from the shared .bss) add up
 * to every swap-out attempt of the cgroup (the SSD's writes, zswap's
 * stores, the pages kept in memory) and to the kernel's place_calls of
 * the policy, both generations handled some, and zswap stored nothing.
 * The policy's sysfs directory stays, named "count", with no error; no
 * page is corrupted.
 *
 * (A "swapctl policy replace" parses the kernel's BTF and verifies the
 * object's programs: 3 to 7 s under QEMU TCG with KASAN, too slow for 100
 * in a test; the update itself takes milliseconds.  swapctl's replace has
 * its own test, compress_aware.)
 */
#define REPLACES		100
#define REPLACE_PAGES		64
/* Link updates are spread over this long, so the worker runs meanwhile. */
#define REPLACE_SPREAD_S	20
#define REPLACE_DEADLINE_S	90

struct replacer {
	int done;
	int replaced;
	int failed_rc;		/* -1 if a replace failed */
	int name_changes;	/* sysfs name seen other than "count" */
	int dir_missing;	/* sysfs directory seen missing */
	double seconds;
	char bad_name[32];
	char out[2048];
};

static void replacer_check(struct replacer *rp, long long id)
{
	struct pol_stat ps;

	if (pol_stat_read((unsigned long long)id, &ps)) {
		rp->dir_missing++;
	} else if (strcmp(ps.name, "count")) {
		rp->name_changes++;
		snprintf(rp->bad_name, sizeof(rp->bad_name), "%s", ps.name);
	}
}

/* Replace generation 0 (attached through link) by 1, 0, 1, ... */
static void run_replacer(struct replacer *rp, struct bpf_link *link,
			 struct count_bpf *const g[2], long long id)
{
	int map[2] = { bpf_map__fd(g[0]->maps.count_ops),
		       bpf_map__fd(g[1]->maps.count_ops) };
	double t0 = st_now();
	int i, rc;

	rc = bpf_link__update_map(link, g[1]->maps.count_ops);
	if (rc) {
		rp->failed_rc = -1;
		snprintf(rp->out, sizeof(rp->out), "bpf_link__update_map: %s",
			 strerror(-rc));
		goto out;
	}
	rp->replaced = 1;
	replacer_check(rp, id);

	for (i = 2; i <= REPLACES; i++) {
		/* Generation i % 2 takes over from the other one. */
		rc = bpf_link_update_map(bpf_link__fd(link), map[i % 2],
					 map[(i + 1) % 2]);
		if (rc) {
			rp->failed_rc = -1;
			snprintf(rp->out, sizeof(rp->out),
				 "link update %d: %s", i, strerror(-rc));
			goto out;
		}
		rp->replaced = i;
		replacer_check(rp, id);
		st_sleep_ms(REPLACE_SPREAD_S * 1000 / REPLACES);
	}
out:
	rp->seconds = st_now() - t0;
	__atomic_store_n(&rp->done, 1, __ATOMIC_SEQ_CST);
}

TEST_F_TIMEOUT(policy, replace_100_times_no_gap, 120)
{
	struct worker_resp ready, r;
	struct st_snap s0, s1;
	struct pol_stat p0, p1, p;
	struct count_bpf__bss b0, b1;
	struct count_bpf *g[2];
	struct bpf_link *link;
	unsigned long long paged_out = 0;
	struct replacer *rp;
	int nr_cycles = 0, samples = 0, status;
	long long id, seen0, seen1, attempts;
	double t0;
	pid_t pid;

	add_backend(_metadata, self, 0, self->env.ssd, "ssd");
	st_worker_start(_metadata, &self->w, self->cg, REPLACE_PAGES,
			CANARY_COMPRESSIBLE, &ready);
	id = target_id(_metadata, self->cg);
	g[0] = count_load(_metadata, id, SWAP_TIER_SSD | SWAP_TIER_ONLY,
			  SWAP_TIER_DEFAULT, 0, NULL);
	g[1] = count_load(_metadata, id, SWAP_TIER_SSD | SWAP_TIER_ONLY,
			  SWAP_TIER_DEFAULT, 1, g[0]);
	link = count_attach(_metadata, g[0], id);
	pstat(_metadata, id, &p0);
	b0 = *g[0]->bss;
	st_snap_take(self->cg, 0, &s0);
	st_snap_require_keys(_metadata, &s0);

	/* The policy alone: pages go to the SSD, never to zswap. */
	paged_out += cycles(_metadata, &self->w, 4);
	nr_cycles += 4;

	rp = mmap(NULL, sizeof(*rp), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rp);
	memset(rp, 0, sizeof(*rp));
	fflush(NULL);
	pid = fork();
	ASSERT_GE(pid, 0) TH_LOG("fork: %s", strerror(errno));
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		run_replacer(rp, link, g, id);
		_exit(0);
	}
	setpgid(pid, pid);
	self->helper_pgid = pid;

	t0 = st_now();
	while (!__atomic_load_n(&rp->done, __ATOMIC_SEQ_CST)) {
		ASSERT_LT(st_now() - t0, (double)REPLACE_DEADLINE_S)
			TH_LOG("%d of %d replaces done after %d s",
			       rp->replaced, REPLACES, REPLACE_DEADLINE_S);
		paged_out += cycles(_metadata, &self->w, 2);
		nr_cycles += 2;
		ASSERT_EQ(0, pol_stat_read((unsigned long long)id, &p))
			TH_LOG("the policy's sysfs directory vanished during replace %d",
			       rp->replaced + 1);
		ASSERT_STREQ("count", p.name);
		samples++;
	}
	waitpid(pid, &status, 0);
	self->helper_pgid = 0;
	/* And after the last replace. */
	paged_out += cycles(_metadata, &self->w, 4);
	nr_cycles += 4;

	st_snap_after_io(self->cg, &s0, &s1);
	st_snap_print("after the replaces", &s0, &s1, true);
	pstat(_metadata, id, &p1);
	pstat_print("over the replaces", id, &p0, &p1);
	b1 = *g[0]->bss;
	seen0 = (long long)(b1.seen[0] - b0.seen[0]);
	seen1 = (long long)(b1.seen[1] - b0.seen[1]);
	attempts = s1.ssd.written - s0.ssd.written + s1.ssd.write_errors -
		   s0.ssd.write_errors + s1.zswpout - s0.zswpout + s1.reject -
		   s0.reject;
	ksft_print_msg("%d replaces in %.1f s while the worker ran %d cycles (%llu pages found paged out); %d sysfs samples\n",
		       rp->replaced, rp->seconds, nr_cycles, paged_out,
		       samples);
	ksft_print_msg("place() by generation: 0: %lld, 1: %lld; swap-out attempts %lld; init() +%llu, exit() +%llu (last kind %u), generation now %u\n",
		       seen0, seen1, attempts,
		       (unsigned long long)(b1.init_calls - b0.init_calls),
		       (unsigned long long)(b1.exit_calls - b0.exit_calls),
		       b1.exit_kind, b1.generation);
	ASSERT_EQ(0, rp->failed_rc)
		TH_LOG("replace failed after %d replaces: %s", rp->replaced,
		       rp->out);
	ASSERT_EQ(REPLACES, rp->replaced);
	ASSERT_EQ(0, rp->dir_missing)
		TH_LOG("the sysfs directory was missing after %d replaces",
		       rp->dir_missing);
	ASSERT_EQ(0, rp->name_changes)
		TH_LOG("sysfs name read \"%s\" after a replace", rp->bad_name);
	ASSERT_GT(paged_out, (unsigned long long)nr_cycles)
		TH_LOG("MADV_PAGEOUT paged out only %llu pages in %d cycles",
		       paged_out, nr_cycles);
	ASSERT_EQ(s0.zswpout, s1.zswpout)
		TH_LOG("zswap stored %lld pages of a cgroup whose policy allows the SSD only: the built-in default ran between two policies",
		       s1.zswpout - s0.zswpout);
	ASSERT_GT(s1.ssd.written - s0.ssd.written, 0LL);
	ASSERT_EQ(attempts, seen0 + seen1)
		TH_LOG("%lld swap-out attempts of the cgroup (SSD writes, zswap stores, pages kept) but place() ran %lld times in generation 0 and %lld in 1: the built-in default decided the others",
		       attempts, seen0, seen1);
	ASSERT_EQ(p1.place - p0.place, seen0 + seen1)
		TH_LOG("the kernel counted %lld place() calls, the generations %lld + %lld",
		       p1.place - p0.place, seen0, seen1);
	ASSERT_GT(seen0, 0LL) TH_LOG("generation 0 never placed a page");
	ASSERT_GT(seen1, 0LL) TH_LOG("generation 1 never placed a page");
	/* Every update: init() of the new ops, exit() of the old ones. */
	ASSERT_EQ((unsigned long long)REPLACES,
		  (unsigned long long)(b1.init_calls - b0.init_calls));
	ASSERT_EQ((unsigned long long)REPLACES,
		  (unsigned long long)(b1.exit_calls - b0.exit_calls));
	ASSERT_EQ((unsigned int)SWAP_TIER_EXIT_REPLACE, b1.exit_kind);
	ASSERT_EQ((unsigned int)(REPLACES % 2), b1.generation)
		TH_LOG("the last place() ran in generation %u, the link runs generation %d",
		       b1.generation, REPLACES % 2);
	ASSERT_EQ(0LL, s1.ssd.write_errors - s0.ssd.write_errors);
	ASSERT_STREQ("count", p1.name);
	assert_no_errors(_metadata, &p1);
	st_worker_check(_metadata, &self->w, &r);
	munmap(rp, sizeof(*rp));
	bpf_link__destroy(link);
	count_bpf__destroy(g[1]);
	count_bpf__destroy(g[0]);
}

/*
 * 8. A policy attached to a cgroup goes when the cgroup goes: a process
 * polling the pinned link (bpf(BPF_OBJ_GET)) sees POLLHUP, the sysfs
 * directory disappears, "swapctl policy show" reports the pin as
 * detached, and "swapctl policy detach --cgroup-id ID" removes the pin
 * ("--cgroup PATH" cannot: the path is gone); the kernel logs no warning.
 */
TEST_F_TIMEOUT(policy, cgroup_removed_detaches, 120)
{
	size_t ps = st_page_size(), npages = 2 * ST_MiB / ps;
	char obj[PATH_MAX], pin[PATH_MAX], out[OUT_LEN], idstr[32];
	char log[8192] = "", match[512];
	static const char *const warn[][1] = {
		{ "WARNING:" }, { "BUG:" }, { "Oops" }, { "refcount_t:" },
	};
	struct worker_resp ready, r;
	struct pol_stat p0, p1;
	struct pollfd pfd;
	int fd, kfd, rc, e;
	size_t i;
	double t0;
	long long id;

	need_obj(_metadata, "count", true, obj, sizeof(obj));
	make_child(_metadata, self);
	id = attach(_metadata, self, "load", obj, "count", self->child, NULL);
	pol_pin_path((unsigned long long)id, pin, sizeof(pin));
	snprintf(idstr, sizeof(idstr), "%lld", id);
	fd = bpf_obj_get(pin);
	ASSERT_GE(fd, 0) TH_LOG("bpf(BPF_OBJ_GET, %s): %s", pin,
				strerror(-fd));
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	rc = poll(&pfd, 1, 0);
	ASSERT_EQ(0, rc) TH_LOG("the attached link polls ready (revents 0x%x)",
				pfd.revents);

	/* The policy works for the child's pages. */
	pstat(_metadata, id, &p0);
	st_worker_start(_metadata, &self->w, self->child, npages,
			CANARY_COMPRESSIBLE, &ready);
	st_reclaim(self->child, "2M", RECLAIM_LONG_MS);
	st_worker_check(_metadata, &self->w, &r);
	pstat(_metadata, id, &p1);
	pstat_print("child cgroup", id, &p0, &p1);
	ASSERT_GT(p1.place - p0.place, 0LL)
		TH_LOG("place() of the child's policy never ran");
	worker_stop(&self->w);

	kfd = kmsg_open_end();
	ASSERT_GE(kfd, 0) TH_LOG("/dev/kmsg: %s", strerror(-kfd));
	rc = cg_destroy(self->child);
	ASSERT_EQ(0, rc) TH_LOG("rmdir %s: %s", self->child, strerror(-rc));
	t0 = st_now();
	pfd.revents = 0;
	rc = poll(&pfd, 1, 5000);
	e = errno;
	ksft_print_msg("poll of the pinned link after rmdir: %d, revents 0x%x after %.2f s\n",
		       rc, pfd.revents, st_now() - t0);
	ASSERT_EQ(1, rc) TH_LOG("poll: %s", rc < 0 ? strerror(e) :
				"no POLLHUP within 5 s of the cgroup's removal");
	ASSERT_TRUE(pfd.revents & POLLHUP)
		TH_LOG("revents 0x%x without POLLHUP", pfd.revents);
	rc = pol_wait_detached((unsigned long long)id, DETACH_WAIT_MS);
	ASSERT_EQ(0, rc) TH_LOG("%s/%lld still there after the cgroup went",
				POL_SYSFS, id);
	close(fd);
	ASSERT_TRUE(pol_pin_exists((unsigned long long)id))
		TH_LOG("the pin %s went away on its own", pin);

	rc = policy_cmd(self, out, sizeof(out), "show", NULL, NULL, NULL);
	ASSERT_EQ(0, rc) TH_LOG("swapctl policy show: %s", out);
	ASSERT_TRUE(strstr(out, idstr) != NULL)
		TH_LOG("swapctl policy show does not list the pin %s", pin);
	ASSERT_TRUE(strstr(out, "detached") != NULL)
		TH_LOG("swapctl policy show does not say the pin of the removed cgroup is detached");

	/*
	 * The path names no cgroup now: swapctl cannot take it (it stats
	 * the path for the id); detach by id then, as show suggests.
	 */
	rc = policy_cmd(self, out, sizeof(out), "detach", NULL, self->child,
			NULL);
	if (rc) {
		char *argv[] = { (char *)self->env.swapctl, "policy", "detach",
				 "--cgroup-id", idstr, NULL };

		rc = st_run(argv, out, sizeof(out), SWAPCTL_TIMEOUT_S);
		ksft_print_msg("swapctl policy detach --cgroup-id %s: exit %d: %s\n",
			       idstr, rc, st_oneline(out, sizeof(out)));
	}
	ASSERT_EQ(0, rc)
		TH_LOG("swapctl policy detach of a removed cgroup's pin: %s",
		       out);
	ASSERT_FALSE(pol_pin_exists((unsigned long long)id))
		TH_LOG("swapctl policy detach left the pin %s", pin);
	assert_nothing_attached(_metadata, "detaching the removed cgroup's pin");

	st_sleep_ms(500);
	rc = kmsg_read_new(kfd, log, sizeof(log));
	close(kfd);
	ASSERT_GE(rc, 0) TH_LOG("reading /dev/kmsg: %s", strerror(-rc));
	for (i = 0; i < ST_ARRAY_SIZE(warn); i++)
		ASSERT_EQ(0, kmsg_text_has(log, warn[i], 1, match,
					   sizeof(match)))
			TH_LOG("kernel log after the cgroup's removal: %s",
			       match);
}

/*
 * 9. Sibling cgroups with policies of their own: A has "batch" listing A
 * (straight to the SSD), B has "count" with place_verdict 0x100 (zswap
 * only).  A's pages go to the SSD and none to zswap; then B's go to zswap
 * and none to the SSD; each policy's place() ran only for its own cgroup's
 * pages.
 */
TEST_F_TIMEOUT(policy, siblings_different_policies, 120)
{
	size_t ps = st_page_size(), npages = 8 * ST_MiB / ps;
	struct worker_resp ready, ready2;
	struct st_snap s0, s1, t0, t1;
	struct pol_stat a0, a1, a2, b0, b1, b2;
	char batch[PATH_MAX], count[PATH_MAX], set[PATH_MAX + 32];
	long long ida, idb, direct;

	need_obj(_metadata, "batch", false, batch, sizeof(batch));
	need_obj(_metadata, "count", true, count, sizeof(count));
	add_backend(_metadata, self, 0, self->env.ssd, "ssd");
	make_cg2(_metadata, self);
	snprintf(set, sizeof(set), "batch_cgroups=%s", self->cg);
	ida = attach(_metadata, self, "load", "batch", "batch", self->cg,
		     SETS(set));
	idb = attach(_metadata, self, "load", count, "count", self->cg2,
		     SETS("place_verdict=256"));

	pstat(_metadata, ida, &a0);
	pstat(_metadata, idb, &b0);
	st_swap_out(_metadata, self->cg, &self->w, npages, CANARY_COMPRESSIBLE,
		 "8M", RECLAIM_LONG_MS, &ready, &s0, &s1);
	pstat(_metadata, ida, &a1);
	pstat(_metadata, idb, &b1);
	pstat_print("A's run", ida, &a0, &a1);
	pstat_print("A's run", idb, &b0, &b1);
	direct = s1.ssd.written - s0.ssd.written;
	ASSERT_LE(s1.zswpout - s0.zswpout, st_zswpout_slack(&ready))
		TH_LOG("zswap stored %lld pages of A", s1.zswpout - s0.zswpout);
	ASSERT_GT(direct, (long long)npages / 2)
		TH_LOG("the SSD took %lld of A's %zu pages", direct, npages);
	ASSERT_GE(a1.place - a0.place, direct);
	ASSERT_EQ(b0.place, b1.place)
		TH_LOG("B's policy decided for %lld of A's pages",
		       b1.place - b0.place);
	ASSERT_EQ(s0.reject, s1.reject);
	verify(_metadata, self->cg, &self->w, &s1, s1.ssd.used - s0.ssd.used);

	pstat(_metadata, ida, &a1);
	pstat(_metadata, idb, &b1);
	st_swap_out(_metadata, self->cg2, &self->w2, npages, CANARY_COMPRESSIBLE,
		 "8M", RECLAIM_LONG_MS, &ready2, &t0, &t1);
	pstat(_metadata, ida, &a2);
	pstat(_metadata, idb, &b2);
	pstat_print("B's run", ida, &a1, &a2);
	pstat_print("B's run", idb, &b1, &b2);
	ASSERT_GE(t1.zswpout - t0.zswpout, (long long)npages / 2)
		TH_LOG("zswap took only %lld of B's %zu pages",
		       t1.zswpout - t0.zswpout, npages);
	ASSERT_EQ(t0.ssd.written, t1.ssd.written)
		TH_LOG("the SSD took %lld pages of B, whose policy says zswap only",
		       t1.ssd.written - t0.ssd.written);
	ASSERT_GE(b2.place - b1.place, t1.zswpout - t0.zswpout);
	ASSERT_EQ(a1.place, a2.place)
		TH_LOG("A's policy decided for %lld of B's pages",
		       a2.place - a1.place);
	assert_no_errors(_metadata, &a2);
	assert_no_errors(_metadata, &b2);
	verify(_metadata, self->cg2, &self->w2, &t1, 0);
}

/*
 * 10. A policy on a parent cgroup P ("count", 0x101: SSD only) decides for
 * the pages of its child C, which has none: they go straight to the SSD.
 * Once C gets a policy of its own (0x100: zswap only), that one decides:
 * C's pages go to zswap and P's place() no longer runs.  The worker pages
 * out, verifies and rewrites its pages (WORKER_CYCLES), so every cycle
 * swaps out fresh data.
 */
#define NESTED_PAGES		256
#define NESTED_CYCLES		8

TEST_F_TIMEOUT(policy, nested_inherits, 120)
{
	struct worker_resp ready, r;
	struct st_snap s0, s1, s2;
	struct pol_stat pp0, pp1, pp2, pc1, pc2;
	unsigned long long out1, out2;
	char obj[PATH_MAX];
	long long idp, idc;

	need_obj(_metadata, "count", true, obj, sizeof(obj));
	add_backend(_metadata, self, 0, self->env.ssd, "ssd");
	make_child(_metadata, self);
	idp = attach(_metadata, self, "load", obj, "count", self->cg,
		     SETS("place_verdict=257"));
	st_worker_start(_metadata, &self->w, self->child, NESTED_PAGES,
			CANARY_COMPRESSIBLE, &ready);

	pstat(_metadata, idp, &pp0);
	st_snap_take(self->child, 0, &s0);
	st_snap_require_keys(_metadata, &s0);
	out1 = cycles(_metadata, &self->w, NESTED_CYCLES);
	st_snap_after_io(self->child, &s0, &s1);
	st_snap_print("parent's policy", &s0, &s1, true);
	pstat(_metadata, idp, &pp1);
	pstat_print("parent's policy", idp, &pp0, &pp1);
	ASSERT_GT(out1, (unsigned long long)NESTED_CYCLES)
		TH_LOG("only %llu pages paged out", out1);
	ASSERT_EQ(s0.zswpout, s1.zswpout)
		TH_LOG("zswap stored %lld pages of the child although its parent's policy says SSD only",
		       s1.zswpout - s0.zswpout);
	ASSERT_GT(s1.ssd.written - s0.ssd.written, 0LL);
	ASSERT_GE(pp1.place - pp0.place, s1.ssd.written - s0.ssd.written)
		TH_LOG("%lld SSD writes but the parent's place() ran %lld times",
		       s1.ssd.written - s0.ssd.written, pp1.place - pp0.place);

	idc = attach(_metadata, self, "load", obj, "count", self->child,
		     SETS("place_verdict=256"));
	pstat(_metadata, idc, &pc1);
	pstat(_metadata, idp, &pp1);
	s1 = (struct st_snap){ 0 };
	st_snap_take(self->child, 0, &s1);
	out2 = cycles(_metadata, &self->w, NESTED_CYCLES);
	st_snap_after_io(self->child, &s1, &s2);
	st_snap_print("child's own policy", &s1, &s2, true);
	pstat(_metadata, idp, &pp2);
	pstat(_metadata, idc, &pc2);
	pstat_print("child's own policy", idp, &pp1, &pp2);
	pstat_print("child's own policy", idc, &pc1, &pc2);
	ASSERT_GT(out2, (unsigned long long)NESTED_CYCLES);
	ASSERT_GT(s2.zswpout - s1.zswpout, 0LL)
		TH_LOG("zswap stored nothing of the child, whose own policy says zswap only");
	ASSERT_EQ(s1.ssd.written, s2.ssd.written)
		TH_LOG("the SSD took %lld pages of the child, whose own policy says zswap only",
		       s2.ssd.written - s1.ssd.written);
	ASSERT_EQ(pp1.place, pp2.place)
		TH_LOG("the parent's place() ran %lld times for a child with a policy of its own",
		       pp2.place - pp1.place);
	ASSERT_GE(pc2.place - pc1.place, s2.zswpout - s1.zswpout);
	assert_no_errors(_metadata, &pp2);
	assert_no_errors(_metadata, &pc2);
	st_worker_check(_metadata, &self->w, &r);
}

/*
 * 11. "garbage" (place() 77, writeback() -100: both invalid) attached
 * globally: every verdict is counted as an error and replaced by the
 * built-in default, so pages still go to zswap and are written back to
 * the SSD, all intact.  sysfs and "swapctl policy show -j" report the
 * errors and the last one.
 */
TEST_F_TIMEOUT(policy, garbage_falls_back, 120)
{
	size_t ps = st_page_size(), npages = 16 * ST_MiB / ps;
	struct worker_resp ready;
	struct st_snap s0, s1;
	struct pol_stat p0, p1;
	char *show_j[] = { (char *)self->env.swapctl, "policy", "show", "-j",
			   NULL };
	char obj[PATH_MAX], out[OUT_LEN];
	const char *e;
	long long json_errors = -1;
	int rc;

	need_obj(_metadata, "garbage", true, obj, sizeof(obj));
	add_backend(_metadata, self, 0, self->env.ssd, "ssd");
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "32K"));
	attach(_metadata, self, "load", obj, "garbage", NULL, NULL);

	pstat(_metadata, 0, &p0);
	st_swap_out(_metadata, self->cg, &self->w, npages, CANARY_COMPRESSIBLE,
		 "16M", RECLAIM_LONG_MS, &ready, &s0, &s1);
	pstat(_metadata, 0, &p1);
	pstat_print("garbage", 0, &p0, &p1);
	ASSERT_GT(s1.zswpout - s0.zswpout, 0LL)
		TH_LOG("zswap stored nothing: the default did not replace place() 77");
	assert_builtin_writeback(_metadata, &s0, &s1);
	ASSERT_GT(p1.place - p0.place, 0LL);
	ASSERT_GT(p1.writeback - p0.writeback, 0LL);
	ASSERT_GT(p1.errors, 0LL) TH_LOG("invalid verdicts not counted");
	ASSERT_EQ(p1.place + p1.writeback, p1.errors)
		TH_LOG("%lld place() and %lld writeback() calls, every verdict invalid, %lld errors counted",
		       p1.place, p1.writeback, p1.errors);
	/* last_error_hook and last_error: the hook and its invalid verdict */
	ASSERT_TRUE(!strcmp(p1.last_error, "place 77") ||
		    !strcmp(p1.last_error, "writeback -100"))
		TH_LOG("last_error_hook \"%s\", last_error %lld",
		       p1.last_error_hook, p1.last_error_value);

	rc = st_run(show_j, out, sizeof(out), SWAPCTL_TIMEOUT_S);
	ksft_print_msg("swapctl policy show -j: exit %d: %s\n", rc,
		       st_oneline(out, sizeof(out)));
	ASSERT_EQ(0, rc);
	e = strstr(out, "\"errors\"");
	ASSERT_TRUE(e != NULL) TH_LOG("no \"errors\" in the JSON");
	e = strchr(e, ':');
	if (e)
		json_errors = strtoll(e + 1, NULL, 10);
	ASSERT_EQ(p1.errors, json_errors)
		TH_LOG("JSON errors %lld, sysfs %lld", json_errors, p1.errors);
	ASSERT_TRUE(strstr(out, "\"last_error\"") != NULL)
		TH_LOG("no \"last_error\" in the JSON");
	ASSERT_TRUE(strstr(out, "\"last_error\":{\"hook\":\"place\",\"value\":77}") ||
		    strstr(out, "\"last_error\":{\"hook\":\"writeback\",\"value\":-100}"))
		TH_LOG("the JSON does not give the last invalid verdict with its hook (sysfs: %s)",
		       p1.last_error);
	verify(_metadata, self->cg, &self->w, &s1, s1.ssd.used - s0.ssd.used);
}

/*
 * 12. Once every policy is detached (swapctl policy detach, global and
 * cgroup), nothing is left in sysfs or bpffs and swapping is the built-in
 * default again: zswap, writeback to the SSD, no page kept in memory.  The
 * cgroup's detached policy said "SSD only": had it stayed in effect, zswap
 * would have stored nothing.
 */
TEST_F_TIMEOUT(policy, no_policy_static_key, 120)
{
	size_t ps = st_page_size(), npages = 16 * ST_MiB / ps;
	char def[PATH_MAX], count[PATH_MAX], out[OUT_LEN];
	struct worker_resp ready;
	struct st_snap s0, s1;
	int rc;

	need_obj(_metadata, "default", false, def, sizeof(def));
	need_obj(_metadata, "count", true, count, sizeof(count));
	add_backend(_metadata, self, 0, self->env.ssd, "ssd");
	attach(_metadata, self, "load", "default", "default", NULL, NULL);
	attach(_metadata, self, "load", count, "count", self->cg,
	       SETS("place_verdict=257"));
	rc = policy_cmd(self, out, sizeof(out), "detach", NULL, self->cg,
			NULL);
	ASSERT_EQ(0, rc) TH_LOG("swapctl policy detach --cgroup: %s", out);
	rc = policy_cmd(self, out, sizeof(out), "detach", NULL, NULL, NULL);
	ASSERT_EQ(0, rc) TH_LOG("swapctl policy detach: %s", out);
	rc = pol_wait_none(DETACH_WAIT_MS, out, sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("still attached: %s", out);
	assert_nothing_attached(_metadata, "swapctl policy detach");

	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "32K"));
	st_swap_out(_metadata, self->cg, &self->w, npages, CANARY_COMPRESSIBLE,
		 "16M", RECLAIM_LONG_MS, &ready, &s0, &s1);
	ASSERT_GT(s1.zswpout - s0.zswpout, (long long)npages / 8)
		TH_LOG("zswap stored %lld pages: the detached SSD-only policy still applies?",
		       s1.zswpout - s0.zswpout);
	assert_builtin_writeback(_metadata, &s0, &s1);
	assert_nothing_attached(_metadata, "swapping");
	verify(_metadata, self->cg, &self->w, &s1, s1.ssd.used - s0.ssd.used);
}

/*
 * 13. A policy whose init() refuses (-EPERM) is not attached, globally or
 * to a cgroup: swapctl fails with EPERM's message, no sysfs directory, no
 * pin; the target is free afterwards ("default" attaches to it).
 */
TEST_F_TIMEOUT(policy, refuse_init, 120)
{
	char obj[PATH_MAX], def[PATH_MAX], out[OUT_LEN];
	const char *cgs[] = { NULL, self->cg };
	size_t i;
	int rc;

	need_obj(_metadata, "refuse_init", true, obj, sizeof(obj));
	need_obj(_metadata, "default", false, def, sizeof(def));
	for (i = 0; i < ST_ARRAY_SIZE(cgs); i++) {
		record_target(self, target_id(_metadata, cgs[i]), cgs[i]);
		rc = policy_cmd(self, out, sizeof(out), "load", obj, cgs[i],
				NULL);
		ASSERT_NE(0, rc) TH_LOG("a policy whose init() fails was attached%s%s",
					cgs[i] ? " to " : " globally",
					cgs[i] ? cgs[i] : "");
		ASSERT_TRUE(rc > 0 && rc < 128) TH_LOG("exit %d: %s", rc, out);
		ASSERT_TRUE(strstr(out, "Operation not permitted") ||
			    strstr(out, "EPERM"))
			TH_LOG("the message does not give init()'s error (EPERM): %s",
			       out);
		assert_nothing_attached(_metadata, "refuse_init");
		attach(_metadata, self, "load", "default", "default", cgs[i],
		       NULL);
		rc = policy_cmd(self, out, sizeof(out), "detach", NULL, cgs[i],
				NULL);
		ASSERT_EQ(0, rc) TH_LOG("swapctl policy detach: %s", out);
		rc = pol_wait_none(DETACH_WAIT_MS, out, sizeof(out));
		ASSERT_EQ(0, rc) TH_LOG("still attached: %s", out);
		assert_nothing_attached(_metadata, "detaching default");
	}
}

/*
 * 14. Without CAP_BPF, CAP_SYS_ADMIN and CAP_PERFMON (dropped from every
 * set and the bounding set, so that running swapctl as root does not give
 * them back), "swapctl policy load default" fails, says capabilities are
 * missing, and attaches nothing.  With them, the same command works.
 */
TEST_F_TIMEOUT(policy, no_capability, 120)
{
	char obj[PATH_MAX], out[OUT_LEN];
	char *argv[] = { (char *)self->env.swapctl, "policy", "load",
			 "default", NULL };
	int rc;

	need_obj(_metadata, "default", false, obj, sizeof(obj));
	record_target(self, 0, NULL);
	rc = st_run_without_bpf_caps(argv, out, sizeof(out),
				     SWAPCTL_TIMEOUT_S);
	ksft_print_msg("swapctl policy load default without CAP_BPF, CAP_SYS_ADMIN, CAP_PERFMON: exit %d: %s\n",
		       rc, st_oneline(out, sizeof(out)));
	ASSERT_NE(-1, rc) TH_LOG("could not run it: %s", out);
	ASSERT_NE(0, rc) TH_LOG("loaded a policy without capabilities");
	ASSERT_TRUE(rc > 0 && rc < 128) TH_LOG("exit %d", rc);
	ASSERT_TRUE(strcasestr(out, "capabilit") || strstr(out, "CAP_"))
		TH_LOG("the message does not mention capabilities: %s", out);
	assert_nothing_attached(_metadata, "the unprivileged load");
	attach(_metadata, self, "load", "default", "default", NULL, NULL);
}

/*
 * 15. The context every hook is given, checked from the BPF side: "count"
 * (loaded from its skeleton, attached to cgroup A with the default
 * verdicts: zswap first, then the SSD) records for every kind of call the
 * smallest and largest value of each field (progs/count.h), and the
 * workload makes the values known:
 *  - base pages (MADV_NOHUGEPAGE): order 0, nr_pages 1 in place(),
 *    writeback() and swapin(); cgroup_id A's id in every hook (tick() and
 *    init(): the attach target, also A's id);
 *  - place(): tier SWAP_TIER_NONE, as many calls as the kernel counts;
 *  - compressible pages over memory.zswap.max: zswap writes entries back,
 *    writeback() with reason SWAP_TIER_WB_SHRINK, tier 0, a compressed size
 *    between 1 and PAGE_SIZE - 1 and an age no older than the swap-out;
 *  - incompressible pages (and compressible ones over the limit): zswap
 *    refuses them, writeback() with reason SWAP_TIER_WB_REFUSED,
 *    compressed size 0, age 0, one call per SSD write zswap did not make;
 *  - CTX_AGE_WAIT_S after the last swap-out every page is read back:
 *    swapin() with tier 0 once per page still in zswap and tier 1
 *    (SWAP_TIER_SSD) once per page read from the SSD (as many as the SSD
 *    read, at most as many as it holds), with an age of at least the time
 *    since the last swap-out and at most the time since the first (a back
 *    end gives a lower bound, its record's last write).
 * No other reason, no tier out of range, no range update lost.
 */
#define CTX_COMP_PAGES		(8 * ST_MiB / 4096)
#define CTX_INCOMP_PAGES	(2 * ST_MiB / 4096)
#define CTX_AGE_WAIT_S		3

/* Bounds of every field of a struct count_ctx, inclusive. */
struct ctx_expect {
	unsigned long long cgroup_id[2], order[2], nr_pages[2];
	unsigned long long compressed_size[2], age[2], reason[2];
	long long tier[2];
};

static void ctx_print(const char *what, const struct count_ctx *c)
{
	ksft_print_msg("%s: %llu calls, cgroup_id %llu..%llu, order %llu..%llu, nr_pages %llu..%llu, compressed_size %llu..%llu, age %llu..%llu, tier %lld..%lld, reason %llu..%llu\n",
		       what, (unsigned long long)c->calls,
		       (unsigned long long)c->cgroup_id.min,
		       (unsigned long long)c->cgroup_id.max,
		       (unsigned long long)c->order.min,
		       (unsigned long long)c->order.max,
		       (unsigned long long)c->nr_pages.min,
		       (unsigned long long)c->nr_pages.max,
		       (unsigned long long)c->compressed_size.min,
		       (unsigned long long)c->compressed_size.max,
		       (unsigned long long)c->age.min,
		       (unsigned long long)c->age.max,
		       (long long)c->tier.min, (long long)c->tier.max,
		       (unsigned long long)c->reason.min,
		       (unsigned long long)c->reason.max);
}

static void assert_range(struct __test_metadata *_metadata, const char *what,
			 const char *field, const struct count_range *r,
			 const unsigned long long want[2])
{
	ASSERT_TRUE(r->min >= want[0] && r->max <= want[1])
		TH_LOG("%s: %s ranged over %llu..%llu, expected within %llu..%llu",
		       what, field, (unsigned long long)r->min,
		       (unsigned long long)r->max, want[0], want[1]);
}

/* c had calls, and every one had each field within e. */
static void assert_ctx(struct __test_metadata *_metadata, const char *what,
		       const struct count_ctx *c, const struct ctx_expect *e)
{
	ctx_print(what, c);
	ASSERT_GT((unsigned long long)c->calls, 0ULL)
		TH_LOG("%s: no call", what);
	assert_range(_metadata, what, "cgroup_id", &c->cgroup_id,
		     e->cgroup_id);
	assert_range(_metadata, what, "order", &c->order, e->order);
	assert_range(_metadata, what, "nr_pages", &c->nr_pages, e->nr_pages);
	assert_range(_metadata, what, "compressed_size", &c->compressed_size,
		     e->compressed_size);
	assert_range(_metadata, what, "age", &c->age, e->age);
	assert_range(_metadata, what, "reason", &c->reason, e->reason);
	ASSERT_TRUE(c->tier.min >= e->tier[0] && c->tier.max <= e->tier[1])
		TH_LOG("%s: tier ranged over %lld..%lld, expected within %lld..%lld",
		       what, (long long)c->tier.min, (long long)c->tier.max,
		       e->tier[0], e->tier[1]);
}

TEST_F_TIMEOUT(policy, hook_context, 180)
{
	unsigned long long ps = st_page_size(), id, min_age, max_age;
	struct worker_resp ready, ready2, r, r2;
	struct st_snap s0, s1, s2, s3;
	struct pol_stat p0, p1;
	struct count_bpf__data d1, d2;
	struct ctx_expect no_page;
	const struct count_ctx *c;
	struct count_bpf *skel;
	struct bpf_link *link;
	double t_out0, t_out1, t_in0, t_in1;
	long long in_zswap, on_ssd, resident, wb;

	add_backend(_metadata, self, 0, self->env.ssd, "ssd");
	id = (unsigned long long)target_id(_metadata, self->cg);
	skel = count_load(_metadata, (long long)id, SWAP_TIER_DEFAULT,
			  SWAP_TIER_DEFAULT, 0, NULL);
	link = count_attach(_metadata, skel, (long long)id);
	pstat(_metadata, (long long)id, &p0);
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "32K"));

	/* Incompressible pages first: reclaim takes the oldest pages. */
	t_out0 = st_now();
	st_swap_out(_metadata, self->cg, &self->w2, CTX_INCOMP_PAGES,
		    CANARY_INCOMPRESSIBLE, "2M", RECLAIM_LONG_MS, &ready2, &s0,
		    &s1);
	ASSERT_GE(s1.ssd.written - s0.ssd.written, CTX_INCOMP_PAGES / 2)
		TH_LOG("the SSD took only %lld of %d incompressible pages",
		       s1.ssd.written - s0.ssd.written, CTX_INCOMP_PAGES);
	st_swap_out(_metadata, self->cg, &self->w, CTX_COMP_PAGES,
		    CANARY_COMPRESSIBLE, "8M", RECLAIM_LONG_MS, &ready, &s1,
		    &s2);
	t_out1 = st_now();
	st_snap_print("both swap-outs", &s0, &s2, true);
	pstat(_metadata, (long long)id, &p1);
	pstat_print("swap-out", (long long)id, &p0, &p1);
	d1 = *skel->data;

	st_sleep_ms(CTX_AGE_WAIT_S * 1000);
	t_in0 = st_now();
	st_worker_check(_metadata, &self->w, &r);
	st_worker_check(_metadata, &self->w2, &r2);
	t_in1 = st_now();
	st_snap_after_io(self->cg, &s2, &s3);
	st_snap_print("read back", &s2, &s3, true);
	d2 = *skel->data;

	ASSERT_GT(s2.zswpwb - s0.zswpwb, 0LL)
		TH_LOG("zswap wrote nothing back although over memory.zswap.max");
	ASSERT_EQ(0ULL, (unsigned long long)skel->bss->ctx_lost)
		TH_LOG("range updates lost under contention");

	/* place(): every swap-out. */
	c = &d1.ctx_seen[COUNT_CTX_PLACE];
	assert_ctx(_metadata, "place()", c, &(struct ctx_expect){
		.cgroup_id = { id, id }, .order = { 0, 0 },
		.nr_pages = { 1, 1 }, .compressed_size = { 0, 0 },
		.age = { 0, 0 }, .reason = { 0, 0 },
		.tier = { SWAP_TIER_NONE, SWAP_TIER_NONE } });
	ASSERT_EQ((unsigned long long)(p1.place - p0.place),
		  (unsigned long long)c->calls)
		TH_LOG("the kernel counted %lld place() calls", p1.place - p0.place);
	ASSERT_GE((long long)c->calls, s2.zswpout - s0.zswpout);

	/* writeback(), zswap making room: a compressed entry. */
	c = &d1.ctx_seen[COUNT_CTX_WB_SHRINK];
	assert_ctx(_metadata, "writeback() SWAP_TIER_WB_SHRINK", c,
		   &(struct ctx_expect){
		.cgroup_id = { id, id }, .order = { 0, 0 },
		.nr_pages = { 1, 1 }, .compressed_size = { 1, ps - 1 },
		.age = { 0, (unsigned long long)(t_out1 - t_out0) + 1 },
		.reason = { SWAP_TIER_WB_SHRINK, SWAP_TIER_WB_SHRINK },
		.tier = { SWAP_TIER_ZSWAP, SWAP_TIER_ZSWAP } });
	ASSERT_GE((long long)c->calls, s2.zswpwb - s0.zswpwb)
		TH_LOG("%lld entries written back, %llu writeback() calls for them",
		       s2.zswpwb - s0.zswpwb, (unsigned long long)c->calls);
	wb = (long long)c->calls;

	/* writeback(), a page zswap refused: nothing compressed, no age. */
	c = &d1.ctx_seen[COUNT_CTX_WB_REFUSED];
	assert_ctx(_metadata, "writeback() SWAP_TIER_WB_REFUSED", c,
		   &(struct ctx_expect){
		.cgroup_id = { id, id }, .order = { 0, 0 },
		.nr_pages = { 1, 1 }, .compressed_size = { 0, 0 },
		.age = { 0, 0 },
		.reason = { SWAP_TIER_WB_REFUSED, SWAP_TIER_WB_REFUSED },
		.tier = { SWAP_TIER_ZSWAP, SWAP_TIER_ZSWAP } });
	ASSERT_GE((long long)c->calls, s2.ssd.written - s0.ssd.written -
				       (s2.zswpwb - s0.zswpwb))
		TH_LOG("%lld SSD writes, %lld of them written back by zswap, but only %llu writeback() calls for refused pages",
		       s2.ssd.written - s0.ssd.written, s2.zswpwb - s0.zswpwb,
		       (unsigned long long)c->calls);
	wb += (long long)c->calls;
	ASSERT_EQ(0ULL, (unsigned long long)d1.ctx_seen[COUNT_CTX_WB_OTHER].calls)
		TH_LOG("writeback() with a reason other than SHRINK and REFUSED");
	ASSERT_EQ(p1.writeback - p0.writeback, wb)
		TH_LOG("the kernel counted %lld writeback() calls",
		       p1.writeback - p0.writeback);
	ASSERT_EQ(0ULL,
		  (unsigned long long)(d1.ctx_seen[COUNT_CTX_SWAPIN_ZSWAP].calls +
				       d1.ctx_seen[COUNT_CTX_SWAPIN_BACKEND].calls))
		TH_LOG("swapin() before the pages were read back");

	/* swapin(): from where each page was, at least this old. */
	in_zswap = s2.zswpout - s0.zswpout - (s2.zswpwb - s0.zswpwb);
	on_ssd = s2.ssd.used - s0.ssd.used;
	resident = (long long)(r.resident + r2.resident);
	min_age = (unsigned long long)(t_in0 - t_out1);
	max_age = (unsigned long long)(t_in1 - t_out0) + 1;
	ksft_print_msg("swap-out over %.1f s, read back %.1f s to %.1f s after its end: %lld pages were in zswap, %lld on the SSD, %lld + %lld resident\n",
		       t_out1 - t_out0, t_in0 - t_out1, t_in1 - t_out1,
		       in_zswap, on_ssd, (long long)r.resident,
		       (long long)r2.resident);
	c = &d2.ctx_seen[COUNT_CTX_SWAPIN_ZSWAP];
	assert_ctx(_metadata, "swapin() from zswap", c, &(struct ctx_expect){
		.cgroup_id = { id, id }, .order = { 0, 0 },
		.nr_pages = { 1, 1 }, .compressed_size = { 0, 0 },
		.age = { min_age, max_age }, .reason = { 0, 0 },
		.tier = { SWAP_TIER_ZSWAP, SWAP_TIER_ZSWAP } });
	ASSERT_EQ(in_zswap, (long long)c->calls)
		TH_LOG("%lld pages were in zswap, %llu swapin() calls said tier 0",
		       in_zswap, (unsigned long long)c->calls);
	ASSERT_EQ(s3.zswpin - s2.zswpin, (long long)c->calls);
	c = &d2.ctx_seen[COUNT_CTX_SWAPIN_BACKEND];
	assert_ctx(_metadata, "swapin() from a back end", c,
		   &(struct ctx_expect){
		.cgroup_id = { id, id }, .order = { 0, 0 },
		.nr_pages = { 1, 1 }, .compressed_size = { 0, 0 },
		.age = { min_age, max_age }, .reason = { 0, 0 },
		.tier = { SWAP_TIER_SSD, SWAP_TIER_SSD } });
	/*
	 * A page written to the SSD may still be in the swap cache (counted
	 * resident): it needs no read.
	 */
	ASSERT_TRUE((long long)c->calls <= on_ssd &&
		    (long long)c->calls >= on_ssd - resident)
		TH_LOG("%lld pages were on the SSD (%lld resident pages), %llu swapin() calls said tier %d",
		       on_ssd, resident, (unsigned long long)c->calls,
		       SWAP_TIER_SSD);
	ASSERT_EQ(s3.ssd.read - s2.ssd.read, (long long)c->calls);
	ASSERT_EQ((long long)(CTX_COMP_PAGES + CTX_INCOMP_PAGES) - resident,
		  (long long)(d2.ctx_seen[COUNT_CTX_SWAPIN_ZSWAP].calls +
			      c->calls))
		TH_LOG("every page not resident comes back once");
	ASSERT_EQ(0ULL, (unsigned long long)d2.ctx_seen[COUNT_CTX_SWAPIN_OTHER].calls)
		TH_LOG("swapin() from a tier out of range");

	/* init() and tick(): the attach target, no page. */
	no_page = (struct ctx_expect){
		.cgroup_id = { id, id }, .order = { 0, 0 },
		.nr_pages = { 0, 0 }, .compressed_size = { 0, 0 },
		.age = { SWAP_TIER_AGE_UNKNOWN, SWAP_TIER_AGE_UNKNOWN },
		.reason = { 0, 0 },
		.tier = { SWAP_TIER_NONE, SWAP_TIER_NONE } };
	assert_ctx(_metadata, "init()", &d2.ctx_seen[COUNT_CTX_INIT], &no_page);
	ASSERT_EQ(1ULL, (unsigned long long)d2.ctx_seen[COUNT_CTX_INIT].calls);
	assert_ctx(_metadata, "tick()", &d2.ctx_seen[COUNT_CTX_TICK], &no_page);
	pstat(_metadata, (long long)id, &p1);
	assert_no_errors(_metadata, &p1);
	bpf_link__destroy(link);
	count_bpf__destroy(skel);
}

/*
 * 16. A policy attached while its cgroup is being removed.  The attach
 * takes its cgroup reference before the removal marks the cgroup dying,
 * then registers; the removal's offline callback runs in between or after.
 * Each round ends one of two ways: the attach is refused (ENOENT: the
 * cgroup was dying by the time it registered), or it succeeded and the
 * removal detached it (POLLHUP on the link, sysfs directory gone).  Never
 * a policy left attached to a removed cgroup, pinning it, with a link that
 * never reports POLLHUP.  The rmdir comes from a second process, after a
 * delay that moves across the attach's run time round by round.
 */
#define RACE_ROUNDS		40
TEST_F_TIMEOUT(policy, attach_races_rmdir, 600)
{
	int refused = 0, detached = 0, round, rc, e, status;
	char cg[PATH_MAX];
	struct count_bpf *skel;
	struct bpf_link *link;
	struct pollfd pfd;
	long long id;
	pid_t pid;

	for (round = 0; round < RACE_ROUNDS; round++) {
		rc = cg_create("race", cg, sizeof(cg));
		ASSERT_EQ(0, rc) TH_LOG("mkdir cgroup: %s", strerror(-rc));
		id = target_id(_metadata, cg);
		skel = count_load(_metadata, id, SWAP_TIER_DEFAULT,
				  SWAP_TIER_DEFAULT, 0, NULL);
		pid = fork();
		ASSERT_GE(pid, 0) TH_LOG("fork: %s", strerror(errno));
		if (!pid) {
			/* 0 to ~2 ms, in 50 us steps: across the attach */
			usleep((round % 40) * 50);
			_exit(cg_destroy(cg) ? 1 : 0);
		}
		link = bpf_map__attach_struct_ops(skel->maps.count_ops);
		e = errno;
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("round %d: rmdir %s failed", round, cg);
		if (!link) {
			ASSERT_EQ(ENOENT, e) TH_LOG("round %d: attach: %s",
						    round, strerror(e));
			refused++;
		} else {
			pfd = (struct pollfd){ .fd = bpf_link__fd(link),
					       .events = POLLIN };
			rc = poll(&pfd, 1, DETACH_WAIT_MS);
			ASSERT_EQ(1, rc)
				TH_LOG("round %d: the policy stayed attached to the removed cgroup %lld (no POLLHUP within %d ms)",
				       round, id, DETACH_WAIT_MS);
			ASSERT_TRUE(pfd.revents & POLLHUP);
			ASSERT_EQ(0, pol_wait_detached((unsigned long long)id,
						       DETACH_WAIT_MS))
				TH_LOG("round %d: %s/%lld still there", round,
				       POL_SYSFS, id);
			bpf_link__destroy(link);
			detached++;
		}
		count_bpf__destroy(skel);
	}
	ksft_print_msg("%d rounds: attach refused %d, attached and detached by the removal %d\n",
		       RACE_ROUNDS, refused, detached);
	ASSERT_EQ(RACE_ROUNDS, refused + detached);
	assert_nothing_attached(_metadata, "the races");
}

/*
 * 17. Every kfunc from every hook (progs/all_kfuncs.bpf.c), under swap-out
 * to zswap and to the back ends, zswap writeback, swap-in, the policy's
 * demotions and a drain (swapoff of the SSD back end): each hook runs in
 * its own locking context (reclaim, the zswap LRU lock, the fault path, the
 * policy mutex, the demotion worker), so a kfunc that takes a lock in the
 * wrong order against stock code there is a lockdep report, and the VM
 * run fails on it.  The figures the kfuncs return are consistent in every
 * hook that runs while nothing moves, and every page comes back intact.
 */
TEST_F_TIMEOUT(policy, all_kfuncs_every_hook, 300)
{
	size_t ps = st_page_size(), npages = 8 * ST_MiB / ps;
	static const char *const hooks[] = {
		"place", "writeback", "tick", "swapin", "init", "exit", "demoted",
	};
	struct all_kfuncs_bpf *skel;
	struct worker_resp ready, r;
	struct bpf_link *link;
	char out[OUT_LEN];
	long long id;
	size_t h;
	int rc;

	add_backend(_metadata, self, 0, self->env.ssd, "ssd");
	add_backend(_metadata, self, 1, self->env.hdd, "hdd");
	id = target_id(_metadata, self->cg);
	st_libbpf_print_warnings();
	skel = all_kfuncs_bpf__open();
	ASSERT_NE(NULL, skel) TH_LOG("all_kfuncs_bpf__open: %s", strerror(errno));
	skel->rodata->wb_pages = 16;
	skel->rodata->demote_pages = 16;
	skel->struct_ops.all_kfuncs_ops->cgroup_id = (unsigned long long)id;
	rc = all_kfuncs_bpf__load(skel);
	ASSERT_EQ(0, rc) TH_LOG("all_kfuncs_bpf__load: %s", strerror(-rc));
	link = bpf_map__attach_struct_ops(skel->maps.all_kfuncs_ops);
	ASSERT_NE(NULL, link) TH_LOG("attaching all_kfuncs: %s", strerror(errno));

	/* zswap full at once: stores push older entries to the back ends. */
	ASSERT_EQ(0, cg_write(self->cg, "memory.zswap.max", "256K"));
	st_worker_start(_metadata, &self->w, self->cg, npages,
			CANARY_COMPRESSIBLE, &ready);
	st_reclaim(self->cg, "8M", RECLAIM_LONG_MS);
	/* ticks, the demotions they ask for, and their demoted() calls */
	st_sleep_ms(3000);
	st_worker_check(_metadata, &self->w, &r);
	st_reclaim(self->cg, "8M", RECLAIM_LONG_MS);
	/* A drain of the SSD while the policy's hooks run. */
	rc = st_swapctl(&self->env, out, sizeof(out), "tier", "remove",
			self->be[0].dev, NULL);
	ksft_print_msg("swapctl tier remove %s: exit %d: %s\n", self->be[0].dev,
		       rc, st_oneline(out, sizeof(out)));
	ASSERT_EQ(0, rc);
	self->be[0].active = false;
	st_worker_check(_metadata, &self->w, &r);
	worker_stop(&self->w);
	bpf_link__destroy(link);

	for (h = 0; h < ST_ARRAY_SIZE(hooks); h++)
		ksft_print_msg("%-9s calls %llu, inconsistent figures %llu, no cgroup %llu\n",
			       hooks[h], (unsigned long long)skel->bss->calls[h],
			       (unsigned long long)skel->bss->bad[h],
			       (unsigned long long)skel->bss->no_cgroup[h]);
	ksft_print_msg("writeback requests queued %llu, demotions queued %llu\n",
		       (unsigned long long)skel->bss->wb_queued,
		       (unsigned long long)skel->bss->demote_queued);
	for (h = 0; h < ST_ARRAY_SIZE(hooks); h++)
		ASSERT_EQ(0ULL, skel->bss->no_cgroup[h]) TH_LOG("%s", hooks[h]);
	/*
	 * Each kfunc reads the tiers on its own, without a lock: while pages
	 * move (and the SSD leaves) two calls may see different moments.
	 * init() and exit() run with nothing moving: there the figures of
	 * separate calls must agree.
	 */
	ASSERT_EQ(0ULL, skel->bss->bad[4]) TH_LOG("init()");
	ASSERT_EQ(0ULL, skel->bss->bad[5]) TH_LOG("exit()");
	/* place, writeback, tick, swapin ran; init and exit once each */
	for (h = 0; h < 4; h++)
		ASSERT_GT(skel->bss->calls[h], 0ULL)
			TH_LOG("%s() never ran", hooks[h]);
	ASSERT_EQ(1ULL, skel->bss->calls[4]);
	ASSERT_EQ(1ULL, skel->bss->calls[5]);
	ASSERT_GT(skel->bss->wb_queued, 0ULL);
	ASSERT_GT(skel->bss->demote_queued, 0ULL);
	all_kfuncs_bpf__destroy(skel);
}

/* The value of "    NAME = VALUE" in swapctl policy stats' text, or NULL. */
static const char *stats_var(const char *out, const char *name, char *buf,
			     size_t len)
{
	char needle[128];
	const char *p, *e;

	snprintf(needle, sizeof(needle), "\n    %s = ", name);
	p = strstr(out, needle);
	if (!p)
		return NULL;
	p += strlen(needle);
	e = strchrnul(p, '\n');
	snprintf(buf, len, "%.*s", (int)(e - p), p);
	return buf;
}

static long long stats_num(struct __test_metadata *_metadata, const char *out,
			   const char *name)
{
	char buf[256];

	ASSERT_NE(NULL, stats_var(out, name, buf, sizeof(buf)))
		TH_LOG("policy stats shows no %s: %.1500s", name, out);
	return strtoll(buf, NULL, 0);
}

/*
 * 17. swapctl policy stats reads a policy's own figures back from the
 * kernel by BTF: the stats program (progs/stats.bpf.c) counts every
 * place() call in a .bss counter, a struct member, a hash map entry (by
 * order) and a percpu array; each must equal the kernel's place_calls
 * counter for the policy.  Its .data and .rodata show every kind of value
 * (signed, enum, bool, array, a string set with --set) as the program or
 * --set gave them, in text and in JSON.  Asking for a name or a cgroup
 * with no such policy fails with status 32.
 */
TEST_F_TIMEOUT(policy, stats_reads_globals_and_maps, 180)
{
	size_t ps = st_page_size(), npages = 8 * ST_MiB / ps;
	struct worker_resp ready;
	struct st_snap s0, s1;
	struct pol_stat p0, p1, p2;
	char obj[PATH_MAX], out[OUT_LEN], js[OUT_LEN], buf[256];
	char want[PATH_MAX + 64];
	const char *p;
	long long id, calls, last_calls, by_order, sum = 0;
	int rc;

	need_obj(_metadata, "stats", true, obj, sizeof(obj));
	add_backend(_metadata, self, 0, self->env.ssd, "ssd");
	id = attach(_metadata, self, "load", obj, "stats", self->cg,
		    SETS("label=hello", "bias=-7"));
	pstat(_metadata, id, &p0);
	ASSERT_EQ(0LL, p0.place);

	st_swap_out(_metadata, self->cg, &self->w, npages,
		    CANARY_COMPRESSIBLE, "8M", RECLAIM_LONG_MS, &ready, &s0,
		    &s1);
	pstat(_metadata, id, &p1);
	/* not policy_cmd(): its log line folds @out into one line */
	rc = swapctl_argv(&self->env, out, sizeof(out), "stats", "stats",
			  self->cg, NULL);
	pstat(_metadata, id, &p2);
	ASSERT_EQ(0, rc) TH_LOG("policy stats: %.2000s", out);
	ksft_print_msg("policy stats (place_calls %lld..%lld):\n%s", p1.place,
		       p2.place, out);
	ASSERT_GT(p1.place, 0LL) TH_LOG("place() never ran");

	/* the header: the cgroup, the name, the struct_ops map */
	snprintf(want, sizeof(want), "%s: stats (struct_ops map ", self->cg);
	ASSERT_EQ(0, strncmp(out, want, strlen(want)))
		TH_LOG("the header is not '%s...': %.300s", want, out);

	/* one count, five places: all equal to the kernel's figure */
	calls = stats_num(_metadata, out, "place_calls");
	ASSERT_GE(calls, p1.place);
	ASSERT_LE(calls, p2.place);
	ASSERT_NE(NULL, stats_var(out, "last", buf, sizeof(buf)));
	ASSERT_EQ(1, sscanf(buf, "{calls = %lld,", &last_calls))
		TH_LOG("last = %s", buf);
	ASSERT_GE(last_calls, p1.place);
	ASSERT_LE(last_calls, p2.place);
	ASSERT_NE(NULL, strstr(buf, ", order = 0, seen = 1, tier = "))
		TH_LOG("last = %s (order-0 pages only: bitfields order 0, seen 1)",
		       buf);
	p = strstr(out, "\n  by_order (hash, map ");
	ASSERT_NE(NULL, p) TH_LOG("no by_order map in %.1500s", out);
	p = strstr(p, "):\n    0 = ");
	ASSERT_NE(NULL, p) TH_LOG("by_order has no entry for order 0");
	by_order = strtoll(p + strlen("):\n    0 = "), NULL, 10);
	ASSERT_GE(by_order, p1.place);
	ASSERT_LE(by_order, p2.place);
	p = strstr(out, "\n  per_cpu (percpu_array, map ");
	ASSERT_NE(NULL, p) TH_LOG("no per_cpu map in %.1500s", out);
	p = strstr(p, "):\n    0 = [");
	ASSERT_NE(NULL, p) TH_LOG("per_cpu has no entry 0 as a list");
	for (p += strlen("):\n    0 = ["); *p && *p != ']';) {
		char *end;

		sum += strtoll(p, &end, 10);
		ASSERT_NE(p, end) TH_LOG("per_cpu: not a number at '%.40s'", p);
		p = end + strspn(end, ", ");
	}
	ASSERT_GE(sum, p1.place);
	ASSERT_LE(sum, p2.place);
	ASSERT_GE(stats_num(_metadata, out, "data_reads"), p1.place);

	/* every kind of value, as the program and --set gave them */
	ASSERT_STREQ("\"hello\"", stats_var(out, "label", buf, sizeof(buf)));
	ASSERT_STREQ("-7", stats_var(out, "bias", buf, sizeof(buf)));
	ASSERT_STREQ("4277006349", stats_var(out, "magic", buf, sizeof(buf)));
	ASSERT_STREQ("-42", stats_var(out, "neg", buf, sizeof(buf)));
	ASSERT_STREQ("STATS_MODE_B", stats_var(out, "mode", buf, sizeof(buf)));
	ASSERT_STREQ("true", stats_var(out, "ok", buf, sizeof(buf)));
	ASSERT_STREQ("[2, 3, 5, 7]", stats_var(out, "primes", buf, sizeof(buf)));
	ASSERT_NE(NULL, strstr(out, "\n  .rodata:\n"));
	ASSERT_NE(NULL, strstr(out, "\n  .data:\n"));
	ASSERT_NE(NULL, strstr(out, "\n  .bss:\n"));

	/* JSON: the same figures */
	{
		char *argv[] = { (char *)self->env.swapctl, "-j", "policy",
				 "stats", "--cgroup", self->cg, NULL };
		static const char *const needles[] = {
			"\"name\":\"stats\"", "\"label\":\"hello\"",
			"\"bias\":-7", "\"neg\":-42", "\"mode\":\"STATS_MODE_B\"",
			"\"ok\":true", "\"primes\":[2,3,5,7]",
			"\"name\":\"by_order\",", "\"type\":\"hash\"",
			"\"type\":\"percpu_array\"", "\"variables\":{",
		};
		long long jcalls = -1;
		size_t i;

		rc = st_run(argv, js, sizeof(js), SWAPCTL_TIMEOUT_S);
		ASSERT_EQ(0, rc) TH_LOG("policy stats -j: %.2000s", js);
		ASSERT_EQ('[', js[0]) TH_LOG("not a JSON array: %.300s", js);
		for (i = 0; i < ST_ARRAY_SIZE(needles); i++)
			ASSERT_NE(NULL, strstr(js, needles[i]))
				TH_LOG("no %s in %.2000s", needles[i], js);
		p = strstr(js, "\"place_calls\":");
		ASSERT_NE(NULL, p);
		jcalls = strtoll(p + strlen("\"place_calls\":"), NULL, 10);
		ASSERT_GE(jcalls, p1.place);
		ASSERT_LE(jcalls, p2.place);
		snprintf(want, sizeof(want), "\"cgroup_id\":%lld,", id);
		ASSERT_NE(NULL, strstr(js, want)) TH_LOG("no %s", want);
	}

	/* nothing of that name, or on that cgroup: status 32 */
	rc = policy_cmd(self, out, sizeof(out), "stats", "nosuch", NULL, NULL);
	ASSERT_EQ(32, rc) TH_LOG("stats of a name nothing has: %s", out);
	ASSERT_NE(NULL, strstr(out, "no policy nosuch is attached"));
	make_cg2(_metadata, self);
	rc = policy_cmd(self, out, sizeof(out), "stats", NULL, self->cg2,
			NULL);
	ASSERT_EQ(32, rc) TH_LOG("stats of a cgroup without a policy: %s", out);
	verify(_metadata, self->cg, &self->w, &s1, s1.ssd.used - s0.ssd.used);
}

TEST_HARNESS_MAIN
