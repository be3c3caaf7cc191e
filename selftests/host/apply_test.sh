#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side tests of 'swapctl apply': the configuration file's syntax and
# its errors (file and line), the steps a file asks for against a fake
# system (SWAPCTL_SYSROOT, fake_tiers), --dry-run changing nothing, a
# second run changing nothing, a failing step stopping the run with what
# came before it done and nothing after it tried (SWAPCTL_DRY_RUN faking
# the system calls and their errors), -j, argument errors.  The real
# thing, in a VM, is selftests/vm/apply_test.c.
# No swaptier kernel needed.  Prints TAP.
#
# Environment, helpers and runner: lib.sh.
#
#   selftests/host/apply_test.sh [TEST...]   (TEST: a function name, t_...)
#
# Exit status: 0 iff no test failed.

# shellcheck source=selftests/host/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 1

TIERS=sys/kernel/mm/swap_tier

# conf FILE LINE...: FILE holds the lines
conf() {
	local f=$1
	shift
	printf '%s\n' "$@" >"$f"
}

# expect_out LINE...: stdout is exactly these lines
expect_out() {
	local want
	want=$(printf '%s\n' "$@")
	[ "$OUT" = "$want" ] && return 0
	show_run
	diag "expected stdout:" "$want"
	diag "diff (expected, got):" "$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$OUT"))"
	return 1
}

# wmarks_are R HIGH LOW INTERVAL: the fake ssd's watermarks and the interval
wmarks_are() {
	local got
	got="$(cat "$1/$TIERS/ssd/high_watermark_pct") $(cat "$1/$TIERS/ssd/low_watermark_pct") $(cat "$1/$TIERS/demote_interval_ms")"
	[ "$got" = "$2 $3 $4" ] && return 0
	fail "ssd high, low, demote interval: '$got', expected '$2 $3 $4'"
}

# A system with the tiers of fake_tiers, a ghost file, a file to be a back
# end, and one back end of ssd already active ($PWD/active.img).
apply_fixture() {
	local r=$PWD/root
	fake_tiers "$r"
	: >ghost.img
	: >ssd.img
	: >active.img
	printf '%s\t\t%s\t\t%s\t\t%s\t\t%s\n' "$PWD/active.img" file 1024 0 -5 \
		>>"$r/proc/swaps"
	printf '%s\n' "$PWD/active.img" >>"$r/$TIERS/ssd/devices"
	conf c.conf \
		'# a comment' \
		'[ghost]' \
		"path = $PWD/ghost.img   # trailing comment" \
		'priority = 100' \
		'' \
		'[tier ssd]' \
		"device = $PWD/ssd.img" \
		"device = $PWD/active.img" \
		'high = 80' \
		'low = 60' \
		'[demote]' \
		'interval = 500'
}

t_apply_usage() {
	run apply
	expect_error 16 apply || return 1
	expect_err_contains "missing FILE" || return 1
	run apply a.conf b.conf
	expect_error 16 b.conf || return 1
	expect_err_contains "unexpected argument" || return 1
	run apply --dry-run --watch a.conf
	expect_error 16 apply || return 1
	expect_err_contains "exclude each other" || return 1
	run apply --bogus a.conf
	expect_rc 16 || return 1
	run apply help
	expect_rc 0 || return 1
	case "$OUT" in
	*"Usage: "*" apply [--dry-run] [--watch] FILE"*) ;;
	*) show_run; fail "apply help shows no usage"; return 1 ;;
	esac
	run apply nonexistent.conf
	expect_error 4 nonexistent.conf || return 1
	expect_err_contains "cannot read" || return 1
}

