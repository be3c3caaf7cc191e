// SPDX-License-Identifier: GPL-2.0-only
/*
 * swapctl metrics: the figures of "status", "tier list --all" and "policy
 * show" in the Prometheus text exposition format (version 0.0.4), as the
 * textfile collector of node_exporter reads it.
 *
 * The figures are read by the readers of those commands, then the whole
 * text is built in memory: a malformed source prints and writes nothing.
 * A source the kernel does not have (no swap tiers, no debugfs) leaves its
 * metrics out, as the other commands show null.  -o FILE writes FILE.tmp
 * in the same directory, syncs it and renames it over FILE, so that the
 * collector never reads half a file.
 *
 * The metric names, types and labels are a stable interface, documented
 * in swapctl.8 (METRICS); selftests/host/metrics_test.sh checks the two
 * against each other.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "main.h"
#include "swapinfo.h"
#include "tiers.h"
#include "attached.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum metric_type { GAUGE, COUNTER };

struct metric {
	const char *name;
	enum metric_type type;
	const char *help;	/* no backslash, no newline: printed as is */
};

enum {
	M_BUILD_INFO,
	M_SWAP_INFO,
	M_SWAP_SIZE,
	M_SWAP_USED,
	M_SWAP_PRIO,
	M_ZSWAP_ENABLED,
	M_ZSWAP_COMPRESSOR,
	M_ZSWAP_POOL,
	M_ZSWAP_STORED,
	M_ZSWAP_STORED_PAGES,
	M_ZSWAP_WRITTEN,
	M_ZSWAP_READ,
	M_ZSWAP_WRITEBACK,
	M_SWAP_OUT,
	M_SWAP_IN,
	M_GHOST_REJECTED,
	M_TIER_INDEX,
	M_TIER_DEVICES,
	M_TIER_CAPACITY,
	M_TIER_USED,
	M_TIER_WRITTEN,
	M_TIER_READ,
	M_TIER_WRITE_ERRORS,
	M_TIER_READ_ERRORS,
	M_TIER_DEMOTED,
	M_TIER_DRAINED,
	M_TIER_HIGH,
	M_TIER_LOW,
	M_TIER_DEVICE_INFO,
	M_DEMOTE_INTERVAL,
	M_POINTER_RECORDS,
	M_POINTER_BYTES,
	M_POLICY_INFO,
	M_POLICY_DETACHED,
	M_POLICY_CALLS,
	M_POLICY_ERRORS,
	M_POLICY_LAST_ERROR,
	NR_METRICS,
};

