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

#ifndef SWAPCTL_POLICY_DIR
#define SWAPCTL_POLICY_DIR "/usr/local/lib/swaptier/bpf"
#endif

#define POLICY_SUFFIX	".bpf.o"
#define OPS_TYPE	"swap_tier_ops"
#define OPS_KERN_VTYPE	"bpf_struct_ops_" OPS_TYPE
#define DESC_VAR	"swaptier_description"
#define TIER_SYSFS	"/sys/kernel/mm/swap_tier"
#define POLICY_SYSFS	TIER_SYSFS "/policies"
#define VMLINUX_BTF	"/sys/kernel/btf/vmlinux"
#define DEFAULT_BPFFS	"/sys/fs/bpf"
#define PIN_SUBDIR	"swaptier"
#define PIN_GLOBAL	"global"
#define PIN_CGROUP	"cgroup-"

/* map flag of SEC(".struct_ops.link") maps; an enum in <linux/bpf.h> */
#define MAP_F_LINK	(1U << 13)
/* the kernel's ENOTSUPP, which strerror() does not know */
#define ENOTSUPP_KERNEL	524

/* verifier log per program, and how much of its end is shown */
#define PROG_LOG_SIZE	(1U << 20)
#define LOG_TAIL_LINES	20

static void policy_help(FILE *f)
{
	fprintf(f,
		"Usage: %1$s policy list [-j [-p]]\n"
		"       %1$s policy load { OBJ | NAME } [--cgroup PATH] [--set KEY=VALUE]...\n"
		"       %1$s policy replace { OBJ | NAME } [--cgroup PATH] [--set KEY=VALUE]...\n"
		"       %1$s policy detach [--cgroup PATH | --cgroup-id ID | --all]\n"
		"       %1$s policy show [-j [-p]] [--cgroup PATH]\n"
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
		"attached policies with their counters.\n",
		bin_name, policy_dir(), DEFAULT_BPFFS, PIN_SUBDIR);
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	policy_help(stdout);
	return EXIT_OK;
}

const char *policy_dir(void)
{
	const char *d = getenv("SWAPCTL_POLICY_DIR");

	return d && *d ? d : SWAPCTL_POLICY_DIR;
}

/* ------------------------------------------------------ libbpf output */

/*
 * libbpf's messages are collected, not printed: an error names the last
 * one.  With --debug they go to stderr as they come, debug level included;
 * with -j too, one {"libbpf":"LINE"} per line (libbpf may print a line in
 * pieces: the start of one waits in @part).
 */
static struct {
	char *buf;
	size_t len, cap;
	bool debug;
	char part[1024];
	size_t part_len;
} lblog;

static void lblog_json_flush(void)
{
	if (!lblog.part_len)
		return;
	lblog.part[lblog.part_len] = '\0';
	fflush(stdout);
	jw_message(stderr, "libbpf", lblog.part);
	lblog.part_len = 0;
}

static int lblog_json(const char *fmt, va_list ap)
{
	char msg[4096];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);

	if (n < 0)
		return 0;
	for (const char *c = msg; *c; c++) {
		if (*c == '\n') {
			lblog_json_flush();
			continue;
		}
		if (lblog.part_len == sizeof(lblog.part) - 1)
			lblog_json_flush();	/* a long line, in pieces */
		lblog.part[lblog.part_len++] = *c;
	}
	return n;
}

static int lblog_print(enum libbpf_print_level level, const char *fmt,
		       va_list ap)
{
	va_list aq;
	int n;

	if (lblog.debug && json_stderr())
		return lblog_json(fmt, ap);
	if (lblog.debug) {
		fflush(stdout);
		return vfprintf(stderr, fmt, ap);
	}
	if (level == LIBBPF_DEBUG)
		return 0;
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n <= 0)
		return 0;
	if (lblog.len + n + 1 > lblog.cap) {
		size_t cap = lblog.cap ? lblog.cap : 4096;
		char *tmp;

		while (lblog.len + n + 1 > cap)
			cap *= 2;
		if (cap > (16U << 20))
			return 0;	/* keep what we have */
		tmp = realloc(lblog.buf, cap);
		if (!tmp)
			return 0;
		lblog.buf = tmp;
		lblog.cap = cap;
	}
	vsnprintf(lblog.buf + lblog.len, lblog.cap - lblog.len, fmt, ap);
	lblog.len += n;
	return n;
}

static void lblog_reset(void)
{
	lblog.len = 0;
	if (lblog.buf)
		lblog.buf[0] = '\0';
}

static void lblog_free(void)
{
	lblog_json_flush();
	free(lblog.buf);
	memset(&lblog, 0, sizeof(lblog));
}

/*
 * The last libbpf message that says more than "failed to load object",
 * without its "libbpf: " prefix and newline, in @buf; empty if none.
 */
static const char *lblog_last(char *buf, size_t len)
{
	const char *end, *start, *line;

	buf[0] = '\0';
	if (!lblog.len)
		return buf;
	end = lblog.buf + lblog.len;
	for (;;) {
		while (end > lblog.buf && end[-1] == '\n')
			end--;
		if (end == lblog.buf)
			return buf;
		line = end;
		while (line > lblog.buf && line[-1] != '\n')
			line--;
		start = line;
		if (!strncmp(start, "libbpf: ", 8))
			start += 8;
		if (strncmp(start, "failed to load object", 21))
			break;
		end = line;
	}
	snprintf(buf, len, "%.*s", (int)(end - start), start);
	return buf;
}

/* strerror() that knows the kernel's ENOTSUPP and libbpf's own errors */
static const char *err_str(int err)
{
	static char buf[128];

	if (err == ENOTSUPP_KERNEL)
		return "Operation not supported (ENOTSUPP)";
	if (err >= __LIBBPF_ERRNO__START && err < __LIBBPF_ERRNO__END &&
	    !libbpf_strerror(err, buf, sizeof(buf)))
		return buf;
	return strerror(err);
}

/* ------------------------------------------------------------- paths */

/*
 * The bpffs the pins go to; *override when SWAPCTL_BPFFS (a test hook)
 * chose it
 */
static const char *bpffs_root(bool *override)
{
	const char *d = test_hook("SWAPCTL_BPFFS");

	*override = d != NULL;
	return *override ? d : DEFAULT_BPFFS;
}

struct target {
	uint64_t cgroup_id;	/* 0: global */
	char desc[PATH_MAX + 32];	/* "global", "cgroup PATH", "cgroup id N" */
	char pin[PATH_MAX + 32];	/* the link's pin */
	char pin_dir[PATH_MAX];
	char sysfs[PATH_MAX];	/* the kernel's directory for it */
	const char *path;	/* --cgroup PATH, or NULL */
};

static int target_init(struct target *t, uint64_t id, const char *path,
		       const char *obj)
{
	char pbuf[PATH_MAX], name[32];
	const char *root, *sysfs;
	bool override;
	int n;

	memset(t, 0, sizeof(*t));
	t->cgroup_id = id;
	t->path = path;
	if (!id)
		snprintf(t->desc, sizeof(t->desc), "global");
	else if (path)
		snprintf(t->desc, sizeof(t->desc), "cgroup %s", path);
	else
		snprintf(t->desc, sizeof(t->desc), "cgroup id %llu",
			 (unsigned long long)id);
	root = bpffs_root(&override);
	if (id)
		snprintf(name, sizeof(name), PIN_CGROUP "%llu",
			 (unsigned long long)id);
	else
		snprintf(name, sizeof(name), PIN_GLOBAL);
	n = snprintf(t->pin_dir, sizeof(t->pin_dir), "%s/" PIN_SUBDIR, root);
	if (n < 0 || (size_t)n >= sizeof(t->pin_dir))
		return p_err(EXIT_OTHER, obj, "%s: path too long", root);
	snprintf(t->pin, sizeof(t->pin), "%s/%s", t->pin_dir, name);
	if (id)
		snprintf(name, sizeof(name), "%llu", (unsigned long long)id);
	else
		snprintf(name, sizeof(name), PIN_GLOBAL);
	sysfs = sys_path(POLICY_SYSFS, pbuf, sizeof(pbuf));
	n = snprintf(t->sysfs, sizeof(t->sysfs), "%s/%s", sysfs, name);
	if (n < 0 || (size_t)n >= sizeof(t->sysfs))
		return p_err(EXIT_OTHER, obj, "%s: path too long", sysfs);
	return EXIT_OK;
}

/* "policy: LABEL", the OBJECT part of every message */
static const char *pol_obj(char *buf, size_t len, const char *label)
{
	snprintf(buf, len, "policy: %s", label);
	return buf;
}

#define OBJ_LEN (PATH_MAX + 48)

/* what EPERM stopped: "attaching" (load), "replacing", "detaching" */
static const char *caps_verb = "attaching";

static int need_caps(const char *obj, const char *what, int err)
{
	return p_err(EXIT_SYSCALL, obj,
		     "%s: %s: %s a policy needs CAP_BPF and CAP_SYS_ADMIN (run as root)",
		     what, err_str(err), caps_verb);
}

/*
 * bpffs must be mounted where the pins go.  SWAPCTL_BPFFS (a test hook) is
 * taken as it is.
 */
static int check_bpffs(const char *obj)
{
	struct statfs sf;
	bool override;
	const char *root = bpffs_root(&override);
	int err;

	if (override)
		return EXIT_OK;
	if (statfs(root, &sf) == 0) {
		/* errno means nothing after a success */
		if (sf.f_type == BPF_FS_MAGIC)
			return EXIT_OK;
		return p_err(EXIT_OTHER, obj,
			     "%s is not a BPF file system (f_type 0x%llx): mount it with 'mount -t bpf bpf %s'",
			     root, (unsigned long long)sf.f_type, root);
	}
	err = errno;
	if (err == EACCES || err == EPERM)
		return need_caps(obj, root, err);
	return p_err(EXIT_OTHER, obj,
		     "bpffs is not mounted at %s (%s): mount it with 'mount -t bpf bpf %s'",
		     root, strerror(err), root);
}

/* Is the pin there?  1, 0, or -EXIT code after the message. */
static int pin_exists(const struct target *t, const char *obj)
{
	struct stat st;

	if (lstat(t->pin, &st) == 0)
		return 1;
	if (errno == ENOENT || errno == ENOTDIR)
		return 0;
	if (errno == EACCES || errno == EPERM)
		return -need_caps(obj, t->pin, errno);
	return -p_sys(obj, "%s: cannot access", t->pin);
}

/*
 * One line of a sysfs file, newline removed; NULL if it cannot be read.
 * The caller frees it.
 */
