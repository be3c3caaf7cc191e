// SPDX-License-Identifier: GPL-2.0
/*
 * swaptier benchmarks: what the guest programs share.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

int bench_tiers_ready(const char *prog, struct st_env *env)
{
	const char *why = st_env_get(env, true);
	char desc[512];

	if (why || !env->ssd || !env->hdd) {
		fprintf(stderr, "%s: %s\n", prog,
			why ? why : "SWAPTIER_SSD or SWAPTIER_HDD unset");
		return 1;
	}
	if (!tier_available(NULL, 0)) {
		fprintf(stderr, "%s: this kernel has no swap tiers\n", prog);
		return 1;
	}
	if (access(DRAIN_FILE, W_OK)) {
		fprintf(stderr, "%s: %s: %s (a kernel without back-end drain?)\n",
			prog, DRAIN_FILE, strerror(errno));
		return 1;
	}
	if (st_other_swaps(NULL, desc, sizeof(desc)) > 0) {
		fprintf(stderr, "%s: swap already active: %s\n", prog, desc);
		return 1;
	}
	return 0;
}

void bench_tiers_teardown(const char *prog, const char *ghost,
			  struct st_backend *ssd, struct st_backend *hdd)
{
	if (!ghost[0])
		return;
	/* No page left: the back ends are empty once the ghost is off. */
	if (st_swapoff_if_active(ghost))
		fprintf(stderr, "%s: teardown: swapoff %s failed\n", prog, ghost);
	if (st_backend_teardown(ssd, 10000))
		fprintf(stderr, "%s: teardown: swapoff %s failed\n", prog,
			ssd->dev);
	if (st_backend_teardown(hdd, 10000))
		fprintf(stderr, "%s: teardown: swapoff %s failed\n", prog,
			hdd->dev);
	unlink(ghost);
}
