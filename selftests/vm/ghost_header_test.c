// SPDX-License-Identifier: GPL-2.0
/*
 * ghost_header_test: swapon(2) header checks for ghost and regular
 * swapfiles, swapon/swapoff leak check, and metadata cost of a ghost.
 *
 *  - A one-page file with last_page 0, version 2, a bad signature or
 *    nr_badpages != 0, and a 16-page file with the ghost marker and
 *    version 2 or nr_badpages != 0, is rejected with EINVAL, and the kernel
 *    log gets a line containing "ghost" and the path as passed to swapon(2).
 *  - A file with the ghost marker is a ghost whatever its length; a
 *    one-page file without it still is, and swapon logs how to add it.
 *  - Multi-page (16 pages) regular swapfiles keep the stock checks: bad
 *    signature, version 2, last_page 0, last_page beyond the end of the file
 *    and nr_badpages on a regular file all give EINVAL; a valid 16-page
 *    fallocated swapfile activates with type "file".
 *  - 100 rounds of swapon/swapoff of a valid ghost plus one failing swapon
 *    of every malformed kind leak no Slab or vmalloc memory.
 *  - A 1 GiB ghost costs no more kernel metadata than a 1 GiB swapfile.
 *
 * Malformed headers and regular swapfiles are written by lib/swaphdr.c;
 * valid ghosts by "$SWAPCTL ghost create" (the CLI under test).
 * Needs root and SWAPTIER_SCRATCH (a writable directory on ext4).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/swap.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "swaptest.h"
#include "st_harness.h"

#define REG_PAGES		16	/* multi-page regular swapfiles */
#define GHOST_BAD_LAST_PAGE	64	/* front-end size of malformed ghosts */

#define LEAK_ROUNDS		100
/*
 * Leak bound.  Measurements are taken after sync, drop_caches and a shrink
 * of every slab cache (which also empties the KASAN quarantine), so what
 * remains is slab page granularity and unrelated kernel activity: well
 * under 512 KiB in practice.  A leak of 1 KiB per failing swapon, or of
 * 5 KiB per successful swapon/swapoff cycle, exceeds it.
 */
#define LEAK_BOUND_KB		512

#define META_SIZE		"4G"
#define META_BYTES		(4ULL * ST_GiB)
#define META_ROUNDS		5	/* odd: the median is one round */
/*
 * The ghost may cost at most this much more than the regular file.
 * Measurement granularity: a fresh slab of an order-3 cache is 32 KiB, and
 * percpu memory is populated a 4 KiB page per possible CPU at a time
 * (<= 32 KiB with NR_CPUS=8); twice that is 128 KiB, 0.125 byte per slot
 * of a 4 GiB area - far below the 1 byte per slot that swap_map alone costs.
 */
#define META_TOLERANCE_KB	128

enum bad_kind_id {
	BAD_GHOST_LAST_PAGE_ZERO,
	BAD_GHOST_VERSION_2,
	BAD_GHOST_SIGNATURE,
	BAD_GHOST_NR_BADPAGES,
	BAD_MARKED_VERSION_2,
	BAD_MARKED_NR_BADPAGES,
	BAD_FILE_SIGNATURE,
	BAD_FILE_VERSION_2,
	BAD_FILE_LAST_PAGE_ZERO,
	BAD_FILE_LAST_PAGE_BEYOND,
	BAD_FILE_NR_BADPAGES,
	NR_BAD_KINDS,
};

struct bad_kind {
	const char *name;
	bool ghost;			/* one page long, or marked */
	char magic[SWAPHDR_MAGIC_LEN + 1];
	uint32_t version;
	uint32_t last_page;
	uint32_t nr_badpages;
	bool marked;			/* REG_PAGES long, ghost marker */
};

