#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side tests of the command line as a whole: help, version, unknown commands,
# objects and options, option placement, -j/-p and JSON errors, the
# production build's indifference to the test hooks, valgrind over the
# status, ghost and tier paths.
# No swaptier kernel needed.  Prints TAP.
#
# Environment, helpers and runner: lib.sh (see there: SWAPCTL,
# SWAPCTL_TEST, SWAPTIER_VMLINUX, PYTHON, CLANG, SWAPTIER_BPF_DIR).
#
#   selftests/host/cli_test.sh [TEST...]   (TEST: a function name, t_...)
#
# Exit status: 0 iff no test failed.

# shellcheck source=selftests/host/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 1

t_help() {
	run --help
	expect_rc 0 || return 1
	case "$OUT" in *Usage:*ghost*status*) ;; *) fail "no usage text: $OUT" ;; esac
}

t_help_cmd() {
	run help
	expect_rc 0 || return 1
	[ -n "$OUT" ] || return 1
	run ghost help
	expect_rc 0 || return 1
	expect_line -F "ghost create PATH [--size SIZE]" || return 1
	run ghost create -h
	expect_rc 0 || return 1
	run status help
	expect_rc 0
}

t_version_json() {
	run version -j
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >v.json
	json_valid v.json || return 1
	json_check v.json 'd["version"] == "0.1"' \
		'isinstance(d["libbpf_version"], str) and d["libbpf_version"].startswith("v1.")'
}

t_version_text() {
	run -V
	expect_rc 0 || return 1
	case "$OUT" in *"swapctl version 0.1"*libbpf\ v1.*) ;; *) fail "$OUT"; return 1 ;; esac
	run version
	expect_rc 0
}

t_unknown_command() {
	run ghost frobnicate
	expect_error 16 frobnicate || return 1
	run ghost
	expect_error 16 ghost
}

t_unknown_object() {
	run frobnicate
	expect_error 16 frobnicate || return 1
	expect_err_contains "unknown object" || return 1
	run
	expect_rc 16
}

t_unknown_option() {
	run --bogus status
	expect_error 16 --bogus || return 1
	run -x status
	expect_error 16 -x || return 1
	run ghost create g --size 1M --bogus
	expect_error 16 --bogus || return 1
	run status --bogus=1
	expect_error 16 --bogus || return 1
	run ghost create g --size
	expect_error 16 --size || return 1
	run ghost create g h --size 1M
	expect_error 16 h || return 1
	[ ! -e g ] || fail "file created anyway"
}

t_stdout_write_error() {
	[ -w /dev/full ] || { SKIP_REASON="no /dev/full"; return 77; }
	"$SWAPCTL" version >/dev/full 2>err
	RC=$?
	ERR=$(cat err)
	OUT=
	expect_error 4 stdout
}

t_option_placement() {
	run -j ghost create a --size 1M
	expect_rc 0 || return 1
	run ghost create --size=1M b -j --label=x
	expect_rc 0 || return 1
	case "$OUT" in "{"*) ;; *) fail "not JSON: $OUT"; return 1 ;; esac
	run ghost -j create -s 1M -L y -U clear -f c
	expect_rc 0 || return 1
	run ghost create --size 1M -- -dash
	expect_rc 0 || return 1
	expect_ghost ./-dash $(((1 << 20) / PAGE - 1))
}

t_pretty_json() {
	run -p status
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >p.json
	json_valid p.json || return 1
	[ "$(wc -l <p.json)" -gt 10 ] || fail "not indented: $OUT"
}

