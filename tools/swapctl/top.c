// SPDX-License-Identifier: GPL-2.0-only
/*
 * swapctl top: a live per-cgroup view of memory, zswap, swap traffic,
 * ghost rejects and memory pressure, with the system-wide tiers.
 *
 * Per cgroup (cgroup v2, where /proc/self/mounts has it): memory.stat (anon, file,
 * zswapped, pswpin, pswpout, zswpin, zswpout, swpout_ghost_reject and the
 * back-end tiers' swaptier_<tier>), memory.swap.current and
 * memory.pressure; the tiers' use and capacity system-wide, as "tier list"
 * reads them.  Nothing here needs a policy.
 *
 * Rates come from two samples --interval seconds apart; --interval 0
 * takes one sample and leaves the rates unknown (null, "-").
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "main.h"
#include "swapinfo.h"
#include "tiers.h"

#define MAX_INTERVAL 3600

enum { OPT_ONCE = 256, OPT_INTERVAL, OPT_SORT, OPT_COUNT };

enum cg_counter {		/* memory.stat keys */
	CS_ANON,
	CS_FILE,
	CS_ZSWAPPED,
	CS_PSWPIN,
	CS_PSWPOUT,
	CS_ZSWPIN,
	CS_ZSWPOUT,
	CS_REJECTS,
	CS_TIER1,		/* swaptier_<tier>, tiers 1 .. 7 */
	CS_TIER7 = CS_TIER1 + 6,
	NR_CG_STATS,
};

static const char *const cg_stat_keys[NR_CG_STATS] = {
	[CS_ANON]	= "anon",
	[CS_FILE]	= "file",
	[CS_ZSWAPPED]	= "zswapped",
	[CS_PSWPIN]	= "pswpin",
	[CS_PSWPOUT]	= "pswpout",
	[CS_ZSWPIN]	= "zswpin",
	[CS_ZSWPOUT]	= "zswpout",
	[CS_REJECTS]	= "swpout_ghost_reject",
	[CS_TIER1]	= "swaptier_ssd",
	[CS_TIER1 + 1]	= "swaptier_hdd",
	[CS_TIER1 + 2]	= "swaptier_tier3",
	[CS_TIER1 + 3]	= "swaptier_tier4",
	[CS_TIER1 + 4]	= "swaptier_tier5",
	[CS_TIER1 + 5]	= "swaptier_tier6",
	[CS_TIER7]	= "swaptier_tier7",
};

/* The memory.stat counter of back-end tier @name, or -1. */
static int tier_stat(const char *name)
{
	for (int k = CS_TIER1; k <= CS_TIER7; k++)
		if (!strcmp(cg_stat_keys[k] + strlen("swaptier_"), name))
			return k;
	return -1;
}

struct cg {
	char *path;			/* "/" or "/a/b", as /proc/PID/cgroup */
	struct opt_u64 stat[NR_CG_STATS];
	struct opt_u64 swap;		/* memory.swap.current */
	struct opt_u64 psi_some, psi_full;	/* avg10, in 1/100 % */
	struct opt_u64 in_rate, out_rate;	/* pages/s */
};

struct sample {
	struct cg *cg;
	size_t nr, cap;
};

enum sort_key {
	SK_RESIDENT, SK_ZSWAP, SK_SWAP, SK_SWAPIN, SK_SWAPOUT, SK_REJECTS,
	SK_PSI, NR_SORT_KEYS,
	SK_TIER = NR_SORT_KEYS,	/* a back-end tier: sort_tier */
};

static const char *const sort_names[NR_SORT_KEYS] = {
	[SK_RESIDENT] = "resident", [SK_ZSWAP] = "zswap", [SK_SWAP] = "swap",
	[SK_SWAPIN] = "swapin", [SK_SWAPOUT] = "swapout",
	[SK_REJECTS] = "rejects", [SK_PSI] = "psi",
};

static volatile sig_atomic_t top_stop;

