// SPDX-License-Identifier: GPL-2.0
/*
 * memcost: swap metadata and swap I/O time of one workload, on the stock
 * kernel or on the swaptier kernel (with or without a BPF policy).  Runs in
 * a guest of bench/run, which boots the kernels with the same disks and
 * compares them.
 *
 *   memcost --mode stock|swaptier|policy --scenario mixed|writeback
 *           [--pages N] [--slabdiff]
 *
 * --slabdiff lists on stderr the slab caches whose use changed by 4 KiB or
 * more while the pages were swapped out (where "dynamic" comes from).
 *
 * Swap set-up, same capacity on both kernels:
 *   stock:    the SSD disk is a swap device; zswap in front of it.
 *   swaptier: a ghost swapfile of the same size is the front end, the SSD
 *             disk a back end of tier ssd behind it; no BPF policy (the
 *             policy hooks' static key is off).
 *   policy:   the swaptier set-up, plus the shipped "default" BPF policy
 *             (the built-in behaviour, through the hooks) attached
 *             globally with "$SWAPCTL policy load default" once the static
 *             figures are taken and before the worker starts; detached
 *             ("$SWAPCTL policy detach") at the end.  Measures what calling
 *             the hooks costs.  The run fails unless the policy is attached
 *             under the name "default" throughout, its place() was called
 *             (place_calls > 0) and it returned no invalid verdict; its
 *             counters go to "policy_calls" in the JSON.  Needs bpffs at
 *             /sys/fs/bpf (selftests/guest-init mounts it).
 *
 * Scenarios (a worker in a memory cgroup, canary-filled pages):
 *   mixed:     every third page incompressible: zswap keeps two thirds,
 *              the rest goes to the SSD (pages of both kinds share swap
 *              clusters);
 *   writeback: compressible pages, memory.zswap.max small: most pages are
 *              written back from zswap to the SSD.
 *
 * Metadata is Slab + VmallocUsed + Percpu from /proc/meminfo, after the
 * slab caches are shrunk: "static" is what activating swap costs, "dynamic"
 * what holding the swapped-out pages costs (zswap entries, trees, back-end
 * pointers, ...); "swapmeta" is the part of "dynamic" in the slab caches
 * that hold swap metadata (see swapmeta_bytes()), the figure to compare.
 * swap_cgroup's 2 bytes a slot are allocated as whole pages, which these
 * counters do not show: the ghost has them, back ends do not, the stock
 * disk does.  Compressed data is not metadata and is not counted (it
 * is the same on both kernels).  Times are wall-clock in the guest (QEMU
 * TCG): compare them only with the other kernel in the same run.
 *
 * Prints one JSON object on stdout; exit 0, or 1 with the reason on
 * stderr (including any page that did not come back intact).  In policy
 * mode the object has "policy_calls":{"place":N,"writeback":N,"swapin":N,
 * "tick":N,"errors":N}: the counters of
 * /sys/kernel/mm/swap_tier/policies/global/ after the pages came back.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/swap.h>
#include <unistd.h>

#include "canary.h"
#include "cgroup.h"
#include "policy.h"
#include "procfs.h"
#include "swaptest.h"
#include "tier.h"
#include "util.h"
#include "worker.h"

#define SWAP_SIZE	"512M"
#define WORKER_TIMEOUT_S 600
#define RECLAIM_MS	300000
#define POLICY_NAME	"default"
#define DETACH_WAIT_MS	5000

struct opts {
	bool swaptier;
	bool policy;		/* swaptier + the default BPF policy */
	bool writeback;
	size_t npages;
};

static void usage(void)
{
	fprintf(stderr, "usage: memcost --mode stock|swaptier|policy --scenario mixed|writeback [--pages N] [--slabdiff]\n");
}

/*
 * Slab + VmallocUsed + Percpu in KiB.  Objects freed through RCU are freed
 * in batches up to 5 s later, and under KASAN every freed object then waits
 * in a quarantine where it still counts as used: wait for the batches,
 * then shrink every cache, which empties its part of the quarantine.
 */
static long long meta_kb(void)
{
	st_sleep_ms(6000);
	slab_shrink_all();
	st_sleep_ms(1000);
	return meminfo_kb("Slab") + meminfo_kb("VmallocUsed") +
	       meminfo_kb("Percpu");
}

/* Bytes in use per slab cache (objects * slab_size), for --slabdiff. */
#define MAX_CACHES 512
struct cache_use {
	char name[NAME_MAX + 1];
	long long bytes;
};

