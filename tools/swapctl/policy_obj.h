/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * policy_obj: the policy directory, policy objects (libbpf, BTF, .rodata
 * tunables, the struct_ops map), targets and their pins, libbpf's
 * messages, the bpf() steps of load and replace.  Below: main.h.
 */
#ifndef SWAPCTL_POLICY_OBJ_H
#define SWAPCTL_POLICY_OBJ_H

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/types.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "main.h"

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

/* libbpf's messages (see lblog_begin()) */
struct lblog {
	char *buf;
	size_t len, cap;
	bool debug;
	char part[1024];
	size_t part_len;
};

extern struct lblog lblog;

struct target {
	uint64_t cgroup_id;	/* 0: global */
	char desc[PATH_MAX + 32];	/* "global", "cgroup PATH", "cgroup id N" */
	char pin[PATH_MAX + 32];	/* the link's pin */
	char pin_dir[PATH_MAX];
	char sysfs[PATH_MAX];	/* the kernel's directory for it */
	const char *path;	/* --cgroup PATH, or NULL */
};

/* room for "policy: LABEL", the OBJECT of every message */
#define OBJ_LEN (PATH_MAX + 48)

/* cgroup paths by id, found by walking the cgroup v2 hierarchy */
struct cg_find {
	uint64_t *ids;
	char **paths;		/* result per id, NULL: not found */
	size_t nr, left;
	size_t skip;		/* bytes of SWAPCTL_SYSROOT to drop */
};

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

/* the policy directory, $SWAPCTL_POLICY_DIR or the built-in one */
const char *policy_dir(void);
/* A policy object's file in the policy directory (scandir filter). */
int is_policy_file(const struct dirent *de);
/*
 * OBJ (a path: contains '/' or ends in .o) or NAME (the policy directory's
 * NAME.bpf.o) to the object file, checked to exist.
 */
int resolve_object(const char *arg, char *path, size_t len);

/*
 * libbpf's messages are collected while the libbpf print function is
 * lblog_begin()'s, until lblog_end() with what lblog_begin() returned puts
 * the previous one back (and frees them, when that was not lblog's).
 */
libbpf_print_fn_t lblog_begin(void);
void lblog_end(libbpf_print_fn_t old);
void lblog_reset(void);
/* strerror(), and the kernel's ENOTSUPP */
const char *err_str(int err);

/* "policy: LABEL", the OBJECT part of every message */
const char *pol_obj(char *buf, size_t len, const char *label);
/* what EPERM stopped: "attaching" (load), "replacing", "detaching" */
extern const char *caps_verb;
int need_caps(const char *obj, const char *what, int err);
/* bpffs must be mounted where the pins go. */
int check_bpffs(const char *obj);

/* The target of cgroup @id (0: global; @path: --cgroup PATH, or NULL). */
int target_init(struct target *t, uint64_t id, const char *path,
		const char *obj);
/* Is the pin there?  1, 0, or -EXIT code after the message. */
int pin_exists(const struct target *t, const char *obj);
/* Open the link pinned at t->pin: a struct_ops link. */
int open_pin(const struct target *t, const char *obj, struct bpf_link **out);
/* The id of the struct_ops map the link @fd holds, 0 once detached. */
int link_map_id(int fd, __u32 *map_id);
/*
 * The name member of the policy in the struct_ops map @fd; NULL if it
 * cannot be read.  The caller frees it.
 */
char *map_policy_name(int fd, const struct btf *kbtf);
/*
 * The pins of <bpffs>/swaptier, as target ids; *nr 0 if none.  @lenient:
 * a directory that cannot be read is a warning, not an error.
 */
int read_pins(uint64_t **ids, size_t *nr, const char *obj, bool lenient);
/* The name of the policy the kernel has on @t, or NULL; caller frees. */
char *attached_name(const struct target *t);
/* One line of a sysfs file, newline removed; NULL if it cannot be read. */
char *read_line(const char *dir, const char *file);

/* The cgroup id of the cgroup v2 directory @path: its inode number. */
int cgroup_id_of(const char *path, const char *obj, const char *what,
		 uint64_t *id);
/* Fill f->paths; ids not found (or no hierarchy) stay NULL. */
void cgroup_paths(struct cg_find *f);

/* A policy object, opened (not loaded) with its BTF and tunables. */
int policy_open(struct policy *p, const char *path, const char *label);
void policy_close(struct policy *p);
/* A tunable's value in .rodata @ro, as text or JSON */
void print_value(FILE *f, const struct tunable *t, const void *ro);
void jw_tunables(struct jw *w, const struct policy *p, const char *key);
/* --set VAR=VALUE */
int set_tunable(struct policy *p, const char *spec);
uint64_t ops_cgroup_id(const struct policy *p);
void ops_name(const struct policy *p, char *buf, size_t len);
int set_ops_cgroup(struct policy *p, uint64_t id);

/*
 * The running kernel's BTF must have struct swap_tier_ops.  On success
 * *kbtf holds it (the caller frees it) if @kbtf is not NULL.
 */
int check_kernel(const char *obj, struct btf **kbtf);
/* Load the object into the kernel, reporting the verifier's log. */
int load_object(struct policy *p, const struct target *t);
/* A bpf() failure at @stage ("load", "attach", ...), explained. */
int report_bpf(const struct policy *p, const struct target *t,
	       const char *stage, int err);
/*
 * SWAPCTL_DRY_RUN: report @what and, for an error name, fail as the bpf()
 * call would have.  Returns -1 when not a dry run, else an exit code.
 */
int policy_dry_run(const struct policy *p, const struct target *t,
		   const char *obj, const char *stage, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The kernel's value of the struct_ops map (for a map update). */
int kernel_value(const struct policy *p, const struct btf *kbtf,
		 void **out, size_t *out_size);

#endif /* SWAPCTL_POLICY_OBJ_H */
