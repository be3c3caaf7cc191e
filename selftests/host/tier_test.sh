#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side tests of 'swapctl tier list/show/add/remove': the listing, back ends and their
# pointer figures, swapon flags and kernel refusals (SWAPCTL_DRY_RUN),
# malformed tier sysfs, argument errors.
# No swaptier kernel needed.  Prints TAP.
#
# Environment, helpers and runner: lib.sh (see there: SWAPCTL,
# SWAPCTL_TEST, SWAPTIER_VMLINUX, PYTHON, CLANG, SWAPTIER_BPF_DIR).
#
#   selftests/host/tier_test.sh [TEST...]   (TEST: a function name, t_...)
#
# Exit status: 0 iff no test failed.

# shellcheck source=selftests/host/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 1

TIER_KEYS='{"name", "index", "nr_devices", "capacity_bytes", "used_bytes", "written_pages", "read_pages", "write_errors", "read_errors", "demoted_pages", "drained_pages", "high_watermark_pct", "low_watermark_pct", "devices"}'

t_tier_list_json() {
	local r=$PWD/root
	fake_tiers "$r"
	SWAPCTL_SYSROOT=$r run tier list -j --all
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >l.json
	json_valid l.json || return 1
	json_check l.json \
		'set(d) == {"tiers", "pointers", "demote_interval_ms"}' \
		'd["pointers"] == {"records": 3, "bytes": 6216}' \
		'd["demote_interval_ms"] == 1000' \
		"all(set(t) == $TIER_KEYS for t in d['tiers'])" \
		'[t["name"] for t in d["tiers"]] == ["zswap", "ssd", "hdd", "tier7"]' \
		'[t["index"] for t in d["tiers"]] == [0, 1, 2, 7]' \
		"d['tiers'][0] == {'name': 'zswap', 'index': 0, 'nr_devices': 0, 'capacity_bytes': None, 'used_bytes': 2 << 20, 'written_pages': 14, 'read_pages': 13, 'write_errors': None, 'read_errors': None, 'demoted_pages': None, 'drained_pages': None, 'high_watermark_pct': None, 'low_watermark_pct': None, 'devices': []}" \
		"d['tiers'][1] == {'name': 'ssd', 'index': 1, 'nr_devices': 1, 'capacity_bytes': 262144 * $PAGE, 'used_bytes': 512 * $PAGE, 'written_pages': 100, 'read_pages': 50, 'write_errors': 0, 'read_errors': 1, 'demoted_pages': 40, 'drained_pages': 5, 'high_watermark_pct': 90, 'low_watermark_pct': 75, 'devices': [{'name': '/var/swapfile', 'size_bytes': 1 << 30, 'used_bytes': 2 << 20, 'priority': 5}]}" \
		"{k: v for k, v in d['tiers'][2].items() if k != 'devices'} == {'name': 'hdd', 'index': 2, 'nr_devices': 3, 'capacity_bytes': 786432 * $PAGE, 'used_bytes': 2048 * $PAGE, 'written_pages': 300, 'read_pages': 200, 'write_errors': 3, 'read_errors': 4, 'demoted_pages': 0, 'drained_pages': 12, 'high_watermark_pct': 0, 'low_watermark_pct': 50}" \
		"d['tiers'][2]['devices'] == [{'name': '/dev/vdb', 'size_bytes': 999 * 1024, 'used_bytes': 1024, 'priority': -3}, {'name': '/srv/hdd two\\\\x', 'size_bytes': 2 << 30, 'used_bytes': 8 << 20, 'priority': -4}, {'name': '/gone away', 'size_bytes': None, 'used_bytes': None, 'priority': None}]" \
		"d['tiers'][3] == {'name': 'tier7', 'index': 7, 'nr_devices': None, 'capacity_bytes': None, 'used_bytes': None, 'written_pages': None, 'read_pages': None, 'write_errors': None, 'read_errors': None, 'demoted_pages': None, 'drained_pages': None, 'high_watermark_pct': None, 'low_watermark_pct': None, 'devices': []}" \
		|| return 1
	# other spellings, and pretty output
	for args in "-j tier list --all" "tier -j show -a" "-p tier list --all"; do
		# shellcheck disable=SC2086
		SWAPCTL_SYSROOT=$r run $args
		expect_rc 0 || { fail "$args"; return 1; }
		printf '%s\n' "$OUT" >a.json
		json_check a.json 'len(d["tiers"]) == 4' || { fail "$args"; return 1; }
	done
	# zswap without meminfo: figures from debugfs stored_pages
	rm "$r/proc/meminfo"
	SWAPCTL_SYSROOT=$r run tier list -j
	printf '%s\n' "$OUT" >z.json
	json_check z.json "d['tiers'][0]['used_bytes'] == 4321 * $PAGE"
}

