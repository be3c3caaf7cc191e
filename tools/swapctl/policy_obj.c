// SPDX-License-Identifier: GPL-2.0-only
/*
 * swapctl's model of the policies: the policy directory, a policy object
 * (opened with libbpf, its BTF, .rodata tunables and struct_ops map), the
 * targets (global or a cgroup) with their pins on bpffs and sysfs
 * directories, libbpf's messages, and the bpf() steps of loading and
 * replacing.  Depends on main.h only.
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

#ifndef SWAPCTL_POLICY_DIR
#define SWAPCTL_POLICY_DIR "/usr/local/lib/swaptier/bpf"
#endif

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
struct lblog lblog;

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

void lblog_reset(void)
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

libbpf_print_fn_t lblog_begin(void)
{
	return libbpf_set_print(lblog_print);
}

void lblog_end(libbpf_print_fn_t old)
{
	libbpf_set_print(old);
	if (old != lblog_print)
		lblog_free();
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
const char *err_str(int err)
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

int target_init(struct target *t, uint64_t id, const char *path,
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
const char *pol_obj(char *buf, size_t len, const char *label)
{
	snprintf(buf, len, "policy: %s", label);
	return buf;
}

/* what EPERM stopped: "attaching" (load), "replacing", "detaching" */
const char *caps_verb = "attaching";

int need_caps(const char *obj, const char *what, int err)
{
	return p_err(EXIT_SYSCALL, obj,
		     "%s: %s: %s a policy needs CAP_BPF and CAP_SYS_ADMIN (run as root)",
		     what, err_str(err), caps_verb);
}

/*
 * bpffs must be mounted where the pins go.  SWAPCTL_BPFFS (a test hook) is
 * taken as it is.
 */
int check_bpffs(const char *obj)
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
int pin_exists(const struct target *t, const char *obj)
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
char *read_line(const char *dir, const char *file)
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
int cgroup_id_of(const char *path, const char *obj, const char *what,
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
void cgroup_paths(struct cg_find *f)
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

void policy_close(struct policy *p)
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
int policy_open(struct policy *p, const char *path, const char *label)
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
void print_value(FILE *f, const struct tunable *t, const void *ro)
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

void jw_tunables(struct jw *w, const struct policy *p, const char *key)
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
int set_tunable(struct policy *p, const char *spec)
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

uint64_t ops_cgroup_id(const struct policy *p)
{
	size_t off, size;
	uint64_t v = 0;

	if (ops_member(p, "cgroup_id", &off, &size) == 0 && size == 8)
		memcpy(&v, (char *)p->ops_data + off, 8);
	return v;
}

/* struct swap_tier_ops.name, or "" */
void ops_name(const struct policy *p, char *buf, size_t len)
{
	size_t off, size;

	buf[0] = '\0';
	if (ops_member(p, "name", &off, &size) == 0)
		snprintf(buf, len, "%.*s",
			 (int)strnlen((char *)p->ops_data + off, size),
			 (char *)p->ops_data + off);
}

int set_ops_cgroup(struct policy *p, uint64_t id)
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

/* -------------------------------------------------- policy directory */

int is_policy_file(const struct dirent *de)
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

/*
 * OBJ (a path: contains '/' or ends in .o) or NAME (the policy directory's
 * NAME.bpf.o) to the object file, checked to exist.
 */
int resolve_object(const char *arg, char *path, size_t len)
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
 * The running kernel's BTF must have struct swap_tier_ops.  On success
 * *kbtf holds it (the caller frees it) if @kbtf is not NULL.
 */
int check_kernel(const char *obj, struct btf **kbtf)
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
char *attached_name(const struct target *t)
{
	return read_line(t->sysfs, "name");
}

/*
 * A bpf() failure at @stage ("load", "attach", ...): an explanation for
 * the errors that have one, else the error and libbpf's last message.
 */
int report_bpf(const struct policy *p, const struct target *t,
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
int load_object(struct policy *p, const struct target *t)
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
int policy_dry_run(const struct policy *p, const struct target *t,
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
int kernel_value(const struct policy *p, const struct btf *kbtf,
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
int open_pin(const struct target *t, const char *obj,
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
int link_map_id(int fd, __u32 *map_id)
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
char *map_policy_name(int fd, const struct btf *kbtf)
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
int read_pins(uint64_t **ids, size_t *nr, const char *obj,
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
