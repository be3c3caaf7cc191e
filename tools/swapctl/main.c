// SPDX-License-Identifier: GPL-2.0-only
/*
 * swapctl - manage swaptier swap areas, tiers and policies.
 *
 * Grammar (as bpftool): swapctl [OPTIONS] OBJECT COMMAND [ARGS]
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "main.h"

const char *bin_name = "swapctl";
bool json_output;
bool pretty_output;

bool json_hint;

bool json_stderr(void)
{
	return json_output || json_hint;
}

/*
 * One message on stderr: "swapctl: [OBJ: ][PREFIX]TEXT[: strerror]" or, in
 * JSON, {"KEY":"[OBJ: ][PREFIX]TEXT[: strerror]"}.
 */
static void vp_msg(const char *key, const char *prefix, const char *obj,
		   const char *fmt, va_list ap, int errnum)
{
	char small[1024], *text = NULL;
	const char *t = small;
	va_list aq;
	int n;

	fflush(stdout);
	va_copy(aq, ap);
	n = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	/* long messages (a verifier log) whole, if there is memory */
	if (n >= (int)sizeof(small) && vasprintf(&text, fmt, ap) >= 0)
		t = text;
	if (!json_stderr()) {
		fprintf(stderr, "%s: ", bin_name);
		if (obj)
			fprintf(stderr, "%s: ", obj);
		fprintf(stderr, "%s%s", prefix, t);
		if (errnum)
			fprintf(stderr, ": %s", strerror(errnum));
		fputc('\n', stderr);
	} else {
		char *line = NULL;

		if (asprintf(&line, "%s%s%s%s%s%s", obj ? obj : "",
			     obj ? ": " : "", prefix, t, errnum ? ": " : "",
			     errnum ? strerror(errnum) : "") >= 0) {
			jw_message(stderr, key, line);
		} else {
			/* no memory: the message without the object */
			jw_message(stderr, key, t);
		}
		free(line);
	}
	free(text);
}

int p_err(int code, const char *obj, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vp_msg("error", "", obj, fmt, ap, 0);
	va_end(ap);
	return code;
}

int p_sys(const char *obj, const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vp_msg("error", "", obj, fmt, ap, errnum ? errnum : EIO);
	va_end(ap);
	return EXIT_SYSCALL;
}

int unexpected_arg(const char *arg, const char *object)
{
	return p_err(EXIT_USAGE, arg, "unexpected argument (see '%s %s%shelp')",
		     bin_name, object ? object : "", object ? " " : "");
}

int no_args(int argc, char **argv, void (*help)(FILE *f), const char *object)
{
	if (optind >= argc)
		return -1;
	if (!strcmp(argv[optind], "help") && argc - optind == 1) {
		help(stdout);
		return EXIT_OK;
	}
	return unexpected_arg(argv[optind], object);
}

void p_warn(const char *obj, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vp_msg("warning", "", obj, fmt, ap, 0);
	va_end(ap);
}

void p_dry(const char *obj, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vp_msg("dry_run", "dry run: ", obj, fmt, ap, 0);
	va_end(ap);
}

struct jw *json_start(void)
{
	struct jw *w = jw_new(stdout, pretty_output);

	if (!w)
		p_sys("json", "cannot allocate the JSON writer");
	return w;
}

int cmd_select(const struct cmd *cmds, const char *object, int argc,
	       char **argv)
{
	if (argc < 1) {
		if (!object)
			return p_err(EXIT_USAGE, NULL,
				     "missing OBJECT (see '%s help')",
				     bin_name);
		return p_err(EXIT_USAGE, object,
			     "missing COMMAND (see '%s %s help')",
			     bin_name, object);
	}
	for (const struct cmd *c = cmds; c->name; c++) {
		if (!strcmp(argv[0], c->name))
			return c->func(argc, argv);
	}
	if (!object)
		return p_err(EXIT_USAGE, argv[0],
			     "unknown object (see '%s help')", bin_name);
	return p_err(EXIT_USAGE, argv[0],
		     "unknown command for '%s' (see '%s %s help')",
		     object, bin_name, object);
}

/*
 * Report the option getopt_long() just rejected with '?'.  @hint is the
 * help command to point at.
 */
