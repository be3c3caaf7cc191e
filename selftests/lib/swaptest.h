/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swaptier selftests: environment, global-state and recovery helpers shared
 * by the VM tests, plus the umbrella include for the whole library.
 *
 * Global state these tests change (active swap areas, the zswap "enabled"
 * parameter, cgroups) is restored by each fixture's teardown.  A test killed
 * by the harness timeout skips its teardown, so every fixture setup first
 * calls st_recover(), which undoes whatever an earlier, dead test left:
 * swapoff + unlink of our files in $SWAPTIER_SCRATCH, swapoff of back ends
 * on the tier disks and on our device-mapper devices, removal of those
 * devices, the saved zswap setting, our cgroups.
 */
#ifndef SWAPTIER_SELFTEST_SWAPTEST_H
#define SWAPTIER_SELFTEST_SWAPTEST_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "canary.h"
#include "cgroup.h"
#include "dm.h"
#include "kmsg.h"
#include "procfs.h"
#include "snap.h"
#include "swaphdr.h"
#include "tier.h"
#include "util.h"
#include "worker.h"

/*
 * Report a failed cleanup step from a fixture teardown.  (EXPECT_*() with a
 * TH_LOG() attached misfires in a teardown that follows a failed ASSERT:
 * the harness's trigger flag is still set, so the message prints although
 * the check passed.)
 */
#define TEARDOWN_CHECK(cond, fmt, ...) do { \
	if (!(cond)) { \
		TH_LOG("teardown: " fmt, ##__VA_ARGS__); \
		_metadata->exit_code = KSFT_FAIL; \
	} \
} while (0)

#define ZSWAP_PARAM_DIR "/sys/module/zswap/parameters"
#define ST_ZSWAP_MARKER ".swaptier-selftest-zswap-enabled"

struct st_env {
	const char *scratch;		/* $SWAPTIER_SCRATCH */
	const char *swapctl;		/* $SWAPCTL (may be NULL) */
	const char *ssd;		/* $SWAPTIER_SSD disk (may be NULL) */
	const char *hdd;		/* $SWAPTIER_HDD disk (may be NULL) */
	char scratch_real[PATH_MAX];	/* realpath of scratch */
};

/*
 * Fill env from the environment.  Returns NULL when usable, else what is
 * missing (not root, SWAPTIER_SCRATCH unset or not a writable directory,
 * SWAPCTL unset or not executable when need_swapctl).
 */
const char *st_env_get(struct st_env *env, bool need_swapctl);

/*
 * Undo what dead earlier tests left behind (see above).  A short summary
 * of what was done goes to log.  Returns the number of actions taken.
 */
int st_recover(const struct st_env *env, char *log, size_t len);

/*
 * Run "$SWAPCTL ARG..." (NULL-terminated arguments).  Returns the exit
 * status (or -1); the command's output goes to out.
 */
int st_swapctl(const struct st_env *env, char *out, size_t outlen, ...)
	__attribute__((sentinel));

/*
 * "$SWAPCTL ghost create PATH [--size SIZE] [--label LABEL]" (SIZE NULL:
 * the default size).  Returns the exit status (or -1); the command's output
 * goes to out.
 */
int st_swapctl_ghost_create(const struct st_env *env, const char *path,
			    const char *size, const char *label, char *out,
			    size_t outlen);

/* swapoff(2) path if /proc/swaps lists it.  0 or -errno. */
int st_swapoff_if_active(const char *path);

/*
 * Number of active swap areas other than except (may be NULL); the first
 * few are described in desc.
 */
int st_other_swaps(const char *except, char *desc, size_t len);

/* /sys/module/zswap/parameters/<name> access.  0/bytes or -errno. */
ssize_t zswap_param_read(const char *name, char *buf, size_t len);
int zswap_param_write(const char *name, const char *val);

/*
 * Set zswap enabled to val ("N"/"Y"), first saving the current value in a
 * marker file in the scratch dir so that st_recover() can restore it.
 */
int zswap_set_enabled(const struct st_env *env, const char *val);

/* Restore the value saved by zswap_set_enabled() (no-op if none). */
int zswap_restore_enabled(const struct st_env *env);

#endif