static char *read_line(const char *dir, const char *file)
{
	char path[PATH_MAX], *buf = NULL;
	ssize_t len;
	int n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (n < 0 || (size_t)n >= sizeof(path))
		return NULL;
	len = read_whole_file(path, &buf);
	if (len < 0)
		return NULL;
	if (memchr(buf, '\0', len)) {
		free(buf);
		return NULL;
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* ------------------------------------------------------------ cgroups */

/*
 * The cgroup id of the cgroup v2 directory @path: its inode number.
 * @what names the argument in messages ("--cgroup", "--set KEY").
 */
static int cgroup_id_of(const char *path, const char *obj, const char *what,
			uint64_t *id)
{
	struct statfs sf;
	struct stat st;
	char *mnt;
	int ret;

	if (stat(path, &st))
		return p_sys(obj, "%s %s: cannot access", what, path);
	if (!S_ISDIR(st.st_mode))
		return p_err(EXIT_OTHER, obj,
			     "%s %s: not a directory (give the directory of a cgroup in the cgroup v2 hierarchy)",
			     what, path);
	if (statfs(path, &sf))
		return p_sys(obj, "%s %s: cannot access", what, path);
	if (sf.f_type == CGROUP2_SUPER_MAGIC) {
		*id = (uint64_t)st.st_ino;
		return EXIT_OK;
	}
	mnt = cgroup2_mount(false);
	if (sf.f_type == CGROUP_SUPER_MAGIC)
		ret = p_err(EXIT_OTHER, obj,
			    "%s %s: a cgroup v1 directory; policies attach to cgroup v2 cgroups (%s%s)",
			    what, path,
			    mnt ? "the cgroup v2 hierarchy is mounted at " :
				  "no cgroup v2 hierarchy is mounted",
			    mnt ? mnt : "");
	else
		ret = p_err(EXIT_OTHER, obj,
			    "%s %s: not a cgroup v2 directory (not on a cgroup2 file system%s%s)",
			    what, path,
			    mnt ? "; the cgroup v2 hierarchy is mounted at " : "",
			    mnt ? mnt : "");
	free(mnt);
	return ret;
}

/* cgroup paths by id, found by walking the cgroup v2 hierarchy */
struct cg_find {
	uint64_t *ids;
	char **paths;		/* result per id, NULL: not found */
	size_t nr, left;
	size_t skip;		/* bytes of SWAPCTL_SYSROOT to drop */
};

static struct cg_find *cg_walk;

static int cg_visit(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)ftw;
	if (flag != FTW_D)
		return 0;
	for (size_t i = 0; i < cg_walk->nr; i++) {
		if (cg_walk->paths[i] || cg_walk->ids[i] != (uint64_t)st->st_ino)
			continue;
		cg_walk->paths[i] = strdup(path + cg_walk->skip);
		if (cg_walk->paths[i] && --cg_walk->left == 0)
			return 1;	/* all found */
	}
	return 0;
}

/* Fill f->paths; ids not found (or no hierarchy) stay NULL. */
static void cgroup_paths(struct cg_find *f)
{
	char pbuf[PATH_MAX], *mnt = cgroup2_mount(true);
	const char *root;

	f->left = f->nr;
	if (!mnt || !f->nr)
		goto out;
	root = sys_path(mnt, pbuf, sizeof(pbuf));
	f->skip = strlen(root) - strlen(mnt);
	cg_walk = f;
	nftw(root, cg_visit, 32, FTW_PHYS | FTW_MOUNT);
	cg_walk = NULL;
out:
	free(mnt);
}

/* ---------------------------------------------------------- objects */

enum var_kind {
	VK_INT,
	VK_BOOL,
	VK_STR,		/* char array */
	VK_OTHER,	/* listed, cannot be set */
};

struct tunable {
	const char *name;	/* in the object's BTF */
	enum var_kind kind;
	unsigned int size;	/* one element, bytes */
	bool is_signed;
	bool array;
	unsigned int nelems;	/* 1 for scalars */
	size_t off;		/* in .rodata */
	char type[96];		/* "u32", "u64[8]", "char[16]", "struct x" */
};

struct policy {
	const char *label;	/* as given, for messages */
	char obj[OBJ_LEN];	/* "policy: LABEL" */
	char *path;
	char *name;		/* file name without .bpf.o */
	struct bpf_object *bobj;
	const struct btf *btf;
	/* .rodata */
	void *ro;
	size_t ro_size;
	const char *desc;	/* NUL-terminated inside ro, or NULL */
	struct tunable *tun;
	size_t nr_tun;
	/* the struct_ops map */
	struct bpf_map *ops;
	__u32 ops_type_id;
	void *ops_data;		/* the object's struct swap_tier_ops */
	size_t ops_size;
	char **logs;		/* per program, while loading */
	size_t nr_logs;
};

static void policy_close(struct policy *p)
{
	for (size_t i = 0; i < p->nr_logs; i++)
		free(p->logs[i]);
	free(p->logs);
	bpf_object__close(p->bobj);
	free(p->tun);
	free(p->path);
	free(p->name);
	memset(p, 0, sizeof(*p));
}

static const char *int_type_name(unsigned int size, bool is_signed)
{
	switch (size) {
	case 1: return is_signed ? "s8" : "u8";
	case 2: return is_signed ? "s16" : "u16";
	case 4: return is_signed ? "s32" : "u32";
	case 8: return is_signed ? "s64" : "u64";
	}
	return NULL;
}

/* An int-like element type: kind, size, signedness, name. */
static bool scalar_type(const struct btf *btf, const struct btf_type *tp,
			struct tunable *t, const char **tname)
{
	const char *name = btf__name_by_offset(btf, tp->name_off);

	if (btf_is_int(tp)) {
		__u8 enc = btf_int_encoding(tp);

		if (btf_int_offset(tp) || btf_int_bits(tp) != tp->size * 8)
			return false;
		t->size = tp->size;
		if (enc & BTF_INT_BOOL) {
			t->kind = VK_BOOL;
			*tname = "bool";
			return tp->size == 1;
		}
		t->kind = VK_INT;
		t->is_signed = enc & BTF_INT_SIGNED;
		if ((enc & BTF_INT_CHAR) || (name && !strcmp(name, "char"))) {
			*tname = "char";
			return tp->size == 1;
		}
		*tname = int_type_name(tp->size, t->is_signed);
		return *tname != NULL;
	}
	if (btf_is_enum(tp) || btf_is_enum64(tp)) {
		t->kind = VK_INT;
		t->size = tp->size;
		t->is_signed = btf_kflag(tp);
		*tname = int_type_name(tp->size, t->is_signed);
		return *tname != NULL;
	}
	return false;
}

/* Describe the variable of type @type_id as a tunable. */
static void classify(const struct btf *btf, __u32 type_id, struct tunable *t)
{
	const struct btf_type *tp, *et;
	const char *tname, *name;
	int id;

	t->kind = VK_OTHER;
	t->nelems = 1;
	id = btf__resolve_type(btf, type_id);
	tp = id < 0 ? NULL : btf__type_by_id(btf, id);
	if (!tp) {
		snprintf(t->type, sizeof(t->type), "unknown");
		return;
	}
	if (scalar_type(btf, tp, t, &tname)) {
		snprintf(t->type, sizeof(t->type), "%s", tname);
		return;
	}
	if (btf_is_array(tp)) {
		const struct btf_array *arr = btf_array(tp);

		id = btf__resolve_type(btf, arr->type);
		et = id < 0 ? NULL : btf__type_by_id(btf, id);
		if (et && arr->nelems && scalar_type(btf, et, t, &tname)) {
			t->array = true;
			t->nelems = arr->nelems;
			if (!strcmp(tname, "char"))
				t->kind = VK_STR;
			snprintf(t->type, sizeof(t->type), "%s[%u]", tname,
				 arr->nelems);
			return;
		}
		t->kind = VK_OTHER;
		t->nelems = 1;
		snprintf(t->type, sizeof(t->type), "array");
		return;
	}
	t->kind = VK_OTHER;
	name = btf__name_by_offset(btf, tp->name_off);
	if (btf_is_struct(tp) || btf_is_union(tp))
		snprintf(t->type, sizeof(t->type), "%s %s",
			 btf_is_struct(tp) ? "struct" : "union",
			 name && *name ? name : "(anon)");
	else if (btf_is_ptr(tp))
		snprintf(t->type, sizeof(t->type), "pointer");
	else if (btf_is_float(tp))
		snprintf(t->type, sizeof(t->type), "float");
	else
		snprintf(t->type, sizeof(t->type), "%s", name && *name ? name : "unknown");
}

/* Walk the .rodata DATASEC: the description and the tunables. */
static int read_rodata(struct policy *p)
{
	const struct btf_var_secinfo *vsi;
	const struct btf_type *sec;
	struct bpf_map *map;
	int sec_id;
	__u16 vlen;

	sec_id = btf__find_by_name_kind(p->btf, ".rodata", BTF_KIND_DATASEC);
	if (sec_id < 0)
		return EXIT_OK;		/* no tunables, no description */
	map = bpf_object__find_map_by_name(p->bobj, ".rodata");
	if (map)
		p->ro = bpf_map__initial_value(map, &p->ro_size);
	if (!p->ro)
		return p_err(EXIT_OTHER, p->obj,
			     "has .rodata variables but libbpf made no .rodata map of them");
	sec = btf__type_by_id(p->btf, sec_id);
	vlen = btf_vlen(sec);
	p->tun = calloc(vlen ? vlen : 1, sizeof(*p->tun));
	if (!p->tun)
		return p_sys(p->obj, "cannot allocate memory");
	vsi = btf_var_secinfos(sec);
	for (__u16 i = 0; i < vlen; i++, vsi++) {
		const struct btf_type *var = btf__type_by_id(p->btf, vsi->type);
		struct tunable *t = &p->tun[p->nr_tun];
		const char *name;

		if (!var || !btf_is_var(var))
			continue;
		if (btf_var(var)->linkage == BTF_VAR_STATIC)
			continue;	/* static and compiler-made: not exposed */
		name = btf__name_by_offset(p->btf, var->name_off);
		if (!name || !*name)
			continue;
		if ((size_t)vsi->offset + vsi->size > p->ro_size)
			return p_err(EXIT_OTHER, p->obj,
				     ".rodata variable %s lies outside the section",
				     name);
		if (!strcmp(name, DESC_VAR)) {
			const char *s = (const char *)p->ro + vsi->offset;

			if (vsi->size && memchr(s, '\0', vsi->size))
				p->desc = s;
			continue;
		}
		memset(t, 0, sizeof(*t));
		t->name = name;
		t->off = vsi->offset;
		classify(p->btf, var->type, t);
		if (t->kind != VK_OTHER &&
		    (size_t)t->size * t->nelems != vsi->size) {
			t->kind = VK_OTHER;
			t->array = false;
			t->nelems = 1;
		}
		p->nr_tun++;
	}
	return EXIT_OK;
}

/* The one struct_ops map, which must be a swap_tier_ops with a link. */
static int find_ops(struct policy *p)
{
	const struct btf_type *tp;
	struct bpf_map *map;
	const char *tname;
	int n = 0;

	bpf_object__for_each_map(map, p->bobj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		p->ops = map;
		n++;
	}
	if (!n)
		return p_err(EXIT_OTHER, p->obj,
			     "not a swaptier policy: no struct_ops map (a struct %s variable in SEC(\".struct_ops.link\"))",
			     OPS_TYPE);
	if (n > 1)
		return p_err(EXIT_OTHER, p->obj,
			     "has %d struct_ops maps; a policy has exactly one",
			     n);
	p->ops_type_id = bpf_map__btf_value_type_id(p->ops);
	tp = btf__type_by_id(p->btf, p->ops_type_id);
	tname = tp ? btf__name_by_offset(p->btf, tp->name_off) : NULL;
	if (!tp || !btf_is_struct(tp) || !tname || strcmp(tname, OPS_TYPE))
		return p_err(EXIT_OTHER, p->obj,
			     "struct_ops map %s is a struct %s, not a struct %s",
			     bpf_map__name(p->ops), tname ? tname : "?",
			     OPS_TYPE);
	if (!(bpf_map__map_flags(p->ops) & MAP_F_LINK))
		return p_err(EXIT_OTHER, p->obj,
			     "struct_ops map %s is in SEC(\".struct_ops\"); swapctl needs SEC(\".struct_ops.link\") to pin and replace its link",
			     bpf_map__name(p->ops));
	p->ops_data = bpf_map__initial_value(p->ops, &p->ops_size);
	if (!p->ops_data || p->ops_size < tp->size)
		return p_err(EXIT_OTHER, p->obj,
			     "struct_ops map %s has no initial value",
			     bpf_map__name(p->ops));
	p->ops_size = tp->size;
	return EXIT_OK;
}

/* Open (not load) the object at @path. */
static int policy_open(struct policy *p, const char *path, const char *label)
{
	const char *base = strrchr(path, '/');
	char msg[256];
	size_t n;
	int err;

	memset(p, 0, sizeof(*p));
	p->label = label;
	pol_obj(p->obj, sizeof(p->obj), label);
	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > strlen(POLICY_SUFFIX) &&
	    !strcmp(base + n - strlen(POLICY_SUFFIX), POLICY_SUFFIX))
		n -= strlen(POLICY_SUFFIX);
	else if (n > 2 && !strcmp(base + n - 2, ".o"))
		n -= 2;
	p->path = strdup(path);
	p->name = strndup(base, n);
	if (!p->path || !p->name)
		return p_sys(p->obj, "cannot allocate memory");

	lblog_reset();
	p->bobj = bpf_object__open_file(path, NULL);
	if (!p->bobj) {
		err = errno;
		p->bobj = NULL;
		if (err == ENOMEM)
			return p_sys(p->obj, "cannot open %s", path);
		lblog_last(msg, sizeof(msg));
		return p_err(EXIT_OTHER, p->obj,
			     "not a BPF object file (libbpf: %s)",
			     *msg ? msg : err_str(err));
	}
	p->btf = bpf_object__btf(p->bobj);
	if (!p->btf)
		return p_err(EXIT_OTHER, p->obj,
			     "no BTF in the object (build it with clang -g)");
	err = find_ops(p);
	if (err)
		return err;
	return read_rodata(p);
}

