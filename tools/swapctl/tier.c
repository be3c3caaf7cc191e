// SPDX-License-Identifier: GPL-2.0-only
/*
 * swapctl tier: back-end tiers.
 *
 * A back end is an ordinary swap device or swapfile (with a mkswap header)
 * activated with swapon(2) flag SWAP_FLAG_BACKEND and a tier index: page
 * tables never point at its slots, each slot in use holds the data of one
 * ghost entry.  Tier 0 is zswap itself; device tiers are 1 .. 7 and are
 * described by /sys/kernel/mm/swap_tier/<name>/.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/swap.h>

#include <linux/swap_tier.h>

#include "main.h"

#define TIER_SYSFS	"/sys/kernel/mm/swap_tier"
#define ZSWAP_NAME	"zswap"

/* the flags of one swapon(2) call must not overlap */
_Static_assert((SWAP_FLAG_TIER_MASK &
		(SWAP_FLAG_BACKEND | SWAP_FLAG_PREFER | SWAP_FLAG_PRIO_MASK |
		 SWAP_FLAG_DISCARD)) == 0,
	       "SWAP_FLAG_TIER_MASK overlaps other swapon flags");
_Static_assert((SWAP_FLAG_BACKEND &
		(SWAP_FLAG_PREFER | SWAP_FLAG_PRIO_MASK | SWAP_FLAG_DISCARD)) == 0,
	       "SWAP_FLAG_BACKEND overlaps other swapon flags");
_Static_assert((((SWAP_TIER_MAX - 1) << SWAP_FLAG_TIER_SHIFT) &
		~SWAP_FLAG_TIER_MASK) == 0,
	       "SWAP_FLAG_TIER_MASK cannot hold every tier index");

/* sysfs file names, in enum tier_figure order */
static const char *const tier_files[NR_TIER_FIGURES] = {
	[TF_NR_DEVICES]		= "nr_devices",
	[TF_CAPACITY_PAGES]	= "capacity_pages",
	[TF_USED_PAGES]		= "used_pages",
	[TF_WRITTEN_PAGES]	= "written_pages",
	[TF_READ_PAGES]		= "read_pages",
	[TF_WRITE_ERRORS]	= "write_errors",
	[TF_READ_ERRORS]	= "read_errors",
};

static void tier_help(FILE *f)
{
	fprintf(f,
		"Usage: %1$s tier add { DEV | FILE } --tier NAME [--prio PRIO]\n"
		"       %1$s tier remove { DEV | FILE }\n"
		"       %1$s tier { list | show } [-j [-p]]\n"
		"       %1$s tier help\n"
		"\n"
		"       NAME := a directory of %2$s\n"
		"               (default names: ssd, hdd, tier3 .. tier7; zswap is\n"
		"               tier 0, not a device tier)\n"
		"       PRIO := 0 .. %3$d  (swap priority; default: chosen by the kernel)\n"
		"       OPTIONS := { -j|--json [-p|--pretty] | -t|--tier | -P|--prio }\n"
		"\n"
		"'add' activates a swap device or swapfile (prepared with mkswap(8)) as a\n"
		"back end of tier NAME.  'remove' deactivates a back end; the kernel\n"
		"refuses while it still holds pages.  'list' shows every tier, zswap\n"
		"included, with its figures and back ends.\n",
		bin_name, TIER_SYSFS, SWAP_FLAG_PRIO_MASK);
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	tier_help(stdout);
	return EXIT_OK;
}

/* ------------------------------------------------------------ sysfs */

static void tier_free(struct tier *t)
{
	for (size_t i = 0; i < t->nr_devs; i++)
		free(t->devices[i]);
	free(t->devices);
	free(t->name);
	memset(t, 0, sizeof(*t));
}

void tiers_free(struct tier_list *tl)
{
	for (size_t i = 0; i < tl->nr; i++)
		tier_free(&tl->tiers[i]);
	free(tl->tiers);
	free(tl->path);
	memset(tl, 0, sizeof(*tl));
}

static int join_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= len)
		return p_err(EXIT_OTHER, dir, "path too long");
	return EXIT_OK;
}

/*
 * Read a file holding one decimal value and a newline.  A file that does
 * not exist (or whose directory is not one) leaves the figure unknown.
 */
