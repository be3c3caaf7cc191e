// SPDX-License-Identifier: GPL-2.0-only
/*
 * swapctl's model of the attached policies: the kernel's policies
 * directory (/sys/kernel/mm/swap_tier/policies/<target>/) and the pins of
 * <bpffs>/swaptier, as 'policy show' lists them.  Depends on policy_obj
 * and main.h.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <linux/swap_tier.h>

#include "main.h"
#include "policy_obj.h"
#include "attached.h"

const char *const policy_hook_names[NR_HOOKS] = {
	[H_PLACE]	= "place",
	[H_WRITEBACK]	= "writeback",
	[H_TICK]	= "tick",
	[H_SWAPIN]	= "swapin",
};

static void attached_clear(struct attached *a)
{
	free(a->cgroup_path);
	free(a->name);
	free(a->pin);
	memset(a, 0, sizeof(*a));
}

void attached_list_free(struct attached_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		attached_clear(&l->a[i]);
	free(l->a);
	memset(l, 0, sizeof(*l));
}

/* An optional decimal counter; present but malformed is an error. */
static int read_counter(const char *dir, const char *file, struct opt_u64 *v)
{
	char path[PATH_MAX + 32], *s = read_line(dir, file);
	int ret = EXIT_OK;

	v->valid = false;
	if (!s)
		return EXIT_OK;
	if (parse_u64(s, &v->val)) {
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		ret = p_err(EXIT_OTHER, path, "unexpected value '%s'", s);
	} else {
		v->valid = true;
	}
	free(s);
	return ret;
}

/*
 * last_error_hook: "none", "place" or "writeback" (a lower-case word: a
 * later kernel may name other hooks); last_error: the value that hook
 * returned, a decimal int (the invalid verdict or a negative errno; 0 with
 * "none").  The kernel stores the two one after the other (the value
 * first): the hook is read again after the value, and both once more (a
 * few times at most) if another error changed it in between, so that the
 * hook of one error is not shown with the value of another.  Either file
 * missing: the last error is unknown (null), as for the counters.
 */
static int read_last_error(const char *dir, struct attached *a)
{
	char path[PATH_MAX + 32], *hook = NULL, *val = NULL, *again = NULL;
	int ret = EXIT_OK;
	uint64_t v;
	bool neg;

	for (int tries = 0; tries < 4; tries++) {
		free(hook);
		free(val);
		free(again);
		hook = read_line(dir, "last_error_hook");
		val = read_line(dir, "last_error");
		again = read_line(dir, "last_error_hook");
		if (!hook || !val || !again || !strcmp(hook, again))
			break;
	}
	if (!hook || !val || !again)
		goto out;	/* not provided by this kernel */
	if (!*again || strlen(again) >= sizeof(a->last_hook) ||
	    strspn(again, "abcdefghijklmnopqrstuvwxyz_") != strlen(again)) {
		snprintf(path, sizeof(path), "%s/last_error_hook", dir);
		ret = p_err(EXIT_OTHER, path,
			    "unexpected value '%s' (expected \"none\", \"place\" or \"writeback\")",
			    again);
		goto out;
	}
	neg = val[0] == '-';
	if (parse_u64(val + neg, &v) ||
	    v > (neg ? (uint64_t)INT_MAX + 1 : (uint64_t)INT_MAX)) {
		snprintf(path, sizeof(path), "%s/last_error", dir);
		ret = p_err(EXIT_OTHER, path,
			    "unexpected value '%s' (expected an integer)", val);
		goto out;
	}
	/* "none" with a value: an error whose hook is not stored yet */
	if (strcmp(again, "none")) {
		snprintf(a->last_hook, sizeof(a->last_hook), "%s", again);
		a->last_value = neg ? -(long long)v : (long long)v;
		a->has_last_error = true;
	}
out:
	free(hook);
	free(val);
	free(again);
	return ret;
}

/* One policies/<target> directory. */
static int read_attached(const char *base, const char *dname,
			 struct attached *a, bool *found)
{
	char dir[PATH_MAX], file[32];
	struct opt_u64 id;
	uint64_t dir_id;
	int ret, n;

	memset(a, 0, sizeof(*a));
	*found = false;
	if (strcmp(dname, PIN_GLOBAL) && parse_id(dname, &dir_id))
		return EXIT_OK;		/* not a target */
	n = snprintf(dir, sizeof(dir), "%s/%s", base, dname);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return p_err(EXIT_OTHER, base, "path too long");
	a->name = read_line(dir, "name");
	if (!a->name)
		return EXIT_OK;		/* vanished, or not a policy */
	*found = true;
	ret = read_counter(dir, "cgroup_id", &id);
	if (ret)
		return ret;
	a->cgroup_id = strcmp(dname, PIN_GLOBAL) ? dir_id : 0;
	if (id.valid && id.val != a->cgroup_id)
		return p_err(EXIT_OTHER, dir,
			     "cgroup_id %llu does not match the directory name",
			     (unsigned long long)id.val);
	for (int h = 0; h < NR_HOOKS; h++) {
		snprintf(file, sizeof(file), "%s_calls", policy_hook_names[h]);
		ret = read_counter(dir, file, &a->calls[h]);
		if (ret)
			return ret;
	}
	ret = read_counter(dir, "errors", &a->errors);
	if (ret)
		return ret;
	return read_last_error(dir, a);
}