static const struct bad_kind bad_kinds[NR_BAD_KINDS] = {
	[BAD_GHOST_LAST_PAGE_ZERO] = { "ghost last_page 0", true,
				       SWAPHDR_MAGIC, 1, 0, 0 },
	[BAD_GHOST_VERSION_2] = { "ghost version 2", true, SWAPHDR_MAGIC, 2,
				  GHOST_BAD_LAST_PAGE, 0 },
	[BAD_GHOST_SIGNATURE] = { "ghost bad signature", true, "SWAPSPACE9",
				  1, GHOST_BAD_LAST_PAGE, 0 },
	[BAD_GHOST_NR_BADPAGES] = { "ghost nr_badpages 1", true,
				    SWAPHDR_MAGIC, 1, GHOST_BAD_LAST_PAGE, 1 },
	[BAD_MARKED_VERSION_2] = { "marked ghost version 2", true,
				   SWAPHDR_MAGIC, 2, GHOST_BAD_LAST_PAGE, 0,
				   true },
	[BAD_MARKED_NR_BADPAGES] = { "marked ghost nr_badpages 1", true,
				     SWAPHDR_MAGIC, 1, GHOST_BAD_LAST_PAGE, 1,
				     true },
	[BAD_FILE_SIGNATURE] = { "file bad signature", false, "SWAPSPACE9", 1,
				 REG_PAGES - 1, 0 },
	[BAD_FILE_VERSION_2] = { "file version 2", false, SWAPHDR_MAGIC, 2,
				 REG_PAGES - 1, 0 },
	[BAD_FILE_LAST_PAGE_ZERO] = { "file last_page 0", false,
				      SWAPHDR_MAGIC, 1, 0, 0 },
	/* Header claims 101 pages, the file has 16. */
	[BAD_FILE_LAST_PAGE_BEYOND] = { "file last_page beyond the file",
					false, SWAPHDR_MAGIC, 1, 100, 0 },
	[BAD_FILE_NR_BADPAGES] = { "file nr_badpages 1", false, SWAPHDR_MAGIC,
				   1, REG_PAGES - 1, 1 },
};

#define MAX_FILES (NR_BAD_KINDS + 4)

struct files {
	char path[MAX_FILES][PATH_MAX];
	int n;
};

/* Common setup: environment, recovery of state left by dead tests. */
static bool common_setup(struct __test_metadata *_metadata,
			 struct st_env *env, bool need_swapctl)
{
	char log[2048];

	st_require_env(_metadata, env, need_swapctl, false);
	if (st_recover(env, log, sizeof(log)))
		ksft_print_msg("recovered state left by an earlier test: %s\n",
			       log);
	return true;
}

static void files_cleanup(struct __test_metadata *_metadata,
			  struct files *f)
{
	int i, err;

	for (i = 0; i < f->n; i++) {
		if (!f->path[i][0])
			continue;
		err = st_swapoff_if_active(f->path[i]);
		TEARDOWN_CHECK(!err, "swapoff %s: %s", f->path[i],
			       strerror(-err));
		unlink(f->path[i]);
	}
	f->n = 0;
}

/* Reserve a new unique path in the scratch dir. */
static char *files_new(struct __test_metadata *_metadata, struct files *f,
		       const struct st_env *env, const char *tag)
{
	char *p;

	ASSERT_LT(f->n, MAX_FILES);
	p = f->path[f->n++];
	ASSERT_EQ(0, st_unique_path(p, PATH_MAX, env->scratch, tag, ".swap"));
	return p;
}

/* Write a file of the given malformed kind; returns its path. */
static char *make_bad(struct __test_metadata *_metadata, struct files *f,
		      const struct st_env *env, enum bad_kind_id id)
{
	const struct bad_kind *k = &bad_kinds[id];
	struct swaphdr_spec s;
	char *p = files_new(_metadata, f, env, "bad");
	int err;

	swaphdr_spec_init(&s, k->ghost && !k->marked ? 1 : REG_PAGES);
	s.ghost_marker = k->marked;
	memcpy(s.magic, k->magic, SWAPHDR_MAGIC_LEN);
	s.version = k->version;
	s.last_page = k->last_page;
	s.nr_badpages = k->nr_badpages;
	if (k->nr_badpages) {
		/* A legal bad-page index: only "bad pages exist" is wrong. */
		s.badpages[0] = 1;
		s.nr_listed_badpages = 1;
	}
	err = swaphdr_write(p, &s);
	ASSERT_EQ(0, err) TH_LOG("writing %s (%s): %s", p, k->name,
				 strerror(-err));
	return p;
}

/* swapon(2) with flags 0; 0 or -errno. */
static int do_swapon(const char *path)
{
	return swapon(path, 0) ? -errno : 0;
}

static int do_swapoff(const char *path)
{
	return swapoff(path) ? -errno : 0;
}

