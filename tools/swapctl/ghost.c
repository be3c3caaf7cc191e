// SPDX-License-Identifier: GPL-2.0-only
/*
 * swapctl ghost: ghost swapfiles.
 *
 * A ghost swapfile is a regular file that holds a SWAPSPACE2 header
 * (version 1) marked with SWAP_GHOST_MAGIC at the start of info.padding
 * (linux/swap_tier.h).  Its info.last_page gives the size of the front-end
 * swap space; the pages themselves live in zswap or on back-end tiers,
 * never in the file, which is one page long.  mkswap(8) refuses areas
 * under 10 pages and zeroes info.padding, so swapctl writes the header
 * itself.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/swap_tier.h>

#include "main.h"
#include "swapinfo.h"

#define SWAP_MAGIC		"SWAPSPACE2"
#define SWAP_MAGIC_OLD		"SWAP-SPACE"
#define SWAP_MAGIC_LEN		10
#define SWAP_HEADER_VERSION	1
#define SWAP_LABEL_LEN		16
#define SWAP_UUID_LEN		16

/*
 * The info half of the kernel's union swap_header (include/linux/swap.h).
 * Fields are in host byte order.  The magic half is just the last ten bytes
 * of the page, at page_size() - 10.
 */
struct swap_header_info {
	unsigned char	bootbits[1024];
	uint32_t	version;
	uint32_t	last_page;
	uint32_t	nr_badpages;
	unsigned char	sws_uuid[SWAP_UUID_LEN];
	unsigned char	sws_volume[SWAP_LABEL_LEN];
	uint32_t	padding[117];
	uint32_t	badpages[1];
};

_Static_assert(offsetof(struct swap_header_info, version) == 1024,
	       "swap_header.info.version offset");
_Static_assert(offsetof(struct swap_header_info, last_page) == 1028,
	       "swap_header.info.last_page offset");
_Static_assert(offsetof(struct swap_header_info, nr_badpages) == 1032,
	       "swap_header.info.nr_badpages offset");
_Static_assert(offsetof(struct swap_header_info, sws_uuid) == 1036,
	       "swap_header.info.sws_uuid offset");
_Static_assert(offsetof(struct swap_header_info, sws_volume) == 1052,
	       "swap_header.info.sws_volume offset");
_Static_assert(offsetof(struct swap_header_info, padding) ==
	       SWAP_GHOST_MAGIC_OFFSET, "ghost marker offset");
_Static_assert(sizeof(SWAP_GHOST_MAGIC) - 1 == SWAP_GHOST_MAGIC_LEN,
	       "ghost marker length");
_Static_assert(offsetof(struct swap_header_info, badpages) == 1536,
	       "swap_header.info.badpages offset");

/*
 * Without --size: GHOST_DEFAULT_RAM_FACTOR times this machine's MemTotal,
 * rounded up to a power of two, at least GHOST_DEFAULT_MIN and at most the
 * largest size the format can describe (2^32 pages).  A ghost's size is
 * only the span of entries it can hand out; zswap and the back ends decide
 * what it holds, and swapon keeps memory for the size only as static
 * metadata (a fraction of a byte per page, docs/architecture.md §6.10), so
 * the default is far above anything the machine's memory and back ends
 * could fill: about 0.005 % of memory where the factor sets the size, the
 * floor's 2.4 MiB below 64 GiB of memory.
 */
#define GHOST_DEFAULT_RAM_FACTOR	16
#define GHOST_DEFAULT_MIN		(1ULL << 40)	/* 1 TiB */

struct create_args {
	const char *path;
	uint64_t size;
	bool size_default;	/* no --size: chosen by default_size() */
	uint32_t last_page;
	unsigned char uuid[SWAP_UUID_LEN];
	char label[SWAP_LABEL_LEN + 1];
	bool force;
};

