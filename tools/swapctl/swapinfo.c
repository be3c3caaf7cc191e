// SPDX-License-Identifier: GPL-2.0-only
/*
 * swapctl's readers of /proc: the swap areas (/proc/swaps), zswap's state
 * and the /proc/vmstat counters.  Only main.h's helpers below it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "main.h"
#include "swapinfo.h"

static int parse_prio(const char *s, long long *prio)
{
	uint64_t v;
	bool neg = *s == '-';
	int err;

	err = parse_u64(s + neg, &v);
	if (err)
		return err;
	if (v > (uint64_t)INT_MAX + neg)
		return -ERANGE;
	*prio = neg ? -(long long)v : (long long)v;
	return 0;
}

void swaps_free(struct swap_list *list)
{
	for (size_t i = 0; i < list->nr; i++) {
		free(list->areas[i].name);
		free(list->areas[i].type);
	}
	free(list->areas);
	free(list->path);
	memset(list, 0, sizeof(*list));
}

/* Parse one /proc/swaps row: NAME TYPE SIZE USED PRIO (sizes in KiB). */
static int parse_swaps_row(char *line, struct swap_area *a)
{
	char *tok[6], *save = NULL;
	int n = 0;

	for (char *t = strtok_r(line, " \t", &save); t;
	     t = strtok_r(NULL, " \t", &save)) {
		if (n == 6)
			break;
		tok[n++] = t;
	}
	if (n != 5)
		return -EINVAL;
	if (parse_u64(tok[2], &a->size_kib) || parse_u64(tok[3], &a->used_kib) ||
	    parse_prio(tok[4], &a->prio))
		return -EINVAL;
	if (a->size_kib > UINT64_MAX / 1024 || a->used_kib > UINT64_MAX / 1024)
		return -EINVAL;
	unescape_octal(tok[0]);
	a->name = strdup(tok[0]);
	a->type = strdup(tok[1]);
	if (!a->name || !a->type) {
		free(a->name);
		free(a->type);
		a->name = a->type = NULL;
		return -ENOMEM;
	}
	return 0;
}

int swaps_read(struct swap_list *list, bool need)
{
	char pbuf[PATH_MAX], *buf = NULL, *line, *next;
	struct swap_area *tmp;
	const char *path;
	size_t cap = 0;
	unsigned int lineno = 1;
	ssize_t len;
	int ret, err;

	memset(list, 0, sizeof(*list));
	path = sys_path("/proc/swaps", pbuf, sizeof(pbuf));
	list->path = strdup(path);
	if (!list->path) {
		ret = p_sys(path, "cannot allocate memory");
		goto out;
	}
	len = read_whole_file(path, &buf);
	if (len < 0 || !buf) {
		if (len == -ENOENT && !need) {
			ret = EXIT_OK;
			goto out;
		}
		errno = len < 0 ? (int)-len : EIO;
		ret = p_sys(path, "cannot read");
		goto out;
	}
	if (memchr(buf, '\0', len)) {
		ret = p_err(EXIT_OTHER, path, "unexpected NUL byte");
		goto out;
	}
	next = strchr(buf, '\n');
	if (strncmp(buf, "Filename", 8) || !next) {
		ret = p_err(EXIT_OTHER, path, "unexpected header line");
		goto out;
	}
	for (line = next + 1; *line; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (!*line)
			continue;
		if (list->nr == cap) {
			cap = cap ? cap * 2 : 8;
			tmp = realloc(list->areas, cap * sizeof(*tmp));
			if (!tmp) {
				ret = p_sys(path, "cannot allocate memory");
				goto out;
			}
			list->areas = tmp;
		}
		err = parse_swaps_row(line, &list->areas[list->nr]);
		if (err == -ENOMEM) {
			errno = ENOMEM;
			ret = p_sys(path, "cannot allocate memory");
			goto out;
		}
		if (err) {
			ret = p_err(EXIT_OTHER, path,
				    "line %u: unexpected data", lineno);
			goto out;
		}
		list->nr++;
	}
	ret = EXIT_OK;
out:
	free(buf);
	if (ret)
		swaps_free(list);
	return ret;
}