static int caches_read(struct cache_use *c, int max)
{
	DIR *d = opendir("/sys/kernel/slab");
	struct dirent *de;
	char p[PATH_MAX], buf[256];
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		long long objs, size;

		if (de->d_name[0] == '.' || de->d_type == DT_LNK)
			continue;
		snprintf(p, sizeof(p), "/sys/kernel/slab/%s/objects", de->d_name);
		if (st_read_file(p, buf, sizeof(buf)) <= 0)
			continue;
		objs = strtoll(buf, NULL, 10);
		snprintf(p, sizeof(p), "/sys/kernel/slab/%s/slab_size", de->d_name);
		if (st_read_file(p, buf, sizeof(buf)) <= 0)
			continue;
		size = strtoll(buf, NULL, 10);
		snprintf(c[n].name, sizeof(c[n].name), "%s", de->d_name);
		c[n++].bytes = objs * size;
	}
	closedir(d);
	return n;
}

/*
 * The slab caches that hold swap metadata: zswap entries and their
 * zsmalloc handles and zspages, xarray nodes (zswap trees, swap cache,
 * pointer indexes), back-end pointer records.  Unlike the whole of Slab,
 * their sum is not blurred by dentries, inodes and path buffers that come
 * and go (hundreds of KiB under KASAN's quarantine).
 */
static long long swapmeta_bytes(const struct cache_use *c, int n)
{
	static const char *const prefixes[] = {
		"radix_tree_node", "zswap_entry", "zs_handle", "zspage",
		"swap_tier_ptrs",
	};
	long long sum = 0;
	unsigned int k;
	int i;

	for (i = 0; i < n; i++)
		for (k = 0; k < ST_ARRAY_SIZE(prefixes); k++)
			if (!strncmp(c[i].name, prefixes[k], strlen(prefixes[k])))
				sum += c[i].bytes;
	return sum;
}

/* Print to stderr the caches whose use changed most from a to b. */
static void caches_diff(const struct cache_use *a, int na,
			const struct cache_use *b, int nb)
{
	int i, j;

	for (j = 0; j < nb; j++) {
		long long before = 0, d;

		for (i = 0; i < na; i++)
			if (!strcmp(a[i].name, b[j].name))
				before = a[i].bytes;
		d = b[j].bytes - before;
		if (d >= 4096 || d <= -4096)
			fprintf(stderr, "slabdiff %-28s %+8lld KiB\n", b[j].name,
				d / 1024);
	}
}

/* Wait until no swap write is in flight (Writeback: 0) or 30 s. */
static void io_settle(void)
{
	double deadline = st_now() + 30;

	while (meminfo_kb("Writeback") > 0 && st_now() < deadline)
		st_sleep_ms(200);
}

static int swap_setup(const struct st_env *env, const struct opts *o,
		      char *ghost, size_t len)
{
	char out[4096];
	char *mkswap[] = { "mkswap", "-f", (char *)env->ssd, NULL };
	int rc;

	rc = st_run(mkswap, out, sizeof(out), 60);
	if (rc) {
		fprintf(stderr, "memcost: mkswap %s: %s\n", env->ssd,
			st_oneline(out, sizeof(out)));
		return -1;
	}
	if (!o->swaptier) {
		if (swapon(env->ssd, 0)) {
			fprintf(stderr, "memcost: swapon %s: %s\n", env->ssd,
				strerror(errno));
			return -1;
		}
		return 0;
	}
	snprintf(ghost, len, "%s/bench-ghost", env->scratch);
	unlink(ghost);
	rc = st_swapctl_ghost_create(env, ghost, SWAP_SIZE, NULL, out,
				     sizeof(out));
	if (rc) {
		fprintf(stderr, "memcost: swapctl ghost create: %s\n",
			st_oneline(out, sizeof(out)));
		return -1;
	}
	if (swapon(ghost, 0)) {
		fprintf(stderr, "memcost: swapon %s: %s\n", ghost,
			strerror(errno));
		return -1;
	}
	rc = st_swapctl(env, out, sizeof(out), "tier", "add", env->ssd,
			"--tier", "ssd", NULL);
	if (rc) {
		fprintf(stderr, "memcost: swapctl tier add %s: %s\n", env->ssd,
			st_oneline(out, sizeof(out)));
		return -1;
	}
	return 0;
}

/*
 * Attach the shipped default policy globally and check that the kernel
 * shows it.  *attached is set once swapctl may have attached it (so that
 * the caller detaches it even if the checks fail).  0 or -1.
 */
