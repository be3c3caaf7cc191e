#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side tests for swapctl (no swaptier kernel needed).  Prints TAP.
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
#   selftests/host/run.sh [TEST...]   (TEST: a function name, t_...)
#
# Exit status: 0 iff no test failed.

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
	printf 'MemTotal:        8000000 kB\nZswap:              1234 kB\nZswapped:           5678 kB\nSwapCached:            0 kB\n' \
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

# ------------------------------------------------------------ the tests
# Each prints diagnostics as "# ..." lines and returns 0 (pass), 1 (fail)
# or 77 (skip, reason in SKIP_REASON).  Each runs in its own directory.

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
	case "$OUT" in *"ghost create PATH --size SIZE"*) ;; *) fail "$OUT"; return 1 ;; esac
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

t_header_btf() {
	local uuid=00112233-4455-6677-8899-aabbccddeeff lp=$((0x12345))
	run ghost create hdr --size $(((lp + 1) * PAGE)) --label swaptier-hdr --uuid "$uuid"
	expect_rc 0 || return 1
	diag "vmlinux: $SWAPTIER_VMLINUX"
	"$PYTHON" "$HDR" check "$SWAPTIER_VMLINUX" hdr --last-page "$lp" \
		--uuid "$uuid" --label swaptier-hdr | sed 's/^/# /'
	[ "${PIPESTATUS[0]}" -eq 0 ]
}

t_header_btf_full_label() {
	local lp=$UINT32_MAX
	# 16-byte label (no NUL), all-zero UUID, the largest size
	run ghost create hdr --size $(((lp + 1) * PAGE)) --label 0123456789abcdef --uuid clear
	expect_rc 0 || return 1
	"$PYTHON" "$HDR" check "$SWAPTIER_VMLINUX" hdr --last-page "$lp" \
		--uuid 00000000-0000-0000-0000-000000000000 \
		--label 0123456789abcdef | sed 's/^/# /'
	[ "${PIPESTATUS[0]}" -eq 0 ]
}

t_header_checker_can_fail() {
	local uuid=00112233-4455-6677-8899-aabbccddeeff lp=$((0x12345))
	run ghost create hdr --size $(((lp + 1) * PAGE)) --label swaptier-hdr --uuid "$uuid"
	expect_rc 0 || return 1
	"$PYTHON" "$HDR" mutants "$SWAPTIER_VMLINUX" hdr --last-page "$lp" \
		--uuid "$uuid" --label swaptier-hdr | sed 's/^/# /'
	[ "${PIPESTATUS[0]}" -eq 0 ] || return 1
	# and a wrong expectation is reported, not accepted
	if "$PYTHON" "$HDR" check "$SWAPTIER_VMLINUX" hdr \
		--last-page $((lp + 1)) --uuid "$uuid" --label swaptier-hdr >/dev/null; then
		fail "checker accepted a wrong last_page"
		return 1
	fi
}

t_create_json() {
	run -j ghost create g --size 64M --label lbl --uuid 0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >c.json
	json_valid c.json || return 1
	json_check c.json 'd["path"] == "g"' \
		'd["size_bytes"] == 64 << 20' \
		"d[\"pages\"] == (64 << 20) // $PAGE - 1" \
		"d[\"last_page\"] == (64 << 20) // $PAGE - 1" \
		"d[\"page_size\"] == $PAGE" \
		'd["uuid"] == "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"' \
		'd["label"] == "lbl"' || return 1
	expect_ghost g $(((64 << 20) / PAGE - 1))
}

t_create_text() {
	run ghost create g --size 1G
	expect_rc 0 || return 1
	[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 1 ] || { fail "not one line: $OUT"; return 1; }
	case "$OUT" in
	*g*"1 GiB"*"1073741824 bytes"*"$(((1 << 30) / PAGE - 1)) usable pages"*UUID=*) ;;
	*) fail "summary: $OUT"; return 1 ;;
	esac
}

t_uuid_random() {
	run -j ghost create a --size 1M
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >a.json
	run -j ghost create b --size 1M --uuid random
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >b.json
	"$PYTHON" - a.json b.json a b <<'EOF' | sed 's/^/# /'
import json, re, sys, uuid
ua = json.load(open(sys.argv[1]))["uuid"]
ub = json.load(open(sys.argv[2]))["uuid"]
ok = True
for u, f in ((ua, sys.argv[3]), (ub, sys.argv[4])):
    if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", u):
        print("not a v4 UUID: %s" % u); ok = False
    if open(f, "rb").read()[1036:1052] != uuid.UUID(u).bytes:
        print("UUID bytes in %s differ from %s" % (f, u)); ok = False
if ua == ub:
    print("two random UUIDs are equal: %s" % ua); ok = False
sys.exit(0 if ok else 1)
EOF
	return "${PIPESTATUS[0]}"
}

t_size_suffixes() {
	local spec arg want checked=0
	# SIZE covers the header page too: last_page = SIZE / PAGE - 1
	for spec in "$((2 * PAGE)):1" "8k:$((8192 / PAGE - 1))" \
		"8KiB:$((8192 / PAGE - 1))" \
		"512m:$(((512 << 20) / PAGE - 1))" "2M:$(((2 << 20) / PAGE - 1))" \
		"2mib:$(((2 << 20) / PAGE - 1))" "3G:$(((3 << 30) / PAGE - 1))" \
		"1GiB:$(((1 << 30) / PAGE - 1))" "1t:$(((1 << 40) / PAGE - 1))" \
		"2TiB:$(((2 << 40) / PAGE - 1))" "$((2 * PAGE))b:1" \
		"$(((UINT32_MAX + 1) * PAGE / 1024))K:$UINT32_MAX"; do
		arg=${spec%%:*}
		want=${spec#*:}
		case "$want" in
		'' | *[!0-9]*) fail "test bug: bad expectation '$spec'"; return 1 ;;
		0 | -*) diag "--size $arg is below two pages here"; continue ;;
		esac
		rm -f g
		run -j ghost create g --size "$arg"
		expect_rc 0 || { fail "--size $arg"; return 1; }
		printf '%s\n' "$OUT" >s.json
		json_check s.json "d[\"last_page\"] == $want" || { fail "--size $arg"; return 1; }
		expect_ghost g "$want" || return 1
		checked=$((checked + 1))
	done
	[ "$checked" -ge 10 ] || fail "only $checked sizes checked"
}

t_missing_size() {
	run ghost create g
	expect_error 16 "ghost create" || return 1
	expect_err_contains --size || return 1
	[ ! -e g ] || fail "file created anyway"
}

t_size_zero() {
	run ghost create g --size 0
	expect_error 16 "--size 0" || return 1
	[ ! -e g ] || fail "file created anyway"
}

t_size_not_page_multiple() {
	local s=$((PAGE * 3 + 100))
	run ghost create g --size "$s"
	expect_error 16 "--size $s" || return 1
	expect_err_contains "page size ($PAGE bytes)" || return 1
	# the nearest valid sizes are named
	expect_err_contains "$((PAGE * 3))" || return 1
	expect_err_contains "$((PAGE * 4))" || return 1
	run ghost create g --size 100
	expect_error 16 "--size 100" || return 1
	expect_err_contains "$PAGE" || return 1
	[ ! -e g ] || fail "file created anyway"
}

t_size_too_large() {
	local max=$(((UINT32_MAX + 1) * PAGE))
	run ghost create g --size $((max + PAGE))
	expect_error 16 "--size $((max + PAGE))" || return 1
	expect_err_contains "$max bytes" || return 1
	expect_err_contains "2^32 pages" || return 1
	run ghost create g --size 99999999999999999999999T
	expect_error 16 "--size 99999999999999999999999T" || return 1
	expect_err_contains "maximum" || return 1
	run ghost create g --size 16777216T
	expect_error 16 "--size 16777216T" || return 1
	[ ! -e g ] || fail "file created anyway"
}

t_size_garbage() {
	local s
	for s in 12abc abc -4096 1.5G 1GB "" " 4096" 0x1000 4096K2; do
		run ghost create g --size "$s"
		expect_error 16 "--size $s" || return 1
		expect_err_contains "invalid size" || return 1
	done
	[ ! -e g ] || fail "file created anyway"
}

t_label_too_long() {
	run ghost create g --size 1M --label 0123456789abcdefX
	expect_error 16 "--label 0123456789abcdefX" || return 1
	expect_err_contains "17 bytes" || return 1
	expect_err_contains "16" || return 1
	[ ! -e g ] || fail "file created anyway"
}

