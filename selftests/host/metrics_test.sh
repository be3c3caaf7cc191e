#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side tests of 'swapctl metrics' (no swaptier kernel needed).  Prints
# TAP.  Every output is checked by a strict checker of the Prometheus text
# format (0.0.4) and parsed by Debian's python3-prometheus-client
# (prometheus_client.parser), and by promtool when it is on PATH.
#
# The environment, the helpers, the fixtures (fake_tiers,
# policy_show_fixture) and the runner are lib.sh's.
#
#   SWAPCTL, SWAPCTL_TEST, PYTHON   as for lib.sh
#   PROM_PYTHON   python3 with prometheus_client (default: $PYTHON if it
#                 has it, else /usr/bin/python3, where Debian's package
#                 puts it); without it the parsing tests fail, they do
#                 not skip: scripts/install-deps installs it
#
#   selftests/host/metrics_test.sh [TEST...]   (TEST: a function name)
#
# Exit status: 0 iff no test failed.

# shellcheck source=selftests/host/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 1
MAN=$TOP/tools/swapctl/swapctl.8

if [ -z "${PROM_PYTHON:-}" ]; then
	PROM_PYTHON=$PYTHON
	if ! "$PROM_PYTHON" -c 'import prometheus_client.parser' 2>/dev/null &&
	   [ -x /usr/bin/python3 ]; then
		PROM_PYTHON=/usr/bin/python3
	fi
fi

# ---------------------------------------------------------------- helpers

need_prom_parser() {
	"$PROM_PYTHON" -c 'import prometheus_client.parser' 2>/dev/null && return 0
	fail "$PROM_PYTHON has no prometheus_client: install python3-prometheus-client (scripts/install-deps)"
}

# prom_check FILE [JSON]: FILE must be valid Prometheus text as
# swapctl writes it: UTF-8, ending in a newline; per family a HELP line,
# a TYPE line (counter or gauge) and its samples, each family once, in
# one piece; names swaptier_*, counters *_total; label values with only
# the escapes \\ \" \n; no series twice.  prometheus_client must parse it
# to the same samples, with HELP and TYPE for every family (it turns
# samples without them into "untyped" families), and promtool check
# metrics accept it if installed.  JSON (if given) gets the samples:
#   {"v": {NAME: {LABELS: VALUE}}, "t": {NAME: TYPE}, "l": {NAME: [LABEL...]}}
# LABELS "k1=v1,k2=v2" (sorted by name; "" without labels), values as
# parsed (floats).
prom_check() {
	need_prom_parser || return 1
	"$PROM_PYTHON" - "$1" "${2:-}" <<'EOF' | sed 's/^/# /'
import json, re, shutil, subprocess, sys

path, out = sys.argv[1], sys.argv[2]
raw = open(path, "rb").read()
bad = []
try:
    text = raw.decode("utf-8")
except UnicodeDecodeError as e:
    print("not UTF-8: %s" % e)
    sys.exit(1)
if not text.endswith("\n"):
    bad.append("does not end with a newline")

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LNAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
LVAL = r'(?:[^"\\\n]|\\[\\"n])*'
help_re = re.compile(r"# HELP (%s) ((?:[^\\\n]|\\[\\n])+)\Z" % NAME)
type_re = re.compile(r"# TYPE (%s) (counter|gauge)\Z" % NAME)
sample_re = re.compile(r'(%s)(?:\{(%s="%s"(?:,%s="%s")*)\})? (-?[0-9]+(?:\.[0-9]+)?)\Z'
                       % (NAME, LNAME, LVAL, LNAME, LVAL))
label_re = re.compile(r'(%s)="(%s)"' % (LNAME, LVAL))

def unescape(v):
    return re.sub(r'\\([\\"n])', lambda m: "\n" if m.group(1) == "n" else m.group(1), v)

def key(labels):
    return ",".join("%s=%s" % kv for kv in sorted(labels.items()))

families, types, helps, series = [], {}, {}, set()
strict = []
state, cur = "help", None
for n, line in enumerate(text.split("\n")[:-1], 1):
    where = "line %d: %r" % (n, line)
    m = help_re.match(line)
    if m:
        if state == "type":
            bad.append("%s: HELP without TYPE before" % where)
        if state == "first":
            bad.append("%s: family %s has no samples" % (where, cur))
        cur = m.group(1)
        if cur in helps:
            bad.append("%s: family %s again" % (where, cur))
        helps[cur] = m.group(2)
        families.append(cur)
        state = "type"
        continue
    m = type_re.match(line)
    if m:
        if state != "type" or m.group(1) != cur:
            bad.append("%s: TYPE not right after the HELP of its family" % where)
        types[m.group(1)] = m.group(2)
        state = "first"
        continue
    m = sample_re.match(line)
    if not m:
        bad.append("%s: not a HELP, TYPE or sample line" % where)
        continue
    name, lstr, value = m.group(1), m.group(2), m.group(3)
    if state == "help" or state == "type" or name != cur:
        bad.append("%s: sample outside its family (HELP and TYPE of %s first)" % (where, name))
    state = "samples"
    labels = {}
    for lm in label_re.finditer(lstr or ""):
        if lm.group(1) in labels:
            bad.append("%s: label %s twice" % (where, lm.group(1)))
        labels[lm.group(1)] = unescape(lm.group(2))
    s = (name, key(labels))
    if s in series:
        bad.append("%s: series twice" % where)
    series.add(s)
    strict.append((name, labels, float(value)))
if state in ("type", "first"):
    bad.append("family %s has no samples" % cur)
for f in families:
    if not f.startswith("swaptier_"):
        bad.append("%s: no swaptier_ prefix" % f)
    if (types.get(f) == "counter") != f.endswith("_total"):
        bad.append("%s: counters and only counters end in _total" % f)

# the library's parser: the same samples, every family typed and documented
from prometheus_client.parser import text_string_to_metric_families
lib = []
try:
    for fam in text_string_to_metric_families(text):
        if fam.type not in ("counter", "gauge") or not fam.documentation:
            bad.append("prometheus_client: family %s: type %s, help %r" %
                       (fam.name, fam.type, fam.documentation))
        for s in fam.samples:
            lib.append((s.name, dict(s.labels), s.value))
except Exception as e:
    bad.append("prometheus_client cannot parse it: %s: %s" % (type(e).__name__, e))
if sorted(map(repr, lib)) != sorted(map(repr, strict)):
    bad.append("prometheus_client parsed other samples: %r" % lib[:5])

if shutil.which("promtool"):
    p = subprocess.run(["promtool", "check", "metrics"], input=raw,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode:
        bad.append("promtool check metrics: %s" % p.stdout.decode(errors="replace"))

if bad:
    print("\n".join(bad))
    print("text: %r" % text[:3000])
    sys.exit(1)
if out:
    d = {"v": {}, "t": types, "l": {}}
    for name, labels, value in strict:
        d["v"].setdefault(name, {})[key(labels)] = value
        d["l"].setdefault(name, set()).update(labels)
    d["l"] = {k: sorted(v) for k, v in d["l"].items()}
    json.dump(d, open(out, "w"))
EOF
	return "${PIPESTATUS[0]}"
}

# man_metrics JSON: the METRICS section of swapctl.8 as
# {NAME: {"type": TYPE, "labels": [LABEL...]}}; each metric is a .TP
# whose tag is NAME[{LABEL, ...}] (TYPE[, UNIT])
man_metrics() {
	"$PYTHON" - "$MAN" "$1" <<'EOF' | sed 's/^/# /'
import json, re, sys
lines = open(sys.argv[1]).read().split("\n")
try:
    start = lines.index(".SH METRICS")
except ValueError:
    print("no METRICS section in %s" % sys.argv[1])
    sys.exit(1)
end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(".SH "))
tag = re.compile(r"(swaptier_\w+)(?:\{([^}]*)\})? \((gauge|counter)(?:, [^)]+)?\)\Z")
d, bad = {}, []
sec = lines[start:end]
for i, l in enumerate(sec):
    plain = re.sub(r"\\f[BIRP]", "", l).replace("\\-", "-").replace("\\ ", " ")
    if i == 0 or sec[i - 1] not in (".TP", ".TQ") or not plain.startswith("swaptier_"):
        continue
    m = tag.match(plain)
    if not m:
        bad.append("malformed entry: %r" % l)
        continue
    if m.group(1) in d:
        bad.append("%s documented twice" % m.group(1))
    labels = [x.strip() for x in m.group(2).split(",")] if m.group(2) else []
    d[m.group(1)] = {"type": m.group(3), "labels": sorted(labels)}
if bad or not d:
    print("\n".join(bad) or "no metrics in the METRICS section")
    sys.exit(1)
json.dump(d, open(sys.argv[2], "w"))
EOF
	return "${PIPESTATUS[0]}"
}