static int read_figure(const char *dir, const char *file, struct opt_u64 *v)
{
	char path[PATH_MAX], *buf = NULL;
	ssize_t len;
	int ret;

	v->valid = false;
	ret = join_path(path, sizeof(path), dir, file);
	if (ret)
		return ret;
	len = read_whole_file(path, &buf);
	if (len == -ENOENT || len == -ENOTDIR)
		return EXIT_OK;
	if (len < 0) {
		errno = (int)-len;
		return p_sys(path, "cannot read");
	}
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (memchr(buf, '\0', len) || parse_u64(buf, &v->val)) {
		ret = p_err(EXIT_OTHER, path, "unexpected value");
	} else {
		v->valid = true;
		ret = EXIT_OK;
	}
	free(buf);
	return ret;
}

/* "devices": one back end per line, octal-escaped as in /proc/swaps */
static int read_devices(const char *dir, struct tier *t)
{
	char path[PATH_MAX], *buf = NULL, *line, *next;
	size_t cap = 0;
	ssize_t len;
	int ret;

	ret = join_path(path, sizeof(path), dir, "devices");
	if (ret)
		return ret;
	len = read_whole_file(path, &buf);
	if (len == -ENOENT)
		return EXIT_OK;
	if (len < 0) {
		errno = (int)-len;
		return p_sys(path, "cannot read");
	}
	if (memchr(buf, '\0', len)) {
		ret = p_err(EXIT_OTHER, path, "unexpected NUL byte");
		goto out;
	}
	for (line = buf; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (!*line)
			continue;
		if (t->nr_devs == cap) {
			char **tmp;

			cap = cap ? cap * 2 : 4;
			tmp = realloc(t->devices, cap * sizeof(*tmp));
			if (!tmp) {
				ret = p_sys(path, "cannot allocate memory");
				goto out;
			}
			t->devices = tmp;
		}
		unescape_octal(line);
		t->devices[t->nr_devs] = strdup(line);
		if (!t->devices[t->nr_devs]) {
			ret = p_sys(path, "cannot allocate memory");
			goto out;
		}
		t->nr_devs++;
	}
	ret = EXIT_OK;
out:
	free(buf);
	return ret;
}

/* Read the tier directory @dir; *found is false if it is not one. */
static int read_tier(const char *dir, const char *name, struct tier *t,
		     bool *found)
{
	uint64_t max_pages = UINT64_MAX / (uint64_t)page_size();
	struct opt_u64 index;
	char path[PATH_MAX];
	int ret;

	memset(t, 0, sizeof(*t));
	*found = false;
	ret = read_figure(dir, "index", &index);
	if (ret || !index.valid)
		return ret;
	if (index.val == SWAP_TIER_ZSWAP || index.val >= SWAP_TIER_MAX) {
		join_path(path, sizeof(path), dir, "index");
		return p_err(EXIT_OTHER, path,
			     "tier index %llu out of range (device tiers are 1 to %d)",
			     (unsigned long long)index.val, SWAP_TIER_MAX - 1);
	}
	*found = true;
	t->index = (unsigned int)index.val;
	t->name = strdup(name);
	if (!t->name)
		return p_sys(dir, "cannot allocate memory");
	for (int i = 0; i < NR_TIER_FIGURES; i++) {
		ret = read_figure(dir, tier_files[i], &t->fig[i]);
		if (ret)
			return ret;
	}
	/* shown in bytes: must not overflow */
	if ((t->fig[TF_CAPACITY_PAGES].valid &&
	     t->fig[TF_CAPACITY_PAGES].val > max_pages) ||
	    (t->fig[TF_USED_PAGES].valid &&
	     t->fig[TF_USED_PAGES].val > max_pages))
		return p_err(EXIT_OTHER, dir, "page count out of range");
	return read_devices(dir, t);
}

