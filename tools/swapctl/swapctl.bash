# bash completion for swapctl(8)                           -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0-only
#
# Installed by `make install` as $(PREFIX)/share/bash-completion/completions/swapctl
# (bash-completion loads it on first use); or source it from ~/.bashrc.
#
# Commands and options are those of tools/swapctl/*.c (their usage texts
# and getopt tables) and swapctl(8).  Arguments:
#   tier NAME      directories of /sys/kernel/mm/swap_tier/ that are tiers
#                  (have an index file), else ssd hdd tier3 .. tier7
#                  (zswap is tier 0, never a NAME: swapctl refuses it)
#   policy NAME    NAME.bpf.o of the policy directory ($SWAPCTL_POLICY_DIR,
#                  else the installed one next to this file) and the names
#                  of attached policies (/sys/kernel/mm/swap_tier/policies/
#                  */name); OBJ: *.o files
#   --cgroup PATH  directories under /sys/fs/cgroup
#   DEV | FILE     files and devices; for remove and drain also the active
#                  back ends (the tiers' devices files)
#
# Works with bash-completion (_init_completion, _filedir) and without it.
# _swapctl_sysfs and _swapctl_cgroupfs name the two roots read (tests point
# them elsewhere).

: "${_swapctl_sysfs:=/sys/kernel/mm/swap_tier}"
: "${_swapctl_cgroupfs:=/sys/fs/cgroup}"

# Policy directory when SWAPCTL_POLICY_DIR is unset: the installed one
# ($(PREFIX)/lib/swaptier/policies for this file in
# $(PREFIX)/share/bash-completion/completions/), build/bpf for the copy in
# the source tree, else the default PREFIX's.
case ${BASH_SOURCE[0]-} in
*/share/bash-completion/completions/*)
	_swapctl_policydir=${BASH_SOURCE[0]%/share/bash-completion/completions/*}/lib/swaptier/policies
	;;
*/tools/swapctl/swapctl.bash)
	_swapctl_policydir=${BASH_SOURCE[0]%/tools/swapctl/swapctl.bash}/build/bpf
	;;
*)
	_swapctl_policydir=/usr/local/lib/swaptier/policies
	;;
esac

# Options that take an argument (one word after them), every command's.
_swapctl_argopts=" -s --size -L --label -U --uuid -t --tier -P --prio --high "
_swapctl_argopts+="--low --interval -c --cgroup --set -i --cgroup-id -o --output "
_swapctl_argopts+="--sort --count "

# Add the words of $1 (newline-separated) that start with $cur to COMPREPLY,
# as they are (no compgen -W: it would expand names read from files).
_swapctl_add()
{
	local w

	while IFS= read -r w; do
		[[ $w && $w == "$cur"* ]] && COMPREPLY+=("$w")
	done <<<"$1"
}

# Add the lines the command "$@" prints to COMPREPLY.
_swapctl_reply()
{
	mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <("$@")
}

# Tier names: sysfs tiers, else the default names.
_swapctl_tiers()
{
	local d names=""

	for d in "$_swapctl_sysfs"/*/; do
		[[ -e ${d}index ]] || continue
		d=${d%/}
		names+=${d##*/}$'\n'
	done
	[[ $names ]] || names=$'ssd\nhdd\ntier3\ntier4\ntier5\ntier6\ntier7'
	_swapctl_add "$names"
}

# Policy names: the policy directory's NAME.bpf.o, and attached policies.
_swapctl_policies()
{
	local f names="" dir=${SWAPCTL_POLICY_DIR:-$_swapctl_policydir} line

	for f in "$dir"/*.bpf.o; do
		[[ -f $f ]] || continue
		f=${f##*/}
		names+=${f%.bpf.o}$'\n'
	done
	for f in "$_swapctl_sysfs"/policies/*/name; do
		[[ -r $f ]] && read -r line <"$f" && [[ $line ]] && names+=$line$'\n'
	done
	_swapctl_add "$names"
}

# Cgroup ids of the attached cgroup policies (policies/<id>/).
_swapctl_cgroup_ids()
{
	local d ids=""

	for d in "$_swapctl_sysfs"/policies/*/; do
		d=${d%/}
		d=${d##*/}
		[[ $d && $d != *[!0-9]* ]] && ids+=$d$'\n'
	done
	_swapctl_add "$ids"
}

# Active back ends (paths as in /proc/swaps; ones with escapes are left to
# file completion).
_swapctl_backends()
{
	local f line paths=""

	for f in "$_swapctl_sysfs"/*/devices; do
		[[ -r $f ]] || continue
		while read -r line; do
			[[ $line && $line != *\\* ]] && paths+=$line$'\n'
		done <"$f"
	done
	_swapctl_add "$paths"
}

# Files (with an extension $1: those and directories).
_swapctl_files()
{
	if declare -F _filedir >/dev/null; then
		_filedir ${1:+"$1"}
		return
	fi
	compopt -o filenames 2>/dev/null
	if [[ $1 ]]; then
		_swapctl_reply compgen -d -- "$cur"
		_swapctl_reply compgen -f -X "!*.$1" -- "$cur"
	else
		_swapctl_reply compgen -f -- "$cur"
	fi
}

# cgroup v2 directories: below the cgroup root while $cur leads there.
_swapctl_cgroups()
{
	local root=$_swapctl_cgroupfs n=${#COMPREPLY[@]}

	compopt -o filenames 2>/dev/null
	if [[ -z $cur || $root == "$cur"* ]]; then
		_swapctl_reply compgen -d -- "$root/"
		((${#COMPREPLY[@]} > n)) || COMPREPLY+=("$root")
	else
		_swapctl_reply compgen -d -- "$cur"
	fi
}

# Long options of object $1, command $2 (-j -p -h go with every command),
# one a line.
_swapctl_options()
{
	local o common="--json --pretty --help"

	case $1/$2 in
	/) o="--json --pretty --help --version" ;;
	ghost/create) o="--size --label --uuid --force $common" ;;
	tier/add) o="--tier --prio $common" ;;
	tier/drain) o="--quiet $common" ;;
	tier/set) o="--high --low --interval $common" ;;
	tier/list | tier/show) o="--all $common" ;;
	policy/load | policy/replace) o="--cgroup --set --debug $common" ;;
	policy/detach) o="--cgroup --cgroup-id --all $common" ;;
	policy/show | policy/stats) o="--cgroup $common" ;;
	metrics/*) o="--output $common" ;;
	top/help | apply/help) o="" ;;
	apply/*) o="--dry-run --watch $common" ;;
	top/*) o="--once --interval --sort --count --cgroup $common" ;;
	*/help) o="" ;;
	*) o=$common ;;
	esac
	[[ $o ]] && printf '%s\n' "${o// /$'\n'}"
}