/* ------------------------------------------------------------ values */

static void elem_get(const struct tunable *t, const void *base, unsigned int i,
		     uint64_t *u, int64_t *s)
{
	const unsigned char *p = (const unsigned char *)base + t->off +
				 (size_t)i * t->size;
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (t->size) {
	case 1:
		memcpy(&v8, p, 1);
		*u = v8;
		*s = (int8_t)v8;
		break;
	case 2:
		memcpy(&v16, p, 2);
		*u = v16;
		*s = (int16_t)v16;
		break;
	case 4:
		memcpy(&v32, p, 4);
		*u = v32;
		*s = (int32_t)v32;
		break;
	default:
		memcpy(&v64, p, 8);
		*u = v64;
		*s = (int64_t)v64;
		break;
	}
}

static void elem_put(unsigned int size, void *p, uint64_t v)
{
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	switch (size) {
	case 1:
		memcpy(p, &v8, 1);
		break;
	case 2:
		memcpy(p, &v16, 2);
		break;
	case 4:
		memcpy(p, &v32, 4);
		break;
	default:
		memcpy(p, &v, 8);
		break;
	}
}

/* A value as "--set" takes it: 42, -1, true, 1,2,3, text. */
static void print_value(FILE *f, const struct tunable *t, const void *ro)
{
	uint64_t u;
	int64_t s;

	if (t->kind == VK_OTHER) {
		fputs("-", f);
		return;
	}
	if (t->kind == VK_STR) {
		const char *str = (const char *)ro + t->off;

		fprintf(f, "%.*s", (int)strnlen(str, t->nelems), str);
		return;
	}
	for (unsigned int i = 0; i < t->nelems; i++) {
		elem_get(t, ro, i, &u, &s);
		if (i)
			fputc(',', f);
		if (t->kind == VK_BOOL)
			fputs(u ? "true" : "false", f);
		else if (t->is_signed)
			fprintf(f, "%lld", (long long)s);
		else
			fprintf(f, "%llu", (unsigned long long)u);
	}
}

static void jw_value(struct jw *w, const struct tunable *t, const void *ro)
{
	uint64_t u;
	int64_t s;

	if (t->kind == VK_OTHER) {
		jw_null(w);
		return;
	}
	if (t->kind == VK_STR) {
		const char *str = (const char *)ro + t->off;

		jw_string_len(w, str, strnlen(str, t->nelems));
		return;
	}
	if (t->array)
		jw_array_begin(w);
	for (unsigned int i = 0; i < t->nelems; i++) {
		elem_get(t, ro, i, &u, &s);
		if (t->kind == VK_BOOL)
			jw_bool(w, u != 0);
		else if (t->is_signed)
			jw_int(w, s);
		else
			jw_uint(w, u);
	}
	if (t->array)
		jw_array_end(w);
}

static void jw_tunables(struct jw *w, const struct policy *p, const char *key)
{
	jw_array_begin(w);
	for (size_t i = 0; i < p->nr_tun; i++) {
		const struct tunable *t = &p->tun[i];

		jw_object_begin(w);
		jw_field_string(w, "name", t->name);
		jw_field_string(w, "type", t->type);
		jw_name(w, key);
		jw_value(w, t, p->ro);
		jw_object_end(w);
	}
	jw_array_end(w);
}

/* "0x1f" or decimal digits */
static int parse_number(const char *s, uint64_t *v)
{
	uint64_t r = 0;
	const char *p;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return parse_u64(s, v);
	p = s + 2;
	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return -EINVAL;
		if (r >> 60)
			return -ERANGE;
		r = r << 4 | d;
	}
	*v = r;
	return EXIT_OK;
}

/* One element of @t from @s; @what names it ("--set KEY") in messages. */
static int parse_elem(const struct policy *p, const struct tunable *t,
		      const char *what, const char *s, uint64_t *raw)
{
	unsigned int bits = t->size * 8;
	uint64_t v, max = bits == 64 ? UINT64_MAX : (1ULL << bits) - 1;
	bool neg = false;
	int err;

	if (t->kind == VK_BOOL) {
		if (!strcmp(s, "1") || !strcmp(s, "true")) {
			*raw = 1;
		} else if (!strcmp(s, "0") || !strcmp(s, "false")) {
			*raw = 0;
		} else {
			return p_err(EXIT_USAGE, p->obj,
				     "%s: invalid value '%s' (type bool: 0, 1, true or false)",
				     what, s);
		}
		return EXIT_OK;
	}
	if (s[0] == '/') {
		if (t->size != 8)
			return p_err(EXIT_USAGE, p->obj,
				     "%s: '%s' is a cgroup path, whose 64-bit cgroup id does not fit type %s",
				     what, s, int_type_name(t->size, t->is_signed));
		return cgroup_id_of(s, p->obj, what, raw);
	}
	if (s[0] == '-' && t->is_signed) {
		neg = true;
		s++;
	}
	err = parse_number(s, &v);
	if (!err && t->is_signed) {
		uint64_t lim = 1ULL << (bits - 1);	/* |min| */

		if (neg ? v > lim : v > lim - 1)
			err = -ERANGE;
	} else if (!err && v > max) {
		err = -ERANGE;
	}
	if (err) {
		if (t->is_signed)
			return p_err(EXIT_USAGE, p->obj,
				     "%s: invalid value '%s%s' (type %s: a number from %lld to %lld, decimal or 0x hex%s)",
				     what, neg ? "-" : "", s,
				     int_type_name(t->size, true),
				     bits == 64 ? (long long)INT64_MIN :
						  -(long long)(1LL << (bits - 1)),
				     bits == 64 ? (long long)INT64_MAX :
						  (long long)((1LL << (bits - 1)) - 1),
				     t->size == 8 ? ", or a cgroup path" : "");
		return p_err(EXIT_USAGE, p->obj,
			     "%s: invalid value '%s' (type %s: a number from 0 to %llu, decimal or 0x hex%s)",
			     what, s, int_type_name(t->size, false),
			     (unsigned long long)max,
			     t->size == 8 ? ", or a cgroup path" : "");
	}
	*raw = neg ? (uint64_t)0 - v : v;
	return EXIT_OK;
}

/* "a, b, c" of the settable tunables; the caller frees it */
static char *tunable_names(const struct policy *p)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < p->nr_tun; i++)
		len += strlen(p->tun[i].name) + 2;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < p->nr_tun; i++) {
		if (p->tun[i].kind == VK_OTHER)
			continue;
		if (s[0])
			strcat(s, ", ");
		strcat(s, p->tun[i].name);
	}
	return s;
}

