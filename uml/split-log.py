#!/usr/bin/env python3
"""Cut a UML host strace log (strace -e trace=ptrace,wait4,write linux.uml ...)
at the guest's "MARK <phase>-begin/-end" console writes, and count host calls.

usage: uml/split-log.py LOG [--out DIR] [--boot] [--seq]

  LOG      a log written by scripts/uml-capture.sh
  --out    write DIR/<phase>.strace (the lines from the host write of
           "MARK <phase>-begin" through the host write of "MARK <phase>-end",
           both included, exactly as strace printed them)
  --boot   also count everything before the first MARK (boot + probes)
  --seq    also print each phase as a condensed call sequence (pids renamed
           P1, P2, ... in order of appearance; rip/orig_rax/rax shown for
           register transfers)

Prints, per phase: every ptrace request with its count, wait4 results by
stop signal / status, restarted wait4s, other traced calls, and the number of
"resumes" (SYSEMU / SYSCALL / CONT / SINGLESTEP requests).
"""
import collections
import os
import re
import sys

MARK = re.compile(r'^write\(1, "MARK ([A-Za-z0-9_]+)-(begin|end)"')
PTRACE = re.compile(r'^ptrace\((PTRACE_[A-Z_]+|0x[0-9a-f]+)')
WAIT = re.compile(r'^wait4\((-?\d+), (.*)\) += (.*)$')


def wait_kind(args, ret):
    if ret.startswith('?'):
        return 'wait4 -> ERESTARTSYS (restarted)'
    m = re.search(r'WSTOPSIG\(s\) == ([A-Z0-9| x]+)\}', args)
    if m:
        return 'wait4 -> stopped ' + m.group(1).strip()
    m = re.search(r'WIFEXITED\(s\) && WEXITSTATUS\(s\) == (\d+)', args)
    if m:
        return 'wait4 -> exited ' + m.group(1)
    m = re.search(r'WIFSIGNALED\(s\) && WTERMSIG\(s\) == (\w+)', args)
    if m:
        return 'wait4 -> killed ' + m.group(1)
    if args.startswith('NULL'):
        return 'wait4(P, NULL, __WALL) -> P (reap)'
    return 'wait4 -> ' + ret


def classify(line):
    """-> (kind, detail) or None for lines that are not calls."""
    if line.startswith('---') or line.startswith('+++'):
        m = re.match(r'^--- (SIG\w+)', line)
        return ('signal', 'signal to UML ' + m.group(1)) if m else None
    m = PTRACE.match(line)
    if m:
        req = m.group(1)
        if req in ('PTRACE_GETREGSET', 'PTRACE_SETREGSET'):
            rs = re.search(r', (NT_\w+)', line)
            req += '(' + (rs.group(1) if rs else '?') + ')'
        if req == 'PTRACE_CONT':
            sig = re.search(r'PTRACE_CONT, \d+, [^,]+, (-?\w+)\)', line)
            if sig and sig.group(1).startswith('SIG'):
                req += '(' + sig.group(1) + ')'
            elif sig and sig.group(1) != '0':
                req += '(garbage data)'
        if re.search(r'= -1 (\w+)', line):
            req += ' = -1 ' + re.search(r'= -1 (\w+)', line).group(1)
        return ('ptrace', req)
    m = WAIT.match(line)
    if m:
        return ('wait4', wait_kind(m.group(2), m.group(3)))
    m = re.match(r'^(\w+)\(', line)
    if m:
        if m.group(1) == 'write':
            return ('write', 'write (console)')
        return ('other', m.group(1))
    return None


def count(lines):
    c = collections.Counter()
    for ln in lines:
        k = classify(ln)
        if k:
            c[k[1]] += 1
    resumes = sum(v for k, v in c.items()
                  if re.match(r'PTRACE_(SYSEMU|SYSCALL|CONT|SINGLESTEP|SYSEMU_SINGLESTEP)\b', k))
    host_calls = sum(v for k, v in c.items() if k.startswith(('PTRACE_', 'wait4')))
    return c, resumes, host_calls


def condensed(lines):
    pids = {}

    def P(pid):
        if pid not in pids:
            pids[pid] = 'P%d' % (len(pids) + 1)
        return pids[pid]

    res = []
    for ln in lines:
        k = classify(ln)
        if not k or k[0] == 'signal' and 'SIGCHLD' in k[1]:
            continue
        if k[0] == 'ptrace':
            m = re.match(r'^ptrace\(\w+, (\d+)', ln)
            pid = P(m.group(1)) if m else '?'
            extra = ''
            if 'REGS,' in ln and 'rip=' in ln:
                g = {r: re.search(r'\b%s=(\w+)' % r, ln) for r in ('rip', 'orig_rax', 'rax')}
                extra = ' ' + ' '.join('%s=%s' % (r, v.group(1)) for r, v in g.items() if v)
            m = re.search(r'PTRACE_GETSIGINFO.*si_code=(\w+), si_addr=(\w+)', ln)
            if m:
                extra = ' %s %s' % m.groups()
            m = re.search(r'PTRACE_(?:ARCH_PRCTL|POKEUSER|PEEKUSER), \d+, (.*)\) += (.*)$', ln)
            if m:
                extra = ' (%s) = %s' % m.groups()
            res.append('%s %s%s' % (k[1], pid, extra))
        elif k[0] == 'wait4':
            m = re.match(r'^wait4\((-?\d+)', ln)
            res.append('%s [%s]' % (k[1], P(m.group(1))))
        elif k[0] == 'write':
            m = re.match(r'^write\(1, (".*?")', ln)
            res.append('write ' + (m.group(1) if m else ''))
        else:
            res.append(k[1])
    return res


def main(argv):
    if not argv or argv[0] in ('-h', '--help'):
        print(__doc__)
        return 0
    log = argv[0]
    out = None
    boot = '--boot' in argv
    if '--out' in argv:
        out = argv[argv.index('--out') + 1]
        os.makedirs(out, exist_ok=True)
    lines = open(log, errors='replace').read().splitlines()
    phases = []  # (name, start, end)
    open_ = {}
    first = None
    for i, ln in enumerate(lines):
        m = MARK.match(ln)
        if not m:
            continue
        if first is None:
            first = i
        name, what = m.groups()
        if what == 'begin':
            open_[name] = i
        elif name in open_:
            phases.append((name, open_.pop(name), i))
    for name, i in open_.items():  # unterminated phase (e.g. guest panicked)
        phases.append((name + '(unterminated)', i, len(lines) - 1))
    if boot and first is not None:
        phases.insert(0, ('boot', 0, first - 1))
    for name, a, b in phases:
        seg = lines[a:b + 1]
        if out:
            with open(os.path.join(out, name + '.strace'), 'w') as f:
                f.write('\n'.join(seg) + '\n')
        c, resumes, host_calls = count(seg)
        print(f'== {name}: lines {a + 1}-{b + 1}, host ptrace+wait4 calls {host_calls}, resumes {resumes}')
        for k, v in sorted(c.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f'   {v:6d}  {k}')
        if '--seq' in argv and name != 'boot':
            for i, x in enumerate(condensed(seg)):
                print(f'     {i:4d}  {x}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