static void ghost_help(FILE *f)
{
	fprintf(f,
		"Usage: %1$s ghost create PATH [--size SIZE] [--label LABEL] [--uuid UUID]\n"
		"                            [--force]\n"
		"       %1$s ghost help\n"
		"\n"
		"       SIZE := BYTES[K|M|G|T|KiB|MiB|GiB|TiB]  (binary units, case-insensitive)\n"
		"               front-end capacity, a multiple of the page size (%2$ld)\n"
		"       LABEL := at most %3$d bytes\n"
		"       UUID := { xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx | random | clear }\n"
		"       OPTIONS := { -j|--json [-p|--pretty] | -s|--size | -L|--label |\n"
		"                    -U|--uuid | -f|--force }\n"
		"\n"
		"'create' writes a one-page ghost swapfile (mode 0600) whose header,\n"
		"marked as a ghost's, announces SIZE bytes of front-end swap space.\n"
		"Without --size, SIZE is %4$d times this machine's memory (MemTotal)\n"
		"rounded up to a power of two, at least 1 TiB and at most the largest\n"
		"size the header can describe: what a ghost holds is set by zswap and\n"
		"the back ends, not by its size.  An existing file is only\n"
		"overwritten if it already holds a swap header, or with --force.\n",
		bin_name, page_size(), SWAP_LABEL_LEN,
		GHOST_DEFAULT_RAM_FACTOR);
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ghost_help(stdout);
	return EXIT_OK;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* 8-4-4-4-12 hex digits */
static int parse_uuid(const char *s, unsigned char uuid[SWAP_UUID_LEN])
{
	size_t i, b = 0;

	if (strlen(s) != 36)
		return -EINVAL;
	for (i = 0; i < 36;) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i++] != '-')
				return -EINVAL;
			continue;
		}
		hi = hexval((unsigned char)s[i]);
		lo = hexval((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		uuid[b++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	return 0;
}

static void format_uuid(const unsigned char u[SWAP_UUID_LEN], char buf[37])
{
	snprintf(buf, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* RFC 9562 version 4 (random) UUID */
static int random_uuid(unsigned char uuid[SWAP_UUID_LEN])
{
	size_t got = 0;

	while (got < SWAP_UUID_LEN) {
		ssize_t n = getrandom(uuid + got, SWAP_UUID_LEN - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return p_sys("getrandom", "cannot generate a UUID");
		}
		got += n;
	}
	uuid[6] = (uuid[6] & 0x0f) | 0x40;
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	return EXIT_OK;
}

static int check_size(const char *arg, struct create_args *a)
{
	uint64_t psz = (uint64_t)page_size();
	/* last_page is a 32-bit field: at most 2^32 pages, header included */
	uint64_t max = ((uint64_t)UINT32_MAX + 1) * psz;
	char obj[96], lo[32], hi[32], mx[32];
	int err;

	snprintf(obj, sizeof(obj), "--size %s", arg);
	err = parse_size(arg, &a->size);
	if (err == -ERANGE)
		goto too_large;
	if (err)
		return p_err(EXIT_USAGE, obj,
			     "invalid size (expected BYTES with an optional K, M, G, T or KiB, MiB, GiB, TiB suffix; binary units)");
	if (a->size == 0)
		return p_err(EXIT_USAGE, obj,
			     "size must not be zero (the minimum is two pages, %llu bytes: the header and one slot)",
			     (unsigned long long)(2 * psz));
	if (a->size > max)
		goto too_large;
	if (a->size % psz) {
		/* max is a multiple of psz, so below + psz <= max here */
		uint64_t below = a->size - a->size % psz;

		exact_size(below + psz, hi, sizeof(hi));
		if (!below)
			return p_err(EXIT_USAGE, obj,
				     "size is not a multiple of the page size (%llu bytes); nearest valid size: %llu (%s)",
				     (unsigned long long)psz,
				     (unsigned long long)(below + psz), hi);
		exact_size(below, lo, sizeof(lo));
		return p_err(EXIT_USAGE, obj,
			     "size is not a multiple of the page size (%llu bytes); nearest valid sizes: %llu (%s) and %llu (%s)",
			     (unsigned long long)psz,
			     (unsigned long long)below, lo,
			     (unsigned long long)(below + psz), hi);
	}
	if (a->size < 2 * psz)
		return p_err(EXIT_USAGE, obj,
			     "size too small: the minimum is two pages, %llu bytes (the header and one slot)",
			     (unsigned long long)(2 * psz));
	/*
	 * SIZE is the size of the area the header describes, header page
	 * included, as for mkswap(8) on a SIZE-byte file: the ghost then has
	 * the same slots, and the same metadata, as such a swapfile.
	 */
	a->last_page = (uint32_t)(a->size / psz - 1);
	return EXIT_OK;

too_large:
	exact_size(max, mx, sizeof(mx));
	return p_err(EXIT_USAGE, obj,
		     "size too large; the maximum is %s (%llu bytes, 2^32 pages of %llu bytes: info.last_page is a 32-bit field)",
		     mx, (unsigned long long)max, (unsigned long long)psz);
}

/* The size of a ghost made without --size (see GHOST_DEFAULT_RAM_FACTOR). */
static int default_size(struct create_args *a)
{
	struct kv_want want[] = { { "MemTotal", NULL, true } };
	uint64_t psz = (uint64_t)page_size();
	uint64_t max = ((uint64_t)UINT32_MAX + 1) * psz, size;
	char pbuf[PATH_MAX], *buf = NULL;
	struct opt_u64 mem = { 0 };
	const char *path;
	ssize_t len;
	int ret;

	want[0].out = &mem;
	path = sys_path("/proc/meminfo", pbuf, sizeof(pbuf));
	len = read_whole_file(path, &buf);
	if (len < 0) {
		errno = (int)-len;
		ret = p_sys(path, "cannot read MemTotal for the default size; give --size");
		goto out;
	}
	ret = parse_kv(path, buf, ':', want, 1);
	if (ret)
		goto out;
	if (!mem.valid || !mem.val) {
		ret = p_err(EXIT_OTHER, path,
			    "has no MemTotal for the default size; give --size");
		goto out;
	}

	size = GHOST_DEFAULT_MIN;
	while (size < max && size / GHOST_DEFAULT_RAM_FACTOR < mem.val)
		size <<= 1;
	if (size > max)
		size = max;
	a->size = size;
	a->size_default = true;
	a->last_page = (uint32_t)(size / psz - 1);
	ret = EXIT_OK;
out:
	free(buf);
	return ret;
}

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

static int pread_full(int fd, void *buf, size_t len, size_t *got)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		done += n;
	}
	*got = done;
	return 0;
}

int pwrite_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done,
				   done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		done += n;
	}
	return 0;
}