static int report_bad_option(int argc, char **argv, const char *hint)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	char bad[64];

	if (!strncmp(arg, "--", 2) && arg[2]) {
		snprintf(bad, sizeof(bad), "%.*s", (int)strcspn(arg, "="), arg);
		if (optopt && strchr(arg, '='))
			return p_err(EXIT_USAGE, bad,
				     "option takes no argument (see '%s')",
				     hint);
		if (!optopt)
			return p_err(EXIT_USAGE, bad,
				     "unknown option (see '%s')", hint);
	}
	snprintf(bad, sizeof(bad), "-%c", isprint(optopt) ? optopt : '?');
	return p_err(EXIT_USAGE, bad, "unknown option (see '%s')", hint);
}

#define MAX_CMD_OPTS 16

static const struct option global_cmd_opts[] = {
	{ "json",	no_argument,	NULL, 'j' },
	{ "pretty",	no_argument,	NULL, 'p' },
	{ "help",	no_argument,	NULL, 'h' },
};

#define NR_GLOBAL_CMD_OPTS \
	(sizeof(global_cmd_opts) / sizeof(global_cmd_opts[0]))

int object_opts(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return -1;
		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			json_output = true;
		} else if (!strcmp(a, "-p") || !strcmp(a, "--pretty")) {
			json_output = true;
			pretty_output = true;
		} else {
			break;
		}
	}
	return i - 1;
}

/* Name of the option whose short form or value is @val, for messages. */
static const char *opt_name(const struct option *opts, int val, char *buf,
			    size_t len)
{
	for (const struct option *o = opts; o->name; o++) {
		if (o->val == val) {
			snprintf(buf, len, "--%s", o->name);
			return buf;
		}
	}
	snprintf(buf, len, "-%c", isprint(val) ? val : '?');
	return buf;
}

int cmd_getopt(int argc, char **argv, const struct option *extra,
	       const char *object)
{
	struct option opts[MAX_CMD_OPTS + NR_GLOBAL_CMD_OPTS + 1];
	/* leading ':' so that a missing argument is told from an unknown option */
	char shortopts[3 * MAX_CMD_OPTS + 8] = ":jph";
	size_t n = 0, s = strlen(shortopts);
	char name[64], hint[64];
	int c;

	snprintf(hint, sizeof(hint), "%s %s help", bin_name, object);
	memset(opts, 0, sizeof(opts));
	for (const struct option *o = extra; o && o->name; o++) {
		if (n == MAX_CMD_OPTS)
			abort();	/* table too long: programming error */
		opts[n++] = *o;
		if (o->flag == NULL && o->val < 128 && isalnum(o->val)) {
			shortopts[s++] = (char)o->val;
			if (o->has_arg == required_argument)
				shortopts[s++] = ':';
			else if (o->has_arg == optional_argument) {
				shortopts[s++] = ':';
				shortopts[s++] = ':';
			}
		}
	}
	shortopts[s] = '\0';
	for (size_t i = 0; i < NR_GLOBAL_CMD_OPTS; i++)
		opts[n++] = global_cmd_opts[i];

	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, shortopts, opts, NULL);
		switch (c) {
		case 'j':
			json_output = true;
			continue;
		case 'p':
			json_output = true;
			pretty_output = true;
			continue;
		case ':':
			p_err(EXIT_USAGE,
			      opt_name(opts, optopt, name, sizeof(name)),
			      "option requires an argument (see '%s')", hint);
			return CMD_OPT_ERROR;
		case '?':
			report_bad_option(argc, argv, hint);
			return CMD_OPT_ERROR;
		default:
			return c;
		}
	}
}

static void print_version_text(void)
{
	printf("%s version %s%s\n", bin_name, SWAPCTL_VERSION,
	       test_hook_build ?
	       " (test build: honours SWAPCTL_SYSROOT, SWAPCTL_DRY_RUN, SWAPCTL_BPFFS)" :
	       "");
	printf("using libbpf %s\n", libbpf_version_string());
}

static int print_version(void)
{
	struct jw *w;

	if (!json_output) {
		print_version_text();
		return EXIT_OK;
	}
	w = json_start();
	if (!w)
		return EXIT_SYSCALL;
	jw_object_begin(w);
	jw_field_string(w, "version", SWAPCTL_VERSION);
	jw_field_string(w, "libbpf_version", libbpf_version_string());
	jw_object_end(w);
	jw_free(w);
	return EXIT_OK;
}