t_uuid_malformed() {
	local u
	for u in 1234 00112233-4455-6677-8899-aabbccddeefg \
		001122334455-6677-8899-aabb-ccddeeff \
		00112233-4455-6677-8899-aabbccddeeff0 nope; do
		run ghost create g --size 1M --uuid "$u"
		expect_error 16 "--uuid $u" || return 1
	done
	[ ! -e g ] || fail "file created anyway"
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

t_refuse_non_swap() {
	local f=data.bin
	"$PYTHON" -c "import os; open('$f','wb').write(os.urandom(3 * $PAGE + 17))"
	chmod 644 "$f"
	cp -p "$f" "$f.orig"
	run ghost create "$f" --size 1M
	expect_error 8 "$f" || return 1
	expect_err_contains "--force" || return 1
	cmp "$f" "$f.orig" || { fail "file was modified"; return 1; }
	[ "$(file_mode "$f")" = 644 ] || fail "mode changed"
}

t_refuse_empty_and_short() {
	: >empty
	run ghost create empty --size 1M
	expect_error 8 empty || return 1
	[ "$(file_size empty)" -eq 0 ] || { fail "empty file modified"; return 1; }
	# a swap signature beyond the end of a short file does not count
	printf 'SWAPSPACE2' >short
	run ghost create short --size 1M
	expect_error 8 short || return 1
	[ "$(cat short)" = SWAPSPACE2 ] || fail "short file modified"
}

t_force_overwrite() {
	local f=data.bin
	head -c $((5 * PAGE + 3)) /dev/urandom >"$f"
	chmod 644 "$f"
	run ghost create "$f" --size 8M --force
	expect_rc 0 || return 1
	expect_ghost "$f" $(((8 << 20) / PAGE - 1))
}

t_overwrite_swap_header() {
	local m
	for m in SWAPSPACE2 SWAP-SPACE; do
		rm -f old
		write_swap_sig old 10 $m
		chmod 640 old
		run ghost create old --size 2M
		expect_rc 0 || { fail "magic $m"; return 1; }
		expect_ghost old $(((2 << 20) / PAGE - 1)) || return 1
	done
	# and a ghost file can be recreated with another size
	run ghost create old --size 4M
	expect_rc 0 || return 1
	expect_ghost old $(((4 << 20) / PAGE - 1))
}

t_path_directory() {
	mkdir d
	run ghost create d --size 1M
	expect_error 8 d || return 1
	expect_err_contains directory || return 1
	run ghost create d --size 1M --force
	expect_error 8 d || return 1
	[ -d d ] || fail "directory gone"
}

t_path_device() {
	[ -c /dev/null ] || { SKIP_REASON="no /dev/null"; return 77; }
	run ghost create /dev/null --size 1M --force
	expect_error 8 /dev/null || return 1
	[ -c /dev/null ] || fail "/dev/null is no longer a device"
}

t_path_fifo() {
	mkfifo fifo || { SKIP_REASON="mkfifo failed"; return 77; }
	run ghost create fifo --size 1M --force
	expect_error 8 fifo
}

t_active_swap_refused() {
	local r=$PWD/root
	write_swap_sig sw 1 SWAPSPACE2
	cp sw sw.orig
	ln -s "$PWD/sw" alias
	fake_root "$r" minimal
	# listed under another name: the check compares device and inode
	printf '%s\t\tghost\t\t1024\t\t0\t\t-2\n' "$PWD/alias" >>"$r/proc/swaps"
	SWAPCTL_SYSROOT=$r run ghost create sw --size 1M --force
	expect_error 8 sw || return 1
	expect_err_contains "active swap area" || return 1
	cmp sw sw.orig || { fail "active swap file modified"; return 1; }
	# not listed: fine
	fake_root "$r" minimal
	SWAPCTL_SYSROOT=$r run ghost create sw --size 1M
	expect_rc 0
}

t_syscall_failure() {
	run ghost create nodir/g --size 1M
	expect_error 4 nodir/g || return 1
	expect_err_contains "No such file or directory" || return 1
	: >plain
	run ghost create plain/g --size 1M
	expect_error 4 plain/g || return 1
	expect_err_contains "Not a directory" || return 1
	if [ "$(id -u)" -ne 0 ]; then
		write_swap_sig ro 1 SWAPSPACE2
		chmod 400 ro
		run ghost create ro --size 1M
		expect_error 4 ro || return 1
		expect_err_contains "Permission denied" || return 1
	fi
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
			'set(d) == {"swaps", "zswap", "counters"}' \
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
	printf '%s\n' "$OUT" >t.txt
	grep -Eq '^NAME +TYPE +SIZE +USED +PRIO +TIER$' t.txt || { fail "no header: $OUT"; return 1; }
	grep -Eq '^/srv/my ghost\\011tab\\012nl\\134bs +ghost +8G +0B +-2 +front-end$' t.txt ||
		{ fail "ghost row: $OUT"; return 1; }
	grep -Eq '^/var/swapfile +file +1G +2M +5 +-$' t.txt || { fail "file row: $OUT"; return 1; }
	grep -Eq '^ +ghost_rejects +16$' t.txt || { fail "ghost_rejects: $OUT"; return 1; }
	grep -Eq '^ +stored pages +4321$' t.txt || fail "stored pages: $OUT"
}

t_status_optional_missing() {
	local r=$PWD/root
	fake_root "$r" minimal
	SWAPCTL_SYSROOT=$r run status -j
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >st.json
	json_check st.json 'd["swaps"] == []' \
		'all(v is None for v in d["zswap"].values())' \
		'all(v is None for v in d["counters"].values())' || return 1
	# a kernel without ghost swapfiles: only ghost_rejects is null
	printf 'pswpin 1\npswpout 2\nzswpin 3\nzswpout 4\nzswpwb 5\n' >"$r/proc/vmstat"
	SWAPCTL_SYSROOT=$r run status -j
	printf '%s\n' "$OUT" >st.json
	json_check st.json 'd["counters"]["ghost_rejects"] is None' \
		'd["counters"]["zswpwb"] == 5' || return 1
	SWAPCTL_SYSROOT=$r run status
	expect_rc 0 || return 1
	case "$OUT" in *"no active swap areas"*) ;; *) fail "$OUT"; return 1 ;; esac
	printf '%s\n' "$OUT" | grep -Eq '^ +ghost_rejects +-$' || fail "$OUT"
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

t_pretty_json() {
	run -p status
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >p.json
	json_valid p.json || return 1
	[ "$(wc -l <p.json)" -gt 10 ] || fail "not indented: $OUT"
}

# valgrind is a dependency of the project (scripts/install-deps): without
# it the leak checks fail, they do not skip
need_valgrind() {
	command -v valgrind >/dev/null && return 0
	fail "valgrind not installed: the leak checks need it (a project dependency: run 'make deps' or scripts/install-deps)"
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
		RC=$?
		if [ "$RC" -ne "$want" ]; then
			diag "$(cat vg.err)"
			fail "valgrind swapctl $args: exit $RC, expected $want"
			return 1
		fi
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

# ------------------------------------------------------------ tier tests

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
	grep -Eq '^NAME +INDEX +DEVICES +CAPACITY +USED +WRITTEN +READ +WERR +RERR +DEMOTED +DRAINED +HIGH +LOW$' t.txt ||
		{ fail "no tier header"; show_run; return 1; }
	grep -Eq '^zswap +0 +0 +- +2M +14 +13( +-){6}$' t.txt || { fail "zswap row"; show_run; return 1; }
	grep -Eq "^ssd +1 +1 +$(((262144 * PAGE) >> 30))G +$(((512 * PAGE) >> 20))M +100 +50 +0 +1 +40 +5 +90% +75%\$" t.txt ||
		{ fail "ssd row"; show_run; return 1; }
	grep -Eq '^hdd +2 +3 +[0-9.]+[GM] +[0-9.]+M +300 +200 +3 +4 +0 +12 +off +50%$' t.txt || { fail "hdd row"; show_run; return 1; }
	grep -Eq '^tier7 +7( +-){11}$' t.txt || { fail "tier7 row"; show_run; return 1; }
	grep -Eq '^demotion interval: 1000 ms$' t.txt || { fail "interval line"; show_run; return 1; }
	# tiers in index order
	[ "$(grep -Eo '^(zswap|ssd|hdd|tier7) ' t.txt | tr -d ' ' | tr '\n' ,)" = "zswap,ssd,hdd,tier7," ] ||
		{ fail "tier order"; show_run; return 1; }
	grep -Eq '^DEVICE +TIER +SIZE +USED +PRIO$' t.txt || { fail "no device header"; show_run; return 1; }
	grep -Eq '^/var/swapfile +ssd +1G +2M +5$' t.txt || { fail "ssd device"; show_run; return 1; }
	grep -Eq '^/srv/hdd two\\134x +hdd +2G +8M +-4$' t.txt || { fail "escaped device"; show_run; return 1; }
	grep -Eq '^/gone away +hdd +- +- +-$' t.txt || { fail "unlisted device"; show_run; return 1; }
	grep -Eq '^back-end pointers: 3 records, 6\.1K$' t.txt || { fail "pointer line"; show_run; return 1; }
	! grep -q 'not shown' t.txt || { fail "--all hid a tier"; show_run; return 1; }
	# no back ends at all
	: >"$r/sys/kernel/mm/swap_tier/ssd/devices"
	: >"$r/sys/kernel/mm/swap_tier/hdd/devices"
	SWAPCTL_SYSROOT=$r run tier list --all
	expect_rc 0 || return 1
	case "$OUT" in *"no back ends"*) ;; *) fail "no 'no back ends': $OUT"; return 1 ;; esac
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
	printf '%s\n' "$OUT" >t.txt
	grep -Eq '^NAME +TYPE +SIZE +USED +PRIO +TIER$' t.txt || { fail "header"; show_run; return 1; }
	grep -Eq '^/srv/my ghost\\011tab\\012nl\\134bs +ghost +8G +0B +-2 +front-end$' t.txt || { fail "ghost"; show_run; return 1; }
	grep -Eq '^/var/swapfile +file +1G +2M +5 +ssd$' t.txt || { fail "ssd"; show_run; return 1; }
	grep -Eq '^/srv/hdd two\\134x +partition +2G +8M +-4 +hdd$' t.txt || { fail "hdd"; show_run; return 1; }
	grep -Eq '^/swap/plain +file +64K +0B +-9 +-$' t.txt || { fail "plain"; show_run; return 1; }
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
	for args in "tier help" "tier -h" "tier add -h" "tier remove --help" "tier list -h" "help"; do
		# shellcheck disable=SC2086
		run $args
		expect_rc 0 || { fail "$args"; return 1; }
		case "$OUT" in *"tier add { DEV | FILE } --tier NAME"*) ;; *) fail "$args: $OUT"; return 1 ;; esac
	done
}

# ------------------------------------------------- demotion and drain tests

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
	grep -Eq '^ssd +1 +1 .* +100 +50 +0 +1( +-){4}$' t.txt || { fail "ssd row"; show_run; return 1; }
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