t_valgrind() {
	need_valgrind || return 1
	local r=$PWD/root vg
	# tier drain forks a child that ends with _exit(): its memory is no leak
	vg=(valgrind -q --leak-check=full --show-leak-kinds=all
	    --errors-for-leak-kinds=all --error-exitcode=99
	    --child-silent-after-fork=yes)
	fake_tiers "$r"
	head -c 100 /dev/urandom >junk
	mkdir -p bad/proc
	# env: host, root (the fake tiers), dry=VALUE (root and SWAPCTL_DRY_RUN)
	while read -r want env args; do
		case $env in
		root)
			SWAPCTL_SYSROOT=$r "${vg[@]}" "$SWAPCTL" $args >/dev/null 2>vg.err ;;
		dry=*)
			SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=${env#dry=} \
				"${vg[@]}" "$SWAPCTL" $args >/dev/null 2>vg.err ;;
		*)
			"${vg[@]}" "$SWAPCTL" $args >/dev/null 2>vg.err ;;
		esac
		vg_check "$want" "$args" || return 1
	done <<EOF
0 root status -j
0 root status
0 host status -p
0 host ghost create g --size 1G --label x
0 host -j ghost create g --size 1G
8 host ghost create junk --size 1M
8 root ghost create $PWD --size 1M
16 host ghost create x --size 5000
0 host version -j
0 root tier list
0 root -j tier list
0 root tier list --all
0 root -j tier show -a
16 root -j tier add --bogus /dev/vdz
8 root -j tier drain /nope
16 host --bogus -j status
0 dry=1 tier add /dev/vdz --tier hdd --prio 5
0 dry=1 -j tier add /dev/vdz --tier hdd
4 dry=EINVAL tier add /dev/vdz --tier ssd
16 dry=1 tier add /dev/vdz --tier nope
16 dry=1 tier add /dev/vdz --tier zswap
16 dry=bogus tier add /dev/vdz --tier ssd
0 dry=1 tier remove /dev/vdb
4 dry=EBUSY tier remove /dev/vdb
8 dry=1 tier remove /var/swapfile/x
16 root tier add /dev/vdz --prio 99999
0 root tier drain /var/swapfile
0 root -j tier drain -q /dev/vdb
8 root tier drain /nope
4 dry=EBUSY -j tier drain /var/swapfile
0 dry=1 tier set ssd --high 80 --low 60 --interval 500
0 root -j tier set hdd --low 10
16 dry=1 tier set ssd --low 95
8 dry=1 tier set tier7 --high 5
EOF
	# no /sys/kernel/mm/swap_tier
	rm -rf "$r/sys/kernel/mm/swap_tier"
	for args in "tier list" "tier add x --tier ssd" "tier remove x" "tier drain x" \
		    "tier set ssd --low 5"; do
		# shellcheck disable=SC2086
		SWAPCTL_SYSROOT=$r "${vg[@]}" "$SWAPCTL" $args >/dev/null 2>vg.err
		RC=$?
		[ "$RC" -eq 8 ] || { diag "$(cat vg.err)"; fail "valgrind swapctl $args: exit $RC"; return 1; }
	done
	printf 'Filename\n/x ghost 1 1 bad\n' >bad/proc/swaps
	SWAPCTL_SYSROOT=$PWD/bad "${vg[@]}" "$SWAPCTL" status >/dev/null 2>vg.err
	RC=$?
	[ "$RC" -eq 8 ] || { diag "$(cat vg.err)"; fail "bad /proc/swaps: exit $RC"; }
}