t_tier_list_table() {
	local r=$PWD/root
	fake_tiers "$r"
	SWAPCTL_SYSROOT=$r run tier list --all
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >t.txt
	expect_line -E '^NAME +INDEX +DEVICES +CAPACITY +USED +WRITTEN +READ +WERR +RERR +DEMOTED +DRAINED +HIGH +LOW$' "no tier header" || return 1
	expect_line -E '^zswap +0 +0 +- +2M +14 +13( +-){6}$' "zswap row" || return 1
	expect_line -E "^ssd +1 +1 +$(((262144 * PAGE) >> 30))G +$(((512 * PAGE) >> 20))M +100 +50 +0 +1 +40 +5 +90% +75%\$" "ssd row" || return 1
	expect_line -E '^hdd +2 +3 +[0-9.]+[GM] +[0-9.]+M +300 +200 +3 +4 +0 +12 +off +50%$' "hdd row" || return 1
	expect_line -E '^tier7 +7( +-){11}$' "tier7 row" || return 1
	expect_line -E '^demotion interval: 1000 ms$' "interval line" || return 1
	# tiers in index order
	[ "$(grep -Eo '^(zswap|ssd|hdd|tier7) ' t.txt | tr -d ' ' | tr '\n' ,)" = "zswap,ssd,hdd,tier7," ] ||
		{ fail "tier order"; show_run; return 1; }
	expect_line -E '^DEVICE +TIER +SIZE +USED +PRIO$' "no device header" || return 1
	expect_line -E '^/var/swapfile +ssd +1G +2M +5$' "ssd device" || return 1
	expect_line -E '^/srv/hdd two\\134x +hdd +2G +8M +-4$' "escaped device" || return 1
	expect_line -E '^/gone away +hdd +- +- +-$' "unlisted device" || return 1
	expect_line -E '^back-end pointers: 3 records, 6\.1K$' "pointer line" || return 1
	! grep -q 'not shown' t.txt || { fail "--all hid a tier"; show_run; return 1; }
	# no back ends at all
	: >"$r/sys/kernel/mm/swap_tier/ssd/devices"
	: >"$r/sys/kernel/mm/swap_tier/hdd/devices"
	SWAPCTL_SYSROOT=$r run tier list --all
	expect_rc 0 || return 1
	expect_line -F "no back ends" "no 'no back ends'" || return 1
}

# pointers_null WHAT: tier list -j and the table succeed, pointers unknown
pointers_null() {
	SWAPCTL_SYSROOT=$r run tier list -j --all
	expect_rc 0 || { fail "$1"; return 1; }
	printf '%s\n' "$OUT" >n.json
	json_check n.json 'd["pointers"] == {"records": None, "bytes": None}' \
		'len(d["tiers"]) == 4' || { fail "$1"; return 1; }
	SWAPCTL_SYSROOT=$r run tier list --all
	expect_rc 0 || { fail "$1"; return 1; }
	case "$OUT" in
	*"back-end pointers"*) show_run; fail "$1: pointer line"; return 1 ;;
	*"/var/swapfile "*) ;;
	*) show_run; fail "$1: no back ends listed"; return 1 ;;
	esac
	[ -z "$ERR" ] || { show_run; fail "$1: stderr"; return 1; }
}