static void print_log_lines(const char *prefix, const char *log)
{
	const char *l = log;

	while (l && *l) {
		const char *eol = strchr(l, '\n');
		int len = eol ? (int)(eol - l) : (int)strlen(l);

		ksft_print_msg("%s%.*s\n", prefix, len, l);
		l = eol ? eol + 1 : NULL;
	}
}

/*
 * Expect swapon(path) to fail with EINVAL and leave nothing active.
 * The kernel log lines it produced go to log.
 */
static void expect_rejected(struct __test_metadata *_metadata,
			    const char *path, const char *what, char *log,
			    size_t loglen)
{
	int fd, rc;

	log[0] = '\0';
	fd = kmsg_open_end();
	ASSERT_LE(0, fd) TH_LOG("open /dev/kmsg: %s", strerror(-fd));
	rc = do_swapon(path);
	if (rc == 0)
		do_swapoff(path);
	ASSERT_EQ(-EINVAL, rc)
		TH_LOG("swapon(%s) [%s]: want EINVAL, got %s", path, what,
		       rc ? strerror(-rc) : "success");
	ASSERT_EQ(0, swaps_find(path, NULL))
		TH_LOG("%s is active after a failed swapon", path);
	/* Give printk a moment, then collect what this swapon logged. */
	st_sleep_ms(100);
	kmsg_read_new(fd, log, loglen);
	close(fd);
}

/*
 * All fixtures tear down in the harness parent (FIXTURE_TEARDOWN_PARENT,
 * fixture data shared): the teardown then runs even after a failed ASSERT,
 * and only needs paths, which any process can use.
 */

/* ---- malformed one-page (ghost) files ---- */

FIXTURE(bad_ghost) {
	struct st_env env;
	struct files f;
};

FIXTURE_VARIANT(bad_ghost) {
	enum bad_kind_id kind;
};

FIXTURE_VARIANT_ADD(bad_ghost, last_page_zero) {
	.kind = BAD_GHOST_LAST_PAGE_ZERO,
};

FIXTURE_VARIANT_ADD(bad_ghost, version_2) {
	.kind = BAD_GHOST_VERSION_2,
};

FIXTURE_VARIANT_ADD(bad_ghost, bad_signature) {
	.kind = BAD_GHOST_SIGNATURE,
};

FIXTURE_VARIANT_ADD(bad_ghost, nr_badpages_1) {
	.kind = BAD_GHOST_NR_BADPAGES,
};

FIXTURE_VARIANT_ADD(bad_ghost, marked_version_2) {
	.kind = BAD_MARKED_VERSION_2,
};

FIXTURE_VARIANT_ADD(bad_ghost, marked_nr_badpages_1) {
	.kind = BAD_MARKED_NR_BADPAGES,
};

FIXTURE_SETUP(bad_ghost)
{
	self->f.n = 0;
	if (!common_setup(_metadata, &self->env, false))
		return;
}

FIXTURE_TEARDOWN_PARENT(bad_ghost)
{
	files_cleanup(_metadata, &self->f);
}

TEST_F_TIMEOUT(bad_ghost, rejected_with_log, 60)
{
	static char log[65536];
	const struct bad_kind *k = &bad_kinds[variant->kind];
	char *path = make_bad(_metadata, &self->f, &self->env, variant->kind);
	const char *needles[] = { path, "ghost" };
	char match[1024];

	ASSERT_EQ((long long)st_page_size() * (k->marked ? REG_PAGES : 1),
		  st_file_size(path));
	expect_rejected(_metadata, path, k->name, log, sizeof(log));
	print_log_lines("kmsg: ", log);
	/*
	 * Every malformed one-page file, bad signature included, must be
	 * reported naming the path as passed to swapon(2) ...
	 */
	ASSERT_EQ(1, kmsg_text_has(log, needles, 1, match, sizeof(match)))
		TH_LOG("no kernel log line containing \"%s\" after swapon of a %s",
		       path, k->name);
	/* ... and the word "ghost" (the feature spec: all four kinds). */
	ASSERT_EQ(1, kmsg_text_has(log, needles, 2, match, sizeof(match)))
		TH_LOG("a log line names %s but none says \"ghost\" (%s)",
		       path, k->name);
	ksft_print_msg("matched: %s\n", match);
}

/* ---- malformed multi-page regular swapfiles: stock checks ---- */

FIXTURE(bad_file) {
	struct st_env env;
	struct files f;
};

