// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "policy.h"
#include "util.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

/* "<a>/<b>" into buf: 0, or -ENAMETOOLONG (buf truncated). */
static int join(char *buf, size_t len, const char *a, const char *b)
{
	int n = snprintf(buf, len, "%s/%s", a, b);

	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

bool pol_available(char *why, size_t len)
{
	struct stat st;

	if (stat(POL_SYSFS, &st) || !S_ISDIR(st.st_mode)) {
		if (why)
			snprintf(why, len,
				 "%s missing: kernel without BPF swap tiering policies",
				 POL_SYSFS);
		return false;
	}
	return true;
}

bool pol_bpffs_available(char *why, size_t len)
{
	struct statfs sfs;

	if (statfs(POL_BPFFS, &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		if (why)
			snprintf(why, len, "bpffs is not mounted at %s",
				 POL_BPFFS);
		return false;
	}
	return true;
}

void pol_target_name(unsigned long long id, char *buf, size_t len)
{
	if (id)
		snprintf(buf, len, "%llu", id);
	else
		snprintf(buf, len, "global");
}

static long long pol_file_ll(const char *dir, const char *file)
{
	char p[PATH_MAX], buf[64], *end;
	long long v;

	if (join(p, sizeof(p), dir, file) ||
	    st_read_file(p, buf, sizeof(buf)) <= 0)
		return -1;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf)
		return -1;
	return v;
}

static void pol_file_str(const char *dir, const char *file, char *out,
			 size_t len)
{
	char p[PATH_MAX];

	if (join(p, sizeof(p), dir, file) || st_read_file(p, out, len) < 0)
		out[0] = '\0';
	st_rstrip(out);
}

/* An integer file (all of it, one newline): 0, or -1 (missing, malformed). */
static int pol_file_int(const char *dir, const char *file, long long *v)
{
	char p[PATH_MAX], buf[64], *end;

	if (join(p, sizeof(p), dir, file) ||
	    st_read_file(p, buf, sizeof(buf)) <= 0)
		return -1;
	st_rstrip(buf);
	errno = 0;
	*v = strtoll(buf, &end, 10);
	return (errno || end == buf || *end) ? -1 : 0;
}

/*
 * last_error_hook and last_error.  The kernel stores the two one after the
 * other, and a policy may err again between our two reads: read the pair
 * twice, again while the readings differ (a few times at most), so that
 * the hook of one error is not paired with the value of another.
 */
static void pol_last_error_read(const char *dir, struct pol_stat *s)
{
	char hook2[sizeof(s->last_error_hook)];
	long long v = LLONG_MIN, v2 = LLONG_MIN;
	int ok = -1, ok2 = -1;

	for (int i = 0; i < 8; i++) {
		pol_file_str(dir, "last_error_hook", s->last_error_hook,
			     sizeof(s->last_error_hook));
		ok = pol_file_int(dir, "last_error", &v);
		pol_file_str(dir, "last_error_hook", hook2, sizeof(hook2));
		ok2 = pol_file_int(dir, "last_error", &v2);
		if (!strcmp(s->last_error_hook, hook2) && ok == ok2 &&
		    (ok || v == v2))
			break;
	}
	s->last_error_value = ok ? LLONG_MIN : v;
	if (!s->last_error_hook[0])
		s->last_error[0] = '\0';
	else if (!strcmp(s->last_error_hook, "none"))
		snprintf(s->last_error, sizeof(s->last_error), "none");
	else if (ok)
		snprintf(s->last_error, sizeof(s->last_error), "%s ?",
			 s->last_error_hook);
	else
		snprintf(s->last_error, sizeof(s->last_error), "%s %lld",
			 s->last_error_hook, v);
}

int pol_stat_read(unsigned long long id, struct pol_stat *s)
{
	char t[32], dir[PATH_MAX];
	struct stat st;

	memset(s, 0, sizeof(*s));
	pol_target_name(id, t, sizeof(t));
	if (join(dir, sizeof(dir), POL_SYSFS, t))
		return -ENAMETOOLONG;
	if (stat(dir, &st))
		return -errno;
	pol_file_str(dir, "name", s->name, sizeof(s->name));
	s->cgroup_id = pol_file_ll(dir, "cgroup_id");
	s->place = pol_file_ll(dir, "place_calls");
	s->writeback = pol_file_ll(dir, "writeback_calls");
	s->tick = pol_file_ll(dir, "tick_calls");
	s->swapin = pol_file_ll(dir, "swapin_calls");
	s->errors = pol_file_ll(dir, "errors");
	pol_last_error_read(dir, s);
	/* The directory went away while we read it. */
	if (stat(dir, &st))
		return -errno;
	return 0;
}

bool pol_attached(unsigned long long id)
{
	char t[32], dir[PATH_MAX];

	pol_target_name(id, t, sizeof(t));
	return !join(dir, sizeof(dir), POL_SYSFS, t) && access(dir, F_OK) == 0;
}

/* Entries of dir (not . and ..) into desc; with_name: "<e>=<e/name>". */
static int dir_list(const char *dir, bool with_name, char *desc, size_t len)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (desc && len)
		desc[0] = '\0';
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char name[64] = "";

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		if (!desc)
			continue;
		if (with_name) {
			char sub[PATH_MAX];

			if (join(sub, sizeof(sub), dir, de->d_name))
				continue;
			pol_file_str(sub, "name", name, sizeof(name));
			st_appendf(desc, len, "%s%s=%s", n > 1 ? " " : "",
				   de->d_name, name[0] ? name : "?");
		} else {
			st_appendf(desc, len, "%s%s", n > 1 ? " " : "",
				   de->d_name);
		}
	}
	closedir(d);
	return n;
}

