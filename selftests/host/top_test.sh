#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side tests of 'swapctl top' (no swaptier kernel needed).  Prints
# TAP.  A fake cgroup v2 tree under SWAPCTL_SYSROOT (three memory cgroups
# and one directory that is not one) holds known memory.stat,
# memory.swap.current and memory.pressure values; the tiers are lib.sh's
# fake_tiers.
#
# The environment, the helpers, the fixtures and the runner are lib.sh's.
#
#   SWAPCTL, SWAPCTL_TEST, PYTHON   as for lib.sh
#
#   selftests/host/top_test.sh [TEST...]   (TEST: a function name)
#
# Exit status: 0 iff no test failed.

# shellcheck source=selftests/host/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 1

# ---------------------------------------------------------------- fixture

# cg DIR ANON FILE ZSWAPPED PSWPIN PSWPOUT ZSWPIN ZSWPOUT REJECTS SWAP SOME FULL
cg() {
	local d=$SWAPCTL_SYSROOT/sys/fs/cgroup$1
	mkdir -p "$d"
	printf 'anon %s\nfile %s\nkernel 7\nzswap 1\nzswapped %s\npswpin %s\npswpout %s\nzswpin %s\nzswpout %s\nswpout_ghost_reject %s\n' \
		"$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" >"$d/memory.stat"
	echo "${10}" >"$d/memory.swap.current"
	printf 'some avg10=%s avg60=0.00 avg300=0.00 total=1\nfull avg10=%s avg60=0.00 avg300=0.00 total=1\n' \
		"${11}" "${12}" >"$d/memory.pressure"
}

# cg2_mount ROOT [MNT]: /proc/self/mounts under ROOT names MNT (default
# /sys/fs/cgroup) as the cgroup v2 hierarchy, after a cgroup v1 line
cg2_mount() {
	mkdir -p "$1/proc/self"
	printf 'cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\ncgroup2 %s cgroup2 rw,nosuid 0 0\n' \
		"${2:-/sys/fs/cgroup}" >"$1/proc/self/mounts"
}

# the root, /a (resident 4000), /a/x (200), /b (5000); /nomem is not a
# memory cgroup (no memory.stat)
top_fixture() {
	export SWAPCTL_SYSROOT=$PWD/root
	fake_tiers "$SWAPCTL_SYSROOT"
	cg2_mount "$SWAPCTL_SYSROOT"
	cg "" 1000 1000 0 0 0 0 0 0 0 0.00 0.00
	cg /a 3000 1000 500 10 20 1 2 3 4096 1.50 0.25
	cg /a/x 100 100 200 1 2 0 0 0 0 0.00 0.00
	cg /b 5000 0 100 5 5 0 0 9 8192 12.34 10.00
	mkdir -p "$SWAPCTL_SYSROOT/sys/fs/cgroup/nomem/deep"
	# back-end tiers: every key on /a and /b, none on /a/x (an older kernel)
	printf 'swaptier_%s 0\n' ssd hdd tier3 tier4 tier5 tier6 tier7 \
		>>"$SWAPCTL_SYSROOT/sys/fs/cgroup/memory.stat"
	printf 'swaptier_ssd 8192\nswaptier_hdd 0\nswaptier_tier3 0\nswaptier_tier4 0\nswaptier_tier5 0\nswaptier_tier6 0\nswaptier_tier7 12288\n' \
		>>"$SWAPCTL_SYSROOT/sys/fs/cgroup/a/memory.stat"
	printf 'swaptier_ssd 4096\nswaptier_hdd 16384\nswaptier_tier3 0\nswaptier_tier4 0\nswaptier_tier5 0\nswaptier_tier6 0\nswaptier_tier7 0\n' \
		>>"$SWAPCTL_SYSROOT/sys/fs/cgroup/b/memory.stat"
}

paths() {
	"$PYTHON" -c 'import json,sys; print(" ".join(c["path"] for c in json.load(open(sys.argv[1]))["cgroups"]))' "$1"
}

# expect_order ARGS... -- WANT: the cgroup paths of "top --once --interval 0 -j ARGS"
expect_order() {
	local args=() got
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	run top --once --interval 0 -j "${args[@]}"
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >o.json
	got=$(paths o.json)
	[ "$got" = "$*" ] || fail "top ${args[*]}: order '$got', expected '$*'"
}