FIXTURE_VARIANT(bad_file) {
	enum bad_kind_id kind;
};

FIXTURE_VARIANT_ADD(bad_file, bad_signature) {
	.kind = BAD_FILE_SIGNATURE,
};

FIXTURE_VARIANT_ADD(bad_file, version_2) {
	.kind = BAD_FILE_VERSION_2,
};

FIXTURE_VARIANT_ADD(bad_file, last_page_zero) {
	.kind = BAD_FILE_LAST_PAGE_ZERO,
};

FIXTURE_VARIANT_ADD(bad_file, last_page_beyond_file) {
	.kind = BAD_FILE_LAST_PAGE_BEYOND,
};

FIXTURE_VARIANT_ADD(bad_file, nr_badpages_1) {
	.kind = BAD_FILE_NR_BADPAGES,
};

FIXTURE_SETUP(bad_file)
{
	self->f.n = 0;
	if (!common_setup(_metadata, &self->env, false))
		return;
}

FIXTURE_TEARDOWN_PARENT(bad_file)
{
	files_cleanup(_metadata, &self->f);
}

TEST_F_TIMEOUT(bad_file, rejected, 60)
{
	static char log[65536];
	const struct bad_kind *k = &bad_kinds[variant->kind];
	char *path = make_bad(_metadata, &self->f, &self->env, variant->kind);
	const char *needles[] = { "ghost", path };

	ASSERT_EQ((long long)(REG_PAGES * st_page_size()), st_file_size(path));
	expect_rejected(_metadata, path, k->name, log, sizeof(log));
	print_log_lines("kmsg: ", log);
	/* Informational: a 16-page file is not a ghost. */
	if (kmsg_text_has(log, needles, 2, NULL, 0))
		ksft_print_msg("note: the kernel called a %d-page file a ghost\n",
			       REG_PAGES);
}

/* ---- valid files, leak check, metadata cost ---- */

FIXTURE(hdr) {
	struct st_env env;
	struct files f;
};

FIXTURE_SETUP(hdr)
{
	self->f.n = 0;
	if (!common_setup(_metadata, &self->env, false))
		return;
}

FIXTURE_TEARDOWN_PARENT(hdr)
{
	files_cleanup(_metadata, &self->f);
}

/* A valid 16-page fallocated swapfile still activates as "file". */
TEST_F_TIMEOUT(hdr, valid_file_activates, 60)
{
	size_t ps = st_page_size();
	char *path = files_new(_metadata, &self->f, &self->env, "file");
	struct swaphdr_spec s;
	struct swaps_row row;
	int rc;

	swaphdr_spec_init(&s, REG_PAGES);
	rc = swaphdr_write(path, &s);
	ASSERT_EQ(0, rc) TH_LOG("writing %s: %s", path, strerror(-rc));
	rc = do_swapon(path);
	ASSERT_EQ(0, rc) TH_LOG("swapon(%s): %s", path, strerror(-rc));
	ASSERT_EQ(1, swaps_find(path, &row));
	ksft_print_msg("/proc/swaps: %s type %s size %lld KiB prio %d\n",
		       row.path, row.type, row.size_kb, row.prio);
	ASSERT_STREQ("file", row.type);
	ASSERT_EQ((long long)((REG_PAGES - 1) * ps / 1024), row.size_kb);
	ASSERT_EQ(0, do_swapoff(path));
	ASSERT_EQ(0, swaps_find(path, NULL));
}

/* swapon path, expecting a ghost of last_page; the kernel log it made. */
static void expect_ghost(struct __test_metadata *_metadata, const char *path,
			 uint32_t last_page, char *log, size_t loglen)
{
	struct swaps_row row;
	int fd, rc;

	fd = kmsg_open_end();
	ASSERT_LE(0, fd) TH_LOG("open /dev/kmsg: %s", strerror(-fd));
	rc = do_swapon(path);
	st_sleep_ms(100);
	kmsg_read_new(fd, log, loglen);
	close(fd);
	print_log_lines("kmsg: ", log);
	ASSERT_EQ(0, rc) TH_LOG("swapon(%s): %s", path, strerror(-rc));
	ASSERT_EQ(1, swaps_find(path, &row));
	ksft_print_msg("/proc/swaps: %s type %s size %lld KiB\n", row.path,
		       row.type, row.size_kb);
	ASSERT_STREQ("ghost", row.type);
	ASSERT_EQ((long long)last_page * (long long)(st_page_size() / 1024),
		  row.size_kb);
	ASSERT_EQ(0, do_swapoff(path));
}