/* in output order; swapctl.8 lists the same, with their labels */
static const struct metric metrics[NR_METRICS] = {
	[M_BUILD_INFO] = { "swaptier_swapctl_build_info", GAUGE,
		"Versions of swapctl and libbpf (labels), always 1." },
	[M_SWAP_INFO] = { "swaptier_swap_info", GAUGE,
		"An active swap area of /proc/swaps: its type, kind, role and tier (labels), always 1." },
	[M_SWAP_SIZE] = { "swaptier_swap_size_bytes", GAUGE,
		"Size of the swap area, from /proc/swaps." },
	[M_SWAP_USED] = { "swaptier_swap_used_bytes", GAUGE,
		"Space in use on the swap area, from /proc/swaps." },
	[M_SWAP_PRIO] = { "swaptier_swap_priority", GAUGE,
		"Swap priority of the swap area, from /proc/swaps." },
	[M_ZSWAP_ENABLED] = { "swaptier_zswap_enabled", GAUGE,
		"1 if zswap is enabled, else 0 (/sys/module/zswap/parameters/enabled)." },
	[M_ZSWAP_COMPRESSOR] = { "swaptier_zswap_compressor_info", GAUGE,
		"The zswap compressor (label), always 1." },
	[M_ZSWAP_POOL] = { "swaptier_zswap_pool_bytes", GAUGE,
		"Memory used by the zswap pool (Zswap: of /proc/meminfo)." },
	[M_ZSWAP_STORED] = { "swaptier_zswap_stored_bytes", GAUGE,
		"Uncompressed size of the pages zswap holds (Zswapped: of /proc/meminfo)." },
	[M_ZSWAP_STORED_PAGES] = { "swaptier_zswap_stored_pages", GAUGE,
		"Pages zswap holds (debugfs zswap/stored_pages)." },
	[M_ZSWAP_WRITTEN] = { "swaptier_zswap_written_pages_total", COUNTER,
		"Pages stored into zswap (zswpout of /proc/vmstat)." },
	[M_ZSWAP_READ] = { "swaptier_zswap_read_pages_total", COUNTER,
		"Pages loaded from zswap (zswpin of /proc/vmstat)." },
	[M_ZSWAP_WRITEBACK] = { "swaptier_zswap_writeback_pages_total", COUNTER,
		"Pages written back from zswap (zswpwb of /proc/vmstat)." },
	[M_SWAP_OUT] = { "swaptier_swap_out_pages_total", COUNTER,
		"Pages written to swap devices (pswpout of /proc/vmstat)." },
	[M_SWAP_IN] = { "swaptier_swap_in_pages_total", COUNTER,
		"Pages read from swap devices (pswpin of /proc/vmstat)." },
	[M_GHOST_REJECTED] = { "swaptier_ghost_rejected_pages_total", COUNTER,
		"Pages a ghost area could not place anywhere, which stayed in memory (swpout_ghost_reject of /proc/vmstat)." },
	[M_TIER_INDEX] = { "swaptier_tier_index", GAUGE,
		"Index of the tier: 0 for zswap, 1 to 7 for device tiers." },
	[M_TIER_DEVICES] = { "swaptier_tier_devices", GAUGE,
		"Number of back ends of the tier (0 for zswap)." },
	[M_TIER_CAPACITY] = { "swaptier_tier_capacity_bytes", GAUGE,
		"Total size of the back ends of the tier." },
	[M_TIER_USED] = { "swaptier_tier_used_bytes", GAUGE,
		"Space in use on the tier; for zswap the uncompressed size of the pages it holds." },
	[M_TIER_WRITTEN] = { "swaptier_tier_written_pages_total", COUNTER,
		"Pages written to the tier since boot (zswap: zswpout)." },
	[M_TIER_READ] = { "swaptier_tier_read_pages_total", COUNTER,
		"Pages read from the tier since boot (zswap: zswpin)." },
	[M_TIER_WRITE_ERRORS] = { "swaptier_tier_write_errors_total", COUNTER,
		"Failed writes to the tier since boot." },
	[M_TIER_READ_ERRORS] = { "swaptier_tier_read_errors_total", COUNTER,
		"Failed reads from the tier since boot." },
	[M_TIER_DEMOTED] = { "swaptier_tier_demoted_pages_total", COUNTER,
		"Pages moved off the tier by demotion since boot." },
	[M_TIER_DRAINED] = { "swaptier_tier_drained_pages_total", COUNTER,
		"Pages moved off the back ends of the tier by drains since boot." },
	[M_TIER_HIGH] = { "swaptier_tier_high_watermark_ratio", GAUGE,
		"High demotion watermark, a fraction of the capacity of the tier (0: no watermark demotion)." },
	[M_TIER_LOW] = { "swaptier_tier_low_watermark_ratio", GAUGE,
		"Low demotion watermark, a fraction of the capacity of the tier." },
	[M_TIER_DEVICE_INFO] = { "swaptier_tier_device_info", GAUGE,
		"A back end the devices file of the tier lists, always 1." },
	[M_DEMOTE_INTERVAL] = { "swaptier_demote_interval_seconds", GAUGE,
		"Period of the demotion worker (demote_interval_ms)." },
	[M_POINTER_RECORDS] = { "swaptier_backend_pointer_records", GAUGE,
		"Back-end pointer records the kernel holds (debugfs swap_tier/pointer_records)." },
	[M_POINTER_BYTES] = { "swaptier_backend_pointer_bytes", GAUGE,
		"Memory the back-end pointer records take (debugfs swap_tier/pointer_bytes)." },
	[M_POLICY_INFO] = { "swaptier_policy_info", GAUGE,
		"A policy target: the attached policy, its cgroup and its pin (labels), always 1." },
	[M_POLICY_DETACHED] = { "swaptier_policy_detached", GAUGE,
		"1 for a pin whose target has no policy any more (the kernel detached it), else 0." },
	[M_POLICY_CALLS] = { "swaptier_policy_calls_total", COUNTER,
		"Calls of a hook of the policy." },
	[M_POLICY_ERRORS] = { "swaptier_policy_errors_total", COUNTER,
		"Invalid verdicts of the policy." },
	[M_POLICY_LAST_ERROR] = { "swaptier_policy_last_error", GAUGE,
		"Value the hook (label) returned with the last invalid verdict of the policy." },
};

