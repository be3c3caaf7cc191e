#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check a ghost swapfile against the kernel's union swap_header layout.

The layout is not hard-coded: it is read from the kernel's BTF with
`pahole -C swap_header VMLINUX`, so a swapctl that writes a field at the
wrong offset, with the wrong size or in the wrong byte order is caught.

  swap_header.py offsets VMLINUX
      print the parsed layout as JSON
  swap_header.py check VMLINUX FILE --last-page N --uuid UUID --label L
      check FILE field by field; exit 1 with a list of problems
  swap_header.py mutants VMLINUX FILE --last-page N --uuid UUID --label L
      corrupt a copy of the valid FILE in memory in many ways and make sure
      the checker rejects every corruption (the test can fail)

Diagnostics go to stdout, one per line.
"""
import argparse
import json
import os
import re
import stat
import struct
import subprocess
import sys

MEMBER_RE = re.compile(
    r'^\s*(?P<type>[^/{}]+?)\s+(?P<name>\w+)(?P<dims>(\[\d+\])*)\s*;'
    r'\s*/\*\s*(?P<off>\d+)\s+(?P<size>\d+)\s*\*/')
CLOSE_RE = re.compile(
    r'^\s*\}\s*(?P<name>\w+)\s*;\s*/\*\s*(?P<off>\d+)\s+(?P<size>\d+)\s*\*/')
OPEN_RE = re.compile(r'^\s*(struct|union)\s*(\w+\s*)?\{\s*$')

REQUIRED = ['info.bootbits', 'info.version', 'info.last_page',
            'info.nr_badpages', 'info.sws_uuid', 'info.sws_volume',
            'info.padding', 'magic.magic']

# The ghost marker (SWAP_GHOST_MAGIC in linux/swap_tier.h, documented in
# swapctl(8)): the first bytes of info.padding.
GHOST_MAGIC = b'SWAPTIER-GHOST01'


class LayoutError(Exception):
    pass


def parse_pahole(text):
    """Return {"info.version": (offset, size), ...} from pahole output."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith('union swap_header'):
        raise LayoutError('pahole output does not start with '
                          "'union swap_header': %r" % (lines[:1],))
    # stack of lists of (name, offset, size) for open nested aggregates
    stack = [[]]
    for line in lines[1:]:
        if '/*' in line and line.strip().startswith('/*'):
            continue                    # cacheline and summary comments
        if OPEN_RE.match(line):
            stack.append([])
            continue
        m = CLOSE_RE.match(line)
        if m:
            if len(stack) < 2:
                raise LayoutError('unbalanced braces in pahole output')
            inner = stack.pop()
            base = int(m.group('off'))
            for name, off, size in inner:
                stack[-1].append((m.group('name') + '.' + name,
                                  base + off, size))
            continue
        m = MEMBER_RE.match(line)
        if m:
            stack[-1].append((m.group('name'), int(m.group('off')),
                              int(m.group('size'))))
    if len(stack) != 1:
        raise LayoutError('unbalanced braces in pahole output')
    layout = {name: (off, size) for name, off, size in stack[0]}
    missing = [f for f in REQUIRED if f not in layout]
    if missing:
        raise LayoutError('fields missing from pahole output: %s'
                          % ', '.join(missing))
    return layout


