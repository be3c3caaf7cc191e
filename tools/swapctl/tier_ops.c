// SPDX-License-Identifier: GPL-2.0-only
/*
 * swapctl's tier actions (tier_ops.h): adding a back end, setting the
 * watermarks and the demotion interval.  Each prints its result as the
 * command does, or its error.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/swap.h>

#include <linux/swap_tier.h>

#include "main.h"
#include "tiers.h"
#include "tier_ops.h"

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

/* ------------------------------------------------- swapon / swapoff */

/*
 * swapon(2) flags for a back end of tier @index; @prio < 0 lets the kernel
 * choose the priority.
 */
bool ops_quiet;

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
static int call_swapon(const char *path, int flags)
{
	int err, dry = dry_run(&err);

	if (dry < 0)
		return DRY_RUN_BAD;
	if (!dry)
		return swapon(path, flags);
	p_dry(path, "swapon flags 0x%08x", (unsigned int)flags);
	errno = err;
	return err ? -1 : 0;
}

int call_swapoff(const char *path)
{
	int err, dry = dry_run(&err);

	if (dry < 0)
		return DRY_RUN_BAD;
	if (!dry)
		return swapoff(path);
	p_dry(path, "swapoff");
	errno = err;
	return err ? -1 : 0;
}

/* ------------------------------------------------------------- add */