static void top_help(FILE *f)
{
	fprintf(f,
		"Usage: %1$s top [--once] [--interval SECS] [--sort KEY] [--count N]\n"
		"                  [--cgroup PATH] [-j [-p]]\n"
		"       %1$s top help\n"
		"\n"
		"       KEY := { resident | zswap | swap | swapin | swapout | rejects | psi |\n"
		"                TIER }\n"
		"\n"
		"A live view per cgroup: resident memory, zswap, each back-end tier, swap,\n"
		"swap-in and swap-out rates, ghost rejects and PSI memory pressure, sorted\n"
		"by KEY (default resident; TIER: ssd, hdd, tier3 .. tier7), with the tiers'\n"
		"use system-wide.  On a terminal the view refreshes\n"
		"in place every SECS seconds (default 2) until 'q' or Ctrl-C; otherwise one\n"
		"frame per interval.  --once prints one frame (two samples SECS apart;\n"
		"--interval 0: one sample, no rates).  PATH: a cgroup v2 path such as\n"
		"/system.slice, the subtree shown.  -j: the JSON of swapctl(8) (TOP).\n",
		bin_name);
}

static void on_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

static void sample_free(struct sample *s)
{
	for (size_t i = 0; i < s->nr; i++)
		free(s->cg[i].path);
	free(s->cg);
	memset(s, 0, sizeof(*s));
}

/* "123\n" into *v; a missing file leaves it unknown */
static int read_number(const char *path, struct opt_u64 *v)
{
	char *buf = NULL;
	size_t n;
	int ret;

	if (read_whole_file(path, &buf) < 0)
		return EXIT_OK;
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (parse_u64(buf, &v->val)) {
		ret = p_err(EXIT_OTHER, path, "unexpected value");
		goto out;
	}
	v->valid = true;
	ret = EXIT_OK;
out:
	free(buf);
	return ret;
}

/* memory.stat: "key value" lines; returns -1 if the file cannot be read */
static int read_stat(const char *path, struct cg *c)
{
	struct kv_want want[NR_CG_STATS];
	char *buf = NULL;
	int ret;

	if (read_whole_file(path, &buf) < 0)
		return -1;
	for (int k = 0; k < NR_CG_STATS; k++)
		want[k] = (struct kv_want){ cg_stat_keys[k], &c->stat[k], false };
	ret = parse_kv(path, buf, ' ', want, NR_CG_STATS);
	free(buf);
	return ret;
}

/* "12.34" (two decimals, as the kernel prints avg10) in 1/100 */
static int parse_avg(const char *s, uint64_t *v)
{
	const char *dot = strchr(s, '.');
	char ip[24];
	uint64_t i;

	if (!dot || dot == s || (size_t)(dot - s) >= sizeof(ip) ||
	    dot[1] < '0' || dot[1] > '9' || dot[2] < '0' || dot[2] > '9' ||
	    dot[3])
		return -EINVAL;
	memcpy(ip, s, dot - s);
	ip[dot - s] = '\0';
	if (parse_u64(ip, &i) || i > 100)
		return -EINVAL;
	*v = i * 100 + (uint64_t)(dot[1] - '0') * 10 + (uint64_t)(dot[2] - '0');
	return 0;
}

/* memory.pressure: "some avg10=X ..." and "full avg10=X ..." */
static int read_psi(const char *path, struct cg *c)
{
	char *buf = NULL, *line, *next;
	int ret;

	if (read_whole_file(path, &buf) < 0)
		return EXIT_OK;
	for (line = buf; *line; line = next) {
		struct opt_u64 *v = NULL;
		char *w, *save = NULL;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		w = strtok_r(line, " ", &save);
		if (w && !strcmp(w, "some"))
			v = &c->psi_some;
		else if (w && !strcmp(w, "full"))
			v = &c->psi_full;
		if (!v)
			continue;
		w = strtok_r(NULL, " ", &save);
		if (!w || strncmp(w, "avg10=", 6) || parse_avg(w + 6, &v->val)) {
			ret = p_err(EXIT_OTHER, path, "unexpected data");
			goto out;
		}
		v->valid = true;
	}
	ret = EXIT_OK;
out:
	free(buf);
	return ret;
}

