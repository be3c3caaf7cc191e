// SPDX-License-Identifier: GPL-2.0-only
/*
 * swapctl status: swap areas (/proc/swaps), zswap state and swap counters.
 *
 * Only /proc/swaps is required.  Everything else is optional and shows as
 * null (JSON) or "-" (table) when the running kernel does not provide it.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"
#include "swapinfo.h"
#include "tiers.h"

static void status_help(FILE *f)
{
	fprintf(f,
		"Usage: %1$s status [show] [-j [-p]]\n"
		"       %1$s status help\n"
		"\n"
		"Show the active swap areas (as swapon --show), the zswap state and the\n"
		"swap-out counters.  With -j, print the JSON object documented in\n"
		"swapctl(8).\n",
		bin_name);
}

static void jw_field_opt(struct jw *w, const char *name,
			 const struct opt_u64 *v)
{
	if (v->valid)
		jw_field_uint(w, name, v->val);
	else
		jw_field_null(w, name);
}

static void print_json(const struct status *s)
{
	const struct zswap_status *z = &s->zswap;
	struct jw *w = json_start();

	if (!w)
		return;
	jw_object_begin(w);

	jw_name(w, "swaps");
	jw_array_begin(w);
	for (size_t i = 0; i < s->swaps.nr; i++) {
		const struct swap_area *a = &s->swaps.areas[i];
		const char *role, *tier;

		role = swap_role(s, a, &tier);
		jw_object_begin(w);
		jw_field_string(w, "name", a->name);
		jw_field_string(w, "type", a->type);
		jw_field_string(w, "kind", swap_kind(a));
		jw_field_uint(w, "size_bytes", a->size_kib * 1024);
		jw_field_uint(w, "used_bytes", a->used_kib * 1024);
		jw_field_int(w, "priority", a->prio);
		jw_field_string(w, "tier", tier);
		jw_field_string(w, "role", role);
		jw_object_end(w);
	}
	jw_array_end(w);

	jw_name(w, "zswap");
	jw_object_begin(w);
	if (z->enabled < 0)
		jw_field_null(w, "enabled");
	else
		jw_field_bool(w, "enabled", z->enabled);
	jw_field_string(w, "compressor", z->compressor);
	jw_field_opt(w, "pool_bytes", &z->pool_bytes);
	jw_field_opt(w, "stored_bytes", &z->stored_bytes);
	jw_field_opt(w, "stored_pages", &z->stored_pages);
	jw_object_end(w);

	jw_name(w, "space");
	jw_object_begin(w);
	jw_field_opt(w, "total_bytes", &z->swap_total_bytes);
	jw_field_opt(w, "free_bytes", &z->swap_free_bytes);
	jw_object_end(w);

	jw_name(w, "counters");
	jw_object_begin(w);
	for (size_t i = 0; i < NR_STATUS_COUNTERS; i++)
		jw_field_opt(w, status_counter_names[i].json, &s->counters[i]);
	jw_object_end(w);

	jw_object_end(w);
	jw_free(w);
}

static void print_opt_size(const char *label, const struct opt_u64 *v)
{
	char buf[32];

	if (!v->valid) {
		printf("  %-14s -\n", label);
		return;
	}
	human_size(v->val, buf, sizeof(buf));
	printf("  %-14s %s\n", label, buf);
}

static void print_opt_u64(const char *label, const struct opt_u64 *v)
{
	if (v->valid)
		printf("  %-14s %llu\n", label, (unsigned long long)v->val);
	else
		printf("  %-14s -\n", label);
}

/* TIER column: the tier of a back end, "front-end" for a ghost area */
static const char *tier_cell(const struct status *s,
			     const struct swap_area *a)
{
	const char *role, *tier;

	role = swap_role(s, a, &tier);
	if (tier)
		return tier;
	return strcmp(role, "front-end") ? "-" : role;
}

