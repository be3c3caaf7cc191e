# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
#
# selftests/host/lib.sh: the harness of the host-side tests (no swaptier
# kernel needed).  A test file sources it, defines its t_* functions and
# the TESTS array, and ends with `run_tests "$@"`:
#
#	#!/usr/bin/env bash
#	# shellcheck source=selftests/host/lib.sh
#	. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 1
#	t_example() {
#		run -j status
#		expect_rc 0 || return 1
#	}
#	TESTS=("t_example|status -j exits 0")
#	run_tests "$@"
#
# Sourcing it sets `set -u`, makes TMP (removed by an EXIT trap: a file
# that needs a trap of its own must also remove TMP), and unsets
# SWAPCTL_SYSROOT, SWAPCTL_DRY_RUN, SWAPCTL_POLICY_DIR and SWAPCTL_BPFFS.
#
# Environment:
#   SWAPCTL           the production swapctl binary (default:
#                     <repo>/build/swapctl/swapctl): must ignore the test hooks
#   SWAPCTL_TEST      the test build, which honours SWAPCTL_SYSROOT,
#                     SWAPCTL_DRY_RUN and SWAPCTL_BPFFS (default:
#                     <repo>/build/swapctl-test/swapctl; make swapctl builds
#                     both); most tests run it
#   SWAPTIER_VMLINUX  kernel with BTF for the swap_header layout (default:
#                     <repo>/build/kbuild/vmlinux, else build/kbuild-base/)
#   PYTHON            python3 interpreter (default: python3)
#   CLANG             clang for the test BPF objects (default: clang)
#   SWAPTIER_BPF_DIR  the shipped policies (default: <repo>/build/bpf)
#
# Variables it sets: HERE (selftests/host), TOP (the repository),
# SWAPCTL_PROD and SWAPCTL_TEST (absolute paths), SWAPCTL (what run()
# runs: the test build), SWAPTIER_VMLINUX, PYTHON, HDR (swap_header.py),
# PAGE (the page size), UINT32_MAX, TMP (this run's scratch directory).
#
# The runner
#   run_tests [TEST...]   prints the plan "1..N" for TESTS (entries
#       "FUNCTION|description"; with TEST arguments only the functions
#       named), runs each test in a subshell in its own empty directory
#       $TMP/<n> and prints "ok", "ok ... # SKIP reason" or "not ok".  A
#       test returns 0 (pass), 77 (skip, reason in SKIP_REASON) or anything
#       else (fail), and prints diagnostics with diag/fail.  If the file
#       defines test_setup, it runs first in each test's subshell; its
#       failure fails the test without running it.  Returns 1 iff a test
#       failed.
#
# Running swapctl (both set RC, OUT, ERR; with -j/-p/--json/--pretty on
# the command line every line of stderr must be a JSON object with one
# member error, warning, dry_run or libbpf: ERR holds them as text,
# "swapctl: MESSAGE", ERR_JSON the raw lines, and anything else makes RC
# 250):
#   run ARGS...             the test build ($SWAPCTL), environment as is
#   run_prod ARGS...        the production build
#
# Assertions (return 0 or print why as "# ..." and return 1):
#   expect_rc RC            RC is the exit status
#   expect_error RC OBJECT  exit status RC, nothing on stdout, one line on
#                           stderr: "swapctl: OBJECT: reason"
#   expect_dry_error RC OBJECT CALL   the same after a first line
#                           "swapctl: OBJECT: dry run: CALL..." (dropped
#                           from ERR)
#   expect_err_contains TEXT   stderr contains TEXT
#   expect_line [-E] [-x] [-F] [--err] PATTERN [WHAT]   a line of stdout
#                           (--err: of stderr) matches PATTERN as grep(1)
#                           with those options matches it; else show_run
#                           and fail with WHAT
#   expect_lines [-E] [-x] [-F] [--err] PATTERN...   expect_line for each
#   expect_usage TEXT CMDLINE...   each CMDLINE (split at blanks) exits 0
#                           and prints a line containing TEXT (help)
#   json_check FILE EXPR... FILE is JSON; each Python EXPR on it (as d)
#                           is true
#   json_valid FILE         FILE is JSON
#   expect_ghost FILE LAST_PAGE   FILE is a one-page ghost swap area,
#                           mode 600, with that last_page
#   need_valgrind           valgrind is installed (a project dependency:
#                           without it the leak checks fail, not skip)
#   vg_check WANT WHAT      the command just before it (valgrind, stderr
#                           in vg.err) exited WANT; sets RC
#
# Output: diag LINE... ("# " before every line), fail LINE... (diag, then
# return 1), show_run (the exit status, stdout and stderr of the last run).
#
# Fixtures:
#   fake_root DIR [full|minimal]  a SWAPCTL_SYSROOT tree: /proc/swaps (with
#                           full: a ghost area with every escape, a file, a
#                           partition), meminfo, vmstat, zswap parameters
#   fake_tiers DIR          fake_root plus /sys/kernel/mm/swap_tier (ssd,
#                           hdd, tier7; demotion files; debugfs pointers)
#   tier_files DIR INDEX NR_DEVICES CAPACITY USED WRITTEN READ WERR RERR
#   move_files DIR DEMOTED DRAINED HIGH LOW   one tier's sysfs files
#   drain_drive ACTION TTY ARGS...   run `swapctl ARGS` (a tier drain)
#                           against a FIFO drain file on fake_tiers under
#                           $PWD/root and stop or complete it; see there
#   write_swap_sig FILE PAGES MAGIC   a file with MAGIC at PAGE-10
#   file_size FILE, file_mode FILE    stat's %s and %a
#   policy_objs             build the test BPF objects once per run into
#                           $TMP/objs (tp, nodesc: a policy directory) and
#                           $TMP/bad (no policies); 77 without clang
#   policy_env DIR          DIR/root a SWAPCTL_SYSROOT with BTF that has
#                           swap_tier_ops (needs $TMP/objs/tp.bpf.o), a
#                           policies sysfs and a cgroup2 mount, DIR/bpffs
#                           for SWAPCTL_BPFFS; exports SWAPCTL_SYSROOT,
#                           SWAPCTL_BPFFS, SWAPCTL_POLICY_DIR; sets PINS
#                           (the pin directory) and POLICIES (the sysfs one)
#   sysfs_policy TARGET NAME CGROUP_ID none|"HOOK VALUE"   one attached
#                           policy's sysfs directory under POLICIES
#   policy_show_fixture     policy_env $PWD with global, a/b (pinned),
#                           "sp ace", a removed cgroup, a detached pin;
#                           sets CG_AB, CG_SP
#
# Internal (used by run): wants_json, json_stderr.

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
SWAPCTL_PROD=${SWAPCTL:-$TOP/build/swapctl/swapctl}
SWAPCTL_TEST=${SWAPCTL_TEST:-$TOP/build/swapctl-test/swapctl}
# every test runs in a directory of its own: a relative path would break
case "$SWAPCTL_PROD" in
/*) ;;
*/*) SWAPCTL_PROD=$PWD/$SWAPCTL_PROD ;;
esac
case "$SWAPCTL_TEST" in
/*) ;;
*/*) SWAPCTL_TEST=$PWD/$SWAPCTL_TEST ;;
esac
# run() and the tests use the test build unless they say otherwise
SWAPCTL=$SWAPCTL_TEST
if [ -z "${SWAPTIER_VMLINUX:-}" ]; then
	SWAPTIER_VMLINUX=$TOP/build/kbuild/vmlinux
	[ -e "$SWAPTIER_VMLINUX" ] || SWAPTIER_VMLINUX=$TOP/build/kbuild-base/vmlinux