# The test hooks are compiled into the test build only: the production
# binary reads the real /proc and /sys, really calls (here: fails) and
# looks for pins in /sys/fs/bpf whatever SWAPCTL_SYSROOT, SWAPCTL_DRY_RUN
# and SWAPCTL_BPFFS say.
t_prod_ignores_hooks() {
	local r=$PWD/root real
	fake_tiers "$r"
	run_prod version
	expect_rc 0 || return 1
	case "$OUT" in *"test build"*) fail "production binary says: $OUT"; return 1 ;; esac
	run version
	case "$OUT" in *"(test build: honours SWAPCTL_SYSROOT, SWAPCTL_DRY_RUN, SWAPCTL_BPFFS)"*) ;;
	*) fail "test build says: $OUT"; return 1 ;; esac
	# SWAPCTL_SYSROOT: status of the host, not of the fake root
	run_prod status -j
	expect_rc 0 || return 1
	real=$OUT
	SWAPCTL_SYSROOT=$r run_prod status -j
	expect_rc 0 || return 1
	[ "$OUT" = "$real" ] || { show_run; fail "SWAPCTL_SYSROOT changed the production status"; return 1; }
	SWAPCTL_SYSROOT=$r run status -j
	printf '%s\n' "$OUT" >t.json
	json_check t.json '"/var/swapfile" in [s["name"] for s in d["swaps"]]' ||
		{ fail "the test build ignored SWAPCTL_SYSROOT"; return 1; }
	# tier set / tier drain with a sysroot (and a bogus dry run): the
	# real sysfs, never the fake one.  Only where the host has no swap
	# tiers: the production binary would write the real files.
	if [ ! -e /sys/kernel/mm/swap_tier ]; then
		SWAPCTL_SYSROOT=$r run_prod tier set ssd --high 80
		expect_error 8 tier || return 1
		expect_err_contains "kernel has no swap tiers (/sys/kernel/mm/swap_tier missing)" || return 1
		[ "$(cat "$r/sys/kernel/mm/swap_tier/ssd/high_watermark_pct")" = 90 ] ||
			{ fail "the production binary wrote under SWAPCTL_SYSROOT"; return 1; }
		SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=bogus run_prod tier drain /var/swapfile
		expect_error 8 tier || return 1
		[ ! -s "$r/sys/kernel/mm/swap_tier/drain" ] || { fail "drained under SWAPCTL_SYSROOT"; return 1; }
		# the test build: the fake tree, the dry-run value checked
		SWAPCTL_SYSROOT=$r run tier set ssd --high 80
		expect_rc 0 || return 1
		[ "$(cat "$r/sys/kernel/mm/swap_tier/ssd/high_watermark_pct")" = 80 ] ||
			{ fail "the test build did not write under SWAPCTL_SYSROOT"; return 1; }
		SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=bogus run tier drain /var/swapfile
		expect_error 16 SWAPCTL_DRY_RUN || return 1
	else
		diag "this kernel has swap tiers: tier set/drain not run with the production binary"
	fi
	# SWAPCTL_BPFFS: the pins of /sys/fs/bpf (unless a real global pin
	# is there: the production binary would detach it)
	if [ ! -e /sys/fs/bpf/swaptier/global ]; then
		mkdir -p bpffs/swaptier
		: >bpffs/swaptier/global
		SWAPCTL_BPFFS=$PWD/bpffs SWAPCTL_DRY_RUN=1 run_prod policy detach
		case "$RC" in 8 | 32) ;; *) show_run; fail "policy detach: exit $RC"; return 1 ;; esac
		expect_err_contains "/sys/fs/bpf" || return 1
		case "$ERR" in *"$PWD/bpffs"* | *"dry run"*) show_run; fail "SWAPCTL_BPFFS or SWAPCTL_DRY_RUN honoured"; return 1 ;; esac
		[ -e bpffs/swaptier/global ] || { fail "pin removed"; return 1; }
	fi
}