t_tier_drain_progress() {
	[ "$PAGE" -eq 4096 ] || { SKIP_REASON="page size $PAGE (the figures assume 4 KiB)"; return 77; }
	local res n elapsed
	# SIGINT: stopped, progress lines, the summary; the child is gone
	# and its write never completed
	res=$(drain_drive INT 0 tier drain /var/swapfile) || return 1
	diag "$res"
	case "$res" in
	"rc=64 elapsed="*" writer=none wrote=") ;;
	*) fail "SIGINT: $res" "$(cat err)"; return 1 ;;
	esac
	elapsed=$(echo "$res" | sed 's/.*elapsed=\([0-9]*\).*/\1/')
	n=$(check_progress_lines "$elapsed") || return 1
	[ "$n" -ge 1 ] || { fail "no progress line"; return 1; }
	grep -qx 'draining /var/swapfile: 256 of 512 pages moved (50%)' err ||
		{ fail "no 50% line: $(cat err)"; return 1; }
	[ "$(tail -n 1 err)" = "swapctl: /var/swapfile: interrupted: 256 pages moved, 256 still on /var/swapfile" ] ||
		{ fail "last line: $(tail -n 1 err)"; return 1; }
	[ ! -s out ] || { fail "stdout: $(cat out)"; return 1; }
	# ^C (the whole process group), -q -j: no progress, the JSON
	res=$(drain_drive GROUPINT 0 -j tier drain -q /var/swapfile) || return 1
	diag "$res"
	case "$res" in
	"rc=64 "*" writer=none wrote=") ;;
	*) fail "^C: $res" "$(cat err)"; return 1 ;;
	esac
	[ "$(cat err)" = '{"error":"/var/swapfile: interrupted: 256 pages moved, 256 still on /var/swapfile"}' ] ||
		{ fail "-q -j: stderr: $(cat err)"; return 1; }
	json_check out "d == {'device': '/var/swapfile', 'tier': 'ssd', 'pages_before': 512, 'moved': 256, 'remaining': 256, 'interrupted': True, 'error': 'EINTR'}" ||
		return 1
	# SIGTERM with stderr on a terminal: one line rewritten with \r,
	# cleared before the message
	res=$(drain_drive TERM 1 tier drain /var/swapfile) || return 1
	diag "$res"
	case "$res" in
	"rc=64 "*" writer=none wrote=") ;;
	*) fail "SIGTERM: $res" "$(cat -A err)"; return 1 ;;
	esac
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
	res=$(drain_drive READ 0 tier drain /var/swapfile) || return 1
	diag "$res"
	case "$res" in
	"rc=0 "*" writer=none wrote=/var/swapfile") ;;
	*) fail "READ: $res" "$(cat err)"; return 1 ;;
	esac
	elapsed=$(echo "$res" | sed 's/.*elapsed=\([0-9]*\).*/\1/')
	n=$(check_progress_lines "$elapsed") || return 1
	[ "$n" -ge 1 ] && ! grep -q '^swapctl' err || { fail "stderr: $(cat err)"; return 1; }
	[ "$(cat out)" = "drained /var/swapfile: 512 pages moved" ] || { fail "stdout: $(cat out)"; return 1; }
	# swapctl killed: its child does not go on alone
	res=$(drain_drive KILL 0 tier drain /var/swapfile) || return 1
	diag "$res"
	case "$res" in
	"rc=-9 "*" writer=none wrote=") ;;
	*) fail "SIGKILL: $res"; return 1 ;;
	esac
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

# ---------------------------------------------------------- policy tests

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

# host_cgroup2: the host's cgroup v2 mount point in HOST_CG2, or 77
host_cgroup2() {
	HOST_CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	if [ -z "$HOST_CG2" ] || [ ! -d "$HOST_CG2" ]; then
		SKIP_REASON="no cgroup v2 hierarchy mounted on this host"
		return 77
	fi
}

# host_has_swap_tier_ops: 0 if the running kernel's BTF has the type
host_has_swap_tier_ops() {
	[ -r /sys/kernel/btf/vmlinux ] &&
		grep -aq 'swap_tier_ops' /sys/kernel/btf/vmlinux
}

# expect_dry_line OBJ: first stderr line is "swapctl: policy: OBJ: dry run: ..."
# and is dropped from ERR
expect_dry_line() {
	local first
	first=$(printf '%s\n' "$ERR" | head -n 1)
	case "$first" in
	"swapctl: policy: $1: dry run: "?*) ;;
	*) show_run; fail "no dry-run line for $1"; return 1 ;;
	esac
	ERR=$(printf '%s\n' "$ERR" | tail -n +2)
}

TP_TUNABLES='[{"name": "max_pct", "type": "u32", "default": 90}, {"name": "bias", "type": "s32", "default": -5}, {"name": "hot_cgroup", "type": "u64", "default": 0}, {"name": "verbose", "type": "bool", "default": True}, {"name": "small", "type": "u8", "default": 200}, {"name": "weights", "type": "u64[4]", "default": [1, 2, 3, 0]}, {"name": "tag", "type": "char[8]", "default": "abc"}]'

t_policy_help() {
	local args
	for args in "policy help" "policy -h" "policy load -h" "policy show --help" "policy detach -h"; do
		# shellcheck disable=SC2086
		run $args
		expect_rc 0 || { fail "$args"; return 1; }
		case "$OUT" in
		*"policy load { OBJ | NAME } [--cgroup PATH] [--set KEY=VALUE]..."*"policy detach"*) ;;
		*) fail "$args: $OUT"; return 1 ;;
		esac
	done
	run help
	case "$OUT" in *"policy list"*"policy replace"*) ;; *) fail "main help: $OUT"; return 1 ;; esac
	# the help names the policy directory
	SWAPCTL_POLICY_DIR=/some/where run policy help
	case "$OUT" in *"/some/where"*) ;; *) fail "policy dir not in help: $OUT" ;; esac
}

t_policy_list_json() {
	policy_objs || return $?
	SWAPCTL_POLICY_DIR=$TMP/objs run policy list -j
	expect_rc 0 || return 1
	[ -z "$ERR" ] || { show_run; fail "stderr not empty"; return 1; }
	printf '%s\n' "$OUT" >l.json
	json_check l.json \
		'[p["name"] for p in d] == ["nodesc", "tp"]' \
		"d[0] == {'name': 'nodesc', 'object': '$TMP/objs/nodesc.bpf.o', 'description': None, 'ops_name': 'nd', 'tunables': []}" \
		"d[1] == {'name': 'tp', 'object': '$TMP/objs/tp.bpf.o', 'description': 'Test policy: zswap first, bounded by max_pct', 'ops_name': 'tp', 'tunables': $TP_TUNABLES}" || return 1
	# "-j policy list" and -p work too
	SWAPCTL_POLICY_DIR=$TMP/objs run -p policy list
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >p.json
	json_check p.json 'len(d) == 2'
}

t_policy_list_table() {
	policy_objs || return $?
	SWAPCTL_POLICY_DIR=$TMP/objs run policy list
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >t.txt
	grep -qx 'tp: Test policy: zswap first, bounded by max_pct' t.txt || { show_run; fail "tp line"; return 1; }
	grep -qx 'nodesc: (no description)' t.txt || { show_run; fail "nodesc line"; return 1; }
	grep -qx "    object $TMP/objs/tp.bpf.o" t.txt || { show_run; fail "object line"; return 1; }
	grep -Eqx ' +TUNABLE +TYPE +DEFAULT' t.txt || { show_run; fail "tunable header"; return 1; }
	grep -Eqx ' +bias +s32 +-5' t.txt || { show_run; fail "bias"; return 1; }
	grep -Eqx ' +verbose +bool +true' t.txt || { show_run; fail "verbose"; return 1; }
	grep -Eqx ' +weights +u64\[4\] +1,2,3,0' t.txt || { show_run; fail "weights"; return 1; }
	grep -Eqx ' +tag +char\[8\] +abc' t.txt || { show_run; fail "tag"; return 1; }
	grep -qx '    no tunables' t.txt || { show_run; fail "no tunables"; return 1; }
	# nodesc before tp
	[ "$(grep -Eo '^(nodesc|tp):' t.txt | tr '\n' ,)" = "nodesc:,tp:," ] || fail "order"
}

# objects that are no policies are reported and skipped; the status is 8
t_policy_list_errors() {
	policy_objs || return $?
	local d=$PWD/pol
	mkdir "$d"
	cp "$TMP/objs/tp.bpf.o" "$TMP/bad/junk.bpf.o" "$TMP/bad/noops.bpf.o" \
		"$TMP/bad/nolink.bpf.o" "$d/"
	echo "not a policy" >"$d/README"
	SWAPCTL_POLICY_DIR=$d run policy list -j
	expect_rc 8 || return 1
	printf '%s\n' "$OUT" >l.json
	json_check l.json '[p["name"] for p in d] == ["tp"]' || return 1
	[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 3 ] || { show_run; fail "expected 3 error lines"; return 1; }
	printf '%s\n' "$ERR" | grep -qx "swapctl: policy: $d/junk.bpf.o: not a BPF object file (libbpf: .*)" ||
		{ show_run; fail "junk"; return 1; }
	printf '%s\n' "$ERR" | grep -q "^swapctl: policy: $d/noops.bpf.o: not a swaptier policy: no struct_ops map" ||
		{ show_run; fail "noops"; return 1; }
	printf '%s\n' "$ERR" | grep -q "^swapctl: policy: $d/nolink.bpf.o: .*SEC(\".struct_ops.link\")" ||
		{ show_run; fail "nolink"; return 1; }
	# an empty directory: nothing to list, no error
	mkdir empty
	SWAPCTL_POLICY_DIR=$PWD/empty run policy list
	expect_rc 0 || return 1
	[ "$OUT" = "no policies in $PWD/empty" ] || { show_run; fail "empty"; return 1; }
	SWAPCTL_POLICY_DIR=$PWD/empty run policy list -j
	[ "$OUT" = "[]" ] || { show_run; fail "empty JSON"; return 1; }
	SWAPCTL_POLICY_DIR=$PWD/none run policy list
	expect_error 8 "policy: $PWD/none" || return 1
	expect_err_contains "no such policy directory"
}

# the policies bpf/ ships, when they have been built
t_policy_shipped() {
	local n dir=${SWAPTIER_BPF_DIR:-$TOP/build/bpf}
	n=$(find "$dir" -maxdepth 1 -name '*.bpf.o' 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] || { SKIP_REASON="no $dir/*.bpf.o (make -C bpf)"; return 77; }
	SWAPCTL_POLICY_DIR=$dir run policy list -j
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >s.json
	json_check s.json "len(d) == $n" \
		'all(isinstance(p["description"], str) and p["description"] for p in d)' \
		'all(p["ops_name"] == p["name"] for p in d)' \
		'"default" in [p["name"] for p in d]' \
		'all(t["default"] is not None for p in d for t in p["tunables"])'
}