fi
PYTHON=${PYTHON:-python3}
# shellcheck disable=SC2034 # HDR, UINT32_MAX: for the test files
HDR="$HERE/swap_header.py"
PAGE=$(getconf PAGESIZE)
UINT32_MAX=4294967295

TMP=$(mktemp -d "${TMPDIR:-/tmp}/swapctl-test.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
unset SWAPCTL_SYSROOT SWAPCTL_DRY_RUN SWAPCTL_POLICY_DIR SWAPCTL_BPFFS

# ---------------------------------------------------------------- helpers

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
fail() { diag "$@"; return 1; }

# wants_json ARGS...: does the command line ask for JSON (-j, -p, --json,
# --pretty, or a bundle of short options without arguments holding j or p)?
wants_json() {
	local a
	for a in "$@"; do
		case $a in
		--) return 1 ;;
		--json | --pretty) return 0 ;;
		--*) ;;
		-*[jp]*) [[ $a =~ ^-[jphqfadV]+$ ]] && return 0 ;;
		esac
	done
	return 1
}

# json_stderr FILE: every line of FILE (stderr of a -j command) must be a
# JSON object with one member "error", "warning", "dry_run" or "libbpf";
# prints them as the text form would ("swapctl: TEXT"; libbpf's lines as
# they are), or explains on stderr and returns 1
json_stderr() {
	"$PYTHON" - "$1" <<'EOF'
import json, sys
out, bad = [], []
for n, line in enumerate(open(sys.argv[1], "rb").read().decode("utf-8", "replace").split("\n")):
    if not line:
        continue
    try:
        d = json.loads(line)
        (k, v), = d.items()
        if k not in ("error", "warning", "dry_run", "libbpf") or not isinstance(v, str):
            raise ValueError("unexpected member %r" % k)
    except Exception as e:
        bad.append("line %d: %s: %r" % (n + 1, e, line))
        continue
    out.append(v if k == "libbpf" else "swapctl: " + v)
if bad:
    sys.stderr.write("\n".join(bad) + "\n")
    sys.exit(1)
print("\n".join(out))
EOF
}