static void print_table(const struct status *s)
{
	const struct zswap_status *z = &s->zswap;
	int wname = 4, wtype = 4, wsize = 4, wused = 4, wprio = 4;
	char size[32], used[32], prio[32];

	for (size_t i = 0; i < s->swaps.nr; i++) {
		const struct swap_area *a = &s->swaps.areas[i];
		int n;

		if ((n = escaped_width(a->name)) > wname)
			wname = n;
		if ((n = (int)strlen(a->type)) > wtype)
			wtype = n;
		human_size(a->size_kib * 1024, size, sizeof(size));
		if ((n = (int)strlen(size)) > wsize)
			wsize = n;
		human_size(a->used_kib * 1024, used, sizeof(used));
		if ((n = (int)strlen(used)) > wused)
			wused = n;
		if ((n = snprintf(prio, sizeof(prio), "%lld", a->prio)) > wprio)
			wprio = n;
	}

	if (!s->swaps.nr) {
		printf("no active swap areas\n");
	} else {
		printf("%-*s %-*s %*s %*s %*s %s\n", wname, "NAME", wtype,
		       "TYPE", wsize, "SIZE", wused, "USED", wprio, "PRIO",
		       "TIER");
	}
	for (size_t i = 0; i < s->swaps.nr; i++) {
		const struct swap_area *a = &s->swaps.areas[i];

		human_size(a->size_kib * 1024, size, sizeof(size));
		human_size(a->used_kib * 1024, used, sizeof(used));
		print_escaped(a->name, wname);
		printf(" %-*s %*s %*s %*lld ", wtype, a->type, wsize, size,
		       wused, used, wprio, a->prio);
		print_escaped(tier_cell(s, a), 0);
		putchar('\n');
	}

	printf("\nzswap:\n");
	printf("  %-14s %s\n", "enabled",
	       z->enabled < 0 ? "-" : z->enabled ? "Y" : "N");
	printf("  %-14s %s\n", "compressor",
	       z->compressor ? z->compressor : "-");
	print_opt_size("pool", &z->pool_bytes);
	print_opt_size("stored", &z->stored_bytes);
	print_opt_u64("stored pages", &z->stored_pages);

	printf("\nswap space (what zswap and the back ends can hold):\n");
	print_opt_size("total", &z->swap_total_bytes);
	print_opt_size("free", &z->swap_free_bytes);

	printf("\ncounters:\n");
	for (size_t i = 0; i < NR_STATUS_COUNTERS; i++)
		print_opt_u64(status_counter_names[i].json, &s->counters[i]);
}

static int do_show(int argc, char **argv)
{
	struct status s;
	int c, ret;

	memset(&s, 0, sizeof(s));
	optind = 0;
	while ((c = cmd_getopt(argc, argv, NULL, "status")) != -1) {
		if (c == 'h') {
			status_help(stdout);
			ret = EXIT_OK;
			goto out;
		}
		ret = EXIT_USAGE;
		goto out;
	}
	if (optind < argc) {
		ret = unexpected_arg(argv[optind], "status");
		goto out;
	}

	ret = status_read(&s);
	if (ret)
		goto out;

	if (json_output)
		print_json(&s);
	else
		print_table(&s);
	ret = EXIT_OK;
out:
	status_free(&s);
	return ret;
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	status_help(stdout);
	return EXIT_OK;
}

int do_status(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "show",	do_show },
		{ "help",	do_help },
		{ NULL,		NULL },
	};
	int i;

	/*
	 * "status" takes no COMMAND: "swapctl status [-j]" shows everything.
	 * "show" and "help" are accepted for the usual bpftool grammar.
	 */
	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-')
			break;
		if (!strcmp(argv[i], "--"))
			break;
	}
	if (i < argc && argv[i][0] != '-') {
		for (const struct cmd *c = cmds; c->name; c++) {
			if (!strcmp(argv[i], c->name)) {
				/* drop the command word, keep the options */
				for (int j = i; j > 1; j--)
					argv[j] = argv[j - 1];
				return c->func(argc - 1, argv + 1);
			}
		}
	}
	return do_show(argc, argv);
}