int pol_list(char *desc, size_t len)
{
	return dir_list(POL_SYSFS, true, desc, len);
}

int pol_wait_detached(unsigned long long id, unsigned int timeout_ms)
{
	double deadline = st_now() + timeout_ms / 1000.0;

	while (pol_attached(id)) {
		if (st_now() > deadline)
			return -ETIMEDOUT;
		st_sleep_ms(50);
	}
	return 0;
}

int pol_wait_none(unsigned int timeout_ms, char *desc, size_t len)
{
	double deadline = st_now() + timeout_ms / 1000.0;

	while (pol_list(desc, len) > 0) {
		if (st_now() > deadline)
			return -ETIMEDOUT;
		st_sleep_ms(50);
	}
	return 0;
}

void pol_pin_path(unsigned long long id, char *buf, size_t len)
{
	if (id)
		snprintf(buf, len, "%s/cgroup-%llu", POL_PIN_DIR, id);
	else
		snprintf(buf, len, "%s/global", POL_PIN_DIR);
}

bool pol_pin_exists(unsigned long long id)
{
	char p[PATH_MAX];

	pol_pin_path(id, p, sizeof(p));
	return access(p, F_OK) == 0;
}

int pol_pins_list(char *desc, size_t len)
{
	return dir_list(POL_PIN_DIR, false, desc, len);
}

int pol_pins_remove_all(char *log, size_t len)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(POL_PIN_DIR);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char p[PATH_MAX];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (join(p, sizeof(p), POL_PIN_DIR, de->d_name))
			continue;
		if (unlink(p)) {
			st_appendf(log, len, "rm %s failed: %s; ", p,
				   strerror(errno));
			continue;
		}
		st_appendf(log, len, "rm %s; ", p);
		n++;
	}
	closedir(d);
	return n;
}

const char *pol_obj_dir(void)
{
	static char dir[PATH_MAX];
	const char *e = getenv("SWAPTIER_BPF");
	const char *swapctl = getenv("SWAPCTL");

	if (e && e[0]) {
		snprintf(dir, sizeof(dir), "%s", e);
	} else if (swapctl && strchr(swapctl, '/')) {
		char tmp[PATH_MAX], *slash;

		snprintf(tmp, sizeof(tmp), "%s", swapctl);
		slash = strrchr(tmp, '/');
		*slash = '\0';
		if (join(dir, sizeof(dir), tmp[0] ? tmp : "/", "../bpf"))
			snprintf(dir, sizeof(dir), "build/bpf");
	} else {
		snprintf(dir, sizeof(dir), "build/bpf");
	}
	return dir;
}

int pol_obj_path(const char *name, bool test, char *path, size_t len)
{
	char raw[PATH_MAX], real[PATH_MAX];

	snprintf(raw, sizeof(raw), "%s/%s%s.bpf.o", pol_obj_dir(),
		 test ? "test/" : "", name);
	if (!realpath(raw, real)) {
		snprintf(path, len, "%s", raw);
		return -ENOENT;
	}
	snprintf(path, len, "%s", real);
	return 0;
}

long long cg_id(const char *cg)
{
	struct stat st;

	if (stat(cg, &st))
		return -errno;
	return (long long)st.st_ino;
}

int cg_create_child(const char *parent, const char *name, char *path,
		    size_t len)
{
	int rc;

	rc = cg_write(parent, "cgroup.subtree_control", "+memory");
	if (rc)
		return rc;
	if (join(path, len, parent, name))
		return -ENAMETOOLONG;
	if (mkdir(path, 0755))
		return -errno;
	return 0;
}

