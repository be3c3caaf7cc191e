/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tiers: the device tiers of /sys/kernel/mm/swap_tier, the tier table
 * (tiers with zswap and their demotion figures) and the status (swap
 * areas, tiers, zswap, counters).  Below: swapinfo.h, main.h.
 */
#ifndef SWAPCTL_TIERS_H
#define SWAPCTL_TIERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "main.h"
#include "swapinfo.h"

#define TIER_SYSFS	"/sys/kernel/mm/swap_tier"
/* pointer_records, pointer_bytes */
#define TIER_DEBUGFS	"/sys/kernel/debug/swap_tier"
#define ZSWAP_NAME	"zswap"

enum tier_figure {
	TF_NR_DEVICES,
	TF_CAPACITY_PAGES,
	TF_USED_PAGES,
	TF_WRITTEN_PAGES,
	TF_READ_PAGES,
	TF_WRITE_ERRORS,
	TF_READ_ERRORS,
	NR_TIER_FIGURES,
};

struct tier {
	char *name;		/* directory name */
	unsigned int index;
	struct opt_u64 fig[NR_TIER_FIGURES];
	char **devices;		/* unescaped, as /proc/swaps names them */
	size_t nr_devs;
};

struct tier_list {
	struct tier *tiers;	/* device tiers, by index */
	size_t nr;
	bool present;		/* the sysfs directory exists */
	char *path;		/* the sysfs directory, for messages */
	/*
	 * back-end pointer records and their memory: pointer_{records,bytes}
	 * in /sys/kernel/debug/swap_tier/, unknown without debugfs
	 */
	struct opt_u64 ptr_records, ptr_bytes;
};

/*
 * Read every device tier.  A missing sysfs directory is not an error:
 * tl->present is then false and the list empty.  Returns 0 or an EXIT_*
 * code after printing the error.
 */
int tiers_read(struct tier_list *tl);
void tiers_free(struct tier_list *tl);
/* The tier listing @name (a /proc/swaps name) among its devices, or NULL. */
const struct tier *tiers_find_device(const struct tier_list *tl,
				     const char *name);

/* The device tier called @name, or NULL. */
const struct tier *find_tier(const struct tier_list *tl, const char *name);
/* Errors naming the tier: no sysfs directory, an unknown @obj. */
int no_tiers_error(const struct tier_list *tl);
int unknown_tier(const struct tier_list *tl, const char *obj);
/* @dir/@name into @buf; EXIT_OTHER (reported) if too long. */
int join_path(char *buf, size_t len, const char *dir, const char *name);
/* A figure file @dir/@file: unknown if missing, else an EXIT_* code on error. */
int read_figure(const char *dir, const char *file, struct opt_u64 *v);

/* what "status" shows, shared with "metrics" and "top" */
enum status_counter {		/* the /proc/vmstat counters of status */
	SC_ZSWPOUT,
	SC_ZSWPIN,
	SC_ZSWPWB,
	SC_PSWPOUT,
	SC_PSWPIN,
	SC_GHOST_REJECTS,	/* swpout_ghost_reject */
	NR_STATUS_COUNTERS,
};

/* the counters' names in /proc/vmstat and in JSON */
struct status_counter_name {
	const char *vmstat;
	const char *json;
};

extern const struct status_counter_name status_counter_names[NR_STATUS_COUNTERS];

struct status {
	struct swap_list swaps;
	struct tier_list tiers;
	struct zswap_status zswap;
	struct opt_u64 counters[NR_STATUS_COUNTERS];
};

/*
 * Read /proc/swaps (required), the tiers, zswap and the counters.  Returns
 * 0 or an EXIT_* code after printing the error; free with status_free()
 * either way.
 */
int status_read(struct status *s);
void status_free(struct status *s);
/*
 * "front-end" (ghost), "back-end" (listed by a tier; *tier: its name) or
 * "swap"; *tier is NULL but for a back end.
 */
const char *swap_role(const struct status *s, const struct swap_area *a,
		      const char **tier);

/* what "tier list" shows, shared with "metrics" and "top" */
enum move_figure {		/* demotion and drain files of a device tier */
	MF_DEMOTED_PAGES,
	MF_DRAINED_PAGES,
	MF_HIGH_PCT,
	MF_LOW_PCT,
	NR_MOVE_FIGURES,
};

/* their sysfs file names, in enum move_figure order */
extern const char *const move_files[NR_MOVE_FIGURES];

struct move_figs {
	struct opt_u64 fig[NR_MOVE_FIGURES];
};

struct tier_table {
	/*
	 * zswap (tier 0, owned) first, then shallow copies of the device
	 * tiers of the tier_list it was read from, in index order
	 */
	struct tier *all;
	struct move_figs *mv;	/* per entry of all[]; zswap's unknown */
	size_t nr;
	struct opt_u64 interval;	/* demote_interval_ms */
};

/*
 * Fill @tt from @tl (read by tiers_read(), present), which must outlive
 * it.  Returns 0 or an EXIT_* code after printing the error; free with
 * tier_table_free() either way.
 */
int tier_table_read(const struct tier_list *tl, struct tier_table *tt);
void tier_table_free(struct tier_table *tt);

#endif /* SWAPCTL_TIERS_H */
