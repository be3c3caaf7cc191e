// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>

#include "swaptest.h"

const char *st_env_get(struct st_env *env, bool need_swapctl)
{
	static char why[PATH_MAX + 128];
	struct stat st;

	memset(env, 0, sizeof(*env));
	if (geteuid() != 0)
		return "must run as root";
	env->scratch = getenv("SWAPTIER_SCRATCH");
	env->swapctl = getenv("SWAPCTL");
	env->ssd = getenv("SWAPTIER_SSD");
	env->hdd = getenv("SWAPTIER_HDD");
	if (env->ssd && !env->ssd[0])
		env->ssd = NULL;
	if (env->hdd && !env->hdd[0])
		env->hdd = NULL;
	if (!env->scratch || !env->scratch[0])
		return "SWAPTIER_SCRATCH is not set (run inside the swaptier VM runner)";
	if (stat(env->scratch, &st) || !S_ISDIR(st.st_mode) ||
	    access(env->scratch, W_OK)) {
		snprintf(why, sizeof(why),
			 "SWAPTIER_SCRATCH=%s is not a writable directory",
			 env->scratch);
		return why;
	}
	if (!realpath(env->scratch, env->scratch_real))
		snprintf(env->scratch_real, sizeof(env->scratch_real), "%s",
			 env->scratch);
	if (need_swapctl) {
		if (!env->swapctl || !env->swapctl[0])
			return "SWAPCTL is not set";
		if (access(env->swapctl, X_OK)) {
			snprintf(why, sizeof(why),
				 "SWAPCTL=%s is not executable", env->swapctl);
			return why;
		}
	}
	return NULL;
}

int st_recover(const struct st_env *env, char *log, size_t len)
{
	struct swaps_row rows[40];
	char prefix[PATH_MAX + 32];
	int n, i, actions = 0;
	DIR *d;

	if (log && len)
		log[0] = '\0';
	snprintf(prefix, sizeof(prefix), "%s/" ST_PREFIX, env->scratch_real);
	n = swaps_list(rows, (int)ST_ARRAY_SIZE(rows));
	for (i = 0; i < n && i < (int)ST_ARRAY_SIZE(rows); i++) {
		const char *base = strrchr(rows[i].path, '/');

		if (strncmp(rows[i].path, prefix, strlen(prefix)) ||
		    !base || !st_name_is_stale(base + 1))
			continue;
		if (swapoff(rows[i].path))
			st_appendf(log, len, "swapoff %s failed: %s; ",
				   rows[i].path, strerror(errno));
		else
			st_appendf(log, len, "swapoff %s; ", rows[i].path);
		actions++;
	}
	/* Back ends only once the ghosts whose data they hold are off. */
	actions += st_backend_recover(env, log, len);
	n = dm_remove_stale();
	if (n > 0) {
		st_appendf(log, len, "removed %d dm device(s); ", n);
		actions += n;
	}
	if (zswap_restore_enabled(env) > 0) {
		st_appendf(log, len, "restored zswap enabled; ");
		actions++;
	}
	n = cg_cleanup_stale();
	if (n > 0) {
		st_appendf(log, len, "removed %d cgroup(s); ", n);
		actions += n;
	}
	d = opendir(env->scratch);
	if (d) {
		struct dirent *de;

		while ((de = readdir(d))) {
			char p[PATH_MAX];

			if (!st_name_is_stale(de->d_name))
				continue;
			snprintf(p, sizeof(p), "%s/%s", env->scratch,
				 de->d_name);
			if (swaps_find(p, NULL) > 0)
				continue;
			if (!unlink(p)) {
				st_appendf(log, len, "rm %s; ", de->d_name);
				actions++;
			}
		}
		closedir(d);
	}
	return actions;
}

int st_swapctl(const struct st_env *env, char *out, size_t outlen, ...)
{
	char *argv[16];
	size_t n = 0;
	va_list ap;

	if (!env->swapctl) {
		snprintf(out, outlen, "SWAPCTL not set");
		return -1;
	}
	argv[n++] = (char *)env->swapctl;
	va_start(ap, outlen);
	while (n < ST_ARRAY_SIZE(argv) - 1) {
		char *a = va_arg(ap, char *);

		if (!a)
			break;
		argv[n++] = a;
	}
	va_end(ap);
	argv[n] = NULL;
	return st_run(argv, out, outlen, 60);
}

int st_swapctl_ghost_create(const struct st_env *env, const char *path,
			    const char *size, const char *label, char *out,
			    size_t outlen)
{
	const char *opt[4] = { NULL };
	int n = 0;

	if (size) {
		opt[n++] = "--size";
		opt[n++] = size;
	}
	if (label) {
		opt[n++] = "--label";
		opt[n++] = label;
	}
	return st_swapctl(env, out, outlen, "ghost", "create", path, opt[0],
			  opt[1], opt[2], opt[3], NULL);
}

int st_swapoff_if_active(const char *path)
{
	int r = swaps_find(path, NULL);

	if (r <= 0)
		return r;
	if (swapoff(path))
		return -errno;
	return 0;
}

int st_other_swaps(const char *except, char *desc, size_t len)
{
	struct swaps_row rows[40], mine;
	bool have_mine = except && swaps_find(except, &mine) > 0;
	int n, i, others = 0;

	if (desc && len)
		desc[0] = '\0';
	n = swaps_list(rows, (int)ST_ARRAY_SIZE(rows));
	if (n < 0)
		return n;
	for (i = 0; i < n && i < (int)ST_ARRAY_SIZE(rows); i++) {
		if (have_mine && !strcmp(rows[i].path, mine.path))
			continue;
		others++;
		st_appendf(desc, len, "%s(%s) ", rows[i].path, rows[i].type);
	}
	return others;
}

ssize_t zswap_param_read(const char *name, char *buf, size_t len)
{
	char p[PATH_MAX];
	ssize_t n;

	snprintf(p, sizeof(p), ZSWAP_PARAM_DIR "/%s", name);
	n = st_read_file(p, buf, len);
	if (n >= 0)
		st_rstrip(buf);
	return n;
}

int zswap_param_write(const char *name, const char *val)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), ZSWAP_PARAM_DIR "/%s", name);
	return st_write_file(p, val);
}

static void marker_path(const struct st_env *env, char *p, size_t len)
{
	snprintf(p, len, "%s/" ST_ZSWAP_MARKER, env->scratch);
}

int zswap_set_enabled(const struct st_env *env, const char *val)
{
	char cur[16], p[PATH_MAX];
	ssize_t n = zswap_param_read("enabled", cur, sizeof(cur));
	FILE *f;

	if (n < 0)
		return (int)n;
	marker_path(env, p, sizeof(p));
	/* Keep the oldest saved value if a marker already exists. */
	if (access(p, F_OK)) {
		f = fopen(p, "we");
		if (!f)
			return -errno;
		fprintf(f, "%s\n", cur);
		if (fclose(f))
			return -errno;
		sync();
	}
	return zswap_param_write("enabled", val);
}

int zswap_restore_enabled(const struct st_env *env)
{
	char p[PATH_MAX], val[16];
	int err;

	marker_path(env, p, sizeof(p));
	if (st_read_file(p, val, sizeof(val)) < 0)
		return 0;
	st_rstrip(val);
	if (!val[0])
		snprintf(val, sizeof(val), "Y");
	err = zswap_param_write("enabled", val);
	if (err)
		return err;
	unlink(p);
	return 1;
}