# metrics_ok: run metrics (the test build; SWAPCTL_SYSROOT as set), exit
# 0 and nothing on stderr; m.prom the output, m.json its samples
metrics_ok() {
	run metrics
	expect_rc 0 || return 1
	[ -z "$ERR" ] || { show_run; fail "stderr"; return 1; }
	printf '%s\n' "$OUT" >m.prom
	prom_check m.prom m.json
}

# full_fixture: fake_tiers (zswap, the ghost whose name has a newline, tab
# and backslash, ssd, hdd, tier7, debugfs pointers) and
# policy_show_fixture (global, two cgroups, a removed cgroup, a detached
# pin), under $PWD/root.  policy_env copies the test policy object as
# the kernel's BTF, which metrics does not read: an empty one will do.
full_fixture() {
	mkdir -p "$TMP/objs"
	[ -e "$TMP/objs/tp.bpf.o" ] || : >"$TMP/objs/tp.bpf.o"
	fake_tiers "$PWD/root"
	policy_show_fixture
}

# ------------------------------------------------------------- the tests

t_metrics_host() {
	local n r
	n=$(($(wc -l </proc/swaps) - 1))
	for r in run run_prod; do
		"$r" metrics
		expect_rc 0 || return 1
		[ -z "$ERR" ] || { show_run; fail "$r: stderr"; return 1; }
		printf '%s\n' "$OUT" >m.prom
		prom_check m.prom m.json || { fail "$r"; return 1; }
		json_check m.json "len(d['v'].get('swaptier_swap_info', {})) == $n" \
			"d['v']['swaptier_swapctl_build_info'] and all(v == 1 for v in d['v']['swaptier_swapctl_build_info'].values())" ||
			{ fail "$r"; return 1; }
	done
	diag "host: $n swap areas, $(grep -c '^# TYPE' m.prom) metric families"
	# a stock kernel: no tier or policy metrics, no error either
	if [ ! -e /sys/kernel/mm/swap_tier ]; then
		json_check m.json "not [n for n in d['v'] if n.startswith(('swaptier_tier_', 'swaptier_policy_', 'swaptier_backend_', 'swaptier_demote_'))]" ||
			return 1
	fi
}