# ------------------------------------------------------------------ tests

t_top_values() {
	top_fixture
	run top --once --interval 0 -j
	expect_rc 0 || return 1
	[ -z "$ERR" ] || { fail "stderr: $ERR"; return 1; }
	printf '%s\n' "$OUT" >o.json
	json_check o.json \
		'd["interval_s"] == 0' \
		'[c["path"] for c in d["cgroups"]] == ["/b", "/a", "/", "/a/x"]' \
		'd["cgroups"][1] == {"path": "/a", "resident_bytes": 4000, "zswap_bytes": 500, "swap_bytes": 4096, "swapin_pages": 11, "swapout_pages": 22, "swapin_pages_per_s": None, "swapout_pages_per_s": None, "rejects": 3, "tier_bytes": {"ssd": 8192, "hdd": 0, "tier3": 0, "tier4": 0, "tier5": 0, "tier6": 0, "tier7": 12288}, "psi_some_avg10_x100": 150, "psi_full_avg10_x100": 25}' \
		'd["cgroups"][0]["tier_bytes"]["hdd"] == 16384' \
		'set(d["cgroups"][3]["tier_bytes"].values()) == {None}' \
		'd["cgroups"][0]["psi_some_avg10_x100"] == 1234 and d["cgroups"][0]["psi_full_avg10_x100"] == 1000' \
		'd["cgroups"][0]["rejects"] == 9 and d["cgroups"][0]["swap_bytes"] == 8192' \
		"[t['name'] for t in d['tiers']] == ['zswap', 'ssd', 'hdd', 'tier7']" \
		"d['tiers'][1]['used_bytes'] == 512 * $PAGE and d['tiers'][1]['capacity_bytes'] == 262144 * $PAGE" \
		"d['tiers'][2]['used_bytes'] == 2048 * $PAGE" || return 1
	# the table: same figures
	run top --once --interval 0
	expect_rc 0 || return 1
	# a column per device tier "tier list" shows (ssd, hdd, tier7)
	expect_line -E '^RESIDENT +ZSWAP +SSD +HDD +TIER7 +SWAP +SWPIN/s' "table header" || return 1
	expect_line -E '^ +3\.9K +500B +8K +0B +12K +4K +- +- +3 +1\.50 +0\.25  /a$' "table row of /a" || return 1
	expect_line -E '^ +200B +200B +- +- +- +0B .*  /a/x$' "table row of /a/x (no tier keys)" || return 1
	expect_line 'ssd 2M/1G' "tier line" || return 1
	case "$OUT" in *$'\033'*) fail "escape sequence without a tty"; return 1 ;; esac
	case "$OUT" in *nomem*) fail "a directory without memory.stat is shown"; return 1 ;; esac
}

t_top_sort_count() {
	top_fixture
	expect_order -- /b /a / /a/x || return 1
	expect_order --sort resident -- /b /a / /a/x || return 1
	expect_order --sort zswap -- /a /a/x /b / || return 1
	expect_order --sort swap -- /b /a / /a/x || return 1
	expect_order --sort rejects -- /b /a / /a/x || return 1
	expect_order --sort psi -- /b /a / /a/x || return 1
	# a back-end tier: memory.stat swaptier_<tier>; missing counts as 0
	expect_order --sort ssd -- /a /b / /a/x || return 1
	expect_order --sort hdd -- /b / /a /a/x || return 1
	expect_order --sort tier7 -- /a / /a/x /b || return 1
	expect_order --sort tier3 -- / /a /a/x /b || return 1
	# no rates with --interval 0: all equal, by path
	expect_order --sort swapin -- / /a /a/x /b || return 1
	expect_order --sort zswap --count 2 -- /a /a/x || return 1
	expect_order --count 1 -- /b || return 1
	expect_order --count 99 -- /b /a / /a/x || return 1
	run top --once --interval 0 --count 2
	expect_rc 0 || return 1
	[ "$(printf '%s\n' "$OUT" | grep -c '  /')" -eq 2 ] || { show_run; fail "--count 2: table rows"; }
}

t_top_cgroup() {
	top_fixture
	expect_order --cgroup /a -- /a /a/x || return 1
	expect_order --cgroup /a/ -- /a /a/x || return 1
	expect_order --cgroup a -- /a /a/x || return 1
	expect_order --cgroup /a/x -- /a/x || return 1
	expect_order --cgroup / --sort zswap -- /a /a/x /b / || return 1
	run top --once --interval 0 --cgroup /nomem
	expect_error 8 /nomem || return 1
	expect_err_contains "not a memory cgroup" || return 1
	run top --once --interval 0 --cgroup /a/../b
	expect_error 16 --cgroup
}

