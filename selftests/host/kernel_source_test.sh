#!/usr/bin/env bash
# TAP test of the pinned kernel base (scripts/kernel-tree, scripts/kernel-drift,
# scripts/lib/kernel-source.sh): the work tree is made from exactly the
# version kernel/mm-patches/BASE pins, the series applies to it, a version the
# series does not apply to is named with the patch and file, and a pin that
# left the registry stops with the versions on offer and how to move the pin.
#
# The registry (Debian's archive) is outside the project: when it cannot be
# reached, the tests that need it skip and say so.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tree=${SWAPTIER_TREE:-$top/build/linux}

pin=$(sed -n 's/^version=//p' "$top/kernel/mm-patches/BASE")
pkg=$(sed -n 's/^package=//p' "$top/kernel/mm-patches/BASE")
# The version before the pin in Debian's order, if the registry has one.
older=$(apt-cache madison "$pkg" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}' |
	while read -r v; do dpkg --compare-versions "$v" lt "$pin" && echo "$v"; done |
	sort -V | tail -n 1)

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

echo "1..6"

# 1. The work tree's base is the pin, whatever the system has installed.
have=$(git -C "$tree" log -1 --format=%s swaptier-base 2>/dev/null)
sys=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo "not installed")
if [ "$have" = "Linux 6.12 (Debian $pkg $pin)" ]; then
	ok "build/linux is based on the pin $pin (system's $pkg: $sys)"
else
	notok "build/linux is based on the pin $pin (system's $pkg: $sys)" "swaptier-base is: ${have:-missing}"
fi

# 2. The series applies to the pin (kernel-drift on the pinned version).
out=$("$top/scripts/kernel-drift" --version "$pin" 2>&1); rc=$?
if [ $rc -eq 0 ] && [[ "$out" == "kernel-drift: the series applies to $pkg $pin "* ]] &&
   [ "$(echo "$out" | wc -l)" -eq 1 ]; then
	ok "kernel-drift: the series applies to the pin, in one line"
elif [ $rc -eq 2 ]; then
	skip "kernel-drift: the series applies to the pin, in one line" "registry: $out"
else
	notok "kernel-drift: the series applies to the pin, in one line" "exit $rc: $out"
fi

# 3. A version the series does not apply to: the line names a patch and a
# file.  (Every version before the pin lacks at least the context the rebase
# onto the pin took in, so the series cannot apply cleanly to it.)
if [ -z "$older" ]; then
	skip "kernel-drift names the conflicting patch and file" "the registry offers no $pkg older than $pin"
else
	out=$("$top/scripts/kernel-drift" --version "$older" 2>&1); rc=$?
	if [ $rc -eq 1 ] && [[ "$out" =~ ^kernel-drift:\ [0-9]{4}-.*\.patch\ conflicts\ in\ [a-z].*\ on\ $pkg\ ${older//\~/\\~}\  ]]; then
		ok "kernel-drift names the conflicting patch and file ($older)"
	elif [ $rc -eq 0 ]; then
		skip "kernel-drift names the conflicting patch and file" "the series applies to $older too: no conflict to show"
	else
		notok "kernel-drift names the conflicting patch and file ($older)" "exit $rc: $out"
	fi
fi

# 4. A pin the registry no longer has: a clear error, nothing touched.
printf 'package=%s\nversion=6.12.1-0~gone1\n' "$pkg" > "$tmp/BASE"
out=$(SWAPTIER_BASE_FILE=$tmp/BASE "$top/scripts/kernel-tree" "$tmp/linux" 2>&1); rc=$?
if [ $rc -ne 0 ] && [[ "$out" == *"6.12.1-0~gone1 is not in the registry"* ]] &&
   [[ "$out" == *"it offers: "*"$pin"* ]] && [[ "$out" == *"Moving the kernel base"* ]] &&
   [ ! -e "$tmp/linux" ]; then
	ok "a pin that left the registry: error names it, the versions on offer, how to move it"
else
	notok "a pin that left the registry: error names it, the versions on offer, how to move it" "exit $rc: $out"
fi

# 5. kernel-drift with a version the registry lacks says it could not check
# (exit 2), in one line, instead of claiming a conflict.
out=$("$top/scripts/kernel-drift" --version 6.12.1-0~gone1 2>&1); rc=$?
if [ $rc -eq 2 ] && [[ "$out" == "kernel-drift: cannot check: "*"not in the registry"* ]] &&
   [ "$(echo "$out" | wc -l)" -eq 1 ]; then
	ok "kernel-drift on a version the registry lacks: 'cannot check', exit 2"
else
	notok "kernel-drift on a version the registry lacks: 'cannot check', exit 2" "exit $rc: $out"
fi

# 6. kernel-drift on the newest version (what make test prints): one line,
# whatever the answer, and never a silent exit.  Run a few times: the
# version lookup once died of SIGPIPE now and then, without a word.
bad=
for i in 1 2 3; do
	out=$("$top/scripts/kernel-drift" 2>&1); rc=$?
	if [ $rc -gt 2 ] || [ "$(echo "$out" | wc -l)" -ne 1 ] ||
	   [[ "$out" != "kernel-drift: "* ]]; then
		bad="run $i: exit $rc: $out"
		break
	fi
done
if [ -z "$bad" ]; then
	ok "kernel-drift on the newest version: one line ($out)"
else
	notok "kernel-drift on the newest version: one line" "$bad"
fi