t_metrics_values() {
	full_fixture
	metrics_ok || return 1
	json_check m.json \
		"d['v']['swaptier_swap_info'] == {'device=/srv/my ghost\ttab\nnl\\\\bs,kind=ghost,role=front-end,type=ghost': 1, 'device=/var/swapfile,kind=disk,role=back-end,tier=ssd,type=file': 1, 'device=/dev/vdb,kind=disk,role=back-end,tier=hdd,type=partition': 1, 'device=/srv/hdd two\\\\x,kind=disk,role=back-end,tier=hdd,type=partition': 1}" \
		"d['v']['swaptier_swap_size_bytes'] == {'device=/srv/my ghost\ttab\nnl\\\\bs': 8 << 30, 'device=/var/swapfile': 1 << 30, 'device=/dev/vdb': 999 * 1024, 'device=/srv/hdd two\\\\x': 2 << 30}" \
		"d['v']['swaptier_swap_used_bytes'] == {'device=/srv/my ghost\ttab\nnl\\\\bs': 0, 'device=/var/swapfile': 2 << 20, 'device=/dev/vdb': 1024, 'device=/srv/hdd two\\\\x': 8 << 20}" \
		"d['v']['swaptier_swap_priority'] == {'device=/srv/my ghost\ttab\nnl\\\\bs': -2, 'device=/var/swapfile': 5, 'device=/dev/vdb': -3, 'device=/srv/hdd two\\\\x': -4}" \
		"d['v']['swaptier_zswap_enabled'] == {'': 1}" \
		"d['v']['swaptier_zswap_compressor_info'] == {'compressor=zstd': 1}" \
		"d['v']['swaptier_zswap_pool_bytes'] == {'': 512 * 1024}" \
		"d['v']['swaptier_zswap_stored_bytes'] == {'': 2048 * 1024}" \
		"d['v']['swaptier_zswap_stored_pages'] == {'': 4321}" \
		"d['v']['swaptier_zswap_written_pages_total'] == {'': 14}" \
		"d['v']['swaptier_zswap_read_pages_total'] == {'': 13}" \
		"d['v']['swaptier_zswap_writeback_pages_total'] == {'': 15}" \
		"d['v']['swaptier_swap_out_pages_total'] == {'': 12}" \
		"d['v']['swaptier_swap_in_pages_total'] == {'': 11}" \
		"d['v']['swaptier_ghost_rejected_pages_total'] == {'': 16}" \
		"d['v']['swaptier_tier_index'] == {'tier=zswap': 0, 'tier=ssd': 1, 'tier=hdd': 2, 'tier=tier7': 7}" \
		"d['v']['swaptier_tier_devices'] == {'tier=zswap': 0, 'tier=ssd': 1, 'tier=hdd': 3}" \
		"d['v']['swaptier_tier_capacity_bytes'] == {'tier=ssd': 262144 * $PAGE, 'tier=hdd': 786432 * $PAGE}" \
		"d['v']['swaptier_tier_used_bytes'] == {'tier=zswap': 2048 * 1024 // $PAGE * $PAGE, 'tier=ssd': 512 * $PAGE, 'tier=hdd': 2048 * $PAGE}" \
		"d['v']['swaptier_tier_written_pages_total'] == {'tier=zswap': 14, 'tier=ssd': 100, 'tier=hdd': 300}" \
		"d['v']['swaptier_tier_read_pages_total'] == {'tier=zswap': 13, 'tier=ssd': 50, 'tier=hdd': 200}" \
		"d['v']['swaptier_tier_write_errors_total'] == {'tier=ssd': 0, 'tier=hdd': 3}" \
		"d['v']['swaptier_tier_read_errors_total'] == {'tier=ssd': 1, 'tier=hdd': 4}" \
		"d['v']['swaptier_tier_demoted_pages_total'] == {'tier=ssd': 40, 'tier=hdd': 0}" \
		"d['v']['swaptier_tier_drained_pages_total'] == {'tier=ssd': 5, 'tier=hdd': 12}" \
		"d['v']['swaptier_tier_high_watermark_ratio'] == {'tier=ssd': 0.9, 'tier=hdd': 0}" \
		"d['v']['swaptier_tier_low_watermark_ratio'] == {'tier=ssd': 0.75, 'tier=hdd': 0.5}" \
		"d['v']['swaptier_tier_device_info'] == {'device=/var/swapfile,tier=ssd': 1, 'device=/dev/vdb,tier=hdd': 1, 'device=/srv/hdd two\\\\x,tier=hdd': 1, 'device=/gone away,tier=hdd': 1}" \
		"d['v']['swaptier_demote_interval_seconds'] == {'': 1}" \
		"d['v']['swaptier_backend_pointer_records'] == {'': 3}" \
		"d['v']['swaptier_backend_pointer_bytes'] == {'': 6216}" \
		"d['v']['swaptier_policy_info'] == {'cgroup_id=0,pin=$PINS/global,policy=latency,target=global': 1, 'cgroup_id=$CG_AB,cgroup_path=/sys/fs/cgroup/a/b,pin=$PINS/cgroup-$CG_AB,policy=batch,target=cgroup': 1, 'cgroup_id=$CG_SP,cgroup_path=/sys/fs/cgroup/sp ace,policy=compress_aware,target=cgroup': 1, 'cgroup_id=999999999,policy=ssd_wear,target=cgroup': 1, 'cgroup_id=424242,pin=$PINS/cgroup-424242,target=cgroup': 1}" \
		"d['v']['swaptier_policy_detached'] == {'cgroup_id=0': 0, 'cgroup_id=$CG_AB': 0, 'cgroup_id=$CG_SP': 0, 'cgroup_id=999999999': 0, 'cgroup_id=424242': 1}" \
		"d['v']['swaptier_policy_calls_total'] == {'cgroup_id=%s,hook=%s,policy=%s' % (c, h, p): v for c, p in ((0, 'latency'), ($CG_AB, 'batch'), ($CG_SP, 'compress_aware'), (999999999, 'ssd_wear')) for h, v in (('place', 10), ('writeback', 20), ('tick', 30), ('swapin', 40))}" \
		"d['v']['swaptier_policy_errors_total'] == {'cgroup_id=0,policy=latency': 3, 'cgroup_id=$CG_AB,policy=batch': 3, 'cgroup_id=$CG_SP,policy=compress_aware': 3, 'cgroup_id=999999999,policy=ssd_wear': 3}" \
		"d['v']['swaptier_policy_last_error'] == {'cgroup_id=$CG_AB,hook=place,policy=batch': 77, 'cgroup_id=$CG_SP,hook=writeback,policy=compress_aware': -3}" \
		"d['t']['swaptier_tier_used_bytes'] == 'gauge' and d['t']['swaptier_policy_calls_total'] == 'counter'" \
		|| return 1
	# the order: families as documented, device samples as /proc/swaps,
	# tiers by index, policies global first then by cgroup id
	grep -m1 '^swaptier_tier_index' -A3 m.prom | cut -d' ' -f1 >order.txt
	printf '%s\n' 'swaptier_tier_index{tier="zswap"}' 'swaptier_tier_index{tier="ssd"}' \
		'swaptier_tier_index{tier="hdd"}' 'swaptier_tier_index{tier="tier7"}' | cmp -s - order.txt ||
		{ fail "tier order: $(cat order.txt)"; return 1; }
	[ "$(grep -m1 '^swaptier_policy_detached' m.prom)" = 'swaptier_policy_detached{cgroup_id="0"} 0' ] ||
		{ fail "policy order"; return 1; }
	# the same figures as status -j, tier list -j --all and policy show -j
	run -j status
	printf '%s\n' "$OUT" >s.json
	run -j tier list --all
	printf '%s\n' "$OUT" >t.json
	run -j policy show
	printf '%s\n' "$OUT" >p.json
	"$PYTHON" - m.json s.json t.json p.json <<'EOF' | sed 's/^/# /'
import json, sys
m, s, t, p = (json.load(open(f)) for f in sys.argv[1:])
v = m["v"]
def get(name, key=""):
    return v.get(name, {}).get(key)
bad = []
def same(what, got, want):
    if got != want:
        bad.append("%s: metrics %r, JSON %r" % (what, got, want))
for a in s["swaps"]:
    k = "device=" + a["name"]
    same(a["name"] + " size", get("swaptier_swap_size_bytes", k), a["size_bytes"])
    same(a["name"] + " used", get("swaptier_swap_used_bytes", k), a["used_bytes"])
    same(a["name"] + " prio", get("swaptier_swap_priority", k), a["priority"])
for c, n in (("zswpout", "zswap_written_pages_total"), ("zswpin", "zswap_read_pages_total"),
             ("zswpwb", "zswap_writeback_pages_total"), ("pswpout", "swap_out_pages_total"),
             ("pswpin", "swap_in_pages_total"), ("ghost_rejects", "ghost_rejected_pages_total")):
    same(c, get("swaptier_" + n), s["counters"][c])
for f in ("pool_bytes", "stored_bytes", "stored_pages"):
    same(f, get("swaptier_zswap_" + f), s["zswap"][f])
for x in t["tiers"]:
    k = "tier=" + x["name"]
    same(k + " index", get("swaptier_tier_index", k), x["index"])
    for f, n in (("nr_devices", "devices"), ("capacity_bytes", "capacity_bytes"),
                 ("used_bytes", "used_bytes"), ("written_pages", "written_pages_total"),
                 ("read_pages", "read_pages_total"), ("write_errors", "write_errors_total"),
                 ("read_errors", "read_errors_total"), ("demoted_pages", "demoted_pages_total"),
                 ("drained_pages", "drained_pages_total")):
        same(k + " " + f, get("swaptier_tier_" + n, k), x[f])
    for f in ("high", "low"):
        pct = x[f + "_watermark_pct"]
        same(k + " " + f, get("swaptier_tier_%s_watermark_ratio" % f, k), None if pct is None else pct / 100)
same("pointers", (get("swaptier_backend_pointer_records"), get("swaptier_backend_pointer_bytes")),
     (t["pointers"]["records"], t["pointers"]["bytes"]))
same("interval", get("swaptier_demote_interval_seconds"), t["demote_interval_ms"] / 1000)
for x in p:
    k = "cgroup_id=%d,policy=%s" % (x["cgroup_id"], x["name"])
    same(k + " detached", get("swaptier_policy_detached", "cgroup_id=%d" % x["cgroup_id"]), int(x["detached"]))
    if x["detached"]:
        continue
    same(k + " errors", get("swaptier_policy_errors_total", k), x["errors"])
    for h, n in x["calls"].items():
        same(k + " " + h, get("swaptier_policy_calls_total", "cgroup_id=%d,hook=%s,policy=%s" % (x["cgroup_id"], h, x["name"])), n)
if bad:
    print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
	[ "${PIPESTATUS[0]}" -eq 0 ] || { fail "metrics and the JSON of status, tier list, policy show differ"; return 1; }
	# zswap off, watermarks changed, an interval of 500 ms
	echo N >"$SWAPCTL_SYSROOT/sys/module/zswap/parameters/enabled"
	echo 7 >"$SWAPCTL_SYSROOT/sys/kernel/mm/swap_tier/ssd/high_watermark_pct"
	echo 5 >"$SWAPCTL_SYSROOT/sys/kernel/mm/swap_tier/ssd/low_watermark_pct"
	echo 500 >"$SWAPCTL_SYSROOT/sys/kernel/mm/swap_tier/demote_interval_ms"
	metrics_ok || return 1
	json_check m.json "d['v']['swaptier_zswap_enabled'] == {'': 0}" \
		"d['v']['swaptier_tier_high_watermark_ratio']['tier=ssd'] == 0.07" \
		"d['v']['swaptier_tier_low_watermark_ratio']['tier=ssd'] == 0.05" \
		"d['v']['swaptier_demote_interval_seconds'] == {'': 0.5}" || return 1
	grep -qx 'swaptier_tier_high_watermark_ratio{tier="ssd"} 0.07' m.prom || { fail "0.07 as text"; return 1; }
	grep -qx 'swaptier_demote_interval_seconds 0.5' m.prom || fail "0.5 as text"
}