t_policy_load_not_found() {
	policy_objs || return $?
	export SWAPCTL_POLICY_DIR=$TMP/objs
	run policy load nope
	expect_error 16 "policy: nope" || return 1
	expect_err_contains "looked for $TMP/objs/nope.bpf.o" || return 1
	expect_err_contains "it has: nodesc, tp" || return 1
	SWAPCTL_POLICY_DIR=$PWD/nodir run policy replace nope
	expect_error 16 "policy: nope" || return 1
	expect_err_contains "it has no policies" || return 1
	run policy load ./nope.o
	expect_error 4 "policy: ./nope.o" || return 1
	expect_err_contains "No such file or directory" || return 1
	run policy load "$PWD"/
	expect_error 8 "policy: $PWD/" || return 1
	head -c 3000 /dev/urandom >junk.o
	run policy load junk.o
	expect_error 8 "policy: junk.o" || return 1
	expect_err_contains "not a BPF object file" || return 1
	run policy load "$TMP/bad/noops.bpf.o"
	expect_error 8 "policy: $TMP/bad/noops.bpf.o" || return 1
	expect_err_contains "no struct_ops map" || return 1
	run policy replace "$TMP/bad/nolink.bpf.o"
	expect_error 8 "policy: $TMP/bad/nolink.bpf.o" || return 1
	expect_err_contains ".struct_ops.link" || return 1
	# a NAME with a suffix or a slash is a path
	run policy load tp.o
	expect_error 4 "policy: tp.o"
}

t_policy_set_errors() {
	policy_objs || return $?
	export SWAPCTL_POLICY_DIR=$TMP/objs
	local spec want
	while IFS='|' read -r spec want; do
		run policy load tp --set "$spec"
		expect_error 16 "policy: tp" || { fail "--set $spec"; return 1; }
		expect_err_contains "$want" || { fail "--set $spec"; return 1; }
	done <<'EOF'
nope=1|--set nope: unknown tunable (valid tunables: max_pct, bias, hot_cgroup, verbose, small, weights, tag)
swaptier_description=x|unknown tunable
max_pct|expected KEY=VALUE
=1|expected KEY=VALUE
max_pct=|invalid value ''
max_pct=4294967296|--set max_pct: invalid value '4294967296' (type u32: a number from 0 to 4294967295
max_pct=-1|invalid value '-1'
max_pct=1.5|invalid value '1.5'
max_pct=0x|invalid value '0x'
max_pct=0x1g|invalid value '0x1g'
max_pct=010x|invalid value '010x'
small=256|from 0 to 255
bias=2147483648|type s32: a number from -2147483648 to 2147483647
bias=-2147483649|from -2147483648 to 2147483647
hot_cgroup=0x10000000000000000|invalid value
hot_cgroup=18446744073709551616|invalid value
verbose=2|type bool: 0, 1, true or false
verbose=yes|type bool
weights=1,2,3,4,5|--set weights: too many values (u64[4] has 4 elements)
weights=1,,2|invalid value ''
weights=1,x|invalid value 'x'
tag=12345678|--set tag: '12345678' is too long (char[8] holds at most 7 bytes)
max_pct=/sys/fs/cgroup|cgroup path, whose 64-bit cgroup id does not fit type u32
EOF
	# an object without tunables says so
	run policy load nodesc --set x=1
	expect_error 16 "policy: nodesc" || return 1
	expect_err_contains "nodesc has no tunables"
}

t_policy_cgroup_errors() {
	policy_objs || return $?
	export SWAPCTL_POLICY_DIR=$TMP/objs
	: >file
	mkdir dir
	run policy load tp --cgroup "$PWD/missing"
	expect_error 4 "policy: tp" || return 1
	expect_err_contains "--cgroup $PWD/missing: cannot access: No such file or directory" || return 1
	run policy load tp --cgroup file
	expect_error 8 "policy: tp" || return 1
	expect_err_contains "--cgroup file: not a directory" || return 1
	run policy load tp --cgroup dir
	expect_error 8 "policy: tp" || return 1
	expect_err_contains "--cgroup dir: not a cgroup v2 directory" || return 1
	run policy load tp --set "hot_cgroup=$PWD/dir"
	expect_error 8 "policy: tp" || return 1
	expect_err_contains "--set hot_cgroup $PWD/dir: not a cgroup v2 directory" || return 1
	run policy load tp --set "weights=1,$PWD/missing"
	expect_error 4 "policy: tp" || return 1
	run policy replace tp --cgroup ""
	expect_error 16 "--cgroup" || return 1
	run policy detach --cgroup dir
	expect_error 8 "policy: dir" || return 1
	run policy show --cgroup dir
	expect_error 8 "policy: dir" || return 1
	# a cgroup v1 directory, where the host has one
	local v1
	v1=$(awk '$3 == "cgroup" { print $2; exit }' /proc/self/mounts)
	if [ -n "$v1" ] && [ -d "$v1" ]; then
		run policy load tp --cgroup "$v1"
		expect_error 8 "policy: tp" || return 1
		expect_err_contains "a cgroup v1 directory; policies attach to cgroup v2 cgroups" || return 1
	else
		diag "no cgroup v1 hierarchy here: v1 case not tested"
	fi
}

# --set values land in the object: dry run, read back from it
t_policy_set_values() {
	policy_objs || return $?
	policy_env "$PWD"
	SWAPCTL_DRY_RUN=1 run -j policy load tp --set max_pct=7 --set bias=-0x80000000 \
		--set verbose=false --set small=0xff --set weights=0x10,5 \
		--set tag=hello --set hot_cgroup=18446744073709551615 --set max_pct=8
	expect_rc 0 || return 1
	expect_dry_line tp || return 1
	[ -z "$ERR" ] || { show_run; fail "more on stderr"; return 1; }
	printf '%s\n' "$OUT" >v.json
	json_check v.json \
		"d['name'] == 'tp' and d['ops_name'] == 'tp' and d['object'] == '$TMP/objs/tp.bpf.o'" \
		"d['target'] == 'global' and d['cgroup_id'] == 0 and d['cgroup_path'] is None" \
		"d['pinned'] == '$PINS/global'" \
		'[(t["name"], t["value"]) for t in d["tunables"]] == [("max_pct", 8), ("bias", -2147483648), ("hot_cgroup", 18446744073709551615), ("verbose", False), ("small", 255), ("weights", [16, 5, 0, 0]), ("tag", "hello")]' \
		|| return 1
	# defaults stay, text summary
	SWAPCTL_DRY_RUN=1 run policy load "$TMP/objs/tp.bpf.o" --set verbose=1
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >t.txt
	grep -qx "tp: attached globally, link pinned at $PINS/global" t.txt || { show_run; fail "summary"; return 1; }
	grep -qx '    verbose = true' t.txt || { show_run; fail "verbose"; return 1; }
	grep -qx '    weights = 1,2,3,0' t.txt || { show_run; fail "weights"; return 1; }
	grep -qx '    bias = -5' t.txt || { show_run; fail "bias"; return 1; }
	# no pin was made
	[ ! -e "$PINS/global" ] || fail "dry run made a pin"
}

# --cgroup and cgroup paths as values, on the host's cgroup v2 hierarchy
t_policy_cgroup_host() {
	policy_objs || return $?
	host_cgroup2 || return $?
	local ino
	ino=$(stat -c %i "$HOST_CG2")
	policy_env "$PWD"
	SWAPCTL_DRY_RUN=1 run -j policy load tp --cgroup "$HOST_CG2" \
		--set "hot_cgroup=$HOST_CG2" --set "weights=7,$HOST_CG2"
	expect_rc 0 || return 1
	expect_dry_line tp || return 1
	printf '%s\n' "$OUT" >c.json
	json_check c.json "d['target'] == 'cgroup' and d['cgroup_id'] == $ino" \
		"d['cgroup_path'] == '$HOST_CG2' and d['pinned'] == '$PINS/cgroup-$ino'" \
		"[t['value'] for t in d['tunables'] if t['name'] in ('hot_cgroup', 'weights')] == [$ino, [7, $ino, 0, 0]]"
}

t_policy_kernel_checks() {
	policy_objs || return $?
	export SWAPCTL_POLICY_DIR=$TMP/objs
	mkdir -p empty/sys/kernel nobtf/sys/kernel/btf
	SWAPCTL_SYSROOT=$PWD/empty run policy load tp
	expect_error 8 "policy: tp" || return 1
	expect_err_contains "this kernel has no BTF ($PWD/empty/sys/kernel/btf/vmlinux missing)" || return 1
	# kernel BTF without the type
	cp "$TMP/bad/noops.bpf.o" nobtf/sys/kernel/btf/vmlinux
	SWAPCTL_SYSROOT=$PWD/nobtf run policy replace tp
	expect_error 8 "policy: tp" || return 1
	expect_err_contains "this kernel has no swap_tier_ops (not a swaptier kernel?)" || return 1
	echo garbage >nobtf/sys/kernel/btf/vmlinux
	SWAPCTL_SYSROOT=$PWD/nobtf run policy load tp
	expect_error 8 "policy: tp" || return 1
	# the host itself
	if host_has_swap_tier_ops; then
		diag "this kernel has swap_tier_ops: host case not tested"
		return 0
	fi
	run policy load tp
	expect_error 8 "policy: tp" || return 1
	expect_err_contains "this kernel has no swap_tier_ops (not a swaptier kernel?)"
}

t_policy_bpffs() {
	policy_objs || return $?
	[ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" != bpf_fs ] ||
		{ SKIP_REASON="bpffs is mounted at /sys/fs/bpf"; return 77; }
	local args want
	policy_env "$PWD"
	unset SWAPCTL_BPFFS
	if [ -d /sys/fs/bpf ]; then
		want="/sys/fs/bpf is not a BPF file system (f_type 0x"
	else
		want="bpffs is not mounted at /sys/fs/bpf (No such file or directory)"
	fi
	for args in "policy load tp" "policy replace tp" "policy detach" "policy detach --all"; do
		# shellcheck disable=SC2086
		SWAPCTL_DRY_RUN=1 run $args
		expect_rc 8 || { fail "$args"; return 1; }
		expect_err_contains "$want" || { fail "$args"; return 1; }
		expect_err_contains "mount it with 'mount -t bpf bpf /sys/fs/bpf'" ||
			{ fail "$args"; return 1; }
	done
}

# the real load path, on a kernel without swap_tier_ops: libbpf fails
# before any program reaches the kernel; nothing is pinned
t_policy_load_fails_here() {
	policy_objs || return $?
	host_has_swap_tier_ops && { SKIP_REASON="this kernel has swap_tier_ops"; return 77; }
	policy_env "$PWD"
	run policy load tp --set max_pct=5
	expect_error 4 "policy: tp" || return 1
	case "$ERR" in
	*"load failed: "*"(libbpf: "*"swap_tier_ops"*) ;;
	*"needs CAP_BPF and CAP_SYS_ADMIN (run as root)") ;;
	*) show_run; fail "unexpected reason"; return 1 ;;
	esac
	[ ! -e "$PINS/global" ] || { fail "pin left behind"; return 1; }
	# --debug shows libbpf's own messages
	run policy load tp --debug
	expect_rc 4 || return 1
	expect_err_contains "libbpf: " || return 1
	# replace opens the pin first: a file that is no link
	mkdir -p "$PINS"
	: >"$PINS/global"
	run policy replace tp
	expect_error 8 "policy: tp" || return 1
	expect_err_contains "$PINS/global is not a pinned BPF link (not on a bpf file system); left alone"
}

