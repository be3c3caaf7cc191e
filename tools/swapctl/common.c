// SPDX-License-Identifier: GPL-2.0-only
/* Helpers shared by the swapctl objects. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "main.h"

long page_size(void)
{
	static long psz;

	if (!psz) {
		psz = sysconf(_SC_PAGESIZE);
		if (psz <= 0)
			psz = 4096;
	}
	return psz;
}

#ifdef SWAPCTL_TEST_HOOKS
const char *test_hook(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}
#endif

const char *sys_path(const char *path, char *buf, size_t len)
{
	const char *root = test_hook("SWAPCTL_SYSROOT");
	int n;

	if (!root)
		return path;
	/*
	 * Too long: truncated, but still under the sysroot (which fails to
	 * open), never the real path
	 */
	n = snprintf(buf, len, "%s%s", root, path);
	if (n < 0 && len)
		snprintf(buf, len, "%s", root);
	return buf;
}

ssize_t read_whole_file(const char *path, char **out)
{
	size_t cap = 4096, len = 0;
	char *buf = NULL, *tmp;
	ssize_t ret;
	int fd;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno ? -errno : -EIO;
	buf = malloc(cap);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (cap - len < 2) {
			tmp = realloc(buf, cap * 2);
			if (!tmp) {
				ret = -ENOMEM;
				goto out;
			}
			buf = tmp;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = errno ? -errno : -EIO;
			goto out;
		}
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	*out = buf;
	buf = NULL;
	ret = (ssize_t)len;
out:
	free(buf);
	close(fd);
	return ret;
}

int parse_u64(const char *s, uint64_t *v)
{
	uint64_t r = 0;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned int d = *s - '0';

		if (r > (UINT64_MAX - d) / 10)
			return -ERANGE;
		r = r * 10 + d;
	}
	if (*s)
		return -EINVAL;
	*v = r;
	return 0;
}

int parse_id(const char *s, uint64_t *v)
{
	int err;

	if (s[0] == '0')
		return -EINVAL;	/* 0, or a leading zero */
	err = parse_u64(s, v);
	return err;
}

int parse_size(const char *arg, uint64_t *bytes)
{
	static const struct {
		const char *suffix;
		unsigned int shift;
	} units[] = {
		{ "",	 0 }, { "B",   0 },
		{ "K",	10 }, { "KiB", 10 },
		{ "M",	20 }, { "MiB", 20 },
		{ "G",	30 }, { "GiB", 30 },
		{ "T",	40 }, { "TiB", 40 },
	};
	const char *end = arg;
	char digits[32];
	uint64_t v;
	size_t n;
	int err;

	while (isdigit((unsigned char)*end))
		end++;
	n = end - arg;
	if (n == 0)
		return -EINVAL;
	if (n >= sizeof(digits))
		return -ERANGE;		/* more than 20 digits overflows */
	memcpy(digits, arg, n);
	digits[n] = '\0';
	err = parse_u64(digits, &v);
	if (err)
		return err;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].suffix))
			continue;
		if (units[i].shift && v > (UINT64_MAX >> units[i].shift))
			return -ERANGE;
		*bytes = v << units[i].shift;
		return 0;
	}
	return -EINVAL;
}

static void format_size(uint64_t bytes, char *buf, size_t len, bool iec)
{
	static const char units[] = "BKMGTPE";
	unsigned int exp = 0, shift;
	uint64_t whole, rem, tenths;

	while (exp < 6 && (bytes >> (10 * (exp + 1))))
		exp++;
	if (!exp) {
		snprintf(buf, len, iec ? "%llu B" : "%lluB",
			 (unsigned long long)bytes);
		return;
	}
	shift = 10 * exp;
	whole = bytes >> shift;
	rem = bytes & ((1ULL << shift) - 1);
	/* rem < 2^60, so rem * 10 + 2^59 cannot overflow */
	tenths = (rem * 10 + (1ULL << (shift - 1))) >> shift;
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	if (tenths)
		snprintf(buf, len, "%llu.%llu%s%c%s",
			 (unsigned long long)whole, (unsigned long long)tenths,
			 iec ? " " : "", units[exp], iec ? "iB" : "");
	else
		snprintf(buf, len, "%llu%s%c%s", (unsigned long long)whole,
			 iec ? " " : "", units[exp], iec ? "iB" : "");
}

