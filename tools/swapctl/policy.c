// SPDX-License-Identifier: GPL-2.0-only
/*
 * swapctl policy: BPF swap-tier policies (struct_ops swap_tier_ops).
 *
 * A policy is a BPF object file holding one struct swap_tier_ops map in
 * SEC(".struct_ops.link"), its programs, a description (the .rodata string
 * swaptier_description) and tunables (every other global .rodata variable,
 * "const volatile" in the source).  "load" attaches it globally or to a
 * cgroup v2 cgroup and pins the link at
 *   <bpffs>/swaptier/global  or  <bpffs>/swaptier/cgroup-<id>,
 * "replace" swaps the map behind a pinned link atomically, "detach" detaches
 * the link and removes the pin, "show" reads the kernel's counters from
 * /sys/kernel/mm/swap_tier/policies/<target>/.
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
#include "policy_stats.h"
#include "tier_ops.h"

static void policy_help(FILE *f)
{
	fprintf(f,
		"Usage: %1$s policy list [-j [-p]]\n"
		"       %1$s policy load { OBJ | NAME } [--cgroup PATH] [--set KEY=VALUE]...\n"
		"       %1$s policy replace { OBJ | NAME } [--cgroup PATH] [--set KEY=VALUE]...\n"
		"       %1$s policy detach [--cgroup PATH | --cgroup-id ID | --all]\n"
		"       %1$s policy show [-j [-p]] [--cgroup PATH]\n"
		"       %1$s policy stats [NAME] [-j [-p]] [--cgroup PATH]\n"
		"       %1$s policy help\n"
		"\n"
		"       NAME := a policy of the policy directory, %2$s\n"
		"               (NAME.bpf.o; set another with SWAPCTL_POLICY_DIR)\n"
		"       OBJ := a BPF object file: an argument containing '/' or ending in .o\n"
		"       VALUE := a number (decimal or 0x hex), a bool (0, 1, true, false),\n"
		"                a cgroup v2 directory (starts with '/': its cgroup id),\n"
		"                VALUE,VALUE... for arrays, or a string for char arrays\n"
		"       OPTIONS := { -j|--json [-p|--pretty] | -c|--cgroup PATH |\n"
		"                    -s|--set KEY=VALUE | -d|--debug | -i|--cgroup-id ID |\n"
		"                    -a|--all }\n"
		"\n"
		"'list' shows the shipped policies, their description and tunables.\n"
		"'load' attaches a policy globally or to the cgroup PATH and pins its link\n"
		"at %3$s/%4$s/{global,cgroup-ID}; 'replace' swaps the policy behind a pinned\n"
		"link atomically; 'detach' detaches it and removes the pin; 'show' lists the\n"
		"attached policies with their counters; 'stats' shows the global variables\n"
		"and maps of the pinned ones (all, those named NAME, or PATH's), by BTF.\n",
		bin_name, policy_dir(), DEFAULT_BPFFS, PIN_SUBDIR);
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	policy_help(stdout);
	return EXIT_OK;
}

/* ------------------------------------------------------------- list */

static void list_text_one(const struct policy *p)
{
	int w = 7;

	printf("%s: ", p->name);
	if (p->desc)
		print_escaped(p->desc, 0);
	else
		printf("(no description)");
	putchar('\n');
	printf("    object %s\n", p->path);
	if (!p->nr_tun) {
		printf("    no tunables\n");
		return;
	}
	for (size_t i = 0; i < p->nr_tun; i++)
		if ((int)strlen(p->tun[i].name) > w)
			w = (int)strlen(p->tun[i].name);
	printf("    %-*s %-10s %s\n", w, "TUNABLE", "TYPE", "DEFAULT");
	for (size_t i = 0; i < p->nr_tun; i++) {
		const struct tunable *t = &p->tun[i];

		printf("    %-*s %-10s ", w, t->name, t->type);
		print_value(stdout, t, p->ro);
		putchar('\n');
	}
}

static void list_json_one(struct jw *w, const struct policy *p)
{
	char name[SWAP_TIER_OPS_NAME_LEN + 1];

	ops_name(p, name, sizeof(name));
	jw_object_begin(w);
	jw_field_string(w, "name", p->name);
	jw_field_string(w, "object", p->path);
	if (p->desc)
		jw_field_string(w, "description", p->desc);
	else
		jw_field_null(w, "description");
	jw_field_string(w, "ops_name", name);
	jw_name(w, "tunables");
	jw_tunables(w, p, "default");
	jw_object_end(w);
}

