#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# TAP test of `make install` / `make uninstall` (top-level Makefile), of
# building a policy out of tree against the installed headers, and of the
# bash completion tools/swapctl/swapctl.bash.  No swaptier kernel needed.
#
# Needs what `make swapctl bpf` builds (build/libbpf, build/bpf/*.bpf.o,
# build/bpf/vmlinux.h): without it the tests fail, they do not skip.  They
# skip only for what is outside the project: clang (out-of-tree build),
# bash-completion (the tests with it loaded).
#
#   selftests/host/install_test.sh
#
#   SWAPTIER_BASH_COMPLETION  bash-completion's main file (default:
#                             /usr/share/bash-completion/bash_completion)
#
# Exit status: 0 iff no test failed.

# shellcheck source=selftests/host/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 1
set -o pipefail

top=$TOP
# the tests share it (and run in order): t_install fills it, t_uninstall
# empties it
tmp=$TMP
unset BASH_ENV

dest=$tmp/root			# DESTDIR
prefix=/usr
root=$dest$prefix
bpf_out=$top/build/bpf
# the policies, by name, from their sources
policies=()
for f in "$top"/bpf/*.bpf.c; do
	f=${f##*/}
	policies+=("${f%.bpf.c}")
done

# every file make install puts under $root (PREFIX), with its mode
expected_files() {
	local p
	echo "755 sbin/swapctl"
	echo "644 share/man/man8/swapctl.8"
	echo "644 share/bash-completion/completions/swapctl"
	for p in "${policies[@]}"; do
		echo "644 lib/swaptier/policies/$p.bpf.o"
	done
	echo "644 include/swaptier/swap_tier.bpf.h"
	echo "644 include/swaptier/linux/swap_tier.h"
	echo "644 share/swaptier/swaptier.conf.example"
	echo "644 lib/systemd/system/swaptier.service"
	for p in "$top"/tools/bpftrace/*.bt; do
		[ -f "$p" ] && echo "644 share/swaptier/bpftrace/${p##*/}"
	done
}

# what is under DIR: "MODE PATH" per file, sorted
files_under() {
	(cd "$1" && find . -type f -printf '%m %P\n' | sort)
}

# ------------------------------------------------------------ completion

