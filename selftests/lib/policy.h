/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: BPF swap tiering policies (struct swap_tier_ops).
 *
 * A policy is attached with "$SWAPCTL policy load OBJ|NAME [--cgroup PATH]
 * [--set KEY=VALUE]...", to the whole system or to one cgroup (its target),
 * and stays attached through a struct_ops link that swapctl pins in bpffs:
 *
 *   /sys/fs/bpf/swaptier/global, /sys/fs/bpf/swaptier/cgroup-<id>
 *
 * While it is attached the kernel shows it in
 *
 *   /sys/kernel/mm/swap_tier/policies/<global|id>/
 *	name cgroup_id place_calls writeback_calls tick_calls swapin_calls
 *	errors last_error last_error_hook
 *
 * where <id> is the cgroup v2 id of the target: the inode number of its
 * cgroup directory.  The objects are build/bpf/<name>.bpf.o (the shipped
 * policies) and build/bpf/test/<name>.bpf.o (the VM selftests' programs,
 * from selftests/vm/progs/), found through $SWAPTIER_BPF, else next to
 * $SWAPCTL (<dir of swapctl>/../bpf).
 */
#ifndef SWAPTIER_SELFTEST_POLICY_H
#define SWAPTIER_SELFTEST_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "tier.h"

#define POL_SYSFS	TIER_SYSFS "/policies"
#define POL_TICK_MS	TIER_SYSFS "/policy_tick_ms"
#define POL_BPFFS	"/sys/fs/bpf"
#define POL_PIN_DIR	POL_BPFFS "/swaptier"

/* /sys/kernel/mm/swap_tier/policies/<target>/; numbers -1 where missing. */
struct pol_stat {
	char name[32];
	long long cgroup_id;
	long long place;	/* place_calls */
	long long writeback;	/* writeback_calls */
	long long tick;		/* tick_calls */
	long long swapin;	/* swapin_calls */
	long long errors;
	/* last_error_hook: "none", "place", "writeback"; "" where missing */
	char last_error_hook[16];
	/* last_error: the invalid verdict (0 with "none"); LLONG_MIN: missing */
	long long last_error_value;
	/*
	 * Both in one string: "none", "<hook> <value>" ("place 77",
	 * "writeback -100"), "<hook> ?" without last_error, "" without
	 * last_error_hook.
	 */
	char last_error[64];
};

/* Does the kernel have the policy interface?  If not, *why explains. */
bool pol_available(char *why, size_t len);

/* Is bpffs mounted at /sys/fs/bpf?  If not, *why explains. */
bool pol_bpffs_available(char *why, size_t len);

/* "global" for id 0, else the decimal id. */
void pol_target_name(unsigned long long id, char *buf, size_t len);

/*
 * Read the figures of the policy attached to id (0: global).  0 or -errno.
 * last_error_hook and last_error are of the same error (read again while
 * an error comes in between).
 */
int pol_stat_read(unsigned long long id, struct pol_stat *s);

/* Is a policy attached to id (its sysfs directory exists)? */
bool pol_attached(unsigned long long id);

/*
 * Number of policies attached anywhere (entries of POL_SYSFS), or -errno;
 * their names go to desc ("global=default 1234=count").
 */
int pol_list(char *desc, size_t len);

/* Wait up to timeout_ms until no policy is attached to id.  0/-ETIMEDOUT. */
int pol_wait_detached(unsigned long long id, unsigned int timeout_ms);

/* Wait up to timeout_ms until POL_SYSFS is empty.  0 or -ETIMEDOUT. */
int pol_wait_none(unsigned int timeout_ms, char *desc, size_t len);

/* POL_PIN_DIR/global or POL_PIN_DIR/cgroup-<id>. */
void pol_pin_path(unsigned long long id, char *buf, size_t len);
bool pol_pin_exists(unsigned long long id);

/* Number of entries in POL_PIN_DIR (0 if it does not exist); names to desc. */
int pol_pins_list(char *desc, size_t len);

/* Unlink every pin in POL_PIN_DIR; what was done goes to log.  Count. */
int pol_pins_remove_all(char *log, size_t len);

/*
 * Directory of the shipped objects: $SWAPTIER_BPF, else <dir of
 * $SWAPCTL>/../bpf, else build/bpf under the current directory.
 */
const char *pol_obj_dir(void);

/*
 * Path of <name>.bpf.o in pol_obj_dir() (test: in its test/ subdirectory).
 * Returns 0 if the file exists, -ENOENT if not (path is filled anyway).
 */
int pol_obj_path(const char *name, bool test, char *path, size_t len);

/* cgroup v2 id of the cgroup directory cg (its inode number), or -errno. */
long long cg_id(const char *cg);

/*
 * Create <parent>/<name>, first enabling the memory controller for
 * parent's children.  path receives the new cgroup's path.  0 or -errno.
 */
int cg_create_child(const char *parent, const char *name, char *path,
		    size_t len);

/* cg_destroy() every descendant of cg (deepest first), then cg. */
int cg_destroy_tree(const char *cg);

/* Absolute path of the cgroup with id under CG_ROOT, or -ENOENT. */
int cg_path_of_id(unsigned long long id, char *path, size_t len);

/* An fd of the struct_ops map a struct_ops link runs, or -errno. */
int bpf_link_map_fd(int link_fd);
/*
 * BPF_LINK_UPDATE: make link_fd run map_fd, atomically; with old_map_fd
 * >= 0 only if it still runs that one (BPF_F_REPLACE).  0 or -errno.
 */
int bpf_link_update_map(int link_fd, int map_fd, int old_map_fd);

/*
 * Id of the BTF type called name of kind (BTF_KIND_*) in the kernel's BTF
 * (/sys/kernel/btf/vmlinux), or -errno (-ENOENT: no such type).
 */
long long btf_vmlinux_find(const char *name, unsigned int kind);

/*
 * bpf(BPF_PROG_LOAD) of a sleepable BPF_PROG_TYPE_SYSCALL program
 * (license GPL) that calls the kfunc of BTF id kfunc_btf_id and returns 0:
 * "call kfunc; r0 = 0; exit".  Returns the program fd, or -errno with the
 * verifier's log in log.
 */
int bpf_load_syscall_kfunc_prog(unsigned int kfunc_btf_id, char *log,
				size_t loglen);

/*
 * st_run() with CAP_BPF, CAP_SYS_ADMIN and CAP_PERFMON dropped from every
 * capability set and from the bounding set (so that exec as root does not
 * give them back), in a child process.
 */
int st_run_without_bpf_caps(char *const argv[], char *out, size_t outlen,
			    int timeout_s);

/*
 * Undo what dead earlier tests left behind: unlink every pin in
 * POL_PIN_DIR (which detaches their policies), and remove the child
 * cgroups of stale swaptier-selftest-* cgroups (so that st_recover() can
 * remove those).  Call it before st_recover().  Returns the number of
 * actions; log says what was done.
 */
int pol_recover(char *log, size_t len);

#endif
