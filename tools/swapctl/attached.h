/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * attached: the attached policies and their pins, as "policy show" lists
 * them.  Below: policy_obj.h (inside attached.c only), main.h.
 */
#ifndef SWAPCTL_ATTACHED_H
#define SWAPCTL_ATTACHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "main.h"

enum { H_PLACE, H_WRITEBACK, H_TICK, H_SWAPIN, NR_HOOKS };

/* "place", "writeback", "tick", "swapin" (the <hook>_calls files) */
extern const char *const policy_hook_names[NR_HOOKS];

struct attached {
	uint64_t cgroup_id;
	char *cgroup_path;	/* NULL: global, or not found */
	char *name;		/* NULL: detached (pin without sysfs) */
	struct opt_u64 calls[NR_HOOKS];
	struct opt_u64 errors;
	bool has_last_error;
	char last_hook[32];	/* "place", "writeback" */
	long long last_value;
	char *pin;		/* NULL: not pinned */
};

struct attached_list {
	struct attached *a;
	size_t nr, cap;
	bool present;		/* the kernel's policies directory exists */
};

/*
 * The attached policies and the pins of targets that have none any more,
 * global first, then by cgroup id, with their cgroup paths; with @only
 * the target @want alone.  @obj names the command in messages.  Without
 * the kernel's policies directory: an error if @need, else an empty list
 * (present false).  Returns 0 or an EXIT_* code after printing the error;
 * free with attached_list_free() either way.
 */
int attached_read(struct attached_list *l, const char *obj, bool need,
		  bool only, uint64_t want);
void attached_list_free(struct attached_list *l);

struct jw;
/*
 * The members naming @a's target, as "policy show" and "policy stats"
 * print them in JSON: target, cgroup_id, cgroup_path and name (null when
 * the kernel detached the policy).
 */
void jw_attached_target(struct jw *w, const struct attached *a);

#endif /* SWAPCTL_ATTACHED_H */
