#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side tests of 'swapctl ghost create': the header (checked against BTF), sizes,
# labels, UUIDs, what may be overwritten, failing system calls.
# No swaptier kernel needed.  Prints TAP.
#
# Environment, helpers and runner: lib.sh (see there: SWAPCTL,
# SWAPCTL_TEST, SWAPTIER_VMLINUX, PYTHON, CLANG, SWAPTIER_BPF_DIR).
#
#   selftests/host/ghost_test.sh [TEST...]   (TEST: a function name, t_...)
#
# Exit status: 0 iff no test failed.

# shellcheck source=selftests/host/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 1

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

# default_meminfo ROOT LINE: a fake root whose /proc/meminfo is LINE.
default_meminfo() {
	fake_root "$1" minimal
	printf '%s\n' "$2" >"$1/proc/meminfo"
}

t_default_size() {
	local r=$PWD/root max=$(((UINT32_MAX + 1) * PAGE)) spec kib want
	# MemTotal (kB) : size without --size (16 x MemTotal rounded up to a
	# power of two, at least 1 TiB, at most the format's maximum)
	for spec in "2097152:$((1 << 40))" "67108864:$((1 << 40))" \
		"67108865:$((2 << 40))" "134217728:$((2 << 40))" \
		"1073741824:$((16 << 40))" "68719476736:$max"; do
		kib=${spec%%:*}
		want=${spec#*:}
		[ "$want" -le "$max" ] || want=$max
		default_meminfo "$r" "MemTotal:       $kib kB"
		rm -f g
		SWAPCTL_SYSROOT=$r run -j ghost create g
		expect_rc 0 || { fail "MemTotal $kib kB"; return 1; }
		printf '%s\n' "$OUT" >s.json
		json_check s.json "d[\"size_bytes\"] == $want and d[\"size_default\"] is True" ||
			{ fail "MemTotal $kib kB: expected $want bytes"; return 1; }
		expect_ghost g $((want / PAGE - 1)) || return 1
	done
	# an explicit --size is not a default
	rm -f g
	run -j ghost create g --size 1M
	printf '%s\n' "$OUT" >s.json
	json_check s.json 'd["size_bytes"] == 1048576 and d["size_default"] is False' || return 1
	# the text form says the size was chosen
	rm -f g
	default_meminfo "$r" "MemTotal:       2097152 kB"
	SWAPCTL_SYSROOT=$r run ghost create g
	expect_rc 0 || return 1
	expect_line -F "size 1 TiB (default)" || return 1
}

t_default_size_no_meminfo() {
	local r=$PWD/root
	fake_root "$r" minimal
	rm -f "$r/proc/meminfo"
	SWAPCTL_SYSROOT=$r run ghost create g
	expect_error 4 "$r/proc/meminfo" || return 1
	expect_err_contains "give --size" || return 1
	[ ! -e g ] || { fail "file created anyway"; return 1; }
	default_meminfo "$r" "Zswap:       0 kB"
	SWAPCTL_SYSROOT=$r run ghost create g
	expect_error 8 "$r/proc/meminfo" || return 1
	expect_err_contains "no MemTotal" || return 1
	default_meminfo "$r" "MemTotal:       lots kB"
	SWAPCTL_SYSROOT=$r run ghost create g
	expect_error 8 "$r/proc/meminfo" || return 1
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

TESTS=(
	"t_header_btf|ghost create header matches BTF swap_header field by field"
	"t_header_btf_full_label|16-byte label, clear UUID, maximum size match BTF layout"
	"t_header_checker_can_fail|header checker rejects corrupted headers"
	"t_create_json|ghost create -j prints path, sizes, uuid, label"
	"t_create_text|ghost create prints a one-line summary"
	"t_uuid_random|random UUIDs are v4, differ, and are written"
	"t_size_suffixes|size suffixes K/M/G/T and KiB..TiB, case-insensitive"
	"t_default_size|without --size: 16 x MemTotal as a power of two, 1 TiB to the maximum"
	"t_default_size_no_meminfo|without --size and no MemTotal: an error naming meminfo (4, 8)"
	"t_size_zero|size 0 is a usage error (16)"
	"t_size_not_page_multiple|non page-multiple size names the nearest sizes (16)"
	"t_size_too_large|size above UINT32_MAX pages names the maximum (16)"
	"t_size_garbage|unparsable sizes are usage errors (16)"
	"t_label_too_long|17-byte label is a usage error (16)"
	"t_uuid_malformed|malformed UUIDs are usage errors (16)"
	"t_refuse_non_swap|non-swap file is not overwritten without --force (8)"
	"t_refuse_empty_and_short|empty and short files are not swap areas (8)"
	"t_force_overwrite|--force overwrites a non-swap file, mode 0600, one page"
	"t_overwrite_swap_header|existing swap header is overwritten without --force"
	"t_path_directory|directory path is refused even with --force (8)"
	"t_path_device|device path is refused even with --force (8)"
	"t_path_fifo|FIFO path is refused even with --force (8)"
	"t_active_swap_refused|active swap area (by device+inode) is refused (8)"
	"t_syscall_failure|failing system calls exit 4 with strerror"
)

run_tests "$@"