static int cmp_index(const void *a, const void *b)
{
	const struct tier *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

int tiers_read(struct tier_list *tl)
{
	char pbuf[PATH_MAX], dir[PATH_MAX];
	struct dirent *de;
	const char *base;
	DIR *d = NULL;
	size_t cap = 0;
	int ret;

	memset(tl, 0, sizeof(*tl));
	base = sys_path(TIER_SYSFS, pbuf, sizeof(pbuf));
	tl->path = strdup(base);
	if (!tl->path)
		return p_sys(base, "cannot allocate memory");
	d = opendir(base);
	if (!d) {
		if (errno == ENOENT)
			return EXIT_OK;
		ret = p_sys(base, "cannot open");
		goto out;
	}
	tl->present = true;
	ret = read_figure(base, "pointer_records", &tl->ptr_records);
	if (!ret)
		ret = read_figure(base, "pointer_bytes", &tl->ptr_bytes);
	if (ret)
		goto out;
	for (;;) {
		struct tier t;
		bool found;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno) {
				ret = p_sys(base, "cannot read directory");
				goto out;
			}
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		ret = join_path(dir, sizeof(dir), base, de->d_name);
		if (ret)
			goto out;
		ret = read_tier(dir, de->d_name, &t, &found);
		if (ret || !found) {
			tier_free(&t);
			if (ret)
				goto out;
			continue;	/* not a tier directory */
		}
		for (size_t i = 0; i < tl->nr; i++) {
			if (tl->tiers[i].index == t.index) {
				ret = p_err(EXIT_OTHER, base,
					    "tiers '%s' and '%s' have the same index %u",
					    tl->tiers[i].name, t.name, t.index);
				tier_free(&t);
				goto out;
			}
		}
		if (tl->nr == cap) {
			struct tier *tmp;

			cap = cap ? cap * 2 : 8;
			tmp = realloc(tl->tiers, cap * sizeof(*tmp));
			if (!tmp) {
				ret = p_sys(base, "cannot allocate memory");
				tier_free(&t);
				goto out;
			}
			tl->tiers = tmp;
		}
		tl->tiers[tl->nr++] = t;
	}
	if (tl->nr)
		qsort(tl->tiers, tl->nr, sizeof(*tl->tiers), cmp_index);
	ret = EXIT_OK;
out:
	if (d)
		closedir(d);
	if (ret) {
		tiers_free(tl);
	}
	return ret;
}

const struct tier *tiers_find_device(const struct tier_list *tl,
				     const char *name)
{
	for (size_t i = 0; i < tl->nr; i++)
		for (size_t j = 0; j < tl->tiers[i].nr_devs; j++)
			if (!strcmp(tl->tiers[i].devices[j], name))
				return &tl->tiers[i];
	return NULL;
}

static int no_tiers_error(const struct tier_list *tl)
{
	return p_err(EXIT_OTHER, "tier",
		     "kernel has no swap tiers (%s missing)", tl->path);
}

/* "ssd, hdd, tier3" for messages; the caller frees it */
static char *tier_names(const struct tier_list *tl)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < tl->nr; i++)
		len += strlen(tl->tiers[i].name) + 2;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < tl->nr; i++) {
		if (i)
			strcat(s, ", ");
		strcat(s, tl->tiers[i].name);
	}
	return s;
}

/* ------------------------------------------------- swapon / swapoff */

/*
 * swapon(2) flags for a back end of tier @index; @prio < 0 lets the kernel
 * choose the priority.
 */
static int backend_swap_flags(unsigned int index, int prio)
{
	int flags = SWAP_FLAG_BACKEND |
		    (int)((index << SWAP_FLAG_TIER_SHIFT) & SWAP_FLAG_TIER_MASK);

	if (prio >= 0)
		flags |= SWAP_FLAG_PREFER |
			 ((prio << SWAP_FLAG_PRIO_SHIFT) & SWAP_FLAG_PRIO_MASK);
	return flags;
}

/*
 * swapon(2), or its dry run: 0, -1 with errno set, or DRY_RUN_BAD after
 * reporting a bad SWAPCTL_DRY_RUN.
 */
#define DRY_RUN_BAD (-2)

static int call_swapon(const char *path, int flags)
{
	int err, dry = dry_run(&err);

	if (dry < 0)
		return DRY_RUN_BAD;
	if (!dry)
		return swapon(path, flags);
	fflush(stdout);
	fprintf(stderr, "%s: %s: dry run: swapon flags 0x%08x\n", bin_name,
		path, (unsigned int)flags);
	errno = err;
	return err ? -1 : 0;
}

