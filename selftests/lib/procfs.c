// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "procfs.h"
#include "util.h"

static long long keyed_file_get(const char *file, const char *key,
				bool colon)
{
	char line[256];
	size_t klen = strlen(key);
	long long val = -1;
	FILE *f;

	f = fopen(file, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen))
			continue;
		if (colon ? line[klen] != ':' : line[klen] != ' ')
			continue;
		val = strtoll(line + klen + 1, NULL, 10);
		break;
	}
	fclose(f);
	return val;
}

long long vmstat_get(const char *key)
{
	return keyed_file_get("/proc/vmstat", key, false);
}

long long meminfo_kb(const char *key)
{
	return keyed_file_get("/proc/meminfo", key, true);
}

/* Undo seq_file's octal escaping (\040 for space, \011, \012, \134). */
static void unescape_octal(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) |
				      (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

int swaps_list(struct swaps_row *rows, int max)
{
	char line[PATH_MAX + 256];
	int n = 0;
	FILE *f;

	f = fopen("/proc/swaps", "re");
	if (!f)
		return -errno;
	/* Skip the header line. */
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		struct swaps_row r;
		char path[PATH_MAX];

		memset(&r, 0, sizeof(r));
		if (sscanf(line, "%4095s %31s %lld %lld %d", path, r.type,
			   &r.size_kb, &r.used_kb, &r.prio) != 5)
			continue;
		unescape_octal(path);
		snprintf(r.path, sizeof(r.path), "%s", path);
		if (n < max)
			rows[n] = r;
		n++;
	}
	fclose(f);
	return n;
}

int swaps_find(const char *path, struct swaps_row *row)
{
	struct swaps_row rows[40];
	char real[PATH_MAX];
	const char *want = path;
	int n, i;

	if (realpath(path, real))
		want = real;
	n = swaps_list(rows, (int)ST_ARRAY_SIZE(rows));
	if (n < 0)
		return n;
	if (n > (int)ST_ARRAY_SIZE(rows))
		n = (int)ST_ARRAY_SIZE(rows);
	for (i = 0; i < n; i++) {
		if (!strcmp(rows[i].path, want) || !strcmp(rows[i].path, path)) {
			if (row)
				*row = rows[i];
			return 1;
		}
	}
	return 0;
}

long long mincore_resident(void *addr, size_t len)
{
	/*
	 * Static, chunked vector: no heap allocation, so a worker that has
	 * mlockall()ed itself creates no new reclaimable pages here.
	 */
	static unsigned char vec[4096];
	size_t ps = st_page_size(), npages = (len + ps - 1) / ps, done = 0, i;
	long long n = 0;

	while (done < npages) {
		size_t chunk = npages - done;

		if (chunk > sizeof(vec))
			chunk = sizeof(vec);
		if (mincore((char *)addr + done * ps, chunk * ps, vec))
			return -errno;
		for (i = 0; i < chunk; i++)
			n += vec[i] & 1;
		done += chunk;
	}
	return n;
}

int drop_caches(void)
{
	sync();
	return st_write_file("/proc/sys/vm/drop_caches", "3");
}

int vmstat_refresh(void)
{
	return st_write_file("/proc/sys/vm/stat_refresh", "1");
}

int slab_shrink_all(void)
{
	DIR *d = opendir("/sys/kernel/slab");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char p[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		/* Aliases of merged caches are symlinks: shrink each cache once. */
		if (de->d_type == DT_LNK)
			continue;
		snprintf(p, sizeof(p), "/sys/kernel/slab/%s/shrink", de->d_name);
		if (!st_write_file(p, "1"))
			n++;
	}
	closedir(d);
	return n;
}

long long pcp_free_pages(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	long long n = 0, v;
	char line[256];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %lld", &v) == 1)
			n += v;
	fclose(f);
	return n;
}

int kconfig_enabled(const char *name)
{
	/* Heap, not bss: workers mlockall() their bss and should stay small. */
	static char *cfg;
	static int have = -1;
	char *argv[] = { "zcat", "/proc/config.gz", NULL };
	const size_t cfg_len = 1 << 20;
	char needle[128];

	if (have < 0) {
		have = 0;
		if (!access("/proc/config.gz", R_OK)) {
			cfg = malloc(cfg_len);
			if (cfg && st_run(argv, cfg, cfg_len, 20) == 0)
				have = 1;
		}
	}
	if (!have)
		return -1;
	snprintf(needle, sizeof(needle), "\nCONFIG_%s=y\n", name);
	return strstr(cfg, needle) != NULL;
}