/* --set KEY=VALUE: into the .rodata initial value */
static int set_tunable(struct policy *p, const char *spec)
{
	const char *eq = strchr(spec, '=');
	const struct tunable *t = NULL;
	char what[128], *val = NULL, *names = NULL;
	unsigned char *buf = NULL;
	size_t klen;
	int ret;

	if (!eq || eq == spec)
		return p_err(EXIT_USAGE, p->obj,
			     "--set %s: expected KEY=VALUE", spec);
	klen = eq - spec;
	for (size_t i = 0; i < p->nr_tun; i++) {
		if (strlen(p->tun[i].name) == klen &&
		    !strncmp(p->tun[i].name, spec, klen)) {
			t = &p->tun[i];
			break;
		}
	}
	snprintf(what, sizeof(what), "--set %.*s", (int)klen, spec);
	if (!t) {
		names = tunable_names(p);
		if (!names)
			return p_sys(p->obj, "cannot allocate memory");
		if (*names)
			ret = p_err(EXIT_USAGE, p->obj,
				    "%s: unknown tunable (valid tunables: %s)",
				    what, names);
		else
			ret = p_err(EXIT_USAGE, p->obj,
				    "%s: unknown tunable (%s has no tunables)",
				    what, p->name);
		goto out;
	}
	if (t->kind == VK_OTHER) {
		ret = p_err(EXIT_USAGE, p->obj,
			    "%s: cannot be set: its type, %s, is not a number, bool, array of them or char array",
			    what, t->type);
		goto out;
	}
	eq++;
	if (t->kind == VK_STR) {
		size_t len = strlen(eq);

		if (len >= t->nelems) {
			ret = p_err(EXIT_USAGE, p->obj,
				    "%s: '%s' is too long (%s holds at most %u bytes)",
				    what, eq, t->type, t->nelems - 1);
			goto out;
		}
		memset((char *)p->ro + t->off, 0, t->nelems);
		memcpy((char *)p->ro + t->off, eq, len);
		ret = EXIT_OK;
		goto out;
	}
	/* parse into a copy: a bad element leaves the default alone */
	buf = calloc(t->nelems, t->size);
	val = strdup(eq);
	if (!buf || !val) {
		ret = p_sys(p->obj, "cannot allocate memory");
		goto out;
	}
	if (!t->array) {
		uint64_t raw = 0;

		ret = parse_elem(p, t, what, val, &raw);
		if (ret)
			goto out;
		elem_put(t->size, buf, raw);
	} else {
		char *tok = val, *next;
		unsigned int n = 0;

		for (;; tok = next + 1) {
			uint64_t raw;

			next = strchr(tok, ',');
			if (next)
				*next = '\0';
			if (n == t->nelems) {
				ret = p_err(EXIT_USAGE, p->obj,
					    "%s: too many values (%s has %u elements)",
					    what, t->type, t->nelems);
				goto out;
			}
			ret = parse_elem(p, t, what, tok, &raw);
			if (ret)
				goto out;
			elem_put(t->size, buf + (size_t)n * t->size, raw);
			n++;
			if (!next)
				break;
		}
	}
	memcpy((char *)p->ro + t->off, buf, (size_t)t->nelems * t->size);
	ret = EXIT_OK;
out:
	free(names);
	free(val);
	free(buf);
	return ret;
}

/* Offset and size of member @name of the object's struct swap_tier_ops. */
static int ops_member(const struct policy *p, const char *name, size_t *off,
		      size_t *size)
{
	const struct btf_type *tp = btf__type_by_id(p->btf, p->ops_type_id);
	const struct btf_member *m = btf_members(tp);

	for (__u16 i = 0; i < btf_vlen(tp); i++, m++) {
		const char *mname = btf__name_by_offset(p->btf, m->name_off);
		__s64 sz;

		if (!mname || strcmp(mname, name))
			continue;
		sz = btf__resolve_size(p->btf, m->type);
		if (btf_member_bitfield_size(tp, i) || sz <= 0 ||
		    btf_member_bit_offset(tp, i) % 8 ||
		    btf_member_bit_offset(tp, i) / 8 + (size_t)sz > p->ops_size)
			return -EINVAL;
		*off = btf_member_bit_offset(tp, i) / 8;
		*size = sz;
		return 0;
	}
	return -ENOENT;
}

static uint64_t ops_cgroup_id(const struct policy *p)
{
	size_t off, size;
	uint64_t v = 0;

	if (ops_member(p, "cgroup_id", &off, &size) == 0 && size == 8)
		memcpy(&v, (char *)p->ops_data + off, 8);
	return v;
}

/* struct swap_tier_ops.name, or "" */
static void ops_name(const struct policy *p, char *buf, size_t len)
{
	size_t off, size;

	buf[0] = '\0';
	if (ops_member(p, "name", &off, &size) == 0)
		snprintf(buf, len, "%.*s",
			 (int)strnlen((char *)p->ops_data + off, size),
			 (char *)p->ops_data + off);
}

static int set_ops_cgroup(struct policy *p, uint64_t id)
{
	size_t off, size;
	int err = ops_member(p, "cgroup_id", &off, &size);

	if (err == -ENOENT && !id)
		return EXIT_OK;	/* the kernel zeroes a member it is not given */
	if (err == -ENOENT)
		return p_err(EXIT_OTHER, p->obj,
			     "its struct %s has no cgroup_id member (built against an old header?)",
			     OPS_TYPE);
	if (err || size != 8)
		return p_err(EXIT_OTHER, p->obj,
			     "its struct %s member cgroup_id is not a 64-bit integer",
			     OPS_TYPE);
	memcpy((char *)p->ops_data + off, &id, 8);
	return EXIT_OK;
}

/* ------------------------------------------------------------- list */

static int is_policy_file(const struct dirent *de)
{
	size_t n = strlen(de->d_name), s = strlen(POLICY_SUFFIX);

	return de->d_name[0] != '.' && n > s &&
	       !strcmp(de->d_name + n - s, POLICY_SUFFIX);
}

/* "a, b" of the NAMEs in the policy directory; NULL if none or on error */
static char *policy_names(void)
{
	struct dirent **ents = NULL;
	size_t len = 1, n_copy;
	char *s = NULL;
	int n;

	n = scandir(policy_dir(), &ents, is_policy_file, alphasort);
	if (n <= 0)
		goto out;
	for (int i = 0; i < n; i++)
		len += strlen(ents[i]->d_name) + 2;
	s = malloc(len);
	if (!s)
		goto out;
	s[0] = '\0';
	for (int i = 0; i < n; i++) {
		size_t end = strlen(s);

		if (i) {
			memcpy(s + end, ", ", 2);
			end += 2;
		}
		n_copy = strlen(ents[i]->d_name) - strlen(POLICY_SUFFIX);
		memcpy(s + end, ents[i]->d_name, n_copy);
		s[end + n_copy] = '\0';
	}
out:
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return s;
}

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
	const char **sets;
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

/*
 * OBJ (a path: contains '/' or ends in .o) or NAME (the policy directory's
 * NAME.bpf.o) to the object file, checked to exist.
 */
static int resolve_object(const char *arg, char *path, size_t len)
{
	size_t n = strlen(arg);
	char obj[OBJ_LEN], *names;
	struct stat st;
	int ret;

	pol_obj(obj, sizeof(obj), arg);
	if (strchr(arg, '/') || (n > 2 && !strcmp(arg + n - 2, ".o"))) {
		snprintf(path, len, "%s", arg);
		if (stat(path, &st))
			return p_sys(obj, "cannot open the object file");
		if (!S_ISREG(st.st_mode))
			return p_err(EXIT_OTHER, obj,
				     "not a regular file, not a BPF object file");
		return EXIT_OK;
	}
	ret = snprintf(path, len, "%s/%s" POLICY_SUFFIX, policy_dir(), arg);
	if (ret < 0 || (size_t)ret >= len)
		return p_err(EXIT_USAGE, obj, "name too long");
	if (stat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return p_err(EXIT_OTHER, obj,
				     "%s is not a regular file", path);
		return EXIT_OK;
	}
	if (errno != ENOENT && errno != ENOTDIR)
		return p_sys(obj, "%s: cannot access", path);
	names = policy_names();
	ret = p_err(EXIT_USAGE, obj,
		    "no such policy: looked for %s (policy directory %s%s; %s%s)",
		    path, policy_dir(),
		    getenv("SWAPCTL_POLICY_DIR") && *getenv("SWAPCTL_POLICY_DIR") ?
			    ", from SWAPCTL_POLICY_DIR" : "",
		    names ? "it has: " : "it has no policies",
		    names ? names : "");
	free(names);
	return ret;
}

/*
 * Everything before the kernel: the object opened, tunables and cgroup_id
 * set, the target and its pin worked out.
 */
static int prepare(struct policy *p, const struct load_args *a,
		   struct target *t)
{
	char path[PATH_MAX];
	uint64_t id = 0;
	int ret;

	ret = resolve_object(a->arg, path, sizeof(path));
	if (ret)
		return ret;
	ret = policy_open(p, path, a->arg);
	if (ret)
		return ret;
	for (size_t i = 0; i < a->nr_sets; i++) {
		ret = set_tunable(p, a->sets[i]);
		if (ret)
			return ret;
	}
	if (a->cgroup) {
		ret = cgroup_id_of(a->cgroup, p->obj, "--cgroup", &id);
		if (ret)
			return ret;
	}
	ret = set_ops_cgroup(p, id);
	if (ret)
		return ret;
	return target_init(t, id, a->cgroup, p->obj);
}

/*
 * The running kernel's BTF must have struct swap_tier_ops.  On success
 * *kbtf holds it (the caller frees it) if @kbtf is not NULL.
 */
static int check_kernel(const char *obj, struct btf **kbtf)
{
	char pbuf[PATH_MAX];
	const char *path = sys_path(VMLINUX_BTF, pbuf, sizeof(pbuf));
	struct btf *btf;
	int err;

	btf = btf__parse(path, NULL);
	if (!btf) {
		err = errno;
		if (err == ENOENT)
			return p_err(EXIT_OTHER, obj,
				     "this kernel has no BTF (%s missing): not a swaptier kernel, or built without CONFIG_DEBUG_INFO_BTF",
				     path);
		if (err == EACCES || err == EPERM)
			return need_caps(obj, path, err);
		return p_err(EXIT_OTHER, obj, "%s: cannot read the kernel's BTF: %s",
			     path, err_str(err));
	}
	if (btf__find_by_name_kind(btf, OPS_TYPE, BTF_KIND_STRUCT) < 0) {
		btf__free(btf);
		return p_err(EXIT_OTHER, obj,
			     "this kernel has no %s (not a swaptier kernel?)",
			     OPS_TYPE);
	}
	if (kbtf)
		*kbtf = btf;
	else
		btf__free(btf);
	return EXIT_OK;
}

/* The name of the policy the kernel has on @t, or NULL; caller frees. */
static char *attached_name(const struct target *t)
{
	return read_line(t->sysfs, "name");
}

/*
 * A bpf() failure at @stage ("load", "attach", ...): an explanation for
 * the errors that have one, else the error and libbpf's last message.
 */
