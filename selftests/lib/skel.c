// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "skel.h"

static int print_warning(enum libbpf_print_level level, const char *fmt,
			 va_list ap)
{
	char buf[4096], *line, *next;

	if (level != LIBBPF_WARN)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (line = buf; *line; line = next) {
		next = strchrnul(line, '\n');
		printf("# libbpf: %.*s\n", (int)(next - line), line);
		if (*next)
			next++;
	}
	return 0;
}

void st_libbpf_print_warnings(void)
{
	libbpf_set_print(print_warning);
}