static int call_swapoff(const char *path)
{
	int err, dry = dry_run(&err);

	if (dry < 0)
		return DRY_RUN_BAD;
	if (!dry)
		return swapoff(path);
	fflush(stdout);
	fprintf(stderr, "%s: %s: dry run: swapoff\n", bin_name, path);
	errno = err;
	return err ? -1 : 0;
}

/* ------------------------------------------------------------- add */

static const struct tier *find_tier(const struct tier_list *tl,
				    const char *name)
{
	for (size_t i = 0; i < tl->nr; i++)
		if (!strcmp(tl->tiers[i].name, name))
			return &tl->tiers[i];
	return NULL;
}

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

static void print_added(const char *path, const struct tier *t, int prio)
{
	struct jw *w;

	if (!json_output) {
		printf("%s: back end of tier %s (index %u), ", path, t->name,
		       t->index);
		if (prio >= 0)
			printf("priority %d\n", prio);
		else
			printf("priority chosen by the kernel\n");
		return;
	}
	w = json_start();
	if (!w)
		return;
	jw_object_begin(w);
	jw_field_string(w, "path", path);
	jw_field_string(w, "tier", t->name);
	jw_field_uint(w, "index", t->index);
	if (prio >= 0)
		jw_field_int(w, "priority", prio);
	else
		jw_field_null(w, "priority");
	jw_object_end(w);
	jw_free(w);
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
		return p_err(EXIT_USAGE, argv[optind + 1],
			     "unexpected argument (see '%s tier help')",
			     bin_name);
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
	struct tier_list tl = { 0 };
	const char *path, *name = NULL;
	const struct tier *t;
	char *names = NULL;
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
	if (!strcmp(name, ZSWAP_NAME))
		return p_err(EXIT_USAGE, "--tier zswap",
			     "zswap is tier %d, not a device tier: it takes no back ends (see '%s tier list')",
			     SWAP_TIER_ZSWAP, bin_name);

	ret = tiers_read(&tl);
	if (ret)
		goto out;
	if (!tl.present) {
		ret = no_tiers_error(&tl);
		goto out;
	}
	t = find_tier(&tl, name);
	if (!t) {
		char obj[96];

		snprintf(obj, sizeof(obj), "--tier %s", name);
		names = tier_names(&tl);
		if (!names) {
			ret = p_sys(obj, "cannot allocate memory");
			goto out;
		}
		if (tl.nr)
			ret = p_err(EXIT_USAGE, obj,
				    "unknown tier (valid tiers: %s)", names);
		else
			ret = p_err(EXIT_USAGE, obj,
				    "unknown tier (the kernel has no device tiers; %s is empty)",
				    tl.path);
		goto out;
	}

	ret = call_swapon(path, backend_swap_flags(t->index, prio));
	if (ret == DRY_RUN_BAD) {
		ret = EXIT_USAGE;
		goto out;
	}
	if (ret) {
		int err = errno;

		switch (err) {
		case EINVAL:
			ret = p_err(EXIT_SYSCALL, path,
				    "swapon failed: %s (is it a swap area? prepare it with mkswap(8); else the kernel does not support back-end tiers)",
				    strerror(err));
			break;
		case EBUSY:
			ret = p_err(EXIT_SYSCALL, path,
				    "swapon failed: %s (already an active swap area or back end)",
				    strerror(err));
			break;
		case EPERM:
			ret = p_err(EXIT_SYSCALL, path,
				    "swapon failed: %s (needs CAP_SYS_ADMIN)",
				    strerror(err));
			break;
		default:
			errno = err;
			ret = p_sys(path, "swapon failed");
			break;
		}
		goto out;
	}
	print_added(path, t, prio);
	ret = EXIT_OK;
out:
	free(names);
	tiers_free(&tl);
	return ret;
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

/* Report swapoff's EBUSY with the back end's Used from /proc/swaps. */
static int report_busy(const char *path, const char *kname)
{
	struct swap_list swaps;
	int ret;

	if (swaps_read(&swaps, false))
		swaps.nr = 0;	/* error already printed; keep going */
	for (size_t i = 0; i < swaps.nr; i++) {
		const struct swap_area *a = &swaps.areas[i];

		if (strcmp(a->name, kname))
			continue;
		ret = p_err(EXIT_SYSCALL, path,
			    "swapoff failed: still holds %llu pages; drain it first",
			    (unsigned long long)(a->used_kib * 1024 /
						 (uint64_t)page_size()));
		swaps_free(&swaps);
		return ret;
	}
	swaps_free(&swaps);
	return p_err(EXIT_SYSCALL, path,
		     "swapoff failed: still holds pages; drain it first");
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
		case EBUSY:
			ret = report_busy(path, kname);
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

/* zswap as tier 0: no capacity, used = the pages it stores */
static int read_zswap_tier(struct tier *t)
{
	static const char *const keys[] = { "zswpout", "zswpin" };
	struct opt_u64 counters[2] = { { 0 } };
	struct zswap_status z;
	uint64_t psz = (uint64_t)page_size();
	int ret;

	memset(t, 0, sizeof(*t));
	memset(&z, 0, sizeof(z));
	t->index = SWAP_TIER_ZSWAP;
	t->name = strdup(ZSWAP_NAME);
	if (!t->name)
		return p_sys(ZSWAP_NAME, "cannot allocate memory");
	ret = zswap_read(&z);
	if (!ret)
		ret = vmstat_read(keys, counters, 2);
	if (ret)
		goto out;
	t->fig[TF_NR_DEVICES].valid = true;
	t->fig[TF_NR_DEVICES].val = 0;
	/* Zswapped (kB, readable by all), else debugfs stored_pages */
	if (z.stored_bytes.valid) {
		t->fig[TF_USED_PAGES].valid = true;
		t->fig[TF_USED_PAGES].val = z.stored_bytes.val / psz;
	} else {
		t->fig[TF_USED_PAGES] = z.stored_pages;
		if (t->fig[TF_USED_PAGES].val > UINT64_MAX / psz)
			t->fig[TF_USED_PAGES].valid = false;
	}
	t->fig[TF_WRITTEN_PAGES] = counters[0];
	t->fig[TF_READ_PAGES] = counters[1];
out:
	zswap_free(&z);
	return ret;
}

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

static const struct swap_area *find_area(const struct swap_list *swaps,
					 const char *name)
{
	for (size_t i = 0; i < swaps->nr; i++)
		if (!strcmp(swaps->areas[i].name, name))
			return &swaps->areas[i];
	return NULL;
}

static void list_json(const struct tier *tiers, size_t nr,
		      const struct tier_list *tl, const struct swap_list *swaps)
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

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

/* Tier table, then one line per back end (sizes from /proc/swaps). */
static void list_table(const struct tier *tiers, size_t nr,
		       const struct tier_list *tl, const struct swap_list *swaps)
{
	static const char *const head[] = {
		"INDEX", "DEVICES", "CAPACITY", "USED", "WRITTEN", "READ",
		"WERR", "RERR",
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
	putchar('\n');
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

static int do_list(int argc, char **argv)
{
	struct swap_list swaps = { 0 };
	struct tier_list tl = { 0 };
	struct tier *all = NULL;
	int c, ret;

	optind = 0;
	while ((c = cmd_getopt(argc, argv, NULL, "tier")) != -1) {
		if (c == 'h') {
			tier_help(stdout);
			return EXIT_OK;
		}
		return EXIT_USAGE;
	}
	if (optind < argc)
		return p_err(EXIT_USAGE, argv[optind],
			     "unexpected argument (see '%s tier help')",
			     bin_name);

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
	/* zswap first, then the device tiers (already in index order) */
	all = calloc(tl.nr + 1, sizeof(*all));
	if (!all) {
		ret = p_sys("tier", "cannot allocate memory");
		goto out;
	}
	ret = read_zswap_tier(&all[0]);
	if (ret)
		goto out;
	memcpy(all + 1, tl.tiers, tl.nr * sizeof(*all));

	if (json_output)
		list_json(all, tl.nr + 1, &tl, &swaps);
	else
		list_table(all, tl.nr + 1, &tl, &swaps);
	ret = EXIT_OK;
out:
	if (all)
		tier_free(&all[0]);	/* the others belong to tl */
	free(all);
	swaps_free(&swaps);
	tiers_free(&tl);
	return ret;
}

int do_tier(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "add",	do_add },
		{ "remove",	do_remove },
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