t_policy_dry_run_errors() {
	policy_objs || return $?
	policy_env "$PWD"
	SWAPCTL_DRY_RUN=EPERM run policy load tp
	expect_rc 4 || return 1
	expect_dry_line tp || return 1
	expect_error 4 "policy: tp" || return 1
	expect_err_contains "attaching a policy needs CAP_BPF and CAP_SYS_ADMIN (run as root)" || return 1
	SWAPCTL_DRY_RUN=EACCES run policy load tp
	expect_dry_line tp || return 1
	expect_error 4 "policy: tp" || return 1
	expect_err_contains "needs CAP_BPF and CAP_SYS_ADMIN" || return 1
	SWAPCTL_DRY_RUN=EEXIST run policy load tp
	expect_dry_line tp || return 1
	expect_error 32 "policy: tp" || return 1
	expect_err_contains "a policy is already attached to global, but not by swapctl (no pin $PINS/global)" || return 1
	SWAPCTL_DRY_RUN=EINVAL run policy load tp
	expect_dry_line tp || return 1
	expect_error 4 "policy: tp" || return 1
	expect_err_contains "load failed: Invalid argument" || return 1
	SWAPCTL_DRY_RUN=ENOENT run policy load tp
	expect_dry_line tp || return 1
	expect_error 4 "policy: tp" || return 1
	expect_err_contains "this kernel lacks what the policy needs" || return 1
	SWAPCTL_DRY_RUN=bogus run policy load tp
	expect_error 16 SWAPCTL_DRY_RUN
}

t_policy_already_attached() {
	policy_objs || return $?
	policy_env "$PWD"
	mkdir -p "$PINS"
	: >"$PINS/global"
	sysfs_policy global latency 0 none
	SWAPCTL_DRY_RUN=1 run policy load tp
	expect_error 32 "policy: tp" || return 1
	expect_err_contains "a policy is already attached to global (latency); use 'swapctl policy replace'" || return 1
	# a pin the kernel no longer backs
	rm -r "${POLICIES:?}/global"
	SWAPCTL_DRY_RUN=1 run policy load tp
	expect_error 32 "policy: tp" || return 1
	expect_err_contains "stale pin $PINS/global" || return 1
	# another target is free
	host_cgroup2 || return 0
	SWAPCTL_DRY_RUN=1 run policy load tp --cgroup "$HOST_CG2"
	expect_rc 0
}

t_policy_no_pin() {
	policy_objs || return $?
	policy_env "$PWD"
	SWAPCTL_DRY_RUN=1 run policy replace tp
	expect_error 32 "policy: tp" || return 1
	expect_err_contains "no policy is attached to global by swapctl (no pin $PINS/global); use 'swapctl policy load'" || return 1
	SWAPCTL_DRY_RUN=1 run policy detach
	expect_error 32 "policy: global" || return 1
	expect_err_contains "no pin $PINS/global" || return 1
	SWAPCTL_DRY_RUN=1 run policy detach --cgroup-id 5
	expect_error 32 "policy: cgroup id 5" || return 1
	expect_err_contains "no pin $PINS/cgroup-5" || return 1
	# --all with nothing pinned succeeds
	SWAPCTL_DRY_RUN=1 run policy detach --all
	expect_rc 0 || return 1
	[ "$OUT" = "no pinned policies" ] || { show_run; fail "--all text"; return 1; }
	SWAPCTL_DRY_RUN=1 run -j policy detach --all
	[ "$OUT" = "[]" ] || { show_run; fail "--all JSON"; return 1; }
	# and without a dry run: the same answers, no kernel needed
	run policy detach
	expect_error 32 "policy: global"
}

t_policy_replace_dry() {
	policy_objs || return $?
	policy_env "$PWD"
	mkdir -p "$PINS"
	: >"$PINS/global"
	sysfs_policy global latency 0 none
	SWAPCTL_DRY_RUN=1 run -j policy replace tp --set max_pct=1
	expect_rc 0 || return 1
	expect_err_contains "dry run: load $TMP/objs/tp.bpf.o, replace the policy of global through the link pinned at $PINS/global" || return 1
	expect_dry_line tp || return 1
	printf '%s\n' "$OUT" >r.json
	json_check r.json "d['previous'] == 'latency' and d['pinned'] == '$PINS/global'" \
		'd["tunables"][0] == {"name": "max_pct", "type": "u32", "value": 1}' || return 1
	SWAPCTL_DRY_RUN=1 run policy replace nodesc
	expect_rc 0 || return 1
	[ "$OUT" = "nodesc: now the global policy, replacing latency, link pinned at $PINS/global" ] ||
		{ show_run; fail "summary"; return 1; }
	SWAPCTL_DRY_RUN=EPERM run policy replace tp
	expect_dry_line tp || return 1
	expect_error 4 "policy: tp" || return 1
	expect_err_contains "replacing a policy needs CAP_BPF and CAP_SYS_ADMIN (run as root)" || return 1
	[ -e "$PINS/global" ] || fail "pin gone"
}

t_policy_detach_dry() {
	policy_objs || return $?
	policy_env "$PWD"
	mkdir -p "$PINS"
	: >"$PINS/global"
	: >"$PINS/cgroup-77"
	: >"$PINS/cgroup-5"
	: >"$PINS/other"
	sysfs_policy global latency 0 none
	sysfs_policy 5 batch 5 none
	SWAPCTL_DRY_RUN=1 run policy detach
	expect_rc 0 || return 1
	expect_dry_line global || return 1
	[ "$OUT" = "global: policy latency detached, pin $PINS/global removed" ] || { show_run; fail "text"; return 1; }
	SWAPCTL_DRY_RUN=1 run -j policy detach --all
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >a.json
	json_check a.json "d == [{'target': 'global', 'cgroup_id': 0, 'name': 'latency', 'pinned': '$PINS/global'}, {'target': 'cgroup', 'cgroup_id': 5, 'name': 'batch', 'pinned': '$PINS/cgroup-5'}, {'target': 'cgroup', 'cgroup_id': 77, 'name': None, 'pinned': '$PINS/cgroup-77'}]" || return 1
	[ "$(printf '%s\n' "$ERR" | grep -c 'dry run: detach the link pinned at')" -eq 3 ] || { show_run; fail "3 dry-run lines"; return 1; }
	SWAPCTL_DRY_RUN=1 run policy detach --cgroup-id 77
	expect_rc 0 || return 1
	[ "$OUT" = "cgroup id 77: stale pin $PINS/cgroup-77 removed (the kernel had detached its policy)" ] ||
		{ show_run; fail "stale"; return 1; }
	SWAPCTL_DRY_RUN=EPERM run policy detach --cgroup-id 5
	expect_dry_line "cgroup id 5" || return 1
	expect_error 4 "policy: cgroup id 5" || return 1
	expect_err_contains "detaching a policy needs CAP_BPF and CAP_SYS_ADMIN" || return 1
	# dry runs leave every pin
	if [ ! -e "$PINS/global" ] || [ ! -e "$PINS/cgroup-5" ] || [ ! -e "$PINS/cgroup-77" ]; then
		fail "pin removed"
		return 1
	fi
	# a pin that is not a link is left alone by a real detach
	run policy detach --cgroup-id 5
	expect_error 8 "policy: cgroup id 5" || return 1
	expect_err_contains "not a pinned BPF link" || return 1
	[ -e "$PINS/cgroup-5" ] || fail "pin removed"
}

SHOW_KEYS='{"target", "cgroup_id", "cgroup_path", "name", "detached", "calls", "errors", "last_error", "pinned"}'

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

