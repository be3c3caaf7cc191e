// SPDX-License-Identifier: GPL-2.0-only
/*
 * swaptier.conf, the file 'swapctl apply' brings the system to (conf.h).
 * Only the syntax and the values' form are checked here; whether a device,
 * a tier or a policy exists is for apply to find out.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "main.h"

enum section { S_NONE, S_GHOST, S_TIER, S_DEMOTE, S_POLICY };

struct parser {
	struct conf *c;
	enum section sec;
	int line;
};

static int bad(const struct parser *p, const char *fmt, const char *arg)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg);
	return p_err(EXIT_OTHER, p->c->path, "line %d: %s", p->line, msg);
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Append a copy of @s to the string array *@v of *@nr; -1 without memory. */
static int push_str(char ***v, size_t *nr, const char *s)
{
	char **n = realloc(*v, (*nr + 1) * sizeof(**v));

	if (!n)
		return -1;
	*v = n;
	n[*nr] = strdup(s);
	if (!n[*nr])
		return -1;
	(*nr)++;
	return 0;
}

/* Grow the array *@v of @size-byte elements by one zeroed element. */
static void *push(void *v, size_t *nr, size_t size)
{
	char *n = realloc(*(void **)v, (*nr + 1) * size);

	if (!n)
		return NULL;
	*(void **)v = n;
	memset(n + *nr * size, 0, size);
	return n + (*nr)++ * size;
}

static int int_value(const struct parser *p, const char *key, const char *val,
		     int max, int *out)
{
	uint64_t v;

	if (parse_u64(val, &v) || v > (uint64_t)max) {
		char msg[128];

		snprintf(msg, sizeof(msg), "%s: '%%s' is not a number 0 .. %d",
			 key, max);
		return bad(p, msg, val);
	}
	*out = (int)v;
	return 0;
}

static int nomem(const struct parser *p)
{
	return p_err(EXIT_OTHER, p->c->path, "line %d: out of memory", p->line);
}

static int section(struct parser *p, char *s)
{
	struct conf *c = p->c;
	char *name, *end = strchr(s, ']');

	if (!end || *trim(end + 1))
		return bad(p, "malformed section header '%s'", s);
	*end = '\0';
	s = trim(s + 1);
	name = s + strcspn(s, " \t");
	if (*name)
		*name++ = '\0';
	name = trim(name);

	if (!strcmp(s, "tier")) {
		struct conf_tier *t;
		size_t i;

		if (!*name)
			return bad(p, "[tier] needs a name, as in [tier ssd]%s", "");
		for (i = 0; i < c->nr_tiers; i++)
			if (!strcmp(c->tiers[i].name, name))
				return bad(p, "tier %s appears twice", name);
		t = push(&c->tiers, &c->nr_tiers, sizeof(*t));
		if (!t || !(t->name = strdup(name)))
			return nomem(p);
		t->prio = t->high = t->low = -1;
		t->line = p->line;
		p->sec = S_TIER;
		return 0;
	}
	if (*name)
		return bad(p, "section [%s] takes no name", s);
	if (!strcmp(s, "ghost")) {
		struct conf_ghost *g = push(&c->ghosts, &c->nr_ghosts, sizeof(*g));

		if (!g)
			return nomem(p);
		g->prio = -1;
		g->line = p->line;
		p->sec = S_GHOST;
	} else if (!strcmp(s, "demote")) {
		p->sec = S_DEMOTE;
	} else if (!strcmp(s, "policy")) {
		struct conf_policy *pol = push(&c->policies, &c->nr_policies,
					       sizeof(*pol));

		if (!pol)
			return nomem(p);
		pol->line = p->line;
		p->sec = S_POLICY;
	} else {
		return bad(p, "unknown section [%s] (ghost, tier NAME, demote, policy)",
			   s);
	}
	return 0;
}

static int set_path(const struct parser *p, char **dst, const char *key,
		    const char *val)
{
	if (*dst)
		return bad(p, "%s given twice in this section", key);
	if (*val != '/')
		return bad(p, "'%s' is not an absolute path", val);
	*dst = strdup(val);
	return *dst ? 0 : nomem(p);
}

static int ghost_key(struct parser *p, const char *key, const char *val)
{
	struct conf_ghost *g = &p->c->ghosts[p->c->nr_ghosts - 1];

	if (!strcmp(key, "path"))
		return set_path(p, &g->path, key, val);
	if (!strcmp(key, "priority"))
		return int_value(p, key, val, 32767, &g->prio);
	return bad(p, "unknown key '%s' in [ghost] (path, priority)", key);
}

static int tier_key(struct parser *p, const char *key, const char *val)
{
	struct conf_tier *t = &p->c->tiers[p->c->nr_tiers - 1];

	if (!strcmp(key, "device")) {
		if (*val != '/')
			return bad(p, "device '%s' is not an absolute path", val);
		return push_str(&t->devices, &t->nr_devices, val) ? nomem(p) : 0;
	}
	if (!strcmp(key, "priority"))
		return int_value(p, key, val, 32767, &t->prio);
	if (!strcmp(key, "high"))
		return int_value(p, key, val, 100, &t->high);
	if (!strcmp(key, "low"))
		return int_value(p, key, val, 99, &t->low);
	return bad(p, "unknown key '%s' in [tier] (device, priority, high, low)",
		   key);
}