/* the status counters of /proc/vmstat */
static const int counter_metric[NR_STATUS_COUNTERS] = {
	[SC_ZSWPOUT]		= M_ZSWAP_WRITTEN,
	[SC_ZSWPIN]		= M_ZSWAP_READ,
	[SC_ZSWPWB]		= M_ZSWAP_WRITEBACK,
	[SC_PSWPOUT]		= M_SWAP_OUT,
	[SC_PSWPIN]		= M_SWAP_IN,
	[SC_GHOST_REJECTS]	= M_GHOST_REJECTED,
};

/* how a tier figure becomes a sample value */
enum conv {
	CONV_NONE,
	CONV_PAGES,	/* pages to bytes */
	CONV_PCT,	/* percent to a ratio */
};

/* the figures of every tier, in output order */
static const struct {
	int metric;
	bool move;	/* struct move_figs, else struct tier */
	int fig;	/* enum move_figure or enum tier_figure */
	enum conv conv;
} tier_metrics[] = {
	{ M_TIER_DEVICES,	false,	TF_NR_DEVICES,		CONV_NONE },
	{ M_TIER_CAPACITY,	false,	TF_CAPACITY_PAGES,	CONV_PAGES },
	{ M_TIER_USED,		false,	TF_USED_PAGES,		CONV_PAGES },
	{ M_TIER_WRITTEN,	false,	TF_WRITTEN_PAGES,	CONV_NONE },
	{ M_TIER_READ,		false,	TF_READ_PAGES,		CONV_NONE },
	{ M_TIER_WRITE_ERRORS,	false,	TF_WRITE_ERRORS,	CONV_NONE },
	{ M_TIER_READ_ERRORS,	false,	TF_READ_ERRORS,		CONV_NONE },
	{ M_TIER_DEMOTED,	true,	MF_DEMOTED_PAGES,	CONV_NONE },
	{ M_TIER_DRAINED,	true,	MF_DRAINED_PAGES,	CONV_NONE },
	{ M_TIER_HIGH,		true,	MF_HIGH_PCT,		CONV_PCT },
	{ M_TIER_LOW,		true,	MF_LOW_PCT,		CONV_PCT },
};

/* everything the metrics are made of */
struct figures {
	struct status st;		/* swaps, tiers, zswap, counters */
	struct tier_table tt;		/* if st.tiers.present */
	struct attached_list pol;	/* if pol.present */
};

/* ---------------------------------------------------------- writer */

struct label {
	const char *name;
	const char *value;	/* NULL: the sample has no such label */
};

/* a label list for one sample, ended by a NULL name */
#define LABELS(...) ((const struct label[]){ __VA_ARGS__, { NULL, NULL } })
#define NO_LABELS ((const struct label[]){ { NULL, NULL } })

struct prom {
	FILE *f;
	int cur;			/* family of the last sample, or -1 */
	bool done[NR_METRICS];		/* families begun */
};