static void print_added(const char *path, const struct tier *t, int prio)
{
	struct jw *w;

	if (ops_quiet)
		return;
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

int backend_add(const char *path, const char *name, int prio)
{
	struct tier_list tl = { 0 };
	const struct tier *t;
	int ret;

	if (prio > SWAP_FLAG_PRIO_MASK)
		return p_err(EXIT_USAGE, path,
			     "invalid priority %d (expected 0 to %d)", prio,
			     SWAP_FLAG_PRIO_MASK);
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
		ret = unknown_tier(&tl, obj);
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
	tiers_free(&tl);
	return ret;
}

/* ------------------------------------------------------------- set */

/*
 * Write @val to the sysfs file @path as echo(1) does, or report the dry
 * run: 0, -1 with errno set, or DRY_RUN_BAD.
 */
static int write_sysfs(const char *path, const char *val)
{
	int fd, err, dry = dry_run(&err);
	size_t len = strlen(val);
	ssize_t n;

	if (dry < 0)
		return DRY_RUN_BAD;
	if (dry) {
		p_dry(path, "write %s", val);
		errno = err;
		return err ? -1 : 0;
	}
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	n = write(fd, val, len);
	err = n < 0 ? errno : (size_t)n != len ? EIO : 0;
	if (close(fd) && !err)
		err = errno;
	errno = err;
	return err ? -1 : 0;
}

/* A sysfs value of 'tier set': the file and what to write. */
struct set_write {
	char path[PATH_MAX];
	char val[16];
};

static int set_one(const struct set_write *s)
{
	int ret = write_sysfs(s->path, s->val);
	int err = errno;

	if (ret == DRY_RUN_BAD)
		return EXIT_USAGE;
	if (!ret)
		return EXIT_OK;
	switch (err) {
	case ENOENT:
		return p_err(EXIT_OTHER, s->path,
			     "kernel has no tier demotion (file missing)");
	case EINVAL:
		return p_err(EXIT_SYSCALL, s->path,
			     "cannot write %s: %s (rejected by the kernel: out of range, or the low watermark not below the high one)",
			     s->val, strerror(err));
	case EPERM:
	case EACCES:
		return p_err(EXIT_SYSCALL, s->path,
			     "cannot write %s: %s (needs root)", s->val,
			     strerror(err));
	default:
		errno = err;
		return p_sys(s->path, "cannot write %s", s->val);
	}
}

static void print_set(const char *name, int high, int low, int interval)
{
	struct jw *w;

	if (ops_quiet)
		return;
	if (!json_output) {
		if (name)
			printf("%s: high watermark %d%%%s, low watermark %d%%\n",
			       name, high, high ? "" : " (off)", low);
		if (interval >= 0)
			printf("demotion interval: %d ms\n", interval);
		return;
	}
	w = json_start();
	if (!w)
		return;
	jw_object_begin(w);
	if (name) {
		jw_field_string(w, "tier", name);
		jw_field_int(w, "high_watermark_pct", high);
		jw_field_int(w, "low_watermark_pct", low);
	} else {
		jw_field_null(w, "tier");
		jw_field_null(w, "high_watermark_pct");
		jw_field_null(w, "low_watermark_pct");
	}
	if (interval >= 0)
		jw_field_int(w, "demote_interval_ms", interval);
	else
		jw_field_null(w, "demote_interval_ms");
	jw_object_end(w);
	jw_free(w);
}

/*
 * What 'tier set' does once its options are parsed: the watermarks of tier
 * @name (NULL: none), @high and @low percent, and the demotion interval
 * @interval ms; -1 leaves one unchanged.
 */
int tier_set(const char *name, int high_arg, int low_arg, int interval)
{
	struct set_write wr[3];
	struct tier_list tl = { 0 };
	struct opt_u64 cur_high, cur_low;
	char dir[PATH_MAX], obj[96];
	bool set_high = high_arg >= 0, set_low = low_arg >= 0,
	     set_ms = interval >= 0;
	unsigned int high = set_high ? (unsigned int)high_arg : 0,
		     low = set_low ? (unsigned int)low_arg : 0,
		     ms = set_ms ? (unsigned int)interval : 0;
	int ret, nr = 0;

	if (high > 100 || low > 99)
		return p_err(EXIT_USAGE, name ? name : "tier set",
			     "invalid watermark %u%% (expected high 0 to 100, low 0 to 99)",
			     high > 100 ? high : low);
	if (set_ms && (ms < 100 || ms > 60000))
		return p_err(EXIT_USAGE, "demote interval",
			     "invalid interval %u ms (expected 100 to 60000)",
			     ms);
	if (!set_high && !set_low && !set_ms)
		return p_err(EXIT_USAGE, "tier set",
			     "nothing to set: give --high, --low or --interval (see '%s tier help')",
			     bin_name);
	if (!name && (set_high || set_low))
		return p_err(EXIT_USAGE, "tier set",
			     "missing NAME: --high and --low set the watermarks of one tier (see '%s tier help')",
			     bin_name);
	if (name && !set_high && !set_low)
		return p_err(EXIT_USAGE, name,
			     "nothing to set for the tier: give --high or --low (--interval is global)");
	if (name && !strcmp(name, ZSWAP_NAME))
		return p_err(EXIT_USAGE, name,
			     "zswap is tier %d, not a device tier: it has no watermarks (its size limit is the zswap parameter max_pool_percent)",
			     SWAP_TIER_ZSWAP);
	if (set_high && set_low && high && low >= high) {
		snprintf(obj, sizeof(obj), "--low %u", low);
		return p_err(EXIT_USAGE, obj, "must be below --high %u", high);
	}

	ret = tiers_read(&tl);
	if (ret)
		goto out;
	if (!tl.present) {
		ret = no_tiers_error(&tl);
		goto out;
	}
	if (name) {
		bool high_first;

		if (!find_tier(&tl, name)) {
			ret = unknown_tier(&tl, name);
			goto out;
		}
		ret = join_path(dir, sizeof(dir), tl.path, name);
		if (!ret)
			ret = read_figure(dir, "high_watermark_pct", &cur_high);
		if (!ret)
			ret = read_figure(dir, "low_watermark_pct", &cur_low);
		if (ret)
			goto out;
		if (!cur_high.valid || !cur_low.valid) {
			ret = p_err(EXIT_OTHER, name,
				    "kernel has no tier watermarks (%s/%s missing)",
				    dir, cur_high.valid ? "low_watermark_pct" :
				    "high_watermark_pct");
			goto out;
		}
		if (!set_high)
			high = (unsigned int)cur_high.val;
		if (!set_low)
			low = (unsigned int)cur_low.val;
		if (high && low >= high && set_low) {
			snprintf(obj, sizeof(obj), "--low %u", low);
			ret = p_err(EXIT_USAGE, obj,
				    "must be below the high watermark of %s (%u%%); give --high too",
				    name, high);
			goto out;
		}
		if (high && low >= high) {
			snprintf(obj, sizeof(obj), "--high %u", high);
			ret = p_err(EXIT_USAGE, obj,
				    "must be above the low watermark of %s (%u%%), or 0; give --low too",
				    name, low);
			goto out;
		}
		/*
		 * The kernel checks the pair after each write (EINVAL if
		 * high != 0 && low >= high): the write that keeps the pair
		 * in between valid goes first.  High first when it is set to
		 * 0 or raised from a value other than 0, else low first.
		 */
		high_first = set_high &&
			     (!high || (cur_high.val && high > cur_high.val));
		for (int i = 0; i < 2; i++) {
			bool h = high_first ? i == 0 : i == 1;

			if (h ? !set_high : !set_low)
				continue;
			ret = join_path(wr[nr].path, sizeof(wr[nr].path), dir,
					h ? "high_watermark_pct" :
					"low_watermark_pct");
			if (ret)
				goto out;
			snprintf(wr[nr++].val, sizeof(wr[0].val), "%u",
				 h ? high : low);
		}
	}
	if (set_ms) {
		struct stat st;

		ret = join_path(wr[nr].path, sizeof(wr[nr].path), tl.path,
				"demote_interval_ms");
		if (ret)
			goto out;
		/* checked first: nothing is set if it is missing */
		if (stat(wr[nr].path, &st) && errno == ENOENT) {
			ret = p_err(EXIT_OTHER, "--interval",
				    "kernel has no tier demotion (%s missing)",
				    wr[nr].path);
			goto out;
		}
		snprintf(wr[nr++].val, sizeof(wr[0].val), "%u", ms);
	}
	for (int i = 0; i < nr; i++) {
		ret = set_one(&wr[i]);
		if (ret)
			goto out;
	}
	print_set(name, (int)high, (int)low, set_ms ? (int)ms : -1);
	ret = EXIT_OK;
out:
	tiers_free(&tl);
	return ret;
}

int tier_watermarks_set(const char *tier, int high, int low)
{
	return tier_set(tier, high, low, -1);
}

int demote_interval_set(int ms)
{
	return tier_set(NULL, -1, -1, ms);
}
