// SPDX-License-Identifier: GPL-2.0-only
/*
 * swapctl apply: bring the system to the state a swaptier.conf names
 * (conf.h): ghost swapfiles on, back ends in their tiers, watermarks, the
 * demotion interval and policies attached.  What the file does not name is
 * left alone; what is already as the file says is not touched, so a second
 * run changes nothing.  The first step that fails stops the run: every
 * step before it is complete, nothing after it was tried, and each step is
 * one system call or one policy attach, so the system is never half way
 * through one.
 *
 * A policy's tunables are not readable back from the kernel by name, so
 * apply keeps what it attached in APPLY_STATE: per target, the struct_ops
 * map it attached and the configuration it did so from.  A target whose
 * pinned link still names that map was attached from that configuration;
 * anything else (another name, other tunables, a policy attached or
 * replaced by hand) is replaced.
 *
 * --watch stays running after the first pass (a systemd Type=notify
 * service: READY=1 once the file is applied) and attaches the file's
 * policies to cgroups created later, or created again (a restarted
 * service gets a new cgroup), watching the cgroup directories with
 * inotify.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/swap_tier.h>

#include "attached.h"
#include "conf.h"
#include "main.h"
#include "swapinfo.h"
#include "tier_ops.h"
#include "tiers.h"

#define APPLY_STATE	"/run/swaptier/applied"

static void apply_help(FILE *f)
{
	fprintf(f,
		"Usage: %1$s apply [--dry-run] [--watch] FILE\n"
		"       %1$s apply help\n"
		"\n"
		"       FILE := a swaptier configuration (see CONFIGURATION in %1$s(8);\n"
		"               installed default %2$s)\n"
		"       OPTIONS := { -j|--json [-p|--pretty] | -n|--dry-run | -w|--watch }\n"
		"\n"
		"Swaps on the file's ghost swapfiles, adds its back ends to their tiers,\n"
		"sets watermarks and the demotion interval, and attaches its policies,\n"
		"each only if it is not so already; prints every step.  --dry-run prints\n"
		"what it would do and changes nothing.  --watch keeps running and attaches\n"
		"the policies to their cgroups when those are created (later, or again).\n",
		bin_name, "/etc/swaptier.conf");
}

enum step_state { ST_UNCHANGED, ST_DONE, ST_WOULD };

static const char *const state_names[] = {
	[ST_UNCHANGED]	= "unchanged",
	[ST_DONE]	= "done",
	[ST_WOULD]	= "would",
};

struct run {
	const struct conf *c;
	bool dry;
	bool watching;		/* --watch rounds: only report changes */
	bool faked;		/* SWAPCTL_DRY_RUN (a test hook) fakes the calls */
	struct jw *w;		/* -j: the steps array */
	unsigned int nr_done, nr_unchanged, nr_would;
	/* the state file: one "CGROUP_ID MAP_ID SPEC" line per target */
	char **state;
	size_t nr_state;
	bool state_changed;
	char *cg_mount;		/* the cgroup v2 hierarchy, NULL: none */
};