# rates from two samples: a writer changes /a's and /b's counters between
# them (--interval 2: read at 0 s and at 2 s, written at about 0.7 s)
t_top_rates() {
	top_fixture
	(
		sleep 0.7
		cg /a 3000 1000 500 30 60 1 2 3 4096 1.50 0.25
		cg /b 5000 0 100 5 5 0 20 9 8192 12.34 10.00
		rm -rf "$SWAPCTL_SYSROOT/sys/fs/cgroup/a/x"
		cg /new 1 1 0 0 0 0 0 0 0 0.00 0.00
	) &
	run top --once --interval 2 -j --sort swapout
	wait
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >o.json
	json_check o.json \
		'd["interval_s"] == 2' \
		'[c["path"] for c in d["cgroups"]] == ["/a", "/b", "/", "/new"]' \
		'd["cgroups"][0]["swapin_pages_per_s"] == 10 and d["cgroups"][0]["swapout_pages_per_s"] == 20' \
		'd["cgroups"][0]["swapin_pages"] == 31 and d["cgroups"][0]["swapout_pages"] == 62' \
		'd["cgroups"][1]["swapin_pages_per_s"] == 0 and d["cgroups"][1]["swapout_pages_per_s"] == 10' \
		'd["cgroups"][2]["swapin_pages_per_s"] == 0' \
		'd["cgroups"][3]["swapin_pages_per_s"] is None' || return 1
	# a counter that went back (cgroup recreated): no rate
	(
		sleep 0.5
		cg /a 3000 1000 500 0 0 0 0 3 4096 1.50 0.25
	) &
	run top --once --interval 1 -j --cgroup /a
	wait
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >o.json
	json_check o.json 'd["cgroups"][0]["swapin_pages_per_s"] is None'
}

t_top_errors() {
	top_fixture
	run top --once --cgroup /nosuch
	expect_error 4 /nosuch || return 1
	expect_err_contains "no such cgroup" || return 1
	run top --once --cgroup /nosuch -j
	expect_error 4 /nosuch || return 1
	[ "$ERR_JSON" = '{"error":"/nosuch: no such cgroup: No such file or directory"}' ] ||
		{ fail "JSON error: $ERR_JSON"; return 1; }
	run top --once --sort zswap0
	expect_error 16 --sort || return 1
	expect_err_contains "unknown key 'zswap0'" || return 1
	expect_err_contains "a back-end tier: ssd, hdd, tier3 .. tier7" || return 1
	run -j top --once --sort bogus
	expect_error 16 --sort || return 1
	local a
	for a in x -1 3601 1.5 ""; do
		run top --once --interval "$a"
		expect_error 16 --interval || { fail "--interval '$a'"; return 1; }
	done
	run top --interval 0
	expect_error 16 --interval || return 1
	for a in 0 x -2; do
		run top --once --count "$a"
		expect_error 16 --count || { fail "--count '$a'"; return 1; }
	done
	run top --once --cgroup ""
	expect_error 16 --cgroup || return 1
	run top extra
	expect_error 16 extra || return 1
	run top --bogus
	expect_error 16 --bogus || return 1
	# malformed sources: exit 8 naming the file, nothing on stdout
	echo "pswpin 12x" >>"$SWAPCTL_SYSROOT/sys/fs/cgroup/b/memory.stat"
	run top --once --interval 0
	expect_error 8 "$SWAPCTL_SYSROOT/sys/fs/cgroup/b/memory.stat" || return 1
	cg /b 5000 0 100 5 5 0 0 9 8192 12.34 10.00
	echo "some avg10=x" >"$SWAPCTL_SYSROOT/sys/fs/cgroup/a/memory.pressure"
	run -j top --once --interval 0
	expect_error 8 "$SWAPCTL_SYSROOT/sys/fs/cgroup/a/memory.pressure" || return 1
	cg /a 3000 1000 500 10 20 1 2 3 4096 1.50 0.25
	echo lots >"$SWAPCTL_SYSROOT/sys/fs/cgroup/a/memory.swap.current"
	run top --once --interval 0
	expect_error 8 "$SWAPCTL_SYSROOT/sys/fs/cgroup/a/memory.swap.current"
}