# every metric of the output is in swapctl.8 with its type and labels, and
# every metric documented there is in the output of the full fixture,
# with all its labels
t_metrics_man_page() {
	full_fixture
	metrics_ok || return 1
	man_metrics man.json || return 1
	"$PYTHON" - m.json man.json <<'EOF' | sed 's/^/# /'
import json, sys
out, man = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
bad = []
for name, typ in out["t"].items():
    if name not in man:
        bad.append("%s: not in the METRICS section of swapctl.8" % name)
    elif man[name]["type"] != typ:
        bad.append("%s: a %s, documented as a %s" % (name, typ, man[name]["type"]))
    elif sorted(out["l"].get(name, [])) != man[name]["labels"]:
        bad.append("%s: labels %s, documented %s" % (name, sorted(out["l"].get(name, [])), man[name]["labels"]))
for name in man:
    if name not in out["t"]:
        bad.append("%s: documented, not in the output" % name)
if bad:
    print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
	[ "${PIPESTATUS[0]}" -eq 0 ] || return 1
	diag "$(grep -c '^# TYPE' m.prom) metric families, all documented"
}

# the checker rejects what the textfile collector would
t_metrics_checker_can_fail() {
	local good='# HELP swaptier_a_bytes A.
# TYPE swaptier_a_bytes gauge
swaptier_a_bytes{device="x\"y"} 1
' bad
	printf '%s' "$good" >good.prom
	prom_check good.prom || { fail "good input rejected"; return 1; }
	while IFS= read -r bad; do
		printf '%b' "$bad" >bad.prom
		if prom_check bad.prom >/dev/null; then
			fail "accepted: $bad"
			return 1
		fi
	done <<'EOF'
swaptier_a_bytes 1\n
# TYPE swaptier_a_bytes gauge\nswaptier_a_bytes 1\n
# HELP swaptier_a_bytes A.\nswaptier_a_bytes 1\n
# HELP swaptier_a_bytes A.\n# TYPE swaptier_a_bytes gauge\nswaptier_a_bytes 1
# HELP swaptier_a_bytes A.\n# TYPE swaptier_a_bytes gauge\nswaptier_a_bytes{device="a"b"} 1\n
# HELP swaptier_a_bytes A.\n# TYPE swaptier_a_bytes gauge\nswaptier_a_bytes{device="a\\qb"} 1\n
# HELP swaptier_a_bytes A.\n# TYPE swaptier_a_bytes gauge\nswaptier_a_bytes{device="\xff"} 1\n
# HELP swaptier_a_bytes A.\n# TYPE swaptier_a_bytes gauge\nswaptier_a_bytes 1\nswaptier_a_bytes 2\n
# HELP swaptier_a_bytes A.\n# TYPE swaptier_a_bytes gauge\nswaptier_a_bytes 1\n# HELP swaptier_b_bytes B.\n# TYPE swaptier_b_bytes gauge\nswaptier_b_bytes 1\nswaptier_a_bytes{x="1"} 2\n
# HELP swaptier_a_bytes A.\n# TYPE swaptier_a_bytes gauge\nswaptier_a_bytes 1\n# HELP swaptier_a_bytes A.\n# TYPE swaptier_a_bytes gauge\nswaptier_a_bytes{x="1"} 1\n
# HELP swaptier_a A.\n# TYPE swaptier_a counter\nswaptier_a 1\n
# HELP a_bytes A.\n# TYPE a_bytes gauge\na_bytes 1\n
# HELP swaptier_a_bytes A.\n# TYPE swaptier_a_bytes gauge\n
EOF
}

