// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpftrace.h"
#include "util.h"

#define BT_NOTIFY	"__BPFTRACE_NOTIFY_PROBES_ATTACHED"

int st_bt_find(char *buf, size_t len)
{
	const char *path = getenv("PATH");
	char dirs[4096], *dir, *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s",
		 path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, len, "%s/bpftrace", dir);
		if (!access(buf, X_OK))
			return 0;
	}
	return -ENOENT;
}

int st_bt_spawn(struct st_bt *bt, const char *dir, const char *tag,
		char *const argv[])
{
	pid_t pid;
	int fd, rc;

	rc = st_unique_path(bt->out, sizeof(bt->out), dir, tag, ".out");
	if (rc)
		return rc;
	rc = st_unique_path(bt->err, sizeof(bt->err), dir, tag, ".err");
	if (rc)
		return rc;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, 0);
		fd = open(bt->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			_exit(126);
		dup2(fd, 1);
		fd = open(bt->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			_exit(126);
		dup2(fd, 2);
		setenv(BT_NOTIFY, "1", 1);
		execv(argv[0], argv);
		_exit(127);
	}
	bt->pid = pid;
	return 0;
}

static bool file_has(const char *path, const char *what)
{
	static char buf[ST_BT_OUT_LEN];

	if (st_read_file(path, buf, sizeof(buf)) < 0)
		return false;
	return strstr(buf, what) != NULL;
}

static void read_err(const struct st_bt *bt, char *err, size_t errlen)
{
	if (!err || !errlen)
		return;
	err[0] = '\0';
	st_read_file(bt->err, err, errlen);
}

int st_bt_wait_attached(struct st_bt *bt, unsigned int timeout_s,
			bool attaching_line, double *t_attaching, int *status,
			char *err, size_t errlen)
{
	double t0 = st_now(), t_att = 0;
	int st = 0, rc;

	for (;;) {
		if (waitpid(bt->pid, &st, WNOHANG) == bt->pid) {
			bt->pid = -1;
			rc = -ECHILD;
			break;
		}
		if (attaching_line && !t_att && file_has(bt->out, "Attaching "))
			t_att = st_now();
		if ((!attaching_line || t_att) && file_has(bt->err, BT_NOTIFY)) {
			rc = 0;
			break;
		}
		if (st_now() - t0 > timeout_s) {
			rc = -ETIMEDOUT;
			break;
		}
		st_sleep_ms(250);
	}
	if (t_attaching)
		*t_attaching = t_att;
	if (status)
		*status = st;
	read_err(bt, err, errlen);
	return rc;
}

int st_bt_interrupt(struct st_bt *bt, unsigned int timeout_s, int *status)
{
	double t0 = st_now(), sent = t0;
	int st = 0, rc = 0;

	kill(bt->pid, SIGINT);
	while (waitpid(bt->pid, &st, WNOHANG) != bt->pid) {
		/*
		 * bpftrace only sets a flag on SIGINT, so sending it again is
		 * harmless; one CI run saw a SIGINT not acted on for 60 s
		 */
		if (st_now() - sent > ST_BT_RESIGNAL_S) {
			kill(bt->pid, SIGINT);
			sent = st_now();
		}
		if (st_now() - t0 > timeout_s) {
			kill(bt->pid, SIGKILL);
			waitpid(bt->pid, &st, 0);
			rc = -ETIMEDOUT;
			break;
		}
		st_sleep_ms(100);
	}
	bt->pid = -1;
	if (status)
		*status = st;
	return rc;
}

bool st_bt_cleanup(struct st_bt *bt)
{
	bool ok = true;

	if (bt->pid > 0)
		ok = st_kill_wait(bt->pid, 10);
	if (ok)
		bt->pid = -1;
	if (bt->out[0])
		unlink(bt->out);
	if (bt->err[0])
		unlink(bt->err);
	return ok;
}

/* ------------------------------------------------------------ parsers */

long long st_bt_val(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *p = text;
	long long v = 0;

	while ((p = strstr(p, key))) {
		if ((p == text || p[-1] == '\n') && !strncmp(p + kl, ": ", 2))
			v = strtoll(p + kl + 2, NULL, 10);
		p += kl;
	}
	return v;
}

long long st_bt_sum(const char *text, const char *prefix)
{
	size_t pl = strlen(prefix);
	const char *p = text, *c;
	long long v = 0;

	while ((p = strstr(p, prefix))) {
		if (p == text || p[-1] == '\n') {
			c = strstr(p, "]: ");
			if (c && c < strchrnul(p, '\n'))
				v += strtoll(c + 3, NULL, 10);
		}
		p += pl;
	}
	return v;
}

bool st_bt_line(const char *text, const char *line)
{
	size_t l = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[l] == '\n' || !p[l]))
			return true;
		p += l;
	}
	return false;
}

long long st_bt_hist_count(const char *text, const char *key)
{
	char head[128];
	const char *p;
	long long n = 0, c;

	snprintf(head, sizeof(head), "%s: \n", key);
	p = strstr(text, head);
	if (!p)
		return -1;
	p += strlen(head);
	while (*p == '[') {
		const char *e = strchr(p, ')');

		if (!e || sscanf(e + 1, "%lld", &c) != 1)
			break;
		n += c;
		p = strchrnul(p, '\n');
		if (*p)
			p++;
	}
	return n;
}

const char *st_bt_dup_key(const char *text)
{
	const char *blk = text, *p = text, *q, *nl, *qnl;
	size_t kl;

	for (; *p; p = *nl ? nl + 1 : nl) {
		nl = strchrnul(p, '\n');
		if (!strncmp(p, "interval ", 9) || !strncmp(p, "totals", 6)) {
			blk = p;
			continue;
		}
		if (*p != '@' || !(q = strstr(p, ": ")) || q > nl)
			continue;
		kl = (size_t)(q - p) + 2;
		for (q = blk; q < p; q = *qnl ? qnl + 1 : qnl) {
			qnl = strchrnul(q, '\n');
			if (!strncmp(q, p, kl))
				return p;
		}
	}
	return NULL;
}

void st_bt_print(const char *what, const char *text)
{
	const char *p = text, *nl, *tot = NULL, *t = text;
	int n = 0;

	while ((t = strstr(t, "totals\n"))) {
		if (t == text || t[-1] == '\n')
			tot = t;
		t++;
	}
	while (*p) {
		nl = strchrnul(p, '\n');
		if (tot && p < tot && n == ST_BT_PRINT_HEAD)
			printf("# %s| ...\n", what);
		if (nl > p && (!tot || p >= tot || n < ST_BT_PRINT_HEAD))
			printf("# %s| %.*s\n", what, (int)(nl - p), p);
		n++;
		p = *nl ? nl + 1 : nl;
	}
}