t_policy_show_json() {
	policy_show_fixture
	run policy show -j
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >s.json
	json_valid s.json || return 1
	json_check s.json "all(set(x) == $SHOW_KEYS for x in d)" \
		'[x["cgroup_id"] for x in d] == sorted(x["cgroup_id"] for x in d)' \
		"d[0] == {'target': 'global', 'cgroup_id': 0, 'cgroup_path': None, 'name': 'latency', 'detached': False, 'calls': {'place': 10, 'writeback': 20, 'tick': 30, 'swapin': 40}, 'errors': 3, 'last_error': None, 'pinned': '$PINS/global'}" \
		"[x for x in d if x['cgroup_id'] == $CG_AB] == [{'target': 'cgroup', 'cgroup_id': $CG_AB, 'cgroup_path': '/sys/fs/cgroup/a/b', 'name': 'batch', 'detached': False, 'calls': {'place': 10, 'writeback': 20, 'tick': 30, 'swapin': 40}, 'errors': 3, 'last_error': {'hook': 'place', 'value': 77}, 'pinned': '$PINS/cgroup-$CG_AB'}]" \
		"[(x['cgroup_path'], x['last_error'], x['pinned']) for x in d if x['cgroup_id'] == $CG_SP] == [('/sys/fs/cgroup/sp ace', {'hook': 'writeback', 'value': -3}, None)]" \
		"[(x['cgroup_path'], x['name'], x['detached']) for x in d if x['cgroup_id'] == 999999999] == [(None, 'ssd_wear', False)]" \
		"[x for x in d if x['cgroup_id'] == 424242] == [{'target': 'cgroup', 'cgroup_id': 424242, 'cgroup_path': None, 'name': None, 'detached': True, 'calls': {'place': None, 'writeback': None, 'tick': None, 'swapin': None}, 'errors': None, 'last_error': None, 'pinned': '$PINS/cgroup-424242'}]" \
		'len(d) == 5' || return 1
	# counters a kernel does not provide are null
	rm "$POLICIES/global/tick_calls" "$POLICIES/global/errors"
	run policy show -j
	printf '%s\n' "$OUT" >n.json
	json_check n.json 'd[0]["calls"]["tick"] is None and d[0]["errors"] is None and d[0]["calls"]["place"] == 10' || return 1
	# last_error_hook decides: writeback 0 is an error (tier 0 is not a
	# valid writeback verdict), none with a value is not (yet) one; the
	# extremes of an int
	local hv want
	for hv in "writeback 0|{'hook': 'writeback', 'value': 0}" \
		  "none 5|None" \
		  "place -2147483648|{'hook': 'place', 'value': -2147483648}" \
		  "writeback 2147483647|{'hook': 'writeback', 'value': 2147483647}"; do
		want=${hv#*|}
		hv=${hv%%|*}
		echo "${hv%% *}" >"$POLICIES/global/last_error_hook"
		echo "${hv#* }" >"$POLICIES/global/last_error"
		run policy show -j
		expect_rc 0 || { fail "$hv"; return 1; }
		printf '%s\n' "$OUT" >e.json
		json_check e.json "d[0]['last_error'] == $want" || { fail "$hv"; return 1; }
	done
	# either file missing (a kernel without them): null, not an error
	for f in last_error_hook last_error; do
		policy_show_fixture
		rm "$POLICIES/$CG_AB/$f"
		run policy show -j
		expect_rc 0 || { fail "no $f"; return 1; }
		printf '%s\n' "$OUT" >m.json
		json_check m.json "[x['last_error'] for x in d if x['cgroup_id'] == $CG_AB] == [None]" \
			"[x['last_error'] for x in d if x['cgroup_id'] == $CG_SP] == [{'hook': 'writeback', 'value': -3}]" ||
			{ fail "no $f"; return 1; }
	done
}

t_policy_show_table() {
	policy_show_fixture
	run policy show
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >t.txt
	grep -Eqx 'TARGET +CGROUP_ID +NAME +PLACE +WRITEBACK +TICK +SWAPIN +ERRORS +LAST_ERROR +PINNED' t.txt ||
		{ show_run; fail "header"; return 1; }
	grep -Eqx "global +0 +latency +10 +20 +30 +40 +3 +- +$PINS/global" t.txt || { show_run; fail "global"; return 1; }
	grep -Eqx "/sys/fs/cgroup/a/b +$CG_AB +batch +10 +20 +30 +40 +3 +place 77 +$PINS/cgroup-$CG_AB" t.txt ||
		{ show_run; fail "a/b"; return 1; }
	grep -Eqx "/sys/fs/cgroup/sp ace +$CG_SP +compress_aware +10 +20 +30 +40 +3 +writeback -3 +-" t.txt ||
		{ show_run; fail "sp ace"; return 1; }
	grep -Eqx '\(removed\) +999999999 +ssd_wear +10 +20 +30 +40 +3 +- +-' t.txt || { show_run; fail "removed"; return 1; }
	grep -Eqx "\(removed\) +424242 +\(detached\)( +-){6} +$PINS/cgroup-424242" t.txt || { show_run; fail "detached"; return 1; }
	grep -q "policy detach --cgroup-id ID" t.txt || { show_run; fail "detached note"; return 1; }
	# --cgroup selects one target (the host's cgroup2 root: id of its inode)
	if host_cgroup2; then
		local ino
		ino=$(stat -c %i "$HOST_CG2")
		sysfs_policy "$ino" batch "$ino" none
		run -j policy show --cgroup "$HOST_CG2"
		expect_rc 0 || return 1
		printf '%s\n' "$OUT" >c.json
		json_check c.json "[x['cgroup_id'] for x in d] == [$ino]" || return 1
	fi
	# nothing attached
	rm -r "${POLICIES:?}"/* "${PINS:?}"/*
	run policy show
	expect_rc 0 || return 1
	[ "$OUT" = "no policies attached" ] || { show_run; fail "empty"; return 1; }
	run policy show -j
	[ "$OUT" = "[]" ] || { show_run; fail "empty JSON"; return 1; }
}

# holds_fd PID FILE: has process PID got FILE open?
holds_fd() {
	local fd
	for fd in "/proc/$1/fd/"*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "$2" ] && return 0
	done
	return 1
}

# An error between the reads of last_error_hook and last_error: the hook
# is read again after the value, and the pair anew when it changed, so the
# hook of one error is never shown with the value of another.  The two
# files are FIFOs that give each read of swapctl the next value: hook place
# (error A, value 77) at the first read, writeback (error B, value -100)
# from the second on.  Expected reads: hook, value, hook (changed: again),
# hook, value, hook.
t_policy_show_last_error_race() {
	local d pid wd rc hv f
	policy_show_fixture
	d=$POLICIES/$CG_AB
	rm "$d/last_error_hook" "$d/last_error"
	mkfifo "$d/last_error_hook" "$d/last_error" || return 1
	"$SWAPCTL" policy show -j >out.json 2>err.txt &
	pid=$!
	# reading more than expected blocks in open(): a watchdog ends it
	# (wait, not a plain sleep, so that it ends at once when killed)
	(
		trap 'kill "$s"; exit 0' TERM
		sleep 20 &
		s=$!
		wait "$s"
		kill "$pid"
	) >/dev/null 2>&1 &
	wd=$!
	for hv in "last_error_hook place" "last_error 77" \
		  "last_error_hook writeback" "last_error_hook writeback" \
		  "last_error -100" "last_error_hook writeback"; do
		f=$d/${hv%% *}
		# swapctl's previous read of f must be over, else this value
		# would go to it (a writer's open succeeds while a reader is
		# still there)
		while holds_fd "$pid" "$f"; do
			sleep 0.01
		done
		# shellcheck disable=SC2016 # expanded by bash -c
		if ! timeout 10 bash -c 'printf "%s\n" "$2" >"$1"' _ "$f" "${hv#* }"; then
			kill "$pid" "$wd" 2>/dev/null
			wait
			fail "swapctl did not read ${hv%% *} for '${hv#* }' (fewer reads than expected)"
			return 1
		fi
	done
	wait "$pid"
	rc=$?
	kill "$wd" 2>/dev/null
	wait
	[ "$rc" -eq 0 ] || { diag "stderr: $(cat err.txt)"; fail "exit status $rc (143: more reads than expected)"; return 1; }
	json_check out.json "[x['last_error'] for x in d if x['cgroup_id'] == $CG_AB] == [{'hook': 'writeback', 'value': -100}]"
}

t_policy_show_bad_sysfs() {
	policy_show_fixture
	echo lots >"$POLICIES/global/place_calls"
	run policy show
	expect_error 8 "$POLICIES/global/place_calls" || return 1
	# last_error: an int; last_error_hook: a word (the old one-file
	# "HOOK VALUE" form is not a value of either)
	local v
	for v in place "place 77" 77x 7.5 "" " 77" 0x10 2147483648 -2147483649 --1; do
		policy_show_fixture
		printf '%s\n' "$v" >"$POLICIES/$CG_AB/last_error"
		run policy show -j
		expect_error 8 "$POLICIES/$CG_AB/last_error" || { fail "last_error '$v'"; return 1; }
		expect_err_contains "unexpected value" || { fail "last_error '$v'"; return 1; }
	done
	for v in "place 77" "" Place "write back" "$(printf '%040d' 0 | tr 0 x)"; do
		policy_show_fixture
		printf '%s\n' "$v" >"$POLICIES/$CG_AB/last_error_hook"
		run policy show
		expect_error 8 "$POLICIES/$CG_AB/last_error_hook" || { fail "last_error_hook '$v'"; return 1; }
		expect_err_contains "unexpected value" || { fail "last_error_hook '$v'"; return 1; }
	done
	policy_show_fixture
	echo 12 >"$POLICIES/global/cgroup_id"
	run policy show
	expect_error 8 "$POLICIES/global" || return 1
	rm -r "$POLICIES"
	run policy show
	expect_error 8 "policy: show" || return 1
	expect_err_contains "kernel has no swap tier policies ($POLICIES missing)" || return 1
	rm -r "$SWAPCTL_SYSROOT/sys/kernel/mm/swap_tier"
	run policy show -j
	expect_error 8 "policy: show" || return 1
	expect_err_contains "kernel has no swap tiers" || return 1
	# not root: pins unreadable is a warning (only testable as non-root)
	if [ "$(id -u)" -ne 0 ]; then
		policy_show_fixture
		chmod 000 "$PINS"
		run policy show -j
		chmod 755 "$PINS"
		expect_rc 0 || return 1
		expect_err_contains "pins not shown" || return 1
	fi
}

t_policy_args() {
	policy_objs || return $?
	export SWAPCTL_POLICY_DIR=$TMP/objs
	run policy
	expect_error 16 policy || return 1
	run policy frobnicate
	expect_error 16 frobnicate || return 1
	run policy load
	expect_error 16 "policy load" || return 1
	expect_err_contains "missing OBJ or NAME" || return 1
	run policy replace
	expect_error 16 "policy replace" || return 1
	run policy load ""
	expect_error 16 "policy load" || return 1
	run policy load tp nodesc
	expect_error 16 nodesc || return 1
	run policy load tp --bogus
	expect_error 16 --bogus || return 1
	run policy load tp --set
	expect_error 16 --set || return 1
	run policy list extra
	expect_error 16 extra || return 1
	run policy list --cgroup /
	expect_error 16 --cgroup || return 1
	run policy show extra
	expect_error 16 extra || return 1
	run policy detach extra
	expect_error 16 extra || return 1
	run policy detach --all --cgroup-id 4
	expect_error 16 "policy detach" || return 1
	local id
	for id in 0 -1 x 99999999999999999999 ""; do
		run policy detach --cgroup-id "$id"
		expect_error 16 --cgroup-id || { fail "--cgroup-id '$id'"; return 1; }
	done
	# short options
	SWAPCTL_DRY_RUN=1 run policy load tp -s max_pct=x
	expect_error 16 "policy: tp"
}

t_policy_valgrind() {
	need_valgrind || return 1
	policy_objs || return $?
	local vg want env args d=$PWD/pol
	vg=(valgrind -q --leak-check=full --show-leak-kinds=all
	    --errors-for-leak-kinds=all --error-exitcode=99)
	mkdir "$d"
	cp "$TMP/objs/"*.bpf.o "$TMP/bad/"*.bpf.o "$d/"
	policy_show_fixture
	sysfs_policy 5 batch 5 none
	: >"$PINS/cgroup-5"
	# env: plain (fixtures), dry (SWAPCTL_DRY_RUN=1), dry2 (and no pins),
	# eperm (SWAPCTL_DRY_RUN=EPERM), bad (policy dir with bad objects)
	while read -r want env args; do
		# shellcheck disable=SC2086
		case $env in
		dry) SWAPCTL_DRY_RUN=1 "${vg[@]}" "$SWAPCTL" $args >/dev/null 2>vg.err ;;
		dry2) SWAPCTL_DRY_RUN=1 SWAPCTL_BPFFS=$PWD/nopins \
			"${vg[@]}" "$SWAPCTL" $args >/dev/null 2>vg.err ;;
		eperm) SWAPCTL_DRY_RUN=EPERM "${vg[@]}" "$SWAPCTL" $args >/dev/null 2>vg.err ;;
		bad) SWAPCTL_POLICY_DIR=$d "${vg[@]}" "$SWAPCTL" $args >/dev/null 2>vg.err ;;
		*) "${vg[@]}" "$SWAPCTL" $args >/dev/null 2>vg.err ;;
		esac
		RC=$?
		if [ "$RC" -ne "$want" ]; then
			diag "$(cat vg.err)"
			fail "valgrind swapctl $args ($env): exit $RC, expected $want"
			return 1
		fi
	done <<EOF
0 plain policy list
0 plain -j policy list
8 bad policy list -j
0 plain policy show
0 plain policy show -j
0 dry2 -j policy load tp --set weights=1,2 --set tag=x --set verbose=0
16 plain policy load tp --set nope=1
16 plain policy load tp --set weights=1,2,3,4,5
8 plain policy load tp --cgroup $PWD
16 plain policy load nope
8 plain policy load $TMP/bad/junk.bpf.o
4 eperm policy replace tp
32 plain policy load tp
0 dry policy replace tp
0 dry -j policy detach --all
0 dry policy detach --cgroup-id 5
32 plain policy detach --cgroup-id 6
8 plain policy detach --cgroup-id 5
16 plain policy frobnicate
8 bad -j policy list
8 plain -j policy load $TMP/bad/junk.bpf.o --debug
32 plain -j policy load tp
EOF
	# the real load path, where the kernel has no swap_tier_ops.  valgrind
	# does not know what bpf(BPF_BTF_GET_NEXT_ID...) writes: no undefined
	# value errors there (leaks and bad accesses still count)
	host_has_swap_tier_ops && return 0
	rm -f "$PINS/global"
	"${vg[@]}" --undef-value-errors=no "$SWAPCTL" policy load tp >/dev/null 2>vg.err
	RC=$?
	[ "$RC" -eq 4 ] || { diag "$(cat vg.err)"; fail "real load: exit $RC"; }
}

# ------------------------------------------------ issue 11 (a new user's)

# The message named a path buffer that only SWAPCTL_SYSROOT fills: on a
# real system (production binary, no sysroot) it said "( missing)".
t_policy_no_tiers_path() {
	[ ! -e /sys/kernel/mm/swap_tier ] ||
		{ SKIP_REASON="this kernel has swap tiers"; return 77; }
	local args
	for args in "policy show" "-j policy show"; do
		# shellcheck disable=SC2086
		run_prod $args
		expect_error 8 "policy: show" || { fail "$args"; return 1; }
		expect_err_contains "kernel has no swap tiers (/sys/kernel/mm/swap_tier missing)" ||
			{ fail "$args"; return 1; }
		# the test build without a sysroot, and with an empty one
		# shellcheck disable=SC2086
		run $args
		expect_err_contains "kernel has no swap tiers (/sys/kernel/mm/swap_tier missing)" ||
			{ fail "test build: $args"; return 1; }
		# shellcheck disable=SC2086
		SWAPCTL_SYSROOT= run $args
		expect_err_contains "kernel has no swap tiers (/sys/kernel/mm/swap_tier missing)" ||
			{ fail "empty SWAPCTL_SYSROOT: $args"; return 1; }
	done
	# under a sysroot: the path under it
	mkdir -p empty
	SWAPCTL_SYSROOT=$PWD/empty run policy show
	expect_error 8 "policy: show" || return 1
	expect_err_contains "kernel has no swap tiers ($PWD/empty/sys/kernel/mm/swap_tier missing)"
}

# A drain child killed by something else than the user's stop is an
# error with the reason (4), not an interruption (64).
t_tier_drain_child_killed() {
	[ "$PAGE" -eq 4096 ] || { SKIP_REASON="page size $PAGE (the figures assume 4 KiB)"; return 77; }
	local res
	res=$(drain_drive CHILDKILL 0 tier drain /var/swapfile) || return 1
	diag "$res"
	case "$res" in
	"rc=4 "*" writer=none wrote=") ;;
	*) fail "child SIGKILL: $res" "$(cat err)"; return 1 ;;
	esac
	[ "$(tail -n 1 err)" = "swapctl: /var/swapfile: drain stopped: the process writing to the drain file was killed by signal 9 (Killed); 256 pages moved, 256 still on /var/swapfile" ] ||
		{ fail "message: $(cat err)"; return 1; }
	! grep -q interrupted err || { fail "reported as interrupted: $(cat err)"; return 1; }
	[ ! -s out ] || { fail "stdout: $(cat out)"; return 1; }
	# SIGTERM to the child alone is not the user's SIGTERM; -j -q: JSON
	res=$(drain_drive CHILDTERM 0 -j tier drain -q /var/swapfile) || return 1
	diag "$res"
	case "$res" in
	"rc=4 "*" writer=none wrote=") ;;
	*) fail "child SIGTERM: $res" "$(cat err)"; return 1 ;;
	esac
	[ "$(cat err)" = '{"error":"/var/swapfile: drain stopped: the process writing to the drain file was killed by signal 15 (Terminated); 256 pages moved, 256 still on /var/swapfile"}' ] ||
		{ fail "-j stderr: $(cat err)"; return 1; }
	json_check out "d == {'device': '/var/swapfile', 'tier': 'ssd', 'pages_before': 512, 'moved': 256, 'remaining': 256, 'interrupted': False, 'error': 'error'}"
}

# statfs() found another file system but left errno as it was: the
# message named a stale errno (here EACCES: "needs CAP_BPF...", 4).  An
# LD_PRELOAD statfs() that succeeds for /sys/fs/bpf with tmpfs's magic and
# sets errno to EACCES, as a successful call may, shows it on the
# production binary.
t_policy_bpffs_stale_errno() {
	local cc=${CC:-cc} args
	command -v "$cc" >/dev/null || { fail "no C compiler $cc"; return 1; }
	cat >shim.c <<'EOF'
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fake_statfs(const char *path, void *buf, size_t len)
{
	if (strcmp(path, "/sys/fs/bpf"))
		return (int)syscall(SYS_statfs, path, buf);
	memset(buf, 0, len);
	((struct statfs *)buf)->f_type = 0x01021994;	/* TMPFS_MAGIC */
	errno = EACCES;		/* errno is unspecified after a success */
	return 0;
}

int statfs(const char *path, struct statfs *buf)
{
	return fake_statfs(path, buf, sizeof(*buf));
}

int statfs64(const char *path, struct statfs64 *buf)
{
	return fake_statfs(path, buf, sizeof(*buf));
}
EOF
	"$cc" -shared -fPIC -O2 -o shim.so shim.c 2>cc.err || { diag "$(cat cc.err)"; fail "cannot build the statfs shim"; return 1; }
	for args in "policy detach" "-j policy detach --all"; do
		# shellcheck disable=SC2086
		LD_PRELOAD=$PWD/shim.so run_prod $args
		expect_rc 8 || { fail "$args"; return 1; }
		expect_err_contains "/sys/fs/bpf is not a BPF file system (f_type 0x1021994): mount it with 'mount -t bpf bpf /sys/fs/bpf'" ||
			{ fail "$args"; return 1; }
	done
}