# label values: backslash, double quote and newline escaped, tab as it
# is, a byte that is not UTF-8 as U+FFFD (as in the JSON)
t_metrics_label_escaping() {
	local r=$PWD/root
	fake_tiers "$r"
	printf '%s\t\t%s\t\t%s\t\t%s\t\t%s\n' \
		'/srv/q"uo\134te\012x\011y\377z' file 64 4 -7 >>"$r/proc/swaps"
	printf '/srv/q"uo\\134te\\012x\\011y\\377z\n' >>"$r/sys/kernel/mm/swap_tier/hdd/devices"
	SWAPCTL_SYSROOT=$r metrics_ok || return 1
	grep -qxF 'swaptier_swap_size_bytes{device="/srv/q\"uo\\te\nx	y'$'\xef\xbf\xbd''z"} 65536' m.prom ||
		{ fail "escaped sample line not found"; grep '^swaptier_swap_size_bytes' m.prom | sed 's/^/# /'; return 1; }
	grep -qxF 'swaptier_swap_size_bytes{device="/srv/my ghost	tab\nnl\\bs"} 8589934592' m.prom ||
		{ fail "ghost sample line not found"; return 1; }
	json_check m.json \
		"d['v']['swaptier_swap_priority']['device=/srv/q\"uo\\\\te\nx\ty\ufffdz'] == -7" \
		"d['v']['swaptier_swap_info']['device=/srv/q\"uo\\\\te\nx\ty\ufffdz,kind=disk,role=back-end,tier=hdd,type=file'] == 1" \
		"d['v']['swaptier_tier_device_info']['device=/srv/q\"uo\\\\te\nx\ty\ufffdz,tier=hdd'] == 1" || return 1
	# the same in status -j
	SWAPCTL_SYSROOT=$r run -j status
	printf '%s\n' "$OUT" >s.json
	json_check s.json "d['swaps'][-1]['name'] == '/srv/q\"uo\\\\te\nx\ty\ufffdz'"
}