t_tier_pointers_debugfs() {
	local r=$PWD/root dbg=$PWD/root/sys/kernel/debug
	# debugfs has them: shown (t_tier_list_json/_table check the values)
	fake_tiers "$r"
	SWAPCTL_SYSROOT=$r run tier list -j
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >p.json
	json_check p.json 'd["pointers"] == {"records": 3, "bytes": 6216}' || return 1
	# the sysfs directory no longer has them: files there are not read
	fake_tiers "$r"
	mv "$dbg/swap_tier/pointer_records" "$dbg/swap_tier/pointer_bytes" \
		"$r/sys/kernel/mm/swap_tier/"
	pointers_null "files in sysfs only" || return 1
	# a kernel without the files in debugfs
	fake_tiers "$r"
	rm "$dbg/swap_tier/pointer_records" "$dbg/swap_tier/pointer_bytes"
	pointers_null "no files" || return 1
	# debugfs without swap_tier/
	fake_tiers "$r"
	rm -r "$dbg/swap_tier"
	pointers_null "no debugfs swap_tier/" || return 1
	# debugfs not mounted (an empty mount point), or no mount point at all
	fake_tiers "$r"
	rm -r "${dbg:?}"/*
	pointers_null "debugfs not mounted" || return 1
	rm -r "$dbg"
	pointers_null "no /sys/kernel/debug" || return 1
	# debugfs not readable (root only): only testable as non-root
	if [ "$(id -u)" -ne 0 ]; then
		fake_tiers "$r"
		chmod 000 "$dbg"
		pointers_null "debugfs unreadable"
		local rc=$?
		chmod 755 "$dbg"
		[ "$rc" -eq 0 ] || return 1
	fi
	return 0
}

t_tier_no_sysfs() {
	local r=$PWD/root args
	fake_root "$r"
	for args in "tier list" "tier list -j" "tier add /dev/vdb --tier ssd" "tier remove /dev/vdb" \
		    "tier drain /dev/vdb" "-j tier drain /dev/vdb" "tier set ssd --high 80" "tier set --interval 500"; do
		# shellcheck disable=SC2086
		SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run $args
		expect_error 8 tier || { fail "$args"; return 1; }
		expect_err_contains "kernel has no swap tiers ($r/sys/kernel/mm/swap_tier missing)" ||
			{ fail "$args"; return 1; }
	done
	# status does not need tiers
	SWAPCTL_SYSROOT=$r run status -j
	expect_rc 0
}

t_tier_add_host() {
	[ ! -e /sys/kernel/mm/swap_tier ] ||
		{ SKIP_REASON="this kernel has swap tiers"; return 77; }
	write_swap_sig be 16 SWAPSPACE2
	run tier add be --tier ssd
	expect_error 8 tier || return 1
	expect_err_contains "kernel has no swap tiers (/sys/kernel/mm/swap_tier missing)" || return 1
	run tier list
	expect_error 8 tier || return 1
	run tier remove be
	expect_error 8 tier
}

# flags the brief fixes: SWAP_FLAG_BACKEND 0x100000, tier << 21,
# SWAP_FLAG_PREFER 0x8000 | prio
t_tier_add_flags() {
	local r=$PWD/root spec name idx prio want got
	fake_tiers "$r"
	for spec in ssd:1: ssd:1:0 hdd:2:7 hdd:2:32767 tier7:7: tier7:7:1; do
		IFS=: read -r name idx prio <<<"$spec"
		want=$((0x100000 | idx << 21))
		[ -n "$prio" ] && want=$((want | 0x8000 | prio))
		want=$(printf '0x%08x' "$want")
		if [ -n "$prio" ]; then
			SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run tier add /dev/vdz --tier "$name" --prio "$prio"
		else
			SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run tier add /dev/vdz --tier "$name"
		fi
		expect_rc 0 || { fail "$spec"; return 1; }
		got=$(printf '%s\n' "$ERR" | sed -n 's|^swapctl: /dev/vdz: dry run: swapon flags \(0x[0-9a-f]*\)$|\1|p')
		[ "$got" = "$want" ] || { show_run; fail "$spec: flags $got, expected $want"; return 1; }
		case "$OUT" in
		"/dev/vdz: back end of tier $name (index $idx), priority ${prio:-chosen by the kernel}") ;;
		*) show_run; fail "$spec: summary"; return 1 ;;
		esac
	done
	# short options and JSON
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run -j tier add -t hdd -P 3 /dev/vdz
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >a.json
	json_check a.json 'd == {"path": "/dev/vdz", "tier": "hdd", "index": 2, "priority": 3}' || return 1
	case "$ERR" in *"flags 0x00508003") ;; *) show_run; fail "flags"; return 1 ;; esac
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run tier add /dev/vdz --tier ssd -j
	printf '%s\n' "$OUT" >b.json
	json_check b.json 'd["priority"] is None' || return 1
	# SWAPCTL_DRY_RUN=0 or empty is normal operation: a real swapon,
	# which fails here (no such file)
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=0 run tier add "$PWD/nofile" --tier ssd
	expect_error 4 "$PWD/nofile" || return 1
	expect_err_contains "swapon failed" || return 1
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=bogus run tier add /dev/vdz --tier ssd
	expect_error 16 SWAPCTL_DRY_RUN
}

t_tier_add_errors() {
	local r=$PWD/root
	fake_tiers "$r"
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=EINVAL run tier add /dev/vdz --tier ssd
	expect_dry_error 4 /dev/vdz "swapon flags" || return 1
	expect_err_contains "mkswap" || return 1
	expect_err_contains "Invalid argument" || return 1
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=EBUSY run tier add /dev/vdz --tier ssd
	expect_dry_error 4 /dev/vdz "swapon flags" || return 1
	expect_err_contains "already an active swap area" || return 1
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=EPERM run tier add /dev/vdz --tier ssd
	expect_dry_error 4 /dev/vdz "swapon flags" || return 1
	expect_err_contains "CAP_SYS_ADMIN" || return 1
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=ENOENT run tier add /dev/vdz --tier ssd
	expect_dry_error 4 /dev/vdz "swapon flags" || return 1
	expect_err_contains "No such file or directory"
}

t_tier_add_unknown() {
	local r=$PWD/root
	fake_tiers "$r"
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run tier add /dev/vdz --tier nvme
	expect_error 16 "--tier nvme" || return 1
	expect_err_contains "unknown tier (valid tiers: ssd, hdd, tier7)" || return 1
	# a directory that is not a tier is not a tier name
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run tier add /dev/vdz --tier power
	expect_error 16 "--tier power" || return 1
	# no device tiers at all
	rm -rf "$r/sys/kernel/mm/swap_tier"/*
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run tier add /dev/vdz --tier ssd
	expect_error 16 "--tier ssd" || return 1
	expect_err_contains "no device tiers"
}

t_tier_add_zswap() {
	local r=$PWD/root
	fake_tiers "$r"
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run tier add /dev/vdz --tier zswap
	expect_error 16 "--tier zswap" || return 1
	expect_err_contains "not a device tier" || return 1
	# whatever the kernel
	run tier add /dev/vdz --tier zswap
	expect_error 16 "--tier zswap"
}

t_tier_remove() {
	local r=$PWD/root d=$PWD/root/sys/kernel/mm/swap_tier
	fake_tiers "$r"
	# a real file listed under a name with an escaped space, removed
	# through a symbolic link: matched by device and inode
	write_swap_sig "$PWD/back end" 16 SWAPSPACE2
	ln -s "$PWD/back end" alias
	printf '%s\\040end\n' "$PWD/back" >>"$d/ssd/devices"
	printf '%s\\040end\t\tfile\t\t64\t\t12\t\t3\n' "$PWD/back" >>"$r/proc/swaps"
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run tier remove alias
	expect_rc 0 || return 1
	[ "$ERR" = "swapctl: alias: dry run: swapoff" ] || { show_run; fail "dry-run line"; return 1; }
	[ "$OUT" = "alias: removed from tier ssd (index 1)" ] || { show_run; fail "summary"; return 1; }
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run -j tier remove alias
	printf '%s\n' "$OUT" >r.json
	json_check r.json 'd == {"path": "alias", "tier": "ssd", "index": 1}' || return 1
	# busy: the page count from /proc/swaps (12 KiB used)
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=EBUSY run tier remove alias
	expect_dry_error 4 alias swapoff || return 1
	expect_err_contains "still holds $((12 * 1024 / PAGE)) pages; drain it first" || return 1
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=EBUSY run tier remove /dev/vdb
	expect_dry_error 4 /dev/vdb swapoff || return 1
	expect_err_contains "still holds $((1024 / PAGE)) pages" || return 1
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=EPERM run tier remove /dev/vdb
	expect_dry_error 4 /dev/vdb swapoff || return 1
	expect_err_contains "CAP_SYS_ADMIN" || return 1
	# a listed name that cannot be looked up: compared as a string
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run tier remove "/gone away"
	expect_rc 0 || return 1
	[ "$OUT" = "/gone away: removed from tier hdd (index 2)" ] || { show_run; fail "by name"; return 1; }
}

t_tier_remove_not_backend() {
	local r=$PWD/root p
	fake_tiers "$r"
	write_swap_sig other 16 SWAPSPACE2
	# the ghost front end, an area no tier lists, a path that does not
	# exist: refused before any swapoff (the dry run would say so)
	printf '%s\t\tfile\t\t64\t\t0\t\t-5\n' "$PWD/other" >>"$r/proc/swaps"
	for p in '/srv/my ghost	tab' "$PWD/other" /nonexistent /var/swapfile/x; do
		SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run tier remove "$p"
		expect_error 8 "$p" || { fail "$p"; return 1; }
		expect_err_contains "not a back end" || return 1
	done
}

t_tier_bad_sysfs() {
	local r=$PWD/root d=$PWD/root/sys/kernel/mm/swap_tier v
	for v in 0 8 -1 x 1.5 ""; do
		fake_tiers "$r"
		printf '%s\n' "$v" >"$d/ssd/index"
		SWAPCTL_SYSROOT=$r run tier list
		expect_error 8 "$d/ssd/index" || { fail "index '$v'"; return 1; }
		# status reads the tiers too
		SWAPCTL_SYSROOT=$r run status -j
		expect_error 8 "$d/ssd/index" || { fail "status, index '$v'"; return 1; }
	done
	fake_tiers "$r"
	echo 1 >"$d/hdd/index"
	SWAPCTL_SYSROOT=$r run tier list
	expect_error 8 "$d" || return 1
	expect_err_contains "same index 1" || return 1
	fake_tiers "$r"
	echo lots >"$d/hdd/used_pages"
	SWAPCTL_SYSROOT=$r run tier list -j
	expect_error 8 "$d/hdd/used_pages" || return 1
	# debugfs has the pointer figures, but not numbers
	for v in lots -1 1.5 ""; do
		fake_tiers "$r"
		printf '%s\n' "$v" >"$r/sys/kernel/debug/swap_tier/pointer_bytes"
		SWAPCTL_SYSROOT=$r run tier list -j
		expect_error 8 "$r/sys/kernel/debug/swap_tier/pointer_bytes" ||
			{ fail "pointer_bytes '$v'"; return 1; }
	done
	fake_tiers "$r"
	echo 18446744073709551615 >"$d/hdd/capacity_pages"
	SWAPCTL_SYSROOT=$r run tier list -j
	expect_error 8 "$d/hdd" || return 1
	# a tier list without /proc/swaps cannot size the back ends
	fake_tiers "$r"
	rm "$r/proc/swaps"
	SWAPCTL_SYSROOT=$r run tier list
	expect_error 4 "$r/proc/swaps"
}

t_tier_args() {
	local r=$PWD/root
	fake_tiers "$r"
	export SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1
	run tier
	expect_error 16 tier || return 1
	run tier frobnicate
	expect_error 16 frobnicate || return 1
	run tier add
	expect_error 16 "tier add" || return 1
	run tier add /dev/vdz
	expect_error 16 "tier add" || return 1
	expect_err_contains "--tier" || return 1
	run tier add "" --tier ssd
	expect_error 16 "tier add" || return 1
	run tier add /dev/vdz /dev/vdy --tier ssd
	expect_error 16 /dev/vdy || return 1
	run tier add /dev/vdz --tier
	expect_error 16 --tier || return 1
	for p in -1 32768 99999999999999999999 abc 1x ""; do
		run tier add /dev/vdz --tier ssd --prio "$p"
		expect_error 16 "--prio $p" || return 1
		expect_err_contains "0 to 32767" || return 1
	done
	run tier add /dev/vdz --tier ssd --bogus
	expect_error 16 --bogus || return 1
	run tier remove
	expect_error 16 "tier remove" || return 1
	run tier remove /dev/vdb /dev/vdc
	expect_error 16 /dev/vdc || return 1
	run tier remove /dev/vdb --tier ssd
	expect_error 16 --tier || return 1
	run tier list extra
	expect_error 16 extra || return 1
	run tier list --prio 1
	expect_error 16 --prio || return 1
	# help
	expect_usage "tier add { DEV | FILE } --tier NAME" "tier help" "tier -h" \
		"tier add -h" "tier remove --help" "tier list -h" "help" || return 1
}

t_tier_list_no_demotion() {
	local r=$PWD/root d=$PWD/root/sys/kernel/mm/swap_tier
	fake_tiers "$r"
	# a kernel without demotion: null and '-', not an error
	rm "$d"/ssd/{demoted,drained}_pages "$d"/ssd/{high,low}_watermark_pct \
	   "$d"/hdd/{demoted,drained}_pages "$d"/hdd/{high,low}_watermark_pct \
	   "$d/demote_interval_ms" "$d/drain"
	SWAPCTL_SYSROOT=$r run tier list -j
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >l.json
	json_check l.json 'd["demote_interval_ms"] is None' \
		'all(t[k] is None for t in d["tiers"] for k in ("demoted_pages", "drained_pages", "high_watermark_pct", "low_watermark_pct"))' \
		'd["tiers"][1]["written_pages"] == 100' || return 1
	SWAPCTL_SYSROOT=$r run tier list
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >t.txt
	expect_line -E '^ssd +1 +1 .* +100 +50 +0 +1( +-){4}$' "ssd row" || return 1
	if grep -q 'demotion interval' t.txt; then
		show_run
		fail "interval line without demote_interval_ms"
		return 1
	fi
	# unexpected data in the new files is an error as in the others
	fake_tiers "$r"
	echo lots >"$d/ssd/drained_pages"
	SWAPCTL_SYSROOT=$r run tier list
	expect_error 8 "$d/ssd/drained_pages" || return 1
	fake_tiers "$r"
	echo -1 >"$d/demote_interval_ms"
	SWAPCTL_SYSROOT=$r run tier list -j
	expect_error 8 "$d/demote_interval_ms"
}

# tier list / show: zswap and the tiers with back ends or changed
# watermarks; --all every tier
t_tier_list_filter() {
	local r=$PWD/root d=$PWD/root/sys/kernel/mm/swap_tier
	fake_tiers "$r"
	# tier3: nothing changed; tier4: low watermark changed; tier5: high;
	# tier6: watermark demotion off
	tier_files "$d/tier3" 3 0 1000 0 0 0 0 0
	move_files "$d/tier3" 0 0 90 75
	tier_files "$d/tier4" 4 0 1000 0 0 0 0 0
	move_files "$d/tier4" 0 0 90 60
	tier_files "$d/tier5" 5 0 1000 0 0 0 0 0
	move_files "$d/tier5" 0 0 95 75
	tier_files "$d/tier6" 6 0 1000 0 0 0 0 0
	move_files "$d/tier6" 0 0 0 75
	SWAPCTL_SYSROOT=$r run tier list -j
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >l.json
	json_check l.json '[t["name"] for t in d["tiers"]] == ["zswap", "ssd", "hdd", "tier4", "tier5", "tier6"]' \
		'd["demote_interval_ms"] == 1000' || return 1
	SWAPCTL_SYSROOT=$r run -j tier show --all
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >a.json
	json_check a.json '[t["name"] for t in d["tiers"]] == ["zswap", "ssd", "hdd", "tier3", "tier4", "tier5", "tier6", "tier7"]' || return 1
	SWAPCTL_SYSROOT=$r run tier list
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >t.txt
	[ "$(grep -Eo '^(zswap|ssd|hdd|tier[0-9]) ' t.txt | tr -d ' ' | tr '\n' ,)" = "zswap,ssd,hdd,tier4,tier5,tier6," ] ||
		{ show_run; fail "rows"; return 1; }
	expect_line -x 'not shown (no back ends, default watermarks): tier3, tier7; see --all' "no 'not shown' line" || return 1
	SWAPCTL_SYSROOT=$r run tier list -a
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >t.txt
	[ "$(grep -Eo '^(zswap|ssd|hdd|tier[0-9]) ' t.txt | tr -d ' ' | tr '\n' ,)" = "zswap,ssd,hdd,tier3,tier4,tier5,tier6,tier7," ] ||
		{ show_run; fail "rows with -a"; return 1; }
	! grep -q 'not shown' t.txt || { show_run; fail "'not shown' with -a"; return 1; }
	# a back end is enough; nothing to hide: no line
	rm -r "$d/tier3" "$d/tier7"
	SWAPCTL_SYSROOT=$r run tier list
	expect_rc 0 || return 1
	case "$OUT" in *"not shown"*) show_run; fail "'not shown' with nothing hidden"; return 1 ;; esac
	SWAPCTL_SYSROOT=$r run tier help
	expect_line -F "tier { list | show } [--all] [-j [-p]]" "help" || return 1
	SWAPCTL_SYSROOT=$r run tier list --all extra
	expect_error 16 extra
}

TESTS=(
	"t_tier_list_json|tier list -j: zswap and device tiers in index order, devices, nulls"
	"t_tier_list_table|tier list table: tier rows, back-end rows with escapes"
	"t_tier_no_sysfs|no /sys/kernel/mm/swap_tier: tier commands exit 8, status works"
	"t_tier_add_host|tier add on this host: kernel has no swap tiers (8)"
	"t_tier_add_flags|tier add builds the swapon flags (SWAPCTL_DRY_RUN)"
	"t_tier_add_errors|tier add explains EINVAL, EBUSY, EPERM (4)"
	"t_tier_add_unknown|unknown tier name lists the valid names (16)"
	"t_tier_add_zswap|--tier zswap is refused: not a device tier (16)"
	"t_tier_remove|tier remove matches by inode or name; EBUSY gives the page count"
	"t_tier_remove_not_backend|tier remove of a non-back-end is refused (8)"
	"t_tier_bad_sysfs|unexpected tier sysfs data exits 8"
	"t_tier_pointers_debugfs|tier list: back-end pointer figures from debugfs, unknown (not an error) without them"
	"t_tier_args|tier argument errors (16) and help"
	"t_tier_list_no_demotion|tier list on a kernel without demotion: null and '-'; bad values exit 8"
	"t_tier_list_filter|tier list shows zswap and tiers with back ends or changed watermarks; --all all"
)

run_tests "$@"
