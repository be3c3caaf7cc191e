#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side tests of 'swapctl status': JSON fields and values, the table, missing and
# malformed /proc and /sys sources, the tier and role of each area.
# No swaptier kernel needed.  Prints TAP.
#
# Environment, helpers and runner: lib.sh (see there: SWAPCTL,
# SWAPCTL_TEST, SWAPTIER_VMLINUX, PYTHON, CLANG, SWAPTIER_BPF_DIR).
#
#   selftests/host/status_test.sh [TEST...]   (TEST: a function name, t_...)
#
# Exit status: 0 iff no test failed.

# shellcheck source=selftests/host/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 1

t_status_host() {
	local n
	[ -r /proc/swaps ] || { fail "/proc/swaps unreadable"; return 1; }
	n=$(($(wc -l </proc/swaps) - 1))
	run status -j
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >st.json
	json_valid st.json || return 1
	diag "host has $n active swap areas"
	json_check st.json "len(d['swaps']) == $n" \
		"$n != 0 or d['swaps'] == []" || return 1
	run status
	expect_rc 0 || return 1
	case "$OUT" in *zswap:*counters:*) ;; *) fail "table: $OUT"; return 1 ;; esac
}

t_status_fields() {
	local r=$PWD/root
	fake_root "$r"
	for args in "status -j" "-j status" "status show -j" "-p status"; do
		# shellcheck disable=SC2086
		SWAPCTL_SYSROOT=$r run $args
		expect_rc 0 || return 1
		printf '%s\n' "$OUT" >st.json
		json_valid st.json || return 1
		json_check st.json \
			'set(d) == {"swaps", "zswap", "space", "counters"}' \
			'set(d["space"]) == {"total_bytes", "free_bytes"}' \
			'all(set(s) == {"name", "type", "kind", "size_bytes", "used_bytes", "priority", "tier", "role"} for s in d["swaps"])' \
			'set(d["zswap"]) == {"enabled", "compressor", "pool_bytes", "stored_bytes", "stored_pages"}' \
			'set(d["counters"]) == {"zswpout", "zswpin", "zswpwb", "pswpout", "pswpin", "ghost_rejects"}' \
			'len(d["swaps"]) == 3' || { fail "$args"; return 1; }
	done
	# the host's own status has the same keys
	run status -j
	printf '%s\n' "$OUT" >host.json
	json_check host.json \
		'set(d["zswap"]) == {"enabled", "compressor", "pool_bytes", "stored_bytes", "stored_pages"}' \
		'set(d["counters"]) == {"zswpout", "zswpin", "zswpwb", "pswpout", "pswpin", "ghost_rejects"}'
}

t_status_values() {
	local r=$PWD/root
	fake_root "$r"
	SWAPCTL_SYSROOT=$r run status -j
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >st.json
	json_check st.json \
		'd["swaps"][0] == {"name": "/srv/my ghost\ttab\nnl\\bs", "type": "ghost", "kind": "ghost", "size_bytes": 8388608 * 1024, "used_bytes": 0, "priority": -2, "tier": None, "role": "front-end"}' \
		'd["swaps"][1] == {"name": "/var/swapfile", "type": "file", "kind": "disk", "size_bytes": 1 << 30, "used_bytes": 2 << 20, "priority": 5, "tier": None, "role": "swap"}' \
		'd["swaps"][2] == {"name": "/dev/vdb", "type": "partition", "kind": "disk", "size_bytes": 999 * 1024, "used_bytes": 1024, "priority": -3, "tier": None, "role": "swap"}' \
		'd["zswap"] == {"enabled": True, "compressor": "zstd", "pool_bytes": 1234 * 1024, "stored_bytes": 5678 * 1024, "stored_pages": 4321}' \
		'd["counters"] == {"zswpout": 14, "zswpin": 13, "zswpwb": 15, "pswpout": 12, "pswpin": 11, "ghost_rejects": 16}' \
		'd["space"] == {"total_bytes": 1 << 30, "free_bytes": 1 << 29}' \
		|| return 1
	echo N >"$r/sys/module/zswap/parameters/enabled"
	SWAPCTL_SYSROOT=$r run status -j
	printf '%s\n' "$OUT" >st.json
	json_check st.json 'd["zswap"]["enabled"] is False'
}