static int report_bpf(const struct policy *p, const struct target *t,
		      const char *stage, int err)
{
	char msg[256];

	/*
	 * The object loaded, so the privileges were there: at attach the
	 * kernel's registration speaks (mm/swap_tier_bpf.c: the policy's
	 * init() refusing, the cgroup gone or without memory controller).
	 */
	if (!strcmp(stage, "attach")) {
		if (err == ENOENT)
			return p_err(EXIT_SYSCALL, p->obj,
				     "attach: %s: cgroup %s is gone",
				     err_str(err), t->desc);
		if (err == EOPNOTSUPP)
			return p_err(EXIT_SYSCALL, p->obj,
				     "attach: %s: %s has no memory controller (enable +memory in its parent's cgroup.subtree_control)",
				     err_str(err), t->desc);
		if (err != EEXIST)
			return p_err(EXIT_SYSCALL, p->obj,
				     "attach: %s: the kernel refused the policy (its init() returned this error, or the ops are invalid)",
				     err_str(err));
	}
	if (err == EPERM || err == EACCES)
		return need_caps(p->obj, stage, err);
	if (err == EEXIST)
		return p_err(EXIT_STATE, p->obj,
			     "%s: %s: a policy is already attached to %s, but not by swapctl (no pin %s): detach it with the program that attached it",
			     stage, err_str(err), t->desc, t->pin);
	lblog_last(msg, sizeof(msg));
	if (err == ESRCH || err == ENOENT || err == EOPNOTSUPP ||
	    err == ENOTSUPP_KERNEL)
		return p_err(EXIT_SYSCALL, p->obj,
			     "%s failed: %s: this kernel lacks what the policy needs (not a swaptier kernel, or the policy was built for another one)%s%s%s",
			     stage, err_str(err), *msg ? " (libbpf: " : "", msg,
			     *msg ? ")" : "");
	if (*msg)
		return p_err(EXIT_SYSCALL, p->obj, "%s failed: %s (libbpf: %s)",
			     stage, err_str(err), msg);
	return p_err(EXIT_SYSCALL, p->obj, "%s failed: %s", stage,
		     err_str(err));
}

/* After a failed bpf_object__load(): the verifier's words, if any. */
static int report_load(const struct policy *p, const struct target *t,
		       int err)
{
	struct bpf_program *prog;
	size_t i = 0;

	(void)err;
	bpf_object__for_each_program(prog, p->bobj) {
		const char *log = i < p->nr_logs ? p->logs[i] : NULL;
		const char *start, *end;
		int lines = 0;

		i++;
		if (!log || !*log)
			continue;
		/* the last LOG_TAIL_LINES lines */
		end = log + strlen(log);
		while (end > log && end[-1] == '\n')
			end--;
		start = end;
		while (start > log) {
			if (start[-1] == '\n' && ++lines == LOG_TAIL_LINES)
				break;
			start--;
		}
		/* one message, also in JSON: the log's lines in it */
		return p_err(EXIT_SYSCALL, p->obj,
			     "the kernel's verifier rejected program %s:\n%s%.*s",
			     bpf_program__name(prog), start > log ? "...\n" : "",
			     (int)(end - start), start);
	}
	return report_bpf(p, t, "load", err);
}

/* Give every program a verifier log buffer; then load. */
static int load_object(struct policy *p, const struct target *t)
{
	struct bpf_program *prog;
	size_t n = 0;
	int err;

	bpf_object__for_each_program(prog, p->bobj)
		n++;
	p->logs = calloc(n ? n : 1, sizeof(*p->logs));
	if (!p->logs)
		return p_sys(p->obj, "cannot allocate memory");
	p->nr_logs = n;
	n = 0;
	bpf_object__for_each_program(prog, p->bobj) {
		/* untouched pages: cheap until the verifier writes */
		p->logs[n] = calloc(1, PROG_LOG_SIZE);
		if (!p->logs[n])
			return p_sys(p->obj, "cannot allocate memory");
		bpf_program__set_log_buf(prog, p->logs[n], PROG_LOG_SIZE);
		n++;
	}
	lblog_reset();
	err = bpf_object__load(p->bobj);
	if (err)
		return report_load(p, t, -err);
	return EXIT_OK;
}

/*
 * SWAPCTL_DRY_RUN: report @what and, for an error name, fail as the bpf()
 * call would have.  Returns -1 when not a dry run, else an exit code.
 */
static int policy_dry_run(const struct policy *p, const struct target *t,
			  const char *obj, const char *stage, const char *fmt,
			  ...)
	__attribute__((format(printf, 5, 6)));

static int policy_dry_run(const struct policy *p, const struct target *t,
			  const char *obj, const char *stage, const char *fmt,
			  ...)
{
	int err, dry = dry_run(&err);
	char what[PATH_MAX * 3];
	va_list ap;

	if (dry < 0)
		return EXIT_USAGE;
	if (!dry)
		return -1;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	p_dry(obj, "%s", what);
	if (!err)
		return EXIT_OK;
	lblog_reset();
	if (p)
		return report_bpf(p, t, stage, err);
	if (err == EPERM || err == EACCES)
		return need_caps(obj, stage, err);
	return p_err(EXIT_SYSCALL, obj, "%s failed: %s", stage, err_str(err));
}

static void print_loaded(const struct policy *p, const struct target *t,
			 const char *verb, const char *previous)
{
	char name[SWAP_TIER_OPS_NAME_LEN + 1];
	struct jw *w;

	ops_name(p, name, sizeof(name));
	if (!json_output) {
		bool replaced = !strcmp(verb, "replaced");

		if (!t->cgroup_id)
			printf("%s: %s", p->name,
			       replaced ? "now the global policy" :
					  "attached globally");
		else
			printf("%s: %s %s (cgroup id %llu)", p->name,
			       replaced ? "now the policy of" : "attached to",
			       t->path, (unsigned long long)t->cgroup_id);
		if (previous)
			printf(", replacing %s", previous);
		printf(", link pinned at %s\n", t->pin);
		for (size_t i = 0; i < p->nr_tun; i++) {
			if (p->tun[i].kind == VK_OTHER)
				continue;
			printf("    %s = ", p->tun[i].name);
			print_value(stdout, &p->tun[i], p->ro);
			putchar('\n');
		}
		return;
	}
	w = json_start();
	if (!w)
		return;
	jw_object_begin(w);
	jw_field_string(w, "name", p->name);
	jw_field_string(w, "ops_name", name);
	jw_field_string(w, "object", p->path);
	jw_field_string(w, "target", t->cgroup_id ? "cgroup" : "global");
	/* read back from the struct_ops value */
	jw_field_uint(w, "cgroup_id", ops_cgroup_id(p));
	if (t->path)
		jw_field_string(w, "cgroup_path", t->path);
	else
		jw_field_null(w, "cgroup_path");
	jw_field_string(w, "pinned", t->pin);
	if (!strcmp(verb, "replaced")) {
		if (previous)
			jw_field_string(w, "previous", previous);
		else
			jw_field_null(w, "previous");
	}
	jw_name(w, "tunables");
	jw_tunables(w, p, "value");
	jw_object_end(w);
	jw_free(w);
}

static int do_load(int argc, char **argv)
{
	struct bpf_link *link = NULL;
	struct load_args a;
	struct policy p = { 0 };
	struct target t;
	char *name = NULL;
	int ret, err;

	ret = parse_load_args(argc, argv, "policy load", &a);
	if (ret)
		goto out;
	lblog.debug = a.debug;
	ret = prepare(&p, &a, &t);
	if (ret)
		goto out;
	ret = check_kernel(p.obj, NULL);
	if (ret)
		goto out;
	ret = check_bpffs(p.obj);
	if (ret)
		goto out;
	err = pin_exists(&t, p.obj);
	if (err < 0) {
		ret = -err;
		goto out;
	}
	if (err) {
		name = attached_name(&t);
		if (name)
			ret = p_err(EXIT_STATE, p.obj,
				    "a policy is already attached to %s (%s); use '%s policy replace'",
				    t.desc, name, bin_name);
		else
			ret = p_err(EXIT_STATE, p.obj,
				    "%s has a stale pin %s: the kernel detached its policy; remove the pin with '%s policy detach'",
				    t.desc, t.pin, bin_name);
		goto out;
	}
	ret = policy_dry_run(&p, &t, p.obj, "load",
			     "load %s, attach struct_ops %s to %s, pin the link at %s",
			     p.path, bpf_map__name(p.ops), t.desc, t.pin);
	if (ret >= 0) {
		if (!ret)
			print_loaded(&p, &t, "attached", NULL);
		goto out;
	}

	ret = load_object(&p, &t);
	if (ret)
		goto out;
	lblog_reset();
	link = bpf_map__attach_struct_ops(p.ops);
	if (!link) {
		ret = report_bpf(&p, &t, "attach", errno);
		goto out;
	}
	if (mkdir(t.pin_dir, 0700) && errno != EEXIST) {
		ret = p_sys(p.obj, "%s: cannot create the pin directory (the policy is detached again)",
			    t.pin_dir);
		goto out;
	}
	err = bpf_link__pin(link, t.pin);
	if (err) {
		errno = -err;
		if (errno == EEXIST)
			ret = p_err(EXIT_STATE, p.obj,
				    "%s appeared meanwhile; the policy is detached again",
				    t.pin);
		else
			ret = p_sys(p.obj, "cannot pin the link at %s (the policy is detached again)",
				    t.pin);
		goto out;
	}
	/* the pin holds the link from now on */
	bpf_link__disconnect(link);
	print_loaded(&p, &t, "attached", NULL);
	ret = EXIT_OK;
out:
	bpf_link__destroy(link);
	free(name);
	free(a.sets);
	policy_close(&p);
	return ret < 0 ? EXIT_OK : ret;
}

/* Find member @name of struct @tp in @btf. */
static const struct btf_member *find_member(const struct btf *btf,
					    const struct btf_type *tp,
					    const char *name)
{
	const struct btf_member *m = btf_members(tp);

	for (__u16 i = 0; i < btf_vlen(tp); i++, m++) {
		const char *n = btf__name_by_offset(btf, m->name_off);

		if (n && !strcmp(n, name))
			return m;
	}
	return NULL;
}

/*
 * The value for the kernel's struct_ops map, as libbpf's attach would
 * build it: struct bpf_struct_ops_swap_tier_ops whose data member holds
 * the object's struct swap_tier_ops in the kernel's layout, with program
 * fds for the function pointers.  (libbpf's bpf_link__update_map() would
 * do this, but it only works on a link that libbpf attached itself, not
 * on one opened from a pin.)
 */