# complete_words [ENV=VALUE...] -- WORD...: the completions of the last
# WORD (give '' for an empty one) of the command line WORD..., one a line,
# sorted.  Drives the function `complete -p swapctl` names through
# COMP_WORDS/COMP_CWORD (and COMP_LINE/COMP_POINT) in `bash --norc`; with
# BC=FILE, bash-completion's FILE is loaded first.  As bash does, '=' of
# --opt=value is a word of its own (pass it as one) unless bash-completion
# rejoins it.  COMP_SCRIPT: the completion file (default: the installed
# one).
complete_words() {
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	env "${envs[@]}" bash --norc --noprofile -c '
		[ -n "${BC:-}" ] && { . "$BC" || exit 90; }
		. "$COMP_SCRIPT" || exit 91
		spec=$(complete -p swapctl 2>/dev/null) || exit 92
		fn=$(printf "%s\n" "$spec" | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
		[ -n "$fn" ] || exit 93
		COMP_WORDS=("$@")
		COMP_CWORD=$(( $# - 1 ))
		COMP_LINE=""
		for ((i = 0; i < $#; i++)); do
			w=${COMP_WORDS[i]}
			if [ $i -eq 0 ] || [ "$w" = = ] || [ "${COMP_WORDS[i - 1]}" = = ]; then
				COMP_LINE+=$w
			else
				COMP_LINE+=" $w"
			fi
		done
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		"$fn" swapctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sed "/^$/d" | sort -u
	' complete_words "$@"
}

# the WORDs of [ENV...] -- WORD... as a command line, for messages
cmdline() {
	while [ $# -gt 0 ] && [ "$1" != -- ]; do shift; done
	shift
	echo "$*"
}

# expect_completion WHAT WANT [ENV...] -- WORD...: the completions are
# exactly WANT (space-separated)
expect_completion() {
	local what=$1 want got
	want=$(printf '%s\n' $2 | sort -u)
	shift 2
	got=$(complete_words "$@")
	if [ "$got" != "$want" ]; then
		diag "$what: command line '$(cmdline "$@")'" \
			"want: $(echo $want)" "got:  $(echo $got)"
		return 1
	fi
}

# expect_completion_has WHAT WANT NOT [ENV...] -- WORD...: every word of
# WANT is a completion, none of NOT is
expect_completion_has() {
	local what=$1 want=$2 not=$3 got w rc=0
	shift 3
	got=$(complete_words "$@")
	for w in $want; do
		grep -qxF "$w" <<<"$got" || { diag "$what: '$w' not offered"; rc=1; }
	done
	for w in $not; do
		! grep -qxF "$w" <<<"$got" || { diag "$what: '$w' offered"; rc=1; }
	done
	[ $rc -eq 0 ] || diag "command line '$(cmdline "$@")'" "got: $(echo $got)"
	return $rc
}

COMP_SCRIPT=$root/share/bash-completion/completions/swapctl
export COMP_SCRIPT
commands="ghost tier policy status metrics top apply version help"
tier_cmds="add remove drain set list show help"

# a fake sysfs and cgroup tree, and a directory of files to complete
fake=$tmp/fake
mkdir -p "$fake/sys/ssd" "$fake/sys/hdd" "$fake/sys/policies/global" \
	"$fake/sys/policies/4242" "$fake/cg/db.slice" "$fake/cg/web" \
	"$fake/files/objs"
touch "$fake/sys/ssd/index" "$fake/sys/hdd/index" "$fake/files/mine.bpf.o" \
	"$fake/files/notes.txt"
echo batch >"$fake/sys/policies/4242/name"
fake_env=(_swapctl_sysfs="$fake/sys" _swapctl_cgroupfs="$fake/cg")

# ------------------------------------------------------------ tests

t_install() {
	local out
	if ! out=$(make -s -C "$top" install DESTDIR="$dest" PREFIX=$prefix 2>&1); then
		diag "make install DESTDIR=$dest PREFIX=$prefix failed:"
		printf '%s\n' "$out" | sed 's/^/#   /'
		return 1
	fi
}

t_installed_files() {
	local want got
	want=$(expected_files | sort -k2)
	got=$(files_under "$root" | sort -k2)
	if [ "$want" != "$got" ]; then
		diag "installed files (MODE PATH under $root) differ from the documented ones:"
		diff <(echo "$want") <(echo "$got") | sed 's/^/#   /'
		return 1
	fi
	# and nothing outside PREFIX
	got=$(cd "$dest" && find . -type f ! -path "./${prefix#/}/*")
	[ -z "$got" ] || { diag "installed outside PREFIX: $got"; return 1; }
}

t_installed_content() {
	local p rc=0
	cmp -s "$top/tools/swapctl/swapctl.8" "$root/share/man/man8/swapctl.8" || { diag "swapctl.8 differs"; rc=1; }
	cmp -s "$top/tools/swapctl/swapctl.bash" "$COMP_SCRIPT" || { diag "completion differs"; rc=1; }
	cmp -s "$top/bpf/swap_tier.bpf.h" "$root/include/swaptier/swap_tier.bpf.h" || { diag "swap_tier.bpf.h differs"; rc=1; }
	cmp -s "$top/include/uapi/linux/swap_tier.h" "$root/include/swaptier/linux/swap_tier.h" || { diag "linux/swap_tier.h differs"; rc=1; }
	for p in "${policies[@]}"; do
		cmp -s "$bpf_out/$p.bpf.o" "$root/lib/swaptier/policies/$p.bpf.o" ||
			{ diag "$p.bpf.o is not build/bpf's"; rc=1; }
	done
	return $rc
}

# the installed unit names the installed swapctl, and systemd accepts it:
# systemd-analyze verify on a copy whose ExecStart is the staged binary
# (the unit's dependencies, sysinit.target and the rest, are the build
# host's; --man=no: the man page is checked by t_installed_files); the
# example configuration is one apply parses
t_installed_unit() {
	local unit=$root/lib/systemd/system/swaptier.service out
	grep -qx "ExecStart=$prefix/sbin/swapctl apply --watch /etc/swaptier.conf" "$unit" ||
		{ diag "ExecStart is not $prefix/sbin/swapctl apply --watch:" "$(grep ExecStart "$unit")"; return 1; }
	command -v systemd-analyze >/dev/null ||
		{ diag "systemd-analyze missing (install-deps installs systemd)"; return 1; }
	mkdir -p unit
	sed "s|^ExecStart=$prefix/sbin/swapctl |ExecStart=$root/sbin/swapctl |" \
		"$unit" >unit/swaptier.service
	out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
		unit/swaptier.service 2>&1) ||
		{ diag "systemd-analyze verify failed:" "$out"; return 1; }
	# verify prints unknown keys and the like without failing: none expected
	[ -z "$out" ] || { diag "systemd-analyze verify warned:" "$out"; return 1; }
	out=$("$root/sbin/swapctl" apply --dry-run "$root/share/swaptier/swaptier.conf.example" 2>&1)
	# the example's devices do not exist here: apply gets past parsing
	if grep -q "line [0-9]*:" <<<"$out"; then
		diag "the example does not parse:" "$out"
		return 1
	fi
	return 0
}

# the installed swapctl looks for policies where they were installed, and
# reads every one of them
t_installed_policy_dir() {
	local sw=$root/sbin/swapctl out p rc=0
	out=$("$sw" policy help 2>&1)
	grep -q "policy directory, $prefix/lib/swaptier/policies\$" <<<"$out" ||
		{ diag "built-in policy directory is not $prefix/lib/swaptier/policies:" "$out"; return 1; }
	out=$(SWAPCTL_POLICY_DIR=$root/lib/swaptier/policies "$sw" policy list 2>&1) ||
		{ diag "policy list of the installed policies failed:" "$out"; return 1; }
	for p in "${policies[@]}"; do
		grep -q "^$p: " <<<"$out" || { diag "policy list does not show $p"; rc=1; }
	done
	return $rc
}

# tools/bpftrace/*.bt, when there are any (none yet: the rule must not fail
# without the directory, t_install; here a script given to the rule)
t_bpftrace_scripts() {
	local d=$tmp/bt out
	echo 'BEGIN { exit(); }' >"$tmp/probe.bt"
	out=$(make -s -C "$top" install DESTDIR="$d" PREFIX=$prefix \
		BPFTRACE_SCRIPTS="$tmp/probe.bt" 2>&1) || { diag "make install failed:" "$out"; return 1; }
	[ "$(stat -c %a "$d$prefix/share/swaptier/bpftrace/probe.bt" 2>/dev/null)" = 644 ] ||
		{ diag "share/swaptier/bpftrace/probe.bt not installed 0644"; return 1; }
	# uninstall leaves files it did not install, and their directory
	touch "$d$prefix/lib/swaptier/policies/local.bpf.o"
	out=$(make -s -C "$top" uninstall DESTDIR="$d" PREFIX=$prefix \
		BPFTRACE_SCRIPTS="$tmp/probe.bt" 2>&1) || { diag "make uninstall failed:" "$out"; return 1; }
	[ ! -e "$d$prefix/share/swaptier" ] || { diag "share/swaptier left behind"; return 1; }
	[ -f "$d$prefix/lib/swaptier/policies/local.bpf.o" ] ||
		{ diag "uninstall removed a policy it did not install"; return 1; }
	[ "$(files_under "$d")" = "644 ${prefix#/}/lib/swaptier/policies/local.bpf.o" ] ||
		{ diag "left after uninstall: $(files_under "$d")"; return 1; }
}

# A policy of its own, built with the installed headers and the macros
# only.  vmlinux.h: the repository's build/bpf/vmlinux.h (generated by
# `make bpf` from the built kernel's BTF), copied next to the source, as
# docs/policy-kit.md says to do with the running kernel's.  libbpf headers:
# the system's if it has them, else the repository's build/libbpf/include.
t_out_of_tree_policy() {
	local d=$tmp/oot inc=() out
	command -v clang >/dev/null || { SKIP_REASON="no clang on PATH (outside the project)"; return 77; }
	[ -f "$bpf_out/vmlinux.h" ] || { diag "$bpf_out/vmlinux.h missing: run 'make bpf'"; return 1; }
	if [ ! -f /usr/include/bpf/bpf_helpers.h ]; then
		[ -f "$top/build/libbpf/include/bpf/bpf_helpers.h" ] ||
			{ diag "no libbpf headers: run 'make libbpf'"; return 1; }
		inc=(-I"$top/build/libbpf/include")
	fi
	mkdir -p "$d"
	cp "$bpf_out/vmlinux.h" "$d/"
	diag "vmlinux.h: the repository's generated $bpf_out/vmlinux.h" \
		"libbpf headers: ${inc[*]:-/usr/include}"
	cat >"$d/mine.bpf.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include "swap_tier.bpf.h"

char LICENSE[] SEC("license") = "GPL";
const char swaptier_description[] = "out-of-tree test policy";
const volatile __u32 big_order = 1;
__u64 ticks;

s32 SWAP_TIER_HOOK(place, mine_place, struct swap_tier_ctx *sctx)
{
	if (sctx->order >= big_order)
		return SWAP_TIER_ONLY_TIER(SWAP_TIER_SSD);
	return SWAP_TIER_DEFAULT;
}

void SWAP_TIER_HOOK(tick, mine_tick, struct swap_tier_ctx *sctx)
{
	__sync_fetch_and_add(&ticks, 1);
}

SWAP_TIER_OPS_DEFINE(mine_ops,
	.place	= (void *)mine_place,
	.tick	= (void *)mine_tick,
	.name	= "mine");
EOF
	out=$(cd "$d" && clang -O2 -g -target bpf -D__TARGET_ARCH_x86 -mcpu=v3 -Wall -Werror \
		-I. -I"$root/include/swaptier" "${inc[@]}" -c mine.bpf.c -o mine.bpf.o 2>&1) ||
		{ diag "clang failed:"; printf '%s\n' "$out" | sed 's/^/#   /'; return 1; }
	# swapctl takes it for a policy: one swap_tier_ops in .struct_ops.link
	out=$(SWAPCTL_POLICY_DIR=$d "$root/sbin/swapctl" policy list 2>&1) ||
		{ diag "swapctl policy list of it failed:" "$out"; return 1; }
	if ! grep -q '^mine: out-of-tree test policy$' <<<"$out" ||
		! grep -q 'big_order' <<<"$out"; then
		diag "swapctl policy list:" "$out"
		return 1
	fi
}

t_completion_syntax() {
	bash -n "$top/tools/swapctl/swapctl.bash" || return 1
	bash -n "$COMP_SCRIPT"
}

t_completion_loads() {
	local out
	out=$(bash --norc --noprofile -c '. "$COMP_SCRIPT" && complete -p swapctl' 2>&1)
	[ "$out" = "complete -F _swapctl swapctl" ] || { diag "got: $out"; return 1; }
}

t_complete_commands() {
	expect_completion "commands" "$commands" -- swapctl '' &&
		expect_completion "commands after -j" "$commands" -- swapctl -j ''
}

t_complete_tier_subcommands() {
	expect_completion "tier commands" "$tier_cmds" -- swapctl tier '' &&
		expect_completion "tier commands, prefix" "set show" -- swapctl tier s
}

# files (*.o and directories) and the installed policies' names
t_complete_policy_load_files() {
	local names="${policies[*]}"
	(cd "$fake/files" && expect_completion "policy load" "$names mine.bpf.o objs" \
		-- swapctl policy load '') &&
		(cd "$fake/files" && expect_completion "policy load, prefix" "mine.bpf.o" \
			-- swapctl policy load mi)
}

t_complete_options() {
	expect_completion "tier add options" "--tier --prio --json --pretty --help" \
		-- swapctl tier add /dev/vdb -- &&
		expect_completion "policy detach options" "--cgroup --cgroup-id" \
			-- swapctl policy detach --cg &&
		expect_completion "policy stats options" "--cgroup" \
			-- swapctl policy stats --cg &&
		expect_completion "apply options" "--dry-run --watch --json --pretty --help" \
			-- swapctl apply -- &&
		(cd "$fake/files" && expect_completion "apply FILE" "help mine.bpf.o notes.txt objs" \
			-- swapctl apply '') &&
		expect_completion "after apply FILE" "" -- swapctl apply x.conf ''
}

# option values: tier names (sysfs directories with an index, else the
# default names), cgroup paths, attached cgroup ids
t_complete_option_values() {
	expect_completion "--tier, no sysfs" "ssd hdd tier3 tier4 tier5 tier6 tier7" \
		_swapctl_sysfs="$tmp/none" -- swapctl tier add x --tier '' &&
		expect_completion "--tier, sysfs" "ssd hdd" "${fake_env[@]}" \
			-- swapctl tier add x --tier '' &&
		expect_completion "--tier=s" "ssd" "${fake_env[@]}" \
			-- swapctl tier add x --tier = s &&
		expect_completion "tier set NAME" "ssd hdd" "${fake_env[@]}" -- swapctl tier set '' &&
		expect_completion "--cgroup" "$fake/cg/db.slice $fake/cg/web" "${fake_env[@]}" \
			-- swapctl policy load latency --cgroup '' &&
		expect_completion "--cgroup-id" "4242" "${fake_env[@]}" \
			-- swapctl policy detach --cgroup-id '' &&
		expect_completion_has "policy names from sysfs" "batch" "" "${fake_env[@]}" \
			SWAPCTL_POLICY_DIR="$tmp/none" -- swapctl policy replace ''
}

# the same with bash-completion's _init_completion and _filedir
t_complete_with_bash_completion() {
	local bc=${SWAPTIER_BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}
	[ -f "$bc" ] || { SKIP_REASON="bash-completion not installed ($bc; a distribution package, outside the project)"; return 77; }
	expect_completion "commands" "$commands" BC="$bc" -- swapctl '' &&
		expect_completion "tier commands" "$tier_cmds" BC="$bc" -- swapctl tier '' &&
		# a prefix: _filedir quotes an empty word as '', which only a
		# real readline completion takes for nothing
		(cd "$fake/files" && expect_completion "policy load files" "mine.bpf.o" \
			BC="$bc" SWAPCTL_POLICY_DIR="$tmp/none" -- swapctl policy load m) &&
		expect_completion "tier add options" "--tier --prio --json --pretty --help" \
			BC="$bc" -- swapctl tier add /dev/vdb -- &&
		expect_completion "--tier=s" "ssd" BC="$bc" "${fake_env[@]}" \
			-- swapctl tier add x --tier = s
}

t_uninstall() {
	local out left
	if ! out=$(make -s -C "$top" uninstall DESTDIR="$dest" PREFIX=$prefix 2>&1); then
		diag "make uninstall failed:"
		printf '%s\n' "$out" | sed 's/^/#   /'
		return 1
	fi
	left=$(files_under "$dest")
	[ -z "$left" ] || { diag "left after uninstall:" "$left"; return 1; }
	for d in lib/swaptier include/swaptier share/swaptier lib/systemd; do
		[ ! -e "$root/$d" ] || { diag "$d left after uninstall"; return 1; }
	done
}

TESTS=(
	"t_install|make install DESTDIR=\$tmp PREFIX=$prefix"
	"t_installed_files|every documented file, with its mode, and nothing else"
	"t_installed_content|installed files are the sources and build/bpf's policies"
	"t_installed_policy_dir|installed swapctl's policy directory is the installed policies"
	"t_installed_unit|swaptier.service names the installed swapctl and passes systemd-analyze verify; the example parses"
	"t_bpftrace_scripts|bpftrace scripts installed when there are some; uninstall keeps foreign files"
	"t_out_of_tree_policy|out-of-tree policy builds with the installed headers and the macros"
	"t_completion_syntax|bash -n on the completion script"
	"t_completion_loads|completion loads in bash --norc and registers swapctl"
	"t_complete_commands|'swapctl ' completes the commands"
	"t_complete_tier_subcommands|'swapctl tier ' completes the tier commands"
	"t_complete_policy_load_files|'swapctl policy load ' completes files and policy names"
	"t_complete_options|options of tier add, policy detach, policy stats and apply; apply FILE"
	"t_complete_option_values|tier names, cgroup paths, cgroup ids, policy names"
	"t_complete_with_bash_completion|completion with bash-completion loaded"
	"t_uninstall|make uninstall DESTDIR=\$tmp PREFIX=$prefix removes it all"
)

# what the tests need from `make swapctl bpf`; missing: every test fails
missing=()
for f in "$top/build/libbpf/obj/libbpf.a" "$bpf_out/vmlinux.h"; do
	[ -f "$f" ] || missing+=("$f")
done
for p in "${policies[@]}"; do
	[ -f "$bpf_out/$p.bpf.o" ] || missing+=("$bpf_out/$p.bpf.o")
done

# a test needs them: without them it fails, it does not run
test_setup() {
	[ ${#missing[@]} -eq 0 ] && return 0
	diag "missing (run 'make swapctl bpf'): ${missing[*]}"
	return 1
}

run_tests "$@"