static int policy_key(struct parser *p, const char *key, const char *val)
{
	struct conf_policy *pol = &p->c->policies[p->c->nr_policies - 1];

	if (!strcmp(key, "name")) {
		if (pol->what)
			return bad(p, "%s given twice in this section", key);
		pol->what = strdup(val);
		return pol->what ? 0 : nomem(p);
	}
	if (!strcmp(key, "cgroup"))
		return set_path(p, &pol->cgroup, key, val);
	if (!strcmp(key, "set")) {
		if (!strchr(val, '=') || *val == '=')
			return bad(p, "set '%s' is not KEY=VALUE", val);
		return push_str(&pol->sets, &pol->nr_sets, val) ? nomem(p) : 0;
	}
	return bad(p, "unknown key '%s' in [policy] (name, cgroup, set)", key);
}

static int key_value(struct parser *p, char *s)
{
	char *eq = strchr(s, '='), *key, *val;

	if (!eq)
		return bad(p, "expected 'key = value', got '%s'", s);
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (!*key || !*val)
		return bad(p, "empty key or value in '%s'", *key ? key : "=");
	switch (p->sec) {
	case S_GHOST:
		return ghost_key(p, key, val);
	case S_TIER:
		return tier_key(p, key, val);
	case S_DEMOTE:
		if (strcmp(key, "interval"))
			return bad(p, "unknown key '%s' in [demote] (interval)", key);
		return int_value(p, key, val, 60000, &p->c->interval);
	case S_POLICY:
		return policy_key(p, key, val);
	case S_NONE:
		break;
	}
	return bad(p, "'%s' before the first [section]", key);
}

/* Is device @d of tier @i named earlier in the file? */
static bool device_before(const struct conf *c, size_t i, size_t d)
{
	const char *dev = c->tiers[i].devices[d];

	for (size_t ti = 0; ti <= i; ti++)
		for (size_t di = 0; di < (ti == i ? d : c->tiers[ti].nr_devices); di++)
			if (!strcmp(c->tiers[ti].devices[di], dev))
				return true;
	return false;
}

/* What a section needs that only its end shows. */
static int check(struct conf *c)
{
	size_t i, j;

	for (i = 0; i < c->nr_ghosts; i++)
		if (!c->ghosts[i].path)
			return p_err(EXIT_OTHER, c->path,
				     "line %d: [ghost] without path",
				     c->ghosts[i].line);
	for (i = 0; i < c->nr_tiers; i++) {
		const struct conf_tier *t = &c->tiers[i];

		if (t->high >= 0 && t->low >= 0 && t->high && t->low >= t->high)
			return p_err(EXIT_OTHER, c->path,
				     "line %d: tier %s: low (%d) must be below high (%d)",
				     t->line, t->name, t->low, t->high);
	}
	for (i = 0; i < c->nr_tiers; i++)
		for (size_t d = 0; d < c->tiers[i].nr_devices; d++)
			if (device_before(c, i, d))
				return p_err(EXIT_OTHER, c->path,
					     "line %d: device %s is named twice (a back end is in one tier)",
					     c->tiers[i].line,
					     c->tiers[i].devices[d]);
	for (i = 0; i < c->nr_policies; i++) {
		const struct conf_policy *a = &c->policies[i];

		if (!a->what)
			return p_err(EXIT_OTHER, c->path,
				     "line %d: [policy] without name", a->line);
		for (j = 0; j < i; j++) {
			const struct conf_policy *b = &c->policies[j];

			if (!a->cgroup != !b->cgroup ||
			    (a->cgroup && strcmp(a->cgroup, b->cgroup)))
				continue;
			return p_err(EXIT_OTHER, c->path,
				     "line %d: a second policy for %s (the first at line %d)",
				     a->line, a->cgroup ?: "the global target",
				     b->line);
		}
	}
	return 0;
}

int conf_read(const char *path, struct conf *c)
{
	struct parser p = { .c = c };
	char *buf = NULL, *line, *next;
	ssize_t len;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	c->interval = -1;
	c->path = strdup(path);
	if (!c->path)
		return p_err(EXIT_OTHER, path, "out of memory");
	len = read_whole_file(path, &buf);
	if (len < 0) {
		errno = (int)-len;
		return p_sys(path, "cannot read");
	}
	for (line = buf; line && !ret; line = next) {
		char *s;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p.line++;
		s = line + strcspn(line, "#");
		*s = '\0';
		s = trim(line);
		if (!*s)
			continue;
		ret = *s == '[' ? section(&p, s) : key_value(&p, s);
	}
	if (!ret)
		ret = check(c);
	free(buf);
	return ret;
}

static void free_strs(char **v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}

void conf_free(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nr_ghosts; i++)
		free(c->ghosts[i].path);
	for (i = 0; i < c->nr_tiers; i++) {
		free(c->tiers[i].name);
		free_strs(c->tiers[i].devices, c->tiers[i].nr_devices);
	}
	for (i = 0; i < c->nr_policies; i++) {
		free(c->policies[i].what);
		free(c->policies[i].cgroup);
		free_strs(c->policies[i].sets, c->policies[i].nr_sets);
	}
	free(c->ghosts);
	free(c->tiers);
	free(c->policies);
	free(c->path);
	memset(c, 0, sizeof(*c));
	c->interval = -1;
}