# run ARGS...: run swapctl; sets RC, OUT, ERR.  With -j the whole of
# stderr must be JSON lines (see json_stderr): ERR holds them decoded, as
# text, and ERR_JSON the raw lines; anything else fails the command (RC
# 250) so that no -j test can pass with text on stderr.
run() {
	"$SWAPCTL" "$@" >"$TMP/.out" 2>"$TMP/.err"
	RC=$?
	OUT=$(cat "$TMP/.out")
	ERR=$(cat "$TMP/.err")
	ERR_JSON=
	wants_json "$@" || return 0
	ERR_JSON=$ERR
	if ! ERR=$(json_stderr "$TMP/.err" 2>"$TMP/.jerr"); then
		diag "stderr of 'swapctl $*' is not JSON lines (exit status $RC):" \
			"$(cat "$TMP/.jerr")"
		ERR=$ERR_JSON
		RC=250
	fi
}

# run_prod ARGS...: as run(), with the production binary
run_prod() {
	local SWAPCTL=$SWAPCTL_PROD
	run "$@"
}

show_run() {
	diag "exit status: $RC" "stdout: $OUT" "stderr: $ERR"
}

expect_rc() {
	[ "$RC" -eq "$1" ] && return 0
	show_run
	fail "expected exit status $1, got $RC"
}

# expect_error RC OBJECT: failed with RC, nothing on stdout, and stderr has
# exactly one line "swapctl: OBJECT: reason"
expect_error() {
	expect_rc "$1" || return 1
	if [ -n "$OUT" ]; then
		show_run
		fail "unexpected output on stdout"
		return 1
	fi
	if [ "$(printf '%s\n' "$ERR" | wc -l)" -ne 1 ]; then
		show_run
		fail "expected one line on stderr"
		return 1
	fi
	case "$ERR" in
	"swapctl: $2: "?*) return 0 ;;
	esac
	show_run
	fail "stderr does not start with 'swapctl: $2: '"
}

expect_err_contains() {
	case "$ERR" in
	*"$1"*) return 0 ;;
	esac
	fail "stderr does not mention '$1': $ERR"
}

# expect_line [-E] [-x] [-F] [--err] PATTERN [WHAT]: some line of OUT (with
# --err of ERR) matches PATTERN: grep PATTERN, -E an extended regexp, -x
# the whole line, -F a fixed string.  Else the last run is shown and the
# test fails, naming WHAT (default: the pattern).
expect_line() {
	local opts=() text=$OUT
	while [ $# -gt 0 ]; do
		case $1 in
		-E | -x | -F) opts+=("$1") ;;
		--err) text=$ERR ;;
		*) break ;;
		esac
		shift
	done
	printf '%s\n' "$text" | grep -q ${opts[@]+"${opts[@]}"} -e "$1" && return 0
	show_run
	fail "${2:-no line matching '$1'}"
}

# expect_lines [-E] [-x] [-F] [--err] PATTERN...: expect_line with those
# options for every PATTERN (a table's rows); fails at the first missing
expect_lines() {
	local opts=() p
	while [ $# -gt 0 ]; do
		case $1 in
		-E | -x | -F | --err) opts+=("$1"); shift ;;
		*) break ;;
		esac
	done
	for p in "$@"; do
		expect_line ${opts[@]+"${opts[@]}"} "$p" || return 1
	done
}