# Pin names with leading zeros (cgroup-05) are not swapctl's: taken for
# cgroup-5 they were detached twice, and policy show leaked the pin name.
t_policy_pin_names() {
	policy_objs || return $?
	need_valgrind || return 1
	local p
	policy_env "$PWD"
	mkdir -p "$PINS"
	for p in cgroup-5 cgroup-05 cgroup-005 cgroup-0 cgroup-+5 cgroup- cgroup-5x; do
		: >"$PINS/$p"
	done
	sysfs_policy 5 batch 5 none
	sysfs_policy 05 impostor 5 none
	SWAPCTL_DRY_RUN=1 run -j policy detach --all
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >a.json
	json_check a.json "d == [{'target': 'cgroup', 'cgroup_id': 5, 'name': 'batch', 'pinned': '$PINS/cgroup-5'}]" || return 1
	[ "$(printf '%s\n' "$ERR" | grep -c 'dry run: detach the link pinned at')" -eq 1 ] ||
		{ show_run; fail "expected one detach"; return 1; }
	run -j policy show
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >s.json
	json_check s.json "[(x['cgroup_id'], x['name'], x['pinned']) for x in d] == [(5, 'batch', '$PINS/cgroup-5')]" || return 1
	# and no leak
	valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
		--error-exitcode=99 "$SWAPCTL" policy show -j >/dev/null 2>vg.err
	RC=$?
	[ "$RC" -eq 0 ] || { diag "$(cat vg.err)"; fail "valgrind policy show: exit $RC"; return 1; }
	# ids given on the command line may be written as the user likes
	SWAPCTL_DRY_RUN=1 run policy detach --cgroup-id 005
	expect_rc 0 || return 1
	case "$OUT" in "cgroup id 5: policy batch detached, pin $PINS/cgroup-5 removed") ;;
	*) show_run; fail "--cgroup-id 005"; return 1 ;;
	esac
}