static void print_main_help(FILE *f)
{
	fprintf(f,
		"Usage: %1$s [OPTIONS] OBJECT { COMMAND | help }\n"
		"       %1$s help\n"
		"       %1$s version\n"
		"\n"
		"       OBJECT := { ghost | tier | policy | status | metrics | top | apply |\n"
		"                   version }\n"
		"       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-h|--help} |\n"
		"                    {-V|--version} }\n"
		"\n"
		"       %1$s ghost create PATH [--size SIZE] [--label LABEL] [--uuid UUID]\n"
		"                            [--force]\n"
		"       %1$s tier add { DEV | FILE } --tier NAME [--prio PRIO]\n"
		"       %1$s tier remove { DEV | FILE }\n"
		"       %1$s tier drain { DEV | FILE } [-q]\n"
		"       %1$s tier set NAME { --high PCT | --low PCT }... [--interval MS]\n"
		"       %1$s tier set --interval MS\n"
		"       %1$s tier list [--all] [-j]\n"
		"       %1$s policy list [-j]\n"
		"       %1$s policy load { OBJ | NAME } [--cgroup PATH] [--set KEY=VALUE]...\n"
		"       %1$s policy replace { OBJ | NAME } [--cgroup PATH] [--set KEY=VALUE]...\n"
		"       %1$s policy detach [--cgroup PATH | --cgroup-id ID | --all]\n"
		"       %1$s policy show [-j] [--cgroup PATH]\n"
		"       %1$s policy stats [NAME] [-j] [--cgroup PATH]\n"
		"       %1$s status [-j]\n"
		"       %1$s metrics [-o FILE]\n"
		"       %1$s top [--once] [--interval SECS] [--sort KEY] [--count N]\n"
		"                  [--cgroup PATH] [-j]\n"
		"       %1$s apply [--dry-run | --watch] [-j] FILE\n"
		"\n"
		"See '%1$s OBJECT help' and swapctl(8) for details.\n",
		bin_name);
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	print_main_help(stdout);
	return EXIT_OK;
}

static int do_version(int argc, char **argv)
{
	int c;

	optind = 0;
	while ((c = cmd_getopt(argc, argv, NULL, "version")) != -1) {
		if (c == 'h')
			return do_help(argc, argv);
		return EXIT_USAGE;
	}
	if (optind < argc)
		return unexpected_arg(argv[optind], NULL);
	return print_version();
}

static const struct cmd main_cmds[] = {
	{ "help",	do_help },
	{ "ghost",	do_ghost },
	{ "tier",	do_tier },
	{ "policy",	do_policy },
	{ "status",	do_status },
	{ "metrics",	do_metrics },
	{ "top",	do_top },
	{ "apply",	do_apply },
	{ "version",	do_version },
	{ NULL,		NULL },
};

/*
 * Is -j (or -p) anywhere on the command line?  Options may follow the
 * command, so a usage error can be found before getopt reaches them; its
 * message must be JSON all the same.  A bundle of short options counts
 * when all of them take no argument (-jp, -qj).  Only the format of error
 * messages depends on it.
 */
static bool argv_wants_json(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "--json") || !strcmp(a, "--pretty"))
			return true;
		if (a[0] != '-' || a[1] == '-' || !a[1])
			continue;
		if (strspn(a + 1, "jphqfadV") == strlen(a + 1) &&
		    strpbrk(a + 1, "jp"))
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",	no_argument,	NULL, 'j' },
		{ "pretty",	no_argument,	NULL, 'p' },
		{ "help",	no_argument,	NULL, 'h' },
		{ "version",	no_argument,	NULL, 'V' },
		{ NULL,		0,		NULL, 0 },
	};
	bool version = false;
	int c, ret;

	json_hint = argv_wants_json(argc, argv);
	opterr = 0;
	/* '+': stop at OBJECT; later options belong to the command */
	while ((c = getopt_long(argc, argv, "+:jphV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json_output = true;
			break;
		case 'p':
			json_output = true;
			pretty_output = true;
			break;
		case 'h':
			print_main_help(stdout);
			ret = EXIT_OK;
			goto out;
		case 'V':
			version = true;
			break;
		default:
			if (c == ':')
				ret = p_err(EXIT_USAGE, NULL,
					    "option requires an argument");
			else
				ret = report_bad_option(argc, argv,
							"swapctl help");
			goto out;
		}
	}

	if (version) {
		ret = print_version();
		goto out;
	}
	ret = cmd_select(main_cmds, NULL, argc - optind, argv + optind);
out:
	/* output that did not reach its destination is a failed command */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (ret == EXIT_OK)
			ret = p_sys("stdout", "write error");
	}
	return ret;
}