# expect_usage TEXT CMDLINE...: run each CMDLINE (a help command: split
# at blanks, "tier add -h"); it must exit 0 and print a line containing
# TEXT (a usage line); a failure names the command line
expect_usage() {
	local text=$1 args
	shift
	for args in "$@"; do
		# shellcheck disable=SC2086
		run $args
		expect_rc 0 || { fail "$args"; return 1; }
		expect_line -F "$text" "$args" || return 1
	done
}

# json_check FILE PYTHON-EXPR...: load FILE as JSON into `d`, then assert
# every expression (printed on failure)
json_check() {
	local f=$1
	shift
	"$PYTHON" - "$f" "$@" <<'EOF' | sed 's/^/# /'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("invalid JSON: %s" % e)
    sys.exit(1)
bad = 0
for expr in sys.argv[2:]:
    try:
        ok = eval(expr, {"d": d})
    except Exception as e:
        ok = False
        expr += " (%s: %s)" % (type(e).__name__, e)
    if not ok:
        print("assertion failed: %s" % expr)
        bad = 1
if bad:
    print("JSON: %s" % json.dumps(d)[:2000])
sys.exit(bad)
EOF
	return "${PIPESTATUS[0]}"
}

json_valid() {
	if ! "$PYTHON" -m json.tool "$1" >/dev/null 2>"$TMP/.jerr"; then
		diag "not valid JSON: $(cat "$TMP/.jerr")" "$(head -c 2000 "$1")"
		return 1
	fi
}

# file_size FILE / file_mode FILE
file_size() { stat -c %s "$1"; }
file_mode() { stat -c %a "$1"; }

# write_swap_sig FILE PAGES MAGIC: a PAGES-page file with MAGIC at PAGE-10
write_swap_sig() {
	"$PYTHON" - "$1" "$2" "$3" "$PAGE" <<'EOF'
import sys
path, pages, magic, page = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
data = bytearray(b"\xa5" * (pages * page))
data[page - 10:page] = magic.encode()
open(path, "wb").write(data)
EOF
}

# expect_ghost FILE LAST_PAGE: one page, mode 600, magic, last_page (at
# the offset swapctl's JSON promises; the BTF test checks offsets)
expect_ghost() {
	local f=$1 lp=$2
	[ "$(file_size "$f")" -eq "$PAGE" ] ||
		{ fail "$f: size $(file_size "$f"), expected $PAGE"; return 1; }
	[ "$(file_mode "$f")" = 600 ] ||
		{ fail "$f: mode $(file_mode "$f"), expected 600"; return 1; }
	"$PYTHON" - "$f" "$lp" "$PAGE" <<'EOF' | sed 's/^/# /'
import struct, sys
d = open(sys.argv[1], "rb").read()
page = int(sys.argv[3])
ok = d[page - 10:] == b"SWAPSPACE2" and \
     struct.unpack_from("=III", d, 1024) == (1, int(sys.argv[2]), 0)
if not ok:
    print("bad header: magic %r, version/last_page/nr_badpages %r"
          % (d[page - 10:], struct.unpack_from("=III", d, 1024)))
sys.exit(0 if ok else 1)
EOF
	return "${PIPESTATUS[0]}"
}

# fake_root DIR [full|minimal]: a SWAPCTL_SYSROOT tree
fake_root() {
	local r=$1
	mkdir -p "$r/proc"
	printf 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n' >"$r/proc/swaps"
	[ "${2:-full}" = minimal ] && return 0
	mkdir -p "$r/sys/module/zswap/parameters" "$r/sys/kernel/debug/zswap"
	# a ghost area whose name needs every escape, a file, a partition
	printf '%s\t\t%s\t\t%s\t\t%s\t\t%s\n' \
		'/srv/my\040ghost\011tab\012nl\134bs' ghost 8388608 0 -2 \
		/var/swapfile file 1048576 2048 5 \
		/dev/vdb partition 999 1 -3 >>"$r/proc/swaps"
	printf 'MemTotal:        8000000 kB\nZswap:              1234 kB\nZswapped:           5678 kB\nSwapCached:            0 kB\nSwapTotal:       1048576 kB\nSwapFree:         524288 kB\n' \
		>"$r/proc/meminfo"
	printf 'nr_free_pages 100\npswpin 11\npswpout 12\nzswpin 13\nzswpout 14\nzswpwb 15\nswpout_ghost_reject 16\n' \
		>"$r/proc/vmstat"
	echo Y >"$r/sys/module/zswap/parameters/enabled"
	echo zstd >"$r/sys/module/zswap/parameters/compressor"
	echo 4321 >"$r/sys/kernel/debug/zswap/stored_pages"
}