# Each malformed file: exit 8, "FILE: line N: reason", nothing changed.
t_apply_conf_errors() {
	local r=$PWD/root case n=0
	fake_tiers "$r"
	while IFS='|' read -r case want; do
		[ -n "$case" ] || continue
		n=$((n + 1))
		printf '%b\n' "$case" >e.conf
		SWAPCTL_SYSROOT=$r run apply e.conf
		expect_error 8 e.conf || { fail "case $n: $case"; return 1; }
		expect_err_contains "$want" ||
			{ fail "case $n: $case"; return 1; }
	done <<'EOF'
path = /x|line 1: 'path' before the first [section]
[ghost|line 1: malformed section header '[ghost'
[ghost] x|line 1: malformed section header
[swap]|line 1: unknown section [swap]
[tier]|line 1: [tier] needs a name
[tier ssd]\n[tier ssd]|line 2: tier ssd appears twice
[demote x]|line 1: section [demote] takes no name
[ghost]\npath = relative|line 2: 'relative' is not an absolute path
[ghost]\npath = /a\npath = /b|line 3: path given twice in this section
[ghost]\npriority = 40000\npath = /a|line 2: priority: '40000' is not a number 0 .. 32767
[ghost]\npriority = -1\npath = /a|line 2: priority: '-1' is not a number
[ghost]\nsize = 1G|line 2: unknown key 'size' in [ghost]
[ghost]\npriority = 1|line 1: [ghost] without path
[tier ssd]\ndevice = dev/sda|line 2: device 'dev/sda' is not an absolute path
[tier ssd]\nhigh = 101|line 2: high: '101' is not a number 0 .. 100
[tier ssd]\nlow = 100|line 2: low: '100' is not a number 0 .. 99
[tier ssd]\nhigh = 50\nlow = 60|line 1: tier ssd: low (60) must be below high (50)
[tier ssd]\nweight = 1|line 2: unknown key 'weight' in [tier]
[tier ssd]\ndevice = /dev/a\n[tier hdd]\ndevice = /dev/b\ndevice = /dev/a|line 3: device /dev/a is named twice
[demote]\ninterval = 1s|line 2: interval: '1s' is not a number 0 .. 60000
[demote]\nperiod = 1|line 2: unknown key 'period' in [demote]
[policy]\ncgroup = /a|line 1: [policy] without name
[policy]\nname = a\nname = b|line 3: name given twice in this section
[policy]\nname = a\nset = x|line 3: set 'x' is not KEY=VALUE
[policy]\nname = a\ncgroup = a/b|line 3: 'a/b' is not an absolute path
[policy]\nname = a\nhook = place|line 3: unknown key 'hook' in [policy]
[policy]\nname = a\n[policy]\nname = b|line 3: a second policy for the global target (the first at line 1)
[policy]\nname = a\ncgroup = /x\n[policy]\nname = b\ncgroup = /x|line 4: a second policy for /x (the first at line 1)
[ghost]\njust words|line 2: expected 'key = value', got 'just words'
[ghost]\n= /x|line 2: empty key or value
[ghost]\npath =|line 2: empty key or value
EOF
	wmarks_are "$r" 90 75 1000
}

# --dry-run: every step it would take, the one already done, nothing
# changed and no system call made (no "dry run:" call on stderr).
t_apply_dry_run() {
	local r=$PWD/root
	apply_fixture
	SWAPCTL_SYSROOT=$r run apply --dry-run c.conf
	expect_rc 0 || return 1
	[ -z "$ERR" ] || { show_run; fail "stderr not empty"; return 1; }
	expect_out \
		"would     ghost $PWD/ghost.img: swap on (priority 100)" \
		"would     tier ssd: $PWD/ssd.img: add as a back end" \
		"unchanged tier ssd: $PWD/active.img: back end" \
		"would     tier ssd: set watermarks high 80% low 60%" \
		"would     demote: set interval 500 ms" \
		"c.conf: 4 to do, 1 unchanged (dry run: nothing changed)" ||
		return 1
	wmarks_are "$r" 90 75 1000
}

# The steps, with the system calls and sysfs writes faked: each reported
# once, in the file's order, each call the expected one; a second run
# finding the tunables as the file says leaves them (unchanged).
t_apply_steps_and_again() {
	local r=$PWD/root
	apply_fixture
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run apply c.conf
	expect_rc 0 || return 1
	expect_out \
		"done      ghost $PWD/ghost.img: swap on (priority 100)" \
		"done      tier ssd: $PWD/ssd.img: add as a back end" \
		"unchanged tier ssd: $PWD/active.img: back end" \
		"done      tier ssd: set watermarks high 80% low 60%" \
		"done      demote: set interval 500 ms" \
		"c.conf: 4 done, 1 unchanged" || return 1
	# the calls: swapon of the ghost with its priority (SWAP_FLAG_PREFER
	# | 100), swapon of the back end with SWAP_FLAG_BACKEND and tier 1 (as
	# 'tier add' makes it)
	case "$ERR" in
	*"ghost.img: dry run: swapon flags 0x00008064"*"ssd.img: dry run: swapon flags 0x00300000"*) ;;
	*) show_run; fail "the faked system calls are not the expected ones"; return 1 ;;
	esac
	case "$ERR" in
	*"ssd/low_watermark_pct: dry run: write 60"*"ssd/high_watermark_pct: dry run: write 80"*"demote_interval_ms: dry run: write 500"*) ;;
	*) show_run; fail "the sysfs writes are not the expected ones"; return 1 ;;
	esac
	# faked: nothing written
	wmarks_are "$r" 90 75 1000 || return 1
	# again, the tunables as the file says (what the writes would have
	# done): unchanged, and not written again
	echo 80 >"$r/$TIERS/ssd/high_watermark_pct"
	echo 60 >"$r/$TIERS/ssd/low_watermark_pct"
	echo 500 >"$r/$TIERS/demote_interval_ms"
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run apply c.conf
	expect_rc 0 || return 1
	case "$OUT" in
	*"unchanged tier ssd: watermarks high 80% low 60%"*"unchanged demote: interval 500 ms"*) ;;
	*) show_run; fail "second run changed the tunables again"; return 1 ;;
	esac
	case "$ERR" in
	*"dry run: write"*) show_run; fail "second run wrote to sysfs"; return 1 ;;
	esac
}