# optional files missing: figures null, not an error; no tiers: empty list
t_top_optional_missing() {
	export SWAPCTL_SYSROOT=$PWD/root
	fake_root "$SWAPCTL_SYSROOT" minimal
	cg2_mount "$SWAPCTL_SYSROOT"
	mkdir -p "$SWAPCTL_SYSROOT/sys/fs/cgroup"
	printf 'anon 10\n' >"$SWAPCTL_SYSROOT/sys/fs/cgroup/memory.stat"
	run top --once --interval 0 -j
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >o.json
	json_check o.json 'd["tiers"] == []' \
		'd["cgroups"] == [{"path": "/", "resident_bytes": 10, "zswap_bytes": None, "swap_bytes": None, "swapin_pages": 0, "swapout_pages": 0, "swapin_pages_per_s": None, "swapout_pages_per_s": None, "rejects": None, "tier_bytes": {"ssd": None, "hdd": None, "tier3": None, "tier4": None, "tier5": None, "tier6": None, "tier7": None}, "psi_some_avg10_x100": None, "psi_full_avg10_x100": None}]'
}

# stdout not a tty, no --once: one frame per interval until SIGINT (exit 0)
t_top_stream() {
	top_fixture
	"$SWAPCTL" top --interval 1 --count 1 -j >o.txt 2>e.txt &
	local pid=$! rc
	sleep 3.5
	kill -INT "$pid"
	wait "$pid"
	rc=$?
	[ "$rc" -eq 0 ] || { fail "exit $rc after SIGINT: $(cat e.txt)"; return 1; }
	[ ! -s e.txt ] || { fail "stderr: $(cat e.txt)"; return 1; }
	local n
	n=$(wc -l <o.txt)
	{ [ "$n" -ge 2 ] && [ "$n" -le 4 ]; } || { fail "$n frames in 3.5 s at 1 s: $(cat o.txt)"; return 1; }
	grep -q $'\033' o.txt && { fail "escape sequence without a tty"; return 1; }
	head -n1 o.txt >f.json
	json_check f.json 'd["interval_s"] == 1' '[c["path"] for c in d["cgroups"]] == ["/b"]' \
		'd["cgroups"][0]["swapin_pages_per_s"] == 0'
}

# on a terminal (script(1)): clear and home before each frame, 'q' quits,
# the terminal mode is restored
t_top_tty() {
	command -v script >/dev/null || { fail "script (util-linux) not installed"; return 1; }
	top_fixture
	local rc dur
	# q after 2.5 s; without it top would run until timeout kills it
	{ sleep 2.5; printf q; sleep 5; } |
		timeout 10 script -qec "stty -a >stty.before; s=\$(date +%s); '$SWAPCTL' top --interval 1; echo rc=\$?; echo dur=\$((\$(date +%s) - s)); stty -a >stty.after" /dev/null >tty.out 2>&1
	rc=$?
	[ "$rc" -eq 0 ] || { diag "$(cat -v tty.out)"; fail "script exit $rc"; return 1; }
	grep -q 'rc=0' tty.out || { diag "$(cat -v tty.out)"; fail "top did not exit 0 on q"; return 1; }
	dur=$(sed -n 's/^dur=\([0-9]*\).*/\1/p' tty.out)
	{ [ -n "$dur" ] && [ "$dur" -ge 2 ] && [ "$dur" -le 4 ]; } ||
		{ diag "$(cat -v tty.out)"; fail "top ran ${dur:-?} s, expected to quit on q at 2.5 s"; return 1; }
	[ "$(grep -c $'\033\\[H\033\\[2J' tty.out)" -ge 1 ] ||
		{ diag "$(cat -v tty.out)"; fail "no clear-screen sequence"; return 1; }
	grep -q 'RESIDENT' tty.out || { fail "no table"; return 1; }
	cmp -s stty.before stty.after || { diag "$(diff stty.before stty.after)"; fail "terminal mode not restored"; return 1; }
	grep -q ' icanon' stty.after || fail "icanon off after top"
}

t_top_help() {
	expect_usage "top [--once] [--interval SECS]" \
		"top help" "top -h" "top --help" "top --once -h" || return 1
	run help
	expect_line -F "top [--once] [--interval SECS]" "main help" || return 1
	expect_line -F "metrics | top | apply |" "main help OBJECT list" || return 1
	run top help extra
	expect_error 16 help
}