# tier_files DIR INDEX NR_DEVICES CAPACITY USED WRITTEN READ WERR RERR
tier_files() {
	local d=$1
	mkdir -p "$d"
	echo "$2" >"$d/index"
	echo "$3" >"$d/nr_devices"
	echo "$4" >"$d/capacity_pages"
	echo "$5" >"$d/used_pages"
	echo "$6" >"$d/written_pages"
	echo "$7" >"$d/read_pages"
	echo "$8" >"$d/write_errors"
	echo "$9" >"$d/read_errors"
	: >"$d/devices"
}

# move_files DIR DEMOTED DRAINED HIGH LOW
move_files() {
	echo "$2" >"$1/demoted_pages"
	echo "$3" >"$1/drained_pages"
	echo "$4" >"$1/high_watermark_pct"
	echo "$5" >"$1/low_watermark_pct"
}

# fake_tiers DIR: fake_root plus /sys/kernel/mm/swap_tier: ssd (index 1,
# /var/swapfile), hdd (2: /dev/vdb, a name with escapes, and one that
# /proc/swaps does not list), tier7 (7, only index and devices: a kernel
# without the other figures), and entries that are not tiers.  Created out
# of index order: the listing must sort them.  Demotion: ssd and hdd have
# counters and watermarks (hdd's high one 0: off), the global
# demote_interval_ms and drain (a regular file here: a write to it
# returns at once) exist.  The back-end pointer figures are in debugfs
# (/sys/kernel/debug/swap_tier/pointer_{records,bytes}).
fake_tiers() {
	local r=$1 d=$1/sys/kernel/mm/swap_tier dbg=$1/sys/kernel/debug/swap_tier
	fake_root "$r"
	rm -rf "$d" "$dbg"
	mkdir -p "$d/tier7" "$d/power" "$dbg"
	echo 7 >"$d/tier7/index"
	: >"$d/tier7/devices"
	tier_files "$d/hdd" 2 3 786432 2048 300 200 3 4
	tier_files "$d/ssd" 1 1 262144 512 100 50 0 1
	echo "not a tier" >"$d/README"
	echo 3 >"$dbg/pointer_records"
	echo 6216 >"$dbg/pointer_bytes"
	move_files "$d/ssd" 40 5 90 75
	move_files "$d/hdd" 0 12 0 50
	echo 1000 >"$d/demote_interval_ms"
	: >"$d/drain"
	printf '/var/swapfile\n' >"$d/ssd/devices"
	printf '/dev/vdb\n/srv/hdd\\040two\\134x\n/gone\\040away\n' >"$d/hdd/devices"
	printf '%s\t\t%s\t\t%s\t\t%s\t\t%s\n' \
		'/srv/hdd\040two\134x' partition 2097152 8192 -4 >>"$r/proc/swaps"
	# zswap holds 2 MiB (a whole number of pages, as on a real kernel)
	printf 'MemTotal:        8000000 kB\nZswap:               512 kB\nZswapped:           2048 kB\n' \
		>"$r/proc/meminfo"
}

# ---------------------------------------------- fixtures of several files

# valgrind is a dependency of the project (scripts/install-deps): without
# it the leak checks fail, they do not skip
need_valgrind() {
	command -v valgrind >/dev/null && return 0
	fail "valgrind not installed: the leak checks need it (a project dependency: run 'make deps' or scripts/install-deps)"
}

# vg_check WANT WHAT: the command just before (valgrind, its stderr in
# vg.err) exited WANT; else print vg.err and fail naming WHAT.  Sets RC.
vg_check() {
	RC=$?
	[ "$RC" -eq "$1" ] && return 0
	diag "$(cat vg.err)"
	fail "valgrind swapctl $2: exit $RC, expected $1"
}

# expect_dry_error RC OBJECT CALL: like expect_error, but stderr has the
# SWAPCTL_DRY_RUN line "swapctl: OBJECT: dry run: CALL..." first
expect_dry_error() {
	local first
	first=$(printf '%s\n' "$ERR" | head -n 1)
	case "$first" in
	"swapctl: $2: dry run: $3"*) ;;
	*) show_run; fail "no dry-run line for $3"; return 1 ;;
	esac
	ERR=$(printf '%s\n' "$ERR" | tail -n +2)
	expect_error "$1" "$2"
}

