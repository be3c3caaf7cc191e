// SPDX-License-Identifier: GPL-2.0-only
/*
 * swapctl's model of the swap tiers: the device tiers of
 * /sys/kernel/mm/swap_tier, their demotion figures (the tier table of 'tier
 * list' and 'metrics') and what 'status' shows (swap areas, tiers, zswap,
 * counters).  Depends on swapinfo and main.h only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <linux/swap_tier.h>

#include "main.h"
#include "swapinfo.h"
#include "tiers.h"

/* /proc/vmstat counters, in JSON order */
const struct status_counter_name status_counter_names[NR_STATUS_COUNTERS] = {
	[SC_ZSWPOUT]		= { "zswpout",		"zswpout" },
	[SC_ZSWPIN]		= { "zswpin",		"zswpin" },
	[SC_ZSWPWB]		= { "zswpwb",		"zswpwb" },
	[SC_PSWPOUT]		= { "pswpout",		"pswpout" },
	[SC_PSWPIN]		= { "pswpin",		"pswpin" },
	[SC_GHOST_REJECTS]	= { "swpout_ghost_reject", "ghost_rejects" },
};

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

int join_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= len)
		return p_err(EXIT_OTHER, dir, "path too long");
	return EXIT_OK;
}

/*
 * Read a file holding one decimal value and a newline.  A file that does
 * not exist (or whose directory is not one) leaves the figure unknown; so
 * does one we may not read, with @unreadable_ok (debugfs: root only).
 */
static int read_figure_opt(const char *dir, const char *file,
			   struct opt_u64 *v, bool unreadable_ok)
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
	if (unreadable_ok && (len == -EACCES || len == -EPERM))
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

int read_figure(const char *dir, const char *file, struct opt_u64 *v)
{
	return read_figure_opt(dir, file, v, false);
}

/*
 * The back-end pointer figures, in debugfs: unknown (not an error) when
 * debugfs is not mounted, not readable (root only), or lacks them.
 */
static int read_pointer_figures(struct tier_list *tl)
{
	char pbuf[PATH_MAX];
	const char *dir = sys_path(TIER_DEBUGFS, pbuf, sizeof(pbuf));
	int ret;

	ret = read_figure_opt(dir, "pointer_records", &tl->ptr_records, true);
	if (!ret)
		ret = read_figure_opt(dir, "pointer_bytes", &tl->ptr_bytes,
				      true);
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
	ret = read_pointer_figures(tl);
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

int no_tiers_error(const struct tier_list *tl)
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

/* ---------------------------------------------------- tiers by name */

const struct tier *find_tier(const struct tier_list *tl,
				    const char *name)
{
	for (size_t i = 0; i < tl->nr; i++)
		if (!strcmp(tl->tiers[i].name, name))
			return &tl->tiers[i];
	return NULL;
}

/* Usage error for an unknown tier name, listing the valid ones. */
int unknown_tier(const struct tier_list *tl, const char *obj)
{
	char *names;
	int ret;

	if (!tl->nr)
		return p_err(EXIT_USAGE, obj,
			     "unknown tier (the kernel has no device tiers; %s is empty)",
			     tl->path);
	names = tier_names(tl);
	if (!names)
		return p_sys(obj, "cannot allocate memory");
	ret = p_err(EXIT_USAGE, obj, "unknown tier (valid tiers: %s)", names);
	free(names);
	return ret;
}

/*
 * Demotion and drain figures of a device tier (enum move_figure): files a
 * kernel without demotion lacks (then unknown).  Read for 'tier list' and
 * 'metrics' only.
 */
const char *const move_files[NR_MOVE_FIGURES] = {
	[MF_DEMOTED_PAGES]	= "demoted_pages",
	[MF_DRAINED_PAGES]	= "drained_pages",
	[MF_HIGH_PCT]		= "high_watermark_pct",
	[MF_LOW_PCT]		= "low_watermark_pct",
};

static int read_move_figs(const char *base, const char *name,
			  struct move_figs *m)
{
	char dir[PATH_MAX];
	int ret;

	ret = join_path(dir, sizeof(dir), base, name);
	for (int i = 0; !ret && i < NR_MOVE_FIGURES; i++)
		ret = read_figure(dir, move_files[i], &m->fig[i]);
	return ret;
}

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

void tier_table_free(struct tier_table *tt)
{
	if (tt->all)
		tier_free(&tt->all[0]);	/* the others belong to the tier_list */
	free(tt->all);
	free(tt->mv);
	memset(tt, 0, sizeof(*tt));
}

int tier_table_read(const struct tier_list *tl, struct tier_table *tt)
{
	int ret;

	memset(tt, 0, sizeof(*tt));
	/* zswap first, then the device tiers (already in index order) */
	tt->all = calloc(tl->nr + 1, sizeof(*tt->all));
	tt->mv = calloc(tl->nr + 1, sizeof(*tt->mv));	/* zswap's stay unknown */
	if (!tt->all || !tt->mv)
		return p_sys("tier", "cannot allocate memory");
	ret = read_zswap_tier(&tt->all[0]);
	if (ret)
		return ret;
	memcpy(tt->all + 1, tl->tiers, tl->nr * sizeof(*tt->all));
	tt->nr = tl->nr + 1;
	for (size_t i = 0; !ret && i < tl->nr; i++)
		ret = read_move_figs(tl->path, tl->tiers[i].name,
				     &tt->mv[i + 1]);
	if (!ret)
		ret = read_figure(tl->path, "demote_interval_ms",
				  &tt->interval);
	return ret;
}

static int read_counters(struct opt_u64 *counters)
{
	const char *keys[NR_STATUS_COUNTERS];

	for (size_t i = 0; i < NR_STATUS_COUNTERS; i++)
		keys[i] = status_counter_names[i].vmstat;
	return vmstat_read(keys, counters, NR_STATUS_COUNTERS);
}

void status_free(struct status *s)
{
	swaps_free(&s->swaps);
	tiers_free(&s->tiers);
	zswap_free(&s->zswap);
}

int status_read(struct status *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	ret = swaps_read(&s->swaps, true);
	if (!ret)
		ret = tiers_read(&s->tiers);
	if (!ret)
		ret = zswap_read(&s->zswap);
	if (!ret)
		ret = read_counters(s->counters);
	return ret;
}

const char *swap_role(const struct status *s, const struct swap_area *a,
		      const char **tier)
{
	const struct tier *t;

	*tier = NULL;
	if (is_ghost(a))
		return "front-end";
	t = tiers_find_device(&s->tiers, a->name);
	if (!t)
		return "swap";
	*tier = t->name;
	return "back-end";
}