static int policy_attach(const struct st_env *env, bool *attached)
{
	char out[4096], why[256];
	struct pol_stat ps;
	int rc;

	if (!pol_available(why, sizeof(why)) ||
	    !pol_bpffs_available(why, sizeof(why))) {
		fprintf(stderr, "memcost: %s\n", why);
		return -1;
	}
	if (pol_attached(0)) {
		pol_stat_read(0, &ps);
		fprintf(stderr, "memcost: a global policy (%s) is already attached\n",
			ps.name);
		return -1;
	}
	/*
	 * "default" is looked up in swapctl's policy directory: the one
	 * the selftests use ($SWAPTIER_BPF), unless the caller set one.
	 */
	setenv("SWAPCTL_POLICY_DIR", pol_obj_dir(), 0);
	*attached = true;
	rc = st_swapctl(env, out, sizeof(out), "policy", "load", POLICY_NAME,
			NULL);
	if (rc) {
		fprintf(stderr, "memcost: swapctl policy load %s: exit %d: %s\n",
			POLICY_NAME, rc, st_oneline(out, sizeof(out)));
		return -1;
	}
	rc = pol_stat_read(0, &ps);
	if (rc || strcmp(ps.name, POLICY_NAME)) {
		fprintf(stderr, "memcost: after swapctl policy load %s: %s/global: %s\n",
			POLICY_NAME, POL_SYSFS,
			rc ? strerror(-rc) : ps.name);
		return -1;
	}
	return 0;
}

/* Detach the global policy (swapctl removes the pin); 0 or -1. */
static int policy_detach(const struct st_env *env)
{
	char out[4096];
	int rc;

	rc = st_swapctl(env, out, sizeof(out), "policy", "detach", NULL);
	if (rc) {
		fprintf(stderr, "memcost: swapctl policy detach: exit %d: %s\n",
			rc, st_oneline(out, sizeof(out)));
		return -1;
	}
	if (pol_wait_detached(0, DETACH_WAIT_MS)) {
		fprintf(stderr, "memcost: %s/global still there %d ms after detaching\n",
			POL_SYSFS, DETACH_WAIT_MS);
		return -1;
	}
	return 0;
}