static int do_list(int argc, char **argv)
{
	struct dirent **ents = NULL;
	const char *dir = policy_dir();
	char obj[OBJ_LEN], path[PATH_MAX];
	struct jw *w = NULL;
	int c, n = 0, ret, bad = 0, shown = 0;

	optind = 0;
	while ((c = cmd_getopt(argc, argv, NULL, "policy")) != -1) {
		if (c == 'h') {
			policy_help(stdout);
			return EXIT_OK;
		}
		return EXIT_USAGE;
	}
	if (optind < argc)
		return unexpected_arg(argv[optind], "policy");
	pol_obj(obj, sizeof(obj), dir);
	n = scandir(dir, &ents, is_policy_file, alphasort);
	if (n < 0) {
		if (errno == ENOENT)
			return p_err(EXIT_OTHER, obj,
				     "no such policy directory (set SWAPCTL_POLICY_DIR to the directory of the *%s files)",
				     POLICY_SUFFIX);
		return p_sys(obj, "cannot read the policy directory");
	}
	if (json_output) {
		w = json_start();
		if (!w) {
			ret = EXIT_SYSCALL;
			goto out;
		}
		jw_array_begin(w);
	}
	for (int i = 0; i < n; i++) {
		struct policy p;
		int len, err;

		len = snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (len < 0 || (size_t)len >= sizeof(path)) {
			bad = p_err(EXIT_OTHER, obj, "%s: path too long",
				    ents[i]->d_name);
			continue;
		}
		err = policy_open(&p, path, path);
		if (!err) {
			if (w) {
				list_json_one(w, &p);
			} else {
				if (shown)
					putchar('\n');
				list_text_one(&p);
			}
			shown++;
		} else if (!bad || err == EXIT_SYSCALL) {
			bad = err;
		}
		policy_close(&p);
	}
	if (w) {
		jw_array_end(w);
		jw_free(w);
	} else if (!n) {
		printf("no policies in %s\n", dir);
	}
	/* the objects that could not be read were reported, and fail it */
	ret = bad;
out:
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return ret;
}

/* ---------------------------------------------------- load / replace */

struct load_args {
	const char *arg;	/* OBJ or NAME */
	const char *cgroup;
	char **sets;
	size_t nr_sets;
	bool debug;
};

