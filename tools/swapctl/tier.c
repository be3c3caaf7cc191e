// SPDX-License-Identifier: GPL-2.0-only
/*
 * swapctl tier: back-end tiers.
 *
 * A back end is an ordinary swap device or swapfile (with a mkswap header)
 * activated with swapon(2) flag SWAP_FLAG_BACKEND and a tier index: page
 * tables never point at its slots, each slot in use holds the data of one
 * ghost entry.  Tier 0 is zswap itself; device tiers are 1 .. 7 and are
 * described by /sys/kernel/mm/swap_tier/<name>/.
 *
 * A drain moves every page off one back end (to other back ends, zswap or
 * memory); the demotion worker moves a tier's oldest pages to the next
 * slower tier between the watermarks set with 'tier set'.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>

#include <linux/swap_tier.h>

#include "main.h"
#include "swapinfo.h"
#include "tiers.h"
#include "tier_ops.h"

#define DEFAULT_HIGH_PCT	90
#define DEFAULT_LOW_PCT		75

static void tier_help(FILE *f)
{
	fprintf(f,
		"Usage: %1$s tier add { DEV | FILE } --tier NAME [--prio PRIO]\n"
		"       %1$s tier remove { DEV | FILE }\n"
		"       %1$s tier drain { DEV | FILE } [-q|--quiet]\n"
		"       %1$s tier set NAME { --high PCT | --low PCT }... [--interval MS]\n"
		"       %1$s tier set --interval MS\n"
		"       %1$s tier { list | show } [--all] [-j [-p]]\n"
		"       %1$s tier help\n"
		"\n"
		"       NAME := a directory of %2$s\n"
		"               (default names: ssd, hdd, tier3 .. tier7; zswap is\n"
		"               tier 0, not a device tier)\n"
		"       PRIO := 0 .. %3$d  (swap priority; default: chosen by the kernel)\n"
		"       PCT := percent of the tier's capacity: --high 0 .. 100 (0: no\n"
		"              watermark demotion), --low 0 .. 99, below --high\n"
		"       MS := 100 .. 60000  (period of the demotion worker)\n"
		"       OPTIONS := { -j|--json [-p|--pretty] | -t|--tier | -P|--prio |\n"
		"                    -q|--quiet | -a|--all }\n"
		"\n"
		"'add' activates a swap device or swapfile (prepared with mkswap(8)) as a\n"
		"back end of tier NAME.  'remove' deactivates a back end; the kernel\n"
		"first moves its pages elsewhere, as 'drain' does.  'drain' moves every\n"
		"page off a back end (to other back ends, zswap or memory) and shows its\n"
		"progress; Ctrl-C stops it (exit status %4$d), moved pages stay moved.\n"
		"'set' sets the demotion watermarks of tier NAME and the demotion\n"
		"interval.  'list' shows zswap and the tiers that have back ends or\n"
		"watermarks other than the defaults (%5$d%%, %6$d%%), with their figures\n"
		"and back ends; --all shows every tier.\n",
		bin_name, TIER_SYSFS, SWAP_FLAG_PRIO_MASK, EXIT_INTERRUPTED,
		DEFAULT_HIGH_PCT, DEFAULT_LOW_PCT);
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	tier_help(stdout);
	return EXIT_OK;
}

/* ------------------------------------------------------------- add */

static int parse_tier_prio(const char *arg, int *prio)
{
	char obj[96];
	uint64_t v;

	snprintf(obj, sizeof(obj), "--prio %s", arg);
	if (parse_u64(arg, &v) || v > SWAP_FLAG_PRIO_MASK)
		return p_err(EXIT_USAGE, obj,
			     "invalid priority (expected 0 to %d)",
			     SWAP_FLAG_PRIO_MASK);
	*prio = (int)v;
	return EXIT_OK;
}

/*
 * The single DEV|FILE argument left at argv[optind] once options are parsed;
 * @cmd names the command in errors.
 */
static int one_path_arg(int argc, char **argv, const char *cmd,
			const char **path)
{
	if (optind >= argc)
		return p_err(EXIT_USAGE, cmd,
			     "missing DEV or FILE (see '%s tier help')",
			     bin_name);
	if (argc - optind > 1)
		return unexpected_arg(argv[optind + 1], "tier");
	if (!*argv[optind])
		return p_err(EXIT_USAGE, cmd, "empty DEV or FILE");
	*path = argv[optind];
	return EXIT_OK;
}