/*
 * A label value: backslash, double quote and newline escaped, bytes that
 * are not UTF-8 replaced by U+FFFD (as in the JSON output): the format is
 * UTF-8 and has no other escapes.
 */
static void put_label_value(FILE *f, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t len = strlen(v), i = 0, n;

	while (i < len) {
		switch (s[i]) {
		case '\\':
			fputs("\\\\", f);
			i++;
			continue;
		case '"':
			fputs("\\\"", f);
			i++;
			continue;
		case '\n':
			fputs("\\n", f);
			i++;
			continue;
		default:
			break;
		}
		n = utf8_seq_len(s + i, len - i);
		if (!n) {
			fputs("\xef\xbf\xbd", f);
			i++;
			continue;
		}
		fwrite(s + i, 1, n, f);
		i += n;
	}
}

/*
 * One sample of family @m; its HELP and TYPE lines first if it is the
 * first.  The samples of a family must come in one run.
 */
static void put_sample(struct prom *p, int m, const struct label *l,
		       const char *value)
{
	const struct metric *mt = &metrics[m];
	bool first = true;

	if (p->cur != m) {
		/* a family in two pieces: a bug of this file */
		if (p->done[m])
			abort();
		p->done[m] = true;
		p->cur = m;
		fprintf(p->f, "# HELP %s %s\n# TYPE %s %s\n", mt->name,
			mt->help, mt->name,
			mt->type == COUNTER ? "counter" : "gauge");
	}
	fputs(mt->name, p->f);
	for (; l->name; l++) {
		if (!l->value)
			continue;
		fprintf(p->f, "%s%s=\"", first ? "{" : ",", l->name);
		put_label_value(p->f, l->value);
		fputc('"', p->f);
		first = false;
	}
	fprintf(p->f, "%s %s\n", first ? "" : "}", value);
}

static void put_u64(struct prom *p, int m, const struct label *l, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	put_sample(p, m, l, buf);
}

static void put_s64(struct prom *p, int m, const struct label *l,
		    long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	put_sample(p, m, l, buf);
}

/* @v / 10^@digits, exactly: "0.75", "1", "0.5" */
static void put_scaled(struct prom *p, int m, const struct label *l,
		       uint64_t v, unsigned int digits)
{
	uint64_t scale = 1, frac;
	char buf[48];
	int n;

	for (unsigned int i = 0; i < digits; i++)
		scale *= 10;
	frac = v % scale;
	n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(v / scale));
	if (frac) {
		snprintf(buf + n, sizeof(buf) - n, ".%0*llu", (int)digits,
			 (unsigned long long)frac);
		/* no trailing zeros */
		for (n = (int)strlen(buf); buf[n - 1] == '0'; n--)
			buf[n - 1] = '\0';
	}
	put_sample(p, m, l, buf);
}

/* a figure the kernel may not provide: no sample without it */
static void put_opt(struct prom *p, int m, const struct label *l,
		    const struct opt_u64 *v)
{
	if (v->valid)
		put_u64(p, m, l, v->val);
}

/* ----------------------------------------------------------- families */