/*
 * The marker, not the length, makes a ghost: a 16-page file with the
 * marker and a header announcing 1 GiB is a 1 GiB ghost (a regular file
 * that short would be refused as "shorter than signature indicates").
 */
TEST_F_TIMEOUT(hdr, marked_ghost_any_length, 60)
{
	static char log[65536];
	char *path = files_new(_metadata, &self->f, &self->env, "marked");
	const char *needles[] = { path, "without the ghost marker" };
	uint32_t last_page = (uint32_t)(ST_GiB / st_page_size()) - 1;
	struct swaphdr_spec s;
	int rc;

	swaphdr_spec_init(&s, REG_PAGES);
	s.fill = SWAPHDR_FILL_SPARSE;
	s.ghost_marker = true;
	s.last_page = last_page;
	rc = swaphdr_write(path, &s);
	ASSERT_EQ(0, rc) TH_LOG("writing %s: %s", path, strerror(-rc));
	expect_ghost(_metadata, path, last_page, log, sizeof(log));
	ASSERT_EQ(0, kmsg_text_has(log, needles, 2, NULL, 0))
		TH_LOG("swapon asked to add a marker the file has");
}

/* A one-page ghost made before the marker: still a ghost, with a notice. */
TEST_F_TIMEOUT(hdr, legacy_ghost_notice, 60)
{
	static char log[65536];
	char *path = files_new(_metadata, &self->f, &self->env, "legacy");
	const char *needles[] = { path, "without the ghost marker",
				  "swapctl ghost create" };
	char match[1024];
	struct swaphdr_spec s;
	int rc;

	swaphdr_spec_init(&s, 1);
	s.last_page = 16383;
	rc = swaphdr_write(path, &s);
	ASSERT_EQ(0, rc) TH_LOG("writing %s: %s", path, strerror(-rc));
	expect_ghost(_metadata, path, s.last_page, log, sizeof(log));
	ASSERT_EQ(1, kmsg_text_has(log, needles, 3, match, sizeof(match)))
		TH_LOG("no notice naming %s and how to add the marker", path);
	ksft_print_msg("matched: %s\n", match);
}

struct memsnap {
	long long slab_kb, vmalloc_kb, percpu_kb, memfree_kb;
	int shrunk;		/* caches shrunk, or -errno */
	double seconds;		/* time the quiescing took */
};

/*
 * Quiesce, then read /proc/meminfo: drop clean caches, give RCU callbacks a
 * moment, shrink every slab cache (frees empty slabs and empties the KASAN
 * quarantine), drop again (also drains kfree_rcu batches via its
 * shrinker), and fold per-CPU vmstat deltas so Slab/MemFree are exact.
 */
static void memsnap_take(struct memsnap *m)
{
	double t0 = st_now();

	drop_caches();
	st_sleep_ms(300);
	m->shrunk = slab_shrink_all();
	drop_caches();
	vmstat_refresh();
	m->slab_kb = meminfo_kb("Slab");
	m->vmalloc_kb = meminfo_kb("VmallocUsed");
	m->percpu_kb = meminfo_kb("Percpu");
	m->memfree_kb = meminfo_kb("MemFree");
	m->seconds = st_now() - t0;
}

/*
 * Leak check: after a warm-up round, LEAK_ROUNDS x (swapon + swapoff of a
 * valid ghost, one failing swapon of every malformed kind).
 */