/*
 * Read the cgroup @rel (under the cgroup root @root) and its descendants
 * into @s.  A directory without memory.stat is not a memory cgroup: skipped
 * with its subtree.
 */
static int walk(const char *root, const char *rel, struct sample *s)
{
	char *dir = NULL, *file = NULL;
	struct cg c;
	DIR *d = NULL;
	struct dirent *e;
	int ret;

	memset(&c, 0, sizeof(c));
	if (asprintf(&dir, "%s%s", root, strcmp(rel, "/") ? rel : "") < 0) {
		dir = NULL;
		ret = p_sys(rel, "cannot allocate memory");
		goto out;
	}
	if (asprintf(&file, "%s/memory.stat", dir) < 0) {
		file = NULL;
		ret = p_sys(rel, "cannot allocate memory");
		goto out;
	}
	ret = read_stat(file, &c);
	if (ret < 0) {
		ret = EXIT_OK;
		goto out;
	}
	if (ret)
		goto out;
	free(file);
	if (asprintf(&file, "%s/memory.swap.current", dir) < 0) {
		file = NULL;
		ret = p_sys(rel, "cannot allocate memory");
		goto out;
	}
	ret = read_number(file, &c.swap);
	if (ret)
		goto out;
	free(file);
	if (asprintf(&file, "%s/memory.pressure", dir) < 0) {
		file = NULL;
		ret = p_sys(rel, "cannot allocate memory");
		goto out;
	}
	ret = read_psi(file, &c);
	if (ret)
		goto out;

	if (s->nr == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct cg *n = realloc(s->cg, cap * sizeof(*n));

		if (!n) {
			ret = p_sys(rel, "cannot allocate memory");
			goto out;
		}
		s->cg = n;
		s->cap = cap;
	}
	c.path = strdup(rel);
	if (!c.path) {
		ret = p_sys(rel, "cannot allocate memory");
		goto out;
	}
	s->cg[s->nr++] = c;

	d = opendir(dir);
	if (!d) {
		/* removed meanwhile: it is simply gone */
		ret = errno == ENOENT ? EXIT_OK : p_sys(dir, "cannot open");
		goto out;
	}
	while ((e = readdir(d))) {
		char *sub;

		if (e->d_name[0] == '.' ||
		    (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN))
			continue;
		if (asprintf(&sub, "%s/%s", strcmp(rel, "/") ? rel : "",
			     e->d_name) < 0) {
			ret = p_sys(rel, "cannot allocate memory");
			goto out;
		}
		ret = walk(root, sub, s);
		free(sub);
		if (ret)
			goto out;
	}
	ret = EXIT_OK;
out:
	if (d)
		closedir(d);
	free(file);
	free(dir);
	return ret;
}

static uint64_t fig(const struct opt_u64 *v)
{
	return v->valid ? v->val : 0;
}

static uint64_t resident(const struct cg *c)
{
	return fig(&c->stat[CS_ANON]) + fig(&c->stat[CS_FILE]);
}

static bool resident_valid(const struct cg *c)
{
	return c->stat[CS_ANON].valid || c->stat[CS_FILE].valid;
}

static uint64_t swapin(const struct cg *c)
{
	return fig(&c->stat[CS_PSWPIN]) + fig(&c->stat[CS_ZSWPIN]);
}

static uint64_t swapout(const struct cg *c)
{
	return fig(&c->stat[CS_PSWPOUT]) + fig(&c->stat[CS_ZSWPOUT]);
}

/* rates of @now from @before (same cgroup path), @secs apart */
static void set_rates(struct sample *now, const struct sample *before,
		      unsigned int secs)
{
	for (size_t i = 0; secs && i < now->nr; i++) {
		struct cg *c = &now->cg[i];

		for (size_t j = 0; j < before->nr; j++) {
			const struct cg *b = &before->cg[j];

			if (strcmp(b->path, c->path))
				continue;
			/* a counter that went back: a new cgroup, no rate */
			if (swapin(c) >= swapin(b)) {
				c->in_rate.val = (swapin(c) - swapin(b)) / secs;
				c->in_rate.valid = true;
			}
			if (swapout(c) >= swapout(b)) {
				c->out_rate.val = (swapout(c) - swapout(b)) / secs;
				c->out_rate.valid = true;
			}
			break;
		}
	}
}