def load_layout(vmlinux):
    if not os.path.exists(vmlinux):
        raise LayoutError('vmlinux not found: %s' % vmlinux)
    try:
        out = subprocess.run(['pahole', '-C', 'swap_header', vmlinux],
                             capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise LayoutError('pahole is not installed')
    if out.returncode != 0 or not out.stdout.strip():
        raise LayoutError('pahole -C swap_header %s failed (rc %d): %s'
                          % (vmlinux, out.returncode, out.stderr.strip()))
    return parse_pahole(out.stdout)


def parse_uuid(s):
    h = s.replace('-', '')
    if len(h) != 32:
        raise ValueError('bad uuid %r' % s)
    return bytes.fromhex(h)


def expected_fields(layout, page_size, last_page, uuid, label):
    """(name, offset, expected bytes) for every field swapctl writes."""
    label_b = label.encode()
    fields = []

    def u32(name, value):
        off, size = layout[name]
        if size != 4:
            raise LayoutError('%s is %d bytes, expected 4' % (name, size))
        fields.append((name, off, struct.pack('=I', value)))

    def blob(name, data):
        off, size = layout[name]
        if len(data) > size:
            raise LayoutError('%s: %d bytes do not fit %d'
                              % (name, len(data), size))
        fields.append((name, off, data + b'\0' * (size - len(data))))

    blob('info.bootbits', b'')
    u32('info.version', 1)
    u32('info.last_page', last_page)
    u32('info.nr_badpages', 0)
    blob('info.sws_uuid', uuid)
    blob('info.sws_volume', label_b)
    off, size = layout['info.padding']
    if off != 1068 or size < len(GHOST_MAGIC):
        raise LayoutError('info.padding is at %d (%d bytes); the ghost marker '
                          'is documented at 1068' % (off, size))
    fields.append(('ghost marker', off, GHOST_MAGIC))
    off, size = layout['magic.magic']
    if off + size != page_size:
        raise LayoutError('magic.magic ends at %d, but the page size is %d '
                          '(vmlinux built for another page size?)'
                          % (off + size, page_size))
    blob('magic.magic', b'SWAPSPACE2')
    return fields


def check_bytes(data, fields, page_size):
    """Return a list of problems (empty if data is a correct header)."""
    problems = []
    if len(data) != page_size:
        problems.append('file size is %d, expected one page (%d)'
                        % (len(data), page_size))
    covered = bytearray(max(len(data), page_size))
    for name, off, want in fields:
        got = data[off:off + len(want)]
        if got != want:
            problems.append('%s at offset %d: got %s, expected %s'
                            % (name, off, got.hex(), want.hex()))
        for i in range(off, off + len(want)):
            covered[i] = 1
    # every byte no field accounts for (padding, badpages, reserved) is zero
    stray = [i for i, b in enumerate(data) if b and not covered[i]]
    if stray:
        problems.append('%d non-zero bytes outside the header fields, '
                        'first at offset %d' % (len(stray), stray[0]))
    return problems


def mutants(data, layout, page_size):
    """Yield (description, corrupted bytes) pairs."""
    def at(name):
        return layout[name][0]

    def patched(off, new):
        b = bytearray(data)
        b[off:off + len(new)] = new
        return bytes(b)

    lp = at('info.last_page')
    yield ('last_page byte-swapped',
           patched(lp, data[lp:lp + 4][::-1]))
    v = at('info.version')
    yield ('version written one byte late',
           patched(v, b'\0' + data[v:v + 3]))
    yield ('version in the other byte order',
           patched(v, data[v:v + 4][::-1]))
    u = at('info.sws_uuid')
    yield ('uuid shifted by one byte', patched(u, b'\0' + data[u:u + 15]))
    yield ('uuid reversed', patched(u, data[u:u + 16][::-1]))
    lab = at('info.sws_volume')
    yield ('label not NUL-padded', patched(lab + 15, b'X'))
    yield ('label shifted by one byte',
           patched(lab, b'\0' + data[lab:lab + 15]))
    yield ('nr_badpages = 1',
           patched(at('info.nr_badpages'), struct.pack('=I', 1)))
    m = at('magic.magic')
    yield ('magic one byte early',
           patched(m - 1, b'SWAPSPACE2\0'))
    yield ('old SWAP-SPACE magic', patched(m, b'SWAP-SPACE'))
    yield ('non-zero byte in bootbits', patched(17, b'\x01'))
    pad = at('info.padding')
    yield ('no ghost marker', patched(pad, b'\0' * len(GHOST_MAGIC)))
    yield ('ghost marker one byte late',
           patched(pad, b'\0' + GHOST_MAGIC))
    yield ('ghost marker of another version',
           patched(pad, GHOST_MAGIC[:-1] + b'2'))
    yield ('non-zero byte in padding after the marker',
           patched(pad + len(GHOST_MAGIC) + 4, b'\x01'))
    yield ('non-zero byte in reserved area', patched(2048, b'\x01'))
    yield ('one byte too long', data + b'\0')
    yield ('one byte too short', data[:-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('mode', choices=['offsets', 'check', 'mutants'])
    ap.add_argument('vmlinux')
    ap.add_argument('file', nargs='?')
    ap.add_argument('--last-page', type=lambda s: int(s, 0))
    ap.add_argument('--uuid')
    ap.add_argument('--label', default='')
    ap.add_argument('--mode-bits', default='0600')
    args = ap.parse_args()
    page_size = os.sysconf('SC_PAGE_SIZE')

    try:
        layout = load_layout(args.vmlinux)
    except LayoutError as e:
        print('BTF layout: %s' % e)
        return 1
    if args.mode == 'offsets':
        print(json.dumps({k: {'offset': o, 'size': s}
                          for k, (o, s) in sorted(layout.items())}))
        return 0
    if args.file is None or args.last_page is None or args.uuid is None:
        print('check/mutants need FILE, --last-page and --uuid')
        return 2
    try:
        fields = expected_fields(layout, page_size, args.last_page,
                                 parse_uuid(args.uuid), args.label)
    except (LayoutError, ValueError) as e:
        print('BTF layout: %s' % e)
        return 1
    with open(args.file, 'rb') as f:
        data = f.read()

    if args.mode == 'check':
        problems = check_bytes(data, fields, page_size)
        mode = stat.S_IMODE(os.stat(args.file).st_mode)
        if mode != int(args.mode_bits, 8):
            problems.append('mode is %04o, expected %s'
                            % (mode, args.mode_bits))
        for p in problems:
            print(p)
        if not problems:
            print('header OK: %d fields checked at BTF offsets (%s)'
                  % (len(fields), ', '.join('%s@%d' % (n, o)
                                             for n, o, _ in fields)))
        return 1 if problems else 0

    # mutants: the original must pass, every corruption must fail
    bad = 0
    if check_bytes(data, fields, page_size):
        print('the unmodified file does not pass the check')
        return 1
    n = 0
    for desc, corrupted in mutants(data, layout, page_size):
        n += 1
        if not check_bytes(corrupted, fields, page_size):
            print('checker accepted a corrupted header: %s' % desc)
            bad += 1
    if not bad:
        print('checker rejected all %d corrupted headers' % n)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