# replace swaps the map only if the link still holds the one swapctl read
# (BPF_F_REPLACE with it as old_map_fd).  The race itself needs a kernel
# (the VM); here: the dry run says what the real run does.
t_policy_replace_guarded() {
	policy_objs || return $?
	policy_env "$PWD"
	mkdir -p "$PINS"
	: >"$PINS/global"
	sysfs_policy global latency 0 none
	SWAPCTL_DRY_RUN=1 run policy replace tp
	expect_rc 0 || return 1
	expect_err_contains "replace the policy of global through the link pinned at $PINS/global (BPF_F_REPLACE: only if the link still holds the map it has now)"
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
16|ghost create|ghost create g -j
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
	grep -qx 'not shown (no back ends, default watermarks): tier3, tier7; see --all' t.txt ||
		{ show_run; fail "no 'not shown' line"; return 1; }
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
	case "$OUT" in *"tier { list | show } [--all] [-j [-p]]"*) ;; *) fail "help: $OUT"; return 1 ;; esac
	SWAPCTL_SYSROOT=$r run tier list --all extra
	expect_error 16 extra
}

TESTS=(
	"t_help|--help exits 0 with usage"
	"t_help_cmd|help, ghost help, create -h, status help exit 0"
	"t_version_json|version -j is valid JSON with versions"
	"t_version_text|version / -V print swapctl and libbpf versions"
	"t_header_btf|ghost create header matches BTF swap_header field by field"
	"t_header_btf_full_label|16-byte label, clear UUID, maximum size match BTF layout"
	"t_header_checker_can_fail|header checker rejects corrupted headers"
	"t_create_json|ghost create -j prints path, sizes, uuid, label"
	"t_create_text|ghost create prints a one-line summary"
	"t_uuid_random|random UUIDs are v4, differ, and are written"
	"t_size_suffixes|size suffixes K/M/G/T and KiB..TiB, case-insensitive"
	"t_missing_size|missing --size is a usage error (16)"
	"t_size_zero|size 0 is a usage error (16)"
	"t_size_not_page_multiple|non page-multiple size names the nearest sizes (16)"
	"t_size_too_large|size above UINT32_MAX pages names the maximum (16)"
	"t_size_garbage|unparsable sizes are usage errors (16)"
	"t_label_too_long|17-byte label is a usage error (16)"
	"t_uuid_malformed|malformed UUIDs are usage errors (16)"
	"t_unknown_command|unknown or missing command is a usage error (16)"
	"t_unknown_object|unknown or missing object is a usage error (16)"
	"t_unknown_option|unknown options and bad arguments are usage errors (16)"
	"t_refuse_non_swap|non-swap file is not overwritten without --force (8)"
	"t_refuse_empty_and_short|empty and short files are not swap areas (8)"
	"t_force_overwrite|--force overwrites a non-swap file, mode 0600, one page"
	"t_overwrite_swap_header|existing swap header is overwritten without --force"
	"t_path_directory|directory path is refused even with --force (8)"
	"t_path_device|device path is refused even with --force (8)"
	"t_path_fifo|FIFO path is refused even with --force (8)"
	"t_active_swap_refused|active swap area (by device+inode) is refused (8)"
	"t_syscall_failure|failing system calls exit 4 with strerror"
	"t_stdout_write_error|write error on stdout exits 4"
	"t_option_placement|options before/after object and command, short forms, --"
	"t_status_host|status on the host: valid JSON, swaps match /proc/swaps"
	"t_status_fields|status -j has exactly the documented field names"
	"t_status_values|status parses escapes, kinds, sizes, zswap and counters"
	"t_status_table|status table has swapon-style columns and the zswap block"
	"t_status_optional_missing|missing optional sources are null / '-'"
	"t_status_no_proc_swaps|unreadable /proc/swaps exits 4"
	"t_status_bad_data|unexpected /proc or /sys data exits 8"
	"t_pretty_json|-p prints valid indented JSON"
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
	"t_status_tiers|status shows tier and role of every area"
	"t_tier_bad_sysfs|unexpected tier sysfs data exits 8"
	"t_tier_pointers_debugfs|tier list: back-end pointer figures from debugfs, unknown (not an error) without them"
	"t_tier_args|tier argument errors (16) and help"
	"t_tier_list_no_demotion|tier list on a kernel without demotion: null and '-'; bad values exit 8"
	"t_tier_drain|tier drain: summary, path written as given, -j, -q"
	"t_tier_drain_refused|tier drain of a non-back-end, without drain file (8), no JSON"
	"t_tier_drain_errors|tier drain: EINVAL, ENOENT, EPERM, EBUSY explained (4), JSON error"
	"t_tier_drain_progress|tier drain progress; SIGINT, ^C, SIGTERM stop it (64); no child left"
	"t_tier_set|tier set: write order keeps the pair valid; values written; JSON"
	"t_tier_set_errors|tier set: bad values and pairs (16), missing files (8), kernel refusals (4)"
	"t_tier_drain_args|tier drain/set argument errors (16) and help"
	"t_valgrind|no leaks or memory errors on status, create and tier paths (drain, set)"
	"t_policy_help|policy help, -h and the main help list the policy commands"
	"t_policy_list_json|policy list -j: name, object, description, ops name, tunables with types and defaults"
	"t_policy_list_table|policy list table: description line, tunable rows"
	"t_policy_list_errors|policy list reports and skips objects that are no policies (8)"
	"t_policy_shipped|policy list of build/bpf: every shipped policy has a description"
	"t_policy_load_not_found|policy load: unknown NAME lists where it looked (16), missing file (4), not a policy (8)"
	"t_policy_set_errors|--set: unknown key lists the tunables, bad values name the range (16)"
	"t_policy_cgroup_errors|--cgroup and cgroup values: missing (4), not a cgroup v2 directory (8)"
	"t_policy_set_values|--set values are written into the object (dry run, read back)"
	"t_policy_cgroup_host|--cgroup and --set KEY=PATH give the cgroup v2 inode number"
	"t_policy_kernel_checks|no kernel BTF or no swap_tier_ops: not a swaptier kernel (8)"
	"t_policy_bpffs|no bpffs at /sys/fs/bpf is reported (8)"
	"t_policy_load_fails_here|the real load fails cleanly on this kernel (4), nothing pinned"
	"t_policy_dry_run_errors|bpf() errors: EPERM/EACCES need root (4), EEXIST (32), others (4)"
	"t_policy_already_attached|load onto a pinned target: use replace (32); stale pins"
	"t_policy_no_pin|replace/detach without a pin (32); detach --all with none"
	"t_policy_replace_dry|replace names the policy it replaces (dry run)"
	"t_policy_detach_dry|detach and detach --all (dry run), stale pins, pins that are no links"
	"t_policy_show_json|policy show -j from a fixture sysfs: targets, counters, pins, detached"
	"t_policy_show_table|policy show table, --cgroup, nothing attached"
	"t_policy_show_bad_sysfs|unexpected policy sysfs data or no policy support exits 8"
	"t_policy_show_last_error_race|policy show: last_error_hook and last_error of one error, even while errors come in"
	"t_policy_args|policy argument errors (16)"
	"t_policy_valgrind|no leaks or memory errors on the policy paths"
	"t_policy_no_tiers_path|policy show without swap tiers names the real sysfs path (no sysroot)"
	"t_tier_drain_child_killed|tier drain: a child killed by another signal is an error (4) with the reason"
	"t_policy_bpffs_stale_errno|another file system at /sys/fs/bpf: not a BPF file system (8), no stale errno"
	"t_policy_pin_names|pins cgroup-05 and the like are not swapctl's: one detach, no leak"
	"t_policy_replace_guarded|policy replace updates the link only if it holds the map read (BPF_F_REPLACE)"
	"t_prod_ignores_hooks|the production binary ignores SWAPCTL_SYSROOT, SWAPCTL_DRY_RUN, SWAPCTL_BPFFS"
	"t_json_errors|-j: every error on stderr is JSON (usage, getopt, libbpf, dry run), no progress text"
	"t_tier_list_filter|tier list shows zswap and tiers with back ends or changed watermarks; --all all"
)

# ------------------------------------------------------------- runner

# run.sh [TEST...]: only the tests named (t_...), for debugging
if [ $# -gt 0 ]; then
	sel=()
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

failed=0
n=0
for entry in "${TESTS[@]}"; do
	n=$((n + 1))
	fn=${entry%%|*}
	desc=${entry#*|}
	SKIP_REASON=
	mkdir -p "$TMP/$n"
	# each test in a subshell: its variables and cwd do not leak
	(
		cd "$TMP/$n" || exit 1
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
	exit 1
fi
exit 0