static enum sort_key cur_key;
static int sort_tier;		/* CS_TIER1 .. CS_TIER7 for SK_TIER */

static uint64_t sort_value(const struct cg *c)
{
	switch (cur_key) {
	case SK_ZSWAP:		return fig(&c->stat[CS_ZSWAPPED]);
	case SK_SWAP:		return fig(&c->swap);
	case SK_SWAPIN:		return fig(&c->in_rate);
	case SK_SWAPOUT:	return fig(&c->out_rate);
	case SK_REJECTS:	return fig(&c->stat[CS_REJECTS]);
	case SK_PSI:		return fig(&c->psi_some);
	case SK_TIER:		return fig(&c->stat[sort_tier]);
	default:		return resident(c);
	}
}

/* descending by the key, then by path */
static int cg_cmp(const void *pa, const void *pb)
{
	const struct cg *a = pa, *b = pb;
	uint64_t va = sort_value(a), vb = sort_value(b);

	if (va != vb)
		return va > vb ? -1 : 1;
	return strcmp(a->path, b->path);
}

struct frame {
	struct sample cgs;
	struct status st;
	struct tier_table tt;
	unsigned int interval;
	size_t count;
};

static void jw_opt(struct jw *w, const char *name, const struct opt_u64 *v)
{
	if (v->valid)
		jw_field_uint(w, name, v->val);
	else
		jw_field_null(w, name);
}