static void put_status(struct prom *p, const struct status *s)
{
	const struct swap_list *sw = &s->swaps;
	const struct zswap_status *z = &s->zswap;

	for (size_t i = 0; i < sw->nr; i++) {
		const struct swap_area *a = &sw->areas[i];
		const char *role, *tier;

		role = swap_role(s, a, &tier);
		put_u64(p, M_SWAP_INFO,
			LABELS({ "device", a->name }, { "type", a->type },
			       { "kind", swap_kind(a) }, { "role", role },
			       { "tier", tier }), 1);
	}
	for (size_t i = 0; i < sw->nr; i++)
		put_u64(p, M_SWAP_SIZE, LABELS({ "device", sw->areas[i].name }),
			sw->areas[i].size_kib * 1024);
	for (size_t i = 0; i < sw->nr; i++)
		put_u64(p, M_SWAP_USED, LABELS({ "device", sw->areas[i].name }),
			sw->areas[i].used_kib * 1024);
	for (size_t i = 0; i < sw->nr; i++)
		put_s64(p, M_SWAP_PRIO, LABELS({ "device", sw->areas[i].name }),
			sw->areas[i].prio);

	if (z->enabled >= 0)
		put_u64(p, M_ZSWAP_ENABLED, NO_LABELS, (uint64_t)z->enabled);
	if (z->compressor)
		put_u64(p, M_ZSWAP_COMPRESSOR,
			LABELS({ "compressor", z->compressor }), 1);
	put_opt(p, M_ZSWAP_POOL, NO_LABELS, &z->pool_bytes);
	put_opt(p, M_ZSWAP_STORED, NO_LABELS, &z->stored_bytes);
	put_opt(p, M_ZSWAP_STORED_PAGES, NO_LABELS, &z->stored_pages);
	for (int c = 0; c < NR_STATUS_COUNTERS; c++)
		put_opt(p, counter_metric[c], NO_LABELS, &s->counters[c]);
}

static void put_tier_figure(struct prom *p, size_t k, const struct tier *t,
			    const struct move_figs *mv)
{
	const struct opt_u64 *v = tier_metrics[k].move ?
				  &mv->fig[tier_metrics[k].fig] :
				  &t->fig[tier_metrics[k].fig];
	const struct label *l = LABELS({ "tier", t->name });
	int m = tier_metrics[k].metric;

	if (!v->valid)
		return;
	switch (tier_metrics[k].conv) {
	case CONV_PAGES:
		put_u64(p, m, l, v->val * (uint64_t)page_size());
		break;
	case CONV_PCT:
		put_scaled(p, m, l, v->val, 2);
		break;
	default:
		put_u64(p, m, l, v->val);
		break;
	}
}

static void put_tiers(struct prom *p, const struct tier_list *tl,
		      const struct tier_table *tt)
{
	for (size_t i = 0; i < tt->nr; i++)
		put_u64(p, M_TIER_INDEX, LABELS({ "tier", tt->all[i].name }),
			tt->all[i].index);
	for (size_t k = 0; k < ARRAY_SIZE(tier_metrics); k++)
		for (size_t i = 0; i < tt->nr; i++)
			put_tier_figure(p, k, &tt->all[i], &tt->mv[i]);
	for (size_t i = 0; i < tt->nr; i++) {
		const struct tier *t = &tt->all[i];

		for (size_t j = 0; j < t->nr_devs; j++)
			put_u64(p, M_TIER_DEVICE_INFO,
				LABELS({ "tier", t->name },
				       { "device", t->devices[j] }), 1);
	}
	if (tt->interval.valid)
		put_scaled(p, M_DEMOTE_INTERVAL, NO_LABELS, tt->interval.val, 3);
	put_opt(p, M_POINTER_RECORDS, NO_LABELS, &tl->ptr_records);
	put_opt(p, M_POINTER_BYTES, NO_LABELS, &tl->ptr_bytes);
}

/* the cgroup_id label: decimal, 0 for global */
static const char *id_label(char *buf, size_t len, const struct attached *a)
{
	snprintf(buf, len, "%llu", (unsigned long long)a->cgroup_id);
	return buf;
}

