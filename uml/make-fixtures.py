#!/usr/bin/env python3
"""Re-make test/fixtures/uml/ from real linux.uml runs (see uml/README.md).

usage: uml/make-fixtures.py [--runs N] [--work DIR] [--out DIR]

Runs scripts/uml-capture.sh N times (default 4) for the default workload,
once with --nosysemu, once with --sysemu0, once with kill/timer_settime/clone
added to the trace set, N times with every syscall traced and init's maps
printed (the glibc-* fixtures), once more so for fork=3 exec=3, and 3+3 timed
runs (pinned to CPU 0 / not pinned);
then cuts one clean excerpt per guest event kind: the first run whose
segment has no timer tick in it (for the tick phase: one or two ticks and
no page fault), and writes the fixtures.  Work files go to build/uml/.
"""
import glob
import gzip
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'uml'))
split = __import__('split-log')  # noqa: E402


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


RUNS = int(arg('--runs', '4'))
WORK = os.path.abspath(arg('--work', os.path.join(ROOT, 'build/uml/fixtures')))
OUT = os.path.abspath(arg('--out', os.path.join(ROOT, 'test/fixtures/uml')))


def capture(name, *opts):
    log = os.path.join(WORK, name + '.strace')
    cmd = ['bash', os.path.join(ROOT, 'scripts/uml-capture.sh'), '-o', log, *opts]
    r = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
    sys.stderr.write(r.stderr.splitlines()[-3] + '\n' if r.stderr else '')
    return log, r.returncode


def segments(log):
    lines = open(log, errors='replace').read().splitlines()
    segs, open_ = {}, {}
    for i, ln in enumerate(lines):
        m = split.MARK.match(ln)
        if not m:
            continue
        name, what = m.groups()
        if what == 'begin':
            open_[name] = i
        elif name in open_:
            segs[name] = lines[open_.pop(name):i + 1]
    for name, i in open_.items():
        segs[name + '-unterminated'] = lines[i:]
    return lines, segs


def ticks(seg):
    return sum(1 for ln in seg if re.match(r'^wait4\(.*WSTOPSIG\(s\) == SIGALRM', ln))


def faults(seg):
    return sum(1 for ln in seg if re.match(r'^wait4\(.*WSTOPSIG\(s\) == SIGSEGV', ln))


def alarms_to_uml(seg):
    return sum(1 for ln in seg if ln.startswith('--- SIGALRM'))


def clean(name, seg):
    if name == 'tick':
        return 1 <= ticks(seg) <= 2 and faults(seg) == 0
    return ticks(seg) == 0 and alarms_to_uml(seg) == 0


