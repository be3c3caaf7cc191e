#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side tests of 'swapctl tier drain' and 'swapctl tier set': draining with progress
# and signals, watermarks and the demotion interval, their errors.
# No swaptier kernel needed.  Prints TAP.
#
# Environment, helpers and runner: lib.sh (see there: SWAPCTL,
# SWAPCTL_TEST, SWAPTIER_VMLINUX, PYTHON, CLANG, SWAPTIER_BPF_DIR).
#
#   selftests/host/tier_drain_test.sh [TEST...]   (TEST: a function name, t_...)
#
# Exit status: 0 iff no test failed.

# shellcheck source=selftests/host/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 1

t_tier_drain() {
	local r=$PWD/root d=$PWD/root/sys/kernel/mm/swap_tier n=$((2048 * 1024 / PAGE))
	fake_tiers "$r"
	# the fake drain file takes the write at once: drained, no progress,
	# the path written as given, without a newline
	SWAPCTL_SYSROOT=$r run tier drain /var/swapfile
	expect_rc 0 || return 1
	[ "$OUT" = "drained /var/swapfile: $n pages moved" ] || { show_run; fail "summary"; return 1; }
	[ -z "$ERR" ] || { show_run; fail "unexpected stderr"; return 1; }
	[ "$(od -An -c "$d/drain" | tr -d ' \n')" = /var/swapfile ] ||
		{ fail "wrote '$(od -An -c "$d/drain")'"; return 1; }
	# another name of a listed back end (a symbolic link): matched by
	# inode, written as given; the JSON summary
	write_swap_sig "$PWD/back end" 16 SWAPSPACE2
	ln -s "$PWD/back end" alias
	printf '%s\\040end\n' "$PWD/back" >>"$d/hdd/devices"
	printf '%s\\040end\t\tfile\t\t64\t\t12\t\t3\n' "$PWD/back" >>"$r/proc/swaps"
	SWAPCTL_SYSROOT=$r run -j tier drain alias
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >d.json
	n=$((12 * 1024 / PAGE))
	json_check d.json "d == {'device': 'alias', 'tier': 'hdd', 'pages_before': $n, 'moved': $n, 'remaining': 0, 'interrupted': False, 'error': None}" || return 1
	[ "$(cat "$d/drain")" = alias ] || { fail "wrote '$(cat "$d/drain")'"; return 1; }
	# -q: nothing at all on success
	SWAPCTL_SYSROOT=$r run tier drain --quiet /dev/vdb
	expect_rc 0 || return 1
	[ -z "$OUT$ERR" ] || { show_run; fail "-q printed something"; return 1; }
	[ "$(cat "$d/drain")" = /dev/vdb ] || { fail "wrote '$(cat "$d/drain")'"; return 1; }
	# a back end /proc/swaps does not list: no page count
	SWAPCTL_SYSROOT=$r run tier drain "/gone away"
	expect_rc 0 || return 1
	[ "$OUT" = "drained /gone away" ] || { show_run; fail "summary without count"; return 1; }
}

t_tier_drain_refused() {
	local r=$PWD/root d=$PWD/root/sys/kernel/mm/swap_tier p
	fake_tiers "$r"
	# not a back end: refused before the write (8), also with -j
	write_swap_sig other 16 SWAPSPACE2
	printf '%s\t\tfile\t\t64\t\t0\t\t-5\n' "$PWD/other" >>"$r/proc/swaps"
	for p in '/srv/my ghost	tab' "$PWD/other" /nonexistent /var/swapfile/x; do
		SWAPCTL_SYSROOT=$r run -j tier drain "$p"
		expect_error 8 "$p" || { fail "$p"; return 1; }
		expect_err_contains "not a back end (listed by no tier in $d)" || return 1
	done
	[ ! -s "$d/drain" ] || { fail "drain written: $(cat "$d/drain")"; return 1; }
	# swap tiers, but no drain file
	rm "$d/drain"
	SWAPCTL_SYSROOT=$r run tier drain /var/swapfile
	expect_error 8 "tier drain" || return 1
	expect_err_contains "kernel has no tier drain ($d/drain missing)" || return 1
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run -j tier drain /var/swapfile
	expect_error 8 "tier drain" || return 1
	# a drain file that cannot be opened (the real one is 0200 root)
	if [ "$(id -u)" -ne 0 ]; then
		: >"$d/drain"
		chmod 0400 "$d/drain"
		SWAPCTL_SYSROOT=$r run tier drain /var/swapfile
		expect_error 4 "$d/drain" || return 1
		expect_err_contains "needs root" || return 1
	fi
}