# Without bash-completion: cur, prev, words, cword from COMP_WORDS, where
# '=' is a word of its own (--tier=ssd is "--tier" "=" "ssd").
_swapctl_init()
{
	COMPREPLY=()
	words=("${COMP_WORDS[@]}")
	cword=$COMP_CWORD
	cur=${words[cword]-}
	prev=${words[cword - 1]-}
	if [[ $cur == = && $prev == --* ]]; then
		cur=
		split=true
	elif [[ $prev == = ]] && ((cword >= 2)) && [[ ${words[cword - 2]} == --* ]]; then
		prev=${words[cword - 2]}
		split=true
	fi
}

_swapctl()
{
	local cur prev words cword split=false

	if declare -F _init_completion >/dev/null; then
		_init_completion -s || return
	else
		_swapctl_init
	fi

	# OBJECT and COMMAND: the first two words that are not options (before
	# OBJECT no option takes an argument); npos: the positional arguments
	# after COMMAND before the word completed.
	local i w obj="" cmd="" npos=0 dashdash=false
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		if [[ $dashdash == false && $w == -?* ]]; then
			[[ $w == -- ]] && dashdash=true && continue
			[[ $obj && $w != *=* && $_swapctl_argopts == *" $w "* ]] && ((i++))
			continue
		fi
		if [[ $w == = ]]; then
			((i++))	# "=" "VALUE" of --opt=VALUE, split by bash
			continue
		fi
		if [[ -z $obj ]]; then
			obj=$w
		elif [[ -z $cmd ]]; then
			cmd=$w
		else
			((npos++))
		fi
	done
	# status, metrics, top and apply have no COMMAND: a word after them is
	# an argument (apply's FILE)
	case $obj in
	status) [[ $cmd && $cmd != show && $cmd != help ]] && return ;;
	metrics | top | apply) [[ $cmd && $cmd != help ]] && return ;;
	esac

	# the value of an option (or of --set KEY=VALUE, split by bash)
	[[ $prev == = ]] && return
	if [[ $split == true || ( $dashdash == false && $obj && \
		$_swapctl_argopts == *" $prev "* ) ]]; then
		case $obj/$prev in
		tier/--tier | tier/-t) _swapctl_tiers ;;
		ghost/--uuid | ghost/-U) _swapctl_add $'random\nclear' ;;
		policy/--cgroup | policy/-c) _swapctl_cgroups ;;
		policy/--cgroup-id | policy/-i) _swapctl_cgroup_ids ;;
		metrics/--output | metrics/-o) _swapctl_files ;;
		top/--cgroup | top/-c) _swapctl_cgroups ;;
		top/--sort) _swapctl_add $'resident\nzswap\nswap\nswapin\nswapout\nrejects\npsi\nssd\nhdd\ntier3\ntier4\ntier5\ntier6\ntier7' ;;
		esac
		return
	fi
	if [[ $dashdash == false && $cur == -* ]]; then
		if [[ $obj && -z $cmd && $obj != status && $obj != metrics &&
		      $obj != top && $obj != apply ]]; then
			_swapctl_add "--json"$'\n'"--pretty"$'\n'"--help"
		else
			_swapctl_add "$(_swapctl_options "$obj" "$cmd")"
		fi
		return
	fi

	if [[ -z $obj ]]; then
		_swapctl_add $'ghost\ntier\npolicy\nstatus\nmetrics\ntop\napply\nversion\nhelp'
		return
	fi
	if [[ -z $cmd ]]; then
		case $obj in
		ghost) _swapctl_add $'create\nhelp' ;;
		tier) _swapctl_add $'add\nremove\ndrain\nset\nlist\nshow\nhelp' ;;
		policy) _swapctl_add $'list\nload\nreplace\ndetach\nshow\nstats\nhelp' ;;
		status) _swapctl_add $'show\nhelp' ;;
		metrics) _swapctl_add help ;;
		top) _swapctl_add help ;;
		apply) _swapctl_add help; _swapctl_files ;;
		esac
		return
	fi
	((npos == 0)) || return
	case $obj/$cmd in
	ghost/create) _swapctl_files ;;
	tier/add) _swapctl_files ;;
	tier/remove | tier/drain) _swapctl_backends; _swapctl_files ;;
	tier/set) _swapctl_tiers ;;
	policy/load | policy/replace) _swapctl_policies; _swapctl_files o ;;
	policy/stats) _swapctl_policies ;;
	esac
} &&
	complete -F _swapctl swapctl

# ex: filetype=sh