static int kernel_value(const struct policy *p, const struct btf *kbtf,
			void **out, size_t *out_size)
{
	const struct btf_type *otp, *ktp, *vtp;
	const struct btf_member *dm, *m;
	unsigned char *buf = NULL;
	int kid, vid, ret;
	size_t doff;

	kid = btf__find_by_name_kind(kbtf, OPS_TYPE, BTF_KIND_STRUCT);
	vid = btf__find_by_name_kind(kbtf, OPS_KERN_VTYPE, BTF_KIND_STRUCT);
	ktp = kid < 0 ? NULL : btf__type_by_id(kbtf, kid);
	vtp = vid < 0 ? NULL : btf__type_by_id(kbtf, vid);
	dm = vtp ? find_member(kbtf, vtp, "data") : NULL;
	if (!ktp || !dm)
		return p_err(EXIT_OTHER, p->obj,
			     "the kernel's BTF has no struct %s with a data member",
			     OPS_KERN_VTYPE);
	doff = dm->offset / 8;
	buf = calloc(1, vtp->size);
	if (!buf)
		return p_sys(p->obj, "cannot allocate memory");
	otp = btf__type_by_id(p->btf, p->ops_type_id);
	m = btf_members(otp);
	for (__u16 i = 0; i < btf_vlen(otp); i++, m++) {
		const char *mname = btf__name_by_offset(p->btf, m->name_off);
		const unsigned char *src = (unsigned char *)p->ops_data +
					   m->offset / 8;
		const struct btf_member *km;
		const struct btf_type *mt;
		__s64 size = btf__resolve_size(p->btf, m->type);
		size_t koff;

		km = mname ? find_member(kbtf, ktp, mname) : NULL;
		if (size < 0 || !km) {
			bool zero = size >= 0;

			for (__s64 j = 0; zero && j < size; j++)
				zero = !src[j];
			if (zero)
				continue;	/* as libbpf: skipped */
			ret = p_err(EXIT_OTHER, p->obj,
				    "member %s of struct %s is not in the kernel's",
				    mname ? mname : "?", OPS_TYPE);
			goto out;
		}
		koff = doff + km->offset / 8;
		mt = btf__type_by_id(p->btf, btf__resolve_type(p->btf, m->type));
		if (mt && btf_is_ptr(mt)) {
			const struct bpf_program *prog;
			unsigned long fd;

			/* libbpf keeps the program in the function pointer */
			memcpy(&prog, src, sizeof(prog));
			if (!prog)
				continue;
			if (bpf_program__fd(prog) < 0) {
				ret = p_err(EXIT_OTHER, p->obj,
					    "program %s of member %s was not loaded",
					    bpf_program__name(prog), mname);
				goto out;
			}
			fd = (unsigned long)bpf_program__fd(prog);
			if (koff + sizeof(fd) > vtp->size)
				goto bad;
			memcpy(buf + koff, &fd, sizeof(fd));
			continue;
		}
		if (koff + size > vtp->size ||
		    btf__resolve_size(kbtf, km->type) != size)
			goto bad;
		memcpy(buf + koff, src, size);
	}
	*out = buf;
	*out_size = vtp->size;
	return EXIT_OK;
bad:
	ret = p_err(EXIT_OTHER, p->obj,
		    "its struct %s does not match the kernel's", OPS_TYPE);
out:
	free(buf);
	return ret;
}

/* Open the link pinned at t->pin: a struct_ops link. */
static int open_pin(const struct target *t, const char *obj,
		    struct bpf_link **out)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	struct bpf_link *link;
	int err;

	lblog_reset();
	link = bpf_link__open(t->pin);
	if (!link) {
		struct statfs sf;

		err = errno;
		/* the kernel's answer for a file that is no BPF object */
		if (err == EACCES && statfs(t->pin, &sf) == 0 &&
		    sf.f_type != BPF_FS_MAGIC)
			return p_err(EXIT_OTHER, obj,
				     "%s is not a pinned BPF link (not on a bpf file system); left alone",
				     t->pin);
		if (err == EPERM || err == EACCES)
			return need_caps(obj, t->pin, err);
		errno = err;
		return p_sys(obj, "%s: cannot open the pinned link", t->pin);
	}
	memset(&info, 0, sizeof(info));
	if (bpf_link_get_info_by_fd(bpf_link__fd(link), &info, &len)) {
		err = p_sys(obj, "%s: cannot read the link's information", t->pin);
		bpf_link__destroy(link);
		return err;
	}
	if (info.type != BPF_LINK_TYPE_STRUCT_OPS) {
		bpf_link__destroy(link);
		return p_err(EXIT_OTHER, obj,
			     "%s is a BPF link of type %u, not a struct_ops link: not swapctl's, left alone",
			     t->pin, info.type);
	}
	*out = link;
	return EXIT_OK;
}

/*
 * bpf_link_info.struct_ops.map_id (Linux 6.4): the union after type, id
 * and prog_id, at the same place for every link type.  Spelled out since
 * the <linux/bpf.h> of older distributions lacks the member.
 */
#define LINK_INFO_UNION_OFF offsetof(struct bpf_link_info, raw_tracepoint)
_Static_assert(LINK_INFO_UNION_OFF == 16, "unexpected struct bpf_link_info");

/* The id of the struct_ops map the link @fd holds, 0 once detached. */
static int link_map_id(int fd, __u32 *map_id)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_link_get_info_by_fd(fd, &info, &len))
		return -errno;
	memcpy(map_id, (const char *)&info + LINK_INFO_UNION_OFF,
	       sizeof(*map_id));
	return 0;
}

/*
 * The name member of the policy in the struct_ops map @fd, from the
 * kernel's own value of the map; NULL if it cannot be read.  The caller
 * frees it.
 */
static char *map_policy_name(int fd, const struct btf *kbtf)
{
	const struct btf_type *ktp, *vtp;
	const struct btf_member *dm, *nm;
	struct bpf_map_info info;
	__u32 len = sizeof(info), zero = 0;
	unsigned char *val = NULL;
	char *name = NULL;
	size_t off;
	__s64 size;
	int kid, vid;

	kid = btf__find_by_name_kind(kbtf, OPS_TYPE, BTF_KIND_STRUCT);
	vid = btf__find_by_name_kind(kbtf, OPS_KERN_VTYPE, BTF_KIND_STRUCT);
	ktp = kid < 0 ? NULL : btf__type_by_id(kbtf, kid);
	vtp = vid < 0 ? NULL : btf__type_by_id(kbtf, vid);
	dm = vtp ? find_member(kbtf, vtp, "data") : NULL;
	nm = ktp ? find_member(kbtf, ktp, "name") : NULL;
	if (!dm || !nm)
		goto out;
	off = dm->offset / 8 + nm->offset / 8;
	size = btf__resolve_size(kbtf, nm->type);
	memset(&info, 0, sizeof(info));
	if (size <= 0 || bpf_map_get_info_by_fd(fd, &info, &len) ||
	    off + (size_t)size > info.value_size)
		goto out;
	val = calloc(1, info.value_size);
	if (!val || bpf_map_lookup_elem(fd, &zero, val))
		goto out;
	name = strndup((char *)val + off, strnlen((char *)val + off, size));
out:
	free(val);
	return name;
}

/*
 * The link update failed with @err although the map swapctl read from the
 * link was given as the one expected: if the link holds another map now
 * (or none), another replace (or a detach) came first.  Returns the exit
 * code after the message, or -1 if that is not what happened.
 */
static int replace_lost(const struct policy *p, const struct target *t,
			int link_fd, __u32 old_id, const char *previous,
			const struct btf *kbtf, int err)
{
	char *now_name = NULL;
	__u32 now_id = 0;
	int fd, ret;

	if (err != EPERM && err != EINVAL && err != ENOLINK)
		return -1;
	if (link_map_id(link_fd, &now_id) || now_id == old_id)
		return -1;
	if (!now_id)
		return p_err(EXIT_STATE, p->obj,
			     "replace failed: %s: the policy of %s was detached meanwhile; nothing replaced (use '%s policy load')",
			     err_str(err), t->desc, bin_name);
	fd = bpf_map_get_fd_by_id(now_id);
	if (fd >= 0) {
		now_name = map_policy_name(fd, kbtf);
		close(fd);
	}
	if (now_name && previous)
		ret = p_err(EXIT_STATE, p->obj,
			    "replace failed: %s: another replace of the policy of %s came first: it has %s now, no longer %s; %s was not attached (run the command again to replace %s)",
			    err_str(err), t->desc, now_name, previous, p->name,
			    now_name);
	else
		ret = p_err(EXIT_STATE, p->obj,
			    "replace failed: %s: another replace of the policy of %s came first (its link holds another policy than swapctl read); %s was not attached (run the command again)",
			    err_str(err), t->desc, p->name);
	free(now_name);
	return ret;
}

/*
 * Replace the policy behind the pin of the target, atomically and only if
 * it is still the one read from the link: BPF_F_REPLACE with that map as
 * the expected old one, so that of two replaces at the same time one
 * fails instead of silently undoing the other.
 */
