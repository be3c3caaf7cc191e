/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: read the kernel log through /dev/kmsg.
 *
 * Usage: fd = kmsg_open_end() before the action, then kmsg_wait_for(fd, ...)
 * to look for a new record containing every given substring.
 */
#ifndef SWAPTIER_SELFTEST_KMSG_H
#define SWAPTIER_SELFTEST_KMSG_H

#include <stddef.h>

/* Open /dev/kmsg non-blocking and seek to the end.  fd or -errno. */
int kmsg_open_end(void);

/*
 * Append the message text of every record that arrived since the last
 * read to log (one line per record, "\n"-separated, NUL terminated,
 * truncated at loglen).  Returns the number of records read or -errno.
 */
int kmsg_read_new(int fd, char *log, size_t loglen);

/*
 * Poll for up to timeout_ms for a new record containing all n needles.
 * Every record read is appended to log (if given) for diagnostics.
 * Returns 1 if found (the record is copied to match), 0 if not, -errno.
 */
int kmsg_wait_for(int fd, const char *const *needles, int n, int timeout_ms,
		  char *match, size_t matchlen, char *log, size_t loglen);

/* Does any line of text contain all n needles?  Copies it to match. */
int kmsg_text_has(const char *text, const char *const *needles, int n,
		  char *match, size_t matchlen);

#endif
