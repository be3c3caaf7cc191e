#!/usr/bin/env bash
# TAP test of selftests/scan-kernel-log: a clean debug-kernel boot log
# passes, every kind of report the VM runner must catch fails it.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
scan=$top/selftests/scan-kernel-log
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Lines a healthy KASAN + lockdep boot prints; none is a report.
cat > "$tmp/clean" <<'LOG'
[    0.993679] kasan: KernelAddressSanitizer initialized
[    1.672107] rcu: 	RCU lockdep checking is enabled.
[    1.862407] ... MAX_LOCKDEP_SUBCLASSES:  8
[    1.862505] ... MAX_LOCKDEP_ENTRIES:     32768
[    2.000000] Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar
[    3.100000] hung_task: detector enabled
[   26.207281] Adding 262144k swap on /run/swaptier/scratch/g.swap.  Priority:-2 extents:0 across:0k SS ghost
[   95.049324] swapon: /run/swaptier/scratch/g.swap: invalid ghost swapfile header
LOG

splats=(
	"WARNING: CPU: 1 PID: 42 at mm/swapfile.c:1234 swap_range_free+0x1/0x2"
	"BUG: KASAN: slab-use-after-free in zswap_load+0x10/0x20"
	"BUG: kernel NULL pointer dereference, address: 0000000000000008"
	"Oops: general protection fault, probably for non-canonical address"
	"WARNING: possible circular locking dependency detected"
	"INFO: task kworker/0:1:12 blocked for more than 120 seconds."
	"rcu: INFO: rcu_preempt self-detected stall on CPU"
	"watchdog: BUG: soft lockup - CPU#0 stuck for 22s!"
	"Kernel panic - not syncing: Fatal exception"
	"list_add corruption. prev->next should be next"
)

echo "1..$(( ${#splats[@]} + 2 ))"
n=1
if "$scan" "$tmp/clean" 2>/dev/null; then
	echo "ok $n - a clean KASAN+lockdep boot log passes"
else
	echo "not ok $n - a clean KASAN+lockdep boot log passes"
fi
for s in "${splats[@]}"; do
	n=$((n + 1))
	{ cat "$tmp/clean"; echo "[  100.000000] $s"; echo "[  100.000001] Call Trace:"; } > "$tmp/bad"
	if "$scan" "$tmp/bad" 2>/dev/null; then
		echo "not ok $n - caught: $s"
	else
		echo "ok $n - caught: $s"
	fi
done
n=$((n + 1))
if "$scan" "$tmp/clean" "$tmp/missing" "$tmp/bad" 2>/dev/null; then
	echo "not ok $n - a report in any of several logs fails the scan"
else
	echo "ok $n - a report in any of several logs fails the scan"
fi