# the hierarchy is where /proc/self/mounts says (not assumed at
# /sys/fs/cgroup); none mounted is an error naming the reason
t_top_cgroup2_mount() {
	top_fixture
	mkdir -p "$SWAPCTL_SYSROOT/sys/fs/cgroup/unified"
	mv "$SWAPCTL_SYSROOT"/sys/fs/cgroup/{a,b,memory.stat} \
		"$SWAPCTL_SYSROOT/sys/fs/cgroup/unified/"
	cg2_mount "$SWAPCTL_SYSROOT" /sys/fs/cgroup/unified
	run top --once --interval 0 -j
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >o.json
	[ "$(paths o.json)" = "/b /a / /a/x" ] ||
		{ fail "paths: $(paths o.json)"; return 1; }
	printf 'cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n' \
		>"$SWAPCTL_SYSROOT/proc/self/mounts"
	run top --once --interval 0
	expect_error 8 top || return 1
	expect_err_contains "no cgroup v2 hierarchy is mounted" || return 1
}

t_top_prod_ignores_sysroot() {
	top_fixture
	run_prod top --once --interval 0 --cgroup /a/x
	[ "$RC" -ne 0 ] || { show_run; fail "production build read the fixture"; return 1; }
	case "$OUT" in *'"/a/x"'* | *' /a/x'*) fail "production build read the fixture"; return 1 ;; esac
}

t_top_valgrind() {
	need_valgrind || return 1
	top_fixture
	local vg want args
	vg=(valgrind -q --leak-check=full --show-leak-kinds=all
	    --errors-for-leak-kinds=all --error-exitcode=99)
	cp -r "$SWAPCTL_SYSROOT" bad
	echo "anon x" >bad/sys/fs/cgroup/a/memory.stat
	while read -r want args; do
		# shellcheck disable=SC2086 # ARGS split into words
		"${vg[@]}" "$SWAPCTL" $args >/dev/null 2>vg.err
		vg_check "$want" "$args" || return 1
	done <<EOF
0 top --once --interval 0
0 top --once --interval 0 -j --sort psi --count 2
0 top --once --interval 1 -p --cgroup /a
16 top --once --sort bogus
4 top --once --cgroup /nosuch
0 top help
EOF
	SWAPCTL_SYSROOT=$PWD/bad "${vg[@]}" "$SWAPCTL" top --once --interval 0 >/dev/null 2>vg.err
	RC=$?
	[ "$RC" -eq 8 ] || { diag "$(cat vg.err)"; fail "valgrind bad memory.stat: exit $RC"; return 1; }
	# the loop: frames, then SIGINT
	"${vg[@]}" "$SWAPCTL" top --interval 1 >/dev/null 2>vg.err &
	local pid=$!
	sleep 3
	kill -INT "$pid"
	wait "$pid"
	RC=$?
	[ "$RC" -eq 0 ] || { diag "$(cat vg.err)"; fail "valgrind top loop: exit $RC"; }
}

# shellcheck disable=SC2034 # read by lib.sh's runner
TESTS=(
	"t_top_values|top --once -j and the table: exact per-cgroup figures, default order, tiers"
	"t_top_sort_count|--sort every key (and back-end tiers) and --count: order and number of cgroups"
	"t_top_cgroup|--cgroup PATH: the subtree only; not a memory cgroup (8), . and .. (16)"
	"t_top_rates|rates from two samples --interval apart; new cgroups and counters that went back have none"
	"t_top_errors|missing cgroup (4), bad --sort/--interval/--count (16), malformed files (8); -j errors as JSON"
	"t_top_optional_missing|missing optional files and tiers: null figures, empty tier list"
	"t_top_stream|stdout not a tty: one frame per interval, SIGINT exits 0"
	"t_top_tty|on a terminal: clear-screen before frames, q quits, terminal mode restored"
	"t_top_help|top help and the main help list top"
	"t_top_cgroup2_mount|the hierarchy found in /proc/self/mounts; none mounted: an error (8)"
	"t_top_prod_ignores_sysroot|the production binary ignores SWAPCTL_SYSROOT"
	"t_top_valgrind|no leaks or memory errors on the top paths"
)

run_tests "$@"
