# shellcheck shell=bash
# Kernel source fetching shared by kernel-tree and kernel-drift.
#
#   ks_pinned              sets ks_package and ks_version from kernel/mm-patches/BASE
#   ks_versions            versions of $ks_package the registry offers, newest first
#   ks_fetch VERSION DIR   prints the path of that version's source tarball,
#                          downloading and unpacking the .deb into DIR once
#
# Callers define die().  Nothing here installs, upgrades or downgrades a
# system package: the .deb is only unpacked under DIR.

ks_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# SWAPTIER_BASE_FILE: another BASE file (the host tests use it).
ks_base_file=${SWAPTIER_BASE_FILE:-$ks_top/kernel/mm-patches/BASE}
# Callers that fetch the pin say how to move it; others set their own hint.
ks_pin_hint='kernel/mm-patches/BASE pins it; to move the pin see README.md, "Moving the kernel base"'

ks_pinned() {
	[ -f "$ks_base_file" ] || die "$ks_base_file missing"
	ks_package=$(sed -n 's/^package=//p' "$ks_base_file")
	ks_version=$(sed -n 's/^version=//p' "$ks_base_file")
	[ -n "$ks_package" ] && [ -n "$ks_version" ] ||
		die "$ks_base_file must set package= and version="
}

# The package lists can be old or absent on a fresh machine.
ks_update_lists() {
	[ "${ks_lists_updated:-0}" = 1 ] && return 0
	apt-get update -qq >/dev/null 2>&1 || true
	ks_lists_updated=1
}

ks_versions() {
	local v
	v=$(apt-cache madison "$ks_package" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}')
	if [ -z "$v" ]; then
		ks_update_lists
		v=$(apt-cache madison "$ks_package" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}')
	fi
	[ -n "$v" ] || return 0
	# apt-cache madison sorts by pin priority; sort by Debian version order.
	echo "$v" | sort -u | python3 -c '
import functools, subprocess, sys
vs = [l.strip() for l in sys.stdin if l.strip()]
def cmp(a, b):
    if subprocess.call(["dpkg", "--compare-versions", a, "lt", b]) == 0:
        return 1
    return 0 if a == b else -1
print("\n".join(sorted(vs, key=functools.cmp_to_key(cmp))))'
}

ks_fetch() {
	local version=$1 dir=$2 deb d tarball offered
	d=$dir/$ks_package-$version
	tarball=$d/usr/src/$ks_package.tar.xz
	if [ -f "$tarball" ] && [ -f "$d/.complete" ]; then
		echo "$tarball"
		return 0
	fi
	rm -rf "$d" "$d.tmp"
	mkdir -p "$d.tmp"
	# apt drops privileges to _apt for downloads; give it the directory.
	chown _apt "$d.tmp" 2>/dev/null || true
	if ! (cd "$d.tmp" && apt-get download -qq "$ks_package=$version") >/dev/null 2>"$d.tmp/err"; then
		ks_update_lists
		if ! (cd "$d.tmp" && apt-get download -qq "$ks_package=$version") >/dev/null 2>"$d.tmp/err"; then
			offered=$(ks_versions | paste -sd, - | sed 's/,/, /g')
			why=$(grep -m1 . "$d.tmp/err" || true)
			rm -rf "$d.tmp"
			die "$ks_package $version is not in the registry (apt-get download: ${why:-no reason given}); it offers: ${offered:-nothing}.${ks_pin_hint:+ $ks_pin_hint}"
		fi
	fi
	deb=$(find "$d.tmp" -maxdepth 1 -name '*.deb' | head -n 1)
	[ -n "$deb" ] || die "apt-get download left no .deb for $ks_package $version"
	mkdir -p "$d"
	dpkg-deb -x "$deb" "$d" || die "cannot unpack $deb"
	rm -rf "$d.tmp"
	[ -f "$tarball" ] || die "$deb holds no usr/src/$ks_package.tar.xz"
	touch "$d/.complete"
	echo "$tarball"
}