# sources the kernel lacks: their metrics are left out, nothing fails
t_metrics_optional_missing() {
	local r=$PWD/root
	fake_root "$r" minimal
	SWAPCTL_SYSROOT=$r metrics_ok || return 1
	json_check m.json "sorted(d['t']) == ['swaptier_swapctl_build_info']" || return 1
	# a stock kernel: status figures only
	fake_root "$r"
	SWAPCTL_SYSROOT=$r metrics_ok || return 1
	json_check m.json "not [n for n in d['t'] if n.startswith(('swaptier_tier_', 'swaptier_policy_', 'swaptier_backend_', 'swaptier_demote_'))]" \
		"d['v']['swaptier_swap_info']['device=/var/swapfile,kind=disk,role=swap,type=file'] == 1" \
		"d['v']['swaptier_zswap_stored_pages'] == {'': 4321}" || return 1
	# swap tiers without debugfs, demotion files, policies or tier figures
	fake_tiers "$r"
	rm -r "$r/sys/kernel/debug" "$r/sys/kernel/mm/swap_tier/demote_interval_ms"
	rm "$r"/sys/kernel/mm/swap_tier/*/{demoted,drained}_pages \
		"$r"/sys/kernel/mm/swap_tier/*/*_watermark_pct "$r/sys/kernel/mm/swap_tier/hdd/read_errors"
	sed -i '/^Zswapped:/d' "$r/proc/meminfo"
	SWAPCTL_SYSROOT=$r metrics_ok || return 1
	json_check m.json \
		"not [n for n in d['t'] if n.startswith(('swaptier_policy_', 'swaptier_backend_', 'swaptier_demote_', 'swaptier_zswap_stored'))]" \
		"not [n for n in d['t'] if 'watermark' in n or 'demoted' in n or 'drained' in n]" \
		"d['v']['swaptier_tier_read_errors_total'] == {'tier=ssd': 1}" \
		"d['v']['swaptier_tier_used_bytes'] == {'tier=ssd': 512 * $PAGE, 'tier=hdd': 2048 * $PAGE}" \
		"d['v']['swaptier_tier_index'] == {'tier=zswap': 0, 'tier=ssd': 1, 'tier=hdd': 2, 'tier=tier7': 7}" || return 1
	# policies: an empty policies directory, and no pins
	full_fixture
	rm -r "${POLICIES:?}"/* "$PINS"
	metrics_ok || return 1
	json_check m.json "not [n for n in d['t'] if n.startswith('swaptier_policy_')]" \
		"d['v']['swaptier_tier_index']['tier=hdd'] == 2"
}

# a malformed source: the documented status 8, an error naming the file,
# nothing printed or written; -j: the error as JSON
t_metrics_bad_source() {
	local r=$PWD/root t=$PWD/root/sys/kernel/mm/swap_tier spec file val
	for spec in "sys/kernel/mm/swap_tier/ssd/used_pages|12x" \
		    "sys/kernel/mm/swap_tier/hdd/high_watermark_pct|-1" \
		    "sys/kernel/mm/swap_tier/demote_interval_ms|1.5" \
		    "sys/kernel/debug/swap_tier/pointer_records|many" \
		    "sys/kernel/mm/swap_tier/ssd/index|9" \
		    "sys/module/zswap/parameters/enabled|maybe" \
		    "sys/kernel/debug/zswap/stored_pages|" \
		    "proc/meminfo|Zswap: lots kB" \
		    "proc/vmstat|pswpin 1x" \
		    "proc/swaps|garbage" \
		    "sys/kernel/mm/swap_tier/policies/global/place_calls|ten" \
		    "sys/kernel/mm/swap_tier/policies/global/last_error|x"; do
		file=${spec%%|*}
		val=${spec#*|}
		full_fixture
		printf '%s\n' "$val" >"$r/$file"
		run metrics
		expect_error 8 "$r/$file" || { fail "$file '$val'"; return 1; }
		run metrics -j
		expect_error 8 "$r/$file" || { fail "-j, $file '$val'"; return 1; }
		printf 'old\n' >out.prom
		run metrics -o out.prom
		expect_error 8 "$r/$file" || { fail "-o, $file '$val'"; return 1; }
		[ "$(cat out.prom)" = old ] || { fail "-o, $file: out.prom changed"; return 1; }
		[ ! -e out.prom.tmp ] || { fail "-o, $file: out.prom.tmp left"; return 1; }
	done
	# the text form names the file and the reason
	full_fixture
	echo 12x >"$t/ssd/used_pages"
	run metrics
	[ "$ERR" = "swapctl: $t/ssd/used_pages: unexpected value" ] || { show_run; fail "message"; return 1; }
	run metrics -j
	[ "$ERR_JSON" = "{\"error\":\"$t/ssd/used_pages: unexpected value\"}" ] || { show_run; fail "JSON message: $ERR_JSON"; return 1; }
	# no /proc/swaps: it cannot be read (4), as for status
	full_fixture
	rm "$r/proc/swaps"
	run metrics
	expect_error 4 "$r/proc/swaps"
}

# -o FILE: FILE.tmp in the same directory, synced, renamed over FILE
t_metrics_output() {
	local r=$PWD/root ino
	full_fixture
	metrics_ok || return 1
	mkdir out
	run metrics -o out/swaptier.prom
	expect_rc 0 || return 1
	[ -z "$OUT$ERR" ] || { show_run; fail "output on stdout or stderr"; return 1; }
	cmp -s m.prom out/swaptier.prom || { fail "file differs from stdout"; return 1; }
	prom_check out/swaptier.prom || return 1
	[ "$(ls -A out)" = swaptier.prom ] || { fail "left in out/: $(ls -A out)"; return 1; }
	[ "$(file_mode out/swaptier.prom)" = "$(printf '%o' $((0666 & ~$(umask))))" ] ||
		{ fail "mode $(file_mode out/swaptier.prom)"; return 1; }
	# replaced, not rewritten: another inode each time, the old one
	# intact for a reader that has it open
	ino=$(stat -c %i out/swaptier.prom)
	exec 3<out/swaptier.prom
	echo 999 >"$r/sys/kernel/mm/swap_tier/ssd/read_pages"
	run metrics --output out/swaptier.prom
	expect_rc 0 || { exec 3<&-; return 1; }
	cmp -s m.prom /dev/fd/3 || { exec 3<&-; fail "the old file changed under its reader"; return 1; }
	exec 3<&-
	[ "$(stat -c %i out/swaptier.prom)" != "$ino" ] || { fail "same inode: not renamed"; return 1; }
	grep -qx 'swaptier_tier_read_pages_total{tier="ssd"} 999' out/swaptier.prom || { fail "new value"; return 1; }
	# a stale FILE.tmp of a run that was killed: replaced, then gone
	printf 'half a fi' >out/swaptier.prom.tmp
	run metrics --output=out/swaptier.prom
	expect_rc 0 || return 1
	[ "$(ls -A out)" = swaptier.prom ] || { fail "left in out/: $(ls -A out)"; return 1; }
	prom_check out/swaptier.prom || return 1
	# FILE.tmp a symbolic link: not followed
	ln -s ../victim out/swaptier.prom.tmp
	echo victim >victim
	run metrics -o out/swaptier.prom
	expect_error 4 out/swaptier.prom.tmp || return 1
	[ "$(cat victim)" = victim ] || { fail "followed the link"; return 1; }
	rm out/swaptier.prom.tmp
	# cannot be written: status 4 naming the file; FILE as it was
	run metrics -o nodir/x.prom
	expect_error 4 nodir/x.prom.tmp || return 1
	expect_err_contains "No such file or directory" || return 1
	mkdir isdir
	run metrics -o isdir
	expect_error 4 isdir || return 1
	if [ ! -d isdir ] || [ -e isdir.tmp ]; then
		fail "isdir: $(ls -d isdir*)"
		return 1
	fi
	run -j metrics -o nodir/x.prom
	expect_error 4 nodir/x.prom.tmp || return 1
	# the system calls, in order (where strace is installed)
	if command -v strace >/dev/null; then
		strace -f -o trace.txt -e trace=openat,write,pwrite64,fsync,rename,renameat,renameat2 \
			"$SWAPCTL" metrics -o out/swaptier.prom >/dev/null 2>&1 ||
			{ fail "metrics under strace"; return 1; }
		"$PYTHON" - trace.txt <<'EOF' | sed 's/^/# /'
import re, sys
t = open(sys.argv[1]).read()
steps = [r'openat\(.*"out/swaptier\.prom\.tmp", O_WRONLY\|O_CREAT[^)]*\) = (\d+)',
         r'p?write\w*\(%s, "# HELP ', r'fsync\(%s\)', r'rename\w*\(.*"out/swaptier\.prom\.tmp".*"out/swaptier\.prom"']
pos, fd = 0, None
for s in steps:
    m = re.compile(s.replace("%s", fd or "")).search(t, pos)
    if not m:
        print("not found after offset %d: %s" % (pos, s))
        print(t[-3000:])
        sys.exit(1)
    fd = fd or m.group(1)
    pos = m.end()
EOF
		[ "${PIPESTATUS[0]}" -eq 0 ] || return 1
	else
		diag "no strace: the order of open, write, fsync and rename not checked"
	fi
}

# many writers and a reader: the reader only ever sees whole files
t_metrics_output_concurrent() {
	local i pids=() bad=0
	full_fixture
	mkdir out
	run metrics -o out/s.prom
	expect_rc 0 || return 1
	cp out/s.prom want.prom
	for i in 1 2 3; do
		(for _ in $(seq 30); do "$SWAPCTL" metrics -o out/s.prom || exit 1; done) &
		pids+=($!)
	done
	for i in $(seq 300); do
		cmp -s want.prom out/s.prom || { bad=1; cp out/s.prom seen.prom; break; }
	done
	for i in "${pids[@]}"; do
		wait "$i" || { fail "a writer failed"; bad=1; }
	done
	[ "$bad" -eq 0 ] || { fail "a reader saw another file"; diff want.prom seen.prom | head | sed 's/^/# /'; return 1; }
	[ "$(ls -A out)" = s.prom ] || { fail "left in out/: $(ls -A out)"; return 1; }
	cmp -s want.prom out/s.prom || fail "final file"
}

# -j: errors as JSON (run() checks every stderr line), the metrics as text
t_metrics_json() {
	full_fixture
	run -j metrics
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >j.prom
	prom_check j.prom || return 1
	run metrics
	[ "$OUT" = "$(cat j.prom)" ] || { fail "-j changed the output"; return 1; }
	run metrics -p
	expect_rc 0 || return 1
	[ "$OUT" = "$(cat j.prom)" ] || { fail "-p changed the output"; return 1; }
	run metrics -j --bogus
	expect_error 16 --bogus || return 1
	run metrics -j -o
	expect_error 16 --output || return 1
	run -j metrics extra
	expect_error 16 extra
}

t_metrics_args() {
	expect_usage "metrics [-o FILE]" \
		"metrics help" "metrics -h" "metrics --help" "metrics -o x -h" || return 1
	[ ! -e x ] || { fail "-h wrote x"; return 1; }
	run help
	expect_line -F "metrics [-o FILE]" "main help" || return 1
	run metrics extra
	expect_error 16 extra || return 1
	run metrics help extra
	expect_error 16 help || return 1
	run metrics --bogus
	expect_error 16 --bogus || return 1
	run metrics -o
	expect_error 16 --output || return 1
	run metrics --output=
	expect_error 16 --output || return 1
	[ "$(ls -A)" = "" ] || fail "files left: $(ls -A)"
}

# stdout full: exit 4; nothing half-written
t_metrics_stdout_error() {
	# shellcheck disable=SC2034 # read by lib.sh's runner
	[ -w /dev/full ] || { SKIP_REASON="no /dev/full"; return 77; }
	full_fixture
	OUT=$( (exec >/dev/full; "$SWAPCTL" metrics) 2>&1)
	RC=$?
	ERR=$OUT OUT=
	expect_error 4 stdout
}

# the production binary reads the real /proc and /sys whatever
# SWAPCTL_SYSROOT says
t_metrics_prod_ignores_sysroot() {
	full_fixture
	run_prod metrics
	expect_rc 0 || return 1
	printf '%s\n' "$OUT" >p.prom
	prom_check p.prom p.json || return 1
	(unset SWAPCTL_SYSROOT; run_prod metrics; printf '%s\n' "$OUT" >h.prom)
	prom_check h.prom h.json || return 1
	# the same families and swap areas as without it (counters may move)
	"$PYTHON" - p.json h.json <<'EOF' | sed 's/^/# /'
import json, sys
p, h = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ok = p["t"] == h["t"] and p["v"].get("swaptier_swap_info") == h["v"].get("swaptier_swap_info")
if not ok:
    print("with SWAPCTL_SYSROOT: %s" % sorted(p["t"]))
    print("without: %s" % sorted(h["t"]))
sys.exit(0 if ok else 1)
EOF
	[ "${PIPESTATUS[0]}" -eq 0 ] || { fail "SWAPCTL_SYSROOT changed the production metrics"; return 1; }
	# and the test build does honour it
	metrics_ok || return 1
	json_check m.json "d['v']['swaptier_backend_pointer_bytes'] == {'': 6216}"
}

t_metrics_valgrind() {
	need_valgrind || return 1
	local vg want env args
	vg=(valgrind -q --leak-check=full --show-leak-kinds=all
	    --errors-for-leak-kinds=all --error-exitcode=99)
	full_fixture
	mkdir -p out bad/proc
	printf 'Filename\n/x ghost 1 1 bad\n' >bad/proc/swaps
	cp -r "$SWAPCTL_SYSROOT" badtier
	echo 12x >badtier/sys/kernel/mm/swap_tier/hdd/used_pages
	cp -r "$SWAPCTL_SYSROOT" badpol
	echo ten >badpol/sys/kernel/mm/swap_tier/policies/global/errors
	# env: host (no sysroot), root (the full fixture), or a directory
	while read -r want env args; do
		# shellcheck disable=SC2086 # ARGS split into words
		case $env in
		host) env -u SWAPCTL_SYSROOT "${vg[@]}" "$SWAPCTL" $args >/dev/null 2>vg.err ;;
		root) "${vg[@]}" "$SWAPCTL" $args >/dev/null 2>vg.err ;;
		*) SWAPCTL_SYSROOT=$PWD/$env "${vg[@]}" "$SWAPCTL" $args >/dev/null 2>vg.err ;;
		esac
		vg_check "$want" "$args ($env)" || return 1
	done <<EOF
0 host metrics
0 host -j metrics
0 root metrics
0 root metrics -o out/s.prom
0 root metrics -o out/s.prom
0 root metrics help
8 bad metrics
8 badtier metrics -o out/s.prom
8 badpol -j metrics
4 root metrics -o nodir/s.prom
4 root metrics -o out
16 root metrics --bogus
16 root metrics extra
EOF
	[ "$(ls -A out)" = s.prom ] || fail "left in out/: $(ls -A out)"
}

# shellcheck disable=SC2034 # read by lib.sh's runner
TESTS=(
	"t_metrics_host|metrics on this host (production and test build): exit 0, valid, one swap_info per /proc/swaps line"
	"t_metrics_values|metrics of fake tiers, zswap, counters and policies: exact sample values, order"
	"t_metrics_man_page|every metric name, type and label set of the output is in swapctl.8 METRICS, and vice versa"
	"t_metrics_checker_can_fail|the format checker rejects missing HELP/TYPE, split families, bad escapes, non-UTF-8"
	"t_metrics_label_escaping|label values: backslash, quote, newline escaped; invalid UTF-8 as U+FFFD"
	"t_metrics_optional_missing|missing optional sources (tiers, debugfs, demotion, policies) leave their metrics out"
	"t_metrics_bad_source|a malformed /proc or /sys value exits 8 naming the file, prints and writes nothing (-j: JSON)"
	"t_metrics_output|-o FILE: written through FILE.tmp, synced, renamed; no .tmp left; write errors exit 4"
	"t_metrics_output_concurrent|-o with concurrent writers: readers only see whole files"
	"t_metrics_json|-j and -p: errors as JSON, metrics unchanged"
	"t_metrics_args|metrics help and argument errors (16)"
	"t_metrics_stdout_error|write error on stdout exits 4"
	"t_metrics_prod_ignores_sysroot|the production binary ignores SWAPCTL_SYSROOT"
	"t_metrics_valgrind|no leaks or memory errors on the metrics paths"
)

run_tests "$@"