int swaps_contains(const struct swap_list *list, dev_t dev, ino_t ino)
{
	struct stat st;

	for (size_t i = 0; i < list->nr; i++) {
		if (stat(list->areas[i].name, &st))
			continue;	/* e.g. "(deleted)" or unreachable */
		if (st.st_dev == dev && st.st_ino == ino)
			return 1;
	}
	return 0;
}

/*
 * Read an optional file into *buf.  A file that does not exist or cannot be
 * read leaves *buf NULL: the figure is then unknown, not an error.
 */
static void read_optional(const char *path, char **buf)
{
	if (read_whole_file(path, buf) < 0)
		*buf = NULL;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

int zswap_read(struct zswap_status *z)
{
	struct kv_want want[] = {
		{ "Zswap",	&z->pool_bytes,		true },
		{ "Zswapped",	&z->stored_bytes,	true },
		{ "SwapTotal",	&z->swap_total_bytes,	true },
		{ "SwapFree",	&z->swap_free_bytes,	true },
	};
	char pbuf[PATH_MAX], *buf = NULL;
	const char *path;
	int ret;

	z->enabled = -1;

	path = sys_path("/sys/module/zswap/parameters/enabled", pbuf,
			sizeof(pbuf));
	read_optional(path, &buf);
	if (buf) {
		chomp(buf);
		if (!strcmp(buf, "Y") || !strcmp(buf, "1")) {
			z->enabled = 1;
		} else if (!strcmp(buf, "N") || !strcmp(buf, "0")) {
			z->enabled = 0;
		} else {
			ret = p_err(EXIT_OTHER, path, "unexpected value");
			goto out;
		}
		free(buf);
		buf = NULL;
	}

	path = sys_path("/sys/module/zswap/parameters/compressor", pbuf,
			sizeof(pbuf));
	read_optional(path, &buf);
	if (buf) {
		chomp(buf);
		z->compressor = buf;
		buf = NULL;
	}

	path = sys_path("/proc/meminfo", pbuf, sizeof(pbuf));
	read_optional(path, &buf);
	if (buf) {
		ret = parse_kv(path, buf, ':', want,
			       sizeof(want) / sizeof(want[0]));
		if (ret)
			goto out;
		free(buf);
		buf = NULL;
	}

	/* debugfs: usually root only, often not mounted */
	path = sys_path("/sys/kernel/debug/zswap/stored_pages", pbuf,
			sizeof(pbuf));
	read_optional(path, &buf);
	if (buf) {
		chomp(buf);
		if (parse_u64(buf, &z->stored_pages.val)) {
			ret = p_err(EXIT_OTHER, path, "unexpected value");
			goto out;
		}
		z->stored_pages.valid = true;
	}
	ret = EXIT_OK;
out:
	free(buf);
	return ret;
}

void zswap_free(struct zswap_status *z)
{
	free(z->compressor);
	z->compressor = NULL;
}

int vmstat_read(const char *const *keys, struct opt_u64 *out, size_t nr)
{
	char pbuf[PATH_MAX], *buf = NULL;
	struct kv_want *want;
	const char *path;
	int ret;

	want = calloc(nr ? nr : 1, sizeof(*want));
	if (!want)
		return p_sys("/proc/vmstat", "cannot allocate memory");
	for (size_t i = 0; i < nr; i++) {
		want[i].key = keys[i];
		want[i].out = &out[i];
		want[i].kib = false;
	}
	path = sys_path("/proc/vmstat", pbuf, sizeof(pbuf));
	read_optional(path, &buf);
	ret = buf ? parse_kv(path, buf, ' ', want, nr) : EXIT_OK;
	free(buf);
	free(want);
	return ret;
}

bool is_ghost(const struct swap_area *a)
{
	return !strcmp(a->type, "ghost");
}

const char *swap_kind(const struct swap_area *a)
{
	return is_ghost(a) ? "ghost" : "disk";
}