static void put_policies(struct prom *p, const struct attached_list *l)
{
	char id[24];

	for (size_t i = 0; i < l->nr; i++) {
		const struct attached *a = &l->a[i];

		put_u64(p, M_POLICY_INFO,
			LABELS({ "cgroup_id", id_label(id, sizeof(id), a) },
			       { "target", a->cgroup_id ? "cgroup" : "global" },
			       { "policy", a->name },
			       { "cgroup_path", a->cgroup_path },
			       { "pin", a->pin }), 1);
	}
	for (size_t i = 0; i < l->nr; i++)
		put_u64(p, M_POLICY_DETACHED,
			LABELS({ "cgroup_id", id_label(id, sizeof(id), &l->a[i]) }),
			!l->a[i].name);
	/* a detached target has no counters: no sysfs directory */
	for (size_t i = 0; i < l->nr; i++) {
		const struct attached *a = &l->a[i];

		for (int h = 0; a->name && h < NR_HOOKS; h++)
			put_opt(p, M_POLICY_CALLS,
				LABELS({ "cgroup_id", id_label(id, sizeof(id), a) },
				       { "policy", a->name },
				       { "hook", policy_hook_names[h] }),
				&a->calls[h]);
	}
	for (size_t i = 0; i < l->nr; i++) {
		const struct attached *a = &l->a[i];

		if (a->name)
			put_opt(p, M_POLICY_ERRORS,
				LABELS({ "cgroup_id", id_label(id, sizeof(id), a) },
				       { "policy", a->name }),
				&a->errors);
	}
	for (size_t i = 0; i < l->nr; i++) {
		const struct attached *a = &l->a[i];

		if (a->name && a->has_last_error)
			put_s64(p, M_POLICY_LAST_ERROR,
				LABELS({ "cgroup_id", id_label(id, sizeof(id), a) },
				       { "policy", a->name },
				       { "hook", a->last_hook }),
				a->last_value);
	}
}

static void put_all(FILE *f, const struct figures *fg)
{
	struct prom p = { .f = f, .cur = -1 };

	put_u64(&p, M_BUILD_INFO,
		LABELS({ "version", SWAPCTL_VERSION },
		       { "libbpf_version", libbpf_version_string() }), 1);
	put_status(&p, &fg->st);
	if (fg->st.tiers.present)
		put_tiers(&p, &fg->st.tiers, &fg->tt);
	if (fg->pol.present)
		put_policies(&p, &fg->pol);
}

/* ---------------------------------------------------------- command */

static void metrics_help(FILE *f)
{
	fprintf(f,
		"Usage: %1$s metrics [-o FILE] [-j]\n"
		"       %1$s metrics help\n"
		"\n"
		"       OPTIONS := { -o|--output FILE | -j|--json [-p|--pretty] }\n"
		"\n"
		"Print the figures of 'status', 'tier list --all' and 'policy show' in the\n"
		"Prometheus text format, with the metric names of swapctl(8) (METRICS).\n"
		"-o writes FILE instead, atomically (FILE.tmp, then renamed), for the\n"
		"node_exporter textfile collector.  With -j errors are JSON; the metrics\n"
		"stay text.\n",
		bin_name);
}

static int read_figures(struct figures *fg)
{
	int ret;

	ret = status_read(&fg->st);
	if (!ret && fg->st.tiers.present)
		ret = tier_table_read(&fg->st.tiers, &fg->tt);
	if (!ret)
		ret = attached_read(&fg->pol, "metrics", false, false, 0);
	return ret;
}

static void free_figures(struct figures *fg)
{
	tier_table_free(&fg->tt);
	status_free(&fg->st);
	attached_list_free(&fg->pol);
}

/*
 * Open @tmp, lock it and truncate it.  Another metrics writing the same
 * FILE holds the lock until it has renamed (or removed) @tmp: the one that
 * waited then finds that @tmp names another file, or none, and opens it
 * afresh.
 */