t_tier_drain_errors() {
	local r=$PWD/root d=$PWD/root/sys/kernel/mm/swap_tier n=$((2048 * 1024 / PAGE)) spec err want
	fake_tiers "$r"
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run tier drain /var/swapfile
	expect_rc 0 || return 1
	[ "$ERR" = "swapctl: $d/drain: dry run: write /var/swapfile" ] || { show_run; fail "dry-run line"; return 1; }
	[ "$OUT" = "drained /var/swapfile: $n pages moved" ] || { show_run; fail "dry-run summary"; return 1; }
	[ ! -s "$d/drain" ] || { fail "written in a dry run"; return 1; }
	# the kernel's errors (4): each explained, the JSON names it
	for spec in "EINVAL|drain failed: Invalid argument (not an active back end)" \
		    "ENOENT|drain failed: No such file or directory (the path does not exist)" \
		    "EPERM|drain failed: Operation not permitted (needs CAP_SYS_ADMIN)" \
		    "EACCES|drain failed: Permission denied (needs CAP_SYS_ADMIN)" \
		    "EBUSY|drain stopped: Device or resource busy (pages stopped moving); 0 pages moved, $n still on /var/swapfile"; do
		err=${spec%%|*}
		want=${spec#*|}
		SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=$err run -j tier drain /var/swapfile
		expect_rc 4 || { fail "$err"; return 1; }
		[ "$ERR" = "swapctl: $d/drain: dry run: write /var/swapfile
swapctl: /var/swapfile: $want" ] || { show_run; fail "$err: message"; return 1; }
		printf '%s\n' "$OUT" >e.json
		json_check e.json "d == {'device': '/var/swapfile', 'tier': 'ssd', 'pages_before': $n, 'moved': 0, 'remaining': $n, 'interrupted': False, 'error': '$err'}" ||
			{ fail "$err: JSON"; return 1; }
		# no JSON, no summary without -j
		SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=$err run tier drain /var/swapfile
		expect_rc 4 || return 1
		[ -z "$OUT" ] || { show_run; fail "$err: stdout"; return 1; }
	done
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=bogus run tier drain /var/swapfile
	expect_error 16 SWAPCTL_DRY_RUN
}

# progress lines on a file: "draining" lines only, at most one per 2 s
# (plus the first); echo their number
check_progress_lines() {
	local elapsed=$1 n
	n=$(grep -c '^draining ' err)
	if grep -v '^draining /var/swapfile: [0-9]* of 512 pages moved ([0-9]*%)$' err |
	   grep -v '^swapctl: ' | grep -q .; then
		fail "unexpected stderr: $(cat err)"
		return 1
	fi
	if [ "$n" -gt $((elapsed / 2 + 1)) ]; then
		fail "$n progress lines in ${elapsed}s: $(cat err)"
		return 1
	fi
	echo "$n"
}

# expect_drive GLOB WHAT ACTION TTY ARGS...: drain_drive ACTION TTY ARGS
# (diag'ed; in RES) matches GLOB, else fail naming WHAT with stderr
expect_drive() {
	local want=$1 what=$2
	shift 2
	RES=$(drain_drive "$@") || return 1
	diag "$RES"
	# shellcheck disable=SC2053 # WANT is a glob
	[[ $RES == $want ]] && return 0
	fail "$what: $RES" "$(cat -A err)"
}

t_tier_drain_progress() {
	[ "$PAGE" -eq 4096 ] || { SKIP_REASON="page size $PAGE (the figures assume 4 KiB)"; return 77; }
	local n elapsed
	# SIGINT: stopped, progress lines, the summary; the child is gone
	# and its write never completed
	expect_drive 'rc=64 elapsed=* writer=none wrote=' "SIGINT" INT 0 tier drain /var/swapfile || return 1
	elapsed=$(echo "$RES" | sed 's/.*elapsed=\([0-9]*\).*/\1/')
	n=$(check_progress_lines "$elapsed") || return 1
	[ "$n" -ge 1 ] || { fail "no progress line"; return 1; }
	grep -qx 'draining /var/swapfile: 256 of 512 pages moved (50%)' err ||
		{ fail "no 50% line: $(cat err)"; return 1; }
	[ "$(tail -n 1 err)" = "swapctl: /var/swapfile: interrupted: 256 pages moved, 256 still on /var/swapfile" ] ||
		{ fail "last line: $(tail -n 1 err)"; return 1; }
	[ ! -s out ] || { fail "stdout: $(cat out)"; return 1; }
	# ^C (the whole process group), -q -j: no progress, the JSON
	expect_drive 'rc=64 * writer=none wrote=' "^C" GROUPINT 0 -j tier drain -q /var/swapfile || return 1
	[ "$(cat err)" = '{"error":"/var/swapfile: interrupted: 256 pages moved, 256 still on /var/swapfile"}' ] ||
		{ fail "-q -j: stderr: $(cat err)"; return 1; }
	json_check out "d == {'device': '/var/swapfile', 'tier': 'ssd', 'pages_before': 512, 'moved': 256, 'remaining': 256, 'interrupted': True, 'error': 'EINTR'}" ||
		return 1
	# SIGTERM with stderr on a terminal: one line rewritten with \r,
	# cleared before the message
	expect_drive 'rc=64 * writer=none wrote=' "SIGTERM" TERM 1 tier drain /var/swapfile || return 1
	"$PYTHON" - <<'EOF' | sed 's/^/# /'
import re, sys
e = open("err", "rb").read().decode()
m = re.fullmatch(r"((?:\rdraining /var/swapfile: \d+ of 512 pages moved \(\d+%\) *)+)"
                 r"\r +\r(swapctl: .*)\r\n", e)
ok = m is not None and "256 of 512 pages moved (50%)" in m.group(1) and \
     m.group(2) == "swapctl: /var/swapfile: interrupted: 256 pages moved, 256 still on /var/swapfile"
if not ok:
    print("unexpected terminal output: %r" % e)
sys.exit(0 if ok else 1)
EOF
	[ "${PIPESTATUS[0]}" -eq 0 ] || return 1
	# the kernel's write returns: drained, progress before the summary
	expect_drive 'rc=0 * writer=none wrote=/var/swapfile' "READ" READ 0 tier drain /var/swapfile || return 1
	elapsed=$(echo "$RES" | sed 's/.*elapsed=\([0-9]*\).*/\1/')
	n=$(check_progress_lines "$elapsed") || return 1
	[ "$n" -ge 1 ] && ! grep -q '^swapctl' err || { fail "stderr: $(cat err)"; return 1; }
	[ "$(cat out)" = "drained /var/swapfile: 512 pages moved" ] || { fail "stdout: $(cat out)"; return 1; }
	# swapctl killed: its child does not go on alone
	expect_drive 'rc=-9 * writer=none wrote=' "SIGKILL" KILL 0 tier drain /var/swapfile || return 1
}

t_tier_set() {
	local r=$PWD/root d=$PWD/root/sys/kernel/mm/swap_tier args want got
	fake_tiers "$r"
	# ssd: high 90, low 75; hdd: high 0 (off), low 50.  The writes keep
	# every pair valid on the way (the kernel checks each one)
	while IFS='|' read -r args want; do
		# shellcheck disable=SC2086
		SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run tier set $args
		expect_rc 0 || { fail "$args"; return 1; }
		got=$(printf '%s\n' "$ERR" | sed -n "s|^swapctl: $d/\\(.*\\): dry run: write |\\1=|p" | tr '\n' ' ')
		[ "$got" = "$want " ] || { show_run; fail "$args: writes '$got', expected '$want '"; return 1; }
	done <<'EOF'
ssd --high 80 --low 60|ssd/low_watermark_pct=60 ssd/high_watermark_pct=80
ssd --low 60 --high 80|ssd/low_watermark_pct=60 ssd/high_watermark_pct=80
ssd --high 90 --low 89|ssd/low_watermark_pct=89 ssd/high_watermark_pct=90
ssd --high 95 --low 80|ssd/high_watermark_pct=95 ssd/low_watermark_pct=80
ssd --high 0 --low 99|ssd/high_watermark_pct=0 ssd/low_watermark_pct=99
ssd --high 100|ssd/high_watermark_pct=100
ssd --low 0 --interval 500|ssd/low_watermark_pct=0 demote_interval_ms=500
hdd --high 40 --low 20|hdd/low_watermark_pct=20 hdd/high_watermark_pct=40
hdd --high 60|hdd/high_watermark_pct=60
--interval 60000|demote_interval_ms=60000
EOF
	# the real writes, and what is printed
	SWAPCTL_SYSROOT=$r run tier set ssd --high 80 --low 60
	expect_rc 0 || return 1
	[ "$OUT" = "ssd: high watermark 80%, low watermark 60%" ] || { show_run; fail "summary"; return 1; }
	[ "$(cat "$d/ssd/high_watermark_pct") $(cat "$d/ssd/low_watermark_pct")" = "80 60" ] ||
		{ fail "files: $(cat "$d/ssd/high_watermark_pct") $(cat "$d/ssd/low_watermark_pct")"; return 1; }
	SWAPCTL_SYSROOT=$r run -j tier set hdd --low 5 --interval 100
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >s.json
	json_check s.json "d == {'tier': 'hdd', 'high_watermark_pct': 0, 'low_watermark_pct': 5, 'demote_interval_ms': 100}" || return 1
	[ "$(cat "$d/hdd/low_watermark_pct") $(cat "$d/demote_interval_ms")" = "5 100" ] || { fail "hdd files"; return 1; }
	SWAPCTL_SYSROOT=$r run tier set --interval 250 -j
	printf '%s\n' "$OUT" >i.json
	json_check i.json "d == {'tier': None, 'high_watermark_pct': None, 'low_watermark_pct': None, 'demote_interval_ms': 250}" || return 1
	SWAPCTL_SYSROOT=$r run tier set --interval 250
	[ "$OUT" = "demotion interval: 250 ms" ] || { show_run; fail "interval summary"; return 1; }
	SWAPCTL_SYSROOT=$r run tier set hdd --high 0
	[ "$OUT" = "hdd: high watermark 0% (off), low watermark 5%" ] || { show_run; fail "off summary"; }
}

t_tier_set_errors() {
	local r=$PWD/root d=$PWD/root/sys/kernel/mm/swap_tier spec obj msg args
	fake_tiers "$r"
	# usage errors (16), before anything is written (no dry-run line)
	while IFS='|' read -r obj msg args; do
		# shellcheck disable=SC2086
		SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run tier set $args
		expect_error 16 "$obj" || { fail "tier set $args"; return 1; }
		expect_err_contains "$msg" || { fail "tier set $args"; return 1; }
	done <<'EOF'
tier set|nothing to set|
tier set|nothing to set|ssd
tier set|missing NAME|--high 80
tier set|missing NAME|--low 10 --interval 500
ssd|nothing to set for the tier|ssd --interval 500
hdd|unexpected argument|ssd hdd --high 80
zswap|not a device tier|zswap --high 80
nvme|unknown tier (valid tiers: ssd, hdd, tier7)|nvme --low 10
--high 101|invalid percentage (expected 0 to 100)|ssd --high 101
--high -1|invalid percentage|ssd --high -1
--high 8x|invalid percentage|ssd --high 8x
--low 100|invalid percentage (expected 0 to 99)|ssd --low 100
--interval 99|invalid interval in ms (expected 100 to 60000)|--interval 99
--interval 60001|expected 100 to 60000|--interval 60001
--low 80|must be below --high 70|ssd --high 70 --low 80
--low 70|must be below --high 70|ssd --low 70 --high 70
--low 90|must be below the high watermark of ssd (90%)|ssd --low 90
--high 75|must be above the low watermark of ssd (75%), or 0|ssd --high 75
--high 40|must be above the low watermark of hdd (50%)|hdd --high 40
--high|option requires an argument|ssd --high
--bogus|unknown option|ssd --bogus 1
EOF
	# a kernel without watermarks (tier7) or without the interval (8),
	# found before anything is written
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run tier set tier7 --high 80
	expect_error 8 tier7 || return 1
	expect_err_contains "kernel has no tier watermarks ($d/tier7/high_watermark_pct missing)" || return 1
	rm "$d/demote_interval_ms"
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1 run tier set ssd --high 80 --interval 500
	expect_error 8 --interval || return 1
	expect_err_contains "kernel has no tier demotion ($d/demote_interval_ms missing)" || return 1
	# the kernel refuses (4)
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=EINVAL run tier set ssd --high 80
	expect_dry_error 4 "$d/ssd/high_watermark_pct" "write 80" || return 1
	expect_err_contains "cannot write 80: Invalid argument (rejected by the kernel" || return 1
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=EPERM run tier set ssd --low 10
	expect_dry_error 4 "$d/ssd/low_watermark_pct" "write 10" || return 1
	expect_err_contains "needs root"
}

t_tier_drain_args() {
	local r=$PWD/root
	fake_tiers "$r"
	export SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=1
	run tier drain
	expect_error 16 "tier drain" || return 1
	expect_err_contains "missing DEV or FILE" || return 1
	run tier drain /dev/vdb /var/swapfile
	expect_error 16 /var/swapfile || return 1
	run tier drain ""
	expect_error 16 "tier drain" || return 1
	run tier drain /dev/vdb --bogus
	expect_error 16 --bogus || return 1
	run tier drain --quiet=yes /dev/vdb
	expect_error 16 --quiet || return 1
	run tier drain /dev/vdb --tier ssd
	expect_error 16 --tier || return 1
	# help: the object's, the command's, the main one
	for args in "tier help" "tier drain -h" "tier set --help" "help"; do
		# shellcheck disable=SC2086
		run $args
		expect_rc 0 || { fail "$args"; return 1; }
		case "$OUT" in
		*"tier drain { DEV | FILE }"*"tier set NAME { --high PCT | --low PCT }... [--interval MS]"*"tier set --interval MS"*) ;;
		*) fail "$args: $OUT"; return 1 ;;
		esac
	done
}