/* Pages of the cgroup's swapped-out memory that are on the SSD. */
static long long disk_pages(const struct st_env *env, const struct opts *o,
			    long long zswapped)
{
	struct swaps_row row;
	struct tier_stat t;

	if (o->swaptier)
		return tier_stat_read("ssd", &t) ? -1 : t.used;
	/* Stock: zswap entries take slots of the disk swap device too. */
	if (swaps_find(env->ssd, &row) != 1)
		return -1;
	return row.used_kb / (long long)(st_page_size() / 1024) - zswapped;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "scenario", required_argument, NULL, 's' },
		{ "pages", required_argument, NULL, 'n' },
		{ "slabdiff", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .npages = 8192 };
	struct worker w = WORKER_INIT;
	struct worker_cfg cfg = { 0 };
	struct worker_resp ready, r;
	struct st_env env;
	char cg[PATH_MAX] = "", ghost[PATH_MAX] = "", amount[32];
	char pcalls[256] = "";
	const char *why, *mode = NULL, *scenario = NULL;
	long long m_a, m_b, m0, m1, zswapped, on_disk, ptr_bytes;
	double t0, out_s, in_s;
	static struct cache_use ca[MAX_CACHES], cb[MAX_CACHES];
	bool slabdiff = false, attached = false;
	struct pol_stat ps;
	int c, rc, ret = 1, na, nb;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			mode = optarg;
			break;
		case 's':
			scenario = optarg;
			break;
		case 'n':
			o.npages = strtoul(optarg, NULL, 0);
			break;
		case 'd':
			slabdiff = true;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (!mode || !scenario || !o.npages ||
	    (strcmp(mode, "stock") && strcmp(mode, "swaptier") &&
	     strcmp(mode, "policy")) ||
	    (strcmp(scenario, "mixed") && strcmp(scenario, "writeback"))) {
		usage();
		return 2;
	}
	o.policy = !strcmp(mode, "policy");
	o.swaptier = o.policy || !strcmp(mode, "swaptier");
	o.writeback = !strcmp(scenario, "writeback");

	why = st_env_get(&env, o.swaptier);
	if (why || !env.ssd) {
		fprintf(stderr, "memcost: %s\n", why ? why : "SWAPTIER_SSD unset");
		return 1;
	}
	if (o.swaptier && !tier_available(NULL, 0)) {
		fprintf(stderr, "memcost: this kernel has no swap tiers\n");
		return 1;
	}
	rc = cg_create("bench", cg, sizeof(cg));
	if (rc) {
		fprintf(stderr, "memcost: creating a cgroup: %s\n", strerror(-rc));
		return 1;
	}

	/* sysfs dentries and inodes for the slab files exist from here on. */
	caches_read(ca, MAX_CACHES);
	m_a = meta_kb();
	if (swap_setup(&env, &o, ghost, sizeof(ghost)))
		goto out;
	m_b = meta_kb();
	/*
	 * After the static figures (the policy's programs are not swap
	 * metadata) and before the worker: no page is swapped out yet.
	 */
	if (o.policy && policy_attach(&env, &attached))
		goto out;

	if (o.writeback && cg_write(cg, "memory.zswap.max", "256K")) {
		fprintf(stderr, "memcost: %s/memory.zswap.max: cannot set\n", cg);
		goto out;
	}
	cfg.cgroup = cg;
	cfg.npages = o.npages;
	cfg.kind = o.writeback ? CANARY_COMPRESSIBLE : CANARY_MIXED;
	cfg.seed = 0x5eed;
	cfg.mlock_rest = true;
	rc = worker_start(&w, &cfg, &ready, WORKER_TIMEOUT_S);
	if (rc) {
		fprintf(stderr, "memcost: worker: %s: %s\n", ready.what,
			strerror(-rc));
		goto out;
	}
	m0 = meta_kb();
	na = caches_read(ca, MAX_CACHES);

	snprintf(amount, sizeof(amount), "%zuK", o.npages * st_page_size() / 1024);
	t0 = st_now();
	cg_reclaim(cg, amount, RECLAIM_MS, NULL);
	io_settle();
	/* Written folios leave the swap cache on the next pass. */
	cg_reclaim(cg, amount, RECLAIM_MS, NULL);
	io_settle();
	out_s = st_now() - t0;

	rc = worker_request(&w, WORKER_MINCORE, &r, WORKER_TIMEOUT_S);
	if (rc) {
		fprintf(stderr, "memcost: mincore: %s\n", strerror(-rc));
		goto out;
	}
	m1 = meta_kb();
	nb = caches_read(cb, MAX_CACHES);
	if (slabdiff)
		caches_diff(ca, na, cb, nb);
	zswapped = cg_stat(cg, "zswapped") / (long long)st_page_size();
	on_disk = disk_pages(&env, &o, zswapped);
	ptr_bytes = o.swaptier ? tier_debugfs_file("pointer_bytes") : 0;

	t0 = st_now();
	rc = worker_request(&w, WORKER_CHECK, &ready, WORKER_TIMEOUT_S);
	in_s = st_now() - t0;
	if (rc || ready.bad_pages) {
		fprintf(stderr, "memcost: verify: %s, %llu bad pages (first %llu)\n",
			rc ? strerror(-rc) : "done",
			(unsigned long long)ready.bad_pages,
			(unsigned long long)ready.first_bad_page);
		goto out;
	}

	if (o.policy) {
		rc = pol_stat_read(0, &ps);
		if (rc || strcmp(ps.name, POLICY_NAME)) {
			fprintf(stderr, "memcost: after the workload: %s/global: %s\n",
				POL_SYSFS, rc ? strerror(-rc) : ps.name);
			goto out;
		}
		snprintf(pcalls, sizeof(pcalls),
			 ",\"policy_calls\":{\"place\":%lld,\"writeback\":%lld,"
			 "\"swapin\":%lld,\"tick\":%lld,\"errors\":%lld}",
			 ps.place, ps.writeback, ps.swapin, ps.tick, ps.errors);
		if (ps.place <= 0 || ps.errors != 0) {
			fprintf(stderr, "memcost: the policy's hooks did not run as expected%s\n",
				pcalls);
			goto out;
		}
		attached = false;
		if (policy_detach(&env))
			goto out;
	}

	printf("{\"mode\":\"%s\",\"scenario\":\"%s\",\"pages\":%zu,"
	       "\"resident\":%lld,\"zswap_pages\":%lld,\"disk_pages\":%lld,"
	       "\"swap_slots\":%lld,\"static_kb\":%lld,\"dynamic_kb\":%lld,"
	       "\"swapmeta_kb\":%lld,"
	       "\"pointer_bytes\":%lld,\"swapout_s\":%.3f,\"swapin_s\":%.3f"
	       "%s}\n",
	       mode, scenario, o.npages, (long long)r.resident, zswapped,
	       on_disk, 512LL * 1024 * 1024 / (long long)st_page_size() - 1,
	       m_b - m_a, m1 - m0,
	       (swapmeta_bytes(cb, nb) - swapmeta_bytes(ca, na)) / 1024,
	       ptr_bytes, out_s, in_s, pcalls);
	ret = 0;
out:
	if (attached)
		policy_detach(&env);
	worker_stop(&w);
	if (cg[0])
		cg_destroy(cg);
	if (ghost[0]) {
		/* The back end empties when the ghost's entries are freed. */
		swapoff(ghost);
		swapoff(env.ssd);
		unlink(ghost);
	} else {
		swapoff(env.ssd);
	}
	return ret;
}