static int open_tmp(const char *tmp, int *out)
{
	struct stat a, b;
	int fd = -1, ret;

	for (int tries = 0; tries < 100; tries++) {
		fd = open(tmp, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY |
			  O_NOFOLLOW, 0666);
		if (fd < 0) {
			ret = p_sys(tmp, "cannot create");
			goto out;
		}
		if (flock(fd, LOCK_EX)) {
			ret = p_sys(tmp, "cannot lock");
			goto out;
		}
		if (fstat(fd, &a)) {
			ret = p_sys(tmp, "cannot stat");
			goto out;
		}
		if (!lstat(tmp, &b) && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino) {
			if (!S_ISREG(a.st_mode)) {
				ret = p_err(EXIT_OTHER, tmp,
					    "not a regular file");
				goto out;
			}
			if (ftruncate(fd, 0)) {
				ret = p_sys(tmp, "cannot truncate");
				goto out;
			}
			*out = fd;
			fd = -1;
			ret = EXIT_OK;
			goto out;
		}
		close(fd);
		fd = -1;
	}
	ret = p_err(EXIT_SYSCALL, tmp,
		    "cannot create: other processes keep replacing it");
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Make @path's directory entry durable (the rename). */
static int sync_dir(const char *path)
{
	char *copy = strdup(path);
	const char *dir;
	int fd = -1, ret;

	if (!copy) {
		ret = p_sys(path, "cannot allocate memory");
		goto out;
	}
	dir = dirname(copy);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = p_sys(dir, "cannot open");
		goto out;
	}
	if (fsync(fd)) {
		ret = p_sys(dir, "cannot sync");
		goto out;
	}
	ret = EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	free(copy);
	return ret;
}

/* FILE.tmp in the same directory, synced, then renamed over FILE. */
static int write_atomic(const char *path, const char *buf, size_t len)
{
	char *tmp = NULL;
	bool renamed = false;
	int fd = -1, ret;

	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		ret = p_sys(path, "cannot allocate memory");
		goto out;
	}
	ret = open_tmp(tmp, &fd);
	if (ret)
		goto out;
	if (pwrite_full(fd, buf, len)) {
		ret = p_sys(tmp, "cannot write");
		goto out;
	}
	if (fsync(fd)) {
		ret = p_sys(tmp, "cannot sync");
		goto out;
	}
	if (rename(tmp, path)) {
		ret = p_sys(path, "cannot rename %s to it", tmp);
		goto out;
	}
	renamed = true;
	ret = sync_dir(path);
out:
	/* still ours (locked): no half-written file is left behind */
	if (fd >= 0 && !renamed)
		unlink(tmp);
	if (fd >= 0)
		close(fd);
	free(tmp);
	return ret;
}

/* The text of the metrics, in *buf (the caller frees it). */
static int render(const struct figures *fg, char **buf, size_t *len)
{
	FILE *f;
	int err;

	*buf = NULL;
	*len = 0;
	f = open_memstream(buf, len);
	if (!f)
		return p_sys("metrics", "cannot allocate memory");
	put_all(f, fg);
	err = ferror(f);
	if (fclose(f) || err) {
		free(*buf);
		*buf = NULL;
		errno = ENOMEM;
		return p_sys("metrics", "cannot allocate memory");
	}
	return EXIT_OK;
}

int do_metrics(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output",	required_argument,	NULL, 'o' },
		{ NULL,		0,			NULL, 0 },
	};
	struct figures fg;
	const char *output = NULL;
	char *buf = NULL;
	size_t len = 0;
	int c, ret;

	memset(&fg, 0, sizeof(fg));
	optind = 0;
	while ((c = cmd_getopt(argc, argv, opts, "metrics")) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			metrics_help(stdout);
			ret = EXIT_OK;
			goto out;
		default:
			ret = EXIT_USAGE;
			goto out;
		}
	}
	ret = no_args(argc, argv, metrics_help, "metrics");
	if (ret >= 0)
		goto out;
	if (output && !*output) {
		ret = p_err(EXIT_USAGE, "--output", "empty FILE");
		goto out;
	}

	ret = read_figures(&fg);
	if (ret)
		goto out;
	ret = render(&fg, &buf, &len);
	if (ret)
		goto out;
	if (output)
		ret = write_atomic(output, buf, len);
	else
		fwrite(buf, 1, len, stdout);	/* errors: see main() */
out:
	free(buf);
	free_figures(&fg);
	return ret;
}