int cg_destroy_tree(const char *cg)
{
	struct dirent *de;
	int err = 0, e;
	DIR *d;

	if (!cg || !cg[0])
		return 0;
	d = opendir(cg);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char sub[PATH_MAX];

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		if (join(sub, sizeof(sub), cg, de->d_name))
			continue;
		e = cg_destroy_tree(sub);
		if (e && !err)
			err = e;
	}
	closedir(d);
	e = cg_destroy(cg);
	return err ? err : e;
}

static int find_id(const char *dir, unsigned long long id, char *path,
		   size_t len, int depth)
{
	struct dirent *de;
	int rc = -ENOENT;
	DIR *d;

	if ((unsigned long long)cg_id(dir) == id) {
		snprintf(path, len, "%s", dir);
		return 0;
	}
	if (depth > 8)
		return -ENOENT;
	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while (rc && (de = readdir(d))) {
		char sub[PATH_MAX];

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		if (join(sub, sizeof(sub), dir, de->d_name))
			continue;
		rc = find_id(sub, id, path, len, depth + 1);
	}
	closedir(d);
	return rc;
}

int cg_path_of_id(unsigned long long id, char *path, size_t len)
{
	return find_id(CG_ROOT, id, path, len, 0);
}

/*
 * The start of struct bpf_link_info as of Linux 6.4, which the system's
 * older <linux/bpf.h> lacks: the per-type union is 8-byte aligned, and a
 * struct_ops link puts its map id first in it.
 */
struct link_info_head {
	__u32 type;
	__u32 id;
	__u32 prog_id;
	__u32 pad;
	__u32 struct_ops_map_id;
	__u32 rest[7];
} __attribute__((aligned(8)));

int bpf_link_map_fd(int link_fd)
{
	struct link_info_head info;
	union bpf_attr attr;
	int fd;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = link_fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (__u64)(unsigned long)&info;
	if (syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)))
		return -errno;
	if (info.type != BPF_LINK_TYPE_STRUCT_OPS || !info.struct_ops_map_id)
		return -EINVAL;
	memset(&attr, 0, sizeof(attr));
	attr.map_id = info.struct_ops_map_id;
	fd = (int)syscall(__NR_bpf, BPF_MAP_GET_FD_BY_ID, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

int bpf_link_update_map(int link_fd, int map_fd, int old_map_fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	/*
	 * new_map_fd and old_map_fd share unions with the prog fds; the
	 * system's older <linux/bpf.h> only names the latter.
	 */
	attr.link_update.link_fd = link_fd;
	attr.link_update.new_prog_fd = map_fd;
	if (old_map_fd >= 0) {
		attr.link_update.flags = BPF_F_REPLACE;
		attr.link_update.old_prog_fd = old_map_fd;
	}
	if (syscall(__NR_bpf, BPF_LINK_UPDATE, &attr, sizeof(attr)))
		return -errno;
	return 0;
}

/* Bytes of kind-specific data after a struct btf_type, or -1. */
static long btf_extra(__u32 info)
{
	unsigned int kind = (info >> 24) & 0x1f, vlen = info & 0xffff;

	switch (kind) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (long)vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return (long)vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return (long)vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_ENUM64:
		return (long)vlen * sizeof(struct btf_enum64);
	}
	return -1;
}

long long btf_vmlinux_find(const char *name, unsigned int kind)
{
	const char *path = "/sys/kernel/btf/vmlinux";
	long long size = st_file_size(path), ret = -ENOENT;
	const struct btf_header *h;
	const char *strs, *types;
	size_t off = 0, n = 0;
	unsigned char *buf;
	__u32 id = 1;
	FILE *f;

	if (size <= 0)
		return size < 0 ? size : -ENOENT;
	/* sysfs reports the size; read until EOF anyway */
	buf = malloc((size_t)size);
	if (!buf)
		return -ENOMEM;
	f = fopen(path, "rb");
	if (!f) {
		ret = -errno;
		free(buf);
		return ret;
	}
	n = fread(buf, 1, (size_t)size, f);
	fclose(f);
	h = (const struct btf_header *)buf;
	if (n < sizeof(*h) || h->magic != BTF_MAGIC ||
	    (size_t)h->hdr_len + h->type_off + h->type_len > n ||
	    (size_t)h->hdr_len + h->str_off + h->str_len > n) {
		free(buf);
		return -EINVAL;
	}
	types = (const char *)buf + h->hdr_len + h->type_off;
	strs = (const char *)buf + h->hdr_len + h->str_off;
	while (off + sizeof(struct btf_type) <= h->type_len) {
		const struct btf_type *t = (const void *)(types + off);
		long extra = btf_extra(t->info);

		if (extra < 0) {
			ret = -EINVAL;
			break;
		}
		if (((t->info >> 24) & 0x1f) == kind &&
		    t->name_off < h->str_len &&
		    !strcmp(strs + t->name_off, name)) {
			ret = id;
			break;
		}
		off += sizeof(*t) + (size_t)extra;
		id++;
	}
	free(buf);
	return ret;
}