# A step that fails stops the run: nothing after it is tried.
t_apply_stops_at_failure() {
	local r=$PWD/root
	apply_fixture
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=EBUSY run apply c.conf
	expect_rc 4 || return 1
	[ -z "$OUT" ] || { show_run; fail "a step was reported done"; return 1; }
	expect_err_contains "ghost.img: cannot swap on the ghost swapfile: Device or resource busy" || return 1
	expect_err_contains "c.conf: stopped after 0 steps done; none after the failing one was tried" || return 1
	case "$ERR" in
	*ssd.img*) show_run; fail "a step after the failing one was tried"; return 1 ;;
	esac
	wmarks_are "$r" 90 75 1000 || return 1
	# -j: the same, as one document with complete false
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=EBUSY run -j apply c.conf
	expect_rc 4 || return 1
	printf '%s\n' "$OUT" >f.json
	json_check f.json 'd["complete"] is False' 'd["steps"] == []' \
		'd["done"] == 0' || return 1
}

t_apply_json() {
	local r=$PWD/root
	apply_fixture
	SWAPCTL_SYSROOT=$r run -j apply --dry-run c.conf
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >d.json
	json_check d.json \
		"d['file'] == 'c.conf'" 'd["dry_run"] is True' \
		'd["complete"] is True' 'd["would"] == 4' 'd["unchanged"] == 1' \
		'd["done"] == 0' \
		'[s["state"] for s in d["steps"]] == ["would", "would", "unchanged", "would", "would"]' \
		"d['steps'][1] == {'object': 'tier ssd: $PWD/ssd.img', 'action': 'add as a back end', 'state': 'would'}" \
		'all(set(s) == {"object", "action", "state"} for s in d["steps"])'
}

# What is active, but not as the file says: a clear error, nothing done.
t_apply_conflicts() {
	local r=$PWD/root
	apply_fixture
	printf '%s\t\t%s\t\t%s\t\t%s\t\t%s\n' "$PWD/plain.img" file 1024 0 -6 \
		>>"$r/proc/swaps"
	: >plain.img
	conf p.conf '[ghost]' "path = $PWD/plain.img"
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run apply p.conf
	expect_rc 32 || return 1
	expect_err_contains "ghost $PWD/plain.img: is active, but as a disk swap area, not a ghost swapfile" || return 1
	# a back end of another tier
	conf h.conf '[tier hdd]' "device = $PWD/active.img"
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run apply h.conf
	expect_rc 32 || return 1
	expect_err_contains "is a back end of tier ssd; remove it from there first" || return 1
	# an active plain swap area as a back end
	conf s.conf '[tier ssd]' "device = $PWD/plain.img"
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run apply s.conf
	expect_rc 32 || return 1
	expect_err_contains "is active as a plain swap area; swap it off first" || return 1
	# a ghost file that does not exist
	conf m.conf '[ghost]' "path = $PWD/missing.img"
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run apply m.conf
	expect_rc 4 || return 1
	expect_err_contains "ghost create" || return 1
	wmarks_are "$r" 90 75 1000
}

