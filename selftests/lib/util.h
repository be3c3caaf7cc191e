/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: small process/file utilities shared by the tests.
 */
#ifndef SWAPTIER_SELFTEST_UTIL_H
#define SWAPTIER_SELFTEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define ST_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ST_KiB 1024ULL
#define ST_MiB (1024ULL * 1024ULL)
#define ST_GiB (1024ULL * 1024ULL * 1024ULL)

/* Name prefix of every file and cgroup these tests create. */
#define ST_PREFIX "swaptier-selftest-"

size_t st_page_size(void);

/* Monotonic time in seconds. */
double st_now(void);
void st_sleep_ms(unsigned int ms);

/*
 * Read a whole (small) file into buf, NUL-terminated.
 * Returns the number of bytes read or -errno.
 */
ssize_t st_read_file(const char *path, char *buf, size_t len);

/*
 * Write val to path with a single write(2) (what sysfs/cgroupfs want).
 * Returns 0 or -errno (the errno of open or of write).
 */
int st_write_file(const char *path, const char *val);

/* Append printf-style text to the NUL-terminated buf of len bytes. */
void st_appendf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Strip trailing whitespace in place; returns s. */
char *st_rstrip(char *s);

/*
 * Make command output loggable on one TAP comment line: strip trailing
 * whitespace, replace newlines by " | ".  Works in place (the buffer must
 * have room: it is truncated at len).  Returns s.
 */
char *st_oneline(char *s, size_t len);

/*
 * Run argv (argv[0] searched in PATH) with stdin from /dev/null and
 * stdout+stderr captured into out (NUL-terminated, truncated to outlen).
 * The child is killed after timeout_s seconds.
 * Returns the exit status (0..255), 128+signal if killed by a signal,
 * or -1 if it could not be started or timed out (out says why).
 */
int st_run(char *const argv[], char *out, size_t outlen, int timeout_s);

/*
 * Create a unique path "<dir>/swaptier-selftest-<tag>-<pid>-<n><suffix>".
 * Does not create the file.  Returns 0 or -ENAMETOOLONG.
 */
int st_unique_path(char *out, size_t len, const char *dir, const char *tag,
		   const char *suffix);

/*
 * Pid embedded in a name made as above ("swaptier-selftest-<tag>-<pid>-<n>"
 * followed by an optional suffix without '-'), or 0 if name is not one.
 */
pid_t st_name_owner(const char *name);

/*
 * Was name made by a test process that is gone (not this process; exited,
 * or a zombie)?  Such files, cgroups and devices are left-overs to clean up.
 */
bool st_name_is_stale(const char *name);

/* Size of a file in bytes or -errno. */
long long st_file_size(const char *path);

/* The number a sysfs/debugfs file holds, or -1 if it cannot be read. */
long long st_read_ll(const char *path);

/* Is a /proc/<pid> entry present (process or zombie alive)? */
bool st_pid_alive(pid_t pid);

/*
 * SIGKILL pid (not necessarily our child) and wait up to timeout_s until it
 * has released its memory (gone, or a zombie).  true if it did.
 */
bool st_kill_wait(pid_t pid, int timeout_s);

/*
 * Like st_run(), with extra "NAME=value" strings (NULL terminated, may be
 * NULL) put into the child's environment.
 */
int st_run_env(char *const argv[], const char *const *env, char *out,
	       size_t outlen, int timeout_s);

#endif