void human_size(uint64_t bytes, char *buf, size_t len)
{
	format_size(bytes, buf, len, false);
}

void iec_size(uint64_t bytes, char *buf, size_t len)
{
	format_size(bytes, buf, len, true);
}

void exact_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	int exp = -1;

	if (!bytes) {
		snprintf(buf, len, "0");
		return;
	}
	while (exp < 5 && !(bytes & ((1ULL << (10 * (exp + 2))) - 1)))
		exp++;
	if (exp < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%llu%c",
			 (unsigned long long)(bytes >> (10 * (exp + 1))),
			 units[exp]);
}

int dry_run(int *err)
{
	static const struct {
		const char *name;
		int err;
	} values[] = {
		{ "1", 0 }, { "EINVAL", EINVAL }, { "EBUSY", EBUSY },
		{ "EPERM", EPERM }, { "EACCES", EACCES }, { "ENOENT", ENOENT },
		{ "EEXIST", EEXIST }, { "EOPNOTSUPP", EOPNOTSUPP },
	};
	const char *v = test_hook("SWAPCTL_DRY_RUN");

	*err = 0;
	if (!v || !strcmp(v, "0"))
		return 0;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		if (!strcmp(v, values[i].name)) {
			*err = values[i].err;
			return 1;
		}
	}
	p_err(EXIT_USAGE, "SWAPCTL_DRY_RUN",
	      "unknown value '%s' (expected 1, EINVAL, EBUSY, EPERM, EACCES, ENOENT, EEXIST or EOPNOTSUPP)",
	      v);
	return -1;
}

static bool is_odigit(char c)
{
	return c >= '0' && c <= '7';
}

void unescape_octal(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\\' && is_odigit(s[1]) && is_odigit(s[2]) &&
		    is_odigit(s[3]) && s[1] <= '3') {
			*w++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) |
				      (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

static bool needs_escape(unsigned char c)
{
	return c < 0x20 || c == 0x7f || c == '\\';
}

/* Names are arbitrary bytes: keep a table on one line per row. */
void print_escaped(const char *name, int width)
{
	int n = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (needs_escape(*p))
			n += printf("\\%03o", *p);
		else
			n += printf("%c", *p);
	}
	printf("%*s", width > n ? width - n : 0, "");
}

int escaped_width(const char *name)
{
	int n = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		n += needs_escape(*p) ? 4 : 1;
	return n;
}

int parse_kv(const char *path, char *buf, char sep,
	     const struct kv_want *want, size_t nr_want)
{
	unsigned int lineno = 0;
	char *line, *next;

	for (line = buf; line && *line; line = next) {
		char *key, *val, *unit, *save = NULL;
		size_t i;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		val = strchr(line, sep);
		if (!val)
			continue;
		*val++ = '\0';
		key = line;
		for (i = 0; i < nr_want; i++)
			if (!strcmp(key, want[i].key))
				break;
		if (i == nr_want)
			continue;
		val = strtok_r(val, " \t", &save);
		unit = strtok_r(NULL, " \t", &save);
		if (!val || parse_u64(val, &want[i].out->val) ||
		    (want[i].kib ? (!unit || strcmp(unit, "kB") ||
				    want[i].out->val > UINT64_MAX / 1024)
				 : unit != NULL) ||
		    strtok_r(NULL, " \t", &save))
			return p_err(EXIT_OTHER, path,
				     "line %u: unexpected data for '%s'",
				     lineno, key);
		if (want[i].kib)
			want[i].out->val *= 1024;
		want[i].out->valid = true;
	}
	return EXIT_OK;
}

char *cgroup2_mount(bool sysroot)
{
	char pbuf[PATH_MAX], *buf = NULL, *line, *next, *ret = NULL;
	const char *mounts = "/proc/self/mounts";

	if (sysroot)
		mounts = sys_path(mounts, pbuf, sizeof(pbuf));
	if (read_whole_file(mounts, &buf) < 0)
		return NULL;
	for (line = buf; line && *line; line = next) {
		char *dev, *mnt, *type, *save = NULL;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		dev = strtok_r(line, " ", &save);
		mnt = strtok_r(NULL, " ", &save);
		type = strtok_r(NULL, " ", &save);
		if (!dev || !mnt || !type || strcmp(type, "cgroup2"))
			continue;
		unescape_octal(mnt);
		ret = strdup(mnt);
		break;
	}
	free(buf);
	return ret;
}