t_apply_tiers_missing() {
	local r=$PWD/root
	apply_fixture
	conf u.conf '[tier nvme]' 'high = 50'
	SWAPCTL_SYSROOT=$r run apply u.conf
	expect_rc 8 || return 1
	expect_err_contains "u.conf: line 1: no tier nvme in" || return 1
	rm -rf "${r:?}/$TIERS"
	conf t.conf '[tier ssd]' 'high = 50'
	SWAPCTL_SYSROOT=$r run apply t.conf
	expect_rc 8 || return 1
	expect_err_contains "the kernel has no swap tiers" || return 1
	# a file without tiers or policies needs neither
	conf g.conf '[ghost]' "path = $PWD/ghost.img"
	SWAPCTL_SYSROOT=$r run apply --dry-run g.conf
	expect_rc 0 || return 1
	expect_out "would     ghost $PWD/ghost.img: swap on" \
		"g.conf: 1 to do, 0 unchanged (dry run: nothing changed)"
}

# Policies: the global one and one per cgroup path (from the root of the
# hierarchy); a cgroup that does not exist yet is left for --watch.
t_apply_policies_dry_run() {
	policy_objs || return $?
	fake_root "$PWD/root" minimal
	policy_env "$PWD"
	conf pol.conf '[policy]' 'name = tp' 'set = max_pct=10' \
		'[policy]' 'name = tp' 'cgroup = /a/b' \
		'[policy]' 'name = tp' 'cgroup = /later'
	run apply --dry-run pol.conf
	expect_rc 0 || return 1
	expect_out \
		"would     policy global: load tp" \
		"would     policy /a/b: load tp" \
		"unchanged policy /later: tp: no such cgroup yet" \
		"pol.conf: 2 to do, 1 unchanged (dry run: nothing changed)" ||
		return 1
	# one attached already: replaced, as the state file does not know it
	sysfs_policy global other 0 none
	run apply --dry-run pol.conf
	expect_rc 0 || return 1
	case "$OUT" in
	"would     policy global: replace tp, now other"*) ;;
	*) show_run; fail "an attached policy of another name is not replaced"; return 1 ;;
	esac
	# a tunable the policy does not have: the attach step fails, clearly
	conf bad.conf '[policy]' 'name = tp' 'set = nosuch=1'
	rm -rf "${POLICIES:?}/global"
	SWAPCTL_DRY_RUN=1 run apply bad.conf
	expect_rc 16 || return 1
	expect_err_contains "tp: --set nosuch: unknown tunable" || return 1
	expect_err_contains "bad.conf: stopped after 0 steps done" || return 1
}

t_apply_prod_ignores_hooks() {
	# the production binary must not read the sysroot: with a fake system
	# that has a tier "fake", the real one (none on the build host, or
	# other tiers) answers
	local r=$PWD/root
	fake_tiers "$r"
	mkdir -p "$r/$TIERS/fake"
	echo 5 >"$r/$TIERS/fake/index"
	conf f.conf '[tier fake]' 'high = 50'
	SWAPCTL_SYSROOT=$r run_prod apply --dry-run f.conf
	expect_rc 8 || return 1
	case "$ERR" in
	*"no tier fake"* | *"the kernel has no swap tiers"*) ;;
	*) show_run; fail "unexpected error"; return 1 ;;
	esac
}

TESTS=(
	"t_apply_usage|apply: usage errors, help, a missing file"
	"t_apply_conf_errors|apply: malformed files fail with file and line, nothing changed"
	"t_apply_dry_run|apply --dry-run: what it would do, nothing changed"
	"t_apply_steps_and_again|apply: steps in order; a second run leaves the tunables"
	"t_apply_stops_at_failure|apply: the first failing step stops the run"
	"t_apply_json|apply -j: steps and counts"
	"t_apply_conflicts|apply: active areas not as the file says are refused"
	"t_apply_tiers_missing|apply: unknown tier, a kernel without tiers"
	"t_apply_policies_dry_run|apply: policies global, per cgroup, for a later cgroup"
	"t_apply_prod_ignores_hooks|apply: the production build ignores SWAPCTL_SYSROOT"
)
run_tests "$@"