# drain_drive ACTION TTY SWAPCTL-ARGS...: run swapctl with SWAPCTL_SYSROOT=
# $PWD/root, a new fake_tiers tree whose drain file is a FIFO filled up, so
# that the write blocks
# as the kernel's does; halve the Used column of /var/swapfile after 1.2 s,
# then 2.3 s later do ACTION: INT, TERM or KILL (swapctl), GROUPINT
# (SIGINT to its process group, as ^C), CHILDKILL, CHILDTERM... (that
# signal to swapctl's child only) or READ (read the FIFO: the write
# completes).  stderr on a pty if TTY is 1.  Leaves out and err; prints
# "rc=N elapsed=SECONDS writer=none|left wrote=DATA": whether anything
# still held the FIFO open for writing (the child) 5 s after swapctl
# exited, and what was written to it.
drain_drive() {
	local action=$1 tty=$2 d=$PWD/root/sys/kernel/mm/swap_tier
	shift 2
	fake_tiers "$PWD/root"
	rm -f "$d/drain"
	mkfifo "$d/drain" || return 1
	SWAPCTL_SYSROOT=$PWD/root "$PYTHON" - "$d/drain" "$PWD/root/proc/swaps" \
		"$action" "$tty" "$SWAPCTL" "$@" <<'EOF'
import os, pty, signal, subprocess, sys, time
fifo, swaps, action, tty = sys.argv[1:5]
args = sys.argv[5:]
r = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
w = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
filled = 0
try:
    while True:
        filled += os.write(w, b"x" * 4096)
except BlockingIOError:
    pass
def child():
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, signal.SIG_DFL)
if tty == "1":
    master, slave = pty.openpty()
    err = slave
else:
    err = open("err", "wb")
t0 = time.monotonic()
p = subprocess.Popen(args, stdout=open("out", "wb"), stderr=err,
                     start_new_session=True, preexec_fn=child)
time.sleep(1.2)
s = open(swaps).read()
open(swaps, "w").write(s.replace("\t2048\t", "\t1024\t"))
time.sleep(2.3)
data = b""
if action == "READ":
    while len(data) < filled:
        data += os.read(r, filled - len(data))
elif action == "GROUPINT":
    os.killpg(p.pid, signal.SIGINT)
elif action.startswith("CHILD"):
    # the process swapctl forked to write to the drain file, alone
    kids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            st = open("/proc/%s/stat" % pid).read()
        except OSError:
            continue
        if int(st.rsplit(")", 1)[1].split()[1]) == p.pid:
            kids.append(int(pid))
    if len(kids) != 1:
        print("children of swapctl: %r" % kids)
    for k in kids:
        os.kill(k, getattr(signal, "SIG" + action[5:]))
else:
    p.send_signal(getattr(signal, "SIG" + action))
try:
    rc = p.wait(timeout=20)
except subprocess.TimeoutExpired:
    p.kill()
    rc = "timeout"
elapsed = time.monotonic() - t0
if tty == "1":
    os.close(slave)
    out = b""
    try:
        while True:
            d = os.read(master, 4096)
            if not d:
                break
            out += d
    except OSError:
        pass
    open("err", "wb").write(out)
os.close(w)
writer = "left"
deadline = time.monotonic() + 5
while time.monotonic() < deadline:
    try:
        d = os.read(r, 65536)
    except BlockingIOError:
        time.sleep(0.05)
        continue
    if not d:
        writer = "none"
        break
    data += d
print("rc=%s elapsed=%d writer=%s wrote=%s"
      % (rc, elapsed, writer, data[filled:].decode(errors="replace")))
EOF
}

