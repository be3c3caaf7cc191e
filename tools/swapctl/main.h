/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SWAPCTL_MAIN_H
#define SWAPCTL_MAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "json_writer.h"

/*
 * The sources, each depending only on those below it (a header is its
 * .c file's interface; an arrow is an #include and the calls behind it):
 *
 *   commands   main.c ghost.c status.c tier.c policy.c metrics.c top.c
 *              apply.c (-> conf.c/.h, its file format)
 *                  |  argument parsing and printing
 *                  v
 *   actions    tier_ops.h: tier_ops.c -> tiers.h
 *                          policy_ops.c -> policy_obj.h
 *                  |
 *                  v
 *   model      policy_stats.c/.h -> attached.h, policy_obj.h
 *              attached.c/.h  -> policy_obj.c/.h
 *              tiers.c/.h     -> swapinfo.c/.h
 *              policy_obj.c/.h, swapinfo.c/.h
 *                  |
 *                  v
 *   helpers    main.h: common.c, main.c's p_err() and option parsing,
 *              json_writer.c/.h
 *
 * Commands include what they use of the model and tier_ops.h; nothing
 * below includes a command's or an action's header, and no two modules
 * use each other.
 */

#ifndef SWAPCTL_VERSION
#define SWAPCTL_VERSION "0.1"
#endif

/* Exit status, swapoff(8) style; documented in swapctl.8. */
enum {
	EXIT_OK		= 0,
	EXIT_SYSCALL	= 4,	/* a system call failed */
	EXIT_OTHER	= 8,	/* bad input file, unexpected /proc or /sys data */
	EXIT_USAGE	= 16,	/* usage or syntax error */
	EXIT_STATE	= 32,	/* policy: the target already has a policy
				   (load), or has none (replace, detach), or
				   another replace changed it meanwhile */
	EXIT_INTERRUPTED = 64,	/* tier drain stopped by SIGINT or SIGTERM
				   (pages already moved stay moved) */
};

extern const char *bin_name;
extern bool json_output;
extern bool pretty_output;

struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
};

/*
 * Dispatch argv[0] to the matching entry of @cmds (a NULL-terminated table).
 * @object names the caller for error messages ("ghost").
 */
int cmd_select(const struct cmd *cmds, const char *object, int argc,
	       char **argv);

/*
 * Messages on stderr.  As text, "swapctl: OBJ: message" (OBJ may be NULL);
 * with -j (or -j anywhere on the command line, for errors found before it
 * is parsed) one JSON object per line instead, as bpftool does:
 * {"error":"OBJ: message"}, {"warning":...}, {"dry_run":"OBJ: dry run:
 * ..."}, so that stderr never mixes text with JSON.
 */