TEST_F_TIMEOUT(hdr, leak_check, 240)
{
	char out[4096], *ghost, *bad[NR_BAD_KINDS];
	struct memsnap a, b;
	double t0, secs;
	int i, k, rc, kasan;

	ASSERT_TRUE(self->env.swapctl && !access(self->env.swapctl, X_OK))
		TH_LOG("SWAPCTL is not set or not executable (selftests/vmrun sets it)");
	ghost = files_new(_metadata, &self->f, &self->env, "ghost");
	rc = st_swapctl_ghost_create(&self->env, ghost, "64M", NULL, out,
				     sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("swapctl ghost create: exit %d: %s", rc,
				st_oneline(out, sizeof(out)));
	for (k = 0; k < NR_BAD_KINDS; k++)
		bad[k] = make_bad(_metadata, &self->f, &self->env, k);
	ASSERT_EQ(0, st_other_swaps(NULL, out, sizeof(out)))
		TH_LOG("swap already active: %s", out);

	t0 = st_now();
	for (i = -1; i < LEAK_ROUNDS; i++) {
		if (i == 0) {	/* round -1 was the warm-up */
			memsnap_take(&a);
			t0 = st_now();
		}
		rc = do_swapon(ghost);
		ASSERT_EQ(0, rc) TH_LOG("round %d: swapon(ghost): %s", i,
					strerror(-rc));
		rc = do_swapoff(ghost);
		ASSERT_EQ(0, rc) TH_LOG("round %d: swapoff(ghost): %s", i,
					strerror(-rc));
		for (k = 0; k < NR_BAD_KINDS; k++) {
			rc = do_swapon(bad[k]);
			if (rc == 0)
				do_swapoff(bad[k]);
			ASSERT_EQ(-EINVAL, rc)
				TH_LOG("round %d: swapon of %s: want EINVAL, got %s",
				       i, bad_kinds[k].name,
				       rc ? strerror(-rc) : "success");
		}
	}
	secs = st_now() - t0;
	memsnap_take(&b);
	ASSERT_EQ(0, st_other_swaps(NULL, out, sizeof(out)))
		TH_LOG("swap left active: %s", out);

	kasan = kconfig_enabled("KASAN");
	ksft_print_msg("leak: %d rounds (%d swapon calls) in %.1f s; %d slab caches shrunk per snapshot (%.1f s); KASAN %s\n",
		       LEAK_ROUNDS, LEAK_ROUNDS * (1 + NR_BAD_KINDS), secs,
		       b.shrunk, b.seconds,
		       kasan < 0 ? "unknown" : kasan ? "on" : "off");
	ksft_print_msg("leak: Slab %+lld KiB, VmallocUsed %+lld KiB, Percpu %+lld KiB, MemFree %+lld KiB (bound %d KiB)\n",
		       b.slab_kb - a.slab_kb, b.vmalloc_kb - a.vmalloc_kb,
		       b.percpu_kb - a.percpu_kb, b.memfree_kb - a.memfree_kb,
		       LEAK_BOUND_KB);
	ASSERT_LE(0, a.slab_kb);
	ASSERT_LE(0, a.vmalloc_kb);
	if (b.shrunk < 0)
		ksft_print_msg("warning: /sys/kernel/slab unavailable (%s): KASAN quarantine not flushed\n",
			       strerror(-b.shrunk));
	ASSERT_LT(b.slab_kb - a.slab_kb, (long long)LEAK_BOUND_KB)
		TH_LOG("Slab grew by %lld KiB over %d rounds",
		       b.slab_kb - a.slab_kb, LEAK_ROUNDS);
	ASSERT_LT(b.vmalloc_kb - a.vmalloc_kb, (long long)LEAK_BOUND_KB)
		TH_LOG("VmallocUsed grew by %lld KiB over %d rounds",
		       b.vmalloc_kb - a.vmalloc_kb, LEAK_ROUNDS);
}

struct meta_cost {
	long long slab_kb, vmalloc_kb, percpu_kb, memfree_kb;
	long long total_kb;	/* slab + vmalloc + percpu */
	long long slots;
};

/* Metadata of one activation of path: meminfo deltas across swapon. */
static void measure_activation(struct __test_metadata *_metadata,
			       const char *path, const char *want_type,
			       struct meta_cost *c)
{
	struct memsnap a, b;
	struct swaps_row row;
	int rc;

	memsnap_take(&a);
	rc = do_swapon(path);
	ASSERT_EQ(0, rc) TH_LOG("swapon(%s): %s", path, strerror(-rc));
	memsnap_take(&b);
	rc = swaps_find(path, &row);
	do_swapoff(path);
	ASSERT_EQ(1, rc);
	ASSERT_STREQ(want_type, row.type);
	c->slab_kb = b.slab_kb - a.slab_kb;
	c->vmalloc_kb = b.vmalloc_kb - a.vmalloc_kb;
	c->percpu_kb = b.percpu_kb - a.percpu_kb;
	c->memfree_kb = a.memfree_kb - b.memfree_kb;
	c->total_kb = c->slab_kb + c->vmalloc_kb + c->percpu_kb;
	c->slots = row.size_kb * 1024 / (long long)st_page_size();
	ksft_print_msg("metadata: %-5s %lld slots: Slab %+lld VmallocUsed %+lld Percpu %+lld = %+lld KiB (MemFree -%lld KiB)\n",
		       want_type, c->slots, c->slab_kb, c->vmalloc_kb,
		       c->percpu_kb, c->total_kb, c->memfree_kb);
}

/* Index of the round with the median total (META_ROUNDS is odd). */
static int median_round(const struct meta_cost *c)
{
	int i, j;

	for (i = 0; i < META_ROUNDS; i++) {
		int below = 0, equal = 0;

		for (j = 0; j < META_ROUNDS; j++) {
			below += c[j].total_kb < c[i].total_kb;
			equal += c[j].total_kb == c[i].total_kb;
		}
		if (below <= META_ROUNDS / 2 && below + equal > META_ROUNDS / 2)
			return i;
	}
	return 0;
}

static double per_slot(long long kb, long long slots)
{
	return slots ? (double)kb * 1024.0 / (double)slots : 0;
}

/*
 * Metadata cost: a 1 GiB ghost against a 1 GiB fallocated swapfile on the
 * scratch ext4: VmallocUsed + Slab + Percpu deltas across swapon, median
 * of META_ROUNDS alternating activations.
 */
TEST_F_TIMEOUT(hdr, metadata_cost, 240)
{
	size_t ps = st_page_size();
	struct meta_cost g[META_ROUNDS], f[META_ROUNDS], *gm, *fm;
	char out[4096], *ghost, *file;
	struct swaphdr_spec s;
	int i, rc;

	ASSERT_TRUE(self->env.swapctl && !access(self->env.swapctl, X_OK))
		TH_LOG("SWAPCTL is not set or not executable (selftests/vmrun sets it)");
	ASSERT_EQ(0, st_other_swaps(NULL, out, sizeof(out)))
		TH_LOG("swap already active: %s", out);
	ghost = files_new(_metadata, &self->f, &self->env, "metaghost");
	rc = st_swapctl_ghost_create(&self->env, ghost, META_SIZE, NULL, out,
				     sizeof(out));
	ASSERT_EQ(0, rc) TH_LOG("swapctl ghost create --size %s: exit %d: %s",
				META_SIZE, rc, st_oneline(out, sizeof(out)));
	file = files_new(_metadata, &self->f, &self->env, "metafile");
	swaphdr_spec_init(&s, META_BYTES / ps);
	rc = swaphdr_write(file, &s);
	ASSERT_EQ(0, rc) TH_LOG("fallocating a %s swapfile %s: %s", META_SIZE,
				file, strerror(-rc));

	for (i = 0; i < META_ROUNDS; i++) {
		measure_activation(_metadata, ghost, "ghost", &g[i]);
		measure_activation(_metadata, file, "file", &f[i]);
	}
	gm = &g[median_round(g)];
	fm = &f[median_round(f)];
	ksft_print_msg("metadata: ghost %.2f B/slot, file %.2f B/slot (median of %d; MemFree-based: ghost %.2f, file %.2f)\n",
		       per_slot(gm->total_kb, gm->slots),
		       per_slot(fm->total_kb, fm->slots), META_ROUNDS,
		       per_slot(gm->memfree_kb, gm->slots),
		       per_slot(fm->memfree_kb, fm->slots));

	ASSERT_GT(gm->slots, 0LL);
	ASSERT_GT(fm->slots, 0LL);
	/* Method sanity: a stock swapfile's swap_map alone is 1 B/slot of vmalloc. */
	ASSERT_GE(fm->vmalloc_kb * 1024, fm->slots * 9 / 10)
		TH_LOG("regular swapfile shows %lld KiB VmallocUsed for %lld slots: measurement is not seeing swap_map",
		       fm->vmalloc_kb, fm->slots);
	ASSERT_LE(gm->total_kb, fm->total_kb + META_TOLERANCE_KB)
		TH_LOG("ghost metadata %.2f B/slot exceeds the regular file's %.2f B/slot (+%d KiB tolerance)",
		       per_slot(gm->total_kb, gm->slots),
		       per_slot(fm->total_kb, fm->slots), META_TOLERANCE_KB);
}

TEST_HARNESS_MAIN