static int do_replace(int argc, char **argv)
{
	struct bpf_link *link = NULL;
	struct btf *kbtf = NULL;
	struct load_args a;
	struct policy p = { 0 };
	struct target t;
	char *previous = NULL;
	void *kval = NULL;
	size_t kval_size;
	__u32 zero = 0, old_id = 0;
	int ret, err, old_fd = -1;

	caps_verb = "replacing";
	ret = parse_load_args(argc, argv, "policy replace", &a);
	if (ret)
		goto out;
	lblog.debug = a.debug;
	ret = prepare(&p, &a, &t);
	if (ret)
		goto out;
	ret = check_kernel(p.obj, &kbtf);
	if (ret)
		goto out;
	ret = check_bpffs(p.obj);
	if (ret)
		goto out;
	err = pin_exists(&t, p.obj);
	if (err <= 0) {
		ret = err ? -err :
			p_err(EXIT_STATE, p.obj,
			      "no policy is attached to %s by swapctl (no pin %s); use '%s policy load'",
			      t.desc, t.pin, bin_name);
		goto out;
	}
	/* a dry run has no link to ask: the name the kernel shows */
	previous = attached_name(&t);
	ret = policy_dry_run(&p, &t, p.obj, "replace",
			     "load %s, replace the policy of %s through the link pinned at %s (BPF_F_REPLACE: only if the link still holds the map it has now)",
			     p.path, t.desc, t.pin);
	if (ret >= 0) {
		if (!ret)
			print_loaded(&p, &t, "replaced", previous);
		goto out;
	}

	ret = open_pin(&t, p.obj, &link);
	if (ret)
		goto out;
	/* the map to replace: the one the link holds now */
	err = link_map_id(bpf_link__fd(link), &old_id);
	if (err) {
		errno = -err;
		ret = p_sys(p.obj, "%s: cannot read the link's information",
			    t.pin);
		goto out;
	}
	if (!old_id) {
		ret = p_err(EXIT_STATE, p.obj,
			    "%s has a stale pin %s: the kernel detached its policy; remove the pin with '%s policy detach', then use '%s policy load'",
			    t.desc, t.pin, bin_name, bin_name);
		goto out;
	}
	old_fd = bpf_map_get_fd_by_id(old_id);
	if (old_fd < 0) {
		err = errno;
		if (err == ENOENT)	/* gone since: replaced or detached */
			ret = p_err(EXIT_STATE, p.obj,
				    "the policy of %s changed while swapctl read it (another replace or a detach); nothing replaced",
				    t.desc);
		else if (err == EPERM || err == EACCES)
			ret = need_caps(p.obj, t.pin, err);
		else
			ret = p_sys(p.obj, "%s: cannot open the map of the link",
				    t.pin);
		goto out;
	}
	/* the name of exactly that policy, not of what sysfs shows later */
	free(previous);
	previous = map_policy_name(old_fd, kbtf);
	ret = load_object(&p, &t);
	if (ret)
		goto out;
	ret = kernel_value(&p, kbtf, &kval, &kval_size);
	if (ret)
		goto out;
	lblog_reset();
	err = bpf_map_update_elem(bpf_map__fd(p.ops), &zero, kval, 0);
	if (err) {
		ret = report_bpf(&p, &t, "replace (map update)", errno);
		goto out;
	}
	{
		LIBBPF_OPTS(bpf_link_update_opts, uo, .flags = BPF_F_REPLACE,
			    .old_map_fd = (__u32)old_fd);

		err = bpf_link_update(bpf_link__fd(link), bpf_map__fd(p.ops),
				      &uo);
	}
	if (err) {
		err = errno;
		ret = replace_lost(&p, &t, bpf_link__fd(link), old_id, previous,
				   kbtf, err);
		if (ret >= 0)
			goto out;
		if (err == EOPNOTSUPP || err == ENOTSUPP_KERNEL)
			ret = p_err(EXIT_SYSCALL, p.obj,
				    "replace failed: %s: this kernel cannot replace a policy in place; detach it and load the new one",
				    err_str(err));
		else
			ret = report_bpf(&p, &t, "replace", err);
		goto out;
	}
	print_loaded(&p, &t, "replaced", previous);
	ret = EXIT_OK;
out:
	if (old_fd >= 0)
		close(old_fd);
	bpf_link__destroy(link);	/* closes our fd; the pin stays */
	btf__free(kbtf);
	free(kval);
	free(previous);
	free(a.sets);
	policy_close(&p);
	return ret < 0 ? EXIT_OK : ret;
}

/* ----------------------------------------------------------- detach */

struct detached {
	struct target t;
	char *name;
};

static int detach_one(const struct target *t, const char *label,
		      struct detached *d)
{
	struct bpf_link *link = NULL;
	char obj[OBJ_LEN];
	int ret, err;

	/* --all: each pin on its own */
	pol_obj(obj, sizeof(obj), label ? label : t->desc);
	d->t = *t;
	d->name = attached_name(t);
	ret = policy_dry_run(NULL, t, obj, "detach",
			     "detach the link pinned at %s and remove the pin",
			     t->pin);
	if (ret >= 0)
		return ret;
	ret = open_pin(t, obj, &link);
	if (ret)
		return ret;
	err = bpf_link__detach(link);
	if (err) {
		err = -err;
		if (err == EPERM || err == EACCES)
			ret = need_caps(obj, "detach", err);
		else
			ret = p_err(EXIT_SYSCALL, obj, "%s: detach failed: %s",
				    t->pin, err_str(err));
		goto out;
	}
	if (unlink(t->pin)) {
		ret = p_sys(obj, "%s: detached, but cannot remove the pin",
			    t->pin);
		goto out;
	}
	ret = EXIT_OK;
out:
	bpf_link__destroy(link);
	return ret;
}

static void print_detached(const struct detached *d, size_t nr)
{
	struct jw *w;

	if (!json_output) {
		for (size_t i = 0; i < nr; i++) {
			if (d[i].name)
				printf("%s: policy %s detached, pin %s removed\n",
				       d[i].t.desc, d[i].name, d[i].t.pin);
			else
				printf("%s: stale pin %s removed (the kernel had detached its policy)\n",
				       d[i].t.desc, d[i].t.pin);
		}
		if (!nr)
			printf("no pinned policies\n");
		return;
	}
	w = json_start();
	if (!w)
		return;
	jw_array_begin(w);
	for (size_t i = 0; i < nr; i++) {
		jw_object_begin(w);
		jw_field_string(w, "target",
				d[i].t.cgroup_id ? "cgroup" : "global");
		jw_field_uint(w, "cgroup_id", d[i].t.cgroup_id);
		if (d[i].name)
			jw_field_string(w, "name", d[i].name);
		else
			jw_field_null(w, "name");
		jw_field_string(w, "pinned", d[i].t.pin);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_free(w);
}

/*
 * "global" or "cgroup-ID", ID as swapctl writes it (decimal, no leading
 * zero): the target of a pin name; false otherwise.  "cgroup-05" is no
 * pin of swapctl's: taken for cgroup-5 it would be detached twice.
 */
static bool pin_target(const char *name, uint64_t *id)
{
	if (!strcmp(name, PIN_GLOBAL)) {
		*id = 0;
		return true;
	}
	if (strncmp(name, PIN_CGROUP, strlen(PIN_CGROUP)))
		return false;
	return parse_id(name + strlen(PIN_CGROUP), id) == 0;
}

/*
 * The pins of <bpffs>/swaptier, as target ids; *nr 0 if none.  @lenient:
 * a directory that cannot be read is a warning, not an error.
 */
static int read_pins(uint64_t **ids, size_t *nr, const char *obj,
		     bool lenient)
{
	struct target t;
	struct dirent *de;
	size_t cap = 0;
	DIR *d;
	int ret;

	*ids = NULL;
	*nr = 0;
	ret = target_init(&t, 0, NULL, obj);
	if (ret)
		return ret;
	d = opendir(t.pin_dir);
	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR)
			return EXIT_OK;
		if (lenient) {
			p_warn(obj, "%s: %s: pins not shown", t.pin_dir,
			       strerror(errno));
			return EXIT_OK;
		}
		if (errno == EACCES || errno == EPERM)
			return need_caps(obj, t.pin_dir, errno);
		return p_sys(obj, "%s: cannot open", t.pin_dir);
	}
	for (;;) {
		uint64_t id;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				ret = p_sys(obj, "%s: cannot read", t.pin_dir);
			break;
		}
		if (!pin_target(de->d_name, &id))
			continue;
		if (*nr == cap) {
			uint64_t *tmp;

			cap = cap ? cap * 2 : 8;
			tmp = realloc(*ids, cap * sizeof(*tmp));
			if (!tmp) {
				ret = p_sys(obj, "cannot allocate memory");
				break;
			}
			*ids = tmp;
		}
		(*ids)[(*nr)++] = id;
	}
	closedir(d);
	if (ret) {
		free(*ids);
		*ids = NULL;
		*nr = 0;
	}
	return ret;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int do_detach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cgroup",	required_argument,	NULL, 'c' },
		{ "cgroup-id",	required_argument,	NULL, 'i' },
		{ "all",	no_argument,		NULL, 'a' },
		{ NULL,		0,			NULL, 0 },
	};
	const char *cgroup = NULL, *idarg = NULL;
	struct detached *done = NULL;
	uint64_t id = 0, *ids = NULL;
	size_t nr = 0, nr_done = 0;
	char obj[OBJ_LEN], label[PATH_MAX];
	bool all = false;
	int c, ret, err;

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
	if (cgroup) {
		pol_obj(obj, sizeof(obj), cgroup);
		ret = cgroup_id_of(cgroup, obj, "--cgroup", &id);
		if (ret)
			return ret;
	} else if (idarg) {
		if (parse_u64(idarg, &id) || !id)
			return p_err(EXIT_USAGE, "--cgroup-id",
				     "invalid cgroup id '%s' (a positive number, as 'policy show' prints it)",
				     idarg);
	}
	caps_verb = "detaching";
	if (idarg)
		snprintf(label, sizeof(label), "cgroup id %llu",
			 (unsigned long long)id);
	else
		snprintf(label, sizeof(label), "%s",
			 all ? "all" : cgroup ? cgroup : PIN_GLOBAL);
	pol_obj(obj, sizeof(obj), label);
	ret = check_bpffs(obj);
	if (ret)
		return ret;
	if (all) {
		ret = read_pins(&ids, &nr, obj, false);
		if (ret)
			goto out;
		qsort(ids, nr, sizeof(*ids), cmp_u64);
	} else {
		ids = malloc(sizeof(*ids));
		if (!ids) {
			ret = p_sys(obj, "cannot allocate memory");
			goto out;
		}
		ids[0] = id;
		nr = 1;
	}
	done = calloc(nr ? nr : 1, sizeof(*done));
	if (!done) {
		ret = p_sys(obj, "cannot allocate memory");
		goto out;
	}
	ret = EXIT_OK;
	for (size_t i = 0; i < nr; i++) {
		struct target t;

		err = target_init(&t, ids[i], cgroup, obj);
		if (!err && !all) {
			err = pin_exists(&t, obj);
			if (err < 0)
				err = -err;
			else if (!err)
				err = p_err(EXIT_STATE, obj,
					    "no policy is attached to %s by swapctl (no pin %s); see '%s policy show'",
					    t.desc, t.pin, bin_name);
			else
				err = EXIT_OK;
		}
		if (!err) {
			err = detach_one(&t, all ? NULL : label,
					 &done[nr_done]);
			if (!err)
				nr_done++;
			else
				free(done[nr_done].name);
		}
		if (err && !ret)
			ret = err;
	}
	if (nr_done || (all && !ret))
		print_detached(done, nr_done);
out:
	for (size_t i = 0; i < nr_done; i++)
		free(done[i].name);
	free(done);
	free(ids);
	return ret;
}

/* ------------------------------------------------------------- show */

const char *const policy_hook_names[NR_HOOKS] = {
	[H_PLACE]	= "place",
	[H_WRITEBACK]	= "writeback",
	[H_TICK]	= "tick",
	[H_SWAPIN]	= "swapin",
};

static void attached_clear(struct attached *a)
{
	free(a->cgroup_path);
	free(a->name);
	free(a->pin);
	memset(a, 0, sizeof(*a));
}

void attached_list_free(struct attached_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		attached_clear(&l->a[i]);
	free(l->a);
	memset(l, 0, sizeof(*l));
}

/* An optional decimal counter; present but malformed is an error. */
static int read_counter(const char *dir, const char *file, struct opt_u64 *v)
{
	char path[PATH_MAX + 32], *s = read_line(dir, file);
	int ret = EXIT_OK;

	v->valid = false;
	if (!s)
		return EXIT_OK;
	if (parse_u64(s, &v->val)) {
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		ret = p_err(EXIT_OTHER, path, "unexpected value '%s'", s);
	} else {
		v->valid = true;
	}
	free(s);
	return ret;
}