static void build_header(unsigned char *page, size_t psz,
			 const struct create_args *a)
{
	struct swap_header_info info;

	memset(page, 0, psz);
	memset(&info, 0, sizeof(info));
	info.version = SWAP_HEADER_VERSION;
	info.last_page = a->last_page;
	info.nr_badpages = 0;
	memcpy(info.sws_uuid, a->uuid, SWAP_UUID_LEN);
	/* NUL-padded, not necessarily NUL-terminated */
	memcpy(info.sws_volume, a->label, strnlen(a->label, SWAP_LABEL_LEN));
	/* what tells the kernel this is a ghost, not the file's length */
	memcpy(info.padding, SWAP_GHOST_MAGIC, SWAP_GHOST_MAGIC_LEN);
	memcpy(page, &info, sizeof(info));
	memcpy(page + psz - SWAP_MAGIC_LEN, SWAP_MAGIC, SWAP_MAGIC_LEN);
}

static void print_result(const struct create_args *a, size_t psz)
{
	char uuid[37], sz[32];
	struct jw *w;

	format_uuid(a->uuid, uuid);
	if (!json_output) {
		iec_size(a->size, sz, sizeof(sz));
		printf("%s: ghost swap area, size %s%s (%llu bytes, %u usable pages of %zu bytes), ",
		       a->path, sz, a->size_default ? " (default)" : "",
		       (unsigned long long)a->size, a->last_page, psz);
		if (a->label[0])
			printf("LABEL=%s, ", a->label);
		else
			printf("no label, ");
		printf("UUID=%s\n", uuid);
		return;
	}
	w = json_start();
	if (!w)
		return;
	jw_object_begin(w);
	jw_field_string(w, "path", a->path);
	jw_field_uint(w, "size_bytes", a->size);
	jw_field_bool(w, "size_default", a->size_default);
	jw_field_uint(w, "pages", a->last_page);
	jw_field_uint(w, "last_page", a->last_page);
	jw_field_uint(w, "page_size", psz);
	jw_field_string(w, "uuid", uuid);
	jw_field_string(w, "label", a->label);
	jw_object_end(w);
	jw_free(w);
}

