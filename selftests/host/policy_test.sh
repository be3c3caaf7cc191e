#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side tests of 'swapctl policy': list, load, replace, detach, show (BPF test objects
# built with clang, SWAPCTL_DRY_RUN, SWAPCTL_BPFFS, a fake policies sysfs),
# their errors, valgrind over the policy paths.
# No swaptier kernel needed.  Prints TAP.
#
# Environment, helpers and runner: lib.sh (see there: SWAPCTL,
# SWAPCTL_TEST, SWAPTIER_VMLINUX, PYTHON, CLANG, SWAPTIER_BPF_DIR).
#
#   selftests/host/policy_test.sh [TEST...]   (TEST: a function name, t_...)
#
# Exit status: 0 iff no test failed.

# shellcheck source=selftests/host/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 1

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
	expect_line -F "/some/where" "policy dir not in help"
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
	expect_line -x 'tp: Test policy: zswap first, bounded by max_pct' "tp line" || return 1
	expect_line -x 'nodesc: (no description)' "nodesc line" || return 1
	expect_line -x "    object $TMP/objs/tp.bpf.o" "object line" || return 1
	expect_line -E -x ' +TUNABLE +TYPE +DEFAULT' "tunable header" || return 1
	expect_line -E -x ' +bias +s32 +-5' "bias" || return 1
	expect_line -E -x ' +verbose +bool +true' "verbose" || return 1
	expect_line -E -x ' +weights +u64\[4\] +1,2,3,0' "weights" || return 1
	expect_line -E -x ' +tag +char\[8\] +abc' "tag" || return 1
	expect_line -x '    no tunables' "no tunables" || return 1
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
	expect_line --err -x "swapctl: policy: $d/junk.bpf.o: not a BPF object file (libbpf: .*)" "junk" || return 1
	expect_line --err "^swapctl: policy: $d/noops.bpf.o: not a swaptier policy: no struct_ops map" "noops" || return 1
	expect_line --err "^swapctl: policy: $d/nolink.bpf.o: .*SEC(\".struct_ops.link\")" "nolink" || return 1
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
	expect_line -x "tp: attached globally, link pinned at $PINS/global" "summary" || return 1
	expect_line -x '    verbose = true' "verbose" || return 1
	expect_line -x '    weights = 1,2,3,0' "weights" || return 1
	expect_line -x '    bias = -5' "bias" || return 1
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
	local errno rc msg
	# ERRNO|EXIT STATUS|in the message
	while IFS='|' read -r errno rc msg; do
		SWAPCTL_DRY_RUN=$errno run policy load tp
		expect_rc "$rc" || { fail "$errno"; return 1; }
		expect_dry_line tp || return 1
		expect_error "$rc" "policy: tp" || return 1
		expect_err_contains "$msg" || return 1
	done <<EOF
EPERM|4|attaching a policy needs CAP_BPF and CAP_SYS_ADMIN (run as root)
EACCES|4|needs CAP_BPF and CAP_SYS_ADMIN
EEXIST|32|a policy is already attached to global, but not by swapctl (no pin $PINS/global)
EINVAL|4|load failed: Invalid argument
ENOENT|4|this kernel lacks what the policy needs
EOF
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
	expect_line -E -x 'TARGET +CGROUP_ID +NAME +PLACE +WRITEBACK +TICK +SWAPIN +ERRORS +LAST_ERROR +PINNED' "header" || return 1
	expect_line -E -x "global +0 +latency +10 +20 +30 +40 +3 +- +$PINS/global" "global" || return 1
	expect_line -E -x "/sys/fs/cgroup/a/b +$CG_AB +batch +10 +20 +30 +40 +3 +place 77 +$PINS/cgroup-$CG_AB" "a/b" || return 1
	expect_line -E -x "/sys/fs/cgroup/sp ace +$CG_SP +compress_aware +10 +20 +30 +40 +3 +writeback -3 +-" "sp ace" || return 1
	expect_line -E -x '\(removed\) +999999999 +ssd_wear +10 +20 +30 +40 +3 +- +-' "removed" || return 1
	expect_line -E -x "\(removed\) +424242 +\(detached\)( +-){6} +$PINS/cgroup-424242" "detached" || return 1
	expect_line "policy detach --cgroup-id ID" "detached note" || return 1
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
		vg_check "$want" "$args ($env)" || return 1
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

TESTS=(
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
	"t_policy_bpffs_stale_errno|another file system at /sys/fs/bpf: not a BPF file system (8), no stale errno"
	"t_policy_pin_names|pins cgroup-05 and the like are not swapctl's: one detach, no leak"
	"t_policy_replace_guarded|policy replace updates the link only if it holds the map read (BPF_F_REPLACE)"
)

run_tests "$@"