static int do_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tier",	required_argument,	NULL, 't' },
		{ "prio",	required_argument,	NULL, 'P' },
		{ NULL,		0,			NULL, 0 },
	};
	const char *path, *name = NULL;
	int c, ret, prio = -1;

	optind = 0;
	while ((c = cmd_getopt(argc, argv, opts, "tier")) != -1) {
		switch (c) {
		case 't':
			name = optarg;
			break;
		case 'P':
			ret = parse_tier_prio(optarg, &prio);
			if (ret)
				return ret;
			break;
		case 'h':
			tier_help(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	ret = one_path_arg(argc, argv, "tier add", &path);
	if (ret)
		return ret;
	if (!name)
		return p_err(EXIT_USAGE, "tier add",
			     "missing required option --tier (see '%s tier help')",
			     bin_name);
	return backend_add(path, name, prio);
}

/* ---------------------------------------------------------- remove */

/* Same file: the same block device, or the same inode. */
static bool same_file(const struct stat *a, const struct stat *b)
{
	if (S_ISBLK(a->st_mode) && S_ISBLK(b->st_mode))
		return a->st_rdev == b->st_rdev;
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * The back end @path names: compared by device and inode with each
 * listed back end, or by name where either cannot be looked up (e.g. a
 * "(deleted)" file).  Sets *tier and *kname (the name the kernel uses).
 */
static void find_backend(const struct tier_list *tl, const char *path,
			 const struct tier **tier, const char **kname)
{
	struct stat pst, st;
	bool have_pst = stat(path, &pst) == 0;

	*tier = NULL;
	*kname = NULL;
	for (size_t i = 0; i < tl->nr; i++) {
		const struct tier *t = &tl->tiers[i];

		for (size_t j = 0; j < t->nr_devs; j++) {
			const char *dev = t->devices[j];
			bool match;

			if (have_pst && stat(dev, &st) == 0)
				match = same_file(&pst, &st);
			else
				match = !strcmp(path, dev);
			if (match) {
				*tier = t;
				*kname = dev;
				return;
			}
		}
	}
}

static const struct swap_area *find_area(const struct swap_list *swaps,
					 const char *name)
{
	for (size_t i = 0; i < swaps->nr; i++)
		if (!strcmp(swaps->areas[i].name, name))
			return &swaps->areas[i];
	return NULL;
}

/*
 * Pages in use on the back end @kname, from the Used column of /proc/swaps;
 * unknown if it is not listed there.
 */
static int backend_used(const char *kname, struct opt_u64 *pages)
{
	const struct swap_area *a;
	struct swap_list swaps;
	int ret;

	pages->valid = false;
	ret = swaps_read(&swaps, false);
	if (ret)
		return ret;
	a = find_area(&swaps, kname);
	if (a) {
		pages->valid = true;
		pages->val = a->used_kib * 1024 / (uint64_t)page_size();
	}
	swaps_free(&swaps);
	return EXIT_OK;
}

/*
 * A swapoff that left pages on the back end: "swapoff failed: REASONstill
 * holds N pages HINT", N from /proc/swaps.
 */
static int report_left(const char *path, const char *kname,
		       const char *reason, const char *hint)
{
	struct opt_u64 left;

	if (backend_used(kname, &left))
		left.valid = false;	/* error already printed; keep going */
	if (left.valid)
		return p_err(EXIT_SYSCALL, path,
			     "swapoff failed: %sstill holds %llu pages%s",
			     reason, (unsigned long long)left.val, hint);
	return p_err(EXIT_SYSCALL, path, "swapoff failed: %sstill holds pages%s",
		     reason, hint);
}

static void print_removed(const char *path, const struct tier *t)
{
	struct jw *w;

	if (!json_output) {
		printf("%s: removed from tier %s (index %u)\n", path, t->name,
		       t->index);
		return;
	}
	w = json_start();
	if (!w)
		return;
	jw_object_begin(w);
	jw_field_string(w, "path", path);
	jw_field_string(w, "tier", t->name);
	jw_field_uint(w, "index", t->index);
	jw_object_end(w);
	jw_free(w);
}

static int do_remove(int argc, char **argv)
{
	struct tier_list tl = { 0 };
	const struct tier *t;
	const char *path, *kname;
	int c, ret;

	optind = 0;
	while ((c = cmd_getopt(argc, argv, NULL, "tier")) != -1) {
		if (c == 'h') {
			tier_help(stdout);
			return EXIT_OK;
		}
		return EXIT_USAGE;
	}
	ret = one_path_arg(argc, argv, "tier remove", &path);
	if (ret)
		return ret;

	ret = tiers_read(&tl);
	if (ret)
		goto out;
	if (!tl.present) {
		ret = no_tiers_error(&tl);
		goto out;
	}
	find_backend(&tl, path, &t, &kname);
	if (!t) {
		ret = p_err(EXIT_OTHER, path,
			    "not a back end (listed by no tier in %s); use swapoff(8) for other swap areas",
			    tl.path);
		goto out;
	}
	ret = call_swapoff(path);
	if (ret == DRY_RUN_BAD) {
		ret = EXIT_USAGE;
		goto out;
	}
	if (ret) {
		int err = errno;

		switch (err) {
		case EBUSY:	/* a kernel without drain on swapoff */
			ret = report_left(path, kname, "", "; drain it first");
			break;
		case ENOMEM:	/* the drain before swapoff found no room */
			ret = report_left(path, kname,
					  "no room in other tiers, zswap or memory (Cannot allocate memory); nothing lost, it ",
					  "");
			break;
		case EPERM:
			ret = p_err(EXIT_SYSCALL, path,
				    "swapoff failed: %s (needs CAP_SYS_ADMIN)",
				    strerror(err));
			break;
		default:
			errno = err;
			ret = p_sys(path, "swapoff failed");
			break;
		}
		goto out;
	}
	print_removed(path, t);
	ret = EXIT_OK;
out:
	tiers_free(&tl);
	return ret;
}

/* ------------------------------------------------------------ list */

static void jw_field_opt(struct jw *w, const char *name,
			 const struct opt_u64 *v)
{
	if (v->valid)
		jw_field_uint(w, name, v->val);
	else
		jw_field_null(w, name);
}

static void jw_field_opt_pages(struct jw *w, const char *name,
			       const struct opt_u64 *v)
{
	if (v->valid)
		jw_field_uint(w, name, v->val * (uint64_t)page_size());
	else
		jw_field_null(w, name);
}

static void list_json(const struct tier *tiers, const struct move_figs *mv,
		      size_t nr, const struct tier_list *tl,
		      const struct opt_u64 *interval,
		      const struct swap_list *swaps)
{
	struct jw *w = json_start();

	if (!w)
		return;
	jw_object_begin(w);
	jw_name(w, "tiers");
	jw_array_begin(w);
	for (size_t i = 0; i < nr; i++) {
		const struct tier *t = &tiers[i];

		jw_object_begin(w);
		jw_field_string(w, "name", t->name);
		jw_field_uint(w, "index", t->index);
		jw_field_opt(w, "nr_devices", &t->fig[TF_NR_DEVICES]);
		jw_field_opt_pages(w, "capacity_bytes",
				   &t->fig[TF_CAPACITY_PAGES]);
		jw_field_opt_pages(w, "used_bytes", &t->fig[TF_USED_PAGES]);
		jw_field_opt(w, "written_pages", &t->fig[TF_WRITTEN_PAGES]);
		jw_field_opt(w, "read_pages", &t->fig[TF_READ_PAGES]);
		jw_field_opt(w, "write_errors", &t->fig[TF_WRITE_ERRORS]);
		jw_field_opt(w, "read_errors", &t->fig[TF_READ_ERRORS]);
		for (int m = 0; m < NR_MOVE_FIGURES; m++)
			jw_field_opt(w, move_files[m], &mv[i].fig[m]);
		jw_name(w, "devices");
		jw_array_begin(w);
		for (size_t j = 0; j < t->nr_devs; j++) {
			const struct swap_area *a;

			a = find_area(swaps, t->devices[j]);
			jw_object_begin(w);
			jw_field_string(w, "name", t->devices[j]);
			if (a) {
				jw_field_uint(w, "size_bytes",
					      a->size_kib * 1024);
				jw_field_uint(w, "used_bytes",
					      a->used_kib * 1024);
				jw_field_int(w, "priority", a->prio);
			} else {
				jw_field_null(w, "size_bytes");
				jw_field_null(w, "used_bytes");
				jw_field_null(w, "priority");
			}
			jw_object_end(w);
		}
		jw_array_end(w);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_name(w, "pointers");
	jw_object_begin(w);
	jw_field_opt(w, "records", &tl->ptr_records);
	jw_field_opt(w, "bytes", &tl->ptr_bytes);
	jw_object_end(w);
	jw_field_opt(w, "demote_interval_ms", interval);
	jw_object_end(w);
	jw_free(w);
}

#define CELL 32

static void cell_u64(char *buf, const struct opt_u64 *v)
{
	if (v->valid)
		snprintf(buf, CELL, "%llu", (unsigned long long)v->val);
	else
		snprintf(buf, CELL, "-");
}

static void cell_pages(char *buf, const struct opt_u64 *v)
{
	if (v->valid)
		human_size(v->val * (uint64_t)page_size(), buf, CELL);
	else
		snprintf(buf, CELL, "-");
}

/* a watermark: "90%", "off" for a high watermark of 0 */
static void cell_pct(char *buf, const struct opt_u64 *v, bool high)
{
	if (!v->valid)
		snprintf(buf, CELL, "-");
	else if (high && !v->val)
		snprintf(buf, CELL, "off");
	else
		snprintf(buf, CELL, "%llu%%", (unsigned long long)v->val);
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

/*
 * Tier table, then one line per back end (sizes from /proc/swaps).
 * @hidden: the names of the tiers not shown, or NULL.
 */
static void list_table(const struct tier *tiers, const struct move_figs *mv,
		       size_t nr, const struct tier_list *tl,
		       const struct opt_u64 *interval,
		       const struct swap_list *swaps, const char *hidden)
{
	static const char *const head[] = {
		"INDEX", "DEVICES", "CAPACITY", "USED", "WRITTEN", "READ",
		"WERR", "RERR", "DEMOTED", "DRAINED", "HIGH", "LOW",
	};
	enum { NCOLS = sizeof(head) / sizeof(head[0]) };
	int w[NCOLS], wname = 4, wdev = 6, wtier = 4, wsize = 4, wused = 4,
	    wprio = 4;
	char cell[NCOLS][CELL], size[CELL], used[CELL], prio[CELL];
	size_t nr_devs = 0;

	for (int c = 0; c < NCOLS; c++)
		w[c] = (int)strlen(head[c]);
	/* two passes: widths, then rows */
	for (int pass = 0; pass < 2; pass++) {
		if (pass) {
			printf("%-*s", wname, "NAME");
			for (int c = 0; c < NCOLS; c++)
				printf(" %*s", w[c], head[c]);
			putchar('\n');
		}
		for (size_t i = 0; i < nr; i++) {
			const struct tier *t = &tiers[i];

			snprintf(cell[0], CELL, "%u", t->index);
			cell_u64(cell[1], &t->fig[TF_NR_DEVICES]);
			cell_pages(cell[2], &t->fig[TF_CAPACITY_PAGES]);
			cell_pages(cell[3], &t->fig[TF_USED_PAGES]);
			cell_u64(cell[4], &t->fig[TF_WRITTEN_PAGES]);
			cell_u64(cell[5], &t->fig[TF_READ_PAGES]);
			cell_u64(cell[6], &t->fig[TF_WRITE_ERRORS]);
			cell_u64(cell[7], &t->fig[TF_READ_ERRORS]);
			cell_u64(cell[8], &mv[i].fig[MF_DEMOTED_PAGES]);
			cell_u64(cell[9], &mv[i].fig[MF_DRAINED_PAGES]);
			cell_pct(cell[10], &mv[i].fig[MF_HIGH_PCT], true);
			cell_pct(cell[11], &mv[i].fig[MF_LOW_PCT], false);
			if (!pass) {
				wname = max_int(wname, escaped_width(t->name));
				for (int c = 0; c < NCOLS; c++)
					w[c] = max_int(w[c], (int)strlen(cell[c]));
				continue;
			}
			print_escaped(t->name, wname);
			for (int c = 0; c < NCOLS; c++)
				printf(" %*s", w[c], cell[c]);
			putchar('\n');
		}
	}

	for (size_t i = 0; i < nr; i++) {
		const struct tier *t = &tiers[i];

		for (size_t j = 0; j < t->nr_devs; j++) {
			const struct swap_area *a;

			a = find_area(swaps, t->devices[j]);
			nr_devs++;
			wdev = max_int(wdev, escaped_width(t->devices[j]));
			wtier = max_int(wtier, escaped_width(t->name));
			if (!a)
				continue;
			human_size(a->size_kib * 1024, size, CELL);
			human_size(a->used_kib * 1024, used, CELL);
			wsize = max_int(wsize, (int)strlen(size));
			wused = max_int(wused, (int)strlen(used));
			wprio = max_int(wprio, snprintf(prio, CELL, "%lld",
							a->prio));
		}
	}
	if (hidden)
		printf("not shown (no back ends, default watermarks): %s; see --all\n",
		       hidden);
	putchar('\n');
	if (interval->valid)
		printf("demotion interval: %llu ms\n\n",
		       (unsigned long long)interval->val);
	if (!nr_devs) {
		printf("no back ends\n");
		return;
	}
	if (tl->ptr_records.valid && tl->ptr_bytes.valid) {
		human_size(tl->ptr_bytes.val, size, CELL);
		printf("back-end pointers: %llu records, %s\n\n",
		       (unsigned long long)tl->ptr_records.val, size);
	}
	printf("%-*s %-*s %*s %*s %*s\n", wdev, "DEVICE", wtier, "TIER",
	       wsize, "SIZE", wused, "USED", wprio, "PRIO");
	for (size_t i = 0; i < nr; i++) {
		const struct tier *t = &tiers[i];

		for (size_t j = 0; j < t->nr_devs; j++) {
			const struct swap_area *a;

			a = find_area(swaps, t->devices[j]);
			if (a) {
				human_size(a->size_kib * 1024, size, CELL);
				human_size(a->used_kib * 1024, used, CELL);
				snprintf(prio, CELL, "%lld", a->prio);
			} else {
				strcpy(size, "-");
				strcpy(used, "-");
				strcpy(prio, "-");
			}
			print_escaped(t->devices[j], wdev);
			putchar(' ');
			print_escaped(t->name, wtier);
			printf(" %*s %*s %*s\n", wsize, size, wused, used,
			       wprio, prio);
		}
	}
}

/*
 * Worth a line without --all: a device tier with back ends, or with a
 * watermark an operator changed.  zswap always is.
 */
static bool tier_shown(const struct tier *t, const struct move_figs *m)
{
	const struct opt_u64 *high = &m->fig[MF_HIGH_PCT];
	const struct opt_u64 *low = &m->fig[MF_LOW_PCT];

	if (t->index == SWAP_TIER_ZSWAP || t->nr_devs)
		return true;
	if (t->fig[TF_NR_DEVICES].valid && t->fig[TF_NR_DEVICES].val)
		return true;
	return (high->valid && high->val != DEFAULT_HIGH_PCT) ||
	       (low->valid && low->val != DEFAULT_LOW_PCT);
}

/*
 * Drop the tiers not worth a line from all[] and mv[] (zswap, all[0],
 * stays); *hidden: their names for the table ("tier3, tier4"), or NULL.
 */
static int drop_unused(struct tier *all, struct move_figs *mv, size_t *nr,
		       char **hidden)
{
	size_t keep = 0, len = 1;

	*hidden = NULL;
	for (size_t i = 0; i < *nr; i++)
		if (!tier_shown(&all[i], &mv[i]))
			len += strlen(all[i].name) + 2;
	if (len > 1) {
		*hidden = malloc(len);
		if (!*hidden)
			return p_sys("tier", "cannot allocate memory");
		(*hidden)[0] = '\0';
	}
	for (size_t i = 0; i < *nr; i++) {
		if (tier_shown(&all[i], &mv[i])) {
			all[keep] = all[i];	/* shallow: tl owns them */
			mv[keep++] = mv[i];
			continue;
		}
		if ((*hidden)[0])
			strcat(*hidden, ", ");
		strcat(*hidden, all[i].name);
	}
	*nr = keep;
	return EXIT_OK;
}

static int do_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all",	no_argument,	NULL, 'a' },
		{ NULL,		0,		NULL, 0 },
	};
	struct swap_list swaps = { 0 };
	struct tier_list tl = { 0 };
	struct tier_table tt = { 0 };
	char *hidden = NULL;
	bool every = false;
	int c, ret;

	optind = 0;
	while ((c = cmd_getopt(argc, argv, opts, "tier")) != -1) {
		switch (c) {
		case 'a':
			every = true;
			break;
		case 'h':
			tier_help(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return unexpected_arg(argv[optind], "tier");

	ret = tiers_read(&tl);
	if (ret)
		goto out;
	if (!tl.present) {
		ret = no_tiers_error(&tl);
		goto out;
	}
	ret = swaps_read(&swaps, true);
	if (ret)
		goto out;
	ret = tier_table_read(&tl, &tt);
	if (ret)
		goto out;
	if (!every) {
		ret = drop_unused(tt.all, tt.mv, &tt.nr, &hidden);
		if (ret)
			goto out;
	}

	if (json_output)
		list_json(tt.all, tt.mv, tt.nr, &tl, &tt.interval, &swaps);
	else
		list_table(tt.all, tt.mv, tt.nr, &tl, &tt.interval, &swaps,
			   hidden);
	ret = EXIT_OK;
out:
	free(hidden);
	tier_table_free(&tt);
	swaps_free(&swaps);
	tiers_free(&tl);
	return ret;
}

/* ------------------------------------------------------------- set */

/* Parse the value of --@opt: @min .. @max. */
static int parse_range(const char *opt, const char *arg, uint64_t min,
		       uint64_t max, const char *what, unsigned int *v)
{
	char obj[96];
	uint64_t val;

	snprintf(obj, sizeof(obj), "--%s %s", opt, arg);
	if (parse_u64(arg, &val) || val < min || val > max)
		return p_err(EXIT_USAGE, obj, "invalid %s (expected %llu to %llu)",
			     what, (unsigned long long)min,
			     (unsigned long long)max);
	*v = (unsigned int)val;
	return EXIT_OK;
}

/* A sysfs value of 'tier set': the file and what to write. */
static int do_set(int argc, char **argv)
{
	enum { OPT_HIGH = 256, OPT_LOW, OPT_INTERVAL };
	static const struct option opts[] = {
		{ "high",	required_argument,	NULL, OPT_HIGH },
		{ "low",	required_argument,	NULL, OPT_LOW },
		{ "interval",	required_argument,	NULL, OPT_INTERVAL },
		{ NULL,		0,			NULL, 0 },
	};
	const char *name = NULL;
	bool set_high = false, set_low = false, set_ms = false;
	unsigned int high = 0, low = 0, ms = 0;
	int c, ret;

	optind = 0;
	while ((c = cmd_getopt(argc, argv, opts, "tier")) != -1) {
		switch (c) {
		case OPT_HIGH:
			ret = parse_range("high", optarg, 0, 100,
					  "percentage", &high);
			set_high = true;
			break;
		case OPT_LOW:
			ret = parse_range("low", optarg, 0, 99, "percentage",
					  &low);
			set_low = true;
			break;
		case OPT_INTERVAL:
			ret = parse_range("interval", optarg, 100, 60000,
					  "interval in ms", &ms);
			set_ms = true;
			break;
		case 'h':
			tier_help(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
		if (ret)
			return ret;
	}
	if (argc - optind > 1)
		return unexpected_arg(argv[optind + 1], "tier");
	if (optind < argc)
		name = argv[optind];
	return tier_set(name, set_high ? (int)high : -1, set_low ? (int)low : -1,
			set_ms ? (int)ms : -1);
}

/* ----------------------------------------------------------- drain */

static volatile sig_atomic_t drain_stop;

static void drain_signal(int sig)
{
	drain_stop = sig;
}

struct drain {
	const char *path;		/* as given */
	const char *kname;		/* as /proc/swaps names it */
	const struct tier *tier;
	bool quiet;
	bool no_progress;		/* /proc/swaps became unreadable, or -j */
	bool tty;			/* progress: rewrite one line */
	int shown;			/* length of that line */
	struct opt_u64 before, left;	/* pages at the start, at the end */
	int err;			/* 0 or the errno of the drain */
	bool interrupted;
	/* the child ended without a report, not by our stop: how */
	char lost[96];
};

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t drain_moved(const struct drain *d)
{
	if (!d->left.valid || d->left.val > d->before.val)
		return 0;
	return d->before.val - d->left.val;
}

/* "draining DEV: X of N pages moved (P%)" on stderr */
static void drain_progress(struct drain *d)
{
	uint64_t moved, n = d->before.val;
	int len;

	if (backend_used(d->kname, &d->left)) {
		d->no_progress = true;	/* reported: no more updates */
		return;
	}
	if (!d->left.valid)
		d->left.val = 0;		/* gone: nothing left on it */
	d->left.valid = true;
	moved = drain_moved(d);
	len = fprintf(stderr, "%sdraining %s: %llu of %llu pages moved (%llu%%)",
		      d->tty ? "\r" : "", d->path, (unsigned long long)moved,
		      (unsigned long long)n,
		      (unsigned long long)(n ? moved * 100 / n : 100));
	if (len < 1)
		return;
	if (!d->tty) {
		fputc('\n', stderr);
		return;
	}
	if (len - 1 < d->shown)
		fprintf(stderr, "%*s", d->shown - (len - 1), "");
	d->shown = len - 1;
	fflush(stderr);
}

/*
 * The child: the write returns once the back end is empty.  It reports 0
 * or the errno on @res (its exit status may belong to a tool like
 * valgrind); nothing there means it was killed.
 */
static void __attribute__((noreturn))
drain_child(int fd, int res, const char *path, pid_t parent,
	    const struct sigaction *old, const sigset_t *mask)
{
	size_t len = strlen(path);
	ssize_t n;
	int err;

	sigaction(SIGINT, &old[0], NULL);
	sigaction(SIGTERM, &old[1], NULL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	/* the drain stops with swapctl, whatever ends it */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(1);
	/* a stop and continue (Ctrl-Z, fg) interrupts it too: go on */
	do
		n = write(fd, path, len);
	while (n < 0 && errno == EINTR);
	err = n < 0 ? errno : (size_t)n == len ? 0 : EIO;
	if (write(res, &err, sizeof(err)) != sizeof(err))
		_exit(1);
	_exit(0);
}

/*
 * The child ended without reporting.  Killed by the user's stop (our
 * SIGKILL after SIGINT or SIGTERM, or the terminal's ^C, which reached it
 * too) it is an interruption; killed by anything else, or exiting, it is
 * an error whose reason goes in d->lost.
 */
static void drain_child_lost(struct drain *d, int status, bool killed)
{
	int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;

	if (drain_stop && sig &&
	    ((killed && sig == SIGKILL) || sig == drain_stop)) {
		d->err = EINTR;
		d->interrupted = true;
		return;
	}
	d->err = ECHILD;	/* JSON "error" */
	if (sig)
		snprintf(d->lost, sizeof(d->lost), "was killed by signal %d (%s)",
			 sig, strsignal(sig));
	else if (WIFEXITED(status))
		snprintf(d->lost, sizeof(d->lost),
			 "exited with status %d without a result",
			 WEXITSTATUS(status));
	else
		snprintf(d->lost, sizeof(d->lost), "ended without a result");
}

/*
 * Write the path to the drain file in a child while this process shows the
 * progress.  SIGINT and SIGTERM kill the child, which interrupts the
 * kernel's drain: what was moved stays moved.
 */
static int drain_run(struct drain *d, int fd)
{
	static const int sigs[3] = { SIGINT, SIGTERM, SIGCHLD };
	const struct timespec tick = { 0, 100 * 1000 * 1000 };
	struct sigaction sa, old[3];
	sigset_t block, oldmask;
	double next;
	pid_t pid, parent = getpid(), r;
	bool killed = false;
	int res[2], status, ret;

	if (pipe2(res, O_CLOEXEC))
		return p_sys(d->path, "cannot create a pipe");
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	drain_stop = 0;
	for (int i = 0; i < 3; i++) {
		sigaction(sigs[i], NULL, &old[i]);
		sigaddset(&block, sigs[i]);
		/*
		 * waitpid() needs SIGCHLD not ignored; an ignored SIGINT or
		 * SIGTERM (nohup, background job) stays ignored
		 */
		sa.sa_handler = sigs[i] == SIGCHLD ? SIG_DFL : drain_signal;
		if (sigs[i] == SIGCHLD || old[i].sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
	/* until the child has its own dispositions */
	sigprocmask(SIG_BLOCK, &block, &oldmask);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (!pid) {
		close(res[0]);
		drain_child(fd, res[1], d->path, parent, old, &oldmask);
	}
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	close(res[1]);
	if (pid < 0) {
		ret = p_sys(d->path, "cannot fork");
		goto out;
	}

	next = now_sec() + 0.5;
	while ((r = waitpid(pid, &status, WNOHANG)) != pid) {
		if (r < 0 && errno != EINTR) {
			ret = p_sys(d->path, "cannot wait for the drain");
			kill(pid, SIGKILL);
			goto out;
		}
		if (drain_stop && !killed) {
			kill(pid, SIGKILL);
			killed = true;
		}
		nanosleep(&tick, NULL);	/* cut short by a signal */
		if (!d->quiet && !d->no_progress && d->before.valid &&
		    !drain_stop && now_sec() >= next) {
			drain_progress(d);
			next = now_sec() + (d->tty ? 0.5 : 2);
		}
	}
	if (read(res[0], &d->err, sizeof(d->err)) != sizeof(d->err))
		drain_child_lost(d, status, killed);
	ret = EXIT_OK;
out:
	if (d->shown)	/* clear the progress line */
		fprintf(stderr, "\r%*s\r", d->shown, "");
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	close(res[0]);
	return ret;
}

static const char *errno_name(int err)
{
	switch (err) {
	case EINVAL:	return "EINVAL";
	case ENOENT:	return "ENOENT";
	case ENOMEM:	return "ENOMEM";
	case EPERM:	return "EPERM";
	case EACCES:	return "EACCES";
	case EINTR:	return "EINTR";
	case EIO:	return "EIO";
	case EBUSY:	return "EBUSY";
	default:	return "error";
	}
}

static void jw_field_opt_known(struct jw *w, const char *name, bool known,
			       uint64_t v)
{
	struct opt_u64 o = { known, v };

	jw_field_opt(w, name, &o);
}

/* The outcome: a summary, or the error with the pages moved and left. */
static int drain_report(const struct drain *d)
{
	bool counts = d->before.valid && d->left.valid;
	unsigned long long moved = drain_moved(d), left = d->left.val;
	const char *p = d->path;
	char tail[PATH_MAX + 96] = "";
	struct jw *w;
	int ret;

	switch (d->err) {
	case 0:
		ret = EXIT_OK;
		if (d->quiet || json_output)
			break;
		if (d->before.valid)
			printf("drained %s: %llu pages moved\n", p, moved);
		else
			printf("drained %s\n", p);
		break;
	case EINTR:
		if (counts)
			ret = p_err(EXIT_INTERRUPTED, p,
				    "interrupted: %llu pages moved, %llu still on %s",
				    moved, left, p);
		else
			ret = p_err(EXIT_INTERRUPTED, p, "interrupted");
		break;
	case ECHILD:	/* the child died of something else */
		if (counts)
			snprintf(tail, sizeof(tail),
				 "; %llu pages moved, %llu still on %s",
				 moved, left, p);
		ret = p_err(EXIT_SYSCALL, p,
			    "drain stopped: the process writing to the drain file %s%s",
			    d->lost, tail);
		break;
	case EINVAL:
		ret = p_err(EXIT_SYSCALL, p,
			    "drain failed: %s (not an active back end)",
			    strerror(d->err));
		break;
	case ENOENT:
		ret = p_err(EXIT_SYSCALL, p,
			    "drain failed: %s (the path does not exist)",
			    strerror(d->err));
		break;
	case EPERM:
	case EACCES:
		ret = p_err(EXIT_SYSCALL, p,
			    "drain failed: %s (needs CAP_SYS_ADMIN)",
			    strerror(d->err));
		break;
	default:
		if (counts)
			snprintf(tail, sizeof(tail),
				 "; %s%llu pages moved, %llu still on %s",
				 d->err == ENOMEM ? "nothing lost: " : "",
				 moved, left, p);
		ret = p_err(EXIT_SYSCALL, p, "drain stopped: %s (%s)%s",
			    strerror(d->err),
			    d->err == ENOMEM ? "no room in other tiers, zswap or memory" :
			    d->err == EIO ? "a page could not be read" :
			    d->err == EBUSY ? "pages stopped moving" :
			    "unexpected error", tail);
		break;
	}
	if (!json_output)
		return ret;
	w = json_start();
	if (!w)
		return ret ? ret : EXIT_SYSCALL;
	jw_object_begin(w);
	jw_field_string(w, "device", p);
	jw_field_string(w, "tier", d->tier->name);
	jw_field_opt(w, "pages_before", &d->before);
	jw_field_opt_known(w, "moved", counts, moved);
	jw_field_opt_known(w, "remaining", counts, left);
	jw_field_bool(w, "interrupted", d->interrupted);
	if (d->err)
		jw_field_string(w, "error", errno_name(d->err));
	else
		jw_field_null(w, "error");
	jw_object_end(w);
	jw_free(w);
	return ret;
}

static int do_drain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet",	no_argument,	NULL, 'q' },
		{ NULL,		0,		NULL, 0 },
	};
	struct tier_list tl = { 0 };
	struct drain d = { 0 };
	char file[PATH_MAX];
	int c, ret, err, fd = -1, dry;

	optind = 0;
	while ((c = cmd_getopt(argc, argv, opts, "tier")) != -1) {
		switch (c) {
		case 'q':
			d.quiet = true;
			break;
		case 'h':
			tier_help(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	ret = one_path_arg(argc, argv, "tier drain", &d.path);
	if (ret)
		return ret;
	dry = dry_run(&err);
	if (dry < 0)
		return EXIT_USAGE;

	ret = tiers_read(&tl);
	if (ret)
		goto out;
	if (!tl.present) {
		ret = no_tiers_error(&tl);
		goto out;
	}
	ret = join_path(file, sizeof(file), tl.path, "drain");
	if (ret)
		goto out;
	if (!dry)
		fd = open(file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && (!dry || access(file, F_OK))) {
		if (errno == ENOENT)
			ret = p_err(EXIT_OTHER, "tier drain",
				    "kernel has no tier drain (%s missing)",
				    file);
		else if (errno == EACCES || errno == EPERM)
			ret = p_sys(file, "cannot open (needs root)");
		else
			ret = p_sys(file, "cannot open");
		goto out;
	}
	find_backend(&tl, d.path, &d.tier, &d.kname);
	if (!d.tier) {
		ret = p_err(EXIT_OTHER, d.path,
			    "not a back end (listed by no tier in %s)",
			    tl.path);
		goto out;
	}
	ret = backend_used(d.kname, &d.before);
	if (ret)
		goto out;
	d.left = d.before;
	d.tty = isatty(STDERR_FILENO);
	/* stderr of -j is JSON: progress only for a person at a terminal */
	if (json_stderr() && !d.tty)
		d.no_progress = true;
	if (dry) {
		p_dry(file, "write %s", d.path);
		d.err = err;
	} else {
		ret = drain_run(&d, fd);
		if (ret)
			goto out;
	}
	if (!d.err) {
		d.left.valid = true;	/* the kernel emptied it */
		d.left.val = 0;
	} else if (backend_used(d.kname, &d.left)) {
		d.left.valid = false;
	}
	ret = drain_report(&d);
out:
	if (fd >= 0)
		close(fd);
	tiers_free(&tl);
	return ret;
}

int do_tier(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "add",	do_add },
		{ "remove",	do_remove },
		{ "drain",	do_drain },
		{ "set",	do_set },
		{ "list",	do_list },
		{ "show",	do_list },
		{ "help",	do_help },
		{ NULL,		NULL },
	};
	int n = object_opts(argc, argv);

	if (n < 0) {
		tier_help(stdout);
		return EXIT_OK;
	}
	return cmd_select(cmds, "tier", argc - 1 - n, argv + 1 + n);
}
