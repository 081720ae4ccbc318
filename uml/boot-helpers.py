#!/usr/bin/env python3
"""Count the usermode-helper host processes of a real UML 6.1 boot log.

usage: uml/boot-helpers.py LOG... [--boot-out FILE]

A helper (a kernel thread's failed kernel_execve: call_usermodehelper for a
uevent or a request_module) shows up as a host process that goes through
  wait4 -> SIGSTOP (WSTOPPED|__WALL), OLDSETOPTIONS, one stub run
  (SETREGS rip=0x7fc000009b, CONT, wait4 -> SIGTRAP), PTRACE_KILL,
  CONT(garbage) = ESRCH, wait4(P, NULL, __WALL)
(start_userspace, then flush_tlb_mm in exit_mmap, then destroy_context).
init is the first such process that is ever resumed with SYSEMU.

Per log: helpers before init's start_userspace, helpers after it, helpers
whose teardown came later than right after their stub run (deferred),
restarted wait4s in the boot segment, and the boot segment's per-op totals
(every ptrace/wait4 line before init's first wait4). --boot-out writes that
segment to FILE.
"""
import collections
import re
import sys

CALL = re.compile(r'^(ptrace|wait4)\((?:PTRACE_(\w+), )?(-?\d+)')


def op(line):
    m = CALL.match(line)
    if not m:
        return None, None
    call, req, pid = m.group(1), m.group(2), int(m.group(3))
    if call == 'wait4':
        if 'ERESTARTSYS' in line:
            return pid, 'wait4 ERESTARTSYS'
        if 'NULL, __WALL' in line:
            return pid, 'wait4 reap'
        s = re.search(r'WSTOPSIG\(s\) == (SIG\w+(?: \| 0x80)?)', line)
        return pid, 'wait4 ' + (s.group(1) if s else 'other')
    if req == 'CONT' and 'ESRCH' in line:
        return pid, 'CONT=ESRCH'
    return pid, req


def analyse(path, boot_out=None):
    lines = [l.rstrip('\n') for l in open(path, errors='replace') if not l.startswith(('---', '+++'))]
    ops = [(i,) + op(l) for i, l in enumerate(lines)]
    ops = [(i, p, o) for i, p, o in ops if o]
    starts = [(i, p) for i, p, o in ops if o == 'wait4 SIGSTOP' and '__WALL' in lines[i]]
    sysemu = {p for _, p, o in ops if o == 'SYSEMU'}
    init_i, init_pid = next(((i, p) for i, p in starts if p in sysemu), (len(lines), None))
    by_pid = collections.defaultdict(list)
    for i, p, o in ops:
        by_pid[p].append((i, o))
    before = [p for i, p in starts if i < init_i]
    after = [p for i, p in starts if i > init_i and p not in sysemu]
    deferred = 0
    for p in before + after:
        seq = [o for _, o in by_pid[p] if o != 'wait4 ERESTARTSYS']
        idx = [i for i, o in by_pid[p] if o != 'wait4 ERESTARTSYS']
        if 'KILL' in seq and seq.index('KILL') > 0 and idx[seq.index('KILL')] - idx[seq.index('KILL') - 1] > 1:
            deferred += 1
    seg = [(i, o) for i, p, o in ops if i < init_i]
    totals = collections.Counter(o for _, o in seg)
    if boot_out:
        with open(boot_out, 'w') as f:
            f.write('\n'.join(lines[:init_i]) + '\n')
    return {'log': path, 'helpers_before_init': len(before), 'helpers_after_init': len(after), 'deferred_teardown': deferred,
            'restarted_wait4': totals['wait4 ERESTARTSYS'], 'boot_totals': dict(sorted(totals.items()))}


def main():
    args = sys.argv[1:]
    out = None
    if '--boot-out' in args:
        k = args.index('--boot-out')
        out = args[k + 1]
        del args[k:k + 2]
    if not args or args[0] in ('-h', '--help'):
        print(__doc__)
        return
    counts = []
    for path in args:
        r = analyse(path, out)
        counts.append(r['helpers_before_init'])
        print(f"{path}: helpers before init {r['helpers_before_init']}, after {r['helpers_after_init']}, "
              f"deferred teardown {r['deferred_teardown']}, restarted wait4 {r['restarted_wait4']}")
        print('   ', ', '.join(f'{k} {v}' for k, v in r['boot_totals'].items()))
    if len(counts) > 1:
        s = sorted(counts)
        print(f'helpers before init over {len(s)} logs: min {s[0]}, median {s[len(s) // 2]}, max {s[-1]}: {s}')


if __name__ == '__main__':
    main()