/* One step's outcome: "OBJ: WHAT (STATE)" or a JSON object. */
static void report(struct run *r, enum step_state st, const char *obj,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void report(struct run *r, enum step_state st, const char *obj,
		   const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (st == ST_DONE)
		r->nr_done++;
	else if (st == ST_WOULD)
		r->nr_would++;
	else
		r->nr_unchanged++;
	if (st == ST_UNCHANGED && r->watching)
		return;
	if (r->w) {
		jw_object_begin(r->w);
		jw_field_string(r->w, "object", obj);
		jw_field_string(r->w, "action", what);
		jw_field_string(r->w, "state", state_names[st]);
		jw_object_end(r->w);
		return;
	}
	printf("%-9s %s: %s\n", state_names[st], obj, what);
	fflush(stdout);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	if (S_ISBLK(a->st_mode) && S_ISBLK(b->st_mode))
		return a->st_rdev == b->st_rdev;
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The active swap area that is @path, or NULL. */
static const struct swap_area *active_area(const struct swap_list *swaps,
					   const char *path)
{
	struct stat pst, st;

	if (stat(path, &pst))
		return NULL;
	for (size_t i = 0; i < swaps->nr; i++)
		if (!stat(swaps->areas[i].name, &st) && same_file(&pst, &st))
			return &swaps->areas[i];
	return NULL;
}

static int swapon_ghost(const char *path, int prio)
{
	int flags = 0, err, dry;

	if (prio >= 0)
		flags = SWAP_FLAG_PREFER |
			((prio << SWAP_FLAG_PRIO_SHIFT) & SWAP_FLAG_PRIO_MASK);
	dry = dry_run(&err);
	if (dry < 0)
		return EXIT_USAGE;
	if (dry) {
		p_dry(path, "swapon flags 0x%08x", (unsigned int)flags);
		errno = err;
	}
	if (dry ? err : swapon(path, flags))
		return p_sys(path, "cannot swap on the ghost swapfile");
	return EXIT_OK;
}

static int apply_ghosts(struct run *r, const struct swap_list *swaps)
{
	char obj[PATH_MAX + 8];

	for (size_t i = 0; i < r->c->nr_ghosts; i++) {
		const struct conf_ghost *g = &r->c->ghosts[i];
		const struct swap_area *a = active_area(swaps, g->path);
		char prio[32] = "";
		int ret;

		snprintf(obj, sizeof(obj), "ghost %s", g->path);
		if (g->prio >= 0)
			snprintf(prio, sizeof(prio), " (priority %d)", g->prio);
		if (a) {
			if (strcmp(swap_kind(a), "ghost"))
				return p_err(EXIT_STATE, obj,
					     "is active, but as a %s swap area, not a ghost swapfile",
					     swap_kind(a));
			if (g->prio >= 0 && a->prio != g->prio)
				p_warn(obj, "active with priority %lld, not %d; swap it off to change it",
				       a->prio, g->prio);
			report(r, ST_UNCHANGED, obj, "swapped on");
			continue;
		}
		if (access(g->path, F_OK))
			return p_sys(obj, "cannot find it (make it once with '%s ghost create')",
				     bin_name);
		if (r->dry) {
			report(r, ST_WOULD, obj, "swap on%s", prio);
			continue;
		}
		ret = swapon_ghost(g->path, g->prio);
		if (ret)
			return ret;
		report(r, ST_DONE, obj, "swap on%s", prio);
	}
	return EXIT_OK;
}

static const struct tier *tier_named(const struct tier_list *tl,
				     const char *name)
{
	for (size_t i = 0; i < tl->nr; i++)
		if (!strcmp(tl->tiers[i].name, name))
			return &tl->tiers[i];
	return NULL;
}

static int apply_devices(struct run *r, const struct conf_tier *t,
			 const struct swap_list *swaps,
			 const struct tier_list *tl)
{
	char obj[PATH_MAX + 64];

	for (size_t j = 0; j < t->nr_devices; j++) {
		const char *dev = t->devices[j];
		const struct swap_area *a = active_area(swaps, dev);
		const struct tier *in;
		int ret;

		snprintf(obj, sizeof(obj), "tier %s: %s", t->name, dev);
		if (a) {
			in = tiers_find_device(tl, a->name);
			if (!in)
				return p_err(EXIT_STATE, obj,
					     "is active as a plain swap area; swap it off first to make it a back end");
			if (strcmp(in->name, t->name))
				return p_err(EXIT_STATE, obj,
					     "is a back end of tier %s; remove it from there first ('%s tier remove %s')",
					     in->name, bin_name, dev);
			report(r, ST_UNCHANGED, obj, "back end");
			continue;
		}
		if (r->dry) {
			report(r, ST_WOULD, obj, "add as a back end");
			continue;
		}
		ret = backend_add(dev, t->name, t->prio);
		if (ret)
			return ret;
		report(r, ST_DONE, obj, "add as a back end");
	}
	return EXIT_OK;
}

/* A watermark the file sets, against the kernel's; -1: the file sets none. */
static bool wmark_differs(int want, const struct opt_u64 *have)
{
	return want >= 0 && (!have->valid || have->val != (uint64_t)want);
}

static int apply_wmarks(struct run *r, const struct conf_tier *t,
			const struct tier_table *tt)
{
	const struct move_figs *mv = NULL;
	char obj[128], what[96];
	int ret, len;

	if (t->high < 0 && t->low < 0)
		return EXIT_OK;
	for (size_t i = 0; i < tt->nr; i++)
		if (!strcmp(tt->all[i].name, t->name))
			mv = &tt->mv[i];
	snprintf(obj, sizeof(obj), "tier %s", t->name);
	if (!mv)
		return p_err(EXIT_OTHER, obj, "no such tier in %s", TIER_SYSFS);
	len = snprintf(what, sizeof(what), "watermarks");
	if (t->high >= 0)
		len += snprintf(what + len, sizeof(what) - len, " high %d%%", t->high);
	if (t->low >= 0)
		snprintf(what + len, sizeof(what) - len, " low %d%%", t->low);
	if (!wmark_differs(t->high, &mv->fig[MF_HIGH_PCT]) &&
	    !wmark_differs(t->low, &mv->fig[MF_LOW_PCT])) {
		report(r, ST_UNCHANGED, obj, "%s", what);
		return EXIT_OK;
	}
	if (r->dry) {
		report(r, ST_WOULD, obj, "set %s", what);
		return EXIT_OK;
	}
	ret = tier_watermarks_set(t->name, t->high, t->low);
	if (ret)
		return ret;
	report(r, ST_DONE, obj, "set %s", what);
	return EXIT_OK;
}

static int apply_tiers(struct run *r, const struct swap_list *swaps)
{
	struct tier_list tl = { 0 };
	struct tier_table tt = { 0 };
	char obj[64];
	int ret;

	if (!r->c->nr_tiers && r->c->interval < 0)
		return EXIT_OK;
	ret = tiers_read(&tl);
	if (ret)
		goto out;
	if (!tl.present) {
		ret = p_err(EXIT_OTHER, r->c->path,
			    "names back-end tiers, but %s does not exist: the kernel has no swap tiers",
			    tl.path);
		goto out;
	}
	for (size_t i = 0; i < r->c->nr_tiers; i++) {
		if (!tier_named(&tl, r->c->tiers[i].name)) {
			ret = p_err(EXIT_OTHER, r->c->path,
				    "line %d: no tier %s in %s",
				    r->c->tiers[i].line, r->c->tiers[i].name,
				    tl.path);
			goto out;
		}
	}
	ret = tier_table_read(&tl, &tt);
	if (ret)
		goto out;
	for (size_t i = 0; i < r->c->nr_tiers && !ret; i++) {
		ret = apply_devices(r, &r->c->tiers[i], swaps, &tl);
		if (!ret)
			ret = apply_wmarks(r, &r->c->tiers[i], &tt);
	}
	if (ret || r->c->interval < 0)
		goto out;
	snprintf(obj, sizeof(obj), "demote");
	if (tt.interval.valid && tt.interval.val == (uint64_t)r->c->interval) {
		report(r, ST_UNCHANGED, obj, "interval %d ms", r->c->interval);
	} else if (r->dry) {
		report(r, ST_WOULD, obj, "set interval %d ms", r->c->interval);
	} else {
		ret = demote_interval_set(r->c->interval);
		if (!ret)
			report(r, ST_DONE, obj, "set interval %d ms",
			       r->c->interval);
	}
out:
	tier_table_free(&tt);
	tiers_free(&tl);
	return ret;
}

/* ----------------------------------------------------------- policies */

/* "NAME\tKEY=VALUE\t...": what a target was attached from. */
static char *policy_spec(const struct conf_policy *p)
{
	size_t len = strlen(p->what) + 1;
	char *s;

	for (size_t i = 0; i < p->nr_sets; i++)
		len += strlen(p->sets[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	strcpy(s, p->what);
	for (size_t i = 0; i < p->nr_sets; i++) {
		strcat(s, "\t");
		strcat(s, p->sets[i]);
	}
	return s;
}

static const char *state_path(char *buf, size_t len)
{
	return sys_path(APPLY_STATE, buf, len);
}

/* Lines of APPLY_STATE; a missing file is an empty state. */
static int state_read(struct run *r)
{
	char pbuf[PATH_MAX], *buf = NULL, *line, *next;
	const char *path = state_path(pbuf, sizeof(pbuf));
	ssize_t len = read_whole_file(path, &buf);
	int ret = EXIT_OK;

	if (len == -ENOENT)
		return EXIT_OK;
	if (len < 0) {
		errno = (int)-len;
		return p_sys(path, "cannot read apply's state");
	}
	for (line = buf; line && *line; line = next) {
		char **n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		n = realloc(r->state, (r->nr_state + 1) * sizeof(*n));
		if (!n || !(n[r->nr_state] = strdup(line))) {
			if (n)
				r->state = n;
			ret = p_err(EXIT_OTHER, path, "out of memory");
			break;
		}
		r->state = n;
		r->nr_state++;
	}
	free(buf);
	return ret;
}

/* The state line of cgroup @id, or -1. */
static ssize_t state_find(const struct run *r, uint64_t id)
{
	for (size_t i = 0; i < r->nr_state; i++) {
		char *end;

		if (strtoull(r->state[i], &end, 10) == id && *end == ' ')
			return (ssize_t)i;
	}
	return -1;
}

/* Was cgroup @id attached from @spec, as the struct_ops map @map_id? */
static bool state_matches(const struct run *r, uint64_t id, uint32_t map_id,
			  const char *spec)
{
	ssize_t i = state_find(r, id);
	unsigned long long sid;
	unsigned int smap;
	int off = 0;

	if (i < 0 ||
	    sscanf(r->state[i], "%llu %u %n", &sid, &smap, &off) != 2 || !off)
		return false;
	return smap == map_id && !strcmp(r->state[i] + off, spec);
}

static int state_set(struct run *r, uint64_t id, uint32_t map_id,
		     const char *spec)
{
	ssize_t i = state_find(r, id);
	char *line;

	if (asprintf(&line, "%llu %u %s", (unsigned long long)id, map_id,
		     spec) < 0)
		return p_err(EXIT_OTHER, APPLY_STATE, "out of memory");
	if (i < 0) {
		char **n = realloc(r->state, (r->nr_state + 1) * sizeof(*n));

		if (!n) {
			free(line);
			return p_err(EXIT_OTHER, APPLY_STATE, "out of memory");
		}
		r->state = n;
		i = (ssize_t)r->nr_state++;
	} else {
		free(r->state[i]);
	}
	r->state[i] = line;
	r->state_changed = true;
	return EXIT_OK;
}

/* Write APPLY_STATE whole: a temporary file renamed over it. */
static int state_write(struct run *r)
{
	char pbuf[PATH_MAX], tmp[PATH_MAX + 8], dir[PATH_MAX], *slash;
	const char *path = state_path(pbuf, sizeof(pbuf));
	FILE *f = NULL;
	int ret = EXIT_OK;

	if (!r->state_changed)
		return EXIT_OK;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		return p_sys(dir, "cannot create apply's state directory");
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	if (!f)
		return p_sys(tmp, "cannot create");
	for (size_t i = 0; i < r->nr_state; i++)
		fprintf(f, "%s\n", r->state[i]);
	if (fflush(f) || ferror(f))
		ret = p_sys(tmp, "cannot write");
	if (fclose(f) && !ret)
		ret = p_sys(tmp, "cannot write");
	if (!ret && rename(tmp, path))
		ret = p_sys(path, "cannot replace");
	if (ret)
		unlink(tmp);
	else
		r->state_changed = false;
	return ret;
}

/* The attached policy of cgroup @id (0: global) in @l, or NULL. */
static const struct attached *attached_of(const struct attached_list *l,
					  uint64_t id)
{
	for (size_t i = 0; i < l->nr; i++)
		if (l->a[i].cgroup_id == id && l->a[i].name)
			return &l->a[i];
	return NULL;
}

/* The directory of @p's cgroup (under SWAPCTL_SYSROOT, a test hook). */
static void cgroup_dir(const struct run *r, const struct conf_policy *p,
		       char *dir, size_t len)
{
	char path[PATH_MAX], buf[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", r->cg_mount, p->cgroup);
	snprintf(dir, len, "%s", sys_path(path, buf, sizeof(buf)));
}

/*
 * The cgroup of @p: its directory in @dir and its id; 1 if it does not
 * exist (yet), 0, or an EXIT_* code.
 */
static int policy_cgroup(const struct run *r, const struct conf_policy *p,
			 char *dir, size_t len, uint64_t *id)
{
	struct stat st;

	*id = 0;
	if (!p->cgroup)
		return 0;
	if (!r->cg_mount)
		return p_err(EXIT_OTHER, p->cgroup,
			     "no cgroup v2 hierarchy is mounted (in /proc/self/mounts)");
	cgroup_dir(r, p, dir, len);
	if (stat(dir, &st))
		return errno == ENOENT ? 1 : p_sys(dir, "cannot look up the cgroup");
	if (!S_ISDIR(st.st_mode))
		return p_err(EXIT_OTHER, dir, "is not a cgroup directory");
	*id = st.st_ino;
	return 0;
}

static int apply_policy(struct run *r, const struct conf_policy *p,
			const struct attached_list *l)
{
	char dir[PATH_MAX], obj[PATH_MAX + 64], *spec = policy_spec(p);
	const struct attached *cur;
	struct policy_req req = {
		.what = p->what, .sets = p->sets, .nr_sets = p->nr_sets,
	};
	const char *how;
	uint32_t map_id = 0;
	uint64_t id;
	int ret;

	snprintf(obj, sizeof(obj), "policy %s", p->cgroup ?: "global");
	if (!spec) {
		ret = p_err(EXIT_OTHER, obj, "out of memory");
		goto out;
	}
	ret = policy_cgroup(r, p, dir, sizeof(dir), &id);
	if (ret == 1) {
		report(r, ST_UNCHANGED, obj, "%s: no such cgroup yet%s", p->what,
		       r->dry ? "" : " (--watch attaches it when it appears)");
		ret = EXIT_OK;
		goto out;
	}
	if (ret)
		goto out;
	req.cgroup = p->cgroup ? dir : NULL;
	cur = attached_of(l, id);
	if (cur) {
		ret = policy_pin_map_id(req.cgroup, &map_id);
		if (ret > 1)
			goto out;
		if (!ret && state_matches(r, id, map_id, spec)) {
			report(r, ST_UNCHANGED, obj, "%s attached", p->what);
			goto out;
		}
		how = "replace";
	} else {
		how = "load";
	}
	if (r->dry) {
		report(r, ST_WOULD, obj, "%s %s%s%s", how, p->what,
		       cur ? ", now " : "", cur ? cur->name : "");
		ret = EXIT_OK;
		goto out;
	}
	ret = policy_attach(&req, cur != NULL);
	if (ret)
		goto out;
	ret = policy_pin_map_id(req.cgroup, &map_id);
	if (ret == 1 && r->faked)
		ret = EXIT_OK;	/* SWAPCTL_DRY_RUN: nothing was pinned */
	else if (ret == 1)
		ret = p_err(EXIT_STATE, obj, "attached, but its pin is gone");
	if (!ret)
		ret = state_set(r, id, map_id, spec);
	if (!ret)
		report(r, ST_DONE, obj, "%s %s%s%s", how, p->what,
		       cur ? ", was " : "", cur ? cur->name : "");
out:
	free(spec);
	return ret;
}

static int apply_policies(struct run *r)
{
	struct attached_list l = { 0 };
	int ret;

	if (!r->c->nr_policies)
		return EXIT_OK;
	ret = attached_read(&l, "apply", true, false, 0);
	if (!ret)
		ret = state_read(r);
	for (size_t i = 0; i < r->c->nr_policies && !ret; i++)
		ret = apply_policy(r, &r->c->policies[i], &l);
	if (!r->dry) {
		int wret = state_write(r);

		if (!ret)
			ret = wret;
	}
	attached_list_free(&l);
	for (size_t i = 0; i < r->nr_state; i++)
		free(r->state[i]);
	free(r->state);
	r->state = NULL;
	r->nr_state = 0;
	return ret;
}

/* -------------------------------------------------------------- watch */

static volatile sig_atomic_t watch_stop;

static void watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

/* sd_notify(3) READY=1, without libsystemd: one datagram to NOTIFY_SOCKET. */
static void notify_ready(void)
{
	const char *sock = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!sock || (*sock != '/' && *sock != '@') ||
	    strlen(sock) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, sock);
	if (*sock == '@')
		sa.sun_path[0] = '\0';	/* abstract namespace */
	len = offsetof(struct sockaddr_un, sun_path) + strlen(sock);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		p_warn("NOTIFY_SOCKET", "cannot notify systemd: %s",
		       strerror(errno));
		return;
	}
	if (sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sa, len) < 0)
		p_warn(sock, "cannot notify systemd: %s", strerror(errno));
	close(fd);
}

/*
 * Watch, for each policy on a cgroup, the deepest existing directory on the
 * way to it (its parent once it exists: a cgroup created again appears
 * there).  Returns how many watches were added, or -1 after an error.
 */
static int watch_add(const struct run *r, int fd)
{
	char dir[PATH_MAX];
	int nr = 0;

	for (size_t i = 0; i < r->c->nr_policies; i++) {
		const struct conf_policy *p = &r->c->policies[i];
		char *slash;

		if (!p->cgroup)
			continue;
		cgroup_dir(r, p, dir, sizeof(dir));
		do {
			slash = strrchr(dir, '/');
			if (!slash || slash == dir)
				break;
			*slash = '\0';
		} while (access(dir, F_OK));
		if (inotify_add_watch(fd, dir, IN_CREATE | IN_ONLYDIR) < 0) {
			p_sys(dir, "cannot watch");
			return -1;
		}
		nr++;
	}
	return nr;
}

static int watch(struct run *r)
{
	struct sigaction sa = { .sa_handler = watch_signal };
	char buf[4096];
	int ret = EXIT_OK, fd, nr;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	notify_ready();
	r->watching = true;
	while (!watch_stop) {
		struct pollfd pfd;

		fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (fd < 0)
			return p_sys("inotify", "cannot watch the cgroups");
		nr = watch_add(r, fd);
		if (nr <= 0) {
			close(fd);
			if (nr < 0)
				return EXIT_SYSCALL;
			/* nothing to watch: stay, as a service would */
			pause();
			continue;
		}
		/*
		 * A cgroup that appeared while the watches were added.  A
		 * policy that cannot be attached (its cgroup has no memory
		 * controller, say) is tried again at the next event, not in
		 * a loop.
		 */
		if (apply_policies(r))
			p_warn("apply", "a policy could not be attached; trying again when a watched cgroup directory changes");
		pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
		while (!watch_stop) {
			int n = poll(&pfd, 1, -1);

			if (n > 0)
				break;
			if (n < 0 && errno != EINTR) {
				ret = p_sys("inotify", "cannot wait for the cgroups");
				break;
			}
		}
		/* drain the events; each round re-adds the watches */
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		if (ret)
			break;
	}
	return ret;
}

/* -------------------------------------------------------------- apply */

static int do_apply_file(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run",	no_argument,	NULL, 'n' },
		{ "watch",	no_argument,	NULL, 'w' },
		{ NULL,		0,		NULL, 0 },
	};
	struct swap_list swaps = { 0 };
	struct run r = { 0 };
	struct conf c;
	bool do_watch = false;
	int opt, ret, dry_err;

	optind = 0;
	while ((opt = cmd_getopt(argc, argv, opts, "apply")) != -1) {
		switch (opt) {
		case 'n':
			r.dry = true;
			break;
		case 'w':
			do_watch = true;
			break;
		case 'h':
			apply_help(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return p_err(EXIT_USAGE, "apply", "missing FILE (see '%s apply help')",
			     bin_name);
	if (argc - optind > 1)
		return unexpected_arg(argv[optind + 1], "apply");
	if (r.dry && do_watch)
		return p_err(EXIT_USAGE, "apply", "--dry-run and --watch exclude each other");

	ret = conf_read(argv[optind], &c);
	if (ret)
		goto out;
	r.c = &c;
	r.cg_mount = cgroup2_mount(true);
	opt = dry_run(&dry_err);
	if (opt < 0) {
		ret = EXIT_USAGE;
		goto out;
	}
	r.faked = opt;
	/* the steps are reported here, not by the actions */
	ops_quiet = true;
	if (json_output) {
		r.w = json_start();
		if (!r.w) {
			ret = p_err(EXIT_OTHER, "apply", "out of memory");
			goto out;
		}
		jw_object_begin(r.w);
		jw_field_string(r.w, "file", c.path);
		jw_field_bool(r.w, "dry_run", r.dry);
		jw_name(r.w, "steps");
		jw_array_begin(r.w);
	}
	ret = swaps_read(&swaps, true);
	if (!ret)
		ret = apply_ghosts(&r, &swaps);
	if (!ret)
		ret = apply_tiers(&r, &swaps);
	if (!ret)
		ret = apply_policies(&r);
	if (r.w) {
		jw_array_end(r.w);
		jw_field_uint(r.w, "done", r.nr_done);
		jw_field_uint(r.w, "unchanged", r.nr_unchanged);
		jw_field_uint(r.w, "would", r.nr_would);
		jw_field_bool(r.w, "complete", !ret);
		jw_object_end(r.w);
		jw_free(r.w);
	} else if (ret) {
		p_err(ret, c.path, "stopped after %u steps done; none after the failing one was tried",
		      r.nr_done);
	} else if (r.dry) {
		printf("%s: %u to do, %u unchanged (dry run: nothing changed)\n",
		       c.path, r.nr_would, r.nr_unchanged);
	} else {
		printf("%s: %u done, %u unchanged\n", c.path, r.nr_done,
		       r.nr_unchanged);
	}
	fflush(stdout);		/* a service's log, or a file, before waiting */
	if (!ret && do_watch)
		ret = watch(&r);
out:
	swaps_free(&swaps);
	free(r.cg_mount);
	conf_free(&c);
	return ret;
}

int do_apply(int argc, char **argv)
{
	/* argv[0] is "apply"; "apply help" is the usual bpftool grammar */
	if (argc == 2 && !strcmp(argv[1], "help")) {
		apply_help(stdout);
		return EXIT_OK;
	}
	return do_apply_file(argc, argv);
}