t_status_table() {
	local r=$PWD/root
	fake_root "$r"
	SWAPCTL_SYSROOT=$r run status
	expect_rc 0 || return 1
	expect_lines -E '^NAME +TYPE +SIZE +USED +PRIO +TIER$' \
		'^/srv/my ghost\\011tab\\012nl\\134bs +ghost +8G +0B +-2 +front-end$' \
		'^/var/swapfile +file +1G +2M +5 +-$' '^ +ghost_rejects +16$' \
		'^ +stored pages +4321$' \
		'^swap space \(what zswap and the back ends can hold\):$' \
		'^ +total +1G$' '^ +free +512M$'
}

t_status_optional_missing() {
	local r=$PWD/root
	fake_root "$r" minimal
	SWAPCTL_SYSROOT=$r run status -j
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >st.json
	json_check st.json 'd["swaps"] == []' \
		'all(v is None for v in d["zswap"].values())' \
		'all(v is None for v in d["space"].values())' \
		'all(v is None for v in d["counters"].values())' || return 1
	# a kernel without ghost swapfiles: only ghost_rejects is null
	printf 'pswpin 1\npswpout 2\nzswpin 3\nzswpout 4\nzswpwb 5\n' >"$r/proc/vmstat"
	SWAPCTL_SYSROOT=$r run status -j
	printf '%s\n' "$OUT" >st.json
	json_check st.json 'd["counters"]["ghost_rejects"] is None' \
		'd["counters"]["zswpwb"] == 5' || return 1
	SWAPCTL_SYSROOT=$r run status
	expect_rc 0 || return 1
	expect_line -F "no active swap areas" || return 1
	expect_line -E '^ +ghost_rejects +-$' "ghost_rejects"
}

t_status_no_proc_swaps() {
	local r=$PWD/root
	mkdir -p "$r/proc"
	SWAPCTL_SYSROOT=$r run status -j
	expect_error 4 "$r/proc/swaps"
}

t_status_bad_data() {
	local r=$PWD/root
	fake_root "$r" minimal
	printf '/x ghost 12 zero -1\n' >>"$r/proc/swaps"
	SWAPCTL_SYSROOT=$r run status -j
	expect_error 8 "$r/proc/swaps" || return 1
	printf 'garbage\n' >"$r/proc/swaps"
	SWAPCTL_SYSROOT=$r run status
	expect_error 8 "$r/proc/swaps" || return 1
	fake_root "$r"
	echo maybe >"$r/sys/module/zswap/parameters/enabled"
	SWAPCTL_SYSROOT=$r run status
	expect_error 8 "$r/sys/module/zswap/parameters/enabled" || return 1
	fake_root "$r"
	printf 'Zswap: lots kB\n' >"$r/proc/meminfo"
	SWAPCTL_SYSROOT=$r run status
	expect_error 8 "$r/proc/meminfo" || return 1
	run status extra
	expect_error 16 extra
}

t_status_tiers() {
	local r=$PWD/root
	fake_tiers "$r"
	printf '/swap/plain\t\tfile\t\t64\t\t0\t\t-9\n' >>"$r/proc/swaps"
	SWAPCTL_SYSROOT=$r run status -j
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >s.json
	json_check s.json \
		'[(s["name"], s["tier"], s["role"]) for s in d["swaps"]] == [("/srv/my ghost\ttab\nnl\\bs", None, "front-end"), ("/var/swapfile", "ssd", "back-end"), ("/dev/vdb", "hdd", "back-end"), ("/srv/hdd two\\x", "hdd", "back-end"), ("/swap/plain", None, "swap")]' \
		'd["swaps"][1]["kind"] == "disk" and d["swaps"][0]["kind"] == "ghost"' || return 1
	SWAPCTL_SYSROOT=$r run status
	expect_rc 0 || return 1
	expect_lines -E '^NAME +TYPE +SIZE +USED +PRIO +TIER$' \
		'^/srv/my ghost\\011tab\\012nl\\134bs +ghost +8G +0B +-2 +front-end$' \
		'^/var/swapfile +file +1G +2M +5 +ssd$' \
		'^/srv/hdd two\\134x +partition +2G +8M +-4 +hdd$' \
		'^/swap/plain +file +64K +0B +-9 +-$' || return 1
}

TESTS=(
	"t_status_host|status on the host: valid JSON, swaps match /proc/swaps"
	"t_status_fields|status -j has exactly the documented field names"
	"t_status_values|status parses escapes, kinds, sizes, zswap and counters"
	"t_status_table|status table has swapon-style columns and the zswap block"
	"t_status_optional_missing|missing optional sources are null / '-'"
	"t_status_no_proc_swaps|unreadable /proc/swaps exits 4"
	"t_status_bad_data|unexpected /proc or /sys data exits 8"
	"t_status_tiers|status shows tier and role of every area"
)

run_tests "$@"
