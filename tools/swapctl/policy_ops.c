// SPDX-License-Identifier: GPL-2.0-only
/*
 * swapctl's policy actions (tier_ops.h): load, replace, detach, and the
 * struct_ops map of a pinned link.  Each prints its result as the command
 * does, or its error.
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
#include "tier_ops.h"

/*
 * Everything before the kernel: the object opened, tunables and cgroup_id
 * set, the target and its pin worked out.
 */
static int prepare(struct policy *p, const struct policy_req *a,
		   struct target *t)
{
	char path[PATH_MAX];
	uint64_t id = 0;
	int ret;

	ret = resolve_object(a->what, path, sizeof(path));
	if (ret)
		return ret;
	ret = policy_open(p, path, a->what);
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

static void print_loaded(const struct policy *p, const struct target *t,
			 const char *verb, const char *previous)
{
	char name[SWAP_TIER_OPS_NAME_LEN + 1];
	struct jw *w;

	if (ops_quiet)
		return;
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

static int policy_load(const struct policy_req *a)
{
	struct bpf_link *link = NULL;
	struct policy p = { 0 };
	struct target t;
	char *name = NULL;
	int ret, err;

	ret = prepare(&p, a, &t);
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
	policy_close(&p);
	return ret < 0 ? EXIT_OK : ret;
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
static int policy_replace(const struct policy_req *a)
{
	struct bpf_link *link = NULL;
	struct btf *kbtf = NULL;
	struct policy p = { 0 };
	struct target t;
	char *previous = NULL;
	void *kval = NULL;
	size_t kval_size;
	__u32 zero = 0, old_id = 0;
	int ret, err, old_fd = -1;

	ret = prepare(&p, a, &t);
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

	if (ops_quiet)
		return;
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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * What 'policy detach' does once its options are parsed: the policy of
 * @cgroup (a path), of the cgroup with id @id (not 0), of every pinned
 * target (@all), or else the global one.
 */
int policy_detach_targets(const char *cgroup, uint64_t id, bool all)
{
	struct detached *done = NULL;
	uint64_t *ids = NULL;
	size_t nr = 0, nr_done = 0;
	char obj[OBJ_LEN], label[PATH_MAX];
	const bool idarg = id != 0;
	int ret, err;

	if (cgroup) {
		pol_obj(obj, sizeof(obj), cgroup);
		ret = cgroup_id_of(cgroup, obj, "--cgroup", &id);
		if (ret)
			return ret;
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

int policy_attach(const struct policy_req *r, bool replace)
{
	libbpf_print_fn_t old = lblog_begin();
	int ret;

	caps_verb = replace ? "replacing" : "attaching";
	ret = replace ? policy_replace(r) : policy_load(r);
	lblog_end(old);
	return ret;
}

int policy_detach(const char *cgroup)
{
	libbpf_print_fn_t old = lblog_begin();
	int ret = policy_detach_targets(cgroup, 0, false);

	lblog_end(old);
	return ret;
}

int policy_pin_map_id(const char *cgroup, uint32_t *map_id)
{
	libbpf_print_fn_t old = lblog_begin();
	struct bpf_link *link = NULL;
	char obj[OBJ_LEN];
	struct target t;
	uint64_t id = 0;
	__u32 mid = 0;
	int ret, err;

	caps_verb = "reading";
	pol_obj(obj, sizeof(obj), cgroup ? cgroup : PIN_GLOBAL);
	if (cgroup) {
		ret = cgroup_id_of(cgroup, obj, "--cgroup", &id);
		if (ret)
			goto out;
	}
	ret = target_init(&t, id, cgroup, obj);
	if (ret)
		goto out;
	err = pin_exists(&t, obj);
	if (err <= 0) {
		ret = err ? -err : 1;
		goto out;
	}
	ret = open_pin(&t, obj, &link);
	if (ret)
		goto out;
	err = link_map_id(bpf_link__fd(link), &mid);
	if (err) {
		errno = -err;
		ret = p_sys(obj, "%s: cannot read the link's information",
			    t.pin);
		goto out;
	}
	*map_id = mid;
	ret = EXIT_OK;
out:
	bpf_link__destroy(link);
	lblog_end(old);
	return ret;
}