# -j: every message on stderr is a JSON object (one per line), whatever
# the error and wherever -j is; run() checks each line, here explicitly
# with json.loads as well.
t_json_errors() {
	local r=$PWD/root want code obj args
	fake_tiers "$r"
	mkdir -p bad/proc
	printf 'Filename\n/x ghost 1 1 bad\n' >bad/proc/swaps
	head -c 3000 /dev/urandom >junk.o
	while IFS='|' read -r code obj args; do
		# shellcheck disable=SC2086
		SWAPCTL_SYSROOT=$r run $args
		expect_error "$code" "$obj" || { fail "$args"; return 1; }
		printf '%s\n' "$ERR_JSON" | "$PYTHON" -c 'import json, sys
for l in sys.stdin:
    d = json.loads(l)
    assert list(d) == ["error"] and isinstance(d["error"], str), d' ||
			{ fail "$args: $ERR_JSON"; return 1; }
	done <<EOF
16|frobnicate|-j frobnicate
16|--bogus|--bogus -j status
16|-x|-x -j status
16|--bogus|tier add --bogus -j /dev/vdz
16|--tier|-j tier add /dev/vdz --tier
16|tier add|tier add /dev/vdz --json
16|--tier nvme|-jp tier add /dev/vdz --tier nvme
16|--prio 99999|tier -j add /dev/vdz --tier ssd --prio 99999
16|frob|-j tier frob
16|--size 5000|-j ghost create g --size 5000
16|ghost create|ghost create -j
8|/nope|-j tier drain /nope
8|$PWD|-j ghost create $PWD --size 1M
16|extra|-j status extra
16|--low 95|tier set ssd --low 95 --json
EOF
	SWAPCTL_SYSROOT=$PWD/bad run -j status
	expect_error 8 "$PWD/bad/proc/swaps" || return 1
	# policies: libbpf's messages quoted in the error, or with --debug
	# each line an object of its own
	run -j policy load "$PWD/junk.o"
	expect_error 8 "policy: $PWD/junk.o" || return 1
	expect_err_contains "not a BPF object file (libbpf: " || return 1
	run -j policy load "$PWD/junk.o" --debug
	expect_rc 8 || return 1
	printf '%s\n' "$ERR_JSON" | grep -q '^{"libbpf":"libbpf: ' || { show_run; fail "no libbpf line"; return 1; }
	[ "$(printf '%s\n' "$ERR_JSON" | tail -n 1 | cut -c1-10)" = '{"error":"' ] || { show_run; fail "last line"; return 1; }
	# a dry run: its line and the error, both JSON
	SWAPCTL_SYSROOT=$r SWAPCTL_DRY_RUN=EBUSY run -j tier remove /dev/vdb
	expect_rc 4 || return 1
	[ "$(printf '%s\n' "$ERR_JSON" | head -n 1)" = '{"dry_run":"/dev/vdb: dry run: swapoff"}' ] ||
		{ show_run; fail "dry-run line"; return 1; }
	# text without -j, as before
	SWAPCTL_SYSROOT=$r run tier drain /nope
	expect_error 8 /nope || return 1
	[ "${ERR#swapctl: /nope: }" != "$ERR" ] || { show_run; fail "text form"; return 1; }
	# tier drain -j, no -q, stderr not a terminal: no progress text
	[ "$PAGE" -eq 4096 ] || return 0
	res=$(drain_drive READ 0 -j tier drain /var/swapfile) || return 1
	case "$res" in "rc=0 "*) ;; *) fail "drain: $res" "$(cat err)"; return 1 ;; esac
	[ ! -s err ] || { fail "drain -j: stderr: $(cat err)"; return 1; }
	json_check out "d['moved'] == 512 and d['error'] is None"
}

TESTS=(
	"t_help|--help exits 0 with usage"
	"t_help_cmd|help, ghost help, create -h, status help exit 0"
	"t_version_json|version -j is valid JSON with versions"
	"t_version_text|version / -V print swapctl and libbpf versions"
	"t_unknown_command|unknown or missing command is a usage error (16)"
	"t_unknown_object|unknown or missing object is a usage error (16)"
	"t_unknown_option|unknown options and bad arguments are usage errors (16)"
	"t_stdout_write_error|write error on stdout exits 4"
	"t_option_placement|options before/after object and command, short forms, --"
	"t_pretty_json|-p prints valid indented JSON"
	"t_valgrind|no leaks or memory errors on status, create and tier paths (drain, set)"
	"t_prod_ignores_hooks|the production binary ignores SWAPCTL_SYSROOT, SWAPCTL_DRY_RUN, SWAPCTL_BPFFS"
	"t_json_errors|-j: every error on stderr is JSON (usage, getopt, libbpf, dry run), no progress text"
)

run_tests "$@"