/*
 * last_error_hook: "none", "place" or "writeback" (a lower-case word: a
 * later kernel may name other hooks); last_error: the value that hook
 * returned, a decimal int (the invalid verdict or a negative errno; 0 with
 * "none").  The kernel stores the two one after the other (the value
 * first): the hook is read again after the value, and both once more (a
 * few times at most) if another error changed it in between, so that the
 * hook of one error is not shown with the value of another.  Either file
 * missing: the last error is unknown (null), as for the counters.
 */
static int read_last_error(const char *dir, struct attached *a)
{
	char path[PATH_MAX + 32], *hook = NULL, *val = NULL, *again = NULL;
	int ret = EXIT_OK;
	uint64_t v;
	bool neg;

	for (int tries = 0; tries < 4; tries++) {
		free(hook);
		free(val);
		free(again);
		hook = read_line(dir, "last_error_hook");
		val = read_line(dir, "last_error");
		again = read_line(dir, "last_error_hook");
		if (!hook || !val || !again || !strcmp(hook, again))
			break;
	}
	if (!hook || !val || !again)
		goto out;	/* not provided by this kernel */
	if (!*again || strlen(again) >= sizeof(a->last_hook) ||
	    strspn(again, "abcdefghijklmnopqrstuvwxyz_") != strlen(again)) {
		snprintf(path, sizeof(path), "%s/last_error_hook", dir);
		ret = p_err(EXIT_OTHER, path,
			    "unexpected value '%s' (expected \"none\", \"place\" or \"writeback\")",
			    again);
		goto out;
	}
	neg = val[0] == '-';
	if (parse_u64(val + neg, &v) ||
	    v > (neg ? (uint64_t)INT_MAX + 1 : (uint64_t)INT_MAX)) {
		snprintf(path, sizeof(path), "%s/last_error", dir);
		ret = p_err(EXIT_OTHER, path,
			    "unexpected value '%s' (expected an integer)", val);
		goto out;
	}
	/* "none" with a value: an error whose hook is not stored yet */
	if (strcmp(again, "none")) {
		snprintf(a->last_hook, sizeof(a->last_hook), "%s", again);
		a->last_value = neg ? -(long long)v : (long long)v;
		a->has_last_error = true;
	}
out:
	free(hook);
	free(val);
	free(again);
	return ret;
}

/* One policies/<target> directory. */
static int read_attached(const char *base, const char *dname,
			 struct attached *a, bool *found)
{
	char dir[PATH_MAX], file[32];
	struct opt_u64 id;
	uint64_t dir_id;
	int ret, n;

	memset(a, 0, sizeof(*a));
	*found = false;
	if (strcmp(dname, PIN_GLOBAL) && parse_id(dname, &dir_id))
		return EXIT_OK;		/* not a target */
	n = snprintf(dir, sizeof(dir), "%s/%s", base, dname);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return p_err(EXIT_OTHER, base, "path too long");
	a->name = read_line(dir, "name");
	if (!a->name)
		return EXIT_OK;		/* vanished, or not a policy */
	*found = true;
	ret = read_counter(dir, "cgroup_id", &id);
	if (ret)
		return ret;
	a->cgroup_id = strcmp(dname, PIN_GLOBAL) ? dir_id : 0;
	if (id.valid && id.val != a->cgroup_id)
		return p_err(EXIT_OTHER, dir,
			     "cgroup_id %llu does not match the directory name",
			     (unsigned long long)id.val);
	for (int h = 0; h < NR_HOOKS; h++) {
		snprintf(file, sizeof(file), "%s_calls", policy_hook_names[h]);
		ret = read_counter(dir, file, &a->calls[h]);
		if (ret)
			return ret;
	}
	ret = read_counter(dir, "errors", &a->errors);
	if (ret)
		return ret;
	return read_last_error(dir, a);
}

static int cmp_attached(const void *x, const void *y)
{
	const struct attached *a = x, *b = y;

	return (a->cgroup_id > b->cgroup_id) - (a->cgroup_id < b->cgroup_id);
}

static struct attached *show_add(struct attached_list *l, const char *obj)
{
	if (l->nr == l->cap) {
		struct attached *tmp;
		size_t cap = l->cap ? l->cap * 2 : 8;

		tmp = realloc(l->a, cap * sizeof(*tmp));
		if (!tmp) {
			p_sys(obj, "cannot allocate memory");
			return NULL;
		}
		l->a = tmp;
		l->cap = cap;
	}
	return &l->a[l->nr];
}

/*
 * The policies directory: without it, an error if @need, else nothing
 * (l->present false).
 */
static int read_policies(struct attached_list *l, const char *obj, bool need)
{
	char pbuf[PATH_MAX], tbuf[PATH_MAX];
	const char *base = sys_path(POLICY_SYSFS, pbuf, sizeof(pbuf));
	const char *tiers;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int ret = EXIT_OK;

	d = opendir(base);
	if (!d) {
		if (errno != ENOENT)
			return p_sys(base, "cannot open");
		if (!need)
			return EXIT_OK;
		/* sys_path() fills tbuf only under a sysroot */
		tiers = sys_path(TIER_SYSFS, tbuf, sizeof(tbuf));
		if (stat(tiers, &st))
			return p_err(EXIT_OTHER, obj,
				     "kernel has no swap tiers (%s missing)",
				     tiers);
		return p_err(EXIT_OTHER, obj,
			     "kernel has no swap tier policies (%s missing)",
			     base);
	}
	l->present = true;
	for (;;) {
		struct attached *a;
		bool found;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				ret = p_sys(base, "cannot read directory");
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		a = show_add(l, obj);
		if (!a) {
			ret = EXIT_SYSCALL;
			break;
		}
		ret = read_attached(base, de->d_name, a, &found);
		if (ret || !found) {
			attached_clear(a);
			if (ret)
				break;
			continue;
		}
		l->nr++;
	}
	closedir(d);
	return ret;
}

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
		jw_field_string(w, "target", x->cgroup_id ? "cgroup" : "global");
		jw_field_uint(w, "cgroup_id", x->cgroup_id);
		if (x->cgroup_path)
			jw_field_string(w, "cgroup_path", x->cgroup_path);
		else
			jw_field_null(w, "cgroup_path");
		if (x->name)
			jw_field_string(w, "name", x->name);
		else
			jw_field_null(w, "name");
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

int attached_read(struct attached_list *l, const char *obj, bool need,
		  bool only, uint64_t want)
{
	struct cg_find f = { 0 };
	uint64_t *pins = NULL;
	size_t nr_pins = 0, keep = 0;
	int ret;

	memset(l, 0, sizeof(*l));
	ret = read_policies(l, obj, need);
	if (ret || !l->present)
		goto out;
	ret = read_pins(&pins, &nr_pins, obj, true);
	if (ret)
		goto out;
	/*
	 * pins: on their policy, or a detached entry of their own.  One pin
	 * per target: read_pins() takes only canonical names (cgroup-5, not
	 * cgroup-05 as well).
	 */
	for (size_t i = 0; i < nr_pins; i++) {
		struct target t;
		char *pin;
		size_t j;

		ret = target_init(&t, pins[i], NULL, obj);
		if (ret)
			goto out;
		for (j = 0; j < l->nr; j++)
			if (l->a[j].cgroup_id == pins[i])
				break;
		if (j == l->nr) {
			struct attached *a = show_add(l, obj);

			if (!a) {
				ret = EXIT_SYSCALL;
				goto out;
			}
			memset(a, 0, sizeof(*a));
			a->cgroup_id = pins[i];
			l->nr++;
		}
		if (l->a[j].pin)
			continue;
		pin = strdup(t.pin);
		if (!pin) {
			ret = p_sys(obj, "cannot allocate memory");
			goto out;
		}
		l->a[j].pin = pin;
	}
	/* --cgroup: that target only */
	for (size_t i = 0; i < l->nr; i++) {
		if (only && l->a[i].cgroup_id != want) {
			attached_clear(&l->a[i]);
			continue;
		}
		l->a[keep++] = l->a[i];
	}
	l->nr = keep;
	if (l->nr)
		qsort(l->a, l->nr, sizeof(*l->a), cmp_attached);
	/* cgroup paths, by inode number, in one walk */
	f.ids = calloc(l->nr ? l->nr : 1, sizeof(*f.ids));
	f.paths = calloc(l->nr ? l->nr : 1, sizeof(*f.paths));
	if (!f.ids || !f.paths) {
		ret = p_sys(obj, "cannot allocate memory");
		goto out;
	}
	for (size_t i = 0; i < l->nr; i++)
		if (l->a[i].cgroup_id)
			f.ids[f.nr++] = l->a[i].cgroup_id;
	cgroup_paths(&f);
	for (size_t i = 0, j = 0; i < l->nr; i++) {
		if (!l->a[i].cgroup_id)
			continue;
		l->a[i].cgroup_path = f.paths[j];
		f.paths[j++] = NULL;
	}
	ret = EXIT_OK;
out:
	for (size_t i = 0; f.paths && i < f.nr; i++)
		free(f.paths[i]);
	free(f.paths);
	free(f.ids);
	free(pins);
	return ret;
}

static int do_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cgroup",	required_argument,	NULL, 'c' },
		{ NULL,		0,			NULL, 0 },
	};
	struct attached_list l = { 0 };
	const char *cgroup = NULL;
	uint64_t want = 0;
	char obj[OBJ_LEN];
	int c, ret;

	optind = 0;
	while ((c = cmd_getopt(argc, argv, opts, "policy")) != -1) {
		switch (c) {
		case 'c':
			cgroup = optarg;
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
	pol_obj(obj, sizeof(obj), cgroup ? cgroup : "show");
	if (cgroup) {
		ret = cgroup_id_of(cgroup, obj, "--cgroup", &want);
		if (ret)
			return ret;
	}
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

/* ------------------------------------------------------------------ */

int do_policy(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "list",	do_list },
		{ "load",	do_load },
		{ "replace",	do_replace },
		{ "detach",	do_detach },
		{ "show",	do_show },
		{ "help",	do_help },
		{ NULL,		NULL },
	};
	libbpf_print_fn_t old;
	int n = object_opts(argc, argv), ret;

	if (n < 0) {
		policy_help(stdout);
		return EXIT_OK;
	}
	old = libbpf_set_print(lblog_print);
	ret = cmd_select(cmds, "policy", argc - 1 - n, argv + 1 + n);
	libbpf_set_print(old);
	lblog_free();
	return ret;
}