int bpf_load_syscall_kfunc_prog(unsigned int kfunc_btf_id, char *log,
				size_t loglen)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .src_reg = BPF_PSEUDO_KFUNC_CALL,
		  .imm = (__s32)kfunc_btf_id },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	static const char license[] = "GPL";
	union bpf_attr attr;
	int fd;

	if (loglen)
		log[0] = '\0';
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SYSCALL;
	attr.prog_flags = BPF_F_SLEEPABLE;
	attr.insns = (__u64)(unsigned long)insns;
	attr.insn_cnt = ST_ARRAY_SIZE(insns);
	attr.license = (__u64)(unsigned long)license;
	attr.log_buf = (__u64)(unsigned long)log;
	attr.log_size = (__u32)loglen;
	attr.log_level = loglen ? 1 : 0;
	snprintf(attr.prog_name, sizeof(attr.prog_name), "st_kfunc_type");
	fd = (int)syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

static const int dropped_caps[] = { CAP_BPF, CAP_SYS_ADMIN, CAP_PERFMON };

static int drop_bpf_caps(char *why, size_t len)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	size_t i;

	for (i = 0; i < ST_ARRAY_SIZE(dropped_caps); i++) {
		if (prctl(PR_CAPBSET_DROP, dropped_caps[i], 0, 0, 0) &&
		    errno != EINVAL) {
			snprintf(why, len, "PR_CAPBSET_DROP %d: %s",
				 dropped_caps[i], strerror(errno));
			return -1;
		}
	}
	/* Ambient capabilities survive exec: none, please. */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (syscall(SYS_capget, &hdr, data)) {
		snprintf(why, len, "capget: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < ST_ARRAY_SIZE(dropped_caps); i++) {
		int c = dropped_caps[i];
		__u32 bit = 1U << (c % 32);

		data[c / 32].effective &= ~bit;
		data[c / 32].permitted &= ~bit;
		data[c / 32].inheritable &= ~bit;
	}
	if (syscall(SYS_capset, &hdr, data)) {
		snprintf(why, len, "capset: %s", strerror(errno));
		return -1;
	}
	return 0;
}

struct nocaps_result {
	int rc;
	char out[];
};

int st_run_without_bpf_caps(char *const argv[], char *out, size_t outlen,
			    int timeout_s)
{
	size_t sz = sizeof(struct nocaps_result) + outlen + 1;
	struct nocaps_result *r;
	int status, rc;
	pid_t pid;

	if (outlen)
		out[0] = '\0';
	r = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (r == MAP_FAILED) {
		snprintf(out, outlen, "mmap: %s", strerror(errno));
		return -1;
	}
	r->rc = -1;
	r->out[0] = '\0';
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(out, outlen, "fork: %s", strerror(errno));
		munmap(r, sz);
		return -1;
	}
	if (pid == 0) {
		if (drop_bpf_caps(r->out, outlen + 1))
			_exit(0);
		r->rc = st_run(argv, r->out, outlen + 1, timeout_s);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	rc = r->rc;
	snprintf(out, outlen, "%s", r->out);
	munmap(r, sz);
	return rc;
}

/* Remove the children of stale top-level swaptier-selftest-* cgroups. */
static int cg_cleanup_stale_children(void)
{
	struct dirent *de;
	int removed = 0;
	DIR *d = opendir(CG_ROOT);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct dirent *ce;
		char p[PATH_MAX];
		DIR *c;

		if (de->d_type != DT_DIR || !st_name_is_stale(de->d_name))
			continue;
		if (join(p, sizeof(p), CG_ROOT, de->d_name))
			continue;
		c = opendir(p);
		if (!c)
			continue;
		while ((ce = readdir(c))) {
			char sub[PATH_MAX];

			if (ce->d_type != DT_DIR || !strcmp(ce->d_name, ".") ||
			    !strcmp(ce->d_name, ".."))
				continue;
			if (join(sub, sizeof(sub), p, ce->d_name))
				continue;
			if (!cg_destroy_tree(sub))
				removed++;
		}
		closedir(c);
	}
	closedir(d);
	return removed;
}

int pol_recover(char *log, size_t len)
{
	int n, actions = 0;

	if (log && len)
		log[0] = '\0';
	n = pol_pins_remove_all(log, len);
	if (n > 0) {
		char desc[512];

		actions += n;
		if (pol_wait_none(5000, desc, sizeof(desc)))
			st_appendf(log, len,
				   "policies still attached after unpinning: %s; ",
				   desc);
	}
	n = cg_cleanup_stale_children();
	if (n > 0) {
		st_appendf(log, len, "removed %d child cgroup(s); ", n);
		actions += n;
	}
	return actions;
}
