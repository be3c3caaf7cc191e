// SPDX-License-Identifier: GPL-2.0
/*
 * The parts of the shared fixture (fixture.h) that need no kselftest
 * harness: the prerequisite checks and the recovery.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>

#include "fixture.h"

bool st_fixture_have(unsigned int needs, char *why, size_t len)
{
	if (!tier_available(why, len))
		return false;
	if ((needs & ST_NEED_DEMOTE) && !demote_available(why, len))
		return false;
	if (!cg_memory_available(why, len))
		return false;
	if ((needs & ST_NEED_POLICY) &&
	    (!pol_available(why, len) || !pol_bpffs_available(why, len)))
		return false;
	return true;
}

int st_fixture_recover(const struct st_env *env)
{
	char log[2048];
	int n, actions = 0;

	if (pol_available(NULL, 0)) {
		n = pol_recover(log, sizeof(log));
		if (n)
			printf("# recovered policy state left by an earlier test: %s\n",
			       log);
		actions += n;
	}
	n = st_recover(env, log, sizeof(log));
	if (n)
		printf("# recovered state left by an earlier test: %s\n", log);
	return actions + n;
}