bool json_stderr(void);
/* Print an error and return @code. */
int p_err(int code, const char *obj, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, appending ": strerror(errno)" and returning EXIT_SYSCALL. */
int p_sys(const char *obj, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * A positional argument a command does not take: report it with the
 * command family's help to look at (@object NULL: the top-level help) and
 * return EXIT_USAGE.
 */
int unexpected_arg(const char *arg, const char *object);
/*
 * The arguments after the options of a command that takes none: nothing
 * (returns -1, go on), a lone "help" (prints @help, returns EXIT_OK), or
 * anything else (unexpected_arg(), EXIT_USAGE).
 */
int no_args(int argc, char **argv, void (*help)(FILE *f), const char *object);
/* A warning: the command goes on. */
void p_warn(const char *obj, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* SWAPCTL_DRY_RUN: what would be done ("swapctl: OBJ: dry run: ..."). */
void p_dry(const char *obj, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Set by main() when -j/-p appear anywhere in argv (see json_stderr()). */
extern bool json_hint;

/*
 * The test hooks SWAPCTL_SYSROOT, SWAPCTL_DRY_RUN and SWAPCTL_BPFFS: the
 * value of the environment variable @name (NULL when unset or empty) in a
 * test build (-DSWAPCTL_TEST_HOOKS, build/swapctl-test/swapctl), always
 * NULL in a production build, which must not be redirected by a stray
 * variable.
 */
#ifdef SWAPCTL_TEST_HOOKS
#define test_hook_build true
const char *test_hook(const char *name);
#else
#define test_hook_build false
static inline const char *test_hook(const char *name)
{
	(void)name;
	return NULL;
}
#endif

/*
 * Command-level option parsing, a getopt_long() wrapper.  Every command
 * accepts the global output options (-j, -p, -h) wherever they appear;
 * @extra (terminated by a zeroed entry) adds the command's own options,
 * with a short form when .val is alphanumeric.  Set optind = 0 before the
 * first call.  Options are permuted, so positional arguments are found at
 * argv[optind..argc) once it returns -1.  Returns the option's .val for
 * options of @extra, 'h' for help, -1 at the end, or CMD_OPT_ERROR after
 * reporting a usage error (the caller returns EXIT_USAGE).
 */
#define CMD_OPT_ERROR (-2)
struct option;
int cmd_getopt(int argc, char **argv, const struct option *extra,
	       const char *object);
/*
 * Consume global options (-j, -p, -h) placed between OBJECT and COMMAND.
 * Returns how many arguments after argv[0] were used, or -1 if help was
 * asked for.
 */
int object_opts(int argc, char **argv);
/* Start a JSON document on stdout honouring -p. */
struct jw *json_start(void);

/* common.c */
long page_size(void);
/*
 * @path, or @path under $SWAPCTL_SYSROOT in a test build (in @buf).  Always
 * use the returned pointer: @buf is not filled without a sysroot.
 */
const char *sys_path(const char *path, char *buf, size_t len);
/* Read a whole file; returns length or -errno.  *buf is NUL-terminated. */
ssize_t read_whole_file(const char *path, char **buf);
int parse_size(const char *arg, uint64_t *bytes);
int parse_u64(const char *s, uint64_t *v);
/*
 * A positive id in canonical decimal (no sign, no leading zero), as the
 * kernel and swapctl write them in file names; -EINVAL otherwise.
 */
int parse_id(const char *s, uint64_t *v);
/* "1.5G" (swapon style) */
void human_size(uint64_t bytes, char *buf, size_t len);
/* "64 MiB", "1.5 GiB" */
void iec_size(uint64_t bytes, char *buf, size_t len);
/* Exact, in the --size syntax: "1048580K", "64M", "5000" */
void exact_size(uint64_t bytes, char *buf, size_t len);
/*
 * SWAPCTL_DRY_RUN, a test hook (test builds only): "1" reports the system call on stderr
 * instead of making it and succeeds; an errno name (EINVAL, EBUSY, EPERM,
 * EACCES, ENOENT, EEXIST, EOPNOTSUPP) reports it and fails with that error.
 * Returns 0 when unset, 1 when set (*err: the errno to fail with, or 0),
 * -1 on a bad value (reported).
 */
int dry_run(int *err);
/* Decode \ooo escapes in place (the kernel's mangle_path()). */
void unescape_octal(char *s);
/*
 * Print a name on one table line: control characters and backslashes as
 * \ooo, padded with spaces to @width columns.  escaped_width() is the
 * number of columns it takes.
 */
void print_escaped(const char *name, int width);
int escaped_width(const char *name);

/* A figure the running kernel may not provide. */
struct opt_u64 {
	bool valid;
	uint64_t val;
};

/* A key parse_kv() looks for, and where its value goes. */
struct kv_want {
	const char *key;
	struct opt_u64 *out;
	bool kib;		/* value is followed by "kB" and scaled */
};

/*
 * Parse the "key<sep> value [kB]" lines of @buf (read from @path, named in
 * messages; modified) and fill the keys of @want.  Keys not in the file stay
 * unknown; a wanted key with a malformed value is an error (EXIT_OTHER).
 */
int parse_kv(const char *path, char *buf, char sep,
	     const struct kv_want *want, size_t nr_want);
/*
 * First cgroup2 mount point in /proc/self/mounts, or NULL; caller frees.
 * @sysroot: read it under SWAPCTL_SYSROOT (for what is read under it).
 */
char *cgroup2_mount(bool sysroot);

/*
 * ghost.c: write @len bytes of @buf at offset 0 of @fd (pwrite(2), EINTR
 * retried).  0, or -1 with errno set (EIO for a write of 0 bytes).
 */
int pwrite_full(int fd, const void *buf, size_t len);

/* objects */
int do_ghost(int argc, char **argv);
int do_metrics(int argc, char **argv);
int do_policy(int argc, char **argv);
int do_status(int argc, char **argv);
int do_tier(int argc, char **argv);
int do_top(int argc, char **argv);
int do_apply(int argc, char **argv);

#endif /* SWAPCTL_MAIN_H */