def write(name, lines):
    with open(os.path.join(OUT, name), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print(f'  {name}: {len(lines)} lines')


def init_start(log):
    """init's start: its host process's calls and hostfs's for /init, from the start_userspace
    clone (its SIGSTOP) to the resume at the entry point; other processes' calls left out."""
    lines = open(log, errors='replace').read().splitlines()
    i0 = next(i for i, ln in enumerate(lines) if re.match(r'openat\(.*root/init"', ln))
    fd = re.search(r'= (\d+)$', lines[i0]).group(1)
    pid = next(re.match(r'ptrace\(PTRACE_SETREGS, (\d+)', ln).group(1) for ln in lines[i0:] if ln.startswith('ptrace(PTRACE_SETREGS'))
    start = next(i for i, ln in enumerate(lines) if ln.startswith(f'ptrace(PTRACE_OLDSETOPTIONS, {pid},'))
    sysemu = next(i for i in range(start, len(lines)) if lines[i].startswith(f'ptrace(PTRACE_SYSEMU, {pid},'))
    lookup = next(i for i in range(start, len(lines)) if re.match(r'newfstatat\(.*root/init"', lines[i])) - 1
    out = [lines[start - 1]]
    for i in range(start, sysemu - 2):
        ln = lines[i]
        mine = re.match(rf'(ptrace\(PTRACE_[A-Z_]+, {pid}\b|wait4\({pid},|kill\({pid},)', ln) or ln.startswith('--- SIGALRM')
        hostfs = i >= lookup and (re.match(r'(access|newfstatat|openat)\(.*root/(init)?"', ln) or re.match(rf'(pread64|close)\({fd},', ln))
        if mine or hostfs:
            out.append(ln)
    return out


def main():
    os.makedirs(WORK, exist_ok=True)
    os.makedirs(OUT, exist_ok=True)
    runs = []
    for i in range(RUNS):
        log, rc = capture(f'run{i + 1}')
        if rc == 0:
            runs.append(log)
    if not runs:
        sys.exit('make-fixtures: no successful run')
    nosysemu, _ = capture('nosysemu', '--nosysemu', '--', 'phases=getpid,fault', 'getpid=2', 'pages=2')
    nosysemu2, _ = capture('nosysemu2', '--nosysemu', '--', 'phases=getpid,fault', 'getpid=2', 'pages=2')
    sysemu0, _ = capture('sysemu0', '--sysemu0', '--timeout', '60', '--', 'phases=getpid', 'getpid=1')
    extra, _ = capture('extra', '--trace', 'ptrace,wait4,write,kill,timer_settime,clone')

    picks = {
        'getpid': ('guest-syscall.strace', runs),
        'fault': ('page-fault.strace', runs),
        'tick': ('timer-tick.strace', runs),
        'fork': ('fork-exit.strace', runs),
        'exec': ('fork-exec.strace', runs),
    }
    print('fixtures in', OUT)
    for phase, (fname, logs) in picks.items():
        chosen = None
        for log in logs:
            seg = segments(log)[1].get(phase)
            if seg and clean(phase, seg):
                chosen = (log, seg)
                break
        if not chosen:  # nothing clean: take the first, say so
            chosen = (logs[0], segments(logs[0])[1][phase])
            print(f'  ({phase}: no tick-free segment in {len(logs)} runs; taking {logs[0]})')
        write(fname, chosen[1])

    for log in (nosysemu, nosysemu2):
        seg = segments(log)[1].get('getpid')
        if seg and clean('getpid', seg):
            break
    write('nosysemu-guest-syscall.strace', seg)
    write('sysemu0-panic.strace', segments(sysemu0)[1]['sysemu0-unterminated'])
    shutil.copy(sysemu0 + '.console', os.path.join(OUT, 'sysemu0-panic.console'))
    write('timer-tick-kill.strace', segments(extra)[1]['tick'])
    write('fork-exit-kill.strace', segments(extra)[1]['fork'])

    # every UML syscall (hostfs) and init's /proc/self/maps: the glibc-* fixtures
    full_runs = []
    for i in range(RUNS):
        log, rc = capture(f'all{i + 1}', '--trace', 'all', '--', 'getpid=2', 'pages=2', 'fork=1', 'exec=1', 'maps=1')
        if rc == 0:
            full_runs.append(log)
    for phase, fname in (('fork', 'glibc-fork-exit.strace'), ('exec', 'glibc-fork-exec.strace')):
        seg = next((segments(log)[1][phase] for log in full_runs if clean(phase, segments(log)[1].get(phase, []))), None)
        if seg:
            write(fname, seg)
        else:
            print(f'  ({phase}: no tick-free segment in {len(full_runs)} --trace all runs; {fname} kept)')
    if full_runs:
        write('glibc-init-start.strace', init_start(full_runs[0]))
    loop, rc = capture('fork3-exec3', '--trace', 'all', '--', 'phases=fork,exec', 'fork=3', 'exec=3')
    if rc == 0:
        lines = open(loop, errors='replace').read().splitlines()
        b = next(i for i, ln in enumerate(lines) if ln.startswith('write(1, "MARK fork-begin'))
        e = next(i for i, ln in enumerate(lines) if ln.startswith('write(1, "MARK exec-end'))
        write('glibc-fork3-exec3.strace', lines[b:e + 1])
    if full_runs:
        maps = [ln.rstrip() for ln in open(full_runs[0] + '.console') if ln.startswith('MAPS ')]
        build = os.path.join(WORK, 'elf')
        os.makedirs(build, exist_ok=True)
        init, child = os.path.join(build, 'init'), os.path.join(build, 'exec-child')
        subprocess.run(['cc', '-static', '-O2', '-Wall', '-o', init, os.path.join(ROOT, 'uml/guest/init.c')], check=True)
        subprocess.run(['cc', '-static', '-nostdlib', '-O2', '-Wall', '-o', child, os.path.join(ROOT, 'uml/guest/child.c')], check=True)

        def phdrs(path):
            out = subprocess.run(['readelf', '-lW', path], capture_output=True, text=True, check=True).stdout.splitlines()
            start = next(i for i, ln in enumerate(out) if ln.startswith('Program Headers'))
            end = next(i for i, ln in enumerate(out) if 'Section to Segment' in ln)
            return [ln for ln in out[start:end] if ln.strip()]
        write('glibc-layout.txt', [
            '# Real layouts of the guest\'s static binaries (uml/README.md "Guest address space").',
            '# 1. /proc/self/maps of the guest init (uml/guest/init.c, cc -static -O2)',
            '#    inside linux.uml 6.1 after the warm-up round (scripts/uml-capture.sh --trace all -- maps=1 ...),',
            '#    printed by init\'s dump_maps(); the stack top is randomized from run to run.',
            *maps, '# 2. readelf -lW init (the same build)', *phdrs(init),
            f'# 3. readelf -lW exec-child (uml/guest/child.c, cc -static -nostdlib -O2; {os.path.getsize(child)} bytes, as the capture\'s newfstatat says)',
            *phdrs(child)])

    # start-up probes: from the start through the register-template child
    # (ends at UML's "Adding ... bytes to physical memory" message)
    full = open(runs[0], errors='replace').read().splitlines()
    end = next((i for i, ln in enumerate(full) if ln.startswith('write(2, "Adding')), 120)
    write('startup-probes.strace', full[:end + 1])
    shutil.copy(runs[0] + '.stderr', os.path.join(OUT, 'startup-probes.stderr'))

    # the full log of one short run, gzipped
    with open(runs[0], 'rb') as src, gzip.GzipFile(os.path.join(OUT, 'uml-6.1-run.strace.gz'),
                                                  'wb', mtime=0) as dst:
        shutil.copyfileobj(src, dst)
    shutil.copy(runs[0] + '.console', os.path.join(OUT, 'uml-6.1-run.console'))
    print('  uml-6.1-run.strace.gz: from', runs[0])

    # timed: 3 pinned + 3 unpinned, without strace
    timed = []
    for i in range(3):
        for cpus in ('0', None):
            j = os.path.join(WORK, f'timed-{i}-{cpus or "none"}.json')
            opts = ['--variant', 'timed', '--json', j] + (['--cpus', cpus] if cpus else [])
            _, rc = capture(f'timed-{i}', *opts)
            if rc == 0:
                timed.append(json.load(open(j)))
    if timed:
        host = {k: timed[0][k] for k in ('host_kernel', 'host_cpu', 'host_cpus', 'uml_binary',
                                          'uml_package', 'boot', 'traced', 'captured')}
        out = dict(host)
        out['note'] = ('medians in ns measured inside the guest with clock_gettime(CLOCK_MONOTONIC); '
                       'each per-op sample includes one clock_gettime, itself a trapped guest syscall '
                       '(clock_pair = two back-to-back reads); getpid_batch = mean over 10000 calls '
                       'with no clock in between. Runs not pinned land bimodally (UML and its host '
                       'child on one CPU or on two).')
        out['runs'] = [{'pinned_cpus': t['pinned_cpus'], **t['guest']} for t in timed]
        # summary over the pinned runs: median of the per-run medians, and
        # the same minus one clock read (clock_pair) = the operation alone
        pinned = [t['guest'] for t in timed if t['pinned_cpus'] != 'none'] or [t['guest'] for t in timed]

        def med(xs):
            xs = sorted(xs)
            return xs[len(xs) // 2]
        clock = med([g['clock_pair']['median_ns'] for g in pinned])
        summ = {'runs': len(pinned), 'clock_gettime_ns': clock,
                'getpid_batch_mean_ns': med([g['getpid_batch']['mean_ns'] for g in pinned])}
        for k in ('getpid', 'page_fault_first_touch', 'page_second_touch', 'fork_exit_wait',
                  'fork_exec_wait'):
            m = med([g[k]['median_ns'] for g in pinned])
            summ[k + '_ns'] = m
            summ[k + '_net_ns'] = m - clock
        out['summary_pinned'] = summ
        out['runs'] = out.pop('runs')
        with open(os.path.join(OUT, 'timed-6.1.json'), 'w') as f:
            json.dump(out, f, indent=1)
            f.write('\n')
        print('  timed-6.1.json:', len(timed), 'runs')


if __name__ == '__main__':
    main()