static int ghost_create(const struct create_args *a)
{
	size_t psz = (size_t)page_size(), got;
	struct swap_list swaps = { 0 };
	unsigned char *page = NULL;
	bool created = false;
	struct stat st, fst;
	int fd = -1, ret;

	page = calloc(1, psz);
	if (!page) {
		ret = p_sys(a->path, "cannot allocate memory");
		goto out;
	}

	if (stat(a->path, &st) == 0) {
		/* never open devices, FIFOs, ...: opening alone has effects */
		if (!S_ISREG(st.st_mode)) {
			ret = p_err(EXIT_OTHER, a->path,
				    "is %s; a ghost swapfile must be a regular file",
				    file_kind(st.st_mode));
			goto out;
		}
		fd = open(a->path, O_RDWR | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			ret = p_sys(a->path, "cannot open");
			goto out;
		}
	} else if (errno == ENOENT) {
		fd = open(a->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC |
			  O_NOCTTY, 0600);
		if (fd < 0) {
			ret = p_sys(a->path, "cannot create");
			goto out;
		}
		created = true;
	} else {
		ret = p_sys(a->path, "cannot access");
		goto out;
	}

	if (fstat(fd, &fst)) {
		ret = p_sys(a->path, "cannot stat");
		goto out;
	}
	if (!S_ISREG(fst.st_mode) ||
	    (!created && (fst.st_dev != st.st_dev || fst.st_ino != st.st_ino))) {
		ret = p_err(EXIT_OTHER, a->path,
			    "file changed while being opened");
		goto out;
	}

	if (!created) {
		ret = swaps_read(&swaps, false);
		if (ret)
			goto out;
		if (swaps_contains(&swaps, fst.st_dev, fst.st_ino)) {
			ret = p_err(EXIT_OTHER, a->path,
				    "is an active swap area (listed in %s); run swapoff first",
				    swaps.path);
			goto out;
		}
		if (pread_full(fd, page, psz, &got)) {
			ret = p_sys(a->path, "cannot read");
			goto out;
		}
		if (!a->force &&
		    (got < psz ||
		     (memcmp(page + psz - SWAP_MAGIC_LEN, SWAP_MAGIC, SWAP_MAGIC_LEN) &&
		      memcmp(page + psz - SWAP_MAGIC_LEN, SWAP_MAGIC_OLD, SWAP_MAGIC_LEN)))) {
			ret = p_err(EXIT_OTHER, a->path,
				    "exists and is not a swap area; use --force to overwrite it");
			goto out;
		}
	}

	build_header(page, psz, a);
	if (fchmod(fd, 0600)) {
		ret = p_sys(a->path, "cannot set mode 0600");
		goto out;
	}
	if (ftruncate(fd, (off_t)psz)) {
		ret = p_sys(a->path, "cannot truncate to one page");
		goto out;
	}
	if (pwrite_full(fd, page, psz)) {
		ret = p_sys(a->path, "cannot write the swap header");
		goto out;
	}
	if (fsync(fd)) {
		ret = p_sys(a->path, "cannot sync");
		goto out;
	}
	ret = close(fd);
	fd = -1;
	if (ret) {
		ret = p_sys(a->path, "cannot close");
		goto out;
	}
	print_result(a, psz);
	ret = EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	if (ret && created)
		unlink(a->path);
	swaps_free(&swaps);
	free(page);
	return ret;
}

static int do_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size",	required_argument,	NULL, 's' },
		{ "label",	required_argument,	NULL, 'L' },
		{ "uuid",	required_argument,	NULL, 'U' },
		{ "force",	no_argument,		NULL, 'f' },
		{ NULL,		0,			NULL, 0 },
	};
	const char *size = NULL, *label = "", *uuid = "random";
	struct create_args a;
	char obj[96];
	int c, ret;

	memset(&a, 0, sizeof(a));
	optind = 0;
	while ((c = cmd_getopt(argc, argv, opts, "ghost")) != -1) {
		switch (c) {
		case 's':
			size = optarg;
			break;
		case 'L':
			label = optarg;
			break;
		case 'U':
			uuid = optarg;
			break;
		case 'f':
			a.force = true;
			break;
		case 'h':
			ghost_help(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return p_err(EXIT_USAGE, "ghost create",
			     "missing PATH (see '%s ghost help')", bin_name);
	if (argc - optind > 1)
		return unexpected_arg(argv[optind + 1], "ghost");
	a.path = argv[optind];
	if (!*a.path)
		return p_err(EXIT_USAGE, "ghost create", "empty PATH");

	ret = size ? check_size(size, &a) : default_size(&a);
	if (ret)
		return ret;

	if (strlen(label) > SWAP_LABEL_LEN) {
		snprintf(obj, sizeof(obj), "--label %s", label);
		return p_err(EXIT_USAGE, obj,
			     "label too long (%zu bytes; at most %d)",
			     strlen(label), SWAP_LABEL_LEN);
	}
	memcpy(a.label, label, strlen(label));	/* a.label is zeroed */

	if (!strcasecmp(uuid, "random")) {
		ret = random_uuid(a.uuid);
		if (ret)
			return ret;
	} else if (!strcasecmp(uuid, "clear")) {
		memset(a.uuid, 0, sizeof(a.uuid));
	} else if (parse_uuid(uuid, a.uuid)) {
		snprintf(obj, sizeof(obj), "--uuid %s", uuid);
		return p_err(EXIT_USAGE, obj,
			     "invalid UUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, 'random' or 'clear')");
	}

	return ghost_create(&a);
}

int do_ghost(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "create",	do_create },
		{ "help",	do_help },
		{ NULL,		NULL },
	};
	int n = object_opts(argc, argv);

	if (n < 0) {
		ghost_help(stdout);
		return EXIT_OK;
	}
	return cmd_select(cmds, "ghost", argc - 1 - n, argv + 1 + n);
}