static void print_json(const struct frame *f)
{
	struct jw *w = json_start();
	long page = page_size();

	if (!w)
		return;
	jw_object_begin(w);
	jw_field_uint(w, "interval_s", f->interval);
	jw_name(w, "cgroups");
	jw_array_begin(w);
	for (size_t i = 0; i < f->cgs.nr && i < f->count; i++) {
		const struct cg *c = &f->cgs.cg[i];
		struct opt_u64 r = { resident_valid(c), resident(c) };

		jw_object_begin(w);
		jw_field_string(w, "path", c->path);
		jw_opt(w, "resident_bytes", &r);
		jw_opt(w, "zswap_bytes", &c->stat[CS_ZSWAPPED]);
		jw_opt(w, "swap_bytes", &c->swap);
		jw_field_uint(w, "swapin_pages", swapin(c));
		jw_field_uint(w, "swapout_pages", swapout(c));
		jw_opt(w, "swapin_pages_per_s", &c->in_rate);
		jw_opt(w, "swapout_pages_per_s", &c->out_rate);
		jw_opt(w, "rejects", &c->stat[CS_REJECTS]);
		jw_name(w, "tier_bytes");
		jw_object_begin(w);
		for (int k = CS_TIER1; k <= CS_TIER7; k++)
			jw_opt(w, cg_stat_keys[k] + strlen("swaptier_"),
			       &c->stat[k]);
		jw_object_end(w);
		jw_opt(w, "psi_some_avg10_x100", &c->psi_some);
		jw_opt(w, "psi_full_avg10_x100", &c->psi_full);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_name(w, "tiers");
	jw_array_begin(w);
	for (size_t i = 0; i < f->tt.nr; i++) {
		const struct tier *t = &f->tt.all[i];
		const struct opt_u64 *u = &t->fig[TF_USED_PAGES];
		const struct opt_u64 *cap = &t->fig[TF_CAPACITY_PAGES];

		jw_object_begin(w);
		jw_field_string(w, "name", t->name);
		if (u->valid)
			jw_field_uint(w, "used_bytes", u->val * page);
		else
			jw_field_null(w, "used_bytes");
		if (cap->valid)
			jw_field_uint(w, "capacity_bytes", cap->val * page);
		else
			jw_field_null(w, "capacity_bytes");
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_object_end(w);
	jw_free(w);
}

static void cell_size(bool valid, uint64_t v, char *buf, size_t len)
{
	if (valid)
		human_size(v, buf, len);
	else
		snprintf(buf, len, "-");
}

static void cell_u64(const struct opt_u64 *v, char *buf, size_t len)
{
	if (v->valid)
		snprintf(buf, len, "%llu", (unsigned long long)v->val);
	else
		snprintf(buf, len, "-");
}

static void cell_psi(const struct opt_u64 *v, char *buf, size_t len)
{
	if (v->valid)
		snprintf(buf, len, "%llu.%02llu",
			 (unsigned long long)(v->val / 100),
			 (unsigned long long)(v->val % 100));
	else
		snprintf(buf, len, "-");
}

/* the memory.stat counter of each device tier "tier list" shows, or -1 */
static int table_tiers(const struct frame *f, int *cols, size_t max)
{
	int n = 0;

	for (size_t i = 0; i < f->tt.nr && (size_t)n < max; i++) {
		int k = tier_stat(f->tt.all[i].name);

		if (k >= 0)
			cols[n++] = k;
	}
	return n;
}

static void print_table(const struct frame *f)
{
	long page = page_size();
	char a[32], b[32], c3[32], d[32], e[32], g[32], h[32];
	int cols[CS_TIER7 - CS_TIER1 + 1], ncols;

	printf("tiers:");
	if (!f->tt.nr)
		printf(" -");
	for (size_t i = 0; i < f->tt.nr; i++) {
		const struct tier *t = &f->tt.all[i];

		cell_size(t->fig[TF_USED_PAGES].valid,
			  t->fig[TF_USED_PAGES].val * page, a, sizeof(a));
		cell_size(t->fig[TF_CAPACITY_PAGES].valid,
			  t->fig[TF_CAPACITY_PAGES].val * page, b, sizeof(b));
		printf("  ");
		print_escaped(t->name, 0);
		printf(" %s/%s", a, b);
	}
	ncols = table_tiers(f, cols, sizeof(cols) / sizeof(cols[0]));
	printf("\n\n%8s %8s", "RESIDENT", "ZSWAP");
	for (int j = 0; j < ncols; j++) {
		const char *name = cg_stat_keys[cols[j]] + strlen("swaptier_");
		char up[16];
		size_t n;

		for (n = 0; name[n] && n < sizeof(up) - 1; n++)
			up[n] = (char)toupper((unsigned char)name[n]);
		up[n] = '\0';
		printf(" %8s", up);
	}
	printf(" %8s %9s %9s %8s %6s %6s  %s\n", "SWAP", "SWPIN/s",
	       "SWPOUT/s", "REJECTS", "SOME", "FULL", "CGROUP");
	for (size_t i = 0; i < f->cgs.nr && i < f->count; i++) {
		const struct cg *c = &f->cgs.cg[i];

		cell_size(resident_valid(c), resident(c), a, sizeof(a));
		cell_size(c->stat[CS_ZSWAPPED].valid, c->stat[CS_ZSWAPPED].val,
			  b, sizeof(b));
		printf("%8s %8s", a, b);
		for (int j = 0; j < ncols; j++) {
			cell_size(c->stat[cols[j]].valid, c->stat[cols[j]].val,
				  a, sizeof(a));
			printf(" %8s", a);
		}
		cell_size(c->swap.valid, c->swap.val, c3, sizeof(c3));
		cell_u64(&c->in_rate, d, sizeof(d));
		cell_u64(&c->out_rate, e, sizeof(e));
		cell_psi(&c->psi_some, g, sizeof(g));
		cell_psi(&c->psi_full, h, sizeof(h));
		printf(" %8s %9s %9s %8llu %6s %6s  ", c3, d, e,
		       (unsigned long long)fig(&c->stat[CS_REJECTS]), g, h);
		print_escaped(c->path, 0);
		putchar('\n');
	}
}

static void frame_free(struct frame *f)
{
	sample_free(&f->cgs);
	tier_table_free(&f->tt);
	status_free(&f->st);
}

static int read_sample(const char *root, const char *rel, struct sample *s)
{
	int ret;

	ret = walk(root, rel, s);
	if (!ret && !s->nr)
		ret = p_err(EXIT_OTHER, rel, "not a memory cgroup (no memory.stat)");
	return ret;
}

/*
 * Wait @secs seconds, or until 'q' on *@tty_in (>= 0) or a signal; at the
 * end of the input *@tty_in becomes -1 (signals only).  Returns true to
 * stop.
 */
static bool wait_interval(unsigned int secs, int *tty_in)
{
	struct timespec end, now;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += secs;
	while (!top_stop) {
		long ms;

		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (end.tv_sec - now.tv_sec) * 1000 +
		     (end.tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0)
			return false;
		if (*tty_in >= 0) {
			struct pollfd p = { .fd = *tty_in, .events = POLLIN };
			ssize_t n;
			char ch;

			if (poll(&p, 1, (int)ms) <= 0)
				continue;
			n = read(*tty_in, &ch, 1);
			if (n == 1 && (ch == 'q' || ch == 'Q'))
				return true;
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				*tty_in = -1;
		} else {
			struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	return true;
}

int do_top(int argc, char **argv)
{
	static const struct option opts[] = {
		/* long only but --cgroup (-c, as for policy) */
		{ "once",	no_argument,		NULL, OPT_ONCE },
		{ "interval",	required_argument,	NULL, OPT_INTERVAL },
		{ "sort",	required_argument,	NULL, OPT_SORT },
		{ "count",	required_argument,	NULL, OPT_COUNT },
		{ "cgroup",	required_argument,	NULL, 'c' },
		{ NULL,		0,			NULL, 0 },
	};
	struct sample prev = { 0 };
	struct frame f;
	struct termios saved;
	struct sigaction sa, old_int, old_term;
	bool once = false, tty = false, raw = false, sigs = false;
	const char *cgroup = "/";
	char root_buf[PATH_MAX], *rel = NULL, *mnt = NULL;
	const char *root;
	uint64_t v;
	int c, ret, tty_in = -1;

	memset(&f, 0, sizeof(f));
	f.interval = 2;
	f.count = SIZE_MAX;
	cur_key = SK_RESIDENT;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, opts, "top")) != -1) {
		switch (c) {
		case OPT_ONCE:
			once = true;
			break;
		case OPT_INTERVAL:
			if (parse_u64(optarg, &v) || v > MAX_INTERVAL) {
				ret = p_err(EXIT_USAGE, "--interval",
					    "'%s' is not a number of seconds from 0 to %d",
					    optarg, MAX_INTERVAL);
				goto out;
			}
			f.interval = (unsigned int)v;
			break;
		case OPT_SORT:
			for (c = 0; c < NR_SORT_KEYS; c++)
				if (!strcmp(optarg, sort_names[c]))
					break;
			sort_tier = tier_stat(optarg);
			if (c == NR_SORT_KEYS && sort_tier < 0) {
				ret = p_err(EXIT_USAGE, "--sort",
					    "unknown key '%s' (resident, zswap, swap, swapin, swapout, rejects, psi, or a back-end tier: ssd, hdd, tier3 .. tier7)",
					    optarg);
				goto out;
			}
			cur_key = c == NR_SORT_KEYS ? SK_TIER : (enum sort_key)c;
			break;
		case OPT_COUNT:
			if (parse_u64(optarg, &v) || !v) {
				ret = p_err(EXIT_USAGE, "--count",
					    "'%s' is not a positive number",
					    optarg);
				goto out;
			}
			f.count = v > SIZE_MAX ? SIZE_MAX : (size_t)v;
			break;
		case 'c':
			cgroup = optarg;
			break;
		case 'h':
			top_help(stdout);
			ret = EXIT_OK;
			goto out;
		default:
			ret = EXIT_USAGE;
			goto out;
		}
	}
	ret = no_args(argc, argv, top_help, "top");
	if (ret >= 0)
		goto out;
	if (!*cgroup) {
		ret = p_err(EXIT_USAGE, "--cgroup", "empty PATH");
		goto out;
	}
	if (!once && !f.interval) {
		ret = p_err(EXIT_USAGE, "--interval",
			    "0 needs --once (no rates from one sample)");
		goto out;
	}
	/* "/a/b/" and "a/b" name /a/b */
	if (asprintf(&rel, "%s%s", cgroup[0] == '/' ? "" : "/", cgroup) < 0) {
		rel = NULL;
		ret = p_sys("--cgroup", "cannot allocate memory");
		goto out;
	}
	for (size_t n = strlen(rel); n > 1 && rel[n - 1] == '/'; n--)
		rel[n - 1] = '\0';
	if (strstr(rel, "/../") || strstr(rel, "/./") ||
	    (strlen(rel) >= 2 && !strcmp(rel + strlen(rel) - 2, "/.")) ||
	    (strlen(rel) >= 3 && !strcmp(rel + strlen(rel) - 3, "/.."))) {
		ret = p_err(EXIT_USAGE, "--cgroup", "'%s': no . or .. allowed",
			    cgroup);
		goto out;
	}
	mnt = cgroup2_mount(true);
	if (!mnt) {
		ret = p_err(EXIT_OTHER, "top",
			    "no cgroup v2 hierarchy is mounted (/proc/self/mounts has no cgroup2 entry)");
		goto out;
	}
	root = sys_path(mnt, root_buf, sizeof(root_buf));
	{
		char *dir = NULL;
		struct stat sb;
		int err;

		if (asprintf(&dir, "%s%s", root, strcmp(rel, "/") ? rel : "") < 0) {
			ret = p_sys(cgroup, "cannot allocate memory");
			goto out;
		}
		err = stat(dir, &sb) ? errno : S_ISDIR(sb.st_mode) ? 0 : ENOTDIR;
		free(dir);
		if (err) {
			errno = err;
			ret = p_sys(cgroup, "no such cgroup");
			goto out;
		}
	}

	tty = !once && isatty(STDOUT_FILENO);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (!once) {
		top_stop = 0;
		if (sigaction(SIGINT, &sa, &old_int) ||
		    sigaction(SIGTERM, &sa, &old_term)) {
			ret = p_sys("top", "cannot set a signal handler");
			goto out;
		}
		sigs = true;
	}
	if (tty && isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved)) {
		struct termios t = saved;

		t.c_lflag &= ~(ICANON | ECHO);
		t.c_cc[VMIN] = 0;
		t.c_cc[VTIME] = 0;
		if (tcsetattr(STDIN_FILENO, TCSANOW, &t)) {
			ret = p_sys("stdin", "cannot set terminal mode");
			goto out;
		}
		raw = true;
		tty_in = STDIN_FILENO;
	}

	ret = read_sample(root, rel, &prev);
	if (ret)
		goto out;
	for (;;) {
		if (f.interval && wait_interval(f.interval, &tty_in))
			break;
		ret = read_sample(root, rel, &f.cgs);
		if (ret)
			goto out;
		set_rates(&f.cgs, &prev, f.interval);
		ret = status_read(&f.st);
		if (!ret && f.st.tiers.present)
			ret = tier_table_read(&f.st.tiers, &f.tt);
		if (ret)
			goto out;
		qsort(f.cgs.cg, f.cgs.nr, sizeof(*f.cgs.cg), cg_cmp);
		if (tty)
			fputs("\033[H\033[2J", stdout);
		if (json_output)
			print_json(&f);
		else
			print_table(&f);
		if (fflush(stdout) || ferror(stdout)) {
			ret = p_sys("stdout", "write error");
			goto out;
		}
		if (once)
			break;
		sample_free(&prev);
		prev = f.cgs;
		memset(&f.cgs, 0, sizeof(f.cgs));
		tier_table_free(&f.tt);
		status_free(&f.st);
		memset(&f.tt, 0, sizeof(f.tt));
	}
	ret = EXIT_OK;
out:
	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (sigs) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	sample_free(&prev);
	frame_free(&f);
	free(mnt);
	free(rel);
	return ret;
}