# A small policy in C, with its own struct swap_tier_ops (no vmlinux.h):
# every kind of tunable, a description, a cgroup_id the load overwrites.
POLICY_TP_SRC='
typedef unsigned char u8;
typedef unsigned int u32;
typedef int s32;
typedef unsigned long long u64;
typedef _Bool bool;
#define SEC(n) __attribute__((section(n), used))
struct swap_tier_ctx {
	u64 cgroup_id; u32 order; u32 nr_pages; u32 compressed_size;
	u32 age; s32 tier; u32 reason;
};
struct swap_tier_exit_info { u32 kind, nr_errors; s32 last_error; u32 last_error_hook; };
struct swap_tier_ops {
	s32 (*place)(struct swap_tier_ctx *ctx);
	s32 (*writeback)(struct swap_tier_ctx *ctx);
	void (*tick)(struct swap_tier_ctx *ctx);
	void (*swapin)(struct swap_tier_ctx *ctx);
	s32 (*init)(struct swap_tier_ctx *ctx);
	void (*exit)(struct swap_tier_exit_info *info);
	u64 cgroup_id;
	u32 flags;
	char name[16];
};
const char swaptier_description[] = "Test policy: zswap first, bounded by max_pct";
const volatile u32 max_pct = 90;
const volatile s32 bias = -5;
const volatile u64 hot_cgroup = 0;
const volatile bool verbose = 1;
const volatile u8 small = 200;
const volatile u64 weights[4] = { 1, 2, 3 };
const volatile char tag[8] = "abc";
static const volatile u32 hidden = 3;	/* static: not a tunable */
SEC("struct_ops/place")
s32 tp_place(unsigned long long *ctx)
{
	return max_pct + bias + weights[1] + hot_cgroup + verbose + small + tag[0] + hidden;
}
SEC(".struct_ops.link")
struct swap_tier_ops tp_ops = {
	.place = (void *)tp_place,
	.cgroup_id = 42,
	.name = "tp",
};
char _license[] SEC("license") = "GPL";
'

# policy_objs: build the test objects once into $TMP/objs (a policy
# directory: tp, nodesc) and $TMP/bad (objects that are no policies).
# Returns 77 with SKIP_REASON without clang; a clang that fails is a
# failure (1), not a reason to skip.
policy_objs() {
	local o=$TMP/objs b=$TMP/bad cc=${CLANG:-clang}
	[ -e "$o/.done" ] && return 0
	if ! command -v "$cc" >/dev/null; then
		SKIP_REASON="no $cc to build BPF objects"
		return 77
	fi
	[ -e "$TMP/.objs-failed" ] && { fail "building the test objects failed"; return 1; }
	mkdir -p "$o" "$b"
	printf '%s' "$POLICY_TP_SRC" >"$TMP/tp.c"
	# no description, no tunables
	printf '%s' "$POLICY_TP_SRC" | sed -e '/^const char swaptier_description/d' \
		-e '/const volatile/d' -e 's/return max_pct.*/return 0;/' \
		-e 's/"tp"/"nd"/' >"$TMP/nd.c"
	# struct_ops in SEC(".struct_ops"): no link to pin
	printf '%s' "$POLICY_TP_SRC" | sed 's/SEC(".struct_ops.link")/SEC(".struct_ops")/' >"$TMP/nolink.c"
	# no struct_ops at all
	printf '%s\n' '#define SEC(n) __attribute__((section(n), used))' \
		'SEC("tracepoint/x") int prog(void *ctx) { return 0; }' \
		'char _license[] SEC("license") = "GPL";' >"$TMP/noops.c"
	if ! "$cc" -g -O2 -target bpf -c -x c "$TMP/tp.c" -o "$o/tp.bpf.o" 2>"$TMP/cc.err" ||
	   ! "$cc" -g -O2 -target bpf -c -x c "$TMP/nd.c" -o "$o/nodesc.bpf.o" 2>>"$TMP/cc.err" ||
	   ! "$cc" -g -O2 -target bpf -c -x c "$TMP/nolink.c" -o "$b/nolink.bpf.o" 2>>"$TMP/cc.err" ||
	   ! "$cc" -g -O2 -target bpf -c -x c "$TMP/noops.c" -o "$b/noops.bpf.o" 2>>"$TMP/cc.err"; then
		diag "$(cat "$TMP/cc.err")"
		: >"$TMP/.objs-failed"
		fail "building the test objects failed"
		return 1
	fi
	head -c 1000 /dev/urandom >"$b/junk.bpf.o"
	: >"$o/.done"
}

# policy_env DIR: fixtures for load/replace/detach/show under DIR: a
# SWAPCTL_SYSROOT whose kernel BTF has struct swap_tier_ops (the test
# object's), /sys/kernel/mm/swap_tier/policies, a cgroup2 mount at
# /sys/fs/cgroup (a plain directory tree: a/b, "sp ace"), and a bpffs
# directory for SWAPCTL_BPFFS.  Exports the variables.
policy_env() {
	local r=$1/root
	mkdir -p "$r/sys/kernel/btf" "$r/sys/kernel/mm/swap_tier/policies" \
		"$r/proc/self" "$r/sys/fs/cgroup/a/b" "$r/sys/fs/cgroup/sp ace" \
		"$1/bpffs"
	cp "$TMP/objs/tp.bpf.o" "$r/sys/kernel/btf/vmlinux"
	echo 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev 0 0' >"$r/proc/self/mounts"
	export SWAPCTL_SYSROOT=$r SWAPCTL_BPFFS=$1/bpffs SWAPCTL_POLICY_DIR=$TMP/objs
	PINS=$1/bpffs/swaptier
	POLICIES=$r/sys/kernel/mm/swap_tier/policies
}

