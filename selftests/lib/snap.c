// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cgroup.h"
#include "procfs.h"
#include "snap.h"
#include "util.h"

static void tier_take(const char *name, struct tier_stat *t)
{
	if (tier_stat_read(name, t))
		memset(t, 0xff, sizeof(*t));	/* every figure -1 */
}

void st_snap_take(const char *cg, unsigned int settle_ms, struct st_snap *s)
{
	if (settle_ms)
		st_sleep_ms(settle_ms);
	memset(s, 0, sizeof(*s));
	if (cg && cg[0]) {
		s->zswpout = cg_stat(cg, "zswpout");
		s->zswpin = cg_stat(cg, "zswpin");
		s->zswpwb = cg_stat(cg, "zswpwb");
		s->reject = cg_stat(cg, "swpout_ghost_reject");
		s->zswapped = cg_stat(cg, "zswapped");
		s->zswap_b = cg_stat(cg, "zswap");
		s->zswap_current = cg_read_ll(cg, "memory.zswap.current");
	}
	s->g_pswpout = vmstat_get("pswpout");
	s->g_pswpin = vmstat_get("pswpin");
	s->g_zswpout = vmstat_get("zswpout");
	s->g_zswpin = vmstat_get("zswpin");
	s->g_zswpwb = vmstat_get("zswpwb");
	s->g_reject = vmstat_get("swpout_ghost_reject");
	tier_take("ssd", &s->ssd);
	tier_take("hdd", &s->hdd);
	s->ptr_records = tier_debugfs_file("pointer_records");
	s->ptr_bytes = tier_debugfs_file("pointer_bytes");
}

static void tier_format(const char *name, const struct tier_stat *a,
			const struct tier_stat *b, char *buf, size_t len)
{
	st_appendf(buf, len,
		   " | %s used %lld/%lld written +%lld read +%lld write_errors +%lld read_errors +%lld",
		   name, b->used, b->capacity, b->written - a->written,
		   b->read - a->read, b->write_errors - a->write_errors,
		   b->read_errors - a->read_errors);
}

void st_snap_format(const struct st_snap *a, const struct st_snap *b,
		    bool with_tiers, char *buf, size_t len)
{
	if (len)
		buf[0] = '\0';
	st_appendf(buf, len,
		   "memcg zswpout +%lld zswpin +%lld zswpwb +%lld swpout_ghost_reject +%lld zswapped %lld KiB zswap.current %lld B | vmstat pswpout +%lld pswpin +%lld zswpout +%lld zswpwb +%lld swpout_ghost_reject +%lld",
		   b->zswpout - a->zswpout, b->zswpin - a->zswpin,
		   b->zswpwb - a->zswpwb, b->reject - a->reject,
		   b->zswapped / 1024, b->zswap_current,
		   b->g_pswpout - a->g_pswpout, b->g_pswpin - a->g_pswpin,
		   b->g_zswpout - a->g_zswpout, b->g_zswpwb - a->g_zswpwb,
		   b->g_reject - a->g_reject);
	if (with_tiers) {
		tier_format("ssd", &a->ssd, &b->ssd, buf, len);
		tier_format("hdd", &a->hdd, &b->hdd, buf, len);
		st_appendf(buf, len, " | pointer records %lld, %lld B",
			   b->ptr_records, b->ptr_bytes);
	}
}