static int cmp_attached(const void *x, const void *y)
{
	const struct attached *a = x, *b = y;

	return (a->cgroup_id > b->cgroup_id) - (a->cgroup_id < b->cgroup_id);
}

static struct attached *show_add(struct attached_list *l, const char *obj)
{
	if (l->nr == l->cap) {
		struct attached *tmp;
		size_t cap = l->cap ? l->cap * 2 : 8;

		tmp = realloc(l->a, cap * sizeof(*tmp));
		if (!tmp) {
			p_sys(obj, "cannot allocate memory");
			return NULL;
		}
		l->a = tmp;
		l->cap = cap;
	}
	return &l->a[l->nr];
}

/*
 * The policies directory: without it, an error if @need, else nothing
 * (l->present false).
 */
static int read_policies(struct attached_list *l, const char *obj, bool need)
{
	char pbuf[PATH_MAX], tbuf[PATH_MAX];
	const char *base = sys_path(POLICY_SYSFS, pbuf, sizeof(pbuf));
	const char *tiers;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int ret = EXIT_OK;

	d = opendir(base);
	if (!d) {
		if (errno != ENOENT)
			return p_sys(base, "cannot open");
		if (!need)
			return EXIT_OK;
		/* sys_path() fills tbuf only under a sysroot */
		tiers = sys_path(TIER_SYSFS, tbuf, sizeof(tbuf));
		if (stat(tiers, &st))
			return p_err(EXIT_OTHER, obj,
				     "kernel has no swap tiers (%s missing)",
				     tiers);
		return p_err(EXIT_OTHER, obj,
			     "kernel has no swap tier policies (%s missing)",
			     base);
	}
	l->present = true;
	for (;;) {
		struct attached *a;
		bool found;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				ret = p_sys(base, "cannot read directory");
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		a = show_add(l, obj);
		if (!a) {
			ret = EXIT_SYSCALL;
			break;
		}
		ret = read_attached(base, de->d_name, a, &found);
		if (ret || !found) {
			attached_clear(a);
			if (ret)
				break;
			continue;
		}
		l->nr++;
	}
	closedir(d);
	return ret;
}

int attached_read(struct attached_list *l, const char *obj, bool need,
		  bool only, uint64_t want)
{
	struct cg_find f = { 0 };
	uint64_t *pins = NULL;
	size_t nr_pins = 0, keep = 0;
	int ret;

	memset(l, 0, sizeof(*l));
	ret = read_policies(l, obj, need);
	if (ret || !l->present)
		goto out;
	ret = read_pins(&pins, &nr_pins, obj, true);
	if (ret)
		goto out;
	/*
	 * pins: on their policy, or a detached entry of their own.  One pin
	 * per target: read_pins() takes only canonical names (cgroup-5, not
	 * cgroup-05 as well).
	 */
	for (size_t i = 0; i < nr_pins; i++) {
		struct target t;
		char *pin;
		size_t j;

		ret = target_init(&t, pins[i], NULL, obj);
		if (ret)
			goto out;
		for (j = 0; j < l->nr; j++)
			if (l->a[j].cgroup_id == pins[i])
				break;
		if (j == l->nr) {
			struct attached *a = show_add(l, obj);

			if (!a) {
				ret = EXIT_SYSCALL;
				goto out;
			}
			memset(a, 0, sizeof(*a));
			a->cgroup_id = pins[i];
			l->nr++;
		}
		if (l->a[j].pin)
			continue;
		pin = strdup(t.pin);
		if (!pin) {
			ret = p_sys(obj, "cannot allocate memory");
			goto out;
		}
		l->a[j].pin = pin;
	}
	/* --cgroup: that target only */
	for (size_t i = 0; i < l->nr; i++) {
		if (only && l->a[i].cgroup_id != want) {
			attached_clear(&l->a[i]);
			continue;
		}
		l->a[keep++] = l->a[i];
	}
	l->nr = keep;
	if (l->nr)
		qsort(l->a, l->nr, sizeof(*l->a), cmp_attached);
	/* cgroup paths, by inode number, in one walk */
	f.ids = calloc(l->nr ? l->nr : 1, sizeof(*f.ids));
	f.paths = calloc(l->nr ? l->nr : 1, sizeof(*f.paths));
	if (!f.ids || !f.paths) {
		ret = p_sys(obj, "cannot allocate memory");
		goto out;
	}
	for (size_t i = 0; i < l->nr; i++)
		if (l->a[i].cgroup_id)
			f.ids[f.nr++] = l->a[i].cgroup_id;
	cgroup_paths(&f);
	for (size_t i = 0, j = 0; i < l->nr; i++) {
		if (!l->a[i].cgroup_id)
			continue;
		l->a[i].cgroup_path = f.paths[j];
		f.paths[j++] = NULL;
	}
	ret = EXIT_OK;
out:
	for (size_t i = 0; f.paths && i < f.nr; i++)
		free(f.paths[i]);
	free(f.paths);
	free(f.ids);
	free(pins);
	return ret;
}

void jw_attached_target(struct jw *w, const struct attached *a)
{
	jw_field_string(w, "target", a->cgroup_id ? "cgroup" : "global");
	jw_field_uint(w, "cgroup_id", a->cgroup_id);
	if (a->cgroup_path)
		jw_field_string(w, "cgroup_path", a->cgroup_path);
	else
		jw_field_null(w, "cgroup_path");
	if (a->name)
		jw_field_string(w, "name", a->name);
	else
		jw_field_null(w, "name");
}