# sysfs_policy TARGET NAME CGROUP_ID LAST_ERROR: a policies/TARGET directory
# with counters 10 20 30 40 (place writeback tick swapin) and 3 errors;
# LAST_ERROR "none" or "HOOK VALUE" gives last_error_hook (none, HOOK) and
# last_error (0, VALUE)
sysfs_policy() {
	local d=$POLICIES/$1
	mkdir -p "$d"
	echo "$2" >"$d/name"
	echo "$3" >"$d/cgroup_id"
	echo 10 >"$d/place_calls"
	echo 20 >"$d/writeback_calls"
	echo 30 >"$d/tick_calls"
	echo 40 >"$d/swapin_calls"
	echo 3 >"$d/errors"
	if [ "$4" = none ]; then
		echo none >"$d/last_error_hook"
		echo 0 >"$d/last_error"
	else
		echo "${4%% *}" >"$d/last_error_hook"
		echo "${4#* }" >"$d/last_error"
	fi
}

# policy_show_fixture: global, a/b (pinned), "sp ace", a removed cgroup,
# and a pin without its sysfs directory (detached by the kernel)
policy_show_fixture() {
	policy_env "$PWD"
	CG_AB=$(stat -c %i "$SWAPCTL_SYSROOT/sys/fs/cgroup/a/b")
	CG_SP=$(stat -c %i "$SWAPCTL_SYSROOT/sys/fs/cgroup/sp ace")
	sysfs_policy global latency 0 none
	sysfs_policy "$CG_AB" batch "$CG_AB" "place 77"
	sysfs_policy "$CG_SP" compress_aware "$CG_SP" "writeback -3"
	sysfs_policy 999999999 ssd_wear 999999999 none
	mkdir -p "$PINS"
	: >"$PINS/global"
	: >"$PINS/cgroup-$CG_AB"
	: >"$PINS/cgroup-424242"
	: >"$PINS/unrelated"
	mkdir -p "$POLICIES/not-a-target"
}

# ------------------------------------------------------------- runner

# run_tests [TEST...]: see the top of this file
run_tests() {
	local entry want fn desc rc reason n=0 failed=0 sel=()
	if [ $# -gt 0 ]; then
		for entry in "${TESTS[@]}"; do
			for want in "$@"; do
				[ "${entry%%|*}" = "$want" ] && sel+=("$entry")
			done
		done
		TESTS=("${sel[@]}")
	fi

	echo "1..${#TESTS[@]}"
	if [ ! -x "$SWAPCTL_PROD" ]; then
		diag "swapctl binary not found: $SWAPCTL_PROD (build it with make swapctl)"
	fi
	if [ ! -x "$SWAPCTL_TEST" ]; then
		diag "swapctl test build not found: $SWAPCTL_TEST (build it with make swapctl, or make -C tools/swapctl test-build)"
	fi

	for entry in "${TESTS[@]}"; do
		n=$((n + 1))
		fn=${entry%%|*}
		desc=${entry#*|}
		SKIP_REASON=
		mkdir -p "$TMP/$n"
		# each test in a subshell: its variables and cwd do not leak
		(
			cd "$TMP/$n" || exit 1
			if declare -F test_setup >/dev/null; then
				test_setup || exit 1
			fi
			"$fn"
			r=$?
			[ $r -eq 77 ] && printf '%s' "${SKIP_REASON:-skipped}" >"$TMP/$n.skip"
			exit $r
		)
		rc=$?
		if [ $rc -eq 77 ]; then
			reason=$(cat "$TMP/$n.skip" 2>/dev/null || echo skipped)
			echo "ok $n - $desc # SKIP $reason"
		elif [ $rc -eq 0 ]; then
			echo "ok $n - $desc"
		else
			echo "not ok $n - $desc"
			failed=$((failed + 1))
		fi
	done

	if [ $failed -ne 0 ]; then
		diag "$failed of ${#TESTS[@]} tests failed"
		return 1
	fi
	return 0
}