# A drain child killed by something else than the user's stop is an
# error with the reason (4), not an interruption (64).
t_tier_drain_child_killed() {
	[ "$PAGE" -eq 4096 ] || { SKIP_REASON="page size $PAGE (the figures assume 4 KiB)"; return 77; }
	expect_drive 'rc=4 * writer=none wrote=' "child SIGKILL" CHILDKILL 0 tier drain /var/swapfile || return 1
	[ "$(tail -n 1 err)" = "swapctl: /var/swapfile: drain stopped: the process writing to the drain file was killed by signal 9 (Killed); 256 pages moved, 256 still on /var/swapfile" ] ||
		{ fail "message: $(cat err)"; return 1; }
	! grep -q interrupted err || { fail "reported as interrupted: $(cat err)"; return 1; }
	[ ! -s out ] || { fail "stdout: $(cat out)"; return 1; }
	# SIGTERM to the child alone is not the user's SIGTERM; -j -q: JSON
	expect_drive 'rc=4 * writer=none wrote=' "child SIGTERM" CHILDTERM 0 -j tier drain -q /var/swapfile || return 1
	[ "$(cat err)" = '{"error":"/var/swapfile: drain stopped: the process writing to the drain file was killed by signal 15 (Terminated); 256 pages moved, 256 still on /var/swapfile"}' ] ||
		{ fail "-j stderr: $(cat err)"; return 1; }
	json_check out "d == {'device': '/var/swapfile', 'tier': 'ssd', 'pages_before': 512, 'moved': 256, 'remaining': 256, 'interrupted': False, 'error': 'error'}"
}

TESTS=(
	"t_tier_drain|tier drain: summary, path written as given, -j, -q"
	"t_tier_drain_refused|tier drain of a non-back-end, without drain file (8), no JSON"
	"t_tier_drain_errors|tier drain: EINVAL, ENOENT, EPERM, EBUSY explained (4), JSON error"
	"t_tier_drain_progress|tier drain progress; SIGINT, ^C, SIGTERM stop it (64); no child left"
	"t_tier_set|tier set: write order keeps the pair valid; values written; JSON"
	"t_tier_set_errors|tier set: bad values and pairs (16), missing files (8), kernel refusals (4)"
	"t_tier_drain_args|tier drain/set argument errors (16) and help"
	"t_tier_drain_child_killed|tier drain: a child killed by another signal is an error (4) with the reason"
)

run_tests "$@"
