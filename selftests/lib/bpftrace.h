/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: bpftrace(8) as a child of a test, and what the
 * project's scripts (the .bt files of tools/bpftrace) print.
 *
 * A test starts "bpftrace [OPTIONS] SCRIPT ARGS..." with st_bt_spawn():
 * standard input /dev/null, standard output and error to two files of its
 * own in a directory (the scratch file system), and
 * __BPFTRACE_NOTIFY_PROBES_ATTACHED set, so that bpftrace writes that word
 * to its standard error once every probe is attached; st_bt_wait_attached()
 * waits for it.  At the end st_bt_interrupt() stops it as Ctrl-C does
 * (SIGINT: the scripts print their totals and exit), and the output file
 * holds what it printed; st_bt_cleanup() (fixture teardown) kills what is
 * left and removes the files.  The harness-side wrappers, which fail the
 * test on an error, are st_bt_start() and st_bt_stop() in fixture.h.
 *
 * The parsers read the text bpftrace prints for maps: "@name[k1, k2]: N"
 * lines, histograms ("@name[k]: " then "[a, b)   N |@@@|" bucket lines),
 * and the scripts' own lines ("interval ..." and "totals" start a block).
 * None of this uses the kselftest harness.
 */
#ifndef SWAPTIER_SELFTEST_BPFTRACE_H
#define SWAPTIER_SELFTEST_BPFTRACE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* bpftrace compiles, loads and attaches slowly under QEMU TCG. */
#define ST_BT_START_S		240
/* ... and takes a while to print its maps and exit after SIGINT. */
#define ST_BT_STOP_S		60
/* SIGINT again after this long without an exit */
#define ST_BT_RESIGNAL_S	10
/* The most of its output st_bt_stop() reads. */
#define ST_BT_OUT_LEN		(256 << 10)

struct st_bt {
	pid_t pid;		/* the bpftrace child, -1: none running */
	char out[PATH_MAX];	/* its standard output, "" before a start */
	char err[PATH_MAX];	/* its standard error, "" before a start */
};

#define ST_BT_INIT { .pid = -1 }

/*
 * bpftrace in $PATH (the default path when it is unset): its absolute
 * path in buf and 0, or -ENOENT.
 */
int st_bt_find(char *buf, size_t len);

/*
 * Fork and exec argv (argv[0]: the path of bpftrace) as described above;
 * the output files are unique names in dir with tag in them.  Returns 0
 * (bt->pid set) or -errno.
 */
int st_bt_spawn(struct st_bt *bt, const char *dir, const char *tag,
		char *const argv[]);

/*
 * Wait up to timeout_s for bt to attach its probes; with attaching_line
 * also for its "Attaching N probes..." line on standard output first (a
 * script run with -B none prints it at once).  *t_attaching (if given)
 * gets the st_now() when that line was first seen, 0 if never.  Returns 0
 * once attached, -ECHILD if bpftrace exited (reaped, bt->pid -1, *status
 * its wait status) or -ETIMEDOUT.  Its standard error so far goes to err.
 */
int st_bt_wait_attached(struct st_bt *bt, unsigned int timeout_s,
			bool attaching_line, double *t_attaching, int *status,
			char *err, size_t errlen);

/*
 * SIGINT to bt and wait up to timeout_s for it to exit (then SIGKILL).
 * Returns 0 (*status: its wait status) or -ETIMEDOUT; bt->pid is -1 after.
 */
int st_bt_interrupt(struct st_bt *bt, unsigned int timeout_s, int *status);

/*
 * Teardown: SIGKILL a bpftrace still running (that detaches its probes),
 * reap it, and remove the output files.  false if it would not die.
 */
bool st_bt_cleanup(struct st_bt *bt);

/*
 * Value of the map line "KEY: N" (KEY as bpftrace prints it, e.g.
 * "@total_in[ssd, place]"); 0 when the map has no such entry (bpftrace
 * prints only entries that exist).  The last occurrence counts.
 */
long long st_bt_val(const char *text, const char *key);

/* Sum of the values of every map line "PREFIX...]: N" of text. */
long long st_bt_sum(const char *text, const char *prefix);

/* Is line a whole line of text (up to its end or a newline)? */
bool st_bt_line(const char *text, const char *line);

/*
 * Sum of the bucket counts of histogram key ("@swapin_us[ssd]"), -1 if
 * there is none.
 */
long long st_bt_hist_count(const char *text, const char *key);

/*
 * Is a map key printed twice within one block of output (blocks start at
 * "interval " and "totals" lines)?  A key split in two (bytes after a
 * string's NUL taken into the key) would spread one figure over several
 * lines.  Returns the first such line, or NULL.
 */
const char *st_bt_dup_key(const char *text);

/*
 * Log text as kselftest diagnostics, each line "# WHAT| LINE": its first
 * ST_BT_PRINT_HEAD lines (a sample of the live output) and everything from
 * the last "totals" line on.
 */
#define ST_BT_PRINT_HEAD	12
void st_bt_print(const char *what, const char *text);

#endif