static int parse_load_args(int argc, char **argv, const char *cmd,
			   struct load_args *a)
{
	static const struct option opts[] = {
		{ "cgroup",	required_argument,	NULL, 'c' },
		{ "set",	required_argument,	NULL, 's' },
		{ "debug",	no_argument,		NULL, 'd' },
		{ NULL,		0,			NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->sets = calloc(argc, sizeof(*a->sets));
	if (!a->sets)
		return p_sys("policy", "cannot allocate memory");
	optind = 0;
	while ((c = cmd_getopt(argc, argv, opts, "policy")) != -1) {
		switch (c) {
		case 'c':
			a->cgroup = optarg;
			break;
		case 's':
			a->sets[a->nr_sets++] = optarg;
			break;
		case 'd':
			a->debug = true;
			break;
		case 'h':
			policy_help(stdout);
			return -1;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return p_err(EXIT_USAGE, cmd,
			     "missing OBJ or NAME (see '%s policy help' and '%s policy list')",
			     bin_name, bin_name);
	if (argc - optind > 1)
		return unexpected_arg(argv[optind + 1], "policy");
	a->arg = argv[optind];
	if (!*a->arg)
		return p_err(EXIT_USAGE, cmd, "empty OBJ or NAME");
	if (a->cgroup && !*a->cgroup)
		return p_err(EXIT_USAGE, "--cgroup", "empty PATH");
	return EXIT_OK;
}

/* 'policy load' and 'policy replace': the arguments, then policy_attach() */
static int load_cmd(int argc, char **argv, bool replace)
{
	struct load_args a;
	int ret;

	ret = parse_load_args(argc, argv,
			      replace ? "policy replace" : "policy load", &a);
	if (!ret) {
		struct policy_req r = {
			.what = a.arg, .cgroup = a.cgroup,
			.sets = a.sets, .nr_sets = a.nr_sets,
		};

		lblog.debug = a.debug;
		ret = policy_attach(&r, replace);
	}
	free(a.sets);
	return ret < 0 ? EXIT_OK : ret;
}

static int do_load(int argc, char **argv)
{
	return load_cmd(argc, argv, false);
}

static int do_replace(int argc, char **argv)
{
	return load_cmd(argc, argv, true);
}

/* ----------------------------------------------------------- detach */

static int do_detach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cgroup",	required_argument,	NULL, 'c' },
		{ "cgroup-id",	required_argument,	NULL, 'i' },
		{ "all",	no_argument,		NULL, 'a' },
		{ NULL,		0,			NULL, 0 },
	};
	const char *cgroup = NULL, *idarg = NULL;
	uint64_t id = 0;
	bool all = false;
	int c;

	optind = 0;
	while ((c = cmd_getopt(argc, argv, opts, "policy")) != -1) {
		switch (c) {
		case 'c':
			cgroup = optarg;
			break;
		case 'i':
			idarg = optarg;
			break;
		case 'a':
			all = true;
			break;
		case 'h':
			policy_help(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return unexpected_arg(argv[optind], "policy");
	if ((cgroup != NULL) + (idarg != NULL) + all > 1)
		return p_err(EXIT_USAGE, "policy detach",
			     "--cgroup, --cgroup-id and --all exclude each other");
	if (idarg) {
		if (parse_u64(idarg, &id) || !id)
			return p_err(EXIT_USAGE, "--cgroup-id",
				     "invalid cgroup id '%s' (a positive number, as 'policy show' prints it)",
				     idarg);
	}
	return policy_detach_targets(cgroup, id, all);
}

/* ------------------------------------------------------------- show */

static void cell_opt(char *buf, size_t len, const struct opt_u64 *v)
{
	if (v->valid)
		snprintf(buf, len, "%llu", (unsigned long long)v->val);
	else
		snprintf(buf, len, "-");
}

static void show_table(const struct attached *a, size_t nr)
{
	static const char *const head[] = {
		"CGROUP_ID", "NAME", "PLACE", "WRITEBACK", "TICK", "SWAPIN",
		"ERRORS", "LAST_ERROR",
	};
	enum { NCOLS = sizeof(head) / sizeof(head[0]) };
	char cell[NCOLS][64];
	int w[NCOLS], wt = 6;
	bool any_detached = false;

	if (!nr) {
		printf("no policies attached\n");
		return;
	}
	for (int c = 0; c < NCOLS; c++)
		w[c] = (int)strlen(head[c]);
	for (int pass = 0; pass < 2; pass++) {
		if (pass) {
			printf("%-*s", wt, "TARGET");
			for (int c = 0; c < NCOLS; c++)
				printf(" %*s", c == 1 || c == 7 ? -w[c] : w[c],
				       head[c]);
			printf(" PINNED\n");
		}
		for (size_t i = 0; i < nr; i++) {
			const struct attached *x = &a[i];
			const char *target = !x->cgroup_id ? "global" :
					     x->cgroup_path ? x->cgroup_path :
							      "(removed)";

			snprintf(cell[0], 64, "%llu",
				 (unsigned long long)x->cgroup_id);
			snprintf(cell[1], 64, "%s",
				 x->name ? x->name : "(detached)");
			for (int h = 0; h < NR_HOOKS; h++)
				cell_opt(cell[2 + h], 64, &x->calls[h]);
			cell_opt(cell[6], 64, &x->errors);
			if (x->has_last_error)
				snprintf(cell[7], 64, "%s %lld", x->last_hook,
					 x->last_value);
			else
				snprintf(cell[7], 64, "-");
			if (!pass) {
				if (escaped_width(target) > wt)
					wt = escaped_width(target);
				for (int c = 0; c < NCOLS; c++)
					if ((int)strlen(cell[c]) > w[c])
						w[c] = (int)strlen(cell[c]);
				continue;
			}
			any_detached |= !x->name;
			print_escaped(target, wt);
			for (int c = 0; c < NCOLS; c++)
				printf(" %*s", c == 1 || c == 7 ? -w[c] : w[c],
				       cell[c]);
			putchar(' ');
			print_escaped(x->pin ? x->pin : "-", 0);
			putchar('\n');
		}
	}
	if (any_detached)
		printf("\n(detached): the kernel detached the policy (its cgroup was removed?); remove the pin with '%s policy detach --cgroup-id ID'\n",
		       bin_name);
}

static void show_json(const struct attached *a, size_t nr)
{
	struct jw *w = json_start();

	if (!w)
		return;
	jw_array_begin(w);
	for (size_t i = 0; i < nr; i++) {
		const struct attached *x = &a[i];

		jw_object_begin(w);
		jw_attached_target(w, x);
		jw_field_bool(w, "detached", !x->name);
		jw_name(w, "calls");
		jw_object_begin(w);
		for (int h = 0; h < NR_HOOKS; h++) {
			if (x->calls[h].valid)
				jw_field_uint(w, policy_hook_names[h],
					      x->calls[h].val);
			else
				jw_field_null(w, policy_hook_names[h]);
		}
		jw_object_end(w);
		if (x->errors.valid)
			jw_field_uint(w, "errors", x->errors.val);
		else
			jw_field_null(w, "errors");
		jw_name(w, "last_error");
		if (x->has_last_error) {
			jw_object_begin(w);
			jw_field_string(w, "hook", x->last_hook);
			jw_field_int(w, "value", x->last_value);
			jw_object_end(w);
		} else {
			jw_null(w);
		}
		if (x->pin)
			jw_field_string(w, "pinned", x->pin);
		else
			jw_field_null(w, "pinned");
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_free(w);
}

/*
 * The arguments of show and stats: [--cgroup PATH], and with @name a
 * NAME too.  0, 1 after printing the help, or an EXIT_* code; *want is
 * the id of the cgroup PATH names.
 */
static int parse_show_args(int argc, char **argv, const char **name,
			   const char **cgroup, uint64_t *want, char *obj,
			   const char *cmd)
{
	static const struct option opts[] = {
		{ "cgroup",	required_argument,	NULL, 'c' },
		{ NULL,		0,			NULL, 0 },
	};
	int c;

	*cgroup = NULL;
	*want = 0;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, opts, "policy")) != -1) {
		switch (c) {
		case 'c':
			*cgroup = optarg;
			break;
		case 'h':
			policy_help(stdout);
			return 1;
		default:
			return EXIT_USAGE;
		}
	}
	if (name) {
		*name = optind < argc ? argv[optind++] : NULL;
	}
	if (optind < argc)
		return unexpected_arg(argv[optind], "policy");
	pol_obj(obj, OBJ_LEN, *cgroup ? *cgroup : cmd);
	if (*cgroup)
		return cgroup_id_of(*cgroup, obj, "--cgroup", want);
	return EXIT_OK;
}

static int do_show(int argc, char **argv)
{
	struct attached_list l = { 0 };
	const char *cgroup;
	uint64_t want;
	char obj[OBJ_LEN];
	int ret;

	ret = parse_show_args(argc, argv, NULL, &cgroup, &want, obj, "show");
	if (ret)
		return ret == 1 ? EXIT_OK : ret;
	ret = attached_read(&l, obj, true, cgroup != NULL, want);
	if (ret)
		goto out;
	if (json_output)
		show_json(l.a, l.nr);
	else
		show_table(l.a, l.nr);
	ret = EXIT_OK;
out:
	attached_list_free(&l);
	return ret;
}

static int do_stats(int argc, char **argv)
{
	const char *cgroup, *name;
	uint64_t want;
	char obj[OBJ_LEN];
	int ret;

	ret = parse_show_args(argc, argv, &name, &cgroup, &want, obj, "stats");
	if (ret)
		return ret == 1 ? EXIT_OK : ret;
	return policy_stats(name, cgroup, want, obj);
}

/* ------------------------------------------------------------------ */

int do_policy(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "list",	do_list },
		{ "load",	do_load },
		{ "replace",	do_replace },
		{ "detach",	do_detach },
		{ "show",	do_show },
		{ "stats",	do_stats },
		{ "help",	do_help },
		{ NULL,		NULL },
	};
	libbpf_print_fn_t old;
	int n = object_opts(argc, argv), ret;

	if (n < 0) {
		policy_help(stdout);
		return EXIT_OK;
	}
	old = lblog_begin();
	ret = cmd_select(cmds, "policy", argc - 1 - n, argv + 1 + n);
	lblog_end(old);
	return ret;
}
